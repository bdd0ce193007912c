//! The committed man pages under `docs/man/` must match what clap_mangen makes of the clap
//! definition: one page for the program, one per subcommand (`kubeopencode-inject-check.1`, …), as
//! git and cargo ship them. Regenerate with `UPDATE_MAN=1 cargo test --test man`.

use std::path::Path;

use kubeopencode_inject::api::cli_command;

/// (file name, page) for the program and each of its subcommands.
fn pages() -> Vec<(String, String)> {
    let cmd = cli_command().name(env!("CARGO_PKG_NAME"));
    let mut out = vec![(format!("{}.1", cmd.get_name()), render(cmd.clone()))];
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        // clap takes names as `&'static str` (without its `string` feature); a test may leak.
        let name: &'static str = format!("{}-{}", cmd.get_name(), sub.get_name()).leak();
        let bin: &'static str = format!("{} {}", cmd.get_name(), sub.get_name()).leak();
        let page = sub
            .clone()
            .name(name)
            .bin_name(bin)
            .version(env!("CARGO_PKG_VERSION"));
        out.push((format!("{name}.1"), render(page)));
    }
    out
}

fn render(cmd: clap::Command) -> String {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .expect("render a man page");
    String::from_utf8(buf).expect("roff is UTF-8")
}

#[test]
fn committed_man_pages_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/man");
    let update = std::env::var_os("UPDATE_MAN").is_some();
    let pages = pages();
    assert!(pages.len() >= 7, "the program and its six subcommands");
    let mut stale = Vec::new();
    for (file, page) in &pages {
        assert!(page.contains(".SH NAME"), "{file}");
        let path = dir.join(file);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, page).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(page.as_str()) {
            stale.push(file.clone());
        }
    }
    // No page for a subcommand that is gone.
    let extra: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".1") && !pages.iter().any(|(f, _)| f == n))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "stale man pages {stale:?}, pages for no command {extra:?}: run `UPDATE_MAN=1 cargo test --test man`"
    );
}

#[test]
fn man_pages_read_as_pages() {
    let pages = pages();
    let main = &pages[0].1;
    assert!(main.contains(".TH kubeopencode-inject 1"), "{main}");
    for sub in ["check", "diff", "validate"] {
        assert!(
            main.contains(&format!("kubeopencode\\-inject\\-{sub}(1)")),
            "{sub}"
        );
    }
    let check = &pages
        .iter()
        .find(|(f, _)| f == "kubeopencode-inject-check.1")
        .unwrap()
        .1;
    assert!(check.contains("\\-\\-format"), "{check}");
    assert!(check.contains("sarif"), "{check}");
}
