//! `k2check import postman` and `k2check import curl`: the suites they write validate, send
//! one request per Postman request, keep what they cannot translate, and hold no secret.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{args, files_below, k2check};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/postman")
        .join(name)
}

/// The requests of a collection, counted as Postman counts them (folders at any depth).
fn request_count(items: &Value) -> usize {
    items
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| match (item.get("item"), item.get("request")) {
            (Some(inner), _) => request_count(inner),
            (None, Some(_)) => 1,
            _ => 0,
        })
        .sum()
}

/// The `.env.example` names, each set to a value no secret has.
fn example_variables(out: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(out.join(".env.example"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_suffix('='))
        .map(|n| (n.to_owned(), format!("value-of-{}", n.to_ascii_lowercase())))
        .collect()
}

/// Imports a collection and checks what every import must give: exit 0, `validate` passes
/// with `.env.example` set, one dry-run request per Postman request, no secret on disk.
fn import_and_check(collection: &str, environment: Option<&str>, secrets: &[&str]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut call = vec!["import", "postman"];
    let collection_path = fixture(collection).display().to_string();
    call.push(&collection_path);
    let environment_path = environment.map(|e| fixture(e).display().to_string());
    if let Some(e) = &environment_path {
        call.extend(["--environment", e]);
    }
    call.extend(["--out", "suite", "--report", "report.json"]);
    let out = k2check(dir.path(), &args(&call), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let suite = dir.path().join("suite");
    let values = example_variables(&suite);
    let env: Vec<(&str, &str)> = values.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let validate = k2check(dir.path(), &args(&["validate", "suite"]), &env);
    assert_eq!(validate.code, 0, "{}{}", validate.stdout, validate.stderr);
    let dry = k2check(dir.path(), &args(&["run", "suite", "--dry-run"]), &env);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let sent = dry
        .stdout
        .lines()
        .filter(|l| {
            l.split(' ')
                .next()
                .is_some_and(|m| m.chars().all(|c| c.is_ascii_uppercase()) && l.contains("://"))
        })
        .count();
    let collection_json: Value = serde_json::from_str(&std::fs::read_to_string(fixture(collection)).unwrap()).unwrap();
    assert_eq!(sent, request_count(&collection_json["item"]), "{}", dry.stdout);
    for file in files_below(dir.path()) {
        let text = std::fs::read_to_string(&file).unwrap();
        for secret in secrets {
            assert!(!text.contains(secret), "{} holds {secret}", file.display());
        }
    }
    for secret in secrets {
        assert!(
            !out.stderr.contains(secret) && !dry.stdout.contains(secret),
            "{secret} was shown"
        );
    }
    (dir, out.stderr)
}

#[test]
fn a_v21_collection_with_an_environment_becomes_a_suite_a_person_would_write() {
    let secrets = [
        "env-secret-value-123",
        "env-password-456",
        "literal-bearer-token-value",
        "plain-secret-in-form",
    ];
    let (dir, report_text) = import_and_check(
        "k2-v21.postman_collection.json",
        Some("prod.postman_environment.json"),
        &secrets,
    );
    let suite = dir.path().join("suite");
    assert_golden(&suite, &fixture("expected-v21"));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["environment"], "prod-tenant");
    assert_eq!(report["format"], "Postman Collection v2.1");
    assert_eq!(
        report["auth_profiles"],
        serde_json::json!(["oauth2", "basic", "bearer", "apikey"])
    );
    assert_eq!(report["unsupported_auth"], serde_json::json!(["Digest auth"]));
    assert_eq!(
        report["dynamic_variables_without_equivalent"],
        serde_json::json!(["$randomLoremWord"])
    );
    let files: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    // Two sibling folders named alike stay apart; the empty folder gives nothing.
    assert_eq!(
        files,
        vec![
            "odata.yaml",
            "workflow.yaml",
            "workflow-2.yaml",
            "scim.yaml",
            "k2-checks.yaml"
        ]
    );
    assert!(report["token_requests"][0].as_str().unwrap().contains("Form login"));
    // Written as K2 steps only where they send what Postman sent ($top and $count; a task action).
    let k2: Vec<u64> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["k2_steps"].as_u64().unwrap())
        .collect();
    assert_eq!(k2, vec![1, 1, 0, 0, 0]);
    assert!(
        report_text.contains("1 statement of its test script not translated (the first: console.log(jsonData.value.length)); the script is kept whole as a comment"),
        "{report_text}"
    );
}

