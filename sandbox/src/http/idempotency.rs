//! The idempotency guard: a key in flight is claimed before the work starts and forgotten on drop
//! unless `finish` stored the committed answer (which `commit` does under the same lock).

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

use super::problem::{ApiResult, Problem};
use super::{json_response, Reply};
use crate::idempotency::{fingerprint, Begin, Stored};
use crate::store::Store;
use crate::AppState;

/// An idempotency key in flight. Never drop it while holding the store lock.
pub struct KeyGuard {
    st: AppState,
    scope: &'static str,
    id: String,
    key: String,
    done: bool,
}

impl KeyGuard {
    pub fn finish(&mut self, store: &mut Store, reply: &Reply) {
        store.keys.finish(
            self.scope,
            &self.id,
            &self.key,
            Stored {
                status: StatusCode::OK.as_u16(),
                body: reply.body.clone(),
                etag: reply.etag.clone(),
            },
        );
        self.done = true;
    }
}

impl Drop for KeyGuard {
    fn drop(&mut self) {
        if !self.done {
            self.st
                .store()
                .keys
                .abandon(self.scope, &self.id, &self.key);
        }
    }
}

/// How a request with an idempotency key starts.
pub enum Started {
    /// The key is new: do the work, then `finish`.
    Fresh(KeyGuard),
    /// The key was used with this body: send the stored answer as it is.
    Replay(Response),
}

/// Claims the key from the first of `header_names` present (1 to 255 characters).
pub fn begin(
    st: &AppState,
    scope: &'static str,
    id: &str,
    headers: &HeaderMap,
    header_names: &[&str],
    body: &Bytes,
) -> ApiResult<Started> {
    let key = header_names
        .iter()
        .find_map(|n| headers.get(*n))
        .map(|v| v.as_bytes())
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.iter().all(|b| (0x21..=0x7e).contains(b)))
        .and_then(|k| std::str::from_utf8(k).ok())
        .ok_or_else(|| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_required",
                "Idempotency key required",
                format!(
                    "send a unique `{}` header (1 to 255 visible ASCII characters, no spaces) with this request",
                    header_names.first().copied().unwrap_or("Idempotency-Key")
                ),
            )
        })?;
    let begun = st
        .store()
        .keys
        .begin(scope, id, key, fingerprint(body), st.clock.now());
    match begun {
        Begin::Fresh => Ok(Started::Fresh(KeyGuard {
            st: st.clone(),
            scope,
            id: id.to_string(),
            key: key.to_string(),
            done: false,
        })),
        Begin::Replay(stored) => {
            let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
            let mut res = json_response(status, stored.body);
            if let Some(tag) = stored.etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
                res.headers_mut().insert(header::ETAG, tag);
            }
            res.headers_mut().insert(
                HeaderName::from_static("idempotent-replayed"),
                HeaderValue::from_static("true"),
            );
            Ok(Started::Replay(res))
        }
        Begin::Mismatch => Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_mismatch",
            "Idempotency key reused",
            "this idempotency key was already used with a different request body",
        )),
        Begin::InUse => Err(Problem::new(
            StatusCode::CONFLICT,
            "idempotency_key_in_use",
            "Request in progress",
            "a request with this idempotency key is still being processed; retry shortly",
        )
        .with("retryable", true)),
    }
}
