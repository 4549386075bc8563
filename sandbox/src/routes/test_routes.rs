//! Test-only routes (`Authorization: Basic <secret key>`): the test clock, fault injection, webhook
//! delivery attempts and the money ledger. Together with the base URL they let a test drive anything.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use crate::clock::rfc3339;
use crate::faults::FaultConfig;
use crate::http::auth::TestKey;
use crate::http::body::{currency, json_object, no_fields, Fields, JsonBody};
use crate::http::{json_response, ok, ApiResult, Problem};
use crate::store::{NewIntent, Store, StoreError};
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
pub async fn advance(
    State(st): State<AppState>,
    _: TestKey,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
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
    let fired = st.settle().await;
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
    JsonBody(body): JsonBody,
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

/// Every webhook delivery attempt, after the attempts due now were made.
pub async fn deliveries(State(st): State<AppState>, _: TestKey) -> Response {
    st.webhooks.deliver_due().await;
    st.webhooks.idle().await;
    ok(&st.webhooks.deliveries())
}

/// `GET /test/receipts`: the receipts merchants asked for (`POST /payment-intents/{id}/receipt`).
pub async fn receipts(State(st): State<AppState>, _: TestKey) -> Response {
    let store = st.store();
    let list: Vec<Value> = store
        .outbox()
        .map(|r| {
            json!({
                "paymentIntentId": r.payment_intent_id,
                "emails": r.emails,
                "paymentStatus": r.status,
                "createdAt": rfc3339(r.at),
            })
        })
        .collect();
    ok(&json!({"receipts": list}))
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

/// The most intents one bulk call creates (a memory measurement makes many calls).
pub const BULK_MAX: i64 = 10_000;

/// `POST /test/intents/bulk {"count": N, "captureMode"?, "dialect"?, "amount"?, "currencyCode"?}`:
/// creates N intents in one call (for load tests and memory measurements); answers their ids and
/// secrets as `{"intents": [{"paymentIntentId", "clientSessionSecret"}]}`.
pub async fn bulk(
    State(st): State<AppState>,
    _: TestKey,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let obj = json_object(&body, false)?;
    let f = Fields::new(&obj, "");
    f.only(&["count", "captureMode", "dialect", "amount", "currencyCode"])?;
    let count = f
        .int("count", 1)?
        .filter(|n| *n <= BULK_MAX)
        .ok_or_else(|| {
            Problem::invalid("count", format!("`count` must be from 1 to {BULK_MAX}"))
        })?;
    let capture_mode = f.capture_mode("captureMode")?;
    let dialect = f.dialect("dialect", st.config.dialect)?;
    let amount = f.part("amount", 1)?.unwrap_or(1000);
    let currency = currency(f.str("currencyCode", 10)?.unwrap_or("GBP"), "currencyCode")?;
    let mut store = st.store();
    // All or nothing: the open-intent cap is checked for the whole batch first.
    let (open, _) = store.counts();
    if open + count as usize > st.config.max_live_intents {
        return Err(StoreError::TooManyIntents(st.config.max_live_intents).into());
    }
    let mut out = String::with_capacity(count as usize * 110 + 16);
    out.push_str("{\"intents\":[");
    let now = st.clock.now();
    let schemes = crate::details::Schemes::of(&st.config.card_schemes);
    for n in 0..count {
        let change = store.create(
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
                demo: false,
                details: crate::details::Details {
                    card_schemes: schemes,
                    ..Default::default()
                },
            },
            now,
            st.config.token_ttl_secs,
        )?;
        let i = store.get(&change.id)?;
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
pub async fn reset(
    State(st): State<AppState>,
    _: TestKey,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    no_fields(&body)?;
    {
        let mut store = st.store();
        *store = Store::new(crate::Shared::limits(&st.config));
        st.clock.reset();
    }
    st.faults().set(FaultConfig::default());
    st.webhooks.reset();
    Ok(ok(&json!({"ok": true})))
}

pub async fn health(State(st): State<AppState>) -> Response {
    let store = st.store();
    let (open, finished) = store.counts();
    ok(&json!({
        "ok": true,
        "intents": store.len(),
        "openIntents": open,
        "finishedIntents": finished,
        "idempotencyKeys": store.keys.len(),
    }))
}
