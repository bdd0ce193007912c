//! The command layer's promises (issues 12 and 14): `diff` of a concatenated JSON stream applies
//! with `patch`, `-q` on every command, `diff --in-place` says what is wrong, `--help` keeps its
//! sections apart, and a missing `-c` file is named as the config.

mod common;
mod tools;

use std::path::Path;
use std::process::Command;

use common::{CONFIG, run, write_temp};

const POD_JSON: &str = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"t1-pod","namespace":"team-a","labels":{"kubeopencode.io/task":"t1","kubeopencode.io/agent":"coder"}},"spec":{"containers":[{"name":"agent","image":"x"}]}}"#;

const POD_YAML: &str = "apiVersion: v1
kind: Pod
metadata:
  name: t1-pod
  namespace: team-a
  labels: {kubeopencode.io/task: t1, kubeopencode.io/agent: coder}
spec:
  containers:
  - name: agent
    image: x
";

/// `diff` output applied with `patch` gives the pipe's output, byte for byte.
fn assert_patch_gives_the_pipe(dir: &Path, name: &str, text: &str) {
    let file = write_temp(dir, name, text);
    let cfg = write_temp(dir, "cfg.yaml", CONFIG);
    let (file, cfg) = (file.to_str().unwrap(), cfg.to_str().unwrap());
    let piped = run(&["-c", cfg, "-f", file], None);
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    let diff = run(&["diff", "--color", "never", "-c", cfg, "-f", file], None);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    // `\ No newline at end of file` only ever follows the last line of a hunk at the file's end.
    let lines: Vec<&str> = diff.stdout.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with('\\') {
            assert!(
                i + 1 == lines.len() || lines[i + 1].starts_with(['+', '@', '-']),
                "marker inside a hunk:\n{}",
                diff.stdout
            );
        }
    }
    let patch_file = write_temp(dir, "change.patch", &diff.stdout);
    let out = Command::new("patch")
        .args(["-s", "-o", "-", file])
        .arg("-i")
        .arg(&patch_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "patch refused the diff: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        diff.stdout
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        piped.stdout,
        "patched file differs from the pipe's output"
    );
}

#[test]
fn diff_of_a_concatenated_json_stream_applies_with_patch() {
    if !tools::have("patch", "--version") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The first document has no final newline; the second follows on the same line.
    let other = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#;
    for (name, text) in [
        ("a.json", format!("{POD_JSON}{other}\n")),
        ("b.json", format!("{POD_JSON}\n{POD_JSON}")),
        ("c.json", format!("{other}{POD_JSON}{other}")),
    ] {
        assert_patch_gives_the_pipe(dir.path(), name, &text);
    }
}

#[test]
fn diff_quiet_only_sets_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_temp(dir.path(), "cfg.yaml", CONFIG);
    let cfg = cfg.to_str().unwrap();
    for flag in ["-q", "--quiet", "--exit-code"] {
        let out = run(&["diff", flag, "-c", cfg], Some(POD_YAML));
        assert_eq!(out.code, 1, "{flag}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{flag}");
        assert_eq!(out.stderr, "", "{flag}");
    }
    // Already injected: nothing would change.
    let injected = run(&["-c", cfg], Some(POD_YAML));
    let out = run(&["diff", "-q", "-c", cfg], Some(&injected.stdout));
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
}

#[test]
fn diff_in_place_is_a_usage_error_that_does_not_suggest_namespace() {
    let out = run(&["diff", "--in-place", "-c", "x.yaml"], Some(POD_YAML));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("error[usage]: diff never writes files: --in-place belongs to inject"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("--namespace"), "{}", out.stderr);
}

#[test]
fn check_quiet_prints_only_what_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_temp(dir.path(), "cfg.yaml", CONFIG);
    let cfg = cfg.to_str().unwrap();
    let loud = run(&["check", "--color", "never", "-c", cfg], Some(POD_YAML));
    assert_eq!(loud.code, 1, "{}", loud.stderr);
    assert!(loud.stdout.contains("error[drift]"), "{}", loud.stdout);
    let quiet = run(
        &["check", "-q", "--color", "never", "-c", cfg],
        Some(POD_YAML),
    );
    assert_eq!(quiet.code, 1, "{}", quiet.stderr);
    assert!(quiet.stdout.starts_with("error[drift]"), "{}", quiet.stdout);
    assert!(
        !quiet.stdout.contains("1 error"),
        "no summary: {}",
        quiet.stdout
    );
    assert!(!quiet.stdout.contains("info["), "{}", quiet.stdout);

    // Clean: nothing at all.
    let injected = run(&["-c", cfg], Some(POD_YAML));
    let clean = run(&["check", "-q", "-c", cfg], Some(&injected.stdout));
    assert_eq!(clean.code, 0, "{}", clean.stdout);
    assert!(
        !clean.stdout.contains("error[") && !clean.stdout.contains("no findings"),
        "{}",
        clean.stdout
    );

    let validate = run(&["validate", "-q", "-c", cfg], None);
    assert_eq!((validate.code, validate.stdout.as_str()), (0, ""));
}

#[test]
fn help_keeps_exit_status_and_examples_apart() {
    let out = run(&["--help"], None);
    assert_eq!(out.code, 0);
    let at = out
        .stdout
        .find("Exit status:")
        .expect("exit status in --help");
    let rest = &out.stdout[at..];
    let line_end = rest.find('\n').unwrap();
    assert!(
        rest[line_end..].starts_with("\n\nExamples:"),
        "{}",
        &rest[..rest.len().min(200)]
    );
}

#[test]
fn a_missing_config_file_is_named_as_the_config() {
    for args in [
        &["-c", "nope.yaml"][..],
        &["diff", "-c", "nope.yaml"],
        &["check", "-c", "nope.yaml"],
        &["validate", "-c", "nope.yaml"],
    ] {
        let out = run(args, Some(POD_YAML));
        assert_eq!(out.code, 2, "{args:?}");
        assert!(
            out.stderr
                .starts_with("error[io]: cannot read the config file nope.yaml: "),
            "{args:?}: {}",
            out.stderr
        );
        assert!(out.stderr.contains("help: check the path given with -c"));
    }
}

#[test]
fn in_place_json_and_check_give_the_pipes_documents_in_small_windows() {
    // Many windows (a tiny window size): --in-place and -o json are outputs of the same driver
    // as the pipe, so they give the same documents.
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_temp(dir.path(), "cfg.yaml", CONFIG);
    let cfg = cfg.to_str().unwrap();
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&POD_YAML.replace("t1-pod", &format!("pod-{i}")));
        text.push_str("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n");
    }
    let file = write_temp(dir.path(), "m.yaml", &text);
    let file = file.to_str().unwrap();
    let env = [("KUBEOPENCODE_INJECT_WINDOW_BYTES", "200")];
    let piped = common::run_env(&["-c", cfg, "-f", file], None, &env);
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    let json = common::run_env(&["-c", cfg, "-f", file, "-o", "json"], None, &env);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let list: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(list["kind"], "List");
    assert_eq!(
        list["items"].as_array().unwrap(),
        &common::docs(&piped.stdout)
    );
    let in_place = common::run_env(&["-c", cfg, "-f", file, "--in-place"], None, &env);
    assert_eq!(in_place.code, 0, "{}", in_place.stderr);
    assert_eq!(std::fs::read_to_string(file).unwrap(), piped.stdout);
    let check = common::run_env(&["check", "-c", cfg, "-f", file], None, &env);
    assert_eq!(check.code, 0, "{}", check.stdout);
}
