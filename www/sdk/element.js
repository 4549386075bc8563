// The <intent-checkout> element. Importing this module registers it.
// Thin by design: validation, lifecycle, retries and the connect token live in the wasm core behind
// createCheckout(); this file renders the intent it reports and forwards the customer's input. Everything
// from the merchant or the server is written with textContent, never parsed as HTML.
import { loadWasm, whenLoaded } from './wasm.js';
import * as sdk from './index.js';
import { styles } from './styles.js';
import { direction, hasMessages, loadMessages, pickLanguage, translator } from './messages.js';
import { EVENTS } from './codes.js';
import { CardFrame, resolveTheme } from './card-frame-host.js';
import { loadInlineFields } from './inline.js';

export * from './index.js';

// Checkout events re-dispatched from the element (bubbling and composed). `ready` is the element's own.
const FORWARDED = EVENTS.filter((name) => name !== 'ready');
const PROPS = ['apiBase', 'paymentIntentId', 'setupIntentId', 'connectToken', 'connectTokenExpiresAt', 'refreshToken', 'customerId', 'customerSecret', 'customerSecretExpiresAt', 'locale', 'dialect', 'fields'];
// Widget views that show the result panel instead of the form, with their tone (`saved`, `charged`,
// `card_expired`: a setup intent's).
const RESULTS = { succeeded: 'ok', authorized: 'ok', processing: 'wait', action: 'wait', declined: 'bad', canceled: 'bad', expired: 'bad', refunded: 'ok', reversed: 'ok', error: 'bad', saved: 'ok', charged: 'ok', card_expired: 'bad' };
const ICONS = { ok: '✓', bad: '!', wait: '' };
// A setup intent's own words for the views it shares with payments (its `Closed` shows as `reversed`).
const SETUP_WORDS = { canceled: 'setupCanceled', expired: 'setupExpired', reversed: 'setupClosed' };

const fn = (name) => (typeof sdk[name] === 'function' ? sdk[name] : null);

// Brands by the names their owners write (not translated), for "We accept …" and "We don't accept …".
const BRAND_NAMES = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover', diners: 'Diners Club', jcb: 'JCB', maestro: 'Maestro', unionpay: 'UnionPay' };
// An address's members in Dojo's names, with the `autocomplete` token the browser fills each from.
const ADDRESS_TOKENS = { name: 'name', countryCode: 'country', address1: 'address-line1', address2: 'address-line2', city: 'address-level2', state: 'address-level1', postcode: 'postal-code' };

// Creates an element: `attrs` become attributes (never HTML), strings in `kids` become text nodes.
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) if (v !== undefined && v !== false) el.setAttribute(k, v === true ? '' : v);
  el.append(...kids);
  return el;
}

// Under server-side rendering there is no HTMLElement: the module still imports (and defines nothing).
const Base = typeof HTMLElement === 'undefined' ? class {} : HTMLElement;

export class IntentCheckoutElement extends Base {
  static observedAttributes = ['api-base', 'payment-intent-id', 'setup-intent-id', 'customer-id', 'locale', 'dialect', 'connect-token', 'fields'];

