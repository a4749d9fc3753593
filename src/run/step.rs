//! One step: render, authenticate, send, check, capture; again while `retry` allows.

use std::time::{Duration, Instant};

use ::http::Method;
use ::http::header::{AUTHORIZATION, HeaderName, HeaderValue};
use serde_json::Value;

use crate::event::{AssertionFailure, Phase, RequestLine, ResponseSummary, Status, StepResult};
use crate::expect::predicate::cut;
use crate::expect::{Checker, Response};
use crate::http::{self, url_credentials};
use crate::run::k2::{self, FollowFailure};
use crate::run::resolve::{ResolvedRequest, resolve};
use crate::run::runtime::Runtime;
use crate::scenario::model::{AuthRef, Scenario, Step};
use crate::template::Context;

/// How much of a failed response's body the reports keep.
const EXCERPT_CHARS: usize = 2048;

pub struct StepOutcome {
    pub result: StepResult,
    pub captures: Vec<(String, Value)>,
}

/// The result of one attempt.
enum Attempt {
    Passed {
        response: Response,
        captures: Vec<(String, Value)>,
    },
    Failed {
        response: Response,
        failures: Vec<AssertionFailure>,
    },
    Error(String),
}

pub async fn run_step(rt: &Runtime, scenario: &Scenario, step: &Step, ctx: &Context, phase: Phase) -> StepOutcome {
    let started = Instant::now();
    let mut attempts = 0;
    let mut resends = 0;
    let mut wait = step.retry.as_ref().map(|r| r.interval).unwrap_or_default();
    let mut request_line = None;
    let attempt = loop {
        attempts += 1;
        let (attempt, line, resent) = attempt_once(rt, scenario, step, ctx).await;
        request_line = line.or(request_line);
        resends += resent;
        let Some(retry) = &step.retry else { break attempt };
        if matches!(attempt, Attempt::Passed { .. }) || rt.is_stopping() {
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
    let mut result = StepResult {
        name: step.name.clone(),
        phase,
        span: step.span,
        status: Status::Passed,
        attempts,
        duration: started.elapsed(),
        request: request_line,
        response: None,
        failures: Vec::new(),
        error: None,
        skip_reason: None,
        resends,
    };
    let captures = match attempt {
        Attempt::Passed { response, captures } => {
            result.response = Some(ResponseSummary {
                status: response.status,
                excerpt: None,
            });
            captures
        }
        Attempt::Failed { response, mut failures } => {
            // Masked before excerpts are cut, so no secret survives as a prefix.
            let redactor = &rt.plan.redactor;
            for f in &mut failures {
                f.expected = redactor.redact(&f.expected).into_owned();
                f.actual = redactor.redact(&f.actual).into_owned();
            }
            result.status = Status::Failed;
            result.response = Some(summary_with_excerpt(&response, redactor));
            result.failures = failures;
            Vec::new()
        }
        Attempt::Error(message) => {
            result.status = Status::Error;
            result.error = Some(message);
            Vec::new()
        }
    };
    StepOutcome { result, captures }
}

fn summary_with_excerpt(response: &Response, redactor: &crate::redact::Redactor) -> ResponseSummary {
    let text = redactor.redact(&String::from_utf8_lossy(&response.body)).into_owned();
    let excerpt = match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}… ({} more bytes)", &text[..cut], text.len() - cut),
        None => text,
    };
    ResponseSummary {
        status: response.status,
        excerpt: Some(excerpt),
    }
}

/// The profile a step uses: its own `auth`, the scenario's, or the suite default.
pub fn auth_profile<'a>(rt: &'a Runtime, scenario: &'a Scenario, step: &'a Step) -> Option<&'a str> {
    let chosen = step.auth.as_ref().or(scenario.auth.as_ref()).map(|a| &a.value);
    match chosen {
        Some(AuthRef::None) => None,
        Some(AuthRef::Profile(name)) => Some(name),
        None => rt.plan.default_auth.as_deref(),
    }
}

async fn attempt_once(
    rt: &Runtime,
    scenario: &Scenario,
    step: &Step,
    ctx: &Context,
) -> (Attempt, Option<RequestLine>, u32) {
    let plan = &rt.plan;
    let profile = auth_profile(rt, scenario, step);
    let ctx = match k2::prepare(rt, profile, &step.follow, ctx).await {
        Ok(ctx) => ctx,
        Err(e) => return (Attempt::Error(e), None, 0),
    };
    let ctx = &ctx;
    let resolved = match resolve(&step.request, &plan.engine, ctx, plan.timeout) {
        Ok(r) => r,
        Err(e) => return (Attempt::Error(format!("template: {e}")), None, 0),
    };
    let line = Some(RequestLine {
        method: resolved.method.clone(),
        url: crate::redact::url_for_display(&resolved.url).into_owned(),
    });
    let (response, resends) = match exchange(rt, profile, &resolved).await {
        Ok(r) => r,
        Err(e) => return (Attempt::Error(e), line, 0),
    };
    let response = match k2::follow(rt, profile, step, &resolved, response, ctx).await {
        Ok(r) => r,
        Err(FollowFailure::Error(e)) => return (Attempt::Error(e), line, resends),
        Err(FollowFailure::Failed(failure, response)) => {
            return (
                Attempt::Failed {
                    response: *response,
                    failures: vec![failure],
                },
                line,
                resends,
            );
        }
    };
    let dir = scenario.path.parent().unwrap_or(std::path::Path::new("."));
    let checker = Checker {
        engine: &plan.engine,
        ctx,
        schemas: &plan.schemas,
        paths: &plan.paths,
        dir,
    };
    let failures = checker.check(&step.expect, &response);
    if !failures.is_empty() {
        return (Attempt::Failed { response, failures }, line, resends);
    }
    match checker.captures(&step.capture, &response) {
        Ok(captures) => (Attempt::Passed { response, captures }, line, resends),
        Err(failure) => (
            Attempt::Failed {
                response,
                failures: vec![failure],
            },
            line,
            resends,
        ),
    }
}

