//! `diff`: what injection would change, as a unified diff (exit 1 when something would change).
//!
//! One `---`/`+++` header per file and one hunk group per changed document; line numbers are the
//! file's, and each hunk header names the document and its resources, so the output reads like
//! `git diff` and applies with `git apply` / `patch -p1`.

use std::borrow::Cow;
use std::io::Write;

use anstyle::{AnsiColor, Style};
use similar::{DiffOp, group_diff_ops};

use crate::diag::Diagnostic;
use crate::input::Source;
use crate::pipe::Output;
use crate::pipeline::{DocHook, DocRef, Prepared, SourceRendered};
use crate::report::io_error;
use crate::yaml::stream::lines;

/// One document of a run being diffed: its old text and, when it differs, its new text (Secrets
/// masked) and its label.
struct DocPair {
    old: String,
    /// None when the new text is the old one (most documents: no second copy, no second mask).
    changed: Option<String>,
    number: usize,
    resources: Vec<String>,
    /// Its lines and diff, when made where the document was rendered ([`DiffOutput`]'s hook).
    cut: Option<Cut>,
}

/// A document pair cut into lines and, when changed, diffed: the lines as their end offsets, so
/// that the cut can be made on the worker that rendered the document and travel with its pair.
/// (`Clone` only for `Cow`: a cut is borrowed or made, never copied.)
#[derive(Clone)]
struct Cut {
    old: Vec<usize>,
    changed: Option<(Vec<usize>, Vec<DiffOp>)>,
}

impl Cut {
    fn of(d: &DocPair) -> Cut {
        // Lines as this module cuts them (at `\n` only), so that the ops index the run's lines
        // (similar's own line split also breaks at a lone `\r`).
        let old = cut_lines(&d.old);
        let changed = d.changed.as_deref().map(|new| {
            let new = cut_lines(new);
            let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new);
            (ends(&new), ops)
        });
        Cut {
            old: ends(&old),
            changed,
        }
    }
}

/// The end offset of each line.
fn ends(lines: &[&str]) -> Vec<usize> {
    let mut at = 0;
    lines
        .iter()
        .map(|l| {
            at += l.len();
            at
        })
        .collect()
}

impl DocPair {
    fn new(old: String, new: Option<String>, number: usize, resources: Vec<String>) -> Self {
        DocPair {
            changed: new.filter(|n| *n != old),
            old,
            number,
            resources,
            cut: None,
        }
    }

    fn new_text(&self) -> &str {
        self.changed.as_deref().unwrap_or(&self.old)
    }

    /// Lines the old and new text share at their start and at their end (every line of an
    /// unchanged document counts for both): the equal runs a diff of the document starts and ends
    /// with.
    fn shared_ends(&self) -> (usize, usize) {
        let Some(new) = &self.changed else {
            let n = line_count(&self.old);
            return (n, n);
        };
        let (old, new_lines) = (lines(&self.old), lines(new));
        let lead = old
            .clone()
            .zip(new_lines.clone())
            .take_while(|(a, b)| a == b)
            .count();
        let shorter = line_count(&self.old).min(line_count(new));
        let trail = old
            .rev()
            .zip(new_lines.rev())
            .take(shorter - lead)
            .take_while(|(a, b)| a == b)
            .count();
        (lead, trail)
    }

    /// The next document appended (it shares this one's last line).
    fn append(&mut self, next: DocPair) {
        let new = (self.changed.is_some() || next.changed.is_some()).then(|| {
            let mut n = self.new_text().to_string();
            n.push_str(next.new_text());
            n
        });
        self.old.push_str(&next.old);
        self.changed = new.filter(|n| *n != self.old);
        self.resources.extend(next.resources);
        // Cut again as one run of lines.
        self.cut = None;
    }
}

/// The lines of a text, the last one counted when it has no line break.
fn line_count(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count()
        + usize::from(!text.is_empty() && !text.ends_with('\n'))
}

