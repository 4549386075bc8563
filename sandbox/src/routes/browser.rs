//! The page's endpoints, authorised by the intent's client session secret as a bearer token (never in
//! a URL): read with ETag, pay with a required Idempotency-Key, tip or set the amount, and stream.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::merchant::{amounts, Tips};
use crate::cards::{self, CardInput, CheckedCard};
use crate::http::auth::{BaseUrl, Customer};
use crate::http::body::{json_object, Fields};
use crate::http::commit::{commit, read_latency, Caller};
use crate::http::idempotency::{self, Started};
use crate::http::{with_etag, ApiResult, Problem, Reply};
use crate::store::Store;
use crate::AppState;

pub async fn get_intent(
    State(st): State<AppState>,
    Customer { id }: Customer,
    BaseUrl(base): BaseUrl,
    headers: HeaderMap,
) -> ApiResult<Response> {
    read_latency(&st, Caller::Browser).await;
    let reply = Reply::browser(st.store().get(&id)?, &base);
    let etag = reply.etag.clone().unwrap_or_default();
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if matches {
        with_etag(StatusCode::NOT_MODIFIED.into_response(), &etag)
    } else {
        reply.into_response()
    };
    // Revalidate every time: the intent changes under the page.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(res)
}

/// A number, or a string of at most 4 digits (what a form field holds).
fn digits_or_int(f: &Fields<'_>, key: &str) -> ApiResult<i64> {
    let param = f.path(key);
    match f.obj.get(key) {
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| Problem::invalid(&param, format!("`{param}` must be a whole number"))),
        Some(serde_json::Value::String(s)) if !s.is_empty() && s.len() <= 4 => s
            .parse::<i64>()
            .map_err(|_| Problem::invalid(&param, format!("`{param}` must be a number"))),
        Some(_) => Err(Problem::invalid(
            &param,
            format!("`{param}` must be a number"),
        )),
        None => Err(Problem::invalid(&param, format!("`{param}` is required"))),
    }
}

fn parse_card(body: &Bytes, now: i64) -> ApiResult<CheckedCard> {
    let obj = json_object(body, false)?;
    let f = Fields::new(&obj, "");
    f.only(&["paymentMethod"])?;
    let pm = f.required("paymentMethod", f.object("paymentMethod")?)?;
    pm.only(&["card"])?;
    let c = pm.required("card", pm.object("card")?)?;
    c.only(&[
        "number",
        "expiryMonth",
        "expiryYear",
        "cvc",
        "cardholderName",
    ])?;
    let input = CardInput {
        number: c.required("number", c.str("number", 40)?)?,
        expiry_month: digits_or_int(&c, "expiryMonth")?,
        expiry_year: digits_or_int(&c, "expiryYear")?,
        cvc: c.required("cvc", c.str("cvc", 8)?)?,
        cardholder_name: c.str("cardholderName", 200)?.unwrap_or(""),
    };
    Ok(cards::check(&input, now)?)
}

/// Pays with a card. The key is claimed first so a concurrent duplicate gets 409, and the answer is
/// stored in the same lock that commits the change, so a retry after any later failure replays it.
pub async fn pay(
    State(st): State<AppState>,
    Customer { id }: Customer,
    BaseUrl(base): BaseUrl,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let names = ["idempotency-key"];
    let mut guard = match idempotency::begin(&st, "pay", &id, &headers, &names, &body)? {
        Started::Fresh(g) => g,
        Started::Replay(res) => return Ok(res),
    };
    let card = parse_card(&body, st.clock.now())?;
    st.store().check_payable(&id, st.clock.now())?;
    let settle_ms = (st.config.async_settle_secs * 1000.0) as i64;
    let op = |s: &mut Store, now| s.pay(&id, &card, now, settle_ms);
    let view = |s: &Store, ()| Ok(Reply::browser(s.get(&id)?, &base));
    commit(&st, Caller::Browser, Some(&mut guard), op, view).await
}

/// `POST …/tips-amount` and `POST …/amount`, by the customer.
pub async fn set_amount(
    State(st): State<AppState>,
    Customer { id }: Customer,
    BaseUrl(base): BaseUrl,
    Tips(tips): Tips,
    body: Bytes,
) -> ApiResult<Response> {
    amounts(&st, &id, tips, &body, Some(&base)).await
}

pub async fn events(
    State(st): State<AppState>,
    Customer { id }: Customer,
    BaseUrl(base): BaseUrl,
    headers: HeaderMap,
) -> Response {
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    crate::stream::events(st, id, last, base)
}
