//! The router and what every route shares: auth headers, JSON field checks with a `param` for each
//! failure, the origin used in challenge URLs, fault injection around commits, and CORS.

pub mod browser;
pub mod challenge;
pub mod demo;
pub mod merchant;
pub mod test_routes;

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{Map, Value};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

use crate::problem::{ApiResult, Problem};
use crate::AppState;

/// The largest amount accepted: the core's limit (JavaScript's largest safe integer).
pub const MAX_AMOUNT: i64 = crate::lifecycle::MAX_MINOR_UNITS;

/// Currencies the sandbox accepts (Dojo takes GBP and EUR; USD and MYR serve the other dialects).
pub const CURRENCIES: &[&str] = &["GBP", "EUR", "USD", "MYR"];

pub fn router(st: AppState) -> Router {
    let api = Router::new()
        .route("/payment-intents", post(merchant::create))
        .route(
            "/payment-intents/{id}",
            get(merchant::get_intent).delete(merchant::cancel),
        )
        .route(
            "/payment-intents/{id}/refresh-client-session-secret",
            post(merchant::refresh),
        )
        .route("/payment-intents/{id}/captures", post(merchant::capture))
        .route("/payment-intents/{id}/reversal", post(merchant::reversal))
        .route("/payment-intents/{id}/refunds", post(merchant::refund))
        .route("/payment-intents/{id}/tips-amount", post(merchant::tips))
        .route("/payment-intents/{id}/amount", post(merchant::amount))
        .route("/payment-intents/public/{id}", get(browser::get_intent))
        .route("/payment-intents/public/{id}/payments", post(browser::pay))
        .route(
            "/payment-intents/public/{id}/tips-amount",
            post(browser::tips),
        )
        .route("/payment-intents/public/{id}/amount", post(browser::amount))
        .route("/payment-intents/public/{id}/events", get(browser::events))
        .route("/demo/payment-intents", post(demo::create))
        .route(
            "/demo/payment-intents/{id}/refresh-client-session-secret",
            post(demo::refresh),
        )
        .route("/demo/payment-intents/{id}/captures", post(demo::capture))
        .route("/demo/payment-intents/{id}/reversal", post(demo::reversal))
        .route("/demo/payment-intents/{id}/refunds", post(demo::refund))
        .route("/demo/payment-intents/{id}/cancel", post(demo::cancel))
        .route("/challenge.js", get(challenge::script))
        .route("/challenge/{id}", get(challenge::page))
        .route("/challenge/{id}/complete", post(challenge::complete))
        .route("/test/clock", get(test_routes::clock))
        .route("/test/clock/advance", post(test_routes::advance))
        .route(
            "/test/faults",
            get(test_routes::get_faults)
                .post(test_routes::set_faults)
                .delete(test_routes::clear_faults),
        )
        .route("/test/webhook-deliveries", get(test_routes::deliveries))
        .route("/test/ledger", get(test_routes::ledger))
        .route("/test/intents/bulk", post(test_routes::bulk))
        .route("/test/reset", post(test_routes::reset))
        .route("/healthz", get(test_routes::health))
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(st.clone());
    let static_files = Router::new()
        .nest_service("/pkg", ServeDir::new(&st.config.pkg_dir))
        .fallback_service(ServeDir::new(&st.config.www_dir));
    let app = api.merge(static_files);
    let app = if st.config.log {
        app.layer(axum::middleware::from_fn(log_request))
    } else {
        app
    };
    app.layer(cors(&st))
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

async fn method_not_allowed() -> Problem {
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

/// The origin the client used, for URLs handed back to it (the 3-D Secure challenge).
pub fn base_url(st: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        });
    match (host, st.bound.get()) {
        (Some(h), _) => format!("http://{h}"),
        (None, Some(a)) => format!("http://{a}"),
        (None, None) => "http://127.0.0.1".into(),
    }
}

fn auth_value<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (s, rest) = v.split_once(' ')?;
    s.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// Merchant auth: `Authorization: Basic <secret key>`.
pub fn require_key(st: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    match auth_value(headers, "Basic") {
        Some(k) if constant_eq(k.as_bytes(), st.config.secret_key.as_bytes()) => Ok(()),
        Some(_) => Err(Problem::unauthorized("the secret key is not valid")),
        None => Err(Problem::unauthorized(
            "send the merchant secret key as `Authorization: Basic <secret key>`",
        )),
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Browser auth: the bearer secret, checked against the intent in the path.
pub fn require_secret(st: &AppState, headers: &HeaderMap, id: &str) -> ApiResult<()> {
    let secret = auth_value(headers, "Bearer").ok_or_else(|| {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "token_invalid",
            "Missing client session secret",
            "send the client session secret as `Authorization: Bearer <secret>`",
        )
    })?;
    st.store().check_secret(secret, id, st.clock.now())
}

/// Dojo's required `version` header (yyyy-mm-dd).
pub fn require_version(headers: &HeaderMap) -> ApiResult<()> {
    let v = headers.get("version").and_then(|v| v.to_str().ok());
    let ok = v.is_some_and(|v| {
        let b = v.as_bytes();
        b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    });
    if ok {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "version_required",
            "Version header required",
            "send the API version as a `version: 2025-09-10` header",
        ))
    }
}

