//! The contract that lets the engine read a YAML tree in place (`engine::Doc::Yaml`) instead of
//! its converted `serde_json::Value`: for a tree that `yaml::tree::reads_in_place`, the conversion
//! succeeds, every question the engine asks of a node gets the answer the value gives, and the
//! engine's plans are equal. `tests/in_place.rs` runs it over the corpora, mutations and
//! generated documents.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::config::{HeaderSource, OpenTelemetry, SecretKeyRef};
use crate::engine::{self, Doc, Options, StreamContext};
use crate::lint::{self, SecretIndex};
use crate::yaml::tree::{self, Limits};

/// Checks the contract on one document. Returns whether its tree reads in place (false also for
/// a text that does not parse), or a description of the first difference.
pub fn check_in_place(text: &str) -> Result<bool, String> {
    let limits = Limits::default();
    let Ok(doc) = tree::parse(text, &limits) else {
        return Ok(false);
    };
    let walked = doc.root.as_ref().is_some_and(tree::reads_in_place);
    // The parser's own answer (the fast path's), when it gives one, is the walk's.
    if doc.in_place.is_some_and(|flag| flag != walked) {
        return Err(format!(
            "the parser says the tree reads in place: {:?}, the walk: {walked}\n{text:?}",
            doc.in_place
        ));
    }
    let Some(root) = &doc.root else {
        return Ok(false);
    };
    if !walked {
        return Ok(false);
    }
    let value = tree::to_value(&doc, &limits).map_err(|e| {
        format!("the tree reads in place, but its conversion fails ({e}):\n{text:?}")
    })?;
    if Doc::Yaml(root).to_value() != value {
        return Err(format!("the tree converts differently in place:\n{text:?}"));
    }
    same(Doc::Yaml(root), &value, "")
        .map_err(|at| format!("the tree and its value differ at `{at}`:\n{text:?}"))?;
    let ctx = StreamContext::default();
    for (otel, opts) in settings() {
        let tree_plans = engine::plan_document(Doc::Yaml(root), otel.as_ref(), &ctx, &opts);
        let value_plans = engine::plan_document(&value, otel.as_ref(), &ctx, &opts);
        if tree_plans != value_plans {
            return Err(format!(
                "the engine plans differently on the tree and on its value ({otel:?}, {opts:?}):\n\
                 tree:  {tree_plans:?}\nvalue: {value_plans:?}\ndocument:\n{text:?}"
            ));
        }
        lints_as_applied(Doc::Yaml(root), &value, &tree_plans)
            .map_err(|e| format!("{e} ({otel:?}, {opts:?}):\n{text:?}"))?;
    }
    Ok(true)
}

/// Checks that `check`'s workload lints read a document before its edit (`Edited::No`: the env
/// as the edit leaves it, without writing it) as they read its value once the edit is applied;
/// for any document that parses, whether or not its tree reads in place. `check_in_place` calls
/// it on the tree too.
pub fn check_lints_as_applied(text: &str) -> Result<(), String> {
    let limits = Limits::default();
    let Ok(doc) = tree::parse(text, &limits) else {
        return Ok(());
    };
    let Ok(value) = tree::to_value(&doc, &limits) else {
        return Ok(());
    };
    let ctx = StreamContext::default();
    for (otel, opts) in settings() {
        let plans = engine::plan_document(&value, otel.as_ref(), &ctx, &opts);
        lints_as_applied(Doc::Json(&value), &value, &plans)
            .map_err(|e| format!("{e} ({otel:?}, {opts:?}):\n{text:?}"))?;
    }
    Ok(())
}

/// The lints of `doc` read before the edit equal those of `value` (the same document) with the
/// edit applied, with and without the Secrets that the env and the block read.
fn lints_as_applied(doc: Doc, value: &Value, plans: &[engine::WorkloadPlan]) -> Result<(), String> {
    let mut applied = value.clone();
    engine::apply(&mut applied, plans);
    let mut with_secrets = SecretIndex::default();
    for ns in ["", "ns", "default"] {
        for name in ["otel", "s", "secret"] {
            let secret = serde_json::json!({
                "apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns}
            });
            with_secrets.add(&secret, None);
        }
    }
    for secrets in [SecretIndex::default(), with_secrets] {
        for ns in [None, Some("ns")] {
            let before = lint::lint_workloads(doc, lint::Edited::No, plans, &secrets, ns);
            let after =
                lint::lint_workloads(Doc::Json(&applied), lint::Edited::Yes, plans, &secrets, ns);
            if before != after {
                return Err(format!(
                    "the lints read the document before its edit differently:\n\
                     before: {before:?}\napplied: {after:?}"
                ));
            }
        }
    }
    Ok(())
}

