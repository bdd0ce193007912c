//! `diff`: what injection would change, as a unified diff (exit 1 when something would change).
//!
//! One `---`/`+++` header per file and one hunk group per changed document; line numbers are the
//! file's, and each hunk header names the document and its resources, so the output reads like
//! `git diff` and applies with `git apply` / `patch -p1`.

use std::io::Write;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use similar::{ChangeTag, TextDiff};

use crate::app::{self, Loaded};
use crate::cli::{ColorChoice, DiffArgs};
use crate::input::Source;
use crate::pipeline::DocRef;

pub const EXIT_DIFFERENT: u8 = 1;

/// The diff of one source, as plain text (no colour); empty when nothing changes.
///
/// The whole file is compared (so hunks keep their context across document boundaries and apply
/// with `git apply`), and each hunk is labelled with the documents and resources it touches.
pub fn source_diff(
    src: &Source,
    refs: &[DocRef],
    texts: &[Option<String>],
    resources: &[Vec<String>],
    context: usize,
) -> Vec<DiffLine> {
    let mut out = Vec::new();
    if texts.iter().all(Option::is_none) {
        return out;
    }
    // Secrets are compared with their values masked, as `kubectl diff` does.
    let mut old = String::with_capacity(src.text.len());
    let mut new = String::with_capacity(src.text.len() + 1024);
    for (d, t) in refs.iter().zip(texts) {
        let before = &src.text[d.range.clone()];
        let after = t.as_deref().unwrap_or(before);
        if crate::pipeline::is_secret_text(before) || crate::pipeline::is_secret_text(after) {
            old.push_str(&crate::render::mask_secret(before));
            new.push_str(&crate::render::mask_secret(after));
        } else {
            old.push_str(before);
            new.push_str(after);
        }
    }
    if new == old {
        return out;
    }
    let old = old.as_str();
    let name = src.name.trim_start_matches('/');
    out.push(DiffLine::Header(format!("--- a/{name}")));
    out.push(DiffLine::Header(format!("+++ b/{name}")));
    // 0-based line where each document starts in the old text.
    let starts: Vec<usize> = refs.iter().map(|d| d.line - 1).collect();
    let doc_at = |line: usize| starts.iter().rposition(|&s| s <= line).unwrap_or(0);
    let diff = TextDiff::from_lines(old, new.as_str());
    for hunk in diff.unified_diff().context_radius(context).iter_hunks() {
        let ops = hunk.ops();
        let (Some(first), Some(last)) = (ops.first(), ops.last()) else {
            continue;
        };
        let old_start = first.old_range().start;
        let old_len = last.old_range().end - old_start;
        let new_start = first.new_range().start;
        let new_len = last.new_range().end - new_start;
        // Label with the documents whose lines change.
        let mut docs: Vec<usize> = Vec::new();
        for op in ops {
            if op.tag() == similar::DiffTag::Equal {
                continue;
            }
            let r = op.old_range();
            let line = if r.is_empty() {
                r.start.saturating_sub(1)
            } else {
                r.start
            };
            let di = doc_at(line);
            if !docs.contains(&di) {
                docs.push(di);
            }
        }
        let label: Vec<String> = docs
            .iter()
            .map(|&di| match resources.get(di).filter(|r| !r.is_empty()) {
                Some(r) => format!("document {} {}", di + 1, r.join(", ")),
                None => format!("document {}", di + 1),
            })
            .collect();
        out.push(DiffLine::Hunk(format!(
            "@@ -{} +{} @@ {}",
            range(old_start + 1, old_len),
            range(new_start + 1, new_len),
            label.join("; ")
        )));
        for change in hunk.iter_changes() {
            let text = change.value().trim_end_matches('\n').to_string();
            let missing_newline = change.missing_newline();
            out.push(match change.tag() {
                ChangeTag::Delete => DiffLine::Delete(text),
                ChangeTag::Insert => DiffLine::Insert(text),
                ChangeTag::Equal => DiffLine::Context(text),
            });
            if missing_newline {
                out.push(DiffLine::NoNewline);
            }
        }
    }
    out
}

fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{},0", start.saturating_sub(1)),
        1 => format!("{start}"),
        n => format!("{start},{n}"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    Header(String),
    Hunk(String),
    Context(String),
    Delete(String),
    Insert(String),
    NoNewline,
}

impl DiffLine {
    fn render(&self) -> (Style, String) {
        let (style, text) = match self {
            DiffLine::Header(t) => (Style::new().bold(), t.clone()),
            DiffLine::Hunk(t) => (AnsiColor::Cyan.on_default(), t.clone()),
            DiffLine::Context(t) => (Style::new(), format!(" {t}")),
            DiffLine::Delete(t) => (AnsiColor::Red.on_default(), format!("-{t}")),
            DiffLine::Insert(t) => (AnsiColor::Green.on_default(), format!("+{t}")),
            DiffLine::NoNewline => (Style::new(), "\\ No newline at end of file".to_string()),
        };
        (style, text)
    }
}

fn stream_choice(c: ColorChoice) -> anstream::ColorChoice {
    match c {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    }
}

/// Resource names per document, from the plans of the changed workloads.
fn resources(loaded: &Loaded, rendered: &app::Rendered) -> Vec<Vec<Vec<String>>> {
    loaded
        .docs
        .iter()
        .enumerate()
        .map(|(si, refs)| {
            refs.iter()
                .map(|d| {
                    rendered
                        .resources
                        .get(&(si, d.index))
                        .cloned()
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect()
}

pub fn run(args: &DiffArgs) -> ExitCode {
    let color = app::use_color(args.input.color);
    let mut loaded = match app::load(&args.input, false, false) {
        Ok(l) => l,
        Err(e) => return app::fail(&e, color),
    };
    let rendered = match app::process(&mut loaded, &args.input, args.normalize) {
        Ok(r) => r,
        Err(e) => return app::fail(&e, color),
    };
    let names = resources(&loaded, &rendered);
    let mut out =
        anstream::AutoStream::new(std::io::stdout().lock(), stream_choice(args.input.color));
    let mut changed = false;
    for (si, src) in loaded.sources.iter().enumerate() {
        let lines = source_diff(src, &loaded.docs[si], &rendered.texts[si], &names[si], 3);
        changed |= !lines.is_empty();
        for line in lines {
            let (style, text) = line.render();
            if writeln!(out, "{style}{text}{style:#}").is_err() {
                break;
            }
        }
    }
    let _ = out.flush();
    let mut err = std::io::stderr().lock();
    for w in &rendered.warnings {
        let _ = writeln!(err, "{}", w.short());
    }
    ExitCode::from(if changed {
        EXIT_DIFFERENT
    } else {
        app::EXIT_OK
    })
}
