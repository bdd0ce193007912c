//! Facts the engine needs from other documents of the stream: Tasks (agent names) and the
//! Agents/AgentTemplates workloads are built from (their `extraEnv`, which the controller puts after
//! the OTel block).

use std::collections::HashMap;

use serde_json::Value;

use super::Field;

/// Which kind of object a workload was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    Agent,
    AgentTemplate,
}

/// What a Task tells about its Pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFacts {
    /// `agentNameFromTask`: the name of the first ref present (possibly empty), else empty.
    pub agent_name: String,
    /// The object that ref points at.
    pub source: Option<(SourceKind, String)>,
}

/// `spec.podSpec.extraEnv` and `spec.podSpec.systemContainers.*.extraEnv` of an Agent/AgentTemplate.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceFacts {
    pub template_ref: Option<String>,
    pub extra_env: Vec<Value>,
    /// Keyed by the systemContainers field (`openCodeInit`, `contextInit`, `gitInit`, `pluginInit`, `gitSync`).
    pub system_env: HashMap<String, Vec<Value>>,
}

type Key = (String, String);

#[derive(Debug, Clone, Default)]
pub struct StreamContext {
    tasks: HashMap<Key, TaskFacts>,
    sources: HashMap<(SourceKind, String, String), SourceFacts>,
}

fn str_at<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    super::at(v, keys).and_then(Value::as_str)
}

/// True for objects [`StreamContext::add`] learns from (KubeOpenCode objects and Lists).
pub fn is_context(obj: super::Doc) -> bool {
    is_kubeopencode(obj)
        || obj
            .field("kind")
            .and_then(super::Doc::as_str)
            .is_some_and(|k| k.ends_with("List"))
}

fn is_kubeopencode(obj: super::Doc) -> bool {
    obj.field("apiVersion")
        .and_then(super::Doc::as_str)
        .is_some_and(|a| a.starts_with("kubeopencode.io/"))
}

/// The controller's `agentNameFromTask`: status before spec, agentRef before templateRef; the first
/// ref *present* wins even when its name is empty.
pub fn task_facts(task: &Value) -> TaskFacts {
    for (keys, kind) in [
        (["status", "agentRef"], SourceKind::Agent),
        (["status", "templateRef"], SourceKind::AgentTemplate),
        (["spec", "agentRef"], SourceKind::Agent),
        (["spec", "templateRef"], SourceKind::AgentTemplate),
    ] {
        if let Some(r) = super::at(task, &keys).filter(|r| !r.is_null()) {
            let name = r
                .field("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            return TaskFacts {
                agent_name: name.clone(),
                source: Some((kind, name)),
            };
        }
    }
    TaskFacts {
        agent_name: String::new(),
        source: None,
    }
}

fn env_list(v: Option<&Value>) -> Vec<Value> {
    v.and_then(Value::as_array).cloned().unwrap_or_default()
}

fn source_facts(obj: &Value) -> SourceFacts {
    let pod_spec = super::at(obj, &["spec", "podSpec"]);
    let mut system_env = HashMap::new();
    if let Some(sc) = pod_spec
        .and_then(|p| p.field("systemContainers"))
        .and_then(Value::as_object)
    {
        for (k, v) in sc {
            system_env.insert(k.clone(), env_list(v.field("extraEnv")));
        }
    }
    SourceFacts {
        template_ref: str_at(obj, &["spec", "templateRef", "name"]).map(str::to_string),
        extra_env: env_list(pod_spec.and_then(|p| p.field("extraEnv"))),
        system_env,
    }
}

/// The template merge of env lists: template entries first, Agent entries appended, an Agent entry
/// with the same name replacing the template's in place.
fn merge_env(template: &[Value], agent: &[Value]) -> Vec<Value> {
    let mut out = template.to_vec();
    for e in agent {
        let name = e.field("name").and_then(Value::as_str);
        match name.and_then(|n| {
            out.iter()
                .position(|o| o.field("name").and_then(Value::as_str) == Some(n))
        }) {
            Some(i) => out[i] = e.clone(),
            None => out.push(e.clone()),
        }
    }
    out
}

