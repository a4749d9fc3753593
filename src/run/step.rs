//! One step: render, authenticate, send, check, capture; again while `retry` allows.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::event::{
    AssertionFailure, Phase, ProblemKind, RequestLine, ResponseSummary, Status, StepProblem, StepResult,
};
use crate::expect::{Checker, Response};
use crate::run::exchange::exchange;
use crate::run::follow::follow;
use crate::run::follow_failure::FollowFailure;
use crate::run::follow_scope::FollowScope;
use crate::run::recording::with_follow_ups;
use crate::run::refusal_hint::refusal_hint;
use crate::run::resolve::resolve;
use crate::run::runtime::Runtime;
use crate::run::step_error::StepError;
use crate::run::workflow_lookup::with_workflow_id;
use crate::scenario::model::{Scenario, SnapshotCheck, SnapshotForm, Step};
use crate::snapshot::{SnapshotScope, SnapshotVerdict, check_snapshot};
use crate::template::Context;
use crate::text::masked_cut;

/// Why steps did not run when a stop signal came.
pub const INTERRUPTED: &str = "the run was interrupted";

/// How much of a failed response's body the reports keep.
const EXCERPT_CHARS: usize = 2048;

/// How much of an assertion's expected and actual text the reports keep.
const FAILURE_CHARS: usize = 300;
/// The same for a snapshot, whose text names a file and its first differences.
const SNAPSHOT_FAILURE_CHARS: usize = 1200;

pub struct StepOutcome {
    pub result: StepResult,
    pub captures: Vec<(String, Value)>,
}

/// The result of one attempt.
enum Attempt {
    Passed {
        response: Response,
        captures: Vec<(String, Value)>,
        /// A snapshot stored under `--update-snapshots`.
        notes: Vec<String>,
    },
    Failed {
        response: Response,
        failures: Vec<AssertionFailure>,
        /// What could still be captured, for clean-up.
        captures: Vec<(String, Value)>,
    },
    Error(StepError),
    /// The run stopped while it was under way.
    Stopped,
}

pub async fn run_step(
    rt: &Runtime,
    scenario: &Scenario,
    step: &Step,
    ctx: &Context,
    (phase, row): (Phase, Option<usize>),
    stop_notice: &tokio::sync::Notify,
) -> StepOutcome {
    let started = Instant::now();
    let mut attempts = 0;
    let mut resends = 0;
    let mut wait = step.retry.as_ref().map(|r| r.interval).unwrap_or_default();
    let mut request_line = None;
    let mut follow_ups;
    let attempt = loop {
        attempts += 1;
        // Boxed: the attempt is a large future, and pinned where it is made it is never copied.
        let once = with_follow_ups(
            rt.recording.is_some(),
            Box::pin(attempt_once(rt, scenario, step, ctx, row)),
        );
        // A main step in flight gives up when the run stops; clean-up steps go on.
        let ((attempt, line, resent), kept, left_out) = match phase {
            Phase::Main => tokio::select! {
                done = once => done,
                () = rt.stopped(stop_notice) => ((Attempt::Stopped, None, 0), Vec::new(), 0),
            },
            Phase::Finally => once.await,
        };
        // The last attempt's follow-ups are what its result shows.
        follow_ups = (kept, left_out);
        request_line = line.or(request_line);
        resends += resent;
        let Some(retry) = &step.retry else { break attempt };
        if matches!(attempt, Attempt::Passed { .. } | Attempt::Stopped) || rt.is_stopping() {
            break attempt;
        }
        let out_of_attempts = retry.attempts.is_some_and(|max| attempts >= max);
        let out_of_time = retry.timeout.is_some_and(|t| started.elapsed() + wait > t);
        if out_of_attempts || out_of_time {
            break attempt;
        }
        tokio::time::sleep(wait).await;
        wait = Duration::from_secs_f64((wait.as_secs_f64() * retry.backoff).min(3600.0));
    };
    let result = StepResult {
        name: step.name.clone(),
        description: step.description.clone(),
        phase,
        span: step.span,
        status: Status::Passed,
        attempts,
        duration: started.elapsed(),
        request: request_line,
        response: None,
        failures: Vec::new(),
        error: None,
        no_token: None,
        skip_reason: None,
        resends,
        captured: Vec::new(),
        follow_ups: follow_ups.0,
        follow_ups_left_out: follow_ups.1,
        notes: Vec::new(),
    };
    outcome(rt, result, attempt)
}

