// Types for the script-tag bundle (`<script src=".../intent-checkout.js">`): it registers <intent-checkout>
// and defines `window.IntentCheckout`. Bring them in with `/// <reference types="intent-checkout/intent-checkout.js" />`
// or `import type {} from 'intent-checkout/intent-checkout.js'`.
import type * as Sdk from './element.js';

export type IntentCheckoutElement = Sdk.IntentCheckoutElement;
export type MountOptions = Sdk.MountOptions;

/** `window.IntentCheckout`. */
export interface IntentCheckoutGlobal {
  /** Resolves to the package's API (the exports of `intent-checkout/element`) once the wasm is loaded. */
  load(): Promise<typeof Sdk>;
  /** Creates an <intent-checkout> in `target` (an element or a selector); resolves to the element. */
  mount(target: Element | string, options?: Sdk.MountOptions): Promise<Sdk.IntentCheckoutElement>;
}

declare global {
  interface Window {
    IntentCheckout: IntentCheckoutGlobal;
  }
  var IntentCheckout: IntentCheckoutGlobal;
  interface HTMLElementTagNameMap {
    'intent-checkout': Sdk.IntentCheckoutElement;
  }
}
