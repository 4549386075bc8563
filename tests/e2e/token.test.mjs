// The connect token: refreshed when it expires mid-checkout, never left in the DOM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, openCheckout, fillCard, waitForState, eventLog, advanceClock, call, snap, merchantPage, strictEmbed, assertBooked, assertClean, click } from './harness.mjs';

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

test('a token that expires mid-checkout is refreshed through refreshToken and the payment goes through', async () => {
  const page = await openCheckout(browser, sandbox, { amount: 1200 });
  await fillCard(page);
  await advanceClock(sandbox, 31 * 60); // past the 30-minute token lifetime while the customer types
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'succeeded');
  const log = (await eventLog(page)).join('\n');
  assert.match(log, /token refresh requested/);
  assert.match(log, /token_refreshed/);
  await assertBooked(page, sandbox, [['charge', 1200]]);
  // Neither the first token nor the refreshed one is anywhere the page could see it.
  assert.equal(page.secrets.size, 2);
  page.problems = page.problems.filter((p) => !/status of 401/.test(p)); // the browser logs the refused request
  await assertClean(page);
  await page.close();
});

/** A bare merchant page: the one-script-tag embed with the token given as an attribute. */
async function embed(created) {
  const attrs = `payment-intent-id="${created.paymentIntentId}" connect-token="${created.clientSessionSecret}" locale="en-GB"`;
  const page = await merchantPage(browser, sandbox, '/embed', strictEmbed(sandbox, attrs));
  page.secrets.add(created.clientSessionSecret);
  await waitForState(page, 'form');
  return page;
}

test('without refreshToken an expired token ends in a clear error state', async () => {
  const created = await call(sandbox, '/demo/payment-intents', { amount: 900 });
  const page = await embed(created);
  await fillCard(page);
  await advanceClock(sandbox, 31 * 60);
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'error');
  assert.equal(await page.locator('[data-testid="result-title"]').textContent(), 'Something went wrong');
  assert.match(await page.locator('[data-testid="result-message"]').textContent(), /session has expired/);
  await snap(page, 'error-token-expired');
  await assertBooked(page, sandbox, []);
  page.problems = page.problems.filter((p) => !/status of 401/.test(p)); // the browser logs the refused request
  await assertClean(page);
  await page.close();
});

test('the token is a property: it is not in the DOM, and an attribute is read once and removed', async () => {
  const created = await call(sandbox, '/demo/payment-intents', { amount: 700 });
  const page = await embed(created);
  const html = await page.evaluate(() => {
    const el = document.querySelector('intent-checkout');
    return document.documentElement.outerHTML + el.shadowRoot.innerHTML + String(el.connectToken);
  });
  assert.equal(html.includes(created.clientSessionSecret), false, 'the secret is not in the DOM');
  assert.equal(await page.locator('intent-checkout').getAttribute('connect-token'), null);
  assert.equal(await page.locator('[data-testid="pay-button"]').textContent(), 'Pay £7.00');
  await assertClean(page);
  await page.close();
});
