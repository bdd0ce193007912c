//! The plan: what the engine decides for each workload (which env entries of which container to
//! remove, set or insert), and the planning of a document, item by item, container by container.

use std::sync::Arc;

use serde_json::Value;

use super::context::StreamContext;
use super::llm;
use super::otel::{self, Identity, Known};
use super::target::{Target, check_env, env_name, tail_len, targets};
use super::workload::{Role, Workload, identity, is_list, pod_template};
use super::{Doc, List};
use super::{Note, Options, Path, ResourceId, Seg, Severity, apply::validate_result, fail, key};
use crate::config::OpenTelemetry;

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
    /// Entries to insert before the given index (`len` = at the end), ascending; two at one index
    /// go in in their order (the block, then the OPENCODE_CONFIG_CONTENT entry the LLM step adds
    /// after it). Shared: every container of a workload gets the same block.
    pub insert: Vec<(usize, Arc<[Value]>)>,
}

impl ContainerEdit {
    pub fn is_empty(&self) -> bool {
        self.remove.is_empty() && self.set_value.is_empty() && self.insert.is_empty()
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

/// Plans every workload in a document (the object itself, or the items of a List).
pub fn plan_document<'a>(
    doc: impl Into<Doc<'a>>,
    otel: Option<&OpenTelemetry>,
    ctx: &StreamContext,
    opts: &Options,
) -> Vec<WorkloadPlan> {
    let doc = doc.into();
    let mut out = Vec::new();
    if is_list(doc) {
        if let Some(items) = doc.field("items").and_then(Doc::as_array) {
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
    obj: Doc,
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

/// A container whose block edit is planned, before the OPENCODE_CONFIG_CONTENT step.
struct Pending<'a> {
    edit: ContainerEdit,
    env: List<'a>,
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
    let spec = w
        .obj
        .get(&spec_path)
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
    let block: Arc<[Value]> = otel
        .map(|o| otel::build_block(o, &id))
        .unwrap_or_default()
        .into();
    // Only an enabled config merges the flag; otherwise an earlier merge is taken back.
    let llm = otel.is_some_and(|o| o.enable_llm_traces);

    let mut edits = Vec::new();
    let mut had_block = false;
    let mut pending: Vec<Pending> = Vec::new();
    for t in &targets {
        let mut cpath = spec_path.clone();
        cpath.extend([key(t.list), Seg::Index(t.index)]);
        let env = check_env(t.container, &cpath)?;
        let env_present = env.is_some();
        let env = env.unwrap_or(List::EMPTY);
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
            let unchanged = old
                .as_ref()
                .is_some_and(|r| env.slice(r.clone()).eq_values(&block));
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
            llm::plan_config_content(&mut edit, env, region_end, old.as_ref(), llm, notes)?;
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

fn warn_user_settings(
    t: &Target,
    env: List,
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
        let in_block = block.iter().any(|b| env_name(Doc::Json(b)) == Some(name));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{apply, path_string};
    use serde_json::json;

    fn config() -> OpenTelemetry {
        OpenTelemetry {
            enabled: true,
            endpoint: Some("http://c:4318".into()),
            ..OpenTelemetry::default()
        }
    }

    fn plan(doc: &Value, otel: Option<&OpenTelemetry>) -> Vec<WorkloadPlan> {
        let opts = Options {
            all: true,
            ..Options::default()
        };
        plan_document(doc, otel, &StreamContext::default(), &opts)
    }

    fn deployment(name: &str, containers: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "ns"},
               "spec": {"template": {"spec": {"containers": containers}}}})
    }

    #[test]
    fn list_items_are_planned_with_their_paths() {
        let list = json!({"apiVersion": "v1", "kind": "List", "items": [
            deployment("a", json!([{"name": "c"}])),
            {"apiVersion": "v1", "kind": "ConfigMap"},
            deployment("b", Value::Null),
        ]});
        let plans = plan(&list, Some(&config()));
        assert_eq!(plans.len(), 2, "the ConfigMap carries no pod spec");
        assert_eq!(path_string(&plans[0].object_path), "items[0]");
        assert_eq!(
            path_string(&plans[0].edits()[0].path),
            "items[0].spec.template.spec.containers[0]"
        );
        let Outcome::Failed(note) = &plans[1].outcome else {
            panic!("{:?}", plans[1].outcome)
        };
        assert_eq!(
            path_string(&note.path),
            "items[2].spec.template.spec.containers"
        );
    }

    #[test]
    fn inject_update_remove() {
        let mut doc = deployment(
            "a",
            json!([{"name": "c", "env": [{"name": "A", "value": "1"}]}]),
        );
        let original = doc.clone();
        let action = |plans: &[WorkloadPlan]| match &plans[0].outcome {
            Outcome::Planned { action, .. } => *action,
            other => panic!("{other:?}"),
        };
        assert_eq!(action(&plan(&doc, None)), Action::Unchanged);
        let plans = plan(&doc, Some(&config()));
        assert_eq!(action(&plans), Action::Injected);
        apply(&mut doc, &plans);
        assert_eq!(action(&plan(&doc, Some(&config()))), Action::Unchanged);
        let other = OpenTelemetry {
            endpoint: Some("http://other:4318".into()),
            ..config()
        };
        let plans = plan(&doc, Some(&other));
        assert_eq!(action(&plans), Action::Updated);
        apply(&mut doc, &plans);
        let plans = plan(&doc, None);
        assert_eq!(action(&plans), Action::Removed);
        apply(&mut doc, &plans);
        assert_eq!(doc, original);
    }

    #[test]
    fn unselected_workloads_are_skipped_with_the_reason() {
        let doc = deployment("a", json!([{"name": "c"}]));
        let opts = Options::default();
        let plans = plan_document(&doc, Some(&config()), &StreamContext::default(), &opts);
        assert!(matches!(&plans[0].outcome, Outcome::Skipped(r) if r.contains("--all")));
    }
}
