//! The files of a starter suite. Each starter scenario passes against the built-in mock as
//! written, and reads only variables both environments define.

use crate::cli::CiSystem;
use crate::cmd::init_answers::Answers;

/// Where release binaries are downloaded from (the release workflow attaches them there).
pub const RELEASES: &str = "https://github.com/k2check/k2check/releases/latest/download";

/// A file to write, its path relative to the suite's folder.
pub struct StarterFile {
    pub path: String,
    pub text: String,
}

/// The suite's files; `suite_from_ci` is the suite's folder as the CI job sees it (relative
/// to the repository's root).
pub fn starter_files(answers: &Answers, suite_from_ci: &str) -> Vec<StarterFile> {
    let mut files = vec![
        file("k2check.yaml", suite_file(answers)),
        file("onboarding/token.yaml", TOKEN.into()),
        file("odata/service.yaml", ODATA_SERVICE.into()),
        file("odata/read.yaml", ODATA_READ.into()),
        file("workflow/list.yaml", WORKFLOW_LIST.into()),
        file(".env.example", env_example(answers)),
    ];
    if answers.scim {
        files.push(file("scim/users.yaml", SCIM_USERS.into()));
    }
    files
        .into_iter()
        .chain(answers.ci.map(|ci| ci_file(ci, answers, suite_from_ci)))
        .collect()
}

fn file(path: &str, text: String) -> StarterFile {
    StarterFile {
        path: path.into(),
        text,
    }
}

/// The environment variables the `cloud` environment reads, each with what it holds.
pub fn cloud_variables(answers: &Answers) -> Vec<(&'static str, &'static str, bool)> {
    let mut names = Vec::new();
    if answers.host.is_none() {
        names.push(("K2_HOST", "the tenant's host, e.g. acme.onk2.com", false));
    }
    if answers.tenant.is_none() && answers.token_url.is_none() {
        names.push((
            "K2_TENANT_ID",
            "the tenant id of https://login.onk2.com/{tenant}/connect/token",
            false,
        ));
    }
    if answers.client_id.is_none() {
        names.push(("K2_CLIENT_ID", "the client id Nintex sent, idt.cc.…", false));
    }
    names.push(("K2_CLIENT_SECRET", "the secret whose hash Nintex registered", true));
    names.push((
        "K2_SMARTOBJECT",
        "a SmartObject exposed over OData, e.g. its system name",
        false,
    ));
    if answers.scim {
        names.push((
            "K2_SCIM_TOKEN",
            "the SCIM token of https://scim.onk2.com/tokens/{token}/scim/v2",
            true,
        ));
    }
    names
}

fn env_or(value: &Option<String>, literal: impl Fn(&str) -> String, variable: &str) -> String {
    match value {
        Some(v) => format!("\"{}\"", literal(v)),
        None => format!("\"{}\"", literal(&format!("{{{{ env.{variable} }}}}"))),
    }
}

fn suite_file(answers: &Answers) -> String {
    let api = env_or(&answers.host, |h| format!("https://{h}"), "K2_HOST");
    let token_url = match (&answers.token_url, &answers.tenant) {
        (Some(url), _) => format!("\"{url}\""),
        (None, tenant) => env_or(
            tenant,
            |t| format!("https://login.onk2.com/{t}/connect/token"),
            "K2_TENANT_ID",
        ),
    };
    let client_id = env_or(&answers.client_id, str::to_owned, "K2_CLIENT_ID");
    let (mock_scim, cloud_scim, scim_profiles) = match answers.scim {
        true => (
            "\n      scim: \"{{ mock.scim_url }}\"",
            "\n      # The SCIM token Nintex issued is part of the URL: a secret, masked in every output.\n      \
             scim: \"https://scim.onk2.com/tokens/{{ secret.K2_SCIM_TOKEN }}/scim/v2\"",
            true,
        ),
        false => ("", "", false),
    };
    let scim_profile = || match scim_profiles {
        true => format!("\n{}", profile("scim", "https://scim.onk2.com/write")),
        false => String::new(),
    };
    format!(
        r#"# k2check suite: environments, auth profiles and defaults shared by every scenario below.
#   k2check run . --mock          the built-in mock K2 environment: works right away
#   k2check run . --env cloud     your tenant: set the variables of .env.example first
defaults:
  timeout: 30s
  auth: k2

environments:
  mock:
    vars:
      api: "{{{{ mock.url }}}}"
      token_url: "{{{{ mock.token_url }}}}"
      client_id: "{{{{ mock.client_id }}}}"
      client_secret: "{{{{ mock.client_secret }}}}"
      smartobject: EmployeeSample{mock_scim}
    auth:
{mock_k2}{mock_scim_profile}

  cloud:
    vars:
      api: {api}
      token_url: {token_url}
      client_id: {client_id}
      client_secret: "{{{{ secret.K2_CLIENT_SECRET }}}}"
      smartobject: "{{{{ env.K2_SMARTOBJECT }}}}"{cloud_scim}
    auth:
{cloud_k2}{cloud_scim_profile}
"#,
        mock_k2 = profile("k2", "https://api.k2.com/"),
        mock_scim_profile = scim_profile(),
        cloud_k2 = profile("k2", "https://api.k2.com/"),
        cloud_scim_profile = scim_profile(),
    )
}

