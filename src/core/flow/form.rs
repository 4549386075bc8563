//! Card-form checks for the page (the widget shows the codes; it keeps no rules of its own). Per field:
//! `required`, `incomplete`, `invalid` or `expired`. The server checks again; this only saves a request.

use super::{json, CardInput, Millis};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Brand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Unknown,
}

impl Brand {
    pub fn of(digits: &str) -> Brand {
        let p = |n: usize| {
            digits
                .get(..n)
                .and_then(|s| s.parse::<u32>().ok())
                .unwrap_or(0)
        };
        if p(2) == 34 || p(2) == 37 {
            Brand::Amex
        } else if digits.starts_with('4') {
            Brand::Visa
        } else if (51..=55).contains(&p(2)) || (2221..=2720).contains(&p(4)) {
            Brand::Mastercard
        } else if p(4) == 6011 || p(2) == 65 || (644..=649).contains(&p(3)) {
            Brand::Discover
        } else {
            Brand::Unknown
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Brand::Visa => "visa",
            Brand::Mastercard => "mastercard",
            Brand::Amex => "amex",
            Brand::Discover => "discover",
            Brand::Unknown => "unknown",
        }
    }

    fn lengths(self) -> &'static [usize] {
        match self {
            Brand::Visa => &[13, 16, 19],
            Brand::Mastercard => &[16],
            Brand::Amex => &[15],
            Brand::Discover => &[16, 17, 18, 19],
            Brand::Unknown => &[12, 13, 14, 15, 16, 17, 18, 19],
        }
    }

    pub fn cvc_len(self) -> usize {
        if self == Brand::Amex {
            4
        } else {
            3
        }
    }
}

/// The card number without spaces and dashes, if that leaves only digits.
pub fn digits(number: &str) -> Option<String> {
    let d: String = number.chars().filter(|c| *c != ' ' && *c != '-').collect();
    d.bytes().all(|b| b.is_ascii_digit()).then_some(d)
}

/// Every problem, as `(field, code)` with fields `number`, `expiry`, `cvc`, `cardholderName`.
pub fn check(card: &CardInput, now: Millis) -> Vec<(&'static str, &'static str)> {
    let mut errors = Vec::new();
    let brand = match digits(&card.number) {
        None => {
            errors.push(("number", "invalid"));
            Brand::Unknown
        }
        Some(d) if d.is_empty() => {
            errors.push(("number", "required"));
            Brand::Unknown
        }
        Some(d) => {
            let brand = Brand::of(&d);
            let lengths = brand.lengths();
            let max = lengths.iter().copied().max().unwrap_or(19);
            if d.len() > max {
                errors.push(("number", "invalid"));
            } else if !lengths.contains(&d.len()) {
                errors.push(("number", "incomplete"));
            } else if !luhn(&d) {
                errors.push(("number", "invalid"));
            }
            brand
        }
    };
    let (month, year) = (card.expiry_month, card.expiry_year);
    if month == 0 && year == 0 {
        errors.push(("expiry", "required"));
    } else if !(1..=12).contains(&month) || year < 2000 || year > 2100 {
        errors.push(("expiry", "invalid"));
    } else {
        let (now_year, now_month) = year_month(now);
        if (year, month) < (now_year, now_month) {
            errors.push(("expiry", "expired"));
        } else if year > now_year + 20 {
            errors.push(("expiry", "invalid"));
        }
    }
    let cvc = card.cvc.trim();
    if cvc.is_empty() {
        errors.push(("cvc", "required"));
    } else if !cvc.bytes().all(|b| b.is_ascii_digit()) || cvc.len() > brand.cvc_len() {
        errors.push(("cvc", "invalid"));
    } else if cvc.len() < brand.cvc_len() {
        errors.push(("cvc", "incomplete"));
    }
    if card.cardholder_name.trim().is_empty() {
        errors.push(("cardholderName", "required"));
    }
    errors
}

/// `{"valid":bool,"brand":"visa","errors":{"number":"incomplete",...}}` as JSON text.
pub fn check_json(card: &CardInput, now: Millis) -> String {
    let errors = check(card, now);
    let brand = digits(&card.number).map_or(Brand::Unknown, |d| Brand::of(&d));
    let mut e = json::Obj::new();
    for (field, code) in &errors {
        e = e.str(field, code);
    }
    json::Obj::new()
        .raw("valid", if errors.is_empty() { "true" } else { "false" })
        .str("brand", brand.name())
        .raw("errors", &e.finish())
        .finish()
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// UTC (year, month) of a unix-ms instant (Howard Hinnant's civil-from-days).
pub fn year_month(now: Millis) -> (u32, u32) {
    let days = (now / 86_400_000) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as u32, month as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_2026: Millis = 1_795_392_000_000; // 2026-11-23

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
    fn the_calendar_is_right() {
        assert_eq!(year_month(0), (1970, 1));
        assert_eq!(year_month(NOV_2026), (2026, 11));
        assert_eq!(year_month(951_782_400_000), (2000, 2)); // 2000-02-29
    }

    #[test]
    fn each_field_gets_one_code() {
        let check = |c: CardInput| check(&c, NOV_2026);
        assert!(check(card("4242 4242 4242 4242", 12, 2030, "123", "A")).is_empty());
        assert!(
            check(card("378282246310005", 11, 2026, "1234", "A")).is_empty(),
            "this month is valid"
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
                ("number", "incomplete"),
                ("expiry", "expired"),
                ("cvc", "incomplete")
            ]
        );
        let e = check(card("4242424242424241", 13, 2030, "12a", "A"));
        assert_eq!(
            e,
            [
                ("number", "invalid"),
                ("expiry", "invalid"),
                ("cvc", "invalid")
            ]
        );
        assert_eq!(
            check(card("3782822463100051", 1, 2030, "123", "A"))[0],
            ("number", "invalid")
        );
        assert_eq!(
            check(card("378282246310005", 1, 2030, "123", "A")),
            [("cvc", "incomplete")]
        );
        assert_eq!(
            check(card("4242x", 1, 2030, "123", "A")),
            [("number", "invalid")]
        );
    }

    #[test]
    fn brands_and_json() {
        assert_eq!(Brand::of("5555555555554444"), Brand::Mastercard);
        assert_eq!(Brand::of("2223000048400011"), Brand::Mastercard);
        assert_eq!(Brand::of("6011111111111117"), Brand::Discover);
        let j = check_json(&card("4242", 0, 0, "", ""), NOV_2026);
        let v: serde_json::Value = serde_json::from_str(&j).expect("JSON");
        assert_eq!(v["valid"], false);
        assert_eq!(v["brand"], "visa");
        assert_eq!(v["errors"]["number"], "incomplete");
    }
}
