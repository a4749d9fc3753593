//! Seeing what happened: `--verbose` on the terminal and in the JSON report, and the HTML
//! report; every one masked, every one whole whatever the server sends.

use std::path::Path;

use crate::support::{args, k2check, suite};

const SECRET: &str = "s3cr3t-header-value-42";

/// A passing step with a capture and a secret header, a failing one, and one retried.
fn verbose_suite() -> tempfile::TempDir {
    suite(&[
        (
            "a.yaml",
            "name: a passes\ntags: [one]\nsteps:\n  - name: read json\n    description: the document the tests serve\n    request:\n      url: \"{{ api }}/json\"\n      headers: { x-api-key: \"{{ secret.API_KEY }}\" }\n    expect: { status: 200 }\n    capture: { doc_id: $.id }\n",
        ),
        (
            "b.yaml",
            "name: b fails\nsteps:\n  - name: wrong status\n    description: shows the step's purpose with its failure\n    request: { url: \"{{ api }}/json\" }\n    expect: { status: 201 }\n",
        ),
        (
            "c.yaml",
            // A new counter each run: the server fails it twice, then answers.
            "name: c retries\nsteps:\n  - name: until ready\n    request: { url: \"{{ api }}/flaky/{{ run.id }}/2\" }\n    retry: { until: pass, interval: 10ms, attempts: 5 }\n    expect: { status: 200 }\n",
        ),
    ])
}

