//! The KubeOpenCodeConfig: parsing and the CRD's validation rules.
//!
//! Only `spec.observability.openTelemetry` drives injection, but the whole object is checked the
//! way the API server would check it (field names, types, patterns, the CEL rules), so a config that
//! `kubectl apply` would reject is rejected here too, with the place and the fix.

use std::collections::BTreeMap;

use serde_json::Value;

/// A problem found in the config, located by its field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    /// Dotted path of the field, e.g. `spec.observability.openTelemetry.endpoint`.
    pub path: Vec<String>,
    /// True when the problem is the key itself (unknown field), not its value.
    pub at_key: bool,
    pub message: String,
    pub help: Option<String>,
    /// The API server rejects this, but the controller tolerates it (it skips the header), so
    /// `inject` warns and goes on while `validate` fails.
    pub tolerated: bool,
}

impl ConfigIssue {
    pub fn path_string(&self) -> String {
        self.path.join(".")
    }
}

/// `valueFrom.secretKeyRef` of a header, copied as-is into the helper env var.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretKeyRef {
    pub name: Option<String>,
    pub key: String,
    pub optional: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeaderSource {
    pub value: Option<String>,
    /// Some(None) when `valueFrom` is present without `secretKeyRef`.
    pub value_from: Option<Option<SecretKeyRef>>,
}

/// `spec.observability.openTelemetry`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpenTelemetry {
    pub enabled: bool,
    pub endpoint: Option<String>,
    /// Sorted byte-wise by name, as Go's sort.Strings orders them.
    pub headers: BTreeMap<String, HeaderSource>,
    pub enable_llm_traces: bool,
    pub record_content: bool,
    /// Sorted byte-wise by key.
    pub resource_attributes: BTreeMap<String, String>,
}

impl OpenTelemetry {
    /// The controller's `otelEnabled`: enabled and a non-empty endpoint (not trimmed).
    pub fn is_active(&self) -> bool {
        self.enabled && self.endpoint.as_deref().is_some_and(|e| !e.is_empty())
    }
}

/// The parts of a KubeOpenCodeConfig the tool uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KubeOpenCodeConfig {
    pub open_telemetry: Option<OpenTelemetry>,
}

impl KubeOpenCodeConfig {
    /// The OTel settings when injection applies, None otherwise.
    pub fn active(&self) -> Option<&OpenTelemetry> {
        self.open_telemetry.as_ref().filter(|o| o.is_active())
    }
}

pub const API_VERSION: &str = "kubeopencode.io/v1alpha1";
/// The key of the KubeOpenCode Helm chart's values that holds the config.
pub const HELM_VALUES_KEY: &str = "kubeopencodeConfig";

/// What a Helm values file says that the chart would not read as intended: a
/// `kubeopencodeConfig` without `observability` (a misspelt key, or a whole KubeOpenCodeConfig
/// pasted under it) is observability off, so every injection would be removed without a word.
/// Tolerated (a warning): the chart installs such a config too.
pub fn helm_values_issues(values: &Value) -> Vec<ConfigIssue> {
    let Some(kc) = values.get(HELM_VALUES_KEY).and_then(Value::as_object) else {
        return Vec::new();
    };
    if kc.contains_key("observability") {
        return Vec::new();
    }
    let (path, help) = if kc.contains_key("kind") || kc.contains_key("spec") {
        (
            vec![HELM_VALUES_KEY.to_string()],
            format!(
                "the chart reads {HELM_VALUES_KEY}.observability, not a whole KubeOpenCodeConfig: move spec.observability up to {HELM_VALUES_KEY}.observability"
            ),
        )
    } else if let Some(close) = suggest("observability", kc.keys().map(String::as_str)) {
        (
            vec![HELM_VALUES_KEY.to_string(), close.to_string()],
            format!("did you mean `observability`? (found `{close}`)"),
        )
    } else {
        (
            vec![HELM_VALUES_KEY.to_string()],
            format!("set {HELM_VALUES_KEY}.observability.openTelemetry (see docs/integrations.md)"),
        )
    };
    vec![ConfigIssue {
        at_key: path.len() > 1,
        path,
        message: format!(
            "{HELM_VALUES_KEY} has no `observability`: observability is off, and a run removes every earlier injection"
        ),
        help: Some(help),
        tolerated: true,
    }]
}

