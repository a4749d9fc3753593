//! What every scenario of a run shares: the plan, the HTTP client, auth, and a stop flag.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::auth::Auth;
use crate::http::Client;
use crate::plan::Plan;
use crate::run::limits::Gate;
use crate::run::urls::Urls;

pub struct Runtime {
    pub plan: Arc<Plan>,
    pub client: Arc<Client>,
    pub auth: Auth,
    pub gate: Arc<Gate>,
    pub urls: Urls,
    stopping: AtomicBool,
    /// Woken when the run starts to stop, so steps waiting on the network give up at once.
    stop_notice: tokio::sync::Notify,
    /// The grace period is over (or a second signal came): clean-up steps are skipped too.
    aborting: AtomicBool,
}

impl Runtime {
    pub fn new(plan: Arc<Plan>, client: Client) -> Self {
        let client = Arc::new(client);
        let auth = Auth::new(
            plan.profiles.clone(),
            client.clone(),
            plan.redactor.clone(),
            plan.timeout,
        );
        Runtime {
            gate: Arc::new(Gate::new(plan.limits)),
            urls: Urls::default(),
            plan,
            client,
            auth,
            stopping: AtomicBool::new(false),
            stop_notice: tokio::sync::Notify::new(),
            aborting: AtomicBool::new(false),
        }
    }

    /// Asks running scenarios to stop: no new main step starts, one in flight gives up, and
    /// `finally:` steps still run (a stop signal).
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.stop_notice.notify_waiters();
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Resolves once the run starts to stop.
    pub async fn stopped(&self) {
        let notice = self.stop_notice.notified();
        tokio::pin!(notice);
        notice.as_mut().enable();
        if self.is_stopping() {
            return;
        }
        notice.await;
    }

    /// Clean-up is over too: `finally:` steps not yet started are skipped.
    pub fn abort(&self) {
        self.aborting.store(true, Ordering::SeqCst);
        self.stop();
    }

    pub fn is_aborting(&self) -> bool {
        self.aborting.load(Ordering::SeqCst)
    }
}
