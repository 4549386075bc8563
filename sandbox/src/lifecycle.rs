//! The lifecycle is the SDK core's (`intent_checkout::core::lifecycle`): its tables decide what is legal,
//! its wire names are what the sandbox sends. Re-exported here with the money and time types it takes.

pub use intent_checkout::core::lifecycle::*;
pub use intent_checkout::core::money::{Money, MoneyError, MAX_MINOR_UNITS};
pub use intent_checkout::core::time::{Duration, Timestamp};