/// A Helm values file of the KubeOpenCode chart (no `kind`, a `kubeopencodeConfig` mapping) as the
/// KubeOpenCodeConfig it installs. Only `kubeopencodeConfig.observability` is taken: the rest of the
/// values belong to the chart.
pub fn from_helm_values(values: &Value) -> Option<Value> {
    if values.get("kind").is_some() {
        return None;
    }
    let kc = values.get(HELM_VALUES_KEY)?.as_object()?;
    let mut spec = serde_json::Map::new();
    if let Some(o) = kc.get("observability") {
        spec.insert("observability".into(), o.clone());
    }
    Some(serde_json::json!({
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": "cluster"},
        "spec": spec,
    }))
}
pub const KIND: &str = "KubeOpenCodeConfig";

/// Whether a parsed document is a Helm values file (no `kind`, a `kubeopencodeConfig` key).
pub fn is_helm_values(root: &crate::yaml::tree::Node) -> bool {
    root.get("kind").is_none() && root.get(HELM_VALUES_KEY).is_some()
}

/// Where a field of the KubeOpenCodeConfig (`spec.observability…`) is written in the document
/// it was read from: under `kubeopencodeConfig` instead of `spec` in a Helm values file.
pub fn path_in_document(root: &crate::yaml::tree::Node, path: &[String]) -> Vec<String> {
    let mut out = path.to_vec();
    if is_helm_values(root) && out.first().is_some_and(|k| k == "spec") {
        out[0] = HELM_VALUES_KEY.to_string();
    }
    out
}

/// A mapping with neither `apiVersion` nor `kind` is no KubeOpenCodeConfig: most likely a Helm
/// values file without (or with a broken) `kubeopencodeConfig`. One issue says so, instead of
/// one per key the file happens to have.
fn not_a_config(doc: &Value) -> Option<ConfigIssue> {
    let map = doc.as_object()?;
    if map.contains_key("apiVersion") || map.contains_key("kind") {
        return None;
    }
    Some(match map.get(HELM_VALUES_KEY) {
        Some(v) => ConfigIssue {
            path: vec![HELM_VALUES_KEY.into()],
            at_key: false,
            message: format!(
                "`{HELM_VALUES_KEY}` in this Helm values file is {}, not a mapping",
                type_name(v)
            ),
            help: Some(format!(
                "write the config as `{HELM_VALUES_KEY}:` then `observability:` then `openTelemetry:`, as the KubeOpenCode chart's values.yaml does"
            )),
            tolerated: false,
        },
        None => issue(
            vec![],
            format!(
                "neither a KubeOpenCodeConfig (no `apiVersion`, no `kind`) nor a Helm values file of the KubeOpenCode chart (no `{HELM_VALUES_KEY}` key)"
            ),
            Some(
                "for Helm values, add the config under `kubeopencodeConfig: {observability: {openTelemetry: {…}}}`; for a manifest, add `apiVersion: kubeopencode.io/v1alpha1` and `kind: KubeOpenCodeConfig`",
            ),
        ),
    })
}

/// The schema of the CRD, as nested field lists (what is allowed where).
enum Shape {
    Any,
    Str,
    Bool,
    Int,
    Object(&'static [(&'static str, Shape)]),
    MapOf(&'static Shape),
}

