//! `check`: the CI gate. Runs the driver with the findings as its output.

use crate::check::{self, CheckOutput, Format};
use crate::cli::{CheckArgs, ReportFormat};
use crate::pipe::{self, Streamed};
use crate::report::Exit;

/// The findings format of the command line.
pub(super) fn format(f: ReportFormat) -> Format {
    match f {
        ReportFormat::Human => Format::Human,
        ReportFormat::Json => Format::Json,
        ReportFormat::Github => Format::Github,
        ReportFormat::Sarif => Format::Sarif,
    }
}

pub(super) fn run(args: &CheckArgs) -> Exit {
    let colors = super::colors(args.input.color);
    let format = format(args.format);
    let settings = match super::settings(&args.input, false, false) {
        Ok(s) => s,
        Err(e) => return check::fail(e, format, colors),
    };
    let mut out = CheckOutput::new(
        format,
        colors.stdout,
        settings.options.namespace.clone(),
        settings.limits,
    );
    match pipe::stream(&settings, &mut out) {
        Streamed::Done(m) if m.errors.is_empty() => {
            out.into_findings().finish(args.strict, args.quiet)
        }
        Streamed::Done(m) => check::fail(m.errors, format, colors),
        Streamed::Failed(diags) => match check::crd_errors(diags) {
            Ok(found) => check::finish(found, format, args.strict, args.quiet, colors.stdout),
            Err(diags) => check::fail(diags, format, colors),
        },
    }
}
