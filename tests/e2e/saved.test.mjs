// Saving a card (issue 13): the element in setup mode (terms, consent, 3-D Secure, the merchant's charge
// later), and a returning customer's saved cards (listed, paid with, kept, removed, expired, refused), on a
// merchant page of another origin than the API (isolated fields). Neither the connect token nor the
// customer secret may reach a URL, storage or the console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSandbox, launchBrowser, merchantPage, merchantOrigin, newPage, eventLog, strictEmbed, fillCard, cardFields,
  waitForState, assertClean, axeViolations, fillCvc, HOSTILE, CARDS, FIELDS, GUARD_MS, click, checkBox,
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

const TERMS = 'A no-show costs £25. <b>Not bold</b>';

/** A merchant server's call: Basic auth with the secret key and Dojo's `version` header. */
async function merchant(method, path, body) {
  const res = await fetch(sandbox.url + path, {
    method,
    headers: { authorization: `Basic ${sandbox.secretKey}`, version: '2025-09-10', 'content-type': 'application/json' },
    body: body === undefined ? (method === 'POST' ? '{}' : undefined) : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  assert.ok(res.ok, `${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const newCustomer = () => merchant('POST', '/customers', { name: 'Ada', emailAddress: 'ada@example.com' }).then((c) => c.id);
const customerSecret = (id) => merchant('POST', `/customers/${id}/create-secret`).then((s) => s.secret);
const setupIntent = (customer, extra = {}) => merchant('POST', '/setup-intents', {
  reference: 'Table 4, Friday 8pm', merchantInitiatedTransactionType: 'NoShow', terms: TERMS,
  intendedAmount: { value: 2500, currencyCode: 'GBP' }, ...(customer ? { customer: { id: customer } } : {}), ...extra,
});
const paymentIntent = (customer, value = 1800) => merchant('POST', '/payment-intents', {
  amount: { value, currencyCode: 'GBP' }, reference: 'Dinner', captureMode: 'Auto', customer: { id: customer },
});
const savedCards = (customer, secret) => fetch(`${sandbox.url}/customers/public/${customer}/payment-methods`, {
  headers: { authorization: `Basic ${secret}` },
}).then((r) => r.json());

/** Saves `number` for `customer` through a setup intent, as the page would confirm it: its id. */
async function saveByApi(customer, number, cvc = '123') {
  const si = await setupIntent(customer);
  const r = await fetch(`${sandbox.url}/setup-intents/public/${si.id}/confirm`, {
    method: 'POST',
    headers: { authorization: `Bearer ${si.clientSessionSecret}`, 'content-type': 'application/json', 'idempotency-key': `k-${si.id}` },
    body: JSON.stringify({ paymentMethod: { card: { number, expiryMonth: 12, expiryYear: 2034, cvc, cardholderName: 'Ada' } }, mitConsentGiven: true }),
  });
  assert.equal(r.status, 200, await r.text());
  return (await merchant('GET', `/setup-intents/${si.id}`)).paymentDetails?.paymentMethodId;
}

// The sandbox's cards whose saved copies ask for their CVC again (`cvcRequired`), from the test kit.
const CVC_VISA = CARDS.cvcAgain;
const CVC_AMEX = CARDS.cvcAgainAmex;

/**
 * A merchant page with the element: `attrs` on it, the connect token (and customer secret) set as
 * properties by a script file, as the README says. Every `saved`/`failed` event is logged in `__events`.
 * `hostile`: the harness's page script that watches for card data (`window.__seen`) runs first.
 */
async function embed({ attrs, token, secret, hostile = false }) {
  const page = await merchantPage(browser, sandbox, '/book',
    `${hostile ? '<script src="/hostile.js"></script>' : ''}${strictEmbed(sandbox, attrs)}<script src="/secrets.js"></script>`,
    {
      '/hostile.js': HOSTILE,
      '/secrets.js': `const el = document.querySelector('intent-checkout');
window.__events = [];
for (const t of ['saved', 'failed', 'succeeded']) el.addEventListener(t, (e) => window.__events.push(t + ':' + e.detail.canonical));
${secret ? `el.customerSecret = ${JSON.stringify(secret)};` : ''}
el.connectToken = ${JSON.stringify(token)};`,
    });
  page.secrets.add(token);
  if (secret) page.secrets.add(secret);
  return page;
}

const shadow = (page, testid) => page.locator(`intent-checkout [data-testid="${testid}"]`);
const events = (page) => page.evaluate(() => window.__events);

/** Polls the page until `check(value)` holds for what `read()` resolves to (events arrive asynchronously). */
async function until(read, check) {
  for (const guard = Date.now() + GUARD_MS; ; ) {
    const v = await read();
    if (check(v)) return v;
    assert.ok(Date.now() < guard, `never happened; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setImmediate(r));
  }
}

async function saveCard(page, card = {}) {
  await checkBox(shadow(page, 'save-card'));
  await fillCard(page, card);
  await click(shadow(page, 'pay-button'));
}

test('setup: the terms and amount, consent required, the card saved, then the no-show charge shows', async () => {
  const customer = await newCustomer();
  const si = await setupIntent(customer);
  const page = await embed({ attrs: `setup-intent-id="${si.id}" locale="en-GB"`, token: si.clientSessionSecret });
  await waitForState(page, 'form');
  // The merchant's terms as text, and what may be charged.
  assert.equal(await shadow(page, 'description').textContent(), TERMS);
  assert.equal(await page.locator('intent-checkout').evaluate((el) => el.shadowRoot.querySelectorAll('b').length), 0);
  assert.equal(await shadow(page, 'total').textContent(), '£25.00');
  assert.equal(await shadow(page, 'pay-button').textContent(), 'Save card');
  // Without consent nothing is sent.
  await fillCard(page);
  await click(shadow(page, 'pay-button'));
  assert.match(await shadow(page, 'form-error').textContent(), /Agree to the terms/);
  assert.equal((await merchant('GET', `/setup-intents/${si.id}`)).status, 'Created');
  await checkBox(shadow(page, 'save-card'));
  await click(shadow(page, 'pay-button'));
  await waitForState(page, 'saved');
  assert.deepEqual(await events(page), ['saved:saved']);
  assert.match(await shadow(page, 'result-message').textContent(), /£25\.00/);
  const saved = await merchant('GET', `/setup-intents/${si.id}`);
  assert.equal(saved.status, 'Authorized');
  // The restaurant charges the no-show fee: one charge in the ledger, and the widget shows it.
  const pi = await merchant('POST', '/payment-intents', { amount: { value: 2500, currencyCode: 'GBP' }, reference: 'No-show', setupIntentId: si.id });
  const charge = await merchant('POST', `/payment-intents/${pi.id}/charge`);
  assert.equal(charge.status, 'Successful');
  await waitForState(page, 'charged');
  assert.match(await shadow(page, 'result-message').textContent(), /£25\.00/);
  const { entries } = await sandbox.ledger(pi.id);
  assert.deepEqual(entries.map((e) => [e.movement, e.amount.value]), [['charge', 2500]]);
  await assertClean(page);
  await page.close();
});

test('setup with 3-D Secure: a failed challenge is declined, another attempt approved saves the card', async () => {
  const si = await setupIntent();
  const page = await embed({ attrs: `setup-intent-id="${si.id}"`, token: si.clientSessionSecret });
  await waitForState(page, 'form');
  await saveCard(page, { number: CARDS.threeDS });
  await waitForState(page, 'action');
  const challenge = page.frameLocator('[data-testid="challenge-frame"]');
  await click(challenge.locator('[data-testid="challenge-fail"]'));
  await waitForState(page, 'declined');
  assert.deepEqual(await events(page), ['failed:requires_payment_method']);
  assert.equal((await merchant('GET', `/setup-intents/${si.id}`)).status, 'Created');
  await click(shadow(page, 'retry-button'));
  await waitForState(page, 'form');
  // Another card: the number and CVC start empty; the expiry, name and consent stay.
  assert.equal(await shadow(page, 'save-card').isChecked(), true);
  const fields = cardFields(page);
  // The frame clears the number when the page's reset reaches it (its own process): wait, then type.
  for (const guard = Date.now() + GUARD_MS; (await fields.locator('[data-testid="card-number"]').inputValue()) !== ''; ) {
    assert.ok(Date.now() < guard, 'the number was never cleared');
  }
  await fields.locator('[data-testid="card-number"]').pressSequentially(CARDS.threeDS);
  await fields.locator('[data-testid="card-cvc"]').pressSequentially('123');
  await click(shadow(page, 'pay-button'));
  await waitForState(page, 'action');
  await click(challenge.locator('[data-testid="challenge-approve"]'));
  await waitForState(page, 'saved');
  assert.deepEqual(await events(page), ['failed:requires_payment_method', 'saved:saved']);
  assert.equal((await merchant('GET', `/setup-intents/${si.id}`)).status, 'Authorized');
  await assertClean(page);
  await page.close();
});

// The sandbox clock, in milliseconds.
const clockNow = async () => (await sandbox.request('GET', '/test/clock')).unixMillis;

test('a setup intent that ends without a charge says so in its own words, never a payment\'s: cancelled, expired, released, card expired', async () => {
  const cases = [
    {
      name: 'cancelled before a card was saved (DELETE)',
      start: () => setupIntent(),
      end: (si) => merchant('DELETE', `/setup-intents/${si.id}`),
      wire: 'Canceled', state: 'canceled', title: 'Card not saved',
      text: 'Saving your card was cancelled. Your card was not saved and no money was taken.',
    },
    {
      name: 'expired before a card was saved (expireAt, test clock)',
      start: async () => setupIntent(undefined, { expireAt: new Date(await clockNow() + 120_000).toISOString() }),
      end: () => sandbox.advanceClock(121),
      wire: 'Expired', state: 'expired', title: 'Request expired',
      text: 'The time to save your card has run out, so it was not saved. Return to the shop to start again.',
    },
    {
      name: 'closed by the merchant after the card was saved (DELETE)',
      start: () => setupIntent(),
      save: {},
      end: (si) => merchant('DELETE', `/setup-intents/${si.id}`),
      wire: 'Closed', state: 'reversed', title: 'Saved card released',
      text: 'The shop no longer keeps your card under these terms. You have not been charged.',
    },
    {
      // The card expires at the end of the clock's month: move the clock to ten minutes before it (the
      // connect token lives 30 minutes), save a card with that expiry, then pass it.
      name: 'the saved card expired (test clock)',
      start: async () => {
        const now = new Date(await clockNow());
        const monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
        const lead = Math.floor((monthEnd - now.getTime()) / 1000) - 600;
        if (lead > 0) await sandbox.advanceClock(lead);
        return setupIntent();
      },
      save: { expiry: async () => {
        const d = new Date(await clockNow());
        return `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCFullYear()).slice(-2)}`;
      } },
      end: () => sandbox.advanceClock(660),
      wire: 'CardExpired', state: 'card_expired', title: 'Card expired',
      text: 'The saved card has expired and can no longer be charged.',
    },
  ];
  for (const c of cases) {
    const si = await c.start();
    const page = await embed({ attrs: `setup-intent-id="${si.id}" locale="en-GB"`, token: si.clientSessionSecret });
    await waitForState(page, 'form');
    if (c.save) {
      await saveCard(page, c.save.expiry ? { expiry: await c.save.expiry() } : {});
      await waitForState(page, 'saved');
    }
    await c.end(si);
    await waitForState(page, c.state);
    assert.equal((await merchant('GET', `/setup-intents/${si.id}?returnCanceled=true`)).status, c.wire, c.name);
    assert.deepEqual(
      [await shadow(page, 'result-title').textContent(), await shadow(page, 'result-message').textContent()],
      [c.title, c.text], c.name);
    // Screen readers hear the same words.
    await until(() => shadow(page, 'announcer').textContent(), (t) => t === `${c.title}. ${c.text}`);
    assert.deepEqual(await events(page), c.save ? ['saved:saved'] : [], c.name);
    assert.deepEqual(await axeViolations(page), [], c.name);
    await assertClean(page);
    await page.close();
  }
});

test('"save this card" on a payment, then the next checkout pays with it and can remove it', async () => {
  const customer = await newCustomer();
  const first = await paymentIntent(customer);
  let page = await embed({ attrs: `payment-intent-id="${first.id}" customer-id="${customer}"`, token: first.clientSessionSecret, secret: await customerSecret(customer) });
  await waitForState(page, 'form');
  // No card saved yet: no list, and the consent is offered.
  assert.equal(await shadow(page, 'saved-cards').isVisible(), false);
  await saveCard(page);
  await waitForState(page, 'succeeded');
  await assertClean(page);
  await page.close();

  const secret = await customerSecret(customer);
  const [card] = (await savedCards(customer, secret)).savedPaymentMethods;
  assert.equal(card.cardDetails.pan, '424242****4242');
  const second = await paymentIntent(customer, 4200);
  page = await embed({ attrs: `payment-intent-id="${second.id}" customer-id="${customer}"`, token: second.clientSessionSecret, secret });
  await waitForState(page, 'form');
  const row = shadow(page, 'saved-card');
  await row.waitFor();
  assert.equal(await row.textContent(), 'Visa ending 4242, expires 12/34Remove');
  // The saved card is chosen: the card fields and the consent are hidden.
  assert.equal(await shadow(page, 'saved-card-radio').isChecked(), true);
  assert.equal(await shadow(page, 'card-slot').isVisible(), false);
  assert.equal(await shadow(page, 'save-card').isVisible(), false);
  assert.deepEqual(await axeViolations(page), []);
  // By keyboard: the arrow key moves to "a new card" (its fields and the consent show), and back.
  await shadow(page, 'saved-card-radio').focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await shadow(page, 'new-card-radio').isChecked(), true);
  await shadow(page, 'card-slot').waitFor();
  await shadow(page, 'save-card').waitFor();
  await page.keyboard.press('ArrowUp');
  assert.equal(await shadow(page, 'saved-card-radio').isChecked(), true);
  await shadow(page, 'card-slot').waitFor({ state: 'hidden' });
  await click(shadow(page, 'pay-button'));
  await waitForState(page, 'succeeded');
  const { entries } = await sandbox.ledger(second.id);
  assert.deepEqual(entries.map((e) => [e.movement, e.amount.value]), [['charge', 4200]]);
  await assertClean(page);
  await page.close();

  // A third checkout removes it: gone from the list and from the API.
  const third = await paymentIntent(customer);
  page = await embed({ attrs: `payment-intent-id="${third.id}" customer-id="${customer}"`, token: third.clientSessionSecret, secret });
  await shadow(page, 'saved-card').waitFor();
  await click(shadow(page, 'saved-card-remove'));
  await shadow(page, 'saved-card').waitFor({ state: 'detached' });
  assert.deepEqual((await savedCards(customer, secret)).savedPaymentMethods, []);
  // Back to a new card: the fields are shown again.
  await shadow(page, 'card-slot').waitFor();
  await assertClean(page);
  await page.close();
});

