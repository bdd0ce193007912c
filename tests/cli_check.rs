//! `diff`, `check` and `validate` (issue 3): trycmd cases under `tests/cmd/`, plus what trycmd
//! cannot say well: the JSON schema, colour both ways, and that a `diff` applies.
//!
//! Cases that show a known bug live in `tests/cmd-bugs/` (not run; see its README.md) and as
//! `#[ignore = "BUG: ..."]` tests here.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{Output, bin};
use kubeopencode_inject::api::rule_ids;
use serde_json::Value;

#[test]
fn cmd() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}

fn cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cmd")
}

fn bug_cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cmd-bugs")
}

/// Runs the binary in `dir` with `args` and extra environment; NO_COLOR and CLICOLOR_FORCE are
/// removed first so that the caller's environment does not leak in. Stdout and stderr are pipes.
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run the binary");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn has_escape(s: &str) -> bool {
    s.contains("\u{1b}[")
}

/// Every rule a user can trigger has a triggering case (its id in the output) and a clean case
/// (`no findings`) under tests/cmd/.
#[test]
fn every_rule_has_a_triggering_and_a_clean_case() {
    let dir = cases();
    let mut missing = Vec::new();
    for id in rule_ids() {
        let triggers: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.starts_with(&format!("lint-{id}"))
                    && name.ends_with(".stdout")
                    && !name.ends_with("-clean.stdout")
            })
            .collect();
        let fires = triggers.iter().any(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            // A human finding's first line is `error[rule]: …` (or warning/info).
            let head = format!("[{id}]: ");
            text.lines().any(|l| {
                ["error", "warning", "info"]
                    .iter()
                    .any(|sev| l.starts_with(&format!("{sev}{head}")))
            }) || text.contains(&format!("\"rule\": \"{id}\""))
        });
        if !fires {
            missing.push(format!("{id}: no lint-{id}*.stdout shows it"));
        }
        let clean = dir.join(format!("lint-{id}-clean.stdout"));
        match std::fs::read_to_string(&clean) {
            Ok(text) if text == "no findings\n" => {}
            Ok(text) => missing.push(format!("{id}: {} is not clean:\n{text}", clean.display())),
            Err(_) => missing.push(format!("{id}: no {}", clean.display())),
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Checks one JSON report against the documented schema (version 1) and returns it.
fn assert_schema(stdout: &str) -> Value {
    let doc: Value = serde_json::from_str(stdout).expect("stdout is one JSON document");
    let top: BTreeSet<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(top, BTreeSet::from(["version", "findings", "summary"]));
    assert_eq!(doc["version"], 1);
    let ids: BTreeSet<&str> = rule_ids().into_iter().collect();
    let keys = BTreeSet::from([
        "rule", "severity", "message", "file", "document", "line", "column", "resource", "field",
        "help",
    ]);
    let findings = doc["findings"].as_array().expect("findings is an array");
    let (mut errors, mut warnings, mut infos) = (0, 0, 0);
    for f in findings {
        let obj = f.as_object().expect("a finding is an object");
        let have: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
        assert_eq!(have, keys, "keys of {f}");
        assert!(
            ids.contains(f["rule"].as_str().unwrap()),
            "unknown rule in {f}"
        );
        match f["severity"].as_str().unwrap() {
            "error" => errors += 1,
            "warning" => warnings += 1,
            "info" => infos += 1,
            other => panic!("severity {other} in {f}"),
        }
        assert!(!f["message"].as_str().unwrap().is_empty(), "{f}");
        assert!(!f["file"].as_str().unwrap().is_empty(), "{f}");
        for n in ["document", "line", "column"] {
            assert!(f[n].as_u64().unwrap() >= 1, "{n} of {f}");
        }
        assert!(f["resource"].is_string() || f["resource"].is_null(), "{f}");
        assert!(f["field"].is_string() || f["field"].is_null(), "{f}");
        assert!(!f["help"].as_str().unwrap().is_empty(), "{f}");
    }
    let summary = doc["summary"].as_object().unwrap();
    let skeys: BTreeSet<&str> = summary.keys().map(String::as_str).collect();
    assert_eq!(skeys, BTreeSet::from(["errors", "warnings", "infos"]));
    assert_eq!(doc["summary"]["errors"], errors);
    assert_eq!(doc["summary"]["warnings"], warnings);
    assert_eq!(doc["summary"]["infos"], infos);
    doc
}

#[test]
fn check_json_output_follows_the_schema() {
    let dir = cases().join("check-format-json.in");
    let out = run_in(
        &dir,
        &[
            "check",
            "--format",
            "json",
            "-c",
            "config.yaml",
            "-f",
            "task.yaml",
            "-f",
            "server.yaml",
        ],
        &[],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    let doc = assert_schema(&out.stdout);
    // One of each severity, so that the summary check above means something.
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["warnings"], 1);
    assert_eq!(doc["summary"]["infos"], 2);
    let drift = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "drift")
        .expect("a drift finding");
    assert_eq!(drift["file"], "task.yaml");
    assert_eq!(drift["document"], 2);
    assert_eq!(drift["resource"], "pod/team-a/fix-tests-pod");
    assert_eq!(drift["field"], "spec.containers[0]");
}

