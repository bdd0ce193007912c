//! kubeopencode-inject: KubeOpenCode's OpenTelemetry injection, offline.
//!
//! The crate is a library with a thin binary on top. [`engine`] is pure (no I/O) and computes edit
//! plans; [`render`] applies them to text; [`pipeline`] and [`app`] read inputs and write outputs.
pub mod app;
pub mod cli;
pub mod config;
pub mod diag;
pub mod engine;
pub mod gojson;
pub mod input;
pub mod pipeline;
pub mod render;
pub mod yaml;
