//! Each dialect's lifecycle as an SVG state diagram, drawn from the core's transition tables
//! (`Dialect::table`), so the picture cannot disagree with what the sandbox and the SDK enforce.
//! The layout is a small layered one, written here because the figures are tiny (at most 11 states): states
//! in columns by their distance from the first status, edges curved, one label per (from, to) pair.
//! No runtime part: `scripts/build.sh` writes the files; the README and the demo show them.
//!
//! The SVG uses presentation attributes only (no `style`), so pages under `style-src 'self'` can inline it,
//! and marks each state `<g class="state" data-status="<canonical name>" data-wire="<wire name>">` for pages
//! that light one up.

use std::collections::BTreeMap;
use std::fmt::Write;

use intent_checkout::core::dialect::Dialect;
use intent_checkout::core::lifecycle::CanonicalStatus;

const BOX_W: f64 = 200.0;
const BOX_H: f64 = 44.0;
const ROW_GAP: f64 = 34.0;
const MARGIN: f64 = 40.0;

/// One arrow: every trigger that leads from `from` to `to`, in table order.
struct Edge {
    from: CanonicalStatus,
    to: CanonicalStatus,
    triggers: Vec<&'static str>,
}

fn edges(dialect: Dialect) -> Vec<Edge> {
    let mut out: Vec<Edge> = Vec::new();
    for rule in dialect.table() {
        let name = rule.trigger.name();
        match out
            .iter_mut()
            .find(|e| e.from == rule.from && e.to == rule.to)
        {
            Some(e) if !e.triggers.contains(&name) => e.triggers.push(name),
            Some(_) => {}
            None => out.push(Edge {
                from: rule.from,
                to: rule.to,
                triggers: vec![name],
            }),
        }
    }
    out
}

