//! The document pipeline shared by every front end: split sources into documents, parse them, learn
//! the stream's context (Tasks, Agents, the config), plan every workload, and render.
//!
//! No document is kept parsed between the passes: workloads are parsed when they are rendered,
//! other documents are checked once and later copied as bytes. Errors are collected for the
//! whole run before anything is written.

use std::ops::Range;
use std::sync::Arc;

use serde_json::Value;

use crate::config::{self, ConfigIssue, KubeOpenCodeConfig};
use crate::diag::{Code, Diagnostic};
use crate::engine::{
    self, Action, Doc, Note, Options, Outcome, Severity, StreamContext, WorkloadPlan,
};
use crate::input::{Origin, Source};
use crate::lint::SecretIndex;
use crate::render;
use crate::yaml::stream::{self, Format};
use crate::yaml::tree::{self, Limits, Node};

/// One document of a source.
#[derive(Debug, Clone)]
pub struct DocRef {
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
    /// None when the tree is read in place ([`parse_in_place`]): [`Parsed::doc`] reads it, and
    /// [`Parsed::value`] converts it when a value is wanted whole.
    value: Option<Value>,
    /// YAML documents only; None for an empty document.
    pub root: Option<Node>,
}

impl Parsed {
    /// What the engine reads.
    pub fn doc(&self) -> engine::Doc<'_> {
        match (&self.value, &self.root) {
            (None, Some(root)) => engine::Doc::Yaml(root),
            (Some(v), _) => engine::Doc::Json(v),
            (None, None) => engine::Doc::NULL,
        }
    }

    /// The document's value: converted from the tree when it was read in place.
    pub fn value(&self) -> std::borrow::Cow<'_, Value> {
        match &self.value {
            Some(v) => std::borrow::Cow::Borrowed(v),
            None => std::borrow::Cow::Owned(self.doc().to_value()),
        }
    }

    /// The same parse with its value converted (for a document read more than once as a value).
    pub fn converted(self) -> Parsed {
        let (value, root) = self.into_parts();
        Parsed {
            value: Some(value),
            root,
        }
    }

    /// The value (converted if read in place) and the tree.
    pub fn into_parts(self) -> (Value, Option<Node>) {
        let value = match self.value {
            Some(v) => v,
            None => self.doc().to_value(),
        };
        (value, self.root)
    }
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
    // Only the lines that hold `Secret` are looked at (a scan of every line was most of the cost
    // of `diff`'s thread that writes, which asks this of every document twice).
    // One searcher for the run: building it was a third of this function's cost.
    static SECRET: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("Secret"));
    let b = doc.as_bytes();
    SECRET.find_iter(b).any(|at| {
        let start = memchr::memrchr(b'\n', &b[..at]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |i| at + i);
        let l = doc[start..end].trim_end();
        l == "kind: Secret"
            || l == "kind: \"Secret\""
            || l == "kind: 'Secret'"
            || l.contains("\"kind\":\"Secret\"")
            || l.contains("\"kind\": \"Secret\"")
    })
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
pub fn split(src: &Source) -> Result<Vec<DocRef>, Diagnostic> {
    split_known(src, None)
}

