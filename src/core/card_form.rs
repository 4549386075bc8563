//! Card-form checks, in one call: what the card fields show (in the isolated frame or inline) and what the
//! flow checks before sending card details. The rules are `core::card`'s (brand, Luhn, lengths, CVC,
//! expiry); this adds `required` for empty fields and the cardholder name, and shapes the answer for JS.
//! It knows nothing of the checkout flow, so the card fields' wasm (`fields/`) carries it without the flow.

use crate::core::card::{self, CardField};
use crate::core::json;
use crate::core::payment_method::CardInput;
use crate::core::time::Timestamp;

const FIELDS: [&str; 4] = ["number", "expiry", "cvc", "cardholderName"];

fn field_name(f: CardField) -> &'static str {
    match f {
        CardField::Number => "number",
        CardField::Expiry => "expiry",
        CardField::Cvc => "cvc",
    }
}

/// Every problem, one per field, in form order: `(field, code)` with fields `number`, `expiry`, `cvc`,
/// `cardholderName`; codes `required` or the core's (`incomplete_number`, `invalid_number`,
/// `unsupported_brand`, `invalid_expiry_month`, `invalid_expiry_year`, `expired_card`, `invalid_cvc`).
pub fn check(c: &CardInput, now_ms: u64) -> Vec<(&'static str, &'static str)> {
    let mut found: [Option<&'static str>; 4] = [None; 4];
    if c.number.trim().is_empty() {
        found[0] = Some("required");
    }
    if c.expiry_month == 0 && c.expiry_year == 0 {
        found[1] = Some("required");
    }
    if c.cvc.trim().is_empty() {
        found[2] = Some("required");
    }
    if c.cardholder_name.trim().is_empty() {
        found[3] = Some("required");
    }
    let at = Timestamp::from_unix_millis(i64::try_from(now_ms).unwrap_or(i64::MAX));
    if let Err(errors) =
        card::validate_card(&c.number, c.expiry_month, c.expiry_year, c.cvc.trim(), at)
    {
        for e in errors {
            let name = field_name(e.field());
            if let Some(i) = FIELDS.iter().position(|f| *f == name) {
                if found[i].is_none() {
                    found[i] = Some(e.code());
                }
            }
        }
    }
    FIELDS
        .iter()
        .zip(found)
        .filter_map(|(f, code)| code.map(|c| (*f, c)))
        .collect()
}

/// The brand name of a (partial) number (`visa`, `mastercard`, `amex`, ..., `unknown`).
pub fn brand(number: &str) -> &'static str {
    card::normalize(number).map_or("unknown", |d| card::brand(&d).name())
}

/// `{"valid":bool,"brand":"visa","errors":{"number":"incomplete_number",...}}` as JSON text.
pub fn check_json(card: &CardInput, now_ms: u64) -> String {
    let errors = check(card, now_ms);
    let mut e = json::Obj::new();
    for (field, code) in &errors {
        e = e.str(field, code);
    }
    json::Obj::new()
        .raw("valid", if errors.is_empty() { "true" } else { "false" })
        .str("brand", brand(&card.number))
        .raw("errors", &e.finish())
        .finish()
}

/// What the card fields show after each edit, in the isolated frame and inline alike (their `fieldState`):
/// `{"valid", "brand", "number", "errors": {field: code}}`, the number grouped for display. The fields as
/// typed; `expiry_year` may be two digits; `0` for an empty month and year means `required`. `now_ms` is
/// the page's clock (`Date.now()`; anything not a positive finite number reads as 0).
pub fn field_state_json(
    number: &str,
    expiry_month: u32,
    expiry_year: u32,
    cvc: &str,
    name: &str,
    now_ms: f64,
) -> String {
    let input = CardInput {
        number: number.to_string(),
        expiry_month,
        expiry_year,
        cvc: cvc.to_string(),
        cardholder_name: name.to_string(),
    };
    let now = if now_ms.is_finite() && now_ms > 0.0 {
        now_ms as u64
    } else {
        0
    };
    let problems = check(&input, now);
    let mut errors = json::Obj::new();
    for (field, code) in &problems {
        errors = errors.str(field, code);
    }
    json::Obj::new()
        .raw("valid", if problems.is_empty() { "true" } else { "false" })
        .str("brand", brand(number))
        .str("number", &card::format_for_display(number))
        .raw("errors", &errors.finish())
        .finish()
}

/// A saved card's CVC alone → `{"valid", "errors": {"cvc"?: code}}` for a card of `brand` (a
/// [`card::Brand::name`]; anything else is treated as unknown: 3 or 4 digits). The fields' `cvcState`.
pub fn cvc_state_json(cvc: &str, brand: &str) -> String {
    let b = card::Brand::from_name(brand).unwrap_or(card::Brand::Unknown);
    let code = if cvc.trim().is_empty() {
        Some("required")
    } else {
        card::check_cvc(cvc.trim(), b)
            .err()
            .map(|e: card::CardError| e.code())
    };
    let errors = match code {
        Some(c) => json::Obj::new().str("cvc", c).finish(),
        None => "{}".to_string(),
    };
    json::Obj::new()
        .raw("valid", if code.is_none() { "true" } else { "false" })
        .raw("errors", &errors)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_2026: u64 = 1_795_392_000_000; // 2026-11-23

    fn card(number: &str, m: u32, y: u32, cvc: &str, name: &str) -> CardInput {
        CardInput {
            number: number.into(),
            expiry_month: m,
            expiry_year: y,
            cvc: cvc.into(),
            cardholder_name: name.into(),
        }
    }

    #[test]
    fn each_field_gets_one_code_in_form_order() {
        let check = |c: CardInput| check(&c, NOV_2026);
        assert!(check(card("4242 4242 4242 4242", 12, 2030, "123", "A")).is_empty());
        assert!(
            check(card("378282246310005", 11, 2026, "1234", "A")).is_empty(),
            "this month is valid"
        );
        assert!(
            check(card("4242424242424242", 12, 30, "123", "A")).is_empty(),
            "two-digit year"
        );
        let all = check(card("", 0, 0, "", " "));
        assert_eq!(
            all,
            [
                ("number", "required"),
                ("expiry", "required"),
                ("cvc", "required"),
                ("cardholderName", "required")
            ]
        );
        let e = check(card("4242 4242", 10, 2026, "12", "A"));
        assert_eq!(
            e,
            [
                ("number", "incomplete_number"),
                ("expiry", "expired_card"),
                ("cvc", "invalid_cvc")
            ]
        );
        let e = check(card("4242424242424241", 13, 2030, "123", "A"));
        assert_eq!(
            e,
            [
                ("number", "invalid_number"),
                ("expiry", "invalid_expiry_month")
            ]
        );
        assert_eq!(
            check(card("378282246310005", 1, 2030, "123", "A")),
            [("cvc", "invalid_cvc")]
        );
    }

    #[test]
    fn brand_and_json() {
        assert_eq!(brand("5555 5555"), "mastercard");
        assert_eq!(brand("x"), "unknown");
        let j = check_json(&card("4242", 0, 0, "", ""), NOV_2026);
        let v: serde_json::Value = serde_json::from_str(&j).expect("JSON");
        assert_eq!(v["valid"], false);
        assert_eq!(v["brand"], "visa");
        assert_eq!(v["errors"]["number"], "incomplete_number");
        assert_eq!(v["errors"]["expiry"], "required");
    }
}
