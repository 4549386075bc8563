//! intent-checkout: a browser checkout SDK. A pure core (`core`) mirrors one payment intent; on wasm32 a thin
//! shell (`shell`) adds fetch, timers and events, and this file holds the `#[wasm_bindgen]` API.

pub mod core;

#[cfg(all(target_arch = "wasm32", feature = "shell"))]
mod shell;

#[cfg(all(target_arch = "wasm32", feature = "shell"))]
pub use shell::api::*;

/// The SDK version, as the page sees it in `ready` events.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

// The allocator: dlmalloc is ~7 KB of the shipped wasm's code; the page makes a few small allocations per
// snapshot and event, which a sorted, coalescing free list serves (lol_alloc's; measured in bench/report.md).
// SAFETY: the module runs on one thread (wasm32-unknown-unknown without the atomics feature), which is what
// `AssumeSingleThreaded` requires.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
