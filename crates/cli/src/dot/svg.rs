//! SVG of a view without Graphviz: a layered layout of our own for the views' fixed shapes.
//!
//! **Kernel:** none; drawing plumbing. Every view says which column each node belongs to
//! (tasks | css_sets | links | cgroups, or a tree's depths), and `order.rs` has chosen the
//! order inside each column (the fewest crossings), so the layout only has to choose heights:
//! each hierarchy's nodes form a horizontal band (its box), and a few sweeps move every node
//! toward the mean height of its neighbours in the other columns, then pack each column
//! without overlap and in its order (pool-adjacent-violators, which keeps the order and
//! minimises the squared displacement). Edges are cubic curves from the right side of one node
//! to the left side of the next column's node ([`crossings`] counts the pairs that cross); an
//! edge within one column loops out to the right, inside its box. Text widths are estimated
//! from character counts, generously, so labels stay inside their boxes in any sans-serif
//! font.
//!
//! Graphviz's `dot` lays out arbitrary graphs better; `cgsim` uses it when it is installed
//! (see `super::svg_of`), and this renderer everywhere else. The pure-Rust `layout-rs` crate
//! (0.1.3) was the alternative: its documentation says it lacks nested graphs and embedded
//! HTML, which the views need for their hierarchy boxes and the tables and bars inside nodes.

use super::graph::{EdgeKind, Graph, Line, Node, Row};
use std::collections::BTreeMap;
use std::fmt::Write as _;

const FONT: f64 = 11.0;
/// Average advance of a character at [`FONT`], on the wide side.
const CW: f64 = 7.0;
/// Bold characters.
const CWB: f64 = 7.6;
const PAD: f64 = 6.0;
const TITLE_H: f64 = 19.0;
const ROW_H: f64 = 15.0;
const END_H: f64 = 5.0;
const INDENT: f64 = 7.0;
const BAR_W: f64 = 72.0;
const COL_GAP: f64 = 90.0;
const NODE_GAP: f64 = 12.0;
const BAND_GAP: f64 = 16.0;
const CLUSTER_PAD: f64 = 9.0;
const CLUSTER_LABEL: f64 = 17.0;
const MARGIN: f64 = 16.0;
const HEADER: f64 = 52.0;

/// A placed node: top-left corner and size.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub id: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Placed {
    fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }

    /// Whether two boxes overlap (touching is fine).
    pub fn overlaps(&self, o: &Placed) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

/// The layout of a whole picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub nodes: Vec<Placed>,
    /// Cluster boxes, by cluster index: (x, y, w, h).
    pub clusters: Vec<Option<(f64, f64, f64, f64)>>,
    /// Column left edges and widths, by column number.
    pub columns: BTreeMap<usize, (f64, f64)>,
    pub width: f64,
    pub height: f64,
    /// Where the legend starts.
    pub legend_y: f64,
}

/// The width of `s` where an average character is `cw` wide: narrow and wide letters of a
/// sans-serif font (DejaVu Sans, Helvetica) are counted as such, plus a safety margin.
fn text_w(s: &str, cw: f64) -> f64 {
    let em: f64 =
        s.chars()
            .map(|c| match c {
                'i' | 'l' | 'j' | 't' | 'f' | 'r' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|'
                | '!' => 0.55,
                ' ' | '(' | ')' | '[' | ']' | '/' | '-' => 0.65,
                'm' | 'w' | 'M' | 'W' | '%' | '@' => 1.45,
                'A'..='Z' => 1.2,
                '0'..='9' => 1.0,
                _ => 1.0,
            })
            .sum();
    em * cw * 1.04
}

/// The size of a node from its rows.
fn node_size(n: &Node) -> (f64, f64) {
    let mut w: f64 = 60.0;
    let mut h = 0.0;
    let mut depth = 0.0;
    let bar_label = bar_label_w(n);
    for r in &n.rows {
        let ind = depth * INDENT * 2.0;
        let (rw, rh) = match r {
            Row::Title(t) => (text_w(t, CWB) + 2.0 * PAD, TITLE_H),
            Row::Text(t) => (text_w(t, CW) + 2.0 * PAD + ind, ROW_H),
            Row::Mark(t) => (text_w(t, CWB) + 2.0 * PAD + ind, ROW_H),
            Row::Field(k, v) => (
                text_w(k, CW) + text_w(v, CW) + 18.0 + 2.0 * PAD + ind,
                ROW_H,
            ),
            Row::Bar { text, .. } => (
                bar_label + BAR_W + 12.0 + text_w(text, CW) + 2.0 * PAD + ind,
                ROW_H,
            ),
            Row::Begin(t) => {
                depth += 1.0;
                (text_w(t, CW) + 2.0 * PAD + ind + INDENT, ROW_H)
            }
            Row::End => {
                depth -= 1.0;
                (0.0, END_H)
            }
        };
        w = w.max(rw);
        h += rh;
    }
    (w.ceil(), (h + 4.0).ceil())
}

