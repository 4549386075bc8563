// The page's side of the isolated card fields: the <iframe> on the API's origin and the narrow protocol
// to it (src/core/card_frame.rs). No card field code lives here: the page only ever holds the frame's
// brand, completeness, error codes, focus/blur, height, and the single-use reference it returns.
//
// Handshake: the frame posts `hello` to this page's origin (the API checked it and made it the frame's
// only frame-ancestor); we accept it only from our iframe's window and the API's origin (derived from
// `api-base`), then post `connect` with a MessageChannel port to that window and origin, never "*".
// Everything after, including the connect token that authorises the frame, goes over the port.
import { loadWasm, whenLoaded } from './wasm.js';

const HELLO = '{"v":1,"t":"hello"}';
// A frame that never says hello (blocked, offline) does not leave the customer waiting for ever.
const LOAD_TIMEOUT_MS = 15_000;
// A frame that stops answering mid-payment lets the Pay button go again.
const ANSWER_TIMEOUT_MS = 30_000;

/** The `--ic-*` values the frame accepts, resolved through CSS so they cross as plain values. */
const THEME = { bg: 'color', fg: 'color', muted: 'color', border: 'color', accent: 'color', error: 'color', focus: 'color', radius: 'border-top-left-radius', font: 'font-family', fontSize: 'font-size' };
const PROPERTY = { bg: '--ic-bg', fg: '--ic-fg', muted: '--ic-muted', border: '--ic-border', accent: '--ic-accent', error: '--ic-error', focus: '--ic-focus', radius: '--ic-radius', font: '--ic-font', fontSize: '--ic-font-size' };

/**
 * The theme as the frame takes it: each value resolved by the browser in `scope` (an element whose
 * --ic-* properties apply), from `explicit` values (headless) or the --ic-* custom properties.
 */
export function resolveTheme(scope, explicit) {
  const probe = document.createElement('span');
  probe.hidden = true;
  scope.append(probe);
  const theme = {};
  try {
    for (const [key, prop] of Object.entries(THEME)) {
      const given = explicit ? explicit[key] : `var(${PROPERTY[key]})`;
      if (given == null || given === '') continue;
      probe.style.setProperty(prop, String(given));
      let v = getComputedStyle(probe).getPropertyValue(prop).trim();
      probe.style.removeProperty(prop);
      if (prop.endsWith('radius') || prop === 'font-size') v = /^[\d.]+px$/.test(v) ? `${Math.round(parseFloat(v) * 100) / 100}px` : '';
      if (v) theme[key] = v;
    }
  } finally {
    probe.remove();
  }
  return theme;
}

/**
 * Isolated card fields in an <iframe> served by the API. Events (no digits ever): `ready`, `change`
 * (`detail`: {brand, complete, empty, errors}), `focus` and `blur` (`detail.field`), `submit` (Enter in
 * a field), `error` (the frame did not load).
 */
export class CardFrame extends EventTarget {
  #origin;
  #port = null;
  #queue = [];
  #seq = 0;
  #pending = new Map();
  #init = null;
  #state = { brand: 'unknown', complete: false, empty: true, errors: {} };
  #onMessage = (e) => this.#hello(e);
  #loadTimer;
  #shown = false;
  #readyDone;
  #destroyed = false;

