//! Documentation that must match the code.

use std::path::Path;

#[test]
fn lint_catalogue_in_docs_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/check.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let table = kubeopencode_inject::lint::catalogue_markdown();
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
