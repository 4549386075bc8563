// esbuild (README): `intent-checkout/esbuild` first, and build with --loader:.wasm=file.
import 'intent-checkout/esbuild';
import './app.js';
