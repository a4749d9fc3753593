//! `k2check doctor`: is this client's setup right? The host, the login server, a token per
//! scope and each API with it, one line each with a verdict and what to do, no files needed.

mod apis;
mod host;
mod line;
mod login;
mod report;
mod settings;
mod surface;

pub(crate) use line::Line;
pub(crate) use report::{as_json, as_text};
pub(crate) use settings::Settings;
pub(crate) use surface::{SmartObject, Surface, Workflow, surface};

use crate::http::Client;

/// Every check, in order; a branch stops at its first failure and the others go on.
pub(crate) async fn diagnose(settings: &Settings, client: &Client) -> Vec<Line> {
    let mut lines = host::check(settings, client).await;
    let reachable = !lines.iter().any(Line::failed_check);
    let tokens = login::check(settings, client, &mut lines).await;
    apis::check(settings, client, &tokens, reachable, &mut lines).await;
    lines
}
