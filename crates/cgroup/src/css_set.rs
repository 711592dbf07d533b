//! `struct css_set` and `struct cg_cgroup_link`: the many-to-many join between tasks and cgroups.
//!
//! **Kernel:** `kernel/cgroup.c` `find_css_set`, `find_existing_css_set`, `compare_css_sets`
//! (2.6.32), `put_css_set`, `put_css_set_taskexit`, `link_css_set` (2.6.25 with the 2.6.32 link
//! rules; `include/linux/cgroup.h` `struct css_set`, v2.6.25; `kernel/cgroup.c` `struct cg_cgroup_link`, `find_css_set`, v2.6.32).
//!
//! **Locking:** css_sets, their links (both sides) and task lists are protected by
//! `css_set_lock`; lock order `cgroup_mutex` -> `css_set_lock` -> `release_list_lock`.

use crate::arena::ArenaKey;
use crate::cgroup::CgroupId;
use crate::css::CssRef;
use cgsim_ktypes::Pid;
use cgsim_ktypes::percpu::smp_processor_id;
use std::collections::BTreeSet;

/// A css_set, named by slab slot and generation.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CssSetId(pub ArenaKey);

/// `struct cg_cgroup_link`: one edge css_set → cgroup.
///
/// **Kernel:** `kernel/cgroup.c`, 2.6.32 (with the `cgrp` back pointer; `struct cg_cgroup_link`).
/// **Differences:** the link lives in its css_set's `cg_links` (hierarchy creation order); the
/// cgroup side keeps the css_set id in the cgroup's link list (`CgrpLinks`, under
/// `css_set_lock`).
#[doc(alias = "cg_cgroup_link")]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CgCgroupLink {
    /// `link->cgrp`.
    pub cgrp: CgroupId,
}

/// `struct css_set`.
///
/// **Kernel:** `include/linux/cgroup.h`, 2.6.25 (`struct css_set`).
/// **Differences:** `refcount` counts task references plus the kernel's own (see
/// `kernel_refs`); `tasks` is an ordered set instead of a list.
/// **Locking:** `css_set_lock` (read for lookups and iteration, write for changes), as in the
/// kernel (see the crate docs).
#[doc(alias = "css_set")]
pub struct CssSet {
    pub(crate) refcount: usize,
    /// References not held by a task: 1 for `init_css_set` (the idle task's pin, which keeps it
    /// alive forever), 0 otherwise.
    pub(crate) kernel_refs: usize,
    pub(crate) subsys: Vec<CssRef>,
    pub(crate) cg_links: Vec<CgCgroupLink>,
    pub(crate) tasks: BTreeSet<Pid>,
}

impl CssSet {
    /// The map key: the linked cgroups, sorted. Two live css_sets never share a key (Invariant I3);
    /// this is `compare_css_sets`' rule, and it implies equal `subsys[]` templates.
    pub(crate) fn key(&self) -> Vec<CgroupId> {
        let mut k: Vec<CgroupId> = self.cg_links.iter().map(|l| l.cgrp).collect();
        k.sort();
        k
    }
}

use crate::core::{CgroupCore, CgroupState, CssSetState};
use cgsim_ktypes::{Tracer, trace};

