//! Editing env lists and containers written in flow style: `env: []`, `env: [{name: A, value: b}]`,
//! `- {name: agent, image: x}`, whole flow documents, and JSON (which is YAML flow syntax).
//!
//! Flow stays flow: entries are added, removed and updated inside the brackets, laid out like
//! their neighbours (one line, or one entry per line at the neighbours' column, or pretty-printed
//! like the document's JSON), quoted like them (JSON keys and strings when the keys are quoted),
//! with the same `:` and `,` spacing. Removing every entry gives `[]` back, or drops the `env` key
//! of a flow container (where the injection created it), so disabling restores the input bytes.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::Value;

use super::{Fallback, Op, column, line_indent, note};
use crate::engine::ContainerEdit;
use crate::yaml::scalar;
use crate::yaml::tree::{Kind, Node, Style};

/// How the flow collections near an edit are written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FlowStyle {
    /// Keys and strings are JSON strings (the neighbours quote their keys).
    json: bool,
    /// String values are double-quoted (every scalar value of the neighbour is: `{ kind: "Pod" }`).
    quote_strings: bool,
    /// `": "`, or `":"` (JSON written compactly).
    colon: &'static str,
    /// `", "`, or `","`.
    comma: &'static str,
    /// `{ a: b }` rather than `{a: b}`.
    pad: bool,
    /// What indents the lines: spaces, or tabs (JSON indented with tabs).
    indent: char,
}

impl Default for FlowStyle {
    fn default() -> Self {
        FlowStyle {
            json: false,
            quote_strings: false,
            colon: ": ",
            comma: ", ",
            pad: false,
            indent: ' ',
        }
    }
}

fn flow_entries(n: &Node) -> Option<&[(Node, Node)]> {
    match &n.kind {
        Kind::Map {
            entries,
            flow: true,
        } => Some(entries),
        _ => None,
    }
}

impl FlowStyle {
    /// The style of a flow mapping (the default for anything else).
    pub(crate) fn of(text: &str, n: &Node) -> FlowStyle {
        let Some(entries) = flow_entries(n).filter(|e| !e.is_empty()) else {
            return FlowStyle::default();
        };
        let quoted = |n: &Node| {
            matches!(
                n.kind,
                Kind::Scalar {
                    style: Style::DoubleQuoted,
                    ..
                }
            )
        };
        let (k0, v0) = &entries[0];
        let json = quoted(k0);
        let colon = if json && text.get(k0.pos.end..v0.pos.start) == Some(":") {
            ":"
        } else {
            ": "
        };
        let comma = match entries.get(1) {
            Some((k1, _)) if text.get(end(text, v0)..k1.pos.start) == Some(",") => ",",
            _ => ", ",
        };
        FlowStyle {
            json,
            quote_strings: json || {
                let mut scalars = entries
                    .iter()
                    .filter(|(_, v)| matches!(v.kind, Kind::Scalar { .. }))
                    .peekable();
                scalars.peek().is_some() && scalars.all(|(_, v)| quoted(v))
            },
            colon,
            comma,
            pad: text.as_bytes().get(n.pos.start + 1) == Some(&b' '),
            indent: if leading_blanks(text, n.pos.start).contains('\t') {
                '\t'
            } else {
                ' '
            },
        }
    }

    fn string(&self, s: &str) -> String {
        if self.json {
            return Value::String(s.to_string()).to_string();
        }
        if self.quote_strings {
            return scalar::double_quoted(s);
        }
        self.plain_or_quoted(s)
    }

    fn key(&self, s: &str) -> String {
        if self.json {
            Value::String(s.to_string()).to_string()
        } else {
            self.plain_or_quoted(s)
        }
    }

    /// YAML's choice for a string, with the flow indicators quoted too.
    fn plain_or_quoted(&self, s: &str) -> String {
        match scalar::render_scalar(s) {
            Cow::Borrowed(_) if s.contains([',', '[', ']', '{', '}']) => scalar::double_quoted(s),
            r => r.into_owned(),
        }
    }

