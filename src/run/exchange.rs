//! Sending a step's request with its profile's credentials: one fresh token and one resend
//! after a 401, waits a 429 asks for, and the tokens a response hands out marked as secret.

use std::time::Instant;

use ::http::Method;
use ::http::header::{AUTHORIZATION, HeaderName, HeaderValue};

use crate::auth::ApiKey;
use crate::event::{FollowUp, RequestLine, ResponseSummary};
use crate::expect::Response;
use crate::http::{self, url_credentials};
use crate::run::resolve::ResolvedRequest;
use crate::run::runtime::Runtime;
use crate::run::step_error::StepError;
use crate::text::masked_cut;

/// Sends a request with the profile's credentials. A 401 to a fetched token gets one fresh
/// token and one resend, never more; the count of resends comes back with the response.
pub async fn exchange(
    rt: &Runtime,
    profile: Option<&str>,
    request: &ResolvedRequest,
) -> Result<(Response, u32), StepError> {
    let mut resends = 0;
    let mut refreshed = false;
    loop {
        let header = match profile {
            Some(name) => rt.auth.header(name).await?,
            None => None,
        };
        let api_key = profile.and_then(|name| rt.auth.api_key(name));
        let permit = rt.gate.enter(&request.url).await;
        let response = send(rt, request, header.as_ref(), api_key).await?;
        drop(permit);
        if response.status == 401
            && !refreshed
            && let (Some(name), Some(h)) = (profile, &header)
            && rt.auth.is_refreshable(name)
        {
            rt.auth.refused(name, h).await;
            refreshed = true;
            resends += 1;
            continue;
        }
        // The tenant asked to slow down: wait as told and resend, within the run's budget.
        if let Some(wait) = rt
            .gate
            .retry_after(response.status, response.header("retry-after").as_deref())
            && !rt.is_stopping()
        {
            tokio::time::sleep(wait).await;
            resends += 1;
            continue;
        }
        return Ok((response, resends));
    }
}

/// A GET like `like` (its headers but a body's) to another URL of the same step: a next
/// page, a task list polled again.
pub async fn get(
    rt: &Runtime,
    profile: Option<&str>,
    like: &ResolvedRequest,
    url: &str,
) -> Result<Response, StepError> {
    let request = ResolvedRequest {
        method: "GET".into(),
        url: url.to_owned(),
        headers: like
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("content-type"))
            .cloned()
            .collect(),
        body: None,
        timeout: like.timeout,
        follow_redirects: like.follow_redirects,
    };
    let (response, _) = exchange(rt, profile, &request).await?;
    if let Some(recording) = rt.recording {
        crate::run::recording::keep_follow_up(|| {
            let shown = profile.and_then(|p| rt.plan.profiles.get(p).and_then(|c| c.shown(p)));
            FollowUp {
                request: RequestLine {
                    method: request.method.clone(),
                    url: crate::redact::url_for_display(&request.url).into_owned(),
                    detail: Some(Box::new(recording.request(&request, shown, &rt.plan.redactor))),
                },
                response: ResponseSummary {
                    status: response.status,
                    excerpt: None,
                    detail: Some(Box::new(recording.response(&response, &rt.plan.redactor))),
                    time: Some(response.elapsed),
                },
            }
        });
    }
    Ok(response)
}

async fn send(
    rt: &Runtime,
    req: &ResolvedRequest,
    authorization: Option<&HeaderValue>,
    api_key: Option<&ApiKey>,
) -> Result<Response, StepError> {
    let mut url = rt.urls.parse(&req.url).map_err(|reason| StepError::InvalidUrl {
        url: masked_cut(&req.url, 200, &rt.plan.redactor),
        reason,
    })?;
    if let Some(key) = api_key.filter(|k| k.in_query) {
        url.query_pairs_mut().append_pair(&key.name, &key.value);
    }
    if let Some((user, password)) = url_credentials(&url) {
        // Sent as a Basic header: that header is as secret as the password.
        rt.plan.redactor.add_basic(&user, &password);
    }
    let mut request = http_request(rt, req, url, authorization)?;
    if let Some(key) = api_key.filter(|k| !k.in_query) {
        let name = HeaderName::from_bytes(key.name.as_bytes())
            .map_err(|_| StepError::Unsendable(format!("`{}` is not a valid HTTP header name", key.name)))?;
        let mut value = HeaderValue::from_str(&key.value)
            .map_err(|_| StepError::Unsendable("the API key holds characters HTTP does not allow".into()))?;
        value.set_sensitive(true);
        // Never carried to another origin by a redirect.
        request.credential_headers.push(name.clone());
        request.headers.insert(name, value);
    }
    let started = Instant::now();
    let r = rt.client.send(request).await?;
    let response = Response::new(r.status, r.headers, r.body, started.elapsed());
    register_issued_tokens(rt, &response);
    Ok(response)
}

/// The rendered request as the HTTP layer takes it. Which headers and bodies hold credentials
/// matters only where a request can go to another origin, so only then is it worked out.
fn http_request(
    rt: &Runtime,
    req: &ResolvedRequest,
    url: url::Url,
    authorization: Option<&HeaderValue>,
) -> Result<http::Request, StepError> {
    let method = Method::from_bytes(req.method.as_bytes())
        .map_err(|_| StepError::Unsendable(format!("`{}` is not an HTTP method", req.method)))?;
    let mut request = http::Request::new(method, url, req.timeout);
    request.follow_redirects = req.follow_redirects;
    for (name, value) in &req.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| StepError::Unsendable(format!("`{name}` is not a valid HTTP header name")))?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            StepError::Unsendable(format!(
                "the value of header `{name}` holds characters HTTP does not allow"
            ))
        })?;
        if req.follow_redirects && rt.plan.redactor.holds_secret(value.as_bytes()) {
            request.credential_headers.push(name.clone());
        }
        request.headers.append(name, value);
    }
    if let Some(auth) = authorization {
        request.headers.insert(AUTHORIZATION, auth.clone());
    }
    if let Some(body) = &req.body {
        request.body_holds_credentials = req.follow_redirects && rt.plan.redactor.holds_secret(body);
        request.body = bytes::Bytes::from(body.clone());
    }
    Ok(request)
}

/// A step may ask an IdP for a token itself; what it gets back is as secret as any token.
fn register_issued_tokens(rt: &Runtime, response: &Response) {
    const TOKEN_FIELDS: [&str; 3] = ["access_token", "refresh_token", "id_token"];
    // Every field name ends so: one fast scan rules out almost every response.
    if memchr::memmem::find(&response.body, b"_token\"").is_none() {
        return;
    }
    if let Ok(json) = response.json() {
        for field in TOKEN_FIELDS {
            if let Some(token) = json.get(field).and_then(|t| t.as_str()) {
                rt.plan.redactor.add(token);
            }
        }
    }
}
