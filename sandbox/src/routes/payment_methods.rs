//! What pays: the card reference the isolated card frame creates, and the pay body's choice between a
//! reference (`{"paymentMethod": {"id": "pm_…"}}`) and, for pages in PCI scope, a card
//! (`{"paymentMethod": {"card": {…}}}`).
//!
//! `POST /payment-intents/public/{id}/payment-methods` is how a card reaches the sandbox from the
//! isolated frame: the frame (served by this origin) sends the card with the intent's secret as
//! `Authorization: Bearer` and gets `{id, brand, last4, expiryMonth, expiryYear}` back. The reference
//! is bound to that intent, pays once and expires in minutes (`store::card_refs`). Browsers may call
//! it only from this origin (the frame): a merchant page has no business sending card data here.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use crate::cards::{self, CardInput, CheckedCard};
use crate::clock::Millis;
use crate::http::auth::{BaseUrl, Customer};
use crate::http::body::{json_object, whole, Fields, JsonBody};
use crate::http::layers::origin_matches;
use crate::http::problem::card_problem;
use crate::http::{json_response, ApiResult, Problem};
use crate::store::{Store, StoreResult};
use crate::AppState;

/// What a pay body names.
pub enum PayWith {
    Card(CheckedCard),
    Reference(String),
    /// One of the intent's customer's saved cards, by id (`paymentMethod.savedCardId`).
    Saved(String),
}

impl PayWith {
    /// The card that pays: the body's own, the one behind a usable reference for the intent `id`, or
    /// a saved card of the intent's customer.
    pub fn card(&self, store: &Store, id: &str, now: Millis) -> StoreResult<CheckedCard> {
        match self {
            PayWith::Card(c) => Ok(c.clone()),
            PayWith::Reference(r) => store.referenced_card(r, id, now),
            PayWith::Saved(pm) => store.saved_card_without_cvc(id, pm, now),
        }
    }

    /// Uses up a reference; call in the operation that committed the payment.
    pub fn spend(&self, store: &mut Store) {
        if let PayWith::Reference(r) = self {
            store.use_card_ref(r);
        }
    }
}

/// A pay body: what pays, and whether the customer agreed to keep the card (`savePaymentMethod`,
/// Dojo's field).
pub struct PayBody {
    pub with: PayWith,
    pub save: bool,
}

/// Parses a pay body: exactly one of `paymentMethod.card` (checked now), `paymentMethod.id` (a card
/// reference) or `paymentMethod.savedCardId` (a saved card of the intent's customer); optional
/// `savePaymentMethod`.
pub fn parse_pay_body(body: &Bytes, now: Millis) -> ApiResult<PayBody> {
    let obj = json_object(body, false)?;
    let f = Fields::new(&obj, "");
    // The customer's details ride along (read by `intent_fields::payer_details`).
    f.only(&[
        "paymentMethod",
        "userEmailAddress",
        "billingAddress",
        "shippingDetails",
        "savePaymentMethod",
    ])?;
    let save = f.bool("savePaymentMethod")?.unwrap_or(false);
    let pm = f.required("paymentMethod", f.object("paymentMethod")?)?;
    pm.only(&["card", "id", "savedCardId"])?;
    let with = match (
        pm.object("card")?,
        pm.str("id", 64)?,
        pm.str("savedCardId", 64)?,
    ) {
        (Some(c), None, None) => PayWith::Card(parse_card(&c, now)?),
        (None, Some(id), None) => PayWith::Reference(id.to_string()),
        (None, None, Some(id)) => PayWith::Saved(id.to_string()),
        (None, None, None) => return Err(Problem::invalid(
            "paymentMethod",
            "`paymentMethod.card`, `paymentMethod.id` or `paymentMethod.savedCardId` is required",
        )),
        _ => return Err(Problem::invalid(
            "paymentMethod",
            "send one of `paymentMethod.card`, `paymentMethod.id` and `paymentMethod.savedCardId`",
        )),
    };
    if save && matches!(with, PayWith::Saved(_)) {
        return Err(Problem::invalid(
            "savePaymentMethod",
            "a saved card is saved already",
        ));
    }
    Ok(PayBody { with, save })
}

