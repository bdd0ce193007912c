//! The pipe: `inject` writing YAML to stdout (and, through [`Output`], `diff`), in memory that
//! follows the window and the largest document, not the stream.
//!
//! Two passes over windows of the input ([`crate::window`]):
//! 1. every document is parsed and checked, and the stream's context (the config, Tasks, Agents)
//!    is learned; standard input is copied to a [`Spill`] on the way;
//! 2. each window is read again, its workloads planned and rendered, and handed to an [`Output`]
//!    (the joined YAML or the diff, staged in a [`Spill`]).
//!
//! The output reaches stdout only when both passes found no error, so a failing run writes
//! nothing. When the whole input fits in one window, the first pass keeps its windows and parsed
//! workloads, and the second pass reads nothing again.

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::io::{Read, Write};
use std::process::ExitCode;

use crate::app::{self, ConfigRead, Scanned};
use crate::cli::{InjectArgs, InputArgs};
use crate::diag::Diagnostic;
use crate::engine::StreamContext;
use crate::input::{Origin, Source};
use crate::pipeline::{self, Processor};
use crate::window::{Spill, Tee, Windows};
use crate::yaml::stream;
use crate::yaml::tree::Limits;

/// The window size: [`WINDOW_BYTES`](crate::window::WINDOW_BYTES), or the
/// `KUBEOPENCODE_INJECT_WINDOW_BYTES` environment variable (for tests and tuning). An input that
/// fits in one window is read once: its window and parsed workloads stay in memory between the
/// passes.
fn window_bytes() -> usize {
    std::env::var("KUBEOPENCODE_INJECT_WINDOW_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(crate::window::WINDOW_BYTES)
}

/// The windows of an input: a file (opened again for each pass), or stdin (copied on the first
/// pass, read back from the copy on the second).
fn windows<'a>(
    origin: &Origin,
    name: &str,
    stdin_copy: &'a mut Spill,
    first_pass: bool,
    input: &InputArgs,
) -> Result<Windows<Box<dyn Read + 'a>>, Diagnostic> {
    let cannot = |e: std::io::Error| Diagnostic::error("io", format!("cannot read {name}: {e}"));
    let reader: Box<dyn Read + 'a> = match origin {
        Origin::File(p) => Box::new(std::fs::File::open(p).map_err(cannot)?),
        Origin::Stdin if first_pass => Box::new(Tee {
            inner: std::io::stdin().lock(),
            copy: stdin_copy,
        }),
        Origin::Stdin => stdin_copy.reader().map_err(cannot)?,
    };
    Ok(
        Windows::with_target(reader, origin.clone(), name.to_string(), window_bytes())
            .with_max_document(app::limits(input).max_document_bytes),
    )
}

/// What the first pass learned about one input.
struct InputSeen {
    origin: Origin,
    name: String,
    /// A hash of the text, to notice a file that changes between the passes.
    hash: u64,
}

/// Joins the outputs of several inputs into one stream, as `kubectl` would read them.
struct Joiner<W> {
    out: W,
    single: bool,
    wrote_any: bool,
    last_ended_newline: bool,
    /// Whether the current input has written anything yet.
    started: bool,
    /// White space that starts the current input (written only if something follows).
    pending: String,
}

impl<W: Write> Joiner<W> {
    fn new(out: W, single: bool) -> Self {
        Joiner {
            out,
            single,
            wrote_any: false,
            last_ended_newline: true,
            started: false,
            pending: String::new(),
        }
    }

    fn start_input(&mut self) {
        self.started = false;
        self.pending.clear();
    }

