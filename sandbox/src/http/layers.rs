//! What wraps every route: CORS for the allowed page origins (not for the framed pages, which no other
//! origin may read), the `--log` line, and the problem for a method a path does not have.

use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::problem::Problem;
use crate::AppState;

/// Adds the layers every response goes through: CORS on `shared`, none on `framed`.
pub fn wrap(shared: Router, framed: Router, st: &AppState) -> Router {
    let app = shared.layer(cors(st)).merge(framed);
    if st.config.log {
        app.layer(axum::middleware::from_fn(log_request))
    } else {
        app
    }
}

/// `--log`: method, path, status and time. Paths hold no secrets (secrets only travel in headers).
async fn log_request(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    eprintln!(
        "{method} {path} {} {:.1}ms",
        res.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    res
}

pub async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
        "this path does not support that method",
    )
}

fn cors(st: &AppState) -> CorsLayer {
    let mut patterns = st.config.cors_origins.clone();
    if patterns.is_empty() {
        patterns = vec!["http://127.0.0.1:*".into(), "http://localhost:*".into()];
    }
    let own = st.bound.get().map(|a| format!("http://{a}"));
    let allow = AllowOrigin::predicate(move |origin: &HeaderValue, _| {
        let Ok(o) = origin.to_str() else { return false };
        own.as_deref() == Some(o) || patterns.iter().any(|p| origin_matches(p, o))
    });
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("last-event-id"),
            HeaderName::from_static("version"),
        ])
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            HeaderName::from_static("idempotent-replayed"),
        ])
        .max_age(Duration::from_secs(600))
}

/// `http://127.0.0.1:*` matches that host on any port; anything else must match exactly.
pub fn origin_matches(pattern: &str, origin: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => {
            origin.starts_with(prefix)
                && !origin[prefix.len()..].is_empty()
                && origin[prefix.len()..].bytes().all(|b| b.is_ascii_digit())
        }
        None => pattern == origin,
    }
}
