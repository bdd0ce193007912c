//! The note that keeps the form of an `env` the injection filled, so that removal can give it back.
//!
//! `env:`, `env: null` and `env: ~` (what a Helm `with` block leaves when its list is empty) are no
//! env, to Kubernetes and to the engine; and in a flow container an `env: []` the injection filled
//! cannot be told from an `env` it added. Both cases leave nothing in the data to say what was
//! there, so the injection says it in a YAML comment on the `env` key's line:
//!
//! ```yaml
//!     env: # kubeopencode-inject: was null
//!     - name: OTEL_EXPORTER_OTLP_ENDPOINT
//!   - {name: a, image: b, env: [{name: OTEL_EXPORTER_OTLP_ENDPOINT, …}]} # kubeopencode-inject: was []
//! ```
//!
//! The note records the value text exactly (`empty` for an `env:` without one). A comment is never
//! data, and the note goes first on the line, before any comment of the input, which it keeps.
//! When a removal leaves the env empty and finds the note, it writes the recorded value back and
//! drops the note; otherwise the note stays. The note never decides what is removed: the plan
//! removes only what the engine recognises as the tool's block (`otel::find_block`).

use super::Op;
use super::flow;
use crate::yaml::tree::Node;

/// How the note starts; the recorded value follows.
pub(crate) const NOTE: &str = "# kubeopencode-inject: was ";

/// What the note records for an `env:` without a value.
const EMPTY: &str = "empty";

const BLANKS: [char; 2] = [' ', '\t'];

/// A value text the note may record: a plain null (`~`, `null`, `Null`, `NULL`) or an empty flow
/// list (`[]`, `[ ]`). Nothing else is ever written back.
fn recordable(v: &str) -> bool {
    matches!(v, "~" | "null" | "Null" | "NULL")
        || v.strip_prefix('[')
            .and_then(|v| v.strip_suffix(']'))
            .is_some_and(|inner| inner.trim_matches(BLANKS).is_empty())
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

/// A note at the start of the rest of a line: (the blanks before it, the recorded value, what
/// follows the value up to the line break: blanks, and the input's own comment).
fn read(rest: &str) -> Option<(&str, &str, &str)> {
    let lead = &rest[..rest.len() - rest.trim_start_matches(BLANKS).len()];
    let body = rest[lead.len()..].strip_prefix(NOTE)?;
    let v = split_comment(body).0.trim_end_matches(BLANKS);
    (!lead.is_empty() && (v == EMPTY || recordable(v))).then_some((lead, v, &body[v.len()..]))
}

/// The key line of an `env` whose null value the injection replaces by a block list: where the
/// text after the `:` starts, and that text as the injection writes it (the note, then what
/// followed the value: its blanks and comment). None when the value cannot be recorded (a tag, a
/// value on a line of its own): the line is then written without a note.
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
        return None;
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

/// The key line of a block `env` whose last entries a removal takes, when it holds a note: where
/// the text after the `:` starts, and that text as the input had it.
pub(super) fn block_restore(text: &str, key: &Node) -> Option<(usize, String)> {
    let at = after_colon(text, key)?;
    let (lead, v, after) = read(&text[at..content_end(text, at)])?;
    let out = if v == EMPTY {
        after.to_string()
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
    (free && recordable(v)).then(|| Op {
        start: close,
        end: close,
        text: format!(" {NOTE}{v}"),
    })
}

/// The note after a one-line flow container: the range it takes (from the `}` to the end of the
/// recorded value, so that what followed it in the input stays), and the recorded value.
pub(super) fn flow_restore<'t>(text: &'t str, container: &Node) -> Option<(usize, usize, &'t str)> {
    let (close, rest) = after_flow(text, container)?;
    let (lead, v, _) = read(rest)?;
    (v != EMPTY).then_some((close, close + lead.len() + NOTE.len() + v.len(), v))
}

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
        // A tag, or a null on a line of its own: no note.
        assert_eq!(cycle("env: !!null"), None);
        assert_eq!(cycle("env:\n    null"), None);
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
        assert_eq!(read(" # kubeopencode-inject: was "), None);
        assert_eq!(read("# kubeopencode-inject: was null"), None);
        assert_eq!(read(" # kubeopencode-inject: is null"), None);
        assert_eq!(read(" # mine # kubeopencode-inject: was null"), None);
    }
}
