//! The views: one picture per concept of the kernel's `Documentation/cgroups/cgroups.txt`, each built from the snapshot model.
//!
//! **Kernel:** `kernel/cgroup.c` 2.6.25 (`cgroupfs_root`, `cgroup`, `css_set`,
//! `cg_cgroup_link`), `mm/memcontrol.c` 2.6.34/2.6.35 (`struct mem_cgroup`, thresholds,
//! `under_oom`), `kernel/cgroup.c` 2.6.34 (`struct cgroup_event`).
//! Every view puts its objects in fixed columns, left to right in pointer order
//! (tasks | css_sets | cg_cgroup_links | cgroups), groups a hierarchy's objects in one box, and
//! hides the dummy hierarchy and the subsystems bound to no hierarchy unless asked
//! (`--all-subsys`): nothing follows those pointers while the subsystem is unmounted.

use super::graph::{EdgeKind, Graph, NodeKind, Row};
use super::model::{CounterState, Focus, MemcgNode, ObjectGraph};
use std::collections::BTreeMap;

/// The views `cgsim dot VIEW` draws.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum View {
    /// A cgroupfs_root, its cgroup tree and each cgroup's css.
    Hierarchy,
    /// Each cgroup's subsystem states: `mem_cgroup` around its css, the others' css.
    Css,
    /// Tasks → css_set, with `subsys[]` as a table inside the css_set.
    Sets,
    /// css_set ↔ cg_cgroup_link ↔ cgroup (the M:N relation), one box per hierarchy.
    Links,
    /// The memory controller's state: counters as bars, thresholds, OOM, LRU sizes.
    Memcg,
    /// cgroup_event → eventfd_ctx → the listening task.
    Events,
    /// Tasks, css_sets, links and cgroups in one picture.
    All,
    /// The 6.6 object model: css_set <-> cgrp_cset_link <-> cgroup, the default hierarchy
    /// (`cgrp_dfl_root`) beside the v1 hierarchies (`unified.rs`).
    V2,
}

/// Every view, in the order `cgsim dot --help` lists them.
pub const VIEWS: [(&str, View); 8] = [
    ("hierarchy", View::Hierarchy),
    ("css", View::Css),
    ("sets", View::Sets),
    ("links", View::Links),
    ("memcg", View::Memcg),
    ("events", View::Events),
    ("all", View::All),
    ("v2", View::V2),
];

impl View {
    /// The view called `name`.
    pub fn parse(name: &str) -> Option<View> {
        VIEWS.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
    }

    /// The view's name.
    pub fn name(self) -> &'static str {
        VIEWS
            .iter()
            .find(|(_, v)| *v == self)
            .map(|(n, _)| *n)
            .unwrap_or("all")
    }
}

/// What a view shows besides its objects.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewOpts {
    pub focus: Focus,
    /// Show the dummy hierarchy and the subsystems bound to no hierarchy.
    pub all_subsys: bool,
}

