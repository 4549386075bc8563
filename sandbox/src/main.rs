//! `intent-sandbox`: a local payment-intents server for intent-checkout's demo and tests.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use tower_http::services::ServeDir;

struct Config {
    host: String,
    port: u16,
    secret_key: String,
    www_dir: PathBuf,
    pkg_dir: PathBuf,
}

fn parse_args() -> Result<Config, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut config = Config {
        host: "127.0.0.1".into(),
        port: match std::env::var("PORT") {
            Ok(p) => p
                .parse()
                .map_err(|_| format!("PORT is not a port number: {p}"))?,
            Err(_) => 4242,
        },
        secret_key: std::env::var("SANDBOX_SECRET_KEY")
            .unwrap_or_else(|_| "sk_sandbox_local".into()),
        www_dir: root.join("www"),
        pkg_dir: root.join("pkg"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => config.host = value()?,
            "--port" => {
                config.port = value()?
                    .parse()
                    .map_err(|_| "--port needs a number".to_string())?
            }
            "--secret-key" => config.secret_key = value()?,
            "--www-dir" => config.www_dir = value()?.into(),
            "--pkg-dir" => config.pkg_dir = value()?.into(),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(config)
}

#[tokio::main]
async fn main() {
    let config = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("intent-sandbox: {e}");
            std::process::exit(2);
        }
    };
    let app = Router::new()
        .nest_service("/pkg", ServeDir::new(&config.pkg_dir))
        .fallback_service(ServeDir::new(&config.www_dir));
    let addr: SocketAddr = match format!("{}:{}", config.host, config.port).parse() {
        Ok(a) => a,
        Err(_) => {
            eprintln!(
                "intent-sandbox: bad address {}:{}",
                config.host, config.port
            );
            std::process::exit(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("intent-sandbox: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    let bound = listener.local_addr().unwrap_or(addr);
    println!("intent-sandbox listening on http://{bound}");
    println!("secret key: {}", config.secret_key);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("intent-sandbox: {e}");
        std::process::exit(1);
    }
}
