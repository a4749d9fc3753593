//! `workflow: { start: NAME }`: the id of a workflow, found by name in `GET workflows` before
//! the start request is rendered.

use minijinja::Value as TemplateValue;
use serde_json::Value;

use crate::run::exchange::get;
use crate::run::resolve::ResolvedRequest;
use crate::run::runtime::Runtime;
use crate::run::step_error::StepError;
use crate::scenario::model::{Follow, WORKFLOW_ID};
use crate::template::Context;

/// The context the step's request renders in: with the workflow's id when it starts one by name.
pub async fn with_workflow_id(
    rt: &Runtime,
    profile: Option<&str>,
    follow: &Follow,
    ctx: &Context,
) -> Result<Context, StepError> {
    let Follow::WorkflowByName { name } = follow else {
        return Ok(ctx.clone());
    };
    let name = rt.plan.engine.render(&name.text, ctx)?;
    if let Ok(id) = name.trim().parse::<i64>() {
        return Ok(ctx.with(WORKFLOW_ID, TemplateValue::from(id)));
    }
    let api = rt.plan.engine.render("{{ api }}", ctx)?;
    let like = ResolvedRequest {
        method: "GET".into(),
        url: String::new(),
        headers: Vec::new(),
        body: None,
        timeout: rt.plan.timeout,
        follow_redirects: false,
    };
    let lookup_failed = |reason: String| StepError::WorkflowLookup {
        name: name.clone(),
        reason,
    };
    let response = get(rt, profile, &like, &format!("{api}/api/workflow/v1/workflows")).await?;
    if response.status != 200 {
        return Err(lookup_failed(format!("GET workflows answered {}", response.status)));
    }
    let workflows = response.json().map_err(|e| lookup_failed(e.to_string()))?;
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
            Err(lookup_failed(format!(
                "no startable workflow has this name (the list has: {})",
                names.join(", ")
            )))
        }
    }
}
