//! The HTTP layer seen from outside: redirects followed only when asked and never carrying
//! credentials to another origin, and the environment's proxy honoured with `NO_PROXY`.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::server;
use crate::support::{k2check, suite};

/// `k2check.yaml` with a Basic profile whose password is a secret, for the redirect tests.
const SUITE_WITH_BASIC: &str = "environments:\n  test:\n    vars: { api: \"{{ env.TEST_URL }}\", other: \"{{ env.OTHER_URL }}\" }\n    auth:\n      basic: { type: basic, username: alice, password: \"{{ secret.PASSWORD }}\" }\n";

/// The test server under another origin: `localhost` is another host than `127.0.0.1`.
fn other_origin() -> String {
    format!("http://localhost:{}", server::shared().addr.port())
}

fn run_redirects(scenario: &str) -> crate::support::Output {
    let dir = suite(&[("k2check.yaml", SUITE_WITH_BASIC), ("r.yaml", scenario)]);
    let url = server::shared().url();
    let other = other_origin();
    k2check(
        dir.path(),
        &["run".into(), ".".into()],
        &[("TEST_URL", &url), ("OTHER_URL", &other), ("PASSWORD", "s3cret-Pa$$")],
    )
}

#[test]
fn a_redirect_on_the_same_origin_keeps_the_credentials() {
    let out = run_redirects(
        "name: same origin\nauth: basic\nsteps:\n  - request: { url: \"{{ api }}/redirect-to?to=/echo\", follow_redirects: true }\n    expect:\n      status: 200\n      json: { $.method: GET, $.headers.authorization: { exists: true } }\n",
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn a_redirect_to_another_origin_drops_every_credential() {
    let scenario = "name: other origin\nauth: basic\nsteps:\n  - request:\n      url: \"{{ api }}/redirect-to?status=307&to={{ other }}/echo\"\n      follow_redirects: true\n      headers: { X-Api-Key: \"{{ secret.PASSWORD }}\", X-Plain: kept }\n    expect:\n      status: 200\n      json:\n        $.headers.authorization: { exists: false }\n        \"$.headers['x-api-key']\": { exists: false }\n        \"$.headers['x-plain']\": kept\n";
    let out = run_redirects(scenario);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn a_redirect_that_would_resend_a_secret_body_elsewhere_is_refused() {
    let scenario = "name: secret body\nsteps:\n  - request:\n      method: POST\n      url: \"{{ api }}/redirect-to?status=308&to={{ other }}/echo\"\n      follow_redirects: true\n      form: { username: alice, password: \"{{ secret.PASSWORD }}\" }\n    expect: { status: 200 }\n";
    let out = run_redirects(scenario);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("the redirect to http://localhost:")
            && out.stdout.contains("was not followed: it leads to another origin"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("s3cret"), "{}", out.stdout);
    // The same body may follow a redirect that stays on its origin.
    let same = scenario.replace("{{ other }}", "{{ api }}");
    let out = run_redirects(&same);
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn redirects_are_not_followed_for_ever() {
    let out = run_redirects(
        "name: loop\nsteps:\n  - request: { url: \"{{ api }}/redirect-loop\", follow_redirects: true }\n",
    );
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("more than 10 redirects"), "{}", out.stdout);
}

/// A forward proxy on 127.0.0.1:0 that answers plain-HTTP requests itself (naming the target
/// it was asked for) and tunnels `CONNECT`; every request line it sees is kept.
pub struct FakeProxy {
    pub url: String,
    pub seen: Arc<Mutex<Vec<String>>>,
}

pub fn fake_proxy() -> FakeProxy {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let addr = server::serve_on_own_thread(move |listener| async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                continue;
            };
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let line = head.lines().next().unwrap_or_default().to_owned();
                log.lock().unwrap().push(head.clone());
                let mut parts = line.split(' ');
                let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
                if method == "CONNECT" {
                    let Ok(mut upstream) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await;
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                } else {
                    let body = serde_json::json!({ "via": "proxy", "target": target }).to_string();
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = client.write_all(answer.as_bytes()).await;
                }
            });
        }
    });
    FakeProxy {
        url: format!("http://127.0.0.1:{}", addr.port()),
        seen,
    }
}

fn run_json(env: &[(&str, &str)], expect: &str) -> crate::support::Output {
    let dir = suite(&[(
        "p.yaml",
        &format!(
            "name: through a proxy\nsteps:\n  - request: {{ url: \"{{{{ api }}}}/json\" }}\n    expect: {expect}\n"
        ),
    )]);
    let url = server::shared().url();
    let mut all = vec![("TEST_URL", url.as_str())];
    all.extend_from_slice(env);
    k2check(dir.path(), &["run".into(), ".".into()], &all)
}

#[test]
fn plain_http_goes_to_the_proxy_in_absolute_form() {
    let proxy = fake_proxy();
    let out = run_json(&[("HTTP_PROXY", &proxy.url)], "{ status: 200, json: { $.via: proxy } }");
    assert_eq!(out.code, 0, "{}", out.stdout);
    let seen = proxy.seen.lock().unwrap();
    let url = server::shared().url();
    assert!(
        seen.iter().any(|h| h.starts_with(&format!("GET {url}/json HTTP/1.1"))),
        "{seen:?}"
    );
}

#[test]
fn no_proxy_covering_the_target_bypasses_the_proxy() {
    let proxy = fake_proxy();
    for no_proxy in ["127.0.0.1", "localhost,127.0.0.0/8", "*"] {
        let out = run_json(
            &[("HTTP_PROXY", &proxy.url), ("NO_PROXY", no_proxy)],
            "{ status: 200, json: { $.count: 3, $.via: { exists: false } } }",
        );
        assert_eq!(out.code, 0, "NO_PROXY={no_proxy}: {}", out.stdout);
    }
    assert!(proxy.seen.lock().unwrap().is_empty());
}

#[test]
fn proxy_credentials_go_in_proxy_authorization() {
    let proxy = fake_proxy();
    let with_user = proxy.url.replace("http://", "http://me:pr0xy-pass@");
    let out = run_json(&[("ALL_PROXY", &with_user)], "{ status: 200 }");
    assert_eq!(out.code, 0, "{}", out.stdout);
    let seen = proxy.seen.lock().unwrap();
    assert!(
        seen.iter()
            .any(|h| h.to_ascii_lowercase().contains("proxy-authorization: basic ")),
        "{seen:?}"
    );
    assert!(!out.stdout.contains("pr0xy-pass"));
}

#[test]
fn a_proxy_that_is_not_http_is_refused_in_words() {
    let out = run_json(&[("HTTP_PROXY", "socks5://127.0.0.1:9")], "{ status: 200 }");
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("could not connect") && out.stdout.contains("is not an http:// proxy"),
        "{}",
        out.stdout
    );
}
