//! The `inject` command run as a user runs it: the built binary, real files in temporary
//! directories, stdin, exit codes, stdout (manifests only) and the report on stderr.
//!
//! Every behaviour checked here comes from the issue that specifies the tool (issue 2). Tests
//! marked `#[ignore = "BUG: ..."]` show a defect that is still open; run them with
//! `cargo test --test cli_inject -- --ignored`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use common::{Output, bin, docs, run, write_temp};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const ENDPOINT: &str = "http://otel:4318";

/// A KubeOpenCodeConfig with observability on; `extra` is appended under `openTelemetry:` (lines
/// indented by six spaces). Line 8 is `enabled`, line 9 `endpoint`, `extra` starts at line 10.
fn config_text(extra: &str) -> String {
    format!(
        "apiVersion: kubeopencode.io/v1alpha1\n\
         kind: KubeOpenCodeConfig\n\
         metadata:\n  \
         name: cluster\n\
         spec:\n  \
         observability:\n    \
         openTelemetry:\n      \
         enabled: true\n      \
         endpoint: {ENDPOINT}\n\
         {extra}"
    )
}

fn disabled(config: &str) -> String {
    assert!(config.contains("enabled: true"));
    config.replace("enabled: true", "enabled: false")
}

const TASK: &str = "\
apiVersion: kubeopencode.io/v1alpha1
kind: Task
metadata:
  name: t1
  namespace: team-a
spec:
  agentRef:
    name: coder
";

/// A Task Pod as the controller writes it (label + controller ownerReference), with an init
/// container that has no env yet.
const TASK_POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: t1-pod
  namespace: team-a
  labels:
    kubeopencode.io/task: t1
spec:
  initContainers:
  - name: opencode-init
    image: init
  containers:
  - name: agent
    image: agent
    env:
    - name: HOME
      value: /tmp
";

const TASK_POD_ATTRS: &str = "kubeopencode.task.name=t1,kubeopencode.task.namespace=team-a,kubeopencode.agent.name=coder,k8s.namespace.name=team-a,k8s.pod.name=t1-pod";

/// TASK_POD after injection with the agent `coder` (from the Task or `--agent`).
const TASK_POD_INJECTED: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: t1-pod
  namespace: team-a
  labels:
    kubeopencode.io/task: t1
spec:
  initContainers:
  - name: opencode-init
    image: init
    env:
    - name: OTEL_EXPORTER_OTLP_ENDPOINT
      value: http://otel:4318
    - name: OTEL_RESOURCE_ATTRIBUTES
      value: kubeopencode.task.name=t1,kubeopencode.task.namespace=team-a,kubeopencode.agent.name=coder,k8s.namespace.name=team-a,k8s.pod.name=t1-pod
  containers:
  - name: agent
    image: agent
    env:
    - name: HOME
      value: /tmp
    - name: OTEL_EXPORTER_OTLP_ENDPOINT
      value: http://otel:4318
    - name: OTEL_RESOURCE_ATTRIBUTES
      value: kubeopencode.task.name=t1,kubeopencode.task.namespace=team-a,kubeopencode.agent.name=coder,k8s.namespace.name=team-a,k8s.pod.name=t1-pod
";

/// An Agent's server Deployment: the main container is not first, a git-sync sidecar and
/// init containers (one of them git-init).
const AGENT_DEPLOY: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coder-server
  namespace: team-a
  labels:
    kubeopencode.io/agent: coder
spec:
  selector:
    matchLabels:
      kubeopencode.io/agent: coder
  template:
    metadata:
      labels:
        kubeopencode.io/agent: coder
    spec:
      initContainers:
      - name: opencode-init
        image: init
      - name: git-init-0
        image: git
        env:
        - name: GIT_REPO
          value: https://example.com/app.git
      containers:
      - name: git-sync-0
        image: git
        env:
        - name: GIT_REPO
          value: https://example.com/app.git
      - name: opencode-server
        image: server
        env:
        - name: HOME
          value: /tmp
";

/// A Deployment that is not a KubeOpenCode workload.
const PLAIN_DEPLOY: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      initContainers:
      - name: migrate
        image: m
      containers:
      - name: proxy
        image: p
      - name: main
        image: w
";

/// Documents the tool must never touch, written in unusual but valid ways.
const PASSTHROUGH: &str = "\
# a custom resource that has a pod template, but is not a kind the tool knows
apiVersion: example.com/v1
kind:   Widget   # odd spacing
metadata: {name: w1, namespace: ns}
spec:
  template:
    spec:
      containers: [{name: c, image: x}]
  shared: &anchor {k: v}
  copy: *anchor
  folded: >-
    some folded
    text
status: {phase: Ready}
---
apiVersion: v1
kind: Secret
metadata:
  name: s
  namespace: ns
  managedFields:
  - manager: kubectl
    fieldsV1: {f:data: {}}
type: Opaque
stringData:
  password: \"on\"
  z: 'yes'
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: []
";

/// A temporary directory holding the files of one test.
struct Fx {
    dir: tempfile::TempDir,
}

