//! The OTel env block, built exactly as the controller's `buildOTelEnvVars` builds it.

use serde_json::{Map, Value, json};

use super::doc::Object;
use super::{Doc, List};
use crate::config::{OpenTelemetry, SecretKeyRef};

pub const ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
pub const HEADERS: &str = "OTEL_EXPORTER_OTLP_HEADERS";
pub const RESOURCE_ATTRIBUTES: &str = "OTEL_RESOURCE_ATTRIBUTES";
pub const CAPTURE_CONTENT: &str = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";
pub const POD_NAME: &str = "OTEL_POD_NAME";
/// Our own helper for a namespace the manifest does not state (the controller always knows it).
pub const POD_NAMESPACE: &str = "OTEL_POD_NAMESPACE";
pub const HEADER_PREFIX: &str = "OTEL_HEADER_";
pub const CONFIG_CONTENT: &str = "OPENCODE_CONFIG_CONTENT";
/// What `enableLLMTraces` merges into OPENCODE_CONFIG_CONTENT.
pub const LLM_TRACES_JSON: &str = r#"{"experimental":{"openTelemetry":true}}"#;

/// The controller's `sanitizeOTelHeaderEnvVarName`: one character per code point, ASCII letters
/// upper-cased, ASCII digits kept, everything else `_`.
pub fn helper_name(header: &str) -> String {
    let mut out = String::with_capacity(HEADER_PREFIX.len() + header.len());
    out.push_str(HEADER_PREFIX);
    out.extend(header.chars().map(|c| {
        if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        }
    }));
    out
}

/// A value that is either known when the manifest is written or read by the kubelet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    Literal(String),
    /// Resolved through the Downward API helper variable of this name.
    Downward(&'static str),
}

impl Known {
    fn render(&self) -> String {
        match self {
            Known::Literal(s) => s.clone(),
            Known::Downward(var) => format!("$({var})"),
        }
    }
}

/// The identity attributes of one workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Task Pods only.
    pub task_name: Option<String>,
    pub namespace: Known,
    pub agent_name: String,
    pub pod_name: Known,
}

fn env_value(name: &str, value: &str) -> Value {
    json!({"name": name, "value": value})
}

fn field_ref(name: &str, path: &str) -> Value {
    json!({"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}})
}

fn secret_ref(name: &str, r: &SecretKeyRef) -> Value {
    // Key order as the controller's YAML shows it (key, name, optional); an empty name is omitted
    // like Go's `omitempty`.
    let mut sel = Map::new();
    sel.insert("key".into(), Value::String(r.key.clone()));
    if let Some(n) = r.name.as_deref().filter(|n| !n.is_empty()) {
        sel.insert("name".into(), Value::String(n.to_string()));
    }
    if let Some(o) = r.optional {
        sel.insert("optional".into(), Value::Bool(o));
    }
    json!({"name": name, "valueFrom": {"secretKeyRef": sel}})
}

/// The env entries the controller injects, in order, including the Downward API helpers that come
/// first (OTEL_POD_NAME for pod templates and unnamed Pods; OTEL_POD_NAMESPACE when the namespace is
/// not in the manifest).
pub fn build_block(otel: &OpenTelemetry, id: &Identity) -> Vec<Value> {
    let mut out = Vec::new();
    if id.pod_name == Known::Downward(POD_NAME) {
        out.push(field_ref(POD_NAME, "metadata.name"));
    }
    if id.namespace == Known::Downward(POD_NAMESPACE) {
        out.push(field_ref(POD_NAMESPACE, "metadata.namespace"));
    }
    out.push(env_value(
        ENDPOINT,
        otel.endpoint.as_deref().unwrap_or_default(),
    ));
    let mut parts = Vec::new();
    for (name, h) in &otel.headers {
        if let Some(v) = h.value.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{name}={v}"));
        } else if let Some(Some(r)) = &h.value_from {
            let helper = helper_name(name);
            out.push(secret_ref(&helper, r));
            parts.push(format!("{name}=$({helper})"));
        }
    }
    if !parts.is_empty() {
        out.push(env_value(HEADERS, &parts.join(",")));
    }
    // One string, written in place (the pieces and their join were a dozen allocations per
    // workload).
    let ns = id.namespace.render();
    let pod = id.pod_name.render();
    let mut attrs = String::with_capacity(128 + 2 * ns.len() + pod.len());
    if let Some(task) = &id.task_name {
        attrs.push_str("kubeopencode.task.name=");
        attrs.push_str(task);
        attrs.push(',');
    }
    for (k, v) in [
        ("kubeopencode.task.namespace=", ns.as_str()),
        (",kubeopencode.agent.name=", id.agent_name.as_str()),
        (",k8s.namespace.name=", ns.as_str()),
        (",k8s.pod.name=", pod.as_str()),
    ] {
        attrs.push_str(k);
        attrs.push_str(v);
    }
    for (k, v) in &otel.resource_attributes {
        attrs.push(',');
        attrs.push_str(k);
        attrs.push('=');
        attrs.push_str(v);
    }
    out.push(env_value(RESOURCE_ATTRIBUTES, &attrs));
    if otel.record_content {
        out.push(env_value(CAPTURE_CONTENT, "true"));
    }
    out
}

/// Names the tool manages: an entry with one of these names outside the block is a user setting.
pub fn is_managed_name(name: &str) -> bool {
    matches!(
        name,
        ENDPOINT | HEADERS | RESOURCE_ATTRIBUTES | CAPTURE_CONTENT | POD_NAME | POD_NAMESPACE
    ) || name.starts_with(HEADER_PREFIX)
}

/// An entry that is a mapping with exactly these keys.
fn with_keys<'a>(e: Doc<'a>, keys: &[&str]) -> Option<Object<'a>> {
    let m = e.as_object()?;
    // A mapping's keys are distinct, so as many keys as wanted, each one wanted, are exactly the
    // wanted ones (compared, not hashed: see `engine::Field`).
    (m.len() == keys.len() && m.iter().all(|(k, _)| keys.contains(&k))).then_some(m)
}

