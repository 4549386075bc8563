//! `intent-sandbox`: a stateful, Dojo-shaped payment-intents server for intent-checkout's demo and tests.
//! `app` builds the router over shared state; `serve` (in `server.rs`) binds, prints the address and runs
//! until shut down.

pub mod cards;
pub mod clock;
pub mod config;
pub mod details;
pub mod faults;
pub mod http;
pub mod idempotency;
pub mod intent;
pub mod ledger;
pub mod lifecycle;
pub mod routes;
mod server;
pub mod setup_intent;
pub mod static_files;
pub mod store;
pub mod stream;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use axum::Router;
use tokio::sync::{broadcast, watch};

pub use config::Config;
pub use server::{bind, run, serve};

use clock::Clock;
use faults::Faults;
use store::{Change, Store};
use webhooks::Webhooks;

/// Everything the handlers share. One lock guards the store; critical sections never await.
pub struct Shared {
    pub config: Config,
    pub clock: Arc<Clock>,
    store: Mutex<Store>,
    pub faults: Mutex<Faults>,
    pub webhooks: Arc<Webhooks>,
    /// `(intent id, version)` of every committed change, for the event streams.
    pub changes: broadcast::Sender<(Arc<str>, u64)>,
    /// Bumped whenever the test clock jumps, so streams re-check their secret.
    pub ticks: watch::Sender<u64>,
    pub shutdown: watch::Sender<bool>,
    pub bound: OnceLock<SocketAddr>,
}

pub type AppState = Arc<Shared>;

impl Shared {
    pub fn new(config: Config) -> AppState {
        let clock = Arc::new(Clock::default());
        let webhooks = Arc::new(Webhooks::new(
            clock.clone(),
            config.webhook_attempts,
            config.webhook_backoff_ms,
        ));
        // `--webhook-url` is a shortcut for a subscription to every event, signed with
        // `--webhook-secret`.
        if let Some(url) = &config.webhook_url {
            let events = webhooks::subscriptions::CATALOGUE
                .iter()
                .flat_map(|(_, es)| es.iter().map(|e| e.to_string()))
                .collect();
            let sub = webhooks::subscriptions::Subscription::new(
                url.clone(),
                events,
                Some("--webhook-url".into()),
                Some(config.webhook_secret.clone()),
                clock.now(),
            );
            let _ = webhooks.subscribe(sub);
        }
        Arc::new(Shared {
            store: Mutex::new(Store::new(Self::limits(&config))),
            config,
            clock,
            faults: Mutex::new(Faults::default()),
            webhooks,
            changes: broadcast::channel(4096).0,
            ticks: watch::channel(0).0,
            shutdown: watch::channel(false).0,
            bound: OnceLock::new(),
        })
    }

    pub fn limits(config: &Config) -> store::Limits {
        store::Limits {
            max_live: config.max_live_intents,
            max_finished: config.max_terminal_intents,
        }
    }

    /// The store; a poisoned lock is taken over, since every mutation validates before it writes.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells the streams and the webhook subscribers about committed changes.
    pub fn publish(&self, changes: &[Change]) {
        // Setup intents send no webhooks (as in Dojo), but their streams hear of every change.
        let setups = self.store().take_setup_changes();
        for id in setups {
            let _ = self.changes.send((Arc::from(id.as_str()), 0));
        }
        let mut queued = false;
        for c in changes {
            let _ = self.changes.send((Arc::from(c.id.as_str()), c.version));
            let data = serde_json::json!({
                "paymentIntentId": c.id,
                "paymentStatus": c.to,
                "previousStatus": if c.created() { None } else { Some(c.from) },
                "version": c.version,
            });
            if c.created() {
                queued |= self.webhooks.emit("payment_intent.created", c.at, data);
            } else if c.status_changed() {
                queued |= self
                    .webhooks
                    .emit("payment_intent.status_updated", c.at, data);
            }
        }
        if queued {
            let w = self.webhooks.clone();
            tokio::spawn(async move { w.deliver_due().await });
        }
    }

    /// Runs the store's timers that are due on the sandbox clock; webhook retries that are due start
    /// in the background (`settle` waits for them).
    pub fn run_timers(&self) -> usize {
        let now = self.clock.now();
        let changes = self.store().run_due(now);
        self.publish(&changes);
        if self.webhooks.has_due() {
            let w = self.webhooks.clone();
            tokio::spawn(async move { w.deliver_due().await });
        }
        changes.len()
    }

    /// Runs every timer due now and waits until the webhook attempts due by now have been made.
    pub async fn settle(&self) -> usize {
        self.ticks.send_modify(|t| *t += 1);
        let fired = self.run_timers();
        self.webhooks.deliver_due().await;
        self.webhooks.idle().await;
        fired
    }
}

pub fn app(state: AppState) -> Router {
    routes::router(state)
}
