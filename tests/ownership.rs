//! What belongs to the user stays the user's (issue 11, point 1).
//!
//! Workloads set OTel variables of their own (the OpenTelemetry demo sets an endpoint and
//! `service.name` attributes). Only a run of entries that is exactly what the controller or this
//! tool writes is an earlier injection. Properties, over env lists built from OTel-like names,
//! values (attribute lists that look like the built-ins but are not, `$(…)` references, header
//! lists), `valueFrom` shapes and orders:
//!
//! - a disabled config changes nothing;
//! - injecting appends the block and changes no entry of the user's (except the merge of the LLM
//!   flag into the first OPENCODE_CONFIG_CONTENT, which the controller does too);
//! - removing that injection gives back the input.
//!
//! Checked on the engine (plans applied to the document) for lists of user entries and for near
//! misses (blocks the tool builds, each broken in one way the controller never writes), and through
//! the binary's text output (byte for byte).

mod common;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use kubeopencode_inject::api::{
    EmitOptions, Engine, HeaderSource, OpenTelemetry, SecretKeyRef, build_block, emit_document,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};
use serde_json::{Map, Value, json};

fn cases(n: u32) -> Config {
    Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------
// The vocabulary
// ---------------------------------------------------------------------------------------------

// The names the controller writes (docs/semantics.md), and our own namespace helper.
const ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
const HEADERS: &str = "OTEL_EXPORTER_OTLP_HEADERS";
const RESOURCE_ATTRIBUTES: &str = "OTEL_RESOURCE_ATTRIBUTES";
const CAPTURE_CONTENT: &str = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";
const POD_NAME: &str = "OTEL_POD_NAME";
const POD_NAMESPACE: &str = "OTEL_POD_NAMESPACE";
const CONFIG_CONTENT: &str = "OPENCODE_CONFIG_CONTENT";
/// What `enableLLMTraces` merges into OPENCODE_CONFIG_CONTENT.
const LLM_TRACES_JSON: &str = r#"{"experimental":{"openTelemetry":true}}"#;

/// Names of entries: the managed ones, the user's own OTEL_*, header-helper look-alikes, others.
const NAMES: &[&str] = &[
    ENDPOINT,
    ENDPOINT,
    HEADERS,
    RESOURCE_ATTRIBUTES,
    RESOURCE_ATTRIBUTES,
    CAPTURE_CONTENT,
    POD_NAME,
    POD_NAMESPACE,
    "OTEL_HEADER_AUTHORIZATION",
    "OTEL_HEADER_X_API_KEY",
    "OTEL_HEADER_",
    "OTEL_SERVICE_NAME",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "HOME",
    "A",
];

/// Values that are not attribute lists of ours.
const VALUES: &[&str] = &[
    "http://my-collector:4317",
    "http://otel-collector.observability:4318",
    "",
    "true",
    "false",
    "service.name=cart",
    "service.name=cart,service.namespace=demo",
    "$(OTEL_POD_NAME)",
    "$(OTEL_POD_NAMESPACE)",
    "$(HOME)/x",
    "$$(OTEL_POD_NAME)",
    "authorization=$(OTEL_HEADER_AUTHORIZATION)",
    "x-api-key=$(OTEL_HEADER_X_API_KEY),x-scope-orgid=tenant-a",
    "x-scope-orgid=tenant-a",
    "authorization=Bearer abc",
    "a=b,c",
    "grpc",
];

/// An `OTEL_RESOURCE_ATTRIBUTES`-like value that is *not* what the controller writes: the
/// built-ins with one of them out of order, missing, or with a second namespace, or behind a user
/// attribute. Parts hold no `,`, so no reading can find the built-ins in order in it.
fn lookalike_attributes() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        3 => "[a-z][a-z0-9-]{0,5}",
        1 => Just(String::new()),
        1 => Just("$(OTEL_POD_NAME)".to_string()),
        1 => Just("$(OTEL_POD_NAMESPACE)".to_string()),
    ];
    (
        prop::option::of(part.clone()),
        part.clone(),
        part.clone(),
        part,
        0u8..4,
        any::<prop::sample::Index>(),
        prop::option::of(Just("service.name=cart")),
    )
        .prop_map(|(task, ns, agent, pod, how, at, tail)| {
            let mut items = Vec::new();
            if let Some(t) = &task {
                items.push(format!("kubeopencode.task.name={t}"));
            }
            let ns_item = items.len();
            items.push(format!("kubeopencode.task.namespace={ns}"));
            items.push(format!("kubeopencode.agent.name={agent}"));
            items.push(format!("k8s.namespace.name={ns}"));
            items.push(format!("k8s.pod.name={pod}"));
            match how {
                // Two neighbours swapped (their keys differ, so the order is wrong).
                0 => {
                    let i = at.index(items.len() - 1);
                    items.swap(i, i + 1);
                }
                // A required one missing.
                1 => {
                    items.remove(ns_item + at.index(4));
                }
                // Two namespaces.
                2 => items[ns_item + 2] = format!("k8s.namespace.name={ns}x"),
                // The user's own attribute first.
                _ => items.insert(0, "service.name=cart".into()),
            }
            if let Some(t) = tail {
                items.push(t.into());
            }
            items.join(",")
        })
}

