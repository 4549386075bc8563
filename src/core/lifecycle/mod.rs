//! The payment-intent lifecycle: one canonical status set, a wire dialect per system (Dojo, Stripe, Setel),
//! and per-dialect transition tables as data, driven by the pure, total [`apply`] and [`next_deadline`].
//!
//! Architecture invariant: the tables in `core/dialect/*/lifecycle.rs` are the only place that says what is
//! legal; the sandbox and the SDK both call [`apply`], so they cannot disagree.
//!
//! Tables: Dojo 24 rows, Stripe 32, Setel 20 (`Dialect::table`). Choices between or beyond the seeds are
//! written next to each table; in short:
//! - Dojo has no `Failed` on the wire (API enum wins over seed 000): a decline stays `Created` with a
//!   `Declined` event and `lastPaymentError`, and can be restarted (with a fresh token, seed 000's tip).
//! - Dojo 3-D Secure stays `Created` on the wire (canonical `RequiresAction`, told apart by `nextAction`).
//! - Dojo's pre-authorised sub-states: awaiting collection = `Authorized`, released = `Reversed`,
//!   expired = `Expired` (wire `Reversed`; or captured when `autoExpireAction` is `Capture`).
//! - Dojo cancel only before any attempt (seed 000); unpaid intents are voided at `expireAt` (30 days).
//! - Dojo partial refunds keep `Captured`; `Refunded` once everything captured is refunded.
//! - Stripe auto-cancel after `DEFAULT_MAX_CONFIRMATION_ATTEMPTS` (10, configurable) confirmations; refunds
//!   leave `succeeded` on the wire; holds expire to `canceled` after 7 days (not in the seed).
//! - Setel `failed` accepts a new attempt or a cancel; `requires_action` is parsed but never entered.
//! - Asynchronous processing exists in every dialect (Dojo: wire `Created`), as the sandbox simulates it.

pub mod setup;
pub(crate) mod table;

use std::fmt;

pub use crate::core::dialect::Dialect;
use crate::core::money::{Money, MoneyError};
use crate::core::time::{Duration, Timestamp};

/// The statuses every dialect maps onto. Each dialect uses a subset (see [`Dialect::statuses`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum CanonicalStatus {
    /// Waiting for a payment method / a (new) payment attempt.
    RequiresPaymentMethod,
    /// A payment method is attached; waiting for confirmation (Stripe only).
    RequiresConfirmation,
    /// Waiting for the customer to complete an action such as a 3-D Secure challenge.
    RequiresAction,
    /// An asynchronous payment or capture is in flight.
    Processing,
    /// Authorised and held; waiting for capture (Dojo's "awaiting collection").
    Authorized,
    /// Funds collected.
    Succeeded,
    /// Funds collected and some (not all) refunded.
    PartiallyRefunded,
    /// Everything collected has been refunded.
    Refunded,
    /// Authorisation released or collected payment reversed (Dojo's "released").
    Reversed,
    /// Voided; no further attempts.
    Canceled,
    /// A hold ran out of time (Dojo's pre-authorised "expired", Setel's `expired`).
    Expired,
    /// The attempt failed and the intent is finished (Setel's `failed`).
    Failed,
}

impl CanonicalStatus {
    /// Every canonical status.
    pub const ALL: [CanonicalStatus; 12] = [
        CanonicalStatus::RequiresPaymentMethod,
        CanonicalStatus::RequiresConfirmation,
        CanonicalStatus::RequiresAction,
        CanonicalStatus::Processing,
        CanonicalStatus::Authorized,
        CanonicalStatus::Succeeded,
        CanonicalStatus::PartiallyRefunded,
        CanonicalStatus::Refunded,
        CanonicalStatus::Reversed,
        CanonicalStatus::Canceled,
        CanonicalStatus::Expired,
        CanonicalStatus::Failed,
    ];

