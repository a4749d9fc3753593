//! Data rows: a scenario runs once per row, inline or from CSV, YAML or JSON, each run its own
//! scenario in every report; a row file's problems are reported at its own `file:line`.

use crate::support::{args, k2check, suite};

const BY_FILE: &str = r#"name: levels
rows: { file: ROWS }
vars:
  path: "{{ user }}/{{ level }}"
steps:
  - name: look up
    request: { url: "{{ api }}/users/{{ path }}" }
"#;

#[test]
fn rows_from_csv_yaml_json_and_inline_give_the_same_runs() {
    let inline = "name: levels\nrows:\n  - { user: alice, level: 3 }\n  - { user: bob, level: 5 }\n\
                  vars:\n  path: \"{{ user }}/{{ level }}\"\nsteps:\n  - name: look up\n    request: { url: \"{{ api }}/users/{{ path }}\" }\n";
    let sources = [
        ("rows.csv", "user,level\nalice,3\nbob,5\n"),
        ("rows.yaml", "- user: alice\n  level: 3\n- { user: bob, level: 5 }\n"),
        (
            "rows.json",
            "[{\"user\":\"alice\",\"level\":3},\n {\"user\":\"bob\",\"level\":5}]\n",
        ),
    ];
    let mut outputs = Vec::new();
    for (file, text) in sources {
        let dir = suite(&[("s.yaml", &BY_FILE.replace("ROWS", file)), (file, text)]);
        let out = k2check(
            dir.path(),
            &args(&["run", ".", "--env", "test", "--dry-run"]),
            &[("TEST_URL", "http://127.0.0.1:9")],
        );
        assert_eq!(out.code, 0, "{file}: {}", out.stderr);
        outputs.push(out.stdout);
    }
    let dir = suite(&[("s.yaml", inline)]);
    let out = k2check(
        dir.path(),
        &args(&["run", ".", "--env", "test", "--dry-run"]),
        &[("TEST_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(out.code, 0, "inline: {}", out.stderr);
    outputs.push(out.stdout);
    let first = &outputs[0];
    assert!(
        first.contains("# levels [row 1: alice] (s.yaml)\nGET http://127.0.0.1:9/users/alice/3\n"),
        "{first}"
    );
    assert!(
        first.contains("# levels [row 2: bob] (s.yaml)\nGET http://127.0.0.1:9/users/bob/5\n"),
        "{first}"
    );
    for other in &outputs[1..] {
        assert_eq!(other, first);
    }
}

#[test]
fn each_row_is_its_own_scenario_in_every_report_and_row_name_labels_it() {
    let dir = suite(&[(
        "s.yaml",
        "name: tokens\nrow_name: \"{{ client }} at level {{ level }}\"\n\
         rows:\n  - { client: one, level: 1 }\n  - { client: two, level: 2 }\n  - { client: three, level: 3 }\n\
         steps:\n  - name: token\n    request: { url: \"{{ mock.token_url }}\", method: POST, form: { grant_type: client_credentials, client_id: \"{{ client }}\" } }\n    expect: { status: 200 }\n",
    )]);
    std::fs::write(
        dir.path().join("k2check.yaml"),
        "environments:\n  mock:\n    vars: {}\n",
    )
    .unwrap();
    let out = k2check(
        dir.path(),
        &args(&["run", ".", "--mock", "--junit", "r.xml", "--json", "r.jsonl"]),
        &[],
    );
    // Unknown clients are refused: three failures, one per row, each named after its row.
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    for (n, label) in [(1, "one at level 1"), (2, "two at level 2"), (3, "three at level 3")] {
        let name = format!("tokens [row {n}: {label}]");
        assert!(out.stdout.contains(&format!("FAIL  {name}")), "{}", out.stdout);
        let junit = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
        assert!(junit.contains(&format!("name=\"{name}\"")), "{junit}");
        let json = std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
        assert!(json.contains(&format!("\"name\":\"{name}\"")), "{json}");
    }
    crate::support::assert_valid_junit(&dir.path().join("r.xml"));
    let listed = k2check(dir.path(), &args(&["list", ".", "--mock", "--json"]), &[]);
    let listed: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(listed["scenarios"].as_array().map(Vec::len), Some(3));
}

#[test]
fn a_row_file_problem_is_reported_at_its_own_line() {
    let cases = [
        (
            "rows.csv",
            "user,level\nalice,3\nbob\n",
            "rows.csv:3:1",
            "this row has 1 fields, the header 2",
        ),
        (
            "rows.csv",
            "user,user\nalice,3\n",
            "rows.csv:1:1",
            "the column `user` is named twice",
        ),
        (
            "rows.csv",
            "user name,level\nalice,3\n",
            "rows.csv:1:1",
            "`user name` cannot be a variable name",
        ),
        (
            "rows.yaml",
            "- { user: alice, level: 3 }\n- just text\n",
            "rows.yaml:2:3",
            "a row must be a mapping",
        ),
        (
            "rows.json",
            "[{\"user\": \"alice\", \"level\": 3},\n {\"user\": ",
            "rows.json:2",
            "",
        ),
        (
            "rows.yaml",
            "- { env: x, user: a, level: 1 }\n",
            "rows.yaml:1:5",
            "would hide the built-in",
        ),
        ("rows.txt", "user\n", "s.yaml:2:15", "is not a row file k2check reads"),
    ];
    for (file, text, at, words) in cases {
        let dir = suite(&[("s.yaml", &BY_FILE.replace("ROWS", file)), (file, text)]);
        let out = k2check(
            dir.path(),
            &args(&["validate", ".", "--env", "test"]),
            &[("TEST_URL", "http://127.0.0.1:9")],
        );
        assert_eq!(out.code, 2, "{file} {text:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(at) && out.stderr.contains(words),
            "{file} {text:?}: expected {at} {words}:\n{}",
            out.stderr
        );
        assert!(
            !out.stderr.contains("expected a scenario"),
            "a YAML row file is not a scenario: {}",
            out.stderr
        );
    }
    let dir = suite(&[("s.yaml", &BY_FILE.replace("ROWS", "missing.csv"))]);
    let out = k2check(
        dir.path(),
        &args(&["validate", ".", "--env", "test"]),
        &[("TEST_URL", "x")],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("cannot read the row file") && out.stderr.contains("s.yaml:2:15"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_template_must_name_a_field_the_rows_give() {
    let dir = suite(&[(
        "s.yaml",
        "name: typo\nrows: [ { user: alice } ]\nsteps:\n  - request: { url: \"{{ api }}/{{ usr }}\" }\n",
    )]);
    let out = k2check(
        dir.path(),
        &args(&["validate", ".", "--env", "test"]),
        &[("TEST_URL", "x")],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("undefined variable `usr`") && out.stderr.contains("did you mean `user`"),
        "{}",
        out.stderr
    );
}