/// A client-credentials profile reading the environment's `token_url`, `client_id` and
/// `client_secret`.
fn profile(name: &str, scope: &str) -> String {
    format!(
        "      {name}:\n        type: client_credentials\n        token_url: \"{{{{ token_url }}}}\"\n        \
         client_id: \"{{{{ client_id }}}}\"\n        client_secret: \"{{{{ client_secret }}}}\"\n        scope: {scope}"
    )
}

fn env_example(answers: &Answers) -> String {
    let mut text = String::from(
        "# The environment variables `k2check run --env cloud` reads. Copy this file to .env (git\n\
         # ignores it) or set them in your shell or CI; the real environment wins over .env.\n",
    );
    for (name, meaning, _) in cloud_variables(answers) {
        text.push_str(&format!("# {meaning}\n{name}=\n"));
    }
    text
}

fn ci_file(ci: CiSystem, answers: &Answers, suite: &str) -> StarterFile {
    let variables = cloud_variables(answers);
    match ci {
        CiSystem::Github => {
            let env: String = variables
                .iter()
                .map(|(name, _, secret)| {
                    let store = if *secret { "secrets" } else { "vars" };
                    format!("          {name}: ${{{{ {store}.{name} }}}}\n")
                })
                .collect();
            file(
                ".github/workflows/k2check.yml",
                format!(
                    r#"# Checks the K2 tenant on every push and each weekday morning. Define the variables below
# under Settings → Secrets and variables → Actions (the secrets as secrets).
name: k2check
on:
  push:
  workflow_dispatch:
  schedule:
    - cron: "0 6 * * 1-5"
jobs:
  k2check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Install k2check
        run: curl -fsSL {RELEASES}/k2check-x86_64-unknown-linux-musl.tar.gz | sudo tar xz -C /usr/local/bin
      - name: Check the tenant
        run: k2check run {suite} --env cloud --junit reports/junit.xml --json reports/run.jsonl
        env:
{env}      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: k2check-reports
          path: reports/
"#
                ),
            )
        }
        CiSystem::Gitlab => {
            let names: Vec<&str> = variables.iter().map(|(name, _, _)| *name).collect();
            file(
                ".gitlab-ci.yml",
                format!(
                    r#"# Checks the K2 tenant on every push. Define {names} under
# Settings → CI/CD → Variables (K2_CLIENT_SECRET masked).
k2check:
  image: alpine:3
  script:
    - apk add --no-cache curl
    - curl -fsSL {RELEASES}/k2check-x86_64-unknown-linux-musl.tar.gz | tar xz -C /usr/local/bin
    - k2check run {suite} --env cloud --junit reports/junit.xml --json reports/run.jsonl
  artifacts:
    when: always
    paths: [reports/]
    reports:
      junit: reports/junit.xml
"#,
                    names = names.join(", "),
                ),
            )
        }
    }
}

const TOKEN: &str = r#"name: The client-credentials client gets a token for the K2 APIs
description: Posts the form of Nintex's onboarding guide to the token URL, then a wrong secret.
tags: [onboarding, smoke]
auth: none
steps:
  - name: a token for https://api.k2.com/
    request:
      method: POST
      url: "{{ token_url }}"
      form:
        grant_type: client_credentials
        client_id: "{{ client_id }}"
        client_secret: "{{ client_secret }}"
        scope: https://api.k2.com/
    expect:
      status: 200
      json:
        $.token_type: Bearer
        $.access_token: { type: string, not_equals: "" }
  - name: a wrong secret is refused
    request:
      method: POST
      url: "{{ token_url }}"
      form:
        grant_type: client_credentials
        client_id: "{{ client_id }}"
        client_secret: "not-the-secret-{{ run.id }}"
    expect:
      status: [400, 401]
      json:
        $.error: invalid_client
"#;

const ODATA_SERVICE: &str = r#"name: The OData service document lists SmartObjects
tags: [odata, smoke]
steps:
  - name: service document
    odata: {}
    expect:
      status: 200
      json:
        $.value: { type: array }
        $.value[*].name: { contains: "{{ smartobject }}" }
"#;

const ODATA_READ: &str = r#"name: A SmartObject's records can be read
tags: [odata, smoke]
steps:
  - name: the first five records
    odata: { set: "{{ smartobject }}", top: 5 }
    expect:
      status: 200
      json:
        $.value: { type: array }
"#;

const WORKFLOW_LIST: &str = r#"name: The workflows the client may start are listed
tags: [workflow, smoke]
steps:
  - name: startable workflows
    request:
      url: "{{ api }}/api/workflow/v1/workflows"
      query: { type: Startable }
    expect:
      status: 200
      json:
        $.workflows: { type: array }
"#;

const SCIM_USERS: &str = r#"name: SCIM lists users
tags: [scim, smoke]
auth: scim
steps:
  - name: the first page of users
    scim: { list: Users, count: 5 }
    expect:
      status: 200
      json:
        $.schemas: { contains: "urn:ietf:params:scim:api:messages:2.0:ListResponse" }
        $.totalResults: { type: integer }
"#;
