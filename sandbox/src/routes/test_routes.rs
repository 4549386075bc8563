//! Test-only routes (`Authorization: Basic <secret key>`): the test clock, fault injection, webhook
//! delivery attempts and the money ledger. Together with the base URL they let a test drive anything.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use crate::clock::rfc3339;
use crate::faults::FaultConfig;
use crate::http::auth::TestKey;
use crate::http::body::{currency, json_object, Fields};
use crate::http::{json_response, ok, ApiResult, Problem};
use crate::store::{NewIntent, Store};
use crate::AppState;

fn clock_json(st: &AppState) -> Value {
    let now = st.clock.now();
    json!({
        "now": rfc3339(now),
        "unixMillis": now,
        "offsetSeconds": st.clock.offset_ms() as f64 / 1000.0,
    })
}

pub async fn clock(State(st): State<AppState>, _: TestKey) -> Response {
    ok(&clock_json(&st))
}

/// Moves the clock forward by `seconds` and runs every timer that fell due.
pub async fn advance(State(st): State<AppState>, _: TestKey, body: Bytes) -> ApiResult<Response> {
    let obj = json_object(&body, false)?;
    Fields::new(&obj, "").only(&["seconds"])?;
    let secs = match obj.get("seconds") {
        Some(Value::Number(n)) => n.as_f64().filter(|s| *s >= 0.0 && *s <= 3.2e9),
        _ => None,
    }
    .ok_or_else(|| {
        Problem::invalid("seconds", "`seconds` must be a number from 0 to 3200000000")
    })?;
    st.clock.advance((secs * 1000.0) as i64);
    let fired = st.run_timers();
    let mut v = clock_json(&st);
    v["timersFired"] = json!(fired);
    Ok(ok(&v))
}

fn faults_json(st: &AppState) -> Value {
    let f = st.faults();
    json!({"config": f.config, "injected": f.injected, "delayed": f.delayed})
}

pub async fn get_faults(State(st): State<AppState>, _: TestKey) -> Response {
    ok(&faults_json(&st))
}

pub async fn set_faults(
    State(st): State<AppState>,
    _: TestKey,
    body: Bytes,
) -> ApiResult<Response> {
    json_object(&body, false)?;
    let config: FaultConfig = serde_json::from_slice(&body)
        .map_err(|e| Problem::invalid("faults", format!("invalid fault configuration: {e}")))?;
    config
        .validate()
        .map_err(|p| Problem::invalid(&p, format!("`{p}` is out of range")))?;
    st.faults().set(config);
    Ok(ok(&faults_json(&st)))
}

pub async fn clear_faults(State(st): State<AppState>, _: TestKey) -> Response {
    st.faults().set(FaultConfig::default());
    ok(&faults_json(&st))
}

pub async fn deliveries(State(st): State<AppState>, _: TestKey) -> Response {
    ok(&st.webhooks.deliveries())
}

/// `GET /test/ledger[?paymentIntentId=pi_…]`.
pub async fn ledger(State(st): State<AppState>, _: TestKey, RawQuery(q): RawQuery) -> Response {
    let only = q.as_deref().and_then(|q| {
        q.split('&')
            .find_map(|p| p.strip_prefix("paymentIntentId="))
            .map(str::to_string)
    });
    let v = st.store().ledger.report(only.as_deref());
    ok(&v)
}

/// `POST /test/intents/bulk {"count": N, "captureMode"?, "dialect"?, "amount"?, "currencyCode"?}`:
/// creates N intents in one call (for load tests and memory measurements); answers their ids and
/// secrets as `{"intents": [{"paymentIntentId", "clientSessionSecret"}]}`.
pub async fn bulk(State(st): State<AppState>, _: TestKey, body: Bytes) -> ApiResult<Response> {
    let obj = json_object(&body, false)?;
    let f = Fields::new(&obj, "");
    f.only(&["count", "captureMode", "dialect", "amount", "currencyCode"])?;
    let count = f
        .int("count", 1)?
        .filter(|n| *n <= 1_000_000)
        .ok_or_else(|| Problem::invalid("count", "`count` must be from 1 to 1000000"))?;
    let capture_mode = f.capture_mode("captureMode")?;
    let dialect = f.dialect("dialect", st.config.dialect)?;
    let amount = f.int("amount", 1)?.unwrap_or(1000);
    let currency = currency(f.str("currencyCode", 10)?.unwrap_or("GBP"), "currencyCode")?;
    let mut out = String::with_capacity(count as usize * 110 + 16);
    out.push_str("{\"intents\":[");
    let now = st.clock.now();
    let mut store = st.store();
    for n in 0..count {
        let i = store.create(
            NewIntent {
                dialect,
                capture_mode,
                amount,
                currency,
                tips: 0,
                reference: format!("Bulk {n}"),
                description: None,
                metadata: Default::default(),
                custom_amount_allowed: false,
                tips_allowed: false,
                auto_expire_in: None,
                auto_expire_action: None,
                expire_at: None,
            },
            now,
            st.config.token_ttl_secs,
        );
        if n > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{{\"paymentIntentId\":\"{}\",\"clientSessionSecret\":\"{}\"}}",
            i.id, i.secret
        ));
    }
    drop(store);
    out.push_str("]}");
    Ok(json_response(StatusCode::OK, out))
}

/// `POST /test/reset`: forgets every intent, key, timer, ledger entry, fault and delivery, and puts
/// the clock back to real time, so one server can serve many independent tests.
pub async fn reset(State(st): State<AppState>, _: TestKey) -> Response {
    {
        let mut store = st.store();
        *store = Store::default();
        st.clock.reset();
    }
    st.faults().set(FaultConfig::default());
    st.webhooks.clear_log();
    ok(&json!({"ok": true}))
}

pub async fn health(State(st): State<AppState>) -> Response {
    let n = st.store().len();
    ok(&json!({"ok": true, "intents": n}))
}
