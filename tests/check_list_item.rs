//! Issue 11, point 2: `check` panicked (`capacity overflow`) on a List whose second item is
//! invalid. The document is not edited when one of its plans fails, but the lint mapped the first
//! item's env back through that item's edit as if it had been applied. Now `check` reports the
//! invalid item where it is, like `inject` does.

mod common;

use serde_json::Value;

const CONFIG: &str = r#"{"apiVersion": "kubeopencode.io/v1alpha1", "kind": "KubeOpenCodeConfig",
 "metadata": {"name": "cluster"},
 "spec": {"observability": {"openTelemetry": {"enabled": true, "endpoint": "http://c:4318"}}}}"#;

fn paths() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = common::write_temp(dir.path(), "config.json", CONFIG);
    let input = common::testdata("regressions/list-item-without-containers.yaml");
    let input = common::write_temp(
        dir.path(),
        "list.yaml",
        &std::fs::read_to_string(input).unwrap(),
    );
    let s = |p: std::path::PathBuf| p.to_str().unwrap().to_string();
    (dir, s(config), s(input))
}

#[test]
fn check_reports_the_invalid_list_item_where_it_is() {
    let (_dir, config, input) = paths();
    let out = common::run(
        &[
            "check", "-c", &config, "-f", &input, "--all", "--format", "json",
        ],
        None,
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    // Findings, not a failure to run (docs/check.md: exit 1). The place is where the missing
    // value would be (the reader, like libyaml, puts an empty scalar after `containers: `).
    assert_eq!(out.code, 1, "stderr:\n{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let invalid: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "invalid-workload")
        .collect();
    assert_eq!(invalid.len(), 1, "{findings:#?}");
    let f = invalid[0];
    assert_eq!(f["resource"], "deployment/b");
    assert_eq!(f["field"], "items[1].spec.template.spec.containers");
    assert_eq!(
        (&f["line"], &f["column"]),
        (&Value::from(5), &Value::from(101))
    );
    assert!(f["file"].as_str().unwrap().ends_with("list.yaml"));
}

#[test]
fn inject_refuses_it_with_the_same_place() {
    let (_dir, config, input) = paths();
    let out = common::run(&["-c", &config, "-f", &input, "--all"], None);
    assert_eq!(out.code, 2, "stderr:\n{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("list.yaml:5:101"), "{}", out.stderr);
}
