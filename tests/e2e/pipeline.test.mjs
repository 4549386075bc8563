// The foundation, end to end: the sandbox serves the demo page and pkg/, the script tag loads the wasm,
// and Rust dispatches `ready` on the <intent-checkout> element.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser } from './harness.mjs';

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

test('the demo page loads the wasm through the script tag and Rust fires `ready`', async () => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const wasmResponse = page.waitForResponse((r) => r.url().endsWith('/pkg/intent_checkout_bg.wasm'));
  await page.goto(sandbox.url + '/');
  assert.equal((await wasmResponse).status(), 200);

  // The demo page's event log records the `ready` event dispatched from Rust.
  const entry = page.locator('[data-testid="event-log"] li', { hasText: 'ready' });
  await entry.first().waitFor();
  const text = await entry.first().textContent();
  assert.match(text, /"version":"\d+\.\d+\.\d+"/);

  assert.equal(await page.evaluate(() => typeof window.IntentCheckout?.mount), 'function');
  assert.equal(await page.evaluate(() => customElements.get('intent-checkout') !== undefined), true);
  assert.deepEqual(errors, []);
  await page.close();
});

test('IntentCheckout.mount on a bare page fires `ready` on the new element', async () => {
  const page = await browser.context.newPage();
  // An empty page on the sandbox's origin, as a merchant page that only has the script tag would be.
  await page.route(sandbox.url + '/blank', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>blank</title><body></body>' }),
  );
  await page.goto(sandbox.url + '/blank');
  const detail = await page.evaluate(async (base) => {
    await new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = base + '/pkg/intent-checkout.js';
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    });
    const readyOnBody = new Promise((resolve) =>
      document.body.addEventListener('ready', (e) => resolve({ detail: e.detail, tag: e.target.tagName }), { once: true }),
    );
    await window.IntentCheckout.mount(document.body);
    return readyOnBody;
  }, sandbox.url);
  assert.equal(detail.tag, 'INTENT-CHECKOUT');
  assert.match(detail.detail.version, /^\d+\.\d+\.\d+$/);
  await page.close();
});