#[test]
fn a_v20_collection_with_object_auth_and_string_scripts() {
    let (dir, _) = import_and_check(
        "scim-v20.postman_collection.json",
        None,
        &["v20-literal-password", "v20-token-value"],
    );
    let users = std::fs::read_to_string(dir.path().join("suite/users.yaml")).unwrap();
    // The folder inherits the collection's basic auth; one request has its own bearer.
    assert!(
        users.contains("auth: basic\n") && users.contains("    auth: bearer\n"),
        "{users}"
    );
    assert!(
        users.contains("\"$.Resources[0].userName\":\n          exists: true"),
        "{users}"
    );
    assert!(
        users.contains("# if (body.totalResults > 100) { postman.setNextRequest(null); }"),
        "{users}"
    );
    let suite = std::fs::read_to_string(dir.path().join("suite/k2check.yaml")).unwrap();
    assert!(suite.contains("# Not imported: OAuth 1.0"), "{suite}");
    assert!(suite.contains("  imported:\n"), "{suite}");
    // Headers written as one `Key: value` string a line.
    assert!(users.contains("X-Trace: k2check"), "{users}");
}

/// Compares a written folder with the expected one; `UPDATE_GOLDEN=1` rewrites it.
fn assert_golden(written: &Path, expected: &Path) {
    let relative = |root: &Path| -> Vec<(String, String)> {
        files_below(root)
            .into_iter()
            .map(|p| {
                (
                    p.strip_prefix(root).unwrap().display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                )
            })
            .collect()
    };
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(expected);
        for (path, text) in relative(written) {
            let target = expected.join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, text).unwrap();
        }
    }
    let (got, want) = (relative(written), relative(expected));
    let names = |files: &[(String, String)]| files.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&got),
        names(&want),
        "the files written (UPDATE_GOLDEN=1 rewrites the expected ones)"
    );
    for ((path, got), (_, want)) in got.iter().zip(&want) {
        assert_eq!(got, want, "{path} differs (UPDATE_GOLDEN=1 rewrites the expected ones)");
    }
}

#[test]
fn what_is_not_a_collection_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("broken.json", "{\n  \"info\": {,\n}", "broken.json:2:12", "is not JSON"),
        (
            "env.json",
            "{\"id\": \"x\", \"values\": []}",
            "env.json",
            "no `info` object",
        ),
        (
            "v1.json",
            "{\"id\": \"x\", \"name\": \"n\", \"requests\": []}",
            "v1.json",
            "Collection v1",
        ),
        (
            "noitems.json",
            "{\"info\": {\"name\": \"n\"}}",
            "noitems.json",
            "no `item` list",
        ),
    ];
    for (file, text, at, words) in cases {
        std::fs::write(dir.path().join(file), text).unwrap();
        let out = k2check(dir.path(), &args(&["import", "postman", file, "--out", "s"]), &[]);
        assert_eq!(out.code, 2, "{file}: {}", out.stderr);
        assert!(
            out.stderr.contains(at) && out.stderr.contains(words),
            "{file}: {}",
            out.stderr
        );
        assert!(!dir.path().join("s").exists());
    }
}

