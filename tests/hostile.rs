//! Hostile and broken input (issue 7, point 1): the built binary, run with a time limit, on input
//! written to crash, hang or confuse it. Every case ends in exit 2 with a clear message on stderr
//! that names the file (and, where it applies, `line:col` and `document N`), or, for input that is
//! merely odd, in exit 0 with the input passed through. Never a panic (exit 101), never a hang.
//!
//! Tests marked `#[ignore = "BUG: ..."]` show a defect that is still open; run them with
//! `cargo test --test hostile -- --ignored`.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{CONFIG, bin, docs};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Running the binary with a time limit
// ---------------------------------------------------------------------------------------------

/// The default time limit: every hostile input must be refused (or handled) well within it.
const LIMIT: Duration = Duration::from_secs(20);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Run {
    /// stderr on one line: miette wraps long messages and frames them with `│`.
    fn flat(&self) -> String {
        self.stderr
            .lines()
            .map(|l| l.trim().trim_start_matches(['│', '·']).trim())
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn drain(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

/// Runs the binary with colour off; kills it and fails the test when it runs longer than `limit`.
fn run_limited(args: &[&str], stdin: Option<&[u8]>, limit: Duration) -> Run {
    run_as(Command::new(bin()), args, stdin, limit)
}

fn run_as(mut cmd: Command, args: &[&str], stdin: Option<&[u8]>, limit: Duration) -> Run {
    cmd.args(args)
        .args(["--color", "never"])
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn the binary");
    let out = drain(child.stdout.take().unwrap());
    let err = drain(child.stderr.take().unwrap());
    {
        let mut sin = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            // The child may exit early on an error; a broken pipe is fine then.
            let _ = sin.write_all(s);
        }
    }
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the binary") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "kubeopencode-inject {args:?} did not finish within {limit:?} (a hang?); killed it"
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = start.elapsed();
    let stdout = out.join().unwrap();
    let stderr = err.join().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        elapsed,
    }
}

// ---------------------------------------------------------------------------------------------
// Fixtures and assertions
// ---------------------------------------------------------------------------------------------

struct Fx {
    dir: tempfile::TempDir,
}

impl Fx {
    fn new() -> Fx {
        Fx {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file (creating parent directories); returns its path as given on the command line.
    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let p = self.path(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        s(&p).to_string()
    }

    fn config(&self) -> String {
        self.file("config.yaml", CONFIG)
    }

    /// Runs `-c config.yaml -f FILE` on one file.
    fn inject(&self, name: &str, bytes: impl AsRef<[u8]>) -> (String, Run) {
        let config = self.config();
        let f = self.file(name, bytes);
        let out = run_limited(&["-c", &config, "-f", &f], None, LIMIT);
        (f, out)
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Exit 2 (not a panic), nothing on stdout, a message on stderr that names the file.
fn assert_refused(out: &Run, file: &str) {
    assert_ne!(out.code, 101, "the tool panicked:\n{}", out.stderr);
    assert_eq!(
        out.code, 2,
        "expected exit 2\nstdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert_eq!(out.stdout, "", "an error must not write manifests");
    assert!(!out.stderr.trim().is_empty(), "an error needs a message");
    assert!(
        !out.stderr.contains("panicked"),
        "a panic message on stderr:\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(file),
        "the message does not name {file}:\n{}",
        out.stderr
    );
}

/// [`assert_refused`], and the message gives `file:line:col` and `document N`.
fn assert_located(out: &Run, file: &str, line: usize, col: Option<usize>, document: Option<usize>) {
    assert_refused(out, file);
    let at = match col {
        Some(c) => format!("{file}:{line}:{c}"),
        None => format!("{file}:{line}:"),
    };
    assert!(
        out.stderr.contains(&at),
        "the message does not point at {at}:\n{}",
        out.stderr
    );
    if let Some(d) = document {
        assert!(
            out.flat().contains(&format!("document {d}")),
            "the message does not name document {d}:\n{}",
            out.stderr
        );
    }
}

/// The message, flattened, mentions every one of `words` (case-insensitive).
fn assert_says(out: &Run, words: &[&str]) {
    let flat = out.flat().to_lowercase();
    for w in words {
        assert!(
            flat.contains(&w.to_lowercase()),
            "the message does not say `{w}`:\n{}",
            out.stderr
        );
    }
}

/// The `line:col` of the first location (`file:L:C`) on stderr.
fn first_location(stderr: &str, file: &str) -> Option<(usize, usize)> {
    let i = stderr.find(&format!("{file}:"))? + file.len() + 1;
    let mut it = stderr[i..].split(|c: char| !c.is_ascii_digit());
    let line = it.next()?.parse().ok()?;
    let col = it.next()?.parse().ok()?;
    Some((line, col))
}

fn assert_ok(out: &Run) {
    assert_ne!(out.code, 101, "the tool panicked:\n{}", out.stderr);
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
}

/// A selected (KubeOpenCode agent) Pod whose `spec:` is `spec` (lines indented by two spaces).
fn agent_pod(spec: &str) -> String {
    format!(
        "apiVersion: v1\n\
         kind: Pod\n\
         metadata:\n  \
         name: p\n  \
         namespace: ns\n  \
         labels:\n    \
         kubeopencode.io/agent: coder\n\
         spec:\n{spec}"
    )
}

/// An agent Pod with one container `agent` whose `env:` lines are `env` (indented by 4 spaces).
fn agent_pod_env(env: &str) -> String {
    agent_pod(&format!(
        "  containers:\n  - name: agent\n    image: x\n    env:\n{env}"
    ))
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n";

/// "Billion laughs": ten levels of ten aliases each (10^10 nodes if expanded), indented by `pad`.
fn laughs(pad: &str) -> String {
    let mut text = format!("{pad}l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = format!("*l{}", i - 1);
        let refs = [prev.as_str(); 10].join(", ");
        text.push_str(&format!("{pad}l{i}: &l{i} [{refs}]\n"));
    }
    text
}

// ---------------------------------------------------------------------------------------------
// Alias expansion
// ---------------------------------------------------------------------------------------------

#[test]
fn billion_laughs_in_a_later_document_is_refused_and_located() {
    let fx = Fx::new();
    let bomb = format!(
        "{CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n{}",
        laughs("  ")
    );
    let (f, out) = fx.inject("l1.yaml", bomb);
    assert_refused(&out, &f);
    assert_says(&out, &["alias", "--max-nodes"]);
    let (line, _) = first_location(&out.stderr, &f).expect("located");
    // The second document's bytes are lines 7..; the bomb is on lines 13..22.
    assert!((13..=22).contains(&line), "line {line}:\n{}", out.stderr);
    assert_located(&out, &f, line, None, Some(2));
    assert!(out.elapsed < Duration::from_secs(10), "{:?}", out.elapsed);
}

#[test]
fn billion_laughs_inside_a_selected_pod_is_refused() {
    let fx = Fx::new();
    let pod = format!(
        "{}  x-bomb:\n{}",
        agent_pod("  containers:\n  - name: agent\n    image: x\n"),
        laughs("    ")
    );
    let (f, out) = fx.inject("pod.yaml", pod);
    assert_refused(&out, &f);
    assert_says(&out, &["alias", "document 1"]);
    assert!(first_location(&out.stderr, &f).is_some(), "{}", out.stderr);
}

#[test]
fn billion_laughs_through_merge_keys_is_refused() {
    // Merge keys keep the result small (keys overwrite), but expanding them is exponential work.
    let fx = Fx::new();
    let mut text = String::from("m0: &m0 {k0: x, k1: x, k2: x, k3: x, k4: x}\n");
    for i in 1..12 {
        let p = format!("*m{}", i - 1);
        let refs = [p.as_str(); 10].join(", ");
        text.push_str(&format!("m{i}: &m{i} {{<<: [{refs}], k{i}: y}}\n"));
    }
    let (f, out) = fx.inject("merge.yaml", text);
    assert_refused(&out, &f);
    assert_says(&out, &["alias"]);
    assert!(first_location(&out.stderr, &f).is_some(), "{}", out.stderr);
}

#[test]
fn wide_alias_fan_out_is_refused() {
    // No nesting: one anchored list of 5,000 scalars used 5,000 times (25 million nodes).
    let fx = Fx::new();
    let mut text = format!("big: &big [{}]\nuses:\n", vec!["x"; 5_000].join(", "));
    for _ in 0..5_000 {
        text.push_str("- *big\n");
    }
    let (f, out) = fx.inject("fan.yaml", text);
    assert_refused(&out, &f);
    assert_says(&out, &["alias"]);
    assert_located(
        &out,
        &f,
        first_location(&out.stderr, &f).unwrap().0,
        None,
        Some(1),
    );
}

/// libyaml-safer 0.3 panics on a tag that a `,` follows directly in a flow collection; kubectl
/// refuses the document as malformed YAML. Found by the in-place contract's mutations
/// (`tests/fast_parse.rs`): the tool panicked (exit 101) on it in every front end.
#[test]
fn a_tag_directly_before_a_comma_is_a_located_error() {
    let fx = Fx::new();
    for (name, text, line, col) in [
        (
            "data.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: {a: !!str, b: c}\n",
            5,
            11,
        ),
        (
            "list.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: [!x,y]\n",
            5,
            12,
        ),
    ] {
        let (f, out) = fx.inject(name, text);
        assert_located(&out, &f, line, Some(col), Some(1));
        assert_says(&out, &["tag", "put a space"]);
        let config = fx.config();
        for args in [
            vec!["diff", "-c", &config, &f],
            vec!["check", "-c", &config, &f],
        ] {
            let out = run_limited(&args, None, LIMIT);
            assert_ne!(out.code, 101, "{args:?} panicked:\n{}", out.stderr);
            assert!(
                !out.stderr.contains("panicked"),
                "{args:?}:\n{}",
                out.stderr
            );
            assert!(
                out.stderr.contains(&format!("{f}:{line}:{col}")),
                "{args:?}:\n{}",
                out.stderr
            );
        }
    }
}

#[test]
fn billion_laughs_in_the_config_file_is_refused() {
    let fx = Fx::new();
    let config = fx.file(
        "config.yaml",
        format!("{CONFIG}  x-bomb:\n{}", laughs("    ")),
    );
    let pod = fx.file("cm.yaml", CM);
    let out = run_limited(&["-c", &config, "-f", &pod], None, LIMIT);
    assert_refused(&out, &config);
    assert_says(&out, &["alias"]);
    assert!(
        first_location(&out.stderr, &config).is_some(),
        "{}",
        out.stderr
    );
}

#[test]
fn self_referencing_alias_is_refused() {
    let fx = Fx::new();
    let (f, out) = fx.inject("self.yaml", "a: 1\nb: &a [x, *a]\n");
    assert_located(&out, &f, 2, None, Some(1));
}

#[test]
fn alias_to_an_unknown_anchor_is_refused() {
    let fx = Fx::new();
    let (f, out) = fx.inject("u1.yaml", format!("{CM}---\na: &x 1\nb: *y\n"));
    assert_located(&out, &f, 9, Some(4), Some(2));
    assert_says(&out, &["anchor"]);
}

// ---------------------------------------------------------------------------------------------
// Nesting 10,000 deep
// ---------------------------------------------------------------------------------------------

const DEEP: usize = 10_000;

#[test]
fn flow_sequences_nested_10000_deep_are_refused() {
    let fx = Fx::new();
    let text = format!("a: {}x{}\n", "[".repeat(DEEP), "]".repeat(DEEP));
    let (f, out) = fx.inject("flow-seq.yaml", text);
    assert_located(&out, &f, 1, None, Some(1));
}

/// Flow collections nest at most `--max-depth` deep (256 by default), as block ones do. The error
/// must say so.
#[test]
fn flow_nesting_error_names_the_nesting_limit() {
    let fx = Fx::new();
    let text = format!("a: {}x{}\n", "[".repeat(DEEP), "]".repeat(DEEP));
    let (f, out) = fx.inject("flow-seq.yaml", text);
    assert_located(&out, &f, 1, None, Some(1));
    assert_says(&out, &["nesting", "256"]);
}

#[test]
fn flow_mappings_nested_10000_deep_are_refused() {
    let fx = Fx::new();
    let text = format!("{CM}---\na: {}x{}\n", "{a: ".repeat(DEEP), "}".repeat(DEEP));
    let (f, out) = fx.inject("flow-map.yaml", text);
    assert_located(&out, &f, 8, None, Some(2));
}

#[test]
fn block_mappings_nested_10000_deep_are_refused() {
    let fx = Fx::new();
    let mut text = String::new();
    for i in 0..DEEP {
        text.push_str(&" ".repeat(i));
        text.push_str("a:\n");
    }
    text.push_str(&" ".repeat(DEEP));
    text.push_str("x\n");
    let (f, out) = fx.inject("block-map.yaml", text);
    let (line, _) = first_location(&out.stderr, &f).expect("located");
    assert_located(&out, &f, line, None, Some(1));
    assert_says(&out, &["nesting deeper than 256", "--max-depth"]);
}

#[test]
fn block_sequences_nested_10000_deep_are_refused() {
    let fx = Fx::new();
    let text = "- ".repeat(DEEP) + "x\n";
    let (f, out) = fx.inject("block-seq.yaml", text);
    assert_located(&out, &f, 1, None, Some(1));
    assert_says(&out, &["nesting deeper than 256", "--max-depth"]);
}

#[test]
fn json_arrays_nested_10000_deep_are_refused() {
    let fx = Fx::new();
    let text = format!("{}{}\n", "[".repeat(DEEP), "]".repeat(DEEP));
    let (f, out) = fx.inject("deep.json", text);
    assert_located(&out, &f, 1, None, Some(1));
}

#[test]
fn json_objects_nested_10000_deep_are_refused() {
    let fx = Fx::new();
    let text = format!("{}1{}\n", "{\"a\":".repeat(DEEP), "}".repeat(DEEP));
    let (f, out) = fx.inject("deep-obj.json", text);
    assert_located(&out, &f, 1, None, Some(1));
}

#[test]
fn deep_nesting_in_the_config_file_is_refused() {
    let fx = Fx::new();
    let config = fx.file(
        "config.yaml",
        format!("{CONFIG}  x: {}1{}\n", "[".repeat(DEEP), "]".repeat(DEEP)),
    );
    let cm = fx.file("cm.yaml", CM);
    let out = run_limited(&["-c", &config, "-f", &cm], None, LIMIT);
    assert_located(&out, &config, 10, None, Some(1));
}

#[test]
fn max_depth_flag_moves_the_limit() {
    let fx = Fx::new();
    let config = fx.config();
    let f = fx.file(
        "d.yaml",
        format!("a: {}x{}\n", "[".repeat(40), "]".repeat(40)),
    );
    let out = run_limited(&["-c", &config, "-f", &f, "--max-depth", "20"], None, LIMIT);
    assert_located(&out, &f, 1, None, Some(1));
    let out = run_limited(&["-c", &config, "-f", &f], None, LIMIT);
    assert_ok(&out);
}

// ---------------------------------------------------------------------------------------------
// Document size
// ---------------------------------------------------------------------------------------------

/// A ConfigMap of about 2.1 MiB.
fn big_configmap() -> String {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n");
    for i in 0..20_000 {
        text.push_str(&format!("  k{i}: {}\n", "x".repeat(100)));
    }
    text
}

#[test]
fn a_document_over_the_size_limit_is_refused_and_located() {
    let fx = Fx::new();
    let config = fx.config();
    let f = fx.file("big.yaml", format!("{CM}---\n{}", big_configmap()));
    let out = run_limited(
        &["-c", &config, "-f", &f, "--max-document-size", "1"],
        None,
        LIMIT,
    );
    assert_located(&out, &f, 7, Some(1), Some(2));
    assert_says(&out, &["MiB", "--max-document-size"]);
    // The default limit (64 MiB) lets it through.
    let out = run_limited(&["-c", &config, "-f", &f], None, LIMIT);
    assert_ok(&out);
}

#[test]
fn a_json_document_over_the_size_limit_is_refused() {
    let fx = Fx::new();
    let config = fx.config();
    let data: serde_json::Map<String, Value> = (0..20_000)
        .map(|i| (format!("k{i}"), Value::String("x".repeat(100))))
        .collect();
    let doc = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "data": data});
    let f = fx.file("big.json", serde_json::to_string_pretty(&doc).unwrap());
    let out = run_limited(
        &["-c", &config, "-f", &f, "--max-document-size", "1"],
        None,
        LIMIT,
    );
    assert_located(&out, &f, 1, Some(1), Some(1));
    assert_says(&out, &["--max-document-size"]);
}

// ---------------------------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_utf8_is_refused_with_its_position() {
    let fx = Fx::new();
    let mut bytes = CM.as_bytes().to_vec();
    bytes.extend_from_slice(b"  bad: ab\xff\xfecd\n");
    let (f, out) = fx.inject("latin.yaml", bytes);
    assert_located(&out, &f, 7, Some(10), None);
    assert_says(&out, &["UTF-8"]);
}

#[test]
fn truncated_utf8_sequence_at_the_end_is_refused() {
    let fx = Fx::new();
    let mut bytes = CM.as_bytes().to_vec();
    bytes.extend_from_slice(b"  e: \xc3");
    let (f, out) = fx.inject("trunc.yaml", bytes);
    assert_located(&out, &f, 7, Some(6), None);
    assert_says(&out, &["UTF-8"]);
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units = (if bom { "\u{feff}" } else { "" }).encode_utf16();
    for u in units.chain(text.encode_utf16()) {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

#[test]
fn utf16_le_with_bom_is_refused() {
    let fx = Fx::new();
    let (f, out) = fx.inject("le.yaml", utf16(CM, false, true));
    assert_refused(&out, &f);
    assert_says(&out, &["UTF-16", "UTF-8"]);
}

#[test]
fn utf16_be_with_bom_is_refused() {
    let fx = Fx::new();
    let (f, out) = fx.inject("be.yaml", utf16(CM, true, true));
    assert_refused(&out, &f);
    assert_says(&out, &["UTF-16", "UTF-8"]);
}

#[test]
fn utf16_without_bom_is_refused() {
    // Without a BOM, UTF-16 text is full of NUL bytes: refused as not a text manifest.
    let fx = Fx::new();
    let (f, out) = fx.inject("le-nobom.yaml", utf16(CM, false, false));
    assert_located(&out, &f, 1, Some(2), None);
}

#[test]
fn utf16_on_stdin_is_refused() {
    let fx = Fx::new();
    let config = fx.config();
    let out = run_limited(&["-c", &config], Some(&utf16(CM, false, true)), LIMIT);
    assert_refused(&out, "<stdin>");
    assert_says(&out, &["UTF-16"]);
}

#[test]
fn utf8_bom_is_accepted_and_kept() {
    let fx = Fx::new();
    let pod = agent_pod("  containers:\n  - name: agent\n    image: x\n");
    let (_, out) = fx.inject("bom.yaml", format!("\u{feff}{pod}"));
    assert_ok(&out);
    assert!(out.stdout.starts_with('\u{feff}'), "BOM dropped");
    assert!(!out.stdout[3..].contains('\u{feff}'), "BOM duplicated");
    let v = docs(&out.stdout[3..]);
    assert_eq!(v.len(), 1);
    let env = v[0]["spec"]["containers"][0]["env"].as_array().unwrap();
    assert!(
        env.iter()
            .any(|e| e["name"] == "OTEL_EXPORTER_OTLP_ENDPOINT"),
        "{}",
        out.stdout
    );
}

#[test]
fn utf8_bom_on_the_config_on_json_and_on_stdin_is_accepted() {
    let fx = Fx::new();
    let config = fx.file("config.yaml", format!("\u{feff}{CONFIG}"));
    let json = fx.file(
        "pod.json",
        "\u{feff}{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\",\
         \"labels\":{\"kubeopencode.io/agent\":\"a\"}},\"spec\":{\"containers\":[{\"name\":\"a\"}]}}\n",
    );
    let out = run_limited(&["-c", &config, "-f", &json], None, LIMIT);
    assert_ok(&out);
    assert!(out.stdout.starts_with('\u{feff}'));
    let v: Value = serde_json::from_str(&out.stdout[3..]).unwrap();
    assert!(
        v["spec"]["containers"][0]["env"].is_array(),
        "{}",
        out.stdout
    );

    let out = run_limited(
        &["-c", &config],
        Some(format!("\u{feff}{CM}").as_bytes()),
        LIMIT,
    );
    assert_ok(&out);
    assert_eq!(out.stdout, format!("\u{feff}{CM}"));
}

#[test]
fn a_file_that_is_only_a_bom_passes_through() {
    let fx = Fx::new();
    let (_, out) = fx.inject("bom-only.yaml", "\u{feff}");
    assert_ok(&out);
    assert_eq!(out.stdout, "\u{feff}");
}

#[test]
fn a_bom_inside_a_later_document_is_refused_and_located() {
    let fx = Fx::new();
    let (f, out) = fx.inject("bom2.yaml", format!("{CM}---\n\u{feff}{CM}"));
    assert_located(&out, &f, 8, Some(1), Some(2));
}

#[test]
fn nul_bytes_are_refused_with_their_position() {
    let fx = Fx::new();
    let (f, out) = fx.inject("zero.yaml", format!("{CM}  c: d\0e\n"));
    assert_located(&out, &f, 7, Some(7), None);
    assert_says(&out, &["NUL"]);
}

#[test]
fn a_nul_byte_as_the_first_byte_is_refused() {
    let fx = Fx::new();
    let (f, out) = fx.inject("zero0.yaml", b"\0apiVersion: v1\n");
    assert_located(&out, &f, 1, Some(1), None);
}

// ---------------------------------------------------------------------------------------------
// Tabs and duplicate keys
// ---------------------------------------------------------------------------------------------

#[test]
fn tab_indentation_is_refused_with_a_hint() {
    let fx = Fx::new();
    let (f, out) = fx.inject(
        "indent.yaml",
        "apiVersion: v1\nkind: ConfigMap\ndata:\n\ta: x\n",
    );
    // The parser stops on the tab (column 1) or just after it.
    let (line, col) = first_location(&out.stderr, &f).expect("located");
    assert_eq!(line, 4, "{}", out.stderr);
    assert!(col <= 2, "{}", out.stderr);
    assert_located(&out, &f, 4, Some(col), Some(1));
    assert_says(&out, &["tab", "spaces"]);
}

#[test]
fn tab_indentation_in_a_selected_pod_env_is_refused() {
    let fx = Fx::new();
    let (f, out) = fx.inject(
        "pod-indent.yaml",
        agent_pod("  containers:\n\t- name: agent\n"),
    );
    let (line, _) = first_location(&out.stderr, &f).expect("located");
    assert_eq!(line, 10, "{}", out.stderr);
    assert_says(&out, &["tab"]);
}

#[test]
fn a_megabyte_line_of_non_ascii_items_is_read_in_linear_time() {
    // The anchor sends the document to the full parser, whose positions count characters: each
    // token's byte offset was found from the start of its line, minutes for this line.
    let items = vec!["é"; 250_000].join(", ");
    let fx = Fx::new();
    let (_, out) = fx.inject(
        "wide.yaml",
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: w\nlist: &a [{items}]\n"),
    );
    assert_ok(&out);
    assert!(out.elapsed < LIMIT, "{:?}", out.elapsed);
}

#[test]
fn tab_indentation_after_a_plain_scalar_points_at_the_tab() {
    let fx = Fx::new();
    let (f, out) = fx.inject(
        "indent2.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n  a: x\n\tb: y\n",
    );
    assert_refused(&out, &f);
    assert_says(&out, &["tab"]);
    let (line, _) = first_location(&out.stderr, &f).expect("located");
    assert_eq!(line, 7, "the tab is on line 7:\n{}", out.stderr);
}

#[test]
fn duplicate_keys_are_refused_at_the_second_key() {
    let fx = Fx::new();
    let (f, out) = fx.inject(
        "d1.yaml",
        format!("{CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"),
    );
    assert_located(&out, &f, 12, Some(3), Some(2));
    assert_says(&out, &["duplicate", "name"]);
}

#[test]
fn duplicate_keys_in_a_flow_mapping_are_refused() {
    let fx = Fx::new();
    let (f, out) = fx.inject("d2.yaml", "a: {x: 1, y: 2, x: 3}\n");
    assert_located(&out, &f, 1, Some(17), Some(1));
    assert_says(&out, &["duplicate"]);
}

#[test]
fn duplicate_keys_in_an_env_entry_are_refused() {
    let fx = Fx::new();
    let (f, out) = fx.inject(
        "d3.yaml",
        agent_pod_env("    - name: A\n      value: \"1\"\n      value: \"2\"\n"),
    );
    assert_located(&out, &f, 15, Some(7), Some(1));
    assert_says(&out, &["duplicate", "value"]);
}

#[test]
fn duplicate_keys_that_only_resolve_alike_are_refused() {
    // `1` and `01` are different keys as text; Kubernetes (go-yaml) reads `true`/`yes` alike,
    // but the plain-text duplicate is the one that must never pass silently.
    let fx = Fx::new();
    let (f, out) = fx.inject("dup2.yaml", "metadata:\n  labels:\n    a: x\n    a: y\n");
    assert_located(&out, &f, 4, Some(5), Some(1));
}

// ---------------------------------------------------------------------------------------------
// Wrong shapes where the engine edits
// ---------------------------------------------------------------------------------------------

#[test]
fn containers_as_a_string_is_refused_and_located() {
    let fx = Fx::new();
    let (f, out) = fx.inject("cs.yaml", agent_pod("  containers: \"oops\"\n"));
    assert_located(&out, &f, 9, Some(15), Some(1));
    assert_says(&out, &["containers", "list"]);
}

#[test]
fn containers_as_a_string_in_a_deployment_of_a_list_is_refused() {
    let fx = Fx::new();
    let text = "\
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: d
    labels:
      kubeopencode.io/agent: coder
  spec:
    template:
      spec:
        containers: oops
";
    let (f, out) = fx.inject("list.yaml", format!("{CM}---\n{text}"));
    assert_located(&out, &f, 20, Some(21), Some(2));
    assert_says(&out, &["containers"]);
}

#[test]
fn env_as_a_mapping_is_refused_and_located() {
    let fx = Fx::new();
    let (f, out) = fx.inject("e1.yaml", agent_pod_env("      FOO: bar\n"));
    assert_located(&out, &f, 13, None, Some(1));
    assert_says(&out, &["env", "list", "mapping"]);
}

#[test]
fn env_as_a_string_is_refused_and_located() {
    let fx = Fx::new();
    let pod = agent_pod("  containers:\n  - name: agent\n    env: FOO=bar\n");
    let (f, out) = fx.inject("e2.yaml", pod);
    assert_located(&out, &f, 11, Some(10), Some(1));
    assert_says(&out, &["env", "list"]);
}

#[test]
fn env_entry_without_name_is_refused_and_located() {
    let fx = Fx::new();
    let (f, out) = fx.inject(
        "e3.yaml",
        agent_pod_env("    - name: A\n      value: a\n    - value: bar\n"),
    );
    assert_located(&out, &f, 15, Some(7), Some(1));
    assert_says(&out, &["env[1]", "name"]);
}

#[test]
fn env_entry_that_is_a_scalar_is_refused_and_located() {
    let fx = Fx::new();
    let (f, out) = fx.inject("e4.yaml", agent_pod_env("    - FOO=bar\n"));
    assert_located(&out, &f, 13, Some(7), Some(1));
    assert_says(&out, &["env[0]", "mapping"]);
}

#[test]
fn container_without_name_is_refused_and_located() {
    let fx = Fx::new();
    let (f, out) = fx.inject("c1.yaml", agent_pod("  containers:\n  - image: x\n"));
    assert_located(&out, &f, 10, Some(5), Some(1));
    assert_says(&out, &["name"]);
}

#[test]
fn spec_as_a_list_is_refused_and_located() {
    let fx = Fx::new();
    let (f, out) = fx.inject("s1.yaml", agent_pod("- a\n"));
    assert_located(&out, &f, 9, None, Some(1));
    assert_says(&out, &["spec"]);
}

#[test]
fn env_value_number_is_refused_with_the_quoting_fix() {
    let fx = Fx::new();
    let (f, out) = fx.inject("v1.yaml", agent_pod_env("    - name: A\n      value: 1\n"));
    assert_located(&out, &f, 14, Some(14), Some(1));
    assert_says(&out, &["string", "number", "value: \"1\""]);
}

#[test]
fn env_value_boolean_is_refused_with_the_quoting_fix() {
    let fx = Fx::new();
    let (f, out) = fx.inject(
        "von.yaml",
        agent_pod_env("    - name: A\n      value: on\n"),
    );
    assert_located(&out, &f, 14, Some(14), Some(1));
    assert_says(&out, &["string", "boolean"]);
}

#[test]
fn env_value_octal_and_float_lookalikes_are_refused() {
    for (v, col) in [("0777", 14), ("1.5", 14), ("1e3", 14)] {
        let fx = Fx::new();
        let (f, out) = fx.inject(
            "vnum.yaml",
            agent_pod_env(&format!("    - name: A\n      value: {v}\n")),
        );
        assert_located(&out, &f, 14, Some(col), Some(1));
        assert_says(&out, &["number"]);
    }
}

#[test]
fn env_value_list_or_mapping_is_refused() {
    for v in ["[a]", "{a: b}"] {
        let fx = Fx::new();
        let (f, out) = fx.inject(
            "vcoll.yaml",
            agent_pod_env(&format!("    - name: A\n      value: {v}\n")),
        );
        assert_located(&out, &f, 14, Some(14), Some(1));
    }
}

#[test]
fn env_name_number_is_refused_with_the_quoting_fix() {
    let fx = Fx::new();
    let (f, out) = fx.inject("n5.yaml", agent_pod_env("    - name: 5\n      value: x\n"));
    assert_located(&out, &f, 13, Some(13), Some(1));
    assert_says(&out, &["name", "string", "name: \"5\""]);
}

#[test]
fn env_name_boolean_is_refused() {
    let fx = Fx::new();
    let (f, out) = fx.inject(
        "nyes.yaml",
        agent_pod_env("    - name: yes\n      value: x\n"),
    );
    assert_located(&out, &f, 13, Some(13), Some(1));
    assert_says(&out, &["name", "string"]);
}

#[test]
fn env_name_number_message_shows_the_value_found() {
    let fx = Fx::new();
    let (f, out) = fx.inject("n5b.yaml", agent_pod_env("    - name: 5\n      value: x\n"));
    assert_refused(&out, &f);
    assert_says(&out, &["found the number 5"]);
}

#[test]
fn unselected_pods_with_wrong_shapes_pass_through_unchanged() {
    // Not a KubeOpenCode workload: the tool does not edit it, so it does not judge it either.
    let fx = Fx::new();
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: oops\n";
    let (_, out) = fx.inject("other.yaml", text);
    assert_ok(&out);
    assert_eq!(out.stdout, text);
}

// ---------------------------------------------------------------------------------------------
// Huge input that must work
// ---------------------------------------------------------------------------------------------

#[test]
fn a_20000_entry_env_list_is_injected_in_reasonable_time() {
    let fx = Fx::new();
    let mut env = String::new();
    for i in 0..20_000 {
        env.push_str(&format!("    - name: VAR_{i}\n      value: \"v{i}\"\n"));
    }
    let input = agent_pod_env(&env);
    let (f, out) = fx.inject("huge-env.yaml", &input);
    assert_ok(&out);
    assert!(
        out.stdout.starts_with(&input),
        "the existing entries must be kept byte for byte, the block appended"
    );
    let v = docs(&out.stdout);
    let env = v[0]["spec"]["containers"][0]["env"].as_array().unwrap();
    assert!(env.len() > 20_000);
    assert_eq!(env[19_999]["name"], "VAR_19999");
    assert_eq!(env[20_000]["name"], "OTEL_EXPORTER_OTLP_ENDPOINT");

    // Again on the output: unchanged, and as fast.
    let again = fx.file("again.yaml", &out.stdout);
    let config = fx.config();
    let out2 = run_limited(&["-c", &config, "-f", &again], None, LIMIT);
    assert_ok(&out2);
    assert_eq!(out2.stdout, out.stdout);
    let _ = f;
}

#[test]
fn a_list_of_5000_selected_pods_is_injected() {
    let fx = Fx::new();
    let mut text = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for i in 0..5_000 {
        text.push_str(&format!(
            "- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p{i}\n    namespace: ns\n    labels:\n      kubeopencode.io/agent: a\n  spec:\n    containers:\n    - name: c\n"
        ));
    }
    let (_, out) = fx.inject("list.yaml", text);
    assert_ok(&out);
    let v = docs(&out.stdout);
    let items = v[0]["items"].as_array().unwrap();
    assert_eq!(items.len(), 5_000);
    assert!(items[4_999]["spec"]["containers"][0]["env"].is_array());
}

// ---------------------------------------------------------------------------------------------
// Directories
// ---------------------------------------------------------------------------------------------

#[test]
fn non_manifest_files_in_a_directory_are_ignored() {
    let fx = Fx::new();
    let config = fx.config();
    fx.file("d/a.yaml", CM);
    fx.file("d/notes.txt", "not: [yaml\n");
    fx.file("d/README.md", "# readme\n: : :\n\t\0\u{1}");
    fx.file("d/binary.bin", [0u8, 159, 146, 150, 255]);
    fx.file("d/Makefile", "all:\n\techo\n");
    let out = run_limited(&["-c", &config, "-f", s(&fx.path("d"))], None, LIMIT);
    assert_ok(&out);
    assert_eq!(out.stdout, CM);
}

#[test]
fn a_yaml_file_holding_garbage_in_a_directory_is_refused_and_located() {
    let fx = Fx::new();
    let config = fx.config();
    fx.file("d/a.yaml", CM);
    let bad = fx.file("d/b.yaml", "%% garbage {{{ ]]] : : -\n");
    fx.file("d/c.yaml", CM);
    let out = run_limited(&["-c", &config, "-f", s(&fx.path("d"))], None, LIMIT);
    assert_located(&out, &bad, 1, None, Some(1));
}

#[test]
fn a_yaml_file_holding_binary_garbage_in_a_directory_is_refused_and_located() {
    let fx = Fx::new();
    let config = fx.config();
    fx.file("d/a.yaml", CM);
    let bad = fx.file("d/b.yml", b"\x7fELF\x02\x01\x01\0\0\0garbage\xff");
    let out = run_limited(&["-c", &config, "-R", "-f", s(&fx.path("d"))], None, LIMIT);
    assert_located(&out, &bad, 1, None, None);
}

#[test]
fn a_json_file_holding_garbage_in_a_directory_is_refused_and_located() {
    let fx = Fx::new();
    let config = fx.config();
    let bad = fx.file("d/x.json", "{\"a\": [1, 2,, 3]}\n");
    let out = run_limited(&["-c", &config, "-f", s(&fx.path("d"))], None, LIMIT);
    assert_located(&out, &bad, 1, Some(13), Some(1));
}

#[test]
fn every_bad_file_of_a_directory_is_reported_in_one_run() {
    let fx = Fx::new();
    let config = fx.config();
    let a = fx.file("d/a.yaml", "a: [\n");
    let b = fx.file("d/b.yaml", "\0");
    let c = fx.file("d/sub/c.yaml", "x: 1\nx: 2\n");
    let out = run_limited(&["-c", &config, "-R", "-f", s(&fx.path("d"))], None, LIMIT);
    for f in [&a, &b, &c] {
        assert_refused(&out, f);
    }
}

/// When the test runs as root, a chmod 000 file stays readable; run the binary as `nobody` through
/// `setpriv` when that is possible, else skip (returns None).
fn unprivileged() -> Option<Command> {
    let probe = tempfile::NamedTempFile::new().unwrap();
    set_mode(probe.path(), 0o000);
    if std::fs::read(probe.path()).is_err() {
        return Some(Command::new(bin()));
    }
    let ok = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: running as root and setpriv is not available");
        return None;
    }
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin()]);
    Some(cmd)
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A temporary directory the unprivileged user can enter (tempdir() is private to its owner).
fn shared_fx() -> Fx {
    let fx = Fx::new();
    set_mode(fx.dir.path(), 0o755);
    fx
}

#[test]
fn an_unreadable_file_is_refused_and_named() {
    let Some(cmd) = unprivileged() else { return };
    let fx = shared_fx();
    let config = fx.config();
    let f = fx.file("secret.yaml", CM);
    set_mode(&fx.path("secret.yaml"), 0o000);
    let out = run_as(cmd, &["-c", &config, "-f", &f], None, LIMIT);
    assert_refused(&out, &f);
    assert_says(&out, &["permission denied"]);
}

#[test]
fn an_unreadable_file_in_a_directory_is_refused_and_named() {
    let Some(cmd) = unprivileged() else { return };
    let fx = shared_fx();
    let config = fx.config();
    fx.file("d/a.yaml", CM);
    let f = fx.file("d/b.yaml", CM);
    set_mode(&fx.path("d"), 0o755);
    set_mode(&fx.path("d/b.yaml"), 0o000);
    let out = run_as(cmd, &["-c", &config, "-f", s(&fx.path("d"))], None, LIMIT);
    assert_refused(&out, &f);
    assert_says(&out, &["permission denied"]);
}

#[test]
fn an_unreadable_subdirectory_with_recursion_is_refused_and_named() {
    let Some(cmd) = unprivileged() else { return };
    let fx = shared_fx();
    let config = fx.config();
    fx.file("d/a.yaml", CM);
    fx.file("d/sub/b.yaml", CM);
    set_mode(&fx.path("d"), 0o755);
    set_mode(&fx.path("d/sub"), 0o000);
    let sub = s(&fx.path("d/sub")).to_string();
    let out = run_as(
        cmd,
        &["-c", &config, "-R", "-f", s(&fx.path("d"))],
        None,
        LIMIT,
    );
    set_mode(&fx.path("d/sub"), 0o755);
    assert_refused(&out, &sub);
    assert_says(&out, &["permission denied"]);
}

#[test]
fn a_symlink_loop_with_recursion_is_refused_and_named() {
    let fx = Fx::new();
    let config = fx.config();
    fx.file("d/sub/a.yaml", CM);
    let lp = fx.path("d/sub/loop");
    std::os::unix::fs::symlink("..", &lp).unwrap();
    let out = run_limited(&["-c", &config, "-R", "-f", s(&fx.path("d"))], None, LIMIT);
    assert_refused(&out, s(&lp));
    assert_says(&out, &["symlink loop"]);
}

#[test]
fn a_symlink_to_an_ancestor_with_recursion_is_refused_and_named() {
    let fx = Fx::new();
    let config = fx.config();
    fx.file("d/a/b/c.yaml", CM);
    let lp = fx.path("d/a/b/up");
    std::os::unix::fs::symlink(fx.path("d"), &lp).unwrap();
    let out = run_limited(&["-c", &config, "-R", "-f", s(&fx.path("d"))], None, LIMIT);
    assert_refused(&out, s(&lp));
    assert_says(&out, &["loop"]);
}

#[test]
fn a_file_symlink_cycle_is_refused_and_named() {
    let fx = Fx::new();
    let config = fx.config();
    std::fs::create_dir_all(fx.path("d")).unwrap();
    let a = fx.path("d/a.yaml");
    std::os::unix::fs::symlink("b.yaml", &a).unwrap();
    std::os::unix::fs::symlink("a.yaml", fx.path("d/b.yaml")).unwrap();
    let out = run_limited(&["-c", &config, "-R", "-f", s(&fx.path("d"))], None, LIMIT);
    assert_refused(&out, s(&a));
    assert_says(&out, &["symbolic links"]);
    let out = run_limited(&["-c", &config, "-f", s(&a)], None, LIMIT);
    assert_refused(&out, s(&a));
}

#[test]
fn a_symlink_loop_below_the_top_level_without_recursion_is_not_walked() {
    let fx = Fx::new();
    let config = fx.config();
    fx.file("d/a.yaml", CM);
    std::os::unix::fs::symlink(fx.path("d"), fx.path("d/self")).unwrap();
    let out = run_limited(&["-c", &config, "-f", s(&fx.path("d"))], None, LIMIT);
    assert_ok(&out);
    assert_eq!(out.stdout, CM);
}

fn many_files(fx: &Fx, n: usize) -> String {
    let dir = fx.path("many");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..n {
        std::fs::write(
            dir.join(format!("f{i:06}.yaml")),
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n"),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("z-pod.yaml"),
        agent_pod("  containers:\n  - name: agent\n"),
    )
    .unwrap();
    s(&dir).to_string()
}

fn check_many(n: usize, limit: Duration) {
    let fx = Fx::new();
    let config = fx.config();
    let dir = many_files(&fx, n);
    let out = run_limited(&["-c", &config, "-f", &dir], None, limit);
    assert_ok(&out);
    assert_eq!(out.stdout.matches("kind: ConfigMap").count(), n);
    assert!(out.stdout.contains("name: c0\n"));
    let last = format!("name: c{}\n", n - 1);
    let pod = out.stdout.find("kind: Pod").unwrap();
    assert!(out.stdout.find(&last).unwrap() < pod, "sorted by name");
    assert!(out.stdout[pod..].contains("OTEL_EXPORTER_OTLP_ENDPOINT"));
}

#[test]
fn a_directory_with_10000_files_works() {
    check_many(10_000, Duration::from_secs(60));
}

#[test]
#[ignore = "slow: 100,000 files take about 20 s in a debug build; run with --ignored"]
fn a_directory_with_100000_files_works() {
    check_many(100_000, Duration::from_secs(300));
}

// ---------------------------------------------------------------------------------------------
// Odd but valid input: passed through unchanged
// ---------------------------------------------------------------------------------------------

fn assert_passes_through(name: &str, text: &str) {
    let fx = Fx::new();
    let (_, out) = fx.inject(name, text);
    assert_ok(&out);
    assert_eq!(out.stdout, text, "stderr:\n{}", out.stderr);
}

#[test]
fn an_empty_file_passes_through() {
    assert_passes_through("empty.yaml", "");
}

#[test]
fn a_file_of_blank_lines_is_accepted() {
    // Blank text contributes nothing to the output stream.
    let fx = Fx::new();
    let (_, out) = fx.inject("blank.yaml", "\n\n   \n");
    assert_ok(&out);
    assert_eq!(out.stdout.trim(), "");
}

#[test]
fn a_file_of_only_comments_passes_through() {
    assert_passes_through("comments.yaml", "# only\n# comments\n");
}

#[test]
fn a_file_of_only_separators_passes_through() {
    assert_passes_through("dashes.yaml", "---\n");
    assert_passes_through("dashes2.yaml", "---\n---\n...\n---\n");
}

#[test]
fn a_list_whose_items_is_a_string_passes_through() {
    assert_passes_through("list.yaml", "apiVersion: v1\nkind: List\nitems: \"oops\"\n");
    assert_passes_through("plist.yaml", "apiVersion: v1\nkind: PodList\nitems: oops\n");
}

#[test]
fn a_list_whose_items_are_scalars_passes_through() {
    assert_passes_through(
        "list2.yaml",
        "apiVersion: v1\nkind: List\nitems:\n- 1\n- a\n- null\n",
    );
}

#[test]
fn a_bare_scalar_document_passes_through() {
    assert_passes_through("scalar.yaml", "just a scalar\n");
    assert_passes_through("scalar2.yaml", "--- |\n  literal\n---\n42\n");
}

#[test]
fn a_top_level_sequence_passes_through() {
    assert_passes_through("seq.yaml", "- a\n- kind: Pod\n  spec: {containers: x}\n");
}

#[test]
fn a_top_level_json_array_passes_through() {
    assert_passes_through("arr.json", "[1, {\"kind\": \"Pod\"}]\n");
}

#[test]
fn a_document_without_kind_or_with_a_non_string_kind_passes_through() {
    assert_passes_through("nokind.yaml", "spec:\n  containers: oops\n");
    assert_passes_through("kindnum.yaml", "kind: 5\nspec: {}\n");
    assert_passes_through("kindlist.yaml", "kind: [Pod]\nspec: {}\n");
}

#[test]
fn empty_files_among_others_pass_through() {
    let fx = Fx::new();
    let config = fx.config();
    fx.file("d/a.yaml", "");
    fx.file("d/b.yaml", "# c\n");
    fx.file("d/c.yaml", CM);
    fx.file("d/d.yaml", "---\n");
    let out = run_limited(&["-c", &config, "-f", s(&fx.path("d"))], None, LIMIT);
    assert_ok(&out);
    let v = docs(&out.stdout);
    assert_eq!(v.len(), 1, "{}", out.stdout);
    assert!(out.stdout.contains(CM));
}

#[test]
fn a_yaml_directive_is_accepted_or_clearly_refused() {
    let fx = Fx::new();
    let text = format!("%YAML 1.2\n---\n{CM}");
    let (f, out) = fx.inject("ver.yaml", &text);
    if out.code == 0 {
        assert_eq!(out.stdout, text);
    } else {
        assert_refused(&out, &f);
        assert_says(&out, &["directive"]);
    }
}

#[test]
fn a_hostile_file_among_good_ones_with_in_place_writes_nothing() {
    let fx = Fx::new();
    let config = fx.config();
    let pod = agent_pod("  containers:\n  - name: agent\n");
    let good = fx.file("d/a.yaml", &pod);
    let bad = fx.file(
        "d/b.yaml",
        format!("a: {}x{}\n", "[".repeat(DEEP), "]".repeat(DEEP)),
    );
    let out = run_limited(
        &["-c", &config, "-f", s(&fx.path("d")), "--in-place"],
        None,
        LIMIT,
    );
    assert_located(&out, &bad, 1, None, Some(1));
    assert_eq!(
        std::fs::read_to_string(&good).unwrap(),
        pod,
        "a file was rewritten"
    );
    let names: Vec<_> = std::fs::read_dir(fx.path("d"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "temporary files left behind: {names:?}");
}
