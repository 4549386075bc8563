//! The sandbox's record of one payment intent and the two JSON shapes it is shown in: Dojo's strict
//! merchant `PaymentIntent` and our browser view (page-safe fields plus `version`, `nextAction`, …).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::clock::{rfc3339, timespan, Millis};
use crate::details::Details;
use crate::lifecycle::{
    AutoExpireAction, CanonicalStatus, CaptureMode, LifecycleState, TriggerKind,
};

#[derive(Debug, Clone)]
pub struct PaymentEvent {
    pub event_type: &'static str,
    pub at: Millis,
    pub transaction_id: String,
    pub amount: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct CardOnFile {
    pub brand: &'static str,
    pub masked: String,
    pub expiry: String,
    pub cardholder_name: String,
    pub transaction_id: String,
    pub at: Millis,
}

#[derive(Debug, Clone)]
pub struct CaptureRecord {
    pub id: String,
    pub amount: i64,
    pub at: Millis,
}

#[derive(Debug, Clone)]
pub struct Intent {
    pub id: String,
    /// Status, amounts captured and refunded, attempts and deadlines: advanced only by `lifecycle::apply`.
    pub life: LifecycleState,
    pub currency: &'static str,
    pub amount: i64,
    pub requested_amount: Option<i64>,
    pub tips: i64,
    /// Held on the card and neither captured nor released yet (for the ledger).
    pub held: i64,
    /// Captured minor units already booked in the ledger.
    pub booked: i64,
    /// An asynchronous payment in a dialect with no `processing` status: the wire still says created.
    pub settling: bool,
    pub custom_amount_allowed: bool,
    pub tips_allowed: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub auto_expire_in: Option<i64>,
    pub auto_expire_action: Option<AutoExpireAction>,
    pub reference: String,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub secret: String,
    /// Superseded secrets still recognised (answered `token_expired`), newest last; capped.
    pub old_secrets: Vec<String>,
    /// Refund ids made on this intent (`GET /payment-intents/refunds/{id}` finds them).
    pub refunds: Vec<String>,
    /// Made by `/demo/payment-intents`: only such intents answer the demo's merchant routes.
    pub demo: bool,
    /// Creation order, for search paging.
    pub seq: u64,
    /// Counted among the finished intents (see `store::retention`).
    pub finished: bool,
    pub secret_expires: Millis,
    pub version: u64,
    pub challenge: Option<String>,
    pub events: Vec<PaymentEvent>,
    pub captures: Vec<CaptureRecord>,
    pub card: Option<CardOnFile>,
    /// Dojo's other create fields, the customer's details and the merchant's accepted schemes.
    pub details: Details,
}

pub fn money(value: i64, currency: &str) -> Value {
    json!({"value": value, "currencyCode": currency})
}

#[derive(Serialize)]
struct MoneyRef<'a> {
    value: i64,
    #[serde(rename = "currencyCode")]
    currency_code: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NextAction<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorView<'a> {
    code: &'a str,
    decline_code: Option<&'a str>,
    message: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventView<'a> {
    event_type: &'a str,
    created_at: String,
    transaction_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<MoneyRef<'a>>,
}

/// The browser view: what `GET /payment-intents/public/{id}`, the pay endpoint and the stream carry.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BrowserView<'a> {
    id: &'a str,
    status: &'static str,
    dialect: &'static str,
    capture_mode: CaptureMode,
    amount: MoneyRef<'a>,
    tips_amount: MoneyRef<'a>,
    total_amount: MoneyRef<'a>,
    refunded_amount: i64,
    captured_amount: i64,
    created_at: String,
    updated_at: String,
    expire_at: Option<String>,
    reference: &'a str,
    description: Option<&'a str>,
    client_session_secret_expiration_date: String,
    version: u64,
    next_action: Option<NextAction<'a>>,
    last_payment_error: Option<ErrorView<'a>>,
    payment_events: Vec<EventView<'a>>,
    /// `config`, the order, the customer's email and addresses (`Details::browser_members`).
    #[serde(flatten)]
    details: Map<String, Value>,
}

impl Intent {
    /// What the customer pays: the amount plus tips, service charge and cashback.
    pub fn total(&self) -> i64 {
        self.amount
            .saturating_add(self.tips)
            .saturating_add(self.details.extras())
    }

