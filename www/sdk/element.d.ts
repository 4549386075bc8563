import type { Checkout, PaymentIntentView } from './index.js';

export * from './index.js';

/** What the element shows; reflected on the host as the `state` attribute (wait on it in tests). */
export type IntentCheckoutState =
  | 'loading' | 'waiting' | 'form' | 'paying' | 'action' | 'processing'
  | 'succeeded' | 'authorized' | 'declined' | 'canceled' | 'expired' | 'refunded' | 'reversed' | 'error';

/** Events dispatched on the element (all bubble and are composed). `detail` carries the intent snapshot. */
export interface IntentCheckoutEventMap extends HTMLElementEventMap {
  ready: CustomEvent<{ version: string; intent?: Record<string, unknown> }>;
  status: CustomEvent<{ status: string; canonical: string; intent: Record<string, unknown> }>;
  requires_action: CustomEvent<{ url?: string; intent: Record<string, unknown> }>;
  succeeded: CustomEvent<{ intent: Record<string, unknown> }>;
  failed: CustomEvent<{ intent: Record<string, unknown>; error?: { code: string; declineCode?: string } }>;
  canceled: CustomEvent<{ intent: Record<string, unknown> }>;
  expired: CustomEvent<{ intent: Record<string, unknown> }>;
  token_refreshed: CustomEvent<Record<string, unknown>>;
  error: CustomEvent<{ error: { code: string; message: string } }>;
}

/**
 * `<intent-checkout api-base payment-intent-id locale dialect>`, registered when this module is imported.
 * Set the secret with the `connectToken` property (or a `connect-token` attribute, read once and removed).
 */
export class IntentCheckoutElement extends HTMLElement {
  /** The payment-intents API origin; defaults to the page's origin. Mirrors `api-base`. */
  apiBase: string;
  /** Mirrors `payment-intent-id`. */
  paymentIntentId: string | null;
  /** BCP 47 tag for texts and amounts (`en-GB`, `de`, `fr-FR`); defaults to the browser's. Mirrors `locale`. */
  locale: string | null;
  /** `dojo` | `stripe` | `setel`; mirrors `dialect`. */
  dialect: string | null;
  /** Write-only: the intent's connect token (client session secret). Reads return undefined. */
  connectToken: string | undefined;
  /** When the token expires (ISO date or unix ms), so the core can refresh it ahead of time. */
  connectTokenExpiresAt: string | number | undefined;
  /** Called for a fresh token when the current one expires, and by "Try again" after a decline. */
  refreshToken: (() => Promise<string | { clientSessionSecret: string; clientSessionSecretExpirationDate?: string }>) | null;
  /** The latest intent snapshot (no token), or null before the first one. */
  readonly intent: PaymentIntentView | null;
  /** The underlying checkout (see `createCheckout`), once started. */
  readonly checkout: Checkout | null;
  addEventListener<K extends keyof IntentCheckoutEventMap>(type: K, listener: (this: IntentCheckoutElement, ev: IntentCheckoutEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

export interface MountOptions {
  apiBase?: string;
  paymentIntentId?: string;
  connectToken?: string;
  connectTokenExpiresAt?: string | number;
  refreshToken?: () => Promise<string | { clientSessionSecret: string; clientSessionSecretExpirationDate?: string }>;
  locale?: string;
  dialect?: string;
  /** Listeners attached before the element starts, e.g. `{ succeeded: () => location.assign('/thanks') }`. */
  on?: { [K in keyof IntentCheckoutEventMap]?: (ev: IntentCheckoutEventMap[K]) => unknown };
}

/** Creates an `<intent-checkout>` inside `target` (an element or a CSS selector) and returns it. */
export function mount(target: Element | string, options?: MountOptions): IntentCheckoutElement;

declare global {
  interface HTMLElementTagNameMap {
    'intent-checkout': IntentCheckoutElement;
  }
}
