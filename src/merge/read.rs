//! One part's JSON Lines report read back into results. Positions come back as the
//! `file:line:col` the report names: from the file itself when it is here, else from a stand-in
//! that gives the same place, so every report still says where.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::event::{
    AssertionFailure, Phase, ProblemKind, RequestLine, ResponseSummary, ScenarioResult, Status, StepProblem, StepResult,
};
use crate::source::{SourceMap, Span};

/// What one part's report says.
pub struct PartReport {
    pub name: String,
    pub environment: Option<String>,
    pub shard: Option<String>,
    pub selection: Option<String>,
    pub hosts: Vec<String>,
    /// Each scenario, with when it ended from its part's start (`ended_ms`), when known.
    pub scenarios: Vec<(ScenarioResult, Option<u64>)>,
    pub finished: bool,
}

/// The places the reports name (`file:line:col`), each a span of one source map: the file
/// itself when it is here and holds the place, else a stand-in of blank lines that does.
pub struct Places {
    pub sources: SourceMap,
    files: BTreeMap<String, crate::source::FileId>,
}

impl Places {
    /// Every place the reports name, read first so each file is added once.
    pub fn of(texts: &[String]) -> Places {
        let mut extent: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for line in texts.iter().flat_map(|t| t.lines()) {
            let Ok(value) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let failures = value["failures"].as_array().cloned().unwrap_or_default();
            let locations = std::iter::once(&value["location"]).chain(failures.iter().map(|f| &f["location"]));
            for (file, line, col) in locations.filter_map(|l| l.as_str()).map(split) {
                let seen = extent.entry(file).or_default();
                *seen = (seen.0.max(line), seen.1.max(col));
            }
        }
        let mut sources = SourceMap::default();
        let mut files = BTreeMap::new();
        for (file, (lines, cols)) in extent {
            let here = crate::input_file::read_text(std::path::Path::new(&file), "scenario file", 64 << 20).ok();
            let text = here
                .filter(|t| t.lines().count() >= lines)
                .unwrap_or_else(|| format!("{}\n", " ".repeat(cols)).repeat(lines));
            files.insert(file.clone(), sources.add(PathBuf::from(file), text));
        }
        Places { sources, files }
    }

    fn span(&self, location: &str) -> Span {
        let (file, line, col) = split(location);
        let Some(&id) = self.files.get(&file) else {
            return Span {
                file: crate::source::FileId(0),
                start: 0,
                end: 0,
            };
        };
        let source = self.sources.get(id);
        let start = (source
            .text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum::<usize>()
            + col
            - 1)
        .min(source.text.len());
        Span {
            file: id,
            start,
            end: start,
        }
    }
}

/// `path:line:col` (a path may hold `:` itself); a place not so written is line 1, column 1.
fn split(location: &str) -> (String, usize, usize) {
    let mut parts = location.rsplitn(3, ':');
    let (col, line, file) = (parts.next(), parts.next(), parts.next());
    match (
        file,
        line.and_then(|l| l.parse::<usize>().ok()),
        col.and_then(|c| c.parse::<usize>().ok()),
    ) {
        (Some(file), Some(line), Some(col)) => (file.to_owned(), line.max(1), col.max(1)),
        _ => (location.to_owned(), 1, 1),
    }
}

pub fn read_part(name: &str, text: &str, places: &Places) -> Result<PartReport, String> {
    let mut part = PartReport {
        name: name.to_owned(),
        environment: None,
        shard: None,
        selection: None,
        hosts: Vec::new(),
        scenarios: Vec::new(),
        finished: false,
    };
    let mut steps: Vec<StepResult> = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let value: Value = serde_json::from_str(line).map_err(|e| format!("{name}:{}: not JSON: {e}", n + 1))?;
        match value["type"].as_str() {
            Some("run_started") => {
                part.environment = value["environment"].as_str().map(str::to_owned);
                part.shard = value["shard"].as_str().map(str::to_owned);
                part.selection = value["selection"].as_str().map(str::to_owned);
                part.hosts = strings(&value["hosts"]);
            }
            Some("step") => steps.push(step(&value, places)),
            Some("scenario") => {
                let mut result = scenario(&value, std::mem::take(&mut steps));
                result.shard = part.shard.clone();
                part.scenarios.push((result, value["ended_ms"].as_u64()));
            }
            Some("run_finished") => part.finished = true,
            _ => {}
        }
    }
    Ok(part)
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn status(value: &Value) -> Status {
    match value.as_str() {
        Some("passed") => Status::Passed,
        Some("failed") => Status::Failed,
        Some("skipped") => Status::Skipped,
        Some("interrupted") => Status::Interrupted,
        _ => Status::Error,
    }
}

