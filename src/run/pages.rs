//! `pages: all`: following OData next links and SCIM `startIndex` pages after the first
//! response, merging every page into one response the step's checks see.
//!
//! A next link may be absolute or relative to the request's URL (OData v4 §8.3.4 allows
//! both, and servers send `Set?$skiptoken=2`). It is followed only on the request's origin:
//! the step's credentials go nowhere else.

use std::collections::HashSet;

use serde_json::Value;
use url::Url;

use crate::expect::Response;
use crate::http::{origin_text, same_origin};
use crate::run::follow_failure::{FollowFailure, failure};
use crate::run::follow_scope::FollowScope;
use crate::run::step_error::StepError;

/// Where a next link leads, resolved against the URL that returned it, or why it may not be
/// followed.
pub fn next_page_url(link: &str, current: &str) -> Result<String, StepError> {
    let base = Url::parse(current).map_err(|reason| StepError::InvalidLink {
        link: current.to_owned(),
        reason,
    })?;
    let next = base.join(link).map_err(|reason| StepError::InvalidLink {
        link: link.to_owned(),
        reason,
    })?;
    if !same_origin(&base, &next) {
        return Err(StepError::LinkToAnotherOrigin {
            link: crate::redact::url_for_display(next.as_str()).into_owned(),
            origin: origin_text(&next),
        });
    }
    Ok(next.into())
}

pub struct PageLimits {
    pub limit: u32,
    pub strict: bool,
}

pub async fn odata_pages(
    scope: &FollowScope<'_>,
    first: Response,
    link: &str,
    limits: PageLimits,
) -> Result<Response, FollowFailure> {
    let step = scope.step;
    let Ok(mut merged) = first.json().cloned() else {
        return Ok(first);
    };
    let mut current = scope.request.url.clone();
    let mut seen: HashSet<String> = HashSet::from([current.clone()]);
    let mut pages = 1;
    let mut next = merged.get(link).and_then(Value::as_str).map(str::to_owned);
    while let Some(written) = next.take() {
        if pages >= limits.limit {
            if limits.strict {
                let limit = limits.limit;
                let f = failure(
                    step,
                    &format!("at most {limit} pages"),
                    format!("page {limit} still links to {written}"),
                );
                return Err(FollowFailure::Failed(f, Box::new(first)));
            }
            next = Some(written);
            break;
        }
        let url = next_page_url(&written, &current)?;
        if !seen.insert(url.clone()) {
            let f = failure(
                step,
                "next links that lead somewhere new",
                format!("{written} came back a second time"),
            );
            return Err(FollowFailure::Failed(f, Box::new(first)));
        }
        let page = scope.get(&url).await?;
        if page.status != 200 {
            let f = failure(step, "every page to answer 200", format!("{} from {url}", page.status));
            return Err(FollowFailure::Failed(f, Box::new(page)));
        }
        let json = page.json().map_err(|e| StepError::Page {
            page: pages + 1,
            reason: e.to_string(),
        })?;
        let more = json.get("value").and_then(Value::as_array).cloned().unwrap_or_default();
        if let Some(Value::Array(values)) = merged.get_mut("value") {
            values.extend(more);
        }
        next = json.get(link).and_then(Value::as_str).map(str::to_owned);
        current = url;
        pages += 1;
    }
    if let Some(map) = merged.as_object_mut() {
        match next {
            Some(url) => map.insert(link.into(), Value::String(url)),
            None => map.remove(link),
        };
    }
    let mut response = first;
    response.set_json(merged);
    Ok(response)
}

pub async fn scim_pages(
    scope: &FollowScope<'_>,
    first: Response,
    limits: PageLimits,
) -> Result<Response, FollowFailure> {
    let step = scope.step;
    let Ok(mut merged) = first.json().cloned() else {
        return Ok(first);
    };
    let number = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
    let total = number(&merged, "totalResults");
    let mut start = number(&merged, "startIndex").max(1);
    let mut per_page = number(&merged, "itemsPerPage");
    let mut collected = merged.get("Resources").and_then(Value::as_array).map_or(0, Vec::len) as u64;
    let mut pages = 1;
    while per_page > 0 && start - 1 + per_page < total {
        if pages >= limits.limit {
            if limits.strict {
                let f = failure(
                    step,
                    &format!("all {total} resources within {} pages", limits.limit),
                    format!("{collected} after {pages} pages"),
                );
                return Err(FollowFailure::Failed(f, Box::new(first)));
            }
            break;
        }
        start += per_page;
        let page = scope.get(&with_start_index(&scope.request.url, start)).await?;
        let json = page
            .json()
            .map_err(|e| StepError::Page {
                page: pages + 1,
                reason: format!("SCIM page at {start}: {e}"),
            })?
            .clone();
        per_page = number(&json, "itemsPerPage");
        let more = json
            .get("Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        collected += more.len() as u64;
        if let Some(Value::Array(items)) = merged.get_mut("Resources") {
            items.extend(more);
        }
        pages += 1;
    }
    if let Some(map) = merged.as_object_mut() {
        map.insert("itemsPerPage".into(), Value::from(collected));
    }
    let mut response = first;
    response.set_json(merged);
    Ok(response)
}

/// The request's URL asking for the page that starts at `start` (RFC 7644 §3.4.2.4).
fn with_start_index(url: &str, start: u64) -> String {
    let base = url.split('?').next().unwrap_or(url);
    let mut next = format!("{base}?startIndex={start}");
    if let Some((_, query)) = url.split_once('?') {
        for part in query.split('&').filter(|p| !p.starts_with("startIndex=")) {
            next.push('&');
            next.push_str(part);
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_next_links_resolve_against_the_page_that_sent_them() {
        let current = "https://acme.onk2.com/api/odatav4/v4/Employees?$top=2";
        for (link, expected) in [
            (
                "Employees?$skiptoken=2",
                "https://acme.onk2.com/api/odatav4/v4/Employees?$skiptoken=2",
            ),
            (
                "/api/odatav4/v4/Employees?$skip=2",
                "https://acme.onk2.com/api/odatav4/v4/Employees?$skip=2",
            ),
            ("?$skip=4", "https://acme.onk2.com/api/odatav4/v4/Employees?$skip=4"),
            (
                "https://acme.onk2.com/api/odatav4/v4/Employees?$skip=6",
                "https://acme.onk2.com/api/odatav4/v4/Employees?$skip=6",
            ),
        ] {
            assert_eq!(next_page_url(link, current).unwrap(), expected, "{link}");
        }
    }

    #[test]
    fn a_next_link_to_another_origin_is_refused_and_named() {
        let current = "https://acme.onk2.com/api/odatav4/v4/Employees";
        for link in [
            "https://evil.example/steal",
            "http://acme.onk2.com/api/odatav4/v4/Employees?$skip=2",
            "//evil.example/x",
        ] {
            let error = next_page_url(link, current).unwrap_err().to_string();
            assert!(error.contains("leads to another origin"), "{link}: {error}");
        }
    }

    #[test]
    fn scim_pages_keep_every_other_parameter() {
        assert_eq!(
            with_start_index("https://s/Users?filter=a&startIndex=1&count=2", 3),
            "https://s/Users?startIndex=3&filter=a&count=2"
        );
        assert_eq!(with_start_index("https://s/Users", 11), "https://s/Users?startIndex=11");
    }
}
