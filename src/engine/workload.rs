//! What an object is: where its pod spec is, whether it is a Task Pod or an Agent's server, and
//! the identity (task, namespace, agent, pod name) its block is written for.

use std::collections::BTreeMap;

use super::Doc;
use super::context::{SourceKind, StreamContext};
use super::otel::{Identity, Known, POD_NAME, POD_NAMESPACE};
use super::{Note, Options, Path, Seg, Severity, key};

pub const TASK_LABEL: &str = "kubeopencode.io/task";

pub const AGENT_LABEL: &str = "kubeopencode.io/agent";

/// Where the pod spec of a pod-bearing kind is.
pub(crate) fn pod_template(obj: Doc) -> Option<&'static [&'static str]> {
    let api = obj
        .field("apiVersion")
        .and_then(Doc::as_str)
        .unwrap_or_default();
    let group = api.rsplit_once('/').map_or("", |(g, _)| g);
    let kind = obj.field("kind").and_then(Doc::as_str)?;
    match (group, kind) {
        ("", "Pod") => Some(&[]),
        ("", "ReplicationController")
        | ("apps" | "extensions", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("batch", "Job") => Some(&["spec", "template"]),
        ("batch", "CronJob") => Some(&["spec", "jobTemplate", "spec", "template"]),
        _ => None,
    }
}

pub(crate) fn is_list(obj: Doc) -> bool {
    obj.field("kind")
        .and_then(Doc::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && obj.field("items").is_some_and(Doc::is_array)
}

fn labels(v: Option<Doc>) -> BTreeMap<String, String> {
    v.and_then(Doc::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.to_string(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// What kind of KubeOpenCode workload an object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A Pod built for a Task: main container `agent`.
    TaskPod,
    /// A workload built for an Agent (server Deployment): main container `opencode-server`.
    AgentServer,
    /// Anything else that was selected.
    Other,
}

impl Role {
    pub(crate) fn main_container(self) -> Option<&'static str> {
        match self {
            Role::TaskPod => Some("agent"),
            Role::AgentServer => Some("opencode-server"),
            Role::Other => None,
        }
    }
}

/// The pieces of an object the engine reads.
pub(crate) struct Workload<'a> {
    pub(crate) obj: Doc<'a>,
    is_pod: bool,
    /// Path of the pod template (or the Pod itself) inside the object.
    pub(crate) template: Vec<Seg>,
    pub(crate) meta_labels: BTreeMap<String, String>,
    template_labels: BTreeMap<String, String>,
    selector_labels: BTreeMap<String, String>,
    task_name: Option<String>,
}

impl<'a> Workload<'a> {
    pub(crate) fn new(obj: impl Into<Doc<'a>>, template: &[&'static str]) -> Self {
        let obj = obj.into();
        let template: Vec<Seg> = template.iter().map(|s| key(s)).collect();
        let is_pod = template.is_empty();
        let meta_labels = labels(obj.at(&["metadata", "labels"]));
        let mut tpath = template.clone();
        tpath.extend([key("metadata"), key("labels")]);
        let template_labels = labels(obj.get(&tpath));
        let selector_labels = labels(obj.at(&["spec", "selector", "matchLabels"]));
        let task_name = if is_pod {
            let owner = obj
                .at(&["metadata", "ownerReferences"])
                .and_then(Doc::as_array)
                .and_then(|refs| {
                    refs.iter().find(|r| {
                        r.field("kind").and_then(Doc::as_str) == Some("Task")
                            && r.field("controller").and_then(Doc::as_bool) == Some(true)
                    })
                })
                .and_then(|r| r.field("name").and_then(Doc::as_str))
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

    pub(crate) fn role(&self) -> Role {
        if self.task_name.is_some() {
            Role::TaskPod
        } else if self.agent_label().is_some() {
            Role::AgentServer
        } else {
            Role::Other
        }
    }

    pub(crate) fn spec_path(&self) -> Path {
        let mut p = self.template.clone();
        p.push(key("spec"));
        p
    }

    fn namespace(&self) -> Option<&str> {
        self.obj
            .at(&["metadata", "namespace"])
            .and_then(Doc::as_str)
    }
}

pub(crate) fn identity(
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
    let pod_name = match w.obj.at(&["metadata", "name"]).and_then(Doc::as_str) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn pod_specs_of_the_pod_bearing_kinds() {
        let at = |api: &str, kind: &str| {
            pod_template((&json!({"apiVersion": api, "kind": kind})).into())
        };
        assert_eq!(at("v1", "Pod"), Some(&[][..]));
        assert_eq!(at("apps/v1", "Deployment"), Some(&["spec", "template"][..]));
        assert_eq!(
            at("extensions/v1beta1", "DaemonSet"),
            Some(&["spec", "template"][..])
        );
        assert_eq!(
            at("batch/v1", "CronJob"),
            Some(&["spec", "jobTemplate", "spec", "template"][..])
        );
        // Same kind, another group: a CRD, not a workload.
        assert_eq!(at("example.com/v1", "Deployment"), None);
        assert_eq!(at("v1", "ConfigMap"), None);
    }

    #[test]
    fn roles_from_the_task_owner_and_the_agent_label() {
        let pod = |meta: Value| json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta});
        let owned =
            pod(json!({"ownerReferences": [{"kind": "Task", "name": "t", "controller": true}]}));
        assert_eq!(Workload::new(&owned, &[]).role(), Role::TaskPod);
        assert_eq!(Workload::new(&owned, &[]).task_name.as_deref(), Some("t"));
        // Not the controller: the label decides.
        let not_controller = pod(json!({"ownerReferences": [{"kind": "Task", "name": "t"}]}));
        assert_eq!(Workload::new(&not_controller, &[]).role(), Role::Other);
        let deploy = json!({"spec": {"selector": {"matchLabels": {AGENT_LABEL: "coder"}}}});
        let w = Workload::new(&deploy, &["spec", "template"]);
        assert_eq!(
            (w.role(), w.agent_label().map(String::as_str)),
            (Role::AgentServer, Some("coder"))
        );
    }

    #[test]
    fn identity_reads_at_runtime_what_the_manifest_does_not_say() {
        let opts = Options::default();
        let ctx = StreamContext::default();
        let deploy = json!({"metadata": {"name": "web", "labels": {AGENT_LABEL: "coder"}}});
        let w = Workload::new(&deploy, &["spec", "template"]);
        let mut notes = Vec::new();
        let (id, source) = identity(&w, &ctx, &opts, &mut notes);
        assert_eq!(id.namespace, Known::Downward(POD_NAMESPACE));
        assert_eq!(id.pod_name, Known::Downward(POD_NAME));
        assert_eq!(id.agent_name, "coder");
        assert_eq!(
            source,
            Some((SourceKind::Agent, String::new(), "coder".into()))
        );
        assert_eq!(
            notes.iter().map(|n| n.code).collect::<Vec<_>>(),
            ["namespace-from-downward-api"]
        );

        let pod = json!({"metadata": {"name": "p", "namespace": "ns"}});
        let (id, _) = identity(&Workload::new(&pod, &[]), &ctx, &opts, &mut notes);
        assert_eq!(
            (id.namespace, id.pod_name),
            (Known::Literal("ns".into()), Known::Literal("p".into()))
        );
    }
}
