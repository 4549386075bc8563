//! The setup intent as the API sends it to the page: Dojo's `SetupIntentPublicResponse` field names
//! (`intendedAmount`, `terms`, `merchantInitiatedTransactionType`, `paymentDetails` …) plus the sandbox's
//! omittable additions, as on payment intents (`version`, `nextAction`, `lastPaymentError`, and
//! `chargedAmount` once the merchant charged the saved card). [`SetupIntent::from_json`] validates with
//! the same rules and errors as [`super::PaymentIntent::from_json`].

use super::{
    get, head, last_payment_error, money, next_action, object, opt, require, string, text,
    timestamp, version, DecodeError, DecodeErrorKind, NextAction, Res,
};
use crate::core::lifecycle::setup::{SetupError, SetupHints, SetupStatus};
use crate::core::lifecycle::{Dialect, PaymentError};
use crate::core::money::Money;
use crate::core::saved::SavedCard;
use crate::core::time::Timestamp;
use crate::core::token::SecretString;

/// Dojo allows terms of up to 10,240 characters (`CreateSetupIntentRequest.terms`).
pub const MAX_TERMS_LEN: usize = 10_240;

/// One setup intent. `status` is the dialect's wire name.
#[derive(Clone, PartialEq, Debug)]
pub struct SetupIntent {
    /// `si_…`
    pub id: String,
    pub status: String,
    /// What the merchant means to charge later (shown to the customer; not charged now).
    pub intended_amount: Option<Money>,
    /// What the customer agrees to (shown before the card).
    pub terms: Option<String>,
    /// `NoShow` or `Unscheduled`.
    pub merchant_initiated_transaction_type: Option<String>,
    pub reference: Option<String>,
    pub description: Option<String>,
    /// The customer the saved card belongs to.
    pub customer_id: Option<String>,
    /// Redacted in `Debug`; a browser view has none.
    pub client_session_secret: Option<SecretString>,
    pub client_session_secret_expiration_date: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub expire_at: Option<Timestamp>,
    /// The saved card, once there is one (`paymentDetails`).
    pub card: Option<SavedCard>,
    /// Sandbox addition: what the merchant charged (after `Completed`).
    pub charged_amount: Option<Money>,
    pub version: Option<u64>,
    pub next_action: Option<NextAction>,
    pub last_payment_error: Option<PaymentError>,
}

fn status_error(e: SetupError) -> Box<DecodeError> {
    super::err("status", DecodeErrorKind::Setup(e))
}

/// `paymentDetails`: `{paymentMethodId, card: {cardNumber (masked), expiryDate, cardType}}`, read only
/// when it names a saved payment method.
fn saved_card(o: &super::Obj<'_>) -> Res<Option<SavedCard>> {
    let Some(v) = get(o, "paymentDetails") else {
        return Ok(None);
    };
    let d = object(v, "paymentDetails")?;
    let Some(id) = opt(&d, "paymentMethodId", string)? else {
        return Ok(None);
    };
    let c = object(
        require(&d, "card", "paymentDetails")?,
        "paymentDetails.card",
    )?;
    let field = |k: &str| -> Res<String> {
        let path = ["paymentDetails.card.", k].concat();
        get(&c, k).map_or(Ok(String::new()), |v| string(v, &path))
    };
    SavedCard::from_parts(
        &id,
        &field("cardNumber")?,
        &field("expiryDate")?,
        &field("cardType")?,
    )
    .map(Some)
    .map_err(|code| {
        let path = match code {
            "bad_id" => "paymentDetails.paymentMethodId",
            "bad_pan" => "paymentDetails.card.cardNumber",
            _ => "paymentDetails.card.expiryDate",
        };
        super::err(path, DecodeErrorKind::OutOfRange)
    })
}

impl SetupIntent {
    /// Decodes and validates one setup intent for `dialect` (which must have setup intents). Unknown fields
    /// are tolerated; bad JSON, wrong types, missing fields, unknown statuses and absurd values are errors
    /// naming the field. Never panics.
    pub fn from_json(bytes: &[u8], dialect: Dialect) -> Result<SetupIntent, DecodeError> {
        Self::decode(bytes, dialect).map_err(|e| *e)
    }

