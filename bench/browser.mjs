// Figures 2 and 3 in headless Chromium (Debian's, via playwright-core; never downloads a browser) against
// intent-sandbox serving bench/pages/ and pkg/.
//   node bench/browser.mjs ready   [loads=50]                   navigation -> `ready`, cold and warm cache
//   node bench/browser.mjs latency [changes=200] [polled=40]     merchant capture -> `status`, stream vs polling
// Needs `npm run build` and a sandbox binary (SANDBOX_BIN, default target/release/intent-sandbox, else debug).
// Prints markdown.
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distribution } from './charts.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const release = join(root, 'target/release/intent-sandbox');
process.env.SANDBOX_BIN ??= existsSync(release) ? release : join(root, 'target/debug/intent-sandbox');
process.env.WWW_DIR = join(root, 'bench/pages');
const { startSandbox, launchBrowser, call, SECRET_KEY } = await import('../tests/e2e/harness.mjs');

const [what = 'ready', a1, a2] = process.argv.slice(2);
const q = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
const stats = (v) => {
  const s = [...v].sort((x, y) => x - y);
  return { n: s.length, min: s[0], p50: q(s, 0.5), p95: q(s, 0.95), max: s.at(-1) };
};
const ms = (x) => `${x.toFixed(1)} ms`;
const out = [];
const p = (s = '') => out.push(s);
const summary = [];

// A tiny seeded generator for the polling capture delays.
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

// Lighthouse's mobile profile ("Slow 4G" on a mid-range phone): 150 ms RTT, 1.6 Mbps down, 750 kbps up,
// 4x CPU slowdown, applied through the DevTools protocol.
const MOBILE = { latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

const loadavg = os.loadavg().map((x) => x.toFixed(1)).join(' ');
const sandbox = await startSandbox(['--heartbeat', '15']);
const browser = await launchBrowser();
try {
  if (what === 'ready') await ready(Number(a1 ?? 50));
  else if (what === 'latency') await latency(Number(a1 ?? 200), Number(a2 ?? 40));
  else throw new Error(`unknown figure ${what}`);
} finally {
  await browser.close();
  await sandbox.stop();
}
console.log(out.join('\n'));
for (const x of summary) console.log('SUMMARY ' + JSON.stringify(x));

async function newIntent(body = {}) {
  return call(sandbox, '/demo/payment-intents', { amount: 1000, ...body });
}

async function loadOnce(cold, file = 'ready.html', mobile = false) {
  const created = await newIntent();
  const page = await browser.context.newPage();
  if (cold || mobile) {
    const cdp = await browser.context.newCDPSession(page);
    if (cold) await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (mobile) {
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, ...MOBILE });
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    }
  }
  const fragment = new URLSearchParams({ pi: created.paymentIntentId, t: created.clientSessionSecret });
  await page.goto(`${sandbox.url}/${file}#${fragment}`);
  await page.waitForFunction(() => window.__ready !== undefined || window.__error !== undefined, null, { timeout: 60_000 });
  const r = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    const end = (re) => res.find((e) => re.test(new URL(e.name).pathname))?.responseEnd;
    const start = (re) => res.find((e) => re.test(new URL(e.name).pathname))?.startTime;
    return {
      ready: window.__ready,
      error: window.__error,
      // Milestones, ms since navigation start.
      marks: {
        'HTML received': nav.responseEnd,
        'DOMContentLoaded': nav.domContentLoadedEventEnd,
        'element.js received': end(/\/element\.js$/),
        'glue intent_checkout.js received': end(/\/intent_checkout\.js$/),
        '.wasm received': end(/\.wasm$/),
        'wasm compile + instantiate started': window.__wasmStart,
        'wasm instantiated': window.__wasmEnd,
        'intent GET sent': start(/\/payment-intents\/public\/[^/]+$/),
        'intent GET answered': end(/\/payment-intents\/public\/[^/]+$/),
        ready: window.__ready,
      },
      files: res.map((e) => ({ name: new URL(e.name).pathname, bytes: e.encodedBodySize, transfer: e.transferSize })),
    };
  });
  await page.close();
  if (r.error && r.ready === undefined) throw new Error(`the checkout failed to load: ${r.error}`);
  return r;
}

