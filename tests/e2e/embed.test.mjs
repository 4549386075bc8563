// The other ways in: the npm entry (`intent-checkout/element`) with mount(), and properties set on the
// element before its script has loaded (the custom-element upgrade path).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, call, fillCard, waitForState, merchantPage, embedAttrs, assertBooked, assertClean, FIELDS, click } from './harness.mjs';

let sandbox;
let browser;
before(async () => {
  sandbox = await startSandbox();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

// Merchant pages on the merchant origin (another origin than the API when the fields are isolated).
const page = (path, html, files = {}) => merchantPage(browser, sandbox, path, html, files);

test('npm entry: import { mount } from the element module, listeners from `on`, pay to success', async () => {
  const created = await call(sandbox, '/demo/payment-intents', { amount: 1500, currencyCode: 'EUR' });
  const app = `
    import { mount, IntentCheckoutElement, createCheckout } from '/pkg/element.js';
    window.__events = [];
    const el = mount('#here', {
      paymentIntentId: ${JSON.stringify(created.paymentIntentId)},
      connectToken: ${JSON.stringify(created.clientSessionSecret)},
      locale: 'de-DE',
      apiBase: ${JSON.stringify(sandbox.url)},
      fields: ${JSON.stringify(FIELDS)},
      on: { ready: (e) => __events.push('ready ' + e.detail.canonical), succeeded: () => __events.push('succeeded') },
    });
    window.__kind = [el instanceof IntentCheckoutElement, typeof createCheckout];`;
  const p = await page('/npm', `<!doctype html><div id="here"></div><script type="module" src="/app.js"></script>`, { '/app.js': app });
  await waitForState(p, 'form');
  assert.deepEqual(await p.evaluate(() => window.__kind), [true, 'function']);
  assert.match((await p.locator('[data-testid="pay-button"]').textContent()).replace(/\s/g, ' '), /15,00 € bezahlen/);
  await fillCard(p);
  await click(p.locator('[data-testid="pay-button"]'));
  await waitForState(p, 'succeeded');
  assert.deepEqual(await p.evaluate(() => window.__events), ['ready requires_payment_method', 'succeeded']);
  await assertBooked(p, sandbox, [['charge', 1500]]);
  p.secrets.add(created.clientSessionSecret);
  await assertClean(p);
  await p.close();
});

test('properties set before the element is defined are picked up when it upgrades', async () => {
  const created = await call(sandbox, '/demo/payment-intents', { amount: 300 });
  // The page script runs first; the checkout's script tag is added afterwards.
  const early = `
    const el = document.querySelector('intent-checkout');
    el.apiBase = ${JSON.stringify(sandbox.url)};
    el.fields = ${JSON.stringify(FIELDS)};
    el.paymentIntentId = ${JSON.stringify(created.paymentIntentId)};
    el.connectToken = ${JSON.stringify(created.clientSessionSecret)};
    el.refreshToken = () => Promise.resolve('unused');
    const s = document.createElement('script');
    s.src = '/pkg/intent-checkout.js';
    document.head.append(s);`;
  const p = await page('/early', `<!doctype html><intent-checkout locale="en-GB"></intent-checkout><script src="/early.js"></script>`, { '/early.js': early });
  await waitForState(p, 'form');
  assert.equal(await p.locator('[data-testid="pay-button"]').textContent(), 'Pay £3.00');
  const own = await p.evaluate(() => {
    const el = document.querySelector('intent-checkout');
    return [Object.hasOwn(el, 'connectToken'), el.connectToken, typeof el.refreshToken];
  });
  assert.deepEqual(own, [false, undefined, 'function']);
  p.secrets.add(created.clientSessionSecret);
  await assertClean(p);
  await p.close();
});

test('an intent the API does not know ends in the error state with an `error` event, not a broken form', async () => {
  const p = await page('/bogus', `<!doctype html><script src="/pkg/intent-checkout.js" defer></script><script src="/listen.js"></script>
<intent-checkout ${embedAttrs(sandbox)} payment-intent-id="pi_does_not_exist" connect-token="cs_nope" locale="en-GB"></intent-checkout>`, {
    '/listen.js': `window.__errors = []; document.addEventListener('error', (e) => __errors.push(e.detail?.error?.code));`,
  });
  await waitForState(p, 'error');
  assert.equal(await p.locator('[data-testid="result-title"]').textContent(), 'Something went wrong');
  assert.equal(await p.locator('[data-testid="checkout-form"]').isVisible(), false);
  const codes = await p.evaluate(() => window.__errors);
  assert.equal(codes.length >= 1, true);
  assert.ok(codes.every((c) => ['api_error', 'token_expired', 'validation_error', 'network_error'].includes(c)), codes.join());
  await p.close();
});
