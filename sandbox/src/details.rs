//! What an intent carries beyond its amount: the rest of Dojo's `CreatePaymentIntentRequest` (customer,
//! addresses, order lines, payment methods, checkout config, extra amounts …), the merchant account's
//! accepted card schemes, and the rules the sandbox enforces on them (lines that add up, the card
//! schemes and methods a payment may use). Types and rules come from the SDK's core where it has them
//! (`core::address`, `core::order`, `core::payer`), so the page and the sandbox agree. Knows no HTTP.

use intent_checkout::core::address::{Address, ShippingDetails};
use intent_checkout::core::intent::{Customer, IntentConfig};
use intent_checkout::core::order::{self, ItemLine, TaxLine};
use intent_checkout::core::payer::{Collect, PayerDetails};
use serde_json::{json, Map, Value};

use crate::lifecycle::Money;

/// Dojo's `CardScheme` names the sandbox knows; the default accepted set (a merchant account taking every
/// brand the SDK's card rules recognise).
pub const CARD_SCHEMES: &[&str] = &[
    "VISA",
    "MASTERCARD",
    "MAESTRO",
    "DISCOVER",
    "DCI",
    "AMEX",
    "JCB",
    "UNIONPAY",
];

/// A set of [`CARD_SCHEMES`] (one bit each: intents are many, schemes few).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schemes(u8);

impl Schemes {
    pub const ALL: Schemes = Schemes(u8::MAX >> (8 - CARD_SCHEMES.len()));

    /// The set of the known names among `names` (unknown ones are left out).
    pub fn of<S: AsRef<str>>(names: &[S]) -> Schemes {
        Schemes(
            CARD_SCHEMES
                .iter()
                .enumerate()
                .filter(|(_, s)| names.iter().any(|n| n.as_ref() == **s))
                .fold(0, |m, (i, _)| m | 1 << i),
        )
    }

    pub fn contains(self, scheme: &str) -> bool {
        CARD_SCHEMES
            .iter()
            .position(|s| *s == scheme)
            .is_some_and(|i| self.0 & 1 << i != 0)
    }

    pub fn names(self) -> Vec<&'static str> {
        CARD_SCHEMES
            .iter()
            .copied()
            .filter(|s| self.contains(s))
            .collect()
    }
}

impl Default for Schemes {
    fn default() -> Self {
        Schemes::ALL
    }
}

/// Dojo's `PaymentMethod` values.
pub const PAYMENT_METHODS: &[&str] = &["Card", "Wallet", "SavedCard"];

/// The fields of an intent besides amount, status and capture settings.
#[derive(Debug, Clone, Default)]
pub struct Details {
    /// `customer` (`id`, `emailAddress`, `phoneNumber`); a customer's email from the page lands here.
    pub customer: Option<Customer>,
    pub billing_address: Option<Address>,
    pub shipping_details: Option<ShippingDetails>,
    pub card_holder_not_present: Option<bool>,
    /// `requestSecurity`, `actionLink`, `orderDetails`: checked against Dojo's schema, kept as sent.
    pub request_security: Option<Value>,
    pub action_link: Option<Value>,
    pub order_details: Option<Value>,
    pub setup_intent_id: Option<String>,
    pub item_lines: Vec<ItemLine>,
    pub tax_lines: Vec<TaxLine>,
    /// `None`: not given (Dojo answers `["Card"]`).
    pub payment_methods: Option<Vec<String>>,
    /// `config` except `payment` (kept on the intent as `tips_allowed` / `custom_amount_allowed`).
    pub config: IntentConfig,
    /// Outside `amount`, added to the total charged (Dojo: `amount` excludes tips, service charge and
    /// cashback).
    pub cashback: Option<i64>,
    pub service_charge: Option<i64>,
    /// The merchant account's accepted schemes when the intent was made (`merchantConfig`).
    pub card_schemes: Schemes,
}

/// Why a payment method may not pay this intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `paymentMethods` does not include `Card`.
    MethodNotAccepted,
    /// The card's scheme is not among the merchant's.
    SchemeNotAccepted(&'static str),
}

impl Details {
    /// Service charge plus cashback, in minor units.
    pub fn extras(&self) -> i64 {
        self.cashback
            .unwrap_or(0)
            .saturating_add(self.service_charge.unwrap_or(0))
    }

    /// What the page must collect (`config.customerEmail` / `billingAddress` / `shippingDetails`).
    pub fn collect(&self) -> Collect {
        let need = |c: Option<intent_checkout::core::intent::Collection>| {
            c.is_some_and(|c| c.collection_required)
        };
        Collect {
            email: need(self.config.customer_email),
            billing: need(self.config.billing_address),
            shipping: need(self.config.shipping_details),
        }
    }

