//! The mock's HTTP server: one port, one tenant, every API under its path prefix.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::json;
use tokio::sync::oneshot;

use crate::mock::api_auth::{Audience, authenticate};
use crate::mock::data::{self, MockData};
use crate::mock::faults::{self, Fault};
use crate::mock::journal::{self, JournalEntry};
use crate::mock::odata::{self, Version};
use crate::mock::request::{MockRequest, empty, is, json_response};
use crate::mock::state::MockState;
use crate::mock::{idp, scim, workflow};

/// Request bodies larger than this are refused.
const MAX_BODY: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct MockConfig {
    pub bind: IpAddr,
    pub port: u16,
    pub latency: Option<Duration>,
    pub data: MockData,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            latency: None,
            data: MockData::default(),
        }
    }
}

struct Shared {
    state: Mutex<MockState>,
    latency: Option<Duration>,
}

pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl MockServer {
    pub async fn start(config: MockConfig) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((config.bind, config.port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(MockState::seeded(config.data)),
            latency: config.latency,
        });
        let app = Router::new().fallback(dispatch).with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(MockServer {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn data(&self) -> MockData {
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner()).data.clone()
    }

    /// What scenarios see as `mock.*` under `--mock`.
    pub fn template_vars(&self) -> serde_json::Value {
        let url = self.url();
        let data = self.data();
        json!({
            "url": url,
            "tenant": data.tenant_id,
            "issuer": format!("{url}/{}", data.tenant_id),
            "token_url": match data.alternative_forms {
                true => format!("{url}/{}/oauth2/v2.0/token", data.tenant_id),
                false => format!("{url}/{}/connect/token", data.tenant_id),
            },
            "client_id": data::CLIENT_ID,
            "client_secret": data::CLIENT_SECRET,
            "username": data::USERNAME,
            "password": data::PASSWORD,
            "scim_url": format!("{url}/tokens/{}/scim/v2", data.scim_token),
            "scim_token": data.scim_token,
        })
    }

    /// What `k2check mock` prints on start: the clients and users of its data, whether the
    /// seeded ones or those of a `--data` file. A client's secret is shown only where the mock
    /// knows it (the seeded client); a data file holds only its hash, as Nintex does.
    pub fn banner(&self) -> String {
        let v = self.template_vars();
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        let data = self.data();
        let seeded_hash = crate::auth::to_sha256(data::CLIENT_SECRET);
        let mut clients = String::new();
        for client in &data.clients {
            let secret = if client.secret_hash == seeded_hash {
                data::CLIENT_SECRET.to_owned()
            } else {
                format!("(the secret whose hash is {})", client.secret_hash)
            };
            clients.push_str(&format!(
                "  client id:      {}\n  client secret:  {secret}\n  scopes:         {}\n",
                client.client_id,
                client.scopes.join(" ")
            ));
        }
        let mut users = String::new();
        for user in &data.users {
            let mfa = if user.mfa { " (MFA: Basic auth refused)" } else { "" };
            users.push_str(&format!(
                "  Basic user:     {}, password {}{mfa}\n",
                user.names.join(" or "),
                user.password
            ));
        }
        format!(
            "k2check mock K2 environment on {url}\n\
             \n  OData v4:       {url}/api/odatav4/v4/\n  OData v3:       {url}/api/odata/v3/\n  Workflow REST:  {url}/api/workflow/v1/\n  SCIM:           {scim}\n\
             \n  issuer:         {issuer}\n  token URL:      {token}\n{clients}\n{users}\
             \n  journal:        GET {url}/_mock/journal, POST {url}/_mock/reset\n\nCtrl-C stops it.",
            url = s("url"),
            scim = s("scim_url"),
            issuer = s("issuer"),
            token = s("token_url"),
        )
    }

    /// The requests received so far (the same list `GET /_mock/journal` returns).
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .journal
            .clone()
    }

    /// Every access token issued so far (tests search outputs for them).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .tokens
            .keys()
            .cloned()
            .collect()
    }

    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn dispatch(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let started = Instant::now();
    let arrived = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (parts, body) = request.into_parts();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    let host = parts
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    let base_url = format!("http://{host}");
    if let Some(latency) = shared.latency {
        tokio::time::sleep(latency).await;
    }
    let fault = match parts.headers.get("x-mock-fault").map(|v| v.to_str().map(faults::parse)) {
        None => None,
        Some(Ok(Ok(spec))) => {
            let key = format!("{:?}|{}|{}", spec, parts.method, parts.uri.path());
            let fires = match spec.times {
                None => true,
                Some(n) => {
                    let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
                    let count = state.fault_counts.entry(key).or_insert(0);
                    *count += 1;
                    *count <= n
                }
            };
            fires.then_some(spec.fault)
        }
        // A fault header the mock cannot read is answered 400, never ignored.
        Some(bad) => {
            let message = match bad {
                Ok(Err(message)) => message,
                _ => "not text".to_owned(),
            };
            return finish(
                &shared,
                &parts.method,
                &path_and_query,
                &arrived,
                started,
                bad_fault(&message),
            );
        }
    };
    if let Some(Fault::Delay(d)) = &fault {
        tokio::time::sleep(*d).await;
    }
    if let Some(Fault::Status { status, retry_after }) = &fault {
        let response = faults::status_response(*status, *retry_after);
        return finish(&shared, &parts.method, &path_and_query, &arrived, started, response);
    }
    let response = match axum::body::to_bytes(body, MAX_BODY).await {
        Err(_) => json_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            &json!({ "Message": "The request body is too large." }),
        ),
        Ok(bytes) => {
            // HEAD is GET without the body, which hyper leaves out while keeping its length.
            let method = match parts.method {
                Method::HEAD => Method::GET,
                ref other => other.clone(),
            };
            let req = MockRequest::new(
                method,
                parts.uri.path(),
                parts.uri.query(),
                parts.headers,
                bytes.to_vec(),
            );
            let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
            route(&mut state, &req, &base_url)
        }
    };
    let response = match &fault {
        Some(f @ (Fault::Drop | Fault::Truncate)) => faults::break_response(response, f).await,
        _ => response,
    };
    finish(&shared, &parts.method, &path_and_query, &arrived, started, response)
}

