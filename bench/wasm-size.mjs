// `cargo bloat --crates`-style attribution of a wasm module's code to crates and modules, from the module's
// own name section (rustc keeps it in target/wasm32-unknown-unknown/release/*.wasm; pkg/ strips it).
// Usage: node bench/wasm-size.mjs [module.wasm] [shipped.wasm]  (prints markdown), or import { analyse }.
import { readFileSync } from 'node:fs';

function leb(buf, at) {
  let r = 0, s = 0, b;
  do {
    b = buf[at.off++];
    r += (b & 0x7f) * 2 ** s;
    s += 7;
  } while (b & 0x80);
  return r;
}

/** Sections (id or custom name → bytes), function body sizes, and function names by index. */
export function parse(buf) {
  const at = { off: 8 };
  const sections = {};
  const bodies = [];
  const names = new Map();
  let imports = 0;
  while (at.off < buf.length) {
    const id = buf[at.off++];
    const size = leb(buf, at);
    const start = at.off;
    const end = start + size;
    if (id === 0) {
      const nl = leb(buf, at);
      const name = buf.toString('utf8', at.off, at.off + nl);
      at.off += nl;
      sections[`custom "${name}"`] = size;
      if (name === 'name') {
        while (at.off < end) {
          const sub = buf[at.off++];
          const ss = leb(buf, at);
          const se = at.off + ss;
          if (sub === 1) {
            const n = leb(buf, at);
            for (let i = 0; i < n; i++) {
              const idx = leb(buf, at);
              const l = leb(buf, at);
              names.set(idx, buf.toString('utf8', at.off, at.off + l));
              at.off += l;
            }
          }
          at.off = se;
        }
      }
    } else {
      sections[['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount'][id] ?? id] = size;
    }
    if (id === 2) {
      const n = leb(buf, at);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < 2; k++) {
          const l = leb(buf, at); // module, then field name
          at.off += l;
        }
        const kind = buf[at.off++];
        if (kind === 0) { leb(buf, at); imports++; }
        else if (kind === 1) { at.off++; const f = buf[at.off++]; leb(buf, at); if (f & 1) leb(buf, at); }
        else if (kind === 2) { const f = buf[at.off++]; leb(buf, at); if (f & 1) leb(buf, at); }
        else if (kind === 3) at.off += 2;
        else if (kind === 4) { at.off++; leb(buf, at); }
      }
    }
    if (id === 10) {
      const n = leb(buf, at);
      for (let i = 0; i < n; i++) {
        const s = leb(buf, at);
        bodies.push(s);
        at.off += s;
      }
    }
    at.off = end;
  }
  return { sections, bodies, names, imports };
}

/** The path of a (v0 or legacy) mangled Rust symbol, as far as needed: ['intent_checkout', 'core', 'flow']. */
export function path(sym) {
  if (!sym) return ['?'];
  if (sym.startsWith('_R')) {
    // v0: the first crate root (C, optional disambiguator) then the nested identifiers that follow it.
    const m = /C(?:s[0-9a-zA-Z]*_)?(\d+)/.exec(sym);
    if (!m) return ['?'];
    const out = [];
    let i = m.index + m[0].length - m[1].length;
    while (out.length < 4) {
      const lm = /^(\d+)(_?)/.exec(sym.slice(i));
      if (!lm) break;
      const len = Number(lm[1]);
      const startName = i + lm[1].length + lm[2].length;
      out.push(sym.slice(startName, startName + len));
      i = startName + len;
      // Skip the namespace tag (N + letter) between nested names is before, not after; stop at anything else.
      if (!/^\d/.test(sym.slice(i))) break;
    }
    // v0 nests inside-out: the identifiers after the crate are the modules in order.
    return out.length ? out : ['?'];
  }
  if (sym.startsWith('_ZN')) {
    const segs = [];
    let i = 3;
    while (i < sym.length && sym[i] !== 'E') {
      const lm = /^(\d+)/.exec(sym.slice(i));
      if (!lm) break;
      const len = Number(lm[1]);
      segs.push(sym.slice(i + lm[1].length, i + lm[1].length + len));
      i += lm[1].length + len;
    }
    let first = segs[0] ?? '?';
    if (first.startsWith('_$LT$') || first.startsWith('$LT$')) {
      // <T as Trait>: attribute to T's crate.
      const inner = first.replace(/^_?\$LT\$/, '').split('$u20$as$u20$')[0];
      const p = inner.replace(/\$RF\$|\$BP\$|\$u5b\$|mut\$u20\$/g, '').split('..');
      return p.length > 1 ? p : [p[0] || '?'];
    }
    return segs.filter((s) => !/^h[0-9a-f]{16}$/.test(s));
  }
  if (/^(__wbindgen|__wbg_|__externref|__wbg)/.test(sym)) return ['wasm_bindgen (glue exports)'];
  if (sym.includes('::')) {
    // Demangled (wasm-bindgen rewrites the name section): `crate[hash]::mod::f` or `<T as Trait>::f`.
    let t = sym.replace(/\[[0-9a-f]+\]/g, '');
    if (t.startsWith('<')) t = t.slice(1).replace(/^(&mut |&|\*const |\*mut |dyn )+/, '');
    if (t.startsWith('[') || t.startsWith('(')) return ['core'];
    const segs = t.split(/::|<| as |>/).filter(Boolean);
    return segs.length ? segs.map((x) => x.trim()) : ['?'];
  }
  return [`(unmangled: ${sym.length > 24 ? sym.slice(0, 24) + '…' : sym})`];
}