/// Columns by the longest path from `RequiresPaymentMethod` (every dialect starts there), ignoring the
/// arrows that go back (retries, restarts): each forward arrow then points to a later column.
fn columns(dialect: Dialect, edges: &[Edge]) -> BTreeMap<usize, Vec<CanonicalStatus>> {
    let start = CanonicalStatus::RequiresPaymentMethod;
    let mut back: Vec<(CanonicalStatus, CanonicalStatus)> = Vec::new();
    let mut seen: Vec<CanonicalStatus> = Vec::new();
    // Depth-first from the start: an arrow to a status on the current path goes back.
    fn visit(
        s: CanonicalStatus,
        edges: &[Edge],
        path: &mut Vec<CanonicalStatus>,
        seen: &mut Vec<CanonicalStatus>,
        back: &mut Vec<(CanonicalStatus, CanonicalStatus)>,
    ) {
        seen.push(s);
        path.push(s);
        for e in edges.iter().filter(|e| e.from == s) {
            if path.contains(&e.to) {
                back.push((e.from, e.to));
            } else if !seen.contains(&e.to) {
                visit(e.to, edges, path, seen, back);
            }
        }
        path.pop();
    }
    visit(start, edges, &mut Vec::new(), &mut seen, &mut back);
    let mut rank: BTreeMap<CanonicalStatus, usize> = seen.iter().map(|s| (*s, 0)).collect();
    for _ in 0..seen.len() {
        for e in edges.iter().filter(|e| !back.contains(&(e.from, e.to))) {
            if let (Some(&a), Some(&b)) = (rank.get(&e.from), rank.get(&e.to)) {
                if b < a + 1 {
                    rank.insert(e.to, a + 1);
                }
            }
        }
    }
    let mut cols: BTreeMap<usize, Vec<CanonicalStatus>> = BTreeMap::new();
    // Statuses the dialect has but no rule reaches still get drawn, in a last column.
    let last = rank.values().max().copied().unwrap_or(0) + 1;
    for s in dialect.statuses() {
        let col = rank.get(&s).copied().unwrap_or(last);
        let list = cols.entry(col).or_default();
        if !list.contains(&s) {
            list.push(s);
        }
    }
    for list in cols.values_mut() {
        list.sort();
    }
    cols
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The diagram of `dialect` as a standalone SVG document: rows top to bottom by longest path; an arrow to the
/// next row goes straight down, longer ones arc out to the right, arrows going back arc out to the left, each
/// arc wider the more rows it spans, so they do not run over the boxes or each other.
pub fn svg(dialect: Dialect) -> String {
    let edges = edges(dialect);
    let rows = columns(dialect, &edges);
    let rank_of = |s: CanonicalStatus| {
        rows.iter()
            .find(|(_, l)| l.contains(&s))
            .map(|(r, _)| *r)
            .unwrap_or(0)
    };
    let widest = rows.values().map(Vec::len).max().unwrap_or(1) as f64;
    let span_max = rows.len() as f64;
    let bow = |span: f64| 30.0 + 22.0 * span;
    let side = bow(span_max) + 70.0;
    let width = MARGIN * 2.0 + side * 2.0 + widest * BOX_W + (widest - 1.0) * 30.0;
    let height = MARGIN * 2.0 + 30.0 + span_max * BOX_H + (span_max - 1.0) * ROW_GAP;
    let mut pos: BTreeMap<CanonicalStatus, (f64, f64)> = BTreeMap::new();
    for (r, list) in rows.iter().enumerate().map(|(i, (_, l))| (i, l)) {
        let used = list.len() as f64 * BOX_W + (list.len() as f64 - 1.0) * 30.0;
        let left = (width - used) / 2.0;
        for (j, s) in list.iter().enumerate() {
            pos.insert(
                *s,
                (
                    left + j as f64 * (BOX_W + 30.0),
                    MARGIN + 30.0 + r as f64 * (BOX_H + ROW_GAP),
                ),
            );
        }
    }
    let mut out = String::new();
    let title = format!("{} lifecycle", dialect.name());
    // ok: writing to a String cannot fail (here and below).
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12" role="img" aria-labelledby="title-{name}">
<title id="title-{name}">{title}: generated from the transition table of intent-checkout's core</title>
<defs><marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5c6470"/></marker></defs>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="{MARGIN}" y="28" font-size="14" font-weight="600" fill="#1a1d21">{title} ({rules} rules)</text>
"##,
        name = dialect.name(),
        rules = dialect.table().len(),
    );
    for e in &edges {
        let (fx, fy) = pos[&e.from];
        let (tx, ty) = pos[&e.to];
        let span = rank_of(e.to) as f64 - rank_of(e.from) as f64;
        let label = escape(&e.triggers.join(", "));
        let (path, lx, ly, anchor) = if e.from == e.to {
            let (x0, y0, y1) = (fx + BOX_W, fy + BOX_H * 0.3, fy + BOX_H * 0.7);
            (
                format!(
                    "M{x0:.1},{y0:.1} C{:.1},{:.1} {:.1},{:.1} {x0:.1},{y1:.1}",
                    x0 + 34.0,
                    y0 - 12.0,
                    x0 + 34.0,
                    y1 + 12.0
                ),
                x0 + 30.0,
                fy + BOX_H / 2.0 + 4.0,
                "start",
            )
        } else if span == 1.0 {
            let (x0, y0, x1, y1) = (fx + BOX_W / 2.0, fy + BOX_H, tx + BOX_W / 2.0, ty);
            (
                format!("M{x0:.1},{y0:.1} L{x1:.1},{y1:.1}"),
                (x0 + x1) / 2.0 + 6.0,
                (y0 + y1) / 2.0 + 4.0,
                "start",
            )
        } else if span == 0.0 {
            let right = tx > fx;
            let (x0, x1) = if right {
                (fx + BOX_W, tx)
            } else {
                (fx, tx + BOX_W)
            };
            let y = fy + BOX_H / 2.0;
            (
                format!("M{x0:.1},{y:.1} L{x1:.1},{y:.1}"),
                (x0 + x1) / 2.0,
                y - 5.0,
                "middle",
            )
        } else {
            // Forward past the next row: out to the right; back: out to the left.
            let forward = span > 0.0;
            let out_x = bow(span.abs());
            let (x0, x1, cx) = if forward {
                (fx + BOX_W, tx + BOX_W, fx.max(tx) + BOX_W + out_x)
            } else {
                (fx, tx, fx.min(tx) - out_x)
            };
            let (y0, y1) = (fy + BOX_H * 0.5, ty + BOX_H * 0.5);
            (
                format!("M{x0:.1},{y0:.1} C{cx:.1},{y0:.1} {cx:.1},{y1:.1} {x1:.1},{y1:.1}"),
                if forward {
                    cx - out_x * 0.25 + 4.0
                } else {
                    cx + out_x * 0.25 - 4.0
                },
                (y0 + y1) / 2.0 + 4.0,
                if forward { "start" } else { "end" },
            )
        };
        let _ = writeln!(
            out,
            r##"<g class="edge" data-from="{}" data-to="{}"><path d="{path}" fill="none" stroke="#8a93a0" stroke-width="1.4" marker-end="url(#arrow-{})"/><text x="{lx:.1}" y="{ly:.1}" text-anchor="{anchor}" fill="#3d4450" font-size="11" stroke="#ffffff" stroke-width="3" paint-order="stroke">{label}</text></g>"##,
            e.from.name(),
            e.to.name(),
            dialect.name(),
        );
    }
    for (s, (x, y)) in &pos {
        let wire = dialect.wire_name(*s).unwrap_or("");
        let terminal = edges.iter().all(|e| e.from != *s);
        let _ = writeln!(
            out,
            r##"<g class="state" data-status="{name}" data-wire="{wire}"><rect x="{x:.1}" y="{y:.1}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="{fill}" stroke="#5c6470" stroke-width="{sw}"/><text x="{cx:.1}" y="{ty:.1}" text-anchor="middle" font-weight="600" fill="#1a1d21">{name}</text><text x="{cx:.1}" y="{wy:.1}" text-anchor="middle" fill="#5c6470" font-size="11">wire: {wire}</text></g>"##,
            name = s.name(),
            fill = if terminal { "#f1f3f6" } else { "#ffffff" },
            sw = if terminal { 2.2 } else { 1.2 },
            cx = x + BOX_W / 2.0,
            ty = y + 19.0,
            wy = y + 34.0,
            wire = escape(wire),
        );
    }
    out.push_str("</svg>\n");
    out
}

/// `(file name, svg)` for every dialect.
pub fn all() -> Vec<(String, String)> {
    Dialect::ALL
        .into_iter()
        .map(|d| (format!("lifecycle-{}.svg", d.name()), svg(d)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_an_arrow_and_every_status_a_box() {
        for d in Dialect::ALL {
            let picture = svg(d);
            for rule in d.table() {
                let arrow = format!(
                    r#"data-from="{}" data-to="{}""#,
                    rule.from.name(),
                    rule.to.name()
                );
                assert!(picture.contains(&arrow), "{}: {arrow}", d.name());
            }
            for s in d.statuses() {
                assert_eq!(
                    picture
                        .matches(&format!(r#"data-status="{}""#, s.name()))
                        .count(),
                    1,
                    "{}: {}",
                    d.name(),
                    s.name()
                );
            }
            assert!(!picture.contains("style="), "presentation attributes only");
        }
    }

    #[test]
    fn the_committed_pictures_are_the_generated_ones() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
        for (name, picture) in all() {
            let committed = std::fs::read_to_string(docs.join(&name)).unwrap_or_default();
            assert!(
                committed == picture,
                "docs/{name} is stale: run `cargo run -p lifecycle-diagrams -- docs`"
            );
        }
    }
}
