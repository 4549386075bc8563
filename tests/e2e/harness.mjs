// Shared end-to-end harness, on the package's own test kit (`intent-checkout/testing`, pkg/testing.js) so the
// kit cannot rot: a sandbox process on a port the OS picks, and Debian's Chromium via playwright-core.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import * as kit from '../../pkg/testing.js';

const root = new URL('../../', import.meta.url).pathname;
export const SECRET_KEY = 'sk_sandbox_e2e';

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

/** Launches Debian's Chromium headless with a fresh profile; never downloads a browser. */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'intent-checkout-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
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
  threeDS: 'threeDSecure', async: 'async', processingError: 'processingError',
}).map(([name, kitName]) => [name, kit.TEST_CARDS[kitName].number]));

/** POSTs JSON to the sandbox (test routes get the secret key) and returns the parsed reply. */
export const call = (sandbox, path, body, { auth = path.startsWith('/test/') } = {}) =>
  sandbox.request('POST', path, body, { auth });

/** Moves the sandbox clock forward (token expiry, settlement timers) instead of waiting. */
export const advanceClock = (sandbox, seconds) => sandbox.advanceClock(seconds);

/**
 * Opens the demo shop with an order (query-string pre-fill), presses Checkout and waits for the form.
 * Records CSP violations and page errors on `page.problems`.
 */
export async function openCheckout(browser, sandbox, order = {}, { waitFor = 'form' } = {}) {
  const page = await browser.context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.text())) page.problems.push(`console: ${m.text()}`); });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(order)) query.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  await page.goto(`${sandbox.url}/?${query}`);
  await page.click('[data-testid="checkout-button"]');
  if (waitFor) await waitForState(page, waitFor);
  return page;
}

/** Types a card into the widget the way a customer would (wherever its fields live). */
export const fillCard = (page, card = {}) => kit.checkoutOn(page).fillCard(card);

/** The documented way to wait for an outcome: the element's `state` attribute. */
export const waitForState = (page, state, timeout = 15_000) => kit.checkoutOn(page).waitForState(state, { timeout });

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

/** CSP violations seen by the page so far. */
export const cspViolations = (page) => page.evaluate(() => window.__csp);
