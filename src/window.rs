//! Reading a large input a window at a time, so that memory follows the window, not the stream.
//!
//! A window is a run of whole documents of about [`WINDOW_BYTES`] (or one document, when a
//! document is larger). Windows are cut only before a `---` line, where [`split_yaml`] cuts
//! too, so the documents of the windows are exactly the documents of the whole input. Each window
//! is a [`Source`] that knows how many lines and documents of its input come before it, so that
//! errors are located in the input, not in the window.
//!
//! Standard input can be read only once, but the pipeline reads its input twice (first to learn
//! the stream's context and check it, then to edit it): [`Spill`] keeps a copy of its windows, in
//! memory while it is small and in an unnamed temporary file beyond that.
//!
//! [`split_yaml`]: crate::yaml::stream::split_yaml

use std::io::{self, Read, Seek, Write};

use crate::diag::Diagnostic;
use crate::input::{Origin, Source};
use crate::yaml::stream;

/// The size a window grows to before it is cut at the next document.
pub const WINDOW_BYTES: usize = 1 << 20;

/// Bytes a [`Spill`] keeps in memory before it moves to a temporary file. 16 MiB rather than 4:
/// the staged output of 10,000 resources (7.6 MB) went to the file past 4 MiB and was read back,
/// 6-7% of `inject`'s time (session 10, docs/performance.md); a run still holds at most this much
/// per spill (stdin's copy, the staged output), well inside the 100 MB goal at 100,000 resources.
pub const SPILL_IN_MEMORY: usize = 16 << 20;

const READ_BLOCK: usize = 256 << 10;

/// The first read of an input (most single manifests fit).
const FIRST_READ: usize = 16 << 10;

/// Reads an input as a sequence of windows.
pub struct Windows<R> {
    reader: R,
    origin: Origin,
    name: String,
    target: usize,
    /// Bytes read but not yet handed out (the start of the next window).
    buf: Vec<u8>,
    /// Where in `buf` to go on looking for a cut.
    scanned: usize,
    eof: bool,
    started: bool,
    json: bool,
    first_line: usize,
    first_doc: usize,
    /// Bytes of the input handed out so far (for messages).
    consumed: usize,
    /// The largest document allowed: a larger one is an error before it is read whole.
    max_document: usize,
    /// The documents of the window handed out last (it is split to count them): its reader takes
    /// them instead of splitting the window again.
    chunks: Option<Vec<stream::Chunk>>,
}

impl<R: Read> Windows<R> {
    pub fn with_target(reader: R, origin: Origin, name: String, target: usize) -> Self {
        Windows {
            reader,
            origin,
            name,
            target: target.max(1),
            buf: Vec::new(),
            scanned: 0,
            eof: false,
            started: false,
            chunks: None,
            json: false,
            first_line: 0,
            first_doc: 0,
            consumed: 0,
            max_document: usize::MAX,
        }
    }

    /// Refuses a document over `bytes` as soon as that much of it has been read, so that a huge
    /// document (or a stream without separators) costs the limit, not its size.
    pub fn with_max_document(mut self, bytes: usize) -> Self {
        self.max_document = bytes;
        self
    }

    /// The error for the last document of the buffer: it started before `target` (no cut was
    /// found after it) and runs past `target + max_document`.
    fn too_large(&self) -> Diagnostic {
        let before = &self.buf[..self.target.min(self.buf.len())];
        // The last `---` line at or before `target` starts it (or the window's start does).
        let mut start = 0;
        let mut i = 0;
        while i < before.len() {
            let end = memchr::memchr(b'\n', &before[i..]).map_or(before.len(), |p| i + p + 1);
            if is_start_marker(&before[i..end]) {
                start = i;
            }
            i = end;
        }
        let prefix = String::from_utf8_lossy(&self.buf[..start]);
        let docs_before = if start == 0 {
            0
        } else {
            stream::split_yaml(&prefix).len()
        };
        let line = self.first_line + memchr::memchr_iter(b'\n', &self.buf[..start]).count() + 1;
        Diagnostic::error(
            crate::diag::Code::Limit,
            format!(
                "document is over the limit of {} MiB",
                self.max_document >> 20
            ),
        )
        .at(&self.name, Some(self.first_doc + docs_before + 1), line, 1)
        .with_help("raise it with --max-document-size MIB if the document is legitimate")
    }

