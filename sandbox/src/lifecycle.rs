//! The lifecycle is the SDK core's (`intent_checkout::core::lifecycle`): its tables decide what is legal,
//! its wire names are what the sandbox sends. Re-exported here with the money and time types it takes,
//! and the sandbox's own limits on them.

pub use intent_checkout::core::lifecycle::*;
pub use intent_checkout::core::money::{Money, MoneyError, MAX_MINOR_UNITS};
pub use intent_checkout::core::time::{Duration, Timestamp};

/// The largest amount accepted: the core's limit (JavaScript's largest safe integer).
pub const MAX_AMOUNT: i64 = MAX_MINOR_UNITS;

/// The largest amount or tip alone: half the limit, so an amount and its tip always add up to a total
/// the core accepts (and a request that is valid field by field is valid as a whole).
pub const MAX_PART: i64 = MAX_AMOUNT / 2;

/// Currencies the sandbox accepts (Dojo takes GBP and EUR; USD and MYR serve the other dialects).
pub const CURRENCIES: &[&str] = &["GBP", "EUR", "USD", "MYR"];

/// The accepted currency with that code, as a `'static` name.
pub fn currency(code: &str) -> Option<&'static str> {
    CURRENCIES.iter().find(|c| **c == code).copied()
}
