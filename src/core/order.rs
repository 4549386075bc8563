//! Order lines: Dojo's `itemLines` (with `modifiers`) and `taxLines`, and their arithmetic.
//!
//! Dojo's schema leaves the arithmetic open; the rule here (the sandbox refuses intents that break it):
//! - an item line costs `amountTotal` (the line's total before discounts and taxes, all units; `null` is
//!   0) plus, per unit (`quantity`, default 1), each modifier's `amountPerModifier × quantity` — Dojo: "the
//!   modifier price shouldn't be included in the parent `amountTotal`" and its quantity is "per single
//!   item". A modifier may be negative (a discount); a line never costs less than 0;
//! - when item lines are given, the items plus the tax lines add up to the intent's `amount` exactly
//!   (tips, service charge and cashback are outside `amount`, as Dojo defines it);
//! - tax lines alone (no items) may not exceed `amount`;
//! - every amount is in the intent's currency; quantities are at least 1.

use serde::{Deserialize, Serialize};

use crate::core::address::{join, text_member, FieldError};
use crate::core::json;
use crate::core::money::{Currency, Money, MAX_MINOR_UNITS};

/// A signed amount in minor units (modifiers may be discounts).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Amount {
    pub value: i64,
    pub currency_code: CurrencyCode,
}

/// An ISO 4217 code, kept as text for serde; always one the core knows once decoded.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CurrencyCode(pub Currency);

impl TryFrom<String> for CurrencyCode {
    type Error = &'static str;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::from_code(&s)
            .map(CurrencyCode)
            .map_err(|_| "unknown currency")
    }
}

impl From<CurrencyCode> for String {
    fn from(c: CurrencyCode) -> String {
        c.0.code().to_string()
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Modifier {
    pub id: String,
    pub name: String,
    pub amount_per_modifier: Amount,
    pub quantity: i64,
}

#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modifiers: Vec<Modifier>,
    #[serde(default)]
    pub amount_total: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plu: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_caption: Option<String>,
    pub amount_total: Amount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_plu: Option<String>,
}

fn err(path: &str, key: &str, code: &'static str) -> FieldError {
    FieldError::new(path, key, code)
}

/// `path[i]`
fn index(path: &str, i: usize) -> String {
    let mut p = String::from(path);
    p.push('[');
    json::push_uint(&mut p, i as u64);
    p.push(']');
    p
}

fn items<'a>(raw: &'a str, path: &str) -> Result<Vec<&'a str>, FieldError> {
    Ok(json::array(raw)
        .ok_or_else(|| err(path, "", "wrong_type"))?
        .map(|(_, v)| v)
        .collect())
}

fn obj<'a>(raw: &'a str, path: &str) -> Result<Vec<(String, &'a str)>, FieldError> {
    json::members(raw).ok_or_else(|| err(path, "", "wrong_type"))
}

fn int(m: &[(String, &str)], key: &str, path: &str) -> Result<Option<i64>, FieldError> {
    match json::get(m, key).filter(|v| *v != "null") {
        None => Ok(None),
        Some(v) => json::int(v)
            .map(Some)
            .ok_or_else(|| err(path, key, "wrong_type")),
    }
}

fn quantity(m: &[(String, &str)], key: &str, path: &str) -> Result<Option<i64>, FieldError> {
    match int(m, key, path)? {
        Some(q) if !(1..=i64::from(i32::MAX)).contains(&q) => Err(err(path, key, "out_of_range")),
        q => Ok(q),
    }
}

/// A `Money` object whose value may be negative when `signed`.
fn amount(raw: &str, path: &str, signed: bool) -> Result<Amount, FieldError> {
    let m = obj(raw, path)?;
    let value = int(&m, "value", path)?.ok_or_else(|| err(path, "value", "required"))?;
    if value.unsigned_abs() > MAX_MINOR_UNITS as u64 || (!signed && value < 0) {
        return Err(err(path, "value", "out_of_range"));
    }
    let code = text_member(&m, "currencyCode", 10, path)?
        .ok_or_else(|| err(path, "currencyCode", "required"))?;
    let currency =
        Currency::from_code(&code).map_err(|_| err(path, "currencyCode", "unknown_currency"))?;
    Ok(Amount {
        value,
        currency_code: CurrencyCode(currency),
    })
}