#[test]
fn an_existing_folder_is_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("s")).unwrap();
    std::fs::write(dir.path().join("s/mine.yaml"), "# mine\n").unwrap();
    let collection = fixture("scim-v20.postman_collection.json").display().to_string();
    let refused = k2check(
        dir.path(),
        &args(&["import", "postman", &collection, "--out", "s"]),
        &[],
    );
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(!dir.path().join("s/k2check.yaml").exists());
    let forced = k2check(
        dir.path(),
        &args(&["import", "postman", &collection, "--out", "s", "--force"]),
        &[],
    );
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(dir.path().join("s/k2check.yaml").exists());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("s/mine.yaml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn curl_commands_become_steps_printed_or_appended() {
    let dir = crate::support::suite(&[(
        "a.yaml",
        "name: appended\nsteps:\n- name: first\n  request: { url: \"{{ api }}/text\" }\n",
    )]);
    let bash = "curl 'https://acme.onk2.com/api/odatav4/v4/Emp?$top=2' \\\n  -H 'Authorization: Bearer eyJ.secret.token' \\\n  -H 'accept: application/json'";
    let printed = k2check(dir.path(), &args(&["import", "curl", bash]), &[]);
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    assert!(
        printed
            .stdout
            .contains("url: \"https://acme.onk2.com/api/odatav4/v4/Emp?$top=2\""),
        "{}",
        printed.stdout
    );
    assert!(
        printed.stdout.contains("Bearer {{ secret.AUTHORIZATION }}") && !printed.stdout.contains("eyJ"),
        "{}",
        printed.stdout
    );
    assert!(printed.stderr.contains("AUTHORIZATION"), "{}", printed.stderr);

    let cmd = "curl ^\"{{api}}/echo^\" ^\n  -H ^\"content-type: application/json^\" ^\n  --data-raw ^\"^{^\\^\"a^\\^\":1^}^\"";
    let appended = assert_cmd::Command::new(env!("CARGO_BIN_EXE_k2check"))
        .current_dir(dir.path())
        .args(["import", "curl", "--to", "a.yaml", "--name", "from cmd"])
        .write_stdin(cmd)
        .output()
        .unwrap();
    assert!(
        appended.status.success(),
        "{}",
        String::from_utf8_lossy(&appended.stderr)
    );
    let text = std::fs::read_to_string(dir.path().join("a.yaml")).unwrap();
    assert!(text.starts_with("name: appended\nsteps:\n- name: first\n"), "{text}");
    assert!(text.contains("\n- name: from cmd\n  request:\n"), "{text}");
    let validate = k2check(
        dir.path(),
        &args(&["validate", "."]),
        &[("TEST_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(validate.code, 0, "{}\n{text}", validate.stderr);
    let dry = k2check(
        dir.path(),
        &args(&["run", ".", "--dry-run"]),
        &[("TEST_URL", "http://127.0.0.1:9")],
    );
    // A literal `{{api}}` in a curl command is text, not a template.
    assert!(dry.stdout.contains("POST {{api}}/echo"), "{}", dry.stdout);

    let new_file = k2check(
        dir.path(),
        &args(&[
            "import",
            "curl",
            "curl -X DELETE https://x.example/a/1",
            "--to",
            "new.yaml",
        ]),
        &[],
    );
    assert_eq!(new_file.code, 0, "{}", new_file.stderr);
    let text = std::fs::read_to_string(dir.path().join("new.yaml")).unwrap();
    assert!(text.starts_with("name: new\nsteps:\n  - name: DELETE /a/1\n"), "{text}");
    for bad in ["wget https://x", "curl -H", "curl 'unclosed"] {
        let out = k2check(dir.path(), &args(&["import", "curl", bad]), &[]);
        assert_eq!(out.code, 2, "{bad}: {}", out.stderr);
    }
}

#[test]
fn a_hostile_collection_imports_without_a_panic_and_writes_yaml_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let collection = fixture("hostile.postman_collection.json").display().to_string();
    let out = k2check(
        dir.path(),
        &args(&["import", "postman", &collection, "--out", "s"]),
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the header name `Bad Header` is not valid HTTP; left out"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("k2check does not send PROPFIND requests"),
        "{}",
        out.stderr
    );
    let validate = k2check(
        dir.path(),
        &args(&["validate", "s"]),
        &[("BASIC_PASSWORD", "p"), ("POSTMAN_VARIABLE", "v")],
    );
    // Only what the collection itself asks and k2check cannot do: no YAML or template problem.
    assert!(
        !validate.stderr.contains("invalid YAML") && !validate.stderr.contains("template"),
        "{}",
        validate.stderr
    );
    assert_eq!(validate.stderr.matches("error:").count(), 1, "{}", validate.stderr);
    assert!(
        validate.stderr.contains("unknown HTTP method `PROPFIND`"),
        "{}",
        validate.stderr
    );
}

#[test]
fn curl_refuses_to_append_where_no_steps_list_can_take_a_step() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("inline.yaml", "name: a\nsteps: []\n", "empty or written inline"),
        ("nosteps.yaml", "name: a\n", "has no `steps:` list"),
        ("list.yaml", "- a\n", "not a scenario"),
        ("broken.yaml", "name: [\n", "YAML"),
    ];
    for (file, text, words) in cases {
        std::fs::write(dir.path().join(file), text).unwrap();
        let out = k2check(
            dir.path(),
            &args(&["import", "curl", "curl https://x.example/a", "--to", file]),
            &[],
        );
        assert_eq!(out.code, 2, "{file}: {}", out.stderr);
        assert!(out.stderr.contains(words), "{file}: {}", out.stderr);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(file)).unwrap(),
            text,
            "{file} was changed"
        );
    }
}

