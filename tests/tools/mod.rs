//! External programs the integration tests drive (kubectl, kpt, helm, pre-commit, bash, …).
//!
//! A missing program skips its test with a loud `SKIPPED: <program> not installed` on stderr;
//! with `KUBEOPENCODE_REQUIRE_TOOLS=1` (set by `.ci/run`, which installs them) it fails instead.
#![allow(dead_code)]

use std::process::Command;

/// True when `program version_arg` runs and succeeds.
pub fn have(program: &str, version_arg: &str) -> bool {
    have_with(program, &[version_arg])
}

/// True when `program args…` runs and succeeds (a loud skip, or a failure in CI, when not).
pub fn have_with(program: &str, args: &[&str]) -> bool {
    let found = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            !required(),
            "{program} not installed, and KUBEOPENCODE_REQUIRE_TOOLS=1 requires it (.ci/run installs it)"
        );
        // Straight to the process's stderr: the test harness captures eprintln! of a passing test.
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "SKIPPED: {program} not installed");
    }
    found
}

fn required() -> bool {
    std::env::var_os("KUBEOPENCODE_REQUIRE_TOOLS").is_some_and(|v| v == "1")
}

/// Runs `cmd` with `input` on its standard input and returns its output.
pub fn with_stdin(cmd: &mut Command, input: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(mut stdin) = child.stdin.take() {
        // The child may exit early on an error; a broken pipe is fine then.
        let _ = stdin.write_all(input.as_bytes());
    }
    child.wait_with_output().expect("wait")
}

/// PATH with the directory of the binary under test first, for programs that run it by name
/// (Helm's post-renderer, pre-commit's entry, the documented examples).
pub fn path_with_bin() -> String {
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_kubeopencode-inject"))
        .parent()
        .expect("the binary is in a directory")
        .to_path_buf();
    format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}
