//! `check` (the CI gate, an [`Output`] of the driver) and `validate` (the config alone): findings
//! in three formats.
//!
//! Exit status: 0 clean, 1 findings (errors; warnings too with --strict), 2 the tool could not run
//! (unreadable file, malformed YAML/JSON, bad usage).

use std::io::Write;

use serde_json::json;

pub use crate::diag::Located;
use crate::diag::{Code, Diagnostic};
use crate::engine::{Seg, Severity};
use crate::input::{Origin, Source};
use crate::lint::{self, Finding, Place, Rule, SecretIndex};
use crate::pipe::{Begin, Output};
use crate::pipeline::{self, ConfigLocation, DocHook, DocRef, Parsed, SourceRendered};
use crate::render;
use crate::report::Exit;
use crate::yaml::tree::{Kind, Limits, Node};

/// How findings are written to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Located messages with the snippet underlined.
    Human,
    /// The stable JSON document of docs/check.md.
    Json,
    /// GitHub Actions workflow commands.
    Github,
    /// A SARIF 2.1.0 log (GitHub code scanning).
    Sarif,
}

fn resolve(f: Finding, src: &Source, d: &DocRef, root: Option<&Node>) -> Located {
    let mut diag = Diagnostic::new(f.severity, Code::Rule(f.rule), f.message);
    diag.resource = f.resource;
    diag.help = f.help.or_else(|| Some(f.rule.help().to_string()));
    let (at, len, field) = match (&f.place, root) {
        (Place::Config { path, at_key }, Some(root)) => {
            let path = crate::config::path_in_document(root, path);
            let segs: Vec<Seg> = path.iter().map(|k| Seg::Key(k.clone().into())).collect();
            let n = render::locate(root, &segs, *at_key);
            (pipeline::node_place(n), span_len(n), Some(path.join(".")))
        }
        (Place::Doc(path), Some(root)) => {
            let n = render::locate(root, path, false);
            (
                pipeline::node_place(n),
                span_len(n),
                Some(crate::engine::path_string(path)),
            )
        }
        (Place::Config { path, .. }, None) => ((1, 1, 0), 1, Some(path.join("."))),
        (Place::Doc(path), None) => ((1, 1, 0), 1, Some(crate::engine::path_string(path))),
    };
    diag.field = field.filter(|f| !f.is_empty());
    let rule = f.rule;
    let credential =
        matches!(&f.place, Place::Config { path, .. } if lint::config::is_credential_path(path));
    let mut diag = pipeline::located_at(src, d, at, len.max(1), diag);
    if rule == Rule::InlineCredential || credential {
        // The snippet would print the credential: the location is enough.
        diag.snippet = None;
    }
    Located::new(rule, diag)
}

fn span_len(n: &Node) -> usize {
    match n.kind {
        Kind::Scalar { .. } => n.pos.end.saturating_sub(n.pos.start),
        _ => 1,
    }
}

/// Findings about the config document.
fn config_findings(
    at: &ConfigLocation,
    warnings: &[Diagnostic],
    config: &crate::config::KubeOpenCodeConfig,
    out: &mut Vec<Located>,
) {
    // Rules the controller tolerates are still CRD violations: the API server rejects them.
    out.extend(warnings.iter().cloned().map(crd));
    if let Some(o) = &config.open_telemetry {
        for f in lint::config::lint(o) {
            out.push(resolve(f, &at.src, &at.doc, at.root.as_ref()));
        }
    }
}

fn crd(mut diag: Diagnostic) -> Located {
    diag.code = Code::Rule(Rule::Crd);
    diag.severity = Severity::Error;
    Located::new(Rule::Crd, diag)
}

/// A run that failed only on located config errors: those are `crd` findings (exit 1), not a
/// failure to run.
pub fn crd_errors(diags: Vec<Diagnostic>) -> Result<Vec<Located>, Vec<Diagnostic>> {
    if diags
        .iter()
        .all(|d| d.code == Code::Config && d.line.is_some())
    {
        Ok(diags.into_iter().map(crd).collect())
    } else {
        Err(diags)
    }
}

