// Start-up: the intent is requested while the .wasm downloads and compiles, and the core takes that reply as
// its own first read (one GET, not two).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, call } from './harness.mjs';

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

// A merchant page with the one script tag; its own script hands over the intent id and token.
async function page(routeWasm) {
  const created = await call(sandbox, '/demo/payment-intents', { amount: 1000 });
  const p = await browser.context.newPage();
  await p.route(sandbox.url + '/shop', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>shop</title>
        <script src="/pkg/intent-checkout.js" defer></script>
        <script src="/shop.js" defer></script>
        <intent-checkout></intent-checkout>`,
    }),
  );
  await p.route(sandbox.url + '/shop.js', (route) =>
    route.fulfill({
      contentType: 'text/javascript',
      body: `const el = document.querySelector('intent-checkout');
        el.addEventListener('ready', (e) => { window.__ready = e.detail; });
        el.paymentIntentId = ${JSON.stringify(created.paymentIntentId)};
        el.connectToken = ${JSON.stringify(created.clientSessionSecret)};`,
    }),
  );
  if (routeWasm) await p.route(/intent_checkout_bg\.wasm$/, routeWasm);
  const reads = [];
  p.on('request', (r) => {
    if (r.method() === 'GET' && r.url().endsWith(`/payment-intents/public/${created.paymentIntentId}`)) reads.push(r.url());
  });
  return { p, created, reads };
}

test('the intent GET starts before the .wasm arrives, and the core uses its reply', async () => {
  // The .wasm is held back until the intent has been requested: without the parallel start this page
  // would never become ready.
  let sawRead;
  const readSeen = new Promise((resolve) => (sawRead = resolve));
  const { p, created, reads } = await page(async (route) => {
    await readSeen;
    await route.continue();
  });
  p.on('request', (r) => {
    if (r.url().endsWith(`/payment-intents/public/${created.paymentIntentId}`)) sawRead();
  });
  await p.goto(sandbox.url + '/shop');
  await p.waitForFunction(() => window.__ready !== undefined, null);
  const detail = await p.evaluate(() => window.__ready);
  assert.equal(detail.intent.id, created.paymentIntentId);
  assert.equal(detail.canonical, 'requires_payment_method');
  assert.equal(reads.length, 1, `one read of the intent, not ${reads.length}`);
  await p.locator('intent-checkout[state="form"]').waitFor();
  await p.close();
});

test('a prefetch that fails is retried by the core', async () => {
  const { p, created, reads } = await page();
  let refused = 0;
  await p.route(new RegExp(`/payment-intents/public/${created.paymentIntentId}$`), async (route) => {
    if (refused++ === 0) await route.abort('connectionreset');
    else await route.continue();
  });
  await p.goto(sandbox.url + '/shop');
  await p.waitForFunction(() => window.__ready !== undefined, null);
  assert.equal((await p.evaluate(() => window.__ready)).intent.id, created.paymentIntentId);
  assert.equal(reads.length, 2, 'the refused prefetch, then the core\'s own read');
  await p.close();
});
