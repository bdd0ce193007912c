//! The body of the `stream` fuzz target (`fuzz/fuzz_targets/stream.rs`), kept in the library so
//! that the target needs only [`check_stream`] of the facade; `tests/props.rs` replays every corpus
//! file through it too, so `cargo test` checks them on stable Rust.
//!
//! It reads arbitrary bytes the way the binary reads a manifest file, then drives two layers:
//!
//! - the building blocks: `split_yaml`, `parse_value`, `plan_document` (a fixed enabled config,
//!   and observability off), `apply`, `splice` and `reemit_yaml`;
//! - the pipeline the binary runs: `pipeline::split`, `pipeline::parse`, `Processor::plan`,
//!   `Processor::render`, and the rendering of every diagnostic (with its source snippet).
//!
//! Besides "no panic", it checks invariants that hold for every input:
//! - the window reader (the streaming pipe's input) cuts the same documents as the whole-text
//!   splitter, at the same lines;
//! - the documents of a stream cover its text exactly, in order;
//! - errors carry a message and a 1-based location;
//! - an edited document reads back as the edited value (splice or re-emit), and planning it again
//!   changes nothing (idempotency).

use std::sync::OnceLock;

use serde_json::Value;

use crate::config::{self, KubeOpenCodeConfig, OpenTelemetry};
use crate::diag::Diagnostic;
use crate::engine::{self, Options, Outcome, StreamContext, WorkloadPlan};
use crate::input::{self, Origin, Source};
use crate::pipeline::{self, Processor};
use crate::render;
use crate::window::Windows;
use crate::yaml::stream::{Format, split_yaml};
use crate::yaml::tree::{Limits, Node, parse_value};

/// The fixed config: observability on, a literal header and a Secret-backed one, LLM traces (so
/// OPENCODE_CONFIG_CONTENT is merged), recorded content and resource attributes.
const CONFIG_JSON: &str = r#"{
  "apiVersion": "kubeopencode.io/v1alpha1",
  "kind": "KubeOpenCodeConfig",
  "metadata": {"name": "cluster"},
  "spec": {"observability": {"openTelemetry": {
    "enabled": true,
    "endpoint": "http://otel-collector.observability:4318",
    "headers": {
      "x-scope-orgid": {"value": "tenant-a"},
      "authorization": {"valueFrom": {"secretKeyRef": {"name": "otel-auth", "key": "token"}}}
    },
    "enableLLMTraces": true,
    "recordContent": true,
    "resourceAttributes": {"deployment.environment": "staging"}
  }}}
}"#;

// The `expect`s in this harness never see user input: they read the constant config above, or
// they are the harness's own assertions (a fuzz target reports a failure by panicking).
fn config() -> &'static KubeOpenCodeConfig {
    static CONFIG: OnceLock<KubeOpenCodeConfig> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let v: Value = serde_json::from_str(CONFIG_JSON).expect("the fixed config is JSON");
        config::from_value(&v).expect("the fixed config is valid").0
    })
}

fn otel() -> &'static OpenTelemetry {
    config().active().expect("the fixed config is enabled")
}

/// Small limits keep one run fast; the output is read back with the defaults.
fn limits() -> Limits {
    Limits {
        max_depth: 64,
        max_nodes: 20_000,
        ..Limits::default()
    }
}

fn selections() -> [Options; 2] {
    [
        Options::default(),
        Options {
            all: true,
            ..Options::default()
        },
    ]
}

/// A diagnostic must say something, be located sensibly, and render (snippet included).
fn check_diagnostic(d: &Diagnostic) {
    assert!(!d.message.trim().is_empty(), "an error without a message");
    if let Some(line) = d.line {
        assert!(line >= 1, "line {line} in {}", d.short());
    }
    if let Some(col) = d.col {
        assert!(col >= 1, "column {col} in {}", d.short());
    }
    assert!(!d.short().is_empty());
    assert!(!d.render(false).is_empty());
}

fn has_failure(plans: &[WorkloadPlan]) -> bool {
    plans
        .iter()
        .any(|p| matches!(p.outcome, Outcome::Failed(_)))
}

fn has_edits(plans: &[WorkloadPlan]) -> bool {
    plans.iter().any(|p| !p.edits().is_empty())
}

/// What a second run sees: the edited text, read back.
fn read_back(out: &str, how: &str, original: &str) -> Value {
    match parse_value(out, &Limits::default()) {
        Ok((_, v)) => v,
        Err(e) => panic!(
            "the {how} output does not parse ({e}).\n--- input:\n{original}\n--- output:\n{out}"
        ),
    }
}

/// Renders a document's plans and checks the result reads back as the edited value, and that a
/// second run would change nothing.
fn check_render(
    text: &str,
    root: &Node,
    value: &Value,
    plans: &[WorkloadPlan],
    otel: Option<&OpenTelemetry>,
    ctx: &StreamContext,
    opts: &Options,
) {
    let mut applied = value.clone();
    engine::apply(&mut applied, plans);
    let (out, how) = match render::splice(text, root, plans) {
        Ok(out) => (out, "spliced"),
        Err(render::Fallback(reason)) => {
            assert!(!reason.is_empty(), "a fallback without a reason");
            (
                render::reemit_yaml(text, Some(root), &applied),
                "re-emitted",
            )
        }
    };
    if !has_edits(plans) {
        if how == "spliced" {
            assert_eq!(out, text, "a plan without edits changed the text");
        }
        return;
    }
    let again = read_back(&out, how, text);
    assert_eq!(
        again, applied,
        "the {how} output does not read back as the edited value.\n--- input:\n{text}\n--- output:\n{out}"
    );
    let second = engine::plan_document(&again, otel, ctx, opts);
    assert!(
        !has_edits(&second),
        "not idempotent: a second run would edit again.\n--- input:\n{text}\n--- output:\n{out}\n--- second plans:\n{second:?}"
    );
}