fn doc_pair(before: &str, after: Option<&str>, number: usize, resources: Vec<String>) -> DocPair {
    // Secrets are compared with their values masked, as `kubectl diff` does.
    let secret = crate::pipeline::is_secret_text(before)
        || after.is_some_and(crate::pipeline::is_secret_text);
    let text = |t: &str| {
        if secret {
            crate::render::mask_secret(t)
        } else {
            t.to_string()
        }
    };
    DocPair::new(text(before), after.map(text), number, resources)
}

/// Appends an equal run, merged with the previous one (hunks are cut on the length of whole equal
/// runs).
fn push_equal(ops: &mut Vec<DiffOp>, old_index: usize, new_index: usize, len: usize) {
    if len == 0 {
        return;
    }
    if let Some(DiffOp::Equal { len: prev, .. }) = ops.last_mut() {
        *prev += len;
        return;
    }
    ops.push(DiffOp::Equal {
        old_index,
        new_index,
        len,
    });
}

fn shifted(op: DiffOp, o: usize, n: usize) -> DiffOp {
    match op {
        DiffOp::Equal {
            old_index,
            new_index,
            len,
        } => DiffOp::Equal {
            old_index: old_index + o,
            new_index: new_index + n,
            len,
        },
        DiffOp::Delete {
            old_index,
            old_len,
            new_index,
        } => DiffOp::Delete {
            old_index: old_index + o,
            old_len,
            new_index: new_index + n,
        },
        DiffOp::Insert {
            old_index,
            new_index,
            new_len,
        } => DiffOp::Insert {
            old_index: old_index + o,
            new_index: new_index + n,
            new_len,
        },
        DiffOp::Replace {
            old_index,
            old_len,
            new_index,
            new_len,
        } => DiffOp::Replace {
            old_index: old_index + o,
            old_len,
            new_index: new_index + n,
            new_len,
        },
    }
}

/// The diff of a run of consecutive documents of a file, whose first lines are the old file's
/// line `old_line + 1` and the new file's `new_line + 1`. `header` is emitted before the first hunk
/// (and then taken).
///
/// Each document is compared with its new text alone (a document's lines never move to another
/// document), and the changes are grouped into hunks as a unified diff of the whole run would be.
fn run_diff(
    docs: &[DocPair],
    (old_line, new_line): (usize, usize),
    context: usize,
    header: &mut Option<[String; 2]>,
    out: &mut Lines,
) {
    if docs.iter().all(|d| d.changed.is_none()) {
        return;
    }
    if let Some(h) = header.take() {
        for h in h {
            out.line(Kind::Header, &h);
        }
    }
    // 0-based line (in the run's old text) where each document starts.
    let mut starts = Vec::with_capacity(docs.len());
    let mut ops: Vec<DiffOp> = Vec::new();
    // Each document is cut into lines, and each changed one diffed alone, where it was rendered
    // (`Prepare`); one that was not (or that was joined to the next: `DocPair::append`) is cut
    // here, on every core. The runs are then joined in order.
    let bytes = docs
        .iter()
        .filter(|d| d.cut.is_none())
        .map(|d| d.old.len())
        .sum();
    let cuts = crate::par::map(docs, bytes, |d| {
        d.cut
            .as_ref()
            .map_or_else(|| Cow::Owned(Cut::of(d)), Cow::Borrowed)
    });
    // The run's lines are read where a hunk needs them (a few lines around each change), from
    // each document's cut: collecting every line of the run first was most of this function.
    let mut old_lines = RunLines::default();
    let mut new_lines = RunLines::default();
    for (d, cut) in docs.iter().zip(&cuts) {
        let (o, n) = (old_lines.len, new_lines.len);
        starts.push(o);
        old_lines.push(&d.old, &cut.old);
        let Some((new, doc_ops)) = &cut.changed else {
            new_lines.push(&d.old, &cut.old);
            push_equal(&mut ops, o, n, cut.old.len());
            continue;
        };
        new_lines.push(d.new_text(), new);
        for &op in doc_ops {
            match shifted(op, o, n) {
                DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                } => push_equal(&mut ops, old_index, new_index, len),
                op => ops.push(op),
            }
        }
    }
    let doc_at = |line: usize| starts.partition_point(|&s| s <= line).saturating_sub(1);
    // One buffer for every hunk's header and labels (a header allocated and grown per hunk was a
    // tenth of the writing thread's work), and the output sized for the changed documents.
    let mut labels: Vec<usize> = Vec::new();
    let mut hunk = String::with_capacity(256);
    out.out.reserve(
        docs.iter()
            .filter_map(|d| d.changed.as_ref())
            .map(String::len)
            .sum(),
    );
    for group in group_diff_ops(ops, context) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_start = first.old_range().start;
        let old_len = last.old_range().end - old_start;
        let new_start = first.new_range().start;
        let new_len = last.new_range().end - new_start;
        // Label with the documents whose lines change.
        labels.clear();
        for op in &group {
            if op.tag() == similar::DiffTag::Equal {
                continue;
            }
            let r = op.old_range();
            let at = if r.is_empty() {
                r.start.saturating_sub(1)
            } else {
                r.start
            };
            let di = doc_at(at);
            if !labels.contains(&di) {
                labels.push(di);
            }
        }
        // Written piece by piece: `format!` was an eighth of the writing thread's work.
        hunk.clear();
        hunk.push_str("@@ -");
        push_range(&mut hunk, old_line + old_start + 1, old_len);
        hunk.push_str(" +");
        push_range(&mut hunk, new_line + new_start + 1, new_len);
        hunk.push_str(" @@ ");
        for (k, &di) in labels.iter().enumerate() {
            let d = &docs[di];
            if k > 0 {
                hunk.push_str("; ");
            }
            hunk.push_str("document ");
            push_number(&mut hunk, d.number);
            for (j, r) in d.resources.iter().enumerate() {
                hunk.push_str(if j == 0 { " " } else { ", " });
                hunk.push_str(r);
            }
        }
        out.line(Kind::Hunk, &hunk);
        for op in &group {
            let (tag, old, new) = op.as_tag_tuple();
            if tag == similar::DiffTag::Equal {
                out.text_lines(Kind::Context, old_lines.range(old));
            } else {
                out.text_lines(Kind::Delete, old_lines.range(old));
                out.text_lines(Kind::Insert, new_lines.range(new));
            }
        }
    }
}

