//! Stripe's SetupIntents: `requires_payment_method`, `requires_confirmation`, `requires_action`,
//! `processing`, `canceled`, `succeeded` (Stripe's SetupIntent statuses; seed 003 covers PaymentIntents
//! only, so these rows follow Stripe's SetupIntent documentation).
//!
//! - A failed confirmation (decline, failed challenge, failed asynchronous verification) returns to
//!   `requires_payment_method` with `last_setup_error` (our `lastPaymentError`); SetupIntents are not
//!   auto-canceled after many attempts.
//! - **`succeeded` is final**: charging the saved card later is a PaymentIntent of its own and leaves the
//!   SetupIntent as it is; so does the card's expiry (the saved PaymentMethod expires, the SetupIntent does
//!   not change). Stripe has no `Completed`, `CardExpired` or `Closed`.
//! - **Cancel** is legal until the intent is `processing` or `succeeded`.
//! - SetupIntents do not expire by themselves.

use crate::core::lifecycle::setup::{
    setup_rule as rule, SetupHints, SetupRule, SetupStatus as S, SetupTriggerKind as T,
};
use crate::core::lifecycle::PaymentEventType as E;

/// Setup status → wire, one to one.
pub(super) const STATUSES: &[(S, &str)] = &[
    (S::RequiresPaymentMethod, "requires_payment_method"),
    (S::RequiresConfirmation, "requires_confirmation"),
    (S::RequiresAction, "requires_action"),
    (S::Processing, "processing"),
    (S::Saved, "succeeded"),
    (S::Canceled, "canceled"),
];

/// One to one: nothing to refine.
pub(super) fn refine(base: S, _hints: SetupHints) -> S {
    base
}

/// The Stripe setup table (17 rows).
#[rustfmt::skip]
pub(super) const TABLE: &[SetupRule] = &[
    // requires_payment_method
    rule(S::RequiresPaymentMethod, T::AttachPaymentMethod, S::RequiresConfirmation,  None),
    rule(S::RequiresPaymentMethod, T::Authorise,           S::Saved,                 Some(E::Authorized)),
    rule(S::RequiresPaymentMethod, T::Confirm,             S::Processing,            None),
    rule(S::RequiresPaymentMethod, T::Decline,             S::RequiresPaymentMethod, Some(E::Declined)),
    rule(S::RequiresPaymentMethod, T::RequireAction,       S::RequiresAction,        Some(E::AuthChallenged)),
    rule(S::RequiresPaymentMethod, T::Cancel,              S::Canceled,              Some(E::Canceled)),
    // requires_confirmation
    rule(S::RequiresConfirmation,  T::Authorise,           S::Saved,                 Some(E::Authorized)),
    rule(S::RequiresConfirmation,  T::Confirm,             S::Processing,            None),
    rule(S::RequiresConfirmation,  T::Decline,             S::RequiresPaymentMethod, Some(E::Declined)),
    rule(S::RequiresConfirmation,  T::RequireAction,       S::RequiresAction,        Some(E::AuthChallenged)),
    rule(S::RequiresConfirmation,  T::Cancel,              S::Canceled,              Some(E::Canceled)),
    // requires_action
    rule(S::RequiresAction,        T::ActionCompleted,     S::Saved,                 Some(E::Authorized)),
    rule(S::RequiresAction,        T::ActionFailed,        S::RequiresPaymentMethod, Some(E::Declined)),
    rule(S::RequiresAction,        T::Confirm,             S::Processing,            None),
    rule(S::RequiresAction,        T::Cancel,              S::Canceled,              Some(E::Canceled)),
    // processing
    rule(S::Processing,            T::Settle,              S::Saved,                 Some(E::Authorized)),
    rule(S::Processing,            T::Decline,             S::RequiresPaymentMethod, Some(E::Declined)),
];
