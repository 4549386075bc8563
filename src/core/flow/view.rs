//! The page's view of one intent snapshot: the browser-view JSON as the server sent it (minus any secret),
//! plus the few fields the flow decides on. Snapshots are decoded by the core's
//! [`PaymentIntent::from_json`] (unknown statuses are typed errors) and ordered by the core's `Mirror`.

use crate::core::intent::{DecodeError, DecodeErrorKind, PaymentIntent};
use crate::core::json::{self, Obj};
use crate::core::lifecycle::{CanonicalStatus, Dialect, PaymentError};

/// Where an intent stands, as far as the page's checkout is concerned (dialect-independent): the core's
/// [`CanonicalStatus`] folded into the states the page acts on.
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
    /// The page's phase for a canonical status; a pending `nextAction` means the customer must act.
    pub fn of(status: CanonicalStatus, has_next_action: bool) -> Phase {
        use CanonicalStatus as S;
        let phase = match status {
            S::RequiresPaymentMethod | S::RequiresConfirmation => Phase::Payable,
            S::RequiresAction => Phase::RequiresAction,
            S::Processing => Phase::Processing,
            S::Authorized => Phase::Authorized,
            S::Succeeded => Phase::Succeeded,
            S::PartiallyRefunded | S::Refunded | S::Reversed => Phase::Closed,
            S::Canceled => Phase::Canceled,
            S::Expired => Phase::Expired,
            S::Failed => Phase::Failed,
        };
        if has_next_action && matches!(phase, Phase::Payable | Phase::Processing) {
            Phase::RequiresAction
        } else {
            phase
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

#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The browser view as received (JSON text), minus any `clientSessionSecret` member.
    pub raw: String,
    /// Its top-level members, values as raw JSON text (for change detection).
    fields: Vec<(String, String)>,
    pub version: u64,
    pub status: String,
    pub phase: Phase,
    pub next_action_url: Option<String>,
    pub last_payment_error: Option<PaymentError>,
    pub currency: String,
}

impl Snapshot {
    /// Decodes a browser view with the core's intent decoder. Returns the page's view and the intent for
    /// the mirror; the error names the field (never a value, so never the token).
    pub fn decode(text: &str, dialect: Dialect) -> Result<(Snapshot, PaymentIntent), DecodeError> {
        let pi = PaymentIntent::from_json(text.as_bytes(), dialect)?;
        // The core's own refinement (`nextAction`, refund amounts), as the mirror sees it.
        let status = pi.canonical_status(dialect).map_err(|e| DecodeError {
            field: "status".into(),
            kind: DecodeErrorKind::Status(e),
        })?;
        // Valid JSON object by now; `members` only fails on what `from_json` already refused.
        let m = json::members(text).ok_or_else(|| DecodeError {
            field: "$".into(),
            kind: DecodeErrorKind::InvalidJson,
        })?;
        let next_action_url = pi.next_action.as_ref().map(|a| a.url.clone());
        // The browser view has no secret; make sure one never reaches an event even if a server sent it.
        let secret = "clientSessionSecret";
        let raw = if m.iter().any(|(k, _)| k == secret) {
            let mut o = Obj::new();
            for (k, v) in m.iter().filter(|(k, _)| k != secret) {
                o = o.raw(k, v);
            }
            o.finish()
        } else {
            text.trim().to_string()
        };
        let fields = m
            .into_iter()
            .filter(|(k, _)| k != secret)
            .map(|(k, v)| (k, v.to_string()))
            .collect();
        let snap = Snapshot {
            raw,
            fields,
            version: pi.version.unwrap_or(0),
            status: pi.status.clone(),
            phase: Phase::of(status, next_action_url.is_some()),
            next_action_url,
            last_payment_error: pi.last_payment_error.clone(),
            currency: pi.amount.currency().code().to_string(),
        };
        Ok((snap, pi))
    }

    /// What changed from `old` to `self` (JSON text): versions, status, and the names of top-level
    /// fields that differ.
    pub fn change_from(&self, old: Option<&Snapshot>) -> String {
        let o = Obj::new().int("version", self.version as i64);
        let Some(old) = old else {
            return o.raw("initial", "true").finish();
        };
        let mut o = o.int("previousVersion", old.version as i64);
        if old.status != self.status {
            let s = Obj::new()
                .str("from", &old.status)
                .str("to", &self.status)
                .finish();
            o = o.raw("status", &s);
        }
        let mut fields = String::from("[");
        let mut add = |k: &str| {
            if fields.len() > 1 {
                fields.push(',');
            }
            json::push_str(&mut fields, k);
        };
        for (k, v) in &self.fields {
            let before = old.fields.iter().find(|(ok, _)| ok == k).map(|(_, v)| v);
            if k != "version" && k != "updatedAt" && before != Some(v) {
                add(k);
            }
        }
        for (k, _) in &old.fields {
            if !self.fields.iter().any(|(nk, _)| nk == k) {
                add(k);
            }
        }
        fields.push(']');
        o.raw("fields", &fields).finish()
    }
}
