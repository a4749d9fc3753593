//! Sharding, the request rate, and resends after 429 with Retry-After.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::server;
use crate::support::{Output, k2check};

fn suite(count: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("k2check.yaml"),
        "environments:\n  test:\n    vars:\n      api: \"{{ env.TEST_URL }}\"\n",
    )
    .unwrap();
    for i in 0..count {
        std::fs::write(
            dir.path().join(format!("s{i:02}.yaml")),
            format!("name: scenario {i:02}\nsteps:\n  - request: {{ url: \"{{{{ api }}}}/text\" }}\n"),
        )
        .unwrap();
    }
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    let mut all: Vec<String> = vec!["run".into(), ".".into()];
    all.extend(args.iter().map(|s| s.to_string()));
    k2check(dir, &all, &[("TEST_URL", &server::shared().url())])
}

fn names(out: &Output) -> BTreeSet<String> {
    out.stdout
        .lines()
        .filter_map(|l| l.strip_prefix("PASS  "))
        .map(|l| l.split(" (").next().unwrap().to_owned())
        .collect()
}

#[test]
fn shards_cover_every_scenario_once_and_name_themselves_in_junit() {
    let dir = suite(30);
    let mut seen = BTreeSet::new();
    let mut total = 0;
    for i in 1..=3 {
        let junit = dir.path().join(format!("j{i}.xml"));
        let out = run(
            dir.path(),
            &["--shard", &format!("{i}/3"), "--junit", &junit.display().to_string()],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        let part = names(&out);
        total += part.len();
        seen.extend(part);
        let xml = std::fs::read_to_string(&junit).unwrap();
        assert!(
            xml.contains(&format!("<property name=\"shard\" value=\"{i}/3\"/>")),
            "{xml}"
        );
    }
    assert_eq!((seen.len(), total), (30, 30), "every scenario once, none twice");
    let bad = run(dir.path(), &["--shard", "4/3"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn a_rate_of_20_per_second_spaces_100_requests_over_about_five_seconds() {
    let dir = suite(0);
    let steps = "  - request: { url: \"{{ api }}/text\" }\n".repeat(10);
    for i in 0..10 {
        std::fs::write(
            dir.path().join(format!("r{i}.yaml")),
            format!("name: rated {i}\nsteps:\n{steps}"),
        )
        .unwrap();
    }
    let started = Instant::now();
    let out = run(dir.path(), &["--rate", "20/s", "--jobs", "10"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("100 steps"), "{}", out.stdout);
    // 100 requests at 20/s: the first leaves at once, the last 99 intervals of 50 ms later.
    assert!(
        started.elapsed() >= Duration::from_millis(4950),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_429_with_retry_after_is_waited_for_and_resent_and_the_report_counts_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/k2check.yaml"),
        dir.path().join("k2check.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("limited.yaml"),
        "name: throttled\nsteps:\n  - name: busy twice\n    request:\n      url: \"{{ api }}/api/workflow/v1/workflows\"\n      headers: { x-mock-fault: \"429;retry-after=1;times=2\" }\n    expect: { status: 200 }\n",
    )
    .unwrap();
    let (json, junit) = (dir.path().join("r.jsonl"), dir.path().join("r.xml"));
    let started = Instant::now();
    let out = k2check(
        dir.path(),
        &[
            "run".into(),
            ".".into(),
            "--mock".into(),
            "--json".into(),
            json.display().to_string(),
            "--junit".into(),
            junit.display().to_string(),
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(started.elapsed() >= Duration::from_secs(2), "waited as told");
    let report = std::fs::read_to_string(json).unwrap();
    assert!(report.contains(r#""resends":2"#), "{report}");
    let xml = std::fs::read_to_string(junit).unwrap();
    assert!(xml.contains("resent 2"), "{xml}");
}
