//! The commands: glue between the command line, the pipeline and the outputs.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{Cli, ColorChoice, Command, InjectArgs, InputArgs, OutputFormat};
use crate::config::KubeOpenCodeConfig;
use crate::diag::Diagnostic;
use crate::engine::{Action, Options, Outcome, Selector, Severity, StreamContext};
use crate::input::{self, Origin, Source};
use crate::pipeline::{self, DocRef, Parsed, Processor};
use crate::yaml::stream::{self, Format};
use crate::yaml::tree::Limits;

pub const EXIT_OK: u8 = 0;
pub const EXIT_ERROR: u8 = 2;

/// Runs the program; returns the exit code.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Some(Command::Completions { shell }) => {
            let script = crate::completions::script(shell);
            // A closed pipe (`| head`) is not an error.
            let _ = std::io::stdout().lock().write_all(script.as_bytes());
            ExitCode::from(EXIT_OK)
        }
        Some(Command::Inject(args)) => inject(&args),
        Some(Command::InstallKustomizePlugin { dir }) => install_plugin(dir.as_deref()),
        Some(Command::Diff(args)) => crate::diff::run(&args),
        Some(Command::Check(args)) => crate::check::run_check(&args),
        Some(Command::Validate(args)) => crate::check::run_validate(&args),
        None => inject(&cli.inject),
    }
}

/// Colour for what goes to stdout (reports of `check` and `validate`).
pub fn use_color_on_stdout(choice: ColorChoice) -> bool {
    color_for(choice, std::io::stdout().is_terminal())
}

/// Colour for what goes to stderr (errors, warnings).
pub fn use_color(choice: ColorChoice) -> bool {
    color_for(choice, std::io::stderr().is_terminal())
}

/// `--color`, then NO_COLOR (wins), then CLICOLOR_FORCE, then whether the stream is a terminal.
fn color_for(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && (terminal
                    || std::env::var_os("CLICOLOR_FORCE")
                        .is_some_and(|v| !v.is_empty() && v != "0"))
        }
    }
}

/// Prints errors and returns exit code 2.
///
/// Errors are rendered with their snippet; warnings take one line each (and their help), as on
/// success: a run with thousands of warnings stays readable.
pub fn fail(diags: &[Diagnostic], color: bool) -> ExitCode {
    let mut err = std::io::stderr().lock();
    for d in diags {
        if d.severity == Severity::Error {
            let _ = write!(err, "{}", d.render(color));
        } else {
            let _ = print_warning(&mut err, d);
        }
    }
    print_error_count(&mut err, diags);
    ExitCode::from(EXIT_ERROR)
}

/// `N errors`, when there are several.
pub fn print_error_count(err: &mut impl Write, diags: &[Diagnostic]) {
    let n = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if n > 1 {
        let _ = writeln!(err, "{n} errors");
    }
}

/// A warning on one line, and its help on the next.
pub fn print_warning(err: &mut impl Write, w: &Diagnostic) -> std::io::Result<()> {
    writeln!(err, "{}", w.short())?;
    if let Some(h) = &w.help {
        writeln!(err, "  help: {h}")?;
    }
    Ok(())
}

/// Inputs up to this size keep their pod-bearing documents parsed between reading and planning.
const KEEP_PARSED_BELOW: usize = 4 << 20;

/// Where the KubeOpenCodeConfig came from.
pub enum ConfigAt {
    /// A file given with -c: its source, document and tree.
    File(Box<Source>, DocRef, Option<crate::yaml::tree::Node>),
    /// A document of the stream: (source, document) indexes and its tree.
    Stream(usize, usize, Option<crate::yaml::tree::Node>),
}

impl Loaded {
    /// The config's source, document and tree.
    pub fn config_location(&self) -> (&Source, &DocRef, Option<&crate::yaml::tree::Node>) {
        match &self.config_at {
            ConfigAt::File(src, d, root) => (src, d, root.as_ref()),
            ConfigAt::Stream(si, di, root) => {
                (&self.sources[*si], &self.docs[*si][*di], root.as_ref())
            }
        }
    }
}

