// The demo merchant page: asks the sandbox's merchant-backend route for an intent, then mounts the checkout.
const log = document.getElementById('event-log');

function record(name, detail) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toISOString().slice(11, 23)} ${name}${detail ? ' ' + JSON.stringify(detail) : ''}`;
  log.append(item);
}

async function createIntent() {
  const response = await fetch('/demo/payment-intents', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount: 1000, currencyCode: 'GBP', captureMode: 'Auto', reference: 'Demo order' }),
  });
  if (!response.ok) throw new Error(`creating the intent failed: HTTP ${response.status}`);
  return response.json();
}

const container = document.getElementById('checkout');
container.addEventListener('ready', (event) => record('ready', event.detail));

const element = document.createElement('intent-checkout');
container.append(element);
createIntent().then(
  (created) => {
    record('intent created', { id: created.paymentIntentId });
    element.setAttribute('payment-intent-id', created.paymentIntentId);
    element.connectToken = created.clientSessionSecret;
  },
  (error) => record('error', { message: error.message }),
);
