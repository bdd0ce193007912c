//! Lints: the rule catalogue, findings, and the checks on the stream.
//!
//! Config lints live in [`config`]; stream lints (here) read a document's tree (for quoting), its
//! value after injection (what will run) and the engine's plans (drift, notes).

pub mod config;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::engine::Field;
use crate::engine::{self, Action, Doc, Outcome, Path, Seg, Severity, WorkloadPlan};
use crate::yaml::scalar::{Plain, resolve_plain};
use crate::yaml::tree::{Kind, Node, Style};

/// Every rule, with a stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    Crd,
    HeaderHelperCollision,
    ListSyntax,
    KubeletExpansion,
    DuplicateBuiltinAttribute,
    HeaderInlineAndSecret,
    InlineCredential,
    CleartextCredentials,
    GrpcEndpoint,
    RecordContent,
    Yaml11Ambiguous,
    UserOtelVar,
    DuplicateEnv,
    UnresolvedVarRef,
    ConfigContentNotObject,
    ConfigContentExperimentalReplaced,
    SecretNotFound,
    SecretInOtherNamespace,
    AgentNameUnknown,
    NamespaceFromDownwardApi,
    ExtraEnvMismatch,
    InvalidWorkload,
    InvalidInput,
    Drift,
}

impl Rule {
    pub const ALL: [Rule; 24] = [
        Rule::Crd,
        Rule::HeaderHelperCollision,
        Rule::ListSyntax,
        Rule::KubeletExpansion,
        Rule::DuplicateBuiltinAttribute,
        Rule::HeaderInlineAndSecret,
        Rule::InlineCredential,
        Rule::CleartextCredentials,
        Rule::GrpcEndpoint,
        Rule::RecordContent,
        Rule::Yaml11Ambiguous,
        Rule::UserOtelVar,
        Rule::DuplicateEnv,
        Rule::UnresolvedVarRef,
        Rule::ConfigContentNotObject,
        Rule::ConfigContentExperimentalReplaced,
        Rule::SecretNotFound,
        Rule::SecretInOtherNamespace,
        Rule::AgentNameUnknown,
        Rule::NamespaceFromDownwardApi,
        Rule::ExtraEnvMismatch,
        Rule::InvalidWorkload,
        Rule::InvalidInput,
        Rule::Drift,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::Crd => "crd",
            Rule::HeaderHelperCollision => "header-helper-collision",
            Rule::ListSyntax => "list-syntax",
            Rule::KubeletExpansion => "kubelet-expansion",
            Rule::DuplicateBuiltinAttribute => "duplicate-builtin-attribute",
            Rule::HeaderInlineAndSecret => "header-inline-and-secret",
            Rule::InlineCredential => "inline-credential",
            Rule::CleartextCredentials => "cleartext-credentials",
            Rule::GrpcEndpoint => "grpc-endpoint",
            Rule::RecordContent => "record-content",
            Rule::Yaml11Ambiguous => "yaml11-ambiguous",
            Rule::UserOtelVar => "user-otel-var",
            Rule::DuplicateEnv => "duplicate-env",
            Rule::UnresolvedVarRef => "unresolved-var-ref",
            Rule::ConfigContentNotObject => "config-content-not-object",
            Rule::ConfigContentExperimentalReplaced => "config-content-experimental-replaced",
            Rule::SecretNotFound => "secret-not-found",
            Rule::SecretInOtherNamespace => "secret-in-other-namespace",
            Rule::AgentNameUnknown => "agent-name-unknown",
            Rule::NamespaceFromDownwardApi => "namespace-from-downward-api",
            Rule::ExtraEnvMismatch => "extra-env-mismatch",
            Rule::InvalidWorkload => "invalid-workload",
            Rule::InvalidInput => "invalid-input",
            Rule::Drift => "drift",
        }
    }

    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }

    /// The default severity (some findings override it).
    pub fn severity(self) -> Severity {
        match self {
            Rule::Crd
            | Rule::HeaderHelperCollision
            | Rule::Yaml11Ambiguous
            | Rule::InvalidWorkload
            | Rule::InvalidInput
            | Rule::Drift => Severity::Error,
            Rule::NamespaceFromDownwardApi => Severity::Info,
            _ => Severity::Warning,
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            Rule::Crd => {
                "the API server would reject this KubeOpenCodeConfig; fix the field as the message says"
            }
            Rule::HeaderHelperCollision => {
                "rename the headers so that their names differ in letters or digits, not only in `-`, `.`, `_` or case"
            }
            Rule::ListSyntax => {
                "percent-encode `,` `=` and white space (OTel lists are comma-separated key=value pairs), and give every key and value some text"
            }
            Rule::KubeletExpansion => {
                "the kubelet replaces $(VAR) with VAR's value; write $$( to keep it literal"
            }
            Rule::DuplicateBuiltinAttribute => {
                "drop it: the controller sets this attribute itself, and SDKs disagree on which duplicate wins"
            }
            Rule::HeaderInlineAndSecret => {
                "remove `value` to use the Secret, or remove `valueFrom`"
            }
            Rule::InlineCredential => "store it in a Secret and use valueFrom.secretKeyRef",
            Rule::CleartextCredentials => {
                "use an https:// endpoint, or a collector on localhost (sidecar)"
            }
            Rule::GrpcEndpoint => {
                "point the endpoint at the collector's OTLP/HTTP receiver (port 4318)"
            }
            Rule::RecordContent => {
                "enable only in trusted environments with data handling policies in place"
            }
            Rule::Yaml11Ambiguous => {
                "quote the value: Kubernetes reads YAML 1.1, where this plain scalar is not a string"
            }
            Rule::UserOtelVar => {
                "remove the workload's own entry to let the KubeOpenCodeConfig decide, or keep it deliberately"
            }
            Rule::DuplicateEnv => {
                "keep one definition: the last one wins, and server-side apply rejects duplicates"
            }
            Rule::UnresolvedVarRef => {
                "define the variable earlier in the env list, or write $$( to keep it literal"
            }
            Rule::ConfigContentNotObject => {
                "OPENCODE_CONFIG_CONTENT must hold a JSON object; the controller replaces anything else"
            }
            Rule::ConfigContentExperimentalReplaced => {
                "include the Agent in the input if the entry comes from its extraEnv"
            }
            Rule::SecretNotFound => {
                "the kubelet resolves the Secret in the Pod's namespace: create it there"
            }
            Rule::SecretInOtherNamespace => {
                "create the Secret in every namespace that runs agents: the controller copies the secretKeyRef as it is, so the kubelet looks in the Pod's own namespace, not the controller's"
            }
            Rule::AgentNameUnknown => {
                "include the Task in the input, label the workload kubeopencode.io/agent, or pass --agent NAME"
            }
            Rule::NamespaceFromDownwardApi => "set metadata.namespace or pass -n NAMESPACE",
            Rule::ExtraEnvMismatch => {
                "regenerate the workload from its Agent, or leave the Agent out of the input"
            }
            Rule::InvalidWorkload => "fix the workload as the message says",
            Rule::InvalidInput => {
                "fix the file as the message says; the run could not continue (exit 2)"
            }
            Rule::Drift => {
                "run `kubeopencode-inject -c CONFIG -f FILE --in-place` (or regenerate the manifests) and commit the result"
            }
        }
    }

    /// One line for the catalogue.
    pub fn summary(self) -> &'static str {
        match self {
            Rule::Crd => "the KubeOpenCodeConfig breaks a rule of the CRD",
            Rule::HeaderHelperCollision => {
                "header names whose OTEL_HEADER_* helper names collide (credentials get mixed up)"
            }
            Rule::ListSyntax => {
                "header or attribute keys/values with `,` `=` or white space, or empty ones"
            }
            Rule::KubeletExpansion => "`$(` in an inline header or attribute value",
            Rule::DuplicateBuiltinAttribute => "a user resource attribute repeats a built-in key",
            Rule::HeaderInlineAndSecret => {
                "a header both inline and from a Secret (the Secret is ignored)"
            }
            Rule::InlineCredential => "an inline value for a header that looks like a credential",
            Rule::CleartextCredentials => {
                "Secret-backed headers sent to a non-loopback http:// endpoint"
            }
            Rule::GrpcEndpoint => "an endpoint on port 4317 or a gRPC-looking URL",
            Rule::RecordContent => "recordContent: true",
            Rule::Yaml11Ambiguous => {
                "a plain scalar Kubernetes reads as a non-string (error in env values, warning in labels/annotations)"
            }
            Rule::UserOtelVar => "a container sets an OTel-managed variable itself",
            Rule::DuplicateEnv => "duplicate env names in a container",
            Rule::UnresolvedVarRef => {
                "a $(VAR) that will not resolve (defined later or not at all)"
            }
            Rule::ConfigContentNotObject => "OPENCODE_CONFIG_CONTENT that is not a JSON object",
            Rule::ConfigContentExperimentalReplaced => {
                "the shallow merge replaces an existing `experimental` object"
            }
            Rule::SecretNotFound => {
                "a secretKeyRef whose Secret is not in the stream in the workload's namespace (info when the stream has no Secrets at all)"
            }
            Rule::SecretInOtherNamespace => {
                "a secretKeyRef whose Secret is in the stream, but only in other namespaces (e.g. the controller's)"
            }
            Rule::AgentNameUnknown => "the agent name cannot be derived",
            Rule::NamespaceFromDownwardApi => {
                "the namespace is read at runtime through the Downward API"
            }
            Rule::ExtraEnvMismatch => {
                "the end of a container's env does not match its Agent's extraEnv"
            }
            Rule::InvalidInput => {
                "the input cannot be read: syntax, encoding, limits, a missing file"
            }
            Rule::InvalidWorkload => {
                "a workload the tool cannot inject (or the controller would make invalid)"
            }
            Rule::Drift => "a selected workload whose injection is missing or stale",
        }
    }
}