/// `m[key]`, found as `engine::Field` finds it; Null when absent.
fn at_key<'a>(m: Object<'a>, key: &str) -> Doc<'a> {
    m.field(key).unwrap_or(Doc::NULL)
}

/// `{name: NAME, value: "…"}` and nothing else: the value, as the controller writes it.
fn plain_value<'a>(e: Doc<'a>, name: &str) -> Option<&'a str> {
    let m = with_keys(e, &["name", "value"])?;
    (at_key(m, "name").as_str() == Some(name)).then_some(())?;
    at_key(m, "value").as_str()
}

/// `{name: NAME, valueFrom: {fieldRef: {fieldPath: PATH}}}`, as the tool and the controller write
/// the Downward API helpers (the API server adds `apiVersion: v1`, so that is accepted too).
fn is_field_ref(e: Doc, name: &str, path: &str) -> bool {
    let Some(m) = with_keys(e, &["name", "valueFrom"]) else {
        return false;
    };
    let field = with_keys(at_key(m, "valueFrom"), &["fieldRef"]).map(|v| at_key(v, "fieldRef"));
    let field = field.and_then(|f| {
        with_keys(f, &["fieldPath"]).or_else(|| with_keys(f, &["apiVersion", "fieldPath"]))
    });
    at_key(m, "name").as_str() == Some(name)
        && field.is_some_and(|f| {
            at_key(f, "fieldPath").as_str() == Some(path)
                && f.field("apiVersion")
                    .is_none_or(|v| v.as_str() == Some("v1"))
        })
}

/// A header helper: an `OTEL_HEADER_*` name and a `valueFrom.secretKeyRef` copied from the
/// config (key, and optionally name and optional), nothing else. Returns the helper's name.
fn secret_helper<'a>(e: Doc<'a>) -> Option<&'a str> {
    let m = with_keys(e, &["name", "valueFrom"])?;
    let name = at_key(m, "name")
        .as_str()
        .filter(|n| n.starts_with(HEADER_PREFIX))?;
    let r = at_key(
        with_keys(at_key(m, "valueFrom"), &["secretKeyRef"])?,
        "secretKeyRef",
    )
    .as_object()?;
    let fields_ok = r.iter().all(|(k, v)| match k {
        "key" | "name" => v.is_string(),
        "optional" => v.is_boolean(),
        _ => false,
    });
    (fields_ok && r.field("key").is_some()).then_some(name)
}

