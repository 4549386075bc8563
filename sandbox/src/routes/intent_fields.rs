//! Reading Dojo's create and update fields beyond the amount (`customer`, `billingAddress`,
//! `shippingDetails`, `itemLines`, `taxLines`, `paymentMethods`, `config`, `expireAt`, `actionLink`,
//! `requestSecurity`, `orderDetails`, …) and the customer's details a payment carries. Every problem is a
//! 400 naming the field. Where Dojo's schema leaves a rule open, the choice is written next to the check
//! (and in sandbox/README.md).

use intent_checkout::core::address::{Address, FieldError, ShippingDetails};
use intent_checkout::core::intent::{Collection, Customer, DetailsConfig, IntentConfig};
use intent_checkout::core::order::{self, ItemLine, TaxLine};
use intent_checkout::core::payer::{email_problem, Collect, PayerDetails};
use serde_json::{Map, Value};

use crate::clock::Millis;
use crate::details::{Details, Schemes, PAYMENT_METHODS};
use crate::http::body::Fields;
use crate::http::{ApiResult, Problem};
use crate::lifecycle::{Money, Timestamp};

/// The create fields this module reads (merchant.rs reads the amount, capture and payment settings).
pub const CREATE_FIELDS: &[&str] = &[
    "customer",
    "billingAddress",
    "shippingDetails",
    "cardHolderNotPresent",
    "requestSecurity",
    "itemLines",
    "taxLines",
    "paymentMethods",
    "actionLink",
    "expireAt",
    "setupIntentId",
    "orderDetails",
    "cashbackAmount",
    "serviceChargeAmount",
    "generateRemoteToken",
];

/// A core field error as the 400 the API answers.
pub fn field_problem(e: FieldError) -> Problem {
    let what = match e.code {
        "required" => "is required",
        "wrong_type" => "has the wrong type",
        "too_long" => "is too long",
        "invalid_country" => "must be an ISO 3166-1 alpha-2 country code",
        "invalid_postcode" => "is not a postcode of the address's country",
        "invalid_state" => "is not a state, province or prefecture of the address's country",
        "invalid_email" => "is not an email address",
        "unknown_currency" => "is not an ISO 4217 currency",
        "currency_mismatch" => "must be in the intent's currency",
        "lines_mismatch" => {
            "and `taxLines` must add up to `amount` (item totals with their modifiers, plus taxes)"
        }
        _ => "is out of range",
    };
    let field = if e.field.is_empty() { "$" } else { &e.field };
    Problem::invalid(field, format!("`{field}` {what}")).with("reason", e.code)
}

/// The raw JSON text of member `key`, if present and not null.
fn raw(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).filter(|v| !v.is_null()).map(Value::to_string)
}