/// The settings the plans are compared under: enabled with every part of the block (a Secret
/// header, LLM traces, content capture), enabled with an inline header and a namespace, and
/// disabled (which removes a block), each selecting every workload.
fn settings() -> Vec<(Option<OpenTelemetry>, Options)> {
    let all = Options {
        all: true,
        ..Options::default()
    };
    let full = OpenTelemetry {
        enabled: true,
        endpoint: Some("http://collector:4318".into()),
        headers: BTreeMap::from([(
            "x-api-key".to_string(),
            HeaderSource {
                value: None,
                value_from: Some(Some(SecretKeyRef {
                    name: Some("otel".into()),
                    key: "key".into(),
                    optional: None,
                })),
            },
        )]),
        enable_llm_traces: true,
        record_content: true,
        resource_attributes: BTreeMap::from([("team".to_string(), "a".to_string())]),
    };
    let inline = OpenTelemetry {
        headers: BTreeMap::from([(
            "authorization".to_string(),
            HeaderSource {
                value: Some("Bearer t".into()),
                value_from: None,
            },
        )]),
        enable_llm_traces: false,
        record_content: false,
        resource_attributes: BTreeMap::new(),
        ..full.clone()
    };
    vec![
        (Some(full), all.clone()),
        (
            Some(inline),
            Options {
                namespace: Some("ns".into()),
                agent: Some("agent".into()),
                ..all.clone()
            },
        ),
        (None, all),
    ]
}

/// Whether a node answers as its value does, recursively; the path of the first difference.
/// Containers are compared whole once, at the root (`check_in_place`): a copy per node would
/// make a deep document quadratic.
fn same(d: Doc, v: &Value, path: &str) -> Result<(), String> {
    let answers = |d: Doc| {
        let scalar = !(d.is_array() || d.is_object());
        (
            d.as_str().map(str::to_string),
            d.as_bool(),
            d.is_null(),
            d.is_number(),
            d.is_string(),
            d.is_array(),
            d.is_object(),
            scalar.then(|| (d.to_string(), d.to_value())),
        )
    };
    if answers(d) != answers(Doc::Json(v)) {
        return Err(path.to_string());
    }
    match (d.as_array(), v) {
        (Some(items), Value::Array(values)) => {
            if items.len() != values.len() || items.get(values.len()).is_some() {
                return Err(path.to_string());
            }
            for (i, (item, value)) in items.iter().zip(values).enumerate() {
                same(item, value, &format!("{path}[{i}]"))?;
            }
        }
        (None, Value::Array(_)) => return Err(path.to_string()),
        _ => {}
    }
    match (d.as_object(), v) {
        (Some(m), Value::Object(values)) => {
            let keys: Vec<&str> = m.iter().map(|(k, _)| k).collect();
            let value_keys: Vec<&str> = values.keys().map(String::as_str).collect();
            if m.len() != values.len() || keys != value_keys {
                return Err(format!("{path} (keys)"));
            }
            for (k, value) in values {
                let at = format!("{path}.{k}");
                let (Some(field), Some(by_object)) = (d.field(k), m.field(k)) else {
                    return Err(at);
                };
                if !same_node(field, by_object) {
                    return Err(at);
                }
                same(field, value, &at)?;
            }
            if d.field("\u{0}absent").is_some() {
                return Err(format!("{path} (an absent key)"));
            }
        }
        (None, Value::Object(_)) => return Err(path.to_string()),
        _ => {}
    }
    Ok(())
}

/// The same node of the same document (the two lookups of a key agree).
fn same_node(a: Doc, b: Doc) -> bool {
    match (a, b) {
        (Doc::Json(x), Doc::Json(y)) => std::ptr::eq(x, y),
        (Doc::Yaml(x), Doc::Yaml(y)) => std::ptr::eq(x, y),
        _ => false,
    }
}