/// [`split`], given the YAML documents of the text when they are known already (a window is split
/// when it is read, to count its documents).
pub fn split_known(
    src: &Source,
    chunks: Option<Vec<stream::Chunk>>,
) -> Result<Vec<DocRef>, Diagnostic> {
    match stream::detect_format(&src.text) {
        Format::Yaml => Ok(chunks
            .unwrap_or_else(|| stream::split_yaml(&src.text))
            .into_iter()
            .enumerate()
            .map(|(index, c)| DocRef {
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
                            index: out.len(),
                            range: 0..src.text.len(),
                            line: 1 + src.first_line,
                            number: src.first_doc + out.len() + 1,
                            format: Format::Json,
                        };
                        let diag = Diagnostic::error(
                            Code::JsonSyntax,
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
    parse_as(src, d, limits, false)
}

/// As [`parse`], but a YAML tree that reads as JSON as it is (`tree::reads_in_place`) is not
/// converted: the engine reads the tree. For the documents that are planned and rendered, where
/// the conversion and freeing the value were a quarter of a run's instructions.
pub fn parse_in_place(src: &Source, d: &DocRef, limits: &Limits) -> Result<Parsed, Diagnostic> {
    parse_as(src, d, limits, true)
}

fn parse_as(
    src: &Source,
    d: &DocRef,
    limits: &Limits,
    in_place: bool,
) -> Result<Parsed, Diagnostic> {
    let text = &src.text[d.range.clone()];
    if text.len() > limits.max_document_bytes {
        return Err(Diagnostic::error(
            Code::Limit,
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
            if let Some(at) = json_too_deep(text, limits.max_depth) {
                let (line, col) = stream::line_col(text, at);
                return Err(located(
                    src,
                    d,
                    line,
                    col,
                    1,
                    Diagnostic::error(
                        Code::Limit,
                        format!("nesting deeper than {} levels", limits.max_depth),
                    ),
                )
                .with_help("the document is larger than the limits allow (see --max-depth)"));
            }
            let value: Value = serde_json::from_str(text).map_err(|e| {
                located(
                    src,
                    d,
                    e.line().max(1),
                    e.column().max(1),
                    1,
                    Diagnostic::error(
                        Code::JsonSyntax,
                        format!("invalid JSON: {}", json_message(&e)),
                    ),
                )
            })?;
            Ok(Parsed {
                value: Some(value),
                root: None,
            })
        }
        Format::Yaml => {
            if stream::is_blank_yaml(text) {
                return Ok(Parsed {
                    value: Some(Value::Null),
                    root: None,
                });
            }
            let read = tree::parse(text, limits).and_then(|doc| {
                let reads_in_place = doc
                    .in_place
                    .unwrap_or_else(|| doc.root.as_ref().is_some_and(tree::reads_in_place));
                if in_place && reads_in_place {
                    return Ok((doc, None));
                }
                let value = tree::to_value(&doc, limits)?;
                Ok((doc, Some(value)))
            });
            let (doc, value) = read.map_err(|e| {
                let help = if e.message.contains("tab") {
                    "indent with spaces: YAML does not allow tabs for indentation"
                } else if e.message.contains("duplicate key") {
                    "remove one of the two keys: Kubernetes rejects duplicates"
                } else if e.message.contains("follows the tag directly") {
                    "put a space between the tag and the `,`, or quote the value"
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
                        Code::YamlSyntax,
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

/// Where a JSON text opens a collection deeper than `max_depth` (the YAML reader's rule: at most
/// `max_depth` collections open at once), if it does.
fn json_too_deep(text: &str, max_depth: usize) -> Option<usize> {
    let b = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' => {
                if depth >= max_depth {
                    return Some(i);
                }
                depth += 1;
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// True for documents the engine may edit (pod-bearing kinds and Lists).
pub fn is_candidate(v: Doc) -> bool {
    let kind = v.field("kind").and_then(Doc::as_str).unwrap_or_default();
    kind.ends_with("List") || is_workload_kind(kind)
}

fn is_workload_kind(kind: &str) -> bool {
    matches!(
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

/// A YAML document that [`crate::yaml::header`] reads, without parsing it, as a workload that
/// is neither context nor config: what the first pass would learn from parsing it is only that
/// it is a candidate.
fn quick_candidate(src: &Source, d: &DocRef) -> bool {
    d.format == Format::Yaml
        && crate::yaml::header::scan(&src.text[d.range.clone()]).is_some_and(|h| {
            is_workload_kind(h.kind) && !h.api_version.starts_with("kubeopencode.io/")
        })
}

/// Whether a parsed document is what [`quick_candidate`] took it for: a candidate that is
/// neither context, config nor a Secret.
fn plain_candidate(v: Doc) -> bool {
    is_candidate(v) && !is_config(v) && !teaches_context(v)
}

/// What the first pass learns from: the stream's context (Tasks, Agents, Lists) and its Secrets.
fn teaches_context(v: Doc) -> bool {
    crate::engine::context::is_context(v) || v.field("kind").and_then(Doc::as_str) == Some("Secret")
}

pub fn is_config<'a>(v: impl Into<Doc<'a>>) -> bool {
    let v = v.into();
    v.field("kind").and_then(Doc::as_str) == Some(config::KIND)
        && v.field("apiVersion")
            .and_then(Doc::as_str)
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
            let path: Vec<engine::Seg> = i
                .path
                .iter()
                .map(|k| engine::Seg::Key(k.clone().into()))
                .collect();
            let mut diag = Diagnostic::error(Code::Config, i.message.clone());
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
    let docs = split(src).map_err(|e| vec![e])?;
    let mut found = Vec::new();
    for d in &docs {
        let p = parse(src, d, limits).map_err(|e| vec![e])?;
        if !p.doc().is_null() {
            found.push((d.clone(), p));
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(vec![
            Diagnostic::error(Code::Config, format!("{} holds no document", src.name))
                .with_help("pass a KubeOpenCodeConfig manifest with -c"),
        ]),
        n => Err(vec![Diagnostic::error(
            Code::Config,
            format!(
                "{} holds {n} documents; expected one KubeOpenCodeConfig",
                src.name
            ),
        )]),
    }
}

/// Validates a parsed KubeOpenCodeConfig document.
pub fn config_from(src: &Source, d: &DocRef, p: &Parsed) -> Result<ConfigRead, Vec<Diagnostic>> {
    let value = p.value();
    let helm = config::from_helm_values(&value);
    let doc = helm.as_ref().unwrap_or(&value);
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
        Ok((c, mut tolerated)) => {
            tolerated = relocate(tolerated);
            tolerated.extend(config::helm_values_issues(&value));
            let mut warnings = config_diagnostics(src, d, p.root.as_ref(), tolerated);
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

/// Where the config is, to locate findings about it: its document alone (a source of its own,
/// numbered as in its input) and its tree.
#[derive(Debug, Clone)]
pub struct ConfigLocation {
    pub src: Source,
    pub doc: DocRef,
    pub root: Option<Node>,
}

/// The config of a run, the warnings about it (rules the API server enforces but the controller
/// tolerates), and where it is.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub config: KubeOpenCodeConfig,
    pub warnings: Vec<Diagnostic>,
    pub at: ConfigLocation,
}

/// Reads a config document found anywhere (a stream document, a `-c` file or stdin, a Helm values
/// file) into a [`Resolved`].
pub fn resolved_from(src: &Source, d: &DocRef, p: Parsed) -> Result<Resolved, Vec<Diagnostic>> {
    let (config, warnings) = config_from(src, d, &p)?;
    let text = src.text[d.range.clone()].to_string();
    let doc = DocRef {
        index: 0,
        range: 0..text.len(),
        ..d.clone()
    };
    let at = ConfigLocation {
        src: Source {
            text,
            first_line: d.line.saturating_sub(1),
            first_doc: d.number.saturating_sub(1),
            ..src.clone_meta()
        },
        doc,
        root: p.root,
    };
    Ok(Resolved {
        config,
        warnings,
        at,
    })
}

/// Reads the config given with `-c` (a file, or `-` for stdin).
pub fn read_config(origin: &Origin, limits: &Limits) -> Result<Resolved, Vec<Diagnostic>> {
    let name = origin.name();
    let bytes = match origin {
        Origin::Stdin => {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf).map(|_| buf)
        }
        Origin::File(p) => std::fs::read(p),
    }
    .map_err(|e| {
        vec![
            Diagnostic::error(Code::Io, format!("cannot read the config file {name}: {e}"))
                .with_help("check the path given with -c"),
        ]
    })?;
    let (text, bom) = crate::input::decode(&name, bytes).map_err(|e| vec![e])?;
    let src = Source {
        text,
        bom,
        ..Source::named(origin.clone())
    };
    let (d, p) = config_document(&src, limits)?;
    resolved_from(&src, &d, p)
}

/// The one config of a run: the one given (`-c`), else the one KubeOpenCodeConfig document of the
/// stream (`found`: where each is, and what reading it gave).
pub fn resolve(
    given: Option<Resolved>,
    mut found: Vec<(String, Result<Resolved, Vec<Diagnostic>>)>,
) -> Result<Resolved, Vec<Diagnostic>> {
    if let Some(c) = given {
        return Ok(c);
    }
    match found.len() {
        1 => found.remove(0).1,
        0 => Err(vec![Diagnostic::error(Code::Config, "no KubeOpenCodeConfig: none given with -c and none in the input")
            .with_help("pass the config with -c FILE, or include the KubeOpenCodeConfig document in the stream")]),
        n => {
            let places: Vec<String> = found.into_iter().map(|(place, _)| place).collect();
            Err(vec![
                Diagnostic::error(
                    Code::Config,
                    format!(
                        "{n} KubeOpenCodeConfig documents in the input: {}",
                        places.join(", ")
                    ),
                )
                .with_help("keep one, or choose with -c FILE"),
            ])
        }
    }
}

/// What a KRM function runs with: the config (None when there is none to use) and what to report
/// about it, each diagnostic marked when it is about `functionConfig`.
pub struct FunctionConfig {
    pub config: Option<KubeOpenCodeConfig>,
    pub diagnostics: Vec<(Diagnostic, bool)>,
}

/// The config of a KRM function (ResourceList document `d`): the one given with `-c` when there is
/// one (a KubeOpenCodeConfig in `functionConfig` that differs is then a warning), else
/// `functionConfig`, located in the ResourceList.
pub fn function_config(
    src: &Source,
    d: &DocRef,
    p: &Parsed,
    given: Option<(String, Result<Resolved, Vec<Diagnostic>>)>,
) -> FunctionConfig {
    let value = p.value();
    let fc = value.get("functionConfig").filter(|v| is_config(*v));
    let mut diagnostics = Vec::new();
    let config = match (fc, given) {
        (_, Some((_, Err(diags)))) => {
            diagnostics.extend(diags.into_iter().map(|d| (d, false)));
            None
        }
        (fc, Some((name, Ok(given)))) => {
            diagnostics.extend(given.warnings.into_iter().map(|w| (w, false)));
            if fc.is_some_and(|fc| !config::from_value(fc).is_ok_and(|(f, _)| f == given.config)) {
                let msg = format!(
                    "functionConfig is a KubeOpenCodeConfig that differs from {name}; the config given with -c is used"
                );
                diagnostics.push((
                    Diagnostic::new(Severity::Warning, Code::Config, msg).with_help(
                        "drop -c to use functionConfig, or make the two configs the same",
                    ),
                    true,
                ));
            }
            Some(given.config)
        }
        (Some(fc), None) => {
            let prefixed = |issues: Vec<ConfigIssue>| {
                issues
                    .into_iter()
                    .map(|mut i| {
                        i.path.insert(0, "functionConfig".into());
                        i
                    })
                    .collect()
            };
            match config::from_value(fc) {
                Ok((c, tolerated)) => {
                    for mut w in config_diagnostics(src, d, p.root.as_ref(), prefixed(tolerated)) {
                        w.severity = Severity::Warning;
                        diagnostics.push((w, true));
                    }
                    Some(c)
                }
                Err(issues) => {
                    let diags = config_diagnostics(src, d, p.root.as_ref(), prefixed(issues));
                    diagnostics.extend(diags.into_iter().map(|d| (d, true)));
                    None
                }
            }
        }
        (None, None) => {
            diagnostics.push((
                Diagnostic::error(
                    Code::Config,
                    "no KubeOpenCodeConfig: functionConfig is not a KubeOpenCodeConfig and no -c was given",
                )
                .with_help("pass the KubeOpenCodeConfig as the function config (kpt --fn-config, or the transformer config in kustomize)"),
                false,
            ));
            None
        }
    };
    FunctionConfig {
        config,
        diagnostics,
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
    /// The limits a document is read with (an edited JSON document is read again as a tree).
    pub limits: &'a Limits,
    /// Build the report lines (`injected (1 container)`…): only when they are printed.
    pub report: bool,
    /// What the output does with each document where it is rendered (with its plans, which are
    /// otherwise dropped where they were made, on the worker, not on the thread that writes).
    pub hook: Option<&'a dyn DocHook>,
}

/// Work an output does on each document on the worker that renders it, while the document's
/// parse is at hand: `check` lints there, so that a workload is read once in the second pass
/// (it was read again for the lint).
pub trait DocHook: Sync {
    /// `workload`: a workload's parse and plans (the plans of a document that failed too); None
    /// for any other document. The findings come back with their rendered text.
    fn document(
        &self,
        src: &Source,
        d: &DocRef,
        workload: Option<(Parsed, Vec<WorkloadPlan>)>,
    ) -> Vec<(crate::diag::Located, String)>;

    /// Once a window is rendered, on the worker that rendered it: what the output prepares from
    /// it for its `Output::window`, handed over in [`SourceRendered::prepared`] (`diff` copies,
    /// masks and diffs each document there, not on the thread that writes).
    fn rendered(&self, _src: &Source, _refs: &[DocRef], _r: &SourceRendered) -> Option<Prepared> {
        None
    }
}

/// What a [`DocHook`] prepared from a rendered window, for its output to take back.
pub type Prepared = Box<dyn std::any::Any + Send>;

impl Processor<'_> {
    pub fn plan(&self, p: &Parsed) -> Vec<WorkloadPlan> {
        engine::plan_document(p.doc(), self.otel, self.ctx, self.opts)
    }

    /// Plans the items of a KRM ResourceList, each as a document of its own: an item that is a
    /// `*List` is opened, as the pipe opens a List document.
    pub fn plan_items(&self, p: &Parsed) -> Vec<WorkloadPlan> {
        let Some(items) = p.doc().field("items").and_then(Doc::as_array) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            for mut plan in engine::plan_document(item, self.otel, self.ctx, self.opts) {
                let pre = [engine::Seg::Key("items".into()), engine::Seg::Index(i)];
                let under = |path: &mut engine::Path| {
                    path.splice(0..0, pre.iter().cloned());
                };
                under(&mut plan.object_path);
                for n in &mut plan.notes {
                    under(&mut n.path);
                }
                match &mut plan.outcome {
                    Outcome::Planned { edits, .. } => {
                        edits.iter_mut().for_each(|e| under(&mut e.path))
                    }
                    Outcome::Failed(n) => under(&mut n.path),
                    Outcome::Skipped(_) => {}
                }
                out.push(plan);
            }
        }
        out
    }

    /// Renders a document given its plans. `value` receives the edited value.
    pub fn render(
        &self,
        text: &str,
        d: &DocRef,
        p: &Parsed,
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
        // The edited value is needed only to re-emit a document; splicing edits the text.
        let edited = |p: &Parsed| {
            let mut v = p.value().into_owned();
            engine::apply(&mut v, &plans);
            v
        };
        if d.format == Format::Json {
            // JSON is YAML flow syntax: edited as text like any flow document.
            let spliced = match self.normalize {
                true => Err(render::Fallback(String::new())),
                false => render::splice_json(text, &plans, self.limits),
            };
            let (text, fallback) = match spliced {
                Ok(out) => (out, None),
                Err(render::Fallback(why)) => (
                    render::reemit_json(text, &edited(p)),
                    Some(why).filter(|w| !w.is_empty()),
                ),
            };
            return DocOutput {
                text: Some(text),
                fallback,
                plans,
            };
        }
        if p.root.is_none() && p.doc().is_null() {
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
                        text: Some(render::reemit_yaml(text, Some(root), &edited(p))),
                        fallback: Some(reason),
                        plans,
                    };
                }
            }
        }
        DocOutput {
            text: Some(render::reemit_yaml(text, p.root.as_ref(), &edited(p))),
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
    let mut diag = Diagnostic::new(note.severity, Code::Note(note.code), note.message.clone());
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
            let place @ (line_in_doc, col, _) = node_place(n);
            if note.severity == Severity::Error {
                located_at(src, d, place, len.max(1), diag)
            } else {
                // Warnings and infos are printed on one line: their place, without a snippet
                // (a copy of the document for each of thousands of warnings).
                diag.at(&src.name, Some(d.number), d.line + line_in_doc - 1, col)
            }
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

// ---------------------------------------------------------------------------------------------
// Scanning a window (first pass) and rendering it (second pass)
// ---------------------------------------------------------------------------------------------

/// What scanning one source (a whole file, or a window of one) found.
pub struct Scanned {
    pub refs: Vec<DocRef>,
    /// Indexes (in `refs`) of the candidate documents (pod-bearing kinds and Lists).
    pub candidates: Vec<usize>,
    /// KubeOpenCodeConfig documents, by index.
    pub configs: Vec<(usize, Parsed)>,
    pub errors: Vec<Diagnostic>,
    /// Documents that are not empty.
    pub documents: usize,
}

/// What parsing one document gave: (is a config, is a candidate, the config document, its value
/// if it is context).
type DocParse = Result<(bool, bool, Option<Parsed>, Option<Value>, bool), Diagnostic>;

/// The documents of a source, parsed; not yet added to the stream's context.
pub struct SourceParse {
    refs: Result<Vec<DocRef>, Diagnostic>,
    results: Vec<DocParse>,
}

/// Splits and parses every document of a source (in parallel), keeping only what later steps need.
/// Pure: sources can be parsed in parallel too, then [`absorb`]ed in order.
pub fn parse_source(
    src: &Source,
    chunks: Option<Vec<stream::Chunk>>,
    limits: &Limits,
) -> SourceParse {
    let refs = match split_known(src, chunks) {
        Ok(r) => r,
        Err(e) => {
            return SourceParse {
                refs: Err(e),
                results: Vec::new(),
            };
        }
    };
    // Documents parse independently: use every core, then merge in order.
    let results = crate::par::map(&refs, src.text.len(), |d| {
        // A workload needs only its kind now: it is parsed (and its syntax checked) once,
        // when it is rendered.
        if quick_candidate(src, d) {
            return Ok((false, true, None, None, true));
        }
        parse_in_place(src, d, limits).map(|p| {
            let doc = p.doc();
            let config = is_config(doc);
            let candidate = !config && is_candidate(doc);
            // Context: what the stream teaches (Tasks, Agents, Lists) and its Secrets.
            let context = teaches_context(doc);
            // Keep only what later steps need; drop the rest here, in parallel.
            let value = (context && !config).then(|| p.value().into_owned());
            let document = !doc.is_null();
            // A config document is read as a value here and again when resolved: convert it once.
            (
                config,
                candidate,
                config.then(|| p.converted()),
                value,
                document,
            )
        })
    });
    SourceParse {
        refs: Ok(refs),
        results,
    }
}

/// Adds what the documents of a source tell about the stream to its context, in order.
pub fn absorb(
    parse: SourceParse,
    namespace: Option<&str>,
    ctx: &mut StreamContext,
    secrets: &mut SecretIndex,
) -> Scanned {
    let mut scanned = Scanned {
        refs: Vec::new(),
        candidates: Vec::new(),
        configs: Vec::new(),
        errors: Vec::new(),
        documents: 0,
    };
    let refs = match parse.refs {
        Ok(r) => r,
        Err(e) => {
            scanned.errors.push(e);
            return scanned;
        }
    };
    for (d, r) in refs.iter().zip(parse.results) {
        match r {
            Err(e) => scanned.errors.push(e),
            Ok((config, candidate, p, value, document)) => {
                scanned.documents += usize::from(document);
                let config_value = p.as_ref().map(Parsed::value);
                if let Some(v) = value.as_ref().or(config_value.as_deref()) {
                    ctx.add(v, namespace);
                    secrets.add(v, namespace);
                }
                if candidate {
                    scanned.candidates.push(d.index);
                }
                match p {
                    Some(p) if config => scanned.configs.push((d.index, p)),
                    _ => {}
                }
            }
        }
    }
    scanned.refs = refs;
    scanned
}

impl DocResult {
    /// A document that cannot be read (found when it is rendered).
    fn unreadable(e: Diagnostic) -> Self {
        DocResult {
            unreadable: Some(e),
            ..DocResult::default()
        }
    }
}

/// What planning and rendering one document produced.
#[derive(Default)]
struct DocResult {
    /// Not a workload: only what the hook found.
    other: bool,
    /// The document could not be read.
    unreadable: Option<Diagnostic>,
    text: Option<String>,
    /// What the output's hook found in it.
    found: Vec<(crate::diag::Located, String)>,
    diagnostics: Vec<Diagnostic>,
    report: Vec<String>,
    resources: Vec<String>,
}

fn report_line(plan: &crate::engine::WorkloadPlan, fallback: Option<&String>) -> Option<String> {
    let line = match &plan.outcome {
        Outcome::Skipped(reason) => format!("{}: skipped: {reason}", plan.resource),
        Outcome::Failed(_) => return None,
        Outcome::Planned { action, edits } => {
            let n = edits.len();
            let containers = if n == 1 {
                "1 container".to_string()
            } else {
                format!("{n} containers")
            };
            match action {
                Action::Injected => format!("{}: injected ({containers})", plan.resource),
                Action::Updated => format!("{}: updated ({containers})", plan.resource),
                Action::Removed => format!("{}: removed ({containers})", plan.resource),
                Action::Unchanged => format!("{}: unchanged", plan.resource),
            }
        }
    };
    Some(match fallback {
        Some(reason) => format!("{line}; re-emitted the whole document: {reason}"),
        None => line,
    })
}

fn doc_result(processor: &Processor, src: &Source, d: &DocRef, p: Parsed) -> DocResult {
    let text = &src.text[d.range.clone()];
    let plans = processor.plan(&p);
    let diagnostics = plan_diagnostics(src, d, p.root.as_ref(), &plans);
    // Once rendered, the parse and the plans go to the output's hook, or are dropped here, on
    // the worker.
    let found = |plans: Vec<WorkloadPlan>, p: Parsed| {
        processor
            .hook
            .map(|hook| hook.document(src, d, Some((p, plans))))
            .unwrap_or_default()
    };
    if plans
        .iter()
        .any(|pl| matches!(pl.outcome, Outcome::Failed(_)))
    {
        return DocResult {
            found: found(plans, p),
            diagnostics,
            ..DocResult::default()
        };
    }
    let result = processor.render(text, d, &p, plans);
    let resources = result
        .plans
        .iter()
        .filter(|pl| !pl.edits().is_empty())
        .map(|pl| pl.resource.to_string())
        .collect();
    let report = match processor.report {
        true => result
            .plans
            .iter()
            .filter_map(|pl| report_line(pl, result.fallback.as_ref()))
            .collect(),
        false => Vec::new(),
    };
    DocResult {
        text: result.text,
        found: found(result.plans, p),
        diagnostics,
        report,
        resources,
        ..DocResult::default()
    }
}

/// What planning and rendering the documents of one source (or window) produced.
#[derive(Default)]
pub struct SourceRendered {
    /// New text per document, None when unchanged.
    pub texts: Vec<Option<String>>,
    pub report: Vec<String>,
    pub warnings: Vec<Diagnostic>,
    pub errors: Vec<Diagnostic>,
    /// The resources that change, by document index.
    pub resources: Vec<(usize, Vec<String>)>,
    /// Documents that could not be read (the first pass read only their kind): errors for every
    /// front end, `check` included.
    pub unreadable: Vec<Diagnostic>,
    /// What the output's hook found, in document order.
    pub found: Vec<(crate::diag::Located, String)>,
    /// What the output's hook prepared from the rendered window ([`DocHook::rendered`]).
    pub prepared: Option<Prepared>,
}

/// Plans and renders the documents of one source in parallel: each candidate is parsed here,
/// planned, rendered and dropped, so memory follows the document being rendered.
pub fn render_source(
    processor: &Processor,
    src: &Source,
    refs: &[DocRef],
    is_candidate: impl Fn(usize) -> bool + Sync,
) -> SourceRendered {
    let lim = processor.limits;
    let results: Vec<Option<DocResult>> = crate::par::map(refs, src.text.len(), |d| {
        if !is_candidate(d.index) {
            // Not a workload: the hook may still read it (it is parsed only if it does).
            return processor.hook.map(|hook| DocResult {
                other: true,
                found: hook.document(src, d, None),
                ..DocResult::default()
            });
        }
        // The first pass parsed it to check it, or read only its kind.
        let p = match parse_in_place(src, d, lim) {
            Ok(p) => p,
            Err(e) => return Some(DocResult::unreadable(e)),
        };
        // Only a document the first pass did not parse can have been misread.
        if !plain_candidate(p.doc()) && quick_candidate(src, d) {
            return Some(DocResult::unreadable(
                located(
                    src,
                    d,
                    1,
                    1,
                    1,
                    Diagnostic::error(
                        Code::Internal,
                        "the quick read of this document's kind disagrees with its full parse",
                    ),
                )
                .with_help(
                    "this is a bug in kubeopencode-inject: please report it with the document",
                ),
            ));
        }
        Some(doc_result(processor, src, d, p))
    });
    let mut out = SourceRendered {
        texts: Vec::with_capacity(refs.len()),
        ..SourceRendered::default()
    };
    for (d, r) in refs.iter().zip(results) {
        let r = match r {
            Some(r) if !r.other => r,
            r => {
                out.found.extend(r.into_iter().flat_map(|r| r.found));
                out.texts.push(if processor.normalize {
                    normalize_other(src, d, lim)
                } else {
                    None
                });
                continue;
            }
        };
        out.found.extend(r.found);
        if let Some(e) = r.unreadable {
            out.unreadable.push(e);
            out.texts.push(None);
            continue;
        }
        for diag in r.diagnostics {
            if diag.severity == Severity::Error {
                out.errors.push(diag);
            } else {
                out.warnings.push(diag);
            }
        }
        out.report.extend(r.report);

        if !r.resources.is_empty() {
            out.resources.push((d.index, r.resources));
        }
        out.texts.push(r.text);
    }
    out.prepared = processor.hook.and_then(|h| h.rendered(src, refs, &out));
    out
}

fn normalize_other(src: &Source, d: &DocRef, limits: &Limits) -> Option<String> {
    let text = &src.text[d.range.clone()];
    let p = parse(src, d, limits).ok()?;
    match d.format {
        Format::Json => Some(render::reemit_json(text, &p.value())),
        Format::Yaml if p.root.is_none() => None,
        Format::Yaml => Some(render::reemit_yaml(text, p.root.as_ref(), &p.value())),
    }
}

/// The new text of a whole source file.
pub fn source_text(src: &Source, refs: &[DocRef], texts: &[Option<String>]) -> String {
    let mut out = String::with_capacity(src.text.len() + 1024);
    if src.bom {
        out.push_str(stream::BOM);
    }
    for (d, t) in refs.iter().zip(texts) {
        out.push_str(t.as_deref().unwrap_or(&src.text[d.range.clone()]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line scan that `is_secret_text` replaced gives the same answer on every text.
    #[test]
    fn secret_text_as_a_scan_of_every_line() {
        let every_line = |doc: &str| {
            doc.lines().any(|l| {
                let l = l.trim_end();
                l == "kind: Secret" || l == "kind: \"Secret\"" || l == "kind: 'Secret'"
            }) || doc.contains("\"kind\":\"Secret\"")
                || doc.contains("\"kind\": \"Secret\"")
        };
        let pieces = [
            "kind: Secret",
            "kind: \"Secret\"",
            "kind: 'Secret'",
            "  kind: Secret",
            "kind: Secrets",
            "{\"kind\":\"Secret\"}",
            "{\"kind\": \"Secret\", \"a\": 1}",
            "Secret",
            "x: Secret",
            "kind: Secret \t",
            "kind: Secret\r",
            "",
            "# kind: Secret",
            "kind:  Secret",
        ];
        for a in pieces {
            for b in pieces {
                for sep in ["\n", "\r\n", " "] {
                    let doc = format!("{a}{sep}{b}");
                    assert_eq!(is_secret_text(&doc), every_line(&doc), "{doc:?}");
                    let doc = format!("apiVersion: v1\n{a}{sep}{b}\n");
                    assert_eq!(is_secret_text(&doc), every_line(&doc), "{doc:?}");
                }
            }
        }
    }

    /// A JSON document and the same document as YAML flow are refused at the same `--max-depth`
    /// (JSON is read by serde_json, YAML by the tree reader: one rule for both).
    #[test]
    fn json_and_yaml_share_the_depth_limit() {
        for n in 1..12 {
            let json = format!("{}1{}", "{\"a\": ".repeat(n), "}".repeat(n));
            let yaml = format!("{}1{}\n", "{a: ".repeat(n), "}".repeat(n));
            for max_depth in 1..14 {
                let limits = Limits {
                    max_depth,
                    ..Limits::default()
                };
                let read = |text: &str, format: Format| {
                    let src = Source {
                        text: text.to_string(),
                        ..Source::named(Origin::Stdin)
                    };
                    let d = DocRef {
                        index: 0,
                        range: 0..text.len(),
                        line: 1,
                        number: 1,
                        format,
                    };
                    parse(&src, &d, &limits).is_ok()
                };
                assert_eq!(
                    read(&json, Format::Json),
                    read(&yaml, Format::Yaml),
                    "depth {n}, --max-depth {max_depth}"
                );
            }
        }
    }
}
