//! Splitting a manifest file into documents, without parsing them.
//!
//! A line that starts with `---` (followed by white space or the end of the line) always starts a
//! new YAML document, and a line that starts with `...` always ends one: the YAML spec forbids
//! both at column 0 inside any scalar. So the stream can be cut into documents by looking at line
//! starts only, which lets every document be parsed, edited and written on its own, and lets
//! untouched documents be copied byte for byte.
//!
//! A file whose first non-blank character is `{` or `[` is read as a stream of JSON values instead.

use std::ops::Range;

/// How the documents of a file are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

/// One document of a file: its bytes (separator line included) and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Byte range in the file text (after the BOM).
    pub range: Range<usize>,
    /// 1-based line of the first byte of the chunk.
    pub line: usize,
}

/// The UTF-8 byte order mark.
pub const BOM: &str = "\u{feff}";

/// Strips a leading UTF-8 BOM. Returns the rest and whether there was one.
pub fn strip_bom(text: &str) -> (&str, bool) {
    match text.strip_prefix(BOM) {
        Some(rest) => (rest, true),
        None => (text, false),
    }
}

/// Guesses the format: JSON when the first non-blank character is `{` or `[` and no line is a
/// `---` document marker. JSON documents separated by `---` lines are a YAML stream (JSON is
/// YAML), and kubectl reads them as one; no JSON text has a line that starts with `---`.
pub fn detect_format(text: &str) -> Format {
    match text.trim_start().as_bytes().first() {
        Some(b'{') | Some(b'[') if !has_start_marker_line(text) => Format::Json,
        _ => Format::Yaml,
    }
}

/// True when a line of `text` (after the first) is a `---` document start marker.
fn has_start_marker_line(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"\n---").any(|i| is_marker_line(&bytes[i + 1..], b"---"))
}

fn is_marker_line(line: &[u8], marker: &[u8; 3]) -> bool {
    line.starts_with(marker)
        && matches!(
            line.get(3),
            None | Some(b' ') | Some(b'\t') | Some(b'\r') | Some(b'\n')
        )
}

/// True for a `---` document start marker line (or a line that starts with one, like `--- |`).
pub fn is_start_marker(line: &str) -> bool {
    is_marker_line(line.as_bytes(), b"---")
}

/// True for a `...` document end marker line.
pub fn is_end_marker(line: &str) -> bool {
    is_marker_line(line.as_bytes(), b"...")
}

/// Cuts a YAML stream into chunks. Every byte of `text` belongs to exactly one chunk, in order, so
/// concatenating the chunks gives the text back. A chunk starts at a `---` line (or at the start of
/// the text) and ends before the next `---` line or after a `...` line.
///
/// Only lines that start with `-`, `.` or `%` can cut, so the scan jumps from one to the next
/// (found with memchr's substring search) and counts the line breaks between cuts, instead of
/// visiting every line: a line at a time was most of the main thread's work on a large stream.
/// While a directive waits for its `---`, every line is looked at (content cancels it).
pub fn split_yaml(text: &str) -> Vec<Chunk> {
    let bytes = text.as_bytes();
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1usize;
    let mut pos = 0usize;
    let mut lines = LineCount::default();
    let mut marked = MarkedLines::new(bytes);
    // `%YAML` / `%TAG` directives belong to the document their `---` starts.
    let mut directives: Option<(usize, usize)> = None;
    while pos < bytes.len() {
        if directives.is_none() {
            // No other line changes anything here.
            match marked.next_at_or_after(pos) {
                Some(p) => pos = p,
                None => break,
            }
        }
        let end = memchr_newline(bytes, pos).map_or(bytes.len(), |i| i + 1);
        let line = &bytes[pos..end];
        if line.starts_with(b"%YAML") || line.starts_with(b"%TAG") {
            directives.get_or_insert((pos, lines.at(bytes, pos)));
        } else if is_marker_line(line, b"---") {
            let (cut, cut_line) = directives
                .take()
                .unwrap_or_else(|| (pos, lines.at(bytes, pos)));
            if cut > start {
                chunks.push(Chunk {
                    range: start..cut,
                    line: start_line,
                });
                start = cut;
                start_line = cut_line;
            }
        } else if directives.is_some()
            && !line.starts_with(b"#")
            && !line.iter().all(u8::is_ascii_whitespace)
        {
            // Content after a directive: it was not the document's.
            directives = None;
        }
        if is_marker_line(line, b"...") {
            chunks.push(Chunk {
                range: start..end,
                line: start_line,
            });
            start = end;
            start_line = lines.at(bytes, pos) + 1;
        }
        pos = end;
    }
    if start < bytes.len() || chunks.is_empty() {
        chunks.push(Chunk {
            range: start..bytes.len(),
            line: start_line,
        });
    }
    chunks
}

/// The 1-based line of increasing offsets, counting the line breaks since the last one asked.
#[derive(Default)]
struct LineCount {
    pos: usize,
    line: usize,
}