/// Where a finding is, before it is resolved to a file position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A field of the config (dotted keys); `at_key` points at the key instead of the value.
    Config { path: Vec<String>, at_key: bool },
    /// A path in a document.
    Doc(Path),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub place: Place,
    /// `kind/ns/name` of the resource, for stream findings.
    pub resource: Option<String>,
}

impl Finding {
    pub fn new(rule: Rule, message: String, path: Vec<String>, at_key: bool) -> Self {
        Finding {
            rule,
            severity: rule.severity(),
            message,
            help: None,
            place: Place::Config { path, at_key },
            resource: None,
        }
    }

    fn doc(rule: Rule, message: String, place: Place, resource: Option<String>) -> Self {
        Finding {
            rule,
            severity: rule.severity(),
            message,
            help: None,
            place,
            resource,
        }
    }
}

/// The Secrets in the stream, by namespace.
#[derive(Debug, Clone, Default)]
pub struct SecretIndex {
    any: bool,
    names: BTreeSet<(String, String)>,
}

impl SecretIndex {
    /// The namespaces in which the stream has a Secret called `name`.
    fn namespaces_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.names
            .iter()
            .filter(move |(_, n)| n == name)
            .map(|(ns, _)| ns.as_str())
    }

    pub fn add(&mut self, v: &Value, default_ns: Option<&str>) {
        let kind = v.field("kind").and_then(Value::as_str);
        if kind.is_some_and(|k| k.ends_with("List")) {
            for item in v
                .field("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.add(item, default_ns);
            }
            return;
        }
        if kind == Some("Secret") && v.field("apiVersion").and_then(Value::as_str) == Some("v1") {
            let ns = engine::at(v, &["metadata", "namespace"])
                .and_then(Value::as_str)
                .or(default_ns)
                .unwrap_or_default();
            if let Some(name) = engine::at(v, &["metadata", "name"]).and_then(Value::as_str) {
                self.any = true;
                self.names.insert((ns.to_string(), name.to_string()));
            }
        }
    }
}

