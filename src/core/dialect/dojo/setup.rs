//! Dojo's setup intents: wire names from `SetupIntentStatus` in Dojo's OpenAPI, transitions from Dojo's
//! setup-intent guide (Created → Authorized when the customer adds a card and consents; Authorized →
//! Completed once the merchant charged it; Expired, CardExpired, Canceled, Closed).
//!
//! Choices where the spec and guide are silent or loose:
//! - **3-D Secure keeps `Created`**, as for payments: canonically `RequiresAction`, told apart by
//!   `nextAction`; a failed challenge returns to `Created` with a `Declined` event and `lastPaymentError`.
//! - **A decline keeps `Created`** with `lastPaymentError`, so the customer can try another card.
//! - **Asynchronous verification** (the sandbox's card 0077): `Created` while processing, as for payments.
//! - **`CardExpired` comes from `Authorized`**: the guide's diagram also draws Created → CardExpired ("the
//!   card entered has passed the expiry date"), but an expired card never gets that far here (the core's
//!   card rules refuse it before anything is saved), so only a saved card that outlives its expiry date
//!   moves the intent.
//! - **Cancel** (`DELETE /setup-intents/{id}`) voids a `Created` intent (`Canceled`); an `Authorized` one
//!   is voided only when asked explicitly (`includeAuthorized`, from Dojo's guide; not in the 2025-09-10
//!   OpenAPI) and becomes `Closed`.
//! - **One charge**: `Completed` is final ("the setup intent cycle is complete"); a second charge needs a
//!   new setup intent (or the customer's saved card in a customer-initiated payment).
//! - **Expiry**: a setup intent without a card expires like an unpaid payment intent (`expireAt`, 30 days
//!   by default).

use crate::core::lifecycle::setup::{
    setup_rule as rule, SetupHints, SetupRule, SetupStatus as S, SetupTriggerKind as T,
};
use crate::core::lifecycle::PaymentEventType as E;

/// Setup status → wire. `Created` parses to `RequiresPaymentMethod`; [`refine`] reads `nextAction`.
pub(super) const STATUSES: &[(S, &str)] = &[
    (S::RequiresPaymentMethod, "Created"),
    (S::RequiresAction, "Created"),
    (S::Processing, "Created"),
    (S::Saved, "Authorized"),
    (S::Charged, "Completed"),
    (S::CardExpired, "CardExpired"),
    (S::Canceled, "Canceled"),
    (S::Expired, "Expired"),
    (S::Closed, "Closed"),
];

/// `Created` with a `nextAction` is challenged.
pub(super) fn refine(base: S, hints: SetupHints) -> S {
    match base {
        S::RequiresPaymentMethod if hints.next_action => S::RequiresAction,
        _ => base,
    }
}

/// The Dojo setup table (15 rows).
#[rustfmt::skip]
pub(super) const TABLE: &[SetupRule] = &[
    // Created: waiting for a card.
    rule(S::RequiresPaymentMethod, T::Authorise,       S::Saved,                 Some(E::Authorized)),
    rule(S::RequiresPaymentMethod, T::Decline,         S::RequiresPaymentMethod, Some(E::Declined)),
    rule(S::RequiresPaymentMethod, T::RequireAction,   S::RequiresAction,        Some(E::AuthChallenged)),
    rule(S::RequiresPaymentMethod, T::Confirm,         S::Processing,            None),
    rule(S::RequiresPaymentMethod, T::Cancel,          S::Canceled,              Some(E::Canceled)),
    rule(S::RequiresPaymentMethod, T::Expire,          S::Expired,               Some(E::Canceled)),
    // Created while challenged.
    rule(S::RequiresAction,        T::ActionCompleted, S::Saved,                 Some(E::Authorized)),
    rule(S::RequiresAction,        T::ActionFailed,    S::RequiresPaymentMethod, Some(E::Declined)),
    rule(S::RequiresAction,        T::Cancel,          S::Canceled,              Some(E::Canceled)),
    rule(S::RequiresAction,        T::Expire,          S::Expired,               Some(E::Canceled)),
    // Created while the verification settles.
    rule(S::Processing,            T::Settle,          S::Saved,                 Some(E::Authorized)),
    rule(S::Processing,            T::Decline,         S::RequiresPaymentMethod, Some(E::Declined)),
    // Authorized: the card is saved for the merchant's charge.
    rule(S::Saved,                 T::Charge,          S::Charged,               Some(E::Captured)),
    rule(S::Saved,                 T::Close,           S::Closed,                Some(E::Canceled)),
    rule(S::Saved,                 T::CardExpire,      S::CardExpired,           None),
];
