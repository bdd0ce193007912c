//! Issues 5 and 13, property test: for generated Task Pods and agent Deployments written in random
//! styles (indentation 2/3/4, indented or flush sequences, `- key` spacing, line and trailing
//! comments, blank lines, quoting of existing values, existing env entries or none, env lists in
//! flow style (one line, aligned, brackets on their own lines), an env empty or null (`[]`, `[ ]`,
//! `env:`, `null`, `~`, `!!null`, a null on the next line), the container in flow style (an item
//! of a block list, inside a flow list, over several lines), the workload as JSON (2, 3 or 4
//! spaces, `": "` or `":"`, alone or in a YAML stream; its env `[]` or `null` then), CRLF or LF,
//! BOM, final newline or not,
//! `...` markers, non-workload documents around), the properties of
//! `format_support` hold: (a) same values as `--normalize`, (b) a line diff with only env lines,
//! (c) idempotency, (d) injecting then removing gives the input bytes back, and (f) new entries
//! follow the generated style.
//!
//! The generator avoids the shapes of known bugs (see tests/format.rs); `known_bug_shapes` runs
//! it with them (ignored until they are fixed).

mod common;
mod format_support;

use std::sync::OnceLock;

use format_support::{Config, Expect, Prop, Style, check};
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, FileFailurePersistence};

/// A YAML node of the generator; scalars are already rendered tokens.
#[derive(Debug, Clone)]
enum Y {
    Scalar(String),
    Map(Vec<(String, Y)>),
    Seq(Vec<Y>),
    /// A literal block scalar (`|`): its lines.
    Literal(Vec<String>),
    /// A flow sequence of rendered items, laid out by `FlowLayout`.
    Flow(Vec<String>, FlowLayout),
    /// A scalar on the line after its key, indented one step deeper (`env:` then `  null`).
    NextLine(String),
    /// A sequence item written over several lines: a flow mapping one entry per line, aligned
    /// after its `{` (sealed: no comment goes inside it).
    Lines(Vec<String>),
}

/// How the main container is written in flow style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ContainerFlow {
    /// `- {name: agent, …}`, an item of a block list (the note can end its line).
    Item,
    /// `containers: [{name: agent, …}]` (no place for the note: the signature).
    InList,
    /// `- {name: agent,` then one entry per line (no place for the note: the signature).
    MultiLine,
}

/// The main container's `env` written empty or null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EmptyEnv {
    /// After `env: ` on the key's line (`""` for a bare `env:`).
    Written(&'static str),
    /// On the line after `env:`.
    NextLine(&'static str),
}

/// The empty and null forms of a block container, and those a flow container can give back.
const BLOCK_EMPTY: &[&str] = &[
    "[]",
    "[ ]",
    "[  ]",
    "",
    "null",
    "~",
    "Null",
    "NULL",
    "!!null",
    "!!null null",
];
const NEXT_LINE_NULL: &[&str] = &["null", "~", "!!null", "!!null NULL"];
const FLOW_ITEM_EMPTY: &[&str] = &["[]", "[ ]", "null", "~", "Null", "NULL", "!!null ~"];
const FLOW_IN_LIST_EMPTY: &[&str] = &["[]", "[ ]", "null"];
const FLOW_MULTILINE_EMPTY: &[&str] = &["[]", "null"];

/// How a flow env list is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FlowLayout {
    /// `env: [a, b]`
    OneLine,
    /// `env: [a,` then `      b]` under the first item.
    Aligned,
    /// `env: [`, one item per line, `]` on its own line (with a trailing comma or not).
    Brackets { trailing_comma: bool },
}

/// How to write the document.
#[derive(Debug, Clone)]
struct Layout {
    indent: usize,
    seq_indented: bool,
    /// Columns from a dash to the item's content (2, or the indent: `-   name:`).
    dash_pad: usize,
}

/// One output line: its text, and whether comments may go before it or after it.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    sealed: bool,
}

