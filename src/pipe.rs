//! The one driver: every front end (the YAML pipe, `-o json`, `--in-place`, `diff`, `check`, the
//! KRM function) is an [`Output`] of it, in memory that follows the window and the largest
//! document, not the stream.
//!
//! Two passes over windows of the input ([`crate::window`]):
//! 1. every document is parsed and checked, and the stream's context (the config, Tasks, Agents)
//!    is learned; standard input is copied to a [`Spill`] on the way;
//! 2. each window is read again, its workloads planned and rendered, and handed to an [`Output`]
//!    (the joined YAML or the diff, staged in a [`Spill`]).
//!
//! The output reaches stdout only when both passes found no error, so a failing run writes
//! nothing. When the whole input fits in one window, the first pass keeps its windows, and the
//! second pass reads nothing again (it parses the workloads, which are never kept parsed: at
//! 1,000 resources keeping them doubled the peak RSS and cost a third of the time in page faults).

use std::collections::HashSet;
use std::io::{Read, Write};

use crate::diag::{Code, Diagnostic};
use crate::engine::StreamContext;
use crate::input::{Origin, Source};
use crate::lint::SecretIndex;
use crate::pipeline::{self, Processor, Resolved, Scanned, SourceRendered};
use crate::report::io_error;
use crate::settings::Settings;
use crate::window::{Spill, Windows};
use crate::yaml::tree::Limits;

/// The windows of an input: a file (opened again for each pass), or stdin (read on the first
/// pass, `stdin_copy` None; its windows are copied then, and read back from the copy later).
fn windows<'a>(
    origin: &Origin,
    name: &str,
    stdin_copy: Option<&'a mut Spill>,
    settings: &Settings,
) -> Result<Windows<Box<dyn Read + 'a>>, Diagnostic> {
    let cannot =
        |e: std::io::Error| Diagnostic::error(Code::Io, format!("cannot read {name}: {e}"));
    let reader: Box<dyn Read + 'a> = match origin {
        Origin::File(p) => Box::new(std::fs::File::open(p).map_err(cannot)?),
        Origin::Stdin => match stdin_copy {
            None => Box::new(std::io::stdin().lock()),
            Some(copy) => copy.reader().map_err(cannot)?,
        },
    };
    Ok(Windows::with_target(
        reader,
        origin.clone(),
        name.to_string(),
        settings.window_bytes,
    )
    .with_max_document(settings.limits.max_document_bytes))
}

/// True when the first document of an input's first window is a KRM ResourceList. The first
/// window always holds the whole first document (windows are cut only between documents).
fn first_is_resource_list(src: &Source, limits: &Limits) -> bool {
    let Ok(refs) = pipeline::split(src) else {
        return false;
    };
    refs.iter()
        .map(|d| pipeline::parse(src, d, limits))
        .find(|p| !matches!(p, Ok(p) if p.doc().is_null()))
        .is_some_and(|p| p.is_ok_and(|p| crate::krm::is_resource_list(&p.value())))
}

/// A window followed by the rest of its input, as one text.
fn read_rest<R: Read>(mut whole: Source, windows: &mut Windows<R>) -> Result<Source, Diagnostic> {
    while let Some(more) = windows.next_window()? {
        whole.text.push_str(&more.text);
    }
    Ok(whole)
}

/// What the first pass learned about one input.
struct InputSeen {
    origin: Origin,
    name: String,
    /// A hash of the text, to notice a file that changes between the passes.
    hash: u64,
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
    configs: Vec<(String, Result<Resolved, Vec<Diagnostic>>)>,
    secrets: SecretIndex,
    errors: Vec<Diagnostic>,
    /// Documents that are not empty, in every input.
    documents: usize,
    /// The windows and what scanning them found, when the whole input was small enough to keep.
    kept: Option<Vec<(usize, Source, Scanned)>>,
    /// The input is stdin alone, in one window that is kept: it was not copied for a second
    /// reading (the second pass renders what is kept, the failure path reads it there too).
    stdin_kept_only: bool,
}

/// Appends a window of stdin to its copy, as its bytes were read (a BOM, then the text).
fn copy_window(copy: &mut Spill, src: &Source) -> Result<(), Diagnostic> {
    let bom: &[u8] = if src.bom { b"\xEF\xBB\xBF" } else { b"" };
    copy.write_all(bom)
        .and_then(|()| copy.write_all(src.text.as_bytes()))
        .map_err(|e| Diagnostic::error(Code::Io, format!("cannot read {}: {e}", src.name)))
}