/// An absolute http(s) URL with a host and no spaces or control characters (Dojo: `format: uri`; the
/// sandbox also refuses other schemes, so a `javascript:` URL never reaches a page, and what it keeps is
/// what the SDK's decoder accepts).
pub fn is_http_url(s: &str) -> bool {
    !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && url::Url::parse(s)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// [`is_http_url`] at `key`, of at most 2,048 characters.
fn http_url(f: &Fields<'_>, key: &str) -> ApiResult<Option<String>> {
    let Some(s) = f.str(key, 2048)? else {
        return Ok(None);
    };
    if !is_http_url(s) {
        let p = f.path(key);
        return Err(Problem::invalid(
            &p,
            format!("`{p}` must be an absolute http(s) URL"),
        ));
    }
    Ok(Some(s.to_string()))
}

/// An object with only `spec`'s members, each a string of at most `max` characters (0: a boolean;
/// `usize::MAX`: an RFC 3339 date-time), kept as sent.
fn plain_object(
    f: &Fields<'_>,
    key: &str,
    spec: &[(&str, usize)],
    required: &[&str],
) -> ApiResult<Option<Value>> {
    let Some(o) = f.object(key)? else {
        return Ok(None);
    };
    let names: Vec<&str> = spec.iter().map(|(k, _)| *k).collect();
    o.only(&names)?;
    for (k, max) in spec {
        match *max {
            0 => drop(o.bool(k)?),
            usize::MAX => {
                if let Some(s) = o.str(k, 64)? {
                    Timestamp::parse_rfc3339(s).map_err(|_| {
                        Problem::invalid(
                            &o.path(k),
                            format!("`{}` must be an RFC 3339 date-time", o.path(k)),
                        )
                    })?;
                }
            }
            max => drop(o.str(k, max)?),
        }
    }
    for k in required {
        o.required(k, o.str(k, usize::MAX)?.filter(|s| !s.is_empty()))?;
    }
    Ok(Some(Value::Object(o.obj.clone())))
}

fn collection(c: &Fields<'_>, key: &str) -> ApiResult<Option<Collection>> {
    let Some(o) = c.object(key)? else {
        return Ok(None);
    };
    o.only(&["collectionRequired"])?;
    Ok(Some(Collection {
        collection_required: o.bool("collectionRequired")?.unwrap_or(false),
    }))
}

/// `config` besides `payment` (read by merchant.rs): title, URLs, what to collect and to show.
pub fn parse_config(config: &Fields<'_>) -> ApiResult<IntentConfig> {
    config.only(&[
        "title",
        "redirectUrl",
        "cancelUrl",
        "customerEmail",
        "details",
        "billingAddress",
        "shippingDetails",
        "payment",
    ])?;
    let details = match config.object("details")? {
        None => None,
        Some(d) => {
            d.only(&["showTotal", "showReference"])?;
            Some(DetailsConfig {
                show_total: d.bool("showTotal")?,
                show_reference: d.bool("showReference")?,
            })
        }
    };
    Ok(IntentConfig {
        title: config.str("title", 100)?.map(str::to_string),
        redirect_url: http_url(config, "redirectUrl")?,
        cancel_url: http_url(config, "cancelUrl")?,
        customer_email: collection(config, "customerEmail")?,
        details,
        billing_address: collection(config, "billingAddress")?,
        shipping_details: collection(config, "shippingDetails")?,
        payment: None,
    })
}

/// Item and tax lines as the core reads them (types, lengths, quantities), named by their path.
pub fn parse_lines(obj: &Map<String, Value>) -> ApiResult<(Vec<ItemLine>, Vec<TaxLine>)> {
    let items = match raw(obj, "itemLines") {
        Some(r) => order::item_lines(&r, "itemLines").map_err(field_problem)?,
        None => Vec::new(),
    };
    let taxes = match raw(obj, "taxLines") {
        Some(r) => order::tax_lines(&r, "taxLines").map_err(field_problem)?,
        None => Vec::new(),
    };
    Ok((items, taxes))
}

/// The lines against `amount` (the core's arithmetic, `core::order::check`).
pub fn check_lines(amount: Money, items: &[ItemLine], taxes: &[TaxLine]) -> ApiResult<()> {
    order::check(amount, items, taxes).map_err(field_problem)
}

/// Dojo's create fields besides amount, capture and `config.payment`, checked against its schema and the
/// sandbox's rules. `amount` is the intent's base amount (for the lines) and `currency` its code; `now`
/// the sandbox clock (for `expireAt`).
pub fn parse_details(
    f: &Fields<'_>,
    amount: Money,
    now: Millis,
    card_schemes: Schemes,
) -> ApiResult<(Details, Option<Millis>)> {
    let obj = f.obj;
    let mut d = Details {
        card_schemes,
        ..Details::default()
    };
    if let Some(c) = f.object("customer")? {
        // Dojo's `PaymentCustomerDetails`: `secret` and `savedCardId` are accepted (saved cards come with
        // the customers API) but not part of the intent's `Customer`, so they are not kept.
        c.only(&["id", "emailAddress", "phoneNumber", "secret", "savedCardId"])?;
        let email = c
            .str("emailAddress", 254)?
            .map(str::trim)
            .filter(|e| !e.is_empty());
        // Dojo only bounds the length; a receipt needs an address that can receive one.
        if let Some(code) = email.and_then(email_problem) {
            return Err(field_problem(FieldError::new(
                "customer",
                "emailAddress",
                code,
            )));
        }
        c.str("secret", 2048)?;
        c.str("savedCardId", 100)?;
        d.customer = Some(Customer {
            id: c.str("id", 100)?.map(str::to_string),
            email_address: email.map(str::to_string),
            phone_number: c.str("phoneNumber", 50)?.map(str::to_string),
        });
    }
    // The merchant's addresses are checked against Dojo's schema only (types, lengths, an ISO country);
    // the per-country rules apply to what the customer types (see `payer_details`).
    if let Some(r) = raw(obj, "billingAddress") {
        d.billing_address = Some(Address::from_json(&r, "billingAddress").map_err(field_problem)?);
    }
    if let Some(r) = raw(obj, "shippingDetails") {
        d.shipping_details =
            Some(ShippingDetails::from_json(&r, "shippingDetails").map_err(field_problem)?);
    }
    d.card_holder_not_present = f.bool("cardHolderNotPresent")?;
    f.bool("generateRemoteToken")?; // accepted; the sandbox has no payment links to generate
    d.request_security = plain_object(
        f,
        "requestSecurity",
        &[("userAgent", 300), ("ipAddress", 70), ("device", 120)],
        &[],
    )?;
    d.action_link = plain_object(
        f,
        "actionLink",
        &[
            ("url", 2048),
            ("action", 20),
            ("label", 60),
            ("fileName", 256),
        ],
        &["url", "label"],
    )?;
    if let Some(link) = f.object("actionLink")? {
        http_url(&link, "url")?;
        if let Some(a) = link.str("action", 20)? {
            if a != "OpenLink" && a != "DownloadFile" {
                return Err(Problem::invalid(
                    "actionLink.action",
                    "`actionLink.action` must be OpenLink or DownloadFile",
                ));
            }
        }
    }
    d.order_details = plain_object(
        f,
        "orderDetails",
        &[
            ("availabilityDate", usize::MAX),
            ("isUpdate", 0),
            ("id", 100),
            ("externalId", 100),
        ],
        &[],
    )?;
    d.setup_intent_id = f.str("setupIntentId", 100)?.map(str::to_string);
    (d.item_lines, d.tax_lines) = parse_lines(obj)?;
    check_lines(amount, &d.item_lines, &d.tax_lines)?;
    if let Some(list) = obj.get("paymentMethods").filter(|v| !v.is_null()) {
        let bad = || {
            Problem::invalid(
                "paymentMethods",
                format!(
                    "`paymentMethods` must be a non-empty list of {}",
                    PAYMENT_METHODS.join(", ")
                ),
            )
        };
        let names = list.as_array().ok_or_else(bad)?;
        let methods: Vec<String> = names
            .iter()
            .map(|m| {
                m.as_str()
                    .filter(|m| PAYMENT_METHODS.contains(m))
                    .map(str::to_string)
            })
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        if methods.is_empty() {
            return Err(bad());
        }
        d.payment_methods = Some(methods);
    }
    let currency = amount.currency();
    for (key, slot) in [
        ("cashbackAmount", &mut d.cashback),
        ("serviceChargeAmount", &mut d.service_charge),
    ] {
        if let Some((v, c)) = f.money(key, 0)? {
            if c != currency.code() {
                let p = format!("{key}.currencyCode");
                return Err(Problem::invalid(
                    &p,
                    format!("`{p}` must be the intent's currency"),
                ));
            }
            *slot = Some(v);
        }
    }
    if let Some(c) = f.object("config")? {
        d.config = parse_config(&c)?;
    }
    // Dojo: "when a payment intent will be voided … If null, … after 30 days". A time already past
    // would void it at once, so it must be in the future (on the sandbox clock).
    let expire_at = match f.str("expireAt", 64)? {
        None => None,
        Some(s) => {
            let at = Timestamp::parse_rfc3339(s)
                .map_err(|_| {
                    Problem::invalid("expireAt", "`expireAt` must be an RFC 3339 date-time")
                })?
                .as_unix_millis();
            if at <= now {
                return Err(Problem::invalid(
                    "expireAt",
                    "`expireAt` must be in the future",
                ));
            }
            Some(at)
        }
    };
    Ok((d, expire_at))
}

/// The customer's details in a pay body (`userEmailAddress`, `billingAddress`, `shippingDetails`), checked
/// and normalised by the core's rules for what the intent collects — the rules the page's form applied.
pub fn payer_details(body: &[u8], collect: Collect) -> ApiResult<PayerDetails> {
    let text = std::str::from_utf8(body).unwrap_or("");
    let mut payer = PayerDetails::from_json(text).map_err(field_problem)?;
    match payer.check(collect).into_iter().next() {
        Some(e) => Err(field_problem(e)),
        None => Ok(payer),
    }
}
