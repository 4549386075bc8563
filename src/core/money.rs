//! Money: integer minor units plus an ISO 4217 currency (with its exponent), and checked arithmetic.
//! Display formatting is the widget's job (`Intl.NumberFormat`); the core only exposes minor units and exponent.

use std::fmt;

/// The largest amount in minor units the core accepts: `Number.MAX_SAFE_INTEGER`, so every amount
/// crosses to JavaScript exactly. Larger values are [`MoneyError::TooLarge`].
pub const MAX_MINOR_UNITS: i64 = 9_007_199_254_740_991;

/// Active ISO 4217 codes with their minor-unit exponent, packed as `CODE` + digit, sorted by code.
/// Funds, precious metals and testing codes (XAU, XTS, XXX …) have no minor unit and are left out.
const ISO_4217: &[u8] = b"\
AED2AFN2ALL2AMD2ANG2AOA2ARS2AUD2AWG2AZN2BAM2BBD2BDT2BGN2BHD3BIF0BMD2BND2BOB2BOV2BRL2BSD2BTN2BWP2BYN2BZD2\
CAD2CDF2CHE2CHF2CHW2CLF4CLP0CNY2COP2COU2CRC2CUP2CVE2CZK2DJF0DKK2DOP2DZD2EGP2ERN2ETB2EUR2FJD2FKP2GBP2GEL2\
GHS2GIP2GMD2GNF0GTQ2GYD2HKD2HNL2HTG2HUF2IDR2ILS2INR2IQD3IRR2ISK0JMD2JOD3JPY0KES2KGS2KHR2KMF0KPW2KRW0KWD3\
KYD2KZT2LAK2LBP2LKR2LRD2LSL2LYD3MAD2MDL2MGA2MKD2MMK2MNT2MOP2MRU2MUR2MVR2MWK2MXN2MXV2MYR2MZN2NAD2NGN2NIO2\
NOK2NPR2NZD2OMR3PAB2PEN2PGK2PHP2PKR2PLN2PYG0QAR2RON2RSD2RUB2RWF0SAR2SBD2SCR2SDG2SEK2SGD2SHP2SLE2SOS2SRD2\
SSP2STN2SVC2SYP2SZL2THB2TJS2TMT2TND3TOP2TRY2TTD2TWD2TZS2UAH2UGX0USD2USN2UYI0UYU2UYW4UZS2VED2VES2VND0VUV0\
WST2XAF0XCD2XCG2XOF0XPF0YER2ZAR2ZMW2ZWG2";

/// An active ISO 4217 currency. Only obtainable from the table, so it always has a known exponent.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

/// An amount of money: non-negative integer minor units (at most [`MAX_MINOR_UNITS`]) in one currency.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

/// What went wrong with an amount.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MoneyError {
    /// The code is not an active ISO 4217 alpha-3 code.
    UnknownCurrency,
    /// Amounts are never negative (a subtraction below zero lands here too).
    NegativeAmount,
    /// Above [`MAX_MINOR_UNITS`], or an arithmetic overflow.
    TooLarge,
    /// The two amounts are in different currencies.
    CurrencyMismatch {
        /// Currency of the left operand (or the intent).
        expected: Currency,
        /// Currency of the right operand.
        found: Currency,
    },
}

impl MoneyError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::UnknownCurrency => "unknown_currency",
            MoneyError::NegativeAmount => "negative_amount",
            MoneyError::TooLarge => "amount_too_large",
            MoneyError::CurrencyMismatch { .. } => "currency_mismatch",
        }
    }
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoneyError::UnknownCurrency => f.write_str("unknown currency code"),
            MoneyError::NegativeAmount => f.write_str("amount is negative"),
            MoneyError::TooLarge => f.write_str("amount is too large"),
            MoneyError::CurrencyMismatch { expected, found } => {
                f.write_str("currency mismatch: expected ")?;
                f.write_str(expected.code())?;
                f.write_str(", found ")?;
                f.write_str(found.code())
            }
        }
    }
}

impl std::error::Error for MoneyError {}

