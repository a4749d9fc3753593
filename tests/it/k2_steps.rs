//! K2-aware steps against servers that misbehave on purpose, and the scenario library
//! against the mock.

use std::path::Path;

use crate::server;
use crate::support::{Output, assert_valid_junit, k2check, suite};

fn run(dir: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<String> = vec!["run".into(), ".".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    k2check(dir, &args, &[("TEST_URL", &server::shared().url())])
}

#[test]
fn next_link_loops_and_endless_links_are_stopped() {
    let dir = suite(&[
        (
            "loop.yaml",
            "name: loop\nsteps:\n  - odata: { service: \"{{ api }}/odata/loop\", set: \"1\", pages: all }\n",
        ),
        (
            "endless.yaml",
            "name: endless\nsteps:\n  - odata: { service: \"{{ api }}/odata/endless\", set: \"1\", pages: all, max_pages: 5 }\n",
        ),
        (
            "three.yaml",
            "name: three pages\nsteps:\n  - odata: { service: \"{{ api }}/odata/endless\", set: \"1\", pages: 3 }\n    expect:\n      json:\n        $.value: [1, 2, 3]\n        \"$['@odata.nextLink']\": { exists: true }\n",
        ),
    ]);
    let out = run(dir.path(), &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("/odata/loop/1 came back a second time"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("expected at most 5 pages") && out.stdout.contains("page 5 still links to"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("PASS  three pages"), "{}", out.stdout);
}

#[test]
fn waiting_for_a_task_polls_until_it_appears_and_shows_the_last_list_when_it_never_does() {
    let dir = suite(&[]);
    std::fs::write(
        dir.path().join("k2check.yaml"),
        "environments:\n  test:\n    vars:\n      api: \"{{ env.TEST_URL }}/wf\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a-late.yaml"),
        "name: late task\nsteps:\n  - workflow: { wait_for_task: \"{{ 77 }}\", interval: 50ms, timeout: 10s }\n    expect:\n      json:\n        $.serialNumber: 77_12\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b-never.yaml"),
        "name: never\nsteps:\n  - name: wait for instance 88\n    workflow: { wait_for_task: \"88\", interval: 50ms, timeout: 300ms }\n",
    )
    .unwrap();
    let out = run(dir.path(), &["--jobs", "1"]);
    assert!(out.stdout.contains("PASS  late task"), "{}", out.stdout);
    assert!(out.stdout.contains("FAIL  never"), "{}", out.stdout);
    assert!(out.stdout.contains("expected a task of instance 88"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("the last task list: 5_9 (instance 5), 77_12 (instance 77)"),
        "{}",
        out.stdout
    );
}

#[test]
fn the_scenario_library_passes_on_the_mock_with_a_testcase_per_step() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = tempfile::tempdir().unwrap();
    let junit = out_dir.path().join("r.xml");
    // The mock as K2 answers, and in the other forms the standards allow (relative next
    // links, 204 to PATCH, no `kind`, the token endpoint elsewhere): the library passes both.
    let alternatives = k2check(
        root,
        &["run", "scenarios", "--mock", "--mock-alternatives"].map(String::from),
        &[],
    );
    assert_eq!(alternatives.code, 0, "{}{}", alternatives.stdout, alternatives.stderr);
    let out = k2check(
        root,
        &[
            "run".into(),
            "scenarios".into(),
            "--mock".into(),
            "--junit".into(),
            junit.display().to_string(),
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_valid_junit(&junit);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let testcases = xml.matches("<testcase ").count();
    assert!(testcases >= 60, "{testcases} testcases");
    for folder in ["onboarding", "odata", "workflow", "scim"] {
        assert!(
            xml.contains(&format!("classname=\"{folder}/")),
            "no testcase from {folder}"
        );
    }
    assert!(
        xml.contains("name=\"finally: "),
        "finally steps are their own testcases"
    );
}

#[test]
fn the_cloud_environment_without_its_variables_fails_validation_naming_each() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = k2check(
        root,
        &["run".into(), "scenarios".into(), "--env".into(), "cloud".into()],
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    for var in [
        "K2_HOST",
        "K2_TENANT_ID",
        "K2_CLIENT_ID",
        "K2_CLIENT_SECRET",
        "K2_SCIM_TOKEN",
        "K2_SMARTOBJECT",
        "K2_WORKFLOW",
        "K2_USER",
        "K2_PASSWORD",
    ] {
        assert!(
            out.stderr.contains(&format!("environment variable `{var}` is not set")),
            "{var} not named:\n{}",
            out.stderr
        );
    }
    assert!(out.stderr.contains("nothing was sent"));
    assert!(out.stdout.is_empty(), "nothing ran: {}", out.stdout);
}

#[test]
fn a_fault_on_one_step_fails_only_that_scenario_and_its_finally_still_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root.join("scenarios/k2check.yaml"), dir.path().join("k2check.yaml")).unwrap();
    let crud = std::fs::read_to_string(root.join("scenarios/odata/crud.yaml")).unwrap();
    // The read fails with an injected 500; create succeeded, so clean-up has a record to delete.
    let broken = crud.replacen(
        "  - name: read\n    odata: { set: \"{{ employees }}\", key: \"{{ id }}\" }\n",
        "  - name: read\n    request:\n      url: \"{{ api }}/api/odatav4/v4/{{ employees }}({{ id }})\"\n      headers: { x-mock-fault: \"500\" }\n",
        1,
    );
    assert_ne!(crud, broken, "the crud scenario changed shape; update this test");
    std::fs::write(dir.path().join("crud.yaml"), broken).unwrap();
    std::fs::copy(
        root.join("scenarios/odata/queries.yaml"),
        dir.path().join("queries.yaml"),
    )
    .unwrap();
    let junit = dir.path().join("r.xml");
    let out = k2check(
        dir.path(),
        &[
            "run".into(),
            ".".into(),
            "--mock".into(),
            "--junit".into(),
            junit.display().to_string(),
        ],
        &[],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("FAIL  A record can be created"), "{}", out.stdout);
    assert!(out.stdout.contains("PASS  OData queries"), "{}", out.stdout);
    assert!(
        out.stdout.contains("step `read`: status: expected 200, actual 500"),
        "{}",
        out.stdout
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let finally = xml.split("name=\"finally: clean up if a step failed\"").nth(1).unwrap();
    assert!(
        finally.starts_with(" classname") && !finally[..200].contains("<skipped"),
        "clean-up ran: {xml}"
    );
}

#[test]
fn scim_pages_are_gathered_by_start_index_and_a_page_limit_stops_them() {
    let dir = suite(&[
        (
            "all.yaml",
            "name: every user\nsteps:\n  - scim: { base: \"{{ api }}/scim\", list: Users, pages: all }\n    expect:\n      records: 250\n      json:\n        $.Resources[249].id: u250\n        $.Resources[*].id: { contains: u101 }\n",
        ),
        (
            "limited.yaml",
            "name: too many pages\nsteps:\n  - scim: { base: \"{{ api }}/scim\", list: Users, pages: all, max_pages: 2 }\n",
        ),
    ]);
    let out = run(dir.path(), &[]);
    assert!(out.stdout.contains("PASS  every user"), "{}", out.stdout);
    assert!(
        out.stdout.contains("expected all 250 resources within 2 pages") && out.stdout.contains("200 after 2 pages"),
        "{}",
        out.stdout
    );
}
