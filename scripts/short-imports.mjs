// Gives a wasm-bindgen module's imports short names, in the .wasm and in its glue alike (called by
// scripts/build.sh after wasm-opt). wasm-bindgen names each import after its JS function plus a 16-digit
// hex hash (`__wbg_call_a410eb4b59ed5965`); the names sit in the .wasm's import section and again as keys of
// the glue's imports object, and the hashes do not compress. Short names (`a`, `b`, … `aa`) made the page's
// .wasm 183.7 -> 181.3 KB raw, 66.1 -> 65.2 KB brotli and the script-tag bundle 21.3 -> 20.5 KB brotli
// (2026-12-01). binaryen's --minify-imports renames only Emscripten's `env` imports, so this does it.
// Each old name must appear exactly once in the glue (its key): anything else stops the build, so a
// wasm-bindgen that names imports elsewhere is noticed, not half-renamed.
// Usage: node scripts/short-imports.mjs <module_bg.wasm> <glue.js>
import { readFileSync, writeFileSync } from 'node:fs';

const [wasmFile, glueFile] = process.argv.slice(2);
const wasm = readFileSync(wasmFile);
let glue = readFileSync(glueFile, 'utf8');

const leb = (at) => {
  let r = 0;
  let s = 0;
  let b;
  do {
    b = wasm[at.off++];
    r += (b & 0x7f) * 2 ** s;
    s += 7;
  } while (b & 0x80);
  return r;
};
const uleb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
};
const name = (s) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([uleb(b.length), b]);
};
// a … z, aa … zz, …: keys of the glue's imports object only (a keyword is a valid property name).
const short = (i) => {
  let s = '';
  for (i += 1; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(97 + ((i - 1) % 26)) + s;
  return s;
};

const renamed = new Map();
const out = [wasm.subarray(0, 8)];
const at = { off: 8 };
while (at.off < wasm.length) {
  const start = at.off;
  const id = wasm[at.off++];
  const end = leb(at) + at.off;
  if (id !== 2) {
    out.push(wasm.subarray(start, end));
    at.off = end;
    continue;
  }
  const count = leb(at);
  const items = [uleb(count)];
  for (let i = 0; i < count; i++) {
    const moduleLen = leb(at);
    const module = wasm.toString('utf8', at.off, at.off + moduleLen);
    at.off += moduleLen;
    const fieldLen = leb(at);
    const field = wasm.toString('utf8', at.off, at.off + fieldLen);
    at.off += fieldLen;
    const desc = at.off;
    const kind = wasm[at.off++];
    if (kind === 0) leb(at); // function: type index
    else if (kind === 1 || kind === 2) { // table (element type first), memory: limits flags, min, max?
      if (kind === 1) at.off++;
      const flags = wasm[at.off++];
      leb(at);
      if (flags & 1) leb(at);
    }
    else if (kind === 3) at.off += 2; // global
    else if (kind === 4) { at.off++; leb(at); } // tag
    if (!renamed.has(field)) renamed.set(field, short(renamed.size));
    items.push(name(module), name(renamed.get(field)), wasm.subarray(desc, at.off));
  }
  const body = Buffer.concat(items);
  out.push(Buffer.from([2]), uleb(body.length), body);
  at.off = end;
}

for (const [old, fresh] of renamed) {
  const uses = glue.split(old).length - 1;
  if (uses !== 1) throw new Error(`${glueFile}: the import ${old} appears ${uses} times, not once`);
  glue = glue.replace(old, fresh);
}
writeFileSync(wasmFile, Buffer.concat(out));
writeFileSync(glueFile, glue);
console.log(`short-imports: ${renamed.size} imports of ${wasmFile} renamed`);
