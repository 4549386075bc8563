// First module of the script-tag bundle: while the classic script runs, document.currentScript is it, so
// the .wasm and the inline card fields are found next to the script file wherever the merchant hosts it.
// Must run before element.js. The download and (streaming) compile start here, before the rest of the
// bundle runs.
import { loadWasm, setDefaultWasmUrl } from './wasm.js';
import { setInlineFieldsLoader } from './inline.js';
import { setMessagesLoader } from './messages.js';
import { jsonTables } from './i18n.js';

const script = document.currentScript;
// INTENT_CHECKOUT_WASM_FILE and INLINE_FIELDS_FILE: file names defined by scripts/dist.mjs when it bundles
// this entry (content-hashed in the versioned layout); PAGE_LOCALES: each language's table, file and
// integrity (data fetched with its integrity, never a script).
const base = (script && script.src) || location.href;
setDefaultWasmUrl(new URL(INTENT_CHECKOUT_WASM_FILE, base));
setInlineFieldsLoader(() => import(new URL(INLINE_FIELDS_FILE, base).href));
setMessagesLoader(jsonTables(PAGE_LOCALES, base));
loadWasm().catch(() => {}); // intent-checkout.js reports a failure; a later load() retries
