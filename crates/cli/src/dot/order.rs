//! The order of the nodes in each column of a view, chosen so that edges cross as little as
//! the view's shape allows.
//!
//! **Kernel:** none; drawing plumbing. A view fixes each node's column and box (one box per
//! hierarchy, stacked in the hierarchies' order); what is left free is the order of the nodes
//! of one column inside one box (or outside every box), a *segment*. Two edges between the
//! same two columns cross exactly when their ends are in opposite orders in the two columns, so
//! the crossings are counted from the orders alone ([`crossings`]), and both back-ends draw
//! the order they are given: the built-in SVG layout keeps it (it only chooses heights) and
//! the DOT text lists the nodes in it, which is where Graphviz's own crossing minimisation
//! starts.
//!
//! The search is the layered layouts' (Sugiyama et al.): barycenter sweeps, left to right and
//! back (each node moves to the mean position of its neighbours in the column just placed),
//! then, segment by segment, every permutation of a small segment (up to [`EXACT`] nodes) or
//! adjacent exchanges in a larger one, until no change removes a crossing. Changes are kept
//! only when they remove crossings, so a view that has none keeps the order it was built in
//! (a tree's depth-first order, the css_sets' list order).
//!
//! Some crossings cannot be removed: with the hierarchies' boxes stacked in one column, each
//! css_set has one link in every box, so for two css_sets and two boxes, the upper css_set's
//! link in the lower box and the lower css_set's link in the upper box always cross (the fan
//! between css_sets and links); the `links` view halves that fan by putting every other
//! hierarchy on the right.

use super::graph::Graph;
use std::collections::BTreeMap;

/// Segments this small are ordered by trying every permutation.
pub const EXACT: usize = 6;

/// Graphs with more edges than this only get the barycenter sweeps (counting is quadratic in
/// the edges, and the search counts once per permutation).
const SEARCH_EDGES: usize = 120;

/// The node indices of each segment, in order: keyed by (column, box), where nodes outside
/// every box come before the boxes of their column.
type Segments = BTreeMap<(usize, usize), Vec<usize>>;

fn segments(g: &Graph) -> Segments {
    let mut segs: Segments = BTreeMap::new();
    for (i, n) in g.nodes.iter().enumerate() {
        let key = (n.col, n.cluster.map_or(0, |c| c + 1));
        segs.entry(key).or_default().push(i);
    }
    segs
}

/// Each node's position in its column: segments in order, then the order inside each.
fn positions(n: usize, segs: &Segments) -> Vec<usize> {
    let mut pos = vec![0; n];
    let mut next: BTreeMap<usize, usize> = BTreeMap::new();
    for ((col, _), ids) in segs {
        let p = next.entry(*col).or_insert(0);
        for &i in ids {
            pos[i] = *p;
            *p += 1;
        }
    }
    pos
}

/// The edges between two different columns, as (left node, right node), by column pair.
pub fn layered_edges(g: &Graph) -> BTreeMap<(usize, usize), Vec<(usize, usize)>> {
    let index: BTreeMap<&str, usize> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let mut out: BTreeMap<(usize, usize), Vec<(usize, usize)>> = BTreeMap::new();
    for e in &g.edges {
        let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else {
            continue;
        };
        let (ca, cb) = (g.nodes[a].col, g.nodes[b].col);
        if ca == cb {
            continue;
        }
        let (l, r) = if ca < cb { (a, b) } else { (b, a) };
        out.entry((ca.min(cb), ca.max(cb)))
            .or_default()
            .push((l, r));
    }
    out
}

