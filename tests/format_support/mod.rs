//! The format-preservation properties of issue 5, shared by `tests/format.rs` (hand-written corpus)
//! and `tests/format_props.rs` (generated manifests).
//!
//! Every property is checked against what the binary does; nothing is blessed by hand:
//! - (a) `normalize`: the default output parses, document by document, to the same values as the
//!   `--normalize` output.
//! - (b) `env-only diff`: a line diff between the input and the output adds or removes only lines
//!   of managed env entries (`OTEL_*`, `OPENCODE_CONFIG_CONTENT`) and `env:` keys whose list holds
//!   only such entries. Documents the tool reports as re-emitted (fallback) are exempt; every
//!   non-workload document must be byte-identical.
//! - (c) `idempotent`: running the tool on its output changes no byte.
//! - (d) `removal`: running the output through a disabled config gives the input bytes back.
//! - (e) `in-place`: `--in-place` on an injected copy changes no byte (and leaves the file alone);
//!   on the original it writes exactly what stdout shows.
//! - (f) `layout`: new entries are laid out like their siblings (same `- key` spacing as the other
//!   entries of their list; with a known style, the indentation of the generated style).
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use kubeopencode_inject::api::{self, Kind, Node, is_managed_name, split_yaml};
use serde_json::Value;
use similar::{DiffOp, TextDiff};

use crate::common::{self, Output};

/// The properties, so that a known bug can switch off exactly one of them for one fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Prop {
    /// Fallbacks (re-emitted documents) happen exactly where expected, with the right reason.
    Report,
    /// The output holds the input's values, env entries the tool manages aside.
    Values,
    Normalize,
    EnvOnlyDiff,
    Idempotent,
    Removal,
    InPlace,
    Layout,
}

pub const ALL: &[Prop] = &[
    Prop::Report,
    Prop::Values,
    Prop::Normalize,
    Prop::EnvOnlyDiff,
    Prop::Idempotent,
    Prop::Removal,
    Prop::InPlace,
    Prop::Layout,
];

/// A config to inject with, and its disabled twin (`enabled: false`), written to a temp dir.
pub struct Config {
    pub path: PathBuf,
    pub disabled: PathBuf,
    _dir: tempfile::TempDir,
}

impl Config {
    pub fn new(path: &Path) -> Config {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains("enabled: true"), "{}", path.display());
        let dir = tempfile::tempdir().unwrap();
        let disabled = dir.path().join("disabled.yaml");
        std::fs::write(&disabled, text.replace("enabled: true", "enabled: false")).unwrap();
        Config {
            path: path.to_path_buf(),
            disabled,
            _dir: dir,
        }
    }
}

/// What the test knows about the input's style (generated inputs know it exactly).
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Spaces per mapping level.
    pub indent: Option<usize>,
    /// Sequences indented under their key.
    pub seq_indented: Option<bool>,
}

/// Exceptions the docs allow for one input.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// Removal cannot give the input back (documented: shallow merge of an existing
    /// `experimental` object). The tool must have warned (a message containing this) when
    /// injecting, and the removal output must still differ from the input only in env lines.
    pub lossy_removal_warning: Option<&'static str>,
    /// A fallback (re-emitted document) is expected, with this reason.
    pub fallback: Option<&'static str>,
    /// The input already holds an injection (removal then gives the input minus the block).
    pub pre_injected: bool,
    /// An alias gets other edits than its anchor and is expanded (documented): its line may
    /// become the value it stands for, and removal gives the input's values back, not its bytes.
    pub expanded_aliases: bool,
}

/// The outcome of checking one input against one config.
#[derive(Debug, Default)]
pub struct Report {
    /// (property, message) for every failure.
    pub failures: Vec<(Prop, String)>,
    /// Fallback report lines seen on stderr.
    pub fallbacks: Vec<String>,
    /// True when the injection changed something.
    pub changed: bool,
}

impl Report {
    pub fn fail(&mut self, p: Prop, msg: String) {
        self.failures.push((p, msg));
    }

    pub fn failed(&self, p: Prop) -> bool {
        self.failures.iter().any(|(q, _)| *q == p)
    }

    pub fn render(&self, name: &str) -> String {
        let mut s = String::new();
        for (p, m) in &self.failures {
            let _ = writeln!(s, "--- {name}: {p:?}\n{m}");
        }
        s
    }
}

fn strip_bom(t: &str) -> (&str, bool) {
    match t.strip_prefix('\u{feff}') {
        Some(r) => (r, true),
        None => (t, false),
    }
}

