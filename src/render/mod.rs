//! Renderers: apply an engine plan to a document's text.
//!
//! [`splice`] edits the source text in place: it only touches the env node of the containers the
//! plan edits, so comments, quoting, key order and indentation everywhere else stay byte for
//! byte, in block style here, in flow style and JSON (`flow`), and through anchors (`alias`).
//! [`splice_json`] does the same for a JSON document. When a layout cannot be edited safely as
//! text (a merge key over an edit, nested sharing) it returns a [`Fallback`] saying why, and the
//! caller re-emits that one document instead ([`reemit_yaml`], [`reemit_json`]). Where the data
//! cannot say what removal must give back (`env: null` filled by the injection), a comment on
//! the env's line does (`note`).

mod alias;
mod flow;
mod note;

use serde_json::Value;

use crate::engine::{ContainerEdit, Seg, WorkloadPlan};
use crate::yaml::emit::{self, EmitOptions};
use crate::yaml::scalar;
use crate::yaml::stream;
use crate::yaml::tree::{Kind, Node, Style};

/// Finds the node at a path; None when the path leaves the tree or goes through an alias.
pub fn node_at<'a>(root: &'a Node, path: &[Seg]) -> Option<&'a Node> {
    path.iter().try_fold(root, |n, seg| match (seg, &n.kind) {
        (Seg::Key(k), Kind::Map { .. }) => n.get(k),
        (Seg::Index(i), Kind::Seq { items, .. }) => items.get(*i),
        _ => None,
    })
}

/// Like [`node_at`], but stops at the deepest node that exists, and can return a mapping key.
pub fn locate<'a>(root: &'a Node, path: &[Seg], at_key: bool) -> &'a Node {
    let mut n = root;
    for (i, seg) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let next = match (seg, &n.kind) {
            (Seg::Key(k), Kind::Map { entries, .. }) => entries
                .iter()
                .find(|(key, _)| key.as_str() == Some(k))
                .map(|(key, v)| if last && at_key { key } else { v }),
            (Seg::Index(i), Kind::Seq { items, .. }) => items.get(*i),
            _ => None,
        };
        match next {
            Some(next) => n = next,
            None => break,
        }
    }
    n
}

/// Why a document could not be edited as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback(pub String);

struct Op {
    start: usize,
    end: usize,
    text: String,
}

fn is_line_start(text: &str, at: usize) -> bool {
    at == 0 || text.as_bytes().get(at - 1) == Some(&b'\n')
}

/// The position after the end of the line that contains `at` (or `at` itself at a line start).
fn after_line(text: &str, at: usize) -> usize {
    if is_line_start(text, at) {
        return at;
    }
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The number of blanks (spaces or tabs, as [`column`] counts them) that start the line
/// containing `at`.
fn line_indent(text: &str, at: usize) -> usize {
    let start = line_start(text, at);
    text[start..].len() - text[start..].trim_start_matches([' ', '\t']).len()
}

/// Column (in characters) of a byte offset.
fn column(text: &str, at: usize) -> usize {
    text[line_start(text, at)..at].chars().count()
}

/// The byte offset of the `-` that introduces a block sequence item.
fn dash_of(text: &str, item: &Node) -> Result<usize, Fallback> {
    let before = &text[..item.pos.start];
    let trimmed = before.trim_end_matches([' ', '\t', '\r', '\n']);
    if trimmed.ends_with('-') {
        let dash = trimmed.len() - 1;
        if text[line_start(text, dash)..dash].chars().all(|c| c == ' ') {
            return Ok(dash);
        }
    }
    Err(Fallback(
        "a list item is not laid out as `- …` on its own line".into(),
    ))
}

/// The indentation step used by nested mappings near a node (2 when nothing tells).
fn indent_step(text: &str, node: &Node) -> usize {
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        if let Kind::Map {
            entries,
            flow: false,
        } = &n.kind
        {
            for (k, v) in entries {
                if let Kind::Map {
                    entries: inner,
                    flow: false,
                } = &v.kind
                    && let Some((ik, _)) = inner.first()
                {
                    let outer = column(text, k.pos.start);
                    let inner_col = column(text, ik.pos.start);
                    if inner_col > outer
                        && !text[k.pos.end..ik.pos.start]
                            .trim_start_matches([' ', ':'])
                            .starts_with('{')
                    {
                        return inner_col - outer;
                    }
                }
                todo.push(v);
            }
        }
        if let Kind::Seq { items, flow: false } = &n.kind {
            todo.extend(items.iter());
        }
    }
    2
}