impl Fx {
    fn new() -> Fx {
        Fx {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }

    /// Writes a file (creating parent directories) and returns its path as a string.
    fn file(&self, name: &str, text: &str) -> String {
        let p = self.path(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        write_temp(
            p.parent().unwrap(),
            p.file_name().unwrap().to_str().unwrap(),
            text,
        );
        p.to_str().unwrap().to_string()
    }

    fn bytes(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    fn config(&self, extra: &str) -> String {
        self.file("config.yaml", &config_text(extra))
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The report lines of stderr (warnings, notes and their help lines removed).
fn report(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            !(l.starts_with("warning[") || l.starts_with("info[") || l.starts_with("  help:"))
        })
        .collect()
}

/// A rendered error on one line: miette wraps long messages and draws frames around them.
fn flat(stderr: &str) -> String {
    stderr
        .lines()
        .map(|l| l.trim().trim_start_matches('│').trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_ok(out: &Output) {
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
}

/// Exit 2, nothing on stdout, and a message on stderr.
fn assert_error(out: &Output) {
    assert_eq!(
        out.code, 2,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert_eq!(out.stdout, "", "an error must not write manifests");
    assert!(!out.stderr.trim().is_empty(), "an error needs a message");
}

/// The pod spec of a pod-bearing object.
fn pod_spec(obj: &Value) -> &Value {
    match obj["kind"].as_str() {
        Some("Pod") => &obj["spec"],
        Some("CronJob") => &obj["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        _ => &obj["spec"]["template"]["spec"],
    }
}

/// A container (regular or init) by name.
fn container<'a>(obj: &'a Value, name: &str) -> &'a Value {
    let spec = pod_spec(obj);
    ["containers", "initContainers"]
        .iter()
        .flat_map(|l| spec[*l].as_array().into_iter().flatten())
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no container {name} in {obj}"))
}

fn env_names(c: &Value) -> Vec<String> {
    c["env"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

fn env_entry<'a>(c: &'a Value, name: &str) -> Option<&'a Value> {
    c["env"].as_array()?.iter().find(|e| e["name"] == name)
}

fn env_value<'a>(c: &'a Value, name: &str) -> Option<&'a str> {
    env_entry(c, name)?.get("value")?.as_str()
}

fn has_otel(c: &Value) -> bool {
    env_names(c).iter().any(|n| n.starts_with("OTEL_"))
}

/// The entry reads `fieldPath` through the Downward API.
fn is_field_ref(e: &Value, field_path: &str) -> bool {
    e.get("value").is_none() && e["valueFrom"]["fieldRef"]["fieldPath"] == field_path
}

fn index_of(names: &[String], name: &str) -> usize {
    names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("{name} not in {names:?}"))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// True when a YAML 1.1 reader (Kubernetes' sigs.k8s.io/yaml, go-yaml v2) would read this plain
/// (unquoted) scalar as something other than a string: null, bool, int, float, timestamp, merge
/// key or value key. Deliberately wider than YAML 1.1 for number-like text.
fn yaml11_not_a_string(plain: &str) -> bool {
    const WORDS: [&str; 26] = [
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off",
    ];
    if WORDS.contains(&plain) || ["OFF", "<<", "="].contains(&plain) {
        return true;
    }
    let t = plain.trim_start_matches(['+', '-']);
    let special = [".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"];
    if special.contains(&t) {
        return true;
    }
    let numberish = t.starts_with(|c: char| c.is_ascii_digit())
        || (t.starts_with('.') && t[1..].starts_with(|c: char| c.is_ascii_digit()));
    numberish
        && t.chars()
            .all(|c| c.is_ascii_hexdigit() || "xXoO_.:+-tTzZ ".contains(c) || c.is_ascii_digit())
}

/// Every plain (unquoted) key and value of a block-style YAML text, as (key of the line, scalar).
fn plain_scalars(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut l = line.trim();
        if l.starts_with('#') || l == "---" || l == "..." {
            continue;
        }
        while let Some(rest) = l.strip_prefix("- ") {
            l = rest.trim_start();
        }
        let (key, value) = match l.split_once(": ") {
            Some((k, v)) => (Some(k), v.trim()),
            None => match l.strip_suffix(':') {
                Some(k) => (Some(k), ""),
                None => (None, l),
            },
        };
        let owner = key.unwrap_or_default().to_string();
        for part in key.into_iter().chain([value]) {
            let part = part.split(" #").next().unwrap().trim_end();
            if part.is_empty() || part.starts_with(['"', '\'', '{', '[', '|', '>', '&', '*', '!']) {
                continue;
            }
            out.push((owner.clone(), part.to_string()));
        }
    }
    out
}

/// No plain scalar of `text` is read as a non-string by a YAML 1.1 reader, except the values of
/// the keys in `typed` (e.g. `optional: true`, a real boolean).
fn assert_no_ambiguous_plain_scalar(text: &str, typed: &[&str]) {
    let bad: Vec<(String, String)> = plain_scalars(text)
        .into_iter()
        .filter(|(k, p)| yaml11_not_a_string(p) && !(typed.contains(&k.as_str()) && k != p))
        .collect();
    assert!(
        bad.is_empty(),
        "plain scalars a YAML 1.1 reader takes for non-strings: {bad:?}\n{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Exit codes and errors before any output
// ---------------------------------------------------------------------------------------------

#[test]
fn injects_a_task_pod_exactly_and_reports_it() {
    let fx = Fx::new();
    let config = fx.config("");
    let pod = fx.file("pod.yaml", TASK_POD);
    let out = run(&["-c", &config, "-f", &pod, "--agent", "coder"], None);
    assert_ok(&out);
    assert_eq!(out.stdout, TASK_POD_INJECTED);
    assert_eq!(
        report(&out.stderr),
        ["pod/team-a/t1-pod: injected (2 containers)"]
    );
    assert_eq!(
        out.stderr.lines().count(),
        1,
        "no warning expected:\n{}",
        out.stderr
    );
}

#[test]
fn missing_config_file_is_exit_2_and_names_it() {
    let fx = Fx::new();
    let pod = fx.file("pod.yaml", TASK_POD);
    let missing = fx.path("nope.yaml");
    let out = run(&["-c", s(&missing), "-f", &pod], None);
    assert_error(&out);
    assert!(out.stderr.contains("nope.yaml"), "{}", out.stderr);
}

#[test]
fn missing_manifest_file_is_exit_2() {
    let fx = Fx::new();
    let config = fx.config("");
    let out = run(&["-c", &config, "-f", s(&fx.path("absent.yaml"))], None);
    assert_error(&out);
    assert!(out.stderr.contains("absent.yaml"), "{}", out.stderr);
}

#[test]
fn malformed_yaml_names_file_line_column_and_document() {
    let fx = Fx::new();
    let config = fx.config("");
    let bad = fx.file(
        "bad.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b: c\ndata: {}\n",
    );
    let out = run(&["-c", &config, "-f", &bad], None);
    assert_error(&out);
    assert!(
        out.stderr.contains("bad.yaml:9:10"),
        "file:line:col missing:\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("document 2"),
        "document index missing:\n{}",
        out.stderr
    );
}

#[test]
fn malformed_json_names_file_line_and_column() {
    let fx = Fx::new();
    let config = fx.config("");
    let bad = fx.file(
        "bad.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n \"metadata\": {\"name\": \"x\",}\n",
    );
    let out = run(&["-c", &config, "-f", &bad], None);
    assert_error(&out);
    assert!(out.stderr.contains("bad.json:2:27"), "{}", out.stderr);
}

#[test]
fn malformed_yaml_on_stdin_is_exit_2() {
    let fx = Fx::new();
    let config = fx.config("");
    let out = run(&["-c", &config], Some("kind: Pod\nmetadata: [unclosed\n"));
    assert_error(&out);
    assert!(out.stderr.contains("<stdin>"), "{}", out.stderr);
}

#[test]
fn config_unknown_field_suggests_the_right_name_with_its_position() {
    let fx = Fx::new();
    let config = fx.config("      enableLlmTraces: true\n");
    let pod = fx.file("pod.yaml", TASK_POD);
    let out = run(&["-c", &config, "-f", &pod], None);
    assert_error(&out);
    assert!(
        out.stderr.contains("did you mean `enableLLMTraces`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("config.yaml:10:7"),
        "line:col of the key missing:\n{}",
        out.stderr
    );
    assert!(out.stderr.contains("enableLlmTraces"), "{}", out.stderr);
}

#[test]
fn config_must_be_named_cluster() {
    let fx = Fx::new();
    let config = fx.file(
        "config.yaml",
        &config_text("").replace("name: cluster", "name: prod"),
    );
    let pod = fx.file("pod.yaml", TASK_POD);
    let out = run(&["-c", &config, "-f", &pod], None);
    assert_error(&out);
    assert!(out.stderr.contains("cluster"), "{}", out.stderr);
    assert!(out.stderr.contains("config.yaml:4:9"), "{}", out.stderr);
}

#[test]
fn config_rules_of_the_crd_are_errors() {
    let fx = Fx::new();
    let pod = fx.file("pod.yaml", TASK_POD);
    let cases = [
        (
            config_text("").replace(ENDPOINT, "otel:4318"),
            "config.yaml:9:17",
        ),
        (
            config_text("").replace("      enabled: true\n", ""),
            "config.yaml:8:7",
        ),
        (
            config_text("").replace("kind: KubeOpenCodeConfig", "kind: KubeOpencodeConfig"),
            "config.yaml:2:7",
        ),
        (
            config_text(
                "      headers:\n        x-key:\n          valueFrom:\n            secretKeyRef:\n              name: s\n",
            ),
            "config.yaml:14:15",
        ),
    ];
    for (text, location) in cases {
        let config = fx.file("config.yaml", &text);
        let out = run(&["-c", &config, "-f", &pod], None);
        assert_error(&out);
        assert!(
            out.stderr.contains(location),
            "{location} not in:\n{}",
            out.stderr
        );
    }
    // A header with neither value nor secret: the API server rejects it, the controller skips it.
    let config = fx.file(
        "config.yaml",
        &config_text("      headers:\n        x-empty: {}\n        x-team:\n          value: a\n"),
    );
    let out = run(&["-c", &config, "-f", &pod, "--agent", "coder"], None);
    assert_ok(&out);
    assert!(
        out.stderr
            .lines()
            .any(|l| l.starts_with("warning[") && l.contains("x-empty")),
        "{}",
        out.stderr
    );
    let out_docs = docs(&out.stdout);
    let c = container(&out_docs[0], "agent");
    assert_eq!(env_value(c, "OTEL_EXPORTER_OTLP_HEADERS"), Some("x-team=a"));
}

#[test]
fn in_place_with_stdin_input_is_exit_2() {
    let fx = Fx::new();
    let config = fx.config("");
    for args in [
        vec!["-c", &config, "--in-place"],
        vec!["-c", &config, "--in-place", "-f", "-"],
    ] {
        let out = run(&args, Some(TASK_POD));
        assert_error(&out);
        assert!(out.stderr.contains("--in-place"), "{}", out.stderr);
    }
}

#[test]
fn in_place_conflicts_with_output_format() {
    let fx = Fx::new();
    let config = fx.config("");
    let pod = fx.file("pod.yaml", TASK_POD);
    let out = run(
        &["-c", &config, "-f", &pod, "--in-place", "-o", "json"],
        None,
    );
    assert_error(&out);
    assert_eq!(fx.bytes("pod.yaml"), TASK_POD.as_bytes());
}

#[test]
fn no_config_anywhere_is_exit_2() {
    let out = run(&[], Some(TASK_POD));
    assert_error(&out);
    assert!(out.stderr.contains("KubeOpenCodeConfig"), "{}", out.stderr);
    assert!(
        out.stderr.contains("-c"),
        "the fix should mention -c:\n{}",
        out.stderr
    );
}

#[test]
fn two_configs_in_the_stream_are_exit_2_and_both_are_named() {
    let fx = Fx::new();
    let stream = format!(
        "{}---\n{}---\n{}",
        config_text(""),
        TASK_POD,
        config_text("")
    );
    let file = fx.file("all.yaml", &stream);
    let out = run(&["-f", &file], None);
    assert_error(&out);
    let f = flat(&out.stderr);
    assert!(
        f.contains("document 1") && f.contains("document 3"),
        "{}",
        out.stderr
    );
}

#[test]
fn config_from_stdin_needs_manifests_from_a_file() {
    let out = run(&["-c", "-"], Some(&config_text("")));
    assert_error(&out);
    assert!(out.stderr.contains("-f"), "{}", out.stderr);
}

#[test]
fn quiet_does_not_hide_errors() {
    let fx = Fx::new();
    let pod = fx.file("pod.yaml", TASK_POD);
    let out = run(&["-q", "-c", s(&fx.path("nope.yaml")), "-f", &pod], None);
    assert_error(&out);
}

// ---------------------------------------------------------------------------------------------
// Where the config comes from
// ---------------------------------------------------------------------------------------------

#[test]
fn config_from_the_stream_is_used_and_passed_through_unchanged() {
    let config = format!("# the cluster config\n{}", config_text("      # keep me\n"));
    let stream = format!("{config}---\n{TASK}---\n{TASK_POD}");
    let out = run(&[], Some(&stream));
    assert_ok(&out);
    assert_eq!(
        out.stdout,
        format!("{config}---\n{TASK}---\n{TASK_POD_INJECTED}")
    );
    assert_eq!(
        report(&out.stderr),
        ["pod/team-a/t1-pod: injected (2 containers)"]
    );
}

#[test]
fn config_on_stdin_with_manifests_from_a_file() {
    let fx = Fx::new();
    let pod = fx.file("pod.yaml", TASK_POD);
    let out = run(
        &["-c", "-", "-f", &pod, "--agent", "coder"],
        Some(&config_text("")),
    );
    assert_ok(&out);
    assert_eq!(out.stdout, TASK_POD_INJECTED);
}

#[test]
fn config_as_json() {
    let fx = Fx::new();
    let config = serde_json::json!({
        "apiVersion": "kubeopencode.io/v1alpha1", "kind": "KubeOpenCodeConfig",
        "metadata": {"name": "cluster"},
        "spec": {"observability": {"openTelemetry": {"enabled": true, "endpoint": ENDPOINT}}}
    });
    let config = fx.file("config.json", &config.to_string());
    let out = run(&["-c", &config, "--agent", "coder"], Some(TASK_POD));
    assert_ok(&out);
    assert_eq!(out.stdout, TASK_POD_INJECTED);
}

// ---------------------------------------------------------------------------------------------
// Input forms
// ---------------------------------------------------------------------------------------------

#[test]
fn stream_with_and_without_leading_separator() {
    let fx = Fx::new();
    let config = fx.config("");
    for lead in ["", "---\n"] {
        let input = format!("{lead}{TASK}---\n{TASK_POD}");
        let out = run(&["-c", &config], Some(&input));
        assert_ok(&out);
        assert_eq!(
            out.stdout,
            format!("{lead}{TASK}---\n{TASK_POD_INJECTED}"),
            "lead {lead:?}"
        );
    }
}

#[test]
fn comments_end_markers_and_empty_documents_are_kept() {
    let fx = Fx::new();
    let config = fx.config("");
    let head = "---\n# first\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a  # trailing\n...\n---\n---\n# only a comment\n---\n";
    let input = format!("{head}{TASK}...\n---\n{TASK_POD}...\n");
    let out = run(&["-c", &config], Some(&input));
    assert_ok(&out);
    assert_eq!(
        out.stdout,
        format!("{head}{TASK}...\n---\n{TASK_POD_INJECTED}...\n")
    );
    let values = docs(&out.stdout);
    let kinds: Vec<_> = values.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ConfigMap", "Task", "Pod"]);
}

#[test]
fn crlf_line_endings_are_kept() {
    let fx = Fx::new();
    let config = fx.config("");
    let crlf = |t: &str| t.replace('\n', "\r\n");
    let input = crlf(&format!("{TASK}---\n{TASK_POD}"));
    let file = fx.file("crlf.yaml", &input);
    let out = run(&["-c", &config, "-f", &file], None);
    assert_ok(&out);
    assert_eq!(out.stdout, crlf(&format!("{TASK}---\n{TASK_POD_INJECTED}")));
    assert_eq!(
        out.stdout.matches('\n').count(),
        out.stdout.matches("\r\n").count()
    );
}

/// Issue 11 §5: an empty input is a warning (an empty output makes Argo CD prune), and an error
/// with --fail-on-empty. (This test asserted a silent success before.)
#[test]
fn empty_input_warns_and_fail_on_empty_makes_it_an_error() {
    let fx = Fx::new();
    let config = fx.config("");
    for input in ["", "\n", "# only a comment\n", "---\n---\n"] {
        let out = run(&["-c", &config], Some(input));
        assert_ok(&out);
        assert!(common::docs(&out.stdout).is_empty(), "{}", out.stdout);
        assert!(
            out.stderr
                .starts_with("warning[empty-input]: the input holds no documents"),
            "{input:?}: {}",
            out.stderr
        );
        for front in [
            &["-c", &config][..],
            &["-c", &config, "-o", "json"],
            &["diff", "-c", &config],
        ] {
            let mut args = front.to_vec();
            args.push("--fail-on-empty");
            let out = run(&args, Some(input));
            assert_error(&out);
            assert!(
                out.stderr
                    .starts_with("error[empty-input]: the input holds no documents"),
                "{args:?} {input:?}: {}",
                out.stderr
            );
        }
    }
    // A stream with a document is not empty.
    let out = run(
        &["-c", &config, "--fail-on-empty"],
        Some("apiVersion: v1\nkind: ConfigMap\n"),
    );
    assert_ok(&out);
    assert_eq!(out.stderr, "");
}

fn task_pod_json() -> Value {
    serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "t1-pod", "namespace": "team-a", "labels": {"kubeopencode.io/task": "t1"}},
        "spec": {"containers": [{"name": "agent", "image": "agent", "env": [{"name": "HOME", "value": "/tmp"}]}]}
    })
}

#[test]
fn json_input_stays_json() {
    let fx = Fx::new();
    let config = fx.config("");
    for (name, text) in [
        ("compact.json", format!("{}\n", task_pod_json())),
        (
            "pretty.json",
            format!(
                "{}\n",
                serde_json::to_string_pretty(&task_pod_json()).unwrap()
            ),
        ),
    ] {
        let file = fx.file(name, &text);
        let out = run(&["-c", &config, "-f", &file, "--agent", "coder"], None);
        assert_ok(&out);
        let v: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{name}: output is not JSON ({e}):\n{}", out.stdout));
        let c = container(&v, "agent");
        assert_eq!(
            env_names(c),
            [
                "HOME",
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "OTEL_RESOURCE_ATTRIBUTES"
            ]
        );
        assert_eq!(
            env_value(c, "OTEL_RESOURCE_ATTRIBUTES"),
            Some(TASK_POD_ATTRS)
        );
        let mut without = v.clone();
        without["spec"]["containers"][0]["env"]
            .as_array_mut()
            .unwrap()
            .truncate(1);
        assert_eq!(without, task_pod_json(), "{name}: nothing else may change");
    }
}

#[test]
fn list_items_are_injected_inside_the_list() {
    let fx = Fx::new();
    let config = fx.config("");
    let list = "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: cm
  data:
    a: \"1\"
- apiVersion: v1
  kind: Pod
  metadata:
    name: t1-pod
    namespace: team-a
    labels:
      kubeopencode.io/task: t1
  spec:
    containers:
    - name: agent
      image: agent
";
    let out = run(&["-c", &config, "--agent", "coder"], Some(list));
    assert_ok(&out);
    assert_eq!(
        report(&out.stderr),
        ["pod/team-a/t1-pod: injected (1 container)"]
    );
    let got = docs(&out.stdout);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["kind"], "List");
    let items = got[0]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0],
        docs(list)[0]["items"][0],
        "the ConfigMap item is unchanged"
    );
    let c = container(&items[1], "agent");
    assert_eq!(
        env_names(c),
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_RESOURCE_ATTRIBUTES"]
    );
    assert_eq!(
        env_value(c, "OTEL_RESOURCE_ATTRIBUTES"),
        Some(TASK_POD_ATTRS)
    );
    assert!(
        out.stdout.starts_with(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n"
        )
    );
}

