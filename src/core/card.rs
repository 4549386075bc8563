//! Card checks for the widget: number normalisation, Luhn, brand from prefix, lengths, CVC, expiry (with
//! `now` passed in) and display grouping. Errors are codes the widget translates; no error or `Debug`
//! output ever holds the card number (a summary keeps the last four digits only).

use std::fmt;

use crate::core::time::Timestamp;

/// Card brands recognised from the number's prefix.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Brand {
    /// Visa: 4.
    Visa,
    /// Mastercard: 51–55 and the 2-series 2221–2720.
    Mastercard,
    /// American Express: 34, 37.
    Amex,
    /// Discover: 6011, 644–649, 65.
    Discover,
    /// Diners Club: 300–305, 3095, 36, 38, 39.
    Diners,
    /// JCB: 3528–3589.
    Jcb,
    /// Maestro: 50, 56–58, 63, 67.
    Maestro,
    /// UnionPay: 62, 81.
    UnionPay,
    /// Not (yet) recognisable.
    Unknown,
}

/// Every brand, `Unknown` last.
pub const ALL_BRANDS: [Brand; 9] = [
    Brand::Visa,
    Brand::Mastercard,
    Brand::Amex,
    Brand::Discover,
    Brand::Diners,
    Brand::Jcb,
    Brand::Maestro,
    Brand::UnionPay,
    Brand::Unknown,
];

/// (brand, low, high) prefix ranges of equal digit counts, first match wins; more specific ranges first.
const PREFIXES: &[(Brand, u32, u32)] = &[
    (Brand::Jcb, 3528, 3589),
    (Brand::Diners, 3095, 3095),
    (Brand::Diners, 300, 305),
    (Brand::Diners, 36, 36),
    (Brand::Diners, 38, 39),
    (Brand::Amex, 34, 34),
    (Brand::Amex, 37, 37),
    (Brand::Mastercard, 2221, 2720),
    (Brand::Mastercard, 51, 55),
    (Brand::Discover, 6011, 6011),
    (Brand::Discover, 644, 649),
    (Brand::Discover, 65, 65),
    (Brand::UnionPay, 62, 62),
    (Brand::UnionPay, 81, 81),
    (Brand::Maestro, 50, 50),
    (Brand::Maestro, 56, 58),
    (Brand::Maestro, 63, 63),
    (Brand::Maestro, 67, 67),
    (Brand::Visa, 4, 4),
];

impl Brand {
    /// Dojo's card scheme name (`CardScheme`: VISA, MASTERCARD, MAESTRO, DISCOVER, DCI, AMEX; JCB and
    /// UNIONPAY beyond Dojo's list).
    pub fn scheme(self) -> &'static str {
        match self {
            Brand::Visa => "VISA",
            Brand::Mastercard => "MASTERCARD",
            Brand::Amex => "AMEX",
            Brand::Discover => "DISCOVER",
            Brand::Diners => "DCI",
            Brand::Jcb => "JCB",
            Brand::Maestro => "MAESTRO",
            Brand::UnionPay => "UNIONPAY",
            Brand::Unknown => "UNKNOWN",
        }
    }

    /// Stable lower-case name (`visa`, `mastercard`, `amex`, `discover`, `diners`, `jcb`, `maestro`,
    /// `unionpay`, `unknown`).
    pub fn name(self) -> &'static str {
        match self {
            Brand::Visa => "visa",
            Brand::Mastercard => "mastercard",
            Brand::Amex => "amex",
            Brand::Discover => "discover",
            Brand::Diners => "diners",
            Brand::Jcb => "jcb",
            Brand::Maestro => "maestro",
            Brand::UnionPay => "unionpay",
            Brand::Unknown => "unknown",
        }
    }

    /// The brand called `name` (one of [`Brand::name`]'s answers).
    pub fn from_name(name: &str) -> Option<Brand> {
        ALL_BRANDS.into_iter().find(|b| b.name() == name)
    }

    /// Valid number lengths.
    pub fn lengths(self) -> &'static [usize] {
        match self {
            Brand::Visa => &[13, 16, 19],
            Brand::Mastercard => &[16],
            Brand::Amex => &[15],
            Brand::Discover | Brand::Jcb | Brand::UnionPay => &[16, 17, 18, 19],
            Brand::Diners => &[14, 15, 16, 17, 18, 19],
            Brand::Maestro => &[12, 13, 14, 15, 16, 17, 18, 19],
            Brand::Unknown => &[],
        }
    }

    /// Longest valid number.
    pub fn max_length(self) -> usize {
        self.lengths().last().copied().unwrap_or(19)
    }

    /// CVC length: 4 for Amex, else 3.
    pub fn cvc_length(self) -> usize {
        if self == Brand::Amex {
            4
        } else {
            3
        }
    }

    /// Display group sizes: Amex 4-6-5, 14-digit Diners 4-6-4, everything else fours.
    fn groups(self, len: usize) -> &'static [usize] {
        match (self, len) {
            (Brand::Amex, _) => &[4, 6, 5],
            (Brand::Diners, 14) => &[4, 6, 4],
            _ => &[4, 4, 4, 4, 4],
        }
    }
}

