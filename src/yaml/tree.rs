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

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span};
use serde_json::{Map, Number, Value};

use super::scalar::{Plain, resolve_plain};

pub use super::node::{Document, Kind, Limits, Node, Pos, Style, YamlError};

/// Converts parser markers (character based) to byte offsets.
struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    /// The last (character index, byte offset) converted: markers arrive nearly in order, so
    /// each conversion walks only the characters between two markers (a long non-ASCII line must
    /// not cost a walk from its start per token).
    cursor: std::cell::Cell<(usize, usize)>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        Offsets {
            text,
            ascii: text.is_ascii(),
            cursor: std::cell::Cell::new((0, 0)),
        }
    }

    /// The byte offset of a marker (whose index counts characters).
    fn byte(&self, m: Marker) -> usize {
        let target = m.index();
        if self.ascii {
            return target.min(self.text.len());
        }
        let (ci, bi) = self.cursor.get();
        let found = if target >= ci {
            self.text[bi..]
                .char_indices()
                .nth(target - ci)
                .map(|(i, _)| bi + i)
        } else {
            self.text[..bi]
                .char_indices()
                .rev()
                .nth(ci - target - 1)
                .map(|(i, _)| i)
        };
        match found {
            Some(b) => {
                self.cursor.set((target, b));
                b
            }
            None => self.text.len(),
        }
    }

    fn pos(&self, span: Span) -> Pos {
        Pos {
            start: self.byte(span.start),
            end: self.byte(span.end),
            line: span.start.line(),
            col: span.start.col() + 1,
        }
    }
}

fn style_of(s: ScalarStyle) -> Style {
    match s {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
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

/// Parses one document with saphyr-parser: any YAML, and the errors with their locations.
pub fn parse_full(text: &str, limits: &Limits) -> Result<Document, YamlError> {
    let offsets = Offsets::new(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let message = e.info().to_string();
            let (line, col) = (e.marker().line().max(1), e.marker().col() + 1);
            let (line, col) = if message.contains("tab") {
                tab_place(text, line, col)
            } else {
                (line, col)
            };
            YamlError { message, line, col }
        })?;
        let pos = offsets.pos(span);
        let located = |message: String| YamlError {
            message,
            line: pos.line,
            col: pos.col,
        };
        let node = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(located(
                        "a second document starts here without a `---` line".into(),
                    ));
                }
                continue;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {
                continue;
            }
            Event::Scalar(value, style, anchor, tag) => Node {
                pos: match style {
                    ScalarStyle::Literal | ScalarStyle::Folded => {
                        block_scalar_pos(text, &offsets, pos)
                    }
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => quoted_pos(text, pos),
                    _ => pos,
                },
                anchor,
                kind: Kind::Scalar {
                    value: value.into_owned(),
                    style: style_of(style),
                    tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                },
            },
            Event::Alias(id) => Node {
                pos,
                anchor: 0,
                kind: Kind::Alias(id),
            },
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= limits.max_depth {
                    return Err(located(format!(
                        "nesting deeper than {} levels",
                        limits.max_depth
                    )));
                }
                // A block collection's span is empty or covers only its anchor/tag; a flow one ends
                // with its `[` or `{`.
                let flow = text
                    .get(pos.start..pos.end)
                    .is_some_and(|t| t.trim_end().ends_with(['[', '{']));
                let is_seq = matches!(event, Event::SequenceStart(..));
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
                    pos: Pos {
                        end: pos.start,
                        ..pos
                    },
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
            Event::SequenceEnd | Event::MappingEnd => {
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
                    node.pos.end = pos.end;
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
    Ok(Document { root })
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

/// A quoted scalar ends at its closing quote (the parser's span may run on over a trailing comment).
fn quoted_pos(text: &str, pos: Pos) -> Pos {
    let bytes = text.as_bytes();
    let Some(&quote) = bytes.get(pos.start) else {
        return pos;
    };
    if quote != b'\'' && quote != b'"' {
        return pos;
    }
    let mut i = pos.start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return Pos { end: i + 1, ..pos },
            _ => i += 1,
        }
    }
    pos
}

/// The parser's span of a block scalar covers its content only, and ends where the next token
/// starts. The node spans from its `|`/`>` header to the start of the line after its content.
fn block_scalar_pos(text: &str, offsets: &Offsets, pos: Pos) -> Pos {
    let end = pos.end.min(text.len());
    // At the end of the text the scalar runs to the end (its last line may lack a newline).
    let end = match text[..end].rfind('\n') {
        Some(i) if i + 1 > pos.start && end < text.len() => i + 1,
        _ => end,
    };
    let start = text[..pos.start.min(text.len())]
        .rfind(['|', '>'])
        .unwrap_or(pos.start);
    let line = text[..start].matches('\n').count() + 1;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let _ = offsets;
    Pos {
        start,
        end,
        line,
        col: text[line_start..start].chars().count() + 1,
    }
}

/// Conversion of a tree to JSON, the way Kubernetes reads YAML.
pub fn to_value(doc: &Document, limits: &Limits) -> Result<Value, YamlError> {
    let Some(root) = &doc.root else {
        return Ok(Value::Null);
    };
    let mut anchors: HashMap<usize, &Node> = HashMap::new();
    collect_anchors(root, &mut anchors);
    let mut conv = Converter {
        anchors,
        budget: limits.max_nodes,
        max_nodes: limits.max_nodes,
        in_alias: 0,
        max_depth: limits.max_depth,
    };
    conv.value(root, 0)
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
    anchors: HashMap<usize, &'a Node>,
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
                let target = *self
                    .anchors
                    .get(id)
                    .ok_or_else(|| err_at(node, "alias to an unknown anchor".into()))?;
                self.in_alias += 1;
                let v = self.value(target, depth + 1);
                self.in_alias -= 1;
                v
            }
            Kind::Scalar { value, style, tag } => scalar_value(node, value, *style, tag.as_deref()),
            Kind::Seq { items, .. } => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.value(item, depth + 1)?);
                }
                Ok(Value::Array(out))
            }
            Kind::Map { entries, .. } => {
                let mut out = Map::new();
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
