//! A YAML document as a tree of nodes that remember where they are in the source text.
//!
//! The tree is what the format-preserving renderer edits against (it needs byte offsets of list
//! items and mapping entries), and it converts to a `serde_json::Value` with the rules Kubernetes
//! uses to read YAML (go-yaml v2: YAML 1.1 plain scalars, merge keys, duplicate keys rejected).
//!
//! Building is iterative with an explicit depth limit, aliases are never expanded in the tree, and
//! the conversion to a value counts every node produced through an alias against a budget, so
//! hostile input (deep nesting, "billion laughs") ends in an error, not a crash.

use std::collections::HashMap;

use libyaml_safer::{EventData, Mark, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

use super::scalar::{Plain, resolve_plain};

pub use super::node::{Document, Kind, Limits, Node, Pos, Style, YamlError};

/// Byte offset of the end of the line holding `at` (before its `\r\n`, `\n` or lone `\r`: the
/// reader takes all three for line breaks, as libyaml does).
fn line_end(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    memchr::memchr2(b'\n', b'\r', &text.as_bytes()[at..]).map_or(text.len(), |i| at + i)
}

/// A position at byte `at` on the line of `mark` (1-based line; column counted in characters).
fn pos_on_line(text: &str, at: usize, line: usize) -> Pos {
    let at = at.min(text.len());
    let bytes = text.as_bytes();
    let line_start = memchr::memrchr2(b'\n', b'\r', &bytes[..at]).map_or(0, |i| i + 1);
    Pos {
        start: at,
        end: at,
        line,
        col: text.get(line_start..at).map_or(0, |s| s.chars().count()) + 1,
    }
}

fn mark_pos(text: &str, start: Mark, end: Mark) -> Pos {
    Pos {
        start: (start.index as usize).min(text.len()),
        end: (end.index as usize).min(text.len()),
        line: start.line as usize + 1,
        col: start.column as usize + 1,
    }
}

fn style_of(s: ScalarStyle) -> Style {
    match s {
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
        _ => Style::Plain,
    }
}

enum Open {
    Seq(Node),
    Map(Node, Option<Node>),
}

/// Parses one document (a chunk from [`super::stream::split_yaml`]): with the fast path
/// ([`super::fast::parse`]) when the document is in the subset it reads, which gives the same
/// tree, else with [`parse_full`].
pub fn parse(text: &str, limits: &Limits) -> Result<Document, YamlError> {
    if let Some(doc) = super::fast::parse(text, limits) {
        return Ok(doc);
    }
    parse_full(text, limits)
}

/// A located error from the libyaml reader.
fn reader_error(text: &str, e: &libyaml_safer::Error) -> YamlError {
    let message = match e.context() {
        Some(context) => format!("{context}, {}", e.problem()),
        None => e.problem().to_string(),
    };
    // At the end of the text (an unclosed quote or bracket) the place that needs the fix is
    // where the unclosed thing starts.
    let mark = match (e.problem_mark(), e.context_mark()) {
        (Some(p), Some(c)) if p.index as usize >= text.len() => Some(c),
        (p, _) => p,
    };
    let (line, col) = match mark {
        Some(m) => (m.line as usize + 1, m.column as usize + 1),
        None => (1, 1),
    };
    // libyaml reports a tab in the indentation as a character that cannot start a token; say
    // what it is.
    let at_tab = text
        .split_inclusive('\n')
        .nth(line - 1)
        .and_then(|l| l.chars().nth(col - 1))
        == Some('\t');
    let message = if at_tab && !message.contains("tab") {
        format!("{message}: a tab, where YAML allows only spaces for indentation")
    } else {
        message
    };
    let (line, col) = if message.contains("tab") {
        tab_place(text, line, col)
    } else {
        (line, col)
    };
    YamlError { message, line, col }
}

/// A byte order mark anywhere but at the start of a file (which the input layer strips): libyaml
/// would report it only where it stops making sense of what follows.
fn misplaced_bom(text: &str) -> Option<YamlError> {
    let at = text.find(super::stream::BOM)?;
    let (line, col) = super::stream::line_col(text, at);
    Some(YamlError {
        message:
            "a byte order mark (U+FEFF) inside the text: only the start of a file may have one"
                .into(),
        line,
        col,
    })
}

/// Parses one document with the libyaml reader (a safe Rust port of libyaml, which go-yaml, the
/// reader of kubectl and kustomize, is a port of too): any YAML that Kubernetes reads, and the
/// errors with their locations.
///
/// Node positions follow the conventions the fast path and the renderer share: a block
/// collection starts at its first key or `-` (an indentless sequence at its first entry's
/// content), a flow collection's span runs on over the spaces after its closing bracket and a
/// comment that follows, an empty value sits at its `:` (in a sequence, at the end of the entry's
/// line), and a block scalar spans from its `|`/`>` to the start of the line after its content.
pub fn parse_full(text: &str, limits: &Limits) -> Result<Document, YamlError> {
    // libyaml-safer 0.3 panics ("TODO: What is expected here?") on a tag directly followed by
    // `,` in a flow collection (`{a: !!str, b: c}`), which libyaml and go-yaml reject as a
    // syntax error. That panic, and only a panic of the reader, becomes that error.
    match quiet_unwind(|| read_full(text, limits)) {
        Ok(read) => read,
        Err(()) => Err(tag_before_comma(text)),
    }
}

thread_local! {
    /// Set while the reader runs under [`quiet_unwind`]: its panic is an error, not a crash to
    /// print.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic into `Err` without the panic hook's message (the hook installed
/// before keeps printing every other panic).
fn quiet_unwind<T>(f: impl FnOnce() -> T) -> Result<T, ()> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.map_err(|_| ())
}

/// The error for the reader's panic: at the first tag that a `,` follows directly.
fn tag_before_comma(text: &str) -> YamlError {
    let b = text.as_bytes();
    let at = (0..b.len())
        .find(|&i| {
            b[i] == b'!'
                && (i == 0 || b" \t\n\r[{,".contains(&b[i - 1]))
                && b[i..]
                    .iter()
                    .position(|c| b" \t\r\n[]{},".contains(c))
                    .is_some_and(|end| b.get(i + end) == Some(&b','))
        })
        .unwrap_or(0);
    let (line, col) = super::stream::line_col(text, at);
    YamlError {
        message: "while scanning a tag, did not find expected whitespace or line break (a `,` \
                  follows the tag directly)"
            .into(),
        line,
        col,
    }
}

fn read_full(text: &str, limits: &Limits) -> Result<Document, YamlError> {
    // Extra `...` lines after a document (the splitter cuts after each) end nothing: go-yaml skips
    // them; libyaml reads them as a document without content, an error.
    if text.lines().all(|l| {
        let t = l.trim_start_matches(' ');
        t.is_empty() || t.starts_with('#') || super::stream::is_end_marker(l)
    }) && text.lines().any(super::stream::is_end_marker)
    {
        return Ok(Document {
            root: None,
            in_place: None,
        });
    }
    if let Some(e) = misplaced_bom(text) {
        return Err(e);
    }
    // libyaml-safer 0.3.0 panics on a block scalar whose last line has no line break (its port of
    // READ_LINE expects one), so the reader always sees a final one; every position it reports
    // is still one of `text` (clamped to its end), and the added break changes no value.
    let terminated;
    let source = if text.ends_with(['\n', '\r']) {
        text
    } else {
        terminated = format!("{text}\n");
        &terminated
    };
    let mut parser = Parser::new();
    parser.set_input(Pieces {
        text: source,
        at: 0,
    });
    let bytes = text.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    // Anchor names to ids: an alias refers to the latest node with its anchor.
    let mut anchors: HashMap<String, usize> = HashMap::new();
    let mut defined = 0usize;
    let mut anchor_id = |name: Option<String>, anchors: &mut HashMap<String, usize>| match name {
        None => 0,
        Some(name) => {
            defined += 1;
            anchors.insert(name, defined);
            defined
        }
    };
    loop {
        let event = parser.parse().map_err(|e| reader_error(text, &e))?;
        let pos = mark_pos(text, event.start_mark, event.end_mark);
        let located = |message: String| YamlError {
            message,
            line: pos.line,
            col: pos.col,
        };
        let is_seq = matches!(event.data, EventData::SequenceStart { .. });
        let node = match event.data {
            EventData::StreamEnd => break,
            EventData::DocumentStart { .. } => {
                documents += 1;
                if documents > 1 {
                    return Err(located(
                        "a second document starts here without a `---` line".into(),
                    ));
                }
                continue;
            }
            EventData::StreamStart { .. } | EventData::DocumentEnd { .. } => continue,
            EventData::Scalar {
                anchor,
                tag,
                value,
                style,
                ..
            } => {
                let bare = anchor.is_none() && tag.is_none();
                let style = style_of(style);
                let pos = match style {
                    Style::Literal | Style::Folded => block_scalar_pos(text, pos),
                    Style::Plain if bare && value.is_empty() && stack.is_empty() => {
                        // An explicit document without content: an empty scalar at the end of
                        // the text, on a line of its own when the text has no final line break.
                        let breaks = memchr::memchr_iter(b'\n', bytes).count();
                        let open = !text.is_empty() && !text.ends_with('\n');
                        Pos {
                            start: text.len(),
                            end: text.len(),
                            line: breaks + 1 + usize::from(open),
                            col: 1,
                        }
                    }
                    Style::Plain if bare && value.is_empty() && pos.start > 0 => {
                        match bytes.get(pos.start - 1) {
                            Some(b':') => pos_on_line(text, pos.start - 1, pos.line),
                            Some(b'-') => pos_on_line(text, line_end(text, pos.start), pos.line),
                            _ => pos,
                        }
                    }
                    _ => pos,
                };
                Node {
                    pos,
                    anchor: anchor_id(anchor, &mut anchors),
                    kind: Kind::Scalar {
                        value,
                        style,
                        tag: tag.map(Box::new),
                    },
                }
            }
            EventData::Alias { anchor } => {
                Node {
                    pos,
                    anchor: 0,
                    kind: Kind::Alias(anchors.get(&anchor).copied().ok_or_else(|| {
                        located(format!("alias `*{anchor}` to an unknown anchor"))
                    })?),
                }
            }
            EventData::SequenceStart { anchor, tag, .. }
            | EventData::MappingStart { anchor, tag, .. } => {
                if stack.len() >= limits.max_depth {
                    return Err(located(format!(
                        "nesting deeper than {} levels",
                        limits.max_depth
                    )));
                }
                // A block collection's span is empty or covers only its anchor/tag (an indentless
                // sequence's covers its first `-`); a flow one ends with its `[` or `{`. (A
                // single pair in a flow sequence, `[a: b]`, is a mapping without brackets, kept
                // as a block one.)
                let head = text.get(pos.start..pos.end).unwrap_or("");
                // (A comment after the bracket, `env: [  # note`, is not part of the head.)
                let flow = head
                    .find(" #")
                    .map_or(head, |i| &head[..i])
                    .trim_end()
                    .ends_with(['[', '{']);
                let mut start = Pos {
                    end: pos.start,
                    ..pos
                };
                if is_seq && !flow && anchor.is_none() && tag.is_none() && head == "-" {
                    // An indentless sequence starts where its first entry's content does.
                    let mut i = pos.end;
                    while bytes.get(i) == Some(&b' ') {
                        i += 1;
                    }
                    let at = match bytes.get(i) {
                        None | Some(b'#' | b'\n' | b'\r') => line_end(text, i),
                        Some(_) => i,
                    };
                    start = pos_on_line(text, at, pos.line);
                }
                let anchor = anchor_id(anchor, &mut anchors);
                let kind = if is_seq {
                    Kind::Seq {
                        items: Vec::new(),
                        flow,
                    }
                } else {
                    Kind::Map {
                        entries: Vec::new(),
                        flow,
                    }
                };
                let node = Node {
                    pos: start,
                    anchor,
                    kind,
                };
                stack.push(if is_seq {
                    Open::Seq(node)
                } else {
                    Open::Map(node, None)
                });
                continue;
            }
            EventData::SequenceEnd | EventData::MappingEnd => {
                let Some(open) = stack.pop() else {
                    return Err(located("unbalanced collection end".into()));
                };
                let mut node = match open {
                    Open::Seq(node) | Open::Map(node, None) => node,
                    Open::Map(_, Some(_)) => {
                        return Err(located("mapping key without a value".into()));
                    }
                };
                let flow = matches!(
                    node.kind,
                    Kind::Seq { flow: true, .. } | Kind::Map { flow: true, .. }
                );
                if flow {
                    node.pos.end = flow_end(text, pos.end);
                }
                node
            }
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Open::Seq(seq)) => {
                seq.pos.end = seq.pos.end.max(node.pos.end);
                if let Kind::Seq { items, .. } = &mut seq.kind {
                    items.push(node);
                }
            }
            Some(Open::Map(map, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => {
                    map.pos.end = map.pos.end.max(node.pos.end);
                    if let Kind::Map { entries, .. } = &mut map.kind {
                        if let Some(k) = key.as_str()
                            && entries.iter().any(|(e, _)| e.as_str() == Some(k))
                        {
                            return Err(YamlError {
                                message: format!("duplicate key `{k}` in a mapping"),
                                line: key.pos.line,
                                col: key.pos.col,
                            });
                        }
                        entries.push((key, node));
                    }
                }
            },
        }
    }
    Ok(Document {
        root,
        in_place: None,
    })
}

/// The text handed to the reader a piece at a time: given all of it at once, libyaml-safer decodes
/// the whole rest into its character queue (four bytes per character) before reading a token.
/// Pieces end on character boundaries.
struct Pieces<'a> {
    text: &'a str,
    at: usize,
}

