//! The files of a starter suite: the scenario library's suite file with the tenant's details
//! filled in, and the library's onboarding checks (all of the library with `--library`) as
//! they stand in `scenarios/`. `.env.example` and the CI file name exactly the environment
//! variables those files read, as the planner finds them.

use std::path::Path;

use crate::cmd::init_answers::Answers;
use crate::cmd::init_discovered::discovered_files;
pub use crate::cmd::starter::{CloudVariable, StarterFile};
use crate::doctor::Surface;
use crate::library::{self, LibraryFile};
use crate::plan::PlanOptions;

/// The suite's files; `suite_from_ci` is the suite's folder as the CI job sees it (relative
/// to the repository's root).
pub fn starter_files(answers: &Answers, suite_from_ci: &str, discovered: Option<&Surface>) -> Vec<StarterFile> {
    let mut files = vec![file("k2check.yaml", suite_file(answers))];
    match discovered {
        Some(surface) => {
            files[0].text = read_only(&files[0].text);
            files.extend(discovered_files(surface, answers.scim));
        }
        None => files.extend(chosen_scenarios(answers).map(|f| file(f.path, pointing_at_the_schema(f.text)))),
    }
    let variables = cloud_variables(&files);
    files.push(file("scenario.schema.json", crate::schema::scenario_schema_text()));
    files.push(file(".env.example", env_example(&variables)));
    let ci = answers
        .ci
        .map(|ci| crate::cmd::init_ci::ci_file(ci, &variables, suite_from_ci, answers.shards));
    files.extend(ci.map(|(path, text)| file(path, text)));
    files
}

fn file(path: &str, text: String) -> StarterFile {
    StarterFile {
        path: path.into(),
        text,
    }
}

/// The library's onboarding checks (SCIM's with `--scim`, Basic's with `--basic`), or the
/// whole library with `--library`.
fn chosen_scenarios(answers: &Answers) -> Box<dyn Iterator<Item = &'static LibraryFile> + '_> {
    if answers.library {
        return Box::new(library::scenarios());
    }
    Box::new(
        library::folder("onboarding")
            .filter(|f| (answers.scim || !tagged(f.text, "scim")) && (answers.basic || !tagged(f.text, "basic"))),
    )
}

/// Whether a scenario's `tags: [...]` line names `tag`.
fn tagged(text: &str, tag: &str) -> bool {
    text.lines()
        .find_map(|l| l.strip_prefix("tags:"))
        .is_some_and(|tags| tags.trim().trim_matches(['[', ']']).split(',').any(|t| t.trim() == tag))
}

/// In `scenarios/` the schema is at `../../schemas/`; in a starter suite it is written at the
/// suite's root, one folder above each scenario.
fn pointing_at_the_schema(text: &str) -> String {
    text.replacen(
        "# yaml-language-server: $schema=../../schemas/scenario.schema.json",
        "# yaml-language-server: $schema=../scenario.schema.json",
        1,
    )
}

