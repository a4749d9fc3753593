//! Each way a step can go wrong has a kind every report names: JUnit `type=`, the JSON
//! report's `kind`, the HTML report's label.

use crate::server;
use crate::support::{args, k2check, suite};

#[test]
fn every_report_tells_a_timeout_from_tls_connect_assertion_capture_and_template() {
    let url = server::shared().url();
    let https = url.replacen("http://", "https://", 1);
    let step = |name: &str, request: &str, rest: &str| {
        format!("name: {name}\nsteps:\n  - name: {name}\n    request: {request}\n{rest}")
    };
    let dir = suite(&[
        (
            "k2check.yaml",
            "environments:\n  test:\n    vars:\n      api: \"{{ env.TEST_URL }}\"\n      tls: \"{{ env.TLS_URL }}\"\n",
        ),
        (
            "a.yaml",
            &step("timeout", "{ url: \"{{ api }}/slow/3000\", timeout: 200ms }", ""),
        ),
        ("b.yaml", &step("tls", "{ url: \"{{ tls }}/json\" }", "")),
        ("c.yaml", &step("connect", "{ url: \"http://127.0.0.1:1/json\" }", "")),
        (
            "d.yaml",
            &step(
                "assertion",
                "{ url: \"{{ api }}/json\" }",
                "    expect: { status: 201 }\n",
            ),
        ),
        (
            "e.yaml",
            &step(
                "capture",
                "{ url: \"{{ api }}/json\" }",
                "    capture: { x: { json: \"$.absent\" } }\n  - name: uses it\n    request: { url: \"{{ api }}/json?{{ x }}\" }\n",
            ),
        ),
        (
            "f.yaml",
            &step("template", "{ url: \"{{ api }}/json?x={{ 1 / 0 }}\" }", ""),
        ),
    ]);
    let out = k2check(
        dir.path(),
        &args(&["run", ".", "--junit", "r.xml", "--json", "r.jsonl", "--html", "r.html"]),
        &[("TEST_URL", &url), ("TLS_URL", &https)],
    );
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let kinds = ["timeout", "tls", "connect", "assertion", "capture", "template"];

    let junit = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    for kind in kinds {
        let element = if matches!(kind, "assertion" | "capture") {
            "failure"
        } else {
            "error"
        };
        let case = junit
            .split("<testcase ")
            .find(|c| c.starts_with(&format!("name=\"{kind}\"")))
            .unwrap_or_else(|| panic!("no test case {kind}: {junit}"));
        assert!(case.contains(&format!("<{element} type=\"{kind}\"")), "{kind}: {case}");
    }

    let json = std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
    for line in json.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        if value["type"] == "step" && value["name"] != "uses it" {
            assert_eq!(value["kind"], value["name"], "{line}");
        }
    }
    let capture = json.lines().find(|l| l.contains(r#""name":"capture""#)).unwrap();
    assert!(capture.contains(r#""failures":[{"kind":"capture""#), "{capture}");

    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    for kind in ["timeout", "tls", "connect", "template"] {
        assert!(html.contains(&format!("<p class=\"kind\">{kind}</p>")), "{kind}");
    }
}