/// Quoting lint over a document's tree: env values (also `extraEnv` of Agents), labels and
/// annotations written as plain scalars that Kubernetes reads as something else than a string.
pub fn lint_quoting(root: &Node, resource: &str) -> Vec<Finding> {
    // Each node's place is kept as a step and its parent's index, so that a path is built only for
    // a finding: `check` walks every node of every document, and most have none.
    enum Step<'a> {
        Key(&'a str),
        Index(usize),
    }
    let path_of = |steps: &[(usize, Step)], mut at: usize, tail: &[Seg]| -> Path {
        let mut path = Vec::new();
        while at != 0 {
            let (parent, step) = &steps[at];
            path.push(match step {
                Step::Key(k) => Seg::Key(k.to_string().into()),
                Step::Index(i) => Seg::Index(*i),
            });
            at = *parent;
        }
        path.reverse();
        path.extend_from_slice(tail);
        path
    };
    let mut out = Vec::new();
    // Index 0 stands for the root (an empty path).
    let mut steps: Vec<(usize, Step)> = vec![(0, Step::Index(0))];
    let mut todo: Vec<(&Node, usize)> = vec![(root, 0)];
    while let Some((n, at)) = todo.pop() {
        match &n.kind {
            Kind::Map { entries, .. } => {
                for (k, v) in entries {
                    let Some(key) = k.as_str() else { continue };
                    steps.push((at, Step::Key(key)));
                    let here = steps.len() - 1;
                    match (key, &v.kind) {
                        ("env" | "extraEnv", Kind::Seq { items, .. }) => {
                            for (i, item) in items.iter().enumerate() {
                                if let Some(val) = item.get("value")
                                    && reads_as_other(val)
                                {
                                    let name =
                                        item.get("name").and_then(Node::as_str).unwrap_or("?");
                                    let vp = path_of(
                                        &steps,
                                        here,
                                        &[Seg::Index(i), Seg::Key("value".into())],
                                    );
                                    let what = format!("the value of env {name}");
                                    ambiguous(val, Severity::Error, &what, vp, resource, &mut out);
                                }
                            }
                        }
                        ("labels" | "annotations", Kind::Map { entries: inner, .. }) => {
                            for (lk, val) in inner {
                                let Some(lk) = lk.as_str() else { continue };
                                if !reads_as_other(val) {
                                    continue;
                                }
                                let vp = path_of(&steps, here, &[Seg::Key(lk.to_string().into())]);
                                let what = format!("{} `{lk}`", &key[..key.len() - 1]);
                                ambiguous(val, Severity::Warning, &what, vp, resource, &mut out);
                            }
                        }
                        _ => {}
                    }
                    todo.push((v, here));
                }
            }
            Kind::Seq { items, .. } => {
                for (i, item) in items.iter().enumerate() {
                    steps.push((at, Step::Index(i)));
                    todo.push((item, steps.len() - 1));
                }
            }
            _ => {}
        }
    }
    out
}

