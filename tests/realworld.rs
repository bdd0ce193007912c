//! The real-world corpus (`testdata/realworld`, provenance in its `SOURCES.md`): manifests nobody
//! here wrote, run through every front end of the binary, against the properties of issue 11 §6
//! and the front-end agreement of issue 12.
//!
//! Every corpus file is run with an enabled config (inline and Secret headers, resource attributes,
//! LLM traces, recordContent) and `--all`, and with a disabled config:
//! 1. exit 0, or exit 2 with a located error (`file:line:col`), only for the files of
//!    [`EXPECTED_ERRORS`] (objects the API server would reject);
//! 2. every targeted container gets the block and keeps every entry it had, and no other
//!    container's env changes (with `--all`: every init container and the main container of every
//!    pod-bearing workload, as docs/semantics.md "Which containers" says);
//! 3. nothing outside `env` changes (input and output compared parsed, env lists removed);
//! 4. a second run changes no byte;
//! 5. disable-after-inject gives back the input bytes;
//! 6. a disabled config on the input changes no byte (and `diff` with it shows nothing);
//! 7. no front end panics (inject, diff, check, --in-place, -o json, the KRM function, the kustomize
//!    legacy plugin), here and on every file of `fuzz/corpus`;
//! 8. the pipe, --in-place, -o json and the KRM function give the same documents (the pipe on a
//!    file, on stdin and --in-place the same bytes), here and on every conformance case;
//! 9. `diff` applied with `patch` gives the pipe's bytes, here and on every conformance case, and
//!    on the conformance cases `kubectl kustomize` with the tool as its exec plugin gives the
//!    pipe's documents (the plugin mode takes no `--all`, so the corpus cannot go through it).
//!
//! What fails today for a reason someone is fixing is listed in [`KNOWN_FAILURES`], and that list
//! must be exact: an entry that passes now fails the test, so the list only shrinks as fixes land.
//! The per-property counts go to stderr (with `REALWORLD_VERBOSE=1`, every failure too).

mod common;
mod tools;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{RawOutput, files_under, is_start_marker, run_raw, run_raw_env, try_docs};
use serde_json::Value;

/// Files the tool must refuse with a located error (exit 2), and why the API server would too.
const EXPECTED_ERRORS: &[(&str, &str)] = &[
    (
        "otel-operator/e2e-instrumentation-apache-httpd-assert.yaml",
        "a chainsaw assert file: its Deployment has no spec.template (rejected: template is required)",
    ),
    (
        "otel-operator/e2e-instrumentation-dotnet-multicontainer-assert.yaml",
        "a chainsaw assert file: its Pod's containers have no name (rejected: name is required)",
    ),
    (
        "otel-operator/e2e-instrumentation-go-assert.yaml",
        "a chainsaw assert file: its Deployment has no spec.template (rejected: template is required)",
    ),
    (
        "otel-operator/e2e-instrumentation-java-assert.yaml",
        "a chainsaw assert file: its Deployment has no spec.template (rejected: template is required)",
    ),
];

/// (file, property, reason, issue and point): failures that are known and being fixed.
const KNOWN_FAILURES: &[(&str, u8, &str, &str)] = &[];

/// Hand-written inputs that once crashed a front end (property 7 only), named `seed/NAME`.
const SEEDS: &[(&str, &str)] = &[(
    // Issue 11 §2: `containers:` with no value in the second item of a List.
    "issue11-list-item-containers-null.yaml",
    "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: apps/v1, kind: Deployment, metadata: {name: a}, spec: {template: {spec: {containers: [{name: c, image: x}]}}}}\n- {apiVersion: apps/v1, kind: Deployment, metadata: {name: b}, spec: {template: {spec: {containers: }}}}\n",
)];

const PROPERTIES: [&str; 9] = [
    "exit 0, or a located error for an object the API server rejects",
    "every targeted container gets the block",
    "nothing outside env changes",
    "a second run changes no byte",
    "disable-after-inject gives back the input bytes",
    "a disabled config changes no byte",
    "no front end panics",
    "front ends agree",
    "diff applied with patch gives the pipe's bytes; kubectl kustomize with the plugin its documents",
];

const TIMEOUT: Duration = Duration::from_secs(120);

const ENDPOINT: &str = "http://otel-collector.observability.svc:4318";
const HEADERS: &str = "authorization=$(OTEL_HEADER_AUTHORIZATION),x-scope-orgid=tenant-a";
const ATTRIBUTES_TAIL: &str = ",deployment.environment=staging,kubeopencode.cluster.name=realworld";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn realworld() -> PathBuf {
    root().join("testdata/realworld")
}

fn enabled_config() -> PathBuf {
    realworld().join("config-enabled.yaml")
}

fn disabled_config() -> PathBuf {
    realworld().join("config-disabled.yaml")
}

fn bin() -> PathBuf {
    PathBuf::from(common::bin())
}

/// The corpus: every file in a project folder of `testdata/realworld` (the configs and SOURCES.md
/// sit at its top).
fn corpus() -> Vec<PathBuf> {
    let files: Vec<PathBuf> = files_under(&realworld())
        .into_iter()
        .filter(|p| p.parent() != Some(realworld().as_path()))
        .collect();
    assert!(files.len() >= 100, "the corpus has {} files", files.len());
    files
}

