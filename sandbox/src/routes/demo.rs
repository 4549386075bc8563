//! Demo-only merchant-backend routes (no auth): they stand in for the merchant's server behind the demo
//! page and browser tests, and run the same store operations as the merchant endpoints. Answers carry
//! the browser view, which is what the demo page shows.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Value};

use crate::clock::rfc3339;
use crate::http::auth::{BaseUrl, DemoEnabled};
use crate::http::body::{json_object, no_fields, Fields, JsonBody};
use crate::http::commit::{self, commit, Caller};
use crate::http::{ApiResult, Problem, Reply};
use crate::lifecycle::{CaptureMode, MAX_AMOUNT};
use crate::store::{NewIntent, RefundDetails, Store, StoreError, StoreResult};
use crate::AppState;

pub async fn create(
    State(st): State<AppState>,
    _: DemoEnabled,
    BaseUrl(base): BaseUrl,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
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
    // Form fields left empty mean "the default" (blank, for the free-text ones).
    let text = |k: &str, max| f.str(k, max).map(|v| v.filter(|s| !s.trim().is_empty()));
    let choice = |k: &str| f.str(k, 10).map(|v| v.filter(|s| !s.is_empty()));
    let currency =
        crate::http::body::currency(choice("currencyCode")?.unwrap_or("GBP"), "currencyCode")?;
    let amount = f.part("amount", 1)?.unwrap_or(1000);
    let tips = f.part("tipsAmount", 0)?.unwrap_or(0);
    if amount.checked_add(tips).map_or(true, |t| t > MAX_AMOUNT) {
        return Err(Problem::invalid("amount", "the total amount is too large"));
    }
    let n = NewIntent {
        dialect: f.dialect("dialect", st.config.dialect)?,
        capture_mode: match choice("captureMode")? {
            None => CaptureMode::Auto,
            Some(_) => f.capture_mode("captureMode")?,
        },
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
        demo: true,
    };
    let ttl = st.config.token_ttl_secs;
    commit::create(&st, |s, now| {
        let change = s.create(n, now, ttl)?;
        let i = s.get(&change.id)?;
        let reply = Reply::json(&json!({
            "paymentIntentId": i.id,
            "clientSessionSecret": i.secret,
            "clientSessionSecretExpirationDate": rfc3339(i.secret_expires),
            "dialect": i.life.dialect().name(),
            "intent": i.browser_value(&base),
        }));
        Ok((change, reply))
    })
    .await
}

/// `{paymentIntentId, intent: <browser view>}` plus the id of what was made, under `made_key`.
fn view(s: &Store, id: &str, base: &str, made: Option<(&str, String)>) -> StoreResult<Reply> {
    let mut out = json!({"paymentIntentId": id, "intent": s.get(id)?.browser_value(base)});
    if let (Value::Object(o), Some((k, v))) = (&mut out, made) {
        o.insert(k.to_string(), Value::String(v));
    }
    Ok(Reply::json(&out))
}

/// `POST /demo/payment-intents/{id}/{action}`: the demo page's merchant buttons and its token refresh.
/// `captures` and `refunds` take an optional `{"amount"}` (default: all of it).
pub async fn act(
    State(st): State<AppState>,
    _: DemoEnabled,
    Path((id, action)): Path<(String, String)>,
    BaseUrl(base): BaseUrl,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    // Only intents the demo made: a merchant's intents are not the demo page's to change.
    if !st.store().get(&id).is_ok_and(|i| i.demo) {
        return Err(StoreError::NotFound("the payment intent").into());
    }
    let amount = || -> ApiResult<Option<i64>> {
        let obj = json_object(&body, true)?;
        let f = Fields::new(&obj, "");
        f.only(&["amount"])?;
        f.int("amount", 1)
    };
    let server = Caller::Server;
    let (id, base) = (id.as_str(), base.as_str());
    match action.as_str() {
        "refresh-client-session-secret" => {
            no_fields(&body)?;
            let ttl = st.config.token_ttl_secs;
            let op = |s: &mut Store, now| s.refresh_secret(id, now, ttl);
            commit(&st, server, None, op, |s, ()| {
                let i = s.get(id)?;
                Ok(Reply::json(&json!({
                    "clientSessionSecret": i.secret,
                    "clientSessionSecretExpirationDate": rfc3339(i.secret_expires),
                })))
            })
            .await
        }
        "captures" => {
            let amount = amount()?;
            let op = |s: &mut Store, now| s.capture(id, amount, now);
            let made = |s: &Store, made| view(s, id, base, Some(("captureId", made)));
            commit(&st, server, None, op, made).await
        }
        "refunds" => {
            let amount = amount()?;
            let op = |s: &mut Store, now| s.refund(id, amount, RefundDetails::default(), now);
            let made = |s: &Store, made| view(s, id, base, Some(("refundId", made)));
            commit(&st, server, None, op, made).await
        }
        "reversal" => {
            no_fields(&body)?;
            let op = |s: &mut Store, now| s.reverse(id, now);
            let made = |s: &Store, made| view(s, id, base, Some(("reversalId", made)));
            commit(&st, server, None, op, made).await
        }
        "cancel" => {
            no_fields(&body)?;
            let op = |s: &mut Store, now| s.cancel(id, now);
            commit(&st, server, None, op, |s, ()| view(s, id, base, None)).await
        }
        _ => Err(Problem::not_found("this demo action")),
    }
}