/// A byte count the way a learner reads it: `unlimited` for `RESOURCE_MAX`, else K/M/G
/// when exact, else bytes.
pub fn human(v: u64) -> String {
    if v >= (i64::MAX as u64) - 4095 {
        return "unlimited".to_string();
    }
    for (unit, s) in [(1u64 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")] {
        if v >= unit && v.is_multiple_of(unit) {
            return format!("{}{s}", v / unit);
        }
    }
    v.to_string()
}

fn limited(limit: u64) -> bool {
    limit < (i64::MAX as u64) - 4095
}

/// A counter as a bar: usage against the limit, with a tick at max_usage.
fn counter_bar(label: &str, c: &CounterState) -> Row {
    if limited(c.limit) && c.limit > 0 {
        Row::Bar {
            label: label.to_string(),
            fill: c.usage as f64 / c.limit as f64,
            tick: (c.max_usage > 0).then(|| c.max_usage as f64 / c.limit as f64),
            text: format!("{} / {}", human(c.usage), human(c.limit)),
        }
    } else {
        Row::Bar {
            label: label.to_string(),
            fill: 0.0,
            tick: None,
            text: format!("{} / unlimited", human(c.usage)),
        }
    }
}

fn hide_note(g: &ObjectGraph, opts: &ViewOpts) -> Option<String> {
    if opts.all_subsys {
        return None;
    }
    let unbound: Vec<&str> = g
        .subsys
        .iter()
        .filter(|s| s.hierarchy.is_none())
        .map(|s| s.name.as_str())
        .collect();
    if unbound.is_empty() {
        return Some("hidden: the dummy hierarchy (--all-subsys shows it)".to_string());
    }
    Some(format!(
        "hidden: the dummy hierarchy and {} (bound to no hierarchy; --all-subsys shows them)",
        unbound.join(", ")
    ))
}

fn focus_note(view: View, opts: &ViewOpts) -> Option<String> {
    match &opts.focus {
        Focus::Everything => None,
        Focus::Cgroup(p) if view == View::Memcg => {
            Some(format!("focus: the memcgs at {p} and below"))
        }
        Focus::Cgroup(p) => Some(format!(
            "focus: the cgroups at {p} and below, their css_sets and tasks"
        )),
        Focus::Pid(p) => Some(format!("focus: task {p}, its css_set and its cgroups")),
    }
}

/// Build `view` from the model.
pub fn build(model: &ObjectGraph, view: View, opts: &ViewOpts) -> Graph {
    let m = model.focus(&opts.focus);
    let mut g = match view {
        View::Hierarchy => hierarchy(&m, opts),
        View::Css => css(&m, opts),
        View::Sets => sets(&m, opts),
        View::Links => links(&m, opts),
        View::Memcg => memcg(&m, &opts.focus),
        View::Events => events(&m),
        View::All => all(&m, opts),
        View::V2 => super::unified::unified(&m, opts),
    };
    g.view = view.name().to_string();
    let mounted = m.hierarchies.iter().any(|h| !h.is_rootnode);
    if !mounted
        && !opts.all_subsys
        && view != View::Memcg
        && view != View::Events
        && view != View::V2
    {
        g.notes
            .push("no hierarchy is mounted yet (mount -t cgroup -o SUBSYS none DIR)".to_string());
    }
    // The v2 view draws the default hierarchy itself: nothing is hidden there.
    if view != View::Memcg && view != View::Events && view != View::V2 {
        g.notes.extend(hide_note(model, opts));
    }
    g.notes.extend(focus_note(view, opts));
    super::order::order(&mut g);
    g
}

/// The hierarchies a view draws: the dummy one only with `--all-subsys`.
fn shown_hierarchies<'a>(
    m: &'a ObjectGraph,
    opts: &ViewOpts,
) -> impl Iterator<Item = &'a super::model::HierarchyNode> {
    let all = opts.all_subsys;
    m.hierarchies.iter().filter(move |h| all || !h.is_rootnode)
}

fn shown_subsys(m: &ObjectGraph, opts: &ViewOpts, name: &str) -> bool {
    opts.all_subsys || m.is_bound(name)
}

fn task_rows(t: &super::model::TaskNode) -> Vec<Row> {
    let state = match t.state {
        'R' => "R running",
        'D' => "D (memcg OOM wait)",
        'Z' => "Z zombie",
        _ => "S sleeping",
    };
    vec![
        Row::Title(format!("task {}", t.pid)),
        Row::Text(t.comm.clone()),
        Row::Text(state.to_string()),
    ]
}

fn hierarchy(m: &ObjectGraph, opts: &ViewOpts) -> Graph {
    let mut g = Graph {
        title: "hierarchy: each cgroupfs_root, its cgroup tree, each cgroup's css".to_string(),
        ..Graph::default()
    };
    let depth_max = m.cgroups().map(|(_, c)| c.depth()).max().unwrap_or(0);
    g.columns = (0..=depth_max)
        .map(|d| {
            if d == 0 {
                "top cgroup".to_string()
            } else {
                format!("depth {d}")
            }
        })
        .collect();
    for h in shown_hierarchies(m, opts) {
        g.clusters.push(super::graph::Cluster {
            label: format!("cgroupfs_root: {}", h.label),
        });
        let ci = g.clusters.len() - 1;
        for c in &h.cgroups {
            let mut rows = vec![
                Row::Title(format!("cgroup {}", c.path)),
                Row::Field("count".into(), c.count.to_string()),
            ];
            for s in c
                .css
                .iter()
                .filter(|s| s.owned && shown_subsys(m, opts, &s.subsys))
            {
                rows.push(Row::Field(
                    format!("subsys[{}]", s.subsys),
                    format!("{} refcnt {}", s.id, s.refcnt),
                ));
            }
            g.node(&c.id, NodeKind::Cgroup, c.depth(), Some(ci), rows);
            if let Some(p) = &c.parent {
                g.edge(p, &c.id, EdgeKind::Children, None);
            }
        }
    }
    g
}

