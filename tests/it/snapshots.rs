//! Snapshots: the first run leaves the answer for review and fails; `--update-snapshots`
//! stores it; a changed answer fails with its differences by JSONPath in every report;
//! redactions keep volatile values stable across fresh mocks; shape mode ignores values but
//! not types; `$metadata` drift is said in K2 words; `snapshots review` accepts and rejects.

use std::path::{Path, PathBuf};

use crate::support::{args, assert_valid_junit, assert_valid_report, k2check, suite};

/// A suite of the library's environments (`--mock`; its snapshots by environment, without its
/// default redactions) and one scenario `s.yaml`.
fn mock_suite(scenario: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let library =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/k2check.yaml")).unwrap();
    let defaults = "  redact:\n    \"$['@odata.context']\": \"[context]\"\n    \"$..meta.location\": \"[location]\"\n";
    assert!(library.contains(defaults), "the library's default redactions moved");
    std::fs::write(dir.path().join("k2check.yaml"), library.replace(defaults, "")).unwrap();
    std::fs::write(dir.path().join("s.yaml"), scenario).unwrap();
    dir
}

fn snapshot(dir: &Path, name: &str) -> PathBuf {
    dir.join("__snapshots__/s.yaml").join(name)
}

/// Under the library's `snapshots: by_environment`, the mock's own folder.
fn mock_snapshot(dir: &Path, name: &str) -> PathBuf {
    dir.join("__snapshots__/mock/s.yaml").join(name)
}

