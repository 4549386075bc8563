// For esbuild, which keeps `new URL('….wasm', import.meta.url)` as it is and copies no .wasm. Import this
// module before the others and build with `--loader:.wasm=file`: esbuild then copies the .wasm (with a
// content hash in its name) and hands its URL to the SDK here. The SDK still checks its integrity.
import wasmFile from './intent_checkout_bg.wasm';
import { setDefaultWasmUrl } from './wasm.js';

// esbuild's file loader gives the name relative to the output folder (or --public-path): resolve it against
// the bundle itself (ESM), or the page (IIFE, which has no import.meta).
const wasmUrl = new URL(wasmFile, import.meta.url ?? globalThis.document?.baseURI).href;
setDefaultWasmUrl(wasmUrl);

export default wasmUrl;
