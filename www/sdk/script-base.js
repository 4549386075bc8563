// First module of the script-tag bundle: while the classic script runs, document.currentScript is it, so
// the .wasm is found next to the script file wherever the merchant hosts it. Must run before element.js.
// The download and (streaming) compile start here, before the rest of the bundle runs.
import { loadWasm, setDefaultWasmUrl } from './wasm.js';

const script = document.currentScript;
// INTENT_CHECKOUT_WASM_FILE: the .wasm's file name, defined by scripts/dist.mjs when it bundles this entry
// (content-hashed in the versioned layout).
setDefaultWasmUrl(new URL(INTENT_CHECKOUT_WASM_FILE, (script && script.src) || location.href));
loadWasm().catch(() => {}); // intent-checkout.js reports a failure; a later load() retries
