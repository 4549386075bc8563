//! The setup-intent lifecycle: saving a card for later charges by the merchant (Dojo's `SetupIntentStatus`,
//! Stripe's SetupIntent). Like the payment intent's, it is one canonical status set, a table per dialect
//! (`core/dialect/*/setup.rs`) and a pure, total [`apply`] with [`next_deadline`]; the sandbox applies it
//! and the page's mirror checks snapshots against it.
//!
//! No money moves while a card is set up (the card is verified, not charged): the charge is a payment
//! intent the merchant makes from the setup intent later (`setupIntentId`, `POST …/charge`), which moves
//! the setup intent on ([`SetupTrigger::Charge`]). Setel has no setup table: the seeds say nothing of
//! setup intents there ([`crate::core::dialect::Dialect::setup`] is `None`).

use std::fmt;

use super::{table, PaymentError, PaymentEventType};
use crate::core::dialect::Dialect;
use crate::core::time::{Duration, Timestamp};

/// The statuses of a setup intent, across dialects. Each dialect uses a subset.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum SetupStatus {
    /// Waiting for a card (Dojo `Created`, Stripe `requires_payment_method`).
    RequiresPaymentMethod,
    /// A card is attached; waiting for confirmation (Stripe only).
    RequiresConfirmation,
    /// Waiting for the customer's 3-D Secure challenge.
    RequiresAction,
    /// The card's verification is in flight.
    Processing,
    /// The card is verified and kept for the merchant's later charge (Dojo `Authorized`, Stripe
    /// `succeeded`).
    Saved,
    /// The merchant charged the saved card (Dojo `Completed`).
    Charged,
    /// The saved card passed its expiry date before it was charged (Dojo `CardExpired`).
    CardExpired,
    /// Voided before a card was saved (Dojo `Canceled`, Stripe `canceled`).
    Canceled,
    /// No card was saved before `expireAt` (Dojo `Expired`).
    Expired,
    /// Voided after the card was saved, without a charge (Dojo `Closed`).
    Closed,
}

impl SetupStatus {
    /// Every setup status.
    pub const ALL: [SetupStatus; 10] = [
        SetupStatus::RequiresPaymentMethod,
        SetupStatus::RequiresConfirmation,
        SetupStatus::RequiresAction,
        SetupStatus::Processing,
        SetupStatus::Saved,
        SetupStatus::Charged,
        SetupStatus::CardExpired,
        SetupStatus::Canceled,
        SetupStatus::Expired,
        SetupStatus::Closed,
    ];

    /// Stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            SetupStatus::RequiresPaymentMethod => "requires_payment_method",
            SetupStatus::RequiresConfirmation => "requires_confirmation",
            SetupStatus::RequiresAction => "requires_action",
            SetupStatus::Processing => "processing",
            SetupStatus::Saved => "saved",
            SetupStatus::Charged => "charged",
            SetupStatus::CardExpired => "card_expired",
            SetupStatus::Canceled => "canceled",
            SetupStatus::Expired => "expired",
            SetupStatus::Closed => "closed",
        }
    }

    /// The customer still has work to do (give a card, confirm, complete a challenge).
    pub fn needs_customer(self) -> bool {
        matches!(
            self,
            SetupStatus::RequiresPaymentMethod
                | SetupStatus::RequiresConfirmation
                | SetupStatus::RequiresAction
        )
    }
}

impl fmt::Display for SetupStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What happened to a setup intent: an input to [`apply`].
#[derive(Clone, PartialEq, Debug)]
pub enum SetupTrigger {
    /// A card was attached without confirming (Stripe).
    AttachPaymentMethod,
    /// The card's verification is asynchronous and now in flight.
    Confirm,
    /// The card was verified and saved.
    Authorise,
    /// The card was refused.
    Decline(PaymentError),
    /// The issuer asks for a 3-D Secure challenge.
    RequireAction,
    /// The customer passed the challenge: the card is saved.
    ActionCompleted,
    /// The customer failed or abandoned the challenge.
    ActionFailed(PaymentError),
    /// The asynchronous verification succeeded.
    Settle,
    /// The merchant charged the saved card through a payment intent made from this setup intent.
    Charge,
    /// The merchant voided the setup intent before a card was saved (Dojo `DELETE /setup-intents/{id}`).
    Cancel,
    /// The merchant voided it after the card was saved (Dojo: `DELETE` with `includeAuthorized`).
    Close,
    /// `expireAt` passed before a card was saved.
    Expire,
    /// The saved card's expiry date passed.
    CardExpire,
}

