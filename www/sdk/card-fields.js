// The card fields (number, expiry, security code, name): one implementation for both places they live.
// In the isolated frame (card-frame.js, on the API's origin) they are the whole page; with
// fields="inline" the <intent-checkout> element puts them in its own form. The rules are the core's, from
// a wasm module (`rules`: fieldState/cvcState, one call per edit: the card fields' module in the frame,
// the page's inline); this file formats what the
// customer types, decides when an error shows, and renders it as text.
import { cardTranslator } from './card-messages.js';
import { pickLanguage } from './i18n.js';

export const FIELDS = ['number', 'expiry', 'cvc', 'name'];
const SHOWN_BRANDS = { visa: 'VISA', mastercard: 'Mastercard', amex: 'AMEX', discover: 'Discover', diners: 'Diners', jcb: 'JCB', unionpay: 'UnionPay', maestro: 'Maestro' };
// The core names the card-holder field `cardholderName`.
const CORE_FIELD = { number: 'number', expiry: 'expiry', cvc: 'cvc', cardholderName: 'name' };

const digits = (s) => String(s ?? '').replace(/\D/g, '');

// Creates an element: `attrs` become attributes (never HTML), strings in `kids` become text nodes.
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) if (v !== undefined && v !== false) el.setAttribute(k, v === true ? '' : v);
  el.append(...kids);
  return el;
}

/**
 * Builds the fields. `rules`: `{fieldState, cvcState}` from a wasm module. `mode`: `card` or `cvc` (a saved card's
 * security code alone; `brand` is that card's). `announce`: keep a live region of its own (the frame;
 * inline, the element announces). Callbacks get no digits: `onChange({brand, complete, empty, errors})`
 * with the errors the customer sees, `onFocus(field)`, `onBlur(field)`, `onSubmit()` (Enter; omit it
 * inside a <form>, which submits by itself).
 */
