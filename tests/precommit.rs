//! The pre-commit hooks, run by the real `pre-commit` (PyPI) with `pre-commit try-repo` on a
//! scratch repository of a dozen files: a Task and its Pod in two of them reach one run
//! (`require_serial`; pre-commit otherwise runs parallel batches of the files), and a
//! Helm chart's `templates/` file (a Go template, not YAML) is left alone.
//!
//! The hooks are `language: rust`, which makes pre-commit build the crate with `cargo install`;
//! the scratch hook repository takes `.pre-commit-hooks.yaml` as it is except for
//! `language: system`, so that the test runs the binary built for the suite instead.

mod common;
mod tools;

use std::path::Path;
use std::process::{Command, Output};

fn run_in(dir: &Path, program: &str, args: &[&str], home: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", tools::path_with_bin())
        .env("PRE_COMMIT_HOME", home.join("pre-commit-home"))
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn git(dir: &Path, args: &[&str], home: &Path) {
    let o = run_in(dir, "git", args, home);
    assert!(o.status.success(), "git {args:?}: {}", text(&o));
}

/// The example stream split into files: the config, the Task, the Pod; plus a chart template.
fn work_repo(root: &Path, home: &Path) -> std::path::PathBuf {
    let work = root.join("work");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples/kustomize");
    let agents = std::fs::read_to_string(examples.join("agents.yaml")).unwrap();
    let doc = |kind: &str| {
        agents
            .split("\n---\n")
            .find(|d| d.contains(&format!("\nkind: {kind}\n")))
            .unwrap_or_else(|| panic!("no {kind} in the example"))
            .to_string()
            + "\n"
    };
    std::fs::create_dir_all(work.join("deploy/tasks")).unwrap();
    std::fs::create_dir_all(work.join("chart/templates")).unwrap();
    // Not named kubeopencodeconfig.yaml: the hooks read it from the stream, without -c.
    std::fs::copy(
        examples.join("kubeopencodeconfig.yaml"),
        work.join("deploy/cluster-config.yaml"),
    )
    .unwrap();
    std::fs::write(work.join("deploy/tasks/fix-tests.yaml"), doc("Task")).unwrap();
    std::fs::write(work.join("deploy/pod.yaml"), doc("Pod")).unwrap();
    // Enough other files that pre-commit, left to itself, would split them into batches (it
    // makes batches of at least four files, one per CPU).
    for i in 0..10 {
        std::fs::write(
            work.join(format!("deploy/settings-{i}.yaml")),
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-{i}\n  namespace: team-a\n"),
        )
        .unwrap();
    }
    std::fs::write(
        work.join("chart/templates/deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"chart.fullname\" . }}\n  labels:\n    {{- include \"chart.labels\" . | nindent 4 }}\n",
    )
    .unwrap();
    git(&work, &["init", "-q"], home);
    git(&work, &["add", "-A"], home);
    work
}

/// The hook repository: `.pre-commit-hooks.yaml` as committed, run with `language: system`.
fn hook_repo(root: &Path, home: &Path) -> std::path::PathBuf {
    let hooks = root.join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    assert_eq!(manifest.matches("language: rust").count(), 2);
    assert_eq!(manifest.matches("require_serial: true").count(), 2);
    std::fs::write(
        hooks.join(".pre-commit-hooks.yaml"),
        manifest.replace("language: rust", "language: system"),
    )
    .unwrap();
    git(&hooks, &["init", "-q"], home);
    git(&hooks, &["add", "-A"], home);
    git(&hooks, &["commit", "-q", "-m", "hooks"], home);
    hooks
}

#[test]
fn pre_commit_try_repo_fixes_then_passes() {
    if !tools::have("pre-commit", "--version") || !tools::have("git", "--version") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let hooks = hook_repo(tmp.path(), &home);
    let work = work_repo(tmp.path(), &home);
    let hooks_arg = hooks.to_str().unwrap();
    let try_repo = |hook: &str| {
        run_in(
            &work,
            "pre-commit",
            &["try-repo", hooks_arg, hook, "--all-files"],
            &home,
        )
    };

    // Drift: the check fails and names it; the chart template is never read.
    let o = try_repo("kubeopencode-inject-check");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("drift"), "{}", text(&o));
    assert!(!text(&o).contains("templates/"), "{}", text(&o));

    // The fix hook edits the Pod (pre-commit fails a hook that changes files).
    let o = try_repo("kubeopencode-inject");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("files were modified by this hook"),
        "{}",
        text(&o)
    );
    let pod = std::fs::read_to_string(work.join("deploy/pod.yaml")).unwrap();
    // The Task in another file gave the agent's name: both files were in one run.
    assert!(
        pod.contains("kubeopencode.agent.name=coder"),
        "the Task and the Pod were not in one run:\n{pod}"
    );
    let template = std::fs::read_to_string(work.join("chart/templates/deployment.yaml")).unwrap();
    assert!(template.contains("{{ include"), "the template is untouched");

    git(&work, &["add", "-A"], &home);
    for hook in ["kubeopencode-inject", "kubeopencode-inject-check"] {
        let o = try_repo(hook);
        assert!(o.status.success(), "{hook} after the fix: {}", text(&o));
    }
}
