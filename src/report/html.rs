//! The HTML report: one self-contained file (inline CSS and a little script, nothing
//! fetched) with the run's header, a timeline of scenarios on a time axis, and every scenario
//! and step with its exchange, failures first. Each scenario is rendered when it finishes;
//! the file is written whole at the end, or not at all.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::event::{Event, MessageDetail, Phase, ScenarioResult, Status, StepResult, Summary};
use crate::html_assets::{PALETTE, REPORT_SCRIPT, REPORT_STYLE};
use crate::redact::Redactor;
use crate::report::Reporter;
use crate::report::exchange_text::status_line;
use crate::report::file::{PendingFile, WriteError};
use crate::report::render::cleanup_not_run;
use crate::report::timeline::{Bar, assign_lanes, timeline_svg};
use crate::report::xml::escape;
use crate::source::SourceMap;

pub struct HtmlReporter {
    file: PendingFile,
    sources: Arc<SourceMap>,
    redactor: Redactor,
    started: Option<Instant>,
    environment: Option<String>,
    hosts: Vec<String>,
    run_id: String,
    date: String,
    /// When each scenario ended, from the run's start, until its result comes.
    ends: Vec<(usize, Duration)>,
    bars: Vec<Bar>,
    /// Each finished scenario's section, rendered: failed ones go first in the page.
    sections: Vec<(Status, String)>,
    tags: std::collections::BTreeSet<String>,
    summary: Option<Summary>,
    /// What did not run of started scenarios: interrupted steps and clean-up not done, as
    /// (scenario, step, why), for the banner of a stopped run.
    not_run: Vec<(String, String, String)>,
    /// Each auth profile's discovery and token exchanges, rendered as steps.
    auth_sections: Vec<String>,
}

impl HtmlReporter {
    pub fn new(path: &Path, sources: Arc<SourceMap>, redactor: Redactor) -> Self {
        HtmlReporter {
            file: PendingFile::create(path),
            sources,
            redactor,
            started: None,
            environment: None,
            hosts: Vec::new(),
            run_id: String::new(),
            date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            ends: Vec::new(),
            bars: Vec::new(),
            sections: Vec::new(),
            tags: Default::default(),
            summary: None,
            not_run: Vec::new(),
            auth_sections: Vec::new(),
        }
    }

    /// Text for the page: masked, then escaped, so escaping cannot hide a secret.
    fn text(&self, text: &str) -> String {
        escape(&crate::text::printable(&self.redactor.redact(text)))
    }

