// Figure 1, payload: raw / gzip -9 / brotli -q 11 of what a card checkout loads.
// Usage: node bench/payload.mjs   (needs `npm run build`; installs the competitors into $BENCH_COMPETITORS,
// default /tmp/bench-competitors, from bench/competitors/package.json, never into the repo).
// Prints markdown.
import { readFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { barChart } from './charts.mjs';
import { root, compDir, measure, kb, sum, esbuildModule, bundle } from './bundle.mjs';

const pkg = join(root, 'pkg');
const TARGET_BROTLI = 45 * 1024;

const row = (name, m, note = '') => `| ${name} | ${kb(m.raw)} | ${kb(m.gzip)} | **${kb(m.brotli)}** | ${note} |`;
const out = [];
const p = (s = '') => out.push(s);

// ----- ours: the script-tag path, following the files' own imports from the entry -----
function scriptTagFiles() {
  const seen = [];
  const queue = ['intent-checkout.js'];
  while (queue.length) {
    const f = queue.shift();
    if (seen.includes(f)) continue;
    seen.push(f);
    if (!f.endsWith('.js')) continue;
    const src = readFileSync(join(pkg, f), 'utf8');
    const refs = [
      ...src.matchAll(/import\(\s*base\s*\+\s*['"]([^'"]+)['"]/g), // the classic entry's dynamic import
      ...src.matchAll(/import\(\s*new URL\(\s*['"]([^'"]+\.js)['"]/g), // the same, as script-base.js writes it
      ...src.matchAll(/\bfrom\s+['"]\.\/([^'"]+)['"]/g),
      ...src.matchAll(/\bimport\s+['"]\.\/([^'"]+)['"]/g),
      ...src.matchAll(/import\(\s*['"]\.\/([^'"]+)['"]\s*\)/g),
      ...src.matchAll(/new URL\(\s*['"]([^'"]+\.wasm)['"]/g), // the glue's (or the bundle's) wasm URL
    ].map((m) => m[1].replace(/^\.\//, ''));
    for (const r of refs) if (existsSync(join(pkg, r))) queue.push(r);
  }
  return seen;
}

const version = (name) => {
  try {
    return JSON.parse(readFileSync(join(compDir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
};

if (!existsSync(join(pkg, 'intent-checkout.js'))) {
  console.log('pkg/ is missing: run `npm run build` first');
  process.exit(1);
}

p('Command: `node bench/payload.mjs` (after `npm run build`). KB = 1024 bytes; brotli -q 11 in **bold**.');
p();
p('### intent-checkout, script-tag path (`<script src=".../intent-checkout.js">`, files as shipped in pkg/)');
p();
p('| file | raw KB | gzip -9 KB | brotli -q 11 KB | |');
p('| --- | --- | --- | --- | --- |');
const files = scriptTagFiles();
const ours = files.map((f) => ({ f, ...measure(readFileSync(join(pkg, f))) }));
for (const r of ours) p(row(r.f, r));
const scriptTag = sum(ours);
const verdict =
  scriptTag.brotli <= TARGET_BROTLI
    ? `target < 45 KB met (${kb(TARGET_BROTLI - scriptTag.brotli)} KB to spare)`
    : `target < 45 KB **missed by ${kb(scriptTag.brotli - TARGET_BROTLI)} KB**`;
p(row('**total (script-tag checkout)**', scriptTag, verdict));
p();
p('Files found by following the entry\'s imports (`import(base + ...)`, `import(new URL(\'….js\', …))`, `from \'./...\'`) and its `new URL(\'….wasm\', …)`; the ready-time figure lists what the browser actually fetched.');
p();

const esbuild = await esbuildModule();
let results = [];
if (esbuild) {
  p('### intent-checkout, npm ESM path (esbuild --bundle --minify, the .wasm as a separate file)');
  p();
  p('| entry | raw KB | gzip -9 KB | brotli -q 11 KB | |');
  p('| --- | --- | --- | --- | --- |');
  const wasm = measure(readFileSync(join(pkg, 'intent_checkout_bg.wasm')));
  for (const [label, entry] of [
    ["`import 'intent-checkout/element'` (widget + createCheckout)", 'intent-checkout.js'],
    ["`import { createCheckout } from 'intent-checkout'` (headless)", 'intent-checkout-core.js'],
  ]) {
    try {
      const js = sum(await bundle(esbuild, join(root, 'bench/competitors', entry)));
      p(row(label + ' JS', js));
      const total = sum([js, wasm]);
      p(row(label + ' JS + .wasm', total));
      if (entry === 'intent-checkout.js') results.push(['intent-checkout (npm, element + wasm)', total, 'everything; no remote code']);
    } catch (e) {
      p(`| ${label} | not bundled: ${String(e.message).split('\n')[0]} | | | |`);
    }
  }
  p();
  results.unshift(['intent-checkout (script tag, as shipped)', scriptTag, 'everything; no remote code']);

  p('### Competitors, measured the same way from their npm packages');
  p();
  p(`Installed with \`npm install --prefix ${compDir}\` from \`bench/competitors/package.json\` (not in the repo's package.json). `
    + 'Each entry in `bench/competitors/` is bundled with esbuild (bundle, minify, ESM, browser, NODE_ENV=production); JS and CSS outputs counted.');
  p();
  p('| checkout | raw KB | gzip -9 KB | brotli -q 11 KB | counted / not counted |');
  p('| --- | --- | --- | --- | --- |');
  const comps = [
    [`@adyen/adyen-web ${version('@adyen/adyen-web')}: \`AdyenCheckout\` + \`Card\` + adyen.css`, 'adyen.js',
      'JS + CSS bundle; not the secured-fields iframes loaded from Adyen\'s CDN'],
    [`braintree-web ${version('braintree-web')}: \`client\` + \`hostedFields\``, 'braintree.js',
      'JS bundle; not the hosted-field iframes served by Braintree'],
    [`@square/web-sdk ${version('@square/web-sdk')}: \`payments()\` loader`, 'square.js',
      'the loader only; the real SDK (web.squarecdn.com/v1/square.js) and card iframe load remotely, not counted'],
  ];
  for (const [label, entry, note] of comps) {
    try {
      const parts = await bundle(esbuild, join(root, 'bench/competitors', entry));
      const t = sum(parts);
      p(row(label, t, `${parts.map((x) => x.name.replace(/^.*\./, '.')).join(' + ')}: ${note}`));
      results.push([label.split(':')[0], t, note]);
    } catch (e) {
      p(`| ${label} | not bundled: ${String(e.message).split('\n')[0]} | | | |`);
    }
  }
  // Braintree's prebuilt browser files are its script-tag path (the same files its CDN serves).
  const bt = ['client.min.js', 'hosted-fields.min.js'].map((f) =>
    join(compDir, 'node_modules/braintree-web/dist/browser', f),
  );
  if (bt.every(existsSync)) {
    const t = sum(bt.map((f) => measure(readFileSync(f))));
    p(row('braintree-web script-tag files: dist/browser/client.min.js + hosted-fields.min.js', t, 'as its CDN serves them; iframes not counted'));
  }
  p();
  const us = scriptTag.brotli;
  const chart = barChart('payload.svg', {
    title: 'Bytes a checkout page loads (brotli -q 11, KB; local bytes only)',
    unit: 'KB',
    rows: results.map(([n, t]) => ({ label: n, value: t.brotli / 1024 })),
    target: { value: TARGET_BROTLI / 1024, label: `budget ${(TARGET_BROTLI / 1024).toFixed(0)} KB` },
  });
  p(`![Payload, brotli](${chart})`);
  p();
  p('Brotli totals side by side: ' + results.map(([n, t]) => `${n.split(' ')[0]} ${kb(t.brotli)} KB`).join(', ')
    + `. Relative to our script-tag total: ${results.slice(2).map(([n, t]) => `${n.split(' ')[0]} ${(t.brotli / us).toFixed(1)}x`).join(', ')} (local bytes only; the competitors also load remote code not counted here).`);
} else {
  p('Competitors not measured: esbuild and the packages could not be installed into ' + compDir + '.');
}

// ----- what costs most in the wasm: the shipped pipeline again (wasm-bindgen, wasm-opt with scripts/wasm-opt.flags), names kept (-g) -----
p();
p('### What costs most');
p();
const named = join(root, 'target/wasm32-unknown-unknown/release/intent_checkout.wasm');
const work = '/tmp/bench-wasm-named';
try {
  mkdirSync(work, { recursive: true });
  const env = { ...process.env, PATH: `${process.env.HOME}/.cargo/bin:${process.env.PATH}` };
  execFileSync('wasm-bindgen', [named, '--target', 'web', '--out-dir', work, '--out-name', 'ic', '--no-typescript'], { env });
  const optFlags = readFileSync(join(root, 'scripts/wasm-opt.flags'), 'utf8').trim().split(/\s+/);
  execFileSync(join(root, 'node_modules/.bin/wasm-opt'), [...optFlags, '-g', join(work, 'ic_bg.wasm'), '-o', join(work, 'ic_named.wasm')], { env });
  const { markdown } = await import('./wasm-size.mjs');
  p(markdown(join(work, 'ic_named.wasm'), join(pkg, 'intent_checkout_bg.wasm'),
    `the shipped pipeline rebuilt with names kept (\`wasm-bindgen\` then \`wasm-opt ${optFlags.join(' ')} -g\` on target/wasm32-unknown-unknown/release/intent_checkout.wasm; \`node bench/wasm-size.mjs\`)`));
  const twiggy = join(process.env.HOME ?? '/root', '.cargo/bin/twiggy');
  if (existsSync(twiggy)) {
    p();
    p('`twiggy top -n 12` on the same module:');
    p();
    p('```');
    p(execFileSync(twiggy, ['top', '-n', '12', join(work, 'ic_named.wasm')], { encoding: 'utf8' }).trimEnd());
    p('```');
  }
} catch (e) {
  p('wasm analysis failed: ' + String(e.message).split('\n')[0]);
}
const js = ours.filter((r) => r.f.endsWith('.js'));
const jsTotal = sum(js);
const wasmRow = ours.find((r) => r.f.endsWith('.wasm'));
p();
p(`Script-tag split: .wasm ${kb(wasmRow?.brotli ?? 0)} KB brotli, JavaScript ${kb(jsTotal.brotli)} KB brotli (${js.map((r) => `${r.f} ${kb(r.brotli)}`).join(', ')}).`);
if (esbuild) {
  // Whether minifying the shipped JS again would save anything (the build bundles and minifies it already).
  let min = 0;
  for (const r of js) {
    const res = await esbuild.transform(readFileSync(join(pkg, r.f), 'utf8'), { minify: true, format: 'esm', loader: 'js' }).catch(() => null);
    min += res ? measure(Buffer.from(res.code)).brotli : r.brotli;
  }
  p(`Those JS files are minified by the build already; esbuild --minify again, file by file, makes them ${kb(min)} KB brotli (script-tag total ${kb(scriptTag.brotli - jsTotal.brotli + min)} KB).`);
}
console.log(out.join('\n'));
console.log('SUMMARY ' + JSON.stringify({ figure: 1, what: 'Payload, whole script-tag checkout (brotli -q 11)', value: `${kb(scriptTag.brotli)} KB (raw ${kb(scriptTag.raw)} KB, gzip ${kb(scriptTag.gzip)} KB)`, target: '< 45 KB', met: scriptTag.brotli < TARGET_BROTLI }));
