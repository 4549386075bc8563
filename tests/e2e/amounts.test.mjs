// Tips and a customer-chosen amount: shown only when the intent allows them, and the total follows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, openCheckout, fillCard, waitForState, snap, assertBooked, assertClean, click } from './harness.mjs';

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

const text = (page, id) => page.locator(`[data-testid="${id}"]`).textContent();

test('no tip or amount inputs unless the intent allows them', async () => {
  const page = await openCheckout(browser, sandbox, { amount: 1000 });
  assert.equal(await page.locator('[data-testid="tip-input"]').isVisible(), false);
  assert.equal(await page.locator('[data-testid="amount-input"]').isVisible(), false);
  assert.equal(await page.locator('[data-testid="tip-10"]').isVisible(), false);
  await page.close();
});

test('tips: a preset and a custom tip update the total and the Pay button', async () => {
  const page = await openCheckout(browser, sandbox, { amount: 2000, currencyCode: 'EUR', locale: 'en-GB', tipsAllowed: true });
  assert.equal(await text(page, 'total'), '€20.00');
  await click(page.locator('[data-testid="tip-15"]'));
  await page.locator('[data-testid="total"]', { hasText: '€23.00' }).waitFor();
  assert.equal(await page.locator('[data-testid="tip-15"]').getAttribute('aria-pressed'), 'true');
  assert.equal(await text(page, 'tip-amount'), '€3.00');
  await page.locator('[data-testid="tip-input"]').fill('2.50');
  await page.locator('[data-testid="tip-input"]').press('Tab');
  await page.locator('[data-testid="total"]', { hasText: '€22.50' }).waitFor();
  assert.equal(await text(page, 'pay-button'), 'Pay €22.50');
  await snap(page, 'tips');
  await fillCard(page);
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'succeeded');
  assert.match(await text(page, 'result-message'), /€22\.50/);
  const intent = await page.locator('intent-checkout').evaluate((el) => el.intent);
  assert.equal(intent.totalAmount.value, 2250);
  // One charge of the amount with the tip, in the intent's currency.
  await assertBooked(page, sandbox, [['charge', 2250]]);
  await assertClean(page);
  await page.close();
});

test('custom amount: the customer sets what to pay; a bad amount is refused inline', async () => {
  const page = await openCheckout(browser, sandbox, { amount: 1000, locale: 'en-GB', customAmountAllowed: true });
  const input = page.locator('[data-testid="amount-input"]');
  await input.fill('abc');
  await input.press('Tab');
  assert.notEqual((await text(page, 'amount-input-error')).trim(), '');
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  await input.fill('42.10');
  await input.press('Tab');
  await page.locator('[data-testid="total"]', { hasText: '£42.10' }).waitFor();
  assert.equal((await text(page, 'amount-input-error')).trim(), '');
  await fillCard(page);
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'succeeded');
  assert.match(await text(page, 'result-message'), /£42\.10/);
  const intent = await page.locator('intent-checkout').evaluate((el) => el.intent);
  assert.equal(intent.totalAmount.value, 4210);
  await assertBooked(page, sandbox, [['charge', 4210]]);
  await assertClean(page);
  await page.close();
});
