//! Diagnostics: located messages with a help line and a typed code, rendered as
//! `error[code]: message` (so that `grep -i error` finds them, as with rustc and kubectl) with
//! the snippet underlined by miette.

use std::fmt;
use std::sync::Arc;

use crate::engine::Severity;

/// A source snippet for rendering: the file's text and the byte range to underline.
#[derive(Debug, Clone)]
pub struct Snippet {
    pub text: Arc<str>,
    pub start: usize,
    pub len: usize,
    /// Lines of the input before `text` (a window of a large stream), for line numbers.
    pub first_line: usize,
}

/// What kind of problem a diagnostic is: the `[code]` of its first line, and what callers branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// Reading or writing a file or stream.
    Io,
    /// The command line.
    Usage,
    /// The KubeOpenCodeConfig.
    Config,
    /// Not UTF-8, or a NUL byte.
    Encoding,
    /// Over a size, depth or node limit.
    Limit,
    YamlSyntax,
    JsonSyntax,
    /// The input holds no documents.
    EmptyInput,
    /// A bug of this tool, caught before it could write anything.
    Internal,
    /// An engine note, by its stable id (`user-otel-var`, …).
    Note(&'static str),
    /// A finding of `check` or `validate`.
    Rule(crate::lint::Rule),
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "io",
            Code::Usage => "usage",
            Code::Config => "config",
            Code::Encoding => "encoding",
            Code::Limit => "limit",
            Code::YamlSyntax => "yaml-syntax",
            Code::JsonSyntax => "json-syntax",
            Code::EmptyInput => "empty-input",
            Code::Internal => "internal",
            Code::Note(id) => id,
            Code::Rule(r) => r.id(),
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message about the input, located as precisely as known.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub help: Option<String>,
    pub file: Option<String>,
    /// 1-based document index within the file.
    pub document: Option<usize>,
    /// 1-based line and column.
    pub line: Option<usize>,
    pub col: Option<usize>,
    /// Resource the message is about (`deployment/ns/name`).
    pub resource: Option<String>,
    /// Dotted field path.
    pub field: Option<String>,
    pub snippet: Option<Snippet>,
}

/// A diagnostic of a lint rule (a finding of `check`), resolved to its place.
pub struct Located {
    pub(crate) rule: crate::lint::Rule,
    pub(crate) diag: Diagnostic,
}

impl Located {
    pub(crate) fn new(rule: crate::lint::Rule, diag: Diagnostic) -> Self {
        Located { rule, diag }
    }
}

impl Diagnostic {
    pub fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            help: None,
            file: None,
            document: None,
            line: None,
            col: None,
            resource: None,
            field: None,
            snippet: None,
        }
    }

    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn at(mut self, file: &str, document: Option<usize>, line: usize, col: usize) -> Self {
        self.file = Some(file.to_string());
        self.document = document;
        self.line = Some(line);
        self.col = Some(col);
        self
    }

    pub fn with_snippet(mut self, text: Arc<str>, start: usize, len: usize) -> Self {
        self.snippet = Some(Snippet {
            text,
            start,
            len,
            first_line: 0,
        });
        self
    }

    /// Numbers the snippet's lines from `first_line + 1` (the snippet is a window of the input).
    pub fn with_first_line(mut self, first_line: usize) -> Self {
        if let Some(s) = &mut self.snippet {
            s.first_line = first_line;
        }
        self
    }

    /// `file:line:col (document N)` as far as known.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        let mut s = file.clone();
        if let (Some(l), Some(c)) = (self.line, self.col) {
            s.push_str(&format!(":{l}:{c}"));
        }
        if let Some(d) = self.document {
            s.push_str(&format!(" (document {d})"));
        }
        Some(s)
    }

    /// `error[code]`, coloured when asked.
    fn head(&self, color: bool) -> String {
        let word = format!("{}[{}]", self.severity.as_str(), self.code);
        if !color {
            return word;
        }
        let style = match self.severity {
            Severity::Error => anstyle::AnsiColor::Red.on_default().bold(),
            Severity::Warning => anstyle::AnsiColor::Yellow.on_default().bold(),
            Severity::Info => anstyle::AnsiColor::Cyan.on_default().bold(),
        };
        format!("{style}{word}{style:#}")
    }

    /// The one-line form: `warning[code]: file:1:2 (document 1): deployment/x: message`.
    pub fn short(&self) -> String {
        let mut s = format!("{}: ", self.head(false));
        if let Some(loc) = self.location() {
            s.push_str(&loc);
            s.push_str(": ");
        }
        if let Some(r) = &self.resource {
            s.push_str(r);
            s.push_str(": ");
        }
        s.push_str(&self.message);
        s
    }

    /// Full rendering for people: `error[code]: message`, then the snippet underlined (or the
    /// location), then the help.
    pub fn render(&self, color: bool) -> String {
        self.render_drawn(color, !color)
    }

    /// [`Diagnostic::render`], the snippet drawn by [`Diagnostic::plain_snippet`] where it can
    /// when `plain` (no colour), else by miette.
    fn render_drawn(&self, color: bool, plain: bool) -> String {
        let mut out = format!("{}: ", self.head(color));
        if let Some(r) = &self.resource {
            out.push_str(r);
            out.push_str(": ");
        }
        out.push_str(&self.message);
        let Some(snippet) = &self.snippet else {
            out.push('\n');
            if let Some(loc) = self.location() {
                out.push_str(&format!("  at {loc}\n"));
            }
            if let Some(h) = &self.help {
                out.push_str(&format!("  help: {h}\n"));
            }
            return out;
        };
        if let Some(doc) = self.document {
            out.push_str(&format!(" (document {doc})"));
        }
        out.push('\n');
        if plain && self.plain_snippet(snippet, &mut out) {
            return out;
        }
        let src = Named {
            name: self.file.clone().unwrap_or_else(|| "<input>".into()),
            text: snippet.text.clone(),
            first_line: snippet.first_line,
        };
        let view = WithSource {
            d: self,
            src: Some(src),
        };
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        let handler = miette::GraphicalReportHandler::new_themed(theme)
            .with_context_lines(1)
            .with_wrap_lines(false);
        let mut body = String::new();
        if handler.render_report(&mut body, &view).is_err() {
            return self.short() + "\n";
        }
        // miette's own message line (the marker) is replaced by the line written above.
        let mut lines = body.split_inclusive('\n');
        for l in lines.by_ref() {
            if l.contains(MARKER) {
                break;
            }
        }
        out.extend(lines);
        out
    }
}

