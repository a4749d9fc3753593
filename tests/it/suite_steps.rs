//! The suite's `setup:` and `teardown:`: set-up runs once first and its captures are every
//! scenario's, read-only; teardown runs once last, after a failure and after a stop too.

use std::time::Duration;

use crate::support::{TEST_SUITE, args, k2check, suite};

fn suite_file(setup_path: &str, teardown_path: &str) -> String {
    format!(
        "{TEST_SUITE}setup:\n  - name: fetch the id once\n    request: {{ url: \"{{{{ api }}}}{setup_path}\" }}\n    expect: {{ status: 200 }}\n    capture: {{ shared_id: $.id }}\n\
         teardown:\n  - name: clean up the id\n    request: {{ url: \"{{{{ api }}}}{teardown_path}\", query: {{ id: \"{{{{ shared_id }}}}\" }} }}\n    expect: {{ status: 200 }}\n"
    )
}

/// A scenario that sends the set-up's capture and checks it came back.
fn reader(name: &str) -> String {
    format!(
        "name: {name}\nsteps:\n  - name: send it\n    request: {{ url: \"{{{{ api }}}}/echo\", query: {{ id: \"{{{{ shared_id }}}}\" }} }}\n    expect:\n      json:\n        $.query: \"id=7f3c5a2e-0000-4000-8000-00000000c0de\"\n"
    )
}

#[test]
fn set_up_captures_reach_every_scenario_and_teardown_runs_last_even_after_a_failure() {
    let failing =
        "name: c fails\nsteps:\n  - request: { url: \"{{ api }}/status/500\" }\n    expect: { status: 200 }\n";
    let dir = suite(&[
        ("k2check.yaml", &suite_file("/json", "/echo")),
        ("a.yaml", &reader("a reads")),
        ("b.yaml", &reader("b reads")),
        ("c.yaml", failing),
    ]);
    let url = crate::server::shared().url();
    let out = k2check(
        dir.path(),
        &args(&["run", ".", "--jobs", "3", "--json", "r.jsonl", "--junit", "r.xml"]),
        &[("TEST_URL", &url)],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("PASS") || l.starts_with("FAIL"))
        .collect();
    assert_eq!(
        lines.first().map(|l| l.starts_with("PASS  suite set-up")),
        Some(true),
        "{lines:?}"
    );
    assert_eq!(
        lines.last().map(|l| l.starts_with("PASS  suite teardown")),
        Some(true),
        "{lines:?}"
    );
    assert!(
        out.stdout.contains("PASS  a reads") && out.stdout.contains("PASS  b reads"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("FAIL  c fails"), "{}", out.stdout);
    // Set-up ran once, before anything else; teardown after everything else ended.
    let json = std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
    let scenarios: Vec<serde_json::Value> = json
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["type"] == "scenario")
        .collect();
    assert_eq!(scenarios.iter().filter(|s| s["name"] == "suite set-up").count(), 1);
    assert_eq!(scenarios.iter().filter(|s| s["name"] == "suite teardown").count(), 1);
    crate::support::assert_valid_junit(&dir.path().join("r.xml"));
}

#[test]
fn a_failed_set_up_skips_the_scenarios_with_that_reason_and_still_tears_down() {
    let dir = suite(&[
        ("k2check.yaml", &suite_file("/status/503", "/echo")),
        ("a.yaml", &reader("a reads")),
    ]);
    let url = crate::server::shared().url();
    let out = k2check(dir.path(), &args(&["run", "."]), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("FAIL  suite set-up"), "{}", out.stdout);
    assert!(out.stdout.contains("SKIP  a reads"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("the suite's set-up did not pass (step `fetch the id once`)"),
        "{}",
        out.stdout
    );
    // The teardown's step needs a capture the set-up never made: skipped, not an error.
    assert!(out.stdout.contains("suite teardown"), "{}", out.stdout);
    assert!(!out.stdout.contains("ERROR suite teardown"), "{}", out.stdout);
}

#[test]
fn scenarios_read_set_up_captures_but_never_set_them() {
    let shadowing = "name: shadows\nvars:\n  shared_id: mine\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n    capture: { shared_id: $.name }\n";
    let dir = suite(&[("k2check.yaml", &suite_file("/json", "/echo")), ("a.yaml", shadowing)]);
    let out = k2check(
        dir.path(),
        &args(&["validate", "."]),
        &[("TEST_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(
        out.stderr.matches("is captured by the suite's set-up").count(),
        2,
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("a.yaml:3:3") && out.stderr.contains("a.yaml:6:16"),
        "{}",
        out.stderr
    );
    // A template naming a capture the set-up does not make is still undefined.
    let typo = reader("typo").replace("shared_id", "shared_ids");
    let dir = suite(&[("k2check.yaml", &suite_file("/json", "/echo")), ("a.yaml", &typo)]);
    let out = k2check(
        dir.path(),
        &args(&["validate", "."]),
        &[("TEST_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("did you mean `shared_id`"), "{}", out.stderr);
}

#[test]
fn teardown_runs_after_a_stop_signal() {
    let slow = "name: slow\nsteps:\n  - request: { url: \"{{ api }}/slow/20000\" }\n";
    let dir = suite(&[("k2check.yaml", &suite_file("/json", "/echo")), ("slow.yaml", slow)]);
    let child = crate::support::spawn_run(dir.path(), &[]);
    std::thread::sleep(Duration::from_millis(1000));
    crate::support::signal(&child, "INT");
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}");
    assert!(stdout.contains("STOP  slow"), "{stdout}");
    assert!(stdout.contains("PASS  suite teardown"), "the teardown ran: {stdout}");
    crate::support::assert_valid_junit(&dir.path().join("r.xml"));
}