#[test]
fn json_output_of_clean_and_config_only_runs_follows_the_schema() {
    let clean = run_in(
        &cases().join("check-clean.in"),
        &[
            "check",
            "--format",
            "json",
            "-c",
            "config.yaml",
            "-f",
            "manifests",
        ],
        &[],
    );
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    let doc = assert_schema(&clean.stdout);
    assert_eq!(doc["findings"], serde_json::json!([]));

    let validate = run_in(
        &cases().join("validate-format-json.in"),
        &["validate", "--format", "json", "-c", "config.yaml"],
        &[],
    );
    assert_eq!(validate.code, 0, "{}", validate.stderr);
    let doc = assert_schema(&validate.stdout);
    assert_eq!(doc["summary"]["warnings"], 5);
    for f in doc["findings"].as_array().unwrap() {
        assert_eq!(
            f["resource"],
            Value::Null,
            "config findings have no resource: {f}"
        );
        assert!(f["field"].as_str().unwrap().starts_with("spec."), "{f}");
    }
}

// ------------------------------------------------------------------------------------- colour

const DIFF_ARGS: [&str; 5] = ["diff", "-c", "config.yaml", "-f", "manifests"];

fn diff_with(color: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut args: Vec<&str> = DIFF_ARGS.to_vec();
    if let Some(c) = color {
        args.extend(["--color", c]);
    }
    let out = run_in(&cases().join("diff-changes.in"), &args, env);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("+++ b/manifests/task.yaml"));
    out
}

#[test]
fn diff_color_always_colours_a_pipe() {
    let out = diff_with(Some("always"), &[]);
    assert!(has_escape(&out.stdout), "{}", out.stdout);
    // Added lines are green, the hunk header cyan.
    assert!(out.stdout.contains("\u{1b}[32m+"), "{}", out.stdout);
    assert!(out.stdout.contains("\u{1b}[36m@@"), "{}", out.stdout);
}

#[test]
fn diff_color_never_has_no_escape_codes() {
    let out = diff_with(Some("never"), &[("CLICOLOR_FORCE", "1")]);
    assert!(!has_escape(&out.stdout), "{}", out.stdout);
}

#[test]
fn diff_no_color_wins_over_auto() {
    let out = diff_with(None, &[("NO_COLOR", "1")]);
    assert!(!has_escape(&out.stdout), "{}", out.stdout);
    let out = diff_with(Some("auto"), &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]);
    assert!(!has_escape(&out.stdout), "{}", out.stdout);
}

#[test]
fn diff_to_a_pipe_has_no_escape_codes() {
    let out = diff_with(None, &[]);
    assert!(!has_escape(&out.stdout), "{}", out.stdout);
    assert!(!has_escape(&out.stderr), "{}", out.stderr);
}

#[test]
fn diff_clicolor_force_colours_with_auto() {
    let out = diff_with(None, &[("CLICOLOR_FORCE", "1")]);
    assert!(has_escape(&out.stdout), "{}", out.stdout);
}

#[test]
fn diff_errors_are_coloured_only_when_asked() {
    let dir = cases().join("diff-yaml-syntax-error.in");
    let args = ["diff", "-c", "config.yaml", "-f", "task.yaml"];
    let plain = run_in(&dir, &args, &[]);
    assert_eq!(plain.code, 2);
    assert!(!has_escape(&plain.stderr), "{}", plain.stderr);
    let mut always = args.to_vec();
    always.extend(["--color", "always"]);
    let coloured = run_in(&dir, &always, &[]);
    assert_eq!(coloured.code, 2);
    assert!(has_escape(&coloured.stderr), "{}", coloured.stderr);
}