/// The kind of a [`SetupTrigger`], without its payload: the key of the setup tables.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SetupTriggerKind {
    AttachPaymentMethod,
    Confirm,
    Authorise,
    Decline,
    RequireAction,
    ActionCompleted,
    ActionFailed,
    Settle,
    Charge,
    Cancel,
    Close,
    Expire,
    CardExpire,
}

impl SetupTriggerKind {
    /// Every trigger kind.
    pub const ALL: [SetupTriggerKind; 13] = [
        SetupTriggerKind::AttachPaymentMethod,
        SetupTriggerKind::Confirm,
        SetupTriggerKind::Authorise,
        SetupTriggerKind::Decline,
        SetupTriggerKind::RequireAction,
        SetupTriggerKind::ActionCompleted,
        SetupTriggerKind::ActionFailed,
        SetupTriggerKind::Settle,
        SetupTriggerKind::Charge,
        SetupTriggerKind::Cancel,
        SetupTriggerKind::Close,
        SetupTriggerKind::Expire,
        SetupTriggerKind::CardExpire,
    ];

    /// Stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            SetupTriggerKind::AttachPaymentMethod => "attach_payment_method",
            SetupTriggerKind::Confirm => "confirm",
            SetupTriggerKind::Authorise => "authorise",
            SetupTriggerKind::Decline => "decline",
            SetupTriggerKind::RequireAction => "require_action",
            SetupTriggerKind::ActionCompleted => "action_completed",
            SetupTriggerKind::ActionFailed => "action_failed",
            SetupTriggerKind::Settle => "settle",
            SetupTriggerKind::Charge => "charge",
            SetupTriggerKind::Cancel => "cancel",
            SetupTriggerKind::Close => "close",
            SetupTriggerKind::Expire => "expire",
            SetupTriggerKind::CardExpire => "card_expire",
        }
    }
}

impl SetupTrigger {
    /// The table key of this trigger.
    pub fn kind(&self) -> SetupTriggerKind {
        use SetupTriggerKind as K;
        match self {
            SetupTrigger::AttachPaymentMethod => K::AttachPaymentMethod,
            SetupTrigger::Confirm => K::Confirm,
            SetupTrigger::Authorise => K::Authorise,
            SetupTrigger::Decline(_) => K::Decline,
            SetupTrigger::RequireAction => K::RequireAction,
            SetupTrigger::ActionCompleted => K::ActionCompleted,
            SetupTrigger::ActionFailed(_) => K::ActionFailed,
            SetupTrigger::Settle => K::Settle,
            SetupTrigger::Charge => K::Charge,
            SetupTrigger::Cancel => K::Cancel,
            SetupTrigger::Close => K::Close,
            SetupTrigger::Expire => K::Expire,
            SetupTrigger::CardExpire => K::CardExpire,
        }
    }
}

/// One row of a setup table: in `from`, on `trigger`, go to `to` and record `event`. No row needs a
/// guard: nothing about a setup intent but its status decides what may happen next.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SetupRule {
    pub from: SetupStatus,
    pub trigger: SetupTriggerKind,
    pub to: SetupStatus,
    /// Dojo's event for `setupEvents`, if any.
    pub event: Option<PaymentEventType>,
}

pub(crate) const fn setup_rule(
    from: SetupStatus,
    trigger: SetupTriggerKind,
    to: SetupStatus,
    event: Option<PaymentEventType>,
) -> SetupRule {
    SetupRule {
        from,
        trigger,
        to,
        event,
    }
}

/// What the rest of a snapshot says where one wire name covers several statuses.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SetupHints {
    /// The intent carries a `nextAction` (Dojo: `Created` while challenged is `RequiresAction`).
    pub next_action: bool,
}

/// One dialect's setup intents, as data.
pub struct SetupSpec {
    /// Setup status → wire name; the first pair with a wire name is what that name parses to.
    pub statuses: &'static [(SetupStatus, &'static str)],
    /// Every legal (from, trigger) → to.
    pub table: &'static [SetupRule],
    /// Picks the status where one wire name covers several.
    pub refine: fn(SetupStatus, SetupHints) -> SetupStatus,
    /// How long a setup intent waits for a card before it expires, when `expireAt` is not given.
    pub unsaved_ttl: Option<Duration>,
}