/// Parses a JSON object body; an empty body is `{}` when `optional`.
pub fn json_object(body: &Bytes, optional: bool) -> ApiResult<Map<String, Value>> {
    if optional && body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Problem::invalid_json(
            "the request body must be a JSON object",
        )),
        Err(e) => Err(Problem::invalid_json(format!(
            "the request body is not valid JSON: {e}"
        ))),
    }
}

/// Typed field access that names the field (`param`) when it is wrong.
pub struct Fields<'a> {
    pub obj: &'a Map<String, Value>,
    pub prefix: String,
}

impl<'a> Fields<'a> {
    pub fn new(obj: &'a Map<String, Value>, prefix: &str) -> Self {
        Fields {
            obj,
            prefix: prefix.to_string(),
        }
    }

    pub fn path(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    pub fn only(&self, allowed: &[&str]) -> ApiResult<()> {
        match self.obj.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(Problem::invalid(
                &self.path(k),
                format!("unknown field `{}`", self.path(k)),
            )),
            None => Ok(()),
        }
    }

    fn present(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    pub fn str(&self, key: &str, max: usize) -> ApiResult<Option<&'a str>> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s)),
            Some(Value::String(_)) => Err(Problem::invalid(
                &self.path(key),
                format!("`{}` must be at most {max} characters", self.path(key)),
            )),
            Some(_) => Err(Problem::invalid(
                &self.path(key),
                format!("`{}` must be a string", self.path(key)),
            )),
        }
    }

    pub fn bool(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Problem::invalid(
                &self.path(key),
                format!("`{}` must be true or false", self.path(key)),
            )),
        }
    }

    /// An integer in `min..=MAX_AMOUNT` (no floats, no strings).
    pub fn int(&self, key: &str, min: i64) -> ApiResult<Option<i64>> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(v) if (min..=MAX_AMOUNT).contains(&v) => Ok(Some(v)),
                Some(_) | None if n.is_f64() => Err(Problem::invalid(
                    &self.path(key),
                    format!("`{}` must be a whole number", self.path(key)),
                )),
                _ => Err(Problem::invalid(
                    &self.path(key),
                    format!(
                        "`{}` must be between {min} and {MAX_AMOUNT}",
                        self.path(key)
                    ),
                )),
            },
            Some(_) => Err(Problem::invalid(
                &self.path(key),
                format!("`{}` must be a number", self.path(key)),
            )),
        }
    }

    pub fn object(&self, key: &str) -> ApiResult<Option<Fields<'a>>> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Fields::new(m, &format!("{}.", self.path(key))))),
            Some(_) => Err(Problem::invalid(
                &self.path(key),
                format!("`{}` must be an object", self.path(key)),
            )),
        }
    }

    /// Dojo's `Money {value, currencyCode}`.
    pub fn money(&self, key: &str, min: i64) -> ApiResult<Option<(i64, &'static str)>> {
        let Some(m) = self.object(key)? else {
            return Ok(None);
        };
        m.only(&["value", "currencyCode"])?;
        let value = m
            .int("value", min)?
            .ok_or_else(|| Problem::invalid(&m.path("value"), "`value` is required"))?;
        let code = m.str("currencyCode", 10)?.ok_or_else(|| {
            Problem::invalid(&m.path("currencyCode"), "`currencyCode` is required")
        })?;
        Ok(Some((value, currency(code, &m.path("currencyCode"))?)))
    }
}

pub fn currency(code: &str, param: &str) -> ApiResult<&'static str> {
    CURRENCIES
        .iter()
        .find(|c| **c == code)
        .copied()
        .ok_or_else(|| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unsupported_currency",
                "Unsupported currency",
                format!(
                    "the sandbox accepts {}; `{code}` is not one of them",
                    CURRENCIES.join(", ")
                ),
            )
            .with("param", param)
        })
}

