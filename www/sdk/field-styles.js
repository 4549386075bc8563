// The look of the card fields, shared by the page's stylesheet (styles.js: the inline card fields and the
// amount and tip inputs) and the isolated frame (card-frame.js), so both modes look the same. Colours,
// radius, font and size come from the --ic-* custom properties; the frame receives the page's values.

/** The default --ic-* values (light), and the dark ones under `prefers-color-scheme: dark`. */
export const TOKENS = `--ic-bg:#fff;--ic-fg:#1a1d21;--ic-muted:#5c6470;--ic-border:#c4cad3;--ic-accent:#2454d6;
--ic-accent-fg:#fff;--ic-error:#b3261e;--ic-success:#1b7f3b;--ic-warning:#8a5a00;--ic-focus:#2454d6;--ic-radius:8px;
--ic-font:system-ui,-apple-system,"Segoe UI",sans-serif;--ic-font-size:16px;--ic-dur:.15s`;
export const DARK = `--ic-bg:#1c1f24;--ic-fg:#eef0f3;--ic-muted:#a8b0bb;--ic-border:#4a515c;--ic-accent:#7aa2ff;
--ic-accent-fg:#0c1222;--ic-error:#ff8a80;--ic-success:#6fdc8c;--ic-warning:#ffcc66;--ic-focus:#9db8ff`;

// Logical properties only (inset-inline-end, padding-inline-start, …): Arabic and Hebrew mirror the layout.
// Card numbers, dates and codes read left to right in every language, starting from the right in a mirrored one.
// A field's error line keeps its space while empty: an error that appears or clears (on blur, as the
// customer types) never moves the Pay button under a click.
export const FIELD_CSS = `
*{box-sizing:border-box}
.field{margin:0 0 .35rem}
.row{display:flex;gap:.75rem}
.row>.field{flex:1;min-width:0}
label,.legend{display:block;font-size:.875rem;font-weight:600;margin:0 0 .25rem}
.wrap{position:relative}
input{width:100%;font:inherit;color:var(--ic-fg);background:var(--ic-bg);border:1px solid var(--ic-border);
border-radius:calc(var(--ic-radius) - 2px);padding:.55rem .7rem;transition:border-color var(--ic-dur)}
input:focus-visible,button:focus-visible,iframe:focus-visible{outline:3px solid var(--ic-focus);outline-offset:1px}
input[aria-invalid=true]{border-color:var(--ic-error)}
input[inputmode=numeric]{direction:ltr}
[dir=rtl] input[inputmode=numeric]{text-align:right}
input:read-only{opacity:.7}
.brand{position:absolute;inset-inline-end:.6rem;top:50%;transform:translateY(-50%);font-size:.75rem;font-weight:700;
color:var(--ic-muted);pointer-events:none}
.brand:empty{display:none}
.err{color:var(--ic-error);font-size:.85rem;line-height:1.3;margin:.2rem 0 0;min-height:1.3em}
.status{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;