fn render_map(
    entries: &[(String, Y)],
    col: usize,
    first_inline: bool,
    l: &Layout,
    out: &mut Vec<Line>,
) {
    for (i, (k, v)) in entries.iter().enumerate() {
        let prefix = if i == 0 && first_inline {
            String::new()
        } else {
            " ".repeat(col)
        };
        let head = format!("{prefix}{k}:");
        match v {
            Y::Scalar(s) if s.is_empty() => push(out, head),
            Y::Scalar(s) => push(out, format!("{head} {s}")),
            Y::NextLine(s) => {
                // Sealed: a comment between the key and its null is not recorded.
                out.push(Line {
                    text: head,
                    sealed: true,
                });
                push(out, format!("{}{s}", " ".repeat(col + l.indent)));
            }
            Y::Lines(_) => unreachable!("only sequence items"),
            Y::Map(m) if m.is_empty() => push(out, format!("{head} {{}}")),
            Y::Seq(items) if items.is_empty() => push(out, format!("{head} []")),
            Y::Map(m) => {
                push(out, head);
                render_map(m, col + l.indent, false, l, out);
            }
            Y::Seq(items) => {
                push(out, head);
                let dash = col + if l.seq_indented { l.indent } else { 0 };
                render_seq(items, dash, l, out);
            }
            Y::Flow(items, _) if items.is_empty() => push(out, format!("{head} []")),
            Y::Flow(items, FlowLayout::OneLine) => {
                push(out, format!("{head} [{}]", items.join(", ")))
            }
            Y::Flow(items, FlowLayout::Aligned) => {
                let under = " ".repeat(head.len() + 2);
                for (i, item) in items.iter().enumerate() {
                    let end = if i + 1 == items.len() { "]" } else { "," };
                    let text = if i == 0 {
                        format!("{head} [{item}{end}")
                    } else {
                        format!("{under}{item}{end}")
                    };
                    out.push(Line {
                        text,
                        sealed: i > 0,
                    });
                }
            }
            Y::Flow(items, FlowLayout::Brackets { trailing_comma }) => {
                push(out, format!("{head} ["));
                for (i, item) in items.iter().enumerate() {
                    let comma = if i + 1 < items.len() || *trailing_comma {
                        ","
                    } else {
                        ""
                    };
                    out.push(Line {
                        text: format!("{}{item}{comma}", " ".repeat(col + l.indent)),
                        sealed: true,
                    });
                }
                out.push(Line {
                    text: format!("{}]", " ".repeat(col)),
                    sealed: true,
                });
            }
            Y::Literal(lines) => {
                push(out, format!("{head} |"));
                for t in lines {
                    out.push(Line {
                        text: format!("{}{t}", " ".repeat(col + l.indent)),
                        sealed: true,
                    });
                }
            }
        }
    }
}

fn render_seq(items: &[Y], dash: usize, l: &Layout, out: &mut Vec<Line>) {
    for item in items {
        let lead = format!("{}-{}", " ".repeat(dash), " ".repeat(l.dash_pad - 1));
        match item {
            Y::Scalar(s) => push(out, format!("{lead}{s}")),
            Y::Map(m) => {
                let start = out.len();
                render_map(m, dash + l.dash_pad, true, l, out);
                out[start].text = format!("{lead}{}", out[start].text);
            }
            Y::Lines(lines) => {
                for (i, t) in lines.iter().enumerate() {
                    let text = match i {
                        0 => format!("{lead}{t}"),
                        _ => format!("{}{t}", " ".repeat(dash + l.dash_pad + 1)),
                    };
                    out.push(Line { text, sealed: true });
                }
            }
            _ => unreachable!("not generated"),
        }
    }
}

fn push(out: &mut Vec<Line>, text: String) {
    out.push(Line {
        text,
        sealed: false,
    });
}

/// A node on one line, in flow style (a plain scalar with a `:` quoted, as flow needs).
fn inline(y: &Y) -> String {
    match y {
        Y::Scalar(s) if s.contains(':') && !s.starts_with(['"', '\'', '{', '[']) => {
            format!("\"{s}\"")
        }
        Y::Scalar(s) => s.clone(),
        Y::Map(m) => format!("{{{}}}", inline_entries(m).join(", ")),
        Y::Seq(items) => format!(
            "[{}]",
            items.iter().map(inline).collect::<Vec<_>>().join(", ")
        ),
        Y::Flow(items, _) => format!("[{}]", items.join(", ")),
        _ => unreachable!("not generated in flow style"),
    }
}

fn inline_entries(m: &[(String, Y)]) -> Vec<String> {
    m.iter()
        .map(|(k, v)| format!("{k}: {}", inline(v)))
        .collect()
}

/// An existing env value and how it is quoted.
#[derive(Debug, Clone)]
struct Value {
    raw: &'static str,
    quote: u8,
}

impl Value {
    fn token(&self) -> String {
        match self.quote {
            0 => self.raw.to_string(),
            1 => format!("'{}'", self.raw.replace('\'', "''")),
            _ => format!(
                "\"{}\"",
                self.raw.replace('\\', "\\\\").replace('"', "\\\"")
            ),
        }
    }
}

