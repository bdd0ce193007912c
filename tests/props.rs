//! Property tests (issue 7, point 2), on stable Rust with proptest:
//!
//! - no panic on arbitrary bytes (and on YAML-shaped byte soup) fed as a manifest file: through the
//!   library (the fuzz target's body, `api::check_stream`), and through the binary (exit 0 or 2,
//!   never anything else, and a message when 2);
//! - arbitrary YAML-shaped values (Pods, Deployments, … with random env lists, OTEL_* names and
//!   YAML 1.1 traps), written with the crate's emitter and run through the binary: the emitter reads back; injection is idempotent; inject-then-remove gives back the
//!   input bytes; unselected documents come out byte-identical;
//! - the fuzz corpus (`fuzz/corpus/stream/`) replayed through the fuzz target's body.
//!
//! `PROPTEST_CASES=N` runs more cases than the defaults chosen here (which keep `cargo test --test
//! props` well under 30 s in a debug build). Tests marked `#[ignore = "BUG: ..."]` show a defect that
//! is still open.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use kubeopencode_inject::api::{
    EmitOptions, check_stream, emit_document, find_block, parse_document, split_yaml,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// Running the binary on files
// ---------------------------------------------------------------------------------------------

/// A directory for the files of this test binary, kept until it exits.
fn workdir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

fn fresh(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    workdir().join(format!("{n}-{name}"))
}

fn config_text(enabled: bool, llm: bool) -> String {
    format!(
        "apiVersion: kubeopencode.io/v1alpha1
kind: KubeOpenCodeConfig
metadata:
  name: cluster
spec:
  observability:
    openTelemetry:
      enabled: {enabled}
      endpoint: http://otel-collector.observability:4318
      enableLLMTraces: {llm}
      recordContent: true
      headers:
        x-scope-orgid:
          value: tenant-a
        authorization:
          valueFrom:
            secretKeyRef:
              name: otel-auth
              key: token
      resourceAttributes:
        deployment.environment: staging
"
    )
}

/// The config file for (enabled, enableLLMTraces), written once.
fn config_file(enabled: bool, llm: bool) -> &'static str {
    static FILES: OnceLock<[String; 4]> = OnceLock::new();
    let files = FILES.get_or_init(|| {
        [(false, false), (false, true), (true, false), (true, true)].map(|(e, l)| {
            let p = fresh("config.yaml");
            std::fs::write(&p, config_text(e, l)).unwrap();
            p.to_str().unwrap().to_string()
        })
    });
    &files[usize::from(enabled) * 2 + usize::from(llm)]
}