/// The findings of `check`, gathered as the driver renders each window.
pub struct CheckOutput {
    found: Findings,
    namespace: Option<String>,
    limits: Limits,
    /// The Secrets of the run, known at [`Output::begin`], for the lint.
    secrets: SecretIndex,
}

impl CheckOutput {
    pub fn new(format: Format, color: bool, namespace: Option<String>, limits: Limits) -> Self {
        CheckOutput {
            found: Findings::new(format, color),
            namespace,
            limits,
            secrets: SecretIndex::default(),
        }
    }

    /// The findings, to [`Findings::finish`].
    pub fn into_findings(self) -> Findings {
        self.found
    }
}

impl Output for CheckOutput {
    fn begin(&mut self, run: &Begin) -> Result<(), Diagnostic> {
        self.secrets = run.secrets.clone();
        let mut found = Vec::new();
        config_findings(
            &run.config.at,
            &run.config.warnings,
            &run.config.config,
            &mut found,
        );
        for l in found {
            self.found.push(l)?;
        }
        Ok(())
    }

    fn hook(&mut self) -> Option<Box<dyn DocHook>> {
        Some(Box::new(Lint {
            secrets: std::mem::take(&mut self.secrets),
            namespace: self.namespace.clone(),
            limits: self.limits,
            text: self.found.renderer(),
        }))
    }

    fn window(
        &mut self,
        _src: &Source,
        _refs: &[DocRef],
        r: &mut SourceRendered,
    ) -> Result<(), Diagnostic> {
        // Workload errors, notes and report lines are findings here, not messages.
        r.errors.clear();
        r.warnings.clear();
        r.report.clear();
        for (l, text) in r.found.drain(..) {
            self.found.keep(&l, text)?;
        }
        Ok(())
    }
}

/// The lint, run on the worker that renders each document, with the workload's parse and plans
/// at hand (a workload is read once in the second pass); its findings are rendered there too.
struct Lint {
    secrets: SecretIndex,
    namespace: Option<String>,
    limits: Limits,
    text: Renderer,
}

impl DocHook for Lint {
    fn document(
        &self,
        src: &Source,
        d: &DocRef,
        workload: Option<(Parsed, Vec<crate::engine::WorkloadPlan>)>,
    ) -> Vec<(Located, String)> {
        let limits = &self.limits;
        let (p, plans) = match workload {
            Some((p, plans)) => (p, Some(plans)),
            None => {
                // A document that is not a workload gets only the quoting lint, which needs its
                // tree; its value only names the resource of a finding, and most have none.
                if !quoting_findings(src, d, limits) {
                    return Vec::new();
                }
                // Read by the passes already: a document that does not parse failed the run.
                let Ok(p) = pipeline::parse(src, d, limits) else {
                    return Vec::new();
                };
                (p, None)
            }
        };
        let mut quoting = Vec::new();
        if let Some(root) = &p.root {
            let resource = crate::engine::ResourceId::of(p.doc()).to_string();
            for f in lint::lint_quoting(root, &resource) {
                quoting.push(resolve(f, src, d, Some(root)));
            }
        }
        let mut workload = Vec::new();
        if let Some(plans) = &plans {
            // Read as the injection leaves it, without converting or editing the document.
            let ns = self.namespace.as_deref();
            let edited = lint::Edited::No;
            for f in lint::lint_workloads(p.doc(), edited, plans, &self.secrets, ns) {
                workload.push(resolve(f, src, d, p.root.as_ref()));
            }
        }
        // An env value written `value: on` is one problem, reported once (as the quoting error).
        workload.retain(|l| {
            !(l.rule == Rule::InvalidWorkload
                && quoting
                    .iter()
                    .any(|q| (q.diag.line, q.diag.col) == (l.diag.line, l.diag.col)))
        });
        quoting.extend(workload);
        quoting
            .into_iter()
            .map(|mut l| {
                let text = self.text.render(&l);
                // Rendered: the snippet (a copy of the document) is not needed to keep it.
                l.diag.snippet = None;
                (l, text)
            })
            .collect()
    }
}

