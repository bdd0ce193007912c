//! The YAML fast path (`yaml::fast::parse`) against the full parser (`yaml::tree::parse_full`),
//! and the engine reading a tree in place against reading its converted value.
//!
//! The contracts: whenever the fast path returns a document, the full parser succeeds on the same
//! text and returns an equal tree (every span, style and value); and whenever a tree reads in
//! place (`yaml::tree::reads_in_place`), its conversion succeeds, every node answers the engine's
//! questions as its value does, and the engine's plans are equal (`api::check_in_place`); and
//! `check`'s workload lints read a document before its edit as they read it edited
//! (`api::check_lints_as_applied`). All are checked on
//! - every document of every YAML file under `testdata/` (and the fast path must take every
//!   document of the benchmark sample and of the conformance inputs);
//! - seeded random edits of those documents (one to three characters inserted, deleted or
//!   replaced, from the characters that matter to YAML);
//! - the committed fuzz corpus;
//! - random YAML-shaped documents (proptest) written in the styles the fast path reads and in a
//!   few it does not, and short random texts over YAML's significant characters.
//!
//! `FAST_PARSE_MUTATIONS=N` changes the number of mutations per document (default 100), and
//! `FAST_PARSE_CASES=N` the number of generated documents (default 3000), `FAST_PARSE_RANDOM=N`
//! the number of random texts (default 2000), `FAST_PARSE_SEED=N` the mutations' seed.

mod common;

use std::path::{Path, PathBuf};

use kubeopencode_inject::api::{self, split_yaml};
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, TestRunner};

// ---------------------------------------------------------------------------------------------
// The contract (`api::check_fast_path`)
// ---------------------------------------------------------------------------------------------

/// Whether the fast path took the document, or a description of a violation of either contract.
fn check(text: &str) -> Result<bool, String> {
    // A tree that reads in place has its lints checked on the tree by `check_in_place`; any
    // other document on its value.
    if !api::check_in_place(text)? {
        api::check_lints_as_applied(text)?;
    }
    api::check_fast_path(text, None)
}

// ---------------------------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------------------------

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// Every document of every YAML file under testdata/ (UTF-8 files only, BOM stripped as the
/// caller of the parser does): (file, document text).
fn corpus() -> Vec<(String, String)> {
    let mut files = Vec::new();
    walk(&root().join("testdata"), &mut files);
    let mut docs = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let name = f.strip_prefix(root()).unwrap().display().to_string();
        for chunk in split_yaml(text) {
            docs.push((name.clone(), text[chunk.range].to_string()));
        }
    }
    docs
}

/// The same document with CRLF line ends, and without its final line break.
fn variants(text: &str) -> [String; 2] {
    [
        text.replace("\r\n", "\n").replace('\n', "\r\n"),
        text.strip_suffix('\n').unwrap_or(text).to_string(),
    ]
}