    fn fill(&mut self) -> Result<usize, Diagnostic> {
        // Room for the block before it is read: left to `read_to_end`, the buffer grew from a
        // few bytes by doubling, copied at each step (a twentieth of the main thread's work).
        // The first read is small (a small file costs a small buffer, from memory the allocator
        // has at hand: a first block of 256 KiB faulted in a fresh huge page, 0.3 ms of a run
        // over one Deployment); a window that goes on takes its full size at once.
        if self.buf.capacity() - self.buf.len() < READ_BLOCK {
            let size = if self.buf.capacity() == 0 {
                FIRST_READ
            } else {
                (self.buf.len() + READ_BLOCK).max(self.target + READ_BLOCK)
            };
            self.buf.reserve_exact(size - self.buf.len());
        }
        // Never more than the room: `read_to_end` would grow the buffer itself.
        let room = (self.buf.capacity() - self.buf.len()).min(READ_BLOCK);
        let n = loop {
            match (&mut self.reader)
                .take(room as u64)
                .read_to_end(&mut self.buf)
            {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(Diagnostic::error(
                        crate::diag::Code::Io,
                        format!("cannot read {}: {e}", self.name),
                    ));
                }
            }
        };
        if n == 0 {
            self.eof = true;
        }
        Ok(n)
    }

    /// Where the next window may end: before a `---` line at or after `target`, unless the lines
    /// before it are directives (which belong to the document the `---` starts).
    fn find_cut(&mut self) -> Option<usize> {
        let bytes = &self.buf;
        let mut i = self.scanned.max(self.target);
        // Start at a line start.
        if i > 0 && bytes.get(i - 1) != Some(&b'\n') {
            i = match memchr::memchr(b'\n', &bytes[i..]) {
                Some(p) => i + p + 1,
                None => {
                    self.scanned = bytes.len();
                    return None;
                }
            };
        }
        while i < bytes.len() {
            let end = memchr::memchr(b'\n', &bytes[i..]).map(|p| i + p + 1);
            let Some(end) = end else {
                // An incomplete line: look at it again when more has been read.
                self.scanned = i;
                return None;
            };
            let line = &bytes[i..end];
            if is_start_marker(line) && !after_directive(&bytes[..i]) {
                return Some(i);
            }
            i = end;
        }
        self.scanned = i;
        None
    }

    /// The next window, or None at the end of the input. An empty input gives one empty window.
    pub fn next_window(&mut self) -> Result<Option<Source>, Diagnostic> {
        let first = !self.started;
        self.started = true;
        let cut = loop {
            if self.json {
                // JSON streams are read whole: their values have no line-based separators.
                while !self.eof {
                    self.fill()?;
                }
                break self.buf.len();
            }
            if !self.buf.is_empty() && first && self.detect_json() {
                self.json = true;
                continue;
            }
            if self.buf.len() > self.target
                && let Some(cut) = self.find_cut()
            {
                break cut;
            }
            if self.eof {
                break self.buf.len();
            }
            if self.buf.len() > self.target.saturating_add(self.max_document) {
                return Err(self.too_large());
            }
            self.fill()?;
        };
        if cut == 0 && !first {
            return Ok(None);
        }
        let rest = if self.eof {
            self.buf.split_off(cut)
        } else {
            // The next window's buffer is allocated at its full size once, instead of growing
            // (and being copied) as it is read.
            let mut rest = Vec::with_capacity((self.buf.len() - cut).max(self.target) + READ_BLOCK);
            rest.extend_from_slice(&self.buf[cut..]);
            self.buf.truncate(cut);
            rest
        };
        let bytes = std::mem::replace(&mut self.buf, rest);
        self.scanned = 0;
        let source = self.decode(bytes, first)?;
        self.chunks = (!self.json).then(|| stream::split_yaml(&source.text));
        // The splitter counted the lines before the last document.
        let (counted, from) = match self.chunks.as_ref().and_then(|c| c.last()) {
            Some(last) => (last.line - 1, last.range.start),
            None => (0, 0),
        };
        let lines = counted + memchr::memchr_iter(b'\n', &source.text.as_bytes()[from..]).count();
        let docs = self.chunks.as_ref().map_or(0, Vec::len);
        self.consumed += source.text.len() + if source.bom { 3 } else { 0 };
        self.first_line += lines;
        self.first_doc += docs;
        Ok(Some(source))
    }

    /// True once the window handed out last was the input's last: nothing is left to read.
    pub fn finished(&self) -> bool {
        self.eof && self.buf.is_empty()
    }

    /// The YAML documents of the window handed out last, if it was split (not a JSON stream).
    pub fn take_chunks(&mut self) -> Option<Vec<stream::Chunk>> {
        self.chunks.take()
    }

    /// True when the first non-blank byte read so far is `{` or `[` (a JSON stream); false when it
    /// is anything else. Reads on while only white space has been seen.
    fn detect_json(&mut self) -> bool {
        loop {
            let start = if self.buf.starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            };
            match self.buf[start..].iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b) => return matches!(b, b'{' | b'['),
                None if self.eof => return false,
                None => {
                    if self.fill().is_err() {
                        return false;
                    }
                }
            }
        }
    }

    fn decode(&self, bytes: Vec<u8>, first: bool) -> Result<Source, Diagnostic> {
        let (text, bom) = if first {
            crate::input::decode(&self.name, bytes)?
        } else {
            let at = crate::input::At {
                line: self.first_line,
                doc: self.first_doc,
                byte: self.consumed,
            };
            (crate::input::decode_at(&self.name, bytes, at)?, false)
        };
        Ok(Source {
            origin: self.origin.clone(),
            name: self.name.clone(),
            text,
            bom,
            first_line: self.first_line,
            first_doc: self.first_doc,
        })
    }
}

