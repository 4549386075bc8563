//! A customer's saved cards and the customer secret that lists and removes them (Dojo's
//! `/customers/public/{customerId}/payment-methods`, `CustomerPaymentMethods`). A saved card is one more
//! way to pay (`PaymentMethod::SavedCard`); this module is what the page knows about it: brand, last four
//! digits, expiry and id, never more of the number.
//!
//! The customer secret is short-lived, like the connect token, and handled the same way: it never prints
//! ([`CustomerSecret`]'s `Debug` is redacted), it travels only in the `Authorization` header, and the one
//! way to its value is [`CustomerSecret::expose`].

use std::fmt;

use crate::core::card::Brand;
use crate::core::json::{self, Obj};
use crate::core::time::Timestamp;
use crate::core::token::SecretString;

/// Dojo's `CardScheme` names, with the brand each is.
const SCHEMES: [(&str, Brand); 8] = [
    ("VISA", Brand::Visa),
    ("MASTERCARD", Brand::Mastercard),
    ("AMEX", Brand::Amex),
    ("DISCOVER", Brand::Discover),
    ("DCI", Brand::Diners),
    ("JCB", Brand::Jcb),
    ("MAESTRO", Brand::Maestro),
    ("UNIONPAY", Brand::UnionPay),
];

/// The brand of a Dojo card scheme name (`VISA`, `DCI` …); `Unknown` for any other.
pub fn brand_of_scheme(scheme: &str) -> Brand {
    SCHEMES
        .iter()
        .find(|(s, _)| *s == scheme)
        .map_or(Brand::Unknown, |(_, b)| *b)
}

/// One saved card, as much as the page may know of it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SavedCard {
    /// The saved payment method's id (`pm_…`).
    pub id: String,
    pub brand: Brand,
    /// The last four digits.
    pub last4: String,
    /// 1–12.
    pub exp_month: u32,
    /// Four digits.
    pub exp_year: u32,
    /// The API wants the CVC typed again to pay with it (`cvcRequired: true`, the sandbox's; Dojo's
    /// schema has no such field, so absent is `false`: the API refuses with `cvc_required` if it
    /// disagrees).
    pub cvc_required: bool,
}

/// Why a saved-card document was refused; `field` names where (`savedPaymentMethods[1].cardDetails.pan`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SavedError {
    pub field: String,
    pub code: &'static str,
}

/// The first instant after the end of `month`/`year` (UTC): a card is valid through its expiry month.
pub fn end_of_expiry_month(month: u32, year: u32) -> Timestamp {
    let (y, m) = if month >= 12 {
        (year.saturating_add(1), 1)
    } else {
        (year, month + 1)
    };
    Timestamp::from_civil(i64::from(y), m, 1)
}

/// An id the API makes: letters, digits, `_` and `-` (it goes into paths and bodies).
pub fn is_api_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl SavedCard {
    /// When the card stops being usable.
    pub fn expires_at(&self) -> Timestamp {
        end_of_expiry_month(self.exp_month, self.exp_year)
    }

    /// Expired at `now` (the later of the page's clock and the server's last word, see the flow).
    pub fn is_expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at()
    }

    /// `{"id", "brand", "last4", "expiryMonth", "expiryYear", "expired", "cvcRequired"}` for the page.
    pub fn to_json(&self, now: Timestamp) -> String {
        Obj::new()
            .str("id", &self.id)
            .str("brand", self.brand.name())
            .str("last4", &self.last4)
            .int("expiryMonth", i64::from(self.exp_month))
            .int("expiryYear", i64::from(self.exp_year))
            .raw(
                "expired",
                if self.is_expired(now) {
                    "true"
                } else {
                    "false"
                },
            )
            .raw(
                "cvcRequired",
                if self.cvc_required { "true" } else { "false" },
            )
            .finish()
    }

    /// A card from Dojo's parts: a masked PAN (`52000000****0056`), an expiry (`2024-12-31` as in Dojo's
    /// example, or `MM/YY` as in `PaymentDetails.card.expiryDate`) and a scheme name.
    pub fn from_parts(
        id: &str,
        pan: &str,
        expiry: &str,
        scheme: &str,
    ) -> Result<SavedCard, &'static str> {
        if !is_api_id(id) {
            return Err("bad_id");
        }
        // Masked as PCI DSS allows at most (the first eight and last four digits, or the last four
        // alone): a whole number is refused, never kept.
        let digits: Vec<u8> = pan.bytes().filter(u8::is_ascii_digit).collect();
        let most = if pan.contains('*') { 12 } else { 4 };
        let masked = pan.len() <= 32
            && (4..=most).contains(&digits.len())
            && pan
                .bytes()
                .all(|b| b.is_ascii_digit() || b"* ".contains(&b));
        if !masked {
            return Err("bad_pan");
        }
        let last4 = String::from_utf8_lossy(&digits[digits.len() - 4..]).into_owned();
        let (exp_month, exp_year) = parse_expiry(expiry).ok_or("bad_expiry")?;
        Ok(SavedCard {
            id: id.to_string(),
            brand: brand_of_scheme(scheme),
            last4,
            exp_month,
            exp_year,
            cvc_required: false,
        })
    }
}

