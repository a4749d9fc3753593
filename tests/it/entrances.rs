//! The ways in beside the core run (pasted URLs, `.env` files, the starter suite, a selection,
//! a stop) hold as the run does: nothing sent where it should not go, no blank value taken for
//! a set one, no secret shown.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::support::{args, k2check};

/// A mock suite: `api` is the mock, and the default profile gets its token there.
const MOCK_SUITE: &str = "defaults: { auth: k2 }\nenvironments:\n  mock:\n    vars: { api: \"{{ mock.url }}\" }\n    auth:\n      k2: { type: client_credentials, issuer: \"{{ mock.issuer }}\", client_id: \"{{ mock.client_id }}\", client_secret: \"{{ mock.client_secret }}\", scope: \"https://api.k2.com/\" }\n";

/// A socket on loopback that counts the connections made to it.
struct Counting {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

fn counting_listener() -> Counting {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = listener.local_addr().expect("its address").port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let seen = accepted.clone();
    std::thread::spawn(move || {
        for connection in listener.incoming() {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(connection);
        }
    });
    Counting { port, accepted }
}

fn mock_suite(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("k2check.yaml"), MOCK_SUITE).expect("written");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("written");
    }
    dir
}

#[test]
fn under_mock_a_step_for_another_origin_is_refused_before_anything_is_sent() {
    let other = counting_listener();
    let pasted = format!("http://127.0.0.1:{}/api/workflow/v1/tasks", other.port);
    let cases = [
        format!("name: pasted\nsteps:\n  - name: a pasted URL\n    request: {{ url: \"{pasted}\" }}\n"),
        format!(
            "name: pasted in finally\nsteps:\n  - request: {{ url: \"{{{{ api }}}}/api/odatav4/v4\" }}\nfinally:\n  - name: clean up\n    request: {{ url: \"{pasted}\" }}\n"
        ),
    ];
    for scenario in &cases {
        let dir = mock_suite(&[("s.yaml", scenario)]);
        let out = k2check(dir.path(), &args(&["run", ".", "--mock"]), &[]);
        assert_eq!(out.code, 2, "{scenario}\n{}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains("s.yaml:"), "{}", out.stderr);
        assert!(
            out.stderr
                .contains(&format!("would send to http://127.0.0.1:{}", other.port)),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("{{ api }}/api/workflow/v1/tasks"), "{}", out.stderr);
    }
    // The suite's set-up and teardown, and a profile's token endpoint, likewise.
    let setup = format!("{MOCK_SUITE}setup:\n  - name: outside\n    request: {{ url: \"{pasted}\" }}\n");
    let ok = "name: fine\nsteps:\n  - request: { url: \"{{ api }}/api/odatav4/v4\" }\n";
    let dir = mock_suite(&[("k2check.yaml", &setup), ("s.yaml", ok)]);
    let out = k2check(dir.path(), &args(&["run", ".", "--mock"]), &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    let profile = MOCK_SUITE.replace(
        "\"{{ mock.issuer }}\"",
        &format!("\"http://127.0.0.1:{}/t\"", other.port),
    );
    let dir = mock_suite(&[("k2check.yaml", &profile), ("s.yaml", ok)]);
    let out = k2check(dir.path(), &args(&["run", ".", "--mock"]), &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        other.accepted.load(Ordering::SeqCst),
        0,
        "a connection reached the other origin"
    );
}

#[test]
fn under_mock_a_url_only_a_response_decides_is_refused_when_it_comes() {
    let other = counting_listener();
    // The URL needs a capture, so only the run can know it: the client refuses it.
    let scenario = format!(
        "name: from a response\nsteps:\n  - request: {{ url: \"{{{{ api }}}}/api/odatav4/v4\" }}\n    capture: {{ context: \"$['@odata.context']\" }}\n  - name: elsewhere\n    request: {{ url: \"http://127.0.0.1:{}/x?c={{{{ context | length }}}}\" }}\n",
        other.port
    );
    let dir = mock_suite(&[("s.yaml", &scenario)]);
    let out = k2check(dir.path(), &args(&["run", ".", "--mock"]), &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(&format!(
            "not sent: http://127.0.0.1:{} is not the mock's origin",
            other.port
        )),
        "{}",
        out.stdout
    );
    assert_eq!(
        other.accepted.load(Ordering::SeqCst),
        0,
        "a connection reached the other origin"
    );
}

/// A suite whose default profile is Basic, against the test server.
const BASIC_DEFAULT: &str = "defaults: { auth: basic }\nenvironments:\n  test:\n    vars: { api: \"{{ env.TEST_URL }}\" }\n    auth:\n      basic: { type: basic, username: alice, password: \"{{ secret.PASSWORD }}\" }\n";

#[test]
fn a_step_with_its_own_authorization_header_sends_it_and_no_profile_header() {
    let scenario = "name: pasted\nsteps:\n  - name: from the browser\n    request:\n      url: \"{{ api }}/echo\"\n      headers: { authorization: \"Bearer pasted-by-hand\" }\n    expect:\n      json: { $.headers.authorization: \"Bearer pasted-by-hand\" }\n  - name: with the profile\n    request: { url: \"{{ api }}/echo\" }\n    expect:\n      json: { $.headers.authorization: { starts_with: \"Basic \" } }\n";
    let dir = crate::support::suite(&[("k2check.yaml", BASIC_DEFAULT), ("s.yaml", scenario)]);
    let url = crate::server::shared().url();
    let env = [("TEST_URL", url.as_str()), ("PASSWORD", "pw-Secret-1")];
    let out = k2check(dir.path(), &args(&["run", ".", "-v"]), &env);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // `-v` shows exactly what went out: one Authorization header on each request.
    let first = out.stdout.split("from the browser").nth(1).unwrap_or_default();
    let first = first.split("with the profile").next().unwrap_or_default();
    let sent: Vec<&str> = first
        .lines()
        .filter(|l| l.trim_start().starts_with("> ") && l.to_ascii_lowercase().contains("authorization"))
        .collect();
    assert_eq!(sent.len(), 1, "{first}");
    assert!(!out.stdout.contains("pw-Secret-1"), "{}", out.stdout);
    // `validate` says so once, as a note.
    let out = k2check(dir.path(), &args(&["validate", "."]), &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr
            .matches("note: this step writes its own `Authorization` header")
            .count(),
        1,
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("s.yaml:6:"), "{}", out.stderr);
}

/// A cloud-like suite: the host and the secret come from the environment.
const CLOUD_SUITE: &str = "defaults: { auth: k2 }\nenvironments:\n  cloud:\n    vars:\n      api: \"https://{{ env.K2_HOST }}\"\n      region: \"{{ env.K2_REGION | default('eu') }}\"\n    auth:\n      k2: { type: basic, username: \"{{ env.K2_USER }}\", password: \"{{ secret.K2_PASSWORD }}\" }\n";

const ONE_STEP: &str = "name: one\nsteps:\n  - request: { url: \"{{ api }}/x/{{ region }}\" }\n";

#[test]
fn a_blank_value_counts_as_not_set_and_is_named_with_where_it_was_set() {
    // `.env.example` copied to `.env` with one line filled.
    let dir = crate::support::suite(&[
        ("k2check.yaml", CLOUD_SUITE),
        ("s.yaml", ONE_STEP),
        (
            ".env",
            "# copied from .env.example\nK2_HOST=\nK2_USER=alice\nK2_PASSWORD=\"  \"\nK2_REGION=\n",
        ),
    ]);
    let out = k2check(dir.path(), &args(&["run", "."]), &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("`K2_HOST` is blank (set blank at ./.env:2)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("`K2_PASSWORD` is blank (set blank at ./.env:4)"),
        "{}",
        out.stderr
    );
    // A variable with a default may be blank: the default is used, nothing is said.
    assert!(!out.stderr.contains("K2_REGION"), "{}", out.stderr);
    assert!(out.stderr.contains("nothing was sent"), "{}", out.stderr);
    let out = k2check(dir.path(), &args(&["list", ".", "--env", "cloud"]), &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("not set here: K2_HOST (set blank at ./.env:2), K2_PASSWORD (set blank at ./.env:4)"),
        "{}",
        out.stdout
    );
    // From the shell, a blank value is no value either, and a blank --var is not applied.
    std::fs::remove_file(dir.path().join(".env")).unwrap();
    let out = k2check(
        dir.path(),
        &args(&["run", ".", "--var", "region= "]),
        &[("K2_HOST", " "), ("K2_USER", "alice"), ("K2_PASSWORD", "pw")],
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("`K2_HOST` is blank (set blank in the environment)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("`region` is given blank"), "{}", out.stderr);
}

#[test]
fn set_up_and_teardown_read_their_variables_like_any_step() {
    let suite = format!(
        "{}setup:\n  - name: set up\n    request: {{ url: \"{{{{ api }}}}{{{{ env.SETUP_PATH }}}}\" }}\n    expect: {{ status: 200 }}\nteardown:\n  - name: tear down\n    request: {{ url: \"{{{{ api }}}}/status/{{{{ secret.TEARDOWN_CODE | default('500') }}}}\" }}\n    expect: {{ status: 204 }}\n",
        crate::support::TEST_SUITE
    );
    let scenario = "name: a\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n";
    let dir = crate::support::suite(&[
        ("k2check.yaml", &suite),
        ("a.yaml", scenario),
        (".env", "TEARDOWN_CODE=204\n"),
    ]);
    let url = crate::server::shared().url();
    let out = k2check(
        dir.path(),
        &args(&["run", "."]),
        &[("TEST_URL", &url), ("SETUP_PATH", "/json")],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // Unset, the set-up's variable is named before anything is sent.
    let out = k2check(dir.path(), &args(&["run", "."]), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("`SETUP_PATH` is not set"), "{}", out.stderr);
}

#[test]
fn a_dotenv_or_row_file_that_is_a_pipe_a_device_or_not_text_is_refused_at_once() {
    let url = crate::server::shared().url();
    let scenario = "name: a\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n";
    let fifo = |path: &std::path::Path| {
        assert!(
            std::process::Command::new("mkfifo")
                .arg(path)
                .status()
                .unwrap()
                .success()
        );
    };
    // A pipe as `.env`.
    let dir = crate::support::suite(&[("a.yaml", scenario)]);
    fifo(&dir.path().join(".env"));
    let started = std::time::Instant::now();
    let out = k2check(dir.path(), &args(&["run", "."]), &[("TEST_URL", &url)]);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(".env: not a regular file"), "{}", out.stderr);
    // `/dev/zero` as `.env`, and a `.env` that is not UTF-8.
    let dir = crate::support::suite(&[("a.yaml", scenario)]);
    std::os::unix::fs::symlink("/dev/zero", dir.path().join(".env")).unwrap();
    let out = k2check(dir.path(), &args(&["run", "."]), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    let dir = crate::support::suite(&[("a.yaml", scenario)]);
    std::fs::write(dir.path().join(".env"), b"A=\xff\xfe\n").unwrap();
    let out = k2check(dir.path(), &args(&["run", "."]), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("not UTF-8"), "{}", out.stderr);
    // A row file that is a pipe or a device.
    for (name, make) in [("rows.csv", 0), ("zero.csv", 1)] {
        let rows =
            format!("name: r\nrows: {{ file: {name} }}\nsteps:\n  - request: {{ url: \"{{{{ api }}}}/json\" }}\n");
        let dir = crate::support::suite(&[("r.yaml", &rows)]);
        match make {
            0 => fifo(&dir.path().join(name)),
            _ => std::os::unix::fs::symlink("/dev/zero", dir.path().join(name)).unwrap(),
        }
        let started = std::time::Instant::now();
        let out = k2check(dir.path(), &args(&["run", "."]), &[("TEST_URL", &url)]);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    }
}

#[test]
fn a_multi_line_dotenv_value_is_read_whole_and_a_yaml_vars_file_as_yaml() {
    let url = crate::server::shared().url();
    let scenario = "name: a\nsteps:\n  - request:\n      url: \"{{ api }}/echo\"\n      method: POST\n      body: \"{{ env.PEM }}|{{ filter }}\"\n    expect:\n      json: { $.body: \"-----BEGIN\\nline\\n-----END|$top=1&a=b\" }\n";
    let dir = crate::support::suite(&[("a.yaml", scenario), (".env", "PEM=\"-----BEGIN\nline\n-----END\"\n")]);
    // Every line has `=`: still YAML, as its extension says.
    let elsewhere = tempfile::tempdir().unwrap();
    let vars = elsewhere.path().join("vars.yaml");
    std::fs::write(&vars, "filter: \"$top=1&a=b\"\n").unwrap();
    let vars = vars.display().to_string();
    let out = k2check(
        dir.path(),
        &args(&["run", ".", "--vars-file", &vars]),
        &[("TEST_URL", &url)],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn a_host_variable_that_holds_a_url_is_caught_before_anything_is_sent() {
    let listener = counting_listener();
    let dir = crate::support::suite(&[("k2check.yaml", CLOUD_SUITE), ("s.yaml", ONE_STEP)]);
    let env = [("K2_USER", "alice"), ("K2_PASSWORD", "pw")];
    let host = format!("http://127.0.0.1:{}", listener.port);
    let out = k2check(
        dir.path(),
        &args(&["run", "."]),
        &[&env[..], &[("K2_HOST", host.as_str())]].concat(),
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("`api` is not a usable URL: its host is a scheme"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("K2_HOST holds a URL"), "{}", out.stderr);
    assert!(out.stderr.contains("k2check.yaml:5:"), "{}", out.stderr);
    // A `//` made by an empty variable with a default, in a token endpoint.
    let suite = "defaults: { auth: k2 }\nenvironments:\n  cloud:\n    vars: { api: \"https://{{ env.K2_HOST }}\" }\n    auth:\n      k2: { type: client_credentials, token_url: \"https://login.onk2.com/{{ env.K2_TENANT | default('') }}/connect/token\", client_id: x, client_secret: \"{{ secret.S }}\" }\n";
    let dir = crate::support::suite(&[
        ("k2check.yaml", suite),
        ("s.yaml", ONE_STEP.replace("/{{ region }}", "").as_str()),
    ]);
    let out = k2check(
        dir.path(),
        &args(&["run", "."]),
        &[("K2_HOST", "acme.onk2.com"), ("S", "s3")],
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("`auth.k2` is not a usable URL: its path holds `//`"),
        "{}",
        out.stderr
    );
    assert_eq!(listener.accepted.load(Ordering::SeqCst), 0);
}

#[test]
fn an_oauth_error_answer_gets_the_token_hint_wherever_it_appears() {
    // The starter suite's token check, with a wrong secret: it posts the form itself.
    let scenario = "name: token\nauth: none\nsteps:\n  - name: token for the K2 APIs\n    request:\n      method: POST\n      url: \"{{ mock.token_url }}\"\n      form: { grant_type: client_credentials, client_id: \"{{ mock.client_id }}\", client_secret: wrong-secret, scope: \"https://api.k2.com/\" }\n    expect: { status: 200 }\n";
    let dir = mock_suite(&[("s.yaml", scenario)]);
    let out = k2check(dir.path(), &args(&["run", ".", "--mock"]), &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("k2check secret-hash"), "{}", out.stdout);
    assert!(!out.stdout.contains("sent no credentials"), "{}", out.stdout);
    // With no credentials at all, that is what is said.
    let bare = "name: bare\nauth: none\nsteps:\n  - request: { url: \"{{ api }}/api/odatav4/v4\" }\n    expect: { status: 200 }\n";
    let dir = mock_suite(&[("s.yaml", bare)]);
    let out = k2check(dir.path(), &args(&["run", ".", "--mock"]), &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("sent no credentials"), "{}", out.stdout);
}

#[test]
fn every_report_path_is_checked_before_anything_is_sent() {
    let listener = counting_listener();
    let scenario = format!(
        "name: a\nsteps:\n  - request: {{ url: \"http://127.0.0.1:{}/x\" }}\n",
        listener.port
    );
    let dir = crate::support::suite(&[("a.yaml", &scenario)]);
    std::fs::create_dir(dir.path().join("reports")).unwrap();
    let env = [("TEST_URL", "http://127.0.0.1:9")];
    let out = k2check(dir.path(), &args(&["run", ".", "--junit", "reports"]), &env);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("cannot write reports: it is a folder"),
        "{}",
        out.stderr
    );
    let out = k2check(
        dir.path(),
        &args(&["run", ".", "--junit", "r.out", "--html", "./r.out"]),
        &env,
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("--junit and --html name the same file"),
        "{}",
        out.stderr
    );
    assert_eq!(listener.accepted.load(Ordering::SeqCst), 0);
}

#[test]
fn nothing_is_written_through_a_symlink_out_of_the_target_folder() {
    let outside = tempfile::tempdir().unwrap();
    let secret_file = outside.path().join("victim");
    std::fs::write(&secret_file, "untouched\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    // init: a `.gitignore` and a `k2check.yaml` that lead outside.
    for name in [".gitignore", "k2check.yaml"] {
        let suite = dir.path().join(format!("s-{}", name.trim_start_matches('.')));
        std::fs::create_dir(&suite).unwrap();
        std::fs::create_dir(suite.join(".git")).unwrap();
        std::os::unix::fs::symlink(&secret_file, suite.join(name)).unwrap();
        let shown = suite.display().to_string();
        let out = k2check(dir.path(), &args(&["init", &shown, "--no-input"]), &[]);
        assert_eq!(out.code, 2, "{name}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains(&format!("{name} is a symbolic link")),
            "{}",
            out.stderr
        );
        assert!(!suite.join("scenarios").exists(), "nothing was written");
    }
    // import postman --force into a suite whose k2check.yaml leads outside.
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/postman/k2-v21.postman_collection.json");
    let target = dir.path().join("imported");
    std::fs::create_dir(&target).unwrap();
    std::os::unix::fs::symlink(&secret_file, target.join("k2check.yaml")).unwrap();
    let out = k2check(
        dir.path(),
        &args(&[
            "import",
            "postman",
            &fixture.display().to_string(),
            "--out",
            "imported",
            "--force",
        ]),
        &[],
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("k2check.yaml is a symbolic link"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&secret_file).unwrap(), "untouched\n");
}

#[test]
fn docs_write_each_page_whole_and_the_index_only_after_every_page() {
    let dir = crate::support::suite(&[("a.yaml", "name: a\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n")]);
    // A page that cannot be written: the index that would link to it is not written either.
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(out_dir.join("root.md/blocked")).unwrap();
    let out = k2check(dir.path(), &args(&["docs", ".", "--out", "out"]), &[]);
    assert_eq!(out.code, 3, "{}{}", out.stdout, out.stderr);
    let pages: Vec<_> = crate::support::files_below(&out_dir);
    assert!(
        !out_dir.join("index.md").exists() && !out_dir.join("docs.html").exists(),
        "{pages:?}"
    );
    assert!(
        pages
            .iter()
            .all(|p| !p.file_name().unwrap().to_string_lossy().ends_with(".tmp")),
        "{pages:?}"
    );
    // Written in full, nothing else is left beside the pages.
    std::fs::remove_dir_all(out_dir.join("root.md")).unwrap();
    let out = k2check(dir.path(), &args(&["docs", ".", "--out", "out"]), &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let pages = crate::support::files_below(&out_dir);
    assert!(pages.iter().any(|p| p.ends_with("index.md")), "{pages:?}");
    assert!(
        pages
            .iter()
            .all(|p| !p.file_name().unwrap().to_string_lossy().ends_with(".tmp")),
        "{pages:?}"
    );
}

#[test]
fn a_selection_needs_only_what_it_selects() {
    let a = "name: a\ntags: [smoke]\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n";
    let b = "name: b\ntags: [slow]\nsteps:\n  - request: { url: \"{{ api }}/json?x={{ b }}\" }\n";
    let dir = crate::support::suite(&[("a.yaml", a), ("b.yaml", b)]);
    let url = crate::server::shared().url();
    for selected in [&["--tag", "smoke"][..], &["--name", "a"], &["--skip-tag", "slow"]] {
        let out = k2check(
            dir.path(),
            &args(&[&["run", "."], selected].concat()),
            &[("TEST_URL", &url)],
        );
        assert_eq!(out.code, 0, "{selected:?}: {}{}", out.stdout, out.stderr);
    }
    let out = k2check(dir.path(), &args(&["validate", "."]), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("undefined variable `b`"), "{}", out.stderr);
}

#[test]
fn list_names_only_the_variables_of_the_branch_taken_and_lists_without_an_environment() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = k2check(
        root,
        &args(&["list", "scenarios", "--env", "cloud"]),
        &[("K2_ISSUER", "https://login.example.com/t")],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let reads = out
        .stdout
        .lines()
        .find(|l| l.starts_with("environment `cloud` reads:"))
        .unwrap_or_default();
    assert!(reads.contains("K2_ISSUER") && reads.contains("K2_CLIENT_ID"), "{reads}");
    assert!(!reads.contains("K2_TENANT_ID"), "{reads}");
    let missing = out
        .stdout
        .lines()
        .find(|l| l.starts_with("not set here:"))
        .unwrap_or_default();
    assert!(
        !missing.contains("K2_TENANT_ID") && missing.contains("K2_CLIENT_SECRET"),
        "{missing}"
    );
    // Without --env, a suite of several environments is listed all the same.
    let out = k2check(root, &args(&["list", "scenarios"]), &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("25 scenarios"), "{}", out.stdout);
    assert!(out.stdout.contains("environments: mock, cloud"), "{}", out.stdout);
}

#[test]
fn a_secret_written_into_a_url_is_masked_as_the_server_echoes_it() {
    let scenario =
        "name: echo\nsteps:\n  - request: { url: \"{{ api }}/echo?p={{ secret.PW }}\" }\n    expect: { status: 201 }\n";
    let dir = crate::support::suite(&[("s.yaml", scenario)]);
    let url = crate::server::shared().url();
    let out = k2check(
        dir.path(),
        &args(&["run", ".", "-vv", "--json", "r.jsonl", "--junit", "r.xml"]),
        &[("TEST_URL", &url), ("PW", "Xml&Secret'Pass<1>")],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let reports = [
        out.stdout,
        std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap(),
        std::fs::read_to_string(dir.path().join("r.xml")).unwrap(),
    ];
    for text in reports {
        assert!(text.contains("***"), "{text}");
        assert!(
            !text.contains("Secret%27Pass") && !text.contains("Secret'Pass"),
            "{text}"
        );
        assert!(
            !text.contains("Secret&#39;Pass") && !text.contains("Secret&apos;Pass"),
            "{text}"
        );
    }
}

#[test]
fn a_stop_says_what_it_left_behind_and_marks_what_was_running() {
    // The instance is made, the step that would capture its task is cut short by the stop,
    // and the clean-up that needs the task cannot run.
    let scenario = "name: leaves something\nsteps:\n  - name: make it\n    request: { url: \"{{ api }}/json\" }\n    capture: { made: $.id }\n  - name: wait for its task\n    request: { url: \"{{ api }}/slow/20000\" }\n    capture: { sn: $.sn }\nfinally:\n  - name: complete the task\n    request: { url: \"{{ api }}/echo?sn={{ sn }}\" }\n";
    // A teardown still running when a second signal ends the clean-up.
    let suite = format!(
        "{}teardown:\n  - name: slow clean-up\n    request: {{ url: \"{{{{ api }}}}/slow/20000\" }}\n",
        crate::support::TEST_SUITE
    );
    let dir = crate::support::suite(&[("k2check.yaml", &suite), ("s.yaml", scenario)]);
    let child = crate::support::spawn_run(dir.path(), &["--html", "r.html", "--grace", "30s"]);
    std::thread::sleep(std::time::Duration::from_millis(1000));
    crate::support::signal(&child, "INT");
    std::thread::sleep(std::time::Duration::from_millis(1000));
    crate::support::signal(&child, "INT");
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}");
    assert!(
        stdout.contains(
            "clean-up `complete the task` did not run: needs `sn`, which the run was stopped before capturing"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("step `wait for its task`: stopped while it ran"),
        "{stdout}"
    );
    // The teardown in flight is interrupted, not "skipped in 0 ms".
    assert!(stdout.contains("STOP  suite teardown"), "{stdout}");
    assert!(!stdout.contains("SKIP  suite teardown"), "{stdout}");
    let json = std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
    assert!(json.contains("which the run was stopped before capturing"), "{json}");
    assert!(json.contains("\"status\":\"interrupted\""), "{json}");
    let junit = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    assert!(junit.contains("which the run was stopped before capturing"), "{junit}");
    crate::support::assert_valid_junit(&dir.path().join("r.xml"));
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("<h2>Stopped</h2>"), "{html}");
    assert!(html.contains("clean-up complete the task"), "{html}");
}

#[test]
fn one_cause_is_one_report() {
    // A wrong secret: said in full once with its hint, then named in one line a scenario.
    let suite = MOCK_SUITE.replace("\"{{ mock.client_secret }}\"", "wrong-secret");
    let scenario = |n: &str| {
        format!(
            "name: {n}\nsteps:\n  - name: one\n    request: {{ url: \"{{{{ api }}}}/api/odatav4/v4\" }}\n  - name: two\n    request: {{ url: \"{{{{ api }}}}/api/odatav4/v4\" }}\nfinally:\n  - name: clean\n    request: {{ url: \"{{{{ api }}}}/api/odatav4/v4\" }}\n"
        )
    };
    let files: Vec<(String, String)> = ["a", "b", "c", "d"]
        .iter()
        .map(|n| (format!("{n}.yaml"), scenario(n)))
        .collect();
    let mut all: Vec<(&str, &str)> = vec![("k2check.yaml", &suite)];
    all.extend(files.iter().map(|(f, t)| (f.as_str(), t.as_str())));
    let dir = mock_suite(&all);
    let out = k2check(dir.path(), &args(&["run", ".", "--mock"]), &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        out.stdout.matches("k2check secret-hash").count(),
        2,
        "once in full, once in the recap: {}",
        out.stdout
    );
    assert_eq!(
        out.stdout
            .matches("no token from auth profile `k2` (why: above)")
            .count(),
        4,
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("no token from auth profile `k2`, so 8 steps in 4 scenarios could not run"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.lines().count() < 30, "{}", out.stdout);
    // A failed status folds the checks that cannot mean anything on that answer, in every report.
    let folded = "name: folded\nauth: none\nsteps:\n  - request: { url: \"{{ api }}/api/odatav4/v4\" }\n    expect:\n      status: 200\n      json: { $.value: { count: 3 }, $.name: x }\n      headers: { content-type: { contains: json } }\n";
    let dir = mock_suite(&[("s.yaml", folded)]);
    let out = k2check(
        dir.path(),
        &args(&[
            "run", ".", "--mock", "--json", "r.jsonl", "--junit", "r.xml", "--html", "r.html",
        ]),
        &[],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("3 more checks not evaluated on this answer"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("failed: json"), "{}", out.stdout);
    for report in ["r.jsonl", "r.xml", "r.html"] {
        let text = std::fs::read_to_string(dir.path().join(report)).unwrap();
        assert!(
            text.contains("3 more checks not evaluated on this answer"),
            "{report}: {text}"
        );
    }
}

#[test]
fn verbose_shows_each_profiles_discovery_and_token_exchange_once_masked() {
    let suite = MOCK_SUITE.replace("\"{{ mock.client_secret }}\"", "Wrong-Secret-4711");
    let scenario = |n: &str| format!("name: {n}\nsteps:\n  - request: {{ url: \"{{{{ api }}}}/api/odatav4/v4\" }}\n");
    let (a, b) = (scenario("a"), scenario("b"));
    let dir = mock_suite(&[("k2check.yaml", &suite), ("a.yaml", &a), ("b.yaml", &b)]);
    let out = k2check(
        dir.path(),
        &args(&["run", ".", "--mock", "-vv", "--json", "r.jsonl", "--html", "r.html"]),
        &[],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        out.stdout.matches("auth profile `k2`: discovery").count(),
        1,
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stdout.matches("FAILED: auth profile `k2`: token request").count(),
        1,
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("\"error\": \"invalid_client\""), "{}", out.stdout);
    let json = std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    for text in [&out.stdout, &json, &html] {
        assert!(!text.contains("Wrong-Secret-4711"), "{text}");
    }
    assert!(html.contains("Auth profiles: discovery and tokens"), "{html}");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let exchanges: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .inspect(|line| assert!(validator.is_valid(line), "{line}"))
        .filter(|line| line["type"] == "auth_exchange")
        .collect();
    assert_eq!(exchanges.len(), 2, "{json}");
}

#[test]
fn a_large_suite_is_read_file_by_file_and_a_file_that_is_not_text_is_named() {
    // Over 2 MiB of scenario text: the files stay on disk and are read when decoded.
    let step = "  - request: { url: \"{{ api }}/json\" }\n    expect: { status: 200 }\n";
    let body = step.repeat(4000);
    let dir = crate::support::suite(&[]);
    for i in 0..10 {
        std::fs::write(
            dir.path().join(format!("s{i}.yaml")),
            format!("name: s{i}\nsteps:\n{body}"),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("bad.yaml"), b"name: \xff\xfe\nsteps: []\n").unwrap();
    let url = crate::server::shared().url();
    let out = k2check(dir.path(), &args(&["validate", "."]), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("bad.yaml: not UTF-8 text"), "{}", out.stderr);
    std::fs::remove_file(dir.path().join("bad.yaml")).unwrap();
    let out = k2check(dir.path(), &args(&["run", ".", "--name", "s3"]), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("4000 steps"), "{}", out.stdout);
}

#[test]
fn csv_rows_are_read_as_their_runs_start_each_with_its_own_values() {
    // Past several checkpoints (every 256 rows): each run gets its own row, in any order.
    let mut csv = String::from("who,n\n");
    for i in 1..=600 {
        csv.push_str(&format!("\"user {i}\",{i}\n"));
    }
    let scenario = "name: per row\nrows: { file: rows.csv }\nsteps:\n  - request: { url: \"{{ api }}/echo\", query: { who: \"{{ who }}\", n: \"{{ n }}\" } }\n    expect:\n      json: { $.query: \"who=user%20{{ n }}&n={{ n }}\" }\n";
    let dir = crate::support::suite(&[("s.yaml", scenario), ("rows.csv", &csv)]);
    let url = crate::server::shared().url();
    let out = k2check(dir.path(), &args(&["run", ".", "--jobs", "16"]), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("600 scenarios: 600 passed"), "{}", out.stdout);
    let out = k2check(dir.path(), &args(&["list", "."]), &[("TEST_URL", &url)]);
    for (row, label) in [
        (1, "user 1"),
        (256, "user 256"),
        (257, "user 257"),
        (513, "user 513"),
        (600, "user 600"),
    ] {
        assert!(
            out.stdout.contains(&format!("per row [row {row}: {label}]  (s.yaml")),
            "{row}: {}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("600 scenarios"), "{}", out.stdout);
}

#[test]
fn a_report_or_mock_data_file_that_is_a_pipe_is_refused_at_once() {
    let dir = crate::support::suite(&[("a.yaml", "name: a\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n")]);
    assert!(
        std::process::Command::new("mkfifo")
            .arg(dir.path().join("pipe"))
            .status()
            .unwrap()
            .success()
    );
    let started = std::time::Instant::now();
    let out = k2check(
        dir.path(),
        &args(&["docs", ".", "--out", "d", "--from-run", "pipe"]),
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    let out = k2check(dir.path(), &args(&["mock", "--port", "0", "--data", "pipe"]), &[]);
    assert_ne!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}
