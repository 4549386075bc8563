//! Test cards: number → behaviour, plus the checks a real processor makes before it tries
//! (Luhn, expiry against the sandbox clock, CVC length per brand).

use crate::clock::{year_month, Millis};
use crate::problem::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Approve,
    Decline {
        decline_code: &'static str,
        message: &'static str,
    },
    ThreeDSecure,
    AsyncSettle,
    ProcessingError,
}

#[derive(Debug, Clone)]
pub struct CheckedCard {
    pub brand: &'static str,
    pub masked: String,
    pub expiry: String,
    pub cardholder_name: String,
    pub behaviour: Behaviour,
}

/// The documented test cards (README and openapi.yaml list the same).
pub const TEST_CARDS: &[(&str, Behaviour)] = &[
    ("4242424242424242", Behaviour::Approve),
    ("5555555555554444", Behaviour::Approve),
    ("378282246310005", Behaviour::Approve),
    (
        "4000000000000002",
        Behaviour::Decline {
            decline_code: "generic_decline",
            message: "The card was declined.",
        },
    ),
    (
        "4000000000009995",
        Behaviour::Decline {
            decline_code: "insufficient_funds",
            message: "The card has insufficient funds.",
        },
    ),
    ("4000000000003220", Behaviour::ThreeDSecure),
    ("4000000000000077", Behaviour::AsyncSettle),
    ("4000000000000119", Behaviour::ProcessingError),
];

pub struct CardInput<'a> {
    pub number: &'a str,
    pub expiry_month: i64,
    pub expiry_year: i64,
    pub cvc: &'a str,
    pub cardholder_name: &'a str,
}

const P: &str = "paymentMethod.card.";

pub fn check(card: &CardInput<'_>, now: Millis) -> Result<CheckedCard, Problem> {
    let digits: String = card
        .number
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::invalid(
            &format!("{P}number"),
            "the card number must contain only digits",
        ));
    }
    let brand = brand_of(&digits);
    let len_ok = match brand {
        "AMEX" => digits.len() == 15,
        "VISA" => matches!(digits.len(), 13 | 16 | 19),
        "MASTERCARD" => digits.len() == 16,
        _ => (12..=19).contains(&digits.len()),
    };
    if !len_ok || !luhn(&digits) {
        return Err(Problem::invalid(
            &format!("{P}number"),
            "the card number is not valid",
        ));
    }
    if !(1..=12).contains(&card.expiry_month) {
        return Err(Problem::invalid(
            &format!("{P}expiryMonth"),
            "the expiry month must be between 1 and 12",
        ));
    }
    let year = match card.expiry_year {
        y @ 0..=99 => 2000 + y,
        y @ 2000..=2199 => y,
        _ => {
            return Err(Problem::invalid(
                &format!("{P}expiryYear"),
                "the expiry year is not valid",
            ))
        }
    };
    let (now_y, now_m) = year_month(now);
    if (year, card.expiry_month) < (now_y, i64::from(now_m)) {
        return Err(Problem::invalid(
            &format!("{P}expiryYear"),
            "the card has expired",
        ));
    }
    let cvc_len = if brand == "AMEX" { 4 } else { 3 };
    if card.cvc.len() != cvc_len || !card.cvc.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::invalid(
            &format!("{P}cvc"),
            format!("the CVC must be {cvc_len} digits for this card"),
        ));
    }
    let behaviour = TEST_CARDS
        .iter()
        .find(|(n, _)| *n == digits)
        .map(|(_, b)| *b)
        .unwrap_or(Behaviour::Approve);
    let last4 = &digits[digits.len() - 4..];
    Ok(CheckedCard {
        brand,
        masked: format!("{}****{last4}", &digits[..6.min(digits.len() - 4)]),
        expiry: format!("{:02}/{:02}", card.expiry_month, year % 100),
        cardholder_name: card.cardholder_name.chars().take(100).collect(),
        behaviour,
    })
}

fn brand_of(d: &str) -> &'static str {
    let two: u32 = d.get(..2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let four: u32 = d.get(..4).and_then(|s| s.parse().ok()).unwrap_or(0);
    if d.starts_with('4') {
        "VISA"
    } else if (51..=55).contains(&two) || (2221..=2720).contains(&four) {
        "MASTERCARD"
    } else if two == 34 || two == 37 {
        "AMEX"
    } else {
        "UNKNOWN"
    }
}

fn luhn(d: &str) -> bool {
    let sum: u32 = d
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let n = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = n * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                n
            }
        })
        .sum();
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card<'a>(number: &'a str, cvc: &'a str) -> CardInput<'a> {
        CardInput {
            number,
            expiry_month: 12,
            expiry_year: 2099,
            cvc,
            cardholder_name: "T",
        }
    }

    #[test]
    fn every_test_card_passes_the_checks() {
        for (n, b) in TEST_CARDS {
            let cvc = if n.starts_with('3') { "1234" } else { "123" };
            let c = check(&card(n, cvc), 0).map_err(|p| p.detail);
            assert_eq!(c.map(|c| c.behaviour), Ok(*b), "{n}");
        }
    }

    #[test]
    fn rejects_bad_input_with_param() {
        let p =
            |r: Result<CheckedCard, Problem>| r.err().and_then(|p| p.extra.get("param").cloned());
        assert_eq!(
            p(check(&card("4242424242424241", "123"), 0)),
            Some("paymentMethod.card.number".into())
        );
        assert_eq!(
            p(check(&card("378282246310005", "123"), 0)),
            Some("paymentMethod.card.cvc".into())
        );
        let mut old = card("4242424242424242", "123");
        old.expiry_year = 2020;
        assert_eq!(
            p(check(&old, 1_900_000_000_000)),
            Some("paymentMethod.card.expiryYear".into())
        );
    }
}
