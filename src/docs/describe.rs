//! Scenarios in words: what each step sends (its templates as written, so variables are
//! named, not filled in), what it expects, what it captures, and K2 steps in K2's terms.

use std::path::{Path, PathBuf};

use crate::expect::predicate::op_words;
use crate::scenario::model::{AuthRef, Body, CaptureSource, Expect, Follow, Op, Predicate, RowSource, Scenario, Step};
use crate::template::{Context, TemplateEngine};
use crate::yaml::Node;

pub struct DocScenario {
    pub name: String,
    /// The file, as given on the command line.
    pub file: PathBuf,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub auth: Option<String>,
    pub rows: Option<String>,
    pub steps: Vec<DocStep>,
}

pub struct DocStep {
    pub name: String,
    pub description: Option<String>,
    pub clean_up: bool,
    pub method: String,
    /// The URL as written, its query appended: `{{ api }}/x?$top=5`.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub auth: Option<String>,
    /// The step explained in K2's terms, for OData, workflow and SCIM steps.
    pub k2: Option<String>,
    pub expects: Vec<String>,
    pub captures: Vec<String>,
    /// The variables the step's request reads (their roots: `api`, `employees`).
    pub variables: std::collections::BTreeSet<String>,
}

pub fn describe(scenario: &Scenario, engine: &TemplateEngine) -> DocScenario {
    let ctx = Context::default();
    let steps = scenario
        .steps
        .iter()
        .map(|s| (s, false))
        .chain(scenario.finally.iter().map(|s| (s, true)))
        .map(|(step, clean_up)| describe_step(step, clean_up, engine, &ctx))
        .collect();
    DocScenario {
        name: scenario.name.value.clone(),
        file: scenario.path.clone(),
        description: scenario.description.clone(),
        tags: scenario.tags.clone(),
        auth: scenario.auth.as_ref().map(|a| auth_words(&a.value)),
        rows: scenario.rows.as_ref().map(|rows| match rows {
            RowSource::Inline(Node {
                kind: crate::yaml::NodeKind::Seq(items),
                ..
            }) => {
                format!("runs once per row of its {} inline rows", items.len())
            }
            RowSource::Inline(_) => "runs once per row".into(),
            RowSource::File(path) => format!("runs once per row of `{}`", path.value),
        }),
        steps,
    }
}

fn auth_words(auth: &AuthRef) -> String {
    match auth {
        AuthRef::None => "none (no credentials)".into(),
        AuthRef::Profile(p) => format!("profile `{p}`"),
    }
}

/// A template as a reader wants it: the filters K2 steps add to make a key or a path segment
/// safe (`{{ (id) | odata_key }}`) are k2check's business, not the reader's: `{{ id }}`.
pub fn readable(text: &str) -> String {
    static WRAPPED: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\{\{\s*\(\s*(.+?)\s*\)\s*\|\s*(?:odata_key|odata|path_segment|scim)\s*\}\}").ok()
    });
    static FILTERED: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"'?\{%\s*filter\s+\w+\s*%\}(.*?)\{%\s*endfilter\s*%\}'?").ok());
    let mut out = text.to_owned();
    if let Some(re) = WRAPPED.as_ref() {
        out = re.replace_all(&out, "{{ $1 }}").into_owned();
    }
    if let Some(re) = FILTERED.as_ref() {
        out = re.replace_all(&out, "$1").into_owned();
    }
    out
}

fn describe_step(step: &Step, clean_up: bool, engine: &TemplateEngine, ctx: &Context) -> DocStep {
    let request = &step.request;
    // The id a `workflow: { start: NAME }` step looks up is named, not the internal variable.
    let placeholder = format!("{{{{ {} }}}}", crate::scenario::model::WORKFLOW_ID);
    let mut url = readable(&request.url.text).replace(&placeholder, "{workflow id}");
    if !request.query.is_empty() {
        let query: Vec<String> = request
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", k.value, readable(&node_text(v))))
            .collect();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&query.join("&"));
    }
    let body = request.body.as_ref().map(|b| match b {
        Body::Json(node) => serde_json::to_string_pretty(&node.to_json()).unwrap_or_default(),
        Body::Form(fields) => fields
            .iter()
            .map(|(k, v)| format!("{}={}", k.value, node_text(v)))
            .collect::<Vec<_>>()
            .join("\n"),
        Body::Raw(t) => t.text.clone(),
    });
    DocStep {
        name: step.name.clone(),
        description: step.description.clone(),
        clean_up,
        method: request.method.value.clone(),
        url: url.clone(),
        headers: request
            .headers
            .iter()
            .map(|(k, v)| (k.value.clone(), v.text.clone()))
            .collect(),
        body,
        auth: step.auth.as_ref().map(|a| auth_words(&a.value)),
        k2: k2_words(step, &url),
        expects: expect_words(&step.expect, records_word(&url), engine, ctx),
        variables: variables_used(step, engine),
        captures: step
            .capture
            .iter()
            .map(|c| {
                let from = match &c.source {
                    CaptureSource::Json(path) => format!("`{}`", path.text),
                    CaptureSource::Header(h) => format!("the header `{h}`"),
                    CaptureSource::Regex { regex, .. } => format!("the body, by /{}/", regex.as_str()),
                    CaptureSource::Body(_) => "the body".into(),
                    CaptureSource::Status => "the status code".into(),
                };
                format!("`{}` from {from}", c.name.value)
            })
            .collect(),
    }
}

