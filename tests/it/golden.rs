//! Golden cases: `tests/golden/<case>/` holds a suite, `args` (one argument a line; `{out}`
//! is a temporary folder), and the expected `stdout`, `stderr` and `exit`, and under
//! `reports/` each JUnit and JSON report the case writes into `{out}`. Set
//! `UPDATE_GOLDEN=1` to rewrite the expectations after a deliberate change.

use std::path::{Path, PathBuf};

use crate::server;
use crate::support::{assert_valid_junit, k2check, normalize};

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("args").is_file())
        .collect();
    cases.sort();
    cases
}

fn run_case(dir: &Path) -> Vec<String> {
    let url = server::shared().url();
    let temp = tempfile::tempdir().unwrap();
    let args: Vec<String> = std::fs::read_to_string(dir.join("args"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.replace("{out}", &temp.path().display().to_string()))
        .collect();
    let out = k2check(dir, &args, &[("TEST_URL", &url), ("TEST_SECRET", "s3cr3t-Value!")]);
    let actual = [
        ("stdout", normalize(&out.stdout, temp.path())),
        ("stderr", normalize(&out.stderr, temp.path())),
        ("exit", format!("{}\n", out.code)),
    ];
    let mut problems = Vec::new();
    for (name, text) in &actual {
        let path = dir.join(name);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, text).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if &expected != text {
            problems.push(format!(
                "{}/{name} differs\n--- expected\n{expected}\n--- actual\n{text}",
                dir.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    // Each report the case wrote is compared too, as `reports/<its name>`.
    let mut written: Vec<PathBuf> = std::fs::read_dir(temp.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    written.sort();
    for path in written {
        if path.extension().is_some_and(|e| e == "xml") {
            assert_valid_junit(&path);
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(!text.contains("s3cr3t-Value!"), "{} leaks the secret", path.display());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let golden = dir.join("reports").join(&name);
        let text = normalize(&text, temp.path());
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(dir.join("reports")).unwrap();
            std::fs::write(&golden, &text).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if expected != text {
            problems.push(format!(
                "{}/reports/{name} differs\n--- expected\n{expected}\n--- actual\n{text}",
                dir.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(
        !out.stdout.contains("s3cr3t-Value!") && !out.stderr.contains("s3cr3t-Value!"),
        "output leaks the secret"
    );
    problems
}

#[test]
fn golden_cases_match_their_expected_output() {
    let cases = cases();
    assert!(cases.len() >= 10, "golden cases are missing");
    let problems: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases.iter().map(|c| scope.spawn(move || run_case(c))).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