/// Everything read and understood before any output is produced.
pub struct Loaded {
    pub sources: Vec<Source>,
    pub docs: Vec<Vec<DocRef>>,
    /// Parsed candidate documents (pod-bearing kinds and Lists), keyed by (source, index).
    pub parsed: HashMap<(usize, usize), Parsed>,
    /// Candidate documents (pod-bearing kinds and Lists), whether kept parsed or not.
    pub candidates: std::collections::HashSet<(usize, usize)>,
    pub ctx: StreamContext,
    pub config: KubeOpenCodeConfig,
    /// Warnings about the config (rules the API server enforces but the controller tolerates).
    pub config_warnings: Vec<Diagnostic>,
    /// Where the config document is (for locating findings about it).
    pub config_at: ConfigAt,
}

pub fn limits(args: &InputArgs) -> Limits {
    Limits {
        max_depth: args.max_depth,
        max_nodes: args.max_nodes,
        max_document_bytes: args.max_document_size.saturating_mul(1 << 20),
    }
}

pub fn options(args: &InputArgs) -> Result<Options, Diagnostic> {
    let selector = args
        .selector
        .as_deref()
        .map(|s| {
            Selector::parse(s).map_err(|e| {
                Diagnostic::error("usage", format!("invalid selector `{s}`: {e}"))
                    .with_help("kubectl syntax: app=web, tier!=db, env in (a,b), !legacy")
            })
        })
        .transpose()?;
    Ok(Options {
        all: args.all,
        selector,
        containers: args.containers.clone(),
        agent: args.agent.clone(),
        namespace: args.namespace.clone(),
    })
}

/// The config given with -c, read and checked, and where it is.
pub type GivenConfig = Option<(ConfigRead, ConfigAt)>;

/// The config given with -c (if any) and the inputs, after checking how they are combined.
pub fn prepare(
    args: &InputArgs,
    in_place: bool,
) -> Result<(GivenConfig, Vec<Origin>), Vec<Diagnostic>> {
    let limits = limits(args);
    let config_from_stdin = args.config.as_deref().is_some_and(|c| c.as_os_str() == "-");
    let mut paths = args.filename.clone();
    paths.extend(args.paths.iter().cloned());
    if paths.is_empty() {
        if config_from_stdin {
            return Err(vec![
                Diagnostic::error(
                    "usage",
                    "-c - reads the config from stdin, so the manifests need -f",
                )
                .with_help("pass the manifests with -f FILE"),
            ]);
        }
        paths.push("-".into());
    }
    if config_from_stdin && paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(vec![Diagnostic::error(
            "usage",
            "stdin cannot hold both the config (-c -) and the manifests (-f -)",
        )]);
    }
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(vec![Diagnostic::error(
            "usage",
            "-f - given more than once",
        )]);
    }
    if in_place && paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(vec![
            Diagnostic::error(
                "usage",
                "--in-place rewrites files, but the manifests come from stdin",
            )
            .with_help("pass files or directories with -f"),
        ]);
    }
    let config = match &args.config {
        Some(c) => {
            let origin = if config_from_stdin {
                Origin::Stdin
            } else {
                Origin::File(c.clone())
            };
            let src = input::read(&origin).map_err(|e| vec![e])?;
            let (d, p) = pipeline::config_document(&src, &limits)?;
            let read = pipeline::config_from(&src, &d, &p)?;
            Some((read, ConfigAt::File(Box::new(src), d, p.root)))
        }
        None => None,
    };
    let origins = input::expand(&paths, args.recursive).map_err(|e| vec![e])?;
    Ok((config, origins))
}

/// A config and the warnings about it.
pub type ConfigRead = pipeline::ConfigRead;

