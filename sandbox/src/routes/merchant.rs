//! Dojo's merchant endpoints (`Authorization: Basic <secret key>`, `version` header): create, get,
//! cancel, refresh the secret, capture, reverse, refund and change amounts. Answers in Dojo's shapes.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::{
    after_commit, before_commit, begin_key, deliver, json_object, json_value, require_key,
    require_version, respond, Fields,
};
use crate::clock::parse_timespan;
use crate::lifecycle::AutoExpireAction;
use crate::lifecycle::{CaptureMode, Dialect};
use crate::problem::{ApiResult, Problem};
use crate::store::{Change, NewIntent};
use crate::AppState;

fn merchant_auth(st: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    require_key(st, headers)?;
    require_version(headers)
}

/// Fields of `CreatePaymentIntentRequest` that the sandbox accepts without acting on them.
const IGNORED_CREATE_FIELDS: &[&str] = &[
    "customer",
    "billingAddress",
    "shippingDetails",
    "cardHolderNotPresent",
    "requestSecurity",
    "itemLines",
    "taxLines",
    "paymentMethods",
    "actionLink",
    "expireAt",
    "setupIntentId",
    "orderDetails",
    "cashbackAmount",
    "serviceChargeAmount",
    "generateRemoteToken",
];

pub fn parse_create(body: &Bytes, dialect: Dialect) -> ApiResult<NewIntent> {
    let obj = json_object(body, false)?;
    let f = Fields::new(&obj, "");
    let mut allowed = vec![
        "captureMode",
        "amount",
        "tipsAmount",
        "reference",
        "description",
        "config",
        "autoExpireIn",
        "autoExpireAction",
        "metadata",
    ];
    allowed.extend_from_slice(IGNORED_CREATE_FIELDS);
    f.only(&allowed)?;
    let (amount, currency) = f
        .money("amount", 1)?
        .ok_or_else(|| Problem::invalid("amount", "`amount` is required"))?;
    let tips = match f.money("tipsAmount", 0)? {
        Some((v, c)) if c == currency => v,
        Some(_) => {
            return Err(Problem::invalid(
                "tipsAmount.currencyCode",
                "the tip must be in the intent's currency",
            ))
        }
        None => 0,
    };
    if amount
        .checked_add(tips)
        .map_or(true, |t| t > super::MAX_AMOUNT)
    {
        return Err(Problem::invalid(
            "amount.value",
            "the total amount is too large",
        ));
    }
    let reference = f
        .str("reference", 60)?
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            Problem::invalid("reference", "`reference` is required (1 to 60 characters)")
        })?;
    let capture_mode = parse_mode(f.str("captureMode", 10)?)?;
    let (mut custom, mut tips_allowed) = (false, false);
    if let Some(config) = f.object("config")? {
        if let Some(p) = config.object("payment")? {
            p.only(&["customAmountAllowed", "tipsAllowed"])?;
            custom = p.bool("customAmountAllowed")?.unwrap_or(false);
            tips_allowed = p.bool("tipsAllowed")?.unwrap_or(false);
        }
    }
    let auto_expire_in = match f.str("autoExpireIn", 20)? {
        None => None,
        Some(s) => {
            let secs = parse_timespan(s)
                .filter(|s| *s > 30 && *s < 7 * 86_400)
                .ok_or_else(|| {
                    Problem::invalid(
                        "autoExpireIn",
                        "`autoExpireIn` must be a dd.hh:MM:ss timespan over 30 seconds and under 7 days",
                    )
                })?;
            Some(secs)
        }
    };
    let auto_expire_action = match f.str("autoExpireAction", 10)? {
        None => None,
        Some("Release") => Some(AutoExpireAction::Release),
        Some("Capture") => Some(AutoExpireAction::Capture),
        Some(_) => {
            return Err(Problem::invalid(
                "autoExpireAction",
                "`autoExpireAction` must be Release or Capture",
            ))
        }
    };
    if capture_mode == CaptureMode::Auto
        && (auto_expire_in.is_some() || auto_expire_action.is_some())
    {
        return Err(Problem::invalid(
            if auto_expire_in.is_some() {
                "autoExpireIn"
            } else {
                "autoExpireAction"
            },
            "auto-expiry applies to Manual capture only",
        ));
    }
    let metadata = match obj.get("metadata") {
        None | Some(serde_json::Value::Null) => BTreeMap::new(),
        Some(serde_json::Value::Object(m)) => {
            let mut out = BTreeMap::new();
            for (k, v) in m {
                match v {
                    serde_json::Value::String(s) => {
                        out.insert(k.clone(), s.clone());
                    }
                    _ => {
                        return Err(Problem::invalid(
                            &format!("metadata.{k}"),
                            "metadata values must be strings",
                        ))
                    }
                }
            }
            out
        }
        Some(_) => return Err(Problem::invalid("metadata", "`metadata` must be an object")),
    };
    Ok(NewIntent {
        dialect,
        capture_mode,
        amount,
        currency,
        tips,
        reference: reference.to_string(),
        description: f.str("description", 4096)?.map(str::to_string),
        metadata,
        custom_amount_allowed: custom,
        tips_allowed,
        auto_expire_in,
        auto_expire_action,
        expire_at: None,
    })
}