/// The documents of a stream: (chunk text, parsed value); the BOM is skipped.
pub fn chunks(text: &str) -> Vec<&str> {
    let (text, _) = strip_bom(text);
    if is_json(text) {
        // A JSON file may hold several objects one after the other; the last one takes the
        // blanks after it.
        let mut starts = vec![0];
        let mut it = serde_json::Deserializer::from_str(text).into_iter::<Value>();
        while let Some(Ok(_)) = it.next() {
            starts.push(it.byte_offset());
        }
        let n = starts.len();
        starts[n - 1] = text.len();
        return starts.windows(2).map(|w| &text[w[0]..w[1]]).collect();
    }
    split_yaml(text)
        .into_iter()
        .map(|c| &text[c.range])
        .collect()
}

/// The tool's rule: JSON when the first non-blank character is `{` or `[` and no later line is a
/// `---` document start marker.
fn is_json(text: &str) -> bool {
    text.trim_start().starts_with(['{', '['])
        && !text
            .split_inclusive('\n')
            .skip(1)
            .any(common::is_start_marker)
}

fn parse_chunk(c: &str) -> Result<Value, String> {
    api::parse_document(c)
        .map(|d| d.into_value())
        .map_err(|e| format!("{e} in\n{c}"))
}

/// The non-null documents of a stream, parsed one chunk at a time.
pub fn values(text: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for c in chunks(text) {
        let v = parse_chunk(c)?;
        if !v.is_null() {
            out.push(v);
        }
    }
    Ok(out)
}

/// Drops the env entries the tool manages from every env list (and env lists left empty).
pub fn strip_managed_env(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.get("env").is_some_and(Value::is_null) {
                // `env: null` is no env, for Kubernetes and for the tool.
                m.remove("env");
            }
            if let Some(Value::Array(env)) = m.get_mut("env") {
                env.retain(|e| {
                    !e.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(is_managed)
                });
                if env.is_empty() {
                    m.remove("env");
                }
            }
            m.values_mut().for_each(strip_managed_env);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_managed_env),
        _ => {}
    }
}

/// The names the tool writes: the block's (`is_managed_name`) and `OPENCODE_CONFIG_CONTENT`.
/// A user's own `OTEL_SERVICE_NAME` is not one of them: its lines must not change.
fn is_managed(name: &str) -> bool {
    is_managed_name(name) || name == "OPENCODE_CONFIG_CONTENT"
}

/// 0-based line of a byte offset.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// First line of a sequence item: the line of its `-`.
fn item_first_line(text: &str, item: &Node) -> usize {
    let before = text[..item.pos.start].trim_end_matches([' ', '\t', '\r', '\n']);
    if before.ends_with('-') {
        line_of(text, before.len() - 1)
    } else {
        line_of(text, item.pos.start)
    }
}

fn last_line(text: &str, node: &Node) -> usize {
    let end = node.pos.end.max(node.pos.start);
    if end > node.pos.start && text.as_bytes()[end - 1] == b'\n' {
        line_of(text, end - 1)
    } else {
        line_of(text, end)
    }
}

fn entry_name(item: &Node) -> Option<&str> {
    item.get("name").and_then(Node::as_str)
}

/// Every (key, value) entry of every mapping of a tree.
fn all_entries(root: &Node) -> Vec<(&Node, &Node)> {
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(n) = todo.pop() {
        match &n.kind {
            Kind::Map { entries, .. } => {
                for (k, v) in entries {
                    out.push((k, v));
                    todo.push(v);
                }
            }
            Kind::Seq { items, .. } => todo.extend(items.iter()),
            _ => {}
        }
    }
    out
}

/// Every env list of a tree: (the `env` key node, the list node).
fn env_lists<'a>(root: &'a Node, out: &mut Vec<(&'a Node, &'a Node)>) {
    out.extend(
        all_entries(root)
            .into_iter()
            .filter(|(k, v)| k.as_str() == Some("env") && matches!(v.kind, Kind::Seq { .. })),
    );
}

