//! What wraps every route: CORS for the allowed page origins; the guard a local server needs against
//! the web pages its user visits (`Host` must name this server, a state-changing request from a page
//! must come from an allowed origin, bodies are capped; `body::JsonBody` makes every POST JSON);
//! `nosniff` and `frame-ancestors` on what it serves; the `--log` line; and the problem for a method
//! a path does not have.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::problem::Problem;
use crate::AppState;

/// The checks on a request that reached a route: its origin and its size.
pub fn guard_routes(api: Router<AppState>, st: &AppState) -> Router<AppState> {
    api.route_layer(from_fn_with_state(st.clone(), guard))
}

/// Adds the layers every response goes through: CORS on `shared`, none on `framed` (pages that hold
/// card fields or a completion credential, which no other origin may read); for both, the `Host`
/// check, `nosniff` and a default `frame-ancestors`, and the `--log` line.
pub fn wrap(shared: Router, framed: Router, st: &AppState) -> Router {
    let app = shared
        .layer(cors(st))
        .merge(framed)
        .layer(from_fn_with_state(st.clone(), check_host))
        .layer(from_fn_with_state(st.clone(), security_headers));
    if st.config.log {
        app.layer(from_fn(log_request))
    } else {
        app
    }
}

/// `Host` values that name this server: its bound address, `localhost` and `[::1]` on its port, and
/// the `--public-origin`. Anything else is a DNS-rebinding attempt or a misdirected request.
fn host_allowed(st: &AppState, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if let Some(a) = st.bound.get() {
        let port = a.port();
        let names = [
            a.to_string(),
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ];
        let bare = port == 80 && ["127.0.0.1", "localhost", "[::1]"].contains(&host.as_str());
        if bare || names.contains(&host) {
            return true;
        }
    }
    st.config
        .public_origin
        .as_deref()
        .and_then(|o| o.split_once("://"))
        .is_some_and(|(_, h)| h.eq_ignore_ascii_case(&host))
}

/// Page origins allowed to call: this server's own, the `--public-origin`, and the `--cors-origin`
/// patterns (default any port of 127.0.0.1 and localhost).
pub fn origin_allowed(st: &AppState, origin: &str) -> bool {
    let own = origin
        .strip_prefix("http://")
        .is_some_and(|h| host_allowed(st, h));
    own || st.config.public_origin.as_deref() == Some(origin)
        || cors_patterns(st).iter().any(|p| origin_matches(p, origin))
}

fn cors_patterns(st: &AppState) -> Vec<String> {
    if st.config.cors_origins.is_empty() {
        vec!["http://127.0.0.1:*".into(), "http://localhost:*".into()]
    } else {
        st.config.cors_origins.clone()
    }
}

/// Every request, static files included: `Host` must name this server (DNS rebinding).
async fn check_host(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !host_allowed(&st, host) {
        return Problem::new(
            StatusCode::MISDIRECTED_REQUEST,
            "host_not_allowed",
            "Host not allowed",
            "the Host header does not name this sandbox (use its address, localhost, or --public-origin)",
        )
        .into_response();
    }
    next.run(req).await
}

async fn guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .map(|o| o.to_str().unwrap_or(""));
        if origin.is_some_and(|o| !origin_allowed(&st, o)) {
            return Problem::new(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                "Origin not allowed",
                "requests that change state are accepted only from allowed page origins (--cors-origin)",
            )
            .into_response();
        }
    }
    let limit = st.config.max_body_bytes;
    let too_large = || {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Request body too large",
            format!("request bodies are at most {limit} bytes (--max-body-bytes)"),
        )
        .into_response()
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return too_large();
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// `nosniff` everywhere; documents that set no policy of their own may only be framed by this server.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'self'"),
        );
    }
    res
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
    let st2 = st.clone();
    let allow = AllowOrigin::predicate(move |origin: &HeaderValue, _| {
        origin.to_str().is_ok_and(|o| origin_allowed(&st2, o))
    });
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
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
