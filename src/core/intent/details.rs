//! The intent's checkout settings and order details as Dojo names them: `config` (title, redirect and
//! cancel URLs, what to collect, what to show, payment options), `merchantConfig`, `paymentMethods`,
//! `customer`, `billingAddress`, `shippingDetails`, `itemLines`, `taxLines`, `cashbackAmount`,
//! `serviceChargeAmount`. Decoded with the same typed errors as the rest of the intent.

use serde::{Deserialize, Serialize};

use super::{DecodeError, DecodeErrorKind, Obj, PaymentIntent, Res};
use crate::core::address::{Address, ShippingDetails};
use crate::core::card::Brand;
use crate::core::json;
use crate::core::money::MoneyError;
use crate::core::order::{self, ItemLine, TaxLine};
use crate::core::payer::Collect;
use crate::core::shape::{self, Shape};

/// A member kept as the JSON text it came as (checked against its `core::shape` first). Equal when the
/// text is: the mirror reports a change when the server sends something else.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Json(pub String);

impl Json {
    pub fn text(&self) -> &str {
        &self.0
    }
}

// Natively (the sandbox, tests) an intent serialises with these members as JSON values, written as the
// text they came as: parsing and printing again would change a float's digits (serde_json's float
// parsing is not exact), and the decoder would read another value back.
#[cfg(not(target_arch = "wasm32"))]
impl Serialize for Json {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde_json::value::RawValue::from_string(self.0.clone())
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(d).map(|v| Json(v.to_string()))
    }
}

// The page never serialises an intent (serde_json is not in the wasm); these only satisfy the derive and
// are left out of the module by the linker.
#[cfg(target_arch = "wasm32")]
impl Serialize for Json {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(target_arch = "wasm32")]
impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Json)
    }
}

/// `config` (other keys, e.g. Dojo's `branding` and `tradingName`, are tolerated and dropped).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntentConfig {
    /// The checkout's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where the customer goes after paying (an absolute http(s) URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// Where the customer goes when the payment is cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<Collection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<DetailsConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Collection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_details: Option<Collection>,
    /// `config.payment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentConfig>,
}

/// `config.customerEmail`, `config.billingAddress`, `config.shippingDetails`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    #[serde(default)]
    pub collection_required: bool,
}

/// `config.details`: what the checkout shows besides the amount.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailsConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_total: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_reference: Option<bool>,
}

/// `config.payment`: what may change while the intent is active and before capture (seed 002).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentConfig {
    /// The amount may change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_amount_allowed: Option<bool>,
    /// Tips are allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tips_allowed: Option<bool>,
}

/// Dojo's `Customer`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// `merchantConfig.supportedPaymentMethods`: `None` means the merchant's account says nothing.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_schemes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallets: Option<Vec<String>>,
}

/// A member checked against `shape` and kept as text; its error names the field.
fn shaped(v: &str, key: &str, shape: &Shape) -> Res<Json> {
    let mut path = String::from(key);
    shape::check(v, shape, &mut path).map_err(|code| {
        let kind = match code {
            "required" => DecodeErrorKind::Missing,
            "wrong_type" => DecodeErrorKind::WrongType,
            "too_long" => DecodeErrorKind::BadLength,
            "unknown_currency" => DecodeErrorKind::Money(MoneyError::UnknownCurrency),
            _ => DecodeErrorKind::OutOfRange,
        };
        Box::new(DecodeError { field: path, kind })
    })?;
    Ok(Json(v.to_string()))
}

fn get<'a>(o: &Obj<'a>, key: &str) -> Option<&'a str> {
    super::get(o, key)
}

/// Reads the checkout settings, the order and customer members of `o` into `pi`: each checked against its
/// shape and kept as JSON (typed readers below).
pub(super) fn decode(o: &Obj<'_>, pi: &mut PaymentIntent) -> Res<()> {
    for (key, shape, slot) in [
        ("config", &shape::CONFIG, &mut pi.config),
        ("customer", &shape::CUSTOMER, &mut pi.customer),
        ("billingAddress", &shape::ADDRESS, &mut pi.billing_address),
        (
            "shippingDetails",
            &shape::SHIPPING,
            &mut pi.shipping_details,
        ),
        ("itemLines", &shape::ITEM_LINES, &mut pi.item_lines),
        ("taxLines", &shape::TAX_LINES, &mut pi.tax_lines),
        ("paymentMethods", &shape::NAMES, &mut pi.payment_methods),
        (
            "merchantConfig",
            &shape::MERCHANT_CONFIG,
            &mut pi.merchant_config,
        ),
    ] {
        if let Some(v) = get(o, key) {
            *slot = Some(shaped(v, key, shape)?);
        }
    }
    for (key, slot) in [
        ("cashbackAmount", &mut pi.cashback_amount),
        ("serviceChargeAmount", &mut pi.service_charge_amount),
    ] {
        if let Some(v) = get(o, key) {
            let m = super::money(v, key)?;
            super::same_currency(&pi.amount, &Some(m), &super::join(key, "currencyCode"))?;
            *slot = Some(m);
        }
    }
    Ok(())
}

