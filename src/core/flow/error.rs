//! The one error the page sees: a closed set of codes plus a message that never contains the token.

use crate::core::json::{self, Obj};

/// The closed set of error codes that cross to JS (`CheckoutError.code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The request never got an answer (offline, DNS, CORS, timeout), after retries.
    NetworkError,
    /// The API answered with an error the SDK cannot fix by retrying.
    ApiError,
    /// The card was refused (decline, insufficient funds, failed 3-D Secure).
    CardDeclined,
    /// The input was rejected before or by the server (`param` names the field).
    ValidationError,
    /// The connect token expired and could not be refreshed.
    TokenExpired,
    /// The action does not fit the intent's current state (or a payment is already in progress).
    UnexpectedTransition,
    /// A bug or misuse of the SDK itself (bad options, destroyed checkout).
    SdkError,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NetworkError => "network_error",
            ErrorCode::ApiError => "api_error",
            ErrorCode::CardDeclined => "card_declined",
            ErrorCode::ValidationError => "validation_error",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::UnexpectedTransition => "unexpected_transition",
            ErrorCode::SdkError => "sdk_error",
        }
    }
}

/// An error for the page. Built only from static text, server problem fields and card-error fields; every
/// server-supplied string goes through [`CheckoutError::scrub`] before it can leave the core.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutError {
    pub code: ErrorCode,
    pub message: String,
    /// The server's own code (`processing_error`, `idempotency_key_mismatch`, ...), when there was one.
    pub api_code: Option<String>,
    /// For `card_declined`: the issuer's reason (`insufficient_funds`, `generic_decline`, ...).
    pub decline_code: Option<String>,
    /// For `validation_error`: the offending field.
    pub param: Option<String>,
    /// The HTTP status, when the error came from a reply.
    pub http_status: Option<u16>,
}

impl CheckoutError {
    pub fn new(code: ErrorCode, message: &str) -> Self {
        CheckoutError {
            code,
            message: message.to_string(),
            api_code: None,
            decline_code: None,
            param: None,
            http_status: None,
        }
    }

    /// Removes every occurrence of `secret` from the free-text fields (servers sometimes echo input back).
    pub fn scrub(mut self, secret: &str) -> Self {
        if secret.len() >= 4 {
            if self.message.contains(secret) {
                self.message = self.message.replace(secret, "[redacted]");
            }
            for s in [&mut self.api_code, &mut self.decline_code, &mut self.param]
                .into_iter()
                .flatten()
            {
                if s.contains(secret) {
                    *s = s.replace(secret, "[redacted]");
                }
            }
        }
        self
    }

    /// `{code, message, apiCode?, declineCode?, param?, httpStatus?}` as JSON text.
    pub fn to_json(&self) -> String {
        let mut o = Obj::new()
            .str("code", self.code.as_str())
            .str("message", &self.message)
            .opt_str("apiCode", self.api_code.as_deref())
            .opt_str("declineCode", self.decline_code.as_deref())
            .opt_str("param", self.param.as_deref());
        if let Some(v) = self.http_status {
            o = o.int("httpStatus", i64::from(v));
        }
        o.finish()
    }

    /// Maps an RFC 7807 problem reply (or a bare status) onto the closed set of codes.
    pub fn from_problem(status: u16, body: &str) -> Self {
        let members = json::members(body).unwrap_or_default();
        let text = |k: &str| json::get(&members, k).and_then(json::string);
        let api_code = text("code")
            .or_else(|| text("type").and_then(|t| t.rsplit(['/', '#']).next().map(str::to_string)));
        let code = match (status, api_code.as_deref()) {
            (_, Some("token_expired" | "token_invalid")) => ErrorCode::TokenExpired,
            (_, Some("card_declined")) | (402, _) => ErrorCode::CardDeclined,
            (_, Some("validation_error" | "invalid_json" | "unsupported_currency")) | (400, _) => {
                ErrorCode::ValidationError
            }
            (_, Some("illegal_transition")) => ErrorCode::UnexpectedTransition,
            _ => ErrorCode::ApiError,
        };
        let message = text("detail")
            .or_else(|| text("title"))
            .unwrap_or_else(|| "the payment API returned an error".to_string());
        CheckoutError {
            code,
            message,
            decline_code: text("declineCode").or_else(|| text("decline_code")),
            param: text("param"),
            api_code,
            http_status: Some(status),
        }
    }
}
