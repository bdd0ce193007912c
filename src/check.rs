//! `check` (the CI gate) and `validate` (the config alone): findings in three formats.
//!
//! Exit codes: 0 clean, 1 findings (errors; warnings too with --strict), 2 the tool could not run
//! (unreadable file, malformed YAML/JSON, bad usage).

use std::io::Write;
use std::process::ExitCode;

use serde_json::json;

use crate::app::{self, Loaded};
use crate::cli::{CheckArgs, ReportFormat, ValidateArgs};
use crate::diag::Diagnostic;
use crate::engine::{Seg, Severity};
use crate::input::{self, Origin, Source};
use crate::lint::{self, Finding, Place, Rule, SecretIndex};
use crate::pipeline::{self, DocRef};
use crate::render;
use crate::yaml::tree::{Kind, Limits, Node};

pub const EXIT_FINDINGS: u8 = 1;

/// A finding resolved to a location, ready to print.
struct Located {
    rule: Rule,
    diag: Diagnostic,
}

fn resolve(f: Finding, src: &Source, d: &DocRef, root: Option<&Node>) -> Located {
    let mut diag = Diagnostic::new(f.severity, f.rule.id(), f.message);
    diag.resource = f.resource;
    diag.help = f.help.or_else(|| Some(f.rule.help().to_string()));
    let (at, len, field) = match (&f.place, root) {
        (Place::Config { path, at_key }, Some(root)) => {
            let path = crate::config::path_in_document(root, path);
            let segs: Vec<Seg> = path.iter().map(|k| Seg::Key(k.clone())).collect();
            let n = render::locate(root, &segs, *at_key);
            (pipeline::node_place(n), span_len(n), Some(path.join(".")))
        }
        (Place::Doc(path), Some(root)) => {
            let n = render::locate(root, path, false);
            (
                pipeline::node_place(n),
                span_len(n),
                Some(crate::engine::path_string(path)),
            )
        }
        (Place::Config { path, .. }, None) => ((1, 1, 0), 1, Some(path.join("."))),
        (Place::Doc(path), None) => ((1, 1, 0), 1, Some(crate::engine::path_string(path))),
    };
    diag.field = field.filter(|f| !f.is_empty());
    let rule = f.rule;
    let credential =
        matches!(&f.place, Place::Config { path, .. } if lint::config::is_credential_path(path));
    let mut diag = pipeline::located_at(src, d, at, len.max(1), diag);
    if rule == Rule::InlineCredential || credential {
        // The snippet would print the credential: the location is enough.
        diag.snippet = None;
    }
    Located { rule, diag }
}

fn span_len(n: &Node) -> usize {
    match n.kind {
        Kind::Scalar { .. } => n.pos.end.saturating_sub(n.pos.start),
        _ => 1,
    }
}

/// Findings about the config document.
fn config_findings(loaded: &Loaded, out: &mut Vec<Located>) {
    let (src, d, root) = loaded.config_location();
    for w in &loaded.config_warnings {
        // Rules the controller tolerates are still CRD violations: the API server rejects them.
        let mut diag = w.clone();
        diag.severity = Severity::Error;
        diag.code = Rule::Crd.id();
        out.push(Located {
            rule: Rule::Crd,
            diag,
        });
    }
    if let Some(o) = &loaded.config.open_telemetry {
        for f in lint::config::lint(o) {
            out.push(resolve(f, src, d, root));
        }
    }
}

fn crd_errors(diags: Vec<Diagnostic>) -> Result<Vec<Located>, Vec<Diagnostic>> {
    if diags.iter().all(|d| d.code == "config" && d.line.is_some()) {
        Ok(diags
            .into_iter()
            .map(|mut diag| {
                diag.code = Rule::Crd.id();
                Located {
                    rule: Rule::Crd,
                    diag,
                }
            })
            .collect())
    } else {
        Err(diags)
    }
}

