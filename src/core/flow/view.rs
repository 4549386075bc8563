//! The page's view of one intent snapshot: the browser-view JSON as the server sent it (minus any secret),
//! plus the few fields the flow decides on.
//!
//! Why not `core::intent::PaymentIntent` + `core::mirror::Mirror` here: their decoder is built on
//! `serde_json::Value`, which adds ~30 KB brotli to the wasm (measured: 44 -> 74 KB). The flow applies the
//! mirror's rule itself (a snapshot whose `version` is not newer is dropped), and the sandbox's contract
//! tests decode every view with both decoders so they cannot drift.

use crate::core::json::{self, Obj};

/// Where an intent stands, as far as the page's checkout is concerned (dialect-independent).
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
    /// Classifies a wire status of any dialect. Unknown names are treated as still moving (`Processing`).
    pub fn of_wire(status: &str) -> Phase {
        // ASCII only: `char::to_lowercase` would pull ~10 KB of Unicode tables into the wasm.
        let norm: String = status
            .bytes()
            .filter(|c| *c != b'_')
            .map(|c| c.to_ascii_lowercase() as char)
            .collect();
        match norm.as_str() {
            "created" | "requirespaymentmethod" | "requiresconfirmation" => Phase::Payable,
            "requiresaction" => Phase::RequiresAction,
            "processing" | "pending" => Phase::Processing,
            "authorized" | "authorised" | "requirescapture" => Phase::Authorized,
            "captured" | "succeeded" => Phase::Succeeded,
            "failed" => Phase::Failed,
            "canceled" | "cancelled" => Phase::Canceled,
            "expired" => Phase::Expired,
            "reversed" | "refunded" | "partiallyrefunded" => Phase::Closed,
            _ => Phase::Processing,
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

    /// The canonical (dialect-free) name the page sees next to the wire status.
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

/// `lastPaymentError` of the browser view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentError {
    pub code: Option<String>,
    pub decline_code: Option<String>,
    pub message: Option<String>,
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
    pub currency: Option<String>,
}

impl Snapshot {
    pub fn parse(text: &str) -> Option<Snapshot> {
        let m = json::members(text)?;
        let version = json::get(&m, "version").and_then(json::uint)?;
        let status = json::get(&m, "status").and_then(json::string)?;
        let next_action_url = json::get(&m, "nextAction").and_then(|a| json::str_at(a, "url"));
        let last_payment_error = json::get(&m, "lastPaymentError").and_then(|e| {
            let e = json::members(e)?;
            Some(PaymentError {
                code: json::get(&e, "code").and_then(json::string),
                decline_code: json::get(&e, "declineCode").and_then(json::string),
                message: json::get(&e, "message").and_then(json::string),
            })
        });
        let currency = json::get(&m, "amount").and_then(|a| json::str_at(a, "currencyCode"));
        let mut phase = Phase::of_wire(&status);
        if next_action_url.is_some() && matches!(phase, Phase::Payable | Phase::Processing) {
            phase = Phase::RequiresAction;
        }
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
        Some(Snapshot {
            raw,
            fields,
            version,
            status,
            phase,
            next_action_url,
            last_payment_error,
            currency,
        })
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