const SECRET_KEY_REF: Shape = Shape::Object(&[
    ("key", Shape::Str),
    ("name", Shape::Str),
    ("optional", Shape::Bool),
]);
const HEADER: Shape = Shape::Object(&[
    ("value", Shape::Str),
    (
        "valueFrom",
        Shape::Object(&[("secretKeyRef", SECRET_KEY_REF)]),
    ),
]);
const OPEN_TELEMETRY: Shape = Shape::Object(&[
    ("enableLLMTraces", Shape::Bool),
    ("enabled", Shape::Bool),
    ("endpoint", Shape::Str),
    ("headers", Shape::MapOf(&HEADER)),
    ("recordContent", Shape::Bool),
    ("resourceAttributes", Shape::MapOf(&Shape::Str)),
]);
const SPEC: Shape = Shape::Object(&[
    (
        "cleanup",
        Shape::Object(&[
            ("maxRetainedTasks", Shape::Int),
            ("ttlSecondsAfterFinished", Shape::Int),
        ]),
    ),
    ("clusterDomain", Shape::Str),
    (
        "observability",
        Shape::Object(&[("openTelemetry", OPEN_TELEMETRY)]),
    ),
    (
        "proxy",
        Shape::Object(&[
            ("httpProxy", Shape::Str),
            ("httpsProxy", Shape::Str),
            ("noProxy", Shape::Str),
        ]),
    ),
    (
        "systemImage",
        Shape::Object(&[("image", Shape::Str), ("imagePullPolicy", Shape::Str)]),
    ),
]);
const ROOT: Shape = Shape::Object(&[
    ("apiVersion", Shape::Str),
    ("kind", Shape::Str),
    ("metadata", Shape::Any),
    ("spec", SPEC),
    ("status", Shape::Any),
]);

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Closest known name, for "did you mean" hints.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn check_shape(v: &Value, shape: &Shape, path: &mut Vec<String>, out: &mut Vec<ConfigIssue>) {
    let wrong = |expected: &str, path: &[String], out: &mut Vec<ConfigIssue>| {
        out.push(ConfigIssue {
            path: path.to_vec(),
            at_key: false,
            message: format!("expected {expected}, found {}", type_name(v)),
            tolerated: false,
            help: match (expected, v) {
                ("a string", Value::Bool(_) | Value::Number(_)) => {
                    Some("quote the value so YAML reads it as a string".into())
                }
                _ => None,
            },
        });
    };
    match shape {
        Shape::Any => {}
        Shape::Str if !v.is_string() => wrong("a string", path, out),
        Shape::Bool if !v.is_boolean() => wrong("true or false", path, out),
        Shape::Int if !(v.is_i64() || v.is_u64()) => wrong("an integer", path, out),
        Shape::Str | Shape::Bool | Shape::Int => {}
        Shape::Object(fields) => {
            let Some(map) = v.as_object() else {
                return wrong("a mapping", path, out);
            };
            for (k, child) in map {
                path.push(k.clone());
                match fields.iter().find(|(name, _)| name == k) {
                    Some((_, s)) => check_shape(child, s, path, out),
                    None => {
                        let known: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
                        let help = match suggest(k, known.iter().copied()) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!("known fields here: {}", known.join(", ")),
                        };
                        out.push(ConfigIssue {
                            path: path.clone(),
                            at_key: true,
                            message: format!("unknown field `{k}`"),
                            help: Some(help),
                            tolerated: false,
                        });
                    }
                }
                path.pop();
            }
        }
        Shape::MapOf(inner) => {
            let Some(map) = v.as_object() else {
                return wrong("a mapping", path, out);
            };
            for (k, child) in map {
                path.push(k.clone());
                check_shape(child, inner, path, out);
                path.pop();
            }
        }
    }
}

