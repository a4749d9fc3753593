//! SCIM 2.0 at `/tokens/{scimToken}/scim/v2/` (RFC 7643/7644): Users and Groups.

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::mock::request::{MockRequest, empty, with_type};
use crate::mock::scim_filter;
use crate::mock::scim_store::{Kind, ScimStore};

const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// K2 returns at most this many resources a page.
pub const MAX_PAGE: usize = 100;

fn scim_json(status: StatusCode, value: &Value) -> Response {
    with_type(status, "application/scim+json; charset=utf-8", value.to_string())
}

pub fn scim_error(status: StatusCode, scim_type: Option<&str>, detail: &str) -> Response {
    let mut body = json!({ "schemas": [ERROR_SCHEMA], "status": status.as_u16().to_string(), "detail": detail });
    if let (Some(t), Value::Object(map)) = (scim_type, &mut body) {
        map.insert("scimType".into(), json!(t));
    }
    scim_json(status, &body)
}

pub fn handle(store: &mut ScimStore, req: &MockRequest, rest: &[String], base: &str) -> Response {
    let first = rest.first().map(|s| s.to_ascii_lowercase());
    let kind = match first.as_deref() {
        Some("serviceproviderconfig") if req.method == Method::GET => {
            return scim_json(StatusCode::OK, &service_provider_config(base));
        }
        Some("resourcetypes") if req.method == Method::GET => return scim_json(StatusCode::OK, &resource_types(base)),
        Some("schemas") if req.method == Method::GET => return scim_json(StatusCode::OK, &schemas()),
        Some("users") => Kind::User,
        Some("groups") => Kind::Group,
        _ => return scim_error(StatusCode::NOT_FOUND, None, "No such SCIM endpoint."),
    };
    match (&req.method, rest.get(1)) {
        (&Method::GET, None) => list(store, kind, req),
        (&Method::POST, None) => create(store, kind, req, base),
        (&Method::GET, Some(id)) => match find(store, kind, id) {
            Some(i) => scim_json(StatusCode::OK, &store.of(kind)[i]),
            None => not_found(kind, id),
        },
        (&Method::PUT, Some(id)) => replace(store, kind, req, id),
        (&Method::PATCH, Some(id)) => patch(store, kind, req, id),
        (&Method::DELETE, Some(id)) => match find(store, kind, id) {
            Some(i) => {
                store.of(kind).remove(i);
                if kind == Kind::User {
                    for group in &mut store.groups {
                        remove_members(group, |m| m == id.as_str());
                    }
                }
                empty(StatusCode::NO_CONTENT)
            }
            None => not_found(kind, id),
        },
        _ => scim_error(
            StatusCode::METHOD_NOT_ALLOWED,
            None,
            "This method is not supported here.",
        ),
    }
}

fn not_found(kind: Kind, id: &str) -> Response {
    scim_error(
        StatusCode::NOT_FOUND,
        None,
        &format!("{} {id} not found", kind.resource_type()),
    )
}

fn find(store: &mut ScimStore, kind: Kind, id: &str) -> Option<usize> {
    store.of(kind).iter().position(|r| r["id"] == id)
}

fn list(store: &mut ScimStore, kind: Kind, req: &MockRequest) -> Response {
    let filter = match req.query("filter").map(scim_filter::parse) {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err(e)) => {
            return scim_error(
                StatusCode::BAD_REQUEST,
                Some("invalidFilter"),
                &format!("Invalid filter: {e}"),
            );
        }
    };
    let number = |name: &str, default: usize| -> Result<usize, Response> {
        match req.query(name) {
            None => Ok(default),
            Some(v) => v.parse::<i64>().map(|n| n.max(0) as usize).map_err(|_| {
                scim_error(
                    StatusCode::BAD_REQUEST,
                    Some("invalidValue"),
                    &format!("{name} must be an integer"),
                )
            }),
        }
    };
    let (start, count) = match (number("startIndex", 1), number("count", MAX_PAGE)) {
        (Ok(s), Ok(c)) => (s.max(1), c.min(MAX_PAGE)),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let matching: Vec<&Value> = store
        .of(kind)
        .iter()
        .filter(|r| filter.as_ref().is_none_or(|f| scim_filter::matches(f, r)))
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(start - 1)
        .take(count)
        .map(|r| (*r).clone())
        .collect();
    scim_json(
        StatusCode::OK,
        &json!({
            "schemas": [LIST_SCHEMA],
            "totalResults": matching.len(),
            "startIndex": start,
            "itemsPerPage": page.len(),
            "Resources": page,
        }),
    )
}

fn body_object(req: &MockRequest) -> Result<Map<String, Value>, Response> {
    match req.json() {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidSyntax"),
            "The body must be a JSON object.",
        )),
        Err(e) => Err(scim_error(StatusCode::BAD_REQUEST, Some("invalidSyntax"), &e)),
    }
}