/// The raw value at `path` (member names) inside `text`, `null` read as absent.
fn at<'a>(text: &'a str, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(text, |v, key| {
        json::field(json::object(v)?, key).filter(|v| *v != "null")
    })
}

/// The strings of a JSON array (checked by its shape already).
fn names(raw: Option<&str>) -> Option<Vec<String>> {
    Some(
        json::array(raw?)?
            .filter_map(|(_, v)| json::string(v))
            .collect(),
    )
}

impl PaymentIntent {
    /// `customer`, typed (`None` when absent).
    pub fn customer(&self) -> Option<Customer> {
        let m = json::members(self.customer.as_ref()?.text())?;
        let text = |k| {
            crate::core::address::text_member(&m, k, usize::MAX, "")
                .ok()
                .flatten()
        };
        Some(Customer {
            id: text("id"),
            email_address: text("emailAddress"),
            phone_number: text("phoneNumber"),
        })
    }

    /// `billingAddress`, typed.
    pub fn billing_address(&self) -> Option<Address> {
        Address::from_json(self.billing_address.as_ref()?.text(), "billingAddress").ok()
    }

    /// `shippingDetails`, typed.
    pub fn shipping_details(&self) -> Option<ShippingDetails> {
        ShippingDetails::from_json(self.shipping_details.as_ref()?.text(), "shippingDetails").ok()
    }

    /// `itemLines`, typed (empty when absent).
    pub fn item_lines(&self) -> Vec<ItemLine> {
        self.item_lines
            .as_ref()
            .and_then(|j| order::item_lines(j.text(), "itemLines").ok())
            .unwrap_or_default()
    }

    /// `taxLines`, typed (empty when absent).
    pub fn tax_lines(&self) -> Vec<TaxLine> {
        self.tax_lines
            .as_ref()
            .and_then(|j| order::tax_lines(j.text(), "taxLines").ok())
            .unwrap_or_default()
    }