/// Runs `kubeopencode-inject ARGS`; returns stdout, or the exit code and stderr. (The binary,
/// not the library's `app` functions: their signatures change more often than the command line.)
fn run_bin(args: &[&str]) -> Result<String, String> {
    let out = Command::new(common::bin())
        .args(args)
        .args(["--color", "never", "--quiet"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => String::from_utf8(out.stdout).map_err(|e| e.to_string()),
        code => Err(format!("exit {code:?}:\n{stderr}")),
    }
}

/// Injects (or removes, with `enabled` false) on one text; returns the new text.
fn inject_text(text: &str, enabled: bool, llm: bool, extra: &[&str]) -> Result<String, String> {
    let f = fresh("in.yaml");
    std::fs::write(&f, text).unwrap();
    let mut args = vec!["-c", config_file(enabled, llm), "-f", f.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = run_bin(&args);
    let _ = std::fs::remove_file(&f);
    out
}

// ---------------------------------------------------------------------------------------------
// (a) No panic on arbitrary bytes
// ---------------------------------------------------------------------------------------------

/// Pieces that YAML, JSON and manifests are made of: byte soup of these reaches far deeper into the
/// parser and the engine than uniform random bytes.
const TOKENS: &[&str] = &[
    "\n",
    "\r\n",
    "\r",
    " ",
    "  ",
    "\t",
    "- ",
    ": ",
    ":",
    "---\n",
    "...\n",
    "--- ",
    "#",
    "[",
    "]",
    "{",
    "}",
    ",",
    "'",
    "\"",
    "\\",
    "|",
    "|-",
    ">",
    "? ",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "<<: ",
    "!!str ",
    "!!int ",
    "!x ",
    "%YAML 1.2\n",
    "~",
    "null",
    "on",
    "0777",
    "1e3",
    ".inf",
    "x",
    "é",
    "\u{feff}",
    "\u{2028}",
    "\0",
    "apiVersion: v1\n",
    "apiVersion: apps/v1\n",
    "kind: Pod\n",
    "kind: Deployment\n",
    "kind: List\n",
    "kind: Secret\n",
    "items:\n",
    "metadata:\n",
    "  name: p\n",
    "  namespace: ns\n",
    "  labels:\n    kubeopencode.io/agent: a\n",
    "  labels: {kubeopencode.io/task: t}\n",
    "spec:\n",
    "  template:\n",
    "  containers:\n",
    "  - name: agent\n",
    "    env:\n",
    "    - name: A\n",
    "      value: \"1\"\n",
    "    - name: OTEL_EXPORTER_OTLP_ENDPOINT\n      value: u\n",
    "    - name: OPENCODE_CONFIG_CONTENT\n      value: '{\"a\":1}'\n",
    "      valueFrom: {fieldRef: {fieldPath: metadata.name}}\n",
    "{\"kind\": \"Pod\", \"apiVersion\": \"v1\", \"spec\": {\"containers\": [{\"name\": \"a\"}]}}",
];

fn yaml_soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(TOKENS).prop_map(|t| t.as_bytes().to_vec()),
            1 => prop::collection::vec(any::<u8>(), 0..4),
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

/// Turns a well-formed manifest into nearly-well-formed ones: a few bytes replaced, dropped or
/// duplicated.
fn mutated_manifest() -> impl Strategy<Value = Vec<u8>> {
    let seeds: Vec<Vec<u8>> = corpus_files()
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .filter(|b| b.len() < 4_000)
        .collect();
    (
        prop::sample::select(seeds),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    )
        .prop_map(|(mut bytes, edits)| {
            for (at, byte, op) in edits {
                if bytes.is_empty() {
                    bytes.push(byte);
                    continue;
                }
                let i = at.index(bytes.len());
                match op {
                    0 => bytes[i] = byte,
                    1 => {
                        bytes.remove(i);
                    }
                    _ => {
                        let end = (i + 1 + usize::from(byte % 40)).min(bytes.len());
                        let dup = bytes[i..end].to_vec();
                        bytes.splice(i..i, dup);
                    }
                }
            }
            bytes
        })
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn library_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_stream(&bytes);
    }

    #[test]
    fn library_never_panics_on_yaml_soup(bytes in yaml_soup()) {
        check_stream(&bytes);
    }
}

proptest! {
    #![proptest_config(cases(128))]

    #[test]
    fn library_never_panics_on_mutated_manifests(bytes in mutated_manifest()) {
        check_stream(&bytes);
    }
}

/// Runs the binary on one file of bytes; returns (exit code, stderr).
fn run_binary(bytes: &[u8]) -> (i32, String) {
    let f = fresh("bin.yaml");
    std::fs::write(&f, bytes).unwrap();
    let out = Command::new(common::bin())
        .args(["-c", config_file(true, true), "-f", f.to_str().unwrap()])
        .args(["--all", "--color", "never"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&f);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

proptest! {
    #![proptest_config(cases(40))]

    #[test]
    fn binary_exits_0_or_2_on_arbitrary_input(
        bytes in prop_oneof![yaml_soup(), mutated_manifest(), prop::collection::vec(any::<u8>(), 0..256)]
    ) {
        let (code, stderr) = run_binary(&bytes);
        prop_assert!(code == 0 || code == 2, "exit {code}; stderr:\n{stderr}");
        prop_assert!(!stderr.contains("panicked"), "{stderr}");
        if code == 2 {
            prop_assert!(!stderr.trim().is_empty(), "exit 2 without a message");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The fuzz corpus, replayed
// ---------------------------------------------------------------------------------------------

use common::corpus_files;

#[test]
fn fuzz_corpus_replays_without_panic() {
    let files = corpus_files();
    assert!(files.len() >= 10, "the committed corpus is missing");
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let r = std::panic::catch_unwind(|| check_stream(&bytes));
        assert!(r.is_ok(), "corpus file {} fails", f.display());
    }
}

// ---------------------------------------------------------------------------------------------
// (b) Arbitrary YAML-shaped values
// ---------------------------------------------------------------------------------------------

/// Strings that YAML 1.1 readers (Kubernetes) or YAML writers get wrong when unquoted.
const TRAPS: &[&str] = &[
    "on",
    "off",
    "yes",
    "no",
    "y",
    "n",
    "Y",
    "N",
    "true",
    "False",
    "NULL",
    "~",
    "null",
    "",
    "0777",
    "0o17",
    "0x1F",
    "0b101",
    "1_000",
    "1e3",
    "1.5",
    ".inf",
    "-.Inf",
    ".NaN",
    "12:30:00",
    "190:20:30",
    "2001-12-14",
    "+1",
    "-0",
    "0",
    "007",
    "1,000",
    " leading",
    "trailing ",
    "a: b",
    "a #b",
    "#c",
    "- x",
    "? x",
    "[x]",
    "{x}",
    "&a",
    "*a",
    "!tag",
    "%x",
    "@x",
    "`x",
    "|",
    "|-",
    ">",
    "'q'",
    "\"dq\"",
    "\\",
    "multi\nline",
    "trailing\n",
    "\n",
    "two\n\nparas\n",
    "\t",
    "tab\tin",
    "é",
    "日本語",
    "emoji 😀",
    "cr\rlf",
    "crlf\r\n",
    "---",
    "...",
    "--- x",
    "=",
    "<<",
    "$(OTEL_POD_NAME)",
    "http://x:4318",
    "a,b=c",
    "\u{85}",
    "\u{2028}",
    "\u{feff}x",
    " ",
    "  \n  ",
];

fn scalar_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(TRAPS).prop_map(str::to_string),
        2 => "[a-z0-9./:_-]{0,12}",
        1 => "[ -~]{0,16}",
        1 => "\\PC{0,6}",
        1 => (prop::sample::select(TRAPS), prop::sample::select(TRAPS)).prop_map(|(a, b)| format!("{a}{b}")),
    ]
}

const MANAGED: &[&str] = &[
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
    "OTEL_POD_NAME",
    "OTEL_POD_NAMESPACE",
    "OTEL_HEADER_AUTHORIZATION",
    "OTEL_HEADER_X_SCOPE_ORGID",
    "OTEL_SERVICE_NAME",
];

fn env_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Z_][A-Z0-9_]{0,10}",
        2 => prop::sample::select(MANAGED).prop_map(str::to_string),
        1 => "[a-z][a-z0-9.-]{0,8}",
    ]
}

