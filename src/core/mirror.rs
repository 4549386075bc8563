//! The state mirror: the page's copy of the last known intent. It alone orders snapshots (by `version`, then
//! `updatedAt`), classifies them (canonical status, and the page's [`Phase`]) and says what changed: each
//! snapshot is [`Applied::Stale`], [`Applied::Rejected`] or [`Applied::Taken`] with typed [`Change`]s, from
//! which the page's events are built.
//!
//! The server is the authority: a snapshot whose status change has no path in the dialect's table is still
//! taken, and flagged with [`Change::UnexpectedTransition`].

use std::cmp::Ordering;

use crate::core::intent::{NextAction, PaymentIntent};
use crate::core::lifecycle::{
    CanonicalStatus, Dialect, LifecycleError, LifecycleState, PaymentError,
};
use crate::core::money::Money;
use crate::core::time::Timestamp;
use crate::core::token::{refresh_needed, ConnectToken, RefreshReason};

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
        from: Option<CanonicalStatus>,
        /// Wire status before.
        from_wire: Option<String>,
        /// Canonical status now.
        to: CanonicalStatus,
        /// Wire status now.
        to_wire: String,
    },
    /// The status change has no path in the dialect's table. The snapshot was still taken.
    UnexpectedTransition {
        /// Canonical status before.
        from: CanonicalStatus,
        /// Canonical status now.
        to: CanonicalStatus,
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
    /// Reversed or refunded after success.
    Closed,
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

    /// No further change can come from the page's side or the payment: stop following.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Phase::Succeeded | Phase::Canceled | Phase::Expired | Phase::Closed
        )
    }

    /// A payment attempt may start.
    pub fn is_payable(self) -> bool {
        matches!(self, Phase::Payable | Phase::Failed)
    }

    /// Paid from the page's view (held or collected).
    pub fn is_paid(self) -> bool {
        matches!(self, Phase::Authorized | Phase::Succeeded)
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
        }
    }
}

/// The page's copy of one intent.
#[derive(Clone, Debug)]
pub struct Mirror {
    dialect: Dialect,
    current: Option<PaymentIntent>,
    status: Option<CanonicalStatus>,
}

