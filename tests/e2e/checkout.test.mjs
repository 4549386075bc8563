// The card flows a customer meets most: success, declines (with a fresh-token retry), async settlement.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, openCheckout, fillCard, waitForState, snap, eventLog, advanceClock, assertBooked, assertClean, CARDS, cardFields, GUARD_MS, click } from './harness.mjs';

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

const shadowText = (page, testid) => page.locator(`[data-testid="${testid}"]`).textContent();

/** The result the widget shows is what the sandbox booked, and nothing leaked on the way. */
async function finish(page, booked) {
  await assertBooked(page, sandbox, booked);
  await assertClean(page);
  await page.close();
}

test('success: the total is on the Pay button, the card is formatted, Auto capture ends succeeded', async () => {
  const page = await openCheckout(browser, sandbox, { amount: 2450, currencyCode: 'GBP', locale: 'en-GB' });
  assert.equal(await shadowText(page, 'pay-button'), 'Pay £24.50');
  await fillCard(page);
  assert.equal(await cardFields(page).locator('[data-testid="card-number"]').inputValue(), '4242 4242 4242 4242');
  assert.equal(await cardFields(page).locator('[data-testid="card-expiry"]').inputValue(), '12 / 34');
  assert.equal(await cardFields(page).locator('[data-testid="card-brand"]').textContent(), 'VISA');
  await snap(page, 'form-filled');
  const paying = page.locator('[data-testid="pay-button"]');
  await click(paying);
  await waitForState(page, 'succeeded');
  assert.equal(await shadowText(page, 'result-title'), 'Payment successful');
  assert.match(await shadowText(page, 'result-message'), /£24\.50 has been paid/);
  assert.equal(await page.locator('intent-checkout').getAttribute('status'), 'Captured');
  // Status changes are announced; events bubble out of the element to the page's log.
  assert.match(await shadowText(page, 'announcer'), /Payment successful/);
  const log = (await eventLog(page)).join('\n');
  assert.match(log, /succeeded/);
  await snap(page, 'succeeded');
  await finish(page, [['charge', 2450]]);
});

test('the Pay button is disabled while the payment is in flight', async () => {
  const page = await openCheckout(browser, sandbox, { amount: 500, dialect: 'stripe' });
  await fillCard(page, { number: CARDS.async });
  // Hold the payment request so the in-flight state can be observed.
  let release;
  const held = new Promise((r) => (release = r));
  await page.route('**/payments', async (route) => {
    await held;
    await route.continue();
  });
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'paying');
  assert.equal(await page.locator('[data-testid="pay-button"]').isDisabled(), true);
  assert.equal(await page.locator('[data-testid="pay-button"]').getAttribute('aria-busy'), 'true');
  release();
  await waitForState(page, 'processing');
  await page.unroute('**/payments');
  await advanceClock(sandbox, 10);
  await waitForState(page, 'succeeded');
  await finish(page, [['charge', 500]]);
});

test('inline errors show on blur and on submit, tied to the inputs with aria-describedby', async () => {
  const page = await openCheckout(browser, sandbox);
  const number = cardFields(page).locator('[data-testid="card-number"]');
  await number.pressSequentially('4242424242424241'); // fails the Luhn check
  await cardFields(page).locator('[data-testid="card-expiry"]').focus(); // blur
  const err = cardFields(page).locator('[data-testid="card-number-error"]');
  assert.notEqual((await err.textContent()).trim(), '');
  assert.equal(await number.getAttribute('aria-invalid'), 'true');
  assert.equal(await number.getAttribute('aria-describedby'), await err.getAttribute('id'));
  // Untouched fields stay quiet until submit; then every problem shows (the core checks all fields at
  // once) and focus goes to the first field with a problem.
  assert.equal((await cardFields(page).locator('[data-testid="card-cvc-error"]').textContent()).trim(), '');
  await click(page.locator('[data-testid="pay-button"]'));
  await cardFields(page).locator('[data-testid="card-name-error"]:not(:empty)').waitFor();
  assert.equal(await cardFields(page).locator('[data-testid="card-expiry-error"]').textContent(), 'Enter the expiry date.');
  assert.equal(await cardFields(page).locator('[data-testid="card-cvc-error"]').textContent(), 'Enter the security code.');
  assert.equal(await cardFields(page).locator('[data-testid="card-name-error"]').textContent(), 'Enter the name on your card.');
  assert.equal(await page.locator('intent-checkout').getAttribute('state'), 'form');
  assert.equal(await number.evaluate((el) => el.getRootNode().activeElement === el), true);
  await snap(page, 'form-errors');
  // Fixing the number clears its error; a short CVC is reported on submit.
  await number.fill('');
  await number.pressSequentially('4242424242424242');
  await cardFields(page).locator('[data-testid="card-expiry"]').pressSequentially('1234');
  await cardFields(page).locator('[data-testid="card-cvc"]').pressSequentially('12');
  await cardFields(page).locator('[data-testid="card-name"]').fill('Ada Lovelace');
  assert.equal((await err.textContent()).trim(), '');
  await click(page.locator('[data-testid="pay-button"]'));
  const cvcErr = cardFields(page).locator('[data-testid="card-cvc-error"]');
  await cardFields(page).locator('[data-testid="card-cvc-error"]:not(:empty)').waitFor();
  assert.equal(await cardFields(page).locator('[data-testid="card-cvc"]').getAttribute('aria-describedby'), await cvcErr.getAttribute('id'));
  assert.equal(await page.locator('intent-checkout').getAttribute('state'), 'form');
  await finish(page, []);
});

