//! A quick read of a block-style YAML document's top-level `apiVersion` and `kind`, without
//! parsing it: the first pass of the driver needs only a workload's kind, and a workload is
//! parsed (and its syntax checked) once, in the second pass.
//!
//! Sound rather than complete: it answers only for documents whose top level is plain block
//! mappings, and gives `None` for anything it does not fully understand (flow or JSON documents,
//! tags, anchors or aliases at the top level, complex keys, directives, a quoted or flow scalar
//! that continues on another line: the constructs that could make a line at column 0 something
//! other than a top-level key). A line at column 0 that starts with a letter is then a top-level
//! key: block scalars and plain continuations are always indented deeper than their key.
//!
//! It stops at the line where it knows both keys (the second or third line of nearly every
//! manifest): what a line is depends only on the lines before it, a later duplicate of either key
//! is an error of the full parse, and the second pass parses every candidate in full and checks
//! that it reads the same kind. Reading to the end was a tenth of a run's instructions.

/// The top-level `apiVersion` and `kind` of a document, when both are plain one-line scalars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    pub api_version: &'a str,
    pub kind: &'a str,
}

/// Reads the header of one document's text (as [`super::stream::split_yaml`] cuts it: with its
/// `---` line, ending at its `...`), up to the line where both keys are known.
pub fn scan(text: &str) -> Option<Header<'_>> {
    let mut api_version = None;
    let mut kind = None;
    let mut ended = false;
    // Inside a block scalar: the column its lines must be deeper than.
    let mut block: Option<usize> = None;
    for line in super::stream::lines(text) {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let Some(&first) = line.as_bytes().first() else {
            continue;
        };
        if let Some(n) = block {
            let indent = line.len() - line.trim_start_matches(' ').len();
            if indent > n || line.trim_start_matches(' ').is_empty() {
                continue;
            }
            block = None;
        }
        match first {
            // Most lines hold nothing that could open a construct.
            b' ' if !line.bytes().any(|b| SPECIAL[usize::from(b)]) => continue,
            b' ' => {
                block = indented_line(line)?;
                continue;
            }
            b'#' => continue,
            _ if ended => return None,
            b'-' if line == "---" || line.starts_with("--- #") => continue,
            b'.' if line == "..." => {
                ended = true;
                continue;
            }
            // An item of an indentless sequence under a top-level key.
            b'-' if line == "-" || line.starts_with("- ") => {
                block = indented_line(line)?;
                continue;
            }
            b'a'..=b'z' | b'A'..=b'Z' => {}
            _ => return None,
        }
        let (key, value) = top_level_entry(line)?;
        let slot = match key {
            "apiVersion" => &mut api_version,
            "kind" => &mut kind,
            _ => {
                match one_line(value)? {
                    Line::BlockScalar => block = Some(0),
                    Line::Done => {}
                }
                continue;
            }
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(simple_scalar(value)?);
        // Nothing after this line can change what these two lines are: a later `apiVersion` or
        // `kind` is a duplicate key, and a later construct the scan would refuse is read by the
        // full parse of the second pass, which refuses the document or agrees.
        if api_version.is_some() && kind.is_some() {
            break;
        }
    }
    Some(Header {
        api_version: api_version?,
        kind: kind?,
    })
}

/// Bytes that may start a quoted, flow or block scalar, a tag, an anchor, an alias, a complex key
/// or a directive, or that YAML refuses in indentation.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    let bytes = b"\"'[{&*!?%@`|>\t";
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
};

/// `key: value` at column 0, with a plain key; the value without its comment.
fn top_level_entry(line: &str) -> Option<(&str, &str)> {
    let end = line
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/')))?;
    if line.as_bytes()[end] != b':' {
        return None;
    }
    let rest = &line[end + 1..];
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    Some((&line[..end], strip_comment(rest.trim_start_matches(' '))))
}

/// A value without a trailing ` # comment` (a plain scalar cannot hold ` #`).
fn strip_comment(value: &str) -> &str {
    if value.starts_with('#') {
        return "";
    }
    match value.find(" #") {
        Some(i) if !value.starts_with(['"', '\'', '[', '{']) => value[..i].trim_end(),
        _ => value.trim_end(),
    }
}