fn bar_label_w(n: &Node) -> f64 {
    n.rows
        .iter()
        .filter_map(|r| match r {
            Row::Bar { label, .. } => Some(text_w(label, CW) + 6.0),
            _ => None,
        })
        .fold(0.0, f64::max)
}

/// Pack `items` (desired top, height) in order without overlap, each at least `min` and
/// `NODE_GAP` apart, as close as possible to the desired tops (least squares).
fn pack(items: &[(f64, f64)], min: f64) -> Vec<f64> {
    // Blocks of consecutive items that touch: (first index, last index, top).
    let mut blocks: Vec<(usize, usize, f64)> = Vec::new();
    let offset =
        |a: usize, b: usize| -> f64 { items[a..b].iter().map(|(_, h)| h + NODE_GAP).sum::<f64>() };
    for (i, &(d, _)) in items.iter().enumerate() {
        blocks.push((i, i, d.max(min)));
        loop {
            let n = blocks.len();
            if n < 2 {
                break;
            }
            let (a0, a1, at) = blocks[n - 2];
            let (_, b1, bt) = blocks[n - 1];
            let a_bottom = at + offset(a0, a1 + 1);
            if a_bottom <= bt + 1e-9 {
                break;
            }
            // Merge: the best top is the mean of each member's desired top minus its offset.
            let count = (b1 + 1 - a0) as f64;
            let sum: f64 = (a0..=b1).map(|k| items[k].0 - offset(a0, k)).sum();
            blocks.truncate(n - 2);
            blocks.push((a0, b1, (sum / count).max(min)));
        }
    }
    let mut tops = vec![0.0; items.len()];
    for (a0, a1, t) in blocks {
        for (k, top) in tops.iter_mut().enumerate().take(a1 + 1).skip(a0) {
            *top = t + offset(a0, k);
        }
    }
    tops
}

