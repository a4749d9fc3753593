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

fn without_times(xml: &str) -> String {
    regex::Regex::new(r#"time="[0-9.]+""#)
        .unwrap()
        .replace_all(xml, "time=\"T\"")
        .into_owned()
}

/// The library run as three parts under each CI's own variables, merged: the same JUnit as one
/// run of it all, apart from the times; a valid report of the report schema; and a part
/// missing, or given twice, is exit 2 with nothing written.
#[test]
fn three_parts_under_each_ci_merge_into_the_report_of_one_run() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let library = root.display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let whole = k2check(
        dir.path(),
        &args(&["run", &library, "--mock", "--junit", &path("all.xml")]),
        &[],
    );
    assert_eq!(whole.code, 0, "{}", whole.stderr);
    let expected = without_times(&std::fs::read_to_string(dir.path().join("all.xml")).unwrap());
    let cis: [(&str, &str, u32); 3] = [
        ("CI_NODE_INDEX", "CI_NODE_TOTAL", 1),
        ("SYSTEM_JOBPOSITIONINPHASE", "SYSTEM_TOTALJOBSINPHASE", 1),
        ("CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0),
    ];
    for (index_var, total_var, base) in cis {
        let mut parts = Vec::new();
        for part in 0..3u32 {
            let report = path(&format!("{index_var}-{part}.jsonl"));
            let index = (part + base).to_string();
            let env = [(index_var, index.as_str()), (total_var, "3")];
            let run = k2check(
                dir.path(),
                &args(&["run", &library, "--mock", "--shard", "auto", "--json", &report]),
                &env,
            );
            assert_eq!(run.code, 0, "{}", run.stderr);
            parts.push(report);
        }
        let merged_xml = path(&format!("{index_var}.xml"));
        let merged_json = path(&format!("{index_var}-merged.jsonl"));
        let merged_html = path(&format!("{index_var}.html"));
        let mut merge = vec!["merge"];
        merge.extend(parts.iter().map(String::as_str));
        merge.extend(["--junit", &merged_xml, "--json", &merged_json, "--html", &merged_html]);
        let out = k2check(dir.path(), &args(&merge), &[]);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        assert!(out.stdout.contains("25 scenarios: 25 passed"), "{}", out.stdout);
        let xml = std::fs::read_to_string(&merged_xml).unwrap();
        assert_eq!(without_times(&xml), expected, "{index_var}");
        crate::support::assert_valid_junit(std::path::Path::new(&merged_xml));
        crate::support::assert_valid_report(std::path::Path::new(&merged_json));
        // The timeline draws each part's scenarios in a group of lanes of its own.
        let html = std::fs::read_to_string(&merged_html).unwrap();
        for shard in ["shard 1/3", "shard 2/3", "shard 3/3"] {
            assert!(html.contains(&format!(">{shard}</text>")), "{shard}");
        }
        assert_eq!(html.matches("<a href=\"#s").count(), 25, "a bar per scenario");

        let missing = k2check(
            dir.path(),
            &args(&["merge", &parts[0], &parts[2], "--junit", &path("no.xml")]),
            &[],
        );
        assert_eq!(missing.code, 2, "{}", missing.stderr);
        assert!(
            missing.stderr.contains("shard 2/3 is missing; nothing was written"),
            "{}",
            missing.stderr
        );
        assert!(!dir.path().join("no.xml").exists());
        let twice = k2check(
            dir.path(),
            &args(&["merge", &parts[0], &parts[1], &parts[1], &parts[2]]),
            &[],
        );
        assert_eq!(twice.code, 2, "{}", twice.stderr);
    }
}

/// A part that failed makes the merged run fail, its failure said where it is.
#[test]
fn a_failure_in_one_part_fails_the_merged_run_and_keeps_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let suite = "environments:\n  test:\n    vars:\n      api: \"{{ env.TEST_URL }}\"\n";
    std::fs::write(dir.path().join("k2check.yaml"), suite).unwrap();
    std::fs::write(
        dir.path().join("a.yaml"),
        "name: fine\nsteps:\n  - request: { url: \"{{ api }}/text\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.yaml"),
        "name: broken\nsteps:\n  - request: { url: \"{{ api }}/status/500\" }\n    expect: { status: 200 }\n",
    )
    .unwrap();
    let url = server::shared().url();
    for i in 1..=2 {
        let report = format!("p{i}.jsonl");
        let run = k2check(
            dir.path(),
            &args(&["run", ".", "--shard", &format!("{i}/2"), "--json", &report]),
            &[("TEST_URL", &url)],
        );
        assert!(run.code <= 1, "{}", run.stderr);
    }
    let out = k2check(
        dir.path(),
        &args(&["merge", "p1.jsonl", "p2.jsonl", "--junit", "m.xml"]),
        &[],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("FAIL  broken") && out.stdout.contains("1 passed, 1 failed"),
        "{}",
        out.stdout
    );
    let xml = std::fs::read_to_string(dir.path().join("m.xml")).unwrap();
    assert!(
        xml.contains("<failure type=\"assertion\"") && xml.contains("b.yaml:4:"),
        "{xml}"
    );
}

/// Reports that are not the parts of one run are refused with why, and nothing is written:
/// one cut short (no run_finished), one of another environment; `--durations` that holds
/// no durations is refused too.
#[test]
fn reports_that_are_not_one_run_are_refused_with_why() {
    let dir = tempfile::tempdir().unwrap();
    let started = |env: &str, shard: &str| {
        format!("{{\"type\":\"run_started\",\"environment\":\"{env}\",\"shard\":\"{shard}\",\"selection\":\"a\"}}\n")
    };
    let finished = "{\"type\":\"run_finished\"}\n";
    std::fs::write(dir.path().join("p1.jsonl"), started("test", "1/2") + finished).unwrap();
    std::fs::write(dir.path().join("cut.jsonl"), started("test", "2/2")).unwrap();
    std::fs::write(dir.path().join("other.jsonl"), started("prod", "2/2") + finished).unwrap();
    for (second, why) in [
        ("cut.jsonl", "cut.jsonl is not a whole report (no run_finished line)"),
        (
            "other.jsonl",
            "are not parts of one run: their environment or selection differ",
        ),
    ] {
        let out = k2check(
            dir.path(),
            &args(&["merge", "p1.jsonl", second, "--junit", "m.xml"]),
            &[],
        );
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(
            out.stderr.contains(why) && out.stderr.contains("nothing was written"),
            "{}",
            out.stderr
        );
        assert!(!dir.path().join("m.xml").exists());
    }
    std::fs::write(
        dir.path().join("k2check.yaml"),
        "environments:\n  test:\n    vars: { api: \"http://127.0.0.1:9\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.yaml"),
        "name: a\nsteps:\n  - request: { url: \"{{ api }}/x\" }\n",
    )
    .unwrap();
    let out = k2check(
        dir.path(),
        &args(&["run", ".", "--shard", "1/2", "--durations", "p1.jsonl"]),
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("holds no scenario durations"), "{}", out.stderr);
}
