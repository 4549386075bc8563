#!/usr/bin/env bash
# Builds pkg/, the npm package users install: release wasm -> wasm-bindgen (--target web) -> wasm-opt -Oz,
# plus the hand-written JS entries and types from www/sdk/. Downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --quiet --release --target wasm32-unknown-unknown -p intent-checkout

rm -rf pkg && mkdir -p pkg
wasm-bindgen target/wasm32-unknown-unknown/release/intent_checkout.wasm \
  --target web --out-dir pkg --out-name intent_checkout --no-typescript \
  --remove-name-section --remove-producers-section
# binaryen from npm: Debian's binaryen 108 produces modules that break in Chromium.
node_modules/.bin/wasm-opt -Oz pkg/intent_checkout_bg.wasm -o pkg/intent_checkout_bg.wasm

cp www/sdk/*.js www/sdk/*.d.ts pkg/
# The script-tag path is one minified classic script (no module waterfall); the ESM files stay readable
# for bundlers. esbuild is an npm dev dependency: its binary comes from the npm registry.
node_modules/.bin/esbuild pkg/intent-checkout.js --bundle --format=iife --minify --target=es2020 \
  --log-level=error --outfile=pkg/intent-checkout.js --allow-overwrite
rm pkg/script-base.js
node scripts/package-json.mjs > pkg/package.json
node scripts/sizes.mjs pkg