/// A plain scalar Kubernetes reads as something else than a string (what [`ambiguous`] reports).
fn reads_as_other(node: &Node) -> bool {
    matches!(&node.kind, Kind::Scalar { value, style: Style::Plain, tag: None }
        if !matches!(resolve_plain(value), Plain::Str))
}

fn ambiguous(
    node: &Node,
    severity: Severity,
    what: &str,
    path: Path,
    resource: &str,
    out: &mut Vec<Finding>,
) {
    let Kind::Scalar {
        value,
        style: Style::Plain,
        tag: None,
    } = &node.kind
    else {
        return;
    };
    let read_as = match resolve_plain(value) {
        Plain::Str => return,
        Plain::Null => "null".to_string(),
        Plain::Bool(b) => format!("the boolean {b}"),
        Plain::Int(i) => format!("the number {i}"),
        Plain::UInt(u) => format!("the number {u}"),
        Plain::Float(f) => format!("the number {f}"),
    };
    let help = engine::quote_advice(&path, value);
    let mut f = Finding::doc(
        Rule::Yaml11Ambiguous,
        format!(
            "{what} is written `{value}` without quotes; Kubernetes reads it as {read_as}, not the string \"{value}\""
        ),
        Place::Doc(path),
        Some(resource.to_string()),
    );
    f.severity = severity;
    f.help = Some(help);
    out.push(f);
}

