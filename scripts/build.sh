#!/usr/bin/env bash
# Builds pkg/, the npm package users install: release wasm -> wasm-bindgen (--target web) -> wasm-opt -Oz
# -> short import names, plus the hand-written JS entries and types from www/sdk/, the README and the LICENSE; then
# scripts/dist.mjs writes the script-tag bundles, the versioned layout pkg/cdn/<version>/, the integrity
# manifest and the precompressed copies. Downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --quiet --release --target wasm32-unknown-unknown -p intent-checkout

rm -rf pkg && mkdir -p pkg
wasm-bindgen target/wasm32-unknown-unknown/release/intent_checkout.wasm \
  --target web --out-dir pkg --out-name intent_checkout --no-typescript \
  --remove-name-section --remove-producers-section
# binaryen from npm: Debian's binaryen 108 produces modules that break in Chromium. The flags are in
# scripts/wasm-opt.flags (the bench rebuilds the module with the same ones): `-Oz`, but a function with one
# caller is inlined only when it is small. binaryen's default inlines it whatever its size, which makes a
# few huge functions that brotli packs worse: 68.6 -> 66.5 KB brotli (188.0 -> 191.2 KB raw) on 2026-12-01.
# `--converge` repeats the passes until the module stops shrinking: 66.3 -> 66.1 KB, ~5 s more.
node_modules/.bin/wasm-opt $(cat scripts/wasm-opt.flags) pkg/intent_checkout_bg.wasm -o pkg/intent_checkout_bg.wasm
# The imports' hashed names (`__wbg_call_a410eb4b59ed5965`) made short, in the .wasm and its glue.
node scripts/short-imports.mjs pkg/intent_checkout_bg.wasm pkg/intent_checkout.js

# The card fields' wasm (fields/: card rules and the frame protocol, no checkout flow) for the isolated
# frame and the inline fields; dist.mjs bundles both around it.
bash scripts/build-fields.sh

cp www/sdk/*.js www/sdk/*.d.ts README.md LICENSE pkg/
# Each dialect's lifecycle as an SVG, drawn from the core's transition tables (the demo shows them).
cargo run --quiet -p lifecycle-diagrams -- pkg/diagrams
# The script-tag path is one minified classic script (no module waterfall), also written as versioned,
# content-hashed files with an integrity manifest, all precompressed; the ESM files stay readable for
# bundlers. esbuild is an npm dev dependency: its binary comes from the npm registry.
node scripts/dist.mjs pkg
node scripts/sizes.mjs pkg
