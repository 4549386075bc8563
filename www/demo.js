// The demo merchant page. In a real shop the "merchant server" calls below are the merchant's own backend;
// here the sandbox's /demo routes stand in for it. Every value shown is written with textContent.
const $ = (id) => document.getElementById(id);
const log = $('event-log');
const form = $('order');
const container = $('checkout');
const merchant = $('merchant');
const info = $('intent-info');
const EVENTS = ['ready', 'status', 'requires_action', 'succeeded', 'saved', 'failed', 'canceled', 'expired', 'token_refreshed', 'error'];
let current = null; // { id, captureMode }
let booking = null; // { setupIntentId, customerId, fee }: the table booked, whose saved card the shop may charge

function record(name, detail) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toISOString().slice(11, 23)} ${name}${detail ? ' ' + JSON.stringify(detail) : ''}`;
  log.append(item);
  log.scrollTop = log.scrollHeight;
}

// A short, readable summary of an event's detail for the log (the full snapshot is on event.detail).
function summary(type, d = {}) {
  const i = d.intent ?? {};
  const out = {};
  if (d.version !== undefined) out.version = d.version;
  if (i.status) out.status = i.status;
  if (d.canonical) out.canonical = d.canonical;
  if (type === 'requires_action') out.url = d.url ?? i.nextAction?.url;
  const err = d.error ?? (type === 'failed' ? i.lastPaymentError : undefined);
  if (err) out.error = { code: err.code, declineCode: err.declineCode, message: err.message };
  if (i.totalAmount) out.total = i.totalAmount.value;
  return out;
}
for (const type of EVENTS) container.addEventListener(type, (e) => record(type, summary(type, e.detail)));
// Before the widget follows the intent's redirectUrl/cancelUrl (the demo lets it go).
container.addEventListener('redirect', (e) => record('redirect', e.detail));

// The lifecycle diagram of the intent's dialect (pkg/diagrams/, drawn at build time from the core's tables),
// parsed as XML (never as HTML) and lit at the intent's current state.
const figure = $('lifecycle');
async function showLifecycle(dialect) {
  const text = await fetch(`/pkg/diagrams/lifecycle-${encodeURIComponent(dialect)}.svg`).then((r) => (r.ok ? r.text() : ''));
  const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
  figure.querySelector('svg')?.remove();
  if (svg?.localName !== 'svg') return;
  figure.prepend(document.importNode(svg, true));
  figure.hidden = false;
}
// The page's canonical names are coarser than the core's; the wire status tells the rest apart.
function lightState(canonical, wire) {
  const states = [...figure.querySelectorAll('g.state')];
  const name = canonical === 'requires_capture' ? 'authorized' : canonical;
  const current = states.find((g) => g.dataset.status === name) ?? states.find((g) => g.dataset.wire === wire);
  for (const g of states) g.classList.toggle('current', g === current);
  figure.dataset.current = current?.dataset.status ?? '';
}
for (const type of ['ready', 'status', 'succeeded', 'failed', 'canceled', 'expired']) {
  container.addEventListener(type, (e) => {
    if (e.detail?.canonical) lightState(e.detail.canonical, e.detail.intent?.status);
  });
}

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.detail || `HTTP ${response.status}`);
  return json;
}

// Pre-fill the order form from the query string (?amount=…&currencyCode=…&tipsAllowed=1…), handy for links.
const params = new URLSearchParams(location.search);
for (const el of form.elements) {
  if (!el.name || !params.has(el.name)) continue;
  if (el.type === 'checkbox') el.checked = params.get(el.name) === '1' || params.get(el.name) === 'true';
  else el.value = params.get(el.name);
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  const f = new FormData(form);
  const order = {
    amount: Number(f.get('amount')),
    currencyCode: f.get('currencyCode'),
    captureMode: f.get('captureMode'),
    dialect: f.get('dialect'),
    reference: f.get('reference'),
    description: f.get('description'),
    tipsAllowed: f.get('tipsAllowed') === 'on',
    customAmountAllowed: f.get('customAmountAllowed') === 'on',
    collectEmail: f.get('collectEmail') === 'on',
    collectBilling: f.get('collectBilling') === 'on',
    collectShipping: f.get('collectShipping') === 'on',
    orderLines: f.get('orderLines') === 'on',
    title: f.get('title') || undefined,
    cardSchemes: f.get('cardSchemes') || undefined,
    redirectUrl: f.get('redirectUrl') || undefined,
    cancelUrl: f.get('cancelUrl') || undefined,
    expireInSeconds: f.get('expireInSeconds') ? Number(f.get('expireInSeconds')) : undefined,
  };
  try {
    const created = await post('/demo/payment-intents', order);
    current = { id: created.paymentIntentId, captureMode: order.captureMode };
    record('intent created', { id: created.paymentIntentId, dialect: created.dialect, status: created.intent?.status });
    info.textContent = `Payment intent ${created.paymentIntentId} (${created.dialect}, ${order.captureMode} capture)`;
    showMerchant((b) => b !== 'no-show' && (order.captureMode === 'Manual' || b === 'cancel' || b === 'refunds'));
    container.replaceChildren();
    await showLifecycle(created.dialect);
    const id = created.paymentIntentId;
    await window.IntentCheckout.mount(container, {
      paymentIntentId: id,
      connectToken: created.clientSessionSecret, // a property: the secret never sits in the DOM
      connectTokenExpiresAt: created.clientSessionSecretExpirationDate,
      // Resolves to {clientSessionSecret, clientSessionSecretExpirationDate} (a bare string works too).
      refreshToken: async () => {
        record('token refresh requested');
        return post(`/demo/payment-intents/${encodeURIComponent(id)}/refresh-client-session-secret`);
      },
      locale: f.get('locale') || undefined,
      dialect: order.dialect,
      apiBase: f.get('apiBase') || undefined,
      fields: f.get('fields') || undefined,
    });
  } catch (error) {
    record('error', { message: error.message });
  } finally {
    button.disabled = false;
  }
});

// The back office's buttons that apply to what the widget shows.
function showMerchant(applies) {
  merchant.hidden = false;
  for (const b of merchant.querySelectorAll('button')) b.hidden = !applies(b.dataset.action);
}

// Where the widget goes and how it looks: the order form's settings apply to every checkout on the page.
const widgetOptions = () => {
  const f = new FormData(form);
  return { locale: f.get('locale') || undefined, apiBase: f.get('apiBase') || undefined, fields: f.get('fields') || undefined };
};

// "Book a table": the restaurant's server makes a setup intent (and a customer); the widget saves the card.
const bookingForm = $('booking');
const returning = $('returning');
bookingForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const fee = Number(new FormData(bookingForm).get('amount'));
  try {
    const made = await post('/demo/setup-intents', { amount: fee });
    booking = { setupIntentId: made.setupIntentId, customerId: made.customerId, fee };
    current = null;
    record('setup intent created', { id: made.setupIntentId, customer: made.customerId });
    info.textContent = `Setup intent ${made.setupIntentId} for customer ${made.customerId} (no-show fee)`;
    figure.hidden = true;
    showMerchant((b) => b === 'no-show');
    returning.disabled = false;
    container.replaceChildren();
    await window.IntentCheckout.mount(container, { setupIntentId: made.setupIntentId, connectToken: made.clientSessionSecret, ...widgetOptions() });
  } catch (error) {
    record('error', { message: error.message });
  }
});

// The same customer comes back: a payment intent for them, and a customer secret so the widget can list
// (and pay with) the card they saved.
returning.addEventListener('click', async () => {
  if (!booking) return;
  try {
    const created = await post('/demo/payment-intents', { amount: 1800, reference: 'Dinner for 2', description: 'Dinner', customerId: booking.customerId });
    const secret = await post(`/demo/customers/${encodeURIComponent(booking.customerId)}/create-secret`);
    current = { id: created.paymentIntentId, captureMode: 'Auto' };
    record('intent created', { id: created.paymentIntentId, customer: booking.customerId });
    info.textContent = `Payment intent ${created.paymentIntentId} for returning customer ${booking.customerId}`;
    showMerchant((b) => b === 'cancel' || b === 'refunds');
    container.replaceChildren();
    await window.IntentCheckout.mount(container, {
      paymentIntentId: created.paymentIntentId,
      connectToken: created.clientSessionSecret,
      customerId: booking.customerId,
      customerSecret: secret.secret, // a property, like the token: never in the DOM
      customerSecretExpiresAt: secret.expireAt,
      ...widgetOptions(),
    });
  } catch (error) {
    record('error', { message: error.message });
  }
});

merchant.addEventListener('click', async (event) => {
  const action = event.target.closest('button')?.dataset.action;
  if (action === 'no-show' && booking) {
    // The restaurant's later charge: a payment intent from the setup intent, charged without the customer.
    try {
      const pi = await post('/demo/payment-intents', { amount: booking.fee, reference: 'No-show fee', setupIntentId: booking.setupIntentId });
      const charged = await post(`/demo/payment-intents/${encodeURIComponent(pi.paymentIntentId)}/charge`);
      record('merchant no-show charge', { paymentIntentId: pi.paymentIntentId, status: charged.status });
    } catch (error) {
      record('merchant no-show charge failed', { message: error.message });
    }
    return;
  }
  if (!action || !current) return;
  try {
    const result = await post(`/demo/payment-intents/${encodeURIComponent(current.id)}/${action}`, action === 'cancel' || action === 'reversal' ? undefined : {});
    record(`merchant ${action}`, { status: result.intent?.status });
  } catch (error) {
    record(`merchant ${action} failed`, { message: error.message });
  }
});