/// Lay `g` out.
pub fn layout(g: &Graph) -> Layout {
    let sizes: Vec<(f64, f64)> = g.nodes.iter().map(node_size).collect();
    let index: BTreeMap<&str, usize> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    // Columns, left to right.
    let mut columns: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
    for (n, s) in g.nodes.iter().zip(&sizes) {
        let e = columns.entry(n.col).or_insert((0.0, 0.0));
        e.1 = e.1.max(s.0);
    }
    // A box that lives in one column makes that column wide enough for its label.
    for (c, cl) in g.clusters.iter().enumerate() {
        let cols: std::collections::BTreeSet<usize> = g
            .nodes
            .iter()
            .filter(|n| n.cluster == Some(c))
            .map(|n| n.col)
            .collect();
        if let (1, Some(col)) = (cols.len(), cols.first())
            && let Some(e) = columns.get_mut(col)
        {
            e.1 = e.1.max(text_w(&cl.label, CWB) + 12.0 - 2.0 * CLUSTER_PAD);
        }
    }
    let mut x = MARGIN + CLUSTER_PAD;
    for (_, c) in columns.iter_mut() {
        c.0 = x;
        x += c.1 + COL_GAP;
    }
    let top0 = MARGIN + HEADER;
    // Neighbours of each node (either direction), skipping edges within one column.
    let mut nbrs: Vec<Vec<usize>> = vec![Vec::new(); g.nodes.len()];
    for e in &g.edges {
        if let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str()))
            && g.nodes[a].col != g.nodes[b].col
        {
            nbrs[a].push(b);
            nbrs[b].push(a);
        }
    }
    // Orders per (column, cluster) segment, in the view's order.
    let mut segs: BTreeMap<(usize, Option<usize>), Vec<usize>> = BTreeMap::new();
    for (i, n) in g.nodes.iter().enumerate() {
        segs.entry((n.col, n.cluster)).or_default().push(i);
    }
    let nclusters = g.clusters.len();
    let mut band_top: Vec<f64> = vec![0.0; nclusters];
    let mut y: Vec<f64> = vec![0.0; g.nodes.len()];
    // Initial placement: stacks; bands one under the other.
    let stack = |ids: &[usize], start: f64, y: &mut Vec<f64>| {
        let mut t = start;
        for &i in ids {
            y[i] = t;
            t += sizes[i].1 + NODE_GAP;
        }
    };
    let mut stacked: Vec<(usize, usize, f64)> = Vec::new();
    for (c, top) in band_top.iter_mut().enumerate() {
        let cols: Vec<usize> = segs
            .keys()
            .filter(|(_, cl)| *cl == Some(c))
            .map(|(col, _)| *col)
            .collect();
        let (lo, hi) = (
            cols.iter().copied().min().unwrap_or(0),
            cols.iter().copied().max().unwrap_or(0),
        );
        let t = stacked
            .iter()
            .filter(|(a, b, _)| *a <= hi && lo <= *b)
            .map(|(_, _, f)| *f)
            .fold(top0, f64::max);
        *top = t;
        let inner = t + CLUSTER_LABEL + CLUSTER_PAD;
        let mut bottom = inner;
        for ((_, cl), ids) in &segs {
            if *cl == Some(c) {
                stack(ids, inner, &mut y);
                let h: f64 = ids.iter().map(|&i| sizes[i].1 + NODE_GAP).sum();
                bottom = bottom.max(inner + h);
            }
        }
        stacked.push((lo, hi, bottom + CLUSTER_PAD + BAND_GAP));
    }
    for ((_, cl), ids) in &segs {
        if cl.is_none() {
            stack(ids, top0, &mut y);
        }
    }
    let cols: Vec<usize> = columns.keys().copied().collect();
    for pass in 0..8 {
        let order: Vec<usize> = if pass % 2 == 0 {
            cols.clone()
        } else {
            cols.iter().rev().copied().collect()
        };
        for col in order {
            for ((c, cl), ids) in segs.iter_mut() {
                if *c != col {
                    continue;
                }
                let desired: Vec<f64> = ids
                    .iter()
                    .map(|&i| {
                        if nbrs[i].is_empty() {
                            y[i] + sizes[i].1 / 2.0
                        } else {
                            nbrs[i]
                                .iter()
                                .map(|&j| y[j] + sizes[j].1 / 2.0)
                                .sum::<f64>()
                                / nbrs[i].len() as f64
                        }
                    })
                    .collect();
                if cl.is_none() {
                    // The order is the view's (`order.rs` chose it); only heights move.
                    let items: Vec<(f64, f64)> = ids
                        .iter()
                        .zip(&desired)
                        .map(|(&i, d)| (d - sizes[i].1 / 2.0, sizes[i].1))
                        .collect();
                    for (&i, top) in ids.iter().zip(pack(&items, top0)) {
                        y[i] = top;
                    }
                } else {
                    let c = cl.expect("clustered");
                    let items: Vec<(f64, f64)> = ids
                        .iter()
                        .zip(&desired)
                        .map(|(&i, d)| (d - sizes[i].1 / 2.0, sizes[i].1))
                        .collect();
                    let min = band_top[c] + CLUSTER_LABEL + CLUSTER_PAD;
                    for (&i, top) in ids.iter().zip(pack(&items, min)) {
                        y[i] = top;
                    }
                }
            }
            // Bands keep their order and never overlap: push later bands down as needed,
            // and pull a band up to its first node.
            // The bottoms of the bands placed so far, with the columns each spans: a band
            // only has to stay below the earlier bands that share a column with it.
            let mut placed: Vec<(usize, usize, f64)> = Vec::new();
            for (c, band) in band_top.iter_mut().enumerate() {
                let members: Vec<usize> = (0..g.nodes.len())
                    .filter(|&i| g.nodes[i].cluster == Some(c))
                    .collect();
                if members.is_empty() {
                    continue;
                }
                let lo = members.iter().map(|&i| g.nodes[i].col).min().unwrap_or(0);
                let hi = members.iter().map(|&i| g.nodes[i].col).max().unwrap_or(0);
                let floor = placed
                    .iter()
                    .filter(|(a, b, _)| *a <= hi && lo <= *b)
                    .map(|(_, _, f)| *f)
                    .fold(top0, f64::max);
                let first = members.iter().map(|&i| y[i]).fold(f64::INFINITY, f64::min);
                let want_top = (first - CLUSTER_LABEL - CLUSTER_PAD).max(floor);
                let shift = want_top + CLUSTER_LABEL + CLUSTER_PAD - first;
                for &i in &members {
                    y[i] += shift;
                }
                *band = want_top;
                let bottom = members
                    .iter()
                    .map(|&i| y[i] + sizes[i].1)
                    .fold(0.0, f64::max);
                placed.push((lo, hi, bottom + CLUSTER_PAD + BAND_GAP));
            }
        }
    }
    // Start at the top: the sweeps may have moved everything down.
    let lowest = y.iter().copied().fold(f64::INFINITY, f64::min);
    let first_band = g
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.cluster.is_some())
        .map(|(i, _)| y[i] - CLUSTER_LABEL - CLUSTER_PAD)
        .fold(f64::INFINITY, f64::min);
    let up = lowest.min(first_band) - top0;
    if up.is_finite() && up > 0.0 {
        for v in &mut y {
            *v -= up;
        }
    }
    let nodes: Vec<Placed> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let (cx, cw) = columns[&n.col];
            Placed {
                id: n.id.clone(),
                x: cx + (cw - sizes[i].0) / 2.0,
                y: y[i],
                w: sizes[i].0,
                h: sizes[i].1,
            }
        })
        .collect();
    let mut clusters = vec![None; nclusters];
    for (c, slot) in clusters.iter_mut().enumerate() {
        let members: Vec<&Placed> = g
            .nodes
            .iter()
            .zip(&nodes)
            .filter(|(n, _)| n.cluster == Some(c))
            .map(|(_, p)| p)
            .collect();
        if members.is_empty() {
            continue;
        }
        // The box spans its columns' full widths.
        let member_cols: Vec<(f64, f64)> = g
            .nodes
            .iter()
            .filter(|n| n.cluster == Some(c))
            .map(|n| columns[&n.col])
            .collect();
        let x0 = member_cols
            .iter()
            .map(|c| c.0)
            .fold(f64::INFINITY, f64::min)
            - CLUSTER_PAD;
        let mut x1 = (member_cols.iter().map(|c| c.0 + c.1).fold(0.0, f64::max) + CLUSTER_PAD)
            .max(x0 + text_w(&g.clusters[c].label, CWB) + 12.0);
        // An edge between two nodes of one column loops out to their right (`edge_path`):
        // the box holds the loop.
        for e in &g.edges {
            if let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str()))
                && a != b
                && g.nodes[a].col == g.nodes[b].col
                && g.nodes[a].cluster == Some(c)
            {
                let (pa, pb) = (&nodes[a], &nodes[b]);
                let reach = (pa.x + pa.w).max(pb.x + pb.w) + 0.75 * bulge(pa, pb);
                x1 = x1.max(reach + CLUSTER_PAD);
            }
        }
        let y0 =
            members.iter().map(|p| p.y).fold(f64::INFINITY, f64::min) - CLUSTER_PAD - CLUSTER_LABEL;
        let y1 = members.iter().map(|p| p.y + p.h).fold(0.0, f64::max) + CLUSTER_PAD;
        *slot = Some((x0, y0, x1 - x0, y1 - y0));
    }
    let mut width = nodes.iter().map(|p| p.x + p.w).fold(300.0, f64::max);
    for (x0, _, w, _) in clusters.iter().flatten() {
        width = width.max(x0 + w);
    }
    width = width.max(MARGIN + text_w(&g.title, 9.6));
    let mut bottom = nodes.iter().map(|p| p.y + p.h).fold(top0, f64::max);
    for (_, y0, _, h) in clusters.iter().flatten() {
        bottom = bottom.max(y0 + h);
    }
    let legend_y = bottom + 24.0;
    let (lw, lh) = legend_size(g);
    width = width.max(MARGIN + lw) + MARGIN;
    Layout {
        nodes,
        clusters,
        columns,
        width: width.ceil(),
        height: (legend_y + lh + MARGIN).ceil(),
        legend_y,
    }
}

