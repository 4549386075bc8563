// Isolated card fields: the card lives in a frame on the API's origin, the merchant page on another origin
// gets only a reference. What a hostile page script can see, forged messages, who may frame the fields,
// where the token goes, the headless mounting, theming across the boundary, and the click on Pay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSandbox, launchBrowser, openCheckout, fillCard, waitForState, call, cardFields, merchantPage, merchantOrigin,
  strictEmbed, newPage, cspViolations, focusOn, HOSTILE, CARDS, FIELDS, click,
} from './harness.mjs';

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

const isolated = { skip: FIELDS !== 'isolated' && 'isolated fields only' };

test('a hostile script in the merchant page captures no card digits and no CVC, and the payment succeeds', isolated, async () => {
  const created = await call(sandbox, '/demo/payment-intents', { amount: 2600, currencyCode: 'GBP' });
  const page = await merchantPage(browser, sandbox, '/shop',
    `<!doctype html><script src="/hostile.js"></script>${strictEmbed(sandbox, `payment-intent-id="${created.paymentIntentId}" locale="en-GB"`).replace('<!doctype html>', '')}<script src="/token.js"></script>`,
    { '/hostile.js': HOSTILE, '/token.js': `document.querySelector('intent-checkout').connectToken = ${JSON.stringify(created.clientSessionSecret)};` });
  await waitForState(page, 'form');
  // Amex, with a 4-digit CVC that no date, amount or id on the page can contain by chance.
  await fillCard(page, { number: CARDS.amex, cvc: '8173' });
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'succeeded');
  const seen = (await page.evaluate(() => window.__seen)).join('\n');
  // It did watch: it saw the frame's handshake, and every input of the page (not the frame's: closed to it).
  assert.match(seen, /message \{"v":1,"t":"hello"\}/);
  assert.match(seen, /iframe closed/);
  for (const secret of ['378282246310005', '3782 822463 10005', '82246310', '8173']) {
    assert.equal(seen.includes(secret), false, `the page saw ${secret}`);
  }
  const paid = await (await fetch(`${sandbox.url}/payment-intents/${created.paymentIntentId}`, {
    headers: { authorization: 'Basic sk_sandbox_e2e', version: '2025-09-10' },
  })).json();
  assert.equal(paid.paymentDetails.card.cardNumber, '378282****0005');
  assert.deepEqual(await cspViolations(page), []);
  await page.close();
});

test('messages forged by another window or origin are ignored, and the forger hears nothing', isolated, async () => {
  const page = await openCheckout(browser, sandbox, { locale: 'en-GB' });
  const frameUrl = await page.locator('[data-testid="card-frame"]').getAttribute('src');
  const heard = await page.evaluate(async ({ frameUrl }) => {
    const got = [];
    const host = document.querySelector('intent-checkout');
    const cardFrame = host.shadowRoot.querySelector('[data-testid="card-frame"]');
    const api = new URL(frameUrl).origin;
    // 1. The page itself pretends to be the frame: a hello and fake answers from this window.
    for (const m of [{ v: 1, t: 'hello' }, { v: 1, t: 'change', brand: 'visa', complete: true, empty: false, errors: {} }, { v: 1, t: 'reference', seq: 1, card: { id: 'pm_fake', brand: 'visa', last4: '4242', expiryMonth: 12, expiryYear: 2034 } }]) {
      window.postMessage(JSON.stringify(m), '*');
    }
    // 2. Another frame of the API's origin (a second card frame) says hello to the page.
    const other = document.createElement('iframe');
    other.src = frameUrl;
    document.body.append(other);
    await new Promise((r) => other.addEventListener('load', r, { once: true }));
    // 3. The page offers the real card frame a channel of its own, and asks it to tokenize.
    const channel = new MessageChannel();
    channel.port1.onmessage = (e) => got.push(e.data);
    cardFrame.contentWindow.postMessage(JSON.stringify({ v: 1, t: 'connect' }), api, [channel.port2]);
    channel.port1.postMessage(JSON.stringify({ v: 1, t: 'tokenize', seq: 9 }));
    return { got, state: host.checkout ? 'running' : 'none' };
  }, { frameUrl });
  assert.deepEqual(heard.got, []);
  // The checkout never took the fake reference or the fake completeness: it still pays with the real card.
  await fillCard(page);
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'succeeded');
  const body = await page.evaluate(() => document.querySelector('intent-checkout').intent.paymentEvents.length);
  assert.ok(body >= 1);
  await page.close();
});

