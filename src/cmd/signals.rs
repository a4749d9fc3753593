//! Stop signals: Ctrl-C (SIGINT), SIGTERM (CI cancellation, `timeout`, `docker stop`) and
//! SIGHUP (a closed terminal) all stop a run the same way. Each one received is passed on to
//! the run; the first one decides the exit code, as a shell reports a process a signal ended.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::exit;

/// The exit code of the first stop signal received; `None` before any.
#[derive(Clone, Default)]
pub struct FirstSignal(Arc<AtomicU8>);

impl FirstSignal {
    pub fn exit_code(&self) -> Option<u8> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            code => Some(code),
        }
    }

    fn record(&self, code: u8) {
        let _ = self.0.compare_exchange(0, code, Ordering::SeqCst, Ordering::SeqCst);
    }
}

/// Listens for stop signals from now on: a message per signal on the receiver, and the first
/// signal's exit code (130, 143 or 129) in `FirstSignal`.
pub fn listen() -> (UnboundedReceiver<()>, FirstSignal) {
    let (tx, rx) = unbounded_channel();
    let first = FirstSignal::default();
    let recorded = first.clone();
    // Installed before this returns: a signal that comes right after (a test, a fast
    // `docker stop`) is received, never the default action that ends the process.
    let mut signals = Signals::new();
    tokio::spawn(async move {
        while let Some(code) = signals.next().await {
            recorded.record(code);
            if tx.send(()).is_err() {
                break;
            }
        }
    });
    (rx, first)
}

#[cfg(unix)]
struct Signals {
    streams: Vec<(tokio::signal::unix::Signal, u8)>,
}

#[cfg(unix)]
impl Signals {
    fn new() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        let wanted = [
            (SignalKind::interrupt(), exit::INTERRUPTED),
            (SignalKind::terminate(), exit::TERMINATED),
            (SignalKind::hangup(), exit::HUNG_UP),
        ];
        let streams = wanted
            .into_iter()
            .filter_map(|(kind, code)| signal(kind).ok().map(|s| (s, code)))
            .collect();
        Signals { streams }
    }

    /// The exit code of the next signal.
    async fn next(&mut self) -> Option<u8> {
        if self.streams.is_empty() {
            return None;
        }
        std::future::poll_fn(|cx| {
            for (stream, code) in &mut self.streams {
                if stream.poll_recv(cx).is_ready() {
                    return std::task::Poll::Ready(Some(*code));
                }
            }
            std::task::Poll::Pending
        })
        .await
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> Self {
        Signals
    }

    async fn next(&mut self) -> Option<u8> {
        tokio::signal::ctrl_c().await.ok().map(|()| exit::INTERRUPTED)
    }
}