    fn push(&mut self, text: &str) -> std::io::Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        let text = if self.single {
            text
        } else {
            text.strip_prefix(stream::BOM).unwrap_or(text)
        };
        if !self.started {
            if text.trim().is_empty() {
                self.pending.push_str(text);
                return Ok(());
            }
            if self.wrote_any {
                if !self.last_ended_newline {
                    self.out.write_all(b"\n")?;
                }
                // The input's text is `pending + text`: it starts with `---` only when nothing
                // precedes `text`.
                if !self.pending.is_empty() || !text.starts_with("---") {
                    self.out.write_all(b"---\n")?;
                }
            }
            let pending = std::mem::take(&mut self.pending);
            self.out.write_all(pending.as_bytes())?;
            self.started = true;
            self.wrote_any = true;
        }
        self.out.write_all(text.as_bytes())?;
        self.last_ended_newline = text.ends_with('\n');
        Ok(())
    }
}

/// A set of document numbers, one bit each (a stream of millions of documents costs kilobytes).
#[derive(Default)]
struct DocSet(Vec<u64>);

impl DocSet {
    fn insert(&mut self, n: usize) {
        let (word, bit) = (n / 64, n % 64);
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    fn contains(&self, n: usize) -> bool {
        self.0.get(n / 64).is_some_and(|w| w & (1 << (n % 64)) != 0)
    }
}

/// Everything the first pass found.
struct FirstPass {
    inputs: Vec<InputSeen>,
    ctx: StreamContext,
    /// Candidate documents, per input, by 1-based document number.
    candidates: Vec<DocSet>,
    /// Stream configs: where, and what reading them gave.
    configs: Vec<(String, Result<ConfigRead, Vec<Diagnostic>>)>,
    errors: Vec<Diagnostic>,
    /// The windows and their parsed workloads, when the whole input was small enough to keep.
    kept: Option<Vec<(usize, Source, Scanned)>>,
}

/// Err: the input is a KRM ResourceList (read whole).
fn first_pass(
    input: &InputArgs,
    origins: &[Origin],
    stdin_copy: &mut Spill,
    krm: bool,
) -> Result<FirstPass, Source> {
    let limits = app::limits(input);
    let krm_possible = krm && origins.len() == 1 && origins[0] == Origin::Stdin;
    let mut fp = FirstPass {
        inputs: Vec::with_capacity(origins.len()),
        ctx: StreamContext::default(),
        candidates: Vec::with_capacity(origins.len()),
        configs: Vec::new(),
        errors: Vec::new(),
        kept: Some(Vec::new()),
    };
    let mut kept_bytes = 0usize;
    let window = window_bytes();
    // Windows of several inputs (many small files) are parsed together, on every core.
    let mut batch: Vec<(usize, Source, bool)> = Vec::new();
    let mut batch_bytes = 0usize;
    for (si, origin) in origins.iter().enumerate() {
        let name = origin.name();
        let mut hasher = std::hash::DefaultHasher::new();
        let mut windows = match windows(origin, &name, stdin_copy, true, input) {
            Ok(w) => w,
            Err(e) => {
                fp.errors.push(e);
                continue;
            }
        };
        let mut first = true;
        loop {
            let src = match windows.next_window() {
                Ok(Some(src)) => src,
                Ok(None) => break,
                Err(e) => {
                    fp.errors.push(e);
                    break;
                }
            };
            if first && krm_possible && crate::krm::is_resource_list(&src.text) {
                // A KRM function's input is one ResourceList: read the rest and hand it over.
                let mut whole = src;
                loop {
                    match windows.next_window() {
                        Ok(Some(more)) => whole.text.push_str(&more.text),
                        Ok(None) => break,
                        Err(e) => {
                            fp.errors.push(e);
                            return Ok(fp);
                        }
                    }
                }
                return Err(whole);
            }
            first = false;
            hasher.write(src.text.as_bytes());
            let keep = fp.kept.is_some() && kept_bytes + src.text.len() <= window;
            if !keep {
                fp.kept = None;
            }
            kept_bytes += src.text.len();
            batch_bytes += src.text.len();
            batch.push((si, src, keep));
            if batch_bytes >= window {
                fp.absorb_batch(&mut batch, &limits, input.namespace.as_deref());
                batch_bytes = 0;
            }
        }
        fp.inputs.push(InputSeen {
            origin: origin.clone(),
            name,
            hash: hasher.finish(),
        });
    }
    fp.absorb_batch(&mut batch, &limits, input.namespace.as_deref());
    Ok(fp)
}

impl FirstPass {
    /// Parses a batch of windows in parallel, then learns from them in order.
    fn absorb_batch(
        &mut self,
        batch: &mut Vec<(usize, Source, bool)>,
        limits: &Limits,
        namespace: Option<&str>,
    ) {
        use rayon::prelude::*;
        let parsed: Vec<app::SourceParse> = batch
            .par_iter()
            .map(|(si, src, keep)| app::parse_source(src, *si, limits, *keep))
            .collect();
        for ((si, src, _), parse) in batch.drain(..).zip(parsed) {
            let mut scanned = app::absorb(parse, namespace, &mut self.ctx);
            self.errors.append(&mut scanned.errors);
            if self.candidates.len() <= si {
                self.candidates.resize_with(si + 1, DocSet::default);
            }
            for &di in &scanned.candidates {
                self.candidates[si].insert(scanned.refs[di].number);
            }
            for (di, p) in std::mem::take(&mut scanned.configs) {
                let d = &scanned.refs[di];
                let place = format!("{} (document {})", src.name, d.number);
                self.configs
                    .push((place, pipeline::config_from(&src, d, &p)));
            }
            if let Some(kept) = &mut self.kept {
                kept.push((si, src, scanned));
            }
        }
    }
}

/// What receives the rendered windows of the second pass, in input order.
pub trait Output {
    /// Input `index` (of `count`) starts.
    fn start_input(&mut self, index: usize, count: usize) -> Result<(), Diagnostic>;
    /// The next window of the current input and what rendering it gave.
    fn window(
        &mut self,
        src: &Source,
        refs: &[pipeline::DocRef],
        rendered: &app::SourceRendered,
    ) -> Result<(), Diagnostic>;
    /// The current input ends.
    fn end_input(&mut self) -> Result<(), Diagnostic>;
}

/// The messages of a run that went through: report lines and warnings (as text, spilled to a
/// temporary file when large: a multi-GB stream has millions of them), and workload errors (the
/// run fails when there are any, and the output must then be dropped).
#[derive(Default)]
pub struct Messages {
    pub report: Spill,
    pub warnings: Spill,
    pub errors: Vec<Diagnostic>,
}

impl Messages {
    fn warn(&mut self, w: &Diagnostic) -> Result<(), Diagnostic> {
        app::print_warning(&mut self.warnings, w).map_err(app::io_error)
    }

