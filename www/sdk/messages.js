import { tables } from './i18n.js';
import { importTable } from './locale-modules.js';

// Every string the <intent-checkout> widget shows outside the card fields (those are in card-messages.js,
// which the isolated frame loads without the rest), in English. The other languages' tables are
// www/sdk/locales/<lang>.json (`page`), loaded when chosen. Values are plain text (set with textContent);
// `{amount}` / `{brand}` are replaced with already-formatted text. A missing key falls back to English.
export const en = {
  cardFrame: 'Card details',
  cardFieldsFailed: 'The card fields could not load. Check your connection and try again.',
  loading: 'Loading checkout…',
  loadFailed: 'The checkout could not load. Check your connection and try again.',
  waiting: 'Waiting for the payment details…',
  summary: 'Order',
  amount: 'Amount to pay',
  tip: 'Add a tip',
  noTip: 'No tip',
  subtotal: 'Subtotal',
  tipLine: 'Tip',
  tipOther: 'Other tip amount',
  total: 'Total',
  pay: 'Pay {amount}',
  paying: 'Paying…',
  amount_error: 'Enter a valid amount.',
  tip_error: 'Enter a valid tip.',
  // Result states.
  succeeded: 'Payment successful',
  succeededText: 'Thank you. {amount} has been paid.',
  authorized: 'Payment authorised',
  authorizedText: 'Your card has been authorised for {amount}. You will be charged when the order is confirmed.',
  processing: 'Payment processing',
  processingText: 'Your bank is confirming the payment. This page updates by itself; there is no need to pay again.',
  declined: 'Payment declined',
  retry: 'Try again',
  canceled: 'Payment cancelled',
  canceledText: 'This payment was cancelled. No money was taken.',
  expired: 'Payment expired',
  expiredText: 'This payment has expired. Return to the shop to start again.',
  refunded: 'Payment refunded',
  refundedText: 'This payment was refunded to your card.',
  reversed: 'Payment released',
  reversedText: 'The authorisation was released. You have not been charged.',
  error: 'Something went wrong',
  // Decline reasons (lastPaymentError.declineCode) and error codes.
  generic_decline: 'Your card was declined. Try another card or contact your bank.',
  insufficient_funds: 'Your card has insufficient funds. Try another card.',
  authentication_failed: 'Your bank could not confirm this payment. Try again or use another card.',
  processing_error: 'The payment could not be processed. Please try again.',
  network_error: 'We could not reach the payment service. Check your connection and try again.',
  token_expired: 'Your checkout session has expired. Reload the page to continue.',
  api_error: 'The payment service had a problem. Please try again.',
  validation_error: 'Some payment details were not accepted. Check them and try again.',
  unexpected_transition: 'This payment can no longer be changed.',
  sdk_error: 'The checkout is not set up correctly.',
  customer_secret_invalid: 'Your saved cards cannot be shown right now. You can still pay with a new card.',
  // 3-D Secure.
  challengeTitle: 'Confirm your payment',
  challengeText: 'Your bank needs to confirm it is you.',
  challengeFrame: 'Bank verification',
  challengeClose: 'Close verification',
  challengeResume: 'Continue verification',
  challengePending: 'Your bank is waiting for you to confirm this payment.',
  // Order, accepted cards, the customer's details, leaving.
  cancel: 'Cancel and return to the shop',
  tax: 'Tax',
  brandsAccepted: 'We accept {brands}.',
  brandRefused: 'We don’t accept {brand}. Use another card.',
  email: 'Email',
  billingAddress: 'Billing address',
  shippingAddress: 'Shipping address',
  country: 'Country or region',
  fullName: 'Full name',
  address1: 'Address line 1',
  address2: 'Address line 2',
  city: 'Town or city',
  optional: '{field} (optional)',
  state_state: 'State',
  state_county: 'County',
  state_province: 'Province',
  state_prefecture: 'Prefecture',
  state_region: 'State or region',
  postcode_postcode: 'Postcode',
  postcode_zip: 'ZIP code',
  postcode_eircode: 'Eircode',
  postcode_postal: 'Postal code',
  detail_required: 'This field is required.',
  detail_invalid_email: 'Enter an email address like name@example.com.',
  detail_too_long: 'This is too long.',
  detail_invalid_postcode: 'This is not a postcode of the chosen country.',
  detail_invalid_state: 'Choose one from the list.',
  detail_invalid_country: 'Choose a country.',
  detail_invalid: 'Check this field.',
  // Saving a card (a setup intent) and a returning customer's saved cards.
  setupTitle: 'Save your card',
  intendedAmount: 'Amount that may be charged',
  setupConsent: 'I agree to these terms and allow my card to be charged under them.',
  consentRequired: 'Agree to the terms to save your card.',
  saveCardButton: 'Save card',
  saving: 'Saving…',
  saved: 'Card saved',
  savedText: 'Your card is saved. Up to {amount} may be charged under the terms you agreed to.',
  charged: 'Card charged',
  chargedText: '{amount} was charged to your saved card under the terms you agreed to.',
  card_expired: 'Card expired',
  card_expiredText: 'The saved card has expired and can no longer be charged.',
  // A setup intent that ends without a saved card, or whose card the merchant let go: not a payment's words.
  setupCanceled: 'Card not saved',
  setupCanceledText: 'Saving your card was cancelled. Your card was not saved and no money was taken.',
  setupExpired: 'Request expired',
  setupExpiredText: 'The time to save your card has run out, so it was not saved. Return to the shop to start again.',
  setupClosed: 'Saved card released',
  setupClosedText: 'The shop no longer keeps your card under these terms. You have not been charged.',
  saveCard: 'Save this card for next time',
  savedCards: 'Your saved cards',
  savedCard: '{brand} ending {last4}, expires {expiry}',
  savedCardExpired: '{brand} ending {last4}, expired {expiry}',
  newCard: 'A new card',
  removeCard: 'Remove',
  removeCardLabel: 'Remove {card}',
  cardRemoved: 'Card removed.',
  expired_card: 'This card has expired. Choose another card.',
  // A saved card whose security code the API wants again (the frame's title names the card).
  cvcFrame: 'Security code for {card}',
  savedCardNoCvc: '{brand} ending {last4}, expires {expiry}: needs its security code, which this checkout cannot take',
  cvc_required: 'This card needs its security code. Enter it and pay again.',
  savedCardNoCvcError: 'This card needs its security code, which this checkout cannot take. Choose another card.',
};

// ES modules import each language's module (locale-modules.js); the script-tag build sets a loader that
// fetches the JSON tables instead (script-base.js).
let loader = importTable;

/** Sets how a language's table is loaded (`lang => Promise<table>`). */
export function setMessagesLoader(fn) {
  loader = fn;
}

const page = tables(en, (lang) => loader(lang));

export { pickLanguage, direction } from './i18n.js';

/** A lookup for one language: `t(key, {amount})`; keys it lacks (or not loaded yet) show in English. */
export const translator = page.translator;
/** Resolves once `lang`'s table is loaded (or failed to: then English shows). */
export const loadMessages = page.load;
/** Whether `lang`'s table is here (loaded, or failed for good). */
export const hasMessages = page.has;
