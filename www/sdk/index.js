// The npm entry: `createCheckout`, `CheckoutError`, `validateCard`, `load`.
// No side effects at import and no `window` access until a function is called (safe under SSR).
import { loadWasm } from './wasm.js';
import { ERROR_CODES, INTENT_PATHS } from './codes.js';
import { CardFrame, resolveTheme } from './card-frame-host.js';

export { loadWasm as load };
// The closed set of error codes, generated from the core's `ErrorCode` (see codes.js).
export { ERROR_CODES };

/** The one error class of the SDK. `message` never contains the connect token. */
export class CheckoutError extends Error {
  constructor(code, message, extra = {}) {
    super(message);
    this.name = 'CheckoutError';
    this.code = ERROR_CODES.includes(code) ? code : 'sdk_error';
    for (const k of ['apiCode', 'declineCode', 'param', 'httpStatus']) {
      if (extra[k] !== undefined) this[k] = extra[k];
    }
  }
}

const toError = (e) => new CheckoutError(e.code, e.message, e);

// The customer's details cross the boundary as JSON text, or not at all.
const detailsText = (details) => (details && typeof details === 'object' ? JSON.stringify(details) : undefined);

// Results and details cross the wasm boundary as JSON text: one parse per event or result.
function parseResult(text) {
  const r = JSON.parse(text);
  if (r.error) r.error = toError(r.error);
  return r;
}

function thrownToError(e) {
  if (typeof e === 'string') {
    try { return toError(JSON.parse(e)); } catch { /* not ours */ }
  }
  return new CheckoutError('sdk_error', (e && e.message) || String(e));
}

/**
 * A checkout for one payment intent, or one setup intent (a card saved for the merchant's later charge).
 * Events: ready, status, requires_action, succeeded, saved (a setup intent's card), failed, canceled,
 * expired, token_refreshed, error; each `detail` = { intent, status, canonical, change?, error?, url? }.
 */
export class Checkout extends EventTarget {
  #core;
  #intent = null;
  #canonical = null;
  // Events raised while createCheckout() is still running (e.g. `ready`) are held and dispatched just
  // after it resolves, so listeners added right after `await createCheckout()` still see them.
  #held = [];
  // `isolated` (default): cards come only from the card frame, as references. `inline`: pay(card).
  #fields = 'isolated';
  #frame = null;
  #intentId = null;
  #setup = false;
  // The connect token, in memory only: the isolated frame needs it to create a card reference.
  #token = null;
  #refresh = null;
  // One merchant refresh at a time, shared by the core and the frame: `#gen` counts new tokens,
  // `#coreGen` the last one the core has, so neither makes the other's token stale for nothing.
  #gen = 0;
  #coreGen = 0;
  #refreshing = null;
  #lastRefresh = null;
  // The last reference, reused only while the fields are unchanged and its payment's outcome is unknown.
  #lastRef = null;
  #reuseRef = false;
  // Fields mounted by mountCardFields() go with the checkout; the element's outlive its checkouts.
  #ownsFrame = false;
  // The saved cards last listed, and the CVC-only frame of one of them (`{id, frame, owned}`).
  #cards = [];
  #cvc = null;
  // Which frame made `#lastRef`: a reference is reused only for the same fields.
  #lastRefFrame = null;

  /** @internal use createCheckout */
  constructor(core) {
    super();
    this.#core = core;
  }

