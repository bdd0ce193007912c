//! The document pipeline shared by every front end: split sources into documents, parse them, learn
//! the stream's context (Tasks, Agents, the config), plan every workload, and render.
//!
//! Documents that are not pod-bearing are never kept parsed: they are checked once and later copied
//! as bytes. Errors are collected for the whole run before anything is written.

use std::ops::Range;
use std::sync::Arc;

use serde_json::Value;

use crate::config::{self, ConfigIssue, KubeOpenCodeConfig};
use crate::diag::Diagnostic;
use crate::engine::{self, Note, Options, Outcome, Severity, StreamContext, WorkloadPlan};
use crate::input::Source;
use crate::render;
use crate::yaml::stream::{self, Format};
use crate::yaml::tree::{self, Limits, Node};

/// One document of a source.
#[derive(Debug, Clone)]
pub struct DocRef {
    pub source: usize,
    /// 0-based index within the source.
    pub index: usize,
    pub range: Range<usize>,
    /// 1-based line of the input where the document's bytes start.
    pub line: usize,
    /// 1-based number of the document in its input (for messages).
    pub number: usize,
    pub format: Format,
}

/// A parsed document.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub value: Value,
    /// YAML documents only; None for an empty document.
    pub root: Option<Node>,
}

/// Byte offset of a 1-based line and column in a text.
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = &text[start..];
    start
        + line_text
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i)
}

/// A diagnostic located at a line/column of a document (the byte offset is computed from them).
pub fn located(
    src: &Source,
    d: &DocRef,
    line_in_doc: usize,
    col: usize,
    len: usize,
    diag: Diagnostic,
) -> Diagnostic {
    let doc_text = &src.text[d.range.clone()];
    let offset = offset_of(doc_text, line_in_doc, col);
    located_at(src, d, (line_in_doc, col, offset), len, diag)
}

/// A diagnostic located at a node: (line, column, byte offset) within the document.
pub fn located_at(
    src: &Source,
    d: &DocRef,
    (line_in_doc, col, offset): (usize, usize, usize),
    len: usize,
    mut diag: Diagnostic,
) -> Diagnostic {
    let line = d.line + line_in_doc - 1;
    diag = diag.at(&src.name, Some(d.number), line, col);
    let doc = &src.text[d.range.clone()];
    if is_secret_text(doc) {
        // Never show the lines of a Secret: the location is enough.
        return diag;
    }
    // The snippet is the document alone: a diagnostic never holds more text than its document.
    let start = offset.min(doc.len());
    let len = len.min(doc.len() - start);
    diag.with_snippet(Arc::from(doc), start, len)
        .with_first_line(d.line - 1)
}

/// True when a document's text looks like a Secret (checked on the text, so it also works for
/// documents that do not parse).
pub fn is_secret_text(doc: &str) -> bool {
    doc.lines().any(|l| {
        let l = l.trim_end();
        l == "kind: Secret" || l == "kind: \"Secret\"" || l == "kind: 'Secret'"
    }) || doc.contains("\"kind\":\"Secret\"")
        || doc.contains("\"kind\": \"Secret\"")
}

/// Where a node is, for [`located_at`].
pub fn node_place(n: &Node) -> (usize, usize, usize) {
    (n.pos.line, n.pos.col, n.pos.start)
}