pub fn parse_mode(s: Option<&str>) -> ApiResult<CaptureMode> {
    match s {
        None | Some("Auto") => Ok(CaptureMode::Auto),
        Some("Manual") => Ok(CaptureMode::Manual),
        Some(_) => Err(Problem::invalid(
            "captureMode",
            "`captureMode` must be Auto or Manual",
        )),
    }
}

pub async fn create(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    respond(
        async {
            merchant_auth(&st, &headers)?;
            let n = parse_create(&body, st.config.dialect)?;
            before_commit(&st, false).await?;
            let v = {
                let mut store = st.store();
                store
                    .create(n, st.clock.now(), st.config.token_ttl_secs)
                    .merchant_json()
            };
            Ok(deliver(
                after_commit(&st, false),
                json_value(StatusCode::OK, &v),
            ))
        }
        .await,
    )
}

pub async fn get_intent(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    respond((|| {
        merchant_auth(&st, &headers)?;
        let return_canceled = q
            .as_deref()
            .unwrap_or("")
            .split('&')
            .any(|p| p.eq_ignore_ascii_case("returnCanceled=true"));
        let store = st.store();
        let i = store.get(&id)?;
        // Dojo answers 404 for a canceled intent unless `returnCanceled=true`.
        if i.wire_status() == "Canceled" && !return_canceled {
            return Err(Problem::not_found("the payment intent").with("reason", "canceled"));
        }
        Ok(json_value(StatusCode::OK, &i.merchant_json()))
    })())
}

/// Runs one committed change with faults around it and publishes it; returns the intent's
/// merchant JSON and the change.
pub async fn commit<T>(
    st: &AppState,
    browser: bool,
    op: impl FnOnce(&mut crate::store::Store, i64) -> ApiResult<(Change, T)>,
) -> ApiResult<(T, serde_json::Value, super::AfterCommit)> {
    before_commit(st, browser).await?;
    let (change, extra, v) = {
        let mut store = st.store();
        let (change, extra) = op(&mut store, st.clock.now())?;
        let v = store.get(&change.id).map(|i| i.merchant_json())?;
        (change, extra, v)
    };
    st.publish(std::slice::from_ref(&change));
    Ok((extra, v, after_commit(st, browser)))
}

pub async fn cancel(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    respond(
        async {
            merchant_auth(&st, &headers)?;
            let ((), v, after) = commit(&st, false, |s, now| Ok((s.cancel(&id, now)?, ()))).await?;
            Ok(deliver(after, json_value(StatusCode::OK, &v)))
        }
        .await,
    )
}

pub async fn refresh(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    respond(
        async {
            merchant_auth(&st, &headers)?;
            let ttl = st.config.token_ttl_secs;
            let ((), v, after) = commit(&st, false, |s, now| {
                Ok((s.refresh_secret(&id, now, ttl)?, ()))
            })
            .await?;
            Ok(deliver(after, json_value(StatusCode::OK, &v)))
        }
        .await,
    )
}