    /// A value on one line.
    pub(crate) fn inline(&self, v: &Value, out: &mut String) {
        let pad = if self.pad { " " } else { "" };
        match v {
            Value::Object(m) if !m.is_empty() => {
                out.push('{');
                out.push_str(pad);
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push_str(self.comma);
                    }
                    out.push_str(&self.key(k));
                    out.push_str(self.colon);
                    self.inline(v, out);
                }
                out.push_str(pad);
                out.push('}');
            }
            Value::Array(a) if !a.is_empty() => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push_str(self.comma);
                    }
                    self.inline(v, out);
                }
                out.push(']');
            }
            Value::Object(_) => out.push_str("{}"),
            Value::Array(_) => out.push_str("[]"),
            Value::String(s) => out.push_str(&self.string(s)),
            other => {
                let _ = write!(out, "{other}");
            }
        }
    }

    /// A value over several lines (JSON's pretty layout): the current line reaches `col`, nested
    /// entries are indented by `step`.
    pub(crate) fn pretty(&self, v: &Value, col: usize, step: usize, eol: &str, out: &mut String) {
        let inner = col + step;
        match v {
            Value::Object(m) if !m.is_empty() => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(eol);
                    self.indent_to(out, inner);
                    out.push_str(&self.key(k));
                    out.push_str(self.colon);
                    self.pretty(v, inner, step, eol, out);
                }
                out.push_str(eol);
                self.indent_to(out, col);
                out.push('}');
            }
            Value::Array(a) if !a.is_empty() => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(eol);
                    self.indent_to(out, inner);
                    self.pretty(v, inner, step, eol, out);
                }
                out.push_str(eol);
                self.indent_to(out, col);
                out.push(']');
            }
            other => self.inline(other, out),
        }
    }

    /// Indentation up to column `n` (a tab counts as one column, as in `column`).
    fn indent_to(&self, out: &mut String, n: usize) {
        out.extend(std::iter::repeat_n(self.indent, n));
    }

    /// The new text of an env `value` scalar, in the quoting it had where that can hold it.
    pub(crate) fn scalar_in_place(&self, old: Style, value: &str) -> String {
        match old {
            Style::DoubleQuoted if self.json => Value::String(value.to_string()).to_string(),
            Style::DoubleQuoted => scalar::double_quoted(value),
            Style::SingleQuoted if value.chars().all(|c| c != '\n' && !c.is_control()) => {
                format!("'{}'", value.replace('\'', "''"))
            }
            _ => self.string(value),
        }
    }
}

/// Where a node ends. For a flow collection that is just after its closing bracket, found from
/// its last child: the parser's span runs on over the blanks (and comments) after it.
pub(super) fn end(text: &str, n: &Node) -> usize {
    let (from, close) = match &n.kind {
        Kind::Seq { items, flow: true } => (items.last().map(|i| end(text, i)), b']'),
        Kind::Map {
            entries,
            flow: true,
        } => (entries.last().map(|(_, v)| end(text, v)), b'}'),
        _ => return n.pos.end,
    };
    let b = text.as_bytes();
    let mut i = from.unwrap_or(n.pos.start + 1);
    while let Some(&c) = b.get(i) {
        match c {
            b' ' | b'\t' | b'\r' | b'\n' | b',' => i += 1,
            b'#' => i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |j| i + j),
            c if c == close => return i + 1,
            _ => break,
        }
    }
    n.pos.end
}

/// The text between two offsets ("" when they are not in order).
fn gap(text: &str, from: usize, to: usize) -> &str {
    text.get(from..to).unwrap_or_default()
}

