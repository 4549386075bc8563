// The script-tag entry: <script src=".../intent-checkout.js" defer></script>. The build bundles it, with the
// element and the SDK, into one minified classic script (pkg/intent-checkout.js) that finds the .wasm next
// to itself, registers <intent-checkout> and defines window.IntentCheckout.
import './script-base.js';
import { loadWasm } from './wasm.js';
import * as api from './element.js';

window.IntentCheckout = {
  /** Resolves to the package's API (the exports of `intent-checkout/element`) once the wasm is loaded. */
  load: () => loadWasm().then(() => api),
  /** Creates an <intent-checkout> in `target` (an element or a selector); resolves to the element. */
  mount: (target, options) => Promise.resolve().then(() => api.mount(target, options)),
};
// Start fetching the wasm now, in parallel with the page; a failure is retried by the next load().
loadWasm().catch((error) => console.error('intent-checkout: failed to load', error && error.message));
