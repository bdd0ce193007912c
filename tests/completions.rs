//! The committed completion scripts under `completions/` must match what the binary generates.
//! Regenerate them with `UPDATE_COMPLETIONS=1 cargo test --test completions`.

mod common;
mod tools;

use std::path::Path;

const SHELLS: [(&str, &str); 5] = [
    ("bash", "kubeopencode-inject.bash"),
    ("zsh", "_kubeopencode-inject"),
    ("fish", "kubeopencode-inject.fish"),
    ("powershell", "_kubeopencode-inject.ps1"),
    ("elvish", "kubeopencode-inject.elv"),
];

#[test]
fn committed_completions_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        let out = common::run(&["completions", shell], None);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains("kubeopencode-inject"), "{shell}");
        let path = dir.join(file);
        if update {
            std::fs::write(&path, &out.stdout).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(out.stdout.as_str()) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "stale completion scripts {stale:?}: run `UPDATE_COMPLETIONS=1 cargo test --test completions`"
    );
}

/// What bash completes for `words` (the last one is the word under the cursor), with the
/// committed script sourced and its function called as bash's `complete -F` calls it.
fn bash_complete(words: &[&str]) -> Vec<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/kubeopencode-inject.bash");
    let quoted: Vec<String> = words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', "'\\''")))
        .collect();
    let cword = words.len() - 1;
    let prev = if cword > 0 {
        quoted[cword - 1].clone()
    } else {
        "''".into()
    };
    let program = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={cword}\n\
         fn=$(complete -p kubeopencode-inject | sed 's/.*-F \\([^ ]*\\).*/\\1/')\n\
         \"$fn\" kubeopencode-inject {} {prev}\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        quoted.join(" "),
        quoted[cword],
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_subcommands_and_their_options() {
    if !tools::have("bash", "--version") {
        return;
    }
    let cases: [(&[&str], &[&str]); 7] = [
        (&["kubeopencode-inject", "ch"], &["check"]),
        (&["kubeopencode-inject", "--in"], &["--in-place"]),
        (&["kubeopencode-inject", "check", "--fo"], &["--format"]),
        (
            &["kubeopencode-inject", "check", "--format", ""],
            &["human", "json", "github", "sarif"],
        ),
        (&["kubeopencode-inject", "diff", "--norm"], &["--normalize"]),
        (&["kubeopencode-inject", "validate", "--str"], &["--strict"]),
        (
            &["kubeopencode-inject", "install-kustomize-plugin", "--d"],
            &["--dir"],
        ),
    ];
    for (words, want) in cases {
        let got = bash_complete(words);
        for w in want {
            assert!(got.iter().any(|g| g == w), "{words:?}: {got:?} lacks {w}");
        }
    }
    // `completions <Tab>` offers the shells, not the top level's options.
    let shells = bash_complete(&["kubeopencode-inject", "completions", ""]);
    assert!(shells.iter().any(|s| s == "zsh"), "{shells:?}");
    assert!(!shells.iter().any(|s| s == "--in-place"), "{shells:?}");
}