test('the card frame refuses to load under an origin that may not frame it', isolated, async () => {
  // Only localhost pages may frame this sandbox's card fields.
  const strict = await startSandbox(['--frame-ancestor', merchantOrigin(sandbox).replace(/:\d+$/, ':*')]);
  try {
    const created = await call(strict, '/demo/payment-intents', { amount: 500 });
    const page = await newPage(browser);
    const framingRefused = (m) => /violates the following Content Security Policy directive: "frame-ancestors/.test(m.text());
    const refused = page.waitForEvent('console', framingRefused);
    // A page on the API's own origin (127.0.0.1) is not an allowed merchant: the frame is refused.
    await page.route(`${strict.url}/shop`, (r) => r.fulfill({ contentType: 'text/html', body: `<!doctype html><script src="/pkg/intent-checkout.js" defer></script>
<intent-checkout api-base="${strict.url}" payment-intent-id="${created.paymentIntentId}" connect-token="${created.clientSessionSecret}"></intent-checkout>` }));
    await page.goto(`${strict.url}/shop`);
    assert.match((await refused).text(), /frame-ancestors 'none'/);
    const cardInputs = async (p) => {
      let n = 0;
      for (const f of p.frames()) n += await f.locator('[data-testid="card-number"]').count().catch(() => 0);
      return n;
    };
    assert.equal(await cardInputs(page), 0, 'no card fields rendered');
    // A page that lies about its origin in the frame's URL is refused by the browser (frame-ancestors).
    const liar = await newPage(browser);
    const refusedToo = liar.waitForEvent('console', framingRefused);
    const claimed = encodeURIComponent(merchantOrigin(strict));
    await liar.route(`${strict.url}/liar`, (r) => r.fulfill({ contentType: 'text/html', body: `<!doctype html><iframe src="/card-frame/v1?origin=${claimed}"></iframe>` }));
    await liar.goto(`${strict.url}/liar`);
    assert.match((await refusedToo).text(), new RegExp(`frame-ancestors ${merchantOrigin(strict)}`));
    assert.equal(await cardInputs(liar), 0);
    await page.close();
    await liar.close();
  } finally {
    await strict.stop();
  }
});

test('the connect token is in no URL, storage or console, the frame\'s included', isolated, async () => {
  const page = await openCheckout(browser, sandbox, { locale: 'en-GB' });
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));
  page.on('framenavigated', (f) => urls.push(f.url()));
  await fillCard(page, { number: CARDS.threeDS });
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'action');
  await click(page.frameLocator('[data-testid="challenge-frame"]').locator('[data-testid="challenge-approve"]'));
  await waitForState(page, 'succeeded');
  const id = await page.locator('intent-checkout').getAttribute('payment-intent-id');
  const { clientSessionSecret: token } = await (await fetch(`${sandbox.url}/payment-intents/${id}`, {
    headers: { authorization: 'Basic sk_sandbox_e2e', version: '2025-09-10' },
  })).json();
  assert.ok(token.length > 20);
  const stored = async (frame) => frame.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie, location.href, document.documentElement.outerHTML]));
  const frames = page.frames().filter((f) => f.url().startsWith('http'));
  assert.ok(frames.some((f) => f.url().includes('/card-frame/v1')), 'the card frame is one of them');
  for (const f of frames) {
    assert.equal((await stored(f)).includes(token), false, `storage or DOM of ${f.url()}`);
  }
  const cookies = JSON.stringify(await browser.context.cookies());
  assert.equal(cookies.includes(token), false);
  for (const u of [...urls, ...frames.map((f) => f.url())]) assert.equal(u.includes(token), false, u);
  assert.equal(page.consoleLines.join('\n').includes(token), false);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('isolated mode refuses raw card details on the element\'s checkout object', isolated, async () => {
  const page = await openCheckout(browser, sandbox, { locale: 'en-GB' });
  const r = await page.locator('intent-checkout').evaluate(async (el) => {
    const res = await el.checkout.pay({ number: '4242424242424242', expiryMonth: 12, expiryYear: 2034, cvc: '123', cardholderName: 'X' });
    return { code: res.error?.code, status: el.intent.status };
  });
  assert.deepEqual(r, { code: 'sdk_error', status: 'Created' });
  await page.close();
});