/// A JSON response that is never cached.
pub fn json_response(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

pub fn json_value(status: StatusCode, v: &Value) -> Response {
    json_response(status, v.to_string())
}

/// What to do with a committed change's answer, as drawn from the fault configuration.
pub enum AfterCommit {
    Answer,
    Error,
    Drop,
}

/// Latency and the 500-before-commit fault; call before taking the store lock to commit.
pub async fn before_commit(st: &AppState, browser: bool) -> ApiResult<()> {
    let (latency, fail) = {
        let mut f = st.faults();
        if !f.applies_to(browser) {
            return Ok(());
        }
        let latency = f.latency();
        let p = f.config.error_before_commit;
        (latency, f.roll(p))
    };
    if let Some(ms) = latency {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if fail {
        return Err(Problem::injected("before commit: nothing changed"));
    }
    Ok(())
}

/// Latency alone, for reads.
pub async fn read_latency(st: &AppState, browser: bool) {
    let latency = {
        let mut f = st.faults();
        if !f.applies_to(browser) {
            return;
        }
        f.latency()
    };
    if let Some(ms) = latency {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

pub fn after_commit(st: &AppState, browser: bool) -> AfterCommit {
    let mut f = st.faults();
    if !f.applies_to(browser) {
        return AfterCommit::Answer;
    }
    let (pe, pd) = (f.config.error_after_commit, f.config.drop_after_commit);
    if f.roll(pe) {
        AfterCommit::Error
    } else if f.roll(pd) {
        AfterCommit::Drop
    } else {
        AfterCommit::Answer
    }
}

/// Turns a committed answer into what the fault plan says the client gets.
pub fn deliver(after: AfterCommit, res: Response) -> Response {
    match after {
        AfterCommit::Answer => res,
        AfterCommit::Error => {
            Problem::injected("after commit: the change was kept").into_response()
        }
        AfterCommit::Drop => dropped_connection(),
    }
}

/// A response whose body fails at once: hyper aborts the connection, so the client sees a
/// network error rather than an answer.
pub fn dropped_connection() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("injected dropped connection"))
    });
    let mut res = Response::new(Body::from_stream(stream));
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

/// An idempotency key in flight: forgotten on drop unless `finish` stored the committed answer.
/// Never drop it while holding the store lock.
pub struct KeyGuard {
    st: AppState,
    scope: &'static str,
    id: String,
    key: String,
    done: bool,
}

impl KeyGuard {
    pub fn finish(
        &mut self,
        store: &mut crate::store::Store,
        status: StatusCode,
        body: &str,
        etag: Option<&str>,
    ) {
        store.keys.finish(
            self.scope,
            &self.id,
            &self.key,
            crate::idempotency::Stored {
                status: status.as_u16(),
                body: body.to_string(),
                etag: etag.map(str::to_string),
            },
        );
        self.done = true;
    }
}

impl Drop for KeyGuard {
    fn drop(&mut self) {
        if !self.done {
            self.st
                .store()
                .keys
                .abandon(self.scope, &self.id, &self.key);
        }
    }
}

/// Starts an idempotent request: `Ok(Err(response))` is a replay to send as is.
pub fn begin_key(
    st: &AppState,
    scope: &'static str,
    id: &str,
    headers: &HeaderMap,
    header_names: &[&str],
    body: &Bytes,
) -> ApiResult<Result<KeyGuard, Response>> {
    use crate::idempotency::{fingerprint, Begin};
    let key = header_names
        .iter()
        .find_map(|n| headers.get(*n))
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_required",
                "Idempotency key required",
                format!(
                    "send a unique `{}` header (1 to 255 characters) with this request",
                    header_names.first().copied().unwrap_or("Idempotency-Key")
                ),
            )
        })?;
    let begun = st.store().keys.begin(scope, id, key, fingerprint(body));
    match begun {
        Begin::Fresh => Ok(Ok(KeyGuard {
            st: st.clone(),
            scope,
            id: id.to_string(),
            key: key.to_string(),
            done: false,
        })),
        Begin::Replay(stored) => {
            let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
            let mut res = json_response(status, stored.body);
            if let Some(tag) = stored.etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
                res.headers_mut().insert(header::ETAG, tag);
            }
            res.headers_mut().insert(
                HeaderName::from_static("idempotent-replayed"),
                HeaderValue::from_static("true"),
            );
            Ok(Err(res))
        }
        Begin::Mismatch => Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_mismatch",
            "Idempotency key reused",
            "this idempotency key was already used with a different request body",
        )),
        Begin::InUse => Err(Problem::new(
            StatusCode::CONFLICT,
            "idempotency_key_in_use",
            "Request in progress",
            "a request with this idempotency key is still being processed; retry shortly",
        )
        .with("retryable", true)),
    }
}

/// Collapses a handler's `ApiResult<Response>` into a response.
pub fn respond(r: ApiResult<Response>) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}