fn node_text(node: &Node) -> String {
    match node.as_scalar() {
        Some(text) => text.to_owned(),
        None => node.to_json().to_string(),
    }
}

fn all(predicates: &[Predicate], engine: &TemplateEngine, ctx: &Context) -> String {
    predicates
        .iter()
        .map(|p| {
            let words = op_words(p, engine, ctx);
            // `matches /…/` is how a failure shows it; a reader wants words.
            match words.strip_prefix("matches /").and_then(|w| w.strip_suffix('/')) {
                Some(pattern) => format!("matches the pattern `{pattern}`"),
                None => words,
            }
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// What `records` counts for the API the step calls: OData's `value`, SCIM's `Resources`.
fn records_word(url: &str) -> &'static str {
    if url.contains("/api/odata") {
        "the records (`value`)"
    } else if url.contains("scim") {
        "the resources (`Resources`)"
    } else {
        "the records (`value` for OData, `Resources` for SCIM)"
    }
}

/// The roots of the names a step's request reads.
fn variables_used(step: &Step, engine: &TemplateEngine) -> std::collections::BTreeSet<String> {
    crate::scenario::templates::step_templates(step)
        .iter()
        .filter_map(|t| engine.names_used(&t.text).ok())
        .flatten()
        .map(|name| name.split('.').next().unwrap_or_default().to_owned())
        .collect()
}

/// The expectations in words: "status 200", "`$.value` count >= 1".
pub fn expect_words(expect: &Expect, records: &str, engine: &TemplateEngine, ctx: &Context) -> Vec<String> {
    let mut words = Vec::new();
    if let Some(status) = &expect.status {
        let codes: Vec<String> = status.value.iter().map(|s| s.to_string()).collect();
        words.push(format!("status {}", codes.join(" or ")));
    }
    for (name, predicates) in &expect.headers {
        words.push(format!("header `{}` {}", name.value, all(predicates, engine, ctx)));
    }
    if !expect.records.is_empty() {
        words.push(format!("{records} count {}", all(&expect.records, engine, ctx)));
    }
    if !expect.odata_count.is_empty() {
        words.push(format!("`@odata.count` {}", all(&expect.odata_count, engine, ctx)));
    }
    for (path, predicates) in &expect.json {
        let matches_nothing = predicates.iter().any(|p| matches!(p.op, Op::Exists(false)));
        match matches_nothing {
            true => words.push(format!("`{}` matches nothing", path.text)),
            false => words.push(format!("`{}` {}", path.text, all(predicates, engine, ctx))),
        }
    }
    if !expect.body.is_empty() {
        words.push(format!("the body {}", all(&expect.body, engine, ctx)));
    }
    if let Some(schema) = &expect.schema {
        words.push(format!("the body follows the JSON Schema `{}`", schema.value.display()));
    }
    if !expect.time.is_empty() {
        words.push(format!("answered in {}", all(&expect.time, engine, ctx)));
    }
    if let Some(set) = &expect.entity_set {
        let properties: Vec<&str> = set.properties.iter().map(|p| p.text.as_str()).collect();
        words.push(format!(
            "`$metadata` describes the entity set `{}` with {}",
            set.name.text,
            properties.join(", ")
        ));
    }
    if let Some(snapshot) = &expect.snapshot {
        words.push(match (&snapshot.form, snapshot.shape) {
            (crate::scenario::model::SnapshotForm::Metadata { .. }, _) => {
                "the entity data model has not changed since its snapshot".to_owned()
            }
            (_, true) => "the answer has the shape (keys and types) of its snapshot".to_owned(),
            (_, false) => "the answer equals its snapshot".to_owned(),
        });
    }
    words
}

/// OData, workflow and SCIM steps, said in K2's terms.
fn k2_words(step: &Step, url: &str) -> Option<String> {
    let path = url.split('?').next().unwrap_or(url);
    let options: Vec<String> = url
        .split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter(|p| p.starts_with('$'))
                .map(|p| p.replacen('=', " = ", 1))
                .collect()
        })
        .unwrap_or_default();
    let options = match options.is_empty() {
        true => String::new(),
        false => format!(" with {}", options.join(", ")),
    };
    match &step.follow {
        Follow::ODataPages { limit, .. } => {
            return Some(format!(
                "OData query{options}, following `@odata.nextLink` through every page (at most {limit})"
            ));
        }
        Follow::ScimPages { limit, .. } => {
            return Some(format!(
                "SCIM list, paging by `startIndex` through every page (at most {limit})"
            ));
        }
        Follow::WorkflowByName { name } => {
            let what = if path.ends_with("/schema") {
                "reads the start schema (data fields, item references) of"
            } else {
                "starts"
            };
            return Some(format!(
                "Workflow REST: {what} the workflow named `{}` (its id is looked up by name first)",
                name.text
            ));
        }
        Follow::WaitForTask { instance, .. } => {
            return Some(format!(
                "Workflow REST: polls the task list until a task of instance `{}` appears",
                instance.text
            ));
        }
        Follow::None => {}
    }
    if path.contains("/api/odatav4/") || path.contains("/api/odatav3/") {
        let version = if path.contains("odatav3") { "v3" } else { "v4" };
        let set = path.rsplit('/').next().filter(|s| !s.is_empty());
        return Some(match (set, path.ends_with("$metadata")) {
            (_, true) => format!("OData {version}: the `$metadata` document (the entity data model)"),
            (Some(set), _) => {
                let verb = odata_verb(&step.request.method.value);
                match set.split_once('(').filter(|_| set.ends_with(')')) {
                    Some((name, key)) => format!(
                        "OData {version} {verb} of the record with key `{}` in the SmartObject entity set `{name}`{options}",
                        key.trim_end_matches(')')
                    ),
                    None => format!("OData {version} {verb} on the SmartObject entity set `{set}`{options}"),
                }
            }
            (None, _) => format!("OData {version}: the service document (the SmartObjects exposed)"),
        });
    }
    if let Some(rest) = path.split("/api/workflow/v1/").nth(1) {
        return Some(format!(
            "Workflow REST: {} (`{} /api/workflow/v1/{rest}`)",
            workflow_words(&step.request.method.value, rest),
            step.request.method.value
        ));
    }
    let scim_resource = ["Users", "Groups", "ServiceProviderConfig", "ResourceTypes", "Schemas"]
        .iter()
        .find(|r| path.contains(&format!("/{r}")) || path.contains("{{ scim }}") && path.ends_with(*r));
    if let Some(resource) = scim_resource.filter(|_| path.contains("scim")) {
        let filter = url
            .split_once("filter=")
            .map(|(_, f)| format!(", filter `{}`", f.split('&').next().unwrap_or(f)))
            .unwrap_or_default();
        // `Users/{{ id }}`: the one resource, its id kept.
        let id = path
            .split_once(&format!("/{resource}/"))
            .map(|(_, id)| format!(" `{id}`"))
            .unwrap_or_default();
        return Some(format!(
            "SCIM 2.0 (RFC 7644): {} `{resource}`{id}{filter}",
            step.request.method.value
        ));
    }
    None
}

