//! The binary faults its memory in 4 KiB pages, never in transparent huge pages
//! (`alloc::small_pages`, run from `.init_array`): on a machine that hands free memory back to its
//! host, a 2 MiB page first touched after a pause cost up to 5 ms, and a run over 10,000 resources
//! took twice as long in huge pages as in small ones. Watched from outside, in `/proc/PID/status`
//! (`THP_enabled`), while the process reads a standard input that the test feeds, past the size
//! at which the binary of session 10 turned huge pages back on. Linux only.

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

/// Sends documents until `total` bytes went to the process.
fn send(stdin: &mut impl Write, sent: &mut usize, i: &mut usize, total: usize) {
    while *sent < total {
        let doc = config_map(*i);
        stdin.write_all(doc.as_bytes()).unwrap();
        *sent += doc.len();
        *i += 1;
    }
}

#[test]
fn huge_pages_stay_off_however_large_the_input() {
    if thp_enabled(std::process::id()).is_none() {
        eprintln!("SKIPPED: this kernel does not report THP_enabled in /proc/PID/status");
        return;
    }
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
    assert_eq!(
        wait_for(pid, false),
        Some(false),
        "the run did not start in small pages"
    );
    // Three windows (1 MiB each) and more: the pipe holds 64 KiB, so once the writes return the
    // process has read all but that much, and parsed windows of it on its worker threads.
    let (mut sent, mut i) = (0, 0);
    for mib in 1..=3 {
        send(&mut stdin, &mut sent, &mut i, mib << 20);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(
            thp_enabled(pid),
            Some(false),
            "huge pages came on after {mib} MiB of input"
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
