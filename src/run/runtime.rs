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
        }
    }

    /// Asks running scenarios to stop at their next step (fail-fast, Ctrl-C).
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
}