/// A Workflow REST call named by what it does, from its path below `/api/workflow/v1/`.
fn workflow_words(method: &str, rest: &str) -> String {
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    match (method, parts.as_slice()) {
        (_, ["workflows"]) => "the workflows the client may see".into(),
        ("POST", ["workflows", id]) => format!("starts workflow `{id}`"),
        (_, ["workflows", id]) => format!("workflow `{id}`'s definition"),
        ("POST", ["workflows", id, "instances"]) => format!("starts an instance of workflow `{id}`"),
        (_, ["workflows", id, "schema"]) => format!("workflow `{id}`'s data fields and item references"),
        (_, ["workflows", id, ..]) => format!("workflow `{id}`"),
        (_, ["tasks"]) => "the task list".into(),
        ("GET", ["tasks", sn]) => format!("one task (`{sn}`)"),
        ("GET", ["tasks", sn, "actions"]) => format!("the actions task `{sn}` offers"),
        ("POST", ["tasks", sn, "actions", action]) => format!("performs the action `{action}` on task `{sn}`"),
        (_, ["tasks", sn, ..]) => format!("task `{sn}`"),
        (_, ["instances", id]) => format!("workflow instance `{id}`"),
        (_, ["instances", id, ..]) => format!("workflow instance `{id}`"),
        _ => "a Workflow REST call".into(),
    }
}

fn odata_verb(method: &str) -> &'static str {
    match method {
        "POST" => "create",
        "PATCH" | "PUT" | "MERGE" => "update",
        "DELETE" => "delete",
        _ => "query",
    }
}

/// The folder a scenario file is documented under, relative to the suite's root.
pub fn folder_of(file: &Path, root: &Path) -> String {
    let parent = file.parent().unwrap_or(Path::new(""));
    let relative = parent.strip_prefix(root).unwrap_or(parent);
    let text = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    if text.is_empty() { ".".into() } else { text }
}