/// The building blocks, document by document.
fn check_blocks(text: &str) {
    let chunks = split_yaml(text);
    assert!(!chunks.is_empty(), "a stream has at least one document");
    let mut at = 0;
    for c in &chunks {
        assert_eq!(c.range.start, at, "documents must be contiguous");
        assert!(c.range.end >= c.range.start && c.line >= 1);
        at = c.range.end;
    }
    assert_eq!(at, text.len(), "documents must cover the whole text");

    let limits = limits();
    let mut parsed = Vec::new();
    let mut ctx = StreamContext::default();
    for c in &chunks {
        let t = &text[c.range.clone()];
        match parse_value(t, &limits) {
            Ok((doc, value)) => {
                ctx.add(&value, None);
                parsed.push((t, doc, value));
            }
            Err(e) => {
                assert!(!e.message.is_empty(), "a YAML error without a message");
                assert!(e.line >= 1 && e.col >= 1, "{e}");
            }
        }
    }
    for (t, doc, value) in &parsed {
        for opts in &selections() {
            for otel in [Some(otel()), None] {
                let plans = engine::plan_document(value, otel, &ctx, opts);
                if has_failure(&plans) {
                    continue;
                }
                if let Some(root) = &doc.root {
                    check_render(t, root, value, &plans, otel, &ctx, opts);
                }
            }
        }
    }
}

/// The pipeline the binary runs, with every diagnostic rendered.
fn check_pipeline(src: &Source) {
    let limits = limits();
    let refs = match pipeline::split(src) {
        Ok(r) => r,
        Err(d) => return check_diagnostic(&d),
    };
    let mut docs = Vec::new();
    let mut ctx = StreamContext::default();
    for d in &refs {
        match pipeline::parse(src, d, &limits) {
            Ok(p) => {
                ctx.add(&p.value(), None);
                docs.push((d, p));
            }
            Err(diag) => check_diagnostic(&diag),
        }
    }
    let opts = Options {
        all: true,
        ..Options::default()
    };
    for (d, p) in &docs {
        for (otel, normalize) in [(Some(otel()), false), (None, false), (Some(otel()), true)] {
            let processor = Processor {
                otel,
                ctx: &ctx,
                opts: &opts,
                normalize,
                limits: &limits,
                report: true,
                hook: None,
            };
            let plans = processor.plan(p);
            for diag in pipeline::plan_diagnostics(src, d, p.root.as_ref(), &plans) {
                check_diagnostic(&diag);
            }
            if has_failure(&plans) {
                continue;
            }
            let text = &src.text[d.range.clone()];
            let out = processor.render(text, d, p, plans);
            if let Some(new) = &out.text {
                match d.format {
                    Format::Json => {
                        let _: Value = serde_json::from_str(new)
                            .unwrap_or_else(|e| panic!("JSON output does not parse ({e}):\n{new}"));
                    }
                    Format::Yaml => {
                        read_back(new, "rendered", text);
                    }
                }
            }
        }
    }
}

/// The window reader on raw bytes (a window size from the first byte): the windows give the text
/// back, their documents are the documents of the whole text (same lines), and a bad byte is an
/// error located like the whole-text reader locates it.
fn check_windows(data: &[u8]) {
    let target = 1 + usize::from(data.first().copied().unwrap_or(0));
    let whole = input::decode("fuzz.yaml", data.to_vec());
    let mut w = Windows::with_target(data, Origin::Stdin, "fuzz.yaml".into(), target);
    let mut text = String::new();
    let mut docs = Vec::new();
    loop {
        match w.next_window() {
            Ok(Some(src)) => {
                for c in split_yaml(&src.text) {
                    docs.push((c.line + src.first_line, src.text[c.range].to_string()));
                }
                assert_eq!(src.first_doc + split_yaml(&src.text).len(), docs.len());
                text.push_str(&src.text);
            }
            Ok(None) => break,
            Err(e) => {
                check_diagnostic(&e);
                let Err(w) = whole else {
                    panic!("a window fails ({}) but the whole text reads", e.message)
                };
                // JSON and UTF-16 are read whole; YAML errors are located the same way.
                if e.message.contains("UTF-8") {
                    assert_eq!((e.line, e.col, e.document), (w.line, w.col, w.document));
                }
                return;
            }
        }
    }
    // The harness's own assertion (the fuzz target reports a failure by panicking): every window
    // read, so the whole text must read too.
    let (whole, _) = whole.expect("every window read, so the whole text reads");
    assert_eq!(text, whole, "the windows give the text back");
    if !text.trim_start().starts_with(['{', '[']) {
        let expected: Vec<(usize, String)> = split_yaml(&whole)
            .into_iter()
            .map(|c| (c.line, whole[c.range].to_string()))
            .collect();
        assert_eq!(docs, expected, "windows cut documents differently");
    }
}

/// Checks one input; panics on a violated invariant.
pub fn check_stream(data: &[u8]) {
    check_windows(data);
    let name = "fuzz.yaml";
    let (text, bom) = match input::decode(name, data.to_vec()) {
        Ok(t) => t,
        Err(d) => return check_diagnostic(&d),
    };
    check_blocks(&text);
    let src = Source {
        origin: Origin::Stdin,
        name: name.to_string(),
        text,
        bom,
        first_line: 0,
        first_doc: 0,
    };
    check_pipeline(&src);
}