/// The step's result from its last attempt: its status, its response as the reports show it
/// (masked, cut), and what it captured.
fn outcome(rt: &Runtime, mut result: StepResult, attempt: Attempt) -> StepOutcome {
    let redactor = &rt.plan.redactor;
    let captures = match attempt {
        Attempt::Passed {
            response,
            captures,
            notes,
        } => {
            result.notes = notes;
            result.response = Some(ResponseSummary {
                status: response.status,
                excerpt: None,
                detail: None,
                time: Some(response.elapsed),
            });
            record(rt, &mut result, &response, &captures);
            captures
        }
        Attempt::Failed {
            response,
            mut failures,
            captures,
        } => {
            // Checks give their texts whole; masked before they are cut, so no secret
            // survives as a prefix.
            for f in &mut failures {
                // A snapshot's words name its file and its first differences: room for them.
                let limit = if f.kind == ProblemKind::Snapshot {
                    SNAPSHOT_FAILURE_CHARS
                } else {
                    FAILURE_CHARS
                };
                f.expected = masked_cut(&f.expected, limit, redactor);
                f.actual = masked_cut(&f.actual, limit, redactor);
            }
            result.status = Status::Failed;
            result.response = Some(summary_with_excerpt(&response, redactor));
            result.failures = failures;
            record(rt, &mut result, &response, &captures);
            captures
        }
        Attempt::Error(error) => {
            result.status = Status::Error;
            if let StepError::Auth(e) = &error {
                result.no_token = Some(e.profile.clone());
            }
            result.error = Some(StepProblem::new(error.kind(), error.to_string()));
            Vec::new()
        }
        Attempt::Stopped => {
            // It had started: interrupted, not skipped.
            result.status = Status::Interrupted;
            result.skip_reason = Some(INTERRUPTED.into());
            Vec::new()
        }
    };
    StepOutcome { result, captures }
}

fn summary_with_excerpt(response: &Response, redactor: &crate::redact::Redactor) -> ResponseSummary {
    let text = String::from_utf8_lossy(&response.body);
    ResponseSummary {
        status: response.status,
        excerpt: Some(masked_cut(&text, EXCERPT_CHARS, redactor)),
        detail: None,
        time: Some(response.elapsed),
    }
}

/// The response's headers and body and the captures, when the run records exchanges.
fn record(rt: &Runtime, result: &mut StepResult, response: &Response, captures: &[(String, Value)]) {
    let Some(recording) = rt.recording else { return };
    let redactor = &rt.plan.redactor;
    if let Some(summary) = &mut result.response {
        summary.detail = Some(Box::new(recording.response(response, redactor)));
    }
    result.captured = recording.captures(captures, redactor);
}

/// The step's answer against its snapshot, in this run's place for it (its scenario's folder,
/// data row and environment).
fn compare_snapshot(
    rt: &Runtime,
    (scenario, step, row): (&Scenario, &Step, Option<usize>),
    snapshot: &SnapshotCheck,
    ctx: &Context,
    response: &Response,
) -> Result<SnapshotVerdict, StepError> {
    let plan = &rt.plan;
    let sets = metadata_sets(rt, snapshot, ctx)?;
    let scope = SnapshotScope {
        sets: &sets,
        scenario: &scenario.path,
        step: &step.name,
        row,
        environment: plan.snapshot_environment.as_deref(),
        update: rt.update_snapshots,
        defaults: &plan.redact,
        paths: &plan.paths,
        redactor: &plan.redactor,
    };
    Ok(check_snapshot(snapshot, &response.body, &scope))
}

/// The entity sets a `$metadata` snapshot keeps, rendered.
fn metadata_sets(rt: &Runtime, snapshot: &SnapshotCheck, ctx: &Context) -> Result<Vec<String>, StepError> {
    let SnapshotForm::Metadata { sets } = &snapshot.form else {
        return Ok(Vec::new());
    };
    sets.iter()
        .map(|set| rt.plan.engine.render(&set.text, ctx).map_err(StepError::from))
        .collect()
}