/// Whether the quoting lint finds something in a document (read as a tree only; a JSON document
/// has no plain scalars to find).
fn quoting_findings(src: &Source, d: &DocRef, limits: &Limits) -> bool {
    if d.format != crate::yaml::stream::Format::Yaml {
        return false;
    }
    match crate::yaml::tree::parse(&src.text[d.range.clone()], limits) {
        Ok(doc) => doc
            .root
            .is_some_and(|root| !lint::lint_quoting(&root, "").is_empty()),
        // Not reached (the passes read it); the whole read below decides.
        Err(_) => true,
    }
}

/// `validate`: the config alone, the CRD rules then the lints.
pub fn validate(origin: &Origin) -> Result<Vec<Located>, Vec<Diagnostic>> {
    let limits = Limits::default();
    let mut found = Vec::new();
    match pipeline::read_config(origin, &limits) {
        // Rules the controller tolerates are still errors here (the API server rejects them);
        // the lints run on what the controller would use.
        Ok(c) => config_findings(&c.at, &c.warnings, &c.config, &mut found),
        Err(diags) => found.extend(crd_errors(diags)?),
    }
    Ok(found)
}

/// The tool could not run (exit 2): in the machine formats the errors also go to stdout, as
/// `invalid-input` findings, so CI gets an annotation or a JSON report either way.
pub fn fail(diags: Vec<Diagnostic>, format: Format, colors: crate::report::Colors) -> Exit {
    if format != Format::Human {
        let found: Vec<Located> = diags
            .iter()
            .map(|d| {
                let mut diag = d.clone();
                diag.code = Code::Rule(Rule::InvalidInput);
                Located::new(Rule::InvalidInput, diag)
            })
            .collect();
        let _ = finish(found, format, false, false, false);
    }
    crate::report::fail(&diags, colors)
}

/// Writes the findings to stdout; with `quiet`, only those that fail the run, and no summary.
pub fn finish(found: Vec<Located>, format: Format, strict: bool, quiet: bool, color: bool) -> Exit {
    let mut store = Findings::new(format, color);
    for l in found {
        if let Err(e) = store.push(l) {
            return crate::report::fail(&[e], crate::report::Colors::default());
        }
    }
    store.finish(strict, quiet)
}

/// In-memory size of the rendered findings before they move to a temporary file.
const FINDINGS_IN_MEMORY: usize = 4 << 20;

/// The findings of a run, each rendered in the output format as it is found and kept as text
/// (in memory, then in an unnamed temporary file), with a small index to sort them by place: a
/// stream with a hundred thousand findings costs their index, not their text or their documents.
pub struct Findings {
    text: Renderer,
    format: Format,
    memory: Vec<u8>,
    file: Option<std::fs::File>,
    written: u64,
    index: Vec<Entry>,
    /// File names, interned.
    names: Vec<String>,
    /// Bytes kept in memory before the text moves to a file.
    in_memory: usize,
}

/// A finding's text in the output format. Pure, so that findings are rendered where they are
/// found, on every core (a snippet is most of a finding's cost).
#[derive(Clone)]
struct Renderer {
    format: Format,
    color: bool,
    /// What SARIF's relative URIs are relative to.
    cwd: Option<std::path::PathBuf>,
}

impl Renderer {
    fn render(&self, l: &Located) -> String {
        match self.format {
            Format::Human => {
                let mut t = l.diag.render(self.color);
                t.push('\n');
                t
            }
            Format::Json => json_finding(l),
            Format::Github => github_line(l),
            Format::Sarif => crate::sarif::result_text(l.rule, &l.diag, self.cwd.as_deref()),
        }
    }
}

struct Entry {
    file: Option<u32>,
    line: Option<usize>,
    col: Option<usize>,
    rule: Rule,
    severity: Severity,
    at: u64,
    len: usize,
}

impl Findings {
    pub fn new(format: Format, color: bool) -> Self {
        Findings {
            text: Renderer {
                format,
                color,
                cwd: std::env::current_dir().ok(),
            },
            format,
            memory: Vec::new(),
            file: None,
            written: 0,
            index: Vec::new(),
            names: Vec::new(),
            in_memory: FINDINGS_IN_MEMORY,
        }
    }

