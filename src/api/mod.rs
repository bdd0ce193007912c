//! The public facade: what the integration tests (`tests/`), the benchmark (`benches/engine.rs`)
//! and the fuzz target (`fuzz/`) use of the library, and nothing else. Every other module is
//! `pub(crate)`; the binary needs only [`run`](super::run). It is hidden from the crate's docs
//! because it promises no stability: it changes with the tests.
//!
//! The rule for adding to it: a test goes through the binary (`tests/common::run`) when it can,
//! then through a coarse function here, and only then gets an internal item re-exported. The
//! items, and who needs them:
//!
//! Whole checks, kept in the library so the callers need none of their internals:
//! - [`check_stream`]: the body of the `stream` fuzz target (`fuzz/`), also replayed on the corpus
//!   by `tests/props.rs`.
//! - [`check_fast_path`]: the fast path's contract with the full parser, on one document
//!   (`tests/fast_parse.rs`, `tests/kubectl_reader.rs`).
//! - [`check_in_place`]: the contract that lets the engine read a YAML tree in place, on one
//!   document (`tests/in_place.rs`).
//!
//! The program's own definitions, which the docs must match:
//! - [`cli_command`]: the clap definition, for the man pages (`tests/man.rs`); it lives in the
//!   command layer, the only one that knows the command line.
//! - [`rule_ids`], [`lint_catalogue_markdown`]: the lint catalogue (`tests/cli_check.rs`,
//!   `tests/sarif.rs`, `tests/docs.rs`).
//!
//! Reading YAML as the tool reads it (tests compare what the binary writes with what it read):
//! - [`split_yaml`]: the documents of a stream (`tests/common`, `tests/realworld.rs`,
//!   `tests/props.rs`, `tests/fast_parse.rs`, `tests/kubectl_reader.rs`, `tests/format_support`,
//!   the benchmark); its chunks carry their byte `range` and first `line`.
//! - [`parse_document`] and [`Parsed`]: one document's value (and tree), the callers above.
//! - [`parse_tree`], [`Node`], [`Kind`], [`Style`]: one document's tree with its spans, for the
//!   layout checks of `tests/format_support` (which lines may change); [`parse_tree_full`] is the
//!   full parser alone, for the benchmark's fast-against-full groups.
//! - [`plain_scalar`]: what a plain scalar reads as under YAML 1.1, for comparing with kubectl's
//!   YAML 1.2 output (`tests/kubectl_reader.rs`).
//!
//! Writing YAML, to generate manifests (`tests/props.rs`, `tests/ownership.rs`):
//! - [`emit_document`], [`EmitOptions`].
//!
//! The injection, at the engine (for property tests with too many cases for a process each, and
//! for the benchmark):
//! - [`is_managed_name`]: the env names the block owns (`tests/conformance.rs`,
//!   `tests/format_support`).
//! - [`find_block`]: whether an env list holds an injected block already, to generate lists that do
//!   not (`tests/props.rs`).
//! - [`OpenTelemetry`], [`HeaderSource`], [`SecretKeyRef`]: the settings as plain data, built
//!   directly by `tests/ownership.rs` (also settings the CRD would refuse, like a blank endpoint);
//!   [`read_config`] reads them from a KubeOpenCodeConfig document (the benchmark).
//! - [`build_block`]: the env entries the controller writes for one workload
//!   (`tests/ownership.rs`).
//! - [`Engine`] and [`Plans`]: plan one document, apply the plans to its value or splice them into
//!   its text (`tests/ownership.rs`, the benchmark).

mod fast_path;
mod in_place;
mod stream_check;

use serde_json::Value;

use crate::config::{self, KubeOpenCodeConfig};
use crate::engine::otel::{self, Identity, Known, POD_NAME, POD_NAMESPACE};
use crate::engine::{self, Options, Outcome, StreamContext, WorkloadPlan};
use crate::render;
use crate::yaml::scalar::{Plain, resolve_plain};
use crate::yaml::tree::{self, Limits};

pub use self::fast_path::check_fast_path;
pub use self::in_place::{check_in_place, check_lints_as_applied};
pub use self::stream_check::check_stream;
pub use crate::commands::cli_command;
pub use crate::config::{HeaderSource, OpenTelemetry, SecretKeyRef};
pub use crate::engine::otel::{find_block, is_managed_name};
pub use crate::lint::catalogue_markdown as lint_catalogue_markdown;
pub use crate::yaml::emit::{EmitOptions, emit_document};
pub use crate::yaml::stream::split_yaml;
pub use crate::yaml::tree::{Kind, Node, Style};

/// The id of every lint rule, in catalogue order.
pub fn rule_ids() -> Vec<&'static str> {
    crate::lint::Rule::ALL.iter().map(|r| r.id()).collect()
}

/// One document (a chunk of [`split_yaml`]), parsed with the default limits: its tree and value.
pub struct Parsed {
    root: Option<Node>,
    value: Value,
}