/// serde_json's message without its " at line L column C" suffix (the location is shown apart).
fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Splits a source into documents.
pub fn split(src: &Source, source_index: usize) -> Result<Vec<DocRef>, Diagnostic> {
    match stream::detect_format(&src.text) {
        Format::Yaml => Ok(stream::split_yaml(&src.text)
            .into_iter()
            .enumerate()
            .map(|(index, c)| DocRef {
                source: source_index,
                index,
                range: c.range,
                line: c.line + src.first_line,
                number: src.first_doc + index + 1,
                format: Format::Yaml,
            })
            .collect()),
        Format::Json => {
            let mut out = Vec::new();
            let mut it =
                serde_json::Deserializer::from_str(&src.text).into_iter::<serde::de::IgnoredAny>();
            let mut start = 0;
            loop {
                match it.next() {
                    None => break,
                    Some(Ok(_)) => {
                        let end = it.byte_offset();
                        let (line, _) = stream::line_col(&src.text, start);
                        out.push(DocRef {
                            source: source_index,
                            index: out.len(),
                            range: start..end,
                            line: line + src.first_line,
                            number: src.first_doc + out.len() + 1,
                            format: Format::Json,
                        });
                        start = end;
                    }
                    Some(Err(e)) => {
                        let whole = DocRef {
                            source: source_index,
                            index: out.len(),
                            range: 0..src.text.len(),
                            line: 1 + src.first_line,
                            number: src.first_doc + out.len() + 1,
                            format: Format::Json,
                        };
                        let diag = Diagnostic::error(
                            "json-syntax",
                            format!("invalid JSON: {}", json_message(&e)),
                        );
                        return Err(located(
                            src,
                            &whole,
                            e.line().max(1),
                            e.column().max(1),
                            1,
                            diag,
                        )
                        .with_help("fix the JSON syntax (or write the file as YAML)"));
                    }
                }
            }
            if let Some(last) = out.last_mut() {
                last.range.end = src.text.len();
            }
            Ok(out)
        }
    }
}

/// Parses one document.
pub fn parse(src: &Source, d: &DocRef, limits: &Limits) -> Result<Parsed, Diagnostic> {
    let text = &src.text[d.range.clone()];
    if text.len() > limits.max_document_bytes {
        return Err(Diagnostic::error(
            "limit",
            format!(
                "document is {:.1} MiB, over the limit of {} MiB",
                text.len() as f64 / (1 << 20) as f64,
                limits.max_document_bytes >> 20
            ),
        )
        .at(&src.name, Some(d.number), d.line, 1)
        .with_help("raise it with --max-document-size MIB if the document is legitimate"));
    }
    match d.format {
        Format::Json => {
            let value: Value = serde_json::from_str(text).map_err(|e| {
                located(
                    src,
                    d,
                    e.line().max(1),
                    e.column().max(1),
                    1,
                    Diagnostic::error("json-syntax", format!("invalid JSON: {}", json_message(&e))),
                )
            })?;
            Ok(Parsed { value, root: None })
        }
        Format::Yaml => {
            if stream::is_blank_yaml(text) {
                return Ok(Parsed {
                    value: Value::Null,
                    root: None,
                });
            }
            let (doc, value) = tree::parse_value(text, limits).map_err(|e| {
                let help = if e.message.contains("tab") {
                    "indent with spaces: YAML does not allow tabs for indentation"
                } else if e.message.contains("duplicate key") {
                    "remove one of the two keys: Kubernetes rejects duplicates"
                } else if e.message.contains("nesting")
                    || e.message.contains("recursion")
                    || e.message.contains("aliases expand")
                {
                    "the document is larger than the limits allow (see --max-depth / --max-nodes)"
                } else {
                    "check the indentation and quoting around this place"
                };
                located(
                    src,
                    d,
                    e.line.max(1),
                    e.col.max(1),
                    1,
                    Diagnostic::error(
                        "yaml-syntax",
                        format!(
                            "invalid YAML: {}",
                            if e.message.contains("recursion limit") {
                                "nesting deeper than the YAML parser allows (about 255 levels of flow collections)"
                            } else {
                                e.message.as_str()
                            }
                        ),
                    ),
                )
                .with_help(help)
            })?;
            Ok(Parsed {
                value,
                root: doc.root,
            })
        }
    }
}

/// True for documents the engine may edit (pod-bearing kinds and Lists).
pub fn is_candidate(v: &Value) -> bool {
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or_default();
    kind.ends_with("List")
        || matches!(
            kind,
            "Pod"
                | "Deployment"
                | "StatefulSet"
                | "DaemonSet"
                | "ReplicaSet"
                | "ReplicationController"
                | "Job"
                | "CronJob"
        )
}