/// Whether an OTEL_EXPORTER_OTLP_HEADERS value is what the controller joins for these helpers: a
/// `,`-joined list of `name=value` items in which each helper, in order, is referenced by an item
/// `name=$(HELPER)` whose name sanitises to HELPER. Items may hold `,` (nothing is escaped), so a
/// run of other items only has to hold an `=`.
fn headers_reference(value: &str, helpers: &[&str]) -> bool {
    // Some(offset) where the next item starts; None once the last item has been consumed.
    let mut from = Some(0);
    let others_ok = |s: &str| s.contains('=');
    for helper in helpers {
        let Some(start) = from else { return false };
        let needle = format!("=$({helper})");
        let mut matched = None;
        let mut search = start;
        while let Some(off) = value[search..].find(&needle) {
            let eq = search + off;
            let end = eq + needle.len();
            search = eq + 1;
            if end < value.len() && value.as_bytes()[end] != b',' {
                continue;
            }
            // The item's name starts at `start` or right after a `,`; every other item before it
            // is `name=value`.
            let name_start = std::iter::once(start)
                .chain(
                    value[start..eq]
                        .match_indices(',')
                        .map(|(i, _)| start + i + 1),
                )
                .find(|&s| {
                    helper_name(&value[s..eq]) == *helper
                        && (s == start || others_ok(&value[start..s - 1]))
                });
            if name_start.is_some() {
                matched = Some(end);
                break;
            }
        }
        let Some(end) = matched else { return false };
        from = (end < value.len()).then_some(end + 1);
    }
    match from {
        None => true,
        // Whatever follows the last reference (or the whole value without helpers) is items.
        Some(start) => others_ok(&value[start..]),
    }
}

/// What the built-in attributes at the start of an OTEL_RESOURCE_ATTRIBUTES value say, or None when
/// the value does not begin with them in the controller's order:
/// `[kubeopencode.task.name=T,]kubeopencode.task.namespace=NS,kubeopencode.agent.name=A,
/// k8s.namespace.name=NS,k8s.pod.name=P[,user attributes]`, the same NS twice.
/// Returns whether the pod name and the namespace are read through the Downward API helpers.
fn builtin_attributes(value: &str) -> Option<(bool, bool)> {
    let rest = match value.strip_prefix("kubeopencode.task.name=") {
        Some(r) => r.split_once(",kubeopencode.task.namespace=")?.1,
        None => value.strip_prefix("kubeopencode.task.namespace=")?,
    };
    let (ns, rest) = rest.split_once(",kubeopencode.agent.name=")?;
    let (_agent, rest) = rest.split_once(",k8s.namespace.name=")?;
    let (ns_again, rest) = rest.split_once(",k8s.pod.name=")?;
    let pod = rest.split_once(',').map_or(rest, |(p, _)| p);
    (ns == ns_again).then_some((
        pod == Known::Downward(POD_NAME).render(),
        ns == Known::Downward(POD_NAMESPACE).render(),
    ))
}

/// Finds the first run of env entries that is exactly what the controller or this tool writes:
/// `[OTEL_POD_NAME] [OTEL_POD_NAMESPACE] OTEL_EXPORTER_OTLP_ENDPOINT OTEL_HEADER_*…
/// [OTEL_EXPORTER_OTLP_HEADERS] OTEL_RESOURCE_ATTRIBUTES [OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT]`.
///
/// Shape alone is not enough: workloads set their own OTel variables (the OpenTelemetry demo sets
/// an endpoint and `service.name` attributes), and those are the user's. So the endpoint is a
/// non-empty plain value; each header helper has a `secretKeyRef` and nothing else, and is
/// referenced from the headers value; the attributes begin with the built-ins in the controller's
/// order; the capture flag is `"true"`. The Downward API helpers belong to the block exactly when
/// its attributes read them, and then must be right before the endpoint, as written. Nothing of the
/// current config is required, so a block written with an older config is still found.
pub fn find_block<'a>(env: impl Into<List<'a>>) -> Option<std::ops::Range<usize>> {
    let env = env.into();
    (0..env.len()).find_map(|start| block_at(env, start))
}