/// How many pairs of edges cross when each node is at `key(node)` in its column (any numbers
/// that order a column: positions, or heights on the page). Edges that share an end do not
/// count; edges between different pairs of columns never meet.
pub fn count_crossings(
    edges: &BTreeMap<(usize, usize), Vec<(usize, usize)>>,
    key: impl Fn(usize) -> f64,
) -> usize {
    let mut n = 0;
    for es in edges.values() {
        for (k, &(a, b)) in es.iter().enumerate() {
            for &(c, d) in &es[k + 1..] {
                if a == c || b == d {
                    continue;
                }
                if (key(a) - key(c)) * (key(b) - key(d)) < 0.0 {
                    n += 1;
                }
            }
        }
    }
    n
}

/// The crossings of `g` in the order of its node list (each column's nodes outside boxes
/// first, then each box in turn).
pub fn crossings(g: &Graph) -> usize {
    let segs = segments(g);
    let pos = positions(g.nodes.len(), &segs);
    count_crossings(&layered_edges(g), |i| pos[i] as f64)
}

/// Every permutation of `v` (Heap's algorithm), each passed to `f`.
fn permutations(v: &mut Vec<usize>, k: usize, f: &mut impl FnMut(&[usize])) {
    if k <= 1 {
        f(v);
        return;
    }
    for i in 0..k - 1 {
        permutations(v, k - 1, f);
        if k.is_multiple_of(2) {
            v.swap(i, k - 1);
        } else {
            v.swap(0, k - 1);
        }
    }
    permutations(v, k - 1, f);
}

/// One barycenter sweep over the columns, left to right (`forward`) or back: each node of a
/// column moves to the mean position of its neighbours in the columns already swept; nodes
/// without any keep their rank. The `fixed` segment keeps its order.
fn sweep(
    g: &Graph,
    nbrs: &[Vec<usize>],
    segs: &mut Segments,
    cols: &[usize],
    forward: bool,
    fixed: Option<(usize, usize)>,
) {
    let order: Vec<usize> = if forward {
        cols.to_vec()
    } else {
        cols.iter().rev().copied().collect()
    };
    for &col in &order {
        let pos = positions(g.nodes.len(), segs);
        for (key, ids) in segs.iter_mut() {
            if key.0 != col || Some(*key) == fixed {
                continue;
            }
            let bary: Vec<f64> = ids
                .iter()
                .map(|&i| {
                    let side: Vec<f64> = nbrs[i]
                        .iter()
                        .filter(|&&j| (g.nodes[j].col < col) == forward)
                        .map(|&j| pos[j] as f64)
                        .collect();
                    if side.is_empty() {
                        pos[i] as f64
                    } else {
                        side.iter().sum::<f64>() / side.len() as f64
                    }
                })
                .collect();
            let mut idx: Vec<usize> = (0..ids.len()).collect();
            idx.sort_by(|&a, &b| bary[a].total_cmp(&bary[b]).then(a.cmp(&b)));
            *ids = idx.iter().map(|&k| ids[k]).collect();
        }
    }
}

/// How many orders the search may count, at most (a few milliseconds).
const BUDGET: usize = 20_000;

/// Segment by segment, every permutation of a small one (up to [`EXACT`] nodes) and adjacent
/// exchanges in a larger one, keeping what removes crossings; rounds until nothing improves.
fn descend(segs: &mut Segments, best: &mut usize, cost: &mut impl FnMut(&Segments) -> usize) {
    let keys: Vec<(usize, usize)> = segs.keys().copied().collect();
    for _ in 0..8 {
        if *best == 0 {
            break;
        }
        let before = *best;
        for key in &keys {
            let ids = segs[key].clone();
            if ids.len() < 2 {
                continue;
            }
            if ids.len() <= EXACT {
                let mut winner = ids.clone();
                let mut trial = segs.clone();
                let mut v = ids.clone();
                let len = v.len();
                permutations(&mut v, len, &mut |p| {
                    trial.insert(*key, p.to_vec());
                    let c = cost(&trial);
                    if c < *best {
                        *best = c;
                        winner = p.to_vec();
                    }
                });
                segs.insert(*key, winner);
            } else {
                for k in 0..ids.len() - 1 {
                    let mut trial = segs.clone();
                    if let Some(v) = trial.get_mut(key) {
                        v.swap(k, k + 1);
                    }
                    let c = cost(&trial);
                    if c < *best {
                        *best = c;
                        *segs = trial;
                    }
                }
            }
        }
        if *best == before {
            break;
        }
    }
}

