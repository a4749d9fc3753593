//! HTTPS: the test server's certificate is signed by a test CA (tests/fixtures/tls), so a
//! run trusts it only through `ca_file` or `insecure`; HTTP/2 and client certificates work,
//! and a proxy in the environment is honoured.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::server;
use crate::support::{TEST_SUITE, k2check, suite};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

/// How the test server speaks TLS.
#[derive(Clone, Copy, PartialEq)]
enum Serve {
    Http1,
    /// Only HTTP/2 (by ALPN), as many cloud front ends prefer.
    Http2,
    /// HTTP/1.1 to clients with a certificate from the test CA, and to no other.
    ClientCertificates,
}

/// The test server's routes over TLS, on 127.0.0.1:0; its URL names `localhost`.
fn https_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| serve_tls(Serve::Http1))
}

fn https_h2_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| serve_tls(Serve::Http2))
}

fn https_mtls_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| serve_tls(Serve::ClientCertificates))
}

fn serve_tls(serve: Serve) -> String {
    let h2 = serve == Serve::Http2;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(fixture("cert.pem"))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(fixture("key.pem")).unwrap();
    let builder = rustls::ServerConfig::builder();
    let builder = if serve == Serve::ClientCertificates {
        let mut roots = rustls::RootCertStore::empty();
        for ca in CertificateDer::pem_file_iter(fixture("ca.pem")).unwrap() {
            roots.add(ca.unwrap()).unwrap();
        }
        let verifier = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots))
            .build()
            .unwrap();
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let mut config = builder.with_single_cert(certs, key).unwrap();
    if h2 {
        config.alpn_protocols = vec![b"h2".to_vec()];
    }
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let addr = server::serve_on_own_thread(move |listener| async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: no answer.
                let Ok(tls) = acceptor.accept(tcp).await else { return };
                let service = TowerToHyperService::new(server::app());
                let io = TokioIo::new(tls);
                let _ = if h2 {
                    hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                        .serve_connection(io, service)
                        .await
                } else {
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, service)
                        .await
                };
            });
        }
    });
    format!("https://localhost:{}", addr.port())
}

/// Runs one GET of `/json` over HTTPS with these `tls:` settings and environment.
fn run(tls: &str, env: &[(&str, &str)]) -> crate::support::Output {
    run_against(https_url(), tls, env)
}

fn run_against(url: &str, tls: &str, env: &[(&str, &str)]) -> crate::support::Output {
    let dir = suite(&[
        ("k2check.yaml", &format!("{tls}{TEST_SUITE}")),
        (
            "get.yaml",
            "name: over https\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n    expect: { status: 200, json: { $.count: 3 } }\n",
        ),
    ]);
    let mut all = vec![("TEST_URL", url)];
    all.extend_from_slice(env);
    k2check(dir.path(), &["run".into(), ".".into()], &all)
}

