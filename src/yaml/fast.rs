//! A fast path for the block-style YAML that Kubernetes manifests use.
//!
//! [`parse`] reads a strict subset of YAML line by line, without a token stream, and builds the
//! same tree as [`super::tree::parse_full`] (the libyaml reader), node for node and span for
//! span. Anything outside the subset, anything that would be an error, and anything it is not
//! sure about makes it return `None`, and the caller falls back to the full parser. The full
//! parser stays the definition: the spans below follow the conventions `parse_full` documents,
//! and `tests/fast_parse.rs` checks the two against each other on every test file and on many
//! mutations of them.
//!
//! The subset:
//! - an optional first line `---` (alone or followed by a comment), an optional `...` line
//!   followed by nothing but comments, blank lines, comment lines and comments after values;
//! - block mappings with single-line plain or quoted keys, block sequences (indented or not under
//!   their key), compact forms (`- key: value`, `- - x`);
//! - plain scalars (continued on more indented lines), single-line quoted scalars (with YAML's
//!   double-quote escapes), empty values;
//! - literal and folded block scalars (`|`, `>`, with chomping and indentation indicators);
//! - flow sequences and mappings on one line (`["sh", "-c"]`, `{memory: 4Gi}`, `[{port: 80}]`);
//! - LF or CRLF line ends, any UTF-8 text except a BOM, control characters and tabs.
//!
//! Not in it (so `None`): anchors, aliases, tags, directives, `?` keys, multi-line quoted
//! scalars, multi-line flow collections, flow collections as keys, implicit pairs in flow
//! sequences (`[a: b]`), trailing commas, duplicate keys, nesting deeper than
//! `limits.max_depth` (or [`MAX_DEPTH`]), tabs, an empty document ending with `...`.
//!
//! Recursion is bounded by the nesting depth ([`MAX_DEPTH`] at most), every loop consumes input,
//! and no work is quadratic in a line's length, so hostile input returns quickly.

use std::collections::HashSet;

use super::node::{Document, Kind, Limits, Node, Pos, Style};

/// Deepest nesting of collections the fast path handles (deeper documents go to the full parser,
/// which has its own limit). Bounds the recursion.
pub const MAX_DEPTH: usize = 100;

/// Longest key, in bytes. The full parser does not accept implicit keys longer than 1024
/// characters; staying well under that keeps the two in agreement.
const MAX_KEY_BYTES: usize = 1000;

/// Parses the block-style subset of YAML that Kubernetes manifests use, or returns None when the
/// text has anything outside it (the caller then uses the full parser).
pub fn parse(text: &str, limits: &Limits) -> Option<Document> {
    let mut p = Fast {
        text,
        b: text.as_bytes(),
        ascii: true,
        refused: false,
        in_place: true,
        max_depth: limits.max_depth.min(MAX_DEPTH),
        ls: 0,
        le: 0,
        ln: 0,
        line: 1,
        ind: 0,
        limit: text.len(),
        col_cache: (usize::MAX, 0, 0),
    };
    let mut doc = p.document()?;
    // Every line was read on the way to the end of the document.
    if p.refused {
        return None;
    }
    doc.in_place = Some(p.in_place && doc.root.is_some());
    Some(doc)
}

/// Flags (high bit of the byte) the bytes of `w` (little-endian) below 0x20 or at least 0x7f.
/// Bytes after such a byte may be flagged too, but the lowest flagged byte is always one: borrows
/// and carries only run upwards, out of flagged bytes.
fn special_bytes(w: u64) -> u64 {
    const SPACES: u64 = 0x2020_2020_2020_2020;
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    ((w.wrapping_sub(SPACES) & !w) | w | w.wrapping_add(ONES)) & HIGH
}

/// Whether a non-ASCII character starting at `i` is one the fast path refuses: U+FEFF (a BOM
/// inside the text), U+0080..U+009F (C1 controls, NEL), U+2028 and U+2029.
fn refused_non_ascii(b: &[u8], i: usize) -> bool {
    let next = b.get(i + 1).copied();
    let next2 = b.get(i + 2).copied();
    matches!(
        (b[i], next, next2),
        (0xEF, Some(0xBB), Some(0xBF))
            | (0xC2, Some(0x80..=0x9F), _)
            | (0xE2, Some(0x80), Some(0xA8 | 0xA9))
    )
}

/// How a plain scalar in block context ends.
enum Stop {
    /// At the end of the line.
    Eol,
    /// At a comment (` #`).
    Comment,
    /// At a `:` followed by a space or the end of the line (a mapping key): the colon's offset.
    Colon(usize),
}

enum Chomp {
    Clip,
    Strip,
    Keep,
}