impl StreamContext {
    /// Records a document (or the items of a List) if it is a Task, Agent or AgentTemplate.
    pub fn add(&mut self, obj: &Value, default_namespace: Option<&str>) {
        if let Some(items) = obj.field("items").and_then(Value::as_array)
            && str_at(obj, &["kind"]).is_some_and(|k| k.ends_with("List"))
        {
            for item in items {
                self.add(item, default_namespace);
            }
            return;
        }
        if !is_kubeopencode(obj.into()) {
            return;
        }
        let ns = str_at(obj, &["metadata", "namespace"])
            .or(default_namespace)
            .unwrap_or_default()
            .to_string();
        let Some(name) = str_at(obj, &["metadata", "name"]).map(str::to_string) else {
            return;
        };
        match str_at(obj, &["kind"]) {
            Some("Task") => {
                self.tasks.insert((ns, name), task_facts(obj));
            }
            Some("Agent") => {
                self.sources
                    .insert((SourceKind::Agent, ns, name), source_facts(obj));
            }
            Some("AgentTemplate") => {
                self.sources
                    .insert((SourceKind::AgentTemplate, ns, name), source_facts(obj));
            }
            _ => {}
        }
    }

    pub fn task(&self, namespace: &str, name: &str) -> Option<&TaskFacts> {
        self.tasks.get(&(namespace.to_string(), name.to_string()))
    }

    /// The effective pod settings of an Agent (merged with its AgentTemplate when it has one and the
    /// template is in the stream) or of an AgentTemplate.
    pub fn source(&self, kind: SourceKind, namespace: &str, name: &str) -> Option<SourceFacts> {
        let own = self
            .sources
            .get(&(kind, namespace.to_string(), name.to_string()))?
            .clone();
        let template = match (&own.template_ref, kind) {
            (Some(t), SourceKind::Agent) => {
                self.sources
                    .get(&(SourceKind::AgentTemplate, namespace.to_string(), t.clone()))
            }
            _ => None,
        };
        let Some(template) = template else {
            return Some(own);
        };
        let mut system_env = template.system_env.clone();
        for (k, v) in &own.system_env {
            let merged = merge_env(system_env.get(k).map_or(&[][..], Vec::as_slice), v);
            system_env.insert(k.clone(), merged);
        }
        Some(SourceFacts {
            template_ref: own.template_ref.clone(),
            extra_env: merge_env(&template.extra_env, &own.extra_env),
            system_env,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn agent_name_from_task_vectors() {
        let text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/conformance/helpers.json"
        ));
        let vectors: Vec<Value> = serde_json::from_str(text).unwrap();
        let mut n = 0;
        for v in vectors
            .iter()
            .filter(|v| v["helper"] == "agentNameFromTask")
        {
            assert_eq!(
                task_facts(&v["input"]).agent_name,
                v["output"].as_str().unwrap(),
                "{}",
                v["note"]
            );
            n += 1;
        }
        assert!(n >= 5);
    }

    #[test]
    fn agent_merges_with_its_template() {
        let mut ctx = StreamContext::default();
        let tmpl = json!({"apiVersion": "kubeopencode.io/v1alpha1", "kind": "AgentTemplate",
            "metadata": {"name": "t", "namespace": "ns"},
            "spec": {"podSpec": {"extraEnv": [{"name": "A", "value": "t"}, {"name": "B", "value": "t"}]}}});
        let agent = json!({"apiVersion": "kubeopencode.io/v1alpha1", "kind": "Agent",
            "metadata": {"name": "a", "namespace": "ns"},
            "spec": {"templateRef": {"name": "t"}, "podSpec": {"extraEnv": [{"name": "B", "value": "a"}, {"name": "C", "value": "a"}]}}});
        ctx.add(
            &json!({"apiVersion": "v1", "kind": "List", "items": [tmpl, agent]}),
            None,
        );
        let s = ctx.source(SourceKind::Agent, "ns", "a").unwrap();
        let names: Vec<_> = s
            .extra_env
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string() + "=" + e["value"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["A=t", "B=a", "C=a"]);
    }
}