/// `YYYY-MM-DD` (any day of the expiry month), `YYYY-MM` or `MM/YY`.
fn parse_expiry(s: &str) -> Option<(u32, u32)> {
    let num = |t: &str| -> Option<u32> {
        (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let (month, year) = match s.split_once('/') {
        Some((m, y)) if y.len() == 2 => (num(m)?, 2000 + num(y)?),
        Some(_) => return None,
        None => {
            let mut parts = s.splitn(3, '-');
            let y = parts.next().filter(|y| y.len() == 4)?;
            let m = parts.next().filter(|m| m.len() == 2)?;
            if let Some(d) = parts.next() {
                num(d).filter(|d| (1..=31).contains(d))?;
            }
            (num(m)?, num(y)?)
        }
    };
    ((1..=12).contains(&month) && (2000..10_000).contains(&year)).then_some((month, year))
}

/// Dojo's `CustomerPaymentMethods` → the saved cards, in the order sent. A method without
/// `cardDetails` (a wallet) is skipped; a card that does not read is an error naming it.
pub fn decode_payment_methods(text: &str) -> Result<Vec<SavedCard>, SavedError> {
    let err = |field: String, code| SavedError { field, code };
    let doc = json::value(text).ok_or_else(|| err("$".into(), "invalid_json"))?;
    let members = json::members(doc).ok_or_else(|| err("$".into(), "wrong_type"))?;
    let Some(list) = json::get(&members, "savedPaymentMethods").filter(|v| *v != "null") else {
        return Ok(Vec::new());
    };
    let items = json::array(list).ok_or_else(|| err("savedPaymentMethods".into(), "wrong_type"))?;
    let mut cards = Vec::new();
    for (i, (_, item)) in items.enumerate() {
        let mut at = String::from("savedPaymentMethods[");
        json::push_uint(&mut at, i as u64);
        at.push(']');
        let m = json::members(item).ok_or_else(|| err(at.clone(), "wrong_type"))?;
        let text_of = |obj: &[(String, &str)], k: &str| json::get(obj, k).and_then(json::string);
        let Some(details) = json::get(&m, "cardDetails").filter(|v| *v != "null") else {
            continue;
        };
        let d =
            json::members(details).ok_or_else(|| err(at.clone() + ".cardDetails", "wrong_type"))?;
        let id = text_of(&m, "id").unwrap_or_default();
        let cvc_required = match json::get(&m, "cvcRequired").filter(|v| *v != "null") {
            None => false,
            Some(raw) => {
                json::boolean(raw).ok_or_else(|| err(at.clone() + ".cvcRequired", "wrong_type"))?
            }
        };
        let mut card = SavedCard::from_parts(
            &id,
            &text_of(&d, "pan").unwrap_or_default(),
            &text_of(&d, "expiryDate").unwrap_or_default(),
            &text_of(&d, "scheme").unwrap_or_default(),
        )
        .map_err(|code| {
            let field = match code {
                "bad_id" => at.clone() + ".id",
                "bad_pan" => at.clone() + ".cardDetails.pan",
                _ => at.clone() + ".cardDetails.expiryDate",
            };
            err(field, "out_of_range")
        })?;
        card.cvc_required = cvc_required;
        cards.push(card);
    }
    Ok(cards)
}

/// `[{…}, …]` of [`SavedCard::to_json`].
pub fn cards_json(cards: &[SavedCard], now: Timestamp) -> String {
    let mut out = String::from("[");
    for (i, c) in cards.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&c.to_json(now));
    }
    out.push(']');
    out
}

