//! The binary runs in 4 KiB pages until its input is large, then in transparent huge pages again
//! (`alloc::small_pages_first`, run from `.init_array`, and `alloc::note_input`): a run over one
//! Deployment spent a fifth of its time zeroing 2 MiB pages it barely used, and a run over 10,000
//! resources is faster with them. Watched from outside, in `/proc/PID/status` (`THP_enabled`),
//! while the process reads a standard input that the test feeds. Linux only.

#![cfg(target_os = "linux")]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `THP_enabled` of a process, or None when the kernel does not report it.
fn thp_enabled(pid: u32) -> Option<bool> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("THP_enabled:"))?;
    Some(line.split_whitespace().nth(1)? == "1")
}

/// Waits until the process reports `want`, for at most ten seconds; the last value seen.
fn wait_for(pid: u32, want: bool) -> Option<bool> {
    let start = Instant::now();
    loop {
        let now = thp_enabled(pid);
        if now == Some(want) || start.elapsed() > Duration::from_secs(10) {
            return now;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn config_map(i: usize) -> String {
    format!(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: ns\ndata:\n  v: \"{}\"\n",
        "x".repeat(200)
    )
}

#[test]
fn huge_pages_come_back_once_the_input_is_large() {
    let Some(ours) = thp_enabled(std::process::id()) else {
        eprintln!("SKIPPED: this kernel does not report THP_enabled in /proc/PID/status");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(&config, common::CONFIG).unwrap();
    let mut child = Command::new(common::bin())
        .args(["-q", "-c"])
        .arg(&config)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    if !ours {
        // A process started with huge pages off keeps them off, whatever it reads.
        assert_eq!(wait_for(pid, false), Some(false));
    } else {
        // Small pages from the start: before it has read anything.
        assert_eq!(
            wait_for(pid, false),
            Some(false),
            "the run did not start in small pages"
        );
        // Half a window: still small.
        let mut sent = 0;
        let mut i = 0;
        while sent < kubeopencode_inject::alloc::HUGE_PAGES_AFTER / 2 {
            let doc = config_map(i);
            stdin.write_all(doc.as_bytes()).unwrap();
            sent += doc.len();
            i += 1;
        }
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(
            thp_enabled(pid),
            Some(false),
            "huge pages came back for a small input"
        );
        // Past the threshold (the pipe holds 64 KiB, so this is read once the writes return).
        while sent < kubeopencode_inject::alloc::HUGE_PAGES_AFTER + (256 << 10) {
            let doc = config_map(i);
            stdin.write_all(doc.as_bytes()).unwrap();
            sent += doc.len();
            i += 1;
        }
        assert_eq!(
            wait_for(pid, true),
            Some(true),
            "huge pages did not come back"
        );
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
