//! The flow's side of the dialect seam: what the flow asks the API for ([`Call`]), the request and reply as
//! plain data, and the calls into the checkout's dialect (`core::dialect`, whose `wire.rs` alone knows paths
//! and body shapes).

use std::fmt;

use super::error::{CheckoutError, ErrorCode};
use crate::core::intent::{DecodeError, PaymentIntent};
use crate::core::lifecycle::Dialect;
use crate::core::payer::Payer;
use crate::core::payment_method::PaymentMethod;
use crate::core::token::SecretString;

/// What the flow wants from the API.
#[derive(Clone, Copy, Debug)]
pub enum Call<'a> {
    /// Read the intent (load, learn an unknown outcome, re-read after a challenge).
    Read,
    /// Read the intent unless it is unchanged since `etag` (polling).
    Poll { etag: Option<&'a str> },
    /// Open the event stream, resuming after `last_version`.
    Follow { last_version: Option<u64> },
    /// Pay under an idempotency key, with the customer's details.
    Pay {
        key: &'a str,
        method: &'a PaymentMethod,
        payer: &'a Payer,
    },
    /// Change the tip or the amount, in minor units of `currency`.
    Adjust {
        what: Adjustment,
        currency: &'a str,
        minor: i64,
    },
}

/// Which amount the customer may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adjustment {
    Tip,
    Amount,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// A request as plain data. The shell prefixes `path` with the API base and adds `Authorization`.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    /// JSON. For payments it holds card data, so `Debug` never prints it.
    pub body: Option<String>,
    /// Read the body as a stream of chunks (SSE) instead of as one text.
    pub stream: bool,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &self.headers)
            .field("body", &self.body.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// A complete HTTP answer (any status).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub etag: Option<String>,
    pub body: String,
    /// The server's `Retry-After`, read with [`retry_after_ms`]: no request leaves before it passes.
    pub retry_after_ms: Option<u64>,
}

/// A `Retry-After` header in milliseconds. Only delta-seconds count: an HTTP date would compare the
/// server's clock with the page's.
pub fn retry_after_ms(value: &str) -> Option<u64> {
    let v = value.trim();
    if v.is_empty() || v.len() > 10 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse::<u64>().ok().map(|s| s.saturating_mul(1000))
}

/// The request for `call` on intent `id`, in `dialect`'s shape.
pub fn request(dialect: Dialect, id: &str, call: &Call<'_>) -> Request {
    (dialect.wire().request)(id, call)
}

/// An error reply as the page's error, with the token scrubbed from every server-supplied text.
pub fn problem(dialect: Dialect, status: u16, body: &str, secret: &SecretString) -> CheckoutError {
    (dialect.wire().problem)(status, body).scrub(secret)
}

/// The intent in a reply body or stream event, as the dialect's wire reads it (validated; errors name the
/// field, never a value).
pub fn intent(dialect: Dialect, text: &str) -> Result<PaymentIntent, DecodeError> {
    (dialect.wire().intent)(text, dialect)
}

/// Decodes one snapshot (a reply body or a stream event's data) into the core's `PaymentIntent`, and the
/// page's view of it: the text as received, minus any `clientSessionSecret` member (a browser view has
/// none; one that does must not carry it into an event). A snapshot that does not decode is an `api_error`
/// naming the field and its problem, never a value.
pub fn decode(
    dialect: Dialect,
    text: &str,
    secret: &SecretString,
) -> Result<(PaymentIntent, String), CheckoutError> {
    match intent(dialect, text) {
        Ok(pi) => {
            let view = if pi.client_session_secret.is_some() {
                crate::core::json::without_member(text, "clientSessionSecret")
            } else {
                text.trim().to_string()
            };
            Ok((pi, view))
        }
        Err(e) => {
            let mut message = String::from("the payment API sent an unreadable intent (");
            message.push_str(&e.field);
            message.push_str(": ");
            message.push_str(e.code());
            message.push(')');
            Err(CheckoutError::new(ErrorCode::ApiError, &message).scrub(secret))
        }
    }
}
