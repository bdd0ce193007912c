//! Integrations, run with the real programs where this machine has them: kustomize (embedded in
//! kubectl) with the legacy exec plugin, kpt with the exec KRM function, the ResourceLists captured
//! from kustomize and kpt, the Helm post-renderer contract, pre-commit, Argo CD and CI examples.
//! A test whose program is missing prints `SKIPPED: <program> not installed` on stderr, and fails
//! under `KUBEOPENCODE_REQUIRE_TOOLS=1` (CI).

mod common;
mod tools;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bin, docs, run, testdata};
use serde_json::Value;

fn examples(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/examples")
        .join(rel)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn out(cmd: &mut Command) -> (i32, String, String) {
    let o = cmd.output().expect("run");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn injected_env_names(values: &[Value]) -> Vec<String> {
    let mut names = Vec::new();
    for v in values {
        let spec = match v["kind"].as_str() {
            Some("Pod") => &v["spec"],
            _ => &v["spec"]["template"]["spec"],
        };
        for list in ["initContainers", "containers"] {
            for c in spec[list].as_array().into_iter().flatten() {
                for e in c["env"].as_array().into_iter().flatten() {
                    names.push(format!(
                        "{}/{}",
                        c["name"].as_str().unwrap_or(""),
                        e["name"].as_str().unwrap_or("")
                    ));
                }
            }
        }
    }
    names
}

#[test]
fn kustomize_exec_plugin_matches_the_pipe() {
    if !tools::have("kubectl", "--help") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path().join("app");
    copy_dir(&examples("kustomize"), &app);
    let xdg = tmp.path().join("xdg");
    let (code, stdout, stderr) = out(Command::new(bin())
        .args(["install-kustomize-plugin", "--dir"])
        .arg(&xdg));
    assert_eq!(code, 0, "{stderr}");
    let plugin =
        xdg.join("kustomize/plugin/kubeopencode.io/v1alpha1/kubeopencodeconfig/KubeOpenCodeConfig");
    assert!(stdout.contains(plugin.to_str().unwrap()), "{stdout}");
    assert!(
        std::fs::symlink_metadata(&plugin)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    let (code, with_plugin, stderr) = out(Command::new("kubectl")
        .args(["kustomize", "--enable-alpha-plugins"])
        .arg(&app)
        .env("XDG_CONFIG_HOME", &xdg)
        .env_remove("KUSTOMIZE_PLUGIN_HOME"));
    assert_eq!(
        code, 0,
        "kubectl kustomize with the plugin failed: {stderr}"
    );

    // The same kustomization without the transformer, piped through the tool.
    let plain = tmp.path().join("plain");
    copy_dir(&examples("kustomize"), &plain);
    std::fs::write(
        plain.join("kustomization.yaml"),
        "resources:\n- agents.yaml\n",
    )
    .unwrap();
    let (code, rendered, stderr) = out(Command::new("kubectl").arg("kustomize").arg(&plain));
    assert_eq!(code, 0, "{stderr}");
    let cfg = examples("kustomize/kubeopencodeconfig.yaml");
    let piped = run(&["-q", "-c", cfg.to_str().unwrap()], Some(&rendered));
    assert_eq!(piped.code, 0, "{}", piped.stderr);

    let a = docs(&with_plugin);
    let b = docs(&piped.stdout);
    assert_eq!(a, b, "plugin output differs from the pipe");
    assert!(
        injected_env_names(&a)
            .iter()
            .any(|n| n == "opencode-server/OTEL_EXPORTER_OTLP_ENDPOINT")
    );
}

#[test]
fn kustomize_plugin_errors_reach_the_user() {
    if !tools::have("kubectl", "--help") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path().join("app");
    copy_dir(&examples("kustomize"), &app);
    let cfg = std::fs::read_to_string(app.join("kubeopencodeconfig.yaml")).unwrap();
    std::fs::write(
        app.join("kubeopencodeconfig.yaml"),
        cfg.replace("enableLLMTraces", "enableLlmTraces"),
    )
    .unwrap();
    let xdg = tmp.path().join("xdg");
    assert_eq!(
        out(Command::new(bin())
            .args(["install-kustomize-plugin", "--dir"])
            .arg(&xdg))
        .0,
        0
    );
    let (code, _, stderr) = out(Command::new("kubectl")
        .args(["kustomize", "--enable-alpha-plugins"])
        .arg(&app)
        .env("XDG_CONFIG_HOME", &xdg));
    assert_ne!(code, 0);
    assert!(
        stderr.contains("did you mean `enableLLMTraces`"),
        "{stderr}"
    );
}

fn kpt_eval(pkg: &Path, fn_config: &Path) -> (i32, String, String) {
    out(Command::new("kpt")
        .args(["fn", "eval"])
        .arg(pkg)
        .arg("--exec")
        .arg(bin())
        .arg("--fn-config")
        .arg(fn_config)
        .args(["-o", "stdout"]))
}

#[test]
fn kpt_exec_function() {
    if !tools::have("kpt", "version") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::copy(examples("kustomize/agents.yaml"), pkg.join("agents.yaml")).unwrap();
    let (code, stdout, stderr) = kpt_eval(&pkg, &examples("kpt/fn-config.yaml"));
    assert_eq!(code, 0, "{stderr}");
    // `-o stdout` prints a ResourceList.
    let list = docs(&stdout);
    assert_eq!(list[0]["kind"], "ResourceList", "{stdout}");
    let values: Vec<Value> = list[0]["items"].as_array().unwrap().clone();
    assert!(!values.is_empty(), "kpt printed nothing: {stderr}");
    let names = injected_env_names(&values);
    assert!(
        names
            .iter()
            .any(|n| n == "opencode-server/OTEL_EXPORTER_OTLP_ENDPOINT"),
        "{stdout}"
    );
    assert!(
        names.iter().any(|n| n == "agent/OPENCODE_CONFIG_CONTENT"),
        "{stdout}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("web/")),
        "unrelated workloads untouched"
    );
    // kpt's own path annotations survive the round trip through the function.
    for v in &values {
        assert_eq!(
            v["metadata"]["annotations"]["config.kubernetes.io/path"], "agents.yaml",
            "{v}"
        );
    }

    // An invalid config: results on kpt's output, a non-zero exit, the message on stderr.
    let bad = tmp.path().join("bad.yaml");
    let cfg = std::fs::read_to_string(examples("kpt/fn-config.yaml")).unwrap();
    std::fs::write(&bad, cfg.replace("name: cluster", "name: default")).unwrap();
    let (code, stdout, stderr) = kpt_eval(&pkg, &bad);
    assert_ne!(code, 0, "{stdout}");
    let all = format!("{stdout}{stderr}");
    assert!(
        all.contains("[error]") && all.contains("must be named 'cluster'"),
        "{all}"
    );
}

fn captured_config() -> PathBuf {
    examples("kpt/fn-config.yaml")
}

#[test]
fn captured_resource_lists_keep_every_annotation() {
    for name in [
        "kpt-fn-eval-exec-stdin.yaml",
        "kubectl-kustomize-resourcelist-stdin.yaml",
    ] {
        let input = std::fs::read_to_string(testdata(&format!("krm/{name}"))).unwrap();
        let cfg = captured_config();
        let res = run(&["--all", "-c", cfg.to_str().unwrap()], Some(&input));
        assert_eq!(res.code, 0, "{name}: {}", res.stderr);
        let before = docs(&input);
        let after = docs(&res.stdout);
        assert_eq!(after.len(), 1, "{name}: one ResourceList out");
        assert_eq!(after[0]["kind"], "ResourceList");
        let (bi, ai) = (
            before[0]["items"].as_array().unwrap(),
            after[0]["items"].as_array().unwrap(),
        );
        assert_eq!(bi.len(), ai.len(), "{name}");
        for (b, a) in bi.iter().zip(ai) {
            assert_eq!(
                b["metadata"]["annotations"], a["metadata"]["annotations"],
                "{name}"
            );
            assert_eq!(b["metadata"]["name"], a["metadata"]["name"]);
        }
        assert!(
            injected_env_names(
                &ai.iter()
                    .filter(|i| i["kind"] == "Deployment")
                    .cloned()
                    .collect::<Vec<_>>()
            )
            .iter()
            .any(|n| n.ends_with("/OTEL_EXPORTER_OTLP_ENDPOINT")),
            "{name}: {}",
            res.stdout
        );
        assert_eq!(
            after[0]["functionConfig"], before[0]["functionConfig"],
            "{name}"
        );
        // Everything before the injected lines is the input, byte for byte.
        assert!(res.stdout.len() > input.len());
    }
}

#[test]
fn captured_legacy_plugin_stream() {
    let input = std::fs::read_to_string(testdata("krm/legacy-exec-plugin-stdin.yaml")).unwrap();
    let cfg = captured_config();
    // Exactly what kustomize runs: the binary under the plugin's name, with the config file.
    let tmp = tempfile::tempdir().unwrap();
    let plugin = tmp.path().join("KubeOpenCodeConfig");
    std::os::unix::fs::symlink(bin(), &plugin).unwrap();
    let mut child = Command::new(&plugin)
        .arg(&cfg)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stderr.is_empty(), "the plugin is quiet on success");
    let after = docs(&String::from_utf8(o.stdout).unwrap());
    let before = docs(&input);
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b["metadata"]["annotations"], a["metadata"]["annotations"]);
    }
}