/// Sends a request with the profile's credentials. A 401 to a fetched token gets one fresh
/// token and one resend, never more; the count of resends comes back with the response.
pub async fn exchange(
    rt: &Runtime,
    profile: Option<&str>,
    request: &ResolvedRequest,
) -> Result<(Response, u32), String> {
    let mut resends = 0;
    let mut refreshed = false;
    loop {
        let header = match profile {
            Some(name) => rt.auth.header(name).await.map_err(|e| e.to_string())?,
            None => None,
        };
        let permit = rt.gate.enter(&request.url).await;
        let response = send(rt, request, header.as_ref()).await?;
        drop(permit);
        if response.status == 401 && !refreshed {
            if let (Some(name), Some(h)) = (profile, &header) {
                if rt.auth.is_refreshable(name) {
                    rt.auth.refused(name, h).await;
                    refreshed = true;
                    resends += 1;
                    continue;
                }
            }
        }
        // The tenant asked to slow down: wait as told and resend, within the run's budget.
        if let Some(wait) = rt
            .gate
            .retry_after(response.status, response.header("retry-after").as_deref())
        {
            if !rt.is_stopping() {
                tokio::time::sleep(wait).await;
                resends += 1;
                continue;
            }
        }
        return Ok((response, resends));
    }
}

async fn send(rt: &Runtime, req: &ResolvedRequest, authorization: Option<&HeaderValue>) -> Result<Response, String> {
    let url = rt
        .urls
        .parse(&req.url)
        .map_err(|e| format!("invalid URL `{}`: {e}", cut(&req.url, 200)))?;
    if let Some((user, password)) = url_credentials(&url) {
        // Sent as a Basic header: that header is as secret as the password.
        rt.plan.redactor.add_basic(&user, &password);
    }
    let request = http_request(rt, req, url, authorization)?;
    let started = Instant::now();
    let r = rt.client.send(request).await.map_err(|e| e.to_string())?;
    let response = Response::new(r.status, r.headers, r.body, started.elapsed());
    register_issued_tokens(rt, &response);
    Ok(response)
}

/// The rendered request as the HTTP layer takes it. Which headers and bodies hold credentials
/// matters only where a request can go to another origin, so only then is it worked out.
fn http_request(
    rt: &Runtime,
    req: &ResolvedRequest,
    url: url::Url,
    authorization: Option<&HeaderValue>,
) -> Result<http::Request, String> {
    let method =
        Method::from_bytes(req.method.as_bytes()).map_err(|_| format!("`{}` is not an HTTP method", req.method))?;
    let mut request = http::Request::new(method, url, req.timeout);
    request.follow_redirects = req.follow_redirects;
    for (name, value) in &req.headers {
        let name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| format!("`{name}` is not a valid HTTP header name"))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| format!("the value of header `{name}` holds characters HTTP does not allow"))?;
        if req.follow_redirects && rt.plan.redactor.holds_secret(value.as_bytes()) {
            request.credential_headers.push(name.clone());
        }
        request.headers.append(name, value);
    }
    if let Some(auth) = authorization {
        request.headers.insert(AUTHORIZATION, auth.clone());
    }
    if let Some(body) = &req.body {
        request.body_holds_credentials = req.follow_redirects && rt.plan.redactor.holds_secret(body);
        request.body = bytes::Bytes::from(body.clone());
    }
    Ok(request)
}

/// A step may ask an IdP for a token itself; what it gets back is as secret as any token.
fn register_issued_tokens(rt: &Runtime, response: &Response) {
    const TOKEN_FIELDS: [&str; 3] = ["access_token", "refresh_token", "id_token"];
    // Every field name ends so: one fast scan rules out almost every response.
    if memchr::memmem::find(&response.body, b"_token\"").is_none() {
        return;
    }
    if let Ok(json) = response.json() {
        for field in TOKEN_FIELDS {
            if let Some(token) = json.get(field).and_then(|t| t.as_str()) {
                rt.plan.redactor.add(token);
            }
        }
    }
}
