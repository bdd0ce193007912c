//! Every shell example in README.md and docs/*.md runs as written, in order, in a scratch
//! directory laid out like a user's repository (`cfg.yaml`, `manifests/`, `chart/`, a copy of
//! `docs/` and `testdata/`), with the binary on PATH and a scratch HOME.
//!
//! Left out, each for a reason named in `NOT_HERE`: commands that need a cluster (`kubectl apply`,
//! `kubectl get`, `helm install`), Helm 4 (`helm plugin install` of a postrenderer/v1 plugin), the
//! standalone `kustomize` binary when it is missing, and cargo building the crate (the suite is
//! that build; `cargo run --release -- ARGS` runs as the built binary with ARGS).

mod common;
mod tools;

use std::path::{Path, PathBuf};
use std::process::Command;

/// (what a command contains, why it cannot run here).
const NOT_HERE: [(&str, &str); 6] = [
    ("kubectl apply", "needs a cluster"),
    ("kubectl get", "needs a cluster"),
    ("helm install", "needs a cluster"),
    (
        "helm plugin install",
        "the plugin is for Helm 4, which is not installable here",
    ),
    (
        "cargo install",
        "builds the crate in release mode; the suite built it",
    ),
    ("cargo test", "is this test suite"),
];

struct Example {
    file: String,
    line: usize,
    command: String,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The commands of the ```sh blocks: continuation lines joined, comments and blank lines dropped.
fn examples() -> Vec<Example> {
    let mut files = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.strip_prefix(root()).unwrap().display().to_string();
        let mut in_sh = false;
        let mut pending: Option<(usize, String)> = None;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if let Some(lang) = line.strip_prefix("```") {
                in_sh = !in_sh && matches!(lang, "sh" | "bash" | "shell");
                continue;
            }
            if !in_sh || (pending.is_none() && (line.is_empty() || line.starts_with('#'))) {
                continue;
            }
            let (start, mut cmd) = pending.take().unwrap_or((i + 1, String::new()));
            match line.strip_suffix('\\') {
                Some(part) => {
                    cmd.push_str(part);
                    pending = Some((start, cmd));
                }
                None => {
                    cmd.push_str(line);
                    out.push(Example {
                        file: file.clone(),
                        line: start,
                        command: cmd,
                    });
                }
            }
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// A user's repository: the files the examples name.
fn scratch(dir: &Path, helm: bool) {
    let ex = root().join("docs/examples");
    copy_tree(&root().join("docs"), &dir.join("docs"));
    copy_tree(
        &root().join("testdata/examples"),
        &dir.join("testdata/examples"),
    );
    let cfg = ex.join("kustomize/kubeopencodeconfig.yaml");
    let agents = ex.join("kustomize/agents.yaml");
    for name in ["cfg.yaml", "kubeopencodeconfig.yaml"] {
        std::fs::copy(&cfg, dir.join(name)).unwrap();
    }
    std::fs::copy(ex.join("helm/values.yaml"), dir.join("values.yaml")).unwrap();
    for d in ["manifests", "DIR", "overlays/prod"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
        std::fs::copy(&agents, dir.join(d).join("agents.yaml")).unwrap();
    }
    std::fs::copy(&agents, dir.join("all.yaml")).unwrap();
    // web.yaml: the one Deployment with a `web` container.
    let text = std::fs::read_to_string(&agents).unwrap();
    let web = text
        .split("\n---\n")
        .find(|d| d.contains("name: unrelated-web"))
        .expect("the example has the web Deployment");
    std::fs::write(dir.join("web.yaml"), format!("{web}\n")).unwrap();
    std::fs::write(
        dir.join("overlays/prod/kustomization.yaml"),
        "resources:\n- agents.yaml\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("kustomization.yaml"),
        "resources:\n- manifests/agents.yaml\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("home")).unwrap();
    if helm {
        let o = shell(dir, "helm create chart >/dev/null");
        assert!(o.0 == 0, "helm create: {}", o.2);
    }
    for c in [
        "git init -q",
        "git add -A",
        "git -c user.name=t -c user.email=t@example.com commit -qm init",
    ] {
        let o = shell(dir, c);
        assert!(o.0 == 0, "{c}: {}", o.2);
    }
}

fn shell(dir: &Path, command: &str) -> (i32, String, String) {
    let o = Command::new("bash")
        .args(["--norc", "--noprofile", "-o", "pipefail", "-c", command])
        .current_dir(dir)
        .env("PATH", tools::path_with_bin())
        .env("HOME", dir.join("home"))
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("KUSTOMIZE_PLUGIN_HOME")
        .env("HELM_CONFIG_HOME", dir.join("home/.helm/config"))
        .env("HELM_CACHE_HOME", dir.join("home/.helm/cache"))
        .env("HELM_DATA_HOME", dir.join("home/.helm/data"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run bash");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Words that start a part of a command line but are bash's own, not programs to look for.
const BUILTINS: [&str; 6] = ["set", "cd", "export", "true", "false", "echo"];

/// The programs a command runs: the first word of each part of a pipeline or command list.
fn programs(command: &str) -> Vec<&str> {
    let code = command.find(" #").map_or(command, |i| &command[..i]);
    code.split(['|', ';', '&'])
        .filter_map(|part| part.split_whitespace().next())
        .filter(|w| !BUILTINS.contains(w))
        .collect()
}

#[test]
fn every_shell_example_in_the_docs_runs_as_written() {
    let all = examples();
    assert!(all.len() > 20, "found only {} examples", all.len());
    let mut needed: Vec<&str> = Vec::new();
    for e in &all {
        if NOT_HERE.iter().any(|(p, _)| e.command.contains(p)) {
            continue;
        }
        for p in programs(&e.command) {
            if p != "kubeopencode-inject" && p != "cargo" && !needed.contains(&p) {
                needed.push(p);
            }
        }
    }
    let version_arg = |p: &str| match p {
        "kubectl" => "--help",
        "kpt" | "helm" | "kustomize" => "version",
        _ => "--version",
    };
    // The standalone kustomize is optional (kubectl embeds it): its examples are skipped loudly
    // even in CI.
    let missing: Vec<&str> = needed
        .iter()
        .copied()
        .filter(|p| {
            if *p == "kustomize" {
                let here = Command::new(p).arg("version").output().is_ok();
                if !here {
                    use std::io::Write;
                    let _ = writeln!(
                        std::io::stderr(),
                        "SKIPPED: kustomize not installed (its examples)"
                    );
                }
                !here
            } else {
                !tools::have(p, version_arg(p))
            }
        })
        .collect();
    // A missing program skips its own examples (loudly, above); the others still run.
    let tmp = tempfile::tempdir().unwrap();
    scratch(
        tmp.path(),
        needed.contains(&"helm") && !missing.contains(&"helm"),
    );
    let mut ran = 0;
    for e in &all {
        if NOT_HERE.iter().any(|(p, _)| e.command.contains(p))
            || programs(&e.command).iter().any(|p| missing.contains(p))
        {
            continue;
        }
        let command = match e.command.strip_prefix("cargo run --release -- ") {
            Some(args) => format!("kubeopencode-inject {args}"),
            None => e.command.clone(),
        };
        let (code, stdout, stderr) = shell(tmp.path(), &command);
        // diff, check and validate exit 1 on differences or findings; nothing may exit 2.
        let reports = ["diff", "check", "validate"]
            .iter()
            .any(|s| command.contains(&format!("kubeopencode-inject {s} ")));
        assert!(
            code == 0 || (code == 1 && reports),
            "{}:{}: `{command}` exited {code}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            e.file,
            e.line
        );
        ran += 1;
    }
    assert!(ran > 15, "ran only {ran} examples");
    // What the examples promise, checked on the results.
    let inplace = std::fs::read_to_string(tmp.path().join("manifests/agents.yaml")).unwrap();
    assert!(
        inplace.contains("OTEL_EXPORTER_OTLP_ENDPOINT"),
        "--in-place edited manifests/"
    );
    let sarif = std::fs::read_to_string(tmp.path().join("check.sarif")).unwrap();
    assert!(sarif.contains("\"version\": \"2.1.0\""));
    let plugin = tmp
        .path()
        .join("home/.config/kustomize/plugin/kubeopencode.io/v1alpha1/kubeopencodeconfig/KubeOpenCodeConfig");
    assert!(
        plugin.exists(),
        "install-kustomize-plugin installed the plugin"
    );
}