/// How many pairs of `order` are the other way round in `view` (the view's own order).
fn distance(order: &[usize], view: &[usize]) -> usize {
    let rank = |i: usize| view.iter().position(|&v| v == i).unwrap_or(0);
    let r: Vec<usize> = order.iter().map(|&i| rank(i)).collect();
    (0..r.len())
        .map(|a| r[a + 1..].iter().filter(|&&b| b < r[a]).count())
        .sum()
}

/// Among the orders of a segment with the fewest crossings, the one closest to the view's own
/// order (a tree's depth-first order, the kernel's list order): moves that cost no crossing
/// put nodes back where the view had them.
fn tidy(segs: &mut Segments, view: &Segments, cost: &mut impl FnMut(&Segments) -> usize) {
    let keys: Vec<(usize, usize)> = segs.keys().copied().collect();
    for key in &keys {
        let ids = segs[key].clone();
        let own = &view[key];
        if ids.len() < 2 || ids == *own {
            continue;
        }
        let mut best = (cost(segs), distance(&ids, own));
        if ids.len() <= EXACT {
            let mut winner = ids.clone();
            let mut trial = segs.clone();
            let mut v = ids.clone();
            let len = v.len();
            permutations(&mut v, len, &mut |p| {
                let d = distance(p, own);
                if d >= best.1 {
                    return;
                }
                trial.insert(*key, p.to_vec());
                let c = cost(&trial);
                if (c, d) < best {
                    best = (c, d);
                    winner = p.to_vec();
                }
            });
            segs.insert(*key, winner);
        } else {
            // Adjacent exchanges toward the view's order that cost nothing.
            for k in 0..ids.len() - 1 {
                let mut trial = segs.clone();
                if let Some(v) = trial.get_mut(key) {
                    v.swap(k, k + 1);
                }
                let (c, d) = (cost(&trial), distance(&trial[key], own));
                if (c, d) < best {
                    best = (c, d);
                    *segs = trial;
                }
            }
        }
    }
}

