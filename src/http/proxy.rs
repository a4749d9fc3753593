//! Connections through the proxy the environment names, as curl reads it: `HTTPS_PROXY`,
//! `HTTP_PROXY`, `ALL_PROXY` (either case) and `NO_PROXY`'s hosts, domains and networks.
//! HTTPS goes through a `CONNECT` tunnel, so TLS stays end to end; plain HTTP is sent to the
//! proxy in absolute form. Only `http://` proxies are spoken to.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use http::header::HeaderValue;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The variables a proxy can come from; when none is set, no request asks the matcher.
const PROXY_VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The proxies of the environment, read once per run. `NO_PROXY=*` turns them all off, as in
/// curl (the matcher applies `*` to host names only, not to addresses).
pub(crate) fn proxies_from_env() -> Option<Arc<Matcher>> {
    let set = |name: &str| std::env::var(name).ok().filter(|value| !value.trim().is_empty());
    let any_proxy = PROXY_VARIABLES.iter().any(|v| set(v).is_some());
    let no_proxy = set("NO_PROXY").or_else(|| set("no_proxy"));
    if !any_proxy || no_proxy.is_some_and(|hosts| hosts.trim() == "*") {
        return None;
    }
    Some(Arc::new(Matcher::from_env()))
}

/// The proxy a request to `dst` goes through, if any.
pub(crate) fn proxy_for(proxies: Option<&Matcher>, dst: &Uri) -> Option<(Uri, Option<HeaderValue>)> {
    let intercept = proxies?.intercept(dst)?;
    Some((intercept.uri().clone(), intercept.basic_auth().cloned()))
}

/// Opens TCP connections: straight to the destination, or through its proxy.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    pub(crate) http: HttpConnector,
    pub(crate) proxies: Option<Arc<Matcher>>,
}

/// A TCP connection, and whether it goes to a forwarding proxy (then requests are written in
/// absolute form, `GET http://host/path`).
pub(crate) struct ProxyStream {
    io: TokioIo<TcpStream>,
    forwarding: bool,
}

impl tower_service::Service<Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<ProxyStream, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let mut http = self.http.clone();
        let Some((proxy, auth)) = proxy_for(self.proxies.as_deref(), &dst) else {
            return Box::pin(async move {
                let io = tower_service::Service::call(&mut http, dst).await?;
                Ok(ProxyStream { io, forwarding: false })
            });
        };
        Box::pin(async move {
            if proxy.scheme_str() != Some("http") {
                return Err(
                    format!("the proxy {proxy} is not an http:// proxy, the only kind k2check speaks to").into(),
                );
            }
            if dst.scheme_str() == Some("https") {
                let mut tunnel = Tunnel::new(proxy.clone(), http);
                if let Some(auth) = auth {
                    tunnel = tunnel.with_auth(auth);
                }
                let io = tower_service::Service::call(&mut tunnel, dst)
                    .await
                    .map_err(|e| format!("through the proxy {proxy}: {e}"))?;
                Ok(ProxyStream { io, forwarding: false })
            } else {
                let io = tower_service::Service::call(&mut http, proxy.clone())
                    .await
                    .map_err(|e| format!("to the proxy {proxy}: {e}"))?;
                Ok(ProxyStream { io, forwarding: true })
            }
        })
    }
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.forwarding)
    }
}

impl Read for ProxyStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: ReadBufCursor<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl Write for ProxyStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_hosts_and_domains_are_reached_directly() {
        let matcher = Matcher::builder()
            .all("http://user:pw@proxy.local:3128")
            .no("internal.example, .onk2.local, 10.0.0.0/8")
            .build();
        let via = |uri: &str| proxy_for(Some(&matcher), &uri.parse().unwrap()).map(|(p, _)| p.to_string());
        assert_eq!(
            via("https://acme.onk2.com/api").as_deref(),
            Some("http://proxy.local:3128/")
        );
        assert_eq!(via("https://internal.example/x"), None);
        assert_eq!(via("https://tenant.onk2.local/x"), None);
        assert_eq!(via("http://10.1.2.3/x"), None);
        let (_, auth) = proxy_for(Some(&matcher), &"http://a/".parse().unwrap()).unwrap();
        assert!(auth.is_some(), "the proxy's credentials go in Proxy-Authorization");
        assert!(proxy_for(None, &"http://a/".parse().unwrap()).is_none());
    }
}