/// Which field of the form an error belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CardField {
    /// Card number.
    Number,
    /// Expiry month/year.
    Expiry,
    /// Security code.
    Cvc,
}

/// A card-form error; holds no card data.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CardError {
    /// Characters other than digits, spaces and dashes, or a number that fails Luhn or is too long.
    InvalidNumber,
    /// Too few digits for the brand (or none).
    IncompleteNumber,
    /// The brand is not one we accept.
    UnsupportedBrand,
    /// Month outside 1–12.
    InvalidExpiryMonth,
    /// Year not plausible (more than 50 years ahead, or not 2 or 4 digits' worth).
    InvalidExpiryYear,
    /// The card expired before the current month.
    ExpiredCard,
    /// CVC of the wrong length for the brand, or with non-digits.
    InvalidCvc,
}

impl CardError {
    /// Stable machine code the widget translates.
    pub fn code(&self) -> &'static str {
        match self {
            CardError::InvalidNumber => "invalid_number",
            CardError::IncompleteNumber => "incomplete_number",
            CardError::UnsupportedBrand => "unsupported_brand",
            CardError::InvalidExpiryMonth => "invalid_expiry_month",
            CardError::InvalidExpiryYear => "invalid_expiry_year",
            CardError::ExpiredCard => "expired_card",
            CardError::InvalidCvc => "invalid_cvc",
        }
    }

    /// The form field it belongs to.
    pub fn field(&self) -> CardField {
        match self {
            CardError::InvalidNumber
            | CardError::IncompleteNumber
            | CardError::UnsupportedBrand => CardField::Number,
            CardError::InvalidExpiryMonth
            | CardError::InvalidExpiryYear
            | CardError::ExpiredCard => CardField::Expiry,
            CardError::InvalidCvc => CardField::Cvc,
        }
    }
}

impl fmt::Display for CardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::error::Error for CardError {}

/// What is safe to keep about a valid card.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CardSummary {
    /// Brand.
    pub brand: Brand,
    /// Last four digits.
    pub last4: String,
    /// Expiry month, 1–12.
    pub exp_month: u32,
    /// Expiry year, four digits.
    pub exp_year: u32,
}

/// Strips spaces and dashes; any other non-digit is [`CardError::InvalidNumber`].
pub fn normalize(input: &str) -> Result<String, CardError> {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '0'..='9' => out.push(c),
            ' ' | '-' | '\u{a0}' => {}
            _ => return Err(CardError::InvalidNumber),
        }
    }
    if out.len() > 19 {
        return Err(CardError::InvalidNumber);
    }
    Ok(out)
}