    /// Stable snake_case name (what the SDK puts in events).
    pub fn name(self) -> &'static str {
        match self {
            CanonicalStatus::RequiresPaymentMethod => "requires_payment_method",
            CanonicalStatus::RequiresConfirmation => "requires_confirmation",
            CanonicalStatus::RequiresAction => "requires_action",
            CanonicalStatus::Processing => "processing",
            CanonicalStatus::Authorized => "authorized",
            CanonicalStatus::Succeeded => "succeeded",
            CanonicalStatus::PartiallyRefunded => "partially_refunded",
            CanonicalStatus::Refunded => "refunded",
            CanonicalStatus::Reversed => "reversed",
            CanonicalStatus::Canceled => "canceled",
            CanonicalStatus::Expired => "expired",
            CanonicalStatus::Failed => "failed",
        }
    }

    /// True while the page still has work to do (collect a method, confirm, complete an action).
    pub fn needs_customer(self) -> bool {
        matches!(
            self,
            CanonicalStatus::RequiresPaymentMethod
                | CanonicalStatus::RequiresConfirmation
                | CanonicalStatus::RequiresAction
        )
    }

    /// True once the customer's payment went through (held or collected), whatever happened after.
    pub fn is_paid(self) -> bool {
        matches!(
            self,
            CanonicalStatus::Authorized
                | CanonicalStatus::Succeeded
                | CanonicalStatus::PartiallyRefunded
                | CanonicalStatus::Refunded
        )
    }
}

impl fmt::Display for CanonicalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How an authorised payment is captured (Dojo's `captureMode`; Stripe's `capture_method`).
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, Debug, Default, serde::Serialize, serde::Deserialize,
)]
pub enum CaptureMode {
    /// Captured as soon as it is authorised (the default).
    #[default]
    Auto,
    /// Held; captured only on request (or by the expiry action).
    Manual,
}

/// What happens when a `Manual` hold runs out of time (Dojo's `autoExpireAction`).
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, Debug, Default, serde::Serialize, serde::Deserialize,
)]
pub enum AutoExpireAction {
    /// Release the hold (seed 002: "automatically reversed" after 7 days). The default.
    #[default]
    Release,
    /// Capture the held amount.
    Capture,
}

/// Dojo's payment event names (`paymentEventType`); the sandbox records one per transition.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
pub enum PaymentEventType {
    /// Intent created.
    Created,
    /// Authorised (manual capture: now held).
    Authorized,
    /// Funds captured.
    Captured,
    /// Hold released or payment reversed.
    Reversed,
    /// A refund went through.
    Refunded,
    /// Intent voided.
    Canceled,
    /// A 3-D Secure challenge was started.
    AuthChallenged,
    /// The attempt was declined (or its challenge failed).
    Declined,
    /// A manual authorisation is ready to capture.
    ManualAuthReady,
    /// A processing error.
    Error,
    /// Anything else (tolerated on input).
    #[serde(other)]
    Unknown,
}

impl PaymentEventType {
    /// The event type named `name` (Dojo's spelling, as serialised); `Unknown` for any other name, as the
    /// derived `Deserialize` does. For decoders that do without serde.
    pub fn from_name(name: &str) -> PaymentEventType {
        use PaymentEventType::*;
        match name {
            "Created" => Created,
            "Authorized" => Authorized,
            "Captured" => Captured,
            "Reversed" => Reversed,
            "Refunded" => Refunded,
            "Canceled" => Canceled,
            "AuthChallenged" => AuthChallenged,
            "Declined" => Declined,
            "ManualAuthReady" => ManualAuthReady,
            "Error" => Error,
            _ => Unknown,
        }
    }
}

/// Why the last attempt failed, as the API reports it (`lastPaymentError`).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentError {
    /// Machine code, e.g. `card_declined`.
    pub code: String,
    /// Issuer's reason, e.g. `insufficient_funds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_code: Option<String>,
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl PaymentError {
    /// An error with just a code.
    pub fn new(code: &str) -> Self {
        PaymentError {
            code: code.to_owned(),
            decline_code: None,
            message: None,
        }
    }
}