    fn add(&mut self, r: &mut app::SourceRendered) -> Result<(), Diagnostic> {
        for line in r.report.drain(..) {
            writeln!(self.report, "{line}").map_err(app::io_error)?;
        }
        for w in r.warnings.drain(..) {
            self.warn(&w)?;
        }
        self.errors.append(&mut r.errors);
        Ok(())
    }

    /// Prints the errors, then the warnings (as [`app::fail`] does); returns exit code 2.
    pub fn fail(mut self, color: bool) -> ExitCode {
        let mut err = std::io::stderr().lock();
        for d in &self.errors {
            let _ = write!(err, "{}", d.render(color));
        }
        if let Ok(mut r) = self.warnings.reader() {
            let _ = std::io::copy(&mut r, &mut err);
        }
        app::print_error_count(&mut err, &self.errors);
        ExitCode::from(app::EXIT_ERROR)
    }

    /// Prints the warnings, and the report if asked, to stderr.
    pub fn print(&mut self, report: bool) -> std::io::Result<()> {
        let mut err = std::io::stderr().lock();
        std::io::copy(&mut self.warnings.reader()?, &mut err)?;
        if report {
            std::io::copy(&mut self.report.reader()?, &mut err)?;
        }
        Ok(())
    }
}

/// How a streamed run ended.
pub enum Streamed {
    Done(Messages),
    /// Standard input is a KRM ResourceList (read whole): the caller runs the KRM function.
    Krm(Source),
    Failed(Vec<Diagnostic>),
}

/// Runs both passes over the inputs, handing each rendered window to `out`.
pub fn stream(input: &InputArgs, normalize: bool, krm: bool, out: &mut dyn Output) -> Streamed {
    let (given, origins) = match app::prepare(input, false) {
        Ok(x) => x,
        Err(e) => return Streamed::Failed(e),
    };
    let mut stdin_copy = Spill::default();
    let fp = match first_pass(input, &origins, &mut stdin_copy, krm) {
        Ok(fp) => fp,
        Err(src) => return Streamed::Krm(src),
    };
    if !fp.errors.is_empty() {
        return Streamed::Failed(fp.errors);
    }
    let FirstPass {
        inputs,
        ctx,
        candidates,
        configs,
        kept,
        ..
    } = fp;
    let given = given.map(|(read, _)| read);
    let (config, config_warnings) = match app::resolve_config(given, configs, |r| r) {
        Ok(c) => c,
        Err(e) => return Streamed::Failed(e),
    };
    let opts = match app::options(input) {
        Ok(o) => o,
        Err(e) => return Streamed::Failed(vec![e]),
    };
    let processor = Processor {
        otel: config.active(),
        ctx: &ctx,
        opts: &opts,
        normalize,
    };
    let mut messages = Messages::default();
    for w in &config_warnings {
        if let Err(e) = messages.warn(w) {
            return Streamed::Failed(vec![e]);
        }
    }
    let count = inputs.len();
    let result = match kept {
        Some(mut kept) => (|| {
            use rayon::prelude::*;
            // Every window is in memory: render them all on every core, then output in order.
            let rendered: Vec<app::SourceRendered> = kept
                .par_iter_mut()
                .map(|(_, src, scanned)| {
                    let candidates: HashSet<usize> = scanned.candidates.iter().copied().collect();
                    let parsed: HashMap<usize, &mut pipeline::Parsed> =
                        scanned.parsed.iter_mut().map(|(di, p)| (*di, p)).collect();
                    app::render_source(
                        &processor,
                        src,
                        &scanned.refs,
                        |di| candidates.contains(&di),
                        parsed,
                        input,
                    )
                })
                .collect();
            let mut order = InOrder::new(count);
            for ((si, src, scanned), mut r) in kept.into_iter().zip(rendered) {
                order.window(out, &mut messages, si, &src, &scanned.refs, &mut r)?;
            }
            order.finish(out)
        })(),
        None => second_pass(
            &processor,
            input,
            &inputs,
            &candidates,
            &mut stdin_copy,
            out,
            &mut messages,
        ),
    };
    match result {
        Ok(()) => Streamed::Done(messages),
        Err(e) => Streamed::Failed(vec![e]),
    }
}

/// Joins the rendered inputs into one YAML stream.
struct YamlOutput<W>(Joiner<W>);

impl<W: Write> Output for YamlOutput<W> {
    fn start_input(&mut self, _index: usize, count: usize) -> Result<(), Diagnostic> {
        self.0.single = count == 1;
        self.0.start_input();
        Ok(())
    }

