// Type-checked with `strict` and `skipLibCheck: false` in `bundler` and `nodenext` resolution: the README's
// npm snippets, typed as a merchant would write them. Every line must compile; the @ts-expect-error lines
// must not (they prove the types are narrow, not `any`).
import { createCheckout, validateCard, CheckoutError, type CheckoutEventDetail } from 'intent-checkout';
import { mount, type IntentCheckoutElement } from 'intent-checkout/element';
import type {} from 'intent-checkout/intent-checkout.js';

export async function headless(): Promise<number> {
  const checkout = await createCheckout({ apiBase: 'https://pay.example.com', paymentIntentId: 'pi_1', connectToken: 'cs_1' });
  checkout.addEventListener('succeeded', (e) => console.log(e.detail.intent.amount.value));
  const result = await checkout.pay({ number: '4242424242424242', expiryMonth: 12, expiryYear: 2034, cvc: '123', cardholderName: 'A' });
  if (result.error) return result.error instanceof CheckoutError ? 0 : 1;
  const check = await validateCard({ number: '4242' });
  return result.intent.totalAmount.value + (check.valid ? 1 : 0);
}

export function element(el: IntentCheckoutElement): void {
  el.connectToken = 'cs_1';
  el.refreshToken = async () => ({ connectToken: 'cs_2', expiresAt: '2030-01-01T00:00:00Z' });
  el.refreshToken = () => fetch('/my/refresh', { method: 'POST' }).then((r) => r.text());
  const onSucceeded = (e: CustomEvent<CheckoutEventDetail>) => {
    const minor: number = e.detail.intent.amount.value;
    console.log(minor, e.detail.canonical);
  };
  el.addEventListener('succeeded', onSucceeded);
  el.removeEventListener('succeeded', onSucceeded);
  el.addEventListener('error', (e) => console.log(e.detail.error.code, e.detail.error.declineCode));
  el.addEventListener('ready', (e) => console.log(e.detail.version, e.detail.intent?.id));
  el.addEventListener('click', (e) => console.log(e.clientX));
  // @ts-expect-error the amount is a number, not a string
  const wrong: string = (null as unknown as CustomEvent<CheckoutEventDetail>).detail.intent.amount.value;
  console.log(wrong);
  // @ts-expect-error not a dialect
  el.dialect = 'paypal';
}

export function mounted(): IntentCheckoutElement {
  const el = mount('#checkout', {
    paymentIntentId: 'pi_1',
    connectToken: 'cs_1',
    dialect: 'stripe',
    on: { succeeded: (e) => location.assign(`/thanks?amount=${e.detail.intent.amount.value}`) },
  });
  const same: IntentCheckoutElement | null = document.querySelector('intent-checkout');
  console.log(same === el);
  return el;
}

export async function scriptTag(): Promise<void> {
  const el = await window.IntentCheckout.mount('#checkout', { paymentIntentId: 'pi_1' });
  el.connectToken = 'cs_1';
  const api = await IntentCheckout.load();
  await api.validateCard({ number: '4242' });
}
