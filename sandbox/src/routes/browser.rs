//! The page's endpoints, authorised by the intent's client session secret as a bearer token (never in
//! a URL): read with ETag, pay with a required Idempotency-Key, tip or set the amount, and stream.

use crate::http::body::JsonBody;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::intent_fields::payer_details;
use super::merchant::{amounts, Tips};
use super::payment_methods::{framing_origin, parse_pay_body, PayBody};
use crate::http::auth::{BaseUrl, Customer};
use crate::http::commit::{commit, read_latency, Caller};
use crate::http::idempotency::{self, Started};
use crate::http::{ApiResult, Reply};
use crate::store::Store;
use crate::AppState;

pub async fn get_intent(
    State(st): State<AppState>,
    Customer { id, .. }: Customer,
    BaseUrl(base): BaseUrl,
    headers: HeaderMap,
) -> ApiResult<Response> {
    read_latency(&st, Caller::Browser).await?;
    Ok(Reply::browser(st.store().get(&id)?, &base).conditional(&headers))
}

/// Pays with a card reference (isolated card fields) or a card (pages in PCI scope). The key is claimed
/// first so a concurrent duplicate gets 409, and the answer is stored in the same lock that commits the
/// change and uses up the reference, so a retry after any later failure replays it. A 3-D Secure
/// challenge is bound to the paying page's origin.
pub async fn pay(
    State(st): State<AppState>,
    Customer { id, .. }: Customer,
    BaseUrl(base): BaseUrl,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let names = ["idempotency-key"];
    let mut guard = match idempotency::begin(&st, "pay", &id, &headers, &names, &body)? {
        Started::Fresh(g) => g,
        Started::Replay(res) => return Ok(res),
    };
    let PayBody { with, save } = parse_pay_body(&body, st.clock.now())?;
    let payer = {
        let store = st.store();
        with.card(&store, &id, st.clock.now())?;
        store.check_payable(&id, st.clock.now())?;
        if save {
            store.check_can_save(&id)?;
        }
        payer_details(&body, store.get(&id)?.details.collect())?
    };
    let settle_ms = (st.config.async_settle_secs * 1000.0) as i64;
    let parent = framing_origin(&st, &headers);
    let op = |s: &mut Store, now| {
        let card = with.card(s, &id, now)?;
        let change = s.pay(&id, &card, payer.clone(), now, settle_ms)?;
        with.spend(s);
        if save {
            s.save_if_paid(&id, &card, now);
        }
        if let Some(challenge) = s.get(&id)?.challenge.clone() {
            s.challenge_guards.open(&challenge, parent);
        }
        Ok(change)
    };
    let view = |s: &Store, ()| Ok(Reply::browser(s.get(&id)?, &base));
    commit(&st, Caller::Browser, Some(&mut guard), op, view).await
}

/// `POST …/tips-amount` and `POST …/amount`, by the customer.
pub async fn set_amount(
    State(st): State<AppState>,
    Customer { id, .. }: Customer,
    BaseUrl(base): BaseUrl,
    Tips(tips): Tips,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    amounts(&st, &id, tips, &body, Some(&base)).await
}

pub async fn events(
    State(st): State<AppState>,
    Customer { id, secret }: Customer,
    BaseUrl(base): BaseUrl,
    headers: HeaderMap,
) -> Response {
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    crate::stream::events(st, id, false, secret, last, base)
}