/// The `env` entries whose value is null (`env:`, `env: null`, `env: ~`): (key, value).
fn null_envs<'a>(root: &'a Node, out: &mut Vec<(&'a Node, &'a Node)>) {
    out.extend(all_entries(root).into_iter().filter(|(k, v)| {
        let null = matches!(&v.kind, Kind::Scalar { value, style: api::Style::Plain, .. }
            if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"));
        k.as_str() == Some("env") && null
    }));
}

/// Containers written in flow style without an `env` key (`- {name: a, image: b}`): the
/// injection adds `env` inside them, so their lines are the env node's lines.
fn flow_containers_without_env<'a>(root: &'a Node, out: &mut Vec<&'a Node>) {
    for (k, v) in all_entries(root) {
        if matches!(k.as_str(), Some("containers" | "initContainers"))
            && let Kind::Seq { items, .. } = &v.kind
        {
            out.extend(items.iter().filter(|c| {
                matches!(c.kind, Kind::Map { flow: true, .. }) && c.get("env").is_none()
            }));
        }
    }
}

/// Flow containers whose `env` holds only managed entries: (the container, its last entry before
/// `env`). When the injection added that `env`, the line of the entry before it gained the `,`.
fn flow_containers_with_managed_env<'a>(root: &'a Node, out: &mut Vec<(&'a Node, &'a Node)>) {
    for (k, v) in all_entries(root) {
        if matches!(k.as_str(), Some("containers" | "initContainers"))
            && let Kind::Seq { items, .. } = &v.kind
        {
            for c in items {
                let Kind::Map {
                    entries,
                    flow: true,
                } = &c.kind
                else {
                    continue;
                };
                let Some(i) = entries.iter().position(|(k, _)| k.as_str() == Some("env")) else {
                    continue;
                };
                let managed = match &entries[i].1.kind {
                    Kind::Seq { items, .. } => {
                        !items.is_empty()
                            && items.iter().all(|e| entry_name(e).is_some_and(is_managed))
                    }
                    _ => false,
                };
                if managed && i > 0 && i + 1 == entries.len() {
                    out.push((c, &entries[i - 1].1));
                }
            }
        }
    }
}

/// The lines of a document that belong to managed env entries (and `env:` keys of lists that
/// hold only managed entries).
pub fn env_lines(text: &str) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    let Ok(Some(root)) = &api::parse_tree(text) else {
        return out;
    };
    let mut lists = Vec::new();
    env_lists(root, &mut lists);
    let mut nulls = Vec::new();
    null_envs(root, &mut nulls);
    for (key, value) in nulls {
        // `env:` / `env: null`: the injection writes its list there (the null may stand on a
        // line of its own).
        out.extend(line_of(text, key.pos.start)..=line_of(text, value.pos.end.max(key.pos.end)));
    }
    let mut containers = Vec::new();
    flow_containers_without_env(root, &mut containers);
    for c in containers {
        out.extend(line_of(text, c.pos.start)..=last_line(text, c));
    }
    let mut added = Vec::new();
    flow_containers_with_managed_env(root, &mut added);
    for (_, before) in added {
        out.insert(last_line(text, before));
    }
    for (key, list) in lists {
        let Kind::Seq { items, flow } = &list.kind else {
            continue;
        };
        if *flow {
            // A flow list is edited inside its brackets: its lines and its key's line are the
            // env node's.
            out.extend(line_of(text, key.pos.start)..=last_line(text, list));
            continue;
        }
        // An empty list (`env: []`) counts too: it becomes a block list when entries are added.
        let mut all_managed = true;
        for item in items {
            if entry_name(item).is_some_and(is_managed) {
                out.extend(item_first_line(text, item)..=last_line(text, item));
            } else {
                all_managed = false;
            }
        }
        if all_managed {
            // The `env:` key line (and, in JSON, the closing bracket).
            out.extend(line_of(text, key.pos.start)..=last_line(text, list));
        }
    }
    out
}

/// Ensures the text ends with a line break, for line diffs (the final-newline is checked apart).
fn terminated(t: &str, eol: &str) -> String {
    if t.is_empty() || t.ends_with('\n') {
        t.to_string()
    } else {
        format!("{t}{eol}")
    }
}

