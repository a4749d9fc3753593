//! A small HTTP server on 127.0.0.1:0 answering the shapes the golden cases assert on,
//! including hostile bodies no reporter may choke on.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde_json::json;

#[derive(Default)]
struct Counters(Mutex<HashMap<String, u32>>);

pub struct TestServer {
    pub addr: SocketAddr,
}

impl TestServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// One server for the whole test binary, on its own runtime thread.
pub fn shared() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer {
        addr: serve_on_own_thread(|listener| async move { axum::serve(listener, app()).await.unwrap() }),
    })
}

/// Runs `serve` on a listener at 127.0.0.1:0, on a runtime and thread of its own that live as
/// long as the test binary; returns the listener's address once it is bound.
pub fn serve_on_own_thread<F, Fut>(serve: F) -> SocketAddr
where
    F: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            serve(listener).await;
        });
    });
    rx.recv().unwrap()
}

pub fn app() -> Router {
    Router::new()
        .route("/json", get(json_doc))
        .route("/text", get(|| async { "hello world, k2check" }))
        .route("/integer", get(|| async { "42" }))
        .route("/status/{code}", any(status))
        .route("/header", get(header))
        .route("/hostile", get(hostile))
        .route("/flaky/{key}/{failures}", get(flaky))
        .route("/slow/{ms}", get(slow))
        .route(
            "/big/{mib}",
            get(|Path(mib): Path<usize>| async move { vec![b'x'; mib << 20] }),
        )
        .route("/echo", any(echo))
        .route("/echo-ascii", any(echo_ascii))
        .route(
            "/redirect",
            get(|| async { (StatusCode::FOUND, [("location", "/text")], "moved").into_response() }),
        )
        .route("/idp/wrong-issuer/.well-known/openid-configuration", get(wrong_issuer))
        .route(
            "/idp/html/token",
            any(|| async { ([("content-type", "text/html")], "<html><body>Sign in</body></html>") }),
        )
        .route("/idp/consent/token", any(consent))
        .route("/idp/ok/{scheme}/.well-known/openid-configuration", get(discovery))
        .route("/idp/ok/{scheme}/connect/token", any(token))
        .route("/redirect-to", any(redirect_to))
        .route(
            "/bom",
            get(|| async {
                (
                    [("content-type", "application/json")],
                    "\u{feff}{\"a\": 1, \"name\": \"x\"}",
                )
            }),
        )
        .route("/odata/relative/{page}", get(odata_relative))
        .route("/odata/elsewhere", get(odata_elsewhere))
        .route(
            "/redirect-loop",
            get(|| async { (StatusCode::FOUND, [("location", "/redirect-loop")], "again").into_response() }),
        )
        .route("/odata/loop/{n}", get(odata_loop))
        .route("/odata/endless/{n}", get(odata_endless))
        .route("/wf/api/workflow/v1/tasks", get(late_tasks))
        .route("/scim/Users", get(scim_users))
        .route("/fixture/api/odatav4/v4/{*rest}", get(fixture_odata))
        .route("/drifted/api/odatav4/v4/{*rest}", get(drifted_odata))
        .route("/fixture/api/odatav4/v4/", get(|| fixture_odata(Path(String::new()))))
        .with_state(Arc::new(Counters::default()))
}

async fn json_doc() -> Response {
    axum::Json(json!({
        "name": "k2check",
        "count": 3,
        "price": 9.5,
        "items": [1, 2, 3],
        "people": [{"name": "Ada", "age": 36}, {"name": "Alan", "age": 41}],
        "nested": {"a": "b"},
        "flag": true,
        "nothing": null,
        "empty": [],
        "id": "7f3c5a2e-0000-4000-8000-00000000c0de"
    }))
    .into_response()
}

async fn status(Path(code): Path<u16>) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, format!("status {code}")).into_response()
}

async fn header() -> Response {
    ([("x-custom", "abc-123"), ("location", "/things/77")], "ref abc-123").into_response()
}

async fn hostile() -> Response {
    let mut body = b"NUL:\0 ESC:\x1b[31mred\x1b[0m CDATA:]]> amp:& lt:< invalid:".to_vec();
    body.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
    body.extend_from_slice(b" end");
    Response::builder()
        .status(500)
        .header("content-type", "text/plain")
        .header("x-weird", "]]>&<\"")
        .body(Body::from(body))
        .unwrap()
}

