//! The pure core: payment-intent lifecycle and its dialects, money, intent model, connect token, state
//! mirror, card checks, payment methods, and the light JSON reader/writer both the intent decoder and the
//! flow use (no serde_json in the wasm). Plain Rust with no browser types, no I/O and no clock; the wasm
//! shell and the sandbox both build on it.
pub mod flow;

pub mod address;
pub mod card;
pub mod card_form;
pub mod card_frame;
pub mod dialect;
pub mod intent;
pub mod json;
pub mod lifecycle;
pub mod mirror;
pub mod money;
pub mod order;
pub mod payer;
pub mod payment_method;
pub mod saved;
pub mod shape;
pub mod small_map;
pub mod time;
pub mod token;
