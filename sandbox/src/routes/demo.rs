//! Demo-only merchant-backend routes (no auth): they stand in for the merchant's server behind the demo
//! page and browser tests, and run the same store operations as the merchant endpoints.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::merchant::{commit, parse_mode};
use super::{base_url, deliver, json_object, json_value, respond, Fields};
use crate::clock::rfc3339;
use crate::lifecycle::Dialect;
use crate::problem::{ApiResult, Problem};
use crate::store::NewIntent;
use crate::AppState;

pub async fn create(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    respond(
        async {
            let obj = json_object(&body, true)?;
            let f = Fields::new(&obj, "");
            f.only(&[
                "amount",
                "currencyCode",
                "captureMode",
                "dialect",
                "reference",
                "description",
                "tipsAllowed",
                "customAmountAllowed",
                "tipsAmount",
            ])?;
            // Form fields left empty mean "the default".
            let text = |k: &str, max| f.str(k, max).map(|v| v.filter(|s| !s.trim().is_empty()));
            let currency =
                super::currency(text("currencyCode", 10)?.unwrap_or("GBP"), "currencyCode")?;
            let dialect = match text("dialect", 10)? {
                None => st.config.dialect,
                Some(d) => Dialect::from_name(d).ok_or_else(|| {
                    Problem::invalid("dialect", "`dialect` must be dojo, stripe or setel")
                })?,
            };
            let amount = f.int("amount", 1)?.unwrap_or(1000);
            let tips = f.int("tipsAmount", 0)?.unwrap_or(0);
            if amount
                .checked_add(tips)
                .map_or(true, |t| t > super::MAX_AMOUNT)
            {
                return Err(Problem::invalid("amount", "the total amount is too large"));
            }
            let n = NewIntent {
                dialect,
                capture_mode: parse_mode(text("captureMode", 10)?)?,
                amount,
                currency,
                tips,
                reference: text("reference", 60)?.unwrap_or("Demo order").to_string(),
                description: Some(
                    text("description", 4096)?
                        .unwrap_or("intent-checkout demo")
                        .to_string(),
                ),
                metadata: BTreeMap::new(),
                custom_amount_allowed: f.bool("customAmountAllowed")?.unwrap_or(false),
                tips_allowed: f.bool("tipsAllowed")?.unwrap_or(false),
                auto_expire_in: None,
                auto_expire_action: None,
                expire_at: None,
            };
            let base = base_url(&st, &headers);
            super::before_commit(&st, false).await?;
            let v = {
                let mut store = st.store();
                let i = store.create(n, st.clock.now(), st.config.token_ttl_secs);
                json!({
                    "paymentIntentId": i.id,
                    "clientSessionSecret": i.secret,
                    "clientSessionSecretExpirationDate": rfc3339(i.secret_expires),
                    "dialect": i.life.dialect().name(),
                    "intent": i.browser_value(&base),
                })
            };
            Ok(deliver(
                super::after_commit(&st, false),
                json_value(StatusCode::OK, &v),
            ))
        }
        .await,
    )
}

pub async fn refresh(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    respond(
        async {
            let ttl = st.config.token_ttl_secs;
            let ((), v, after) = commit(&st, false, |s, now| {
                Ok((s.refresh_secret(&id, now, ttl)?, ()))
            })
            .await?;
            let out = json!({
                "clientSessionSecret": v["clientSessionSecret"],
                "clientSessionSecretExpirationDate": v["clientSessionSecretExpirationDate"],
            });
            Ok(deliver(after, json_value(StatusCode::OK, &out)))
        }
        .await,
    )
}

/// `{paymentIntentId, intent: <browser view>, …ids}`.
fn answer(st: &AppState, headers: &HeaderMap, id: &str, extra: Value) -> ApiResult<Value> {
    let base = base_url(st, headers);
    let view = st.store().get(id)?.browser_value(&base);
    let mut out = json!({"paymentIntentId": id, "intent": view});
    if let (Value::Object(o), Value::Object(e)) = (&mut out, extra) {
        o.extend(e);
    }
    Ok(out)
}

fn optional_amount(body: &Bytes) -> ApiResult<Option<i64>> {
    let obj = json_object(body, true)?;
    let f = Fields::new(&obj, "");
    f.only(&["amount"])?;
    f.int("amount", 1)
}

pub async fn capture(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        async {
            let amount = optional_amount(&body)?;
            let (cid, _, after) = commit(&st, false, |s, now| s.capture(&id, amount, now)).await?;
            let v = answer(&st, &headers, &id, json!({"captureId": cid}))?;
            Ok(deliver(after, json_value(StatusCode::OK, &v)))
        }
        .await,
    )
}

pub async fn reversal(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    respond(
        async {
            let (rid, _, after) = commit(&st, false, |s, now| s.reverse(&id, now)).await?;
            let v = answer(&st, &headers, &id, json!({"reversalId": rid}))?;
            Ok(deliver(after, json_value(StatusCode::OK, &v)))
        }
        .await,
    )
}

/// Refunds `amount`, or everything still refundable when the body has none.
pub async fn refund(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        async {
            let amount = optional_amount(&body)?;
            let (rid, _, after) = commit(&st, false, |s, now| {
                let i = s.get(&id)?;
                let n = amount.unwrap_or(i.life.captured() - i.life.refunded());
                s.refund(&id, n, now)
            })
            .await?;
            let v = answer(&st, &headers, &id, json!({"refundId": rid}))?;
            Ok(deliver(after, json_value(StatusCode::OK, &v)))
        }
        .await,
    )
}

pub async fn cancel(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    respond(
        async {
            let ((), _, after) = commit(&st, false, |s, now| Ok((s.cancel(&id, now)?, ()))).await?;
            let v = answer(&st, &headers, &id, json!({}))?;
            Ok(deliver(after, json_value(StatusCode::OK, &v)))
        }
        .await,
    )
}
