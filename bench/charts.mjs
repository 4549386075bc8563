// SVG charts for bench/report.md, written next to it into bench/charts/. Hand-written (a few dozen lines of
// SVG) rather than a charting package: the report is static, and the figures are simple.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('./charts/', import.meta.url).pathname;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12"';
const esc = (t) => String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLORS = ['#2454d6', '#0a7d55', '#b3261e', '#8a5a00', '#6b3fa0', '#5c6470'];

function write(name, svg) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), svg);
  return `charts/${name}`;
}

/**
 * Horizontal bars: `rows` = [{ label, value, note? }], one colour per row (the first row highlighted).
 * `target` draws a dashed line (e.g. the size budget). Returns the report-relative path of the SVG.
 */
export function barChart(name, { title, unit, rows, target }) {
  const labelW = 330;
  const barW = 420;
  const rowH = 28;
  const max = Math.max(...rows.map((r) => r.value), target?.value ?? 0) * 1.08;
  const height = 56 + rows.length * rowH + (target ? 18 : 0);
  const x = (v) => labelW + (v / max) * barW;
  const bars = rows.map((r, i) => {
    const y = 40 + i * rowH;
    return `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" fill="#1a1d21">${esc(r.label)}</text>`
      + `<rect x="${labelW}" y="${y + 3}" width="${(x(r.value) - labelW).toFixed(1)}" height="${rowH - 8}" fill="${i === 0 ? COLORS[0] : '#9aa3ae'}"/>`
      + `<text x="${(x(r.value) + 6).toFixed(1)}" y="${y + 15}" fill="#1a1d21">${r.value.toFixed(1)} ${esc(unit)}${r.note ? ` · ${esc(r.note)}` : ''}</text>`;
  }).join('\n');
  const line = target
    ? `<line x1="${x(target.value).toFixed(1)}" x2="${x(target.value).toFixed(1)}" y1="34" y2="${height - 18}" stroke="#b3261e" stroke-dasharray="5 4"/>`
      + `<text x="${x(target.value).toFixed(1)}" y="${height - 4}" text-anchor="middle" fill="#b3261e">${esc(target.label)}</text>`
    : '';
  return write(name, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${labelW + barW + 190} ${height}" width="${labelW + barW + 190}" height="${height}" ${FONT}>
<rect width="100%" height="100%" fill="#fff"/>
<text x="12" y="22" font-size="14" font-weight="600" fill="#1a1d21">${esc(title)}</text>
${bars}
${line}
</svg>
`);
}

/**
 * Latency distributions: one row per series ({ label, values }), every sample as a tick, with the p50 and
 * p95 marked; `reference` (optional) draws a labelled vertical line (the floor measured in the same run).
 * `log` uses a log scale (stream vs polling spans three orders of magnitude).
 */
export function distribution(name, { title, series, reference, log = false }) {
  const labelW = 300;
  const plotW = 520;
  const rowH = 44;
  const all = series.flatMap((s) => s.values).concat(reference ? [reference.value] : []);
  const lo = log ? Math.max(0.5, Math.min(...all) * 0.8) : 0;
  const hi = Math.max(...all) * 1.05;
  const scale = log
    ? (v) => labelW + (Math.log(Math.max(v, lo) / lo) / Math.log(hi / lo)) * plotW
    : (v) => labelW + ((v - lo) / (hi - lo)) * plotW;
  const height = 70 + series.length * rowH;
  const q = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  const rows = series.map((s, i) => {
    const y = 44 + i * rowH;
    const sorted = [...s.values].sort((a, b) => a - b);
    const [p50, p95] = [q(sorted, 0.5), q(sorted, 0.95)];
    const color = COLORS[i % COLORS.length];
    const ticks = sorted.map((v) => `<line x1="${scale(v).toFixed(1)}" x2="${scale(v).toFixed(1)}" y1="${y + 6}" y2="${y + 26}" stroke="${color}" stroke-opacity="0.35"/>`).join('');
    return `<text x="${labelW - 8}" y="${y + 20}" text-anchor="end" fill="#1a1d21">${esc(s.label)}</text>${ticks}`
      + `<rect x="${scale(p50).toFixed(1)}" y="${y + 2}" width="${Math.max(1.5, scale(p95) - scale(p50)).toFixed(1)}" height="28" fill="${color}" fill-opacity="0.12" stroke="${color}"/>`
      + `<line x1="${scale(p50).toFixed(1)}" x2="${scale(p50).toFixed(1)}" y1="${y}" y2="${y + 32}" stroke="${color}" stroke-width="3"/>`
      + `<text x="${(scale(p95) + 6).toFixed(1)}" y="${y + 20}" fill="#3d4450" font-size="11">p50 ${p50.toFixed(1)} · p95 ${p95.toFixed(1)} ms (n ${sorted.length})</text>`;
  }).join('\n');
  const axisY = height - 22;
  const marks = (log ? [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] : niceTicks(lo, hi)).filter((v) => v >= lo && v <= hi);
  const axis = marks.map((v) => `<line x1="${scale(v).toFixed(1)}" x2="${scale(v).toFixed(1)}" y1="${axisY - 4}" y2="${axisY}" stroke="#5c6470"/>`
    + `<text x="${scale(v).toFixed(1)}" y="${axisY + 14}" text-anchor="middle" fill="#5c6470" font-size="11">${v} ms</text>`).join('');
  const ref = reference
    ? `<line x1="${scale(reference.value).toFixed(1)}" x2="${scale(reference.value).toFixed(1)}" y1="34" y2="${axisY}" stroke="#b3261e" stroke-dasharray="5 4"/>`
      + `<text x="${(scale(reference.value) + 4).toFixed(1)}" y="34" fill="#b3261e" font-size="11">${esc(reference.label)}</text>`
    : '';
  return write(name, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${labelW + plotW + 220} ${height}" width="${labelW + plotW + 220}" height="${height}" ${FONT}>
<rect width="100%" height="100%" fill="#fff"/>
<text x="12" y="22" font-size="14" font-weight="600" fill="#1a1d21">${esc(title)}</text>
${rows}
<line x1="${labelW}" x2="${labelW + plotW}" y1="${axisY}" y2="${axisY}" stroke="#5c6470"/>${axis}
${ref}
</svg>
`);
}

function niceTicks(lo, hi) {
  const step = 10 ** Math.floor(Math.log10((hi - lo) / 5 || 1));
  const k = [1, 2, 5, 10].find((m) => (hi - lo) / (step * m) <= 6) ?? 10;
  const out = [];
  for (let v = Math.ceil(lo / (step * k)) * step * k; v <= hi; v += step * k) out.push(Number(v.toFixed(6)));
  return out;
}