/// Err: the input is a KRM ResourceList (read whole).
fn first_pass(settings: &Settings, stdin_copy: &mut Spill) -> Result<FirstPass, Source> {
    let limits = &settings.limits;
    let origins = &settings.inputs;
    let mut fp = FirstPass {
        inputs: Vec::with_capacity(origins.len()),
        ctx: StreamContext::default(),
        candidates: Vec::with_capacity(origins.len()),
        configs: Vec::new(),
        secrets: SecretIndex::default(),
        errors: Vec::new(),
        documents: 0,
        kept: Some(Vec::new()),
        stdin_kept_only: false,
    };
    let stdin_alone = origins.len() == 1 && origins[0] == Origin::Stdin;
    let krm_possible = settings.krm && stdin_alone;
    let mut kept_bytes = 0usize;
    let window = settings.window_bytes;
    let namespace = settings.options.namespace.as_deref();
    // Windows of several inputs (many small files) are parsed together, on every core, on a
    // thread of their own while the main thread reads the next batch; they are learned from in
    // input order.
    type Batch = Vec<(usize, Source)>;
    // With each window, the documents its reader found in it.
    type Reading = Vec<(usize, Source, Option<Vec<crate::yaml::stream::Chunk>>)>;
    let parse = |batch: Reading| -> (Batch, Vec<pipeline::SourceParse>) {
        let bytes = batch.iter().map(|(_, src, _)| src.text.len()).sum();
        crate::par::map_owned(batch, bytes, |(si, src, chunks)| {
            let parsed = pipeline::parse_source(&src, chunks, limits);
            ((si, src), parsed)
        })
        .into_iter()
        .unzip()
    };
    std::thread::scope(|scope| {
        // A full batch goes to the worker; the one parsed before it is learned from.
        let mut parsing = crate::par::Overlap::default();
        let mut batch: Reading = Vec::new();
        let mut batch_bytes = 0usize;
        for (si, origin) in origins.iter().enumerate() {
            let name = origin.name();
            let mut hasher = crate::window::Fingerprint::default();
            let mut windows = match windows(origin, &name, None, settings) {
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
                if first && krm_possible && first_is_resource_list(&src, limits) {
                    // A KRM function's input is one ResourceList: read the rest and hand it over.
                    return match read_rest(src, &mut windows) {
                        Ok(whole) => Err(whole),
                        Err(e) => {
                            fp.errors.push(e);
                            Ok(())
                        }
                    };
                }
                let first_window = std::mem::replace(&mut first, false);
                hasher.write(src.text.as_bytes());
                let keep = fp.kept.is_some() && kept_bytes + src.text.len() <= window;
                if !keep {
                    fp.kept = None;
                }
                if *origin == Origin::Stdin {
                    // A stdin that is one kept window is never read again: no copy (the copy
                    // was 4% of a run over 1,000 resources from stdin).
                    if stdin_alone && first_window && keep && windows.finished() {
                        fp.stdin_kept_only = true;
                    } else if let Err(e) = copy_window(stdin_copy, &src) {
                        fp.errors.push(e);
                        break;
                    }
                }
                kept_bytes += src.text.len();
                batch_bytes += src.text.len();
                batch.push((si, src, windows.take_chunks()));
                if batch_bytes >= window {
                    if let Some((b, p)) = parsing.push(scope, std::mem::take(&mut batch), &parse) {
                        fp.absorb(b, p, namespace);
                    }
                    batch_bytes = 0;
                }
            }
            fp.inputs.push(InputSeen {
                origin: origin.clone(),
                name,
                hash: hasher.finish(),
            });
        }
        for (b, p) in parsing.push_last(scope, batch, &parse) {
            fp.absorb(b, p, namespace);
        }
        Ok(())
    })?;
    Ok(fp)
}

impl FirstPass {
    /// Learns from a batch of parsed windows, in order.
    fn absorb(
        &mut self,
        batch: Vec<(usize, Source)>,
        parsed: Vec<pipeline::SourceParse>,
        namespace: Option<&str>,
    ) {
        for ((si, src), parse) in batch.into_iter().zip(parsed) {
            let mut scanned = pipeline::absorb(parse, namespace, &mut self.ctx, &mut self.secrets);
            self.errors.append(&mut scanned.errors);
            self.documents += scanned.documents;
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
                    .push((place, pipeline::resolved_from(&src, d, p)));
            }
            if let Some(kept) = &mut self.kept {
                kept.push((si, src, scanned));
            }
        }
    }
}

