//! The tool reads what kubectl reads: every file `kubectl kustomize` accepts, the tool accepts
//! too, and reads to the same documents (compared as JSON values).
//!
//! kubectl reads manifests with go-yaml (a port of libyaml), not with a YAML 1.2 reader, so it is
//! the reference. For each file F the test builds a kustomization of `resources: [F]`, runs
//! `kubectl kustomize`, reads its output with the tool's reader, and compares that with the
//! documents `kubeopencode-inject -o json` reads from F (with observability disabled, so nothing
//! is injected). kustomize drops empty documents, expands `kind: List`, sorts resources and needs
//! apiVersion, kind and metadata.name: the generated cases are built around that, and the
//! comparison flattens lists and sorts both sides.
//!
//! The cases are generated here, deterministically: flow collections in every layout (the closing
//! bracket deeper than, at, and left of its key's column), comments and trailing commas in them,
//! multi-line plain and quoted scalars, tags, block scalars with indicators, `...` markers, JSON
//! documents in YAML streams, aliases, BOM, CRLF and lone CR line ends. Files under
//! `testdata/realworld/` are checked too when that directory exists.
//!
//! Without kubectl the test prints `SKIPPED: kubectl not installed`, and fails when
//! `KUBEOPENCODE_REQUIRE_TOOLS=1`.

mod common;
mod tools;

use std::path::{Path, PathBuf};
use std::process::Command;

use kubeopencode_inject::api::{self, split_yaml};
use serde_json::Value;

const CONFIG: &str = "apiVersion: kubeopencode.io/v1alpha1\nkind: KubeOpenCodeConfig\n\
metadata:\n  name: cluster\nspec:\n  observability:\n    openTelemetry:\n      enabled: false\n";

fn kubectl_available() -> bool {
    tools::have_with("kubectl", &["version", "--client"])
}

/// `kubectl kustomize` over a kustomization of `files`: its documents, or its error.
fn kustomize(dir: &Path, files: &[PathBuf]) -> Result<Vec<Value>, String> {
    let k = tempfile::tempdir().unwrap();
    let mut resources = String::from("resources:\n");
    for f in files {
        let name = f.file_name().unwrap().to_str().unwrap();
        std::fs::copy(dir.join(name), k.path().join(name)).unwrap();
        resources.push_str(&format!("- {name}\n"));
    }
    std::fs::write(k.path().join("kustomization.yaml"), resources).unwrap();
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(k.path())
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8(out.stdout).map_err(|e| e.to_string())?;
    let mut docs = Vec::new();
    for c in split_yaml(&text) {
        let v = api::parse_document(&text[c.range])
            .map_err(|e| format!("kustomize output does not parse: {e}\n{text}"))?
            .into_value();
        if !v.is_null() {
            docs.push(v);
        }
    }
    Ok(docs)
}

/// What the tool reads from `files`: its documents, or its exit code and message.
fn tool(config: &Path, files: &[PathBuf]) -> Result<Vec<Value>, (i32, String)> {
    let mut args = vec![
        "-c".to_string(),
        config.to_str().unwrap().to_string(),
        "-o".into(),
        "json".into(),
        "--quiet".into(),
    ];
    for f in files {
        args.push("-f".into());
        args.push(f.to_str().unwrap().into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::run(&args, None);
    if out.code != 0 {
        return Err((out.code, out.stderr));
    }
    if out.stdout.trim().is_empty() {
        return Ok(Vec::new());
    }
    // One document, or a `v1 List` of them: [`normal`] expands lists either way.
    let value: Value = serde_json::from_str(&out.stdout).map_err(|e| (-1, e.to_string()))?;
    Ok(vec![value])
}

/// The documents, with every `*List` expanded into its items, in a canonical order.
fn normal(docs: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    let mut todo = docs;
    while let Some(d) = todo.pop() {
        let is_list = d["kind"].as_str().is_some_and(|k| k.ends_with("List"));
        match d.get("items").and_then(Value::as_array) {
            Some(items) if is_list => todo.extend(items.iter().cloned()),
            _ => out.push(d),
        }
    }
    out.sort_by_cached_key(canonical);
    out
}

/// Whether the tool's value and kustomize's are the same. kustomize reads YAML 1.2 (`y`, `on`,
/// `0777` are strings) and writes such strings quoted; the tool reads YAML 1.1 as the API path
/// does. With `lenient`, a string of kustomize's that YAML 1.1 reads as the tool's value counts as
/// the same (for files nobody wrote for this test).
fn same(ours: &Value, theirs: &Value, lenient: bool) -> bool {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            // kustomize drops empty and null `annotations:` and `labels:`.
            let dropped = |k: &String, v: &Value| {
                lenient
                    && !b.contains_key(k)
                    && (v.is_null() || v.as_object().is_some_and(|m| m.is_empty()))
            };
            a.iter().filter(|(k, v)| !dropped(k, v)).count() == b.len()
                && b.iter().all(|(k, tv)| {
                    let key = match a.get(k) {
                        Some(ov) => Some(ov),
                        None if lenient => {
                            let alt = match api::plain_scalar(k) {
                                Value::String(s) => s,
                                Value::Null => "null".into(),
                                other => other.to_string(),
                            };
                            a.get(&alt)
                        }
                        None => None,
                    };
                    key.is_some_and(|ov| same(ov, tv, lenient))
                })
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y, lenient))
        }
        (o, Value::String(s)) if lenient && o != theirs => api::plain_scalar(s) == *o,
        (o, t) => o == t,
    }
}