fn memcg_title_rows(s: &super::model::CssNode, mc: &MemcgNode) -> Vec<Row> {
    let mut rows = vec![
        Row::Title("struct mem_cgroup".to_string()),
        Row::Begin("struct cgroup_subsys_state css (first member)".to_string()),
        Row::Field("id".into(), s.id.clone()),
        Row::Field("refcnt".into(), s.refcnt.to_string()),
        Row::End,
        counter_bar("res", &mc.res),
    ];
    if let Some(ms) = &mc.memsw {
        rows.push(counter_bar("memsw", ms));
    }
    rows.push(Row::Field(
        "use_hierarchy".into(),
        u8::from(mc.use_hierarchy).to_string(),
    ));
    rows
}

fn css(m: &ObjectGraph, opts: &ViewOpts) -> Graph {
    let mut g = Graph {
        title: "css: each cgroup's subsystem states (mem_cgroup embeds its css: container_of)"
            .to_string(),
        columns: vec!["cgroups".into(), "subsystem states".into()],
        ..Graph::default()
    };
    for h in shown_hierarchies(m, opts) {
        g.clusters.push(super::graph::Cluster {
            label: format!("cgroupfs_root: {}", h.label),
        });
        let ci = g.clusters.len() - 1;
        for c in &h.cgroups {
            g.node(
                &c.id,
                NodeKind::Cgroup,
                0,
                Some(ci),
                vec![
                    Row::Title(format!("cgroup {}", c.path)),
                    Row::Field("count".into(), c.count.to_string()),
                ],
            );
            for s in c
                .css
                .iter()
                .filter(|s| s.owned && shown_subsys(m, opts, &s.subsys))
            {
                match &s.memcg {
                    Some(mc) => {
                        g.node(&s.id, NodeKind::Memcg, 1, Some(ci), memcg_title_rows(s, mc));
                        if let Some(p) = &mc.counter_parent {
                            g.edge(&s.id, p, EdgeKind::ResParent, None);
                        }
                    }
                    None => g.node(
                        &s.id,
                        NodeKind::Css,
                        1,
                        Some(ci),
                        vec![
                            Row::Title("cgroup_subsys_state".to_string()),
                            Row::Field("subsys".into(), s.subsys.clone()),
                            Row::Field("id".into(), s.id.clone()),
                            Row::Field("refcnt".into(), s.refcnt.to_string()),
                        ],
                    ),
                }
                g.edge(&c.id, &s.id, EdgeKind::Subsys, Some(s.subsys.clone()));
            }
        }
    }
    g
}

/// The rows of a css_set: refcount, then `subsys[]` as a table naming each css's cgroup.
fn css_set_rows(m: &ObjectGraph, opts: &ViewOpts, cs: &super::model::CssSetNode) -> Vec<Row> {
    let owner = m.css_owner();
    let mut rows = vec![
        Row::Title(format!("css_set {}", cs.id)),
        Row::Field("refcount".into(), cs.refcount.to_string()),
        Row::Begin("subsys[]: css of cgroup".to_string()),
    ];
    let mut any = false;
    for (ss, css) in &cs.subsys {
        if !shown_subsys(m, opts, ss) {
            continue;
        }
        any = true;
        let target = match owner.get(css.as_str()) {
            Some((h, c, _)) if h.is_rootnode => format!("{} (dummy)", c.path),
            Some((h, c, _)) => format!("{} (hierarchy {})", c.path, h.hierarchy_id),
            None => css.clone(),
        };
        rows.push(Row::Field(ss.clone(), target));
    }
    if !any {
        rows.push(Row::Text("(no subsystem mounted)".to_string()));
    }
    rows.push(Row::End);
    rows
}

