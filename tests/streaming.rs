//! The pipe reads large inputs a window at a time, in two passes. These tests compare it with the
//! whole-input path (`--in-place`, which reads every file whole) on streams of several windows,
//! with the context the first pass learns (Tasks, Agents) placed at the end of the stream, where
//! it is needed by workloads of the first window.

mod common;

/// Small windows, so that the streams of these tests (a few hundred KB, quick in a debug build)
/// span several.
const WINDOW_BYTES: usize = 64 << 10;

fn run(args: &[&str], stdin: Option<&str>) -> common::Output {
    let window = WINDOW_BYTES.to_string();
    common::run_env(
        args,
        stdin,
        &[("KUBEOPENCODE_INJECT_WINDOW_BYTES", &window)],
    )
}

const CASE: &str = "testdata/conformance/cases/stream-multi-workload";

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// A stream of several windows: the case's workloads first, filler, then the Tasks and Agents
/// they refer to.
fn big_stream(windows: usize, mut extra: impl FnMut(usize) -> Option<String>) -> String {
    let mut s = read(&format!("{CASE}/input.yaml"));
    let mut i = 0;
    while s.len() < windows * WINDOW_BYTES {
        s.push_str("---\n");
        if let Some(doc) = extra(i) {
            s.push_str(&doc);
        } else if i % 3 == 0 {
            s.push_str(&format!(
                "# filler {i}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: team-a\ndata:\n  a.conf: |\n    x = {i}\n    ---not a separator\n  b: 'on'\n"
            ));
        } else if i % 3 == 1 {
            s.push_str(&format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: coder-{i}-server\n  namespace: team-a\n  labels:\n    kubeopencode.io/agent: coder\nspec:\n  template:\n    spec:\n      containers:\n      - name: opencode-server\n        image: x\n        env:\n        - name: A\n          value: \"{i}\"\n"
            ));
        } else {
            s.push_str(&format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: task-{i}-pod\n  namespace: team-a\n  labels:\n    kubeopencode.io/task: fix-tests\nspec:\n  containers:\n  - name: agent\n    image: x\n"
            ));
        }
        i += 1;
    }
    s.push_str("---\n");
    s.push_str(&read(&format!("{CASE}/sources.yaml")));
    s
}

/// Equal texts, or a panic naming the first line that differs (the texts are long).
fn same_lines(a: &str, b: &str) {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        assert!(x == y, "line {}: {x:?} != {y:?}", i + 1);
    }
    assert_eq!(a.lines().count(), b.lines().count(), "line counts differ");
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        Dir(tempfile::tempdir().unwrap())
    }
    fn write(&self, name: &str, text: &str) -> String {
        let p = self.0.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    }
}

#[test]
fn windows_give_what_the_whole_input_gives() {
    let text = big_stream(3, |_| None);
    assert!(text.len() > 3 * WINDOW_BYTES);
    let dir = Dir::new();
    let config = format!("{CASE}/config.yaml");
    let file = dir.write("stream.yaml", &text);
    let whole = dir.write("whole.yaml", &text);

    let piped = run(&["-c", &config, "-f", &file], None);
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    let stdin = run(&["-c", &config], Some(&text));
    assert_eq!(stdin.code, 0, "{}", stdin.stderr);
    let in_place = run(&["-c", &config, "--in-place", "-f", &whole], None);
    assert_eq!(in_place.code, 0, "{}", in_place.stderr);

    let expected = read(&whole);
    assert_ne!(expected, text, "the stream must change");
    assert!(
        piped.stdout == expected,
        "file: the pipe differs from the whole-input path"
    );
    assert!(
        stdin.stdout == expected,
        "stdin: the pipe differs from the whole-input path"
    );
    // --in-place report lines name their file (issue 14); otherwise the reports are the same.
    let in_place_report = in_place.stderr.replace(&format!("{whole}: "), "");
    same_lines(
        &piped.stderr.replace(&file, "F"),
        &in_place_report.replace(&whole, "F"),
    );
    same_lines(&stdin.stderr, &in_place_report.replace(&whole, "<stdin>"));
    // The Task at the end of the stream named the agent of the Pods of the first window.
    let first_pod = expected.find("name: task-2-pod").unwrap();
    let after = &expected[first_pod..first_pod + 3000];
    assert!(after.contains("kubeopencode.agent.name=coder"), "{after}");
}

/// Stdin gives what a file gives whatever the window size, the window ending where a document
/// does among them: stdin is copied window by window for its second reading, except a stdin that
/// is one kept window, and a window that ends the kept part exactly must still be copied.
#[test]
fn stdin_gives_what_a_file_gives_at_every_window_size() {
    let text = read(&format!("{CASE}/input.yaml"));
    let config = format!("{CASE}/config.yaml");
    let dir = Dir::new();
    let file = dir.write("input.yaml", &text);
    let starts: Vec<usize> = text.match_indices("\n---\n").map(|(i, _)| i + 1).collect();
    assert!(starts.len() >= 3, "the case has several documents");
    // Around every document start, and sizes that hold the whole input or not.
    let mut sizes: Vec<usize> = starts.iter().flat_map(|&s| [s - 1, s, s + 1]).collect();
    sizes.extend([1, 64, text.len() - 1, text.len(), text.len() + 1, 1 << 20]);
    let whole = common::run(&["-c", &config, "-f", &file], None);
    assert_eq!(whole.code, 0, "{}", whole.stderr);
    for size in sizes {
        let window = size.to_string();
        let env = [("KUBEOPENCODE_INJECT_WINDOW_BYTES", window.as_str())];
        let from_file = common::run_env(&["-c", &config, "-f", &file], None, &env);
        let from_stdin = common::run_env(&["-c", &config], Some(&text), &env);
        assert_eq!(from_file.code, 0, "window {size}: {}", from_file.stderr);
        assert_eq!(from_stdin.code, 0, "window {size}: {}", from_stdin.stderr);
        assert!(
            from_file.stdout == whole.stdout,
            "window {size}: the file's output changed"
        );
        assert!(
            from_stdin.stdout == whole.stdout,
            "window {size}: stdin differs from the file"
        );
    }
}

