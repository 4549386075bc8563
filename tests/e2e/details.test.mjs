// The intent's config honoured by the widget (issue 16): the customer's email and addresses collected
// when the config requires them (country rules and autocomplete tokens, checked in the core, sent with the
// payment, kept on the intent for the merchant); order lines, title and reference per config.details; only
// the brands the merchant accepts; expireAt on the test clock; redirectUrl / cancelUrl after an event the
// page can cancel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, openCheckout, fillCard, cardFields, waitForState, merchantOrigin, axeViolations, snap, CARDS, SECRET_KEY, click } from './harness.mjs';

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

const byId = (page, id) => page.locator(`[data-testid="${id}"]`);
const text = async (page, id) => (await byId(page, id).textContent()).trim();
const intentOf = (page) => page.locator('intent-checkout').evaluate((el) => el.intent);

/** The intent as the merchant's server reads it (Dojo's merchant route). */
async function merchantView(id) {
  const res = await fetch(`${sandbox.url}/payment-intents/${encodeURIComponent(id)}`, {
    headers: { authorization: `Basic ${SECRET_KEY}`, version: '2025-09-10' },
  });
  assert.equal(res.status, 200);
  return res.json();
}

const charged = async (id) => (await sandbox.ledger(id)).entries.length > 0;

test('email and billing address required: asked for with autocomplete tokens, checked in the core, sent, and kept for the merchant', async () => {
  const page = await openCheckout(browser, sandbox, { amount: 2450, locale: 'en-GB', collectEmail: true, collectBilling: true });
  assert.equal(await byId(page, 'email-input').getAttribute('autocomplete'), 'email');
  assert.equal(await byId(page, 'email-input').getAttribute('type'), 'email');
  const tokens = {};
  for (const key of ['countryCode', 'address1', 'address2', 'city', 'postcode']) tokens[key] = await byId(page, `billing-${key}`).getAttribute('autocomplete');
  assert.deepEqual(tokens, {
    countryCode: 'billing country', address1: 'billing address-line1', address2: 'billing address-line2',
    city: 'billing address-level2', postcode: 'billing postal-code',
  });
  assert.equal(await byId(page, 'billing-countryCode').inputValue(), 'GB', 'the locale\'s region first');
  assert.equal(await byId(page, 'shipping-address').count(), 0, 'shipping is not asked for');
  await fillCard(page);

  // Nothing filled in: every required field says so, and nothing is charged.
  await click(byId(page, 'pay-button'));
  await byId(page, 'email-input-error').filter({ hasText: /required/ }).waitFor();
  assert.match(await text(page, 'billing-address1-error'), /required/);
  assert.match(await text(page, 'billing-postcode-error'), /required/);
  assert.equal(await byId(page, 'email-input').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('intent-checkout').getAttribute('state'), 'form');

  // A wrong email and a postcode of another country are refused by the same rules.
  await byId(page, 'email-input').fill('ada@example');
  await byId(page, 'billing-address1').fill('10 Downing Street');
  await byId(page, 'billing-city').fill('London');
  await byId(page, 'billing-postcode').fill('90210');
  await click(byId(page, 'pay-button'));
  await byId(page, 'email-input-error').filter({ hasText: /name@example\.com/ }).waitFor();
  assert.match(await text(page, 'billing-postcode-error'), /postcode/);
  await snap(page, 'details-errors');
  const id = (await intentOf(page)).id;
  assert.equal(await charged(id), false);

  await byId(page, 'email-input').fill('ada@example.com');
  await byId(page, 'billing-postcode').fill('sw1a2aa');
  await click(byId(page, 'pay-button'));
  await waitForState(page, 'succeeded');
  const seen = await merchantView(id);
  assert.equal(seen.customer?.emailAddress, 'ada@example.com');
  assert.deepEqual(seen.billingAddress, { address1: '10 Downing Street', city: 'London', postcode: 'SW1A 2AA', countryCode: 'GB' }, 'normalised by the core');
  assert.deepEqual(await axeViolations(page), []);
  await page.close();
});

test('shipping details required: the country sets the form (US state list and ZIP), and the merchant gets them', async () => {
  const page = await openCheckout(browser, sandbox, { amount: 1800, currencyCode: 'USD', locale: 'en-US', collectShipping: true });
  assert.equal(await byId(page, 'shipping-name').getAttribute('autocomplete'), 'shipping name');
  await byId(page, 'shipping-countryCode').selectOption('US');
  assert.match(await page.locator('label[for="ic-shipping-postcode"]').textContent(), /ZIP/);
  assert.equal(await byId(page, 'shipping-state').evaluate((el) => el.tagName), 'SELECT', 'a list of states');
  await byId(page, 'shipping-name').fill('Ada Lovelace');
  await byId(page, 'shipping-address1').fill('1 Main St');
  await byId(page, 'shipping-city').fill('Springfield');
  await byId(page, 'shipping-state').selectOption('IL');
  await byId(page, 'shipping-postcode').fill('6270');
  await fillCard(page);
  await click(byId(page, 'pay-button'));
  await byId(page, 'shipping-postcode-error').filter({ hasText: /postcode/ }).waitFor();
  await byId(page, 'shipping-postcode').fill('62701');
  await click(byId(page, 'pay-button'));
  await waitForState(page, 'succeeded');
  const seen = await merchantView((await intentOf(page)).id);
  assert.deepEqual(seen.shippingDetails, {
    name: 'Ada Lovelace',
    address: { address1: '1 Main St', city: 'Springfield', state: 'IL', postcode: '62701', countryCode: 'US' },
  });
  await page.close();
});