impl Pieces<'_> {
    const SIZE: usize = 16 << 10;
}

impl std::io::Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let piece = std::io::BufRead::fill_buf(self)?;
        let n = piece.len().min(buf.len());
        buf[..n].copy_from_slice(&piece[..n]);
        std::io::BufRead::consume(self, n);
        Ok(n)
    }
}

impl std::io::BufRead for Pieces<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        let mut end = (self.at + Self::SIZE).min(self.text.len());
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        Ok(&self.text.as_bytes()[self.at..end])
    }

    fn consume(&mut self, n: usize) {
        self.at = (self.at + n).min(self.text.len());
    }
}

/// Where a flow collection's span ends, given the end of its closing bracket: over the spaces
/// after it, and to the end of the line when a comment follows them.
fn flow_end(text: &str, close: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = close.min(text.len());
    while bytes.get(i) == Some(&b' ') {
        i += 1;
    }
    if i > close && bytes.get(i) == Some(&b'#') {
        line_end(text, i)
    } else {
        i
    }
}

/// Where a tab error is: the parser reports some of them where the scalar before the tab ends (the
/// end of the previous line). Points at the first tab in the indentation of the reported line or
/// of a later one; leaves the place as it is when there is none.
fn tab_place(text: &str, line: usize, col: usize) -> (usize, usize) {
    for (i, l) in text.lines().enumerate().skip(line - 1) {
        let indent = &l[..l.len() - l.trim_start_matches([' ', '\t']).len()];
        if let Some(at) = indent.find('\t') {
            return (i + 1, at + 1);
        }
        if i + 1 > line {
            // Only the reported line and the one after it.
            break;
        }
    }
    (line, col)
}