/// Order of two snapshots of one intent: by `version` when both have one, then by `updatedAt`.
pub fn snapshot_order(a: &PaymentIntent, b: &PaymentIntent) -> Ordering {
    let by_version = match (a.version, b.version) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => Ordering::Equal,
    };
    by_version.then(a.updated_at.cmp(&b.updated_at))
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

    /// The last accepted snapshot.
    pub fn current(&self) -> Option<&PaymentIntent> {
        self.current.as_ref()
    }

    /// Canonical status of the last accepted snapshot.
    pub fn status(&self) -> Option<CanonicalStatus> {
        self.status
    }

    /// The page's phase of the last accepted snapshot. An unpaid intent voided because its `expireAt`
    /// passed (Dojo says `Canceled`; the change came at or after `expireAt`) is `Expired` for the page:
    /// the customer is told it expired, not that someone cancelled it.
    pub fn phase(&self) -> Option<Phase> {
        let status = self.status?;
        let voided_at_expiry = status == CanonicalStatus::Canceled
            && self
                .current
                .as_ref()
                .is_some_and(|c| c.expire_at.is_some_and(|at| at <= c.updated_at));
        Some(if voided_at_expiry {
            Phase::Expired
        } else {
            Phase::of(status)
        })
    }

    /// True once the intent is in a status no trigger leaves.
    pub fn is_terminal(&self) -> bool {
        self.status.is_some_and(|s| self.dialect.is_terminal(s))
    }

    /// The lifecycle state of the last accepted snapshot.
    pub fn lifecycle_state(&self) -> Option<Result<LifecycleState, LifecycleError>> {
        self.current
            .as_ref()
            .map(|pi| pi.lifecycle_state(self.dialect))
    }

    /// Seed 000's rule on the current snapshot: must the page get a fresh token before its next attempt?
    /// With no snapshot yet, only expiry counts.
    pub fn refresh_needed(&self, token: &ConnectToken, now: Timestamp) -> Option<RefreshReason> {
        match (self.current.as_ref(), self.lifecycle_state()) {
            (Some(pi), Some(Ok(state))) => refresh_needed(token, &pi.id, &state, now),
            _ if token.is_expired(now) => Some(RefreshReason::Expired),
            _ => None,
        }
    }

    /// Takes `intent` if it is newer than the current snapshot and reports what changed.
    pub fn apply_snapshot(&mut self, intent: PaymentIntent) -> Applied {
        if let Some(cur) = &self.current {
            if cur.id != intent.id {
                return Applied::Rejected {
                    code: "foreign_intent",
                };
            }
            if snapshot_order(&intent, cur) != Ordering::Greater {
                return Applied::Stale;
            }
        }
        let to = match intent.canonical_status(self.dialect) {
            Ok(s) => s,
            Err(e) => return Applied::Rejected { code: e.code() },
        };
        let old = self.current.take();
        let mut changes = Vec::new();
        let old_wire = old.as_ref().map(|o| o.status.clone());
        if self.status != Some(to) || old_wire.as_deref() != Some(intent.status.as_str()) {
            changes.push(Change::Status {
                from: self.status,
                from_wire: old_wire,
                to,
                to_wire: intent.status.clone(),
            });
            if let Some(from) = self.status {
                if !self.dialect.can_reach(from, to) {
                    changes.push(Change::UnexpectedTransition { from, to });
                }
            }
        }
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
        let before = amounts(old.as_ref());
        let after = amounts(Some(&intent));
        for ((field, from), (_, to)) in before.into_iter().zip(after) {
            if from != to {
                changes.push(Change::Amount { field, from, to });
            }
        }
        let old_action = old.as_ref().and_then(|o| o.next_action.clone());
        if old_action != intent.next_action {
            changes.push(Change::NextAction {
                from: old_action,
                to: intent.next_action.clone(),
            });
        }
        let old_error = old.as_ref().and_then(|o| o.last_payment_error.clone());
        if old_error != intent.last_payment_error {
            changes.push(Change::Error {
                from: old_error,
                to: intent.last_payment_error.clone(),
            });
        }
        let old_secret = old.as_ref().and_then(|o| o.client_session_secret.as_ref());
        if intent.client_session_secret.is_some()
            && old_secret.map(|s| s.expose())
                != intent.client_session_secret.as_ref().map(|s| s.expose())
        {
            changes.push(Change::Token {
                expires_at: intent.client_session_secret_expiration_date,
            });
        }
        // What the page shows besides amounts and status: reported when it differs from the last snapshot
        // (the first snapshot is compared with an empty one).
        let differs = |same: fn(&PaymentIntent, &PaymentIntent) -> bool, present: bool| {
            old.as_ref().map_or(present, |o| !same(o, &intent))
        };
        let fields: [(&'static str, bool); 14] = [
            (
                "reference",
                differs(
                    |a, b| a.reference == b.reference,
                    intent.reference.is_some(),
                ),
            ),
            (
                "description",
                differs(
                    |a, b| a.description == b.description,
                    intent.description.is_some(),
                ),
            ),
            (
                "config",
                differs(|a, b| a.config == b.config, intent.config.is_some()),
            ),
            (
                "expireAt",
                differs(
                    |a, b| a.expire_at == b.expire_at,
                    intent.expire_at.is_some(),
                ),
            ),
            (
                "paymentEvents",
                differs(
                    |a, b| a.payment_events == b.payment_events,
                    !intent.payment_events.is_empty(),
                ),
            ),
            (
                "customer",
                differs(|a, b| a.customer == b.customer, intent.customer.is_some()),
            ),
            (
                "billingAddress",
                differs(
                    |a, b| a.billing_address == b.billing_address,
                    intent.billing_address.is_some(),
                ),
            ),
            (
                "shippingDetails",
                differs(
                    |a, b| a.shipping_details == b.shipping_details,
                    intent.shipping_details.is_some(),
                ),
            ),
            (
                "itemLines",
                differs(
                    |a, b| a.item_lines == b.item_lines,
                    intent.item_lines.is_some(),
                ),
            ),
            (
                "taxLines",
                differs(
                    |a, b| a.tax_lines == b.tax_lines,
                    intent.tax_lines.is_some(),
                ),
            ),
            (
                "paymentMethods",
                differs(
                    |a, b| a.payment_methods == b.payment_methods,
                    intent.payment_methods.is_some(),
                ),
            ),
            (
                "merchantConfig",
                differs(
                    |a, b| a.merchant_config == b.merchant_config,
                    intent.merchant_config.is_some(),
                ),
            ),
            (
                "cashbackAmount",
                differs(
                    |a, b| a.cashback_amount == b.cashback_amount,
                    intent.cashback_amount.is_some(),
                ),
            ),
            (
                "serviceChargeAmount",
                differs(
                    |a, b| a.service_charge_amount == b.service_charge_amount,
                    intent.service_charge_amount.is_some(),
                ),
            ),
        ];
        for (name, changed) in fields {
            if changed {
                changes.push(Change::Field { name });
            }
        }
        self.status = Some(to);
        self.current = Some(intent);
        Applied::Taken(changes)
    }
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
                from: Some(CanonicalStatus::RequiresPaymentMethod),
                from_wire: Some("Created".into()),
                to: CanonicalStatus::Succeeded,
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
}
