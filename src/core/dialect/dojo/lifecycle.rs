//! Dojo's dialect: wire names from `PaymentIntentStatus` in Dojo's OpenAPI, and the transition table
//! from seeds 000 (states, capture modes, pre-authorised sub-states), 001 (browser flow) and 002 (captures).
//!
//! Choices where the seeds are silent or disagree:
//! - **No `Failed` on the wire.** Seed 000 lists `Failed`, Dojo's API enum does not. The API is the contract
//!   (the sandbox's responses must validate against it), so `"Failed"` is an unknown status. A declined
//!   attempt leaves the intent `Created` (canonical `RequiresPaymentMethod`, event `Declined`, `lastPaymentError`
//!   set) so it can be restarted, as seed 000's tip ("restarting an unsuccessful payment intent") implies.
//!   Seed 000's "failure in pre-authorization results in cancelation" is not a separate trigger: the API has
//!   no such check, and treating every decline as a cancelation would contradict the restart tip.
//! - **3-D Secure keeps `Created`.** While challenged the wire status stays `Created` (event `AuthChallenged`);
//!   canonically it is `RequiresAction`, recognised on snapshots by the presence of `nextAction`.
//! - **Pre-authorised sub-states** (seed 000) are canonical statuses of a `Manual` intent: awaiting collection
//!   = `Authorized`; released (merchant reversal) = `Reversed`; expired (7 days, seed 002 "automatically
//!   reversed") = `Expired`, whose wire name is `Reversed`. `autoExpireAction: Capture` captures instead.
//! - **Cancel** ("voided before any payment attempt made") only while no attempt was made; an unpaid intent
//!   is also voided (`Canceled`) when `expireAt` passes (30 days by default). A held payment is released with
//!   `Reverse`, not `Cancel` (Dojo's API has a reversal endpoint and no cancel endpoint).
//! - **Refunds**: a partial refund leaves the wire status `Captured` (canonical `PartiallyRefunded`, told apart
//!   by `refundedAmount > 0`); the status becomes `Refunded` when `refundedAmount` reaches the captured amount
//!   (seed 000: `Refunded` is "collected and afterwards refunded"). `Reverse` after capture is legal (seed 000:
//!   "collected and afterwards reversed").
//! - **Several captures**: Dojo's API allows "multiple partial captures on the same total", so a `Manual`
//!   intent that is `Captured` accepts further captures up to the authorised amount.
//! - **Asynchronous methods**: the seeds are silent and Dojo's enum has no processing value; the sandbox
//!   simulates asynchronous settlement in every dialect, so `Confirm` → `Processing` exists with wire name
//!   `Created`, and `Settle`/`Decline` leave it as in Stripe (a failure returns to `Created`).

use crate::core::lifecycle::{
    rule, CanonicalStatus as S, Guard as G, PaymentEventType as E, Rule, StatusHints,
    TriggerKind as T,
};

/// Canonical → wire. `Created` parses to `RequiresPaymentMethod`, `Captured` to `Succeeded`, `Reversed` to
/// `Reversed`; [`refine`] refines the first two with `nextAction` and `refundedAmount`.
pub(super) const STATUSES: &[(S, &str)] = &[
    (S::RequiresPaymentMethod, "Created"),
    (S::RequiresAction, "Created"),
    (S::Authorized, "Authorized"),
    (S::Succeeded, "Captured"),
    (S::PartiallyRefunded, "Captured"),
    (S::Refunded, "Refunded"),
    (S::Processing, "Created"),
    (S::Reversed, "Reversed"),
    (S::Expired, "Reversed"),
    (S::Canceled, "Canceled"),
];

/// Dojo's wire names cover several canonical statuses: `Created` with a `nextAction` is challenged
/// (`RequiresAction`); `Captured` with some (not all) refunded is `PartiallyRefunded`.
pub(super) fn refine(base: S, hints: StatusHints) -> S {
    match base {
        S::RequiresPaymentMethod if hints.next_action => S::RequiresAction,
        S::Succeeded if hints.refunded > 0 && hints.refunded < hints.captured => {
            S::PartiallyRefunded
        }
        _ => base,
    }
}

/// The Dojo table (24 rows).
#[rustfmt::skip]
pub(super) const TABLE: &[Rule] = &[
    // Created: attempts. Auto captures at once; Manual holds for up to 7 days (or `autoExpireIn`).
    rule(S::RequiresPaymentMethod, T::Authorise,       G::AutoCapture,         S::Succeeded,             Some(E::Captured)),
    rule(S::RequiresPaymentMethod, T::Authorise,       G::ManualCapture,       S::Authorized,            Some(E::Authorized)),
    rule(S::RequiresPaymentMethod, T::Decline,         G::Always,              S::RequiresPaymentMethod, Some(E::Declined)),
    rule(S::RequiresPaymentMethod, T::RequireAction,   G::Always,              S::RequiresAction,        Some(E::AuthChallenged)),
    rule(S::RequiresPaymentMethod, T::Confirm,         G::Always,              S::Processing,            None),
    rule(S::RequiresPaymentMethod, T::Cancel,          G::NoAttemptYet,        S::Canceled,              Some(E::Canceled)),
    rule(S::RequiresPaymentMethod, T::Expire,          G::Always,              S::Canceled,              Some(E::Canceled)),
    // Created while challenged (3-D Secure).
    rule(S::RequiresAction,        T::ActionCompleted, G::AutoCapture,         S::Succeeded,             Some(E::Captured)),
    rule(S::RequiresAction,        T::ActionCompleted, G::ManualCapture,       S::Authorized,            Some(E::Authorized)),
    rule(S::RequiresAction,        T::ActionFailed,    G::Always,              S::RequiresPaymentMethod, Some(E::Declined)),
    rule(S::RequiresAction,        T::Expire,          G::Always,              S::Canceled,              Some(E::Canceled)),
    // Created while an asynchronous payment is processing.
    rule(S::Processing,            T::Settle,          G::CaptureRequested,    S::Succeeded,             Some(E::Captured)),
    rule(S::Processing,            T::Settle,          G::NothingCaptured,     S::Authorized,            Some(E::Authorized)),
    rule(S::Processing,            T::Decline,         G::Always,              S::RequiresPaymentMethod, Some(E::Declined)),
    // Authorized: pre-authorised, awaiting collection.
    rule(S::Authorized,            T::Capture,         G::Always,              S::Succeeded,             Some(E::Captured)),
    rule(S::Authorized,            T::Reverse,         G::Always,              S::Reversed,              Some(E::Reversed)),
    rule(S::Authorized,            T::Expire,          G::ReleaseOnExpiry,     S::Expired,               Some(E::Reversed)),
    rule(S::Authorized,            T::Expire,          G::CaptureOnExpiry,     S::Succeeded,             Some(E::Captured)),
    // Captured.
    rule(S::Succeeded,             T::Capture,         G::ManualCapture,       S::Succeeded,             Some(E::Captured)),
    rule(S::Succeeded,             T::Reverse,         G::Always,              S::Reversed,              Some(E::Reversed)),
    rule(S::Succeeded,             T::Refund,          G::RefundLeavesBalance, S::PartiallyRefunded,     Some(E::Refunded)),
    rule(S::Succeeded,             T::Refund,          G::RefundCompletes,     S::Refunded,              Some(E::Refunded)),
    rule(S::PartiallyRefunded,     T::Refund,          G::RefundLeavesBalance, S::PartiallyRefunded,     Some(E::Refunded)),
    rule(S::PartiallyRefunded,     T::Refund,          G::RefundCompletes,     S::Refunded,              Some(E::Refunded)),
];