/// The documents of both sides agree (paired in canonical order).
fn agree(ours: &[Value], theirs: &[Value], lenient: bool) -> bool {
    if ours.len() != theirs.len() {
        return false;
    }
    if ours.iter().zip(theirs).all(|(o, t)| same(o, t, false)) {
        return true;
    }
    // Lenient pairing by identity: the canonical order may differ when values differ.
    let id = |v: &Value| {
        canonical(&serde_json::json!([
            v["apiVersion"],
            v["kind"],
            v["metadata"]["namespace"],
            v["metadata"]["name"]
        ]))
    };
    lenient
        && ours.iter().all(|o| {
            theirs
                .iter()
                .filter(|t| id(t) == id(o))
                .any(|t| same(o, t, true))
        })
}

/// A value as JSON text with every mapping's keys sorted (kustomize sorts them; the tool keeps
/// the file's order, and JSON values compare equal either way).
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", Value::String((*k).clone()), canonical(&m[*k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// How one file came out.
enum Verdict {
    /// Both read it, to the same documents.
    Same,
    /// kubectl refuses it; so may the tool (exit 2), but it must not crash.
    KubectlRefuses,
}

/// Compares the tool with kubectl on one file. Panics with the details on a difference.
fn check_one(dir: &Path, config: &Path, file: &Path, lenient: bool) -> Verdict {
    let files = [file.to_path_buf()];
    let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned();
    match kustomize(dir, &files) {
        Err(_) => {
            if let Err((code, msg)) = tool(config, &files) {
                assert_eq!(
                    code,
                    2,
                    "{}: the tool crashed:\n{msg}\n{text}",
                    file.display()
                );
            }
            Verdict::KubectlRefuses
        }
        Ok(theirs) => {
            let ours = tool(config, &files).unwrap_or_else(|(code, msg)| {
                panic!(
                    "{}: kubectl reads it, the tool refuses it (exit {code}):\n{msg}\n--- file:\n{text}",
                    file.display()
                )
            });
            // kustomize keeps only the first of JSON values one after another (without `---`),
            // where `kubectl apply` and the tool read them all.
            let mut ours = ours;
            let json_stream = text.trim_start().starts_with('{') && !text.contains("\n---");
            if lenient
                && json_stream
                && ours.len() == 1
                && ours[0]["kind"] == "List"
                && let Some(items) = ours[0].get("items").and_then(Value::as_array)
                && items.len() > theirs.len()
            {
                ours = items[..theirs.len()].to_vec();
            }
            let (ours, theirs) = (normal(ours), normal(theirs));
            if !agree(&ours, &theirs, lenient) {
                let show = |d: &[Value]| d.iter().map(canonical).collect::<Vec<_>>().join("\n");
                panic!(
                    "{}: the tool and kubectl read different documents\n--- the tool:\n{}\n--- kubectl:\n{}\n--- file:\n{text}",
                    file.display(),
                    show(&ours),
                    show(&theirs)
                );
            }
            Verdict::Same
        }
    }
}

/// Checks a set of files in one kubectl run and one tool run when both accept them all and agree;
/// otherwise file by file. Returns how many kubectl refused.
fn check_batch(dir: &Path, config: &Path, files: &[PathBuf]) -> usize {
    if let (Ok(theirs), Ok(ours)) = (kustomize(dir, files), tool(config, files))
        && agree(&normal(ours), &normal(theirs), false)
    {
        return 0;
    }
    let refused: Vec<&PathBuf> = files
        .iter()
        .filter(|f| matches!(check_one(dir, config, f, false), Verdict::KubectlRefuses))
        .collect();
    for f in &refused {
        eprintln!(
            "kubectl refuses {}",
            f.file_name().unwrap().to_string_lossy()
        );
    }
    refused.len()
}

