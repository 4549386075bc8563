// The package's served files, written into pkg/ after scripts/build.sh has copied the ES modules there
// (and pkg/package.json):
//   1. each file's Subresource Integrity into the ES modules that fetch it (the .wasm's into wasm.js);
//   2. the script-tag bundles (one minified classic script each): pkg/<name>, and the versioned layout
//      pkg/cdn/<version>/<stem>.<hash>.<ext> that never changes once published (served `immutable`);
//   3. pkg/integrity.json: the sha384 of every file in pkg/, and where each entry's versioned copy is;
//      pkg/cdn/<version>/script-tag.html: the tags to paste, with `integrity` and `crossorigin`;
//   4. brotli (q 11) and gzip (-9) siblings of every served file, so no server compresses on the fly.
// Before all that, the languages' tables (www/sdk/locales/<lang>.json, `page` and `card`) are split into
// pkg/locales/: <lang>.json (the page's, fetched by the script-tag bundle), <lang>.js (the same as an ES
// module, which the npm path imports and bundlers split) and card-<lang>.json (the card fields', fetched
// by the frame and the inline fields). Each JSON file is pinned like the .wasm.
// Usage: node scripts/dist.mjs [pkg dir]
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { packageManifest } from './package-json.mjs';

/**
 * The versioned layout, one entry per file, in dependency order. Add a file here and it is hashed, pinned
 * and precompressed like the rest:
 * - `{ file }`: a file of pkg/ as it is. `integrityIn: { module: marker }` writes its SRI into those ES
 *   modules in place of the marker string (before anything is bundled).
 * - `{ file, bundle: { entry, assets, format, external } }`: `entry` (an ES module in pkg/) bundled into one
 *   minified classic script (`format: 'esm'`: one ES module). `assets: { IDENTIFIER: file }` defines
 *   IDENTIFIER in the bundle as that earlier entry's file name: the plain name in pkg/, the content-hashed one
 *   in the versioned folder. `external`: imports left as they are (loaded on demand, from next to the file).
 *   `locales: { IDENTIFIER: prefix }` defines IDENTIFIER as `{lang: [file, integrity]}` for every language's
 *   `locales/<prefix><lang>.json` (plain or content-hashed name, as for `assets`). `stubs: { module: code }`:
 *   modules bundled as that code instead (the bundle does their work another way).
 * `remove`: ES modules only the bundles use, deleted from pkg/ afterwards.
 */
export const ENTRIES = [
  { file: 'intent_checkout_bg.wasm', integrityIn: { 'wasm.js': '__INTENT_CHECKOUT_WASM_INTEGRITY__' } },
  // The card fields' wasm: the isolated frame's (the inline fields run on the page's module).
  { file: 'card_fields_bg.wasm', integrityIn: { 'card-frame.js': '__CARD_FIELDS_WASM_INTEGRITY__' } },
  // fields="inline": loaded by the element on demand, from next to its script.
  {
    file: 'inline-fields.js',
    bundle: { entry: 'inline-fields.js', format: 'esm', locales: { CARD_LOCALES: 'card-' } },
  },
  {
    file: 'intent-checkout.js',
    bundle: {
      entry: 'intent-checkout.js',
      assets: { INTENT_CHECKOUT_WASM_FILE: 'intent_checkout_bg.wasm', INLINE_FIELDS_FILE: 'inline-fields.js' },
      locales: { PAGE_LOCALES: '' },
      // The languages' ES modules are the npm path's: the bundle fetches their JSON twins instead. The
      // inline fields' import() is the npm path's too: script-base.js loads them from next to the script.
      stubs: { 'locale-modules.js': 'export const importTable = null;', 'inline-loader.js': 'export const importInlineFields = null;' },
    },
  },
  // The isolated card frame's one script, served by the API's origin (`/card-frame/v1` names the versioned
  // copy and its integrity from integrity.json).
  {
    file: 'card-frame.js',
    bundle: { entry: 'card-frame.js', assets: { CARD_FRAME_WASM: 'card_fields_bg.wasm' }, locales: { CARD_LOCALES: 'card-' } },
  },
];
const REMOVE = ['script-base.js', 'card-fields.js', 'card-messages.js', 'card_fields.js'];
const COMPRESSED = new Set(['.js', '.mjs', '.wasm', '.json', '.html', '.css', '.svg']);

export const sri = (bytes) => 'sha384-' + createHash('sha384').update(bytes).digest('base64');
const hashName = (file, bytes) => {
  const ext = extname(file);
  return `${basename(file, ext)}.${createHash('sha384').update(bytes).digest('hex').slice(0, 10)}${ext}`;
};

// The browsers the bundles are written for: the oldest that run the wasm modules (rustc's default wasm32
// features: reference types and bulk memory need Chrome/Edge 96, Safari 15) and the element's class
// fields and private methods as written (Firefox 90). Lowering those fields for Firefox 79-89 (es2020)
// turned every `#field` into a WeakMap helper call: the script-tag bundle was 77.4 KB raw / 21.8 KB
// brotli at es2020 and is 70.8 / 20.6 at these targets (2026-12-01).
export const BROWSERS = ['chrome96', 'edge96', 'firefox90', 'safari15'];

async function bundle(pkg, { entry, format = 'iife', external = [], stubs = {} }, define) {
  const stubbed = { name: 'stubs', setup: (b) => b.onLoad({ filter: /\.js$/ }, (a) => (basename(a.path) in stubs ? { contents: stubs[basename(a.path)] } : undefined)) };
  const out = await build({
    entryPoints: [join(pkg, entry)],
    bundle: true,
    format,
    external,
    minify: true,
    target: BROWSERS,
    write: false,
    logLevel: 'error',
    plugins: [stubbed],
    define: Object.fromEntries(Object.entries(define).map(([k, v]) => [k, JSON.stringify(v)])),
  });
  return Buffer.from(out.outputFiles[0].contents);
}

