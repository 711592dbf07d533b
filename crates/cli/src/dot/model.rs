//! The snapshot model every view is drawn from: the cgroup core's objects, the memory
//! controller's state and the `cgroup.event_control` registrations, as plain data.
//!
//! **Kernel:** the objects of `kernel/cgroup.c` 2.6.25: `cgroupfs_root` (the dummy `rootnode`
//! included), `cgroup` trees, each cgroup's `cgroup_subsys_state`s, `css_set`s with their
//! `cg_cgroup_link`s, and `task_struct`s pointing at their `css_set`; `struct mem_cgroup` of
//! `mm/memcontrol.c` 2.6.34/2.6.35 (`css` is its first member, `mem_cgroup_from_cont` a
//! `container_of`) with its `res`/`memsw` counters, threshold arrays, `under_oom` and LRU
//! sizes; `struct cgroup_event` of `kernel/cgroup.c` 2.6.34 with its `eventfd_ctx`.
//! The model is filled only through public APIs (`CgroupCore::snapshot`, the memory machine's
//! `with_memcg`, `Kernel::cgroup_events`, `Kernel::ps`), so the same state always gives the same
//! model and the same pictures. A browser explorer can serialise it as it is.
//!
//! **Differences:** the threshold array's current position is computed from the usage now
//! (the largest threshold at or below it), where the kernel keeps the position of its last
//! check (`mem_cgroup_threshold`, which runs every few charge events).

use std::collections::{BTreeMap, BTreeSet};

/// The object graph, as plain data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectGraph {
    /// The `subsys[]` table: every subsystem, bound or not.
    pub subsys: Vec<SubsysInfo>,
    pub hierarchies: Vec<HierarchyNode>,
    pub css_sets: Vec<CssSetNode>,
    pub tasks: Vec<TaskNode>,
    /// The default hierarchy (6.6 preset), for the `v2` view (`unified.rs`).
    pub dfl: Option<super::unified::DflInfo>,
}

/// One compiled-in subsystem.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubsysInfo {
    pub name: String,
    /// The hierarchy node id it is bound to; `None` while it sits in the dummy hierarchy.
    pub hierarchy: Option<String>,
}

/// A `cgroupfs_root` and its cgroup tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HierarchyNode {
    /// A unique node id (`h0`, `h1`, ...).
    pub id: String,
    /// What the cluster says: `rootnode (the dummy hierarchy)`, or the bound subsystems.
    pub label: String,
    /// The dummy hierarchy (`rootnode`), where unbound subsystems live.
    pub is_rootnode: bool,
    /// `root->hierarchy_id` (0 for the dummy hierarchy), as `/proc/cgroups` prints it.
    pub hierarchy_id: u32,
    /// Cgroups, parents before children (depth first).
    pub cgroups: Vec<CgroupNode>,
}

/// A `struct cgroup`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CgroupNode {
    pub id: String,
    /// `cgroup_path`: `/`, `/A`, `/A/B`.
    pub path: String,
    pub parent: Option<String>,
    /// `cgroup->count` (linked css_sets).
    pub count: u64,
    pub css: Vec<CssNode>,
    /// `cgrp->event_list`: registrations made through `cgroup.event_control`.
    pub events: Vec<EventNode>,
}

impl CgroupNode {
    /// Depth in the tree: 0 for a top cgroup.
    pub fn depth(&self) -> usize {
        self.path.split('/').filter(|s| !s.is_empty()).count()
    }
}

/// A `struct cgroup_event`: the control file it watches, the written arguments, and the
/// eventfd it signals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventNode {
    pub file: String,
    pub args: String,
    /// The eventfd's counter (notifications not read yet).
    pub eventfd_count: u64,
    /// The tasks holding the eventfd open, with their fd numbers (the listeners).
    pub listeners: Vec<(i32, i32)>,
}

/// A `cgroup_subsys_state`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CssNode {
    pub id: String,
    pub subsys: String,
    pub refcnt: i64,
    /// `css->cgroup` is this cgroup, so the node is drawn in this cgroup's hierarchy. (The
    /// dummy top cgroup keeps pointing at the states of subsystems bound elsewhere.)
    pub owned: bool,
    /// The `struct mem_cgroup` around this css, for the memory subsystem.
    pub memcg: Option<MemcgNode>,
}

/// One `res_counter`: usage, limit, max_usage and failcnt in bytes / events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CounterState {
    pub usage: u64,
    pub limit: u64,
    pub max_usage: u64,
    pub failcnt: u64,
}