async function ready(loads) {
  // Cold: every load with the HTTP cache disabled (a first visit: every file fetched, the wasm compiled).
  const cold = [];
  const coldMarks = [];
  let files = [];
  for (let i = 0; i < loads; i++) {
    const r = await loadOnce(true);
    cold.push(r.ready);
    coldMarks.push(r.marks);
    if (i === 0) files = r.files;
  }
  // Warm: the same browser profile with its cache; three unmeasured loads first.
  for (let i = 0; i < 3; i++) await loadOnce(false);
  const warm = [];
  const warmMarks = [];
  let warmFiles = [];
  for (let i = 0; i < loads; i++) {
    const r = await loadOnce(false);
    warm.push(r.ready);
    warmMarks.push(r.marks);
    if (i === 0) warmFiles = r.files;
  }
  // The same warm, with the README's modulepreload/preload hints (the module waterfall fetched at once).
  for (let i = 0; i < 2; i++) await loadOnce(false, 'ready-preload.html');
  const pre = [];
  const preMarks = [];
  for (let i = 0; i < loads; i++) {
    const r = await loadOnce(false, 'ready-preload.html');
    pre.push(r.ready);
    preMarks.push(r.marks);
  }
  // The floor on this machine right now: a page with one small deferred script, navigation -> DOMContentLoaded.
  const floor = [];
  for (let i = 0; i < Math.min(loads, 20); i++) floor.push((await loadOnce(false, 'blank.html')).ready);
  // On a phone: the same pages, cold, under the mobile profile, each next to its own blank-page floor.
  const mobileLoads = Math.max(3, Math.min(loads, 10));
  const mobile = [];
  const mobileFloor = [];
  const mobileMarks = [];
  for (let i = 0; i < mobileLoads; i++) {
    const r = await loadOnce(true, 'ready.html', true);
    mobile.push(r.ready);
    mobileMarks.push(r.marks);
    mobileFloor.push((await loadOnce(true, 'blank.html', true)).ready);
  }
  const c = stats(cold);
  const w = stats(warm);
  const pr = stats(pre);
  const fl = stats(floor);
  const mo = stats(mobile);
  const mf = stats(mobileFloor);
  p(`Command: \`node bench/browser.mjs ready ${loads}\` (load average at start: ${loadavg}). Each load: a fresh intent from the demo route, a new tab, `
    + '`bench/pages/ready.html` (the one-script-tag embed: `<script src="/pkg/intent-checkout.js" defer>` + `<intent-checkout>`), '
    + "and `performance.now()` when the element's `ready` reaches the document (navigation start = 0; `ready` = intent loaded, form usable). "
    + 'Cold = HTTP cache disabled for the tab (CDP `Network.setCacheDisabled`); warm = the same profile after 3 unmeasured loads. '
    + `Sandbox: ${process.env.SANDBOX_BIN.replace(root + '/', '')} on 127.0.0.1.`);
  p();
  p(`| navigation → ready, ${loads} loads | median | p95 | min | max |`);
  p('| --- | --- | --- | --- | --- |');
  p(`| cold cache | ${ms(c.p50)} | ${ms(c.p95)} | ${ms(c.min)} | ${ms(c.max)} |`);
  p(`| warm cache | **${ms(w.p50)}** | ${ms(w.p95)} | ${ms(w.min)} | ${ms(w.max)} |`);
  p(`| warm cache + the .wasm preload hint (\`bench/pages/ready-preload.html\`) | ${ms(pr.p50)} | ${ms(pr.p95)} | ${ms(pr.min)} | ${ms(pr.max)} |`);
  p(`| floor: blank page, one deferred script, → DOMContentLoaded (${fl.n} loads) | ${ms(fl.p50)} | ${ms(fl.p95)} | ${ms(fl.min)} | ${ms(fl.max)} |`);
  p(`| mobile profile, cold (150 ms RTT, 1.6 Mbps, 4× CPU; ${mo.n} loads) | ${ms(mo.p50)} | ${ms(mo.p95)} | ${ms(mo.min)} | ${ms(mo.max)} |`);
  p(`| mobile floor: blank page under the same profile, cold (${mf.n} loads) | ${ms(mf.p50)} | ${ms(mf.p95)} | ${ms(mf.min)} | ${ms(mf.max)} |`);
  p();
  p(`![Ready time distributions](${distribution('ready.svg', {
    title: `navigation → ready, ${loads} loads each (ms)`,
    series: [{ label: 'cold cache', values: cold }, { label: 'warm cache', values: warm },
      { label: 'warm + .wasm preload', values: pre }, { label: 'floor: blank page → DOMContentLoaded', values: floor },
      { label: 'mobile profile, cold', values: mobile }, { label: 'mobile floor, cold', values: mobileFloor }],
    reference: { value: fl.p50 * 2, label: `2 × floor median (${(fl.p50 * 2).toFixed(1)} ms)` },
    log: true,
  })})`);
  p();
  const ratio = w.p50 / fl.p50;
  const mobileRatio = mo.p50 / mf.p50;
  summary.push({ figure: 2, what: `Ready time, warm cache, median of ${loads} loads vs the blank page's DOMContentLoaded (${fl.p50.toFixed(1)} ms) in the same run; cold ${c.p50.toFixed(1)} ms`, value: `${w.p50.toFixed(1)} ms = ${ratio.toFixed(2)}× the floor`, target: '≤ 2× the floor', met: ratio <= 2 });
  summary.push({ figure: 2, what: `Ready time on the mobile profile, cold, median of ${mo.n} loads vs the blank page under the same profile (${mf.p50.toFixed(0)} ms)`, value: `${mo.p50.toFixed(0)} ms = ${mobileRatio.toFixed(2)}× the floor`, target: '≤ 3× the floor', met: mobileRatio <= 3 });
  p(ratio <= 2
    ? `Budget ≤ 2× the blank-page floor, warm: **met** (median ${ms(w.p50)} = ${ratio.toFixed(2)}× ${ms(fl.p50)}).`
    : `Budget ≤ 2× the blank-page floor, warm: **missed** (median ${ms(w.p50)} = ${ratio.toFixed(2)}× ${ms(fl.p50)}).`);
  p(mobileRatio <= 3
    ? `Budget ≤ 3× the blank-page floor on the mobile profile, cold: **met** (median ${ms(mo.p50)} = ${mobileRatio.toFixed(2)}× ${ms(mf.p50)}).`
    : `Budget ≤ 3× the blank-page floor on the mobile profile, cold: **missed** (median ${ms(mo.p50)} = ${mobileRatio.toFixed(2)}× ${ms(mf.p50)}).`);
  p();
  p('Where the time goes (median of each milestone, ms since navigation start):');
  p();
  p('| milestone | cold | warm | warm + preload | mobile, cold |');
  p('| --- | --- | --- | --- | --- |');
  const med = (marks, k) => {
    const v = marks.map((m) => m[k]).filter((x) => typeof x === 'number' && x > 0);
    return v.length ? stats(v).p50.toFixed(1) : '—';
  };
  for (const k of Object.keys(coldMarks[0])) p(`| ${k} | ${med(coldMarks, k)} | ${med(warmMarks, k)} | ${med(preMarks, k)} | ${med(mobileMarks, k)} |`);
  const list = (f) => f.filter((x) => x.name !== '/ready.html').map((x) => `${x.name.replace('/pkg/', '')} (${x.transfer} B over the wire)`).join(', ');
  p();
  p(`Files the page fetched (first cold load): ${list(files)}.`);
  p(`First warm load: ${list(warmFiles)} (0 B = served from the cache; the sandbox sends ETag/Last-Modified without max-age, so some are revalidated).`);
}