/// OPENCODE_CONFIG_CONTENT values the LLM-traces merge can give back exactly (compact JSON with
/// sorted keys and no `experimental`), or that the tool leaves alone.
const CONFIG_CONTENTS: &[&str] = &[
    r#"{"instructions":[".kubeopencode/context.md"]}"#,
    r#"{"a":1,"b":[true,null]}"#,
    r#"{"model":"x","share":"disabled"}"#,
];

fn env_entry() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => (env_name(), scalar_string()).prop_map(|(n, v)| json!({"name": n, "value": v})),
        1 => env_name().prop_map(|n| json!({"name": n})),
        1 => (env_name(), prop::sample::select(&["metadata.name", "metadata.namespace", "status.podIP"][..]))
            .prop_map(|(n, p)| json!({"name": n, "valueFrom": {"fieldRef": {"fieldPath": p}}})),
        1 => (env_name(), "[a-z]{1,6}", "[a-z]{1,6}")
            .prop_map(|(n, s, k)| json!({"name": n, "valueFrom": {"secretKeyRef": {"name": s, "key": k}}})),
        1 => prop::sample::select(CONFIG_CONTENTS)
            .prop_map(|v| json!({"name": "OPENCODE_CONFIG_CONTENT", "value": v})),
        1 => prop::sample::select(&[("OTEL_POD_NAME", "metadata.name"), ("OTEL_POD_NAMESPACE", "metadata.namespace")][..])
            .prop_map(|(n, p)| json!({"name": n, "valueFrom": {"fieldRef": {"fieldPath": p}}})),
    ]
}

/// The user's own Downward API helper: `OTEL_POD_NAME` from `metadata.name`, `OTEL_POD_NAMESPACE`
/// from `metadata.namespace`.
fn is_own_helper(e: &Value) -> bool {
    let path = e
        .pointer("/valueFrom/fieldRef/fieldPath")
        .and_then(Value::as_str);
    matches!(
        (e["name"].as_str(), path),
        (Some("OTEL_POD_NAME"), Some("metadata.name"))
            | (Some("OTEL_POD_NAMESPACE"), Some("metadata.namespace"))
    )
}