    fn decode(bytes: &[u8], dialect: Dialect) -> Res<SetupIntent> {
        let (o, id, status) = head(bytes)?;
        let spec = dialect
            .setup()
            .ok_or_else(|| status_error(SetupError::NoSetupIntents { dialect }))?;
        if spec.parse_status(&status).is_none() {
            return Err(status_error(SetupError::UnknownStatus {
                dialect,
                wire: status.chars().take(64).collect(),
            }));
        }
        let intended_amount = opt(&o, "intendedAmount", money)?;
        let charged_amount = opt(&o, "chargedAmount", money)?;
        let terms = match get(&o, "terms") {
            None => None,
            Some(v) => {
                if v.len() > 6 * MAX_TERMS_LEN + 2 {
                    return Err(super::err("terms", DecodeErrorKind::BadLength));
                }
                let t = text(v, "terms")?;
                if t.chars().count() > MAX_TERMS_LEN {
                    return Err(super::err("terms", DecodeErrorKind::BadLength));
                }
                Some(t)
            }
        };
        let customer_id = match get(&o, "customer") {
            None => None,
            Some(v) => {
                let c = object(v, "customer")?;
                opt(&c, "id", |v, _| string(v, "customer.id"))?
            }
        };
        Ok(SetupIntent {
            id,
            status,
            intended_amount,
            terms,
            merchant_initiated_transaction_type: opt(
                &o,
                "merchantInitiatedTransactionType",
                string,
            )?,
            reference: opt(&o, "reference", string)?,
            description: opt(&o, "description", string)?,
            customer_id,
            client_session_secret: opt(&o, "clientSessionSecret", string)?.map(SecretString::new),
            client_session_secret_expiration_date: opt(
                &o,
                "clientSessionSecretExpirationDate",
                timestamp,
            )?,
            created_at: timestamp(require(&o, "createdAt", "")?, "createdAt")?,
            updated_at: timestamp(require(&o, "updatedAt", "")?, "updatedAt")?,
            expire_at: opt(&o, "expireAt", timestamp)?,
            card: saved_card(&o)?,
            charged_amount,
            version: version(&o)?,
            next_action: next_action(&o)?,
            last_payment_error: last_payment_error(&o)?,
        })
    }

