//! What an `env` the injection filled was, kept in the text so that removal can give it back.
//!
//! `env:`, `env: null` and `env: ~` (what a Helm `with` block leaves when its list is empty) are no
//! env, to Kubernetes and to the engine; and in a flow container an `env: []` the injection filled
//! cannot be told from an `env` it added. Both cases leave nothing in the data to say what was
//! there, so the injection says it in the text. Where a comment can end the line, in a YAML
//! comment on the `env` key's line, the *note*:
//!
//! ```yaml
//!     env: # kubeopencode-inject: was null
//!     - name: OTEL_EXPORTER_OTLP_ENDPOINT
//!   - {name: a, image: b, env: [{name: OTEL_EXPORTER_OTLP_ENDPOINT, …}]} # kubeopencode-inject: was []
//! ```
//!
//! The note records the value text exactly: the word (`empty` for an `env:` without one), or, for
//! a null that is not one word (`!!null`, a null on the line after `env:`), the text from the `:`
//! to the end of the value as a double-quoted string (`was "\n      null"`). A comment is never
//! data, and the note goes first on the line, before any comment of the input, which it keeps.
//!
//! Where no comment can go (JSON; a flow container inside a flow list, over several lines, or
//! followed on its line by more), the filled flow list carries a *signature* instead: the blanks
//! between its `[` and its first entry, which the injection writes in no other flow container's
//! `env` (one it adds opens `[{`, or `[` and a line break). One blank: it was `[]` (the inner
//! blanks of a `[ ]` are kept before the `]`); two: it was `null`. It is part of the env node, so
//! it needs no place at the line's end; a line layout that cannot keep them (`[ ]` pretty-printed)
//! gives `[]` back.
//!
//! When a removal leaves the env empty and finds the note or the signature, it writes the
//! recorded value back (and drops the note); otherwise they stay. Neither decides what is removed:
//! the plan removes only what the engine recognises as the tool's block (`otel::find_block`).

use std::borrow::Cow;

use super::flow;
use super::{Op, column};
use crate::yaml::scalar;
use crate::yaml::tree::Node;

/// How the note starts; the recorded value follows.
pub(crate) const NOTE: &str = "# kubeopencode-inject: was ";

/// What the note records for an `env:` without a value.
const EMPTY: &str = "empty";

const BLANKS: [char; 2] = [' ', '\t'];

/// A value text the note may record: a plain null (`~`, `null`, `Null`, `NULL`) or an empty flow
/// list (`[]`, `[ ]`). Nothing else is ever written back.
fn recordable(v: &str) -> bool {
    NULL_WORDS.contains(&v) || empty_list(v).is_some()
}

/// True for a text of blanks only (or none).
pub(super) fn blanks(t: &str) -> bool {
    t.chars().all(|c| BLANKS.contains(&c))
}

/// The blanks inside an empty flow list written on one line (`[]`, `[ ]`); None for anything else.
pub(super) fn empty_list(v: &str) -> Option<&str> {
    let inner = v.strip_prefix('[')?.strip_suffix(']')?;
    blanks(inner).then_some(inner)
}

/// The null words, and the tag a null may carry.
const NULL_WORDS: [&str; 4] = ["~", "null", "Null", "NULL"];
const NULL_TAG: &str = "!!null";

/// A null spelled over more than one word that the note may record in quotes: blanks and line
/// breaks around `!!null`, a null word, or both in that order. After a line break, a line is
/// indented by spaces deeper than the key (`key_col`) where it holds a word, and `\r` comes only
/// before `\n`: what is written back is always that null, whatever the note says.
fn spelled(r: &str, key_col: usize) -> bool {
    let lines: Vec<&str> = r.split('\n').collect();
    let mut words = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let line = match i + 1 < lines.len() {
            true => line.strip_suffix('\r').unwrap_or(line),
            false => line,
        };
        if line.contains('\r') || (i > 0 && line.contains('\t')) {
            return false;
        }
        let body = line.trim_start_matches(BLANKS);
        if i > 0 && !body.is_empty() && line.len() - body.len() <= key_col {
            return false;
        }
        words.extend(body.split(BLANKS).filter(|w| !w.is_empty()));
    }
    match words[..] {
        [w] => w == NULL_TAG || NULL_WORDS.contains(&w),
        [t, w] => t == NULL_TAG && NULL_WORDS.contains(&w),
        _ => false,
    }
}

