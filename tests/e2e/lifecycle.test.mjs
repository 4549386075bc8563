// The demo shows the intent's dialect's lifecycle diagram (drawn at build time from the core's tables) and
// lights the current state as the intent moves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, openCheckout, fillCard, waitForState, cspViolations, click } from './harness.mjs';

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

const current = (page, status) => page.locator(`[data-testid="lifecycle"][data-current="${status}"] g.state.current[data-status="${status}"]`).waitFor();

for (const [dialect, captureMode, paid] of [['dojo', 'Auto', 'succeeded'], ['stripe', 'Manual', 'authorized']]) {
  test(`${dialect}: the diagram is that dialect's, and the lit state follows the intent to ${paid}`, async () => {
    const page = await openCheckout(browser, sandbox, { dialect, captureMode });
    assert.match(await page.locator('[data-testid="lifecycle"] svg title').textContent(), new RegExp(`^${dialect} lifecycle`));
    await current(page, 'requires_payment_method');
    await fillCard(page);
    await click(page.locator('[data-testid="pay-button"]'));
    await waitForState(page, paid === 'authorized' ? 'authorized' : 'succeeded');
    await current(page, paid);
    assert.equal(await page.locator('[data-testid="lifecycle"] g.state.current').count(), 1);
    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}