fn note_rule(code: &str) -> Rule {
    Rule::from_id(code).unwrap_or(Rule::InvalidWorkload)
}

fn env_name(e: Doc<'_>) -> Option<&str> {
    e.field("name").and_then(Doc::as_str)
}

/// `$(NAME)` references in a value (not `$$(`).
fn var_refs(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'$' && b[i + 1] == b'$' {
            i += 2;
            continue;
        }
        if b[i] == b'$'
            && b[i + 1] == b'('
            && let Some(end) = s[i + 2..].find(')')
        {
            out.push(&s[i + 2..i + 2 + end]);
            i += 3 + end;
            continue;
        }
        i += 1;
    }
    out
}

fn is_service_link(name: &str) -> bool {
    name.ends_with("_SERVICE_HOST")
        || name.ends_with("_SERVICE_PORT")
        || name.contains("_PORT_")
        || name.ends_with("_PORT")
}

/// How a document handed to [`lint_workloads`] stands to its plans' edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edited {
    /// As read: each container's env is read as the edit would leave it, without writing the
    /// document (converting a workload's tree to a value and editing it was a fifth of `check`).
    No,
    /// The edits applied already ([`engine::apply`]): read as it is. How `check` read documents
    /// before; the in-place contract (`api::check_lints_as_applied`) compares the two.
    Yes,
}

/// Lints on the workloads of a document, as they run after injection.
pub fn lint_workloads(
    doc: Doc,
    edited: Edited,
    plans: &[WorkloadPlan],
    secrets: &SecretIndex,
    default_ns: Option<&str>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let applied = !plans
        .iter()
        .any(|p| matches!(p.outcome, Outcome::Failed(_)));
    for plan in plans {
        let resource = plan.resource.to_string();
        match &plan.outcome {
            Outcome::Skipped(_) => continue,
            Outcome::Failed(note) => {
                let mut f = Finding::doc(
                    Rule::InvalidWorkload,
                    note.message.clone(),
                    Place::Doc(note.path.clone()),
                    Some(resource.clone()),
                );
                f.help = note.help.clone();
                out.push(f);
                continue;
            }
            Outcome::Planned { action, edits } => {
                if !edits.is_empty() {
                    let what = match action {
                        Action::Injected => "the OpenTelemetry injection is missing",
                        Action::Removed => {
                            "an OpenTelemetry injection is present but the config disables it"
                        }
                        _ => "the OpenTelemetry injection is stale",
                    };
                    let names: Vec<&str> = edits.iter().map(|e| e.name.as_str()).collect();
                    out.push(Finding::doc(
                        Rule::Drift,
                        format!("{what} (containers: {})", names.join(", ")),
                        Place::Doc(edits[0].path.clone()),
                        Some(resource.clone()),
                    ));
                }
            }
        }
        for note in &plan.notes {
            let mut f = Finding::doc(
                note_rule(note.code),
                note.message.clone(),
                Place::Doc(note.path.clone()),
                Some(resource.clone()),
            );
            f.severity = note.severity;
            f.help = note.help.clone();
            out.push(f);
        }
        let Some(obj) = doc.get(&plan.object_path) else {
            continue;
        };
        let ns = obj
            .at(&["metadata", "namespace"])
            .and_then(Doc::as_str)
            .or(default_ns)
            .unwrap_or_default();
        let mut missing: BTreeMap<String, MissingSecret> = BTreeMap::new();
        for (cpath, container) in containers(obj, &plan.object_path) {
            let edit = plan.edits().iter().find(|e| e.path == cpath);
            let mut changed = Vec::new();
            let entries = env_after(container, edited, edit, &mut changed);
            let env = resolve(entries, &changed);
            let origins: Vec<Option<usize>> = match edit {
                // The container's env after the edit; map back to the original entries. A document
                // is not edited when one of its plans failed: its env is then the original one.
                Some(edit) if applied && env.len() == edit.len_after() => edit.origins(),
                _ => (0..env.len()).map(Some).collect(),
            };
            let ctx = ContainerCtx {
                path: &cpath,
                origins: &origins,
                ns,
                resource: &resource,
            };
            lint_container(container, &env, &ctx, secrets, &mut out, &mut missing);
        }
        for (secret, m) in missing {
            out.push(missing_secret(&secret, m, ns, secrets, &resource));
        }
    }
    out
}