struct EnvLayout {
    dash_col: usize,
    content_col: usize,
}

/// Text range of each item of a block sequence: comment lines before an item belong to it.
fn item_ranges(text: &str, items: &[Node]) -> Result<Vec<(usize, usize)>, Fallback> {
    let mut out = Vec::with_capacity(items.len());
    let mut prev_end: Option<usize> = None;
    for item in items {
        let dash = dash_of(text, item)?;
        let start = match prev_end {
            Some(e) => e,
            None => line_start(text, dash),
        };
        let end = after_line(text, item.pos.end);
        out.push((start, end));
        prev_end = Some(end);
    }
    Ok(out)
}

fn emit_options(text: &str, root: &Node, seq_indented: bool) -> EmitOptions {
    EmitOptions {
        indent: indent_step(text, root),
        indent_sequences: seq_indented,
        eol: stream::line_ending(text),
    }
}

fn fix_eof(text: &str, pos: usize, mut insert: String, eol: &str) -> String {
    if pos == text.len()
        && !text.is_empty()
        && !text.ends_with('\n')
        && let Some(stripped) = insert.strip_suffix(eol)
    {
        insert = format!("{eol}{stripped}");
    }
    insert
}

fn container_ops(
    text: &str,
    root: &Node,
    container: &Node,
    edit: &ContainerEdit,
    ops: &mut Vec<Op>,
) -> Result<(), Fallback> {
    let flow_container = match &container.kind {
        Kind::Map { flow, .. } => *flow,
        _ => return Err(Fallback("the container is not a mapping".into())),
    };
    let eol = stream::line_ending(text);
    let env_node = container.get("env");
    // A flow container may take a note (see `note`) when it is an item of a block list: then the
    // document is YAML, where a comment can end the container's line.
    let noted = flow_container
        && edit
            .path
            .split_last()
            .and_then(|(_, list)| node_at(root, list))
            .is_some_and(Node::is_block_seq);
    if !edit.env_present {
        // No `env`, or `env:` / `env: null` (what a Helm `with` block leaves when empty).
        let null = match env_node {
            None => None,
            Some(
                v @ Node {
                    kind: Kind::Scalar { .. },
                    ..
                },
            ) => Some((env_key(container)?, v)),
            Some(_) => {
                return Err(Fallback(format!(
                    "the env of container `{}` is not a list",
                    edit.name
                )));
            }
        };
        if flow_container {
            let entries: Vec<Value> = edit
                .insert
                .iter()
                .flat_map(|(_, e)| e.iter().cloned())
                .collect();
            return match null {
                None => flow::add_env(text, container, &entries, eol, ops),
                Some((key, v)) if v.pos.end > v.pos.start => {
                    // `env: null` is no env: the note or the signature keeps it for removal.
                    flow::fill_null(text, container, (key, v), &entries, noted, eol, ops);
                    Ok(())
                }
                Some(_) => Err(Fallback(format!(
                    "container `{}` has an empty `env:` in flow style",
                    edit.name
                ))),
            };
        }
        return add_env_key(text, root, container, edit, null, ops);
    }
    let env = env_node.ok_or_else(|| Fallback("env not found".into()))?;
    if matches!(env.kind, Kind::Alias(_)) {
        return Err(Fallback(format!(
            "the env list of container `{}` is an alias",
            edit.name
        )));
    }
    // The list's own anchor is handled by the caller (`alias`); anchors and aliases inside it
    // are not edited as text.
    let inner = match &env.kind {
        Kind::Seq { items, .. } => items.iter().any(Node::has_alias_or_anchor),
        _ => false,
    };
    if inner {
        return Err(Fallback(format!(
            "an env entry of container `{}` is anchored or an alias",
            edit.name
        )));
    }
    let items = match &env.kind {
        Kind::Seq { flow: true, .. } => {
            // Flow stays flow; a list emptied in a block container goes back to `[]`.
            let owner = match flow_container {
                false => flow::Owner::Block,
                true => flow::Owner::Flow { noted },
            };
            return flow::edit_list(text, env, container, edit, owner, eol, ops);
        }
        Kind::Seq { items, flow: false } => items,
        _ => {
            return Err(Fallback(format!(
                "the env of container `{}` is not a list",
                edit.name
            )));
        }
    };
    let ranges = item_ranges(text, items)?;
    let first = &items[0];
    let dash = dash_of(text, first)?;
    let layout = EnvLayout {
        dash_col: column(text, dash),
        content_col: column(text, first.pos.start).max(column(text, dash) + 2),
    };
    let opts = emit_options(text, root, false);
    let removed_all = edit.remove.len() == items.len() && edit.insert.is_empty();
    if removed_all {
        let key_node = env_key(container)?;
        let start = line_start(text, key_node.pos.start);
        let end = after_line(text, env.pos.end);
        // The injection filled an `env:` / `env: null`: its note says how to write it again.
        if let Some((at, mut line)) = note::block_restore(text, key_node)
            && after_line(text, at) < end
        {
            if end < text.len() || text.ends_with('\n') {
                line.push_str(line_break(text, at));
            }
            // From the key, so that the op is never an empty deletion at the end of the text.
            ops.push(Op {
                start: key_node.pos.start,
                end,
                text: format!("{}{line}", &text[key_node.pos.start..at]),
            });
            return Ok(());
        }
        // Drop the whole `env:` entry, which the injection created.
        if text[start..key_node.pos.start].trim().is_empty() {
            ops.push(Op {
                start,
                end,
                text: String::new(),
            });
            return Ok(());
        }
        return Err(Fallback("`env:` does not start its line".into()));
    }
    for &i in &edit.remove {
        let (start, end) = ranges[i];
        ops.push(Op {
            start,
            end,
            text: String::new(),
        });
    }
    for (at, entries) in &edit.insert {
        let pos = if *at < items.len() {
            ranges[*at].0
        } else {
            ranges[items.len() - 1].1
        };
        let rendered = emit::emit_seq_items(entries, layout.dash_col, layout.content_col, &opts);
        let rendered = fix_eof(text, pos, rendered, opts.eol);
        ops.push(Op {
            start: pos,
            end: pos,
            text: rendered,
        });
    }
    for (i, value) in &edit.set_value {
        let item = items
            .get(*i)
            .ok_or_else(|| Fallback("an env entry to update is missing".into()))?;
        let (v, style) = flow::value_scalar(item)?;
        let mut rendered = match &item.kind {
            // `- {name: A, value: b}`: the value is in flow context.
            Kind::Map { flow: true, .. } => {
                flow::FlowStyle::of(text, item).scalar_in_place(style, value)
            }
            // Keep the author's quoting where it can hold the new value.
            _ => match style {
                Style::DoubleQuoted => serde_json::to_string(value)
                    .unwrap_or_else(|_| scalar::render_scalar(value).into_owned()),
                Style::SingleQuoted if value.chars().all(|c| c != '\n' && !c.is_control()) => {
                    format!("'{}'", value.replace('\'', "''"))
                }
                _ => scalar::render_scalar(value).into_owned(),
            },
        };
        if matches!(style, Style::Literal | Style::Folded) {
            rendered.push_str(opts.eol);
        }
        ops.push(Op {
            start: v.pos.start,
            end: v.pos.end,
            text: rendered,
        });
    }
    Ok(())
}