  /** @internal */
  _emit(name, json) {
    const detail = parseResult(json);
    this.#remember(detail);
    if (this.#held) this.#held.push([name, detail]);
    else this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  /** @internal */
  _release() {
    setTimeout(() => {
      const held = this.#held;
      this.#held = null;
      for (const [name, detail] of held ?? []) this.dispatchEvent(new CustomEvent(name, { detail }));
    }, 0);
  }

  /** @internal */
  _bind(core) {
    this.#core = core;
  }

  /** @internal: the mode, intent, token and refresh callback, from createCheckout. */
  _setup({ fields, apiBase, paymentIntentId, setupIntentId, connectToken, refreshToken }) {
    this.#fields = fields;
    this._apiBase = apiBase;
    this.#setup = !!setupIntentId;
    this.#intentId = setupIntentId || paymentIntentId;
    this.#token = connectToken;
    this.#refresh = refreshToken ?? null;
  }

  /** @internal: what the core calls as `refreshToken` (a token the frame got first is reused). */
  _refreshForCore() {
    if (this.#gen > this.#coreGen) {
      this.#coreGen = this.#gen;
      return Promise.resolve(this.#lastRefresh);
    }
    return this.#refreshed().then((r) => {
      this.#coreGen = this.#gen;
      return r;
    });
  }

  #refreshed() {
    this.#refreshing ??= Promise.resolve()
      .then(() => this.#refresh())
      .then((r) => {
        const token = typeof r === 'string' ? r : r?.clientSessionSecret ?? r?.connectToken;
        if (!token) throw new CheckoutError('token_expired', 'refreshToken gave no token');
        this.#token = token;
        this.#gen += 1;
        this.#lastRefresh = r;
        this.#frame?.setToken(token);
        this.#cvc?.frame.setToken(token);
        return r;
      })
      .finally(() => (this.#refreshing = null));
    return this.#refreshing;
  }

  /**
   * @internal: the element's frame (created before the checkout, so it loads in parallel). Authorises it
   * for this intent with the token; the frame's edits make a kept reference stale.
   */
  _useCardFrame(frame) {
    this.#frame = frame;
    frame.authorize(this.#intentId, this.#token, this.#setup);
    frame.addEventListener('change', () => (this.#reuseRef = false));
    return frame;
  }

  /**
   * @internal: the element's CVC-only frame for the saved card `id`, authorised for this intent. Its
   * edits make a kept reference stale.
   */
  _useCvcFrame(frame, id, owned = false) {
    if (this.#cvc && this.#cvc.frame !== frame && this.#cvc.owned) this.#cvc.frame.destroy();
    this.#cvc = { id, frame, owned };
    frame.authorize(this.#intentId, this.#token, false);
    frame.addEventListener('change', () => (this.#reuseRef = false));
    return frame;
  }

  /**
   * Mounts the isolated card fields (an iframe served by the API) into `target` (an element or a
   * selector) and returns them. `pay()` then pays with what the customer typed there; the page never sees
   * it. `options`: `locale`, `theme` ({bg, fg, muted, border, accent, error, focus, radius, font,
   * fontSize}: CSS values; default: the --ic-* properties that apply at `target`), `title`.
   */
  mountCardFields(target, options = {}) {
    if (this.#fields !== 'isolated') throw new CheckoutError('sdk_error', 'mountCardFields needs a checkout created with fields: "isolated"');
    if (!this.#core) throw new CheckoutError('sdk_error', 'the checkout was destroyed');
    const parent = typeof target === 'string' ? document.querySelector(target) : target;
    if (!parent) throw new CheckoutError('sdk_error', 'mountCardFields: target not found');
    if (this.#ownsFrame) this.#frame?.destroy();
    this.#ownsFrame = true;
    const frame = new CardFrame({ apiBase: this._apiBase, locale: options.locale ?? 'en', theme: resolveTheme(parent, options.theme), title: options.title ?? 'Card details' });
    parent.append(frame.element);
    this._useCardFrame(frame);
    return new CardFields(frame);
  }

  /**
   * Mounts the security code field alone for the saved card `savedCardId` (from `listSaved()`; one whose
   * `cvcRequired` says the API wants it again) into `target`: an iframe served by the API, like
   * mountCardFields, whose code goes from the frame straight to the API with the card's id (the page
   * never sees it; an Amex wants 4 digits). `paySaved(savedCardId)` then pays with it. One at a time:
   * mounting another replaces it. Options as mountCardFields'. Returns the fields (`CardFields`).
   */
  mountCvcField(target, savedCardId, options = {}) {
    if (this.#fields !== 'isolated') throw new CheckoutError('sdk_error', 'mountCvcField needs a checkout created with fields: "isolated"');
    if (!this.#core) throw new CheckoutError('sdk_error', 'the checkout was destroyed');
    if (this.#setup) throw new CheckoutError('sdk_error', 'a setup intent saves a new card: it has no saved card to pay with');
    const card = this.#cards.find((c) => c.id === String(savedCardId));
    if (!card) throw new CheckoutError('sdk_error', 'mountCvcField: not a saved card listSaved() returned');
    const parent = typeof target === 'string' ? document.querySelector(target) : target;
    if (!parent) throw new CheckoutError('sdk_error', 'mountCvcField: target not found');
    const frame = new CardFrame({ apiBase: this._apiBase, mode: 'cvc', savedCard: { id: card.id, brand: card.brand }, locale: options.locale ?? 'en', theme: resolveTheme(parent, options.theme), title: options.title ?? 'Security code', testid: 'cvc-frame' });
    parent.append(frame.element);
    this._useCvcFrame(frame, card.id, true);
    return new CardFields(frame);
  }

  /**
   * Pays (a setup intent: saves the card). With isolated fields (the default), call it with no card: the
   * mounted fields are checked and their card goes from the frame to the API, which returns a single-use
   * reference that pays. A raw card is refused (it would put the page in PCI scope). With
   * `fields: "inline"`, pass the card. `saveCard: true` is the customer's consent to keep the card: on a
   * payment, "save this card" for the intent's customer; on a setup intent, required (the customer
   * agreed to the merchant's terms). Resolves to `{intent}` or `{error}`; payment outcomes never reject.
   */
  async pay(card, { details, saveCard } = {}) {
    if (this.#fields === 'isolated') {
      if (card !== undefined && card !== null) {
        return { error: new CheckoutError('sdk_error', 'this checkout takes cards only from its isolated card fields; create it with fields: "inline" to pass card details') };
      }
      const collected = await this._collect();
      if (collected.error) return collected;
      return this._payReference(collected.card, details, saveCard);
    }
    return this.#settle(this.#core?.pay(card ?? {}, detailsText(details), !!saveCard));
  }

  /**
   * The customer's saved cards (needs `customerId` and `customerSecret`): `{cards: [{id, brand, last4,
   * expiryMonth, expiryYear, expired, cvcRequired}]}` or `{error}` (`customer_secret_invalid` when the API
   * refuses the secret: expired, or another customer's). `cvcRequired`: the API wants the card's security
   * code again (mountCvcField).
   */
  listSaved() {
    return this.#listed(this.#settle(this.#core?.listSaved()));
  }

  /** Removes one of the customer's saved cards: the cards left, as `listSaved()`. */
  removeSaved(id) {
    return this.#listed(this.#settle(this.#core?.removeSaved(String(id))));
  }

  async #listed(promise) {
    const r = await promise;
    if (r.cards) this.#cards = r.cards;
    return r;
  }

  /**
   * Pays with one of the customer's saved cards (an `id` from `listSaved()`), with the customer's details
   * as `pay` takes them. A card with a mountCvcField() (one whose `cvcRequired` is set) pays with the
   * code typed there: the frame checks it (`validation_error` with `fields`, shown in the frame) and sends
   * it to the API, and the reference it gets back pays. Without that field such a card is refused
   * without a request (`validation_error`, `apiCode` `cvc_required`), as is an expired card (`apiCode`
   * `expired_card`). Resolves like `pay`.
   */
  async paySaved(id, { details } = {}) {
    id = String(id);
    const cvc = this.#cvc?.id === id ? this.#cvc.frame : null;
    // A mounted CVC field pays, whether the list said `cvcRequired` or the API refused without it.
    if (cvc && this.#core && !this.#cards.some((c) => c.id === id && c.expired)) {
      const collected = await this._collect(cvc);
      if (collected.error) return collected;
      return this._payReference(collected.card, details, false, cvc);
    }
    return this.#settle(this.#core?.paySaved(id, detailsText(details)));
  }

  /**
   * The customer for `listSaved`, `removeSaved` and `paySaved`: `{customerId, customerSecret,
   * customerSecretExpiresAt?}` (a secret from the merchant's server, `POST /customers/{id}/create-secret`;
   * kept in memory only). Returns `{}` or `{error}`.
   */
  setCustomer({ customerId, customerSecret, customerSecretExpiresAt } = {}) {
    if (!this.#core) return { error: new CheckoutError('sdk_error', 'the checkout was destroyed') };
    const bad = this.#core.setCustomer(String(customerId ?? ''), String(customerSecret ?? ''), customerSecretExpiresAt);
    return bad ? { error: toError(JSON.parse(bad)) } : {};
  }

  /**
   * Checks the customer's details (`{userEmailAddress?, billingAddress?, shippingDetails?}`, Dojo's
   * shapes) against what the intent's `config` requires and each country's address rules, without a
   * request: `{valid, errors: {'billingAddress.postcode': 'invalid_postcode', …}, details}` with the
   * details normalised (postcode in its country's form, state as its code), ready for `pay`.
   */
  checkDetails(details) {
    if (!this.#core) return { valid: false, errors: { $: 'sdk_error' }, details: {} };
    return JSON.parse(this.#core.checkDetails(JSON.stringify(details ?? {})));
  }

  /** The card brands the intent takes (`visa`, `mastercard`, `amex`, …), from its `paymentMethods` and the merchant's card schemes. */
  acceptedBrands() {
    return this.#core ? this.#core.acceptedBrands().split(',').filter(Boolean) : [];
  }

  /**
   * @internal: the card reference to pay with, from `frame` (the card fields, or a saved card's CVC
   * field; a token it finds expired is refreshed once): `{card}` or `{error}` (`validation_error` with
   * `fields` when the frame shows errors).
   */
  async _collect(frame = this.#frame) {
    if (!this.#core) return { error: new CheckoutError('sdk_error', 'the checkout was destroyed') };
    if (!frame) return { error: new CheckoutError('sdk_error', 'mount the card fields before paying (mountCardFields)') };
    if (this.#reuseRef && this.#lastRef && this.#lastRefFrame === frame) return { card: this.#lastRef };
    let r = await frame.tokenize();
    if (r.failure === 'token_expired' && this.#refresh) {
      try {
        await this.#refreshed();
        r = await frame.tokenize();
      } catch {
        /* reported as token_expired below */
      }
    }
    if (r.card) return { card: r.card };
    if (r.errors) {
      const first = Object.keys(r.errors)[0];
      return { error: new CheckoutError('validation_error', 'the card details are not valid', { param: first }), fields: r.errors };
    }
    // The frame's failure codes are the SDK's own (token_expired, network_error, api_error).
    return { error: new CheckoutError(r.failure, 'the card fields could not reach the payment API') };
  }

  /** @internal: pays with a reference `frame` returned; a used-up one is replaced once. */
  async _payReference(ref, details, keep, frame = this.#frame) {
    if (!this.#core) return { error: new CheckoutError('sdk_error', 'the checkout was destroyed') };
    const reused = this.#reuseRef && this.#lastRefFrame === frame;
    this.#lastRef = ref;
    this.#lastRefFrame = frame;
    const text = detailsText(details);
    keep = !!keep;
    let r = await this.#settle(this.#core.payReference(ref.id, text, keep));
    if (reused && r.error?.apiCode === 'payment_method_unusable') {
      // The kept reference was spent (its payment got through after all) or expired: a fresh one.
      this.#reuseRef = false;
      const again = await this._collect(frame);
      if (again.error) return again;
      this.#lastRef = again.card;
      r = await this.#settle(this.#core.payReference(again.card.id, text, keep));
    }
    // Only an outcome nobody knows (no answer) lets the same reference, and so the same key, go again.
    const e = r.error;
    const noAnswer = e?.code === 'network_error'
      || (e?.code === 'api_error' && e.apiCode !== 'payment_method_unusable');
    this.#reuseRef = noAnswer;
    return r;
  }

  /** Sets the tip in minor units (only if the intent allows tips). Resolves to `{intent}` or `{error}`. */
  async setTip(minor) {
    return this.#settle(this.#core ? this.#core.setTip(Number(minor)) : null);
  }

  /** Sets the amount in minor units (only if the intent allows a custom amount). */
  async setAmount(minor) {
    return this.#settle(this.#core ? this.#core.setAmount(Number(minor)) : null);
  }

  /** The latest intent snapshot (no token), or null before it is loaded. */
  intent() {
    return this.#intent;
  }

  /** The dialect-free status of `intent()`, as the core classifies it, or null before it is loaded. */
  canonical() {
    return this.#canonical;
  }

  #remember(r) {
    if (!r.intent) return;
    this.#intent = r.intent;
    this.#canonical = r.canonical ?? null;
  }

  /** Stops waiting for the running payment attempt (its `pay()` settles with `sdk_error`). */
  cancel() {
    this.#core?.cancel();
  }

  /** Aborts requests, clears timers and listeners and forgets the token. Safe to call twice. */
  destroy() {
    const core = this.#core;
    this.#core = null;
    this.#token = null;
    this.#lastRef = null;
    if (this.#ownsFrame) this.#frame?.destroy();
    this.#frame = null;
    if (this.#cvc?.owned) this.#cvc.frame.destroy();
    this.#cvc = null;
    if (core) {
      core.destroy();
      // free() throws if wasm is still inside a call on this object (destroy() from an event listener):
      // free it once that call has returned.
      queueMicrotask(() => {
        try {
          core.free();
        } catch {
          /* already freed */
        }
      });
    }
  }

  async #settle(promise) {
    if (!promise) return { error: new CheckoutError('sdk_error', 'the checkout was destroyed') };
    const r = parseResult(await promise);
    this.#remember(r);
    return r;
  }
}

/**
 * The isolated card fields as the merchant's code sees them: events with no card data (`ready`,
 * `change` {brand, complete, empty, errors}, `focus`/`blur` {field}, `submit` for Enter), the current
 * `state`, and a few controls. The card itself stays in the frame.
 */
export class CardFields extends EventTarget {
  #frame;

  /** @internal */
  constructor(frame) {
    super();
    this.#frame = frame;
    this.ready = frame.ready;
    for (const type of ['ready', 'change', 'focus', 'blur', 'submit', 'error']) {
      frame.addEventListener(type, (e) => this.dispatchEvent(new CustomEvent(type, { detail: e.detail })));
    }
  }

  /** `{brand, complete, empty, errors}` as last reported by the frame. */
  get state() {
    return this.#frame.state;
  }

  /** The iframe, for layout. */
  get element() {
    return this.#frame.element;
  }

  focus(field) {
    this.#frame.focus(field);
  }

  setLocale(locale) {
    this.#frame.setLocale(locale);
  }

  /** New theme values (the same keys as mountCardFields' `theme`). */
  setTheme(theme) {
    this.#frame.setTheme(resolveTheme(this.#frame.element.parentNode ?? document.body, theme));
  }

  /** Clears the number and security code (another card). */
  clear() {
    this.#frame.reset();
  }

  destroy() {
    this.#frame.destroy();
  }
}

/**
 * Starts the first read of the intent (`GET`, bearer token, never cached) without waiting for the wasm: the
 * core takes this reply as its own first request's (the shell matches it by path). The path is the
 * dialect's, generated from the Rust wire into codes.js. Undefined when the options cannot make a request.
 * @internal
 */
export function prefetchIntent({ apiBase, paymentIntentId, connectToken, dialect } = {}) {
  const template = INTENT_PATHS[dialect ?? 'dojo'];
  if (!template || typeof apiBase !== 'string' || typeof connectToken !== 'string') return undefined;
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(paymentIntentId ?? '') || !/^[^\s\x00-\x1f]+$/.test(connectToken)) return undefined;
  const path = template.replace('{id}', paymentIntentId);
  const response = fetch(apiBase.replace(/\/+$/, '') + path, {
    headers: { Authorization: 'Bearer ' + connectToken },
    cache: 'no-store',
  });
  response.catch(() => {}); // a failure is the core's to retry, when it asks for the intent
  return { path, response };
}

/**
 * Loads the SDK (once), loads the intent and starts following it. The intent is requested while the
 * module loads, not after. Resolves to a ready `Checkout`; rejects with a `CheckoutError` if the intent
 * cannot be loaded.
 */
export async function createCheckout(options) {
  if (!options || typeof options !== 'object') throw new CheckoutError('sdk_error', 'options are required');
  // The prefetch reads a payment intent only.
  const prefetched = options.setupIntentId ? undefined : options.prefetched ?? prefetchIntent(options);
  const wasm = await loadWasm(options.wasmUrl).then((w) => (ready = w), (e) => {
    throw new CheckoutError('network_error', 'the checkout module could not load: ' + ((e && e.message) || e));
  });
  const fields = options.fields ?? 'isolated';
  if (fields !== 'isolated' && fields !== 'inline') throw new CheckoutError('sdk_error', 'fields must be "isolated" or "inline"');
  const checkout = new Checkout(null);
  checkout._setup({ ...options, fields });
  let core;
  try {
    core = wasm.openCheckout(
      {
        apiBase: options.apiBase,
        paymentIntentId: options.paymentIntentId,
        setupIntentId: options.setupIntentId,
        connectToken: options.connectToken,
        connectTokenExpiresAt: options.connectTokenExpiresAt,
        refreshToken: typeof options.refreshToken === 'function' ? () => checkout._refreshForCore() : options.refreshToken,
        dialect: options.dialect,
        prefetched,
        acceptsCards: fields === 'inline',
      },
      (name, json) => checkout._emit(name, json),
    );
  } catch (e) {
    throw thrownToError(e);
  }
  checkout._bind(core);
  if (options.customerSecret) {
    const bad = checkout.setCustomer(options).error;
    if (bad) {
      checkout.destroy();
      throw bad;
    }
  }
  const r = parseResult(await core.start());
  if (r.error) {
    checkout.destroy();
    throw r.error;
  }
  checkout._release();
  return checkout;
}

// The instantiated module once loaded, for the synchronous helpers below.
let ready = null;
const loaded = () => loadWasm().then((wasm) => (ready = wasm));

/**
 * Checks card fields without a request, all at once, for inline errors:
 * `{valid, brand, errors: {number?, expiry?, cvc?, cardholderName?}}`; codes are `required` or the
 * core's card codes (`incomplete_number`, `invalid_number`, `unsupported_brand`, `invalid_expiry_month`,
 * `invalid_expiry_year`, `expired_card`, `invalid_cvc`).
 */
export async function validateCard(card, nowMs) {
  const wasm = ready ?? (await loaded());
  return JSON.parse(wasm.validateCard(card ?? {}, nowMs));
}

/** Minor-unit digits of an ISO 4217 code (GBP 2, JPY 0, KWD 3); undefined if unknown or not loaded yet. */
export function currencyExponent(code) {
  return ready?.currencyExponent(String(code ?? ''));
}

/** A (partial) card number grouped for display (4-4-4-4, Amex 4-6-5); undefined until the module is loaded. */
export function formatCardNumber(number) {
  return ready?.formatCardNumber(String(number ?? ''));
}

/** The brand of a (partial) card number; undefined until the module is loaded. */
export function cardBrand(number) {
  return ready?.cardBrand(String(number ?? ''));
}

/**
 * How a country writes addresses, for an address form: `{postcode, postcodeName, state, stateName,
 * states?, city, bigFirst}` (`required`/`optional`; `states` the codes or names a state must be one of;
 * `bigFirst` when postcode, state and city come before the street, as in Japan). Undefined until the
 * module is loaded.
 */
export function addressFormat(country) {
  const f = ready?.addressFormat(String(country ?? ''));
  return f ? JSON.parse(f) : undefined;
}

/** The ISO 3166-1 alpha-2 codes the core accepts in addresses; empty until the module is loaded. */
export function countryCodes() {
  return ready?.countryCodes().match(/../g) ?? [];
}