/// A block scalar spans from its `|`/`>` header to the start of the line after its content (the
/// reader's end may be past the indentation of that line), or to the end of the text.
fn block_scalar_pos(text: &str, pos: Pos) -> Pos {
    let end = pos.end.min(text.len());
    let end = if end < text.len() {
        match memchr::memrchr2(b'\n', b'\r', &text.as_bytes()[..end]) {
            Some(i) if i + 1 > pos.start => i + 1,
            _ => end,
        }
    } else {
        end
    };
    Pos { end, ..pos }
}

/// Conversion of a tree to JSON, the way Kubernetes reads YAML.
pub fn to_value(doc: &Document, limits: &Limits) -> Result<Value, YamlError> {
    let Some(root) = &doc.root else {
        return Ok(Value::Null);
    };
    Converter::new(root, limits.max_nodes, limits.max_depth).value(root, 0)
}

fn collect_anchors<'a>(node: &'a Node, out: &mut HashMap<usize, &'a Node>) {
    // Iterative walk: depth was already bounded by the parser, but keep the stack explicit.
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        if n.anchor != 0 {
            out.insert(n.anchor, n);
        }
        match &n.kind {
            Kind::Seq { items, .. } => todo.extend(items.iter()),
            Kind::Map { entries, .. } => {
                for (k, v) in entries {
                    todo.push(k);
                    todo.push(v);
                }
            }
            _ => {}
        }
    }
}