    fn window(
        &mut self,
        src: &Source,
        refs: &[pipeline::DocRef],
        r: &app::SourceRendered,
    ) -> Result<(), Diagnostic> {
        self.0
            .push(&app::source_text(src, refs, &r.texts))
            .map_err(app::io_error)
    }

    fn end_input(&mut self) -> Result<(), Diagnostic> {
        Ok(())
    }
}

/// Runs `inject` as a pipe to stdout.
pub fn run(args: &InjectArgs) -> ExitCode {
    let color = app::use_color(args.input.color);
    let mut out = Spill::default();
    let mut yaml = YamlOutput(Joiner::new(&mut out, true));
    let messages = match stream(&args.input, args.normalize, true, &mut yaml) {
        Streamed::Done(m) => m,
        Streamed::Krm(src) => return crate::krm::run(src, args),
        Streamed::Failed(e) => return app::fail(&e, color),
    };
    let mut messages = messages;
    if !messages.errors.is_empty() {
        return messages.fail(color);
    }
    if let Err(e) = copy_to_stdout(&mut out) {
        return app::fail(&[e], color);
    }
    if !args.quiet {
        let _ = messages.print(true);
    }
    ExitCode::from(app::EXIT_OK)
}

/// Reads every input again, a window at a time, and renders it. Windows of several inputs are
/// rendered together, on every core; the output keeps the input order.
fn second_pass(
    processor: &Processor,
    input: &InputArgs,
    inputs: &[InputSeen],
    candidates: &[DocSet],
    stdin_copy: &mut Spill,
    out: &mut dyn Output,
    messages: &mut Messages,
) -> Result<(), Diagnostic> {
    let window = window_bytes();
    let mut batch: Vec<(usize, Source, Vec<pipeline::DocRef>)> = Vec::new();
    let mut batch_bytes = 0usize;
    let mut order = InOrder::new(inputs.len());
    let mut flush = |batch: &mut Vec<(usize, Source, Vec<pipeline::DocRef>)>| {
        use rayon::prelude::*;
        let rendered: Vec<app::SourceRendered> = batch
            .par_iter()
            .map(|(si, src, refs)| {
                app::render_source(
                    processor,
                    src,
                    refs,
                    |di| {
                        candidates
                            .get(*si)
                            .is_some_and(|c| c.contains(src.first_doc + di + 1))
                    },
                    HashMap::new(),
                    input,
                )
            })
            .collect();
        for ((si, src, refs), mut r) in batch.drain(..).zip(rendered) {
            order.window(out, messages, si, &src, &refs, &mut r)?;
        }
        Ok::<(), Diagnostic>(())
    };
    for (si, seen) in inputs.iter().enumerate() {
        let mut windows = windows(&seen.origin, &seen.name, stdin_copy, false, input)?;
        let mut hasher = std::hash::DefaultHasher::new();
        while let Some(src) = windows.next_window()? {
            hasher.write(src.text.as_bytes());
            let refs = pipeline::split(&src, si)?;
            batch_bytes += src.text.len();
            batch.push((si, src, refs));
            if batch_bytes >= window {
                flush(&mut batch)?;
                batch_bytes = 0;
            }
        }
        if hasher.finish() != seen.hash {
            return Err(Diagnostic::error(
                "io",
                format!(
                    "{} changed while it was being read; nothing was written",
                    seen.name
                ),
            )
            .with_help("run again once the file is no longer being written"));
        }
    }
    flush(&mut batch)?;
    order.finish(out)
}

/// Hands rendered windows to an [`Output`] with the input boundaries between them.
struct InOrder {
    current: Option<usize>,
    count: usize,
}

impl InOrder {
    fn new(count: usize) -> Self {
        InOrder {
            current: None,
            count,
        }
    }

    fn window(
        &mut self,
        out: &mut dyn Output,
        messages: &mut Messages,
        si: usize,
        src: &Source,
        refs: &[pipeline::DocRef],
        r: &mut app::SourceRendered,
    ) -> Result<(), Diagnostic> {
        if self.current != Some(si) {
            if self.current.is_some() {
                out.end_input()?;
            }
            self.current = Some(si);
            out.start_input(si, self.count)?;
        }
        out.window(src, refs, r)?;
        messages.add(r)
    }

    fn finish(self, out: &mut dyn Output) -> Result<(), Diagnostic> {
        match self.current {
            Some(_) => out.end_input(),
            None => Ok(()),
        }
    }
}

fn copy_to_stdout(out: &mut Spill) -> Result<(), Diagnostic> {
    let mut reader = out.reader().map_err(app::io_error)?;
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match std::io::copy(&mut reader, &mut lock).and_then(|_| lock.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map(|_| ()).map_err(app::io_error),
    }
}