/// An entry of a container's env after its edit.
enum Entry<'a> {
    /// Read from the document, or inserted by the edit.
    Read(Doc<'a>),
    /// An entry whose `value` the edit sets: the n-th of the changed entries.
    Changed(usize),
}

/// The env of `container` as the edit leaves it: what [`engine::apply`] writes, read without
/// writing it (in the edit's own order, [`engine::ContainerEdit::after`]). Entries whose value
/// the edit sets are copied into `changed`.
fn env_after<'a>(
    container: Doc<'a>,
    edited: Edited,
    edit: Option<&'a engine::ContainerEdit>,
    changed: &mut Vec<Value>,
) -> Vec<Entry<'a>> {
    let env = container.field("env").and_then(Doc::as_array);
    let edit = match (edited, edit) {
        (Edited::No, Some(edit)) => edit,
        _ => {
            return env
                .into_iter()
                .flat_map(|l| l.iter())
                .map(Entry::Read)
                .collect();
        }
    };
    let env = env.unwrap_or(engine::List::EMPTY);
    edit.after(env.len())
        .map(|a| match a {
            engine::After::Inserted(v) => Entry::Read(Doc::Json(v)),
            engine::After::Kept(i, Some(v)) if env.at(i).is_object() => {
                changed.push(engine::with_value(env.at(i).to_value(), v));
                Entry::Changed(changed.len() - 1)
            }
            engine::After::Kept(i, _) => Entry::Read(env.at(i)),
        })
        .collect()
}

/// The entries of [`env_after`], the changed ones read from where they were stored.
fn resolve<'a>(entries: Vec<Entry<'a>>, changed: &'a [Value]) -> Vec<Doc<'a>> {
    entries
        .into_iter()
        .map(|e| match e {
            Entry::Read(d) => d,
            Entry::Changed(i) => Doc::Json(&changed[i]),
        })
        .collect()
}

/// A Secret that a workload's env reads and the stream lacks in the workload's namespace.
struct MissingSecret {
    /// Who reads it (`NAME (env[i]) in `container``).
    readers: Vec<String>,
    place: Place,
    /// Every reference is `optional: true`: the kubelet starts the Pod without the variable.
    optional: bool,
}

