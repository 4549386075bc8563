// Each API dialect once, and each locale once: status names differ per dialect, the widget's states don't.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, openCheckout, fillCard, waitForState, snap, eventLog, cardFields, newPage, merchantOrigin, assertBooked, assertClean, FIELDS, click } from './harness.mjs';

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

const cases = [
  { dialect: 'dojo', captureMode: 'Auto', wire: 'Captured', state: 'succeeded', booked: [['charge', 2450]] },
  { dialect: 'stripe', captureMode: 'Manual', wire: 'requires_capture', state: 'authorized', booked: [['authorization', 2450]] },
  { dialect: 'setel', captureMode: 'Auto', wire: 'succeeded', state: 'succeeded', booked: [['charge', 2450]] },
];
for (const c of cases) {
  test(`dialect ${c.dialect} (${c.captureMode}): ${c.wire} shows as ${c.state}`, async () => {
    const page = await openCheckout(browser, sandbox, { dialect: c.dialect, captureMode: c.captureMode, currencyCode: 'USD', locale: 'en-US' });
    assert.equal(await page.locator('[data-testid="pay-button"]').textContent(), 'Pay $24.50');
    await fillCard(page, { number: '378282246310005', cvc: '1234' }); // Amex: 4-digit CVC, 4-6-5 grouping
    assert.equal(await cardFields(page).locator('[data-testid="card-number"]').inputValue(), '3782 822463 10005');
    assert.equal(await cardFields(page).locator('[data-testid="card-brand"]').textContent(), 'AMEX');
    await click(page.locator('[data-testid="pay-button"]'));
    await waitForState(page, c.state);
    assert.equal(await page.locator('intent-checkout').getAttribute('status'), c.wire);
    assert.match((await eventLog(page)).join('\n'), new RegExp(`"status":"${c.wire}"`));
    await assertBooked(page, sandbox, c.booked);
    await assertClean(page);
    await page.close();
  });
}

const locales = [
  { locale: 'de-DE', pay: /^24,50 € bezahlen$/, title: 'Zahlung erfolgreich', number: 'Kartennummer' },
  { locale: 'fr-FR', pay: /^Payer 24,50 €$/, title: 'Paiement réussi', number: 'Numéro de carte' },
  { locale: 'en-GB', pay: /^Pay €24\.50$/, title: 'Payment successful', number: 'Card number' },
];
for (const l of locales) {
  test(`locale ${l.locale}: labels, amounts and results in that language`, async () => {
    const page = await openCheckout(browser, sandbox, { locale: l.locale, currencyCode: 'EUR' });
    const pay = (await page.locator('[data-testid="pay-button"]').textContent()).replace(/\u00a0|\u202f/g, ' ');
    assert.match(pay, l.pay);
    assert.equal(await cardFields(page).locator('label[for="ic-number"]').textContent(), l.number);
    await fillCard(page);
    await click(page.locator('[data-testid="pay-button"]'));
    await waitForState(page, 'succeeded');
    assert.equal(await page.locator('[data-testid="result-title"]').textContent(), l.title);
    if (l.locale !== 'en-GB') await snap(page, `succeeded-${l.locale}`);
    await page.close();
  });
}

test('without a locale attribute the browser language is used', async () => {
  // A persistent context has no per-context locale; emulate the language with an init script instead
  // (in every frame: the card frame reads it too).
  const page = await newPage(browser);
  await page.addInitScript(() => Object.defineProperty(navigator, 'languages', { get: () => ['fr-FR', 'fr'] }));
  const query = new URLSearchParams({ fields: FIELDS, ...(FIELDS === 'isolated' ? { apiBase: sandbox.url } : {}) });
  await page.goto(`${merchantOrigin(sandbox)}/?${query}`);
  await click(page.locator('[data-testid="checkout-button"]'));
  await waitForState(page, 'form');
  assert.equal(await cardFields(page).locator('label[for="ic-number"]').textContent(), 'Numéro de carte');
  await page.close();
});
