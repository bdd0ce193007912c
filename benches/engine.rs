//! The engine and the renderer alone (no process start, no I/O): plan and splice one Deployment,
//! a Task Pod, and a 1,000-document stream; and the YAML parser alone, the full parser
//! (saphyr-parser, `tree::parse_full`) against `tree::parse` (which takes the fast path,
//! `yaml::fast`, when it can).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kubeopencode_inject::config;
use kubeopencode_inject::engine::{self, Options, StreamContext};
use kubeopencode_inject::render;
use kubeopencode_inject::yaml::stream::split_yaml;
use kubeopencode_inject::yaml::tree::{self, Limits, parse_value};

// The binary's allocator (src/main.rs), so the numbers are those of the tool: the parsers
// allocate a node per scalar, and the system allocator weighs more on the fast one.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CONFIG: &str = r#"{"apiVersion":"kubeopencode.io/v1alpha1","kind":"KubeOpenCodeConfig",
  "metadata":{"name":"cluster"},"spec":{"observability":{"openTelemetry":{"enabled":true,
  "endpoint":"http://otel-collector.observability:4318","enableLLMTraces":true,
  "headers":{"x-honeycomb-team":{"valueFrom":{"secretKeyRef":{"name":"hc","key":"k"}}}}}}}}"#;

const DEPLOYMENT: &str =
    include_str!("../testdata/conformance/cases/deploy-git-sync-sidecar/input.yaml");

/// `scripts/gen_stream.py 60`: the benchmark's mix of resources.
const SAMPLE: &str = include_str!("../testdata/bench/sample.yaml");

fn stream(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str("---\n");
        s.push_str(&DEPLOYMENT.replace("name: coder-server", &format!("name: coder-{i}-server")));
    }
    s
}

fn bench(c: &mut Criterion) {
    let cfg: serde_json::Value = serde_json::from_str(CONFIG).unwrap();
    let (cfg, _) = config::from_value(&cfg).unwrap();
    let otel = cfg.active();
    let ctx = StreamContext::default();
    let opts = Options::default();
    let limits = Limits::default();

    let (doc, value) = parse_value(DEPLOYMENT, &limits).unwrap();
    let root = doc.root.unwrap();
    let mut g = c.benchmark_group("deployment");
    g.throughput(Throughput::Bytes(DEPLOYMENT.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| parse_value(black_box(DEPLOYMENT), &limits).unwrap())
    });
    g.bench_function("plan", |b| {
        b.iter(|| engine::plan_document(black_box(&value), otel, &ctx, &opts))
    });
    let plans = engine::plan_document(&value, otel, &ctx, &opts);
    g.bench_function("splice", |b| {
        b.iter(|| render::splice(black_box(DEPLOYMENT), &root, &plans).unwrap())
    });
    g.finish();

    let text = stream(1000);
    let mut g = c.benchmark_group("stream-1000");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("parse+plan+splice", |b| {
        b.iter(|| {
            let mut out = String::with_capacity(text.len() * 2);
            for chunk in split_yaml(&text) {
                let t = &text[chunk.range];
                let (doc, v) = parse_value(t, &limits).unwrap();
                let plans = engine::plan_document(&v, otel, &ctx, &opts);
                match doc.root {
                    Some(root) => out.push_str(&render::splice(t, &root, &plans).unwrap()),
                    None => out.push_str(t),
                }
            }
            out
        })
    });
    g.finish();
}

fn parser(c: &mut Criterion) {
    let limits = Limits::default();
    let mut g = c.benchmark_group("parser-deployment");
    g.throughput(Throughput::Bytes(DEPLOYMENT.len() as u64));
    g.bench_function("full", |b| {
        b.iter(|| tree::parse_full(black_box(DEPLOYMENT), &limits).unwrap())
    });
    g.bench_function("fast", |b| {
        b.iter(|| tree::parse(black_box(DEPLOYMENT), &limits).unwrap())
    });
    g.finish();

    for (name, text) in [
        ("parser-stream-1000", stream(1000)),
        ("parser-sample", SAMPLE.to_string()),
    ] {
        let docs: Vec<&str> = split_yaml(&text)
            .into_iter()
            .map(|c| &text[c.range])
            .collect();
        let mut g = c.benchmark_group(name);
        g.sample_size(20);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function("full", |b| {
            b.iter(|| {
                for d in &docs {
                    black_box(tree::parse_full(black_box(d), &limits).unwrap());
                }
            })
        });
        g.bench_function("fast", |b| {
            b.iter(|| {
                for d in &docs {
                    black_box(tree::parse(black_box(d), &limits).unwrap());
                }
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench, parser);
criterion_main!(benches);