fn member<'a>(m: &[(String, &'a str)], key: &str) -> Option<&'a str> {
    json::get(m, key).filter(|v| *v != "null")
}

fn text(
    m: &[(String, &str)],
    key: &str,
    max: usize,
    path: &str,
) -> Result<Option<String>, FieldError> {
    text_member(m, key, max, path)
}

/// Decodes `itemLines` (raw JSON array) at `path`; types, lengths and quantities only.
pub fn item_lines(raw: &str, path: &str) -> Result<Vec<ItemLine>, FieldError> {
    let mut out = Vec::new();
    for (i, raw) in items(raw, path)?.into_iter().enumerate() {
        let p = index(path, i);
        let m = obj(raw, &p)?;
        let mut modifiers = Vec::new();
        if let Some(list) = member(&m, "modifiers") {
            let mp = join(&p, "modifiers");
            for (j, raw) in items(list, &mp)?.into_iter().enumerate() {
                let q = index(&mp, j);
                let mm = obj(raw, &q)?;
                let need = |v: Option<String>, key| v.ok_or_else(|| err(&q, key, "required"));
                modifiers.push(Modifier {
                    id: need(text(&mm, "id", 60, &q)?, "id")?,
                    name: need(text(&mm, "name", 100, &q)?, "name")?,
                    amount_per_modifier: amount(
                        member(&mm, "amountPerModifier")
                            .ok_or_else(|| err(&q, "amountPerModifier", "required"))?,
                        &join(&q, "amountPerModifier"),
                        true,
                    )?,
                    quantity: quantity(&mm, "quantity", &q)?
                        .ok_or_else(|| err(&q, "quantity", "required"))?,
                });
            }
        }
        out.push(ItemLine {
            id: text(&m, "id", 60, &p)?,
            quantity: quantity(&m, "quantity", &p)?,
            name: text(&m, "name", 100, &p)?,
            category: text(&m, "category", 100, &p)?,
            modifiers,
            amount_total: member(&m, "amountTotal")
                .map(|a| amount(a, &join(&p, "amountTotal"), false))
                .transpose()?,
            plu: text(&m, "plu", 200, &p)?,
        });
    }
    Ok(out)
}

/// Decodes `taxLines` (raw JSON array) at `path`.
pub fn tax_lines(raw: &str, path: &str) -> Result<Vec<TaxLine>, FieldError> {
    let mut out = Vec::new();
    for (i, raw) in items(raw, path)?.into_iter().enumerate() {
        let p = index(path, i);
        let m = obj(raw, &p)?;
        out.push(TaxLine {
            id: text(&m, "id", 60, &p)?,
            caption: text(&m, "caption", 100, &p)?,
            sub_caption: text(&m, "subCaption", 100, &p)?,
            amount_total: amount(
                member(&m, "amountTotal").ok_or_else(|| err(&p, "amountTotal", "required"))?,
                &join(&p, "amountTotal"),
                false,
            )?,
            affected_plu: text(&m, "affectedPlu", 200, &p)?,
        });
    }
    Ok(out)
}

impl ItemLine {
    /// The line's cost in minor units: `amountTotal` plus its modifiers for every unit (i128: no
    /// overflow for any decoded line).
    pub fn total(&self) -> i128 {
        let units = i128::from(self.quantity.unwrap_or(1));
        let base = self.amount_total.map_or(0, |a| i128::from(a.value));
        self.modifiers.iter().fold(base, |t, m| {
            t + i128::from(m.amount_per_modifier.value) * i128::from(m.quantity) * units
        })
    }
}

