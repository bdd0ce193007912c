//! The injection engine: pure functions from (config, stream facts, options, object) to an edit plan.
//!
//! No I/O, no printing, no serializer: the engine reads a `serde_json::Value` and returns, per
//! workload and per container, which env entries to remove, which values to set and what to insert
//! where. Renderers apply the plan: one re-serialises the object, another splices the source text so
//! comments and formatting survive. Every front end (pipe, diff, check, KRM function) shares this.

pub mod context;
pub mod otel;
pub mod selector;

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::config::OpenTelemetry;
use crate::gojson::{self, GoValue, Merge};
pub use context::StreamContext;
use context::{SourceFacts, SourceKind};
use otel::{CONFIG_CONTENT, Identity, Known, LLM_TRACES_JSON, POD_NAME, POD_NAMESPACE};
pub use selector::Selector;

pub const TASK_LABEL: &str = "kubeopencode.io/task";
pub const AGENT_LABEL: &str = "kubeopencode.io/agent";
pub const DEFAULT_CONTAINER_ANNOTATION: &str = "kubectl.kubernetes.io/default-container";

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

/// One step of a path inside a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
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

fn key(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

pub fn get<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get(k.as_str()),
        Seg::Index(i) => v.get(*i),
    })
}

pub fn get_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get_mut(k.as_str()),
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
    pub fn of(obj: &Value) -> ResourceId {
        let s = |p: &str| obj.pointer(p).and_then(Value::as_str);
        ResourceId {
            kind: s("/kind").unwrap_or("<no kind>").to_string(),
            namespace: s("/metadata/namespace").map(str::to_string),
            name: s("/metadata/name")
                .map(str::to_string)
                .or_else(|| s("/metadata/generateName").map(|g| format!("{g}*")))
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

/// The advice for a scalar that Kubernetes reads as something else than a string: quote exactly
/// what was written, so that `value: on` stays the string "on". One source for every front end.
pub fn quote_advice(written: &str) -> String {
    let escaped = written.replace('\\', "\\\\").replace('"', "\\\"");
    format!("quote it: \"{escaped}\"")
}

/// The env edits for one container. Indexes refer to the container's env *before* the edit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContainerEdit {
    /// `containers` or `initContainers`.
    pub list: &'static str,
    pub index: usize,
    pub name: String,
    /// Path of the container object in the document.
    pub path: Path,
    /// False when the container has no `env` key yet.
    pub env_present: bool,
    /// How many entries the env had when the edit was planned (the indexes below refer to them).
    pub env_len: usize,
    /// Entries to delete (ascending).
    pub remove: Vec<usize>,
    /// New `value` strings for existing entries.
    pub set_value: Vec<(usize, String)>,
    /// Entries to insert before the given index (`len` = at the end), ascending.
    pub insert: Vec<(usize, Vec<Value>)>,
}

impl ContainerEdit {
    pub fn is_empty(&self) -> bool {
        self.remove.is_empty() && self.set_value.is_empty() && self.insert.is_empty()
    }

    /// How many entries the env has after the edit.
    pub fn len_after(&self) -> usize {
        let kept = (0..self.env_len)
            .filter(|i| !self.remove.contains(i))
            .count();
        kept + self.insert.iter().map(|(_, e)| e.len()).sum::<usize>()
    }

    /// For each entry of the edited env list, the index it had before the edit (None: inserted).
    /// Computed from the length the edit was planned against, never from a caller's arithmetic on
    /// a list that may or may not hold the edit.
    pub fn origins(&self) -> Vec<Option<usize>> {
        let len = self.env_len;
        let mut out = Vec::with_capacity(self.len_after());
        for i in 0..=len {
            for (at, entries) in &self.insert {
                if *at == i {
                    out.extend(std::iter::repeat_n(None, entries.len()));
                }
            }
            if i < len && !self.remove.contains(&i) {
                out.push(Some(i));
            }
        }
        out
    }

    /// The env list after the edit.
    pub fn apply(&self, env: &[Value]) -> Vec<Value> {
        let mut out =
            Vec::with_capacity(env.len() + self.insert.iter().map(|(_, v)| v.len()).sum::<usize>());
        for i in 0..=env.len() {
            for (at, entries) in &self.insert {
                if *at == i {
                    out.extend(entries.iter().cloned());
                }
            }
            if i < env.len() && !self.remove.contains(&i) {
                let mut e = env[i].clone();
                if let Some((_, v)) = self.set_value.iter().find(|(j, _)| *j == i)
                    && let Some(obj) = e.as_object_mut()
                {
                    obj.insert("value".into(), Value::String(v.clone()));
                }
                out.push(e);
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Injected,
    Updated,
    Removed,
    Unchanged,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Pod-bearing, but not selected.
    Skipped(String),
    Planned {
        action: Action,
        edits: Vec<ContainerEdit>,
    },
    /// The workload cannot be injected; the note says why and how to fix it.
    Failed(Note),
}

/// The plan for one workload (a document, or an item of a List).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadPlan {
    /// Where the object is in its document (empty, or `items[i]`).
    pub object_path: Path,
    pub resource: ResourceId,
    pub outcome: Outcome,
    pub notes: Vec<Note>,
}

impl WorkloadPlan {
    pub fn edits(&self) -> &[ContainerEdit] {
        match &self.outcome {
            Outcome::Planned { edits, .. } => edits,
            _ => &[],
        }
    }
}

/// Where the pod spec of a pod-bearing kind is.
fn pod_template(obj: &Value) -> Option<&'static [&'static str]> {
    let api = obj
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let group = api.rsplit_once('/').map_or("", |(g, _)| g);
    let kind = obj.get("kind").and_then(Value::as_str)?;
    match (group, kind) {
        ("", "Pod") => Some(&[]),
        ("", "ReplicationController")
        | ("apps" | "extensions", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("batch", "Job") => Some(&["spec", "template"]),
        ("batch", "CronJob") => Some(&["spec", "jobTemplate", "spec", "template"]),
        _ => None,
    }
}

fn is_list(obj: &Value) -> bool {
    obj.get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && obj.get("items").is_some_and(Value::is_array)
}

fn labels(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// What kind of KubeOpenCode workload an object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A Pod built for a Task: main container `agent`.
    TaskPod,
    /// A workload built for an Agent (server Deployment): main container `opencode-server`.
    AgentServer,
    /// Anything else that was selected.
    Other,
}

impl Role {
    fn main_container(self) -> Option<&'static str> {
        match self {
            Role::TaskPod => Some("agent"),
            Role::AgentServer => Some("opencode-server"),
            Role::Other => None,
        }
    }
}

/// The pieces of an object the engine reads.
struct Workload<'a> {
    obj: &'a Value,
    is_pod: bool,
    /// Path of the pod template (or the Pod itself) inside the object.
    template: Vec<Seg>,
    meta_labels: BTreeMap<String, String>,
    template_labels: BTreeMap<String, String>,
    selector_labels: BTreeMap<String, String>,
    task_name: Option<String>,
}

impl<'a> Workload<'a> {
    fn new(obj: &'a Value, template: &[&str]) -> Self {
        let template: Vec<Seg> = template.iter().map(|s| key(s)).collect();
        let is_pod = template.is_empty();
        let meta_labels = labels(obj.pointer("/metadata/labels"));
        let mut tpath = template.clone();
        tpath.extend([key("metadata"), key("labels")]);
        let template_labels = labels(get(obj, &tpath));
        let selector_labels = labels(obj.pointer("/spec/selector/matchLabels"));
        let task_name = if is_pod {
            let owner = obj
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .and_then(|refs| {
                    refs.iter().find(|r| {
                        r.get("kind").and_then(Value::as_str) == Some("Task")
                            && r.get("controller").and_then(Value::as_bool) == Some(true)
                    })
                })
                .and_then(|r| r.get("name").and_then(Value::as_str))
                .map(str::to_string);
            owner.or_else(|| meta_labels.get(TASK_LABEL).cloned())
        } else {
            None
        };
        Workload {
            obj,
            is_pod,
            template,
            meta_labels,
            template_labels,
            selector_labels,
            task_name,
        }
    }

    fn agent_label(&self) -> Option<&String> {
        self.selector_labels
            .get(AGENT_LABEL)
            .or_else(|| self.template_labels.get(AGENT_LABEL))
            .or_else(|| self.meta_labels.get(AGENT_LABEL))
    }

    fn role(&self) -> Role {
        if self.task_name.is_some() {
            Role::TaskPod
        } else if self.agent_label().is_some() {
            Role::AgentServer
        } else {
            Role::Other
        }
    }

    fn spec_path(&self) -> Path {
        let mut p = self.template.clone();
        p.push(key("spec"));
        p
    }

    fn namespace(&self) -> Option<&str> {
        self.obj
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
    }
}

/// Plans every workload in a document (the object itself, or the items of a List).
pub fn plan_document(
    doc: &Value,
    otel: Option<&OpenTelemetry>,
    ctx: &StreamContext,
    opts: &Options,
) -> Vec<WorkloadPlan> {
    let mut out = Vec::new();
    if is_list(doc) {
        if let Some(items) = doc.get("items").and_then(Value::as_array) {
            for (i, item) in items.iter().enumerate() {
                if let Some(mut plan) = plan_object(item, otel, ctx, opts) {
                    prefix(&mut plan, vec![key("items"), Seg::Index(i)]);
                    out.push(plan);
                }
            }
        }
    } else if let Some(plan) = plan_object(doc, otel, ctx, opts) {
        out.push(plan);
    }
    out
}

fn prefix(plan: &mut WorkloadPlan, pre: Path) {
    let with = |p: &mut Path| {
        let mut v = pre.clone();
        v.append(p);
        *p = v;
    };
    with(&mut plan.object_path);
    for n in &mut plan.notes {
        with(&mut n.path);
    }
    match &mut plan.outcome {
        Outcome::Planned { edits, .. } => {
            for e in edits {
                with(&mut e.path);
            }
        }
        Outcome::Failed(n) => with(&mut n.path),
        Outcome::Skipped(_) => {}
    }
}

/// Plans one object; None when it carries no pod spec.
pub fn plan_object(
    obj: &Value,
    otel: Option<&OpenTelemetry>,
    ctx: &StreamContext,
    opts: &Options,
) -> Option<WorkloadPlan> {
    let template = pod_template(obj)?;
    let w = Workload::new(obj, template);
    let resource = ResourceId::of(obj);
    let selected = if let Some(sel) = &opts.selector {
        sel.matches(&w.meta_labels)
            .then_some(())
            .ok_or_else(|| format!("labels do not match the selector `{sel}`"))
    } else if opts.all || w.role() != Role::Other {
        Ok(())
    } else {
        Err("not a KubeOpenCode agent workload (select it with --all or -l)".to_string())
    };
    if let Err(reason) = selected {
        return Some(WorkloadPlan {
            object_path: vec![],
            resource,
            outcome: Outcome::Skipped(reason),
            notes: vec![],
        });
    }
    let mut notes = Vec::new();
    let outcome = match plan_workload(&w, otel, ctx, opts, &mut notes) {
        Ok(o) => o,
        Err(note) => Outcome::Failed(note),
    };
    Some(WorkloadPlan {
        object_path: vec![],
        resource,
        outcome,
        notes,
    })
}

fn fail(path: Path, message: String, help: Option<String>) -> Note {
    Note {
        severity: Severity::Error,
        code: "invalid-workload",
        message,
        help,
        path,
        quote: false,
    }
}

/// The systemContainers field whose extraEnv the controller appends to an init container.
fn system_container_type(name: &str) -> Option<&'static str> {
    match name {
        "opencode-init" => Some("openCodeInit"),
        "context-init" => Some("contextInit"),
        "plugin-init" => Some("pluginInit"),
        n if n.starts_with("git-init-") => Some("gitInit"),
        n if n.starts_with("git-sync-") => Some("gitSync"),
        _ => None,
    }
}

