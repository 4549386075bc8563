import { TOKENS, DARK, FIELD_CSS } from './field-styles.js';

// The widget's shadow-root stylesheet, adopted as a constructable stylesheet (no inline <style>, so it works
// under `style-src 'self'`). Theme with the --ic-* custom properties on the host and ::part() selectors.
const css = `
:host{${TOKENS};
display:block;max-width:28rem;color:var(--ic-fg);font:var(--ic-font-size)/1.45 var(--ic-font)}
@media (prefers-color-scheme:dark){:host{${DARK}}}
@media (prefers-reduced-motion:reduce){:host{--ic-dur:0s}}
:host([hidden]){display:none}
${FIELD_CSS}
.box{background:var(--ic-bg);border:1px solid var(--ic-border);border-radius:var(--ic-radius);padding:1.25rem}
.summary{margin:0 0 1rem}
.ref{font-weight:600;margin:0}
.desc{color:var(--ic-muted);margin:.15rem 0 0;overflow-wrap:anywhere}
.form-error:empty{display:none}
.title{font-size:1.15rem;margin:0 0 .35rem}
.order{margin:.5rem 0 0}
.order li.sub{padding-inline-start:1rem;font-size:.875rem}
.address{border:0;padding:0;margin:0 0 .5rem;min-width:0}
.address legend{font-weight:700;padding:0;margin:0 0 .35rem}
select{width:100%;font:inherit;color:var(--ic-fg);background:var(--ic-bg);border:1px solid var(--ic-border);
border-radius:calc(var(--ic-radius) - 2px);padding:.5rem .6rem}
select:focus-visible{outline:3px solid var(--ic-focus);outline-offset:1px}
select[aria-invalid=true]{border-color:var(--ic-error)}
.brands{color:var(--ic-muted);font-size:.875rem;margin:0}
.details:empty,.brands:empty{display:none}
.consent{display:flex;gap:.5rem;align-items:center;margin:0 0 .5rem}
.card-frame{display:block;border:0;width:calc(100% + 8px);margin:-4px -4px .1rem;height:0;background:transparent;color-scheme:normal}
.tips{display:flex;flex-wrap:wrap;gap:.4rem;margin:0 0 .5rem}
.chip{font:inherit;font-size:.875rem;padding:.3rem .7rem;border-radius:999px;border:1px solid var(--ic-border);
background:var(--ic-bg);color:var(--ic-fg);cursor:pointer}
.chip[aria-pressed=true]{background:var(--ic-accent);color:var(--ic-accent-fg);border-color:var(--ic-accent)}
.lines{margin:.25rem 0 1rem;padding:0;list-style:none}
.lines li{display:flex;justify-content:space-between;color:var(--ic-muted)}
.lines li.total{color:var(--ic-fg);font-weight:700;border-top:1px solid var(--ic-border);margin-top:.25rem;padding-top:.25rem}
.pay,.btn{width:100%;font:inherit;font-weight:600;border:0;border-radius:var(--ic-radius);padding:.75rem 1rem;
background:var(--ic-accent);color:var(--ic-accent-fg);cursor:pointer;transition:opacity var(--ic-dur)}
.pay:disabled{opacity:.6;cursor:progress}
.btn.secondary{background:transparent;color:var(--ic-accent);border:1px solid var(--ic-accent);margin-top:.5rem}
.result{text-align:center;padding:.5rem 0}
.result h2{font-size:1.25rem;margin:.25rem 0 .5rem}
.result p{margin:0 0 1rem;overflow-wrap:anywhere}
.icon{display:inline-grid;place-items:center;width:3rem;height:3rem;border-radius:50%;font-size:1.5rem;font-weight:700;
border:2px solid currentColor}
.result[data-tone=ok] .icon{color:var(--ic-success)}
.result[data-tone=bad] .icon{color:var(--ic-error)}
.result[data-tone=wait] .icon{color:var(--ic-warning)}
.result[data-tone=wait] .icon,.loading .icon{border-inline-end-color:transparent;animation:spin 1s linear infinite}
@keyframes spin{to{transform:rotate(1turn)}}
@media (prefers-reduced-motion:reduce){.icon{animation:none!important}}
.modal{position:fixed;inset:0;z-index:2147483000;display:grid;place-items:center;background:rgb(0 0 0 / .55);padding:1rem}
.modal[hidden]{display:none}
.dialog{background:var(--ic-bg);color:var(--ic-fg);border-radius:var(--ic-radius);width:min(30rem,100%);padding:1rem;
max-height:100%;display:flex;flex-direction:column;gap:.5rem}
.dialog h2{font-size:1.1rem;margin:0}
.dialog p{margin:0;color:var(--ic-muted)}
.dialog iframe{width:100%;height:22rem;border:1px solid var(--ic-border);border-radius:calc(var(--ic-radius) - 2px);background:#fff}
[hidden]{display:none!important}
`;

let sheet;
/** One shared sheet for every <intent-checkout> on the page. */
export function styles() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  return sheet;
}