struct Converter<'a> {
    root: &'a Node,
    /// The anchors of the tree, collected at the first alias (most documents have none).
    anchors: Option<HashMap<usize, &'a Node>>,
    budget: usize,
    max_nodes: usize,
    in_alias: usize,
    max_depth: usize,
}

fn err_at(node: &Node, message: String) -> YamlError {
    YamlError {
        message,
        line: node.pos.line,
        col: node.pos.col,
    }
}

impl<'a> Converter<'a> {
    fn new(root: &'a Node, max_nodes: usize, max_depth: usize) -> Self {
        Converter {
            root,
            anchors: None,
            budget: max_nodes,
            max_nodes,
            in_alias: 0,
            max_depth,
        }
    }

    fn value(&mut self, node: &'a Node, depth: usize) -> Result<Value, YamlError> {
        // Only nodes reached through an alias count: a document without aliases is bounded by its
        // own size, and a large `kind: List` must not hit the limit.
        if self.in_alias > 0 {
            if self.budget == 0 {
                return Err(err_at(
                    node,
                    format!(
                        "aliases expand to more than {} nodes (an alias expansion bomb?)",
                        self.max_nodes
                    ),
                ));
            }
            self.budget -= 1;
        }
        if depth > self.max_depth {
            return Err(err_at(
                node,
                format!(
                    "nesting deeper than {} levels (through aliases)",
                    self.max_depth
                ),
            ));
        }
        match &node.kind {
            Kind::Alias(id) => {
                let root = self.root;
                let target = *self
                    .anchors
                    .get_or_insert_with(|| {
                        let mut anchors = HashMap::new();
                        collect_anchors(root, &mut anchors);
                        anchors
                    })
                    .get(id)
                    .ok_or_else(|| err_at(node, "alias to an unknown anchor".into()))?;
                self.in_alias += 1;
                let v = self.value(target, depth + 1);
                self.in_alias -= 1;
                v
            }
            Kind::Scalar { value, style, tag } => {
                scalar_value(node, value, *style, tag.as_deref().map(String::as_str))
            }
            Kind::Seq { items, .. } => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.value(item, depth + 1)?);
                }
                Ok(Value::Array(out))
            }
            Kind::Map { entries, .. } => {
                let mut out = Map::with_capacity(entries.len());
                let mut merges: Vec<&'a Node> = Vec::new();
                for (k, v) in entries {
                    if matches!(&k.kind, Kind::Scalar { value, style: Style::Plain, tag: None } if value == "<<")
                    {
                        merges.push(v);
                        continue;
                    }
                    let key = self.key(k)?;
                    let val = self.value(v, depth + 1)?;
                    out.insert(key, val);
                }
                for m in merges {
                    self.merge_into(&mut out, m, depth)?;
                }
                Ok(Value::Object(out))
            }
        }
    }

    /// `<<: *base` / `<<: [*a, *b]`: keys not set explicitly come from the merged mappings.
    fn merge_into(
        &mut self,
        out: &mut Map<String, Value>,
        node: &'a Node,
        depth: usize,
    ) -> Result<(), YamlError> {
        let sources: Vec<Value> = match self.value(node, depth + 1)? {
            Value::Object(m) => vec![Value::Object(m)],
            Value::Array(items) => items,
            _ => {
                return Err(err_at(
                    node,
                    "merge key `<<` needs a mapping or a list of mappings".into(),
                ));
            }
        };
        for source in sources {
            let Value::Object(m) = source else {
                return Err(err_at(
                    node,
                    "merge key `<<` needs a mapping or a list of mappings".into(),
                ));
            };
            for (k, v) in m {
                out.entry(k).or_insert(v);
            }
        }
        Ok(())
    }

    fn key(&mut self, node: &'a Node) -> Result<String, YamlError> {
        match self.value(node, 0)? {
            Value::String(s) => Ok(s),
            Value::Null => Ok("null".into()),
            v @ (Value::Bool(_) | Value::Number(_)) => Ok(v.to_string()),
            _ => Err(err_at(node, "a mapping key must be a scalar".into())),
        }
    }
}

