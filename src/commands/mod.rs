//! The command layer: the only code that knows the command line. It turns the parsed arguments
//! into [`Settings`] once, runs one command (one file each), and maps the result to an exit status.

mod check;
mod completions;
mod diff;
mod inject;
mod install_kustomize_plugin;
mod validate;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, ColorChoice, Command, InputArgs};
use crate::diag::{Code, Diagnostic};
use crate::engine::{Options, Selector};
use crate::input;
use crate::report::{ColorWhen, Colors, Exit};
use crate::settings::{ConfigSource, Settings};
use crate::yaml::tree::Limits;

/// Runs the program on its arguments.
pub fn main(argv: Vec<OsString>) -> ExitCode {
    // Installed as kustomize's `KubeOpenCodeConfig` exec plugin: `KubeOpenCodeConfig CONFIG_FILE`.
    let argv = crate::krm::legacy_plugin_args(&argv).unwrap_or(argv);
    run(Cli::parse_from(argv)).into()
}

/// The command line's clap definition (what `--help` and the man pages show).
pub fn cli_command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

fn run(cli: Cli) -> Exit {
    match cli.command {
        Some(Command::Completions { shell }) => completions::run(shell),
        Some(Command::Inject(args)) => inject::run(&args),
        Some(Command::InstallKustomizePlugin { dir }) => {
            install_kustomize_plugin::run(dir.as_deref())
        }
        Some(Command::Diff(args)) => diff::run(&args),
        Some(Command::Check(args)) => check::run(&args),
        Some(Command::Validate(args)) => validate::run(&args),
        None => inject::run(&cli.inject),
    }
}

/// The colour decision of a run, made once.
fn colors(choice: ColorChoice) -> Colors {
    Colors::decide(match choice {
        ColorChoice::Auto => ColorWhen::Auto,
        ColorChoice::Always => ColorWhen::Always,
        ColorChoice::Never => ColorWhen::Never,
    })
}

fn usage(message: &str) -> Diagnostic {
    Diagnostic::error(Code::Usage, message)
}

/// The window size: [`WINDOW_BYTES`](crate::window::WINDOW_BYTES), or the
/// `KUBEOPENCODE_INJECT_WINDOW_BYTES` environment variable (for tests and tuning), read once.
fn window_bytes() -> usize {
    std::env::var("KUBEOPENCODE_INJECT_WINDOW_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(crate::window::WINDOW_BYTES)
}

/// Builds the settings of a run from the input arguments, checking how stdin is used (`-`
/// handled here, once).
fn settings(
    args: &InputArgs,
    in_place: bool,
    normalize: bool,
) -> Result<Settings, Vec<Diagnostic>> {
    let config = match args.config.as_deref() {
        None => ConfigSource::Stream,
        Some(c) if c.as_os_str() == "-" => ConfigSource::Stdin,
        Some(c) => ConfigSource::File(c.to_path_buf()),
    };
    let config_from_stdin = config == ConfigSource::Stdin;
    let mut paths = args.filename.clone();
    paths.extend(args.paths.iter().cloned());
    if paths.is_empty() {
        if config_from_stdin {
            return Err(vec![
                usage("-c - reads the config from stdin, so the manifests need -f")
                    .with_help("pass the manifests with -f FILE"),
            ]);
        }
        paths.push("-".into());
    }
    let stdin_inputs = paths.iter().filter(|p| p.as_os_str() == "-").count();
    if config_from_stdin && stdin_inputs > 0 {
        return Err(vec![usage(
            "stdin cannot hold both the config (-c -) and the manifests (-f -)",
        )]);
    }
    if stdin_inputs > 1 {
        return Err(vec![usage("-f - given more than once")]);
    }
    if in_place && stdin_inputs > 0 {
        return Err(vec![
            usage("--in-place rewrites files, but the manifests come from stdin")
                .with_help("pass files or directories with -f"),
        ]);
    }
    let selector = args
        .selector
        .as_deref()
        .map(|s| {
            Selector::parse(s).map_err(|e| {
                vec![
                    usage(&format!("invalid selector `{s}`: {e}"))
                        .with_help("kubectl syntax: app=web, tier!=db, env in (a,b), !legacy"),
                ]
            })
        })
        .transpose()?;
    let inputs = input::expand(&paths, args.recursive).map_err(|e| vec![e])?;
    Ok(Settings {
        limits: Limits {
            max_depth: args.max_depth,
            max_nodes: args.max_nodes,
            max_document_bytes: args.max_document_size.saturating_mul(1 << 20),
        },
        options: Options {
            all: args.all,
            selector,
            containers: args.containers.clone(),
            agent: args.agent.clone(),
            namespace: args.namespace.clone(),
        },
        // Only `inject` answers a ResourceList (it sets this); diff and check read it as a stream.
        krm: false,
        inputs,
        config,
        window_bytes: window_bytes(),
        normalize,
        fail_on_empty: args.fail_on_empty,
        report_files: in_place,
        report: false,
        warnings: true,
    })
}