/// Reorder the nodes of `g` inside each segment so that fewer edges cross; the node list keeps
/// its slots (a segment's nodes trade places among themselves), so DOT text lists them in the
/// new order and everything else about the graph stays as the view built it.
pub fn order(g: &mut Graph) {
    let edges = layered_edges(g);
    let nedges: usize = edges.values().map(Vec::len).sum();
    if nedges == 0 {
        return;
    }
    let n = g.nodes.len();
    let mut segs = segments(g);
    let cost = |segs: &Segments| {
        let pos = positions(n, segs);
        count_crossings(&edges, |i| pos[i] as f64)
    };
    let mut best = cost(&segs);
    // Neighbours in other columns, either direction.
    let mut nbrs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for es in edges.values() {
        for &(a, b) in es {
            nbrs[a].push(b);
            nbrs[b].push(a);
        }
    }
    let cols: Vec<usize> = {
        let mut c: Vec<usize> = segs.keys().map(|(c, _)| *c).collect();
        c.dedup();
        c
    };
    // Barycenter sweeps, kept when they remove crossings.
    for pass in 0..4 {
        if best == 0 {
            break;
        }
        let mut trial = segs.clone();
        sweep(g, &nbrs, &mut trial, &cols, pass % 2 == 0, None);
        let c = cost(&trial);
        if c < best {
            best = c;
            segs = trial;
        }
    }
    // Then segment by segment until nothing improves; then, for the segments outside every
    // box (the css_sets' column, which every box's links share), each order of theirs as a new
    // start, since a better order there may only pay off once the boxes are reordered too.
    if nedges <= SEARCH_EDGES {
        let budget = std::cell::Cell::new(BUDGET);
        let mut cost = |segs: &Segments| {
            budget.set(budget.get().saturating_sub(1));
            cost(segs)
        };
        descend(&mut segs, &mut best, &mut cost);
        let free: Vec<(usize, usize)> = segs
            .iter()
            .filter(|(k, ids)| k.1 == 0 && ids.len() > 1 && ids.len() <= EXACT)
            .map(|(k, _)| *k)
            .collect();
        for key in free {
            let mut v = segs[&key].clone();
            let len = v.len();
            let mut starts = Vec::new();
            permutations(&mut v, len, &mut |p| starts.push(p.to_vec()));
            for p in starts {
                if best == 0 || budget.get() == 0 {
                    break;
                }
                // The new order, then the other columns swept to follow it.
                let mut trial = segs.clone();
                trial.insert(key, p);
                sweep(g, &nbrs, &mut trial, &cols, true, Some(key));
                sweep(g, &nbrs, &mut trial, &cols, false, Some(key));
                let mut c = cost(&trial);
                descend(&mut trial, &mut c, &mut cost);
                if c < best {
                    best = c;
                    segs = trial;
                }
            }
        }
        tidy(&mut segs, &segments(g), &mut cost);
    }
    // Put each segment's nodes back into the slots that segment had in the node list.
    let old = segments(g);
    let mut nodes = g.nodes.clone();
    for (key, slots) in &old {
        for (&slot, &i) in slots.iter().zip(&segs[key]) {
            nodes[slot] = g.nodes[i].clone();
        }
    }
    g.nodes = nodes;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dot::graph::{EdgeKind, NodeKind};

    /// Two columns: `left[i]` -> `right[j]` for each pair of `edges`, nodes in the given order.
    fn two_columns(left: &[&str], right: &[&str], edges: &[(&str, &str)]) -> Graph {
        let mut g = Graph::default();
        for l in left {
            g.node(l, NodeKind::CssSet, 0, None, Vec::new());
        }
        for r in right {
            g.node(r, NodeKind::Cgroup, 1, Some(0), Vec::new());
        }
        for (a, b) in edges {
            g.edge(a, b, EdgeKind::CgLinks, None);
        }
        g
    }

    fn ids(g: &Graph, col: usize) -> Vec<&str> {
        g.nodes
            .iter()
            .filter(|n| n.col == col)
            .map(|n| n.id.as_str())
            .collect()
    }

    #[test]
    fn crossings_are_removed() {
        let mut g = two_columns(&["a", "b"], &["x", "y"], &[("a", "y"), ("b", "x")]);
        assert_eq!(crossings(&g), 1);
        order(&mut g);
        assert_eq!(crossings(&g), 0);
        // One column moved, and the other kept the view's order.
        assert!(ids(&g, 0) == ["a", "b"] || ids(&g, 1) == ["x", "y"]);
    }

    #[test]
    fn a_drawing_without_crossings_keeps_the_views_order() {
        let mut g = two_columns(
            &["a", "b", "c"],
            &["x", "u", "y", "z"],
            &[("a", "x"), ("b", "y"), ("c", "z")],
        );
        let before = g.clone();
        order(&mut g);
        assert_eq!(g, before);
    }

    #[test]
    fn among_the_best_orders_the_closest_to_the_view() {
        // `u` has no edge: fixing the crossing moves `z` above `y` only, not above `u` too.
        let mut g = two_columns(
            &["a", "b", "c"],
            &["x", "u", "y", "z"],
            &[("a", "x"), ("b", "z"), ("c", "y")],
        );
        order(&mut g);
        assert_eq!(crossings(&g), 0);
        assert_eq!(ids(&g, 0), ["a", "b", "c"]);
        assert_eq!(ids(&g, 1), ["x", "u", "z", "y"]);
    }
}
