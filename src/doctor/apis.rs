//! Each API with the token: the OData v4 and v3 service documents (how many SmartObjects are
//! exposed), the workflows the client can start, SCIM's users, and Basic when asked.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderValue, Method, header::AUTHORIZATION};
use serde_json::Value;
use url::Url;

use crate::doctor::line::{Line, Verdict};
use crate::doctor::login::Tokens;
use crate::doctor::settings::Settings;
use crate::http::{Client, Request, Response};

const AREA: &str = "api";

/// What a 200 answer says: how many of what.
#[derive(Clone, Copy)]
enum Count {
    SmartObjects,
    Workflows,
    Users,
}

pub async fn check(settings: &Settings, client: &Client, tokens: &Tokens, reachable: bool, lines: &mut Vec<Line>) {
    let api = settings.api.trim_end_matches('/');
    let with_api_token = tokens.api.as_deref().map(bearer);
    let calls = [
        ("OData v4", format!("{api}/api/odatav4/v4/"), Count::SmartObjects),
        ("OData v3", format!("{api}/api/odata/v3/"), Count::SmartObjects),
        (
            "Workflow REST",
            format!("{api}/api/workflow/v1/workflows"),
            Count::Workflows,
        ),
    ];
    for (what, url, count) in calls {
        let line = match (reachable, &with_api_token) {
            (false, _) => Line::not_checked(AREA, what, "the host is not reachable"),
            (true, None) => Line::not_checked(AREA, what, "no token for https://api.k2.com/"),
            (true, Some(auth)) => call(client, settings, what, &url, auth.clone(), count).await,
        };
        lines.push(line);
    }
    let scim = match (&settings.scim, tokens.scim.as_deref()) {
        (None, _) => Line::not_checked(AREA, "SCIM", "not asked for (--scim)"),
        (Some(_), None) => Line::not_checked(AREA, "SCIM", "no token for https://scim.onk2.com/write"),
        (Some(base), Some(token)) => {
            let url = format!("{}/Users?count=0", base.trim_end_matches('/'));
            call(client, settings, "SCIM", &url, bearer(token), Count::Users).await
        }
    };
    lines.push(scim);
    let basic = match (&settings.basic, reachable) {
        (None, _) => Line::not_checked(AREA, "Basic authentication", "not asked for (--user)"),
        (Some(_), false) => Line::not_checked(AREA, "Basic authentication", "the host is not reachable"),
        (Some((user, password)), true) => {
            let url = format!("{api}/api/odatav4/v4/");
            let auth = basic(user, password);
            call(
                client,
                settings,
                "Basic authentication",
                &url,
                auth,
                Count::SmartObjects,
            )
            .await
        }
    };
    lines.push(basic);
}

/// The token as an `Authorization` value, marked sensitive (never shown).
pub(super) fn bearer(token: &str) -> HeaderValue {
    let mut value = HeaderValue::try_from(format!("Bearer {token}")).unwrap_or(HeaderValue::from_static(""));
    value.set_sensitive(true);
    value
}

fn basic(user: &str, password: &str) -> HeaderValue {
    let pair = STANDARD.encode(format!("{user}:{password}"));
    let mut value = HeaderValue::try_from(format!("Basic {pair}")).unwrap_or(HeaderValue::from_static(""));
    value.set_sensitive(true);
    value
}

/// One GET with the credentials, and its verdict.
async fn call(client: &Client, settings: &Settings, what: &str, url: &str, auth: HeaderValue, count: Count) -> Line {
    let Ok(parsed) = Url::parse(url) else {
        return Line::failed(AREA, what, Verdict::Refused, format!("`{url}` is not a URL"), None);
    };
    let mut request = Request::new(Method::GET, parsed, settings.timeout);
    request.headers.insert(AUTHORIZATION, auth);
    request.credential_headers.push(AUTHORIZATION);
    match client.send(request).await {
        Ok(response) if response.status == 200 => Line::ok(AREA, what, counted(&response, count)),
        Ok(response) => {
            let detail = format!("GET {url} answered {}{}", response.status, said(&response));
            Line::failed(AREA, what, Verdict::Refused, detail, refusal_hint(what, &response))
        }
        Err(e) => Line::failed(AREA, what, Verdict::Unreachable, format!("GET {url}: {e}"), None),
    }
}

/// "12 SmartObjects exposed", "3 workflows the client can start", "40 users".
fn counted(response: &Response, count: Count) -> String {
    let json: Option<Value> = serde_json::from_slice(&response.body).ok();
    let length = |key: &str| {
        json.as_ref()
            .and_then(|j| j.get(key))
            .and_then(Value::as_array)
            .map(Vec::len)
    };
    match count {
        Count::SmartObjects => match length("value") {
            Some(n) => format!("{n} SmartObject{} exposed", if n == 1 { "" } else { "s" }),
            None => "answered 200".into(),
        },
        Count::Workflows => {
            let n = (json.as_ref().and_then(|j| j.get("itemCount")).and_then(Value::as_u64))
                .or_else(|| length("workflows").map(|n| n as u64));
            match n {
                Some(n) => format!("{n} workflow{} the client can start", if n == 1 { "" } else { "s" }),
                None => "answered 200".into(),
            }
        }
        Count::Users => match json
            .as_ref()
            .and_then(|j| j.get("totalResults"))
            .and_then(Value::as_u64)
        {
            Some(n) => format!("{n} user{} reachable", if n == 1 { "" } else { "s" }),
            None => "answered 200".into(),
        },
    }
}

/// The server's own words, when it gave some: `: The token lacks the scope …`.
fn said(response: &Response) -> String {
    let json: Option<Value> = serde_json::from_slice(&response.body).ok();
    let words = json.as_ref().and_then(|j| {
        ["Message", "detail", "error_description", "message"]
            .iter()
            .find_map(|k| j.get(*k).and_then(Value::as_str))
    });
    words
        .map(|w| format!(": {}", crate::text::printable_line(w)))
        .unwrap_or_default()
}

/// What to do about an API that said no.
fn refusal_hint(what: &str, response: &Response) -> Option<String> {
    let challenge = response
        .headers
        .get(http::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Some(match (response.status, what) {
        (401, "Basic authentication") => {
            "the user or password is wrong, or the account uses MFA (Basic is refused for MFA accounts): \
             check K2_PASSWORD, or use a service account without MFA"
                .into()
        }
        (403, _) if challenge.contains("insufficient_scope") => {
            "the token lacks this API's scope: the client must be granted it when it is onboarded".into()
        }
        (403, _) => format!(
            "{what} knows the client and refuses it: the app registration lacks this API, or consent \
             was not given (Management > Integration > APIs); ask your K2 administrator"
        ),
        (401, _) => "the API does not accept the token: is it for this tenant? check the host and the tenant id".into(),
        (404, _) => format!("{what} is not at this host: check the host, and that the API is enabled"),
        _ => return None,
    })
}
