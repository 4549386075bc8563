//! Binding and serving: the accept loop (hyper's HTTP/1 with a header-read timeout and a cap on open
//! connections, which `axum::serve` does not offer), the real-time ticker, and graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::{app, AppState, Config, Shared};

/// Binds, prints `intent-sandbox listening on http://HOST:PORT` and where the secret key came from
/// (never the key itself), and serves until `shutdown` resolves.
pub async fn serve(
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let (listener, state) = bind(config).await?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    println!("intent-sandbox listening on http://{bound}");
    println!("secret key: {}", state.config.secret_key_source);
    for line in state.webhooks.describe() {
        println!("{line}");
    }
    run(listener, state, shutdown).await
}

/// Binds the listener and builds the state without serving (tests use this with port 0).
pub async fn bind(config: Config) -> Result<(TcpListener, AppState), String> {
    let addr = format!("{}:{}", config.host, config.port);
    let listener = TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let state = Shared::new(config);
    if let Ok(a) = listener.local_addr() {
        let _ = state.bound.set(a);
    }
    Ok((listener, state))
}

/// Serves until `shutdown` resolves; timers also run on real time every `tick_ms`.
pub async fn run(
    listener: TcpListener,
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
    let router = app(state.clone());
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs_f64(state.config.header_timeout_secs))
        .max_buf_size(64 * 1024);
    let open = Arc::new(Semaphore::new(state.config.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = open.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    // TCP_NODELAY: each SSE event is a small write after an unacknowledged one, and
                    // Nagle held it until the browser's delayed ACK (~40 ms) arrived: most of the
                    // capture -> `status` latency.
                    let _ = stream.set_nodelay(true);
                    stream
                }
                // Out of file descriptors and the like: let connections close before accepting more.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(router.clone());
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    // Open event streams end first, so graceful shutdown does not wait on them.
    let _ = state.shutdown.send(true);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(5)) => {}
    }
    ticker.abort();
    Ok(())
}