/// `v1`, `apps/v1`, `"Deployment"`: a scalar that needs no unescaping.
fn simple_scalar(value: &str) -> Option<&str> {
    let inner = match value.as_bytes().first()? {
        b'"' => value.strip_prefix('"')?.strip_suffix('"')?,
        b'\'' => value.strip_prefix('\'')?.strip_suffix('\'')?,
        _ => value,
    };
    (!inner.is_empty()
        && inner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/' | b'-' | b'_')))
    .then_some(inner)
}

/// How a line's value ends.
enum Line {
    /// On this line.
    Done,
    /// It opens a block scalar (`|`, `>`): the lines deeper than its node are its text.
    BlockScalar,
}

/// An indented line (or an indentless sequence item): `Some(Some(n))` when it opens a block
/// scalar whose lines are deeper than column `n`, `Some(None)` when its value ends on the line,
/// `None` when it may continue onto a line at column 0 or starts a tag, anchor, alias or complex
/// key.
fn indented_line(line: &str) -> Option<Option<usize>> {
    let mut rest = line.trim_start_matches(' ');
    // The column of the node the value belongs to: the last `-`, or the key.
    let mut node = line.len() - rest.len();
    // `- - a`, `- key: v`
    while let Some(r) = rest
        .strip_prefix("- ")
        .or(if rest == "-" { Some("") } else { None })
    {
        node = line.len() - rest.len();
        rest = r.trim_start_matches(' ');
    }
    if rest.is_empty() || rest.starts_with('#') {
        return Some(None);
    }
    let value = match rest.as_bytes()[0] {
        b'"' | b'\'' => {
            let end = quoted_end(rest)?;
            let after = rest[end..].trim_start_matches(' ');
            match after.strip_prefix(':') {
                Some(v) if v.is_empty() || v.starts_with(' ') => {
                    node = line.len() - rest.len();
                    v.trim_start_matches(' ')
                }
                // A quoted scalar alone: it closed on this line.
                _ => return (after.is_empty() || after.starts_with('#')).then_some(None),
            }
        }
        b'?' | b'&' | b'*' | b'!' | b'%' | b'@' | b'`' | b'\t' => return None,
        b'|' | b'>' | b'[' | b'{' => rest,
        _ => match plain_key_end(rest) {
            Some(i) => {
                node = line.len() - rest.len();
                rest[i + 1..].trim_start_matches(' ')
            }
            // A plain scalar item or continuation: it ends at the line's end.
            None => return Some(None),
        },
    };
    Some(match one_line(value)? {
        Line::Done => None,
        Line::BlockScalar => Some(node),
    })
}

/// Where `key:` ends in a plain key (the index of its `:`), if the line is a mapping entry.
fn plain_key_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b':' if i + 1 == b.len() || b[i + 1] == b' ' => return Some(i),
            b'#' if i > 0 && b[i - 1] == b' ' => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// How a mapping or item value ends: on its line (empty, a plain scalar, a quoted or flow scalar
/// closed on the line), or as a block scalar; `None` when it continues or is not plain.
fn one_line(value: &str) -> Option<Line> {
    let closed = |end: usize| {
        let after = value[end..].trim_start_matches(' ');
        (after.is_empty() || after.starts_with('#')).then_some(Line::Done)
    };
    let Some(&first) = value.as_bytes().first() else {
        return Some(Line::Done);
    };
    match first {
        b'#' => Some(Line::Done),
        b'|' | b'>' => {
            // `|`, `|-`, `>+2`, then a comment at most.
            let header = value.split(" #").next().unwrap_or(value).trim_end();
            header[1..]
                .bytes()
                .all(|b| matches!(b, b'-' | b'+' | b'1'..=b'9'))
                .then_some(Line::BlockScalar)
        }
        b'"' | b'\'' => closed(quoted_end(value)?),
        b'[' | b'{' => closed(flow_end(value)?),
        b'&' | b'*' | b'!' | b'?' | b'%' | b'@' | b'`' | b'\t' => None,
        _ => Some(Line::Done),
    }
}

/// The byte after the closing quote of a quoted scalar that starts `s`, if it closes on the line.
fn quoted_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let q = b[0];
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' if q == b'"' => i += 2,
            b'\'' if q == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == q => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The byte after the bracket that closes the flow collection starting `s`, if it closes on the
/// line (quoted scalars inside are skipped; a comment inside means it does not).
fn flow_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'"' | b'\'' => {
                i += quoted_end(&s[i..])?;
                continue;
            }
            b'#' if i > 0 && b[i - 1] == b' ' => return None,
            b'&' | b'*' | b'!' => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(text: &str) -> Option<(&str, &str)> {
        scan(text).map(|h| (h.api_version, h.kind))
    }

    #[test]
    fn reads_plain_headers() {
        let doc = "---\n# c\napiVersion: apps/v1 # x\nkind: \"Deployment\"\nmetadata:\n  name: a\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        command: [\"sh\", \"-c\", \"x\"]\n        env: [{name: A, value: 'b'}]\n";
        assert_eq!(h(doc), Some(("apps/v1", "Deployment")));
        assert_eq!(
            h("kind: Pod\r\napiVersion: v1\r\nlist:\n- a\n- b: c\n"),
            Some(("v1", "Pod"))
        );
        assert_eq!(
            h("apiVersion: v1\nkind: ConfigMap\ndata:\n  s: |\n    kind: Task\n    \"open\n"),
            Some(("v1", "ConfigMap"))
        );
    }

    #[test]
    fn refuses_what_it_does_not_fully_understand() {
        for doc in [
            // a quoted scalar continued on a line at column 0
            "apiVersion: v1\nmetadata:\n  annotations:\n    a: \"x\nkind: Task\"\nkind: Pod\n",
            "apiVersion: v1\nmetadata:\n  annotations:\n    a: 'x\nkind: Task'\nkind: Pod\n",
            // a flow collection continued at column 0
            "apiVersion: v1\nmetadata: {name: a,\nkind: Task}\nkind: Pod\n",
            "apiVersion: v1\nx:\n  y: [a,\nkind: Task]\nkind: Pod\n",
            // tags, anchors, aliases, complex keys, directives, flow documents
            "apiVersion: v1\nkind: !!str Pod\n",
            "apiVersion: v1\nkind: &k Pod\n",
            "apiVersion: v1\nx: *a\nkind: Pod\n",
            "apiVersion: v1\n? a\n: b\nkind: Pod\n",
            "%YAML 1.2\n---\napiVersion: v1\nkind: Pod\n",
            "{apiVersion: v1, kind: Pod}\n",
            "--- {apiVersion: v1, kind: Pod}\n",
            // twice before the other, escaped, missing
            "kind: Pod\nkind: Task\napiVersion: v1\n",
            "apiVersion: v1\nkind: \"P\\x6fd\"\n",
            "kind: Pod\n",
            // content after `...`
            "apiVersion: v1\n...\nkind: Task\n",
            // a tab at column 0
            "apiVersion: v1\n\tx: 1\nkind: Pod\n",
        ] {
            assert_eq!(h(doc), None, "{doc:?}");
        }
    }

    /// What follows the two keys is not read: the full parse refuses a later duplicate, a tab or
    /// a tag, or reads the same kind.
    #[test]
    fn stops_at_the_line_where_both_keys_are_known() {
        use crate::yaml::tree::{Limits, parse_value};
        for (doc, parses) in [
            ("apiVersion: v1\nkind: Pod\nkind: Task\n", false),
            ("apiVersion: v1\nkind: Pod\n\tx: 1\n", false),
            (
                "apiVersion: v1\nkind: Pod\nx: !!str [a,\nkind: Task]\n",
                true,
            ),
            ("apiVersion: v1\nkind: Pod\nx: &a 1\ny: *a\n", true),
        ] {
            assert_eq!(h(doc), Some(("v1", "Pod")), "{doc:?}");
            match parse_value(doc, &Limits::default()) {
                Ok((_, v)) => {
                    assert!(parses, "{doc:?}");
                    assert_eq!(v.get("kind").and_then(|k| k.as_str()), Some("Pod"));
                }
                Err(_) => assert!(!parses, "{doc:?}"),
            }
        }
    }

    /// Every document of every file under testdata/ and the fuzz corpus, and variants of each
    /// (every line at column 0 after a quoted or flow scalar opened on an earlier line): when
    /// the scan answers, the full parse reads the same `apiVersion` and `kind`, or refuses the
    /// document (then the second pass reports the parse error).
    #[test]
    fn agrees_with_the_full_parse_on_every_corpus_document() {
        use crate::yaml::tree::{Limits, parse_value};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        for dir in ["testdata", "fuzz/corpus"] {
            for e in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
                if e.file_type().is_file()
                    && let Ok(t) = std::fs::read_to_string(e.path())
                {
                    texts.push(t);
                }
            }
        }
        assert!(
            texts.len() > 300,
            "the corpus is missing: {} files",
            texts.len()
        );
        let (mut answered, mut checked) = (0, 0);
        let mut check = |doc: &str| {
            checked += 1;
            let Some(h) = scan(doc) else { return };
            answered += 1;
            if let Ok((_, v)) = parse_value(doc, &Limits::default()) {
                assert_eq!(
                    (
                        v.get("apiVersion").and_then(|v| v.as_str()),
                        v.get("kind").and_then(|v| v.as_str())
                    ),
                    (Some(h.api_version), Some(h.kind)),
                    "{doc}"
                );
            }
        };
        for t in &texts {
            for c in crate::yaml::stream::split_yaml(t) {
                let doc = &t[c.range];
                check(doc);
                // The header line inside a quoted or flow scalar that opens on the line before
                // it and closes on the line after it.
                for (open, close) in [
                    ("z:\n  a: \"x", "  y\""),
                    ("z:\n  a: 'x", "  y'"),
                    ("z: [x,", "  y]"),
                    ("z: {x: y,", "  w: v}"),
                    ("z:\n- \"x", "  y\""),
                ] {
                    for (i, _) in doc.match_indices("\nkind:") {
                        let line_end = doc[i + 1..].find('\n').map_or(doc.len(), |e| i + 1 + e);
                        let v = format!(
                            "{}\n{open}{}\n{close}{}",
                            &doc[..i],
                            &doc[i..line_end],
                            &doc[line_end..]
                        );
                        check(&v);
                    }
                }
            }
        }
        assert!(
            answered > 500,
            "the scan answered only {answered} of {checked}"
        );
    }
}
