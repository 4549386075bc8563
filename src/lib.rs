//! intent-checkout: a browser checkout SDK. A pure core (`core`) mirrors one payment intent; on wasm32 a thin
//! shell (`shell`) adds fetch, timers and events, and this file holds the `#[wasm_bindgen]` API.

pub mod core;

#[cfg(target_arch = "wasm32")]
mod shell;

#[cfg(target_arch = "wasm32")]
pub use shell::api::*;

/// The SDK version, as the page sees it in `ready` events.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
