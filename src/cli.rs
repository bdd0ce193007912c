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
    after_help = "Exit status: 0 success, 1 differences or findings (diff, check, validate), 2 error.\n\
                  \n\
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
    /// Show what injection would change, as a unified diff per resource (exit 1 when it would change something).
    Diff(DiffArgs),
    /// CI gate: validate the config, lint the stream, and report drift (exit 1 on findings).
    Check(CheckArgs),
    /// Validate a KubeOpenCodeConfig alone: the CRD rules, then the lints.
    Validate(ValidateArgs),
    /// Install this binary as kustomize's exec plugin for `kind: KubeOpenCodeConfig` transformers
    /// (a symlink named `KubeOpenCodeConfig` under the kustomize plugin directory).
    InstallKustomizePlugin {
        /// The config home holding `kustomize/plugin` (default: $XDG_CONFIG_HOME, else ~/.config).
        /// $KUSTOMIZE_PLUGIN_HOME, when set and --dir is not given, is used as the plugin directory itself.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
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

/// Where the config and manifests come from, and what to select.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single
    /// KubeOpenCodeConfig document in the input is used (and passed through unchanged).
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable.
    /// Without -f, manifests are read from stdin.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub filename: Vec<PathBuf>,

    /// Manifest files or directories, like -f (for tools such as pre-commit that append file names).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Read directories recursively (in a stable, sorted order).
    #[arg(short = 'R', long)]
    pub recursive: bool,

    /// Namespace for objects that do not set metadata.namespace.
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,

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

    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Fail (exit 2) when the input holds no documents, instead of warning: an empty output can
    /// make a GitOps tool prune everything it manages.
    #[arg(long)]
    pub fail_on_empty: bool,

    /// Maximum nesting depth of a document.
    #[arg(long, default_value_t = 256, value_name = "N", hide_short_help = true)]
    pub max_depth: usize,

    /// Maximum number of nodes aliases may expand to in one document.
    #[arg(
        long,
        default_value_t = 2_000_000,
        value_name = "N",
        hide_short_help = true
    )]
    pub max_nodes: usize,

    /// Maximum size of one document, in MiB.
    #[arg(long, default_value_t = 64, value_name = "MIB", hide_short_help = true)]
    pub max_document_size: usize,
}

#[derive(Debug, Clone, Args)]
pub struct InjectArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = OutputFormat::Yaml)]
    pub output: OutputFormat,

    /// Rewrite the input files (atomically; only files that change; never stdin).
    #[arg(long, conflicts_with = "output")]
    pub in_place: bool,

    /// Do not print the per-resource report or the warnings on stderr (errors still are).
    #[arg(short, long)]
    pub quiet: bool,

    /// Re-serialise every document (canonical YAML) instead of editing the text in place.
    #[arg(long)]
    pub normalize: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people: located messages with the snippet underlined.
    Human,
    /// A stable JSON document (see docs/check.md).
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning (upload-sarif) and other SARIF viewers.
    Sarif,
}

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Compare against the normalised (re-serialised) output.
    #[arg(long)]
    pub normalize: bool,

    /// Print nothing: only the exit status tells whether something would change (like
    /// `git diff --quiet`).
    #[arg(short, long, visible_alias = "exit-code")]
    pub quiet: bool,

    /// Not an option of diff (it never writes files); accepted only to say so.
    #[arg(long, hide = true)]
    pub in_place: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format of the findings.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    /// Treat warnings as failures (exit 1).
    #[arg(long)]
    pub strict: bool,

    /// Print only the findings that fail the run, and no summary.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    /// The KubeOpenCodeConfig to validate (YAML or JSON; `-` for stdin).
    #[arg(short = 'c', long = "config", value_name = "FILE", required = true)]
    pub config: PathBuf,

    /// Output format of the findings.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    /// Treat warnings as failures (exit 1).
    #[arg(long)]
    pub strict: bool,

    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print only the findings that fail the run, and no summary.
    #[arg(short, long)]
    pub quiet: bool,
}
