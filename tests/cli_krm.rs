//! The KRM function mode (issue 11 §4): a ResourceList is recognised from the first document's
//! parsed `apiVersion` and `kind` (any key order, YAML or JSON, any size), `-c` and
//! `functionConfig` combine as docs/integrations.md says, and `*List` items are opened as the pipe
//! opens them.

mod common;

use common::{Output, run, write_temp};
use serde_json::Value;

const ENDPOINT: &str = "http://otel:4318";

fn config_yaml(endpoint: &str) -> String {
    format!(
        "apiVersion: kubeopencode.io/v1alpha1\nkind: KubeOpenCodeConfig\nmetadata:\n  name: cluster\n\
         spec:\n  observability:\n    openTelemetry:\n      enabled: true\n      endpoint: {endpoint}\n"
    )
}

/// The config as a functionConfig (indented under the key).
fn function_config(endpoint: &str) -> String {
    let mut s = String::from("functionConfig:\n");
    for l in config_yaml(endpoint).lines() {
        s.push_str("  ");
        s.push_str(l);
        s.push('\n');
    }
    s
}

const POD_ITEM: &str = "- apiVersion: v1
  kind: Pod
  metadata:
    name: t1-pod
    namespace: team-a
    labels: {kubeopencode.io/task: t1, kubeopencode.io/agent: coder}
  spec:
    containers:
    - name: agent
      image: agent
";

fn resource_list(function_config: &str) -> String {
    format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{POD_ITEM}{function_config}"
    )
}

fn parse_yaml(text: &str) -> Value {
    let docs = common::docs(text);
    assert_eq!(docs.len(), 1, "one ResourceList out: {text}");
    docs.into_iter().next().unwrap()
}

/// The OTEL_EXPORTER_OTLP_ENDPOINT of the first container of item `i`, looked up anywhere in the
/// item (a Pod, or the template of a workload).
fn endpoint_of(item: &Value) -> Option<String> {
    let spec = item
        .pointer("/spec/template/spec")
        .or_else(|| item.get("spec"))?;
    spec.pointer("/containers/0/env")?
        .as_array()?
        .iter()
        .find(|e| e["name"] == "OTEL_EXPORTER_OTLP_ENDPOINT")
        .and_then(|e| e["value"].as_str())
        .map(str::to_string)
}

fn assert_krm_ok(out: &Output) -> Value {
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    let v = parse_yaml(&out.stdout);
    assert_eq!(v["kind"], "ResourceList", "{}", out.stdout);
    v
}

#[test]
fn function_config_is_used_without_c() {
    let out = run(&[], Some(&resource_list(&function_config(ENDPOINT))));
    let v = assert_krm_ok(&out);
    assert_eq!(endpoint_of(&v["items"][0]).as_deref(), Some(ENDPOINT));
    assert_eq!(out.stderr, "");
}

#[test]
fn c_wins_over_function_config_and_a_difference_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_temp(dir.path(), "cfg.yaml", &config_yaml("http://from-c:4318"));
    let cfg = cfg.to_str().unwrap();

    // A differing KubeOpenCodeConfig in functionConfig: -c is used, with a warning on stderr and
    // in `results`.
    let out = run(
        &["-c", cfg],
        Some(&resource_list(&function_config(ENDPOINT))),
    );
    let v = assert_krm_ok(&out);
    assert_eq!(
        endpoint_of(&v["items"][0]).as_deref(),
        Some("http://from-c:4318")
    );
    assert!(
        out.stderr.starts_with("warning[config]: ")
            && out
                .stderr
                .contains("functionConfig is a KubeOpenCodeConfig that differs from"),
        "{}",
        out.stderr
    );
    let results = v["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["severity"] == "warning"
                && r["message"].as_str().unwrap().contains("differs")),
        "{results:?}"
    );

    // The same config in both places: no warning.
    let out = run(
        &["-c", cfg],
        Some(&resource_list(&function_config("http://from-c:4318"))),
    );
    let v = assert_krm_ok(&out);
    assert_eq!(out.stderr, "");
    assert!(v.get("results").is_none(), "{}", out.stdout);

    // functionConfig of another kind, or none: -c, silently.
    let other = "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: x}\n";
    for fc in [other, ""] {
        let out = run(&["-c", cfg], Some(&resource_list(fc)));
        let v = assert_krm_ok(&out);
        assert_eq!(
            endpoint_of(&v["items"][0]).as_deref(),
            Some("http://from-c:4318")
        );
        assert_eq!(out.stderr, "", "{fc:?}");
    }
}

#[test]
fn no_config_anywhere_is_an_error_that_keeps_the_items() {
    let other = "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: x}\n";
    for fc in [other, ""] {
        let out = run(&[], Some(&resource_list(fc)));
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(
            out.stderr.contains("no KubeOpenCodeConfig"),
            "{}",
            out.stderr
        );
        // Never an empty output: the items go back unchanged, with the results.
        let v = parse_yaml(&out.stdout);
        assert_eq!(v["items"][0]["metadata"]["name"], "t1-pod");
        assert_eq!(endpoint_of(&v["items"][0]), None);
        assert_eq!(v["results"][0]["severity"], "error");
    }
}