impl LineCount {
    fn at(&mut self, bytes: &[u8], pos: usize) -> usize {
        debug_assert!(pos >= self.pos);
        self.line += memchr::memchr_iter(b'\n', &bytes[self.pos..pos]).count();
        self.pos = pos;
        self.line + 1
    }
}

/// The starts of the lines that begin with `-`, `.` or `%`, in order. Each byte is searched for
/// once: the next match of each is kept until the scan passes it.
struct MarkedLines<'a> {
    bytes: &'a [u8],
    finders: [memchr::memmem::Finder<'static>; 3],
    /// For `\n-`, `\n.`, `\n%`: the next line start found at or after the last position asked
    /// (`usize::MAX`: none left).
    next: [usize; 3],
}

const MARKED: [&[u8; 2]; 3] = [b"\n-", b"\n.", b"\n%"];

impl<'a> MarkedLines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        MarkedLines {
            bytes,
            finders: MARKED.map(memchr::memmem::Finder::new),
            next: [0; 3],
        }
    }

    /// The first marked line start at or after `pos`, a line start.
    fn next_at_or_after(&mut self, pos: usize) -> Option<usize> {
        if pos == 0 && matches!(self.bytes.first(), Some(b'-' | b'.' | b'%')) {
            return Some(0);
        }
        for (next, finder) in self.next.iter_mut().zip(&self.finders) {
            if *next < pos.max(1) {
                // A match at `i` is the line start `i + 1`; search from the `\n` before `pos`.
                let from = pos.saturating_sub(1);
                *next = finder
                    .find(&self.bytes[from..])
                    .map_or(usize::MAX, |i| from + i + 1);
            }
        }
        self.next.iter().copied().min().filter(|&n| n != usize::MAX)
    }
}

fn memchr_newline(bytes: &[u8], from: usize) -> Option<usize> {
    memchr::memchr(b'\n', &bytes[from..]).map(|i| from + i)
}

/// True when a YAML chunk holds no content: only blank lines, comments, directives and markers.
pub fn is_blank_yaml(chunk: &str) -> bool {
    chunk.lines().all(|line| {
        let t = line.trim();
        t.is_empty()
            || t.starts_with('#')
            || t == "---"
            || t == "..."
            || t.starts_with("--- #")
            // A directive, at the start of its line as the splitter reads it.
            || line.starts_with("%YAML")
            || line.starts_with("%TAG")
    })
}

/// The lines of a text with their `\n`, as `split_inclusive('\n')` cuts them, found with memchr
/// (the standard splitter was a tenth of `diff`'s samples, and most of the header scan's).
pub fn lines(text: &str) -> Lines<'_> {
    Lines { rest: text }
}

#[derive(Clone)]
pub struct Lines<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', self.rest.as_bytes()).map_or(self.rest.len(), |i| i + 1);
        let (line, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(line)
    }
}

impl DoubleEndedIterator for Lines<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let (_, body) = self.rest.as_bytes().split_last()?;
        // The last line starts after the last line break before the text's last byte.
        let start = memchr::memrchr(b'\n', body).map_or(0, |i| i + 1);
        let (rest, line) = self.rest.split_at(start);
        self.rest = rest;
        Some(line)
    }
}

