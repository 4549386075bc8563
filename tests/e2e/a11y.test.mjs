// Keyboard-only checkout, labels and announcements.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, openCheckout, waitForState, cardFields, focusOn, axeViolations, fillCard, snap, merchantPage, strictEmbed, assertClean, CARDS, FIELDS, click, checkBox } from './harness.mjs';

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

test('every input has a label and an error slot tied by aria-describedby', async () => {
  const page = await openCheckout(browser, sandbox, { tipsAllowed: true, customAmountAllowed: true });
  // Each input's label and error slot live next to it: in the shadow root, or in the card frame.
  const own = await page.locator('intent-checkout').evaluate((el) => [...el.shadowRoot.querySelectorAll('input')].map((i) => ({
    id: i.dataset.testid, label: i.labels?.[0]?.textContent ?? '', autocomplete: i.getAttribute('autocomplete'),
    target: !!el.shadowRoot.getElementById(i.getAttribute('aria-describedby')),
  })));
  const card = page.fields === 'inline' ? [] : await cardFields(page).locator('body').evaluate((b) => [...b.querySelectorAll('input')].map((i) => ({
    id: i.dataset.testid, label: i.labels?.[0]?.textContent ?? '', autocomplete: i.getAttribute('autocomplete'),
    target: !!document.getElementById(i.getAttribute('aria-describedby')),
  })));
  const report = [...own, ...card];
  // Amount, tip, "save this card" (shown with a customer) and the four card fields.
  assert.equal(report.length, 7);
  // Browser autofill needs the cc-* tokens.
  const auto = Object.fromEntries(report.map((r) => [r.id, r.autocomplete]));
  assert.deepEqual([auto['card-number'], auto['card-expiry'], auto['card-cvc'], auto['card-name']], ['cc-number', 'cc-exp', 'cc-csc', 'cc-name']);
  for (const r of report) {
    assert.notEqual(r.label.trim(), '', `${r.id} is labelled`);
    assert.equal(r.target, true, `${r.id} describedby target exists`);
  }
  const live = await page.locator('[data-testid="announcer"]').evaluate((el) => [el.getAttribute('role'), el.getAttribute('aria-live')]);
  assert.deepEqual(live, ['status', 'polite']);
  await page.close();
});

test('keyboard only: Tab through the fields, type, Enter to pay, focus lands on the result', async () => {
  const page = await openCheckout(browser, sandbox, { locale: 'en-GB' });
  // From the Checkout button, Tab into the widget's first field.
  await page.locator('[data-testid="checkout-button"]').focus();
  await page.keyboard.press('Tab');
  await focusOn(page, 'card-number');
  await page.keyboard.type('4242424242424242');
  await page.keyboard.press('Tab');
  await focusOn(page, 'card-expiry');
  await page.keyboard.type('1234');
  await page.keyboard.press('Tab');
  await focusOn(page, 'card-cvc');
  await page.keyboard.type('123');
  await page.keyboard.press('Tab');
  await focusOn(page, 'card-name');
  await page.keyboard.type('Grace Hopper');
  await page.keyboard.press('Tab');
  await focusOn(page, 'pay-button');
  await page.keyboard.press('Enter');
  await waitForState(page, 'succeeded');
  await focusOn(page, 'result-title');
  assert.match(await page.locator('[data-testid="announcer"]').textContent(), /Payment successful/);
  await page.close();
});

