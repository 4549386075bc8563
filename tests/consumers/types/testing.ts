// The test kit's types as a merchant's Playwright suite uses them (Node types, as any Playwright project has).
import { startSandbox, checkoutOn, TEST_CARDS } from 'intent-checkout/testing';
import type { Page } from 'playwright-core';

export async function testKit(page: Page): Promise<void> {
  const sandbox = await startSandbox();
  const intent = await sandbox.createIntent({ amount: 1500, currencyCode: 'GBP' });
  const checkout = checkoutOn(page);
  await checkout.fillCard(TEST_CARDS.success);
  await checkout.pay();
  await checkout.waitForState('succeeded');
  await sandbox.advanceClock(60);
  await sandbox.setFaults({ errorBeforeCommit: 1 });
  console.log(intent.paymentIntentId, intent.clientSessionSecret);
  await sandbox.stop();
}