/// The literal secrets of `unattended.postman_collection.json`, each in another place.
const UNATTENDED_SECRETS: [&str; 7] = [
    "Basic-Code-Value-Secret-1",
    "Admin-Pw-Secret-2",
    "Pasted-Header-Secret-3",
    "Formdata-Secret-4",
    "Url-Password-Secret-5",
    "Query-Key-Secret-6",
    "Raw-Json-Secret-7",
];

#[test]
fn an_import_writes_no_secret_and_a_suite_that_validates_as_written() {
    let (dir, report) = import_and_check("unattended.postman_collection.json", None, &UNATTENDED_SECRETS);
    let suite = dir.path().join("suite");
    let read = |name: &str| std::fs::read_to_string(suite.join(name)).unwrap();
    let yaml = read("k2check.yaml");
    // A variable a password field takes is a secret whatever its name.
    assert!(yaml.contains("basicCode: \"{{ secret.BASICCODE }}\""), "{yaml}");
    assert!(yaml.contains("adminpw: \"{{ secret.ADMINPW }}\""), "{yaml}");
    let scenarios = read("unattended.yaml");
    // The profile's header replaces the pasted one: dropped, not a secret to set.
    assert!(!scenarios.contains("AUTHORIZATION"), "{scenarios}");
    assert!(report.contains("its `Authorization` header is left out"), "{report}");
    // Comments name fields; a secret-named field's value is `***`.
    assert!(
        scenarios.contains("client_secret") && scenarios.contains("***"),
        "{scenarios}"
    );
    // Defined nowhere and named like a secret: a secret. A name that starts with a digit
    // becomes one shells and templates take.
    assert!(scenarios.contains("X-Check: \"{{ secret.PASSWORD }}\""), "{scenarios}");
    // Literal secrets become references named for where they stood.
    assert!(scenarios.contains("user:{{ secret.URL_PASSWORD }}@"), "{scenarios}");
    assert!(scenarios.contains("api_key={{ secret.QUERY_API_KEY }}"), "{scenarios}");
    assert!(
        scenarios.contains("password: \"{{ secret.BODY_PASSWORD }}\""),
        "{scenarios}"
    );
    assert!(scenarios.contains("{{ env.V_1STUSERID }}"), "{scenarios}");
    let example = read(".env.example");
    assert!(
        example.contains("\nV_1STUSERID=\n") && example.contains("\nPASSWORD=\n"),
        "{example}"
    );
    // A quoted dynamic variable stays text.
    assert!(scenarios.contains("\"{{ timestamp() | string }}\""), "{scenarios}");
}

