//! The sandbox's record of a setup intent, a customer and a saved card, and the JSON shapes they are
//! shown in: Dojo's strict merchant shapes (`SetupIntentResponse`, `CustomerFull`,
//! `CustomerPaymentMethods`) and the page's setup-intent view (`SetupIntentPublicResponse` without the
//! secret, plus `version`, `nextAction`, `lastPaymentError`, `chargedAmount`, as on payment intents).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::cards::CheckedCard;
use crate::clock::{rfc3339, Millis};
use crate::intent::{money, PaymentEvent};
use crate::lifecycle::setup::SetupState;

/// A card kept for later: the setup intent that saved it, or a payment with the customer's consent.
#[derive(Debug, Clone)]
pub struct SavedMethod {
    pub id: String,
    pub card: CheckedCard,
    pub customer: Option<String>,
    pub created_at: Millis,
}

impl SavedMethod {
    /// When the card stops being usable: the first instant after its expiry month (UTC).
    pub fn expires_at(&self) -> Millis {
        let s = &self.card.summary;
        intent_checkout::core::saved::end_of_expiry_month(s.exp_month, s.exp_year).as_unix_millis()
    }

    /// Dojo's `CustomerPaymentMethod`: the masked PAN, the expiry as the last day of its month
    /// (`2024-12-31`, as in Dojo's example) and the scheme. Ours, `cvcRequired: true`, only on a card
    /// that pays only with its CVC typed again: Dojo's schema has no such field, so every other card
    /// stays exactly Dojo's shape.
    pub fn dojo_json(&self) -> Value {
        let last_day = rfc3339(self.expires_at() - 86_400_000);
        let mut v = json!({
            "id": self.id,
            "cardDetails": {
                "pan": self.card.masked,
                "expiryDate": last_day.get(..10).unwrap_or(""),
                "scheme": self.card.brand,
            },
        });
        if self.card.cvc_again {
            v["cvcRequired"] = Value::Bool(true);
        }
        v
    }
}

#[derive(Debug, Clone, Default)]
pub struct CustomerRecord {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub vat: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub document_version: i64,
    /// Saved payment method ids, oldest first.
    pub saved: Vec<String>,
}

impl CustomerRecord {
    /// Dojo's `CustomerFull`.
    pub fn dojo_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "emailAddress": self.email,
            "phoneNumber": self.phone,
            "vatNumber": self.vat,
            "createdAt": rfc3339(self.created_at),
            "updatedAt": rfc3339(self.updated_at),
            "documentVersion": self.document_version,
        })
    }
}

#[derive(Debug, Clone)]
pub struct SetupRecord {
    pub id: String,
    /// Status, attempts and deadlines: advanced only by `lifecycle::setup::apply`.
    pub life: SetupState,
    pub secret: String,
    pub secret_expires: Millis,
    pub customer: Option<String>,
    /// What the merchant means to charge later: (minor units, currency).
    pub intended: Option<(i64, &'static str)>,
    pub terms: String,
    pub mit_type: String,
    pub reference: String,
    pub metadata: BTreeMap<String, String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub version: u64,
    /// The open 3-D Secure challenge, and the card waiting for it.
    pub challenge: Option<String>,
    pub pending_card: Option<CheckedCard>,
    /// The saved payment method, once the card is saved.
    pub saved: Option<String>,
    /// The last card tried (for `paymentDetails`), with its transaction id.
    pub card: Option<(CheckedCard, String, Millis)>,
    /// What the merchant charged (minor units, currency), and the payment intent that charged it.
    pub charged: Option<(i64, &'static str, String)>,
    pub events: Vec<PaymentEvent>,
}

impl SetupRecord {
    pub fn wire_status(&self) -> &'static str {
        self.life.wire_status()
    }

    pub fn etag(&self) -> String {
        format!("\"{}-{}\"", self.id, self.version)
    }

    fn card_details(&self) -> Option<Value> {
        let (card, txn, at) = self.card.as_ref()?;
        Some(json!({
            "transactionId": txn,
            "transactionDateTime": rfc3339(*at),
            "message": self.wire_status(),
            "paymentMethodId": self.saved,
            "card": {
                "cardNumber": card.masked,
                "cardName": card.cardholder_name,
                "expiryDate": card.expiry,
                "cardType": card.brand,
            },
        }))
    }

    /// What the merchant and the page both see (Dojo's `SetupIntentPublicResponse` members).
    fn common(&self) -> Map<String, Value> {
        let mut o = Map::new();
        let mut put = |k: &str, v: Value| {
            o.insert(k.to_string(), v);
        };
        put("id", json!(self.id));
        put(
            "clientSessionSecretExpirationDate",
            json!(rfc3339(self.secret_expires)),
        );
        put("status", json!(self.wire_status()));
        put("paymentMethods", json!(["Card"]));
        if let Some(c) = &self.customer {
            put("customer", json!({ "id": c }));
        }
        put("createdAt", json!(rfc3339(self.created_at)));
        put("updatedAt", json!(rfc3339(self.updated_at)));
        put(
            "expireAt",
            json!(self.life.expire_at().map(|t| rfc3339(t.as_unix_millis()))),
        );
        put("reference", json!(self.reference));
        put(
            "merchantConfig",
            json!({"supportedPaymentMethods": {"cardSchemes": ["VISA", "MASTERCARD", "AMEX"], "wallets": []}}),
        );
        if let Some(d) = self.card_details() {
            put("paymentDetails", d);
        }
        if let Some((v, c)) = self.intended {
            put("intendedAmount", money(v, c));
        }
        put("merchantInitiatedTransactionType", json!(self.mit_type));
        put("terms", json!(self.terms));
        put("paymentSource", json!("api"));
        o
    }

    /// Dojo's `SetupIntentResponse`: nothing its schema does not name.
    pub fn merchant_json(&self) -> Value {
        let mut o = self.common();
        o.insert("clientSessionSecret".into(), json!(self.secret));
        o.insert("metadata".into(), json!(self.metadata));
        let card = self.card.as_ref().map(|(c, _, _)| c);
        let events: Vec<Value> = self
            .events
            .iter()
            .map(|e| {
                json!({
                    "transactionId": e.transaction_id,
                    "transactionDateTime": rfc3339(e.at),
                    "eventType": e.event_type,
                    "cardNumber": card.map(|c| c.masked.as_str()),
                    "expiryDate": card.map(|c| c.expiry.as_str()),
                    "cardType": card.map(|c| c.brand),
                    "paymentMethodId": self.saved,
                })
            })
            .collect();
        o.insert("setupEvents".into(), Value::Array(events));
        Value::Object(o)
    }

    /// The page's view (no secret, no metadata) with the sandbox's additions.
    pub fn browser_json(&self, base: &str) -> String {
        let mut o = self.common();
        o.insert("dialect".into(), json!(self.life.dialect().name()));
        o.insert("version".into(), json!(self.version));
        if let Some(c) = &self.challenge {
            o.insert(
                "nextAction".into(),
                json!({"type": "three_d_secure", "url": format!("{base}/challenge/{c}")}),
            );
        }
        if let Some(e) = self.life.last_error() {
            o.insert(
                "lastPaymentError".into(),
                json!({"code": e.code, "declineCode": e.decline_code, "message": e.message}),
            );
        }
        if let Some((v, c, _)) = &self.charged {
            o.insert("chargedAmount".into(), money(*v, c));
        }
        Value::Object(o).to_string()
    }
}