/// A `struct mem_cgroup`: its counters, and where `res.parent` points.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemcgNode {
    /// `res`: memory.
    pub res: CounterState,
    /// `memsw` (with swap accounting): memory + swap.
    pub memsw: Option<CounterState>,
    /// The css node id of the memcg whose counters are this one's parents (`use_hierarchy`).
    pub counter_parent: Option<String>,
    pub use_hierarchy: bool,
    pub oom_kill_disable: bool,
    pub under_oom: bool,
    /// Tasks asleep on this memcg's OOM wait queue.
    pub oom_waiters: Vec<i32>,
    /// Pages on each LRU list, in `for_each_lru` order, by the kernel's names.
    pub lru: Vec<(String, u64)>,
    /// Thresholds registered on `memory.usage_in_bytes`, ascending (bytes).
    pub thresholds: Vec<u64>,
    /// Thresholds registered on `memory.memsw.usage_in_bytes`, ascending.
    pub memsw_thresholds: Vec<u64>,
    /// The v2 interface (6.6 preset): what a memcg of the default hierarchy shows instead of
    /// v1's limits, thresholds and `use_hierarchy`.
    pub v2: Option<MemcgV2Node>,
}

/// A 6.6 memcg's v2 control values, as its `memory.*` files print them (`mm/memcontrol.c`
/// v6.6 `memory_files[]`; `res` above is its `memory` page_counter: `memory.current`,
/// `memory.max`, and `memory.peak` as the watermark).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemcgV2Node {
    /// `memory.min`, `memory.low`, `memory.high`: a number of bytes or `max`.
    pub min: String,
    pub low: String,
    pub high: String,
    /// `memory.events`: `low`, `high`, `max`, `oom`, `oom_kill`, `oom_group_kill`.
    pub events: Vec<(String, u64)>,
    /// `memory.oom.group`.
    pub oom_group: bool,
    /// `memory.swap.current` (bytes) and `memory.swap.max`.
    pub swap: (u64, String),
}

impl MemcgNode {
    /// The index of the largest threshold at or below `usage` (`current_threshold`), or `None`
    /// when every threshold is above it (the kernel's `-1`).
    pub fn current_threshold(thresholds: &[u64], usage: u64) -> Option<usize> {
        thresholds.iter().rposition(|&t| t <= usage)
    }
}

/// A `css_set`: its css pointers and its `cg_cgroup_link`s (one cgroup per hierarchy).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CssSetNode {
    pub id: String,
    pub refcount: u64,
    /// `(subsystem name, css node id)` for `subsys[]`.
    pub subsys: Vec<(String, String)>,
    /// Cgroup node ids, one `cg_cgroup_link` each.
    pub links: Vec<String>,
}

/// A `task_struct`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskNode {
    pub pid: i32,
    pub comm: String,
    /// `ps`'s state letter: R, S, D (asleep on a memcg OOM wait queue) or Z.
    pub state: char,
    /// The css_set node id (`task->cgroups`).
    pub css_set: String,
}

/// What a view keeps: one cgroup subtree (`--focus /A`) or one task (`--pid N`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Focus {
    #[default]
    Everything,
    /// The cgroups at this path (in every hierarchy) and below, their ancestors, the css_sets
    /// linked to them and the tasks of those css_sets.
    Cgroup(String),
    /// The task, its css_set, the cgroups that css_set links to and their ancestors.
    Pid(i32),
}

fn bytes_of(b: cgsim_ktypes::Bytes) -> u64 {
    b.0
}

impl ObjectGraph {
    /// The kernel has a default hierarchy (the 6.6 preset): the root node is cgroup2's root,
    /// not 2.6's dummy hierarchy.
    pub fn has_dfl(&self) -> bool {
        self.dfl.as_ref().is_some_and(|d| d.present)
    }

    /// Every cgroup, with its hierarchy.
    pub fn cgroups(&self) -> impl Iterator<Item = (&HierarchyNode, &CgroupNode)> {
        self.hierarchies
            .iter()
            .flat_map(|h| h.cgroups.iter().map(move |c| (h, c)))
    }

    /// The cgroup with this node id.
    pub fn cgroup(&self, id: &str) -> Option<(&HierarchyNode, &CgroupNode)> {
        self.cgroups().find(|(_, c)| c.id == id)
    }

    /// Where each css lives: css node id → (hierarchy, owning cgroup, the css).
    pub fn css_owner(&self) -> BTreeMap<&str, (&HierarchyNode, &CgroupNode, &CssNode)> {
        let mut m = BTreeMap::new();
        for (h, c) in self.cgroups() {
            for s in c.css.iter().filter(|s| s.owned) {
                m.insert(s.id.as_str(), (h, c, s));
            }
        }
        m
    }

