//! Why a step could not be carried out (as opposed to carried out and failing its checks).

use crate::auth::AuthError;
use crate::event::ProblemKind;
use crate::http::HttpError;
use crate::template::TemplateError;

#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error("template: {0}")]
    Template(#[from] TemplateError),
    #[error("{0}")]
    Auth(#[from] AuthError),
    #[error("{0}")]
    Http(#[from] HttpError),
    #[error("invalid URL `{url}`: {reason}")]
    InvalidUrl { url: String, reason: url::ParseError },
    /// A rendered method or header that HTTP cannot carry.
    #[error("{0}")]
    Unsendable(String),
    /// A next link that would take the step's credentials to another origin.
    #[error(
        "the next link {link} leads to another origin ({origin}) than the request's; it was not followed with the step's credentials"
    )]
    LinkToAnotherOrigin { link: String, origin: String },
    #[error("the next link `{link}` is not a URL: {reason}")]
    InvalidLink { link: String, reason: url::ParseError },
    /// A page after the first did not hold what a page holds.
    #[error("page {page}: {reason}")]
    Page { page: u32, reason: String },
    #[error("looking up workflow `{name}`: {reason}")]
    WorkflowLookup { name: String, reason: String },
}

impl StepError {
    /// Its kind, as the reports name it.
    pub fn kind(&self) -> ProblemKind {
        match self {
            StepError::Template(_) => ProblemKind::Template,
            StepError::Auth(_) => ProblemKind::Token,
            StepError::Http(e) => e.kind(),
            StepError::InvalidUrl { .. } | StepError::Unsendable(_) => ProblemKind::Send,
            StepError::LinkToAnotherOrigin { .. } => ProblemKind::RefusedOrigin,
            StepError::InvalidLink { .. } | StepError::Page { .. } | StepError::WorkflowLookup { .. } => {
                ProblemKind::FollowUp
            }
        }
    }
}
