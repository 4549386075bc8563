// Versioned, SRI-pinned files: the tags the build writes (pkg/cdn/<version>/script-tag.html) load the
// checkout; the .wasm is fetched with its integrity, so a tampered module is refused; the sandbox serves
// brotli with immutable caching for versioned files (a warm load asks the server for none of them) and
// revalidates the unversioned ones.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, launchBrowser, call, waitForState, GUARD_MS } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(`${root}pkg/integrity.json`, 'utf8'));
const folder = `/pkg/cdn/${manifest.version}/`;
// The build's snippet, with src/href pointed at where the sandbox serves the folder.
const tags = readFileSync(`${root}pkg/cdn/${manifest.version}/script-tag.html`, 'utf8')
  .replace(/ (src|href)="/g, ` $1="${folder}`);

// The pages are real files the sandbox serves: Playwright's request routing would turn off the HTTP cache.
const www = mkdtempSync(join(tmpdir(), 'intent-checkout-pinned-'));
let sandbox;
let browser;
before(async () => {
  sandbox = await startSandbox(['--www-dir', www]);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
  rmSync(www, { recursive: true, force: true });
});

/** A page with `head` and a checkout for a new intent; records what the network layer saw per URL. */
async function open(path, head, { tamper = false } = {}) {
  const created = await call(sandbox, '/demo/payment-intents', { amount: 1200, currencyCode: 'GBP' });
  const p = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(p);
  await cdp.send('Network.enable');
  // What went over the wire: extra-info events exist only for requests that reached the server, with the
  // status it sent (a revalidation shows as 304 here, while the page's fetch() sees 200).
  // The two events come in either order: the URL is looked up when a test reads `seen`.
  const urls = new Map();
  const seen = [];
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.responseReceivedExtraInfo', (e) => seen.push({
    get url() { return urls.get(e.requestId); }, status: e.statusCode, headers: e.headers,
  }));
  if (tamper) {
    // The page's module only: the card frame fetches its own .wasm at the same time, and a handler still
    // reading that response when the test closes the page rejects after the test ('Response has been
    // disposed', which failed this file once).
    await p.route('**/intent_checkout_bg.wasm', async (route) => {
      const res = await route.fetch();
      const body = Buffer.from(await res.body());
      body[body.length - 1] ^= 1; // one bit
      await route.fulfill({ response: res, body });
    });
  }
  const body = `<intent-checkout locale="en-GB" payment-intent-id="${created.paymentIntentId}"></intent-checkout>`;
  writeFileSync(join(www, `${path}.html`), `<!doctype html><head>${head}</head>${body}<script src="${path}.js"></script>`);
  writeFileSync(join(www, `${path}.js`),
    `document.querySelector('intent-checkout').connectToken = ${JSON.stringify(created.clientSessionSecret)};`);
  return { p, seen, go: () => p.goto(`${sandbox.url}/${path}.html`) };
}

/** Polls until `find()` returns something (CDP events may trail the page's own progress). */
async function eventually(find, what) {
  for (const guard = Date.now() + GUARD_MS; Date.now() < guard; ) {
    const found = find();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`never saw ${what}`);
}

const header = (r, name) => Object.entries(r.headers).find(([k]) => k.toLowerCase() === name)?.[1];

test('the pinned script tag loads the checkout; versioned files come brotli-compressed and immutable', async () => {
  const { p, seen, go } = await open('pinned', tags);
  await go();
  await waitForState(p, 'form');
  // The page's own files (the card frame's are its own target's requests, and the inline fields load only for
  // fields="inline").
  const files = ['intent-checkout.js', 'intent_checkout_bg.wasm'].map((f) => `${sandbox.url}/pkg/${manifest.versioned[f]}`);
  for (const url of files) {
    const r = await eventually(() => seen.find((s) => s.url === url), url);
    assert.equal(r.status, 200);
    assert.equal(header(r, 'content-encoding'), 'br', url);
    assert.equal(header(r, 'cache-control'), 'public, max-age=31536000, immutable', url);
    assert.match(header(r, 'vary'), /accept-encoding/i, url);
  }
  // The next visit takes both from the browser's cache: nothing is revalidated.
  seen.length = 0;
  await go();
  await waitForState(p, 'form');
  await eventually(() => seen.find((s) => s.url?.endsWith('/pinned.html')), 'the page revalidated');
  for (const url of files) assert.deepEqual(seen.filter((s) => s.url === url), [], `${url} went to the server`);
  await p.close();
});

test('the unversioned script tag revalidates: a warm load gets 304s, not the files again', async () => {
  const { p, seen, go } = await open('unpinned', '<script src="/pkg/intent-checkout.js" defer></script>');
  await go();
  await waitForState(p, 'form');
  const script = await eventually(() => seen.find((s) => s.url?.endsWith('/pkg/intent-checkout.js')), 'the script');
  assert.equal(header(script, 'cache-control'), 'no-cache');
  seen.length = 0;
  await go();
  await waitForState(p, 'form');
  for (const name of ['intent-checkout.js', 'intent_checkout_bg.wasm']) {
    const r = await eventually(() => seen.find((s) => s.url?.endsWith(`/pkg/${name}`)), name);
    assert.equal(r.status, 304, `${name}: ${r.status}`);
  }
  await p.close();
});

test('a .wasm that does not match its integrity is refused: the checkout shows the load error', async () => {
  const { p, go } = await open('tampered', '<script src="/pkg/intent-checkout.js" defer></script>', { tamper: true });
  const messages = [];
  p.on('console', (m) => messages.push(m.text()));
  await go();
  await waitForState(p, 'error');
  assert.match(await p.locator('[data-testid="result-message"]').textContent(), /could not load/);
  assert.ok(messages.some((m) => /integrity/i.test(m)), messages.join('\n'));
  await p.unrouteAll({ behavior: 'ignoreErrors' }); // a retry's fetch may still be in the handler
  await p.close();
});
