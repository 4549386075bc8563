// Shared end-to-end harness, on the package's own test kit (`intent-checkout/testing`, pkg/testing.js) so the
// kit cannot rot: a sandbox process on a port the OS picks, and Debian's Chromium via playwright-core.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import * as kit from '../../pkg/testing.js';

const root = new URL('../../', import.meta.url).pathname;
export const SECRET_KEY = 'sk_sandbox_e2e';

/**
 * Which card fields the suite runs with: `isolated` (the default: the frame on the API's origin, and the
 * merchant page on another origin) or `inline` (IC_FIELDS=inline; the page on the API's origin, as a
 * merchant in PCI scope would host it). scripts/test.sh runs the end-to-end layer once in each.
 */
export const FIELDS = process.env.IC_FIELDS === 'inline' ? 'inline' : 'isolated';

/** Where merchant pages live: another origin than the API (`localhost` vs `127.0.0.1`) when isolated. */
export const merchantOrigin = (sandbox, fields = FIELDS) => (fields === 'isolated' ? sandbox.url.replace('//127.0.0.1:', '//localhost:') : sandbox.url);

/**
 * What a compromised dependency in the merchant's page would do, loaded before the checkout: wrap every
 * way out (fetch, XHR, sendBeacon, WebSocket), force shadow roots open, listen to every key, input and
 * message in the capture phase, and read every input it can reach, in documents and shadow roots. What it
 * saw is `window.__seen` (lines): a test asserts no card digit or CVC is among them.
 */
export const HOSTILE = `
window.__seen = [];
const seen = (what, v) => { try { window.__seen.push(what + ' ' + (typeof v === 'string' ? v : JSON.stringify(v))); } catch { window.__seen.push(what + ' ' + String(v)); } };
const realFetch = window.fetch;
window.fetch = function (input, init) {
  seen('fetch', String(input && input.url || input) + ' ' + (init && init.body || ''));
  return realFetch.apply(this, arguments).then((res) => { res.clone().text().then((t) => seen('fetch<', t), () => {}); return res; });
};
const open = XMLHttpRequest.prototype.open, send = XMLHttpRequest.prototype.send;
XMLHttpRequest.prototype.open = function (m, u) { seen('xhr', u); return open.apply(this, arguments); };
XMLHttpRequest.prototype.send = function (b) { seen('xhr', b); return send.apply(this, arguments); };
const beacon = navigator.sendBeacon && navigator.sendBeacon.bind(navigator);
navigator.sendBeacon = (u, d) => { seen('beacon', u + ' ' + d); return beacon ? beacon(u, d) : true; };
const RealWS = window.WebSocket;
window.WebSocket = function (u, p) { const ws = new RealWS(u, p); const s = ws.send.bind(ws); ws.send = (d) => { seen('ws', d); s(d); }; return ws; };
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { return attach.call(this, { ...init, mode: 'open' }); };
const inputs = (root) => {
  for (const el of root.querySelectorAll('*')) {
    if ('value' in el && el.tagName !== 'BUTTON') seen('input', el.value);
    if (el.shadowRoot) inputs(el.shadowRoot);
    if (el.tagName === 'IFRAME') { try { inputs(el.contentDocument); } catch { seen('iframe', 'closed'); } }
  }
};
for (const type of ['keydown', 'keypress', 'keyup', 'input', 'change', 'beforeinput', 'paste', 'focusin', 'focusout']) {
  window.addEventListener(type, (e) => { seen(type, [e.key, e.data, e.target && e.target.value]); inputs(document); }, true);
}
window.addEventListener('message', (e) => { seen('message', e.data); for (const p of e.ports) p.onmessage = (m) => seen('port', m.data); }, true);
setInterval(() => inputs(document), 20);
`;

/** Starts target/debug/intent-sandbox on 127.0.0.1:0 serving www/ and pkg/; resolves once it prints its URL. */
export function startSandbox(extraArgs = []) {
  const dirs = ['--www-dir', process.env.WWW_DIR ?? join(root, 'www'), '--pkg-dir', process.env.PKG_DIR ?? join(root, 'pkg')];
  return kit.startSandbox({
    binary: process.env.SANDBOX_BIN ?? join(root, 'target/debug/intent-sandbox'),
    args: [...dirs, ...extraArgs],
    secretKey: SECRET_KEY,
    cwd: root,
  });
}