fn block_at(env: List, start: usize) -> Option<std::ops::Range<usize>> {
    plain_value(env.at(start), ENDPOINT).filter(|v| !v.is_empty())?;
    let mut i = start + 1;
    let mut helpers = Vec::new();
    while let Some(h) = env.get(i).and_then(secret_helper) {
        helpers.push(h);
        i += 1;
    }
    match env.get(i).and_then(|e| plain_value(e, HEADERS)) {
        Some(headers) if headers_reference(headers, &helpers) => i += 1,
        Some(_) => return None,
        None if !helpers.is_empty() => return None,
        None => {}
    }
    let attrs = env
        .get(i)
        .and_then(|e| plain_value(e, RESOURCE_ATTRIBUTES))?;
    let (pod_downward, ns_downward) = builtin_attributes(attrs)?;
    i += 1;
    if env.get(i).and_then(|e| plain_value(e, CAPTURE_CONTENT)) == Some("true") {
        i += 1;
    }
    let mut first = start;
    for (needed, name, path) in [
        (ns_downward, POD_NAMESPACE, "metadata.namespace"),
        (pod_downward, POD_NAME, "metadata.name"),
    ] {
        if needed {
            first = first
                .checked_sub(1)
                .filter(|&j| is_field_ref(env.at(j), name, path))?;
        }
    }
    Some(first..i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::HeaderSource;
    use crate::engine::Field;

    fn name_of(e: &Value) -> Option<&str> {
        e.field("name").and_then(Value::as_str)
    }

    fn vectors() -> Vec<Value> {
        let text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/conformance/helpers.json"
        ));
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn helper_names_match_the_controller() {
        let mut n = 0;
        for v in vectors()
            .iter()
            .filter(|v| v["helper"] == "sanitizeOTelHeaderEnvVarName")
        {
            assert_eq!(
                helper_name(v["input"].as_str().unwrap()),
                v["output"].as_str().unwrap()
            );
            n += 1;
        }
        assert!(n >= 10);
    }

    fn otel_from(v: &Value) -> OpenTelemetry {
        let o = &v["openTelemetry"];
        let headers = o["headers"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, h)| {
                        let value_from = h.field("valueFrom").map(|vf| {
                            vf.field("secretKeyRef").map(|r| SecretKeyRef {
                                name: r["name"].as_str().map(str::to_string),
                                key: r["key"].as_str().unwrap_or_default().to_string(),
                                optional: r["optional"].as_bool(),
                            })
                        });
                        (
                            k.clone(),
                            HeaderSource {
                                value: h["value"].as_str().map(str::to_string),
                                value_from,
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        OpenTelemetry {
            enabled: o["enabled"].as_bool().unwrap_or(false),
            endpoint: o["endpoint"].as_str().map(str::to_string),
            headers,
            enable_llm_traces: o["enableLLMTraces"].as_bool().unwrap_or(false),
            record_content: o["recordContent"].as_bool().unwrap_or(false),
            resource_attributes: o["resourceAttributes"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    #[test]
    fn blocks_match_the_controller() {
        let mut n = 0;
        for v in vectors()
            .iter()
            .filter(|v| v["helper"] == "buildOTelEnvVars")
        {
            let otel = otel_from(&v["input"]);
            let ids = &v["input"]["ids"];
            let s = |k: &str| ids[k].as_str().unwrap().to_string();
            let id = Identity {
                task_name: Some(s("taskName")).filter(|t| !t.is_empty()),
                namespace: Known::Literal(s("taskNamespace")),
                agent_name: s("agentName"),
                pod_name: if s("podName").is_empty() {
                    Known::Downward(POD_NAME)
                } else {
                    Known::Literal(s("podName"))
                },
            };
            let got = if otel.is_active() {
                let mut b = build_block(&otel, &id);
                // The vectors are buildOTelEnvVars alone; OTEL_POD_NAME is added by its caller.
                b.retain(|e| name_of(e) != Some(POD_NAME));
                Value::Array(b)
            } else {
                Value::Null
            };
            assert_eq!(got, v["output"], "{}", v["note"]);
            n += 1;
        }
        assert!(n >= 8);
    }

    fn config(headers: &[(&str, Option<&str>)], record: bool) -> OpenTelemetry {
        OpenTelemetry {
            enabled: true,
            endpoint: Some("http://c".into()),
            record_content: record,
            headers: headers
                .iter()
                .map(|(n, v)| {
                    let source = match v {
                        Some(v) => HeaderSource {
                            value: Some(v.to_string()),
                            value_from: None,
                        },
                        None => HeaderSource {
                            value: None,
                            value_from: Some(Some(SecretKeyRef {
                                name: Some("s".into()),
                                key: "k".into(),
                                optional: Some(true),
                            })),
                        },
                    };
                    (n.to_string(), source)
                })
                .collect(),
            resource_attributes: [("a,b".to_string(), "x=y,z".to_string())].into(),
            ..Default::default()
        }
    }

    fn id(task: Option<&str>, ns: Known, pod: Known) -> Identity {
        Identity {
            task_name: task.map(str::to_string),
            namespace: ns,
            agent_name: "a,gent".into(),
            pod_name: pod,
        }
    }

    fn user(name: &str, value: &str) -> Value {
        json!({"name": name, "value": value})
    }

    #[test]
    fn finds_every_block_it_builds_whole() {
        let headers: &[&[(&str, Option<&str>)]] = &[
            &[],
            &[("x-api-key", None)],
            &[
                ("a", Some("v,b=$(OTEL_HEADER_B)")),
                ("b", None),
                ("c", Some("w")),
            ],
            &[
                ("X_API_KEY", None),
                ("x-api-key", None),
                ("x.api.key", None),
            ],
            &[("a,b", None), ("日本", None), ("", None)],
            &[("inline", Some("only"))],
        ];
        let ids = [
            id(
                Some("t"),
                Known::Literal("ns".into()),
                Known::Literal("t-pod".into()),
            ),
            id(None, Known::Literal("ns".into()), Known::Downward(POD_NAME)),
            id(
                None,
                Known::Downward(POD_NAMESPACE),
                Known::Downward(POD_NAME),
            ),
            id(
                Some(""),
                Known::Downward(POD_NAMESPACE),
                Known::Literal("p".into()),
            ),
        ];
        for h in headers {
            for record in [false, true] {
                for id in &ids {
                    let block = build_block(&config(h, record), id);
                    let mut env = vec![user("A", "1"), user(POD_NAME, "own")];
                    env.extend(block.iter().cloned());
                    env.push(user(ENDPOINT, "http://user"));
                    let n = block.len();
                    assert_eq!(find_block(&env), Some(2..2 + n), "{block:?}");
                }
            }
        }
    }

    #[test]
    fn the_users_own_settings_are_not_a_block() {
        let attrs = "kubeopencode.task.namespace=ns,kubeopencode.agent.name=a,k8s.namespace.name=ns,k8s.pod.name=p";
        let secret = json!({"name": "OTEL_HEADER_X", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}});
        let not_blocks: Vec<Vec<Value>> = vec![
            // The OpenTelemetry demo.
            vec![
                user(ENDPOINT, "http://my-collector:4317"),
                user(RESOURCE_ATTRIBUTES, "service.name=cart"),
            ],
            vec![
                user(ENDPOINT, "http://c"),
                user(HEADERS, "a=b"),
                user(RESOURCE_ATTRIBUTES, "service.name=cart"),
            ],
            // Built-ins out of order, or missing one, or two namespaces.
            vec![
                user(ENDPOINT, "http://c"),
                user(
                    RESOURCE_ATTRIBUTES,
                    "kubeopencode.agent.name=a,kubeopencode.task.namespace=ns,k8s.namespace.name=ns,k8s.pod.name=p",
                ),
            ],
            vec![
                user(ENDPOINT, "http://c"),
                user(
                    RESOURCE_ATTRIBUTES,
                    "kubeopencode.task.namespace=ns,k8s.namespace.name=ns,k8s.pod.name=p",
                ),
            ],
            vec![
                user(ENDPOINT, "http://c"),
                user(
                    RESOURCE_ATTRIBUTES,
                    "kubeopencode.task.namespace=a,kubeopencode.agent.name=a,k8s.namespace.name=b,k8s.pod.name=p",
                ),
            ],
            vec![
                user(ENDPOINT, "http://c"),
                user(RESOURCE_ATTRIBUTES, &format!("service.name=x,{attrs}")),
            ],
            // An empty endpoint, or one from valueFrom, or an extra key.
            vec![user(ENDPOINT, ""), user(RESOURCE_ATTRIBUTES, attrs)],
            vec![
                json!({"name": ENDPOINT, "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}),
                user(RESOURCE_ATTRIBUTES, attrs),
            ],
            vec![
                json!({"name": ENDPOINT, "value": "http://c", "x": 1}),
                user(RESOURCE_ATTRIBUTES, attrs),
            ],
            // A helper without its reference, or without a headers entry, or not from a secret.
            vec![
                user(ENDPOINT, "http://c"),
                secret.clone(),
                user(HEADERS, "x=y"),
                user(RESOURCE_ATTRIBUTES, attrs),
            ],
            vec![
                user(ENDPOINT, "http://c"),
                secret.clone(),
                user(HEADERS, "y=$(OTEL_HEADER_X)"),
                user(RESOURCE_ATTRIBUTES, attrs),
            ],
            vec![
                user(ENDPOINT, "http://c"),
                secret.clone(),
                user(HEADERS, "x=$(OTEL_HEADER_X)z"),
                user(RESOURCE_ATTRIBUTES, attrs),
            ],
            vec![
                user(ENDPOINT, "http://c"),
                secret.clone(),
                user(RESOURCE_ATTRIBUTES, attrs),
            ],
            vec![
                user(ENDPOINT, "http://c"),
                user("OTEL_HEADER_X", "v"),
                user(HEADERS, "x=$(OTEL_HEADER_X)"),
                user(RESOURCE_ATTRIBUTES, attrs),
            ],
            vec![
                user(ENDPOINT, "http://c"),
                user(HEADERS, "no-equals"),
                user(RESOURCE_ATTRIBUTES, attrs),
            ],
            // Downward API references without their helper right before the endpoint.
            vec![
                user(ENDPOINT, "http://c"),
                user(
                    RESOURCE_ATTRIBUTES,
                    "kubeopencode.task.namespace=ns,kubeopencode.agent.name=a,k8s.namespace.name=ns,k8s.pod.name=$(OTEL_POD_NAME)",
                ),
            ],
            vec![
                field_ref(POD_NAME, "status.podIP"),
                user(ENDPOINT, "http://c"),
                user(
                    RESOURCE_ATTRIBUTES,
                    "kubeopencode.task.namespace=ns,kubeopencode.agent.name=a,k8s.namespace.name=ns,k8s.pod.name=$(OTEL_POD_NAME)",
                ),
            ],
            vec![
                field_ref(POD_NAME, "metadata.name"),
                user(ENDPOINT, "http://c"),
                user(
                    RESOURCE_ATTRIBUTES,
                    "kubeopencode.task.namespace=$(OTEL_POD_NAMESPACE),kubeopencode.agent.name=a,k8s.namespace.name=$(OTEL_POD_NAMESPACE),k8s.pod.name=$(OTEL_POD_NAME)",
                ),
            ],
        ];
        for env in not_blocks {
            assert_eq!(find_block(&env), None, "{env:?}");
        }
        // The capture flag belongs to the block only as the controller writes it.
        let env = vec![
            user(ENDPOINT, "http://c"),
            user(RESOURCE_ATTRIBUTES, attrs),
            user(CAPTURE_CONTENT, "false"),
        ];
        assert_eq!(find_block(&env), Some(0..2));
        // A later real block is still found after a look-alike.
        let env = vec![
            user(ENDPOINT, "http://u"),
            user(RESOURCE_ATTRIBUTES, "service.name=cart"),
            user(ENDPOINT, "http://c"),
            user(RESOURCE_ATTRIBUTES, attrs),
        ];
        assert_eq!(find_block(&env), Some(2..4));
        // `kubectl get` output: the API server adds apiVersion to the fieldRef.
        let env = vec![
            json!({"name": POD_NAME, "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}),
            user(ENDPOINT, "http://c"),
            user(
                RESOURCE_ATTRIBUTES,
                "kubeopencode.task.namespace=ns,kubeopencode.agent.name=a,k8s.namespace.name=ns,k8s.pod.name=$(OTEL_POD_NAME)",
            ),
        ];
        assert_eq!(find_block(&env), Some(0..3));
    }
}