/// Adds an `env:` block list as the container's last key, or in place of its `env: null`.
fn add_env_key(
    text: &str,
    root: &Node,
    container: &Node,
    edit: &ContainerEdit,
    null: Option<(&Node, &Node)>,
    ops: &mut Vec<Op>,
) -> Result<(), Fallback> {
    let Kind::Map { entries, .. } = &container.kind else {
        return Err(Fallback("container is not a mapping".into()));
    };
    let Some((first_key, _)) = entries.first() else {
        return Err(Fallback("empty container".into()));
    };
    let key_col = column(text, first_key.pos.start);
    // Follow the document's sequence style: is the containers list indented under its key?
    let list_path = &edit.path[..edit.path.len().saturating_sub(1)];
    let parent_path = &list_path[..list_path.len().saturating_sub(1)];
    let indented = node_at(root, parent_path)
        .and_then(|parent| match &parent.kind {
            Kind::Map { entries, .. } => entries
                .iter()
                .find(|(k, _)| {
                    Some(k.as_str().unwrap_or_default())
                        == list_path.last().and_then(|s| match s {
                            Seg::Key(k) => Some(k.as_ref()),
                            Seg::Index(_) => None,
                        })
                })
                .map(|(k, v)| (k, v)),
            _ => None,
        })
        .and_then(|(k, v)| match &v.kind {
            Kind::Seq { items, flow: false } => items
                .first()
                .and_then(|i| dash_of(text, i).ok())
                .map(|d| column(text, d) > column(text, k.pos.start)),
            _ => None,
        })
        .unwrap_or(false);
    let opts = emit_options(text, root, indented);
    let entries: Vec<Value> = edit
        .insert
        .iter()
        .flat_map(|(_, e)| e.iter().cloned())
        .collect();
    let rendered = emit::emit_map_entry("env", &Value::Array(entries), key_col, &opts);
    if let Some((key, value)) = null {
        // Through the value's line (a null may stand on a line of its own).
        let last = value.pos.end.max(key.pos.end);
        let end = after_line(text, last);
        let at_eof = end == text.len() && !text.ends_with('\n');
        if let Some((at, mut line)) = note::block_note(text, key, value) {
            // The key stays; after its `:` the note, the line's own comment, then the list. The
            // note's line ends as the value's did (a long note gives the key's line break back).
            let items = rendered.find('\n').map_or("", |i| &rendered[i + 1..]);
            line.push_str(match line_break(text, last) {
                "" => opts.eol,
                b => b,
            });
            line.push_str(items);
            if at_eof {
                line.truncate(line.strip_suffix(opts.eol).unwrap_or(&line).len());
            }
            ops.push(Op {
                start: at,
                end,
                text: line,
            });
            return Ok(());
        }
        // The `env:` line is written again (a comment on it goes with it).
        let mut body = rendered.get(key_col..).unwrap_or_default();
        if at_eof {
            body = body.strip_suffix(opts.eol).unwrap_or(body);
        }
        ops.push(Op {
            start: key.pos.start,
            end,
            text: body.to_string(),
        });
        return Ok(());
    }
    let pos = after_line(text, container.pos.end);
    let rendered = fix_eof(text, pos, rendered, opts.eol);
    ops.push(Op {
        start: pos,
        end: pos,
        text: rendered,
    });
    Ok(())
}

