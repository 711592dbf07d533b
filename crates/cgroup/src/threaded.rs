//! Threaded mode of the default hierarchy: `cgroup.type` (`domain`, `domain threaded`,
//! `domain invalid`, `threaded`), thread roots and the rules that depend on them.
//!
//! **Kernel:** `kernel/cgroup/cgroup.c` v6.6: `cgroup_is_threaded`, `cgroup_is_mixable`,
//! `cgroup_can_be_thread_root`, `cgroup_is_thread_root`, `cgroup_is_valid_domain`,
//! `cgroup_type_show`, `cgroup_type_write` → `cgroup_enable_threaded`, `cgroup_control` (a
//! threaded cgroup offers its children only threaded controllers),
//! `cgroup_vet_subtree_control_enable`, `cgroup_migrate_vet_dst`, `cgroup_attach_permissions`
//! (a thread moves only within its domain: `src->dom_cgrp != dst->dom_cgrp` is EOPNOTSUPP),
//! `cgroup_procs_start` (a threaded cgroup's `cgroup.procs` cannot be read: EOPNOTSUPP);
//! `Documentation/admin-guide/cgroup-v2.rst` ("Threads").
//!
//! **Differences:**
//! - `cgrp->dom_cgrp` is not stored: a threaded cgroup's domain is its nearest non-threaded
//!   ancestor (the kernel points every threaded cgroup of a subtree at that cgroup, and a
//!   threaded cgroup's parent is always threaded or that domain), and `nr_threaded_children`
//!   is counted from the children when asked. `nr_populated_domain_children` likewise.
//! - Thread groups themselves (tids, `cgroup.threads` moving one thread, `cgroup.procs` the
//!   whole group) are `thread_group.rs`.

use crate::cgroup::CgroupId;
use crate::core::{CgroupCore, CgroupState};
use cgsim_ktypes::{Errno, Tracer};

impl<T: Tracer> CgroupCore<T> {
    /// `cgroup_is_threaded(cgrp)`: `cgrp->dom_cgrp != cgrp`.
    pub(crate) fn is_threaded(st: &CgroupState<T>, cgrp: CgroupId) -> bool {
        st.cgroups.get(cgrp.0).is_some_and(|c| c.threaded)
    }

    /// `cgrp->dom_cgrp`: the cgroup itself, or for a threaded one its thread root.
    pub(crate) fn dom_cgrp(st: &CgroupState<T>, cgrp: CgroupId) -> CgroupId {
        let mut cur = cgrp;
        while Self::is_threaded(st, cur) {
            cur = st
                .cgroups
                .get(cur.0)
                .expect("live")
                .parent
                .expect("a threaded cgroup has a parent");
        }
        cur
    }

    /// `cgroup_is_mixable(cgrp)`: only the root may have both tasks and controllers enabled
    /// for its children.
    fn is_mixable(st: &CgroupState<T>, cgrp: CgroupId) -> bool {
        st.cgroups.get(cgrp.0).is_some_and(|c| c.parent.is_none())
    }

    /// `cgrp->nr_threaded_children`.
    fn nr_threaded_children(st: &CgroupState<T>, cgrp: CgroupId) -> usize {
        st.cgroups.get(cgrp.0).map_or(0, |c| {
            c.children
                .iter()
                .filter(|&&ch| Self::is_threaded(st, ch))
                .count()
        })
    }

    /// `cgroup_can_be_thread_root(cgrp)`: mixable; or a domain with no populated domain child
    /// and no domain controller in its `subtree_control`.
    pub(crate) fn can_be_thread_root(&self, st: &CgroupState<T>, cgrp: CgroupId) -> bool {
        if Self::is_mixable(st, cgrp) {
            return true;
        }
        if Self::is_threaded(st, cgrp) {
            return false;
        }
        let c = st.cgroups.get(cgrp.0).expect("live");
        // `nr_populated_domain_children`.
        if c.children
            .iter()
            .any(|&ch| !Self::is_threaded(st, ch) && self.is_populated(st, ch))
        {
            return false;
        }
        c.subtree_control & !self.dfl_threaded_mask() == 0
    }

    /// `cgroup_is_thread_root(cgrp)`: a domain with threaded children, or with tasks and a
    /// threaded controller enabled for its children.
    pub(crate) fn is_thread_root(&self, st: &CgroupState<T>, cgrp: CgroupId) -> bool {
        if Self::is_threaded(st, cgrp) {
            return false;
        }
        if Self::nr_threaded_children(st, cgrp) > 0 {
            return true;
        }
        let c = st.cgroups.get(cgrp.0).expect("live");
        self.has_tasks(cgrp) && c.subtree_control & self.dfl_threaded_mask() != 0
    }

