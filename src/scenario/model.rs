//! The scenario format as Rust types. Every piece a user can get wrong keeps its span.

use std::path::PathBuf;
use std::time::Duration;

use regex::Regex;

use crate::source::{FileId, Span};
use crate::yaml::Node;

/// A value with the place it was written.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A string that may contain `{{ … }}` templates, rendered per step.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub text: String,
    pub span: Span,
}

impl Template {
    pub fn is_static(&self) -> bool {
        !crate::template::has_template(&self.text)
    }
}

/// Named values, in the order written.
pub type Vars = Vec<(Spanned<String>, Node)>;

/// `k2check.yaml`: what every scenario of a suite shares.
#[derive(Debug, Clone)]
pub struct Suite {
    pub file: FileId,
    pub dir: PathBuf,
    pub defaults: Defaults,
    pub vars: Vars,
    pub tls: Tls,
    pub limits: Limits,
    pub auth: Vec<AuthProfile>,
    pub environments: Vec<Environment>,
    /// Steps run once before any scenario; their captures every scenario reads.
    pub setup: Option<SuiteSteps>,
    /// Steps run once after every scenario, also after a failure and on a stop.
    pub teardown: Option<SuiteSteps>,
}

/// The suite's own `setup:` or `teardown:` steps.
#[derive(Debug, Clone)]
pub struct SuiteSteps {
    pub span: Span,
    pub steps: Vec<Step>,
}

/// How hard a run may press on a tenant (`limits:` in `k2check.yaml`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Requests in flight to one host at most.
    pub per_host: u32,
    /// Requests a second across the run, if limited.
    pub rate: Option<f64>,
    /// Resends after 429/503 with `Retry-After`, for the whole run.
    pub retry_budget: u32,
    /// A longer `Retry-After` is not waited for: the answer stands.
    pub max_retry_wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_host: 8,
            rate: None,
            retry_budget: 20,
            max_retry_wait: Duration::from_secs(30),
        }
    }
}

/// `20/s`, `300/m`, `1.5/s`: requests per second.
pub fn parse_rate(text: &str) -> Option<f64> {
    let (count, unit) = text.trim().split_once('/')?;
    let count: f64 = count.trim().parse().ok().filter(|c: &f64| c.is_finite() && *c > 0.0)?;
    let per_second = match unit.trim() {
        "s" | "sec" => count,
        "m" | "min" => count / 60.0,
        "h" => count / 3600.0,
        _ => return None,
    };
    // Slower than one an hour sends nothing in any run worth the name; faster than a million
    // a second limits nothing.
    (MIN_RATE..=MAX_RATE).contains(&per_second).then_some(per_second)
}

/// The slowest `--rate` or `limits.rate` taken: one request an hour.
pub const MIN_RATE: f64 = 1.0 / 3600.0;
/// The fastest: a million requests a second.
pub const MAX_RATE: f64 = 1_000_000.0;

#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub timeout: Option<Duration>,
    pub auth: Option<Spanned<String>>,
    pub environment: Option<Spanned<String>>,
    /// `writes:` for every environment that does not say.
    pub writes: Option<bool>,
    /// `redact:` for every snapshot: volatile values replaced before comparing and storing.
    pub redact: Vec<Redaction>,
    /// `snapshots: by_environment`: each environment keeps its own snapshots
    /// (`__snapshots__/<environment>/…`), as tenants hold different data.
    pub snapshots_by_environment: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Tls {
    pub ca_file: Option<Spanned<PathBuf>>,
    pub client_cert: Option<Spanned<PathBuf>>,
    pub client_key: Option<Spanned<PathBuf>>,
    pub insecure: bool,
}

#[derive(Debug, Clone)]
pub struct Environment {
    pub name: Spanned<String>,
    pub vars: Vars,
    pub auth: Vec<AuthProfile>,
    /// `writes: false`: no selected step may change the tenant.
    pub writes: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct AuthProfile {
    pub name: Spanned<String>,
    pub kind: AuthKind,
}

#[derive(Debug, Clone)]
pub enum AuthKind {
    None,
    Basic {
        username: Template,
        password: Template,
    },
    Bearer {
        token: Template,
    },
    /// A key sent in a header of its own (`X-API-Key: …`) or as a query parameter.
    ApiKey {
        name: Template,
        value: Template,
        in_query: bool,
    },
    ClientCredentials(ClientCredentials),
}

#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub token_url: Option<Template>,
    pub issuer: Option<Template>,
    pub client_id: Template,
    pub client_secret: Template,
    pub scope: Vec<Template>,
    pub audience: Option<Template>,
    pub client_auth: ClientAuthStyle,
    /// For the discovery and token requests; the suite's `defaults.timeout` when unset.
    pub timeout: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientAuthStyle {
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    Body,
    /// An HTTP Basic header (`client_secret_basic`).
    Basic,
}

/// One scenario file.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub file: FileId,
    pub path: PathBuf,
    pub name: Spanned<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub auth: Option<Spanned<AuthRef>>,
    pub vars: Vars,
    /// Data rows: the scenario runs once per row, with the row's fields as variables.
    pub rows: Option<RowSource>,
    /// The label of a row's run, a template over its fields (default: its first field).
    pub row_name: Option<Template>,
    pub steps: Vec<Step>,
    pub finally: Vec<Step>,
}