pub fn is_config(v: &Value) -> bool {
    v.get("kind").and_then(Value::as_str) == Some(config::KIND)
        && v.get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|a| a.starts_with("kubeopencode.io/"))
}

/// Turns config issues into located diagnostics.
pub fn config_diagnostics(
    src: &Source,
    d: &DocRef,
    root: Option<&Node>,
    issues: Vec<ConfigIssue>,
) -> Vec<Diagnostic> {
    issues
        .into_iter()
        .map(|i| {
            let path: Vec<engine::Seg> =
                i.path.iter().map(|k| engine::Seg::Key(k.clone())).collect();
            let mut diag = Diagnostic::error("config", i.message.clone());
            diag.field = Some(i.path_string()).filter(|s| !s.is_empty());
            if let Some(h) = &i.help {
                diag = diag.with_help(h.clone());
            }
            match root {
                Some(root) => {
                    let n = render::locate(root, &path, i.at_key);
                    let len = if matches!(n.kind, tree::Kind::Scalar { .. }) {
                        n.pos.end - n.pos.start
                    } else {
                        1
                    };
                    located_at(src, d, node_place(n), len.max(1), diag)
                }
                None => diag.at(&src.name, Some(d.number), d.line, 1),
            }
        })
        .collect()
}

/// A config and the warnings about it.
pub type ConfigRead = (KubeOpenCodeConfig, Vec<Diagnostic>);

/// The one non-empty document of a config file.
pub fn config_document(src: &Source, limits: &Limits) -> Result<(DocRef, Parsed), Vec<Diagnostic>> {
    let docs = split(src, 0).map_err(|e| vec![e])?;
    let mut found = Vec::new();
    for d in &docs {
        let p = parse(src, d, limits).map_err(|e| vec![e])?;
        if !p.value.is_null() {
            found.push((d.clone(), p));
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(vec![
            Diagnostic::error("config", format!("{} holds no document", src.name))
                .with_help("pass a KubeOpenCodeConfig manifest with -c"),
        ]),
        n => Err(vec![Diagnostic::error(
            "config",
            format!(
                "{} holds {n} documents; expected one KubeOpenCodeConfig",
                src.name
            ),
        )]),
    }
}

/// Validates a parsed KubeOpenCodeConfig document.
pub fn config_from(src: &Source, d: &DocRef, p: &Parsed) -> Result<ConfigRead, Vec<Diagnostic>> {
    let helm = config::from_helm_values(&p.value);
    let doc = helm.as_ref().unwrap_or(&p.value);
    // Issues in a Helm values file are located under `kubeopencodeConfig` instead of `spec`.
    let relocate = |mut issues: Vec<config::ConfigIssue>| {
        if helm.is_some() {
            for i in &mut issues {
                if i.path.first().is_some_and(|k| k == "spec") {
                    i.path[0] = config::HELM_VALUES_KEY.to_string();
                }
            }
        }
        issues
    };
    match config::from_value(doc) {
        Ok((c, tolerated)) => {
            let mut warnings = config_diagnostics(src, d, p.root.as_ref(), relocate(tolerated));
            for w in &mut warnings {
                w.severity = Severity::Warning;
            }
            Ok((c, warnings))
        }
        Err(issues) => Err(config_diagnostics(
            src,
            d,
            p.root.as_ref(),
            relocate(issues),
        )),
    }
}

/// What happened to one document.
#[derive(Debug, Clone)]
pub struct DocOutput {
    /// The document's new text (YAML or JSON), or None when it is unchanged.
    pub text: Option<String>,
    /// Why the document was re-emitted instead of edited in place.
    pub fallback: Option<String>,
    pub plans: Vec<WorkloadPlan>,
}

/// Plans and renders documents.
pub struct Processor<'a> {
    pub otel: Option<&'a config::OpenTelemetry>,
    pub ctx: &'a StreamContext,
    pub opts: &'a Options,
    pub normalize: bool,
}

