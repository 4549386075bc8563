// Loads the wasm module at most once. The promise is cleared on failure so a later call retries
// (a flaky network or a blocked request must not break the page for good).
import init, * as bindings from './intent_checkout.js';

let loading;
// Where the .wasm is when the caller does not say. Unset: next to the glue (its import.meta.url). The
// script-tag bundle has no import.meta, so it sets this from its own <script src>.
let defaultWasmUrl;

/** Sets where `loadWasm()` finds the .wasm when called without an argument. */
export function setDefaultWasmUrl(url) {
  defaultWasmUrl = url;
}

// Callers waiting for any later load to succeed (elements that saw a load fail).
const onLoaded = new Set();
let loaded = false;

/** Calls `fn(bindings)` once, when a load succeeds (at once if one already has). */
export function whenLoaded(fn) {
  if (loaded) fn(bindings);
  else onLoaded.add(fn);
}

/** Resolves to the raw wasm-bindgen exports once the module is instantiated. */
export function loadWasm(moduleOrPath = defaultWasmUrl) {
  loading ??= init(moduleOrPath === undefined ? undefined : { module_or_path: moduleOrPath }).then(
    () => {
      loaded = true;
      for (const fn of onLoaded) fn(bindings);
      onLoaded.clear();
      return bindings;
    },
    (error) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
