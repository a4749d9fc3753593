//! No panic on any input: broken exchanges, hostile answers (random and truncated files are
//! `plan::tests` in the library).

use crate::support::suite;

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
    let over = (k2check::MAX_BODY_BYTES >> 20) + 1;
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
