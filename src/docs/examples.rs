//! Examples from a run: the JSON Lines report of a `-v` run gives each step's request and
//! response (masked when they were written), which the docs show beside the step.

use std::collections::HashMap;

use serde_json::Value;

/// What a run recorded of one step.
pub struct Example {
    pub status: String,
    pub request: String,
    pub response: Option<String>,
    /// What failed, when the step did not pass in that run.
    pub problem: Option<String>,
    /// The requests it sent after its first (next pages, polls), and their answers.
    pub more: Vec<(String, Option<String>)>,
}

/// The run the examples come from, and its steps by scenario name and step position.
#[derive(Default)]
pub struct Examples {
    pub environment: Option<String>,
    pub started_at: Option<String>,
    steps: HashMap<(String, usize), Example>,
    /// Steps that did not pass in some run of their scenario (some data row).
    failed: std::collections::HashSet<(String, usize)>,
    /// Each data row's run of a scenario, with its status: (`name [row 3: c]`, `failed`).
    rows: HashMap<String, Vec<(String, String)>>,
    /// Whether the report holds the exchanges (`-v`), not only the request lines.
    pub detailed: bool,
}

/// A line of a JSON report that is not what a report holds.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("line {line}: not JSON: {source}")]
    NotJson { line: usize, source: serde_json::Error },
    #[error("line {line}: no `type`: is this a k2check JSON report?")]
    NoType { line: usize },
}

impl Examples {
    /// Reads a JSON Lines report; `Err` says which line is not what a report holds.
    pub fn read(text: &str) -> Result<Examples, ReportError> {
        let mut examples = Examples::default();
        let mut scenario_names: HashMap<u64, String> = HashMap::new();
        let mut steps_seen: HashMap<u64, usize> = HashMap::new();
        let mut pending: Vec<(u64, usize, Example)> = Vec::new();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let value: Value =
                serde_json::from_str(line).map_err(|source| ReportError::NotJson { line: n + 1, source })?;
            match value["type"].as_str() {
                Some("run_started") => {
                    examples.environment = value["environment"].as_str().map(str::to_owned);
                    examples.started_at = value["started_at"].as_str().map(str::to_owned);
                }
                Some("scenario") => {
                    let index = value["index"].as_u64().unwrap_or_default();
                    // A data row's run documents its scenario: `name [row 1: alice]`.
                    let name = value["name"].as_str().unwrap_or_default();
                    let base = name.split(" [row ").next().unwrap_or(name).to_owned();
                    if name.len() > base.len() {
                        let status = value["status"].as_str().unwrap_or("unknown").to_owned();
                        examples
                            .rows
                            .entry(base.clone())
                            .or_default()
                            .push((row_label(&name[base.len()..]), status));
                    }
                    scenario_names.insert(index, base);
                }
                Some("step") => {
                    let scenario = value["scenario"].as_u64().unwrap_or_default();
                    let position = steps_seen.entry(scenario).or_insert(0);
                    let example = example(&value);
                    examples.detailed |= value["request"]["headers"].is_array();
                    pending.push((scenario, *position, example));
                    *position += 1;
                }
                Some(_) => {}
                None => return Err(ReportError::NoType { line: n + 1 }),
            }
        }
        for (scenario, position, example) in pending {
            if let Some(name) = scenario_names.get(&scenario) {
                if example.status != "passed" {
                    examples.failed.insert((name.clone(), position));
                }
                // The first run of a scenario (its first row) is its example.
                examples.steps.entry((name.clone(), position)).or_insert(example);
            }
        }
        Ok(examples)
    }

    pub fn get(&self, scenario: &str, position: usize) -> Option<&Example> {
        self.steps.get(&(scenario.to_owned(), position))
    }

    /// Whether the step did not pass in some run of its scenario (any data row).
    pub fn failed_anywhere(&self, scenario: &str, position: usize) -> bool {
        self.failed.contains(&(scenario.to_owned(), position))
    }

    /// Each data row's result, when the scenario ran once per row.
    pub fn rows(&self, scenario: &str) -> &[(String, String)] {
        self.rows.get(scenario).map_or(&[], Vec::as_slice)
    }
}

/// A request and its response as HTTP-like text.
fn exchange_text(request: &Value, response: &Value) -> (String, Option<String>) {
    let mut request_text = match (request["method"].as_str(), request["url"].as_str()) {
        (Some(m), Some(u)) => format!("{m} {u}\n"),
        _ => String::new(),
    };
    append_message(&mut request_text, request);
    let response_text = response["status"].as_u64().map(|status| {
        let mut text = format!("{}\n", crate::report::status_line(status as u16));
        append_message(&mut text, response);
        if response["body"].is_null()
            && let Some(excerpt) = response["excerpt"].as_str()
        {
            text.push('\n');
            text.push_str(excerpt);
        }
        text.trim_end().to_owned()
    });
    (request_text.trim_end().to_owned(), response_text)
}

fn example(step: &Value) -> Example {
    let (request, response) = exchange_text(&step["request"], &step["response"]);
    let failures: Vec<String> = step["failures"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            format!(
                "{}: expected {}, actual {}",
                f["message"].as_str().unwrap_or_default(),
                f["expected"].as_str().unwrap_or_default(),
                f["actual"].as_str().unwrap_or_default()
            )
        })
        .chain(step["error"].as_str().map(str::to_owned))
        .collect();
    let more = step["follow_ups"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|exchange| {
            let (request, response) = exchange_text(&exchange["request"], &exchange["response"]);
            (request, response)
        })
        .collect();
    Example {
        more,
        status: step["status"].as_str().unwrap_or("unknown").to_owned(),
        request,
        response,
        problem: (!failures.is_empty()).then(|| failures.join("\n")),
    }
}

/// ` [row 3: c]` as `row 3: c`.
fn row_label(suffix: &str) -> String {
    suffix.trim().trim_start_matches('[').trim_end_matches(']').to_owned()
}

fn append_message(out: &mut String, message: &Value) {
    for header in message["headers"].as_array().into_iter().flatten() {
        if let (Some(name), Some(value)) = (header[0].as_str(), header[1].as_str()) {
            out.push_str(&format!("{name}: {value}\n"));
        }
    }
    if let Some(body) = message["body"].as_str().filter(|b| !b.is_empty()) {
        out.push('\n');
        out.push_str(body);
        out.push('\n');
    }
}