/// The lines of a text with their `\n`, as [`lines`] cuts them, into a vector sized once (the
/// line breaks counted first: growing it a push at a time was a tenth of the cut; finding the
/// breaks with one `memchr_iter`, or eight bytes at a time, cost more than a `memchr` per line).
fn cut_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::with_capacity(line_count(text));
    out.extend(lines(text));
    out
}

/// The lines of a run of documents, numbered across the run, read from each document's line
/// ends.
#[derive(Default)]
struct RunLines<'a> {
    /// Each document's text, line ends and first line in the run.
    docs: Vec<(&'a str, &'a [usize], usize)>,
    len: usize,
}

impl<'a> RunLines<'a> {
    fn push(&mut self, text: &'a str, ends: &'a [usize]) {
        self.docs.push((text, ends, self.len));
        self.len += ends.len();
    }

    /// Line `i` of the run.
    fn get(&self, i: usize) -> &'a str {
        let k = self.docs.partition_point(|&(_, _, first)| first <= i) - 1;
        let (text, ends, first) = self.docs[k];
        let local = i - first;
        let start = if local == 0 { 0 } else { ends[local - 1] };
        &text[start..ends[local]]
    }

    fn range(&self, r: std::ops::Range<usize>) -> impl Iterator<Item = &'a str> + '_ {
        r.map(|i| self.get(i))
    }
}

/// What a line of a diff is: its style and the prefix of its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Header,
    Hunk,
    Context,
    Delete,
    Insert,
    NoNewline,
}

impl Kind {
    fn parts(self) -> (Style, &'static str) {
        match self {
            Kind::Header => (Style::new().bold(), ""),
            Kind::Hunk => (AnsiColor::Cyan.on_default(), ""),
            Kind::Context => (Style::new(), " "),
            Kind::Delete => (AnsiColor::Red.on_default(), "-"),
            Kind::Insert => (AnsiColor::Green.on_default(), "+"),
            Kind::NoNewline => (Style::new(), ""),
        }
    }
}

/// Diff lines written out as bytes, styled (ANSI escapes) when asked: a `String` per line, kept
/// until the thread that writes wrote it, was a third of that thread's work.
struct Lines {
    out: Vec<u8>,
    color: bool,
}

