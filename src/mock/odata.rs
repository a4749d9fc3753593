//! SmartObject OData: v4 at `/api/odatav4/v4/` (every method), v3 at `/api/odata/v3/`
//! (list only: other verbs answer 405), `$metadata` on the base URL only.

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::mock::odata_filter;
use crate::mock::odata_store::{EdmType, ODataStore, SmartObject};
use crate::mock::request::{MockRequest, empty, json_response, with_type};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V3,
    V4,
}

pub fn handle(store: &mut ODataStore, req: &MockRequest, rest: &[String], base: &str, version: Version) -> Response {
    if version == Version::V3 && req.method != Method::GET {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "OData v3 is read-only: use GET, or v4 for other methods",
        );
    }
    match rest {
        [] => service_document(store, base, version),
        [m] if m.eq_ignore_ascii_case("$metadata") => metadata(store),
        [segment] => {
            let (set, key) = match split_key(segment) {
                Ok(parts) => parts,
                Err(message) => return error(StatusCode::BAD_REQUEST, "BadRequest", &message),
            };
            let Some(index) = store.object(&set) else {
                return error(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    &format!("Resource not found for the segment '{set}'."),
                );
            };
            let (limit, relative) = (store.record_limit, store.alternative_forms);
            let object = &mut store.objects[index];
            match (&req.method, key) {
                (&Method::GET, None) => match list(object, req, base, version, limit, relative) {
                    Ok(body) => json_response(StatusCode::OK, &Value::Object(body)),
                    Err(refused) => refused,
                },
                (&Method::GET, Some(k)) => read(object, k, base, version),
                (&Method::POST, None) => create(object, req, base),
                (&Method::PUT, Some(k)) => update(object, req, k, true),
                (&Method::PATCH, Some(k)) => update(object, req, k, false),
                (&Method::DELETE, Some(k)) => delete(object, k),
                _ => error(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "MethodNotAllowed",
                    "this method is not supported on this resource",
                ),
            }
        }
        _ => {
            if rest.iter().any(|s| s.eq_ignore_ascii_case("$metadata")) {
                return error(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    "$metadata is served on the service root only",
                );
            }
            error(StatusCode::NOT_FOUND, "NotFound", "no such resource")
        }
    }
}

pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, &json!({ "error": { "code": code, "message": message } }))
}

/// `Set(5)` -> ("Set", Some(5)).
fn split_key(segment: &str) -> Result<(String, Option<i64>), String> {
    let Some(open) = segment.find('(') else {
        return Ok((segment.to_owned(), None));
    };
    let inner = segment[open + 1..]
        .strip_suffix(')')
        .ok_or("the key is not closed with `)`")?;
    let inner = inner.rsplit('=').next().unwrap_or(inner).trim();
    let key = inner
        .parse::<i64>()
        .map_err(|_| format!("the key `{inner}` is not a number"))?;
    Ok((segment[..open].to_owned(), Some(key)))
}

fn service_document(store: &ODataStore, base: &str, version: Version) -> Response {
    let sets: Vec<Value> = store
        .objects
        .iter()
        .map(|o| match store.alternative_forms {
            // `kind` may be left out for entity sets (OData JSON Format v4.01 §5).
            true => json!({ "name": o.entity_set, "url": o.entity_set }),
            false => json!({ "name": o.entity_set, "kind": "EntitySet", "url": o.entity_set }),
        })
        .collect();
    let context_key = if version == Version::V4 {
        "@odata.context"
    } else {
        "odata.metadata"
    };
    json_response(
        StatusCode::OK,
        &json!({ context_key: format!("{base}$metadata"), "value": sets }),
    )
}

fn metadata(store: &ODataStore) -> Response {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n  <edmx:DataServices>\n    <Schema Namespace=\"K2.SmartObjects\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n",
    );
    for o in &store.objects {
        xml.push_str(&format!(
            "      <EntityType Name=\"{}\">\n        <Key><PropertyRef Name=\"{}\"/></Key>\n",
            o.system_name, o.key
        ));
        for (name, t) in &o.properties {
            let nullable = if *name == o.key { " Nullable=\"false\"" } else { "" };
            xml.push_str(&format!(
                "        <Property Name=\"{name}\" Type=\"{}\"{nullable}/>\n",
                t.name()
            ));
        }
        xml.push_str("      </EntityType>\n");
    }
    xml.push_str("      <EntityContainer Name=\"SmartObjects\">\n");
    for o in &store.objects {
        xml.push_str(&format!(
            "        <EntitySet Name=\"{}\" EntityType=\"K2.SmartObjects.{}\"/>\n",
            o.entity_set, o.system_name
        ));
    }
    xml.push_str("      </EntityContainer>\n    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n");
    with_type(StatusCode::OK, "application/xml; charset=utf-8", xml)
}