    /// Whether subsystem `name` is bound to a hierarchy other than the dummy one.
    pub fn is_bound(&self, name: &str) -> bool {
        self.subsys
            .iter()
            .any(|s| s.name == name && s.hierarchy.is_some())
    }

    /// Keep what `focus` names (see [`Focus`]); hierarchies keep their clusters even when
    /// empty of kept cgroups only if they still hold one.
    pub fn focus(&self, focus: &Focus) -> ObjectGraph {
        let mut keep_cg: BTreeSet<String> = BTreeSet::new();
        let mut keep_cs: BTreeSet<String> = BTreeSet::new();
        let mut keep_task: BTreeSet<i32> = BTreeSet::new();
        match focus {
            Focus::Everything => return self.clone(),
            Focus::Cgroup(path) => {
                let path = path.trim_end_matches('/');
                let under =
                    |p: &str| path.is_empty() || p == path || p.starts_with(&format!("{path}/"));
                for (_, c) in self.cgroups() {
                    if under(&c.path) {
                        keep_cg.insert(c.id.clone());
                    }
                }
                for cs in &self.css_sets {
                    if cs.links.iter().any(|l| keep_cg.contains(l)) {
                        keep_cs.insert(cs.id.clone());
                    }
                }
                for t in &self.tasks {
                    if keep_cs.contains(&t.css_set) {
                        keep_task.insert(t.pid);
                    }
                }
            }
            Focus::Pid(pid) => {
                if let Some(t) = self.tasks.iter().find(|t| t.pid == *pid) {
                    keep_task.insert(t.pid);
                    keep_cs.insert(t.css_set.clone());
                    if let Some(cs) = self.css_sets.iter().find(|c| c.id == t.css_set) {
                        keep_cg.extend(cs.links.iter().cloned());
                    }
                }
            }
        }
        // Ancestors, so every kept cgroup hangs from its hierarchy's top.
        let parents: BTreeMap<String, Option<String>> = self
            .cgroups()
            .map(|(_, c)| (c.id.clone(), c.parent.clone()))
            .collect();
        for id in keep_cg.clone() {
            let mut p = parents.get(&id).cloned().flatten();
            while let Some(pid) = p {
                keep_cg.insert(pid.clone());
                p = parents.get(&pid).cloned().flatten();
            }
        }
        let mut g = self.clone();
        for h in &mut g.hierarchies {
            h.cgroups.retain(|c| keep_cg.contains(&c.id));
        }
        g.hierarchies.retain(|h| !h.cgroups.is_empty());
        g.css_sets.retain(|c| keep_cs.contains(&c.id));
        for cs in &mut g.css_sets {
            cs.links.retain(|l| keep_cg.contains(l));
        }
        g.tasks.retain(|t| keep_task.contains(&t.pid));
        g
    }
}