/// How many pairs of edges cross in a laid-out picture, from the nodes' heights: two edges
/// between the same two columns cross when their ends are in opposite orders (edges are
/// curves from one column to the other, monotone in between).
pub fn crossings(g: &Graph, l: &Layout) -> usize {
    let cy: Vec<f64> = l.nodes.iter().map(|p| p.cy()).collect();
    super::order::count_crossings(&super::order::layered_edges(g), |i| cy[i])
}

fn legend_lines(g: &Graph) -> usize {
    g.node_kinds().len() + g.edge_kinds().len() + g.notes.len()
}

fn legend_size(g: &Graph) -> (f64, f64) {
    let mut w: f64 = 80.0;
    for k in g.node_kinds() {
        w = w.max(44.0 + text_w(k.legend(), CW));
    }
    for k in g.edge_kinds() {
        w = w.max(56.0 + text_w(k.style().2, CW));
    }
    for n in &g.notes {
        w = w.max(16.0 + text_w(n, CW));
    }
    (w + 2.0 * PAD, 22.0 + legend_lines(g) as f64 * 16.0 + 4.0)
}

/// Escape text for XML.
pub fn xml(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            _ => out.push(c),
        }
    }
    out
}

fn dash(line: Line) -> &'static str {
    match line {
        Line::Solid => "",
        Line::Dashed => " stroke-dasharray=\"6,4\"",
        Line::Dotted => " stroke-dasharray=\"2,3\"",
    }
}

