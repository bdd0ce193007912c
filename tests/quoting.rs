//! Every string the tool writes must be read back as the same string by Kubernetes' YAML 1.1 reader.
//! The output is re-read with the crate's go-yaml-v2-compatible reader (plain `on` → true, `0777` →
//! 511, …), which is what `kubectl` and the API server do.

mod common;

use serde_json::Value;

/// Strings a YAML 1.1 reader takes for something else when written plain, plus syntax traps.
const AMBIGUOUS: &[&str] = &[
    "y",
    "Y",
    "yes",
    "Yes",
    "YES",
    "n",
    "N",
    "no",
    "No",
    "NO",
    "true",
    "True",
    "TRUE",
    "false",
    "False",
    "FALSE",
    "on",
    "On",
    "ON",
    "off",
    "Off",
    "OFF",
    "~",
    "null",
    "Null",
    "NULL",
    "",
    "0777",
    "0o17",
    "0x1F",
    "0b101",
    "-0b101",
    "1_000",
    "1e3",
    "1E3",
    "1.5",
    ".5",
    "-.5",
    "+1",
    "-1",
    "0",
    "007",
    "08",
    ".inf",
    "-.Inf",
    ".nan",
    "12:30",
    "1:20:30",
    "2001-12-14",
    "<<",
    "=",
    "- x",
    "a: b",
    "a #b",
    "#x",
    "&a",
    "*a",
    "!t",
    "|x",
    ">x",
    "'x",
    "\"x",
    "%x",
    "@x",
    "`x",
    " lead",
    "trail ",
    "x:",
    "---",
    "...",
    "[a]",
    "{a}",
    "{\"a\":1}",
    "line1\nline2",
    "tab\there",
];

fn pod(values: &[&str]) -> String {
    let env: Vec<Value> = values
        .iter()
        .enumerate()
        .map(|(i, v)| serde_json::json!({"name": format!("V{i}"), "value": v}))
        .collect();
    let pod = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns", "labels": {"kubeopencode.io/task": "t"}},
        "spec": {"containers": [{"name": "agent", "image": "x", "env": env}]}
    });
    // JSON is YAML: the input states every value as a string without ambiguity.
    serde_json::to_string_pretty(&pod).unwrap()
}

fn config(record_content: bool) -> String {
    format!(
        "apiVersion: kubeopencode.io/v1alpha1\nkind: KubeOpenCodeConfig\nmetadata:\n  name: cluster\nspec:\n  observability:\n    openTelemetry:\n      enabled: true\n      endpoint: http://c:4318\n      recordContent: {record_content}\n      enableLLMTraces: true\n"
    )
}

#[test]
fn normalised_output_keeps_every_ambiguous_string_a_string() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::write_temp(dir.path(), "cfg.yaml", &config(true));
    let input = common::write_temp(dir.path(), "pod.yaml", &pod(AMBIGUOUS));
    // Read as YAML (not JSON) so the normalising YAML emitter writes every value.
    let yaml_in = common::write_temp(
        dir.path(),
        "pod2.yaml",
        &format!("---\n{}\n", std::fs::read_to_string(&input).unwrap()),
    );
    let out = common::run(
        &[
            "-c",
            cfg.to_str().unwrap(),
            "-f",
            yaml_in.to_str().unwrap(),
            "--normalize",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        !out.stdout.trim_start().starts_with('{'),
        "expected YAML output"
    );
    let docs = common::docs(&out.stdout);
    let env = docs[0]["spec"]["containers"][0]["env"].as_array().unwrap();
    for (i, want) in AMBIGUOUS.iter().enumerate() {
        assert_eq!(
            env[i]["value"],
            Value::String(want.to_string()),
            "V{i} = {want:?} in:\n{}",
            out.stdout
        );
    }
    let capture = env
        .iter()
        .find(|e| e["name"] == "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT")
        .unwrap();
    assert_eq!(capture["value"], Value::String("true".into()));
}

#[test]
fn surgical_output_quotes_what_it_inserts() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::write_temp(dir.path(), "cfg.yaml", &config(true));
    let input = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\n  labels:\n    kubeopencode.io/task: t\nspec:\n  containers:\n  - name: agent\n    image: x\n    env:\n    - name: A\n      value: \"on\"\n";
    let out = common::run(&["-c", cfg.to_str().unwrap()], Some(input));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("      value: \"true\"\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("value: '{\"experimental\":{\"openTelemetry\":true}}'"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.starts_with(input),
        "the existing text is kept byte for byte"
    );
    let docs = common::docs(&out.stdout);
    let env = docs[0]["spec"]["containers"][0]["env"].as_array().unwrap();
    assert!(
        env.iter()
            .all(|e| e["value"].is_string() || e.get("valueFrom").is_some()),
        "{env:?}"
    );
}