#[test]
fn check_and_validate_colour_both_ways() {
    let dir = cases().join("lint-drift-missing.in");
    let args = [
        "check",
        "-c",
        "config.yaml",
        "-f",
        "task.yaml",
        "-f",
        "server.yaml",
        "-f",
        "secret.yaml",
    ];
    let plain = run_in(&dir, &args, &[]);
    assert_eq!(plain.code, 1);
    assert!(!has_escape(&plain.stdout), "{}", plain.stdout);
    let mut always = args.to_vec();
    always.extend(["--color", "always"]);
    let coloured = run_in(&dir, &always, &[]);
    assert_eq!(coloured.code, 1);
    assert!(has_escape(&coloured.stdout), "{}", coloured.stdout);
    let mut never = args.to_vec();
    never.extend(["--color", "never"]);
    let forced = run_in(&dir, &never, &[("CLICOLOR_FORCE", "1")]);
    assert!(!has_escape(&forced.stdout), "{}", forced.stdout);

    let dir = cases().join("lint-record-content.in");
    let plain = run_in(&dir, &["validate", "-c", "config.yaml"], &[]);
    assert!(!has_escape(&plain.stdout), "{}", plain.stdout);
    let coloured = run_in(
        &dir,
        &["validate", "--color", "always", "-c", "config.yaml"],
        &[],
    );
    assert!(has_escape(&coloured.stdout), "{}", coloured.stdout);
    // Machine formats never carry colour.
    for format in ["json", "github"] {
        let out = run_in(
            &dir,
            &[
                "validate",
                "--color",
                "always",
                "--format",
                format,
                "-c",
                "config.yaml",
            ],
            &[],
        );
        assert!(!has_escape(&out.stdout), "{format}: {}", out.stdout);
    }
}

/// Runs `cmd` under `script(1)`, so that the program's stderr is a terminal while its stdout
/// goes to a file; returns that file's content, or None when `script` is not available.
fn stdout_to_file_with_a_terminal_stderr(dir: &Path, args: &[&str]) -> Option<String> {
    // util-linux script(1): `-q` quiet, `-e` child's exit status, `-c` command.
    let probe = Command::new("script").arg("--version").output();
    if !probe.is_ok_and(|p| String::from_utf8_lossy(&p.stdout).contains("util-linux")) {
        eprintln!("skipped: util-linux script(1) not found");
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out_file = tmp.path().join("stdout.txt");
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let line = format!(
        "{} {} > {}",
        quote(bin()),
        args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" "),
        quote(out_file.to_str().unwrap())
    );
    let status = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.code().is_some(), "script(1) was killed");
    Some(std::fs::read_to_string(out_file).unwrap())
}

#[test]
fn diff_to_a_file_has_no_escape_codes_even_when_stderr_is_a_terminal() {
    let Some(text) = stdout_to_file_with_a_terminal_stderr(
        &cases().join("diff-changes.in"),
        &["diff", "-c", "config.yaml", "-f", "manifests"],
    ) else {
        return;
    };
    assert!(text.contains("+++ b/manifests/task.yaml"), "{text}");
    assert!(!has_escape(&text), "{text}");
}

#[test]
fn check_to_a_file_has_no_escape_codes_even_when_stderr_is_a_terminal() {
    let Some(text) = stdout_to_file_with_a_terminal_stderr(
        &cases().join("lint-drift-missing.in"),
        &[
            "check",
            "-c",
            "config.yaml",
            "-f",
            "task.yaml",
            "-f",
            "server.yaml",
        ],
    ) else {
        return;
    };
    assert!(text.contains("drift"), "{text}");
    assert!(!has_escape(&text), "check: {text:?}");
    let Some(text) = stdout_to_file_with_a_terminal_stderr(
        &cases().join("lint-record-content.in"),
        &["validate", "-c", "config.yaml"],
    ) else {
        return;
    };
    assert!(!has_escape(&text), "validate: {text:?}");
}