  #token = null;
  #expiresAt = undefined;
  #submitting = false;
  #refresh = null;
  #checkout = null;
  #starting = false;
  /** `{key, value}`: the intent's first read, started before the module was ready. */
  #prefetch = null;
  #queued = false;
  #intent = null;
  #view = 'loading';
  #wasm = null;
  #ui = null;
  #t = translator('en');
  #lang = null;
  // The language whose table is on its way (the form waits for it; see #start).
  #awaiting = null;
  // The card fields: an iframe on the API's origin (isolated, the default), or, with fields="inline",
  // the same fields in this element's form (the page is then in PCI scope).
  #frame = null;
  #inline = null;
  #darkMode = null;
  #onScheme = () => {
    this.#frame?.setTheme(resolveTheme(this.#ui.box));
    this.#cvc?.frame.setTheme(resolveTheme(this.#ui.box));
  };
  #reason = null;
  #challengeUrl = null;
  // Whether the challenge frame's page has loaded: until then the dialog holds focus (see its load listener).
  #challengeLoaded = false;
  #onMessage = (e) => this.#challengeMessage(e);
  // The brand the card fields report (never a digit), and the customer-details form built for the intent.
  #brand = 'unknown';
  #details = null;
  #redirected = false;
  // The customer secret (memory only, like the token) and expiry, for the saved cards; the cards listed,
  // and the one chosen to pay with ('' = a new card).
  #customer = null;
  #customerExpires = undefined;
  #saved = [];
  #chosen = '';
  // The chosen saved card's CVC-only frame (isolated), when the API wants its code again:
  // `{id, frame, checkout}`.
  #cvc = null;

  constructor() {
    super();
    // A page may set properties before this module loads; re-run them through the setters.
    for (const p of PROPS) {
      if (Object.prototype.hasOwnProperty.call(this, p)) {
        const v = this[p];
        delete this[p];
        this[p] = v;
      }
    }
  }

  get apiBase() { return this.getAttribute('api-base') || location.origin; }
  set apiBase(v) { v == null ? this.removeAttribute('api-base') : this.setAttribute('api-base', v); }
  get paymentIntentId() { return this.getAttribute('payment-intent-id'); }
  set paymentIntentId(v) { this.setAttribute('payment-intent-id', v); }
  /** A setup intent to save a card for (instead of a payment intent to pay). */
  get setupIntentId() { return this.getAttribute('setup-intent-id'); }
  set setupIntentId(v) { this.setAttribute('setup-intent-id', v); }
  /** The customer whose saved cards to offer (with `customerSecret`). */
  get customerId() { return this.getAttribute('customer-id'); }
  set customerId(v) { v == null ? this.removeAttribute('customer-id') : this.setAttribute('customer-id', v); }
  /** Write-only: a customer secret from the merchant's server. Handed to the core, never kept in the DOM. */
  get customerSecret() { return undefined; }
  set customerSecret(v) {
    this.#customer = v ? String(v) : null;
    this.#useCustomer();
    this.#schedule();
  }
  get customerSecretExpiresAt() { return this.#customerExpires; }
  set customerSecretExpiresAt(v) { this.#customerExpires = v ?? undefined; }
  // The intent this element follows: a setup intent's id, or a payment intent's.
  get #intentId() { return this.setupIntentId || this.paymentIntentId; }
  get locale() { return this.getAttribute('locale'); }
  set locale(v) { v == null ? this.removeAttribute('locale') : this.setAttribute('locale', v); }
  get dialect() { return this.getAttribute('dialect'); }
  set dialect(v) { v == null ? this.removeAttribute('dialect') : this.setAttribute('dialect', v); }
  /**
   * `isolated` (default): the card fields are a frame served by the API, and no card detail ever reaches
   * this page. `inline`: the fields are in this page, which puts it in PCI DSS scope (SAQ A-EP).
   */
  get fields() { return this.getAttribute('fields') === 'inline' ? 'inline' : 'isolated'; }
  set fields(v) { v == null ? this.removeAttribute('fields') : this.setAttribute('fields', v); }
  /** Write-only: the intent's connect token (client session secret). Handed to the core, never kept in the DOM. */
  get connectToken() { return undefined; }
  set connectToken(v) {
    this.#token = v ? String(v) : null;
    this.#schedule();
  }
  /** When the token expires (ISO date or unix ms), so the core can refresh it before the server refuses it. */
  get connectTokenExpiresAt() { return this.#expiresAt; }
  set connectTokenExpiresAt(v) { this.#expiresAt = v ?? undefined; }
  /** `() => Promise<string>` returning a fresh connect token from the merchant's server. */
  get refreshToken() { return this.#refresh; }
  set refreshToken(v) { this.#refresh = typeof v === 'function' ? v : null; }

  /** The latest intent snapshot (no token), or null. */
  get intent() { return this.#intent; }
  /** The underlying Checkout from createCheckout(), once started. */
  get checkout() { return this.#checkout; }

  attributeChangedCallback(name, old, value) {
    if (name === 'connect-token') {
      if (value === null) return;
      // A secret given as an attribute is read once and removed from the DOM.
      this.removeAttribute('connect-token');
      this.connectToken = value;
    } else if (name === 'locale') {
      if (this.#ui) this.#render();
    } else if ((name === 'fields' || name === 'api-base') && old !== value && this.#ui && (this.#frame || this.#inline)) {
      // Another kind of fields, or the frame's origin moved: new fields, and a checkout that matches.
      this.#dropFields();
      this.#destroyCheckout();
      this.#mountFields();
      this.#schedule();
    } else if ((name === 'payment-intent-id' || name === 'setup-intent-id') && old !== null && old !== value && this.#checkout) {
      this.#destroyCheckout();
      this.#schedule();
    } else {
      this.#schedule();
    }
  }

  connectedCallback() {
    addEventListener('message', this.#onMessage);
    if (!this.shadowRoot) {
      this.#build();
      this.#ensureFields();
      this.#load();
    } else {
      this.#ensureFields();
      this.#schedule();
    }
  }

  // A failed load is not final: the Try again button or any later successful load (another element,
  // IntentCheckout.load()) brings this element back.
  #load() {
    return loadWasm().then(
      (wasm) => this.#loaded(wasm),
      () => {
        this.#setView('error', 'loadFailed');
        whenLoaded((wasm) => this.#loaded(wasm));
      },
    );
  }

  #loaded(wasm) {
    if (this.#wasm) return;
    this.#wasm = wasm;
    if (this.#intentId && this.#token) this.#start();
    else {
      this.#setView('waiting');
      wasm.announceReady(this);
    }
  }

  disconnectedCallback() {
    removeEventListener('message', this.#onMessage);
    // Moved, not removed: keep the checkout. Removed: stop its network activity and timers.
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.#destroyCheckout();
      this.#dropFields();
    });
  }

  #schedule() {
    if (this.#queued) return;
    this.#queued = true;
    queueMicrotask(() => {
      this.#queued = false;
      this.#start();
    });
  }

  async #start() {
    if (!this.isConnected || this.#checkout || this.#starting) return;
    const setupIntentId = this.setupIntentId || undefined;
    const paymentIntentId = setupIntentId ? undefined : this.paymentIntentId;
    const connectToken = this.#token;
    if (!(setupIntentId || paymentIntentId) || !connectToken) return;
    const options = { apiBase: this.apiBase, paymentIntentId, setupIntentId, connectToken, dialect: this.dialect || undefined };
    // The card fields (the frame's page, script and wasm, or the inline fields' module) and the intent
    // start loading as soon as the intent is known, in parallel with this page's module.
    this.#ensureFields();
    const key = [options.apiBase, this.#intentId, connectToken, options.dialect].join('\n');
    if (this.#prefetch?.key !== key) this.#prefetch = { key, value: sdk.prefetchIntent(options) };
    if (!this.#wasm) return;
    const prefetched = this.#prefetch.value;
    this.#prefetch = null; // one reply, for one core
    this.#starting = true;
    this.#token = null; // the checkout holds it from here on
    this.#setView('loading');
    try {
      const checkout = await sdk.createCheckout({
        ...options,
        connectTokenExpiresAt: this.#expiresAt,
        refreshToken: this.#refresh ? () => this.#refresh() : undefined,
        prefetched,
        fields: this.fields,
      });
      // The form is usable once its card fields are: the frame has said ready, or the inline ones exist.
      if (this.#frame) {
        checkout._useCardFrame(this.#frame);
        if (!(await this.#frame.ready)) {
          checkout.destroy();
          throw new sdk.CheckoutError('network_error', 'the card fields could not load');
        }
      } else {
        await this.#inline?.ready;
      }
      // The form shows in its language, never in English first (the table has been loading since #build).
      await loadMessages(pickLanguage(this.locale));
      this.#attach(checkout);
    } catch (error) {
      // Kept for Try again (memory only), unless the page has set a newer one meanwhile.
      this.#token ??= connectToken;
      this.#setView('error', this.#frame && error?.message === 'the card fields could not load' ? 'cardFieldsFailed' : error?.code || 'sdk_error');
      this.#emit('error', { error: error instanceof sdk.CheckoutError ? error : new sdk.CheckoutError('sdk_error', error?.message ?? String(error)) });
    } finally {
      this.#starting = false;
    }
  }

  #attach(checkout) {
    this.#checkout = checkout;
    for (const type of FORWARDED) {
      checkout.addEventListener(type, (e) => {
        if (this.#checkout !== checkout) return;
        this.#onCheckoutEvent(type, e.detail);
        this.#emit(type, e.detail);
      });
    }
    const intent = checkout.intent();
    this.#saved = [];
    this.#chosen = '';
    this.#show(intent);
    this.#emit('ready', { version: this.#wasm.version(), intent, status: intent?.status, canonical: checkout.canonical() });
    this.#useCustomer();
  }

  // Hands the customer secret to the running checkout and lists the saved cards (a payment's: a setup
  // intent saves a new card).
  #useCustomer(checkout = this.#checkout) {
    if (!checkout || !this.#customer || this.setupIntentId) return;
    const set = checkout.setCustomer({ customerId: this.customerId, customerSecret: this.#customer, customerSecretExpiresAt: this.#customerExpires });
    this.#listSaved(set.error ? Promise.resolve(set) : checkout.listSaved(), checkout);
  }

  #destroyCheckout() {
    const c = this.#checkout;
    this.#checkout = null;
    this.#dropCvc();
    c?.destroy?.();
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  #onCheckoutEvent(type, detail = {}) {
    if (type === 'error') {
      const code = detail.error?.code ?? detail.code;
      if (code === 'token_expired' || code === 'sdk_error') this.#setView('error', code);
      return;
    }
    if (type === 'requires_action') {
      this.#openChallenge(detail.url ?? detail.intent?.nextAction?.url);
      return;
    }
    if (type === 'failed') {
      this.#intent = detail.intent ?? this.#intent;
      const err = detail.error ?? detail.intent?.lastPaymentError;
      this.#declined(err?.declineCode ?? err?.code);
      return;
    }
    if (type === 'status') this.#show(detail.intent, detail.canonical);
  }

  // Renders the view an intent snapshot calls for.
  #show(intent, canonical) {
    if (intent) this.#intent = intent;
    intent = this.#intent;
    if (!intent) return;
    if (intent.status) this.setAttribute('status', intent.status);
    canonical ??= this.#checkout?.canonical() ?? undefined;
    const view = {
      requires_action: 'action',
      processing: 'processing',
      requires_capture: 'authorized',
      succeeded: 'succeeded',
      canceled: 'canceled',
      expired: 'expired',
      closed: /refund/i.test(intent.status) ? 'refunded' : 'reversed',
      saved: 'saved',
      charged: 'charged',
      card_expired: 'card_expired',
    }[canonical];
    if (view === 'action') this.#openChallenge(intent.nextAction?.url);
    else this.#closeChallenge();
    const err = intent.lastPaymentError;
    if (view) this.#setView(view);
    // Payable again: after an attempt that failed, say why; otherwise (back) to the form.
    else if (err && ['paying', 'action', 'processing'].includes(this.#view)) this.#declined(err.declineCode ?? err.code);
    else if (!['declined', 'paying', 'processing'].includes(this.#view)) this.#setView('form');
    else this.#render();
  }

  #declined(reason) {
    this.#reason = reason || 'generic_decline';
    this.#closeChallenge();
    this.#setView('declined');
  }

  // ---- DOM -------------------------------------------------------------------------------------------

  #build() {
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [styles()];
    const ui = (this.#ui = {});
    const field = (key, attrs, extra) => {
      const id = `ic-${key}`;
      const input = h('input', { id, name: key, part: 'input', 'aria-describedby': `${id}-err`, 'data-testid': attrs.testid, ...attrs.input });
      const label = h('label', { for: id, part: 'label' });
      const err = h('p', { id: `${id}-err`, class: 'err', part: 'error', 'data-testid': `${attrs.testid}-error` });
      ui[key] = { input, label, err };
      return h('div', { class: 'field', part: 'field' }, label, extra ? h('div', { class: 'wrap' }, input, extra) : input, err);
    };
    ui.status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', 'data-testid': 'announcer' });
    ui.loadingText = h('p');
    ui.spinner = h('span', { class: 'icon', 'aria-hidden': 'true', 'data-testid': 'spinner' });
    ui.loading = h('div', { class: 'result loading', part: 'loading', 'data-testid': 'loading' }, ui.spinner, ui.loadingText);
    ui.title = h('h2', { class: 'title', part: 'title', 'data-testid': 'title' });
    ui.ref = h('p', { class: 'ref', 'data-testid': 'reference' });
    ui.desc = h('p', { class: 'desc', 'data-testid': 'description' });
    ui.order = h('ul', { class: 'lines order', part: 'order-lines', 'data-testid': 'order-lines' });
    ui.summary = h('div', { class: 'summary', part: 'summary' }, ui.title, ui.ref, ui.desc, ui.order);
    // The customer's email and addresses, when the intent's config asks for them (built per intent).
    ui.details = h('div', { class: 'details', part: 'details', 'data-testid': 'customer-details' });
    ui.brands = h('p', { class: 'brands', part: 'brands', 'data-testid': 'accepted-brands' });
    ui.brandError = h('p', { class: 'err', part: 'error', 'data-testid': 'card-brand-error' });
    ui.cancel = h('button', { type: 'button', class: 'btn secondary', part: 'cancel-button', 'data-testid': 'cancel-button' });
    ui.amountField = field('amount', { testid: 'amount-input', input: { inputmode: 'decimal', autocomplete: 'off' } });
    ui.tipLegend = h('span', { class: 'legend', id: 'ic-tip-legend' });
    ui.chips = [0, 10, 15, 20].map((pct) => {
      const b = h('button', { type: 'button', class: 'chip', part: 'tip-option', 'aria-pressed': 'false', 'data-testid': `tip-${pct}` });
      b.addEventListener('click', () => this.#chooseTip(pct));
      return b;
    });
    ui.tipField = h('div', { class: 'field', part: 'field' },
      ui.tipLegend,
      h('div', { class: 'tips', role: 'group', 'aria-labelledby': 'ic-tip-legend' }, ...ui.chips),
      field('tip', { testid: 'tip-input', input: { inputmode: 'decimal', autocomplete: 'off' } }));
    // Where the card fields go: the isolated frame, or the inline fields (card-fields.js).
    ui.cardSlot = h('div', { class: 'card-slot', 'data-testid': 'card-slot' });
    // A returning customer's saved cards (a radio each, then "a new card"), and the consent to keep a new
    // card: "save this card" on a payment, agreeing to the merchant's terms on a setup intent.
    ui.savedLegend = h('legend', { part: 'legend' });
    ui.savedList = h('div');
    ui.savedError = h('p', { class: 'err', part: 'error', 'data-testid': 'saved-error' });
    ui.saved = h('fieldset', { class: 'address', part: 'saved-cards', 'data-testid': 'saved-cards' }, ui.savedLegend, ui.savedList, ui.savedError);
    // The chosen saved card's security code, when the API wants it again: its own frame (isolated).
    ui.cvcSlot = h('div', { class: 'card-slot', 'data-testid': 'cvc-slot' });
    // Its error (consent required) is the form's.
    ui.consentBox = h('input', { type: 'checkbox', id: 'ic-consent', 'aria-describedby': 'ic-form-err', 'data-testid': 'save-card' });
    ui.consentText = h('label', { for: 'ic-consent' });
    ui.consent = h('div', { class: 'consent', part: 'consent' }, ui.consentBox, ui.consentText);
    const line = (cls, testid) => {
      const [k, v] = [h('span'), h('span', { 'data-testid': testid })];
      return { li: h('li', { class: cls }, k, v), k, v };
    };
    ui.subtotal = line('', 'subtotal');
    ui.tipLine = line('', 'tip-amount');
    ui.total = line('total', 'total');
    ui.pay = h('button', { type: 'submit', class: 'pay', part: 'pay-button', 'data-testid': 'pay-button' });
    ui.formError = h('p', { id: 'ic-form-err', class: 'err form-error', part: 'error', role: 'alert', 'data-testid': 'form-error' });
    ui.form = h('form', { part: 'form', novalidate: true, 'data-testid': 'checkout-form' },
      ui.summary, ui.amountField, ui.tipField, ui.details, ui.saved, ui.cvcSlot, ui.cardSlot, ui.consent, ui.brands, ui.brandError,
      (ui.totals = h('ul', { class: 'lines', part: 'totals' }, ui.subtotal.li, ui.tipLine.li, ui.total.li)), ui.formError, ui.pay, ui.cancel);
    ui.icon = h('span', { class: 'icon', 'aria-hidden': 'true' });
    ui.resultTitle = h('h2', { tabindex: '-1', part: 'result-title', 'data-testid': 'result-title' });
    ui.resultText = h('p', { part: 'result-text', 'data-testid': 'result-message' });
    ui.retry = h('button', { type: 'button', class: 'btn', part: 'retry-button', 'data-testid': 'retry-button' });
    ui.resume = h('button', { type: 'button', class: 'btn', part: 'button', 'data-testid': 'challenge-resume' });
    ui.result = h('section', { class: 'result', part: 'result', 'data-testid': 'result' }, ui.icon, ui.resultTitle, ui.resultText, ui.retry, ui.resume);
    ui.box = h('div', { class: 'box', part: 'container' }, ui.loading, ui.form, ui.result);
    // 3-D Secure: a modal dialog; the sentinels keep Tab inside it.
    // No `sandbox` attribute: the bank's page needs scripts and its own origin (its completion request),
    // and a sandbox granting both is one Chromium warns about on every page. A cross-origin frame still
    // cannot read or script this page, and cannot navigate it without the customer's click.
    ui.frame = h('iframe', { part: 'challenge-frame', 'data-testid': 'challenge-frame', referrerpolicy: 'no-referrer' });
    ui.close = h('button', { type: 'button', class: 'btn secondary', 'data-testid': 'challenge-close' });
    ui.dlgTitle = h('h2', { id: 'ic-dlg-title' });
    ui.dlgText = h('p');
    const sentinel = (to) => {
      const s = h('span', { tabindex: '0', 'aria-hidden': 'true' });
      s.addEventListener('focus', () => to().focus());
      return s;
    };
    ui.dialog = h('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'ic-dlg-title', part: 'dialog', tabindex: '-1' },
      sentinel(() => ui.close), ui.dlgTitle, ui.dlgText, ui.frame, ui.close, sentinel(() => ui.frame));
    ui.modal = h('div', { class: 'modal', part: 'challenge', 'data-testid': 'challenge-modal', hidden: true }, ui.dialog);
    // The bank's page is a document of another origin, often in another process: focus given to the frame
    // while that page is still on its way can land on the blank document the page replaces and be lost
    // (Chromium then keeps the keys in this page, and Tab passes over the challenge to Close). So the
    // frame takes focus from the dialog once its page has loaded, unless the customer has moved it.
    ui.frame.addEventListener('load', () => {
      this.#challengeLoaded = true;
      if (!ui.modal.hidden && this.shadowRoot.activeElement === ui.dialog) ui.frame.focus();
    });
    ui.modal.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.#closeChallenge(true);
    });
    root.append(ui.status, ui.box, ui.modal);

    ui.amount.input.addEventListener('change', () => this.#changeAmount());
    ui.tip.input.addEventListener('change', () => this.#changeTip());
    ui.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#pay();
    });
    ui.retry.addEventListener('click', () => this.#retry());
    ui.cancel.addEventListener('click', () => this.#follow('cancelUrl', 'canceled'));
    ui.resume.addEventListener('click', () => this.#openChallenge(this.#challengeUrl, true));
    ui.close.addEventListener('click', () => this.#closeChallenge(true));
    this.#setView('loading');
  }

  #setView(view, reason) {
    const changed = view !== this.#view;
    this.#view = view;
    if (reason !== undefined) this.#reason = reason;
    this.setAttribute('state', view);
    this.#render();
    if (changed && RESULTS[view] && view !== 'action') {
      // Move keyboard and screen-reader focus to the outcome, unless the page has focus elsewhere.
      if (this.shadowRoot.activeElement || document.activeElement === document.body) this.#ui.resultTitle.focus();
    }
    if (changed) this.#announce();
    // After the events of this change: success follows `redirectUrl`, a cancelled intent `cancelUrl`.
    if (changed && (view === 'succeeded' || view === 'authorized')) queueMicrotask(() => this.#follow('redirectUrl', view));
    if (changed && view === 'canceled') queueMicrotask(() => this.#follow('cancelUrl', view));
  }

  // Leaves for the merchant's `config[key]` URL, after a cancelable `redirect` event ({url, reason}) so a
  // single-page app can route itself. Only http(s) URLs (the core refuses others when it decodes them).
  #follow(key, reason) {
    const url = this.#intent?.config?.[key];
    if (!url || !safeUrl(url) || this.#redirected) return;
    const go = new CustomEvent('redirect', { detail: { url, reason }, bubbles: true, composed: true, cancelable: true });
    if (!this.dispatchEvent(go)) return;
    this.#redirected = true;
    location.assign(url);
  }

  #announce() {
    const ui = this.#ui;
    const text = this.#view === 'form' || this.#view === 'paying' ? (this.#view === 'paying' ? this.#t('paying') : '')
      : this.#view === 'loading' || this.#view === 'waiting' ? ''
      : `${ui.resultTitle.textContent}. ${ui.resultText.textContent}`;
    if (text) ui.status.textContent = text;
  }

  // Writes every visible string for the current view and locale.
  #render() {
    const ui = this.#ui;
    if (!ui) return;
    const lang = pickLanguage(this.locale);
    const t = (this.#t = translator(lang));
    const loaded = hasMessages(lang);
    if (!loaded && this.#awaiting !== lang) {
      this.#awaiting = lang;
      loadMessages(lang).then(() => {
        this.#awaiting = null;
        this.#render();
      });
    }
    // Arabic and Hebrew mirror the whole widget (its CSS uses logical properties), the dialog included.
    for (const el of [ui.status, ui.box, ui.modal]) {
      el.lang = lang;
      el.dir = direction(lang);
    }
    const v = this.#view;
    const intent = this.#intent;
    const inForm = v === 'form' || v === 'paying';
    ui.loading.hidden = v !== 'loading' && v !== 'waiting';
    // Waiting for an intent id is not progress: no spinner that never ends.
    ui.spinner.hidden = v === 'waiting';
    // Until its language's table is here the spinner shows alone (no flash of English).
    ui.loadingText.textContent = loaded ? t(v === 'waiting' ? 'waiting' : 'loading') : '';
    ui.form.hidden = !inForm;
    ui.result.hidden = !RESULTS[v];
    for (const f of ['amount', 'tip']) ui[f].label.textContent = t(f);
    if (lang !== this.#lang) {
      this.#lang = lang;
      this.#frame?.setLocale(lang);
      this.#cvc?.frame.setLocale(lang);
      this.#inline?.setLocale(lang);
    }
    this.#frame?.element.setAttribute('title', t('cardFrame'));
    const cvcCard = this.#cvc && this.#saved.find((c) => c.id === this.#cvc.id);
    if (cvcCard) this.#cvc.frame.element.setAttribute('title', t('cvcFrame', { card: this.#cardText(cvcCard, t) }));
    ui.tipLegend.textContent = t('tip');
    const pct = new Intl.NumberFormat(this.locale || undefined, { style: 'percent' });
    ui.chips.forEach((b, i) => (b.textContent = i ? pct.format([0, 10, 15, 20][i] / 100) : t('noTip')));
    ui.tip.label.textContent = t('tipOther');
    ui.subtotal.k.textContent = t('subtotal');
    ui.tipLine.k.textContent = t('tipLine');
    ui.total.k.textContent = t('total');
    ui.retry.textContent = t('retry');
    ui.resume.textContent = t('challengeResume');
    ui.close.textContent = t('challengeClose');
    ui.dlgTitle.textContent = t('challengeTitle');
    ui.dlgText.textContent = t('challengeText');
    ui.frame.setAttribute('title', t('challengeFrame'));
    const pay = intent?.config?.payment ?? {};
    ui.amountField.hidden = !pay.customAmountAllowed;
    ui.tipField.hidden = !pay.tipsAllowed;
    ui.subtotal.li.hidden = ui.tipLine.li.hidden = !pay.tipsAllowed;
    const setup = !!this.setupIntentId;
    // A setup intent shows the amount the merchant means to charge later.
    const total = this.#money(intent?.totalAmount ?? intent?.amount ?? intent?.intendedAmount);
    const config = intent?.config ?? {};
    ui.title.textContent = config.title ?? (setup ? t('setupTitle') : '');
    ui.title.hidden = !ui.title.textContent;
    ui.saved.hidden = !this.#saved.length && !ui.savedError.textContent;
    ui.savedLegend.textContent = t('savedCards');
    ui.cardSlot.hidden = !!this.#chosen;
    ui.cvcSlot.hidden = !this.#cvc;
    ui.consent.hidden = !(setup || (this.#customer && !this.#chosen));
    ui.consentText.textContent = t(setup ? 'setupConsent' : 'saveCard');
    // Dojo's config.details: the reference and the total (with its lines) show unless set to false.
    ui.ref.hidden = config.details?.showReference === false;
    ui.totals.hidden = ui.order.hidden = config.details?.showTotal === false;
    ui.cancel.hidden = !config.cancelUrl || !safeUrl(config.cancelUrl);
    ui.cancel.textContent = t('cancel');
    if (intent) this.#renderOrder(intent, t);
    if (intent) this.#renderDetails(intent, t);
    this.#renderBrands(t);
    if (intent) {
      ui.ref.textContent = intent.reference ?? '';
      // A setup intent's terms: the merchant's text, shown as text.
      ui.desc.textContent = intent.terms ?? intent.description ?? '';
      ui.subtotal.v.textContent = this.#money(intent.amount);
      ui.tipLine.v.textContent = this.#money(intent.tipsAmount ?? { value: 0, currencyCode: intent.amount?.currencyCode });
      ui.total.v.textContent = total;
      ui.total.k.textContent = t(setup ? 'intendedAmount' : 'total');
    }
    ui.pay.disabled = v === 'paying' || !this.#checkout;
    ui.pay.setAttribute('aria-busy', v === 'paying' ? 'true' : 'false');
    ui.pay.textContent = setup ? t(v === 'paying' ? 'saving' : 'saveCardButton') : v === 'paying' ? t('paying') : t('pay', { amount: total });
    if (RESULTS[v]) {
      ui.result.dataset.tone = RESULTS[v];
      ui.icon.textContent = ICONS[RESULTS[v]];
      const title = v === 'action' ? 'challengeTitle' : (setup && SETUP_WORDS[v]) || v;
      ui.resultTitle.textContent = t(title);
      ui.resultText.textContent =
        v === 'declined' || v === 'error' ? t(this.#reason, null, t(v === 'error' ? 'api_error' : 'generic_decline'))
        : v === 'action' ? t('challengePending')
        : t(`${title}Text`, { amount: v === 'charged' ? this.#money(intent?.chargedAmount) : total });
      ui.retry.hidden = !(v === 'declined' || (v === 'error' && this.#canRestart()));
      ui.resume.hidden = v !== 'action' || !ui.modal.hidden;
    }
  }

  // An error view offers Try again only when it can do something: load the module, or start with a token.
  #canRestart() {
    return !this.#wasm || !!this.#refresh || (!!this.#token && this.#reason !== 'token_expired');
  }

  #money(m) {
    if (!m || m.value == null || !m.currencyCode) return '';
    const exp = fn('currencyExponent')?.(m.currencyCode) ?? new Intl.NumberFormat('en', { style: 'currency', currency: m.currencyCode }).resolvedOptions().maximumFractionDigits;
    try {
      return new Intl.NumberFormat(this.locale || undefined, { style: 'currency', currency: m.currencyCode, minimumFractionDigits: exp, maximumFractionDigits: exp }).format(m.value / 10 ** exp);
    } catch {
      return `${(m.value / 10 ** exp).toFixed(exp)} ${m.currencyCode}`;
    }
  }

  // ---- order, accepted brands, customer details ------------------------------------------------------

  // Dojo's item lines (with their modifiers) and tax lines, as the merchant sent them: every name is text.
  #renderOrder(intent, t) {
    const row = (cls, testid, label, money) => h('li', { class: cls, 'data-testid': testid }, h('span', {}, label), h('span', {}, this.#money(money)));
    const rows = [];
    for (const item of intent.itemLines ?? []) {
      const qty = item.quantity > 1 ? ` × ${item.quantity}` : '';
      rows.push(row('', 'item-line', `${item.name ?? item.id ?? ''}${qty}`, item.amountTotal));
      for (const m of item.modifiers ?? []) {
        const each = m.quantity > 1 ? ` × ${m.quantity}` : '';
        rows.push(row('sub', 'item-modifier', `${m.name}${each}`, { ...m.amountPerModifier, value: m.amountPerModifier.value * m.quantity }));
      }
    }
    for (const tax of intent.taxLines ?? []) {
      const label = [tax.caption ?? t('tax'), tax.subCaption].filter(Boolean).join(' ');
      rows.push(row('', 'tax-line', label, tax.amountTotal));
    }
    this.#ui.order.replaceChildren(...rows);
    this.#ui.order.hidden ||= rows.length === 0;
  }

  #renderBrands(t) {
    const accepted = this.#checkout?.acceptedBrands() ?? [];
    const restricted = accepted.length > 0 && accepted.length < Object.keys(BRAND_NAMES).length;
    const list = new Intl.ListFormat(this.locale || undefined, { type: 'conjunction' }).format(accepted.map((b) => BRAND_NAMES[b] ?? b));
    this.#ui.brands.textContent = restricted ? t('brandsAccepted', { brands: list }) : '';
    this.#ui.brands.hidden = !restricted;
    const refused = this.#brandRefused();
    this.#ui.brandError.textContent = refused ? t('brandRefused', { brand: BRAND_NAMES[this.#brand] ?? this.#brand }) : '';
  }

  // A brand the fields recognise and the intent does not take (unknown so far: not refused).
  #brandRefused() {
    const accepted = this.#checkout?.acceptedBrands();
    return !!accepted && this.#brand !== 'unknown' && !accepted.includes(this.#brand);
  }

  #onBrand(brand) {
    const was = this.#brandRefused();
    this.#brand = brand || 'unknown';
    if (!this.#ui) return;
    this.#renderBrands(this.#t);
    // Said as soon as it is known, before the customer presses Pay.
    if (this.#brandRefused() && !was) this.#ui.status.textContent = this.#ui.brandError.textContent;
  }

  // What the intent's config asks the customer for.
  #collect(intent = this.#intent) {
    const c = intent?.config ?? {};
    return { email: !!c.customerEmail?.collectionRequired, billing: !!c.billingAddress?.collectionRequired, shipping: !!c.shippingDetails?.collectionRequired };
  }

  // Builds the details form once per intent that asks for something (and again when what it asks changes),
  // pre-filled from what the intent already carries; then only writes its texts.
  #renderDetails(intent, t) {
    const collect = this.#collect(intent);
    const key = `${intent.id}:${collect.email}${collect.billing}${collect.shipping}`;
    const box = this.#ui.details;
    if (this.#details?.key !== key) {
      const d = (this.#details = { key, email: null, groups: {} });
      box.replaceChildren();
      if (collect.email) {
        d.email = this.#input('email', 'email-input', { type: 'email', autocomplete: 'email', inputmode: 'email', value: intent.customer?.emailAddress ?? '' });
        box.append(d.email.box);
      }
      if (collect.billing) box.append(this.#addressGroup('billing', intent.billingAddress));
      if (collect.shipping) box.append(this.#addressGroup('shipping', intent.shippingDetails?.address, intent.shippingDetails?.name));
    }
    box.hidden = !collect.email && !collect.billing && !collect.shipping;
    const d = this.#details;
    if (d.email) d.email.label.textContent = t('email');
    for (const g of Object.values(d.groups)) this.#labelGroup(g, t);
  }

  #input(name, testid, attrs) {
    const id = `ic-${testid}`;
    const tag = attrs.options ? 'select' : 'input';
    const { options, value, ...rest } = attrs;
    const input = h(tag, { id, name, part: 'input', 'aria-describedby': `${id}-err`, 'data-testid': testid, ...rest });
    for (const [v, text] of options ?? []) input.append(h('option', { value: v }, text));
    if (value) input.value = value;
    const label = h('label', { for: id, part: 'label' });
    const err = h('p', { id: `${id}-err`, class: 'err', part: 'error', 'data-testid': `${testid}-error` });
    input.addEventListener('input', () => {
      err.textContent = '';
      input.removeAttribute('aria-invalid');
    });
    return { input, label, err, box: h('div', { class: 'field', part: 'field' }, label, input, err) };
  }

  // A billing or shipping address in the country's order, with its country's postcode and state rules.
  #addressGroup(prefix, given, name) {
    const legend = h('legend', { part: 'legend' });
    const set = h('fieldset', { class: 'address', part: 'address', 'data-testid': `${prefix}-address` }, legend);
    const g = (this.#details.groups[prefix] = { prefix, set, legend, fields: {}, values: { ...(given ?? {}), ...(name ? { name } : {}) }, withName: prefix === 'shipping' });
    g.values.countryCode ||= this.#details.groups.billing?.values.countryCode || regionOf(this.locale) || 'GB';
    this.#layoutGroup(g);
    return set;
  }

  #layoutGroup(g) {
    for (const [k, f] of Object.entries(g.fields)) if (f.input.value) g.values[k] = f.input.value;
    const country = g.values.countryCode;
    const format = fn('addressFormat')?.(country) ?? { postcode: 'optional', state: 'optional', city: 'required', postcodeName: 'postal', stateName: 'region' };
    g.format = format;
    const region = new Intl.DisplayNames([this.locale || 'en', 'en'], { type: 'region' });
    const countries = (fn('countryCodes')?.() ?? [country]).map((c) => [c, region.of(c) ?? c]).sort((a, b) => a[1].localeCompare(b[1]));
    const street = ['address1', 'address2'];
    const big = ['postcode', 'state', 'city'];
    const order = ['countryCode', ...(g.withName ? ['name'] : []), ...(format.bigFirst ? [...big, ...street] : [...street, 'city', 'state', 'postcode'])];
    g.fields = {};
    const boxes = [];
    for (const key of order) {
      const attrs = { autocomplete: `${g.prefix} ${ADDRESS_TOKENS[key]}`, value: g.values[key] ?? '' };
      if (key === 'countryCode') attrs.options = countries;
      else if (key === 'state' && format.states) attrs.options = [['', ''], ...format.states.map((s) => [s, s])];
      if (key === 'postcode') attrs.autocapitalize = 'characters';
      const f = this.#input(key, `${g.prefix}-${key}`, attrs);
      if (key === 'countryCode') {
        f.input.value = country;
        f.input.addEventListener('change', () => {
          g.values.countryCode = f.input.value;
          this.#layoutGroup(g);
          this.#labelGroup(g, this.#t);
          g.fields.countryCode.input.focus();
        });
      }
      g.fields[key] = f;
      boxes.push(f.box);
    }
    g.set.replaceChildren(g.legend, ...boxes);
  }

  #labelGroup(g, t) {
    g.legend.textContent = t(g.prefix === 'billing' ? 'billingAddress' : 'shippingAddress');
    const f = g.format;
    const optional = (text, need) => (need === 'optional' ? t('optional', { field: text }) : text);
    const labels = {
      countryCode: t('country'),
      name: t('fullName'),
      address1: t('address1'),
      address2: t('optional', { field: t('address2') }),
      city: optional(t('city'), f.city),
      state: optional(t(`state_${f.stateName}`, null, t('state_region')), f.state),
      postcode: optional(t(`postcode_${f.postcodeName}`, null, t('postcode_postal')), f.postcode),
    };
    for (const [k, field] of Object.entries(g.fields)) field.label.textContent = labels[k];
  }

  // The details as Dojo names them, from the form (blank fields left out).
  #detailsValue() {
    const d = this.#details;
    const out = {};
    const text = (f) => f?.input.value.trim() || undefined;
    if (d?.email) out.userEmailAddress = text(d.email);
    const address = (g) => {
      const a = {};
      for (const k of ['address1', 'address2', 'city', 'state', 'postcode', 'countryCode']) if (text(g.fields[k])) a[k] = text(g.fields[k]);
      return a;
    };
    if (d?.groups.billing) out.billingAddress = address(d.groups.billing);
    if (d?.groups.shipping) out.shippingDetails = { name: text(d.groups.shipping.fields.name), address: address(d.groups.shipping) };
    return out;
  }

  // The input a field error's path names (`billingAddress.postcode`, `shippingDetails.address.city`, …).
  #detailField(path) {
    const d = this.#details;
    const p = String(path ?? '').split('.');
    if (p[0] === 'userEmailAddress') return d?.email;
    const g = p[0] === 'billingAddress' ? d?.groups.billing : p[0] === 'shippingDetails' ? d?.groups.shipping : null;
    if (!g) return null;
    const key = p[0] === 'shippingDetails' ? (p[1] === 'address' ? p[2] : p[1]) : p[1];
    return g.fields[key ?? 'address1'] ?? g.fields.address1;
  }

  // Shows each field's problem under it, moves focus to the first and says it. True if there were any.
  #showDetailErrors(errors) {
    let first = null;
    for (const [path, code] of Object.entries(errors ?? {})) {
      const f = this.#detailField(path);
      if (!f) continue;
      f.err.textContent = this.#t(`detail_${code}`, null, this.#t('detail_invalid'));
      f.input.setAttribute('aria-invalid', 'true');
      first ??= f;
    }
    if (!first) return false;
    first.input.focus();
    this.#ui.status.textContent = first.err.textContent;
    return true;
  }

  // ---- saved cards -----------------------------------------------------------------------------------

  // Shows the cards `listSaved()` / `removeSaved()` resolve to: one radio each (an expired card marked
  // and not selectable), then "a new card"; the first usable card is chosen unless the customer chose.
  async #listSaved(promise, checkout = this.#checkout) {
    const r = await promise;
    if (checkout !== this.#checkout) return;
    const ui = this.#ui;
    const t = this.#t;
    ui.savedError.textContent = r.error ? t(r.error.code, null, t('api_error')) : '';
    if (r.cards) this.#saved = r.cards;
    const usable = (c) => !c.expired && !this.#noCvc(c);
    if (!this.#saved.some((c) => c.id === this.#chosen && usable(c))) this.#chosen = this.#saved.find(usable)?.id ?? '';
    const option = (card) => {
      const id = card?.id ?? '';
      const input = h('input', { type: 'radio', name: 'ic-saved', id: `ic-saved-${id}`, 'data-testid': id ? 'saved-card-radio' : 'new-card-radio', disabled: !!card && !usable(card) });
      input.checked = id === this.#chosen;
      input.addEventListener('change', () => {
        this.#chosen = id;
        this.#syncCvc();
        this.#render();
      });
      const text = card ? this.#cardText(card, t) : t('newCard');
      const row = h('div', { class: 'consent', 'data-testid': id ? 'saved-card' : 'new-card', 'data-expired': card?.expired ? 'true' : undefined, 'data-cvc-required': card?.cvcRequired ? 'true' : undefined }, input, h('label', { for: input.id }, text));
      if (card) {
        const remove = h('button', { type: 'button', class: 'chip', 'data-testid': 'saved-card-remove', 'aria-label': t('removeCardLabel', { card: text }) }, t('removeCard'));
        remove.addEventListener('click', () => this.#removeSaved(id));
        row.append(remove);
      }
      return row;
    };
    ui.savedList.replaceChildren(...(this.#saved.length ? [...this.#saved.map(option), option()] : []));
    this.#syncCvc();
    this.#render();
  }

  // With fields="inline" a card whose security code the API wants cannot be chosen: the code would be
  // typed into this page, and the saved-card payment has no way to carry it but the isolated frame.
  #noCvc(card) {
    return !!card.cvcRequired && this.fields === 'inline';
  }

  #cardText(card, t = this.#t) {
    const vars = { brand: BRAND_NAMES[card.brand] ?? card.brand, last4: card.last4, expiry: `${String(card.expiryMonth).padStart(2, '0')}/${String(card.expiryYear).slice(-2)}` };
    return t(card.expired ? 'savedCardExpired' : this.#noCvc(card) ? 'savedCardNoCvc' : 'savedCard', vars);
  }

  // The chosen saved card, when the API wants its security code again, gets a CVC-only frame on the
  // API's origin: the code goes from there to the API with the card's id, never through this page.
  #syncCvc() {
    const card = this.#saved.find((c) => c.id === this.#chosen);
    const want = this.fields === 'isolated' && this.#checkout && card?.cvcRequired && !card.expired ? card : null;
    if (this.#cvc && this.#cvc.id === want?.id && this.#cvc.checkout === this.#checkout) return;
    this.#dropCvc();
    if (!want) return;
    const checkout = this.#checkout;
    const frame = new CardFrame({
      apiBase: this.apiBase, mode: 'cvc', savedCard: { id: want.id, brand: want.brand }, locale: pickLanguage(this.locale),
      theme: resolveTheme(this.#ui.box), title: this.#t('cvcFrame', { card: this.#cardText(want) }), testid: 'cvc-frame',
    });
    this.#cvc = { id: want.id, frame, checkout };
    this.#ui.cvcSlot.replaceChildren(frame.element);
    frame.addEventListener('submit', () => this.#pay());
    frame.addEventListener('error', () => {
      if (this.#cvc?.frame === frame) this.#setView('error', 'cardFieldsFailed');
    });
    checkout._useCvcFrame(frame, want.id);
  }

  #dropCvc() {
    this.#cvc?.frame.destroy();
    this.#cvc = null;
    this.#ui?.cvcSlot.replaceChildren();
  }

  async #removeSaved(id) {
    const checkout = this.#checkout;
    if (!checkout) return;
    const r = await checkout.removeSaved(id);
    await this.#listSaved(r, checkout);
    const ui = this.#ui;
    ui.status.textContent = r.error ? ui.savedError.textContent : this.#t('cardRemoved');
    // Focus stays in the list (the removed card's button is gone).
    ui.savedList.querySelector('input:checked, input:not([disabled])')?.focus();
  }

  // ---- card fields -----------------------------------------------------------------------------------

  // Starts loading the fields as soon as there is an intent to pay, in parallel with the wasm and the
  // intent: the frame from the API's origin (isolated), or the inline fields' module.
  #ensureFields() {
    if (!this.#ui || this.#frame || this.#inline || !this.#intentId) return;
    this.#mountFields();
  }

  #mountFields() {
    const ui = this.#ui;
    const lang = (this.#lang = pickLanguage(this.locale));
    if (this.fields === 'isolated') {
      const frame = (this.#frame = new CardFrame({ apiBase: this.apiBase, locale: lang, theme: resolveTheme(ui.box), title: translator(lang)('cardFrame') }));
      ui.cardSlot.replaceChildren(frame.element);
      frame.addEventListener('submit', () => this.#pay());
      frame.addEventListener('change', (e) => this.#frame === frame && this.#onBrand(e.detail?.brand));
      frame.addEventListener('error', () => {
        if (this.#frame === frame) this.#setView('error', 'cardFieldsFailed');
      });
      this.#darkMode ??= matchMedia('(prefers-color-scheme: dark)');
      this.#darkMode.addEventListener('change', this.#onScheme);
      return;
    }
    // The fields' own table comes with them; a language chosen later is shown once its table is here.
    const setLocale = (l) => loadInlineFields().then((m) => m.loadCardMessages(l)).then(() => this.#lang === l && inline.fields?.setLocale(l));
    const inline = (this.#inline = { ready: null, fields: null, setLocale: (l) => setLocale(l).catch(() => {}) });
    inline.ready = loadInlineFields().then(async ({ createCardFields, rules, loadCardMessages }) => {
      await loadCardMessages(this.#lang);
      if (this.#inline !== inline) return;
      inline.fields = createCardFields({ rules, locale: this.#lang, onChange: (c) => this.#inline === inline && this.#onBrand(c.brand) });
      ui.cardSlot.replaceChildren(inline.fields.element);
    });
    // A failed load (the fields' module, or the page's wasm they run on) is forgotten, so the next start
    // (Try again, IntentCheckout.load()) mounts them again instead of awaiting the same rejection; the start
    // that awaits `ready` reports the error.
    inline.ready.catch(() => {
      if (this.#inline === inline) this.#inline = null;
    });
  }

  #dropFields() {
    this.#frame?.destroy();
    this.#frame = null;
    this.#inline = null;
    this.#darkMode?.removeEventListener('change', this.#onScheme);
    this.#ui?.cardSlot.replaceChildren();
  }

  // Pay: the inline fields are checked here and their card goes to the core; the isolated frame checks
  // its own fields and sends the card to the API itself, and the core pays with the reference it gets.
  async #pay() {
    if (this.#view !== 'form' || !this.#checkout || this.#submitting) return;
    const checkout = this.#checkout;
    const ui = this.#ui;
    let pay;
    let details;
    this.#submitting = true;
    ui.pay.disabled = true;
    try {
      // The customer's details and the card's brand first: nothing leaves the page while either is refused.
      if (this.#details?.email || Object.keys(this.#details?.groups ?? {}).length) {
        const checked = checkout.checkDetails(this.#detailsValue());
        if (!checked.valid) {
          if (!this.#showDetailErrors(checked.errors)) ui.status.textContent = ui.formError.textContent = this.#t('validation_error');
          return;
        }
        details = checked.details;
      }
      if (this.setupIntentId && !ui.consentBox.checked) {
        ui.status.textContent = ui.formError.textContent = this.#t('consentRequired');
        ui.consentBox.focus();
        return;
      }
      const keep = !ui.consent.hidden && ui.consentBox.checked;
      const saved = this.#chosen;
      const cvc = saved && this.#cvc?.id === saved ? this.#cvc.frame : null;
      if (cvc) {
        // The frame checks the code (and shows and announces its error), then sends it to the API.
        cvc.setBusy(true);
        const collected = await checkout._collect(cvc);
        cvc.setBusy(false);
        if (collected.fields) return;
        if (collected.error) return this.#payFailed(collected.error);
        pay = () => checkout._payReference(collected.card, details, false, cvc);
      } else if (saved) {
        pay = () => checkout.paySaved(saved, { details });
      } else if (this.#brandRefused()) {
        ui.status.textContent = ui.brandError.textContent;
        return;
      } else if (this.#frame) {
        this.#frame.setBusy(true);
        const collected = await checkout._collect();
        this.#frame?.setBusy(false);
        // The frame shows and announces its own field errors.
        if (collected.fields) return;
        if (collected.error) return this.#payFailed(collected.error);
        pay = () => checkout._payReference(collected.card, details, keep);
      } else {
        const fields = this.#inline?.fields;
        if (!fields) return;
        const v = fields.validate();
        if (!v.valid) {
          ui.status.textContent = fields.errorText(Object.keys(v.errors)[0]);
          return;
        }
        const card = fields.card();
        pay = () => checkout.pay(card, { details, saveCard: keep });
      }
    } finally {
      this.#submitting = false;
      ui.pay.disabled = false;
    }
    if (this.#view !== 'form' || checkout !== this.#checkout) return;
    ui.formError.textContent = '';
    this.#setView('paying');
    this.#inline?.fields?.setBusy(true);
    this.#frame?.setBusy(true);
    this.#cvc?.frame.setBusy(true);
    let result;
    try {
      result = await pay();
    } catch (error) {
      result = { error };
    }
    this.#inline?.fields?.setBusy(false);
    this.#frame?.setBusy(false);
    this.#cvc?.frame.setBusy(false);
    if (checkout !== this.#checkout) return;
    const error = result?.error;
    if (!error) {
      // Events may already have moved the view on; if not, the reply's snapshot decides.
      // Accepted but still payable on the wire (Dojo reports a settling payment as `Created`): pending.
      if (this.#view === 'paying') this.#show(result?.intent ?? checkout.intent(), result?.canonical);
      if (this.#view === 'paying') this.#setView('processing');
      return;
    }
    this.#payFailed(error);
  }

  #payFailed(error) {
    const code = error.code;
    if (code === 'card_declined') return this.#declined(error.declineCode ?? error.apiCode);
    if (code === 'token_expired' || code === 'sdk_error') return this.#setView('error', code);
    this.#setView('form');
    // The API's own checks of the details (the same rules) and of the brand, shown where they belong.
    if (code === 'validation_error' && this.#detailField(error.param)) {
      return this.#showDetailErrors({ [error.param]: error.apiCode ?? 'invalid' });
    }
    if (error.apiCode === 'cvc_required' && this.#chosen) {
      // The API wants this card's code though the list did not say so: ask for it (isolated) or offer
      // the other cards (inline).
      const id = this.#chosen;
      this.#saved = this.#saved.map((c) => (c.id === id ? { ...c, cvcRequired: true } : c));
      this.#listSaved(Promise.resolve({}));
      this.#ui.formError.textContent = this.#t(this.fields === 'inline' ? 'savedCardNoCvcError' : 'cvc_required');
      this.#ui.status.textContent = this.#ui.formError.textContent;
      return;
    }
    if (error.apiCode === 'card_scheme_not_accepted' || error.apiCode === 'payment_method_not_accepted') {
      this.#ui.formError.textContent = this.#t('brandRefused', { brand: BRAND_NAMES[this.#brand] ?? this.#brand });
      this.#ui.status.textContent = this.#ui.formError.textContent;
      return;
    }
    const f = code === 'validation_error' ? fieldOf(error.param) : null;
    if (f && this.#inline?.fields) return this.#inline.fields.refuse(f);
    this.#ui.formError.textContent = this.#t(['processing_error', 'expired_card'].includes(error.apiCode) ? error.apiCode : code, null, this.#t('api_error'));
    this.#ui.status.textContent = this.#ui.formError.textContent;
  }

  // Try again after a decline: a new attempt with a fresh token when the page can get one.
  // After an error: load the module again, or start again (with a fresh token when the page can get one).
  async #retry() {
    const ui = this.#ui;
    if (this.#view === 'error') return this.#restart();
    ui.retry.disabled = true;
    try {
      if (this.#refresh && this.#checkout) {
        const fresh = await this.#refresh();
        this.#destroyCheckout();
        this.#takeToken(fresh);
        await this.#start();
      }
    } catch (error) {
      ui.retry.disabled = false;
      this.#setView('error', error?.code || 'network_error');
      return;
    }
    ui.retry.disabled = false;
    if (this.#view === 'error') return;
    // Another card: the number and security code start empty.
    this.#frame?.reset();
    this.#cvc?.frame.reset();
    this.#inline?.fields?.reset();
    this.#setView('form');
    // Focus goes where the next attempt starts: a chosen saved card's code (emptied) or the card itself
    // (the card fields are hidden then), else the card number.
    if (this.#chosen) (this.#cvc?.id === this.#chosen ? this.#cvc.frame.element : ui.savedList.querySelector('input:checked'))?.focus();
    else if (this.#frame) this.#frame.element.focus();
    else this.#inline?.fields?.focus('number');
  }

  async #restart() {
    const ui = this.#ui;
    ui.retry.disabled = true;
    try {
      if (!this.#wasm) {
        this.#setView('loading');
        await this.#load();
        return;
      }
      if (this.#reason === 'cardFieldsFailed') this.#dropFields();
      if (this.#refresh) this.#takeToken(await this.#refresh());
      this.#destroyCheckout();
      await this.#start();
    } catch (error) {
      this.#setView('error', error?.code || 'network_error');
    } finally {
      ui.retry.disabled = false;
    }
  }

  // The same shapes the SDK's refreshToken accepts: a string or the refresh route's JSON.
  #takeToken(fresh) {
    this.#token = typeof fresh === 'string' ? fresh : fresh?.clientSessionSecret ?? fresh?.connectToken;
    this.#expiresAt = typeof fresh === 'string' ? undefined : fresh?.clientSessionSecretExpirationDate ?? fresh?.expiresAt;
  }

  // ---- amount and tip --------------------------------------------------------------------------------

  #parseMinor(text) {
    const code = this.#intent?.amount?.currencyCode;
    const exp = fn('currencyExponent')?.(code) ?? 2;
    const m = /^(\d{1,15})(?:[.,](\d*))?$/.exec(String(text).trim());
    if (!m || (m[2] ?? '').length > exp) return null;
    return Number(m[1]) * 10 ** exp + Number((m[2] ?? '').padEnd(exp, '0') || 0);
  }

  async #changeAmount() {
    const minor = this.#parseMinor(this.#ui.amount.input.value);
    await this.#apply('amount', minor, minor === null || minor <= 0 ? null : () => this.#checkout.setAmount(minor));
  }

  async #changeTip() {
    const minor = this.#parseMinor(this.#ui.tip.input.value || '0');
    this.#pressChip(null);
    await this.#apply('tip', minor, minor === null ? null : () => this.#checkout.setTip(minor));
  }

  async #chooseTip(pct) {
    const base = this.#intent?.amount?.value ?? 0;
    const minor = Math.round((base * pct) / 100);
    this.#pressChip(pct);
    this.#ui.tip.input.value = '';
    await this.#apply('tip', minor, () => this.#checkout.setTip(minor));
  }

  #pressChip(pct) {
    this.#ui.chips.forEach((b, i) => b.setAttribute('aria-pressed', String([0, 10, 15, 20][i] === pct)));
  }

  async #apply(field, minor, call) {
    const ui = this.#ui[field];
    if (!call || !this.#checkout) {
      ui.err.textContent = this.#t(`${field}_error`);
      ui.input.setAttribute('aria-invalid', 'true');
      return;
    }
    ui.err.textContent = '';
    ui.input.setAttribute('aria-invalid', 'false');
    this.#ui.pay.disabled = true;
    let result;
    try {
      result = await call();
    } catch (error) {
      result = { error };
    }
    if (result?.error) {
      ui.err.textContent = this.#t(`${field}_error`);
      ui.input.setAttribute('aria-invalid', 'true');
    }
    this.#show(result?.intent ?? this.#checkout?.intent(), result?.canonical);
    this.#ui.status.textContent = `${this.#t('total')}: ${this.#ui.total.v.textContent}`;
  }

  // ---- 3-D Secure ------------------------------------------------------------------------------------

  #openChallenge(url, force) {
    const ui = this.#ui;
    if (!url || !safeUrl(url)) return;
    const fresh = url !== this.#challengeUrl;
    this.#challengeUrl = url;
    if (this.#view !== 'action') this.#setView('action');
    if (!fresh && !force) return;
    if (fresh) {
      this.#challengeLoaded = false;
      ui.frame.src = url;
    }
    ui.modal.hidden = false;
    ui.box.inert = true;
    this.#render();
    (this.#challengeLoaded ? ui.frame : ui.dialog).focus();
  }

  #closeChallenge(byUser) {
    const ui = this.#ui;
    if (!ui || ui.modal.hidden) return;
    ui.modal.hidden = true;
    ui.box.inert = false;
    if (!byUser) {
      ui.frame.removeAttribute('src');
      this.#challengeUrl = null;
    }
    this.#render();
    if (byUser) ui.resume.focus();
  }

  #challengeMessage(e) {
    const ui = this.#ui;
    if (!ui || !this.#challengeUrl || e.source !== ui.frame.contentWindow) return;
    let origin;
    try {
      origin = new URL(this.#challengeUrl).origin;
    } catch {
      return;
    }
    if (e.origin !== origin || e.data?.type !== 'challenge_complete') return;
    // The core hears the same message and re-reads the intent; until it reports, the bank is confirming.
    this.#closeChallenge();
    if (this.#view === 'action') this.#setView('processing');
  }
}

// Only http(s) pages may be framed: a `javascript:` or `data:` URL from a hostile server would run in this page.
function safeUrl(url) {
  try {
    return ['https:', 'http:'].includes(new URL(url, location.href).protocol);
  } catch {
    return false;
  }
}

// The region of a BCP 47 tag (`en-GB` → `GB`), the address form's first country when the intent has none.
function regionOf(locale) {
  try {
    return new Intl.Locale(locale || navigator.language).maximize().region;
  } catch {
    return undefined;
  }
}

// `paymentMethod.card.expiryMonth` → `expiry`, `cardholderName` → `name`, …
function fieldOf(param) {
  const p = String(param ?? '');
  return /cvc/i.test(p) ? 'cvc' : /expiry/i.test(p) ? 'expiry' : /name/i.test(p) ? 'name' : /number/i.test(p) ? 'number' : null;
}

if (typeof customElements !== 'undefined' && !customElements.get('intent-checkout')) {
  customElements.define('intent-checkout', IntentCheckoutElement);
}

/**
 * Creates an <intent-checkout> inside `target` (an element or a selector) and returns it. `options` are set
 * as properties before the element is attached: apiBase, paymentIntentId, connectToken, refreshToken,
 * locale, dialect, plus `on: {succeeded(e) {…}, …}` listeners.
 */
export function mount(target, options = {}) {
  const parent = typeof target === 'string' ? document.querySelector(target) : target;
  if (!parent) throw new TypeError('IntentCheckout.mount: target not found');
  const { on, ...props } = options;
  const element = document.createElement('intent-checkout');
  for (const [type, listener] of Object.entries(on ?? {})) element.addEventListener(type, listener);
  Object.assign(element, props);
  parent.append(element);
  return element;
}
