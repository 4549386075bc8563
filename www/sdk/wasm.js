// Loads the wasm module at most once. The promise is cleared on failure so a later call retries
// (a flaky network or a blocked request must not break the page for good).
import init, * as bindings from './intent_checkout.js';

// The .wasm's Subresource Integrity (sha384), written into pkg/wasm.js by scripts/dist.mjs: the module is
// fetched with it wherever it is hosted, so a tampered or mixed-up .wasm is refused by the browser.
const WASM_INTEGRITY = '__INTENT_CHECKOUT_WASM_INTEGRITY__';

let loading;
// Where the .wasm is when the caller does not say. Unset: next to this module (bundlers such as Vite and
// webpack copy it from this `new URL(…, import.meta.url)`). The script-tag bundle has no import.meta, so
// it sets this from its own <script src>.
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

// A URL is fetched with the integrity; a Response, bytes or a compiled Module are taken as they are.
function source(moduleOrPath) {
  const url = moduleOrPath ?? defaultWasmUrl ?? new URL('./intent_checkout_bg.wasm', import.meta.url);
  if (typeof url !== 'string' && !(url instanceof URL)) return url;
  return fetch(url, { integrity: WASM_INTEGRITY }).catch((error) => explain(url, error));
}

// A failed integrity fetch says only "Failed to fetch". A 404 is what a bundler that did not copy the .wasm
// (esbuild) looks like: ask once more, without the integrity, and say what to do.
async function explain(url, error) {
  const status = await fetch(url, { method: 'HEAD' }).then((r) => r.status, () => 0);
  if (status !== 404) throw error;
  throw new Error(`intent-checkout: no .wasm at ${url} (404). If a bundler built this page, it did not copy the `
    + "file: see the README's bundler notes (esbuild: import 'intent-checkout/esbuild' first, with --loader:.wasm=file).");
}

/** Resolves to the raw wasm-bindgen exports once the module is instantiated. */
export function loadWasm(moduleOrPath) {
  // The fetch starts in this call, not in a microtask: the script-tag bundle calls this first, and a
  // microtask would wait for the whole bundle to run (the element's upgrade and render included).
  loading ??= new Promise((resolve) => resolve(source(moduleOrPath))).then((m) => init({ module_or_path: m })).then(
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