/// Values that may be written plain, and values YAML would read as something else unquoted.
const PLAIN_SAFE: &[&str] = &[
    "/tmp",
    "hello world",
    "x-1",
    "C.UTF-8",
    "/bin/bash",
    "a=b,c=d",
];
const NEEDS_QUOTES: &[&str] = &[
    "true",
    "on",
    "0755",
    "1e3",
    "null",
    "~",
    "a: b",
    "x #y",
    "",
    "yes",
    "12:30",
    "{\"*\":\"allow\"}",
];

impl Value {
    /// The token inside a flow collection, where `,[]{}` end a plain scalar.
    fn flow_token(&self) -> String {
        if self.quote == 0 && self.raw.contains([',', '[', ']', '{', '}']) {
            Value {
                raw: self.raw,
                quote: 2,
            }
            .token()
        } else {
            self.token()
        }
    }
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        (prop::sample::select(PLAIN_SAFE), 0u8..3).prop_map(|(raw, quote)| Value { raw, quote }),
        (prop::sample::select(NEEDS_QUOTES), 1u8..3).prop_map(|(raw, quote)| Value { raw, quote }),
    ]
}

#[derive(Debug, Clone)]
enum Entry {
    Value(&'static str, Value),
    FieldRef(&'static str),
    ConfigContent(Value),
}

fn entry() -> impl Strategy<Value = Entry> {
    prop_oneof![
        4 => (prop::sample::select(&["HOME", "SHELL", "WORKSPACE_DIR", "MODE", "LANG", "X_1"][..]), value())
            .prop_map(|(n, v)| Entry::Value(n, v)),
        1 => prop::sample::select(&["NODE_NAME", "POD_IP"][..]).prop_map(Entry::FieldRef),
    ]
}

/// A non-workload document.
fn extra(i: usize, kind: u8) -> Y {
    let meta = Y::Map(vec![
        ("name".into(), Y::Scalar(format!("extra-{i}"))),
        ("namespace".into(), Y::Scalar("team".into())),
    ]);
    match kind {
        0 => Y::Map(vec![
            ("apiVersion".into(), Y::Scalar("v1".into())),
            ("kind".into(), Y::Scalar("ConfigMap".into())),
            ("metadata".into(), meta),
            (
                "data".into(),
                Y::Map(vec![
                    ("mode".into(), Y::Scalar("'fast'".into())),
                    (
                        "script.sh".into(),
                        Y::Literal(vec![
                            "#!/bin/sh".into(),
                            "echo \"hi\"  # not a comment".into(),
                        ]),
                    ),
                ]),
            ),
        ]),
        1 => Y::Map(vec![
            ("apiVersion".into(), Y::Scalar("v1".into())),
            ("kind".into(), Y::Scalar("Service".into())),
            ("metadata".into(), meta),
            (
                "spec".into(),
                Y::Map(vec![
                    (
                        "selector".into(),
                        Y::Scalar("{kubeopencode.io/agent: a}".into()),
                    ),
                    (
                        "ports".into(),
                        Y::Seq(vec![Y::Map(vec![
                            ("port".into(), Y::Scalar("4096".into())),
                            ("targetPort".into(), Y::Scalar("http".into())),
                        ])]),
                    ),
                ]),
            ),
        ]),
        _ => Y::Map(vec![
            ("apiVersion".into(), Y::Scalar("v1".into())),
            ("kind".into(), Y::Scalar("Secret".into())),
            ("metadata".into(), meta),
            ("type".into(), Y::Scalar("Opaque".into())),
            (
                "stringData".into(),
                Y::Map(vec![("token".into(), Y::Scalar("\"s3cr3t\"".into()))]),
            ),
        ]),
    }
}

/// A generated manifest stream.
#[derive(Debug, Clone)]
struct Spec {
    layout: Layout,
    deployment: bool,
    /// None: the container has no `env` key.
    env: Option<Vec<Entry>>,
    /// The env list in flow style (None: block style).
    env_flow: Option<FlowLayout>,
    /// The main container's env written empty or null instead (over `env`).
    empty_env: Option<EmptyEnv>,
    /// The main container written in flow style (YAML only: JSON is flow anyway).
    container_flow: Option<ContainerFlow>,
    /// The workload written as JSON: (indentation, `"key":value` without a space).
    json: Option<(usize, bool)>,
    /// Where `env` goes among the container's other keys.
    env_pos: usize,
    /// The container's other keys: args (literal block or not), workingDir, resources.
    args_literal: Option<bool>,
    working_dir: bool,
    resources: bool,
    flow_labels: bool,
    init_container: bool,
    /// Top-level key order: a rotation of apiVersion/kind/metadata/spec.
    rotate: usize,
    /// (before the workload, kind) of extra documents.
    extras: Vec<(bool, u8)>,
    leading_marker: bool,
    end_markers: bool,
    /// Per line: 0 nothing, 1 comment line before, 2 trailing comment, 3 blank line before.
    decorations: Vec<u8>,
    /// Comment columns (taken in turn).
    comment_cols: Vec<usize>,
    crlf: bool,
    final_newline: bool,
    bom: bool,
    config: usize,
    /// Let through the shapes of known bugs.
    known_bugs: bool,
}

fn container(s: &Spec, name: &str, main: bool) -> Y {
    let mut keys: Vec<(String, Y)> = vec![(
        "image".into(),
        Y::Scalar("ghcr.io/kubeopencode/kubeopencode-agent-attach:latest".into()),
    )];
    if main {
        match s.args_literal {
            Some(true) => keys.push((
                "args".into(),
                Y::Seq(vec![Y::Scalar("run".into()), Y::Scalar("--verbose".into())]),
            )),
            Some(false) => keys.push((
                "command".into(),
                Y::Seq(vec![Y::Scalar("sh".into()), Y::Scalar("-c".into())]),
            )),
            None => {}
        }
        if s.working_dir {
            keys.push(("workingDir".into(), Y::Scalar("/workspace".into())));
        }
        if s.resources {
            keys.push((
                "resources".into(),
                Y::Map(vec![(
                    "limits".into(),
                    Y::Map(vec![("memory".into(), Y::Scalar("1Gi".into()))]),
                )]),
            ));
        }
        if let Some(env) = &s.env {
            let items = env
                .iter()
                .map(|e| match e {
                    Entry::Value(n, v) => Y::Map(vec![
                        ("name".into(), Y::Scalar((*n).into())),
                        ("value".into(), Y::Scalar(v.token())),
                    ]),
                    Entry::FieldRef(n) => Y::Map(vec![
                        ("name".into(), Y::Scalar((*n).into())),
                        (
                            "valueFrom".into(),
                            Y::Map(vec![(
                                "fieldRef".into(),
                                Y::Map(vec![(
                                    "fieldPath".into(),
                                    Y::Scalar("spec.nodeName".into()),
                                )]),
                            )]),
                        ),
                    ]),
                    Entry::ConfigContent(v) => Y::Map(vec![
                        ("name".into(), Y::Scalar("OPENCODE_CONFIG_CONTENT".into())),
                        ("value".into(), Y::Scalar(v.token())),
                    ]),
                })
                .collect();
            let at = s.env_pos.min(keys.len());
            let list = match (s.empty_env, s.env_flow) {
                (Some(EmptyEnv::Written(w)), _) => Y::Scalar(w.into()),
                (Some(EmptyEnv::NextLine(w)), _) => Y::NextLine(w.into()),
                (None, env_flow) => match env_flow {
                None => Y::Seq(items),
                Some(layout) => Y::Flow(
                    env.iter()
                        .map(|e| match e {
                            Entry::Value(n, v) => format!("{{name: {n}, value: {}}}", v.flow_token()),
                            Entry::FieldRef(n) => format!(
                                "{{name: {n}, valueFrom: {{fieldRef: {{fieldPath: spec.nodeName}}}}}}"
                            ),
                            Entry::ConfigContent(v) => {
                                format!("{{name: OPENCODE_CONFIG_CONTENT, value: {}}}", v.flow_token())
                            }
                        })
                        .collect(),
                    layout,
                ),
                },
            };
            keys.insert(at, ("env".into(), list));
        }
    }
    let mut all = vec![("name".into(), Y::Scalar(name.into()))];
    all.extend(keys);
    Y::Map(all)
}

fn workload(s: &Spec) -> Y {
    let (label_key, label_value) = if s.deployment {
        ("kubeopencode.io/agent", "gen")
    } else {
        ("kubeopencode.io/task", "gen-task")
    };
    let labels = if s.flow_labels {
        Y::Scalar(format!("{{{label_key}: {label_value}, app: gen}}"))
    } else {
        Y::Map(vec![
            (label_key.into(), Y::Scalar(label_value.into())),
            ("app".into(), Y::Scalar("gen".into())),
        ])
    };
    let main = if s.deployment {
        "opencode-server"
    } else {
        "agent"
    };
    let mut pod_spec = vec![];
    if !s.deployment {
        pod_spec.push(("restartPolicy".into(), Y::Scalar("Never".into())));
    }
    if s.init_container {
        pod_spec.push((
            "initContainers".into(),
            Y::Seq(vec![container(s, "opencode-init", false)]),
        ));
    }
    let main = container(s, main, true);
    let containers = match (&main, s.container_flow) {
        (Y::Map(m), Some(ContainerFlow::MultiLine)) => {
            let mut lines = inline_entries(m);
            let n = lines.len();
            for (i, l) in lines.iter_mut().enumerate() {
                *l = match (i, i + 1 == n) {
                    (0, true) => format!("{{{l}}}"),
                    (0, false) => format!("{{{l},"),
                    (_, true) => format!("{l}}}"),
                    _ => format!("{l},"),
                };
            }
            Y::Seq(vec![Y::Lines(lines)])
        }
        (_, Some(ContainerFlow::InList)) => Y::Scalar(format!("[{}]", inline(&main))),
        (_, Some(ContainerFlow::Item)) => Y::Seq(vec![Y::Scalar(inline(&main))]),
        _ => Y::Seq(vec![main]),
    };
    pod_spec.push(("containers".into(), containers));
    let metadata = Y::Map(vec![
        (
            "name".into(),
            Y::Scalar(
                if s.deployment {
                    "gen-server"
                } else {
                    "gen-pod"
                }
                .into(),
            ),
        ),
        ("namespace".into(), Y::Scalar("team".into())),
        ("labels".into(), labels.clone()),
    ]);
    let spec = if s.deployment {
        Y::Map(vec![
            ("replicas".into(), Y::Scalar("1".into())),
            (
                "selector".into(),
                Y::Map(vec![(
                    "matchLabels".into(),
                    Y::Map(vec![(label_key.into(), Y::Scalar(label_value.into()))]),
                )]),
            ),
            (
                "template".into(),
                Y::Map(vec![
                    ("metadata".into(), Y::Map(vec![("labels".into(), labels)])),
                    ("spec".into(), Y::Map(pod_spec)),
                ]),
            ),
        ])
    } else {
        Y::Map(pod_spec)
    };
    let mut top = vec![
        (
            "apiVersion".to_string(),
            Y::Scalar(if s.deployment { "apps/v1" } else { "v1" }.into()),
        ),
        (
            "kind".to_string(),
            Y::Scalar(if s.deployment { "Deployment" } else { "Pod" }.into()),
        ),
        ("metadata".to_string(), metadata),
        ("spec".to_string(), spec),
    ];
    top.rotate_left(s.rotate % 4);
    Y::Map(top)
}

/// The manifest text of a spec.
fn render(s: &Spec) -> String {
    let mut docs: Vec<Y> = Vec::new();
    let mut workload_at = 0;
    for (i, (before, kind)) in s.extras.iter().enumerate() {
        if *before {
            docs.push(extra(i, *kind));
            workload_at += 1;
        }
    }
    docs.insert(workload_at, workload(s));
    for (i, (before, kind)) in s.extras.iter().enumerate() {
        if !before {
            docs.push(extra(i, *kind));
        }
    }
    let mut lines: Vec<Line> = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        if i > 0 || s.leading_marker {
            push(&mut lines, "---".into());
        }
        let Y::Map(m) = d else { unreachable!() };
        match s.json {
            Some((indent, compact)) if i == workload_at => {
                lines.extend(json_lines(m, &s.layout, indent, compact))
            }
            _ => render_map(m, 0, false, &s.layout, &mut lines),
        }
        if s.end_markers {
            push(&mut lines, "...".into());
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut cols = s.comment_cols.iter().cycle();
    for (i, line) in lines.iter().enumerate() {
        let deco = if line.sealed || lines.get(i.wrapping_sub(1)).is_some_and(|p| p.sealed) && i > 0
        {
            0
        } else {
            s.decorations.get(i).copied().unwrap_or(0)
        };
        match deco {
            1 => {
                // BUG_END_MARKER_DROPPED: re-emitting drops `...`, and an indented comment
                // after it joins a block scalar.
                let after_marker = i > 0 && lines[i - 1].text == "...";
                let col = *cols.next().unwrap();
                let col = if after_marker && !s.known_bugs {
                    0
                } else {
                    col
                };
                out.push(format!("{}# note {i}", " ".repeat(col)));
            }
            3 => out.push(String::new()),
            _ => {}
        }
        // BUG_CONFIG_CONTENT_COMMENT: the merge drops a trailing comment on the value line.
        let buggy = !s.known_bugs && line.text.contains("{\"model\"");
        if deco == 2 && !line.text.starts_with("...") && !buggy {
            out.push(format!("{}  # trailing {i}", line.text));
        } else {
            out.push(line.text.clone());
        }
    }
    let eol = if s.crlf { "\r\n" } else { "\n" };
    let mut text = out.join(eol);
    if s.final_newline {
        text.push_str(eol);
    }
    if s.bom {
        text.insert(0, '\u{feff}');
    }
    text
}

/// A document written as JSON (its YAML rendering read back and serialised), sealed lines.
fn json_lines(m: &[(String, Y)], l: &Layout, indent: usize, compact: bool) -> Vec<Line> {
    let mut yaml = Vec::new();
    render_map(m, 0, false, l, &mut yaml);
    let text: Vec<String> = yaml.into_iter().map(|l| l.text).collect();
    let value = format_support::values(&(text.join("\n") + "\n"))
        .unwrap()
        .remove(0);
    let spaces = " ".repeat(indent);
    let mut buf = Vec::new();
    let fmt = JsonFmt {
        inner: serde_json::ser::PrettyFormatter::with_indent(spaces.as_bytes()),
        colon: if compact { b":" } else { b": " },
    };
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(&value, &mut ser).unwrap();
    String::from_utf8(buf)
        .unwrap()
        .lines()
        .map(|t| Line {
            text: t.to_string(),
            sealed: true,
        })
        .collect()
}

/// serde_json's pretty layout with a chosen `:` separator.
struct JsonFmt<'a> {
    inner: serde_json::ser::PrettyFormatter<'a>,
    colon: &'static [u8],
}

impl serde_json::ser::Formatter for JsonFmt<'_> {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.inner.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.inner.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(self.colon)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.end_object_value(w)
    }
}

