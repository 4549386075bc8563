// Figure 4, core throughput: snapshots decoded + applied per second by the SDK's flow machine natively and
// in wasm (V8 in Node, the module built like pkg/: release opt-level z + LTO, wasm-bindgen, wasm-opt with
// scripts/wasm-opt.flags), and the cost of one wasm-boundary call. Usage: node bench/throughput.mjs [snapshots=20000]. Prints markdown.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const n = Number(process.argv[2] ?? 20000);
const ROUNDS = 7;
const env = { ...process.env, PATH: `${process.env.HOME}/.cargo/bin:${process.env.PATH}` };
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

run('cargo', ['build', '--quiet', '--release', '-p', 'bench-throughput']);
const native = JSON.parse(run(join(root, 'target/release/bench-throughput'), ['--snapshots', String(n), '--rounds', String(ROUNDS)]));

run('cargo', ['build', '--quiet', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'bench-throughput']);
const out = join(root, 'target/bench-throughput-wasm');
run('wasm-bindgen', [join(root, 'target/wasm32-unknown-unknown/release/bench_throughput.wasm'), '--target', 'nodejs',
  '--out-dir', out, '--no-typescript']);
const wasmOpt = join(root, 'node_modules/.bin/wasm-opt');
const optFlags = readFileSync(join(root, 'scripts/wasm-opt.flags'), 'utf8').trim().split(/\s+/);
if (existsSync(wasmOpt)) run(wasmOpt, [...optFlags, join(out, 'bench_throughput_bg.wasm'), '-o', join(out, 'bench_throughput_bg.wasm')]);
// The nodejs glue is CommonJS; the repo's package.json says "type": "module".
writeFileSync(join(out, 'package.json'), '{"type": "commonjs"}\n');
const w = createRequire(import.meta.url)(join(out, 'bench_throughput.js'));

const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const perSec = (count, fn) => {
  const t = performance.now();
  fn();
  return count / ((performance.now() - t) / 1000);
};

// Frames as the page receives them: bytes from the network, one chunk per snapshot.
const view = readFileSync(join(root, 'bench/throughput/src/view.json'), 'utf8');
const enc = new TextEncoder();
const frames = Array.from({ length: n }, (_, i) => {
  const v = i + 2;
  const body = view.replace('"version":2', `"version":${v}`).replace('"tipsAmount":{"value":0', `"tipsAmount":{"value":${v % 500}`);
  return enc.encode(`id: ${v}\nevent: intent\ndata: ${body}\n\n`);
});

w.prepare(n);
const inside = [], decode = [], page = [], core = [];
let events = 0;
for (let r = 0; r < ROUNDS; r++) {
  inside.push(perSec(n, () => w.applyPrepared()));
  decode.push(perSec(n, () => w.decodePrepared()));
  core.push(perSec(n, () => w.coreApplyPrepared()));
  const h = new w.WasmHarness();
  let got = 0;
  const emit = (name, detail) => { got += detail.length > 0 ? 1 : 0; };
  page.push(perSec(n, () => { for (const f of frames) h.feed(f, emit); }));
  h.free();
  events = got;
}
if (events !== n) throw new Error(`expected ${n} status events, got ${events}`);

