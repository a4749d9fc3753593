//! `k2check doctor`: every line passes against the mock; a wrong secret, a wrong tenant, a
//! client without the SCIM scope and an OData API that refuses the client each get the line
//! and the hint that names the cause, and nothing secret is shown.

use k2check::{MockConfig, MockData, MockServer};

use crate::support::{Output, args, k2check};

fn doctor(flags: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    k2check(dir.path(), &args(&[&["doctor"], flags].concat()), env)
}

/// The line of a check: `refused     token https://api.k2.com/ …` and its hint line after it.
fn line(out: &Output, check: &str) -> String {
    let lines: Vec<&str> = out.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(check))
        .unwrap_or_else(|| panic!("no line for {check}: {}", out.stdout));
    let mut text = lines[at].to_owned();
    if let Some(next) = lines.get(at + 1).filter(|l| l.trim_start().starts_with("hint:")) {
        text.push('\n');
        text.push_str(next);
    }
    text
}

#[test]
fn against_the_mock_every_line_passes() {
    let out = doctor(&["--mock", "--scim", "--user", "DENALLIX\\administrator"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("11 of 11 checks passed"), "{}", out.stdout);
    assert!(
        !out.stdout.contains("refused") && !out.stdout.contains("unreachable"),
        "{}",
        out.stdout
    );
    assert!(
        line(&out, "OData v4").contains("2 SmartObjects exposed"),
        "{}",
        out.stdout
    );
    assert!(line(&out, "Workflow REST").contains("2 workflows the client can start"));
    assert!(line(&out, "token https://api.k2.com/").contains("scope https://api.k2.com/"));
    assert!(!out.stdout.contains("k2check-mock-secret") && !out.stdout.contains("K2pass!"));
}

#[test]
fn a_wrong_secret_is_refused_with_the_secret_hash_hint_and_never_shown() {
    let out = doctor(&["--mock"], &[("K2_CLIENT_SECRET", "wrong-secret-xyz")]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let token = line(&out, "token https://api.k2.com/");
    assert!(token.contains("refused") && token.contains("invalid_client"), "{token}");
    assert!(token.contains("k2check secret-hash"), "{token}");
    assert!(
        line(&out, "OData v4").contains("no token for https://api.k2.com/"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("next: fix the first failure first (token"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("wrong-secret-xyz"), "{}", out.stdout);
}

#[test]
fn a_wrong_tenant_is_named_at_discovery() {
    let out = doctor(&["--mock", "--tenant", "00000000-not-a-tenant"], &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let discovery = line(&out, "discovery document");
    assert!(
        discovery.contains("refused") && discovery.contains("answered 404"),
        "{discovery}"
    );
    assert!(discovery.contains("check the tenant id"), "{discovery}");
    assert!(line(&out, "token https://api.k2.com/").contains("not checked"));
}

#[test]
fn an_unreachable_host_stops_its_branch_and_the_apis_are_not_checked() {
    let out = doctor(
        &["--api-url", "http://127.0.0.1:1", "--client-id", "c", "--json"],
        &[("K2_CLIENT_SECRET", "s"), ("K2_TOKEN_URL", "http://127.0.0.1:1/token")],
    );
    assert_eq!(out.code, 1, "{}", out.stdout);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let verdict = |check: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == check)
            .map(|c| c["verdict"].as_str().unwrap().to_owned())
    };
    assert_eq!(verdict("TCP connection").as_deref(), Some("unreachable"));
    assert_eq!(verdict("HTTP"), None, "the branch stops at its first failure");
    assert_eq!(verdict("https://api.k2.com/").as_deref(), Some("unreachable"));
    assert_eq!(verdict("OData v4").as_deref(), Some("not checked"));
}

async fn mock_with(data: MockData) -> MockServer {
    MockServer::start(MockConfig {
        data,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

/// Doctor against an in-process mock, as a tenant of its own: every setting from `K2_*`.
fn doctor_at(mock: &MockServer, flags: &[&str]) -> Output {
    let vars = mock.template_vars();
    let s = |k: &str| vars[k].as_str().unwrap().to_owned();
    let (url, issuer, scim) = (s("url"), s("issuer"), s("scim_url"));
    let (client, secret) = (s("client_id"), s("client_secret"));
    doctor(
        &[&["--api-url", url.as_str()], flags].concat(),
        &[
            ("K2_ISSUER", &issuer),
            ("K2_CLIENT_ID", &client),
            ("K2_CLIENT_SECRET", &secret),
            ("K2_SCIM_URL", &scim),
        ],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_without_the_scim_scope_is_told_to_have_it_granted() {
    let mut data = MockData::default();
    data.clients[0].scopes = vec!["https://api.k2.com/".into()];
    let mock = mock_with(data).await;
    let out = doctor_at(&mock, &["--scim"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let scim = line(&out, "token https://scim.onk2.com/write");
    assert!(scim.contains("refused") && scim.contains("invalid_scope"), "{scim}");
    // The server offers no SCIM scope to this client: the hint says what it does offer.
    assert!(
        scim.contains("hint: the discovery document offers these scopes: https://api.k2.com/"),
        "{scim}"
    );
    assert!(line(&out, "api   SCIM").contains("no token for https://scim.onk2.com/write"));
    assert!(line(&out, "OData v4").starts_with("  ok"), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_odata_api_that_refuses_the_client_names_the_app_registration() {
    let data = MockData {
        refused_apis: vec!["odata".into()],
        ..MockData::default()
    };
    let mock = mock_with(data).await;
    let out = doctor_at(&mock, &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let odata = line(&out, "OData v4");
    assert!(odata.contains("refused") && odata.contains("answered 403"), "{odata}");
    assert!(odata.contains("app registration lacks this API"), "{odata}");
    assert!(line(&out, "Workflow REST").starts_with("  ok"), "{}", out.stdout);
    assert!(line(&out, "token https://api.k2.com/").starts_with("  ok"));
}

#[test]
fn init_discover_against_the_mock_writes_a_read_only_suite_that_passes() {
    let dir = tempfile::tempdir().unwrap();
    let init = k2check(dir.path(), &args(&["init", "d", "--discover", "--mock", "--scim"]), &[]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let written = crate::support::files_below(&dir.path().join("d/discovered"));
    let (snapshots, scenarios): (Vec<_>, Vec<_>) =
        written.iter().partition(|p| p.extension().is_some_and(|e| e == "json"));
    assert_eq!(scenarios.len(), 5, "2 SmartObjects, 2 workflows, SCIM: {written:?}");
    assert_eq!(
        snapshots.len(),
        6,
        "a surface per SmartObject, a start schema per workflow, SCIM's schemas and resource types: {written:?}"
    );
    let types = dir
        .path()
        .join("d/discovered/scim/__snapshots__/mock/users.yaml/ResourceTypes.json");
    let types = std::fs::read_to_string(types).unwrap();
    assert!(
        types.contains("\"location\": \"[location]\""),
        "the suite's redactions applied: {types}"
    );
    let surface = dir
        .path()
        .join("d/discovered/odata/__snapshots__/mock/employeesample.yaml/its surface.json");
    let surface: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(surface).unwrap()).unwrap();
    assert_eq!(
        surface["EmployeeSample"]["properties"]["Salary"],
        serde_json::Value::Null
    );
    assert_eq!(surface["EmployeeSample"]["properties"]["ID"]["type"], "Edm.Int32");
    let suite = std::fs::read_to_string(dir.path().join("d/k2check.yaml")).unwrap();
    assert!(suite.contains("  writes: false"), "{suite}");
    let employees = std::fs::read_to_string(dir.path().join("d/discovered/odata/employeesample.yaml")).unwrap();
    assert!(
        employees.contains("properties: [ID, FirstName, LastName, HireDate, DepartmentCode, Joblevel]"),
        "{employees}"
    );
    let run = k2check(dir.path(), &args(&["run", "d", "--mock", "--tag", "discovered"]), &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("5 passed"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("note:"),
        "the snapshots were there from the start: {}",
        run.stdout
    );
    let max = k2check(
        dir.path(),
        &args(&["init", "one", "--discover", "--mock", "--max", "1"]),
        &[],
    );
    assert_eq!(max.code, 0, "{}", max.stderr);
    assert_eq!(
        crate::support::files_below(&dir.path().join("one/discovered")).len(),
        4,
        "a SmartObject and a workflow, each with its snapshot"
    );
}

/// Another OData v4 service (CSDL with namespace prefixes, a singleton in its service
/// document): the suite it yields checks that service's `$metadata`, and passes.
#[tokio::test(flavor = "multi_thread")]
async fn init_discover_reads_an_odata_service_that_is_not_the_mock() {
    let idp = mock_with(MockData::default()).await;
    let vars = idp.template_vars();
    let s = |k: &str| vars[k].as_str().unwrap().to_owned();
    let api = format!("{}/fixture", crate::server::shared().url());
    let env = [
        ("K2_ISSUER", s("issuer")),
        ("K2_CLIENT_ID", s("client_id")),
        ("K2_CLIENT_SECRET", s("client_secret")),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let dir = tempfile::tempdir().unwrap();
    let init = k2check(dir.path(), &args(&["init", "d", "--discover", "--api-url", &api]), &env);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let written = crate::support::files_below(&dir.path().join("d/discovered"));
    assert_eq!(
        written.len(),
        2,
        "one entity set and its surface, no singleton, no workflows: {written:?}"
    );
    let products = std::fs::read_to_string(dir.path().join("d/discovered/odata/products.yaml")).unwrap();
    assert!(products.contains("properties: [Sku, Price]"), "{products}");
    assert!(
        dir.path()
            .join("d/discovered/odata/__snapshots__/cloud/products.yaml/its surface.json")
            .is_file()
    );
    let run = k2check(dir.path(), &args(&["run", "d", "--env", "cloud"]), &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("1 passed"), "{}", run.stdout);
    // The service changes: the suite written by discovery names the drift in K2 words.
    let suite = std::fs::read_to_string(dir.path().join("d/k2check.yaml")).unwrap();
    let drifted = format!("{}/drifted", crate::server::shared().url());
    std::fs::write(dir.path().join("d/k2check.yaml"), suite.replace(&api, &drifted)).unwrap();
    let run = k2check(dir.path(), &args(&["run", "d", "--env", "cloud"]), &env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("SmartObject Products: property Price: Edm.Decimal → Edm.String"),
        "{}",
        run.stdout
    );
}

#[test]
fn init_discover_with_a_wrong_secret_writes_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = k2check(
        dir.path(),
        &args(&["init", "d", "--discover", "--mock"]),
        &[("K2_CLIENT_SECRET", "wrong-secret-xyz")],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("nothing could be discovered; nothing was written")
            && out.stderr.contains("invalid_client"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("wrong-secret-xyz"), "{}", out.stderr);
    assert!(!dir.path().join("d").exists());
}

/// Without K2_CLIENT_SECRET and with no terminal to ask on, doctor says what to set (exit 2)
/// and sends nothing.
#[test]
fn without_a_secret_doctor_says_what_to_set() {
    let out = doctor(&["--host", "acme.onk2.com", "--tenant", "t", "--client-id", "c"], &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("set K2_CLIENT_SECRET"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "nothing checked: {}", out.stdout);
}
