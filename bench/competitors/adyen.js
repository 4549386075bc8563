// Adyen Web v6, Components flow: the core and the Card component only (tree-shaken ES build).
// Not counted: the secured-fields iframes (card number, expiry, CVC) Adyen loads from its CDN at run time.
import { AdyenCheckout, Card } from '@adyen/adyen-web';
import '@adyen/adyen-web/styles/adyen.css';

export async function mount(el, session) {
  const checkout = await AdyenCheckout({ environment: 'test', clientKey: session.clientKey, session });
  return new Card(checkout).mount(el);
}
