//! Fuzz target for the stream reader, the engine and the renderer: arbitrary bytes are read as a
//! manifest file, split into documents, parsed, planned with a fixed enabled config (and with
//! observability off), and spliced. Nothing may panic; the body and its invariants are
//! `kubeopencode_inject::api::check_stream` (`src/api/stream_check.rs`).
//!
//! Run: `cargo +nightly fuzz run stream` from the repository root (see fuzz/README.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kubeopencode_inject::api::check_stream(data);
});
