//! The state mirror: the page's copy of the last known intent. It alone orders snapshots (by `version`, then
//! `updatedAt`), classifies them (canonical status, and the page's [`Phase`]) and says what changed: each
//! snapshot is [`Applied::Stale`], [`Applied::Rejected`] or [`Applied::Taken`] with typed [`Change`]s, from
//! which the page's events are built.
//!
//! The server is the authority: a snapshot whose status change has no path in the dialect's table is still
//! taken, and flagged with [`Change::UnexpectedTransition`].

use std::cmp::Ordering;

use crate::core::intent::setup::SetupIntent;
use crate::core::intent::{NextAction, PaymentIntent};
use crate::core::lifecycle::setup::SetupStatus;
use crate::core::lifecycle::{
    CanonicalStatus, Dialect, LifecycleError, LifecycleState, PaymentError,
};
use crate::core::money::Money;
use crate::core::time::Timestamp;
use crate::core::token::{refresh_needed, ConnectToken, RefreshReason, SecretString};

/// Which amount changed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AmountField {
    /// `amount`
    Amount,
    /// `tipsAmount`
    Tips,
    /// `totalAmount`
    Total,
    /// `refundedAmount`
    Refunded,
    /// `capturedAmount`
    Captured,
    /// A setup intent's `intendedAmount`.
    Intended,
    /// A setup intent's `chargedAmount`.
    Charged,
}

impl AmountField {
    /// The wire field name.
    pub fn name(self) -> &'static str {
        match self {
            AmountField::Amount => "amount",
            AmountField::Tips => "tipsAmount",
            AmountField::Total => "totalAmount",
            AmountField::Refunded => "refundedAmount",
            AmountField::Captured => "capturedAmount",
            AmountField::Intended => "intendedAmount",
            AmountField::Charged => "chargedAmount",
        }
    }
}

/// One difference between the previous snapshot and the accepted one (the first snapshot is compared with
/// nothing, so every present field is reported).
#[derive(Clone, PartialEq, Debug)]
pub enum Change {
    /// The status changed (wire or canonical).
    Status {
        /// Canonical status before (`None` for the first snapshot).
        from: Option<AnyStatus>,
        /// Wire status before.
        from_wire: Option<String>,
        /// Canonical status now.
        to: AnyStatus,
        /// Wire status now.
        to_wire: String,
    },
    /// The status change has no path in the dialect's table. The snapshot was still taken.
    UnexpectedTransition {
        /// Canonical status before.
        from: AnyStatus,
        /// Canonical status now.
        to: AnyStatus,
    },
    /// An amount changed (refunded/captured are given in the intent's currency).
    Amount {
        /// Which one.
        field: AmountField,
        /// Before.
        from: Option<Money>,
        /// Now.
        to: Option<Money>,
    },
    /// `nextAction` appeared, changed or went away.
    NextAction {
        /// Before.
        from: Option<NextAction>,
        /// Now.
        to: Option<NextAction>,
    },
    /// `lastPaymentError` appeared, changed or went away.
    Error {
        /// Before.
        from: Option<PaymentError>,
        /// Now.
        to: Option<PaymentError>,
    },
    /// The connect token in the snapshot changed (the secret itself is never in a change).
    Token {
        /// Expiry of the new token, if it has one.
        expires_at: Option<Timestamp>,
    },
    /// Another field the page may show changed (`reference`, `description`, `config`, `expireAt`,
    /// `paymentEvents`, `customer`, `billingAddress`, `shippingDetails`, `itemLines`, `taxLines`,
    /// `paymentMethods`, `merchantConfig`, `cashbackAmount`, `serviceChargeAmount`).
    Field {
        /// The wire field name.
        name: &'static str,
    },
}

impl Change {
    /// Stable snake_case name of the change kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Status { .. } => "status",
            Change::UnexpectedTransition { .. } => "unexpected_transition",
            Change::Amount { .. } => "amount",
            Change::NextAction { .. } => "next_action",
            Change::Error { .. } => "error",
            Change::Token { .. } => "token",
            Change::Field { .. } => "field",
        }
    }

    /// The top-level wire field this change is about, if it is one the page's view shows (the token is
    /// never in the view).
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Change::Status { .. } => Some("status"),
            Change::Amount { field, .. } => Some(field.name()),
            Change::NextAction { .. } => Some("nextAction"),
            Change::Error { .. } => Some("lastPaymentError"),
            Change::Field { name } => Some(name),
            Change::UnexpectedTransition { .. } | Change::Token { .. } => None,
        }
    }
}