/// Generator options: `known_bugs` lets through the shapes of known bugs.
fn spec(known_bugs: bool) -> impl Strategy<Value = Spec> {
    let layout =
        (2usize..=4, any::<bool>(), any::<bool>()).prop_map(|(indent, seq_indented, wide)| {
            Layout {
                indent,
                seq_indented,
                dash_pad: if wide { indent.max(2) } else { 2 },
            }
        });
    let env = prop::option::of((
        prop::collection::vec(entry(), 1..4),
        prop::option::of((0usize..3, value())),
    ));
    (
        (
            layout,
            any::<bool>(),
            env,
            0usize..5,
            prop::option::of(any::<bool>()),
            any::<bool>(),
            any::<bool>(),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            0usize..4,
            prop::collection::vec((any::<bool>(), 0u8..3), 0..3),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec(
                prop_oneof![6 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8), 1 => Just(3u8)],
                0..80,
            ),
            prop::collection::vec(0usize..10, 1..4),
        ),
        (any::<bool>(), any::<bool>(), any::<bool>(), 0usize..2),
        (
            prop_oneof![
                3 => Just(None),
                1 => Just(Some(FlowLayout::OneLine)),
                1 => Just(Some(FlowLayout::Aligned)),
                1 => any::<bool>().prop_map(|trailing_comma| Some(FlowLayout::Brackets { trailing_comma })),
            ],
            prop_oneof![3 => Just(None), 1 => (2usize..=4, any::<bool>()).prop_map(Some)],
        ),
        (
            prop_oneof![
                3 => Just(None),
                2 => prop::sample::select(BLOCK_EMPTY).prop_map(|w| Some(EmptyEnv::Written(w))),
                1 => prop::sample::select(NEXT_LINE_NULL).prop_map(|w| Some(EmptyEnv::NextLine(w))),
            ],
            prop_oneof![
                2 => Just(None),
                1 => Just(Some(ContainerFlow::Item)),
                1 => Just(Some(ContainerFlow::InList)),
                1 => Just(Some(ContainerFlow::MultiLine)),
            ],
            any::<usize>(),
        ),
    )
        .prop_map(
            move |(
                (layout, deployment, env, env_pos, args_literal, working_dir, resources),
                (flow_labels, init_container, rotate, extras),
                (leading_marker, end_markers, decorations, comment_cols),
                (crlf, final_newline, bom, config),
                (env_flow, json),
                (empty_env, container_flow, pick),
            )| {
                let env = env.map(|(mut entries, cc)| {
                    if let Some((at, mut v)) = cc {
                        // Canonical JSON, so that removal can restore it; JSON is never a plain
                        // scalar (`{` starts a flow mapping), so it is always quoted.
                        v.raw = r#"{"model":"anthropic/claude-sonnet-4"}"#;
                        v.quote = v.quote.max(1);
                        entries.insert(at.min(entries.len()), Entry::ConfigContent(v));
                    }
                    entries
                });
                // An empty or null env stands where the entries would; JSON writes each as `[]`
                // or `null`. A flow container is written on one line (its env list too) and
                // takes the forms it can give back: with the note after a block list's item,
                // else with the signature (`[]`, `[ ]` on one line, `null`).
                let container_flow = container_flow.filter(|_| json.is_none());
                let env_flow = match container_flow {
                    Some(_) => Some(FlowLayout::OneLine),
                    None => env_flow,
                };
                let empty_env = match (empty_env, container_flow) {
                    (Some(_), Some(f)) => {
                        let forms = match f {
                            ContainerFlow::Item => FLOW_ITEM_EMPTY,
                            ContainerFlow::InList => FLOW_IN_LIST_EMPTY,
                            ContainerFlow::MultiLine => FLOW_MULTILINE_EMPTY,
                        };
                        Some(EmptyEnv::Written(forms[pick % forms.len()]))
                    }
                    (e, _) => e,
                };
                let env = match empty_env {
                    Some(_) => Some(env.unwrap_or_default()),
                    None => env,
                };
                let mut s = Spec {
                    layout,
                    deployment,
                    env,
                    env_flow,
                    empty_env,
                    container_flow,
                    json,
                    env_pos,
                    args_literal,
                    working_dir,
                    resources,
                    flow_labels,
                    init_container,
                    rotate,
                    extras,
                    leading_marker,
                    end_markers,
                    decorations,
                    comment_cols,
                    crlf,
                    final_newline,
                    bom,
                    config,
                    known_bugs,
                };
                if s.json.is_some() && (!s.extras.is_empty() || s.end_markers) {
                    // A stream that starts with a JSON document is read as JSON (as kubectl
                    // does): with YAML around it, it opens with `---`.
                    s.leading_marker = true;
                }
                if !known_bugs {
                    // BUG_NESTED_INDENT: with a nested mapping in the container, new entries
                    // find the document's step.
                    if s.layout.indent != 2 {
                        s.resources = true;
                    }
                    // BUG_EOF_REMOVAL: entries that end a file without a final newline.
                    if s.env.is_some() && ends_with_env(&s) {
                        s.final_newline = true;
                    }
                }
                s
            },
        )
}

