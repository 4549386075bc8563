// `intent-checkout/testing`: what a merchant's own end-to-end suite needs to drive a page with the checkout
// against a local intent-sandbox, with Playwright (`@playwright/test`, `playwright` or `playwright-core`).
// Node only. Imports nothing from Playwright: it works with the `page` your runner gives you.
// This project's own end-to-end tests (tests/e2e/) run on it.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The sandbox's test cards (any future expiry, any name). */
export const TEST_CARDS = Object.freeze({
  success: card('4242424242424242'),
  mastercard: card('5555555555554444'),
  amex: card('378282246310005', '1234'),
  decline: card('4000000000000002'),
  insufficientFunds: card('4000000000009995'),
  threeDSecure: card('4000000000003220'),
  async: card('4000000000000077'),
  processingError: card('4000000000000119'),
  // Once saved, these ask for their security code again when paid with (`fillCvc`).
  cvcAgain: card('4000000000000101'),
  cvcAgainAmex: card('371449635398431', '1234'),
});

function card(number, cvc = '123') {
  return Object.freeze({ number, expiry: '12/34', cvc, name: 'Ada Lovelace' });
}

/**
 * Starts an intent-sandbox on a free port and resolves once it listens. The binary is `options.binary`,
 * else `$INTENT_SANDBOX_BIN`, else `intent-sandbox` on the PATH (`cargo install --path sandbox` in this
 * repository). `args` are passed on (e.g. `['--www-dir', 'dist']` to serve your built pages).
 */
