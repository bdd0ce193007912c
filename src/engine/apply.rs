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

    /// The env list of `len` entries after the edit, entry by entry: the one order that
    /// [`apply`](Self::apply), [`origins`](Self::origins) and the lints' reading of an edited env
    /// follow (the inserted entries before the index they are planned at, removed ones left out).
    pub fn after(&self, len: usize) -> Walk<'_> {
        Walk {
            edit: self,
            len,
            i: 0,
            insert: 0,
            within: 0,
        }
    }

    /// For each entry of the edited env list, the index it had before the edit (None: inserted).
    /// Computed from the length the edit was planned against, never from a caller's arithmetic on
    /// a list that may or may not hold the edit.
    pub fn origins(&self) -> Vec<Option<usize>> {
        let mut out = Vec::with_capacity(self.len_after());
        out.extend(self.after(self.env_len).map(|a| match a {
            After::Inserted(_) => None,
            After::Kept(i, _) => Some(i),
        }));
        out
    }

    /// The env list after the edit.
    pub fn apply(&self, env: &[Value]) -> Vec<Value> {
        let mut out =
            Vec::with_capacity(env.len() + self.insert.iter().map(|(_, v)| v.len()).sum::<usize>());
        out.extend(self.after(env.len()).map(|a| match a {
            After::Inserted(e) => e.clone(),
            After::Kept(i, None) => env[i].clone(),
            After::Kept(i, Some(v)) => with_value(env[i].clone(), v),
        }));
        out
    }
}

/// One entry of an env list after an edit ([`ContainerEdit::after`]).
#[derive(Clone, Copy, Debug)]
pub enum After<'e> {
    /// An entry the edit inserts.
    Inserted(&'e Value),
    /// The entry at this index before the edit, and the `value` the edit sets on it, if any.
    Kept(usize, Option<&'e str>),
}

/// The iterator of [`ContainerEdit::after`]: at each index, the entries inserted there (in the
/// order of `insert`), then the entry at it unless it is removed.
pub struct Walk<'e> {
    edit: &'e ContainerEdit,
    len: usize,
    /// The index of the env before the edit that comes next.
    i: usize,
    /// Where in `insert` the entries inserted at `i` are looked for.
    insert: usize,
    /// Entries of that insert handed out already.
    within: usize,
}

impl<'e> Iterator for Walk<'e> {
    type Item = After<'e>;

    fn next(&mut self) -> Option<After<'e>> {
        let edit = self.edit;
        while self.i <= self.len {
            while let Some((at, entries)) = edit.insert.get(self.insert) {
                if *at == self.i && self.within < entries.len() {
                    self.within += 1;
                    return Some(After::Inserted(&entries[self.within - 1]));
                }
                self.insert += 1;
                self.within = 0;
            }
            let i = self.i;
            self.i += 1;
            self.insert = 0;
            if i < self.len && !edit.remove.contains(&i) {
                let value = edit.set_value.iter().find(|(j, _)| *j == i);
                return Some(After::Kept(i, value.map(|(_, v)| v.as_str())));
            }
        }
        None
    }
}

/// `entry` with its `value` set to `v`, as the edit writes it (an entry that is not a mapping
/// stays as it is).
pub fn with_value(mut entry: Value, v: &str) -> Value {
    if let Some(obj) = entry.as_object_mut() {
        obj.insert("value".into(), Value::String(v.to_string()));
    }
    entry
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
        let e = with_value(env.at(*i).to_value(), v);
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
///
/// `{name: "…", value: "…"}`, most of what the injection writes, is a valid EnvVar whatever its
/// strings: only its name is checked then (the deserialisation was a fortieth of a run).
fn env_var_problem(e: &Value) -> Option<String> {
    use serde::Deserialize;
    // The entries compared, not looked up: a lookup hashes the key (it cost more than the
    // deserialisation).
    if let Some(o) = e.as_object()
        && o.len() == 2
    {
        let (mut name, mut value) = (None, false);
        for (k, v) in o {
            match (k.as_str(), v) {
                ("name", Value::String(n)) => name = Some(n),
                ("value", Value::String(_)) => value = true,
                _ => {}
            }
        }
        if let (Some(name), true) = (name, value) {
            return name_problem(name);
        }
    }
    match k8s_openapi::api::core::v1::EnvVar::deserialize(e) {
        Err(err) => Some(format!("not a valid EnvVar: {err}")),
        Ok(ev) if ev.value.is_some() && ev.value_from.is_some() && !ev.name.is_empty() => {
            Some(format!("{} would have both value and valueFrom", ev.name))
        }
        Ok(ev) => name_problem(&ev.name),
    }
}

/// What makes an env var name invalid, if anything.
fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("an env entry without a name".into())
    } else if name.contains('=') || name.chars().any(|c| !c.is_ascii_graphic()) {
        Some(format!("`{name}` is not a valid env var name"))
    } else {
        None
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

    /// The check as it was: every entry deserialised. The oracle of the fast path.
    fn env_var_problem_in_full(e: &Value) -> Option<String> {
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

    #[test]
    fn the_quick_env_var_check_agrees_with_the_full_one() {
        let names = [
            json!("A"),
            json!(""),
            json!("A=B"),
            json!("A B"),
            json!("é"),
            json!(1),
        ];
        let values = [
            json!("v"),
            json!(""),
            json!(null),
            json!(1),
            json!({"a": 1}),
        ];
        let from = json!({"fieldRef": {"fieldPath": "metadata.name"}});
        let mut cases = Vec::new();
        for n in &names {
            for v in &values {
                cases.push(json!({"name": n, "value": v}));
                cases.push(json!({"value": v, "name": n}));
                cases.push(json!({"name": n, "value": v, "valueFrom": from}));
                cases.push(json!({"name": n, "other": v}));
            }
            cases.push(json!({"name": n}));
            cases.push(json!({"name": n, "valueFrom": from}));
        }
        cases.extend([json!({}), json!([]), json!("A"), json!(null)]);
        for e in &cases {
            assert_eq!(env_var_problem(e), env_var_problem_in_full(e), "{e}");
        }
    }

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