/// The text a long note records, which it writes with YAML's double quotes
/// ([`scalar::double_quoted`]; a `spelled` text needs only the escapes `\n`, `\r` and `\t`): None
/// for any other escape.
fn unquote(q: &str) -> Option<String> {
    let inner = q.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '\\' => match chars.next()? {
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                _ => return None,
            },
            '"' => return None,
            c => c,
        });
    }
    Some(out)
}

/// A null on one line the flow note may record in quotes (`!!null`, `!!null ~`).
fn spelled_inline(v: &str) -> bool {
    !v.contains(['\n', '\r']) && spelled(v, 0)
}

/// The end of the line holding `at`, before its line break.
fn content_end(text: &str, at: usize) -> usize {
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    if end > at && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// Splits the rest of a line at its comment: a `#` at the start or after a blank.
fn split_comment(rest: &str) -> (&str, &str) {
    let b = rest.as_bytes();
    let at = (0..b.len())
        .find(|&i| b[i] == b'#' && (i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\t'))
        .unwrap_or(b.len());
    rest.split_at(at)
}

/// The offset just after the `:` of a block mapping key.
fn after_colon(text: &str, key: &Node) -> Option<usize> {
    let gap = text.get(key.pos.end..)?;
    let blanks = gap.len() - gap.trim_start_matches(BLANKS).len();
    (gap.as_bytes().get(blanks) == Some(&b':')).then_some(key.pos.end + blanks + 1)
}

/// A note at the start of the rest of a line: (the blanks before it, the recorded value as the
/// note writes it, what follows it up to the line break: blanks, and the input's own comment).
fn read(rest: &str) -> Option<(&str, &str, &str)> {
    let lead = &rest[..rest.len() - rest.trim_start_matches(BLANKS).len()];
    let body = rest[lead.len()..].strip_prefix(NOTE)?;
    let v = match body.strip_prefix('"').and_then(|b| b.find('"')) {
        Some(j) => &body[..j + 2],
        None => split_comment(body).0.trim_end_matches(BLANKS),
    };
    let after = &body[v.len()..];
    let tail = after.trim_start_matches(BLANKS);
    let free = tail.is_empty() || (tail.starts_with('#') && tail.len() < after.len());
    let known = v == EMPTY || recordable(v) || unquote(v).is_some();
    (!lead.is_empty() && free && known).then_some((lead, v, after))
}

/// The key line of an `env` whose null value the injection replaces by a block list: where the
/// text after the `:` starts, and that text as the injection writes it (the note, then what
/// followed the value: its blanks and comment). A null that is not one word on the key's line
/// gets the long note. None when the value cannot be recorded (a comment between the key and its
/// value, another spelling): the line is then written without a note.
pub(super) fn block_note(text: &str, key: &Node, value: &Node) -> Option<(usize, String)> {
    let at = after_colon(text, key)?;
    let rest = &text[at..content_end(text, at)];
    let (value_part, comment) = split_comment(rest);
    let v = value_part.trim_matches(BLANKS);
    // The value the tree has must be the one on this line (an empty one is where its key ends).
    let same = match text.get(value.pos.start..value.pos.end) {
        Some("") => v.is_empty(),
        Some(t) => value.pos.start >= at && t == v && recordable(v),
        None => false,
    };
    if !same {
        return long_note(text, key, value, at);
    }
    let mut out = String::with_capacity(rest.len() + NOTE.len() + EMPTY.len() + 1);
    if v.is_empty() {
        out.push(' ');
        out.push_str(NOTE);
        out.push_str(EMPTY);
        out.push_str(value_part);
    } else {
        let lead = value_part.len() - value_part.trim_start_matches(BLANKS).len();
        out.push_str(&value_part[..lead]);
        out.push_str(NOTE);
        out.push_str(v);
        out.push_str(&value_part[lead + v.len()..]);
    }
    out.push_str(comment);
    Some((at, out))
}

/// The long note, for a null `spelled` from the `:` at `at` to the end of its value (which may be
/// on a later line): the note, then what followed the value on its line.
fn long_note(text: &str, key: &Node, value: &Node, at: usize) -> Option<(usize, String)> {
    let r = text.get(at..value.pos.end)?;
    let tail = &text[value.pos.end..content_end(text, value.pos.end)];
    let rest = tail.trim_start_matches(BLANKS);
    let free = rest.is_empty() || (rest.starts_with('#') && rest.len() < tail.len());
    let ok = r.starts_with([' ', '\t', '\r', '\n']) && spelled(r, column(text, key.pos.start));
    (ok && free).then(|| (at, format!(" {NOTE}{}{tail}", scalar::double_quoted(r))))
}

/// The key line of a block `env` whose last entries a removal takes, when it holds a note: where
/// the text after the `:` starts, and that text as the input had it (for a long note, the text
/// through the end of the value: it may take lines again).
pub(super) fn block_restore(text: &str, key: &Node) -> Option<(usize, String)> {
    let at = after_colon(text, key)?;
    let (lead, v, after) = read(&text[at..content_end(text, at)])?;
    let out = if v == EMPTY {
        after.to_string()
    } else if v.starts_with('"') {
        let r = unquote(v)?;
        let ok = r.starts_with([' ', '\t', '\r', '\n']) && spelled(&r, column(text, key.pos.start));
        ok.then(|| format!("{r}{after}"))?
    } else {
        format!("{lead}{v}{after}")
    };
    Some((at, out))
}

/// Where a note can go after a flow container: just after its `}`, when the container is on one
/// line and only blanks or a comment follow it there. (The caller knows the container is an item
/// of a block list, so the document is YAML, not JSON.)
fn after_flow<'t>(text: &'t str, container: &Node) -> Option<(usize, &'t str)> {
    let close = flow::end(text, container);
    if close <= container.pos.start || text[container.pos.start..close].contains('\n') {
        return None;
    }
    Some((close, &text[close..content_end(text, close)]))
}

/// The op that writes a note recording `v` after a one-line flow container; None when there is no
/// place for it or `v` cannot be recorded.
pub(super) fn flow_note(text: &str, container: &Node, v: &str) -> Option<Op> {
    let (close, rest) = after_flow(text, container)?;
    let tail = rest.trim_start_matches(BLANKS);
    let free = tail.is_empty() || (tail.starts_with('#') && tail.len() < rest.len());
    let recorded = match v {
        _ if recordable(v) => Cow::Borrowed(v),
        _ if spelled_inline(v) => Cow::Owned(scalar::double_quoted(v)),
        _ => return None,
    };
    free.then(|| Op {
        start: close,
        end: close,
        text: format!(" {NOTE}{recorded}"),
    })
}

/// The note after a one-line flow container: the range it takes (from the `}` to the end of the
/// recorded value, so that what followed it in the input stays), and the recorded value.
pub(super) fn flow_restore<'t>(
    text: &'t str,
    container: &Node,
) -> Option<(usize, usize, Cow<'t, str>)> {
    let (close, rest) = after_flow(text, container)?;
    let (lead, v, _) = read(rest)?;
    let was = match v {
        EMPTY => return None,
        _ if v.starts_with('"') => Cow::Owned(unquote(v).filter(|r| spelled_inline(r))?),
        _ => Cow::Borrowed(v),
    };
    Some((close, close + lead.len() + NOTE.len() + v.len(), was))
}

/// The signature for a flow list the injection writes in place of `was`, in a flow container
/// where no note can go: (the blanks after `[`, the blanks before `]`). None for anything but
/// `null` and `[]` (or `[ ]`: blanks on one line).
pub(super) fn signature(was: &str) -> Option<(&'static str, &str)> {
    if was == "null" {
        return Some((SIGNED_NULL, ""));
    }
    empty_list(was).map(|inner| (SIGNED_LIST, inner))
}

/// What a flow list emptied by a removal was, when it carries the signature: `lead` is the text
/// between its `[` and its first entry, `trail` between its last entry and `]`.
pub(super) fn signed(lead: &str, trail: &str) -> Option<String> {
    match lead.split(['\r', '\n']).next() {
        Some(SIGNED_NULL) => Some("null".into()),
        Some(SIGNED_LIST) if blanks(trail) => Some(format!("[{trail}]")),
        Some(SIGNED_LIST) => Some("[]".into()),
        _ => None,
    }
}

/// The signature's blanks after `[`: a filled `[]`, a filled `null`.
const SIGNED_LIST: &str = " ";
const SIGNED_NULL: &str = "  ";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::tree::{Kind, Limits, parse};

    /// The first container of `spec.containers`, and its `env` key and value.
    fn first(text: &str, f: impl FnOnce(&Node, &Node, &Node)) {
        let doc = parse(text, &Limits::default()).unwrap();
        let root = doc.root.unwrap();
        let Kind::Seq { items, .. } = &root.get("containers").unwrap().kind else {
            panic!("{text}")
        };
        let Kind::Map { entries, .. } = &items[0].kind else {
            panic!("{text}")
        };
        let (k, v) = entries
            .iter()
            .find(|(k, _)| k.as_str() == Some("env"))
            .unwrap();
        f(&items[0], k, v);
    }

    /// The key line after the injection's note, and what removal makes of it.
    fn cycle(line: &str) -> Option<(String, String)> {
        let text = format!("containers:\n- name: a\n  {line}\n  image: x\n");
        let mut out = None;
        first(&text, |_, k, v| {
            out = block_note(&text, k, v).map(|(at, noted)| {
                let written = format!("{}{noted}\n", &text[..at]);
                let (at2, back) = block_restore(&written, k).unwrap();
                assert_eq!(at2, at);
                (format!("  env:{noted}"), format!("  env:{back}"))
            });
        });
        out
    }

    #[test]
    fn a_null_env_is_noted_and_given_back() {
        for (line, noted) in [
            ("env:", "env: # kubeopencode-inject: was empty"),
            ("env: null", "env: # kubeopencode-inject: was null"),
            ("env:   ~", "env:   # kubeopencode-inject: was ~"),
            (
                "env: Null  # mine",
                "env: # kubeopencode-inject: was Null  # mine",
            ),
            (
                "env:  # mine",
                "env: # kubeopencode-inject: was empty  # mine",
            ),
            (
                "env: NULL\t# a # b",
                "env: # kubeopencode-inject: was NULL\t# a # b",
            ),
            ("env:   ", "env: # kubeopencode-inject: was empty   "),
        ] {
            let (got, back) = cycle(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(got, format!("  {noted}"), "{line}");
            assert_eq!(back, format!("  {line}"), "{line}");
        }
        // Not one word: the long note, in quotes.
        for (line, noted) in [
            (
                "env: !!null",
                r#"env: # kubeopencode-inject: was " !!null""#,
            ),
            (
                "env:\n    null",
                r#"env: # kubeopencode-inject: was "\n    null""#,
            ),
            (
                "env:\r\n    ~",
                r#"env: # kubeopencode-inject: was "\r\n    ~""#,
            ),
            (
                "env:\t!!null\n\n    NULL  # mine",
                r#"env: # kubeopencode-inject: was "\t!!null\n\n    NULL"  # mine"#,
            ),
        ] {
            let (got, back) = cycle(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(got, format!("  {noted}"), "{line}");
            assert_eq!(back, format!("  {line}"), "{line}");
        }
        // A comment between the key and its null, or a value that is not null: no note.
        assert_eq!(cycle("env: # mine\n    null"), None);
        assert_eq!(cycle("env: !!null ''"), None);
    }

    #[test]
    fn a_long_note_records_only_a_null() {
        for r in [
            " !!null",
            " !!null null",
            "\n    null",
            "\r\n   ~",
            "  \n\n    !!null\n     Null",
            "\t!!null",
        ] {
            assert!(spelled(r, 2), "{r:?}");
            assert_eq!(
                unquote(&scalar::double_quoted(r)).as_deref(),
                Some(r),
                "{r:?}"
            );
        }
        for r in [
            "",
            " ",
            " null null",
            " ~ !!null",
            " !!str",
            " nil",
            " !!null\n  null",
            "\n  ~",
            "\n\t  ~",
            "\r    null",
            " null\r",
            " # c\n   null",
            " 'null'",
        ] {
            assert!(!spelled(r, 2), "{r:?}");
        }
        // Only the escapes the note writes are read.
        for q in [r#""\u0041""#, r#""a"b""#, r#""\"#, "null", r#""\x""#] {
            assert_eq!(unquote(q), None, "{q}");
        }
    }

    #[test]
    fn a_long_note_gives_back_only_a_null_deeper_than_its_key() {
        let restore = |note: &str| {
            let text = format!("containers:\n- name: a\n  env: {note}\n  - name: X\n");
            let mut out = None;
            first(&text, |_, k, _| {
                out = block_restore(&text, k).map(|(_, r)| r)
            });
            out
        };
        let note = |q: &str| format!("# kubeopencode-inject: was {q}  # mine");
        assert_eq!(
            restore(&note(r#""\n    null""#)).as_deref(),
            Some("\n    null  # mine")
        );
        // Edited by hand into something else: not written back.
        for q in [
            r#""\n  null""#,
            r#""\nnull""#,
            r#"" true""#,
            r#"" null\n  image: x""#,
            r#""\n    null # c""#,
            r#""\r    ~""#,
            r#""!!null""#,
        ] {
            assert_eq!(restore(&note(q)), None, "{q}");
        }
    }

    #[test]
    fn the_signature_is_the_blanks_after_the_bracket() {
        assert_eq!(signature("[]"), Some((" ", "")));
        assert_eq!(signature("[ \t]"), Some((" ", " \t")));
        assert_eq!(signature("null"), Some(("  ", "")));
        for was in ["~", "Null", "!!null", "[\n]", "[a]", "", "["] {
            assert_eq!(signature(was), None, "{was:?}");
        }
        assert_eq!(signed(" ", "").as_deref(), Some("[]"));
        assert_eq!(signed(" ", " ").as_deref(), Some("[ ]"));
        assert_eq!(signed(" \r\n      ", "\r\n    ").as_deref(), Some("[]"));
        assert_eq!(signed("  \n      ", "\n    ").as_deref(), Some("null"));
        // The injection's own layouts for an `env` it adds, and others: no signature.
        for lead in ["", "\n      ", "\r\n", "   ", "\t", " \t", " # c\n  "] {
            assert_eq!(signed(lead, ""), None, "{lead:?}");
        }
    }

    #[test]
    fn a_flow_container_is_noted_only_where_a_comment_ends_its_line() {
        let noted = |text: &str| {
            let mut out = None;
            first(text, |c, _, v| {
                out = flow_note(text, c, &text[v.pos.start..v.pos.end]).map(|op| op.text);
            });
            out
        };
        let at_end = "containers:\n- {name: a, env: []}  # mine\n- {name: b}\n";
        assert_eq!(
            noted(at_end).as_deref(),
            Some(" # kubeopencode-inject: was []")
        );
        assert!(noted("containers:\n- {name: a, env: ~}\r\n").is_some());
        assert!(noted("containers:\n- {name: a, env: []}").is_some());
        // More on the line, or the container over several lines.
        assert_eq!(noted("containers: [{name: a, env: []}]\n"), None);
        assert_eq!(noted("containers: [{name: a, env: []}, {name: b}]\n"), None);
        assert_eq!(noted("containers:\n- {name: a,\n   env: []}\n"), None);
        assert_eq!(noted("containers:\n- {name: a, env: '[]'}\n"), None);
    }

    #[test]
    fn only_nulls_and_empty_lists_are_recorded() {
        for v in ["~", "null", "Null", "NULL", "[]", "[ ]", "[\t]"] {
            assert!(recordable(v), "{v}");
        }
        for v in [
            "", "empty", "nul", "'null'", "!!null", "[a]", "{}", "[", "]",
        ] {
            assert!(!recordable(v), "{v}");
        }
    }

    #[test]
    fn a_note_is_read_up_to_the_inputs_comment() {
        assert_eq!(
            read(" # kubeopencode-inject: was null"),
            Some((" ", "null", ""))
        );
        assert_eq!(
            read("  # kubeopencode-inject: was [ ]  # mine # more"),
            Some(("  ", "[ ]", "  # mine # more"))
        );
        assert_eq!(
            read(" # kubeopencode-inject: was empty   # x"),
            Some((" ", "empty", "   # x"))
        );
        // Not a note: another value, no blank before it, another text.
        assert_eq!(read(" # kubeopencode-inject: was [{name: A}]"), None);
        assert_eq!(
            read(r#" # kubeopencode-inject: was "\n    null"  # mine"#),
            Some((" ", r#""\n    null""#, "  # mine"))
        );
        assert_eq!(read(r#" # kubeopencode-inject: was "\q""#), None);
        assert_eq!(read(r#" # kubeopencode-inject: was "null"x"#), None);
        assert_eq!(read(" # kubeopencode-inject: was "), None);
        assert_eq!(read("# kubeopencode-inject: was null"), None);
        assert_eq!(read(" # kubeopencode-inject: is null"), None);
        assert_eq!(read(" # mine # kubeopencode-inject: was null"), None);
    }
}
