// Loads the inline card fields (inline-fields.js) on demand: only pages that opt into fields="inline" pay
// for them. ES module users get a static import() their bundler can split (inline-loader.js); the
// script-tag build replaces the loader with one that finds the file next to the script (script-base.js).
// Their rules are the page's wasm module's (`fieldState`, `cvcState`): the card rules are in it already.
import { loadWasm } from './wasm.js';
import { importInlineFields } from './inline-loader.js';

let loader = importInlineFields;
let loading;

export function setInlineFieldsLoader(fn) {
  loader = fn;
}

/** Resolves to `{createCardFields, rules, loadCardMessages}`; a failed load is retried by the next call. */
export function loadInlineFields() {
  loading ??= Promise.all([loader(), loadWasm()])
    .then(([m, wasm]) => ({
      createCardFields: m.createCardFields,
      rules: { fieldState: wasm.fieldState, cvcState: wasm.cvcState },
      loadCardMessages: m.loadCardMessages,
    }))
    .catch((error) => {
      loading = undefined;
      throw error;
    });
  return loading;
}
