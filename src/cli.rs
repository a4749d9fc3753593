//! Command-line definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "k2check",
    version,
    about = "Scenario checks for the K2 Cloud / Nintex Automation APIs"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a client's setup in one command, no files needed: the host, the login server, a
    /// token per scope and each API with it
    Doctor(DoctorArgs),
    /// Write a starter suite (environments `mock` and `cloud`, starter scenarios, CI file) into
    /// DIR; never overwrites a file
    Init(InitArgs),
    /// Run scenarios and report
    Run(RunArgs),
    /// Check scenarios and report every problem; send nothing
    Validate(SuiteArgs),
    /// List the scenarios a run would take, and the environment variables they read
    List(ListArgs),
    /// Serve the built-in mock K2 environment
    Mock(MockArgs),
    /// Fetch a token for an auth profile and show its type, scope, expiry and claims
    Token(TokenArgs),
    /// Print IdentityModel's ToSha256() of a secret (reads standard input without an argument)
    SecretHash(SecretHashArgs),
    /// Print the JSON Schema of the scenario format
    Schema,
    /// Turn a Postman collection or a curl command into k2check scenarios
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write API documentation from the scenarios: Markdown pages and one HTML file
    Docs(DocsArgs),
    /// Merge the JSON reports of the parts of a sharded run into one run's reports
    Merge(MergeArgs),
    /// Review the snapshots a run left for review (`*.json.new`)
    #[command(subcommand)]
    Snapshots(SnapshotsCommand),
}

