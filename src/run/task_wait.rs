//! `workflow: { task_of: INSTANCE }`: polling the task list until a task of that instance
//! appears; the step then sees that task as its response.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::expect::Response;
use crate::expect::predicate::loosely_equal;
use crate::run::follow_failure::{FollowFailure, failure};
use crate::run::follow_scope::FollowScope;
use crate::run::step_error::StepError;
use crate::text::scalar_text;

pub struct Wait<'a> {
    pub instance: &'a str,
    pub interval: Duration,
    pub timeout: Duration,
}

pub async fn wait_for_task(
    scope: &FollowScope<'_>,
    first: Response,
    wait: Wait<'_>,
) -> Result<Response, FollowFailure> {
    let instance = (scope.rt.plan.engine)
        .render_value(wait.instance, scope.ctx)
        .map_err(StepError::from)?;
    let started = Instant::now();
    let mut response = first;
    loop {
        if let Some(task) = task_of(&response, &instance) {
            response.set_json(task);
            return Ok(response);
        }
        if started.elapsed() + wait.interval > wait.timeout || scope.rt.is_stopping() {
            let failure = failure(
                scope.step,
                &format!(
                    "a task of instance {} within {} s",
                    scalar_text(&instance),
                    wait.timeout.as_secs_f64()
                ),
                format!("no such task; the last task list: {}", task_list(&response)),
            );
            return Err(FollowFailure::Failed(failure, Box::new(response)));
        }
        tokio::time::sleep(wait.interval).await;
        response = scope.get(&scope.request.url).await?;
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
        return format!("{} {}", response.status, response.text());
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
        items.join(", ")
    }
}
