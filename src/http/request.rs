//! A request as the HTTP layer sends it, and the response it reads back.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Method, Uri};
use url::Url;

use crate::http::HttpError;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// For the whole exchange: connecting, every redirect, and reading the body.
    pub timeout: Duration,
    pub follow_redirects: bool,
    /// Headers besides `Authorization` whose values are credentials (an API key, a secret):
    /// none of them goes to another origin.
    pub credential_headers: Vec<HeaderName>,
    /// The body holds a credential (a password in a form): it goes to no other origin.
    pub body_holds_credentials: bool,
}

impl Request {
    /// A request with no headers, body or redirects.
    pub fn new(method: Method, url: Url, timeout: Duration) -> Request {
        Request {
            method,
            url,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            timeout,
            follow_redirects: false,
            credential_headers: Vec::new(),
            body_holds_credentials: false,
        }
    }

    /// Whether anything in the request is a credential.
    pub fn carries_credentials(&self) -> bool {
        self.headers.contains_key(http::header::AUTHORIZATION)
            || self.body_holds_credentials
            || self.credential_headers.iter().any(|h| self.headers.contains_key(h))
    }

    /// Takes every credential out: for a hop to another origin.
    pub(crate) fn drop_credentials(&mut self) {
        self.headers.remove(http::header::AUTHORIZATION);
        self.headers.remove(http::header::COOKIE);
        for name in std::mem::take(&mut self.credential_headers) {
            self.headers.remove(name);
        }
    }
}

/// What came back: status, headers and the whole body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Where the answer came from, when redirects led away from the request's URL.
    pub redirected_to: Option<Url>,
}

/// The URI to send and the URL's `user:password@` as a Basic header (the credentials leave
/// the URI, as browsers and curl do). A `#fragment` is never sent.
pub(crate) fn uri_and_credentials(url: &Url) -> Result<(Uri, Option<HeaderValue>), HttpError> {
    let invalid = |e: &dyn std::fmt::Display| HttpError::Invalid(e.to_string());
    let Some((user, password)) = url_credentials(url) else {
        if url.fragment().is_none() {
            return Ok((url.as_str().parse::<Uri>().map_err(|e| invalid(&e))?, None));
        }
        let mut bare = url.clone();
        bare.set_fragment(None);
        return Ok((bare.as_str().parse::<Uri>().map_err(|e| invalid(&e))?, None));
    };
    let mut value = HeaderValue::try_from(format!("Basic {}", STANDARD.encode(format!("{user}:{password}"))))
        .map_err(|_| HttpError::Invalid("the URL's credentials cannot be sent in a header".into()))?;
    value.set_sensitive(true);
    let mut bare = url.clone();
    bare.set_fragment(None);
    // Only a URL that cannot have credentials refuses these, and it has none to remove.
    let _ = bare.set_username("");
    let _ = bare.set_password(None);
    let uri = bare.as_str().parse::<Uri>().map_err(|e| invalid(&e))?;
    Ok((uri, Some(value)))
}

/// The `user` and `password` of a URL's `user:password@`, percent-decoded.
pub fn url_credentials(url: &Url) -> Option<(String, String)> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let decode = |part: &str| {
        percent_encoding::percent_decode_str(part)
            .decode_utf8_lossy()
            .into_owned()
    };
    Some((decode(url.username()), decode(url.password().unwrap_or_default())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_credentials_become_a_sensitive_basic_header_and_leave_the_uri() {
        let url = Url::parse("https://DENALLIX%5Cbob:p%40ss@acme.onk2.com/api#frag").unwrap();
        let (uri, header) = uri_and_credentials(&url).unwrap();
        assert_eq!(uri.to_string(), "https://acme.onk2.com/api");
        let header = header.unwrap();
        assert!(header.is_sensitive());
        assert_eq!(
            header.to_str().unwrap(),
            format!("Basic {}", STANDARD.encode("DENALLIX\\bob:p@ss"))
        );
    }

    #[test]
    fn a_fragment_is_never_sent() {
        let (uri, header) = uri_and_credentials(&Url::parse("http://h/a?b=c#d").unwrap()).unwrap();
        assert_eq!(uri.to_string(), "http://h/a?b=c");
        assert!(header.is_none());
    }

    #[test]
    fn dropping_credentials_takes_every_marked_header() {
        let mut request = Request::new(Method::GET, Url::parse("http://h/").unwrap(), Duration::from_secs(1));
        request
            .headers
            .insert("authorization", HeaderValue::from_static("Bearer x"));
        request.headers.insert("x-api-key", HeaderValue::from_static("k"));
        request.headers.insert("accept", HeaderValue::from_static("*/*"));
        request.credential_headers.push(HeaderName::from_static("x-api-key"));
        assert!(request.carries_credentials());
        request.drop_credentials();
        assert!(!request.carries_credentials());
        assert_eq!(request.headers.len(), 1);
    }
}
