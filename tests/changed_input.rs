//! A file that changes between the two passes must fail the run (exit 2, nothing written), never
//! give an output made of both versions: the first pass learned the context of one text, the
//! second would render another. `src/window.rs`'s `Fingerprint` notices it.
//!
//! Made deterministic without a hook in the tool: the test waits until the process has the file
//! open (the first pass), then renames another file over its path. The first pass goes on reading
//! the old file (it holds it open); the second pass opens the path again and reads the new one.
//! The input is large enough (tens of MB) that the first pass is still reading when the rename
//! lands. Linux only (it watches `/proc/PID/fd`).

#![cfg(target_os = "linux")]

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A stream of about `mb` MB: an agent Deployment first, then ConfigMaps; `tag` tells the two
/// versions apart (in the ConfigMaps' data, so that both versions are valid and equally long).
fn stream(mb: usize, tag: char) -> String {
    let mut s = String::from(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a-server\n  namespace: ns\n  labels:\n    kubeopencode.io/agent: a\nspec:\n  selector:\n    matchLabels:\n      kubeopencode.io/agent: a\n  template:\n    metadata:\n      labels:\n        kubeopencode.io/agent: a\n    spec:\n      containers:\n      - name: opencode-server\n        image: x\n",
    );
    let mut i = 0;
    while s.len() < mb << 20 {
        s.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: ns\ndata:\n  v: \"{tag}{}\"\n",
            "x".repeat(200)
        ));
        i += 1;
    }
    s
}

/// Whether process `pid` has `path` open.
fn has_open(pid: u32, path: &Path) -> bool {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten()
        .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|t| t == path))
}

#[test]
fn a_file_changed_between_the_passes_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::write_temp(dir.path(), "config.yaml", common::CONFIG);
    let input = common::write_temp(dir.path(), "input.yaml", &stream(24, 'a'));
    let other = common::write_temp(dir.path(), "other.yaml", &stream(24, 'b'));
    let input = input.canonicalize().unwrap();
    let mut child = Command::new(common::bin())
        .args(["-q", "-c"])
        .arg(&cfg)
        .arg("-f")
        .arg(&input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read the output as it comes, so that a full pipe never blocks the tool.
    let mut out_pipe = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        out_pipe.read_to_end(&mut out).unwrap();
        out
    });
    let start = Instant::now();
    while !has_open(child.id(), &input) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the tool never opened its input"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the tool ended before it read its input"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
    std::fs::rename(&other, &input).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    let stdout = reader.join().unwrap();
    assert_eq!(status.code(), Some(2), "stderr:\n{stderr}");
    assert!(
        stderr.contains("changed while it was being read; nothing was written"),
        "stderr:\n{stderr}"
    );
    assert!(stdout.is_empty(), "{} bytes were written", stdout.len());
}