#[test]
fn sorted_keys_and_a_long_list_are_still_a_resource_list() {
    // PyYAML and Go sort keys: `items:` first, `kind:` after hundreds of lines.
    let mut items = String::new();
    for i in 0..150 {
        items.push_str(&format!(
            "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-{i}\n"
        ));
    }
    items.push_str(POD_ITEM);
    let text = format!(
        "{}items:\n{items}kind: ResourceList\n",
        function_config(ENDPOINT).replace(
            "functionConfig:",
            "apiVersion: config.kubernetes.io/v1\nfunctionConfig:"
        )
    );
    assert!(text.lines().count() > 600);
    let out = run(&[], Some(&text));
    let v = assert_krm_ok(&out);
    assert_eq!(endpoint_of(&v["items"][150]).as_deref(), Some(ENDPOINT));
}

#[test]
fn quoted_kind_is_a_resource_list() {
    let text = resource_list(&function_config(ENDPOINT))
        .replace("kind: ResourceList", "kind: \"ResourceList\"")
        .replace(
            "apiVersion: config.kubernetes.io/v1\n",
            "apiVersion: 'config.kubernetes.io/v1'\n",
        );
    let out = run(&[], Some(&text));
    let v = assert_krm_ok(&out);
    assert_eq!(endpoint_of(&v["items"][0]).as_deref(), Some(ENDPOINT));
}

#[test]
fn json_resource_list_is_recognised_and_answered_in_json() {
    let yaml = resource_list(&function_config(ENDPOINT));
    let v = parse_yaml(&yaml);
    let json = serde_json::to_string_pretty(&v).unwrap();
    let out = run(&[], Some(&json));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let back: Value = serde_json::from_str(&out.stdout).expect("JSON out for JSON in");
    assert_eq!(back["kind"], "ResourceList");
    assert_eq!(endpoint_of(&back["items"][0]).as_deref(), Some(ENDPOINT));
}

#[test]
fn list_items_are_opened_as_the_pipe_opens_them() {
    let rc_list = "- apiVersion: v1
  kind: ReplicationControllerList
  items:
  - apiVersion: v1
    kind: ReplicationController
    metadata:
      name: rc
      namespace: team-a
      labels: {kubeopencode.io/agent: coder}
    spec:
      template:
        metadata:
          labels: {kubeopencode.io/agent: coder}
        spec:
          containers:
          - name: opencode-server
            image: server
";
    let text = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{rc_list}{}",
        function_config(ENDPOINT)
    );
    let out = run(&["--all"], Some(&text));
    let v = assert_krm_ok(&out);
    assert_eq!(
        endpoint_of(&v["items"][0]["items"][0]).as_deref(),
        Some(ENDPOINT),
        "{}",
        out.stdout
    );

    // The pipe gives the same list.
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_temp(dir.path(), "cfg.yaml", &config_yaml(ENDPOINT));
    let list = rc_list
        .lines()
        .skip(3)
        .map(|l| l.strip_prefix("  ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let piped = run(
        &["-c", cfg.to_str().unwrap(), "--all"],
        Some(&format!(
            "apiVersion: v1\nkind: ReplicationControllerList\nitems:\n{list}\n"
        )),
    );
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    let piped = parse_yaml(&piped.stdout);
    assert_eq!(piped["items"][0], v["items"][0]["items"][0]);
}

#[test]
fn diff_and_check_read_a_resource_list_as_a_stream() {
    // Only `inject` is a KRM function; `check` and `diff` see the list's items as a List's.
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_temp(dir.path(), "cfg.yaml", &config_yaml(ENDPOINT));
    let cfg = cfg.to_str().unwrap();
    let text = resource_list("");
    let check = run(&["check", "--color", "never", "-c", cfg], Some(&text));
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.contains("error[drift]"), "{}", check.stdout);
    let diff = run(&["diff", "-q", "-c", cfg], Some(&text));
    assert_eq!(diff.code, 1, "{}", diff.stderr);
}

#[test]
fn an_invalid_function_config_is_located_in_the_resource_list() {
    let fc = function_config(ENDPOINT).replace("name: cluster", "name: default");
    let out = run(&[], Some(&resource_list(&fc)));
    assert_eq!(out.code, 2, "{}", out.stderr);
    // Located at the functionConfig's line in the ResourceList.
    let line = resource_list(&fc)
        .lines()
        .position(|l| l.trim() == "name: default")
        .unwrap()
        + 1;
    assert!(
        out.stderr
            .starts_with("error[config]: KubeOpenCodeConfig must be named 'cluster'")
            && out.stderr.contains(&format!("[<stdin>:{line}:")),
        "{}",
        out.stderr
    );
    let v = parse_yaml(&out.stdout);
    let r = &v["results"][0];
    assert_eq!(r["severity"], "error");
    assert_eq!(r["field"]["path"], "functionConfig.metadata.name");
    assert_eq!(r["resourceRef"]["kind"], "KubeOpenCodeConfig");
}
