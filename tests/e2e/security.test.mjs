// What the merchant or server sends is text, never markup; the whole page runs under a strict CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, openCheckout, fillCard, waitForState, snap, assertBooked, assertClean, CARDS, GUARD_MS, click } from './harness.mjs';

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

test('a hostile reference and description are rendered as text', async () => {
  const reference = '<img src=x onerror="window.__pwned=1">';
  const description = '<script>window.__pwned=2</script><b>bold</b> & "quotes"';
  const page = await openCheckout(browser, sandbox, { reference, description });
  assert.equal(await page.locator('[data-testid="reference"]').textContent(), reference);
  assert.equal(await page.locator('[data-testid="description"]').textContent(), description);
  const counts = await page.locator('intent-checkout').evaluate((el) => ({
    img: el.shadowRoot.querySelectorAll('img').length,
    script: el.shadowRoot.querySelectorAll('script').length,
    b: el.shadowRoot.querySelectorAll('b').length,
  }));
  assert.deepEqual(counts, { img: 0, script: 0, b: 0 });
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await snap(page, 'hostile-text');
  await page.close();
});

test('strict CSP: a full flow with a 3-D Secure challenge causes zero violations', async () => {
  const page = await openCheckout(browser, sandbox, { tipsAllowed: true });
  const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]').content);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
  await click(page.locator('[data-testid="tip-10"]'));
  await fillCard(page, { number: CARDS.threeDS });
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'action');
  await click(page.frameLocator('[data-testid="challenge-frame"]').locator('[data-testid="challenge-approve"]'));
  await waitForState(page, 'succeeded');
  // The widget's styles are a constructable sheet, not <style> or style="" (which the CSP would block).
  const styled = await page.locator('intent-checkout').evaluate((el) => ({
    adopted: el.shadowRoot.adoptedStyleSheets.length,
    // The card frame's height is set through the CSSOM (allowed under the CSP, unlike markup styles).
    inline: el.shadowRoot.querySelectorAll('style,[style]:not([data-testid="card-frame"])').length,
    color: getComputedStyle(el.shadowRoot.querySelector('.box')).borderTopStyle,
  }));
  assert.deepEqual(styled, { adopted: 1, inline: 0, color: 'solid' });
  await assertBooked(page, sandbox, [['charge', 2695]]); // £24.50 and a 10 % tip
  await assertClean(page); // the challenge frame included: it reports to the same watch
  await page.close();
});

/** Polls a condition the page reports asynchronously (events, console lines). */
async function until(check) {
  for (const guard = Date.now() + GUARD_MS; !check(); ) {
    assert.ok(Date.now() < guard, 'gave up waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('the watch reaches into the 3-D Secure frame: a violation or a token logged there fails a test', async () => {
  const page = await openCheckout(browser, sandbox);
  await fillCard(page, { number: CARDS.threeDS });
  await click(page.locator('[data-testid="pay-button"]'));
  await waitForState(page, 'action');
  await page.frameLocator('[data-testid="challenge-frame"]').locator('[data-testid="challenge-approve"]').waitFor();
  const frame = page.frames().find((f) => /\/challenge\//.test(f.url()));
  await assertClean(page);
  // A real violation inside the frame: its CSP allows no inline script.
  await frame.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__ran = 1';
    document.body.append(s);
  });
  await until(() => page.csp.length > 0);
  assert.match(page.csp[0], /^\/challenge\/.*script-src/);
  page.csp = [];
  // The same for the isolated card fields' frame, when the checkout has one.
  const cardFrame = page.frames().find((f) => f.url().includes('/card-frame/v1'));
  if (cardFrame) {
    // Its CSP also requires Trusted Types, so the inline script is refused as it is written.
    const threw = await cardFrame.evaluate(() => {
      const s = document.createElement('script');
      try {
        s.textContent = 'window.__ran = 1';
      } catch {
        return true;
      }
      document.body.append(s);
      return false;
    });
    assert.equal(threw, true, 'Trusted Types refused the inline script');
    await until(() => page.csp.length > 0);
    assert.match(page.csp[0], /^\/card-frame\/v1: require-trusted-types-for/);
    page.csp = [];
  }
  // The page's token, logged inside the frame, is a leak.
  const [secret] = page.secrets;
  await frame.evaluate((s) => console.log('token', s), secret);
  await until(() => page.seen.some((l) => l.startsWith('console: token')));
  await assert.rejects(assertClean(page), /a connect token leaked \(console\)/);
  await page.close();
});

test('dark colour scheme and reduced motion are honoured', async () => {
  const page = await openCheckout(browser, sandbox, {}, { waitFor: null });
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  await waitForState(page, 'form');
  const look = await page.locator('intent-checkout').evaluate((el) => {
    const box = getComputedStyle(el.shadowRoot.querySelector('.box'));
    return { bg: box.backgroundColor, dur: getComputedStyle(el.shadowRoot.querySelector('input')).transitionDuration };
  });
  assert.equal(look.bg, 'rgb(28, 31, 36)');
  assert.equal(look.dur, '0s');
  await fillCard(page);
  await snap(page, 'form-dark');
  await page.close();
});

test('theming: CSS custom properties and ::part() from the page reach the shadow DOM', async () => {
  const page = await openCheckout(browser, sandbox);
  // A merchant stylesheet (constructed here, as the CSP forbids an injected <style>).
  await page.evaluate(() => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('intent-checkout{--ic-accent:rgb(200, 0, 100)} intent-checkout::part(container){border-width:3px}');
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  });
  const look = await page.locator('intent-checkout').evaluate((el) => ({
    pay: getComputedStyle(el.shadowRoot.querySelector('[data-testid="pay-button"]')).backgroundColor,
    border: getComputedStyle(el.shadowRoot.querySelector('.box')).borderTopWidth,
  }));
  assert.deepEqual(look, { pay: 'rgb(200, 0, 100)', border: '3px' });
  await page.close();
});

test('a challenge URL that is not http(s) is never framed', async () => {
  const page = await openCheckout(browser, sandbox);
  // What a hostile API answer would make the core report: an action at a javascript: / data: URL.
  await page.locator('intent-checkout').evaluate((el) => {
    for (const url of ['javascript:parent.__pwned=1', 'data:text/html,<script>parent.__pwned=2</script>']) {
      el.checkout.dispatchEvent(new CustomEvent('requires_action', { detail: { url, intent: el.intent } }));
    }
  });
  assert.equal(await page.locator('[data-testid="challenge-modal"]').isVisible(), false);
  assert.equal(await page.locator('[data-testid="challenge-frame"]').getAttribute('src'), null);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  // A real http(s) challenge still opens (the guard is not a blanket refusal).
  await page.locator('intent-checkout').evaluate((el) => {
    el.checkout.dispatchEvent(new CustomEvent('requires_action', { detail: { url: location.origin + '/challenge/none', intent: el.intent } }));
  });
  await page.locator('[data-testid="challenge-modal"]').waitFor({ state: 'visible' });
  await page.close();
});
