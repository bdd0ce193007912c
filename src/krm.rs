//! KRM function mode (kpt, kustomize `exec`/container functions) and the kustomize legacy exec
//! plugin mode.
//!
//! As a KRM function the tool reads a `config.kubernetes.io/v1 ResourceList` on stdin, takes
//! `functionConfig` as the KubeOpenCodeConfig (or `-c`), edits `items` in place (every annotation
//! the orchestrator put on them is kept, since only env entries change), and appends `results`.
//! Problems are reported twice: as `results` (kpt prints them) and, for errors, on stderr with a
//! non-zero exit (kustomize ignores `results`). It never exits 0 with empty output: kustomize would
//! delete every resource.

use std::io::Write;
use std::process::ExitCode;

use serde_json::{Map, Value, json};

use crate::app;
use crate::cli::InjectArgs;
use crate::config;
use crate::diag::Diagnostic;
use crate::engine::{self, Outcome, Seg, Severity, StreamContext, WorkloadPlan};
use crate::input::{Origin, Source};
use crate::pipeline::{self, DocRef, Parsed};
use crate::render;
use crate::yaml::emit::{self, EmitOptions};
use crate::yaml::stream;

pub const RESOURCE_LIST_API: &str = "config.kubernetes.io/v1";

/// True when the text's first document is a ResourceList (checked on the raw text, cheaply).
pub fn is_resource_list(text: &str) -> bool {
    let head: String = text.lines().take(200).collect::<Vec<_>>().join("\n");
    head.lines().any(|l| l.trim_end() == "kind: ResourceList")
        && head.lines().any(|l| {
            let l = l.trim_end();
            l == "apiVersion: config.kubernetes.io/v1"
                || l == "apiVersion: config.kubernetes.io/v1alpha1"
        })
}

/// One entry of `results`.
fn result(severity: Severity, message: &str, item: Option<&Value>, field: Option<String>) -> Value {
    let mut r = Map::new();
    r.insert("message".into(), Value::String(message.to_string()));
    r.insert(
        "severity".into(),
        Value::String(severity.as_str().to_string()),
    );
    if let Some(item) = item {
        let mut rr = Map::new();
        for (k, p) in [
            ("apiVersion", "/apiVersion"),
            ("kind", "/kind"),
            ("name", "/metadata/name"),
            ("namespace", "/metadata/namespace"),
        ] {
            if let Some(v) = item.pointer(p).and_then(Value::as_str) {
                rr.insert(k.into(), Value::String(v.to_string()));
            }
        }
        r.insert("resourceRef".into(), Value::Object(rr));
        let annotation = |k: &str| {
            item.pointer("/metadata/annotations")
                .and_then(|a| a.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        if let Some(path) = annotation("config.kubernetes.io/path")
            .or_else(|| annotation("internal.config.kubernetes.io/path"))
        {
            let mut file = Map::new();
            file.insert("path".into(), Value::String(path));
            if let Some(i) =
                annotation("config.kubernetes.io/index").and_then(|i| i.parse::<u64>().ok())
            {
                file.insert("index".into(), json!(i));
            }
            r.insert("file".into(), Value::Object(file));
        }
    }
    if let Some(f) = field.filter(|f| !f.is_empty()) {
        r.insert("field".into(), json!({"path": f}));
    }
    Value::Object(r)
}

/// The item a path inside the ResourceList points into, and the path relative to it.
fn item_of<'a>(rl: &'a Value, path: &[Seg]) -> (Option<&'a Value>, String) {
    match path {
        [Seg::Key(k), Seg::Index(i), rest @ ..] if k == "items" => (
            rl.get("items").and_then(|v| v.get(*i)),
            engine::path_string(rest),
        ),
        _ => (None, engine::path_string(path)),
    }
}

/// Runs as a KRM function over `src` (stdin). Writes the ResourceList to stdout.
pub fn run(src: Source, args: &InjectArgs) -> ExitCode {
    let limits = app::limits(&args.input);
    let d = DocRef {
        source: 0,
        index: 0,
        range: 0..src.text.len(),
        line: 1,
        number: 1,
        format: stream::Format::Yaml,
    };
    let mut p: Parsed = match pipeline::parse(&src, &d, &limits) {
        Ok(p) => p,
        // Not even YAML: nothing sensible to echo back; fail loudly.
        Err(e) => return app::fail(&[e], false),
    };
    let mut results: Vec<Value> = Vec::new();
    let mut errors: Vec<Diagnostic> = Vec::new();
    let opts = match app::options(&args.input) {
        Ok(o) => o,
        Err(e) => return app::fail(&[e], false),
    };

    // The config: functionConfig when it is a KubeOpenCodeConfig, else -c.
    let fc = p
        .value
        .get("functionConfig")
        .filter(|v| pipeline::is_config(v))
        .cloned();
    let config = match (&fc, &args.input.config) {
        (Some(fc), _) => match config::from_value(fc) {
            Ok((c, tolerated)) => {
                for i in tolerated {
                    results.push(result(
                        Severity::Warning,
                        &i.message,
                        Some(fc),
                        Some(format!("functionConfig.{}", i.path_string())),
                    ));
                }
                Some(c)
            }
            Err(issues) => {
                let root = p.root.as_ref();
                let prefixed: Vec<config::ConfigIssue> = issues
                    .into_iter()
                    .map(|mut i| {
                        i.path.insert(0, "functionConfig".into());
                        i
                    })
                    .collect();
                for diag in pipeline::config_diagnostics(&src, &d, root, prefixed) {
                    results.push(result(
                        Severity::Error,
                        &diag.message,
                        Some(fc),
                        diag.field.clone(),
                    ));
                    errors.push(diag);
                }
                None
            }
        },
        (None, Some(path)) => {
            let origin = Origin::File(path.clone());
            let read = crate::input::read(&origin)
                .map_err(|e| vec![e])
                .and_then(|csrc| {
                    let (cd, cp) = pipeline::config_document(&csrc, &limits)?;
                    pipeline::config_from(&csrc, &cd, &cp)
                });
            match read {
                Ok((c, warnings)) => {
                    for w in warnings {
                        results.push(result(Severity::Warning, &w.message, None, w.field.clone()));
                    }
                    Some(c)
                }
                Err(diags) => {
                    for diag in diags {
                        results.push(result(
                            Severity::Error,
                            &diag.message,
                            None,
                            diag.field.clone(),
                        ));
                        errors.push(diag);
                    }
                    None
                }
            }
        }
        (None, None) => {
            let msg = "no KubeOpenCodeConfig: functionConfig is not a KubeOpenCodeConfig and no -c was given";
            results.push(result(Severity::Error, msg, None, None));
            errors.push(Diagnostic::error("config", msg).with_help("pass the KubeOpenCodeConfig as the function config (kpt --fn-config, or the transformer config in kustomize)"));
            None
        }
    };

    let mut text = None;
    if let Some(config) = &config {
        let mut ctx = StreamContext::default();
        ctx.add(&p.value, args.input.namespace.as_deref());
        let plans = engine::plan_document(&p.value, config.active(), &ctx, &opts);
        collect(
            &plans,
            &p.value,
            &src,
            &d,
            p.root.as_ref(),
            &mut results,
            &mut errors,
        );
        if errors.is_empty() && plans.iter().any(|pl| !pl.edits().is_empty()) {
            let rendered = match p
                .root
                .as_ref()
                .map(|root| render::splice(&src.text, root, &plans))
            {
                Some(Ok(t)) => t,
                _ => {
                    engine::apply(&mut p.value, &plans);
                    render::reemit_yaml(&src.text, p.root.as_ref(), &p.value)
                }
            };
            text = Some(rendered);
        }
    }
    let base = text.unwrap_or_else(|| src.text.clone());
    let out = with_results(&base, &results, &limits);
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return ExitCode::from(app::EXIT_ERROR);
    }
    if errors.is_empty() {
        ExitCode::from(app::EXIT_OK)
    } else {
        app::fail(&errors, false)
    }
}