impl Currency {
    /// Looks up an ISO 4217 alpha-3 code (upper case, exactly as the API sends it).
    pub fn from_code(code: &str) -> Result<Currency, MoneyError> {
        let key = code.as_bytes();
        if key.len() != 3 {
            return Err(MoneyError::UnknownCurrency);
        }
        let (mut lo, mut hi) = (0usize, ISO_4217.len() / 4);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let entry = ISO_4217
                .get(mid * 4..mid * 4 + 4)
                .ok_or(MoneyError::UnknownCurrency)?;
            // ok: `entry` is a 4-byte slice (checked by `get` above), so indexes 0..=3 exist.
            match entry[..3].cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    return Ok(Currency {
                        code: [entry[0], entry[1], entry[2]],
                        exponent: entry[3] - b'0',
                    })
                }
            }
        }
        Err(MoneyError::UnknownCurrency)
    }

    /// The alpha-3 code, e.g. `"GBP"`.
    pub fn code(&self) -> &str {
        // ok: codes come only from the ASCII table above, so this never falls back.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// Number of minor-unit digits: GBP 2, JPY 0, KWD 3, CLF 4.
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// Every active currency in the table (for tests and for the sandbox's validation messages).
    pub fn all() -> impl Iterator<Item = Currency> {
        // ok: `chunks_exact(4)` yields 4-byte slices, so indexes 0..=3 exist.
        ISO_4217.chunks_exact(4).map(|e| Currency {
            code: [e[0], e[1], e[2]],
            exponent: e[3] - b'0',
        })
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Money {
    /// An amount, rejected if negative or above [`MAX_MINOR_UNITS`].
    pub fn new(minor: i64, currency: Currency) -> Result<Money, MoneyError> {
        if minor < 0 {
            Err(MoneyError::NegativeAmount)
        } else if minor > MAX_MINOR_UNITS {
            Err(MoneyError::TooLarge)
        } else {
            Ok(Money { minor, currency })
        }
    }

    /// An amount from a currency code, e.g. `Money::from_code(1000, "GBP")` is £10.00.
    pub fn from_code(minor: i64, code: &str) -> Result<Money, MoneyError> {
        Money::new(minor, Currency::from_code(code)?)
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// The amount in minor units (pence, yen, fils …).
    pub fn minor_units(&self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The currency's exponent, for `Intl.NumberFormat`'s fraction digits.
    pub fn exponent(&self) -> u8 {
        self.currency.exponent
    }

    /// True for a zero amount.
    pub fn is_zero(&self) -> bool {
        self.minor == 0
    }

    /// Errors unless `other` is in the same currency.
    pub fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                expected: self.currency,
                found: other.currency,
            })
        }
    }

    /// `self + other`, same currency, within bounds.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let sum = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::TooLarge)?;
        Money::new(sum, self.currency)
    }

    /// `self - other`, same currency; below zero is [`MoneyError::NegativeAmount`].
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let diff = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::TooLarge)?;
        Money::new(diff, self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.minor, self.currency.code())
    }
}

/// The wire shape, Dojo's `Money`: `{"value": 1000, "currencyCode": "GBP"}`.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMoney<'a> {
    value: i64,
    #[serde(borrow)]
    currency_code: std::borrow::Cow<'a, str>,
}

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WireMoney {
            value: self.minor,
            currency_code: std::borrow::Cow::Borrowed(self.currency.code()),
        }
        .serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = WireMoney::deserialize(d)?;
        Money::from_code(w.value, &w.currency_code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(code: &str, expect: Result<u8, MoneyError>) {
        assert_eq!(
            Currency::from_code(code).map(|c| c.exponent()),
            expect,
            "{code}"
        );
    }

    #[test]
    fn currency_table() {
        check("GBP", Ok(2));
        check("EUR", Ok(2));
        check("JPY", Ok(0));
        check("KWD", Ok(3));
        check("CLF", Ok(4));
        check("AED", Ok(2));
        check("ZWG", Ok(2));
        check("gbp", Err(MoneyError::UnknownCurrency));
        check("XXX", Err(MoneyError::UnknownCurrency));
        check("GB", Err(MoneyError::UnknownCurrency));
        check("GBPX", Err(MoneyError::UnknownCurrency));
        check("", Err(MoneyError::UnknownCurrency));
        check("€€€", Err(MoneyError::UnknownCurrency));
        let all: Vec<_> = Currency::all().collect();
        assert!(all.len() > 150);
        for w in all.windows(2) {
            assert!(w[0].code() < w[1].code(), "table not sorted at {:?}", w);
        }
        for c in &all {
            assert_eq!(Currency::from_code(c.code()), Ok(*c));
            assert!(c.exponent() <= 4);
        }
    }

    #[test]
    fn arithmetic() {
        let gbp = |v| Money::from_code(v, "GBP").unwrap();
        let eur = Money::from_code(5, "EUR").unwrap();
        assert_eq!(gbp(5).checked_add(gbp(7)), Ok(gbp(12)));
        assert_eq!(gbp(7).checked_sub(gbp(7)), Ok(gbp(0)));
        assert_eq!(gbp(5).checked_sub(gbp(7)), Err(MoneyError::NegativeAmount));
        assert_eq!(
            gbp(MAX_MINOR_UNITS).checked_add(gbp(1)),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(
            gbp(5).checked_add(eur).unwrap_err().code(),
            "currency_mismatch"
        );
        assert_eq!(Money::from_code(-1, "GBP"), Err(MoneyError::NegativeAmount));
        assert_eq!(Money::from_code(i64::MAX, "GBP"), Err(MoneyError::TooLarge));
        assert_eq!(Money::from_code(1, "ABC"), Err(MoneyError::UnknownCurrency));
        assert_eq!(format!("{:?}", gbp(1000)), "1000 GBP");
        assert_eq!(
            MoneyError::CurrencyMismatch {
                expected: gbp(1).currency(),
                found: eur.currency()
            }
            .to_string(),
            "currency mismatch: expected GBP, found EUR"
        );
    }

    #[test]
    fn serde_wire_shape() {
        let m = Money::from_code(1000, "GBP").unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"value":1000,"currencyCode":"GBP"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        assert!(serde_json::from_str::<Money>(r#"{"value":-1,"currencyCode":"GBP"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"value":1,"currencyCode":"QQQ"}"#).is_err());
    }
}