/// What the mirror did with a snapshot.
#[derive(Clone, PartialEq, Debug)]
pub enum Applied {
    /// Not newer than the current snapshot (older, or a duplicate): dropped.
    Stale,
    /// Refused and not taken: another intent's id (`foreign_intent`) or a status the dialect does not
    /// have (`unknown_status`).
    Rejected {
        /// Stable machine code.
        code: &'static str,
    },
    /// Taken; what changed (empty when a newer snapshot changed nothing the mirror tracks).
    Taken(Vec<Change>),
}

impl Applied {
    /// The changes of a taken snapshot; none otherwise.
    pub fn changes(&self) -> &[Change] {
        match self {
            Applied::Taken(c) => c,
            Applied::Stale | Applied::Rejected { .. } => &[],
        }
    }

    /// How many changes were taken.
    pub fn len(&self) -> usize {
        self.changes().len()
    }

    /// Nothing was taken, or nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes().is_empty()
    }
}

/// Where an intent stands for the page's checkout (dialect-independent): the canonical status folded into
/// the states the page acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for a payment method (Dojo `Created`, Stripe/Setel `requires_payment_method`).
    Payable,
    /// A customer action (3-D Secure) is pending.
    RequiresAction,
    /// The payment is settling asynchronously.
    Processing,
    /// Authorised, waiting for the merchant to capture: paid from the page's view, but still moving.
    Authorized,
    /// Money collected.
    Succeeded,
    /// The last attempt failed; a new attempt may still be allowed.
    Failed,
    Canceled,
    Expired,
    /// Reversed or refunded after success (a setup intent: voided after its card was saved).
    Closed,
    /// A setup intent's card is saved for the merchant's later charge.
    Saved,
    /// The merchant charged a setup intent's saved card.
    Charged,
    /// A setup intent's saved card passed its expiry date.
    CardExpired,
}

impl Phase {
    /// The page's phase for a canonical status (which already tells a challenge from a plain `Created`).
    pub fn of(status: CanonicalStatus) -> Phase {
        use CanonicalStatus as S;
        match status {
            S::RequiresPaymentMethod | S::RequiresConfirmation => Phase::Payable,
            S::RequiresAction => Phase::RequiresAction,
            S::Processing => Phase::Processing,
            S::Authorized => Phase::Authorized,
            S::Succeeded => Phase::Succeeded,
            S::PartiallyRefunded | S::Refunded | S::Reversed => Phase::Closed,
            S::Canceled => Phase::Canceled,
            S::Expired => Phase::Expired,
            S::Failed => Phase::Failed,
        }
    }

    /// The page's phase for a setup intent's status.
    pub fn of_setup(status: SetupStatus) -> Phase {
        use SetupStatus as S;
        match status {
            S::RequiresPaymentMethod | S::RequiresConfirmation => Phase::Payable,
            S::RequiresAction => Phase::RequiresAction,
            S::Processing => Phase::Processing,
            S::Saved => Phase::Saved,
            S::Charged => Phase::Charged,
            S::CardExpired => Phase::CardExpired,
            S::Canceled => Phase::Canceled,
            S::Expired => Phase::Expired,
            S::Closed => Phase::Closed,
        }
    }