impl SetupSpec {
    /// The wire name of `status`, exactly as the dialect spells it.
    pub fn wire_name(&self, status: SetupStatus) -> Option<&'static str> {
        table::wire_name(self.statuses, status)
    }

    /// Parses a wire name (case-sensitive) to its base status.
    pub fn parse_status(&self, wire: &str) -> Option<SetupStatus> {
        table::parse_status(self.statuses, wire)
    }

    /// Parses and refines a wire name with what the rest of the snapshot says.
    pub fn resolve_status(&self, wire: &str, hints: SetupHints) -> Option<SetupStatus> {
        self.parse_status(wire).map(|s| (self.refine)(s, hints))
    }

    /// True if the dialect can express `status`.
    pub fn has_status(&self, status: SetupStatus) -> bool {
        self.wire_name(status).is_some()
    }

    /// In the dialect, and no trigger leaves it.
    pub fn is_terminal(&self, status: SetupStatus) -> bool {
        self.has_status(status) && !table::leaves(self.table, status)
    }

    /// True if the table has a path (of length ≥ 0) from `from` to `to` (polling can miss steps).
    pub fn can_reach(&self, from: SetupStatus, to: SetupStatus) -> bool {
        table::can_reach(self.table, from, to)
    }
}

/// Everything the setup rules need about one setup intent. Advanced only by [`apply`].
#[derive(Clone, PartialEq, Debug)]
pub struct SetupState {
    dialect: Dialect,
    status: SetupStatus,
    attempts: u32,
    created_at: Timestamp,
    expire_at: Option<Timestamp>,
    card_expires_at: Option<Timestamp>,
    last_error: Option<PaymentError>,
    last_failure_at: Option<Timestamp>,
}

/// Why [`apply`] (or [`SetupState::new`]) refused.
#[derive(Clone, PartialEq, Debug)]
pub enum SetupError {
    /// The dialect has no setup intents (Setel: the seeds say nothing of them).
    NoSetupIntents { dialect: Dialect },
    /// A wire status the dialect's setup intents do not have.
    UnknownStatus { dialect: Dialect, wire: String },
    /// The status is terminal: it absorbs every trigger.
    Terminal {
        status: SetupStatus,
        trigger: SetupTriggerKind,
    },
    /// The table has no row for (from, trigger).
    IllegalTransition {
        dialect: Dialect,
        from: SetupStatus,
        trigger: SetupTriggerKind,
    },
    /// A deadline trigger before its deadline (or with none).
    NotDue { due_at: Option<Timestamp> },
}

impl SetupError {
    /// Stable machine code (the payment lifecycle's codes, where they mean the same).
    pub fn code(&self) -> &'static str {
        match self {
            SetupError::NoSetupIntents { .. } => "no_setup_intents",
            SetupError::UnknownStatus { .. } => "unknown_status",
            SetupError::Terminal { .. } => "terminal_status",
            SetupError::IllegalTransition { .. } => "illegal_transition",
            SetupError::NotDue { .. } => "not_due",
        }
    }
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupError::NoSetupIntents { dialect } => {
                write!(f, "{} has no setup intents", dialect.name())
            }
            SetupError::UnknownStatus { dialect, wire } => {
                write!(f, "unknown {} setup status {:?}", dialect.name(), wire)
            }
            SetupError::Terminal { status, trigger } => {
                write!(f, "{status} is terminal; cannot {}", trigger.name())
            }
            SetupError::IllegalTransition {
                dialect,
                from,
                trigger,
            } => write!(
                f,
                "{}: cannot {} a setup intent from {from}",
                dialect.name(),
                trigger.name()
            ),
            SetupError::NotDue { .. } => f.write_str("deadline not reached"),
        }
    }
}

impl std::error::Error for SetupError {}

/// The result of a legal [`apply`].
#[must_use]
#[derive(Clone, PartialEq, Debug)]
pub struct SetupTransition {
    pub from: SetupStatus,
    pub to: SetupStatus,
    pub rule: SetupRule,
    pub event: Option<PaymentEventType>,
    pub state: SetupState,
}

fn spec(dialect: Dialect) -> Result<&'static SetupSpec, SetupError> {
    dialect
        .setup()
        .ok_or(SetupError::NoSetupIntents { dialect })
}

