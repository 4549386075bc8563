//! The page's endpoints, authorised by the intent's client session secret as a bearer token (never in
//! a URL): read with ETag, pay with a required Idempotency-Key, tip or set the amount, and stream.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{
    after_commit, base_url, before_commit, begin_key, deliver, json_object, json_response,
    read_latency, require_secret, respond, Fields,
};
use crate::cards::{self, CardInput};
use crate::problem::{ApiResult, Problem};
use crate::AppState;

pub fn with_etag(mut res: Response, etag: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(etag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

pub async fn get_intent(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    respond(
        async {
            require_secret(&st, &headers, &id)?;
            read_latency(&st, true).await;
            let base = base_url(&st, &headers);
            let store = st.store();
            let i = store.get(&id)?;
            let etag = i.etag();
            let matches = headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
            if matches {
                let mut res = StatusCode::NOT_MODIFIED.into_response();
                res.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                return Ok(with_etag(res, &etag));
            }
            let body = i.browser_json(&base);
            drop(store);
            let mut res = json_response(StatusCode::OK, body);
            // Revalidate every time: the intent changes under the page.
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            Ok(with_etag(res, &etag))
        }
        .await,
    )
}

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

fn parse_card(body: &Bytes, now: i64) -> ApiResult<cards::CheckedCard> {
    let obj = json_object(body, false)?;
    let f = Fields::new(&obj, "");
    f.only(&["paymentMethod"])?;
    let pm = f
        .object("paymentMethod")?
        .ok_or_else(|| Problem::invalid("paymentMethod", "`paymentMethod` is required"))?;
    pm.only(&["card"])?;
    let c = pm.object("card")?.ok_or_else(|| {
        Problem::invalid("paymentMethod.card", "`paymentMethod.card` is required")
    })?;
    c.only(&[
        "number",
        "expiryMonth",
        "expiryYear",
        "cvc",
        "cardholderName",
    ])?;
    let number = c
        .str("number", 40)?
        .ok_or_else(|| Problem::invalid(&c.path("number"), "the card number is required"))?;
    let cvc = c
        .str("cvc", 8)?
        .ok_or_else(|| Problem::invalid(&c.path("cvc"), "the CVC is required"))?;
    let input = CardInput {
        number,
        expiry_month: digits_or_int(&c, "expiryMonth")?,
        expiry_year: digits_or_int(&c, "expiryYear")?,
        cvc,
        cardholder_name: c.str("cardholderName", 200)?.unwrap_or(""),
    };
    cards::check(&input, now)
}

/// Pays with a card. The key is claimed first so a concurrent duplicate gets 409, and the answer is
/// stored in the same lock that commits the change, so a retry after any later failure replays it.
pub async fn pay(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        async {
            require_secret(&st, &headers, &id)?;
            let mut guard = match begin_key(&st, "pay", &id, &headers, &["idempotency-key"], &body)?
            {
                Ok(g) => g,
                Err(replay) => return Ok(replay),
            };
            let card = parse_card(&body, st.clock.now())?;
            st.store().check_payable(&id, st.clock.now())?;
            before_commit(&st, true).await?;
            let base = base_url(&st, &headers);
            let settle_ms = (st.config.async_settle_secs * 1000.0) as i64;
            let (body, etag) = {
                let mut store = st.store();
                let change = store.pay(&id, &card, st.clock.now(), settle_ms)?;
                let i = store.get(&id)?;
                let (body, etag) = (i.browser_json(&base), i.etag());
                guard.finish(&mut store, StatusCode::OK, &body, Some(&etag));
                drop(store);
                st.publish(&[change]);
                (body, etag)
            };
            let res = with_etag(json_response(StatusCode::OK, body), &etag);
            Ok(deliver(after_commit(&st, true), res))
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
            require_secret(&st, &headers, &id)?;
            let base = base_url(&st, &headers);
            super::merchant::set_amount(&st, &id, true, &body, Some(&base)).await
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
            require_secret(&st, &headers, &id)?;
            let base = base_url(&st, &headers);
            super::merchant::set_amount(&st, &id, false, &body, Some(&base)).await
        }
        .await,
    )
}

pub async fn events(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    respond((|| {
        require_secret(&st, &headers, &id)?;
        let last = headers
            .get("last-event-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let base = base_url(&st, &headers);
        Ok(crate::stream::events(st.clone(), id.clone(), last, base))
    })())
}