    /// [`SetupIntent::from_json`] on a document already parsed by serde_json (native tests).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_value(
        doc: &serde_json::Value,
        dialect: Dialect,
    ) -> Result<SetupIntent, DecodeError> {
        let text = serde_json::to_vec(doc)
            .map_err(|_| DecodeError::new("$", DecodeErrorKind::InvalidJson))?;
        Self::from_json(&text, dialect)
    }

    /// The setup status, refined by `nextAction` (Dojo's challenged `Created`).
    pub fn setup_status(&self, dialect: Dialect) -> Result<SetupStatus, SetupError> {
        let spec = dialect
            .setup()
            .ok_or(SetupError::NoSetupIntents { dialect })?;
        let hints = SetupHints {
            next_action: self.next_action.is_some(),
        };
        spec.resolve_status(&self.status, hints)
            .ok_or_else(|| SetupError::UnknownStatus {
                dialect,
                wire: self.status.chars().take(64).collect(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// Dojo's own example (`POST /setup-intents` answer), with its secret.
    const DOJO_EXAMPLE: &str = r#"{"setupEvents":[],"id":"si_sandbox_c9RbgPcWbkGcUIbsFSzHcA",
      "clientSessionSecret":"SSd_gFOCjTlpbMyE7A6Pl2MaosE2HObXhC","clientSessionSecretExpirationDate":"2024-02-13T12:37:31Z",
      "status":"Created","paymentMethods":["Card"],"createdAt":"2024-02-13T12:07:31.4793099Z",
      "updatedAt":"2024-02-13T12:07:31.47931Z","reference":"Dojo Cafe | Booking request for Table 4",
      "merchantConfig":{"supportedPaymentMethods":{"cardSchemes":["VISA"],"wallets":[]}},
      "config":{"branding":{},"tradingName":"Dojo Cafe (Paymentsense)"},"metadata":{"location-id":"771402011592305"},
      "intendedAmount":{"value":1000,"currencyCode":"GBP"},"merchantInitiatedTransactionType":"NoShow",
      "terms":"In case of no-show, the customer authorizes us to charge their card with table booking fee.",
      "paymentSource":"api"}"#;

    fn saved() -> Value {
        json!({"id": "si_1", "status": "Authorized", "createdAt": "2030-01-01T00:00:00Z",
            "updatedAt": "2030-01-01T00:00:01Z", "version": 2,
            "paymentDetails": {"paymentMethodId": "pm_saved_1", "card": {"cardNumber": "424242****4242",
                "expiryDate": "12/34", "cardType": "VISA"}}})
    }

    #[test]
    fn dojos_example_decodes_and_keeps_its_secret_out_of_debug() {
        let si = SetupIntent::from_json(DOJO_EXAMPLE.as_bytes(), Dialect::Dojo).unwrap();
        assert_eq!(si.intended_amount, Money::from_code(1000, "GBP").ok());
        assert_eq!(
            si.merchant_initiated_transaction_type.as_deref(),
            Some("NoShow")
        );
        assert!(si
            .terms
            .as_deref()
            .is_some_and(|t| t.starts_with("In case of no-show")));
        assert_eq!(
            si.setup_status(Dialect::Dojo),
            Ok(SetupStatus::RequiresPaymentMethod)
        );
        assert!(!format!("{si:?}").contains("SSd_gFOCjTlpbMyE7A6Pl2MaosE2HObXhC"));
    }

    #[test]
    fn the_saved_card_and_the_challenge_are_read() {
        let si = SetupIntent::from_value(&saved(), Dialect::Dojo).unwrap();
        let card = si.card.clone().unwrap();
        assert_eq!(
            (card.id.as_str(), card.last4.as_str()),
            ("pm_saved_1", "4242")
        );
        assert_eq!((card.exp_month, card.exp_year), (12, 2034));
        assert_eq!(si.setup_status(Dialect::Dojo), Ok(SetupStatus::Saved));
        let mut challenged = saved();
        challenged["status"] = json!("Created");
        challenged["nextAction"] =
            json!({"type": "three_d_secure", "url": "https://x/challenge/ch_1"});
        let si = SetupIntent::from_value(&challenged, Dialect::Dojo).unwrap();
        assert_eq!(
            si.setup_status(Dialect::Dojo),
            Ok(SetupStatus::RequiresAction)
        );
    }

    #[test]
    fn bad_documents_name_the_field() {
        let check = |d: Dialect, edit: &dyn Fn(&mut Value), want: (&str, &str)| {
            let mut doc = saved();
            edit(&mut doc);
            let e = SetupIntent::from_value(&doc, d).unwrap_err();
            assert_eq!((e.code(), e.field.as_str()), want, "{doc}");
        };
        check(
            Dialect::Dojo,
            &|d| d["status"] = json!("Captured"),
            ("unknown_status", "status"),
        );
        check(Dialect::Setel, &|_| {}, ("no_setup_intents", "status"));
        check(Dialect::Stripe, &|_| {}, ("unknown_status", "status"));
        check(
            Dialect::Dojo,
            &|d| d["terms"] = json!("x".repeat(MAX_TERMS_LEN + 1)),
            ("bad_length", "terms"),
        );
        check(
            Dialect::Dojo,
            &|d| d["intendedAmount"] = json!({"value": -1, "currencyCode": "GBP"}),
            ("negative_amount", "intendedAmount.value"),
        );
        check(
            Dialect::Dojo,
            &|d| d["paymentDetails"]["card"]["cardNumber"] = json!("4242424242424242"),
            ("out_of_range", "paymentDetails.card.cardNumber"),
        );
        check(
            Dialect::Dojo,
            &|d| d["version"] = json!(0),
            ("out_of_range", "version"),
        );
        check(
            Dialect::Dojo,
            &|d| d["customer"] = json!({"id": 3}),
            ("wrong_type", "customer.id"),
        );
        check(
            Dialect::Dojo,
            &|d| {
                d.as_object_mut().map(|o| o.remove("updatedAt"));
            },
            ("missing_field", "updatedAt"),
        );
    }
}