fn identity(
    w: &Workload,
    ctx: &StreamContext,
    opts: &Options,
    notes: &mut Vec<Note>,
) -> (Identity, Option<(SourceKind, String, String)>) {
    let literal_ns = w.namespace().or(opts.namespace.as_deref());
    let namespace = match literal_ns {
        Some(ns) => Known::Literal(ns.to_string()),
        None => {
            notes.push(Note {
                severity: Severity::Info,
                code: "namespace-from-downward-api",
                message: "the namespace is not in the manifest; it is read at runtime through the Downward API (OTEL_POD_NAMESPACE)".into(),
                help: Some("set metadata.namespace or pass -n NAMESPACE to write it literally, as the controller does".into()),
                path: vec![key("metadata")],
            quote: false,
});
            Known::Downward(POD_NAMESPACE)
        }
    };
    let ns = literal_ns.unwrap_or_default();
    let task = w.task_name.as_deref().and_then(|t| ctx.task(ns, t));
    let (agent_name, source) = match (task, w.role()) {
        (Some(t), _) => (
            Some(t.agent_name.clone()),
            t.source.clone().map(|(k, n)| (k, ns.to_string(), n)),
        ),
        (None, role) => {
            let label = w.agent_label().cloned();
            let source = label
                .clone()
                .map(|n| (SourceKind::Agent, ns.to_string(), n));
            let name = label.or_else(|| opts.agent.clone());
            (
                name,
                source.filter(|_| role != Role::Other || opts.all || opts.selector.is_some()),
            )
        }
    };
    let agent_name = agent_name.unwrap_or_else(|| {
        notes.push(Note {
            severity: Severity::Warning,
            code: "agent-name-unknown",
            message: "agent name unknown: kubeopencode.agent.name will be empty".into(),
            help: Some("include the Task in the input, label the workload kubeopencode.io/agent, or pass --agent NAME".into()),
            path: vec![key("metadata")],
        quote: false,
});
        String::new()
    });
    let pod_name = match w.obj.pointer("/metadata/name").and_then(Value::as_str) {
        Some(n) if w.is_pod && !n.is_empty() => Known::Literal(n.to_string()),
        _ => Known::Downward(POD_NAME),
    };
    (
        Identity {
            task_name: w.task_name.clone(),
            namespace,
            agent_name,
            pod_name,
        },
        source,
    )
}

