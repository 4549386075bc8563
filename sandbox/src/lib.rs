//! `intent-sandbox`: a stateful, Dojo-shaped payment-intents server for intent-checkout's demo and tests.
//! `app` builds the router over shared state; `serve` binds, prints the address and runs until shut down.

pub mod cards;
pub mod clock;
pub mod config;
pub mod faults;
pub mod http;
pub mod idempotency;
pub mod intent;
pub mod ledger;
pub mod lifecycle;
pub mod routes;
pub mod static_files;
pub mod store;
pub mod stream;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use axum::serve::ListenerExt;
use axum::Router;
use tokio::sync::{broadcast, watch};

pub use config::Config;

use clock::Clock;
use faults::Faults;
use store::{Change, Store};
use webhooks::Webhooks;

/// Everything the handlers share. One lock guards the store; critical sections never await.
pub struct Shared {
    pub config: Config,
    pub clock: Clock,
    store: Mutex<Store>,
    pub faults: Mutex<Faults>,
    pub webhooks: Arc<Webhooks>,
    /// `(intent id, version)` of every committed change, for the event streams.
    pub changes: broadcast::Sender<(Arc<str>, u64)>,
    pub shutdown: watch::Sender<bool>,
    pub bound: OnceLock<SocketAddr>,
}

pub type AppState = Arc<Shared>;

impl Shared {
    pub fn new(config: Config) -> AppState {
        let webhooks = Arc::new(Webhooks::new(
            config.webhook_url.clone(),
            config.webhook_secret.clone(),
            config.webhook_attempts,
            config.webhook_backoff_ms,
        ));
        Arc::new(Shared {
            config,
            clock: Clock::default(),
            store: Mutex::new(Store::default()),
            faults: Mutex::new(Faults::default()),
            webhooks,
            changes: broadcast::channel(4096).0,
            shutdown: watch::channel(false).0,
            bound: OnceLock::new(),
        })
    }

    /// The store; a poisoned lock is taken over, since every mutation validates before it writes.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells the streams and the webhook receiver about committed changes.
    pub fn publish(&self, changes: &[Change]) {
        for c in changes {
            let _ = self.changes.send((Arc::from(c.id.as_str()), c.version));
            if c.status_changed() {
                self.webhooks.emit(
                    "payment_intent.status_updated",
                    c.at,
                    serde_json::json!({
                        "paymentIntentId": c.id,
                        "paymentStatus": c.to,
                        "previousStatus": c.from,
                        "version": c.version,
                    }),
                );
            }
        }
    }

    /// Runs the timers that are due on the sandbox clock.
    pub fn run_timers(&self) -> usize {
        let now = self.clock.now();
        let changes = self.store().run_due(now);
        self.publish(&changes);
        changes.len()
    }
}

pub fn app(state: AppState) -> Router {
    routes::router(state)
}

/// Binds, prints `intent-sandbox listening on http://HOST:PORT` then `secret key: …`, and serves until
/// `shutdown` resolves. Timers run on real time every `tick_ms` too.
pub async fn serve(
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let (listener, state) = bind(config).await?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    println!("intent-sandbox listening on http://{bound}");
    println!("secret key: {}", state.config.secret_key);
    if let Some(url) = &state.config.webhook_url {
        println!("webhooks: {url} (secret {})", state.config.webhook_secret);
    }
    run(listener, state, shutdown).await
}

/// Binds the listener and builds the state without serving (tests use this with port 0).
pub async fn bind(config: Config) -> Result<(tokio::net::TcpListener, AppState), String> {
    let addr = format!("{}:{}", config.host, config.port);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let state = Shared::new(config);
    if let Ok(a) = listener.local_addr() {
        let _ = state.bound.set(a);
    }
    Ok((listener, state))
}

pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let ticker = {
        let st = state.clone();
        let every = Duration::from_millis(st.config.tick_ms.max(10));
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                st.run_timers();
            }
        })
    };
    let st = state.clone();
    let signal = async move {
        shutdown.await;
        // Open event streams end first, so graceful shutdown does not wait on them.
        let _ = st.shutdown.send(true);
    };
    // TCP_NODELAY: each SSE event is a small write after an unacknowledged one, and Nagle held it until
    // the browser's delayed ACK (~40 ms) arrived: most of the capture -> `status` latency.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let result = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal)
    .await
    .map_err(|e| e.to_string());
    ticker.abort();
    result
}