#[test]
fn krm_function_never_exits_zero_with_empty_output() {
    let input =
        std::fs::read_to_string(testdata("krm/kubectl-kustomize-resourcelist-stdin.yaml")).unwrap();
    // No usable config at all: the functionConfig is not a KubeOpenCodeConfig and there is no -c.
    let res = run(&[], Some(&input));
    assert_ne!(res.code, 0);
    assert!(!res.stdout.is_empty());
    let v = docs(&res.stdout);
    assert_eq!(v[0]["kind"], "ResourceList");
    assert_eq!(v[0]["results"][0]["severity"], "error");
    assert!(
        res.stderr.contains("no KubeOpenCodeConfig"),
        "{}",
        res.stderr
    );
}

#[test]
fn krm_results_name_the_resource_and_field() {
    let rl = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n    namespace: ns\n    labels: {kubeopencode.io/task: t}\n    annotations:\n      config.kubernetes.io/path: pods.yaml\n      config.kubernetes.io/index: '0'\n  spec:\n    containers:\n    - name: agent\n      image: x\n      env:\n      - name: OPENCODE_CONFIG_CONTENT\n        valueFrom: {secretKeyRef: {name: s, key: k}}\n";
    let cfg = captured_config();
    let res = run(&["-c", cfg.to_str().unwrap()], Some(rl));
    assert_ne!(res.code, 0);
    let v = docs(&res.stdout);
    let r = &v[0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["severity"] == "error")
        .unwrap()
        .clone();
    assert_eq!(r["resourceRef"]["kind"], "Pod");
    assert_eq!(r["resourceRef"]["name"], "p");
    assert_eq!(r["file"]["path"], "pods.yaml");
    assert_eq!(r["field"]["path"], "spec.containers[0].env[0]");
    // The items come back unchanged when the run fails.
    assert_eq!(v[0]["items"], docs(rl)[0]["items"]);
}