fn is_start_marker(line: &[u8]) -> bool {
    line.starts_with(b"---")
        && matches!(
            line.get(3),
            None | Some(b' ') | Some(b'\t') | Some(b'\r') | Some(b'\n')
        )
}

/// True when the last line before `before`'s end that is not blank or a comment is a directive.
fn after_directive(before: &[u8]) -> bool {
    for line in before.split(|&b| b == b'\n').rev() {
        if line.starts_with(b"%") {
            return true;
        }
        if line.starts_with(b"#") || line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        return false;
    }
    false
}

/// A copy of a stream: in memory up to a size, then in an unnamed temporary file.
///
/// In memory it is a list of blocks, each allocated once at its full size: a growing buffer
/// copied itself at every doubling, and each copy touched fresh pages (the kernel zeroes every
/// one; on 10,000 resources the staged output's copies were a tenth of the run's samples).
pub struct Spill {
    memory: Vec<Vec<u8>>,
    /// Bytes in `memory`.
    len: usize,
    /// Buffered: a diff writes a line at a time.
    file: Option<io::BufWriter<std::fs::File>>,
    limit: usize,
}

impl Default for Spill {
    fn default() -> Self {
        Spill::new(SPILL_IN_MEMORY)
    }
}

impl Spill {
    pub fn new(limit: usize) -> Self {
        Spill {
            memory: Vec::new(),
            len: 0,
            file: None,
            limit,
        }
    }

    /// True when the copy moved to a temporary file.
    #[cfg(test)]
    pub fn spilled(&self) -> bool {
        self.file.is_some()
    }

    /// Reads the copy back from its start.
    pub fn reader(&mut self) -> io::Result<Box<dyn Read + '_>> {
        match &mut self.file {
            Some(f) => {
                f.flush()?;
                let f = f.get_mut();
                f.rewind()?;
                Ok(Box::new(io::BufReader::with_capacity(READ_BLOCK, f)))
            }
            None => Ok(Box::new(Blocks {
                blocks: &self.memory,
                at: 0,
            })),
        }
    }
}

impl Write for Spill {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.file.is_none() && self.len + data.len() > self.limit {
            let mut f = io::BufWriter::with_capacity(READ_BLOCK, tempfile::tempfile()?);
            for block in std::mem::take(&mut self.memory) {
                f.write_all(&block)?;
            }
            self.len = 0;
            self.file = Some(f);
        }
        if let Some(f) = &mut self.file {
            f.write_all(data)?;
            return Ok(data.len());
        }
        let mut rest = data;
        while !rest.is_empty() {
            if self.memory.last().is_none_or(|b| b.len() == b.capacity()) {
                // Blocks grow with the copy (a small stream costs a small block), up to
                // READ_BLOCK.
                let size = (self.len + rest.len()).clamp(SPILL_BLOCK_MIN, READ_BLOCK);
                self.memory.push(Vec::with_capacity(size));
            }
            if let Some(block) = self.memory.last_mut() {
                let n = rest.len().min(block.capacity() - block.len());
                block.extend_from_slice(&rest[..n]);
                rest = &rest[n..];
            }
        }
        self.len += data.len();
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// The smallest block of a [`Spill`] in memory.
const SPILL_BLOCK_MIN: usize = 4 << 10;

/// Reads a [`Spill`]'s blocks in order.
struct Blocks<'a> {
    blocks: &'a [Vec<u8>],
    /// Bytes of the first block already read.
    at: usize,
}

