//! `k2check docs`: the documentation of `scenarios/` holds every scenario and step, says what
//! each expects in words, shows a recorded run's examples, and never a secret.

use std::path::Path;

use crate::support::{args, k2check};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_docs_of_the_scenario_library_hold_every_scenario_step_and_recorded_example() {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("run.jsonl");
    let report_arg = report.display().to_string();
    let run = k2check(
        root(),
        &args(&["run", "scenarios", "--mock", "-vv", "--json", &report_arg]),
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let docs_dir = out.path().join("docs").display().to_string();
    let docs = k2check(
        root(),
        &args(&["docs", "scenarios", "--out", &docs_dir, "--from-run", &report_arg]),
        &[],
    );
    assert_eq!(docs.code, 0, "{}", docs.stderr);
    let read = |name: &str| std::fs::read_to_string(out.path().join("docs").join(name)).unwrap();
    let markdown: String = ["index.md", "odata.md", "onboarding.md", "scim.md", "workflow.md"]
        .iter()
        .map(|f| read(f))
        .collect();
    let html = read("docs.html");
    let page = scraper::Html::parse_document(&html);
    assert!(page.errors.is_empty(), "{:?}", page.errors);

    // Every scenario and every step of the library, by name.
    let listed = k2check(root(), &args(&["list", "scenarios", "--mock", "--json"]), &[]);
    let listed: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    for scenario in listed["scenarios"].as_array().unwrap() {
        let name = scenario["name"].as_str().unwrap();
        assert!(
            markdown.contains(&format!("## {}", name)),
            "{name} missing from the Markdown"
        );
        assert!(
            html.contains(&format!("<h3>{}</h3>", html_escape(name))),
            "{name} missing from the HTML"
        );
    }
    let steps: Vec<serde_json::Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "step")
        .collect();
    for step in &steps {
        let name = step["name"].as_str().unwrap();
        assert!(html.contains(&html_escape(name)), "step {name} missing from the HTML");
    }
    // What each step expects, in words; K2 steps in K2 terms.
    assert!(markdown.contains("**Expects** status 200"), "expectations in words");
    assert!(
        markdown.contains("*In K2 terms:* OData v4 query on the SmartObject entity set"),
        "OData explained"
    );
    assert!(
        markdown.contains("*In K2 terms:* Workflow REST: starts the workflow named"),
        "workflow explained"
    );
    assert!(
        markdown.contains("*In K2 terms:* SCIM 2.0 (RFC 7644)"),
        "SCIM explained"
    );
    assert!(markdown.contains("matches nothing"), "a none-matching path said so");
    // Snapshots, and the workflow whose start schema is read, not started.
    assert!(
        markdown.contains(
            "*In K2 terms:* Workflow REST: reads the start schema (data fields, item references) of the workflow named"
        ),
        "a schema read is not a start"
    );
    assert!(markdown.contains("**Expects** the entity data model has not changed since its snapshot."));
    assert!(markdown.contains("the answer has the shape (keys and types) of its snapshot"));
    // The recorded examples, with the run's date and environment.
    assert!(
        markdown.contains("Example from the run of ") && markdown.contains("in environment `mock`"),
        "examples"
    );
    assert!(markdown.contains("200 OK"), "the recorded response");
    let examples = page
        .select(&scraper::Selector::parse("details > summary").unwrap())
        .count();
    assert_eq!(examples, steps.len(), "an example per step");
    // The mock's secrets never appear.
    for secret in ["K2pass!", "k2check-mock-secret"] {
        assert!(
            !markdown.contains(secret) && !html.contains(secret),
            "{secret} is in the docs"
        );
    }
}

