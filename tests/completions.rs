//! The committed completion scripts under `completions/` must match what the binary generates.
//! Regenerate them with `UPDATE_COMPLETIONS=1 cargo test --test completions`.

mod common;

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