/// What happened to an intent: an input to [`apply`].
#[derive(Clone, PartialEq, Debug)]
pub enum Trigger {
    /// A payment method was attached without confirming (Stripe: `requires_confirmation`).
    AttachPaymentMethod,
    /// A payment with an asynchronous method (bank debit, wallet) was confirmed and is now processing.
    Confirm,
    /// The attempt was authorised synchronously (cards).
    Authorise,
    /// The attempt was declined (or an asynchronous payment failed).
    Decline(PaymentError),
    /// The attempt needs a customer action (3-D Secure).
    RequireAction,
    /// The customer completed the action; the payment is authorised.
    ActionCompleted,
    /// The customer failed or abandoned the action.
    ActionFailed(PaymentError),
    /// The asynchronous processing finished successfully.
    Settle,
    /// Capture a held authorisation: all of it (`None`) or part of it.
    Capture(Option<Money>),
    /// Reverse: release a hold or reverse a collected payment (Dojo).
    Reverse,
    /// Refund this much of what was captured.
    Refund(Money),
    /// Void the intent.
    Cancel,
    /// Time passed a deadline (see [`next_deadline`]); rejected with `not_due` before it.
    Expire,
}

/// The kind of a [`Trigger`], without its payload: the key of the transition tables.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TriggerKind {
    /// [`Trigger::AttachPaymentMethod`]
    AttachPaymentMethod,
    /// [`Trigger::Confirm`]
    Confirm,
    /// [`Trigger::Authorise`]
    Authorise,
    /// [`Trigger::Decline`]
    Decline,
    /// [`Trigger::RequireAction`]
    RequireAction,
    /// [`Trigger::ActionCompleted`]
    ActionCompleted,
    /// [`Trigger::ActionFailed`]
    ActionFailed,
    /// [`Trigger::Settle`]
    Settle,
    /// [`Trigger::Capture`]
    Capture,
    /// [`Trigger::Reverse`]
    Reverse,
    /// [`Trigger::Refund`]
    Refund,
    /// [`Trigger::Cancel`]
    Cancel,
    /// [`Trigger::Expire`]
    Expire,
}

impl TriggerKind {
    /// Every trigger kind.
    pub const ALL: [TriggerKind; 13] = [
        TriggerKind::AttachPaymentMethod,
        TriggerKind::Confirm,
        TriggerKind::Authorise,
        TriggerKind::Decline,
        TriggerKind::RequireAction,
        TriggerKind::ActionCompleted,
        TriggerKind::ActionFailed,
        TriggerKind::Settle,
        TriggerKind::Capture,
        TriggerKind::Reverse,
        TriggerKind::Refund,
        TriggerKind::Cancel,
        TriggerKind::Expire,
    ];

    /// Stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            TriggerKind::AttachPaymentMethod => "attach_payment_method",
            TriggerKind::Confirm => "confirm",
            TriggerKind::Authorise => "authorise",
            TriggerKind::Decline => "decline",
            TriggerKind::RequireAction => "require_action",
            TriggerKind::ActionCompleted => "action_completed",
            TriggerKind::ActionFailed => "action_failed",
            TriggerKind::Settle => "settle",
            TriggerKind::Capture => "capture",
            TriggerKind::Reverse => "reverse",
            TriggerKind::Refund => "refund",
            TriggerKind::Cancel => "cancel",
            TriggerKind::Expire => "expire",
        }
    }
}

impl Trigger {
    /// The table key of this trigger.
    pub fn kind(&self) -> TriggerKind {
        match self {
            Trigger::AttachPaymentMethod => TriggerKind::AttachPaymentMethod,
            Trigger::Confirm => TriggerKind::Confirm,
            Trigger::Authorise => TriggerKind::Authorise,
            Trigger::Decline(_) => TriggerKind::Decline,
            Trigger::RequireAction => TriggerKind::RequireAction,
            Trigger::ActionCompleted => TriggerKind::ActionCompleted,
            Trigger::ActionFailed(_) => TriggerKind::ActionFailed,
            Trigger::Settle => TriggerKind::Settle,
            Trigger::Capture(_) => TriggerKind::Capture,
            Trigger::Reverse => TriggerKind::Reverse,
            Trigger::Refund(_) => TriggerKind::Refund,
            Trigger::Cancel => TriggerKind::Cancel,
            Trigger::Expire => TriggerKind::Expire,
        }
    }
}

