//! Graphviz DOT of the cgroup object graph, like the figures of the seed article.
//!
//! **Kernel:** the objects of `kernel/cgroup.c` 2.6.25 (spec §2.1): `cgroupfs_root` (one cluster
//! per hierarchy, the dummy `rootnode` included), `cgroup` trees, each cgroup's
//! `cgroup_subsys_state`s, `css_set`s with their `cg_cgroup_link`s, and `task_struct`s pointing
//! at their `css_set`. Node labels use the kernel's struct names; the output order is the
//! snapshot's order, so the same state always gives the same text.
//! The memory controller's css is drawn as the `struct mem_cgroup` that embeds it
//! (`mm/memcontrol.c` 2.6.34: `css` is the first member, `mem_cgroup_from_cont` a
//! `container_of`), with its `res` and `memsw` counters; with `use_hierarchy` a dotted edge
//! follows `res_counter.parent` to the parent memcg's counters.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// The object graph, as plain data (filled from the cgroup core's snapshot).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectGraph {
    pub hierarchies: Vec<HierarchyNode>,
    pub css_sets: Vec<CssSetNode>,
    pub tasks: Vec<TaskNode>,
}

/// A `cgroupfs_root` and its cgroup tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HierarchyNode {
    /// A unique node id (`h0`, `h1`, ...).
    pub id: String,
    /// What the cluster says: `rootnode (dummy)`, or the bound subsystems in list order.
    pub label: String,
    /// Cgroups, parents before children.
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

/// A `struct cgroup_event`: the control file it watches, the written arguments, and the
/// eventfd it signals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventNode {
    pub file: String,
    pub args: String,
    /// The eventfd's counter (notifications not read yet).
    pub eventfd_count: u64,
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

/// A `struct mem_cgroup`: its counters, and where `res.parent` points.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemcgNode {
    /// `res`: usage and limit in bytes.
    pub res: (u64, u64),
    /// `memsw` (with swap accounting): usage and limit in bytes.
    pub memsw: Option<(u64, u64)>,
    /// The css node id of the memcg whose counters are this one's parents (`use_hierarchy`).
    pub counter_parent: Option<String>,
}