    /// Renders a finding and keeps its text.
    pub fn push(&mut self, l: Located) -> Result<(), Diagnostic> {
        let text = self.text.render(&l);
        self.keep(&l, text)
    }

    /// What renders findings as this store keeps them.
    fn renderer(&self) -> Renderer {
        self.text.clone()
    }

    /// Keeps a rendered finding.
    fn keep(&mut self, l: &Located, text: String) -> Result<(), Diagnostic> {
        let file = l.diag.file.as_ref().map(|f| {
            let i = match self.names.iter().rposition(|n| n == f) {
                Some(i) => i,
                None => {
                    self.names.push(f.clone());
                    self.names.len() - 1
                }
            };
            i as u32
        });
        self.index.push(Entry {
            file,
            line: l.diag.line,
            col: l.diag.col,
            rule: l.rule,
            severity: l.diag.severity,
            at: self.written,
            len: text.len(),
        });
        self.written += text.len() as u64;
        if self.file.is_none() && self.memory.len() + text.len() > self.in_memory {
            let mut f = tempfile::tempfile().map_err(crate::report::io_error)?;
            f.write_all(&self.memory).map_err(crate::report::io_error)?;
            self.memory = Vec::new();
            self.file = Some(f);
        }
        match &mut self.file {
            Some(f) => f
                .write_all(text.as_bytes())
                .map_err(crate::report::io_error),
            None => {
                self.memory.extend_from_slice(text.as_bytes());
                Ok(())
            }
        }
    }

    fn text(&mut self, e: &Entry) -> std::io::Result<Vec<u8>> {
        match &mut self.file {
            Some(f) => {
                use std::io::{Read, Seek};
                let mut buf = vec![0; e.len];
                f.seek(std::io::SeekFrom::Start(e.at))?;
                f.read_exact(&mut buf)?;
                Ok(buf)
            }
            None => Ok(self.memory[e.at as usize..e.at as usize + e.len].to_vec()),
        }
    }

    /// Writes the findings, sorted by place, to stdout.
    pub fn finish(self, strict: bool, quiet: bool) -> Exit {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        match self.write_to(&mut out, strict, quiet) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                crate::report::fail(&[crate::report::io_error(e)], Default::default())
            }
            Err(_) => Exit::Error,
            Ok(exit) => exit,
        }
    }

    fn write_to(
        mut self,
        out: &mut impl Write,
        strict: bool,
        quiet: bool,
    ) -> std::io::Result<Exit> {
        let mut index = std::mem::take(&mut self.index);
        let names = std::mem::take(&mut self.names);
        index.sort_by(|a, b| {
            let key = |e: &Entry| {
                (
                    e.file.map(|i| names[i as usize].as_str()),
                    e.line,
                    e.col,
                    e.rule,
                )
            };
            key(a).cmp(&key(b))
        });
        let count = |s: Severity| index.iter().filter(|e| e.severity == s).count();
        let (errors, warnings, infos) = (
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
        );
        if quiet {
            index.retain(|e| {
                e.severity == Severity::Error || (strict && e.severity == Severity::Warning)
            });
        }
        {
            let sarif = (self.format == Format::Sarif).then(crate::sarif::envelope);
            if self.format == Format::Json {
                out.write_all(b"{\n  \"version\": 1,\n  \"findings\": [")?;
            }
            if let Some((head, _)) = &sarif {
                out.write_all(head.as_bytes())?;
            }
            for (i, e) in index.iter().enumerate() {
                match self.format {
                    Format::Json => out.write_all(if i == 0 { b"\n" } else { b",\n" })?,
                    Format::Sarif if i > 0 => out.write_all(b",\n")?,
                    _ => {}
                }
                out.write_all(&self.text(e)?)?;
            }
            if let Some((_, tail)) = &sarif {
                out.write_all(tail.as_bytes())?;
            }
            let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
            match self.format {
                Format::Json => {
                    let close = if index.is_empty() { "]" } else { "\n  ]" };
                    write!(
                        out,
                        "{close},\n  \"summary\": {{\n    \"errors\": {errors},\n    \"warnings\": {warnings},\n    \"infos\": {infos}\n  }}\n}}\n"
                    )?;
                }
                Format::Human if quiet => {}
                Format::Human if index.is_empty() => out.write_all(b"no findings\n")?,
                Format::Human => writeln!(
                    out,
                    "{}, {}, {}",
                    plural(errors, "error"),
                    plural(warnings, "warning"),
                    plural(infos, "info")
                )?,
                Format::Github | Format::Sarif => {}
            }
            out.flush()?;
        }
        let failed = errors > 0 || (strict && warnings > 0);
        Ok(if failed { Exit::Findings } else { Exit::Ok })
    }
}

