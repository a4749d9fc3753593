//! What K2-aware steps do around their request: find a workflow by name before it, follow
//! OData next links and SCIM pages after it, and poll the task list for an instance's task.

use std::collections::HashSet;
use std::time::Instant;

use minijinja::Value as TemplateValue;
use serde_json::Value;

use crate::event::AssertionFailure;
use crate::expect::Response;
use crate::expect::predicate::{cut, loosely_equal, scalar_text};
use crate::run::resolve::ResolvedRequest;
use crate::run::runtime::Runtime;
use crate::run::step::exchange;
use crate::scenario::model::{Follow, ODataVersion, Step};
use crate::template::Context;

/// The template name a `workflow: { start: NAME }` request uses for the id it looked up.
pub const WORKFLOW_ID: &str = "__workflow_id";

pub enum FollowFailure {
    /// The step could not be carried out.
    Error(String),
    /// It was carried out, and what came back is not what the step expects.
    Failed(AssertionFailure, Box<Response>),
}

async fn get(rt: &Runtime, profile: Option<&str>, like: &ResolvedRequest, url: &str) -> Result<Response, String> {
    let request = ResolvedRequest {
        method: "GET".into(),
        url: url.to_owned(),
        headers: like
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("content-type"))
            .cloned()
            .collect(),
        body: None,
        timeout: like.timeout,
        follow_redirects: like.follow_redirects,
    };
    let (response, _) = exchange(rt, profile, &request).await?;
    Ok(response)
}

/// Work before the request: the id of a workflow named in `start:`.
pub async fn prepare(rt: &Runtime, profile: Option<&str>, follow: &Follow, ctx: &Context) -> Result<Context, String> {
    let Follow::WorkflowByName { name } = follow else {
        return Ok(ctx.clone());
    };
    let name = rt
        .plan
        .engine
        .render(&name.text, ctx)
        .map_err(|e| format!("template: {e}"))?;
    if let Ok(id) = name.trim().parse::<i64>() {
        return Ok(ctx.with(WORKFLOW_ID, TemplateValue::from(id)));
    }
    let api = rt
        .plan
        .engine
        .render("{{ api }}", ctx)
        .map_err(|e| format!("template: {e}"))?;
    let like = ResolvedRequest {
        method: "GET".into(),
        url: String::new(),
        headers: Vec::new(),
        body: None,
        timeout: rt.plan.timeout,
        follow_redirects: false,
    };
    let response = get(rt, profile, &like, &format!("{api}/api/workflow/v1/workflows")).await?;
    if response.status != 200 {
        return Err(format!(
            "looking up workflow `{name}`: GET workflows answered {}",
            response.status
        ));
    }
    let workflows = response
        .json()
        .map_err(|e| format!("looking up workflow `{name}`: {e}"))?;
    let list = workflows
        .get("workflows")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let found = list.iter().find(|w| {
        ["name", "systemName"].iter().any(|k| {
            w.get(*k)
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(&name))
        })
    });
    match found.and_then(|w| w.get("id")).and_then(Value::as_i64) {
        Some(id) => Ok(ctx.with(WORKFLOW_ID, TemplateValue::from(id))),
        None => {
            let names: Vec<&str> = list
                .iter()
                .filter_map(|w| w.get("name").and_then(Value::as_str))
                .collect();
            Err(format!(
                "no startable workflow is named `{name}` (the list has: {})",
                names.join(", ")
            ))
        }
    }
}

/// Work after the first response: paging and polling.
pub async fn follow(
    rt: &Runtime,
    profile: Option<&str>,
    step: &Step,
    request: &ResolvedRequest,
    first: Response,
    ctx: &Context,
) -> Result<Response, FollowFailure> {
    match &step.follow {
        Follow::None | Follow::WorkflowByName { .. } => Ok(first),
        Follow::ODataPages { version, limit, strict } => {
            let link = match version {
                ODataVersion::V4 => "@odata.nextLink",
                ODataVersion::V3 => "odata.nextLink",
            };
            odata_pages(rt, profile, step, request, first, link, *limit, *strict).await
        }
        Follow::ScimPages { limit, strict } => scim_pages(rt, profile, step, request, first, *limit, *strict).await,
        Follow::WaitForTask {
            instance,
            interval,
            timeout,
        } => {
            let instance = rt
                .plan
                .engine
                .render_value(&instance.text, ctx)
                .map_err(|e| FollowFailure::Error(format!("template: {e}")))?;
            let started = Instant::now();
            let mut response = first;
            loop {
                if let Some(task) = task_of(&response, &instance) {
                    response.set_json(task);
                    return Ok(response);
                }
                if started.elapsed() + *interval > *timeout || rt.is_stopping() {
                    let failure = failure(
                        step,
                        &format!(
                            "a task of instance {} within {} s",
                            scalar_text(&instance),
                            timeout.as_secs_f64()
                        ),
                        format!("no such task; the last task list: {}", task_list(&response)),
                    );
                    return Err(FollowFailure::Failed(failure, Box::new(response)));
                }
                tokio::time::sleep(*interval).await;
                response = get(rt, profile, request, &request.url)
                    .await
                    .map_err(FollowFailure::Error)?;
            }
        }
    }
}

fn failure(step: &Step, expected: &str, actual: String) -> AssertionFailure {
    AssertionFailure {
        span: step.span,
        message: step.name.clone(),
        expected: expected.into(),
        actual,
    }
}