#[test]
fn several_files_come_out_in_argument_order() {
    let fx = Fx::new();
    let config = fx.config("");
    let b = fx.file(
        "b.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
    );
    let a = fx.file(
        "a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    );
    let out = run(&["-c", &config, "-f", &b, "-f", &a], None);
    assert_ok(&out);
    assert_eq!(
        out.stdout,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
    );
}

#[test]
fn file_without_final_newline_is_separated_from_the_next() {
    let fx = Fx::new();
    let config = fx.config("");
    let a = fx.file(
        "a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a",
    );
    let b = fx.file(
        "b.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
    );
    let out = run(&["-c", &config, "-f", &a, "-f", &b], None);
    assert_ok(&out);
    let names: Vec<_> = docs(&out.stdout)
        .iter()
        .map(|d| d["metadata"]["name"].clone())
        .collect();
    assert_eq!(names, ["a", "b"]);
}

fn cm(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n")
}

#[test]
fn directory_is_read_sorted_and_non_manifests_are_ignored() {
    let fx = Fx::new();
    let config = fx.config("");
    fx.file("d/b.yaml", &cm("b"));
    fx.file("d/a.yml", &cm("a"));
    fx.file(
        "d/c.json",
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}\n",
    );
    fx.file("d/sub/x.yaml", &cm("sub-x"));
    fx.file("d/README.md", "not: [yaml\n");
    fx.file("d/notes.txt", "junk: [\n");
    fx.file("d/kustomization.yaml.bak", "junk: [\n");
    let dir = s(&fx.path("d")).to_string();

    let names = |out: &Output| -> Vec<String> {
        docs(&out.stdout)
            .iter()
            .map(|d| d["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let flat_dir = run(&["-c", &config, "-f", &dir], None);
    assert_ok(&flat_dir);
    assert_eq!(names(&flat_dir), ["a", "b", "c"]);

    let recursive = run(&["-c", &config, "-f", &dir, "-R"], None);
    assert_ok(&recursive);
    assert_eq!(names(&recursive), ["a", "b", "c", "sub-x"]);
    // Stable: the same bytes on every run.
    let again = run(&["-c", &config, "-f", &dir, "-R"], None);
    assert_eq!(again.stdout, recursive.stdout);
}

#[test]
fn unknown_kinds_crds_and_secrets_pass_through_byte_identical() {
    let fx = Fx::new();
    let config = fx.config("");
    let file = fx.file("other.yaml", PASSTHROUGH);
    for extra in [&[][..], &["--all"][..]] {
        let mut args = vec!["-c", config.as_str(), "-f", file.as_str()];
        args.extend_from_slice(extra);
        let out = run(&args, None);
        assert_ok(&out);
        assert_eq!(out.stdout, PASSTHROUGH, "{extra:?}");
        assert_eq!(out.stderr, "", "nothing to report for non-workloads");
    }
    // Beside a workload that does change.
    let stream = format!("{TASK}---\n{TASK_POD}---\n{PASSTHROUGH}");
    let out = run(&["-c", &config], Some(&stream));
    assert_ok(&out);
    assert_eq!(
        out.stdout,
        format!("{TASK}---\n{TASK_POD_INJECTED}---\n{PASSTHROUGH}")
    );
}

// ---------------------------------------------------------------------------------------------
// -o json
// ---------------------------------------------------------------------------------------------

#[test]
fn json_output_of_one_document_is_that_object() {
    let fx = Fx::new();
    let config = fx.config("");
    let out = run(
        &["-c", &config, "-o", "json", "--agent", "coder"],
        Some(TASK_POD),
    );
    assert_ok(&out);
    let v: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v, docs(TASK_POD_INJECTED)[0]);
}

#[test]
fn json_output_of_several_documents_is_a_v1_list() {
    let fx = Fx::new();
    let config = fx.config("");
    // Empty documents do not become items.
    let stream = format!("---\n{TASK}---\n---\n{TASK_POD}");
    let out = run(&["-c", &config, "-o", "json"], Some(&stream));
    assert_ok(&out);
    let v: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["apiVersion"], "v1");
    assert_eq!(v["kind"], "List");
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0], docs(TASK)[0]);
    assert_eq!(items[1], docs(TASK_POD_INJECTED)[0]);
    assert_eq!(
        report(&out.stderr),
        ["pod/team-a/t1-pod: injected (2 containers)"]
    );
}

// ---------------------------------------------------------------------------------------------
// Selection
// ---------------------------------------------------------------------------------------------

const SELECTION_STREAM: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: by-label
  namespace: ns
  labels:
    kubeopencode.io/task: t1
spec:
  containers:
  - name: agent
    image: a
---
apiVersion: v1
kind: Pod
metadata:
  name: by-owner
  namespace: ns
  ownerReferences:
  - apiVersion: kubeopencode.io/v1alpha1
    kind: Task
    name: t2
    uid: u2
    controller: true
spec:
  containers:
  - name: agent
    image: a
---
apiVersion: v1
kind: Pod
metadata:
  name: owner-not-controller
  namespace: ns
  ownerReferences:
  - apiVersion: kubeopencode.io/v1alpha1
    kind: Task
    name: t3
    uid: u3
spec:
  containers:
  - name: agent
    image: a
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: by-selector
  namespace: ns
spec:
  selector:
    matchLabels:
      kubeopencode.io/agent: coder
  template:
    metadata:
      labels:
        kubeopencode.io/agent: coder
    spec:
      containers:
      - name: opencode-server
        image: s
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: by-metadata-label
  namespace: ns
  labels:
    kubeopencode.io/agent: coder
spec:
  selector:
    matchLabels:
      app: x
  template:
    metadata:
      labels:
        app: x
    spec:
      containers:
      - name: opencode-server
        image: s
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ns
  labels:
    app: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: w
";

#[test]
fn default_selection_is_kubeopencode_agent_workloads() {
    let fx = Fx::new();
    let config = fx.config("");
    let out = run(&["-c", &config, "--agent", "coder"], Some(SELECTION_STREAM));
    assert_ok(&out);
    let skip = "skipped: not a KubeOpenCode agent workload";
    let lines = report(&out.stderr);
    assert_eq!(lines.len(), 6, "{}", out.stderr);
    assert_eq!(lines[0], "pod/ns/by-label: injected (1 container)");
    assert_eq!(lines[1], "pod/ns/by-owner: injected (1 container)");
    assert!(
        lines[2].starts_with(&format!("pod/ns/owner-not-controller: {skip}")),
        "{}",
        lines[2]
    );
    assert_eq!(
        lines[3],
        "deployment/ns/by-selector: injected (1 container)"
    );
    assert_eq!(
        lines[4],
        "deployment/ns/by-metadata-label: injected (1 container)"
    );
    assert!(
        lines[5].starts_with(&format!("deployment/ns/web: {skip}")),
        "{}",
        lines[5]
    );

    let got = docs(&out.stdout);
    let injected: Vec<bool> = got
        .iter()
        .map(|d| has_otel(&pod_spec(d)["containers"][0]))
        .collect();
    assert_eq!(injected, [true, true, false, true, true, false]);
    // Skipped documents are byte-identical.
    assert!(
        out.stdout
            .ends_with(&SELECTION_STREAM[SELECTION_STREAM.rfind("---\n").unwrap()..])
    );
    // The owner's name is the task name.
    let attrs = env_value(&got[1]["spec"]["containers"][0], "OTEL_RESOURCE_ATTRIBUTES").unwrap();
    assert!(attrs.starts_with("kubeopencode.task.name=t2,"), "{attrs}");
}