fn scalar_value(
    node: &Node,
    value: &str,
    style: Style,
    tag: Option<&str>,
) -> Result<Value, YamlError> {
    let plain = match (style, tag) {
        (_, Some("tag:yaml.org,2002:str")) => return Ok(Value::String(value.to_string())),
        (Style::Plain, None) => resolve_plain(value),
        (_, Some(t)) if t.starts_with("tag:yaml.org,2002:") && t != "tag:yaml.org,2002:binary" => {
            let resolved = resolve_plain(value);
            if matches!(resolved, Plain::Str) {
                return Err(err_at(
                    node,
                    format!("`{value}` is not a valid value for the tag {t}"),
                ));
            }
            resolved
        }
        _ => Plain::Str,
    };
    Ok(match plain {
        Plain::Null => Value::Null,
        Plain::Bool(b) => Value::Bool(b),
        Plain::Int(i) => Value::Number(i.into()),
        Plain::UInt(u) => Value::Number(u.into()),
        Plain::Float(f) => Value::Number(Number::from_f64(f).ok_or_else(|| {
            err_at(
                node,
                format!(
                    "`{value}` is not a finite number, and Kubernetes cannot represent it in JSON"
                ),
            )
        })?),
        Plain::Str => Value::String(value.to_string()),
    })
}