// Boundary calls: ns per call, median of rounds.
const nsPerCall = (count, fn) => {
  const v = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    fn(count);
    v.push(((performance.now() - t) * 1e6) / count);
  }
  return median(v);
};
const jsNoop = () => {};
const str = view; // ~800 characters
const bytes = frames[0];
const rows = [
  ['JS → JS function call (baseline)', nsPerCall(2e6, (c) => { for (let i = 0; i < c; i++) jsNoop(); })],
  ['JS → wasm `noop()`', nsPerCall(2e6, (c) => { for (let i = 0; i < c; i++) w.noop(); })],
  ['JS → wasm `add(u32, u32) -> u32`', nsPerCall(2e6, (c) => { let s = 0; for (let i = 0; i < c; i++) s = w.add(s, i); })],
  [`JS → wasm, ${bytes.length}-byte Uint8Array in (copied)`, nsPerCall(2e5, (c) => { for (let i = 0; i < c; i++) w.bytesLen(bytes); })],
  [`JS → wasm, ${str.length}-character string in (UTF-8 encoded)`, nsPerCall(2e5, (c) => { for (let i = 0; i < c; i++) w.strLen(str); })],
  [`wasm → JS, ${str.length}-character string out (decoded)`, nsPerCall(2e5, (c) => { for (let i = 0; i < c; i++) w.viewOut(); })],
  ['wasm → JS callback (`Function.call0` from Rust)', nsPerCall(1e6, (c) => { for (let i = 0; i < c; i++) w.callJs(jsNoop); })],
];

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const lines = [];
lines.push(`Command: \`node bench/throughput.mjs ${n}\` (native: \`target/release/bench-throughput --snapshots ${n} --rounds ${ROUNDS}\`). `
  + `Median of ${ROUNDS} rounds of ${fmt(n)} snapshots; each is one \`event: intent\` SSE frame of ${native.frameBytes} bytes with the sandbox's real browser view and a newer version. `
  + '"Decode + apply" = SSE parse, `flow::wire::decode` (the core\'s `PaymentIntent::from_json`, once), the core mirror\'s order check, classification and typed changes, the `status` event and its `detail` JSON (its `change` built from the mirror\'s changes), exactly what `handle_stream_data` does for the page. '
  + `Both builds use the workspace release profile (opt-level "z", LTO) the shipped SDK uses; wasm runs in Node ${process.versions.node} (V8 ${process.versions.v8}).`);
lines.push('');
lines.push('| snapshots per second | native | wasm | wasm / native |');
lines.push('| --- | --- | --- | --- |');
lines.push(`| decode only (\`flow::wire::intent\`) | ${fmt(native.decodePerSec)} | ${fmt(median(decode))} | ${(median(decode) / native.decodePerSec).toFixed(2)} |`);
lines.push(`| decode + apply, all inside one call | ${fmt(native.applyPerSec)} | ${fmt(median(inside))} | ${(median(inside) / native.applyPerSec).toFixed(2)} |`);
lines.push(`| the core's \`PaymentIntent::from_json\` + \`Mirror::apply_snapshot\` (on \`core::json\`; the page path above wraps the same decoder) | ${fmt(native.coreApplyPerSec)} | ${fmt(median(core))} | ${(median(core) / native.coreApplyPerSec).toFixed(2)} |`);
lines.push(`| decode + apply, the page's path: one call in per chunk, one JS callback out per event | — | ${fmt(median(page))} | |`);
lines.push('');
lines.push(`Per snapshot: ${(1e6 / native.applyPerSec).toFixed(1)} µs native, ${(1e6 / median(inside)).toFixed(1)} µs in wasm, ${(1e6 / median(page)).toFixed(1)} µs on the page's path `
  + (1e6 / median(page) - 1e6 / median(inside) > 0.5
    ? `(so the boundary adds ${(1e6 / median(page) - 1e6 / median(inside)).toFixed(1)} µs per snapshot).`
    : '(the boundary crossings, one call in and one callback out per snapshot, are lost in the noise next to decode + apply).'));
lines.push('');
lines.push('| one call | ns per call |');
lines.push('| --- | --- |');
for (const [name, ns] of rows) lines.push(`| ${name} | ${ns.toFixed(1)} |`);
console.log(lines.join('\n'));
console.log('SUMMARY ' + JSON.stringify({ figure: 4, what: 'Core throughput, decode + apply (snapshots/s)', value: `native ${fmt(native.applyPerSec)}, wasm ${fmt(median(inside))} (${fmt(median(page))} with a boundary call per snapshot); noop call ${rows[1][1].toFixed(0)} ns`, target: '—', met: null }));
