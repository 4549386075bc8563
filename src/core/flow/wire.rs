//! The flow's side of the dialect seam: what the flow asks the API for ([`Call`]), the request and reply as
//! plain data, and the calls into the checkout's dialect (`core::dialect`, whose `wire.rs` alone knows paths
//! and body shapes).

use std::fmt;

use super::error::{CheckoutError, ErrorCode};
use crate::core::intent::setup::SetupIntent;
use crate::core::intent::{DecodeError, PaymentIntent};
use crate::core::lifecycle::Dialect;
use crate::core::payer::Payer;
use crate::core::payment_method::PaymentMethod;
use crate::core::saved::{SavedCard, SavedError};
use crate::core::token::SecretString;

/// Which kind of intent a checkout follows: a payment, or a setup intent (a card saved for the
/// merchant's later charge). The flow is the same; the paths, the body of the attempt and the document
/// differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntentKind {
    Payment,
    Setup,
}

/// What one attempt sends: the same charge after an unknown outcome goes again under the same key.
#[derive(Debug, PartialEq, Eq)]
pub struct Charge {
    pub method: PaymentMethod,
    /// The customer's details sent with it (email, addresses), checked and normalised.
    pub payer: Payer,
    /// The customer agreed to keep the card on file (see `Call::Pay`).
    pub keep: bool,
}

impl Charge {
    pub fn new(method: PaymentMethod, payer: Payer, keep: bool) -> Charge {
        Charge {
            method,
            payer,
            keep,
        }
    }
}

/// What the flow wants from the API.
#[derive(Clone, Copy, Debug)]
pub enum Call<'a> {
    /// Read the intent (load, learn an unknown outcome, re-read after a challenge).
    Read,
    /// Read the intent unless it is unchanged since `etag` (polling).
    Poll { etag: Option<&'a str> },
    /// Open the event stream, resuming after `last_version`.
    Follow { last_version: Option<u64> },
    /// Pay (a setup intent: confirm) under an idempotency key, with the customer's details. `keep`: the
    /// customer agreed to keep the card on file (a payment's "save this card"; a setup intent's consent to
    /// the merchant's charges).
    Pay { key: &'a str, charge: &'a Charge },
    /// The customer's saved cards (authorised by the customer secret).
    ListSaved { customer: &'a str },
    /// Remove one of the customer's saved cards.
    RemoveSaved { customer: &'a str, method: &'a str },
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
    Delete,
}

/// Which secret authorises a request: the intent's connect token (`Bearer`), or the customer secret
/// (`Basic`, as Dojo's customer endpoints take it). The shell adds the header; neither is in a URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    Intent,
    Customer,
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
    pub auth: Auth,
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
            .field("auth", &self.auth)
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

/// The request for `call` on the intent `id` of `kind`, in `dialect`'s shape.
pub fn request(dialect: Dialect, kind: IntentKind, id: &str, call: &Call<'_>) -> Request {
    (dialect.wire().request)(kind, id, call)
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
        Err(e) => Err(unreadable("intent", &e.field, e.code(), secret)),
    }
}

/// A setup intent snapshot, decoded like [`decode`] decodes a payment intent's.
pub fn decode_setup(
    dialect: Dialect,
    text: &str,
    secret: &SecretString,
) -> Result<(SetupIntent, String), CheckoutError> {
    match (dialect.wire().setup_intent)(text, dialect) {
        Ok(si) => {
            let view = if si.client_session_secret.is_some() {
                crate::core::json::without_member(text, "clientSessionSecret")
            } else {
                text.trim().to_string()
            };
            Ok((si, view))
        }
        Err(e) => Err(unreadable("setup intent", &e.field, e.code(), secret)),
    }
}

/// The customer's saved cards in a reply body.
pub fn saved_cards(dialect: Dialect, text: &str) -> Result<Vec<SavedCard>, CheckoutError> {
    (dialect.wire().saved_cards)(text).map_err(|e: SavedError| {
        unreadable(
            "list of saved cards",
            &e.field,
            e.code,
            &SecretString::new(String::new()),
        )
    })
}

/// "the payment API sent an unreadable <what> (<field>: <code>)", scrubbed.
fn unreadable(what: &str, field: &str, code: &str, secret: &SecretString) -> CheckoutError {
    let mut message = String::from("the payment API sent an unreadable ");
    message.push_str(what);
    message.push_str(" (");
    message.push_str(field);
    message.push_str(": ");
    message.push_str(code);
    message.push(')');
    CheckoutError::new(ErrorCode::ApiError, &message).scrub(secret)
}