/// Checks the unique attribute, then stamps `id`, `schemas` and `meta`.
fn admit(
    store: &mut ScimStore,
    kind: Kind,
    mut resource: Map<String, Value>,
    id: &str,
    created: Option<Value>,
    base: &str,
) -> Result<Value, Response> {
    let unique = kind.unique_attribute();
    let Some(name) = resource
        .get(unique)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .filter(|n| !n.trim().is_empty())
    else {
        return Err(scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            &format!("{unique} is required"),
        ));
    };
    let taken = store.of(kind).iter().any(|r| {
        r["id"] != id
            && r.get(unique)
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(&name))
    });
    if taken {
        return Err(scim_error(
            StatusCode::CONFLICT,
            Some("uniqueness"),
            &format!("{unique} '{name}' is already in use"),
        ));
    }
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    resource.insert("schemas".into(), json!([kind.schema()]));
    resource.insert("id".into(), json!(id));
    // RFC 7644 leaves `active` to the service; the alternative forms do not add it.
    if kind == Kind::User && !resource.contains_key("active") && !store.alternative_forms {
        resource.insert("active".into(), json!(true));
    }
    if kind == Kind::Group && !resource.contains_key("members") {
        resource.insert("members".into(), json!([]));
    }
    resource.insert(
        "meta".into(),
        json!({
            "resourceType": kind.resource_type(),
            "created": created.unwrap_or_else(|| json!(now)),
            "lastModified": now,
            "location": format!("{base}/{}/{id}", kind.endpoint()),
        }),
    );
    Ok(Value::Object(resource))
}

