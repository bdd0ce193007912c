//! The outputs of the driver that write manifests: the joined YAML stream, the JSON `List`
//! (written as it streams), and `--in-place` (each changed file staged beside itself, then all
//! renamed over their targets once the whole run went through).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::diag::{Code, Diagnostic};
use crate::input::{Origin, Source};
use crate::pipe::Output;
use crate::pipeline::{self, SourceRendered};
use crate::report::io_error;
use crate::window::Spill;
use crate::yaml::stream;
use crate::yaml::tree::Limits;

/// Joins the outputs of several inputs into one stream, as `kubectl` would read them.
pub struct Joiner<W> {
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

/// Joins the rendered inputs into one YAML stream.
pub struct YamlOutput<W> {
    joiner: Joiner<W>,
    /// Standard input was a KRM ResourceList: the KRM function answers instead.
    pub resource_list: Option<Source>,
}

impl<W: Write> YamlOutput<W> {
    pub fn new(out: W) -> Self {
        YamlOutput {
            joiner: Joiner::new(out, true),
            resource_list: None,
        }
    }
}

impl<W: Write> Output for YamlOutput<W> {
    fn start_input(
        &mut self,
        _index: usize,
        count: usize,
        _src: &Source,
    ) -> Result<(), Diagnostic> {
        self.joiner.single = count == 1;
        self.joiner.start_input();
        Ok(())
    }

    fn window(
        &mut self,
        src: &Source,
        refs: &[pipeline::DocRef],
        r: &mut SourceRendered,
    ) -> Result<(), Diagnostic> {
        // Piece by piece: the joiner reads the window as the concatenation of its pushes.
        if src.bom {
            self.joiner.push(stream::BOM).map_err(io_error)?;
        }
        for (d, t) in refs.iter().zip(&r.texts) {
            let text = t.as_deref().unwrap_or(&src.text[d.range.clone()]);
            self.joiner.push(text).map_err(io_error)?;
        }
        Ok(())
    }

    fn resource_list(&mut self, src: Source) {
        self.resource_list = Some(src);
    }
}

/// Writes the documents as JSON as they are rendered: the object itself for one document, a
/// `v1 List` of all documents otherwise (as `serde_json::to_string_pretty` writes it).
pub struct JsonOutput<'a, W> {
    out: W,
    limits: &'a Limits,
    /// Standard input was a KRM ResourceList: the KRM function answers instead.
    pub resource_list: Option<Source>,
    /// The first document (pretty JSON), held until a second one shows that a List is needed.
    first: Option<String>,
    /// Documents written into the List so far.
    items: usize,
}

/// A pretty JSON text indented as an item of the List's `items`.
fn as_item(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str("    ");
        s.push_str(line);
    }
    s
}

const LIST_START: &[u8] = b"{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n";

impl<'a, W: Write> JsonOutput<'a, W> {
    pub fn new(out: W, limits: &'a Limits) -> Self {
        JsonOutput {
            out,
            limits,
            resource_list: None,
            first: None,
            items: 0,
        }
    }

    fn item(&mut self, text: &str) -> std::io::Result<()> {
        let sep: &[u8] = if self.items == 0 { LIST_START } else { b",\n" };
        self.items += 1;
        let mut buf = Vec::with_capacity(sep.len() + text.len() + text.len() / 8);
        buf.extend_from_slice(sep);
        buf.extend_from_slice(as_item(text).as_bytes());
        self.out.write_all(&buf)
    }

    fn push(&mut self, text: String) -> std::io::Result<()> {
        if self.items == 0 && self.first.is_none() {
            self.first = Some(text);
            return Ok(());
        }
        if let Some(first) = self.first.take() {
            self.item(&first)?;
        }
        self.item(&text)
    }

    /// Closes the List (or writes the one document).
    pub fn finish(&mut self) -> std::io::Result<()> {
        match self.first.take() {
            Some(text) => {
                self.out.write_all(text.as_bytes())?;
                self.out.write_all(b"\n")
            }
            None if self.items == 0 => self.out.write_all(
                b"{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": []\n}\n",
            ),
            None => self.out.write_all(b"\n  ]\n}\n"),
        }
    }
}

impl<W: Write> Output for JsonOutput<'_, W> {
    fn window(
        &mut self,
        src: &Source,
        refs: &[pipeline::DocRef],
        r: &mut SourceRendered,
    ) -> Result<(), Diagnostic> {
        let limits = self.limits;
        // Documents are read back and written as JSON on every core, then output in order.
        let pairs: Vec<_> = refs.iter().zip(&r.texts).collect();
        let texts: Vec<Result<Option<String>, Diagnostic>> =
            crate::par::map(&pairs, src.text.len(), |&(d, t)| {
                let value = match t {
                    // The rendered text, read back: what is written is what the YAML output holds.
                    Some(text) => {
                        let tmp = Source {
                            text: text.clone(),
                            ..src.clone_meta()
                        };
                        let d2 = pipeline::DocRef {
                            range: 0..text.len(),
                            ..d.clone()
                        };
                        pipeline::parse(&tmp, &d2, limits)?.into_parts().0
                    }
                    None => pipeline::parse(src, d, limits)?.into_parts().0,
                };
                if value.is_null() {
                    return Ok(None);
                }
                serde_json::to_string_pretty(&value)
                    .map(Some)
                    .map_err(|e| io_error(std::io::Error::other(e)))
            });
        for t in texts {
            if let Some(text) = t? {
                self.push(text).map_err(io_error)?;
            }
        }
        Ok(())
    }

    fn resource_list(&mut self, src: Source) {
        self.resource_list = Some(src);
    }
}

