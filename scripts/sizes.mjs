// Prints raw / gzip -9 / brotli -q 11 sizes of the files in a folder (default pkg/), and the script-tag total.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dir = process.argv[2] ?? 'pkg';
// What `import 'intent-checkout/element'` loads in a browser (the other entries are for tools and tests).
const ESM_PATH = ['element.js', 'index.js', 'messages.js', 'styles.js', 'wasm.js', 'intent_checkout.js'];
const kb = (n) => (n / 1024).toFixed(1).padStart(7) + ' KB';
const measure = (buf) => ({
  raw: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  }).length,
});
const rows = readdirSync(dir)
  .filter((f) => f === 'intent-checkout.js' || ESM_PATH.includes(f) || f.endsWith('.wasm'))
  .sort()
  .map((f) => ({ f, ...measure(readFileSync(join(dir, f))) }));
console.log(`${'file'.padEnd(28)}${'raw'.padStart(10)}${'gzip'.padStart(10)}${'brotli'.padStart(10)}`);
for (const r of rows) console.log(`${r.f.padEnd(28)}${kb(r.raw)}${kb(r.gzip)}${kb(r.brotli)}`);
const sum = (pick) => rows.filter((r) => pick(r.f)).reduce(
  (t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }),
  { raw: 0, gzip: 0, brotli: 0 });
// The script-tag path loads the one bundled classic script and the page's wasm; the npm path the ES modules
// and the same wasm. Neither loads the card fields' module: only the isolated frame does (on the API's origin).
const PAGE_WASM = 'intent_checkout_bg.wasm';
const paths = [
  ['script-tag path (js + wasm)', (f) => f === 'intent-checkout.js' || f === PAGE_WASM],
  ['npm ESM path (js + wasm)', (f) => ESM_PATH.includes(f) || f === PAGE_WASM],
];
for (const [label, pick] of paths) {
  const t = sum(pick);
  console.log(`${label.padEnd(28)}${kb(t.raw)}${kb(t.gzip)}${kb(t.brotli)}`);
}
