//! A step's exchange as text for `--verbose`: the request line and headers (`>`), the status
//! line and headers (`<`), timing and captures, and with `-vv` the bodies. Everything in it
//! was masked when it was recorded; the terminal masks once more as it prints.

use std::fmt::Write as _;

use crate::event::{MessageDetail, Status, StepResult};
use crate::text::{printable, printable_line};

/// The lines of one step, indented for the scenario's block.
pub fn step_exchange(step: &StepResult, bodies: bool) -> String {
    let mut out = String::new();
    let word = match step.status {
        Status::Passed => "ok",
        Status::Failed => "FAILED",
        Status::Error => "ERROR",
        Status::Skipped => "skipped",
        Status::Interrupted => "stopped",
    };
    let _ = write!(
        out,
        "  {word}: {} ({} ms",
        printable_line(&step.name),
        step.duration.as_millis()
    );
    if step.attempts > 1 {
        let _ = write!(out, ", {} attempts", step.attempts);
    }
    if step.resends > 0 {
        let _ = write!(out, ", resent {}", step.resends);
    }
    out.push_str(")\n");
    if let Some(request) = &step.request {
        let _ = writeln!(
            out,
            "    > {} {}",
            printable_line(&request.method),
            printable_line(&request.url)
        );
        if let Some(detail) = &request.detail {
            message(&mut out, '>', detail, bodies);
        }
    }
    if let Some(response) = &step.response {
        let time = response
            .time
            .map(|t| format!(" ({} ms)", t.as_millis()))
            .unwrap_or_default();
        let _ = writeln!(out, "    < {}{time}", status_line(response.status));
        if let Some(detail) = &response.detail {
            message(&mut out, '<', detail, bodies);
        }
    }
    for (n, more) in step.follow_ups.iter().enumerate() {
        let _ = writeln!(
            out,
            "    then ({}) > {} {}",
            n + 2,
            printable_line(&more.request.method),
            printable_line(&more.request.url)
        );
        if let Some(detail) = &more.request.detail {
            message(&mut out, '>', detail, bodies);
        }
        let time = more
            .response
            .time
            .map(|t| format!(" ({} ms)", t.as_millis()))
            .unwrap_or_default();
        let _ = writeln!(out, "    < {}{time}", status_line(more.response.status));
        if let Some(detail) = &more.response.detail {
            message(&mut out, '<', detail, bodies);
        }
    }
    if step.follow_ups_left_out > 0 {
        let _ = writeln!(out, "    … and {} more requests", step.follow_ups_left_out);
    }
    for (name, value) in &step.captured {
        let _ = writeln!(out, "    = {} = {}", printable_line(name), printable_line(value));
    }
    if let Some(reason) = &step.skip_reason {
        let _ = writeln!(out, "    skipped: {}", printable_line(reason));
    }
    out
}

fn message(out: &mut String, arrow: char, detail: &MessageDetail, bodies: bool) {
    for (name, value) in &detail.headers {
        let _ = writeln!(out, "    {arrow} {}: {}", printable_line(name), printable_line(value));
    }
    if bodies && let Some(body) = &detail.body {
        let _ = writeln!(out, "    {arrow}");
        for line in printable(body).lines() {
            let _ = writeln!(out, "    {arrow} {line}");
        }
    }
}

/// `200 OK`: the code and its reason phrase, as HTTP/1.1 status lines show it.
pub fn status_line(status: u16) -> String {
    let reason = ::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}
