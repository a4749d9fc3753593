//! The CI file `init --ci` writes: it installs the k2check release it was written with (its
//! SHA-256 checked against the release's `SHA256SUMS`), runs the suite against the tenant,
//! shows the JUnit results in the CI's own test view and keeps the HTML report; with
//! `--shards N`, N parallel jobs each run their part (`--shard`).

use crate::cli::CiSystem;
use crate::cmd::starter::CloudVariable;

/// Where release archives are downloaded from (the release workflow attaches them there).
const RELEASES: &str = "https://github.com/k2check/k2check/releases/download";
const ARCHIVE: &str = "k2check-x86_64-unknown-linux-musl.tar.gz";

/// The CI file's path and text.
pub fn ci_file(ci: CiSystem, variables: &[CloudVariable], suite: &str, shards: Option<u32>) -> (&'static str, String) {
    match ci {
        CiSystem::Github => (".github/workflows/k2check.yml", github(variables, suite, shards)),
        CiSystem::Gitlab => (".gitlab-ci.yml", gitlab(variables, suite, shards)),
        // The name Azure Pipelines looks for; the loader never reads it as a scenario, even in
        // the suite's folder (`scenario::load::CI_FILES`).
        CiSystem::Azure => ("azure-pipelines.yml", azure(variables, suite, shards)),
    }
}

/// Shell lines that download this version's archive and install it only if its SHA-256 is the
/// one `SHA256SUMS` of the release names (`sudo` where the runner needs it).
fn install(sudo: &str) -> Vec<String> {
    let version = env!("CARGO_PKG_VERSION");
    vec![
        format!("base={RELEASES}/v{version}"),
        format!("curl -fsSLO \"$base/{ARCHIVE}\" -O \"$base/SHA256SUMS\""),
        format!("grep \" {ARCHIVE}$\" SHA256SUMS | sha256sum -c -"),
        format!("{sudo}tar xzf {ARCHIVE} -C /usr/local/bin k2check"),
    ]
}

/// The run: the part of the suite this job takes, and every report.
fn run_line(suite: &str, shard: &str) -> String {
    format!(
        "k2check run {suite} --env cloud{shard} --junit reports/junit.xml --json reports/run.jsonl --html reports/report.html"
    )
}

fn github(variables: &[CloudVariable], suite: &str, shards: Option<u32>) -> String {
    let env: String = variables
        .iter()
        .map(|v| {
            let store = if v.secret { "secrets" } else { "vars" };
            format!("          {name}: ${{{{ {store}.{name} }}}}\n", name = v.name)
        })
        .collect();
    let (matrix, shard, suffix) = match shards {
        Some(n) => {
            let parts: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
            (
                format!(
                    "    strategy:\n      fail-fast: false\n      matrix:\n        shard: [{}]\n",
                    parts.join(", ")
                ),
                format!(" --shard ${{{{ matrix.shard }}}}/{n}"),
                "-${{ matrix.shard }}",
            )
        }
        None => (String::new(), String::new(), ""),
    };
    let install: String = install("sudo ").iter().map(|l| format!("          {l}\n")).collect();
    let version = env!("CARGO_PKG_VERSION");
    format!(
        r#"# Checks the K2 tenant on every push and each weekday morning. Define the variables below
# under Settings → Secrets and variables → Actions (the secrets as secrets).
name: k2check
on:
  push:
  workflow_dispatch:
  schedule:
    - cron: "0 6 * * 1-5"
permissions:
  contents: read
  checks: write
jobs:
  k2check:
    runs-on: ubuntu-latest
{matrix}    steps:
      - uses: actions/checkout@v4
      - name: Install k2check {version} (its SHA-256 checked)
        run: |
{install}      - name: Check the tenant
        run: {run}
        env:
{env}{checks}      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: k2check-reports{suffix}
          path: reports/
{merge}"#,
        run = run_line(suite, &shard),
        checks = if shards.is_some() { "" } else { GITHUB_CHECKS },
        merge = if shards.is_some() {
            github_merge(&install)
        } else {
            String::new()
        },
    )
}

/// The JUnit results as check runs.
const GITHUB_CHECKS: &str = "      - name: Show the results as checks
        if: always()
        uses: mikepenz/action-junit-report@v5
        with:
          report_paths: reports/junit.xml
          check_name: k2check
";

