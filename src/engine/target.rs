//! Which containers get the block (the controller's choice, or `--container`), the env list the
//! engine is about to edit (checked so that bad input is a located error, never a panic), and where
//! in it the Agent's extraEnv begins.

use serde_json::Value;

use super::context::SourceFacts;
use super::workload::Workload;
use super::{Doc, List};
use super::{Note, Options, Path, Seg, Severity, fail, key, quote_advice};

pub const DEFAULT_CONTAINER_ANNOTATION: &str = "kubectl.kubernetes.io/default-container";

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

/// A container the block goes into.
pub(crate) struct Target<'a> {
    pub(crate) list: &'static str,
    pub(crate) index: usize,
    pub(crate) name: String,
    pub(crate) container: Doc<'a>,
    /// Gets the OPENCODE_CONFIG_CONTENT treatment.
    pub(crate) main: bool,
}

pub(crate) fn targets<'a>(
    w: &Workload<'a>,
    spec: Doc<'a>,
    spec_path: &Path,
    opts: &Options,
) -> Result<Vec<Target<'a>>, Note> {
    let mut all = Vec::new();
    for list in ["containers", "initContainers"] {
        let Some(v) = spec.field(list) else { continue };
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
            let name = c.field("name").and_then(Doc::as_str).ok_or_else(|| {
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
        let annotated = w
            .obj
            .get(&ann_path)
            .and_then(Doc::as_str)
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

pub(crate) fn env_name<'a>(e: Doc<'a>) -> Option<&'a str> {
    e.field("name").and_then(Doc::as_str)
}

/// Checks the env list of a container the engine is about to edit.
pub(crate) fn check_env<'a>(c: Doc<'a>, cpath: &Path) -> Result<Option<List<'a>>, Note> {
    let cname = c.field("name").and_then(Doc::as_str).unwrap_or("?");
    let mut p = cpath.clone();
    p.push(key("env"));
    let Some(env) = c.field("env") else {
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
        // The entry's path, built only for an error.
        let entry = || {
            let mut ep = p.clone();
            ep.push(Seg::Index(i));
            ep
        };
        if !e.is_object() {
            return Err(fail(
                entry(),
                format!(
                    "container `{cname}`: env[{i}] must be a mapping with a `name`, found {}",
                    kind_of(e)
                ),
                Some(entry_help.into()),
            ));
        }
        match e.field("name") {
            Some(n) if n.is_string() => {}
            Some(other) => {
                let mut ep = entry();
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
                    entry(),
                    format!("container `{cname}`: env[{i}] has no `name`"),
                    Some(entry_help.into()),
                ));
            }
        }
        if let Some(v) = e.field("value")
            && !v.is_string()
            && !v.is_null()
        {
            let mut ep = entry();
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
    Ok(Some(env))
}

/// An error whose fix, for a scalar, is to quote what the user wrote (see [`Note::quote`]).
fn quote_fix(path: Path, message: String, found: Doc, otherwise: &str) -> Note {
    let scalar = !(found.is_array() || found.is_object());
    let help = if scalar {
        quote_advice(&path, &found.to_string())
    } else {
        otherwise.to_string()
    };
    Note {
        quote: scalar,
        ..fail(path, message, Some(help))
    }
}

fn kind_of(v: Doc) -> &'static str {
    if v.is_null() {
        "null"
    } else if v.is_boolean() {
        "the boolean"
    } else if v.is_number() {
        "the number"
    } else if v.is_string() {
        "a string"
    } else if v.is_array() {
        "a list"
    } else {
        "a mapping"
    }
}

/// How many entries at the end of a container's env came from the Agent's extraEnv.
pub(crate) fn tail_len(
    source: Option<&SourceFacts>,
    t: &Target,
    env: List,
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
        && env
            .slice(env.len() - n..env.len())
            .iter()
            .zip(&expected)
            .all(|(a, b)| env_name(a) == env_name(Doc::Json(b)));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::workload::{AGENT_LABEL, Workload};
    use serde_json::json;

    fn chosen(obj: &Value, opts: &Options) -> Result<Vec<(String, bool)>, Note> {
        let w = Workload::new(obj, &[]);
        let spec = Doc::Json(&obj["spec"]);
        let got = targets(&w, spec, &vec![key("spec")], opts)?;
        Ok(got.into_iter().map(|t| (t.name, t.main)).collect())
    }

    fn pod(meta: Value, containers: &[&str], init: &[&str]) -> Value {
        let list =
            |names: &[&str]| -> Vec<Value> { names.iter().map(|n| json!({"name": n})).collect() };
        json!({"metadata": meta, "spec": {"containers": list(containers), "initContainers": list(init)}})
    }

    #[test]
    fn the_main_container_by_role_then_annotation_then_first() {
        let opts = Options::default();
        let agent = pod(
            json!({"labels": {AGENT_LABEL: "a"}}),
            &["git-sync-0", "opencode-server"],
            &["opencode-init"],
        );
        assert_eq!(
            chosen(&agent, &opts).unwrap(),
            [
                ("opencode-server".to_string(), true),
                ("opencode-init".to_string(), false)
            ],
            "sidecars get nothing; init containers get the block but not the config step"
        );
        let annotated = pod(
            json!({"annotations": {DEFAULT_CONTAINER_ANNOTATION: "b"}}),
            &["a", "b"],
            &[],
        );
        assert_eq!(
            chosen(&annotated, &opts).unwrap(),
            [("b".to_string(), true)]
        );
        let plain = pod(json!({}), &["a", "b"], &[]);
        assert_eq!(chosen(&plain, &opts).unwrap(), [("a".to_string(), true)]);
    }

    #[test]
    fn container_flag_names_exactly_the_targets() {
        let p = pod(json!({}), &["a", "b"], &["i"]);
        let opts = Options {
            containers: vec!["b".into(), "i".into()],
            ..Options::default()
        };
        assert_eq!(
            chosen(&p, &opts).unwrap(),
            [("b".to_string(), true), ("i".to_string(), false)]
        );
        let missing = Options {
            containers: vec!["z".into()],
            ..Options::default()
        };
        let err = chosen(&p, &missing).unwrap_err();
        assert_eq!(err.help.as_deref(), Some("containers here: a, b, i"));
    }

    #[test]
    fn bad_env_lists_are_located_errors() {
        let at = |c: Value| check_env(Doc::Json(&c), &vec![key("c")]).map(|e| e.map(List::len));
        assert_eq!(at(json!({"name": "c"})), Ok(None));
        assert_eq!(at(json!({"name": "c", "env": null})), Ok(None));
        assert_eq!(
            at(json!({"name": "c", "env": [{"name": "A", "value": null}]})),
            Ok(Some(1))
        );
        let err = at(json!({"name": "c", "env": {"A": "1"}})).unwrap_err();
        assert_eq!(path_of(&err), "c.env");
        let err = at(json!({"name": "c", "env": [{"value": "1"}]})).unwrap_err();
        assert_eq!(path_of(&err), "c.env[0]");
        let err = at(json!({"name": "c", "env": [{"name": "A", "value": true}]})).unwrap_err();
        assert_eq!(
            (path_of(&err).as_str(), err.quote),
            ("c.env[0].value", true)
        );
        assert_eq!(err.help.as_deref(), Some("quote it: value: \"true\""));
        // A list is not quoted into a string: the entry's shape is the fix.
        let err = at(json!({"name": "c", "env": [{"name": "A", "value": [1]}]})).unwrap_err();
        assert!(!err.quote);
    }

    fn path_of(n: &Note) -> String {
        crate::engine::path_string(&n.path)
    }
}
