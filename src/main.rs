use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    kubeopencode_inject::app::run(kubeopencode_inject::cli::Cli::parse())
}