/// The line break that ends the line holding `at` (`\r\n`, `\n`, or none at the end of the text).
fn line_break(text: &str, at: usize) -> &'static str {
    match text[at..].find('\n') {
        Some(i) if i > 0 && text.as_bytes()[at + i - 1] == b'\r' => "\r\n",
        Some(_) => "\n",
        None => "",
    }
}

/// The `env` key node of a container mapping.
fn env_key(container: &Node) -> Result<&Node, Fallback> {
    match &container.kind {
        Kind::Map { entries, .. } => entries
            .iter()
            .find(|(k, _)| k.as_str() == Some("env"))
            .map(|(k, _)| k),
        _ => None,
    }
    .ok_or_else(|| Fallback("env key not found".into()))
}

/// Applies the plans to the document text. `root` is the parsed tree of `text`.
pub fn splice(text: &str, root: &Node, plans: &[WorkloadPlan]) -> Result<String, Fallback> {
    // (Tab indentation never gets here: the parser rejects it. Tabs inside scalars are fine.)
    // The reader, like libyaml and kubectl, takes a lone `\r` for a line break; the edits here
    // find lines by `\n`, so such a text is re-emitted instead.
    if memchr::memchr_iter(b'\r', text.as_bytes())
        .any(|i| text.as_bytes().get(i + 1) != Some(&b'\n'))
    {
        return Err(Fallback("a carriage return without a line feed".into()));
    }
    let mut ops = Vec::new();
    match alias::Shared::of(text, root) {
        None => {
            for plan in plans {
                for edit in plan.edits() {
                    let container = node_at(root, &edit.path).ok_or_else(|| {
                        Fallback("the container is not where the plan says".into())
                    })?;
                    container_ops(text, root, container, edit, &mut ops)?;
                }
            }
        }
        Some(shared) => alias::plan(text, root, &shared, plans, &mut ops, &mut |c, e, ops| {
            container_ops(text, root, c, e, ops)
        })?,
    }
    // Adjacent deletions are one deletion.
    ops.sort_by_key(|o| (o.start, o.end));
    let mut merged: Vec<Op> = Vec::with_capacity(ops.len());
    for op in ops {
        match merged.last_mut() {
            Some(last) if last.text.is_empty() && op.text.is_empty() && last.end == op.start => {
                last.end = op.end;
            }
            _ => merged.push(op),
        }
    }
    let mut ops = merged;
    // Deleting the last lines of a text without a final newline: delete the line break before
    // them too, so that removing what an injection appended gives the original bytes back.
    if !text.ends_with('\n') {
        for op in ops
            .iter_mut()
            .filter(|o| o.text.is_empty() && o.end == text.len() && o.start > 0)
        {
            op.start -= 1;
            if op.start > 0 && text.as_bytes()[op.start - 1] == b'\r' {
                op.start -= 1;
            }
        }
    }
    ops.sort_by_key(|o| (o.start, o.end));
    for pair in ops.windows(2) {
        if pair[0].end > pair[1].start {
            return Err(Fallback("overlapping edits".into()));
        }
    }
    // Build the result front to back: one pass, whatever the number of edits.
    let mut out =
        String::with_capacity(text.len() + ops.iter().map(|o| o.text.len()).sum::<usize>());
    let mut pos = 0;
    for op in &ops {
        out.push_str(&text[pos..op.start]);
        out.push_str(&op.text);
        pos = op.end;
    }
    out.push_str(&text[pos..]);
    Ok(out)
}

