// Shared end-to-end harness: a sandbox process on a port the OS picks, and Debian's Chromium via playwright-core.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = new URL('../../', import.meta.url).pathname;
export const SECRET_KEY = 'sk_sandbox_e2e';

/** Starts target/debug/intent-sandbox on 127.0.0.1:0 and resolves once it prints its URL. */
export function startSandbox(extraArgs = []) {
  const binary = process.env.SANDBOX_BIN ?? join(root, 'target/debug/intent-sandbox');
  const dirs = ['--www-dir', process.env.WWW_DIR ?? join(root, 'www'), '--pkg-dir', process.env.PKG_DIR ?? join(root, 'pkg')];
  const child = spawn(binary, ['--port', '0', '--secret-key', SECRET_KEY, ...dirs, ...extraArgs], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sandbox did not start within 20 s')), 20_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sandbox exited early with code ${code}`)));
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      clearTimeout(timer);
      if (!url) return reject(new Error(`unexpected sandbox output: ${line}`));
      child.removeAllListeners('exit');
      lines.on('line', () => {}); // keep draining stdout
      resolve({ url, stop: () => stopProcess(child) });
    });
  });
}

function stopProcess(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGINT');
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
export const CARDS = {
  success: '4242424242424242',
  mastercard: '5555555555554444',
  amex: '378282246310005',
  decline: '4000000000000002',
  insufficient: '4000000000009995',
  threeDS: '4000000000003220',
  async: '4000000000000077',
  processingError: '4000000000000119',
};

/** POSTs JSON to the sandbox (test routes get the secret key) and returns the parsed reply. */
export async function call(sandbox, path, body, { auth = path.startsWith('/test/') } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (auth) headers.authorization = `Basic ${SECRET_KEY}`;
  const res = await fetch(sandbox.url + path, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Moves the sandbox clock forward (token expiry, settlement timers) instead of waiting. */
export const advanceClock = (sandbox, seconds) => call(sandbox, '/test/clock/advance', { seconds });

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
  if (waitFor) await page.locator(`intent-checkout[state="${waitFor}"]`).waitFor({ timeout: 15_000 });
  return page;
}

/** Types a card into the widget the way a customer would. */
export async function fillCard(page, { number = CARDS.success, expiry = '12/34', cvc = '123', name = 'Ada Lovelace' } = {}) {
  await page.locator('[data-testid="card-number"]').pressSequentially(number);
  await page.locator('[data-testid="card-expiry"]').pressSequentially(expiry);
  await page.locator('[data-testid="card-cvc"]').pressSequentially(cvc);
  await page.locator('[data-testid="card-name"]').fill(name);
}

/** The documented way to wait for an outcome: the element's `state` attribute. */
export async function waitForState(page, state, timeout = 15_000) {
  await page.locator(`intent-checkout[state="${state}"]`).waitFor({ timeout });
}

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
