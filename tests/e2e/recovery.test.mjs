// The element never strands the customer: a failed .wasm load or an unreachable API ends in an error view
// with Try again that works, a later successful load revives elements already in the page, and an element
// with no intent yet says it is waiting instead of spinning forever.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, call, waitForState, newPage, merchantOrigin, embedAttrs, click } from './harness.mjs';

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

/** A page at `path` with the script tag and `body`; `failing` requests (a glob) are refused until released. */
async function page(path, body, failing) {
  const p = await newPage(browser);
  let refuse = true;
  const refused = [];
  if (failing) {
    await p.route(failing, (route) => {
      if (!refuse) return route.continue();
      refused.push(route.request().url());
      return route.fulfill({ status: 503, body: 'unavailable' });
    });
  }
  const origin = merchantOrigin(sandbox);
  await p.route(origin + path, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><script src="/pkg/intent-checkout.js" defer></script>${body.replace('<intent-checkout', `<intent-checkout ${embedAttrs(sandbox)}`)}`,
  }));
  await p.goto(origin + path);
  return { p, release: () => (refuse = false), refused };
}

const text = (p, testid) => p.locator(`[data-testid="${testid}"]`).textContent();

test('a failed .wasm load shows Try again, and pressing it loads the module and the form', async () => {
  const created = await call(sandbox, '/demo/payment-intents', { amount: 700, currencyCode: 'GBP' });
  const { p, release, refused } = await page('/wasm-retry',
    `<intent-checkout locale="en-GB" payment-intent-id="${created.paymentIntentId}" connect-token="${created.clientSessionSecret}"></intent-checkout>`,
    '**/intent_checkout_bg.wasm');
  await waitForState(p, 'error');
  assert.ok(refused.length >= 1, 'the .wasm request was refused');
  assert.match(await text(p, 'result-message'), /could not load.*try again/i);
  assert.equal(await p.locator('[data-testid="retry-button"]').isVisible(), true);
  release();
  await click(p.locator('[data-testid="retry-button"]'));
  await waitForState(p, 'form');
  assert.equal(await text(p, 'pay-button'), 'Pay £7.00');
  await p.close();
});

test('after a failed load, a later IntentCheckout.load() revives an element already in the page', async () => {
  const created = await call(sandbox, '/demo/payment-intents', { amount: 900, currencyCode: 'GBP' });
  const { p, release } = await page('/wasm-later',
    `<intent-checkout locale="en-GB" payment-intent-id="${created.paymentIntentId}" connect-token="${created.clientSessionSecret}"></intent-checkout>`,
    '**/intent_checkout_bg.wasm');
  await waitForState(p, 'error');
  release();
  await p.evaluate(() => window.IntentCheckout.load());
  await waitForState(p, 'form');
  assert.equal(await text(p, 'pay-button'), 'Pay £9.00');
  await p.close();
});

test('an unreachable API ends in an error with Try again, which starts the checkout with the same token', async () => {
  const created = await call(sandbox, '/demo/payment-intents', { amount: 1100, currencyCode: 'GBP' });
  const { p, release, refused } = await page('/no-api',
    `<intent-checkout locale="en-GB" payment-intent-id="${created.paymentIntentId}" connect-token="${created.clientSessionSecret}"></intent-checkout>`,
    '**/payment-intents/public/**');
  await waitForState(p, 'error');
  assert.ok(refused.length >= 1, 'the intent GET was refused');
  assert.equal(await p.locator('[data-testid="retry-button"]').isVisible(), true);
  assert.equal(await text(p, 'retry-button'), 'Try again');
  release();
  await click(p.locator('[data-testid="retry-button"]'));
  await waitForState(p, 'form');
  assert.equal(await text(p, 'pay-button'), 'Pay £11.00');
  await p.close();
});

test('an element with no intent id says it is waiting, with no spinner', async () => {
  const { p } = await page('/no-intent', '<intent-checkout locale="en-GB"></intent-checkout>');
  await waitForState(p, 'waiting');
  assert.equal(await text(p, 'loading'), 'Waiting for the payment details…');
  assert.equal(await p.locator('[data-testid="loading"] .icon').count(), 1);
  assert.equal(await p.locator('[data-testid="loading"] .icon').isVisible(), false);
  assert.equal(await p.locator('[data-testid="loading"]').isVisible(), true);
  await p.close();
});