#[test]
fn an_imported_suite_run_with_its_secrets_set_shows_none_of_them() {
    let (dir, _) = import_and_check("unattended.postman_collection.json", None, &UNATTENDED_SECRETS);
    let url = crate::server::shared().url();
    let host = url.trim_start_matches("http://").to_owned();
    let env = [
        ("BASICCODE", UNATTENDED_SECRETS[0]),
        ("ADMINPW", UNATTENDED_SECRETS[1]),
        ("URL_PASSWORD", UNATTENDED_SECRETS[4]),
        ("QUERY_API_KEY", UNATTENDED_SECRETS[5]),
        ("BODY_PASSWORD", UNATTENDED_SECRETS[6]),
        ("PASSWORD", "Undefined-Secret-8"),
        ("V_1STUSERID", "7"),
    ];
    let dry = k2check(dir.path(), &args(&["run", "suite", "--dry-run"]), &env);
    assert_eq!(dry.code, 0, "{}{}", dry.stdout, dry.stderr);
    let run = k2check(
        dir.path(),
        &args(&[
            "run",
            "suite",
            "-vv",
            "--json",
            "r.jsonl",
            "--html",
            "r.html",
            "--var",
            &format!("baseUrl={url}"),
            "--var",
            &format!("host={host}"),
        ]),
        &env,
    );
    assert!(run.code == 0 || run.code == 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("\"t\": \""),
        "a quoted timestamp is sent as text: {}",
        run.stdout
    );
    let reports = [
        dry.stdout,
        run.stdout,
        run.stderr,
        std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap(),
        std::fs::read_to_string(dir.path().join("r.html")).unwrap(),
    ];
    for text in &reports {
        for secret in UNATTENDED_SECRETS.iter().chain(&["Undefined-Secret-8"]) {
            assert!(!text.contains(secret), "{secret} shown:\n{text}");
        }
    }
}

#[test]
fn test_scripts_give_captures_and_assertions_and_what_is_kept_is_kept_whole() {
    let (dir, report) = import_and_check("scripts.postman_collection.json", None, &[]);
    let scenarios = std::fs::read_to_string(dir.path().join("suite/scripts.yaml")).unwrap();
    // `x = JSON.parse(responseBody)` without `var`, a capture in `try {}`, the legacy setter.
    assert!(
        scenarios.contains("orderId:") && scenarios.contains("$.order.id"),
        "{scenarios}"
    );
    assert!(scenarios.contains("/orders/{{ orderId }}/capture"), "{scenarios}");
    // A capture under `if` is a capture, and a warning names the condition.
    assert!(scenarios.contains("$.next.id"), "{scenarios}");
    assert!(
        report.contains("`nextId` is captured every time; Postman sets it only if (jsonData.next)"),
        "{report}"
    );
    // The chai forms the README lists are assertions.
    for expected in ["gte: 1", "\"$.order\":", "type: object", "empty: false"] {
        assert!(scenarios.contains(expected), "{expected}: {scenarios}");
    }
    // One warning for the script, and the script kept whole, its pm.test wrapper included.
    assert_eq!(
        report.matches("of its test script not translated").count(),
        1,
        "{report}"
    );
    assert!(scenarios.contains("# pm.test(\"made\", function () {"), "{scenarios}");
    assert!(
        scenarios
            .lines()
            .any(|l| l.trim_start().starts_with('#') && l.contains("jsonData = JSON.parse(responseBody);")),
        "{scenarios}"
    );
    // Empty path variables and empty API keys are said.
    assert!(report.contains("the path variable `:id` is empty"), "{report}");
    assert!(report.contains("an API key block has an empty value"), "{report}");
}

#[test]
fn the_report_folder_is_made_and_a_file_named_as_out_is_said_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let collection = fixture("scripts.postman_collection.json").display().to_string();
    let out = k2check(
        dir.path(),
        &args(&[
            "import",
            "postman",
            &collection,
            "--out",
            "s",
            "--report",
            "reports/import.json",
        ]),
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(dir.path().join("reports/import.json").is_file());
    std::fs::write(dir.path().join("a-file"), "x").unwrap();
    let out = k2check(
        dir.path(),
        &args(&["import", "postman", &collection, "--out", "a-file"]),
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("--out a-file is a file, not a folder"),
        "{}",
        out.stderr
    );
}

