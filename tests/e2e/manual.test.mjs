// Manual capture: the widget shows an authorisation, then follows what the merchant does from its server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, openCheckout, fillCard, waitForState, snap, advanceClock, call, merchantPage, strictEmbed, assertBooked, assertClean, click } from './harness.mjs';

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

async function authorise(order) {
  const page = await openCheckout(browser, sandbox, { captureMode: 'Manual', locale: 'en-GB', ...order });
  await fillCard(page);
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'authorized');
  return page;
}

test('Manual: authorised, then the merchant captures and the widget follows live', async () => {
  const page = await authorise({ amount: 1999 });
  assert.equal(await page.locator('intent-checkout').getAttribute('status'), 'Authorized');
  assert.equal(await page.locator('[data-testid="result-title"]').textContent(), 'Payment authorised');
  assert.match(await page.locator('[data-testid="result-message"]').textContent(), /£19\.99/);
  await snap(page, 'authorized');
  await click(page.locator('[data-testid="merchant-capture"]'));
  await waitForState(page, 'succeeded');
  assert.equal(await page.locator('intent-checkout').getAttribute('status'), 'Captured');
  await assertBooked(page, sandbox, [['authorization', 1999], ['capture', 1999]]);
  await assertClean(page);
  // Captured is final for the page (the SDK stops following). A later refund shows when the checkout is
  // opened again: the first snapshot decides the state.
  const id = await page.locator('intent-checkout').getAttribute('payment-intent-id');
  await page.close();
  await call(sandbox, `/demo/payment-intents/${id}/refunds`, {});
  const { clientSessionSecret } = await call(sandbox, `/demo/payment-intents/${id}/refresh-client-session-secret`);
  const again = await embed(id, clientSessionSecret);
  await waitForState(again, 'refunded');
  assert.equal(await again.locator('intent-checkout').getAttribute('status'), 'Refunded');
  assert.equal(await again.locator('[data-testid="result-title"]').textContent(), 'Payment refunded');
  await assertBooked(again, sandbox, [['authorization', 1999], ['capture', 1999], ['refund', 1999]]);
  await snap(again, 'refunded');
  await assertClean(again);
  await again.close();
});

/** The one-script-tag embed on a bare page, token as an attribute. */
async function embed(id, secret) {
  const page = await merchantPage(browser, sandbox, '/embed', strictEmbed(sandbox, `payment-intent-id="${id}" connect-token="${secret}" locale="en-GB"`));
  page.secrets.add(secret);
  return page;
}

test('Manual: the merchant reverses the authorisation', async () => {
  const page = await authorise({});
  await click(page.locator('[data-testid="merchant-reverse"]'));
  await waitForState(page, 'reversed');
  assert.equal(await page.locator('[data-testid="result-title"]').textContent(), 'Payment released');
  await assertBooked(page, sandbox, [['authorization', 2450], ['release', 2450]]);
  await snap(page, 'reversed');
  await assertClean(page);
  await page.close();
});

test('the merchant cancels before payment: canceled state', async () => {
  const page = await openCheckout(browser, sandbox, {});
  await click(page.locator('[data-testid="merchant-cancel"]'));
  await waitForState(page, 'canceled');
  assert.equal(await page.locator('[data-testid="result-title"]').textContent(), 'Payment cancelled');
  await assertBooked(page, sandbox, []);
  await snap(page, 'canceled');
  await page.close();
});

test('an authorisation that lapses (Setel) shows as expired', async () => {
  const page = await authorise({ dialect: 'setel' });
  assert.equal(await page.locator('intent-checkout').getAttribute('status'), 'authorised');
  await advanceClock(sandbox, 31 * 60); // past Setel's 30-minute hold (and the token's TTL: refreshed)
  await waitForState(page, 'expired');
  assert.equal(await page.locator('intent-checkout').getAttribute('status'), 'expired');
  assert.equal(await page.locator('[data-testid="result-title"]').textContent(), 'Payment expired');
  // The lapsed hold gave the money back.
  await assertBooked(page, sandbox, [['authorization', 2450], ['release', 2450]]);
  await snap(page, 'expired');
  // The jump also expired the token: the sandbox ends the stream it was opened with, and the page's next
  // request with it is refused before the page refreshes it (the browser logs the refused request).
  page.problems = page.problems.filter((p) => !/status of 401/.test(p));
  await assertClean(page);
  await page.close();
});