fn sets(m: &ObjectGraph, opts: &ViewOpts) -> Graph {
    let mut g = Graph {
        title: "sets: each task points at one css_set; subsys[] says which css (and cgroup) per subsystem"
            .to_string(),
        columns: vec!["tasks".into(), "css_sets".into()],
        ..Graph::default()
    };
    for t in &m.tasks {
        g.node(
            &format!("task{}", t.pid),
            NodeKind::Task,
            0,
            None,
            task_rows(t),
        );
    }
    for cs in &m.css_sets {
        g.node(&cs.id, NodeKind::CssSet, 1, None, css_set_rows(m, opts, cs));
    }
    for t in &m.tasks {
        g.edge(
            &format!("task{}", t.pid),
            &t.css_set,
            EdgeKind::TaskCssSet,
            None,
        );
    }
    g
}

/// css_sets, their links and the linked cgroups in three columns, starting at `col`.
fn link_columns(g: &mut Graph, m: &ObjectGraph, opts: &ViewOpts, col: usize, css_rows: bool) {
    // (Used by the `all` view, where tasks take the left side.)
    let shown: Vec<&super::model::HierarchyNode> = shown_hierarchies(m, opts).collect();
    for cs in &m.css_sets {
        let rows = if css_rows {
            css_set_rows(m, opts, cs)
        } else {
            vec![
                Row::Title(format!("css_set {}", cs.id)),
                Row::Field("refcount".into(), cs.refcount.to_string()),
            ]
        };
        g.node(&cs.id, NodeKind::CssSet, col, None, rows);
    }
    let first_box = g.clusters.len();
    for h in &shown {
        g.clusters.push(super::graph::Cluster {
            label: format!("cgroupfs_root: {}", h.label),
        });
        let ci = g.clusters.len() - 1;
        for c in &h.cgroups {
            let mut rows = vec![
                Row::Title(format!("cgroup {}", c.path)),
                Row::Field("count".into(), c.count.to_string()),
            ];
            for s in c
                .css
                .iter()
                .filter(|s| s.owned && shown_subsys(m, opts, &s.subsys))
            {
                match &s.memcg {
                    Some(mc) if css_rows => rows.push(Row::Field(
                        format!("{} {}", s.subsys, s.id),
                        format!("res {} / {}", human(mc.res.usage), human(mc.res.limit)),
                    )),
                    _ if css_rows => rows.push(Row::Field(
                        format!("{} {}", s.subsys, s.id),
                        format!("refcnt {}", s.refcnt),
                    )),
                    _ => {}
                }
            }
            g.node(&c.id, NodeKind::Cgroup, col + 2, Some(ci), rows);
        }
    }
    // One link node per (css_set, shown cgroup), in hierarchy order, so each css_set's links
    // sit together next to it.
    let box_of: BTreeMap<&str, usize> = shown
        .iter()
        .enumerate()
        .flat_map(|(i, h)| {
            h.cgroups
                .iter()
                .map(move |c| (c.id.as_str(), first_box + i))
        })
        .collect();
    for cs in &m.css_sets {
        for (i, cg) in cs.links.iter().enumerate() {
            let Some(&ci) = box_of.get(cg.as_str()) else {
                continue;
            };
            let link = format!("{}_link{i}", cs.id);
            g.node(
                &link,
                NodeKind::Link,
                col + 1,
                Some(ci),
                vec![Row::Text("cg_cgroup_link".to_string())],
            );
            g.edge(&cs.id, &link, EdgeKind::CgLinks, None);
            g.edge(&link, cg, EdgeKind::LinkCgrp, None);
        }
    }
}