/// A container the block goes into.
struct Target<'a> {
    list: &'static str,
    index: usize,
    name: String,
    container: &'a Value,
    /// Gets the OPENCODE_CONFIG_CONTENT treatment.
    main: bool,
}

fn targets<'a>(
    w: &Workload<'a>,
    spec: &'a Value,
    spec_path: &Path,
    opts: &Options,
) -> Result<Vec<Target<'a>>, Note> {
    let mut all = Vec::new();
    for list in ["containers", "initContainers"] {
        let Some(v) = spec.get(list) else { continue };
        let mut p = spec_path.clone();
        p.push(key(list));
        let items = v.as_array().ok_or_else(|| {
            fail(
                p.clone(),
                format!("`{list}` must be a list of containers"),
                None,
            )
        })?;
        for (i, c) in items.iter().enumerate() {
            let mut cp = p.clone();
            cp.push(Seg::Index(i));
            let name = c.get("name").and_then(Value::as_str).ok_or_else(|| {
                fail(
                    cp.clone(),
                    "a container without a `name`".into(),
                    Some("every container needs a name".into()),
                )
            })?;
            all.push(Target {
                list,
                index: i,
                name: name.to_string(),
                container: c,
                main: false,
            });
        }
    }
    let regular = || all.iter().filter(|t| t.list == "containers");
    let main_name: Option<String> = if !opts.containers.is_empty() {
        for wanted in &opts.containers {
            if !all.iter().any(|t| &t.name == wanted) {
                return Err(fail(
                    spec_path.clone(),
                    format!("no container named `{wanted}` (from --container)"),
                    Some(format!(
                        "containers here: {}",
                        all.iter()
                            .map(|t| t.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ));
            }
        }
        regular()
            .find(|t| opts.containers.contains(&t.name))
            .map(|t| t.name.clone())
    } else {
        let by_role = w
            .role()
            .main_container()
            .filter(|m| regular().any(|t| t.name == *m));
        let mut ann_path = w.template.clone();
        ann_path.extend([
            key("metadata"),
            key("annotations"),
            key(DEFAULT_CONTAINER_ANNOTATION),
        ]);
        let annotated = get(w.obj, &ann_path)
            .and_then(Value::as_str)
            .filter(|a| regular().any(|t| t.name == *a));
        by_role
            .map(str::to_string)
            .or_else(|| annotated.map(str::to_string))
            .or_else(|| regular().next().map(|t| t.name.clone()))
    };
    let mut chosen: Vec<Target> = all
        .into_iter()
        .filter(|t| {
            if opts.containers.is_empty() {
                t.list == "initContainers" || Some(&t.name) == main_name.as_ref()
            } else {
                opts.containers.contains(&t.name)
            }
        })
        .collect();
    for t in &mut chosen {
        t.main = t.list == "containers" && Some(&t.name) == main_name.as_ref();
    }
    // The controller handles init containers in their order, then the main container; order of
    // planning does not matter for the output, but keep containers first for reports.
    chosen.sort_by_key(|t| (t.list != "containers", t.index));
    Ok(chosen)
}

fn env_name(e: &Value) -> Option<&str> {
    e.get("name").and_then(Value::as_str)
}

/// Checks the env list of a container the engine is about to edit.
fn check_env<'a>(c: &'a Value, cpath: &Path) -> Result<Option<&'a [Value]>, Note> {
    let cname = c.get("name").and_then(Value::as_str).unwrap_or("?");
    let mut p = cpath.clone();
    p.push(key("env"));
    let Some(env) = c.get("env") else {
        return Ok(None);
    };
    if env.is_null() {
        return Ok(None);
    }
    let entry_help = "write each entry as `- name: NAME` with `value: \"...\"` or `valueFrom: ...`";
    let env = env.as_array().ok_or_else(|| {
        fail(
            p.clone(),
            format!(
                "container `{cname}`: `env` must be a list of {{name, value}} entries, found {}",
                kind_of(env)
            ),
            Some(entry_help.into()),
        )
    })?;
    for (i, e) in env.iter().enumerate() {
        let mut ep = p.clone();
        ep.push(Seg::Index(i));
        if !e.is_object() {
            return Err(fail(
                ep,
                format!(
                    "container `{cname}`: env[{i}] must be a mapping with a `name`, found {}",
                    kind_of(e)
                ),
                Some(entry_help.into()),
            ));
        }
        match e.get("name") {
            Some(Value::String(_)) => {}
            Some(other) => {
                ep.push(key("name"));
                return Err(quote_fix(
                    ep,
                    format!(
                        "container `{cname}`: env[{i}].name must be a string, found {} {other}",
                        kind_of(other)
                    ),
                    other,
                    entry_help,
                ));
            }
            None => {
                return Err(fail(
                    ep,
                    format!("container `{cname}`: env[{i}] has no `name`"),
                    Some(entry_help.into()),
                ));
            }
        }
        if let Some(v) = e.get("value")
            && !v.is_string()
            && !v.is_null()
        {
            ep.push(key("value"));
            return Err(quote_fix(
                ep,
                format!(
                    "container `{cname}`: env value must be a string, found {} {v}",
                    kind_of(v)
                ),
                v,
                entry_help,
            ));
        }
    }
    Ok(Some(env.as_slice()))
}