/// The blanks that start the line containing `at`.
fn leading_blanks(text: &str, at: usize) -> &str {
    let start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// True when a flow collection puts its children on lines of their own.
fn is_multiline(text: &str, n: &Node) -> bool {
    text.get(n.pos.start..end(text, n))
        .is_some_and(|t| t.contains('\n'))
}

/// The indentation step of a pretty-printed flow mapping: its first key's column less the
/// indentation of the line where the mapping opens (2 when that tells nothing).
fn step_of(text: &str, map: &Node) -> usize {
    flow_entries(map)
        .and_then(|e| e.first())
        .filter(|(k, _)| k.pos.line != map.pos.line)
        .map(|(k, _)| column(text, k.pos.start).saturating_sub(line_indent(text, map.pos.start)))
        .filter(|&s| s > 0)
        .unwrap_or(2)
}

/// Where the brackets of a flow collection are: (`[` or `{`, `]` or `}`).
fn brackets(text: &str, n: &Node, open: u8, close: u8) -> Result<(usize, usize), Fallback> {
    let b = text.as_bytes();
    let (s, e) = (n.pos.start, end(text, n));
    if e > s && b.get(s) == Some(&open) && b.get(e - 1) == Some(&close) {
        Ok((s, e - 1))
    } else {
        Err(Fallback("a flow collection is laid out unusually".into()))
    }
}

/// Removes the entry `key` from a flow mapping, with the separator on one side.
pub(crate) fn drop_entry(
    text: &str,
    map: &Node,
    key: &str,
    ops: &mut Vec<Op>,
) -> Result<(), Fallback> {
    let entries = flow_entries(map).ok_or_else(|| Fallback("not a flow mapping".into()))?;
    let i = entries
        .iter()
        .position(|(k, _)| k.as_str() == Some(key))
        .ok_or_else(|| Fallback(format!("`{key}` not found")))?;
    let (start, end) = if i + 1 < entries.len() {
        (entries[i].0.pos.start, entries[i + 1].0.pos.start)
    } else if i > 0 {
        (end(text, &entries[i - 1].1), end(text, &entries[i].1))
    } else {
        (entries[i].0.pos.start, end(text, &entries[i].1))
    };
    ops.push(Op {
        start,
        end,
        text: String::new(),
    });
    Ok(())
}

/// Adds `env: [...]` as the last entry of a flow-style container.
pub(crate) fn add_env(
    text: &str,
    container: &Node,
    entries_in: &[Value],
    eol: &str,
    ops: &mut Vec<Op>,
) -> Result<(), Fallback> {
    let entries = flow_entries(container).ok_or_else(|| Fallback("not a flow mapping".into()))?;
    let (Some((k0, v0)), Some((last_k, last_v))) = (entries.first(), entries.last()) else {
        return Err(Fallback("empty container".into()));
    };
    let st = FlowStyle::of(text, container);
    let mut out = String::new();
    if k0.pos.line != last_k.pos.line || container.pos.line != k0.pos.line {
        // One entry per line: the new one on a line of its own, the list pretty-printed.
        let col = column(text, last_k.pos.start);
        out.push(',');
        out.push_str(eol);
        st.indent_to(&mut out, col);
        out.push_str(&st.key("env"));
        out.push_str(st.colon);
        st.pretty(
            &Value::Array(entries_in.to_vec()),
            col,
            step_of(text, container),
            eol,
            &mut out,
        );
    } else {
        let sep = match entries.get(1) {
            Some((k1, _)) => {
                let between = gap(text, end(text, v0), k1.pos.start);
                if between.trim() == "," && !between.contains('\n') {
                    between.to_string()
                } else {
                    st.comma.to_string()
                }
            }
            None => st.comma.to_string(),
        };
        out.push_str(&sep);
        out.push_str(&st.key("env"));
        out.push_str(st.colon);
        st.inline(&Value::Array(entries_in.to_vec()), &mut out);
    }
    ops.push(Op {
        start: end(text, last_v),
        end: end(text, last_v),
        text: out,
    });
    Ok(())
}

/// The list of `new` entries that fills a flow container's empty or null `env` (at `at`): on one
/// line, or pretty-printed in a container written one entry per line.
fn filled(
    text: &str,
    container: &Node,
    at: usize,
    new: &[Value],
    st: &FlowStyle,
    eol: &str,
) -> String {
    let mut out = String::new();
    let list = Value::Array(new.to_vec());
    if flow_entries(container).is_some() && is_multiline(text, container) {
        let step = step_of(text, container);
        st.pretty(&list, line_indent(text, at), step, eol, &mut out);
    } else {
        st.inline(&list, &mut out);
    }
    out
}

/// Writes the signature (see `note`) into a list `out` that fills `was`, when it has one.
fn sign(out: &mut String, was: &str) {
    if let Some((after_open, before_close)) = note::signature(was) {
        if !out.contains('\n') {
            out.insert_str(out.len() - 1, before_close);
        }
        out.insert_str(1, after_open);
    }
}

/// Fills a flow container's `env: null` (or `~`, `!!null`, …: the `null` key and value) with `new`
/// entries, and notes or signs what it was.
pub(crate) fn fill_null(
    text: &str,
    container: &Node,
    (key, v): (&Node, &Node),
    new: &[Value],
    noted: bool,
    eol: &str,
    ops: &mut Vec<Op>,
) {
    let written = &text[v.pos.start..v.pos.end];
    let mut out = filled(
        text,
        container,
        v.pos.start,
        new,
        &FlowStyle::of(text, container),
        eol,
    );
    // The note records the value only when it follows its `:` on the key's line.
    let direct = text
        .get(key.pos.end..v.pos.start)
        .is_some_and(|g| g.trim_matches([' ', '\t']) == ":");
    match (noted && direct)
        .then(|| note::flow_note(text, container, written))
        .flatten()
    {
        Some(op) => ops.push(op),
        None => sign(&mut out, written),
    }
    ops.push(Op {
        start: v.pos.start,
        end: v.pos.end,
        text: out,
    });
}

/// The container of a flow env list, as far as a list left empty is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// A block container: the list goes back to `[]`.
    Block,
    /// A flow container: the list loses its `env` key (the injection created it), unless a note
    /// after the container or the list's signature records the value the injection filled (see
    /// `note`). `noted`: the container may take a note (it is an item of a block list, so the
    /// document is YAML).
    Flow { noted: bool },
}

