// The inline fields' module for ES module users: a static import() their bundler can split. The script-tag
// bundle replaces this file (scripts/dist.mjs `stubs`; script-base.js loads the fields from next to the
// script instead): left in, its literal import() of an external file made esbuild add CommonJS interop
// helpers nothing calls (0.7 KB raw, 0.25 KB brotli of intent-checkout.js, 2026-12-01).
export const importInlineFields = () => import('./inline-fields.js');