fn eol_of(t: &str) -> &'static str {
    match t.find('\n') {
        Some(i) if i > 0 && t.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Drops the comma that ends a JSON line.
fn uncomma(t: &str) -> String {
    t.split_inclusive('\n')
        .map(|l| {
            let body = l.trim_end_matches(['\r', '\n']);
            let end = &l[body.len()..];
            format!("{}{end}", body.strip_suffix(',').unwrap_or(body))
        })
        .collect()
}

fn show_line(lines: &[&str], i: usize) -> String {
    format!(
        "{:>4}| {:?}",
        i + 1,
        lines.get(i).copied().unwrap_or("<eof>")
    )
}

/// Line diff between two texts of one document: every added or removed line must be an env line.
/// Returns the offending lines.
pub fn non_env_changes(old: &str, new: &str) -> Vec<String> {
    non_env_changes_with(old, new, false)
}

/// True for a line whose value is an alias (`key: *name`, `- *name`).
fn is_alias_line(line: &str) -> bool {
    let mut words = line.split_whitespace().rev();
    let (Some(last), Some(before)) = (words.next(), words.next()) else {
        return false;
    };
    last.len() > 1 && last.starts_with('*') && (before == "-" || before.ends_with(':'))
}

/// Like [`non_env_changes`]; with `expanded_aliases`, a hunk that replaces an alias line (an
/// alias the tool had to expand) is allowed too.
pub fn non_env_changes_with(old: &str, new: &str, expanded_aliases: bool) -> Vec<String> {
    let eol = eol_of(old);
    // JSON, or a JSON-styled document in a YAML stream (after its `---` and comments).
    let json = old
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("---"))
        .is_some_and(|l| l.starts_with(['{', '[']));
    let (old_t, new_t) = (terminated(old, eol), terminated(new, eol));
    let old_env = env_lines(&old_t);
    let new_env = env_lines(&new_t);
    let (old_t, new_t) = if json {
        // JSON separates items with commas: an item appended after the last one adds a comma
        // to the line before it. The comma is syntax, not content: lines are compared without it.
        (uncomma(&old_t), uncomma(&new_t))
    } else {
        (old_t, new_t)
    };
    let old_lines: Vec<&str> = old_t.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new_t.split_inclusive('\n').collect();
    let diff = TextDiff::from_lines(old_t.as_str(), new_t.as_str());
    let mut bad = Vec::new();
    let ops = diff.ops();
    let mut skip_insert = false;
    for op in ops {
        // An expanded alias: the alias line goes (a delete or a replace), its value comes.
        let alias_gone = |old_index: usize, old_len: usize| {
            expanded_aliases
                && old_lines[old_index..old_index + old_len]
                    .iter()
                    .any(|l| is_alias_line(l))
        };
        match *op {
            DiffOp::Replace {
                old_index, old_len, ..
            } if alias_gone(old_index, old_len) => continue,
            DiffOp::Delete {
                old_index, old_len, ..
            } if alias_gone(old_index, old_len) => {
                skip_insert = true;
                continue;
            }
            DiffOp::Insert { .. } if skip_insert => {
                skip_insert = false;
                continue;
            }
            _ => skip_insert = false,
        }
        let (old_r, new_r) = match *op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index, old_len, ..
            } => (old_index..old_index + old_len, 0..0),
            DiffOp::Insert {
                new_index, new_len, ..
            } => (0..0, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                old_index..old_index + old_len,
                new_index..new_index + new_len,
            ),
        };
        for i in old_r {
            if !old_env.contains(&i) {
                bad.push(format!("-{}", show_line(&old_lines, i)));
            }
        }
        for i in new_r {
            if !new_env.contains(&i) {
                bad.push(format!("+{}", show_line(&new_lines, i)));
            }
        }
    }
    bad
}

/// How reports name a resource: `kind/namespace/name` (kind in lower case, no namespace part
/// without one; `generateName*` or `<unnamed>` without a name).
fn resource_id(obj: &Value) -> String {
    let s = |p: &str| obj.pointer(p).and_then(Value::as_str);
    let mut id = format!(
        "{}/",
        s("/kind").unwrap_or("<no kind>").to_ascii_lowercase()
    );
    if let Some(ns) = s("/metadata/namespace") {
        id.push_str(ns);
        id.push('/');
    }
    match (s("/metadata/name"), s("/metadata/generateName")) {
        (Some(name), _) => id.push_str(name),
        (None, Some(g)) => id.push_str(&format!("{g}*")),
        (None, None) => id.push_str("<unnamed>"),
    }
    id
}

/// Resources named by a document (the object, or the items of a List).
fn resources(v: &Value) -> Vec<String> {
    let mut out = vec![resource_id(v)];
    if let Some(items) = v.get("items").and_then(Value::as_array) {
        out.extend(items.iter().map(resource_id));
    }
    out
}

/// The pod-bearing kinds (docs/semantics.md): with Lists, the only documents the tool may edit.
const WORKLOAD_KINDS: [&str; 8] = [
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

fn is_candidate(v: &Value) -> bool {
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or_default();
    kind.ends_with("List") || WORKLOAD_KINDS.contains(&kind)
}

/// Report lines that say a document was re-emitted.
pub fn fallback_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains("re-emitted the whole document"))
        .map(str::to_string)
        .collect()
}

