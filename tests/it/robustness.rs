//! No panic on any input: random and truncated bytes as scenario and suite files.

use k2check::plan::{PlanOptions, plan};
use k2check::scenario::load;

use crate::support::suite;

/// A small deterministic generator: the test must fail the same way every time.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const SEED_FILES: &[&str] = &[
    "name: x\nsteps:\n  - request: { url: \"{{ a }}\", method: POST, json: { n: \"{{ n }}\" } }\n    expect: { status: [200, 2xx], json: { \"$.a[?@.b == 1]\": { count: { gte: 1 } } } }\n    capture: { c: { regex: \"(a\", group: 3 } }\n    retry: { interval: 1s, attempts: 2 }\n",
    "defaults: { timeout: 5s, auth: a }\nenvironments:\n  e:\n    vars: { a: \"{{ env.HOME }}\" }\n    auth: { a: { type: client_credentials, issuer: x, client_id: y, client_secret: z } }\n",
    "base: &b { name: n }\nname: *b\nsteps: [<<: *b]\n",
];

#[test]
fn random_and_truncated_files_give_diagnostics_not_panics() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let dir = tempfile::tempdir().unwrap();
    for round in 0..300 {
        let seed = SEED_FILES[round % SEED_FILES.len()].as_bytes();
        let mut bytes: Vec<u8> = match round % 3 {
            0 => seed[..(rng.next() as usize % (seed.len() + 1))].to_vec(),
            1 => (0..(rng.next() % 200)).map(|_| rng.next() as u8).collect(),
            _ => {
                let mut b = seed.to_vec();
                for _ in 0..4 {
                    let i = rng.next() as usize % b.len();
                    b[i] = b"{}[]:-\"'&*!|>%@`\n \t\0\xff"[rng.next() as usize % 20];
                }
                b
            }
        };
        if round % 7 == 0 {
            bytes.extend(std::iter::repeat_n(b'[', 300));
        }
        let suite = if round % 2 == 0 {
            bytes.clone()
        } else {
            SEED_FILES[1].as_bytes().to_vec()
        };
        std::fs::write(dir.path().join("k2check.yaml"), &suite).unwrap();
        std::fs::write(dir.path().join("s.yaml"), &bytes).unwrap();
        let loaded = load(&[dir.path().to_path_buf()]);
        let _ = plan(
            loaded,
            &PlanOptions {
                environment: Some("e".into()),
                ..PlanOptions::default()
            },
        );
    }
}

/// A server that drops the connection, cuts the body short or answers too late: each step
/// is an error that says which, and the run goes on to the next.
#[test]
fn broken_exchanges_are_step_errors_in_words() {
    let scenario = |fault: &str, timeout: &str| {
        format!(
            "name: {fault}\nsteps:\n  - name: {fault}\n    request:\n      url: \"{{{{ api }}}}/api/workflow/v1/workflows\"\n      headers: {{ X-Mock-Fault: \"{fault}\" }}\n      timeout: {timeout}\n"
        )
    };
    let dir = suite(&[
        (
            "k2check.yaml",
            "defaults: { auth: admin }\nenvironments:\n  mock:\n    vars: { api: \"{{ mock.url }}\" }\n    auth:\n      admin: { type: basic, username: \"{{ mock.username }}\", password: \"{{ mock.password }}\" }\n",
        ),
        ("a.yaml", &scenario("drop", "5s")),
        ("b.yaml", &scenario("truncate", "5s")),
        ("c.yaml", &scenario("delay=2s", "200ms")),
    ]);
    let out = crate::support::k2check(dir.path(), &["run".into(), ".".into(), "--mock".into()], &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let error_of = |name: &str| {
        let at = out
            .stdout
            .find(&format!("step `{name}`: "))
            .unwrap_or_else(|| panic!("{}", out.stdout));
        out.stdout[at..].lines().next().unwrap_or_default().to_owned()
    };
    // Dropped before an answer: not sent. Cut short after the headers: sent, not read.
    assert!(
        error_of("drop").contains("the request could not be sent: "),
        "{}",
        error_of("drop")
    );
    assert!(
        error_of("truncate").contains("the response could not be read: "),
        "{}",
        error_of("truncate")
    );
    assert!(
        error_of("delay=2s").ends_with("timed out after 0.2 s"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("3 errors"), "{}", out.stdout);
}

/// A header value a template renders with a line break cannot be sent: a step error that
/// names the header, never a request with a forged header.
#[test]
fn a_rendered_header_value_http_cannot_carry_is_a_step_error() {
    let dir = suite(&[
        (
            "k2check.yaml",
            "environments:\n  test:\n    vars: { api: \"{{ env.TEST_URL }}\", bad: \"a\\nX-Forged: 1\" }\n",
        ),
        (
            "h.yaml",
            "name: rendered header\nsteps:\n  - request:\n      url: \"{{ api }}/echo\"\n      headers: { X-Bad: \"{{ bad }}\" }\n",
        ),
    ]);
    let url = crate::server::shared().url();
    let out = crate::support::k2check(dir.path(), &["run".into(), ".".into()], &[("TEST_URL", &url)]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("the value of header `x-bad` holds characters HTTP does not allow"),
        "{}",
        out.stdout
    );
}

/// A body larger than k2check reads is a step error, through either client, not all the
/// memory there is.
#[test]
fn a_body_too_large_to_read_is_a_step_error() {
    let over = (k2check::http::MAX_BODY_BYTES >> 20) + 1;
    let big = |follow: bool| {
        format!(
            "name: big {follow}\nsteps:\n  - request: {{ url: \"{{{{ api }}}}/big/{over}\", follow_redirects: {follow} }}\n"
        )
    };
    let dir = suite(&[("direct.yaml", &big(false)), ("reqwest.yaml", &big(true))]);
    let url = crate::server::shared().url();
    let out = crate::support::k2check(dir.path(), &["run".into(), ".".into()], &[("TEST_URL", &url)]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let said = out
        .stdout
        .matches("the response body is larger than 64 MiB, the most k2check reads")
        .count();
    assert!(said >= 2, "{}", out.stdout);
    assert!(
        out.stdout.contains("ERROR big false") && out.stdout.contains("ERROR big true"),
        "{}",
        out.stdout
    );
}