export function startSandbox({ binary, args = [], secretKey = 'sk_sandbox_test', timeoutMs = 20_000, cwd } = {}) {
  const bin = binary ?? process.env.INTENT_SANDBOX_BIN ?? 'intent-sandbox';
  // --demo: createIntent() uses the demo's merchant routes, which exist only with it.
  const child = spawn(bin, ['--port', '0', '--secret-key', secretKey, '--demo', ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`intent-sandbox did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (error) => {
      clearTimeout(timer);
      reject(error);
    };
    child.once('error', (e) => fail(new Error(`cannot run ${bin}: ${e.message} (set INTENT_SANDBOX_BIN or options.binary)`)));
    child.once('exit', (code) => fail(new Error(`intent-sandbox exited early with code ${code}`)));
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      if (!url) return reject(new Error(`unexpected intent-sandbox output: ${line}`));
      child.removeAllListeners('exit');
      lines.on('line', () => {}); // keep draining stdout
      resolve(connectSandbox(url, { secretKey, stop: () => stopProcess(child) }));
    });
  });
}

function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}

/** A handle on a sandbox that is already running at `url` (its `--secret-key` for the test routes). */
export function connectSandbox(url, { secretKey = 'sk_sandbox_local', stop = async () => {} } = {}) {
  const base = url.replace(/\/$/, '');
  async function request(method, path, body, { auth = !path.startsWith('/demo/') && !path.includes('/public/') } = {}) {
    const headers = {};
    // Every POST is JSON, even an empty one: the sandbox refuses others (so browsers must preflight).
    if (body !== undefined || method === 'POST') headers['content-type'] = 'application/json';
    if (auth) headers.authorization = `Basic ${secretKey}`;
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
  return {
    url: base,
    secretKey,
    stop,
    request,
    /** Creates an intent as a merchant's server would; resolves to its id and connect token. */
    createIntent: (order = {}) => request('POST', '/demo/payment-intents', { amount: 1000, currencyCode: 'GBP', ...order }),
    /** Moves the test clock; every timer that falls due (token expiry, settlement, holds) runs before it answers. */
    advanceClock: (seconds) => request('POST', '/test/clock/advance', { seconds }),
    /** Injects faults (see the sandbox's `/test/faults`: errorBeforeCommit, dropAfterCommit, latencyMs, …). */
    setFaults: (config) => request('POST', '/test/faults', config),
    clearFaults: () => request('DELETE', '/test/faults'),
    /** The money ledger (charges, captures, refunds), for one intent or all. */
    ledger: (paymentIntentId) => request('GET', `/test/ledger${paymentIntentId ? `?paymentIntentId=${encodeURIComponent(paymentIntentId)}` : ''}`),
  };
}

/**
 * The card-fields frame, when the element renders one (isolated mode): its inputs carry the same
 * `data-testid`s as the in-page ones. Inside the element's shadow root; Playwright's CSS pierces it.
 */
export const CARD_FRAME = 'iframe[data-testid="card-frame"]';

/**
 * Clicks `locator` once the browser sends the pointer to it. Chromium routes input by the regions frames of
 * other origins last drew: right after such a frame loads, a click on it lands on the `<iframe>` in the page,
 * and right after one is hidden or moves, a click on what took its place goes to the frame. Either click is
 * lost, while Playwright's checks (run in the target's own document) all pass: in this project's suite about
 * one 3-D Secure click in six, and one Pay click in fifteen just after a saved card hid the card frame. So the
 * pointer is moved onto the element until the element hears it move (`pointermove`; `:hover` is not reliable:
 * Chromium sometimes leaves it unset), then clicked at the same spot.
 */
export async function clickWhenHit(locator, { timeout = 15_000 } = {}) {
  const deadline = Date.now() + timeout;
  const left = () => Math.max(1, deadline - Date.now());
  // Each try waits for the element to be visible, stable and enabled (two animation frames at least).
  for (;;) {
    await locator.evaluate((el) => {
      el.__pointerArrived = false;
      el.addEventListener('pointermove', () => { el.__pointerArrived = true; }, { once: true });
    }, undefined, { timeout: left() });
    await locator.hover({ timeout: left() });
    if (await locator.evaluate((el) => el.__pointerArrived)) break;
    if (Date.now() > deadline) throw new Error(`clickWhenHit: the pointer never reached the element within ${timeout} ms`);
  }
  await locator.click({ timeout: left() });
}

/** A page model of one `<intent-checkout>` on `page` (the first match of `selector`). */
export function checkoutOn(page, { selector = 'intent-checkout' } = {}) {
  const host = page.locator(selector).first();
  const inHost = (testid) => host.locator(`[data-testid="${testid}"]`);
  const model = {
    host,
    /** Where the card inputs live: the card-fields frame when there is one, else the element itself. */
    async fields() {
      await host.locator(`[data-testid="card-number"], ${CARD_FRAME}`).first().waitFor();
      return (await host.locator(CARD_FRAME).count()) > 0 ? host.frameLocator(CARD_FRAME) : host;
    },
    /** Types a card the way a customer would (number, expiry `MM/YY`, CVC, name). */
    async fillCard(card = TEST_CARDS.success) {
      const c = { ...TEST_CARDS.success, ...card };
      const fields = await model.fields();
      await fields.locator('[data-testid="card-number"]').pressSequentially(c.number);
      await fields.locator('[data-testid="card-expiry"]').pressSequentially(c.expiry);
      await fields.locator('[data-testid="card-cvc"]').pressSequentially(c.cvc);
      await fields.locator('[data-testid="card-name"]').fill(c.name);
    },
    /** Types a chosen saved card's security code into its CVC-only frame (isolated mode). */
    async fillCvc(cvc = '123') {
      await host.frameLocator('iframe[data-testid="cvc-frame"]').locator('[data-testid="card-cvc"]').pressSequentially(cvc);
    },
    /** Presses Pay (`clickWhenHit`: the card frame may just have moved or hidden). */
    pay: () => clickWhenHit(inHost('pay-button')),
    /** Waits until the element shows `state` (its `state` attribute: form, paying, succeeded, declined, …). */
    waitForState: (state, { timeout = 15_000 } = {}) =>
      page.locator(`${selector}[state="${state}"]`).first().waitFor({ timeout }),
    /** The state the element shows now. */
    state: () => host.getAttribute('state'),
    /** Approves or fails the 3-D Secure challenge in its frame (`clickWhenHit`: the frame has just loaded). */
    completeChallenge: (outcome = 'approve', { timeout = 15_000 } = {}) =>
      clickWhenHit(host.frameLocator('[data-testid="challenge-frame"]').locator(`[data-testid="challenge-${outcome}"]`), { timeout }),
    /** A locator for any `data-testid` inside the element (result-title, retry-button, …). */
    byTestId: inHost,
  };
  return model;
}
