//! Workflow REST v1 at `/api/workflow/v1/`: field names as K2's data contracts spell them
//! (`workflowInstanceID` beside `defaultVersionId`).

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::mock::request::{MockRequest, empty, field, json_response, with_type};
use crate::mock::workflow_store::{Task, TaskStatus, Workflow, WorkflowStore};

pub fn handle(store: &mut WorkflowStore, req: &MockRequest, rest: &[String], user: &str, base: &str) -> Response {
    let lower: Vec<String> = rest.iter().map(|s| s.to_ascii_lowercase()).collect();
    let parts: Vec<&str> = lower.iter().map(String::as_str).collect();
    let get = req.method == Method::GET;
    let post = req.method == Method::POST;
    match parts.as_slice() {
        ["workflows"] if get => list_workflows(store),
        ["workflows", id] if get => with_workflow(store, id, |w| json_response(StatusCode::OK, &workflow_detail(w))),
        ["workflows", id, "schema"] if get => {
            with_workflow(store, id, |w| json_response(StatusCode::OK, &start_schema(w)))
        }
        ["workflows", id] if post => start(store, req, id, user),
        ["tasks"] if get => list_tasks(store, base),
        ["tasks", _] if get => with_task(store, &rest[1], |store, i| {
            json_response(StatusCode::OK, &task_detail(store, &store.tasks[i], base))
        }),
        ["tasks", _, "actions"] if get => with_task(store, &rest[1], |store, i| {
            json_response(StatusCode::OK, &actions(store, &store.tasks[i]))
        }),
        ["tasks", _, "actions", _] if post => act(store, req, &rest[1], &rest[3], user),
        ["serverevents", sn] | ["serverevents", sn, "finish"] => message(
            StatusCode::NOT_FOUND,
            &format!("No server event with serial number '{sn}' is waiting."),
        ),
        ["op", operation] if get => json_response(StatusCode::OK, &json!(format!("{operation} completed"))),
        ["swagger", "docs", "v1"] if get => json_response(StatusCode::OK, &swagger(base)),
        ["workflows", ..] | ["tasks", ..] | ["op", ..] => message(
            StatusCode::METHOD_NOT_ALLOWED,
            "The requested resource does not support this method.",
        ),
        _ => message(
            StatusCode::NOT_FOUND,
            "No HTTP resource was found that matches the request URI.",
        ),
    }
}

/// ASP.NET Web API's error body.
fn message(status: StatusCode, text: &str) -> Response {
    json_response(status, &json!({ "Message": text }))
}

fn with_workflow(store: &WorkflowStore, id: &str, f: impl FnOnce(&Workflow) -> Response) -> Response {
    match id.parse::<i64>().ok().and_then(|id| store.workflow(id)) {
        Some(w) => f(w),
        None => message(
            StatusCode::NOT_FOUND,
            &format!("Workflow '{id}' was not found or you have no Start rights."),
        ),
    }
}

fn with_task(
    store: &mut WorkflowStore,
    serial: &str,
    f: impl FnOnce(&mut WorkflowStore, usize) -> Response,
) -> Response {
    if !is_serial(serial) {
        return message(
            StatusCode::BAD_REQUEST,
            &format!("'{serial}' is not a serial number (expected {{instance}}_{{destination}})."),
        );
    }
    match store.task_index(serial) {
        Some(i) => f(store, i),
        None => message(StatusCode::NOT_FOUND, &format!("Task '{serial}' was not found.")),
    }
}

fn is_serial(text: &str) -> bool {
    text.split_once('_')
        .is_some_and(|(a, b)| a.parse::<i64>().is_ok() && b.parse::<i64>().is_ok())
}

fn list_workflows(store: &WorkflowStore) -> Response {
    let workflows: Vec<Value> = store
        .workflows
        .iter()
        .map(|w| {
            json!({
                "id": w.id,
                "defaultVersionId": w.default_version_id,
                "name": w.name,
                "folder": w.folder,
                "systemName": w.system_name,
            })
        })
        .collect();
    json_response(
        StatusCode::OK,
        &json!({ "itemCount": workflows.len(), "workflows": workflows }),
    )
}

fn workflow_detail(w: &Workflow) -> Value {
    json!({
        "workflowInfo": {
            "name": w.name,
            "description": w.description,
            "folder": w.folder,
            "systemName": w.system_name,
            "expectedDuration": 0,
        },
        "workflowSchema": start_schema(w).to_string(),
    })
}

fn start_schema(w: &Workflow) -> Value {
    let fields: Map<String, Value> = w
        .data_fields
        .iter()
        .map(|(n, t)| (n.clone(), json!({ "type": t })))
        .collect();
    json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": w.name,
        "type": "object",
        "properties": {
            "folio": { "type": "string" },
            "priority": { "type": "integer" },
            "expectedDuration": { "type": "integer" },
            "dataFields": { "type": "object", "properties": fields, "additionalProperties": false },
            "xmlFields": { "type": "array" },
            "itemReferences": { "type": "object" },
        },
    })
}

