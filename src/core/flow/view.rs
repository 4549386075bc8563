//! The page's view of one intent snapshot: the browser-view JSON as the server sent it (minus any secret),
//! plus the few fields the flow decides on.

use serde_json::{Map, Value};

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
        let norm: String = status
            .chars()
            .filter(|c| *c != '_')
            .flat_map(char::to_lowercase)
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
    /// The browser view exactly as received, minus any `clientSessionSecret`.
    pub raw: Value,
    pub version: u64,
    pub status: String,
    pub phase: Phase,
    pub next_action_url: Option<String>,
    pub last_payment_error: Option<PaymentError>,
    pub currency: Option<String>,
}

impl Snapshot {
    pub fn parse(json: &str) -> Option<Snapshot> {
        let mut raw: Value = serde_json::from_str(json).ok()?;
        let obj = raw.as_object_mut()?;
        // The browser view has no secret; make sure one never reaches an event even if a server sent it.
        obj.remove("clientSessionSecret");
        let version = obj.get("version")?.as_u64()?;
        let status = obj.get("status")?.as_str()?.to_string();
        let str_at = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let next_action_url = obj
            .get("nextAction")
            .filter(|a| !a.is_null())
            .and_then(|a| str_at(a, "url"));
        let last_payment_error = obj
            .get("lastPaymentError")
            .filter(|e| e.is_object())
            .map(|e| PaymentError {
                code: str_at(e, "code"),
                decline_code: str_at(e, "declineCode"),
                message: str_at(e, "message"),
            });
        let currency = obj.get("amount").and_then(|a| str_at(a, "currencyCode"));
        let mut phase = Phase::of_wire(&status);
        if next_action_url.is_some() && matches!(phase, Phase::Payable | Phase::Processing) {
            phase = Phase::RequiresAction;
        }
        Some(Snapshot {
            raw,
            version,
            status,
            phase,
            next_action_url,
            last_payment_error,
            currency,
        })
    }

    /// What changed from `old` to `self`: versions, status, and the names of top-level fields that differ.
    pub fn change_from(&self, old: Option<&Snapshot>) -> Value {
        let mut m = Map::new();
        m.insert("version".into(), self.version.into());
        let Some(old) = old else {
            m.insert("initial".into(), true.into());
            return Value::Object(m);
        };
        m.insert("previousVersion".into(), old.version.into());
        if old.status != self.status {
            let mut s = Map::new();
            s.insert("from".into(), old.status.clone().into());
            s.insert("to".into(), self.status.clone().into());
            m.insert("status".into(), Value::Object(s));
        }
        let mut fields = Vec::new();
        if let (Some(a), Some(b)) = (old.raw.as_object(), self.raw.as_object()) {
            for (k, v) in b {
                if k != "version" && k != "updatedAt" && a.get(k) != Some(v) {
                    fields.push(Value::from(k.clone()));
                }
            }
            for k in a.keys() {
                if !b.contains_key(k) {
                    fields.push(Value::from(k.clone()));
                }
            }
        }
        m.insert("fields".into(), Value::Array(fields));
        Value::Object(m)
    }
}