impl Diagnostic {
    /// The snippet and help as miette draws them without colour, written here for the common
    /// case: a span on one line of printable ASCII between printable ASCII neighbours, a label
    /// and help of one line. Anything else is left to miette (false, nothing written): miette
    /// took 45,000 instructions a finding, a fifth of `check`. The unit test below compares the
    /// two on random snippets.
    fn plain_snippet(&self, s: &Snippet, out: &mut String) -> bool {
        let text = s.text.as_bytes();
        let (start, end) = (s.start, s.start + s.len);
        let label = self.field.as_deref().unwrap_or("here");
        if end > text.len() || label.contains('\n') {
            return false;
        }
        if let Some(h) = &self.help
            && (h.contains('\n') || h.trim().is_empty())
        {
            return false;
        }
        let line_start = memchr::memrchr(b'\n', &text[..start]).map_or(0, |i| i + 1);
        let line_end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |i| start + i);
        // An empty span is left to miette (its context is not always the lines around it), and
        // so is an empty last line (miette draws none).
        if s.len == 0 || end > line_end || line_start == text.len() {
            return false;
        }
        let before = (line_start > 0)
            .then(|| memchr::memrchr(b'\n', &text[..line_start - 1]).map_or(0, |i| i + 1));
        let after = (line_end + 1 < text.len()).then(|| {
            let from = line_end + 1;
            memchr::memchr(b'\n', &text[from..]).map_or(text.len(), |i| from + i)
        });
        let from = before.unwrap_or(line_start);
        let to = after.unwrap_or(line_end);
        if !text[from..to]
            .iter()
            .all(|&b| b == b'\n' || (b' '..=b'~').contains(&b))
        {
            return false;
        }
        let number = s.first_line + line_breaks(&text[..line_start]) + 1;
        let last = number + usize::from(after.is_some());
        let width = last.to_string().len();
        let pad = |out: &mut String, n: usize| out.extend(std::iter::repeat_n(' ', n));
        let line = |out: &mut String, n: usize, range: std::ops::Range<usize>| {
            out.push(' ');
            let n = n.to_string();
            pad(out, width - n.len());
            out.push_str(&n);
            out.push_str(" │ ");
            out.push_str(&s.text[range]);
            out.push('\n');
        };
        let name = self.file.as_deref().unwrap_or("<input>");
        pad(out, width + 2);
        out.push_str("╭─[");
        out.push_str(name);
        out.push(':');
        out.push_str(&number.to_string());
        out.push(':');
        out.push_str(&(start - line_start + 1).to_string());
        out.push_str("]\n");
        if let Some(b) = before {
            line(out, number - 1, b..line_start - 1);
        }
        line(out, number, line_start..line_end);
        // The underline: from the span's first column to its last, a mark in the middle.
        let first = start - line_start;
        let last_col = end - line_start;
        let mark = (first + last_col) / 2;
        let gutter = |out: &mut String| {
            out.push(' ');
            pad(out, width);
            out.push_str(" · ");
        };
        gutter(out);
        pad(out, first);
        out.extend(std::iter::repeat_n('─', mark - first));
        out.push('┬');
        out.extend(std::iter::repeat_n('─', last_col - mark - 1));
        out.push('\n');
        gutter(out);
        pad(out, mark);
        out.push_str("╰── ");
        out.push_str(label);
        out.push('\n');
        if let Some(a) = after {
            line(out, number + 1, line_end + 1..a);
        }
        pad(out, width + 2);
        out.push_str("╰────\n");
        if let Some(h) = &self.help {
            out.push_str("  help: ");
            out.push_str(h);
            out.push('\n');
        }
        true
    }
}

