// Types for `intent-checkout/esbuild` (esbuild.js): import it first when esbuild bundles the page, with
// `--loader:.wasm=file`. Importing it points the SDK at the .wasm esbuild copied.

/** The URL of the .wasm esbuild copied (absolute). */
declare const wasmUrl: string;
export default wasmUrl;