#[test]
fn a_certificate_from_an_unknown_ca_is_refused() {
    let out = run("", &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("the TLS handshake failed: invalid peer certificate"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("name the CA in `tls.ca_file`"), "{}", out.stdout);
}

#[test]
fn the_ca_file_makes_the_certificate_trusted() {
    let ca = fixture("ca.pem");
    let out = run(&format!("tls:\n  ca_file: {}\n", ca.display()), &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("PASS  over https"), "{}", out.stdout);
}

#[test]
fn a_server_that_speaks_only_http2_is_answered_in_http2() {
    let ca = fixture("ca.pem");
    let out = run_against(https_h2_url(), &format!("tls:\n  ca_file: {}\n", ca.display()), &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn a_client_certificate_is_presented_when_the_server_asks() {
    let ca = fixture("ca.pem");
    let trusted = format!("tls:\n  ca_file: {}\n", ca.display());
    let without = run_against(https_mtls_url(), &trusted, &[]);
    assert_eq!(without.code, 1, "{}", without.stdout);
    assert!(without.stdout.contains("ERROR over https"), "{}", without.stdout);
    let with = format!(
        "{trusted}  client_cert: {}\n  client_key: {}\n",
        fixture("client.pem").display(),
        fixture("client-key.pem").display()
    );
    let out = run_against(https_mtls_url(), &with, &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // Certificate and key in one file, without client_key.
    let both = tempfile::NamedTempFile::new().unwrap();
    let pem = std::fs::read_to_string(fixture("client.pem")).unwrap()
        + &std::fs::read_to_string(fixture("client-key.pem")).unwrap();
    std::fs::write(both.path(), pem).unwrap();
    let one_file = format!("{trusted}  client_cert: {}\n", both.path().display());
    let out = run_against(https_mtls_url(), &one_file, &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn insecure_accepts_any_certificate() {
    let out = run("tls:\n  insecure: true\n", &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn a_proxy_in_the_environment_carries_the_requests() {
    // Nothing listens on port 9: through the proxy, the request cannot be made.
    let ca = fixture("ca.pem");
    let tls = format!("tls:\n  ca_file: {}\n", ca.display());
    for variable in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"] {
        let out = run(&tls, &[(variable, "http://127.0.0.1:9")]);
        assert_eq!(out.code, 1, "{variable}: {}", out.stdout);
        assert!(out.stdout.contains("could not connect"), "{variable}: {}", out.stdout);
    }
}

#[test]
fn tls_files_that_cannot_be_used_stop_the_run_before_anything_is_sent() {
    let not_a_key = fixture("ca.pem");
    for (tls, expected) in [
        ("tls:\n  ca_file: missing.pem\n".to_owned(), "cannot read "),
        (
            format!(
                "tls:\n  client_cert: {}\n  client_key: {}\n",
                fixture("client.pem").display(),
                not_a_key.display()
            ),
            "fixtures/tls/",
        ),
    ] {
        // The same words with and without a proxy in the environment.
        for env in [&[][..], &[("HTTPS_PROXY", "http://127.0.0.1:9")][..]] {
            let out = run(&tls, env);
            assert_eq!(out.code, 2, "{tls} {env:?}: {}{}", out.stdout, out.stderr);
            assert!(
                out.stderr.starts_with("error: ") && out.stderr.contains(expected),
                "{tls} {env:?}: {}",
                out.stderr
            );
            assert!(
                !out.stdout.contains("PASS") && !out.stdout.contains("ERROR"),
                "{}",
                out.stdout
            );
        }
    }
}

/// A run whose profile gets its token over HTTPS from the test server, found by `how`
/// (`issuer: …` or `token_url: …`), with these `tls:` settings.
fn run_with_token_over_https(tls: &str, how: &str) -> crate::support::Output {
    let suite_file = format!(
        "{tls}environments:\n  test:\n    vars: {{ api: \"{{{{ env.TEST_URL }}}}\" }}\n    auth:\n      k2:\n        type: client_credentials\n        {how}\n        client_id: c\n        client_secret: \"{{{{ secret.SECRET }}}}\"\n        scope: api\n"
    );
    let dir = suite(&[
        ("k2check.yaml", &suite_file),
        (
            "get.yaml",
            "name: with a token\nauth: k2\nsteps:\n  - request: { url: \"{{ api }}/echo\" }\n    expect: { status: 200, json: { $.headers.authorization: \"Bearer test-token-1a2b3c\" } }\n",
        ),
    ]);
    let url = https_url();
    k2check(
        dir.path(),
        &["run".into(), ".".into()],
        &[("TEST_URL", url), ("SECRET", "the-client-secret")],
    )
}

#[test]
fn a_token_endpoint_and_discovery_behind_a_private_ca_are_trusted_through_ca_file() {
    let ca = format!("tls:\n  ca_file: {}\n", fixture("ca.pem").display());
    let url = https_url();
    for how in [
        format!("issuer: {url}/idp/ok/https"),
        format!("token_url: {url}/idp/ok/https/connect/token"),
    ] {
        let out = run_with_token_over_https(&ca, &how);
        assert_eq!(out.code, 0, "{how}: {}{}", out.stdout, out.stderr);
        let out = run_with_token_over_https("", &how);
        assert_eq!(out.code, 1, "{how}: {}", out.stdout);
        assert!(
            out.stdout
                .contains("the TLS handshake failed: invalid peer certificate")
                && out.stdout.contains("name the CA in `tls.ca_file`"),
            "{how}: {}",
            out.stdout
        );
    }
}

#[test]
fn https_goes_through_a_proxy_tunnel_with_tls_end_to_end() {
    let proxy = crate::http::fake_proxy();
    let ca = format!("tls:\n  ca_file: {}\n", fixture("ca.pem").display());
    let out = run(&ca, &[("HTTPS_PROXY", &proxy.url)]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let port = https_url().rsplit(':').next().unwrap_or_default().to_owned();
    let seen = proxy.seen.lock().unwrap();
    assert!(
        seen.iter()
            .any(|h| h.starts_with(&format!("CONNECT localhost:{port} HTTP/1.1"))),
        "{seen:?}"
    );
}
