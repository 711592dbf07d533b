//! The `v2` view: the object model of Linux 6.6, the default hierarchy beside the v1 ones.
//!
//! **Kernel:** `include/linux/cgroup-defs.h` and `kernel/cgroup/cgroup.c` (v6.6):
//! `struct cgroup_root` (`cgrp_dfl_root`, hierarchy 0, mounted as `cgroup2`, and one per v1
//! hierarchy), `struct cgroup` with `subtree_control` and `subsys[]` (a css only for the
//! controllers its parent enables), `struct css_set` whose `subsys[]` holds the *effective* css
//! (the nearest ancestor's that has the controller, `cgroup_e_css`), and `struct cgrp_cset_link`,
//! the M:N join between css_sets and cgroups that 2.6's `cg_cgroup_link` became (3.14): one
//! link per hierarchy, the default one included.
//!
//! Columns, left to right: tasks | css_sets | cgrp_cset_links | cgroups of `cgrp_dfl_root` |
//! cgroups of the v1 hierarchies, so v1 and v2 are drawn side by side when both are mounted.
//! On a preset without the default hierarchy the view says so and draws the v1 hierarchies
//! alone.

use super::graph::{Cluster, EdgeKind, Graph, NodeKind, Row};
use super::model::ObjectGraph;
use super::views::ViewOpts;
use cgsim_cgroup::CoreSnapshot;
use std::collections::BTreeMap;

/// What the v2 view needs beyond the v1 model: which hierarchy is `cgrp_dfl_root`, and each
/// cgroup's `subtree_control`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DflInfo {
    /// The kernel has the default hierarchy (the 6.6 preset).
    pub present: bool,
    /// It was mounted once (`cgrp_dfl_visible`).
    pub visible: bool,
    /// `subtree_control` of each cgroup node id of the default hierarchy, as controller names.
    pub subtree_control: BTreeMap<String, Vec<String>>,
    /// `nr_dying_descendants` of each cgroup node id that has dying descendants (removed
    /// cgroups whose csses are offline but not yet freed, e.g. memcgs with charged pages).
    pub nr_dying: BTreeMap<String, usize>,
}

/// Fill [`DflInfo`] from the core's snapshot (`cg_node` maps cgroups to their node ids).
pub fn dfl_info(
    snap: &CoreSnapshot,
    cg_node: &BTreeMap<cgsim_cgroup::CgroupId, String>,
) -> DflInfo {
    let mut info = DflInfo {
        present: snap.cgroup2,
        visible: snap.dfl_visible,
        ..DflInfo::default()
    };
    for c in snap.cgroups.iter().filter(|c| c.root.is_rootnode()) {
        let names = snap
            .subsys
            .iter()
            .filter(|s| c.subtree_control & (1 << s.id) != 0)
            .map(|s| s.name.clone())
            .collect();
        if let Some(id) = cg_node.get(&c.id) {
            info.subtree_control.insert(id.clone(), names);
            if c.nr_dying_descendants > 0 {
                info.nr_dying.insert(id.clone(), c.nr_dying_descendants);
            }
        }
    }
    info
}