impl<T: Tracer> CgroupCore<T> {
    /// `find_css_set(oldcg, cgrp)`: the css_set a task in `oldcg` gets when it moves to `cgrp`,
    /// with one reference taken (`kernel/cgroup.c` `find_css_set`, 2.6.32 link rules); `None`
    /// when an allocation fails (the caller returns ENOMEM).
    ///
    /// **Locking:** the caller holds `cgroup_mutex` (`st`) and `css_set_lock` for writing (`cs`);
    /// the kernel takes the latter inside.
    pub(crate) fn find_css_set(
        &self,
        st: &CgroupState<T>,
        cs: &mut CssSetState,
        oldcg: CssSetId,
        cgrp: CgroupId,
    ) -> Option<CssSetId> {
        let _f = trace::func(&*self.tracer, smp_processor_id(), "find_css_set");
        let c = st.cgroups.get(cgrp.0).expect("find_css_set: live cgroup");
        let root = c.root;
        let bits = if self.on_dfl_root(root) {
            Self::dfl_subsys_mask(st)
        } else {
            st.roots_arena.get(root.0).expect("live root").subsys_bits
        };
        let old = cs
            .css_sets
            .get(oldcg.0)
            .expect("find_css_set: live css_set");
        // The template of find_existing_css_set: the new cgroup's css where its hierarchy has the
        // subsystem, the old set's css elsewhere.
        let template: Vec<CssRef> = (0..self.subsys.len())
            .map(|i| {
                if bits & (1 << i) != 0 {
                    // cgroup_e_css_by_mask: on v1 the cgroup's own css.
                    Self::e_css(st, cgrp, i)
                } else {
                    old.subsys[i].clone()
                }
            })
            .collect();
        // compare_css_sets (2.6.32): the same cgroups as oldcg in every other hierarchy, cgrp in
        // cgrp's hierarchy.
        let links: Vec<CgCgroupLink> = old
            .cg_links
            .iter()
            .map(|l| {
                let lroot = st.cgroups.get(l.cgrp.0).expect("linked cgroup").root;
                if lroot == root {
                    CgCgroupLink { cgrp }
                } else {
                    *l
                }
            })
            .collect();
        let mut key: Vec<CgroupId> = links.iter().map(|l| l.cgrp).collect();
        key.sort();
        {
            let _g = trace::func(&*self.tracer, smp_processor_id(), "find_existing_css_set");
            if let Some(&found) = cs.css_set_table.get(&key) {
                let set = cs.css_sets.get_mut(found.0).expect("table entry is live");
                debug_assert!(
                    set.subsys
                        .iter()
                        .zip(&template)
                        .all(|(a, b)| a.id() == b.id())
                );
                set.refcount += 1;
                trace::comment(&*self.tracer, smp_processor_id(), || {
                    format!(
                        "found css_set {}: refcount now {}",
                        found.0.slot(),
                        set.refcount
                    )
                });
                return Some(found);
            }
        }
        // kmalloc of the css_set, then allocate_cg_links: one link per hierarchy. A failure
        // frees what was allocated and returns NULL; nothing was linked yet.
        if self.kmalloc_fails(&crate::fault::CSS_SET)
            || links
                .iter()
                .any(|_| self.kmalloc_fails(&crate::fault::CG_LINK))
        {
            return None;
        }
        let id = CssSetId(cs.css_sets.insert(CssSet {
            refcount: 1,
            kernel_refs: 0,
            subsys: template,
            cg_links: links.clone(),
            tasks: BTreeSet::new(),
        }));
        for l in &links {
            let lc = st.cgroups.get(l.cgrp.0).expect("linked cgroup");
            cs.link(l.cgrp, &lc.shared, id);
        }
        cs.css_set_table.insert(key, id);
        cs.css_set_count += 1;
        trace::comment(&*self.tracer, smp_processor_id(), || {
            // 3.15 renamed `struct cg_cgroup_link` to `struct cgrp_cset_link`.
            let link = if self.profile.has_cgroup2() {
                "cgrp_cset_links"
            } else {
                "cg_cgroup_links"
            };
            format!(
                "no match: new css_set {} with {} {link} (css_set_count {})",
                id.0.slot(),
                links.len(),
                cs.css_set_count
            )
        });
        Some(id)
    }

    /// `put_css_set` / `put_css_set_taskexit`: drop one reference; the last one frees the set,
    /// unlinks it from its cgroups and may queue them for release (`kernel/cgroup.c` `__put_css_set`, v2.6.32).
    ///
    /// **Locking:** the caller holds `css_set_lock` for writing (`cs`), and not necessarily
    /// `cgroup_mutex` (exit does not): the cgroups are reached through their lock-free part and
    /// `check_for_release` takes only `release_list_lock`.
    #[doc(alias = "put_css_set_taskexit")]
    pub(crate) fn put_css_set(&self, cs: &mut CssSetState, cg: CssSetId, taskexit: bool) {
        let _f = trace::func(&*self.tracer, smp_processor_id(), "put_css_set");
        let set = cs
            .css_sets
            .get_mut(cg.0)
            .expect("put_css_set: live css_set");
        assert!(set.refcount > 0, "css_set refcount underflow");
        set.refcount -= 1;
        if set.refcount > 0 {
            return;
        }
        let set = cs.css_sets.remove(cg.0).expect("live");
        assert!(set.tasks.is_empty(), "freeing a css_set with tasks");
        cs.css_set_table.remove(&set.key());
        cs.css_set_count -= 1;
        trace::comment(&*self.tracer, smp_processor_id(), || {
            format!(
                "last reference: css_set {} freed (css_set_count {})",
                cg.0.slot(),
                cs.css_set_count
            )
        });
        for l in &set.cg_links {
            let (c, count) = cs.unlink(l.cgrp, cg);
            if count == 0 && c.notify_on_release() {
                if taskexit {
                    c.set_flag(crate::cgroup::CGRP_RELEASABLE);
                }
                // cgroup_has_css_refs: the freed set's css of each subsystem bound to this
                // cgroup's hierarchy is this cgroup's css (Invariant I5).
                let refs = set
                    .subsys
                    .iter()
                    .any(|css| css.cgroup() == l.cgrp && css.has_extra_refs());
                // Lock order: css_set_lock -> release_list_lock (inside check_for_release).
                self.check_for_release(l.cgrp, &c, refs);
            }
        }
    }

    /// Rebuild the css_set table keys after links were added or removed at mount or kill_sb.
    pub(crate) fn rehash_css_sets(cs: &mut CssSetState) {
        cs.css_set_table = cs
            .css_sets
            .iter()
            .map(|(k, s)| (s.key(), CssSetId(k)))
            .collect();
    }
}