/// An error whose fix, for a scalar, is to quote what the user wrote (see [`Note::quote`]).
fn quote_fix(path: Path, message: String, found: &Value, otherwise: &str) -> Note {
    let scalar = !(found.is_array() || found.is_object());
    let help = if scalar {
        quote_advice(&found.to_string())
    } else {
        otherwise.to_string()
    };
    Note {
        quote: scalar,
        ..fail(path, message, Some(help))
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "the boolean",
        Value::Number(_) => "the number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// How many entries at the end of a container's env came from the Agent's extraEnv.
fn tail_len(
    source: Option<&SourceFacts>,
    t: &Target,
    env: &[Value],
    cpath: &Path,
    notes: &mut Vec<Note>,
) -> usize {
    let Some(s) = source else { return 0 };
    let mut expected: Vec<&Value> = s.extra_env.iter().collect();
    if t.list == "initContainers"
        && let Some(extra) = system_container_type(&t.name).and_then(|k| s.system_env.get(k))
    {
        expected.extend(extra.iter());
    }
    if expected.is_empty() {
        return 0;
    }
    let n = expected.len();
    let matches = env.len() >= n
        && env[env.len() - n..]
            .iter()
            .zip(&expected)
            .all(|(a, b)| env_name(a) == env_name(b));
    if matches {
        n
    } else {
        notes.push(Note {
            severity: Severity::Warning,
            code: "extra-env-mismatch",
            message: format!(
                "container `{}`: the end of its env does not match the Agent's extraEnv ({} {}); the block is appended at the end",
                t.name,
                n,
                if n == 1 { "entry" } else { "entries" }
            ),
            help: Some("regenerate the workload from its Agent, or drop the Agent from the input".into()),
            path: cpath.clone(),
        quote: false,
});
        0
    }
}

fn llm_flag() -> GoValue {
    GoValue::Object(BTreeMap::from([(
        "openTelemetry".to_string(),
        GoValue::Bool(true),
    )]))
}

/// A container whose block edit is planned, before the OPENCODE_CONFIG_CONTENT step.
struct Pending<'a> {
    edit: ContainerEdit,
    env: &'a [Value],
    /// End of the entries that come before the Agent's extraEnv.
    region_end: usize,
    /// The block found in the env, if any.
    old: Option<std::ops::Range<usize>>,
}

fn plan_workload(
    w: &Workload,
    otel: Option<&OpenTelemetry>,
    ctx: &StreamContext,
    opts: &Options,
    notes: &mut Vec<Note>,
) -> Result<Outcome, Note> {
    let spec_path = w.spec_path();
    let spec = get(w.obj, &spec_path)
        .filter(|s| s.is_object())
        .ok_or_else(|| {
            fail(
                spec_path.clone(),
                "the pod spec is missing or not a mapping".into(),
                None,
            )
        })?;
    let targets = targets(w, spec, &spec_path, opts)?;
    let (id, source_key) = match otel {
        Some(_) => identity(w, ctx, opts, notes),
        None => (
            Identity {
                task_name: None,
                namespace: Known::Literal(String::new()),
                agent_name: String::new(),
                pod_name: Known::Literal(String::new()),
            },
            None,
        ),
    };
    let source = source_key
        .as_ref()
        .and_then(|(k, ns, n)| ctx.source(*k, ns, n));
    let block = otel.map(|o| otel::build_block(o, &id)).unwrap_or_default();
    let llm = otel.is_some_and(|o| o.enable_llm_traces);

    let mut edits = Vec::new();
    let mut had_block = false;
    let mut pending: Vec<Pending> = Vec::new();
    for t in &targets {
        let mut cpath = spec_path.clone();
        cpath.extend([key(t.list), Seg::Index(t.index)]);
        let env = check_env(t.container, &cpath)?;
        let env_present = env.is_some();
        let env = env.unwrap_or(&[]);
        let old = otel::find_block(env);
        had_block |= old.is_some();
        let tail = tail_len(source.as_ref(), t, env, &cpath, notes);
        let at = old.as_ref().map_or(env.len() - tail, |r| r.start);
        let mut edit = ContainerEdit {
            list: t.list,
            index: t.index,
            name: t.name.clone(),
            path: cpath.clone(),
            env_present,
            env_len: env.len(),
            ..Default::default()
        };
        if otel.is_some() {
            let unchanged = old.as_ref().is_some_and(|r| env[r.clone()] == block[..]);
            if !unchanged {
                if let Some(r) = &old {
                    edit.remove.extend(r.clone());
                }
                edit.insert.push((at, block.clone()));
            }
            warn_user_settings(t, env, old.as_ref(), at, &cpath, &block, notes);
        } else if let Some(r) = &old {
            edit.remove.extend(r.clone());
        }
        pending.push(Pending {
            edit,
            env,
            region_end: env.len() - tail,
            old,
        });
    }
    for Pending {
        mut edit,
        env,
        region_end,
        old,
    } in pending
    {
        let t_main = targets
            .iter()
            .any(|t| t.main && t.list == edit.list && t.index == edit.index);
        if t_main {
            let region: Vec<usize> = (0..region_end)
                .filter(|i| !edit.remove.contains(i))
                .collect();
            let first = region
                .iter()
                .copied()
                .find(|&i| env_name(&env[i]) == Some(CONFIG_CONTENT));
            if otel.is_some() && llm {
                plan_llm_merge(&mut edit, env, first, old.as_ref(), notes)?;
                warn_shadowing_config(&edit, env, first, region_end, notes);
            } else if let Some(r) = &old
                // The flag is taken back only where an injection can have put it: in a container
                // whose block was recognised, from the entry it merged into (before the block) or
                // the one it added (right after it), and only from a value exactly as the merge
                // writes it (Go's compact encoding, flag included). Anything else is the user's.
                && let Some(i) = first.filter(|&i| i < r.start || i == r.end)
                && let Some(Value::String(v)) = env[i].get("value")
                && gojson::merge_config_content(v, LLM_TRACES_JSON) == Merge::Value(v.clone())
                && let Some(rest) = gojson::remove_top_level_key(v, "experimental", &llm_flag())
            {
                if rest == "{}" && i == r.end {
                    // The entry the injection added.
                    edit.remove.push(i);
                    edit.remove.sort_unstable();
                } else {
                    edit.set_value.push((i, rest));
                }
            }
        }
        if !edit.is_empty() {
            validate_result(&edit, env)?;
            edits.push(edit);
        }
    }
    let action = match (edits.is_empty(), otel.is_some(), had_block) {
        (true, _, _) => Action::Unchanged,
        (false, false, _) => Action::Removed,
        (false, true, true) => Action::Updated,
        (false, true, false) => Action::Injected,
    };
    Ok(Outcome::Planned { action, edits })
}

fn plan_llm_merge(
    edit: &mut ContainerEdit,
    env: &[Value],
    first: Option<usize>,
    old: Option<&std::ops::Range<usize>>,
    notes: &mut Vec<Note>,
) -> Result<(), Note> {
    let Some(i) = first else {
        let entry = serde_json::json!({"name": CONFIG_CONTENT, "value": LLM_TRACES_JSON});
        match edit.insert.last_mut() {
            Some((_, entries)) => entries.push(entry),
            None => {
                // The block is unchanged: put the entry right after it.
                let at = old.map_or(env.len(), |r| r.end);
                edit.insert.push((at, vec![entry]));
            }
        }
        return Ok(());
    };
    let mut path = edit.path.clone();
    path.extend([key("env"), Seg::Index(i)]);
    if env[i].get("valueFrom").is_some() {
        return Err(Note {
            severity: Severity::Error,
            code: "config-content-from-valuefrom",
            message: format!(
                "container `{}` takes OPENCODE_CONFIG_CONTENT from valueFrom; with enableLLMTraces the controller writes a value beside it, and the API server rejects the Pod",
                edit.name
            ),
            help: Some(
                "give OPENCODE_CONFIG_CONTENT a literal JSON value, or turn enableLLMTraces off"
                    .into(),
            ),
            path,
            quote: false,
        });
    }
    let existing = env[i]
        .get("value")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match gojson::merge_config_content(existing, LLM_TRACES_JSON) {
        Merge::ExistingIsNull => Err(Note {
            severity: Severity::Error,
            code: "config-content-null",
            message: format!(
                "container `{}`: OPENCODE_CONFIG_CONTENT is JSON null; the controller crashes merging into it",
                edit.name
            ),
            help: Some("use `{}` (or remove the entry) instead of null".into()),
            path,
            quote: false,
        }),
        Merge::Value(merged) => {
            if let Ok(GoValue::Object(m)) = gojson::decode(existing)
                && let Some(exp) = m.get("experimental").filter(|e| **e != llm_flag())
            {
                notes.push(Note {
                        severity: Severity::Warning,
                        code: "config-content-experimental-replaced",
                        message: format!(
                            "container `{}`: OPENCODE_CONFIG_CONTENT already sets experimental ({}); the controller's shallow merge replaces it with {{\"openTelemetry\":true}}",
                            edit.name,
                            gojson::encode(exp)
                        ),
                        help: Some("if this entry comes from the Agent's extraEnv, include the Agent in the input: the controller then adds its own entry before it instead".into()),
                        path: path.clone(),
                    quote: false,
});
            }
            if merged != existing {
                edit.set_value.push((i, merged));
            }
            Ok(())
        }
    }
}

fn warn_shadowing_config(
    edit: &ContainerEdit,
    env: &[Value],
    first: Option<usize>,
    region_end: usize,
    notes: &mut Vec<Note>,
) {
    for (i, e) in env.iter().enumerate().skip(region_end) {
        if env_name(e) == Some(CONFIG_CONTENT) && Some(i) != first {
            let mut path = edit.path.clone();
            path.extend([key("env"), Seg::Index(i)]);
            notes.push(Note {
                severity: Severity::Warning,
                code: "user-otel-var",
                message: format!(
                    "container `{}` sets OPENCODE_CONFIG_CONTENT itself (env[{i}]) after the injected one; it wins at runtime and LLM traces stay off unless it sets experimental.openTelemetry",
                    edit.name
                ),
                help: Some("add \"experimental\": {\"openTelemetry\": true} to it, or move it into the Agent's context".into()),
                path,
            quote: false,
});
        }
    }
}

fn warn_user_settings(
    t: &Target,
    env: &[Value],
    old: Option<&std::ops::Range<usize>>,
    at: usize,
    cpath: &Path,
    block: &[Value],
    notes: &mut Vec<Note>,
) {
    for (i, e) in env.iter().enumerate() {
        if old.is_some_and(|r| r.contains(&i)) {
            continue;
        }
        let Some(name) = env_name(e) else { continue };
        let in_block = block.iter().any(|b| env_name(b) == Some(name));
        if !(in_block || otel::is_managed_name(name)) {
            continue;
        }
        let (order, winner) = if !in_block {
            (
                "not in the injected block",
                "the KubeOpenCodeConfig does not set it here, so its own value applies",
            )
        } else if i >= at {
            ("after the injected block", "its own value wins at runtime")
        } else {
            (
                "before the injected block",
                "the injected value wins at runtime",
            )
        };
        let mut path = cpath.clone();
        path.extend([key("env"), Seg::Index(i)]);
        notes.push(Note {
            severity: Severity::Warning,
            code: "user-otel-var",
            message: format!(
                "container `{}` sets {name} itself (env[{i}], {order}): {winner}",
                t.name
            ),
            help: Some(format!(
                "remove env[{i}] to let the KubeOpenCodeConfig decide, or keep it deliberately"
            )),
            path,
            quote: false,
        });
    }
}

/// Every entry the edit writes must be a valid Kubernetes EnvVar.
fn validate_result(edit: &ContainerEdit, env: &[Value]) -> Result<(), Note> {
    let mut written: Vec<(Value, Path)> = Vec::new();
    for (_, entries) in &edit.insert {
        for e in entries {
            written.push((e.clone(), edit.path.clone()));
        }
    }
    for (i, v) in &edit.set_value {
        let mut e = env[*i].clone();
        if let Some(o) = e.as_object_mut() {
            o.insert("value".into(), Value::String(v.clone()));
        }
        let mut p = edit.path.clone();
        p.extend([key("env"), Seg::Index(*i)]);
        written.push((e, p));
    }
    for (e, path) in written {
        let problem = match serde_json::from_value::<k8s_openapi::api::core::v1::EnvVar>(e.clone())
        {
            Err(err) => Some(format!("not a valid EnvVar: {err}")),
            Ok(ev) if ev.name.is_empty() => Some("an env entry without a name".into()),
            Ok(ev) if ev.value.is_some() && ev.value_from.is_some() => {
                Some(format!("{} would have both value and valueFrom", ev.name))
            }
            Ok(ev) if ev.name.contains('=') || ev.name.chars().any(|c| !c.is_ascii_graphic()) => {
                Some(format!("`{}` is not a valid env var name", ev.name))
            }
            Ok(_) => None,
        };
        if let Some(message) = problem {
            return Err(fail(
                path,
                format!("container `{}`: {message}", edit.name),
                None,
            ));
        }
    }
    Ok(())
}

/// Applies plans to a document (the normalising renderer's edit step).
pub fn apply(doc: &mut Value, plans: &[WorkloadPlan]) {
    for plan in plans {
        for edit in plan.edits() {
            let Some(c) = get_mut(doc, &edit.path) else {
                continue;
            };
            let env = c
                .get("env")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let new = edit.apply(env);
            if let Some(obj) = c.as_object_mut() {
                if new.is_empty() && (!edit.env_present || !edit.remove.is_empty()) {
                    // Nothing left (or nothing to add): no `env` key, as before the injection.
                    obj.remove("env");
                    continue;
                }
                obj.insert("env".into(), Value::Array(new));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn origins_follow_the_length_the_edit_was_planned_against() {
        let edit = ContainerEdit {
            env_len: 3,
            remove: vec![1],
            insert: vec![(0, vec![json!({})]), (3, vec![json!({}), json!({})])],
            ..Default::default()
        };
        assert_eq!(edit.len_after(), 5);
        assert_eq!(
            edit.origins(),
            vec![None, Some(0), Some(2), None, None],
            "inserted entries are None, kept ones their old index"
        );
        let env: Vec<Value> = (0..3).map(|i| json!({"name": i.to_string()})).collect();
        assert_eq!(edit.apply(&env).len(), edit.len_after());
    }
}