async fn flaky(State(counters): State<Arc<Counters>>, Path((key, failures)): Path<(String, u32)>) -> Response {
    let mut counts = counters.0.lock().unwrap();
    let n = counts.entry(key).or_insert(0);
    *n += 1;
    if *n <= failures {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({"ready": false, "call": *n})),
        )
            .into_response()
    } else {
        axum::Json(json!({"ready": true, "call": *n})).into_response()
    }
}

async fn slow(Path(ms): Path<u64>) -> Response {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "slow".into_response()
}

async fn echo(headers: HeaderMap, request: Request) -> Response {
    let method = request.method().to_string();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let headers: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .filter(|(n, _)| *n != "host")
        .map(|(n, v)| (n.to_string(), json!(v.to_str().unwrap_or_default())))
        .collect();
    let json_body: serde_json::Value = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    axum::Json(json!({
        "method": method,
        "query": query,
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
        "json": json_body,
    }))
    .into_response()
}

async fn wrong_issuer(headers: HeaderMap) -> Response {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    axum::Json(json!({
        "issuer": "https://login.example.com/another-tenant",
        "token_endpoint": format!("http://{host}/idp/wrong-issuer/connect/token"),
    }))
    .into_response()
}

/// A discovery document for the issuer `{scheme}://{host}/idp/ok/{scheme}`.
async fn discovery(headers: HeaderMap, Path(scheme): Path<String>) -> Response {
    let issuer = format!("{scheme}://{}/idp/ok/{scheme}", host(&headers));
    axum::Json(json!({
        "issuer": issuer,
        "token_endpoint": format!("{issuer}/connect/token"),
        "scopes_supported": ["api"],
    }))
    .into_response()
}

/// A token for any client that asks for one with `grant_type=client_credentials`.
async fn token(body: String) -> Response {
    if !body.contains("grant_type=client_credentials") {
        let error = json!({ "error": "unsupported_grant_type" });
        return (StatusCode::BAD_REQUEST, axum::Json(error)).into_response();
    }
    axum::Json(json!({ "access_token": "test-token-1a2b3c", "token_type": "Bearer", "expires_in": 3600 }))
        .into_response()
}

/// `?status=307&to=URL`: a redirect of that status to that place.
async fn redirect_to(axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>) -> Response {
    let status = q.get("status").and_then(|s| s.parse().ok()).unwrap_or(302);
    let to = q.get("to").cloned().unwrap_or_else(|| "/text".into());
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FOUND);
    (status, [("location", to)], "moved").into_response()
}

async fn consent() -> Response {
    let body = json!({
        "error": "invalid_grant",
        "error_description": "AADSTS90094: The grant requires admin permission."
    });
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

fn host(headers: &HeaderMap) -> String {
    headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Page 1 links to page 2, which links back to page 1.
async fn odata_loop(headers: HeaderMap, Path(n): Path<u32>) -> Response {
    let next = if n == 1 { 2 } else { 1 };
    axum::Json(json!({"value": [n], "@odata.nextLink": format!("http://{}/odata/loop/{next}", host(&headers))}))
        .into_response()
}

async fn odata_endless(headers: HeaderMap, Path(n): Path<u32>) -> Response {
    axum::Json(json!({"value": [n], "@odata.nextLink": format!("http://{}/odata/endless/{}", host(&headers), n + 1)}))
        .into_response()
}

/// The task of instance 77 shows up on the third look; instance 88 never does.
async fn late_tasks(State(counters): State<Arc<Counters>>) -> Response {
    let mut counts = counters.0.lock().unwrap();
    let n = counts.entry("late-tasks".into()).or_insert(0);
    *n += 1;
    let mut tasks = vec![json!({"serialNumber": "5_9", "workflowInstanceID": 5})];
    if *n >= 3 {
        tasks.push(json!({"serialNumber": "77_12", "workflowInstanceID": 77}));
    }
    axum::Json(json!({"itemCount": tasks.len(), "tasks": tasks})).into_response()
}

/// 250 users, at most 100 a page, from `startIndex` (1-based) as SCIM pages them.
async fn scim_users(axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>) -> Response {
    let start: usize = q.get("startIndex").and_then(|s| s.parse().ok()).unwrap_or(1).max(1);
    let count: usize = q.get("count").and_then(|s| s.parse().ok()).unwrap_or(100).min(100);
    let users: Vec<serde_json::Value> = (start..=250)
        .take(count)
        .map(|i| json!({"id": format!("u{i}"), "userName": format!("user{i}")}))
        .collect();
    axum::Json(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 250,
        "startIndex": start,
        "itemsPerPage": users.len(),
        "Resources": users,
    }))
    .into_response()
}

