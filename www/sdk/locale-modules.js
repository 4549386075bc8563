// The npm path's tables: one ES module per language next to this one (pkg/locales/<lang>.js, written by
// scripts/dist.mjs), which bundlers split into chunks of their own. The script-tag bundle replaces this
// module with nothing (it fetches the JSON twins, each with its integrity: script-base.js).
export const importTable = (lang) => import(`./locales/${lang}.js`).then((m) => m.default);