impl Read for Blocks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while let Some((first, rest)) = self.blocks.split_first() {
            if self.at < first.len() {
                let n = buf.len().min(first.len() - self.at);
                buf[..n].copy_from_slice(&first[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            self.blocks = rest;
            self.at = 0;
        }
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(text: &str, target: usize) -> Vec<Source> {
        let mut w = Windows::with_target(text.as_bytes(), Origin::Stdin, "<stdin>".into(), target);
        let mut out = Vec::new();
        while let Some(s) = w.next_window().unwrap() {
            out.push(s);
        }
        out
    }

    /// The windows give the text back, and their documents are the documents of the whole text.
    fn assert_same_documents(input: &str) {
        let text = input.strip_prefix('\u{feff}').unwrap_or(input);
        for target in 1..text.len() + 2 {
            let ws = windows(input, target);
            assert_eq!(ws[0].bom, text.len() < input.len());
            let joined: String = ws.iter().map(|s| s.text.as_str()).collect();
            assert_eq!(joined, text, "target {target}");
            let whole: Vec<(usize, &str)> = stream::split_yaml(text)
                .into_iter()
                .map(|c| (c.line, &text[c.range]))
                .collect();
            let mut parts = Vec::new();
            for s in &ws {
                assert_eq!(s.first_doc, parts.len(), "target {target}");
                for c in stream::split_yaml(&s.text) {
                    parts.push((c.line + s.first_line, s.text[c.range].to_string()));
                }
            }
            let parts: Vec<(usize, &str)> = parts.iter().map(|(l, t)| (*l, t.as_str())).collect();
            assert_eq!(parts, whole, "target {target}");
        }
    }

    #[test]
    fn windows_are_whole_documents_with_offsets() {
        assert_same_documents("a: 1\n---\nb: 2\nc: 3\n---\nd: 4\n...\n---\n# c\ne: 5\n");
        assert_same_documents("---\n---\n--- x\n---\r\ny: |\n  ---a\n---");
        assert_same_documents("\u{feff}a: é\n---\nb: 2\n");
    }

    #[test]
    fn directives_stay_with_their_document() {
        let text = "a: 1\n%YAML 1.1\n# x\n---\nb: 2\n---\nc: 3\n%TAG ! x\n---\nd: 4\n";
        assert_same_documents(text);
        for target in 1..text.len() {
            for s in windows(text, target) {
                assert!(!s.text.trim_end().ends_with("# x"), "{:?}", s.text);
            }
        }
    }

    #[test]
    fn json_is_one_window_and_empty_input_one_empty_window() {
        let ws = windows("{\"a\": 1}\n{\"b\": 2}\n", 1);
        assert_eq!(ws.len(), 1);
        let ws = windows("", 1);
        assert_eq!(ws.len(), 1);
        assert!(ws[0].text.is_empty());
    }

    #[test]
    fn a_bad_byte_is_located_in_the_input() {
        let mut bytes = b"a: 1\n---\nb: 2\n---\nc: ".to_vec();
        bytes.push(0xff);
        bytes.push(b'\n');
        let mut w = Windows::with_target(bytes.as_slice(), Origin::Stdin, "<stdin>".into(), 1);
        let err = loop {
            match w.next_window() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("no error"),
                Err(e) => break e,
            }
        };
        assert_eq!(
            (err.line, err.col, err.document),
            (Some(5), Some(4), Some(3))
        );
    }

    #[test]
    fn a_document_over_the_limit_stops_the_reading() {
        let mut text = String::from("a: 1\n---\nb: 2\n---\nbig:\n");
        for i in 0..100_000 {
            text.push_str(&format!("  k{i}: v\n"));
        }
        let mut reader = text.as_bytes();
        let mut w = Windows::with_target(&mut reader, Origin::Stdin, "<stdin>".into(), 4)
            .with_max_document(10_000);
        let err = loop {
            match w.next_window() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("no error"),
                Err(e) => break e,
            }
        };
        assert!(err.message.contains("over the limit"), "{}", err.message);
        // Located like the document itself: at its `---` line.
        assert_eq!((err.line, err.document), (Some(4), Some(3)));
        // Not much more than the limit was read.
        assert!(text.len() - reader.len() < 10_000 + 2 * READ_BLOCK);
    }

