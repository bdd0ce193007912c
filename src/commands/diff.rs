//! `diff`: what injection would change, as a unified diff (exit 1 when something would change);
//! `-q` only sets the exit status, as `git diff --quiet` does.

use std::io::Write;

use crate::cli::DiffArgs;
use crate::diff::DiffOutput;
use crate::pipe::{self, Streamed};
use crate::report::{self, Exit, io_error};
use crate::window::Spill;

pub(super) fn run(args: &DiffArgs) -> Exit {
    let colors = super::colors(args.input.color);
    if args.in_place {
        return report::fail(
            &[
                super::usage("diff never writes files: --in-place belongs to inject")
                    .with_help("kubeopencode-inject -c CONFIG -f FILE --in-place"),
            ],
            colors,
        );
    }
    let mut settings = match super::settings(&args.input, false, args.normalize) {
        Ok(s) => s,
        Err(e) => return report::fail(&e, colors),
    };
    settings.warnings = !args.quiet;
    // The diff reaches stdout only when the run has no error.
    let mut spill = Spill::default();
    // Styled only when they are shown (stripping escapes from the whole diff cost a tenth of a
    // run's samples).
    let mut diff = DiffOutput::new(&mut spill, colors.stdout);
    let mut messages = match pipe::stream(&settings, &mut diff) {
        Streamed::Done(m) => m,
        Streamed::Failed(e) => return report::fail(&e, colors),
    };
    let changed = diff.changed;
    if !messages.errors.is_empty() {
        return messages.fail(colors);
    }
    if !args.quiet {
        let mut out = std::io::stdout().lock();
        let copied = spill
            .reader()
            .and_then(|mut r| std::io::copy(&mut r, &mut out))
            .and_then(|_| out.flush());
        if let Err(e) = copied
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            return report::fail(&[io_error(e)], colors);
        }
        let _ = messages.print(false);
    }
    if changed { Exit::DIFFERENT } else { Exit::Ok }
}
