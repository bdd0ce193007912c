//! Plans applied: the env list after an edit, where each entry came from, the check that every
//! entry written is a valid Kubernetes EnvVar, and the normalising renderer's edit of a document.

use serde_json::Value;

use super::plan::{ContainerEdit, WorkloadPlan};
use super::{Field, List};
use super::{Note, Path, Seg, fail, get_mut, key};

impl ContainerEdit {
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

/// Every entry the edit writes must be a valid Kubernetes EnvVar.
pub(crate) fn validate_result(edit: &ContainerEdit, env: List) -> Result<(), Note> {
    let fail_at = |path: Path, message: String| {
        Err(fail(
            path,
            format!("container `{}`: {message}", edit.name),
            None,
        ))
    };
    for (_, entries) in &edit.insert {
        for e in entries.iter() {
            if let Some(message) = env_var_problem(e) {
                return fail_at(edit.path.clone(), message);
            }
        }
    }
    for (i, v) in &edit.set_value {
        let mut e = env.at(*i).to_value();
        if let Some(o) = e.as_object_mut() {
            o.insert("value".into(), Value::String(v.clone()));
        }
        if let Some(message) = env_var_problem(&e) {
            let mut p = edit.path.clone();
            p.extend([key("env"), Seg::Index(*i)]);
            return fail_at(p, message);
        }
    }
    Ok(())
}

/// What makes an entry not a valid Kubernetes EnvVar, if anything (read in place, as the API
/// server's types read it).
fn env_var_problem(e: &Value) -> Option<String> {
    use serde::Deserialize;
    match k8s_openapi::api::core::v1::EnvVar::deserialize(e) {
        Err(err) => Some(format!("not a valid EnvVar: {err}")),
        Ok(ev) if ev.name.is_empty() => Some("an env entry without a name".into()),
        Ok(ev) if ev.value.is_some() && ev.value_from.is_some() => {
            Some(format!("{} would have both value and valueFrom", ev.name))
        }
        Ok(ev) if ev.name.contains('=') || ev.name.chars().any(|c| !c.is_ascii_graphic()) => {
            Some(format!("`{}` is not a valid env var name", ev.name))
        }
        Ok(_) => None,
    }
}

/// Applies plans to a document (the normalising renderer's edit step).
pub fn apply(doc: &mut Value, plans: &[WorkloadPlan]) {
    for plan in plans {
        for edit in plan.edits() {
            let Some(c) = get_mut(doc, &edit.path) else {
                continue;
            };
            let env = c
                .field("env")
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
            insert: vec![
                (0, vec![json!({})].into()),
                (3, vec![json!({}), json!({})].into()),
            ],
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
