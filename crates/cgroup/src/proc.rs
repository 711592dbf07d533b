//! `/proc/cgroups` and `/proc/<pid>/cgroup`.
//!
//! **Kernel:** `kernel/cgroup.c` `proc_cgroupstats_show`, `proc_cgroup_show` (2.6.25 format
//! with `subsys_bits`, 2.6.32+ with `hierarchy_id` and `name=`; `kernel/cgroup.c` `proc_cgroup_show`, `proc_cgroupstats_show`).

use crate::core::CgroupCore;
use crate::profile::{MountOpts, ProcCgroupsColumns, ProcHierColumn};
use crate::root::RootId;
use cgsim_ktypes::{Errno, Pid, Tracer};

impl<T: Tracer> CgroupCore<T> {
    /// `/proc/cgroups` (`proc_cgroupstats_show`): a header, then per subsystem in id order
    /// `name\thierarchy\tnum_cgroups\tenabled`.
    #[doc(alias = "proc_cgroupstats_show")]
    pub fn proc_cgroups(&self) -> String {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        // Kernel: `kernel/cgroup.c` `proc_cgroupstats_show`; 2.6.25 prints three columns,
        // 2.6.26 added `enabled` with `cgroup_disable=`.
        let enabled = self.profile.proc_cgroups_columns == ProcCgroupsColumns::V2_6_26;
        let mut s = String::from("#subsys_name\thierarchy\tnum_cgroups");
        s.push_str(if enabled { "\tenabled\n" } else { "\n" });
        for (i, ss) in self.subsys.iter().enumerate() {
            let r = st.roots_arena.get(st.subsys_root[i].0).expect("live root");
            s.push_str(&format!(
                "{}\t{}\t{}",
                ss.name(),
                self.hier_column(r),
                r.number_of_cgroups
            ));
            if enabled {
                s.push_str(&format!("\t{}", u8::from(!self.disabled[i])));
            }
            s.push('\n');
        }
        s
    }

    /// `/proc/<pid>/cgroup` (`proc_cgroup_show`): one line per mounted hierarchy in `roots` order
    /// (newest first), `<hierarchy>:<names>[,name=<name>]:<path>`. ESRCH for an unknown pid.
    #[doc(alias = "proc_cgroup_show")]
    pub fn proc_pid_cgroup(&self, pid: Pid) -> Result<String, Errno> {
        // Lock order: cgroup_mutex -> css_set_lock (read).
        let st = self.lock();
        let cs = self.css_set_read();
        let t = cs.tasks.get(&pid).ok_or(Errno::ESRCH)?;
        let mut s = String::new();
        for &root in &st.roots {
            let r = st.roots_arena.get(root.0).expect("live root");
            let mut names: Vec<String> = self
                .subsys_names_order(r)
                .into_iter()
                .map(|i| self.subsys[i].name().to_string())
                .collect();
            if self.profile.mount_opts != MountOpts::V2_6_25 && !r.name.is_empty() {
                names.push(format!("name={}", r.name));
            }
            let cgrp = cs.css_set_cgroup(t.cgroups, root);
            let path = Self::path_of(&st, cgrp)?;
            s.push_str(&format!(
                "{}:{}:{}\n",
                self.hier_column(r),
                names.join(","),
                path
            ));
        }
        // 6.6 `proc_cgroup_show`: `cgrp_dfl_root` is last in `cgroup_roots` (set up first,
        // `list_add` at the head) and printed once a cgroup2 mount made it visible:
        // hierarchy 0, no controller names, the path.
        if self.profile.has_cgroup2() && st.dfl_visible {
            // An exited task (a zombie, or a leader whose threads live on) still names the
            // cgroup it died in (6.6 `cgroup_exit` keeps `tsk->cgroups`), with ` (deleted)`
            // once that cgroup is removed.
            let path = match (&t.dying_dfl_deleted, t.dying_dfl) {
                (Some(dead), _) if t.exited => format!("{dead} (deleted)"),
                (None, Some(g)) if t.exited && st.cgroups.get(g.0).is_some() => {
                    Self::path_of(&st, g)?
                }
                _ => Self::path_of(&st, cs.css_set_cgroup(t.cgroups, RootId::ROOTNODE))?,
            };
            s.push_str(&format!("0::{path}\n"));
        }
        Ok(s)
    }