#[test]
fn a_step_that_failed_in_the_recorded_run_is_marked() {
    let dir = crate::support::suite(&[(
        "a.yaml",
        "name: documented\ndescription: what it is for\nsteps:\n  - name: fails\n    description: the step's own purpose\n    request: { url: \"{{ api }}/json\" }\n    expect:\n      status: 201\n      json:\n        \"$.people[?@.age > 100]\": { exists: false }\n",
    )]);
    let url = crate::server::shared().url();
    let run = k2check(
        dir.path(),
        &args(&["run", ".", "-v", "--json", "r.jsonl"]),
        &[("TEST_URL", &url)],
    );
    assert_eq!(run.code, 1);
    let docs = k2check(
        dir.path(),
        &args(&["docs", ".", "--out", "d", "--from-run", "r.jsonl"]),
        &[],
    );
    assert_eq!(docs.code, 0, "{}", docs.stderr);
    let page = std::fs::read_to_string(dir.path().join("d/root.md")).unwrap();
    assert!(page.contains("### 1. fails ⚠ failed in the recorded run"), "{page}");
    assert!(
        page.contains("the step's own purpose") && page.contains("what it is for"),
        "{page}"
    );
    assert!(page.contains("status: expected 201, actual 200"), "{page}");
    assert!(page.contains("`$.people[?@.age > 100]` matches nothing"), "{page}");
    let bad = k2check(
        dir.path(),
        &args(&["docs", ".", "--out", "d", "--from-run", "a.yaml"]),
        &[],
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

#[test]
fn a_yaml_row_file_is_data_and_a_folder_without_scenarios_is_said() {
    let dir = crate::support::suite(&[
        (
            "a.yaml",
            "name: rows\nrows: { file: r.yaml }\nsteps:\n  - request: { url: \"{{ api }}/{{ user }}\" }\n",
        ),
        ("r.yaml", "- { user: alice }\n"),
    ]);
    let docs = k2check(dir.path(), &args(&["docs", ".", "--out", "d"]), &[]);
    assert_eq!(docs.code, 0, "{}", docs.stderr);
    let page = std::fs::read_to_string(dir.path().join("d/root.md")).unwrap();
    assert!(page.contains("runs once per row of `r.yaml`"), "{page}");
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("k2check.yaml"), "").unwrap();
    let none = k2check(empty.path(), &args(&["docs", ".", "--out", "d"]), &[]);
    assert_eq!(none.code, 2, "{}", none.stderr);
    assert!(none.stderr.contains("no scenario found"), "{}", none.stderr);
    assert!(!empty.path().join("d").exists(), "nothing written");
}

#[test]
fn the_docs_say_what_is_sent_in_words_with_a_glossary_and_no_template_internals() {
    let out = tempfile::tempdir().unwrap();
    let docs_dir = out.path().join("docs").display().to_string();
    let docs = k2check(root(), &args(&["docs", "scenarios", "--out", &docs_dir]), &[]);
    assert_eq!(docs.code, 0, "{}", docs.stderr);
    let read = |name: &str| std::fs::read_to_string(out.path().join("docs").join(name)).unwrap();
    let (workflow, scim, odata, onboarding, html) = (
        read("workflow.md"),
        read("scim.md"),
        read("odata.md"),
        read("onboarding.md"),
        read("docs.html"),
    );
    // Workflow calls by what they do.
    assert!(workflow.contains("Workflow REST: one task (`{{ sn }}`)"), "{workflow}");
    assert!(
        workflow.contains("Workflow REST: the actions task `{{ sn }}` offers"),
        "{workflow}"
    );
    assert!(
        workflow.contains("Workflow REST: performs the action `Approve` on task `{{ sn }}`"),
        "{workflow}"
    );
    // A SCIM call on one resource keeps its id.
    assert!(scim.contains("DELETE `Groups` `{{ group }}`"), "{scim}");
    // No template internals; a regex in words; `value` or `Resources` for the API called.
    for page in [&workflow, &scim, &odata, &html] {
        assert!(
            !page.contains("odata_key") && !page.contains("path_segment") && !page.contains("endfilter"),
            "{page}"
        );
    }
    assert!(odata.contains("record with key `{{ id }}`"), "{odata}");
    assert!(odata.contains("matches the pattern"), "{odata}");
    assert!(odata.contains("the records (`value`) count") && scim.contains("the resources (`Resources`) count"));
    // Each page's variables, per environment; a secret by where it comes from.
    assert!(
        odata.contains("| `employees` | `EmployeeSample` | `$K2_EMPLOYEE_SMARTOBJECT` |"),
        "{odata}"
    );
    assert!(onboarding.contains("secret, from `K2_CLIENT_SECRET`"), "{onboarding}");
    assert!(html.contains("<table class=\"variables\">"), "{html}");
}

#[test]
fn docs_from_a_run_mark_each_data_rows_result() {
    let dir = crate::support::suite(&[(
        "rows.yaml",
        "name: one per row\nrows: [{ who: a }, { who: b }, { who: c }]\nsteps:\n  - name: echo\n    request: { url: \"{{ api }}/echo\", query: { who: \"{{ who }}\" } }\n    expect:\n      json: { $.query: { matches: \"who=[ab]\" } }\n",
    )]);
    let url = crate::server::shared().url();
    let run = k2check(
        dir.path(),
        &args(&["run", ".", "-v", "--json", "r.jsonl"]),
        &[("TEST_URL", &url)],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let docs = k2check(
        dir.path(),
        &args(&["docs", ".", "--out", "d", "--from-run", "r.jsonl"]),
        &[],
    );
    assert_eq!(docs.code, 0, "{}", docs.stderr);
    let page = std::fs::read_to_string(dir.path().join("d/root.md")).unwrap();
    assert!(
        page.contains("each data row: `row 1: a` passed, `row 2: b` passed, `row 3: c` failed"),
        "{page}"
    );
    assert!(page.contains("### 1. echo ⚠ failed in the recorded run"), "{page}");
}

#[test]
fn every_page_of_a_paged_step_shows_in_verbose_json_and_docs() {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("run.jsonl").display().to_string();
    let run = k2check(
        root(),
        &args(&[
            "run",
            "scenarios",
            "--mock",
            "--name",
            "Paging past*",
            "-v",
            "--json",
            &report,
        ]),
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("then (2) > GET") && run.stdout.contains("then (3) > GET"),
        "{}",
        run.stdout
    );
    let json = std::fs::read_to_string(&report).unwrap();
    let paged = json
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l["follow_ups"].is_array())
        .expect("a step with its follow-up pages");
    assert!(paged["follow_ups"].as_array().unwrap().len() >= 2, "{paged}");
    assert!(
        paged["follow_ups"][0]["request"]["url"]
            .as_str()
            .unwrap()
            .contains("$skip="),
        "{paged}"
    );
    let docs_dir = out.path().join("docs").display().to_string();
    let docs = k2check(
        root(),
        &args(&["docs", "scenarios/odata", "--out", &docs_dir, "--from-run", &report]),
        &[],
    );
    assert_eq!(docs.code, 0, "{}", docs.stderr);
    let page = std::fs::read_to_string(out.path().join("docs").join("root.md"))
        .or_else(|_| std::fs::read_to_string(out.path().join("docs").join("odata.md")))
        .unwrap();
    assert!(
        page.contains("Then, request 2:") && page.contains("Then, request 3:"),
        "{page}"
    );
}