/// True when the last line of the stream is an env entry.
fn ends_with_env(s: &Spec) -> bool {
    let has_keys_after = {
        let others = usize::from(s.args_literal.is_some())
            + usize::from(s.working_dir)
            + usize::from(s.resources);
        s.env_pos < others
    };
    let workload_last = s.extras.iter().all(|(before, _)| *before);
    let spec_last = s.rotate.is_multiple_of(4); // apiVersion, kind, metadata, spec
    workload_last && spec_last && !has_keys_after && !s.end_markers
}

fn configs() -> &'static [Config] {
    static C: OnceLock<Vec<Config>> = OnceLock::new();
    C.get_or_init(|| {
        ["config.yaml", "config-record-content.yaml"]
            .iter()
            .map(|c| Config::new(&common::testdata("format").join(c)))
            .collect()
    })
}

const PROPS: &[Prop] = &[
    Prop::Report,
    Prop::Values,
    Prop::Normalize,
    Prop::EnvOnlyDiff,
    Prop::Idempotent,
    Prop::Removal,
    Prop::Layout,
];

fn run_case(s: &Spec) -> Result<(), TestCaseError> {
    let text = render(s);
    let style = Style {
        indent: Some(s.layout.indent),
        seq_indented: Some(s.layout.seq_indented),
    };
    let r = check(
        "generated.yaml",
        &text,
        &configs()[s.config],
        style,
        &Expect::default(),
        PROPS,
    );
    prop_assert!(r.changed, "nothing injected into:\n{text}");
    prop_assert!(
        r.failures.is_empty(),
        "input:\n{}\n{}",
        text.replace('\r', "\\r"),
        r.render("generated")
    );
    Ok(())
}