/// An env list the tool did not write (no injected block in it already). It may hold the user's
/// own OTEL_POD_NAME/OTEL_POD_NAMESPACE helpers, even right where the block goes.
fn env_list() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(env_entry(), 0..7).prop_filter("holds an injected block already", |env| {
        find_block(env).is_none()
    })
}

fn container(name: String) -> impl Strategy<Value = Value> {
    (
        prop::option::of(env_list()),
        scalar_string(),
        prop::option::of(prop::collection::vec(scalar_string(), 0..3)),
    )
        .prop_map(move |(env, image, args)| {
            let mut c = Map::new();
            c.insert("name".into(), Value::String(name.clone()));
            c.insert("image".into(), Value::String(image));
            if let Some(a) = args {
                c.insert("args".into(), json!(a));
            }
            if let Some(e) = env {
                c.insert("env".into(), Value::Array(e));
            }
            Value::Object(c)
        })
}

fn containers(
    prefix: &'static str,
    first: &'static [&'static str],
    n: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Value>> {
    (prop::sample::select(first), n).prop_flat_map(move |(main, n)| {
        (0..n)
            .map(|i| {
                let name = if i == 0 {
                    main.to_string()
                } else {
                    format!("{prefix}-{i}")
                };
                container(name).boxed()
            })
            .collect::<Vec<_>>()
    })
}

fn pod_spec() -> impl Strategy<Value = Value> {
    (
        containers("side", &["agent", "opencode-server", "app", "main"], 1..4),
        prop::option::of(containers(
            "init",
            &["opencode-init", "git-init-0", "setup"],
            0..3,
        )),
        prop::option::of(scalar_string()),
    )
        .prop_map(|(cs, init, sa)| {
            let mut spec = Map::new();
            if let Some(sa) = sa {
                spec.insert("serviceAccountName".into(), Value::String(sa));
            }
            spec.insert("containers".into(), Value::Array(cs));
            if let Some(init) = init.filter(|i| !i.is_empty()) {
                spec.insert("initContainers".into(), Value::Array(init));
            }
            Value::Object(spec)
        })
}

/// metadata: a name (or generateName), maybe a namespace, labels that select it or not, and
/// annotations full of traps.
fn metadata(selected: bool) -> impl Strategy<Value = Value> {
    (
        prop::option::of("[a-z][a-z0-9-]{0,8}"),
        prop::option::of("[a-z][a-z0-9-]{0,8}"),
        prop::collection::btree_map("[a-z][a-z0-9./-]{0,10}", scalar_string(), 0..3),
        prop::collection::btree_map("[a-z]{1,6}", "[a-z0-9]{0,6}", 0..2),
    )
        .prop_map(move |(name, ns, annotations, mut labels)| {
            let mut m = Map::new();
            match name {
                Some(n) => m.insert("name".into(), Value::String(n)),
                None => m.insert("generateName".into(), Value::String("gen-".into())),
            };
            if let Some(ns) = ns {
                m.insert("namespace".into(), Value::String(ns));
            }
            labels.remove("kubeopencode.io/agent");
            if selected {
                labels.insert("kubeopencode.io/agent".into(), "coder".into());
            }
            if !labels.is_empty() {
                m.insert("labels".into(), json!(labels));
            }
            if !annotations.is_empty() {
                m.insert("annotations".into(), json!(annotations));
            }
            Value::Object(m)
        })
}

const KINDS: &[(&str, &str)] = &[
    ("v1", "Pod"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("apps/v1", "ReplicaSet"),
    ("v1", "ReplicationController"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
];

/// A pod-bearing workload, selected (agent label) or not.
fn workload(selected: bool) -> impl Strategy<Value = Value> {
    (
        prop::sample::select(KINDS),
        metadata(selected),
        metadata(selected),
        pod_spec(),
    )
        .prop_map(|((api, kind), meta, tmeta, spec)| {
            let template = json!({"metadata": tmeta, "spec": spec});
            let spec = match kind {
                "Pod" => template["spec"].clone(),
                "CronJob" => json!({"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": template}}}),
                "Job" => json!({"template": template}),
                _ => json!({"replicas": 1, "selector": {"matchLabels": {"app": "x"}}, "template": template}),
            };
            json!({"apiVersion": api, "kind": kind, "metadata": meta, "spec": spec})
        })
}

