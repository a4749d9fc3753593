//! What a tenant exposes to this client, for `init --discover`: its SmartObjects with the
//! properties `$metadata` declares, the workflows it can start, whether SCIM answers.

use http::{Method, header::AUTHORIZATION};
use serde_json::Value;
use url::Url;

use crate::doctor::line::Line;
use crate::doctor::login;
use crate::doctor::settings::Settings;
use crate::http::Client;

/// A SmartObject published to OData v4.
pub struct SmartObject {
    pub entity_set: String,
    /// What `$metadata` lists for it today.
    pub properties: Vec<String>,
}

pub struct Workflow {
    pub id: i64,
    pub name: String,
    /// Its start schema (data fields, item references), when it could be read.
    pub schema: Option<Value>,
}

pub struct Surface {
    pub smartobjects: Vec<SmartObject>,
    pub workflows: Vec<Workflow>,
    /// The `$metadata` document the SmartObjects were read from: their snapshots are made
    /// from it.
    pub csdl: String,
    /// SCIM's `/Schemas` and `/ResourceTypes`, when SCIM was asked for and answered.
    pub scim_schemas: Option<Value>,
    pub scim_resource_types: Option<Value>,
    /// The environment the suite will check this surface in (`mock` or `cloud`): its
    /// snapshots are kept under that name.
    pub environment: &'static str,
}

/// The surface, at most `max` SmartObjects and `max` workflows, to be checked in
/// `environment`; an error says why nothing could be read (no token, the OData service
/// refusing).
pub async fn surface(
    settings: &Settings,
    client: &Client,
    max: usize,
    environment: &'static str,
) -> Result<Surface, String> {
    let mut lines = Vec::new();
    let tokens = login::check(settings, client, &mut lines).await;
    let Some(token) = tokens.api else {
        return Err(first_failure(&lines));
    };
    let api = settings.api.trim_end_matches('/');
    let get = |path: String| get_json(client, settings, &token, path);
    let service = get(format!("{api}/api/odatav4/v4/")).await?;
    let sets: Vec<String> = (service.get("value").and_then(Value::as_array).into_iter().flatten())
        .filter(|s| s.get("kind").and_then(Value::as_str).is_none_or(|k| k == "EntitySet"))
        .filter_map(|s| s.get("name").and_then(Value::as_str).map(str::to_owned))
        .take(max)
        .collect();
    let csdl = get_text(client, settings, &token, format!("{api}/api/odatav4/v4/$metadata")).await?;
    // Read once for every set (a document that is not XML declares none).
    let model = crate::expect::csdl::read(&csdl).unwrap_or_default();
    let smartobjects = sets
        .into_iter()
        .map(|entity_set| {
            let kind = model.type_of(&entity_set).and_then(|(_, kind)| kind);
            let properties = kind
                .into_iter()
                .flat_map(|k| &k.properties)
                .map(|(name, _, _)| name.clone())
                .collect();
            SmartObject { entity_set, properties }
        })
        .collect();
    // A tenant without Workflow REST for this client still has its SmartObjects discovered.
    let listed: Vec<(i64, String)> = match get(format!("{api}/api/workflow/v1/workflows")).await {
        Ok(list) => (list.get("workflows").and_then(Value::as_array).into_iter().flatten())
            .filter_map(|w| {
                Some((
                    w.get("id").and_then(Value::as_i64)?,
                    w.get("name").and_then(Value::as_str)?.to_owned(),
                ))
            })
            .take(max)
            .collect(),
        Err(_) => Vec::new(),
    };
    let mut workflows = Vec::new();
    for (id, name) in listed {
        let schema = get(format!("{api}/api/workflow/v1/workflows/{id}/schema")).await.ok();
        workflows.push(Workflow { id, name, schema });
    }
    // What SCIM says it supports, with the SCIM token, when SCIM was asked for.
    let scim_get = |what: &str| {
        let url = settings
            .scim
            .as_ref()
            .map(|base| format!("{}/{what}", base.trim_end_matches('/')));
        let token = tokens.scim.clone();
        async move {
            match (url, token) {
                (Some(url), Some(token)) => get_json(client, settings, &token, url).await.ok(),
                _ => None,
            }
        }
    };
    let scim_schemas = scim_get("Schemas").await;
    let scim_resource_types = scim_get("ResourceTypes").await;
    Ok(Surface {
        smartobjects,
        workflows,
        scim_schemas,
        scim_resource_types,
        csdl,
        environment,
    })
}

fn first_failure(lines: &[Line]) -> String {
    match lines.iter().find(|l| l.failed_check()) {
        Some(line) => match &line.hint {
            Some(hint) => format!("{} {}: {} (hint: {hint})", line.area, line.what, line.detail),
            None => format!("{} {}: {}", line.area, line.what, line.detail),
        },
        None => "no token for https://api.k2.com/".into(),
    }
}

async fn get_text(client: &Client, settings: &Settings, token: &str, url: String) -> Result<String, String> {
    let parsed = Url::parse(&url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    let mut request = crate::http::Request::new(Method::GET, parsed, settings.timeout);
    request
        .headers
        .insert(AUTHORIZATION, crate::doctor::apis::bearer(token));
    request.credential_headers.push(AUTHORIZATION);
    let response = client.send(request).await.map_err(|e| format!("GET {url}: {e}"))?;
    if response.status != 200 {
        return Err(format!("GET {url} answered {}", response.status));
    }
    Ok(String::from_utf8_lossy(&response.body).into_owned())
}

async fn get_json(client: &Client, settings: &Settings, token: &str, url: String) -> Result<Value, String> {
    let text = get_text(client, settings, token, url.clone()).await?;
    serde_json::from_str(crate::encoding::text_without_bom(&text)).map_err(|_| format!("GET {url}: not JSON"))
}
