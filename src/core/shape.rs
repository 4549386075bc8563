//! Structural checks of JSON values against static shapes: the page's decoder checks the intent's
//! customer, addresses and order lines this way and keeps them as JSON text (the widget shows them; the
//! typed readers in `core::address` and `core::order` are for the sandbox). One small walker and a few
//! tables instead of a typed decoder per member: measured, the typed decoders cost the page's wasm about
//! five times as much.

use crate::core::json;
use crate::core::money::MAX_MINOR_UNITS;

/// What a value must look like.
#[derive(Debug)]
pub enum Shape {
    /// A string of at most this many characters.
    Text(u16),
    Bool,
    /// A whole number from this minimum to `MAX_MINOR_UNITS` (quantities, amounts in minor units).
    Int(i64),
    /// An ISO 4217 code the core knows.
    Currency,
    /// Two ASCII letters (an ISO 3166-1 alpha-2 code's form; the list itself is checked where addresses
    /// are checked in full, `core::address`).
    Country,
    /// An absolute http(s) URL of at most 2,048 characters, without spaces or control characters: a
    /// `javascript:` URL from a server never reaches the page.
    Url,
    /// Members by name: (name, shape, required). Other members are tolerated.
    Object(&'static [(&'static str, Shape, bool)]),
    List(&'static Shape),
}

use Shape::*;

pub const ADDRESS: Shape = Object(&[
    ("address1", Text(100), false),
    ("address2", Text(100), false),
    ("address3", Text(100), false),
    ("address4", Text(100), false),
    ("city", Text(100), false),
    ("state", Text(100), false),
    ("postcode", Text(50), false),
    ("countryCode", Country, true),
    ("locality", Text(100), false),
    ("county", Text(100), false),
]);

const COLLECT: Shape = Object(&[("collectionRequired", Bool, false)]);

/// Dojo's `PaymentIntentConfigResponse`.
pub const CONFIG: Shape = Object(&[
    ("title", Text(100), false),
    ("redirectUrl", Url, false),
    ("cancelUrl", Url, false),
    ("customerEmail", COLLECT, false),
    (
        "details",
        Object(&[("showTotal", Bool, false), ("showReference", Bool, false)]),
        false,
    ),
    ("billingAddress", COLLECT, false),
    ("shippingDetails", COLLECT, false),
    (
        "payment",
        Object(&[
            ("customAmountAllowed", Bool, false),
            ("tipsAllowed", Bool, false),
        ]),
        false,
    ),
]);

/// `paymentMethods`, `cardSchemes`, `wallets`: lists of names.
pub const NAMES: Shape = List(&Text(50));

pub const MERCHANT_CONFIG: Shape = Object(&[(
    "supportedPaymentMethods",
    Object(&[("cardSchemes", NAMES, false), ("wallets", NAMES, false)]),
    false,
)]);

pub const SHIPPING: Shape = Object(&[
    ("name", Text(100), false),
    ("deliveryNotes", Text(1024), false),
    ("address", ADDRESS, false),
]);

pub const CUSTOMER: Shape = Object(&[
    ("id", Text(2048), false),
    ("emailAddress", Text(254), false),
    ("phoneNumber", Text(50), false),
]);

/// Dojo's `Money`; a modifier's may be negative (a discount).
const MONEY: Shape = Object(&[("value", Int(0), true), ("currencyCode", Currency, true)]);
const SIGNED_MONEY: Shape = Object(&[
    ("value", Int(-MAX_MINOR_UNITS), true),
    ("currencyCode", Currency, true),
]);
/// Quantities: Dojo's `int32`, at least 1.
const COUNT: Shape = Int(1);

const MODIFIER: Shape = Object(&[
    ("id", Text(60), true),
    ("name", Text(100), true),
    ("amountPerModifier", SIGNED_MONEY, true),
    ("quantity", COUNT, true),
]);

pub const ITEM_LINES: Shape = List(&Object(&[
    ("id", Text(60), false),
    ("quantity", COUNT, false),
    ("name", Text(100), false),
    ("category", Text(100), false),
    ("modifiers", List(&MODIFIER), false),
    ("amountTotal", MONEY, false),
    ("plu", Text(200), false),
]));

pub const TAX_LINES: Shape = List(&Object(&[
    ("id", Text(60), false),
    ("caption", Text(100), false),
    ("subCaption", Text(100), false),
    ("amountTotal", MONEY, true),
    ("affectedPlu", Text(200), false),
]));

/// Checks `raw` against `shape`. On failure, `path` (which starts as the value's own path) is extended to
/// the offending field, and the code is `required`, `wrong_type`, `too_long`, `out_of_range`,
/// `unknown_currency` or `invalid_country`.
pub fn check(raw: &str, shape: &Shape, path: &mut String) -> Result<(), &'static str> {
    walk(raw, shape).map_err(|(rest, code)| {
        for part in rest.iter().rev() {
            match part {
                Part::Key(k) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                }
                Part::Index(i) => {
                    path.push('[');
                    json::push_uint(path, *i as u64);
                    path.push(']');
                }
            }
        }
        code
    })
}