fn corpus_documents_with_fallbacks() -> (Vec<(String, String)>, Vec<String>) {
    let docs = corpus();
    let mut failures = Vec::new();
    let mut fallbacks = Vec::new();
    for (name, text) in &docs {
        match check(text) {
            Ok(true) => {}
            Ok(false) => fallbacks.push(name.clone()),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
        for v in variants(text) {
            if let Err(e) = check(&v) {
                failures.push(format!("{name} (variant): {e}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} contract violations:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    (docs, fallbacks)
}

#[test]
fn fast_path_agrees_with_the_full_parser_on_testdata() {
    let (docs, fallbacks) = corpus_documents_with_fallbacks();
    assert!(
        docs.len() > 200,
        "the corpus is missing ({} documents)",
        docs.len()
    );
    eprintln!(
        "{} documents, {} took the fast path, {} fell back:",
        docs.len(),
        docs.len() - fallbacks.len(),
        fallbacks.len()
    );
    let mut counts: Vec<(String, usize)> = Vec::new();
    for f in &fallbacks {
        match counts.iter_mut().find(|(n, _)| n == f) {
            Some((_, c)) => *c += 1,
            None => counts.push((f.clone(), 1)),
        }
    }
    for (f, c) in counts {
        eprintln!("  {f}: {c}");
    }
}

/// The in-place contract is not checked on nothing: most documents of the corpus read in place
/// (the rest have anchors, tags, merge keys, non-string keys or do not parse), and a document
/// that differs only by what the conversion reads otherwise does not.
#[test]
fn most_documents_read_in_place() {
    let docs = corpus();
    let read = docs
        .iter()
        .filter(|(name, text)| api::check_in_place(text).unwrap_or_else(|e| panic!("{name}: {e}")))
        .count();
    eprintln!("{read} of {} documents read in place", docs.len());
    assert!(read * 10 > docs.len() * 8, "{read} of {}", docs.len());
    for text in [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "<<: {a: 1}\nb: 2\n",
        "1: a\n",
        "true: a\n",
        "a: .inf\n",
        "a: -.Inf\n",
        "a: [+.INF]\n",
        "a: .NaN\n",
        "- .inf\n",
        "a:\n- b\n- -.inf\n",
        "a: {b: .nan}\n",
        "a: {1: b}\n",
        "- {true: b}\n",
        "? [a]\n: b\n",
    ] {
        assert_eq!(api::check_in_place(text), Ok(false), "{text:?}");
    }
    for text in [
        "a: 1\n",
        "\"1\": a\n",
        "a: [1, {b: c}]\n",
        "a: inf\n",
        "a: 1e999\n",
        "a: -1e999\n",
        "a: .5\n",
    ] {
        assert_eq!(api::check_in_place(text), Ok(true), "{text:?}");
    }
}

/// The documents the fast path is for must take it: the benchmark sample (made by
/// `scripts/gen_stream.py 60`), the inputs of the conformance cases, and the catalogue of shapes
/// it reads (`testdata/fastpath/shapes.yaml`), also with CRLF line ends.
#[test]
fn realistic_documents_take_the_fast_path() {
    let mut inputs = vec![
        root().join("testdata/bench/sample.yaml"),
        root().join("testdata/fastpath/shapes.yaml"),
    ];
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root().join("testdata/conformance/cases"))
        .unwrap()
        .map(|e| e.unwrap().path().join("input.yaml"))
        .filter(|p| p.is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 5);
    inputs.extend(cases);
    let mut fell_back = Vec::new();
    let mut n = 0;
    for f in &inputs {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, chunk) in split_yaml(&text).into_iter().enumerate() {
            let doc = &text[chunk.range];
            let crlf = doc.replace('\n', "\r\n");
            for (doc, how) in [(doc, ""), (&crlf[..], " (CRLF)")] {
                n += 1;
                match check(doc) {
                    Ok(true) => {}
                    Ok(false) => fell_back.push(format!(
                        "{} document {} (line {}){how}:\n{doc}",
                        f.display(),
                        i + 1,
                        chunk.line
                    )),
                    Err(e) => panic!("{}: {e}", f.display()),
                }
            }
        }
    }
    assert!(n >= 120, "only {n} documents");
    assert!(
        fell_back.is_empty(),
        "{} of {n} documents fell back to the full parser:\n{}",
        fell_back.len(),
        fell_back.join("\n")
    );
}

#[test]
fn bench_sample_is_the_generators_output() {
    // The sample is checked in so the test needs no Python; make sure it is what the generator
    // writes, when Python is there to ask.
    let Ok(out) = std::process::Command::new("python3")
        .arg(root().join("scripts/gen_stream.py"))
        .arg("60")
        .output()
    else {
        eprintln!("python3 not available: skipped");
        return;
    };
    if !out.status.success() {
        eprintln!("python3 failed: skipped");
        return;
    }
    let sample = std::fs::read(root().join("testdata/bench/sample.yaml")).unwrap();
    assert!(
        out.stdout == sample,
        "testdata/bench/sample.yaml is stale: regenerate it with scripts/gen_stream.py 60"
    );
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

/// SplitMix64: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const EDIT_CHARS: &[&str] = &[
    " ", " ", " ", "-", ":", "#", "'", "\"", "|", ">", "[", "]", "{", "}", ",", "\n", "\t", "&",
    "*", "!", "?", "\\", "%", "@", "a", "Z", "0", "é", "\r\n", "\r", "- ", ": ", "  ", "...",
    "---", "|-", "|+", "|2", "\\n", "\\u00e9", "''", "x: y", "\u{feff}", "\u{2028}",
];

fn char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Applies one to three random edits; positions favour line starts, where indentation lives.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut t = text.to_string();
    for _ in 0..1 + rng.below(3) {
        let mut at = char_boundary(&t, rng.below(t.len() + 1));
        if rng.below(3) == 0 {
            let starts: Vec<usize> = std::iter::once(0)
                .chain(t.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            at = starts[rng.below(starts.len())];
        }
        let next = t[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        let with = EDIT_CHARS[rng.below(EDIT_CHARS.len())];
        match rng.below(3) {
            0 => t.insert_str(at, with),
            1 => t.replace_range(at..next, ""),
            _ => t.replace_range(at..next, with),
        }
    }
    t
}

fn mutations_per_document() -> usize {
    std::env::var("FAST_PARSE_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

#[test]
fn mutated_documents_keep_the_contract() {
    let per_doc = mutations_per_document();
    let mut docs: Vec<(String, String)> = corpus();
    // Large documents cost the full parser time and add few new shapes.
    docs.retain(|(_, t)| t.len() <= 8 << 10);
    docs.sort_by(|a, b| a.1.cmp(&b.1));
    docs.dedup_by(|a, b| a.1 == b.1);
    let seed = std::env::var("FAST_PARSE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_fa57);
    let mut rng = Rng(seed);
    let (mut total, mut accepted) = (0usize, 0usize);
    let mut failures = Vec::new();
    for (name, text) in &docs {
        let crlf = text.replace('\n', "\r\n");
        for i in 0..per_doc {
            let base = if i % 4 == 3 { &crlf } else { text };
            let m = mutate(base, &mut rng);
            total += 1;
            match check(&m) {
                Ok(true) => accepted += 1,
                Ok(false) => {}
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
    }
    eprintln!(
        "{} documents, {total} mutations, {accepted} taken by the fast path",
        docs.len()
    );
    failures.truncate(5);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        accepted > total / 10,
        "the fast path took only {accepted} of {total} mutations"
    );
}

/// libyaml, and so kubectl, refuses a `:` before `,` `?` `[` `]` `{` `}` inside a flow
/// collection ("found unexpected ':'"); the fast path once read `http:?/x` as a plain scalar.
#[test]
fn a_colon_before_a_flow_indicator_is_the_full_parsers_to_refuse() {
    for text in [
        "a: {b: http:?/x}\n",
        "a: [x:, y]\n",
        "a: [x:]\n",
        "a: {b: c:{d}}\n",
        "a: {b: http://x, c: d}\n",
    ] {
        if let Err(e) = check(text) {
            panic!("{text:?}: {e}");
        }
    }
}

#[test]
fn tight_limits_keep_the_contract() {
    // With a small depth limit the full parser fails on deep documents: the fast path must not
    // accept them.
    for (name, text) in corpus() {
        for max_depth in [1, 2, 3, 5] {
            if let Err(e) = api::check_fast_path(&text, Some(max_depth)) {
                panic!("{name}, max_depth {max_depth}: {e}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The fuzz corpus
// ---------------------------------------------------------------------------------------------

#[test]
fn fuzz_corpus_keeps_the_contract() {
    let files = common::corpus_files();
    assert!(files.len() >= 10, "the committed corpus is missing");
    let mut rng = Rng(7);
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        for chunk in split_yaml(text) {
            let doc = &text[chunk.range];
            if let Err(e) = check(doc) {
                panic!("{}: {e}", f.display());
            }
            for _ in 0..20 {
                if let Err(e) = check(&mutate(doc, &mut rng)) {
                    panic!("{} (mutated): {e}", f.display());
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generated documents
// ---------------------------------------------------------------------------------------------

/// A YAML node of the generator; scalars are already written tokens.
#[derive(Debug, Clone)]
enum Y {
    Scalar(String),
    Map(Vec<(String, Y)>),
    Seq(Vec<Y>),
    /// A block scalar: its header (`|`, `|-`, `|+2`, ...) and lines (relative indentation kept).
    Block(String, Vec<String>),
    /// A flow collection, already written (`[a, "b"]`, `{x: y}`).
    Flow(String),
}

/// How to write the document.
#[derive(Debug, Clone)]
struct Layout {
    indent: usize,
    seq_indented: bool,
    dash_pad: usize,
    crlf: bool,
    explicit_start: bool,
    final_newline: bool,
}

const SCALARS: &[&str] = &[
    "x",
    "hello world",
    "/bin/sh",
    "ghcr.io/a/b:v1",
    "http://x:4318",
    "4Gi",
    "0777",
    "-1",
    "~",
    "null",
    "true",
    "a=b,c=d",
    "x#y",
    "a:b",
    "é ü",
    "'single'",
    "'it''s'",
    "''",
    "\"double\"",
    "\"\"",
    "\"esc \\\" \\\\ \\n \\t \\/ \\u00e9 \\x41\"",
    "\"a: b #c\"",
    "'{\"*\": \"allow\"}'",
    "[a, b]",
    "{}",
    "[]",
    // Outside the fast path's subset (the full parser must still agree when it takes them).
    "&a x",
    "*a",
    "!!str x",
    "? x",
    ">- x",
];

const KEYS: &[&str] = &[
    "name",
    "image",
    "value",
    "env",
    "a",
    "b",
    "app.kubernetes.io/name",
    "\"quoted key\"",
    "'single'",
    "<<",
    "x y",
    "k:v",
    "-k",
];

fn leaf() -> impl Strategy<Value = Y> {
    prop_oneof![
        8 => prop::sample::select(SCALARS).prop_map(|s| Y::Scalar(s.to_string())),
        1 => Just(Y::Scalar(String::new())),
        2 => (
            prop::sample::select(&["|", "|-", "|+", "|2", "|-1", "| # c", ">", ">-", ">+2"][..]),
            prop::collection::vec(
                prop::sample::select(&["line", "  more", "", "# not a comment", "  ", "x: y", "next"][..]),
                0..4
            )
        )
            .prop_map(|(h, ls)| Y::Block(h.to_string(), ls.into_iter().map(String::from).collect())),
        1 => prop::sample::select(
            &["[\"sh\", \"-c\", \"x\"]", "{memory: 4Gi}", "[ a , b ]", "{a: 'b', \"c\": d}", "[]", "{ }", "[a, [b]]", "[a,]"][..]
        )
        .prop_map(|s| Y::Flow(s.to_string())),
    ]
}

fn tree() -> impl Strategy<Value = Y> {
    leaf().prop_recursive(5, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec((prop::sample::select(KEYS), inner.clone()), 1..5)
                .prop_map(|es| Y::Map(es.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
            prop::collection::vec(inner, 1..4).prop_map(Y::Seq),
        ]
    })
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        2usize..5,
        any::<bool>(),
        1usize..4,
        prop::bool::weighted(0.2),
        any::<bool>(),
        prop::bool::weighted(0.9),
    )
        .prop_map(
            |(indent, seq_indented, dash_pad, crlf, explicit_start, final_newline)| Layout {
                indent,
                seq_indented,
                dash_pad,
                crlf,
                explicit_start,
                final_newline,
            },
        )
}

/// Writes a node that follows `head` (a key with its colon, or nothing at the top).
fn write_value(head: &str, v: &Y, col: usize, l: &Layout, out: &mut Vec<String>) {
    let sep = if head.is_empty() { "" } else { " " };
    match v {
        Y::Scalar(s) => out.push(format!("{head}{sep}{s}")),
        Y::Flow(s) => out.push(format!("{head}{sep}{s}")),
        Y::Block(h, lines) => {
            out.push(format!("{head}{sep}{h}"));
            let body = col + l.indent.max(2);
            for t in lines {
                if t.is_empty() {
                    out.push(String::new());
                } else {
                    out.push(format!("{}{t}", " ".repeat(body)));
                }
            }
        }
        Y::Map(es) => {
            if !head.is_empty() {
                out.push(head.to_string());
            }
            let c = if head.is_empty() { col } else { col + l.indent };
            write_map(es, c, l, out);
        }
        Y::Seq(items) => {
            if !head.is_empty() {
                out.push(head.to_string());
            }
            let c = if head.is_empty() || !l.seq_indented {
                col
            } else {
                col + l.indent
            };
            write_seq(items, c, l, out);
        }
    }
}

fn write_map(es: &[(String, Y)], col: usize, l: &Layout, out: &mut Vec<String>) {
    for (k, v) in es {
        write_value(&format!("{}{k}:", " ".repeat(col)), v, col, l, out);
    }
}

fn write_seq(items: &[Y], col: usize, l: &Layout, out: &mut Vec<String>) {
    let lead = format!("{}-{}", " ".repeat(col), " ".repeat(l.dash_pad));
    let inner = col + 1 + l.dash_pad;
    for item in items {
        match item {
            Y::Map(es) if !es.is_empty() => {
                let start = out.len();
                write_map(es, inner, l, out);
                out[start] = format!("{lead}{}", &out[start][inner..]);
            }
            Y::Seq(inner_items) if !inner_items.is_empty() => {
                let start = out.len();
                write_seq(inner_items, inner, l, out);
                out[start] = format!("{lead}{}", &out[start][inner..]);
            }
            _ => {
                let mut lines = Vec::new();
                write_value("", item, inner, l, &mut lines);
                if let Some(first) = lines.first_mut() {
                    *first = format!("{lead}{first}");
                }
                out.extend(lines);
            }
        }
    }
}

fn render(doc: &Y, l: &Layout, comments: &[(usize, u8)]) -> String {
    let mut lines = Vec::new();
    write_value("", doc, 0, l, &mut lines);
    // Comments and blank lines between lines, and trailing comments (which may land inside block
    // scalars: that is content, and a test of the fast path too).
    for &(at, what) in comments.iter().rev() {
        let at = at % (lines.len() + 1);
        match what {
            0 => lines.insert(at, String::new()),
            1 => lines.insert(at, "# comment".into()),
            2 => lines.insert(at, "    # indented comment".into()),
            _ => {
                if let Some(line) = lines.get_mut(at) {
                    line.push_str(" # trailing");
                }
            }
        }
    }
    let eol = if l.crlf { "\r\n" } else { "\n" };
    let mut text = String::new();
    if l.explicit_start {
        text.push_str("---");
        text.push_str(eol);
    }
    text.push_str(&lines.join(eol));
    if l.final_newline {
        text.push_str(eol);
    }
    text
}

#[test]
fn generated_documents_keep_the_contract() {
    let cases: u32 = std::env::var("FAST_PARSE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let mut runner = TestRunner::new(PtConfig {
        cases,
        failure_persistence: None,
        ..PtConfig::default()
    });
    let accepted = std::cell::Cell::new(0usize);
    let strategy = (
        tree(),
        layout(),
        prop::collection::vec((0usize..1000, 0u8..5), 0..4),
    );
    runner
        .run(&strategy, |(doc, l, comments)| {
            let text = render(&doc, &l, &comments);
            match check(&text) {
                Ok(took) => {
                    if took {
                        accepted.set(accepted.get() + 1);
                    }
                    Ok(())
                }
                Err(e) => Err(TestCaseError::fail(e)),
            }
        })
        .unwrap();
    eprintln!(
        "{cases} generated documents, {} took the fast path",
        accepted.get()
    );
    assert!(
        accepted.get() > cases as usize / 10,
        "the fast path took only {}",
        accepted.get()
    );
}

/// Short random texts over the characters that matter to YAML, a few per line: mostly rejected,
/// but the ones the fast path takes must agree with the full parser.
#[test]
fn random_texts_keep_the_contract() {
    let cases: u32 = std::env::var("FAST_PARSE_RANDOM")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let mut runner = TestRunner::new(PtConfig {
        cases,
        failure_persistence: None,
        ..PtConfig::default()
    });
    let line = "( {0,4})([-:|>]? ?)[a-b0 :#'\"|>\\-\\[\\]{},&*!?é\\\\]{0,12}";
    let strategy = prop::collection::vec(line, 0..8);
    let accepted = std::cell::Cell::new(0usize);
    runner
        .run(&strategy, |lines| {
            let text = lines.join("\n");
            match check(&text) {
                Ok(took) => {
                    accepted.set(accepted.get() + usize::from(took));
                    Ok(())
                }
                Err(e) => Err(TestCaseError::fail(e)),
            }
        })
        .unwrap();
    eprintln!(
        "{cases} random texts, {} took the fast path",
        accepted.get()
    );
}

/// The lints read an entry whose value the edit rewrites (OPENCODE_CONFIG_CONTENT merged with
/// the LLM flag) as rewritten: the merge drops the first of two `model` keys, and with it a
/// `$(MODEL)` that nothing defines, which the lints would otherwise report.
#[test]
fn lints_read_a_merged_config_content_as_merged() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  containers:\n  - name: c\n    env:\n    - name: OPENCODE_CONFIG_CONTENT\n      value: '{\"model\":\"$(MODEL)\",\"model\":\"x\"}'\n";
    assert_eq!(api::check_in_place(text), Ok(true));
    assert_eq!(api::check_lints_as_applied(text), Ok(()));
}
