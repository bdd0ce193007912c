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

use serde_json::{Map, Value, json};

use crate::diag::Diagnostic;
use crate::engine::{self, Outcome, Seg, Severity, StreamContext, WorkloadPlan};
use crate::input::Source;
use crate::pipeline::{self, DocRef, Parsed, Processor};
use crate::render;
use crate::report::{self, Colors, Exit};
use crate::settings::Settings;
use crate::yaml::emit::{self, EmitOptions};
use crate::yaml::stream;

/// True when a parsed document is a KRM `ResourceList` (its top-level `apiVersion` and `kind`, in
/// any key order, YAML or JSON).
pub fn is_resource_list(v: &Value) -> bool {
    v.get("kind").and_then(Value::as_str) == Some("ResourceList")
        && matches!(
            v.get("apiVersion").and_then(Value::as_str),
            Some("config.kubernetes.io/v1" | "config.kubernetes.io/v1alpha1")
        )
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
pub fn run(src: Source, settings: &Settings, quiet: bool, colors: Colors) -> Exit {
    let limits = settings.limits;
    let format = stream::detect_format(&src.text);
    let d = DocRef {
        index: 0,
        range: 0..src.text.len(),
        line: 1,
        number: 1,
        format,
    };
    let p: Parsed = match pipeline::parse(&src, &d, &limits) {
        Ok(p) => p,
        // Not even YAML: nothing sensible to echo back; fail loudly.
        Err(e) => return report::fail(&[e], colors),
    };
    let mut results: Vec<Value> = Vec::new();
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut warnings: Vec<Diagnostic> = Vec::new();
    let opts = &settings.options;

    // The config: `-c` when given (the command line is the most explicit choice; a differing
    // KubeOpenCodeConfig in functionConfig is then a warning), else functionConfig.
    // The config: -c when given, else functionConfig (docs/integrations.md).
    let given = settings
        .config
        .origin()
        .map(|o| (o.name(), pipeline::read_config(&o, &limits)));
    let chosen = pipeline::function_config(&src, &d, &p, given);
    let value = p.value();
    let fc = value.get("functionConfig");
    for (diag, about_fc) in chosen.diagnostics {
        let item = if about_fc { fc } else { None };
        results.push(result(
            diag.severity,
            &diag.message,
            item,
            diag.field.clone(),
        ));
        if diag.severity == Severity::Error {
            errors.push(diag);
        } else {
            warnings.push(diag);
        }
    }
    let config = chosen.config;

    let mut text = None;
    if let Some(config) = &config {
        let mut ctx = StreamContext::default();
        ctx.add(&value, opts.namespace.as_deref());
        let processor = Processor {
            otel: config.active(),
            ctx: &ctx,
            opts,
            normalize: false,
            limits: &limits,
            report: true,
            hook: None,
        };
        let plans = processor.plan_items(&p);
        collect(
            &plans,
            &value,
            &src,
            &d,
            p.root.as_ref(),
            &mut results,
            &mut errors,
        );
        if errors.is_empty() {
            text = processor.render(&src.text, &d, &p, plans).text;
        }
    }
    let base = text.unwrap_or_else(|| src.text.clone());
    let out = with_results(&base, d.format, &results, &limits);
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return Exit::Error;
    }
    if errors.is_empty() {
        if !quiet {
            report::warn(&warnings);
        }
        Exit::Ok
    } else {
        errors.extend(warnings);
        report::fail(&errors, colors)
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
fn with_results(
    text: &str,
    format: stream::Format,
    results: &[Value],
    limits: &crate::yaml::tree::Limits,
) -> String {
    if results.is_empty() {
        return text.to_string();
    }
    if format == stream::Format::Json {
        let Ok(mut v) = serde_json::from_str::<Value>(text) else {
            return text.to_string();
        };
        if let Some(obj) = v.as_object_mut() {
            obj.insert("results".into(), Value::Array(results.to_vec()));
        }
        return render::reemit_json(text, &v);
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
