//! External programs the integration tests drive (kubectl, kpt, helm, pre-commit, bash, …).
//!
//! A missing program skips its test with a loud `SKIPPED: <program> not installed` on stderr;
//! with `KUBEOPENCODE_REQUIRE_TOOLS=1` (set by `.ci/run`, which installs them) it fails instead.
#![allow(dead_code)]

use std::process::Command;

/// True when `program version_arg` runs and succeeds.
pub fn have(program: &str, version_arg: &str) -> bool {
    let found = Command::new(program)
        .arg(version_arg)
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            !required(),
            "{program} not installed, and KUBEOPENCODE_REQUIRE_TOOLS=1 requires it (.ci/run installs it)"
        );
        eprintln!("SKIPPED: {program} not installed");
    }
    found
}

fn required() -> bool {
    std::env::var_os("KUBEOPENCODE_REQUIRE_TOOLS").is_some_and(|v| v == "1")
}
