//! K2-aware steps for imported requests: an OData query, a SCIM call or a workflow task
//! action becomes an `odata:`, `scim:` or `workflow:` step only when that step sends exactly
//! the request Postman sent (checked by rendering both with the same stand-in values);
//! otherwise the plain `request:` stays.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value, json};

use crate::run::resolve::{ResolvedRequest, resolve};
use crate::scenario::fields::Reader;
use crate::source::{FileId, SourceFile};
use crate::template::{Context, TemplateEngine};

static ODATA: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?P<base>.+/api/odatav4/v4)/(?P<set>[^/?(]+)?(?:\?(?P<q>.*))?$"));
static SCIM: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?P<base>.*scim.*?)/(?P<res>Users|Groups)(?:/(?P<id>[^/?]+))?(?:\?(?P<q>.*))?$"));
static TASK_ACTION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?P<base>\{\{ [a-z_][a-z0-9_]* \}\})/api/workflow/v1/tasks/(?P<sn>[^/?]+)/actions/(?P<action>[^/?]+)$")
});

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("a pattern of k2check's own: {e}"))
}

/// A K2 step replacing `request`, when one sends the same bytes: its key (`odata`, `scim`,
/// `workflow`), its value, and the alias `api` it needs (`{{ base_url }}`) if any.
pub struct K2Step {
    pub key: &'static str,
    pub value: Value,
    pub api_alias: Option<String>,
}

pub fn k2_step(request: &Map<String, Value>) -> Option<K2Step> {
    let url = request.get("url")?.as_str()?;
    let method = request.get("method").and_then(Value::as_str).unwrap_or("GET");
    let candidate = odata(url, method, request)
        .or_else(|| scim(url, method, request))
        .or_else(|| task_action(url, method, request))?;
    exact(request, &candidate).then_some(candidate)
}

fn odata(url: &str, method: &str, request: &Map<String, Value>) -> Option<K2Step> {
    let c = ODATA.captures(url)?;
    if method != "GET" || request.contains_key("json") || request.contains_key("body") || request.contains_key("form") {
        return None;
    }
    let mut step = Map::new();
    step.insert("service".into(), json!(&c["base"]));
    if let Some(set) = c.name("set") {
        step.insert("set".into(), json!(set.as_str()));
    }
    for pair in query_pairs(&c) {
        let (name, value) = pair?;
        let key = match name {
            "$filter" => "filter",
            "$select" => "select",
            "$orderby" => "orderby",
            "$top" => "top",
            "$skip" => "skip",
            "$count" if value == "true" => "count",
            _ => return None,
        };
        let value = match key {
            "top" | "skip" => json!(value.parse::<u32>().ok()?),
            "count" => json!(true),
            _ => json!(value),
        };
        step.insert(key.into(), value);
    }
    with_headers(&mut step, request);
    Some(K2Step {
        key: "odata",
        value: Value::Object(step),
        api_alias: None,
    })
}

fn scim(url: &str, method: &str, request: &Map<String, Value>) -> Option<K2Step> {
    let c = SCIM.captures(url)?;
    let resource = &c["res"];
    let mut step = Map::new();
    step.insert("base".into(), json!(&c["base"]));
    let path = match c.name("id") {
        Some(id) => format!("{resource}/{}", id.as_str()),
        None => resource.to_owned(),
    };
    let verb = match (method, c.name("id").is_some()) {
        ("GET", false) => "list",
        ("GET", true) => "get",
        ("DELETE", true) => "delete",
        ("POST", false) => "create",
        ("PUT", true) => "replace",
        _ => return None,
    };
    step.insert(verb.into(), json!(path));
    for pair in query_pairs(&c) {
        let (name, value) = pair?;
        match name {
            "filter" => step.insert("filter".into(), json!(value)),
            "count" => step.insert("count".into(), json!(value.parse::<u32>().ok()?)),
            "startIndex" => step.insert("start_index".into(), json!(value.parse::<u32>().ok()?)),
            _ => return None,
        };
    }
    if let Some(body) = request.get("json") {
        step.insert("body".into(), body.clone());
    } else if request.contains_key("body") || request.contains_key("form") {
        return None;
    }
    with_headers(&mut step, request);
    Some(K2Step {
        key: "scim",
        value: Value::Object(step),
        api_alias: None,
    })
}

fn task_action(url: &str, method: &str, request: &Map<String, Value>) -> Option<K2Step> {
    let c = TASK_ACTION.captures(url)?;
    if method != "POST" || request.contains_key("body") || request.contains_key("form") {
        return None;
    }
    let mut step = Map::new();
    step.insert("task".into(), json!(&c["sn"]));
    step.insert("action".into(), json!(&c["action"]));
    if let Some(data) = request.get("json") {
        step.insert("data".into(), data.clone());
    }
    with_headers(&mut step, request);
    let base = &c["base"];
    let alias = (base != "{{ api }}").then(|| base.to_owned());
    Some(K2Step {
        key: "workflow",
        value: Value::Object(step),
        api_alias: alias,
    })
}

/// The `name=value` pairs of the URL's query; `None` for a pair without `=`.
fn query_pairs<'a>(c: &'a regex::Captures) -> impl Iterator<Item = Option<(&'a str, &'a str)>> {
    let query = c.name("q").map_or("", |q| q.as_str());
    query.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('='))
}

fn with_headers(step: &mut Map<String, Value>, request: &Map<String, Value>) {
    if let Some(headers) = request.get("headers") {
        step.insert("headers".into(), headers.clone());
    }
}