/// Edits a flow-style env list in place. `container` is the mapping that holds it (its style is
/// followed when the list is empty); `owner` says what a list left empty becomes.
pub(crate) fn edit_list(
    text: &str,
    env: &Node,
    container: &Node,
    edit: &ContainerEdit,
    owner: Owner,
    eol: &str,
    ops: &mut Vec<Op>,
) -> Result<(), Fallback> {
    let Kind::Seq { items, flow: true } = &env.kind else {
        return Err(Fallback("not a flow sequence".into()));
    };
    let (open, close) = brackets(text, env, b'[', b']')?;
    let inserted: usize = edit.insert.iter().map(|(_, e)| e.len()).sum();
    let mut removed: Vec<usize> = edit
        .remove
        .iter()
        .copied()
        .filter(|&i| i < items.len())
        .collect();
    removed.sort_unstable();
    removed.dedup();
    if removed.len() == items.len() && inserted == 0 {
        let (Some(first), Some(last)) = (items.first(), items.last()) else {
            return Ok(());
        };
        let lead = gap(text, open + 1, first.pos.start);
        let trail = gap(text, end(text, last), close);
        if let Owner::Flow { .. } = owner {
            // The note says what the injection filled: write it back, and drop the note.
            if let Some((from, to, was)) = note::flow_restore(text, container) {
                ops.push(Op {
                    start: open,
                    end: close + 1,
                    text: was.into_owned(),
                });
                // With the `}` before it, so that the op is never an empty deletion at the end of
                // the text (which takes the line break before it).
                ops.push(Op {
                    start: from - 1,
                    end: to,
                    text: "}".into(),
                });
                return Ok(());
            }
            // Or its signature does (where no note could go).
            if let Some(was) = note::signed(lead, trail) {
                ops.push(Op {
                    start: open,
                    end: close + 1,
                    text: was,
                });
                return Ok(());
            }
            return drop_entry(text, container, "env", ops);
        }
        // A block container's list goes back to `[]`, or to `[ ]` from `[ … ]`.
        let inner = if lead == trail && note::blanks(lead) {
            lead
        } else {
            ""
        };
        ops.push(Op {
            start: open + 1,
            end: close,
            text: inner.to_string(),
        });
        return Ok(());
    }
    let first_item_map = items.first().filter(|i| flow_entries(i).is_some());
    let st = FlowStyle::of(text, first_item_map.unwrap_or(container));
    let Some(last) = items.last() else {
        // `[]`: the entries go inside, on one line, or pretty-printed in a pretty document.
        let new: Vec<Value> = edit
            .insert
            .iter()
            .flat_map(|(_, e)| e.iter().cloned())
            .collect();
        let was = &text[open..=close];
        let mut out = filled(text, container, open, &new, &st, eol);
        match owner {
            // `[ ]` keeps its blanks on both sides, so that removal can give them back.
            Owner::Block => {
                if let Some(inner) = note::empty_list(was) {
                    out.insert_str(out.len() - 1, inner);
                    out.insert_str(1, inner);
                }
            }
            // In a flow container, the filled `[]` would lose its key on removal: a note or the
            // signature keeps it.
            Owner::Flow { noted } => {
                match noted
                    .then(|| note::flow_note(text, container, was))
                    .flatten()
                {
                    Some(op) => ops.push(op),
                    None => sign(&mut out, was),
                }
            }
        }
        ops.push(Op {
            start: open,
            end: close + 1,
            text: out,
        });
        return Ok(());
    };
    let n = items.len();
    let multiline = if n >= 2 {
        gap(text, end(text, &items[n - 2]), last.pos.start).contains('\n')
    } else {
        gap(text, open + 1, last.pos.start).contains('\n')
    };
    let item_col = column(text, last.pos.start);
    let pretty = flow_entries(last).is_some() && is_multiline(text, last);
    // A pretty item closes at the column of the last one's `}` and has its keys at their column
    // (`[{` … `}]` hugging the brackets, or `{` on a line of its own).
    let (close_col, step) = match flow_entries(last).and_then(|e| e.first()) {
        Some((k, _)) if pretty => {
            let close = column(text, end(text, last).saturating_sub(1));
            (
                close,
                column(text, k.pos.start).saturating_sub(close).max(1),
            )
        }
        _ => (item_col, 2),
    };
    let sep = if multiline {
        let mut sep = format!(",{eol}");
        st.indent_to(&mut sep, item_col);
        sep
    } else {
        match n {
            2.. => {
                let between = gap(text, end(text, &items[n - 2]), last.pos.start);
                if between.trim() == "," {
                    between.to_string()
                } else {
                    st.comma.to_string()
                }
            }
            _ => st.comma.to_string(),
        }
    };
    let render = |v: &Value, out: &mut String| {
        if pretty {
            st.pretty(v, close_col, step, eol, out);
        } else {
            st.inline(v, out);
        }
    };
    // The new text of a kept item (with its value updated).
    let kept = |i: usize| -> Result<String, Fallback> {
        let item = &items[i];
        let mut t = gap(text, item.pos.start, end(text, item)).to_string();
        if let Some((_, value)) = edit.set_value.iter().find(|(j, _)| *j == i) {
            let (v, style) = value_scalar(item)?;
            let at = v.pos.start.saturating_sub(item.pos.start);
            let to = v.pos.end.saturating_sub(item.pos.start);
            if at > to || to > t.len() || !t.is_char_boundary(at) || !t.is_char_boundary(to) {
                return Err(Fallback("an env value is not inside its entry".into()));
            }
            t.replace_range(at..to, &st.scalar_in_place(style, value));
        }
        Ok(t)
    };
    let mut mine = Vec::new();
    // Runs of removed items go with the separator after them (before them, for the last run).
    let mut r = 0;
    while r < removed.len() {
        let a = removed[r];
        let mut b = a;
        while r + 1 < removed.len() && removed[r + 1] == b + 1 {
            r += 1;
            b += 1;
        }
        r += 1;
        let (start, end) = if b + 1 < n {
            (items[a].pos.start, items[b + 1].pos.start)
        } else if a > 0 {
            (end(text, &items[a - 1]), end(text, &items[b]))
        } else {
            (items[a].pos.start, end(text, &items[b]))
        };
        mine.push(Op {
            start,
            end,
            text: String::new(),
        });
    }
    for (at, entries) in &edit.insert {
        let mut out = String::new();
        let pos = if *at >= n {
            for e in entries.iter() {
                out.push_str(&sep);
                render(e, &mut out);
            }
            end(text, last)
        } else {
            for e in entries.iter() {
                render(e, &mut out);
                out.push_str(&sep);
            }
            items[*at].pos.start
        };
        mine.push(Op {
            start: pos,
            end: pos,
            text: out,
        });
    }
    for (i, _) in &edit.set_value {
        let item = items
            .get(*i)
            .ok_or_else(|| Fallback("an env entry to update is missing".into()))?;
        if !removed.contains(i) {
            mine.push(Op {
                start: item.pos.start,
                end: end(text, item),
                text: kept(*i)?,
            });
        }
    }
    mine.sort_by_key(|o| (o.start, o.end));
    let conflict = removed.len() == n || mine.windows(2).any(|p| p[0].end > p[1].start);
    if !conflict {
        ops.extend(mine);
        return Ok(());
    }
    // Edits that meet (everything replaced, an insertion inside a removed run): write the items
    // again, the kept ones with their own text.
    if edit.env_len != n {
        return Err(Fallback(
            "the env list does not have the length it was planned for".into(),
        ));
    }
    let mut out = String::new();
    for (k, origin) in edit.origins().into_iter().enumerate() {
        if k > 0 {
            out.push_str(&sep);
        }
        match origin {
            Some(i) => out.push_str(&kept(i)?),
            None => {
                let v = new_entry(edit, n, k)
                    .ok_or_else(|| Fallback("an inserted entry is missing".into()))?;
                render(v, &mut out);
            }
        }
    }
    ops.push(Op {
        start: items[0].pos.start,
        end: end(text, last),
        text: out,
    });
    Ok(())
}