/// A document of a kind kustomize has no schema for, named `name`, with `body` (YAML lines at
/// column 0, or nothing) after its header.
fn doc(name: &str, body: &str) -> String {
    format!("apiVersion: example.com/v1\nkind: Sample\nmetadata:\n  name: {name}\n{body}")
}

/// Flow collections in every layout: on one line; opened on the key's line with the entries on
/// the lines after, the closing bracket deeper than, at, or left of the key's column, or at
/// column 0; with and without a trailing comma and comments; under a key at two depths.
fn flow_cases() -> Vec<String> {
    let mut out = Vec::new();
    let mut n = 0;
    for seq in [true, false] {
        let (open, close) = if seq { ("[", "]") } else { ("{", "}") };
        let entries: [&str; 2] = if seq {
            ["\"a\"", "b c"]
        } else {
            ["x: \"a\"", "z: b c"]
        };
        for depth in [1usize, 2] {
            let key_col = 2 * depth;
            for close_col in [key_col + 2, key_col, key_col.saturating_sub(2), 0] {
                for trailing in [false, true] {
                    for comments in [false, true] {
                        n += 1;
                        let pad = |c: usize| " ".repeat(c);
                        let mut body = String::from("spec:\n");
                        if depth == 2 {
                            body.push_str("  inner:\n");
                        }
                        body.push_str(&format!(
                            "{}list: {open}{}\n",
                            pad(key_col),
                            if comments { "  # opens" } else { "" }
                        ));
                        for (i, e) in entries.iter().enumerate() {
                            let last = i + 1 == entries.len();
                            let comma = if !last || trailing { "," } else { "" };
                            body.push_str(&format!("{}{e}{comma}\n", pad(key_col + 4)));
                            if comments {
                                body.push_str(&format!("{}# between\n", pad(key_col + 4)));
                            }
                        }
                        body.push_str(&format!("{}{close}\n", pad(close_col)));
                        body.push_str("  after: 1\n");
                        out.push(doc(&format!("flow-{n}"), &body));
                    }
                }
            }
        }
        // One line, nested, empty, a comment after.
        n += 1;
        out.push(doc(
            &format!("flow-{n}"),
            &format!(
                "spec:\n  one: {open}{}, {}{close}  # c\n  empty: {open}{close}\n  nested: [[1, [2]], {{a: [x, {{b: c}}]}}, []]\n",
                entries[0], entries[1]
            ),
        ));
    }
    // Flow collections in flow collections across lines, and a pair in a sequence.
    out.push(doc(
        "flow-mixed",
        "spec:\n  m: {a: [1,\n    2], b: {c: d,\n  e: f}}\n  pairs: [a: b, c]\n  keys: {? x : w}\n",
    ));
    out
}

fn scalar_cases() -> Vec<String> {
    let bodies = [
        // Multi-line plain scalars.
        "spec:\n  a: first\n    second\n\n    third after an empty line\n  b:\n    on the next line\n    and on\n",
        "spec:\n  list:\n  - one\n    two\n  - x#y # comment\n  c: a:b c\n",
        // Multi-line quoted scalars, continued deeper, at the key's column and at column 0.
        "spec:\n  s: 'first\n    deeper'\n  t: 'first\n  at the key column'\n  u: 'first\ncolumn zero'\n",
        "spec:\n  d: \"first\n  at the key column \\\n  escaped break\"\n  e: \"tab\\tand \\u00e9 and \\x41\"\n  f: 'it''s'\n",
        "metadata2:\n  annotations:\n    description: 'Go''s YAML v2 encoder writes long\n    descriptions like this, continued at the key column'\n",
        // Tags.
        "spec:\n  a: !!str 123\n  b: !!str true\n  c: !!int \"42\"\n  d: !!float 1\n  e: !!bool \"false\"\n  f: !!null ''\n  g: !custom value\n  h: !!str\n  !!str 1: key\n  i: !!map {x: 1}\n  j: !!seq [1]\n",
        // Values YAML 1.1 and 1.2 read alike. (kustomize reads 1.2 and turns dates into
        // timestamps and `1e3` into 1000; the API path reads 1.1: `yes`, `0777`, `1_000` differ.
        // That is the scalar module's business, checked against go-yaml v2 there, not the
        // reader's.)
        "spec:\n  a: 'on'\n  b: \"yes\"\n  e: ~\n  g: -.5\n  i: 12\n  j: 1.5\n",
        // Block scalars with indicators. (Not a more-indented line inside a folded scalar after
        // its first line: kustomize reads `>` with `x`, `  y` as "x\n\n  y", an extra line
        // break that libyaml and the YAML spec do not give; see docs/design.md.)
        "spec:\n  a: |2\n      two extra\n    base\n  b: |-\n    strip\n\n  c: |+\n    keep\n\n  d: >\n    folded\n    lines\n\n    back\n  e: >2-\n     x\n    y\n  f: |1\n    leading\n  g: | # comment\n    after a comment\n",
        "spec:\n  last: |+\n    keep at the end\n\n\n",
        // Anchors, aliases and merge keys.
        "spec:\n  base: &b {x: 1, w: 2}\n  copy: *b\n  merged:\n    <<: *b\n    w: 3\n  list: &l [a, b]\n  again: *l\n",
        // Keys: quoted, long, odd.
        "spec:\n  \"quoted key\": 1\n  'single': 2\n  ? explicit\n  : value\n  1: number key\n  true: bool key\n",
        // Comments everywhere; a lone CR as a line break.
        "# before\nspec: # after key\n  # own line\n  a: 1 # after value\n  b: \"x\" #c\n",
        "spec:\n  a: 1\r  b: 2\r",
    ];
    bodies
        .iter()
        .enumerate()
        .map(|(i, b)| doc(&format!("scalar-{i}"), b))
        .collect()
}