/// Where a scenario's data rows come from.
#[derive(Debug, Clone)]
pub enum RowSource {
    /// `rows: [ { … }, … ]`: a list of mappings in the scenario itself.
    Inline(Node),
    /// `rows: { file: users.csv }`: a CSV, YAML or JSON file beside the scenario.
    File(Spanned<String>),
}

/// Which credentials a request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthRef {
    None,
    Profile(String),
}

#[derive(Debug, Clone)]
pub struct Step {
    pub name: String,
    /// What the step is for, in words: shown with its failures and in reports.
    pub description: Option<String>,
    pub span: Span,
    /// What is sent first: written as `request:`, or expanded from `odata:`, `scim:` or
    /// `workflow:` (so `--dry-run` and reports show it like any request).
    pub request: Request,
    /// What a K2-aware step does beyond that one request.
    pub follow: Follow,
    pub auth: Option<Spanned<AuthRef>>,
    pub expect: Expect,
    pub capture: Vec<Capture>,
    pub retry: Option<Retry>,
}

impl Step {
    /// The `Authorization` header the step writes itself (pasted from a browser or a curl
    /// command): its own credentials, which win over any profile's.
    pub fn own_authorization(&self) -> Option<&Spanned<String>> {
        self.request
            .headers
            .iter()
            .map(|(name, _)| name)
            .find(|name| name.value.eq_ignore_ascii_case("authorization"))
    }

    /// The auth profile whose credentials the step sends: its own `auth`, the scenario's, or
    /// the suite default; none with `auth: none` or when the step writes its own
    /// `Authorization` header.
    pub fn profile<'a>(&'a self, scenario: &'a Scenario, default: Option<&'a str>) -> Option<&'a str> {
        if self.own_authorization().is_some() {
            return None;
        }
        self.profile_ignoring_own_header(scenario, default)
    }

    /// The profile the step would use without its own `Authorization` header.
    pub fn profile_ignoring_own_header<'a>(
        &'a self,
        scenario: &'a Scenario,
        default: Option<&'a str>,
    ) -> Option<&'a str> {
        match self.auth.as_ref().or(scenario.auth.as_ref()).map(|a| &a.value) {
            Some(AuthRef::None) => None,
            Some(AuthRef::Profile(name)) => Some(name),
            None => default,
        }
    }
}

/// The template name under which a `workflow: { start: NAME }` request finds the id that
/// was looked up by name before it.
pub const WORKFLOW_ID: &str = "__workflow_id";