/// What the first pass learned, handed to an [`Output`] before the second pass.
pub struct Begin<'a> {
    pub config: &'a Resolved,
    /// The Secrets of the whole input.
    pub secrets: &'a SecretIndex,
}

/// What receives the rendered windows of the second pass, in input order: the joined YAML, the
/// JSON List, the rewritten files, the diff, the findings of `check`.
pub trait Output {
    /// The config is known; the second pass starts.
    fn begin(&mut self, _run: &Begin) -> Result<(), Diagnostic> {
        Ok(())
    }
    /// Input `index` (of `count`) starts; `src` is its first window.
    fn start_input(
        &mut self,
        _index: usize,
        _count: usize,
        _src: &Source,
    ) -> Result<(), Diagnostic> {
        Ok(())
    }
    /// The next window of the current input and what rendering it gave (what the output takes
    /// out of it, e.g. the findings of `check`, is not reported again).
    fn window(
        &mut self,
        src: &Source,
        refs: &[pipeline::DocRef],
        rendered: &mut SourceRendered,
    ) -> Result<(), Diagnostic>;
    /// The current input ends.
    fn end_input(&mut self) -> Result<(), Diagnostic> {
        Ok(())
    }
    /// Standard input is a KRM ResourceList, read whole (asked only when [`Settings::krm`] is
    /// set): the output keeps it for the KRM function.
    fn resource_list(&mut self, _src: Source) {}
    /// What the output does with each document on the worker that renders it (`check` lints
    /// it there); asked once, after [`Output::begin`].
    fn hook(&mut self) -> Option<Box<dyn pipeline::DocHook>> {
        None
    }
}

/// The messages of a run that went through: report lines and warnings (as text, spilled to a
/// temporary file when large: a multi-GB stream has millions of them), and workload errors (the
/// run fails when there are any, and the output must then be dropped).
#[derive(Default)]
pub struct Messages {
    pub report: Spill,
    pub warnings: Spill,
    pub errors: Vec<Diagnostic>,
    /// Report lines start with their file's name (`--in-place`).
    pub name_files: bool,
    /// Warnings are not written (`-q`). False by default, so that a `Messages` built anywhere
    /// keeps them.
    pub drop_warnings: bool,
}

impl Messages {
    fn warn(&mut self, w: &Diagnostic) -> Result<(), Diagnostic> {
        if self.drop_warnings {
            return Ok(());
        }
        crate::report::write_warning(&mut self.warnings, w).map_err(io_error)
    }

    fn add(&mut self, src: &Source, r: &mut SourceRendered) -> Result<(), Diagnostic> {
        for line in r.report.drain(..) {
            if self.name_files {
                write!(self.report, "{}: ", src.name).map_err(io_error)?;
            }
            writeln!(self.report, "{line}").map_err(io_error)?;
        }
        for w in r.warnings.drain(..) {
            self.warn(&w)?;
        }
        self.errors.append(&mut r.errors);
        self.errors.append(&mut r.unreadable);
        Ok(())
    }

