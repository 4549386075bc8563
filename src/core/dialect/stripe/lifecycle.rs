//! Stripe's dialect: wire names and transitions from seed 003 ("How PaymentIntents work").
//!
//! Choices where the seed is silent or garbled:
//! - **Attempts**: every `Confirm`/`Authorise`/`Decline`/`RequireAction` from `requires_payment_method` or
//!   `requires_confirmation` counts one confirmation. A failure that would return to `requires_payment_method`
//!   goes to `canceled` instead once the count reaches the intent's limit (seed: "automatically transitioned
//!   to canceled after they have been confirmed too many times"; the number was lost, default
//!   `DEFAULT_MAX_CONFIRMATION_ATTEMPTS`, configurable).
//! - **Decline** returns to `requires_payment_method` and keeps `last_payment_error` until an attempt succeeds;
//!   an asynchronous failure in `processing` does the same.
//! - **Processing** is entered by an asynchronous method (`Confirm`) or by capturing a `requires_capture`
//!   intent (seed: "attempting to capture the funds moves it to processing"). `Settle` ends in `succeeded` if
//!   a capture was requested (or `Auto`), else in `requires_capture` (a `Manual` asynchronous payment).
//! - **Cancel** is legal in every status before `processing`/`succeeded`; footnote 2's US-bank-account
//!   exception (cancel during `processing`) is not modelled.
//! - **Refunds** go through Stripe's Refunds API and leave the intent `succeeded`; we still track them
//!   (canonical `PartiallyRefunded`/`Refunded`, wire `succeeded`) so "never refund more than captured" holds
//!   in every dialect.
//! - **Hold expiry**: the seed is silent; Stripe cancels uncaptured `requires_capture` intents after 7 days,
//!   and the sandbox does the same, so `Expire` → `canceled` once the hold (7 days by default) is over.

use crate::core::lifecycle::{
    rule, CanonicalStatus as S, Guard as G, PaymentEventType as E, Rule, StatusHints,
    TriggerKind as T,
};

/// Canonical → wire. `succeeded` parses to `Succeeded`; [`refine`] refines it with refunds.
pub(super) const STATUSES: &[(S, &str)] = &[
    (S::RequiresPaymentMethod, "requires_payment_method"),
    (S::RequiresConfirmation, "requires_confirmation"),
    (S::RequiresAction, "requires_action"),
    (S::Processing, "processing"),
    (S::Authorized, "requires_capture"),
    (S::Succeeded, "succeeded"),
    (S::PartiallyRefunded, "succeeded"),
    (S::Refunded, "succeeded"),
    (S::Canceled, "canceled"),
];

/// Stripe refunds leave `succeeded` on the wire: the refunded amount tells them apart.
pub(super) fn refine(base: S, hints: StatusHints) -> S {
    match base {
        S::Succeeded if hints.refunded > 0 && hints.refunded >= hints.captured => S::Refunded,
        S::Succeeded if hints.refunded > 0 => S::PartiallyRefunded,
        _ => base,
    }
}

/// The Stripe table (32 rows).
#[rustfmt::skip]
pub(super) const TABLE: &[Rule] = &[
    // requires_payment_method
    rule(S::RequiresPaymentMethod, T::AttachPaymentMethod, G::Always,          S::RequiresConfirmation,  None),
    rule(S::RequiresPaymentMethod, T::Authorise,       G::AutoCapture,         S::Succeeded,             Some(E::Captured)),
    rule(S::RequiresPaymentMethod, T::Authorise,       G::ManualCapture,       S::Authorized,            Some(E::Authorized)),
    rule(S::RequiresPaymentMethod, T::Confirm,         G::Always,              S::Processing,            None),
    rule(S::RequiresPaymentMethod, T::Decline,         G::AttemptsLeft,        S::RequiresPaymentMethod, Some(E::Declined)),
    rule(S::RequiresPaymentMethod, T::Decline,         G::AttemptsExhausted,   S::Canceled,              Some(E::Canceled)),
    rule(S::RequiresPaymentMethod, T::RequireAction,   G::Always,              S::RequiresAction,        Some(E::AuthChallenged)),
    rule(S::RequiresPaymentMethod, T::Cancel,          G::Always,              S::Canceled,              Some(E::Canceled)),
    // requires_confirmation
    rule(S::RequiresConfirmation,  T::Authorise,       G::AutoCapture,         S::Succeeded,             Some(E::Captured)),
    rule(S::RequiresConfirmation,  T::Authorise,       G::ManualCapture,       S::Authorized,            Some(E::Authorized)),
    rule(S::RequiresConfirmation,  T::Confirm,         G::Always,              S::Processing,            None),
    rule(S::RequiresConfirmation,  T::Decline,         G::AttemptsLeft,        S::RequiresPaymentMethod, Some(E::Declined)),
    rule(S::RequiresConfirmation,  T::Decline,         G::AttemptsExhausted,   S::Canceled,              Some(E::Canceled)),
    rule(S::RequiresConfirmation,  T::RequireAction,   G::Always,              S::RequiresAction,        Some(E::AuthChallenged)),
    rule(S::RequiresConfirmation,  T::Cancel,          G::Always,              S::Canceled,              Some(E::Canceled)),
    // requires_action
    rule(S::RequiresAction,        T::ActionCompleted, G::AutoCapture,         S::Succeeded,             Some(E::Captured)),
    rule(S::RequiresAction,        T::ActionCompleted, G::ManualCapture,       S::Authorized,            Some(E::Authorized)),
    rule(S::RequiresAction,        T::Confirm,         G::Always,              S::Processing,            None),
    rule(S::RequiresAction,        T::ActionFailed,    G::AttemptsLeft,        S::RequiresPaymentMethod, Some(E::Declined)),
    rule(S::RequiresAction,        T::ActionFailed,    G::AttemptsExhausted,   S::Canceled,              Some(E::Canceled)),
    rule(S::RequiresAction,        T::Cancel,          G::Always,              S::Canceled,              Some(E::Canceled)),
    // processing
    rule(S::Processing,            T::Settle,          G::CaptureRequested,    S::Succeeded,             Some(E::Captured)),
    rule(S::Processing,            T::Settle,          G::NothingCaptured,     S::Authorized,            Some(E::Authorized)),
    rule(S::Processing,            T::Decline,         G::AttemptsLeft,        S::RequiresPaymentMethod, Some(E::Declined)),
    rule(S::Processing,            T::Decline,         G::AttemptsExhausted,   S::Canceled,              Some(E::Canceled)),
    // requires_capture
    rule(S::Authorized,            T::Capture,         G::Always,              S::Processing,            None),
    rule(S::Authorized,            T::Cancel,          G::Always,              S::Canceled,              Some(E::Reversed)),
    rule(S::Authorized,            T::Expire,          G::Always,              S::Canceled,              Some(E::Reversed)),
    // succeeded (refunds through the Refunds API; the wire status stays `succeeded`)
    rule(S::Succeeded,             T::Refund,          G::RefundLeavesBalance, S::PartiallyRefunded,     Some(E::Refunded)),
    rule(S::Succeeded,             T::Refund,          G::RefundCompletes,     S::Refunded,              Some(E::Refunded)),
    rule(S::PartiallyRefunded,     T::Refund,          G::RefundLeavesBalance, S::PartiallyRefunded,     Some(E::Refunded)),
    rule(S::PartiallyRefunded,     T::Refund,          G::RefundCompletes,     S::Refunded,              Some(E::Refunded)),
];