/// What miette is given as the message, to find its line and drop it.
const MARKER: &str = "\u{1}kubeopencode-inject-message\u{1}";

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

impl std::error::Error for Diagnostic {}

struct MietteView<'a>(&'a Diagnostic);

impl fmt::Debug for MietteView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for MietteView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MARKER)
    }
}

impl std::error::Error for MietteView<'_> {}

/// Source text named after the file, with lines numbered from the file's start.
struct Named {
    name: String,
    text: Arc<str>,
    first_line: usize,
}

impl miette::SourceCode for Named {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        // miette reads a `str` byte by byte from its start to the span: give it only the lines
        // around the span (the context it asks for, and one more line on each side to spare),
        // from a line start, and count the line breaks before them here as it counts them. That
        // read was a twelfth of `check`'s instructions (a finding per workload of a 1 KB
        // document). The unit test below compares it with the whole text's reading.
        let text: &str = self.text.as_ref();
        let (from, to) = span_lines(
            text,
            span.offset(),
            span.offset() + span.len(),
            context_lines_before + 1,
            context_lines_after + 1,
        );
        let skipped = line_breaks(&text.as_bytes()[..from]);
        let local = miette::SourceSpan::new((span.offset() - from).into(), span.len());
        let inner = text[from..to].read_span(&local, context_lines_before, context_lines_after)?;
        let at = miette::SourceSpan::new((inner.span().offset() + from).into(), inner.span().len());
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            at,
            inner.line() + skipped + self.first_line,
            inner.column(),
            inner.line_count() + skipped,
        )))
    }
}

/// The byte range of the whole lines from `before` lines above the one holding `start` to `after`
/// lines below the one holding `end` (clamped to the text).
fn span_lines(text: &str, start: usize, end: usize, before: usize, after: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let start = start.min(b.len());
    let mut from = memchr::memrchr(b'\n', &b[..start]).map_or(0, |i| i + 1);
    for _ in 0..before {
        if from == 0 {
            break;
        }
        from = memchr::memrchr(b'\n', &b[..from - 1]).map_or(0, |i| i + 1);
    }
    // After the line break that ends the span's last line and `after` more.
    let mut to = end.clamp(start, b.len());
    for _ in 0..=after {
        to = memchr::memchr(b'\n', &b[to..]).map_or(b.len(), |i| to + i + 1);
    }
    (from, to)
}

/// Line breaks as miette counts them: `\n`, `\r\n` and a lone `\r`.
fn line_breaks(b: &[u8]) -> usize {
    let lf = memchr::memchr_iter(b'\n', b).count();
    let lone_cr = memchr::memchr_iter(b'\r', b)
        .filter(|&i| b.get(i + 1) != Some(&b'\n'))
        .count();
    lf + lone_cr
}

struct WithSource<'a> {
    d: &'a Diagnostic,
    src: Option<Named>,
}

impl fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.d, f)
    }
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&MietteView(self.d), f)
    }
}

impl std::error::Error for WithSource<'_> {}