    /// A snapshot's differences side by side: where, what the snapshot holds, what came.
    fn snapshot_diff(&self, diff: &crate::event::SnapshotDiff) -> String {
        let mut out = String::from(
            "<table class=\"snapshot\"><thead><tr><th>where</th><th>stored</th><th>received</th></tr></thead><tbody>\n",
        );
        for change in &diff.changes {
            let side = |value: &Option<String>, absent: &str| match value {
                Some(v) => format!("<code>{}</code>", self.text(v)),
                None => format!("<em>{absent}</em>"),
            };
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                self.text(&change.path),
                side(&change.stored, "absent"),
                side(&change.received, "removed"),
            );
        }
        if diff.left_out > 0 {
            let _ = writeln!(out, "<tr><td colspan=\"3\">… and {} more</td></tr>", diff.left_out);
        }
        out.push_str("</tbody></table>\n");
        out
    }

    fn finished(&mut self, result: &ScenarioResult) {
        let end = self
            .ends
            .iter()
            .position(|(i, _)| *i == result.index)
            .map(|p| self.ends.swap_remove(p).1);
        if let Some(end) = end {
            // Measured where it ran: its end as the scheduler saw it, less its own duration.
            let start = end.saturating_sub(result.duration);
            let end = end.max(start + Duration::from_micros(1));
            self.bars.push(Bar {
                index: result.index,
                name: result.name.clone(),
                status: result.status,
                start,
                end,
                lane: 0,
                retried: result.steps.iter().any(|s| s.attempts > 1 || s.resends > 0),
                group: result.shard.clone(),
            });
        }
        self.tags.extend(result.tags.iter().cloned());
        for step in result.steps.iter().filter(|s| s.status == Status::Interrupted) {
            let why = "stopped while it ran".to_owned();
            self.not_run.push((result.name.clone(), step.name.clone(), why));
        }
        for (step, why) in cleanup_not_run(result) {
            self.not_run
                .push((result.name.clone(), format!("clean-up {}", step.name), why.to_owned()));
        }
        let section = self.scenario_section(result);
        self.sections.push((result.status, section));
    }

    fn scenario_section(&self, result: &ScenarioResult) -> String {
        let mut out = String::new();
        let failing = matches!(result.status, Status::Failed | Status::Error);
        let word = result.status.word();
        let tags = result.tags.iter().map(|t| self.text(t)).collect::<Vec<_>>().join(" ");
        let _ = write!(
            out,
            "<details class=\"scenario {word}\" id=\"s{}\" data-status=\"{word}\" data-tags=\"{tags}\"{}>\n<summary><span class=\"badge {word}\">{word}</span> <strong>{}</strong> <span class=\"muted\">{} · {} step{} · {} ms</span>",
            result.index,
            if failing { " open" } else { "" },
            self.text(&result.name),
            self.text(&result.file),
            result.steps.len(),
            if result.steps.len() == 1 { "" } else { "s" },
            result.duration.as_millis(),
        );
        for tag in &result.tags {
            let _ = write!(out, " <span class=\"tag\">{}</span>", self.text(tag));
        }
        if result.flaky.is_some() {
            out.push_str(" <span class=\"badge skipped\">flaky</span>");
        }
        out.push_str("</summary>\n");
        if let Some(first) = &result.flaky {
            let words = format!("passed on try {}; try 1 failed at {first}", result.tries);
            let _ = writeln!(out, "<p class=\"reason\">{}</p>", self.text(&words));
        }
        if let Some(reason) = &result.skip_reason {
            let _ = writeln!(out, "<p class=\"reason\">{}</p>", self.text(reason));
        }
        for step in &result.steps {
            out.push_str(&self.step_section(step));
        }
        out.push_str("</details>\n");
        out
    }

    fn step_section(&self, step: &StepResult) -> String {
        let mut out = String::new();
        let word = step.status.word();
        let failing = matches!(step.status, Status::Failed | Status::Error);
        let phase = match step.phase {
            Phase::Main => "",
            Phase::Finally => "finally: ",
        };
        let _ = write!(
            out,
            "<details class=\"step {word}\"{}><summary><span class=\"badge {word}\">{word}</span> {phase}{} <span class=\"muted\">{} ms · {}</span></summary>\n<div class=\"step-body\">\n",
            if failing { " open" } else { "" },
            self.text(&step.name),
            step.duration.as_millis(),
            self.text(&self.sources.location(step.span)),
        );
        if let Some(d) = &step.description {
            let _ = writeln!(out, "<p class=\"description\">{}</p>", self.text(d));
        }
        if step.attempts > 1 || step.resends > 0 {
            let _ = writeln!(
                out,
                "<p class=\"muted\">attempts: {} · resent: {}</p>",
                step.attempts, step.resends
            );
        }
        if let Some(reason) = &step.skip_reason {
            let _ = writeln!(out, "<p class=\"reason\">skipped: {}</p>", self.text(reason));
        }
        if !step.failures.is_empty() {
            out.push_str("<table class=\"failures\"><thead><tr><th>assertion</th><th>expected</th><th>actual</th><th>where</th></tr></thead><tbody>\n");
            for f in &step.failures {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                    self.text(&f.message),
                    self.text(&f.expected),
                    self.text(&f.actual),
                    self.text(&self.sources.location(f.span)),
                );
            }
            out.push_str("</tbody></table>\n");
            for diff in step.failures.iter().filter_map(|f| f.diff.as_deref()) {
                out.push_str(&self.snapshot_diff(diff));
            }
        }
        for note in &step.notes {
            let _ = writeln!(out, "<p class=\"muted\">note: {}</p>", self.text(note));
        }
        if let Some(error) = &step.error {
            let _ = writeln!(
                out,
                "<p class=\"kind\">{}</p>\n<pre class=\"error\">{}</pre>",
                error.kind.word(),
                self.text(&error.message)
            );
        }
        self.exchange(step, &mut out);
        if !step.captured.is_empty() {
            out.push_str("<h4>Captured</h4>\n<table class=\"headers\"><tbody>\n");
            for (name, value) in &step.captured {
                let _ = writeln!(
                    out,
                    "<tr><th>{}</th><td><code>{}</code></td></tr>",
                    self.text(name),
                    self.text(value)
                );
            }
            out.push_str("</tbody></table>\n");
        }
        out.push_str("</div></details>\n");
        out
    }

    /// The step's request and response, then every request it sent after its first.
    fn exchange(&self, step: &StepResult, out: &mut String) {
        if let Some(request) = &step.request {
            let _ = writeln!(
                out,
                "<h4>Request</h4>\n<p class=\"line\"><code>{} {}</code></p>",
                self.text(&request.method),
                self.text(&request.url)
            );
            if let Some(detail) = &request.detail {
                out.push_str(&self.message(detail));
            }
        }
        if let Some(response) = &step.response {
            let time = response
                .time
                .map(|t| format!(" · {} ms", t.as_millis()))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<h4>Response</h4>\n<p class=\"line\"><code>{}</code>{time}</p>",
                status_line(response.status)
            );
            match &response.detail {
                Some(detail) => out.push_str(&self.message(detail)),
                None => {
                    if let Some(excerpt) = response.excerpt.as_deref().filter(|e| !e.is_empty()) {
                        let _ = writeln!(out, "<pre>{}</pre>", self.text(excerpt));
                    }
                }
            }
        }
        for (n, more) in step.follow_ups.iter().enumerate() {
            let _ = writeln!(
                out,
                "<h4>Then, request {}</h4>\n<p class=\"line\"><code>{} {}</code></p>",
                n + 2,
                self.text(&more.request.method),
                self.text(&more.request.url)
            );
            if let Some(detail) = &more.request.detail {
                out.push_str(&self.message(detail));
            }
            let _ = writeln!(
                out,
                "<p class=\"line\"><code>{}</code></p>",
                status_line(more.response.status)
            );
            if let Some(detail) = &more.response.detail {
                out.push_str(&self.message(detail));
            }
        }
        if step.follow_ups_left_out > 0 {
            let _ = writeln!(
                out,
                "<p class=\"muted\">… and {} more requests</p>",
                step.follow_ups_left_out
            );
        }
    }

    fn message(&self, detail: &MessageDetail) -> String {
        let mut out = String::new();
        if !detail.headers.is_empty() {
            out.push_str("<table class=\"headers\"><tbody>\n");
            for (name, value) in &detail.headers {
                let _ = writeln!(
                    out,
                    "<tr><th>{}</th><td>{}</td></tr>",
                    self.text(name),
                    self.text(value)
                );
            }
            out.push_str("</tbody></table>\n");
        }
        if let Some(body) = detail.body.as_deref().filter(|b| !b.is_empty()) {
            let _ = writeln!(out, "<pre>{}</pre>", self.text(body));
        }
        out
    }

    /// A stopped run says so at the top, with what did not run of what had started.
    fn stopped_banner(&self) -> String {
        let mut out = String::from(
            "<section class=\"stopped\" role=\"alert\">\n<h2>Stopped</h2>\n<p>The run was stopped before it ended.",
        );
        if self.not_run.is_empty() {
            out.push_str("</p>\n</section>\n");
            return out;
        }
        out.push_str(
            " What had started and did not run (clean-up not done may have left test data behind):</p>\n<ul>\n",
        );
        for (scenario, step, why) in &self.not_run {
            let _ = writeln!(
                out,
                "<li><strong>{}</strong> › {}: {}</li>",
                self.text(scenario),
                self.text(step),
                self.text(why)
            );
        }
        out.push_str("</ul>\n</section>\n");
        out
    }

    fn page(&self) -> String {
        let summary = self.summary.clone().unwrap_or_default();
        let mut out = String::with_capacity(64 * 1024);
        let title = format!(
            "k2check: {} passed, {} failed",
            summary.passed,
            summary.failed + summary.errors
        );
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{PALETTE}{REPORT_STYLE}</style>\n</head>\n<body>\n<header>\n<h1>k2check report</h1>\n",
            self.text(&title)
        );
        let environment = self.environment.as_deref().unwrap_or("(none)");
        let _ = writeln!(
            out,
            "<p class=\"meta\">environment <strong>{}</strong> · {} · run {} · {} ms</p>",
            self.text(environment),
            self.text(&self.date),
            self.text(&self.run_id),
            summary.duration.as_millis()
        );
        if !self.hosts.is_empty() {
            let hosts: Vec<String> = self.hosts.iter().map(|h| self.text(h)).collect();
            let _ = writeln!(out, "<p class=\"meta\">sending to {}</p>", hosts.join(", "));
        }
        let _ = writeln!(
            out,
            "<ul class=\"counts\"><li class=\"passed\">{} passed</li><li class=\"failed\">{} failed</li><li class=\"error\">{} errors</li><li class=\"skipped\">{} skipped</li><li class=\"interrupted\">{} interrupted</li><li>{} steps</li></ul>\n</header>",
            summary.passed,
            summary.failed,
            summary.errors,
            summary.skipped,
            summary.interrupted_scenarios,
            summary.steps
        );
        if summary.interrupted {
            out.push_str(&self.stopped_banner());
        }
        out.push_str("<main>\n<section aria-labelledby=\"timeline-title\">\n<h2 id=\"timeline-title\">Timeline</h2>\n");
        let mut bars: Vec<Bar> = self.bars.clone();
        assign_lanes(&mut bars);
        out.push_str(&timeline_svg(&bars, summary.duration, |t| self.text(t)));
        out.push_str("</section>\n");
        if !self.auth_sections.is_empty() {
            out.push_str("<section aria-labelledby=\"auth-title\">\n<h2 id=\"auth-title\">Auth profiles: discovery and tokens</h2>\n");
            for section in &self.auth_sections {
                out.push_str(section);
            }
            out.push_str("</section>\n");
        }
        out.push_str("<section aria-labelledby=\"scenarios-title\">\n<h2 id=\"scenarios-title\">Scenarios</h2>\n");
        out.push_str("<form class=\"filters\" role=\"search\" onsubmit=\"return false\">\n");
        for status in ["passed", "failed", "error", "skipped", "interrupted"] {
            let _ = writeln!(
                out,
                "<label><input type=\"checkbox\" name=\"status\" value=\"{status}\" checked> {status}</label>"
            );
        }
        out.push_str("<label>tag <select name=\"tag\"><option value=\"\">any</option>");
        for tag in &self.tags {
            let t = self.text(tag);
            let _ = write!(out, "<option value=\"{t}\">{t}</option>");
        }
        out.push_str("</select></label>\n<label>text <input type=\"search\" name=\"text\" placeholder=\"name, URL, message\"></label>\n");
        out.push_str("<button type=\"button\" id=\"expand\">expand all</button> <button type=\"button\" id=\"collapse\">collapse all</button>\n</form>\n<p id=\"shown\" class=\"muted\" aria-live=\"polite\"></p>\n");
        // Failures first, then the rest in input order.
        let mut sections: Vec<&(Status, String)> = self.sections.iter().collect();
        sections.sort_by_key(|(status, _)| !matches!(status, Status::Failed | Status::Error));
        for (_, section) in sections {
            out.push_str(section);
        }
        let _ = write!(
            out,
            "</section>\n</main>\n<script>\n{REPORT_SCRIPT}</script>\n</body>\n</html>\n"
        );
        out
    }
}

impl Reporter for HtmlReporter {
    fn on_event(&mut self, event: &Event) {
        match event {
            Event::RunStarted(start) => {
                self.started = Some(Instant::now());
                self.environment = start.environment.clone();
                self.hosts = start.hosts.clone();
                self.run_id = start.run_id.clone();
            }
            Event::ScenarioStarted { .. } | Event::Progress { .. } => {}
            Event::ScenarioEnded { index, at } => {
                let since = self
                    .started
                    .map(|s| at.saturating_duration_since(s))
                    .unwrap_or_default();
                self.ends.push((*index, since));
            }
            Event::ScenarioFinished(result) => self.finished(result),
            Event::RunFinished(summary) => self.summary = Some(summary.clone()),
            Event::AuthExchange(step) => self.auth_sections.push(self.step_section(step)),
        }
    }

    fn ready(&self) -> Result<(), WriteError> {
        self.file.ready()
    }

    fn finish(&mut self) -> Result<(), WriteError> {
        let page = self.page();
        self.file.write(page.as_bytes());
        self.file.commit()
    }
}
