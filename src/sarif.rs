//! `check --format sarif`: the findings as a SARIF 2.1.0 log, for GitHub code scanning
//! (`github/codeql-action/upload-sarif`) and other SARIF viewers.
//!
//! One run; `tool.driver.rules` is the whole lint catalogue (so a viewer can show every rule's
//! help), each result points at its rule by id and index. File names become URIs relative to the
//! working directory (`%SRCROOT%`, the repository root in CI), which is how code scanning matches
//! them to the checkout. Columns count characters (`columnKind: unicodeCodePoints`).

use std::path::{Component, Path};

use serde_json::{Value, json};

use crate::diag::Diagnostic;
use crate::engine::Severity;
use crate::lint::Rule;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/kubeopencode/kubeopencode-inject";
/// Where each rule is documented.
const RULES_URI: &str =
    "https://github.com/kubeopencode/kubeopencode-inject/blob/main/docs/check.md#lint-catalogue";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The SARIF log for `found`; `cwd` is the directory relative URIs are taken from.
#[cfg(test)]
pub(crate) fn report<'a>(
    found: impl IntoIterator<Item = (Rule, &'a Diagnostic)>,
    cwd: Option<&Path>,
) -> String {
    let (head, tail) = envelope();
    let results: Vec<String> = found
        .into_iter()
        .map(|(rule, d)| result_text(rule, d, cwd))
        .collect();
    format!("{head}{}{tail}", results.join(","))
}

/// The log around its results, as (everything up to the results array's `[`, everything from
/// its `]`): `check` writes the results between the two as they come, sorted, without holding
/// the log.
pub(crate) fn envelope() -> (String, String) {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id(),
                "shortDescription": {"text": r.summary()},
                "help": {"text": r.help()},
                "helpUri": RULES_URI,
                "defaultConfiguration": {"level": level(r.severity())},
            })
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": env!("CARGO_PKG_NAME"),
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": [],
        }],
    });
    let text = serde_json::to_string_pretty(&log).unwrap_or_default();
    // `results` is the run's last key and the only empty array in the log.
    let cut = text.find("[]").map_or(text.len(), |i| i + 1);
    let (head, tail) = text.split_at(cut);
    (head.to_string(), format!("{tail}\n"))
}

/// One result of the log, as compact JSON (an item of the results array).
pub(crate) fn result_text(rule: Rule, d: &Diagnostic, cwd: Option<&Path>) -> String {
    serde_json::to_string(&result(rule, d, cwd)).unwrap_or_default()
}

