//! The OTel env block, built exactly as the controller's `buildOTelEnvVars` builds it.

use serde_json::{Map, Value, json};

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
    let ns = id.namespace.render();
    let mut attrs = Vec::new();
    if let Some(task) = &id.task_name {
        attrs.push(format!("kubeopencode.task.name={task}"));
    }
    attrs.push(format!("kubeopencode.task.namespace={ns}"));
    attrs.push(format!("kubeopencode.agent.name={}", id.agent_name));
    attrs.push(format!("k8s.namespace.name={ns}"));
    attrs.push(format!("k8s.pod.name={}", id.pod_name.render()));
    for (k, v) in &otel.resource_attributes {
        attrs.push(format!("{k}={v}"));
    }
    out.push(env_value(RESOURCE_ATTRIBUTES, &attrs.join(",")));
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

fn name_of(e: &Value) -> Option<&str> {
    e.get("name").and_then(Value::as_str)
}

fn is_field_ref(e: &Value, name: &str, path: &str) -> bool {
    name_of(e) == Some(name)
        && e.get("value").is_none()
        && e.pointer("/valueFrom/fieldRef/fieldPath")
            .and_then(Value::as_str)
            == Some(path)
}

fn is_plain_value(e: &Value, name: &str) -> bool {
    name_of(e) == Some(name)
        && e.get("value").is_some_and(Value::is_string)
        && e.get("valueFrom").is_none()
}

/// Finds the first run of env entries shaped like an injected block:
/// `[OTEL_POD_NAME] [OTEL_POD_NAMESPACE] OTEL_EXPORTER_OTLP_ENDPOINT OTEL_HEADER_*… [OTEL_EXPORTER_OTLP_HEADERS]
/// OTEL_RESOURCE_ATTRIBUTES [OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT]`.
/// A lone OTEL_EXPORTER_OTLP_ENDPOINT is a user setting, not a block.
///
/// The Downward API helpers before the endpoint belong to the block only where this workload's
/// block has them (`helpers`: OTEL_POD_NAME, OTEL_POD_NAMESPACE); elsewhere an OTEL_POD_NAME
/// right before the block is the user's own.
pub fn find_block(env: &[Value], helpers: (bool, bool)) -> Option<std::ops::Range<usize>> {
    for start in 0..env.len() {
        if !is_plain_value(&env[start], ENDPOINT) {
            continue;
        }
        let mut i = start + 1;
        while i < env.len()
            && name_of(&env[i]).is_some_and(|n| n.starts_with(HEADER_PREFIX))
            && env[i].pointer("/valueFrom/secretKeyRef").is_some()
        {
            i += 1;
        }
        if i < env.len() && is_plain_value(&env[i], HEADERS) {
            i += 1;
        }
        if !(i < env.len() && is_plain_value(&env[i], RESOURCE_ATTRIBUTES)) {
            continue;
        }
        i += 1;
        if i < env.len() && is_plain_value(&env[i], CAPTURE_CONTENT) {
            i += 1;
        }
        let (pod_name, pod_namespace) = helpers;
        let mut first = start;
        if pod_namespace
            && first > 0
            && is_field_ref(&env[first - 1], POD_NAMESPACE, "metadata.namespace")
        {
            first -= 1;
        }
        if pod_name && first > 0 && is_field_ref(&env[first - 1], POD_NAME, "metadata.name") {
            first -= 1;
        }
        return Some(first..i);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::HeaderSource;

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
                        let value_from = h.get("valueFrom").map(|vf| {
                            vf.get("secretKeyRef").map(|r| SecretKeyRef {
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

    #[test]
    fn finds_blocks_and_ignores_lone_endpoints() {
        let otel = OpenTelemetry {
            enabled: true,
            endpoint: Some("http://c".into()),
            ..Default::default()
        };
        let id = Identity {
            task_name: None,
            namespace: Known::Literal("ns".into()),
            agent_name: "a".into(),
            pod_name: Known::Downward(POD_NAME),
        };
        let mut env = vec![json!({"name": "A", "value": "1"})];
        env.extend(build_block(&otel, &id));
        env.push(json!({"name": ENDPOINT, "value": "user"}));
        assert_eq!(find_block(&env, (true, false)), Some(1..4));
        assert_eq!(find_block(&env[4..], (true, false)), None);
        // Where the block has no OTEL_POD_NAME (a named Pod), one before it is the user's.
        assert_eq!(find_block(&env, (false, false)), Some(2..4));
    }
}