    /// `config`, typed (native: the sandbox and tests; the page reads the members it needs directly).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn config(&self) -> Option<IntentConfig> {
        serde_json::from_str(self.config.as_ref()?.text()).ok()
    }

    /// `paymentMethods` (`None` when the API does not say).
    pub fn payment_methods(&self) -> Option<Vec<String>> {
        names(self.payment_methods.as_ref().map(Json::text))
    }

    /// `merchantConfig.supportedPaymentMethods`, typed.
    pub fn merchant_config(&self) -> Option<MerchantConfig> {
        let spm = at(
            self.merchant_config.as_ref()?.text(),
            &["supportedPaymentMethods"],
        )?;
        Some(MerchantConfig {
            card_schemes: names(at(spm, &["cardSchemes"])),
            wallets: names(at(spm, &["wallets"])),
        })
    }

    /// What the customer must give with the payment, from `config` (`…collectionRequired`).
    pub fn collect(&self) -> Collect {
        let config = self.config.as_ref().map_or("{}", Json::text);
        let need = |key| at(config, &[key, "collectionRequired"]) == Some("true");
        Collect {
            email: need("customerEmail"),
            billing: need("billingAddress"),
            shipping: need("shippingDetails"),
        }
    }

    /// Whether the intent takes a card of `brand`: cards are among its `paymentMethods` (absent: cards
    /// only, Dojo's default) and the brand's scheme is among the merchant's `cardSchemes` (absent: all).
    /// A brand not yet known from the digits typed so far is not refused.
    pub fn accepts_brand(&self, brand: Brand) -> bool {
        let listed = |list: Option<&str>, name: &str| {
            list.and_then(json::array).map_or(true, |mut items| {
                items.any(|(_, v)| json::string(v).is_some_and(|s| s.eq_ignore_ascii_case(name)))
            })
        };
        let schemes = self
            .merchant_config
            .as_ref()
            .and_then(|m| at(m.text(), &["supportedPaymentMethods", "cardSchemes"]));
        listed(self.payment_methods.as_ref().map(Json::text), "Card")
            && (brand == Brand::Unknown || listed(schemes, brand.scheme()))
    }

    /// The brands [`PaymentIntent::accepts_brand`] takes, in the card module's order.
    pub fn accepted_brands(&self) -> Vec<Brand> {
        crate::core::card::ALL_BRANDS
            .into_iter()
            .filter(|b| *b != Brand::Unknown && self.accepts_brand(*b))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lifecycle::Dialect;
    use serde_json::{json, Value};

    fn doc(extra: Value) -> Value {
        let mut d = json!({
            "id": "pi_1", "status": "Created",
            "amount": {"value": 2600, "currencyCode": "GBP"},
            "createdAt": "2024-04-07T23:25:44Z", "updatedAt": "2024-04-07T23:25:45Z",
        });
        if let (Some(o), Some(e)) = (d.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        d
    }

    fn decode(extra: Value) -> Result<PaymentIntent, (String, &'static str)> {
        PaymentIntent::from_value(&doc(extra), Dialect::Dojo)
            .map_err(|e| (e.field.clone(), e.code()))
    }

    fn fails(extra: Value) -> (String, &'static str) {
        decode(extra).expect_err("refused")
    }

    #[test]
    fn every_field_decodes() {
        let pi = decode(json!({
            "config": {
                "title": "Cam's Café", "redirectUrl": "https://shop.example/thanks",
                "cancelUrl": "http://localhost:3000/cart", "customerEmail": {"collectionRequired": true},
                "details": {"showTotal": true, "showReference": false},
                "billingAddress": {"collectionRequired": true}, "shippingDetails": {"collectionRequired": false},
                "payment": {"tipsAllowed": true}, "branding": {"x": 1}, "tradingName": "Cam"
            },
            "customer": {"id": "cu_1", "emailAddress": "ada@example.com", "phoneNumber": "+44"},
            "billingAddress": {"address1": "1 High St", "city": "London", "postcode": "W2 1DG", "countryCode": "GB"},
            "shippingDetails": {"name": "Ada", "deliveryNotes": "Ring twice", "address": {"countryCode": "FR"}},
            "itemLines": [{"name": "Tea", "quantity": 2, "amountTotal": {"value": 2150, "currencyCode": "GBP"}}],
            "taxLines": [{"caption": "VAT", "amountTotal": {"value": 450, "currencyCode": "GBP"}}],
            "paymentMethods": ["Card", "Wallet"],
            "merchantConfig": {"supportedPaymentMethods": {"cardSchemes": ["VISA", "MASTERCARD"], "wallets": []}},
            "cashbackAmount": {"value": 0, "currencyCode": "GBP"},
            "serviceChargeAmount": {"value": 125, "currencyCode": "GBP"}
        }))
        .expect("decodes");
        let c = pi.config().expect("config");
        assert_eq!(c.title.as_deref(), Some("Cam's Café"));
        assert_eq!(
            c.redirect_url.as_deref(),
            Some("https://shop.example/thanks")
        );
        assert_eq!(c.details.and_then(|d| d.show_reference), Some(false));
        assert_eq!(
            pi.collect(),
            Collect {
                email: true,
                billing: true,
                shipping: false
            }
        );
        assert_eq!(
            pi.customer().and_then(|c| c.email_address),
            Some("ada@example.com".into())
        );
        assert_eq!(
            pi.billing_address().map(|a| a.country_code),
            Some("GB".into())
        );
        assert_eq!(
            pi.shipping_details().and_then(|s| s.delivery_notes),
            Some("Ring twice".into())
        );
        assert_eq!(pi.item_lines()[0].total(), 2150);
        assert_eq!(pi.tax_lines()[0].amount_total.value, 450);
        assert_eq!(
            pi.payment_methods(),
            Some(vec!["Card".into(), "Wallet".into()])
        );
        assert_eq!(pi.service_charge_amount.map(|m| m.minor_units()), Some(125));
        assert!(pi.accepts_brand(Brand::Visa));
        assert!(!pi.accepts_brand(Brand::Amex));
        assert!(pi.accepts_brand(Brand::Unknown));
        assert_eq!(pi.accepted_brands(), [Brand::Visa, Brand::Mastercard]);
        // serde (native) reads what it writes.
        let text = serde_json::to_string(&pi).expect("JSON");
        let back: PaymentIntent = serde_json::from_str(&text).expect("back");
        assert_eq!(back, pi);
    }

    #[test]
    fn each_field_is_checked_and_named() {
        let cases: Vec<(Value, (&str, &str))> = vec![
            (
                json!({"config": {"title": 1}}),
                ("config.title", "wrong_type"),
            ),
            (
                json!({"config": {"redirectUrl": "javascript:alert(1)"}}),
                ("config.redirectUrl", "out_of_range"),
            ),
            (
                json!({"config": {"cancelUrl": "https://x.example/a b"}}),
                ("config.cancelUrl", "out_of_range"),
            ),
            (
                json!({"config": {"customerEmail": {"collectionRequired": "yes"}}}),
                ("config.customerEmail.collectionRequired", "wrong_type"),
            ),
            (
                json!({"config": {"billingAddress": []}}),
                ("config.billingAddress", "wrong_type"),
            ),
            (
                json!({"config": {"details": {"showTotal": 1}}}),
                ("config.details.showTotal", "wrong_type"),
            ),
            (
                json!({"customer": {"emailAddress": "x".repeat(255)}}),
                ("customer.emailAddress", "bad_length"),
            ),
            (json!({"customer": []}), ("customer", "wrong_type")),
            (
                json!({"billingAddress": {"city": "London"}}),
                ("billingAddress.countryCode", "missing_field"),
            ),
            (
                json!({"billingAddress": {"countryCode": "G1"}}),
                ("billingAddress.countryCode", "out_of_range"),
            ),
            (
                json!({"shippingDetails": {"address": {"countryCode": 44}}}),
                ("shippingDetails.address.countryCode", "wrong_type"),
            ),
            (
                json!({"itemLines": [{"amountTotal": {"value": 1, "currencyCode": "XYZ"}}]}),
                ("itemLines[0].amountTotal.currencyCode", "unknown_currency"),
            ),
            (json!({"itemLines": {}}), ("itemLines", "wrong_type")),
            (
                json!({"taxLines": [{}]}),
                ("taxLines[0].amountTotal", "missing_field"),
            ),
            (
                json!({"paymentMethods": ["Card", 1]}),
                ("paymentMethods[1]", "wrong_type"),
            ),
            (
                json!({"merchantConfig": {"supportedPaymentMethods": {"cardSchemes": "VISA"}}}),
                (
                    "merchantConfig.supportedPaymentMethods.cardSchemes",
                    "wrong_type",
                ),
            ),
            (
                json!({"serviceChargeAmount": {"value": 1, "currencyCode": "EUR"}}),
                ("serviceChargeAmount.currencyCode", "currency_mismatch"),
            ),
            (
                json!({"cashbackAmount": {"value": -1, "currencyCode": "GBP"}}),
                ("cashbackAmount.value", "negative_amount"),
            ),
        ];
        for (extra, (field, code)) in cases {
            assert_eq!(fails(extra.clone()), (field.to_string(), code), "{extra}");
        }
        // Nulls are absent, as everywhere in the decoder.
        let pi = decode(json!({"customer": null, "itemLines": null, "config": {"title": null}}))
            .expect("nulls");
        assert!(pi.customer.is_none() && pi.item_lines().is_empty());
    }

    #[test]
    fn brands_follow_payment_methods_and_schemes() {
        let pi = |extra: Value| decode(extra).expect("decodes");
        let all = pi(json!({}));
        assert_eq!(
            all.accepted_brands().len(),
            crate::core::card::ALL_BRANDS.len() - 1,
            "nothing said: every brand"
        );
        let wallets_only = pi(json!({"paymentMethods": ["Wallet"]}));
        assert!(wallets_only.accepted_brands().is_empty());
        let amex_only =
            pi(json!({"merchantConfig": {"supportedPaymentMethods": {"cardSchemes": ["amex"]}}}));
        assert_eq!(
            amex_only.accepted_brands(),
            [Brand::Amex],
            "case-insensitive"
        );
        let diners =
            pi(json!({"merchantConfig": {"supportedPaymentMethods": {"cardSchemes": ["DCI"]}}}));
        assert_eq!(
            diners.accepted_brands(),
            [Brand::Diners],
            "Dojo calls Diners DCI"
        );
    }
}