test('headless: card fields mounted into the merchant\'s own UI, events without digits, then pay()', isolated, async () => {
  const created = await call(sandbox, '/demo/payment-intents', { amount: 4100, currencyCode: 'EUR' });
  const app = `
    import { createCheckout } from '/pkg/index.js';
    window.__events = [];
    const checkout = await createCheckout({ apiBase: ${JSON.stringify(sandbox.url)}, paymentIntentId: ${JSON.stringify(created.paymentIntentId)}, connectToken: ${JSON.stringify(created.clientSessionSecret)} });
    const fields = checkout.mountCardFields('#card', { locale: 'de', theme: { accent: 'rgb(10, 125, 85)', radius: '2px' } });
    for (const t of ['change', 'focus', 'blur', 'submit']) fields.addEventListener(t, (e) => __events.push(t + ' ' + JSON.stringify(e.detail ?? null)));
    await fields.ready;
    window.__raw = (await checkout.pay({ number: '4242424242424242', expiryMonth: 12, expiryYear: 2034, cvc: '123', cardholderName: 'X' })).error.code;
    document.querySelector('#pay').addEventListener('click', async () => { window.__result = await checkout.pay(); });
    window.__ready = true;`;
  const page = await merchantPage(browser, sandbox, '/own-ui', `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ${sandbox.url}; frame-src ${sandbox.url}">
<div id="card"></div><button id="pay">Pay</button><script type="module" src="/app.js"></script>`, { '/app.js': app });
  await page.waitForFunction(() => window.__ready === true);
  assert.equal(await page.evaluate(() => window.__raw), 'sdk_error', 'raw cards are refused');
  const f = page.frameLocator('iframe[data-testid="card-frame"]');
  assert.equal(await f.locator('label[for="ic-number"]').textContent(), 'Kartennummer');
  // Pay before the card is complete: the fields show why, and pay() says validation_error.
  await click(page.locator('#pay'));
  await page.waitForFunction(() => window.__result);
  assert.equal(await page.evaluate(() => window.__result.error.code), 'validation_error');
  await page.evaluate(() => (window.__result = undefined));
  await fillCard(page);
  await click(page.locator('#pay'));
  await page.waitForFunction(() => window.__result);
  const result = await page.evaluate(() => ({ canonical: window.__result.canonical, error: window.__result.error?.code }));
  assert.deepEqual(result, { canonical: 'succeeded', error: undefined });
  const events = (await page.evaluate(() => window.__events)).join('\n');
  assert.match(events, /change .*"brand":"visa"/);
  assert.match(events, /change .*"complete":true/);
  assert.match(events, /focus \{"field":"number"\}/);
  assert.match(events, /blur \{"field":"name"\}/);
  assert.equal(/4242 ?4242/.test(events), false, 'no digits in events');
  const radius = await f.locator('[data-testid="card-number"]').evaluate((i) => getComputedStyle(i).borderTopLeftRadius);
  assert.equal(radius, '0px', 'radius 2px on the input is --ic-radius - 2px');
  assert.deepEqual(await cspViolations(page), []);
  await page.close();
});

test('theming crosses as values: the page\'s --ic-* reach the frame, CSS does not', isolated, async () => {
  // The merchant's stylesheet, there from the start (constructed: the page's CSP forbids an injected <style>).
  const init = () => document.addEventListener('DOMContentLoaded', () => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('intent-checkout{--ic-border:rgb(200, 0, 100);--ic-radius:6px;--ic-font:Georgia, serif;--ic-font-size:18px;--ic-bg:red;--ic-muted:red;background:url(//evil.example/x)}');
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  });
  const page = await openCheckout(browser, sandbox, { locale: 'en-GB' }, { init });
  const look = await cardFields(page).locator('[data-testid="card-number"]').evaluate((i) => {
    const s = getComputedStyle(i);
    return { border: s.borderTopColor, radius: s.borderTopLeftRadius, font: s.fontFamily, size: s.fontSize, bg: s.backgroundColor };
  });
  assert.deepEqual(look, { border: 'rgb(200, 0, 100)', radius: '4px', font: 'Georgia, serif', size: '18px', bg: 'rgb(255, 0, 0)' });
  const inFrame = await cardFields(page).locator('body').evaluate(() => [document.documentElement.getAttribute('style'), document.querySelectorAll('style,link').length]);
  assert.doesNotMatch(inFrame[0], /url\(/);
  assert.equal(inFrame[1], 0);
  await page.close();
});

