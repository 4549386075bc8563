//! Dojo's merchant endpoints (`Authorization: Basic <secret key>`, `version` header): create, get,
//! cancel, refresh the secret, capture, reverse, refund and change amounts. Answers in Dojo's shapes.

use std::collections::BTreeMap;
use std::convert::Infallible;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::intent_fields;
use crate::clock::parse_timespan;
use crate::clock::Millis;
use crate::details::Schemes;
use crate::http::auth::Merchant;
use crate::http::body::{json_object, no_fields, Fields, JsonBody};
use crate::http::commit::{self, commit, Caller};
use crate::http::idempotency::{self, Started};
use crate::http::{ok, ApiResult, Problem, Reply};
use crate::lifecycle::{AutoExpireAction, CaptureMode, Dialect, Money, MAX_AMOUNT};
use crate::store::{NewIntent, RefundDetails, Store, StoreResult};
use crate::AppState;

/// `[d.]hh:mm:ss` with one day digit, hours to 23, minutes and seconds to 59, no fraction: the form
/// openapi.yaml's `Timespan` pattern states (the core's parser is more lenient).
fn timespan_shape(s: &str) -> bool {
    let (day, time) = match s.split_once('.') {
        Some((d, t)) => (Some(d), t),
        None => (None, s),
    };
    let b = time.as_bytes();
    let two = |i: usize, max: u8| {
        b[i].is_ascii_digit()
            && b[i + 1].is_ascii_digit()
            && (b[i] - b'0') * 10 + (b[i + 1] - b'0') <= max
    };
    day.map_or(true, |d| d.len() == 1 && d.as_bytes()[0].is_ascii_digit())
        && b.len() == 8
        && b[2] == b':'
        && b[5] == b':'
        && two(0, 23)
        && two(3, 59)
        && two(6, 59)
}

/// Metadata limits (Stripe's): enough for real use, and a bound on what one intent holds.
pub const METADATA_KEYS: usize = 50;
pub const METADATA_KEY_CHARS: usize = 40;
pub const METADATA_VALUE_CHARS: usize = 500;

pub(super) fn parse_metadata(v: Option<&serde_json::Value>) -> ApiResult<BTreeMap<String, String>> {
    let m = match v {
        None | Some(serde_json::Value::Null) => return Ok(BTreeMap::new()),
        Some(serde_json::Value::Object(m)) => m,
        Some(_) => return Err(Problem::invalid("metadata", "`metadata` must be an object")),
    };
    if m.len() > METADATA_KEYS {
        return Err(Problem::invalid(
            "metadata",
            format!("`metadata` has at most {METADATA_KEYS} keys"),
        ));
    }
    let mut out = BTreeMap::new();
    for (k, v) in m {
        let param = format!("metadata.{k}");
        if k.is_empty() || k.chars().count() > METADATA_KEY_CHARS {
            return Err(Problem::invalid(
                &param,
                format!("metadata keys have 1 to {METADATA_KEY_CHARS} characters"),
            ));
        }
        match v {
            serde_json::Value::String(s) if s.chars().count() <= METADATA_VALUE_CHARS => {
                out.insert(k.clone(), s.clone());
            }
            _ => {
                return Err(Problem::invalid(
                    &param,
                    format!(
                        "metadata values are strings of at most {METADATA_VALUE_CHARS} characters"
                    ),
                ))
            }
        }
    }
    Ok(out)
}