/// The records `$filter`, `$orderby`, `$skip`, `$top` and `$select` ask for, a page of them
/// (at most `limit`), with the count when asked and a next link when more are left.
fn list(
    object: &SmartObject,
    req: &MockRequest,
    base: &str,
    version: Version,
    limit: usize,
    relative_links: bool,
) -> Result<Map<String, Value>, Response> {
    let mut records: Vec<&Map<String, Value>> = object.records.iter().collect();
    if let Some(filter) = req.query("$filter") {
        filter_records(object, filter, &mut records)?;
    }
    if let Some(orderby) = req.query("$orderby") {
        order_records(object, orderby, &mut records)?;
    }
    let skip = number(req, "$skip")?.unwrap_or(0);
    let top = number(req, "$top")?;
    let selected = match req.query("$select") {
        None => None,
        Some(select) => Some(selected_properties(object, select)?),
    };
    let total = records.len();
    let wanted = top.unwrap_or(usize::MAX);
    let page_size = wanted.min(if limit == 0 { usize::MAX } else { limit });
    let page: Vec<Value> = records
        .iter()
        .skip(skip)
        .take(page_size)
        .map(|r| Value::Object(project(object, r, selected.as_deref())))
        .collect();
    let served = page.len();
    let remaining_in_top = wanted.saturating_sub(served);
    let more = skip + served < total && remaining_in_top > 0;
    let (context_key, count_key, next_key) = match version {
        Version::V4 => ("@odata.context", "@odata.count", "@odata.nextLink"),
        Version::V3 => ("odata.metadata", "odata.count", "odata.nextLink"),
    };
    let mut body = Map::new();
    body.insert(
        context_key.into(),
        json!(format!("{base}$metadata#{}", object.entity_set)),
    );
    let count_asked = match version {
        Version::V4 => req.query("$count").is_some_and(|v| v.eq_ignore_ascii_case("true")),
        Version::V3 => req
            .query("$inlinecount")
            .is_some_and(|v| v.eq_ignore_ascii_case("allpages")),
    };
    if count_asked {
        body.insert(count_key.into(), json!(total));
    }
    body.insert("value".into(), Value::Array(page));
    if more {
        let next = (skip + served, top.map(|_| remaining_in_top));
        let link = next_link(object, req, base, next, relative_links);
        body.insert(next_key.into(), json!(link));
    }
    Ok(body)
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// Keeps the records `$filter` matches; a property the SmartObject lacks is refused.
fn filter_records(object: &SmartObject, filter: &str, records: &mut Vec<&Map<String, Value>>) -> Result<(), Response> {
    let expr = odata_filter::parse(filter).map_err(|m| bad_request(&format!("Invalid $filter: {m}")))?;
    let mut names = Vec::new();
    odata_filter::properties(&expr, &mut names);
    if let Some(unknown) = names.iter().find(|n| object.property(n).is_none()) {
        return Err(bad_request(&format!(
            "Could not find a property named '{unknown}' on type '{}'.",
            object.system_name
        )));
    }
    records.retain(|r| odata_filter::matches(&expr, r));
    Ok(())
}

/// Sorts the records by `$orderby`'s properties, each `asc` (the default) or `desc`.
fn order_records(object: &SmartObject, orderby: &str, records: &mut [&Map<String, Value>]) -> Result<(), Response> {
    let mut keys = Vec::new();
    for part in orderby.split(',') {
        let mut words = part.split_whitespace();
        let name = words.next().unwrap_or_default();
        let Some((prop, _)) = object.property(name) else {
            return Err(bad_request(&format!("Invalid $orderby: unknown property '{name}'")));
        };
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => return Err(bad_request(&format!("Invalid $orderby direction '{other}'"))),
        };
        keys.push((prop.clone(), descending));
    }
    records.sort_by(|a, b| {
        for (prop, descending) in &keys {
            let ordering =
                odata_filter::compare(a.get(prop).unwrap_or(&Value::Null), b.get(prop).unwrap_or(&Value::Null))
                    .unwrap_or(std::cmp::Ordering::Equal);
            let ordering = if *descending { ordering.reverse() } else { ordering };
            if ordering.is_ne() {
                return ordering;
            }
        }
        std::cmp::Ordering::Equal
    });
    Ok(())
}

/// `$skip` or `$top`: a non-negative integer when given.
fn number(req: &MockRequest, name: &str) -> Result<Option<usize>, Response> {
    match req.query(name) {
        None => Ok(None),
        Some(v) => v
            .parse::<usize>()
            .map(Some)
            .map_err(|_| bad_request(&format!("Invalid {name}: `{v}` is not a non-negative integer"))),
    }
}

/// The properties `$select` names, as the SmartObject spells them.
fn selected_properties(object: &SmartObject, select: &str) -> Result<Vec<String>, Response> {
    let mut names = Vec::new();
    for name in select.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match object.property(name) {
            Some((p, _)) => names.push(p.clone()),
            None => return Err(bad_request(&format!("Invalid $select: unknown property '{name}'"))),
        }
    }
    Ok(names)
}