/// `--in-place`: each input file is written to a temporary file beside it as its windows are
/// rendered, from its first changed window on (the bytes before it are copied from the file);
/// [`InPlace::commit`] renames them over their targets once the whole run went through, so a
/// failing run writes nothing. Files that do not change are never touched.
#[derive(Default)]
pub struct InPlace {
    current: Option<Staging>,
    staged: Vec<(tempfile::TempPath, PathBuf)>,
}

struct Staging {
    path: PathBuf,
    /// Bytes of the input before the current window.
    before: u64,
    file: Option<(
        std::fs::File,
        tempfile::TempPath,
        PathBuf,
        std::fs::Permissions,
    )>,
}

impl InPlace {
    /// Renames every staged file over its target.
    pub fn commit(self) -> Result<(), Diagnostic> {
        for (tmp, target) in self.staged {
            tmp.persist(&target).map_err(|e| {
                Diagnostic::error(
                    Code::Io,
                    format!("cannot replace {}: {}", target.display(), e.error),
                )
            })?;
        }
        Ok(())
    }
}

impl Output for InPlace {
    fn start_input(
        &mut self,
        _index: usize,
        _count: usize,
        src: &Source,
    ) -> Result<(), Diagnostic> {
        self.current = match &src.origin {
            Origin::File(p) => Some(Staging {
                path: p.clone(),
                before: 0,
                file: None,
            }),
            // Refused when the settings are built: `--in-place` never reads stdin.
            Origin::Stdin => None,
        };
        Ok(())
    }

    fn window(
        &mut self,
        src: &Source,
        refs: &[pipeline::DocRef],
        r: &mut SourceRendered,
    ) -> Result<(), Diagnostic> {
        let Some(st) = &mut self.current else {
            return Ok(());
        };
        let bom = if src.bom { stream::BOM } else { "" };
        let old_len = (bom.len() + src.text.len()) as u64;
        let changed = r.texts.iter().any(Option::is_some);
        // Until a byte changes, nothing is staged: the file may stay as it is.
        if st.file.is_some() || changed {
            let new = pipeline::source_text(src, refs, &r.texts);
            let same = new.len() == bom.len() + src.text.len() && new[bom.len()..] == src.text;
            if st.file.is_none() && !same {
                st.file = Some(stage(&st.path, st.before)?);
            }
            if let Some((file, _, target, _)) = &mut st.file {
                file.write_all(new.as_bytes())
                    .map_err(|e| cannot_write(target, e))?;
            }
        }
        st.before += old_len;
        Ok(())
    }

    fn end_input(&mut self) -> Result<(), Diagnostic> {
        let Some(st) = self.current.take() else {
            return Ok(());
        };
        if let Some((file, tmp, target, perms)) = st.file {
            file.sync_all()
                .and_then(|_| std::fs::set_permissions(&tmp, perms))
                .map_err(|e| cannot_write(&target, e))?;
            self.staged.push((tmp, target));
        }
        Ok(())
    }
}

fn cannot_write(target: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::Io,
        format!(
            "cannot write {}: {e}; nothing was written",
            target.display()
        ),
    )
}

/// A temporary file beside the target (following symlinks), holding the target's first `before`
/// bytes (what did not change), with the target's permissions to be set when it is complete.
#[allow(clippy::type_complexity)]
fn stage(
    path: &Path,
    before: u64,
) -> Result<
    (
        std::fs::File,
        tempfile::TempPath,
        PathBuf,
        std::fs::Permissions,
    ),
    Diagnostic,
> {
    let target = std::fs::canonicalize(path).map_err(|e| {
        Diagnostic::error(Code::Io, format!("cannot resolve {}: {e}", path.display()))
    })?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let meta = std::fs::metadata(&target).map_err(|e| {
        Diagnostic::error(Code::Io, format!("cannot read {}: {e}", target.display()))
    })?;
    if meta.permissions().readonly() {
        return Err(Diagnostic::error(
            Code::Io,
            format!("{} is read-only; nothing was written", path.display()),
        )
        .with_help("make it writable, or write to stdout instead of --in-place"));
    }
    let tmp = tempfile::Builder::new()
        .prefix(".kubeopencode-inject.")
        .tempfile_in(dir)
        .map_err(|e| {
            Diagnostic::error(
                Code::Io,
                format!("cannot create a temporary file in {}: {e}", dir.display()),
            )
        })?;
    let (mut file, tmp) = tmp.into_parts();
    let copied =
        std::fs::File::open(&target).and_then(|f| std::io::copy(&mut f.take(before), &mut file));
    match copied {
        Ok(n) if n == before => Ok((file, tmp, target, meta.permissions())),
        Ok(_) => Err(Diagnostic::error(
            Code::Io,
            format!(
                "{} changed while it was being read; nothing was written",
                target.display()
            ),
        )),
        Err(e) => Err(cannot_write(&target, e)),
    }
}

pub fn copy_to_stdout(out: &mut Spill) -> Result<(), Diagnostic> {
    let mut reader = out.reader().map_err(io_error)?;
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match std::io::copy(&mut reader, &mut lock).and_then(|_| lock.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map(|_| ()).map_err(io_error),
    }
}
