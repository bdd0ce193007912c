//! Block-style YAML writer for `serde_json::Value`, in kubectl's style.
//!
//! Mappings keep their key order; sequences under a key start at the key's column (`key:\n- a`)
//! unless [`EmitOptions::indent_sequences`] is set; sequences of mappings and of sequences use the
//! compact forms `- name: x` and `- - a`. Strings are written by [`render_scalar`] (plain when that
//! is safe for every YAML reader, else quoted); multi-line strings become literal block scalars
//! (`|`, `|-`, `|+`) when their text allows, else double-quoted strings.

use serde_json::{Map, Number, Value};

use super::scalar::{double_quoted, render_scalar};

/// How to lay out the output.
#[derive(Debug, Clone)]
pub struct EmitOptions {
    /// Spaces per mapping level (default 2). Values below 1 are treated as 1.
    pub indent: usize,
    /// `false`: `key:\n- a` (kubectl style, default); `true`: `key:\n  - a`.
    pub indent_sequences: bool,
    /// Line ending: `"\n"` or `"\r\n"`.
    pub eol: &'static str,
}

impl Default for EmitOptions {
    fn default() -> Self {
        EmitOptions {
            indent: 2,
            indent_sequences: false,
            eol: "\n",
        }
    }
}

/// One document, no leading "---", ends with eol. Scalars at top level and empty collections allowed.
pub fn emit_document(v: &serde_json::Value, opts: &EmitOptions) -> String {
    let mut e = Emitter::new(opts);
    match v {
        Value::Object(m) if !m.is_empty() => e.mapping(m, 0, false),
        Value::Array(a) if !a.is_empty() => e.sequence(a, 0, 2, false),
        // A top-level block scalar's indentation indicator is read differently by the spec and
        // by libyaml-based readers, so none is used there (double quotes instead).
        Value::String(s) => e.string(s, e.indent(), None),
        other => e.inline_scalar(other),
    }
    e.out
}

/// A fragment for splicing new sequence items into an existing block sequence: each item starts on a new
/// line with `dash_col` spaces, then "-", then spaces up to column `content_col` (content_col > dash_col),
/// then the item's content (for an object: its first key on the dash line, following keys at content_col,
/// nested mappings indented by opts.indent more, nested sequences per opts.indent_sequences). Every line
/// ends with opts.eol. Example, dash_col=4, content_col=6: "    - name: A\n      value: \"on\"\n".
///
/// A `content_col` closer than two columns to `dash_col` is moved to `dash_col + 2` (the dash must
/// be followed by a space).
pub fn emit_seq_items(
    items: &[serde_json::Value],
    dash_col: usize,
    content_col: usize,
    opts: &EmitOptions,
) -> String {
    let mut e = Emitter::new(opts);
    e.sequence(items, dash_col, content_col.max(dash_col + 2), false);
    e.out
}

/// A fragment "key:" + block value at `key_col` (for adding a missing key such as `env:` to a mapping).
pub fn emit_map_entry(
    key: &str,
    value: &serde_json::Value,
    key_col: usize,
    opts: &EmitOptions,
) -> String {
    let mut e = Emitter::new(opts);
    e.spaces(key_col);
    e.entry(key, value, key_col);
    e.out
}

/// Keys longer than this (rendered, in bytes) are written as explicit `? key` entries: YAML
/// readers give up looking for the `:` of an implicit key after 1024 characters.
const MAX_IMPLICIT_KEY: usize = 1000;

struct Emitter<'o> {
    out: String,
    opts: &'o EmitOptions,
}

impl<'o> Emitter<'o> {
    fn new(opts: &'o EmitOptions) -> Self {
        Emitter {
            // The block of OpenTelemetry entries is a few hundred bytes: one allocation instead of
            // a doubling from nothing.
            out: String::with_capacity(512),
            opts,
        }
    }

    fn indent(&self) -> usize {
        self.opts.indent.max(1)
    }

