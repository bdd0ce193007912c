//! kubeopencode-inject: KubeOpenCode's OpenTelemetry injection, offline.
//!
//! Layers, each importing only those below it (docs/design.md): the command layer
//! ([`commands`], [`cli`]); the driver and its outputs (`pipe`, `output`, `diff`, `check`, `krm`);
//! the document pipeline (`pipeline`, `window`, `input`, `settings`, `report`, `diag`); and the
//! pure layers ([`engine`], [`render`], [`yaml`], [`gojson`], [`lint`], [`config`]).
// Errors are the cold path and carry their location and snippet by value; boxing every
// `Result<_, Diagnostic>` would only add noise.
#![allow(clippy::result_large_err)]

#[doc(hidden)]
pub mod api;
pub(crate) mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diag;
pub(crate) mod diff;
pub mod engine;
pub mod gojson;
pub mod input;
pub(crate) mod krm;
pub mod lint;
pub(crate) mod output;
pub(crate) mod pipe;
pub mod pipeline;
pub mod render;
pub(crate) mod report;
pub(crate) mod sarif;
pub(crate) mod settings;
pub mod window;
pub mod yaml;
