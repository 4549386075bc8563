// 3-D Secure: the challenge opens in a modal iframe with focus kept inside it, and closes when it ends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { startSandbox, launchBrowser, openCheckout, fillCard, waitForState, snap, assertBooked, assertClean, ARTIFACTS, CARDS, click, focusOn } from './harness.mjs';

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

const focusedTestId = (page) =>
  page.evaluate(() => {
    const host = document.querySelector('intent-checkout');
    return document.activeElement === host ? host.shadowRoot.activeElement?.dataset.testid ?? null : null;
  });

async function startChallenge(page) {
  await fillCard(page, { number: CARDS.threeDS });
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'action');
  const modal = page.locator('[data-testid="challenge-modal"]');
  await modal.waitFor({ state: 'visible' });
  const frame = page.frameLocator('[data-testid="challenge-frame"]');
  await frame.locator('[data-testid="challenge-approve"]').waitFor();
  return { modal, frame };
}

test('3-D Secure approve: modal with trapped focus, closed on completion, payment succeeds', async () => {
  const page = await openCheckout(browser, sandbox);
  const { modal, frame } = await startChallenge(page);
  assert.equal(await page.locator('[role="dialog"]').getAttribute('aria-modal'), 'true');
  assert.match(await page.locator('[data-testid="challenge-frame"]').getAttribute('src'), /\/challenge\//);
  // Focus starts on the challenge; Tab from the last control wraps into the dialog, never to the page.
  // Focus moving into the frame completes in the frame's process after the key press returns: awaited.
  await focusOn(page, 'challenge-frame', focusedTestId);
  await page.locator('[data-testid="challenge-close"]').focus();
  await page.keyboard.press('Tab');
  await focusOn(page, 'challenge-frame', focusedTestId);
  await page.locator('[data-testid="challenge-close"]').focus();
  await page.keyboard.press('Shift+Tab');
  await focusOn(page, ['challenge-frame', 'challenge-close'], focusedTestId);
  // The form behind the dialog is inert.
  assert.equal(await page.locator('[data-testid="pay-button"]').evaluate((b) => b.closest('.box').inert), true);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'challenge.png'), animations: 'disabled' });
  // While the challenge is open: nothing leaked into its frame (URL, storage) either.
  await assertClean(page);
  await click(frame.locator('[data-testid="challenge-approve"]'));
  await waitForState(page, 'succeeded');
  await modal.waitFor({ state: 'hidden' });
  await assertBooked(page, sandbox, [['charge', 2450]]);
  await assertClean(page);
  await page.close();
});

test('3-D Secure fail: the modal closes and the customer sees why it was declined', async () => {
  const page = await openCheckout(browser, sandbox);
  const { modal, frame } = await startChallenge(page);
  await click(frame.locator('[data-testid="challenge-fail"]'));
  await waitForState(page, 'declined');
  await modal.waitFor({ state: 'hidden' });
  assert.match(await page.locator('[data-testid="result-message"]').textContent(), /could not confirm/);
  await snap(page, 'declined-3ds');
  await assertBooked(page, sandbox, []);
  await assertClean(page);
  await page.close();
});

test('closing the challenge keeps the payment pending and Escape/Continue reopen it', async () => {
  const page = await openCheckout(browser, sandbox);
  const { modal, frame } = await startChallenge(page);
  await page.locator('[data-testid="challenge-close"]').focus();
  await page.keyboard.press('Escape');
  await modal.waitFor({ state: 'hidden' });
  assert.equal(await page.locator('intent-checkout').getAttribute('state'), 'action');
  await focusOn(page, 'challenge-resume', focusedTestId);
  await page.keyboard.press('Enter');
  await modal.waitFor({ state: 'visible' });
  await click(frame.locator('[data-testid="challenge-approve"]'));
  await waitForState(page, 'succeeded');
  await assertBooked(page, sandbox, [['charge', 2450]]);
  await assertClean(page);
  await page.close();
});