pub fn run_check(args: &CheckArgs) -> ExitCode {
    let color = app::use_color_on_stdout(args.input.color);
    let mut loaded = match app::load(&args.input, false, true) {
        Ok(l) => l,
        Err(diags) => {
            return match crd_errors(diags) {
                Ok(found) => finish(found, args.format, args.strict, color),
                Err(diags) => fail(diags, args.format, color),
            };
        }
    };
    let rendered = match app::plan_and_render(&mut loaded, &args.input, false) {
        Ok(r) => r,
        Err(e) => return fail(e, args.format, color),
    };
    let mut found = Vec::new();
    config_findings(&loaded, &mut found);
    let limits = app::limits(&args.input);
    // Secrets and quoting need every document, not only the pod-bearing ones.
    let mut secrets = SecretIndex::default();
    let mut quoting = Vec::new();
    for (si, src) in loaded.sources.iter().enumerate() {
        for d in &loaded.docs[si] {
            let Ok(p) = pipeline::parse(src, d, &limits) else {
                continue;
            };
            secrets.add(&p.value, args.input.namespace.as_deref());
            if let Some(root) = &p.root {
                let resource = crate::engine::ResourceId::of(&p.value).to_string();
                for f in lint::lint_quoting(root, &resource) {
                    quoting.push(resolve(f, src, d, Some(root)));
                }
            }
        }
    }
    let mut workload = Vec::new();
    for (si, src) in loaded.sources.iter().enumerate() {
        for d in &loaded.docs[si] {
            let (Some(plans), Some(p)) = (
                rendered.plans.get(&(si, d.index)),
                loaded.parsed.get(&(si, d.index)),
            ) else {
                continue;
            };
            for f in
                lint::lint_workloads(&p.value, plans, &secrets, args.input.namespace.as_deref())
            {
                workload.push(resolve(f, src, d, p.root.as_ref()));
            }
        }
    }
    // An env value written `value: on` is one problem, reported once (as the quoting error).
    let quoted_at: Vec<(Option<String>, Option<usize>, Option<usize>)> = quoting
        .iter()
        .map(|l| (l.diag.file.clone(), l.diag.line, l.diag.col))
        .collect();
    workload.retain(|l| {
        !(l.rule == Rule::InvalidWorkload
            && quoted_at.contains(&(l.diag.file.clone(), l.diag.line, l.diag.col)))
    });
    found.extend(quoting);
    found.extend(workload);
    finish(found, args.format, args.strict, color)
}

pub fn run_validate(args: &ValidateArgs) -> ExitCode {
    let color = app::use_color_on_stdout(args.color);
    let origin = if args.config.as_os_str() == "-" {
        Origin::Stdin
    } else {
        Origin::File(args.config.clone())
    };
    let src = match input::read(&origin) {
        Ok(s) => s,
        Err(e) => return fail(vec![e], args.format, color),
    };
    let (d, p) = match pipeline::config_document(&src, &Limits::default()) {
        Ok(x) => x,
        Err(e) => return fail(e, args.format, color),
    };
    let mut found = Vec::new();
    let crd = |diag: Diagnostic| {
        let mut diag = diag;
        diag.code = Rule::Crd.id();
        diag.severity = Severity::Error;
        Located {
            rule: Rule::Crd,
            diag,
        }
    };
    match pipeline::config_from(&src, &d, &p) {
        Ok((c, tolerated)) => {
            // Rules the controller tolerates are still errors here (the API server rejects them);
            // the lints run on what the controller would use.
            found.extend(tolerated.into_iter().map(crd));
            if let Some(o) = &c.open_telemetry {
                for f in lint::config::lint(o) {
                    found.push(resolve(f, &src, &d, p.root.as_ref()));
                }
            }
        }
        Err(diags) => found.extend(diags.into_iter().map(crd)),
    }
    finish(found, args.format, args.strict, color)
}

