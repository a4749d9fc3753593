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

/// `--shard auto` under each CI's own variables: three parts cover the scenarios once; a job
/// with none of them is told what was looked for.
#[test]
fn shard_auto_reads_each_ci_and_the_parts_cover_every_scenario_once() {
    let dir = suite(12);
    let cis: [(&str, &str, u32); 5] = [
        ("CI_NODE_INDEX", "CI_NODE_TOTAL", 1),
        ("SYSTEM_JOBPOSITIONINPHASE", "SYSTEM_TOTALJOBSINPHASE", 1),
        ("BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0),
        ("JOB_COMPLETION_INDEX", "K2CHECK_SHARD_TOTAL", 0),
        ("CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0),
    ];
    let url = server::shared().url();
    let mut first: Option<Vec<BTreeSet<String>>> = None;
    for (index_var, total_var, base) in cis {
        let mut parts = Vec::new();
        for part in 0..3u32 {
            let index = (part + base).to_string();
            let args: Vec<String> = ["run", ".", "--shard", "auto"].iter().map(|s| s.to_string()).collect();
            let env = [
                (index_var, index.as_str()),
                (total_var, "3"),
                ("TEST_URL", url.as_str()),
            ];
            let out = k2check(dir.path(), &args, &env);
            assert_eq!(out.code, 0, "{index_var}={index}: {}", out.stderr);
            parts.push(names(&out));
        }
        let all: BTreeSet<String> = parts.iter().flatten().cloned().collect();
        assert_eq!(all.len(), 12, "{index_var}: every scenario");
        assert_eq!(
            parts.iter().map(BTreeSet::len).sum::<usize>(),
            12,
            "{index_var}: none twice"
        );
        // Whatever the CI, part 2 of 3 is the same scenarios.
        match &first {
            None => first = Some(parts),
            Some(expected) => assert_eq!(&parts, expected, "{index_var}"),
        }
    }
    let none = run(dir.path(), &["--shard", "auto"]);
    assert_eq!(none.code, 2, "{}", none.stderr);
    assert!(
        none.stderr.contains("--shard auto: no CI says which part"),
        "{}",
        none.stderr
    );
}

/// Parts are balanced by work, not by file count: one long scenario is a part of its own;
/// with an earlier run's durations, the slow one is.
#[test]
fn shards_are_balanced_by_steps_and_by_an_earlier_runs_durations() {
    let dir = suite(6);
    let long = "  - request: { url: \"{{ api }}/text\" }\n".repeat(12);
    std::fs::write(dir.path().join("long.yaml"), format!("name: long one\nsteps:\n{long}")).unwrap();
    let parts: Vec<BTreeSet<String>> = (1..=2)
        .map(|i| names(&run(dir.path(), &["--shard", &format!("{i}/2")])))
        .collect();
    let alone = parts.iter().find(|p| p.contains("long one")).unwrap();
    assert_eq!(alone.len(), 1, "12 steps against 6 of 1: {parts:?}");

    // An earlier report says scenario 03 took 10 s: now it is the one alone.
    let report = dir.path().join("earlier.jsonl");
    let mut lines = String::new();
    for i in 0..6 {
        let ms = if i == 3 { 10_000 } else { 10 };
        lines.push_str(&format!(
            "{{\"type\":\"scenario\",\"name\":\"scenario {i:02}\",\"duration_ms\":{ms}}}\n"
        ));
    }
    lines.push_str("{\"type\":\"scenario\",\"name\":\"long one\",\"duration_ms\":50}\n");
    std::fs::write(&report, lines).unwrap();
    let durations = report.display().to_string();
    let parts: Vec<BTreeSet<String>> = (1..=2)
        .map(|i| {
            names(&run(
                dir.path(),
                &["--shard", &format!("{i}/2"), "--durations", &durations],
            ))
        })
        .collect();
    let alone = parts.iter().find(|p| p.contains("scenario 03")).unwrap();
    assert_eq!(alone.len(), 1, "{parts:?}");
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