/// OPENCODE_CONFIG_CONTENT values that the LLM merge and its removal give back exactly.
const CONTENT_EXACT: &[&str] = &[
    r#"{"instructions":[".kubeopencode/context.md"]}"#,
    r#"{"a":1,"b":[true,null]}"#,
    "{}",
];

/// Values the merge replaces or re-encodes (as the controller does), so that only their entry
/// comes back, not their text; without the LLM flag the tool never touches them.
const CONTENT_LOSSY: &[&str] = &[
    "not json",
    "",
    "[1]",
    r#"{"b":1, "a":2}"#,
    r#"{"experimental":{"share":"x"}}"#,
    // The flag as a user writes it (not Go's compact encoding): the user's, never taken back.
    r#"{"experimental": {"openTelemetry": true}}"#,
];

/// What the controller's merge of the LLM flag makes of each of those values: a shallow merge,
/// re-encoded as Go's `json.Marshal` writes (sorted keys, compact); what does not read as a JSON
/// object is replaced by the flag.
fn merged_with_llm_flag(existing: &str) -> &'static str {
    match existing {
        r#"{"instructions":[".kubeopencode/context.md"]}"# => {
            r#"{"experimental":{"openTelemetry":true},"instructions":[".kubeopencode/context.md"]}"#
        }
        r#"{"a":1,"b":[true,null]}"# => {
            r#"{"a":1,"b":[true,null],"experimental":{"openTelemetry":true}}"#
        }
        r#"{"b":1, "a":2}"# => r#"{"a":2,"b":1,"experimental":{"openTelemetry":true}}"#,
        "{}" | "not json" | "" | "[1]" => LLM_TRACES_JSON,
        r#"{"experimental":{"share":"x"}}"# | r#"{"experimental": {"openTelemetry": true}}"# => {
            LLM_TRACES_JSON
        }
        other => panic!("no merged value for {other:?}: add it to merged_with_llm_flag"),
    }
}