/// A condition on a table row, evaluated against the state (after counting the attempt) and the trigger.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Guard {
    /// No condition.
    Always,
    /// `captureMode` is `Auto`.
    AutoCapture,
    /// `captureMode` is `Manual`.
    ManualCapture,
    /// No payment attempt has been made yet (Dojo: cancel is "before any payment attempt").
    NoAttemptYet,
    /// Confirmation attempts are below the auto-cancel limit (Stripe).
    AttemptsLeft,
    /// Confirmation attempts reached the auto-cancel limit (Stripe).
    AttemptsExhausted,
    /// After this refund something captured is still unrefunded.
    RefundLeavesBalance,
    /// This refund brings the refunded total to what was captured.
    RefundCompletes,
    /// The expiry action is `Release`.
    ReleaseOnExpiry,
    /// The expiry action is `Capture`.
    CaptureOnExpiry,
    /// A capture was requested (or implied by `Auto`) before processing.
    CaptureRequested,
    /// Nothing was captured yet (a `Manual` asynchronous payment).
    NothingCaptured,
}

impl Guard {
    /// Stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Guard::Always => "always",
            Guard::AutoCapture => "auto_capture",
            Guard::ManualCapture => "manual_capture",
            Guard::NoAttemptYet => "no_attempt_yet",
            Guard::AttemptsLeft => "attempts_left",
            Guard::AttemptsExhausted => "attempts_exhausted",
            Guard::RefundLeavesBalance => "refund_leaves_balance",
            Guard::RefundCompletes => "refund_completes",
            Guard::ReleaseOnExpiry => "release_on_expiry",
            Guard::CaptureOnExpiry => "capture_on_expiry",
            Guard::CaptureRequested => "capture_requested",
            Guard::NothingCaptured => "nothing_captured",
        }
    }
}

/// One row of a transition table: in `from`, on `trigger`, if `guard` holds, go to `to` (and record `event`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Rule {
    /// Status before.
    pub from: CanonicalStatus,
    /// Trigger kind.
    pub trigger: TriggerKind,
    /// Condition; rows with the same `from` and `trigger` are tried in order.
    pub guard: Guard,
    /// Status after.
    pub to: CanonicalStatus,
    /// The Dojo payment event the sandbox records, if any.
    pub event: Option<PaymentEventType>,
}

pub(crate) const fn rule(
    from: CanonicalStatus,
    trigger: TriggerKind,
    guard: Guard,
    to: CanonicalStatus,
    event: Option<PaymentEventType>,
) -> Rule {
    Rule {
        from,
        trigger,
        guard,
        to,
        event,
    }
}

/// Stripe's limit is not published (the seed lost the words); 10 is our default, configurable per intent.
pub const DEFAULT_MAX_CONFIRMATION_ATTEMPTS: u32 = 10;

/// Hints that pick the canonical status where a wire name covers several (see [`Dialect::resolve_status`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct StatusHints {
    /// The intent carries a `nextAction` (Dojo: `Created` while challenged is `RequiresAction`).
    pub next_action: bool,
    /// Captured minor units.
    pub captured: i64,
    /// Refunded minor units.
    pub refunded: i64,
}