/// Whether the K2 step and the plain request send the same method, URL, headers and body,
/// every template standing for the same stand-in value in both.
fn exact(request: &Map<String, Value>, candidate: &K2Step) -> bool {
    let mut stand_ins = BTreeMap::new();
    let plain = stand_in(&Value::Object(request.clone()), &mut stand_ins);
    let k2 = stand_in(&candidate.value, &mut stand_ins);
    let mut values: BTreeMap<String, minijinja::Value> = BTreeMap::new();
    if let Some(alias) = &candidate.api_alias {
        values.insert(
            "api".into(),
            minijinja::Value::from(stand_in_text(alias, &mut stand_ins)),
        );
    }
    let ctx = Context::new(values);
    let engine = TemplateEngine::new();
    let (Some(a), Some(b)) = (
        sent(&json!({ "request": plain }), &engine, &ctx),
        sent(&json!({ candidate.key: k2 }), &engine, &ctx),
    ) else {
        return false;
    };
    a.method == b.method && a.url == b.url && a.headers == b.headers && a.body == b.body
}

/// What a step (as JSON) sends, decoded and rendered as a run would.
fn sent(step: &Value, engine: &TemplateEngine, ctx: &Context) -> Option<ResolvedRequest> {
    let text = format!("name: exactness\nsteps:\n  - {}\n", step);
    let file = SourceFile::new("exactness.yaml".into(), text);
    let root = crate::yaml::parse(FileId(0), &file).ok()?;
    let mut reader = Reader::default();
    let scenario =
        crate::scenario::decode_scenario::decode_scenario(&mut reader, FileId(0), "exactness.yaml".as_ref(), &root)?;
    if !reader.diags.is_empty() {
        return None;
    }
    let step = scenario.steps.first()?;
    resolve(&step.request, engine, ctx, std::time::Duration::from_secs(30)).ok()
}

/// Every `{{ … }}` replaced by a token of letters only, the same token for the same text.
fn stand_in(value: &Value, seen: &mut BTreeMap<String, String>) -> Value {
    match value {
        Value::String(s) => Value::String(stand_in_text(s, seen)),
        Value::Array(items) => Value::Array(items.iter().map(|v| stand_in(v, seen)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (stand_in_text(k, seen), stand_in(v, seen)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn stand_in_text(text: &str, seen: &mut BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else { break };
        let expression = &rest[start..start + end + 2];
        let next = seen.len();
        let token = seen
            .entry(expression.to_owned())
            .or_insert_with(|| format!("standin{}x", letters(next)));
        out.push_str(token);
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

fn letters(mut n: usize) -> String {
    let mut out = String::new();
    loop {
        out.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn an_odata_query_that_sends_the_same_bytes_becomes_an_odata_step() {
        let same = request(json!({"url": "{{ base_url }}/api/odatav4/v4/{{ smo }}?$top=5&$count=true"}));
        let step = k2_step(&same).unwrap();
        assert_eq!(step.key, "odata");
        assert_eq!(
            step.value,
            json!({"service": "{{ base_url }}/api/odatav4/v4", "set": "{{ smo }}", "top": 5, "count": true})
        );
        // The odata step writes `$filter=(…)` and encodes `,` and `'`: not the same bytes.
        for url in [
            "{{ b }}/api/odatav4/v4/Emp?$filter=Joblevel ge 3",
            "{{ b }}/api/odatav4/v4/Emp?$select=ID,Name",
            "{{ b }}/api/odatav4/v4/Emp?other=1",
        ] {
            assert!(k2_step(&request(json!({ "url": url }))).is_none(), "{url}");
        }
    }

    #[test]
    fn scim_calls_and_task_actions_map_only_when_exact() {
        // The scim step sends `content-type: application/scim+json`: mapped only when Postman did.
        let bare = request(json!({"url": "{{ scim_url }}/Users/{{ user_id }}"}));
        assert!(k2_step(&bare).is_none());
        let typed = request(
            json!({"url": "{{ scim_url }}/Users/{{ user_id }}", "headers": {"content-type": "application/scim+json"}}),
        );
        let step = k2_step(&typed).unwrap();
        assert_eq!(
            (step.key, step.value["get"].clone()),
            ("scim", json!("Users/{{ user_id }}"))
        );
        let delete = request(
            json!({"method": "DELETE", "url": "{{ scim_url }}/Groups/{{ g }}", "headers": {"Content-Type": "application/scim+json"}}),
        );
        assert_eq!(k2_step(&delete).unwrap().value["delete"], json!("Groups/{{ g }}"));
        // A create gets the core schema added by the scim step: not what Postman sent.
        let create = request(json!({"method": "POST", "url": "{{ scim_url }}/Users", "json": {"userName": "a"}}));
        assert!(k2_step(&create).is_none());
        let action =
            request(json!({"method": "POST", "url": "{{ base_url }}/api/workflow/v1/tasks/{{ sn }}/actions/Approve"}));
        let step = k2_step(&action).unwrap();
        assert_eq!(step.value, json!({"task": "{{ sn }}", "action": "Approve"}));
        assert_eq!(
            step.api_alias.as_deref(),
            Some("{{ base_url }}"),
            "the workflow step's `api` is the collection's base"
        );
        let raw =
            request(json!({"method": "POST", "url": "{{ b }}/api/workflow/v1/tasks/1/actions/Approve", "body": "x"}));
        assert!(k2_step(&raw).is_none());
    }
}