/// Whether a tree reads as JSON without being converted: no alias, no tag, no merge key, every
/// key a string as written (a plain key such as `1` or `true` is stringified by the conversion, and
/// two spellings could then name one key), and no plain scalar that the conversion rejects (a
/// number that is not finite). For such a tree, reading a node in place (`engine::Doc`) gives what
/// [`to_value`] would, and the conversion cannot fail; anything else is converted.
pub fn reads_in_place(root: &Node) -> bool {
    let mut todo = vec![root];
    while let Some(n) = todo.pop() {
        match &n.kind {
            Kind::Alias(_) => return false,
            Kind::Scalar { tag: Some(_), .. } => return false,
            Kind::Scalar { value, style, .. } => {
                if *style == Style::Plain && !plain_value_reads_in_place(value) {
                    return false;
                }
            }
            Kind::Seq { items, .. } => todo.extend(items.iter()),
            Kind::Map { entries, .. } => {
                for (k, v) in entries {
                    match &k.kind {
                        Kind::Scalar {
                            value,
                            style,
                            tag: None,
                        } => {
                            if *style == Style::Plain && !plain_key_reads_in_place(value) {
                                return false;
                            }
                        }
                        _ => return false,
                    }
                    todo.push(v);
                }
            }
        }
    }
    true
}