test('keyboard only through 3-D Secure: the challenge gets focus, Tab reaches its buttons, Enter approves', async () => {
  const page = await openCheckout(browser, sandbox, { locale: 'en-GB' });
  await page.bringToFront(); // the focused tab: focus moves into other origins' frames only in the focused page
  await cardFields(page).locator('[data-testid="card-number"]').focus();
  await page.keyboard.type('4000000000003220');
  await page.keyboard.press('Tab');
  await page.keyboard.type('1234');
  await page.keyboard.press('Tab');
  await page.keyboard.type('123');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Grace Hopper');
  await page.keyboard.press('Enter'); // pays from the last field (the frame passes Enter to the page)
  await waitForState(page, 'action');
  const frame = page.frameLocator('[data-testid="challenge-frame"]');
  await frame.locator('[data-testid="challenge-approve"]').waitFor();
  // The dialog holds focus until the challenge page has loaded, then the frame takes it.
  await focusOn(page, 'challenge-frame');
  const challenge = () => page.frames().find((f) => f.url().includes('/challenge/'));
  await page.keyboard.press('Tab');
  // Tab moves into the challenge, onto Approve (the challenge is another origin's frame: awaited).
  await focusOn(page, 'challenge-approve', () => challenge().evaluate(() => document.activeElement?.dataset?.testid ?? document.activeElement?.tagName));
  await page.keyboard.press('Enter');
  await waitForState(page, 'succeeded');
  await focusOn(page, 'result-title');
  await page.close();
});