/// The next page's link: the request's query with `$skip` (and what is left of `$top`)
/// moved on; relative to the request URL (OData v4 §8.3.4) or absolute.
fn next_link(
    object: &SmartObject,
    req: &MockRequest,
    base: &str,
    (skip, top): (usize, Option<usize>),
    relative: bool,
) -> String {
    let mut pairs: Vec<(String, String)> = req
        .query
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("$skip") && !k.eq_ignore_ascii_case("$top"))
        .cloned()
        .collect();
    pairs.push(("$skip".into(), skip.to_string()));
    if let Some(top) = top {
        pairs.push(("$top".into(), top.to_string()));
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                crate::encoding::encode_component(k),
                crate::encoding::encode_component(v)
            )
        })
        .collect();
    match relative {
        true => format!("{}?{}", object.entity_set, query.join("&")),
        false => format!("{base}{}?{}", object.entity_set, query.join("&")),
    }
}

fn project(object: &SmartObject, record: &Map<String, Value>, selected: Option<&[String]>) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, _) in &object.properties {
        if selected.is_none_or(|s| s.contains(name)) {
            out.insert(name.clone(), record.get(name).cloned().unwrap_or(Value::Null));
        }
    }
    out
}

fn read(object: &SmartObject, key: i64, base: &str, version: Version) -> Response {
    let Some(i) = object.find(key) else {
        return not_found(object, key);
    };
    let mut body = project(object, &object.records[i], None);
    let context_key = if version == Version::V4 {
        "@odata.context"
    } else {
        "odata.metadata"
    };
    body.insert(
        context_key.into(),
        json!(format!("{base}$metadata#{}/$entity", object.entity_set)),
    );
    json_response(StatusCode::OK, &Value::Object(body))
}

fn not_found(object: &SmartObject, key: i64) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("No {} record with {} {key}.", object.system_name, object.key),
    )
}

/// The properties of a request body, checked against the entity type.
fn body_properties(object: &SmartObject, req: &MockRequest) -> Result<Map<String, Value>, Response> {
    let body = req
        .json()
        .map_err(|m| error(StatusCode::BAD_REQUEST, "BadRequest", &m))?;
    let Value::Object(fields) = body else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "the body must be a JSON object",
        ));
    };
    let mut out = Map::new();
    for (name, value) in fields {
        if name.starts_with('@') || name.starts_with("odata.") {
            continue;
        }
        let Some((prop, edm)) = object.property(&name) else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &format!("The property '{name}' does not exist on type '{}'.", object.system_name),
            ));
        };
        let fits = match (edm, &value) {
            (_, Value::Null) => true,
            (EdmType::Int32, v) => v.is_i64(),
            (EdmType::Decimal, v) => v.is_number(),
            (EdmType::Boolean, v) => v.is_boolean(),
            (EdmType::String | EdmType::DateTimeOffset, v) => v.is_string(),
        };
        if !fits {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &format!("'{prop}' must be of type {}", edm.name()),
            ));
        }
        out.insert(prop.clone(), value);
    }
    Ok(out)
}

fn create(object: &mut SmartObject, req: &MockRequest, base: &str) -> Response {
    let mut fields = match body_properties(object, req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    // The key is an autonumber: the server assigns it.
    let id = object.next_id;
    object.next_id += 1;
    fields.insert(object.key.clone(), json!(id));
    let record = project(object, &fields, None);
    object.records.push(record.clone());
    let mut body = record;
    body.insert(
        "@odata.context".into(),
        json!(format!("{base}$metadata#{}/$entity", object.entity_set)),
    );
    let mut response = json_response(StatusCode::CREATED, &Value::Object(body));
    if let Ok(location) = HeaderValue::from_str(&format!("{base}{}({id})", object.entity_set)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn update(object: &mut SmartObject, req: &MockRequest, key: i64, replace: bool) -> Response {
    let Some(i) = object.find(key) else {
        return not_found(object, key);
    };
    let fields = match body_properties(object, req) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let key_name = object.key.clone();
    let properties: Vec<String> = object.properties.iter().map(|(n, _)| n.clone()).collect();
    let record = &mut object.records[i];
    for name in properties.iter().filter(|n| **n != key_name) {
        match fields.get(name) {
            Some(v) => {
                record.insert(name.clone(), v.clone());
            }
            None if replace => {
                record.insert(name.clone(), Value::Null);
            }
            None => {}
        }
    }
    empty(StatusCode::NO_CONTENT)
}

fn delete(object: &mut SmartObject, key: i64) -> Response {
    match object.find(key) {
        Some(i) => {
            object.records.remove(i);
            empty(StatusCode::NO_CONTENT)
        }
        None => not_found(object, key),
    }
}