/// The library's suite file, the tenant's details filled in where `init` was given them; what
/// it was not given stays read from the environment (K2_ISSUER, K2_TOKEN_URL and K2_SCIM_URL
/// included, as the library reads them).
fn suite_file(answers: &Answers) -> String {
    let mut text = library::suite_file().replace("`k2check run scenarios --mock`", "`k2check run . --mock`");
    if let Some(api) = &answers.api_url {
        text = text.replace(r#"api: "https://{{ env.K2_HOST }}""#, &format!(r#"api: "{api}""#));
    }
    if let Some(host) = &answers.host {
        text = text.replace(
            r#"api: "https://{{ env.K2_HOST }}""#,
            &format!(r#"api: "https://{host}""#),
        );
    }
    if let Some(client_id) = &answers.client_id {
        text = text.replace(r#""{{ env.K2_CLIENT_ID }}""#, &format!(r#""{client_id}""#));
    }
    if let Some(tenant) = &answers.tenant {
        let derived = "https://login.onk2.com/{{ env.K2_TENANT_ID }}";
        text = text.replace(derived, &format!("https://login.onk2.com/{tenant}"));
    }
    if let Some(url) = &answers.token_url {
        text = with_token_url(&text, url);
    }
    text
}

/// A discovered suite only reads: every environment is `writes: false`.
fn read_only(suite: &str) -> String {
    suite.replacen(
        "defaults:\n",
        "defaults:\n  writes: false       # written by init --discover: this suite only reads\n",
        1,
    )
}

/// The token URL given: the profiles send to it, and discovery is at the issuer it belongs to
/// (`…/connect/token` less its last two parts), else at `K2_ISSUER`.
fn with_token_url(text: &str, url: &str) -> String {
    let issuer = match url.strip_suffix("/connect/token") {
        Some(issuer) => format!(
            r#"issuer: "{{% if env.K2_ISSUER is defined %}}{{{{ env.K2_ISSUER }}}}{{% else %}}{issuer}{{% endif %}}""#
        ),
        None => r#"issuer: "{{ env.K2_ISSUER }}""#.to_owned(),
    };
    text.lines()
        .filter(|l| l.trim() != r#"issuer: "{% if env.K2_TOKEN_URL is not defined %}{{ issuer }}{% endif %}""#)
        .map(|l| {
            let indent = &l[..l.len() - l.trim_start().len()];
            if l.trim_start()
                .starts_with(r#"token_url: "{{ env.K2_TOKEN_URL | default('') }}""#)
            {
                format!(r#"{indent}token_url: "{url}""#)
            } else if l
                .trim_start()
                .starts_with(r#"issuer: "{% if env.K2_ISSUER is defined %}"#)
            {
                format!("{indent}{issuer}")
            } else {
                l.to_owned()
            }
        })
        .map(|l| l + "\n")
        .collect()
}

/// What each environment variable the library reads holds.
const MEANINGS: &[(&str, &str, bool)] = &[
    ("K2_HOST", "the tenant's host, e.g. acme.onk2.com", false),
    (
        "K2_TENANT_ID",
        "the tenant id of https://login.onk2.com/{tenant}/connect/token",
        false,
    ),
    (
        "K2_ISSUER",
        "the identity provider's issuer URL, when it is not login.onk2.com",
        false,
    ),
    (
        "K2_TOKEN_URL",
        "the token URL, when it is not the issuer's /connect/token",
        false,
    ),
    ("K2_CLIENT_ID", "the client id Nintex sent, idt.cc.…", false),
    ("K2_CLIENT_SECRET", "the secret whose hash Nintex registered", true),
    (
        "K2_SMARTOBJECT",
        "a SmartObject exposed over OData, e.g. its system name",
        false,
    ),
    (
        "K2_EMPLOYEE_SMARTOBJECT",
        "a SmartObject of employee records to read and write",
        false,
    ),
    ("K2_WORKFLOW", "a workflow the client may start, by name", false),
    (
        "K2_SCIM_TOKEN",
        "the SCIM token of https://scim.onk2.com/tokens/{token}/scim/v2",
        true,
    ),
    (
        "K2_SCIM_URL",
        "the SCIM base URL, when it is not scim.onk2.com's",
        false,
    ),
    ("K2_USER", "the user Basic authentication signs in as", false),
    ("K2_PASSWORD", "that user's password", true),
];

/// The environment variables the `cloud` environment reads for these files: planned as a
/// run would plan them, so the list is what the run needs, no more and no less.
pub fn cloud_variables(files: &[StarterFile]) -> Vec<CloudVariable> {
    let texts: Vec<(String, String)> = files
        .iter()
        .filter(|f| f.path.ends_with(".yaml"))
        .map(|f| (f.path.clone(), f.text.clone()))
        .collect();
    let options = PlanOptions {
        environment: Some("cloud".into()),
        missing_variables_are_warnings: true,
        ..PlanOptions::default()
    };
    let loaded = crate::scenario::load::load_texts(Path::new("."), &texts);
    let Ok(plan) = crate::plan::plan(loaded, &options) else {
        return Vec::new();
    };
    (plan.variables.needed.into_iter())
        .map(|name| {
            let (meaning, secret) = MEANINGS
                .iter()
                .find(|(n, _, _)| *n == name)
                .map_or(("", false), |(_, meaning, secret)| (*meaning, *secret));
            CloudVariable { name, meaning, secret }
        })
        .collect()
}

fn env_example(variables: &[CloudVariable]) -> String {
    let mut text = String::from(
        "# The environment variables `k2check run --env cloud` reads. Copy this file to .env (git\n\
         # ignores it) or set them in your shell or CI; the real environment wins over .env.\n",
    );
    for variable in variables {
        text.push_str(&format!("# {}\n{}=\n", variable.meaning, variable.name));
    }
    text
}
