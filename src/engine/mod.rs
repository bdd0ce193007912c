//! The injection engine: pure functions from (config, stream facts, options, object) to an edit plan.
//!
//! No I/O, no printing, no serializer: the engine reads a [`Doc`] (a `serde_json::Value`, or a YAML
//! tree read in place) and returns, per workload and per container, which env entries to remove,
//! which values to set and what to insert where. Renderers apply the plan: one re-serialises the
//! object, another splices the source text so comments and formatting survive. Every front end
//! (pipe, diff, check, KRM function) shares this.
//!
//! By concept: `doc` (what it reads), `plan` (the plan types, and planning a document), `workload`
//! (what an object is and who it runs as), `target` (which containers get the block, and checking
//! their env), `llm` (the OPENCODE_CONFIG_CONTENT step), `apply` (plans applied to a document),
//! [`otel`] (the block itself), [`context`] (facts from the rest of the stream), [`selector`]
//! (label selectors). This file holds the vocabulary they share: paths in a document, resource
//! ids, notes.

mod apply;
pub mod context;
mod doc;
mod llm;
pub mod otel;
mod plan;
pub mod selector;
mod target;
mod workload;

use std::fmt;

use serde_json::Value;

pub use apply::{After, apply, with_value};
pub use context::StreamContext;
pub(crate) use doc::{Doc, List};
pub use plan::{Action, ContainerEdit, Outcome, WorkloadPlan, plan_document};
pub use selector::Selector;

/// How workloads and containers are chosen, and identity fallbacks.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Select every pod-bearing workload, not only KubeOpenCode agents.
    pub all: bool,
    /// Select workloads whose labels match (replaces the default selection).
    pub selector: Option<Selector>,
    /// Exactly these containers (regular or init) get the block.
    pub containers: Vec<String>,
    /// Agent name when neither a Task nor a label tells it.
    pub agent: Option<String>,
    /// Namespace for objects without `metadata.namespace`.
    pub namespace: Option<String>,
}

/// One step of a path inside a document. A key is nearly always one of the engine's own names
/// (`spec`, `env`…): borrowed, so that building and cloning paths allocates nothing for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(std::borrow::Cow<'static, str>),
    Index(usize),
}

impl fmt::Display for Seg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seg::Key(k) => write!(f, ".{k}"),
            Seg::Index(i) => write!(f, "[{i}]"),
        }
    }
}

pub type Path = Vec<Seg>;

pub fn path_string(path: &[Seg]) -> String {
    let s: String = path.iter().map(Seg::to_string).collect();
    s.strip_prefix('.').map(str::to_string).unwrap_or(s)
}

pub(crate) fn key(k: &'static str) -> Seg {
    Seg::Key(std::borrow::Cow::Borrowed(k))
}

/// A key of a mapping, found by comparing it with each key in turn when there are few: serde_json's
/// maps hash every key looked up with SipHash, which costs more than a handful of comparisons, and
/// most mappings of a manifest (an env entry, a container's `valueFrom`) hold two or three keys.
/// IndexMap lookups were a tenth of a run's instructions, most of them the engine's.
pub(crate) trait Field {
    fn field(&self, key: &str) -> Option<&Value>;
}

/// Above this many keys a mapping is looked up by hash.
const SCAN_KEYS: usize = 8;

impl Field for serde_json::Map<String, Value> {
    fn field(&self, key: &str) -> Option<&Value> {
        if self.len() <= SCAN_KEYS {
            self.iter().find_map(|(k, v)| (k == key).then_some(v))
        } else {
            self.get(key)
        }
    }
}

impl Field for Value {
    fn field(&self, key: &str) -> Option<&Value> {
        self.as_object()?.field(key)
    }
}

/// The value at a path of keys: what `Value::pointer("/a/b")` finds, without its cost (it
/// splits the pointer and allocates two unescaped copies of every segment: 7% of the
/// instructions of a run, the engine asking it a dozen times per workload).
pub fn at<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(v, |v, k| v.field(k))
}

pub fn get<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.field(k),
        Seg::Index(i) => v.get(*i),
    })
}

pub fn get_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get_mut(k.as_ref()),
        Seg::Index(i) => v.get_mut(*i),
    })
}

/// kind/namespace/name of an object, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceId {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ResourceId {
    pub fn of<'a>(obj: impl Into<Doc<'a>>) -> ResourceId {
        let obj = obj.into();
        let s = |keys: &[&str]| obj.at(keys).and_then(Doc::as_str);
        ResourceId {
            kind: s(&["kind"]).unwrap_or("<no kind>").to_string(),
            namespace: s(&["metadata", "namespace"]).map(str::to_string),
            name: s(&["metadata", "name"])
                .map(str::to_string)
                .or_else(|| s(&["metadata", "generateName"]).map(|g| format!("{g}*")))
                .unwrap_or_else(|| "<unnamed>".to_string()),
        }
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/", self.kind.to_ascii_lowercase())?;
        if let Some(ns) = &self.namespace {
            write!(f, "{ns}/")?;
        }
        f.write_str(&self.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Something the engine wants the user to know, located by a path in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub severity: Severity,
    /// Stable identifier, e.g. `user-otel-var`.
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub path: Path,
    /// The fix is to quote the scalar at `path`. Only the layer that has the document's text knows
    /// what the user wrote (`on`, not the boolean it reads as): it renders the help from that with
    /// [`quote_advice`]; `help` is the same advice from the parsed value, for when no text is kept.
    pub quote: bool,
}

/// The advice for a scalar that Kubernetes reads as something else than a string, at `path`:
/// quote exactly what was written, so that `value: on` becomes `value: "on"` (not `"true"`).
/// One source for every front end.
pub fn quote_advice(path: &[Seg], written: &str) -> String {
    let escaped = written.replace('\\', "\\\\").replace('"', "\\\"");
    match path.last() {
        Some(Seg::Key(k)) => format!("quote it: {k}: \"{escaped}\""),
        _ => format!("quote it: \"{escaped}\""),
    }
}

pub(crate) fn fail(path: Path, message: String, help: Option<String>) -> Note {
    Note {
        severity: Severity::Error,
        code: "invalid-workload",
        message,
        help,
        path,
        quote: false,
    }
}