impl Lines {
    fn new(color: bool) -> Self {
        Lines {
            out: Vec::new(),
            color,
        }
    }

    /// One line: its prefix, `text` and a line break.
    fn line(&mut self, kind: Kind, text: &str) {
        let (style, prefix) = kind.parts();
        if style == Style::new() || !self.color {
            self.out.extend_from_slice(prefix.as_bytes());
            self.out.extend_from_slice(text.as_bytes());
            self.out.push(b'\n');
        } else {
            // Writing to a Vec does not fail.
            let _ = writeln!(self.out, "{style}{prefix}{text}{style:#}");
        }
    }

    /// Lines of a text as diff lines of one kind (each cut with its line break, which is not
    /// written; `\ No newline at end of file` after one without).
    fn text_lines<'a>(&mut self, kind: Kind, lines: impl Iterator<Item = &'a str>) {
        for t in lines {
            match t.strip_suffix('\n') {
                Some(text) => self.line(kind, text),
                None => {
                    self.line(kind, t);
                    self.line(Kind::NoNewline, "\\ No newline at end of file");
                }
            }
        }
    }
}

/// Diffs a file as its windows arrive, holding only the documents since the last place where the
/// diff of the whole file is known to break between hunks: a document boundary with more than
/// `context` unchanged lines on each side (the end of one document, the start of the next, changed
/// or not) separates hunks on its two sides, each keeping its full context. The result is the diff
/// of the whole file, in memory that follows the distance between such places (usually one or two
/// documents, even when every document changes).
pub struct FileDiff {
    context: usize,
    /// Write the lines' styles (ANSI escapes).
    color: bool,
    header: Option<[String; 2]>,
    pending: Vec<DocPair>,
    /// Lines of the old and new file before `pending`.
    lines: (usize, usize),
}

impl FileDiff {
    pub fn new(name: &str, context: usize, color: bool) -> Self {
        let name = name.trim_start_matches('/');
        FileDiff {
            context,
            color,
            header: Some([format!("--- a/{name}"), format!("+++ b/{name}")]),
            pending: Vec::new(),
            lines: (0, 0),
        }
    }

    /// Adds documents (old text, new text or None when unchanged, number, resources), not cut;
    /// returns the diff lines that are now final, as the bytes to write.
    #[cfg(test)]
    fn add<'a>(
        &mut self,
        docs: impl IntoIterator<Item = (&'a str, Option<&'a str>, usize, Vec<String>)>,
    ) -> Vec<u8> {
        let pairs = docs
            .into_iter()
            .map(|(before, after, number, resources)| doc_pair(before, after, number, resources))
            .collect();
        self.add_pairs(pairs)
    }

    /// [`FileDiff::add`] for documents paired (and maybe cut) already.
    fn add_pairs(&mut self, pairs: Vec<DocPair>) -> Vec<u8> {
        for pair in pairs {
            // A document without a final newline shares its last line with the next one (a
            // concatenated JSON stream): they are one run of lines in the file, diffed together,
            // so that `\ No newline at end of file` is only ever written at the file's end.
            match self.pending.last_mut() {
                Some(last) if !last.old.ends_with('\n') || !last.new_text().ends_with('\n') => {
                    last.append(pair);
                }
                _ => self.pending.push(pair),
            }
        }
        // The whole file's diff breaks between two documents when the lines they share around
        // their boundary give each side more than its context: the last change before it and the
        // first after it are then in different hunks, each with its full context on its own side.
        let context = self.context;
        let cut = (1..self.pending.len()).rev().find(|&i| {
            self.pending[i - 1].shared_ends().1 > context
                && self.pending[i].shared_ends().0 > context
        });
        let mut out = Lines::new(self.color);
        if let Some(cut) = cut {
            let rest = self.pending.split_off(cut);
            let done = std::mem::replace(&mut self.pending, rest);
            self.flush(&done, &mut out);
        }
        out.out
    }

    /// The diff lines of the documents still held (at the end of the file).
    pub fn finish(&mut self) -> Vec<u8> {
        let done = std::mem::take(&mut self.pending);
        let mut out = Lines::new(self.color);
        self.flush(&done, &mut out);
        out.out
    }

    /// True when some hunk was produced.
    pub fn changed(&self) -> bool {
        self.header.is_none()
    }

    fn flush(&mut self, docs: &[DocPair], out: &mut Lines) {
        run_diff(docs, self.lines, self.context, &mut self.header, out);
        for d in docs {
            // Counted from the cut where there is one.
            let (old, new) = match &d.cut {
                Some(c) => (
                    c.old.len(),
                    c.changed.as_ref().map_or(c.old.len(), |(new, _)| new.len()),
                ),
                None => (line_count(&d.old), line_count(d.new_text())),
            };
            self.lines.0 += old;
            self.lines.1 += new;
        }
    }
}