pub async fn capture(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        async {
            merchant_auth(&st, &headers)?;
            let obj = json_object(&body, false)?;
            let f = Fields::new(&obj, "");
            f.only(&["amount", "tipsAmount"])?;
            let amount = f
                .int("amount", 1)?
                .ok_or_else(|| Problem::invalid("amount", "`amount` is required"))?;
            f.int("tipsAmount", 0)?;
            let (capture_id, _, after) =
                commit(&st, false, |s, now| s.capture(&id, Some(amount), now)).await?;
            let v = json!({"message": "Captured", "captureId": capture_id});
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
            merchant_auth(&st, &headers)?;
            let (reversal_id, _, after) = commit(&st, false, |s, now| s.reverse(&id, now)).await?;
            let v = json!({"message": "Reversed", "reversalId": reversal_id});
            Ok(deliver(after, json_value(StatusCode::OK, &v)))
        }
        .await,
    )
}

/// Dojo's refund: `idempotencyKey` header required; replays answer with `Idempotent-Replayed: true`.
pub async fn refund(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        async {
            merchant_auth(&st, &headers)?;
            st.store().get(&id)?;
            let mut guard = match begin_key(
                &st,
                "refund",
                &id,
                &headers,
                &["idempotencyKey", "idempotency-key"],
                &body,
            )? {
                Ok(g) => g,
                Err(replay) => return Ok(replay),
            };
            let obj = json_object(&body, false)?;
            let f = Fields::new(&obj, "");
            f.only(&["amount", "previousTransactionId", "refundReason", "notes"])?;
            let amount = f
                .int("amount", 1)?
                .ok_or_else(|| Problem::invalid("amount", "`amount` is required"))?;
            f.str("previousTransactionId", 100)?;
            let reason = f.str("refundReason", 1024)?.map(str::to_string);
            let notes = f.str("notes", 4096)?.map(str::to_string);
            before_commit(&st, false).await?;
            let body = {
                let mut store = st.store();
                let (change, refund_id) = store.refund(&id, amount, st.clock.now())?;
                let body = json!({
                    "paymentIntentId": id,
                    "refundId": refund_id,
                    "refundReason": reason,
                    "notes": notes,
                })
                .to_string();
                guard.finish(&mut store, StatusCode::OK, &body, None);
                drop(store);
                st.publish(&[change]);
                body
            };
            Ok(deliver(
                after_commit(&st, false),
                super::json_response(StatusCode::OK, body),
            ))
        }
        .await,
    )
}

pub async fn tips(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        async {
            merchant_auth(&st, &headers)?;
            set_amount(&st, &id, true, &body, None).await
        }
        .await,
    )
}

pub async fn amount(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        async {
            merchant_auth(&st, &headers)?;
            set_amount(&st, &id, false, &body, None).await
        }
        .await,
    )
}

/// Shared by the merchant and browser amount endpoints; answers with the merchant or browser view.
pub async fn set_amount(
    st: &AppState,
    id: &str,
    tips: bool,
    body: &Bytes,
    browser_base: Option<&str>,
) -> ApiResult<Response> {
    let browser = browser_base.is_some();
    let obj = json_object(body, false)?;
    let f = Fields::new(&obj, "");
    let key = if tips { "tipsAmount" } else { "amount" };
    if tips {
        f.only(&["tipsAmount"])?;
    } else {
        f.only(&["amount", "itemLines", "taxLines"])?;
    }
    let (value, currency) = f
        .money(key, if tips { 0 } else { 1 })?
        .ok_or_else(|| Problem::invalid(key, format!("`{key}` is required")))?;
    let ((), v, after) = commit(st, browser, |s, now| {
        Ok((s.set_amount(id, tips, value, currency, now)?, ()))
    })
    .await?;
    if let Some(base) = browser_base {
        let (body, etag) = {
            let store = st.store();
            let i = store.get(id)?;
            (i.browser_json(base), i.etag())
        };
        return Ok(deliver(
            after,
            super::browser::with_etag(super::json_response(StatusCode::OK, body), &etag),
        ));
    }
    Ok(deliver(after, json_value(StatusCode::OK, &v)))
}