fn task_of(response: &Response, instance: &Value) -> Option<Value> {
    let tasks = response.json().ok()?.get("tasks")?.as_array()?;
    let wanted = match instance {
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| instance.clone()),
        other => other.clone(),
    };
    tasks
        .iter()
        .find(|t| t.get("workflowInstanceID").is_some_and(|id| loosely_equal(&wanted, id)))
        .cloned()
}

/// The serial numbers and instances of a task list, for a failure message.
fn task_list(response: &Response) -> String {
    let Ok(json) = response.json() else {
        return format!("{} {}", response.status, cut(&response.text(), 200));
    };
    let tasks = json.get("tasks").and_then(Value::as_array).cloned().unwrap_or_default();
    let items: Vec<String> = tasks
        .iter()
        .map(|t| {
            format!(
                "{} (instance {})",
                t["serialNumber"].as_str().unwrap_or("?"),
                t["workflowInstanceID"]
            )
        })
        .collect();
    if items.is_empty() {
        "empty".into()
    } else {
        cut(&items.join(", "), 400)
    }
}

#[allow(clippy::too_many_arguments)]
async fn odata_pages(
    rt: &Runtime,
    profile: Option<&str>,
    step: &Step,
    request: &ResolvedRequest,
    first: Response,
    link: &str,
    limit: u32,
    strict: bool,
) -> Result<Response, FollowFailure> {
    let Ok(mut merged) = first.json().cloned() else {
        return Ok(first);
    };
    let mut seen: HashSet<String> = HashSet::from([request.url.clone()]);
    let mut pages = 1;
    let mut next = merged.get(link).and_then(Value::as_str).map(str::to_owned);
    while let Some(url) = next.take() {
        if pages >= limit {
            if strict {
                let f = failure(
                    step,
                    &format!("at most {limit} pages"),
                    format!("page {limit} still links to {url}"),
                );
                return Err(FollowFailure::Failed(f, Box::new(first)));
            }
            next = Some(url);
            break;
        }
        if !seen.insert(url.clone()) {
            let f = failure(
                step,
                "next links that lead somewhere new",
                format!("{url} came back a second time"),
            );
            return Err(FollowFailure::Failed(f, Box::new(first)));
        }
        let page = get(rt, profile, request, &url).await.map_err(FollowFailure::Error)?;
        if page.status != 200 {
            let f = failure(step, "every page to answer 200", format!("{} from {url}", page.status));
            return Err(FollowFailure::Failed(f, Box::new(page)));
        }
        let json = page
            .json()
            .map_err(|e| FollowFailure::Error(format!("page {}: {e}", pages + 1)))?;
        let more = json.get("value").and_then(Value::as_array).cloned().unwrap_or_default();
        if let Some(Value::Array(values)) = merged.get_mut("value") {
            values.extend(more);
        }
        next = json.get(link).and_then(Value::as_str).map(str::to_owned);
        pages += 1;
    }
    if let Some(map) = merged.as_object_mut() {
        match next {
            Some(url) => map.insert(link.into(), Value::String(url)),
            None => map.remove(link),
        };
    }
    let mut response = first;
    response.set_json(merged);
    Ok(response)
}

async fn scim_pages(
    rt: &Runtime,
    profile: Option<&str>,
    step: &Step,
    request: &ResolvedRequest,
    first: Response,
    limit: u32,
    strict: bool,
) -> Result<Response, FollowFailure> {
    let Ok(mut merged) = first.json().cloned() else {
        return Ok(first);
    };
    let number = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
    let total = number(&merged, "totalResults");
    let mut start = number(&merged, "startIndex").max(1);
    let mut per_page = number(&merged, "itemsPerPage");
    let mut collected = merged.get("Resources").and_then(Value::as_array).map_or(0, Vec::len) as u64;
    let mut pages = 1;
    while per_page > 0 && start - 1 + per_page < total {
        if pages >= limit {
            if strict {
                let f = failure(
                    step,
                    &format!("all {total} resources within {limit} pages"),
                    format!("{collected} after {pages} pages"),
                );
                return Err(FollowFailure::Failed(f, Box::new(first)));
            }
            break;
        }
        start += per_page;
        let base = request.url.split('?').next().unwrap_or(&request.url);
        let query: Vec<&str> = request
            .url
            .split_once('?')
            .map(|(_, q)| q.split('&').filter(|p| !p.starts_with("startIndex=")).collect())
            .unwrap_or_default();
        let mut url = format!("{base}?startIndex={start}");
        for part in query {
            url.push('&');
            url.push_str(part);
        }
        let page = get(rt, profile, request, &url).await.map_err(FollowFailure::Error)?;
        let json = page
            .json()
            .map_err(|e| FollowFailure::Error(format!("SCIM page at {start}: {e}")))?
            .clone();
        per_page = number(&json, "itemsPerPage");
        let more = json
            .get("Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        collected += more.len() as u64;
        if let Some(Value::Array(items)) = merged.get_mut("Resources") {
            items.extend(more);
        }
        pages += 1;
    }
    if let Some(map) = merged.as_object_mut() {
        map.insert("itemsPerPage".into(), Value::from(collected));
    }
    let mut response = first;
    response.set_json(merged);
    Ok(response)
}
