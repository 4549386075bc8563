// The card fields for `fields="inline"` (the page is in PCI scope): the same fields and rules as the
// isolated frame, loaded into the page only when a merchant opts in, so the isolated default carries no
// card field code. scripts/dist.mjs bundles this with the card fields' wasm glue into one ES module; the
// .wasm's name is compiled in as CARD_FIELDS_WASM and its integrity replaces the marker below.
import init, { fieldState, cvcState } from './card_fields.js';

export { createCardFields } from './card-fields.js';

/* global CARD_FIELDS_WASM */
const WASM_INTEGRITY = '__CARD_FIELDS_WASM_INTEGRITY__';
let loading;

/** Resolves to the rules card-fields.js needs, once the card fields' wasm is instantiated. */
export function loadRules() {
  const url = new URL(CARD_FIELDS_WASM, import.meta.url);
  loading ??= init({ module_or_path: new Request(url, { integrity: WASM_INTEGRITY }) }).then(
    () => ({ fieldState, cvcState }),
    (error) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
