//! What a CI keys its test history on: JUnit names that stay put wherever k2check is run from,
//! and a data row's runs told apart.

use crate::server;
use crate::support::{args, k2check};

fn junit_names(junit: &str) -> Vec<String> {
    junit
        .split("<testcase ")
        .skip(1)
        .map(|case| {
            let attr = |name: &str| {
                let start = case.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                case[start..].split('"').next().unwrap().to_owned()
            };
            format!("{} :: {}", attr("classname"), attr("name"))
        })
        .collect()
}

#[test]
fn junit_names_are_relative_to_the_suite_and_each_data_row_has_its_own() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("checks/odata")).unwrap();
    let suite = "environments:\n  test:\n    vars:\n      api: \"{{ env.TEST_URL }}\"\n";
    std::fs::write(dir.path().join("checks/k2check.yaml"), suite).unwrap();
    let rows = "name: rows\nrows:\n  - { who: a }\n  - { who: b }\nsteps:\n  - name: read\n    request: { url: \"{{ api }}/text?{{ who }}\" }\n";
    std::fs::write(dir.path().join("checks/odata/rows.yaml"), rows).unwrap();
    let url = server::shared().url();
    let mut seen = Vec::new();
    for (cwd, path) in [
        (dir.path().to_path_buf(), "checks"),
        (dir.path().join("checks"), "."),
        (dir.path().join("checks/odata"), ".."),
    ] {
        let junit = dir.path().join("junit.xml").display().to_string();
        let out = k2check(&cwd, &args(&["run", path, "--junit", &junit]), &[("TEST_URL", &url)]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        seen.push(junit_names(&std::fs::read_to_string(&junit).unwrap()));
    }
    assert_eq!(
        seen[0],
        ["odata/rows.yaml :: read [row 1]", "odata/rows.yaml :: read [row 2]"]
    );
    assert!(seen.iter().all(|names| names == &seen[0]), "{seen:?}");
}
