// Prints pkg/package.json: the published package's manifest, versioned from Cargo.toml.
import { readFileSync } from 'node:fs';

const cargo = readFileSync(new URL('../Cargo.toml', import.meta.url), 'utf8');
const version = /\[package\][^[]*?\nversion = "([^"]+)"/.exec(cargo)?.[1];
if (!version) throw new Error('no [package] version in Cargo.toml');

const manifest = {
  name: 'intent-checkout',
  version,
  description: 'Browser checkout SDK: a Rust/WebAssembly mirror of one payment intent, with a <intent-checkout> element',
  license: 'MIT',
  type: 'module',
  main: './index.js',
  module: './index.js',
  types: './index.d.ts',
  exports: {
    '.': { types: './index.d.ts', default: './index.js' },
    './element': { types: './element.d.ts', default: './element.js' },
    './intent-checkout.js': './intent-checkout.js',
    './intent_checkout_bg.wasm': './intent_checkout_bg.wasm',
    './package.json': './package.json',
  },
  files: ['*.js', '*.d.ts', '*.wasm'],
  // Only the element entry and the script-tag bundle register a custom element.
  sideEffects: ['./element.js', './intent-checkout.js'],
};
process.stdout.write(JSON.stringify(manifest, null, 2) + '\n');
