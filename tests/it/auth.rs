//! Client credentials end to end against the mock: one token for a whole run, refresh before
//! expiry, one retry after a 401, clear failures, discovery rules, and no secret in any output.

use std::path::Path;

use k2check::{MockConfig, MockData, MockServer};

use crate::server;
use crate::support::{Output, assert_valid_junit, k2check};

const SUITE: &str = r#"
defaults:
  auth: k2
environments:
  test:
    vars:
      api: "{{ env.MOCK_URL }}"
    auth:
      k2:
        type: client_credentials
        token_url: "{{ env.MOCK_URL }}/7f3c5a2e-0000-4000-8000-00000000c0de/connect/token"
        client_id: idt.cc.k2check-mock
        client_secret: "{{ secret.K2_SECRET }}"
        scope: https://api.k2.com/
      discovered:
        type: client_credentials
        issuer: "{{ env.MOCK_URL }}/7f3c5a2e-0000-4000-8000-00000000c0de"
        client_id: idt.cc.k2check-mock
        client_secret: "{{ secret.K2_SECRET }}"
        scope: https://api.k2.com/
        client_auth: basic
      wrong_issuer:
        type: client_credentials
        issuer: "{{ env.TEST_URL }}/idp/wrong-issuer"
        client_id: x
        client_secret: "{{ secret.K2_SECRET }}"
      html:
        type: client_credentials
        token_url: "{{ env.TEST_URL }}/idp/html/token"
        client_id: x
        client_secret: "{{ secret.K2_SECRET }}"
      consent:
        type: client_credentials
        token_url: "{{ env.TEST_URL }}/idp/consent/token"
        client_id: x
        client_secret: "{{ secret.K2_SECRET }}"
      unreachable:
        type: client_credentials
        token_url: "http://127.0.0.1:1/connect/token"
        client_id: x
        client_secret: "{{ secret.K2_SECRET }}"
      plain_http:
        type: client_credentials
        issuer: "http://login.k2.example/tenant"
        client_id: x
        client_secret: "{{ secret.K2_SECRET }}"
      scim_denied:
        type: client_credentials
        issuer: "{{ env.MOCK_URL }}/7f3c5a2e-0000-4000-8000-00000000c0de"
        client_id: idt.cc.k2check-mock
        client_secret: "{{ secret.K2_SECRET }}"
        scope: https://scim.onk2.com/write
      not_found:
        type: client_credentials
        token_url: "{{ env.TEST_URL }}/idp/nowhere/connect/token"
        client_id: x
        client_secret: "{{ secret.K2_SECRET }}"
      admin:
        type: basic
        username: DENALLIX\administrator
        password: "{{ secret.K2_PASSWORD }}"
"#;

fn scenario(name: &str, steps: &str) -> String {
    format!("name: {name}\nsteps:\n{steps}")
}

const WORKFLOWS: &str = "  - request: { url: \"{{ api }}/api/workflow/v1/workflows\" }\n    expect: { status: 200 }\n";

struct Suite {
    dir: tempfile::TempDir,
}

