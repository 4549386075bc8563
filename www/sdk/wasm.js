// Loads the wasm module at most once. The promise is cleared on failure so a later call retries
// (a flaky network or a blocked request must not break the page for good).
import init, * as bindings from './intent_checkout.js';

let loading;

/** Resolves to the raw wasm-bindgen exports once the module is instantiated. */
export function loadWasm(moduleOrPath) {
  loading ??= init(moduleOrPath === undefined ? undefined : { module_or_path: moduleOrPath }).then(
    () => bindings,
    (error) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