/// The request as the reports show it: its method and masked URL, and under `-v` or `--html`
/// its headers and body, the credentials named by their profile.
fn request_line(rt: &Runtime, profile: Option<&str>, resolved: &crate::run::resolve::ResolvedRequest) -> RequestLine {
    let plan = &rt.plan;
    RequestLine {
        method: resolved.method.clone(),
        url: crate::redact::url_for_display(&resolved.url).into_owned(),
        detail: rt.recording.map(|r| {
            let shown = profile.and_then(|p| plan.profiles.get(p).and_then(|c| c.shown(p)));
            Box::new(r.request(resolved, shown, &plan.redactor))
        }),
    }
}

/// The profile a step uses (`Step::profile`).
pub fn auth_profile<'a>(rt: &'a Runtime, scenario: &'a Scenario, step: &'a Step) -> Option<&'a str> {
    step.profile(scenario, rt.plan.default_auth.as_deref())
}

async fn attempt_once(
    rt: &Runtime,
    scenario: &Scenario,
    step: &Step,
    ctx: &Context,
    row: Option<usize>,
) -> (Attempt, Option<RequestLine>, u32) {
    let plan = &rt.plan;
    let profile = auth_profile(rt, scenario, step);
    let ctx = match with_workflow_id(rt, profile, &step.follow, ctx).await {
        Ok(ctx) => ctx,
        Err(e) => return (Attempt::Error(e), None, 0),
    };
    let ctx = &ctx;
    let resolved = match resolve(&step.request, &plan.engine, ctx, plan.timeout) {
        Ok(r) => r,
        Err(e) => return (Attempt::Error(e.into()), None, 0),
    };
    let line = Some(request_line(rt, profile, &resolved));
    let (response, resends) = match exchange(rt, profile, &resolved).await {
        Ok(r) => r,
        // No token, no request: no request line for a request never sent.
        Err(e @ StepError::Auth(_)) => return (Attempt::Error(e), None, 0),
        Err(e) => return (Attempt::Error(e), line, 0),
    };
    let dir = scenario.path.parent().unwrap_or(std::path::Path::new("."));
    let checker = Checker {
        engine: &plan.engine,
        ctx,
        schemas: &plan.schemas,
        paths: &plan.paths,
        dir,
    };
    let failed = |response: Response, failures: Vec<AssertionFailure>| {
        let captures = checker.available_captures(&step.capture, &response);
        Attempt::Failed {
            response,
            failures,
            captures,
        }
    };
    let scope = FollowScope {
        rt,
        profile,
        step,
        request: &resolved,
        ctx,
    };
    let response = match follow(&scope, response).await {
        Ok(r) => r,
        Err(FollowFailure::Error(e)) => return (Attempt::Error(e), line, resends),
        Err(FollowFailure::Failed(failure, response)) => return (failed(*response, vec![failure]), line, resends),
    };
    let mut failures = checker.check(&step.expect, &response);
    let mut notes = Vec::new();
    // Checked on the answer the step expected: a status failure has already said it all.
    if let Some(snapshot) = &step.expect.snapshot
        && !failures.iter().any(|f| f.message == "status")
    {
        match compare_snapshot(rt, (scenario, step, row), snapshot, ctx, &response) {
            Ok(SnapshotVerdict::Same) => {}
            Ok(SnapshotVerdict::Written(note)) => notes.push(note),
            Ok(SnapshotVerdict::Failed(failure)) => failures.push(failure),
            Err(e) => return (Attempt::Error(e), line, resends),
        }
    }
    if !failures.is_empty() {
        // A refused credential: the status failure says what to do about it.
        if let Some(hint) = refusal_hint(plan, profile, &resolved, &response)
            && let Some(status) = failures.iter_mut().find(|f| f.message == "status")
        {
            status.actual = format!("{}; hint: {hint}", status.actual);
        }
        return (failed(response, failures), line, resends);
    }
    match checker.captures(&step.capture, &response) {
        Ok(captures) => (
            Attempt::Passed {
                response,
                captures,
                notes,
            },
            line,
            resends,
        ),
        Err(failure) => (failed(response, vec![failure]), line, resends),
    }
}
