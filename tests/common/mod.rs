//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kubeopencode_inject::api::{parse_document, split_yaml};
use serde_json::Value;

/// An enabled KubeOpenCodeConfig with only an endpoint (ends with the `openTelemetry:` mapping's
/// last line, so tests can append keys at its indentation).
pub const CONFIG: &str = "\
apiVersion: kubeopencode.io/v1alpha1
kind: KubeOpenCodeConfig
metadata:
  name: cluster
spec:
  observability:
    openTelemetry:
      enabled: true
      endpoint: http://otel:4318
";

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_kubeopencode-inject")
}

/// Runs the binary with arguments and optional stdin, with colour off.
pub fn run(args: &[&str], stdin: Option<&str>) -> Output {
    run_env(args, stdin, &[])
}

pub fn run_env(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn the binary");
    {
        let mut sin = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            // The child may exit early on an error; a broken pipe is fine then.
            let _ = sin.write_all(s.as_bytes());
        }
    }
    let out = child.wait_with_output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A `---` document start marker line, or a line that starts with one (`--- |`): `---` followed by
/// white space or the end of the line.
pub fn is_start_marker(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

/// The non-empty documents of a YAML stream, parsed.
pub fn docs(text: &str) -> Vec<Value> {
    split_yaml(text)
        .into_iter()
        .map(|c| parse_document(&text[c.range]).unwrap().into_value())
        .filter(|v| !v.is_null())
        .collect()
}

pub fn write_temp(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

pub fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

/// The committed fuzz corpus, sorted.
pub fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/stream");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// The non-empty documents of a YAML stream, parsed, or the first parse error (never panics).
/// JSON text (a single value or a concatenated stream) is read with serde_json, as kubectl would.
pub fn try_docs(text: &str) -> Result<Vec<Value>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'[')) {
        let stream: Result<Vec<Value>, _> = serde_json::Deserializer::from_str(text)
            .into_iter::<Value>()
            .collect();
        if let Ok(values) = stream {
            return Ok(values.into_iter().filter(|v| !v.is_null()).collect());
        }
    }
    let mut out = Vec::new();
    for c in split_yaml(text) {
        let (start, end) = (c.range.start, c.range.end);
        match parse_document(&text[c.range]).map(|d| d.into_value()) {
            Ok(v) if v.is_null() => {}
            Ok(v) => out.push(v),
            Err(e) => return Err(format!("bytes {start}..{end}: {e}")),
        }
    }
    Ok(out)
}

/// What a run of a program gave, as bytes.
pub struct RawOutput {
    /// The exit code; `None` when a signal ended the process (or it timed out and was killed).
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub timed_out: bool,
}

impl RawOutput {
    /// A Rust panic (exit 101 or its message), a death by signal (stack overflow, abort), or a hang.
    pub fn crashed(&self) -> bool {
        self.timed_out
            || self.code.is_none()
            || self.code == Some(101)
            || self.stderr.contains("panicked")
    }
}

/// Runs `program` with `args` and `stdin` (written from a thread, so a child that writes before
/// reading everything cannot deadlock), colour off, and kills it after `timeout`.
pub fn run_raw<S: AsRef<std::ffi::OsStr>>(
    program: &Path,
    args: &[S],
    stdin: &[u8],
    timeout: std::time::Duration,
) -> RawOutput {
    run_raw_env(program, args, stdin, timeout, &[])
}

/// [`run_raw`] with environment variables set.
pub fn run_raw_env<S: AsRef<std::ffi::OsStr>>(
    program: &Path,
    args: &[S],
    stdin: &[u8],
    timeout: std::time::Duration,
    env: &[(&str, &str)],
) -> RawOutput {
    use std::io::Read;
    let mut child = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", program.display()));
    let mut sin = child.stdin.take().unwrap();
    let mut sout = child.stdout.take().unwrap();
    let mut serr = child.stderr.take().unwrap();
    std::thread::scope(|s| {
        s.spawn(move || {
            // The child may exit early on an error; a broken pipe is fine then.
            let _ = sin.write_all(stdin);
        });
        let out = s.spawn(move || {
            let mut b = Vec::new();
            let _ = sout.read_to_end(&mut b);
            b
        });
        let err = s.spawn(move || {
            let mut b = Vec::new();
            let _ = serr.read_to_end(&mut b);
            b
        });
        let start = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(1);
        let mut timed_out = false;
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if start.elapsed() > timeout {
                timed_out = true;
                let _ = child.kill();
                break child.wait().unwrap();
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(std::time::Duration::from_millis(20));
        };
        RawOutput {
            code: status.code(),
            stdout: out.join().unwrap(),
            stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
            timed_out,
        }
    })
}

/// Every file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(d: &Path, out: &mut Vec<PathBuf>) {
        let rd = std::fs::read_dir(d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.is_file() {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}
