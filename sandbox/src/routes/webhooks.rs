//! Dojo's webhook API (merchant auth): the events catalogue, subscriptions, and their secrets.
//! `GET /webhooks/{id}` is the sandbox's addition (Dojo lists them all only).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::http::auth::Merchant;
use crate::http::body::{json_object, no_fields, Fields, JsonBody};
use crate::http::{ok, ApiResult, Problem};
use crate::webhooks::subscriptions::{self, Subscription};
use crate::AppState;

pub async fn events(_: Merchant) -> Response {
    let list: Vec<Value> = subscriptions::CATALOGUE
        .iter()
        .map(|(model, events)| json!({"model": model, "events": events}))
        .collect();
    ok(&Value::Array(list))
}

pub async fn list(State(st): State<AppState>, _: Merchant) -> Response {
    ok(&st.webhooks.list())
}

/// `events` as a list of strings (each checked against the catalogue by `subscriptions::check`).
fn events_field(obj: &Map<String, Value>) -> ApiResult<Option<Vec<String>>> {
    match obj.get("events") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    Problem::invalid(&format!("events.{i}"), "each event must be a string")
                })
            })
            .collect::<ApiResult<Vec<_>>>()
            .map(Some),
        Some(_) => Err(Problem::invalid(
            "events",
            "`events` must be an array of event names",
        )),
    }
}

pub async fn subscribe(
    State(st): State<AppState>,
    _: Merchant,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let obj = json_object(&body, false)?;
    let f = Fields::new(&obj, "");
    f.only(&["events", "url", "description"])?;
    let url = f.required("url", f.str("url", 2048)?)?;
    let events = f.required("events", events_field(&obj)?)?;
    let description = f.str("description", 1024)?.map(str::to_string);
    subscriptions::check(Some(url), Some(&events))?;
    let sub = Subscription::new(url.to_string(), events, description, None, st.clock.now());
    Ok(ok(&st.webhooks.subscribe(sub)?))
}

pub async fn get(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let v = st.webhooks.with(&id, |s, now| Ok(s.json(now)))?;
    Ok(ok(&v))
}

pub async fn update(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let obj = json_object(&body, false)?;
    let f = Fields::new(&obj, "");
    f.only(&["events", "url", "description"])?;
    let url = f.str("url", 2048)?.map(str::to_string);
    let events = events_field(&obj)?;
    subscriptions::check(url.as_deref(), events.as_deref())?;
    // `description: null` clears it; absent leaves it.
    let description = match obj.get("description") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(_) => Some(f.str("description", 1024)?.map(str::to_string)),
    };
    Ok(ok(&st.webhooks.update(&id, url, events, description)?))
}

pub async fn unsubscribe(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    st.webhooks.unsubscribe(&id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn secrets(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let v = st
        .webhooks
        .with(&id, |s, now| Ok(s.secrets_response(now)))?;
    Ok(ok(&v))
}

/// Generates a new, inactive secret.
pub async fn generate_secret(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    no_fields(&body)?;
    let v = st.webhooks.with(&id, |s, now| {
        s.generate_secret(now)?;
        Ok(s.secrets_response(now))
    })?;
    Ok(ok(&v))
}

/// Activates a secret; the ones active before stay valid for the rotation overlap.
pub async fn activate_secret(
    State(st): State<AppState>,
    _: Merchant,
    Path((id, secret)): Path<(String, String)>,
) -> ApiResult<Response> {
    let overlap = st.webhooks.overlap_ms();
    st.webhooks
        .with(&id, |s, now| s.activate(&secret, now, overlap))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn delete_secret(
    State(st): State<AppState>,
    _: Merchant,
    Path((id, secret)): Path<(String, String)>,
) -> ApiResult<Response> {
    st.webhooks
        .with(&id, |s, now| s.delete_secret(&secret, now))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