fn rel(p: &Path) -> String {
    p.strip_prefix(realworld())
        .or_else(|_| p.strip_prefix(root()))
        .unwrap_or(p)
        .display()
        .to_string()
}

#[derive(Debug, Clone)]
enum Verdict {
    Pass,
    Fail(String),
    /// Not checked on this file, and why (an earlier step failed, or the file is not in scope).
    NotApplicable(String),
}

use Verdict::{Fail, NotApplicable, Pass};

fn from_errors(errors: Vec<String>) -> Verdict {
    if errors.is_empty() {
        Pass
    } else {
        Fail(errors.join("; "))
    }
}

fn run(args: &[OsString], stdin: &[u8]) -> RawOutput {
    run_raw(&bin(), args, stdin, TIMEOUT)
}

fn args<const N: usize>(a: [&std::ffi::OsStr; N]) -> Vec<OsString> {
    a.iter().map(|s| s.to_os_string()).collect()
}

fn text(b: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(b).map_err(|e| format!("output is not UTF-8: {e}"))
}

fn first_lines(s: &str) -> String {
    s.lines().take(6).collect::<Vec<_>>().join(" | ")
}

// ---------------------------------------------------------------------------------------------
// Workloads

/// Where the pod template (the object with the pod's `metadata` and `spec`) of a pod-bearing
/// object is, as Kubernetes defines the kinds (not as the tool does).
fn template_path(v: &Value) -> Option<&'static [&'static str]> {
    let api = v.get("apiVersion")?.as_str()?;
    let group = api.rsplit_once('/').map_or("", |(g, _)| g);
    Some(match (group, v.get("kind")?.as_str()?) {
        ("", "Pod") => &[],
        ("", "ReplicationController")
        | ("apps" | "extensions", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("batch", "Job") => &["spec", "template"],
        ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template"],
        _ => return None,
    })
}

/// The pod template of a pod-bearing object.
fn template(v: &Value) -> Option<&Value> {
    template_path(v)?.iter().try_fold(v, |v, k| v.get(*k))
}

fn is_list(v: &Value) -> bool {
    v.get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && v.get("items").is_some_and(Value::is_array)
}

/// Every object, with the items of `*List` documents in place of the list.
fn objects(docs: &[Value]) -> Vec<&Value> {
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        if is_list(v) {
            for i in v["items"].as_array().into_iter().flatten() {
                walk(i, out);
            }
        } else {
            out.push(v);
        }
    }
    let mut out = Vec::new();
    for d in docs {
        walk(d, &mut out);
    }
    out
}

fn name_of(v: &Value) -> String {
    format!(
        "{}/{}",
        v["kind"].as_str().unwrap_or("?"),
        v["metadata"]["name"].as_str().unwrap_or("?")
    )
}

/// One container of a workload in the stream.
struct Container {
    /// Whether `--all` targets it: every init container, and the main container (the one the
    /// `kubectl.kubernetes.io/default-container` annotation names, else the first), as
    /// docs/semantics.md ("Which containers") defines for workloads that are not KubeOpenCode's.
    targeted: bool,
    env: Vec<Value>,
}

/// (workload, list, container) -> the container, for every container of every workload.
fn containers(docs: &[Value]) -> BTreeMap<(usize, String, String), Container> {
    let mut out = BTreeMap::new();
    for (i, o) in objects(docs).into_iter().enumerate() {
        let Some(spec) = template(o).and_then(|t| t.get("spec")) else {
            continue;
        };
        let regular: Vec<&str> = spec["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["name"].as_str())
            .collect();
        let template_meta = &template(o).unwrap_or(&Value::Null)["metadata"];
        let main = template_meta["annotations"]["kubectl.kubernetes.io/default-container"]
            .as_str()
            .filter(|a| regular.contains(a))
            .or(regular.first().copied());
        for list in ["containers", "initContainers"] {
            for (j, c) in spec[list].as_array().into_iter().flatten().enumerate() {
                let name = c["name"].as_str().map_or(format!("#{j}"), str::to_string);
                let targeted = list == "initContainers" || Some(name.as_str()) == main;
                let env = c["env"].as_array().cloned().unwrap_or_default();
                out.insert(
                    (i, format!("{} {list}", name_of(o)), name),
                    Container { targeted, env },
                );
            }
        }
    }
    out
}

/// The entry that takes effect for `name` (the last one, as in the kubelet).
fn effective<'a>(env: &'a [Value], name: &str) -> Option<&'a Value> {
    env.iter().rev().find(|e| e["name"] == name)
}

/// The block the enabled config writes into every targeted container: name -> check of the value.
fn block_check(name: &str, entry: &Value) -> Result<(), String> {
    let value = entry["value"].as_str();
    let ok = match name {
        "OTEL_EXPORTER_OTLP_ENDPOINT" => value == Some(ENDPOINT),
        "OTEL_EXPORTER_OTLP_HEADERS" => value == Some(HEADERS),
        "OTEL_RESOURCE_ATTRIBUTES" => value.is_some_and(|v| v.ends_with(ATTRIBUTES_TAIL)),
        "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT" => value == Some("true"),
        "OTEL_HEADER_AUTHORIZATION" => {
            entry["valueFrom"]["secretKeyRef"]["name"] == "otel-auth"
                && entry["valueFrom"]["secretKeyRef"]["key"] == "token"
        }
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{name} is {entry}"))
    }
}