impl SetupState {
    /// A fresh setup intent created at `now`, waiting for a card; it expires after the dialect's default
    /// (Dojo: 30 days, as a payment intent's `expireAt`) unless [`SetupState::with_expire_at`] says else.
    pub fn new(dialect: Dialect, now: Timestamp) -> Result<SetupState, SetupError> {
        let spec = spec(dialect)?;
        Ok(SetupState {
            dialect,
            status: SetupStatus::RequiresPaymentMethod,
            attempts: 0,
            created_at: now,
            expire_at: spec.unsaved_ttl.map(|d| now.saturating_add(d)),
            card_expires_at: None,
            last_error: None,
            last_failure_at: None,
        })
    }

    /// When an unsaved setup intent expires; `None` for never.
    pub fn with_expire_at(mut self, at: Option<Timestamp>) -> Self {
        self.expire_at = at;
        self
    }

    /// When the saved card stops being usable: the first instant after its expiry month (UTC). Set by the
    /// sandbox when the card is saved (or with the card, before).
    pub fn with_card_expiry(mut self, at: Option<Timestamp>) -> Self {
        self.card_expires_at = at;
        self
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }
    pub fn status(&self) -> SetupStatus {
        self.status
    }
    /// The wire name of the status in the dialect.
    pub fn wire_status(&self) -> &'static str {
        // ok: `status` is always in the dialect (constructors and table invariant); "" is unreachable.
        spec(self.dialect)
            .ok()
            .and_then(|s| s.wire_name(self.status))
            .unwrap_or("")
    }
    /// Verification attempts made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }
    pub fn expire_at(&self) -> Option<Timestamp> {
        self.expire_at
    }
    pub fn card_expires_at(&self) -> Option<Timestamp> {
        self.card_expires_at
    }
    pub fn last_error(&self) -> Option<&PaymentError> {
        self.last_error.as_ref()
    }
    pub fn last_failure_at(&self) -> Option<Timestamp> {
        self.last_failure_at
    }
    /// True if no trigger can change this state.
    pub fn is_terminal(&self) -> bool {
        spec(self.dialect).is_ok_and(|s| s.is_terminal(self.status))
    }
}

/// When the next time-driven trigger is due: `expireAt` while no card is saved, the card's expiry once
/// it is. Only where the dialect's table has a row for it.
pub fn next_deadline(state: &SetupState) -> Option<(Timestamp, SetupTrigger)> {
    let rows = spec(state.dialect).ok()?.table;
    let has = |k: SetupTriggerKind| table::rows(rows, state.status, k).next().is_some();
    if has(SetupTriggerKind::Expire) {
        return state.expire_at.map(|at| (at, SetupTrigger::Expire));
    }
    if has(SetupTriggerKind::CardExpire) {
        return state
            .card_expires_at
            .map(|at| (at, SetupTrigger::CardExpire));
    }
    None
}

