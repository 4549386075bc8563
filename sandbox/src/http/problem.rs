//! RFC 7807 problem details: the one error shape every route answers with.
//! The `code` extension and the last segment of `type` are stable; the SDK maps them to its error kinds.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::details::Refusal;
use crate::store::{RefError, StoreError};
use crate::webhooks::subscriptions::WebhookError;

pub const TYPE_BASE: &str = "https://intent-checkout.dev/problems/";

/// Every problem code the sandbox emits (listed in openapi.yaml; a test keeps the two in step).
pub const CODES: &[&str] = &[
    "token_expired",
    "customer_secret_invalid",
    "token_invalid",
    "unauthorized",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "validation_error",
    "invalid_json",
    "version_required",
    "idempotency_key_required",
    "idempotency_key_mismatch",
    "idempotency_key_in_use",
    "illegal_transition",
    "card_declined",
    "processing_error",
    "unsupported_currency",
    "challenge_unavailable",
    "payment_method_unusable",
    "cvc_required",
    "payment_method_not_accepted",
    "card_scheme_not_accepted",
    "injected_fault",
    "rate_limited",
    "too_many_intents",
    "conflict",
    "host_not_allowed",
    "origin_not_allowed",
    "unsupported_media_type",
    "payload_too_large",
];

#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub extra: Map<String, Value>,
    /// `Retry-After` seconds, when the client should wait before retrying.
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, Problem>;