/// Whole files: several documents, markers, JSON documents, BOM and CRLF.
fn stream_cases() -> Vec<String> {
    let json = |name: &str| {
        format!(
            "{{\"apiVersion\": \"example.com/v1\", \"kind\": \"Sample\", \"metadata\": {{\"name\": \"{name}\"}}, \"spec\": {{\"a\": [1, 2.5, \"x\", null, true],\n  \"b\": {{\"c\": \"\\u00e9\\n\"}}\n}}\n}}\n"
        )
    };
    let mut out = vec![
        format!(
            "{}...\n---\n{}...\n",
            doc("end-1", "spec: 1\n"),
            doc("end-2", "spec: 2\n")
        ),
        format!(
            "{}...\n# a comment after the end marker\n...\n---\n{}",
            doc("end-3", ""),
            doc("end-4", "")
        ),
        format!(
            "--- # first\n{}---\n---\n# empty documents\n---\n{}",
            doc("end-5", ""),
            doc("end-6", "")
        ),
        format!("{}---\n{}", json("json-1"), json("json-2")),
        format!(
            "{}---\n{}---\n{}",
            doc("json-3", ""),
            json("json-4"),
            doc("json-5", "spec: [\n  1,\n]\n")
        ),
        format!("---\n{}", json("json-6")),
        // (Not JSON values one after another without `---`: kustomize keeps only the first,
        // `kubectl apply` and the tool read them all.)
        format!("%YAML 1.1\n---\n{}", doc("directive-1", "spec: x\n")),
        format!("--- !!map\n{}", doc("tagged-root", "")),
        format!(
            "apiVersion: v1\nkind: List\nitems:\n- {}\n- {{apiVersion: example.com/v1, kind: Sample, metadata: {{name: list-2}}}}\n",
            "apiVersion: example.com/v1\n  kind: Sample\n  metadata:\n    name: list-1"
        ),
    ];
    // BOM, CRLF and both, on a few of the above and of the other families.
    let base: Vec<String> = vec![
        out[0].clone(),
        out[3].clone(),
        flow_cases()[5].clone(),
        scalar_cases()[2].clone(),
        scalar_cases()[7].clone(),
    ];
    for (i, text) in base.iter().enumerate() {
        let crlf = text.replace('\n', "\r\n");
        let rename = |t: &str, tag: &str| t.replace("name: ", &format!("name: {tag}{i}-"));
        let rename_json =
            |t: &str, tag: &str| t.replace("\"name\": \"", &format!("\"name\": \"{tag}{i}-"));
        out.push(rename_json(
            &rename(&format!("\u{feff}{text}"), "bom"),
            "bom",
        ));
        out.push(rename_json(&rename(&crlf, "crlf"), "crlf"));
        out.push(rename_json(
            &rename(&format!("\u{feff}{crlf}"), "bomcrlf"),
            "bomcrlf",
        ));
    }
    out
}

fn write_cases(dir: &Path, prefix: &str, cases: &[String]) -> Vec<PathBuf> {
    cases
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let p = dir.join(format!("{prefix}-{i:03}.yaml"));
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect()
}