/** A merchant server's call: Basic auth with the secret key and Dojo's `version` header. */
async function merchant(method, path, body) {
  const res = await fetch(sandbox.url + path, {
    method,
    headers: { authorization: `Basic ${sandbox.secretKey}`, version: '2025-09-10', 'content-type': 'application/json' },
    body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
  });
  const json = await res.json().catch(() => ({}));
  assert.ok(res.ok, `${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Saves card `number` for `customer` as a setup intent's page would (the public confirm, with consent). */
async function saveCard(customer, number) {
  const si = await merchant('POST', '/setup-intents', {
    reference: 'Keyboard', merchantInitiatedTransactionType: 'Unscheduled', terms: 'Charged for later orders.', intendedAmount: { value: 100, currencyCode: 'GBP' }, customer: { id: customer },
  });
  const r = await fetch(`${sandbox.url}/setup-intents/public/${si.id}/confirm`, {
    method: 'POST',
    headers: { authorization: `Bearer ${si.clientSessionSecret}`, 'content-type': 'application/json', 'idempotency-key': `k-${si.id}` },
    body: JSON.stringify({ paymentMethod: { card: { number, expiryMonth: 12, expiryYear: 2034, cvc: '123', cardholderName: 'Ada' } }, mitConsentGiven: true }),
  });
  assert.equal(r.status, 200, await r.text());
}

test('keyboard only with saved cards: arrow to the card that asks for its CVC, Tab into its frame, type it, Tab to Pay, Enter pays', { skip: FIELDS === 'inline' ? 'isolated fields only: inline fields cannot take a saved card\'s CVC' : false }, async () => {
  const customer = (await merchant('POST', '/customers', { name: 'Ada', emailAddress: 'ada@example.com' })).id;
  await saveCard(customer, CARDS.success);
  await saveCard(customer, CARDS.cvcAgain);
  const { secret } = await merchant('POST', `/customers/${customer}/create-secret`);
  const pi = await merchant('POST', '/payment-intents', { amount: { value: 1900, currencyCode: 'GBP' }, reference: 'Keyboard', customer: { id: customer } });
  const page = await merchantPage(browser, sandbox, '/keyboard',
    strictEmbed(sandbox, `payment-intent-id="${pi.id}" customer-id="${customer}" locale="en-GB"`)
      .replace('<intent-checkout', '<button data-testid="before">Back to the basket</button><intent-checkout') + '<script src="/secrets.js"></script>',
    { '/secrets.js': `const el = document.querySelector('intent-checkout'); el.customerSecret = ${JSON.stringify(secret)}; el.connectToken = ${JSON.stringify(pi.clientSessionSecret)};` });
  page.secrets.add(pi.clientSessionSecret).add(secret);
  await page.bringToFront(); // focus moves into another origin's frame only in the focused page
  await waitForState(page, 'form');
  const rows = page.locator('intent-checkout [data-testid="saved-card"]');
  for (const guard = Date.now() + 60_000; (await rows.count()) !== 2; ) assert.ok(Date.now() < guard, 'the saved cards were never listed');
  // The first card (no CVC needed) is chosen; Tab from the page reaches the list on it.
  await page.locator('[data-testid="before"]').focus();
  await page.keyboard.press('Tab');
  await focusOn(page, 'saved-card-radio');
  await page.keyboard.press('ArrowDown');
  assert.deepEqual(await page.locator('intent-checkout [data-testid="saved-card-radio"]').evaluateAll((els) => els.map((e) => e.checked)), [false, true]);
  // Its security code in the CVC-only frame: after the chosen card's Remove, Tab lands in the frame's field.
  await page.frameLocator('[data-testid="cvc-frame"]').locator('[data-testid="card-cvc"]').waitFor();
  await page.keyboard.press('Tab');
  await focusOn(page, 'saved-card-remove');
  assert.equal(await page.locator('intent-checkout').evaluate((el) => el.shadowRoot.activeElement.getAttribute('aria-label')), 'Remove Visa ending 0101, expires 12/34');
  await page.keyboard.press('Tab');
  await focusOn(page, 'card-cvc');
  // Shift+Tab leaves the frame backwards, Tab comes back.
  await page.keyboard.press('Shift+Tab');
  await focusOn(page, 'saved-card-remove');
  await page.keyboard.press('Tab');
  await focusOn(page, 'card-cvc');
  // Past the empty field to Pay: Enter is refused in the frame, which takes focus back to the field.
  await page.keyboard.press('Tab');
  await focusOn(page, 'pay-button');
  await page.keyboard.press('Enter');
  await focusOn(page, 'card-cvc');
  const cvc = page.frameLocator('[data-testid="cvc-frame"]').locator('[data-testid="card-cvc"]');
  assert.equal(await cvc.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('intent-checkout').getAttribute('state'), 'form');
  await page.keyboard.type('123');
  await page.keyboard.press('Tab');
  await focusOn(page, 'pay-button');
  assert.deepEqual(await axeViolations(page), []);
  await page.keyboard.press('Enter');
  await waitForState(page, 'succeeded');
  await focusOn(page, 'result-title');
  assert.match(await page.locator('[data-testid="announcer"]').textContent(), /Payment successful/);
  assert.equal((await merchant('GET', `/payment-intents/${pi.id}`)).paymentDetails.card.cardNumber, '400000****0101');
  await assertClean(page);
  await page.close();
});

test('keyboard only with a saved card declined by 3-D Secure: Try again returns focus to the chosen card, Enter pays again', async () => {
  const customer = (await merchant('POST', '/customers', { name: 'Ada', emailAddress: 'ada@example.com' })).id;
  // A card that asks for 3-D Secure each time is saved through a setup intent's challenge.
  const si = await merchant('POST', '/setup-intents', {
    reference: 'Keyboard', merchantInitiatedTransactionType: 'Unscheduled', terms: 'Charged for later orders.', intendedAmount: { value: 100, currencyCode: 'GBP' }, customer: { id: customer },
  });
  const setup = await merchantPage(browser, sandbox, '/keyboard-setup',
    strictEmbed(sandbox, `setup-intent-id="${si.id}" locale="en-GB"`) + '<script src="/token.js"></script>',
    { '/token.js': `document.querySelector('intent-checkout').connectToken = ${JSON.stringify(si.clientSessionSecret)};` });
  await waitForState(setup, 'form');
  await checkBox(setup.locator('intent-checkout [data-testid="save-card"]'));
  await fillCard(setup, { number: CARDS.threeDS });
  await click(setup.locator('intent-checkout [data-testid="pay-button"]'));
  await waitForState(setup, 'action');
  await click(setup.frameLocator('[data-testid="challenge-frame"]').locator('[data-testid="challenge-approve"]'));
  await waitForState(setup, 'saved');
  await setup.close();
  const { secret } = await merchant('POST', `/customers/${customer}/create-secret`);
  const pi = await merchant('POST', '/payment-intents', { amount: { value: 2300, currencyCode: 'GBP' }, reference: 'Keyboard', customer: { id: customer } });
  const page = await merchantPage(browser, sandbox, '/keyboard-retry',
    strictEmbed(sandbox, `payment-intent-id="${pi.id}" customer-id="${customer}" locale="en-GB"`) + '<script src="/secrets.js"></script>',
    { '/secrets.js': `const el = document.querySelector('intent-checkout'); el.customerSecret = ${JSON.stringify(secret)}; el.connectToken = ${JSON.stringify(pi.clientSessionSecret)};` });
  page.secrets.add(pi.clientSessionSecret).add(secret);
  await page.bringToFront();
  await waitForState(page, 'form');
  await page.locator('intent-checkout [data-testid="saved-card"]').waitFor();
  await page.locator('intent-checkout [data-testid="pay-button"]').focus();
  await page.keyboard.press('Enter');
  await waitForState(page, 'action');
  const frame = page.frameLocator('[data-testid="challenge-frame"]');
  await click(frame.locator('[data-testid="challenge-fail"]'));
  await waitForState(page, 'declined');
  await focusOn(page, 'result-title');
  await page.keyboard.press('Tab');
  await focusOn(page, 'retry-button');
  await page.keyboard.press('Enter');
  await waitForState(page, 'form');
  // The saved card is still chosen and has focus (the card fields are hidden: focus must not go there).
  await focusOn(page, 'saved-card-radio');
  assert.equal(await page.locator('intent-checkout [data-testid="saved-card-radio"]').isChecked(), true);
  await page.keyboard.press('Tab'); // its Remove
  await page.keyboard.press('Tab');
  await focusOn(page, 'pay-button');
  await page.keyboard.press('Enter');
  await waitForState(page, 'action');
  await click(frame.locator('[data-testid="challenge-approve"]'));
  await waitForState(page, 'succeeded');
  await assertClean(page);
  await page.close();
});

test('axe-core finds no violations: the form, its errors, 3-D Secure and every result state', async () => {
  const check = async (page, what) => assert.deepEqual(await axeViolations(page), [], what);
  const page = await openCheckout(browser, sandbox, { locale: 'en-GB', tipsAllowed: true });
  await check(page, 'form');
  await click(page.locator('[data-testid="pay-button"]'));
  await cardFields(page).locator('[data-testid="card-name-error"]:not(:empty)').waitFor();
  await check(page, 'form with errors');
  await cardFields(page).locator('[data-testid="card-number"]').fill('');
  await fillCard(page, { number: CARDS.threeDS });
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'action');
  await page.frameLocator('[data-testid="challenge-frame"]').locator('[data-testid="challenge-fail"]').waitFor();
  await check(page, '3-D Secure');
  await click(page.frameLocator('[data-testid="challenge-frame"]').locator('[data-testid="challenge-fail"]'));
  await waitForState(page, 'declined');
  await check(page, 'declined');
  await page.close();
  for (const [order, card, state] of [
    [{}, CARDS.success, 'succeeded'],
    [{ captureMode: 'Manual' }, CARDS.success, 'authorized'],
    [{ dialect: 'stripe' }, CARDS.async, 'processing'],
  ]) {
    const p = await openCheckout(browser, sandbox, { locale: 'en-GB', ...order });
    await fillCard(p, { number: card });
    await click(p.locator('[data-testid="pay-button"]'));
    await waitForState(p, state);
    await check(p, state);
    await p.close();
  }
  for (const [action, state] of [['merchant-cancel', 'canceled']]) {
    const p = await openCheckout(browser, sandbox, { locale: 'en-GB' });
    await click(p.locator(`[data-testid="${action}"]`));
    await waitForState(p, state);
    await check(p, state);
    await p.close();
  }
});
