//! What the store refuses, in domain terms. The HTTP layer decides the status
//! codes and problem types; the store knows no HTTP.

use crate::lifecycle::LifecycleError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// No payment intent (or refund) with that id.
    NotFound(&'static str),
    /// The client session secret is not one the sandbox issued.
    SecretUnknown,
    /// The secret belongs to another payment intent.
    SecretForeign,
    /// The secret expired or was replaced by a refresh.
    SecretExpired,
    /// The lifecycle refuses `action` in `status`.
    Illegal {
        action: &'static str,
        status: &'static str,
        reason: Option<String>,
        lifecycle_code: Option<&'static str>,
    },
    /// A value out of range; `param` is its dotted JSON path.
    Invalid { param: String, detail: String },
    /// Tips (`tips`) or custom amounts are not enabled in the intent's config.
    NotEnabled { tips: bool },
    /// The card processor failed; nothing changed.
    ProcessingError,
    /// The 3-D Secure challenge does not exist or was completed.
    ChallengeUnavailable,
    /// A card reference that cannot pay (unknown here, expired or used).
    PaymentMethodUnusable(super::RefError),
    /// A saved card that pays only with its CVC typed again (`cvcRequired`), paid by id alone.
    CvcRequired,
    /// As many intents are open as `--max-intents` allows.
    TooManyIntents(usize),
    /// The intent does not take this way to pay (its `paymentMethods`, the merchant's card schemes).
    Refused(crate::details::Refusal),
    /// A customer secret that cannot be used (unknown, another customer's, expired).
    CustomerSecret(super::CustomerSecretError),
    /// A card the core's checks refuse: `field` under `paymentMethod.card`, `code` the core's error code.
    Card {
        field: &'static str,
        detail: &'static str,
        code: &'static str,
    },
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    pub fn invalid(param: &str, detail: impl Into<String>) -> Self {
        StoreError::Invalid {
            param: param.to_string(),
            detail: detail.into(),
        }
    }

    pub fn illegal(action: &'static str, status: &'static str) -> Self {
        StoreError::Illegal {
            action,
            status,
            reason: None,
            lifecycle_code: None,
        }
    }

    pub fn because(self, why: impl Into<String>) -> Self {
        match self {
            StoreError::Illegal {
                action,
                status,
                lifecycle_code,
                ..
            } => StoreError::Illegal {
                action,
                status,
                reason: Some(why.into()),
                lifecycle_code,
            },
            other => other,
        }
    }

    /// A lifecycle refusal as the client sees it: amounts name their field, the rest is illegal.
    pub fn from_lifecycle(e: &LifecycleError, status: &'static str, action: &'static str) -> Self {
        match e {
            LifecycleError::InvalidAmount => {
                StoreError::invalid("amount", "the amount must be at least 1")
            }
            LifecycleError::CaptureExceedsAuthorized { available, .. } => StoreError::invalid(
                "amount",
                format!("the capture amount must be between 1 and {available}"),
            ),
            LifecycleError::RefundExceedsCaptured { available, .. } => StoreError::invalid(
                "amount",
                format!("the refund amount must be between 1 and {available}"),
            ),
            LifecycleError::Money(m) => StoreError::invalid("amount.currencyCode", m.to_string()),
            other => StoreError::Illegal {
                action,
                status,
                reason: Some(other.to_string()),
                lifecycle_code: Some(other.code()),
            },
        }
    }
}