fn pt_config() -> PtConfig {
    PtConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(64),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..PtConfig::default()
    }
}

proptest! {
    #![proptest_config(pt_config())]

    #[test]
    fn generated_manifests_keep_their_format(s in spec(false)) {
        run_case(&s)?;
    }

    #[test]
    /// Shapes that once exposed bugs (double-quoted or commented OPENCODE_CONFIG_CONTENT, nested
    /// indent in 3/4-space documents, removal at EOF without a final newline, `...` markers).
    fn former_bug_shapes(s in spec(true)) {
        run_case(&s)?;
    }
}

/// The sanity check's spec: a Task Pod in 4-space CRLF, with one env entry.
fn sample() -> Spec {
    Spec {
        layout: Layout {
            indent: 4,
            seq_indented: true,
            dash_pad: 4,
        },
        deployment: false,
        env: Some(vec![Entry::Value(
            "MODE",
            Value {
                raw: "0755",
                quote: 2,
            },
        )]),
        env_flow: None,
        empty_env: None,
        container_flow: None,
        json: None,
        env_pos: 0,
        args_literal: None,
        working_dir: false,
        resources: true,
        flow_labels: true,
        init_container: false,
        rotate: 0,
        extras: vec![(false, 0)],
        leading_marker: true,
        end_markers: false,
        decorations: vec![0, 1, 2],
        comment_cols: vec![3],
        crlf: true,
        final_newline: false,
        bom: true,
        config: 0,
        known_bugs: false,
    }
}