impl Processor<'_> {
    pub fn plan(&self, p: &Parsed) -> Vec<WorkloadPlan> {
        engine::plan_document(&p.value, self.otel, self.ctx, self.opts)
    }

    /// Renders a document given its plans. `value` receives the edited value.
    pub fn render(
        &self,
        text: &str,
        d: &DocRef,
        p: &mut Parsed,
        plans: Vec<WorkloadPlan>,
    ) -> DocOutput {
        let changed = plans.iter().any(|pl| !pl.edits().is_empty());
        if !changed && !self.normalize {
            return DocOutput {
                text: None,
                fallback: None,
                plans,
            };
        }
        engine::apply(&mut p.value, &plans);
        if d.format == Format::Json {
            // JSON is YAML flow syntax: edited as text like any flow document.
            let spliced = match self.normalize {
                true => Err(render::Fallback(String::new())),
                false => render::splice_json(text, &plans),
            };
            let (text, fallback) = match spliced {
                Ok(out) => (out, None),
                Err(render::Fallback(why)) => (
                    render::reemit_json(text, &p.value),
                    Some(why).filter(|w| !w.is_empty()),
                ),
            };
            return DocOutput {
                text: Some(text),
                fallback,
                plans,
            };
        }
        if p.value.is_null() && p.root.is_none() {
            return DocOutput {
                text: None,
                fallback: None,
                plans,
            };
        }
        if !self.normalize
            && let Some(root) = &p.root
        {
            match render::splice(text, root, &plans) {
                Ok(out) => {
                    return DocOutput {
                        text: Some(out),
                        fallback: None,
                        plans,
                    };
                }
                Err(render::Fallback(reason)) => {
                    return DocOutput {
                        text: Some(render::reemit_yaml(text, Some(root), &p.value)),
                        fallback: Some(reason),
                        plans,
                    };
                }
            }
        }
        DocOutput {
            text: Some(render::reemit_yaml(text, p.root.as_ref(), &p.value)),
            fallback: None,
            plans,
        }
    }
}

/// A note from the engine as a located diagnostic.
pub fn note_diagnostic(
    src: &Source,
    d: &DocRef,
    root: Option<&Node>,
    plan: &WorkloadPlan,
    note: &Note,
) -> Diagnostic {
    let mut diag = Diagnostic::new(note.severity, note.code, note.message.clone());
    diag.resource = Some(plan.resource.to_string());
    diag.field = Some(engine::path_string(&note.path)).filter(|s| !s.is_empty());
    // A scalar to quote: the advice quotes what the user wrote, which only the tree knows.
    let written = root
        .filter(|_| note.quote)
        .and_then(|r| render::node_at(r, &note.path))
        .and_then(Node::as_str);
    let advice = written.map(|w| engine::quote_advice(&note.path, w));
    if let Some(h) = advice.or_else(|| note.help.clone()) {
        diag = diag.with_help(h);
    }
    match root {
        Some(root) => {
            let n = render::locate(root, &note.path, false);
            let len = match n.kind {
                tree::Kind::Scalar { .. } => n.pos.end - n.pos.start,
                _ => 1,
            };
            located_at(src, d, node_place(n), len.max(1), diag)
        }
        None => diag.at(&src.name, Some(d.number), d.line, 1),
    }
}

/// All diagnostics of a document's plans (failures first).
pub fn plan_diagnostics(
    src: &Source,
    d: &DocRef,
    root: Option<&Node>,
    plans: &[WorkloadPlan],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for plan in plans {
        if let Outcome::Failed(note) = &plan.outcome {
            out.push(note_diagnostic(src, d, root, plan, note));
        }
        for note in &plan.notes {
            out.push(note_diagnostic(src, d, root, plan, note));
        }
    }
    out.sort_by_key(|x| std::cmp::Reverse(x.severity == Severity::Error));
    out
}
