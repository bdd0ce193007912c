//! `check --format sarif`: a SARIF 2.1.0 log that the schema's own types accept field for field
//! (serde-sarif, generated from the OASIS schema), that points where the JSON report points, and
//! that Microsoft's SARIF validator (`sarif-multitool validate`, npm) passes when it is installed.

mod common;
mod tools;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn examples(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/examples")
        .join(rel)
}

/// A scratch repository: manifests without the injection (drift), a config with warnings.
fn scratch() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let m = tmp.path().join("deploy/my manifests");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::copy(examples("kustomize/agents.yaml"), m.join("agents.yaml")).unwrap();
    let cfg = std::fs::read_to_string(examples("kustomize/kubeopencodeconfig.yaml")).unwrap();
    std::fs::write(
        tmp.path().join("cfg.yaml"),
        cfg.replace(":4318", ":4317").replace(
            "enableLLMTraces: true",
            "enableLLMTraces: true\n      recordContent: true",
        ),
    )
    .unwrap();
    tmp
}

fn check(dir: &Path, format: &str) -> (i32, String) {
    let o = Command::new(common::bin())
        .args([
            "check", "-c", "cfg.yaml", "-f", "deploy", "-R", "--format", format,
        ])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
    )
}

/// Nulls dropped, so that a serde round trip (which skips unset options) compares equal.
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        _ => v.clone(),
    }
}

#[test]
fn sarif_log_follows_the_schema_and_the_json_report() {
    let tmp = scratch();
    let (code, sarif) = check(tmp.path(), "sarif");
    assert_eq!(code, 1, "drift is an error: {sarif}");
    let log: Value = serde_json::from_str(&sarif).unwrap();

    // Every field has the schema's name and type: the schema's types read it and write it back
    // unchanged (a misspelt or mistyped field would be dropped or refused).
    let typed: serde_sarif::sarif::Sarif = serde_json::from_value(log.clone()).unwrap();
    let back = without_nulls(&serde_json::to_value(&typed).unwrap());
    assert_eq!(back, without_nulls(&log));
    assert_eq!(log["version"], "2.1.0");

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), kubeopencode_inject::api::rule_ids().len());
    let results = run["results"].as_array().unwrap();

    // The same findings, in the same places, as the JSON report.
    let (_, json) = check(tmp.path(), "json");
    let json: Value = serde_json::from_str(&json).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    let mut levels = Vec::new();
    for (r, f) in results.iter().zip(findings) {
        assert_eq!(r["ruleId"], f["rule"]);
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], f["rule"]);
        let loc = &r["locations"][0]["physicalLocation"];
        let file = f["file"].as_str().unwrap();
        assert_eq!(
            loc["artifactLocation"]["uri"].as_str().unwrap(),
            file.replace(' ', "%20"),
            "relative to the working directory, percent-encoded"
        );
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(loc["region"]["startLine"], f["line"]);
        assert_eq!(loc["region"]["startColumn"], f["column"]);
        levels.push(r["level"].as_str().unwrap().to_string());
    }
    for (rule, level) in [
        ("drift", "error"),
        ("record-content", "warning"),
        ("grpc-endpoint", "warning"),
    ] {
        let r = results
            .iter()
            .find(|r| r["ruleId"] == rule)
            .unwrap_or_else(|| panic!("{rule}: {sarif}"));
        assert_eq!(r["level"], level, "{rule}");
    }
    assert!(
        results.iter().any(
            |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "cfg.yaml"
        ),
        "config findings point into the config"
    );
}

#[test]
fn sarif_multitool_validates_the_log() {
    let tool = "sarif-multitool";
    if !tools::have(tool, "--version") {
        return;
    }
    let tmp = scratch();
    // The validator reports its findings as a SARIF log of its own (and exits 0 either way).
    let validate = |name: &str, log: &str| -> Vec<Value> {
        let file = tmp.path().join(name);
        std::fs::write(&file, log).unwrap();
        let out = tmp.path().join(format!("{name}.validation"));
        let o = Command::new(tool)
            .arg("validate")
            .arg(&file)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        report["runs"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["level"] != "note" && r["level"] != "none")
            .cloned()
            .collect()
    };
    // It does check: a log whose driver has no name breaks the schema.
    let broken = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}"#;
    assert!(!validate("broken.sarif", broken).is_empty());
    let (_, sarif) = check(tmp.path(), "sarif");
    let bad = validate("check.sarif", &sarif);
    assert!(bad.is_empty(), "{bad:#?}");
}
