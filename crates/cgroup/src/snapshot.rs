//! A plain-data picture of the whole core, for diagrams (the figures of the `dot` views) and tests.
//!
//! **Kernel:** none; it shows `cgroupfs_root`, `cgroup`, `cgroup_subsys_state`, `css_set` and
//! `cg_cgroup_link` objects as the article draws them.

use crate::cgroup::CgroupId;
use crate::core::CgroupCore;
use crate::css::CssId;
use crate::css_set::CssSetId;
use crate::root::RootId;
use cgsim_ktypes::{Cred, Pid, Tracer};

/// One subsystem of the `subsys[]` table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubsysSnapshot {
    pub id: usize,
    pub name: String,
    /// `ss->root`.
    pub root: RootId,
    pub disabled: bool,
}

/// One `cgroupfs_root` (rootnode first, then the `roots` list order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RootSnapshot {
    pub id: RootId,
    pub is_rootnode: bool,
    pub hierarchy_id: u32,
    pub name: String,
    /// Bound subsystems in `subsys_list` order (head first).
    pub subsys_list: Vec<usize>,
    pub subsys_bits: u64,
    pub actual_subsys_bits: u64,
    pub flags: u32,
    pub number_of_cgroups: usize,
    pub release_agent_path: Vec<u8>,
    pub top_cgroup: CgroupId,
    /// Mount views the VFS holds.
    pub mounts: usize,
}

/// One `cgroup_subsys_state`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CssSnapshot {
    pub id: CssId,
    pub subsys_id: usize,
    /// `css->cgroup`.
    pub cgroup: CgroupId,
    pub refcnt: i64,
    pub flags: u32,
}

/// One `cgroup`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CgroupSnapshot {
    pub id: CgroupId,
    pub root: RootId,
    pub name: String,
    /// `cgroup_path` (`/` for a top cgroup and dummytop).
    pub path: String,
    pub parent: Option<CgroupId>,
    /// Children, list head first.
    pub children: Vec<CgroupId>,
    pub count: usize,
    pub flags: u32,
    /// `subsys[]`, indexed by subsystem id.
    pub css: Vec<Option<CssSnapshot>>,
    /// The css_sets linked to this cgroup (`cgrp->css_sets`).
    pub css_sets: Vec<CssSetId>,
    /// `cgrp->subtree_control` (default hierarchy; 0 elsewhere).
    pub subtree_control: u64,
    /// `cgrp->nr_dying_descendants` (6.6: removed cgroups below with a css not yet freed).
    pub nr_dying_descendants: usize,
}

/// One `css_set` with its `cg_cgroup_link`s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CssSetSnapshot {
    pub id: CssSetId,
    pub is_init_css_set: bool,
    pub refcount: usize,
    /// `subsys[]`, indexed by subsystem id.
    pub subsys: Vec<CssId>,
    /// The linked cgroups, in link (hierarchy creation) order.
    pub links: Vec<CgroupId>,
    pub tasks: Vec<Pid>,
}

/// One task's cgroup side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskSnapshot {
    pub pid: Pid,
    pub css_set: CssSetId,
    pub cred: Cred,
    pub exiting: bool,
    pub exited: bool,
}

/// Everything, as plain data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreSnapshot {
    pub subsys: Vec<SubsysSnapshot>,
    pub roots: Vec<RootSnapshot>,
    /// Every cgroup, dummytop first, then by hierarchy and depth-first in children order.
    pub cgroups: Vec<CgroupSnapshot>,
    pub css_sets: Vec<CssSetSnapshot>,
    pub tasks: Vec<TaskSnapshot>,
    pub dummytop: CgroupId,
    pub init_css_set: CssSetId,
    pub root_count: usize,
    pub css_set_count: usize,
    pub need_forkexit_callback: bool,
    /// `release_list`, head first.
    pub release_list: Vec<CgroupId>,
    /// The kernel has the default hierarchy (6.6): rootnode is `cgrp_dfl_root`.
    pub cgroup2: bool,
    /// A `cgroup2` mount made the default hierarchy visible (`cgrp_dfl_visible`).
    pub dfl_visible: bool,
}

impl CoreSnapshot {
    /// The cgroup with this id.
    pub fn cgroup(&self, id: CgroupId) -> Option<&CgroupSnapshot> {
        self.cgroups.iter().find(|c| c.id == id)
    }