/// The generator does write what it claims (a sanity check of the test itself).
#[test]
fn generator_writes_the_styles_it_claims() {
    let s = sample();
    let text = render(&s);
    assert!(
        text.starts_with(
            "\u{feff}---\r\n   # note 1\r\napiVersion: v1\r\nkind: Pod  # trailing 2\r\n"
        ),
        "{text}"
    );
    assert!(text.contains("\r\n        -   name: agent\r\n"), "{text}");
    assert!(
        text.contains(
            "\r\n                -   name: MODE\r\n                    value: \"0755\"\r\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("labels: {kubeopencode.io/task: gen-task, app: gen}"),
        "{text}"
    );
    assert!(!text.ends_with('\n'));
    let values = format_support::values(&text).unwrap();
    assert_eq!(values.len(), 2);
    assert_eq!(
        values[0]["spec"]["containers"][0]["env"][0]["value"],
        "0755"
    );
}

/// The empty and null envs and the flow containers are written as claimed, and each runs through
/// the properties (removal gives the bytes back).
#[test]
fn generator_writes_empty_envs_and_flow_containers() {
    let with = |empty_env, container_flow, json| Spec {
        empty_env,
        container_flow,
        json,
        env_pos: 9,
        crlf: false,
        bom: false,
        decorations: Vec::new(),
        ..sample()
    };
    for (s, want) in [
        (
            with(Some(EmptyEnv::NextLine("!!null NULL")), None, None),
            "\n        -   name: agent\n            image: ghcr.io/kubeopencode/kubeopencode-agent-attach:latest\n            resources:\n                limits:\n                    memory: 1Gi\n            env:\n                !!null NULL\n---\n",
        ),
        (
            with(Some(EmptyEnv::Written("")), None, None),
            "\n            env:\n---\n",
        ),
        (
            with(
                Some(EmptyEnv::Written("null")),
                Some(ContainerFlow::InList),
                None,
            ),
            "\n    containers: [{name: agent, image: \"ghcr.io/kubeopencode/kubeopencode-agent-attach:latest\", resources: {limits: {memory: 1Gi}}, env: null}]\n",
        ),
        (
            with(
                Some(EmptyEnv::Written("[ ]")),
                Some(ContainerFlow::Item),
                None,
            ),
            "\n        -   {name: agent, image: \"ghcr.io/kubeopencode/kubeopencode-agent-attach:latest\", resources: {limits: {memory: 1Gi}}, env: [ ]}\n",
        ),
        (
            with(
                Some(EmptyEnv::Written("[]")),
                Some(ContainerFlow::MultiLine),
                None,
            ),
            "\n        -   {name: agent,\n             image: \"ghcr.io/kubeopencode/kubeopencode-agent-attach:latest\",\n             resources: {limits: {memory: 1Gi}},\n             env: []}\n",
        ),
        (
            with(Some(EmptyEnv::Written("~")), None, Some((3, true))),
            "\n         {\n            \"name\":\"agent\",\n            \"image\":\"ghcr.io/kubeopencode/kubeopencode-agent-attach:latest\",\n            \"resources\":{\n               \"limits\":{\n                  \"memory\":\"1Gi\"\n               }\n            },\n            \"env\":null\n         }\n",
        ),
    ] {
        let text = render(&s);
        assert!(text.contains(want), "{want:?} not in:\n{text}");
        run_case(&s).unwrap_or_else(|e| panic!("{e}"));
    }
}