/// Documents the tool never edits.
fn other_document() -> impl Strategy<Value = Value> {
    let data = || prop::collection::btree_map("[a-zA-Z0-9._-]{1,10}", scalar_string(), 0..5);
    prop_oneof![
        data().prop_map(|d| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": d})),
        data().prop_map(|d| json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": d})),
        ("[a-z]{1,6}", 1u16..65535).prop_map(|(n, p)| json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": n}, "spec": {"ports": [{"port": p}]}})),
        data().prop_map(|d| json!({"apiVersion": "kubeopencode.io/v1alpha1", "kind": "Whatever", "spec": d})),
    ]
}

/// One document of a stream, and whether the tool may edit it.
fn document() -> impl Strategy<Value = (Value, bool)> {
    prop_oneof![
        3 => workload(true).prop_map(|v| (v, true)),
        1 => workload(false).prop_map(|v| (v, false)),
        1 => prop::collection::vec(workload(true), 1..3)
            .prop_map(|items| (json!({"apiVersion": "v1", "kind": "List", "items": items}), true)),
        2 => other_document().prop_map(|v| (v, false)),
    ]
}

/// A stream: its text, its documents, and which may be edited. Half of the streams write sequences
/// indented under their key, some use CRLF.
fn stream() -> impl Strategy<Value = (String, Vec<(Value, bool)>)> {
    (
        prop::collection::vec(document(), 1..4),
        any::<bool>(),
        0u8..4,
    )
        .prop_map(|(docs, indent, style)| {
            let opts = EmitOptions {
                indent: if style == 3 { 4 } else { 2 },
                indent_sequences: indent,
                eol: if style == 2 { "\r\n" } else { "\n" },
            };
            let mut text = String::new();
            for (i, (v, _)) in docs.iter().enumerate() {
                if i > 0 || style == 1 {
                    text.push_str("---");
                    text.push_str(opts.eol);
                }
                text.push_str(&emit_document(v, &opts));
            }
            (text, docs)
        })
}

fn chunks(text: &str) -> Vec<&str> {
    split_yaml(text)
        .into_iter()
        .map(|c| &text[c.range])
        .collect()
}

fn cases(n: u32) -> Config {
    Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(cases(128))]

    #[test]
    fn emitted_values_read_back_as_themselves(doc in document()) {
        let (v, _) = doc;
        for indent_sequences in [false, true] {
            let opts = EmitOptions { indent_sequences, ..EmitOptions::default() };
            let text = emit_document(&v, &opts);
            let back = parse_document(&text).map(|d| d.into_value());
            prop_assert_eq!(back.as_ref().ok(), Some(&v), "emitted:\n{}\nread: {:?}", text, back);
        }
    }
}

proptest! {
    #![proptest_config(cases(48))]

    #[test]
    fn injection_is_idempotent((text, _docs) in stream(), llm in any::<bool>()) {
        let once = inject_text(&text, true, llm, &[]).map_err(TestCaseError::fail)?;
        let twice = inject_text(&once, true, llm, &[]).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&twice, &once, "input:\n{}", text);
    }

    #[test]
    fn inject_then_remove_gives_back_the_input((text, _docs) in stream(), llm in any::<bool>()) {
        // (`env: []` stays flow, so removal gives it back: issue 13.)
        let injected = inject_text(&text, true, llm, &[]).map_err(TestCaseError::fail)?;
        let removed = inject_text(&injected, false, llm, &[]).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&removed, &text, "injected:\n{}", injected);
    }

    #[test]
    fn unselected_documents_are_byte_identical((text, docs) in stream()) {
        let out = inject_text(&text, true, true, &[]).map_err(TestCaseError::fail)?;
        let before = chunks(&text);
        let after = chunks(&out);
        prop_assert_eq!(before.len(), after.len(), "documents added or lost:\n{}", out);
        let mut edited_any = false;
        for (i, (_, editable)) in docs.iter().enumerate() {
            // With `---` before the first document, chunk indexes match document indexes.
            let k = i + before.len() - docs.len();
            if *editable {
                edited_any |= before[k] != after[k];
            } else {
                prop_assert_eq!(before[k], after[k], "document {} changed", i + 1);
            }
        }
        if docs.iter().any(|(_, e)| *e) {
            prop_assert!(edited_any, "no selected workload was injected:\n{}", out);
        }
    }

    #[test]
    fn selecting_everything_keeps_other_kinds_byte_identical((text, docs) in stream()) {
        let out = inject_text(&text, true, false, &["--all"]).map_err(TestCaseError::fail)?;
        let before = chunks(&text);
        let after = chunks(&out);
        prop_assert_eq!(before.len(), after.len());
        for (i, (v, _)) in docs.iter().enumerate() {
            let k = i + before.len() - docs.len();
            let kind = v["kind"].as_str().unwrap_or_default();
            if !KINDS.iter().any(|(_, k)| *k == kind) && kind != "List" {
                prop_assert_eq!(before[k], after[k], "{} changed", kind);
            }
        }
    }
}

