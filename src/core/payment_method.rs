//! What pays for a payment attempt. The flow's attempt holds one and compares them (the same method after
//! an unknown outcome retries under the same idempotency key); the dialect's wire turns it into the request
//! body. Nothing else looks inside, so a new way to pay (a card reference from isolated fields, a saved card,
//! a wallet token) is a new variant here and a new arm in each wire's body.

use std::fmt;

/// A card as typed by the customer: number with any spacing, month and year as entered (`27` is 2027).
/// `Debug` shows only the last four digits.
#[derive(Clone, PartialEq, Eq)]
pub struct CardInput {
    pub number: String,
    pub expiry_month: u32,
    pub expiry_year: u32,
    pub cvc: String,
    pub cardholder_name: String,
}

/// One way to pay. Holds card data: `Debug` never prints it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PaymentMethod {
    /// Card details entered in the merchant's page (`fields="inline"`: the page is in PCI scope).
    Card(CardDetails),
    /// A single-use reference the API gave the isolated card frame for the card it received there: the
    /// page never held the card (the default, `fields="isolated"`). Bound to the intent; pays once. (A
    /// saved card whose CVC the API asked for again is paid this way too: the frame sends the CVC with the
    /// saved card's id and gets a reference.)
    CardReference(String),
    /// A card the customer saved before, by its id (`pm_…`, from `core::saved`): the intent's customer
    /// must own it.
    SavedCard(String),
}

/// A card as it is sent: digits only, a four-digit year.
#[derive(Clone, PartialEq, Eq)]
pub struct CardDetails {
    pub number: String,
    pub expiry_month: u32,
    pub expiry_year: u32,
    pub cvc: String,
    pub cardholder_name: String,
}

impl PaymentMethod {
    /// A card reference, if `id` looks like one the API makes (letters, digits, `_`, `-`; it goes into a
    /// request body, and nothing else may ride along).
    pub fn card_reference(id: &str) -> Option<PaymentMethod> {
        let ok = !id.is_empty()
            && id.len() <= 128
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        ok.then(|| PaymentMethod::CardReference(id.to_string()))
    }

    /// One of the customer's saved cards, if `id` looks like an API id.
    pub fn saved_card(id: &str) -> Option<PaymentMethod> {
        crate::core::saved::is_api_id(id).then(|| PaymentMethod::SavedCard(id.to_string()))
    }

    /// The card the customer typed, normalised, so two entries of the same card are equal.
    pub fn card(input: &CardInput) -> PaymentMethod {
        let y = input.expiry_year;
        PaymentMethod::Card(CardDetails {
            number: input.number.chars().filter(char::is_ascii_digit).collect(),
            expiry_month: input.expiry_month,
            // `27` is 2027, as the core's card check reads it.
            expiry_year: if (1..100).contains(&y) { y + 2000 } else { y },
            cvc: input.cvc.trim().to_string(),
            cardholder_name: input.cardholder_name.clone(),
        })
    }
}

fn last4(number: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    let last4: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    f.write_str("**** ")?;
    f.write_str(&last4)
}

impl fmt::Debug for CardInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CardInput(")?;
        last4(&self.number, f)?;
        f.write_str(")")
    }
}

impl fmt::Debug for CardDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Card(")?;
        last4(&self.number, f)?;
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_card_typed_twice_is_the_same_method_and_debug_hides_it() {
        let typed = |number: &str, year| CardInput {
            number: number.into(),
            expiry_month: 12,
            expiry_year: year,
            cvc: "123 ".into(),
            cardholder_name: "Ada".into(),
        };
        let a = PaymentMethod::card(&typed("4242 4242 4242 4242", 30));
        let b = PaymentMethod::card(&typed("4242424242424242", 2030));
        assert_eq!(a, b);
        let other = PaymentMethod::card(&typed("5555555555554444", 2030));
        assert_ne!(a, other);
        let text = format!("{a:?} {:?}", typed("4242 4242 4242 4242", 30));
        assert!(
            !text.contains("42424242") && !text.contains("123"),
            "{text}"
        );
        assert!(text.contains("**** 4242"), "{text}");
    }

    #[test]
    fn a_card_reference_is_an_api_id_and_nothing_else() {
        assert_eq!(
            PaymentMethod::card_reference("pm_sandbox_Ab-9"),
            Some(PaymentMethod::CardReference("pm_sandbox_Ab-9".into()))
        );
        for bad in ["", "pm 1", "pm\"1", "pm/../x", &"x".repeat(129)] {
            assert_eq!(PaymentMethod::card_reference(bad), None, "{bad}");
        }
    }
}
