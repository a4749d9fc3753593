//! Under `--mock` nothing is sent anywhere but the mock. Every URL a step, a `finally:` step,
//! the set-up, the teardown or an auth profile will send to is rendered here, where the
//! plan's values decide it, and one on another origin is refused before anything is sent.
//! What only a response decides (a capture, a next link, a redirect) the client refuses when
//! it comes (`http::Client::for_run`).

use url::Url;

use crate::diag::Diagnostic;
use crate::http::{origin_text, same_origin};
use crate::plan::validator::Validator;
use crate::scenario::model::Scenario;
use crate::source::Span;
use crate::template::{Context, value_of};

impl Validator {
    /// An error for each step of `scenario` whose URL, rendered with what the plan knows,
    /// is on another origin than `mock`'s. A URL that needs a capture is left to the client.
    pub(super) fn refuse_other_origins(&mut self, scenario: &Scenario, context: &Context, mock: &Url) {
        let mut ctx = context.clone();
        for (name, node) in &scenario.vars {
            if let Ok(value) = self.engine.render_node(node, &ctx) {
                ctx.insert(&name.value, value_of(&value));
            }
        }
        for step in scenario.steps.iter().chain(&scenario.finally) {
            let Ok(text) = self.engine.render(&step.request.url.text, &ctx) else {
                continue;
            };
            if let Ok(url) = Url::parse(text.trim())
                && !same_origin(&url, mock)
            {
                self.diags.push(outside_mock(&url, step.request.url.span, mock));
            }
        }
    }

    /// An error when a profile's token endpoint or issuer is on another origin than `mock`'s.
    pub(super) fn refuse_other_profile_origins(&mut self, urls: &[&str], span: Span, mock: &Url) {
        for text in urls {
            if let Ok(url) = Url::parse(text.trim())
                && !same_origin(&url, mock)
            {
                self.diags.push(outside_mock(&url, span, mock));
            }
        }
    }
}

fn outside_mock(url: &Url, span: Span, mock: &Url) -> Diagnostic {
    let origin = origin_text(url);
    let mut rest = url.path().to_owned();
    if let Some(query) = url.query() {
        rest.push('?');
        rest.push_str(query);
    }
    Diagnostic::error(
        format!(
            "under --mock this would send to {origin}, not to the mock ({}); nothing is sent anywhere but the mock",
            origin_text(mock)
        ),
        span,
    )
    .with_label(format!("sends to {origin}"))
    .with_help(format!(
        "write the URL on the suite's `api` variable, as `{{{{ api }}}}{}`, so each environment sends to its own host",
        rest
    ))
}
