// Server-side rendering (README): the entries import in Node, where there is no HTMLElement or window, and a
// React tree with <intent-checkout> renders to HTML without the connect token in it.
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';

const element = await import('intent-checkout/element');
const react = await import('intent-checkout/react');
const sdk = await import('intent-checkout');
// As in the README's React snippet: the token is set from a ref, which never runs on the server.
const token = 'cs_secret_ssr';
const html = renderToString(createElement('intent-checkout', {
  'payment-intent-id': 'pi_ssr', locale: 'en-GB', ref: (el) => { if (el) el.connectToken = token; },
}));
console.log(JSON.stringify({
  element: [typeof element.IntentCheckoutElement, typeof element.mount],
  react: typeof react.mount,
  sdk: [typeof sdk.createCheckout, typeof sdk.validateCard],
  html,
}));