fn value_from() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(&["metadata.name", "metadata.namespace", "status.podIP"][..])
            .prop_map(|p| json!({"fieldRef": {"fieldPath": p}})),
        Just(json!({"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}})),
        Just(json!({"secretKeyRef": {"name": "otel-auth", "key": "token"}})),
        Just(json!({"secretKeyRef": {"name": "otel-auth", "key": "token", "optional": true}})),
        Just(json!({"configMapKeyRef": {"name": "cm", "key": "endpoint"}})),
        Just(
            json!({"secretKeyRef": {"name": "s", "key": "k"}, "fieldRef": {"fieldPath": "metadata.name"}})
        ),
    ]
}

/// One env entry of the user's: never OPENCODE_CONFIG_CONTENT except with a literal value (the
/// merge of the LLM flag stops with an error on the others, as it must).
fn user_entry(downward_helpers: bool) -> impl Strategy<Value = Value> {
    let name = prop::sample::select(NAMES);
    let value = prop_oneof![
        3 => prop::sample::select(VALUES).prop_map(str::to_string),
        2 => lookalike_attributes(),
        1 => "[ -~]{0,12}",
    ];
    let helpers: Vec<Value> = if downward_helpers {
        vec![
            json!({"name": POD_NAME, "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}),
            json!({"name": POD_NAMESPACE, "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}),
        ]
    } else {
        vec![json!({"name": "A", "value": "1"})]
    };
    prop_oneof![
        8 => (name.clone(), value).prop_map(|(n, v)| json!({"name": n, "value": v})),
        2 => (name.clone(), value_from()).prop_map(|(n, vf)| json!({"name": n, "valueFrom": vf})),
        1 => name.clone().prop_map(|n| json!({"name": n})),
        1 => (name, "[ -~]{0,6}").prop_map(|(n, v)| json!({"name": n, "value": v, "x-extra": 1})),
        1 => prop::sample::select(helpers),
        1 => prop::sample::select([CONTENT_EXACT, CONTENT_LOSSY].concat())
            .prop_map(|v| json!({"name": CONFIG_CONTENT, "value": v})),
    ]
}

/// Without `downward_helpers`, no entry is an OTEL_POD_NAME or OTEL_POD_NAMESPACE from a `fieldRef`:
/// next to a block whose helper was dropped, such an entry would complete it.
fn user_env(downward_helpers: bool) -> impl Strategy<Value = Vec<Value>> {
    let entry = user_entry(downward_helpers).prop_filter("a Downward API helper", move |e| {
        downward_helpers
            || !((e["name"] == POD_NAME || e["name"] == POD_NAMESPACE)
                && e.pointer("/valueFrom/fieldRef").is_some())
    });
    // Not empty: after an injection nobody can tell `env: []` from no `env` at all.
    prop::collection::vec(entry, 1..9)
}

/// A config that injects: headers inline and from Secrets, attributes, the LLM flag, capture.
fn enabled_config() -> impl Strategy<Value = OpenTelemetry> {
    let secret = |name: &str, optional| HeaderSource {
        value: None,
        value_from: Some(Some(SecretKeyRef {
            name: Some(name.into()),
            key: "token".into(),
            optional,
        })),
    };
    let headers = vec![
        ("authorization".to_string(), secret("otel-auth", None)),
        ("x-api-key".to_string(), secret("otel-key", Some(true))),
        (
            "x-scope-orgid".to_string(),
            HeaderSource {
                value: Some("tenant-a".into()),
                value_from: None,
            },
        ),
        (
            "x-odd".to_string(),
            HeaderSource {
                value: Some("a,b=$(HOME)".into()),
                value_from: None,
            },
        ),
    ];
    (
        prop::sample::subsequence(headers, 0..=4),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(Just(("deployment.environment", "staging,x=y"))),
        prop::sample::select(&["http://c:4318", " ", "https://otel.example.com/v1?x=1"][..]),
    )
        .prop_map(|(headers, llm, record, attr, endpoint)| OpenTelemetry {
            enabled: true,
            endpoint: Some(endpoint.into()),
            headers: headers.into_iter().collect(),
            enable_llm_traces: llm,
            record_content: record,
            resource_attributes: attr
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .into_iter()
                .collect(),
        })
}

/// The workload around the env: a Deployment (pod name from the Downward API) or a named Pod,
/// with or without a namespace.
#[derive(Debug, Clone, Copy)]
struct Shape {
    pod: bool,
    namespaced: bool,
}

fn shape() -> impl Strategy<Value = Shape> {
    (any::<bool>(), any::<bool>()).prop_map(|(pod, namespaced)| Shape { pod, namespaced })
}

impl Shape {
    fn document(self, env: &[Value]) -> Value {
        let mut meta = json!({"name": if self.pod { "web-0" } else { "web" }});
        if self.namespaced {
            meta["namespace"] = json!("shop");
        }
        let spec = json!({"containers": [{"name": "app", "image": "x", "env": env}]});
        if self.pod {
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec})
        } else {
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
                   "spec": {"template": {"spec": spec}}})
        }
    }

    fn identity(self) -> Identity {
        Identity {
            task_name: None,
            namespace: self.namespaced.then(|| "shop".to_string()),
            agent_name: "coder".into(),
            pod_name: self.pod.then(|| "web-0".to_string()),
        }
    }

    fn env(self, doc: &Value) -> Vec<Value> {
        let p = if self.pod {
            "/spec/containers/0/env"
        } else {
            "/spec/template/spec/containers/0/env"
        };
        doc.pointer(p)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }
}

/// The identity attributes of a workload; `None`: read from the Downward API (the block's helpers).
#[derive(Debug, Clone)]
struct Identity {
    task_name: Option<String>,
    namespace: Option<String>,
    agent_name: String,
    pod_name: Option<String>,
}

/// The block the tool builds for `otel` and a workload of this identity.
fn block_for(otel: &OpenTelemetry, id: &Identity) -> Vec<Value> {
    build_block(
        otel,
        id.pod_name.as_deref(),
        id.namespace.as_deref(),
        &id.agent_name,
        id.task_name.as_deref(),
    )
}

/// The engine on one document, with `--all --agent coder`: its plans applied.
fn run(doc: &Value, otel: Option<&OpenTelemetry>) -> Result<Value, TestCaseError> {
    let plans = Engine::new(otel.cloned(), true, Some("coder")).plan(doc);
    if let Some(failure) = plans.failure() {
        return Err(TestCaseError::fail(format!("planning failed: {failure}")));
    }
    let mut out = doc.clone();
    plans.apply(&mut out);
    Ok(out)
}

/// The user's env after injection, as the controller writes it: the first OPENCODE_CONFIG_CONTENT
/// gets the LLM flag merged in, the block is appended, then (when the user had none) the flag's
/// own entry.
fn expected_after_injection(user: &[Value], otel: &OpenTelemetry, shape: Shape) -> Vec<Value> {
    let mut out = user.to_vec();
    let first = out.iter().position(|e| e["name"] == CONFIG_CONTENT);
    if otel.enable_llm_traces
        && let Some(i) = first
    {
        let v = out[i]["value"].as_str().unwrap_or_default();
        out[i]["value"] = json!(merged_with_llm_flag(v));
    }
    out.extend(block_for(otel, &shape.identity()));
    if otel.enable_llm_traces && first.is_none() {
        out.push(json!({"name": CONFIG_CONTENT, "value": LLM_TRACES_JSON}));
    }
    out
}

/// With the LLM flag, a replaced or re-encoded first OPENCODE_CONFIG_CONTENT keeps its place but
/// not its text: that one value is not compared.
fn lossy_entry(user: &[Value], otel: &OpenTelemetry) -> Option<usize> {
    let i = user.iter().position(|e| e["name"] == CONFIG_CONTENT)?;
    let lossy = user[i]["value"]
        .as_str()
        .is_some_and(|v| CONTENT_LOSSY.contains(&v));
    (otel.enable_llm_traces && lossy).then_some(i)
}

/// The three properties on one env list.
fn check_user_env(user: &[Value], otel: &OpenTelemetry, shape: Shape) -> Result<(), TestCaseError> {
    let doc = shape.document(user);
    // A disabled config on a manifest that was never injected changes nothing.
    prop_assert_eq!(
        &run(&doc, None)?,
        &doc,
        "disable changed a never-injected manifest"
    );

    // Injection appends the block; every entry of the user's stays where and as it was.
    let injected = run(&doc, Some(otel))?;
    let want = expected_after_injection(user, otel, shape);
    prop_assert_eq!(
        &shape.env(&injected),
        &want,
        "injection changed the user's entries"
    );

    // Removing it gives the input back.
    let mut back = run(&injected, None)?;
    if let Some(i) = lossy_entry(user, otel) {
        let p = if shape.pod {
            format!("/spec/containers/0/env/{i}/value")
        } else {
            format!("/spec/template/spec/containers/0/env/{i}/value")
        };
        let v = back.pointer_mut(&p);
        prop_assert!(v.is_some(), "the user's OPENCODE_CONFIG_CONTENT is gone");
        if let Some(v) = v {
            *v = user[i]["value"].clone();
        }
    }
    prop_assert_eq!(
        &back,
        &doc,
        "inject-then-disable did not give the input back"
    );
    Ok(())
}

proptest! {
    #![proptest_config(cases(512))]

    #[test]
    fn user_otel_settings_are_never_taken_for_an_injection(
        user in user_env(true),
        otel in enabled_config(),
        shape in shape(),
    ) {
        check_user_env(&user, &otel, shape)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Near misses: a block the tool builds, broken in one way the controller never writes
// ---------------------------------------------------------------------------------------------

/// Where the parts of a block are.
struct Parts {
    endpoint: usize,
    helper: Option<usize>,
    headers: Option<usize>,
    attributes: usize,
    downward: Option<usize>,
}

impl Parts {
    fn of(block: &[Value]) -> Option<Parts> {
        let at = |name: &str| block.iter().position(|e| e["name"] == name);
        Some(Parts {
            endpoint: at(ENDPOINT)?,
            helper: block.iter().position(|e| {
                e["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("OTEL_HEADER_"))
            }),
            headers: at(HEADERS),
            attributes: at(RESOURCE_ATTRIBUTES)?,
            downward: block
                .iter()
                .position(|e| e.pointer("/valueFrom/fieldRef").is_some()),
        })
    }
}

/// Breaks a block in place (given a look-alike attribute list); None when the block has nothing of
/// that kind to break.
type Breaker = fn(&mut Vec<Value>, &Parts, &str) -> Option<()>;

/// The ways to break a block, each of which no reading of the rules can repair.
const BREAKS: &[(&str, Breaker)] = &[
    ("empty endpoint", |b, p, _| {
        b[p.endpoint]["value"] = json!("");
        Some(())
    }),
    ("endpoint from valueFrom", |b, p, _| {
        b[p.endpoint] =
            json!({"name": ENDPOINT, "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}});
        Some(())
    }),
    ("endpoint with another key", |b, p, _| {
        b[p.endpoint]["x-extra"] = json!(true);
        Some(())
    }),
    ("helper with a value", |b, p, _| {
        let h = p.helper?;
        b[h] = json!({"name": b[h]["name"], "value": "secret"});
        Some(())
    }),
    ("helper with another field", |b, p, _| {
        b[p.helper?]["valueFrom"]["secretKeyRef"]["x-extra"] = json!("y");
        Some(())
    }),
    ("helper not referenced", |b, p, _| {
        let name = b[p.helper?]["name"].as_str()?.to_string();
        let h = p.headers?;
        // The headers of these configs sanitise apart: this is the helper's only reference.
        let v = b[h]["value"]
            .as_str()?
            .replacen(&format!("=$({name})"), "=redacted", 1);
        b[h]["value"] = json!(v);
        Some(())
    }),
    ("helper without headers", |b, p, _| {
        p.helper?;
        b.remove(p.headers?);
        Some(())
    }),
    ("look-alike attributes", |b, p, lookalike| {
        b[p.attributes]["value"] = json!(lookalike);
        Some(())
    }),
    ("an entry inside", |b, p, _| {
        b.insert(p.endpoint + 1, json!({"name": "A", "value": "1"}));
        Some(())
    }),
    ("Downward API helper missing", |b, p, _| {
        b.remove(p.downward?);
        Some(())
    }),
    ("Downward API helper of another field", |b, p, _| {
        b[p.downward?]["valueFrom"]["fieldRef"]["fieldPath"] = json!("status.podIP");
        Some(())
    }),
];

/// A shape the broken block was built for (any: an older injection may have had another).
fn built_for() -> impl Strategy<Value = Identity> {
    (shape(), prop::option::of("[a-z]{1,4}")).prop_map(|(s, task)| Identity {
        task_name: task,
        ..s.identity()
    })
}

proptest! {
    #![proptest_config(cases(512))]

    #[test]
    fn near_misses_of_a_block_are_the_users(
        before in user_env(false),
        after in user_env(false),
        written_with in enabled_config(),
        built in built_for(),
        how in prop::sample::select(BREAKS),
        lookalike in lookalike_attributes(),
        otel in enabled_config(),
        shape in shape(),
    ) {
        let mut block = block_for(&written_with, &built);
        let (what, breaker) = how;
        let Some(parts) = Parts::of(&block) else {
            return Err(TestCaseError::fail("the tool built a block without an endpoint or attributes"));
        };
        if breaker(&mut block, &parts, &lookalike).is_none() {
            return Ok(());
        }
        let user: Vec<Value> = before.into_iter().chain(block).chain(after).collect();
        check_user_env(&user, &otel, shape)
            .map_err(|e| TestCaseError::fail(format!("broken by {what}: {e}")))?;
        check_user_env(&user, &otel, shape)?;
    }
}

/// The examples the issue names, and what the property found first, kept as plain tests.
#[test]
fn the_opentelemetry_demos_own_settings_survive() {
    let user = vec![
        json!({"name": ENDPOINT, "value": "http://my-collector:4317"}),
        json!({"name": RESOURCE_ATTRIBUTES, "value": "service.name=cart"}),
    ];
    let otel = OpenTelemetry {
        enabled: true,
        endpoint: Some("http://c:4318".into()),
        enable_llm_traces: true,
        ..OpenTelemetry::default()
    };
    for pod in [false, true] {
        for namespaced in [false, true] {
            check_user_env(&user, &otel, Shape { pod, namespaced }).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Through the binary: byte for byte
// ---------------------------------------------------------------------------------------------

/// The KubeOpenCodeConfig (as JSON) for these settings.
fn config_file(o: &OpenTelemetry) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().unwrap()).path();
    let headers: Map<String, Value> = o
        .headers
        .iter()
        .map(|(name, h)| {
            let source = match (&h.value, &h.value_from) {
                (Some(v), _) => json!({"value": v}),
                (None, Some(Some(r))) => {
                    let mut r2 = json!({"name": r.name, "key": r.key});
                    if let Some(opt) = r.optional {
                        r2["optional"] = json!(opt);
                    }
                    json!({"valueFrom": {"secretKeyRef": r2}})
                }
                (None, _) => json!({}),
            };
            (name.clone(), source)
        })
        .collect();
    let config = json!({
        "apiVersion": "kubeopencode.io/v1alpha1",
        "kind": "KubeOpenCodeConfig",
        "metadata": {"name": "cluster"},
        "spec": {"observability": {"openTelemetry": {
            "enabled": o.enabled,
            "endpoint": o.endpoint,
            "headers": headers,
            "enableLLMTraces": o.enable_llm_traces,
            "recordContent": o.record_content,
            "resourceAttributes": o.resource_attributes,
        }}},
    });
    let name = format!("config-{}.json", N.fetch_add(1, Ordering::Relaxed));
    common::write_temp(dir, &name, &config.to_string())
        .to_str()
        .unwrap()
        .to_string()
}

fn run_bin(config: &str, stdin: &str) -> Result<String, TestCaseError> {
    let out = common::run(
        &[
            "-c", config, "--all", "--agent", "coder", "--quiet", "--color", "never",
        ],
        Some(stdin),
    );
    prop_assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    Ok(out.stdout)
}

proptest! {
    #![proptest_config(cases(48))]

    #[test]
    fn through_the_binary_the_users_bytes_stay(
        user in user_env(true),
        // The CRD wants an http(s) endpoint.
        otel in enabled_config().prop_filter("not a URL", |o| o.endpoint.as_deref().is_some_and(|e| e.starts_with("http"))),
        shape in shape(),
    ) {
        let text = emit_document(&shape.document(&user), &EmitOptions::default());
        let on = config_file(&otel);
        let off = config_file(&OpenTelemetry { enabled: false, ..otel.clone() });
        prop_assert_eq!(&run_bin(&off, &text)?, &text, "disable changed a never-injected manifest");
        let injected = run_bin(&on, &text)?;
        let docs = common::docs(&injected);
        prop_assert_eq!(docs.len(), 1);
        prop_assert_eq!(&shape.env(&docs[0]), &expected_after_injection(&user, &otel, shape));
        if lossy_entry(&user, &otel).is_none() {
            prop_assert_eq!(&run_bin(&off, &injected)?, &text, "inject-then-disable changed bytes");
        }
    }
}

/// The issue's example: a disabled config with `--all` deleted the demo's own settings.
#[test]
fn a_disabled_config_keeps_the_demos_settings_byte_for_byte() {
    let text = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
spec:
  template:
    spec:
      containers:
      - name: cart
        image: x
        env: [{name: OTEL_EXPORTER_OTLP_ENDPOINT, value: http://my-collector:4317}, {name: OTEL_RESOURCE_ATTRIBUTES, value: service.name=cart}]
";
    let off = config_file(&OpenTelemetry {
        endpoint: Some("http://c:4318".into()),
        ..OpenTelemetry::default()
    });
    assert_eq!(run_bin(&off, text).unwrap(), text);
}

/// The stricter recognition still finds every block the controller writes: on the controller's
/// own output (the conformance vectors' `expected.yaml`), the tool changes no byte, and a disabled
/// config gives back the workload the controller builds without observability (`input.yaml`).
#[test]
fn the_controllers_own_blocks_are_recognised() {
    let dir = common::testdata("conformance/cases");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "the conformance vectors are missing");
    let scratch = tempfile::tempdir().unwrap();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let read = |f: &str| std::fs::read_to_string(case.join(f)).unwrap();
        let (config, expected) = (read("config.yaml"), read("expected.yaml"));
        let on = common::write_temp(scratch.path(), "on.yaml", &config);
        let out = common::run(
            &["-c", on.to_str().unwrap(), "--color", "never"],
            Some(&expected),
        );
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert_eq!(
            out.stdout, expected,
            "{name}: the controller's block was not recognised"
        );

        let disabled = config.replace("enabled: true", "enabled: false");
        let off = common::write_temp(scratch.path(), "off.yaml", &disabled);
        let out = common::run(
            &["-c", off.to_str().unwrap(), "--color", "never"],
            Some(&expected),
        );
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert_eq!(
            common::docs(&out.stdout),
            common::docs(&read("input.yaml")),
            "{name}: removal does not give the workload without observability"
        );
    }
}