/// What scanning one source (a whole file, or a window of one) found.
pub struct Scanned {
    pub refs: Vec<DocRef>,
    /// Indexes (in `refs`) of the candidate documents (pod-bearing kinds and Lists).
    pub candidates: Vec<usize>,
    /// Candidates kept parsed, by index.
    pub parsed: Vec<(usize, Parsed)>,
    /// KubeOpenCodeConfig documents, by index.
    pub configs: Vec<(usize, Parsed)>,
    pub errors: Vec<Diagnostic>,
}

/// What parsing one document gave: (is a config, is a candidate, the document if kept, its value
/// if it is context and not kept).
type DocParse = Result<(bool, bool, Option<Parsed>, Option<serde_json::Value>), Diagnostic>;

/// The documents of a source, parsed; not yet added to the stream's context.
pub struct SourceParse {
    refs: Result<Vec<DocRef>, Diagnostic>,
    results: Vec<DocParse>,
}

/// Splits and parses every document of a source (in parallel), keeping only what later steps need.
/// Pure: sources can be parsed in parallel too, then [`absorb`]ed in order.
pub fn parse_source(src: &Source, si: usize, limits: &Limits, keep_parsed: bool) -> SourceParse {
    use rayon::prelude::*;
    let refs = match pipeline::split(src, si) {
        Ok(r) => r,
        Err(e) => {
            return SourceParse {
                refs: Err(e),
                results: Vec::new(),
            };
        }
    };
    // Documents parse independently: use every core, then merge in order.
    let results = refs
        .par_iter()
        .map(|d| {
            pipeline::parse(src, d, limits).map(|p| {
                let config = pipeline::is_config(&p.value);
                let candidate = !config && pipeline::is_candidate(&p.value);
                let context = crate::engine::context::is_context(&p.value);
                // Keep only what later steps need; drop the rest here, in parallel.
                let keep = config || (candidate && keep_parsed);
                let value = (context && !keep).then(|| p.value.clone());
                (config, candidate, keep.then_some(p), value)
            })
        })
        .collect();
    SourceParse {
        refs: Ok(refs),
        results,
    }
}

/// Adds what the documents of a source tell about the stream to its context, in order.
pub fn absorb(parse: SourceParse, namespace: Option<&str>, ctx: &mut StreamContext) -> Scanned {
    let mut scanned = Scanned {
        refs: Vec::new(),
        candidates: Vec::new(),
        parsed: Vec::new(),
        configs: Vec::new(),
        errors: Vec::new(),
    };
    let refs = match parse.refs {
        Ok(r) => r,
        Err(e) => {
            scanned.errors.push(e);
            return scanned;
        }
    };
    for (d, r) in refs.iter().zip(parse.results) {
        match r {
            Err(e) => scanned.errors.push(e),
            Ok((config, candidate, p, value)) => {
                if let Some(v) = value.as_ref().or(p.as_ref().map(|p| &p.value)) {
                    ctx.add(v, namespace);
                }
                if candidate {
                    scanned.candidates.push(d.index);
                }
                match p {
                    Some(p) if config => scanned.configs.push((d.index, p)),
                    Some(p) if candidate => scanned.parsed.push((d.index, p)),
                    _ => {}
                }
            }
        }
    }
    scanned.refs = refs;
    scanned
}

/// [`parse_source`] then [`absorb`].
pub fn scan_source(
    src: &Source,
    si: usize,
    limits: &Limits,
    keep_parsed: bool,
    namespace: Option<&str>,
    ctx: &mut StreamContext,
) -> Scanned {
    absorb(parse_source(src, si, limits, keep_parsed), namespace, ctx)
}

