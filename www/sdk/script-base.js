// First module of the script-tag bundle: while the classic script runs, document.currentScript is it, so
// the .wasm is found next to the script file wherever the merchant hosts it. Must run before element.js.
import { setDefaultWasmUrl } from './wasm.js';

const script = document.currentScript;
setDefaultWasmUrl(new URL('intent_checkout_bg.wasm', (script && script.src) || location.href));