fn marker_id(k: EdgeKind) -> String {
    format!("arrow-{k:?}").to_lowercase()
}

/// Draw one node's rows.
fn draw_node(o: &mut String, n: &Node, p: &Placed) {
    let (fill, border) = n.kind.colours();
    let _ = writeln!(
        o,
        "<g class=\"node\" id=\"{}\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"{fill}\" stroke=\"{border}\"/>",
        xml(&n.id),
        p.x,
        p.y,
        p.w,
        p.h
    );
    let bar_label = bar_label_w(n);
    // Row tops first, so each embedded struct's box can be drawn under its rows.
    let mut tops = Vec::with_capacity(n.rows.len());
    let mut yy = p.y;
    for r in &n.rows {
        tops.push(yy);
        yy += match r {
            Row::Title(_) => TITLE_H,
            Row::End => END_H,
            _ => ROW_H,
        };
    }
    let mut open: Vec<(usize, f64)> = Vec::new();
    for (i, r) in n.rows.iter().enumerate() {
        match r {
            Row::Begin(_) => open.push((i, open.len() as f64)),
            Row::End => {
                if let Some((b, depth)) = open.pop() {
                    let inset = (depth + 1.0) * INDENT - 2.0;
                    let _ = writeln!(
                        o,
                        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#ffffff\" fill-opacity=\"0.55\" stroke=\"{border}\" stroke-width=\"0.8\"/>",
                        p.x + inset,
                        tops[b] + 1.0,
                        p.w - 2.0 * inset,
                        tops[i] + END_H - tops[b] - 2.0
                    );
                }
            }
            _ => {}
        }
    }
    let mut depth = 0.0;
    for (i, r) in n.rows.iter().enumerate() {
        let top = tops[i];
        let base = top + ROW_H - 4.0;
        let ind = depth * INDENT * 2.0;
        let left = p.x + PAD + ind;
        let right = p.x + p.w - PAD - ind;
        match r {
            Row::Title(t) => {
                let _ = writeln!(
                    o,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{TITLE_H}\" rx=\"3\" fill=\"{border}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-weight=\"bold\" fill=\"#ffffff\" text-anchor=\"middle\">{}</text>",
                    p.x,
                    top,
                    p.w,
                    p.x + p.w / 2.0,
                    top + TITLE_H - 5.5,
                    xml(t)
                );
            }
            Row::Text(t) => {
                let _ = writeln!(o, "<text x=\"{left:.1}\" y=\"{base:.1}\">{}</text>", xml(t));
            }
            Row::Mark(t) => {
                let _ = writeln!(
                    o,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#ffe066\"/><text x=\"{left:.1}\" y=\"{base:.1}\" font-weight=\"bold\">{}</text>",
                    left - 3.0,
                    top + 1.0,
                    right - left + 6.0,
                    ROW_H - 2.0,
                    xml(t)
                );
            }
            Row::Field(k, v) => {
                let _ = writeln!(
                    o,
                    "<text x=\"{left:.1}\" y=\"{base:.1}\" fill=\"#444444\">{}</text><text x=\"{right:.1}\" y=\"{base:.1}\" text-anchor=\"end\">{}</text>",
                    xml(k),
                    xml(v)
                );
            }
            Row::Bar {
                label,
                fill: f,
                tick,
                text,
            } => {
                let bx = left + bar_label;
                let f = f.clamp(0.0, 1.0);
                let colour = if f >= 0.999 { "#d04040" } else { "#4a90d0" };
                let _ = writeln!(
                    o,
                    "<text x=\"{left:.1}\" y=\"{base:.1}\" fill=\"#444444\">{}</text><rect x=\"{bx:.1}\" y=\"{:.1}\" width=\"{BAR_W}\" height=\"9\" fill=\"#ffffff\" stroke=\"#888888\" stroke-width=\"0.8\"/><rect x=\"{bx:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"9\" fill=\"{colour}\"/>",
                    xml(label),
                    top + 3.0,
                    top + 3.0,
                    f * BAR_W
                );
                if let Some(t) = tick {
                    let tx = bx + t.clamp(0.0, 1.0) * BAR_W;
                    let _ = writeln!(
                        o,
                        "<line x1=\"{tx:.1}\" y1=\"{:.1}\" x2=\"{tx:.1}\" y2=\"{:.1}\" stroke=\"#000000\" stroke-width=\"1.5\"/>",
                        top + 1.0,
                        top + 14.0
                    );
                }
                let _ = writeln!(
                    o,
                    "<text x=\"{right:.1}\" y=\"{base:.1}\" text-anchor=\"end\">{}</text>",
                    xml(text)
                );
            }
            Row::Begin(t) => {
                let _ = writeln!(
                    o,
                    "<text x=\"{:.1}\" y=\"{base:.1}\" font-style=\"italic\" fill=\"#333333\">{}</text>",
                    left + INDENT - 2.0,
                    xml(t)
                );
                depth += 1.0;
            }
            Row::End => depth -= 1.0,
        }
    }
    o.push_str("</g>\n");
}