    pub fn wire_status(&self) -> &'static str {
        self.life.wire_status()
    }

    pub fn status(&self) -> CanonicalStatus {
        self.life.status()
    }

    pub fn capture_mode(&self) -> CaptureMode {
        self.life.capture_mode()
    }

    /// Whether the intent's dialect has a transition by `trigger` out of `from`.
    pub fn allows(&self, from: CanonicalStatus, trigger: TriggerKind) -> bool {
        self.life
            .dialect()
            .table()
            .iter()
            .any(|r| r.from == from && r.trigger == trigger)
    }

    /// The card payment's transaction id (empty before any payment).
    pub fn transaction_id(&self) -> String {
        self.card
            .as_ref()
            .map(|c| c.transaction_id.clone())
            .unwrap_or_default()
    }

    /// The page's stream ends once the payment's outcome is settled: a terminal status, or collected.
    pub fn stream_done(&self) -> bool {
        self.life.is_terminal()
            || matches!(
                self.status(),
                CanonicalStatus::Succeeded | CanonicalStatus::PartiallyRefunded
            )
    }

    fn expire_at(&self) -> Option<Millis> {
        self.life.expire_at().map(|t| t.as_unix_millis())
    }

    pub fn etag(&self) -> String {
        format!("\"{}-{}\"", self.id, self.version)
    }

    fn m(&self, value: i64) -> MoneyRef<'_> {
        MoneyRef {
            value,
            currency_code: self.currency,
        }
    }

    /// `base` is the sandbox origin the page talks to (for the 3-D Secure challenge URL).
    pub fn browser_json(&self, base: &str) -> String {
        let view = BrowserView {
            id: &self.id,
            status: self.wire_status(),
            dialect: self.life.dialect().name(),
            capture_mode: self.capture_mode(),
            amount: self.m(self.amount),
            tips_amount: self.m(self.tips),
            total_amount: self.m(self.total()),
            refunded_amount: self.life.refunded(),
            captured_amount: self.life.captured(),
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
            expire_at: self.expire_at().map(rfc3339),
            reference: &self.reference,
            description: self.description.as_deref(),
            client_session_secret_expiration_date: rfc3339(self.secret_expires),
            version: self.version,
            next_action: self.challenge.as_ref().map(|c| NextAction {
                kind: "three_d_secure",
                url: format!("{base}/challenge/{c}"),
            }),
            last_payment_error: self.life.last_error().map(|e| ErrorView {
                code: &e.code,
                decline_code: e.decline_code.as_deref(),
                message: e.message.as_deref(),
            }),
            payment_events: self
                .events
                .iter()
                .map(|e| EventView {
                    event_type: e.event_type,
                    created_at: rfc3339(e.at),
                    transaction_id: &e.transaction_id,
                    amount: e.amount.map(|a| self.m(a)),
                })
                .collect(),
            details: {
                let mut o = Map::new();
                self.details
                    .browser_members(&mut o, self.currency, self.payment_config());
                o
            },
        };
        // ok-free: serialising plain structs of strings and integers cannot fail.
        serde_json::to_string(&view).unwrap_or_else(|_| "{}".into())
    }

    pub fn browser_value(&self, base: &str) -> Value {
        serde_json::from_str(&self.browser_json(base)).unwrap_or(Value::Null)
    }

    /// Dojo's `PaymentIntent` (additionalProperties: false): nothing that schema does not name.
    pub fn merchant_json(&self) -> Value {
        let mut o = Map::new();
        let mut put = |k: &str, v: Value| {
            o.insert(k.to_string(), v);
        };
        put("id", json!(self.id));
        put(
            "captureMode",
            json!(match self.capture_mode() {
                CaptureMode::Auto => "Auto",
                CaptureMode::Manual => "Manual",
            }),
        );
        put("clientSessionSecret", json!(self.secret));
        put(
            "clientSessionSecretExpirationDate",
            json!(rfc3339(self.secret_expires)),
        );
        if let Some(card) = &self.card {
            put(
                "paymentDetails",
                json!({
                    "transactionId": card.transaction_id,
                    "transactionDateTime": rfc3339(card.at),
                    "message": self.wire_status(),
                    "authCode": "123456",
                    "card": {
                        "cardNumber": card.masked,
                        "cardName": card.cardholder_name,
                        "expiryDate": card.expiry,
                        "cardType": card.brand,
                    },
                }),
            );
        }
        put("status", json!(self.wire_status()));
        put("amount", money(self.amount, self.currency));
        if self.tips_allowed || self.tips > 0 {
            put("tipsAmount", money(self.tips, self.currency));
        }
        if let Some(r) = self.requested_amount {
            put("requestedAmount", money(r, self.currency));
        }
        put("totalAmount", money(self.total(), self.currency));
        put("refundedAmount", json!(self.life.refunded()));
        put("createdAt", json!(rfc3339(self.created_at)));
        put("updatedAt", json!(rfc3339(self.updated_at)));
        put("reference", json!(self.reference));
        put("description", json!(self.description));
        if let Some(a) = self.auto_expire_action {
            put(
                "autoExpireAction",
                json!(match a {
                    AutoExpireAction::Release => "Release",
                    AutoExpireAction::Capture => "Capture",
                }),
            );
        }
        put("expireAt", json!(self.expire_at().map(rfc3339)));
        if let Some(s) = self.auto_expire_in {
            put("autoExpireIn", json!(timespan(s)));
        }
        put("metadata", json!(self.metadata));
        put(
            "captures",
            Value::Array(
                self.captures
                    .iter()
                    .map(|c| {
                        json!({
                            "id": c.id,
                            "amount": c.amount,
                            "status": "Successful",
                            "createdAt": rfc3339(c.at),
                        })
                    })
                    .collect(),
            ),
        );
        self.details
            .merchant_members(&mut o, self.currency, self.payment_config());
        Value::Object(o)
    }

    /// `config.payment`: (`customAmountAllowed`, `tipsAllowed`).
    fn payment_config(&self) -> (bool, bool) {
        (self.custom_amount_allowed, self.tips_allowed)
    }
}