/// One step of the path to a failure, innermost first (paths are only built for failures).
enum Part {
    Key(&'static str),
    Index(usize),
}

type Failure = (Vec<Part>, &'static str);

fn fail(code: &'static str) -> Failure {
    (Vec::new(), code)
}

fn walk(raw: &str, shape: &Shape) -> Result<(), Failure> {
    match shape {
        Text(max) => {
            let s = json::string(raw).ok_or(fail("wrong_type"))?;
            if s.chars().count() > usize::from(*max) {
                return Err(fail("too_long"));
            }
        }
        Bool => {
            json::boolean(raw).ok_or(fail("wrong_type"))?;
        }
        Int(min) => match json::int(raw) {
            Some(n) if (*min..=MAX_MINOR_UNITS).contains(&n) => {}
            Some(_) => return Err(fail("out_of_range")),
            None => return Err(fail("wrong_type")),
        },
        Currency => {
            let s = json::string(raw).ok_or(fail("wrong_type"))?;
            if crate::core::money::Currency::from_code(&s).is_err() {
                return Err(fail("unknown_currency"));
            }
        }
        Url => {
            let s = json::string(raw).ok_or(fail("wrong_type"))?;
            let lower = s.get(..8).unwrap_or(&s).to_ascii_lowercase();
            let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
                && s.len() <= 2048
                && !s.chars().any(|c| c.is_whitespace() || c.is_control());
            if !ok {
                return Err(fail("out_of_range"));
            }
        }
        Country => {
            let s = json::string(raw).ok_or(fail("wrong_type"))?;
            if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(fail("invalid_country"));
            }
        }
        Object(members) => {
            let items = json::object(raw).ok_or(fail("wrong_type"))?;
            for (name, shape, required) in *members {
                let at = |mut f: Failure| {
                    f.0.push(Part::Key(name));
                    f
                };
                match json::field(items.clone(), name).filter(|v| *v != "null") {
                    Some(v) => walk(v, shape).map_err(at)?,
                    None if *required => return Err(at(fail("required"))),
                    None => {}
                }
            }
        }
        List(item) => {
            let items = json::array(raw).ok_or(fail("wrong_type"))?;
            for (i, (_, v)) in items.enumerate() {
                walk(v, item).map_err(|mut f| {
                    f.0.push(Part::Index(i));
                    f
                })?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(raw: &str, shape: &Shape, root: &str) -> Result<(), (String, &'static str)> {
        let mut path = String::from(root);
        check(raw, shape, &mut path).map_err(|c| (path, c))
    }

    #[test]
    fn shapes_name_the_failing_field() {
        let ok = r#"[{"name":"Burger","quantity":2,"amountTotal":{"value":1800,"currencyCode":"GBP"},
            "modifiers":[{"id":"m","name":"Cheese","quantity":1,"amountPerModifier":{"value":-50,"currencyCode":"GBP"}}]},
            {"amountTotal":null,"extra":true}]"#;
        assert_eq!(run(ok, &ITEM_LINES, "itemLines"), Ok(()));
        let cases: &[(&str, &Shape, (&str, &str))] = &[
            ("{}", &ITEM_LINES, ("itemLines", "wrong_type")),
            ("[1]", &ITEM_LINES, ("itemLines[0]", "wrong_type")),
            (
                r#"[{},{"quantity":0}]"#,
                &ITEM_LINES,
                ("itemLines[1].quantity", "out_of_range"),
            ),
            (
                r#"[{"amountTotal":{"value":-1,"currencyCode":"GBP"}}]"#,
                &ITEM_LINES,
                ("itemLines[0].amountTotal.value", "out_of_range"),
            ),
            (
                r#"[{"amountTotal":{"value":1,"currencyCode":"XYZ"}}]"#,
                &ITEM_LINES,
                ("itemLines[0].amountTotal.currencyCode", "unknown_currency"),
            ),
            (
                r#"[{"amountTotal":{"currencyCode":"GBP"}}]"#,
                &ITEM_LINES,
                ("itemLines[0].amountTotal.value", "required"),
            ),
            (
                r#"[{"modifiers":[{"id":"a","name":"b","quantity":1}]}]"#,
                &ITEM_LINES,
                ("itemLines[0].modifiers[0].amountPerModifier", "required"),
            ),
            (
                r#"[{"caption":"VAT"}]"#,
                &TAX_LINES,
                ("taxLines[0].amountTotal", "required"),
            ),
            (
                r#"{"city":"x"}"#,
                &ADDRESS,
                ("billingAddress.countryCode", "required"),
            ),
            (
                r#"{"countryCode":"GBR"}"#,
                &ADDRESS,
                ("billingAddress.countryCode", "invalid_country"),
            ),
            (
                r#"{"countryCode":"gb","city":7}"#,
                &ADDRESS,
                ("billingAddress.city", "wrong_type"),
            ),
            (
                r#"{"address":{"countryCode":"FR","postcode":"1234567890123456789012345678901234567890123456789012"}}"#,
                &SHIPPING,
                ("shippingDetails.address.postcode", "too_long"),
            ),
            (
                r#"{"emailAddress":true}"#,
                &CUSTOMER,
                ("customer.emailAddress", "wrong_type"),
            ),
        ];
        for (raw, shape, (field, code)) in cases {
            let root = field.split(['.', '[']).next().unwrap_or("");
            assert_eq!(
                run(raw, shape, root),
                Err((field.to_string(), *code)),
                "{raw}"
            );
        }
    }

    #[test]
    fn shapes_agree_with_the_typed_readers() {
        // What the typed readers (the sandbox's) accept, the shapes accept, and the other way round.
        let samples = [
            r#"[{"name":"Tea","quantity":1,"amountTotal":{"value":1,"currencyCode":"EUR"}}]"#,
            r#"[{"quantity":-1}]"#,
            r#"[{"modifiers":[]}]"#,
            r#"[{"plu":5}]"#,
            r#"[{"amountTotal":{"value":1.5,"currencyCode":"GBP"}}]"#,
        ];
        for s in samples {
            let typed = crate::core::order::item_lines(s, "itemLines").is_ok();
            assert_eq!(run(s, &ITEM_LINES, "itemLines").is_ok(), typed, "{s}");
        }
    }
}
