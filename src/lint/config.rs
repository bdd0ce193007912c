//! Lints on the KubeOpenCodeConfig alone: what the controller accepts silently but hurts later.

use std::collections::BTreeMap;

use crate::config::{HeaderSource, OpenTelemetry};
use crate::engine::otel::helper_name;

use super::{Finding, Rule};

/// Built-in resource attribute keys the controller always writes.
pub const BUILTIN_ATTRIBUTES: [&str; 5] = [
    "kubeopencode.task.name",
    "kubeopencode.task.namespace",
    "kubeopencode.agent.name",
    "k8s.namespace.name",
    "k8s.pod.name",
];

fn at(path: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ["spec", "observability", "openTelemetry"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.extend(path.iter().map(|s| s.to_string()));
    v
}

fn list_breaking(s: &str) -> Option<&'static str> {
    if s.contains(',') {
        Some("`,`")
    } else if s.contains('=') {
        Some("`=`")
    } else if s.chars().any(char::is_whitespace) {
        Some("white space")
    } else {
        None
    }
}

/// `$(` that the kubelet expands (`$$(` is the escape).
fn has_expansion(s: &str) -> bool {
    let b = s.as_bytes();
    (0..b.len())
        .any(|i| b[i] == b'$' && b.get(i + 1) == Some(&b'(') && (i == 0 || b[i - 1] != b'$'))
}

/// True when a config path points into a header whose name looks like a credential: findings
/// there are shown without the source snippet, which would print the value.
pub fn is_credential_path(path: &[String]) -> bool {
    path.windows(2)
        .any(|w| w[0] == "headers" && looks_like_credential(&w[1]))
}

fn looks_like_credential(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "authorization"
        || n == "x-honeycomb-team"
        || n == "dd-api-key"
        || n == "api-key"
        || n.contains("api-key")
        || n.contains("apikey")
        || n.contains("api_key")
        || n.contains("token")
        || n.contains("secret")
        || n.contains("password")
        || n.contains("license-key")
}

fn host_of(endpoint: &str) -> (&str, Option<&str>) {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if let Some(v6) = authority.strip_prefix('[') {
        let (host, rest) = v6.split_once(']').unwrap_or((v6, ""));
        return (host, rest.strip_prefix(':'));
    }
    match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.starts_with("127.") || host == "::1" || host.ends_with(".localhost")
}

/// Runs every config lint.
pub fn lint(o: &OpenTelemetry) -> Vec<Finding> {
    let mut out = Vec::new();
    // header-helper-collision
    let mut by_helper: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (name, h) in &o.headers {
        if uses_secret(h) {
            by_helper.entry(helper_name(name)).or_default().push(name);
        }
    }
    for (helper, names) in by_helper.iter().filter(|(_, n)| n.len() > 1) {
        let last = names.last().copied().unwrap_or_default();
        out.push(Finding::new(
            Rule::HeaderHelperCollision,
            format!(
                "headers {} {} become the helper variable {helper}; Kubernetes keeps the last definition, so every one of them gets the Secret of `{last}`",
                names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
                if names.len() == 2 { "both" } else { "all" }
            ),
            at(&["headers", names[1]]),
            true,
        ));
    }
    for (name, h) in &o.headers {
        let path = at(&["headers", name]);
        if name.is_empty() {
            out.push(Finding::new(
                Rule::ListSyntax,
                "a header with an empty name".into(),
                path.clone(),
                true,
            ));
        } else if let Some(what) = list_breaking(name) {
            out.push(Finding::new(
                Rule::ListSyntax,
                format!("header name `{name}` contains {what}, which corrupts OTEL_EXPORTER_OTLP_HEADERS"),
                path.clone(),
                true,
            ));
        }
        let inline = h.value.as_deref().filter(|v| !v.is_empty());
        if let Some(v) = inline {
            let mut vpath = path.clone();
            vpath.push("value".into());
            if let Some(what) = list_breaking(v) {
                out.push(Finding::new(
                    Rule::ListSyntax,
                    format!("the value of header `{name}` contains {what}, which corrupts OTEL_EXPORTER_OTLP_HEADERS"),
                    vpath.clone(),
                    false,
                ));
            }
            if has_expansion(v) {
                out.push(Finding::new(
                    Rule::KubeletExpansion,
                    format!(
                        "the value of header `{name}` contains `$(`, which the kubelet expands"
                    ),
                    vpath.clone(),
                    false,
                ));
            }
            if looks_like_credential(name) {
                out.push(Finding::new(
                    Rule::InlineCredential,
                    format!("header `{name}` looks like a credential but its value is inline in the KubeOpenCodeConfig"),
                    vpath,
                    false,
                ));
            }
            if matches!(h.value_from, Some(Some(_))) {
                let mut p = path.clone();
                p.push("valueFrom".into());
                out.push(Finding::new(
                    Rule::HeaderInlineAndSecret,
                    format!("header `{name}` has both an inline value and a secretKeyRef; the Secret is ignored"),
                    p,
                    true,
                ));
            }
        } else if h.value.as_deref() == Some("") && !uses_secret(h) {
            out.push(Finding::new(
                Rule::ListSyntax,
                format!("header `{name}` has an empty value"),
                path.clone(),
                false,
            ));
        }
    }
    for (k, v) in &o.resource_attributes {
        let path = at(&["resourceAttributes", k]);
        if k.is_empty() {
            out.push(Finding::new(
                Rule::ListSyntax,
                "a resource attribute with an empty key".into(),
                path.clone(),
                true,
            ));
        } else if let Some(what) = list_breaking(k) {
            out.push(Finding::new(
                Rule::ListSyntax,
                format!("resource attribute key `{k}` contains {what}, which corrupts OTEL_RESOURCE_ATTRIBUTES"),
                path.clone(),
                true,
            ));
        }
        if v.is_empty() {
            out.push(Finding::new(
                Rule::ListSyntax,
                format!("resource attribute `{k}` has an empty value"),
                path.clone(),
                false,
            ));
        } else if let Some(what) = list_breaking(v) {
            out.push(Finding::new(
                Rule::ListSyntax,
                format!("the value of resource attribute `{k}` contains {what}, which corrupts OTEL_RESOURCE_ATTRIBUTES"),
                path.clone(),
                false,
            ));
        }
        if has_expansion(v) {
            out.push(Finding::new(
                Rule::KubeletExpansion,
                format!(
                    "the value of resource attribute `{k}` contains `$(`, which the kubelet expands"
                ),
                path.clone(),
                false,
            ));
        }
        if BUILTIN_ATTRIBUTES.contains(&k.as_str()) {
            out.push(Finding::new(
                Rule::DuplicateBuiltinAttribute,
                format!("resource attribute `{k}` repeats a built-in attribute; both end up in OTEL_RESOURCE_ATTRIBUTES"),
                path,
                true,
            ));
        }
    }
    if let Some(endpoint) = o.endpoint.as_deref() {
        let (host, port) = host_of(endpoint);
        let has_secret = o
            .headers
            .values()
            .any(|h| uses_secret(h) && h.value.as_deref().is_none_or(str::is_empty));
        if endpoint.starts_with("http://") && has_secret && !is_loopback(host) {
            out.push(Finding::new(
                Rule::CleartextCredentials,
                format!("Secret-backed headers are sent over plain http to `{host}`"),
                at(&["endpoint"]),
                false,
            ));
        }
        let grpcish = port == Some("4317") || endpoint.to_ascii_lowercase().contains("grpc");
        if grpcish {
            out.push(Finding::new(
                Rule::GrpcEndpoint,
                format!("endpoint `{endpoint}` looks like OTLP/gRPC; OpenCode speaks OTLP/HTTP"),
                at(&["endpoint"]),
                false,
            ));
        }
    }
    if o.record_content {
        out.push(Finding::new(
            Rule::RecordContent,
            "recordContent is on: prompts and responses (possibly secrets, PII, proprietary code) leave the cluster".into(),
            at(&["recordContent"]),
            false,
        ));
    }
    out
}

