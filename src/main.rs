use std::process::ExitCode;

use clap::Parser;
use kubeopencode_inject::{app, cli::Cli, krm};

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Installed as kustomize's `KubeOpenCodeConfig` exec plugin: `KubeOpenCodeConfig CONFIG_FILE`.
    let argv = krm::legacy_plugin_args(&argv).unwrap_or(argv);
    app::run(Cli::parse_from(argv))
}
