//! Setup intents (Dojo's `/setup-intents`): the merchant creates one with the terms and the amount it
//! means to charge later; the page confirms it with a card and the customer's consent
//! (`mitConsentGiven`); the merchant later makes a payment intent from it (`setupIntentId`) and charges
//! it (`POST /payment-intents/{id}/charge`, merchant-initiated).
//!
//! Where ours differs from Dojo's browser side: Dojo confirms a setup intent by paying with its secret
//! in the URL (`/api/payments/{token}`); here the secret is the `Authorization` header and the page
//! confirms at `POST /setup-intents/public/{id}/confirm`. Dojo's unauthenticated
//! `POST /setup-intents/public/{id}/refresh-client-session-secret` would hand a new secret to anyone
//! who knows the id: the sandbox has only the merchant's refresh.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::payment_methods::{framing_origin, from_card_frame, parse_card, parse_pay_body};
use crate::http::auth::{client_secret, path_id, BaseUrl, Merchant};
use crate::http::body::{json_object, no_fields, Fields, JsonBody};
use crate::http::commit::{commit, commit_unpublished, read_latency, Caller};
use crate::http::idempotency::{self, Started};
use crate::http::{json_response, ApiResult, Problem, Reply};
use crate::lifecycle::setup::SetupStatus;
use crate::setup_intent::SetupRecord;
use crate::store::{NewSetup, Store, StoreResult};
use crate::AppState;

/// Dojo's `merchantInitiatedTransactionType` values (the guide's; the schema says only "string").
const MIT_TYPES: &[&str] = &["NoShow", "Unscheduled"];

fn merchant_view(s: &Store, id: &str) -> StoreResult<Reply> {
    Ok(Reply::json(&s.setup(id)?.merchant_json()))
}

fn browser_reply(s: &SetupRecord, base: &str) -> Reply {
    Reply {
        body: s.browser_json(base),
        etag: Some(s.etag()),
    }
}

/// The page: `Authorization: Bearer <client session secret>` of the setup intent in the path.
pub struct SetupPage {
    pub id: String,
    /// The secret it was authorised with (a stream ends when it does).
    pub secret: String,
}

impl FromRequestParts<AppState> for SetupPage {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> ApiResult<Self> {
        let id = path_id(parts, st).await?;
        let secret = client_secret(parts)?;
        st.store().check_setup_secret(secret, &id, st.clock.now())?;
        Ok(SetupPage {
            id,
            secret: secret.to_string(),
        })
    }
}

/// `POST /setup-intents` (Dojo's `CreateSetupIntentRequest`).
pub async fn create(
    State(st): State<AppState>,
    _: Merchant,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let obj = json_object(&body, false)?;
    let f = Fields::new(&obj, "");
    f.only(&[
        "reference",
        "merchantInitiatedTransactionType",
        "terms",
        "intendedAmount",
        "customer",
        "metadata",
        "expireAt",
        // Accepted and not acted on, as for payment intents.
        "captureMode",
        "paymentMethods",
        "billingAddress",
        "shippingDetails",
        "config",
        "orderDetails",
    ])?;
    let reference = f
        .str("reference", 60)?
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            Problem::invalid("reference", "`reference` is required (1 to 60 characters)")
        })?;
    let terms = f
        .str("terms", 10_240)?
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Problem::invalid("terms", "`terms` is required (1 to 10,240 characters)"))?;
    let mit_type = f
        .str("merchantInitiatedTransactionType", 20)?
        .filter(|t| MIT_TYPES.contains(t))
        .ok_or_else(|| {
            Problem::invalid(
                "merchantInitiatedTransactionType",
                "`merchantInitiatedTransactionType` must be NoShow or Unscheduled",
            )
        })?;
    let intended = f.money("intendedAmount", 1)?;
    let customer = match f.object("customer")? {
        None => None,
        Some(c) => {
            c.only(&["id", "emailAddress", "phoneNumber"])?;
            c.str("emailAddress", 254)?;
            c.str("phoneNumber", 50)?;
            c.str("id", 100)?.map(str::to_string)
        }
    };
    let expire_at = match f.str("expireAt", 40)? {
        None => None,
        Some(s) => Some(
            crate::lifecycle::Timestamp::parse_rfc3339(s)
                .map_err(|_| Problem::invalid("expireAt", "`expireAt` must be an RFC 3339 time"))?
                .as_unix_millis(),
        ),
    };
    let n = NewSetup {
        dialect: st.config.dialect,
        reference: reference.to_string(),
        terms: terms.to_string(),
        mit_type: mit_type.to_string(),
        intended,
        customer,
        metadata: super::merchant::parse_metadata(obj.get("metadata"))?,
        expire_at,
    };
    let ttl = st.config.token_ttl_secs;
    let op = |s: &mut Store, now| s.create_setup(n, now, ttl);
    commit_unpublished(&st, Caller::Server, None, op, |s, id| merchant_view(s, &id)).await
}