/// A hunk header's range: `start,len`, `start` for one line, `start-1,0` for none.
fn push_range(out: &mut String, start: usize, len: usize) {
    match len {
        0 => {
            push_number(out, start.saturating_sub(1));
            out.push_str(",0");
        }
        1 => push_number(out, start),
        n => {
            push_number(out, start);
            out.push(',');
            push_number(out, n);
        }
    }
}

/// A number in decimal.
fn push_number(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

/// Writes the diff of each file as its windows are rendered.
pub struct DiffOutput<W> {
    out: W,
    /// Write the lines' styles (ANSI escapes).
    color: bool,
    file: Option<FileDiff>,
    /// True once some file has a hunk.
    pub changed: bool,
}

impl<W: Write> DiffOutput<W> {
    pub fn new(out: W, color: bool) -> Self {
        DiffOutput {
            out,
            color,
            file: None,
            changed: false,
        }
    }
}

impl<W: Write> DiffOutput<W> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.out.write_all(bytes).map_err(io_error)
    }
}

/// `diff`'s work on the worker that rendered a window: each document copied (and masked), cut
/// into lines and, when changed, diffed there, on every core (on the thread that writes, that
/// was half of its work, and cores busy rendering the next window could not help it).
struct Prepare;

impl DocHook for Prepare {
    fn document(
        &self,
        _src: &Source,
        _d: &DocRef,
        _workload: Option<(crate::pipeline::Parsed, Vec<crate::engine::WorkloadPlan>)>,
    ) -> Vec<(crate::diag::Located, String)> {
        Vec::new()
    }

    fn rendered(&self, src: &Source, refs: &[DocRef], r: &SourceRendered) -> Option<Prepared> {
        Some(Box::new(pair_window(src, refs, r)))
    }
}

/// The documents of a rendered window paired (copied, masked) and cut, on every core.
fn pair_window(src: &Source, refs: &[DocRef], r: &SourceRendered) -> Vec<DocPair> {
    let resources: std::collections::HashMap<usize, &Vec<String>> =
        r.resources.iter().map(|(i, v)| (*i, v)).collect();
    let docs: Vec<(&DocRef, Option<&str>)> = refs
        .iter()
        .zip(&r.texts)
        .map(|(d, t)| (d, t.as_deref()))
        .collect();
    crate::par::map(&docs, src.text.len(), |&(d, t)| {
        let resources = resources
            .get(&d.index)
            .map_or_else(Vec::new, |v| (*v).clone());
        let mut pair = doc_pair(&src.text[d.range.clone()], t, d.number, resources);
        pair.cut = Some(Cut::of(&pair));
        pair
    })
}

impl<W: Write> Output for DiffOutput<W> {
    fn hook(&mut self) -> Option<Box<dyn DocHook>> {
        Some(Box::new(Prepare))
    }

    fn start_input(
        &mut self,
        _index: usize,
        _count: usize,
        _src: &Source,
    ) -> Result<(), Diagnostic> {
        self.file = None;
        Ok(())
    }

    fn window(
        &mut self,
        src: &Source,
        refs: &[DocRef],
        r: &mut SourceRendered,
    ) -> Result<(), Diagnostic> {
        let file = self
            .file
            .get_or_insert_with(|| FileDiff::new(&src.name, CONTEXT, self.color));
        // Paired where it was rendered (`Prepare`); a window rendered without the hook is
        // paired here, the same way.
        let pairs = match r.prepared.take().map(|p| p.downcast::<Vec<DocPair>>()) {
            Some(Ok(pairs)) => *pairs,
            _ => pair_window(src, refs, r),
        };
        let lines = file.add_pairs(pairs);
        self.write(&lines)
    }