fn run(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> crate::support::Output {
    let mut list = vec!["run", "."];
    list.extend_from_slice(extra);
    let url = crate::server::shared().url();
    let mut env = env.to_vec();
    env.push(("TEST_URL", &url));
    k2check(dir, &args(&list), &env)
}

const EMPLOYEES: &str = r#"name: employees
steps:
  - name: list
    odata: { set: "{{ employees }}", top: 2 }
    expect:
      status: 200
      snapshot:
        redact: { "$['@odata.context']": "[context]", "$..HireDate": "[date]" }
"#;

#[test]
fn a_first_run_leaves_the_answer_for_review_and_an_update_stores_it() {
    let dir = mock_suite(EMPLOYEES);
    let (stored, pending) = (
        mock_snapshot(dir.path(), "list.json"),
        mock_snapshot(dir.path(), "list.json.new"),
    );
    let first = run(dir.path(), &["--mock"], &[]);
    assert_eq!(first.code, 1, "{}", first.stdout);
    assert!(
        first
            .stdout
            .contains("actual:   none yet; the answer is in __snapshots__/mock/s.yaml/list.json.new"),
        "{}",
        first.stdout
    );
    assert!(first.stdout.contains("k2check snapshots review"), "{}", first.stdout);
    assert!(pending.is_file() && !stored.exists());

    let update = run(dir.path(), &["--mock", "--update-snapshots", "--json", "r.jsonl"], &[]);
    assert_eq!(update.code, 0, "{}", update.stdout);
    assert!(
        update
            .stdout
            .contains("note: list: wrote snapshot __snapshots__/mock/s.yaml/list.json"),
        "{}",
        update.stdout
    );
    let report = std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
    assert!(
        report.contains(r#""notes":["wrote snapshot __snapshots__/mock/s.yaml/list.json"]"#),
        "{report}"
    );
    assert_valid_report(&dir.path().join("r.jsonl"));
    assert!(!pending.exists(), "the pending answer is gone once stored");
    let text = std::fs::read_to_string(&stored).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["@odata.context"], "[context]");
    assert_eq!(value["value"][0]["HireDate"], "[date]");
    assert_eq!(value["value"][0]["FirstName"], "Anna");
    assert!(
        text.starts_with("{\n  \""),
        "pretty JSON, reviewable line by line: {text}"
    );

    // A fresh mock on another port: the redacted context and dates keep the snapshot stable.
    for _ in 0..2 {
        let again = run(dir.path(), &["--mock"], &[]);
        assert_eq!(again.code, 0, "{}", again.stdout);
        assert!(!again.stdout.contains("note:"), "{}", again.stdout);
    }
    // The variable does what the flag does.
    std::fs::remove_file(&stored).unwrap();
    let by_variable = run(dir.path(), &["--mock"], &[("K2CHECK_UPDATE_SNAPSHOTS", "1")]);
    assert_eq!(by_variable.code, 0, "{}", by_variable.stdout);
    assert!(stored.is_file());
}

#[test]
fn without_a_redaction_the_volatile_field_fails_a_fresh_mock() {
    let dir = mock_suite(&EMPLOYEES.replace(r#""$['@odata.context']": "[context]", "#, ""));
    assert_eq!(run(dir.path(), &["--mock", "--update-snapshots"], &[]).code, 0);
    let again = run(dir.path(), &["--mock"], &[]);
    assert_eq!(again.code, 1, "{}", again.stdout);
    assert!(
        again.stdout.contains("$['@odata.context']: \"http://127.0.0.1:"),
        "{}",
        again.stdout
    );
}

#[test]
fn a_changed_field_fails_with_its_path_in_every_report_and_review_decides() {
    let dir = mock_suite(EMPLOYEES);
    let (stored, pending) = (
        mock_snapshot(dir.path(), "list.json"),
        mock_snapshot(dir.path(), "list.json.new"),
    );
    assert_eq!(run(dir.path(), &["--mock", "--update-snapshots"], &[]).code, 0);
    let text = std::fs::read_to_string(&stored).unwrap();
    std::fs::write(&stored, text.replacen("\"Anna\"", "\"Zed\"", 1)).unwrap();

    let reports = ["--junit", "r.xml", "--json", "r.jsonl", "--html", "r.html"];
    let changed = run(dir.path(), &[&["--mock"][..], &reports].concat(), &[]);
    assert_eq!(changed.code, 1, "{}", changed.stdout);
    let line = r#"$.value[0].FirstName: "Zed" → "Anna""#;
    assert!(changed.stdout.contains(&format!("     {line}\n")), "{}", changed.stdout);
    assert!(
        changed.stdout.contains("actual:   1 difference: "),
        "{}",
        changed.stdout
    );
    let junit = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    assert!(junit.contains(r#"type="snapshot""#), "{junit}");
    assert!(
        junit.contains("$.value[0].FirstName: &quot;Zed&quot; → &quot;Anna&quot;"),
        "{junit}"
    );
    assert_valid_junit(&dir.path().join("r.xml"));
    assert_valid_report(&dir.path().join("r.jsonl"));
    let step = std::fs::read_to_string(dir.path().join("r.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["type"] == "step")
        .unwrap();
    let failure = &step["failures"][0];
    assert_eq!(failure["kind"], "snapshot");
    assert_eq!(failure["message"], "snapshot __snapshots__/mock/s.yaml/list.json");
    assert_eq!(
        failure["diff"]["changes"],
        serde_json::json!([{ "path": "$.value[0].FirstName", "stored": "\"Zed\"", "received": "\"Anna\"", "added_type": null }])
    );
    // `merge` reads the differences back as they were.
    let merged = k2check(dir.path(), &args(&["merge", "r.jsonl", "--json", "m.jsonl"]), &[]);
    assert_eq!(merged.code, 1, "{}{}", merged.stdout, merged.stderr);
    let merged = std::fs::read_to_string(dir.path().join("m.jsonl")).unwrap();
    assert!(merged.contains(&failure["diff"].to_string()), "{merged}");
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    let side_by_side = "<tr><td><code>$.value[0].FirstName</code></td><td><code>&quot;Zed&quot;</code></td><td><code>&quot;Anna&quot;</code></td></tr>";
    assert!(html.contains(side_by_side), "{html}");
    assert!(std::fs::read_to_string(&pending).unwrap().contains("\"Anna\""));

    // No terminal and no decision: nothing is touched.
    let undecided = k2check(dir.path(), &args(&["snapshots", "review"]), &[]);
    assert_eq!(undecided.code, 2, "{}", undecided.stderr);
    assert!(
        undecided.stderr.contains("give --accept-all or --reject-all"),
        "{}",
        undecided.stderr
    );
    assert!(pending.is_file());
    // Rejected: the stored snapshot stays, and the next run fails again.
    let rejected = k2check(dir.path(), &args(&["snapshots", "review", "--reject-all"]), &[]);
    assert_eq!(rejected.code, 0, "{}", rejected.stderr);
    assert!(
        rejected.stdout.contains(line),
        "the review shows the diff: {}",
        rejected.stdout
    );
    assert!(
        rejected.stdout.contains("0 accepted, 1 rejected"),
        "{}",
        rejected.stdout
    );
    assert!(!pending.exists() && std::fs::read_to_string(&stored).unwrap().contains("\"Zed\""));
    assert_eq!(run(dir.path(), &["--mock"], &[]).code, 1);
    // Accepted: the answer is the snapshot, and the run passes.
    let accepted = k2check(dir.path(), &args(&["snapshots", "review", ".", "--accept-all"]), &[]);
    assert!(
        accepted.stdout.contains("1 accepted, 0 rejected"),
        "{}",
        accepted.stdout
    );
    assert!(!pending.exists() && std::fs::read_to_string(&stored).unwrap().contains("\"Anna\""));
    assert_eq!(run(dir.path(), &["--mock"], &[]).code, 0);
    let nothing = k2check(dir.path(), &args(&["snapshots", "review"]), &[]);
    assert!(
        nothing.stdout.contains("No snapshot is waiting for review"),
        "{}",
        nothing.stdout
    );
    let nowhere = k2check(dir.path(), &args(&["snapshots", "review", "s.yaml"]), &[]);
    assert_eq!(nowhere.code, 2, "{}", nowhere.stderr);
    assert!(nowhere.stderr.contains("s.yaml: not a folder"), "{}", nowhere.stderr);
    let both = k2check(
        dir.path(),
        &args(&["snapshots", "review", "--accept-all", "--reject-all"]),
        &[],
    );
    assert_eq!(both.code, 2, "{}", both.stderr);
}

#[test]
fn shape_mode_ignores_values_but_catches_a_type_change() {
    let scenario = r#"name: products
steps:
  - name: products
    request: { url: "{{ api }}/{{ env.SERVICE }}/api/odatav4/v4/Products" }
    expect: { snapshot: { shape: true } }
  - name: echo
    request: { url: "{{ api }}/echo?n={{ env.N }}" }
    expect: { snapshot: { name: echoed, shape: true } }
"#;
    let dir = suite(&[("s.yaml", scenario)]);
    let stored = run(
        dir.path(),
        &["--update-snapshots"],
        &[("SERVICE", "fixture"), ("N", "1")],
    );
    assert_eq!(stored.code, 0, "{}", stored.stdout);
    let shape = std::fs::read_to_string(snapshot(dir.path(), "products.json")).unwrap();
    let shape: serde_json::Value = serde_json::from_str(&shape).unwrap();
    assert_eq!(
        shape,
        serde_json::json!({ "value": [{ "Sku": "string", "Price": "number" }] })
    );
    // Other values, one shape.
    let values = run(dir.path(), &[], &[("SERVICE", "fixture"), ("N", "2")]);
    assert_eq!(values.code, 0, "{}", values.stdout);
    // A number now sent as a string, and a new member.
    let drifted = run(dir.path(), &[], &[("SERVICE", "drifted"), ("N", "2")]);
    assert_eq!(drifted.code, 1, "{}", drifted.stdout);
    assert!(
        drifted.stdout.contains("     $.value[*].Price: number → string\n"),
        "{}",
        drifted.stdout
    );
    assert!(
        drifted.stdout.contains("     $.value[*].Bonus: added (number)\n"),
        "{}",
        drifted.stdout
    );
    assert!(
        !drifted.stdout.contains("$.value[*].Sku"),
        "values are not compared: {}",
        drifted.stdout
    );
}

#[test]
fn metadata_drift_is_said_in_k2_words() {
    let scenario = r#"name: surface
steps:
  - name: products surface
    odata: { service: "{{ api }}/{{ env.SERVICE }}/api/odatav4/v4", metadata: snapshot, set: Products }
"#;
    let dir = suite(&[("s.yaml", scenario)]);
    let stored = run(dir.path(), &["--update-snapshots"], &[("SERVICE", "fixture")]);
    assert_eq!(stored.code, 0, "{}", stored.stdout);
    let surface = std::fs::read_to_string(snapshot(dir.path(), "products surface.json")).unwrap();
    let surface: serde_json::Value = serde_json::from_str(&surface).unwrap();
    assert_eq!(surface["Products"]["key"], serde_json::json!(["Sku"]));
    assert_eq!(surface["Products"]["properties"]["Price"]["type"], "Edm.Decimal");
    assert_eq!(run(dir.path(), &[], &[("SERVICE", "fixture")]).code, 0);
    let drifted = run(dir.path(), &[], &[("SERVICE", "drifted")]);
    assert_eq!(drifted.code, 1, "{}", drifted.stdout);
    for line in [
        "     SmartObject Products: property Price: Edm.Decimal → Edm.String\n",
        "     SmartObject Products: property Bonus: added (Edm.Decimal)\n",
    ] {
        assert!(drifted.stdout.contains(line), "{line}{}", drifted.stdout);
    }
    // The review says it in the same words.
    let review = k2check(dir.path(), &args(&["snapshots", "review", "--reject-all"]), &[]);
    assert!(
        review
            .stdout
            .contains("  SmartObject Products: property Price: Edm.Decimal → Edm.String\n"),
        "{}",
        review.stdout
    );
}

#[test]
fn secrets_never_reach_a_snapshot_and_each_row_has_its_own() {
    let scenario = r#"name: echoed
rows: [{ n: 1 }, { n: 2 }]
steps:
  - name: echo
    request: { url: "{{ api }}/echo?n={{ n }}", headers: { X-Key: "{{ secret.KEY }}" } }
    expect: { snapshot: { redact: { "$.headers['user-agent']": "[agent]" } } }
"#;
    let dir = suite(&[("s.yaml", scenario)]);
    let secret = "Sn4p&shot%Secret";
    let stored = run(dir.path(), &["--update-snapshots"], &[("KEY", secret)]);
    assert_eq!(stored.code, 0, "{}{}", stored.stdout, stored.stderr);
    for row in [1, 2] {
        let text = std::fs::read_to_string(snapshot(dir.path(), &format!("echo.row-{row}.json"))).unwrap();
        assert!(text.contains(&format!("\"query\": \"n={row}\"")), "{text}");
        assert!(!text.contains("Sn4p") && text.contains("\"x-key\": \"***\""), "{text}");
    }
    assert_eq!(run(dir.path(), &[], &[("KEY", secret)]).code, 0);
}

#[test]
fn bad_snapshot_settings_are_refused_where_they_are_written() {
    let scenario = r#"name: bad
steps:
  - name: one
    request: { url: "{{ api }}/json" }
    expect: { snapshot: { redact: { "$[": "[x]" } } }
  - name: two
    request: { url: "{{ api }}/json" }
    expect: { snapshot: one }
"#;
    let dir = suite(&[("s.yaml", scenario)]);
    let out = run(dir.path(), &[], &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("invalid JSONPath `$[`"), "{}", out.stderr);
    assert!(out.stderr.contains("s.yaml:5:37"), "{}", out.stderr);
    assert!(
        out.stderr.contains("a second snapshot named `one` in this scenario"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("s.yaml:8:25"), "{}", out.stderr);
    std::fs::write(
        dir.path().join("s.yaml"),
        scenario.replace("snapshot: one", "snapshot: \"../out\""),
    )
    .unwrap();
    let out = run(dir.path(), &[], &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("invalid snapshot name `../out`"), "{}", out.stderr);
    let twice = "name: twice\nsteps:\n  - odata: { metadata: snapshot }\n    expect: { snapshot: true }\n  - workflow: { schema: 5, expect: always }\n";
    std::fs::write(dir.path().join("s.yaml"), twice).unwrap();
    let out = run(dir.path(), &[], &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("this step keeps two snapshots"), "{}", out.stderr);
    assert!(out.stderr.contains("s.yaml:4:25"), "{}", out.stderr);
    assert!(
        out.stderr.contains("a workflow step's `expect` is `snapshot`"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("__snapshots__").exists(), "nothing was written");
}

#[test]
fn a_snapshot_folder_that_is_a_link_is_refused_and_nothing_written_through_it() {
    let dir = suite(&[(
        "s.yaml",
        "name: s\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n    expect: { snapshot: true }\n",
    )]);
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("__snapshots__")).unwrap();
    for flags in [&[][..], &["--update-snapshots"]] {
        let out = run(dir.path(), flags, &[]);
        assert_eq!(out.code, 1, "{}", out.stdout);
        assert!(out.stdout.contains("is a symbolic link"), "{}", out.stdout);
    }
    assert!(std::fs::read_dir(elsewhere.path()).unwrap().next().is_none());
}

/// The library's snapshot scenarios (one per API) hold against the mock, run after run: each
/// run starts a fresh mock on another port, and its redactions keep what changes out.
#[test]
fn the_librarys_snapshot_scenarios_pass_twice_from_a_fresh_mock() {
    let dir = tempfile::tempdir().unwrap();
    let init = k2check(dir.path(), &args(&["init", "lib", "--no-input", "--library"]), &[]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    for _ in 0..2 {
        let out = k2check(dir.path(), &args(&["run", "lib", "--mock", "--tag", "snapshot"]), &[]);
        assert_eq!(out.code, 0, "{}", out.stdout);
        assert!(out.stdout.contains("3 scenarios: 3 passed"), "{}", out.stdout);
        assert!(!out.stdout.contains("note:"), "nothing written: {}", out.stdout);
    }
    let snapshots: Vec<_> = crate::support::files_below(&dir.path().join("lib"))
        .into_iter()
        .filter(|p| p.components().any(|c| c.as_os_str() == "__snapshots__"))
        .collect();
    assert_eq!(snapshots.len(), 6, "{snapshots:?}");
    assert!(
        snapshots.iter().all(|p| p.extension().is_some_and(|e| e == "json")),
        "{snapshots:?}"
    );
    for api in ["odata", "workflow", "scim"] {
        assert!(
            snapshots
                .iter()
                .any(|p| p.starts_with(dir.path().join("lib").join(api))),
            "{api}"
        );
    }
}

/// `pages: all` keeps the records of every page in the one snapshot.
#[test]
fn pages_all_keeps_every_page_in_one_snapshot() {
    let scenario = "name: pages\nsteps:\n  - name: every page\n    odata: { service: \"{{ api }}/odata/relative\", set: \"1\", pages: all }\n    expect: { snapshot: true }\n";
    let dir = suite(&[("s.yaml", scenario)]);
    let out = run(dir.path(), &["--update-snapshots"], &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let text = std::fs::read_to_string(snapshot(dir.path(), "every page.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        value["value"],
        serde_json::json!([{ "ID": 1 }, { "ID": 2 }, { "ID": 3 }]),
        "{text}"
    );
}

/// An answer that is not JSON, or a stored file that is not, fails the step saying so (no
/// panic, nothing stored); `--update-snapshots` replaces a stored file that is not JSON.
#[test]
fn what_is_not_json_is_said_and_a_broken_snapshot_can_be_replaced() {
    let scenario = "name: s\nsteps:\n  - name: text\n    request: { url: \"{{ api }}/text\" }\n    expect: { snapshot: true }\n  - name: json\n    request: { url: \"{{ api }}/json\" }\n    expect: { snapshot: true }\n";
    let dir = suite(&[("s.yaml", scenario)]);
    let out = run(dir.path(), &["--update-snapshots"], &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("the answer is not JSON"), "{}", out.stdout);
    assert!(!snapshot(dir.path(), "text.json").exists());
    std::fs::write(dir.path().join("s.yaml"), scenario.replace("/text", "/json")).unwrap();
    assert_eq!(run(dir.path(), &["--update-snapshots"], &[]).code, 0);
    std::fs::write(snapshot(dir.path(), "json.json"), "{ not json").unwrap();
    let broken = run(dir.path(), &[], &[]);
    assert_eq!(broken.code, 1, "{}", broken.stdout);
    assert!(broken.stdout.contains("json.json: not JSON"), "{}", broken.stdout);
    assert_eq!(run(dir.path(), &["--update-snapshots"], &[]).code, 0);
    assert_eq!(run(dir.path(), &[], &[]).code, 0);
}

/// The mock after a K2 update changed a property's type (`retyped`, a test fixture): the
/// surface snapshot says it in K2 words, the shape snapshot by JSONPath.
#[tokio::test(flavor = "multi_thread")]
async fn the_mock_after_a_k2_update_yields_the_drift_in_k2_words() {
    use k2check::{MockConfig, MockData, MockServer};
    let start = |data: MockData| async move {
        MockServer::start(MockConfig {
            data,
            ..MockConfig::default()
        })
        .await
        .unwrap()
    };
    let before = start(MockData::default()).await;
    let mut updated = MockData::default();
    updated
        .retyped
        .insert("EmployeeSample.Joblevel".into(), "Edm.String".into());
    let after = start(updated).await;
    let suite_file = "environments:\n  test:\n    vars: { api: \"{{ env.API }}\" }\n    auth:\n      k2: { type: client_credentials, issuer: \"{{ env.ISSUER }}\", client_id: \"{{ env.CLIENT }}\", client_secret: \"{{ secret.SECRET }}\", scope: \"https://api.k2.com/\" }\ndefaults: { auth: k2 }\n";
    let surface = "name: surface\nsteps:\n  - name: metadata\n    odata: { metadata: snapshot, set: EmployeeSample }\n";
    let records = "name: records\nsteps:\n  - name: records\n    odata: { set: EmployeeSample, top: 2 }\n    expect: { snapshot: { shape: true } }\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("k2check.yaml"), suite_file).unwrap();
    std::fs::write(dir.path().join("s.yaml"), surface).unwrap();
    std::fs::write(dir.path().join("t.yaml"), records).unwrap();
    let run_against = |mock: &MockServer, extra: &[&str]| {
        let vars = mock.template_vars();
        let s = |k: &str| vars[k].as_str().unwrap().to_owned();
        let env = [
            ("API", s("url")),
            ("ISSUER", s("issuer")),
            ("CLIENT", s("client_id")),
            ("SECRET", s("client_secret")),
        ];
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        k2check(dir.path(), &args(&[&["run", "."][..], extra].concat()), &env)
    };
    let stored = run_against(&before, &["--update-snapshots"]);
    assert_eq!(stored.code, 0, "{}{}", stored.stdout, stored.stderr);
    assert_eq!(run_against(&before, &[]).code, 0);
    let drifted = run_against(&after, &[]);
    assert_eq!(drifted.code, 1, "{}", drifted.stdout);
    assert!(
        drifted
            .stdout
            .contains("     SmartObject EmployeeSample: property Joblevel: Edm.Int32 → Edm.String\n"),
        "{}",
        drifted.stdout
    );
    assert!(
        drifted.stdout.contains("     $.value[*].Joblevel: number → string\n"),
        "{}",
        drifted.stdout
    );
}