/**
 * How long any wait may last before it counts as a hang. Tests wait for conditions, never for time; this
 * only turns a hang into a failure, and is generous because the test machine's 2 cores are often shared.
 */
export const GUARD_MS = 60_000;

/** Launches Debian's Chromium headless with a fresh profile; never downloads a browser. */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'intent-checkout-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
      // Pages fulfilled by Playwright's router have no address space, so Chromium would treat them as public and
      // hold back their requests to the loopback API (Local Network Access). Real merchant pages are served.
      '--disable-features=LocalNetworkAccessChecks',
    ],
  });
  browser.setDefaultTimeout(GUARD_MS);
  return {
    context: browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// ---- helpers for the checkout tests ------------------------------------------------------------------

export const ARTIFACTS = join(root, 'tests/e2e/artifacts');
export const CARDS = Object.fromEntries(Object.entries({
  success: 'success', mastercard: 'mastercard', amex: 'amex', decline: 'decline', insufficient: 'insufficientFunds',
  threeDS: 'threeDSecure', async: 'async', processingError: 'processingError', cvcAgain: 'cvcAgain', cvcAgainAmex: 'cvcAgainAmex',
}).map(([name, kitName]) => [name, kit.TEST_CARDS[kitName].number]));

/** POSTs JSON to the sandbox (test routes get the secret key) and returns the parsed reply. */
export const call = (sandbox, path, body, { auth = path.startsWith('/test/') } = {}) =>
  sandbox.request('POST', path, body, { auth });

/** Moves the sandbox clock forward (token expiry, settlement timers) instead of waiting. */
export const advanceClock = (sandbox, seconds) => sandbox.advanceClock(seconds);

/**
 * Opens the demo shop with an order (query-string pre-fill), presses Checkout and waits for the form.
 * The page is watched (`newPage`).
 */
export async function openCheckout(browser, sandbox, order = {}, { waitFor = 'form', fields = FIELDS, init } = {}) {
  const page = await newPage(browser, fields);
  if (init) await page.addInitScript(init);
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries({ fields, ...(fields === 'isolated' ? { apiBase: sandbox.url } : {}), ...order })) {
    query.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  await page.goto(`${merchantOrigin(sandbox, fields)}/?${query}`);
  await click(page.locator('[data-testid="checkout-button"]'));
  if (waitFor) await page.locator(`intent-checkout[state="${waitFor}"]`).waitFor({ timeout: GUARD_MS });
  return page;
}

/**
 * A tab watched, in every frame it will have (embeds, the card frame, the 3-D Secure challenge), for what
 * a checkout must never cause: CSP violations (`page.csp`), page and console errors (`page.problems`), and
 * a connect token where the page could see it (URLs, the console, storage: `assertClean`). Tokens are
 * learned from the sandbox's answers as they pass; add others to `page.secrets`. `page.fields` says which
 * card fields it uses.
 */
export async function newPage(browser, fields = FIELDS) {
  const page = await browser.context.newPage();
  Object.assign(page, { fields, problems: [], consoleLines: [], csp: [], secrets: new Set(), seen: [] });
  // A binding reaches every frame (of any origin), so a frame that is gone by the end has still reported.
  await page.exposeBinding('__icCsp', ({ frame }, line) => page.csp.push(`${new URL(frame.url()).pathname}: ${line}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => window.__icCsp(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    page.consoleLines.push(m.text());
    page.seen.push(`console: ${m.text()}`);
    if (m.type() === 'error' && !/favicon/.test(m.text())) page.problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => page.seen.push(`request: ${r.url()}`));
  page.on('framenavigated', (f) => page.seen.push(`frame: ${f.url()}`));
  page.on('response', async (r) => {
    // The merchant's server hands the page its tokens (the demo routes: create, refresh).
    if (r.request().method() !== 'POST' || !(r.headers()['content-type'] ?? '').includes('json')) return;
    const secret = await r.json().then((j) => j.clientSessionSecret).catch(() => undefined);
    if (secret) page.secrets.add(secret);
  });
  return page;
}

/**
 * Fails on a CSP violation or error in any frame, and on any connect token the page has held in a URL
 * it loaded, a console line, or the URL, storage or cookies of a frame still open.
 */
export async function assertClean(page) {
  const frames = await Promise.all(
    page.frames().map((f) =>
      f.evaluate(() => {
        let s = `${location.href} ${document.cookie}`;
        try {
          s += JSON.stringify(localStorage) + JSON.stringify(sessionStorage);
        } catch {
          // A sandboxed frame has no storage.
        }
        return s;
      }).catch(() => ''),
    ),
  );
  const places = [...page.seen, ...frames.map((f) => `frame state: ${f}`)];
  for (const secret of page.secrets) {
    const leak = places.find((p) => p.includes(secret));
    assert.equal(leak, undefined, `a connect token leaked (${leak?.split(':')[0]})`);
  }
  assert.deepEqual(page.csp, [], 'CSP violations');
  assert.deepEqual(page.problems, [], 'page errors');
}

/**
 * What the widget's intent booked, read once the widget shows a result: its ledger at the sandbox is
 * exactly `expected` (`[movement, minor units]` rows, oldest first) in the intent's currency.
 */
export async function assertBooked(page, sandbox, expected) {
  const intent = await page.locator('intent-checkout').evaluate((el) => el.intent);
  const currency = intent.totalAmount.currencyCode;
  const { entries } = await sandbox.ledger(intent.id);
  const booked = entries.map((e) => [e.movement, e.amount.value, e.amount.currencyCode]);
  assert.deepEqual(booked, expected.map(([m, v]) => [m, v, currency]), `ledger of ${intent.id}`);
}

/** Where the card inputs are: inside the isolated frame, or in the page (inline). */
export const cardFields = (page) => (page.fields === 'inline' ? page : page.frameLocator('[data-testid="card-frame"]'));

/** Types a chosen saved card's security code into its CVC-only frame, through the package's test kit. */
export const fillCvc = (page, cvc) => kit.checkoutOn(page).fillCvc(cvc);

/**
 * Every pointer click in the suite: waits until the browser sends the pointer to the target, since a frame of
 * another origin that has just loaded, moved or hidden takes or drops clicks meant for others (the kit's
 * `clickWhenHit` says how often). A bare `.click()` is a flake waiting to happen here.
 */
export const click = (locator) => kit.clickWhenHit(locator, { timeout: GUARD_MS });

/** Ticks a checkbox (or chooses a radio) with `click`; already ticked stays ticked. */
export async function checkBox(locator) {
  if (!(await locator.isChecked())) await click(locator);
  await locator.and(locator.page().locator(':checked')).waitFor({ timeout: GUARD_MS });
}

/** Types a card into the widget the way a customer would. */
export async function fillCard(page, { number = CARDS.success, expiry = '12/34', cvc = '123', name = 'Ada Lovelace' } = {}) {
  const f = cardFields(page);
  await f.locator('[data-testid="card-number"]').pressSequentially(number);
  await f.locator('[data-testid="card-expiry"]').pressSequentially(expiry);
  await f.locator('[data-testid="card-cvc"]').pressSequentially(cvc);
  await f.locator('[data-testid="card-name"]').fill(name);
}

/**
 * A bare merchant page at `path` on the merchant origin with `body` as its HTML and `files` as its
 * scripts: the one-script-tag embed as a merchant would write it (`api-base` names the API when the
 * page is elsewhere). `apiAttr(sandbox)` gives that attribute.
 */
export async function merchantPage(browser, sandbox, path, body, files = {}, fields = FIELDS) {
  const page = await newPage(browser, fields);
  const origin = merchantOrigin(sandbox, fields);
  await page.route(origin + path, (route) => route.fulfill({ contentType: 'text/html', body }));
  for (const [name, js] of Object.entries(files)) {
    await page.route(origin + name, (route) => route.fulfill({ contentType: 'text/javascript', body: js }));
  }
  await page.goto(origin + path);
  return page;
}

/**
 * The one-script-tag embed under a strict CSP, as the README tells merchants to write it: the API's
 * origin allowed for fetches and frames, nothing inline. `attrs` go on <intent-checkout>.
 */
export function strictEmbed(sandbox, attrs, fields = FIELDS) {
  const api = fields === 'isolated' ? ` ${sandbox.url}` : '';
  return `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'${api}; frame-src 'self'${api}">
<script src="/pkg/intent-checkout.js" defer></script>
<intent-checkout ${embedAttrs(sandbox, fields)} ${attrs}></intent-checkout>`;
}

/** The attributes an embed needs for this suite's card fields: `api-base` and `fields`. */
export const embedAttrs = (sandbox, fields = FIELDS) => `api-base="${sandbox.url}" fields="${fields}"`;

/** The element, or the element inside the card frame, that has keyboard focus: its data-testid. */
export async function focused(page) {
  const outer = await page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.dataset?.testid ?? el?.tagName;
  });
  if (outer !== 'card-frame' && outer !== 'cvc-frame') return outer;
  // The CVC-only frame of a saved card may sit next to the card frame: that one, by its element.
  const frame = outer === 'card-frame' ? page.frames().find((f) => f.url().includes('/card-frame/v1'))
    : await (await page.locator('[data-testid="cvc-frame"]').elementHandle()).contentFrame();
  return frame.evaluate(() => document.activeElement?.dataset?.testid ?? document.activeElement?.tagName);
}

/**
 * Resolves once keyboard focus is on `testid` (or one of several; as `where` reads it, `focused` by default),
 * failing with where focus is instead. Focus that crosses into or out of a frame of another origin moves in
 * that frame's process, after the key press has returned, so it is awaited, never read once.
 */
export async function focusOn(page, testid, where = focused) {
  const wanted = [].concat(testid);
  const deadline = Date.now() + GUARD_MS;
  for (;;) {
    const now = await where(page);
    if (wanted.includes(now)) return;
    if (Date.now() > deadline) assert.fail(`focus is on ${now}, not on ${wanted.join(' or ')}`);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  }
}

const axeSource = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's violations in the page and, separately, in the card frame (axe does not cross frames of
 * another origin itself). Injected through the DevTools protocol, which the pages' CSP does not govern.
 */
export async function axeViolations(page) {
  const found = [];
  for (const frame of [page.mainFrame(), ...page.frames().filter((f) => f.url().includes('/card-frame/v1'))]) {
    await frame.evaluate(`${axeSource};undefined`);
    // The page: the widget only (the demo page around it is not under test); the frame: all of it, except
    // the one rule for whole pages (an <h1>): the frame is a part of the merchant's page, whose headings
    // are the page's.
    const r = await frame.evaluate((inPage) => window.axe.run(inPage ? { include: [['intent-checkout']] } : document, {
      iframes: false,
      resultTypes: ['violations'],
      rules: inPage ? {} : { 'page-has-heading-one': { enabled: false } },
    }), frame === page.mainFrame());
    for (const v of r.violations) found.push(`${frame === page.mainFrame() ? 'page' : 'frame'}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }
  return found;
}

/** The documented way to wait for an outcome: the element's `state` attribute. */
export const waitForState = (page, state, timeout = GUARD_MS) => kit.checkoutOn(page).waitForState(state, { timeout });

/** Saves a screenshot of the widget into tests/e2e/artifacts/ (git-ignored). */
export async function snap(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  // A page screenshot clipped to whole pixels around the element: element screenshots of a box with a
  // fractional height come out resampled (blurred borders, cut edges).
  const el = page.locator('intent-checkout');
  await el.scrollIntoViewIfNeeded();
  const b = await el.boundingBox();
  const x = Math.max(0, Math.floor(b.x) - 4);
  const y = Math.max(0, Math.floor(b.y) - 4);
  const clip = { x, y, width: Math.ceil(b.x + b.width) + 4 - x, height: Math.ceil(b.y + b.height) + 4 - y };
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), clip, animations: 'disabled' });
}

/** The demo page's event log as lines. */
export const eventLog = (page) => page.locator('[data-testid="event-log"] li').allTextContents();

/** CSP violations a watched page has seen so far, in any of its frames. */
export const cspViolations = async (page) => page.csp;