#[allow(clippy::too_many_arguments)]
fn collect(
    plans: &[WorkloadPlan],
    rl: &Value,
    src: &Source,
    d: &DocRef,
    root: Option<&crate::yaml::tree::Node>,
    results: &mut Vec<Value>,
    errors: &mut Vec<Diagnostic>,
) {
    for plan in plans {
        if let Outcome::Failed(note) = &plan.outcome {
            let (item, field) = item_of(rl, &note.path);
            results.push(result(Severity::Error, &note.message, item, Some(field)));
            errors.push(pipeline::note_diagnostic(src, d, root, plan, note));
        }
        for note in &plan.notes {
            let (item, field) = item_of(rl, &note.path);
            results.push(result(note.severity, &note.message, item, Some(field)));
        }
    }
}

/// Appends `results` to the ResourceList text (replacing any results already there).
fn with_results(text: &str, results: &[Value], limits: &crate::yaml::tree::Limits) -> String {
    if results.is_empty() {
        return text.to_string();
    }
    let eol = stream::line_ending(text);
    let has_results = crate::yaml::tree::parse(text, limits)
        .ok()
        .and_then(|doc| doc.root)
        .is_some_and(|root| root.get("results").is_some());
    if has_results {
        let mut v: Value = crate::yaml::tree::parse_value(text, limits)
            .map(|(_, v)| v)
            .unwrap_or(Value::Null);
        if let Some(obj) = v.as_object_mut() {
            obj.insert("results".into(), Value::Array(results.to_vec()));
        }
        let opts = EmitOptions {
            indent: 2,
            indent_sequences: false,
            eol,
        };
        return emit::emit_document(&v, &opts);
    }
    let mut out = text.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(eol);
    }
    let opts = EmitOptions {
        indent: 2,
        indent_sequences: false,
        eol,
    };
    out.push_str(&emit::emit_map_entry(
        "results",
        &Value::Array(results.to_vec()),
        0,
        &opts,
    ));
    out
}

/// The kustomize legacy exec plugin: `KubeOpenCodeConfig CONFIG_FILE` with the resources on stdin.
pub fn legacy_plugin_args(argv: &[std::ffi::OsString]) -> Option<Vec<std::ffi::OsString>> {
    let name = std::path::Path::new(argv.first()?).file_name()?.to_str()?;
    if name != PLUGIN_NAME {
        return None;
    }
    let mut args = vec![argv[0].clone()];
    if let Some(cfg) = argv.get(1) {
        args.extend(["-c".into(), cfg.clone()]);
    }
    args.push("-q".into());
    Some(args)
}

/// The executable name kustomize looks up for a `kubeopencode.io/v1alpha1 KubeOpenCodeConfig` transformer.
pub const PLUGIN_NAME: &str = "KubeOpenCodeConfig";

/// `<plugin home>/kubeopencode.io/v1alpha1/kubeopencodeconfig/KubeOpenCodeConfig`.
pub fn plugin_path(plugin_home: &std::path::Path) -> std::path::PathBuf {
    plugin_home
        .join("kubeopencode.io")
        .join("v1alpha1")
        .join("kubeopencodeconfig")
        .join(PLUGIN_NAME)
}