#[test]
fn helm_post_renderer_contract() {
    // Helm pipes the rendered chart to stdin and reads the stream back from stdout.
    let rendered = format!(
        "---\n# Source: agents/templates/agents.yaml\n{}",
        std::fs::read_to_string(examples("kustomize/agents.yaml")).unwrap()
    );
    let values = examples("helm/values.yaml");
    let res = run(&["-c", values.to_str().unwrap()], Some(&rendered));
    assert_eq!(res.code, 0, "{}", res.stderr);
    assert!(
        res.stdout
            .starts_with("---\n# Source: agents/templates/agents.yaml\n")
    );
    assert!(
        injected_env_names(&docs(&res.stdout))
            .iter()
            .any(|n| n == "opencode-server/OTEL_EXPORTER_OTLP_ENDPOINT")
    );
    assert!(
        !res.stdout.contains("injected ("),
        "the report stays on stderr"
    );

    // The config may also come from the rendered chart itself.
    let with_config = format!(
        "{rendered}---\n{}",
        std::fs::read_to_string(examples("kustomize/kubeopencodeconfig.yaml")).unwrap()
    );
    let res = run(&[], Some(&with_config));
    assert_eq!(res.code, 0, "{}", res.stderr);
    let out = docs(&res.stdout);
    assert_eq!(out.last().unwrap()["kind"], "KubeOpenCodeConfig");
    assert!(
        injected_env_names(&out)
            .iter()
            .any(|n| n == "agent/OTEL_RESOURCE_ATTRIBUTES")
    );
}

#[test]
fn helm_values_errors_point_into_the_values_file() {
    let tmp = tempfile::tempdir().unwrap();
    let values = common::write_temp(
        tmp.path(),
        "values.yaml",
        "image: x\nkubeopencodeConfig:\n  observability:\n    openTelemetry:\n      enabled: true\n      endpont: http://c:4318\n",
    );
    let res = run(
        &["-c", values.to_str().unwrap()],
        Some("apiVersion: v1\nkind: List\nitems: []\n"),
    );
    assert_eq!(res.code, 2);
    assert!(res.stderr.contains("values.yaml:6:7"), "{}", res.stderr);
    assert!(
        res.stderr.contains("did you mean `endpoint`"),
        "{}",
        res.stderr
    );
}