/// The tool could not run (exit 2): in the machine formats the errors also go to stdout, as
/// `invalid-input` findings, so CI gets an annotation or a JSON report either way.
fn fail(diags: Vec<Diagnostic>, format: ReportFormat, color: bool) -> ExitCode {
    if format != ReportFormat::Human {
        let found: Vec<Located> = diags
            .iter()
            .map(|d| {
                let mut diag = d.clone();
                diag.code = Rule::InvalidInput.id();
                Located {
                    rule: Rule::InvalidInput,
                    diag,
                }
            })
            .collect();
        let _ = finish(found, format, false, false);
    }
    app::fail(&diags, color)
}

fn finish(mut found: Vec<Located>, format: ReportFormat, strict: bool, color: bool) -> ExitCode {
    found.sort_by(|a, b| {
        (&a.diag.file, a.diag.line, a.diag.col, a.rule).cmp(&(
            &b.diag.file,
            b.diag.line,
            b.diag.col,
            b.rule,
        ))
    });
    let count = |s: Severity| found.iter().filter(|l| l.diag.severity == s).count();
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let text = match format {
        ReportFormat::Human => human(&found, color, errors, warnings, infos),
        ReportFormat::Json => json_report(&found, errors, warnings, infos),
        ReportFormat::Github => github(&found),
        ReportFormat::Sarif => crate::sarif::report(
            found.iter().map(|l| (l.rule, &l.diag)),
            std::env::current_dir().ok().as_deref(),
        ),
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    let failed = errors > 0 || (strict && warnings > 0);
    ExitCode::from(if failed { EXIT_FINDINGS } else { app::EXIT_OK })
}

fn human(found: &[Located], color: bool, errors: usize, warnings: usize, infos: usize) -> String {
    let mut s = String::new();
    for l in found {
        s.push_str(&l.diag.render(color));
        s.push('\n');
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if found.is_empty() {
        s.push_str("no findings\n");
    } else {
        s.push_str(&format!(
            "{}, {}, {}\n",
            plural(errors, "error"),
            plural(warnings, "warning"),
            plural(infos, "info")
        ));
    }
    s
}

/// The stable JSON schema (version 1), documented in docs/check.md.
fn json_report(found: &[Located], errors: usize, warnings: usize, infos: usize) -> String {
    let findings: Vec<serde_json::Value> = found
        .iter()
        .map(|l| {
            json!({
                "rule": l.rule.id(),
                "severity": l.diag.severity.as_str(),
                "message": l.diag.message,
                "file": l.diag.file,
                "document": l.diag.document,
                "line": l.diag.line,
                "column": l.diag.col,
                "resource": l.diag.resource,
                "field": l.diag.field,
                "help": l.diag.help,
            })
        })
        .collect();
    let doc = json!({
        "version": 1,
        "findings": findings,
        "summary": {"errors": errors, "warnings": warnings, "infos": infos},
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn gh_escape(s: &str, property: bool) -> String {
    let mut out = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

/// GitHub Actions workflow commands.
fn github(found: &[Located]) -> String {
    let mut s = String::new();
    for l in found {
        let level = match l.diag.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(f) = &l.diag.file {
            props.push(format!("file={}", gh_escape(f, true)));
        }
        if let Some(line) = l.diag.line {
            props.push(format!("line={line}"));
        }
        if let Some(col) = l.diag.col {
            props.push(format!("col={col}"));
        }
        props.push(format!(
            "title={}",
            gh_escape(&format!("kubeopencode-inject {}", l.rule.id()), true)
        ));
        let mut msg = String::new();
        if let Some(r) = &l.diag.resource {
            msg.push_str(r);
            msg.push_str(": ");
        }
        msg.push_str(&l.diag.message);
        if let Some(h) = &l.diag.help {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        s.push_str(&format!(
            "::{level} {}::{}\n",
            props.join(","),
            gh_escape(&msg, false)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escaping() {
        assert_eq!(gh_escape("a:b,c%\n", true), "a%3Ab%2Cc%25%0A");
        assert_eq!(gh_escape("a:b\r\n", false), "a:b%0D%0A");
    }
}
