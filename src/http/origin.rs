//! The one rule of where credentials may go: only to the origin (scheme, host, port) they were
//! written for. Redirects and next links ask it before every hop.

use url::Url;

/// Whether two URLs share an origin (RFC 6454): same scheme, host and port, the default port
/// counted as written.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && a.host() == b.host() && a.port_or_known_default() == b.port_or_known_default()
}

/// Why a request that carries credentials may not go from `from` to `to`, or `None` when it may.
pub fn credentials_may_not_go(from: &Url, to: &Url) -> Option<&'static str> {
    if same_origin(from, to) {
        None
    } else if from.scheme() == "https" && to.scheme() == "http" {
        Some("it leaves HTTPS for plain HTTP, and the request carries credentials")
    } else {
        Some("it leads to another origin, and the request carries credentials")
    }
}

/// The origin of a URL as a person reads it: `https://acme.onk2.com` (port only if written).
pub fn origin_text(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn origin_is_scheme_host_and_port() {
        assert!(same_origin(
            &url("https://a.onk2.com/x"),
            &url("https://A.onk2.com:443/y?z")
        ));
        assert!(!same_origin(&url("https://a.onk2.com/"), &url("https://b.onk2.com/")));
        assert!(!same_origin(
            &url("https://a.onk2.com/"),
            &url("https://a.onk2.com:8443/")
        ));
        assert!(!same_origin(&url("https://a.onk2.com/"), &url("http://a.onk2.com/")));
        assert!(!same_origin(
            &url("https://a.onk2.com/"),
            &url("https://a.onk2.com.evil/")
        ));
    }

    #[test]
    fn credentials_stay_on_their_origin_and_never_leave_https() {
        assert_eq!(credentials_may_not_go(&url("https://a/x"), &url("https://a/y")), None);
        assert!(
            credentials_may_not_go(&url("https://a/"), &url("http://a/")).is_some_and(|why| why.contains("plain HTTP"))
        );
        assert!(
            credentials_may_not_go(&url("http://a/"), &url("http://b/"))
                .is_some_and(|why| why.contains("another origin"))
        );
    }

    #[test]
    fn origins_read_as_written() {
        assert_eq!(
            origin_text(&url("https://acme.onk2.com/api?x")),
            "https://acme.onk2.com"
        );
        assert_eq!(origin_text(&url("http://127.0.0.1:8080/")), "http://127.0.0.1:8080");
    }
}