/// The job that merges the parts' reports into one run's, and shows that one.
fn github_merge(install: &str) -> String {
    format!(
        r#"  merge:
    needs: k2check
    if: always()
    runs-on: ubuntu-latest
    steps:
      - name: Install k2check {version} (its SHA-256 checked)
        run: |
{install}      - uses: actions/download-artifact@v4
        with:
          pattern: k2check-reports-*
          path: parts
      - name: Merge the parts into one run's reports
        run: k2check merge parts/*/run.jsonl --junit reports/junit.xml --json reports/run.jsonl --html reports/report.html
{checks}      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: k2check-reports
          path: reports/
"#,
        version = env!("CARGO_PKG_VERSION"),
        checks = GITHUB_CHECKS,
    )
}

fn gitlab(variables: &[CloudVariable], suite: &str, shards: Option<u32>) -> String {
    let names: Vec<&str> = variables.iter().map(|v| v.name.as_str()).collect();
    let secrets: Vec<&str> = variables.iter().filter(|v| v.secret).map(|v| v.name.as_str()).collect();
    let (parallel, shard) = match shards {
        Some(n) => (format!("  parallel: {n}\n"), " --shard auto".to_owned()),
        None => (String::new(), String::new()),
    };
    let install: String = install("").iter().map(|l| format!("    - {l}\n")).collect();
    format!(
        r#"# Checks the K2 tenant on every push. Define {names} under
# Settings → CI/CD → Variables ({secrets} masked).
{stages}k2check:
  image: alpine:3
{parallel}{stage}  script:
    - apk add --no-cache curl
{install}    - {run}
  artifacts:
    when: always
{artifacts}{merge}"#,
        names = names.join(", "),
        secrets = secrets.join(", "),
        run = match shards {
            // Each part's report under a name of its own: the merge job receives them all.
            Some(_) =>
                format!("k2check run {suite} --env cloud --shard auto --json \"reports/run-$CI_NODE_INDEX.jsonl\""),
            None => run_line(suite, &shard),
        },
        stages = if shards.is_some() {
            "stages: [check, report]\n"
        } else {
            ""
        },
        stage = if shards.is_some() { "  stage: check\n" } else { "" },
        artifacts = match shards {
            Some(_) => "    paths: [reports/]\n",
            None => "    paths: [reports/]\n    reports:\n      junit: reports/junit.xml\n",
        },
        merge = if shards.is_some() {
            gitlab_merge(&install)
        } else {
            String::new()
        },
    )
}

/// The job that merges the parts' reports into one run's, and shows that one.
fn gitlab_merge(install: &str) -> String {
    format!(
        r#"k2check-merge:
  stage: report
  image: alpine:3
  needs: [k2check]
  when: always
  script:
    - apk add --no-cache curl
{install}    - k2check merge reports/run-*.jsonl --junit merged/junit.xml --json merged/run.jsonl --html merged/report.html
  artifacts:
    when: always
    paths: [merged/]
    reports:
      junit: merged/junit.xml
"#
    )
}

fn azure(variables: &[CloudVariable], suite: &str, shards: Option<u32>) -> String {
    // Azure Pipelines passes a secret variable to a script only when it is mapped by name.
    let env: String = variables
        .iter()
        .map(|v| format!("          {name}: $({name})\n", name = v.name))
        .collect();
    let (parallel, shard) = match shards {
        Some(n) => (
            format!("    strategy:\n      parallel: {n}\n"),
            " --shard auto".to_owned(),
        ),
        None => (String::new(), String::new()),
    };
    let install: String = install("sudo ").iter().map(|l| format!("          {l}\n")).collect();
    let version = env!("CARGO_PKG_VERSION");
    format!(
        r#"# Checks the K2 tenant on every push to main and each weekday morning. Create the pipeline
# from this file (Pipelines → New pipeline → Existing Azure Pipelines YAML file), and define
# the variables below in a variable group named k2check (Pipelines → Library), secrets secret.
trigger:
  - main
schedules:
  - cron: "0 6 * * 1-5"
    displayName: Weekday mornings
    branches:
      include: [main]
    always: true
pool:
  vmImage: ubuntu-latest
variables:
  - group: k2check
jobs:
  - job: k2check
{parallel}    steps:
      - script: |
{install}        displayName: Install k2check {version} (its SHA-256 checked)
      - script: {run}
        displayName: Check the tenant
        env:
{env}{publish}      - publish: reports
        artifact: k2check-reports-$(System.JobPositionInPhase)
        condition: always()
{merge}"#,
        run = run_line(suite, &shard),
        publish = if shards.is_some() { "" } else { AZURE_PUBLISH },
        merge = if shards.is_some() {
            azure_merge(&install)
        } else {
            String::new()
        },
    )
}

/// The JUnit results in the run's Tests tab.
const AZURE_PUBLISH: &str = "      - task: PublishTestResults@2
        condition: always()
        inputs:
          testResultsFormat: JUnit
          testResultsFiles: reports/junit.xml
          testRunTitle: k2check
";

/// The job that merges the parts' reports into one run's, and shows that one.
fn azure_merge(install: &str) -> String {
    format!(
        r#"  - job: merge
    dependsOn: k2check
    condition: succeededOrFailed()
    steps:
      - script: |
{install}        displayName: Install k2check {version} (its SHA-256 checked)
      - download: current
        patterns: "**/run.jsonl"
      - script: k2check merge $(Pipeline.Workspace)/k2check-reports-*/run.jsonl --junit reports/junit.xml --json reports/run.jsonl --html reports/report.html
        displayName: Merge the parts into one run's reports
{publish}      - publish: reports
        artifact: k2check-reports
        condition: always()
"#,
        version = env!("CARGO_PKG_VERSION"),
        publish = AZURE_PUBLISH,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables() -> Vec<CloudVariable> {
        vec![
            CloudVariable {
                name: "K2_HOST".into(),
                meaning: "",
                secret: false,
            },
            CloudVariable {
                name: "K2_CLIENT_SECRET".into(),
                meaning: "",
                secret: true,
            },
        ]
    }

    /// The file as YAML reads it: a file that does not parse, or parses to another shape, fails.
    fn parsed(text: &str) -> serde_json::Value {
        let mut sources = crate::source::SourceMap::default();
        let id = sources.add("ci.yml".into(), text.to_owned());
        crate::yaml::parse(id, &sources.get(id)).unwrap().to_json()
    }

    #[test]
    fn each_ci_file_is_yaml_of_its_ci_with_the_parts_and_the_checked_install() {
        let version = format!("/v{}", env!("CARGO_PKG_VERSION"));
        let (path, github) = ci_file(CiSystem::Github, &variables(), "checks", Some(3));
        assert_eq!(path, ".github/workflows/k2check.yml");
        let g = parsed(&github);
        let job = &g["jobs"]["k2check"];
        assert_eq!(job["strategy"]["matrix"]["shard"], serde_json::json!([1, 2, 3]));
        let steps = job["steps"].as_array().unwrap();
        let run = steps.iter().find(|s| s["name"] == "Check the tenant").unwrap();
        assert!(run["run"].as_str().unwrap().contains("--shard ${{ matrix.shard }}/3"));
        assert_eq!(run["env"]["K2_CLIENT_SECRET"], "${{ secrets.K2_CLIENT_SECRET }}");
        assert_eq!(run["env"]["K2_HOST"], "${{ vars.K2_HOST }}");
        let install = steps
            .iter()
            .find(|s| s["run"].as_str().is_some_and(|r| r.contains("sha256sum -c")));
        assert!(install.unwrap()["run"].as_str().unwrap().contains(&version), "pinned");
        // With parts, a merge job puts their reports together and shows that one.
        let merge = &g["jobs"]["merge"];
        assert_eq!(merge["needs"], "k2check");
        let merge_steps = merge["steps"].as_array().unwrap();
        let merges = |s: &serde_json::Value| s["run"].as_str().is_some_and(|r| r.starts_with("k2check merge parts/"));
        assert!(merge_steps.iter().any(merges));
        assert!(
            merge_steps
                .iter()
                .any(|s| s["uses"] == "mikepenz/action-junit-report@v5")
        );

        let (path, gitlab) = ci_file(CiSystem::Gitlab, &variables(), "checks", Some(3));
        assert_eq!(path, ".gitlab-ci.yml");
        let l = parsed(&gitlab);
        assert_eq!(
            (&l["k2check"]["parallel"], &l["k2check"]["stage"]),
            (&serde_json::json!(3), &serde_json::json!("check"))
        );
        assert_eq!(l["stages"], serde_json::json!(["check", "report"]));
        let script: Vec<&str> = l["k2check"]["script"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s.as_str())
            .collect();
        assert!(script.iter().any(|s| s.contains("--shard auto")), "{script:?}");
        assert!(script.iter().any(|s| s.contains("sha256sum -c")), "{script:?}");
        assert_eq!(l["k2check-merge"]["needs"], serde_json::json!(["k2check"]));
        assert_eq!(l["k2check-merge"]["artifacts"]["reports"]["junit"], "merged/junit.xml");

        let (path, azure) = ci_file(CiSystem::Azure, &variables(), "checks", Some(3));
        assert_eq!(path, "azure-pipelines.yml");
        let a = parsed(&azure);
        let job = &a["jobs"][0];
        assert_eq!(job["strategy"]["parallel"], 3);
        let steps = job["steps"].as_array().unwrap();
        assert!(steps.iter().any(|s| s["publish"] == "reports"));
        let run = steps.iter().find(|s| s["displayName"] == "Check the tenant").unwrap();
        assert_eq!(
            run["env"]["K2_CLIENT_SECRET"], "$(K2_CLIENT_SECRET)",
            "a secret is mapped by name"
        );
        assert!(run["script"].as_str().unwrap().contains("--shard auto"));
        assert_eq!(a["variables"][0]["group"], "k2check");
        let merge = &a["jobs"][1];
        assert_eq!(
            (&merge["job"], &merge["dependsOn"]),
            (&serde_json::json!("merge"), &serde_json::json!("k2check"))
        );
        assert!(
            merge["steps"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["task"] == "PublishTestResults@2")
        );

        for (ci, text) in [
            (CiSystem::Github, &github),
            (CiSystem::Gitlab, &gitlab),
            (CiSystem::Azure, &azure),
        ] {
            assert!(text.contains(&version), "{ci:?} pins the version");
            let (_, single) = ci_file(ci, &variables(), "checks", None);
            assert!(
                !single.contains("--shard") && !single.contains("k2check merge"),
                "{ci:?}: one job"
            );
            assert!(single.contains("junit"), "{ci:?} shows the results");
            assert!(parsed(&single).is_object(), "{ci:?}");
        }
    }
}
