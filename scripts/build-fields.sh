#!/usr/bin/env bash
# Builds the card fields' wasm into pkg/ (called by build.sh): fields/ is the core's card rules and the card
# frame protocol without the checkout flow. scripts/dist.mjs then bundles the isolated frame's script
# (card-frame.js) and the inline fields' module (inline-fields.js) around it, with content-hashed copies in
# the versioned layout that the frame page (sandbox/src/routes/card_frame.rs) names.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --quiet --release --target wasm32-unknown-unknown -p intent-checkout-fields
wasm-bindgen target/wasm32-unknown-unknown/release/card_fields.wasm \
  --target web --out-dir pkg --out-name card_fields --no-typescript \
  --remove-name-section --remove-producers-section
node_modules/.bin/wasm-opt -Oz pkg/card_fields_bg.wasm -o pkg/card_fields_bg.wasm
