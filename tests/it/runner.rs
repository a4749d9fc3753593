//! Runner behaviour beyond single golden cases: determinism across --jobs, report schemas,
//! exit codes 3 and 130, and the checked-in scenario schema.

use std::path::{Path, PathBuf};

use crate::server;
use crate::support::{assert_valid_junit, k2check, normalize, suite};

fn golden(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(case)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run_with_reports(case: &str, extra: &[&str], out: &Path) -> crate::support::Output {
    let mut args: Vec<String> = vec!["run".into(), ".".into()];
    args.extend(["--junit".into(), out.join("junit.xml").display().to_string()]);
    args.extend(["--json".into(), out.join("report.jsonl").display().to_string()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    k2check(&golden(case), &args, &[("TEST_URL", &server::shared().url())])
}

#[test]
fn reports_are_the_same_whatever_the_concurrency() {
    let (one, eight) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_with_reports("assertions-fail", &["--jobs", "1"], one.path());
    run_with_reports("assertions-fail", &["--jobs", "8"], eight.path());
    for file in ["junit.xml", "report.jsonl"] {
        let a = normalize(&std::fs::read_to_string(one.path().join(file)).unwrap(), one.path());
        let b = normalize(&std::fs::read_to_string(eight.path().join(file)).unwrap(), eight.path());
        assert_eq!(a, b, "{file} differs between --jobs 1 and --jobs 8");
    }
}

#[test]
fn json_lines_follow_the_report_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("schemas/report.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    // Plain, and with every step's exchange (-vv adds headers, bodies, timing, captures).
    let cases = ["assertions-fail", "hostile-body", "retry", "fail-fast"];
    for (case, extra) in cases.iter().flat_map(|c| [(*c, &[][..]), (*c, &["-vv"][..])]) {
        let out = tempfile::tempdir().unwrap();
        run_with_reports(case, extra, out.path());
        let text = std::fs::read_to_string(out.path().join("report.jsonl")).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert!(lines.len() >= 3, "{case}: too few events");
        assert_eq!(lines[0]["type"], "run_started");
        assert_eq!(lines.last().unwrap()["type"], "run_finished");
        for line in &lines {
            let errors: Vec<String> = validator.iter_errors(line).map(|e| e.to_string()).collect();
            assert!(
                errors.is_empty(),
                "{case}: {line} does not follow the schema: {errors:?}"
            );
        }
    }
}

#[test]
fn retries_show_their_attempts_in_reports() {
    let out = tempfile::tempdir().unwrap();
    run_with_reports("retry", &[], out.path());
    let junit = std::fs::read_to_string(out.path().join("junit.xml")).unwrap();
    assert!(junit.contains("attempts: 3"), "{junit}");
    let json = std::fs::read_to_string(out.path().join("report.jsonl")).unwrap();
    assert!(json.contains(r#""attempts":3"#), "{json}");
}

/// A report that could be opened but not written (a full disk: `/dev/full`) is found only at
/// the end; the run happened, and exits 3. (A path that cannot be opened stops the run before
/// it starts: see trust.rs.)
#[cfg(target_os = "linux")]
#[test]
fn a_report_that_fails_while_written_exits_3_after_the_run() {
    let args: Vec<String> = vec!["run".into(), ".".into(), "--json".into(), "/dev/full".into()];
    let out = k2check(&golden("filters"), &args, &[("TEST_URL", &server::shared().url())]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stderr.contains("cannot write /dev/full"), "{}", out.stderr);
    assert!(
        out.stdout.contains("3 scenarios: 3 passed"),
        "the run itself happened: {}",
        out.stdout
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = k2check(root(), &["run".into(), "--jobs".into(), "0".into()], &[]);
    assert_eq!(out.code, 2);
    let out = k2check(root(), &["frobnicate".into()], &[]);
    assert_eq!(out.code, 2);
    let out = k2check(
        root(),
        &[
            "run".into(),
            "tests/golden/filters".into(),
            "--tag".into(),
            "nothing-has-this".into(),
        ],
        &[("TEST_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(out.code, 2, "an empty selection is a usage problem: {}", out.stderr);
}

#[test]
fn ctrl_c_writes_reports_marks_unfinished_steps_and_exits_130() {
    let dir = suite(&[(
        "slow.yaml",
        "name: slow\nsteps:\n  - name: quick\n    request: { url: \"{{ api }}/text\" }\n  - name: slow\n    request: { url: \"{{ api }}/slow/20000\" }\n  - name: after\n    request: { url: \"{{ api }}/text\" }\n",
    )]);
    let junit = dir.path().join("junit.xml");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_k2check"))
        .current_dir(dir.path())
        .args(["run", ".", "--junit"])
        .arg(&junit)
        .env("TEST_URL", server::shared().url())
        .env("CI", "true")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_valid_junit(&junit);
    assert!(
        xml.contains(r#"<testcase name="quick""#) && !xml.contains("<skipped message=\"\"/>"),
        "{xml}"
    );
    assert!(xml.contains("interrupted"), "unfinished steps are marked: {xml}");
}

#[test]
fn the_checked_in_scenario_schema_is_current() {
    let out = k2check(root(), &["schema".into()], &[]);
    assert_eq!(out.code, 0);
    let checked_in = std::fs::read_to_string(root().join("schemas/scenario.schema.json")).unwrap();
    assert_eq!(
        out.stdout.trim(),
        checked_in.trim(),
        "schemas/scenario.schema.json is stale: run `cargo run -- schema > schemas/scenario.schema.json`"
    );
}

#[test]
fn a_suite_too_large_to_keep_decoded_still_runs_every_step() {
    let dir = suite(&[(
        "k2check.yaml",
        "limits: { per_host: 32 }\nenvironments:\n  test:\n    vars:\n      api: \"{{ env.TEST_URL }}\"\n",
    )]);
    // A long comment per step passes the size limit with fewer steps to run.
    let step = format!(
        "  - request: {{ url: \"{{{{ api }}}}/json\" }}\n    expect: {{ json: {{ $.count: 3 }} }}\n    # {}\n",
        "-".repeat(400)
    );
    let per_file = 100;
    let files = k2check::KEEP_DECODED_BYTES / (per_file * step.len()) + 1;
    for i in 0..files {
        std::fs::write(
            dir.path().join(format!("s{i:03}.yaml")),
            format!("name: big {i}\nsteps:\n{}", step.repeat(per_file)),
        )
        .unwrap();
    }
    // That nothing of it is kept decoded is `plan::tests::only_a_suite_small_enough_is_kept_decoded`.
    let out = k2check(
        dir.path(),
        &["run".into(), ".".into(), "--jobs".into(), "32".into()],
        &[("TEST_URL", &server::shared().url())],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let total = files * per_file;
    assert!(
        out.stdout.contains(&format!("{files} passed")) && out.stdout.contains(&format!("{total} steps")),
        "{}",
        out.stdout
    );
}

#[test]
fn progress_asked_for_in_a_log_is_written_as_lines() {
    let url = server::shared().url();
    let run = |progress: &str| {
        k2check(
            &golden("filters"),
            &["run".into(), ".".into(), "--progress".into(), progress.into()],
            &[("TEST_URL", &url)],
        )
    };
    let always = run("always");
    assert_eq!(always.code, 0, "{}", always.stderr);
    let line = always
        .stderr
        .lines()
        .find(|l| l.starts_with("progress: 1/"))
        .unwrap_or_else(|| panic!("a progress line after the first scenario: {}", always.stderr));
    assert!(
        line.contains(" scenarios · 0 failed · ") && line.contains(" req/s · running: "),
        "{line}"
    );
    assert!(
        !always.stderr.contains('\r') && !always.stderr.contains('\u{1b}'),
        "no redrawing in a log"
    );
    assert!(!always.stdout.contains("progress:"), "progress goes to stderr");
    for quiet in ["auto", "never"] {
        assert!(!run(quiet).stderr.contains("progress:"), "--progress {quiet} in a log");
    }
}

#[test]
fn progress_goes_on_while_a_long_scenario_runs() {
    let dir = suite(&[(
        "slow.yaml",
        "name: slow\nsteps:\n  - request: { url: \"{{ api }}/slow/1500\" }\n",
    )]);
    let url = server::shared().url();
    let out = k2check(
        dir.path(),
        &["run".into(), ".".into(), "--progress".into(), "always".into()],
        &[("TEST_URL", &url)],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("progress: 0/1 scenarios · 0 failed · ") && out.stderr.contains("running: slow"),
        "a line before the only scenario ends: {}",
        out.stderr
    );
}

#[test]
fn credentials_in_a_url_become_basic_auth_and_a_fragment_is_not_sent() {
    let authority = server::shared()
        .url()
        .replace("http://", "http://user%40x:pa%3Assword@");
    let dir = suite(&[(
        "echo.yaml",
        "name: url credentials\nsteps:\n  - request: { url: \"{{ api }}/echo?q=1#part\" }\n    expect:\n      json:\n        $.headers.authorization: \"Basic dXNlckB4OnBhOnNzd29yZA==\"\n        $.query: q=1\n",
    )]);
    let out = k2check(dir.path(), &["run".into(), ".".into()], &[("TEST_URL", &authority)]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // Shown, the password is masked like any secret, and so is the header made of it.
    let shown = k2check(
        dir.path(),
        &["run".into(), ".".into(), "--dry-run".into()],
        &[("TEST_URL", &authority)],
    );
    assert!(
        shown.stdout.contains("GET http://user%40x:***@127.0.0.1:"),
        "{}",
        shown.stdout
    );
    assert!(!shown.stdout.contains("pa%3Assword"), "{}", shown.stdout);
    std::fs::write(
        dir.path().join("echo.yaml"),
        "name: echoed\nsteps:\n  - request: { url: \"{{ api }}/echo\" }\n    expect: { status: 500 }\n",
    )
    .unwrap();
    let failed = k2check(dir.path(), &["run".into(), ".".into()], &[("TEST_URL", &authority)]);
    assert!(
        failed.stdout.contains("\"authorization\":\"Basic ***\""),
        "{}",
        failed.stdout
    );
    assert!(!failed.stdout.contains("dXNlckB4OnBhOnNzd29yZA") && !failed.stdout.contains("pa%3Assword"));
}

#[test]
fn colour_follows_the_flag_and_not_the_terminal() {
    let url = server::shared().url();
    let coloured = k2check(
        &golden("filters"),
        &["run".into(), ".".into(), "--color".into(), "always".into()],
        &[("TEST_URL", &url)],
    );
    assert!(coloured.stdout.contains("\u{1b}["), "{}", coloured.stdout);
    let plain = k2check(
        &golden("filters"),
        &["run".into(), ".".into(), "--color".into(), "never".into()],
        &[("TEST_URL", &url)],
    );
    assert!(!plain.stdout.contains('\u{1b}'), "{}", plain.stdout);
}

/// The runner says how many requests it has sent (`Event::Progress`) while no scenario
/// finishes: a long scenario's progress lines show its requests as a rate above zero.
#[test]
fn progress_lines_show_the_request_rate_while_a_long_scenario_runs() {
    let step = "  - request: { url: \"{{ api }}/slow/150\" }\n";
    let dir = suite(&[
        (
            "k2check.yaml",
            "environments:\n  test:\n    vars:\n      api: \"{{ env.TEST_URL }}\"\n",
        ),
        ("long.yaml", &format!("name: long\nsteps:\n{}", step.repeat(30))),
    ]);
    let out = k2check(
        dir.path(),
        &["run".into(), ".".into(), "--progress".into(), "always".into()],
        &[("TEST_URL", &server::shared().url())],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rates: Vec<f64> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("progress: 0/1 "))
        .filter_map(|l| {
            l.split(" · ")
                .find_map(|part| part.strip_suffix(" req/s")?.parse().ok())
        })
        .collect();
    assert!(rates.iter().any(|r| *r > 0.0), "{rates:?}\n{}", out.stderr);
}
