//! `intent-sandbox`: a local payment-intents server for intent-checkout's demo and tests.
//! Parses flags, then hands over to `intent_sandbox::serve` until Ctrl-C or SIGTERM.

use intent_sandbox::config::{Config, HELP};

#[tokio::main]
async fn main() {
    let config = match Config::from_args(std::env::args().skip(1), |k| std::env::var(k).ok()) {
        Ok(Some(c)) => c,
        Ok(None) => {
            print!("{HELP}");
            return;
        }
        Err(e) => {
            eprintln!("intent-sandbox: {e}");
            std::process::exit(2);
        }
    };
    let shutdown = async {
        // Ctrl-C (SIGINT) and SIGTERM both stop the server cleanly.
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    }
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    };
    if let Err(e) = intent_sandbox::serve(config, shutdown).await {
        eprintln!("intent-sandbox: {e}");
        std::process::exit(1);
    }
}