impl Parsed {
    /// The document's value, as Kubernetes reads it (YAML 1.1 plain scalars, merge keys).
    pub fn value(&self) -> &Value {
        &self.value
    }

    pub fn into_value(self) -> Value {
        self.value
    }

    /// The document's tree; `None` for a document without content.
    pub fn root(&self) -> Option<&Node> {
        self.root.as_ref()
    }
}

/// Parses one document as the tool does (the fast path when it can), with the default limits; the
/// error is located (`… at line L column C`).
pub fn parse_document(text: &str) -> Result<Parsed, String> {
    let (doc, value) = tree::parse_value(text, &Limits::default()).map_err(|e| e.to_string())?;
    Ok(Parsed {
        root: doc.root,
        value,
    })
}

/// One document's tree, as the tool reads it (the fast path when it can); `None` without content.
pub fn parse_tree(text: &str) -> Result<Option<Node>, String> {
    tree::parse(text, &Limits::default())
        .map(|d| d.root)
        .map_err(|e| e.to_string())
}

/// [`parse_tree`] with the full parser alone (libyaml's reader), never the fast path.
pub fn parse_tree_full(text: &str) -> Result<Option<Node>, String> {
    tree::parse_full(text, &Limits::default())
        .map(|d| d.root)
        .map_err(|e| e.to_string())
}

/// What the plain scalar `s` reads as under YAML 1.1 (go-yaml v2, the Kubernetes API path); a
/// float JSON cannot hold (NaN, infinities) reads as null.
pub fn plain_scalar(s: &str) -> Value {
    match resolve_plain(s) {
        Plain::Null => Value::Null,
        Plain::Bool(b) => Value::Bool(b),
        Plain::Int(i) => i.into(),
        Plain::UInt(u) => u.into(),
        Plain::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        Plain::Str => Value::String(s.to_string()),
    }
}

/// The OpenTelemetry settings of a KubeOpenCodeConfig document, checked against the CRD as `-c`
/// checks them; `None` when observability is off.
pub fn read_config(doc: &Value) -> Result<Option<OpenTelemetry>, String> {
    let (cfg, _tolerated): (KubeOpenCodeConfig, _) = config::from_value(doc).map_err(|issues| {
        issues
            .iter()
            .map(|i| format!("{}: {}", i.path_string(), i.message))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    Ok(cfg.active().cloned())
}

/// The env entries the controller writes into one container, in order. The pod name and the
/// namespace are the manifest's, or `None` when the kubelet fills them in (the block then starts
/// with the Downward API helpers); `task` is the Task of a Task Pod.
pub fn build_block(
    otel: &OpenTelemetry,
    pod_name: Option<&str>,
    namespace: Option<&str>,
    agent: &str,
    task: Option<&str>,
) -> Vec<Value> {
    let known =
        |v: Option<&str>, helper| v.map_or(Known::Downward(helper), |s| Known::Literal(s.into()));
    let id = Identity {
        task_name: task.map(str::to_string),
        namespace: known(namespace, POD_NAMESPACE),
        agent_name: agent.to_string(),
        pod_name: known(pod_name, POD_NAME),
    };
    otel::build_block(otel, &id)
}

/// The engine with one config (`None`: observability off, which removes injections) and the
/// binary's selection flags, planning documents one at a time (no stream context).
pub struct Engine {
    otel: Option<OpenTelemetry>,
    ctx: StreamContext,
    opts: Options,
}

impl Engine {
    /// `all` is `--all`; `agent` is `--agent`.
    pub fn new(otel: Option<OpenTelemetry>, all: bool, agent: Option<&str>) -> Engine {
        Engine {
            otel,
            ctx: StreamContext::default(),
            opts: Options {
                all,
                agent: agent.map(str::to_string),
                ..Options::default()
            },
        }
    }

    /// Plans every workload of a document (the object, or the items of a List).
    pub fn plan(&self, doc: &Value) -> Plans {
        Plans(engine::plan_document(
            doc,
            self.otel.as_ref(),
            &self.ctx,
            &self.opts,
        ))
    }
}

/// The plans for one document.
pub struct Plans(Vec<WorkloadPlan>);

impl Plans {
    /// The first workload the engine refuses, and why.
    pub fn failure(&self) -> Option<String> {
        self.0
            .iter()
            .find(|p| matches!(p.outcome, Outcome::Failed(_)))
            .map(|p| format!("{:?}", p.outcome))
    }

    /// Applies the plans to the document's value.
    pub fn apply(&self, doc: &mut Value) {
        engine::apply(doc, &self.0);
    }

    /// Edits the document's text (`root` is its tree) as the binary does; the error is why the text
    /// cannot be edited in place (the binary then re-emits the document).
    pub fn splice(&self, text: &str, root: &Node) -> Result<String, String> {
        render::splice(text, root, &self.0).map_err(|render::Fallback(why)| why)
    }
}
