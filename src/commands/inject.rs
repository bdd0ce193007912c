//! `inject` (the default command): the manifests with the OTel settings, as YAML to stdout, as
//! JSON (`-o json`), or written back (`--in-place`); a KRM ResourceList on stdin is answered by
//! the KRM function.

use crate::cli::{InjectArgs, OutputFormat};
use crate::input::Origin;
use crate::output::{InPlace, JsonOutput, YamlOutput, copy_to_stdout};
use crate::pipe::{self, Streamed};
use crate::report::{self, Exit, io_error};
use crate::window::Spill;

pub(super) fn run(args: &InjectArgs) -> Exit {
    let colors = super::colors(args.input.color);
    let mut settings = match super::settings(&args.input, args.in_place, args.normalize) {
        Ok(s) => s,
        Err(e) => return report::fail(&e, colors),
    };
    // A KRM function gets a ResourceList on stdin.
    settings.krm = !args.in_place && settings.inputs == [Origin::Stdin];
    settings.report = !args.quiet;
    settings.warnings = !args.quiet;
    if args.in_place {
        let mut out = InPlace::default();
        let mut messages = match pipe::stream(&settings, &mut out) {
            Streamed::Done(m) => m,
            Streamed::Failed(e) => return report::fail(&e, colors),
        };
        if !messages.errors.is_empty() {
            return messages.fail(colors);
        }
        if let Err(e) = out.commit() {
            return report::fail(&[e], colors);
        }
        if !args.quiet {
            let _ = messages.print(true);
        }
        return Exit::Ok;
    }
    let mut out = Spill::default();
    let (streamed, resource_list) = if args.output == OutputFormat::Json {
        let mut json = JsonOutput::new(&mut out, &settings.limits);
        let streamed = pipe::stream(&settings, &mut json);
        if json.resource_list.is_none()
            && let Streamed::Done(m) = &streamed
            && m.errors.is_empty()
            && let Err(e) = json.finish()
        {
            return report::fail(&[io_error(e)], colors);
        }
        (streamed, json.resource_list.take())
    } else {
        let mut yaml = YamlOutput::new(&mut out);
        let streamed = pipe::stream(&settings, &mut yaml);
        (streamed, yaml.resource_list.take())
    };
    if let Some(src) = resource_list {
        return crate::krm::run(src, &settings, args.quiet, colors);
    }
    let mut messages = match streamed {
        Streamed::Done(m) => m,
        Streamed::Failed(e) => return report::fail(&e, colors),
    };
    if !messages.errors.is_empty() {
        return messages.fail(colors);
    }
    if let Err(e) = copy_to_stdout(&mut out) {
        return report::fail(&[e], colors);
    }
    if !args.quiet {
        let _ = messages.print(true);
    }
    Exit::Ok
}