test('an expired saved card is shown as expired, cannot be chosen, and is refused without a request', async () => {
  const customer = await newCustomer();
  const year = new Date((await sandbox.request('GET', '/test/clock')).now ?? Date.now()).getUTCFullYear();
  for (const expiry of [`12/${String(year + 1).slice(-2)}`, '12/34']) {
    const si = await setupIntent(customer);
    const [month, yy] = expiry.split('/');
    const r = await fetch(`${sandbox.url}/setup-intents/public/${si.id}/confirm`, {
      method: 'POST',
      headers: { authorization: `Bearer ${si.clientSessionSecret}`, 'content-type': 'application/json', 'idempotency-key': `k-${si.id}` },
      body: JSON.stringify({ paymentMethod: { card: { number: CARDS.mastercard, expiryMonth: Number(month), expiryYear: 2000 + Number(yy), cvc: '123', cardholderName: 'Ada' } }, mitConsentGiven: true }),
    });
    assert.equal(r.status, 200, await r.text());
  }
  // Two years later (the sandbox clock): the first card has expired.
  await sandbox.advanceClock(2 * 366 * 24 * 3600);
  const pi = await paymentIntent(customer);
  const page = await embed({ attrs: `payment-intent-id="${pi.id}" customer-id="${customer}"`, token: pi.clientSessionSecret, secret: await customerSecret(customer) });
  await waitForState(page, 'form');
  await until(() => shadow(page, 'saved-card').count(), (n) => n === 2);
  const rows = await shadow(page, 'saved-card').evaluateAll((els) => els.map((el) => [el.dataset.expired ?? null, el.querySelector('input').disabled, el.querySelector('input').checked, el.textContent]));
  const expired = rows.find((r) => r[0] === 'true');
  const usable = rows.find((r) => r[0] === null);
  assert.deepEqual([expired[1], expired[2]], [true, false]);
  assert.match(expired[3], /^Mastercard ending 4444, expired 12\//);
  assert.deepEqual([usable[1], usable[2]], [false, true]);
  // From code, the expired card is refused before any request.
  const refused = await page.locator('intent-checkout').evaluate(async (el) => {
    const { cards } = await el.checkout.listSaved();
    const old = cards.find((c) => c.expired);
    const before = performance.getEntriesByType('resource').length;
    const r = await el.checkout.paySaved(old.id);
    return { code: r.error?.code, apiCode: r.error?.apiCode, requests: performance.getEntriesByType('resource').length - before };
  });
  assert.deepEqual(refused, { code: 'validation_error', apiCode: 'expired_card', requests: 0 });
  await click(shadow(page, 'pay-button'));
  await waitForState(page, 'succeeded');
  await assertClean(page);
  await page.close();
});

test('a customer secret that expired, or is another customer\'s, shows no cards and a new card still pays', async () => {
  const ada = await newCustomer();
  const bob = await newCustomer();
  const expiredSecret = await customerSecret(ada);
  await sandbox.advanceClock(31 * 60); // past the secret's 30 minutes
  // The API refuses an expired secret as unknown (401) and another customer's as forbidden (403).
  for (const [customer, secret, status] of [[ada, expiredSecret, 401], [ada, await customerSecret(bob), 403]]) {
    const pi = await paymentIntent(customer);
    const page = await embed({ attrs: `payment-intent-id="${pi.id}" customer-id="${customer}"`, token: pi.clientSessionSecret, secret });
    await waitForState(page, 'form');
    await until(() => shadow(page, 'saved-error').textContent(), (t) => t.length > 0);
    assert.match(await shadow(page, 'saved-error').textContent(), /saved cards cannot be shown/);
    const r = await page.locator('intent-checkout').evaluate((el) => el.checkout.listSaved().then((x) => x.error?.code));
    assert.equal(r, 'customer_secret_invalid');
    await fillCard(page);
    await click(shadow(page, 'pay-button'));
    await waitForState(page, 'succeeded');
    // The browser logs each refused request itself; nothing else may be logged.
    const refused = page.problems.filter((p) => p.includes(`status of ${status}`));
    assert.equal(refused.length, 2, 'the list, and listSaved() again');
    page.problems = page.problems.filter((p) => !refused.includes(p));
    await assertClean(page);
    await page.close();
  }
});

test('demo shop: book a table, the restaurant charges the no-show fee, then the returning customer pays with the saved card', async () => {
  const page = await newPage(browser);
  // The watch learns connect tokens from the shop's answers; the customer secret too, for assertClean.
  page.on('response', async (r) => {
    if (r.url().endsWith('/create-secret')) page.secrets.add((await r.json()).secret);
  });
  const query = new URLSearchParams({ fields: page.fields, ...(page.fields === 'isolated' ? { apiBase: sandbox.url } : {}) });
  await page.goto(`${merchantOrigin(sandbox)}/?${query}`);
  await page.locator('[data-testid="booking-fee"]').fill('3000');
  await click(page.locator('[data-testid="book-button"]'));
  await waitForState(page, 'form');
  assert.match(await shadow(page, 'description').textContent(), /no-show fee of £30\.00/);
  assert.equal(await shadow(page, 'total').textContent(), '£30.00');
  await saveCard(page);
  await waitForState(page, 'saved');
  // The back office offers only the no-show charge for a booking.
  const noShow = page.locator('[data-testid="merchant-no-show"]');
  assert.equal(await page.locator('[data-testid="merchant-capture"]').isVisible(), false);
  await click(noShow);
  await waitForState(page, 'charged');
  assert.match(await shadow(page, 'result-message').textContent(), /£30\.00/);
  const charged = (await eventLog(page)).find((l) => l.includes('merchant no-show charge'));
  assert.match(charged, /"status":"Successful"/);
  const pi = JSON.parse(charged.slice(charged.indexOf('{'))).paymentIntentId;
  const { entries } = await sandbox.ledger(pi);
  assert.deepEqual(entries.map((e) => [e.movement, e.amount.value]), [['charge', 3000]]);
  // The customer comes back: the saved card is offered and pays for dinner.
  await click(page.locator('[data-testid="returning-button"]'));
  await shadow(page, 'saved-card').waitFor();
  await waitForState(page, 'form');
  assert.equal(await shadow(page, 'saved-card-radio').isChecked(), true);
  await click(shadow(page, 'pay-button'));
  await waitForState(page, 'succeeded');
  const dinner = await page.locator('intent-checkout').evaluate((el) => el.intent.id);
  assert.deepEqual((await sandbox.ledger(dinner)).entries.map((e) => [e.movement, e.amount.value]), [['charge', 1800]]);
  // The customer secret and both connect tokens stayed out of every URL, storage and the console.
  assert.equal(page.secrets.size, 4); // the booking's, the no-show payment's and the dinner's tokens, the customer secret
  await assertClean(page);
  await page.close();
});

test('demo shop: a table booked with a card that asks for its CVC again, then the returning customer is asked for it (isolated) or pays with a new card (inline)', async () => {
  const page = await newPage(browser);
  page.on('response', async (r) => {
    if (r.url().endsWith('/create-secret')) page.secrets.add((await r.json()).secret);
  });
  const query = new URLSearchParams({ fields: page.fields, ...(page.fields === 'isolated' ? { apiBase: sandbox.url } : {}) });
  await page.goto(`${merchantOrigin(sandbox)}/?${query}`);
  await click(page.locator('[data-testid="book-button"]'));
  await waitForState(page, 'form');
  await saveCard(page, { number: CVC_VISA });
  await waitForState(page, 'saved');
  await click(page.locator('[data-testid="returning-button"]'));
  await shadow(page, 'saved-card').waitFor();
  await waitForState(page, 'form');
  assert.equal(await shadow(page, 'saved-card').getAttribute('data-cvc-required'), 'true');
  if (page.fields === 'isolated') {
    // The saved card is chosen, and its security code is asked for in the CVC-only frame.
    assert.equal(await shadow(page, 'saved-card-radio').isChecked(), true);
    assert.equal(await shadow(page, 'saved-card').textContent(), 'Visa ending 0101, expires 12/34Remove');
    await until(() => page.locator('[data-testid="cvc-frame"]').getAttribute('title'), (t) => t === 'Security code for Visa ending 0101, expires 12/34');
    assert.equal(await shadow(page, 'card-slot').isVisible(), false);
    // Pay without the code: the frame says so and nothing is charged.
    await click(shadow(page, 'pay-button'));
    const error = page.frameLocator('[data-testid="cvc-frame"]').locator('[data-testid="card-cvc-error"]');
    await until(() => error.textContent(), (t) => t.length > 0);
    assert.equal(await page.locator('intent-checkout').getAttribute('state'), 'form');
    await fillCvc(page, '123');
  } else {
    // Inline fields cannot take its code: shown, not selectable; a new card pays.
    assert.equal(await shadow(page, 'saved-card').locator('label').textContent(), 'Visa ending 0101, expires 12/34: needs its security code, which this checkout cannot take');
    assert.equal(await shadow(page, 'saved-card-radio').isDisabled(), true);
    assert.equal(await shadow(page, 'new-card-radio').isChecked(), true);
    await fillCard(page);
  }
  await click(shadow(page, 'pay-button'));
  await waitForState(page, 'succeeded');
  const dinner = await page.locator('intent-checkout').evaluate((el) => el.intent.id);
  assert.deepEqual((await sandbox.ledger(dinner)).entries.map((e) => [e.movement, e.amount.value]), [['charge', 1800]]);
  assert.equal((await merchant('GET', `/payment-intents/${dinner}`)).paymentDetails.card.cardNumber,
    page.fields === 'isolated' ? '400000****0101' : '424242****4242');
  assert.equal(page.secrets.size, 3); // the booking's and the dinner's tokens, the customer secret
  await assertClean(page);
  await page.close();
});

test('headless: createCheckout saves a card for a setup intent, then lists, pays with and removes it', { skip: FIELDS === 'inline' ? 'the isolated run has it' : false }, async () => {
  const customer = await newCustomer();
  const si = await setupIntent(customer);
  const pi = await paymentIntent(customer, 2100);
  const secret = await customerSecret(customer);
  const app = `
    import { createCheckout } from '/pkg/index.js';
    const apiBase = ${JSON.stringify(sandbox.url)};
    const setup = await createCheckout({ apiBase, setupIntentId: ${JSON.stringify(si.id)}, connectToken: ${JSON.stringify(si.clientSessionSecret)} });
    window.__saved = [];
    setup.addEventListener('saved', (e) => __saved.push(e.detail.canonical));
    const fields = setup.mountCardFields('#card');
    await fields.ready;
    document.querySelector('#save').addEventListener('click', async () => {
      const without = await setup.pay();
      const saved = await setup.pay(null, { saveCard: true });
      const pay = await createCheckout({ apiBase, paymentIntentId: ${JSON.stringify(pi.id)}, connectToken: ${JSON.stringify(pi.clientSessionSecret)},
        customerId: ${JSON.stringify(customer)}, customerSecret: ${JSON.stringify(secret)} });
      const listed = await pay.listSaved();
      const paid = await pay.paySaved(listed.cards[0].id);
      const left = await pay.removeSaved(listed.cards[0].id);
      window.__result = { without: [without.error?.code, without.error?.param], saved: saved.canonical,
        listed: listed.cards.map((c) => [c.brand, c.last4, c.expired]), paid: paid.canonical, left: left.cards.length };
    });
    window.__ready = true;`;
  const page = await merchantPage(browser, sandbox, '/own-ui', `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ${sandbox.url}; frame-src ${sandbox.url}">
<div id="card"></div><button id="save">Save</button><script type="module" src="/app.js"></script>`, { '/app.js': app });
  page.secrets.add(si.clientSessionSecret).add(pi.clientSessionSecret).add(secret);
  await page.waitForFunction(() => window.__ready === true);
  await fillCard(page);
  await click(page.locator('#save'));
  await page.waitForFunction(() => window.__result);
  assert.deepEqual(await page.evaluate(() => window.__result), {
    without: ['validation_error', 'mitConsentGiven'], saved: 'saved', listed: [['visa', '4242', false]], paid: 'succeeded', left: 0,
  });
  assert.deepEqual(await page.evaluate(() => window.__saved), ['saved']);
  const { entries } = await sandbox.ledger(pi.id);
  assert.deepEqual(entries.map((e) => [e.movement, e.amount.value]), [['charge', 2100]]);
  await assertClean(page);
  await page.close();
});

/** The pay and card-reference requests a watched page (and its frames) made so far. */
const payRequests = (page) => page.seen.filter((l) => /^request: .*\/payment-intents\/public\/[^/]+\/(payments|payment-methods)$/.test(l));

test('a saved card that asks for its CVC: the CVC-only frame refuses a wrong length before Pay, then one charge; an Amex wants 4 digits; the page never sees the code', { skip: FIELDS === 'inline' ? 'isolated fields only (inline: the next test)' : false }, async () => {
  const customer = await newCustomer();
  const visa = await saveByApi(customer, CVC_VISA);
  const amex = await saveByApi(customer, CVC_AMEX, '1234');
  const secret = await customerSecret(customer);
  assert.deepEqual((await savedCards(customer, secret)).savedPaymentMethods.map((m) => [m.id, m.cvcRequired]), [[visa, true], [amex, true]]);

  const first = await paymentIntent(customer, 3300);
  let page = await embed({ attrs: `payment-intent-id="${first.id}" customer-id="${customer}" locale="en-GB"`, token: first.clientSessionSecret, secret, hostile: true });
  await waitForState(page, 'form');
  await until(() => shadow(page, 'saved-card').count(), (n) => n === 2);
  // The first card is chosen: its security code alone, in a frame of the API's origin; no card fields.
  assert.equal(await shadow(page, 'saved-card-radio').first().isChecked(), true);
  let frame = page.frameLocator('[data-testid="cvc-frame"]');
  let cvc = frame.locator('[data-testid="card-cvc"]');
  await cvc.waitFor();
  assert.equal(await shadow(page, 'card-slot').isVisible(), false);
  assert.equal(await frame.locator('[data-testid="card-number"]').count(), 0);
  assert.equal(await page.locator('[data-testid="cvc-frame"]').getAttribute('title'), 'Security code for Visa ending 0101, expires 12/34');
  assert.equal(await frame.locator('label[for="ic-cvc"]').textContent(), 'Security code');
  assert.equal(await cvc.getAttribute('autocomplete'), 'cc-csc');
  assert.deepEqual(await axeViolations(page), []);
  // Two digits: the frame refuses them before anything is sent, shows and announces why, and keeps focus.
  await cvc.pressSequentially('94');
  await click(shadow(page, 'pay-button'));
  const error = frame.locator('[data-testid="card-cvc-error"]');
  await until(() => error.textContent(), (t) => t.length > 0);
  assert.equal(await error.textContent(), 'Your security code is not valid.');
  assert.equal(await cvc.getAttribute('aria-invalid'), 'true');
  assert.equal(await frame.locator('[data-testid="card-fields-announcer"]').textContent(), 'Your security code is not valid.');
  assert.equal(await page.locator('intent-checkout').getAttribute('state'), 'form');
  assert.deepEqual(payRequests(page), []);
  assert.equal((await merchant('GET', `/payment-intents/${first.id}`)).status, 'Created');
  // Three: the code goes from the frame to the API, the page pays with the reference; one charge.
  await cvc.pressSequentially('7');
  await click(shadow(page, 'pay-button'));
  await waitForState(page, 'succeeded');
  assert.deepEqual((await sandbox.ledger(first.id)).entries.map((e) => [e.movement, e.amount.value]), [['charge', 3300]]);
  const paid = await merchant('GET', `/payment-intents/${first.id}`);
  assert.equal(paid.paymentDetails.card.cardNumber, '400000****0101');
  assert.equal(payRequests(page).filter((l) => l.endsWith('/payment-methods')).length, 1, 'one reference, from the frame');
  let seen = await page.evaluate(() => window.__seen);
  // The watcher saw the frame's handshake, and no key, input or message with the code in it; nothing the
  // page sent had a CVC member.
  assert.ok(seen.some((l) => l.includes('"t":"hello"')));
  assert.deepEqual(seen.filter((l) => !l.startsWith('fetch') && /947/.test(l)), []);
  assert.deepEqual(seen.filter((l) => l.startsWith('fetch ') && l.includes('"cvc"')), []);
  await assertClean(page);
  await page.close();

  // An Amex: three digits are refused in the frame, four pay.
  const second = await paymentIntent(customer, 2100);
  page = await embed({ attrs: `payment-intent-id="${second.id}" customer-id="${customer}" locale="en-GB"`, token: second.clientSessionSecret, secret, hostile: true });
  await waitForState(page, 'form');
  await until(() => shadow(page, 'saved-card').count(), (n) => n === 2);
  await checkBox(shadow(page, 'saved-card-radio').nth(1));
  await until(() => page.locator('[data-testid="cvc-frame"]').getAttribute('title'), (t) => t === 'Security code for American Express ending 8431, expires 12/34');
  frame = page.frameLocator('[data-testid="cvc-frame"]');
  cvc = frame.locator('[data-testid="card-cvc"]');
  await cvc.pressSequentially('628');
  await click(shadow(page, 'pay-button'));
  await until(() => frame.locator('[data-testid="card-cvc-error"]').textContent(), (t) => t === 'Your security code is not valid.');
  assert.deepEqual(payRequests(page), []);
  await cvc.pressSequentially('5');
  // Enter in the frame pays, as in the card fields.
  await cvc.press('Enter');
  await waitForState(page, 'succeeded');
  assert.deepEqual((await sandbox.ledger(second.id)).entries.map((e) => [e.movement, e.amount.value]), [['charge', 2100]]);
  assert.equal((await merchant('GET', `/payment-intents/${second.id}`)).paymentDetails.card.cardNumber, '371449****8431');
  seen = (await page.evaluate(() => window.__seen)).join('\n');
  assert.equal(seen.includes('6285'), false, 'the page saw the code');
  await assertClean(page);
  await page.close();
});

test('inline fields: a saved card that asks for its CVC is shown but cannot be chosen, and is refused without a request', { skip: FIELDS === 'isolated' ? 'inline fields only (isolated: the test before)' : false }, async () => {
  const customer = await newCustomer();
  const plain = await saveByApi(customer, CARDS.success);
  const needsCvc = await saveByApi(customer, CVC_VISA);
  const pi = await paymentIntent(customer, 1500);
  const page = await embed({ attrs: `payment-intent-id="${pi.id}" customer-id="${customer}" locale="en-GB"`, token: pi.clientSessionSecret, secret: await customerSecret(customer) });
  await waitForState(page, 'form');
  await until(() => shadow(page, 'saved-card').count(), (n) => n === 2);
  const rows = await shadow(page, 'saved-card').evaluateAll((els) => els.map((el) => [el.dataset.cvcRequired ?? null, el.querySelector('input').disabled, el.querySelector('input').checked, el.querySelector('label').textContent]));
  assert.deepEqual(rows, [
    [null, false, true, 'Visa ending 4242, expires 12/34'],
    ['true', true, false, 'Visa ending 0101, expires 12/34: needs its security code, which this checkout cannot take'],
  ]);
  assert.equal(await shadow(page, 'cvc-slot').isVisible(), false);
  const refused = await page.locator('intent-checkout').evaluate(async (el, id) => {
    const before = performance.getEntriesByType('resource').length;
    const r = await el.checkout.paySaved(id);
    let mount;
    try { el.checkout.mountCvcField(document.body, id); } catch (e) { mount = e.code; }
    return { code: r.error?.code, apiCode: r.error?.apiCode, requests: performance.getEntriesByType('resource').length - before, mount };
  }, needsCvc);
  assert.deepEqual(refused, { code: 'validation_error', apiCode: 'cvc_required', requests: 0, mount: 'sdk_error' });
  await click(shadow(page, 'pay-button'));
  await waitForState(page, 'succeeded');
  assert.equal((await merchant('GET', `/payment-intents/${pi.id}`)).paymentDetails.card.cardNumber, '424242****4242');
  assert.ok(plain);
  await assertClean(page);
  await page.close();
});

test('headless: createCheckout mounts the CVC field for a saved card that asks for it and pays with it', { skip: FIELDS === 'inline' ? 'the isolated run has it' : false }, async () => {
  const customer = await newCustomer();
  await saveByApi(customer, CVC_AMEX, '1234');
  const pi = await paymentIntent(customer, 2700);
  const secret = await customerSecret(customer);
  const app = `
    import { createCheckout } from '/pkg/index.js';
    const checkout = await createCheckout({ apiBase: ${JSON.stringify(sandbox.url)}, paymentIntentId: ${JSON.stringify(pi.id)},
      connectToken: ${JSON.stringify(pi.clientSessionSecret)}, customerId: ${JSON.stringify(customer)}, customerSecret: ${JSON.stringify(secret)} });
    const { cards } = await checkout.listSaved();
    const card = cards[0];
    const brief = (r) => r.error ? [r.error.code, r.error.apiCode ?? null, r.fields ?? null] : r.canonical;
    window.__results = { listed: cards.map((c) => [c.brand, c.last4, c.cvcRequired]), withoutField: brief(await checkout.paySaved(card.id)), pays: [] };
    const field = checkout.mountCvcField('#cvc', card.id, { title: 'Security code of your Amex' });
    window.__states = [];
    field.addEventListener('change', (e) => __states.push(e.detail.complete));
    await field.ready;
    document.querySelector('#pay').addEventListener('click', async () => __results.pays.push(brief(await checkout.paySaved(card.id))));
    window.__ready = true;`;
  const page = await merchantPage(browser, sandbox, '/own-ui', `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ${sandbox.url}; frame-src ${sandbox.url}">
<div id="cvc"></div><button id="pay">Pay</button><script type="module" src="/app.js"></script>`, { '/app.js': app });
  page.secrets.add(pi.clientSessionSecret).add(secret);
  await page.waitForFunction(() => window.__ready === true);
  assert.equal(await page.locator('[data-testid="cvc-frame"]').getAttribute('title'), 'Security code of your Amex');
  const pays = () => page.evaluate(() => window.__results.pays);
  await click(page.locator('#pay'));
  await until(pays, (p) => p.length === 1);
  const cvc = page.frameLocator('[data-testid="cvc-frame"]').locator('[data-testid="card-cvc"]');
  await cvc.pressSequentially('123');
  await click(page.locator('#pay'));
  await until(pays, (p) => p.length === 2);
  await cvc.pressSequentially('4');
  await until(() => page.evaluate(() => window.__states.at(-1)), (complete) => complete === true);
  await click(page.locator('#pay'));
  await until(pays, (p) => p.length === 3);
  assert.deepEqual(await page.evaluate(() => window.__results), {
    listed: [['amex', '8431', true]],
    withoutField: ['validation_error', 'cvc_required', null],
    pays: [['validation_error', null, { cvc: 'required' }], ['validation_error', null, { cvc: 'invalid_cvc' }], 'succeeded'],
  });
  assert.deepEqual((await sandbox.ledger(pi.id)).entries.map((e) => [e.movement, e.amount.value]), [['charge', 2700]]);
  await assertClean(page);
  await page.close();
});

test('a saved card the API wants the CVC of though its list did not say so: a refusal, never a decline, then the widget asks for the code', async () => {
  const customer = await newCustomer();
  await saveByApi(customer, CVC_VISA);
  const pi = await paymentIntent(customer, 1200);
  // An API whose list does not mark the card (Dojo's own schema has no such field): the page learns it
  // from the refusal.
  const list = (url) => url.pathname.startsWith('/customers/public/') && url.pathname.endsWith('/payment-methods');
  const unmarked = async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    const res = await route.fetch();
    const body = await res.json();
    for (const m of body.savedPaymentMethods) delete m.cvcRequired;
    await route.fulfill({ response: res, json: body });
  };
  await browser.context.route(list, unmarked);
  try {
    const page = await embed({ attrs: `payment-intent-id="${pi.id}" customer-id="${customer}" locale="en-GB"`, token: pi.clientSessionSecret, secret: await customerSecret(customer) });
    await waitForState(page, 'form');
    await shadow(page, 'saved-card').waitFor();
    assert.equal(await shadow(page, 'saved-card').getAttribute('data-cvc-required'), null);
    assert.equal(await shadow(page, 'saved-card-radio').isChecked(), true);
    await click(shadow(page, 'pay-button'));
    const formError = shadow(page, 'form-error');
    await until(() => formError.textContent(), (t) => t.length > 0);
    assert.equal(await page.locator('intent-checkout').getAttribute('state'), 'form');
    assert.equal(await shadow(page, 'saved-card').getAttribute('data-cvc-required'), 'true');
    const intent = await merchant('GET', `/payment-intents/${pi.id}`);
    assert.deepEqual([intent.status, intent.paymentEvents?.length ?? 0], ['Created', 0]);
    if (FIELDS === 'isolated') {
      assert.equal(await formError.textContent(), 'This card needs its security code. Enter it and pay again.');
      await fillCvc(page, '123');
    } else {
      // Inline: the card cannot be chosen now; a new card pays.
      assert.equal(await formError.textContent(), 'This card needs its security code, which this checkout cannot take. Choose another card.');
      assert.equal(await shadow(page, 'saved-card-radio').isDisabled(), true);
      assert.equal(await shadow(page, 'new-card-radio').isChecked(), true);
      await fillCard(page);
    }
    await click(shadow(page, 'pay-button'));
    await waitForState(page, 'succeeded');
    assert.deepEqual((await sandbox.ledger(pi.id)).entries.map((e) => [e.movement, e.amount.value]), [['charge', 1200]]);
    // The browser logs the refused request itself; nothing else may be logged.
    const refused = page.problems.filter((p) => p.includes('status of 400'));
    assert.equal(refused.length, 1);
    page.problems = page.problems.filter((p) => !refused.includes(p));
    await assertClean(page);
    await page.close();
  } finally {
    await browser.context.unroute(list, unmarked);
  }
});