fn run(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> crate::support::Output {
    let url = crate::server::shared().url();
    let mut env: Vec<(&str, &str)> = env.to_vec();
    env.push(("TEST_URL", &url));
    env.push(("API_KEY", SECRET));
    k2check(dir, &args(&[&["run", ".", "--jobs", "3"], extra].concat()), &env)
}

#[test]
fn v_shows_each_exchange_masked_in_scenario_order_and_vv_adds_bodies() {
    let dir = verbose_suite();
    let plain = run(dir.path(), &[], &[]);
    assert!(
        !plain.stdout.contains("> GET"),
        "no exchange without -v: {}",
        plain.stdout
    );

    let v = run(dir.path(), &["-v"], &[]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    let out = &v.stdout;
    assert!(out.contains("  ok: read json ("), "{out}");
    assert!(out.contains("    > GET http://127.0.0.1:"), "{out}");
    assert!(out.contains("    > x-api-key: ***"), "{out}");
    assert!(out.contains("    < 200 OK ("), "{out}");
    assert!(out.contains("    < content-type: application/json"), "{out}");
    assert!(
        out.contains("    = doc_id = 7f3c5a2e-0000-4000-8000-00000000c0de"),
        "{out}"
    );
    assert!(out.contains("  FAILED: wrong status ("), "{out}");
    assert!(out.contains("    (shows the step's purpose with its failure)"), "{out}");
    assert!(
        out.contains("  ok: until ready (") && out.contains("3 attempts"),
        "{out}"
    );
    assert!(!out.contains("    <   \"people\""), "bodies only from -vv: {out}");
    assert!(!out.contains(SECRET));
    // Each scenario's block is whole and in file order, whatever ran at once.
    let a = out.find("PASS  a passes").unwrap();
    let b = out.find("FAIL  b fails").unwrap();
    let c = out.find("PASS  c retries").unwrap();
    assert!(a < b && b < c, "{out}");
    assert!(
        out[a..b].contains("read json") && !out[a..b].contains("wrong status"),
        "{out}"
    );
    assert!(
        out[b..c].contains("wrong status") && !out[b..c].contains("until ready"),
        "{out}"
    );

    let vv = run(dir.path(), &["-vv"], &[]);
    assert!(
        vv.stdout.contains("    < {\n") && vv.stdout.contains("    <   \"people\": ["),
        "{}",
        vv.stdout
    );
    let from_env = run(dir.path(), &[], &[("K2CHECK_VERBOSE", "2")]);
    assert!(from_env.stdout.contains("    <   \"people\": ["), "{}", from_env.stdout);
    let cut = run(dir.path(), &["-vv", "--body-limit", "40"], &[]);
    assert!(
        !cut.stdout.contains("    <   \"people\""),
        "cut at 40 characters: {}",
        cut.stdout
    );
    for output in [&v, &vv, &from_env, &cut] {
        assert!(!output.stdout.contains(SECRET) && !output.stderr.contains(SECRET));
    }
}

#[test]
fn the_json_report_carries_each_exchange_under_v() {
    let dir = verbose_suite();
    run(dir.path(), &["-vv", "--json", "r.jsonl"], &[]);
    let text = std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
    assert!(!text.contains(SECRET));
    let steps: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "step")
        .collect();
    let read = steps.iter().find(|s| s["name"] == "read json").unwrap();
    assert!(
        read["request"]["headers"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(["x-api-key", "***"])),
        "{read}"
    );
    assert!(
        read["response"]["headers"].as_array().is_some_and(|h| !h.is_empty()),
        "{read}"
    );
    assert!(read["response"]["time_ms"].is_u64(), "{read}");
    assert!(
        read["response"]["body"].as_str().unwrap().contains("\"people\""),
        "{read}"
    );
    assert_eq!(read["captures"]["doc_id"], "7f3c5a2e-0000-4000-8000-00000000c0de");
    assert_eq!(read["description"], "the document the tests serve");
}

#[test]
fn the_html_report_holds_every_scenario_step_and_failure_and_fetches_nothing() {
    let dir = verbose_suite();
    let out = run(dir.path(), &["--html", "report.html"], &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(!html.contains(SECRET), "the secret is in the HTML report");
    let page = scraper::Html::parse_document(&html);
    assert!(page.errors.is_empty(), "{:?}", page.errors);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    let scenarios: Vec<String> = page
        .select(&select("details.scenario > summary strong"))
        .map(|e| e.text().collect())
        .collect();
    // Failures first, then the rest in file order.
    assert_eq!(scenarios, vec!["b fails", "a passes", "c retries"]);
    let steps: Vec<String> = page
        .select(&select("details.step > summary"))
        .map(|e| e.text().collect())
        .collect();
    for step in ["read json", "wrong status", "until ready"] {
        assert!(steps.iter().any(|s| s.contains(step)), "{step} missing: {steps:?}");
    }
    let failure: String = page.select(&select("table.failures")).flat_map(|e| e.text()).collect();
    assert!(
        failure.contains("status") && failure.contains("201") && failure.contains("200"),
        "{failure}"
    );
    assert!(failure.contains("b.yaml:6:"), "{failure}");
    let bars = page.select(&select(".timeline a.bar")).count();
    assert_eq!(bars, 3, "a bar per scenario");
    let retried: Vec<String> = page
        .select(&select(".timeline a.bar.retried title"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(retried.len(), 1, "the retried scenario is marked: {retried:?}");
    assert!(retried[0].starts_with("c retries"), "{retried:?}");
    assert_eq!(
        page.select(&select("details.scenario.failed[open]")).count(),
        1,
        "failures open"
    );
    // Nothing fetched: no external script, style, image or font.
    for element in page.select(&select("[src], link, [href]")) {
        let target = element
            .value()
            .attr("src")
            .or(element.value().attr("href"))
            .unwrap_or_default();
        assert!(target.starts_with('#'), "an external resource: {target}");
    }
    assert!(
        html.contains("x-api-key") && html.contains("***"),
        "request headers are shown, masked"
    );
}

#[test]
fn the_html_report_stays_well_formed_whatever_the_server_sends() {
    let dir = suite(&[(
        "h.yaml",
        "name: hostile\nsteps:\n  - name: hostile body\n    request: { url: \"{{ api }}/hostile\" }\n    expect: { status: 299 }\n",
    )]);
    let out = run(dir.path(), &["--html", "report.html", "-vv"], &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    let page = scraper::Html::parse_document(&html);
    assert!(page.errors.is_empty(), "{:?}", page.errors);
    assert!(!html.contains("]]>&<\""), "server text is escaped");
    assert!(
        html.contains("&lt;") && html.contains("x-weird"),
        "the response is shown"
    );
}

#[test]
fn reports_go_into_a_folder_made_for_them() {
    // As `k2check init --ci` writes it: `reports/` does not exist in a fresh checkout.
    let dir = verbose_suite();
    let out = run(
        dir.path(),
        &[
            "--junit",
            "reports/junit.xml",
            "--json",
            "reports/run.jsonl",
            "--html",
            "reports/r.html",
        ],
        &[],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    for file in ["junit.xml", "run.jsonl", "r.html"] {
        assert!(dir.path().join("reports").join(file).is_file(), "{file}");
    }
}

#[test]
fn the_timeline_has_as_many_lanes_as_scenarios_ran_at_once() {
    let slow = |n: usize| {
        (
            format!("s{n}.yaml"),
            format!("name: slow {n}\nsteps:\n  - request: {{ url: \"{{{{ api }}}}/slow/150\" }}\n"),
        )
    };
    let files: Vec<(String, String)> = (0..5).map(slow).collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    for jobs in ["1", "2", "5"] {
        let dir = suite(&refs);
        let url = crate::server::shared().url();
        let out = k2check(
            dir.path(),
            &args(&["run", ".", "--jobs", jobs, "--html", "r.html"]),
            &[("TEST_URL", &url)],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
        let page = scraper::Html::parse_document(&html);
        let lanes: std::collections::BTreeSet<String> = page
            .select(&scraper::Selector::parse(".timeline rect").unwrap())
            .filter_map(|r| r.value().attr("y").map(str::to_owned))
            .collect();
        assert_eq!(lanes.len().to_string(), jobs, "--jobs {jobs}: lanes {lanes:?}");
    }
}