/// The edge's path from `a` to `b` and the point where its label goes.
/// How far right of its ends an edge within one column bends (its control points; the curve
/// itself reaches three quarters of that).
fn bulge(a: &Placed, b: &Placed) -> f64 {
    28.0 + (b.cy() - a.cy()).abs().min(200.0) * 0.12
}

fn edge_path(a: &Placed, b: &Placed, same_col: bool) -> (String, f64, f64) {
    let (sx, ex, c1x, c2x);
    let (sy, ey) = (a.cy(), b.cy());
    if same_col {
        sx = a.x + a.w;
        ex = b.x + b.w;
        c1x = sx + bulge(a, b);
        c2x = ex + bulge(a, b);
    } else if a.x < b.x {
        sx = a.x + a.w;
        ex = b.x - 1.5;
        let d = (ex - sx) / 2.0;
        c1x = sx + d;
        c2x = ex - d;
    } else {
        sx = a.x;
        ex = b.x + b.w + 1.5;
        let d = (sx - ex) / 2.0;
        c1x = sx - d;
        c2x = ex + d;
    }
    let mx = 0.125 * sx + 0.375 * c1x + 0.375 * c2x + 0.125 * ex;
    let my = 0.5 * sy + 0.5 * ey;
    (
        format!("M{sx:.1},{sy:.1} C{c1x:.1},{sy:.1} {c2x:.1},{ey:.1} {ex:.1},{ey:.1}"),
        mx,
        my,
    )
}

