//! Setel's dialect: wire names and transitions from seed 004 ("How payment intents work").
//!
//! Choices where the seed is silent:
//! - **`requires_action`** is a listed status but "not yet supported … skipped": it parses, and `Cancel` from
//!   it is legal (cancel is allowed "at any point except processing or succeeded"), but no trigger enters it.
//! - **Direct capture** (`Auto`) goes from `requires_payment_method` straight to `processing` on `Authorise`;
//!   a wallet transaction (`Confirm`, `Auto` only) does the same. `Manual` holds in `authorised`; `Capture`
//!   moves it to `processing`; `Settle` ends in `succeeded`.
//! - **`failed` can be retried**: a decline, or a failure while `processing`, lands in `failed`; the seed does
//!   not call it final, and its cancel rule ("any point except processing or succeeded") includes `failed`,
//!   so a `failed` intent accepts a new attempt (same rows as `requires_payment_method`) or a cancel.
//! - **Hold expiry**: `authorised` → `expired` once 30 minutes have passed since the hold began.
//! - **Cancel** is legal from `requires_payment_method`, `requires_action`, `failed` and `authorised`; not from
//!   `processing`/`succeeded` (the seed) nor from `partially_refunded` (funds are settled; refund instead).
//! - **Refunds** accumulate `refundedAmount`: `partially_refunded` until it equals the captured amount, then
//!   `refunded`.

use crate::core::lifecycle::{
    rule, CanonicalStatus as S, Guard as G, PaymentEventType as E, Rule, StatusHints,
    TriggerKind as T,
};

/// Canonical → wire, one to one.
pub(super) const STATUSES: &[(S, &str)] = &[
    (S::RequiresPaymentMethod, "requires_payment_method"),
    (S::RequiresAction, "requires_action"),
    (S::Authorized, "authorised"),
    (S::Processing, "processing"),
    (S::Failed, "failed"),
    (S::Succeeded, "succeeded"),
    (S::Canceled, "cancelled"),
    (S::Expired, "expired"),
    (S::PartiallyRefunded, "partially_refunded"),
    (S::Refunded, "refunded"),
];

/// Setel's wire names are one to one: nothing to refine.
pub(super) fn refine(base: S, _hints: StatusHints) -> S {
    base
}

/// The Setel table (20 rows).
#[rustfmt::skip]
pub(super) const TABLE: &[Rule] = &[
    // requires_payment_method: direct capture / wallet go straight to processing; Manual holds.
    rule(S::RequiresPaymentMethod, T::Authorise,       G::AutoCapture,         S::Processing,            None),
    rule(S::RequiresPaymentMethod, T::Authorise,       G::ManualCapture,       S::Authorized,            Some(E::Authorized)),
    rule(S::RequiresPaymentMethod, T::Confirm,         G::AutoCapture,         S::Processing,            None),
    rule(S::RequiresPaymentMethod, T::Decline,         G::Always,              S::Failed,                Some(E::Declined)),
    rule(S::RequiresPaymentMethod, T::Cancel,          G::Always,              S::Canceled,              Some(E::Canceled)),
    // requires_action (not yet supported by Setel: only cancel leaves it)
    rule(S::RequiresAction,        T::Cancel,          G::Always,              S::Canceled,              Some(E::Canceled)),
    // failed: a new attempt or a cancel
    rule(S::Failed,                T::Authorise,       G::AutoCapture,         S::Processing,            None),
    rule(S::Failed,                T::Authorise,       G::ManualCapture,       S::Authorized,            Some(E::Authorized)),
    rule(S::Failed,                T::Confirm,         G::AutoCapture,         S::Processing,            None),
    rule(S::Failed,                T::Decline,         G::Always,              S::Failed,                Some(E::Declined)),
    rule(S::Failed,                T::Cancel,          G::Always,              S::Canceled,              Some(E::Canceled)),
    // authorised (hold, 30 minutes)
    rule(S::Authorized,            T::Capture,         G::Always,              S::Processing,            None),
    rule(S::Authorized,            T::Cancel,          G::Always,              S::Canceled,              Some(E::Reversed)),
    rule(S::Authorized,            T::Expire,          G::Always,              S::Expired,               Some(E::Reversed)),
    // processing
    rule(S::Processing,            T::Settle,          G::CaptureRequested,    S::Succeeded,             Some(E::Captured)),
    rule(S::Processing,            T::Decline,         G::Always,              S::Failed,                Some(E::Declined)),
    // succeeded / partially_refunded
    rule(S::Succeeded,             T::Refund,          G::RefundLeavesBalance, S::PartiallyRefunded,     Some(E::Refunded)),
    rule(S::Succeeded,             T::Refund,          G::RefundCompletes,     S::Refunded,              Some(E::Refunded)),
    rule(S::PartiallyRefunded,     T::Refund,          G::RefundLeavesBalance, S::PartiallyRefunded,     Some(E::Refunded)),
    rule(S::PartiallyRefunded,     T::Refund,          G::RefundCompletes,     S::Refunded,              Some(E::Refunded)),
];