fn result(rule: Rule, d: &Diagnostic, cwd: Option<&Path>) -> Value {
    let mut text = String::new();
    if let Some(r) = &d.resource {
        text.push_str(r);
        text.push_str(": ");
    }
    text.push_str(&d.message);
    // The rule's own help is in the catalogue; a finding's own advice goes with its message.
    if let Some(h) = d.help.as_deref().filter(|h| *h != rule.help()) {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    let index = Rule::ALL.iter().position(|r| *r == rule).unwrap_or(0);
    let mut r = json!({
        "ruleId": rule.id(),
        "ruleIndex": index,
        "level": level(d.severity),
        "message": {"text": text},
    });
    if let Some(uri) = d.file.as_deref().and_then(|f| file_uri(f, cwd)) {
        let mut physical = json!({"artifactLocation": {"uri": uri}});
        if uri_is_relative(&uri) {
            physical["artifactLocation"]["uriBaseId"] = json!("%SRCROOT%");
        }
        if let Some(line) = d.line.filter(|l| *l > 0) {
            let mut region = json!({"startLine": line});
            if let Some(col) = d.col.filter(|c| *c > 0) {
                region["startColumn"] = json!(col);
            }
            physical["region"] = region;
        }
        r["locations"] = json!([{"physicalLocation": physical}]);
    }
    let mut props = serde_json::Map::new();
    for (k, v) in [("resource", &d.resource), ("field", &d.field)] {
        if let Some(v) = v {
            props.insert(k.into(), json!(v));
        }
    }
    if let Some(doc) = d.document {
        props.insert("document".into(), json!(doc));
    }
    if !props.is_empty() {
        r["properties"] = Value::Object(props);
    }
    r
}

fn uri_is_relative(uri: &str) -> bool {
    !uri.starts_with("file:")
}

/// The URI of a file name as the findings spell it: relative to `cwd` when it is under it (with
/// `/` separators), a `file://` URI for other absolute paths, nothing for standard input.
fn file_uri(file: &str, cwd: Option<&Path>) -> Option<String> {
    if file == "<stdin>" || file == "-" || file.is_empty() {
        return None;
    }
    let path = Path::new(file);
    let rel = if path.is_absolute() {
        match cwd.and_then(|c| path.strip_prefix(c).ok()) {
            Some(rel) => rel,
            None => return Some(format!("file://{}", encode(&segments(path).join("/")))),
        }
    } else {
        path
    };
    let segs = segments(rel);
    if segs.iter().any(|s| s == "..") || segs.is_empty() {
        // Outside the working directory: a relative URI would point into the wrong tree.
        return match cwd.map(|c| c.join(rel)) {
            Some(abs) => Some(format!("file://{}", encode(&normalized(&abs).join("/")))),
            None => Some(encode(&segs.join("/"))),
        };
    }
    Some(encode(&segs.join("/")))
}

/// Path components as text (`.` dropped; a root becomes the empty first segment).
fn segments(p: &Path) -> Vec<String> {
    p.components()
        .filter_map(|c| match c {
            Component::CurDir => None,
            Component::RootDir => Some(String::new()),
            Component::Prefix(p) => Some(p.as_os_str().to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".into()),
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
        })
        .collect()
}

/// The segments of an absolute path with `..` applied (lexically, as a URI resolves them).
fn normalized(p: &Path) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in segments(p) {
        if s == ".." {
            if out.len() > 1 {
                out.pop();
            }
        } else {
            out.push(s);
        }
    }
    out
}

/// Percent-encodes what RFC 3986 does not allow in a path (keeps `/`).
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_to_the_working_directory() {
        let cwd = Path::new("/repo");
        assert_eq!(
            file_uri("manifests/a.yaml", Some(cwd)).as_deref(),
            Some("manifests/a.yaml")
        );
        assert_eq!(
            file_uri("./manifests/a b.yaml", Some(cwd)).as_deref(),
            Some("manifests/a%20b.yaml")
        );
        assert_eq!(
            file_uri("/repo/deploy/x.yaml", Some(cwd)).as_deref(),
            Some("deploy/x.yaml")
        );
        assert_eq!(
            file_uri("/elsewhere/x.yaml", Some(cwd)).as_deref(),
            Some("file:///elsewhere/x.yaml")
        );
        assert_eq!(
            file_uri("../x.yaml", Some(cwd)).as_deref(),
            Some("file:///x.yaml")
        );
        assert_eq!(file_uri("<stdin>", Some(cwd)), None);
        assert_eq!(encode("é#%"), "%C3%A9%23%25");
    }

    #[test]
    fn levels_and_rule_indices() {
        let mut d = Diagnostic::error(crate::diag::Code::Rule(Rule::Drift), "missing").at(
            "a.yaml",
            Some(1),
            3,
            5,
        );
        d.resource = Some("pod/ns/p".into());
        d.help = Some(Rule::Drift.help().into());
        let v: Value = serde_json::from_str(&report([(Rule::Drift, &d)], None)).unwrap();
        let r = &v["runs"][0]["results"][0];
        assert_eq!(r["level"], "error");
        assert_eq!(r["message"]["text"], "pod/ns/p: missing");
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(v["runs"][0]["tool"]["driver"]["rules"][i]["id"], "drift");
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (region["startLine"].as_u64(), region["startColumn"].as_u64()),
            (Some(3), Some(5))
        );
        d.severity = Severity::Info;
        let v: Value = serde_json::from_str(&report([(Rule::Drift, &d)], None)).unwrap();
        assert_eq!(v["runs"][0]["results"][0]["level"], "note");
    }
}