fn kind(value: &Value) -> ProblemKind {
    let word = value.as_str().unwrap_or_default();
    crate::event::ProblemKind::from_word(word).unwrap_or(ProblemKind::Internal)
}

fn scenario(value: &Value, steps: Vec<StepResult>) -> ScenarioResult {
    ScenarioResult {
        index: 0,
        name: text(&value["name"]),
        file: text(&value["file"]),
        suite_path: value["suite_path"]
            .as_str()
            .map_or_else(|| text(&value["file"]), str::to_owned),
        row: value["row"].as_u64().map(|r| r as usize),
        role: match value["role"].as_str() {
            Some("setup") => "setup",
            Some("teardown") => "teardown",
            _ => "scenario",
        },
        shard: None,
        tries: value["tries"].as_u64().unwrap_or(1) as u32,
        flaky: value["flaky"].as_str().map(str::to_owned),
        tags: strings(&value["tags"]),
        status: status(&value["status"]),
        steps,
        duration: std::time::Duration::from_millis(value["duration_ms"].as_u64().unwrap_or(0)),
        skip_reason: value["skip_reason"].as_str().map(str::to_owned),
    }
}

fn step(value: &Value, places: &Places) -> StepResult {
    let failures = (value["failures"].as_array().into_iter().flatten())
        .map(|f| AssertionFailure {
            kind: kind(&f["kind"]),
            span: places.span(&text(&f["location"])),
            message: text(&f["message"]),
            expected: text(&f["expected"]),
            actual: text(&f["actual"]),
            diff: diff(&f["diff"]),
        })
        .collect();
    let request = value["request"].as_object().map(|r| RequestLine {
        method: r.get("method").map(text).unwrap_or_default(),
        url: r.get("url").map(text).unwrap_or_default(),
        detail: None,
    });
    let response = value["response"].as_object().map(|r| ResponseSummary {
        status: r.get("status").and_then(Value::as_u64).unwrap_or(0) as u16,
        excerpt: r.get("excerpt").and_then(Value::as_str).map(str::to_owned),
        detail: None,
        time: None,
    });
    StepResult {
        name: text(&value["name"]),
        description: None,
        phase: match value["phase"].as_str() {
            Some("finally") => Phase::Finally,
            _ => Phase::Main,
        },
        span: places.span(&text(&value["location"])),
        status: status(&value["status"]),
        attempts: value["attempts"].as_u64().unwrap_or(1) as u32,
        duration: std::time::Duration::from_millis(value["duration_ms"].as_u64().unwrap_or(0)),
        request,
        response,
        failures,
        error: value["error"]
            .as_str()
            .map(|e| StepProblem::new(kind(&value["kind"]), e)),
        no_token: None,
        skip_reason: value["skip_reason"].as_str().map(str::to_owned),
        resends: value["resends"].as_u64().unwrap_or(0) as u32,
        captured: Vec::new(),
        follow_ups: Vec::new(),
        follow_ups_left_out: 0,
        notes: strings(&value["notes"]),
    }
}

/// A snapshot's differences, as the JSON report writes them.
fn diff(value: &Value) -> Option<Box<crate::event::SnapshotDiff>> {
    let changes = value["changes"].as_array()?;
    let optional = |v: &Value| v.as_str().map(str::to_owned);
    Some(Box::new(crate::event::SnapshotDiff {
        changes: changes
            .iter()
            .map(|c| crate::event::Change {
                path: text(&c["path"]),
                stored: optional(&c["stored"]),
                received: optional(&c["received"]),
                added_type: optional(&c["added_type"]),
            })
            .collect(),
        left_out: value["left_out"].as_u64().unwrap_or(0) as usize,
    }))
}