    fn spaces(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    fn eol(&mut self) {
        self.out.push_str(self.opts.eol);
    }

    /// The entries of a non-empty mapping with keys at column `col`. With `inline_first`, the
    /// current line already reaches `col` (after a sequence dash).
    fn mapping(&mut self, m: &Map<String, Value>, col: usize, inline_first: bool) {
        for (i, (k, v)) in m.iter().enumerate() {
            if i > 0 || !inline_first {
                self.spaces(col);
            }
            self.entry(k, v, col);
        }
    }

    /// `key:` and its value; the current line already reaches `col`.
    fn entry(&mut self, key: &str, v: &Value, col: usize) {
        let k = render_scalar(key);
        if k.len() > MAX_IMPLICIT_KEY {
            self.out.push_str("? ");
            self.out.push_str(&k);
            self.eol();
            self.spaces(col);
        } else {
            self.out.push_str(&k);
        }
        self.out.push(':');
        let ind = self.indent();
        match v {
            Value::Object(m) if !m.is_empty() => {
                self.eol();
                self.mapping(m, col + ind, false);
            }
            Value::Array(a) if !a.is_empty() => {
                self.eol();
                let dash = if self.opts.indent_sequences {
                    col + ind
                } else {
                    col
                };
                self.sequence(a, dash, dash + 2, false);
            }
            Value::String(s) => {
                self.out.push(' ');
                self.string(s, col + ind, Some(ind));
            }
            other => {
                self.out.push(' ');
                self.inline_scalar(other);
            }
        }
    }

    /// The items of a sequence: dashes at `dash_col`, content at `content_col`
    /// (`content_col >= dash_col + 2`). With `inline_first`, the current line already reaches
    /// `dash_col` (after an outer sequence dash).
    fn sequence(
        &mut self,
        items: &[Value],
        dash_col: usize,
        content_col: usize,
        inline_first: bool,
    ) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 || !inline_first {
                self.spaces(dash_col);
            }
            self.out.push('-');
            self.spaces(content_col.saturating_sub(dash_col + 1).max(1));
            match item {
                Value::Object(m) if !m.is_empty() => self.mapping(m, content_col, true),
                Value::Array(a) if !a.is_empty() => {
                    self.sequence(a, content_col, content_col + 2, true);
                }
                Value::String(s) => {
                    self.string(s, content_col, Some(content_col.saturating_sub(dash_col)))
                }
                other => self.inline_scalar(other),
            }
        }
    }

    /// A scalar that is not a string (or an empty collection), then the line end.
    fn inline_scalar(&mut self, v: &Value) {
        match v {
            Value::Null => self.out.push_str("null"),
            Value::Bool(true) => self.out.push_str("true"),
            Value::Bool(false) => self.out.push_str("false"),
            Value::Number(n) => self.out.push_str(&number_text(n)),
            Value::String(s) => self.out.push_str(&render_scalar(s)),
            Value::Array(_) => self.out.push_str("[]"),
            Value::Object(_) => self.out.push_str("{}"),
        }
        self.eol();
    }

    /// A string value at the current position, then the line end. A literal block's lines go at
    /// column `content_col`; `indicator` is the indentation indicator that means that column
    /// (`None`: no indicator may be used).
    fn string(&mut self, s: &str, content_col: usize, indicator: Option<usize>) {
        // One line (nearly every string): no block scalar to consider.
        if memchr::memchr(b'\n', s.as_bytes()).is_none() {
            self.out.push_str(&render_scalar(s));
            self.eol();
            return;
        }
        if let Some(lit) = Literal::plan(s) {
            let indicator = if lit.needs_indicator {
                indicator.filter(|m| (1..=9).contains(m))
            } else {
                Some(0)
            };
            if let Some(m) = indicator {
                self.out.push('|');
                if m > 0 {
                    self.out.push_str(&m.to_string());
                }
                self.out.push_str(lit.chomp);
                self.eol();
                for line in lit.lines {
                    if !line.is_empty() {
                        self.spaces(content_col);
                        self.out.push_str(line);
                    }
                    self.eol();
                }
                for _ in 0..lit.extra_blank_lines {
                    self.eol();
                }
                return;
            }
        }
        if s.contains('\n') {
            self.out.push_str(&double_quoted(s));
        } else {
            self.out.push_str(&render_scalar(s));
        }
        self.eol();
    }
}

/// How a multi-line string is written as a literal block scalar.
struct Literal<'s> {
    /// `""` (clip), `"-"` (strip) or `"+"` (keep).
    chomp: &'static str,
    /// The content lines (without the final line break and trailing empty lines).
    lines: Vec<&'s str>,
    /// Empty lines after the content (kept with `+`).
    extra_blank_lines: usize,
    /// The first non-empty line starts with a space, so auto-detected indentation would be wrong.
    needs_indicator: bool,
}