/// Everything the rules need about one intent. Built by [`LifecycleState::new`] (a fresh intent) or from a
/// snapshot (`PaymentIntent::lifecycle_state`), and advanced only by [`apply`].
///
/// Invariants: `0 <= refunded <= captured <= amount`, all in `amount`'s currency; `status` is in `dialect`.
#[derive(Clone, PartialEq, Debug)]
pub struct LifecycleState {
    pub(in crate::core) dialect: Dialect,
    pub(in crate::core) capture_mode: CaptureMode,
    pub(in crate::core) status: CanonicalStatus,
    pub(in crate::core) amount: Money,
    pub(in crate::core) captured: i64,
    pub(in crate::core) refunded: i64,
    pub(in crate::core) attempts: u32,
    pub(in crate::core) max_attempts: u32,
    pub(in crate::core) created_at: Timestamp,
    pub(in crate::core) expire_at: Option<Timestamp>,
    pub(in crate::core) hold_started_at: Option<Timestamp>,
    pub(in crate::core) hold_ttl: Option<Duration>,
    pub(in crate::core) auto_expire_action: AutoExpireAction,
    pub(in crate::core) last_error: Option<PaymentError>,
    pub(in crate::core) last_failure_at: Option<Timestamp>,
}

impl LifecycleState {
    /// A fresh intent for `amount` (the total to authorise, tips included), created at `now`:
    /// status `RequiresPaymentMethod`, dialect defaults for hold time, void time and attempt limit.
    pub fn new(dialect: Dialect, capture_mode: CaptureMode, amount: Money, now: Timestamp) -> Self {
        LifecycleState {
            dialect,
            capture_mode,
            status: CanonicalStatus::RequiresPaymentMethod,
            amount,
            captured: 0,
            refunded: 0,
            attempts: 0,
            max_attempts: DEFAULT_MAX_CONFIRMATION_ATTEMPTS,
            created_at: now,
            expire_at: dialect.default_unpaid_ttl().map(|d| now.saturating_add(d)),
            hold_started_at: None,
            hold_ttl: dialect.default_hold_ttl(),
            auto_expire_action: AutoExpireAction::Release,
            last_error: None,
            last_failure_at: None,
        }
    }

    /// Sets Stripe's auto-cancel limit on confirmation attempts (at least 1).
    pub fn with_max_confirmation_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Sets when an unpaid intent is voided (Dojo `expireAt`); `None` for never.
    pub fn with_expire_at(mut self, at: Option<Timestamp>) -> Self {
        self.expire_at = at;
        self
    }

    /// Sets how long a hold lasts (Dojo `autoExpireIn`); `None` for forever.
    pub fn with_hold_ttl(mut self, ttl: Option<Duration>) -> Self {
        self.hold_ttl = ttl;
        self
    }

    /// Sets what happens when a hold runs out (Dojo `autoExpireAction`).
    pub fn with_auto_expire_action(mut self, action: AutoExpireAction) -> Self {
        self.auto_expire_action = action;
        self
    }

    /// Changes the amount (Dojo `customAmountAllowed`/`tipsAllowed`: "while active, before capture"):
    /// only while the customer has not paid yet, and in the same currency.
    pub fn with_amount(&self, amount: Money) -> Result<Self, LifecycleError> {
        self.amount
            .same_currency(&amount)
            .map_err(LifecycleError::Money)?;
        if !self.status.needs_customer() {
            return Err(LifecycleError::AmountLocked {
                status: self.status,
            });
        }
        if amount.is_zero() {
            return Err(LifecycleError::InvalidAmount);
        }
        let mut next = self.clone();
        next.amount = amount;
        Ok(next)
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }
    /// Capture mode.
    pub fn capture_mode(&self) -> CaptureMode {
        self.capture_mode
    }
    /// Current canonical status.
    pub fn status(&self) -> CanonicalStatus {
        self.status
    }
    /// Current wire name in the dialect.
    pub fn wire_status(&self) -> &'static str {
        // ok: `status` is always in `dialect` (constructor and table invariant); "" is unreachable.
        self.dialect.wire_name(self.status).unwrap_or("")
    }
    /// Amount to authorise (tips included).
    pub fn amount(&self) -> Money {
        self.amount
    }
    /// Captured so far, in minor units of `amount`'s currency.
    pub fn captured(&self) -> i64 {
        self.captured
    }
    /// Refunded so far, in minor units.
    pub fn refunded(&self) -> i64 {
        self.refunded
    }
    /// Payment attempts made (confirmations, in Stripe's words).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
    /// Auto-cancel limit on attempts (Stripe).
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }
    /// When the intent was created.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }
    /// When an unpaid intent is voided, if ever.
    pub fn expire_at(&self) -> Option<Timestamp> {
        self.expire_at
    }
    /// When the current hold started.
    pub fn hold_started_at(&self) -> Option<Timestamp> {
        self.hold_started_at
    }
    /// The last payment error (kept across a retry, as Stripe does).
    pub fn last_error(&self) -> Option<&PaymentError> {
        self.last_error.as_ref()
    }
    /// When the last attempt failed.
    pub fn last_failure_at(&self) -> Option<Timestamp> {
        self.last_failure_at
    }
    /// True if no trigger can change this state.
    pub fn is_terminal(&self) -> bool {
        self.dialect.is_terminal(self.status)
    }
}