    fn end_input(&mut self) -> Result<(), Diagnostic> {
        if let Some(mut file) = self.file.take() {
            let lines = file.finish();
            self.changed |= file.changed();
            self.write(&lines)?;
        }
        Ok(())
    }
}

/// Lines of context around each change.
const CONTEXT: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Lines are cut as the line iterator cuts them.
        #[test]
        fn cut_lines_is_lines(text in "[\n\r\x0b\ta é]{0,40}") {
            prop_assert_eq!(cut_lines(&text), lines(&text).collect::<Vec<_>>());
        }
    }

    /// The hunk header's numbers as `format!` writes them.
    #[test]
    fn ranges_are_written_as_format_writes_them() {
        let mut n = 1usize;
        let mut numbers = vec![0, 1, 9, 10, 99, 100, usize::MAX];
        while n < usize::MAX / 7 {
            numbers.push(n);
            n = n * 7 + 3;
        }
        for &start in &numbers {
            for len in [0, 1, 2, 10, start] {
                let want = match len {
                    0 => format!("{},0", start.saturating_sub(1)),
                    1 => format!("{start}"),
                    n => format!("{start},{n}"),
                };
                let mut got = String::new();
                push_range(&mut got, start, len);
                assert_eq!(got, want);
            }
        }
    }

    /// A document of `n` lines; `edit` changes one of them, adds one, or removes one.
    fn doc(i: usize, n: usize, edit: u8) -> (String, Option<String>) {
        let lines: Vec<String> = (0..n).map(|l| format!("d{i} line {l}\n")).collect();
        let old: String = lines.concat();
        let mut new = lines.clone();
        match edit {
            1 => new[n / 2] = format!("d{i} changed\n"),
            2 => new.insert(n / 2, format!("d{i} added\n")),
            3 if n > 1 => {
                new.remove(n - 1);
            }
            _ => return (old, None),
        }
        (old, Some(new.concat()))
    }

    proptest! {
        /// Fed a document at a time, the diff is the diff of the whole file at once.
        #[test]
        fn incremental_diff_is_the_whole_file_diff(
            spec in prop::collection::vec((1usize..9, 0u8..4), 1..40),
            context in 0usize..4,
            color: bool,
        ) {
            let docs: Vec<(String, Option<String>)> =
                spec.iter().enumerate().map(|(i, &(n, e))| doc(i, n, e)).collect();
            let mut whole = Lines::new(color);
            let pairs: Vec<DocPair> = docs
                .iter()
                .enumerate()
                .map(|(i, (o, n))| doc_pair(o, n.as_deref(), i + 1, vec![]))
                .collect();
            let mut header = Some(["--- a/f".to_string(), "+++ b/f".to_string()]);
            run_diff(&pairs, (0, 0), context, &mut header, &mut whole);
            let whole = whole.out;

            let mut file = FileDiff::new("f", context, color);
            let mut pieces = Vec::new();
            for (i, (o, n)) in docs.iter().enumerate() {
                pieces.extend(file.add([(o.as_str(), n.as_deref(), i + 1, vec![])]));
            }
            pieces.extend(file.finish());
            prop_assert_eq!(&pieces, &whole);

            // Cut where rendered (the hook's way), a few documents at a time.
            let mut file = FileDiff::new("f", context, color);
            let mut prepared = Vec::new();
            for (k, batch) in docs.chunks(3).enumerate() {
                let pairs = batch
                    .iter()
                    .enumerate()
                    .map(|(j, (o, n))| {
                        let mut pair = doc_pair(o, n.as_deref(), k * 3 + j + 1, vec![]);
                        pair.cut = Some(Cut::of(&pair));
                        pair
                    })
                    .collect();
                prepared.extend(file.add_pairs(pairs));
            }
            prepared.extend(file.finish());
            prop_assert_eq!(prepared, whole);
        }
    }
}
