//! A URL that cannot be what its template meant, caught before anything is sent: a host
//! variable that holds a whole URL (`K2_HOST=https://acme.onk2.com` makes
//! `https://https//acme.onk2.com`), an empty host, or a `//` in the path where a variable
//! rendered empty. Each is named with the environment variables that made it.

use std::collections::BTreeMap;

use minijinja::Value;

use crate::diag::Diagnostic;
use crate::source::Span;

/// Why `rendered`, made from `template`, cannot be the URL it meant; `None` when it can be,
/// or is no http(s) URL at all.
pub(super) fn malformed(rendered: &str, template: &str) -> Option<Shape> {
    let rendered = rendered.trim();
    let lower = rendered.to_ascii_lowercase();
    let scheme_end = ["https://", "http://"]
        .iter()
        .find(|s| lower.starts_with(**s))
        .map(|s| s.len())?;
    let rest = &rendered[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    if host.is_empty() {
        return Some(Shape::EmptyHost);
    }
    if host == "http" || host == "https" {
        return Some(Shape::SchemeAsHost);
    }
    let path = &rest[authority_end..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    // A `//` the template writes itself is meant; one made by a substitution is not.
    let written = template.split_once("://").map_or(template, |(_, after)| after);
    if path.contains("//") && !written.contains("//") {
        return Some(Shape::DoubleSlash);
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    SchemeAsHost,
    EmptyHost,
    DoubleSlash,
}

impl Shape {
    fn words(self) -> &'static str {
        match self {
            Shape::SchemeAsHost => "its host is a scheme: a variable holds a whole URL where a host name belongs",
            Shape::EmptyHost => "its host is empty",
            Shape::DoubleSlash => "its path holds `//`: a variable in it is empty",
        }
    }
}

/// The error for `what` (a variable or profile), naming the environment variables among
/// `reads` whose values explain it: one that holds a URL, or one that is empty.
pub(super) fn diagnostic(
    what: &str,
    shape: Shape,
    span: Span,
    reads: &[String],
    env: &BTreeMap<String, Value>,
    secrets: &BTreeMap<String, Value>,
) -> Diagnostic {
    let value_of = |name: &String| {
        env.get(name)
            .or_else(|| secrets.get(name))
            .map(|v| v.as_str().unwrap_or_default().to_owned())
    };
    let culprits: Vec<String> = reads
        .iter()
        .filter(|name| {
            value_of(name).is_some_and(|v| match shape {
                Shape::SchemeAsHost => v.contains("://"),
                Shape::EmptyHost | Shape::DoubleSlash => v.trim().is_empty(),
            })
        })
        .cloned()
        .collect();
    let help = match (shape, culprits.as_slice()) {
        (Shape::SchemeAsHost, [_, ..]) => format!(
            "{} holds a URL; give the host name alone, e.g. `acme.onk2.com`, not `https://acme.onk2.com`",
            culprits.join(", ")
        ),
        (_, [_, ..]) => format!("{} is empty; give it a value", culprits.join(", ")),
        _ => "check the variables this URL is made of".to_owned(),
    };
    Diagnostic::error(format!("`{what}` is not a usable URL: {}", shape.words()), span)
        .with_label("rendered here")
        .with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_made_wrong_by_a_variable_is_told_from_one_written_so() {
        let host = "https://{{ env.K2_HOST }}";
        assert_eq!(
            malformed("https://https://acme.onk2.com", host),
            Some(Shape::SchemeAsHost)
        );
        assert_eq!(malformed("https://", host), Some(Shape::EmptyHost));
        assert_eq!(malformed("https://acme.onk2.com", host), None);
        let issuer = "https://login.onk2.com/{{ env.T }}/connect/token";
        assert_eq!(
            malformed("https://login.onk2.com//connect/token", issuer),
            Some(Shape::DoubleSlash)
        );
        assert_eq!(malformed("https://login.onk2.com/t/connect/token", issuer), None);
        // Written so by hand: meant.
        assert_eq!(malformed("https://a/x//y", "https://a/x//y"), None);
        assert_eq!(malformed("https://a/x?u=https://b//c", "https://a/x?u={{ u }}"), None);
        assert_eq!(malformed("not a url", "{{ x }}"), None);
        assert_eq!(
            malformed("http://user@https:8080/x", "{{ x }}"),
            Some(Shape::SchemeAsHost)
        );
    }
}