#[derive(Debug, Subcommand)]
pub enum SnapshotsCommand {
    /// Show each pending snapshot as a diff and accept or reject it (asks on a terminal;
    /// otherwise give --accept-all or --reject-all)
    Review(ReviewArgs),
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Where to look for pending snapshots (every `__snapshots__` folder below it)
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Accept every pending snapshot without asking
    #[arg(long, conflicts_with = "reject_all")]
    pub accept_all: bool,
    /// Reject (delete) every pending snapshot without asking
    #[arg(long)]
    pub reject_all: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The parts' JSON Lines reports (`run --json`), one per shard
    #[arg(required = true, value_name = "REPORT.jsonl")]
    pub reports: Vec<PathBuf>,
    /// Write the merged JUnit XML report here
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the merged JSON Lines report here
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the merged HTML report here
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DocsArgs {
    /// Scenario files or folders (default: ./scenarios if it exists, else the suite here)
    pub paths: Vec<PathBuf>,
    /// The folder to write index.md, a page per scenario folder, and docs.html into
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// A JSON report of a run with -v: each step shows that run's request and response
    #[arg(long, value_name = "REPORT.jsonl")]
    pub from_run: Option<PathBuf>,
    /// The documentation's title
    #[arg(long, default_value = "API checks")]
    pub title: String,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A Postman collection (v2.0 or v2.1) as a suite folder
    Postman(ImportPostmanArgs),
    /// A curl command line (bash or cmd quoting) as one scenario step
    Curl(ImportCurlArgs),
}

#[derive(Debug, Args)]
pub struct ImportPostmanArgs {
    /// The collection file (*.postman_collection.json)
    pub collection: PathBuf,
    /// A Postman environment export: its values become the environment's variables
    #[arg(long, value_name = "FILE")]
    pub environment: Option<PathBuf>,
    /// The suite folder to write
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into an existing folder, replacing the files the import writes
    #[arg(long)]
    pub force: bool,
    /// Also write the import report as JSON here
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportCurlArgs {
    /// The curl command line; read from standard input when left out
    pub command: Option<String>,
    /// Append the step to this scenario file (created when missing) instead of printing it
    #[arg(long, value_name = "FILE")]
    pub to: Option<PathBuf>,
    /// The step's name (default: the method and the URL's path)
    #[arg(long)]
    pub name: Option<String>,
    /// Keep the headers a browser adds (sec-ch-*, sec-fetch-*, user-agent, referer, …)
    #[arg(long)]
    pub keep_headers: bool,
}

#[derive(Debug, Args, Clone)]
pub struct SuiteArgs {
    /// Scenario files or folders (default: ./scenarios if it exists, else .)
    pub paths: Vec<PathBuf>,
    /// Environment from k2check.yaml [env: K2CHECK_ENV=]
    #[arg(long, short, value_name = "NAME", conflicts_with = "mock")]
    pub env: Option<String>,
    /// Run against the built-in mock K2 environment (environment `mock`); K2CHECK_ENV is
    /// ignored, and nothing is sent anywhere else
    #[arg(long)]
    pub mock: bool,
    /// With --mock: the mock answers in the other forms the standards allow (relative next
    /// links, 204 to a SCIM PATCH, no `kind` in the service document, the token endpoint
    /// elsewhere), as independent servers do
    #[arg(long, requires = "mock")]
    pub mock_alternatives: bool,
    /// A variable for this run, NAME=VALUE (repeatable); wins over the suite's and the
    /// environment's `vars`
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Variables from a file: a YAML mapping, or NAME=VALUE lines; `--var` wins over it
    #[arg(long, value_name = "FILE")]
    pub vars_file: Option<PathBuf>,
}

impl RunArgs {
    /// `-v`/`-vv`, else `K2CHECK_VERBOSE` (`1`, `2`, or `true`).
    pub fn verbosity(&self) -> u8 {
        if self.verbose > 0 {
            return self.verbose;
        }
        match std::env::var("K2CHECK_VERBOSE").unwrap_or_default().trim() {
            "" | "0" | "false" => 0,
            "true" => 1,
            n => n.parse::<u8>().unwrap_or(1),
        }
    }
}

impl RunArgs {
    /// `--update-snapshots`, else `K2CHECK_UPDATE_SNAPSHOTS` (`1`, `true` or `yes`).
    pub fn update_snapshots(&self) -> bool {
        self.update_snapshots
            || matches!(
                std::env::var("K2CHECK_UPDATE_SNAPSHOTS").unwrap_or_default().trim(),
                "1" | "true" | "yes"
            )
    }
}

impl SuiteArgs {
    /// The environment asked for: `--env`, else `K2CHECK_ENV` (never under `--mock`), and a
    /// note when `K2CHECK_ENV` was set and ignored.
    pub fn environment(&self) -> (Option<String>, Option<String>) {
        let from_variable = std::env::var("K2CHECK_ENV").ok().filter(|e| !e.trim().is_empty());
        match (&self.env, self.mock, from_variable) {
            (Some(env), _, _) => (Some(env.clone()), None),
            (None, true, Some(ignored)) => (None, Some(format!("K2CHECK_ENV={ignored} is ignored under --mock"))),
            (None, _, variable) => (variable, None),
        }
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Scenarios run at once
    #[arg(long, short, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: u16,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Send at most this many requests, e.g. 20/s or 300/m (overrides limits.rate)
    #[arg(long, value_name = "N/s", value_parser = parse_rate_arg)]
    pub rate: Option<f64>,
    /// Start no new scenario after the first failure
    #[arg(long)]
    pub fail_fast: bool,
    /// Run a failed scenario again, up to N more times (its `finally:` steps run after each
    /// try); one that passes on a later try is reported flaky
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retries: u32,
    /// Store each new or changed snapshot and pass its step, with a note (also
    /// K2CHECK_UPDATE_SNAPSHOTS=1); without it, such an answer fails and waits in a `.new` file
    #[arg(long)]
    pub update_snapshots: bool,
    /// After a stop signal, how long `finally:` steps of started scenarios may still run (a
    /// second signal ends them at once)
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration_arg)]
    pub grace: std::time::Duration,
    /// Show each step's exchange as its scenario finishes: -v the request and response lines
    /// and headers, timing and captures; -vv the bodies too (also K2CHECK_VERBOSE=1 or 2)
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Bodies shown by -vv and kept in the HTML report are cut after this many characters
    #[arg(long, value_name = "CHARS", default_value_t = crate::run::DEFAULT_BODY_LIMIT)]
    pub body_limit: usize,
    /// Write a self-contained HTML report here
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write a JUnit XML report here
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a JSON Lines report here
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Print the resolved requests (secrets masked) and send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Colours in the output (auto: on a terminal, unless NO_COLOR is set)
    #[arg(long, value_enum, default_value_t = When::Auto, value_name = "WHEN")]
    pub color: When,
    /// Progress on stderr: a bar on a terminal (auto: only outside CI); with always, a line every
    /// few seconds where stderr is not a terminal
    #[arg(long, value_enum, default_value_t = When::Auto, value_name = "WHEN")]
    pub progress: When,
}

/// Which scenarios a command takes: the same flags for `run` and `list`.
#[derive(Debug, Args, Clone)]
pub struct SelectArgs {
    /// Only scenarios with one of these tags (repeatable)
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Leave out scenarios with this tag (repeatable), e.g. `scim` on a tenant without SCIM
    #[arg(long, value_name = "TAG")]
    pub skip_tag: Vec<String>,
    /// Only scenarios whose name matches this glob, case-insensitive (repeatable)
    #[arg(long, value_name = "GLOB")]
    pub name: Vec<String>,
    /// Part I of N of the selected scenarios, balanced by their steps, for parallel CI jobs;
    /// `auto` reads the CI's own position and total (GitLab, Azure Pipelines, Buildkite,
    /// CircleCI, Kubernetes with K2CHECK_SHARD_TOTAL)
    #[arg(long, value_name = "I/N|auto", value_parser = crate::plan::ShardArg::parse)]
    pub shard: Option<crate::plan::ShardArg>,
    /// With --shard: balance the parts by each scenario's duration in this earlier JSON report
    #[arg(long, value_name = "REPORT.jsonl", requires = "shard")]
    pub durations: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Print JSON for scripts
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum When {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct MockArgs {
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// YAML file overriding the seeded tenant
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Answer in the other forms the standards allow (see `run --mock-alternatives`)
    #[arg(long)]
    pub alternatives: bool,
    /// Delay every response by this much (e.g. 100ms)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_arg)]
    pub latency: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The tenant's K2 host, e.g. acme.onk2.com (else K2_HOST)
    #[arg(long, value_name = "HOST", conflicts_with = "api_url")]
    pub host: Option<String>,
    /// The API's URL when it is not https://HOST (a proxy, a test system, a mock elsewhere)
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// The tenant id of https://login.onk2.com/{tenant} (else K2_TENANT_ID; K2_ISSUER or
    /// K2_TOKEN_URL for another login server)
    #[arg(long, value_name = "ID")]
    pub tenant: Option<String>,
    /// The client-credentials client id, idt.cc.… (else K2_CLIENT_ID); the secret comes from
    /// K2_CLIENT_SECRET, or is asked without echo on a terminal
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Check SCIM too: its token scope and its users (the URL from K2_SCIM_URL, else from K2_SCIM_TOKEN)
    #[arg(long)]
    pub scim: bool,
    /// Check Basic authentication as this user (the password from K2_PASSWORD, or asked)
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Check the built-in mock K2 environment (a flag, K2_CLIENT_ID or K2_CLIENT_SECRET still
    /// wins, so a wrong secret or tenant can be tried against it)
    #[arg(long)]
    pub mock: bool,
    /// Print the diagnosis as JSON
    #[arg(long)]
    pub json: bool,
    /// The longest any one request may take
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = parse_duration_arg)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Auth profile from k2check.yaml
    pub profile: String,
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Print the token itself (it is masked otherwise)
    #[arg(long)]
    pub show_token: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The suite's folder (created if missing)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The tenant's K2 host, e.g. acme.onk2.com (else K2_HOST at run time)
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// The tenant id of the token URL https://login.onk2.com/{tenant}/connect/token (else
    /// K2_TENANT_ID at run time)
    #[arg(long, value_name = "ID")]
    pub tenant: Option<String>,
    /// The client-credentials client id Nintex sent, idt.cc.… (else K2_CLIENT_ID at run time)
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// The token URL, when it is not https://login.onk2.com/{tenant}/connect/token
    #[arg(long, value_name = "URL", conflicts_with = "tenant")]
    pub token_url: Option<String>,
    /// Add SCIM checks (the SCIM token comes from K2_SCIM_TOKEN at run time)
    #[arg(long)]
    pub scim: bool,
    /// Add the Basic authentication check (the user from K2_USER, the password from K2_PASSWORD)
    #[arg(long)]
    pub basic: bool,
    /// Write the whole scenario library (OData, Workflow, SCIM), not only the onboarding checks
    #[arg(long, conflicts_with = "discover")]
    pub library: bool,
    /// Write a read-only smoke suite from what the tenant exposes to this client: a scenario per
    /// SmartObject (its properties as $metadata lists them today) and per startable workflow,
    /// SCIM's users with --scim (the secret from K2_CLIENT_SECRET, as for `doctor`)
    #[arg(long)]
    pub discover: bool,
    /// With --discover: at most this many SmartObjects, and this many workflows
    #[arg(long, value_name = "N", default_value_t = 25, requires = "discover")]
    pub max: usize,
    /// With --discover: discover the built-in mock K2 environment
    #[arg(long, requires = "discover")]
    pub mock: bool,
    /// The API's URL when it is not https://HOST (a proxy, a test system)
    #[arg(long, value_name = "URL", conflicts_with = "host")]
    pub api_url: Option<String>,
    /// Write a CI file that runs the suite against the tenant
    #[arg(long, value_enum, value_name = "SYSTEM")]
    pub ci: Option<CiSystem>,
    /// With --ci: N parallel jobs, each running its part of the suite (--shard)
    #[arg(long, value_name = "N", requires = "ci", value_parser = clap::value_parser!(u32).range(2..=64))]
    pub shards: Option<u32>,
    /// Ask nothing, even on a terminal: what no flag gives is read from the environment at run time
    #[arg(long)]
    pub no_input: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CiSystem {
    Github,
    Gitlab,
    Azure,
}

#[derive(Debug, Args)]
pub struct SecretHashArgs {
    /// The secret; omit it to read standard input, so it stays out of shell history
    pub secret: Option<String>,
}

fn parse_duration_arg(text: &str) -> Result<std::time::Duration, String> {
    crate::scenario::fields::parse_duration(text).ok_or_else(|| format!("`{text}` is not a duration (e.g. 100ms, 2s)"))
}

fn parse_rate_arg(text: &str) -> Result<f64, String> {
    crate::scenario::model::parse_rate(text)
        .ok_or_else(|| format!("`{text}` is not a rate between 1/h and 1000000/s (e.g. 20/s, 300/m)"))
}
