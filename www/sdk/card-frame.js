// The isolated card frame's script: the page at `/card-frame/v1` on the API's origin, inside the
// merchant's <iframe>. The card goes from these fields straight to the API, which answers with a
// single-use reference; the merchant page gets only the reference, the brand, completeness, error codes,
// focus/blur and the frame's height. Protocol and handshake: src/core/card_frame.rs.
//
// scripts/dist.mjs bundles this (with card-fields.js and the card fields' wasm glue) into one classic script,
// content-hashed in the versioned layout; the .wasm's name is compiled in as CARD_FRAME_WASM and its
// integrity replaces the marker below, so the frame runs only the module it was built with. The same goes
// for the languages' tables (CARD_LOCALES: file and integrity each; data, never code). Nothing here
// logs: the console stays clean, and neither the token nor a card detail can reach it.
import init, { acceptForFrame, fieldState, cvcState } from './card_fields.js';
import { createCardFields } from './card-fields.js';
import { loadCardMessages, setCardMessagesLoader } from './card-messages.js';
import { direction, jsonTables, pickLanguage } from './i18n.js';
import { TOKENS, DARK, FIELD_CSS } from './field-styles.js';

/* global CARD_FRAME_WASM, CARD_LOCALES */
const WASM_INTEGRITY = '__CARD_FIELDS_WASM_INTEGRITY__';
const root = document.getElementById('card-fields');
const parentOrigin = root.dataset.parentOrigin;
const script = document.currentScript;
const wasmUrl = new URL(CARD_FRAME_WASM, script.src);
const wasmReady = init({ module_or_path: new Request(wasmUrl, { integrity: WASM_INTEGRITY }) });
setCardMessagesLoader(jsonTables(CARD_LOCALES, script.src));
// The page names its language in our URL (not a secret), so its table loads alongside the wasm and the
// handshake; `init` says the language again and waits for it.
const urlLanguage = new URLSearchParams(location.search).get('lang');
if (urlLanguage) loadCardMessages(pickLanguage(urlLanguage));

const sheet = new CSSStyleSheet();
sheet.replaceSync(`:root{${TOKENS}}
@media (prefers-color-scheme:dark){:root{${DARK}}}
@media (prefers-reduced-motion:reduce){:root{--ic-dur:0s}}
html,body{margin:0;background:transparent}
body{padding:4px;color:var(--ic-fg);font:var(--ic-font-size)/1.45 var(--ic-font)}
${FIELD_CSS}`);
document.adoptedStyleSheets = [sheet];

// The theme's members and the custom properties they set (values already checked by the protocol).
const THEME = { bg: '--ic-bg', fg: '--ic-fg', muted: '--ic-muted', border: '--ic-border', accent: '--ic-accent', error: '--ic-error', focus: '--ic-focus', radius: '--ic-radius', font: '--ic-font', fontSize: '--ic-font-size' };
const applyTheme = (theme) => {
  for (const [k, v] of Object.entries(theme)) if (THEME[k]) document.documentElement.style.setProperty(THEME[k], v);
};

let port = null;
let intent = null;
let setup = false;
// CVC mode: the saved card whose security code this frame collects (its id goes to the API with it).
let saved = null;
let token = null;
let fields = null;
let started = false;
let language = 'en'; // the one asked for last

// The fields' language, once its table is here (nothing shows in English on the way), and the page's
// direction with it: Arabic and Hebrew mirror the fields.
function setLanguage(locale) {
  const lang = (language = pickLanguage(locale));
  return loadCardMessages(lang).then(() => {
    if (language !== lang) return;
    document.documentElement.lang = lang;
    document.documentElement.dir = direction(lang);
    fields?.setLocale(lang);
  });
}

const send = (msg) => port?.postMessage(JSON.stringify({ v: 1, ...msg }));
const height = () => Math.ceil(document.documentElement.getBoundingClientRect().height);