/// The finding for a Secret that the stream lacks in namespace `ns`.
fn missing_secret(
    secret: &str,
    m: MissingSecret,
    ns: &str,
    secrets: &SecretIndex,
    resource: &str,
) -> Finding {
    let MissingSecret {
        readers: names,
        place,
        optional,
    } = m;
    let consequence = if optional {
        "the reference is optional, so the Pod starts without the variable and a `$(…)` that names it stays literal"
    } else {
        "the Pod fails with CreateContainerConfigError"
    };
    let who = format!(
        "{} {} Secret `{secret}`",
        names.join(", "),
        if names.len() == 1 { "reads" } else { "read" }
    );
    let elsewhere: Vec<String> = secrets
        .namespaces_of(secret)
        .filter(|other| !other.is_empty() && *other != ns)
        .map(|other| format!("`{other}`"))
        .collect();
    let resource = Some(resource.to_string());
    if !ns.is_empty() && !elsewhere.is_empty() {
        return Finding::doc(
            Rule::SecretInOtherNamespace,
            format!(
                "{who}, which the input has in namespace {} but not in `{ns}`, where the kubelet looks it up ({consequence})",
                elsewhere.join(", ")
            ),
            place,
            resource,
        );
    }
    let mut f = Finding::doc(
        Rule::SecretNotFound,
        format!(
            "{who}, which is not in the input in {}",
            if ns.is_empty() {
                "the Pod's namespace (not set: pass -n)".to_string()
            } else {
                format!("namespace `{ns}`")
            }
        ),
        place,
        resource,
    );
    if !secrets.any {
        f.severity = Severity::Info;
        f.message.push_str(" (the input has no Secrets at all)");
    }
    f
}

struct ContainerCtx<'a> {
    path: &'a Path,
    /// Original index of each env entry (None: injected by the tool).
    origins: &'a [Option<usize>],
    ns: &'a str,
    resource: &'a str,
}

impl ContainerCtx<'_> {
    /// Where env entry `i` (after injection) is in the source: the entry itself, or for an
    /// injected entry the container's `env` (or the container when it had none).
    fn place(&self, i: usize, field: Option<&str>) -> (Place, bool) {
        let mut p = self.path.clone();
        match self.origins.get(i).copied().flatten() {
            Some(orig) => {
                p.extend([Seg::Key("env".into()), Seg::Index(orig)]);
                if let Some(f) = field {
                    p.push(Seg::Key(f.to_string().into()));
                }
                (Place::Doc(p), false)
            }
            None => (Place::Doc(p), true),
        }
    }
}

fn containers<'a>(obj: Doc<'a>, base: &Path) -> Vec<(Path, Doc<'a>)> {
    let spec_paths: [&[&str]; 3] = [
        &["spec"],
        &["spec", "template", "spec"],
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ];
    let mut out = Vec::new();
    let kind = obj.field("kind").and_then(Doc::as_str).unwrap_or_default();
    let sp: &[&str] = match kind {
        "Pod" => spec_paths[0],
        "CronJob" => spec_paths[2],
        _ => spec_paths[1],
    };
    let mut p = base.clone();
    p.extend(sp.iter().map(|s| Seg::Key(s.to_string().into())));
    let Some(spec) = obj.at(sp) else {
        return out;
    };
    for list in ["initContainers", "containers"] {
        for (i, c) in spec
            .field(list)
            .and_then(Doc::as_array)
            .into_iter()
            .flat_map(|l| l.iter())
            .enumerate()
        {
            let mut cp = p.clone();
            cp.extend([Seg::Key(list.to_string().into()), Seg::Index(i)]);
            out.push((cp, c));
        }
    }
    out
}

