//! What the handlers share about HTTP: auth extractors (`auth`), JSON bodies with a `param` for each
//! failure (`body`), committing a change with faults around it (`commit`), idempotency keys
//! (`idempotency`), RFC 7807 problems (`problem`), the layers around every route (`layers`) and the
//! response helpers below.

pub mod auth;
pub mod body;
pub mod commit;
pub mod idempotency;
pub mod layers;
pub mod problem;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

pub use problem::{ApiResult, Problem};

use crate::intent::Intent;

/// A JSON response that is never cached.
pub fn json_response(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A 200 JSON answer.
pub fn ok(v: &Value) -> Response {
    json_response(StatusCode::OK, v.to_string())
}

pub fn with_etag(mut res: Response, etag: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(etag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// A committed answer as it is sent and, for idempotent requests, stored: always a 200.
pub struct Reply {
    pub body: String,
    pub etag: Option<String>,
}

impl Reply {
    pub fn json(v: &Value) -> Self {
        Reply {
            body: v.to_string(),
            etag: None,
        }
    }

    /// The browser view of an intent, with its ETag.
    pub fn browser(intent: &Intent, base: &str) -> Self {
        Reply {
            body: intent.browser_json(base),
            etag: Some(intent.etag()),
        }
    }

    /// A page's read: 304 when `If-None-Match` names this version, and revalidated every time (the
    /// resource changes under the page).
    pub fn conditional(self, headers: &HeaderMap) -> Response {
        let etag = self.etag.clone().unwrap_or_default();
        let matches = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
        let mut res = if matches {
            with_etag(StatusCode::NOT_MODIFIED.into_response(), &etag)
        } else {
            self.into_response()
        };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        res
    }

    pub fn into_response(self) -> Response {
        let res = json_response(StatusCode::OK, self.body);
        match &self.etag {
            Some(tag) => with_etag(res, tag),
            None => res,
        }
    }
}
