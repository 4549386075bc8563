// The card fields for `fields="inline"` (the page is in PCI scope): the same fields and rules as the
// isolated frame, loaded into the page only when a merchant opts in, so the isolated default carries no
// card field code. scripts/dist.mjs bundles this with the card fields' wasm glue into one ES module; the
// .wasm's name is compiled in as CARD_FIELDS_WASM and its integrity replaces the marker below; the languages'
// tables are CARD_LOCALES (file and integrity each), fetched from next to this module when chosen.
import init, { fieldState, cvcState } from './card_fields.js';
import { setCardMessagesLoader } from './card-messages.js';
import { jsonTables } from './i18n.js';

export { createCardFields } from './card-fields.js';
export { loadCardMessages } from './card-messages.js';

/* global CARD_FIELDS_WASM, CARD_LOCALES */
const WASM_INTEGRITY = '__CARD_FIELDS_WASM_INTEGRITY__';
setCardMessagesLoader(jsonTables(CARD_LOCALES, import.meta.url));
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
