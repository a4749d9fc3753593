//! Planning whole suites from files: arbitrary bytes, the shipped library, and a suite too
//! large to keep decoded.

use std::path::{Path, PathBuf};

use crate::plan::planned::PlannedScenario;
use crate::plan::{KEEP_DECODED_BYTES, PlanOptions, plan};
use crate::scenario::load;
use crate::scenario::model::Scenario;

/// A small deterministic generator: the test must fail the same way every time.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const SEED_FILES: &[&str] = &[
    "name: x\nsteps:\n  - request: { url: \"{{ a }}\", method: POST, json: { n: \"{{ n }}\" } }\n    expect: { status: [200, 2xx], json: { \"$.a[?@.b == 1]\": { count: { gte: 1 } } } }\n    capture: { c: { regex: \"(a\", group: 3 } }\n    retry: { interval: 1s, attempts: 2 }\n",
    "defaults: { timeout: 5s, auth: a }\nenvironments:\n  e:\n    vars: { a: \"{{ env.HOME }}\" }\n    auth: { a: { type: client_credentials, issuer: x, client_id: y, client_secret: z } }\n",
    "base: &b { name: n }\nname: *b\nsteps: [<<: *b]\n",
];

/// Random, truncated and mutated files never panic, and every file that is not a suite
/// gets a diagnostic naming it: nothing is dropped without a word.
#[test]
fn random_and_truncated_files_give_diagnostics_not_panics() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let dir = tempfile::tempdir().unwrap();
    let (mut refused, mut planned) = (0, 0);
    let place = regex::Regex::new(r"(k2check|/s)\.yaml(:\d+:\d+|: )").unwrap();
    for round in 0..300 {
        let seed = SEED_FILES[round % SEED_FILES.len()].as_bytes();
        let mut bytes: Vec<u8> = match round % 3 {
            0 => seed[..(rng.next() as usize % (seed.len() + 1))].to_vec(),
            1 => (0..(rng.next() % 200)).map(|_| rng.next() as u8).collect(),
            _ => {
                let mut b = seed.to_vec();
                for _ in 0..4 {
                    let i = rng.next() as usize % b.len();
                    b[i] = b"{}[]:-\"'&*!|>%@`\n \t\0\xff"[rng.next() as usize % 20];
                }
                b
            }
        };
        if round % 7 == 0 {
            bytes.extend(std::iter::repeat_n(b'[', 300));
        }
        let suite = if round % 2 == 0 {
            bytes.clone()
        } else {
            SEED_FILES[1].as_bytes().to_vec()
        };
        std::fs::write(dir.path().join("k2check.yaml"), &suite).unwrap();
        std::fs::write(dir.path().join("s.yaml"), &bytes).unwrap();
        let options = PlanOptions {
            environment: Some("e".into()),
            ..PlanOptions::default()
        };
        match plan(load(&[dir.path().to_path_buf()]), &options) {
            Err(e) => {
                refused += 1;
                let error = e.diagnostics.iter().find(|d| d.is_error());
                let error = error.unwrap_or_else(|| panic!("round {round}: refused without an error"));
                let text = crate::diag::render(error, &e.sources, &crate::diag::Palette::plain());
                assert!(place.is_match(&text), "round {round}: the error names no place: {text}");
            }
            Ok(p) => {
                planned += 1;
                // A file that planned is a scenario that runs: it was not silently skipped.
                assert!(
                    p.run_count() == 1 || !p.warnings.is_empty(),
                    "round {round}: {} runs from one file, and no warning",
                    p.run_count()
                );
            }
        }
    }
    assert_eq!(refused + planned, 300);
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn mock_options() -> PlanOptions {
    PlanOptions {
        environment: Some("mock".into()),
        mock: Some(serde_json::json!({
            "url": "http://127.0.0.1:9", "issuer": "x", "token_url": "x", "client_id": "x", "client_secret": "xyz",
            "username": "u", "password": "pw1", "scim_url": "x"
        })),
        ..Default::default()
    }
}

#[test]
fn a_scenario_decoded_again_from_its_text_is_the_scenario_that_was_validated() {
    let loaded = load(&[root().join("scenarios")]);
    assert!(loaded.diagnostics.is_empty());
    let plan = plan(loaded, &mock_options()).ok().expect("the library validates");
    assert!(plan.scenarios.len() > 10);
    let steps = |s: &Scenario| -> Vec<(String, String)> {
        s.steps
            .iter()
            .chain(&s.finally)
            .map(|st| (st.name.clone(), st.request.url.text.clone()))
            .collect()
    };
    for (index, planned) in plan.scenarios.iter().enumerate() {
        let kept = plan.scenario(index).unwrap();
        let released = PlannedScenario::new((*kept).clone(), false, &plan.sources);
        let again = released.get(&plan.sources).expect("decodes again");
        assert_eq!(
            (again.name.value.as_str(), &again.tags),
            (planned.name.as_str(), &kept.tags)
        );
        assert_eq!(steps(&again), steps(&kept));
    }
}

/// A suite over `KEEP_DECODED_BYTES` of text keeps none of its scenarios decoded; a small
/// one keeps them all (the run of the large one is `tests/it/runner.rs`).
#[test]
fn only_a_suite_small_enough_is_kept_decoded() {
    let write_suite = |dir: &Path, files: usize| {
        let suite = "environments:\n  test:\n    vars:\n      api: \"http://127.0.0.1:9\"\n";
        std::fs::write(dir.join("k2check.yaml"), suite).unwrap();
        let step = format!(
            "  - request: {{ url: \"{{{{ api }}}}/json\" }}\n    # {}\n",
            "-".repeat(400)
        );
        for i in 0..files {
            let text = format!("name: big {i}\nsteps:\n{}", step.repeat(100));
            std::fs::write(dir.join(format!("s{i:03}.yaml")), text).unwrap();
        }
        KEEP_DECODED_BYTES / (100 * step.len()) + 1
    };
    let plan_of = |dir: &Path| {
        let options = PlanOptions {
            environment: Some("test".into()),
            ..Default::default()
        };
        plan(load(&[dir.to_path_buf()]), &options)
            .ok()
            .expect("the suite validates")
    };
    let large = tempfile::tempdir().unwrap();
    let files = write_suite(large.path(), 0);
    write_suite(large.path(), files);
    let large = plan_of(large.path());
    assert_eq!(large.scenarios.len(), files);
    assert!(large.scenarios.iter().all(|s| !s.is_kept()), "nothing kept decoded");
    let small = tempfile::tempdir().unwrap();
    write_suite(small.path(), 2);
    assert!(
        plan_of(small.path()).scenarios.iter().all(|s| s.is_kept()),
        "a small suite is kept"
    );
}