/// Checks the lines against the intent's `amount` (see the module's rule). The error names the field:
/// `itemLines[1].amountTotal.currencyCode` (`currency_mismatch`), `itemLines[0]` (`out_of_range`: it costs
/// less than nothing), `itemLines` (`lines_mismatch`: the sum is not `amount`) or `taxLines`
/// (`out_of_range`: taxes alone exceed `amount`).
pub fn check(amount: Money, items: &[ItemLine], taxes: &[TaxLine]) -> Result<(), FieldError> {
    let currency = amount.currency();
    let same = |a: &Amount, path: String| {
        if a.currency_code.0 == currency {
            Ok(())
        } else {
            Err(err(&path, "currencyCode", "currency_mismatch"))
        }
    };
    let mut sum: i128 = 0;
    for (i, line) in items.iter().enumerate() {
        let p = index("itemLines", i);
        if let Some(a) = &line.amount_total {
            same(a, join(&p, "amountTotal"))?;
        }
        for (j, m) in line.modifiers.iter().enumerate() {
            let q = index(&join(&p, "modifiers"), j);
            same(&m.amount_per_modifier, join(&q, "amountPerModifier"))?;
        }
        let t = line.total();
        if t < 0 {
            return Err(err(&p, "", "out_of_range"));
        }
        sum += t;
    }
    let mut taxes_sum: i128 = 0;
    for (i, t) in taxes.iter().enumerate() {
        same(&t.amount_total, join(&index("taxLines", i), "amountTotal"))?;
        taxes_sum += i128::from(t.amount_total.value);
    }
    let amount = i128::from(amount.minor_units());
    if !items.is_empty() && sum + taxes_sum != amount {
        return Err(err("itemLines", "", "lines_mismatch"));
    }
    if items.is_empty() && taxes_sum > amount {
        return Err(err("taxLines", "", "out_of_range"));
    }
    Ok(())
}