// ------------------------------------------------------------------------------- diff applies

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let target = to.join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &target).unwrap();
    }
}

/// Every file under `dir`, sorted.
fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn git_available() -> bool {
    Command::new("git").arg("--version").output().is_ok()
}

/// `diff` output applied with `git apply` gives exactly what `--in-place` injection writes.
fn assert_diff_applies(case: &str, files: &[&str]) {
    let fixture = cases().join(format!("{case}.in"));
    let patched = tempfile::tempdir().unwrap();
    let injected = tempfile::tempdir().unwrap();
    copy_dir(&fixture, patched.path());
    copy_dir(&fixture, injected.path());
    let mut args = vec!["-c", "config.yaml"];
    for f in files {
        args.extend(["-f", f]);
    }

    let mut diff_args = vec!["diff", "--color", "never"];
    diff_args.extend(&args);
    let diff = run_in(patched.path(), &diff_args, &[]);
    assert_eq!(diff.code, 1, "{case}: {}", diff.stderr);
    let patch = patched.path().join("changes.patch");
    std::fs::write(&patch, &diff.stdout).unwrap();
    let apply = Command::new("git")
        .args(["apply", "--verbose", "changes.patch"])
        .current_dir(patched.path())
        .env("GIT_CEILING_DIRECTORIES", patched.path().parent().unwrap())
        .output()
        .unwrap();
    assert!(
        apply.status.success(),
        "{case}: git apply failed: {}\n{}",
        String::from_utf8_lossy(&apply.stderr),
        diff.stdout
    );
    std::fs::remove_file(&patch).unwrap();

    let mut inject_args = vec!["--in-place", "-q"];
    inject_args.extend(&args);
    let inject = run_in(injected.path(), &inject_args, &[]);
    assert_eq!(inject.code, 0, "{case}: {}", inject.stderr);

    let a = walkdir(patched.path());
    let b = walkdir(injected.path());
    assert_eq!(a.len(), b.len(), "{case}: {a:?} vs {b:?}");
    for (pa, pb) in a.iter().zip(&b) {
        let (ta, tb) = (
            std::fs::read_to_string(pa).unwrap(),
            std::fs::read_to_string(pb).unwrap(),
        );
        assert_eq!(
            ta,
            tb,
            "{case}: {} differs from the injected file",
            pa.display()
        );
    }
    // And a patched single file is what plain `inject` prints for it.
    if let [f] = files
        && f.ends_with(".yaml")
    {
        let printed = run_in(&fixture, &["-q", "-c", "config.yaml", "-f", f], &[]);
        assert_eq!(printed.code, 0, "{}", printed.stderr);
        let on_disk = std::fs::read_to_string(patched.path().join(f)).unwrap();
        assert_eq!(printed.stdout, on_disk, "{case}: {f}");
    }
}

#[test]
fn diff_output_applies_with_git_apply() {
    if !git_available() {
        eprintln!("skipped: git not found");
        return;
    }
    // Two files in a directory (injection), a changed endpoint (update), a disabled config (removal).
    assert_diff_applies("diff-changes", &["manifests"]);
    assert_diff_applies("diff-stale", &["task.yaml"]);
    assert_diff_applies("diff-disabled", &["task.yaml"]);
    // OPENCODE_CONFIG_CONTENT rewritten in place plus an inserted block.
    assert_diff_applies(
        "lint-config-content-experimental-replaced",
        &["server.yaml"],
    );
    assert_diff_applies("diff-warnings-on-stderr", &["pod.yaml"]);
}

// ----------------------------------------------------------------------------- located errors

