//! JSON Lines: one object per event, in input order; specified by `schemas/report.schema.json`.
//! Each line is masked and written to the report's temporary file as its event arrives, so
//! the report costs no memory that grows with the run.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::event::{Event, Phase, ProblemKind, ScenarioResult, StepResult, Summary};
use crate::redact::Redactor;
use crate::report::Reporter;
use crate::report::file::{PendingFile, WriteError};
use crate::source::SourceMap;

pub struct JsonReporter {
    file: PendingFile,
    sources: Arc<SourceMap>,
    redactor: Redactor,
    /// `-v`: each step's headers, timing and captures; `-vv`: bodies too.
    verbosity: u8,
    /// When the run started, and when each scenario not yet written ended: its `ended_ms`
    /// (what a merged report's timeline places it by).
    started: Option<std::time::Instant>,
    ends: std::collections::HashMap<usize, u64>,
}

impl JsonReporter {
    pub fn new(path: &Path, sources: Arc<SourceMap>, redactor: Redactor) -> Self {
        JsonReporter {
            file: PendingFile::create(path),
            sources,
            redactor,
            verbosity: 0,
            started: None,
            ends: std::collections::HashMap::new(),
        }
    }

    /// Adds each step's exchange under `-v` (bodies from `-vv`), as the terminal shows it.
    pub fn verbose(mut self, verbosity: u8) -> Self {
        self.verbosity = verbosity;
        self
    }

    /// One line: masked value by value (before JSON escapes it), then written.
    fn line(&mut self, value: &Value) {
        let mut text = self.redactor.redact_json(value).to_string();
        text.push('\n');
        self.file.write(text.as_bytes());
    }
}

impl Reporter for JsonReporter {
    fn on_event(&mut self, event: &Event) {
        match event {
            Event::RunStarted(start) => {
                self.started = Some(std::time::Instant::now());
                self.run_started(start);
            }
            Event::ScenarioEnded { index, at } => {
                if let Some(started) = self.started {
                    self.ends
                        .insert(*index, at.saturating_duration_since(started).as_millis() as u64);
                }
            }
            Event::ScenarioStarted { .. } => {}
            Event::ScenarioFinished(result) => self.scenario(result),
            Event::RunFinished(summary) => self.line(&run_finished(summary)),
            Event::AuthExchange(step) if self.verbosity > 0 => {
                let mut line = self.step(0, step);
                line["type"] = json!("auth_exchange");
                if let Some(fields) = line.as_object_mut() {
                    fields.remove("scenario");
                    fields.remove("phase");
                    fields.remove("captures");
                    fields.remove("description");
                }
                self.line(&line);
            }
            Event::AuthExchange(_) | Event::Progress { .. } => {}
        }
    }

    fn ready(&self) -> Result<(), WriteError> {
        self.file.ready()
    }

    fn finish(&mut self) -> Result<(), WriteError> {
        self.file.commit()
    }
}

impl JsonReporter {
    fn run_started(&mut self, start: &crate::event::RunStart) {
        self.line(&json!({
            "type": "run_started",
            "format": 1,
            "run_id": start.run_id,
            "started_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "environment": start.environment,
            "hosts": start.hosts,
            "scenarios": start.total,
            "shard": start.shard,
            "selection": start.selection,
        }));
    }

    fn scenario(&mut self, result: &ScenarioResult) {
        for step in &result.steps {
            let line = self.step(result.index, step);
            self.line(&line);
        }
        let ended_ms = self.ends.remove(&result.index);
        self.line(&json!({
            "type": "scenario",
            "index": result.index,
            "name": result.name,
            "file": result.file,
            "tags": result.tags,
            "status": result.status.word(),
            "steps": result.steps.len(),
            "duration_ms": result.duration.as_millis() as u64,
            "skip_reason": result.skip_reason,
            "tries": result.tries,
            "flaky": result.flaky,
            "suite_path": result.suite_path,
            "role": result.role,
            "ended_ms": ended_ms,
            "row": result.row,
        }));
    }

