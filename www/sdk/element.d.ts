import type { Checkout, CheckoutEventDetail, CheckoutEventMap, CheckoutOptions, PaymentIntentView, TokenRefresh } from './index.js';

export * from './index.js';

/** What the element shows; reflected on the host as the `state` attribute (wait on it in tests). */
export type IntentCheckoutState =
  | 'loading' | 'waiting' | 'form' | 'paying' | 'action' | 'processing'
  | 'succeeded' | 'authorized' | 'declined' | 'canceled' | 'expired' | 'refunded' | 'reversed' | 'error'
  /**
   * A setup intent: the card is saved; the merchant charged it; the saved card expired. A setup intent also
   * ends in `canceled`, `expired` or (Dojo's `Closed`) `reversed`, shown with a setup intent's own words.
   */
  | 'saved' | 'charged' | 'card_expired';

/** The element's own `ready`: the wasm version, and the intent once one is loaded. */
export interface ElementReadyDetail extends Partial<CheckoutEventDetail> {
  version: string;
}

/**
 * Events dispatched on the element (all bubble and are composed): the `Checkout`'s events with the same
 * details, and the element's own `ready`.
 */
export interface IntentCheckoutEventMap extends Omit<CheckoutEventMap, 'ready'> {
  ready: CustomEvent<ElementReadyDetail>;
  /**
   * Before the element leaves for the intent's `config.redirectUrl` (after success) or `config.cancelUrl`
   * (cancelled, or the customer's Cancel): `preventDefault()` to route a single-page app yourself.
   */
  redirect: CustomEvent<RedirectDetail>;
}

export interface RedirectDetail {
  url: string;
  reason: 'succeeded' | 'authorized' | 'canceled';
}

type Listener<K extends keyof IntentCheckoutEventMap> = (this: IntentCheckoutElement, ev: IntentCheckoutEventMap[K]) => unknown;
type ElementListener<K extends keyof HTMLElementEventMap> = (this: IntentCheckoutElement, ev: HTMLElementEventMap[K]) => unknown;
/** DOM events of any element whose names the checkout does not use (`click`, `focusin`, …). */
type OtherEvents = Exclude<keyof HTMLElementEventMap, keyof IntentCheckoutEventMap>;

/**
 * `<intent-checkout api-base payment-intent-id locale dialect>`, registered when this module is imported.
 * Set the secret with the `connectToken` property (or a `connect-token` attribute, read once and removed).
 */
export class IntentCheckoutElement extends HTMLElement {
  /** The payment-intents API origin; defaults to the page's origin. Mirrors `api-base`. */
  apiBase: string;
  /** Mirrors `payment-intent-id`. */
  paymentIntentId: string | null;
  /** Mirrors `setup-intent-id`: save a card for this setup intent (terms, consent) instead of paying. */
  setupIntentId: string | null;
  /** Mirrors `customer-id`: whose saved cards to offer (with `customerSecret`), and where "save this card" keeps a card. */
  customerId: string | null;
  /** Write-only: a customer secret from the merchant's server (memory only). Reads return undefined. */
  customerSecret: string | undefined;
  /** When the customer secret expires (ISO date or unix ms). */
  customerSecretExpiresAt: string | number | undefined;
  /** BCP 47 tag for texts and amounts (`en-GB`, `de`, `fr-FR`); defaults to the browser's. Mirrors `locale`. */
  locale: string | null;
  /** Which status names the API speaks; mirrors `dialect`. */
  dialect: NonNullable<CheckoutOptions['dialect']> | null;
  /**
   * `isolated` (default): the card fields are a frame served by `apiBase`; no card detail reaches this page
   * (PCI DSS SAQ A). `inline`: the fields are in this page, which puts it in scope (SAQ A-EP). Mirrors `fields`.
   */
  fields: 'isolated' | 'inline';
  /** Write-only: the intent's connect token (client session secret). Reads return undefined. */
  connectToken: string | undefined;
  /** When the token expires (ISO date or unix ms), so the core can refresh it ahead of time. */
  connectTokenExpiresAt: string | number | undefined;
  /** Called for a fresh token when the current one expires, and by "Try again". */
  refreshToken: (() => Promise<TokenRefresh> | TokenRefresh) | null;
  /** The latest intent snapshot (no token), or null before the first one. */
  readonly intent: PaymentIntentView | null;
  /** The underlying checkout (see `createCheckout`), once started. */
  readonly checkout: Checkout | null;
  addEventListener<K extends keyof IntentCheckoutEventMap>(type: K, listener: Listener<K>, options?: boolean | AddEventListenerOptions): void;
  addEventListener<K extends OtherEvents>(type: K, listener: ElementListener<K>, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof IntentCheckoutEventMap>(type: K, listener: Listener<K>, options?: boolean | EventListenerOptions): void;
  removeEventListener<K extends OtherEvents>(type: K, listener: ElementListener<K>, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

export interface MountOptions {
  apiBase?: string;
  paymentIntentId?: string;
  setupIntentId?: string;
  customerId?: string;
  customerSecret?: string;
  customerSecretExpiresAt?: string | number;
  connectToken?: string;
  connectTokenExpiresAt?: string | number;
  refreshToken?: () => Promise<TokenRefresh> | TokenRefresh;
  locale?: string;
  dialect?: CheckoutOptions['dialect'];
  fields?: 'isolated' | 'inline';
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