/// The K2-aware part of a step, carried out around its expanded request.
#[derive(Debug, Clone, PartialEq)]
pub enum Follow {
    None,
    /// Follow `@odata.nextLink` (v4) or `odata.nextLink` (v3) and merge `value`.
    ODataPages {
        version: ODataVersion,
        limit: u32,
        strict: bool,
    },
    /// Page through a SCIM `ListResponse` by `startIndex` and merge `Resources`.
    ScimPages {
        limit: u32,
        strict: bool,
    },
    /// The workflow id comes from `GET workflows`, found by name, before the request.
    WorkflowByName {
        name: Template,
    },
    /// Poll `GET tasks` until a task of this instance appears; the step sees that task.
    WaitForTask {
        instance: Template,
        interval: Duration,
        timeout: Duration,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ODataVersion {
    V3,
    V4,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: Spanned<String>,
    pub url: Template,
    pub query: Vec<(Spanned<String>, Node)>,
    pub headers: Vec<(Spanned<String>, Template)>,
    pub body: Option<Body>,
    pub timeout: Option<Duration>,
    pub follow_redirects: bool,
}

#[derive(Debug, Clone)]
pub enum Body {
    Json(Node),
    Form(Vec<(Spanned<String>, Node)>),
    Raw(Template),
}

#[derive(Debug, Clone, Default)]
pub struct Expect {
    pub status: Option<Spanned<Vec<StatusPattern>>>,
    pub headers: Vec<(Spanned<String>, Vec<Predicate>)>,
    pub json: Vec<(Template, Vec<Predicate>)>,
    pub body: Vec<Predicate>,
    pub schema: Option<Spanned<PathBuf>>,
    pub time: Vec<Predicate>,
    /// The number of records in an OData `value` or a SCIM `Resources` list.
    pub records: Vec<Predicate>,
    /// `@odata.count` (v4) or `odata.count` (v3).
    pub odata_count: Vec<Predicate>,
    /// An entity set described in a `$metadata` document, with these properties.
    pub entity_set: Option<EntitySetCheck>,
    /// The answer compared with a snapshot stored beside the scenario; boxed, as few steps
    /// have one and every step carries the field.
    pub snapshot: Option<Box<SnapshotCheck>>,
}

/// `snapshot:`: the answer (its values, or only its shape) compared with a stored file,
/// `__snapshots__/<scenario file>/<name>.json`.
#[derive(Debug, Clone)]
pub struct SnapshotCheck {
    /// The file's name; the step's name when not given.
    pub name: Option<Spanned<String>>,
    /// Only keys, JSON types and array element shapes are compared.
    pub shape: bool,
    pub redact: Vec<Redaction>,
    pub form: SnapshotForm,
    pub span: Span,
}

/// What of the answer is the snapshot.
#[derive(Debug, Clone, PartialEq)]
pub enum SnapshotForm {
    /// The JSON body.
    Body,
    /// An OData `$metadata` document, normalized: its entity sets (these only, when named),
    /// their properties with types and nullability, keys and navigation.
    Metadata { sets: Vec<Template> },
}

/// A JSONPath whose values are replaced by a placeholder before a snapshot is compared or
/// stored (`"$..id": "[id]"`).
#[derive(Debug, Clone)]
pub struct Redaction {
    pub path: Template,
    pub placeholder: String,
}

#[derive(Debug, Clone)]
pub struct EntitySetCheck {
    pub name: Template,
    pub properties: Vec<Template>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusPattern {
    Code(u16),
    /// `2xx`: any code whose first digit is this.
    Class(u16),
}

impl StatusPattern {
    pub fn matches(self, code: u16) -> bool {
        match self {
            StatusPattern::Code(c) => c == code,
            StatusPattern::Class(c) => code / 100 == c,
        }
    }
}

impl std::fmt::Display for StatusPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusPattern::Code(c) => write!(f, "{c}"),
            StatusPattern::Class(c) => write!(f, "{c}xx"),
        }
    }
}

/// One check on a value; its span is the operator (or the bare scalar) in the file.
#[derive(Debug, Clone)]
pub struct Predicate {
    pub op: Op,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Op {
    Equals(Node),
    NotEquals(Node),
    Contains(Node),
    StartsWith(Node),
    Matches(Regex),
    /// A pattern with templates, compiled when rendered.
    MatchesTemplate(Node),
    Exists(bool),
    Type(JsonType),
    Count(Vec<Predicate>),
    Length(Vec<Predicate>),
    Gt(Node),
    Gte(Node),
    Lt(Node),
    Lte(Node),
    OneOf(Vec<Node>),
    Empty(bool),
    /// Every match (or every item of the one list matched) meets all of these.
    Every(Vec<Predicate>),
    /// No match meets all of these.
    NoneOf(Vec<Predicate>),
    /// Durations (for `time`), in milliseconds.
    Millis(Comparison, Duration),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
    Null,
}

impl JsonType {
    pub const NAMES: &[&str] = &["string", "number", "integer", "boolean", "array", "object", "null"];

    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "string" => JsonType::String,
            "number" => JsonType::Number,
            "integer" => JsonType::Integer,
            "boolean" => JsonType::Boolean,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            "null" => JsonType::Null,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn of(value: &serde_json::Value) -> Self {
        use serde_json::Value;
        match value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Number(n) if n.is_i64() || n.is_u64() => JsonType::Integer,
            Value::Number(_) => JsonType::Number,
            Value::String(_) => JsonType::String,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Capture {
    pub name: Spanned<String>,
    pub source: CaptureSource,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum CaptureSource {
    Json(Template),
    Header(String),
    Regex { regex: Regex, group: usize },
    Body(BodyAs),
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyAs {
    Text,
    Integer,
    Json,
}

#[derive(Debug, Clone)]
pub struct Retry {
    pub span: Span,
    pub interval: Duration,
    pub timeout: Option<Duration>,
    pub attempts: Option<u32>,
    pub backoff: f64,
}