    /// `cgroup_path(cgrp)` for the memcg OOM report, which the kernel prints under
    /// `rcu_read_lock` only: `None` when `cgroup_mutex` is busy (the OOM killer runs below it
    /// in the lock order, so it must not wait for it; the report then leaves the line out, as
    /// the kernel does when `cgroup_path` fails).
    pub fn try_cgroup_path(&self, cgrp: crate::CgroupId) -> Option<String> {
        // Lock order: memcg world -> cgroup_mutex, taken only by try_lock.
        let st = self.cgroup_mutex.try_lock()?;
        Self::path_of(&st, cgrp).ok()
    }

    /// Whether `cgrp` is a cgroup of the default hierarchy (`cgroup_on_dfl`). `None` when the
    /// core's locks are busy (see [`try_cgroup_path`](Self::try_cgroup_path)).
    pub fn try_on_dfl(&self, cgrp: crate::CgroupId) -> Option<bool> {
        // Lock order: memcg world -> cgroup_mutex, taken only by try_lock.
        let st = self.cgroup_mutex.try_lock()?;
        Some(self.on_dfl_root(st.cgroups.get(cgrp.0)?.root))
    }

    /// `cpuset_print_task_mems_allowed`'s name (2.6.29+): the dentry name of `pid`'s cgroup in
    /// the hierarchy subsystem `subsys` is bound to (its last path component, `/` for a top
    /// cgroup), or `/` when that subsystem is not mounted (dummytop has no dentry). `None`
    /// when the core's locks are busy (see [`try_cgroup_path`](Self::try_cgroup_path)).
    pub fn try_task_cgroup_name(&self, pid: Pid, subsys: &str) -> Option<String> {
        // Lock order: memcg world -> cgroup_mutex -> css_set_lock, taken only by try_lock.
        let st = self.cgroup_mutex.try_lock()?;
        let cs = self.css_set_lock.try_read()?;
        let id = self.subsys_id(subsys)?;
        let t = cs.tasks.get(&pid)?;
        let Some(&root) = st.roots.iter().find(|&&r| {
            st.roots_arena
                .get(r.0)
                .is_some_and(|r| r.subsys_list.contains(&id))
        }) else {
            return Some("/".to_string());
        };
        let mut cgrp = cs.css_set_cgroup(t.cgroups, root);
        // On the default hierarchy the task's cpuset is the effective css, the nearest
        // ancestor whose parent enables the controller (6.6 `task_cs(current)`).
        if self.on_dfl_root(root) {
            cgrp = Self::e_css(&st, cgrp, id).cgroup();
        }
        let path = Self::path_of(&st, cgrp).ok()?;
        Some(match path.rsplit_once('/') {
            Some((_, leaf)) if !leaf.is_empty() => leaf.to_string(),
            _ => "/".to_string(),
        })
    }

    fn hier_column(&self, r: &crate::root::CgroupfsRoot) -> u64 {
        match self.profile.proc_cgroups_hier_column {
            ProcHierColumn::HierarchyId => r.hierarchy_id as u64,
            ProcHierColumn::SubsysBits => r.subsys_bits,
        }
    }

    /// `hierarchy_id` of a hierarchy (0 for rootnode). EINVAL for an unknown root.
    pub fn hierarchy_id(&self, root: RootId) -> Result<u32, Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        Ok(st
            .roots_arena
            .get(root.0)
            .ok_or(Errno::EINVAL)?
            .hierarchy_id)
    }
}