/// OData pages whose next links are relative, as OData v4 allows.
async fn odata_relative(Path(page): Path<u32>) -> Response {
    let mut body = json!({ "value": [{ "ID": page }] });
    if page < 3 {
        body["@odata.nextLink"] = json!(format!("{}?$skiptoken={}", page + 1, page));
    }
    axum::Json(body).into_response()
}

/// A first page whose next link leads to another origin (`localhost` for `127.0.0.1`).
async fn odata_elsewhere(headers: HeaderMap) -> Response {
    let port = host(&headers).rsplit(':').next().unwrap_or_default().to_owned();
    axum::Json(json!({
        "value": [{ "ID": 1 }],
        "@odata.nextLink": format!("http://localhost:{port}/odata/relative/2"),
    }))
    .into_response()
}

/// `/echo`, written as PHP and older .NET write JSON: every non-ASCII character as a lowercase
/// `\uXXXX` and `/` as `\/`.
async fn echo_ascii(headers: HeaderMap, request: Request) -> Response {
    let echoed = echo(headers, request).await;
    let body = axum::body::to_bytes(echoed.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let mut out = String::new();
    for c in String::from_utf8_lossy(&body).chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    ([("content-type", "application/json")], out).into_response()
}

/// An OData v4 service that is not the mock (another product's shapes: a namespace prefix on
/// every CSDL element, a service document with `kind` and `url`): `init --discover` reads it.
/// The fixture service after an update: `Price` now a string, a `Bonus` added.
async fn drifted_odata(Path(rest): Path<String>) -> Response {
    match rest.as_str() {
        "$metadata" => {
            let csdl = FIXTURE_CSDL.replace(
                r#"<edm:Property Name="Price" Type="Edm.Decimal"/>"#,
                r#"<edm:Property Name="Price" Type="Edm.String"/><edm:Property Name="Bonus" Type="Edm.Decimal"/>"#,
            );
            ([("content-type", "application/xml")], csdl).into_response()
        }
        "Products" => (
            [("content-type", "application/json")],
            json!({ "value": [{ "Sku": "B-2", "Price": "9.5", "Bonus": 1 }] }).to_string(),
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

const FIXTURE_CSDL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <edm:Schema Namespace="Shop" xmlns:edm="http://docs.oasis-open.org/odata/ns/edm">
      <edm:EntityType Name="Product">
        <edm:Key><edm:PropertyRef Name="Sku"/></edm:Key>
        <edm:Property Name="Sku" Type="Edm.String" Nullable="false"/>
        <edm:Property Name="Price" Type="Edm.Decimal"/>
      </edm:EntityType>
      <edm:EntityContainer Name="Default">
        <edm:EntitySet Name="Products" EntityType="Shop.Product"/>
      </edm:EntityContainer>
    </edm:Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;

async fn fixture_odata(Path(rest): Path<String>) -> Response {
    let json = |value: serde_json::Value| ([("content-type", "application/json")], value.to_string()).into_response();
    match rest.as_str() {
        "" => json(json!({
            "@odata.context": "$metadata",
            "value": [
                { "name": "Products", "kind": "EntitySet", "url": "Products" },
                { "name": "Me", "kind": "Singleton", "url": "Me" }
            ]
        })),
        "$metadata" => ([("content-type", "application/xml")], FIXTURE_CSDL).into_response(),
        "Products" => json(json!({ "value": [{ "Sku": "A-1", "Price": 9.5 }] })),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