/// The lints of one container, whose env (after the edit) is `env`.
fn lint_container(
    c: Doc,
    env: &[Doc],
    ctx: &ContainerCtx,
    secrets: &SecretIndex,
    out: &mut Vec<Finding>,
    missing: &mut BTreeMap<String, MissingSecret>,
) {
    let cname = c.field("name").and_then(Doc::as_str).unwrap_or("?");
    let has_env_from = c
        .field("envFrom")
        .is_some_and(|e| e.as_array().is_some_and(|a| a.len() > 0));
    let resource = Some(ctx.resource.to_string());
    let label = |i: usize, name: &str| {
        if ctx.origins.get(i).copied().flatten().is_some() {
            format!("{name} (env[{}])", ctx.origins[i].unwrap_or(i))
        } else {
            format!("the injected {name}")
        }
    };
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, e) in env.iter().enumerate() {
        let Some(name) = env_name(*e) else { continue };
        if let Some(&first) = seen.get(name) {
            let injected = |j: usize| ctx.origins.get(j).copied().flatten().is_none();
            if injected(first) || injected(i) {
                // A workload setting an injected variable itself: `user-otel-var` says which wins.
                continue;
            }
            let (place, _) = ctx.place(i, Some("name"));
            out.push(Finding::doc(
                Rule::DuplicateEnv,
                format!(
                    "container `{cname}` defines {name} twice: {} and {}; the later one wins",
                    label(first, name),
                    label(i, name)
                ),
                place,
                resource.clone(),
            ));
        } else {
            seen.insert(name, i);
        }
        if let Some(v) = e.field("value").and_then(Doc::as_str) {
            for var in var_refs(v) {
                if env[..i].iter().any(|x| env_name(*x) == Some(var)) {
                    continue;
                }
                let later = env[i + 1..]
                    .iter()
                    .position(|x| env_name(*x) == Some(var))
                    .map(|j| i + 1 + j);
                let message = match later {
                    Some(j) => format!(
                        "container `{cname}`: {} refers to $({var}), which is defined later ({}); the kubelet leaves it literal",
                        label(i, name),
                        label(j, var)
                    ),
                    None if has_env_from || is_service_link(var) => continue,
                    None => format!(
                        "container `{cname}`: {} refers to $({var}), which is not defined; the kubelet leaves it literal",
                        label(i, name)
                    ),
                };
                let (place, _) = ctx.place(i, Some("value"));
                out.push(Finding::doc(
                    Rule::UnresolvedVarRef,
                    message,
                    place,
                    resource.clone(),
                ));
            }
            if name == engine::otel::CONFIG_CONTENT
                && !matches!(
                    crate::gojson::decode(v),
                    Ok(crate::gojson::GoValue::Object(_))
                )
            {
                let (place, _) = ctx.place(i, Some("value"));
                out.push(Finding::doc(
                    Rule::ConfigContentNotObject,
                    format!(
                        "container `{cname}`: {} is not a JSON object",
                        label(i, name)
                    ),
                    place,
                    resource.clone(),
                ));
            }
        }
        if let Some(secret) = e
            .at(&["valueFrom", "secretKeyRef", "name"])
            .and_then(Doc::as_str)
            && !secrets
                .names
                .contains(&(ctx.ns.to_string(), secret.to_string()))
        {
            let (place, _) = ctx.place(i, Some("valueFrom"));
            let entry = missing
                .entry(secret.to_string())
                .or_insert_with(|| MissingSecret {
                    readers: Vec::new(),
                    place,
                    optional: true,
                });
            entry.optional &= e
                .at(&["valueFrom", "secretKeyRef", "optional"])
                .and_then(Doc::as_bool)
                == Some(true);
            let who = format!("{} in `{cname}`", label(i, name));
            if !entry.readers.contains(&who) {
                entry.readers.push(who);
            }
        }
    }
}

/// The lint catalogue as a Markdown table (docs/check.md embeds it; a test keeps it current).
pub fn catalogue_markdown() -> String {
    let mut s =
        String::from("| id | default severity | what | help |\n| --- | --- | --- | --- |\n");
    for r in Rule::ALL {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            r.id(),
            r.severity().as_str(),
            r.summary().replace('|', "\\|"),
            r.help().replace('|', "\\|")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_refs_skip_escapes() {
        assert_eq!(var_refs("a=$(A),b=$$(B),c=$(C)"), vec!["A", "C"]);
        assert!(var_refs("$(").is_empty());
    }

    #[test]
    fn rule_ids_are_unique_and_round_trip() {
        let ids: BTreeSet<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        assert_eq!(ids.len(), Rule::ALL.len());
        for r in Rule::ALL {
            assert_eq!(Rule::from_id(r.id()), Some(r));
        }
    }
}