    /// `cgroup_is_valid_domain(cgrp)`: not threaded, and no ancestor is threaded or a
    /// non-mixable thread root.
    pub(crate) fn is_valid_domain(&self, st: &CgroupState<T>, cgrp: CgroupId) -> bool {
        if Self::is_threaded(st, cgrp) {
            return false;
        }
        let mut cur = st.cgroups.get(cgrp.0).expect("live").parent;
        while let Some(p) = cur {
            if !Self::is_mixable(st, p) && self.is_thread_root(st, p) {
                return false;
            }
            if Self::is_threaded(st, p) {
                return false;
            }
            cur = st.cgroups.get(p.0).expect("live").parent;
        }
        true
    }

    /// `cgroup_type_show`.
    pub(crate) fn cgroup_type_show(&self, st: &CgroupState<T>, cgrp: CgroupId) -> &'static str {
        if Self::is_threaded(st, cgrp) {
            "threaded\n"
        } else if !self.is_valid_domain(st, cgrp) {
            "domain invalid\n"
        } else if self.is_thread_root(st, cgrp) {
            "domain threaded\n"
        } else {
            "domain\n"
        }
    }

    /// `cgroup_enable_threaded(cgrp)` (a write of `threaded` to `cgroup.type`): nothing to do
    /// for a threaded cgroup; EOPNOTSUPP for a populated one or one with a domain controller
    /// enabled for its children, and when the parent's domain is not a valid domain that can
    /// be a thread root. The cgroup then joins its parent's domain; its own children that are
    /// not threaded become `domain invalid`.
    pub(crate) fn enable_threaded(&self, cgrp: CgroupId) -> Result<(), Errno> {
        // Lock order: cgroup_mutex (cgroup_kn_lock_live).
        let mut st = self.lock();
        let c = st.cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?;
        if c.is_removed() {
            return Err(Errno::ENODEV);
        }
        if c.threaded {
            return Ok(());
        }
        let parent = c.parent.ok_or(Errno::EINVAL)?;
        if self.is_populated(&st, cgrp) || c.subtree_control & !self.dfl_threaded_mask() != 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        let dom = Self::dom_cgrp(&st, parent);
        if !self.is_valid_domain(&st, dom) || !self.can_be_thread_root(&st, dom) {
            return Err(Errno::EOPNOTSUPP);
        }
        // `cgroup_apply_control`: a threaded cgroup keeps only the csses of threaded
        // controllers; those of domain controllers its parent gave it are killed, and their
        // files go (the cgroup has no tasks, so no task changes css).
        st.cgroups.get_mut(cgrp.0).expect("live").threaded = true;
        let domain: Vec<usize> = (0..self.subsys.len())
            .filter(|&i| !self.subsys[i].threaded())
            .filter(|&i| st.cgroups.get(cgrp.0).expect("live").subsys[i].is_some())
            .collect();
        if !domain.is_empty() {
            let mask = domain.iter().fold(0u64, |m, &i| m | 1 << i);
            for &i in domain.iter().rev() {
                self.kill_css(&mut st, cgrp, i);
            }
            self.update_dfl_csses(&mut st, cgrp, mask);
            self.populate_dir(&mut st, cgrp);
        }
        Ok(())
    }

    /// The threaded-mode part of `cgroup_vet_subtree_control_enable` for a non-root cgroup
    /// enabling `enable` (`domain` among them when it holds a domain controller). `Some` is the
    /// verdict; `None` leaves it to the no-internal-process check (EBUSY with tasks).
    pub(crate) fn vet_threaded_enable(
        &self,
        st: &CgroupState<T>,
        cgrp: CgroupId,
        domain: bool,
    ) -> Option<Result<(), Errno>> {
        if !self.is_valid_domain(st, Self::dom_cgrp(st, cgrp)) {
            return Some(Err(Errno::EOPNOTSUPP));
        }
        if domain {
            // Domain controllers cannot be enabled inside a thread subtree.
            if self.is_thread_root(st, cgrp) || Self::is_threaded(st, cgrp) {
                return Some(Err(Errno::EOPNOTSUPP));
            }
        } else if self.can_be_thread_root(st, cgrp) || Self::is_threaded(st, cgrp) {
            // Threaded controllers handle internal competition.
            return Some(Ok(()));
        }
        None
    }
}
