//! `validate`: a KubeOpenCodeConfig alone, the CRD rules then the lints.

use crate::check;
use crate::cli::ValidateArgs;
use crate::input::Origin;
use crate::report::Exit;

pub(super) fn run(args: &ValidateArgs) -> Exit {
    let colors = super::colors(args.color);
    let format = super::check::format(args.format);
    let origin = if args.config.as_os_str() == "-" {
        Origin::Stdin
    } else {
        Origin::File(args.config.clone())
    };
    match check::validate(&origin) {
        Ok(found) => check::finish(found, format, args.strict, args.quiet, colors.stdout),
        Err(diags) => check::fail(diags, format, colors),
    }
}