struct Fast<'a> {
    text: &'a str,
    b: &'a [u8],
    /// Whether the current line is ASCII.
    ascii: bool,
    /// Set when a line read so far has a character the fast path refuses: a tab, a control
    /// character other than LF or the CR of a CRLF, and those of [`refused_non_ascii`].
    refused: bool,
    /// Whether the tree read so far reads in place ([`super::tree::reads_in_place`]): cleared
    /// by a plain key that is not a string as written, or a plain value that is not finite.
    in_place: bool,
    max_depth: usize,
    /// Current line: start, end of its content (before `\r\n` or `\n`), start of the next line.
    ls: usize,
    le: usize,
    ln: usize,
    /// 1-based number of the current line.
    line: usize,
    /// Leading spaces of the current line.
    ind: usize,
    /// Where the document ends: the end of the text, or the start of a `...` line.
    limit: usize,
    /// For non-ASCII text: (line start, offset, characters from line start to offset).
    col_cache: (usize, usize, usize),
}

fn scalar(pos: Pos, value: String, style: Style) -> Node {
    Node {
        pos,
        anchor: 0,
        kind: Kind::Scalar {
            value,
            style,
            tag: None,
        },
    }
}

/// True when a plain scalar may start at `i` (in block or flow context).
fn plain_start(b: &[u8], i: usize, le: usize, flow: bool) -> bool {
    match b[i] {
        b' ' | b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!'
        | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' => false,
        b'-' => {
            i + 1 < le && {
                let n = b[i + 1];
                n != b' ' && !(flow && matches!(n, b',' | b'[' | b']' | b'{' | b'}'))
            }
        }
        _ => true,
    }
}

/// Scans a single-line plain scalar in block context starting at `i` (a valid start): returns the
/// end of its text (trailing spaces excluded) and how it ends.
fn scan_plain_block(b: &[u8], i: usize, le: usize) -> (usize, Stop) {
    let mut j = i;
    loop {
        j = find2(b, j, le, b':', b'#');
        if j >= le {
            return (trim_spaces_end(b, i, le), Stop::Eol);
        }
        if b[j] == b':' {
            if j + 1 == le || b[j + 1] == b' ' {
                return (trim_spaces_end(b, i, j), Stop::Colon(j));
            }
        } else if j > i && b[j - 1] == b' ' {
            return (trim_spaces_end(b, i, j), Stop::Comment);
        }
        j += 1;
    }
}

/// The end of `b[i..j]` without its trailing spaces.
fn trim_spaces_end(b: &[u8], i: usize, mut j: usize) -> usize {
    while j > i && b[j - 1] == b' ' {
        j -= 1;
    }
    j
}