impl Suite {
    fn new(files: &[(String, String)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("k2check.yaml"), SUITE).unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        Suite { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, mock: &MockServer, secret: &str, extra: &[&str]) -> Output {
        let mut args: Vec<String> = vec!["run".into(), ".".into(), "--env".into(), "test".into()];
        args.extend(extra.iter().map(|s| s.to_string()));
        let url = mock.url();
        k2check(
            self.path(),
            &args,
            &[
                ("MOCK_URL", &url),
                ("TEST_URL", &server::shared().url()),
                ("K2_SECRET", secret),
                ("K2_PASSWORD", "K2pass!"),
            ],
        )
    }
}

async fn start(data: MockData) -> MockServer {
    MockServer::start(MockConfig {
        data,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

fn token_requests(mock: &MockServer) -> usize {
    mock.journal()
        .iter()
        .filter(|e| e.path.ends_with("/connect/token"))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_concurrent_scenarios_share_one_token_request() {
    let mock = start(MockData::default()).await;
    let files: Vec<(String, String)> = (0..200)
        .map(|i| (format!("s{i:03}.yaml"), scenario(&format!("scenario {i}"), WORKFLOWS)))
        .collect();
    let suite = Suite::new(&files);
    let out = tokio::task::block_in_place(|| suite.run(&mock, "k2check-mock-secret", &["--jobs", "64"]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("200 passed"), "{}", out.stdout);
    assert_eq!(token_requests(&mock), 1, "one token request for the whole run");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_short_lived_token_is_refreshed_and_no_step_fails() {
    let mock = start(MockData {
        token_lifetime: 2,
        ..MockData::default()
    })
    .await;
    // Steps of 100 ms against a 2 s token refreshed 0.2 s early: no request can outlive its token.
    let slow = "  - request:\n      url: \"{{ api }}/api/workflow/v1/workflows\"\n      headers: { x-mock-fault: \"delay=100ms\" }\n    expect: { status: 200 }\n";
    let suite = Suite::new(&[("long.yaml".into(), scenario("longer than a token", &slow.repeat(25)))]);
    let out = tokio::task::block_in_place(|| suite.run(&mock, "k2check-mock-secret", &[]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        token_requests(&mock) >= 2,
        "the token was refreshed: {:?}",
        mock.journal()
    );
    assert!(
        mock.journal().iter().all(|e| e.status != 401),
        "no request went out with an expired token"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_token_is_replaced_once_and_the_request_resent() {
    let mock = start(MockData::default()).await;
    let steps = format!(
        "{WORKFLOWS}  - name: the tenant forgets every token\n    auth: none\n    request: {{ method: POST, url: \"{{{{ api }}}}/_mock/reset\" }}\n    expect: {{ status: 204 }}\n{WORKFLOWS}"
    );
    let suite = Suite::new(&[("refresh.yaml".into(), scenario("refresh after 401", &steps))]);
    let report = suite.path().join("r.jsonl");
    let out = tokio::task::block_in_place(|| {
        suite.run(&mock, "k2check-mock-secret", &["--json", &report.display().to_string()])
    });
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let statuses: Vec<u16> = mock.journal().iter().map(|e| e.status).collect();
    // The reset empties the journal too: what is left is the refused call, a new token, the resend.
    assert_eq!(statuses, vec![401, 200, 200], "{:?}", mock.journal());
    let json = std::fs::read_to_string(report).unwrap();
    assert!(json.contains(r#""resends":1"#), "{json}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_secret_fails_every_step_with_the_invalid_client_hint_and_still_reports() {
    let mock = start(MockData::default()).await;
    let files: Vec<(String, String)> = (0..3)
        .map(|i| (format!("s{i}.yaml"), scenario(&format!("scenario {i}"), WORKFLOWS)))
        .collect();
    let suite = Suite::new(&files);
    let junit = suite.path().join("junit.xml");
    let out =
        tokio::task::block_in_place(|| suite.run(&mock, "not-the-secret", &["--junit", &junit.display().to_string()]));
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout.matches("invalid_client").count(),
        3,
        "one cause, one report: said in full once (headline and detail), and once in the recap: {}",
        out.stdout
    );
    assert_eq!(
        out.stdout
            .matches("no token from auth profile `k2` (why: above)")
            .count(),
        2,
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("auth profile `k2`") && out.stdout.contains("/connect/token"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("k2check secret-hash"),
        "the hint names the fix: {}",
        out.stdout
    );
    assert_eq!(
        token_requests(&mock),
        1,
        "a refused client is not asked again by every scenario"
    );
    assert_valid_junit(&junit);
    assert_eq!(std::fs::read_to_string(&junit).unwrap().matches("<error ").count(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_works_with_only_an_issuer_and_refuses_a_foreign_one() {
    let mock = start(MockData::default()).await;
    let step = |auth: &str| {
        format!(
            "  - auth: {auth}\n    request: {{ url: \"{{{{ api }}}}/api/workflow/v1/workflows\" }}\n    expect: {{ status: 200 }}\n"
        )
    };
    let suite = Suite::new(&[
        ("a.yaml".into(), scenario("issuer only", &step("discovered"))),
        ("b.yaml".into(), scenario("foreign issuer", &step("wrong_issuer"))),
        ("c.yaml".into(), scenario("html page", &step("html"))),
        ("d.yaml".into(), scenario("admin consent", &step("consent"))),
        ("e.yaml".into(), scenario("basic", &step("admin"))),
        ("f.yaml".into(), scenario("unreachable", &step("unreachable"))),
        ("g.yaml".into(), scenario("plain http", &step("plain_http"))),
    ]);
    let out = tokio::task::block_in_place(|| suite.run(&mock, "k2check-mock-secret", &[]));
    let text = &out.stdout;
    assert!(text.contains("PASS  issuer only"), "{text}");
    assert!(text.contains("PASS  basic"), "{text}");
    assert!(
        text.contains("names issuer `https://login.example.com/another-tenant`"),
        "{text}"
    );
    assert!(
        text.contains("HTML page, not JSON") && text.contains("token URL is wrong"),
        "{text}"
    );
    assert!(text.contains("AADSTS90094") && text.contains("admin"), "{text}");
    assert!(text.contains("could not connect") && text.contains("proxy"), "{text}");
    assert!(text.contains("http://login.k2.example/tenant is not HTTPS"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_or_token_appears_in_any_output() {
    let mock = start(MockData::default()).await;
    // The first step fails on purpose: the response excerpt then holds a token, and the
    // `finally` steps still run with the profile's token and the Basic password.
    let text = format!(
        "name: try to leak\nsteps:\n  - request:\n      url: \"{{{{ api }}}}/7f3c5a2e-0000-4000-8000-00000000c0de/connect/token\"\n      method: POST\n      form: {{ grant_type: client_credentials, client_id: idt.cc.k2check-mock, client_secret: \"{{{{ secret.K2_SECRET }}}}\" }}\n    auth: none\n    expect: {{ status: 500 }}\nfinally:\n{WORKFLOWS}  - auth: admin\n    request: {{ url: \"{{{{ api }}}}/api/workflow/v1/workflows\" }}\n    expect: {{ status: 599 }}\n"
    );
    let suite = Suite::new(&[("leak.yaml".into(), text)]);
    let (junit, json) = (suite.path().join("j.xml"), suite.path().join("r.jsonl"));
    let out = tokio::task::block_in_place(|| {
        suite.run(
            &mock,
            "k2check-mock-secret",
            &[
                "--junit",
                &junit.display().to_string(),
                "--json",
                &json.display().to_string(),
            ],
        )
    });
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let dry = tokio::task::block_in_place(|| suite.run(&mock, "k2check-mock-secret", &["--dry-run"]));
    let token_cmd = tokio::task::block_in_place(|| {
        k2check(
            suite.path(),
            &["token".into(), "k2".into(), ".".into(), "--env".into(), "test".into()],
            &[
                ("MOCK_URL", &mock.url()),
                ("TEST_URL", &server::shared().url()),
                ("K2_SECRET", "k2check-mock-secret"),
                ("K2_PASSWORD", "K2pass!"),
            ],
        )
    });
    assert_eq!(token_cmd.code, 0, "{}", token_cmd.stderr);
    assert!(
        token_cmd.stdout.contains("client_id") && token_cmd.stdout.contains("token:      ***"),
        "{}",
        token_cmd.stdout
    );

    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode("DENALLIX\\administrator:K2pass!");
    let mut needles = vec!["k2check-mock-secret".to_owned(), "K2pass!".to_owned(), basic];
    let tokens = mock.issued_tokens();
    assert!(tokens.len() >= 2, "the run and `token` each fetched one");
    needles.extend(tokens);
    let outputs = [
        ("run stdout", out.stdout),
        ("run stderr", out.stderr),
        ("junit", std::fs::read_to_string(&junit).unwrap()),
        ("json", std::fs::read_to_string(&json).unwrap()),
        ("dry-run", dry.stdout + &dry.stderr),
        ("token", token_cmd.stdout + &token_cmd.stderr),
    ];
    for (what, text) in &outputs {
        for needle in &needles {
            assert!(
                !text.contains(needle.as_str()),
                "{what} shows a secret ({needle}):\n{text}"
            );
        }
    }
    assert!(
        outputs[0].1.contains("***"),
        "the run did show masked values:\n{}",
        outputs[0].1
    );
}

#[test]
fn secret_hash_matches_identitymodel_from_argument_and_stdin() {
    let vectors = [
        ("secret", "K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols="),
        (
            "my secret value I am not sharing",
            "MuEzo1R7V3V2XQTZgL+jrXh/zCoOzsfuf72H444YDx0=",
        ),
        ("pässwörd", "RpcL73Cs7YEj8NXQlHF+KlzUEgQeA7JjdgSf5lsoNKQ="),
    ];
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (secret, hash) in vectors {
        let out = k2check(here, &["secret-hash".into(), secret.into()], &[]);
        assert_eq!(out.stdout.trim(), hash);
        let piped = assert_cmd::Command::new(env!("CARGO_BIN_EXE_k2check"))
            .arg("secret-hash")
            .write_stdin(format!("{secret}\n"))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&piped.stdout).trim(), hash);
    }
    let blank = k2check(here, &["secret-hash".into(), "   ".into()], &[]);
    assert_eq!((blank.code, blank.stdout.as_str()), (2, ""));
    assert!(blank.stderr.contains("the secret is empty"), "{}", blank.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn token_failures_say_what_to_do_and_show_no_request_never_sent() {
    let mut data = MockData::default();
    // The client may ask for the API scope only, though the server offers SCIM's too (another
    // client has it).
    let mut other = data.clients[0].clone();
    other.client_id = "idt.cc.other".into();
    data.clients[0].scopes = vec!["https://api.k2.com/".into()];
    data.clients.push(other);
    let mock = start(data).await;
    let files: Vec<(String, String)> = [("a.yaml", "scim_denied"), ("b.yaml", "not_found")]
        .iter()
        .map(|(file, profile)| {
            (
                file.to_string(),
                format!("name: {profile}\nauth: {profile}\nsteps:\n{WORKFLOWS}"),
            )
        })
        .collect();
    let suite = Suite::new(&files);
    let out = tokio::task::block_in_place(|| suite.run(&mock, "k2check-mock-secret", &[]));
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("invalid_scope")
            && out
                .stdout
                .contains("the server offers `https://scim.onk2.com/write`, but this client is not allowed it"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("there is no token endpoint at this URL"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("request:  GET"),
        "no request was sent: {}",
        out.stdout
    );
}

#[test]
fn an_api_key_profile_sends_its_key_in_a_header_or_the_query_and_never_shows_it() {
    let key = "k2check-api-key-0000-secret";
    let suite_file = format!(
        "{}auth:\n  key_h: {{ type: api_key, name: X-API-Key, value: \"{{{{ secret.API_KEY }}}}\" }}\n  key_q: {{ type: api_key, name: api_key, value: \"{{{{ secret.API_KEY }}}}\", in: query }}\n",
        crate::support::TEST_SUITE
    );
    let dir = crate::support::suite(&[
        ("k2check.yaml", suite_file.as_str()),
        (
            "a.yaml",
            "name: keys\nsteps:\n  - name: header\n    auth: key_h\n    request: { url: \"{{ api }}/echo\" }\n    expect:\n      json:\n        \"$.headers['x-api-key']\": \"{{ secret.API_KEY }}\"\n  - name: query\n    auth: key_q\n    request: { url: \"{{ api }}/echo\", query: { a: 1 } }\n    expect:\n      json:\n        $.query: \"a=1&api_key={{ secret.API_KEY }}\"\n        \"$.headers['x-api-key']\": { exists: false }\n",
        ),
    ]);
    let url = crate::server::shared().url();
    let env = [("TEST_URL", url.as_str()), ("API_KEY", key)];
    let run = k2check(dir.path(), &["run".into(), ".".into(), "-v".into()], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("> x-api-key: <auth profile key_h>"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("> ?api_key: <auth profile key_q>"),
        "{}",
        run.stdout
    );
    let dry = k2check(dir.path(), &["run".into(), ".".into(), "--dry-run".into()], &env);
    assert!(
        dry.stdout.contains("x-api-key: <auth profile key_h>") && dry.stdout.contains("?api_key: <auth profile key_q>"),
        "{}",
        dry.stdout
    );
    for out in [&run.stdout, &run.stderr, &dry.stdout] {
        assert!(!out.contains(key), "the key was shown: {out}");
    }
    let bad_suite = format!(
        "{}auth:\n  k: {{ type: api_key, name: X, value: v, in: cookie }}\n",
        crate::support::TEST_SUITE
    );
    let bad = crate::support::suite(&[
        ("k2check.yaml", bad_suite.as_str()),
        ("a.yaml", "name: a\nsteps:\n  - request: { url: \"{{ api }}\" }\n"),
    ]);
    let out = k2check(
        bad.path(),
        &["validate".into(), ".".into()],
        &[("TEST_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("`in` is `header` or `query`"), "{}", out.stderr);
}