/// (b) between two whole streams: document by document. `fallbacks` lists the report lines of
/// re-emitted documents: those documents are exempt.
pub fn env_only_stream(
    old: &str,
    new: &str,
    fallbacks: &[String],
    env_changes: bool,
) -> Result<(), String> {
    env_only_stream_with(old, new, fallbacks, env_changes, false)
}

/// Like [`env_only_stream`]; see [`non_env_changes_with`] for `expanded_aliases`.
pub fn env_only_stream_with(
    old: &str,
    new: &str,
    fallbacks: &[String],
    env_changes: bool,
    expanded_aliases: bool,
) -> Result<(), String> {
    let (old_body, old_bom) = strip_bom(old);
    let (new_body, new_bom) = strip_bom(new);
    if old_bom != new_bom {
        return Err(format!("BOM: input {old_bom}, output {new_bom}"));
    }
    if old_body.ends_with('\n') != new_body.ends_with('\n') && !old_body.is_empty() {
        return Err(format!(
            "final newline: input {}, output {}",
            old_body.ends_with('\n'),
            new_body.ends_with('\n')
        ));
    }
    if eol_of(old_body) == "\r\n" {
        let lone = new_body
            .match_indices('\n')
            .filter(|(i, _)| *i == 0 || new_body.as_bytes()[i - 1] != b'\r')
            .count();
        let lone_in = old_body
            .match_indices('\n')
            .filter(|(i, _)| *i == 0 || old_body.as_bytes()[i - 1] != b'\r')
            .count();
        if lone != lone_in {
            return Err(format!(
                "CRLF input: {lone} bare LF line ends in the output, {lone_in} in the input"
            ));
        }
    }
    let a = chunks(old);
    let b = chunks(new);
    if a.len() != b.len() {
        return Err(format!(
            "{} documents in, {} out (the document structure changed)",
            a.len(),
            b.len()
        ));
    }
    let mut errs = String::new();
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        if x == y {
            continue;
        }
        let v = parse_chunk(x).unwrap_or(Value::Null);
        if !is_candidate(&v) {
            let _ = writeln!(
                errs,
                "document {}: not a workload, but its bytes changed:\n{}",
                i + 1,
                unified(x, y)
            );
            continue;
        }
        let ids = resources(&v);
        let reemitted = fallbacks
            .iter()
            .any(|l| ids.iter().any(|id| l.starts_with(&format!("{id}: "))));
        if reemitted {
            continue;
        }
        if !env_changes {
            let _ = writeln!(
                errs,
                "document {} ({}) changed:\n{}",
                i + 1,
                ids[0],
                unified(x, y)
            );
            continue;
        }
        let bad = non_env_changes_with(x, y, expanded_aliases);
        if !bad.is_empty() {
            let _ = writeln!(
                errs,
                "document {} ({}): lines outside env entries changed:\n{}\nfull diff:\n{}",
                i + 1,
                ids[0],
                bad.join("\n"),
                unified(x, y)
            );
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// A unified diff for messages (line ends shown).
pub fn unified(old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut s = String::new();
    for group in diff.grouped_ops(2) {
        for op in group {
            for c in diff.iter_changes(&op) {
                let sign = match c.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                let _ = writeln!(s, "{sign}{:?}", c.value());
            }
        }
        s.push_str("@@\n");
    }
    s
}

/// (f) In every env list of the output that holds managed entries, every entry uses the same
/// spacing between `-` and its first key. With a known style: created `env:` lists and new
/// entries' nested mappings follow it.
pub fn layout(output: &str, style: Style) -> Result<(), String> {
    let mut errs = String::new();
    for (di, c) in chunks(output).into_iter().enumerate() {
        let Ok(Some(root)) = &api::parse_tree(c) else {
            continue;
        };
        let mut lists = Vec::new();
        env_lists(root, &mut lists);
        for (key, list) in lists {
            let Kind::Seq { items, flow: false } = &list.kind else {
                continue;
            };
            let col = |at: usize| {
                let ls = c[..at].rfind('\n').map_or(0, |i| i + 1);
                c[ls..at].chars().count()
            };
            let shape = |item: &Node| {
                let before = c[..item.pos.start].trim_end_matches([' ', '\r', '\n']);
                let dash = before.len().saturating_sub(1);
                (col(dash), col(item.pos.start))
            };
            let shapes: Vec<(usize, usize, bool)> = items
                .iter()
                .map(|it| {
                    let (d, k) = shape(it);
                    (d, k, entry_name(it).is_some_and(is_managed))
                })
                .collect();
            if !shapes.iter().any(|s| s.2) {
                continue;
            }
            let reference = shapes.iter().find(|s| !s.2).or(shapes.first()).unwrap();
            for (it, s) in items.iter().zip(&shapes) {
                if (s.0, s.1) != (reference.0, reference.1) {
                    let _ = writeln!(
                        errs,
                        "document {}: env entry {:?} at line {}: dash/content columns {:?}, its siblings {:?}",
                        di + 1,
                        entry_name(it),
                        line_of(c, it.pos.start) + 1,
                        (s.0, s.1),
                        (reference.0, reference.1)
                    );
                }
            }
            let all_managed = shapes.iter().all(|s| s.2);
            if let (true, Some(ind), Some(seq)) = (all_managed, style.indent, style.seq_indented) {
                let want = col(key.pos.start) + if seq { ind } else { 0 };
                if reference.0 != want {
                    let _ = writeln!(
                        errs,
                        "document {}: created env list at line {}: dashes at column {}, the document's style puts them at {want}",
                        di + 1,
                        line_of(c, key.pos.start) + 1,
                        reference.0
                    );
                }
            }
            if let Some(ind) = style.indent {
                for (it, s) in items.iter().zip(&shapes) {
                    if !s.2 {
                        continue;
                    }
                    nested_steps(c, it, ind, &mut |msg| {
                        let _ = writeln!(errs, "document {}: {msg}", di + 1);
                    });
                }
            }
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// Nested block mappings inside a node must be indented `ind` more than their key.
fn nested_steps(text: &str, n: &Node, ind: usize, report: &mut dyn FnMut(String)) {
    let col = |at: usize| {
        let ls = text[..at].rfind('\n').map_or(0, |i| i + 1);
        text[ls..at].chars().count()
    };
    if let Kind::Map { entries, .. } = &n.kind {
        for (k, v) in entries {
            if let Kind::Map {
                entries: inner,
                flow: false,
            } = &v.kind
                && let Some((ik, _)) = inner.first()
                && col(ik.pos.start) != col(k.pos.start) + ind
            {
                report(format!(
                    "line {}: `{}` nested {} columns in, the document indents by {ind}",
                    line_of(text, ik.pos.start) + 1,
                    ik.as_str().unwrap_or("?"),
                    col(ik.pos.start) as isize - col(k.pos.start) as isize
                ));
            }
            nested_steps(text, v, ind, report);
        }
    }
}

fn ok(p: Prop, o: &Output, what: &str, r: &mut Report) -> bool {
    if o.code != 0 {
        r.fail(p, format!("{what}: exit {}:\n{}", o.code, o.stderr));
        false
    } else {
        true
    }
}

/// Runs every property on one input (given as a file, with the name the in-place copy gets).
pub fn check(
    file_name: &str,
    input: &str,
    cfg: &Config,
    style: Style,
    expect: &Expect,
    props: &[Prop],
) -> Report {
    let mut r = Report::default();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join(file_name);
    std::fs::write(&src, input).unwrap();
    let c = cfg.path.to_str().unwrap();
    let injected = common::run(&["-c", c, "-f", src.to_str().unwrap()], None);
    if injected.code != 0 {
        r.fail(
            Prop::Normalize,
            format!("inject: exit {}:\n{}", injected.code, injected.stderr),
        );
        return r;
    }
    let out = injected.stdout.clone();
    r.changed = out != input;
    r.fallbacks = fallback_lines(&injected.stderr);
    if props.contains(&Prop::Report) {
        match (expect.fallback, r.fallbacks.is_empty()) {
            (Some(reason), true) => r.fail(
                Prop::Report,
                format!("expected a fallback ({reason}), none reported"),
            ),
            (Some(reason), false)
                if !r.fallbacks.iter().all(|l| {
                    l.split_once("re-emitted the whole document:")
                        .is_some_and(|(_, why)| why.contains(reason))
                }) =>
            {
                r.fail(
                    Prop::Report,
                    format!("expected fallback reason {reason:?}, got {:?}", r.fallbacks),
                )
            }
            (None, false) => r.fail(
                Prop::Report,
                format!("unexpected fallback: {:?}", r.fallbacks),
            ),
            _ => {}
        }
    }

    if props.contains(&Prop::Values) {
        match (values(input), values(&out)) {
            (Ok(mut a), Ok(mut b)) => {
                a.iter_mut().for_each(strip_managed_env);
                b.iter_mut().for_each(strip_managed_env);
                if a != b {
                    let i = (0..a.len().max(b.len()))
                        .find(|&i| a.get(i) != b.get(i))
                        .unwrap_or(0);
                    r.fail(
                        Prop::Values,
                        format!(
                            "the output changed more than managed env entries (document {}):\ninput:  {}\noutput: {}",
                            i + 1,
                            a.get(i).map(Value::to_string).unwrap_or_default(),
                            b.get(i).map(Value::to_string).unwrap_or_default()
                        ),
                    );
                }
            }
            (Err(e), _) => r.fail(Prop::Values, format!("input does not parse: {e}")),
            (_, Err(e)) => r.fail(Prop::Values, format!("output does not parse: {e}")),
        }
    }

    if props.contains(&Prop::Normalize) {
        let norm = common::run(&["-c", c, "-f", src.to_str().unwrap(), "--normalize"], None);
        if ok(Prop::Normalize, &norm, "--normalize", &mut r) {
            match (values(&out), values(&norm.stdout)) {
                (Ok(a), Ok(b)) if a == b => {}
                (Ok(a), Ok(b)) => {
                    let which: Vec<usize> = (0..a.len().max(b.len()))
                        .filter(|&i| a.get(i) != b.get(i))
                        .collect();
                    r.fail(
                        Prop::Normalize,
                        format!(
                            "output and --normalize output differ in documents {which:?} ({} vs {} documents):\n{}",
                            a.len(),
                            b.len(),
                            which
                                .first()
                                .map(|&i| format!(
                                    "surgical: {}\nnormalize: {}",
                                    a.get(i).map(Value::to_string).unwrap_or_default(),
                                    b.get(i).map(Value::to_string).unwrap_or_default()
                                ))
                                .unwrap_or_default()
                        ),
                    )
                }
                (Err(e), _) => r.fail(Prop::Normalize, format!("output does not parse: {e}")),
                (_, Err(e)) => r.fail(
                    Prop::Normalize,
                    format!("--normalize output does not parse: {e}"),
                ),
            }
        }
    }

    if props.contains(&Prop::EnvOnlyDiff)
        && let Err(e) =
            env_only_stream_with(input, &out, &r.fallbacks, true, expect.expanded_aliases)
    {
        r.fail(Prop::EnvOnlyDiff, e);
    }

    if props.contains(&Prop::Layout)
        && let Err(e) = layout(&out, style)
    {
        r.fail(Prop::Layout, e);
    }

    if props.contains(&Prop::Idempotent) {
        let again = common::run(&["-c", c], Some(&out));
        if expect.fallback.is_none() && !fallback_lines(&again.stderr).is_empty() {
            r.fail(
                Prop::Idempotent,
                format!(
                    "the second run re-emitted: {:?}",
                    fallback_lines(&again.stderr)
                ),
            );
        }
        if ok(Prop::Idempotent, &again, "second run", &mut r) && again.stdout != out {
            r.fail(
                Prop::Idempotent,
                format!(
                    "the second run changed bytes:\n{}",
                    unified(&out, &again.stdout)
                ),
            );
        }
    }

    if props.contains(&Prop::Removal) {
        removal(
            input,
            &out,
            cfg,
            expect,
            &r.fallbacks.clone(),
            &injected.stderr,
            &mut r,
        );
    }

    if props.contains(&Prop::InPlace) {
        in_place(file_name, input, &out, c, &mut r);
    }
    r
}

/// (d) Removal: the disabled config on the output gives back what it gives on the input, and on
/// an input that was never injected, that is the input itself, byte for byte.
fn removal(
    input: &str,
    out: &str,
    cfg: &Config,
    expect: &Expect,
    fallbacks: &[String],
    inject_stderr: &str,
    r: &mut Report,
) {
    let dis = cfg.disabled.to_str().unwrap();
    let base = common::run(&["-c", dis], Some(input));
    if !ok(Prop::Removal, &base, "removal on the input", r) {
        return;
    }
    if expect.pre_injected {
        if let Err(e) = env_only_stream(input, &base.stdout, &[], true) {
            r.fail(
                Prop::Removal,
                format!("removal on the (injected) input touched more than env lines: {e}"),
            );
        }
    } else if base.stdout != input {
        r.fail(
            Prop::Removal,
            format!(
                "the disabled config changed an input that was never injected:\n{}",
                unified(input, &base.stdout)
            ),
        );
    }
    let base = base.stdout;
    let off = common::run(&["-c", dis], Some(out));
    if !ok(Prop::Removal, &off, "removal", r) {
        return;
    }
    let off_fallbacks = fallback_lines(&off.stderr);
    if expect.fallback.is_none() && !off_fallbacks.is_empty() {
        r.fail(
            Prop::Removal,
            format!("removal re-emitted documents: {off_fallbacks:?}"),
        );
    }
    if expect.expanded_aliases {
        same_values(&base, &off.stdout, "an alias expansion", r);
        if let Err(e) = env_only_stream_with(&base, &off.stdout, &[], true, true) {
            r.fail(
                Prop::Removal,
                format!("removal after an alias expansion: {e}"),
            );
        }
    } else if expect.fallback.is_some() {
        // A re-emitted document cannot come back byte for byte (documented): its values must,
        // and every other document must come back byte for byte.
        same_values(&base, &off.stdout, "a fallback", r);
        if let Err(e) = env_only_stream(&base, &off.stdout, fallbacks, false) {
            r.fail(Prop::Removal, format!("removal after a fallback: {e}"));
        }
    } else if let Some(fragment) = expect.lossy_removal_warning {
        if !inject_stderr.contains(fragment) {
            r.fail(
                Prop::Removal,
                format!("lossy removal expected, but no warning saying {fragment:?} on injection:\n{inject_stderr}"),
            );
        }
        if off.stdout == base {
            r.fail(
                Prop::Removal,
                "lossy removal expected, but the input came back: drop the exception".into(),
            );
        } else if let Err(e) = env_only_stream(&base, &off.stdout, &[], true) {
            r.fail(
                Prop::Removal,
                format!("lossy removal touched more than env lines: {e}"),
            );
        }
    } else if off.stdout != base {
        r.fail(
            Prop::Removal,
            format!(
                "removal does not give the input back:\n{}",
                unified(&base, &off.stdout)
            ),
        );
    }
}

/// Removal after `what` must give the input's values back.
fn same_values(base: &str, removed: &str, what: &str, r: &mut Report) {
    match (values(base), values(removed)) {
        (Ok(a), Ok(b)) if a == b => {}
        (Ok(a), Ok(b)) => r.fail(
            Prop::Removal,
            format!(
                "removal after {what} does not give the input's values back:\ninput:   {}\nremoved: {}",
                Value::from(a),
                Value::from(b)
            ),
        ),
        (Err(e), _) | (_, Err(e)) => r.fail(Prop::Removal, e),
    }
}

#[cfg(unix)]
fn identity(p: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(p).unwrap();
    (m.ino(), m.dev())
}

#[cfg(not(unix))]
fn identity(_: &Path) -> (u64, u64) {
    (0, 0)
}

fn in_place(file_name: &str, input: &str, out: &str, c: &str, r: &mut Report) {
    let dir = tempfile::tempdir().unwrap();
    let done = dir.path().join(file_name);
    std::fs::write(&done, out).unwrap();
    let before = identity(&done);
    let o = common::run(&["-c", c, "-f", done.to_str().unwrap(), "--in-place"], None);
    if ok(Prop::InPlace, &o, "--in-place on the injected copy", r) {
        let now = std::fs::read_to_string(&done).unwrap();
        if now != out {
            r.fail(
                Prop::InPlace,
                format!(
                    "--in-place on an injected file changed it:\n{}",
                    unified(out, &now)
                ),
            );
        } else if identity(&done) != before {
            r.fail(
                Prop::InPlace,
                "--in-place rewrote an injected file with the same bytes (new inode)".into(),
            );
        }
    }
    let fresh = dir.path().join(format!("fresh-{file_name}"));
    std::fs::write(&fresh, input).unwrap();
    let o = common::run(
        &["-c", c, "-f", fresh.to_str().unwrap(), "--in-place"],
        None,
    );
    if ok(Prop::InPlace, &o, "--in-place on the input", r) {
        let now = std::fs::read_to_string(&fresh).unwrap();
        if now != out {
            r.fail(
                Prop::InPlace,
                format!(
                    "--in-place wrote something else than stdout shows:\n{}",
                    unified(out, &now)
                ),
            );
        }
    }
}