/** Splits each language's table into pkg/locales/ (see the top); returns the languages. */
function writeLocales(pkg) {
  const src = new URL('../www/sdk/locales/', import.meta.url);
  mkdirSync(join(pkg, 'locales'), { recursive: true });
  const langs = readdirSync(src).filter((f) => f.endsWith('.json')).map((f) => basename(f, '.json')).sort();
  for (const lang of langs) {
    const { page, card } = JSON.parse(readFileSync(new URL(`${lang}.json`, src), 'utf8'));
    writeFileSync(join(pkg, 'locales', `${lang}.json`), JSON.stringify(page));
    writeFileSync(join(pkg, 'locales', `${lang}.js`), `export default ${JSON.stringify(page)};\n`);
    writeFileSync(join(pkg, 'locales', `card-${lang}.json`), JSON.stringify(card));
  }
  return langs;
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

export async function dist(pkg) {
  const { version } = packageManifest();
  const folder = join('cdn', version);
  rmSync(join(pkg, 'cdn'), { recursive: true, force: true });
  mkdirSync(join(pkg, folder), { recursive: true });

  const langs = writeLocales(pkg);
  const tables = langs.flatMap((lang) => [`locales/${lang}.json`, `locales/card-${lang}.json`]).map((file) => ({ file }));
  const versioned = {}; // file → path of its versioned copy, relative to pkg/
  const written = {}; // file → bytes in pkg/ (unversioned)
  for (const e of [...tables, ...ENTRIES]) {
    let plain;
    let pinned;
    if (e.bundle) {
      const name = (file, hashed) => (hashed ? basename(versioned[file]) : file);
      const names = (hashed) => ({
        ...Object.fromEntries(Object.entries(e.bundle.assets ?? {}).map(([id, file]) => [id, name(file, hashed)])),
        ...Object.fromEntries(Object.entries(e.bundle.locales ?? {}).map(([id, prefix]) => [id, Object.fromEntries(langs.map((lang) => {
          const file = `locales/${prefix}${lang}.json`;
          return [lang, [name(file, hashed), sri(written[file])]];
        }))])),
      });
      [plain, pinned] = await Promise.all([bundle(pkg, e.bundle, names(false)), bundle(pkg, e.bundle, names(true))]);
    } else {
      plain = pinned = readFileSync(join(pkg, e.file));
    }
    for (const [module, marker] of Object.entries(e.integrityIn ?? {})) {
      const text = readFileSync(join(pkg, module), 'utf8');
      if (!text.includes(marker)) throw new Error(`${module} has no ${marker} to replace`);
      writeFileSync(join(pkg, module), text.replaceAll(marker, sri(pinned)));
    }
    written[e.file] = plain;
    versioned[e.file] = join(folder, hashName(e.file, pinned));
    writeFileSync(join(pkg, versioned[e.file]), pinned);
  }
  for (const [file, bytes] of Object.entries(written)) writeFileSync(join(pkg, file), bytes);
  for (const file of REMOVE) rmSync(join(pkg, file), { force: true });
  // Only now: its `sideEffects` would let esbuild drop the bundles' side-effect imports (script-base.js).
  writeFileSync(join(pkg, 'package.json'), JSON.stringify(packageManifest(), null, 2) + '\n');

  const tag = (file) => {
    const name = basename(versioned[file]);
    const integrity = sri(readFileSync(join(pkg, versioned[file])));
    return file.endsWith('.wasm')
      ? `<link rel="preload" href="${name}" as="fetch" type="application/wasm" integrity="${integrity}" crossorigin="anonymous">`
      : `<script src="${name}" integrity="${integrity}" crossorigin="anonymous" defer></script>`;
  };
  writeFileSync(join(pkg, folder, 'script-tag.html'),
    `<!-- intent-checkout ${version}: host this folder as it is and point src/href at it. -->\n`
    + `${tag('intent-checkout.js')}\n<!-- optional: fetch the .wasm in parallel with the script -->\n${tag('intent_checkout_bg.wasm')}\n`);

  // Every file, this manifest excepted (it cannot hold its own hash), before the compressed siblings exist.
  const files = {};
  for (const path of walk(pkg).sort()) {
    const rel = relative(pkg, path).split('\\').join('/');
    if (rel !== 'integrity.json' && !/\.(br|gz)$/.test(rel)) files[rel] = sri(readFileSync(path));
  }
  const manifest = {
    name: 'intent-checkout',
    version,
    algorithm: 'sha384',
    versioned: Object.fromEntries(Object.entries(versioned).map(([f, p]) => [f, p.split('\\').join('/')])),
    files,
  };
  writeFileSync(join(pkg, 'integrity.json'), JSON.stringify(manifest, null, 2) + '\n');

  for (const path of walk(pkg)) {
    if (!COMPRESSED.has(extname(path))) continue;
    const bytes = readFileSync(path);
    writeFileSync(path + '.br', brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }));
    writeFileSync(path + '.gz', gzipSync(bytes, { level: 9 }));
  }
  return manifest;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const m = await dist(process.argv[2] ?? 'pkg');
  for (const [file, path] of Object.entries(m.versioned)) console.log(`versioned: ${path}  ${m.files[path]}  (${file})`);
}
