//! The engine and the renderer alone (no process start, no I/O), through the library's test facade
//! (`kubeopencode_inject::api`): plan and splice one Deployment and a 1,000-document stream; and
//! the YAML parser alone, the full parser (libyaml's reader, `api::parse_tree_full`) against
//! `api::parse_tree` (which takes the fast path, `yaml::fast`, when it can).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kubeopencode_inject::api::{self, Engine, parse_document, split_yaml};

// The binary's allocator (src/main.rs), so the numbers are those of the tool: the parsers
// allocate a node per scalar, and the system allocator weighs more on the fast one.
#[global_allocator]
static GLOBAL: kubeopencode_inject::alloc::Mimalloc = kubeopencode_inject::alloc::Mimalloc;

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
    let engine = Engine::new(api::read_config(&cfg).unwrap(), false, None);

    let doc = parse_document(DEPLOYMENT).unwrap();
    let root = doc.root().unwrap();
    let mut g = c.benchmark_group("deployment");
    g.throughput(Throughput::Bytes(DEPLOYMENT.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| parse_document(black_box(DEPLOYMENT)).unwrap())
    });
    g.bench_function("plan", |b| b.iter(|| engine.plan(black_box(doc.value()))));
    let plans = engine.plan(doc.value());
    g.bench_function("splice", |b| {
        b.iter(|| plans.splice(black_box(DEPLOYMENT), root).unwrap())
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
                let doc = parse_document(t).unwrap();
                let plans = engine.plan(doc.value());
                match doc.root() {
                    Some(root) => out.push_str(&plans.splice(t, root).unwrap()),
                    None => out.push_str(t),
                }
            }
            out
        })
    });
    g.finish();
}

fn parser(c: &mut Criterion) {
    let mut g = c.benchmark_group("parser-deployment");
    g.throughput(Throughput::Bytes(DEPLOYMENT.len() as u64));
    g.bench_function("full", |b| {
        b.iter(|| api::parse_tree_full(black_box(DEPLOYMENT)).unwrap())
    });
    g.bench_function("fast", |b| {
        b.iter(|| api::parse_tree(black_box(DEPLOYMENT)).unwrap())
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
                    black_box(api::parse_tree_full(black_box(d)).unwrap());
                }
            })
        });
        g.bench_function("fast", |b| {
            b.iter(|| {
                for d in &docs {
                    black_box(api::parse_tree(black_box(d)).unwrap());
                }
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench, parser);
criterion_main!(benches);
