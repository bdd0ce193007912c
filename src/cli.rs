//! Command-line definitions (clap only; no logic).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Apply KubeOpenCode's OpenTelemetry injection to Kubernetes manifests, offline, exactly as the
/// controller does.
///
/// Reads a KubeOpenCodeConfig and a stream of manifests (files, directories, stdin) and writes the
/// manifests with the OTel env vars injected into KubeOpenCode agent workloads. Only the edited env
/// entries change: comments and formatting are kept.
#[derive(Debug, Parser)]
#[command(
    name = "kubeopencode-inject",
    version,
    args_conflicts_with_subcommands = true,
    after_help = "Exit status: 0 success, 2 error (bad config, unreadable file, malformed input).\n\
                  Examples:\n  \
                  kubeopencode-inject -c config.yaml -f manifests/ -R\n  \
                  kustomize build overlays/prod | kubeopencode-inject -c config.yaml\n  \
                  kubeopencode-inject -c config.yaml -f deploy.yaml --in-place"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub inject: InjectArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inject the OTel settings and write the manifests (the default command).
    Inject(InjectArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell to generate completions for.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// The input stream, edited in place (documents in input order, separated by ---).
    Yaml,
    /// JSON: the object itself for one document, a `v1 List` of all documents otherwise.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Args)]
pub struct InjectArgs {
    /// The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single
    /// KubeOpenCodeConfig document in the input is used (and passed through unchanged).
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable.
    /// Without -f, manifests are read from stdin.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub filename: Vec<PathBuf>,

    /// Read directories recursively (in a stable, sorted order).
    #[arg(short = 'R', long)]
    pub recursive: bool,

    /// Namespace for objects that do not set metadata.namespace.
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,

    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = OutputFormat::Yaml)]
    pub output: OutputFormat,

    /// Rewrite the input files (atomically; only files that change; never stdin).
    #[arg(long, conflicts_with = "output")]
    pub in_place: bool,

    /// Do not print the per-resource report on stderr.
    #[arg(short, long)]
    pub quiet: bool,

    /// Select every pod-bearing workload, not only KubeOpenCode agent workloads.
    #[arg(long)]
    pub all: bool,

    /// Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Inject into exactly these containers (regular or init). Repeatable.
    #[arg(long = "container", value_name = "NAME")]
    pub containers: Vec<String>,

    /// Agent name for workloads whose Task or labels do not tell it.
    #[arg(long, value_name = "NAME")]
    pub agent: Option<String>,

    /// Re-serialise every document (canonical YAML) instead of editing the text in place.
    #[arg(long)]
    pub normalize: bool,

    /// When to colour messages.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Maximum nesting depth of a document.
    #[arg(long, default_value_t = 256, value_name = "N", hide_short_help = true)]
    pub max_depth: usize,

    /// Maximum number of nodes a document may expand to (aliases included).
    #[arg(
        long,
        default_value_t = 2_000_000,
        value_name = "N",
        hide_short_help = true
    )]
    pub max_nodes: usize,
}