#[test]
fn written_files_hold_no_raw_control_character_and_no_device_name() {
    let dir = tempfile::tempdir().unwrap();
    let collection = serde_json::json!({
        "info": { "name": "Evil\u{1b}[2J\u{0}", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
        "item": [{
            "name": "CON",
            "item": [{
                "name": "r\u{0}\u{1b}",
                "event": [{ "listen": "test", "script": { "exec": ["console.log('\u{1b}[31m\u{0}')"] } }],
                "request": { "method": "GET", "url": "http://127.0.0.1:9/x", "auth": { "type": "digest\u{1b}" } }
            }]
        }]
    });
    std::fs::write(dir.path().join("c.json"), collection.to_string()).unwrap();
    let out = k2check(dir.path(), &args(&["import", "postman", "c.json", "--out", "s"]), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        !out.stderr.contains('\u{1b}') && !out.stderr.contains('\u{0}'),
        "{:?}",
        out.stderr
    );
    let files = files_below(&dir.path().join("s"));
    assert!(files.iter().any(|f| f.ends_with("con-requests.yaml")), "{files:?}");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        assert!(
            !bytes.contains(&0) && !bytes.contains(&0x1b),
            "{} holds a raw control character",
            file.display()
        );
    }
    let validate = k2check(dir.path(), &args(&["validate", "s"]), &[]);
    assert_eq!(validate.code, 0, "{}{}", validate.stdout, validate.stderr);
}

