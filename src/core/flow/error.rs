//! The one error the page sees: a closed set of codes plus a message that never contains the token.

use crate::core::json::Obj;
use crate::core::token::SecretString;

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
    /// The customer secret was refused (expired, or not this customer's): the saved cards cannot be
    /// listed or removed until the merchant's server makes a new one. Paying with a new card still works.
    CustomerSecretInvalid,
}

impl ErrorCode {
    /// Every code: what the JS side's `ERROR_CODES` and the `.d.ts` union are checked against.
    pub const ALL: [ErrorCode; 8] = [
        ErrorCode::NetworkError,
        ErrorCode::ApiError,
        ErrorCode::CardDeclined,
        ErrorCode::ValidationError,
        ErrorCode::TokenExpired,
        ErrorCode::UnexpectedTransition,
        ErrorCode::SdkError,
        ErrorCode::CustomerSecretInvalid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NetworkError => "network_error",
            ErrorCode::ApiError => "api_error",
            ErrorCode::CardDeclined => "card_declined",
            ErrorCode::ValidationError => "validation_error",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::UnexpectedTransition => "unexpected_transition",
            ErrorCode::SdkError => "sdk_error",
            ErrorCode::CustomerSecretInvalid => "customer_secret_invalid",
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

    /// Removes the token from the free-text fields (servers sometimes echo input back).
    pub fn scrub(mut self, secret: &SecretString) -> Self {
        secret.scrub(&mut self.message);
        for s in [&mut self.api_code, &mut self.decline_code, &mut self.param]
            .into_iter()
            .flatten()
        {
            secret.scrub(s);
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
}

/// The token is gone and no fresh one came: the page must start over with a new one.
/// A `validation_error` about `param`, the request field the page got wrong, with the broken rule's code
/// as `apiCode` when there is one.
pub fn invalid(param: &str, api_code: Option<&str>, message: &str) -> CheckoutError {
    let mut e = CheckoutError::new(ErrorCode::ValidationError, message);
    e.param = Some(param.into());
    e.api_code = api_code.map(Into::into);
    e
}

pub fn token_expired() -> CheckoutError {
    CheckoutError::new(
        ErrorCode::TokenExpired,
        "the connect token expired and could not be refreshed; reload the checkout with a new token",
    )
}

/// A request that never got an answer, after its retries.
pub fn network_error() -> CheckoutError {
    CheckoutError::new(
        ErrorCode::NetworkError,
        "the payment API could not be reached",
    )
}
