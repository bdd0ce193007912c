//! The contract between the YAML fast path (`yaml::fast::parse`) and the full parser
//! (`yaml::tree::parse_full`), checked on one document; `tests/fast_parse.rs` and
//! `tests/kubectl_reader.rs` run it over corpora, mutations and generated documents.

use std::fmt::Write as _;

use crate::yaml::fast;
use crate::yaml::tree::{Document, Kind, Limits, Node, parse_full};

/// The fast path's contract on one document: whenever `yaml::fast::parse` returns a tree, the
/// full parser (`yaml::tree::parse_full`) succeeds on the same text and returns an equal tree
/// (every span, style and value), and the fast path says whether the tree reads in place as the
/// walk of `tree::reads_in_place` does. `max_depth` replaces the default depth limit. Returns
/// whether the fast path took the document, or a description of the violation (where the trees
/// first differ).
pub fn check_fast_path(text: &str, max_depth: Option<usize>) -> Result<bool, String> {
    let mut limits = Limits::default();
    if let Some(d) = max_depth {
        limits.max_depth = d;
    }
    let limits = &limits;
    let Some(fast) = fast::parse(text, limits) else {
        return Ok(false);
    };
    match parse_full(text, limits) {
        Err(e) => Err(format!(
            "the fast path accepted a document the full parser rejects ({e}):\n{text:?}"
        )),
        Ok(full) if full.root != fast.root => Err(format!(
            "the trees differ, {}\ndocument:\n{text:?}",
            describe(&fast, &full)
        )),
        Ok(full) => {
            let walked = full
                .root
                .as_ref()
                .is_some_and(crate::yaml::tree::reads_in_place);
            if fast.in_place != Some(walked) {
                return Err(format!(
                    "the fast path says the tree reads in place: {:?}, the walk: {walked}\n\
                     document:\n{text:?}",
                    fast.in_place
                ));
            }
            Ok(true)
        }
    }
}

/// Where two trees first differ: a path and both nodes' headers.
fn first_difference(a: &Node, b: &Node, path: &str, out: &mut String) -> bool {
    let header = |n: &Node| {
        let kind = match &n.kind {
            Kind::Scalar { value, style, tag } => format!("scalar {value:?} {style:?} {tag:?}"),
            Kind::Seq { items, flow } => format!("seq of {} flow={flow}", items.len()),
            Kind::Map { entries, flow } => format!("map of {} flow={flow}", entries.len()),
            Kind::Alias(i) => format!("alias {i}"),
        };
        format!("{:?} anchor {} {kind}", n.pos, n.anchor)
    };
    let same_shape = match (&a.kind, &b.kind) {
        (Kind::Seq { items: x, flow: f }, Kind::Seq { items: y, flow: g }) => {
            x.len() == y.len() && f == g
        }
        (
            Kind::Map {
                entries: x,
                flow: f,
            },
            Kind::Map {
                entries: y,
                flow: g,
            },
        ) => x.len() == y.len() && f == g,
        (x, y) => x == y,
    };
    if a.pos != b.pos || a.anchor != b.anchor || !same_shape {
        let _ = write!(
            out,
            "at {path}:\n  fast: {}\n  full: {}",
            header(a),
            header(b)
        );
        return true;
    }
    match (&a.kind, &b.kind) {
        (Kind::Seq { items: x, .. }, Kind::Seq { items: y, .. }) => x
            .iter()
            .zip(y)
            .enumerate()
            .any(|(i, (p, q))| first_difference(p, q, &format!("{path}[{i}]"), out)),
        (Kind::Map { entries: x, .. }, Kind::Map { entries: y, .. }) => x
            .iter()
            .zip(y)
            .enumerate()
            .any(|(i, ((k1, v1), (k2, v2)))| {
                first_difference(k1, k2, &format!("{path}.key{i}"), out)
                    || first_difference(v1, v2, &format!("{path}.{i}"), out)
            }),
        _ => false,
    }
}

fn describe(fast: &Document, full: &Document) -> String {
    match (&fast.root, &full.root) {
        (Some(a), Some(b)) => {
            let mut out = String::new();
            first_difference(a, b, "root", &mut out);
            out
        }
        (a, b) => format!(
            "root: fast {:?} / full {:?}",
            a.as_ref().map(|n| n.pos),
            b.as_ref().map(|n| n.pos)
        ),
    }
}
