//! kubeopencode-inject: KubeOpenCode's OpenTelemetry injection, offline.
//!
//! The library exists for the binary (`src/main.rs`), which calls [`run`], and for the tests, the
//! benchmark and the fuzz target, which use the facade `api` (hidden from these docs: it holds the
//! few items they need and promises no stability; its own doc lists them and why). [`alloc`] is
//! the allocator the binary and the benchmark share. Every other module is `pub(crate)`, so the
//! compiler sees what is really used.
//!
//! Layers, each importing only those below it (docs/design.md): the command layer (`commands`,
//! `cli`) and the test facade (`api`); the driver and its outputs (`pipe`, `output`, `diff`,
//! `check`, `krm`); the document pipeline (`pipeline`, `window`, `input`, `settings`, `report`,
//! `diag`); and the pure layers (`engine`, `render`, `yaml`, `gojson`, `lint`, `config`).
// Errors are the cold path and carry their location and snippet by value; boxing every
// `Result<_, Diagnostic>` would only add noise.
#![allow(clippy::result_large_err)]

// For tests/, benches/ and fuzz/ only, with no stability promise: kept out of the docs.
#[doc(hidden)]
pub mod alloc;
pub mod api;
pub(crate) mod check;
pub(crate) mod cli;
pub(crate) mod commands;
pub(crate) mod config;
pub(crate) mod diag;
pub(crate) mod diff;
pub(crate) mod engine;
pub(crate) mod gojson;
pub(crate) mod input;
pub(crate) mod krm;
pub(crate) mod lint;
pub(crate) mod output;
pub(crate) mod par;
pub(crate) mod pipe;
pub(crate) mod pipeline;
pub(crate) mod render;
pub(crate) mod report;
pub(crate) mod sarif;
pub(crate) mod settings;
pub(crate) mod window;
pub(crate) mod yaml;

/// Runs the program on its arguments (`std::env::args_os()`): what the binary, `src/main.rs`, does.
pub fn run(argv: Vec<std::ffi::OsString>) -> std::process::ExitCode {
    commands::main(argv)
}