/// css_sets in the middle; the first hierarchy's links and cgroups on the left, the second's
/// on the right, the third's on the left again (below the first), and so on, each in its
/// box: one hierarchy's edges never cross another's.
fn links(m: &ObjectGraph, opts: &ViewOpts) -> Graph {
    let mut g = Graph {
        title: "links: css_set <-> cg_cgroup_link <-> cgroup (M:N), one column per hierarchy"
            .to_string(),
        columns: vec![
            "cgroups".into(),
            "cg_cgroup_links".into(),
            "css_sets".into(),
            "cg_cgroup_links".into(),
            "cgroups".into(),
        ],
        ..Graph::default()
    };
    let shown: Vec<&super::model::HierarchyNode> = shown_hierarchies(m, opts).collect();
    for cs in &m.css_sets {
        g.node(
            &cs.id,
            NodeKind::CssSet,
            2,
            None,
            vec![
                Row::Title(format!("css_set {}", cs.id)),
                Row::Field("refcount".into(), cs.refcount.to_string()),
            ],
        );
    }
    // Which side and which box each cgroup is in; a link goes in its cgroup's box, so each
    // hierarchy's links keep the css_sets' order and its own edges do not cross.
    let mut side_of: BTreeMap<&str, (bool, usize)> = BTreeMap::new();
    for (hi, h) in shown.iter().enumerate() {
        let right = hi % 2 == 1;
        g.clusters.push(super::graph::Cluster {
            label: format!("cgroupfs_root: {}", h.label),
        });
        let ci = g.clusters.len() - 1;
        for c in &h.cgroups {
            side_of.insert(c.id.as_str(), (right, ci));
            g.node(
                &c.id,
                NodeKind::Cgroup,
                if right { 4 } else { 0 },
                Some(ci),
                vec![
                    Row::Title(format!("cgroup {}", c.path)),
                    Row::Field("count".into(), c.count.to_string()),
                ],
            );
        }
    }
    for cs in &m.css_sets {
        for (i, cg) in cs.links.iter().enumerate() {
            let Some(&(right, ci)) = side_of.get(cg.as_str()) else {
                continue;
            };
            let link = format!("{}_link{i}", cs.id);
            g.node(
                &link,
                NodeKind::Link,
                if right { 3 } else { 1 },
                Some(ci),
                vec![Row::Text("cg_cgroup_link".to_string())],
            );
            g.edge(&cs.id, &link, EdgeKind::CgLinks, None);
            g.edge(&link, cg, EdgeKind::LinkCgrp, None);
        }
    }
    g
}

fn all(m: &ObjectGraph, opts: &ViewOpts) -> Graph {
    let mut g = Graph {
        title: "all: tasks -> css_sets -> cg_cgroup_links -> cgroups".to_string(),
        columns: vec![
            "tasks".into(),
            "css_sets".into(),
            "cg_cgroup_links".into(),
            "cgroups".into(),
        ],
        ..Graph::default()
    };
    for t in &m.tasks {
        g.node(
            &format!("task{}", t.pid),
            NodeKind::Task,
            0,
            None,
            task_rows(t),
        );
        g.edge(
            &format!("task{}", t.pid),
            &t.css_set,
            EdgeKind::TaskCssSet,
            None,
        );
    }
    link_columns(&mut g, m, opts, 1, true);
    g
}