async function authorizedIntent() {
  const created = await newIntent({ captureMode: 'Manual' });
  const res = await fetch(`${sandbox.url}/payment-intents/public/${created.paymentIntentId}/payments`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${created.clientSessionSecret}`,
      'idempotency-key': `bench-${created.paymentIntentId}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ paymentMethod: { card: { number: '4242424242424242', expiryMonth: 12, expiryYear: 2030, cvc: '123', cardholderName: 'Bench' } } }),
  });
  if (!res.ok) throw new Error(`pay: HTTP ${res.status} ${await res.text()}`);
  return created;
}

async function latency(changes, polled) {
  const page = await browser.context.newPage();
  await page.goto(`${sandbox.url}/latency.html`);
  await page.waitForFunction(() => window.__benchReady === true);

  // Stream: one checkout at a time (HTTP/1.1 allows 6 connections per origin, and each stream holds one).
  const streamed = [];
  for (let i = 0; i < changes; i++) {
    const c = await authorizedIntent();
    const opened = page.waitForResponse((r) => r.url().includes(`/payment-intents/public/${c.paymentIntentId}/events`), { timeout: 20_000 });
    await page.evaluate(([id, t]) => window.bench.open(id, t), [c.paymentIntentId, c.clientSessionSecret]);
    await opened; // the stream's headers are in: the SDK is following
    await page.waitForTimeout(5);
    streamed.push(await page.evaluate((id) => window.bench.capture(id), c.paymentIntentId));
    await page.evaluate((id) => window.bench.close(id), c.paymentIntentId);
  }

  // Polling: the SDK has no switch to turn the stream off, and the sandbox always serves it, so the page
  // refuses its /events requests (Playwright route.abort); after 3 failed reconnects the SDK polls
  // GET /payment-intents/public/{id} with If-None-Match, backing off while nothing changes.
  const polledMs = [];
  let intoPolling = [];
  if (polled > 0) {
    const pollPage = await browser.context.newPage();
    await pollPage.route(/\/payment-intents\/public\/[^/]+\/events/, (r) => r.abort('connectionrefused'));
    await pollPage.goto(`${sandbox.url}/latency.html`);
    await pollPage.waitForFunction(() => window.__benchReady === true);
    const batch = 10;
    for (let done = 0; done < polled; done += batch) {
      const n = Math.min(batch, polled - done);
      const started = await Promise.all(Array.from({ length: n }, async () => {
        const c = await authorizedIntent();
        // The first poll (a plain GET after the stream gave up) marks polling mode.
        const t0 = Date.now();
        let streamTries = 0;
        const firstPoll = new Promise((resolve) => {
          const onReq = (req) => {
            const u = req.url();
            if (!u.includes(c.paymentIntentId)) return;
            if (u.endsWith('/events')) streamTries++;
            else if (streamTries > 0 && req.method() === 'GET') {
              pollPage.off('request', onReq);
              resolve(Date.now() - t0);
            }
          };
          pollPage.on('request', onReq);
        });
        await pollPage.evaluate(([id, t]) => window.bench.open(id, t), [c.paymentIntentId, c.clientSessionSecret]);
        return { c, firstPoll };
      }));
      await Promise.all(started.map(async ({ c, firstPoll }) => {
        intoPolling.push(await firstPoll);
        // Change the intent at a random moment 0-10 s into polling.
        await pollPage.waitForTimeout(Math.round(rand() * 10_000));
        polledMs.push(await pollPage.evaluate((id) => window.bench.capture(id), c.paymentIntentId));
        await pollPage.evaluate((id) => window.bench.close(id), c.paymentIntentId);
      }));
    }
    await pollPage.close();
  }
  await page.close();

  const s = stats(streamed);
  p(`Command: \`node bench/browser.mjs latency ${changes} ${polled}\` (load average at start: ${loadavg}). Each change: a Manual-capture intent authorised over the API, `
    + "opened in `bench/pages/latency.html` with `createCheckout` (from `pkg/index.js`), and once the SDK's event stream is open the page "
    + "POSTs the capture to the merchant backend (the sandbox's `/demo/payment-intents/{id}/captures`) and times from just before that "
    + "`fetch` to the SDK's `status` event with `canonical: 'succeeded'` (both on the page's `performance.now()`).");
  p();
  p('| merchant capture → `status` event | changes | p50 | p95 | min | max |');
  p('| --- | --- | --- | --- | --- | --- |');
  p(`| stream (SSE over fetch) | ${s.n} | ${ms(s.p50)} | **${ms(s.p95)}** | ${ms(s.min)} | ${ms(s.max)} |`);
  p();
  p(`![Status latency distributions](${distribution('latency.svg', {
    title: 'merchant capture → status event (ms, log scale)',
    series: [{ label: 'stream (SSE over fetch)', values: streamed }, ...(polledMs.length ? [{ label: 'polling (stream refused)', values: polledMs }] : [])],
    reference: { value: 10, label: 'budget p95 10 ms' },
    log: true,
  })})`);
  if (polledMs.length) {
    const t = stats(polledMs);
    p(`| polling (stream refused; capture 0–10 s after polling began) | ${t.n} | ${ms(t.p50)} | ${ms(t.p95)} | ${ms(t.min)} | ${ms(t.max)} |`);
    const ip = stats(intoPolling);
    p();
    p(`Polling is the SDK's fallback, not a mode: with the stream refused it took ${(ip.p50 / 1000).toFixed(1)} s (median) of three `
      + 'reconnect attempts before the first poll; then it polls at 0.25 s, doubling while nothing changes up to 0.5–1 s (`RetryPolicy::poll_delay`), '
      + 'so a change shows within about a second however long the intent has been quiet.');
  }
  p();
  const polledNote = polledMs.length ? `; polling p50 ${stats(polledMs).p50.toFixed(0)} ms` : '';
  summary.push({ figure: 3, what: `Status latency with the stream (p50 / p95 of ${s.n} captures${polledNote})`, value: `${s.p50.toFixed(1)} / ${s.p95.toFixed(1)} ms`, target: 'p95 ≤ 10 ms', met: s.p95 <= 10 });
  p(s.p95 <= 10
    ? `Budget p95 ≤ 10 ms with the stream: **met** (${ms(s.p95)}).`
    : `Budget p95 ≤ 10 ms with the stream: **missed** by ${ms(s.p95 - 10)}.`);
  if (polledMs.length) {
    const t = stats(polledMs);
    summary.push({ figure: 3, what: `Status latency by polling (stream refused; p50 of ${t.n} captures)`, value: `${t.p50.toFixed(0)} ms`, target: 'p50 ≤ 1 s', met: t.p50 <= 1000 });
    p(t.p50 <= 1000 ? `Budget polling p50 ≤ 1 s: **met** (${ms(t.p50)}).` : `Budget polling p50 ≤ 1 s: **missed** (${ms(t.p50)}).`);
  }
}
