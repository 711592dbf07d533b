//! Edge crossings of the `all` and `links` views with three and four hierarchies mounted:
//! the crossings are counted from the built-in layout's coordinates and must equal the fewest
//! that the views' shape allows, computed here by brute force from the graph alone.

use cgsim::Shell;
use cgsim::dot::graph::NodeKind;
use cgsim::dot::{Graph, View, ViewOpts, graph_of, svg, views};
use cgsim_cgroupfs::BootParams;
use std::collections::{BTreeMap, BTreeSet};

/// cpu, cpuacct and memory on three hierarchies; two sleepers in different cgroups: three
/// css_sets (init's and one per sleeper).
const THREE: &str = "\
mkdir -p /cg/cpu /cg/acct /cg/mem
mount -t cgroup -o cpu none /cg/cpu
mount -t cgroup -o cpuacct none /cg/acct
mount -t cgroup -o memory none /cg/mem
mkdir /cg/cpu/A /cg/cpu/B /cg/acct/X /cg/mem/M
sleep 1000 &
echo $! > /cg/cpu/B/tasks
echo $! > /cg/mem/M/tasks
sleep 1000 &
echo $! > /cg/cpu/A/tasks
echo $! > /cg/acct/X/tasks
";

/// The same plus a named hierarchy without subsystems (`none,name=x`), where the first
/// sleeper goes too.
const FOUR: &str = "\
mkdir -p /cg/cpu /cg/acct /cg/mem /cg/x
mount -t cgroup -o cpu none /cg/cpu
mount -t cgroup -o cpuacct none /cg/acct
mount -t cgroup -o memory none /cg/mem
mount -t cgroup -o none,name=x none /cg/x
mkdir /cg/cpu/A /cg/cpu/B /cg/acct/X /cg/mem/M /cg/x/N
sleep 1000 &
echo $! > /cg/cpu/B/tasks
echo $! > /cg/mem/M/tasks
echo $! > /cg/x/N/tasks
sleep 1000 &
echo $! > /cg/cpu/A/tasks
echo $! > /cg/acct/X/tasks
";

fn graph(script: &str, view: View) -> Graph {
    let mut sh = Shell::new(cgsim::boot(BootParams::default()));
    let (text, status) = cgsim::transcript_of(&mut sh, script);
    assert_eq!(status, 0, "{text}");
    let model = graph_of(sh.kernel()).expect("snapshot");
    views::build(&model, view, &ViewOpts::default())
}

/// Every order of `items`.
fn perms(items: &[usize]) -> Vec<Vec<usize>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for (k, &x) in items.iter().enumerate() {
        let mut rest = items.to_vec();
        rest.remove(k);
        for mut p in perms(&rest) {
            p.insert(0, x);
            out.push(p);
        }
    }
    out
}

/// The fewest crossings a drawing of this shape can have, by brute force over the orders of
/// the css_sets and of each box's cgroups. Tasks sort by their css_set and links, in each box,
/// by their css_set, at no cost. What cannot be helped: for two css_sets and two boxes on the
/// same side of the css_sets, the upper css_set's link in the lower box crosses the lower
/// css_set's link in the upper box; and in a box, two links whose css_sets and cgroups are in
/// opposite orders cross on one side of the link column or the other.
fn fewest(g: &Graph) -> usize {
    let col = |id: &str| g.nodes.iter().find(|n| n.id == id).expect("node");
    let sets: Vec<&str> = g
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::CssSet)
        .map(|n| n.id.as_str())
        .collect();
    let set_col = col(sets[0]).col;
    // Per box: its side of the css_sets and its (css_set, cgroup) pairs through links.
    let mut boxes: BTreeMap<usize, (bool, Vec<(usize, String)>)> = BTreeMap::new();
    for e in &g.edges {
        let link = col(&e.to);
        if link.kind != NodeKind::Link {
            continue;
        }
        let cg = g
            .edges
            .iter()
            .find(|f| f.from == link.id)
            .expect("link -> cgroup");
        let s = sets.iter().position(|s| *s == e.from).expect("css_set");
        let b = boxes
            .entry(link.cluster.expect("links are in boxes"))
            .or_insert((link.col < set_col, Vec::new()));
        b.1.push((s, cg.to.clone()));
    }
    let pairs = |k: usize| k * k.saturating_sub(1) / 2;
    let left = boxes.values().filter(|b| b.0).count();
    let right = boxes.len() - left;
    let fan = pairs(sets.len()) * (pairs(left) + pairs(right));
    let n: Vec<usize> = (0..sets.len()).collect();
    let mut best = usize::MAX;
    for order in perms(&n) {
        let rank: Vec<usize> = (0..sets.len())
            .map(|s| order.iter().position(|&o| o == s).expect("in order"))
            .collect();
        let mut total = fan;
        for (_, links) in boxes.values() {
            let cgroups: Vec<&String> = links
                .iter()
                .map(|(_, c)| c)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let idx: Vec<usize> = (0..cgroups.len()).collect();
            let mut fewest_here = usize::MAX;
            for co in perms(&idx) {
                let at = |c: &String| {
                    let k = cgroups.iter().position(|x| *x == c).expect("cgroup");
                    co.iter().position(|&o| o == k).expect("in order")
                };
                let mut inv = 0;
                for (i, (s1, c1)) in links.iter().enumerate() {
                    for (s2, c2) in &links[i + 1..] {
                        let (r1, r2, a1, a2) = (rank[*s1], rank[*s2], at(c1), at(c2));
                        if a1 != a2 && (r1 < r2) != (a1 < a2) {
                            inv += 1;
                        }
                    }
                }
                fewest_here = fewest_here.min(inv);
            }
            total += fewest_here;
        }
        best = best.min(total);
    }
    best
}

