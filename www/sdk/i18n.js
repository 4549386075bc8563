// Language choice and message lookup, shared by the page's texts (messages.js) and the card fields'
// (card-messages.js), so the frame can carry its own strings without the page's.

/** The best of `en`, `de`, `fr` for `locale` (e.g. `de-AT` → `de`), else the browser's, else `en`. */
export function pickLanguage(locale, preferred = globalThis.navigator?.languages ?? []) {
  for (const tag of [locale, ...preferred]) {
    const lang = String(tag || '').toLowerCase().split(/[-_]/)[0];
    if (lang === 'en' || lang === 'de' || lang === 'fr') return lang;
  }
  return 'en';
}

/** `t(key, {amount})` over `tables[lang]`; unknown keys fall back to English, then to `fallback` (or the key). */
export function lookup(tables, lang) {
  const table = tables[lang] ?? tables.en;
  return (key, vars, fallback) => {
    let text = table[key] ?? tables.en[key] ?? (fallback === undefined ? key : fallback);
    if (text && vars) for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{${k}}`, v);
    return text;
  };
}