fn hooks() -> Vec<Value> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    docs(&text)[0].as_array().unwrap().clone()
}

fn sh(cmd: &str, dir: &Path) -> (i32, String, String) {
    let bin_dir = Path::new(bin()).parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    out(Command::new("sh")
        .args(["-c", cmd])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1"))
}

#[test]
fn pre_commit_hooks_run_as_pre_commit_runs_them() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&examples("kustomize"), tmp.path());
    let hooks = hooks();
    let check = hooks
        .iter()
        .find(|h| h["id"] == "kubeopencode-inject-check")
        .unwrap();
    let fix = hooks
        .iter()
        .find(|h| h["id"] == "kubeopencode-inject")
        .unwrap();
    // pre-commit runs `entry args... files...`; the user's args name the config.
    let args = "-c kubeopencodeconfig.yaml";
    let (code, stdout, _) = sh(
        &format!("{} {args} agents.yaml", check["entry"].as_str().unwrap()),
        tmp.path(),
    );
    assert_eq!(code, 1, "drift is a finding: {stdout}");
    assert!(stdout.contains("drift"), "{stdout}");
    let (code, _, stderr) = sh(
        &format!("{} {args} agents.yaml", fix["entry"].as_str().unwrap()),
        tmp.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, _) = sh(
        &format!("{} {args} agents.yaml", check["entry"].as_str().unwrap()),
        tmp.path(),
    );
    assert!(!stdout.contains("drift"), "{stdout}");
    assert!(code == 0 || stdout.contains("0 errors"), "{stdout}");
}

#[test]
fn argocd_plugin_generates_injected_manifests() {
    if !tools::have("kubectl", "--help") {
        return;
    }
    let plugin = docs(&std::fs::read_to_string(examples("argocd/plugin.yaml")).unwrap())[0].clone();
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&examples("kustomize"), tmp.path());
    // Argo CD runs the generate command in the application directory.
    std::fs::write(
        tmp.path().join("kustomization.yaml"),
        "resources:\n- agents.yaml\n",
    )
    .unwrap();
    let discover = plugin["spec"]["discover"]["fileName"].as_str().unwrap();
    assert!(tmp.path().join(discover).exists());
    let command = plugin["spec"]["generate"]["command"][0].as_str().unwrap();
    let script = plugin["spec"]["generate"]["args"][0].as_str().unwrap();
    let generate = |dir: &Path| sh(&format!("{command} -c '{script}'"), dir);
    let (code, stdout, stderr) = generate(tmp.path());
    assert_eq!(code, 0, "{stderr}");
    // A failing kustomize must fail the step, not pass an empty output that prunes the app.
    std::fs::remove_file(tmp.path().join("kustomization.yaml")).unwrap();
    let (code, _, stderr) = generate(tmp.path());
    assert_ne!(
        code, 0,
        "a failing kubectl kustomize must fail the plugin: {stderr}"
    );
    assert!(
        injected_env_names(&docs(&stdout))
            .iter()
            .any(|n| n == "opencode-server/OTEL_EXPORTER_OTLP_ENDPOINT")
    );
}

#[test]
fn ci_examples_run_the_check_they_show() {
    let tmp = tempfile::tempdir().unwrap();
    let manifests = tmp.path().join("manifests");
    std::fs::create_dir_all(&manifests).unwrap();
    std::fs::copy(
        examples("kustomize/agents.yaml"),
        manifests.join("agents.yaml"),
    )
    .unwrap();
    std::fs::copy(
        examples("kustomize/kubeopencodeconfig.yaml"),
        tmp.path().join("kubeopencodeconfig.yaml"),
    )
    .unwrap();
    for file in ["ci/github-workflow.yml", "ci/gitlab-ci.yml"] {
        let text = std::fs::read_to_string(examples(file)).unwrap();
        let commands: Vec<&str> = text
            .lines()
            .filter_map(|l| {
                l.trim()
                    .trim_start_matches("- ")
                    .trim_start_matches("run: ")
                    .strip_prefix("kubeopencode-inject ")
            })
            .collect();
        assert!(!commands.is_empty(), "{file}");
        for c in commands {
            let (code, stdout, stderr) = sh(&format!("kubeopencode-inject {c}"), tmp.path());
            assert!(
                code == 0 || code == 1,
                "{file}: `{c}` exited {code}: {stderr}"
            );
            if c.contains("--format sarif") {
                let sarif =
                    std::fs::read_to_string(tmp.path().join("kubeopencode-inject.sarif")).unwrap();
                let log: Value = serde_json::from_str(&sarif).unwrap();
                assert_eq!(
                    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
                        ["uri"],
                    "manifests/agents.yaml",
                    "{sarif}"
                );
            }
            if c.contains("--format github") {
                assert!(
                    stdout.contains("::error file=manifests/agents.yaml,line="),
                    "{stdout}"
                );
            }
        }
    }
}