const BLOCK: [&str; 5] = [
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_HEADER_AUTHORIZATION",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
];

/// Property 2: every targeted container of the output has the block and keeps every entry it had,
/// and no other container's env changes. For a name the workload set itself, the block's entry is
/// only checked to be there (which one takes effect is the engine's rule, tested elsewhere).
fn prop_block(input: &[Value], output: &[Value]) -> Verdict {
    let before = containers(input);
    let after = containers(output);
    if before.len() != after.len() {
        return Fail(format!(
            "{} containers in, {} out",
            before.len(),
            after.len()
        ));
    }
    let mut errors = Vec::new();
    for (key, c) in &after {
        let user = before.get(key).map_or(&[][..], |c| c.env.as_slice());
        if !c.targeted {
            if c.env != user {
                errors.push(format!(
                    "{} {}: not targeted, but its env changed",
                    key.1, key.2
                ));
            }
            continue;
        }
        let env = &c.env;
        // Every entry the workload had is still there, unchanged and in its order: none of the
        // corpus was injected before, so every input entry is the user's.
        let mut rest = env.iter();
        if let Some(lost) = user.iter().find(|u| !rest.any(|e| e == *u)) {
            errors.push(format!(
                "{} {}: the workload's own entry {lost} is changed or lost",
                key.1, key.2
            ));
        }
        for name in BLOCK {
            match effective(env, name) {
                None => errors.push(format!("{} {}: no {name}", key.1, key.2)),
                Some(_) if effective(user, name).is_some() => {}
                Some(e) => {
                    if let Err(m) = block_check(name, e) {
                        errors.push(format!("{} {}: {m}", key.1, key.2));
                    }
                }
            }
        }
    }
    errors.truncate(3);
    from_errors(errors)
}

/// The documents with the env lists of every workload's containers removed.
fn without_env(docs: &[Value]) -> Vec<Value> {
    fn strip(v: &mut Value) {
        if is_list(v) {
            for i in v["items"].as_array_mut().into_iter().flatten() {
                strip(i);
            }
            return;
        }
        let Some(path) = template_path(v) else {
            return;
        };
        let spec = path
            .iter()
            .chain(&["spec"])
            .try_fold(&mut *v, |v, k| v.get_mut(*k));
        if let Some(spec) = spec {
            for list in ["containers", "initContainers"] {
                for c in spec
                    .get_mut(list)
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    if let Some(m) = c.as_object_mut() {
                        m.remove("env");
                    }
                }
            }
        }
    }
    let mut docs = docs.to_vec();
    docs.iter_mut().for_each(strip);
    docs
}

/// The first difference between two lists of documents, as a JSON pointer.
fn first_difference(a: &[Value], b: &[Value]) -> Option<String> {
    fn walk(a: &Value, b: &Value, at: String) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => walk(p, q, format!("{at}/{k}")),
                    (p, q) => Some(format!("{at}/{k}: {p:?} vs {q:?}")),
                })
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (p, q))| walk(p, q, format!("{at}/{i}"))),
            _ if a == b => None,
            _ => {
                let cut = |v: &Value| v.to_string().chars().take(120).collect::<String>();
                Some(format!("{at}: {} vs {}", cut(a), cut(b)))
            }
        }
    }
    if a.len() != b.len() {
        return Some(format!("{} documents vs {}", a.len(), b.len()));
    }
    a.iter()
        .zip(b)
        .enumerate()
        .find_map(|(i, (p, q))| walk(p, q, format!("document {}", i + 1)))
}

// ---------------------------------------------------------------------------------------------
// KRM

