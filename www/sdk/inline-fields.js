// The card fields for `fields="inline"` (the page is in PCI scope): the same fields and rules as the
// isolated frame, loaded into the page only when a merchant opts in, so the isolated default carries no
// card field code. The rules (fieldState, cvcState) are the page's own wasm module's, which inline.js
// hands to createCardFields: no second .wasm. scripts/dist.mjs bundles this into one ES module; the
// languages' tables are CARD_LOCALES (file and integrity each), fetched from next to this module when chosen.
import { setCardMessagesLoader } from './card-messages.js';
import { jsonTables } from './i18n.js';

export { createCardFields } from './card-fields.js';
export { loadCardMessages } from './card-messages.js';

/* global CARD_LOCALES */
setCardMessagesLoader(jsonTables(CARD_LOCALES, import.meta.url));