impl<'s> Literal<'s> {
    /// `None` when `s` has no line break, or can't be a literal block: a character that needs an
    /// escape (tab, CR and other controls, NEL, U+2028/2029, BOM, ...), a line with trailing
    /// spaces, or no non-empty line at all.
    fn plan(s: &'s str) -> Option<Self> {
        if !s.contains('\n') {
            return None;
        }
        let body = s.trim_end_matches('\n');
        let trailing = s.len() - body.len();
        if body.is_empty() {
            return None;
        }
        let lines: Vec<&str> = body.split('\n').collect();
        let printable = |c: char| {
            matches!(c,
                '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}'
                | '\u{10000}'..='\u{10FFFF}')
                && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
        };
        if lines
            .iter()
            .any(|l| l.ends_with(' ') || !l.chars().all(printable))
        {
            return None;
        }
        let needs_indicator = lines
            .iter()
            .find(|l| !l.is_empty())
            .is_some_and(|l| l.starts_with(' '));
        let (chomp, extra_blank_lines) = match trailing {
            0 => ("-", 0),
            1 => ("", 0),
            n => ("+", n - 1),
        };
        Some(Literal {
            chomp,
            lines,
            extra_blank_lines,
            needs_indicator,
        })
    }
}

/// Numbers as serde_json prints them, except that a float always reads back as a float in YAML
/// 1.1 and 1.2 readers: it gets a `.0` when it has no fraction (`1.0`, `1.0e+20`) and an explicit
/// exponent sign (`1.5e-7`, `1.0e+20`).
fn number_text(n: &Number) -> String {
    let s = n.to_string();
    if n.is_i64() || n.is_u64() {
        return s;
    }
    let (mantissa, exponent) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (s.as_str(), None),
    };
    let mut out = mantissa.to_string();
    if !mantissa.contains('.') {
        out.push_str(".0");
    }
    if let Some(exp) = exponent {
        out.push('e');
        if !exp.starts_with(['+', '-']) {
            out.push('+');
        }
        out.push_str(exp);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::scalar::tests::read_back_inline;
    use serde_json::json;

    fn opts() -> EmitOptions {
        EmitOptions::default()
    }

    /// Reads back the value of a one-entry document `k: <value>` as written by `emit_document`
    /// (inline scalar or literal block).
    fn read_back_k(doc: &str) -> String {
        let rest = doc.strip_prefix("k: ").expect("k: prefix");
        let (first, body) = rest.split_once('\n').expect("line end");
        let Some(header) = first.strip_prefix('|') else {
            assert!(
                body.is_empty(),
                "trailing text after inline scalar: {doc:?}"
            );
            return read_back_inline(first);
        };
        let (chomp, digits): (Vec<char>, Vec<char>) =
            header.chars().partition(|c| "+-".contains(*c));
        assert!(chomp.len() <= 1 && digits.len() <= 1, "header {header:?}");
        let indicator = digits
            .first()
            .map(|d| d.to_digit(10).expect("digit") as usize);
        let lines: Vec<&str> = body
            .strip_suffix('\n')
            .expect("ends with eol")
            .split('\n')
            .collect();
        let indent = indicator.unwrap_or_else(|| {
            let first = lines.iter().find(|l| !l.is_empty()).expect("content line");
            first.len() - first.trim_start_matches(' ').len()
        });
        let mut content: Vec<&str> = Vec::new();
        for l in &lines {
            if l.is_empty() {
                content.push("");
            } else {
                let prefix = &l[..indent.min(l.len())];
                assert!(
                    prefix.chars().all(|c| c == ' ') && l.len() > indent,
                    "{doc:?}"
                );
                content.push(&l[indent..]);
            }
        }
        // Chomping applies to the final line break and trailing empty lines.
        let last_non_empty = content
            .iter()
            .rposition(|l| !l.is_empty())
            .expect("content");
        let mut text = content[..=last_non_empty].join("\n");
        let trailing_empty = content.len() - 1 - last_non_empty;
        match chomp.first() {
            Some('-') => {}
            None => text.push('\n'),
            Some(_) => text.push_str(&"\n".repeat(trailing_empty + 1)),
        }
        text
    }

    #[test]
    fn deployment_golden() {
        let v = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "web",
                "labels": {"app": "web", "on": "yes"},
                "annotations": {}
            },
            "spec": {
                "replicas": 3,
                "template": {
                    "spec": {
                        "containers": [{
                            "name": "web",
                            "image": "nginx:1.27",
                            "args": ["--port=8080", "-v", "12:30"],
                            "env": [
                                {"name": "A", "value": "on"},
                                {"name": "B", "value": "0777"},
                                {"name": "OTEL", "value": "k8s.pod.name=$(OTEL_POD_NAME)"},
                                {"name": "JSON", "value": "{\"*\":\"allow\"}"}
                            ],
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                            "resources": {"limits": {"cpu": 0.5, "memory": "1Gi"}},
                            "command": ["sh", "-c", "echo hi\nexec nginx\n"],
                            "volumeMounts": []
                        }],
                        "nodeSelector": null,
                        "hostNetwork": false
                    }
                }
            }
        });
        let want = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
    \"on\": \"yes\"
  annotations: {}
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
        args:
        - --port=8080
        - -v
        - \"12:30\"
        env:
        - name: A
          value: \"on\"
        - name: B
          value: \"0777\"
        - name: OTEL
          value: k8s.pod.name=$(OTEL_POD_NAME)
        - name: JSON
          value: '{\"*\":\"allow\"}'
        ports:
        - containerPort: 8080
          protocol: TCP
        resources:
          limits:
            cpu: 0.5
            memory: 1Gi
        command:
        - sh
        - -c
        - |
          echo hi
          exec nginx
        volumeMounts: []
      nodeSelector: null
      hostNetwork: false