#[test]
fn helm_values_lints_point_at_their_own_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let values = common::write_temp(
        tmp.path(),
        "values.yaml",
        "image: x\nkubeopencodeConfig:\n  observability:\n    openTelemetry:\n      enabled: true\n      endpoint: http://collector:4317\n      recordContent: true\n      headers:\n        Authorization:\n          value: Bearer-abc\n",
    );
    let v = values.to_str().unwrap();
    let stream = "apiVersion: v1\nkind: List\nitems: []\n";
    for args in [
        vec!["check", "-c", v, "--format", "json"],
        vec!["validate", "-c", v, "--format", "json"],
    ] {
        let res = run(&args, Some(stream));
        let report: Value = serde_json::from_str(&res.stdout).unwrap();
        let at: Vec<(String, u64, u64, String)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                    f["column"].as_u64().unwrap(),
                    f["field"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let field = |k: &str| format!("kubeopencodeConfig.observability.openTelemetry.{k}");
        assert_eq!(
            at,
            vec![
                ("grpc-endpoint".into(), 6, 17, field("endpoint")),
                ("record-content".into(), 7, 22, field("recordContent")),
                (
                    "inline-credential".into(),
                    10,
                    18,
                    field("headers.Authorization.value")
                ),
            ],
            "{args:?}"
        );
    }
}

#[test]
fn helm_values_without_the_config_key_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    let values = common::write_temp(tmp.path(), "values.yaml", "image: x\nreplicaCount: 2\n");
    let res = run(
        &["check", "-c", values.to_str().unwrap(), "--format", "json"],
        Some("apiVersion: v1\nkind: List\nitems: []\n"),
    );
    let report: Value = serde_json::from_str(&res.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{}", res.stdout);
    let f = &findings[0];
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("no `kubeopencodeConfig` key"),
        "{f}"
    );
    assert!(
        f["help"].as_str().unwrap().contains("kubeopencodeConfig:"),
        "{f}"
    );
    // inject says the same, once.
    let res = run(
        &["-c", values.to_str().unwrap()],
        Some("apiVersion: v1\nkind: List\nitems: []\n"),
    );
    assert_eq!(res.code, 2);
    assert_eq!(
        res.stderr.matches("kubeopencodeConfig").count(),
        2,
        "{}",
        res.stderr
    );
    assert!(!res.stderr.contains("unknown field"), "{}", res.stderr);
}

/// kustomize drops what a successful exec plugin writes to stderr (docs/integrations.md says so
/// and points to `check` for the warnings): a plugin that warns and exits 0 shows nothing.
#[test]
fn kustomize_drops_a_successful_plugins_stderr() {
    if !tools::have("kubectl", "--help") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("xdg/kustomize/plugin/example.com/v1/noisy");
    std::fs::create_dir_all(&dir).unwrap();
    let plugin = dir.join("Noisy");
    std::fs::write(
        &plugin,
        "#!/bin/sh\necho 'warning: PLUGIN-STDERR-LINE' >&2\ncat\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let app = tmp.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    for (name, text) in [
        (
            "noisy.yaml",
            "apiVersion: example.com/v1\nkind: Noisy\nmetadata:\n  name: n\n",
        ),
        (
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
        (
            "kustomization.yaml",
            "resources:\n- cm.yaml\ntransformers:\n- noisy.yaml\n",
        ),
    ] {
        std::fs::write(app.join(name), text).unwrap();
    }
    let (code, stdout, stderr) = out(Command::new("kubectl")
        .args(["kustomize", "--enable-alpha-plugins"])
        .arg(&app)
        .env("XDG_CONFIG_HOME", tmp.path().join("xdg"))
        .env_remove("KUSTOMIZE_PLUGIN_HOME"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("name: c"), "the plugin ran: {stdout}");
    assert!(
        !stderr.contains("PLUGIN-STDERR-LINE") && !stdout.contains("PLUGIN-STDERR-LINE"),
        "kustomize now shows a successful plugin's stderr: update docs/integrations.md\n{stderr}"
    );
}