#[test]
fn a_pasted_browser_curl_becomes_a_clean_step_on_the_suites_api() {
    let dir = tempfile::tempdir().unwrap();
    let pasted = "curl 'https://acme.onk2.com/api/workflow/v1/tasks?api_key=Key-In-Query-1' -H 'sec-ch-ua: \"Chromium\"' -H 'sec-fetch-mode: cors' -H 'user-agent: Mozilla/5.0' -H 'accept-language: en' -H 'referer: https://acme.onk2.com/' -H 'Authorization: Bearer Pasted-Token-2' -H 'Content-Type: application/json;charset=UTF-8' --data-raw '{\"password\":\"Json-Pass-3\",\"n\":1}' -F 'file=@report.pdf' --data-binary @body.json";
    // Printed: the pasted credentials are the step's own, with `auth: none`.
    let out = k2check(dir.path(), &args(&["import", "curl", pasted]), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let step = &out.stdout;
    for secret in ["Key-In-Query-1", "Pasted-Token-2", "Json-Pass-3"] {
        assert!(
            !step.contains(secret) && !out.stderr.contains(secret),
            "{secret}: {step}"
        );
    }
    assert!(
        step.contains("auth: none") && step.contains("Bearer {{ secret.AUTHORIZATION }}"),
        "{step}"
    );
    for noise in [
        "sec-ch-ua",
        "sec-fetch-mode",
        "user-agent",
        "accept-language",
        "referer",
    ] {
        assert!(!step.contains(noise), "{noise}: {step}");
    }
    assert!(out.stderr.contains("--keep-headers keeps them"), "{}", out.stderr);
    assert!(step.contains("application/json;charset=UTF-8"), "{step}");
    assert!(step.contains("status: \"2xx\""), "{step}");
    assert!(
        step.contains("https://acme.onk2.com/api/workflow/v1/tasks"),
        "the URL, not the -F value: {step}"
    );
    assert!(
        out.stderr.contains("`-F file=@report.pdf` is a multipart form field"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("`--data-binary @body.json` sends a file's content; it is not imported"),
        "{}",
        out.stderr
    );
    let kept = k2check(dir.path(), &args(&["import", "curl", pasted, "--keep-headers"]), &[]);
    assert!(kept.stdout.contains("sec-ch-ua"), "{}", kept.stdout);
    // `--to` a suite's scenario: the suite's profile sends the credentials, the URL is on `api`.
    std::fs::write(
        dir.path().join("k2check.yaml"),
        "defaults: { auth: k2 }\nenvironments:\n  cloud:\n    vars: { api: \"https://{{ env.K2_HOST }}\" }\n    auth:\n      k2: { type: bearer, token: \"{{ secret.T }}\" }\n",
    )
    .unwrap();
    let out = k2check(
        dir.path(),
        &args(&["import", "curl", pasted, "--to", "tasks.yaml"]),
        &[("K2_HOST", "acme.onk2.com")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let written = std::fs::read_to_string(dir.path().join("tasks.yaml")).unwrap();
    assert!(
        written.contains("url: \"{{ api }}/api/workflow/v1/tasks?api_key="),
        "{written}"
    );
    assert!(
        !written.contains("AUTHORIZATION") && !written.contains("auth: none"),
        "{written}"
    );
    assert!(
        out.stderr
            .contains("the suite's auth profile `k2` sends the credentials"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_collection_is_read_in_passes_whatever_the_order_of_its_members_and_a_pipe_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // `item` first, the variables and auth after it, as Postman exports them.
    let collection = r#"{"item":[{"name":"f","item":[{"name":"r","request":{"method":"GET","url":"{{base}}/x","header":[{"key":"X-Pass","value":"{{code}}"}]}}]}],
        "auth":{"type":"basic","basic":[{"key":"username","value":"u"},{"key":"password","value":"{{code}}"}]},
        "variable":[{"key":"base","value":"http://127.0.0.1:9"},{"key":"code","value":"Late-Secret-9"}],
        "info":{"name":"late","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}}"#;
    std::fs::write(dir.path().join("c.json"), collection).unwrap();
    let out = k2check(dir.path(), &args(&["import", "postman", "c.json", "--out", "s"]), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let yaml = std::fs::read_to_string(dir.path().join("s/k2check.yaml")).unwrap();
    assert!(
        yaml.contains("code: \"{{ secret.CODE }}\"") && !yaml.contains("Late-Secret-9"),
        "{yaml}"
    );
    assert!(
        std::fs::read_to_string(dir.path().join("s/f.yaml"))
            .unwrap()
            .contains("{{ base }}/x")
    );
    assert!(
        std::process::Command::new("mkfifo")
            .arg(dir.path().join("pipe.json"))
            .status()
            .unwrap()
            .success()
    );
    let started = std::time::Instant::now();
    let out = k2check(
        dir.path(),
        &args(&["import", "postman", "pipe.json", "--out", "p"]),
        &[],
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
}

#[test]
fn a_scenario_file_that_cannot_be_written_stops_the_import_with_exit_3_and_writes_no_suite_file() {
    let dir = tempfile::tempdir().unwrap();
    let collection = fixture("scripts.postman_collection.json").display().to_string();
    // The scenario file's name is taken by a folder: it cannot be written.
    std::fs::create_dir_all(dir.path().join("s/scripts.yaml/x")).unwrap();
    let out = k2check(
        dir.path(),
        &args(&["import", "postman", &collection, "--out", "s", "--force"]),
        &[],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr.contains("cannot write") && out.stderr.contains("scripts.yaml"),
        "{}",
        out.stderr
    );
    // k2check.yaml is written last: a suite cut short has none.
    assert!(!dir.path().join("s/k2check.yaml").exists());
}

#[test]
fn curl_to_a_scenario_keeps_its_link_and_refuses_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("real.yaml"),
        "name: r\nsteps:\n  - request: { url: \"http://x/a\" }\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("real.yaml", dir.path().join("link.yaml")).unwrap();
    let out = k2check(
        dir.path(),
        &args(&["import", "curl", "curl http://x/b", "--to", "link.yaml"]),
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        std::fs::symlink_metadata(dir.path().join("link.yaml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(dir.path().join("real.yaml"))
            .unwrap()
            .contains("http://x/b")
    );
    assert!(
        std::process::Command::new("mkfifo")
            .arg(dir.path().join("pipe.yaml"))
            .status()
            .unwrap()
            .success()
    );
    let out = k2check(
        dir.path(),
        &args(&["import", "curl", "curl http://x/b", "--to", "pipe.yaml"]),
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
}