export function createCardFields({ rules, mode = 'card', brand: fixedBrand, locale, announce = false, onChange, onFocus, onBlur, onSubmit, now = Date.now }) {
  const shown = mode === 'cvc' ? ['cvc'] : FIELDS;
  const touched = new Set();
  // Fields being edited since their last blur: their error waits for the blur (or a submit).
  const quiet = new Set();
  const ui = {};
  let t = cardTranslator(pickLanguage(locale));
  let all = {};
  let brand = mode === 'cvc' ? fixedBrand ?? 'unknown' : 'unknown';

  const field = (key, testid, input, extra) => {
    const id = `ic-${key}`;
    const el = h('input', { id, name: key, part: 'input', 'aria-describedby': `${id}-err`, 'aria-invalid': 'false', 'data-testid': testid, ...input });
    const label = h('label', { for: id, part: 'label' });
    const err = h('p', { id: `${id}-err`, class: 'err', part: 'error', 'data-testid': `${testid}-error` });
    ui[key] = { input: el, label, err };
    return h('div', { class: 'field', part: 'field' }, label, extra ? h('div', { class: 'wrap' }, el, extra) : el, err);
  };
  ui.brand = h('span', { class: 'brand', part: 'brand', 'data-testid': 'card-brand', 'aria-hidden': 'true' });
  const numeric = { inputmode: 'numeric', spellcheck: 'false' };
  const cvc = field('cvc', 'card-cvc', { ...numeric, autocomplete: 'cc-csc', maxlength: '4' });
  const element = h('div', { class: 'card-fields', 'data-testid': 'card-fields' });
  if (mode === 'cvc') element.append(cvc);
  else {
    const number = field('number', 'card-number', { ...numeric, autocomplete: 'cc-number' }, ui.brand);
    const expiry = field('expiry', 'card-expiry', { ...numeric, autocomplete: 'cc-exp' });
    const name = field('name', 'card-name', { autocomplete: 'cc-name', spellcheck: 'false' });
    element.append(number, h('div', { class: 'row' }, expiry, cvc), name);
  }
  if (announce) {
    ui.status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite', 'data-testid': 'card-fields-announcer' });
    element.append(ui.status);
  }

  const value = (f) => ui[f]?.input.value ?? '';
  // The card as typed, for the one request that sends it (the frame's reference, or an inline payment).
  const card = () => {
    const e = digits(value('expiry'));
    const [mm, yy] = [e.slice(0, 2), e.slice(2, 4)];
    if (mode === 'cvc') return { cvc: digits(value('cvc')) };
    return {
      number: digits(value('number')),
      expiryMonth: mm ? Number(mm) : 0,
      expiryYear: yy.length === 2 ? 2000 + Number(yy) : 0,
      cvc: digits(value('cvc')),
      cardholderName: value('name').trim(),
    };
  };

  // One call to the core per edit: every field's problem (`all`), the brand, the number grouped for display.
  const check = () => {
    const c = card();
    const raw = mode === 'cvc'
      ? JSON.parse(rules.cvcState(c.cvc, brand))
      : JSON.parse(rules.fieldState(c.number, c.expiryMonth, c.expiryYear, c.cvc, c.cardholderName, now()));
    if (mode !== 'cvc') brand = raw.brand;
    all = {};
    for (const [f, code] of Object.entries(raw.errors ?? {})) all[CORE_FIELD[f] ?? f] = code;
    // The core judges an unfinished MM / YY as a date; say what the customer can act on instead.
    const typed = digits(value('expiry')).length;
    if (all.expiry && typed < 4) all.expiry = typed ? 'incomplete' : 'required';
    return raw;
  };

  const message = (f, code) => (code ? t(`${f}.${code}`, null, '') || t(code, null, '') || t(`${f}_error`) : '');
  const visible = (f) => (touched.has(f) && !quiet.has(f) ? all[f] : undefined);

  const render = () => {
    for (const f of shown) {
      ui[f].label.textContent = t(f);
      const code = visible(f);
      ui[f].err.textContent = message(f, code);
      ui[f].input.setAttribute('aria-invalid', code ? 'true' : 'false');
    }
    if (ui.expiry) ui.expiry.input.placeholder = t('expiryHint');
    ui.brand.textContent = SHOWN_BRANDS[brand] ?? '';
  };

  const visibleErrors = () => Object.fromEntries(shown.filter((f) => visible(f)).map((f) => [f, visible(f)]));
  const state = () => ({
    brand,
    complete: Object.keys(all).length === 0,
    empty: shown.every((f) => !value(f)),
    errors: visibleErrors(),
  });
  const changed = () => {
    render();
    onChange?.(state());
  };

  // Shows the number grouped as the core says, keeping the caret after the same digit.
  const showNumber = (formatted, caretDigits) => {
    const input = ui.number.input;
    input.value = formatted;
    let pos = 0;
    for (let seen = 0; pos < formatted.length && seen < caretDigits; pos++) if (/\d/.test(formatted[pos])) seen++;
    if (input.getRootNode().activeElement === input) input.setSelectionRange(pos, pos);
  };

  const formatExpiry = (e) => {
    const input = ui.expiry.input;
    let d = digits(input.value).slice(0, 4);
    if (d.length === 1 && d > '1') d = '0' + d;
    const deleting = e.inputType?.startsWith('delete');
    input.value = d.length > 2 || (d.length === 2 && !deleting) ? `${d.slice(0, 2)} / ${d.slice(2)}` : d;
  };

  for (const f of shown) {
    const input = ui[f].input;
    input.addEventListener('input', (e) => {
      if (f === 'expiry') formatExpiry(e);
      else if (f === 'cvc') input.value = digits(input.value).slice(0, 4);
      else if (f === 'number' && digits(input.value).length > 19) input.value = digits(input.value).slice(0, 19);
      const caret = f === 'number' ? digits(input.value.slice(0, input.selectionStart ?? input.value.length)).length : 0;
      const raw = check();
      if (f === 'number') showNumber(raw.number, caret);
      // Typing clears the field's error at once (its line keeps its space); a new one waits for the blur.
      quiet.add(f);
      changed();
    });
    input.addEventListener('focus', () => onFocus?.(f));
    input.addEventListener('blur', () => {
      if (input.value || touched.has(f)) touched.add(f);
      quiet.delete(f);
      check();
      changed();
      onBlur?.(f);
    });
    if (onSubmit) {
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && !e.isComposing) {
          e.preventDefault();
          onSubmit();
        }
      });
    }
  }
  check();
  render();

  return {
    element,
    /** Shows every field's problem; focuses and announces the first. `{valid, errors}`. */
    validate() {
      shown.forEach((f) => touched.add(f));
      quiet.clear();
      check();
      changed();
      const first = shown.find((f) => all[f]);
      if (first) {
        ui[first].input.focus();
        if (ui.status) ui.status.textContent = ui[first].err.textContent;
      }
      return { valid: !first, errors: visibleErrors() };
    },
    card,
    state,
    /** Marks a field the API refused (`invalid`), shown at once. */
    refuse(f) {
      if (!ui[f]) return;
      touched.add(f);
      quiet.delete(f);
      all = { ...all, [f]: 'invalid' };
      changed();
      ui[f].input.focus();
    },
    /** The text shown for a field's error (for the page's own announcer, inline). */
    errorText: (f) => ui[f]?.err.textContent ?? '',
    focus: (f) => ui[f ?? shown[0]]?.input.focus(),
    /** Clears the number and security code for another card (after a decline). */
    reset() {
      for (const f of ['number', 'cvc']) if (ui[f]) ui[f].input.value = '';
      touched.clear();
      quiet.clear();
      check();
      changed();
    },
    setLocale(l) {
      t = cardTranslator(pickLanguage(l));
      render();
    },
    setBusy(on) {
      for (const f of shown) ui[f].input.readOnly = !!on;
    },
  };
}
