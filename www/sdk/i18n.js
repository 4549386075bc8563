// Language choice, text direction and message lookup, shared by the page's texts (messages.js) and the card
// fields' (card-messages.js). English is built into both; every other language is a table of its own
// (www/sdk/locales/<lang>.json), loaded only when it is chosen, so a checkout carries one language's bytes.

/** Every language the checkout speaks. tests/e2e/locales.test.mjs checks that each has its table. */
export const LANGUAGES = ['en', 'ar', 'cs', 'da', 'de', 'el', 'es', 'fi', 'fr', 'he', 'it', 'ja', 'ko', 'nb', 'nl', 'pl', 'pt', 'sv', 'tr', 'zh', 'zh-Hant'];
// Other tags browsers send for a language we speak: Norwegian (`no`, and Nynorsk readers read Bokmål),
// Hebrew's old code.
const ALIASES = { no: 'nb', nn: 'nb', iw: 'he' };
const RTL = ['ar', 'he'];

/**
 * The best of LANGUAGES for `locale` (e.g. `de-AT` → `de`, `zh-TW` → `zh-Hant`), else for the browser's
 * languages, else `en`.
 */
export function pickLanguage(locale, preferred = globalThis.navigator?.languages ?? []) {
  for (const tag of [locale, ...preferred]) {
    const base = String(tag || '').toLowerCase().split(/[-_]/)[0];
    const lang = base === 'zh' && script(tag) === 'Hant' ? 'zh-Hant' : ALIASES[base] ?? base;
    if (LANGUAGES.includes(lang)) return lang;
  }
  return 'en';
}

// The script a tag is written in, as CLDR's likely subtags say (`zh-TW`, `zh-HK` → Hant; `zh`, `zh-SG` → Hans).
function script(tag) {
  try {
    return new Intl.Locale(String(tag).replace(/_/g, '-')).maximize().script;
  } catch {
    return undefined;
  }
}

/** `rtl` for the languages written right to left, else `ltr`. */
export const direction = (lang) => (RTL.includes(lang) ? 'rtl' : 'ltr');

/**
 * Tables by language, English built in and the others loaded on demand through `fetchTable(lang)`.
 * `t = translator(lang)`: `t(key, {amount})` reads `lang`'s table, then English (a key a language lacks
 * shows in English; the locale test names every such key), then `fallback` (or the key).
 * `load(lang)` resolves once `lang` can be shown: loaded, or failed (then English shows, for this page's life:
 * a render that retried would loop on a network that is down).
 */
export function tables(en, fetchTable) {
  const loaded = { en };
  const pending = {};
  return {
    translator(lang) {
      const table = loaded[lang] ?? en;
      return (key, vars, fallback) => {
        let text = table[key] ?? en[key] ?? (fallback === undefined ? key : fallback);
        if (text && vars) for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{${k}}`, v);
        return text;
      };
    },
    has: (lang) => lang in loaded,
    load(lang) {
      if (lang in loaded || !LANGUAGES.includes(lang)) return Promise.resolve();
      pending[lang] ??= Promise.resolve(lang).then(fetchTable).then(
        (table) => (loaded[lang] = table && typeof table === 'object' ? table : en),
        () => (loaded[lang] = en),
      );
      return pending[lang].then(() => {});
    },
  };
}

/**
 * Loads a table from `files[lang] = [file, integrity]` (written into the bundle by scripts/dist.mjs), next to
 * `base`, with its Subresource Integrity: a table is data, and a tampered one is refused like the .wasm.
 */
export const jsonTables = (files, base) => async (lang) => {
  const [file, integrity] = files[lang];
  const res = await fetch(new URL(file, base), { integrity });
  if (!res.ok) throw new Error(`intent-checkout: ${file}: HTTP ${res.status}`);
  return res.json();
};
