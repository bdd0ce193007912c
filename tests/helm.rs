//! Helm, for real: a chart made with `helm create`, rendered by `helm template` with this binary
//! as the Helm 3 post-renderer, must equal the plain render piped through the binary, byte for
//! byte. The Helm 4 plugin in docs/examples/helm runs the same way (Helm 4 itself is not
//! installable here: its wrapper is run as Helm 4 runs a subprocess post-renderer).

mod common;
mod tools;

use std::path::Path;
use std::process::{Command, Output};

use common::docs;

fn helm(dir: &Path, args: &[&str]) -> Output {
    Command::new("helm")
        .args(args)
        .current_dir(dir)
        .env("PATH", tools::path_with_bin())
        .env("HELM_CONFIG_HOME", dir.join(".helm/config"))
        .env("HELM_CACHE_HOME", dir.join(".helm/cache"))
        .env("HELM_DATA_HOME", dir.join(".helm/data"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run helm")
}

fn ok(o: &Output, what: &str) -> String {
    assert!(
        o.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// A scratch dir with `chart/` from `helm create` and the example config as `cfg.yaml`.
fn chart() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    ok(&helm(tmp.path(), &["create", "chart"]), "helm create");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs/examples/kustomize/kubeopencodeconfig.yaml"),
        tmp.path().join("cfg.yaml"),
    )
    .unwrap();
    tmp
}

/// The chart's Deployment is an agent server once its Pods carry the agent label.
const AGENT_LABEL: &str = "podLabels.kubeopencode\\.io/agent=coder";

fn pipe(input: &str, args: &[&str], dir: &Path) -> String {
    let o = tools::with_stdin(
        Command::new(common::bin()).args(args).current_dir(dir),
        input,
    );
    ok(&o, "the pipe")
}

/// `helm template rel chart --set AGENT_LABEL` with the binary as post-renderer and `-c config`.
fn post_render(dir: &Path, config: &str, label: bool) -> Output {
    let mut args = vec!["template", "rel", "chart"];
    if label {
        args.extend(["--set", AGENT_LABEL]);
    }
    args.extend([
        "--post-renderer",
        "kubeopencode-inject",
        "--post-renderer-args",
        "-c",
        "--post-renderer-args",
        config,
    ]);
    helm(dir, &args)
}

fn injected(stream: &str) -> bool {
    docs(stream).iter().any(|d| {
        d["kind"] == "Deployment"
            && d["spec"]["template"]["spec"]["containers"][0]["env"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| e["name"] == "OTEL_EXPORTER_OTLP_ENDPOINT")
    })
}

#[test]
fn helm3_post_renderer_equals_the_pipe() {
    if !tools::have("helm", "version") {
        return;
    }
    let tmp = chart();
    let dir = tmp.path();
    let plain = ok(
        &helm(dir, &["template", "rel", "chart", "--set", AGENT_LABEL]),
        "helm template",
    );
    let piped = pipe(&plain, &["-q", "-c", "cfg.yaml"], dir);
    let post = ok(
        &post_render(dir, "cfg.yaml", true),
        "helm template --post-renderer",
    );
    assert!(injected(&post), "{post}");
    assert_eq!(post, piped, "the post-renderer and the pipe differ");
    assert!(post.contains("# Source: chart/templates/deployment.yaml"));
    // Only the env entries change: the unrelated documents are Helm's own bytes.
    assert_ne!(post, plain);
    assert!(post.contains("kind: Service\n"));

    // The chart's own values.yaml may carry the config under kubeopencodeConfig.
    let values = std::fs::read_to_string(dir.join("chart/values.yaml")).unwrap();
    std::fs::write(
        dir.join("chart/values.yaml"),
        format!(
            "{values}\nkubeopencodeConfig:\n  observability:\n    openTelemetry:\n      enabled: true\n      endpoint: http://otel-collector.observability:4318\n"
        ),
    )
    .unwrap();
    let post = ok(
        &post_render(dir, "chart/values.yaml", true),
        "helm template with the chart's values as the config",
    );
    assert!(injected(&post), "{post}");
}

#[test]
fn helm3_post_renderer_errors_fail_the_render() {
    if !tools::have("helm", "version") {
        return;
    }
    let tmp = chart();
    let dir = tmp.path();
    let cfg = std::fs::read_to_string(dir.join("cfg.yaml")).unwrap();
    std::fs::write(dir.join("cfg.yaml"), cfg.replace("endpoint:", "endpont:")).unwrap();
    let o = post_render(dir, "cfg.yaml", false);
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("did you mean `endpoint`"), "{stderr}");
}

#[test]
fn helm4_plugin_runs_the_binary_as_helm4_does() {
    let plugin_dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples/helm/kubeopencode-inject");
    let manifest =
        docs(&std::fs::read_to_string(plugin_dir.join("plugin.yaml")).unwrap()).remove(0);
    assert_eq!(manifest["apiVersion"], "v1");
    assert_eq!(manifest["type"], "postrenderer/v1");
    assert_eq!(manifest["runtime"], "subprocess");
    assert_eq!(manifest["name"], "kubeopencode-inject");
    let command = manifest["runtimeConfig"]["platformCommand"][0]["command"]
        .as_str()
        .unwrap()
        .replace("${HELM_PLUGIN_DIR}", plugin_dir.to_str().unwrap());
    // Helm 4 runs the command with the post-renderer args, the chart on stdin.
    let tmp = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples/kustomize");
    let rendered = format!(
        "---\n# Source: agents/templates/agents.yaml\n{}",
        std::fs::read_to_string(examples.join("agents.yaml")).unwrap()
    );
    let cfg = examples.join("kubeopencodeconfig.yaml");
    let o = tools::with_stdin(
        Command::new(&command)
            .args(["-q", "-c", cfg.to_str().unwrap()])
            .current_dir(tmp.path())
            .env("PATH", tools::path_with_bin())
            .env("HELM_PLUGIN_DIR", &plugin_dir),
        &rendered,
    );
    let via_plugin = ok(&o, "the Helm 4 plugin");
    let piped = pipe(&rendered, &["-q", "-c", cfg.to_str().unwrap()], tmp.path());
    assert_eq!(via_plugin, piped);
    assert!(injected(&via_plugin));
}
