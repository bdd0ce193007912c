//! A header Secret resolves in each workload's namespace, not the controller's: the controller
//! copies the `secretKeyRef` as it is into the helper variable, and the kubelet looks the Secret up
//! in the Pod's own namespace. `check` warns when the input has the Secret only elsewhere.

mod common;

use common::{run, write_temp};
use serde_json::Value;

const CONFIG: &str = "apiVersion: kubeopencode.io/v1alpha1\nkind: KubeOpenCodeConfig\nmetadata:\n  name: cluster\nspec:\n  observability:\n    openTelemetry:\n      enabled: true\n      endpoint: https://collector:4318\n      headers:\n        x-honeycomb-team:\n          valueFrom:\n            secretKeyRef:\n              name: honeycomb\n              key: api-key\n";

fn secret(ns: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: honeycomb\n  namespace: {ns}\ndata:\n  api-key: c2VjcmV0\n---\n"
    )
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: team-a\n  labels: {kubeopencode.io/task: t}\nspec:\n  containers:\n  - name: agent\n    image: x\n";

/// (rule, severity, message) of the Secret findings of `check` on `stream`.
fn secret_findings(stream: &str) -> Vec<(String, String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_temp(dir.path(), "cfg.yaml", CONFIG);
    let res = run(
        &["check", "-c", cfg.to_str().unwrap(), "--format", "json"],
        Some(stream),
    );
    let report: Value = serde_json::from_str(&res.stdout).expect(&res.stderr);
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("secret-"))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_secret_only_in_the_controllers_namespace_is_a_warning() {
    let found = secret_findings(&format!("{}{POD}", secret("kubeopencode-system")));
    assert_eq!(found.len(), 1, "{found:?}");
    let (rule, severity, message) = &found[0];
    assert_eq!(rule, "secret-in-other-namespace");
    assert_eq!(severity, "warning");
    assert!(message.contains("`kubeopencode-system`"), "{message}");
    assert!(message.contains("not in `team-a`"), "{message}");
    assert!(
        message.contains("OTEL_HEADER_X_HONEYCOMB_TEAM"),
        "{message}"
    );
}

#[test]
fn a_secret_in_the_workloads_namespace_is_fine() {
    let both = format!("{}{}{POD}", secret("kubeopencode-system"), secret("team-a"));
    assert!(secret_findings(&both).is_empty());
    assert!(secret_findings(&format!("{}{POD}", secret("team-a"))).is_empty());
}

#[test]
fn no_secrets_at_all_is_an_info_and_other_secrets_a_warning() {
    let found = secret_findings(POD);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("secret-not-found", "info")
    );
    let other =
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: unrelated\n  namespace: team-a\n---\n";
    let found = secret_findings(&format!("{other}{POD}"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("secret-not-found", "warning")
    );
}

#[test]
fn an_optional_reference_says_the_pod_starts() {
    let optional = CONFIG.replace(
        "key: api-key\n",
        "key: api-key\n              optional: true\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_temp(dir.path(), "cfg.yaml", &optional);
    let res = run(
        &["check", "-c", cfg.to_str().unwrap(), "--format", "json"],
        Some(&format!("{}{POD}", secret("kubeopencode-system"))),
    );
    let report: Value = serde_json::from_str(&res.stdout).expect(&res.stderr);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "secret-in-other-namespace")
        .unwrap_or_else(|| panic!("{}", res.stdout))
        .clone();
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("the reference is optional"), "{message}");
    assert!(!message.contains("CreateContainerConfigError"), "{message}");
}