    /// The root with this id.
    pub fn root(&self, id: RootId) -> Option<&RootSnapshot> {
        self.roots.iter().find(|r| r.id == id)
    }
}

impl<T: Tracer> CgroupCore<T> {
    /// Take a consistent snapshot (under `cgroup_mutex`, `css_set_lock` and `release_list_lock`).
    pub fn snapshot(&self) -> CoreSnapshot {
        // Lock order: cgroup_mutex -> css_set_lock (read) -> release_list_lock.
        let st = self.lock();
        let cs = self.css_set_read();
        let release_list = self.release_list.lock();
        let subsys = self
            .subsys
            .iter()
            .enumerate()
            .map(|(i, s)| SubsysSnapshot {
                id: i,
                name: s.name().to_string(),
                root: st.subsys_root[i],
                disabled: self.disabled[i],
            })
            .collect();
        let root_ids: Vec<RootId> = std::iter::once(RootId::ROOTNODE)
            .chain(st.roots.iter().copied())
            .collect();
        let roots = root_ids
            .iter()
            .map(|&id| {
                let r = st.roots_arena.get(id.0).expect("live");
                RootSnapshot {
                    id,
                    is_rootnode: id.is_rootnode(),
                    hierarchy_id: r.hierarchy_id,
                    name: r.name.clone(),
                    subsys_list: r.subsys_list.clone(),
                    subsys_bits: r.subsys_bits,
                    actual_subsys_bits: r.actual_subsys_bits,
                    flags: r.flags,
                    number_of_cgroups: r.number_of_cgroups,
                    release_agent_path: r.release_agent_path.clone(),
                    top_cgroup: r.top_cgroup,
                    mounts: r.mounts,
                }
            })
            .collect::<Vec<_>>();
        let mut cgroups = Vec::new();
        for r in &roots {
            let mut stack = vec![r.top_cgroup];
            while let Some(id) = stack.pop() {
                let c = st.cgroups.get(id.0).expect("live");
                cgroups.push(CgroupSnapshot {
                    id,
                    root: c.root,
                    name: c.name.clone(),
                    path: Self::path_of(&st, id).unwrap_or_default(),
                    parent: c.parent,
                    children: c.children.to_vec(),
                    count: c.count(),
                    flags: c.flags(),
                    css: c
                        .subsys
                        .iter()
                        .map(|css| {
                            css.as_ref().map(|css| CssSnapshot {
                                id: css.id(),
                                subsys_id: css.subsys_id(),
                                cgroup: css.cgroup(),
                                refcnt: css.refcnt(),
                                flags: css.flags(),
                            })
                        })
                        .collect(),
                    css_sets: cs.links_of(id).to_vec(),
                    subtree_control: c.subtree_control,
                    nr_dying_descendants: if st.dying.is_empty() && st.zombie_pins.is_empty() {
                        0
                    } else {
                        Self::nr_dying_descendants(&st, id)
                    },
                });
                stack.extend(c.children.iter().rev().copied());
            }
        }
        let css_sets = cs
            .css_sets
            .iter()
            .map(|(k, s)| CssSetSnapshot {
                id: CssSetId(k),
                is_init_css_set: CssSetId(k) == cs.init_css_set,
                refcount: s.refcount,
                subsys: s.subsys.iter().map(|c| c.id()).collect(),
                links: s.cg_links.iter().map(|l| l.cgrp).collect(),
                tasks: s.tasks.iter().copied().collect(),
            })
            .collect();
        let mut tasks: Vec<TaskSnapshot> = cs
            .tasks
            .iter()
            .map(|(&pid, t)| TaskSnapshot {
                pid,
                css_set: t.cgroups,
                cred: t.cred,
                exiting: t.exiting,
                exited: t.exited,
            })
            .collect();
        // In pid order (the pid table is a hash table).
        tasks.sort_unstable_by_key(|t| t.pid);
        CoreSnapshot {
            subsys,
            roots,
            cgroups,
            css_sets,
            tasks,
            dummytop: st.dummytop,
            init_css_set: cs.init_css_set,
            root_count: st.root_count,
            css_set_count: cs.css_set_count,
            need_forkexit_callback: cs.need_forkexit_callback,
            release_list: release_list.iter().copied().collect(),
            cgroup2: self.profile.has_cgroup2(),
            dfl_visible: st.dfl_visible,
        }
    }
}