/// The result of a legal [`apply`]: the state after, and what to record.
#[must_use]
#[derive(Clone, PartialEq, Debug)]
pub struct Transition {
    /// Status before.
    pub from: CanonicalStatus,
    /// Status after (may equal `from`, e.g. a Dojo decline stays `Created`).
    pub to: CanonicalStatus,
    /// What happened.
    pub trigger: TriggerKind,
    /// The table row that allowed it.
    pub rule: Rule,
    /// Dojo payment event to record, if any.
    pub event: Option<PaymentEventType>,
    /// The state after the transition.
    pub state: LifecycleState,
}

/// Why [`apply`] (or a status lookup) refused.
#[derive(Clone, PartialEq, Debug)]
pub enum LifecycleError {
    /// A wire status the dialect does not have.
    UnknownStatus {
        /// Dialect asked.
        dialect: Dialect,
        /// The wire name (cut to 64 characters).
        wire: String,
    },
    /// A canonical status the dialect cannot express.
    StatusNotInDialect {
        /// Dialect asked.
        dialect: Dialect,
        /// The status.
        status: CanonicalStatus,
    },
    /// The status is terminal: it absorbs every trigger.
    Terminal {
        /// The terminal status.
        status: CanonicalStatus,
        /// What was tried.
        trigger: TriggerKind,
    },
    /// The table has no row for (from, trigger).
    IllegalTransition {
        /// Dialect.
        dialect: Dialect,
        /// Status.
        from: CanonicalStatus,
        /// What was tried.
        trigger: TriggerKind,
    },
    /// Rows exist for (from, trigger) but none of their conditions holds.
    ConditionNotMet {
        /// Status.
        from: CanonicalStatus,
        /// What was tried.
        trigger: TriggerKind,
        /// The first row's guard.
        guard: Guard,
    },
    /// `Expire` before its deadline (or with no deadline).
    NotDue {
        /// When it will be due, if ever.
        due_at: Option<Timestamp>,
    },
    /// A capture or refund of zero.
    InvalidAmount,
    /// Capture of more than was authorised.
    CaptureExceedsAuthorized {
        /// Asked, minor units.
        requested: i64,
        /// Available, minor units.
        available: i64,
    },
    /// Refund of more than is left of what was captured.
    RefundExceedsCaptured {
        /// Asked, minor units.
        requested: i64,
        /// Captured minus already refunded, minor units.
        available: i64,
    },
    /// The amount can no longer change (the customer has paid).
    AmountLocked {
        /// Status.
        status: CanonicalStatus,
    },
    /// Currency mismatch or bad arithmetic.
    Money(MoneyError),
}

impl LifecycleError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            LifecycleError::UnknownStatus { .. } => "unknown_status",
            LifecycleError::StatusNotInDialect { .. } => "status_not_in_dialect",
            LifecycleError::Terminal { .. } => "terminal_status",
            LifecycleError::IllegalTransition { .. } => "illegal_transition",
            LifecycleError::ConditionNotMet { .. } => "condition_not_met",
            LifecycleError::NotDue { .. } => "not_due",
            LifecycleError::InvalidAmount => "invalid_amount",
            LifecycleError::CaptureExceedsAuthorized { .. } => "capture_exceeds_authorized",
            LifecycleError::RefundExceedsCaptured { .. } => "refund_exceeds_captured",
            LifecycleError::AmountLocked { .. } => "amount_locked",
            LifecycleError::Money(e) => e.code(),
        }
    }
}

