// Manual capture: the widget shows an authorisation, then follows what the merchant does from its server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, openCheckout, fillCard, waitForState, snap, cspViolations, advanceClock } from './harness.mjs';

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
  await page.locator('[data-testid="pay-button"]').click();
  await waitForState(page, 'authorized');
  return page;
}

test('Manual: authorised, then the merchant captures and the widget follows live', async () => {
  const page = await authorise({ amount: 1999 });
  assert.equal(await page.locator('intent-checkout').getAttribute('status'), 'Authorized');
  assert.equal(await page.locator('[data-testid="result-title"]').textContent(), 'Payment authorised');
  assert.match(await page.locator('[data-testid="result-message"]').textContent(), /£19\.99/);
  await snap(page, 'authorized');
  await page.locator('[data-testid="merchant-capture"]').click();
  await waitForState(page, 'succeeded');
  assert.equal(await page.locator('intent-checkout').getAttribute('status'), 'Captured');
  // ...and a refund after that shows as refunded.
  await page.locator('[data-testid="merchant-refund"]').click();
  await waitForState(page, 'refunded');
  await snap(page, 'refunded');
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('Manual: the merchant reverses the authorisation', async () => {
  const page = await authorise({});
  await page.locator('[data-testid="merchant-reverse"]').click();
  await waitForState(page, 'reversed');
  assert.equal(await page.locator('[data-testid="result-title"]').textContent(), 'Payment released');
  await snap(page, 'reversed');
  await page.close();
});

test('the merchant cancels before payment: canceled state', async () => {
  const page = await openCheckout(browser, sandbox, {});
  await page.locator('[data-testid="merchant-cancel"]').click();
  await waitForState(page, 'canceled');
  assert.equal(await page.locator('[data-testid="result-title"]').textContent(), 'Payment cancelled');
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
  await snap(page, 'expired');
  await page.close();
});