/// The `struct mem_cgroup` of every live memcg that has a css, keyed by css node id.
fn memcg_nodes(k: &cgsim_cgroupfs::Kernel) -> BTreeMap<String, MemcgNode> {
    use cgsim_counters::Counter;
    use cgsim_memcg::LruList;
    let m = k.memory();
    let counter = |c: &dyn Fn() -> (u64, u64, u64, u64)| {
        let (usage, limit, max_usage, failcnt) = c();
        CounterState {
            usage,
            limit,
            max_usage,
            failcnt,
        }
    };
    // (css node id, counter address, parent counter address, memcg id, node)
    let mut rows: Vec<(
        String,
        usize,
        Option<usize>,
        cgsim_memcg::MemcgId,
        MemcgNode,
    )> = Vec::new();
    // Generic over the counter backend (res_counter or page_counter): one body per backend.
    cgsim_cgroupfs::with_machine!(m, m => {
        for id in m.memcgs() {
            let row = m.with_memcg(id, |mc| {
                let css = mc
                    .css
                    .clone()?
                    .downcast::<cgsim_cgroup::CgroupSubsysState>()
                    .ok()?;
                let res = mc.res();
                let lru = [
                    ("inactive_anon", LruList::InactiveAnon),
                    ("active_anon", LruList::ActiveAnon),
                    ("inactive_file", LruList::InactiveFile),
                    ("active_file", LruList::ActiveFile),
                    ("unevictable", LruList::Unevictable),
                ]
                .into_iter()
                .map(|(n, l)| (n.to_string(), mc.lru_pages(l)))
                .collect();
                let node = MemcgNode {
                    res: counter(&|| {
                        (
                            bytes_of(res.usage()),
                            bytes_of(res.limit()),
                            bytes_of(res.max_usage()),
                            res.failcnt(),
                        )
                    }),
                    memsw: mc.memsw().map(|c| {
                        counter(&|| {
                            (
                                bytes_of(c.usage()),
                                bytes_of(c.limit()),
                                bytes_of(c.max_usage()),
                                c.failcnt(),
                            )
                        })
                    }),
                    use_hierarchy: mc.use_hierarchy(),
                    oom_kill_disable: mc.oom_kill_disable(),
                    under_oom: mc.under_oom(),
                    lru,
                    ..MemcgNode::default()
                };
                Some((
                    format!("css{}", css.id().0),
                    std::sync::Arc::as_ptr(res) as usize,
                    res.parent().map(|p| p as *const _ as usize),
                    mc.id(),
                    node,
                ))
            });
            if let Some(Some(r)) = row {
                rows.push(r);
            }
        }
        if m.has_v2_interface() {
            use cgsim_memcg::MemFileV2 as F;
            for r in &mut rows {
                let read = |f: F| m.read_v2(r.3, f).unwrap_or_default().trim_end().to_string();
                let events = read(F::Events)
                    .lines()
                    .filter_map(|l| {
                        let (k, v) = l.split_once(' ')?;
                        Some((k.to_string(), v.parse().ok()?))
                    })
                    .collect();
                r.4.v2 = Some(MemcgV2Node {
                    min: read(F::Min),
                    low: read(F::Low),
                    high: read(F::High),
                    events,
                    oom_group: read(F::OomGroup) == "1",
                    swap: (read(F::SwapCurrent).parse().unwrap_or(0), read(F::SwapMax)),
                });
            }
        }
    });
    let by_addr: BTreeMap<usize, String> = rows.iter().map(|r| (r.1, r.0.clone())).collect();
    let mut waiters: BTreeMap<cgsim_memcg::MemcgId, Vec<i32>> = BTreeMap::new();
    for p in k.ps() {
        if let Some(mc) = m.oom_waiting(p.pid) {
            waiters.entry(mc).or_default().push(p.pid.0);
        }
    }
    rows.into_iter()
        .map(|(css, _, parent, id, mut node)| {
            node.counter_parent = parent.and_then(|p| by_addr.get(&p).cloned());
            node.oom_waiters = waiters.remove(&id).unwrap_or_default();
            (css, node)
        })
        .collect()
}

/// A threshold as `cgroup.event_control` took it (`memparse`, rounded up to a page as
/// 2.6.34's `res_counter_memparse_write_strategy` does), or `None` for anything else.
fn threshold_bytes(args: &str) -> Option<u64> {
    let (v, rest) = cgsim_ktypes::parse::memparse(args.trim().as_bytes(), Default::default());
    if !rest.is_empty() || args.trim().is_empty() {
        return None;
    }
    Some(v.div_ceil(4096) * 4096)
}

/// Build the [`ObjectGraph`] from the kernel's cgroup core snapshot (`Kernel::cgroups()`),
/// the memory controller's memcgs and the `cgroup.event_control` registrations.
pub fn graph_of(k: &cgsim_cgroupfs::Kernel) -> Result<ObjectGraph, String> {
    let snap = k.cgroups().snapshot();
    let memcgs = memcg_nodes(k);
    let procs: BTreeMap<i32, (String, char)> = k
        .ps()
        .into_iter()
        .map(|p| {
            use cgsim_cgroupfs::ProcState;
            let st = match p.state {
                ProcState::Running => 'R',
                ProcState::Sleeping => 'S',
                ProcState::Uninterruptible => 'D',
                ProcState::Zombie => 'Z',
            };
            (p.pid.0, (p.comm, st))
        })
        .collect();
    let mut g = graph_from_snapshot(&snap, |pid| procs.get(&pid).cloned());
    // Node ids follow the snapshot's cgroup order (see graph_from_snapshot).
    let node_of: BTreeMap<_, String> = snap
        .cgroups
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, format!("cg{i}")))
        .collect();
    let mut events: BTreeMap<String, Vec<EventNode>> = BTreeMap::new();
    for e in k.cgroup_events() {
        if let Some(node) = node_of.get(&e.cgrp) {
            events.entry(node.clone()).or_default().push(EventNode {
                file: e.file,
                args: e.args,
                eventfd_count: e.eventfd_count,
                listeners: e.holders.iter().map(|(p, fd)| (p.0, *fd)).collect(),
            });
        }
    }
    for h in &mut g.hierarchies {
        for c in &mut h.cgroups {
            c.events = events.remove(&c.id).unwrap_or_default();
            for s in &mut c.css {
                s.memcg = memcgs.get(&s.id).cloned();
                if let Some(m) = &mut s.memcg {
                    for e in &c.events {
                        let t = threshold_bytes(&e.args);
                        match (e.file.as_str(), t) {
                            ("memory.usage_in_bytes", Some(t)) => m.thresholds.push(t),
                            ("memory.memsw.usage_in_bytes", Some(t)) => m.memsw_thresholds.push(t),
                            _ => {}
                        }
                    }
                    m.thresholds.sort_unstable();
                    m.memsw_thresholds.sort_unstable();
                }
            }
        }
    }
    Ok(g)
}

