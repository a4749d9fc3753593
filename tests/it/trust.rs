//! Safe on a production tenant: credentials never mixed up or stalled, `--mock` never
//! reaching anything but the mock.

use std::time::{Duration, Instant};

use crate::support::{k2check, signal, spawn_run, suite};

/// A suite for `--mock` whose two profiles differ only in their secret.
const TWO_SECRETS: &str = r#"
environments:
  mock:
    vars: { api: "{{ mock.url }}" }
    auth:
      right:
        type: client_credentials
        token_url: "{{ mock.token_url }}"
        client_id: "{{ mock.client_id }}"
        client_secret: "{{ mock.client_secret }}"
        scope: https://api.k2.com/
      wrong:
        type: client_credentials
        token_url: "{{ mock.token_url }}"
        client_id: "{{ mock.client_id }}"
        client_secret: not-the-secret-at-all
        scope: https://api.k2.com/
  cloud:
    vars: { api: "https://tenant.example" }
"#;

fn uses(profile: &str) -> String {
    format!(
        "name: with {profile}\nauth: {profile}\nsteps:\n  - request: {{ url: \"{{{{ api }}}}/api/workflow/v1/workflows\" }}\n    expect: {{ status: 200 }}\n"
    )
}

#[test]
fn a_wrong_secret_never_rides_on_the_right_profiles_token_in_either_order() {
    for (first, second) in [("right", "wrong"), ("wrong", "right")] {
        let dir = suite(&[
            ("k2check.yaml", TWO_SECRETS),
            ("a.yaml", &uses(first)),
            ("b.yaml", &uses(second)),
        ]);
        let out = k2check(
            dir.path(),
            &["run", ".", "--mock", "--jobs", "1"].map(String::from),
            &[],
        );
        assert_eq!(out.code, 1, "{}", out.stdout);
        assert!(out.stdout.contains("PASS  with right"), "{first} first: {}", out.stdout);
        assert!(
            out.stdout.contains("ERROR with wrong") && out.stdout.contains("invalid_client"),
            "{first} first: {}",
            out.stdout
        );
    }
}

