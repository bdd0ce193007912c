use std::process::ExitCode;

use clap::Parser;
use kubeopencode_inject::{app, cli::Cli, krm};

// mimalloc: the tool allocates many small nodes per document; measured faster than the system
// allocator on large streams (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Installed as kustomize's `KubeOpenCodeConfig` exec plugin: `KubeOpenCodeConfig CONFIG_FILE`.
    let argv = krm::legacy_plugin_args(&argv).unwrap_or(argv);
    app::run(Cli::parse_from(argv))
}