    /// May a card of Dojo scheme `scheme` (`VISA`, `AMEX` …) pay?
    pub fn card_refusal(&self, scheme: &'static str) -> Option<Refusal> {
        let cards = self
            .payment_methods
            .as_ref()
            .map_or(true, |m| m.iter().any(|m| m == "Card"));
        if !cards {
            return Some(Refusal::MethodNotAccepted);
        }
        if !self.card_schemes.contains(scheme) {
            return Some(Refusal::SchemeNotAccepted(scheme));
        }
        None
    }

    /// The lines against `amount` (the rule is `core::order::check`): the field and its code on failure.
    pub fn check_lines(
        items: &[ItemLine],
        taxes: &[TaxLine],
        amount: Money,
    ) -> Result<(), (String, &'static str)> {
        order::check(amount, items, taxes).map_err(|e| (e.field, e.code))
    }

    /// Keeps what the customer sent with a payment (already checked): the email becomes the customer's,
    /// the addresses replace the merchant's.
    pub fn take_payer(&mut self, payer: PayerDetails) {
        if let Some(email) = payer.email {
            self.customer
                .get_or_insert_with(Customer::default)
                .email_address = Some(email);
        }
        if payer.billing.is_some() {
            self.billing_address = payer.billing;
        }
        if payer.shipping.is_some() {
            self.shipping_details = payer.shipping;
        }
    }

    /// The config with `payment` as the intent has it.
    fn config_with(&self, custom_amount_allowed: bool, tips_allowed: bool) -> Value {
        let mut c = self.config.clone();
        c.payment = Some(intent_checkout::core::intent::PaymentConfig {
            custom_amount_allowed: Some(custom_amount_allowed),
            tips_allowed: Some(tips_allowed),
        });
        serde_json::to_value(c).unwrap_or(Value::Null)
    }

    fn merchant_config(&self) -> Value {
        json!({"supportedPaymentMethods": {"cardSchemes": self.card_schemes.names(), "wallets": []}})
    }

    fn payment_methods_or_default(&self) -> Value {
        match &self.payment_methods {
            Some(m) => json!(m),
            None => json!(["Card"]),
        }
    }

    /// Members of Dojo's merchant `PaymentIntent` for these details (every one the schema has).
    pub fn merchant_members(
        &self,
        o: &mut Map<String, Value>,
        currency: &str,
        payment: (bool, bool),
    ) {
        self.shared_members(o, currency, payment);
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v.filter(|v| !v.is_null()) {
                o.insert(k.to_string(), v);
            }
        };
        put("customer", self.customer.as_ref().map(value));
        put(
            "cardHolderNotPresent",
            Some(json!(self.card_holder_not_present.unwrap_or(false))),
        );
        put("requestSecurity", self.request_security.clone());
        put("actionLink", self.action_link.clone());
        put("orderDetails", self.order_details.clone());
        put(
            "setupIntentId",
            self.setup_intent_id.as_ref().map(|s| json!(s)),
        );
    }

    /// What the page sees: its settings and the order, the customer's email and addresses (to pre-fill
    /// the form), never the merchant's internal fields (`metadata`, `requestSecurity`, `orderDetails` …).
    pub fn browser_members(
        &self,
        o: &mut Map<String, Value>,
        currency: &str,
        payment: (bool, bool),
    ) {
        self.shared_members(o, currency, payment);
        if let Some(email) = self
            .customer
            .as_ref()
            .and_then(|c| c.email_address.as_ref())
        {
            o.insert("customer".into(), json!({ "emailAddress": email }));
        }
    }

    /// What the merchant's and the page's views both carry.
    fn shared_members(&self, o: &mut Map<String, Value>, currency: &str, payment: (bool, bool)) {
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v.filter(|v| !v.is_null()) {
                o.insert(k.to_string(), v);
            }
        };
        let money = |v: Option<i64>| v.map(|v| json!({"value": v, "currencyCode": currency}));
        put("billingAddress", self.billing_address.as_ref().map(value));
        put("shippingDetails", self.shipping_details.as_ref().map(value));
        put("itemLines", Some(value(&self.item_lines)));
        put("taxLines", Some(value(&self.tax_lines)));
        put("paymentMethods", Some(self.payment_methods_or_default()));
        put("merchantConfig", Some(self.merchant_config()));
        put("config", Some(self.config_with(payment.0, payment.1)));
        put("cashbackAmount", money(self.cashback));
        put("serviceChargeAmount", money(self.service_charge));
    }
}

/// `serde_json::to_value` for the core's records: plain data, so it cannot fail (`null` if it ever did).
fn value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
