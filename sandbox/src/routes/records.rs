//! Dojo's read-side merchant operations: search (filters and cursor paging), refunds by id, and
//! receipts (recorded in the test outbox, `GET /test/receipts`, never emailed).

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::clock::Millis;
use crate::http::auth::Merchant;
use crate::http::body::{json_object, Fields, JsonBody};
use crate::http::{ok, ApiResult, Problem};
use crate::lifecycle::Timestamp;
use crate::store::{Page, Search};
use crate::AppState;

/// Dojo's `PaymentIntentStatus`: what `statuses` may name.
pub const SEARCH_STATUSES: &[&str] = &[
    "Created",
    "Authorized",
    "Captured",
    "Reversed",
    "Refunded",
    "Canceled",
];

const CURSOR_PREFIX: &str = "cur_";

fn cursor(seq: u64) -> String {
    format!("{CURSOR_PREFIX}{seq}")
}

fn date(f: &Fields<'_>, key: &str) -> ApiResult<Option<Millis>> {
    match f.str(key, 40)? {
        None => Ok(None),
        Some(s) => Timestamp::parse_rfc3339(s)
            .map(|t| Some(t.as_unix_millis()))
            .map_err(|_| Problem::invalid(key, format!("`{key}` must be an RFC 3339 date-time"))),
    }
}

fn parse_search(body: &Bytes) -> ApiResult<Search> {
    let obj = json_object(body, false)?;
    let f = Fields::new(&obj, "");
    f.only(&["statuses", "startDate", "endDate", "cursor"])?;
    let statuses = match obj.get("statuses") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut set = HashSet::new();
            for (i, v) in items.iter().enumerate() {
                match v.as_str().filter(|s| SEARCH_STATUSES.contains(s)) {
                    Some(s) => set.insert(s.to_string()),
                    None => {
                        return Err(Problem::invalid(
                            &format!("statuses.{i}"),
                            format!("each status must be one of {}", SEARCH_STATUSES.join(", ")),
                        ))
                    }
                };
            }
            Some(set)
        }
        Some(_) => return Err(Problem::invalid("statuses", "`statuses` must be an array")),
    };
    // A window that ends before it starts is empty, not an error.
    let (start, end) = (date(&f, "startDate")?, date(&f, "endDate")?);
    let (mut limit, mut page) = (50, Page::First);
    if let Some(c) = f.object("cursor")? {
        c.only(&["limit", "before", "after"])?;
        if let Some(l) = c.int("limit", 1)? {
            if l > 100 {
                return Err(Problem::invalid(
                    "cursor.limit",
                    "`cursor.limit` must be between 1 and 100",
                ));
            }
            limit = l as usize;
        }
        let at = |key: &str| -> ApiResult<Option<u64>> {
            match c.str(key, 40)? {
                None => Ok(None),
                Some(s) => s
                    .strip_prefix(CURSOR_PREFIX)
                    .filter(|n| {
                        !n.is_empty() && n.len() <= 19 && n.bytes().all(|b| b.is_ascii_digit())
                    })
                    .and_then(|n| n.parse().ok())
                    .map(Some)
                    .ok_or_else(|| {
                        Problem::invalid(
                            &c.path(key),
                            "not a cursor this search returned (`before`/`after` of a page)",
                        )
                    }),
            }
        };
        page = match (at("before")?, at("after")?) {
            (Some(_), Some(_)) => {
                return Err(Problem::invalid(
                    "cursor",
                    "`cursor.before` and `cursor.after` are mutually exclusive",
                ))
            }
            (Some(b), None) => Page::Before(b),
            (None, Some(a)) => Page::After(a),
            (None, None) => Page::First,
        };
    }
    Ok(Search {
        statuses,
        start,
        end,
        limit,
        page,
    })
}

/// `POST /payment-intents/search`: newest first.
pub async fn search(
    State(st): State<AppState>,
    _: Merchant,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let q = parse_search(&body)?;
    let store = st.store();
    let found = store.search(&q);
    let data: Vec<Value> = found.data.iter().map(|i| i.merchant_json()).collect();
    Ok(ok(&json!({
        "data": data,
        "before": found.before.map(cursor),
        "after": found.after.map(cursor),
    })))
}

/// `GET /payment-intents/refunds/{refundId}`: Dojo's `Refund`.
pub async fn refund(
    State(st): State<AppState>,
    _: Merchant,
    Path(refund_id): Path<String>,
) -> ApiResult<Response> {
    let store = st.store();
    let r = store.refund_record(&refund_id)?;
    Ok(ok(&json!({
        "paymentIntentId": r.payment_intent_id,
        "refundId": refund_id,
        "refundReason": r.reason,
        "notes": r.notes,
    })))
}

/// `POST /payment-intents/{id}/receipt {"emails": [...]}`: 204; the receipt goes to the test outbox.
pub async fn receipt(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let obj = json_object(&body, false)?;
    Fields::new(&obj, "").only(&["emails"])?;
    let emails = match obj.get("emails") {
        Some(Value::Array(items)) if !items.is_empty() && items.len() <= 10 => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str()
                    .filter(|e| plausible_email(e))
                    .map(str::to_string)
                    .ok_or_else(|| {
                        Problem::invalid(
                            &format!("emails.{i}"),
                            "each entry must be an email address (name@domain, at most 254 characters)",
                        )
                    })
            })
            .collect::<ApiResult<Vec<_>>>()?,
        _ => {
            return Err(Problem::invalid(
                "emails",
                "`emails` must be an array of 1 to 10 email addresses",
            ))
        }
    };
    st.store().record_receipt(&id, emails, st.clock.now())?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// What a receipt could be addressed to, exactly as openapi.yaml's pattern for `emails` states it: a
/// local part of `atext` and dots, `@`, and two or more labels of letters, digits and hyphens.
fn plausible_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    let atext = |c: char| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c);
    let label = |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    e.chars().count() <= 254
        && !local.is_empty()
        && local.chars().all(atext)
        && domain.split('.').count() >= 2
        && domain.split('.').all(label)
}