fn memcg(m: &ObjectGraph, focus: &Focus) -> Graph {
    let mut g = Graph {
        title: "memcg: each mem_cgroup's counters, thresholds, OOM state and LRU lists".to_string(),
        columns: Vec::new(),
        ..Graph::default()
    };
    let tasks: BTreeMap<i32, &super::model::TaskNode> =
        m.tasks.iter().map(|t| (t.pid, t)).collect();
    let mut any = false;
    // A focused picture shows the memcgs at the path and below, not their ancestors.
    let under = |p: &str| match focus {
        Focus::Cgroup(f) => {
            let f = f.trim_end_matches('/');
            f.is_empty() || p == f || p.starts_with(&format!("{f}/"))
        }
        _ => true,
    };
    let focus_depth = match focus {
        Focus::Cgroup(f) => f.split('/').filter(|s| !s.is_empty()).count(),
        _ => 0,
    };
    // Each cgroup's memcg (css node id), for the tree edges, and which cgroups are drawn.
    let memcg_of: BTreeMap<&str, &str> = m
        .cgroups()
        .flat_map(|(_, c)| {
            c.css
                .iter()
                .filter(|s| s.owned && s.memcg.is_some())
                .map(move |s| (c.id.as_str(), s.id.as_str()))
        })
        .collect();
    let drawn: std::collections::BTreeSet<&str> = m
        .cgroups()
        .filter(|(_, c)| under(&c.path))
        .filter_map(|(_, c)| memcg_of.get(c.id.as_str()).copied())
        .collect();
    let shown_parent = |p: &str| drawn.contains(p);
    let mut dfl_drawn = false;
    for (h, c) in m.cgroups() {
        if !under(&c.path) {
            continue;
        }
        for s in c.css.iter().filter(|s| s.owned) {
            let Some(mc) = &s.memcg else { continue };
            if h.is_rootnode && m.is_bound("memory") {
                continue;
            }
            any = true;
            // On the 6.6 preset's default hierarchy the memcg is a cgroup v2 one: its counter
            // is `struct mem_cgroup`'s `memory` page_counter (`memory.current`, `memory.max`,
            // its `watermark` is `memory.peak`), always hierarchical, and the v1-only
            // `memsw`, `use_hierarchy`, `oom_kill_disable` and `under_oom` have no file there
            // (`mm/memcontrol.c` `memory_files[]`, v6.6).
            let v2 = h.is_rootnode && m.dfl.as_ref().is_some_and(|d| d.present);
            dfl_drawn |= v2;
            // Two values per row where they belong together, so a memcg stays compact.
            let mut rows = vec![
                Row::Title(format!("mem_cgroup {}", c.path)),
                counter_bar(if v2 { "memory" } else { "res" }, &mc.res),
                Row::Field(
                    if v2 {
                        "watermark, failcnt"
                    } else {
                        "max_usage, failcnt"
                    }
                    .into(),
                    format!("{}, {}", human(mc.res.max_usage), mc.res.failcnt),
                ),
            ];
            if let Some(ms) = mc.memsw.as_ref().filter(|_| !v2) {
                rows.push(counter_bar("memsw", ms));
                rows.push(Row::Field(
                    "memsw max_usage, failcnt".into(),
                    format!("{}, {}", human(ms.max_usage), ms.failcnt),
                ));
            }
            if !v2 {
                rows.push(Row::Field(
                    "use_hierarchy, oom_kill_disable".into(),
                    format!(
                        "{}, {}",
                        u8::from(mc.use_hierarchy),
                        u8::from(mc.oom_kill_disable)
                    ),
                ));
                if mc.under_oom {
                    rows.push(Row::Mark(format!(
                        "under_oom 1: {} task(s) wait",
                        mc.oom_waiters.len()
                    )));
                } else {
                    rows.push(Row::Field("under_oom".into(), "0".into()));
                }
            }
            for (name, ary, usage) in [
                ("thresholds", &mc.thresholds, mc.res.usage),
                (
                    "memsw thresholds",
                    &mc.memsw_thresholds,
                    mc.memsw.map_or(0, |c| c.usage),
                ),
            ] {
                if ary.is_empty() {
                    continue;
                }
                rows.push(Row::Begin(format!("{name} (ascending)")));
                let cur = MemcgNode::current_threshold(ary, usage);
                let here = Row::Mark(format!("usage {} is here", human(usage)));
                if cur.is_none() {
                    rows.push(here.clone());
                }
                for (i, t) in ary.iter().enumerate() {
                    rows.push(Row::Field(format!("[{i}]"), human(*t)));
                    if cur == Some(i) {
                        rows.push(here.clone());
                    }
                }
                rows.push(Row::End);
            }
            let lru = |n: &str| mc.lru.iter().find(|(k, _)| k == n).map_or(0, |(_, v)| *v);
            rows.push(Row::Begin("LRU lists (pages)".to_string()));
            rows.push(Row::Field(
                "anon: active, inactive".into(),
                format!("{}, {}", lru("active_anon"), lru("inactive_anon")),
            ));
            rows.push(Row::Field(
                "file: active, inactive".into(),
                format!("{}, {}", lru("active_file"), lru("inactive_file")),
            ));
            rows.push(Row::Field(
                "unevictable".into(),
                lru("unevictable").to_string(),
            ));
            rows.push(Row::End);
            // The tree by depth: a memcg at depth d in column 2d+1, the tasks asleep on its
            // OOM wait queue just left of it, in column 2d.
            let depth = if focus_depth > c.depth() {
                0
            } else {
                c.depth() - focus_depth
            };
            g.node(&s.id, NodeKind::Memcg, 2 * depth + 1, None, rows);
            while g.columns.len() < 2 * depth + 2 {
                let d = g.columns.len() / 2;
                if d == 0 {
                    g.columns.push("tasks asleep in OOM".to_string());
                    g.columns.push("mem_cgroups".to_string());
                } else {
                    g.columns.push(String::new());
                    g.columns.push(format!("{d} level(s) below"));
                }
            }
            match (
                &mc.counter_parent,
                c.parent.as_deref().and_then(|p| memcg_of.get(p).copied()),
            ) {
                (Some(p), _) if v2 => g.edge(&s.id, p, EdgeKind::MemoryParent, None),
                (Some(p), _) => g.edge(&s.id, p, EdgeKind::ResParent, None),
                (None, Some(p)) if shown_parent(p) => g.edge(p, &s.id, EdgeKind::Children, None),
                _ => {}
            }
            for pid in &mc.oom_waiters {
                if let Some(t) = tasks.get(pid) {
                    let id = format!("task{pid}");
                    g.node(&id, NodeKind::Task, 2 * depth, None, task_rows(t));
                    g.edge(&id, &s.id, EdgeKind::OomWait, None);
                }
            }
        }
    }
    if !any {
        g.notes.push("no memory cgroup in view".to_string());
    }
    g.notes
        .push("bars: usage / limit; the black tick is max_usage".to_string());
    if dfl_drawn {
        g.notes.push(
            "cgroup2: memory is memory.current / memory.max, its watermark memory.peak".to_string(),
        );
    }
    g
}

