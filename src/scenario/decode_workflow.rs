//! `workflow:` steps: workflows and tasks listed, a workflow started (by id or by name), a
//! task waited for and actioned, as Workflow REST requests.

use std::time::Duration;

use crate::diag::Diagnostic;
use crate::scenario::decode_k2::{request, scalar, template};
use crate::scenario::fields::{Fields, Reader};
use crate::scenario::model::{Body, Follow, Request};
use crate::source::Span;
use crate::yaml::{Node, NodeKind};

pub const WORKFLOW_KEYS: &[&str] = &[
    "start",
    "folio",
    "priority",
    "data",
    "wait_for_task",
    "interval",
    "timeout",
    "task",
    "action",
    "sleep_for",
    "sleep_until",
    "redirect_to",
    "list",
    "schema",
    "expect",
    "headers",
];

pub fn decode_workflow(r: &mut Reader, node: &Node) -> Option<(Request, Follow)> {
    let span = node.span;
    let base = WORKFLOW_BASE;
    let mut f = r.fields(node, "a workflow step", WORKFLOW_KEYS)?;
    let (start, wait, task, list) = (f.take("start"), f.take("wait_for_task"), f.take("task"), f.take("list"));
    let schema = f.take("schema");
    let count = [start, wait, task, list, schema].iter().filter(|n| n.is_some()).count();
    if count != 1 {
        r.error(
            Diagnostic::error("a workflow step does one thing", span)
                .with_help("write one of: start, wait_for_task, task (with action), list, schema"),
        );
        return None;
    }
    // `expect: snapshot` keeps the answer as a snapshot (the step decoder adds the check).
    if let Some(n) = f.take("expect")
        && n.as_scalar() != Some("snapshot")
    {
        r.error(Diagnostic::error("a workflow step's `expect` is `snapshot`", n.span));
    }
    if let Some(n) = schema {
        return workflow_schema(r, n, span);
    }
    if let Some(n) = list {
        let what = r.string(n, "`workflows` or `tasks`")?;
        if what != "workflows" && what != "tasks" {
            r.error(Diagnostic::error("`list` is `workflows` or `tasks`", n.span));
        }
        return Some((
            request("GET", template(format!("{base}/{what}"), span), span),
            Follow::None,
        ));
    }
    if let Some(n) = start {
        return workflow_start(r, &mut f, n, span);
    }
    if let Some(n) = wait {
        let instance = r.template(n, "an instance id")?;
        let interval = f
            .take("interval")
            .and_then(|n| r.duration(n, "interval"))
            .unwrap_or(Duration::from_secs(1));
        let timeout = f
            .take("timeout")
            .and_then(|n| r.duration(n, "timeout"))
            .unwrap_or(Duration::from_secs(60));
        let req = request("GET", template(format!("{WORKFLOW_BASE}/tasks"), span), span);
        return Some((
            req,
            Follow::WaitForTask {
                instance,
                interval,
                timeout,
            },
        ));
    }
    workflow_task(r, &mut f, task?, span)
}

/// Where the Workflow REST API's resources are.
const WORKFLOW_BASE: &str = "{{ api }}/api/workflow/v1";

/// `start: NAME or ID`, with its folio, priority and data fields. A number is an id; a name
/// (or a template, decided when rendered) is looked up first.
fn workflow_start(r: &mut Reader, f: &mut Fields, n: &Node, span: Span) -> Option<(Request, Follow)> {
    let base = WORKFLOW_BASE;
    let (id, follow) = workflow_ref(r, n)?;
    let mut req = request("POST", template(format!("{base}/workflows/{id}"), span), span);
    let mut body: Vec<(Node, Node)> = Vec::new();
    for key in ["folio", "priority"] {
        if let Some(v) = f.take(key) {
            body.push((scalar(key, v.span), v.clone()));
        }
    }
    if let Some(v) = f.take("data") {
        body.push((scalar("dataFields", v.span), v.clone()));
    }
    req.body = Some(Body::Json(Node {
        kind: NodeKind::Map(body),
        span,
    }));
    Some((req, follow))
}

/// A workflow named by id or by name: the id as it goes in the URL, and the look-up a name
/// needs first. A number is an id; a name (or a template, decided when rendered) is looked up.
fn workflow_ref(r: &mut Reader, n: &Node) -> Option<(String, Follow)> {
    let text = r.string(n, "a workflow name or id")?;
    if text.parse::<u64>().is_ok() {
        return Some((text, Follow::None));
    }
    let id = format!("{{{{ {} }}}}", crate::scenario::model::WORKFLOW_ID);
    Some((
        id,
        Follow::WorkflowByName {
            name: template(text, n.span),
        },
    ))
}

/// `schema: NAME or ID`: the workflow's start schema (its data fields and item references).
fn workflow_schema(r: &mut Reader, n: &Node, span: Span) -> Option<(Request, Follow)> {
    let (id, follow) = workflow_ref(r, n)?;
    let url = template(format!("{WORKFLOW_BASE}/workflows/{id}/schema"), span);
    Some((request("GET", url, span), follow))
}

/// `task: SERIAL` with an `action`, and what the action sends.
fn workflow_task(r: &mut Reader, f: &mut Fields, task: &Node, span: Span) -> Option<(Request, Follow)> {
    let base = WORKFLOW_BASE;
    let serial = r.string(task, "a serial number")?;
    let Some(action_node) = f.take("action") else {
        r.error(
            Diagnostic::error("a `task` step needs an `action`", span)
                .with_help("e.g. action: Approve, assign, release, sleep, wake, redirect"),
        );
        return None;
    };
    let action = r.string(action_node, "an action")?;
    let mut req = request(
        "POST",
        template(format!("{base}/tasks/{serial}/actions/{action}"), span),
        span,
    );
    let mut body: Vec<(Node, Node)> = Vec::new();
    for (key, field) in [
        ("sleep_for", "SleepFor"),
        ("sleep_until", "SleepUntil"),
        ("redirect_to", "RedirectTo"),
        ("data", "dataFields"),
    ] {
        if let Some(v) = f.take(key) {
            body.push((scalar(field, v.span), v.clone()));
        }
    }
    if !body.is_empty() {
        req.body = Some(Body::Json(Node {
            kind: NodeKind::Map(body),
            span,
        }));
    }
    Some((req, Follow::None))
}