/// Applies the plans to a JSON document's text, which is parsed here as YAML (JSON is its flow
/// syntax): only JSON documents that are edited pay for a tree.
pub fn splice_json(
    text: &str,
    plans: &[WorkloadPlan],
    limits: &crate::yaml::tree::Limits,
) -> Result<String, Fallback> {
    let doc = crate::yaml::tree::parse(text, limits)
        .map_err(|e| Fallback(format!("the JSON text could not be read as a tree: {e}")))?;
    let root = doc
        .root
        .ok_or_else(|| Fallback("an empty JSON document".into()))?;
    splice(text, &root, plans)
}

/// Re-emits a whole document, keeping what comes before its content (`---`, leading comments).
pub fn reemit_yaml(text: &str, root: Option<&Node>, value: &Value) -> String {
    let eol = stream::line_ending(text);
    let prefix_end = root.map_or(0, |r| line_start(text, r.pos.start));
    let prefix = &text[..prefix_end];
    let opts = EmitOptions {
        indent: 2,
        indent_sequences: false,
        eol,
    };
    let mut out = prefix.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(eol);
    }
    // A root on the `---` line (`--- |`, `--- {a: 1}`) starts below it now: keep the marker, or
    // the document would run into the one before it (or lose the `---` its directives need).
    if root.is_some() && stream::is_start_marker(&text[prefix_end..]) {
        out.push_str("---");
        out.push_str(eol);
    }
    out.push_str(&emit::emit_document(value, &opts));
    // Keep a `...` end marker and whatever follows it (comments between documents).
    let content_end = root.map_or(text.len(), |r| after_line(text, r.pos.end.min(text.len())));
    let mut at = content_end;
    while at < text.len() {
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        if stream::is_end_marker(&text[at..line_end]) {
            out.push_str(&text[at..]);
            break;
        }
        at = line_end;
    }
    out
}

/// Re-emits a JSON document with the indentation the original used.
pub fn reemit_json(original: &str, value: &Value) -> String {
    let indent = original
        .lines()
        .nth(1)
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .filter(|&n| n > 0);
    let out = match indent {
        None if !original.trim().contains('\n') => serde_json::to_string(value).unwrap_or_default(),
        n => {
            let spaces = " ".repeat(n.unwrap_or(2));
            let fmt = serde_json::ser::PrettyFormatter::with_indent(spaces.as_bytes());
            let mut buf = Vec::new();
            let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
            if serde::Serialize::serialize(value, &mut ser).is_err() {
                return original.to_string();
            }
            String::from_utf8(buf).unwrap_or_default()
        }
    };
    let leading = &original[..original.len() - original.trim_start().len()];
    let trailing = &original[original.trim_end().len()..];
    format!("{leading}{out}{trailing}")
}

/// A Secret document with the values of `data` and `stringData` replaced by `***`, the way
/// `kubectl diff` masks them. A document that does not parse is masked whole.
pub fn mask_secret(text: &str) -> String {
    let limits = crate::yaml::tree::Limits::default();
    let Ok(doc) = crate::yaml::tree::parse(text, &limits) else {
        return "# (a Secret that does not parse; its content is not shown)\n".to_string();
    };
    let Some(root) = doc.root else {
        return text.to_string();
    };
    let mut spans = Vec::new();
    for key in ["data", "stringData"] {
        if let Some(Node {
            kind: Kind::Map { entries, .. },
            ..
        }) = root.get(key)
        {
            for (_, v) in entries {
                spans.push((
                    v.pos.start,
                    v.pos.end,
                    matches!(
                        v.kind,
                        Kind::Scalar {
                            style: Style::Literal | Style::Folded,
                            ..
                        }
                    ),
                ));
            }
        } else if let Some(v) = root.get(key) {
            spans.push((v.pos.start, v.pos.end, false));
        }
    }
    spans.sort_unstable();
    let eol = stream::line_ending(text);
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (start, end, block) in spans {
        if start < pos {
            continue;
        }
        out.push_str(&text[pos..start]);
        out.push_str("'***'");
        if block {
            out.push_str(eol);
        }
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}