/// A customer secret (Dojo's `POST /customers/{id}/create-secret`): lists and removes that customer's
/// saved cards from the browser. It never prints; [`CustomerSecret::expose`] is the only way to it.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomerSecret {
    secret: SecretString,
    customer_id: String,
    expires_at: Option<Timestamp>,
}

impl CustomerSecret {
    /// A secret for `customer_id`; `None` if either is empty or the secret could not travel in a header.
    pub fn new(
        secret: String,
        customer_id: &str,
        expires_at: Option<Timestamp>,
    ) -> Option<CustomerSecret> {
        let ok = !secret.is_empty()
            && secret.len() <= 512
            && secret.bytes().all(|b| b.is_ascii_graphic())
            && is_api_id(customer_id);
        ok.then(|| CustomerSecret {
            secret: SecretString::new(secret),
            customer_id: customer_id.to_string(),
            expires_at,
        })
    }

    /// The secret, for `Authorization: Basic`. The name is the warning.
    pub fn expose(&self) -> &str {
        self.secret.expose()
    }

    /// The secret, to scrub text with.
    pub fn secret(&self) -> &SecretString {
        &self.secret
    }

    pub fn customer_id(&self) -> &str {
        &self.customer_id
    }

    /// Expired by `now` (never, when the page was not told when it expires: the server decides).
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }
}

