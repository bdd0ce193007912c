//! Documentation that must match the code.

use std::path::Path;

#[test]
fn lint_catalogue_in_docs_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/check.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let table = kubeopencode_inject::api::lint_catalogue_markdown();
    let start = "<!-- catalogue:start -->\n";
    let end = "<!-- catalogue:end -->";
    let (a, b) = (
        doc.find(start).unwrap() + start.len(),
        doc.find(end).unwrap(),
    );
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let new = format!("{}{}{}", &doc[..a], table, &doc[b..]);
        std::fs::write(&path, new).unwrap();
        return;
    }
    assert_eq!(
        &doc[a..b],
        table,
        "docs/check.md is stale: run `UPDATE_DOCS=1 cargo test --test docs`"
    );
}

/// The JSON sample in docs/check.md is what `check --format json` prints for the example it names:
/// its finding field for field, and the summary.
#[test]
fn check_md_json_sample_is_what_check_prints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/check.md")).unwrap();
    let start = doc
        .find("```json\n")
        .expect("a JSON sample in docs/check.md")
        + "```json\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let sample: serde_json::Value = serde_json::from_str(&doc[start..end]).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kubeopencode-inject"))
        .args([
            "check",
            "-c",
            "kubeopencodeconfig.yaml",
            "-f",
            "agents.yaml",
            "--format",
            "json",
        ])
        .current_dir(root.join("docs/examples/kustomize"))
        .output()
        .unwrap();
    let real: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let shown = &sample["findings"][0];
    assert!(
        real["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == shown),
        "docs/check.md's JSON sample is not what check prints:\n{shown:#}\nreal:\n{real:#}"
    );
    assert_eq!(sample["summary"], real["summary"]);
    assert_eq!(sample["version"], real["version"]);
}
