// Every string the card fields show (labels, hints, errors), in English: the isolated frame loads these and
// nothing of the page's texts. The other languages' are www/sdk/locales/<lang>.json (`card`), fetched
// when chosen by the frame (or the inline fields) from next to its own script. Values are plain text, set
// with textContent.
import { tables } from './i18n.js';

export const en = {
  number: 'Card number',
  expiry: 'Expiry date (MM / YY)',
  expiryHint: 'MM / YY',
  cvc: 'Security code',
  name: 'Name on card',
  // Field errors, by the core's validation code; `<field>` alone is the fallback for unknown codes.
  'number.required': 'Enter your card number.',
  'number.incomplete': 'Your card number is incomplete.',
  'number.invalid': 'Your card number is not valid.',
  'number.unsupported': 'This card type is not accepted.',
  number_error: 'Check your card number.',
  'expiry.required': 'Enter the expiry date.',
  'expiry.incomplete': 'Your expiry date is incomplete.',
  'expiry.invalid': 'Enter a valid expiry date (MM / YY).',
  'expiry.expired': 'Your card has expired.',
  expiry_error: 'Check the expiry date.',
  'cvc.required': 'Enter the security code.',
  'cvc.incomplete': 'Your security code is incomplete.',
  'cvc.invalid': 'Your security code is not valid.',
  cvc_error: 'Check the security code.',
  'name.required': 'Enter the name on your card.',
  name_error: 'Check the name on your card.',
  // The core's card-check codes (src/core/card.rs).
  invalid_number: 'Your card number is not valid.',
  incomplete_number: 'Your card number is incomplete.',
  unsupported_brand: 'This card type is not accepted.',
  invalid_expiry_month: 'The expiry month is not valid.',
  invalid_expiry_year: 'The expiry year is not valid.',
  expired_card: 'Your card has expired.',
  invalid_cvc: 'Your security code is not valid.',
};

// Until an entry sets where the tables are (card-frame.js, inline-fields.js), only English.
let loader = () => Promise.reject(new Error('no card message tables'));

/** Sets how a language's card table is loaded (`lang => Promise<table>`). */
export function setCardMessagesLoader(fn) {
  loader = fn;
}

const card = tables(en, (lang) => loader(lang));

/** A lookup for one language; keys it lacks (or not loaded yet) show in English, then `fallback`. */
export const cardTranslator = card.translator;
/** Resolves once `lang`'s card table is loaded (or failed to: then English shows). */
export const loadCardMessages = card.load;