fn create(store: &mut ScimStore, kind: Kind, req: &MockRequest, base: &str) -> Response {
    let body = match body_object(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let id = uuid::Uuid::new_v4().to_string();
    match admit(store, kind, body, &id, None, base) {
        Ok(resource) => {
            store.of(kind).push(resource.clone());
            let mut response = scim_json(StatusCode::CREATED, &resource);
            if let Some(location) = resource["meta"]["location"]
                .as_str()
                .and_then(|l| HeaderValue::from_str(l).ok())
            {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Err(r) => r,
    }
}

fn replace(store: &mut ScimStore, kind: Kind, req: &MockRequest, id: &str) -> Response {
    let Some(i) = find(store, kind, id) else {
        return not_found(kind, id);
    };
    let body = match body_object(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let created = store.of(kind)[i]["meta"]["created"].clone();
    let location = store.of(kind)[i]["meta"]["location"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let base = location.rsplitn(3, '/').nth(2).unwrap_or_default().to_owned();
    match admit(store, kind, body, id, Some(created), &base) {
        Ok(resource) => {
            store.of(kind)[i] = resource.clone();
            scim_json(StatusCode::OK, &resource)
        }
        Err(r) => r,
    }
}

fn patch(store: &mut ScimStore, kind: Kind, req: &MockRequest, id: &str) -> Response {
    let Some(i) = find(store, kind, id) else {
        return not_found(kind, id);
    };
    let body = match body_object(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let is_patch = body
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|x| x == PATCH_SCHEMA));
    let Some(operations) = body.get("Operations").and_then(Value::as_array).filter(|_| is_patch) else {
        return scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidSyntax"),
            "A PatchOp body has `schemas` [PatchOp] and `Operations`.",
        );
    };
    let mut resource = store.of(kind)[i].clone();
    for operation in operations {
        if let Err(detail) = apply(&mut resource, operation) {
            return scim_error(StatusCode::BAD_REQUEST, Some("invalidValue"), &detail);
        }
    }
    if let Some(meta) = resource.get_mut("meta").and_then(Value::as_object_mut) {
        meta.insert(
            "lastModified".into(),
            json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        );
    }
    let unique = kind.unique_attribute();
    let name = resource
        .get(unique)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let clash = store.of(kind).iter().any(|r| {
        r["id"] != id
            && r.get(unique)
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(&name))
    });
    if clash {
        return scim_error(
            StatusCode::CONFLICT,
            Some("uniqueness"),
            &format!("{unique} '{name}' is already in use"),
        );
    }
    store.of(kind)[i] = resource.clone();
    // 200 with the resource, or 204 without a body (RFC 7644 §3.5.2).
    if store.alternative_forms {
        return empty(StatusCode::NO_CONTENT);
    }
    scim_json(StatusCode::OK, &resource)
}

fn apply(resource: &mut Value, operation: &Value) -> Result<(), String> {
    let op = operation
        .get("op")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .ok_or("an operation needs `op`")?;
    let path = operation.get("path").and_then(Value::as_str);
    let value = operation.get("value").cloned();
    match (op.as_str(), path) {
        ("add" | "replace", None) => {
            let Some(Value::Object(fields)) = value else {
                return Err("without a path, value must be an object".into());
            };
            for (k, v) in fields {
                set(resource, &k, v, op == "add");
            }
            Ok(())
        }
        ("add" | "replace", Some(path)) => {
            let v = value.ok_or("add and replace need a value")?;
            set(resource, path, v, op == "add");
            Ok(())
        }
        ("remove", Some(path)) => {
            if let Some(id) = member_filter(path) {
                remove_members(resource, |m| m == id);
            } else if path.eq_ignore_ascii_case("members") {
                match value {
                    Some(Value::Array(items)) => {
                        let ids: Vec<String> = items
                            .iter()
                            .filter_map(|m| m["value"].as_str().map(str::to_owned))
                            .collect();
                        remove_members(resource, |m| ids.iter().any(|id| id == m));
                    }
                    _ => remove_members(resource, |_| true),
                }
            } else if let Some(map) = resource.as_object_mut() {
                let key = map.keys().find(|k| k.eq_ignore_ascii_case(path)).cloned();
                if let Some(key) = key {
                    map.remove(&key);
                }
            }
            Ok(())
        }
        ("remove", None) => Err("remove needs a path".into()),
        (other, _) => Err(format!("unknown op `{other}` (add, replace, remove)")),
    }
}

/// `members[value eq "id"]` -> id.
fn member_filter(path: &str) -> Option<&str> {
    let inner = path.strip_prefix("members[")?.strip_suffix(']')?;
    let (_, quoted) = inner.split_once(" eq ")?;
    Some(quoted.trim().trim_matches('"'))
}

fn set(resource: &mut Value, path: &str, value: Value, add: bool) {
    let Some(map) = resource.as_object_mut() else { return };
    if let Some((parent, child)) = path.split_once('.') {
        let key = map
            .keys()
            .find(|k| k.eq_ignore_ascii_case(parent))
            .cloned()
            .unwrap_or_else(|| parent.to_owned());
        let entry = map.entry(key).or_insert_with(|| json!({}));
        if let Some(inner) = entry.as_object_mut() {
            inner.insert(child.to_owned(), value);
        }
        return;
    }
    let key = map
        .keys()
        .find(|k| k.eq_ignore_ascii_case(path))
        .cloned()
        .unwrap_or_else(|| path.to_owned());
    match (map.get_mut(&key), value) {
        // Adding to a multi-valued attribute appends, skipping values already there.
        (Some(Value::Array(existing)), Value::Array(more)) if add => {
            for item in more {
                if !existing
                    .iter()
                    .any(|e| e.get("value").is_some() && e.get("value") == item.get("value"))
                {
                    existing.push(item);
                }
            }
        }
        (_, value) => {
            map.insert(key, value);
        }
    }
}

fn remove_members(resource: &mut Value, drop: impl Fn(&str) -> bool) {
    if let Some(Value::Array(members)) = resource.get_mut("members") {
        members.retain(|m| !m.get("value").and_then(Value::as_str).is_some_and(&drop));
    }
}

fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://help.nintex.com/",
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_PAGE },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": false },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "A token from the K2 identity provider with the scope https://scim.onk2.com/write",
            "primary": true
        }],
        "meta": { "resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig") },
    })
}

fn resource_types(base: &str) -> Value {
    let types: Vec<Value> = [Kind::User, Kind::Group]
        .iter()
        .map(|k| {
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
                "id": k.resource_type(), "name": k.resource_type(),
                "endpoint": format!("/{}", k.endpoint()), "schema": k.schema(),
                "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{}", k.resource_type()) },
            })
        })
        .collect();
    json!({ "schemas": [LIST_SCHEMA], "totalResults": types.len(), "startIndex": 1, "itemsPerPage": types.len(), "Resources": types })
}

fn schemas() -> Value {
    let attribute = |name: &str, kind: &str, multi: bool| json!({ "name": name, "type": kind, "multiValued": multi, "required": false, "caseExact": false, "mutability": "readWrite", "returned": "default", "uniqueness": "none" });
    let user = json!({
        "id": Kind::User.schema(), "name": "User", "description": "User Account",
        "attributes": [attribute("userName", "string", false), attribute("name", "complex", false), attribute("displayName", "string", false),
            attribute("emails", "complex", true), attribute("active", "boolean", false), attribute("externalId", "string", false)],
    });
    let group = json!({
        "id": Kind::Group.schema(), "name": "Group", "description": "Group",
        "attributes": [attribute("displayName", "string", false), attribute("members", "complex", true)],
    });
    json!({ "schemas": [LIST_SCHEMA], "totalResults": 2, "startIndex": 1, "itemsPerPage": 2, "Resources": [user, group] })
}
