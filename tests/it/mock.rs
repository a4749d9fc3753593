//! The built-in mock through real HTTP on port 0: every endpoint group and its errors.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use k2check::{MockConfig, MockData, MockServer};
use serde_json::{Value, json};

const SECRET: &str = "k2check-mock-secret";
const CLIENT: &str = "idt.cc.k2check-mock";
const API: &str = "https://api.k2.com/";
const SCIM: &str = "https://scim.onk2.com/write";

struct Mock {
    server: MockServer,
    http: reqwest::Client,
}

impl Mock {
    async fn start() -> Self {
        Self::with(MockConfig::default()).await
    }

    async fn with(config: MockConfig) -> Self {
        k2check::install_crypto_provider();
        let server = MockServer::start(config).await.unwrap();
        Mock {
            server,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    /// What the mock has answered so far (`GET /_mock/journal`).
    async fn journal(&self) -> Value {
        let response = self.http.get(self.url("/_mock/journal")).send().await.unwrap();
        response.json().await.unwrap()
    }

    fn token_url(&self) -> String {
        self.url("/7f3c5a2e-0000-4000-8000-00000000c0de/connect/token")
    }

    async fn token(&self, scope: &str) -> String {
        let response = self
            .token_request(
                &[("client_id", CLIENT), ("client_secret", SECRET), ("scope", scope)],
                None,
            )
            .await;
        assert_eq!(response.0, 200, "{}", response.1);
        response.1["access_token"].as_str().unwrap().to_owned()
    }

    async fn token_request(&self, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> (u16, Value) {
        let mut body: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
        body.extend_from_slice(form);
        let mut request = self.http.post(self.token_url()).form(&body);
        if let Some((user, pass)) = basic {
            request = request.basic_auth(user, Some(pass));
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    async fn status(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> u16 {
        self.call(method, path, token, body).await.0
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let mut request = self
            .http
            .request(method.parse().unwrap(), self.url(path))
            .header("authorization", format!("Bearer {token}"));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
            headers,
        )
    }
}

#[tokio::test]
async fn discovery_names_issuer_endpoints_and_auth_methods() {
    let mock = Mock::start().await;
    let doc: Value = mock
        .http
        .get(mock.url("/7f3c5a2e-0000-4000-8000-00000000c0de/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["issuer"], mock.url("/7f3c5a2e-0000-4000-8000-00000000c0de"));
    assert_eq!(doc["token_endpoint"], mock.token_url());
    assert!(
        doc["authorization_endpoint"]
            .as_str()
            .unwrap()
            .ends_with("/connect/authorize")
    );
    assert!(doc["jwks_uri"].is_string());
    assert!(
        doc["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("client_credentials"))
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic", "client_secret_post"])
    );
}

#[tokio::test]
async fn tokens_for_the_right_secret_in_body_or_basic_header_and_rfc6749_errors_otherwise() {
    let mock = Mock::start().await;
    assert_eq!(
        MockData::default().clients[0].secret_hash,
        "c93MGKB5/gWS49an9ygoGdmy2YDOH2TfDgLV5xZ4L4g="
    );
    let (status, body) = mock
        .token_request(
            &[("client_id", CLIENT), ("client_secret", SECRET), ("scope", API)],
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            body["token_type"].as_str(),
            body["expires_in"].as_u64(),
            body["scope"].as_str()
        ),
        (Some("Bearer"), Some(3600), Some(API))
    );
    let (status, _) = mock.token_request(&[("scope", SCIM)], Some((CLIENT, SECRET))).await;
    assert_eq!(status, 200);
    let (status, body) = mock
        .token_request(&[("client_id", CLIENT), ("client_secret", "wrong")], None)
        .await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
    let (status, body) = mock
        .token_request(
            &[
                ("client_id", CLIENT),
                ("client_secret", SECRET),
                ("scope", "https://other/"),
            ],
            None,
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_scope")));
    let response = mock
        .http
        .post(mock.token_url())
        .form(&[
            ("grant_type", "password"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
    let response = mock
        .http
        .post(mock.token_url())
        .form(&[("client_id", CLIENT), ("client_secret", SECRET)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "invalid_request");
}

#[tokio::test]
async fn api_auth_basic_bearer_expiry_and_scope() {
    let data = MockData {
        token_lifetime: 1,
        ..MockData::default()
    };
    let mock = Mock::with(MockConfig {
        data,
        ..MockConfig::default()
    })
    .await;
    let path = mock.url("/api/workflow/v1/workflows");
    let none = mock.http.get(&path).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert!(none.headers().get("www-authenticate").is_some());
    for user in [
        "DENALLIX\\administrator",
        "administrator@denallix.com",
        "denallix\\ADMINISTRATOR",
    ] {
        let ok = mock
            .http
            .get(&path)
            .basic_auth(user, Some("K2pass!"))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200, "{user}");
    }
    let bad = mock
        .http
        .get(&path)
        .basic_auth("DENALLIX\\administrator", Some("nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let scim_only = mock.token(SCIM).await;
    assert_eq!(
        mock.status("GET", "/api/workflow/v1/workflows", &scim_only, None).await,
        403
    );
    let token = mock.token(API).await;
    assert_eq!(
        mock.status("GET", "/api/workflow/v1/workflows", &token, None).await,
        200
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _, headers) = mock.call("GET", "/api/workflow/v1/workflows", &token, None).await;
    assert_eq!(status, 401, "an expired token is refused");
    assert!(headers["www-authenticate"].to_str().unwrap().contains("invalid_token"));
}

#[tokio::test]
async fn odata_pages_past_the_record_limit_and_every_record_comes_once() {
    let mock = Mock::start().await;
    let token = mock.token(API).await;
    let (status, first, _) = mock
        .call("GET", "/api/odatav4/v4/Test_SmartBox_SMO", &token, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(first["value"].as_array().unwrap().len(), 1000);
    assert!(
        first["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#Test_SmartBox_SMO")
    );
    let mut ids = HashSet::new();
    let mut page = first;
    let mut pages = 1;
    loop {
        for record in page["value"].as_array().unwrap() {
            assert!(
                ids.insert(record["ID"].as_i64().unwrap()),
                "record {} came twice",
                record["ID"]
            );
        }
        let Some(next) = page["@odata.nextLink"].as_str() else {
            break;
        };
        let path = next.strip_prefix(&mock.server.url()).unwrap().to_owned();
        page = mock.call("GET", &path, &token, None).await.1;
        pages += 1;
    }
    assert_eq!((ids.len(), pages), (2500, 3));
}

#[tokio::test]
async fn odata_query_options_crud_and_errors() {
    let mock = Mock::start().await;
    let t = mock.token(API).await;
    let (_, doc, _) = mock.call("GET", "/api/odatav4/v4/", &t, None).await;
    assert!(
        doc["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "EmployeeSample")
    );
    let metadata = mock
        .http
        .get(mock.url("/api/odatav4/v4/$metadata"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metadata.contains("<EntitySet Name=\"EmployeeSample\"")
            && metadata.contains("Name=\"HireDate\" Type=\"Edm.DateTimeOffset\"")
    );
    assert_eq!(
        mock.status("GET", "/api/odatav4/v4/EmployeeSample/$metadata", &t, None)
            .await,
        404
    );

    let q = "/api/odatav4/v4/EmployeeSample?$filter=LastName%20eq%20%27O%27%27Brien%27%20and%20Joblevel%20ge%202&$select=ID,LastName&$orderby=ID%20desc&$count=true";
    let (status, body, _) = mock.call("GET", q, &t, None).await;
    assert_eq!(status, 200, "{body}");
    let rows = body["value"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["LastName"] == "O'Brien" && r.as_object().unwrap().len() == 2)
    );
    assert_eq!(body["@odata.count"].as_u64().unwrap() as usize, rows.len());
    assert!(rows.windows(2).all(|w| w[0]["ID"].as_i64() > w[1]["ID"].as_i64()));
    let (_, top, _) = mock
        .call("GET", "/api/odatav4/v4/EmployeeSample?$top=5&$skip=10", &t, None)
        .await;
    assert_eq!(top["value"][0]["ID"], 11);
    assert_eq!(top["value"].as_array().unwrap().len(), 5);
    let (_, starts, _) = mock.call("GET", "/api/odatav4/v4/EmployeeSample?$filter=startswith(FirstName,%27An%27)%20or%20contains(LastName,%27owa%27)%20and%20not%20endswith(DepartmentCode,%27X%27)", &t, None).await;
    assert!(!starts["value"].as_array().unwrap().is_empty());
    for bad in [
        "$filter=Nope%20eq%201",
        "$filter=ID%20eq",
        "$select=Nope",
        "$top=-1",
        "$orderby=ID%20sideways",
    ] {
        let (status, body, _) = mock
            .call("GET", &format!("/api/odatav4/v4/EmployeeSample?{bad}"), &t, None)
            .await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["error"]["message"].is_string(), "{bad}: {body}");
    }
    assert_eq!(mock.status("GET", "/api/odatav4/v4/NoSuchThing", &t, None).await, 404);

    let (status, created, headers) = mock
        .call(
            "POST",
            "/api/odatav4/v4/EmployeeSample",
            &t,
            Some(json!({"FirstName": "Grace", "LastName": "Hopper", "Joblevel": 5})),
        )
        .await;
    assert_eq!(status, 201);
    let id = created["ID"].as_i64().unwrap();
    assert!(
        headers["location"]
            .to_str()
            .unwrap()
            .ends_with(&format!("EmployeeSample({id})"))
    );
    assert_eq!(
        mock.call("GET", &format!("/api/odatav4/v4/EmployeeSample({id})"), &t, None)
            .await
            .1["FirstName"],
        "Grace"
    );
    let put = mock
        .call(
            "PUT",
            &format!("/api/odatav4/v4/EmployeeSample({id})"),
            &t,
            Some(json!({"FirstName": "G.", "LastName": "Hopper"})),
        )
        .await;
    assert_eq!(put.0, 204);
    let (_, read, _) = mock
        .call("GET", &format!("/api/odatav4/v4/EmployeeSample({id})"), &t, None)
        .await;
    assert_eq!(
        (read["FirstName"].as_str(), &read["Joblevel"]),
        (Some("G."), &Value::Null)
    );
    assert_eq!(
        mock.status("POST", "/api/odatav4/v4/EmployeeSample", &t, Some(json!({"Salary": 1})))
            .await,
        400
    );
    assert_eq!(
        mock.status("DELETE", &format!("/api/odatav4/v4/EmployeeSample({id})"), &t, None)
            .await,
        204
    );
    assert_eq!(
        mock.status("GET", &format!("/api/odatav4/v4/EmployeeSample({id})"), &t, None)
            .await,
        404
    );
}

#[tokio::test]
async fn odata_v3_is_read_only_with_its_own_next_link() {
    let mock = Mock::start().await;
    let t = mock.token(API).await;
    let (status, body, _) = mock
        .call("GET", "/api/odata/v3/Test_SmartBox_SMO?$inlinecount=allpages", &t, None)
        .await;
    assert_eq!(status, 200);
    assert!(body["odata.nextLink"].is_string() && body["@odata.nextLink"].is_null());
    assert_eq!(body["odata.count"], 2500);
    assert_eq!(
        mock.status("POST", "/api/odata/v3/EmployeeSample", &t, Some(json!({})))
            .await,
        405
    );
    assert_eq!(
        mock.status("DELETE", "/api/odata/v3/EmployeeSample(1)", &t, None).await,
        405
    );
    assert_eq!(
        mock.status("GET", "/API/ODATA/V3/EmployeeSample(1)", &t, None).await,
        200,
        "routes ignore case"
    );
}

async fn status_of(mock: &Mock, t: &str, sn: &str) -> Option<Value> {
    tasks(mock, t)
        .await
        .into_iter()
        .find(|x| x["serialNumber"] == sn)
        .map(|x| x["status"].clone())
}

async fn tasks(mock: &Mock, t: &str) -> Vec<Value> {
    mock.call("GET", "/api/workflow/v1/tasks", t, None).await.1["tasks"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn workflow_start_task_and_action_state_machine() {
    let mock = Mock::start().await;
    let t = mock.token(API).await;
    let (_, list, _) = mock
        .call("GET", "/api/workflow/v1/workflows?type=Startable", &t, None)
        .await;
    let leave = list["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "Leave Request")
        .unwrap()
        .clone();
    assert!(leave["defaultVersionId"].is_i64() && leave["systemName"].is_string());
    let id = leave["id"].as_i64().unwrap();
    let (_, detail, _) = mock
        .call("GET", &format!("/api/workflow/v1/workflows/{id}"), &t, None)
        .await;
    assert_eq!(detail["workflowInfo"]["name"], "Leave Request");
    let (_, schema, _) = mock
        .call("GET", &format!("/api/workflow/v1/workflows/{id}/schema"), &t, None)
        .await;
    assert!(schema["properties"]["dataFields"]["properties"]["Days"].is_object());
    assert!(!tasks(&mock, &t).await.is_empty(), "seeded tasks are waiting");

    let (status, instance, _) = mock
        .call(
            "POST",
            &format!("/api/workflow/v1/workflows/{id}"),
            &t,
            Some(json!({"folio": "t", "dataFields": {"days": 3}})),
        )
        .await;
    assert_eq!(status, 201);
    let instance = instance.as_i64().expect("the body is a bare integer");
    let task = tasks(&mock, &t)
        .await
        .into_iter()
        .find(|x| x["workflowInstanceID"] == instance)
        .unwrap();
    let sn = task["serialNumber"].as_str().unwrap().to_owned();
    assert_eq!(sn, format!("{instance}_{}", task["activityInstanceDestinationID"]));
    assert_eq!(task["status"], "Available");
    let (_, actions, _) = mock
        .call("GET", &format!("/api/workflow/v1/tasks/{sn}/actions"), &t, None)
        .await;
    assert_eq!(actions["batchableActions"], json!(["Approve", "Reject"]));
    let (_, detail, _) = mock
        .call("GET", &format!("/api/workflow/v1/tasks/{sn}"), &t, None)
        .await;
    assert_eq!(detail["dataFields"]["Days"], 3);

    let act = |name: &'static str, body: Option<Value>| {
        let (mock, t, sn) = (&mock, &t, &sn);
        async move {
            mock.status("POST", &format!("/api/workflow/v1/tasks/{sn}/actions/{name}"), t, body)
                .await
        }
    };
    assert_eq!(act("release", None).await, 400, "an available task cannot be released");
    assert_eq!(act("assign", None).await, 204);
    assert_eq!(status_of(&mock, &t, &sn).await, Some(json!("Open")));
    assert_eq!(act("release", None).await, 204);
    assert_eq!(act("sleep", Some(json!({"SleepFor": 60}))).await, 204);
    assert_eq!(status_of(&mock, &t, &sn).await, Some(json!("Sleep")));
    assert_eq!(act("Approve", None).await, 400, "a sleeping task cannot be completed");
    assert_eq!(act("wake", None).await, 204);
    assert_eq!(act("sleep", Some(json!({}))).await, 400);
    assert_eq!(
        act("redirect", Some(json!({"RedirectTo": "K2:DENALLIX\\bob"}))).await,
        204
    );
    assert_eq!(act("Frobnicate", None).await, 400);
    assert_eq!(act("approve", Some(json!({"dataFields": {"Reason": "ok"}}))).await, 204);
    assert_eq!(status_of(&mock, &t, &sn).await, None, "the completed task is gone");
    assert_eq!(
        mock.status("GET", &format!("/api/workflow/v1/tasks/{sn}"), &t, None)
            .await,
        404
    );
    assert_eq!(
        mock.status("GET", "/api/workflow/v1/tasks/not-a-serial", &t, None)
            .await,
        400
    );
    assert_eq!(
        mock.status("POST", "/api/workflow/v1/workflows/999", &t, Some(json!({})))
            .await,
        404
    );
    assert_eq!(
        mock.status(
            "POST",
            &format!("/api/workflow/v1/workflows/{id}"),
            &t,
            Some(json!({"dataFields": {"Nope": 1}}))
        )
        .await,
        400
    );
}

#[tokio::test]
async fn scim_users_groups_filter_patch_and_errors() {
    let mock = Mock::start().await;
    let t = mock.token(SCIM).await;
    let base = "/tokens/mock-scim-token/scim/v2";
    assert_eq!(
        mock.call("GET", &format!("{base}/ServiceProviderConfig"), &t, None)
            .await
            .1["patch"]["supported"],
        true
    );
    assert_eq!(
        mock.call("GET", &format!("{base}/ResourceTypes"), &t, None).await.1["totalResults"],
        2
    );
    assert_eq!(mock.status("GET", &format!("{base}/Schemas"), &t, None).await, 200);
    let api_only = mock.token(API).await;
    assert_eq!(mock.status("GET", &format!("{base}/Users"), &api_only, None).await, 403);
    assert_eq!(mock.status("GET", "/tokens/wrong/scim/v2/Users", &t, None).await, 401);

    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ada@example.com", "displayName": "Ada", "emails": [{"value": "ada@example.com", "primary": true}]});
    let (status, created, _) = mock
        .call("POST", &format!("{base}/Users"), &t, Some(user.clone()))
        .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, dup, _) = mock
        .call(
            "POST",
            &format!("{base}/Users"),
            &t,
            Some(json!({"userName": "ADA@example.com"})),
        )
        .await;
    assert_eq!((status, dup["scimType"].as_str()), (409, Some("uniqueness")));
    assert_eq!(
        mock.call("GET", &format!("{base}/Users/{id}"), &t, None).await.1["userName"],
        "ada@example.com"
    );
    let (_, found, _) = mock
        .call(
            "GET",
            &format!("{base}/Users?filter=userName%20eq%20%22ada@example.com%22"),
            &t,
            None,
        )
        .await;
    assert_eq!(found["totalResults"], 1);
    assert_eq!(
        found["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );
    assert_eq!(
        mock.status("GET", &format!("{base}/Users?filter=userName%20eq"), &t, None)
            .await,
        400
    );
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "active", "value": false}]});
    let (status, patched, _) = mock.call("PATCH", &format!("{base}/Users/{id}"), &t, Some(patch)).await;
    assert_eq!((status, &patched["active"]), (200, &json!(false)));

    let (_, group, _) = mock
        .call(
            "POST",
            &format!("{base}/Groups"),
            &t,
            Some(json!({"displayName": "Approvers"})),
        )
        .await;
    let gid = group["id"].as_str().unwrap().to_owned();
    let add = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members", "value": [{"value": id}]}]});
    let (_, g, _) = mock.call("PATCH", &format!("{base}/Groups/{gid}"), &t, Some(add)).await;
    assert_eq!(g["members"].as_array().unwrap().len(), 1);
    let remove = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": format!("members[value eq \"{id}\"]")}]});
    let (_, g, _) = mock
        .call("PATCH", &format!("{base}/Groups/{gid}"), &t, Some(remove))
        .await;
    assert!(g["members"].as_array().unwrap().is_empty());
    let put = mock
        .call(
            "PUT",
            &format!("{base}/Users/{id}"),
            &t,
            Some(json!({"userName": "ada@example.com", "displayName": "Ada L."})),
        )
        .await;
    assert_eq!((put.0, &put.1["displayName"]), (200, &json!("Ada L.")));
    assert_eq!(
        mock.status("DELETE", &format!("{base}/Users/{id}"), &t, None).await,
        204
    );
    assert_eq!(mock.status("GET", &format!("{base}/Users/{id}"), &t, None).await, 404);

    for n in 0..120 {
        mock.call(
            "POST",
            &format!("{base}/Users"),
            &t,
            Some(json!({"userName": format!("u{n}@example.com")})),
        )
        .await;
    }
    let (_, page, _) = mock
        .call("GET", &format!("{base}/Users?startIndex=101&count=500"), &t, None)
        .await;
    assert_eq!(
        (
            page["totalResults"].as_u64(),
            page["itemsPerPage"].as_u64(),
            page["startIndex"].as_u64()
        ),
        (Some(120), Some(20), Some(101))
    );
    let (_, capped, _) = mock.call("GET", &format!("{base}/Users?count=500"), &t, None).await;
    assert_eq!(capped["itemsPerPage"], 100);
}

#[tokio::test]
async fn faults_journal_reset_and_latency() {
    let mock = Mock::with(MockConfig {
        latency: Some(Duration::from_millis(100)),
        ..MockConfig::default()
    })
    .await;
    let url = mock.url("/api/workflow/v1/workflows");
    let auth = ("DENALLIX\\administrator", Some("K2pass!"));
    let started = Instant::now();
    let ok = mock.http.get(&url).basic_auth(auth.0, auth.1).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(100), "latency applies");

    let limited = mock
        .http
        .get(&url)
        .header("x-mock-fault", "429;retry-after=2")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            limited.status().as_u16(),
            limited.headers()["retry-after"].to_str().unwrap()
        ),
        (429, "2")
    );
    assert_eq!(
        mock.http
            .get(&url)
            .header("x-mock-fault", "503")
            .send()
            .await
            .unwrap()
            .status(),
        503
    );
    assert_eq!(
        mock.http
            .get(&url)
            .header("x-mock-fault", "bogus")
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    for expected in [429, 429, 200] {
        let r = mock
            .http
            .get(&url)
            .basic_auth(auth.0, auth.1)
            .header("x-mock-fault", "429;times=2")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), expected);
    }
    for fault in ["drop", "truncate"] {
        let response = mock
            .http
            .get(&url)
            .basic_auth(auth.0, auth.1)
            .header("x-mock-fault", fault)
            .send()
            .await;
        let failed = match response {
            Err(_) => true,
            Ok(r) => r.bytes().await.is_err(),
        };
        assert!(failed, "`{fault}` is an error for the client");
    }
    let started = Instant::now();
    mock.http
        .get(&url)
        .header("x-mock-fault", "delay=300ms")
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));

    let journal = mock.journal().await;
    let requests = journal["requests"].as_array().unwrap();
    assert!(requests.len() >= 9);
    assert_eq!(requests[0]["method"], "GET");
    assert_eq!(requests[0]["path"], "/api/workflow/v1/workflows");
    assert_eq!(requests[0]["status"], 200);
    assert!(requests[0]["time"].is_string());
    assert_eq!(
        mock.http.post(mock.url("/_mock/reset")).send().await.unwrap().status(),
        204
    );
    let journal = mock.journal().await;
    assert!(journal["requests"].as_array().unwrap().is_empty());
}

/// `k2check mock --port 0 …` as a child process, its URL read from the first line it prints.
struct MockProcess {
    child: std::process::Child,
    url: String,
    /// The rest of what it prints; `None` closes the pipe.
    stdout: Option<std::io::Lines<std::io::BufReader<std::process::ChildStdout>>>,
}

impl MockProcess {
    fn spawn(extra: &[&std::ffi::OsStr]) -> Self {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_k2check"))
            .args(["mock", "--port", "0"])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first = stdout.next().unwrap().unwrap();
        assert!(
            first.starts_with("k2check mock K2 environment on http://127.0.0.1:"),
            "{first}"
        );
        let url = first.rsplit(' ').next().unwrap().to_owned();
        MockProcess {
            child,
            url,
            stdout: Some(stdout),
        }
    }

    /// Sends a signal (`INT` is Ctrl-C) and waits for it to end.
    fn interrupt(self, signal: &str) -> std::process::Output {
        let pid = self.child.id().to_string();
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap();
        assert!(status.success());
        self.child.wait_with_output().unwrap()
    }

    /// Stops it and returns what it wrote on stderr.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let out = self.child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

#[test]
fn the_mock_command_prints_its_url_and_credentials() {
    let mut mock = MockProcess::spawn(&[]);
    let text: Vec<String> = mock.stdout.take().unwrap().take(15).map(|l| l.unwrap()).collect();
    mock.stop();
    let text = text.join("\n");
    assert!(
        text.contains("idt.cc.k2check-mock") && text.contains("k2check-mock-secret") && text.contains("K2pass!"),
        "{text}"
    );
}

#[test]
fn the_mock_keeps_serving_when_its_output_reader_goes_away() {
    let mut mock = MockProcess::spawn(&[]);
    mock.stdout = None;
    std::thread::sleep(Duration::from_millis(300));
    let alive = mock.child.try_wait().unwrap().is_none();
    let answer = std::net::TcpStream::connect(mock.url.trim_start_matches("http://")).is_ok();
    let stderr = mock.stop();
    assert!(alive && answer, "the mock died: {stderr}");
}

#[test]
fn the_mock_stops_cleanly_on_ctrl_c_and_docker_stop() {
    // Sent as soon as the banner is read: the handler is in place before it is printed.
    for signal in ["INT", "TERM", "HUP"] {
        let out = MockProcess::spawn(&[]).interrupt(signal);
        assert_eq!(out.status.code(), Some(0), "{signal}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("mock stopped"),
            "{signal}"
        );
    }
}

#[test]
fn the_mock_command_takes_its_tenant_from_a_data_file_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tenant.yaml");
    std::fs::write(&data, "employee_records: 3\nsmartbox_records: 5\nrecord_limit: 2\n").unwrap();
    let mock = MockProcess::spawn(&["--data".as_ref(), data.as_os_str()]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body: Value = runtime.block_on(async {
        k2check::install_crypto_provider();
        reqwest::Client::new()
            .get(format!("{}/api/odatav4/v4/EmployeeSample?$count=true", mock.url))
            .basic_auth("DENALLIX\\administrator", Some("K2pass!"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    mock.stop();
    assert_eq!(body["@odata.count"], 3);
    assert_eq!(
        body["value"].as_array().unwrap().len(),
        2,
        "the record limit from the file"
    );
    assert!(body["@odata.nextLink"].is_string());

    std::fs::write(&data, "employees: 3\n").unwrap();
    let bad = mock_refusing(&data);
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("unknown field `employees`"), "{stderr}");
}

#[tokio::test]
async fn head_is_get_without_the_body() {
    let mock = Mock::start().await;
    let token = mock.token("https://api.k2.com/").await;
    let (status, body, headers) = mock.call("GET", "/api/workflow/v1/workflows", &token, None).await;
    assert_eq!(status, 200);
    let length = serde_json::to_vec(&body).unwrap().len();
    let (status, body, head_headers) = mock.call("HEAD", "/api/workflow/v1/workflows", &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(body, Value::String(String::new()), "no body");
    assert_eq!(head_headers.get("content-type"), headers.get("content-type"));
    assert_eq!(
        head_headers.get("content-length").and_then(|v| v.to_str().ok()),
        Some(length.to_string().as_str()),
        "the length GET would have sent"
    );
    let journal = mock.journal().await;
    let methods: Vec<&str> = journal["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["method"].as_str())
        .collect();
    assert!(methods.contains(&"HEAD"), "{methods:?}");
}

#[test]
fn the_mock_prints_the_credentials_of_its_data_and_refuses_counts_it_cannot_hold() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tenant.yaml");
    let hash = {
        use base64::Engine as _;
        use sha2::Digest as _;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(b"another-secret"))
    };
    std::fs::write(
        &data,
        format!("clients:\n  - {{ client_id: idt.cc.mine, secret_hash: \"{hash}\", scopes: [https://api.k2.com/] }}\nusers:\n  - {{ names: [\"ACME\\\\alice\"], password: Alice-pw1 }}\n"),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_k2check"))
        .args(["mock", "--port", "0", "--data"])
        .arg(&data)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut child = out;
    let mut banner = String::new();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    while !banner.contains("Ctrl-C stops it") {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut reader, &mut line).unwrap() == 0 {
            break;
        }
        banner.push_str(&line);
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(banner.contains("client id:      idt.cc.mine"), "{banner}");
    assert!(banner.contains(&format!("the secret whose hash is {hash}")), "{banner}");
    assert!(banner.contains("ACME\\alice, password Alice-pw1"), "{banner}");
    assert!(
        !banner.contains("idt.cc.k2check-mock") && !banner.contains("K2pass!"),
        "{banner}"
    );

    std::fs::write(&data, "employee_records: 900000000\n").unwrap();
    let bad = mock_refusing(&data);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("more than the 1000000 the mock keeps in memory"));
    for (retyped, says) in [
        (
            "Nope.ID: Edm.String",
            "`Nope.ID` is no SmartObject.Property of the mock",
        ),
        (
            "EmployeeSample.Salary: Edm.String",
            "`EmployeeSample.Salary` is no SmartObject.Property",
        ),
        ("EmployeeSample.ID: Edm.Money", "`Edm.Money` is none of Edm.Int32"),
    ] {
        std::fs::write(&data, format!("retyped: {{ {retyped} }}\n")).unwrap();
        let bad = mock_refusing(&data);
        assert_eq!(bad.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&bad.stderr).contains(says),
            "{}",
            String::from_utf8_lossy(&bad.stderr)
        );
    }
}

#[tokio::test]
async fn the_alternative_forms_are_what_the_standards_allow() {
    let data = MockData {
        alternative_forms: true,
        record_limit: 2,
        employee_records: 3,
        ..MockData::default()
    };
    let mock = MockServer::start(MockConfig {
        data,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let url = mock.url();
    let tenant = "7f3c5a2e-0000-4000-8000-00000000c0de";
    let discovery: Value = http
        .get(format!("{url}/{tenant}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token_endpoint = discovery["token_endpoint"].as_str().unwrap().to_owned();
    assert!(token_endpoint.ends_with("/oauth2/v2.0/token"), "{token_endpoint}");
    let old = http.post(format!("{url}/{tenant}/connect/token")).send().await.unwrap();
    assert_eq!(old.status(), 404, "only discovery finds the endpoint");
    let page: Value = http
        .get(format!("{url}/api/odatav4/v4/EmployeeSample"))
        .basic_auth("DENALLIX\\administrator", Some("K2pass!"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let next = page["@odata.nextLink"].as_str().unwrap();
    assert!(next.starts_with("EmployeeSample?"), "relative: {next}");
    let services: Value = http
        .get(format!("{url}/api/odatav4/v4/"))
        .basic_auth("DENALLIX\\administrator", Some("K2pass!"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(services["value"][0].get("kind").is_none(), "{services}");
}

/// `k2check mock --data FILE` with a file it refuses: it ends at once, saying why.
fn mock_refusing(data: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_k2check"))
        .args(["mock", "--port", "0", "--data"])
        .arg(data)
        .output()
        .unwrap()
}
