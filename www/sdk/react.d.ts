// `<intent-checkout>` in React's JSX (React 19: properties and `on<event>` listeners on custom elements).
// The connect token goes in through a ref, never a prop (see IntentCheckoutProps).
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { IntentCheckoutElement, IntentCheckoutEventMap } from './element.js';

export * from './element.js';

/** Attributes, properties and listeners of `<intent-checkout>` in JSX. */
export type IntentCheckoutProps = DetailedHTMLProps<HTMLAttributes<IntentCheckoutElement>, IntentCheckoutElement> & {
  'api-base'?: string;
  'payment-intent-id'?: string;
  /** Save a card for this setup intent instead of paying. */
  'setup-intent-id'?: string;
  /** Whose saved cards to offer; the customer secret goes in through a ref, like the token. */
  'customer-id'?: string;
  locale?: string;
  dialect?: IntentCheckoutElement['dialect'];
  // No `connectToken` or `customerSecret` prop: server rendering would write it into the HTML as an
  // attribute. Set it from a ref (`ref={(el) => { if (el) el.connectToken = token; }}`), which runs in the
  // browser only.
  connectTokenExpiresAt?: string | number;
  refreshToken?: IntentCheckoutElement['refreshToken'];
} & {
  /** `onsucceeded`, `onstatus`, …: React 19 adds these as listeners for the event of that exact name. */
  [K in keyof IntentCheckoutEventMap as `on${K}`]?: (event: IntentCheckoutEventMap[K]) => void;
};

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'intent-checkout': IntentCheckoutProps;
    }
  }
}