/// One finding of the stable JSON schema (version 1, docs/check.md), indented as an item of
/// `findings`.
fn json_finding(l: &Located) -> String {
    let v = json!({
        "rule": l.rule.id(),
        "severity": l.diag.severity.as_str(),
        "message": l.diag.message,
        "file": l.diag.file,
        "document": l.diag.document,
        "line": l.diag.line,
        "column": l.diag.col,
        "resource": l.diag.resource,
        "field": l.diag.field,
        "help": l.diag.help,
    });
    let text = serde_json::to_string_pretty(&v).unwrap_or_default();
    let mut s = String::with_capacity(text.len() + 64);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str("    ");
        s.push_str(line);
    }
    s
}

fn gh_escape(s: &str, property: bool) -> String {
    let mut out = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

/// A GitHub Actions workflow command.
fn github_line(l: &Located) -> String {
    let level = match l.diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = Vec::new();
    if let Some(f) = &l.diag.file {
        props.push(format!("file={}", gh_escape(f, true)));
    }
    if let Some(line) = l.diag.line {
        props.push(format!("line={line}"));
    }
    if let Some(col) = l.diag.col {
        props.push(format!("col={col}"));
    }
    props.push(format!(
        "title={}",
        gh_escape(&format!("kubeopencode-inject {}", l.rule.id()), true)
    ));
    let mut msg = String::new();
    if let Some(r) = &l.diag.resource {
        msg.push_str(r);
        msg.push_str(": ");
    }
    msg.push_str(&l.diag.message);
    if let Some(h) = &l.diag.help {
        msg.push_str("\nhelp: ");
        msg.push_str(h);
    }
    format!(
        "::{level} {}::{}\n",
        props.join(","),
        gh_escape(&msg, false)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Findings come out sorted by place, the same whether their text stayed in memory or moved
    /// to a file.
    #[test]
    fn findings_sort_the_same_in_memory_and_in_a_file() {
        for format in [Format::Human, Format::Json, Format::Github] {
            let outputs: Vec<String> = [usize::MAX, 1]
                .into_iter()
                .map(|in_memory| {
                    let mut f = Findings::new(format, false);
                    f.in_memory = in_memory;
                    for (file, line) in [("b", 3), ("a", 9), ("b", 1), ("a", 2)] {
                        let diag =
                            Diagnostic::error(Code::Rule(Rule::Drift), format!("at {file}:{line}"))
                                .at(file, Some(1), line, 1);
                        f.push(Located::new(Rule::Drift, diag)).unwrap();
                    }
                    let mut out = Vec::new();
                    assert_eq!(f.write_to(&mut out, false, false).unwrap(), Exit::Findings);
                    String::from_utf8(out).unwrap()
                })
                .collect();
            assert_eq!(outputs[0], outputs[1], "{format:?}");
            let at: Vec<usize> = ["a:2", "a:9", "b:1", "b:3"]
                .iter()
                .map(|m| outputs[0].find(&format!("at {m}")).unwrap())
                .collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]), "{}", outputs[0]);
        }
    }

    #[test]
    fn github_escaping() {
        assert_eq!(gh_escape("a:b,c%\n", true), "a%3Ab%2Cc%25%0A");
        assert_eq!(gh_escape("a:b\r\n", false), "a:b%0D%0A");
    }
}