/// Applies `trigger` at `now`. Pure and total: the next state or a typed error.
pub fn apply(
    state: &SetupState,
    trigger: SetupTrigger,
    now: Timestamp,
) -> Result<SetupTransition, SetupError> {
    let kind = trigger.kind();
    let spec = spec(state.dialect)?;
    let from = state.status;
    if spec.is_terminal(from) {
        return Err(SetupError::Terminal {
            status: from,
            trigger: kind,
        });
    }
    let rule = table::rows(spec.table, from, kind).next().copied().ok_or(
        SetupError::IllegalTransition {
            dialect: state.dialect,
            from,
            trigger: kind,
        },
    )?;
    if matches!(
        kind,
        SetupTriggerKind::Expire | SetupTriggerKind::CardExpire
    ) {
        let due = next_deadline(state)
            .filter(|(_, t)| t.kind() == kind)
            .map(|(at, _)| at);
        match due {
            Some(at) if now >= at => {}
            _ => return Err(SetupError::NotDue { due_at: due }),
        }
    }
    let mut next = state.clone();
    if from.needs_customer()
        && matches!(
            kind,
            SetupTriggerKind::Confirm
                | SetupTriggerKind::Authorise
                | SetupTriggerKind::Decline
                | SetupTriggerKind::RequireAction
        )
    {
        next.attempts = next.attempts.saturating_add(1);
    }
    match &trigger {
        SetupTrigger::Decline(e) | SetupTrigger::ActionFailed(e) => {
            next.last_error = Some(e.clone());
            next.last_failure_at = Some(now);
        }
        _ if rule.to == SetupStatus::Saved || rule.to == SetupStatus::Processing => {
            next.last_error = None;
        }
        _ => {}
    }
    next.status = rule.to;
    Ok(SetupTransition {
        from,
        to: rule.to,
        rule,
        event: rule.event,
        state: next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(ms)
    }

    fn run(d: Dialect, steps: &[SetupTrigger]) -> Result<SetupState, SetupError> {
        let mut s = SetupState::new(d, t(0))?;
        for (i, trig) in steps.iter().enumerate() {
            s = apply(&s, trig.clone(), t(i as i64 + 1))?.state;
        }
        Ok(s)
    }

    #[test]
    fn a_card_is_saved_then_charged_in_dojo() {
        let s = run(
            Dialect::Dojo,
            &[
                SetupTrigger::Decline(PaymentError::new("card_declined")),
                SetupTrigger::RequireAction,
                SetupTrigger::ActionCompleted,
                SetupTrigger::Charge,
            ],
        )
        .unwrap();
        assert_eq!(s.status(), SetupStatus::Charged);
        assert_eq!(s.wire_status(), "Completed");
        assert!(s.is_terminal());
        assert_eq!(s.attempts(), 2);
        assert_eq!(s.last_error(), None, "a saved card clears the decline");
    }

    #[test]
    fn stripe_keeps_succeeded_for_good_and_setel_has_no_setup_intents() {
        let s = run(
            Dialect::Stripe,
            &[SetupTrigger::AttachPaymentMethod, SetupTrigger::Authorise],
        )
        .unwrap();
        assert_eq!(s.wire_status(), "succeeded");
        assert!(
            s.is_terminal(),
            "a succeeded Stripe SetupIntent never changes"
        );
        assert_eq!(
            apply(&s, SetupTrigger::Charge, t(9)).unwrap_err().code(),
            "terminal_status"
        );
        assert_eq!(
            SetupState::new(Dialect::Setel, t(0)).unwrap_err(),
            SetupError::NoSetupIntents {
                dialect: Dialect::Setel
            }
        );
    }

    #[test]
    fn deadlines_expire_the_wait_and_the_card() {
        let fresh = SetupState::new(Dialect::Dojo, t(0))
            .unwrap()
            .with_expire_at(Some(t(100)));
        assert_eq!(next_deadline(&fresh).map(|(at, _)| at), Some(t(100)));
        assert_eq!(
            apply(&fresh, SetupTrigger::Expire, t(99)).unwrap_err(),
            SetupError::NotDue {
                due_at: Some(t(100))
            }
        );
        let expired = apply(&fresh, SetupTrigger::Expire, t(100)).unwrap().state;
        assert_eq!(expired.wire_status(), "Expired");
        let saved = apply(&fresh, SetupTrigger::Authorise, t(5))
            .unwrap()
            .state
            .with_card_expiry(Some(t(1_000)));
        assert_eq!(
            next_deadline(&saved).map(|(at, tr)| (at, tr.kind())),
            Some((t(1_000), SetupTriggerKind::CardExpire))
        );
        assert!(apply(&saved, SetupTrigger::Expire, t(2_000)).is_err());
        let gone = apply(&saved, SetupTrigger::CardExpire, t(1_000))
            .unwrap()
            .state;
        assert_eq!(gone.wire_status(), "CardExpired");
        assert_eq!(next_deadline(&gone), None);
    }

    /// The setup tables as prose says them (the dialects' module docs), written as a match, not copied
    /// from the tables: what each (status, trigger) leads to, `None` where it is illegal.
    fn model(d: Dialect, from: SetupStatus, k: SetupTriggerKind) -> Option<SetupStatus> {
        use SetupStatus as S;
        use SetupTriggerKind as K;
        let waiting = matches!(from, S::RequiresPaymentMethod | S::RequiresConfirmation);
        match (d, from, k) {
            (Dialect::Stripe, S::RequiresPaymentMethod, K::AttachPaymentMethod) => {
                Some(S::RequiresConfirmation)
            }
            (Dialect::Stripe, S::RequiresAction, K::Confirm) => Some(S::Processing),
            (
                Dialect::Stripe,
                S::RequiresPaymentMethod | S::RequiresConfirmation | S::RequiresAction,
                K::Cancel,
            ) => Some(S::Canceled),
            (Dialect::Dojo, S::RequiresPaymentMethod | S::RequiresAction, K::Cancel) => {
                Some(S::Canceled)
            }
            (Dialect::Dojo, S::RequiresPaymentMethod | S::RequiresAction, K::Expire) => {
                Some(S::Expired)
            }
            (Dialect::Dojo, S::Saved, K::Charge) => Some(S::Charged),
            (Dialect::Dojo, S::Saved, K::Close) => Some(S::Closed),
            (Dialect::Dojo, S::Saved, K::CardExpire) => Some(S::CardExpired),
            (_, _, K::Authorise) if waiting => Some(S::Saved),
            (_, _, K::Decline) if waiting || from == S::Processing => {
                Some(S::RequiresPaymentMethod)
            }
            (_, _, K::RequireAction) if waiting => Some(S::RequiresAction),
            (_, _, K::Confirm) if waiting => Some(S::Processing),
            (_, S::RequiresAction, K::ActionCompleted) => Some(S::Saved),
            (_, S::RequiresAction, K::ActionFailed) => Some(S::RequiresPaymentMethod),
            (_, S::Processing, K::Settle) => Some(S::Saved),
            _ => None,
        }
    }

    fn sample(k: SetupTriggerKind) -> SetupTrigger {
        use SetupTriggerKind as K;
        match k {
            K::AttachPaymentMethod => SetupTrigger::AttachPaymentMethod,
            K::Confirm => SetupTrigger::Confirm,
            K::Authorise => SetupTrigger::Authorise,
            K::Decline => SetupTrigger::Decline(PaymentError::new("card_declined")),
            K::RequireAction => SetupTrigger::RequireAction,
            K::ActionCompleted => SetupTrigger::ActionCompleted,
            K::ActionFailed => {
                SetupTrigger::ActionFailed(PaymentError::new("authentication_failed"))
            }
            K::Settle => SetupTrigger::Settle,
            K::Charge => SetupTrigger::Charge,
            K::Cancel => SetupTrigger::Cancel,
            K::Close => SetupTrigger::Close,
            K::Expire => SetupTrigger::Expire,
            K::CardExpire => SetupTrigger::CardExpire,
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// `apply` agrees with the prose model on every step, legal or not; statuses stay in the dialect;
        /// terminal states absorb everything; attempts count the customer's tries; a due deadline always has
        /// a legal trigger; a refused step changes nothing.
        #[test]
        fn setup_lifecycle_matches_the_prose(
            stripe in proptest::prelude::any::<bool>(),
            steps in proptest::collection::vec((0usize..SetupTriggerKind::ALL.len(), 0i64..50), 0..40),
        ) {
            let d = if stripe { Dialect::Stripe } else { Dialect::Dojo };
            let spec = d.setup().expect("setup intents");
            let mut st = SetupState::new(d, t(0)).unwrap().with_expire_at(Some(t(500))).with_card_expiry(Some(t(900)));
            let mut attempts = 0;
            let mut now = 0;
            for (i, dt) in steps {
                now += dt;
                let k = SetupTriggerKind::ALL[i];
                let before = st.clone();
                let due = next_deadline(&st).filter(|(_, tr)| tr.kind() == k).is_some_and(|(at, _)| t(now) >= at);
                let deadline = matches!(k, SetupTriggerKind::Expire | SetupTriggerKind::CardExpire);
                let want = model(d, before.status(), k).filter(|_| !deadline || due);
                match apply(&st, sample(k), t(now)) {
                    Ok(tr) => {
                        proptest::prop_assert_eq!(Some(tr.to), want, "{:?} {:?} from {:?}", d, k, before.status());
                        proptest::prop_assert!(spec.table.contains(&tr.rule));
                        if before.status().needs_customer() && matches!(k, SetupTriggerKind::Confirm | SetupTriggerKind::Authorise | SetupTriggerKind::Decline | SetupTriggerKind::RequireAction) {
                            attempts += 1;
                        }
                        st = tr.state;
                    }
                    Err(e) => {
                        proptest::prop_assert_eq!(want, None, "{:?} refused {:?} from {:?}: {}", d, k, before.status(), e);
                        if spec.is_terminal(before.status()) {
                            proptest::prop_assert_eq!(e.code(), "terminal_status");
                        }
                        proptest::prop_assert_eq!(&st, &before);
                    }
                }
                proptest::prop_assert!(spec.has_status(st.status()));
                proptest::prop_assert_eq!(st.attempts(), attempts);
                proptest::prop_assert_eq!(st.is_terminal(), spec.is_terminal(st.status()));
                if let Some((at, tr)) = next_deadline(&st) {
                    proptest::prop_assert!(apply(&st, tr, at).is_ok(), "a due deadline is legal");
                }
            }
        }
    }
}
