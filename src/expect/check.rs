//! Checking a response against a step's `expect`, and taking its captures.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use crate::event::{AssertionFailure, ProblemKind};
use crate::expect::k2;
use crate::expect::predicate::{Mismatch, check_all};
use crate::expect::response::Response;
use crate::scenario::model::{BodyAs, Capture, CaptureSource, Expect, Predicate};
use crate::template::{Context, TemplateEngine};

pub struct Checker<'a> {
    pub engine: &'a TemplateEngine,
    pub ctx: &'a Context,
    pub schemas: &'a HashMap<PathBuf, Arc<jsonschema::Validator>>,
    pub paths: &'a crate::expect::paths::JsonPaths,
    /// The folder of the scenario file: schema paths are relative to it.
    pub dir: &'a std::path::Path,
}

/// How many checks `expect` makes besides the status.
fn other_checks(expect: &Expect) -> usize {
    expect.headers.iter().map(|(_, p)| p.len()).sum::<usize>()
        + expect.json.iter().map(|(_, p)| p.len()).sum::<usize>()
        + expect.body.len()
        + usize::from(expect.schema.is_some())
        + expect.time.len()
        + expect.records.len()
        + expect.odata_count.len()
        + usize::from(expect.entity_set.is_some())
        + usize::from(expect.snapshot.is_some())
}

