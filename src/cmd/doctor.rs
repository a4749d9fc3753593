//! `k2check doctor`: the settings from flags, `K2_*` variables or the mock, the secret from
//! K2_CLIENT_SECRET or asked without echo; the diagnosis printed, every secret masked.

use std::io::IsTerminal as _;

use crate::cli::DoctorArgs;
use crate::cmd::error::{CommandError, CommandResult};
use crate::doctor::{Settings, as_json, as_text, diagnose};
use crate::exit;
use crate::http::Client;
use crate::mock::{MockConfig, MockServer};
use crate::redact::Redactor;

pub async fn doctor(args: DoctorArgs) -> CommandResult {
    let asked = Asked {
        user: args.user.clone(),
        timeout: args.timeout,
        ..Asked::of(&args.host, &args.api_url, &args.tenant, &args.client_id, args.scim)
    };
    let (settings, mock) = settings_with_mock(&asked, args.mock).await?;
    let redactor = Redactor::default();
    redactor.add(&settings.client_secret);
    if let Some((user, password)) = &settings.basic {
        redactor.add_basic(user, password);
    }
    let client = Client::new(&Default::default()).map_err(CommandError::invalid)?;
    let lines = diagnose(&settings, &client).await;
    drop(mock);
    let failed = lines.iter().any(|l| l.failed_check());
    let text = match args.json {
        true => as_json(&settings.api, &settings.client_id, &lines).to_string() + "\n",
        false => {
            let title = format!("k2check doctor: {} as client {}", settings.api, settings.client_id);
            as_text(&title, &lines)
        }
    };
    crate::out!("{}", crate::text::printable(&redactor.redact(&text)));
    Ok(if failed { exit::FAILED } else { exit::OK })
}

/// The settings, the mock started first under `--mock` (kept alive by the caller).
pub async fn settings_with_mock(asked: &Asked, mock: bool) -> Result<(Settings, Option<MockServer>), CommandError> {
    let mock = match mock {
        true => Some(
            MockServer::start(MockConfig::default())
                .await
                .map_err(|e| CommandError::incomplete(format!("cannot start the mock K2 environment: {e}")))?,
        ),
        false => None,
    };
    let settings = settings(asked, mock.as_ref().map(MockServer::template_vars))?;
    Ok((settings, mock))
}

/// A `K2_*` variable; set but blank counts as not set.
fn variable(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// What the flags of `doctor` (or `init --discover`) say of the tenant and the client.
pub struct Asked {
    pub host: Option<String>,
    pub api_url: Option<String>,
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    pub scim: bool,
    pub user: Option<String>,
    pub timeout: std::time::Duration,
}

impl Asked {
    /// The tenant and the client as flags give them; no Basic user, 30 s a request.
    pub fn of(
        host: &Option<String>,
        api_url: &Option<String>,
        tenant: &Option<String>,
        client_id: &Option<String>,
        scim: bool,
    ) -> Asked {
        Asked {
            host: host.clone(),
            api_url: api_url.clone(),
            tenant: tenant.clone(),
            client_id: client_id.clone(),
            scim,
            user: None,
            timeout: std::time::Duration::from_secs(30),
        }
    }
}

/// What to check: a flag, else the `K2_*` variable the library reads, else (under `--mock`)
/// the mock's own value.
pub fn settings(args: &Asked, mock: Option<serde_json::Value>) -> Result<Settings, CommandError> {
    let from_mock = |key: &str| mock.as_ref().and_then(|m| m[key].as_str()).map(str::to_owned);
    let host = args
        .host
        .clone()
        .or_else(|| variable("K2_HOST").filter(|_| mock.is_none()));
    let api = (args.api_url.clone())
        .or_else(|| host.map(|h| format!("https://{}", h.trim_start_matches("https://").trim_end_matches('/'))))
        .or_else(|| from_mock("url"))
        .ok_or_else(|| {
            CommandError::invalid("give the tenant's host: --host acme.onk2.com (or K2_HOST), or --api-url")
        })?;
    let tenant = args
        .tenant
        .clone()
        .or_else(|| variable("K2_TENANT_ID").filter(|_| mock.is_none()));
    let issuer = match (variable("K2_ISSUER"), tenant, from_mock("url")) {
        (Some(issuer), _, _) => Some(issuer),
        (None, Some(tenant), Some(mock_url)) => Some(format!("{mock_url}/{tenant}")),
        (None, Some(tenant), None) => Some(format!("https://login.onk2.com/{tenant}")),
        (None, None, _) => from_mock("issuer"),
    };
    let client_id = (args.client_id.clone())
        .or_else(|| variable("K2_CLIENT_ID"))
        .or_else(|| from_mock("client_id"))
        .ok_or_else(|| CommandError::invalid("give the client id: --client-id idt.cc.… (or K2_CLIENT_ID)"))?;
    let client_secret = match variable("K2_CLIENT_SECRET").or_else(|| from_mock("client_secret")) {
        Some(secret) => secret,
        None => ask("Client secret (not shown): ")?.ok_or_else(|| {
            CommandError::invalid("set K2_CLIENT_SECRET to the client's secret (it is never given as a flag)")
        })?,
    };
    let scim = args.scim.then(|| {
        variable("K2_SCIM_URL")
            .or_else(|| from_mock("scim_url"))
            .or_else(|| variable("K2_SCIM_TOKEN").map(|t| format!("https://scim.onk2.com/tokens/{t}/scim/v2")))
    });
    let scim = match scim {
        Some(None) => {
            return Err(CommandError::invalid(
                "--scim: set K2_SCIM_URL, or K2_SCIM_TOKEN for K2 Cloud",
            ));
        }
        Some(Some(url)) => Some(url),
        None => None,
    };
    let basic = match &args.user {
        None => None,
        Some(user) => {
            let password = variable("K2_PASSWORD").or_else(|| from_mock("password"));
            let password = match password {
                Some(p) => p,
                None => ask(&format!("Password of {user} (not shown): "))?
                    .ok_or_else(|| CommandError::invalid("--user: set K2_PASSWORD to the user's password"))?,
            };
            Some((user.clone(), password))
        }
    };
    Ok(Settings {
        api,
        issuer,
        token_url: variable("K2_TOKEN_URL"),
        client_id,
        client_secret,
        scim,
        basic,
        timeout: args.timeout,
    })
}

/// A secret asked on a terminal without echo; `None` when there is no terminal to ask on.
fn ask(prompt: &str) -> Result<Option<String>, CommandError> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(None);
    }
    let answer = rpassword::prompt_password(prompt)
        .map_err(|e| CommandError::invalid(format!("cannot read from the terminal: {e}")))?;
    Ok(Some(answer).filter(|a| !a.is_empty()))
}