test('a brand the merchant does not accept is named before Pay, and nothing is charged', async () => {
  const page = await openCheckout(browser, sandbox, { amount: 1200, locale: 'en-GB', cardSchemes: 'VISA,MASTERCARD' });
  assert.equal(await text(page, 'accepted-brands'), 'We accept Visa and Mastercard.');
  await fillCard(page, { number: CARDS.amex, cvc: '1234' });
  await byId(page, 'card-brand-error').filter({ hasText: 'We don’t accept American Express' }).waitFor();
  await click(byId(page, 'pay-button'));
  assert.equal(await page.locator('intent-checkout').getAttribute('state'), 'form');
  assert.equal(await charged((await intentOf(page)).id), false);
  if (page.fields === 'isolated') {
    // Forced past the widget (the page's own code paying with the frame's card): the API refuses the
    // scheme as a problem with its code, not a decline.
    const forced = await page.locator('intent-checkout').evaluate(async (el) => {
      const r = await el.checkout.pay();
      return { code: r.error?.code, apiCode: r.error?.apiCode, status: r.intent?.status };
    });
    assert.deepEqual(forced, { code: 'validation_error', apiCode: 'card_scheme_not_accepted', status: 'Created' }, 'still payable');
    assert.equal(await charged((await intentOf(page)).id), false);
    assert.equal((await intentOf(page)).lastPaymentError ?? null, null, 'not a decline');
  }
  // Another card clears it and pays.
  const number = cardFields(page).locator('[data-testid="card-number"]');
  await number.fill('');
  await number.pressSequentially(CARDS.success);
  await cardFields(page).locator('[data-testid="card-cvc"]').fill('123');
  await byId(page, 'card-brand-error').filter({ hasText: /^$/ }).waitFor();
  await click(byId(page, 'pay-button'));
  await waitForState(page, 'succeeded');
  await page.close();
});

test('order lines, taxes, title and reference are shown as the config says, as text', async () => {
  const page = await openCheckout(browser, sandbox, { amount: 2400, locale: 'en-GB', orderLines: true, title: '<b>Cam’s Café</b>', reference: 'Order 7' });
  assert.equal(await text(page, 'title'), '<b>Cam’s Café</b>', 'merchant text is never HTML');
  assert.equal(await page.locator('intent-checkout').evaluate((el) => el.shadowRoot.querySelector('b')), null);
  assert.equal(await text(page, 'reference'), 'Order 7');
  const items = await byId(page, 'item-line').allTextContents();
  assert.equal(items.length, 2);
  assert.match(items[0], /Espresso beans.*£13\.33/);
  assert.match(items[1], /Paper filters × 2.*£6\.67/);
  assert.match(await text(page, 'tax-line'), /VAT 20%.*£4\.00/);
  assert.equal(await text(page, 'total'), '£24.00');
  await snap(page, 'order-lines');
  await page.close();
});

test('an intent past its expireAt (test clock) is shown as expired', async () => {
  const page = await openCheckout(browser, sandbox, { amount: 1000, locale: 'en-GB', expireInSeconds: 120 });
  await sandbox.advanceClock(121);
  await waitForState(page, 'expired');
  assert.equal(await text(page, 'result-title'), 'Payment expired');
  await page.close();
});

test('after success the element says `redirect` (cancelable) and then follows redirectUrl', async () => {
  const origin = merchantOrigin(sandbox);
  const page = await openCheckout(browser, sandbox, { amount: 1000, redirectUrl: `${origin}/thanks?order=1` });
  await page.route(`${origin}/thanks?order=1`, (route) => route.fulfill({ contentType: 'text/html', body: '<title>thanks</title>' }));
  await fillCard(page);
  const left = page.waitForURL(`${origin}/thanks?order=1`);
  await click(byId(page, 'pay-button'));
  await left;
  assert.equal(await page.title(), 'thanks');
  await page.close();

  // A single-page app takes over: preventDefault keeps the page where it is.
  const spa = await openCheckout(browser, sandbox, { amount: 1000, redirectUrl: `${origin}/thanks?order=2` });
  await spa.evaluate(() => document.addEventListener('redirect', (e) => {
    window.__redirect = e.detail;
    e.preventDefault();
  }));
  await fillCard(spa);
  await click(byId(spa, 'pay-button'));
  await waitForState(spa, 'succeeded');
  await spa.waitForFunction(() => window.__redirect);
  assert.deepEqual(await spa.evaluate(() => window.__redirect), { url: `${origin}/thanks?order=2`, reason: 'succeeded' });
  assert.equal(new URL(spa.url()).pathname, '/');
  await spa.close();
});

test('Cancel follows cancelUrl; without one there is no Cancel', async () => {
  const origin = merchantOrigin(sandbox);
  const plain = await openCheckout(browser, sandbox, { amount: 1000 });
  assert.equal(await byId(plain, 'cancel-button').isVisible(), false);
  await plain.close();
  const page = await openCheckout(browser, sandbox, { amount: 1000, cancelUrl: `${origin}/cart` });
  await page.route(`${origin}/cart`, (route) => route.fulfill({ contentType: 'text/html', body: '<title>cart</title>' }));
  const left = page.waitForURL(`${origin}/cart`);
  await click(byId(page, 'cancel-button'));
  await left;
  await page.close();
});