/// The laid-out crossings of a view equal the fewest possible, and are these many.
fn check(script: &str, view: View, expect: usize) {
    let g = graph(script, view);
    let layout = svg::layout(&g);
    let drawn = svg::crossings(&g, &layout);
    let bound = fewest(&g);
    assert_eq!(
        drawn,
        bound,
        "{}: {drawn} crossings drawn, {bound} possible",
        view.name()
    );
    assert_eq!(drawn, expect, "{}", view.name());
    // The DOT text lists the nodes in the same order.
    assert_eq!(cgsim::dot::order::crossings(&g), drawn);
}

#[test]
fn three_hierarchies_cross_only_where_they_must() {
    // `all`: 3 css_sets × 3 boxes stacked: 3 × 3 = 9 crossings of the fan, none in a box.
    check(THREE, View::All, 9);
    // `links`: two boxes on the left, one on the right: 3 × 1.
    check(THREE, View::Links, 3);
}

#[test]
fn four_hierarchies_cross_only_where_they_must() {
    // `all`: 3 css_sets × 4 boxes: 3 × 6 = 18.
    check(FOUR, View::All, 18);
    // `links`: two boxes on each side: 3 × (1 + 1).
    check(FOUR, View::Links, 6);
}

#[test]
fn views_of_three_and_four_hierarchies() {
    for (name, script) in [("three", THREE), ("four", FOUR)] {
        for view in [View::All, View::Links] {
            let g = graph(script, view);
            insta::assert_snapshot!(
                format!("{name}_hierarchies_{}", view.name()),
                cgsim::dot::graph::to_dot(&g)
            );
        }
    }
}

/// Graphviz, given the DOT text, finds the same fewest crossings (when it is installed): the
/// node order is its starting point, and a backward edge is written forward (`dir=back`) so
/// that its crossing minimisation counts it.
#[test]
fn graphviz_follows_the_order() {
    if !cgsim::dot::graphviz_available() {
        eprintln!("Graphviz is not installed: skipped");
        return;
    }
    for script in [THREE, FOUR] {
        for view in [View::All, View::Links] {
            let g = graph(script, view);
            let dot = cgsim::dot::graph::to_dot(&g);
            let mut child = std::process::Command::new("dot")
                .arg("-Tplain")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("dot");
            std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), dot.as_bytes())
                .expect("write");
            let out = child.wait_with_output().expect("dot -Tplain");
            let plain = String::from_utf8(out.stdout).expect("utf-8");
            // `node NAME X Y ...`: with rankdir=LR a column's order is its Y.
            let y: BTreeMap<String, f64> = plain
                .lines()
                .filter_map(|l| {
                    let f: Vec<&str> = l.split_whitespace().collect();
                    (f.first() == Some(&"node"))
                        .then(|| (f[1].trim_matches('"').to_string(), f[3].parse().expect("y")))
                })
                .collect();
            let drawn =
                cgsim::dot::order::count_crossings(&cgsim::dot::order::layered_edges(&g), |i| {
                    y[&g.nodes[i].id]
                });
            assert_eq!(drawn, fewest(&g), "{}:\n{dot}", view.name());
        }
    }
}
