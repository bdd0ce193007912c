//! kubeopencode-inject: KubeOpenCode's OpenTelemetry injection, offline.
//!
//! The crate is a library with a thin binary on top. [`engine`] is pure (no I/O) and computes edit
//! plans; [`render`] applies them to text; [`pipeline`] and [`app`] read inputs and write outputs.
// Errors are the cold path and carry their location and snippet by value; boxing every
// `Result<_, Diagnostic>` would only add noise.
#![allow(clippy::result_large_err)]

pub mod app;
pub mod check;
pub mod cli;
pub mod completions;
pub mod config;
pub mod diag;
pub mod diff;
pub mod engine;
pub mod gojson;
pub mod input;
pub mod krm;
pub mod lint;
pub mod pipe;
pub mod pipeline;
pub mod render;
pub(crate) mod sarif;
pub mod window;
pub mod yaml;
