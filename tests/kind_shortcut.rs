//! The first pass copies documents whose top-level kind makes them neither workloads nor context
//! without converting them to a `Value` (`pipeline::copied_as_bytes`). That must change nothing:
//! every front end gives the same bytes, the same messages and the same exit code with the
//! shortcut turned off (`KUBEOPENCODE_INJECT_NO_SHORTCUT`), on every test file and on streams built
//! to sit on the edge of what the shortcut may decide (merge keys, a `kind` inside a block scalar
//! or a nested mapping, flow style, JSON, non-finite numbers, syntax errors in a Service).

mod common;

use std::path::Path;

const CONFIG: &str = "apiVersion: kubeopencode.io/v1alpha1
kind: KubeOpenCodeConfig
metadata:
  name: cluster
spec:
  observability:
    openTelemetry:
      enabled: true
      endpoint: http://otel-collector.observability:4318
";

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: a-server
  labels:
    kubeopencode.io/agent: a
spec:
  template:
    spec:
      containers:
      - name: opencode-server
        image: x
";

/// Documents at the edge of the shortcut: each must behave as the full path says.
const EDGES: &[&str] = &[
    // A merge key can make a Service-looking mapping a Deployment only in the full conversion.
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n<<: {kind: Deployment}\n",
    "<<: {kind: Deployment, apiVersion: apps/v1}\nmetadata:\n  name: m\n",
    // `kind` not at the top level.
    "apiVersion: v1\nmetadata:\n  name: c\n  kind: Deployment\ndata:\n  x: |\n    kind: Pod\n",
    "apiVersion: v1\nkind: ConfigMap\ndata:\n  text: |\n    kind: Deployment\n    apiVersion: apps/v1\n",
    // Quoted keys and values, flow style, JSON.
    "\"kind\": 'Service'\napiVersion: v1\nmetadata: {name: q}\n",
    "{kind: Service, apiVersion: v1, metadata: {name: f}}\n",
    "kind: Secret\napiVersion: v1\nmetadata:\n  name: token\nstringData:\n  t: x\n",
    "kind: Task\napiVersion: kubeopencode.io/v1alpha1\nmetadata:\n  name: t\nspec:\n  agentRef:\n    name: a\n",
    "kind: Widget\napiVersion: kubeopencode.io/v1alpha1\nmetadata:\n  name: w\n",
    "kind: ServiceList\napiVersion: v1\nitems: []\n",
    "kind: 12\napiVersion: v1\n",
    "kind: [Deployment]\napiVersion: v1\n",
    // Values the conversion refuses, in a document that would otherwise be copied.
    "apiVersion: v1\nkind: Service\nspec:\n  weight: .inf\n",
    "apiVersion: v1\nkind: Service\nspec:\n  w: !!int x\n",
    "apiVersion: v1\nkind: Service\nmetadata: &m\n  name: s\nother: *m\n",
    // Syntax errors and duplicate keys in non-workloads.
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: [s\n",
    "apiVersion: v1\nkind: Service\nkind: Service\n",
    "apiVersion: v1\nkind: ConfigMap\ndata:\n\tx: y\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n 1: bad indentation\n",
    "apiVersion: v1\nkind: ConfigMap\n1: one\ntrue: yes\nnull: ~\n",
];

fn compare(dir: &Path, label: &str, stream: &str) {
    let cfg = common::write_temp(dir, "cfg.yaml", CONFIG);
    let cfg = cfg.to_str().unwrap_or_default();
    let file = common::write_temp(dir, "stream.yaml", stream);
    let file = file.to_str().unwrap_or_default();
    let fronts: [&[&str]; 6] = [
        &["-c", cfg],
        &["-c", cfg, "-f", file],
        &[],
        &["diff", "-c", cfg],
        &["check", "-c", cfg, "-f", file],
        &["-o", "json", "-c", cfg],
    ];
    for args in fronts {
        // Small windows, so that multi-window streams take the two-pass path.
        let env = [("KUBEOPENCODE_INJECT_WINDOW_BYTES", "4096")];
        let with = common::run_env(args, Some(stream), &env);
        let without = common::run_env(
            args,
            Some(stream),
            &[env[0], ("KUBEOPENCODE_INJECT_NO_SHORTCUT", "1")],
        );
        assert!(
            with.code == without.code
                && with.stdout == without.stdout
                && with.stderr == without.stderr,
            "{label} {args:?}: the shortcut changed the result\n--- with (exit {}):\n{}\n{}\n--- without (exit {}):\n{}\n{}",
            with.code,
            with.stdout,
            with.stderr,
            without.code,
            without.stdout,
            without.stderr
        );
    }
}

#[test]
fn edge_documents_behave_as_without_the_shortcut() {
    let dir = tempfile::tempdir().unwrap();
    for (i, edge) in EDGES.iter().enumerate() {
        compare(dir.path(), &format!("edge {i}"), edge);
        let stream = format!("{DEPLOYMENT}---\n{edge}---\n{DEPLOYMENT}");
        compare(dir.path(), &format!("edge {i} between workloads"), &stream);
    }
}

#[test]
fn generated_streams_are_identical_without_the_shortcut() {
    let dir = tempfile::tempdir().unwrap();
    // Many documents, several windows, every edge repeated among them.
    let mut stream = String::new();
    for i in 0..40 {
        stream.push_str(&DEPLOYMENT.replace("a-server", &format!("s{i}")));
        stream.push_str("---\n");
        stream.push_str(&format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc{i}\nspec:\n  ports:\n  - port: 80\n---\n"
        ));
        let edge = EDGES[i % EDGES.len()];
        // Leave out the errors, so the output is compared too.
        if i % 3 == 0 {
            stream.push_str(edge);
            stream.push_str("---\n");
        }
    }
    compare(dir.path(), "generated", &stream);
}

#[test]
fn test_files_are_identical_without_the_shortcut() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::testdata("");
    let files: Vec<_> = common::files_under(&root)
        .into_iter()
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    assert!(files.len() > 100, "testdata files not found");
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let rel = f.strip_prefix(&root).unwrap_or(&f).display().to_string();
        compare(dir.path(), &rel, &text);
    }
}
