// The npm entry. No side effects at import: nothing loads until a function is called.
export { loadWasm as load } from './wasm.js';