export function analyse(file) {
  const { sections, bodies, names, imports } = parse(readFileSync(file));
  const byCrate = new Map();
  const byModule = new Map();
  const ours = 'intent_checkout';
  let code = 0;
  bodies.forEach((size, i) => {
    code += size;
    const p = path(names.get(imports + i));
    let crate = p[0];
    if (crate.startsWith('(unmangled')) crate = 'other (no Rust path: memcpy, functions merged by wasm-opt, …)';
    if (/^(T|char|str|u8|u16|u32|u64|usize|i32|i64|isize|f64|bool|\[.*)$/.test(crate)) crate = 'core';
    byCrate.set(crate, (byCrate.get(crate) ?? 0) + size);
    if (p[0] === ours) {
      // The module path: lowercase segments (modules), at most four deep.
      let depth = 1;
      while (depth < Math.min(4, p.length - 1) && /^[a-z_][a-z0-9_]*$/.test(p[depth])) depth++;
      const mod = p.slice(0, depth).join('::');
      byModule.set(mod, (byModule.get(mod) ?? 0) + size);
    }
  });
  const sort = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { sections, code, functions: bodies.length, byCrate: sort(byCrate), byModule: sort(byModule) };
}

export function markdown(file, shipped, label) {
  const a = analyse(file);
  const pct = (n) => ((100 * n) / a.code).toFixed(1) + ' %';
  const kb = (n) => (n / 1024).toFixed(1);
  const lines = [];
  let shippedNote = '';
  if (shipped) {
    const s = parse(readFileSync(shipped)).sections;
    shippedNote = ` The shipped module (${shipped.replace(/^.*\/pkg\//, 'pkg/')}, after wasm-bindgen and wasm-opt with scripts/wasm-opt.flags) has code ${kb(s.code ?? 0)} KB and data ${kb(s.data ?? 0)} KB; the shares below carry over roughly.`;
  }
  lines.push(`Code of ${label ?? '`' + file + '`'}: `
    + `${a.functions} functions, code section ${kb(a.code)} KB, data section ${kb(a.sections.data ?? 0)} KB.${shippedNote}`);
  lines.push('');
  lines.push('| crate | code KB | share |');
  lines.push('| --- | --- | --- |');
  for (const [c, n] of a.byCrate.slice(0, 12)) lines.push(`| ${c} | ${kb(n)} | ${pct(n)} |`);
  lines.push('');
  lines.push('| intent_checkout path (module, or free function) | code KB | share of all code |');
  lines.push('| --- | --- | --- |');
  for (const [c, n] of a.byModule.slice(0, 12)) lines.push(`| ${c} | ${kb(n)} | ${pct(n)} |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(markdown(process.argv[2] ?? 'target/wasm32-unknown-unknown/release/intent_checkout.wasm', process.argv[3] ?? 'pkg/intent_checkout_bg.wasm'));
}
