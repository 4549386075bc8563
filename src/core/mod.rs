//! The pure core: payment-intent lifecycle, money, intent model, connect token, state mirror, card checks,
//! and the light JSON reader/writer both the intent decoder and the flow use (no serde_json in the wasm).
//! Plain Rust with no browser types, no I/O and no clock; the wasm shell and the sandbox both build on it.
pub mod flow;

pub mod card;
pub mod intent;
pub mod json;
pub mod lifecycle;
pub mod mirror;
pub mod money;
pub mod time;
pub mod token;