/// A regression guard for the generators: streams must contain selected workloads often enough
/// for the properties above to mean something.
#[test]
fn generators_produce_selected_workloads() {
    let mut runner = TestRunner::deterministic();
    let mut selected = 0;
    let mut helper_last = 0;
    for _ in 0..200 {
        let (_, docs) = stream().new_tree(&mut runner).unwrap().current();
        selected += docs.iter().filter(|(_, e)| *e).count();
        for (v, _) in &docs {
            let mut envs = Vec::new();
            env_lists(v, &mut envs);
            helper_last += envs
                .iter()
                .filter(|e| e.last().is_some_and(is_own_helper))
                .count();
        }
    }
    assert!(selected >= 100, "{selected}");
    // The case where the user's own helper sits right where the block is appended.
    assert!(helper_last >= 5, "{helper_last}");
}

/// Every `env` list in a value.
fn env_lists<'a>(v: &'a Value, out: &mut Vec<&'a [Value]>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("env", Value::Array(a)) => out.push(a),
                    _ => env_lists(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| env_lists(x, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Counterexamples found by the properties
// ---------------------------------------------------------------------------------------------

/// A Task-style agent Pod (name and namespace known, so the block starts with the endpoint) whose
/// container sets OTEL_POD_NAME itself through the Downward API, as OpenTelemetry's docs suggest.
const OWN_HELPER_POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: ns
  labels:
    kubeopencode.io/agent: coder
spec:
  containers:
  - name: agent
    env:
    - name: OTEL_POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
";

#[test]
fn own_pod_name_helper_before_the_block_survives_a_second_run() {
    let once = inject_text(OWN_HELPER_POD, true, false, &[]).unwrap();
    assert!(once.starts_with(OWN_HELPER_POD), "{once}");
    let twice = inject_text(&once, true, false, &[]).unwrap();
    assert_eq!(twice, once);
}

#[test]
fn own_pod_name_helper_before_the_block_survives_inject_then_remove() {
    let once = inject_text(OWN_HELPER_POD, true, false, &[]).unwrap();
    let removed = inject_text(&once, false, false, &[]).unwrap();
    assert_eq!(removed, OWN_HELPER_POD);
}

#[test]
fn own_pod_namespace_helper_before_the_block_survives_a_second_run() {
    let pod = OWN_HELPER_POD
        .replace("OTEL_POD_NAME\n", "OTEL_POD_NAMESPACE\n")
        .replace("fieldPath: metadata.name", "fieldPath: metadata.namespace");
    let once = inject_text(&pod, true, false, &[]).unwrap();
    assert!(once.starts_with(&pod), "{once}");
    let twice = inject_text(&once, true, false, &[]).unwrap();
    assert_eq!(twice, once);
    let removed = inject_text(&once, false, false, &[]).unwrap();
    assert_eq!(removed, pod);
}

#[test]
fn empty_env_list_stays_flow_and_comes_back() {
    // Issue 13: `env: []` is filled in flow style, so removal gives `env: []` back (before, it
    // became a block list and removal dropped the key).
    let with_empty = OWN_HELPER_POD
        .split("    env:\n")
        .next()
        .unwrap()
        .to_string()
        + "    env: []\n";
    let once = inject_text(&with_empty, true, false, &[]).unwrap();
    assert!(once.contains("    env: [{name: "), "{once}");
    assert_eq!(inject_text(&once, false, false, &[]).unwrap(), with_empty);
}

// ---------------------------------------------------------------------------------------------
// Task Pods with their Task and Agent in the stream (the block goes before the Agent's extraEnv)
// ---------------------------------------------------------------------------------------------

/// A Task Pod as the controller renders it: its container's env ends with the Agent's extraEnv
/// (and the init container's with the Agent's systemContainers extraEnv), with the Task and the
/// Agent in the same stream.
fn task_stream() -> impl Strategy<Value = String> {
    (
        env_list(),
        env_list(),
        env_list(),
        prop::option::of(env_list()),
        any::<bool>(),
    )
        .prop_filter(
            "holds an injected block already",
            |(own, extra, init_own, init_extra, _)| {
                let joined = |a: &[Value], b: &[Value]| [a, b].concat();
                find_block(&joined(own, extra)).is_none()
                    && find_block(&joined(init_own, init_extra.as_deref().unwrap_or(&[]))).is_none()
            },
        )
        .prop_map(|(own, extra, init_own, init_extra, agent_first)| {
            let mut pod_spec = json!({"podSpec": {"extraEnv": extra}});
            if let Some(ie) = &init_extra {
                pod_spec["podSpec"]["systemContainers"] = json!({"contextInit": {"extraEnv": ie}});
            }
            let agent = json!({
                "apiVersion": "kubeopencode.io/v1alpha1", "kind": "Agent",
                "metadata": {"name": "coder", "namespace": "team-a"},
                "spec": pod_spec,
            });
            let task = json!({
                "apiVersion": "kubeopencode.io/v1alpha1", "kind": "Task",
                "metadata": {"name": "t1", "namespace": "team-a"},
                "spec": {"agentRef": {"name": "coder"}},
            });
            let main_env: Vec<Value> = own.iter().chain(extra.iter()).cloned().collect();
            let init_env: Vec<Value> = init_own
                .iter()
                .chain(init_extra.iter().flatten())
                .cloned()
                .collect();
            let pod = json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {
                    "name": "t1-pod", "namespace": "team-a",
                    "labels": {"kubeopencode.io/task": "t1"},
                    "ownerReferences": [{"apiVersion": "kubeopencode.io/v1alpha1", "kind": "Task",
                                         "name": "t1", "uid": "u", "controller": true}],
                },
                "spec": {
                    "initContainers": [{"name": "context-init", "image": "i", "env": init_env}],
                    "containers": [{"name": "agent", "image": "a", "env": main_env}],
                },
            });
            let docs = if agent_first {
                [agent, task, pod]
            } else {
                [pod, task, agent]
            };
            docs.iter()
                .map(|d| emit_document(d, &EmitOptions::default()))
                .collect::<Vec<_>>()
                .join("---\n")
        })
}