";
        assert_eq!(emit_document(&v, &opts()), want);
    }

    #[test]
    fn indented_sequences_and_four_spaces() {
        let v = json!({"a": {"b": [1, {"c": "d", "e": ["f"]}]}});
        let o = EmitOptions {
            indent: 4,
            indent_sequences: true,
            eol: "\n",
        };
        let want = "\
a:
    b:
        - 1
        - c: d
          e:
              - f
";
        assert_eq!(emit_document(&v, &o), want);
    }

    #[test]
    fn seq_items_fragment() {
        let items = [
            json!({"name": "A", "value": "on"}),
            json!({"name": "B", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}),
            json!("plain"),
            json!(["x", ["y"]]),
            json!({"list": ["p", "q"]}),
        ];
        let want = "    - name: A
      value: \"on\"
    - name: B
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - plain
    - - x
      - - \"y\"
    - list:
      - p
      - q
";
        assert_eq!(emit_seq_items(&items, 4, 6, &opts()), want);

        let o = EmitOptions {
            indent: 4,
            ..opts()
        };
        let want4 = "    - name: B
      valueFrom:
          fieldRef:
              fieldPath: metadata.name
    - list:
      - p
      - q
";
        assert_eq!(
            emit_seq_items(&[items[1].clone(), items[4].clone()], 4, 6, &o),
            want4
        );

        let o = EmitOptions {
            indent: 4,
            indent_sequences: true,
            eol: "\n",
        };
        let want4i = "        -   list:
                - p
            x: 1
";
        assert_eq!(
            emit_seq_items(&[json!({"list": ["p"], "x": 1})], 8, 12, &o),
            want4i
        );
        // content_col too close to the dash
        assert_eq!(emit_seq_items(&[json!("a")], 2, 2, &opts()), "  - a\n");
        assert_eq!(emit_seq_items(&[], 2, 4, &opts()), "");
    }

    #[test]
    fn map_entry_fragment() {
        let env = json!([{"name": "X", "value": "y"}]);
        assert_eq!(
            emit_map_entry("env", &env, 8, &opts()),
            "        env:\n        - name: X\n          value: \"y\"\n"
        );
        assert_eq!(emit_map_entry("on", &json!(1), 2, &opts()), "  \"on\": 1\n");
        assert_eq!(emit_map_entry("k", &json!({}), 0, &opts()), "k: {}\n");
        assert_eq!(
            emit_map_entry(
                "k",
                &json!({"a": "b"}),
                4,
                &EmitOptions {
                    indent: 4,
                    ..opts()
                }
            ),
            "    k:\n        a: b\n"
        );
    }

    #[test]
    fn multi_line_strings() {
        let doc = |s: &str| emit_document(&json!({"k": s}), &opts());
        assert_eq!(doc("a\nb\n"), "k: |\n  a\n  b\n");
        assert_eq!(doc("a\nb"), "k: |-\n  a\n  b\n");
        assert_eq!(doc("a\n\nb\n\n\n"), "k: |+\n  a\n\n  b\n\n\n");
        assert_eq!(doc("  lead\nx"), "k: |2-\n    lead\n  x\n");
        assert_eq!(doc("\n  lead\n"), "k: |2\n\n    lead\n");
        assert_eq!(doc("a\n b\n"), "k: |\n  a\n   b\n");
        // not literal-safe: trailing space, tab, CR, only line breaks
        assert_eq!(doc("a \nb"), "k: \"a \\nb\"\n");
        assert_eq!(doc("a\tx\nb"), "k: \"a\\tx\\nb\"\n");
        assert_eq!(doc("a\r\nb"), "k: \"a\\r\\nb\"\n");
        assert_eq!(doc("\n\n"), "k: \"\\n\\n\"\n");
        // in a sequence, the indicator is relative to the dash column
        assert_eq!(
            emit_seq_items(&[json!(" x\ny")], 4, 6, &opts()),
            "    - |2-\n       x\n      y\n"
        );
        assert_eq!(
            emit_document(&json!([{"run": " x\n"}]), &opts()),
            "- run: |2\n     x\n"
        );
        // top level: no indicator is used
        assert_eq!(emit_document(&json!("a\nb\n"), &opts()), "|\n  a\n  b\n");
        assert_eq!(emit_document(&json!(" a\nb"), &opts()), "\" a\\nb\"\n");
    }

    #[test]
    fn crlf() {
        let o = EmitOptions {
            eol: "\r\n",
            ..opts()
        };
        let v = json!({"a": [{"b": "x\ny\n"}, "on"], "c": {"d": 1}});
        assert_eq!(
            emit_document(&v, &o),
            "a:\r\n- b: |\r\n    x\r\n    y\r\n- \"on\"\r\nc:\r\n  d: 1\r\n"
        );
        assert_eq!(emit_seq_items(&[json!("z")], 0, 2, &o), "- z\r\n");
    }

    #[test]
    fn scalars_and_empties() {
        let o = opts();
        assert_eq!(emit_document(&json!(null), &o), "null\n");
        assert_eq!(emit_document(&json!({}), &o), "{}\n");
        assert_eq!(emit_document(&json!([]), &o), "[]\n");
        assert_eq!(emit_document(&json!("on"), &o), "\"on\"\n");
        assert_eq!(emit_document(&json!(true), &o), "true\n");
        assert_eq!(
            emit_document(
                &json!([1.0, 2.5, -0.0, 1e20, 1.5e-7, -3, 18446744073709551615u64]),
                &o
            ),
            "- 1.0\n- 2.5\n- -0.0\n- 1.0e+20\n- 1.5e-7\n- -3\n- 18446744073709551615\n"
        );
        assert_eq!(
            emit_document(&json!([[], {}, [[]], [{"a": []}]]), &o),
            "- []\n- {}\n- - []\n- - a: []\n"
        );
        assert_eq!(
            emit_document(&json!({"": "", "a b": "c: d", "- x": {"true": "1"}}), &o),
            "\"\": \"\"\na b: 'c: d'\n'- x':\n  \"true\": \"1\"\n"
        );
    }

    #[test]
    fn long_keys_are_explicit() {
        let key = "k".repeat(1200);
        let doc = emit_document(&json!({ key.clone(): ["a"], "b": "c" }), &opts());
        assert_eq!(doc, format!("? {key}\n:\n- a\nb: c\n"));
        let doc = emit_map_entry(&key, &json!("v"), 2, &opts());
        assert_eq!(doc, format!("  ? {key}\n  : v\n"));
    }

    /// Every string of the scalar tables, and some multi-line ones, reads back unchanged.
    #[test]
    fn strings_round_trip() {
        let mut all: Vec<String> = crate::yaml::scalar::tests::all_test_strings();
        all.extend(
            [
                "a\nb",
                "a\nb\n",
                "a\nb\n\n",
                "\na",
                "\n\na\n\n",
                " a\n b",
                "a\n\tb",
                "a \nb",
                "#x\n- y\n",
                "x\n\u{85}",
                "\n",
                "\n\n",
                "a\n ",
                "---\n...\n",
                "é\n😀\n",
            ]
            .map(String::from),
        );
        for s in &all {
            let doc = emit_document(&json!({ "k": s }), &opts());
            assert_eq!(&read_back_k(&doc), s, "emitted as {doc:?}");
        }
    }
}
