//! Diagnostics: located messages with a help line, rendered with miette (snippet underlined).

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

/// A message about the input, located as precisely as known.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
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

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
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

    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
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

    /// The one-line form: `error: file:1:2 (document 1): deployment/x: message`.
    pub fn short(&self) -> String {
        let mut s = format!("{}: ", self.severity.as_str());
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

    /// Full rendering with the snippet underlined, for people.
    pub fn render(&self, color: bool) -> String {
        let src = self.snippet.as_ref().map(|s| Named {
            name: self.file.clone().unwrap_or_else(|| "<input>".into()),
            text: s.text.clone(),
            first_line: s.first_line,
        });
        let view = WithSource { d: self, src };
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        let handler = miette::GraphicalReportHandler::new_themed(theme)
            .with_context_lines(1)
            .with_wrap_lines(false);
        let mut out = String::new();
        if handler.render_report(&mut out, &view).is_err() {
            return self.short();
        }
        out
    }
}

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
        let d = self.0;
        if let Some(r) = &d.resource {
            write!(f, "{r}: ")?;
        }
        f.write_str(&d.message)?;
        if d.snippet.is_none() {
            if let Some(loc) = d.location() {
                write!(f, "\n  at {loc}")?;
            }
        } else if let Some(doc) = d.document {
            write!(f, " (document {doc})")?;
        }
        Ok(())
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
        let inner =
            self.text
                .as_ref()
                .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
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
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.d.code))
    }
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