/// The Luhn check on a string of ASCII digits (false for anything else or an empty string).
pub fn luhn(digits: &str) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, c) in digits.bytes().rev().enumerate() {
        if !c.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// The brand of a (possibly partial) normalised number; `Unknown` until enough digits are typed.
pub fn brand(digits: &str) -> Brand {
    for &(b, lo, hi) in PREFIXES {
        let width = decimal_width(lo);
        let Some(prefix) = digits.get(..width) else {
            continue;
        };
        if let Ok(p) = prefix.parse::<u32>() {
            if prefix.bytes().all(|c| c.is_ascii_digit()) && (lo..=hi).contains(&p) {
                return b;
            }
        }
    }
    Brand::Unknown
}

fn decimal_width(mut n: u32) -> usize {
    let mut w = 1;
    while n >= 10 {
        n /= 10;
        w += 1;
    }
    w
}

/// Groups the digits of `input` for display as the customer types: `4242 4242 4242 4242`,
/// Amex `3782 822463 10005`. Non-digits are dropped; digits beyond the brand's maximum are cut.
pub fn format_for_display(input: &str) -> String {
    let digits: String = input
        .chars()
        .filter(char::is_ascii_digit)
        .take(19)
        .collect();
    let b = brand(&digits);
    let digits = digits
        .get(..digits.len().min(b.max_length()))
        .unwrap_or(&digits);
    let mut out = String::with_capacity(digits.len() + 4);
    let mut groups = b.groups(digits.len()).iter();
    let mut left = groups.next().copied().unwrap_or(4);
    for c in digits.chars() {
        if left == 0 {
            out.push(' ');
            left = groups.next().copied().unwrap_or(4);
        }
        out.push(c);
        left -= 1;
    }
    out
}

/// Checks a security code for a card of `brand` (3 digits, 4 for Amex; either while the brand is unknown).
/// On its own for a saved card, whose CVC is asked again without the rest of the card.
pub fn check_cvc(cvc: &str, brand: Brand) -> Result<(), CardError> {
    let ok = cvc.bytes().all(|c| c.is_ascii_digit())
        && if brand == Brand::Unknown {
            (3..=4).contains(&cvc.len())
        } else {
            cvc.len() == brand.cvc_length()
        };
    if ok {
        Ok(())
    } else {
        Err(CardError::InvalidCvc)
    }
}

/// Validates the whole form and returns every field's errors at once, or a summary without the number.
/// `exp_year` may be two digits (`27` is 2027). Expiry is checked against `now` in UTC: a card is valid
/// through the end of its expiry month.
pub fn validate_card(
    number: &str,
    exp_month: u32,
    exp_year: u32,
    cvc: &str,
    now: Timestamp,
) -> Result<CardSummary, Vec<CardError>> {
    let mut errors = Vec::new();
    let digits = normalize(number);
    let b = digits.as_deref().map(brand).unwrap_or(Brand::Unknown);
    match &digits {
        Err(e) => errors.push(*e),
        Ok(d) if d.is_empty() => errors.push(CardError::IncompleteNumber),
        Ok(_) if b == Brand::Unknown => errors.push(CardError::UnsupportedBrand),
        Ok(d) if !b.lengths().contains(&d.len()) => errors.push(if d.len() < b.max_length() {
            CardError::IncompleteNumber
        } else {
            CardError::InvalidNumber
        }),
        Ok(d) if !luhn(d) => errors.push(CardError::InvalidNumber),
        Ok(_) => {}
    }
    let (now_year, now_month) = now.year_month();
    let year = if exp_year < 100 {
        exp_year + 2000
    } else {
        exp_year
    };
    if !(1..=12).contains(&exp_month) {
        errors.push(CardError::InvalidExpiryMonth);
    } else if (1000..10_000).contains(&exp_year) && exp_year < 2000
        || !(2000..10_000).contains(&year)
        || i64::from(year) > now_year + 50
    {
        errors.push(CardError::InvalidExpiryYear);
    } else if (i64::from(year), exp_month) < (now_year, now_month) {
        errors.push(CardError::ExpiredCard);
    }
    if let Err(e) = check_cvc(cvc, b) {
        errors.push(e);
    }
    match digits {
        Ok(d) if errors.is_empty() => Ok(CardSummary {
            brand: b,
            last4: d.get(d.len().saturating_sub(4)..).unwrap_or("").to_owned(),
            exp_month,
            exp_year: year,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_brand(number: &str, expect: Brand) {
        assert_eq!(brand(&normalize(number).unwrap()), expect, "{number}");
    }

    #[test]
    fn brands() {
        check_brand("4242 4242 4242 4242", Brand::Visa);
        check_brand("5555-5555-5555-4444", Brand::Mastercard);
        check_brand("2223003122003222", Brand::Mastercard);
        check_brand("2720990000000000", Brand::Mastercard);
        check_brand("2721000000000000", Brand::Unknown);
        check_brand("378282246310005", Brand::Amex);
        check_brand("371449635398431", Brand::Amex);
        check_brand("6011111111111117", Brand::Discover);
        check_brand("6445644564456445", Brand::Discover);
        check_brand("6500000000000002", Brand::Discover);
        check_brand("3056930009020004", Brand::Diners);
        check_brand("36227206271667", Brand::Diners);
        check_brand("3566002020360505", Brand::Jcb);
        check_brand("6200000000000005", Brand::UnionPay);
        check_brand("6759649826438453", Brand::Maestro);
        check_brand("5018000000000009", Brand::Maestro);
        check_brand("4", Brand::Visa);
        check_brand("3", Brand::Unknown);
        check_brand("", Brand::Unknown);
        check_brand("9999", Brand::Unknown);
    }

    #[test]
    fn brands_by_name_and_cvc_alone() {
        for b in ALL_BRANDS {
            assert_eq!(Brand::from_name(b.name()), Some(b));
        }
        assert_eq!(Brand::from_name("Visa"), None);
        assert_eq!(check_cvc("1234", Brand::Amex), Ok(()));
        assert_eq!(check_cvc("123", Brand::Amex), Err(CardError::InvalidCvc));
        assert_eq!(check_cvc("123", Brand::Visa), Ok(()));
        assert_eq!(check_cvc("12a", Brand::Visa), Err(CardError::InvalidCvc));
        assert_eq!(check_cvc("1234", Brand::Unknown), Ok(()));
    }

    #[test]
    fn luhn_and_normalize() {
        assert!(luhn("4242424242424242"));
        assert!(!luhn("4242424242424241"));
        assert!(luhn("0"));
        assert!(!luhn(""));
        assert!(!luhn("42a2"));
        assert_eq!(
            normalize(" 4242-4242 4242 4242 "),
            Ok("4242424242424242".into())
        );
        assert_eq!(normalize("4242.4242"), Err(CardError::InvalidNumber));
        assert_eq!(normalize("１２３"), Err(CardError::InvalidNumber));
        assert_eq!(normalize(&"4".repeat(20)), Err(CardError::InvalidNumber));
    }

    #[test]
    fn display_groups() {
        assert_eq!(
            format_for_display("4242424242424242"),
            "4242 4242 4242 4242"
        );
        assert_eq!(format_for_display("42424"), "4242 4");
        assert_eq!(format_for_display("378282246310005"), "3782 822463 10005");
        assert_eq!(
            format_for_display("3782822463100059999"),
            "3782 822463 10005"
        );
        assert_eq!(format_for_display("36227206271667"), "3622 720627 1667");
        assert_eq!(format_for_display("4242-42a42"), "4242 4242");
        assert_eq!(
            format_for_display("4000000000000000006"),
            "4000 0000 0000 0000 006"
        );
        assert_eq!(format_for_display(""), "");
    }

    /// 2026-11-23, the day this was written.
    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-23T10:00:00Z").unwrap()
    }

    fn check(
        number: &str,
        month: u32,
        year: u32,
        cvc: &str,
        expect: Result<(&str, &str), &[&str]>,
    ) {
        let got = validate_card(number, month, year, cvc, now());
        match (got, expect) {
            (Ok(s), Ok((brand, last4))) => {
                assert_eq!((s.brand.name(), s.last4.as_str()), (brand, last4))
            }
            (Err(es), Err(codes)) => {
                assert_eq!(
                    es.iter().map(CardError::code).collect::<Vec<_>>(),
                    codes,
                    "{number}"
                )
            }
            (got, want) => panic!("{number}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn whole_form() {
        check("4242 4242 4242 4242", 11, 2026, "123", Ok(("visa", "4242")));
        check("4242424242424242", 12, 30, "123", Ok(("visa", "4242")));
        check("378282246310005", 1, 2030, "1234", Ok(("amex", "0005")));
        check("378282246310005", 1, 2030, "123", Err(&["invalid_cvc"]));
        check("4242424242424242", 10, 2026, "123", Err(&["expired_card"]));
        check(
            "4242424242424241",
            13,
            2026,
            "12",
            Err(&["invalid_number", "invalid_expiry_month", "invalid_cvc"]),
        );
        check("424242424242", 1, 2030, "123", Err(&["incomplete_number"]));
        check("", 1, 2030, "123", Err(&["incomplete_number"]));
        check(
            "9999 9999 9999 9995",
            1,
            2030,
            "123",
            Err(&["unsupported_brand"]),
        );
        check(
            "4242424242424242",
            1,
            2099,
            "123",
            Err(&["invalid_expiry_year"]),
        );
        check(
            "4242424242424242",
            1,
            1999,
            "123",
            Err(&["invalid_expiry_year"]),
        );
        check(
            "4242424242424242",
            0,
            2030,
            "abc",
            Err(&["invalid_expiry_month", "invalid_cvc"]),
        );
        check(
            "2223003122003222",
            1,
            2030,
            "123",
            Ok(("mastercard", "3222")),
        );
        check("6011111111111117", 1, 2030, "123", Ok(("discover", "1117")));
    }

    #[test]
    fn errors_hold_no_card_data() {
        let err = validate_card("4242424242424241", 1, 2030, "999", now()).unwrap_err();
        let ok = validate_card("4242424242424242", 1, 2030, "999", now()).unwrap();
        let text = format!("{err:?} {ok:?} {}", err[0]);
        assert!(
            !text.contains("424242424242") && !text.contains("999"),
            "{text}"
        );
        assert_eq!(err[0].field(), CardField::Number);
    }
}