fn start(store: &mut WorkflowStore, req: &MockRequest, id: &str, user: &str) -> Response {
    let Some(workflow) = id.parse::<i64>().ok().and_then(|id| store.workflow(id)).cloned() else {
        return message(
            StatusCode::NOT_FOUND,
            &format!("Workflow '{id}' was not found or you have no Start rights."),
        );
    };
    let body = match req.json() {
        Ok(v) => v,
        Err(e) => return message(StatusCode::BAD_REQUEST, &e),
    };
    if !body.is_null() && !body.is_object() {
        return message(StatusCode::BAD_REQUEST, "The body must be a JSON object.");
    }
    let folio = field(&body, "folio")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let priority = field(&body, "priority").and_then(Value::as_i64).unwrap_or(1);
    let mut data = Map::new();
    if let Some(given) = field(&body, "dataFields") {
        let Some(given) = given.as_object() else {
            return message(
                StatusCode::BAD_REQUEST,
                "dataFields must be an object keyed by data-field name.",
            );
        };
        for (name, value) in given {
            let Some((known, _)) = workflow.data_fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) else {
                return message(
                    StatusCode::BAD_REQUEST,
                    &format!("The workflow has no data field '{name}'."),
                );
            };
            data.insert(known.clone(), value.clone());
        }
    }
    let instance = store.start(workflow.id, folio, priority, format!("K2:{user}"), data);
    // The body is the new instance id as a bare integer.
    with_type(
        StatusCode::CREATED,
        "application/json; charset=utf-8",
        instance.to_string(),
    )
}

fn task_lite(store: &WorkflowStore, task: &Task, base: &str) -> Value {
    let instance = store.instance(task.instance_id);
    let workflow = instance.and_then(|i| store.workflow(i.workflow_id));
    let serial = task.serial_number();
    json!({
        "serialNumber": serial,
        "status": task.status.word(),
        "taskStartDate": task.started,
        "sleepUntil": task.sleep_until,
        "priority": instance.map_or(1, |i| i.priority),
        "formURL": format!("{base}/Runtime/Runtime/Form/Task/?SN={serial}"),
        "viewFlowURL": format!("{base}/Workspace/ViewFlow?ProcInstID={}", task.instance_id),
        "workflowID": workflow.map(|w| w.id),
        "workflowName": workflow.map(|w| w.system_name.clone()),
        "workflowDisplayName": workflow.map(|w| w.name.clone()),
        "workflowCategory": workflow.map(|w| w.folder.clone()),
        "workflowInstanceID": task.instance_id,
        "workflowInstanceFolio": instance.map(|i| i.folio.clone()),
        "activityInstanceID": task.activity_instance_id,
        "activityInstanceDestinationID": task.destination_id,
        "activityName": workflow.map(|w| w.activity.clone()),
        "eventName": workflow.map(|w| w.activity.clone()),
        "eventDescription": "",
        "allocatedTo": task.allocated_to,
        "originator": {
            "username": instance.map(|i| i.originator.trim_start_matches("K2:").to_owned()),
            "fqn": instance.map(|i| i.originator.clone()),
            "email": "",
            "manager": "",
            "displayName": instance.map(|i| i.originator.trim_start_matches("K2:").to_owned()),
        },
        "actions": actions(store, task),
        "instruction": workflow.map(|w| format!("Please action this {}.", w.name)),
    })
}

fn actions(store: &WorkflowStore, task: &Task) -> Value {
    let custom = store
        .instance(task.instance_id)
        .and_then(|i| store.workflow(i.workflow_id))
        .map(|w| w.actions.clone())
        .unwrap_or_default();
    json!({
        "nonBatchableActions": [],
        "batchableActions": custom,
        "systemActions": ["Redirect", "Sleep", "Release", "Assign", "Wake"],
    })
}

fn list_tasks(store: &WorkflowStore, base: &str) -> Response {
    let tasks: Vec<Value> = store.tasks.iter().map(|t| task_lite(store, t, base)).collect();
    json_response(StatusCode::OK, &json!({ "itemCount": tasks.len(), "tasks": tasks }))
}

fn task_detail(store: &WorkflowStore, task: &Task, base: &str) -> Value {
    let mut detail = task_lite(store, task, base);
    let fields = store
        .instance(task.instance_id)
        .map(|i| Value::Object(i.data_fields.clone()))
        .unwrap_or(json!({}));
    if let Value::Object(map) = &mut detail {
        map.insert("activityDataFields".into(), json!({}));
        map.insert("itemReferences".into(), json!({}));
        map.insert("itemReferencesString".into(), json!(""));
        map.insert("dataFields".into(), fields.clone());
        map.insert("workflowInstanceDataFields".into(), fields.clone());
        map.insert("workflowInstanceDataFieldsString".into(), json!(fields.to_string()));
        map.insert("workflowInstanceXmlFields".into(), json!([]));
    }
    detail
}

