// Figure 8, isolated card fields next to inline ones, in one run:
//   1. bytes (brotli -q 11): what the merchant's page loads, what the card frame loads, and their sum, next to
//      Adyen's card checkout bundled the same way (bench/bundle.mjs);
//   2. `ready` (navigation → the element's `ready`, warm cache, median) for both modes next to the floor
//      (a blank page with one deferred script → DOMContentLoaded), loads interleaved so the machine's load
//      falls on all three alike;
//   3. requests per checkout (load, type a card, pay, succeeded), counted by the sandbox (`--log`, every
//      request including CORS preflights), cold (a fresh profile) and warm (the same profile again).
// Isolated: the merchant page on http://localhost:P, the API (and its frame) on http://127.0.0.1:P.
// Inline: the page on the API's origin, as a merchant in PCI scope may host it.
// Usage: node bench/card-fields.mjs [loads=50]   (needs `npm run build`; SANDBOX_BIN picks the sandbox)
import { existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import os from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { root, measure, kb, sum, esbuildModule, bundle } from './bundle.mjs';

const loads = Number(process.argv[2] ?? 50);
const pkg = join(root, 'pkg');
const BUDGET = 60 * 1024;
const release = join(root, 'target/release/intent-sandbox');
const binary = process.env.SANDBOX_BIN ?? (existsSync(release) ? release : join(root, 'target/debug/intent-sandbox'));
const out = [];
const p = (s = '') => out.push(s);
const summary = [];
const loadavg = os.loadavg().map((x) => x.toFixed(1)).join(' ');

/** A sandbox serving bench/pages and pkg/, its stderr request log collected in `log`. */
function sandbox() {
  const child = spawn(binary, ['--port', '0', '--secret-key', 'sk_bench', '--demo', '--log', '--www-dir', join(root, 'bench/pages'), '--pkg-dir', pkg], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  const waiting = [];
  createInterface({ input: child.stderr }).on('line', (l) => {
    log.push(l);
    for (const w of waiting.splice(0)) w();
  });
  // Resolves once a logged line (from index `from` on) matches `re` (lines arrive through a pipe).
  log.until = async (from, re) => {
    while (!log.slice(from).some((l) => re.test(l))) await new Promise((r) => waiting.push(r));
  };
  return new Promise((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`sandbox exited with ${c}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      if (!url) return reject(new Error(line));
      child.removeAllListeners('exit');
      resolve({ url, log, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGINT'); }) });
    });
  });
}

async function browser() {
  const profile = mkdtempSync(join(tmpdir(), 'bench-card-fields-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run', '--disable-quic'],
  });
  return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

async function intent(sb) {
  const res = await fetch(`${sb.url}/demo/payment-intents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":1000}' });
  return res.json();
}

const pages = (sb) => {
  const api = sb.url;
  const local = api.replace('//127.0.0.1:', '//localhost:');
  return {
    isolated: (c) => `${local}/ready.html#${new URLSearchParams({ pi: c.paymentIntentId, t: c.clientSessionSecret, api, fields: 'isolated' })}`,
    inline: (c) => `${api}/ready.html#${new URLSearchParams({ pi: c.paymentIntentId, t: c.clientSessionSecret, fields: 'inline' })}`,
    floor: () => `${local}/blank.html`,
  };
};

async function loadOnce(b, url) {
  const page = await b.context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.__ready !== undefined || window.__error !== undefined, null, { timeout: 20_000 });
  const r = await page.evaluate(() => ({ ready: window.__ready, error: window.__error }));
  await page.close();
  if (r.ready === undefined) throw new Error(`${url}: ${r.error}`);
  return r.ready;
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const p95 = (v) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.ceil(0.95 * v.length) - 1)];

// ----- 1. bytes -----
const integrity = JSON.parse(readFileSync(join(pkg, 'integrity.json'), 'utf8'));
const file = (f) => ({ f, ...measure(readFileSync(join(pkg, f))) });
const pinned = (f) => ({ f: integrity.versioned[f], ...measure(readFileSync(join(pkg, integrity.versioned[f]))) });
const sb = await sandbox();
const frameHtml = Buffer.from(await (await fetch(`${sb.url}/card-frame/v1?origin=${encodeURIComponent(sb.url.replace('127.0.0.1', 'localhost'))}`)).arrayBuffer());
const page = [file('intent-checkout.js'), file('intent_checkout_bg.wasm')];
const frame = [{ f: '/card-frame/v1 (HTML)', ...measure(frameHtml) }, pinned('card-frame.js'), pinned('card_fields_bg.wasm')];
// The inline fields run on the page's own .wasm (its fieldState/cvcState): no second module.
const inlineExtra = [file('inline-fields.js')];
const isoPage = sum(page);
const isoFrame = sum(frame);
const inlPage = sum([...page, ...inlineExtra]);
const isoSum = sum([isoPage, isoFrame]);
let adyen = null;
const esbuild = await esbuildModule();
if (esbuild) adyen = sum(await bundle(esbuild, join(root, 'bench/competitors/adyen.js')));

p(`Command: \`node bench/card-fields.mjs ${loads}\` (load average at start: ${loadavg}). KB = 1024 bytes, brotli -q 11; the files as built in pkg/ `
  + '(the page loads the script tag and its .wasm; the frame its HTML from the API and the versioned script and .wasm the HTML names).');
p();
p('| | isolated (default) | inline (`fields="inline"`) |');
p('| --- | --- | --- |');
p(`| merchant page | **${kb(isoPage.brotli)}** KB (${page.map((r) => `${r.f} ${kb(r.brotli)}`).join(', ')}) | **${kb(inlPage.brotli)}** KB (+ ${inlineExtra.map((r) => `${r.f} ${kb(r.brotli)}`).join(', ')}, loaded on demand) |`);
p(`| card frame (API's origin) | **${kb(isoFrame.brotli)}** KB (${frame.map((r) => `${r.f.replace(/^cdn\/[^/]+\//, '')} ${kb(r.brotli)}`).join(', ')}) | none |`);
p(`| sum | **${kb(isoSum.brotli)}** KB | **${kb(inlPage.brotli)}** KB |`);
if (adyen) p(`| Adyen Web (AdyenCheckout + Card + CSS, bundled the same way; its secured-field frames not counted) | ${kb(adyen.brotli)} KB | |`);
p();
const met = isoSum.brotli <= BUDGET;
p(`Budget: page + frame ≤ 60 KB: **${met ? 'met' : `missed by ${kb(isoSum.brotli - BUDGET)} KB`}** (${kb(isoSum.brotli)} KB${adyen ? `; Adyen ${kb(adyen.brotli)} KB` : ''}). `
  + 'The frame carries the card rules and the frame protocol (fields/, no checkout flow); the page in isolated mode carries no card-field code '
  + '(the inline fields are a separate module it loads only for `fields="inline"`).');
summary.push({ figure: 8, what: 'Isolated card fields: page + frame (brotli)', value: `${kb(isoSum.brotli)} KB (page ${kb(isoPage.brotli)}, frame ${kb(isoFrame.brotli)}; inline ${kb(inlPage.brotli)}${adyen ? `; Adyen ${kb(adyen.brotli)}` : ''})`, target: '≤ 60 KB', met });

// ----- 2. ready, warm -----
const b = await browser();
const url = pages(sb);
const times = { isolated: [], inline: [], floor: [] };
try {
  for (let i = 0; i < 3; i++) for (const m of ['isolated', 'inline', 'floor']) await loadOnce(b, url[m](await intent(sb)));
  for (let i = 0; i < loads; i++) {
    for (const m of ['isolated', 'inline', 'floor']) times[m].push(await loadOnce(b, url[m](await intent(sb))));
  }
} finally {
  await b.close();
}
const floor = median(times.floor);
p();
p(`\`ready\`, warm cache (the same profile after 3 unmeasured loads of each), ${loads} loads each, interleaved:`);
p();
p('| navigation → ready | median | p95 | × floor |');
p('| --- | --- | --- | --- |');
for (const m of ['isolated', 'inline']) p(`| ${m} | **${median(times[m]).toFixed(1)} ms** | ${p95(times[m]).toFixed(1)} ms | ${(median(times[m]) / floor).toFixed(2)} |`);
p(`| floor: blank page, one deferred script → DOMContentLoaded | ${floor.toFixed(1)} ms | ${p95(times.floor).toFixed(1)} ms | 1 |`);
const ratio = median(times.isolated) / floor;
summary.push({ figure: 8, what: 'Isolated card fields: ready, warm (median; × blank-page floor)', value: `${median(times.isolated).toFixed(1)} ms (${ratio.toFixed(2)}×; inline ${median(times.inline).toFixed(1)} ms, floor ${floor.toFixed(1)} ms)`, target: '≤ 2.5× floor', met: ratio <= 2.5 });

// ----- 3. requests per checkout -----
async function checkout(bw, mode) {
  const c = await intent(sb);
  const from = sb.log.length;
  const tab = await bw.context.newPage();
  await tab.goto(url[mode](c));
  await tab.waitForFunction(() => window.__ready !== undefined, null, { timeout: 20_000 });
  const f = mode === 'inline' ? tab : tab.frameLocator('[data-testid="card-frame"]');
  await f.locator('[data-testid="card-number"]').pressSequentially('4242424242424242');
  await f.locator('[data-testid="card-expiry"]').pressSequentially('1234');
  await f.locator('[data-testid="card-cvc"]').pressSequentially('123');
  await f.locator('[data-testid="card-name"]').fill('Bench');
  await tab.locator('[data-testid="pay-button"]').click();
  await tab.locator('intent-checkout[state="succeeded"]').waitFor({ timeout: 20_000 });
  await tab.close();
  await sb.log.until(from, /^POST \/payment-intents\/public\/[^/ ]+\/payments /);
  const lines = sb.log.slice(from).filter((l) => !/ \/(ready\.(html|js)|favicon\.ico) /.test(l));
  return { n: lines.length, preflights: lines.filter((l) => l.startsWith('OPTIONS')).length, paths: lines.map((l) => l.split(' ').slice(0, 2).join(' ')) };
}
const counts = {};
for (const mode of ['isolated', 'inline']) {
  const bw = await browser();
  try {
    counts[mode] = { cold: await checkout(bw, mode), warm: await checkout(bw, mode) };
  } finally {
    await bw.close();
  }
}
await sb.stop();
p();
p('Requests per checkout (load, type a card, pay, succeeded), as the sandbox logged them (CORS preflights included; the merchant\'s own page and script excluded):');
p();
p('| | cold (fresh profile) | warm (same profile) |');
p('| --- | --- | --- |');
for (const mode of ['isolated', 'inline']) {
  const { cold, warm } = counts[mode];
  p(`| ${mode} | **${cold.n}** (${cold.preflights} preflights) | **${warm.n}** (${warm.preflights} preflights) |`);
}
p();
for (const mode of ['isolated', 'inline']) p(`${mode}, cold: ${counts[mode].cold.paths.map((x) => x.replace(/\/(pi|pm)_sandbox_[\w-]+/g, '/$1_…')).join(', ')}.`);
summary.push({ figure: 8, what: 'Requests per checkout, cold / warm', value: `isolated ${counts.isolated.cold.n} / ${counts.isolated.warm.n}, inline ${counts.inline.cold.n} / ${counts.inline.warm.n}`, target: '—', met: true });

console.log(out.join('\n'));
for (const s of summary) console.log('SUMMARY ' + JSON.stringify(s));
