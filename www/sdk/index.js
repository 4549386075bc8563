// The npm entry: `createCheckout`, `CheckoutError`, `validateCard`, `load`.
// No side effects at import and no `window` access until a function is called (safe under SSR).
import { loadWasm } from './wasm.js';
import { ERROR_CODES, INTENT_PATHS } from './codes.js';

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
 * A checkout for one payment intent. Events: ready, status, requires_action, succeeded, failed, canceled,
 * expired, token_refreshed, error; each `detail` = { intent, status, canonical, change?, error?, url? }.
 */
export class Checkout extends EventTarget {
  #core;
  #intent = null;
  #canonical = null;
  // Events raised while createCheckout() is still running (e.g. `ready`) are held and dispatched just
  // after it resolves, so listeners added right after `await createCheckout()` still see them.
  #held = [];

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

  /** Pays with a card. Resolves to `{intent}` or `{error}`; payment outcomes never reject. */
  async pay(card) {
    return this.#settle(this.#core ? this.#core.pay(card ?? {}) : null);
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
  const prefetched = options.prefetched ?? prefetchIntent(options);
  const wasm = await loadWasm(options.wasmUrl).then((w) => (ready = w), (e) => {
    throw new CheckoutError('network_error', 'the checkout module could not load: ' + ((e && e.message) || e));
  });
  const checkout = new Checkout(null);
  let core;
  try {
    core = wasm.openCheckout(
      {
        apiBase: options.apiBase,
        paymentIntentId: options.paymentIntentId,
        connectToken: options.connectToken,
        connectTokenExpiresAt: options.connectTokenExpiresAt,
        refreshToken: options.refreshToken,
        dialect: options.dialect,
        prefetched,
      },
      (name, json) => checkout._emit(name, json),
    );
  } catch (e) {
    throw thrownToError(e);
  }
  checkout._bind(core);
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
