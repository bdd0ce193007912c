//! Naming and decoding inputs: files, directories (optionally recursive, in a stable order) and
//! stdin. The reading itself is the window reader's (`window`).

use std::path::{Path, PathBuf};

use crate::diag::{Code, Diagnostic};

/// Where a text came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Stdin,
    File(PathBuf),
}

impl Origin {
    /// The name shown in reports and errors.
    pub fn name(&self) -> String {
        match self {
            Origin::Stdin => "<stdin>".to_string(),
            Origin::File(p) => p.display().to_string(),
        }
    }
}

/// One input text, decoded and with its BOM removed.
#[derive(Debug, Clone)]
pub struct Source {
    pub origin: Origin,
    /// The name shown in reports and errors.
    pub name: String,
    pub text: String,
    pub bom: bool,
    /// Lines of the input before this text (a window of a large stream starts past line 0).
    pub first_line: usize,
    /// Documents of the input before this text.
    pub first_doc: usize,
}

impl Source {
    /// An empty source named after its origin.
    pub fn named(origin: Origin) -> Source {
        Source {
            name: origin.name(),
            origin,
            text: String::new(),
            bom: false,
            first_line: 0,
            first_doc: 0,
        }
    }

    /// An empty text with this source's origin and name.
    pub fn clone_meta(&self) -> Source {
        Source {
            name: self.name.clone(),
            ..Source::named(self.origin.clone())
        }
    }
}

const EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

fn has_manifest_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Expands `-f` arguments into files, in order; directories list their manifests sorted by path.
pub fn expand(paths: &[PathBuf], recursive: bool) -> Result<Vec<Origin>, Diagnostic> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Origin::Stdin);
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| {
            Diagnostic::error(Code::Io, format!("cannot read {}: {e}", p.display()))
                .with_help("check the path given with -f")
        })?;
        if !meta.is_dir() {
            out.push(Origin::File(p.clone()));
            continue;
        }
        let mut found = Vec::new();
        if !recursive {
            // Only this directory's files (symlinks followed); subdirectories are never entered.
            let entries = std::fs::read_dir(p).map_err(|e| {
                Diagnostic::error(Code::Io, format!("cannot read {}: {e}", p.display()))
            })?;
            for entry in entries {
                let entry = entry.map_err(|e| {
                    Diagnostic::error(Code::Io, format!("cannot read {}: {e}", p.display()))
                })?;
                let path = entry.path();
                if has_manifest_extension(&path)
                    && std::fs::metadata(&path).is_ok_and(|m| m.is_file())
                {
                    found.push(path);
                }
            }
            found.sort();
            out.extend(found.into_iter().map(Origin::File));
            continue;
        }
        let walker = walkdir::WalkDir::new(p)
            .follow_links(true)
            .sort_by_file_name()
            .min_depth(1);
        for entry in walker {
            let entry = entry.map_err(|e| {
                let what = if e.loop_ancestor().is_some() {
                    "a symlink loop".to_string()
                } else {
                    e.to_string()
                };
                Diagnostic::error(
                    Code::Io,
                    format!("cannot walk {}: {what}", e.path().unwrap_or(p).display()),
                )
            })?;
            if entry.file_type().is_file() && has_manifest_extension(entry.path()) {
                found.push(entry.into_path());
            }
        }
        found.sort();
        out.extend(found.into_iter().map(Origin::File));
    }
    Ok(out)
}

/// Decodes bytes as UTF-8 text, refusing what Kubernetes tools cannot read.
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<(String, bool), Diagnostic> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Diagnostic::error(
            Code::Encoding,
            format!("{name} is UTF-16; manifests must be UTF-8"),
        )
        .with_help("convert it, e.g. `iconv -f UTF-16 -t UTF-8`"));
    }
    let text = utf8(name, bytes, At::default())?;
    let (rest, bom) = crate::yaml::stream::strip_bom(&text);
    let rest = if bom { rest.to_string() } else { text };
    no_nul(name, &rest, At::default())?;
    Ok((rest, bom))
}

/// Where a part of an input starts: lines, documents and bytes before it.
#[derive(Debug, Clone, Copy, Default)]
pub struct At {
    pub line: usize,
    pub doc: usize,
    pub byte: usize,
}

/// Decodes a part of an input (a window after the first); errors are located in the input.
pub fn decode_at(name: &str, bytes: Vec<u8>, at: At) -> Result<String, Diagnostic> {
    let text = utf8(name, bytes, at)?;
    no_nul(name, &text, at)?;
    Ok(text)
}

fn utf8(name: &str, bytes: Vec<u8>, base: At) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
        let (line, col) = crate::yaml::stream::line_col(&valid, at);
        // The document the bad byte is in: the documents of the valid prefix, counted.
        let document = base.doc + crate::yaml::stream::split_yaml(&valid).len();
        Diagnostic::error(
            Code::Encoding,
            format!("{name} is not valid UTF-8 (byte {})", base.byte + at),
        )
        .at(name, Some(document), base.line + line, col)
        .with_help("save the file as UTF-8")
    })
}

fn no_nul(name: &str, text: &str, base: At) -> Result<(), Diagnostic> {
    // memchr: the standard searcher is several times slower over a whole window.
    match memchr::memchr(0, text.as_bytes()) {
        Some(at) => {
            let (line, col) = crate::yaml::stream::line_col(text, at);
            Err(Diagnostic::error(
                Code::Encoding,
                format!("{name} contains a NUL byte; it is not a text manifest"),
            )
            .at(name, None, base.line + line, col))
        }
        None => Ok(()),
    }
}