/// Dojo's `CreatePaymentIntentRequest`; `now` is the sandbox clock and `card_schemes` the merchant
/// account's accepted schemes (recorded on the intent).
pub fn parse_create(
    body: &Bytes,
    dialect: Dialect,
    now: Millis,
    card_schemes: Schemes,
) -> ApiResult<NewIntent> {
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
    allowed.extend_from_slice(intent_fields::CREATE_FIELDS);
    f.only(&allowed)?;
    let (amount, currency) = f.required("amount", f.money("amount", 1)?)?;
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
    if amount.checked_add(tips).map_or(true, |t| t > MAX_AMOUNT) {
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
    let capture_mode = f.capture_mode("captureMode")?;
    let (mut custom, mut tips_allowed) = (false, false);
    if let Some(config) = f.object("config")? {
        // Its other members (title, URLs, what to collect and show): `intent_fields::parse_config`.
        if let Some(p) = config.object("payment")? {
            p.only(&["customAmountAllowed", "tipsAllowed"])?;
            custom = p.bool("customAmountAllowed")?.unwrap_or(false);
            tips_allowed = p.bool("tipsAllowed")?.unwrap_or(false);
        }
    }
    let auto_expire_in = match f.str("autoExpireIn", 20)? {
        None => None,
        Some(s) => {
            let secs = Some(s)
                .filter(|s| timespan_shape(s))
                .and_then(parse_timespan)
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
    let metadata = parse_metadata(obj.get("metadata"))?;
    let base = Money::from_code(amount, currency)
        .map_err(|_| Problem::invalid("amount.value", "the amount is out of range"))?;
    let (details, expire_at) = intent_fields::parse_details(&f, base, now, card_schemes)?;
    if amount
        .checked_add(tips)
        .and_then(|t| t.checked_add(details.extras()))
        .map_or(true, |t| t > MAX_AMOUNT)
    {
        return Err(Problem::invalid(
            "serviceChargeAmount.value",
            "the total amount is too large",
        ));
    }
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
        expire_at,
        demo: false,
        details,
    })
}

/// `setupIntentId`: the payment intent is the merchant's later charge of that setup intent's saved card
/// (`POST /payment-intents/{id}/charge`).
fn setup_intent_id(body: &Bytes) -> ApiResult<Option<String>> {
    let obj = json_object(body, false)?;
    Ok(Fields::new(&obj, "")
        .str("setupIntentId", 100)?
        .map(str::to_string))
}

/// `customer.id`, if it is a string: a known customer's saved cards may then pay for the intent, and a
/// card paid with `savePaymentMethod` is saved to them.
fn customer_id(body: &Bytes) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("customer")?.get("id")?.as_str().map(str::to_string)
}

/// The intent as Dojo's `PaymentIntent`.
fn intent_view(s: &Store, id: &str) -> StoreResult<Reply> {
    Ok(Reply::json(&s.get(id)?.merchant_json()))
}

/// Dojo's `{message, <kind>Id}` answer (`Capture`, `Reversal`) for what an operation made.
fn made(
    message: &'static str,
    key: &'static str,
) -> impl FnOnce(&Store, String) -> StoreResult<Reply> {
    move |_, id| {
        let mut o = serde_json::Map::new();
        o.insert("message".into(), message.into());
        o.insert(key.into(), id.into());
        Ok(Reply::json(&o.into()))
    }
}

pub async fn create(
    State(st): State<AppState>,
    _: Merchant,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let n = parse_create(
        &body,
        st.config.dialect,
        st.clock.now(),
        Schemes::of(&st.config.card_schemes),
    )?;
    let setup = setup_intent_id(&body)?;
    let customer = customer_id(&body);
    let ttl = st.config.token_ttl_secs;
    commit::create(&st, |s, now| {
        // A setup intent the sandbox knows must have a saved card; an id it does not know is kept as
        // Dojo's field and makes nothing chargeable (its charge is a 409).
        let setup = setup.filter(|si| s.setup(si).is_ok());
        if let Some(si) = &setup {
            s.check_chargeable_setup(si)?;
        }
        let change = s.create(n, now, ttl)?;
        if let Some(si) = &setup {
            s.link_charge(&change.id, si);
        }
        if let Some(c) = &customer {
            s.link_customer(&change.id, c);
        }
        let reply = intent_view(s, &change.id)?;
        Ok((change, reply))
    })
    .await
}

/// Dojo's `returnCanceled` query flag (a voided intent is a 404 without it); the last one counts.
pub(super) fn return_canceled(query: Option<&str>) -> ApiResult<bool> {
    let mut wanted = false;
    for pair in query.unwrap_or("").split('&') {
        if let Some(v) = pair.strip_prefix("returnCanceled=") {
            wanted = match v {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(Problem::invalid(
                        "returnCanceled",
                        "`returnCanceled` must be true or false",
                    ))
                }
            };
        }
    }
    Ok(wanted)
}

pub async fn get_intent(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let return_canceled = return_canceled(q.as_deref())?;
    let store = st.store();
    let i = store.get(&id)?;
    // Dojo answers 404 for a canceled intent unless `returnCanceled=true`.
    if i.wire_status() == "Canceled" && !return_canceled {
        return Err(Problem::not_found("the payment intent").with("reason", "canceled"));
    }
    Ok(ok(&i.merchant_json()))
}

