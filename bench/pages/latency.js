// Status latency: the page asks the merchant backend (the sandbox's demo route) to capture, and times until
// the SDK's `status` event says `succeeded`. Both ends read this page's clock.
import { createCheckout } from '/pkg/index.js';

const open = new Map();

window.bench = {
  /** Opens a checkout on an (authorised) intent; resolves once it is loaded and following. */
  async open(id, token) {
    const co = await createCheckout({ apiBase: location.origin, paymentIntentId: id, connectToken: token });
    open.set(id, co);
    return co.intent()?.status;
  },
  /** Captures through the merchant backend; resolves to ms from the capture request to the `status` event. */
  capture(id) {
    const co = open.get(id);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no status event within 60 s')), 60_000);
      const t0 = performance.now();
      const onStatus = (e) => {
        if (e.detail?.canonical !== 'succeeded') return;
        clearTimeout(timer);
        co.removeEventListener('status', onStatus);
        resolve(performance.now() - t0);
      };
      co.addEventListener('status', onStatus);
      fetch(`/demo/payment-intents/${id}/captures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
        .then((r) => { if (!r.ok) reject(new Error(`capture: HTTP ${r.status}`)); }, reject);
    });
  },
  close(id) {
    open.get(id)?.destroy();
    open.delete(id);
  },
};
window.__benchReady = true;
