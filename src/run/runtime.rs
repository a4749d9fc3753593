//! What every scenario of a run shares: the plan, the HTTP client, auth, and a stop flag.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use minijinja::Value;

use crate::auth::Auth;
use crate::http::Client;
use crate::plan::Plan;
use crate::run::limits::Gate;
use crate::run::recording::Recording;
use crate::run::urls::Urls;
use crate::template::Context;

pub struct Runtime {
    pub plan: Arc<Plan>,
    pub client: Arc<Client>,
    pub auth: Auth,
    pub gate: Arc<Gate>,
    pub urls: Urls,
    stopping: AtomicBool,
    /// One notice per running scenario, woken when the run starts to stop so a step waiting on
    /// the network gives up at once. One each rather than one shared: a step registers with
    /// its notice, and a shared one would be a lock every step of every scenario contends for.
    stop_notices: std::sync::Mutex<Vec<std::sync::Weak<tokio::sync::Notify>>>,
    /// The grace period is over (or a second signal came): clean-up steps are skipped too.
    aborting: AtomicBool,
    /// What the suite's set-up captured, set once it has run; every later scenario reads it.
    setup_values: std::sync::OnceLock<Vec<(String, Value)>>,
    /// Whether (and how much of) each exchange is kept for the reports.
    pub recording: Option<Recording>,
    /// `--update-snapshots`: a new or changed answer is stored and its step passes.
    pub update_snapshots: bool,
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
            stop_notices: std::sync::Mutex::new(Vec::new()),
            aborting: AtomicBool::new(false),
            setup_values: std::sync::OnceLock::new(),
            recording: None,
            update_snapshots: false,
        }
    }

    /// What scenario `index`'s templates start from: the plan's values, its data row, and
    /// what the suite's set-up captured.
    pub fn starting_context(&self, index: usize) -> Context {
        let mut ctx = self.plan.starting_context(index);
        if let Some(values) = self.setup_values.get() {
            ctx.extend(values.iter().cloned());
        }
        ctx
    }

    /// Keeps what the set-up captured, for every scenario after it.
    pub fn keep_setup_values(&self, ctx: &Context) {
        let values = self
            .plan
            .setup_captures
            .iter()
            .filter_map(|name| ctx.get(name).map(|v| (name.clone(), v.clone())))
            .collect();
        let _ = self.setup_values.set(values);
    }

    /// Asks running scenarios to stop: no new main step starts, one in flight gives up, and
    /// `finally:` steps still run (a stop signal).
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let notices = self.stop_notices.lock().unwrap_or_else(|e| e.into_inner());
        for notice in notices.iter().filter_map(std::sync::Weak::upgrade) {
            notice.notify_waiters();
        }
    }

    /// A notice for one scenario, woken when the run starts to stop.
    pub fn stop_notice(&self) -> Arc<tokio::sync::Notify> {
        let notice = Arc::new(tokio::sync::Notify::new());
        let mut notices = self.stop_notices.lock().unwrap_or_else(|e| e.into_inner());
        notices.retain(|n| n.strong_count() > 0);
        notices.push(Arc::downgrade(&notice));
        notice
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Resolves once the run starts to stop; `notice` is the scenario's own.
    pub async fn stopped(&self, notice: &tokio::sync::Notify) {
        if self.is_stopping() {
            return;
        }
        let notified = notice.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if self.is_stopping() {
            return;
        }
        notified.await;
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