/// Convert a core snapshot; `proc` gives a task's name and `ps` state letter.
pub fn graph_from_snapshot(
    snap: &cgsim_cgroup::CoreSnapshot,
    proc: impl Fn(i32) -> Option<(String, char)>,
) -> ObjectGraph {
    let ss_name = |id: usize| {
        snap.subsys
            .get(id)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| format!("subsys{id}"))
    };
    let cg_node: BTreeMap<_, String> = snap
        .cgroups
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, format!("cg{i}")))
        .collect();
    let mut g = ObjectGraph::default();
    let root_node: BTreeMap<_, String> = snap
        .roots
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, format!("h{i}")))
        .collect();
    for s in &snap.subsys {
        let bound = snap
            .root(s.root)
            .is_some_and(|r| !r.is_rootnode)
            .then(|| root_node[&s.root].clone());
        g.subsys.push(SubsysInfo {
            name: s.name.clone(),
            hierarchy: bound,
        });
    }
    for r in &snap.roots {
        let label = if r.is_rootnode {
            "rootnode (the dummy hierarchy)".to_string()
        } else {
            let names: Vec<String> = r.subsys_list.iter().map(|&i| ss_name(i)).collect();
            let mut l = format!("hierarchy {}: {}", r.hierarchy_id, names.join(","));
            if !r.name.is_empty() {
                l.push_str(&format!(",name={}", r.name));
            }
            l
        };
        let mut h = HierarchyNode {
            id: root_node[&r.id].clone(),
            label,
            is_rootnode: r.is_rootnode,
            hierarchy_id: r.hierarchy_id,
            cgroups: Vec::new(),
        };
        for c in snap.cgroups.iter().filter(|c| c.root == r.id) {
            let css = c
                .css
                .iter()
                .flatten()
                .map(|s| CssNode {
                    id: format!("css{}", s.id.0),
                    subsys: ss_name(s.subsys_id),
                    refcnt: s.refcnt,
                    owned: s.cgroup == c.id,
                    memcg: None,
                })
                .collect();
            h.cgroups.push(CgroupNode {
                id: cg_node[&c.id].clone(),
                path: c.path.clone(),
                parent: c.parent.and_then(|p| cg_node.get(&p).cloned()),
                count: c.count as u64,
                css,
                events: Vec::new(),
            });
        }
        g.hierarchies.push(h);
    }
    g.dfl = Some(super::unified::dfl_info(snap, &cg_node));
    // The kernel's `roots` list is newest first; pictures read better by hierarchy id.
    g.hierarchies
        .sort_by_key(|h| (!h.is_rootnode, h.hierarchy_id));
    let mut cs_node = BTreeMap::new();
    for (i, cs) in snap.css_sets.iter().enumerate() {
        let id = if cs.is_init_css_set {
            "init_css_set".to_string()
        } else {
            format!("cs{i}")
        };
        cs_node.insert(cs.id, id.clone());
        g.css_sets.push(CssSetNode {
            id,
            refcount: cs.refcount as u64,
            subsys: cs
                .subsys
                .iter()
                .enumerate()
                .map(|(ss, css)| (ss_name(ss), format!("css{}", css.0)))
                .collect(),
            links: cs
                .links
                .iter()
                .filter_map(|c| cg_node.get(c).cloned())
                .collect(),
        });
    }
    for t in &snap.tasks {
        let Some(cs) = cs_node.get(&t.css_set) else {
            continue;
        };
        let (name, state) = proc(t.pid.0).unwrap_or_else(|| ("?".to_string(), 'S'));
        let state = if t.exited { 'Z' } else { state };
        g.tasks.push(TaskNode {
            pid: t.pid.0,
            comm: name,
            state,
            css_set: cs.clone(),
        });
    }
    g
}