impl miette::Diagnostic for WithSource<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let s = self.d.snippet.as_ref()?;
        Some(Box::new(std::iter::once(miette::LabeledSpan::new(
            Some(self.d.field.clone().unwrap_or_else(|| "here".into())),
            s.start,
            s.len,
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miette::SourceCode;
    use proptest::prelude::*;

    /// What a read gives: its bytes, span, first line, column and line count.
    type Read = (String, usize, usize, usize, usize, usize);

    /// Reads `span` (offset, length) with one line of context, as the renderer asks; `lines` is
    /// added to the line number.
    fn read(source: &dyn SourceCode, span: (usize, usize), lines: usize) -> Option<Read> {
        let s = source
            .read_span(&miette::SourceSpan::new(span.0.into(), span.1), 1, 1)
            .ok()?;
        Some((
            String::from_utf8_lossy(s.data()).into_owned(),
            s.span().offset(),
            s.span().len(),
            s.line() + lines,
            s.column(),
            s.line_count(),
        ))
    }

    /// What miette reads from the whole text, for comparing with the lines `Named` gives it.
    fn whole(text: &str, span: (usize, usize), first_line: usize) -> Option<Read> {
        read(&text, span, first_line)
    }

    fn named(text: &str, span: (usize, usize), first_line: usize) -> Option<Read> {
        let n = Named {
            name: "f".into(),
            text: text.into(),
            first_line,
        };
        read(&n, span, 0)
    }

    /// A diagnostic with a snippet of `text` at `span`, the fields that reach the drawing set.
    fn snippet_diag(
        text: &str,
        span: (usize, usize),
        first_line: usize,
        label: Option<&str>,
        help: Option<&str>,
    ) -> Diagnostic {
        let mut d = Diagnostic::error(Code::YamlSyntax, "m")
            .at("dir/f.yaml", Some(2), 1, 1)
            .with_snippet(text.into(), span.0, span.1)
            .with_first_line(first_line);
        d.field = label.map(String::from);
        d.help = help.map(String::from);
        d
    }

    #[test]
    fn the_plain_drawing_of_a_finding_is_miettes() {
        let text = "kind: Pod\nmetadata:\n  name: task-000001-pod\n  namespace: team-1\n";
        let d = snippet_diag(
            text,
            (20, 1),
            15,
            Some("metadata"),
            Some("include the Task"),
        );
        let mut plain = String::new();
        assert!(d.plain_snippet(d.snippet.as_ref().unwrap(), &mut plain));
        assert_eq!(d.render(false), d.render_drawn(false, false));
        assert!(d.render(false).ends_with(&plain), "{plain}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]
        /// Where the plain drawing applies it writes what miette writes, for any text of lines
        /// (tabs, CR, non-ASCII and blank lines make it give way), span, label and help; and it
        /// applies to most snippets of plain lines.
        #[test]
        fn the_plain_drawing_is_miettes(
            lines in proptest::collection::vec(prop_oneof![
                12 => "[a-c :#-]{0,9}\n",
                1 => "[a-c :#-]{0,9}",
                1 => "[a-c\té~\x7f]{0,3}(\n|\r\n|\r)?",
            ], 0..14),
            at in 0usize..1000,
            len in prop_oneof![3 => 0usize..4, 1 => 0usize..12],
            first_line in prop_oneof![0usize..3, 95usize..120],
            label in proptest::option::of(prop_oneof![9 => "[a-z.\\[\\]0-9]{0,10}", 1 => "a\nb"]),
            help in proptest::option::of(prop_oneof![9 => "[a-z `]{1,12}", 1 => "a\nb|"]),
        ) {
            let text: String = lines.concat();
            let start = text.len() * at / 1000;
            let start = (0..=start).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            let end = (start..=(start + len).min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(start);
            let d = snippet_diag(&text, (start, end - start), first_line, label.as_deref(), help.as_deref());
            prop_assert_eq!(d.render(false), d.render_drawn(false, false));
        }
    }

    /// The property above is not vacuous: on plain lines the plain drawing is what renders.
    #[test]
    fn the_plain_drawing_applies_to_plain_lines() {
        let text = "a: 1\nbb: 2\n\nccc: [3]\nd: 4";
        let mut drawn = 0;
        let mut all = 0;
        for start in 0..text.len() {
            for len in 1..=3.min(text.len() - start) {
                let d = snippet_diag(text, (start, len), 0, Some("x"), None);
                all += 1;
                let mut out = String::new();
                if d.plain_snippet(d.snippet.as_ref().unwrap(), &mut out) {
                    drawn += 1;
                    assert_eq!(
                        d.render(false),
                        d.render_drawn(false, false),
                        "{start} {len}"
                    );
                }
            }
        }
        assert!(drawn * 2 > all, "{drawn} of {all}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// The lines around a span read as the whole text reads: the same bytes, span, line,
        /// column and line count, for any text of lines (LF, CRLF, a lone CR, blank, non-ASCII)
        /// and span.
        #[test]
        fn a_span_reads_as_in_the_whole_text(
            lines in proptest::collection::vec("[a-c é:#]{0,6}(\n|\r\n|\r)?", 0..12),
            start in 0usize..80,
            len in 0usize..30,
            first_line in 0usize..3,
        ) {
            let text: String = lines.concat();
            let start = (0..=start.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            let end = (start..=(start + len).min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(start);
            let span = (start, end - start);
            prop_assert_eq!(named(&text, span, first_line), whole(&text, span, first_line));
        }
    }
}