    #[test]
    fn spill_moves_to_a_file_and_reads_back() {
        let mut s = Spill::new(10);
        s.write_all(b"0123456789").unwrap();
        assert!(!s.spilled());
        s.write_all(b"abc").unwrap();
        assert!(s.spilled());
        let mut back = String::new();
        s.reader().unwrap().read_to_string(&mut back).unwrap();
        assert_eq!(back, "0123456789abc");
    }

    /// In memory, the copy is blocks; whatever the sizes of the writes and of the reads, the
    /// bytes come back in order, and they move to a file whole.
    #[test]
    fn spill_blocks_give_the_bytes_back() {
        let data: Vec<u8> = (0..3 * READ_BLOCK + 777).map(|i| (i % 251) as u8).collect();
        for (write, read) in [(1, 7), (4095, 4096), (5000, 1 << 16), (READ_BLOCK + 3, 100)] {
            for limit in [usize::MAX, 2 * READ_BLOCK] {
                let mut s = Spill::new(limit);
                for piece in data.chunks(write) {
                    s.write_all(piece).unwrap();
                }
                assert_eq!(s.spilled(), limit != usize::MAX);
                let mut back = Vec::new();
                let mut r = s.reader().unwrap();
                let mut buf = vec![0; read];
                loop {
                    let n = r.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    back.extend_from_slice(&buf[..n]);
                }
                assert!(
                    back == data,
                    "writes of {write}, reads of {read}, limit {limit}"
                );
            }
        }
    }
}

/// A fingerprint of an input's bytes, to notice a file that changed between the two passes. The
/// windows of the two passes are cut alike, but the fingerprint does not rely on it: it depends
/// only on the bytes, however they are split. Not cryptographic (it guards against an accident,
/// not an adversary), and several times faster than SipHash, because it sees every byte of every
/// input twice on the thread that reads.
#[derive(Default)]
pub(crate) struct Fingerprint {
    hash: u64,
    len: u64,
    tail: [u8; 8],
    filled: usize,
}

impl Fingerprint {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;

    fn word(&mut self, w: u64) {
        self.hash = (self.hash ^ w).wrapping_mul(Self::K).rotate_left(29);
    }

    pub(crate) fn write(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        if self.filled > 0 {
            let take = (8 - self.filled).min(bytes.len());
            self.tail[self.filled..self.filled + take].copy_from_slice(&bytes[..take]);
            self.filled += take;
            bytes = &bytes[take..];
            if self.filled < 8 {
                return;
            }
            self.word(u64::from_le_bytes(self.tail));
            self.filled = 0;
        }
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.word(u64::from_le_bytes(b));
        }
        let rest = words.remainder();
        self.tail[..rest.len()].copy_from_slice(rest);
        self.filled = rest.len();
    }

    pub(crate) fn finish(&self) -> u64 {
        let mut last = [0u8; 8];
        last[..self.filled].copy_from_slice(&self.tail[..self.filled]);
        let h = (self.hash ^ u64::from_le_bytes(last)).wrapping_mul(Self::K) ^ self.len;
        h ^ (h >> 31)
    }
}

#[cfg(test)]
mod fingerprint_tests {
    use super::Fingerprint;

    fn of(parts: &[&[u8]]) -> u64 {
        let mut f = Fingerprint::default();
        parts.iter().for_each(|p| f.write(p));
        f.finish()
    }

    #[test]
    fn depends_on_the_bytes_not_on_how_they_are_split() {
        let text: Vec<u8> = (0..200u32).map(|i| (i * 7 % 251) as u8).collect();
        let whole = of(&[&text]);
        for cut in 0..text.len() {
            for cut2 in cut..text.len().min(cut + 20) {
                assert_eq!(of(&[&text[..cut], &text[cut..cut2], &text[cut2..]]), whole);
            }
        }
    }

    #[test]
    fn sees_every_change() {
        let text = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n".to_vec();
        let whole = of(&[&text]);
        for i in 0..text.len() {
            let mut t = text.clone();
            t[i] ^= 1;
            assert_ne!(of(&[&t]), whole, "a change at byte {i}");
            assert_ne!(of(&[&text[..i]]), whole, "cut to {i} bytes");
        }
        assert_ne!(of(&[b"\0"]), of(&[b""]), "a trailing zero byte");
        assert_ne!(of(&[b"\0\0"]), of(&[b"\0"]));
    }
}
