//! The one reporter: exit statuses, the colour decision (made once, for stdout and stderr), and
//! the one way errors and warnings reach stderr.
//!
//! Errors are rendered with their snippet; warnings take one line each (and their help), so that a
//! run with thousands of warnings stays readable.

use std::io::{IsTerminal, Write};

use crate::diag::Diagnostic;
use crate::engine::Severity;

/// How a run ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    /// `check`/`validate` found something, or `diff` found differences.
    Findings = 1,
    /// The tool could not do its job: bad input, bad usage, I/O.
    Error = 2,
}

impl Exit {
    /// `diff`: the input would change.
    pub const DIFFERENT: Exit = Exit::Findings;
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// `--color`: the choice of the command line, before it meets the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// Whether to colour stdout and stderr, decided once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Colors {
    pub stdout: bool,
    pub stderr: bool,
}

impl Colors {
    /// `--color`, then NO_COLOR (wins), then CLICOLOR_FORCE, then whether the stream is a terminal.
    pub fn decide(when: ColorWhen) -> Colors {
        let for_stream = |terminal: bool| match when {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && (terminal
                        || std::env::var_os("CLICOLOR_FORCE")
                            .is_some_and(|v| !v.is_empty() && v != "0"))
            }
        };
        Colors {
            stdout: for_stream(std::io::stdout().is_terminal()),
            stderr: for_stream(std::io::stderr().is_terminal()),
        }
    }
}

/// A warning (or info) on one line, and its help on the next.
pub fn write_warning(out: &mut impl Write, w: &Diagnostic) -> std::io::Result<()> {
    writeln!(out, "{}", w.short())?;
    if let Some(h) = &w.help {
        writeln!(out, "  help: {h}")?;
    }
    Ok(())
}

/// Errors with their snippet, warnings on one line each.
pub fn write_diagnostic(out: &mut impl Write, d: &Diagnostic, color: bool) -> std::io::Result<()> {
    if d.severity == Severity::Error {
        write!(out, "{}", d.render(color))
    } else {
        write_warning(out, d)
    }
}

/// `N errors`, when there are several.
pub fn write_error_count(out: &mut impl Write, errors: usize) -> std::io::Result<()> {
    if errors > 1 {
        writeln!(out, "{errors} errors")?;
    }
    Ok(())
}

/// Prints diagnostics to stderr (errors first as given) and returns [`Exit::Error`].
pub fn fail(diags: &[Diagnostic], colors: Colors) -> Exit {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = write_diagnostic(&mut err, d, colors.stderr);
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let _ = write_error_count(&mut err, errors);
    Exit::Error
}

/// Prints warnings to stderr.
pub fn warn(diags: &[Diagnostic]) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = write_warning(&mut err, d);
    }
}

/// An error writing the output.
pub fn io_error(e: std::io::Error) -> Diagnostic {
    Diagnostic::error(
        crate::diag::Code::Io,
        format!("cannot write the output: {e}"),
    )
}