    /// No further change can come from the page's side or the payment: stop following. (A saved card
    /// still waits for the merchant's charge or its expiry; the mirror's `is_terminal` says when a
    /// dialect's saved card never changes again.)
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Phase::Succeeded
                | Phase::Canceled
                | Phase::Expired
                | Phase::Closed
                | Phase::Charged
                | Phase::CardExpired
        )
    }

    /// A payment attempt may start.
    pub fn is_payable(self) -> bool {
        matches!(self, Phase::Payable | Phase::Failed)
    }

    /// Paid from the page's view (held or collected), or for a setup intent: the card is saved (or was
    /// charged since).
    pub fn is_paid(self) -> bool {
        matches!(
            self,
            Phase::Authorized | Phase::Succeeded | Phase::Saved | Phase::Charged
        )
    }

    /// The page vocabulary (`detail.canonical`, the widget's states): derived from [`CanonicalStatus`] but
    /// coarser, and kept stable because the widget and its tests use `requires_capture` and `closed`.
    pub fn canonical(self) -> &'static str {
        match self {
            Phase::Payable => "requires_payment_method",
            Phase::RequiresAction => "requires_action",
            Phase::Processing => "processing",
            Phase::Authorized => "requires_capture",
            Phase::Succeeded => "succeeded",
            Phase::Failed => "failed",
            Phase::Canceled => "canceled",
            Phase::Expired => "expired",
            Phase::Closed => "closed",
            Phase::Saved => "saved",
            Phase::Charged => "charged",
            Phase::CardExpired => "card_expired",
        }
    }
}

/// A status the mirror classified: a payment intent's or a setup intent's.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AnyStatus {
    Payment(CanonicalStatus),
    Setup(SetupStatus),
}

impl AnyStatus {
    /// Stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            AnyStatus::Payment(s) => s.name(),
            AnyStatus::Setup(s) => s.name(),
        }
    }

    /// The page's phase.
    pub fn phase(self) -> Phase {
        match self {
            AnyStatus::Payment(s) => Phase::of(s),
            AnyStatus::Setup(s) => Phase::of_setup(s),
        }
    }

    /// True if `dialect`'s table has a path from `self` to `to` (of the same kind).
    fn can_reach(self, dialect: Dialect, to: AnyStatus) -> bool {
        match (self, to) {
            (AnyStatus::Payment(a), AnyStatus::Payment(b)) => dialect.can_reach(a, b),
            (AnyStatus::Setup(a), AnyStatus::Setup(b)) => {
                dialect.setup().is_some_and(|s| s.can_reach(a, b))
            }
            _ => false,
        }
    }

    fn is_terminal(self, dialect: Dialect) -> bool {
        match self {
            AnyStatus::Payment(s) => dialect.is_terminal(s),
            AnyStatus::Setup(s) => dialect.setup().is_some_and(|spec| spec.is_terminal(s)),
        }
    }
}

/// What the mirror follows: one payment intent, or one setup intent.
#[derive(Clone, Debug)]
enum Document {
    Payment(PaymentIntent),
    Setup(SetupIntent),
}

impl Document {
    fn id(&self) -> &str {
        match self {
            Document::Payment(p) => &p.id,
            Document::Setup(s) => &s.id,
        }
    }
    fn order_key(&self) -> (Option<u64>, Timestamp) {
        match self {
            Document::Payment(p) => (p.version, p.updated_at),
            Document::Setup(s) => (s.version, s.updated_at),
        }
    }
    fn wire_status(&self) -> &str {
        match self {
            Document::Payment(p) => &p.status,
            Document::Setup(s) => &s.status,
        }
    }
    fn status(&self, dialect: Dialect) -> Result<AnyStatus, &'static str> {
        match self {
            Document::Payment(p) => p
                .canonical_status(dialect)
                .map(AnyStatus::Payment)
                .map_err(|e| e.code()),
            Document::Setup(s) => s
                .setup_status(dialect)
                .map(AnyStatus::Setup)
                .map_err(|e| e.code()),
        }
    }
    fn next_action(&self) -> Option<&NextAction> {
        match self {
            Document::Payment(p) => p.next_action.as_ref(),
            Document::Setup(s) => s.next_action.as_ref(),
        }
    }
    fn last_error(&self) -> Option<&PaymentError> {
        match self {
            Document::Payment(p) => p.last_payment_error.as_ref(),
            Document::Setup(s) => s.last_payment_error.as_ref(),
        }
    }
    fn secret(&self) -> (Option<&SecretString>, Option<Timestamp>) {
        match self {
            Document::Payment(p) => (
                p.client_session_secret.as_ref(),
                p.client_session_secret_expiration_date,
            ),
            Document::Setup(s) => (
                s.client_session_secret.as_ref(),
                s.client_session_secret_expiration_date,
            ),
        }
    }
    fn updated_at(&self) -> Timestamp {
        self.order_key().1
    }
}