/// As for payment intents, a voided setup intent (`Canceled`, `Closed`) is a 404 unless
/// `returnCanceled=true`.
pub async fn get(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let return_canceled = super::merchant::return_canceled(q.as_deref())?;
    let store = st.store();
    let voided = matches!(
        store.setup(&id)?.life.status(),
        SetupStatus::Canceled | SetupStatus::Closed
    );
    if voided && !return_canceled {
        return Err(Problem::not_found("the setup intent").with("reason", "canceled"));
    }
    Ok(merchant_view(&store, &id)?.into_response())
}

/// `DELETE /setup-intents/{id}`: `Canceled` before a card is saved, `Closed` after.
pub async fn cancel(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let op = |s: &mut Store, now| s.cancel_setup(&id, now);
    commit_unpublished(&st, Caller::Server, None, op, |s, ()| merchant_view(s, &id)).await
}

pub async fn refresh(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    no_fields(&body)?;
    let ttl = st.config.token_ttl_secs;
    let op = |s: &mut Store, now| s.refresh_setup_secret(&id, now, ttl);
    commit_unpublished(&st, Caller::Server, None, op, |s, ()| merchant_view(s, &id)).await
}

/// `GET /setup-intents/public/{id}` with ETag, like the payment intent's.
pub async fn get_public(
    State(st): State<AppState>,
    SetupPage { id, .. }: SetupPage,
    BaseUrl(base): BaseUrl,
    headers: HeaderMap,
) -> ApiResult<Response> {
    read_latency(&st, Caller::Browser).await?;
    Ok(browser_reply(st.store().setup(&id)?, &base).conditional(&headers))
}

/// The confirm body: Dojo's consent (`mitConsentGiven: true`, required) and the pay body's
/// `paymentMethod` (a card reference from the isolated fields, or a card from a page in PCI scope).
fn parse_confirm(body: &Bytes, now: i64) -> ApiResult<super::payment_methods::PayWith> {
    let obj = json_object(body, false)?;
    let f = Fields::new(&obj, "");
    f.only(&["paymentMethod", "mitConsentGiven", "savePaymentMethod"])?;
    if f.bool("mitConsentGiven")? != Some(true) {
        return Err(Problem::invalid(
            "mitConsentGiven",
            "the customer's consent to the merchant's later charges is required (`mitConsentGiven: true`)",
        ));
    }
    // Saving is what a setup intent does: `savePaymentMethod` may say so, never the opposite.
    if f.bool("savePaymentMethod")? == Some(false) {
        return Err(Problem::invalid(
            "savePaymentMethod",
            "a setup intent always saves the card",
        ));
    }
    let rest = json!({ "paymentMethod": obj.get("paymentMethod") });
    let pay = parse_pay_body(&Bytes::from(rest.to_string()), now)?;
    if matches!(pay.with, super::payment_methods::PayWith::Saved(_)) {
        return Err(Problem::invalid(
            "paymentMethod.savedCardId",
            "a setup intent saves a new card",
        ));
    }
    Ok(pay.with)
}