fn bytes_label(v: u64) -> String {
    if v >= i64::MAX as u64 {
        "unlimited".to_string()
    } else {
        v.to_string()
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
    /// The css_set node id (`task->cgroups`).
    pub css_set: String,
}

/// Escape text for a record label.
fn esc(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if matches!(c, '"' | '{' | '}' | '|' | '<' | '>' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Render the graph as DOT text.
pub fn render(g: &ObjectGraph) -> String {
    let mut o = String::new();
    o.push_str("digraph cgroups {\n");
    o.push_str("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11];\n");
    o.push_str("  node [shape=record, fontname=\"Helvetica\", fontsize=10];\n");
    o.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for h in &g.hierarchies {
        let _ = writeln!(o, "  subgraph cluster_{} {{", h.id);
        let _ = writeln!(o, "    label=\"cgroupfs_root {}\";", esc(&h.label));
        for c in &h.cgroups {
            let _ = writeln!(
                o,
                "    \"{}\" [label=\"{{cgroup|{}|count={}}}\"];",
                c.id,
                esc(&c.path),
                c.count
            );
            for s in c.css.iter().filter(|s| s.owned) {
                match &s.memcg {
                    None => {
                        let _ = writeln!(
                            o,
                            "    \"{}\" [label=\"{{cgroup_subsys_state|{}|refcnt={}}}\", style=rounded];",
                            s.id,
                            esc(&s.subsys),
                            s.refcnt
                        );
                    }
                    Some(m) => {
                        let memsw = m.memsw.map_or(String::new(), |(u, l)| {
                            format!("|memsw: {} / {}", u, bytes_label(l))
                        });
                        let _ = writeln!(
                            o,
                            "    \"{}\" [label=\"{{mem_cgroup|{{cgroup_subsys_state css|{}|refcnt={}}}|res: {} / {}{memsw}}}\", style=rounded];",
                            s.id,
                            esc(&s.subsys),
                            s.refcnt,
                            m.res.0,
                            bytes_label(m.res.1),
                        );
                        if let Some(p) = &m.counter_parent {
                            let _ = writeln!(
                                o,
                                "    \"{}\" -> \"{p}\" [label=\"res.parent\", style=dotted, color=\"#2060c0\"];",
                                s.id
                            );
                        }
                    }
                }
                let _ = writeln!(
                    o,
                    "    \"{}\" -> \"{}\" [label=\"subsys[{}]\"];",
                    c.id,
                    s.id,
                    esc(&s.subsys)
                );
            }
            if let Some(p) = &c.parent {
                let _ = writeln!(
                    o,
                    "    \"{}\" -> \"{p}\" [label=\"parent\", style=dotted];",
                    c.id
                );
            }
            for (j, e) in c.events.iter().enumerate() {
                let ev = format!("{}_event{j}", c.id);
                let _ = writeln!(
                    o,
                    "    \"{ev}\" [label=\"{{cgroup_event|{}|args: {}}}\", style=filled, fillcolor=\"#e8f6e8\"];",
                    esc(&e.file),
                    esc(&e.args)
                );
                let _ = writeln!(o, "    \"{}\" -> \"{ev}\" [label=\"event_list\"];", c.id);
                let _ = writeln!(
                    o,
                    "    \"{ev}_eventfd\" [label=\"{{eventfd_ctx|count={}}}\", shape=record];",
                    e.eventfd_count
                );
                let _ = writeln!(o, "    \"{ev}\" -> \"{ev}_eventfd\" [label=\"eventfd\"];");
            }
        }
        o.push_str("  }\n");
    }
    // The dummy top cgroup keeps its pointers to the states of subsystems bound elsewhere
    // (rebind_subsystems does not clear them). Drawn outside the clusters, so Graphviz places
    // each state in the hierarchy its css->cgroup names, and grey, since nothing follows them.
    for h in &g.hierarchies {
        for c in &h.cgroups {
            for s in c.css.iter().filter(|s| !s.owned) {
                let _ = writeln!(
                    o,
                    "  \"{}\" -> \"{}\" [label=\"subsys[{}]\", color=gray, fontcolor=gray, constraint=false];",
                    c.id,
                    s.id,
                    esc(&s.subsys)
                );
            }
        }
    }
    for cs in &g.css_sets {
        let _ = writeln!(
            o,
            "  \"{}\" [label=\"{{css_set|{}|refcount={}}}\", style=filled, fillcolor=\"#eef3ff\"];",
            cs.id, cs.id, cs.refcount
        );
        for (ss, css) in &cs.subsys {
            let _ = writeln!(
                o,
                "  \"{}\" -> \"{css}\" [label=\"subsys[{}]\", style=dashed, constraint=false];",
                cs.id,
                esc(ss)
            );
        }
        for (i, cg) in cs.links.iter().enumerate() {
            let link = format!("{}_link{i}", cs.id);
            let _ = writeln!(
                o,
                "  \"{link}\" [label=\"cg_cgroup_link\", shape=box, style=rounded];"
            );
            let _ = writeln!(o, "  \"{}\" -> \"{link}\" [label=\"cg_links\"];", cs.id);
            let _ = writeln!(o, "  \"{link}\" -> \"{cg}\" [label=\"cgrp\"];");
        }
    }
    for t in &g.tasks {
        let _ = writeln!(
            o,
            "  \"task{}\" [label=\"{{task_struct|pid {}|{}}}\", style=filled, fillcolor=\"#fff4e0\"];",
            t.pid,
            t.pid,
            esc(&t.comm)
        );
        let _ = writeln!(
            o,
            "  \"task{}\" -> \"{}\" [label=\"cgroups\"];",
            t.pid, t.css_set
        );
    }
    o.push_str("}\n");
    o
}

/// The DOT text of a kernel's live object graph.
pub fn kernel_dot(k: &cgsim_cgroupfs::Kernel) -> Result<String, String> {
    graph_of(k).map(|g| render(&g))
}

/// The `struct mem_cgroup` of every live memcg that has a css, keyed by css node id.
fn memcg_nodes(k: &cgsim_cgroupfs::Kernel) -> std::collections::BTreeMap<String, MemcgNode> {
    use cgsim_counters::Counter;
    use std::collections::BTreeMap;
    let m = k.memory();
    // (css node id, counter address, parent counter address, node)
    let mut rows: Vec<(String, usize, Option<usize>, MemcgNode)> = Vec::new();
    for id in m.memcgs() {
        let row = m.with_memcg(id, |mc| {
            let css = mc
                .css
                .clone()?
                .downcast::<cgsim_cgroup::CgroupSubsysState>()
                .ok()?;
            let res = mc.res();
            let node = MemcgNode {
                res: (res.usage().0, res.limit().0),
                memsw: mc.memsw().map(|c| (c.usage().0, c.limit().0)),
                counter_parent: None,
            };
            Some((
                format!("css{}", css.id().0),
                std::sync::Arc::as_ptr(res) as usize,
                res.parent().map(|p| p as *const _ as usize),
                node,
            ))
        });
        if let Some(Some(r)) = row {
            rows.push(r);
        }
    }
    let by_addr: BTreeMap<usize, String> = rows.iter().map(|r| (r.1, r.0.clone())).collect();
    rows.into_iter()
        .map(|(css, _, parent, mut node)| {
            node.counter_parent = parent.and_then(|p| by_addr.get(&p).cloned());
            (css, node)
        })
        .collect()
}

/// Build the [`ObjectGraph`] from the kernel's cgroup core snapshot (`Kernel::cgroups()`) and
/// the memory controller's memcgs.
pub fn graph_of(k: &cgsim_cgroupfs::Kernel) -> Result<ObjectGraph, String> {
    let snap = k.cgroups().snapshot();
    let memcgs = memcg_nodes(k);
    let comms: std::collections::BTreeMap<i32, (String, bool)> = k
        .ps()
        .into_iter()
        .map(|p| {
            (
                p.pid.0,
                (p.comm, p.state == cgsim_cgroupfs::ProcState::Zombie),
            )
        })
        .collect();
    let mut g = graph_from_snapshot(&snap, |pid| comms.get(&pid).cloned());
    // Node ids follow the snapshot's cgroup order (see graph_from_snapshot).
    let node_of: std::collections::BTreeMap<_, String> = snap
        .cgroups
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, format!("cg{i}")))
        .collect();
    let mut events: std::collections::BTreeMap<String, Vec<EventNode>> = Default::default();
    for e in k.cgroup_events() {
        if let Some(node) = node_of.get(&e.cgrp) {
            events.entry(node.clone()).or_default().push(EventNode {
                file: e.file,
                args: e.args,
                eventfd_count: e.eventfd_count,
            });
        }
    }
    for h in &mut g.hierarchies {
        for c in &mut h.cgroups {
            for s in &mut c.css {
                s.memcg = memcgs.get(&s.id).cloned();
            }
            c.events = events.remove(&c.id).unwrap_or_default();
        }
    }
    Ok(g)
}

/// Convert a core snapshot; `comm` gives a task's name and whether it is a zombie.
pub fn graph_from_snapshot(
    snap: &cgsim_cgroup::CoreSnapshot,
    comm: impl Fn(i32) -> Option<(String, bool)>,
) -> ObjectGraph {
    use std::collections::BTreeMap;
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
    for (ri, r) in snap.roots.iter().enumerate() {
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
            id: format!("h{ri}"),
            label,
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
        let (name, zombie) = comm(t.pid.0).unwrap_or_else(|| ("?".to_string(), false));
        g.tasks.push(TaskNode {
            pid: t.pid.0,
            comm: if zombie || t.exited {
                format!("{name} (zombie)")
            } else {
                name
            },
            css_set: cs.clone(),
        });
    }
    g
}

/// Whether Graphviz's `dot` program can be run.
pub fn graphviz_available() -> bool {
    std::process::Command::new("dot")
        .arg("-V")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Render DOT text to SVG with Graphviz.
pub fn render_svg(dot: &str) -> io::Result<Vec<u8>> {
    use std::io::Write;
    let mut child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .expect("stdin was piped")
        .write_all(dot.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(io::Error::other(
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
    }
    Ok(out.stdout)
}

/// Write DOT text to a host file; a `.svg` path is rendered with Graphviz when it is installed
/// (otherwise the DOT text goes next to it as `.dot`). Returns a note for the user.
pub fn write_file(path: &Path, dot: &str) -> io::Result<String> {
    if path.extension().is_some_and(|e| e == "svg") {
        if graphviz_available() {
            std::fs::write(path, render_svg(dot)?)?;
            return Ok(format!("wrote {}\n", path.display()));
        }
        let alt = path.with_extension("dot");
        std::fs::write(&alt, dot)?;
        return Ok(format!(
            "Graphviz is not installed: wrote DOT text to {} instead\n",
            alt.display()
        ));
    }
    std::fs::write(path, dot)?;
    Ok(format!("wrote {}\n", path.display()))
}
