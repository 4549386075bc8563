// Keyboard-only checkout, labels and announcements.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, openCheckout, waitForState, cardFields, focusOn, axeViolations, fillCard, snap, CARDS } from './harness.mjs';

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

test('axe-core finds no violations: the form, its errors, 3-D Secure and every result state', async () => {
  const check = async (page, what) => assert.deepEqual(await axeViolations(page), [], what);
  const page = await openCheckout(browser, sandbox, { locale: 'en-GB', tipsAllowed: true });
  await check(page, 'form');
  await page.locator('[data-testid="pay-button"]').click();
  await cardFields(page).locator('[data-testid="card-name-error"]:not(:empty)').waitFor();
  await check(page, 'form with errors');
  await cardFields(page).locator('[data-testid="card-number"]').fill('');
  await fillCard(page, { number: CARDS.threeDS });
  await page.locator('[data-testid="pay-button"]').click();
  await waitForState(page, 'action');
  await page.frameLocator('[data-testid="challenge-frame"]').locator('[data-testid="challenge-fail"]').waitFor();
  await check(page, '3-D Secure');
  await page.frameLocator('[data-testid="challenge-frame"]').locator('[data-testid="challenge-fail"]').click();
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
    await p.locator('[data-testid="pay-button"]').click();
    await waitForState(p, state);
    await check(p, state);
    await p.close();
  }
  for (const [action, state] of [['merchant-cancel', 'canceled']]) {
    const p = await openCheckout(browser, sandbox, { locale: 'en-GB' });
    await p.locator(`[data-testid="${action}"]`).click();
    await waitForState(p, state);
    await check(p, state);
    await p.close();
  }
});