test('insufficient funds: a declined state with the reason', async () => {
  const page = await openCheckout(browser, sandbox);
  await fillCard(page, { number: CARDS.insufficient });
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'declined');
  assert.equal(await shadowText(page, 'result-title'), 'Payment declined');
  assert.match(await shadowText(page, 'result-message'), /insufficient funds/);
  await snap(page, 'declined-insufficient-funds');
  await finish(page, []);
});

test('decline, then Try again starts a new attempt with a fresh token and succeeds', async () => {
  const page = await openCheckout(browser, sandbox);
  const refreshes = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/refresh-client-session-secret')) refreshes.push(r.url());
  });
  await fillCard(page, { number: CARDS.decline });
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'declined');
  assert.match(await shadowText(page, 'result-message'), /declined/);
  await snap(page, 'declined');
  await click(page.locator('[data-testid="retry-button"]'));
  await waitForState(page, 'form');
  assert.equal(refreshes.length, 1, 'Try again fetched a fresh token');
  // The number and CVC were cleared for another card. With isolated fields the frame clears them when the
  // page's reset message reaches it (in the frame's process, after the state changed): wait for it.
  const number = cardFields(page).locator('[data-testid="card-number"]');
  for (const guard = Date.now() + GUARD_MS; (await number.inputValue()) !== ''; ) {
    assert.ok(Date.now() < guard, 'the number was never cleared');
  }
  await cardFields(page).locator('[data-testid="card-number"]').pressSequentially(CARDS.mastercard);
  await cardFields(page).locator('[data-testid="card-cvc"]').pressSequentially('123');
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'succeeded');
  await finish(page, [['charge', 2450]]);
});

test('async settlement (Stripe-like `processing`): processing, then succeeded when the sandbox settles', async () => {
  const page = await openCheckout(browser, sandbox, { dialect: 'stripe' });
  await fillCard(page, { number: CARDS.async });
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'processing');
  assert.equal(await shadowText(page, 'result-title'), 'Payment processing');
  assert.equal(await page.locator('intent-checkout').getAttribute('status'), 'processing');
  await snap(page, 'processing');
  await advanceClock(sandbox, 10); // past the settle delay, no real wait
  await waitForState(page, 'succeeded');
  await finish(page, [['charge', 2450]]);
});

test('async settlement in Dojo (no processing status on the wire): in flight until Captured', async () => {
  const page = await openCheckout(browser, sandbox, { dialect: 'dojo' });
  await fillCard(page, { number: CARDS.async });
  await click(page.locator('[data-testid="pay-button"]'));
  await page.locator('intent-checkout[state="paying"], intent-checkout[state="processing"]').waitFor();
  assert.equal(await page.locator('intent-checkout').getAttribute('status'), 'Created');
  await advanceClock(sandbox, 10);
  await waitForState(page, 'succeeded');
  assert.equal(await page.locator('intent-checkout').getAttribute('status'), 'Captured');
  await finish(page, [['charge', 2450]]);
});

test('a processing error (500) leaves the form usable with a message', async () => {
  const page = await openCheckout(browser, sandbox);
  await fillCard(page, { number: CARDS.processingError });
  await click(page.locator('[data-testid="pay-button"]'));
  await page.locator('[data-testid="form-error"]:not(:empty)').waitFor();
  assert.equal(await page.locator('intent-checkout').getAttribute('state'), 'form');
  assert.equal(await page.locator('[data-testid="pay-button"]').isDisabled(), false);
  page.problems = page.problems.filter((p) => !/status of 500/.test(p)); // the browser logs the 500 itself
  await finish(page, []);
});
