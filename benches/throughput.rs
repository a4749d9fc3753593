//! `cargo bench --bench throughput`: the figures in the README's Performance section.
//!
//! Starts the mock as a separate process, generates suites, runs the release k2check binary
//! against them and prints: overhead against a plain reqwest loop, a latency-bound run
//! against its ideal, peak memory at 10,000 and 100,000 requests, and validation speed.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_k2check");
const USER: &str = "DENALLIX\\administrator";
const PASSWORD: &str = "K2pass!";

struct Mock {
    child: Child,
    url: String,
}

impl Mock {
    fn start(latency: Option<&str>) -> Mock {
        let mut cmd = Command::new(BIN);
        cmd.args(["mock", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(l) = latency {
            cmd.args(["--latency", l]);
        }
        let mut child = cmd.spawn().expect("the mock starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first.trim().rsplit(' ').next().unwrap().to_owned();
        Mock { child, url }
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A suite of `scenarios` x `steps`, each step with a JSONPath assertion and a capture.
fn write_suite(dir: &Path, url: &str, scenarios: usize, steps: usize, per_host: usize) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("k2check.yaml"),
        format!(
            "defaults: {{ auth: admin }}\nlimits: {{ per_host: {per_host} }}\nenvironments:\n  bench:\n    vars: {{ api: \"{url}\" }}\n    auth:\n      admin: {{ type: basic, username: '{USER}', password: '{PASSWORD}' }}\n"
        ),
    )
    .unwrap();
    let step = "  - request: { url: \"{{ api }}/api/workflow/v1/workflows\" }\n    expect:\n      json:\n        $.itemCount: 2\n    capture:\n      first: { json: \"$.workflows[0].id\" }\n";
    let body = step.repeat(steps);
    for i in 0..scenarios {
        std::fs::write(
            dir.join(format!("s{i:05}.yaml")),
            format!("name: scenario {i}\nsteps:\n{body}"),
        )
        .unwrap();
    }
}

/// Runs k2check, returning wall time and peak RSS (VmHWM, polled while it runs).
fn run_k2check(args: &[&str]) -> (Duration, u64) {
    let (wall, rss, _) = run_k2check_with_output(args);
    (wall, rss)
}

/// The same, with what k2check printed.
fn run_k2check_with_output(args: &[&str]) -> (Duration, u64, String) {
    let started = Instant::now();
    let log = tempfile::NamedTempFile::new().unwrap();
    // Both to files: a pipe nobody reads while the child runs fills up and stops it (an
    // import's report is longer than a pipe holds).
    let errors = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(BIN)
        .args(args)
        .env("CI", "1")
        .stdout(log.reopen().unwrap())
        .stderr(errors.reopen().unwrap())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_path) {
            if let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            let elapsed = started.elapsed();
            if !status.success() {
                let err = std::fs::read_to_string(errors.path()).unwrap_or_default();
                let out = std::fs::read_to_string(log.path()).unwrap_or_default();
                let problems: Vec<&str> = out.lines().filter(|l| !l.starts_with("PASS")).take(30).collect();
                panic!("k2check {args:?} failed: {status}\n{err}\n{}", problems.join("\n"));
            }
            return (
                elapsed,
                peak_kb,
                std::fs::read_to_string(log.path()).unwrap_or_default(),
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// How the plain loop orders its requests.
#[derive(Clone, Copy)]
enum Shape {
    /// `concurrency` workers share the requests evenly: never a worker idle until the end.
    Workers,
    /// `chains` sequences of requests, each one after the other, `concurrency` sequences at a
    /// time: the shape of scenarios, including the last few running alone at the end.
    Chains { chains: usize },
}

/// The same requests from a plain reqwest loop: no assertions, no captures.
fn plain_reqwest(url: &str, requests: usize, concurrency: usize, shape: Shape) -> Duration {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let target = Arc::new(format!("{url}/api/workflow/v1/workflows"));
        let (tasks_wanted, at_once) = match shape {
            Shape::Workers => (concurrency, concurrency),
            Shape::Chains { chains } => (chains, concurrency),
        };
        let slots = Arc::new(tokio::sync::Semaphore::new(at_once));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for task in 0..tasks_wanted {
            let (client, target, slots) = (client.clone(), target.clone(), slots.clone());
            let share = requests / tasks_wanted + usize::from(task < requests % tasks_wanted);
            tasks.push(tokio::spawn(async move {
                let _slot = slots.acquire_owned().await.unwrap();
                for _ in 0..share {
                    let response = client
                        .get(target.as_str())
                        .basic_auth(USER, Some(PASSWORD))
                        .send()
                        .await
                        .unwrap();
                    let _ = response.bytes().await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        started.elapsed()
    })
}

/// Runs of each overhead measurement; the median is printed.
const ROUNDS: usize = 5;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The summary line ends "10000 steps in N ms": the execution phase alone.
fn execution_ms(printed: &str) -> f64 {
    printed
        .lines()
        .rev()
        .find_map(|l| l.split(" steps in ").nth(1))
        .and_then(|t| t.trim_end_matches(" ms").trim().parse().ok())
        .unwrap_or(f64::NAN)
}

fn main() {
    // `cargo bench` passes --bench; nothing else to parse.
    let work = tempfile::tempdir().unwrap();
    let suite = work.path().join("suite");
    println!(
        "k2check throughput benchmark ({} cores)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // Overhead: 200 x 50 with --jobs 64, against the same 10,000 requests from plain
    // reqwest with 64 at once. Two cores are shared by the mock and the client, so single
    // runs vary by several percent: each figure is the median of ROUNDS interleaved runs.
    let mock = Mock::start(None);
    write_suite(&suite, &mock.url, 200, 50, 64);
    let dir = suite.display().to_string();
    let run_args = ["run", &dir, "--env", "bench", "--jobs", "64"];
    run_k2check(&run_args); // warm-up: caches, connections
    let (mut end_to_end, mut executing, mut workers, mut chains) = (vec![], vec![], vec![], vec![]);
    let mut rss_10k = 0;
    for _ in 0..ROUNDS {
        let (wall, rss, printed) = run_k2check_with_output(&run_args);
        rss_10k = rss_10k.max(rss);
        end_to_end.push(10_000.0 / wall.as_secs_f64());
        executing.push(10_000.0 / (execution_ms(&printed) / 1000.0));
        workers.push(10_000.0 / plain_reqwest(&mock.url, 10_000, 64, Shape::Workers).as_secs_f64());
        let sequences = Shape::Chains { chains: 200 };
        chains.push(10_000.0 / plain_reqwest(&mock.url, 10_000, 64, sequences).as_secs_f64());
    }
    let (k2_rps, exec_rps) = (median(end_to_end), median(executing));
    let (workers_rps, chains_rps) = (median(workers), median(chains));
    println!(
        "overhead:       k2check {k2_rps:.0} req/s end to end (start-up, loading and validating 200 files included), {exec_rps:.0} req/s while executing; medians of {ROUNDS} runs"
    );
    println!(
        "                plain reqwest, 64 workers sharing the 10,000 requests: {workers_rps:.0} req/s; ratio {:.2} end to end, {:.2} executing",
        k2_rps / workers_rps,
        exec_rps / workers_rps
    );
    println!(
        "                plain reqwest, 200 sequences of 50 requests, 64 at a time (k2check's shape): {chains_rps:.0} req/s; ratio {:.2} end to end, {:.2} executing",
        k2_rps / chains_rps,
        exec_rps / chains_rps
    );

    // Memory: 100,000 requests.
    write_suite(&suite, &mock.url, 2000, 50, 64);
    let (_, rss_100k) = run_k2check(&["run", &dir, "--env", "bench", "--jobs", "64"]);
    println!(
        "memory:         peak RSS {:.1} MB at 10,000 requests, {:.1} MB at 100,000 (+{:.1} MB)",
        rss_10k as f64 / 1024.0,
        rss_100k as f64 / 1024.0,
        (rss_100k as f64 - rss_10k as f64) / 1024.0
    );

    // Memory with long scenarios: 100,000 requests as 20 scenarios of 5,000 steps (all in
    // flight at --jobs 20) and as 200 of 500, and 1,000,000 as 200 of 5,000 (140 MB of YAML),
    // with both report files written: memory follows what runs, not the run's length.
    let reports = work.path().join("report");
    let (junit, json) = (
        reports.with_extension("xml").display().to_string(),
        reports.with_extension("jsonl").display().to_string(),
    );
    for (scenarios, steps, jobs) in [(20, 5000, "8"), (20, 5000, "20"), (200, 500, "64"), (200, 5000, "64")] {
        write_suite(&suite, &mock.url, scenarios, steps, 64);
        let args = [
            "run", &dir, "--env", "bench", "--jobs", jobs, "--junit", &junit, "--json", &json,
        ];
        let (_, rss) = run_k2check(&args);
        println!(
            "memory:         peak RSS {:.1} MB for {scenarios} x {steps} steps with --jobs {jobs}, JUnit and JSON reports written",
            rss as f64 / 1024.0
        );
    }
    drop(mock);

    // Latency-bound: every response 100 ms late; 200 x 5 with --jobs 50 is 4 waves of 5 steps.
    let slow = Mock::start(Some("100ms"));
    write_suite(&suite, &slow.url, 200, 5, 50);
    let (wall, _) = run_k2check(&["run", &dir, "--env", "bench", "--jobs", "50"]);
    println!(
        "latency-bound:  {:.2} s for 200 x 5 steps at 100 ms, ideal 2.00 s, ratio {:.2}",
        wall.as_secs_f64(),
        wall.as_secs_f64() / 2.0
    );
    drop(slow);

    // Validation: 1,000 scenario files.
    write_suite(&suite, "http://127.0.0.1:9", 1000, 5, 8);
    run_k2check(&["validate", &dir, "--env", "bench"]);
    let (time, _) = run_k2check(&["validate", &dir, "--env", "bench"]);
    println!(
        "validation:     {:.0} files/s (1,000 files of 5 steps, {:.0} ms)",
        1000.0 / time.as_secs_f64(),
        time.as_secs_f64() * 1000.0
    );

    // Data rows: `list` of a scenario run once per row of a 1,000,000-row CSV file; the rows
    // are counted and checked, and each run's row is read as it is asked for.
    let rows_suite = work.path().join("rows");
    std::fs::create_dir_all(&rows_suite).unwrap();
    std::fs::write(
        rows_suite.join("k2check.yaml"),
        "environments:\n  bench:\n    vars: { api: \"http://127.0.0.1:9\" }\n",
    )
    .unwrap();
    std::fs::write(
        rows_suite.join("rows.yaml"),
        "name: per row\nrows: { file: rows.csv }\nsteps:\n  - request: { url: \"{{ api }}/x?who={{ who }}\" }\n",
    )
    .unwrap();
    let mut csv = String::from("who,n\n");
    for i in 0..1_000_000 {
        csv.push_str(&format!("user{i},{i}\n"));
    }
    std::fs::write(rows_suite.join("rows.csv"), csv).unwrap();
    let (time, rss) = run_k2check(&["list", &rows_suite.display().to_string()]);
    println!(
        "data rows:      list of 1,000,000 rows in {:.1} s, peak RSS {:.1} MB",
        time.as_secs_f64(),
        rss as f64 / 1024.0
    );

    // Import: a Postman collection of 100,000 and of 400,000 requests (folders of 100); the
    // collection is read twice and never held whole, so memory follows the largest folder.
    for folders in [1000, 4000] {
        let collection = work.path().join(format!("collection-{folders}.json"));
        write_collection(&collection, folders, 100);
        let out = work.path().join(format!("imported-{folders}"));
        let (time, rss) = run_k2check(&[
            "import",
            "postman",
            &collection.display().to_string(),
            "--out",
            &out.display().to_string(),
        ]);
        let megabytes = std::fs::metadata(&collection).map_or(0, |m| m.len()) >> 20;
        println!(
            "import:         {} requests ({megabytes} MB of JSON) in {:.1} s, peak RSS {:.1} MB",
            folders * 100,
            time.as_secs_f64(),
            rss as f64 / 1024.0
        );
    }
}

/// A Postman collection of `folders` folders of `requests` requests, each with a test script.
fn write_collection(path: &std::path::Path, folders: usize, requests: usize) {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    write!(out, r#"{{"info":{{"name":"bench","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}},"item":["#).unwrap();
    for f in 0..folders {
        if f > 0 {
            write!(out, ",").unwrap();
        }
        write!(out, r#"{{"name":"folder {f}","item":["#).unwrap();
        for r in 0..requests {
            if r > 0 {
                write!(out, ",").unwrap();
            }
            write!(
                out,
                r#"{{"name":"request {r}","event":[{{"listen":"test","script":{{"exec":["pm.test(\"ok\", function () {{ pm.response.to.have.status(200); }});"]}}}}],"request":{{"method":"GET","header":[{{"key":"Accept","value":"application/json"}}],"url":{{"raw":"{{{{baseUrl}}}}/api/odatav4/v4/Emp?$top=5","host":["{{{{baseUrl}}}}"],"path":["api","odatav4","v4","Emp"],"query":[{{"key":"$top","value":"5"}}]}}}}}}"#
            )
            .unwrap();
        }
        write!(out, "]}}").unwrap();
    }
    write!(
        out,
        r#"],"variable":[{{"key":"baseUrl","value":"http://127.0.0.1:9"}}]}}"#
    )
    .unwrap();
}
