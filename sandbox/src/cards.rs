//! Test cards: number → behaviour. The checks a processor makes first (Luhn, brand lengths, expiry
//! against the sandbox clock, CVC length) are the SDK core's `card::validate_card`, so both agree.

use intent_checkout::core::card::{self, Brand, CardError, CardSummary};
use intent_checkout::core::time::Timestamp;

use crate::clock::Millis;
use crate::store::StoreError;

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
    /// Saved and paid again, the card needs its CVC typed again (`cvcRequired`; [`CVC_AGAIN`]).
    pub cvc_again: bool,
    /// Brand, last four digits and expiry: what a card reference tells the page.
    pub summary: CardSummary,
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

/// Test cards whose saved copy asks for the CVC again when a customer pays with it (a Visa, and an
/// Amex for its four digits). Otherwise they approve. Dojo does not say when its API wants the CVC of a
/// saved card (its SDKs always send one); the sandbox asks for these and no others.
pub const CVC_AGAIN: [&str; 2] = ["4000000000000101", "371449635398431"];

pub struct CardInput<'a> {
    pub number: &'a str,
    pub expiry_month: i64,
    pub expiry_year: i64,
    pub cvc: &'a str,
    pub cardholder_name: &'a str,
}

fn rejected(error: CardError) -> StoreError {
    let (field, detail) = match error {
        CardError::InvalidNumber => ("number", "the card number is not valid"),
        CardError::IncompleteNumber => ("number", "the card number is incomplete"),
        CardError::UnsupportedBrand => ("number", "this card brand is not accepted"),
        CardError::InvalidExpiryMonth => {
            ("expiryMonth", "the expiry month must be between 1 and 12")
        }
        CardError::InvalidExpiryYear => ("expiryYear", "the expiry year is not valid"),
        CardError::ExpiredCard => ("expiryYear", "the card has expired"),
        CardError::InvalidCvc => ("cvc", "the CVC has the wrong length for this card"),
    };
    StoreError::Card {
        field,
        detail,
        code: error.code(),
    }
}

pub fn check(input: &CardInput<'_>, now: Millis) -> Result<CheckedCard, StoreError> {
    let month =
        u32::try_from(input.expiry_month).map_err(|_| rejected(CardError::InvalidExpiryMonth))?;
    let year =
        u32::try_from(input.expiry_year).map_err(|_| rejected(CardError::InvalidExpiryYear))?;
    let summary = card::validate_card(
        input.number,
        month,
        year,
        input.cvc,
        Timestamp::from_unix_millis(now),
    )
    // The first error names the field; the code is the core's, for the page to translate.
    .map_err(|errors| rejected(errors.first().copied().unwrap_or(CardError::InvalidNumber)))?;
    let digits: String = input.number.chars().filter(char::is_ascii_digit).collect();
    let behaviour = TEST_CARDS
        .iter()
        .find(|(n, _)| *n == digits)
        .map(|(_, b)| *b)
        .unwrap_or(Behaviour::Approve);
    let bin = digits.get(..6).unwrap_or("");
    Ok(CheckedCard {
        brand: scheme(summary.brand),
        masked: format!("{bin}****{}", summary.last4),
        expiry: format!("{:02}/{:02}", summary.exp_month, summary.exp_year % 100),
        cardholder_name: input.cardholder_name.chars().take(100).collect(),
        behaviour,
        cvc_again: CVC_AGAIN.contains(&digits.as_str()),
        summary,
    })
}

/// Dojo's card scheme names (`CardScheme`).
fn scheme(b: Brand) -> &'static str {
    match b {
        Brand::Visa => "VISA",
        Brand::Mastercard => "MASTERCARD",
        Brand::Amex => "AMEX",
        Brand::Discover => "DISCOVER",
        Brand::Diners => "DCI",
        Brand::Maestro => "MAESTRO",
        Brand::Jcb => "JCB",
        Brand::UnionPay => "UNIONPAY",
        Brand::Unknown => "UNKNOWN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-09-21, so a 2030 expiry is in the future and within the core's 50-year window.
    const NOW: Millis = 1_790_000_000_000;

    fn card<'a>(number: &'a str, cvc: &'a str) -> CardInput<'a> {
        CardInput {
            number,
            expiry_month: 12,
            expiry_year: 2030,
            cvc,
            cardholder_name: "T",
        }
    }

    #[test]
    fn every_test_card_passes_the_checks() {
        for (n, b) in TEST_CARDS {
            let cvc = if n.starts_with('3') { "1234" } else { "123" };
            let c = check(&card(n, cvc), NOW);
            assert_eq!(c.map(|c| c.behaviour).ok(), Some(*b), "{n}");
        }
    }

    #[test]
    fn only_the_cvc_again_cards_ask_for_their_cvc_when_saved_and_paid_again() {
        for (n, cvc) in [("4000000000000101", "123"), ("371449635398431", "1234")] {
            let c = check(&card(n, cvc), NOW).expect("a valid test card");
            assert!(c.cvc_again && c.behaviour == Behaviour::Approve, "{n}");
        }
        for (n, _) in TEST_CARDS {
            let cvc = if n.starts_with('3') { "1234" } else { "123" };
            assert!(!check(&card(n, cvc), NOW).is_ok_and(|c| c.cvc_again), "{n}");
        }
    }

    #[test]
    fn rejects_bad_input_with_param() {
        let p = |r: Result<CheckedCard, StoreError>| match r {
            Err(StoreError::Card { field, .. }) => Some(field),
            _ => None,
        };
        assert_eq!(
            p(check(&card("4242424242424241", "123"), NOW)),
            Some("number")
        );
        assert_eq!(p(check(&card("378282246310005", "123"), NOW)), Some("cvc"));
        let mut old = card("4242424242424242", "123");
        old.expiry_year = 2020;
        assert_eq!(p(check(&old, NOW)), Some("expiryYear"));
    }
}