#[test]
fn yaml_syntax_errors_are_located_under_check_and_diff() {
    let dir = cases().join("check-yaml-syntax-error.in");
    for cmd in ["check", "diff"] {
        for format in [None, Some("json"), Some("github")] {
            if cmd == "diff" && format.is_some() {
                continue;
            }
            let mut args = vec![
                cmd,
                "--color",
                "never",
                "-c",
                "config.yaml",
                "-f",
                "task.yaml",
            ];
            if let Some(f) = format {
                args.extend(["--format", f]);
            }
            let out = run_in(&dir, &args, &[]);
            assert_eq!(out.code, 2, "{cmd} {format:?}: {}", out.stderr);
            // file:line:column, the document, and the snippet.
            assert!(
                out.stderr.contains("[task.yaml:20:5]"),
                "{cmd}: {}",
                out.stderr
            );
            assert!(out.stderr.contains("(document 2)"), "{cmd}: {}", out.stderr);
            assert!(
                out.stderr.contains("19 │     team: {name: platform"),
                "{cmd}: {}",
                out.stderr
            );
            match format.filter(|_| cmd == "check") {
                // The machine formats also carry the error, as an `invalid-input` finding.
                Some("json") => {
                    let v: Value = serde_json::from_str(&out.stdout).unwrap();
                    assert_eq!(v["findings"][0]["rule"], "invalid-input", "{cmd}");
                    assert_eq!(v["findings"][0]["line"], 20, "{cmd}");
                }
                Some("github") => assert!(
                    out.stdout.starts_with("::error file=task.yaml,line=20,col=5,title=kubeopencode-inject invalid-input::"),
                    "{cmd}: {}",
                    out.stdout
                ),
                _ => assert_eq!(out.stdout, "", "{cmd} {format:?}"),
            }
        }
    }
    // The config file too.
    let dir = cases().join("validate-yaml-syntax-error.in");
    let out = run_in(
        &dir,
        &["validate", "--color", "never", "-c", "config.yaml"],
        &[],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("[config.yaml:9:17]"), "{}", out.stderr);
    assert!(out.stderr.contains("(document 1)"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------------- known bugs

/// The JSON report of a case's fixture (under `tests/cmd-bugs/`, or `tests/cmd/` once fixed).
fn bug_json(case: &str, args: &[&str]) -> Value {
    let dir = [bug_cases(), cases()]
        .into_iter()
        .map(|d| d.join(format!("{case}.in")))
        .find(|d| d.exists())
        .unwrap_or_else(|| panic!("no fixture for {case}"));
    let out = run_in(&dir, args, &[]);
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn rules_of(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn validate_reports_lints_next_to_tolerated_crd_issues() {
    let args = ["validate", "--format", "json", "-c", "config.yaml"];
    let validate = bug_json("validate-tolerated-crd-skips-lints", &args);
    let svc = tempfile::tempdir().unwrap();
    let svc_file = common::write_temp(
        svc.path(),
        "service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: coder\n  namespace: team-a\n",
    );
    let check = bug_json(
        "validate-tolerated-crd-skips-lints",
        &[
            "check",
            "--format",
            "json",
            "-c",
            "config.yaml",
            "-f",
            svc_file.to_str().unwrap(),
        ],
    );
    assert_eq!(rules_of(&check), ["record-content", "crd"]);
    assert_eq!(rules_of(&validate), rules_of(&check));
}

#[test]
fn yaml11_findings_name_their_field() {
    let doc = bug_json(
        "yaml11-ambiguous-field",
        &[
            "check",
            "--format",
            "json",
            "-c",
            "config.yaml",
            "-f",
            "task.yaml",
        ],
    );
    let fields: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["field"])
        .collect();
    assert_eq!(
        fields,
        [
            &Value::from("metadata.labels.debug"),
            &Value::from("spec.containers[0].env[1].value")
        ]
    );
}

#[test]
fn user_otel_var_names_the_real_winner() {
    let doc = bug_json(
        "user-otel-var-not-in-block",
        &[
            "check",
            "--format",
            "json",
            "-c",
            "config.yaml",
            "-f",
            "task.yaml",
        ],
    );
    let f = &doc["findings"][0];
    assert_eq!(f["rule"], "user-otel-var");
    let message = f["message"].as_str().unwrap();
    assert!(
        !message.contains("the injected value wins"),
        "the block has no OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: {message}"
    );
    assert!(message.contains("its own value"), "{message}");
}

#[test]
fn yaml11_ambiguous_covers_agent_extra_env() {
    let doc = bug_json(
        "yaml11-ambiguous-agent-extra-env",
        &[
            "check",
            "--format",
            "json",
            "-c",
            "config.yaml",
            "-f",
            "agent.yaml",
        ],
    );
    let f = &doc["findings"][0];
    assert_eq!(f["rule"], "yaml11-ambiguous", "{doc}");
    assert_eq!(f["severity"], "error");
    assert_eq!(
        (&f["line"], &f["column"]),
        (&Value::from(10), &Value::from(16))
    );
}
