//! Issue 14, "YAML 1.1 advice": for `value: on` the advice must keep what the user wrote
//! (`quote it: value: "on"`), not the boolean it reads as (`"true"`, which changes the value), and
//! `inject` and `check` must give the same advice (one function renders it for both).

mod common;

use serde_json::Value;

const CONFIG: &str = r#"{"apiVersion": "kubeopencode.io/v1alpha1", "kind": "KubeOpenCodeConfig",
 "metadata": {"name": "cluster"},
 "spec": {"observability": {"openTelemetry": {"enabled": true, "endpoint": "http://c:4318"}}}}"#;

fn pod(value: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata: {{name: p, namespace: n}}
spec:
  containers:
  - name: c
    env:
    - name: A
      value: {value}
"
    )
}

/// The help lines `inject` prints.
fn inject_help(dir: &std::path::Path, text: &str) -> (i32, Vec<String>) {
    let config = common::write_temp(dir, "config.json", CONFIG);
    let input = common::write_temp(dir, "in.yaml", text);
    let out = common::run(
        &[
            "-c",
            config.to_str().unwrap(),
            "-f",
            input.to_str().unwrap(),
            "--all",
        ],
        None,
    );
    let helps = out
        .stderr
        .lines()
        .filter_map(|l| l.trim().strip_prefix("help: "))
        .filter(|h| h.starts_with("quote it"))
        .map(str::to_string)
        .collect();
    (out.code, helps)
}

/// The help of each `check` finding about the env value.
fn check_help(dir: &std::path::Path, text: &str) -> (i32, Vec<String>) {
    let config = common::write_temp(dir, "config.json", CONFIG);
    let input = common::write_temp(dir, "in.yaml", text);
    let out = common::run(
        &[
            "check",
            "-c",
            config.to_str().unwrap(),
            "-f",
            input.to_str().unwrap(),
            "--all",
            "--format",
            "json",
        ],
        None,
    );
    let report: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    let helps = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["field"] == "spec.containers[0].env[0].value")
        .map(|f| f["help"].as_str().unwrap_or_default().to_string())
        .collect();
    (out.code, helps)
}

#[test]
fn both_front_ends_quote_exactly_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    for written in ["on", "yes", "0777", "1e3", "~", "12"] {
        let text = pod(written);
        let want = format!("quote it: value: \"{written}\"");
        let (code, helps) = check_help(dir.path(), &text);
        assert_eq!(code, 1, "check on `{written}`");
        assert_eq!(helps, std::slice::from_ref(&want), "check on `{written}`");
        if written == "~" {
            // null is a valid env value (the empty string): inject goes on; only check warns.
            continue;
        }
        let (code, helps) = inject_help(dir.path(), &text);
        assert_eq!(code, 2, "inject on `{written}`");
        assert_eq!(helps, [want], "inject on `{written}`");
    }
}

#[test]
fn a_name_is_quoted_as_written_too() {
    let dir = tempfile::tempdir().unwrap();
    let text = pod("x").replace("name: A", "name: off");
    let (code, helps) = inject_help(dir.path(), &text);
    assert_eq!(code, 2);
    assert_eq!(helps, ["quote it: name: \"off\""]);
}

#[test]
fn json_input_is_quoted_as_its_text() {
    // In JSON what was written is the value's own text.
    let dir = tempfile::tempdir().unwrap();
    let text = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "n"},
 "spec": {"containers": [{"name": "c", "env": [{"name": "A", "value": true}]}]}}
"#;
    let (code, helps) = inject_help(dir.path(), text);
    assert_eq!(code, 2);
    assert_eq!(helps, ["quote it: value: \"true\""]);
}