/// A value as block YAML (keys and strings double-quoted, in JSON's escapes), at `indent`.
fn block_yaml(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    let scalar = |v: &Value| match v {
        Value::Object(_) => "{}".to_string(),
        Value::Array(_) => "[]".to_string(),
        other => other.to_string(),
    };
    let nested = |v: &Value| match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    };
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let key = Value::String(k.clone()).to_string();
                if nested(v) {
                    out.push_str(&format!("{pad}{key}:\n"));
                    let deeper = if v.is_array() { indent } else { indent + 2 };
                    block_yaml(v, deeper, out);
                } else {
                    out.push_str(&format!("{pad}{key}: {}\n", scalar(v)));
                }
            }
        }
        Value::Array(a) => {
            for item in a {
                if nested(item) {
                    let mut inner = String::new();
                    block_yaml(item, indent + 2, &mut inner);
                    out.push_str(&pad);
                    out.push_str("- ");
                    out.push_str(&inner[indent + 2..]);
                } else {
                    out.push_str(&format!("{pad}- {}\n", scalar(item)));
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

/// A `config.kubernetes.io/v1` ResourceList of the documents with the config as functionConfig,
/// as an orchestrator writes it (re-serialised); for input that does not parse, its documents'
/// text indented under `items`, so that the function still gets to read it.
fn resource_list(input: &str, config: &str) -> String {
    let mut out = String::from("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n");
    if let Some(cfg) = try_docs(config).ok().and_then(|d| d.into_iter().next()) {
        out.push_str("functionConfig:\n");
        block_yaml(&cfg, 2, &mut out);
    }
    match try_docs(input) {
        Ok(docs) if docs.is_empty() => out.push_str("items: []\n"),
        Ok(docs) => {
            out.push_str("items:\n");
            block_yaml(&Value::Array(docs), 0, &mut out);
        }
        Err(_) => {
            out.push_str("items:\n");
            let body = input.strip_prefix('\u{feff}').unwrap_or(input);
            for chunk in kubeopencode_inject::api::split_yaml(body) {
                let doc = &body[chunk.range];
                let lines: Vec<&str> = doc.lines().filter(|l| !is_start_marker(l)).collect();
                for (i, l) in lines.iter().enumerate() {
                    out.push_str(if i == 0 { "- " } else { "  " });
                    out.push_str(l);
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// The items of the function's output, without the orchestrator's annotations.
fn krm_items(stdout: &str) -> Result<Vec<Value>, String> {
    let docs = try_docs(stdout)?;
    let list = docs.first().ok_or("no ResourceList on stdout")?;
    let items = list["items"]
        .as_array()
        .ok_or_else(|| format!("no items: {}", first_lines(stdout)))?;
    Ok(items
        .iter()
        .map(|item| {
            let mut item = item.clone();
            if let Some(meta) = item.get_mut("metadata").and_then(Value::as_object_mut)
                && let Some(a) = meta.get_mut("annotations").and_then(Value::as_object_mut)
            {
                let had = !a.is_empty();
                a.retain(|k, _| {
                    !k.starts_with("config.kubernetes.io/")
                        && !k.starts_with("internal.config.kubernetes.io/")
                });
                if had && a.is_empty() {
                    meta.remove("annotations");
                }
            }
            item
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// The front ends

fn os(p: &Path) -> &std::ffi::OsStr {
    p.as_os_str()
}

/// The runs of the front ends on one input, each kept for the properties that read it.
struct FrontEnds {
    runs: Vec<(&'static str, RawOutput)>,
    /// The file's text after `--in-place` (on a copy).
    in_place_after: Option<String>,
}

impl FrontEnds {
    /// Runs the pipe (`-f`), `--in-place` (on a copy in `scratch`), `-o json` and the KRM function
    /// with `extra` arguments and `cfg` (as `-c`, or as the ResourceList's functionConfig), and
    /// `diff`. With a `plugin` link it also runs the pipe on stdin, `check` and the kustomize
    /// legacy plugin mode, the other front ends property 7 covers.
    fn run(file: &Path, cfg: &Path, extra: &[&str], scratch: &Path, plugin: Option<&Path>) -> Self {
        let input = std::fs::read(file).unwrap();
        let cfg_text = std::fs::read_to_string(cfg).unwrap();
        let mut base: Vec<OsString> = extra.iter().map(OsString::from).collect();
        base.extend(["-c".into(), cfg.as_os_str().to_os_string()]);
        let with = |before: &[&str], after: &[&std::ffi::OsStr]| {
            let mut a: Vec<OsString> = before.iter().map(OsString::from).collect();
            a.extend(base.iter().cloned());
            a.extend(after.iter().map(|s| s.to_os_string()));
            a
        };
        let f = std::ffi::OsStr::new("-f");
        let copy = scratch.join(file.file_name().unwrap());
        std::fs::write(&copy, &input).unwrap();
        let krm_args: Vec<OsString> = extra.iter().map(OsString::from).collect();
        let list = resource_list(&String::from_utf8_lossy(&input), &cfg_text);
        let mut runs = vec![
            ("inject", run(&with(&[], &[f, os(file)]), b"")),
            (
                "--in-place",
                run(&with(&[], &[f, os(&copy), "--in-place".as_ref()]), b""),
            ),
            (
                "-o json",
                run(
                    &with(&[], &[f, os(file), "-o".as_ref(), "json".as_ref()]),
                    b"",
                ),
            ),
            ("KRM function", run(&krm_args, list.as_bytes())),
            ("diff", run(&with(&["diff"], &[f, os(file)]), b"")),
            // Every document its own window: the first pass reads workloads' kinds with the
            // header scan and the second pass parses them (a whole small file is one window,
            // parsed once, otherwise).
            (
                "inject (one-document windows)",
                run_raw_env(
                    &bin(),
                    &with(&[], &[f, os(file)]),
                    b"",
                    TIMEOUT,
                    &[("KUBEOPENCODE_INJECT_WINDOW_BYTES", "1")],
                ),
            ),
            (
                "diff (one-document windows)",
                run_raw_env(
                    &bin(),
                    &with(&["diff"], &[f, os(file)]),
                    b"",
                    TIMEOUT,
                    &[("KUBEOPENCODE_INJECT_WINDOW_BYTES", "1")],
                ),
            ),
        ];
        let in_place_after = std::fs::read_to_string(&copy).ok();
        if let Some(plugin) = plugin {
            runs.extend([
                ("inject (stdin)", run(&with(&[], &[]), &input)),
                ("check", run(&with(&["check"], &[f, os(file)]), b"")),
                (
                    "kustomize plugin",
                    run_raw(plugin, &[cfg.as_os_str()], &input, TIMEOUT),
                ),
            ]);
        }
        FrontEnds {
            runs,
            in_place_after,
        }
    }

    fn get(&self, name: &str) -> &RawOutput {
        &self.runs.iter().find(|(n, _)| *n == name).unwrap().1
    }

    /// Property 7: none of the runs crashed.
    fn no_panic(&self) -> Verdict {
        let crashed: Vec<String> = self
            .runs
            .iter()
            .filter(|(_, r)| r.crashed())
            .map(|(name, r)| {
                let why = if r.timed_out {
                    "timed out".to_string()
                } else {
                    format!("exit {:?}", r.code)
                };
                let msg = r
                    .stderr
                    .lines()
                    .find(|l| l.contains("panicked"))
                    .unwrap_or_default();
                format!("{name}: {why} {msg}")
            })
            .collect();
        from_errors(crashed)
    }

    /// Property 9, first half: `diff`'s output applied to the input with `patch` gives the pipe's
    /// stdout byte for byte.
    fn diff_patches(&self, file: &Path, scratch: &Path) -> Verdict {
        let pipe = self.get("inject");
        if pipe.code != Some(0) {
            return NotApplicable(format!("the pipe exits {:?}", pipe.code));
        }
        let diff = self.get("diff");
        let input = std::fs::read(file).unwrap();
        let patched = match diff.code {
            Some(0) if diff.stdout.is_empty() => input,
            Some(0 | 1) => {
                let original = scratch.join(format!("original-{}", rel(file).replace('/', "-")));
                let out = scratch.join("patched");
                std::fs::write(&original, &input).unwrap();
                let args: [&std::ffi::OsStr; 5] = [
                    "-s".as_ref(),
                    "-N".as_ref(),
                    "-o".as_ref(),
                    os(&out),
                    os(&original),
                ];
                let r = run_raw(Path::new("patch"), &args, &diff.stdout, TIMEOUT);
                if r.code != Some(0) {
                    return Fail(format!(
                        "patch exits {:?}: {} {}",
                        r.code,
                        first_lines(&String::from_utf8_lossy(&r.stdout)),
                        first_lines(&r.stderr)
                    ));
                }
                std::fs::read(&out).unwrap_or_default()
            }
            code => {
                return Fail(format!(
                    "diff exits {code:?}: {}",
                    first_lines(&diff.stderr)
                ));
            }
        };
        if patched == pipe.stdout {
            Pass
        } else {
            Fail(format!(
                "the patched file is not the pipe's output: {}",
                byte_difference(&pipe.stdout, &patched)
            ))
        }
    }

    /// Property 8: the pipe and `diff` give the same bytes and exit code with one-document windows as
    /// with the whole file; the pipe's stdout, the file after --in-place, -o json and the KRM function's
    /// items are the same documents.
    fn agreement(&self) -> Verdict {
        let pipe = self.get("inject");
        for front in ["inject", "diff"] {
            let whole = self.get(front);
            let windowed = self.get(&format!("{front} (one-document windows)"));
            if (windowed.code, &windowed.stdout) != (whole.code, &whole.stdout) {
                return Fail(format!(
                    "{front} with one-document windows exits {:?} ({} bytes), with the whole file {:?} ({} bytes): {}",
                    windowed.code,
                    windowed.stdout.len(),
                    whole.code,
                    whole.stdout.len(),
                    byte_difference(&whole.stdout, &windowed.stdout)
                ));
            }
        }
        if pipe.code != Some(0) {
            return NotApplicable(format!("the pipe exits {:?}", pipe.code));
        }
        let pipe_docs = match text(&pipe.stdout).and_then(try_docs) {
            Ok(d) => d,
            Err(e) => return Fail(format!("pipe output: {e}")),
        };
        let mut errors = Vec::new();
        let mut compare = |what: &str, run: &RawOutput, docs: Result<Vec<Value>, String>| {
            if run.code != Some(0) {
                errors.push(format!(
                    "{what} exits {:?}: {}",
                    run.code,
                    first_lines(&run.stderr)
                ));
                return;
            }
            match docs {
                Ok(d) => {
                    if let Some(diff) = first_difference(&pipe_docs, &d) {
                        errors.push(format!("{what}: not the pipe's documents, at {diff}"));
                    }
                }
                Err(e) => errors.push(format!("{what}: {e}")),
            }
        };
        let in_place = self
            .in_place_after
            .as_deref()
            .ok_or_else(|| "the file cannot be read back".to_string())
            .and_then(try_docs);
        compare("--in-place", self.get("--in-place"), in_place);
        let json_run = self.get("-o json");
        let json = serde_json::from_slice::<Value>(&json_run.stdout)
            .map_err(|e| format!("not JSON: {e}"))
            .map(|v| {
                // The object itself for one document, a `v1 List` of them otherwise.
                if pipe_docs.len() == 1 {
                    vec![v]
                } else {
                    v["items"].as_array().cloned().unwrap_or_default()
                }
            });
        compare("-o json", json_run, json);
        let krm = self.get("KRM function");
        compare("the KRM items", krm, text(&krm.stdout).and_then(krm_items));
        // The same stream read from stdin is written the same.
        if let Some((_, stdin)) = self.runs.iter().find(|(n, _)| *n == "inject (stdin)")
            && stdin.stdout != pipe.stdout
        {
            errors.push(format!(
                "the pipe on stdin: not the bytes it writes for -f: {}",
                byte_difference(&pipe.stdout, &stdin.stdout)
            ));
        }
        // Both are the input stream edited in place: the same bytes, not only the same documents.
        if let Some(after) = &self.in_place_after
            && self.get("--in-place").code == Some(0)
            && after.as_bytes() != pipe.stdout
        {
            errors.push(format!(
                "--in-place: not the pipe's bytes: {}",
                byte_difference(&pipe.stdout, after.as_bytes())
            ));
        }
        from_errors(errors)
    }
}

/// Property 9, second half: `kubectl kustomize` with the tool as its legacy exec plugin (a
/// `transformers:` entry that is the config) gives the pipe's documents, in kustomize's order.
fn kustomize_agrees(
    fe: &FrontEnds,
    file: &Path,
    cfg: &Path,
    xdg: &Path,
    scratch: &Path,
) -> Verdict {
    let pipe = fe.get("inject");
    if pipe.code != Some(0) {
        return NotApplicable(format!("the pipe exits {:?}", pipe.code));
    }
    let dir = scratch.join("kustomization");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(file, dir.join("input.yaml")).unwrap();
    std::fs::copy(cfg, dir.join("config.yaml")).unwrap();
    std::fs::write(
        dir.join("kustomization.yaml"),
        "resources:\n- input.yaml\ntransformers:\n- config.yaml\n",
    )
    .unwrap();
    let out = std::process::Command::new("kubectl")
        .args(["kustomize", "--enable-alpha-plugins"])
        .arg(&dir)
        .env("XDG_CONFIG_HOME", xdg)
        .env_remove("KUSTOMIZE_PLUGIN_HOME")
        .output()
        .unwrap();
    if !out.status.success() {
        return Fail(format!(
            "kubectl kustomize exits {:?}: {}",
            out.status.code(),
            first_lines(&String::from_utf8_lossy(&out.stderr))
        ));
    }
    let sorted = |docs: Vec<Value>| {
        let mut d: Vec<(String, Value)> = docs.into_iter().map(|v| (v.to_string(), v)).collect();
        d.sort_by(|a, b| a.0.cmp(&b.0));
        d.into_iter().map(|(_, v)| v).collect::<Vec<_>>()
    };
    match (
        text(&pipe.stdout).and_then(try_docs),
        text(&out.stdout).and_then(try_docs),
    ) {
        (Ok(a), Ok(b)) => match first_difference(&sorted(a), &sorted(b)) {
            None => Pass,
            Some(d) => Fail(format!("kustomize's documents differ at {d}")),
        },
        (a, b) => Fail(format!("cannot compare: {:?} {:?}", a.err(), b.err())),
    }
}

/// Properties 1 to 9 of one corpus file.
fn corpus_props(
    file: &Path,
    scratch: &Path,
    plugin: &Path,
    tools: &Tools,
) -> BTreeMap<u8, Verdict> {
    let mut v = BTreeMap::new();
    let name = rel(file);
    let input = std::fs::read(file).unwrap();
    let (cfg, off) = (enabled_config(), disabled_config());
    let mut fe = FrontEnds::run(file, &cfg, &["--all"], scratch, Some(plugin));
    let all = std::ffi::OsStr::new("--all");
    let c = std::ffi::OsStr::new("-c");
    let f = std::ffi::OsStr::new("-f");

    let inject = fe.get("inject");
    let expected_error = EXPECTED_ERRORS.iter().find(|(f, _)| *f == name);
    let located = {
        let p = file.display().to_string();
        inject.stderr.match_indices(&p).any(|(i, _)| {
            let rest = &inject.stderr[i + p.len()..];
            let mut parts = rest.splitn(3, ':');
            parts.next() == Some("")
                && parts.next().is_some_and(|l| l.parse::<u32>().is_ok())
                && parts
                    .next()
                    .is_some_and(|c| c.chars().take_while(char::is_ascii_digit).count() > 0)
        })
    };
    v.insert(
        1,
        match (inject.code, expected_error) {
            (Some(0), None) => Pass,
            (Some(0), Some(_)) => Fail("exit 0, but EXPECTED_ERRORS lists it".into()),
            (Some(2), Some(_)) if located => Pass,
            (Some(2), _) if !located => Fail(format!(
                "exit 2 without a located error: {}",
                first_lines(&inject.stderr)
            )),
            (code, _) => Fail(format!("exit {code:?}: {}", first_lines(&inject.stderr))),
        },
    );
    let injected_ok = inject.code == Some(0);
    let injected = inject.stdout.clone();
    let skip = || NotApplicable("inject exits non-zero".to_string());
    if !injected_ok {
        for p in [2, 3, 4, 5] {
            v.insert(p, skip());
        }
    } else {
        let parsed = text(&input)
            .and_then(try_docs)
            .and_then(|i| Ok((i, text(&injected).and_then(try_docs)?)));
        match parsed {
            Err(e) => {
                v.insert(2, Fail(format!("cannot compare: {e}")));
                v.insert(3, Fail(format!("cannot compare: {e}")));
            }
            Ok((before, after)) => {
                v.insert(2, prop_block(&before, &after));
                v.insert(
                    3,
                    match first_difference(&without_env(&before), &without_env(&after)) {
                        None => Pass,
                        Some(d) => Fail(format!("differs at {d}")),
                    },
                );
            }
        }
        let out_copy = scratch.join(format!("injected-{}", file.file_name().unwrap().display()));
        std::fs::write(&out_copy, &injected).unwrap();
        let again = run(&args([all, c, os(&cfg), f, os(&out_copy)]), b"");
        v.insert(4, exits_0_with(&again, &injected));
        let removed = run(&args([all, c, os(&off), f, os(&out_copy)]), b"");
        v.insert(5, exits_0_with(&removed, &input));
        fe.runs.push(("inject (second run)", again));
        fe.runs.push(("inject (disabled, after inject)", removed));
    }
    let disabled = run(&args([all, c, os(&off), f, os(file)]), b"");
    let diff_off = run(&args(["diff".as_ref(), all, c, os(&off), f, os(file)]), b"");
    v.insert(
        6,
        if disabled.code == Some(0) || injected_ok {
            match exits_0_with(&disabled, &input) {
                Pass if diff_off.code != Some(0) || !diff_off.stdout.is_empty() => Fail(format!(
                    "the pipe changes nothing, but diff exits {:?}: {}",
                    diff_off.code,
                    first_lines(&String::from_utf8_lossy(&diff_off.stdout))
                )),
                other => other,
            }
        } else {
            skip()
        },
    );
    fe.runs.push(("inject (disabled)", disabled));
    fe.runs.push(("diff (disabled)", diff_off));
    v.insert(7, fe.no_panic());
    v.insert(8, fe.agreement());
    if tools.patch {
        v.insert(9, fe.diff_patches(file, scratch));
    }
    v
}

/// Pass when the run exited 0 and wrote exactly `want`.
fn exits_0_with(run: &RawOutput, want: &[u8]) -> Verdict {
    if run.code != Some(0) {
        Fail(format!("exit {:?}: {}", run.code, first_lines(&run.stderr)))
    } else if run.stdout != want {
        Fail(byte_difference(want, &run.stdout))
    } else {
        Pass
    }
}

/// The first line where two outputs differ.
fn byte_difference(want: &[u8], got: &[u8]) -> String {
    let (w, g) = (String::from_utf8_lossy(want), String::from_utf8_lossy(got));
    let (wl, gl): (Vec<&str>, Vec<&str>) = (w.split('\n').collect(), g.split('\n').collect());
    let i = wl.iter().zip(&gl).take_while(|(a, b)| a == b).count();
    let cut = |s: Option<&&str>| s.map_or("<end>".to_string(), |s| s.chars().take(100).collect());
    format!(
        "line {}: want {:?}, got {:?} ({} vs {} bytes)",
        i + 1,
        cut(wl.get(i)),
        cut(gl.get(i)),
        want.len(),
        got.len()
    )
}

// ---------------------------------------------------------------------------------------------

/// Runs `job` on every item, on a few threads (the binary runs are the cost).
fn parallel<T: Sync, R: Send>(items: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 8)
        + 1;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = job(item);
                    results.lock().unwrap()[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every item ran"))
        .collect()
}

/// The binary as kustomize runs a legacy exec plugin: through a symlink named `KubeOpenCodeConfig`.
#[cfg(unix)]
fn plugin_link(dir: &Path) -> PathBuf {
    let link = dir.join("KubeOpenCodeConfig");
    std::os::unix::fs::symlink(bin(), &link).unwrap();
    link
}

#[cfg(not(unix))]
fn plugin_link(dir: &Path) -> PathBuf {
    let link = dir.join("KubeOpenCodeConfig.exe");
    std::fs::copy(bin(), &link).unwrap();
    link
}

#[test]
fn realworld_corpus_properties() {
    let tools = Tools::find();
    let tmp = tempfile::tempdir().unwrap();
    let plugin = plugin_link(tmp.path());
    // kustomize finds the plugin under $XDG_CONFIG_HOME/kustomize/plugin.
    let xdg = tmp.path().join("xdg");
    let home = xdg.join("kustomize/plugin/kubeopencode.io/v1alpha1/kubeopencodeconfig");
    std::fs::create_dir_all(&home).unwrap();
    plugin_link(&home);
    let scratch_counter = AtomicUsize::new(0);
    let scratch = || {
        let d = tmp.path().join(format!(
            "s{}",
            scratch_counter.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&d).unwrap();
        d
    };

    // (name, property) -> verdict.
    let mut verdicts: BTreeMap<(String, u8), Verdict> = BTreeMap::new();
    let corpus = corpus();
    let per_file = parallel(&corpus, |file| {
        (rel(file), corpus_props(file, &scratch(), &plugin, &tools))
    });
    for (name, v) in per_file {
        for (p, verdict) in v {
            verdicts.insert((name.clone(), p), verdict);
        }
    }

    // Property 7 alone over the fuzz corpus and the seeds.
    let fuzz = files_under(&root().join("fuzz/corpus"));
    assert!(!fuzz.is_empty(), "the fuzz corpus is missing");
    let mut others: Vec<(String, PathBuf)> = fuzz.iter().map(|f| (rel(f), f.clone())).collect();
    for (name, body) in SEEDS {
        let file = common::write_temp(&scratch(), name, body);
        others.push((format!("seed/{name}"), file));
    }
    for ((name, _), verdict) in others.iter().zip(parallel(&others, |(_, file)| {
        FrontEnds::run(
            file,
            &enabled_config(),
            &["--all"],
            &scratch(),
            Some(&plugin),
        )
        .no_panic()
    })) {
        verdicts.insert((name.clone(), 7), verdict);
    }

    let cases: Vec<PathBuf> = files_under(&root().join("testdata/conformance/cases"))
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "input.yaml"))
        .collect();
    assert!(cases.len() >= 13, "conformance cases missing");
    for (file, (agree, patched)) in cases.iter().zip(parallel(&cases, |file| {
        let cfg = file.with_file_name("config.yaml");
        let dir = scratch();
        let fe = FrontEnds::run(file, &cfg, &[], &dir, None);
        let mut p9 = Vec::new();
        if tools.patch {
            p9.push(fe.diff_patches(file, &dir));
        }
        if tools.kubectl {
            p9.push(kustomize_agrees(&fe, file, &cfg, &xdg, &dir));
        }
        let p9 = (!p9.is_empty()).then(|| {
            p9.iter()
                .find(|v| !matches!(v, Pass))
                .cloned()
                .unwrap_or(Pass)
        });
        (fe.agreement(), p9)
    })) {
        verdicts.insert((rel(file), 8), agree);
        if let Some(p9) = patched {
            verdicts.insert((rel(file), 9), p9);
        }
    }

    report(&verdicts, &tools);
}

/// The outside tools property 9 needs. A missing one is said loudly, and is an error when
/// `KUBEOPENCODE_REQUIRE_TOOLS=1` (CI).
struct Tools {
    patch: bool,
    kubectl: bool,
}

impl Tools {
    fn find() -> Self {
        let have = tools::have_with;
        Tools {
            patch: have("patch", &["--version"]),
            kubectl: have("kubectl", &["version", "--client"]),
        }
    }
}

fn report(verdicts: &BTreeMap<(String, u8), Verdict>, tools: &Tools) {
    let mut problems = Vec::new();
    let known: BTreeMap<(String, u8), (&str, &str)> = KNOWN_FAILURES
        .iter()
        .map(|(f, p, why, issue)| ((f.to_string(), *p), (*why, *issue)))
        .collect();
    assert_eq!(
        known.len(),
        KNOWN_FAILURES.len(),
        "KNOWN_FAILURES has duplicates"
    );
    for (name, _) in EXPECTED_ERRORS {
        assert!(
            verdicts.contains_key(&(name.to_string(), 1)),
            "EXPECTED_ERRORS names {name}, which is not in the corpus"
        );
    }
    for ((name, p), verdict) in verdicts {
        let listed = known.get(&(name.clone(), *p));
        match (verdict, listed) {
            (Fail(why), None) => problems.push(format!("{name}: property {p} fails: {why}")),
            (Pass, Some((why, issue))) => problems.push(format!(
                "{name}: property {p} passes now (listed: {why}, issue {issue}): fixed: remove it from KNOWN_FAILURES"
            )),
            (NotApplicable(n), Some((why, issue))) => problems.push(format!(
                "{name}: property {p} is no longer checked ({n}) but KNOWN_FAILURES lists it ({why}, issue {issue}): remove it, or fix what stops the check"
            )),
            _ => {}
        }
    }
    for (name, p) in known.keys() {
        let skipped = *p == 9 && !(tools.patch && tools.kubectl);
        if !skipped && !verdicts.contains_key(&(name.clone(), *p)) {
            problems.push(format!(
                "KNOWN_FAILURES lists {name} property {p}, which this test does not check"
            ));
        }
    }

    let mut summary = String::from("realworld corpus:\n");
    for (i, what) in PROPERTIES.iter().enumerate() {
        let p = i as u8 + 1;
        let of: Vec<&Verdict> = verdicts
            .iter()
            .filter(|((_, q), _)| *q == p)
            .map(|(_, v)| v)
            .collect();
        let pass = of.iter().filter(|v| matches!(v, Pass)).count();
        let na = of.iter().filter(|v| matches!(v, NotApplicable(_))).count();
        let applicable = of.len() - na;
        let na = if na > 0 {
            format!(" ({na} not checked: an earlier step failed)")
        } else {
            String::new()
        };
        summary.push_str(&format!(
            "property {p}: {pass}/{applicable} files pass{na} ({what})\n"
        ));
    }
    // With REALWORLD_VERBOSE set, every failure (known ones included) follows the counts.
    if std::env::var_os("REALWORLD_VERBOSE").is_some() {
        summary.push_str("failures:\n");
        for ((name, p), v) in verdicts {
            if let Fail(why) = v {
                summary.push_str(&format!("  {name} [{p}] {why}\n"));
            }
        }
    }
    // Straight to the process's stderr, past the test harness's capture: the counts are wanted on
    // a passing run too.
    {
        use std::io::Write;
        let _ = std::io::stderr().write_all(summary.as_bytes());
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) with the real-world corpus:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