    fn step(&self, scenario: usize, step: &StepResult) -> Value {
        let failures: Vec<Value> = step
            .failures
            .iter()
            .map(|f| {
                let mut failure = json!({
                    "kind": f.kind.word(),
                    "message": f.message,
                    "expected": f.expected,
                    "actual": f.actual,
                    "location": self.sources.location(f.span),
                });
                if let Some(diff) = &f.diff {
                    failure["diff"] = snapshot_diff(diff);
                }
                failure
            })
            .collect();
        let mut line = json!({
            "type": "step",
            "scenario": scenario,
            "name": step.name,
            "phase": match step.phase { Phase::Main => "main", Phase::Finally => "finally" },
            "status": step.status.word(),
            "location": self.sources.location(step.span),
            "attempts": step.attempts,
            "resends": step.resends,
            "duration_ms": step.duration.as_millis() as u64,
            "request": step.request.as_ref().map(|r| {
                let mut request = json!({"method": r.method, "url": r.url});
                self.add_detail(&mut request, r.detail.as_deref());
                request
            }),
            "response": step.response.as_ref().map(|r| {
                let mut response = json!({"status": r.status, "excerpt": r.excerpt});
                if self.verbosity > 0 {
                    response["time_ms"] = json!(r.time.map(|t| t.as_millis() as u64));
                }
                self.add_detail(&mut response, r.detail.as_deref());
                response
            }),
            "failures": failures,
            "kind": step.problem_kind().map(ProblemKind::word),
            "error": step.error.as_ref().map(|e| &e.message),
            "skip_reason": step.skip_reason,
        });
        if !step.notes.is_empty() {
            line["notes"] = json!(step.notes);
        }
        if self.verbosity > 0 {
            let captures: serde_json::Map<String, Value> = step
                .captured
                .iter()
                .map(|(n, v)| (n.clone(), Value::String(v.clone())))
                .collect();
            line["captures"] = Value::Object(captures);
            let follow_ups: Vec<Value> = step
                .follow_ups
                .iter()
                .map(|more| {
                    let mut request = json!({"method": more.request.method, "url": more.request.url});
                    self.add_detail(&mut request, more.request.detail.as_deref());
                    let mut response = json!({
                        "status": more.response.status,
                        "time_ms": more.response.time.map(|t| t.as_millis() as u64),
                    });
                    self.add_detail(&mut response, more.response.detail.as_deref());
                    json!({ "request": request, "response": response })
                })
                .collect();
            if !follow_ups.is_empty() {
                line["follow_ups"] = Value::Array(follow_ups);
                line["follow_ups_left_out"] = json!(step.follow_ups_left_out);
            }
            line["description"] = json!(step.description);
        }
        line
    }

    /// Headers (and from `-vv` the body) of a request or response, under `-v`.
    fn add_detail(&self, message: &mut Value, detail: Option<&crate::event::MessageDetail>) {
        let Some(detail) = detail.filter(|_| self.verbosity > 0) else {
            return;
        };
        let headers: Vec<Value> = detail.headers.iter().map(|(n, v)| json!([n, v])).collect();
        message["headers"] = Value::Array(headers);
        if self.verbosity > 1 {
            message["body"] = json!(detail.body);
        }
    }
}

fn run_finished(summary: &Summary) -> Value {
    json!({
        "type": "run_finished",
        "passed": summary.passed,
        "failed": summary.failed,
        "errors": summary.errors,
        "skipped": summary.skipped,
        "steps": summary.steps,
        "duration_ms": summary.duration.as_millis() as u64,
        "interrupted": summary.interrupted,
        "interrupted_scenarios": summary.interrupted_scenarios,
        "flaky": summary.flaky,
    })
}

/// A snapshot's differences as the report gives them (`merge` reads them back).
fn snapshot_diff(diff: &crate::event::SnapshotDiff) -> Value {
    let changes: Vec<Value> = diff
        .changes
        .iter()
        .map(|c| json!({ "path": c.path, "stored": c.stored, "received": c.received, "added_type": c.added_type }))
        .collect();
    json!({ "changes": changes, "left_out": diff.left_out })
}
