//! The API's host: its name resolves, a connection opens, TLS accepts its certificate, and it
//! answers HTTP. Through a proxy, the proxy resolves and connects: those lines say so.

use std::net::SocketAddr;

use http::Method;
use url::Url;

use crate::doctor::line::{Line, Verdict};
use crate::doctor::settings::Settings;
use crate::http::{Client, HttpError, Request};

const AREA: &str = "host";

pub async fn check(settings: &Settings, client: &Client) -> Vec<Line> {
    let mut lines = Vec::new();
    let Ok(url) = Url::parse(&settings.api) else {
        let hint = Some("give the tenant's host (--host acme.onk2.com) or the API's URL (--api-url)".into());
        let detail = format!("`{}` is not a URL", settings.api);
        lines.push(Line::failed(AREA, "the API's URL", Verdict::Refused, detail, hint));
        return lines;
    };
    let host = url.host_str().unwrap_or_default().to_owned();
    match client.proxy_of(&url) {
        Some(proxy) => {
            let why = format!("requests go through the proxy {proxy}, which resolves and connects");
            lines.push(Line::not_checked(AREA, format!("DNS for {host}"), why.clone()));
            lines.push(Line::not_checked(AREA, "TCP connection", why));
        }
        None => {
            if !connects(settings, &url, &host, &mut lines).await {
                return lines;
            }
        }
    }
    answers(client, settings, url, &host, &mut lines).await;
    lines
}

/// DNS, then a TCP connection to the first address; `false` when either fails.
async fn connects(settings: &Settings, url: &Url, host: &str, lines: &mut Vec<Line>) -> bool {
    let port = url.port_or_known_default().unwrap_or(443);
    let lookup = tokio::time::timeout(settings.timeout, tokio::net::lookup_host((host, port))).await;
    let addresses: Vec<SocketAddr> = match lookup {
        Ok(Ok(found)) => found.collect(),
        Ok(Err(e)) => {
            let hint = "check the host name (--host or K2_HOST): your tenant's host, e.g. acme.onk2.com";
            return dns_failed(lines, host, format!("{host} does not resolve: {e}"), Some(hint));
        }
        Err(_) => {
            let detail = format!("no answer within {} s", settings.timeout.as_secs());
            return dns_failed(lines, host, detail, None);
        }
    };
    let Some(first) = addresses.first() else {
        return dns_failed(lines, host, format!("{host} resolves to no address"), None);
    };
    let shown: Vec<String> = addresses.iter().take(3).map(|a| a.ip().to_string()).collect();
    lines.push(Line::ok(AREA, format!("DNS for {host}"), shown.join(", ")));
    match tokio::time::timeout(settings.timeout, tokio::net::TcpStream::connect(first)).await {
        Ok(Ok(_)) => {
            lines.push(Line::ok(AREA, "TCP connection", format!("connected to {first}")));
            true
        }
        outcome => {
            let detail = match outcome {
                Ok(Err(e)) => format!("cannot connect to {first}: {e}"),
                _ => format!("no connection to {first} within {} s", settings.timeout.as_secs()),
            };
            let hint = "a firewall is in the way, or the network needs a proxy: set HTTPS_PROXY (and NO_PROXY)";
            lines.push(Line::failed(
                AREA,
                "TCP connection",
                Verdict::Unreachable,
                detail,
                Some(hint.into()),
            ));
            false
        }
    }
}

/// The DNS line of a host that does not resolve; `false`, as the branch stops there.
fn dns_failed(lines: &mut Vec<Line>, host: &str, detail: String, hint: Option<&str>) -> bool {
    let hint = hint.map(str::to_owned);
    lines.push(Line::failed(
        AREA,
        format!("DNS for {host}"),
        Verdict::Unreachable,
        detail,
        hint,
    ));
    false
}

/// TLS (for https) and an HTTP answer to `GET /`.
async fn answers(client: &Client, settings: &Settings, url: Url, host: &str, lines: &mut Vec<Line>) {
    let https = url.scheme() == "https";
    let shown = url.to_string();
    match client.send(Request::new(Method::GET, url, settings.timeout)).await {
        Ok(response) => {
            if https {
                lines.push(Line::ok(AREA, "TLS", format!("the certificate for {host} is trusted")));
            } else {
                lines.push(Line::not_checked(AREA, "TLS", "plain http:// (no TLS)"));
            }
            let detail = format!("GET {shown} answered {}", response.status);
            lines.push(Line::ok(AREA, "HTTP", detail));
        }
        Err(HttpError::Tls(words)) => {
            lines.push(Line::failed(AREA, "TLS", Verdict::Unreachable, words, None));
            lines.push(Line::not_checked(AREA, "HTTP", "TLS failed"));
        }
        Err(e) => {
            if https {
                lines.push(Line::not_checked(AREA, "TLS", "no answer to tell"));
            }
            lines.push(Line::failed(AREA, "HTTP", Verdict::Unreachable, e.to_string(), None));
        }
    }
}
