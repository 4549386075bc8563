// Generated from the Rust definitions (`ErrorCode::ALL`, `EventKind::ALL` in src/core/flow) by
// tests/js_contract.rs: `BLESS=1 cargo test --test js_contract` rewrites it. Do not edit.

/** The closed set of `CheckoutError.code` values. */
export const ERROR_CODES = Object.freeze(['network_error', 'api_error', 'card_declined', 'validation_error', 'token_expired', 'unexpected_transition', 'sdk_error', 'customer_secret_invalid']);

/** Every event a checkout dispatches, by its DOM name. */
export const EVENTS = Object.freeze(['ready', 'status', 'requires_action', 'succeeded', 'failed', 'canceled', 'expired', 'token_refreshed', 'error', 'saved']);

/** Where each dialect's API serves the page's read of an intent (`{id}`: the intent id), from its
* Rust wire: the loader starts this request while the module compiles. */
export const INTENT_PATHS = Object.freeze({ dojo: '/payment-intents/public/{id}', stripe: '/payment-intents/public/{id}', setel: '/payment-intents/public/{id}' });