pub async fn cancel(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let op = |s: &mut Store, now| s.cancel(&id, now);
    commit(&st, Caller::Server, None, op, |s, ()| intent_view(s, &id)).await
}

pub async fn refresh(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let ttl = st.config.token_ttl_secs;
    no_fields(&body)?;
    let op = |s: &mut Store, now| s.refresh_secret(&id, now, ttl);
    commit(&st, Caller::Server, None, op, |s, ()| intent_view(s, &id)).await
}

pub async fn capture(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let obj = json_object(&body, false)?;
    let f = Fields::new(&obj, "");
    f.only(&["amount", "tipsAmount"])?;
    let amount = f.required("amount", f.int("amount", 1)?)?;
    f.int("tipsAmount", 0)?;
    let op = |s: &mut Store, now| s.capture(&id, Some(amount), now);
    let made = made("Captured", "captureId");
    commit(&st, Caller::Server, None, op, made).await
}

pub async fn reversal(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    no_fields(&body)?;
    let op = |s: &mut Store, now| s.reverse(&id, now);
    let made = made("Reversed", "reversalId");
    commit(&st, Caller::Server, None, op, made).await
}

/// Dojo's refund: `idempotencyKey` header required; replays answer with `Idempotent-Replayed: true`.
pub async fn refund(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    st.store().get(&id)?;
    let names = ["idempotencyKey", "idempotency-key"];
    let mut guard = match idempotency::begin(&st, "refund", &id, &headers, &names, &body)? {
        Started::Fresh(g) => g,
        Started::Replay(res) => return Ok(res),
    };
    let obj = json_object(&body, false)?;
    let f = Fields::new(&obj, "");
    f.only(&["amount", "previousTransactionId", "refundReason", "notes"])?;
    let amount = f.required("amount", f.int("amount", 1)?)?;
    f.str("previousTransactionId", 100)?;
    let reason = f.str("refundReason", 1024)?;
    let notes = f.str("notes", 4096)?;
    let details = RefundDetails {
        reason: reason.map(str::to_string),
        notes: notes.map(str::to_string),
    };
    let op = |s: &mut Store, now| s.refund(&id, Some(amount), details, now);
    commit(&st, Caller::Server, Some(&mut guard), op, |_, refund_id| {
        Ok(Reply::json(&json!({
            "paymentIntentId": id,
            "refundId": refund_id,
            "refundReason": reason,
            "notes": notes,
        })))
    })
    .await
}

/// Which amount endpoint was called: `…/tips-amount` (true) or `…/amount`.
pub struct Tips(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for Tips {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Tips(parts.uri.path().ends_with("/tips-amount")))
    }
}

/// `POST …/tips-amount` and `POST …/amount`.
pub async fn set_amount(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
    Tips(tips): Tips,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    amounts(&st, &id, tips, &body, None).await
}

/// The tip or the amount, by the merchant (answers Dojo's `PaymentIntent`) or by the page (`browser`
/// is then the base URL; answers the browser view with its ETag).
pub async fn amounts(
    st: &AppState,
    id: &str,
    tips: bool,
    body: &Bytes,
    browser: Option<&str>,
) -> ApiResult<Response> {
    let obj = json_object(body, false)?;
    let f = Fields::new(&obj, "");
    let key = if tips { "tipsAmount" } else { "amount" };
    if tips {
        f.only(&["tipsAmount"])?;
    } else {
        f.only(&["amount", "itemLines", "taxLines"])?;
    }
    let (value, currency) = f.required(key, f.money(key, if tips { 0 } else { 1 })?)?;
    // Lines describe `amount`: a new amount comes with its lines, or leaves none (see sandbox/README.md).
    let lines = if tips {
        None
    } else {
        Some(intent_fields::parse_lines(&obj)?)
    };
    let op = |s: &mut Store, now| s.set_amount(id, tips, value, currency, lines.clone(), now);
    match browser {
        None => commit(st, Caller::Server, None, op, |s, ()| intent_view(s, id)).await,
        Some(base) => {
            let view = |s: &Store, ()| Ok(Reply::browser(s.get(id)?, base));
            commit(st, Caller::Browser, None, op, view).await
        }
    }
}