#[test]
fn mock_with_env_is_a_usage_error() {
    let dir = suite(&[("k2check.yaml", TWO_SECRETS), ("a.yaml", &uses("right"))]);
    let out = k2check(
        dir.path(),
        &["run", ".", "--mock", "--env", "cloud"].map(String::from),
        &[],
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("--env") && out.stderr.contains("--mock"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stdout.contains("PASS") && !out.stdout.contains("running"),
        "{}",
        out.stdout
    );
}

#[test]
fn under_mock_k2check_env_is_ignored_and_the_first_line_says_so() {
    let dir = suite(&[("k2check.yaml", TWO_SECRETS), ("a.yaml", &uses("right"))]);
    let out = k2check(
        dir.path(),
        &["run", ".", "--mock"].map(String::from),
        &[("K2CHECK_ENV", "cloud")],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let first = out.stdout.lines().next().unwrap_or_default();
    assert!(first.contains("in environment `mock`"), "{first}");
    assert!(first.contains("sending to http://127.0.0.1:"), "{first}");
    assert!(first.contains("K2CHECK_ENV=cloud is ignored under --mock"), "{first}");
    assert!(!out.stdout.contains("tenant.example"), "{}", out.stdout);
    // Without --mock the variable chooses the environment.
    let plain = "name: no auth\nsteps:\n  - request: { url: \"{{ api }}/api/workflow/v1/workflows\" }\n";
    let dir = suite(&[("k2check.yaml", TWO_SECRETS), ("a.yaml", plain)]);
    let out = k2check(
        dir.path(),
        &["run", ".", "--dry-run"].map(String::from),
        &[("K2CHECK_ENV", "cloud")],
    );
    assert!(
        out.stdout.contains("https://tenant.example/api/workflow/v1/workflows"),
        "{}",
        out.stdout
    );
}

/// A login server that accepts connections and never answers.
fn stalled_server() -> String {
    let addr = crate::server::serve_on_own_thread(|listener| async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("http://{addr}")
}

#[test]
fn a_login_server_that_never_answers_times_out_for_run_and_token() {
    let stalled = stalled_server();
    let suite_text = format!(
        "defaults: {{ timeout: 1s }}\nenvironments:\n  test:\n    vars: {{ api: \"{stalled}\" }}\n    auth:\n      k2: {{ type: client_credentials, token_url: \"{stalled}/connect/token\", client_id: c, client_secret: s3cr3t-value }}\n      quick: {{ type: client_credentials, issuer: \"{stalled}/tenant\", client_id: c, client_secret: s3cr3t-value, timeout: 300ms }}\n"
    );
    let dir = suite(&[("k2check.yaml", &suite_text), ("a.yaml", &uses("k2"))]);
    let started = Instant::now();
    let out = k2check(dir.path(), &["run", "."].map(String::from), &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("timed out after 1 s"), "{}", out.stdout);
    assert!(started.elapsed() < Duration::from_secs(10));
    let started = Instant::now();
    let out = k2check(dir.path(), &["token", "quick", "."].map(String::from), &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("timed out after 0.3 s"), "{}", out.stderr);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_panic_in_a_scenario_is_an_error_and_the_reports_are_written() {
    let dir = suite(&[
        (
            "a.yaml",
            "name: fine\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n",
        ),
        (
            "b.yaml",
            "name: broken\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n",
        ),
    ]);
    let junit = dir.path().join("r.xml");
    let url = crate::server::shared().url();
    let out = k2check(
        dir.path(),
        &["run".into(), ".".into(), "--junit".into(), junit.display().to_string()],
        &[("TEST_URL", &url), ("K2CHECK_DEBUG_PANIC_IN", "broken")],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("PASS  fine"), "{}", out.stdout);
    assert!(out.stdout.contains("ERROR broken"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("internal error: k2check stopped this scenario (a panic the tests asked for)"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("--fail-fast"), "{}", out.stdout);
    crate::support::assert_valid_junit(&junit);
    assert!(std::fs::read_to_string(&junit).unwrap().contains("internal error"));
}

#[test]
fn rates_that_would_send_nothing_or_limit_nothing_are_refused() {
    let dir = suite(&[("a.yaml", "name: a\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n")]);
    for rate in ["1e-20/s", "0/s", "NaN/s", "inf/s", "-3/s", "2000000/s"] {
        let out = k2check(
            dir.path(),
            &["run".into(), ".".into(), format!("--rate={rate}")],
            &[("TEST_URL", "http://127.0.0.1:9")],
        );
        assert_eq!(out.code, 2, "{rate}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("between 1/h and 1000000/s"),
            "{rate}: {}",
            out.stderr
        );
    }
    let limits = format!("limits: {{ rate: 0.00001/s }}\n{}", crate::support::TEST_SUITE);
    let dir = suite(&[
        ("k2check.yaml", &limits),
        ("a.yaml", "name: a\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n"),
    ]);
    let out = k2check(
        dir.path(),
        &["validate".into(), ".".into()],
        &[("TEST_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("invalid rate `0.00001/s`"), "{}", out.stderr);
}

/// A scenario whose second step takes 20 s, with a clean-up step.
const SLOW_WITH_CLEANUP: &str = "name: slow\nsteps:\n  - name: quick\n    request: { url: \"{{ api }}/text\" }\n  - name: slow\n    request: { url: \"{{ api }}/slow/20000\" }\n  - name: after\n    request: { url: \"{{ api }}/text\" }\nfinally:\n  - name: clean up\n    request: { url: \"{{ api }}/text\" }\n";

#[test]
fn sigterm_and_sighup_stop_like_ctrl_c_with_reports_and_clean_up() {
    for (name, code) in [("TERM", 143), ("HUP", 129), ("INT", 130)] {
        let dir = suite(&[("slow.yaml", SLOW_WITH_CLEANUP)]);
        let child = spawn_run(dir.path(), &[]);
        std::thread::sleep(Duration::from_millis(1000));
        let started = Instant::now();
        signal(&child, name);
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(code), "{name}: {stdout}");
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{name}: the stop took {:?}",
            started.elapsed()
        );
        // Interrupted is its own status, never a pass.
        assert!(stdout.contains("STOP  slow"), "{name}: {stdout}");
        assert!(stdout.contains("1 interrupted"), "{name}: {stdout}");
        assert!(!stdout.contains("PASS  slow"), "{name}: {stdout}");
        let junit = dir.path().join("r.xml");
        crate::support::assert_valid_junit(&junit);
        let xml = std::fs::read_to_string(&junit).unwrap();
        assert!(
            xml.contains(r#"<testcase name="slow""#) && xml.contains("the run was interrupted"),
            "{xml}"
        );
        // The clean-up step ran.
        assert!(
            xml.contains(r#"<testcase name="finally: clean up" classname="slow.yaml" time=""#),
            "{xml}"
        );
        let clean_up = xml
            .split(r#"<testcase name="finally: clean up""#)
            .nth(1)
            .unwrap_or_default();
        assert!(
            clean_up
                .trim_start()
                .split('>')
                .next()
                .unwrap_or_default()
                .ends_with('/'),
            "passed, not skipped: {xml}"
        );
        let json = std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
        assert!(
            json.contains(r#""type":"scenario""#) && json.contains(r#""status":"interrupted""#),
            "{json}"
        );
    }
}

#[test]
fn a_second_signal_skips_clean_up_that_takes_too_long() {
    let slow_cleanup = SLOW_WITH_CLEANUP.replace(
        "name: clean up\n    request: { url: \"{{ api }}/text\" }",
        "name: clean up\n    request: { url: \"{{ api }}/slow/20000\" }",
    );
    let dir = suite(&[("slow.yaml", &slow_cleanup)]);
    let child = spawn_run(dir.path(), &[]);
    std::thread::sleep(Duration::from_millis(1000));
    let started = Instant::now();
    signal(&child, "TERM");
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, "TERM");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(143));
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    crate::support::assert_valid_junit(&dir.path().join("r.xml"));
    // Without a second signal the grace period ends it.
    let dir = suite(&[("slow.yaml", &slow_cleanup)]);
    let child = spawn_run(dir.path(), &["--grace", "1s"]);
    std::thread::sleep(Duration::from_millis(1000));
    let started = Instant::now();
    signal(&child, "TERM");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(143));
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[test]
fn a_step_that_fails_an_assertion_still_captures_what_clean_up_needs() {
    let scenario = "name: create then check\nsteps:\n  - name: create\n    request: { method: POST, url: \"{{ api }}/echo\", json: { name: x } }\n    expect: { status: 201 }\n    capture:\n      made: { json: $.method }\n      missing: { json: $.nothing }\nfinally:\n  - name: delete it\n    request: { url: \"{{ api }}/echo?delete={{ made }}\" }\n    expect: { json: { $.query: delete=POST } }\n";
    let dir = suite(&[("a.yaml", scenario)]);
    let url = crate::server::shared().url();
    let out = k2check(dir.path(), &["run", "."].map(String::from), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("expected 201"), "{}", out.stdout);
    assert!(!out.stdout.contains("which no earlier step captured"), "{}", out.stdout);
    assert!(
        !out.stdout.contains("delete it`"),
        "the clean-up step passed: {}",
        out.stdout
    );
}

#[test]
fn a_report_that_cannot_be_written_stops_the_run_before_anything_is_sent() {
    let dir = suite(&[("a.yaml", "name: a\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n")]);
    let url = crate::server::shared().url();
    for flag in ["--junit", "--json", "--html"] {
        let out = k2check(
            dir.path(),
            &["run".into(), ".".into(), flag.into(), "/dev/null/k2check/r".into()],
            &[("TEST_URL", &url)],
        );
        assert_eq!(out.code, 2, "{flag}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("cannot write /dev/null/k2check/r"),
            "{}",
            out.stderr
        );
        assert!(!out.stdout.contains("PASS"), "{}", out.stdout);
    }
}

#[test]
fn an_empty_shard_writes_empty_reports_over_stale_ones() {
    let dir = suite(&[("a.yaml", "name: a\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n")]);
    let url = crate::server::shared().url();
    let mut empty_parts = 0;
    for part in 1..=5 {
        std::fs::write(dir.path().join("r.xml"), "stale").unwrap();
        std::fs::write(dir.path().join("r.jsonl"), "stale").unwrap();
        let out = k2check(
            dir.path(),
            &[
                "run",
                ".",
                "--shard",
                &format!("{part}/5"),
                "--junit",
                "r.xml",
                "--json",
                "r.jsonl",
            ]
            .map(String::from),
            &[("TEST_URL", &url)],
        );
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        crate::support::assert_valid_junit(&dir.path().join("r.xml"));
        let json = std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
        assert!(json.starts_with(r#"{"type":"run_started""#), "{json}");
        if out.stdout.contains("no scenario falls in this part") {
            empty_parts += 1;
            let xml = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
            assert!(xml.contains(r#"tests="0""#), "{xml}");
        }
    }
    assert_eq!(empty_parts, 4);
}

#[test]
fn a_byte_order_mark_in_suite_scenario_or_response_is_accepted() {
    let bom = "\u{feff}";
    let dir = suite(&[
        ("k2check.yaml", &format!("{bom}{}", crate::support::TEST_SUITE)),
        (
            "a.yaml",
            &format!(
                "{bom}name: with a BOM\nsteps:\n  - request: {{ url: \"{{{{ api }}}}/bom\" }}\n    expect: {{ json: {{ $.a: 1, $.name: x }} }}\n"
            ),
        ),
    ]);
    let url = crate::server::shared().url();
    let out = k2check(dir.path(), &["run", "."].map(String::from), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn relative_next_links_are_followed_and_another_origin_is_refused() {
    let relative = "name: relative\nauth: basic\nsteps:\n  - odata: { service: \"{{ api }}/odata/relative\", set: \"1\", pages: all }\n    expect: { json: { $.value: { count: 3 }, \"$.value[2].ID\": 3 } }\n";
    let elsewhere = "name: elsewhere\nauth: basic\nsteps:\n  - odata: { service: \"{{ api }}/odata\", set: elsewhere, pages: all }\n";
    let suite_text = format!(
        "{}    auth:\n      basic: {{ type: basic, username: u, password: \"{{{{ secret.PASSWORD }}}}\" }}\n",
        crate::support::TEST_SUITE
    );
    let dir = suite(&[
        ("k2check.yaml", &suite_text),
        ("a.yaml", relative),
        ("b.yaml", elsewhere),
    ]);
    let url = crate::server::shared().url();
    let out = k2check(
        dir.path(),
        &["run", "."].map(String::from),
        &[("TEST_URL", &url), ("PASSWORD", "pw-of-alice")],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("PASS  relative"), "{}", out.stdout);
    assert!(
        out.stdout.contains("ERROR elsewhere") && out.stdout.contains("leads to another origin (http://localhost:"),
        "{}",
        out.stdout
    );
}

#[test]
fn control_characters_from_files_are_shown_escaped_never_obeyed() {
    let dir = suite(&[
        (
            "a.yaml",
            "name: \"clear\\e[2J screen\"\nsteps:\n  - name: \"bell\\a and\\rreturn\"\n    request: { url: \"{{ api }}/status/500\" }\n    expect: { status: 200 }\n",
        ),
        ("b.yaml", "name: b\n\"bad\\ekey\": 1\nsteps: []\n"),
    ]);
    let url = crate::server::shared().url();
    let out = k2check(dir.path(), &["run", "."].map(String::from), &[("TEST_URL", &url)]);
    assert!(
        !out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{7}') && !out.stdout.contains('\r'),
        "{:?}",
        out.stdout
    );
    assert!(!out.stderr.contains('\u{1b}'), "{:?}", out.stderr);
    assert!(out.stderr.contains("bad\\u{1b}key"), "{}", out.stderr);
    let dir = suite(&[(
        "a.yaml",
        "name: \"clear\\e[2J screen\"\nsteps:\n  - name: \"bell\\a and\\rreturn\"\n    request: { url: \"{{ api }}/status/500\" }\n    expect: { status: 200 }\n",
    )]);
    let out = k2check(dir.path(), &["run", "."].map(String::from), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("clear\\u{1b}[2J screen"), "{}", out.stdout);
    assert!(out.stdout.contains("bell\\u{7} and\\u{d}return"), "{}", out.stdout);
    assert!(
        !out.stdout.contains('\u{1b}') && !out.stdout.contains('\r'),
        "{:?}",
        out.stdout
    );
}

/// The forms of a secret the scan looks for, worked out here independently of k2check.
fn secret_forms(secret: &str) -> Vec<String> {
    use base64::Engine as _;
    let percent = |keep: &dyn Fn(u8) -> bool, space: &str| -> String {
        let mut out = String::new();
        for b in secret.bytes() {
            if keep(b) {
                out.push(b as char);
            } else if b == b' ' {
                out.push_str(space);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    let mut forms = vec![
        secret.to_owned(),
        percent(&unreserved, "%20"),
        percent(&unreserved, "+"),
        percent(&|b| unreserved(b) || b == b'$', "%20"),
        percent(&|b| b.is_ascii_alphanumeric(), "%20"),
        serde_json::to_string(secret).unwrap().trim_matches('"').to_owned(),
        base64::engine::general_purpose::STANDARD.encode(format!("alice:{secret}")),
    ];
    let lower: Vec<String> = forms
        .iter()
        .filter(|f| f.contains('%'))
        .map(|f| {
            let mut out = String::new();
            let mut chars = f.chars();
            while let Some(c) = chars.next() {
                out.push(c);
                if c == '%' {
                    out.extend(chars.by_ref().take(2).map(|h| h.to_ascii_lowercase()));
                }
            }
            out
        })
        .collect();
    forms.extend(lower);
    forms.retain(|f| f.len() >= 3);
    forms
}

#[test]
fn secrets_with_special_characters_appear_in_no_output_in_any_form() {
    let url = crate::server::shared().url();
    let suite_text = format!(
        "{}    auth:\n      basic: {{ type: basic, username: alice, password: \"{{{{ secret.SECRET }}}}\" }}\n      cc: {{ type: client_credentials, token_url: \"{{{{ env.TEST_URL }}}}/idp/consent/token\", client_id: c, client_secret: \"{{{{ secret.SECRET }}}}\" }}\n",
        crate::support::TEST_SUITE
    );
    // One scenario per place, so a failure in one does not skip the others.
    let scenarios = [
        (
            "url.yaml",
            "name: url, query and header\nauth: basic\nsteps:\n  - request:\n      url: \"{{ api }}/echo?inline={{ secret.SECRET }}\"\n      query: { q: \"{{ secret.SECRET }}\" }\n      headers: { X-Key: \"{{ secret.SECRET }}\" }\n    expect: { status: 201, json: { $.query: nothing } }\n",
        ),
        (
            "form.yaml",
            "name: form\nauth: basic\nsteps:\n  - request: { method: POST, url: \"{{ api }}/echo\", form: { password: \"{{ secret.SECRET }}\" } }\n    expect: { json: { $.body: nothing } }\n",
        ),
        (
            "json.yaml",
            "name: json\nauth: basic\nsteps:\n  - request: { method: POST, url: \"{{ api }}/echo-ascii\", json: { password: \"{{ secret.SECRET }}\" } }\n    expect: { json: { $.json.password: nothing, $.body: nothing } }\n",
        ),
        (
            "raw.yaml",
            "name: raw echoed\nauth: basic\nsteps:\n  - request: { method: POST, url: \"{{ api }}/echo\", body: \"secret={{ secret.SECRET }}\" }\n    expect: { json: { $.body: { equals: \"{{ secret.SECRET }}x\" } } }\n",
        ),
        (
            "token.yaml",
            "name: token refused\nauth: cc\nsteps:\n  - request: { url: \"{{ api }}/echo\" }\n",
        ),
    ];
    for secret in [
        "Pa$$word!1",
        "my secret.key",
        "ä€😀&<>'\"/\\x",
        "a+b=c%20d",
        "p@ss:w/rd?#frag",
        "tab\there",
    ] {
        let mut files = vec![("k2check.yaml", suite_text.as_str())];
        files.extend(scenarios);
        let dir = suite(&files);
        let env = [("TEST_URL", url.as_str()), ("SECRET", secret)];
        let mut outputs = Vec::new();
        for args in [
            vec!["run", ".", "--junit", "r.xml", "--json", "r.jsonl"],
            vec!["run", ".", "--dry-run"],
            vec!["validate", "."],
            vec!["token", "cc", "."],
        ] {
            let args: Vec<String> = args.into_iter().map(String::from).collect();
            let out = k2check(dir.path(), &args, &env);
            outputs.push((format!("{args:?} stdout"), out.stdout));
            outputs.push((format!("{args:?} stderr"), out.stderr));
        }
        for report in ["r.xml", "r.jsonl"] {
            outputs.push((
                report.into(),
                std::fs::read_to_string(dir.path().join(report)).unwrap_or_default(),
            ));
        }
        // Every place was reached: each scenario failed on what came back, not before.
        let run = &outputs[0].1;
        for name in ["url, query and header", "form", "json", "raw echoed"] {
            assert!(
                run.contains(&format!("FAIL  {name}")) || secret.contains('\t') || !secret.is_ascii(),
                "{secret:?}: {run}"
            );
        }
        assert!(run.contains("***"), "something was masked: {run}");
        for form in secret_forms(secret) {
            for (name, output) in &outputs {
                assert!(
                    !output.contains(&form),
                    "secret {secret:?} as {form:?} in {name}:\n{output}"
                );
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn the_file_walk_skips_pipes_devices_link_loops_hidden_and_ignored_files() {
    let dir = suite(&[
        ("a.yaml", "name: a\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n"),
        (".gitignore", "generated.yaml\n"),
        ("generated.yaml", "not: [a scenario\n"),
    ]);
    let root = dir.path();
    std::fs::create_dir_all(root.join(".hidden")).unwrap();
    std::fs::write(root.join(".hidden/h.yaml"), "not: [a scenario\n").unwrap();
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", root.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", root.join("zero.yaml")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(root.join("pipe.yaml"))
        .status()
        .unwrap();
    assert!(made.success());
    let started = Instant::now();
    let out = k2check(
        root,
        &["validate", "."].map(String::from),
        &[("TEST_URL", "http://127.0.0.1:9")],
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("1 scenario valid"), "{}", out.stdout);
    assert!(out.stderr.contains("pipe.yaml: not a regular file"), "{}", out.stderr);
    assert!(out.stderr.contains("zero.yaml: not a regular file"), "{}", out.stderr);
    // Named directly, a pipe is an error, not a wait.
    let out = k2check(
        root,
        &["validate", "pipe.yaml"].map(String::from),
        &[("TEST_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
}

/// Not a benchmark: a bound far above the work, so quadratic decoding (58 s for 40,000
/// variables before) shows as a failure rather than a hang.
#[test]
fn forty_thousand_scenario_variables_are_read_and_rendered_in_linear_time() {
    let mut text = String::from("name: many vars\nvars:\n");
    for i in 0..40_000 {
        text.push_str(&format!("  v{i}: {i}\n"));
    }
    text.push_str("  last: \"{{ v39999 }}\"\nsteps:\n  - request: { url: \"{{ api }}/x/{{ last }}\" }\n");
    let dir = suite(&[("a.yaml", &text)]);
    let started = Instant::now();
    let out = k2check(
        dir.path(),
        &["run", ".", "--dry-run"].map(String::from),
        &[("TEST_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("GET http://127.0.0.1:9/x/39999"), "{}", out.stdout);
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
}

#[test]
fn a_read_only_environment_refuses_every_selected_write_and_sends_nothing() {
    let suite_text = "environments:\n  prod:\n    writes: false\n    vars: { api: \"{{ env.TEST_URL }}\" }\n";
    let read = "name: read\ntags: [smoke]\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n  - name: a token request changes nothing\n    request: { method: POST, url: \"{{ api }}/echo\", form: { grant_type: client_credentials } }\n";
    let write = "name: write\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n  - name: create\n    request: { method: POST, url: \"{{ api }}/echo\", json: { a: 1 } }\nfinally:\n  - name: delete\n    request: { method: DELETE, url: \"{{ api }}/echo\" }\n";
    let wf = "name: workflow start\nsteps:\n  - workflow: { start: 5, folio: x }\n";
    let dir = suite(&[
        ("k2check.yaml", suite_text),
        ("read.yaml", read),
        ("write.yaml", write),
        ("wf.yaml", wf),
    ]);
    let url = crate::server::shared().url();
    let out = k2check(dir.path(), &["run", "."].map(String::from), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains("running"), "nothing was sent: {}", out.stdout);
    for (step, method, place) in [
        ("create", "POST", "write.yaml:4:5"),
        ("delete", "DELETE", "write.yaml:7:5"),
        ("step 1", "POST", "wf.yaml:3:5"),
    ] {
        assert!(
            out.stderr.contains(&format!(
                "step `{step}` would change the tenant ({method}), and environment `prod` is read-only"
            )),
            "{step}: {}",
            out.stderr
        );
        assert!(out.stderr.contains(place), "{place}: {}", out.stderr);
    }
    assert!(!out.stderr.contains("token request changes nothing"), "{}", out.stderr);
    // Selection comes first: a read-only smoke selection runs.
    let out = k2check(
        dir.path(),
        &["run", ".", "--tag", "smoke"].map(String::from),
        &[("TEST_URL", &url)],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // The suite may default to it.
    let defaulted = "defaults: { writes: false }\nenvironments:\n  prod:\n    vars: { api: \"{{ env.TEST_URL }}\" }\n";
    let dir = suite(&[("k2check.yaml", defaulted), ("write.yaml", write)]);
    let out = k2check(dir.path(), &["validate", "."].map(String::from), &[("TEST_URL", &url)]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn a_json_schema_that_refers_to_itself_forever_is_refused_at_validation() {
    let schema = r##"{ "$ref": "#/$defs/a", "$defs": { "a": { "$ref": "#/$defs/b" }, "b": { "anyOf": [{ "$ref": "#/$defs/a" }] } } }"##;
    let dir = suite(&[
        ("loop.schema.json", schema),
        (
            "a.yaml",
            "name: a\nsteps:\n  - request: { url: \"{{ api }}/json\" }\n    expect: { schema: loop.schema.json }\n",
        ),
    ]);
    let started = Instant::now();
    let out = k2check(
        dir.path(),
        &["validate", "."].map(String::from),
        &[("TEST_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("refers to itself without looking inside the value: #/$defs/a -> #/$defs/b -> #/$defs/a"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("a.yaml:4:"), "{}", out.stderr);
    assert!(started.elapsed() < Duration::from_secs(10));
}