proptest! {
    #![proptest_config(cases(32))]

    #[test]
    fn task_pod_injection_is_idempotent(text in task_stream(), llm in any::<bool>()) {
        let once = inject_text(&text, true, llm, &[]).map_err(TestCaseError::fail)?;
        let twice = inject_text(&once, true, llm, &[]).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&twice, &once, "input:\n{}", text);
    }

    #[test]
    fn task_pod_inject_then_remove_gives_back_the_input(text in task_stream(), llm in any::<bool>()) {
        let injected = inject_text(&text, true, llm, &[]).map_err(TestCaseError::fail)?;
        prop_assert_ne!(&injected, &text);
        let removed = inject_text(&injected, false, llm, &[]).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&removed, &text, "injected:\n{}", injected);
    }
}

/// Found by the fuzz target: a top-level block scalar whose last line starts with `...` but is not
/// an end marker (`...x`, no final newline).
const DOTS_SCALAR: &str = "|\nx\n...x";

#[test]
fn normalize_keeps_a_scalar_line_that_starts_with_dots_once() {
    // libyaml (so kubectl) refuses a top-level block scalar whose lines are not indented; when
    // the reader refuses it, the run must fail cleanly, and when it accepts it, write it once.
    let out = match inject_text(DOTS_SCALAR, true, false, &["--normalize"]) {
        Ok(out) => out,
        Err(e) => {
            assert!(
                e.starts_with("exit Some(2)") && e.contains("in.yaml:2:1"),
                "{e}"
            );
            return;
        }
    };
    assert!(parse_document(&out).is_ok(), "invalid YAML written:\n{out}");
    assert_eq!(out.matches("...x").count(), 1, "{out}");
}

#[test]
fn fuzz_crash_dots_after_block_scalar() {
    check_stream(b"'OMtext\n----\na: 1\n...\n--- |\nttx\ne  ---\n- [a, b]\n...[");
    check_stream(DOTS_SCALAR.as_bytes());
}
