// The <intent-checkout> element. Importing this module registers it.
import { loadWasm } from './wasm.js';

export * from './index.js';

export class IntentCheckoutElement extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const status = document.createElement('p');
    status.setAttribute('part', 'status');
    status.setAttribute('role', 'status');
    status.textContent = 'Loading checkout…';
    root.append(status);
    loadWasm().then(
      (wasm) => {
        status.textContent = 'Checkout ready';
        wasm.announceReady(this);
      },
      () => {
        status.textContent = 'The checkout could not load. Check your connection and reload the page.';
      },
    );
  }
}

if (typeof customElements !== 'undefined' && !customElements.get('intent-checkout')) {
  customElements.define('intent-checkout', IntentCheckoutElement);
}

/** Creates an <intent-checkout> inside `target` (an element or a selector) and returns it. */
export function mount(target, options = {}) {
  const parent = typeof target === 'string' ? document.querySelector(target) : target;
  if (!parent) throw new TypeError('IntentCheckout.mount: target not found');
  const element = document.createElement('intent-checkout');
  Object.assign(element, options);
  parent.append(element);
  return element;
}