  /**
   * `apiBase`: the API's origin (the frame's). `mode`: `card`, or `cvc` for a saved card's security code
   * alone (`savedCard`: its `{id, brand}`; the frame sends the code with the id straight to the API).
   */
  constructor({ apiBase, mode = 'card', savedCard, locale = 'en', theme = {}, title = 'Card details', testid = 'card-frame' }) {
    super();
    this.#origin = new URL(apiBase, location.href).origin;
    this.#init = { mode, saved: savedCard?.id, brand: savedCard?.brand, locale, theme };
    this.ready = new Promise((resolve) => (this.#readyDone = resolve));
    // The language too, so the frame fetches its table alongside its wasm (the handshake confirms it).
    const src = `${this.#origin}/card-frame/v1?origin=${encodeURIComponent(location.origin)}&lang=${encodeURIComponent(locale)}`;
    this.element = document.createElement('iframe');
    for (const [k, v] of Object.entries({ src, title, class: 'card-frame', part: 'card-frame', 'data-testid': testid, referrerpolicy: 'no-referrer', scrolling: 'no' })) this.element.setAttribute(k, v);
    addEventListener('message', this.#onMessage);
  }

  /** What the fields show now: `{brand, complete, empty, errors}` (never what was typed). */
  get state() {
    return this.#state;
  }

  #hello(e) {
    if (this.#destroyed || e.source !== this.element.contentWindow || e.origin !== this.#origin || typeof e.data !== 'string') return;
    // The page's module decodes the hello; if it failed to load, the hello waits for a later load.
    loadWasm().catch(() => new Promise((resolve) => whenLoaded(resolve))).then((wasm) => {
      if (this.#destroyed || wasm.acceptFromFrame(e.data) !== HELLO) return;
      // A new hello from our frame (first load, or reloaded after a DOM move) gets a fresh channel.
      this.#port?.close();
      const channel = new MessageChannel();
      this.#port = channel.port1;
      this.#port.onmessage = (m) => {
        const text = typeof m.data === 'string' ? wasm.acceptFromFrame(m.data) : undefined;
        if (text !== undefined) this.#receive(JSON.parse(text));
      };
      e.source.postMessage(JSON.stringify({ v: 1, t: 'connect' }), this.#origin, [channel.port2]);
      if (this.#init.intent) this.#post(this.#initMessage());
      for (const m of this.#queue.splice(0)) this.#port.postMessage(m);
    }, () => {});
  }

  #initMessage() {
    const { intent, token, locale, mode, theme, brand, saved, setup } = this.#init;
    return JSON.stringify({ v: 1, t: 'init', intent, token, locale, mode, theme, ...(mode === 'cvc' ? { brand, saved } : {}), ...(setup ? { setup } : {}) });
  }

  #post(text) {
    if (this.#port) this.#port.postMessage(text);
    else this.#queue.push(text);
  }

  #send(msg) {
    this.#post(JSON.stringify({ v: 1, ...msg }));
  }

  #receive(m) {
    switch (m.t) {
      case 'ready':
        clearTimeout(this.#loadTimer);
        this.#shown = true;
        this.element.style.height = `${m.height}px`;
        this.#readyDone(true);
        this.dispatchEvent(new CustomEvent('ready'));
        break;
      case 'resize':
        this.element.style.height = `${m.height}px`;
        break;
      case 'change':
        this.#state = { brand: m.brand, complete: m.complete, empty: m.empty, errors: m.errors };
        this.dispatchEvent(new CustomEvent('change', { detail: this.#state }));
        break;
      case 'focus':
      case 'blur':
        this.dispatchEvent(new CustomEvent(m.t, { detail: { field: m.field } }));
        break;
      case 'submit':
        this.dispatchEvent(new CustomEvent('submit'));
        break;
      case 'reference':
      case 'invalid':
      case 'failed': {
        const settle = this.#pending.get(m.seq);
        this.#pending.delete(m.seq);
        settle?.(m.t === 'reference' ? { card: m.card } : m.t === 'invalid' ? { errors: m.errors } : { failure: m.code });
        break;
      }
    }
  }

  #fail() {
    if (this.#destroyed) return;
    this.#readyDone(false);
    this.dispatchEvent(new CustomEvent('error'));
  }

  /**
   * Authorises the frame for one intent (`setup`: a setup intent) with its connect token (sent over the
   * port, never in a URL).
   */
  authorize(intent, token, setup) {
    const first = !this.#init.intent;
    const sameIntent = this.#init.intent === intent;
    this.#init = { ...this.#init, intent, token, setup };
    if (first) {
      // From here on the page is ready to talk: a frame that has not said so in time is not coming.
      if (!this.#shown) this.#loadTimer = setTimeout(() => this.#fail(), LOAD_TIMEOUT_MS);
      this.#post(this.#initMessage());
    }
    else if (sameIntent) this.#send({ t: 'token', token });
    else this.#reload();
  }

  // Another intent: a fresh frame, so nothing of the last one's card survives.
  #reload() {
    this.#port?.close();
    this.#port = null;
    this.#queue = [];
    this.element.src = this.element.src;
  }

  setToken(token) {
    if (!this.#init.intent) return;
    this.#init.token = token;
    this.#send({ t: 'token', token });
  }

  setLocale(locale) {
    this.#init.locale = locale;
    this.#send({ t: 'locale', locale });
  }

  setTheme(theme) {
    this.#init.theme = theme;
    this.#send({ t: 'theme', theme });
  }

  focus(field = 'number') {
    this.#send({ t: 'focus', field });
  }

  reset() {
    this.#send({ t: 'reset' });
  }

  setBusy(on) {
    this.#send({ t: 'busy', on: !!on });
  }

  /**
   * Asks the frame to check the fields and exchange the card for a reference: resolves to `{card}`
   * (`{id, brand, last4, expiryMonth, expiryYear}`), `{errors}` (shown in the frame) or `{failure}`.
   */
  tokenize() {
    const seq = ++this.#seq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(seq);
        resolve({ failure: 'network_error' });
      }, ANSWER_TIMEOUT_MS);
      this.#pending.set(seq, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.#send({ t: 'tokenize', seq });
    });
  }

  destroy() {
    this.#destroyed = true;
    clearTimeout(this.#loadTimer);
    removeEventListener('message', this.#onMessage);
    this.#port?.close();
    for (const settle of this.#pending.values()) settle({ failure: 'network_error' });
    this.#pending.clear();
    this.element.remove();
  }
}