#[test]
fn all_selects_every_pod_bearing_workload() {
    let fx = Fx::new();
    let config = fx.config("");
    let out = run(
        &["-c", &config, "--all", "--agent", "coder"],
        Some(SELECTION_STREAM),
    );
    assert_ok(&out);
    let lines = report(&out.stderr);
    assert!(
        lines.iter().all(|l| l.ends_with("injected (1 container)")),
        "{}",
        out.stderr
    );
    assert_eq!(lines.len(), 6);
    assert!(
        docs(&out.stdout)
            .iter()
            .all(|d| has_otel(&pod_spec(d)["containers"][0]))
    );
}

const LABELLED_PODS: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: ns
  labels:
    app: web
    tier: a
spec:
  containers:
  - name: c
    image: i
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: ns
  labels:
    app: db
    tier: b
    x: \"1\"
spec:
  containers:
  - name: c
    image: i
---
apiVersion: v1
kind: Pod
metadata:
  name: other
  namespace: ns
  labels:
    tier: c
spec:
  containers:
  - name: c
    image: i
";

#[test]
fn label_selectors_in_kubectl_syntax() {
    let fx = Fx::new();
    let config = fx.config("");
    let file = fx.file("pods.yaml", LABELLED_PODS);
    let cases: [(&str, [bool; 3]); 8] = [
        ("app=web", [true, false, false]),
        ("app==db", [false, true, false]),
        ("app!=web", [false, true, true]),
        ("tier in (a,b)", [true, true, false]),
        ("tier notin (a, b)", [false, false, true]),
        ("app", [true, true, false]),
        ("!x", [true, false, true]),
        ("app,tier=b", [false, true, false]),
    ];
    for (sel, want) in cases {
        let out = run(
            &["-c", &config, "-f", &file, "-l", sel, "--agent", "coder"],
            None,
        );
        assert_ok(&out);
        let got: Vec<bool> = docs(&out.stdout)
            .iter()
            .map(|d| has_otel(&d["spec"]["containers"][0]))
            .collect();
        assert_eq!(got, want, "selector {sel}");
        for (line, (name, selected)) in report(&out.stderr)
            .iter()
            .zip(["web", "db", "other"].iter().zip(want))
        {
            let expect = if selected {
                format!("pod/ns/{name}: injected (1 container)")
            } else {
                format!("pod/ns/{name}: skipped: labels do not match the selector `{sel}`")
            };
            assert_eq!(*line, expect, "selector {sel}");
        }
    }
}