/// The first offset in `i..end` holding `x` or `y`, or `end`.
fn find2(b: &[u8], mut i: usize, end: usize, x: u8, y: u8) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let (px, py) = (ONES * u64::from(x), ONES * u64::from(y));
    while i + 8 <= end {
        let Some(chunk) = b.get(i..i + 8) else {
            break;
        };
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let (a, c) = (w ^ px, w ^ py);
        // A zero byte in `a` or `c`; the lowest flagged byte is exact.
        let z = ((a.wrapping_sub(ONES) & !a) | (c.wrapping_sub(ONES) & !c)) & HIGH;
        if z != 0 {
            return i + (z.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < end && b[i] != x && b[i] != y {
        i += 1;
    }
    i
}

/// Scans a plain scalar in a single-line flow collection: returns the end of its text, or None
/// when a comment or the end of the line comes first.
fn scan_plain_flow(b: &[u8], i: usize, le: usize) -> Option<usize> {
    let mut j = i;
    let mut last = i;
    while j < le {
        match b[j] {
            b' ' => {}
            b',' | b'[' | b']' | b'{' | b'}' => return Some(last),
            b'#' if b[j - 1] == b' ' => return None,
            b':' if j + 1 == le || b[j + 1] == b' ' => return Some(last),
            // libyaml (and so go-yaml) refuses `:` before a flow indicator or `?` inside a flow
            // collection ("found unexpected ':'"): the full parser says so, with its place.
            b':' if matches!(b[j + 1], b',' | b'?' | b'[' | b']' | b'{' | b'}') => return None,
            _ => last = j + 1,
        }
        j += 1;
    }
    None
}

fn skip_spaces(b: &[u8], mut i: usize, le: usize) -> usize {
    while i < le && b[i] == b' ' {
        i += 1;
    }
    i
}

fn hex_value(b: &[u8], i: usize, n: usize, le: usize) -> Option<char> {
    if i + n > le {
        return None;
    }
    let mut v = 0u32;
    for &c in &b[i..i + n] {
        v = (v << 4) | (c as char).to_digit(16)?;
    }
    char::from_u32(v)
}

/// The text of a plain scalar.
fn plain_text(n: &Node) -> Option<&str> {
    match &n.kind {
        Kind::Scalar {
            value,
            style: Style::Plain,
            ..
        } => Some(value),
        _ => None,
    }
}

fn key_str(n: &Node) -> &str {
    match &n.kind {
        Kind::Scalar { value, .. } => value,
        _ => "",
    }
}

/// True when two keys of a mapping have the same value (the full parser rejects that).
fn has_duplicate_keys(entries: &[(Node, Node)]) -> bool {
    let key = key_str;
    if entries.len() <= 16 {
        for (i, (a, _)) in entries.iter().enumerate() {
            let a = key(a);
            if entries[..i].iter().any(|(b, _)| key(b) == a) {
                return true;
            }
        }
        false
    } else {
        let mut seen = HashSet::with_capacity(entries.len());
        !entries.iter().all(|(k, _)| seen.insert(key(k)))
    }
}

impl<'a> Fast<'a> {
    /// Makes the line starting at `start` the current line.
    /// Makes the line starting at `start` the current line, and checks its characters.
    fn load(&mut self, start: usize) {
        let b = self.b;
        self.ls = start;
        self.ascii = true;
        let mut i = start;
        let (le, ln) = loop {
            // Eight printable ASCII characters at a time.
            while let Some(chunk) = b.get(i..i + 8) {
                let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
                let special = special_bytes(w);
                if special != 0 {
                    i += (special.trailing_zeros() / 8) as usize;
                    break;
                }
                i += 8;
            }
            let Some(&c) = b.get(i) else {
                break (b.len(), b.len());
            };
            match c {
                0x20..=0x7e => {}
                b'\n' => break (i, i + 1),
                b'\r' if b.get(i + 1) == Some(&b'\n') => break (i, i + 2),
                0x80.. => {
                    self.ascii = false;
                    if refused_non_ascii(b, i) {
                        self.refused = true;
                    }
                }
                _ => self.refused = true,
            }
            i += 1;
        };
        self.le = le;
        self.ln = ln;
        self.ind = skip_spaces(b, start, le) - start;
    }

    fn advance(&mut self) {
        self.line += 1;
        self.load(self.ln);
    }

    fn eof(&self) -> bool {
        self.ls >= self.limit
    }

    /// Skips blank lines and comment lines. Fails on a document marker line.
    fn skip_insignificant(&mut self) -> Option<()> {
        while !self.eof() {
            let i = self.ls + self.ind;
            if i == self.le || self.b[i] == b'#' {
                self.advance();
                continue;
            }
            if self.ind == 0 && self.b[i..].starts_with(b"...") {
                return self.end_marker();
            }
            if self.ind == 0 && self.b[i..].starts_with(b"---") {
                return None;
            }
            break;
        }
        Some(())
    }

    /// At a line starting with `...`: a document end marker, followed by nothing but blank lines
    /// and comments, ends the document (the text is cut there).
    fn end_marker(&mut self) -> Option<()> {
        let b = self.b;
        let i = skip_spaces(b, self.ls + 3, self.le);
        if i < self.le && (b[i] != b'#' || i == self.ls + 3) {
            return None;
        }
        let cut = self.ls;
        let line = self.line;
        self.advance();
        while !self.eof() {
            let i = self.ls + self.ind;
            if i != self.le && b[i] != b'#' {
                return None;
            }
            self.advance();
        }
        self.ls = cut;
        self.le = cut;
        self.ln = cut;
        self.ind = 0;
        self.line = line;
        self.limit = cut;
        Some(())
    }

    /// True when a block sequence entry (`-` and a space or the end of the line) is at `i`.
    fn dash_at(&self, i: usize) -> bool {
        i < self.le && self.b[i] == b'-' && (i + 1 == self.le || self.b[i + 1] == b' ')
    }

    /// 1-based column of offset `i` on the current line.
    fn col(&mut self, i: usize) -> usize {
        if self.ascii {
            return i - self.ls + 1;
        }
        let (cls, coff, ccol) = self.col_cache;
        let n = if cls == self.ls && coff <= i {
            ccol + self.text[coff..i].chars().count()
        } else {
            self.text[self.ls..i].chars().count()
        };
        self.col_cache = (self.ls, i, n);
        n + 1
    }

    /// A position on the current line.
    fn pos(&mut self, start: usize, end: usize) -> Pos {
        Pos {
            start,
            end,
            line: self.line,
            col: self.col(start),
        }
    }

    fn document(&mut self) -> Option<Document> {
        self.load(0);
        let mut explicit = false;
        let b = self.b;
        if b.starts_with(b"---") && (self.le == 3 || b[3] == b' ') {
            let i = skip_spaces(b, 3, self.le);
            if i < self.le && (b[i] != b'#' || i == 3) {
                return None;
            }
            explicit = true;
            self.advance();
        }
        self.skip_insignificant()?;
        if self.eof() {
            if !explicit {
                return Some(Document {
                    root: None,
                    in_place: None,
                });
            }
            if self.limit < b.len() {
                // `---` then `...`: the empty scalar is located at the `...`.
                return None;
            }
            // An explicit document without content is an empty scalar at the end of the text
            // (on a line of its own when the text does not end with a line break).
            let len = b.len();
            let breaks = b.iter().filter(|&&c| c == b'\n').count();
            let line = breaks + 1 + usize::from(b[len - 1] != b'\n');
            let pos = Pos {
                start: len,
                end: len,
                line,
                col: 1,
            };
            return Some(Document {
                root: Some(scalar(pos, String::new(), Style::Plain)),
                in_place: None,
            });
        }
        let i = self.ls + self.ind;
        let root = if self.dash_at(i) {
            self.seq(self.ind, i, false, 0)?
        } else {
            self.map(self.ind, i, 0)?
        };
        if !self.eof() {
            return None;
        }
        Some(Document {
            root: Some(root),
            in_place: None,
        })
    }

    /// A block mapping with indentation `n` whose first key starts at `first` on the current line.
    fn map(&mut self, n: usize, first: usize, depth: usize) -> Option<Node> {
        if depth >= self.max_depth {
            return None;
        }
        let mut pos = self.pos(first, first);
        let mut entries = Vec::new();
        let mut k = first;
        loop {
            let (key, colon) = self.key(k)?;
            let value = self.map_value(n, colon, depth)?;
            pos.end = pos.end.max(value.pos.end);
            entries.push((key, value));
            if self.eof() || self.ind < n {
                break;
            }
            if self.ind > n {
                return None;
            }
            k = self.ls + n;
        }
        if has_duplicate_keys(&entries) {
            return None;
        }
        Some(Node {
            pos,
            anchor: 0,
            kind: Kind::Map {
                entries,
                flow: false,
            },
        })
    }

    /// A mapping key at `k` on the current line, followed by `:` and a space or the end of the
    /// line. Returns the key and the colon's offset.
    fn key(&mut self, k: usize) -> Option<(Node, usize)> {
        let b = self.b;
        let le = self.le;
        if k >= le {
            return None;
        }
        let (node, colon) = match b[k] {
            b'"' | b'\'' => {
                let (value, end, style) = self.quoted(k)?;
                let c = skip_spaces(b, end, le);
                if c >= le || b[c] != b':' || (c + 1 < le && b[c + 1] != b' ') {
                    return None;
                }
                (scalar(self.pos(k, end), value, style), c)
            }
            _ => {
                if !plain_start(b, k, le, false) {
                    return None;
                }
                let (end, Stop::Colon(c)) = scan_plain_block(b, k, le) else {
                    return None;
                };
                let value = self.text[k..end].to_string();
                self.in_place &= super::tree::plain_key_reads_in_place(&value);
                (scalar(self.pos(k, end), value, Style::Plain), c)
            }
        };
        if colon - k > MAX_KEY_BYTES {
            return None;
        }
        Some((node, colon))
    }

    /// The value of a block mapping entry with indentation `n` whose `:` is at `colon` on the
    /// current line. Leaves the current line at the next significant line.
    fn map_value(&mut self, n: usize, colon: usize, depth: usize) -> Option<Node> {
        let b = self.b;
        let q = skip_spaces(b, colon + 1, self.le);
        if q < self.le && b[q] != b'#' {
            return self.inline_value(q, n, depth + 1);
        }
        // Nothing more on this line: a collection on the next lines, or an empty value located
        // at the colon.
        let empty = self.pos(colon, colon);
        self.advance();
        self.skip_insignificant()?;
        if !self.eof() {
            let i = self.ls + self.ind;
            if self.ind > n {
                return if self.dash_at(i) {
                    self.seq(self.ind, i, false, depth + 1)
                } else {
                    self.map(self.ind, i, depth + 1)
                };
            }
            if self.ind == n && self.dash_at(i) {
                return self.seq(n, i, true, depth + 1);
            }
        }
        Some(scalar(empty, String::new(), Style::Plain))
    }

    /// A block sequence with indentation `col` whose first `-` is at `first` on the current line.
    /// An indentless sequence (a mapping value at the mapping's own indentation) ends at the first
    /// line at its indentation that is not an entry.
    fn seq(&mut self, col: usize, first: usize, indentless: bool, depth: usize) -> Option<Node> {
        if depth >= self.max_depth {
            return None;
        }
        let b = self.b;
        let mut pos = if indentless {
            None
        } else {
            Some(self.pos(first, first))
        };
        let mut items = Vec::new();
        let mut dash = first;
        loop {
            let q = skip_spaces(b, dash + 1, self.le);
            let content = q < self.le && b[q] != b'#';
            // The entry's mark: after the dash, its spaces and a comment.
            let mark = if content { q } else { self.le };
            if pos.is_none() {
                pos = Some(self.pos(mark, mark));
            }
            let item = if content {
                self.seq_item(q, col, depth)?
            } else {
                let empty = self.pos(mark, mark);
                self.advance();
                self.skip_insignificant()?;
                let i = self.ls + self.ind;
                if !self.eof() && self.ind > col {
                    if self.dash_at(i) {
                        self.seq(self.ind, i, false, depth + 1)?
                    } else {
                        self.map(self.ind, i, depth + 1)?
                    }
                } else {
                    scalar(empty, String::new(), Style::Plain)
                }
            };
            items.push(item);
            if self.eof() || self.ind < col {
                break;
            }
            if self.ind > col {
                return None;
            }
            let i = self.ls + col;
            if self.dash_at(i) {
                dash = i;
                continue;
            }
            if indentless {
                break;
            }
            return None;
        }
        let mut pos = pos?;
        for item in &items {
            pos.end = pos.end.max(item.pos.end);
        }
        Some(Node {
            pos,
            anchor: 0,
            kind: Kind::Seq { items, flow: false },
        })
    }

    /// A sequence entry's content starting at `q` on the entry's line.
    fn seq_item(&mut self, q: usize, col: usize, depth: usize) -> Option<Node> {
        let b = self.b;
        let le = self.le;
        // The prefix of the line is spaces and dashes: byte and character columns agree.
        let qcol = q - self.ls;
        match b[q] {
            b'-' if self.dash_at(q) => self.seq(qcol, q, false, depth + 1),
            b'"' | b'\'' => {
                let (_, end, _) = self.quoted(q)?;
                let c = skip_spaces(b, end, le);
                if c < le && b[c] == b':' && (c + 1 == le || b[c + 1] == b' ') {
                    self.map(qcol, q, depth + 1)
                } else {
                    self.inline_value(q, col, depth + 1)
                }
            }
            b'|' | b'>' | b'[' | b'{' => self.inline_value(q, col, depth + 1),
            _ => {
                if !plain_start(b, q, le, false) {
                    return None;
                }
                match scan_plain_block(b, q, le) {
                    (_, Stop::Colon(_)) => self.map(qcol, q, depth + 1),
                    _ => self.inline_value(q, col, depth + 1),
                }
            }
        }
    }

    /// A value that starts at `q` on the current line (not a block collection): a scalar, a
    /// literal block scalar or a flow collection. `parent` is the indentation of the enclosing
    /// block collection, `depth` the number of collections around the value. Leaves the current
    /// line at the next significant line, which must not be indented more than `parent`.
    fn inline_value(&mut self, q: usize, parent: usize, depth: usize) -> Option<Node> {
        let b = self.b;
        let le = self.le;
        let node = match b[q] {
            b'|' | b'>' => self.block_scalar(q, parent)?,
            b'[' | b'{' => {
                let (node, r) = self.flow(q, depth)?;
                // Nothing but a comment may follow on the line.
                if r < le && (b[r] != b'#' || b[r - 1] != b' ') {
                    return None;
                }
                self.advance();
                node
            }
            b'"' | b'\'' => {
                let (value, end, style) = self.quoted(q)?;
                let r = skip_spaces(b, end, le);
                if r < le && (b[r] != b'#' || r == end) {
                    return None;
                }
                let node = scalar(self.pos(q, end), value, style);
                self.advance();
                node
            }
            _ => self.plain(q, parent)?,
        };
        self.skip_insignificant()?;
        if !self.eof() && self.ind > parent {
            return None;
        }
        Some(node)
    }

    /// A plain scalar starting at `q` on the current line, continued on the next lines that are
    /// indented more than `parent` (the enclosing block collection's indentation). Leaves the
    /// current line at the first line after the scalar.
    fn plain(&mut self, q: usize, parent: usize) -> Option<Node> {
        let b = self.b;
        if !plain_start(b, q, self.le, false) {
            return None;
        }
        let (end, stop) = scan_plain_block(b, q, self.le);
        let mut pos = match stop {
            Stop::Colon(_) => return None,
            _ => self.pos(q, end),
        };
        let mut folded: Option<String> = None;
        self.advance();
        if matches!(stop, Stop::Eol) {
            // Continuation lines: a line break between two lines folds to a space, each empty
            // line in between to a line break.
            let mut empty = 0usize;
            while !self.eof() {
                let i = self.ls + self.ind;
                if i == self.le {
                    empty += 1;
                    self.advance();
                    continue;
                }
                if b[i] == b'#' || self.ind <= parent {
                    break;
                }
                // Inside a plain scalar only `: ` and ` #` are special.
                if b[i] == b':' && (i + 1 == self.le || b[i + 1] == b' ') {
                    return None;
                }
                let (e, stop) = scan_plain_block(b, i, self.le);
                if matches!(stop, Stop::Colon(_)) {
                    return None;
                }
                let v = folded.get_or_insert_with(|| self.text[q..end].to_string());
                if empty == 0 {
                    v.push(' ');
                }
                for _ in 0..empty {
                    v.push('\n');
                }
                v.push_str(&self.text[i..e]);
                empty = 0;
                pos.end = e;
                self.advance();
                if matches!(stop, Stop::Comment) {
                    break;
                }
            }
        }
        let value = folded.unwrap_or_else(|| self.text[q..end].to_string());
        self.in_place &= super::tree::plain_value_reads_in_place(&value);
        Some(scalar(pos, value, Style::Plain))
    }

    /// A single-line quoted scalar starting at `q`: its value, the offset after the closing quote
    /// and its style.
    fn quoted(&self, q: usize) -> Option<(String, usize, Style)> {
        let b = self.b;
        let le = self.le;
        let text = self.text;
        let mut s = String::new();
        let mut i = q + 1;
        let mut run = i;
        if b[q] == b'\'' {
            loop {
                i = find2(b, i, le, b'\'', b'\'');
                if i >= le {
                    return None;
                }
                if b[i] == b'\'' {
                    if i + 1 < le && b[i + 1] == b'\'' {
                        s.push_str(&text[run..=i]);
                        i += 2;
                        run = i;
                        continue;
                    }
                    s.push_str(&text[run..i]);
                    return Some((s, i + 1, Style::SingleQuoted));
                }
                i += 1;
            }
        }
        loop {
            i = find2(b, i, le, b'"', b'\\');
            if i >= le {
                return None;
            }
            match b[i] {
                b'"' => {
                    s.push_str(&text[run..i]);
                    return Some((s, i + 1, Style::DoubleQuoted));
                }
                b'\\' => {
                    s.push_str(&text[run..i]);
                    if i + 1 >= le {
                        return None;
                    }
                    let (c, len) = match b[i + 1] {
                        b'0' => ('\0', 2),
                        b'a' => ('\x07', 2),
                        b'b' => ('\x08', 2),
                        b't' => ('\t', 2),
                        b'n' => ('\n', 2),
                        b'v' => ('\x0b', 2),
                        b'f' => ('\x0c', 2),
                        b'r' => ('\r', 2),
                        b'e' => ('\x1b', 2),
                        b' ' => (' ', 2),
                        b'"' => ('"', 2),
                        b'/' => ('/', 2),
                        b'\\' => ('\\', 2),
                        b'N' => ('\u{85}', 2),
                        b'_' => ('\u{a0}', 2),
                        b'L' => ('\u{2028}', 2),
                        b'P' => ('\u{2029}', 2),
                        b'x' => (hex_value(b, i + 2, 2, le)?, 4),
                        b'u' => (hex_value(b, i + 2, 4, le)?, 6),
                        b'U' => (hex_value(b, i + 2, 8, le)?, 10),
                        _ => return None,
                    };
                    s.push(c);
                    i += len;
                    run = i;
                }
                _ => i += 1,
            }
        }
    }

    /// A block scalar whose `|` or `>` is at `h` on the current line; `parent` is the
    /// indentation of the enclosing block collection. Leaves the current line at the first line
    /// after the scalar (not skipping blank lines or comments).
    fn block_scalar(&mut self, h: usize, parent: usize) -> Option<Node> {
        let b = self.b;
        let le = self.le;
        let literal = b[h] == b'|';
        let mut i = h + 1;
        let mut chomp = Chomp::Clip;
        let mut inc = 0usize;
        let chomp_of = |c: u8| match c {
            b'+' => Some(Chomp::Keep),
            b'-' => Some(Chomp::Strip),
            _ => None,
        };
        if let Some(c) = b.get(i).filter(|_| i < le).and_then(|&c| chomp_of(c)) {
            chomp = c;
            i += 1;
            if i < le && b[i].is_ascii_digit() {
                inc = usize::from(b[i] - b'0');
                i += 1;
            }
        } else if i < le && b[i].is_ascii_digit() {
            inc = usize::from(b[i] - b'0');
            i += 1;
            if let Some(c) = b.get(i).filter(|_| i < le).and_then(|&c| chomp_of(c)) {
                chomp = c;
                i += 1;
            }
        }
        if i < le && b[i].is_ascii_digit() {
            return None;
        }
        // An indentation indicator of 0 is an error.
        if (h + 1..i).any(|j| b[j] == b'0') {
            return None;
        }
        let j = skip_spaces(b, i, le);
        if j < le && (b[j] != b'#' || j == i) {
            return None;
        }
        let start = h;
        let pos_line = self.line;
        let pos_col = self.col(start);
        self.advance();
        // Leading empty lines, then the first content line sets the indentation.
        let mut value = String::new();
        let mut max_lead = 0;
        loop {
            if self.eof() {
                return None;
            }
            if self.ls + self.ind != self.le {
                break;
            }
            if self.ln == self.le {
                // A last line of only spaces, without a line break.
                return None;
            }
            max_lead = max_lead.max(self.ind);
            value.push('\n');
            self.advance();
        }
        let indent = if inc > 0 { parent + inc } else { self.ind };
        if self.ind <= parent || self.ind < indent || max_lead > indent {
            return None;
        }
        let mut first = true;
        let mut empties = 0usize;
        // Whether the previous content line was more indented (starts with a space).
        let mut leading_blank = false;
        while !self.eof() {
            if self.ls + self.ind == self.le {
                if self.ind <= indent {
                    if self.ln == self.le {
                        return None;
                    }
                    empties += 1;
                    self.advance();
                    continue;
                }
            } else if self.ind < indent {
                break;
            }
            let trailing_blank = b[self.ls + indent] == b' ';
            if !literal && !first && !leading_blank && !trailing_blank {
                // Folding: a line break between two lines becomes a space, unless empty lines
                // are in between.
                if empties == 0 {
                    value.push(' ');
                }
            } else if !first {
                value.push('\n');
            }
            for _ in 0..empties {
                value.push('\n');
            }
            empties = 0;
            first = false;
            leading_blank = trailing_blank;
            value.push_str(&self.text[self.ls + indent..self.le]);
            self.advance();
        }
        match chomp {
            Chomp::Strip => {}
            Chomp::Clip => value.push('\n'),
            Chomp::Keep => {
                value.push('\n');
                for _ in 0..empties {
                    value.push('\n');
                }
            }
        }
        // At the end of the text (or at a `...` line) as after any other line: the start of the
        // line where the scalar stopped.
        let end = self.ls;
        Some(scalar(
            Pos {
                start,
                end,
                line: pos_line,
                col: pos_col,
            },
            value,
            if literal {
                Style::Literal
            } else {
                Style::Folded
            },
        ))
    }

    /// A scalar in a flow collection at `i`: the node and the offset after it.
    fn flow_scalar(&mut self, i: usize) -> Option<(Node, usize)> {
        let b = self.b;
        let le = self.le;
        if i >= le {
            return None;
        }
        if b[i] == b'"' || b[i] == b'\'' {
            let (value, end, style) = self.quoted(i)?;
            return Some((scalar(self.pos(i, end), value, style), end));
        }
        if !plain_start(b, i, le, true) {
            return None;
        }
        let end = scan_plain_flow(b, i, le)?;
        let value = self.text[i..end].to_string();
        Some((scalar(self.pos(i, end), value, Style::Plain), end))
    }

    /// A key in a flow mapping at `i`.
    fn flow_key(&mut self, i: usize) -> Option<(Node, usize)> {
        let (key, next) = self.flow_scalar(i)?;
        if let Some(text) = plain_text(&key) {
            self.in_place &= super::tree::plain_key_reads_in_place(text);
        }
        Some((key, next))
    }

    /// A flow collection or a scalar in a flow collection at `i`: the node and the offset after
    /// it.
    fn flow_node(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        if i < self.le && (self.b[i] == b'[' || self.b[i] == b'{') {
            return self.flow(i, depth);
        }
        let (node, next) = self.flow_scalar(i)?;
        if let Some(text) = plain_text(&node) {
            self.in_place &= super::tree::plain_value_reads_in_place(text);
        }
        Some((node, next))
    }

    /// A flow sequence or mapping at `q` that ends on the current line, with `depth` collections
    /// around it. Returns the node and the offset after its closing bracket and the spaces after
    /// that (the collection's span covers those spaces, and a comment that follows).
    fn flow(&mut self, q: usize, depth: usize) -> Option<(Node, usize)> {
        if depth >= self.max_depth {
            return None;
        }
        let b = self.b;
        let le = self.le;
        let is_seq = b[q] == b'[';
        let close = if is_seq { b']' } else { b'}' };
        let mut pos = self.pos(q, q);
        let mut items = Vec::new();
        let mut entries = Vec::new();
        let mut i = skip_spaces(b, q + 1, le);
        if i < le && b[i] == close {
            // empty
        } else {
            loop {
                if is_seq {
                    let (node, next) = self.flow_node(i, depth + 1)?;
                    items.push(node);
                    i = skip_spaces(b, next, le);
                } else {
                    let (key, next) = self.flow_key(i)?;
                    i = skip_spaces(b, next, le);
                    if i + 1 >= le || b[i] != b':' || b[i + 1] != b' ' {
                        return None;
                    }
                    let (value, next) = self.flow_node(skip_spaces(b, i + 1, le), depth + 1)?;
                    i = skip_spaces(b, next, le);
                    entries.push((key, value));
                }
                if i >= le {
                    return None;
                }
                if b[i] == close {
                    break;
                }
                if b[i] != b',' {
                    return None;
                }
                i = skip_spaces(b, i + 1, le);
                if i < le && b[i] == close {
                    // A trailing comma.
                    return None;
                }
            }
        }
        let r = skip_spaces(b, i + 1, le);
        pos.end = if r < le && b[r] == b'#' && r > i + 1 {
            le
        } else {
            r
        };
        let kind = if is_seq {
            Kind::Seq { items, flow: true }
        } else {
            if has_duplicate_keys(&entries) {
                return None;
            }
            Kind::Map {
                entries,
                flow: true,
            }
        };
        Some((
            Node {
                pos,
                anchor: 0,
                kind,
            },
            r,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::tree::parse_full;
    use std::time::{Duration, Instant};

    fn same(text: &str) {
        let limits = Limits::default();
        let fast = parse(text, &limits).unwrap_or_else(|| panic!("fell back on {text:?}"));
        let full = parse_full(text, &limits).unwrap();
        assert_eq!(fast.root, full.root, "{text:?}");
    }

    fn quick(text: &str) -> Option<Document> {
        let t = Instant::now();
        let r = parse(text, &Limits::default());
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "took {:?}",
            t.elapsed()
        );
        r
    }

    #[test]
    fn agrees_with_the_full_parser_on_the_basics() {
        for text in [
            "a: 1\nb:\n  c: x  # hi\n  d: \"q\" # c\ne:\n- x\n- y: 1\n  z:\n- \nf:\n",
            "---\nkind: Pod\nspec:\n  containers:\n  - name: a\n    command: [\"sh\", \"-c\", x]\n",
            "a: |\n  l1\n\n  l2\n\n\nb: |-\n  x\nc: |+\n  y\n\n",
            "a: {memory: 4Gi, 'x': \"y\"}\nb: []\nc: {}\n",
            "a: 1\r\nb:\r\n- x\r\n-  \r\nc: |\r\n  l1\r\n\r\n  l2\r\nd: x",
            "name: é\nbé: çx # ü\n",
            "- - a\n  - b\n- c\n",
            "--- # c\n",
            "# only a comment\n",
            "",
            "a: >\n  x\n  y\n\n  z\n   w\n  v\n\n\n",
            "- >-\n  a\n   b\n\n  c\n",
            "- [a, [b] , {c: d} ]  \n- {a: [b]}",
            "a: |\n  x\n\n...\n# c\n",
            "a:\n...\n",
            "a: this\n  goes on\n\n  and on # c\nb: 1\n",
            "k:\n  a: |2\n     x\n  b: |-1\n   y\n",
        ] {
            same(text);
        }
    }

    #[test]
    fn falls_back_outside_the_subset() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "? a\n: b\n",
            "%YAML 1.2\n---\na: 1\n",
            "a:\tb\n",
            "a: 1\na: 2\n",
            "---\n...\n",
            "a: \"x\n  y\"\n",
            "a: [x,]\n",
            "a: [x,\n  y]\n",
            "a: b\n  c: d\n",
            "a:\n    b: 1\n  c: 2\n",
            "a: b # c\n  d\n",
            "a: |\n  x\n  ",
            "a: 1\n---\nb: 2\n",
            "a: 1\rb: 2\n",
            "a: \u{feff}\n",
            "[a, b]\n",
            "plain\n",
        ] {
            assert!(parse(text, &Limits::default()).is_none(), "took {text:?}");
        }
    }

    #[test]
    fn hostile_nesting_returns_quickly() {
        let text = "- ".repeat(10_000) + "x\n";
        assert!(quick(&text).is_none());
        let mut text = String::new();
        for i in 0..10_000 {
            text.push_str(&" ".repeat(i));
            text.push_str("a:\n");
        }
        assert!(quick(&text).is_none());
        let text = format!("{}x{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(quick(&text).is_none());
        let text = format!("a: {}x{}\n", "[".repeat(10_000), "]".repeat(10_000));
        assert!(quick(&text).is_none());
        let text = format!("a: {}\n", "{a: ".repeat(10_000));
        assert!(quick(&text).is_none());
        // Just under the limit is accepted.
        let text = "- ".repeat(MAX_DEPTH - 1) + "x\n";
        assert!(quick(&text).is_some());
    }

    #[test]
    fn the_deepest_accepted_document_fits_a_small_stack() {
        // Mappings and sequences on their own lines, then compact forms, then flow collections:
        // every kind of recursion, MAX_DEPTH - 1 collections deep.
        let mut text = String::new();
        let mut depth = 0;
        let mut col = 0;
        while depth < MAX_DEPTH - 11 {
            text.push_str(&" ".repeat(col));
            text.push_str(if depth % 2 == 0 { "a:\n" } else { "- \n" });
            col += 2;
            depth += 1;
        }
        text.push_str(&" ".repeat(col));
        text.push_str(&"- ".repeat(5));
        text.push_str("k: ");
        text.push_str(&"[".repeat(4));
        text.push('x');
        text.push_str(&"]".repeat(4));
        text.push('\n');
        let limits = Limits {
            max_depth: usize::MAX,
            ..Limits::default()
        };
        let accepted = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || parse(&text, &limits).is_some())
            .unwrap()
            .join()
            .unwrap();
        assert!(accepted);
    }

    #[test]
    fn huge_lines_return_quickly() {
        let long = "x".repeat(1 << 20);
        same(&format!("a: {long}\n"));
        // (Not compared with the full parser, which is quadratic on long non-ASCII lines.)
        assert!(quick(&format!("a: [{}]\n", "é, ".repeat(300_000) + "z")).is_some());
        // A key longer than the full parser allows.
        assert!(quick(&format!("{long}: 1\n")).is_none());
        assert!(quick(&format!("a: \"{long}\n")).is_none());
        assert!(quick(&format!("a: {}\n", "# ".repeat(500_000))).is_some());
    }
}
