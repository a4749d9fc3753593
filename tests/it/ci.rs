//! What a CI keys its test history on: JUnit names that stay put wherever k2check is run from,
//! and a data row's runs told apart.

use crate::server;
use crate::support::{args, k2check};

fn junit_names(junit: &str) -> Vec<String> {
    junit
        .split("<testcase ")
        .skip(1)
        .map(|case| {
            let attr = |name: &str| {
                let start = case.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                case[start..].split('"').next().unwrap().to_owned()
            };
            format!("{} :: {}", attr("classname"), attr("name"))
        })
        .collect()
}

#[test]
fn junit_names_are_relative_to_the_suite_and_each_data_row_has_its_own() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("checks/odata")).unwrap();
    let suite = "environments:\n  test:\n    vars:\n      api: \"{{ env.TEST_URL }}\"\n";
    std::fs::write(dir.path().join("checks/k2check.yaml"), suite).unwrap();
    let rows = "name: rows\nrows:\n  - { who: a }\n  - { who: b }\nsteps:\n  - name: read\n    request: { url: \"{{ api }}/text?{{ who }}\" }\n";
    std::fs::write(dir.path().join("checks/odata/rows.yaml"), rows).unwrap();
    let url = server::shared().url();
    let mut seen = Vec::new();
    for (cwd, path) in [
        (dir.path().to_path_buf(), "checks"),
        (dir.path().join("checks"), "."),
        (dir.path().join("checks/odata"), ".."),
    ] {
        let junit = dir.path().join("junit.xml").display().to_string();
        let out = k2check(&cwd, &args(&["run", path, "--junit", &junit]), &[("TEST_URL", &url)]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        seen.push(junit_names(&std::fs::read_to_string(&junit).unwrap()));
    }
    assert_eq!(
        seen[0],
        ["odata/rows.yaml :: read [row 1]", "odata/rows.yaml :: read [row 2]"]
    );
    assert!(seen.iter().all(|names| names == &seen[0]), "{seen:?}");
}

/// `--retries N` runs a failed scenario again, its `finally:` steps after each try; one that
/// passes on a later try is flaky in the terminal, JUnit and JSON, and counted apart.
#[test]
fn a_scenario_that_passes_on_a_retry_is_flaky_in_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().file_name().unwrap().to_string_lossy().replace('.', "");
    let suite = "environments:\n  test:\n    vars:\n      api: \"{{ env.TEST_URL }}\"\n";
    std::fs::write(dir.path().join("k2check.yaml"), suite).unwrap();
    let scenario = |key: &str| {
        format!(
            "name: wobbly\nsteps:\n  - name: ready\n    request: {{ url: \"{{{{ api }}}}/flaky/{key}/1\" }}\n    expect: {{ status: 200 }}\nfinally:\n  - name: clean up\n    request: {{ url: \"{{{{ api }}}}/flaky/{key}-cleanup/0\" }}\n    expect: {{ json: {{ $.call: 2 }} }}\n"
        )
    };
    let url = server::shared().url();
    std::fs::write(dir.path().join("w.yaml"), scenario(&format!("{key}-once"))).unwrap();
    let once = k2check(dir.path(), &args(&["run", "."]), &[("TEST_URL", &url)]);
    assert_eq!(once.code, 1, "without --retries a failure stands: {}", once.stdout);

    std::fs::write(dir.path().join("w.yaml"), scenario(&format!("{key}-again"))).unwrap();
    let out = k2check(
        dir.path(),
        &args(&["run", ".", "--retries", "2", "--junit", "j.xml", "--json", "r.jsonl"]),
        &[("TEST_URL", &url)],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("FLAKY wobbly")
            && out
                .stdout
                .contains("passed on try 2; try 1 failed at step `ready`: status: expected 200, actual 503"),
        "{}",
        out.stdout
    );
    // The clean-up's second call passed: it ran after the first try too.
    assert!(out.stdout.contains("1 passed (1 flaky)"), "{}", out.stdout);
    let junit = std::fs::read_to_string(dir.path().join("j.xml")).unwrap();
    assert!(
        junit.contains("<property name=\"flaky\" value=\"passed on try 2; try 1 failed at step"),
        "{junit}"
    );
    assert!(junit.contains("<property name=\"tries\" value=\"2\"/>"), "{junit}");
    crate::support::assert_valid_junit(&dir.path().join("j.xml"));
    let json = std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
    let scenario_line = json.lines().find(|l| l.contains("\"type\":\"scenario\"")).unwrap();
    assert!(
        scenario_line.contains("\"tries\":2") && scenario_line.contains("\"flaky\":\"step `ready`"),
        "{scenario_line}"
    );
    assert!(json.lines().last().unwrap().contains("\"flaky\":1"), "{json}");
}