fn bad_fault(message: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({ "Message": format!("X-Mock-Fault: {message}") }),
    )
}

fn finish(
    shared: &Shared,
    method: &Method,
    path: &str,
    arrived: &str,
    started: Instant,
    response: Response,
) -> Response {
    if !path.starts_with("/_mock/") {
        let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        let entry = JournalEntry {
            method: method.to_string(),
            path: path.to_owned(),
            status: response.status().as_u16(),
            time: arrived.to_owned(),
            duration_ms: started.elapsed().as_millis() as u64,
        };
        journal::record(&mut state.journal, entry);
    }
    response
}

fn route(state: &mut MockState, req: &MockRequest, base_url: &str) -> Response {
    let s = &req.segments;
    if is(s.first(), "_mock") {
        return match (s.get(1).map(|x| x.to_ascii_lowercase()).as_deref(), &req.method) {
            (Some("journal"), &Method::GET) => json_response(StatusCode::OK, &json!({ "requests": state.journal })),
            (Some("reset"), &Method::POST) => {
                state.reset();
                empty(StatusCode::NO_CONTENT)
            }
            _ => json_response(
                StatusCode::NOT_FOUND,
                &json!({ "Message": "GET /_mock/journal or POST /_mock/reset" }),
            ),
        };
    }
    if is(s.first(), "api") {
        let (prefix, kind) = if is(s.get(1), "odatav4") && is(s.get(2), "v4") {
            (3, Some(Version::V4))
        } else if is(s.get(1), "odata") && is(s.get(2), "v3") {
            (3, Some(Version::V3))
        } else if is(s.get(1), "workflow") && is(s.get(2), "v1") {
            (3, None)
        } else if is(s.get(1), "odata") && is(s.get(2), "op") && is(s.get(3), "refresh") {
            return match authenticate(state, req, Audience::Api) {
                Ok(_) => json_response(StatusCode::OK, &json!("The OData service model was refreshed.")),
                Err(r) => r,
            };
        } else {
            return json_response(StatusCode::NOT_FOUND, &json!({ "Message": "No such API." }));
        };
        let user = match authenticate(state, req, Audience::Api) {
            Ok(u) => u,
            Err(r) => return r,
        };
        let api = if kind.is_some() { "odata" } else { "workflow" };
        if state.data.refused_apis.iter().any(|r| r.eq_ignore_ascii_case(api)) {
            let message = format!("The client is not allowed to use the {api} API.");
            return json_response(StatusCode::FORBIDDEN, &json!({ "Message": message }));
        }
        let rest = &s[prefix..];
        return match kind {
            Some(version) => {
                let base = match version {
                    Version::V4 => format!("{base_url}/api/odatav4/v4/"),
                    Version::V3 => format!("{base_url}/api/odata/v3/"),
                };
                odata::handle(&mut state.odata, req, rest, &base, version)
            }
            None => workflow::handle(&mut state.workflow, req, rest, &user, base_url),
        };
    }
    if is(s.first(), "tokens") && is(s.get(2), "scim") && is(s.get(3), "v2") {
        if s.get(1) != Some(&state.data.scim_token) {
            return scim::scim_error(StatusCode::UNAUTHORIZED, None, "Unknown SCIM token in the URL.");
        }
        if let Err(r) = authenticate(state, req, Audience::Scim) {
            return r;
        }
        let base = format!("{base_url}/tokens/{}/scim/v2", state.data.scim_token);
        return scim::handle(&mut state.scim, req, &s[4..], &base);
    }
    if let Some(response) = idp::handle(state, req, base_url) {
        return response;
    }
    json_response(
        StatusCode::NOT_FOUND,
        &json!({ "Message": "Not found in the k2check mock. See docs/mock.md for its routes." }),
    )
}