/// The `v2` view.
pub fn unified(m: &ObjectGraph, opts: &ViewOpts) -> Graph {
    let dfl = m.dfl.clone().unwrap_or_default();
    // 3.14 renamed the join; a kernel without the default hierarchy is older than that here.
    let link_name = if dfl.present {
        "cgrp_cset_link"
    } else {
        "cg_cgroup_link"
    };
    let mut g = Graph {
        title: "v2: css_set <-> cgrp_cset_link <-> cgroup, cgrp_dfl_root beside the v1 \
                hierarchies"
            .to_string(),
        columns: vec![
            "tasks".into(),
            "css_sets".into(),
            "cgrp_cset_links".into(),
            "cgrp_dfl_root (cgroup2)".into(),
            "v1 hierarchies".into(),
        ],
        ..Graph::default()
    };
    if !dfl.present {
        g.notes.push(
            "this kernel has no default hierarchy (boot with --kernel 6.6 for cgroup v2)".into(),
        );
    } else if !dfl.visible {
        g.notes
            .push("cgroup2 is not mounted yet (mount -t cgroup2 none /sys/fs/cgroup)".into());
    }
    for t in &m.tasks {
        g.node(
            &format!("task{}", t.pid),
            NodeKind::Task,
            0,
            None,
            vec![
                Row::Title(format!("task {}", t.pid)),
                Row::Text(t.comm.clone()),
            ],
        );
    }
    // Which column and cluster each drawn cgroup is in.
    let mut place: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for h in &m.hierarchies {
        let on_dfl = h.is_rootnode && dfl.present;
        if h.is_rootnode && !on_dfl && !opts.all_subsys {
            continue;
        }
        let label = if on_dfl {
            "cgroup_root cgrp_dfl_root: hierarchy 0 (cgroup2)".to_string()
        } else {
            format!("cgroup_root: {}", h.label)
        };
        g.clusters.push(Cluster { label });
        let ci = g.clusters.len() - 1;
        let col = if on_dfl { 3 } else { 4 };
        for c in &h.cgroups {
            place.insert(c.id.as_str(), (col, ci));
            let mut rows = vec![Row::Title(format!("cgroup {}", c.path))];
            if on_dfl {
                let sc = dfl.subtree_control.get(&c.id).cloned().unwrap_or_default();
                rows.push(Row::Field(
                    "subtree_control".into(),
                    if sc.is_empty() {
                        "-".into()
                    } else {
                        sc.join(" ")
                    },
                ));
                // Dying descendants (offline csses not yet freed), drawn only when there are.
                if let Some(n) = dfl.nr_dying.get(&c.id) {
                    rows.push(Row::Field("nr_dying_descendants".into(), n.to_string()));
                }
            }
            // Own csses only: on v2 a cgroup has one for each controller its parent enables.
            let own: Vec<&str> = c
                .css
                .iter()
                .filter(|s| s.owned && (on_dfl || opts.all_subsys || m.is_bound(&s.subsys)))
                .map(|s| s.subsys.as_str())
                .collect();
            rows.push(Row::Field(
                "subsys[]".into(),
                if own.is_empty() {
                    "-".into()
                } else {
                    own.join(" ")
                },
            ));
            g.node(&c.id, NodeKind::Cgroup, col, Some(ci), rows);
            if let Some(p) = &c.parent {
                g.edge(p, &c.id, EdgeKind::Children, None);
            }
        }
    }
    // The css_sets, with their effective csses, and one cgrp_cset_link per hierarchy.
    let css_owner: BTreeMap<&str, &str> = m
        .hierarchies
        .iter()
        .flat_map(|h| h.cgroups.iter())
        .flat_map(|c| {
            c.css
                .iter()
                .filter(|s| s.owned)
                .map(move |s| (s.id.as_str(), c.path.as_str()))
        })
        .collect();
    for cs in &m.css_sets {
        let mut rows = vec![
            Row::Title(format!("css_set {}", cs.id)),
            Row::Field("refcount".into(), cs.refcount.to_string()),
        ];
        for (ss, css) in &cs.subsys {
            if !opts.all_subsys && !m.is_bound(ss) && !dfl.present {
                continue;
            }
            let owner = css_owner.get(css.as_str()).copied().unwrap_or("?");
            rows.push(Row::Field(
                format!("subsys[{ss}]"),
                format!("css of {owner}"),
            ));
        }
        g.node(&cs.id, NodeKind::CssSet, 1, None, rows);
        for (i, cg) in cs.links.iter().enumerate() {
            let Some(&(_, ci)) = place.get(cg.as_str()) else {
                continue;
            };
            let link = format!("{}_link{i}", cs.id);
            g.node(
                &link,
                NodeKind::Link,
                2,
                Some(ci),
                vec![Row::Text(link_name.to_string())],
            );
            g.edge(&cs.id, &link, EdgeKind::CgLinks, None);
            g.edge(&link, cg, EdgeKind::LinkCgrp, None);
        }
    }
    for t in &m.tasks {
        g.edge(
            &format!("task{}", t.pid),
            &t.css_set,
            EdgeKind::TaskCssSet,
            None,
        );
    }
    if dfl.present {
        g.notes.push(
            "cgrp_cset_link is 3.14+'s name for cg_cgroup_link; a css_set's subsys[] holds the \
             effective css (the nearest ancestor's with the controller enabled)"
                .into(),
        );
    }
    g
}