/// The one config: from -c, or the one KubeOpenCodeConfig of the stream (`found`: where each
/// stream config is, and what reading it gave).
pub fn resolve_config<T, R>(
    given: Option<R>,
    mut found: Vec<(String, T)>,
    read: impl FnOnce(T) -> Result<R, Vec<Diagnostic>>,
) -> Result<R, Vec<Diagnostic>> {
    if let Some(c) = given {
        return Ok(c);
    }
    match found.len() {
        1 => read(found.remove(0).1),
        0 => Err(vec![Diagnostic::error("config", "no KubeOpenCodeConfig: none given with -c and none in the input")
            .with_help("pass the config with -c FILE, or include the KubeOpenCodeConfig document in the stream")]),
        n => {
            let places: Vec<String> = found.into_iter().map(|(place, _)| place).collect();
            Err(vec![
                Diagnostic::error(
                    "config",
                    format!(
                        "{n} KubeOpenCodeConfig documents in the input: {}",
                        places.join(", ")
                    ),
                )
                .with_help("keep one, or choose with -c FILE"),
            ])
        }
    }
}

/// Reads the config and the stream, checks everything, and learns the stream's context.
///
/// With `keep_parsed`, candidate documents stay parsed (for `check`, which lints their trees);
/// otherwise they are dropped and parsed again when planned, which keeps memory to one tree per
/// document being processed.
pub fn load(
    args: &InputArgs,
    in_place: bool,
    keep_parsed: bool,
) -> Result<Loaded, Vec<Diagnostic>> {
    let limits = limits(args);
    let (config, origins) = prepare(args, in_place)?;
    let mut sources = Vec::with_capacity(origins.len());
    let mut errors = Vec::new();
    for o in &origins {
        match input::read(o) {
            Ok(s) => sources.push(s),
            Err(e) => errors.push(e),
        }
    }
    // Small inputs keep their candidates parsed (faster: parsed once); large ones parse them again
    // when planning, so that memory stays near the input's size.
    let total: usize = sources.iter().map(|s| s.text.len()).sum();
    let keep_parsed = keep_parsed || total <= KEEP_PARSED_BELOW;
    let mut docs = Vec::with_capacity(sources.len());
    let mut parsed = HashMap::new();
    let mut candidates = std::collections::HashSet::new();
    let mut ctx = StreamContext::default();
    let mut configs = Vec::new();
    for (si, src) in sources.iter().enumerate() {
        let scanned = scan_source(
            src,
            si,
            &limits,
            keep_parsed,
            args.namespace.as_deref(),
            &mut ctx,
        );
        errors.extend(scanned.errors);
        candidates.extend(scanned.candidates.iter().map(|&di| (si, di)));
        parsed.extend(scanned.parsed.into_iter().map(|(di, p)| ((si, di), p)));
        configs.extend(scanned.configs.into_iter().map(|(di, p)| {
            let place = format!("{} (document {})", src.name, scanned.refs[di].number);
            (place, (si, di, p))
        }));
        docs.push(scanned.refs);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let ((config, config_warnings), config_at) =
        resolve_config(config, configs, |(si, di, p): (usize, usize, Parsed)| {
            let read = pipeline::config_from(&sources[si], &docs[si][di], &p)?;
            Ok((read, ConfigAt::Stream(si, di, p.root)))
        })?;
    Ok(Loaded {
        sources,
        docs,
        parsed,
        candidates,
        ctx,
        config,
        config_warnings,
        config_at,
    })
}

/// The result of planning and rendering every document.
pub struct Rendered {
    /// New text per document, None when unchanged. Indexed like `Loaded::docs`.
    pub texts: Vec<Vec<Option<String>>>,
    pub report: Vec<String>,
    pub warnings: Vec<Diagnostic>,
    /// Workloads that cannot be injected (the run fails unless the caller reports them as findings).
    pub errors: Vec<Diagnostic>,
    /// The plans of every candidate document, keyed by (source, document).
    pub plans: HashMap<(usize, usize), Vec<crate::engine::WorkloadPlan>>,
    /// The resources that change, per document.
    pub resources: HashMap<(usize, usize), Vec<String>>,
}

/// Plans and renders every candidate document; fails with every error found.
pub fn process(
    loaded: &mut Loaded,
    args: &InputArgs,
    normalize: bool,
) -> Result<Rendered, Vec<Diagnostic>> {
    let r = plan_and_render(loaded, args, normalize)?;
    if r.errors.is_empty() {
        Ok(r)
    } else {
        let mut all = r.errors;
        all.extend(r.warnings);
        Err(all)
    }
}

/// What planning and rendering one document produced.
struct DocResult {
    text: Option<String>,
    plans: Option<Vec<crate::engine::WorkloadPlan>>,
    diagnostics: Vec<Diagnostic>,
    report: Vec<String>,
    resources: Vec<String>,
}

fn report_line(plan: &crate::engine::WorkloadPlan, fallback: Option<&String>) -> Option<String> {
    let line = match &plan.outcome {
        Outcome::Skipped(reason) => format!("{}: skipped: {reason}", plan.resource),
        Outcome::Failed(_) => return None,
        Outcome::Planned { action, edits } => {
            let n = edits.len();
            let containers = if n == 1 {
                "1 container".to_string()
            } else {
                format!("{n} containers")
            };
            match action {
                Action::Injected => format!("{}: injected ({containers})", plan.resource),
                Action::Updated => format!("{}: updated ({containers})", plan.resource),
                Action::Removed => format!("{}: removed ({containers})", plan.resource),
                Action::Unchanged => format!("{}: unchanged", plan.resource),
            }
        }
    };
    Some(match fallback {
        Some(reason) => format!("{line}; re-emitted the whole document: {reason}"),
        None => line,
    })
}

fn doc_result(processor: &Processor, src: &Source, d: &DocRef, p: &mut Parsed) -> DocResult {
    let text = &src.text[d.range.clone()];
    let plans = processor.plan(p);
    let diagnostics = pipeline::plan_diagnostics(src, d, p.root.as_ref(), &plans);
    if plans
        .iter()
        .any(|pl| matches!(pl.outcome, Outcome::Failed(_)))
    {
        return DocResult {
            text: None,
            plans: Some(plans),
            diagnostics,
            report: Vec::new(),
            resources: Vec::new(),
        };
    }
    let result = processor.render(text, d, p, plans);
    let resources = result
        .plans
        .iter()
        .filter(|pl| !pl.edits().is_empty())
        .map(|pl| pl.resource.to_string())
        .collect();
    let report = result
        .plans
        .iter()
        .filter_map(|pl| report_line(pl, result.fallback.as_ref()))
        .collect();
    DocResult {
        text: result.text,
        plans: Some(result.plans),
        diagnostics,
        report,
        resources,
    }
}

/// What planning and rendering the documents of one source (or window) produced.
#[derive(Default)]
pub struct SourceRendered {
    /// New text per document, None when unchanged.
    pub texts: Vec<Option<String>>,
    pub report: Vec<String>,
    pub warnings: Vec<Diagnostic>,
    pub errors: Vec<Diagnostic>,
    /// Plans of the candidate documents, by document index.
    pub plans: Vec<(usize, Vec<crate::engine::WorkloadPlan>)>,
    /// The resources that change, by document index.
    pub resources: Vec<(usize, Vec<String>)>,
}

/// Plans and renders the documents of one source in parallel. Candidates found in `parsed` are
/// used as they are; other candidates are parsed again.
pub fn render_source(
    processor: &Processor,
    src: &Source,
    refs: &[DocRef],
    is_candidate: impl Fn(usize) -> bool + Sync,
    mut parsed: HashMap<usize, &mut Parsed>,
    args: &InputArgs,
) -> SourceRendered {
    use rayon::prelude::*;
    let lim = limits(args);
    let results: Vec<Option<DocResult>> = if parsed.is_empty() {
        refs.par_iter()
            .map(|d| {
                if !is_candidate(d.index) {
                    return None;
                }
                // Parsed once already when scanned: it cannot fail now.
                let mut p = pipeline::parse(src, d, &lim).ok()?;
                Some(doc_result(processor, src, d, &mut p))
            })
            .collect()
    } else {
        let mut slots: Vec<Option<&mut Parsed>> = (0..refs.len()).map(|_| None).collect();
        for (di, p) in parsed.drain() {
            if let Some(slot) = slots.get_mut(di) {
                *slot = Some(p);
            }
        }
        refs.par_iter()
            .zip(slots.par_iter_mut())
            .map(|(d, slot)| {
                let p = slot.as_deref_mut()?;
                Some(doc_result(processor, src, d, p))
            })
            .collect()
    };
    let mut out = SourceRendered {
        texts: Vec::with_capacity(refs.len()),
        ..SourceRendered::default()
    };
    for (d, r) in refs.iter().zip(results) {
        let Some(r) = r else {
            out.texts.push(if processor.normalize {
                normalize_other(src, d, args)
            } else {
                None
            });
            continue;
        };
        for diag in r.diagnostics {
            if diag.severity == Severity::Error {
                out.errors.push(diag);
            } else {
                out.warnings.push(diag);
            }
        }
        out.report.extend(r.report);
        if !r.resources.is_empty() {
            out.resources.push((d.index, r.resources));
        }
        if let Some(plans) = r.plans {
            out.plans.push((d.index, plans));
        }
        out.texts.push(r.text);
    }
    out
}

/// Plans and renders every candidate document; workload errors are returned in `Rendered::errors`.
///
/// Candidates kept parsed by [`load`] (for `check`) are used as they are; otherwise each candidate
/// is parsed again here, in parallel, so that no tree outlives its document.
pub fn plan_and_render(
    loaded: &mut Loaded,
    args: &InputArgs,
    normalize: bool,
) -> Result<Rendered, Vec<Diagnostic>> {
    let opts = options(args).map_err(|e| vec![e])?;
    let processor = Processor {
        otel: loaded.config.active(),
        ctx: &loaded.ctx,
        opts: &opts,
        normalize,
    };
    let mut rendered = Rendered {
        texts: Vec::with_capacity(loaded.docs.len()),
        report: Vec::new(),
        warnings: loaded.config_warnings.clone(),
        errors: Vec::new(),
        plans: HashMap::new(),
        resources: HashMap::new(),
    };
    let mut by_source: Vec<HashMap<usize, &mut Parsed>> =
        (0..loaded.docs.len()).map(|_| HashMap::new()).collect();
    for ((si, di), p) in loaded.parsed.iter_mut() {
        by_source[*si].insert(*di, p);
    }
    for ((si, refs), parsed) in loaded.docs.iter().enumerate().zip(by_source) {
        let candidates = &loaded.candidates;
        let r = render_source(
            &processor,
            &loaded.sources[si],
            refs,
            |di| candidates.contains(&(si, di)),
            parsed,
            args,
        );
        rendered.texts.push(r.texts);
        rendered.report.extend(r.report);
        rendered.warnings.extend(r.warnings);
        rendered.errors.extend(r.errors);
        rendered
            .plans
            .extend(r.plans.into_iter().map(|(di, p)| ((si, di), p)));
        rendered
            .resources
            .extend(r.resources.into_iter().map(|(di, r)| ((si, di), r)));
    }
    Ok(rendered)
}

fn normalize_other(src: &Source, d: &DocRef, args: &InputArgs) -> Option<String> {
    let text = &src.text[d.range.clone()];
    let p = pipeline::parse(src, d, &limits(args)).ok()?;
    match d.format {
        Format::Json => Some(crate::render::reemit_json(text, &p.value)),
        Format::Yaml if p.root.is_none() => None,
        Format::Yaml => Some(crate::render::reemit_yaml(text, p.root.as_ref(), &p.value)),
    }
}

/// The new text of a whole source file.
pub fn source_text(src: &Source, refs: &[DocRef], texts: &[Option<String>]) -> String {
    let mut out = String::with_capacity(src.text.len() + 1024);
    if src.bom {
        out.push_str(stream::BOM);
    }
    for (d, t) in refs.iter().zip(texts) {
        out.push_str(t.as_deref().unwrap_or(&src.text[d.range.clone()]));
    }
    out
}

fn changed(texts: &[Option<String>]) -> bool {
    texts.iter().any(Option::is_some)
}

fn install_plugin(dir: Option<&Path>) -> ExitCode {
    let home = match dir {
        Some(d) => d.join("kustomize").join("plugin"),
        None => match std::env::var_os("KUSTOMIZE_PLUGIN_HOME").filter(|v| !v.is_empty()) {
            Some(h) => h.into(),
            None => {
                let config = std::env::var_os("XDG_CONFIG_HOME")
                    .filter(|v| !v.is_empty())
                    .map(std::path::PathBuf::from)
                    .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")));
                match config {
                    Some(c) => c.join("kustomize").join("plugin"),
                    None => {
                        return fail(
                            &[
                                Diagnostic::error("io", "neither XDG_CONFIG_HOME nor HOME is set")
                                    .with_help("pass --dir DIR"),
                            ],
                            false,
                        );
                    }
                }
            }
        },
    };
    let target = crate::krm::plugin_path(&home);
    let result = (|| -> std::io::Result<std::path::PathBuf> {
        let exe = std::env::current_exe()?;
        let exe = std::fs::canonicalize(exe)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::symlink_metadata(&target).is_ok() {
            std::fs::remove_file(&target)?;
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(&exe, &target)?;
        #[cfg(not(unix))]
        std::fs::copy(&exe, &target).map(|_| ())?;
        Ok(exe)
    })();
    match result {
        Ok(exe) => {
            println!("{} -> {}", target.display(), exe.display());
            eprintln!(
                "kustomize runs it for transformers of kind KubeOpenCodeConfig: kubectl kustomize --enable-alpha-plugins DIR"
            );
            ExitCode::from(EXIT_OK)
        }
        Err(e) => fail(
            &[Diagnostic::error(
                "io",
                format!("cannot install {}: {e}", target.display()),
            )],
            false,
        ),
    }
}

fn inject(args: &InjectArgs) -> ExitCode {
    if !args.in_place && args.output == OutputFormat::Yaml {
        return crate::pipe::run(args);
    }
    let color = use_color(args.input.color);
    let from_stdin = args.input.paths.is_empty()
        && (args.input.filename.is_empty()
            || args.input.filename.iter().all(|f| f.as_os_str() == "-"));
    let config_on_stdin = args
        .input
        .config
        .as_deref()
        .is_some_and(|c| c.as_os_str() == "-");
    if from_stdin && !args.in_place && !config_on_stdin {
        // A KRM function gets a ResourceList on stdin.
        match input::read(&Origin::Stdin) {
            Ok(src) if crate::krm::is_resource_list(&src.text) => {
                return crate::krm::run(src, args);
            }
            Ok(_) => {}
            Err(e) => return fail(&[e], color),
        }
    }
    let mut loaded = match load(&args.input, args.in_place, false) {
        Ok(l) => l,
        Err(e) => return fail(&e, color),
    };
    let rendered = match process(&mut loaded, &args.input, args.normalize) {
        Ok(r) => r,
        Err(e) => return fail(&e, color),
    };
    let result = if args.in_place {
        write_in_place(&loaded, &rendered)
    } else {
        write_json(&loaded, &rendered, &args.input)
    };
    if let Err(e) = result {
        return fail(&[e], color);
    }
    if !args.quiet {
        let mut err = std::io::stderr().lock();
        for w in &rendered.warnings {
            let _ = print_warning(&mut err, w);
        }
        for line in &rendered.report {
            let _ = writeln!(err, "{line}");
        }
    }
    ExitCode::from(EXIT_OK)
}

pub fn io_error(e: std::io::Error) -> Diagnostic {
    Diagnostic::error("io", format!("cannot write the output: {e}"))
}

fn write_stdout(out: &mut impl Write, s: &str) -> Result<(), Diagnostic> {
    match out.write_all(s.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(io_error),
    }
}

fn write_json(loaded: &Loaded, rendered: &Rendered, args: &InputArgs) -> Result<(), Diagnostic> {
    let mut values = Vec::new();
    for (si, src) in loaded.sources.iter().enumerate() {
        for (d, t) in loaded.docs[si].iter().zip(&rendered.texts[si]) {
            let text = t.as_deref().unwrap_or(&src.text[d.range.clone()]);
            let tmp = Source {
                origin: src.origin.clone(),
                name: src.name.clone(),
                text: text.to_string(),
                bom: false,
                first_line: 0,
                first_doc: 0,
            };
            let d2 = DocRef {
                range: 0..text.len(),
                ..d.clone()
            };
            let p = pipeline::parse(&tmp, &d2, &limits(args))?;
            if !p.value.is_null() {
                values.push(p.value);
            }
        }
    }
    let doc = if values.len() == 1 {
        values.remove(0)
    } else {
        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": values})
    };
    let mut text =
        serde_json::to_string_pretty(&doc).map_err(|e| Diagnostic::error("io", e.to_string()))?;
    text.push('\n');
    let mut out = std::io::stdout().lock();
    write_stdout(&mut out, &text)
}

fn write_in_place(loaded: &Loaded, rendered: &Rendered) -> Result<(), Diagnostic> {
    // Render everything first; then write each changed file atomically.
    let mut pending = Vec::new();
    for (si, src) in loaded.sources.iter().enumerate() {
        if !changed(&rendered.texts[si]) {
            continue;
        }
        let Some(path) = src.path() else { continue };
        let text = source_text(src, &loaded.docs[si], &rendered.texts[si]);
        if text == format!("{}{}", if src.bom { stream::BOM } else { "" }, src.text) {
            continue;
        }
        pending.push((path.to_path_buf(), text));
    }
    let mut staged = Vec::with_capacity(pending.len());
    for (path, text) in &pending {
        staged.push(stage(path, text)?);
    }
    for (tmp, target) in staged {
        tmp.persist(&target).map_err(|e| {
            Diagnostic::error(
                "io",
                format!("cannot replace {}: {}", target.display(), e.error),
            )
        })?;
    }
    Ok(())
}

/// Writes the new content to a temporary file beside the target (following symlinks), with the
/// target's permissions, and syncs it. Renaming it over the target is the caller's last step.
fn stage(
    path: &Path,
    text: &str,
) -> Result<(tempfile::NamedTempFile, std::path::PathBuf), Diagnostic> {
    let target = std::fs::canonicalize(path)
        .map_err(|e| Diagnostic::error("io", format!("cannot resolve {}: {e}", path.display())))?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let meta = std::fs::metadata(&target)
        .map_err(|e| Diagnostic::error("io", format!("cannot read {}: {e}", target.display())))?;
    if meta.permissions().readonly() {
        return Err(Diagnostic::error(
            "io",
            format!("{} is read-only; nothing was written", path.display()),
        )
        .with_help("make it writable, or write to stdout instead of --in-place"));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".kubeopencode-inject.")
        .tempfile_in(dir)
        .map_err(|e| {
            Diagnostic::error(
                "io",
                format!("cannot create a temporary file in {}: {e}", dir.display()),
            )
        })?;
    let write = (|| {
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        std::fs::set_permissions(tmp.path(), meta.permissions())
    })();
    write.map_err(|e| {
        Diagnostic::error(
            "io",
            format!(
                "cannot write {}: {e}; nothing was written",
                target.display()
            ),
        )
    })?;
    Ok((tmp, target))
}