impl Problem {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Problem {
            status,
            code,
            title,
            detail: detail.into(),
            extra: Map::new(),
            // A 500 may be retried after a second.
            retry_after: (status == StatusCode::INTERNAL_SERVER_ERROR).then_some(1),
        }
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_string(), value.into());
        self
    }

    /// A 400 naming the offending field by its dotted JSON path.
    pub fn invalid(param: &str, detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "validation_error",
            "Invalid request",
            detail,
        )
        .with("param", param)
    }

    pub fn invalid_json(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "Malformed JSON",
            detail,
        )
    }

    pub fn not_found(what: &str) -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Not found",
            format!("{what} was not found"),
        )
    }

    pub fn illegal(action: &str, status: &str) -> Self {
        Problem::new(
            StatusCode::CONFLICT,
            "illegal_transition",
            "Illegal transition",
            format!("cannot {action} a payment intent whose status is {status}"),
        )
        .with("currentStatus", status)
    }

    pub fn unauthorized(detail: &str) -> Self {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            detail,
        )
    }

    pub fn processing_error() -> Self {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "processing_error",
            "Processing error",
            "the card processor failed; nothing was charged and the request can be retried",
        )
        .with("retryable", true)
    }

    pub fn injected(when: &str) -> Self {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "injected_fault",
            "Injected fault",
            format!("a fault injected by POST /test/faults ({when})"),
        )
        .with("retryable", true)
    }

    /// A 429 from the rate-limit fault: nothing happened; retry after `seconds`.
    pub fn rate_limited(seconds: u64) -> Self {
        let mut p = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests",
            format!(
                "rate limited (a fault injected by POST /test/faults); retry after {seconds} s"
            ),
        )
        .with("retryable", true);
        p.retry_after = Some(seconds);
        p
    }

    pub fn body(&self) -> Value {
        let mut body = json!({
            "type": format!("{TYPE_BASE}{}", self.code),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "code": self.code,
        });
        if let Value::Object(map) = &mut body {
            for (k, v) in &self.extra {
                map.insert(k.clone(), v.clone());
            }
        }
        body
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Problem::not_found(what),
            StoreError::SecretUnknown => Problem::new(
                StatusCode::UNAUTHORIZED,
                "token_invalid",
                "Invalid client session secret",
                "the client session secret is not valid",
            ),
            StoreError::SecretForeign => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Forbidden",
                "the client session secret belongs to another payment intent",
            ),
            StoreError::SecretExpired => Problem::new(
                StatusCode::UNAUTHORIZED,
                "token_expired",
                "Client session secret expired",
                "the client session secret has expired or was replaced; ask the merchant server to refresh it",
            ),
            StoreError::Illegal {
                action,
                status,
                reason,
                lifecycle_code,
            } => {
                let mut p = Problem::illegal(action, status);
                if let Some(r) = reason {
                    p = p.with("reason", r);
                }
                if let Some(c) = lifecycle_code {
                    p = p.with("lifecycleCode", c);
                }
                p
            }
            StoreError::Invalid { param, detail } => Problem::invalid(&param, detail),
            StoreError::NotEnabled { tips } => Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Not allowed for this payment intent",
                if tips {
                    "tips are not enabled for this payment intent (config.payment.tipsAllowed)"
                } else {
                    "custom amounts are not enabled for this payment intent (config.payment.customAmountAllowed)"
                },
            ),
            StoreError::ProcessingError => Problem::processing_error(),
            StoreError::ChallengeUnavailable => Problem::new(
                StatusCode::NOT_FOUND,
                "challenge_unavailable",
                "Challenge unavailable",
                "this 3-D Secure challenge does not exist or was already completed",
            ),
            StoreError::PaymentMethodUnusable(why) => Problem::new(
                StatusCode::BAD_REQUEST,
                "payment_method_unusable",
                "Payment method unusable",
                match why {
                    RefError::Unknown => "the payment method does not exist for this payment intent",
                    RefError::Expired => "the payment method expired; collect the card again",
                    RefError::Used => "the payment method was already used; collect the card again",
                },
            )
            .with("param", "paymentMethod.id")
            .with("reason", why.reason()),
            // A refusal of the request, never a decline: nothing was charged or attempted.
            StoreError::CvcRequired => Problem::new(
                StatusCode::BAD_REQUEST,
                "cvc_required",
                "CVC required",
                "this saved card pays only with its CVC typed again: the card frame makes a reference from the card and its CVC",
            )
            .with("param", "paymentMethod.savedCardId"),
            StoreError::Refused(Refusal::MethodNotAccepted) => Problem::new(
                StatusCode::BAD_REQUEST,
                "payment_method_not_accepted",
                "Payment method not accepted",
                "this payment intent does not take cards (see its paymentMethods)",
            )
            .with("param", "paymentMethod"),
            StoreError::Refused(Refusal::SchemeNotAccepted(scheme)) => Problem::new(
                StatusCode::BAD_REQUEST,
                "card_scheme_not_accepted",
                "Card scheme not accepted",
                format!(
                    "the merchant does not accept {scheme} cards (see merchantConfig.supportedPaymentMethods.cardSchemes); nothing was charged"
                ),
            )
            .with("param", "paymentMethod")
            .with("cardScheme", scheme),
            e @ StoreError::Card { .. } => card_problem(e, "paymentMethod.card."),
            StoreError::CustomerSecret(why) => {
                use crate::store::CustomerSecretError as W;
                let (status, detail) = match why {
                    W::Unknown => (StatusCode::UNAUTHORIZED, "the customer secret is not valid"),
                    W::Foreign => (
                        StatusCode::FORBIDDEN,
                        "the customer secret belongs to another customer",
                    ),
                    W::Expired => (
                        StatusCode::UNAUTHORIZED,
                        "the customer secret has expired; ask the merchant server for a new one",
                    ),
                };
                Problem::new(status, "customer_secret_invalid", "Customer secret refused", detail)
            }
            StoreError::TooManyIntents(max) => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_intents",
                "Too many open payment intents",
                format!(
                    "the sandbox holds at most {max} payment intents that are not finished (--max-intents); finish or cancel some, or POST /test/reset"
                ),
            )
            .with("retryable", true),
        }
    }
}

/// A card the core's checks refuse, with its field under `prefix` (`card.` when the card frame sends it).
pub fn card_problem(e: StoreError, prefix: &str) -> Problem {
    match e {
        StoreError::Card {
            field,
            detail,
            code,
        } => Problem::invalid(&format!("{prefix}{field}"), detail).with("cardError", code),
        other => other.into(),
    }
}

impl From<WebhookError> for Problem {
    fn from(e: WebhookError) -> Self {
        match e {
            WebhookError::NotFound(what) => Problem::not_found(what),
            WebhookError::Invalid { param, detail } => Problem::invalid(&param, detail),
            WebhookError::Conflict(detail) => {
                Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = self.body().to_string();
        let mut res = (self.status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}
