export * from './index.js';

/** The `<intent-checkout>` custom element, registered when this module is imported. */
export class IntentCheckoutElement extends HTMLElement {}

/** Creates an `<intent-checkout>` inside `target` (an element or a CSS selector) and returns it. */
export function mount(target: Element | string, options?: Record<string, unknown>): IntentCheckoutElement;