fn act(store: &mut WorkflowStore, req: &MockRequest, serial: &str, action: &str, user: &str) -> Response {
    let body = match req.json() {
        Ok(v) => v,
        Err(e) => return message(StatusCode::BAD_REQUEST, &e),
    };
    let action = action.to_owned();
    let user = user.to_owned();
    with_task(store, serial, move |store, i| {
        let status = store.tasks[i].status;
        let task = &mut store.tasks[i];
        match action.to_ascii_lowercase().as_str() {
            "assign" => {
                task.status = TaskStatus::Open;
                task.allocated_to = Some(user);
            }
            "release" => {
                if status != TaskStatus::Open {
                    return message(
                        StatusCode::BAD_REQUEST,
                        "Only an allocated (Open) task can be released.",
                    );
                }
                task.status = TaskStatus::Available;
                task.allocated_to = None;
            }
            "sleep" => {
                let until = match sleep_until(&body) {
                    Ok(until) => until,
                    Err(words) => return message(StatusCode::BAD_REQUEST, words),
                };
                task.status = TaskStatus::Sleep;
                task.sleep_until = Some(until);
            }
            "wake" => {
                if status != TaskStatus::Sleep {
                    return message(StatusCode::BAD_REQUEST, "The task is not sleeping.");
                }
                task.status = TaskStatus::Available;
                task.sleep_until = None;
            }
            "redirect" => {
                let Some(to) = field(&body, "RedirectTo")
                    .and_then(Value::as_str)
                    .filter(|t| !t.trim().is_empty())
                else {
                    return message(StatusCode::BAD_REQUEST, "RedirectTo is required.");
                };
                // `label:domain\user`, `label:user` or `user`: the owner is what follows the label.
                let owner = to.split_once(':').map_or(to, |(_, u)| u);
                task.status = TaskStatus::Open;
                task.allocated_to = Some(owner.to_owned());
            }
            _ => return complete(store, i, &action, &body),
        }
        empty(StatusCode::NO_CONTENT)
    })
}

/// When a task put to sleep wakes: `SleepFor` seconds from now, or `SleepUntil`.
fn sleep_until(body: &Value) -> Result<String, &'static str> {
    let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    match (field(body, "SleepFor"), field(body, "SleepUntil")) {
        (Some(seconds), None) => match seconds.as_i64().filter(|s| *s > 0) {
            Some(s) => Ok(at(chrono::Utc::now() + chrono::Duration::seconds(s))),
            None => Err("SleepFor must be a positive number of seconds."),
        },
        (None, Some(until)) => match until
            .as_str()
            .and_then(|u| chrono::DateTime::parse_from_rfc3339(u).ok())
        {
            Some(t) => Ok(at(t.with_timezone(&chrono::Utc))),
            None => Err("SleepUntil must be an ISO 8601 date and time."),
        },
        _ => Err("Give either SleepFor or SleepUntil."),
    }
}

/// A task actioned with one of its workflow's actions: it is done, the instance takes the
/// data fields sent and is completed with that action.
fn complete(store: &mut WorkflowStore, i: usize, action: &str, body: &Value) -> Response {
    let (status, instance_id) = (store.tasks[i].status, store.tasks[i].instance_id);
    let workflow = store
        .instance(instance_id)
        .and_then(|i| store.workflow(i.workflow_id))
        .cloned();
    let Some(name) = workflow.and_then(|w| w.actions.iter().find(|a| a.eq_ignore_ascii_case(action)).cloned()) else {
        return message(
            StatusCode::BAD_REQUEST,
            &format!(
                "Action '{action}' is not available on task '{serial_of}'.",
                serial_of = store.tasks[i].serial_number()
            ),
        );
    };
    if status == TaskStatus::Sleep {
        return message(
            StatusCode::BAD_REQUEST,
            "A sleeping task cannot be actioned; wake it first.",
        );
    }
    store.tasks.remove(i);
    if let Some(instance) = store.instances.iter_mut().find(|x| x.id == instance_id) {
        if let Some(fields) = field(body, "dataFields").and_then(Value::as_object) {
            instance.data_fields.extend(fields.clone());
        }
        instance.completed_with = Some(name);
    }
    empty(StatusCode::NO_CONTENT)
}

fn swagger(base: &str) -> Value {
    json!({
        "swagger": "2.0",
        "info": { "title": "K2 Workflow REST API (k2check mock)", "version": "v1" },
        "host": base.trim_start_matches("http://").trim_start_matches("https://"),
        "basePath": "/api/workflow/v1",
        "paths": {
            "/workflows": {}, "/workflows/{id}": {}, "/workflows/{id}/schema": {},
            "/tasks": {}, "/tasks/{serialNumber}": {}, "/tasks/{serialNumber}/actions": {},
            "/tasks/{serialNumber}/actions/{actionName}": {}, "/serverEvents/{serialNumber}": {},
            "/serverEvents/{serialNumber}/finish": {}, "/op/{operation}": {}
        },
    })
}
