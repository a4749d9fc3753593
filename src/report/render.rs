//! The text of a failed or errored step, shared by the terminal and JUnit reporters:
//! a snippet at the assertion's `file:line:col`, expected and actual, the request line and
//! an excerpt of the response.

use std::fmt::Write as _;

use crate::diag::{Palette, render_snippet};
use crate::event::{Phase, ScenarioResult, Status, StepResult};
use crate::source::SourceMap;
use crate::text::{printable, printable_line};

pub fn step_problem(step: &StepResult, sources: &SourceMap, palette: &Palette) -> String {
    let mut out = String::new();
    let (red, bold) = (palette.error, palette.emphasis);
    for failure in &step.failures {
        let _ = writeln!(
            out,
            "{red}failed{red:#}{bold}: {}{bold:#}",
            printable_line(&failure.message)
        );
        let label = format!("expected {}", printable_line(&failure.expected));
        out.push_str(&render_snippet(failure.span, Some(&label), sources, palette, red));
        let _ = writeln!(out, "   expected: {}", printable_line(&failure.expected));
        let _ = writeln!(out, "   actual:   {}", printable_line(&failure.actual));
        if let Some(diff) = &failure.diff {
            for change in &diff.changes {
                let _ = writeln!(out, "     {}", printable_line(&change.line()));
            }
            if diff.left_out > 0 {
                let _ = writeln!(out, "     … and {} more", diff.left_out);
            }
        }
    }
    if let Some(error) = &step.error {
        let error = printable(&error.message);
        let mut lines = error.lines();
        let _ = writeln!(
            out,
            "{red}error{red:#}{bold}: {}{bold:#}",
            lines.next().unwrap_or_default()
        );
        for line in lines {
            let _ = writeln!(out, "   {line}");
        }
        out.push_str(&render_snippet(step.span, Some("in this step"), sources, palette, red));
    }
    if step.status == Status::Failed || step.status == Status::Error {
        if let Some(request) = &step.request {
            let _ = writeln!(
                out,
                "   request:  {} {}",
                printable_line(&request.method),
                printable_line(&request.url)
            );
        }
        if let Some(response) = &step.response {
            let _ = write!(out, "   response: {}", response.status);
            if let Some(excerpt) = response.excerpt.as_deref().filter(|e| !e.is_empty()) {
                let _ = write!(out, " {}", one_line(excerpt));
            }
            out.push('\n');
        }
        if step.resends > 0 {
            let _ = writeln!(
                out,
                "   resent:   {} (429/503 Retry-After or a refused token)",
                step.resends
            );
        }
        if step.attempts > 1 {
            let _ = writeln!(out, "   attempts: {} (the last one is shown)", step.attempts);
        }
    }
    out
}

/// The first line of a problem, for JUnit's `message` attribute and the terminal summary.
pub fn headline(step: &StepResult) -> String {
    let line = if let Some(f) = step.failures.first() {
        format!("{}: expected {}, actual {}", f.message, f.expected, f.actual)
    } else if let Some(e) = &step.error {
        e.message.lines().next().unwrap_or_default().to_owned()
    } else {
        step.skip_reason.clone().unwrap_or_default()
    };
    printable_line(&line).into_owned()
}

/// A body on one line, its control characters made visible.
fn one_line(text: &str) -> String {
    let collapsed: String = text
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => char::REPLACEMENT_CHARACTER,
            c => c,
        })
        .collect();
    crate::text::cut(&collapsed, 300)
}

/// The `finally:` steps of a scenario that started and did not run, with why: what they
/// would have cleaned up may still be there.
pub fn cleanup_not_run(result: &ScenarioResult) -> impl Iterator<Item = (&StepResult, &str)> {
    let started = result.steps.iter().any(|s| s.status != Status::Skipped);
    result
        .steps
        .iter()
        .filter(move |s| started && s.phase == Phase::Finally && s.status == Status::Skipped)
        .map(|s| (s, s.skip_reason.as_deref().unwrap_or("it did not run")))
}
