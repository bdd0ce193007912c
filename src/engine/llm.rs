//! The OPENCODE_CONFIG_CONTENT step of `enableLLMTraces` in the main container: the controller's
//! shallow merge of `{"experimental":{"openTelemetry":true}}`, and taking it back exactly where an
//! injection put it.

use std::collections::BTreeMap;

use super::otel::{CONFIG_CONTENT, LLM_TRACES_JSON};
use super::plan::ContainerEdit;
use super::target::env_name;
use super::{Doc, List};
use super::{Note, Seg, Severity, key};
use crate::gojson::{self, GoValue, Merge};

/// The OPENCODE_CONFIG_CONTENT step for the main container, after its block edit is planned:
/// with `merge` (enableLLMTraces on an enabled config) the flag is merged into the first entry
/// before the Agent's extraEnv (`region_end`), or added after the block; otherwise a flag that an
/// earlier injection merged (`old`: the block found in this container) is taken back.
pub(crate) fn plan_config_content(
    edit: &mut ContainerEdit,
    env: List,
    region_end: usize,
    old: Option<&std::ops::Range<usize>>,
    merge: bool,
    notes: &mut Vec<Note>,
) -> Result<(), Note> {
    let first = (0..region_end)
        .filter(|i| !edit.remove.contains(i))
        .find(|&i| env_name(env.at(i)) == Some(CONFIG_CONTENT));
    if merge {
        plan_llm_merge(edit, env, first, old, notes)?;
        warn_shadowing_config(edit, env, first, region_end, notes);
    } else if let Some(r) = old
        // The flag is taken back only where an injection can have put it: in a container whose
        // block was recognised, from the entry it merged into (before the block) or the one it
        // added (right after it), and only from a value exactly as the merge writes it (Go's
        // compact encoding, flag included). Anything else is the user's.
        && let Some(i) = first.filter(|&i| i < r.start || i == r.end)
        && let Some(v) = env.at(i).field("value").and_then(Doc::as_str)
        && gojson::merge_config_content(v, LLM_TRACES_JSON) == Merge::Value(v.to_string())
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
    Ok(())
}

fn llm_flag() -> GoValue {
    GoValue::Object(BTreeMap::from([(
        "openTelemetry".to_string(),
        GoValue::Bool(true),
    )]))
}

fn plan_llm_merge(
    edit: &mut ContainerEdit,
    env: List,
    first: Option<usize>,
    old: Option<&std::ops::Range<usize>>,
    notes: &mut Vec<Note>,
) -> Result<(), Note> {
    let Some(i) = first else {
        let entry = serde_json::json!({"name": CONFIG_CONTENT, "value": LLM_TRACES_JSON});
        match edit.insert.last() {
            // Right after the block: a second insert at the block's place (the block is shared
            // by every container of the workload, and copying it was a tenth of the planning).
            Some(&(at, _)) => edit.insert.push((at, vec![entry].into())),
            None => {
                // The block is unchanged: put the entry right after it.
                let at = old.map_or(env.len(), |r| r.end);
                edit.insert.push((at, vec![entry].into()));
            }
        }
        return Ok(());
    };
    let mut path = edit.path.clone();
    path.extend([key("env"), Seg::Index(i)]);
    if env.at(i).field("valueFrom").is_some() {
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
    let existing = env
        .at(i)
        .field("value")
        .and_then(Doc::as_str)
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
    env: List,
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn entry(name: &str, value: &str) -> Value {
        json!({"name": name, "value": value})
    }

    /// Plans the step on `env`, whose block (if any) is at `old`; returns (remove, set_value).
    fn step(
        env: &[Value],
        old: Option<std::ops::Range<usize>>,
        merge: bool,
    ) -> (Vec<usize>, Vec<(usize, String)>, Vec<Note>) {
        let mut edit = ContainerEdit {
            env_len: env.len(),
            ..ContainerEdit::default()
        };
        let mut notes = Vec::new();
        plan_config_content(
            &mut edit,
            env.into(),
            env.len(),
            old.as_ref(),
            merge,
            &mut notes,
        )
        .unwrap();
        (edit.remove, edit.set_value, notes)
    }

    const CONTEXT: &str = r#"{"instructions":[".kubeopencode/context.md"]}"#;
    const MERGED: &str =
        r#"{"experimental":{"openTelemetry":true},"instructions":[".kubeopencode/context.md"]}"#;

    #[test]
    fn merges_into_the_first_entry_as_the_controller_does() {
        let env = [entry(CONFIG_CONTENT, CONTEXT), entry(CONFIG_CONTENT, "{}")];
        let (remove, set, _) = step(&env, None, true);
        assert!(remove.is_empty());
        assert_eq!(set, [(0, MERGED.to_string())]);
        let env = [entry(CONFIG_CONTENT, r#"{"experimental":{"share":"x"}}"#)];
        let (_, _, notes) = step(&env, None, true);
        assert_eq!(notes[0].code, "config-content-experimental-replaced");
    }

    #[test]
    fn takes_the_flag_back_only_where_an_injection_put_it() {
        let block = entry("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c");
        // Merged into an entry before the block: it keeps what it had.
        let env = [entry(CONFIG_CONTENT, MERGED), block.clone()];
        assert_eq!(step(&env, Some(1..2), false).1, [(0, CONTEXT.to_string())]);
        // Added right after the block: it goes; an entry that was there keeps `{}`.
        let env = [block.clone(), entry(CONFIG_CONTENT, LLM_TRACES_JSON)];
        assert_eq!(step(&env, Some(0..1), false).0, [1]);
        let env = [entry(CONFIG_CONTENT, LLM_TRACES_JSON), block.clone()];
        assert_eq!(step(&env, Some(1..2), false).1, [(0, "{}".to_string())]);
        // No block in this container, the flag as a user writes it, or an entry further on: the
        // user's.
        let env = [entry(CONFIG_CONTENT, MERGED), block.clone()];
        assert_eq!(step(&env, None, false), (vec![], vec![], vec![]));
        let spaced = r#"{"experimental": {"openTelemetry": true}}"#;
        let env = [entry(CONFIG_CONTENT, spaced), block.clone()];
        assert_eq!(step(&env, Some(1..2), false), (vec![], vec![], vec![]));
        let env = [
            block,
            entry("A", "1"),
            entry(CONFIG_CONTENT, LLM_TRACES_JSON),
        ];
        assert_eq!(step(&env, Some(0..1), false), (vec![], vec![], vec![]));
    }
}