/// The page's copy of one intent (a payment intent or a setup intent, whichever the first snapshot was).
#[derive(Clone, Debug)]
pub struct Mirror {
    dialect: Dialect,
    current: Option<Document>,
    status: Option<AnyStatus>,
}

/// Order of two snapshots of one intent: by `version` when both have one, then by `updatedAt`.
pub fn snapshot_order(a: &PaymentIntent, b: &PaymentIntent) -> Ordering {
    order((a.version, a.updated_at), (b.version, b.updated_at))
}

fn order(a: (Option<u64>, Timestamp), b: (Option<u64>, Timestamp)) -> Ordering {
    let by_version = match (a.0, b.0) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => Ordering::Equal,
    };
    by_version.then(a.1.cmp(&b.1))
}

impl Mirror {
    /// An empty mirror for `dialect`; the first snapshot binds it to an intent id.
    pub fn new(dialect: Dialect) -> Self {
        Mirror {
            dialect,
            current: None,
            status: None,
        }
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The last accepted snapshot, if it is a payment intent's.
    pub fn current(&self) -> Option<&PaymentIntent> {
        match &self.current {
            Some(Document::Payment(p)) => Some(p),
            _ => None,
        }
    }

    /// The last accepted snapshot, if it is a setup intent's.
    pub fn current_setup(&self) -> Option<&SetupIntent> {
        match &self.current {
            Some(Document::Setup(s)) => Some(s),
            _ => None,
        }
    }

    /// Canonical status of the last accepted payment intent snapshot.
    pub fn status(&self) -> Option<CanonicalStatus> {
        match self.status {
            Some(AnyStatus::Payment(s)) => Some(s),
            _ => None,
        }
    }

    /// Status of the last accepted snapshot, of either kind.
    pub fn any_status(&self) -> Option<AnyStatus> {
        self.status
    }

    /// The page's phase of the last accepted snapshot. An unpaid intent voided because its `expireAt`
    /// passed (Dojo says `Canceled`; the change came at or after `expireAt`) is `Expired` for the page:
    /// the customer is told it expired, not that someone cancelled it.
    pub fn phase(&self) -> Option<Phase> {
        let status = self.status?;
        // A payment intent voided at its expiry is expired for the page.
        let voided_at_expiry = status == AnyStatus::Payment(CanonicalStatus::Canceled)
            && self
                .current()
                .is_some_and(|c| c.expire_at.is_some_and(|at| at <= c.updated_at));
        Some(if voided_at_expiry {
            Phase::Expired
        } else {
            status.phase()
        })
    }

    /// True once the intent is in a status no trigger leaves.
    pub fn is_terminal(&self) -> bool {
        self.status.is_some_and(|s| s.is_terminal(self.dialect))
    }

    /// The current challenge, of either kind of intent.
    pub fn next_action(&self) -> Option<&NextAction> {
        self.current.as_ref().and_then(Document::next_action)
    }

    /// Why the last attempt failed, of either kind of intent.
    pub fn last_error(&self) -> Option<&PaymentError> {
        self.current.as_ref().and_then(Document::last_error)
    }

    /// When the server last changed the intent: a lower bound of its clock (a page's clock may lag).
    pub fn server_time(&self) -> Option<Timestamp> {
        self.current.as_ref().map(Document::updated_at)
    }

    /// The lifecycle state of the last accepted payment intent snapshot.
    pub fn lifecycle_state(&self) -> Option<Result<LifecycleState, LifecycleError>> {
        self.current().map(|pi| pi.lifecycle_state(self.dialect))
    }

    /// Seed 000's rule on the current snapshot: must the page get a fresh token before its next attempt?
    /// With no snapshot yet (or a setup intent), only expiry counts.
    pub fn refresh_needed(&self, token: &ConnectToken, now: Timestamp) -> Option<RefreshReason> {
        match (self.current(), self.lifecycle_state()) {
            (Some(pi), Some(Ok(state))) => refresh_needed(token, &pi.id, &state, now),
            _ if token.is_expired(now) => Some(RefreshReason::Expired),
            _ => None,
        }
    }

    /// Takes `intent` if it is newer than the current snapshot and reports what changed.
    pub fn apply_snapshot(&mut self, intent: PaymentIntent) -> Applied {
        self.apply(Document::Payment(intent))
    }

    /// Takes a setup intent's snapshot exactly as [`Mirror::apply_snapshot`] takes a payment intent's.
    pub fn apply_setup(&mut self, intent: SetupIntent) -> Applied {
        self.apply(Document::Setup(intent))
    }

    fn apply(&mut self, doc: Document) -> Applied {
        if let Some(cur) = &self.current {
            if cur.id() != doc.id() || std::mem::discriminant(cur) != std::mem::discriminant(&doc) {
                return Applied::Rejected {
                    code: "foreign_intent",
                };
            }
            if order(doc.order_key(), cur.order_key()) != Ordering::Greater {
                return Applied::Stale;
            }
        }
        let to = match doc.status(self.dialect) {
            Ok(s) => s,
            Err(code) => return Applied::Rejected { code },
        };
        let old = self.current.take();
        let mut changes = Vec::new();
        let old_wire = old.as_ref().map(|o| o.wire_status().to_string());
        if self.status != Some(to) || old_wire.as_deref() != Some(doc.wire_status()) {
            changes.push(Change::Status {
                from: self.status,
                from_wire: old_wire,
                to,
                to_wire: doc.wire_status().to_string(),
            });
            if let Some(from) = self.status {
                if !from.can_reach(self.dialect, to) {
                    changes.push(Change::UnexpectedTransition { from, to });
                }
            }
        }
        // The first snapshot (or one of another kind, refused above) is compared with nothing.
        let (old_payment, old_setup) = match &old {
            Some(Document::Payment(o)) => (Some(o), None),
            Some(Document::Setup(o)) => (None, Some(o)),
            None => (None, None),
        };
        match &doc {
            Document::Payment(n) => amount_changes(old_payment, n, &mut changes),
            Document::Setup(n) => setup_amount_changes(old_setup, n, &mut changes),
        }
        let old_action = old.as_ref().and_then(Document::next_action).cloned();
        if old_action.as_ref() != doc.next_action() {
            changes.push(Change::NextAction {
                from: old_action,
                to: doc.next_action().cloned(),
            });
        }
        let old_error = old.as_ref().and_then(Document::last_error).cloned();
        if old_error.as_ref() != doc.last_error() {
            changes.push(Change::Error {
                from: old_error,
                to: doc.last_error().cloned(),
            });
        }
        let old_secret = old.as_ref().and_then(|o| o.secret().0);
        let (new_secret, expires_at) = doc.secret();
        if new_secret.is_some() && old_secret.map(|s| s.expose()) != new_secret.map(|s| s.expose())
        {
            changes.push(Change::Token { expires_at });
        }
        match &doc {
            Document::Payment(n) => payment_field_changes(old_payment, n, &mut changes),
            Document::Setup(n) => setup_field_changes(old_setup, n, &mut changes),
        }
        self.status = Some(to);
        self.current = Some(doc);
        Applied::Taken(changes)
    }
}

/// A payment intent's amounts that changed since `old` (everything present, for the first snapshot).
fn amount_changes(old: Option<&PaymentIntent>, intent: &PaymentIntent, changes: &mut Vec<Change>) {
    let currency = intent.amount.currency();
    let minor = |v: Option<i64>| v.and_then(|v| Money::new(v, currency).ok());
    let amounts = |pi: Option<&PaymentIntent>| {
        [
            (AmountField::Amount, pi.map(|p| p.amount)),
            (AmountField::Tips, pi.and_then(|p| p.tips_amount)),
            (AmountField::Total, pi.and_then(|p| p.total_amount)),
            (AmountField::Refunded, minor(pi.map(|p| p.refunded_amount))),
            (
                AmountField::Captured,
                minor(pi.and_then(|p| p.captured_amount)),
            ),
        ]
    };
    let before = amounts(old);
    let after = amounts(Some(intent));
    for ((field, from), (_, to)) in before.into_iter().zip(after) {
        if from != to {
            changes.push(Change::Amount { field, from, to });
        }
    }
}

/// A field the page shows is reported for the first snapshot when it is there at all: an `Option` when it
/// is `Some`, a list when it is not empty.
trait Present {
    fn is_present(&self) -> bool;
}

impl<T> Present for Option<T> {
    fn is_present(&self) -> bool {
        self.is_some()
    }
}

impl<T> Present for Vec<T> {
    fn is_present(&self) -> bool {
        !self.is_empty()
    }
}

/// Pushes `Change::Field { name }` for each `name: field` pair whose value in `$new` differs from `$old`'s
/// (or, with no `$old`, is present): each field named once, in the order given.
macro_rules! field_changes {
    ($old:expr, $new:expr, $changes:expr; $($name:literal: $field:ident),+ $(,)?) => {
        $(
            if $old.map_or($new.$field.is_present(), |o| o.$field != $new.$field) {
                $changes.push(Change::Field { name: $name });
            }
        )+
    };
}

/// The other fields of a payment intent the page may show.
fn payment_field_changes(
    old: Option<&PaymentIntent>,
    intent: &PaymentIntent,
    changes: &mut Vec<Change>,
) {
    field_changes!(old, intent, changes;
        "reference": reference,
        "description": description,
        "config": config,
        "expireAt": expire_at,
        "paymentEvents": payment_events,
        "customer": customer,
        "billingAddress": billing_address,
        "shippingDetails": shipping_details,
        "itemLines": item_lines,
        "taxLines": tax_lines,
        "paymentMethods": payment_methods,
        "merchantConfig": merchant_config,
        "cashbackAmount": cashback_amount,
        "serviceChargeAmount": service_charge_amount,
    );
}

/// A setup intent's amounts that changed since `old`.
fn setup_amount_changes(
    old: Option<&SetupIntent>,
    intent: &SetupIntent,
    changes: &mut Vec<Change>,
) {
    let amounts = [
        (
            AmountField::Intended,
            old.and_then(|o| o.intended_amount),
            intent.intended_amount,
        ),
        (
            AmountField::Charged,
            old.and_then(|o| o.charged_amount),
            intent.charged_amount,
        ),
    ];
    for (field, from, to) in amounts {
        if from != to {
            changes.push(Change::Amount { field, from, to });
        }
    }
}

/// The other fields of a setup intent the page shows.
fn setup_field_changes(old: Option<&SetupIntent>, intent: &SetupIntent, changes: &mut Vec<Change>) {
    field_changes!(old, intent, changes;
        "reference": reference,
        "description": description,
        "terms": terms,
        "expireAt": expire_at,
        "paymentDetails": card,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(version: u64, updated: i64, status: &str) -> PaymentIntent {
        let doc = serde_json::json!({
            "id": "pi_1", "status": status, "captureMode": "Auto",
            "amount": {"value": 1000, "currencyCode": "GBP"},
            "createdAt": "2024-01-01T00:00:00Z",
            "updatedAt": Timestamp::from_unix_millis(updated).to_rfc3339(),
            "version": version,
        });
        PaymentIntent::from_value(&doc, Dialect::Dojo).unwrap()
    }

    fn kinds(applied: &Applied) -> Vec<&'static str> {
        applied.changes().iter().map(Change::kind).collect()
    }

    #[test]
    fn first_snapshot_reports_everything_present() {
        let mut m = Mirror::new(Dialect::Dojo);
        assert_eq!(m.status(), None);
        let ch = m.apply_snapshot(snap(1, 0, "Created"));
        assert_eq!(kinds(&ch), ["status", "amount", "amount"]);
        assert_eq!(m.status(), Some(CanonicalStatus::RequiresPaymentMethod));
        assert!(!m.is_terminal());
    }

    #[test]
    fn order_duplicates_and_stale() {
        let mut m = Mirror::new(Dialect::Dojo);
        let _ = m.apply_snapshot(snap(2, 10, "Created"));
        assert_eq!(
            m.apply_snapshot(snap(2, 10, "Created")),
            Applied::Stale,
            "duplicate"
        );
        assert_eq!(
            m.apply_snapshot(snap(1, 99, "Captured")),
            Applied::Stale,
            "older version wins nothing"
        );
        let ch = m.apply_snapshot(snap(3, 5, "Captured"));
        assert_eq!(
            ch,
            Applied::Taken(vec![Change::Status {
                from: Some(AnyStatus::Payment(CanonicalStatus::RequiresPaymentMethod)),
                from_wire: Some("Created".into()),
                to: AnyStatus::Payment(CanonicalStatus::Succeeded),
                to_wire: "Captured".into(),
            }])
        );
        // Same version, later updatedAt: newer.
        let mut refunded = snap(3, 6, "Refunded");
        refunded.refunded_amount = 1000;
        let ch = m.apply_snapshot(refunded);
        assert_eq!(kinds(&ch), ["status", "amount"]);
        assert!(m.is_terminal());
    }

    #[test]
    fn unexpected_transitions_are_taken_and_flagged() {
        let mut m = Mirror::new(Dialect::Dojo);
        let _ = m.apply_snapshot(snap(1, 0, "Canceled"));
        let ch = m.apply_snapshot(snap(2, 1, "Captured"));
        assert_eq!(kinds(&ch), ["status", "unexpected_transition"]);
        assert_eq!(m.current().map(|c| c.status.as_str()), Some("Captured"));
    }

    #[test]
    fn rejected_snapshots() {
        let mut m = Mirror::new(Dialect::Dojo);
        let _ = m.apply_snapshot(snap(1, 0, "Created"));
        let mut other = snap(2, 1, "Created");
        other.id = "pi_2".into();
        assert_eq!(
            m.apply_snapshot(other),
            Applied::Rejected {
                code: "foreign_intent"
            }
        );
        let mut bad = snap(2, 1, "Created");
        bad.status = "Failed".into();
        assert_eq!(
            m.apply_snapshot(bad),
            Applied::Rejected {
                code: "unknown_status"
            }
        );
        assert_eq!(m.current().and_then(|c| c.version), Some(1));
    }

    #[test]
    fn decline_action_and_token_changes() {
        let mut m = Mirror::new(Dialect::Dojo);
        let _ = m.apply_snapshot(snap(1, 0, "Created"));
        let mut challenged = snap(2, 1, "Created");
        challenged.next_action = Some(NextAction {
            kind: "redirect_to_url".into(),
            url: "https://acs.example/3ds".into(),
        });
        let ch = m.apply_snapshot(challenged);
        assert_eq!(kinds(&ch), ["status", "next_action"]);
        assert_eq!(m.status(), Some(CanonicalStatus::RequiresAction));
        let mut declined = snap(3, 2, "Created");
        declined.last_payment_error = Some(PaymentError::new("card_declined"));
        declined.client_session_secret = Some(crate::core::token::SecretString::new(
            "cs_NEW_SECRET".into(),
        ));
        let ch = m.apply_snapshot(declined);
        assert_eq!(kinds(&ch), ["status", "next_action", "error", "token"]);
        assert!(!format!("{ch:?} {m:?}").contains("cs_NEW_SECRET"));
        let now = Timestamp::from_unix_millis(10);
        let tok = ConnectToken::new(
            "cs_OLD".into(),
            "pi_1",
            Some(Timestamp::from_unix_millis(1_000_000)),
            Timestamp::from_unix_millis(0),
        )
        .unwrap();
        assert_eq!(
            m.refresh_needed(&tok, now),
            Some(RefreshReason::RestartAfterFailure)
        );
    }

    #[test]
    fn an_intent_voided_at_its_expiry_is_expired_for_the_page() {
        let mut m = Mirror::new(Dialect::Dojo);
        let mut open = snap(1, 0, "Created");
        open.expire_at = Some(Timestamp::from_unix_millis(1_000));
        let _ = m.apply_snapshot(open.clone());
        assert_eq!(m.phase(), Some(Phase::Payable));
        let mut voided = open.clone();
        voided.status = "Canceled".into();
        voided.version = Some(2);
        voided.updated_at = Timestamp::from_unix_millis(1_000);
        let _ = m.apply_snapshot(voided);
        assert_eq!(m.phase(), Some(Phase::Expired));
        assert_eq!(
            m.status(),
            Some(CanonicalStatus::Canceled),
            "the status stays the API's"
        );
        let mut m = Mirror::new(Dialect::Dojo);
        let mut cancelled = open;
        cancelled.status = "Canceled".into();
        cancelled.updated_at = Timestamp::from_unix_millis(999);
        let _ = m.apply_snapshot(cancelled);
        assert_eq!(
            m.phase(),
            Some(Phase::Canceled),
            "cancelled before its expiry"
        );
    }

    #[test]
    fn order_customer_and_settings_changes_are_reported_by_name() {
        let mut m = Mirror::new(Dialect::Dojo);
        let _ = m.apply_snapshot(snap(1, 0, "Created"));
        let mut next = snap(2, 1, "Created");
        let json = |t: &str| Some(crate::core::intent::Json(t.into()));
        next.customer = json(r#"{"emailAddress":"ada@example.com"}"#);
        next.billing_address = json(r#"{"countryCode":"GB"}"#);
        next.payment_methods = json(r#"["Card"]"#);
        let ch = m.apply_snapshot(next.clone());
        let names: Vec<_> = ch.changes().iter().filter_map(Change::field).collect();
        assert_eq!(names, ["customer", "billingAddress", "paymentMethods"]);
        let mut same = next;
        same.version = Some(3);
        assert!(m.apply_snapshot(same).is_empty(), "nothing changed");
    }

    fn setup_snap(version: u64, updated: i64, status: &str) -> SetupIntent {
        let doc = serde_json::json!({
            "id": "si_1", "status": status,
            "intendedAmount": {"value": 2000, "currencyCode": "GBP"},
            "terms": "No-show fee", "createdAt": "2024-01-01T00:00:00Z",
            "updatedAt": Timestamp::from_unix_millis(updated).to_rfc3339(),
            "version": version,
        });
        SetupIntent::from_value(&doc, Dialect::Dojo).unwrap()
    }

    #[test]
    fn a_setup_intent_is_followed_like_a_payment_intent() {
        let mut m = Mirror::new(Dialect::Dojo);
        let first = m.apply_setup(setup_snap(1, 0, "Created"));
        assert_eq!(
            kinds(&first),
            ["status", "amount", "field"],
            "status, intendedAmount, terms"
        );
        assert_eq!(m.phase(), Some(Phase::Payable));
        assert_eq!(m.apply_setup(setup_snap(1, 0, "Created")), Applied::Stale);
        let mut saved = setup_snap(2, 1, "Authorized");
        saved.card =
            crate::core::saved::SavedCard::from_parts("pm_1", "****4242", "12/34", "VISA").ok();
        let ch = m.apply_setup(saved);
        assert_eq!(kinds(&ch), ["status", "field"]);
        assert_eq!(m.phase(), Some(Phase::Saved));
        assert!(!m.is_terminal(), "a Dojo saved card waits for the charge");
        assert_eq!(m.apply_setup(setup_snap(1, 9, "Canceled")), Applied::Stale);
        // The card expired, then a stale-free snapshot says Created again: taken, and flagged.
        let _ = m.apply_setup(setup_snap(3, 2, "CardExpired"));
        assert!(m.is_terminal() && m.phase() == Some(Phase::CardExpired));
        let ch = m.apply_setup(setup_snap(4, 3, "Created"));
        assert_eq!(kinds(&ch), ["status", "unexpected_transition"]);
        // A payment intent's snapshot with the same id is another kind of intent.
        let mut pi = snap(9, 9, "Created");
        pi.id = "si_1".into();
        assert_eq!(
            m.apply_snapshot(pi),
            Applied::Rejected {
                code: "foreign_intent"
            }
        );
        assert_eq!(m.current(), None);
        assert_eq!(m.current_setup().and_then(|s| s.version), Some(4));
    }

    #[test]
    fn a_charge_reports_the_charged_amount() {
        let mut m = Mirror::new(Dialect::Dojo);
        let _ = m.apply_setup(setup_snap(2, 1, "Authorized"));
        let mut charged = setup_snap(3, 2, "Completed");
        charged.charged_amount = Money::from_code(2000, "GBP").ok();
        let ch = m.apply_setup(charged);
        assert_eq!(kinds(&ch), ["status", "amount"]);
        assert_eq!(m.phase(), Some(Phase::Charged));
        assert!(m.is_terminal());
    }
}