/// Line ending style of a text: CRLF when its first line ends with `\r\n`.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// 1-based line and column of a byte offset (column counted in characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `lines` cuts as `split_inclusive('\n')` does, from either end and from both at once.
    #[test]
    fn lines_cut_as_split_inclusive() {
        for text in [
            "", "\n", "\n\n", "a", "a\n", "a\nb", "a\r\nb\n", "\na\n\nb", "é\nü",
        ] {
            let want: Vec<&str> = text.split_inclusive('\n').collect();
            assert_eq!(lines(text).collect::<Vec<_>>(), want, "{text:?}");
            let mut back: Vec<&str> = lines(text).rev().collect();
            back.reverse();
            assert_eq!(back, want, "{text:?} from the end");
            let mut it = lines(text);
            let (mut front, mut rear) = (Vec::new(), Vec::new());
            while let Some(l) = it.next() {
                front.push(l);
                if let Some(l) = it.next_back() {
                    rear.insert(0, l);
                }
            }
            front.extend(rear);
            assert_eq!(front, want, "{text:?} from both ends");
        }
    }

    /// The splitter as it was: every line looked at. The oracle of the one that jumps.
    fn split_line_by_line(text: &str) -> Vec<Chunk> {
        let bytes = text.as_bytes();
        let mut chunks = Vec::new();
        let (mut start, mut start_line, mut pos, mut line_no) = (0, 1, 0, 1);
        let mut directives: Option<(usize, usize)> = None;
        while pos < bytes.len() {
            let end = memchr_newline(bytes, pos).map_or(bytes.len(), |i| i + 1);
            let line = &bytes[pos..end];
            if line.starts_with(b"%YAML") || line.starts_with(b"%TAG") {
                directives.get_or_insert((pos, line_no));
            } else if is_marker_line(line, b"---") {
                let (cut, cut_line) = directives.take().unwrap_or((pos, line_no));
                if cut > start {
                    chunks.push(Chunk {
                        range: start..cut,
                        line: start_line,
                    });
                    (start, start_line) = (cut, cut_line);
                }
            } else if directives.is_some()
                && !line.starts_with(b"#")
                && !line.iter().all(u8::is_ascii_whitespace)
            {
                directives = None;
            }
            if is_marker_line(line, b"...") {
                chunks.push(Chunk {
                    range: start..end,
                    line: start_line,
                });
                (start, start_line) = (end, line_no + 1);
            }
            pos = end;
            line_no += 1;
        }
        if start < bytes.len() || chunks.is_empty() {
            chunks.push(Chunk {
                range: start..bytes.len(),
                line: start_line,
            });
        }
        chunks
    }

    /// Random streams of the lines that matter (markers, directives, comments, content, blank,
    /// CRLF, no final line break), and every file of the corpus: both splitters cut the same.
    #[test]
    fn jumping_cuts_as_looking_at_every_line() {
        let parts = [
            "---\n",
            "--- # c\n",
            "--- |\n",
            "---x\n",
            "...\n",
            "... # e\n",
            "....\n",
            "%YAML 1.2\n",
            "%TAG ! x\n",
            "%x\n",
            "# c\n",
            "\n",
            "  \n",
            "a: 1\n",
            "- b\n",
            "-\n",
            ".x\n",
            "  ---\n",
            "---\r\n",
            "...\r\n",
            "c: d\r\n",
            "---",
            "...",
            "e",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..20_000 {
            let len = next(12);
            let text: String = (0..len).map(|_| parts[next(parts.len())]).collect();
            assert_eq!(split_yaml(&text), split_line_by_line(&text), "{text:?}");
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = 0;
        for dir in ["testdata", "fuzz/corpus"] {
            for e in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
                if let Ok(t) = std::fs::read_to_string(e.path()) {
                    files += 1;
                    assert_eq!(
                        split_yaml(&t),
                        split_line_by_line(&t),
                        "{}",
                        e.path().display()
                    );
                }
            }
        }
        assert!(files > 300, "the corpus is missing: {files} files");
    }

    fn pieces(text: &str) -> Vec<&str> {
        split_yaml(text)
            .into_iter()
            .map(|c| &text[c.range])
            .collect()
    }

    #[test]
    fn splits_on_markers_and_keeps_every_byte() {
        let text = "# lead\n---\na: 1\n--- # two\nb: 2\n...\n---\nc: 3";
        let p = pieces(text);
        assert_eq!(
            p,
            vec![
                "# lead\n",
                "---\na: 1\n",
                "--- # two\nb: 2\n...\n",
                "---\nc: 3"
            ]
        );
        assert_eq!(p.concat(), text);
        let lines: Vec<usize> = split_yaml(text).iter().map(|c| c.line).collect();
        assert_eq!(lines, vec![1, 2, 4, 7]);
    }

    #[test]
    fn no_marker_is_one_document() {
        assert_eq!(pieces("a: 1\n"), vec!["a: 1\n"]);
        assert_eq!(pieces(""), vec![""]);
    }

    #[test]
    fn dashes_inside_content_do_not_split() {
        let text = "a: ---x\nb: |\n  ----\n  --- not at column 0\n";
        assert_eq!(pieces(text).len(), 1);
    }

    #[test]
    fn crlf_markers() {
        let text = "a: 1\r\n---\r\nb: 2\r\n";
        assert_eq!(pieces(text), vec!["a: 1\r\n", "---\r\nb: 2\r\n"]);
        assert_eq!(line_ending(text), "\r\n");
    }

    #[test]
    fn json_documents_between_markers_are_a_yaml_stream() {
        assert_eq!(detect_format("{\"a\": 1}\n{\"b\": 2}\n"), Format::Json);
        assert_eq!(detect_format("  [1,\n2]"), Format::Json);
        assert_eq!(detect_format("{\"a\": 1}\n---\n{\"b\": 2}\n"), Format::Yaml);
        assert_eq!(
            detect_format("{\"a\": 1}\r\n--- # b\r\n{}\r\n"),
            Format::Yaml
        );
        // Only a whole marker counts.
        assert_eq!(detect_format("{\"a\":\n---1}\n"), Format::Json);
    }

    #[test]
    fn blank_detection() {
        assert!(is_blank_yaml("---\n# only a comment\n\n"));
        // Directives are no content either: `--normalize` wrote `null` after the `...` of such a
        // document, which no reader accepts.
        assert!(is_blank_yaml("%YAML 1.2\n---\n#: 1\n...\n"));
        assert!(!is_blank_yaml("%YAML 1.2\n---\na: 1\n"));
        assert!(!is_blank_yaml("---\na: 1\n"));
    }

    #[test]
    fn line_col_counts_characters() {
        let t = "ab\nçd: x\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 5), (2, 2));
    }
}