fn events(m: &ObjectGraph) -> Graph {
    let mut g = Graph {
        title: "events: cgroup_event -> eventfd_ctx -> the listening task".to_string(),
        columns: vec![
            "cgroups".into(),
            "cgroup_events".into(),
            "eventfd_ctx".into(),
            "listeners".into(),
        ],
        ..Graph::default()
    };
    let tasks: BTreeMap<i32, &super::model::TaskNode> =
        m.tasks.iter().map(|t| (t.pid, t)).collect();
    let mut any = false;
    for (_, c) in m.cgroups() {
        if c.events.is_empty() {
            continue;
        }
        any = true;
        g.node(
            &c.id,
            NodeKind::Cgroup,
            0,
            None,
            vec![
                Row::Title(format!("cgroup {}", c.path)),
                Row::Field("count".into(), c.count.to_string()),
            ],
        );
        for (j, e) in c.events.iter().enumerate() {
            let ev = format!("{}_event{j}", c.id);
            let efd = format!("{ev}_eventfd");
            g.node(
                &ev,
                NodeKind::Event,
                1,
                None,
                vec![
                    Row::Title("cgroup_event".to_string()),
                    Row::Field("cft".into(), e.file.clone()),
                    Row::Field("args".into(), e.args.clone()),
                ],
            );
            g.node(
                &efd,
                NodeKind::Eventfd,
                2,
                None,
                vec![
                    Row::Title("eventfd_ctx".to_string()),
                    Row::Field("count".into(), e.eventfd_count.to_string()),
                ],
            );
            g.edge(&c.id, &ev, EdgeKind::EventList, None);
            g.edge(&ev, &efd, EdgeKind::Eventfd, None);
            for (pid, fd) in &e.listeners {
                let id = format!("task{pid}");
                if !g.nodes.iter().any(|n| n.id == id) {
                    let rows = tasks
                        .get(pid)
                        .map_or_else(|| vec![Row::Title(format!("task {pid}"))], |t| task_rows(t));
                    g.node(&id, NodeKind::Task, 3, None, rows);
                }
                g.edge(&efd, &id, EdgeKind::Listener, Some(format!("fd {fd}")));
            }
        }
    }
    if !any {
        g.notes
            .push("no cgroup.event_control registration right now".to_string());
    }
    g
}