#[test]
fn invalid_selector_is_exit_2() {
    let fx = Fx::new();
    let config = fx.config("");
    let file = fx.file("pods.yaml", LABELLED_PODS);
    for sel in ["app in (a", "=x", "a b", "tier in a,b"] {
        let out = run(&["-c", &config, "-f", &file, "-l", sel], None);
        assert_error(&out);
        assert!(
            out.stderr.contains(sel),
            "selector {sel:?} not named:\n{}",
            out.stderr
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Containers
// ---------------------------------------------------------------------------------------------

#[test]
fn agent_server_main_and_init_containers_get_the_block_sidecars_nothing() {
    let fx = Fx::new();
    let config = fx.config("");
    let out = run(&["-c", &config], Some(AGENT_DEPLOY));
    assert_ok(&out);
    assert_eq!(
        report(&out.stderr),
        ["deployment/team-a/coder-server: injected (3 containers)"]
    );
    let d = &docs(&out.stdout)[0];
    let input = &docs(AGENT_DEPLOY)[0];
    assert_eq!(
        container(d, "git-sync-0"),
        container(input, "git-sync-0"),
        "the sidecar is untouched"
    );
    let block = [
        "OTEL_POD_NAME",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_RESOURCE_ATTRIBUTES",
    ];
    assert_eq!(
        env_names(container(d, "opencode-server")),
        [&["HOME"][..], &block].concat()
    );
    assert_eq!(env_names(container(d, "opencode-init")), block);
    assert_eq!(
        env_names(container(d, "git-init-0")),
        [&["GIT_REPO"][..], &block].concat()
    );
    let attrs = env_value(container(d, "opencode-server"), "OTEL_RESOURCE_ATTRIBUTES");
    assert_eq!(
        attrs,
        Some(
            "kubeopencode.task.namespace=team-a,kubeopencode.agent.name=coder,k8s.namespace.name=team-a,k8s.pod.name=$(OTEL_POD_NAME)"
        )
    );
}

#[test]
fn other_workloads_use_the_default_container_annotation_else_the_first() {
    let fx = Fx::new();
    let config = fx.config("");
    let annotated = PLAIN_DEPLOY.replace(
        "      labels:\n        app: web\n    spec:",
        "      labels:\n        app: web\n      annotations:\n        kubectl.kubernetes.io/default-container: main\n    spec:",
    );
    assert_ne!(annotated, PLAIN_DEPLOY);
    let missing = annotated.replace("default-container: main", "default-container: gone");
    for (text, main, other) in [
        (PLAIN_DEPLOY.to_string(), "proxy", "main"),
        (annotated, "main", "proxy"),
        (missing, "proxy", "main"),
    ] {
        let out = run(&["-c", &config, "--all"], Some(&text));
        assert_ok(&out);
        assert_eq!(
            report(&out.stderr),
            ["deployment/shop/web: injected (2 containers)"]
        );
        let d = &docs(&out.stdout)[0];
        assert!(has_otel(container(d, main)), "{main} should be injected");
        assert!(has_otel(container(d, "migrate")), "init containers always");
        assert_eq!(
            container(d, other),
            container(&docs(&text)[0], other),
            "{other} untouched"
        );
    }
}

#[test]
fn container_flag_selects_exactly_those_containers() {
    let fx = Fx::new();
    let config = fx.config("");
    let input = &docs(PLAIN_DEPLOY)[0];
    for names in [&["main"][..], &["migrate"][..], &["proxy", "main"][..]] {
        let mut args = vec!["-c", config.as_str(), "--all"];
        for n in names {
            args.extend(["--container", n]);
        }
        let out = run(&args, Some(PLAIN_DEPLOY));
        assert_ok(&out);
        let d = &docs(&out.stdout)[0];
        for c in ["migrate", "proxy", "main"] {
            if names.contains(&c) {
                assert!(
                    has_otel(container(d, c)),
                    "{names:?}: {c} should be injected"
                );
            } else {
                assert_eq!(
                    container(d, c),
                    container(input, c),
                    "{names:?}: {c} must be untouched"
                );
            }
        }
        let n = names.len();
        let noun = if n == 1 { "container" } else { "containers" };
        assert_eq!(
            report(&out.stderr),
            [format!("deployment/shop/web: injected ({n} {noun})")]
        );
    }
    // Also on a KubeOpenCode workload: the sidecar only, no init containers.
    let out = run(
        &["-c", &config, "--container", "git-sync-0"],
        Some(AGENT_DEPLOY),
    );
    assert_ok(&out);
    let d = &docs(&out.stdout)[0];
    assert!(has_otel(container(d, "git-sync-0")));
    assert!(!has_otel(container(d, "opencode-server")));
    assert!(!has_otel(container(d, "opencode-init")));
}

#[test]
fn container_flag_naming_a_missing_container_is_exit_2() {
    let fx = Fx::new();
    let config = fx.config("");
    let out = run(
        &["-c", &config, "--all", "--container", "missing"],
        Some(PLAIN_DEPLOY),
    );
    assert_error(&out);
    let f = flat(&out.stderr);
    assert!(f.contains("`missing`"), "{}", out.stderr);
    assert!(f.contains("deployment/shop/web"), "{}", out.stderr);
    assert!(
        f.contains("proxy") && f.contains("main"),
        "the existing containers help:\n{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Kinds with pod templates
// ---------------------------------------------------------------------------------------------

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

#[test]
fn every_pod_template_kind_gets_the_pod_name_from_the_downward_api() {
    let fx = Fx::new();
    let config = fx.config("");
    let template = "metadata:\n  labels:\n    kubeopencode.io/agent: coder\nspec:\n  containers:\n  - name: main\n    image: x\n";
    let kinds = [
        (
            "apps/v1",
            "StatefulSet",
            format!("spec:\n  template:\n{}", indent(template, 4)),
        ),
        (
            "apps/v1",
            "DaemonSet",
            format!("spec:\n  template:\n{}", indent(template, 4)),
        ),
        (
            "apps/v1",
            "ReplicaSet",
            format!("spec:\n  template:\n{}", indent(template, 4)),
        ),
        (
            "v1",
            "ReplicationController",
            format!("spec:\n  template:\n{}", indent(template, 4)),
        ),
        (
            "batch/v1",
            "Job",
            format!("spec:\n  template:\n{}", indent(template, 4)),
        ),
        (
            "batch/v1",
            "CronJob",
            format!(
                "spec:\n  schedule: \"0 0 * * *\"\n  jobTemplate:\n    spec:\n      template:\n{}",
                indent(template, 8)
            ),
        ),
    ];
    for (api, kind, spec) in kinds {
        let text = format!(
            "apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: w\n  namespace: ns\n{spec}"
        );
        let out = run(&["-c", &config], Some(&text));
        assert_ok(&out);
        assert_eq!(
            report(&out.stderr),
            [format!(
                "{}/ns/w: injected (1 container)",
                kind.to_lowercase()
            )]
        );
        let d = &docs(&out.stdout)[0];
        let c = container(d, "main");
        let names = env_names(c);
        assert_eq!(names[0], "OTEL_POD_NAME", "{kind}: {names:?}");
        assert!(
            is_field_ref(&c["env"][0], "metadata.name"),
            "{kind}: {}",
            c["env"][0]
        );
        let attrs = env_value(c, "OTEL_RESOURCE_ATTRIBUTES").unwrap();
        assert!(
            attrs.ends_with(",k8s.pod.name=$(OTEL_POD_NAME)"),
            "{kind}: {attrs}"
        );
        assert!(
            attrs.contains("kubeopencode.agent.name=coder"),
            "{kind}: {attrs}"
        );
        let mut input = docs(&text)[0].clone();
        let mut got = d.clone();
        // Only the container's env changed.
        pod_spec_mut(&mut got)["containers"][0]
            .as_object_mut()
            .unwrap()
            .remove("env");
        pod_spec_mut(&mut input)["containers"][0]
            .as_object_mut()
            .unwrap()
            .remove("env");
        assert_eq!(got, input, "{kind}");
    }
}

fn pod_spec_mut(obj: &mut Value) -> &mut Value {
    match obj["kind"].as_str() {
        Some("CronJob") => &mut obj["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        _ => &mut obj["spec"]["template"]["spec"],
    }
}

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

const NO_NAMESPACE_POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: t1-pod
  labels:
    kubeopencode.io/task: t1
spec:
  containers:
  - name: agent
    image: agent
";

#[test]
fn namespace_from_metadata_wins_over_the_flag() {
    let fx = Fx::new();
    let config = fx.config("");
    let out = run(
        &["-c", &config, "-n", "other", "--agent", "coder"],
        Some(TASK_POD),
    );
    assert_ok(&out);
    assert_eq!(out.stdout, TASK_POD_INJECTED);
}

#[test]
fn namespace_from_the_flag_is_written_literally() {
    let fx = Fx::new();
    let config = fx.config("");
    let out = run(
        &["-c", &config, "-n", "team-b", "--agent", "coder"],
        Some(NO_NAMESPACE_POD),
    );
    assert_ok(&out);
    let d = &docs(&out.stdout)[0];
    assert!(
        d["metadata"].get("namespace").is_none(),
        "the object itself is not changed"
    );
    let c = container(d, "agent");
    assert_eq!(
        env_names(c),
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_RESOURCE_ATTRIBUTES"]
    );
    assert_eq!(
        env_value(c, "OTEL_RESOURCE_ATTRIBUTES"),
        Some(
            "kubeopencode.task.name=t1,kubeopencode.task.namespace=team-b,kubeopencode.agent.name=coder,k8s.namespace.name=team-b,k8s.pod.name=t1-pod"
        )
    );
    assert!(!out.stderr.contains("OTEL_POD_NAMESPACE"), "{}", out.stderr);
}

#[test]
fn unknown_namespace_is_read_through_the_downward_api_and_reported() {
    let fx = Fx::new();
    let config = fx.config("");
    let out = run(&["-c", &config, "--agent", "coder"], Some(NO_NAMESPACE_POD));
    assert_ok(&out);
    let out_docs = docs(&out.stdout);
    let c = container(&out_docs[0], "agent");
    let names = env_names(c);
    assert_eq!(
        names,
        [
            "OTEL_POD_NAMESPACE",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_RESOURCE_ATTRIBUTES"
        ]
    );
    assert!(
        is_field_ref(&c["env"][0], "metadata.namespace"),
        "{}",
        c["env"][0]
    );
    assert!(index_of(&names, "OTEL_POD_NAMESPACE") < index_of(&names, "OTEL_RESOURCE_ATTRIBUTES"));
    assert_eq!(
        env_value(c, "OTEL_RESOURCE_ATTRIBUTES"),
        Some(
            "kubeopencode.task.name=t1,kubeopencode.task.namespace=$(OTEL_POD_NAMESPACE),kubeopencode.agent.name=coder,k8s.namespace.name=$(OTEL_POD_NAMESPACE),k8s.pod.name=t1-pod"
        )
    );
    let note = out
        .stderr
        .lines()
        .find(|l| l.starts_with("info["))
        .unwrap_or_else(|| panic!("no info note:\n{}", out.stderr));
    assert!(
        note.contains("pod/t1-pod") && note.contains("OTEL_POD_NAMESPACE"),
        "{note}"
    );
    assert_eq!(report(&out.stderr), ["pod/t1-pod: injected (1 container)"]);
}

#[test]
fn both_downward_helpers_come_before_their_use_in_a_template() {
    let fx = Fx::new();
    let config = fx.config("");
    let text = AGENT_DEPLOY.replace("  namespace: team-a\n", "");
    let out = run(&["-c", &config], Some(&text));
    assert_ok(&out);
    let out_docs = docs(&out.stdout);
    let c = container(&out_docs[0], "opencode-server");
    let names = env_names(c);
    assert_eq!(
        names,
        [
            "HOME",
            "OTEL_POD_NAME",
            "OTEL_POD_NAMESPACE",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_RESOURCE_ATTRIBUTES"
        ]
    );
    assert!(is_field_ref(&c["env"][1], "metadata.name"));
    assert!(is_field_ref(&c["env"][2], "metadata.namespace"));
}

#[test]
fn pod_with_only_generate_name_gets_its_name_from_the_downward_api() {
    let fx = Fx::new();
    let config = fx.config("");
    let text = TASK_POD.replace("  name: t1-pod\n", "  generateName: t1-\n");
    let out = run(&["-c", &config, "--agent", "coder"], Some(&text));
    assert_ok(&out);
    assert_eq!(
        report(&out.stderr),
        ["pod/team-a/t1-*: injected (2 containers)"]
    );
    let d = &docs(&out.stdout)[0];
    for name in ["agent", "opencode-init"] {
        let c = container(d, name);
        let names = env_names(c);
        let i = index_of(&names, "OTEL_POD_NAME");
        assert!(is_field_ref(&c["env"][i], "metadata.name"));
        assert!(i < index_of(&names, "OTEL_RESOURCE_ATTRIBUTES"));
        let attrs = env_value(c, "OTEL_RESOURCE_ATTRIBUTES").unwrap();
        assert!(attrs.ends_with(",k8s.pod.name=$(OTEL_POD_NAME)"), "{attrs}");
    }
}

fn agent_attr(stdout: &str) -> String {
    let d = docs(stdout)
        .into_iter()
        .find(|d| d["kind"] == "Pod")
        .unwrap();
    let attrs = env_value(container(&d, "agent"), "OTEL_RESOURCE_ATTRIBUTES")
        .unwrap()
        .to_string();
    attrs
        .split(',')
        .find_map(|kv| kv.strip_prefix("kubeopencode.agent.name="))
        .unwrap_or_else(|| panic!("no agent attribute in {attrs}"))
        .to_string()
}

#[test]
fn agent_name_comes_from_the_task_status_before_spec_agent_before_template() {
    let fx = Fx::new();
    let config = fx.config("");
    let task = |refs: &str| {
        format!(
            "apiVersion: kubeopencode.io/v1alpha1\nkind: Task\nmetadata:\n  name: t1\n  namespace: team-a\n{refs}"
        )
    };
    let cases = [
        (
            task("spec:\n  templateRef:\n    name: tmpl\n  agentRef:\n    name: spec-agent\n"),
            "spec-agent",
        ),
        (task("spec:\n  templateRef:\n    name: tmpl\n"), "tmpl"),
        (
            task(
                "spec:\n  agentRef:\n    name: spec-agent\nstatus:\n  templateRef:\n    name: status-tmpl\n",
            ),
            "status-tmpl",
        ),
        (
            task(
                "spec:\n  agentRef:\n    name: spec-agent\nstatus:\n  templateRef:\n    name: status-tmpl\n  agentRef:\n    name: status-agent\n",
            ),
            "status-agent",
        ),
        // The first ref present wins, even with an empty name.
        (
            task(
                "spec:\n  agentRef:\n    name: spec-agent\nstatus:\n  agentRef:\n    name: \"\"\n",
            ),
            "",
        ),
    ];
    let pod = TASK_POD.replace(
        "    kubeopencode.io/task: t1\n",
        "    kubeopencode.io/task: t1\n    kubeopencode.io/agent: label-agent\n",
    );
    for (t, want) in cases {
        // The Task beats the label and --agent, and may come after the Pod.
        for stream in [format!("{t}---\n{pod}"), format!("{pod}---\n{t}")] {
            let out = run(&["-c", &config, "--agent", "flag-agent"], Some(&stream));
            assert_ok(&out);
            assert_eq!(agent_attr(&out.stdout), want, "{stream}");
        }
    }
    // A Task in another namespace is not this Pod's Task.
    let elsewhere = task("spec:\n  agentRef:\n    name: spec-agent\n")
        .replace("namespace: team-a", "namespace: team-z");
    let out = run(&["-c", &config], Some(&format!("{elsewhere}---\n{pod}")));
    assert_ok(&out);
    assert_eq!(agent_attr(&out.stdout), "label-agent");
}

#[test]
fn agent_name_from_label_then_flag_then_empty_with_a_warning() {
    let fx = Fx::new();
    let config = fx.config("");
    let labelled = TASK_POD.replace(
        "    kubeopencode.io/task: t1\n",
        "    kubeopencode.io/task: t1\n    kubeopencode.io/agent: label-agent\n",
    );
    let out = run(&["-c", &config, "--agent", "flag-agent"], Some(&labelled));
    assert_ok(&out);
    assert_eq!(agent_attr(&out.stdout), "label-agent");

    let out = run(&["-c", &config, "--agent", "flag-agent"], Some(TASK_POD));
    assert_ok(&out);
    assert_eq!(agent_attr(&out.stdout), "flag-agent");
    assert!(!out.stderr.contains("warning["), "{}", out.stderr);

    let out = run(&["-c", &config], Some(TASK_POD));
    assert_ok(&out);
    assert_eq!(agent_attr(&out.stdout), "");
    let warning = out
        .stderr
        .lines()
        .find(|l| l.starts_with("warning["))
        .unwrap_or_else(|| panic!("no warning:\n{}", out.stderr));
    assert!(warning.contains("pod/team-a/t1-pod"), "{warning}");
    assert!(
        out.stderr.contains("--agent"),
        "the fix must mention --agent:\n{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Quoting: YAML that Kubernetes (YAML 1.1) reads back the same
// ---------------------------------------------------------------------------------------------

#[test]
fn record_content_value_is_written_quoted() {
    let fx = Fx::new();
    let config = fx.config("      recordContent: true\n");
    let out = run(&["-c", &config, "--agent", "coder"], Some(TASK_POD));
    assert_ok(&out);
    let needle =
        "    - name: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT\n      value: \"true\"\n";
    assert!(out.stdout.ends_with(needle), "raw text:\n{}", out.stdout);
    assert!(out.stdout.contains(&format!("    image: init\n    env:\n    - name: OTEL_EXPORTER_OTLP_ENDPOINT\n      value: {ENDPOINT}\n    - name: OTEL_RESOURCE_ATTRIBUTES\n      value: {TASK_POD_ATTRS}\n    - name: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT\n      value: \"true\"\n")));
    assert_no_ambiguous_plain_scalar(&out.stdout, &[]);
    let out_docs = docs(&out.stdout);
    let c = container(&out_docs[0], "agent");
    assert_eq!(
        env_entry(c, "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT").unwrap()["value"],
        Value::String("true".into())
    );
}

#[test]
fn copied_secret_refs_and_header_values_stay_strings() {
    let fx = Fx::new();
    let config = fx.config(
        "      headers:\n        x-a:\n          valueFrom:\n            secretKeyRef:\n              name: \"on\"\n              key: \"0777\"\n        x-b:\n          valueFrom:\n            secretKeyRef:\n              name: \"null\"\n              key: \"1_000\"\n              optional: true\n",
    );
    let out = run(&["-c", &config, "--agent", "coder"], Some(TASK_POD));
    assert_ok(&out);
    assert_no_ambiguous_plain_scalar(&out.stdout, &["optional"]);
    let out_docs = docs(&out.stdout);
    let c = container(&out_docs[0], "agent");
    let a = env_entry(c, "OTEL_HEADER_X_A").unwrap();
    assert_eq!(
        a["valueFrom"]["secretKeyRef"],
        serde_json::json!({"key": "0777", "name": "on"})
    );
    let b = env_entry(c, "OTEL_HEADER_X_B").unwrap();
    assert_eq!(
        b["valueFrom"]["secretKeyRef"],
        serde_json::json!({"key": "1_000", "name": "null", "optional": true})
    );
    assert_eq!(
        env_value(c, "OTEL_EXPORTER_OTLP_HEADERS"),
        Some("x-a=$(OTEL_HEADER_X_A),x-b=$(OTEL_HEADER_X_B)")
    );
}

#[test]
fn normalize_keeps_yaml_1_1_lookalike_strings_quoted() {
    let fx = Fx::new();
    let config = fx.config("");
    let tricky = [
        "on",
        "off",
        "Off",
        "yes",
        "No",
        "y",
        "Y",
        "0777",
        "1_000",
        "~",
        "null",
        "",
        "1e3",
        "0x1F",
        "0b101",
        "+12",
        "-.5",
        ".inf",
        ".NaN",
        "190:20:30",
        "2001-12-14",
        "<<",
        "=",
    ];
    // Single-quoted in the input, so a copy of the input bytes would not pass.
    let mut text = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: ns\ndata:\n",
    );
    let mut env = String::new();
    for (i, v) in tricky.iter().enumerate() {
        text.push_str(&format!("  k{i}: '{v}'\n"));
        env.push_str(&format!("    - name: V{i}\n      value: '{v}'\n"));
    }
    text.push_str(&format!("---\n{TASK_POD}{env}"));
    let out = run(
        &["-c", &config, "--normalize", "--agent", "coder"],
        Some(&text),
    );
    assert_ok(&out);
    assert_no_ambiguous_plain_scalar(&out.stdout, &[]);
    let got = docs(&out.stdout);
    let c = container(&got[1], "agent");
    for (i, v) in tricky.iter().enumerate() {
        assert_eq!(
            got[0]["data"][format!("k{i}")],
            Value::String(v.to_string()),
            "data k{i}"
        );
        assert_eq!(env_value(c, &format!("V{i}")), Some(*v), "env V{i}");
    }
    assert!(has_otel(c));
}

// ---------------------------------------------------------------------------------------------
// Idempotency, updates, removal
// ---------------------------------------------------------------------------------------------

fn rich_config() -> String {
    config_text(
        "      enableLLMTraces: true\n      recordContent: true\n      headers:\n        x-team:\n          value: a\n        x-key:\n          valueFrom:\n            secretKeyRef:\n              name: otel\n              key: token\n      resourceAttributes:\n        env: prod\n",
    )
}

/// A stream with several kinds of workloads, comments and a List.
fn rich_stream() -> String {
    let llm_pod = TASK_POD.replace(
        "    - name: HOME\n      value: /tmp\n",
        "    - name: HOME  # home\n      value: /tmp\n    - name: OPENCODE_CONFIG_CONTENT\n      value: '{\"instructions\":[\".kubeopencode/context.md\"]}'\n",
    );
    format!(
        "# stream\n{TASK}---\n{llm_pod}---\n{AGENT_DEPLOY}---\n{PLAIN_DEPLOY}---\n{PASSTHROUGH}"
    )
}

#[test]
fn running_on_its_own_output_changes_nothing() {
    let fx = Fx::new();
    let config = fx.file("config.yaml", &rich_config());
    let input = rich_stream();
    let once = run(&["-c", &config, "--all"], Some(&input));
    assert_ok(&once);
    assert_ne!(once.stdout, input);
    let twice = run(&["-c", &config, "--all"], Some(&once.stdout));
    assert_ok(&twice);
    assert_eq!(twice.stdout, once.stdout);
    assert_eq!(
        report(&twice.stderr),
        [
            "pod/team-a/t1-pod: unchanged",
            "deployment/team-a/coder-server: unchanged",
            "deployment/shop/web: unchanged",
        ]
    );
    // JSON too.
    let fx2 = Fx::new();
    let json = fx2.file("pod.json", &format!("{}\n", task_pod_json()));
    let once = run(&["-c", &config, "-f", &json], None);
    assert_ok(&once);
    let twice = run(&["-c", &config], Some(&once.stdout));
    assert_ok(&twice);
    assert_eq!(twice.stdout, once.stdout);
}

#[test]
fn merged_config_content_is_compact_sorted_and_go_escaped() {
    let fx = Fx::new();
    let config = fx.file("config.yaml", &rich_config());
    let out = run(&["-c", &config], Some(&rich_stream()));
    assert_ok(&out);
    let got = docs(&out.stdout);
    let agent = container(&got[1], "agent");
    assert_eq!(
        env_value(agent, "OPENCODE_CONFIG_CONTENT"),
        Some(
            r#"{"experimental":{"openTelemetry":true},"instructions":[".kubeopencode/context.md"]}"#
        )
    );
    // An init container never gets OPENCODE_CONFIG_CONTENT.
    assert!(
        env_entry(
            container(&got[1], "opencode-init"),
            "OPENCODE_CONFIG_CONTENT"
        )
        .is_none()
    );
    // The server had none: a new entry right after the block.
    let server = container(&got[2], "opencode-server");
    assert_eq!(env_names(server).last().unwrap(), "OPENCODE_CONFIG_CONTENT");
    assert_eq!(
        env_value(server, "OPENCODE_CONFIG_CONTENT"),
        Some(r#"{"experimental":{"openTelemetry":true}}"#)
    );

    let text = TASK_POD.replace(
        "      value: /tmp\n",
        "      value: /tmp\n    - name: OPENCODE_CONFIG_CONTENT\n      value: '{\"b\": \"<a&b>\", \"a\": 1.0}'\n",
    );
    let out = run(&["-c", &config, "--agent", "coder"], Some(&text));
    assert_ok(&out);
    let out_docs = docs(&out.stdout);
    let c = container(&out_docs[0], "agent");
    assert_eq!(
        env_value(c, "OPENCODE_CONFIG_CONTENT"),
        Some(r#"{"a":1,"b":"\u003ca\u0026b\u003e","experimental":{"openTelemetry":true}}"#)
    );
    assert_eq!(
        index_of(&env_names(c), "OPENCODE_CONFIG_CONTENT"),
        1,
        "merged in place"
    );
}

#[test]
fn a_changed_endpoint_updates_only_the_endpoint_lines() {
    let fx = Fx::new();
    let config = fx.file("config.yaml", &rich_config());
    let once = run(&["-c", &config, "--all"], Some(&rich_stream()));
    assert_ok(&once);
    let new_endpoint = "https://collector.example.com:4317/v1";
    let changed = fx.file(
        "changed.yaml",
        &rich_config().replace(ENDPOINT, new_endpoint),
    );
    let again = run(&["-c", &changed, "--all"], Some(&once.stdout));
    assert_ok(&again);
    assert_eq!(
        report(&again.stderr),
        [
            "pod/team-a/t1-pod: updated (2 containers)",
            "deployment/team-a/coder-server: updated (3 containers)",
            "deployment/shop/web: updated (2 containers)",
        ]
    );
    let before: Vec<&str> = once.stdout.lines().collect();
    let after: Vec<&str> = again.stdout.lines().collect();
    assert_eq!(before.len(), after.len(), "the block is updated in place");
    let mut changed_lines = 0;
    for (b, a) in before.iter().zip(&after) {
        if b != a {
            assert_eq!(
                b.replace(ENDPOINT, new_endpoint),
                *a,
                "only the endpoint may change"
            );
            assert!(b.trim_start().starts_with("value: "), "{b}");
            changed_lines += 1;
        }
    }
    assert_eq!(changed_lines, 7, "2 + 3 + 2 containers");
}

#[test]
fn a_changed_header_set_grows_the_block_in_place() {
    let fx = Fx::new();
    let with_user = TASK_POD_INJECTED.to_string() + "    - name: AFTER\n      value: x\n";
    let more = fx.file(
        "more.yaml",
        &config_text("      headers:\n        x-team:\n          value: a\n"),
    );
    let out = run(&["-c", &more, "--agent", "coder"], Some(&with_user));
    assert_ok(&out);
    let out_docs = docs(&out.stdout);
    let c = container(&out_docs[0], "agent");
    assert_eq!(
        env_names(c),
        [
            "HOME",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_HEADERS",
            "OTEL_RESOURCE_ATTRIBUTES",
            "AFTER"
        ]
    );
    assert_eq!(
        report(&out.stderr),
        ["pod/team-a/t1-pod: updated (2 containers)"]
    );
}

#[test]
fn disabling_removes_everything_and_gives_back_the_original_bytes() {
    let fx = Fx::new();
    let config = fx.file("config.yaml", &rich_config());
    let off = fx.file("off.yaml", &disabled(&rich_config()));
    let input = rich_stream();
    let once = run(&["-c", &config, "--all"], Some(&input));
    assert_ok(&once);
    let removed = run(&["-c", &off, "--all"], Some(&once.stdout));
    assert_ok(&removed);
    assert_eq!(removed.stdout, input);
    assert_eq!(
        report(&removed.stderr),
        [
            "pod/team-a/t1-pod: removed (2 containers)",
            "deployment/team-a/coder-server: removed (3 containers)",
            "deployment/shop/web: removed (2 containers)",
        ]
    );
    // CRLF too.
    let crlf = input.replace('\n', "\r\n");
    let once = run(&["-c", &config, "--all"], Some(&crlf));
    assert_ok(&once);
    let removed = run(&["-c", &off, "--all"], Some(&once.stdout));
    assert_ok(&removed);
    assert_eq!(removed.stdout, crlf);
    // Disabled on input that never had a block: nothing changes.
    let untouched = run(&["-c", &off, "--all"], Some(&input));
    assert_ok(&untouched);
    assert_eq!(untouched.stdout, input);
}

#[test]
fn disabling_gives_back_the_original_json_bytes() {
    let fx = Fx::new();
    let config = fx.config("");
    let off = fx.file("off.yaml", &disabled(&config_text("")));
    let mut pod = task_pod_json();
    pod["spec"]["containers"][0]
        .as_object_mut()
        .unwrap()
        .remove("env");
    for text in [
        format!("{pod}\n"),
        format!("{}\n", serde_json::to_string_pretty(&pod).unwrap()),
    ] {
        let file = fx.file("pod.json", &text);
        let once = run(&["-c", &config, "-f", &file], None);
        assert_ok(&once);
        assert_ne!(once.stdout, text);
        let removed = run(&["-c", &off], Some(&once.stdout));
        assert_ok(&removed);
        assert_eq!(removed.stdout, text);
    }
}

#[test]
fn disabling_gives_back_a_file_without_final_newline() {
    let fx = Fx::new();
    let config = fx.config("");
    let off = fx.file("off.yaml", &disabled(&config_text("")));
    let text = NO_NAMESPACE_POD
        .trim_end()
        .replace("labels:", "namespace: ns\n  labels:");
    let once = run(&["-c", &config, "--agent", "coder"], Some(&text));
    assert_ok(&once);
    assert!(
        !once.stdout.ends_with('\n'),
        "the injected output keeps the missing newline"
    );
    let removed = run(&["-c", &off], Some(&once.stdout));
    assert_ok(&removed);
    assert_eq!(removed.stdout, text);
}

// ---------------------------------------------------------------------------------------------
// Warnings, report, -q
// ---------------------------------------------------------------------------------------------

#[test]
fn a_user_otel_setting_is_kept_and_the_warning_names_the_winner() {
    let fx = Fx::new();
    let config = fx.config("");
    let before = TASK_POD.replace(
        "      value: /tmp\n",
        "      value: /tmp\n    - name: OTEL_EXPORTER_OTLP_ENDPOINT\n      value: http://mine:4318\n",
    );
    let out = run(&["-c", &config, "--agent", "coder"], Some(&before));
    assert_ok(&out);
    let out_docs = docs(&out.stdout);
    let c = container(&out_docs[0], "agent");
    assert_eq!(
        env_names(c),
        [
            "HOME",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_RESOURCE_ATTRIBUTES"
        ]
    );
    assert_eq!(c["env"][1]["value"], "http://mine:4318");
    let warnings: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning["))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", out.stderr);
    let w = warnings[0];
    assert!(
        w.contains("pod/team-a/t1-pod") && w.contains("`agent`"),
        "{w}"
    );
    assert!(w.contains("OTEL_EXPORTER_OTLP_ENDPOINT"), "{w}");
    assert!(w.contains("the injected value wins"), "{w}");

    // After the block (as the Agent's extraEnv puts it): the user's value wins.
    let after = TASK_POD_INJECTED.to_string()
        + "    - name: OTEL_RESOURCE_ATTRIBUTES\n      value: mine=1\n";
    let out = run(&["-c", &config, "--agent", "coder"], Some(&after));
    assert_ok(&out);
    assert_eq!(out.stdout, after, "already injected: unchanged");
    let w = out
        .stderr
        .lines()
        .find(|l| l.starts_with("warning["))
        .expect("a warning");
    assert!(
        w.contains("OTEL_RESOURCE_ATTRIBUTES") && w.contains("its own value wins"),
        "{w}"
    );
}

#[test]
fn quiet_silences_the_report_and_warnings() {
    let fx = Fx::new();
    let config = fx.config("");
    let input = format!("{SELECTION_STREAM}---\n{NO_NAMESPACE_POD}");
    let loud = run(&["-c", &config], Some(&input));
    assert_ok(&loud);
    assert!(
        loud.stderr.contains("warning[")
            && loud.stderr.contains("info[")
            && loud.stderr.contains("skipped")
    );
    let quiet = run(&["-c", &config, "-q"], Some(&input));
    assert_ok(&quiet);
    assert_eq!(quiet.stderr, "");
    assert_eq!(quiet.stdout, loud.stdout);
}

/// A Task Pod, then three documents with a syntax error each: a Deployment (after its kind), a
/// ConfigMap (found by the first pass), a Pod (no bracket on the broken line).
fn three_syntax_errors() -> String {
    format!(
        "{TASK_POD}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{a: b\n---\n\
         apiVersion: v1\nkind: ConfigMap\ndata: [\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  x: y: z\n"
    )
}

/// The `(document N)` of each error line, in order.
fn error_documents(out: &Output) -> Vec<&str> {
    out.stderr
        .lines()
        .filter_map(|l| l.split("(document ").nth(1))
        .collect()
}

/// One run reports every syntax error, in document order: those the first pass finds (a
/// ConfigMap) and those of workloads it reads only the kind of (after the kind, with or without a
/// bracket on the line), in the same file and in another one.
#[test]
fn every_syntax_error_is_reported_in_one_run() {
    let fx = Fx::new();
    let config = fx.config("");
    let bad = fx.file("bad.yaml", &three_syntax_errors());
    let other = fx.file(
        "other.yaml",
        "apiVersion: v1\nkind: Pod\nspec:\n  a: b: c\n",
    );
    for cmd in [&["-c", &config][..], &["diff", "-c", &config][..]] {
        let mut args = cmd.to_vec();
        args.extend(["-f", &bad, "-f", &other]);
        let out = run(&args, None);
        assert_error(&out);
        assert_eq!(
            error_documents(&out),
            ["2)", "3)", "4)", "1)"],
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("4 errors"), "{}", out.stderr);
        let at_other = out.stderr.find("other.yaml").unwrap_or(0);
        assert!(
            at_other > out.stderr.find("bad.yaml").unwrap_or(usize::MAX),
            "{}",
            out.stderr
        );
    }
}

/// The same from stdin, in one window (kept, and not copied for a second reading: the failure
/// path reads the kept window) and in many (read back from the copy).
#[test]
fn every_syntax_error_is_reported_in_one_run_from_stdin() {
    let fx = Fx::new();
    let config = fx.config("");
    let input = three_syntax_errors();
    for window in ["1048576", "64"] {
        for cmd in [&["-c", &config][..], &["diff", "-c", &config][..]] {
            let out = common::run_env(
                cmd,
                Some(&input),
                &[("KUBEOPENCODE_INJECT_WINDOW_BYTES", window)],
            );
            assert_error(&out);
            assert_eq!(
                error_documents(&out),
                ["2)", "3)", "4)"],
                "window {window}: {}",
                out.stderr
            );
            assert!(out.stderr.contains("3 errors"), "{}", out.stderr);
        }
    }
}

/// A failing run with `-q` prints its errors and nothing else: the warnings of the documents
/// that did go through are not printed either (`-q` promises no warnings).
#[test]
fn quiet_prints_the_errors_of_a_failing_run_and_no_warning() {
    let fx = Fx::new();
    let config = fx.config("");
    let input = format!(
        "{SELECTION_STREAM}---\n{NO_NAMESPACE_POD}---\napiVersion: v1\nkind: Pod\nspec: [\n"
    );
    let loud = run(&["-c", &config], Some(&input));
    assert_error(&loud);
    assert!(loud.stderr.contains("warning["), "{}", loud.stderr);
    let quiet = run(&["-c", &config, "-q"], Some(&input));
    assert_error(&quiet);
    assert!(quiet.stderr.contains("error["), "{}", quiet.stderr);
    assert!(!quiet.stderr.contains("warning["), "{}", quiet.stderr);
    assert!(!quiet.stderr.contains("info["), "{}", quiet.stderr);
}

#[test]
fn stdout_carries_only_manifests() {
    let fx = Fx::new();
    let config = fx.config("");
    let input = format!("{SELECTION_STREAM}---\n{NO_NAMESPACE_POD}---\n{PASSTHROUGH}");
    for format in ["yaml", "json"] {
        let out = run(&["-c", &config, "-o", format], Some(&input));
        assert_ok(&out);
        for marker in [
            "injected (",
            "skipped:",
            "warning[",
            "info[",
            "help:",
            "unchanged",
        ] {
            assert!(
                !out.stdout.contains(marker),
                "{format}: stdout contains {marker:?}"
            );
        }
        assert!(out.stderr.contains("injected (") && out.stderr.contains("skipped:"));
    }
}

// ---------------------------------------------------------------------------------------------
// Workloads the tool refuses (exit 2, resource, container, fix)
// ---------------------------------------------------------------------------------------------

fn refused(config_extra: &str, env_text: &str) -> (Output, String) {
    let fx = Fx::new();
    let config = fx.config(config_extra);
    let text = TASK_POD.replace("    - name: HOME\n      value: /tmp\n", env_text);
    assert_ne!(text, TASK_POD);
    let file = fx.file("pod.yaml", &text);
    let out = run(&["-c", &config, "-f", &file, "--agent", "coder"], None);
    assert_error(&out);
    assert!(
        out.stderr.contains("pod.yaml:"),
        "the file is named:\n{}",
        out.stderr
    );
    let f = flat(&out.stderr);
    assert!(
        f.contains("pod/team-a/t1-pod"),
        "the resource is named:\n{}",
        out.stderr
    );
    (out, f)
}

#[test]
fn config_content_from_value_from_with_llm_traces_is_refused() {
    let (out, f) = refused(
        "      enableLLMTraces: true\n",
        "    - name: OPENCODE_CONFIG_CONTENT\n      valueFrom:\n        configMapKeyRef:\n          name: cm\n          key: config\n",
    );
    assert!(f.contains("container `agent`"), "{}", out.stderr);
    assert!(
        f.contains("OPENCODE_CONFIG_CONTENT") && f.contains("valueFrom"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("help:"),
        "a fix is proposed:\n{}",
        out.stderr
    );
    assert!(out.stderr.contains("pod.yaml:16:7"), "{}", out.stderr);
}

#[test]
fn config_content_from_value_from_without_llm_traces_is_fine() {
    let fx = Fx::new();
    let config = fx.config("");
    let text = TASK_POD.replace(
        "      value: /tmp\n",
        "      value: /tmp\n    - name: OPENCODE_CONFIG_CONTENT\n      valueFrom:\n        configMapKeyRef:\n          name: cm\n          key: config\n",
    );
    let out = run(&["-c", &config, "--agent", "coder"], Some(&text));
    assert_ok(&out);
    assert!(has_otel(container(&docs(&out.stdout)[0], "agent")));
}

#[test]
fn config_content_holding_json_null_is_refused() {
    let (out, f) = refused(
        "      enableLLMTraces: true\n",
        "    - name: OPENCODE_CONFIG_CONTENT\n      value: \"null\"\n",
    );
    assert!(f.contains("container `agent`"), "{}", out.stderr);
    assert!(f.contains("null"), "{}", out.stderr);
    assert!(
        out.stderr.contains("help:"),
        "a fix is proposed:\n{}",
        out.stderr
    );
}

#[test]
fn env_that_is_a_map_is_refused() {
    let (out, f) = refused("", "      HOME: /tmp\n");
    assert!(f.contains("env"), "{}", out.stderr);
    assert!(out.stderr.contains("pod.yaml:16:7"), "{}", out.stderr);
}

#[test]
fn env_that_is_a_map_names_the_container_and_the_fix() {
    let (out, f) = refused("", "      HOME: /tmp\n");
    assert!(f.contains("container `agent`"), "{}", out.stderr);
    assert!(out.stderr.contains("help:"), "{}", out.stderr);
}

#[test]
fn env_value_that_is_a_bare_boolean_is_refused() {
    let (out, f) = refused("", "    - name: DEBUG\n      value: true\n");
    assert!(f.contains("true"), "{}", out.stderr);
    assert!(
        out.stderr.contains("help:") && f.contains("quote"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("pod.yaml:17:14"), "{}", out.stderr);
}

#[test]
fn env_value_that_is_a_bare_boolean_names_the_container() {
    let (out, f) = refused("", "    - name: DEBUG\n      value: true\n");
    assert!(f.contains("container `agent`"), "{}", out.stderr);
}

#[test]
fn every_refused_workload_is_reported_not_only_the_first() {
    let fx = Fx::new();
    let config = fx.config("");
    let a = TASK_POD.replace("      value: /tmp\n", "      value: 1\n");
    let b = a.replace("t1-pod", "t2-pod");
    let out = run(
        &["-c", &config, "--agent", "coder"],
        Some(&format!("{a}---\n{b}")),
    );
    assert_error(&out);
    let f = flat(&out.stderr);
    assert!(
        f.contains("pod/team-a/t1-pod") && f.contains("pod/team-a/t2-pod"),
        "{}",
        out.stderr
    );
}

#[test]
#[ignore = "slow (minutes in a debug build): run with `cargo test --release -- --ignored`"]
fn a_yaml_list_of_100000_pods_fits_the_default_limits() {
    let fx = Fx::new();
    let config = fx.config("");
    let mut text = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for i in 0..100_000 {
        text.push_str(&format!(
            "- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p{i}\n    namespace: ns\n    labels:\n      app: x\n  spec:\n    containers:\n    - name: c\n      image: x\n      env:\n      - name: A\n        value: \"1\"\n"
        ));
    }
    let file = fx.file("list.yaml", &text);
    let out = run(&["-c", &config, "-f", &file, "-q", "-l", "app=x"], None);
    assert_ok(&out);
    assert_eq!(
        out.stdout
            .matches("- name: OTEL_EXPORTER_OTLP_ENDPOINT\n")
            .count(),
        100_000
    );
}

// ---------------------------------------------------------------------------------------------
// --in-place
// ---------------------------------------------------------------------------------------------

fn mtime(p: &Path) -> SystemTime {
    std::fs::metadata(p).unwrap().modified().unwrap()
}

fn set_old_mtime(p: &Path) -> SystemTime {
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    std::fs::File::options()
        .write(true)
        .open(p)
        .unwrap()
        .set_modified(t)
        .unwrap();
    t
}

fn dir_listing(p: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(p)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

#[cfg(unix)]
#[test]
fn in_place_rewrites_only_changed_files_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fx::new();
    let config = fx.config("");
    fx.file("m/pod.yaml", &format!("{TASK}---\n{TASK_POD}"));
    fx.file("m/cm.yaml", &cm("a"));
    fx.file("m/done.yaml", &format!("{TASK}---\n{TASK_POD_INJECTED}"));
    let pod = fx.path("m/pod.yaml");
    std::fs::set_permissions(&pod, std::fs::Permissions::from_mode(0o640)).unwrap();
    let cm_time = set_old_mtime(&fx.path("m/cm.yaml"));
    let done_time = set_old_mtime(&fx.path("m/done.yaml"));
    let before = dir_listing(&fx.path("m"));

    let out = run(&["-c", &config, "-f", s(&fx.path("m")), "--in-place"], None);
    assert_ok(&out);
    assert_eq!(out.stdout, "", "--in-place writes no manifests to stdout");
    // Report lines name their file (issue 14).
    let m = fx.path("m");
    assert_eq!(
        report(&out.stderr),
        [
            format!(
                "{}: pod/team-a/t1-pod: unchanged",
                m.join("done.yaml").display()
            ),
            format!(
                "{}: pod/team-a/t1-pod: injected (2 containers)",
                m.join("pod.yaml").display()
            )
        ],
        "done.yaml sorts before pod.yaml"
    );
    assert_eq!(
        fx.bytes("m/pod.yaml"),
        format!("{TASK}---\n{TASK_POD_INJECTED}").as_bytes()
    );
    assert_eq!(
        std::fs::metadata(&pod).unwrap().permissions().mode() & 0o7777,
        0o640
    );
    assert_eq!(fx.bytes("m/cm.yaml"), cm("a").as_bytes());
    assert_eq!(
        mtime(&fx.path("m/cm.yaml")),
        cm_time,
        "an unchanged file is not rewritten"
    );
    assert_eq!(
        mtime(&fx.path("m/done.yaml")),
        done_time,
        "an already injected file is not rewritten"
    );
    assert_eq!(
        dir_listing(&fx.path("m")),
        before,
        "no temporary file is left behind"
    );

    // A second run changes nothing at all.
    let pod_time = set_old_mtime(&pod);
    let out = run(&["-c", &config, "-f", s(&fx.path("m")), "--in-place"], None);
    assert_ok(&out);
    assert_eq!(mtime(&pod), pod_time);
}

#[cfg(unix)]
#[test]
fn in_place_writes_through_a_symlink() {
    let fx = Fx::new();
    let config = fx.config("");
    fx.file("real/pod.yaml", TASK_POD);
    let link = fx.path("link.yaml");
    std::os::unix::fs::symlink("real/pod.yaml", &link).unwrap();
    let out = run(
        &[
            "-c",
            &config,
            "-f",
            s(&link),
            "--in-place",
            "--agent",
            "coder",
        ],
        None,
    );
    assert_ok(&out);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("real/pod.yaml")
    );
    assert_eq!(fx.bytes("real/pod.yaml"), TASK_POD_INJECTED.as_bytes());
    assert_eq!(dir_listing(fx.root()), ["config.yaml", "link.yaml", "real"]);
    assert_eq!(dir_listing(&fx.path("real")), ["pod.yaml"]);
}

#[test]
fn in_place_with_a_malformed_file_writes_nothing() {
    let fx = Fx::new();
    let config = fx.config("");
    fx.file("m/a.yaml", TASK_POD);
    fx.file(
        "m/b.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n",
    );
    fx.file("m/c.yaml", TASK_POD);
    let before = dir_listing(&fx.path("m"));
    let out = run(
        &[
            "-c",
            &config,
            "-f",
            s(&fx.path("m")),
            "--in-place",
            "--agent",
            "coder",
        ],
        None,
    );
    assert_error(&out);
    assert!(out.stderr.contains("b.yaml"), "{}", out.stderr);
    assert_eq!(fx.bytes("m/a.yaml"), TASK_POD.as_bytes());
    assert_eq!(fx.bytes("m/c.yaml"), TASK_POD.as_bytes());
    assert_eq!(dir_listing(&fx.path("m")), before);
}

#[test]
fn in_place_with_a_refused_workload_writes_nothing() {
    let fx = Fx::new();
    let config = fx.config("");
    let bad = TASK_POD.replace("      value: /tmp\n", "      value: yes\n");
    fx.file("m/a.yaml", TASK_POD);
    fx.file("m/b.yaml", &bad.replace("t1-pod", "t2-pod"));
    let out = run(
        &[
            "-c",
            &config,
            "-f",
            s(&fx.path("m")),
            "--in-place",
            "--agent",
            "coder",
        ],
        None,
    );
    assert_error(&out);
    assert_eq!(fx.bytes("m/a.yaml"), TASK_POD.as_bytes());
}

#[cfg(unix)]
#[test]
fn in_place_with_a_read_only_file_is_exit_2_and_writes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fx::new();
    let config = fx.config("");
    fx.file("m/a.yaml", TASK_POD);
    fx.file("m/b.yaml", &TASK_POD.replace("t1-pod", "t2-pod"));
    let ro = fx.path("m/b.yaml");
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = dir_listing(&fx.path("m"));
    let out = run(
        &[
            "-c",
            &config,
            "-f",
            s(&fx.path("m")),
            "--in-place",
            "--agent",
            "coder",
        ],
        None,
    );
    assert_error(&out);
    assert!(out.stderr.contains("b.yaml"), "{}", out.stderr);
    assert_eq!(
        fx.bytes("m/a.yaml"),
        TASK_POD.as_bytes(),
        "the writable file is not written either"
    );
    assert_eq!(
        fx.bytes("m/b.yaml"),
        TASK_POD.replace("t1-pod", "t2-pod").as_bytes()
    );
    assert_eq!(dir_listing(&fx.path("m")), before);
    assert_eq!(
        std::fs::metadata(&ro).unwrap().permissions().mode() & 0o777,
        0o444
    );
}

#[test]
fn in_place_keeps_json_and_crlf() {
    let fx = Fx::new();
    let config = fx.config("");
    let json = format!(
        "{}\n",
        serde_json::to_string_pretty(&task_pod_json()).unwrap()
    );
    fx.file("m/a.json", &json);
    fx.file("m/b.yaml", &TASK_POD.replace('\n', "\r\n"));
    let out = run(
        &[
            "-c",
            &config,
            "-f",
            s(&fx.path("m")),
            "--in-place",
            "--agent",
            "coder",
        ],
        None,
    );
    assert_ok(&out);
    let a: Value = serde_json::from_slice(&fx.bytes("m/a.json")).expect("still JSON");
    assert!(has_otel(container(&a, "agent")));
    assert_eq!(
        fx.bytes("m/b.yaml"),
        TASK_POD_INJECTED.replace('\n', "\r\n").as_bytes()
    );
}

// ---------------------------------------------------------------------------------------------
// Completions and closed pipes
// ---------------------------------------------------------------------------------------------

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell], None);
        assert_ok(&out);
        assert!(out.stdout.contains("kubeopencode-inject"), "{shell}");
        assert!(
            out.stdout.contains("in-place"),
            "{shell}: flags are completed"
        );
    }
    let out = run(&["completions", "tcsh"], None);
    assert_eq!(out.code, 2);
}

/// Runs the binary with stdout connected to a pipe whose reading end is already closed.
fn run_into_closed_pipe(args: &[&str], stdin: &str) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = Command::new(bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    }
    let out = child.wait_with_output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[test]
fn inject_into_a_closed_pipe_ends_quietly() {
    let fx = Fx::new();
    let config = fx.config("");
    for format in ["yaml", "json"] {
        let out = run_into_closed_pipe(&["-c", &config, "-q", "-o", format], TASK_POD);
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
}

#[test]
fn completions_into_a_closed_pipe_do_not_panic() {
    let out = run_into_closed_pipe(&["completions", "bash"], "");
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn normalize_keeps_the_start_marker_of_a_root_on_the_marker_line() {
    // `--- {b: 2}` and `--- |`: the root starts on the `---` line. Re-emitted without the marker,
    // the second document ran into the first (and a directive lost its `---`); found by fuzzing.
    let fx = Fx::new();
    let config = fx.config("");
    for text in [
        "a: 1\n--- {b: 2}\n",
        "%YAML 1.2\n--- |\n  text\n",
        "a: 1\n--- [x, y]\n---\nc: 3\n",
    ] {
        let f = fx.file("m.yaml", text);
        let out = run(&["--normalize", "--all", "-c", &config, "-f", &f], None);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(
            docs(&out.stdout),
            docs(text),
            "{text:?} became {:?}",
            out.stdout
        );
    }
}