test('the frame fits its content and keeps fitting (auto-resize)', isolated, async () => {
  const page = await openCheckout(browser, sandbox, { locale: 'en-GB' });
  // An offscreen cross-origin frame is not rendered, so it measures nothing until the customer sees it.
  const frameEl = page.locator('[data-testid="card-frame"]');
  await frameEl.scrollIntoViewIfNeeded();
  const fits = () => page.waitForFunction(async () => {
    const iframe = document.querySelector('intent-checkout').shadowRoot.querySelector('[data-testid="card-frame"]');
    return iframe.getBoundingClientRect().height > 100 && iframe.style.height === `${Math.round(iframe.getBoundingClientRect().height)}px`;
  });
  await fits();
  const before = await page.locator('[data-testid="card-frame"]').evaluate((f) => f.getBoundingClientRect().height);
  const inner = await cardFields(page).locator('html').evaluate((h) => Math.ceil(h.getBoundingClientRect().height));
  assert.equal(Math.round(before), inner);
  // Narrow: the expiry and CVC labels wrap, the frame grows to match.
  await page.setViewportSize({ width: 320, height: 800 });
  await frameEl.scrollIntoViewIfNeeded();
  await page.waitForFunction((b) => document.querySelector('intent-checkout').shadowRoot.querySelector('[data-testid="card-frame"]').getBoundingClientRect().height > b, before);
  const after = await page.locator('[data-testid="card-frame"]').evaluate((f) => f.getBoundingClientRect().height);
  const innerAfter = await cardFields(page).locator('html').evaluate((h) => Math.ceil(h.getBoundingClientRect().height));
  assert.equal(Math.round(after), innerAfter);
  await page.close();
});

test('keyboard: Tab moves from the page into the card fields and on to Pay, Shift+Tab back', isolated, async () => {
  const page = await openCheckout(browser, sandbox, { locale: 'en-GB', tipsAllowed: true });
  await page.locator('[data-testid="tip-input"]').focus();
  await page.keyboard.press('Tab');
  await focusOn(page, 'card-number');
  for (const next of ['card-expiry', 'card-cvc', 'card-name', 'pay-button']) {
    await page.keyboard.press('Tab');
    await focusOn(page, next);
  }
  await page.keyboard.press('Shift+Tab');
  await focusOn(page, 'card-name');
  await page.close();
});

test('the embed attribute fields="inline" still puts the fields in the page, on request', async () => {
  const created = await call(sandbox, '/demo/payment-intents', { amount: 300 });
  const page = await merchantPage(browser, sandbox, '/inline', strictEmbed(sandbox, `payment-intent-id="${created.paymentIntentId}" connect-token="${created.clientSessionSecret}" locale="en-GB"`, 'inline'), {}, 'inline');
  await waitForState(page, 'form');
  assert.equal(await page.locator('[data-testid="card-frame"]').count(), 0);
  await fillCard(page);
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'succeeded');
  await page.close();
});

// Each suite run (scripts/test.sh runs both) presses Pay once in its own mode.
for (const fields of ['isolated', 'inline']) {
  test(`${fields}: one press on Pay pays after the empty form's errors (no layout shift under the click)`, { skip: FIELDS !== fields && `the ${fields} run has it` }, async () => {
    const page = await openCheckout(browser, sandbox, { locale: 'en-GB' }, { fields });
    const pay = page.locator('[data-testid="pay-button"]');
    await click(pay);
    const f = cardFields(page);
    await f.locator('[data-testid="card-name-error"]:not(:empty)').waitFor();
    const top = await pay.evaluate((b) => b.getBoundingClientRect().top);
    await fillCard(page);
    // The name is still focused: the press's mousedown blurs it. Nothing may move between down and up.
    assert.equal(await pay.evaluate((b) => b.getBoundingClientRect().top), top);
    await click(pay);
    await waitForState(page, 'succeeded');
    await page.close();
  });
}
