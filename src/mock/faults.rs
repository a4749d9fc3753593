//! Faults a test asks for with the `X-Mock-Fault` request header:
//!
//! - `429` (or `429;retry-after=2`): Too Many Requests with `Retry-After`;
//! - `500`, `502`, `503`, …: that status (503 carries `Retry-After` too);
//! - `delay=500ms`: answer normally, that much later;
//! - `drop`: close the connection without a complete response;
//! - `truncate`: announce the whole body, send half, close.
//!
//! `;times=N` makes a fault fire on the first N requests with the same header, method and
//! path only, so a test can see a retry succeed.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use http_body::Frame;

#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    Status {
        status: StatusCode,
        retry_after: Option<u64>,
    },
    Delay(Duration),
    Drop,
    Truncate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec {
    pub fault: Fault,
    pub times: Option<u32>,
}

pub fn parse(header: &str) -> Result<FaultSpec, String> {
    let mut parts = header.split(';').map(str::trim);
    let kind = parts.next().unwrap_or_default().to_ascii_lowercase();
    let mut retry_after = None;
    let mut times = None;
    let mut delay = None;
    for part in parts.filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("`{part}` is not key=value"))?;
        match k.trim().to_ascii_lowercase().as_str() {
            "retry-after" => retry_after = Some(v.trim().parse::<u64>().map_err(|_| "retry-after takes seconds")?),
            "times" => times = Some(v.trim().parse::<u32>().map_err(|_| "times takes a count")?),
            other => return Err(format!("unknown fault option `{other}`")),
        }
    }
    if let Some(d) = kind.strip_prefix("delay=") {
        delay = Some(crate::scenario::fields::parse_duration(d).ok_or("delay takes a duration, e.g. delay=500ms")?);
    }
    let fault = match (kind.as_str(), delay) {
        (_, Some(d)) => Fault::Delay(d),
        ("drop", _) => Fault::Drop,
        ("truncate", _) => Fault::Truncate,
        (code, _) => {
            let status = code
                .parse::<u16>()
                .ok()
                .and_then(|c| StatusCode::from_u16(c).ok())
                .filter(|s| s.is_client_error() || s.is_server_error())
                .ok_or_else(|| format!("unknown fault `{code}` (429, 5xx, delay=…, drop, truncate)"))?;
            let default_wait = matches!(status.as_u16(), 429 | 503).then_some(1);
            Fault::Status {
                status,
                retry_after: retry_after.or(default_wait),
            }
        }
    };
    Ok(FaultSpec { fault, times })
}

pub fn status_response(status: StatusCode, retry_after: Option<u64>) -> Response {
    let mut response = crate::mock::request::json_response(
        status,
        &serde_json::json!({ "Message": format!("Injected fault: {status}") }),
    );
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// A body that sends `data` and then fails, so the connection closes mid-response. With data,
/// it waits a moment before failing: the status line, headers and data reach the client first
/// (failing at once, hyper dropped them with the connection, and truncate looked like drop).
struct BrokenBody {
    data: Option<Bytes>,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl http_body::Body for BrokenBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(data) = self.data.take().filter(|d| !d.is_empty()) {
            self.pause = Some(Box::pin(tokio::time::sleep(Duration::from_millis(50))));
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if let Some(pause) = self.pause.as_mut() {
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.pause = None;
        }
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected fault",
        ))))
    }
}

/// Rewrites a finished response to fail on the wire.
pub async fn break_response(response: Response, fault: &Fault) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let data = match fault {
        Fault::Truncate => {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len().max(2)));
            bytes.slice(..bytes.len() / 2)
        }
        _ => Bytes::new(),
    };
    Response::from_parts(
        parts,
        Body::new(BrokenBody {
            data: Some(data),
            pause: None,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fault_headers() {
        assert_eq!(
            parse("429;times=2").unwrap(),
            FaultSpec {
                fault: Fault::Status {
                    status: StatusCode::TOO_MANY_REQUESTS,
                    retry_after: Some(1)
                },
                times: Some(2)
            }
        );
        assert_eq!(
            parse("500").unwrap().fault,
            Fault::Status {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                retry_after: None
            }
        );
        assert_eq!(
            parse("delay=250ms").unwrap().fault,
            Fault::Delay(Duration::from_millis(250))
        );
        assert_eq!(parse("drop").unwrap().fault, Fault::Drop);
        assert!(parse("200").is_err());
        assert!(parse("429;bogus=1").is_err());
    }
}
