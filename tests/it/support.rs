//! Running the k2check binary and making its output comparable between runs.

use std::path::Path;
use std::process::Command;

use regex::Regex;

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs k2check in `dir` with a clean, colourless, progress-free environment.
pub fn k2check(dir: &Path, args: &[String], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_k2check"));
    cmd.current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("CI", "true")
        .env_remove("K2CHECK_ENV");
    // A developer's own proxy must not reach the tests; those about proxies set their own.
    for proxy in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        cmd.env_remove(proxy);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("k2check runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Replaces what changes from run to run: ports, durations, run ids, temp paths.
pub fn normalize(text: &str, temp: &Path) -> String {
    let text = text.replace(&temp.display().to_string(), "<TMP>");
    let rules = [
        (r"http://127\.0\.0\.1:\d+", "<URL>"),
        (r"\b\d+ ms\b", "<T> ms"),
        (r"\b\d+\.\d s\b", "<T> s"),
        (r#"time="[0-9.]+""#, r#"time="<T>""#),
        (r#""duration_ms":\d+"#, r#""duration_ms":0"#),
        (r#""run_id":"[0-9a-f]+""#, r#""run_id":"<ID>""#),
        (r#""started_at":"[0-9TZ:-]+""#, r#""started_at":"<DATE>""#),
        (r#""selection":"[0-9a-f]+""#, r#""selection":"<SELECTION>""#),
        (r#""ended_ms":\d+"#, r#""ended_ms":0"#),
    ];
    let mut out = text;
    for (pattern, replacement) in rules {
        out = Regex::new(pattern).unwrap().replace_all(&out, replacement).into_owned();
    }
    out
}

/// Validates a JUnit file against the Jenkins xunit schema; a missing xmllint fails the test.
pub fn assert_valid_junit(path: &Path) {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit/junit-10.xsd");
    assert!(xsd.is_file(), "the JUnit schema is missing at {}", xsd.display());
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(path)
        .output()
        .expect("xmllint is needed for the JUnit tests: apt-get install libxml2-utils (.ci/run does)");
    assert!(
        out.status.success(),
        "{} is not valid JUnit:\n{}\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(path).unwrap_or_default()
    );
}

/// `k2check.yaml` with one environment, `test`, whose `api` is the `TEST_URL` variable.
pub const TEST_SUITE: &str = "environments:\n  test:\n    vars: { api: \"{{ env.TEST_URL }}\" }\n";

/// A suite in a new folder: `k2check.yaml` as `TEST_SUITE`, then each `(file name, text)`
/// written there (a `k2check.yaml` among them replaces the first).
pub fn suite(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("k2check.yaml"), TEST_SUITE).expect("the suite is written");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("the suite is written");
    }
    dir
}

/// Starts `k2check run .` in `dir` against the test server, with a JUnit and a JSON report.
pub fn spawn_run(dir: &std::path::Path, extra: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_k2check"))
        .current_dir(dir)
        .args(["run", ".", "--junit", "r.xml", "--json", "r.jsonl"])
        .args(extra)
        .env("TEST_URL", crate::server::shared().url())
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("k2check starts")
}

pub fn signal(child: &std::process::Child, name: &str) {
    let sent = std::process::Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
}

/// Command-line words from string literals.
pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Every file below a folder, in path order.
pub fn files_below(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_below(&path));
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// Every line of a JSON Lines report follows `schemas/report.schema.json`.
pub fn assert_valid_report(path: &Path) {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.schema.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.lines().count() >= 3, "{text}");
    for line in text.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{line}: {errors:?}");
    }
}
