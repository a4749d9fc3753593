//! Exact against what people type and what standards allow: keys and path values encoded,
//! filters combined as their grammar binds.

use crate::support::{k2check, suite};

fn dry_run(scenario: &str) -> crate::support::Output {
    let suite_text = format!(
        "{}      scim: \"{{{{ env.TEST_URL }}}}/scim/v2\"\n",
        crate::support::TEST_SUITE.replace(
            "vars: { api: \"{{ env.TEST_URL }}\" }",
            "vars:\n      api: \"{{ env.TEST_URL }}\""
        )
    );
    let dir = suite(&[("k2check.yaml", &suite_text), ("a.yaml", scenario)]);
    k2check(
        dir.path(),
        &["run", ".", "--dry-run"].map(String::from),
        &[("TEST_URL", "http://127.0.0.1:9")],
    )
}

#[test]
fn odata_keys_are_quoted_and_percent_encoded_as_one_path_segment() {
    let out = dry_run(
        "name: keys\nvars: { who: \"x/y%z\" }\nsteps:\n  - odata: { set: Users, key: 'K2:DENALLIX\\bob' }\n  - odata: { set: Users, key: 'a/b#c?d' }\n  - odata: { set: Users, key: '50% off' }\n  - odata: { set: Users, key: 4 }\n  - odata: { set: Users, key: \"{{ who }}\" }\n  - odata: { set: Users, key: \"u-{{ who }}\" }\n  - odata: { set: Lines, key: { OrderID: 1, Line: \"it's\" } }\n",
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for expected in [
        "GET http://127.0.0.1:9/api/odatav4/v4/Users('K2:DENALLIX%5Cbob')",
        "GET http://127.0.0.1:9/api/odatav4/v4/Users('a%2Fb%23c%3Fd')",
        "GET http://127.0.0.1:9/api/odatav4/v4/Users('50%25%20off')",
        "GET http://127.0.0.1:9/api/odatav4/v4/Users(4)",
        "GET http://127.0.0.1:9/api/odatav4/v4/Users('x%2Fy%25z')",
        "GET http://127.0.0.1:9/api/odatav4/v4/Users('u-x%2Fy%25z')",
        "GET http://127.0.0.1:9/api/odatav4/v4/Lines(OrderID=1,Line='it''s')",
    ] {
        assert!(out.stdout.contains(expected), "{expected}\n{}", out.stdout);
    }
}

#[test]
fn a_key_that_cannot_be_sent_is_a_validation_error() {
    for key in ["[1, 2]", "{}", "null", "{ ID: [1] }"] {
        let out = dry_run(&format!(
            "name: bad key\nsteps:\n  - odata: {{ set: Users, key: {key} }}\n"
        ));
        assert_eq!(out.code, 2, "{key}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("an OData key is a value or a mapping"),
            "{key}: {}",
            out.stderr
        );
        assert!(out.stderr.contains("a.yaml:3:"), "{key}: {}", out.stderr);
    }
}

#[test]
fn scim_path_values_are_encoded_and_filters_keep_their_meaning() {
    let out = dry_run(
        "name: scim\nvars: { id: \"a/b#c\" }\nsteps:\n  - scim: { get: \"Users/{{ id }}\" }\n  - scim: { list: Users, filter: 'userName sw \"a\" or userName sw \"b\"', where: { active: true } }\n",
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("GET http://127.0.0.1:9/scim/v2/Users/a%2Fb%23c\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "filter=%28userName%20sw%20%22a%22%20or%20userName%20sw%20%22b%22%29%20and%20%28active%20eq%20true%29"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn k2_steps_take_headers_and_a_captured_etag_feeds_if_match() {
    let scenario = r#"name: headers on K2 steps
steps:
  - name: read the version
    request: { url: "{{ api }}/header" }
    capture:
      etag: { header: x-custom }
  - name: update with If-Match
    odata:
      service: "{{ api }}"
      set: echo
      headers: { If-Match: "{{ etag }}", Prefer: return=minimal, Accept: application/json;odata.metadata=minimal }
    expect:
      json:
        "$.headers['if-match']": abc-123
        "$.headers['prefer']": return=minimal
        "$.headers['accept']": application/json;odata.metadata=minimal
  - scim: { base: "{{ api }}", get: echo, headers: { X-Trace: "1" } }
    expect: { json: { "$.headers['x-trace']": "1", "$.headers['content-type']": application/scim+json } }
"#;
    let dir = suite(&[("a.yaml", scenario)]);
    let url = crate::server::shared().url();
    let out = k2check(dir.path(), &["run", "."].map(String::from), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn the_suite_file_is_found_for_every_path_form() {
    let root = tempfile::tempdir().unwrap();
    let suite_dir = root.path().join("suite");
    std::fs::create_dir_all(suite_dir.join("odata")).unwrap();
    std::fs::write(
        suite_dir.join("k2check.yaml"),
        "environments:\n  test:\n    vars: { api: \"{{ env.TEST_URL }}\" }\n  other:\n    vars: { api: \"{{ env.TEST_URL }}\" }\n",
    )
    .unwrap();
    std::fs::write(
        suite_dir.join("odata/a.yaml"),
        "name: a\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n",
    )
    .unwrap();
    let env = [("TEST_URL", "http://127.0.0.1:9")];
    // From inside the suite, with each form of path.
    for (cwd, path) in [
        (&suite_dir, "odata"),
        (&suite_dir, "."),
        (&suite_dir.join("odata"), "a.yaml"),
        (&suite_dir.join("odata"), "."),
    ] {
        let out = k2check(
            cwd,
            &["validate".into(), path.into(), "--env".into(), "test".into()],
            &env,
        );
        assert_eq!(out.code, 0, "{path} in {}: {}{}", cwd.display(), out.stdout, out.stderr);
        let out = k2check(
            cwd,
            &["validate".into(), path.into(), "--env".into(), "tset".into()],
            &env,
        );
        assert_eq!(out.code, 2, "{path}: a misspelled environment: {}", out.stderr);
        assert!(out.stderr.contains("did you mean `test`?"), "{}", out.stderr);
    }
    // With no path, from inside the suite: its own folder.
    let out = k2check(
        &suite_dir.join("odata"),
        &["validate".into(), "--env".into(), "test".into()],
        &env,
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn without_a_suite_nothing_unrelated_is_read_and_env_is_never_ignored() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("docker-compose.yaml"),
        "services: { web: { image: x } }\n",
    )
    .unwrap();
    let out = k2check(root.path(), &["validate".into()], &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("no k2check.yaml here or in a folder above"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("docker-compose"), "{}", out.stderr);
    std::fs::write(
        root.path().join("a.yaml"),
        "name: a\nsteps:\n  - request: { url: \"http://127.0.0.1:9/x\" }\n",
    )
    .unwrap();
    let out = k2check(
        root.path(),
        &["validate".into(), "a.yaml".into(), "--env".into(), "cloud".into()],
        &[],
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("unknown environment `cloud`") && out.stderr.contains("no k2check.yaml was found"),
        "{}",
        out.stderr
    );
    let out = k2check(root.path(), &["validate".into(), "a.yaml".into()], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("warning: no k2check.yaml at or above these scenarios"),
        "{}",
        out.stderr
    );
}

#[test]
fn authoring_mistakes_point_at_the_fix() {
    let validate = |scenario: &str| {
        let dir = suite(&[("a.yaml", scenario)]);
        k2check(
            dir.path(),
            &["validate", "."].map(String::from),
            &[("TEST_URL", "http://127.0.0.1:9")],
        )
    };
    let out = validate("name: a\nsteps:\n  - request: { method: POST, url: \"{{ api }}/x\", body: { a: 1 } }\n");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("send it as JSON with `json:`"), "{}", out.stderr);
    let out = validate(
        "name: a\nsteps:\n  - request: { url: \"{{ api }}/x\" }\n    expect: { json: { $.value[0].ID: 1 } }\n",
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("must be quoted"), "{}", out.stderr);
    let out = validate(
        "name: a\nsteps:\n  - request: { url: \"{{ api }}/x\" }\n    expect:\n      json:\n        $.value.length: 3\n",
    );
    assert!(
        out.stderr.contains("JSONPath has no `.length`") && out.stderr.contains("{ count: 3 }"),
        "{}",
        out.stderr
    );
    // minijinja's own functions are defined; an undefined name lists what is.
    let out = validate(
        "name: a\nvars: { region: eu, tenant_host: x }\nsteps:\n  - request: { url: \"{{ api }}/{% for i in range(2) %}{{ i }}{% endfor %}/{{ dict(a=1).a }}\" }\n",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = validate(
        "name: a\nvars: { region: eu, tenant_host: x }\nsteps:\n  - request: { url: \"{{ api }}/{{ zzzzzzzz }}\" }\n",
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("(defined here: `api`, `region`, `tenant_host`)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("`region`") && !out.stderr.contains("`range`"),
        "{}",
        out.stderr
    );
}

#[test]
fn only_the_variables_a_run_reads_are_required() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let missing = |out: &crate::support::Output| -> Vec<String> {
        let mut names: Vec<String> = out
            .stderr
            .lines()
            .filter_map(|l| l.strip_prefix("error: environment variable `"))
            .filter_map(|l| l.split('`').next().map(str::to_owned))
            .collect();
        names.sort();
        names
    };
    // `token` needs its profile's variables and nothing else.
    let out = k2check(
        root,
        &["token", "k2", "scenarios", "--env", "cloud"].map(String::from),
        &[],
    );
    assert_eq!(out.code, 2);
    assert_eq!(
        missing(&out),
        ["K2_CLIENT_ID", "K2_CLIENT_SECRET", "K2_TENANT_ID"],
        "{}",
        out.stderr
    );
    // Onboarding on a tenant without SCIM or a Basic user.
    let args = [
        "run",
        "scenarios",
        "--env",
        "cloud",
        "--tag",
        "onboarding",
        "--skip-tag",
        "scim",
        "--skip-tag",
        "basic",
        "--dry-run",
    ];
    let out = k2check(root, &args.map(String::from), &[]);
    assert_eq!(
        missing(&out),
        [
            "K2_CLIENT_ID",
            "K2_CLIENT_SECRET",
            "K2_HOST",
            "K2_SMARTOBJECT",
            "K2_TENANT_ID"
        ],
        "{}",
        out.stderr
    );
    let set = [
        ("K2_CLIENT_ID", "idt.cc.x"),
        ("K2_CLIENT_SECRET", "s3cret-value"),
        ("K2_HOST", "acme.onk2.com"),
        ("K2_SMARTOBJECT", "Test_SmartBox_SMO"),
        ("K2_TENANT_ID", "7f3c5a2e"),
    ];
    let out = k2check(root, &args.map(String::from), &set);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("scim.onk2.com/tokens"), "{}", out.stdout);
}

#[test]
fn validate_without_env_checks_every_environment_and_the_tls_files() {
    let suite_text = "environments:\n  test:\n    vars: { api: \"http://127.0.0.1:9\" }\n  prod:\n    vars: { api: \"https://{{ env.PROD_HOST }}\" }\n    auth:\n      k2: { type: basic, username: u, password: \"{{ secret.PROD_PASSWORD }}\" }\n";
    let scenario = "name: a\nauth: k2\nsteps:\n  - request: { url: \"{{ api }}/x\" }\n";
    let dir = suite(&[("k2check.yaml", suite_text), ("a.yaml", scenario)]);
    let out = k2check(dir.path(), &["validate".into()], &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("error: environment `test`: unknown auth profile `k2`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("warning: environment `prod`: environment variable `PROD_HOST` is not set"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("environment `prod`: unknown auth profile"),
        "{}",
        out.stderr
    );
    // A missing tls.ca_file is found by validate, not only by run.
    let tls = format!("tls:\n  ca_file: missing-ca.pem\n{}", crate::support::TEST_SUITE);
    let dir = suite(&[
        ("k2check.yaml", &tls),
        ("a.yaml", "name: a\nsteps:\n  - request: { url: \"{{ api }}/x\" }\n"),
    ]);
    let out = k2check(dir.path(), &["validate".into()], &[("TEST_URL", "http://127.0.0.1:9")]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("missing-ca.pem"), "{}", out.stderr);
}

#[test]
fn refused_credentials_get_a_hint_that_names_the_fix() {
    let suite_text = r#"
environments:
  mock:
    vars: { api: "{{ mock.url }}", scim: "{{ mock.scim_url }}" }
    auth:
      k2: { type: client_credentials, token_url: "{{ mock.token_url }}", client_id: "{{ mock.client_id }}", client_secret: "{{ mock.client_secret }}", scope: https://api.k2.com/ }
      scim: { type: client_credentials, token_url: "{{ mock.token_url }}", client_id: "{{ mock.client_id }}", client_secret: "{{ mock.client_secret }}", scope: https://scim.onk2.com/write }
      wrong_basic: { type: basic, username: "{{ mock.username }}", password: not-the-password }
"#;
    let scim_with_api = "name: scim with the API profile\nauth: k2\nsteps:\n  - scim: { get: ServiceProviderConfig }\n    expect: { status: 200 }\n";
    let basic = "name: basic refused\nauth: wrong_basic\nsteps:\n  - request: { url: \"{{ api }}/api/workflow/v1/workflows\" }\n    expect: { status: 200 }\n";
    let dir = suite(&[
        ("k2check.yaml", suite_text),
        ("a.yaml", scim_with_api),
        ("b.yaml", basic),
    ]);
    let out = k2check(dir.path(), &["run", ".", "--mock"].map(String::from), &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("SCIM needs a token for `https://scim.onk2.com/write`: use `auth: scim`"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("the API refused Basic authentication"),
        "{}",
        out.stdout
    );
}

#[test]
fn token_url_issuer_and_scim_url_replace_the_derived_ones() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let client = [("K2_CLIENT_ID", "idt.cc.x"), ("K2_CLIENT_SECRET", "s3cret-value")];
    let args = [
        "run",
        "scenarios",
        "--env",
        "cloud",
        "--tag",
        "onboarding",
        "--skip-tag",
        "basic",
        "--dry-run",
    ];
    let mut env = client.to_vec();
    env.extend([
        ("K2_HOST", "k2.example.org"),
        ("K2_SMARTOBJECT", "S"),
        ("K2_ISSUER", "https://login.example.org/tenant"),
        ("K2_SCIM_URL", "https://scim.example.org/v2"),
    ]);
    let out = k2check(root, &args.map(String::from), &env);
    assert_eq!(out.code, 0, "no K2_TENANT_ID or K2_SCIM_TOKEN needed: {}", out.stderr);
    assert!(
        out.stdout
            .contains("GET https://login.example.org/tenant/.well-known/openid-configuration"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("GET https://scim.example.org/v2/ServiceProviderConfig"),
        "{}",
        out.stdout
    );
    // The token endpoint alone, as Nintex's guide gives it: `token` needs no tenant id.
    let mut env = client.to_vec();
    env.push(("K2_TOKEN_URL", "http://127.0.0.1:9/connect/token"));
    let out = k2check(
        root,
        &["token", "k2", "scenarios", "--env", "cloud"].map(String::from),
        &env,
    );
    assert!(!out.stderr.contains("is not set"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("(http://127.0.0.1:9/connect/token): token request failed"),
        "{}",
        out.stderr
    );
}

#[test]
fn every_none_and_the_capture_shorthand() {
    let scenario = r#"name: shorthands
steps:
  - request: { url: "{{ api }}/json" }
    capture:
      first_age: $.people[0].age
    expect:
      json:
        "$.people[*].age": { every: { gte: 30 } }
        "$.items": { every: { lt: 4 }, none: 2.5 }
        "$.people[*].name": { none: Bob }
  - request: { url: "{{ api }}/echo?age={{ first_age }}" }
    expect: { json: { $.query: age=36 } }
  - name: fails
    request: { url: "{{ api }}/json" }
    expect:
      json:
        "$.people[*].age": { every: { gt: 40 } }
        "$.people[*].name": { none: { starts_with: Al } }
"#;
    let dir = suite(&[("a.yaml", scenario)]);
    let url = crate::server::shared().url();
    let out = k2check(dir.path(), &["run", "."].map(String::from), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("expected: every item > 40"), "{}", out.stdout);
    assert!(out.stdout.contains("actual:   item 0: 36"), "{}", out.stdout);
    assert!(
        out.stdout.contains("expected: no item starts with \"Al\""),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("actual:   item 1: \"Alan\""), "{}", out.stdout);
    assert!(
        !out.stdout.contains("step `step 1`") && !out.stdout.contains("step `step 2`"),
        "{}",
        out.stdout
    );
}

#[test]
fn values_from_outside_take_their_place_in_order() {
    let suite_text = "vars: { region: from-suite, base: \"http://127.0.0.1:9/{{ region }}\" }\nenvironments:\n  test:\n    vars: { token: \"{{ secret.DOT_TOKEN }}\", host: \"{{ env.DOT_HOST }}\" }\n";
    let scenario =
        "name: a\nsteps:\n  - request: { url: \"{{ base }}/{{ host }}\", headers: { X-Token: \"{{ token }}\" } }\n";
    let dir = suite(&[
        ("k2check.yaml", suite_text),
        ("a.yaml", scenario),
        (".env", "DOT_TOKEN=dot-env-secret-1\nDOT_HOST=from-dotenv\n"),
        ("vars.txt", "region: from-file\n"),
    ]);
    let run = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args: Vec<String> = ["run", ".", "--dry-run"].map(String::from).to_vec();
        args.extend(extra.iter().map(|s| s.to_string()));
        k2check(dir.path(), &args, env)
    };
    let out = run(&[], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("GET http://127.0.0.1:9/from-suite/from-dotenv"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("X-Token: ***") && !out.stdout.contains("dot-env-secret-1"),
        "{}",
        out.stdout
    );
    let out = run(&["--vars-file", "vars.txt"], &[("DOT_HOST", "from-process")]);
    assert!(
        out.stdout.contains("GET http://127.0.0.1:9/from-file/from-process"),
        "the process wins over .env: {}",
        out.stdout
    );
    let out = run(&["--vars-file", "vars.txt", "--var", "region=from-flag"], &[]);
    assert!(
        out.stdout.contains("GET http://127.0.0.1:9/from-flag/from-dotenv"),
        "{}",
        out.stdout
    );
    let out = run(&["--var", "no-equals-sign"], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn list_shows_the_selection_and_the_variables_it_reads() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let args = [
        "list",
        "scenarios",
        "--env",
        "cloud",
        "--tag",
        "onboarding",
        "--skip-tag",
        "scim",
        "--skip-tag",
        "basic",
        "--json",
    ];
    let out = k2check(root, &args.map(String::from), &[("K2_HOST", "acme.onk2.com")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let listed: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let scenarios = listed["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 4, "{listed}");
    assert!(scenarios.iter().all(|s| {
        s["tags"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t != "scim" && t != "basic")
    }));
    assert!(
        scenarios
            .iter()
            .all(|s| s["steps"].as_u64().unwrap() > 0
                && s["file"].as_str().unwrap().starts_with("scenarios/onboarding/"))
    );
    assert_eq!(
        listed["variables"]["needed"],
        serde_json::json!([
            "K2_CLIENT_ID",
            "K2_CLIENT_SECRET",
            "K2_HOST",
            "K2_SMARTOBJECT",
            "K2_TENANT_ID"
        ])
    );
    assert_eq!(
        listed["variables"]["missing"],
        serde_json::json!(["K2_CLIENT_ID", "K2_CLIENT_SECRET", "K2_SMARTOBJECT", "K2_TENANT_ID"])
    );
    let out = k2check(root, &["list", "scenarios", "--mock"].map(String::from), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("25 scenarios"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("(scenarios/onboarding/token.yaml, 3 steps, tags: onboarding, smoke)"),
        "{}",
        out.stdout
    );
}