    /// Prints the errors, then the warnings (as [`crate::report::fail`] does).
    pub fn fail(mut self, colors: crate::report::Colors) -> crate::report::Exit {
        let mut err = std::io::stderr().lock();
        for d in &self.errors {
            let _ = crate::report::write_diagnostic(&mut err, d, colors.stderr);
        }
        if let Ok(mut r) = self.warnings.reader() {
            let _ = std::io::copy(&mut r, &mut err);
        }
        let _ = crate::report::write_error_count(&mut err, self.errors.len());
        crate::report::Exit::Error
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
    Failed(Vec<Diagnostic>),
}

/// The errors of a failed first pass, with those of the workloads it did not parse, in input
/// and document order.
///
/// The first pass reads only a workload's kind (the second pass parses it), so a syntax error in
/// a workload is found only by the second pass, which a failed first pass never reaches. Here,
/// on the failure path only, the inputs are read again and those workloads parsed, so that one
/// run reports every error.
fn with_candidate_errors(
    settings: &Settings,
    fp: &FirstPass,
    stdin_copy: &mut Spill,
) -> Vec<Diagnostic> {
    let names: Vec<String> = settings.inputs.iter().map(Origin::name).collect();
    let key = |d: &Diagnostic| {
        let si = d
            .file
            .as_ref()
            .and_then(|f| names.iter().position(|n| n == f))
            .unwrap_or(0);
        (si, d.document.unwrap_or(0))
    };
    let mut keyed: Vec<((usize, usize), Diagnostic)> =
        fp.errors.iter().map(|e| (key(e), e.clone())).collect();
    for (si, origin) in settings.inputs.iter().enumerate() {
        let Some(candidates) = fp.candidates.get(si) else {
            continue;
        };
        if fp.stdin_kept_only {
            // Its one window is kept, not copied: read it there.
            for (_, src, scanned) in fp.kept.iter().flatten() {
                keyed.extend(
                    candidate_errors(src, &scanned.refs, candidates, settings)
                        .map(|e| ((si, e.document.unwrap_or(0)), e)),
                );
            }
            continue;
        }
        let name = origin.name();
        // An input that could not be read again has its error from the first pass already.
        let Ok(mut windows) = windows(origin, &name, Some(&mut *stdin_copy), settings) else {
            continue;
        };
        while let Ok(Some(src)) = windows.next_window() {
            let Ok(refs) = pipeline::split_known(&src, windows.take_chunks()) else {
                break;
            };
            keyed.extend(
                candidate_errors(&src, &refs, candidates, settings)
                    .map(|e| ((si, e.document.unwrap_or(0)), e)),
            );
        }
    }
    // Stable: the first pass's errors keep their order among themselves.
    keyed.sort_by_key(|(k, _)| *k);
    keyed.into_iter().map(|(_, e)| e).collect()
}

/// The parse errors of a window's candidate workloads, in document order.
fn candidate_errors(
    src: &Source,
    refs: &[pipeline::DocRef],
    candidates: &DocSet,
    settings: &Settings,
) -> impl Iterator<Item = Diagnostic> {
    crate::par::map(refs, src.text.len(), |d| {
        if !candidates.contains(src.first_doc + d.index + 1) {
            return None;
        }
        pipeline::parse_in_place(src, d, &settings.limits).err()
    })
    .into_iter()
    .flatten()
}

/// Runs both passes over the inputs, handing each rendered window to `out`.
pub fn stream(settings: &Settings, out: &mut dyn Output) -> Streamed {
    let given = match settings.config.origin() {
        Some(origin) => match pipeline::read_config(&origin, &settings.limits) {
            Ok(c) => Some(c),
            Err(e) => return Streamed::Failed(e),
        },
        None => None,
    };
    let mut stdin_copy = Spill::default();
    let fp = match first_pass(settings, &mut stdin_copy) {
        Ok(fp) => fp,
        Err(src) => {
            out.resource_list(src);
            return Streamed::Done(Messages::default());
        }
    };
    if !fp.errors.is_empty() {
        let errors = with_candidate_errors(settings, &fp, &mut stdin_copy);
        return Streamed::Failed(errors);
    }
    let FirstPass {
        inputs,
        ctx,
        candidates,
        configs,
        kept,
        documents,
        secrets,
        ..
    } = fp;
    let mut early = Vec::new();
    if documents == 0 {
        let e = empty_input(settings.fail_on_empty);
        if settings.fail_on_empty {
            return Streamed::Failed(vec![e]);
        }
        early.push(e);
    }
    let config = match pipeline::resolve(given, configs) {
        Ok(c) => c,
        Err(mut e) => {
            e.extend(early);
            return Streamed::Failed(e);
        }
    };
    if let Err(e) = out.begin(&Begin {
        config: &config,
        secrets: &secrets,
    }) {
        return Streamed::Failed(vec![e]);
    }
    let hook = out.hook();
    let processor = Processor {
        otel: config.config.active(),
        ctx: &ctx,
        opts: &settings.options,
        normalize: settings.normalize,
        limits: &settings.limits,
        report: settings.report,
        hook: hook.as_deref(),
    };
    let mut messages = Messages {
        name_files: settings.report_files,
        drop_warnings: !settings.warnings,
        ..Messages::default()
    };
    for w in early.iter().chain(&config.warnings) {
        if let Err(e) = messages.warn(w) {
            return Streamed::Failed(vec![e]);
        }
    }
    let count = inputs.len();
    let result = match kept {
        Some(kept) => (|| {
            // Every window is in memory: render them all on every core, then output in order.
            let bytes = kept.iter().map(|(_, src, _)| src.text.len()).sum();
            let rendered = crate::par::map(&kept, bytes, |(_, src, scanned)| {
                let candidates: HashSet<usize> = scanned.candidates.iter().copied().collect();
                pipeline::render_source(&processor, src, &scanned.refs, |di| {
                    candidates.contains(&di)
                })
            });
            let mut order = InOrder::new(count);
            for ((si, src, scanned), mut r) in kept.into_iter().zip(rendered) {
                order.window(out, &mut messages, si, &src, &scanned.refs, &mut r)?;
            }
            order.finish(out)
        })(),
        None => second_pass(
            &processor,
            settings,
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

/// The input holds no documents: a warning, or with `--fail-on-empty` an error.
pub fn empty_input(fail: bool) -> Diagnostic {
    let severity = if fail {
        crate::engine::Severity::Error
    } else {
        crate::engine::Severity::Warning
    };
    let d = Diagnostic::new(severity, Code::EmptyInput, "the input holds no documents");
    if fail {
        d.with_help(
            "check the command that produces the manifests (in a shell pipe, `set -o pipefail`)",
        )
    } else {
        d.with_help("pass --fail-on-empty to make this an error (an empty output can make a GitOps tool prune everything)")
    }
}

/// Reads every input again, a window at a time, and renders it. Windows of several inputs are
/// rendered together, on every core; the output keeps the input order. The main thread reads the
/// next batch and writes the previous one while a batch renders, so reading, rendering and
/// writing overlap.
fn second_pass(
    processor: &Processor,
    settings: &Settings,
    inputs: &[InputSeen],
    candidates: &[DocSet],
    stdin_copy: &mut Spill,
    out: &mut dyn Output,
    messages: &mut Messages,
) -> Result<(), Diagnostic> {
    type Batch = Vec<(usize, Source, Vec<pipeline::DocRef>)>;
    let window = settings.window_bytes;
    let render = |batch: Batch| -> (Batch, Vec<SourceRendered>) {
        let bytes = batch.iter().map(|(_, src, _)| src.text.len()).sum();
        let rendered = crate::par::map(&batch, bytes, |(si, src, refs)| {
            pipeline::render_source(processor, src, refs, |di| {
                candidates
                    .get(*si)
                    .is_some_and(|c| c.contains(src.first_doc + di + 1))
            })
        });
        (batch, rendered)
    };
    let mut order = InOrder::new(inputs.len());
    let mut write = |(batch, rendered): (Batch, Vec<SourceRendered>)| {
        for ((si, src, refs), mut r) in batch.into_iter().zip(rendered) {
            order.window(out, messages, si, &src, &refs, &mut r)?;
        }
        Ok::<(), Diagnostic>(())
    };
    std::thread::scope(|scope| {
        // A full batch goes to the worker; the one rendered before it is written.
        let mut rendering = crate::par::Overlap::default();
        let mut batch: Batch = Vec::new();
        let mut batch_bytes = 0usize;
        for (si, seen) in inputs.iter().enumerate() {
            let mut windows = windows(&seen.origin, &seen.name, Some(&mut *stdin_copy), settings)?;
            let mut hasher = crate::window::Fingerprint::default();
            while let Some(src) = windows.next_window()? {
                hasher.write(src.text.as_bytes());
                let refs = pipeline::split_known(&src, windows.take_chunks())?;
                batch_bytes += src.text.len();
                batch.push((si, src, refs));
                if batch_bytes >= window {
                    if let Some(done) = rendering.push(scope, std::mem::take(&mut batch), &render) {
                        write(done)?;
                    }
                    batch_bytes = 0;
                }
            }
            if hasher.finish() != seen.hash {
                return Err(Diagnostic::error(
                    Code::Io,
                    format!(
                        "{} changed while it was being read; nothing was written",
                        seen.name
                    ),
                )
                .with_help("run again once the file is no longer being written"));
            }
        }
        for done in rendering.push_last(scope, batch, &render) {
            write(done)?;
        }
        Ok::<(), Diagnostic>(())
    })?;
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
        r: &mut SourceRendered,
    ) -> Result<(), Diagnostic> {
        if self.current != Some(si) {
            if self.current.is_some() {
                out.end_input()?;
            }
            self.current = Some(si);
            out.start_input(si, self.count, src)?;
        }
        out.window(src, refs, r)?;
        messages.add(src, r)
    }

    fn finish(self, out: &mut dyn Output) -> Result<(), Diagnostic> {
        match self.current {
            Some(_) => out.end_input(),
            None => Ok(()),
        }
    }
}
