// Measuring what a page loads, shared by the payload figures: raw / gzip -9 / brotli -q 11 of bytes, and
// the competitors bundled from npm the way a merchant would (esbuild, installed into $BENCH_COMPETITORS,
// default /tmp/bench-competitors, from bench/competitors/package.json, never into the repo).
import { existsSync, mkdirSync, copyFileSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { execFileSync } from 'node:child_process';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const compDir = process.env.BENCH_COMPETITORS ?? '/tmp/bench-competitors';

export const measure = (buf) => ({
  raw: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  }).length,
});
export const kb = (n) => (n / 1024).toFixed(1);
export const sum = (rows) =>
  rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), {
    raw: 0,
    gzip: 0,
    brotli: 0,
  });

/** esbuild from the competitors' folder (installing it and the packages on first use), or null. */
export async function esbuildModule() {
  const entry = join(compDir, 'node_modules/esbuild/lib/main.js');
  if (!existsSync(entry)) {
    mkdirSync(compDir, { recursive: true });
    copyFileSync(join(root, 'bench/competitors/package.json'), join(compDir, 'package.json'));
    try {
      execFileSync('npm', ['install', '--prefix', compDir, '--no-audit', '--no-fund', '--loglevel=error'], {
        stdio: ['ignore', 'ignore', 'inherit'],
        timeout: 300_000,
      });
    } catch {
      return null;
    }
  }
  return (await import(entry)).default;
}

/** `entry` bundled as a merchant's build would (bundle, minify, ESM, browser): each output file measured. */
export async function bundle(esbuild, entry) {
  const r = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    outdir: '/tmp/bench-payload-out',
    nodePaths: [join(compDir, 'node_modules')],
    logLevel: 'silent',
    loader: { '.css': 'css', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return r.outputFiles.map((f) => ({ name: basename(f.path), ...measure(Buffer.from(f.contents)) }));
}