impl fmt::Debug for CustomerSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomerSecret(")?;
        f.write_str(&self.customer_id)?;
        f.write_str(", secret: [redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dojo's own example (`CustomerPaymentMethods`), plus a wallet entry without card details.
    const DOJO_EXAMPLE: &str = r#"{"customerId":"cust_qNkU6yob0vOMxUlb2oy123","merchantId":"123456789",
      "savedPaymentMethods":[{"id":"pm_12345","cardDetails":{"pan":"52000000****0056","expiryDate":"2024-12-31","scheme":"MASTERCARD"}},
                             {"id":"pm_w","cardDetails":null}],
      "supportedPaymentMethods":{"cardSchemes":["VISA","MASTERCARD"],"wallets":["APPLE_PAY"]}}"#;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn dojos_example_decodes_and_expires_after_its_month() {
        let cards = decode_payment_methods(DOJO_EXAMPLE).unwrap();
        assert_eq!(
            cards,
            [SavedCard {
                id: "pm_12345".into(),
                brand: Brand::Mastercard,
                last4: "0056".into(),
                exp_month: 12,
                exp_year: 2024,
                cvc_required: false,
            }]
        );
        let c = &cards[0];
        assert_eq!(c.expires_at(), t("2025-01-01T00:00:00Z"));
        assert!(!c.is_expired(t("2024-12-31T23:59:59Z")));
        assert!(c.is_expired(t("2025-01-01T00:00:00Z")));
        let v: serde_json::Value =
            serde_json::from_str(&cards_json(&cards, t("2025-02-01T00:00:00Z"))).unwrap();
        assert_eq!(
            v,
            serde_json::json!([{"id": "pm_12345", "brand": "mastercard", "last4": "0056",
                "expiryMonth": 12, "expiryYear": 2024, "expired": true, "cvcRequired": false}])
        );
    }

    #[test]
    fn a_card_the_api_wants_the_cvc_of_says_so_and_anything_but_a_boolean_is_refused() {
        let doc = |flag: &str| {
            format!(
                r#"{{"savedPaymentMethods":[{{"id":"pm_1","cardDetails":{{"pan":"371449*****8431","expiryDate":"2034-12-31","scheme":"AMEX"}}{flag}}}]}}"#
            )
        };
        let cards = decode_payment_methods(&doc(r#","cvcRequired":true"#)).unwrap();
        assert!(cards[0].cvc_required && cards[0].brand == Brand::Amex);
        let v: serde_json::Value =
            serde_json::from_str(&cards_json(&cards, t("2030-01-01T00:00:00Z"))).unwrap();
        assert_eq!(v[0]["cvcRequired"], true);
        for absent in ["", r#","cvcRequired":false"#, r#","cvcRequired":null"#] {
            assert!(!decode_payment_methods(&doc(absent)).unwrap()[0].cvc_required);
        }
        let bad = decode_payment_methods(&doc(r#","cvcRequired":"yes""#)).unwrap_err();
        assert_eq!(
            (bad.field.as_str(), bad.code),
            ("savedPaymentMethods[0].cvcRequired", "wrong_type")
        );
    }

    #[test]
    fn bad_documents_name_the_field() {
        let bad = |doc: &str| decode_payment_methods(doc).unwrap_err();
        assert_eq!(bad("[").code, "invalid_json");
        assert_eq!(
            bad(r#"{"savedPaymentMethods":{}}"#).field,
            "savedPaymentMethods"
        );
        let doc = r#"{"savedPaymentMethods":[{"id":"pm_1","cardDetails":{"pan":"4242424242424242","expiryDate":"12/30","scheme":"VISA"}},
            {"id":"pm 2","cardDetails":{"pan":"****4242","expiryDate":"12/30","scheme":"VISA"}}]}"#;
        assert_eq!(bad(doc).field, "savedPaymentMethods[0].cardDetails.pan");
        let doc = doc.replacen("4242424242424242", "****4242", 1);
        assert_eq!(bad(&doc).field, "savedPaymentMethods[1].id");
        let doc = r#"{"savedPaymentMethods":[{"id":"pm_1","cardDetails":{"pan":"****4242","expiryDate":"13/30","scheme":"VISA"}}]}"#;
        assert_eq!(
            bad(doc).field,
            "savedPaymentMethods[0].cardDetails.expiryDate"
        );
        assert_eq!(decode_payment_methods("{}").unwrap(), []);
    }

    #[test]
    fn expiry_forms() {
        assert_eq!(parse_expiry("2024-12-31"), Some((12, 2024)));
        assert_eq!(parse_expiry("2030-01"), Some((1, 2030)));
        assert_eq!(parse_expiry("07/31"), Some((7, 2031)));
        for bad in ["", "7/2031", "2024-13-01", "24-12-31", "12/3", "2024-12-40"] {
            assert_eq!(parse_expiry(bad), None, "{bad}");
        }
        assert_eq!(end_of_expiry_month(12, 2030), t("2031-01-01T00:00:00Z"));
        assert_eq!(end_of_expiry_month(2, 2028), t("2028-03-01T00:00:00Z"));
    }

    #[test]
    fn the_customer_secret_never_prints() {
        let s = CustomerSecret::new("cs_sandbox_TOPSECRET".into(), "cust_1", None).unwrap();
        let text = format!("{s:?}");
        assert!(
            !text.contains("TOPSECRET") && text.contains("cust_1"),
            "{text}"
        );
        assert_eq!(s.expose(), "cs_sandbox_TOPSECRET");
        assert!(CustomerSecret::new("a b".into(), "cust_1", None).is_none());
        assert!(CustomerSecret::new("x".into(), "cust/1", None).is_none());
        let at = t("2030-01-01T00:00:00Z");
        let s = CustomerSecret::new("cs_1".into(), "cust_1", Some(at)).unwrap();
        assert!(!s.is_expired(t("2029-12-31T23:59:59Z")) && s.is_expired(at));
    }
}