/// The `k`-th entry of the edited list when it is a new one.
fn new_entry(edit: &ContainerEdit, len: usize, k: usize) -> Option<&Value> {
    let mut idx = 0;
    for i in 0..=len {
        for (at, entries) in &edit.insert {
            if *at == i {
                for e in entries.iter() {
                    if idx == k {
                        return Some(e);
                    }
                    idx += 1;
                }
            }
        }
        if i < len && !edit.remove.contains(&i) {
            idx += 1;
        }
    }
    None
}

/// The `value` scalar of an env entry, and its style.
pub(crate) fn value_scalar(item: &Node) -> Result<(&Node, Style), Fallback> {
    let v = item
        .get("value")
        .ok_or_else(|| Fallback("an env entry to update has no `value` key".into()))?;
    match &v.kind {
        Kind::Scalar { style, .. } => Ok((v, *style)),
        _ => Err(Fallback("an env value to update is not a scalar".into())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::engine::{Action, ContainerEdit, Outcome, Path, ResourceId, Seg, WorkloadPlan};
    use crate::render::splice;
    use crate::yaml::tree::{Limits, parse};

    const POD: &str = "kind: Pod\nspec:\n  containers:\n  - name: a\n    env: ENV\n    image: x\n";

    fn path() -> Path {
        vec![
            Seg::Key("spec".into()),
            Seg::Key("containers".into()),
            Seg::Index(0),
        ]
    }

    fn run(text: &str, edit: ContainerEdit) -> String {
        let doc = parse(text, &Limits::default()).unwrap();
        let (_, value) = crate::yaml::tree::parse_value(text, &Limits::default()).unwrap();
        let env_len = value
            .pointer("/spec/containers/0/env")
            .and_then(serde_json::Value::as_array)
            .map_or(0, Vec::len);
        let plan = WorkloadPlan {
            object_path: Vec::new(),
            resource: ResourceId {
                kind: "Pod".into(),
                namespace: None,
                name: "p".into(),
            },
            outcome: Outcome::Planned {
                action: Action::Injected,
                edits: vec![ContainerEdit {
                    path: path(),
                    env_present: true,
                    env_len,
                    ..edit
                }],
            },
            notes: Vec::new(),
        };
        splice(text, doc.root.as_ref().unwrap(), &[plan]).unwrap()
    }

    fn env(list: &str, edit: ContainerEdit) -> String {
        let out = run(&POD.replace("ENV", list), edit);
        let line = out.lines().find(|l| l.trim_start().starts_with("env:"));
        line.unwrap_or("<no env>").trim_start().to_string()
    }

    fn remove(ix: &[usize]) -> ContainerEdit {
        ContainerEdit {
            remove: ix.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn removed_runs_take_one_separator() {
        let l = "[{name: A}, {name: B},  {name: C}]";
        assert_eq!(env(l, remove(&[1])), "env: [{name: A}, {name: C}]");
        assert_eq!(env(l, remove(&[1, 2])), "env: [{name: A}]");
        assert_eq!(env(l, remove(&[0, 1])), "env: [{name: C}]");
        // Emptied in a block container: back to `[]` (the injection filled an `env: []`).
        assert_eq!(env(l, remove(&[0, 1, 2])), "env: []");
    }

    #[test]
    fn inserts_follow_the_list_and_meet_removals() {
        let x = json!({"name": "X", "value": "a,b"});
        let edit = ContainerEdit {
            remove: vec![0, 1],
            insert: vec![(2, vec![x.clone()].into())],
            ..Default::default()
        };
        // Everything replaced: the list is written again, the new value quoted for flow.
        assert_eq!(
            env("[{name: A}, {name: B}]", edit),
            r#"env: [{name: X, value: "a,b"}]"#
        );
        let edit = ContainerEdit {
            insert: vec![(0, vec![x].into())],
            ..Default::default()
        };
        assert_eq!(
            env("[ {name: A} ]  # c", edit),
            r#"env: [ {name: X, value: "a,b"}, {name: A} ]  # c"#
        );
    }

    #[test]
    fn an_updated_value_keeps_its_quotes_in_flow() {
        let edit = ContainerEdit {
            set_value: vec![(0, "x, y".into())],
            ..Default::default()
        };
        assert_eq!(
            env("[{name: A, value: 'old'}]", edit.clone()),
            "env: [{name: A, value: 'x, y'}]"
        );
        assert_eq!(
            env("[{name: A, value: old}]", edit),
            r#"env: [{name: A, value: "x, y"}]"#
        );
    }

    #[test]
    fn a_flow_container_loses_the_env_the_injection_gave_it() {
        let text = "kind: Pod\nspec:\n  containers:\n  - {name: a, env: [{name: X}], image: x}\n";
        let out = run(text, remove(&[0]));
        assert!(out.ends_with("  - {name: a, image: x}\n"), "{out}");
        let text = "kind: Pod\nspec:\n  containers:\n  - {name: a, image: x, env: [{name: X}]}\n";
        let out = run(text, remove(&[0]));
        assert!(out.ends_with("  - {name: a, image: x}\n"), "{out}");
    }

    #[test]
    fn a_pretty_list_gets_pretty_entries() {
        let text = "{\n   \"kind\":\"Pod\",\n   \"spec\":{\n      \"containers\":[\n         {\n            \"name\":\"a\",\n            \"env\":[\n               {\n                  \"name\":\"A\"\n               }\n            ]\n         }\n      ]\n   }\n}\n";
        let edit = ContainerEdit {
            insert: vec![(1, vec![json!({"name": "X", "value": "1"})].into())],
            ..Default::default()
        };
        let out = run(text, edit);
        assert!(
            out.contains("               },\n               {\n                  \"name\":\"X\",\n                  \"value\":\"1\"\n               }\n            ]"),
            "{out}"
        );
    }
}