/// `POST /setup-intents/public/{id}/confirm`: Idempotency-Key required, as for payments; a 3-D Secure
/// challenge is bound to the confirming page's origin.
pub async fn confirm(
    State(st): State<AppState>,
    SetupPage { id, .. }: SetupPage,
    BaseUrl(base): BaseUrl,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let names = ["idempotency-key"];
    let mut guard = match idempotency::begin(&st, "confirm", &id, &headers, &names, &body)? {
        Started::Fresh(g) => g,
        Started::Replay(res) => return Ok(res),
    };
    let with = parse_confirm(&body, st.clock.now())?;
    {
        let store = st.store();
        with.card(&store, &id, st.clock.now())?;
        store.check_confirmable(&id, st.clock.now())?;
    }
    let settle_ms = (st.config.async_settle_secs * 1000.0) as i64;
    let parent = framing_origin(&st, &headers);
    let op = |s: &mut Store, now| {
        let card = with.card(s, &id, now)?;
        s.confirm_setup(&id, &card, now, settle_ms)?;
        with.spend(s);
        if let Some(challenge) = s.setup(&id)?.challenge.clone() {
            s.challenge_guards.open(&challenge, parent);
        }
        Ok(())
    };
    let view = |s: &Store, ()| Ok(browser_reply(s.setup(&id)?, &base));
    commit_unpublished(&st, Caller::Browser, Some(&mut guard), op, view).await
}

/// `GET /setup-intents/public/{id}/events`: the setup intent's Server-Sent Events, as a payment
/// intent's (the sandbox's addition; Dojo's page polls). It ends once the setup intent is final.
pub async fn events(
    State(st): State<AppState>,
    SetupPage { id, secret }: SetupPage,
    BaseUrl(base): BaseUrl,
    headers: HeaderMap,
) -> Response {
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    crate::stream::events(st, id, true, secret, last, base)
}

/// `POST /setup-intents/public/{id}/payment-methods {"card": {…}}` → 201 with a single-use reference
/// bound to the setup intent: the isolated card frame's way in, as for payment intents (only from this
/// origin, which serves the frame).
pub async fn create_reference(
    State(st): State<AppState>,
    SetupPage { id, .. }: SetupPage,
    BaseUrl(base): BaseUrl,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    from_card_frame(&headers, &base)?;
    let now = st.clock.now();
    let obj = json_object(&body, false)?;
    let f = Fields::new(&obj, "");
    f.only(&["card"])?;
    let card = parse_card(&f.required("card", f.object("card")?)?, now)?;
    let s = card.summary.clone();
    let reference = st.store().create_setup_card_ref(&id, card, now)?;
    let view = json!({
        "id": reference,
        "brand": s.brand.name(),
        "last4": s.last4,
        "expiryMonth": s.exp_month,
        "expiryYear": s.exp_year,
    });
    Ok(json_response(StatusCode::CREATED, view.to_string()))
}

/// `POST /payment-intents/{id}/charge` → Dojo's `ChargeResponse`. A declined charge answers 200 with
/// `status: Declined` (the payment intent keeps its `lastPaymentError`); an `idempotencyKey` header, if
/// sent, makes a retry replay the first answer.
pub async fn charge(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    if !body.is_empty() {
        no_fields(&body)?;
    }
    let names = ["idempotencyKey", "idempotency-key"];
    let mut guard = if names.iter().any(|n| headers.contains_key(*n)) {
        match idempotency::begin(&st, "charge", &id, &headers, &names, &body)? {
            Started::Fresh(g) => Some(g),
            Started::Replay(res) => return Ok(res),
        }
    } else {
        None
    };
    let settle_ms = (st.config.async_settle_secs * 1000.0) as i64;
    let op = |s: &mut Store, now| {
        let c = s.charge(&id, now, settle_ms)?;
        let made = json!({"paymentIntentId": id, "status": c.status, "message": c.message});
        Ok((c.change, made.to_string()))
    };
    commit(&st, Caller::Server, guard.as_mut(), op, |_, made| {
        Ok(Reply {
            body: made,
            etag: None,
        })
    })
    .await
}
