//! Secrets never leak: the tool does not read Secret values or resolve secretKeyRefs, masks Secret
//! data in diffs, shows no snippet of a Secret in errors, and does not echo credential-like header
//! values.

mod common;

use common::{run, write_temp};

const TOKEN: &str = "c3VwZXItc2VjcmV0LXRva2Vu"; // base64 of a made-up token
const PLAIN: &str = "hunter2-plaintext";

fn config(dir: &std::path::Path, extra_header: &str) -> String {
    let text = format!(
        "apiVersion: kubeopencode.io/v1alpha1\nkind: KubeOpenCodeConfig\nmetadata:\n  name: cluster\nspec:\n  observability:\n    openTelemetry:\n      enabled: true\n      endpoint: https://collector:4318\n      headers:\n        x-honeycomb-team:\n          valueFrom:\n            secretKeyRef:\n              name: honeycomb\n              key: api-key\n{extra_header}"
    );
    write_temp(dir, "cfg.yaml", &text)
        .to_str()
        .unwrap()
        .to_string()
}

fn stream() -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: honeycomb\n  namespace: ns\ndata:\n  api-key: {TOKEN}\nstringData:\n  other: {PLAIN}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\n  labels: {{kubeopencode.io/task: t}}\nspec:\n  containers:\n  - name: agent\n    image: x\n"
    )
}

fn assert_no_secret(text: &str, what: &str) {
    assert!(
        !text.contains(TOKEN),
        "{what} shows the Secret's data:\n{text}"
    );
    assert!(
        !text.contains(PLAIN),
        "{what} shows the Secret's stringData:\n{text}"
    );
}

#[test]
fn injection_references_the_secret_and_never_resolves_it() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "");
    let out = run(&["-c", &cfg], Some(&stream()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let docs = common::docs(&out.stdout);
    let env = docs[1]["spec"]["containers"][0]["env"].as_array().unwrap();
    let helper = env
        .iter()
        .find(|e| e["name"] == "OTEL_HEADER_X_HONEYCOMB_TEAM")
        .unwrap();
    assert_eq!(helper["valueFrom"]["secretKeyRef"]["name"], "honeycomb");
    assert!(helper.get("value").is_none());
    // The Secret itself is copied as it is, and its value is nowhere else.
    assert_eq!(out.stdout.matches(TOKEN).count(), 1);
    assert_no_secret(&out.stderr, "the report");
}

#[test]
fn diff_masks_secret_data() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "");
    let f = write_temp(dir.path(), "all.yaml", &stream());
    // --normalize re-emits the Secret too, so it shows up in the diff: masked.
    let out = run(
        &[
            "diff",
            "--normalize",
            "--color",
            "never",
            "-c",
            &cfg,
            "-f",
            f.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_no_secret(&out.stdout, "diff");
    assert!(
        out.stdout.contains("'***'") || !out.stdout.contains("kind: Secret"),
        "{}",
        out.stdout
    );
}

#[test]
fn errors_inside_a_secret_show_no_snippet() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "");
    let broken = stream().replace("  other:", "  other: [unclosed\n  x:");
    let f = write_temp(dir.path(), "broken.yaml", &broken);
    let out = run(&["-c", &cfg, "-f", f.to_str().unwrap()], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("broken.yaml:"),
        "located: {}",
        out.stderr
    );
    assert_no_secret(&out.stderr, "the error");
}

#[test]
fn check_and_reports_never_print_secret_data() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "");
    let f = write_temp(
        dir.path(),
        "all.yaml",
        &stream().replace(
            "namespace: ns\ndata",
            "namespace: ns\n  labels: {on: yes}\ndata",
        ),
    );
    for format in ["human", "json", "github"] {
        let out = run(
            &[
                "check",
                "--color",
                "never",
                "--format",
                format,
                "-c",
                &cfg,
                "-f",
                f.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert_no_secret(&out.stdout, format);
        assert_no_secret(&out.stderr, format);
    }
}

#[test]
fn credential_like_header_values_are_not_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "Bearer sk-live-0123456789";
    let cfg = config(
        dir.path(),
        &format!("        authorization:\n          value: {secret}\n"),
    );
    for args in [
        vec!["validate", "--color", "never", "-c", &cfg],
        vec!["validate", "--format", "json", "-c", &cfg],
    ] {
        let out = run(&args, None);
        assert!(out.stdout.contains("inline-credential"), "{}", out.stdout);
        assert!(
            !out.stdout.contains("sk-live"),
            "{:?} echoes the credential:\n{}",
            args,
            out.stdout
        );
        assert!(!out.stderr.contains("sk-live"), "{}", out.stderr);
    }
    // The report of inject does not print env values at all.
    let out = run(&["-c", &cfg], Some(&stream()));
    assert_eq!(out.code, 0);
    assert!(!out.stderr.contains("sk-live"), "{}", out.stderr);
}
