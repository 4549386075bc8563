// Time from navigation to the `ready` event of a configured <intent-checkout>, in headless Chromium.
// Usage: node scripts/ready-time.mjs [runs=20] [--preload] [--locale=de-DE]
//   (needs `npm run build` and `cargo build -p intent-sandbox`)
// --preload adds the optional <link rel="preload"> hint for the .wasm from the README; --locale sets the
// element's `locale` (another language than English fetches its two tables). It also prints how many requests
// the page and its frames made until `ready`.
// Each run: a fresh intent from the sandbox's demo route, a new page with the HTTP cache disabled (a first
// visit), the one-script-tag embed with the token as an attribute, and `performance.now()` when the element's
// `ready` reaches the document (navigation start is 0). `ready` here means the intent is loaded and the form
// can be used, not just that the wasm is instantiated.
import { startSandbox, launchBrowser, call } from '../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const preload = args.includes('--preload');
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 20);
const locale = args.find((a) => a.startsWith('--locale='))?.slice('--locale='.length);
const hints = preload
  ? '<link rel="preload" href="/pkg/intent_checkout_bg.wasm" as="fetch" type="application/wasm" crossorigin>'
  : '';
const sandbox = await startSandbox();
const browser = await launchBrowser();
const times = [];
const requests = [];
try {
  for (let i = 0; i < runs; i++) {
    const created = await call(sandbox, '/demo/payment-intents', { amount: 1000 });
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const made = [];
    page.on('request', (r) => made.push(r.url()));
    await page.route(sandbox.url + '/ready-time', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'">
${hints}<script src="/pkg/intent-checkout.js" defer></script>
<script src="/ready-probe.js" defer></script>
<intent-checkout payment-intent-id="${created.paymentIntentId}" connect-token="${created.clientSessionSecret}"${locale ? ` locale="${locale}"` : ''}></intent-checkout>`,
      }),
    );
    await page.route(sandbox.url + '/ready-probe.js', (route) =>
      route.fulfill({
        contentType: 'text/javascript',
        body: `document.addEventListener('ready', () => { window.__ready = performance.now(); }, { once: true });`,
      }),
    );
    await page.goto(sandbox.url + '/ready-time');
    await page.waitForFunction(() => window.__ready !== undefined, null, { timeout: 15_000 });
    times.push(await page.evaluate(() => window.__ready));
    requests.push(made.length);
    await page.close();
  }
} finally {
  await browser.close();
  await sandbox.stop();
}
times.sort((a, b) => a - b);
const median = times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
console.log(`navigation → ready (configured element, cache disabled${preload ? ', preload hints' : ''}${locale ? `, locale ${locale}` : ''}), ${times.length} loads in headless Chromium:`);
console.log(`  median ${median.toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times.at(-1).toFixed(1)} ms`);
console.log(`  requests until ready (page and frames): ${[...new Set(requests)].sort((a, b) => a - b).join(' or ')}`);