/// The sum of the item lines and of the tax lines, in minor units (as [`check`] adds them).
pub fn sums(items: &[ItemLine], taxes: &[TaxLine]) -> (i128, i128) {
    (
        items.iter().map(ItemLine::total).sum(),
        taxes.iter().map(|t| i128::from(t.amount_total.value)).sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbp(v: i64) -> Money {
        Money::from_code(v, "GBP").expect("GBP")
    }

    const LINES: &str = r#"[
        {"id":"1","name":"Burger","quantity":2,"amountTotal":{"value":1800,"currencyCode":"GBP"},
         "modifiers":[{"id":"m1","name":"Extra cheese","quantity":2,"amountPerModifier":{"value":50,"currencyCode":"GBP"}},
                      {"id":"m2","name":"Student discount","quantity":1,"amountPerModifier":{"value":-100,"currencyCode":"GBP"}}]},
        {"name":"Fries","amountTotal":{"value":350,"currencyCode":"GBP"},"plu":"F1"},
        {"name":"Free water","amountTotal":null}
    ]"#;
    const TAXES: &str = r#"[{"id":"vat","caption":"VAT","subCaption":"20%","amountTotal":{"value":450,"currencyCode":"GBP"}}]"#;

    #[test]
    fn lines_add_up_with_modifiers_per_unit() {
        let items = item_lines(LINES, "itemLines").expect("items");
        let taxes = tax_lines(TAXES, "taxLines").expect("taxes");
        // Burger: 1800 + 2 units × (2 × 50 − 100) = 1800; fries 350; water 0; VAT 450.
        assert_eq!(items[0].total(), 1800);
        assert_eq!(sums(&items, &taxes), (2150, 450));
        assert_eq!(check(gbp(2600), &items, &taxes), Ok(()));
        let e = check(gbp(2601), &items, &taxes).expect_err("off by one");
        assert_eq!((e.field.as_str(), e.code), ("itemLines", "lines_mismatch"));
        assert_eq!(
            check(gbp(450), &[], &taxes),
            Ok(()),
            "taxes alone within the amount"
        );
        let e = check(gbp(449), &[], &taxes).expect_err("taxes above the amount");
        assert_eq!((e.field.as_str(), e.code), ("taxLines", "out_of_range"));
        let eur = Money::from_code(2600, "EUR").expect("EUR");
        let e = check(eur, &items, &taxes).expect_err("currency");
        assert_eq!(
            (e.field.as_str(), e.code),
            ("itemLines[0].amountTotal.currencyCode", "currency_mismatch")
        );
        let mut cheap = items.clone();
        cheap[1].modifiers = vec![Modifier {
            id: "d".into(),
            name: "Discount".into(),
            quantity: 1,
            amount_per_modifier: Amount {
                value: -351,
                currency_code: CurrencyCode(gbp(0).currency()),
            },
        }];
        let e = check(gbp(2249), &cheap, &taxes).expect_err("negative line");
        assert_eq!((e.field.as_str(), e.code), ("itemLines[1]", "out_of_range"));
    }

    fn gbp_amount(value: i64) -> Amount {
        Amount {
            value,
            currency_code: CurrencyCode(gbp(0).currency()),
        }
    }

    proptest::proptest! {
        /// Lines built by the documented arithmetic (amountTotal plus, per unit, each modifier times its
        /// quantity; taxes on top) are accepted at exactly their sum, and refused as `lines_mismatch` at
        /// any other amount.
        #[test]
        fn lines_are_accepted_exactly_at_their_sum(
            lines in proptest::collection::vec(
                (0i64..100_000, 1i64..10, proptest::collection::vec((-500i64..500, 1i64..4), 0..3)),
                1..6,
            ),
            tax in 0i64..100_000,
            delta in proptest::prop_oneof![-1_000i64..0, 1i64..1_000],
        ) {
            let mut items = Vec::new();
            let mut sum = tax;
            for (base, units, mods) in &lines {
                let per_unit: i64 = mods.iter().map(|(v, q)| v * q).sum();
                proptest::prop_assume!(base + units * per_unit >= 0);
                sum += base + units * per_unit;
                items.push(ItemLine {
                    quantity: Some(*units),
                    amount_total: Some(gbp_amount(*base)),
                    modifiers: mods
                        .iter()
                        .enumerate()
                        .map(|(i, (v, q))| Modifier {
                            id: format!("m{i}"),
                            name: "modifier".into(),
                            amount_per_modifier: gbp_amount(*v),
                            quantity: *q,
                        })
                        .collect(),
                    ..ItemLine::default()
                });
            }
            let taxes = [TaxLine {
                id: None,
                caption: None,
                sub_caption: None,
                amount_total: gbp_amount(tax),
                affected_plu: None,
            }];
            proptest::prop_assert_eq!(check(gbp(sum), &items, &taxes), Ok(()));
            proptest::prop_assume!(sum + delta >= 0);
            let e = check(gbp(sum + delta), &items, &taxes).expect_err("another amount");
            proptest::prop_assert_eq!((e.field.as_str(), e.code), ("itemLines", "lines_mismatch"));
        }
    }

    #[test]
    fn decoding_names_the_field() {
        let e = |items: &str| {
            item_lines(items, "itemLines")
                .map_err(|e| (e.field, e.code))
                .err()
        };
        assert_eq!(e("{}"), Some(("itemLines".into(), "wrong_type")));
        assert_eq!(e("[1]"), Some(("itemLines[0]".into(), "wrong_type")));
        assert_eq!(
            e(r#"[{"quantity":0}]"#),
            Some(("itemLines[0].quantity".into(), "out_of_range"))
        );
        assert_eq!(
            e(r#"[{"amountTotal":{"value":-1,"currencyCode":"GBP"}}]"#),
            Some(("itemLines[0].amountTotal.value".into(), "out_of_range"))
        );
        assert_eq!(
            e(r#"[{"amountTotal":{"value":1,"currencyCode":"XYZ"}}]"#),
            Some((
                "itemLines[0].amountTotal.currencyCode".into(),
                "unknown_currency"
            ))
        );
        assert_eq!(
            e(r#"[{},{"modifiers":[{"id":"a","name":"b","quantity":1}]}]"#),
            Some((
                "itemLines[1].modifiers[0].amountPerModifier".into(),
                "required"
            ))
        );
        assert_eq!(
            e(&format!(r#"[{{"name":"{}"}}]"#, "n".repeat(101))),
            Some(("itemLines[0].name".into(), "too_long"))
        );
        let t = tax_lines(r#"[{"caption":"VAT"}]"#, "taxLines").map_err(|e| (e.field, e.code));
        assert_eq!(
            t.err(),
            Some(("taxLines[0].amountTotal".into(), "required"))
        );
        // serde (the sandbox's records) reads and writes the same shapes.
        let items = item_lines(LINES, "itemLines").expect("items");
        let text = serde_json::to_string(&items).expect("JSON");
        assert_eq!(item_lines(&text, "itemLines").expect("again"), items);
    }
}
