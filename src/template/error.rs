//! A template that could not be rendered, worded for the person who wrote it.

/// A template that could not be rendered; the message is meant for users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

impl From<minijinja::Error> for TemplateError {
    fn from(e: minijinja::Error) -> Self {
        let mut message = match e.detail() {
            Some(detail) => format!("{}: {detail}", e.kind()),
            None => e.kind().to_string(),
        };
        if e.kind() == minijinja::ErrorKind::UndefinedError {
            message.push_str(" (a name or attribute used here is not defined)");
        }
        TemplateError(message)
    }
}