impl Checker<'_> {
    pub fn check(&self, expect: &Expect, response: &Response) -> Vec<AssertionFailure> {
        let mut failures = Vec::new();
        if let Some(status) = &expect.status {
            if !status.value.iter().any(|p| p.matches(response.status)) {
                let want: Vec<String> = status.value.iter().map(|p| p.to_string()).collect();
                failures.push(AssertionFailure {
                    kind: ProblemKind::Assertion,
                    span: status.span,
                    message: "status".into(),
                    expected: if want.len() == 1 {
                        want[0].clone()
                    } else {
                        format!("one of {}", want.join(", "))
                    },
                    actual: response.status.to_string(),
                    diff: None,
                });
                // One cause, one report: the other checks were written for the answer that
                // was expected, and on this one (an error body) they can only fail.
                let folded = other_checks(expect);
                if folded > 0
                    && let Some(status) = failures.last_mut()
                {
                    status.actual = format!(
                        "{}; {folded} more check{} not evaluated on this answer",
                        status.actual,
                        if folded == 1 { "" } else { "s" }
                    );
                }
                return failures;
            }
        }
        for (name, predicates) in &expect.headers {
            let nodes: Vec<Value> = response.header(&name.value).map(Value::String).into_iter().collect();
            self.run(&mut failures, || format!("header {}", name.value), predicates, &nodes);
        }
        for (path, predicates) in &expect.json {
            let Some(first) = predicates.first() else { continue };
            match self.query(&path.text, response) {
                Ok(nodes) => self.run(&mut failures, || format!("json {}", path.text), predicates, &nodes),
                Err(e) => failures.push(AssertionFailure {
                    kind: ProblemKind::Assertion,
                    span: first.span,
                    message: format!("json {}", path.text),
                    expected: "a JSON body".into(),
                    actual: e,
                    diff: None,
                }),
            }
        }
        if !expect.body.is_empty() {
            self.run(
                &mut failures,
                || "body".into(),
                &expect.body,
                &[Value::String(response.text())],
            );
        }
        if let Some(schema) = &expect.schema {
            let validator = self.schemas.get(&self.dir.join(&schema.value));
            let outcome = match (validator, response.json()) {
                (Some(v), Ok(json)) => {
                    let errors: Vec<String> = v.iter_errors(json).take(3).map(|e| schema_error(&e)).collect();
                    if errors.is_empty() {
                        Ok(())
                    } else {
                        Err(errors.join("; "))
                    }
                }
                (None, _) => Err("the schema was not loaded".into()),
                (_, Err(e)) => Err(e),
            };
            if let Err(actual) = outcome {
                failures.push(AssertionFailure {
                    kind: ProblemKind::Assertion,
                    span: schema.span,
                    message: "schema".into(),
                    expected: format!("a body valid against {}", schema.value.display()),
                    actual,
                    diff: None,
                });
            }
        }
        if !expect.time.is_empty() {
            let ms = response.elapsed.as_millis() as u64;
            let before = failures.len();
            self.run(&mut failures, || "time".into(), &expect.time, &[Value::from(ms)]);
            for failure in &mut failures[before..] {
                failure.actual = format!("{ms} ms");
            }
        }
        if !expect.records.is_empty() {
            k2::check_records(&expect.records, response, self.engine, self.ctx, &mut failures);
        }
        if !expect.odata_count.is_empty() {
            k2::check_odata_count(&expect.odata_count, response, self.engine, self.ctx, &mut failures);
        }
        if let Some(set) = &expect.entity_set {
            k2::check_entity_set(set, response, self.engine, self.ctx, &mut failures);
        }
        failures
    }

    /// Checks each predicate; `what` names the assertion, and is only made for a failure.
    fn run(
        &self,
        failures: &mut Vec<AssertionFailure>,
        what: impl Fn() -> String,
        predicates: &[Predicate],
        nodes: &[Value],
    ) {
        for p in predicates {
            if let Err(Mismatch { expected, actual }) = check_all(std::slice::from_ref(p), nodes, self.engine, self.ctx)
            {
                failures.push(AssertionFailure {
                    kind: ProblemKind::Assertion,
                    span: p.span,
                    message: what(),
                    expected,
                    actual,
                    diff: None,
                });
            }
        }
    }

    /// Every node a JSONPath (rendered first, it may hold templates) selects.
    pub fn query(&self, path: &str, response: &Response) -> Result<Vec<Value>, String> {
        let rendered = self.engine.render(path, self.ctx).map_err(|e| e.to_string())?;
        let compiled = self.paths.get(&rendered)?;
        response.select(&compiled)
    }

    /// The value of each capture, or the first one that could not be taken.
    /// The captures this response allows, each taken on its own: after a failed assertion they
    /// still let `finally:` steps clean up what the step created (a 201 with an `id` that
    /// failed a secondary check).
    pub fn available_captures(&self, captures: &[Capture], response: &Response) -> Vec<(String, Value)> {
        captures
            .iter()
            .filter_map(|c| self.captures(std::slice::from_ref(c), response).ok())
            .flatten()
            .collect()
    }

    pub fn captures(
        &self,
        captures: &[Capture],
        response: &Response,
    ) -> Result<Vec<(String, Value)>, AssertionFailure> {
        let mut out = Vec::with_capacity(captures.len());
        for capture in captures {
            let fail = |expected: &str, actual: String| AssertionFailure {
                kind: ProblemKind::Capture,
                span: capture.span,
                message: format!("capture {}", capture.name.value),
                expected: expected.to_owned(),
                actual,
                diff: None,
            };
            let value = match &capture.source {
                CaptureSource::Json(path) => {
                    let nodes = self.query(&path.text, response).map_err(|e| fail("a JSON body", e))?;
                    match nodes.len() {
                        0 => return Err(fail(&format!("a value at {}", path.text), "nothing (no match)".into())),
                        1 => nodes.into_iter().next().unwrap_or(Value::Null),
                        _ => Value::Array(nodes),
                    }
                }
                CaptureSource::Header(name) => match response.header(name) {
                    Some(v) => Value::String(v),
                    None => return Err(fail(&format!("a header {name}"), "no such header".into())),
                },
                CaptureSource::Regex { regex, group } => {
                    let text = response.text();
                    match regex.captures(&text).and_then(|c| c.get(*group)) {
                        Some(m) => Value::String(m.as_str().to_owned()),
                        None => return Err(fail(&format!("a match of /{}/", regex.as_str()), text)),
                    }
                }
                CaptureSource::Body(BodyAs::Text) => Value::String(response.text()),
                CaptureSource::Body(BodyAs::Integer) => {
                    let text = response.text();
                    match text.trim().trim_matches('"').parse::<i64>() {
                        Ok(n) => Value::from(n),
                        Err(_) => return Err(fail("a body that is an integer", text)),
                    }
                }
                CaptureSource::Body(BodyAs::Json) => response.json().map_err(|e| fail("a JSON body", e))?.clone(),
                CaptureSource::Status => Value::from(response.status),
            };
            out.push((capture.name.value.clone(), value));
        }
        Ok(out)
    }
}

fn schema_error(e: &jsonschema::ValidationError) -> String {
    let path = e.instance_path().to_string();
    if path.is_empty() {
        format!("{e} (at the root)")
    } else {
        format!("{e} (at {path})")
    }
}
