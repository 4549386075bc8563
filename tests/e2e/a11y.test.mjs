// Keyboard-only checkout, labels and announcements.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, openCheckout, waitForState } from './harness.mjs';

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

const focused = (page) =>
  page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.dataset?.testid ?? el?.tagName;
  });

test('every input has a label and an error slot tied by aria-describedby', async () => {
  const page = await openCheckout(browser, sandbox, { tipsAllowed: true, customAmountAllowed: true });
  const report = await page.locator('intent-checkout').evaluate((el) =>
    [...el.shadowRoot.querySelectorAll('input')].map((i) => ({
      id: i.dataset.testid,
      label: i.labels?.[0]?.textContent ?? '',
      describedBy: i.getAttribute('aria-describedby'),
      target: !!el.shadowRoot.getElementById(i.getAttribute('aria-describedby')),
    })),
  );
  assert.equal(report.length, 6);
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
  assert.equal(await focused(page), 'card-number');
  await page.keyboard.type('4242424242424242');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'card-expiry');
  await page.keyboard.type('1234');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'card-cvc');
  await page.keyboard.type('123');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'card-name');
  await page.keyboard.type('Grace Hopper');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'pay-button');
  await page.keyboard.press('Enter');
  await waitForState(page, 'succeeded');
  assert.equal(await focused(page), 'result-title');
  assert.match(await page.locator('[data-testid="announcer"]').textContent(), /Payment successful/);
  await page.close();
});

test('keyboard only through 3-D Secure: the challenge gets focus, Tab reaches its buttons, Enter approves', async () => {
  const page = await openCheckout(browser, sandbox, { locale: 'en-GB' });
  await page.locator('[data-testid="card-number"]').focus();
  await page.keyboard.type('4000000000003220');
  await page.keyboard.press('Tab');
  await page.keyboard.type('1234');
  await page.keyboard.press('Tab');
  await page.keyboard.type('123');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Grace Hopper');
  await page.keyboard.press('Enter'); // submits the form from the last field
  await waitForState(page, 'action');
  const frame = page.frameLocator('[data-testid="challenge-frame"]');
  await frame.locator('[data-testid="challenge-approve"]').waitFor();
  assert.equal(await focused(page), 'challenge-frame');
  await page.keyboard.press('Tab');
  const inFrame = await frame.locator('[data-testid="challenge-approve"]').evaluate((b) => document.activeElement === b);
  assert.equal(inFrame, true, 'Tab moved into the challenge, onto Approve');
  await page.keyboard.press('Enter');
  await waitForState(page, 'succeeded');
  assert.equal(await focused(page), 'result-title');
  await page.close();
});