impl fmt::Display for LifecycleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LifecycleError::UnknownStatus { dialect, wire } => {
                write!(f, "unknown {} status {:?}", dialect.name(), wire)
            }
            LifecycleError::StatusNotInDialect { dialect, status } => {
                write!(f, "{} has no status {}", dialect.name(), status)
            }
            LifecycleError::Terminal { status, trigger } => {
                write!(f, "{} is terminal; cannot {}", status, trigger.name())
            }
            LifecycleError::IllegalTransition {
                dialect,
                from,
                trigger,
            } => write!(
                f,
                "{}: cannot {} from {}",
                dialect.name(),
                trigger.name(),
                from
            ),
            LifecycleError::ConditionNotMet {
                from,
                trigger,
                guard,
            } => write!(
                f,
                "cannot {} from {}: needs {}",
                trigger.name(),
                from,
                guard.name()
            ),
            LifecycleError::NotDue { .. } => f.write_str("deadline not reached"),
            LifecycleError::InvalidAmount => f.write_str("amount must be positive"),
            LifecycleError::CaptureExceedsAuthorized {
                requested,
                available,
            } => write!(f, "capture {requested} exceeds authorised {available}"),
            LifecycleError::RefundExceedsCaptured {
                requested,
                available,
            } => write!(f, "refund {requested} exceeds refundable {available}"),
            LifecycleError::AmountLocked { status } => {
                write!(f, "amount cannot change in {status}")
            }
            LifecycleError::Money(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for LifecycleError {}

/// When the next time-driven trigger is due, if any: the void deadline of an unpaid intent (Dojo
/// `expireAt`) or the end of a hold (Dojo 7 days / `autoExpireIn`, Setel 30 minutes). The sandbox's
/// clock calls [`apply`] with the returned trigger once `now >= deadline`.
pub fn next_deadline(state: &LifecycleState) -> Option<(Timestamp, Trigger)> {
    let has_expire_row = table::rows(state.dialect.table(), state.status, TriggerKind::Expire)
        .next()
        .is_some();
    if !has_expire_row {
        return None;
    }
    let at = if state.status == CanonicalStatus::Authorized {
        state.hold_started_at?.saturating_add(state.hold_ttl?)
    } else {
        state.expire_at?
    };
    Some((at, Trigger::Expire))
}

/// Applies `trigger` to `state` at `now`. Pure and total: returns the next state or a typed error.
pub fn apply(
    state: &LifecycleState,
    trigger: Trigger,
    now: Timestamp,
) -> Result<Transition, LifecycleError> {
    let kind = trigger.kind();
    let rules = state.dialect.table();
    let from = state.status;
    if !table::leaves(rules, from) {
        return Err(LifecycleError::Terminal {
            status: from,
            trigger: kind,
        });
    }
    let mut rows = table::rows(rules, from, kind).peekable();
    let first = match rows.peek() {
        Some(r) => **r,
        None => {
            return Err(LifecycleError::IllegalTransition {
                dialect: state.dialect,
                from,
                trigger: kind,
            })
        }
    };

    let mut next = state.clone();
    let counts_attempt = matches!(
        kind,
        TriggerKind::Confirm
            | TriggerKind::Authorise
            | TriggerKind::Decline
            | TriggerKind::RequireAction
    ) && matches!(
        from,
        CanonicalStatus::RequiresPaymentMethod
            | CanonicalStatus::RequiresConfirmation
            | CanonicalStatus::Failed
    );
    if counts_attempt {
        next.attempts = next.attempts.saturating_add(1);
    }

    // Payload checks come before guards: a bad amount is the more useful error.
    let mut refund = 0i64;
    match &trigger {
        Trigger::Capture(amount) => {
            // From a hold the capture starts at zero; a further (Dojo) capture adds to what was captured.
            let already = if from == CanonicalStatus::Authorized {
                0
            } else {
                state.captured
            };
            let available = state.amount.minor_units().saturating_sub(already);
            let requested = match amount {
                Some(m) => {
                    state
                        .amount
                        .same_currency(m)
                        .map_err(LifecycleError::Money)?;
                    m.minor_units()
                }
                None => available,
            };
            if requested <= 0 && available > 0 {
                return Err(LifecycleError::InvalidAmount);
            }
            if requested <= 0 || requested > available {
                return Err(LifecycleError::CaptureExceedsAuthorized {
                    requested,
                    available,
                });
            }
            next.captured = already.saturating_add(requested);
        }
        Trigger::Refund(amount) => {
            state
                .amount
                .same_currency(amount)
                .map_err(LifecycleError::Money)?;
            if amount.is_zero() {
                return Err(LifecycleError::InvalidAmount);
            }
            let available = state.captured.saturating_sub(state.refunded);
            if amount.minor_units() > available {
                return Err(LifecycleError::RefundExceedsCaptured {
                    requested: amount.minor_units(),
                    available,
                });
            }
            refund = amount.minor_units();
        }
        Trigger::Expire => {
            let due = next_deadline(state).map(|(at, _)| at);
            match due {
                Some(at) if now >= at => {}
                _ => return Err(LifecycleError::NotDue { due_at: due }),
            }
        }
        _ => {}
    }

    let holds = |g: Guard| match g {
        Guard::Always => true,
        Guard::AutoCapture => state.capture_mode == CaptureMode::Auto,
        Guard::ManualCapture => state.capture_mode == CaptureMode::Manual,
        Guard::NoAttemptYet => state.attempts == 0,
        Guard::AttemptsLeft => next.attempts < state.max_attempts,
        Guard::AttemptsExhausted => next.attempts >= state.max_attempts,
        Guard::RefundLeavesBalance => state.refunded.saturating_add(refund) < state.captured,
        Guard::RefundCompletes => state.refunded.saturating_add(refund) == state.captured,
        Guard::ReleaseOnExpiry => state.auto_expire_action == AutoExpireAction::Release,
        Guard::CaptureOnExpiry => state.auto_expire_action == AutoExpireAction::Capture,
        Guard::CaptureRequested => state.captured > 0,
        Guard::NothingCaptured => state.captured == 0,
    };
    let rule = match rows.find(|r| holds(r.guard)) {
        Some(r) => *r,
        None => {
            return Err(LifecycleError::ConditionNotMet {
                from,
                trigger: kind,
                guard: first.guard,
            })
        }
    };

    // Effects, generic over dialects.
    match &trigger {
        Trigger::Authorise | Trigger::ActionCompleted | Trigger::Confirm
            if state.capture_mode == CaptureMode::Auto =>
        {
            next.captured = state.amount.minor_units();
        }
        Trigger::Decline(e) | Trigger::ActionFailed(e) => {
            next.last_error = Some(e.clone());
            next.last_failure_at = Some(now);
            next.captured = 0;
        }
        Trigger::Expire if rule.guard == Guard::CaptureOnExpiry => {
            next.captured = state.amount.minor_units();
        }
        Trigger::Refund(_) => next.refunded = state.refunded.saturating_add(refund),
        _ => {}
    }
    if rule.to == CanonicalStatus::Authorized && from != CanonicalStatus::Authorized {
        next.hold_started_at = Some(now);
    }
    if matches!(
        rule.to,
        CanonicalStatus::Authorized | CanonicalStatus::Succeeded | CanonicalStatus::Processing
    ) && !matches!(
        from,
        CanonicalStatus::Authorized | CanonicalStatus::Processing
    ) {
        next.last_error = None;
    }
    next.status = rule.to;
    Ok(Transition {
        from,
        to: rule.to,
        trigger: kind,
        rule,
        event: rule.event,
        state: next,
    })
}

#[cfg(test)]
mod tests;