#[test]
fn several_inputs_join_as_before() {
    let text = big_stream(2, |_| None);
    let dir = Dir::new();
    let config = format!("{CASE}/config.yaml");
    let a = dir.write("a.yaml", &text);
    let b = dir.write("b.yaml", "\u{feff}# only a comment, no newline at the end");
    let c = dir.write("c.yaml", &text[..text.len() - 1]);
    let out = run(&["-c", &config, "-f", &a, "-f", &b, "-f", &c], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The same files, rewritten one by one by the whole-input path, then joined as kubectl reads
    // several files: a `---` line between them, the BOM dropped.
    let wa = dir.write("wa.yaml", &text);
    let wc = dir.write("wc.yaml", &text[..text.len() - 1]);
    let in_place = run(&["-c", &config, "--in-place", "-f", &wa, "-f", &wc], None);
    assert_eq!(in_place.code, 0, "{}", in_place.stderr);
    let expected = format!(
        "{}---\n# only a comment, no newline at the end\n---\n{}",
        read(&wa),
        read(&wc)
    );
    assert!(out.stdout == expected, "the joined output differs");
}

/// Runs the pipe and the whole-input path on a stream with an extra document at position `at`.
fn both_fail(at: usize, doc: &str) -> String {
    let text = big_stream(4, |i| (i == at).then(|| doc.to_string()));
    let pos = text.find(doc).expect("the document is in the stream");
    assert!(
        pos > 2 * WINDOW_BYTES,
        "the document must be in a later window"
    );
    let dir = Dir::new();
    let config = format!("{CASE}/config.yaml");
    let file = dir.write("stream.yaml", &text);
    let whole = dir.write("whole.yaml", &text);
    let piped = run(&["-c", &config, "-f", &file], None);
    assert_eq!(piped.code, 2);
    assert_eq!(piped.stdout, "", "nothing is written when a run fails");
    let in_place = run(&["-c", &config, "--in-place", "-f", &whole], None);
    assert_eq!(in_place.code, 2);
    assert_eq!(read(&whole), text);
    // The same messages, at the same lines and documents of the input.
    let piped = piped.stderr.replace(&file, "F");
    same_lines(&piped, &in_place.stderr.replace(&whole, "F"));
    piped
}

#[test]
fn a_workload_error_in_a_later_window_writes_nothing() {
    // Found by the second pass, after earlier windows were rendered.
    let doc = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\n  namespace: team-a\n  labels:\n    kubeopencode.io/task: fix-tests\nspec:\n  containers:\n  - name: agent\n    env: {A: b}\n";
    let stderr = both_fail(1200, doc);
    assert!(stderr.contains("`env` must be a list"), "{stderr}");
}

#[test]
fn a_syntax_error_in_a_later_window_is_located_in_the_input() {
    let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n  labels: {a: b\n";
    let stderr = both_fail(1200, doc);
    assert!(stderr.contains("invalid YAML"), "{stderr}");
}

#[test]
fn a_syntax_error_in_a_workload_of_a_later_window_fails_every_front_end() {
    // The first pass reads only a workload's kind: its syntax is checked when the second pass
    // parses it, and that must fail the run as the first pass would have.
    let doc = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: broken\n  namespace: team-a\nspec:\n  replicas: 1\n bad: [\n";
    let stderr = both_fail(1200, doc);
    assert!(stderr.contains("error[yaml-syntax]"), "{stderr}");
    let text = big_stream(4, |i| (i == 1200).then(|| doc.to_string()));
    let config = format!("{CASE}/config.yaml");
    for args in [
        vec!["diff", "-c", &config],
        vec!["check", "-c", &config],
        vec!["-o", "json", "-c", &config],
    ] {
        let out = run(&args, Some(&text));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{args:?}: nothing is written");
        assert!(
            out.stderr.contains("error[yaml-syntax]"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn the_diff_of_several_windows_applies_and_gives_the_pipe_output() {
    let text = big_stream(3, |_| None);
    let dir = Dir::new();
    let config = format!("{CASE}/config.yaml");
    let file = dir.write("stream.yaml", &text);
    let piped = run(&["-c", &config, "-f", &file], None);
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    // Run from the directory, so that the patch names the file relative to it.
    let diff = {
        let out = std::process::Command::new(common::bin())
            .args(["diff", "--color", "never", "-c"])
            .arg(std::fs::canonicalize(&config).unwrap())
            .args(["-f", "stream.yaml"])
            .env("KUBEOPENCODE_INJECT_WINDOW_BYTES", WINDOW_BYTES.to_string())
            .current_dir(dir.0.path())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(diff.matches("\n@@ ").count() > 10, "{diff}");
    dir.write("changes.patch", &diff);
    let apply = std::process::Command::new("git")
        .args(["apply", "changes.patch"])
        .current_dir(dir.0.path())
        .env("GIT_CEILING_DIRECTORIES", dir.0.path().parent().unwrap())
        .output()
        .unwrap();
    assert!(
        apply.status.success(),
        "{}",
        String::from_utf8_lossy(&apply.stderr)
    );
    assert!(
        read(&file) == piped.stdout,
        "the patched file differs from the pipe's output"
    );
}