// 1. Tell the parent we are here, at the origin our URL named (the API made it our only frame-ancestor).
window.addEventListener('message', (e) => {
  if (port || e.source !== window.parent || e.origin !== parentOrigin || typeof e.data !== 'string') return;
  const channel = e.ports[0];
  wasmReady.then(() => {
    // 2. One connect, from the parent at that origin, with its port.
    if (port || !channel || acceptForFrame(e.data) === undefined || JSON.parse(e.data).t !== 'connect') return;
    port = channel;
    port.onmessage = (m) => {
      const text = typeof m.data === 'string' ? acceptForFrame(m.data) : undefined;
      if (text !== undefined) receive(JSON.parse(text));
    };
  }, () => {});
});
window.parent.postMessage(JSON.stringify({ v: 1, t: 'hello' }), parentOrigin);

// 3. Everything else arrives over the port, already checked by the protocol's decoder.
function receive(m) {
  switch (m.t) {
    case 'init':
      if (started) return; // once per frame
      started = true;
      intent = m.intent;
      setup = !!m.setup;
      saved = m.saved ?? null;
      token = m.token;
      applyTheme(m.theme);
      start(m);
      break;
    case 'token':
      token = m.token;
      break;
    case 'locale':
      setLanguage(m.locale);
      break;
    case 'theme':
      applyTheme(m.theme);
      break;
    case 'tokenize':
      tokenize(m.seq);
      break;
    case 'focus':
      fields?.focus(m.field);
      break;
    case 'reset':
      fields?.reset();
      break;
    case 'busy':
      fields?.setBusy(m.on);
      break;
  }
}

async function start({ mode, brand, locale }) {
  await setLanguage(locale);
  fields = createCardFields({
    rules: { fieldState, cvcState },
    mode,
    brand,
    locale: language,
    announce: true,
    onChange: (s) => send({ t: 'change', brand: s.brand, complete: s.complete, empty: s.empty, errors: s.errors }),
    onFocus: (field) => send({ t: 'focus', field }),
    onBlur: (field) => send({ t: 'blur', field }),
    onSubmit: () => send({ t: 'submit' }),
  });
  root.append(fields.element);
  send({ t: 'ready', height: height() });
  let last = height();
  new ResizeObserver(() => {
    const now = height();
    if (now !== last) send({ t: 'resize', height: (last = now) });
  }).observe(document.body);
}

// The page asked to pay: check every field, then exchange the card (or a saved card's id and its CVC
// typed again) for a reference at the API.
async function tokenize(seq) {
  if (!fields) return send({ t: 'failed', seq, code: 'api_error' });
  const v = fields.validate();
  if (!v.valid) return send({ t: 'invalid', seq, errors: v.errors });
  const card = fields.card();
  let res;
  try {
    res = await fetch(`/${setup ? 'setup' : 'payment'}-intents/public/${encodeURIComponent(intent)}/payment-methods`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(saved ? { savedCard: { id: saved, cvc: card.cvc } } : { card }),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    return send({ t: 'failed', seq, code: 'network_error' });
  }
  const text = await res.text().catch(() => '');
  let body = {};
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: an error below */
  }
  if (res.status === 201) {
    // Only these members cross to the page (whose decoder checks each of them).
    const { id, brand, last4, expiryMonth, expiryYear } = body;
    return send({ t: 'reference', seq, card: { id, brand, last4, expiryMonth, expiryYear } });
  }
  const problem = body;
  if (res.status === 401) return send({ t: 'failed', seq, code: 'token_expired' });
  const field = { number: 'number', expiryMonth: 'expiry', expiryYear: 'expiry', cvc: 'cvc', cardholderName: 'name' }[String(problem.param ?? '').replace(/^(card|savedCard)\./, '')];
  if (res.status === 400 && field) {
    fields.refuse(field);
    return send({ t: 'invalid', seq, errors: { [field]: 'invalid' } });
  }
  send({ t: 'failed', seq, code: 'api_error' });
}
