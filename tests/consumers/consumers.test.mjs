// Consumer fixtures: the packed tarball (`npm pack` of pkg/) installed into this folder the way a merchant's
// project installs it, then: strict type checks (bundler, nodenext, the test kit, React TSX) with
// skipLibCheck off; Vite, webpack and esbuild builds whose pages load validateCard in Chromium; a React 19
// page paying through the element; an SSR import; publint and attw on the tarball.
// Tools are locked in package-lock.json here and installed by scripts/setup.sh (npm ci).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '../..');
const out = join(root, 'target/consumers');
const bin = (name) => join(here, 'node_modules/.bin', name);
let tarball;
let kit;
let sandbox;
let browser;

/** Runs a tool; fails the test with its output when it exits non-zero. */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: here, encoding: 'utf8', ...opts });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} exited ${r.status}:\n${output}`);
  return output;
}

before(async () => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'www'), { recursive: true });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out, '--loglevel=error'], { cwd: join(root, 'pkg'), encoding: 'utf8' }));
  tarball = join(out, packed[0].filename);
  writeFileSync(join(out, 'pack.json'), JSON.stringify(packed[0], null, 2));
  // --no-save: package.json and the lockfile stay as committed; the tools are already installed by npm ci.
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', tarball]);
  kit = await import('intent-checkout/testing');
  sandbox = await kit.startSandbox({
    binary: join(root, 'target/debug/intent-sandbox'),
    args: ['--www-dir', join(out, 'www')],
  });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

test('tarball: README, LICENSE, types for every entry, no build leftovers', () => {
  const { files } = JSON.parse(readFileSync(join(out, 'pack.json'), 'utf8'));
  const names = files.map((f) => f.path);
  for (const name of ['README.md', 'LICENSE', 'package.json', 'index.d.ts', 'element.d.ts', 'react.d.ts', 'esbuild.d.ts',
    'testing.d.ts', 'intent-checkout.d.ts', 'intent-checkout.js', 'intent_checkout_bg.wasm', 'integrity.json']) {
    assert.ok(names.includes(name), `${name} is in the tarball`);
  }
  assert.ok(names.some((n) => /^cdn\/[^/]+\/intent-checkout\.[0-9a-f]{10}\.js$/.test(n)), 'the versioned script');
  assert.deepEqual(names.filter((n) => /\.(br|gz)$|script-base/.test(n)), []);
  const manifest = JSON.parse(readFileSync(join(here, 'node_modules/intent-checkout/package.json'), 'utf8'));
  assert.ok(manifest.repository?.url && manifest.engines?.node && manifest.license === 'MIT');
});

for (const mode of ['bundler', 'nodenext', 'testing']) {
  test(`strict types, skipLibCheck off: ${mode}`, () => {
    run(bin('tsc'), ['-p', `types/tsconfig.${mode}.json`]);
  });
}

test('publint on the tarball: no messages', () => {
  const output = run(bin('publint'), ['run', tarball, '--strict']);
  assert.match(output, /All good!/);
});

test('attw on the tarball (ESM-only profile): no problems', () => {
  // esm-only: the package is ESM, so CommonJS `require` and node10 (no `exports`) do not apply. The .wasm
  // entry is a file for bundlers and has no types by nature.
  // attw exits non-zero on any problem the profile does not ignore; every resolution that applies is green.
  const output = run(bin('attw'), [tarball, '--profile', 'esm-only', '--exclude-entrypoints', './intent_checkout_bg.wasm', '--format', 'ascii']);
  const applying = output.split('\n').filter((l) => /^(node16 \(from ESM\)|bundler):/.test(l));
  assert.ok(applying.length >= 16, output);
  for (const line of applying) assert.match(line, /🟢|\(wildcard\)/u, line);
});

async function bundled(name, build) {
  const dir = join(out, 'www', name);
  await build(dir);
  const page = await browser.newPage();
  await page.goto(`${sandbox.url}/${name}/index.html`);
  await page.waitForFunction(() => document.body.dataset.result || document.body.dataset.error);
  const result = await page.evaluate(() => ({ ...document.body.dataset }));
  await page.close();
  return result;
}

const expectValid = (r) => {
  assert.equal(r.error, undefined, r.error);
  assert.deepEqual(JSON.parse(r.result), { valid: true, brand: 'visa', errors: {} });
};

test('Vite build: validateCard runs in Chromium (the .wasm is emitted by the build)', async () => {
  const { build } = await import('vite');
  expectValid(await bundled('vite', (dir) => build({
    root: join(here, 'bundlers'), base: './', logLevel: 'error', build: { outDir: dir, emptyOutDir: true },
  })));
});

test('webpack build: validateCard runs in Chromium', async () => {
  const { default: webpack } = await import('webpack');
  expectValid(await bundled('webpack', (dir) => new Promise((resolve, reject) => {
    webpack({ mode: 'production', context: here, entry: './bundlers/app.js', output: { path: dir, filename: 'app.js' } }, (err, stats) => {
      if (err || stats.hasErrors()) return reject(err ?? new Error(stats.toString('errors-only')));
      cpSync(join(here, 'bundlers/index.html'), join(dir, 'index.html'));
      resolve();
    });
  })));
});

test('esbuild build with intent-checkout/esbuild and --loader:.wasm=file: validateCard runs', async () => {
  const esbuild = await import('esbuild');
  expectValid(await bundled('esbuild', async (dir) => {
    await esbuild.build({ entryPoints: { app: join(here, 'bundlers/app-esbuild.js') }, bundle: true, format: 'esm', outdir: dir, loader: { '.wasm': 'file' }, logLevel: 'error' });
    cpSync(join(here, 'bundlers/index.html'), join(dir, 'index.html'));
  }));
  assert.ok(readdirSync(join(out, 'www/esbuild')).some((f) => /^intent_checkout_bg-\w+\.wasm$/.test(f)), 'esbuild copied the .wasm with a hash');
});

test('esbuild without it: the .wasm 404 names the fix', async () => {
  const esbuild = await import('esbuild');
  const r = await bundled('esbuild-plain', async (dir) => {
    await esbuild.build({ entryPoints: [join(here, 'bundlers/app.js')], bundle: true, format: 'esm', outdir: dir, logLevel: 'error' });
    cpSync(join(here, 'bundlers/index.html'), join(dir, 'index.html'));
  });
  assert.match(r.error ?? '', /\(404\).*import 'intent-checkout\/esbuild' first/s);
});

test('React 19 + TSX: strict types; the element renders, takes the token from a ref and pays', async () => {
  run(bin('tsc'), ['-p', 'react/tsconfig.json']);
  const { build } = await import('vite');
  const dir = join(out, 'www/react');
  await build({ root: join(here, 'react'), base: './', logLevel: 'error', build: { outDir: dir, emptyOutDir: true } });
  const intent = await sandbox.createIntent({ amount: 2500, currencyCode: 'GBP' });
  writeFileSync(join(dir, 'intent.json'), JSON.stringify(intent));
  const page = await browser.newPage();
  await page.goto(`${sandbox.url}/react/index.html`);
  const checkout = kit.checkoutOn(page);
  await checkout.waitForState('form');
  assert.equal(await checkout.byTestId('pay-button').textContent(), 'Pay £25.00');
  await checkout.fillCard(kit.TEST_CARDS.success);
  await checkout.pay();
  await checkout.waitForState('succeeded');
  await page.locator('#events li', { hasText: 'succeeded' }).waitFor();
  assert.deepEqual(await page.locator('#events li').allTextContents(), ['ready requires_payment_method', 'succeeded 2500']);
  assert.equal(await page.locator('intent-checkout').getAttribute('connecttoken'), null);
  await page.close();
});

test('SSR: the entries import in Node and render without the token in the HTML', () => {
  const r = JSON.parse(run(process.execPath, ['ssr/ssr.mjs']));
  assert.deepEqual(r.element, ['function', 'function']);
  assert.deepEqual(r.sdk, ['function', 'function']);
  assert.equal(r.html, '<intent-checkout payment-intent-id="pi_ssr" locale="en-GB"></intent-checkout>');
});
