/** Loads and instantiates the wasm module once; later calls share the same promise (retried after a failure). */
export function load(moduleOrPath?: string | URL | Response | BufferSource | WebAssembly.Module): Promise<unknown>;