/// Render `g` as a standalone SVG document.
pub fn to_svg(g: &Graph) -> String {
    let l = layout(g);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"{FONT}\">",
        w = l.width,
        h = l.height
    );
    let _ = writeln!(o, "<title>{}</title>", xml(&g.title));
    o.push_str("<defs>\n");
    for k in g.edge_kinds() {
        let (_, colour, _) = k.style();
        let _ = writeln!(
            o,
            "<marker id=\"{}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{colour}\"/></marker>",
            marker_id(k)
        );
    }
    o.push_str("</defs>\n");
    let _ = writeln!(
        o,
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        l.width, l.height
    );
    let _ = writeln!(
        o,
        "<text x=\"{MARGIN}\" y=\"{:.1}\" font-size=\"14\" font-weight=\"bold\">{}</text>",
        MARGIN + 12.0,
        xml(&g.title)
    );
    for (i, (col, (x, w))) in l.columns.iter().enumerate() {
        let name = g.columns.get(*col).or_else(|| g.columns.get(i));
        if let Some(name) = name {
            let _ = writeln!(
                o,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-style=\"italic\" fill=\"#777777\">{}</text>",
                x + w / 2.0,
                MARGIN + HEADER - 12.0,
                xml(name)
            );
        }
    }
    // Edge labels and box labels, drawn after the edges and nodes.
    let mut labels = String::new();
    for (c, r) in l.clusters.iter().enumerate() {
        if let Some((x, y, w, h)) = r {
            let _ = writeln!(
                o,
                "<g class=\"cluster\"><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"6\" fill=\"#fbfbfb\" stroke=\"#999999\"/></g>"
            );
            // The label goes on top of the edges (drawn last), on the box's own colour, so
            // an edge entering the box never runs through its text.
            let _ = writeln!(
                labels,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"15\" fill=\"#fbfbfb\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#555555\" font-weight=\"bold\">{}</text>",
                x + 3.0,
                y + 1.5,
                (text_w(&g.clusters[c].label, CWB) + 6.0).min(w - 6.0),
                x + 6.0,
                y + 13.0,
                xml(&g.clusters[c].label)
            );
        }
    }
    let placed: BTreeMap<&str, (&Node, &Placed)> = g
        .nodes
        .iter()
        .zip(&l.nodes)
        .map(|(n, p)| (n.id.as_str(), (n, p)))
        .collect();
    for e in &g.edges {
        let (Some((na, a)), Some((nb, b))) =
            (placed.get(e.from.as_str()), placed.get(e.to.as_str()))
        else {
            continue;
        };
        let (line, colour, _) = e.kind.style();
        let (d, mx, my) = edge_path(a, b, na.col == nb.col);
        let _ = writeln!(
            o,
            "<path class=\"edge\" d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.3\"{} marker-end=\"url(#{})\"/>",
            dash(line),
            marker_id(e.kind)
        );
        if let Some(t) = &e.label {
            let w = text_w(t, 5.6) + 4.0;
            let _ = writeln!(
                labels,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"12\" fill=\"#ffffff\" fill-opacity=\"0.85\"/><text x=\"{mx:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\" fill=\"{colour}\">{}</text>",
                mx - w / 2.0,
                my - 6.0,
                my + 3.0,
                xml(t)
            );
        }
    }
    for (n, p) in g.nodes.iter().zip(&l.nodes) {
        draw_node(&mut o, n, p);
    }
    o.push_str(&labels);
    // The legend.
    let (lw, lh) = legend_size(g);
    let (lx, ly) = (MARGIN, l.legend_y);
    let _ = writeln!(
        o,
        "<g class=\"legend\"><rect x=\"{lx}\" y=\"{ly:.1}\" width=\"{lw:.1}\" height=\"{lh:.1}\" rx=\"4\" fill=\"#ffffff\" stroke=\"#999999\"/><text x=\"{:.1}\" y=\"{:.1}\" font-weight=\"bold\">legend</text>",
        lx + PAD,
        ly + 15.0
    );
    let mut yy = ly + 22.0;
    for k in g.node_kinds() {
        let (fill, border) = k.colours();
        let _ = writeln!(
            o,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"28\" height=\"11\" fill=\"{fill}\" stroke=\"{border}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            lx + PAD,
            yy + 1.0,
            lx + PAD + 36.0,
            yy + 10.5,
            xml(k.legend())
        );
        yy += 16.0;
    }
    for k in g.edge_kinds() {
        let (line, colour, text) = k.style();
        let _ = writeln!(
            o,
            "<path d=\"M{:.1},{:.1} h38\" stroke=\"{colour}\" stroke-width=\"1.3\"{} marker-end=\"url(#{})\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            lx + PAD,
            yy + 6.5,
            dash(line),
            marker_id(k),
            lx + PAD + 48.0,
            yy + 10.5,
            xml(text)
        );
        yy += 16.0;
    }
    for n in &g.notes {
        let _ = writeln!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-style=\"italic\" fill=\"#555555\">{}</text>",
            lx + PAD,
            yy + 10.5,
            xml(n)
        );
        yy += 16.0;
    }
    o.push_str("</g>\n</svg>\n");
    o
}