/// A plain scalar value reads in place unless it is a number that is not finite: only `.inf`,
/// `-.Inf`, `.nan` and their spellings (a longer number too large for a float stays a string, as
/// in Go).
pub(crate) fn plain_value_reads_in_place(value: &str) -> bool {
    !(value.starts_with(['.', '+', '-'])
        && matches!(resolve_plain(value), Plain::Float(f) if !f.is_finite()))
}

/// A plain key reads in place when it is a string as written, and not the merge key.
pub(crate) fn plain_key_reads_in_place(value: &str) -> bool {
    value != "<<" && matches!(resolve_plain(value), Plain::Str)
}

/// The value of one node of a tree that [`reads_in_place`] (None if it does not convert).
/// Such a tree has no alias, so neither limit can be reached: its depth was bounded by the parser
/// (whatever `--max-depth` allowed).
pub fn node_value(node: &Node) -> Option<Value> {
    Converter::new(node, Limits::default().max_nodes, usize::MAX)
        .value(node, 0)
        .ok()
}

/// Parses and converts in one go.
pub fn parse_value(text: &str, limits: &Limits) -> Result<(Document, Value), YamlError> {
    let doc = parse(text, limits)?;
    let value = to_value(&doc, limits)?;
    Ok((doc, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn val(text: &str) -> Value {
        parse_value(text, &Limits::default())
            .map(|(_, v)| v)
            .unwrap()
    }

    fn err(text: &str) -> YamlError {
        parse_value(text, &Limits::default())
            .map(|(_, v)| v)
            .unwrap_err()
    }

    #[test]
    fn kubernetes_reading_of_plain_scalars() {
        assert_eq!(
            val("a: on\nb: 'on'\nc: 0777\nd: ~\ne: 1.5\nf: x\n"),
            json!({"a": true, "b": "on", "c": 511, "d": null, "e": 1.5, "f": "x"})
        );
    }

    #[test]
    fn spans_point_at_source_bytes() {
        let text =
            "---\nenv:\n- name: A # c\n  value: \"x\"\n- name: é\n  value: |\n    lit\nother: 1\n";
        let doc = parse(text, &Limits::default()).unwrap();
        let root = doc.root.unwrap();
        let env = root.get("env").unwrap();
        assert!(env.is_block_seq());
        let Kind::Seq { items, .. } = &env.kind else {
            panic!()
        };
        let first = &items[0];
        assert_eq!(
            &text[first.pos.start..first.pos.end],
            "name: A # c\n  value: \"x\""
        );
        let second_value = items[1].get("value").unwrap();
        assert_eq!(
            &text[second_value.pos.start..second_value.pos.end],
            "|\n    lit\n"
        );
        let name = items[1].get("name").unwrap();
        assert_eq!(&text[name.pos.start..name.pos.end], "é");
        assert_eq!((name.pos.line, name.pos.col), (5, 9));
    }

    #[test]
    fn merge_keys_and_aliases() {
        let v = val("base: &b {x: 1, z: 2}\nm:\n  <<: *b\n  z: 3\n");
        assert_eq!(v["m"], json!({"z": 3, "x": 1}));
    }

    #[test]
    fn duplicate_keys_are_located() {
        let e = err("a: 1\nb: 2\na: 3\n");
        assert_eq!((e.line, e.col), (3, 1));
        assert!(e.message.contains("duplicate key `a`"));
    }

    #[test]
    fn billion_laughs_is_stopped() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let e = err(&text);
        assert!(e.message.contains("aliases expand to more than"), "{e}");
    }

    #[test]
    fn deep_nesting_is_stopped() {
        // The parser's own recursion limit or ours: an error either way, never a stack overflow.
        let text = format!("{}x{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = err(&text);
        assert!(
            e.message.contains("nesting") || e.message.contains("recursion"),
            "{e}"
        );
        let text = "- ".repeat(10_000) + "x\n";
        let e = err(&text);
        assert!(e.message.contains("nesting deeper"), "{e}");
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = err("a: 1\n b: 2\n");
        assert_eq!(e.line, 2);
    }
}