fn uses_secret(h: &HeaderSource) -> bool {
    matches!(h.value_from, Some(Some(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SecretKeyRef;

    fn secret(name: &str) -> HeaderSource {
        HeaderSource {
            value: None,
            value_from: Some(Some(SecretKeyRef {
                name: Some(name.into()),
                key: "k".into(),
                optional: None,
            })),
        }
    }

    fn inline(v: &str) -> HeaderSource {
        HeaderSource {
            value: Some(v.into()),
            value_from: None,
        }
    }

    fn base() -> OpenTelemetry {
        OpenTelemetry {
            enabled: true,
            endpoint: Some("https://collector:4318".into()),
            ..Default::default()
        }
    }

    fn rules(o: &OpenTelemetry) -> Vec<Rule> {
        lint(o).into_iter().map(|f| f.rule).collect()
    }

    #[test]
    fn clean_config_has_no_findings() {
        let mut o = base();
        o.headers.insert("x-honeycomb-team".into(), secret("s"));
        o.headers.insert("x-env".into(), inline("staging"));
        o.resource_attributes
            .insert("kubeopencode.cluster.name".into(), "prod".into());
        assert!(lint(&o).is_empty(), "{:?}", lint(&o));
    }

    #[test]
    fn each_rule_triggers() {
        let mut o = base();
        o.headers.insert("x-api-key".into(), secret("a"));
        o.headers.insert("X_API_KEY".into(), secret("b"));
        assert!(rules(&o).contains(&Rule::HeaderHelperCollision));

        let mut o = base();
        o.headers.insert("h".into(), inline("a,b"));
        o.resource_attributes.insert("k".into(), "".into());
        assert_eq!(rules(&o), vec![Rule::ListSyntax, Rule::ListSyntax]);

        let mut o = base();
        o.resource_attributes
            .insert("home".into(), "$(HOME)".into());
        o.resource_attributes
            .insert("esc".into(), "$$(HOME)".into());
        assert_eq!(rules(&o), vec![Rule::KubeletExpansion]);

        let mut o = base();
        o.resource_attributes
            .insert("k8s.pod.name".into(), "x".into());
        assert_eq!(rules(&o), vec![Rule::DuplicateBuiltinAttribute]);

        let mut o = base();
        let mut both = inline("v");
        both.value_from = secret("s").value_from;
        o.headers.insert("h".into(), both);
        assert_eq!(rules(&o), vec![Rule::HeaderInlineAndSecret]);

        let mut o = base();
        o.headers
            .insert("Authorization".into(), inline("Bearer-abc"));
        assert_eq!(rules(&o), vec![Rule::InlineCredential]);

        let mut o = base();
        o.endpoint = Some("http://collector.example.com:4318".into());
        o.headers.insert("x-honeycomb-team".into(), secret("s"));
        assert_eq!(rules(&o), vec![Rule::CleartextCredentials]);
        o.endpoint = Some("http://localhost:4318".into());
        assert!(rules(&o).is_empty());

        let mut o = base();
        o.endpoint = Some("https://collector:4317".into());
        assert_eq!(rules(&o), vec![Rule::GrpcEndpoint]);

        let mut o = base();
        o.record_content = true;
        assert_eq!(rules(&o), vec![Rule::RecordContent]);
    }
}