fn p(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

fn issue(path: Vec<String>, message: impl Into<String>, help: Option<&str>) -> ConfigIssue {
    ConfigIssue {
        path,
        at_key: false,
        message: message.into(),
        help: help.map(str::to_string),
        tolerated: false,
    }
}

fn is_dns_domain(s: &str) -> bool {
    let b = s.as_bytes();
    let ok = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && s.len() <= 253
        && ok(b[0])
        && ok(b[b.len() - 1])
        && b.iter().all(|&c| ok(c) || c == b'.' || c == b'-')
}

/// A config that was read, with the problems the controller tolerates.
pub type Checked = (KubeOpenCodeConfig, Vec<ConfigIssue>);

/// Checks a parsed KubeOpenCodeConfig document against the CRD and reads it.
/// Fails with every problem found unless all of them are ones the controller tolerates.
pub fn from_value(doc: &Value) -> Result<Checked, Vec<ConfigIssue>> {
    if let Some(i) = not_a_config(doc) {
        return Err(vec![i]);
    }
    let mut issues = Vec::new();
    check_shape(doc, &ROOT, &mut Vec::new(), &mut issues);
    if !doc.is_object() {
        return Err(issues);
    }
    match doc.get("apiVersion").and_then(Value::as_str) {
        Some(API_VERSION) => {}
        Some(other) => issues.push(issue(
            p(&["apiVersion"]),
            format!("apiVersion is `{other}`, expected `{API_VERSION}`"),
            None,
        )),
        None => issues.push(issue(
            vec![],
            "missing apiVersion",
            Some("add `apiVersion: kubeopencode.io/v1alpha1`"),
        )),
    }
    match doc.get("kind").and_then(Value::as_str) {
        Some(KIND) => {}
        Some(other) => issues.push(issue(
            p(&["kind"]),
            format!("kind is `{other}`, expected `{KIND}`"),
            None,
        )),
        None => issues.push(issue(
            vec![],
            "missing kind",
            Some("add `kind: KubeOpenCodeConfig`"),
        )),
    }
    match doc.pointer("/metadata/name").and_then(Value::as_str) {
        Some("cluster") => {}
        Some(other) => issues.push(issue(
            p(&["metadata", "name"]),
            format!("KubeOpenCodeConfig must be named 'cluster' (found `{other}`)"),
            Some("it is a cluster-wide singleton: set `metadata.name: cluster`"),
        )),
        None => issues.push(issue(
            p(&["metadata"]),
            "KubeOpenCodeConfig must be named 'cluster'",
            Some("add `metadata: {name: cluster}`"),
        )),
    }
    let Some(spec) = doc.get("spec") else {
        issues.push(issue(
            vec![],
            "missing spec",
            Some("add `spec:` with the configuration"),
        ));
        return Err(issues);
    };
    if let Some(domain) = spec.get("clusterDomain").and_then(Value::as_str)
        && !is_dns_domain(domain)
    {
        issues.push(issue(
                p(&["spec", "clusterDomain"]),
                format!("`{domain}` does not match ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ (at most 253 characters)"),
                None,
            ));
    }
    for field in ["maxRetainedTasks", "ttlSecondsAfterFinished"] {
        if let Some(n) = spec.pointer(&format!("/cleanup/{field}")) {
            let ok = n
                .as_i64()
                .is_some_and(|n| (0..=i64::from(i32::MAX)).contains(&n));
            if !ok && (n.is_i64() || n.is_u64()) {
                issues.push(issue(
                    p(&["spec", "cleanup", field]),
                    "must be between 0 and 2147483647",
                    None,
                ));
            }
        }
    }
    if let Some(policy) = spec
        .pointer("/systemImage/imagePullPolicy")
        .and_then(Value::as_str)
        && !["Always", "Never", "IfNotPresent"].contains(&policy)
    {
        issues.push(issue(
            p(&["spec", "systemImage", "imagePullPolicy"]),
            format!("`{policy}` is not one of Always, Never, IfNotPresent"),
            suggest(policy, ["Always", "Never", "IfNotPresent"])
                .map(|s| format!("did you mean `{s}`?"))
                .as_deref(),
        ));
    }
    let otel = spec
        .pointer("/observability/openTelemetry")
        .map(|o| read_open_telemetry(o, &mut issues));
    if issues.iter().all(|i| i.tolerated) {
        Ok((
            KubeOpenCodeConfig {
                open_telemetry: otel.flatten(),
            },
            issues,
        ))
    } else {
        Err(issues)
    }
}

fn read_open_telemetry(o: &Value, issues: &mut Vec<ConfigIssue>) -> Option<OpenTelemetry> {
    let base = ["spec", "observability", "openTelemetry"];
    let at = |rest: &[&str]| {
        let mut v = p(&base);
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    };
    let obj = o.as_object()?;
    let enabled = match obj.get("enabled") {
        Some(Value::Bool(b)) => *b,
        Some(_) => false,
        None => {
            issues.push(issue(
                at(&[]),
                "`enabled` is required",
                Some("add `enabled: true` (or `false`)"),
            ));
            false
        }
    };
    let endpoint = obj
        .get("endpoint")
        .and_then(Value::as_str)
        .map(str::to_string);
    if enabled && endpoint.as_deref().is_none_or(str::is_empty) {
        issues.push(issue(
            at(&[]),
            "endpoint is required when enabled is true",
            Some("add `endpoint: http://otel-collector.observability:4318` (your OTLP/HTTP collector)"),
        ));
    }
    if let Some(e) = endpoint.as_deref() {
        // The CRD pattern ^https?://.+$ (RE2: `.` does not match a newline).
        let valid = ["http://", "https://"].iter().any(|s| {
            e.strip_prefix(s)
                .is_some_and(|rest| !rest.is_empty() && !rest.contains('\n'))
        });
        let already_reported = e.is_empty() && enabled;
        if !valid && !already_reported {
            issues.push(issue(
                at(&["endpoint"]),
                format!("endpoint `{e}` does not match ^https?://.+$"),
                Some(
                    "use an http:// or https:// URL, e.g. http://otel-collector.observability:4318",
                ),
            ));
        }
    }
    let mut headers = BTreeMap::new();
    if let Some(map) = obj.get("headers").and_then(Value::as_object) {
        for (name, h) in map {
            let Some(h) = h.as_object() else { continue };
            let value = h.get("value").and_then(Value::as_str).map(str::to_string);
            let value_from = h.get("valueFrom").map(|vf| {
                vf.get("secretKeyRef").and_then(Value::as_object).map(|r| {
                    let key = r.get("key").and_then(Value::as_str);
                    if key.is_none() && !r.contains_key("key") {
                        issues.push(issue(
                            at(&["headers", name, "valueFrom", "secretKeyRef"]),
                            "secretKeyRef.key is required",
                            Some("name the key of the Secret that holds the header value"),
                        ));
                    }
                    SecretKeyRef {
                        name: r.get("name").and_then(Value::as_str).map(str::to_string),
                        key: key.unwrap_or_default().to_string(),
                        optional: r.get("optional").and_then(Value::as_bool),
                    }
                })
            });
            let has_value = value.as_deref().is_some_and(|v| !v.is_empty());
            let has_ref = matches!(value_from, Some(Some(_)));
            // `value: on` or `value: 8080` is there, only not a string: the shape check already
            // says so, with the fix; saying the value is missing too would be wrong.
            let mistyped = h
                .get("value")
                .is_some_and(|v| !v.is_string() && !v.is_null());
            if !has_value && !has_ref && !mistyped {
                let mut i = issue(
                    at(&["headers", name]),
                    format!(
                        "header `{name}`: either a non-empty value or valueFrom.secretKeyRef must be specified (the API server rejects this config; the controller skips the header)"
                    ),
                    Some(
                        "set `value: ...`, or `valueFrom: {secretKeyRef: {name: SECRET, key: KEY}}`",
                    ),
                );
                i.tolerated = true;
                issues.push(i);
            }
            headers.insert(name.clone(), HeaderSource { value, value_from });
        }
    }
    let resource_attributes = obj
        .get("resourceAttributes")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Some(OpenTelemetry {
        enabled,
        endpoint,
        headers,
        enable_llm_traces: obj
            .get("enableLLMTraces")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        record_content: obj
            .get("recordContent")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        resource_attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cfg(otel: Value) -> Value {
        json!({"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": "cluster"},
               "spec": {"observability": {"openTelemetry": otel}}})
    }

    fn messages(v: Value) -> Vec<String> {
        match from_value(&v) {
            Ok((_, tolerated)) => tolerated
                .into_iter()
                .map(|i| format!("{}: {}", i.path_string(), i.message))
                .collect(),
            Err(issues) => issues
                .into_iter()
                .map(|i| format!("{}: {}", i.path_string(), i.message))
                .collect(),
        }
    }

    #[test]
    fn reads_a_full_config() {
        let (c, _) = from_value(&cfg(json!({"enabled": true, "endpoint": "http://c:4318",
            "headers": {"b": {"value": "1"}, "A": {"valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}},
            "enableLLMTraces": true, "resourceAttributes": {"z": "1", "a": "2"}})))
        .unwrap();
        let o = c.active().unwrap();
        assert_eq!(o.headers.keys().collect::<Vec<_>>(), vec!["A", "b"]);
        assert!(o.enable_llm_traces);
        assert!(!o.record_content);
    }

    #[test]
    fn crd_rules() {
        assert!(
            messages(cfg(json!({"endpoint": "http://x"})))[0].contains("`enabled` is required")
        );
        assert!(messages(cfg(json!({"enabled": true})))[0].contains("endpoint is required"));
        assert!(
            messages(cfg(json!({"enabled": true, "endpoint": "grpc://x"})))[0]
                .contains("does not match")
        );
        assert!(
            messages(cfg(
                json!({"enabled": true, "endpoint": "http://x", "headers": {"h": {"value": ""}}})
            ))[0]
                .contains("either a non-empty value")
        );
        assert_eq!(
            messages(cfg(
                json!({"enabled": true, "endpoint": "http://x", "headers": {"h": {"value": true}}})
            )),
            [
                "spec.observability.openTelemetry.headers.h.value: expected a string, found a boolean"
            ],
            "a value that YAML read as a boolean is mistyped, not missing"
        );
        let mut v = cfg(json!({"enabled": false}));
        v["metadata"]["name"] = json!("default");
        assert!(messages(v)[0].contains("must be named 'cluster'"));
    }

    #[test]
    fn disabled_or_empty_endpoint_is_inactive() {
        let (c, _) = from_value(&cfg(json!({"enabled": false, "endpoint": "http://x"}))).unwrap();
        assert!(c.active().is_none());
        let o = OpenTelemetry {
            enabled: true,
            endpoint: Some(" ".into()),
            ..Default::default()
        };
        assert!(o.is_active(), "the controller does not trim the endpoint");
    }

    #[test]
    fn unknown_fields_suggest_the_right_one() {
        let v = cfg(json!({"enabled": true, "endpoint": "http://x", "enableLlmTraces": true}));
        let issues = from_value(&v).unwrap_err();
        assert_eq!(issues[0].message, "unknown field `enableLlmTraces`");
        assert_eq!(
            issues[0].help.as_deref(),
            Some("did you mean `enableLLMTraces`?")
        );
        assert!(issues[0].at_key);
    }

    #[test]
    fn values_without_the_config_key_say_so_once() {
        let issues = from_value(&json!({"image": "x", "replicaCount": 1})).unwrap_err();
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert!(issues[0].message.contains("no `kubeopencodeConfig` key"));
        assert!(
            issues[0]
                .help
                .as_deref()
                .unwrap()
                .contains("kubeopencodeConfig:")
        );
        let issues = from_value(&json!({"kubeopencodeConfig": "x"})).unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].path, vec!["kubeopencodeConfig".to_string()]);
        assert!(issues[0].message.contains("a string, not a mapping"));
        // A manifest missing only its kind still gets the CRD's messages.
        let issues = from_value(&json!({"apiVersion": API_VERSION, "spec": {}})).unwrap_err();
        assert!(
            issues.iter().any(|i| i.message == "missing kind"),
            "{issues:?}"
        );
    }

    #[test]
    fn wrong_types_are_reported() {
        let m = messages(cfg(json!({"enabled": "yes", "endpoint": "http://x"})));
        assert!(
            m.iter()
                .any(|s| s.contains("enabled: expected true or false, found a string")),
            "{m:?}"
        );
    }

    #[test]
    fn a_values_file_without_observability_is_named() {
        let issues = |v: Value| {
            helm_values_issues(&v)
                .into_iter()
                .map(|i| (i.path.join("."), i.help.unwrap_or_default()))
                .collect::<Vec<_>>()
        };
        let typo = issues(json!({"kubeopencodeConfig": {"observabilty": {}}}));
        assert_eq!(typo.len(), 1);
        assert_eq!(typo[0].0, "kubeopencodeConfig.observabilty");
        assert!(
            typo[0].1.contains("did you mean `observability`"),
            "{typo:?}"
        );
        let whole = issues(json!({"kubeopencodeConfig": {"kind": KIND, "spec": {}}}));
        assert!(
            whole[0].1.contains("not a whole KubeOpenCodeConfig"),
            "{whole:?}"
        );
        assert_eq!(
            issues(json!({"kubeopencodeConfig": {"cleanup": {}}})).len(),
            1
        );
        assert!(issues(json!({"kubeopencodeConfig": {"observability": {}}})).is_empty());
        assert!(issues(json!({"image": "x"})).is_empty());
    }
}