/// kubectl's presence (or the loud skip), and a directory holding the disabled config.
fn setup() -> Option<(tempfile::TempDir, PathBuf)> {
    if !kubectl_available() {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = common::write_temp(dir.path(), "config.yaml", CONFIG);
    Some((dir, config))
}

#[test]
fn generated_variants_read_as_kubectl_reads_them() {
    let Some((_dir, config)) = setup() else {
        return;
    };
    let cases = tempfile::tempdir().unwrap();
    let mut total = 0;
    let mut refused = 0;
    for (prefix, family) in [
        ("flow", flow_cases()),
        ("scalar", scalar_cases()),
        ("stream", stream_cases()),
    ] {
        let files = write_cases(cases.path(), prefix, &family);
        total += files.len();
        refused += check_batch(cases.path(), &config, &files);
    }
    eprintln!("{total} generated files: {refused} refused by kubectl, the rest read alike");
    // The cases exist to be read: most of them must be accepted, or the test checks little.
    assert!(
        total >= 60 && refused * 4 < total,
        "{refused} of {total} refused"
    );
}

/// The fast path gives the full parser's tree on every generated document it takes, or leaves it
/// to the full parser (no kubectl needed).
#[test]
fn generated_variants_keep_the_fast_path_contract() {
    let mut taken = 0;
    for text in flow_cases()
        .iter()
        .chain(&scalar_cases())
        .chain(&stream_cases())
    {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for c in split_yaml(text) {
            let d = &text[c.range];
            match api::check_fast_path(d, None) {
                Ok(true) => taken += 1,
                Ok(false) => {}
                Err(e) => panic!("{e}"),
            }
        }
    }
    assert!(taken > 20, "the fast path took only {taken} documents");
}

/// The cases kubectl accepts that the issue names, one by one, so a failure names its case.
#[test]
fn the_layouts_the_issue_names_are_read() {
    let Some((dir, config)) = setup() else {
        return;
    };
    let cases = [
        doc(
            "issue-flow",
            "spec:\n  containers:\n  - name: c\n    args: [\n      \"a\",\n    ]\n",
        ),
        doc(
            "issue-quoted",
            "spec:\n  annotations:\n    description: 'first line\n    continued at the key column'\n",
        ),
        "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"issue-json-1\"}}\n---\n{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"issue-json-2\"}}\n"
            .to_string(),
    ];
    let files = write_cases(dir.path(), "issue", &cases);
    for f in &files {
        assert!(
            matches!(check_one(dir.path(), &config, f, false), Verdict::Same),
            "kubectl refuses {}",
            f.display()
        );
    }
}

#[test]
fn realworld_corpus_reads_as_kubectl_reads_it() {
    let root = common::testdata("realworld");
    if !root.is_dir() {
        eprintln!("no testdata/realworld here: nothing to compare");
        return;
    }
    let Some((_dir, config)) = setup() else {
        return;
    };
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    files.sort();
    // One kustomization per file (names repeat across files); a few at a time.
    let copies = tempfile::tempdir().unwrap();
    let staged: Vec<PathBuf> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let ext = f.extension().unwrap().to_str().unwrap();
            let p = copies.path().join(format!("f{i:04}.{ext}"));
            std::fs::copy(f, &p).unwrap();
            p
        })
        .collect();
    let refused = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    // The differences are reported together, each with the corpus file it comes from.
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    std::thread::scope(|s| {
        for part in staged.chunks(staged.len().div_ceil(4).max(1)) {
            let (dir, config, refused, failures, files) =
                (copies.path(), &config, &refused, &failures, &files);
            s.spawn(move || {
                for f in part {
                    let i: usize = f.file_stem().unwrap().to_str().unwrap()[1..]
                        .parse()
                        .unwrap();
                    match std::panic::catch_unwind(|| check_one(dir, config, f, true)) {
                        Ok(Verdict::Same) => {}
                        Ok(Verdict::KubectlRefuses) => {
                            eprintln!("kubectl refuses {}", files[i].display());
                            refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        Err(e) => {
                            let msg = e
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                                .unwrap_or_default();
                            failures
                                .lock()
                                .unwrap()
                                .push(format!("{}:\n{msg}", files[i].display()));
                        }
                    }
                }
            });
        }
    });
    std::panic::set_hook(quiet);
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} realworld files read differently:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
    eprintln!(
        "{} realworld files: {} refused by kubectl, the rest read alike",
        files.len(),
        refused.into_inner()
    );
}