/// A card object (`number`, `expiryMonth`, `expiryYear`, `cvc`, `cardholderName`), checked with the
/// core's card rules; problems name the field under the object's own path.
pub(crate) fn parse_card(c: &Fields<'_>, now: Millis) -> ApiResult<CheckedCard> {
    c.only(&[
        "number",
        "expiryMonth",
        "expiryYear",
        "cvc",
        "cardholderName",
    ])?;
    let input = CardInput {
        number: c.required("number", c.str("number", 40)?)?,
        expiry_month: digits_or_int(c, "expiryMonth")?,
        expiry_year: digits_or_int(c, "expiryYear")?,
        cvc: c.required("cvc", c.str("cvc", 8)?)?,
        cardholder_name: c.str("cardholderName", 200)?.unwrap_or(""),
    };
    cards::check(&input, now).map_err(|e| card_problem(e, &c.prefix))
}

/// A number, or a string of at most 4 digits (what a form field holds).
fn digits_or_int(f: &Fields<'_>, key: &str) -> ApiResult<i64> {
    let param = f.path(key);
    match f.obj.get(key) {
        Some(Value::Number(n)) => whole(n)
            .ok_or_else(|| Problem::invalid(&param, format!("`{param}` must be a whole number"))),
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 4 => s
            .parse::<i64>()
            .map_err(|_| Problem::invalid(&param, format!("`{param}` must be a number"))),
        Some(_) => Err(Problem::invalid(
            &param,
            format!("`{param}` must be a number"),
        )),
        None => Err(Problem::invalid(&param, format!("`{param}` is required"))),
    }
}

/// The paying page's origin, if it is one that may frame our pages (the 3-D Secure challenge is bound
/// to it: only it may frame the challenge and hear its result).
pub fn framing_origin(st: &AppState, headers: &HeaderMap) -> Option<String> {
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    st.config
        .frame_ancestor_patterns()
        .iter()
        .any(|p| origin_matches(p, origin))
        .then(|| origin.to_string())
}

/// A browser may send card data only from the card frame, which this origin (`base`) serves.
pub(super) fn from_card_frame(headers: &HeaderMap, base: &str) -> ApiResult<()> {
    match headers.get(header::ORIGIN) {
        Some(origin) if origin.to_str().ok() != Some(base) => Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Forbidden",
            "card details are accepted only from the card frame this API serves",
        )),
        _ => Ok(()),
    }
}

/// `POST /payment-intents/public/{id}/payment-methods {"card": {…}}` → 201 with the reference.
pub async fn create(
    State(st): State<AppState>,
    Customer { id, .. }: Customer,
    BaseUrl(base): BaseUrl,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    from_card_frame(&headers, &base)?;
    let now = st.clock.now();
    let obj = json_object(&body, false)?;
    let f = Fields::new(&obj, "");
    f.only(&["card", "savedCard"])?;
    let card = match (f.object("card")?, f.object("savedCard")?) {
        (Some(c), None) => parse_card(&c, now)?,
        // A saved card with its CVC typed again (the frame's CVC-only mode): the reference pays with
        // the saved card.
        (None, Some(saved)) => {
            saved.only(&["id", "cvc"])?;
            let pm = saved.required("id", saved.str("id", 64)?)?;
            let cvc = saved.required("cvc", saved.str("cvc", 8)?)?;
            let card = st.store().saved_card_for(&id, pm, now)?;
            intent_checkout::core::card::check_cvc(cvc, card.summary.brand).map_err(|e| {
                Problem::invalid(
                    "savedCard.cvc",
                    "the CVC has the wrong length for this card",
                )
                .with("cardError", e.code())
            })?;
            card
        }
        _ => {
            return Err(Problem::invalid(
                "card",
                "send either `card` or `savedCard` (`{id, cvc}`)",
            ))
        }
    };
    let s = card.summary.clone();
    let reference = st.store().create_card_ref(&id, card, now)?;
    let view = json!({
        "id": reference,
        "brand": s.brand.name(),
        "last4": s.last4,
        "expiryMonth": s.exp_month,
        "expiryYear": s.exp_year,
    });
    Ok(json_response(StatusCode::CREATED, view.to_string()))
}
