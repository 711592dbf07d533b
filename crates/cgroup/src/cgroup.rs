//! The cgroup tree: `struct cgroup`, mkdir (`cgroup_create`) and rmdir (`cgroup_rmdir`).
//!
//! **Kernel:** `include/linux/cgroup.h` `struct cgroup`, `kernel/cgroup.c` `cgroup_mkdir`,
//! `cgroup_create`, `cgroup_rmdir`, `cgroup_diput`, `cgroup_path` (2.6.25 structures, 2.6.34
//! rmdir rules; `include/linux/cgroup.h` `struct cgroup`, v2.6.25; `kernel/cgroup.c` `cgroup_create`, `cgroup_rmdir`, `cgroup_path`, v2.6.25–v2.6.34).

use crate::arena::ArenaKey;
use crate::css::CssRef;
use crate::files::CgroupFile;
use crate::root::RootId;
use cgsim_ktypes::Tracer;
use cgsim_ktypes::percpu::smp_processor_id;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

/// A cgroup, named by slab slot and generation. A stale id (removed cgroup) is reported as
/// ENODEV by every API taking it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CgroupId(pub ArenaKey);

impl CgroupId {
    pub(crate) fn pack(self) -> u64 {
        (self.0.slot as u64) | ((self.0.gen_ as u64) << 32)
    }

    pub(crate) fn unpack(v: u64) -> CgroupId {
        CgroupId(ArenaKey {
            slot: v as u32,
            gen_: (v >> 32) as u32,
        })
    }
}

impl std::fmt::Display for CgroupId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cgroup{}", self.0.slot)
    }
}

/// `CGRP_REMOVED` (bit 0).
pub const CGRP_REMOVED: u32 = 1 << 0;
/// `CGRP_RELEASABLE` (bit 1).
pub const CGRP_RELEASABLE: u32 = 1 << 1;
/// `CGRP_NOTIFY_ON_RELEASE` (bit 2).
pub const CGRP_NOTIFY_ON_RELEASE: u32 = 1 << 2;
/// `CGRP_CLONE_CHILDREN` (3.x, only with `core.base_files = v3_10`; stored, not acted on).
pub const CGRP_CLONE_CHILDREN: u32 = 1 << 4;
/// `!cgroup_psi(cgrp)->enabled` (6.1+): `0` was written to `cgroup.pressure`, which hides the
/// pressure files (`cgroup_file_show`) and stops the group's stall accounting. A flag here
/// rather than in the `psi_group` so that PSI's task walk reads it without `cgroup_mutex`.
pub const CGRP_PSI_DISABLED: u32 = 1 << 5;

/// The part of a `struct cgroup` that fork, exit and the release check read without
/// `cgroup_mutex` (the kernel reads these through RCU and atomic bit operations).
///
/// **Kernel:** `cgrp->flags` (`set_bit`/`test_bit`), `cgrp->count` (`atomic_t`),
/// `list_empty(&cgrp->children)`, `cgrp->parent`, `cgrp->root` (2.6.25; `include/linux/cgroup.h` `struct cgroup`; `kernel/cgroup.c` `check_for_release`).
/// **Locking:** `flags` and `nr_children` are written under `cgroup_mutex`, `count` under
/// `css_set_lock` (write); all three are atomics readable without a lock. `root`, `parent` and
/// `parent_css` never change while the cgroup lives.
pub(crate) struct CgroupShared {
    pub(crate) flags: AtomicU32,
    pub(crate) count: AtomicUsize,
    pub(crate) nr_children: AtomicUsize,
    pub(crate) parent: Option<CgroupId>,
    pub(crate) root: RootId,
    /// `cgrp->parent->subsys[i]` for every subsystem (fixed: a parent's css only changes while
    /// it has no children).
    pub(crate) parent_css: Vec<Option<CssRef>>,
}

impl CgroupShared {
    pub(crate) fn flags(&self) -> u32 {
        self.flags.load(Ordering::Acquire)
    }

    /// `cgroup_is_removed`.
    pub(crate) fn is_removed(&self) -> bool {
        self.flags() & CGRP_REMOVED != 0
    }

    pub(crate) fn notify_on_release(&self) -> bool {
        self.flags() & CGRP_NOTIFY_ON_RELEASE != 0
    }

    /// `set_bit`.
    pub(crate) fn set_flag(&self, bit: u32) {
        self.flags.fetch_or(bit, Ordering::AcqRel);
    }

    /// `clear_bit`.
    pub(crate) fn clear_flag(&self, bit: u32) {
        self.flags.fetch_and(!bit, Ordering::AcqRel);
    }

    pub(crate) fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    pub(crate) fn has_children(&self) -> bool {
        self.nr_children.load(Ordering::Acquire) != 0
    }
}

/// `struct cgroup`.
///
/// **Kernel:** `include/linux/cgroup.h`, 2.6.25 (`struct cgroup`).
/// **Differences:** `children` is a [`crate::children::ChildList`]: the list in `list_add`
/// order (head first) with a name index standing in for the dentry hash; `count` follows the 2.6.32+ rule (one per linked css_set,
/// `kernel/cgroup.c` `find_css_set`, v2.6.32); the linked css_sets (the `cg_cgroup_link`s seen from this side) live in the
/// css_set state under `css_set_lock`; the dentry is replaced by `name`, `mode`, `uid`, `gid`
/// and the list of files.
/// **Locking:** the tree fields are protected by `cgroup_mutex`; `flags`, `count` and the
/// children count are atomics in `CgroupShared` so that fork, exit and `check_for_release`
/// read them without `cgroup_mutex`; the link list is protected by `css_set_lock`.
/// **Invariants:** see `invariants.rs` (I4 count, I7 number_of_cgroups, I8 tree shape).
#[doc(alias = "cgroup")]
pub struct Cgroup<T: Tracer> {
    pub(crate) name: String,
    pub(crate) shared: Arc<CgroupShared>,
    pub(crate) parent: Option<CgroupId>,
    pub(crate) children: crate::children::ChildList,
    pub(crate) root: RootId,
    pub(crate) top_cgroup: CgroupId,
    pub(crate) subsys: Vec<Option<CssRef>>,
    pub(crate) files: Vec<CgroupFile<T>>,
    pub(crate) mode: u32,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    /// `cgrp->subtree_control` (default hierarchy only): the controllers enabled for the
    /// children, by subsystem bit.
    pub(crate) subtree_control: u64,
    /// `cgrp->max_descendants` (`cgroup.max.descendants`; `i32::MAX` is `max`).
    pub(crate) max_descendants: i32,
    /// `cgrp->max_depth` (`cgroup.max.depth`; `i32::MAX` is `max`).
    pub(crate) max_depth: i32,
    /// `CGRP_FREEZE`: `cgroup.freeze` reads 1 (`cgrp->freezer.freeze`).
    pub(crate) freeze: bool,
    /// `cgroup_is_threaded`: `cgroup.type` was set to `threaded` (`threaded.rs`).
    pub(crate) threaded: bool,
}

impl<T: Tracer> Cgroup<T> {
    pub(crate) fn new(
        name: String,
        parent: Option<CgroupId>,
        root: RootId,
        top_cgroup: CgroupId,
        parent_css: Vec<Option<CssRef>>,
    ) -> Cgroup<T> {
        let nr_subsys = parent_css.len();
        Cgroup {
            name,
            shared: Arc::new(CgroupShared {
                flags: AtomicU32::new(0),
                count: AtomicUsize::new(0),
                nr_children: AtomicUsize::new(0),
                parent,
                root,
                parent_css,
            }),
            parent,
            children: crate::children::ChildList::default(),
            root,
            top_cgroup,
            subsys: vec![None; nr_subsys],
            files: Vec::new(),
            mode: 0o755,
            uid: 0,
            gid: 0,
            subtree_control: 0,
            max_descendants: i32::MAX,
            max_depth: i32::MAX,
            freeze: false,
            threaded: false,
        }
    }

    /// `cgroup_is_removed`.
    pub(crate) fn is_removed(&self) -> bool {
        self.shared.is_removed()
    }

    /// `!cgroup_psi(cgrp)->enabled`.
    pub(crate) fn psi_disabled(&self) -> bool {
        self.shared.flags() & CGRP_PSI_DISABLED != 0
    }

    pub(crate) fn notify_on_release(&self) -> bool {
        self.shared.notify_on_release()
    }

    /// `cgrp->flags`.
    pub(crate) fn flags(&self) -> u32 {
        self.shared.flags()
    }

    /// `cgrp->count`.
    pub(crate) fn count(&self) -> usize {
        self.shared.count()
    }

    /// Whether a css of this cgroup has references beyond the base one (`cgroup_has_css_refs`).
    pub(crate) fn has_css_refs(&self) -> bool {
        self.subsys.iter().flatten().any(|css| css.has_extra_refs())
    }

    /// `list_add(&child->sibling, &cgrp->children)` (caller holds `cgroup_mutex`).
    pub(crate) fn add_child(&mut self, child: CgroupId, name: &str) {
        self.children.push_front(child, name);
        self.shared
            .nr_children
            .store(self.children.len(), Ordering::Release);
    }

    /// `list_del(&child->sibling)` (caller holds `cgroup_mutex`).
    pub(crate) fn remove_child(&mut self, child: CgroupId, name: &str) {
        self.children.remove(child, name);
        self.shared
            .nr_children
            .store(self.children.len(), Ordering::Release);
    }
}

use crate::core::{CgroupCore, CgroupState};
use crate::css::CSS_REMOVED;
use crate::files::{Dentry, DirInfo, FileInfo, FileKind};
use crate::profile::{BaseFiles, RmdirCssRefs};
use crate::subsys::SubsysCallback;
use cgsim_ktypes::{Cred, Errno, trace};

/// Longest directory entry name (`NAME_MAX`).
pub const NAME_MAX: usize = 255;

impl<T: Tracer> CgroupCore<T> {
    /// `cgroup_mkdir` → `cgroup_create` (`kernel/cgroup.c`, v2.6.34): make child `name` of `parent` with directory
    /// mode `mode` (after umask) owned by `creator` (fsuid/fsgid = euid/egid).
    ///
    /// Steps: inherit notify_on_release; `create` for each bound subsystem in `subsys_list` order
    /// (an error calls `destroy` for the ones that succeeded and is returned); link at the HEAD of
    /// `parent->children`; `number_of_cgroups++`; populate the directory.
    /// VFS-level errors checked first: ENODEV (stale or removed parent), ENOENT (empty name),
    /// EEXIST (name taken by a child or a file, or `.`/`..`), EINVAL (`/` in the name),
    /// ENAMETOOLONG (> 255 bytes).
    #[doc(alias = "cgroup_mkdir")]
    #[doc(alias = "cgroup_create")]
    pub fn mkdir(
        &self,
        parent: CgroupId,
        name: &str,
        mode: u32,
        creator: Cred,
    ) -> Result<CgroupId, Errno> {
        // Lock order: cgroup_mutex.
        let mut st = self.lock();
        let p = st.cgroups.get(parent.0).ok_or(Errno::ENODEV)?;
        // 6.6: dummytop is the default hierarchy's root cgroup, where mkdir works.
        if p.is_removed() || (parent == st.dummytop && !self.profile.has_cgroup2()) {
            return Err(Errno::ENODEV);
        }
        if name.is_empty() {
            return Err(Errno::ENOENT);
        }
        if name.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        if name.contains('/') {
            return Err(Errno::EINVAL);
        }
        if name == "." || name == ".." || Self::name_taken(&st, p, name) {
            return Err(Errno::EEXIST);
        }
        if self.profile.has_cgroup2() {
            // 6.6 `cgroup_mkdir`: no newline, which would make /proc/<pid>/cgroup unparsable;
            // then `cgroup_check_hierarchy_limits`.
            if name.contains('\n') {
                return Err(Errno::EINVAL);
            }
            if !Self::check_hierarchy_limits(&st, parent) {
                return Err(Errno::EAGAIN);
            }
        }
        let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_mkdir");
        let _g = trace::func(&*self.tracer, smp_processor_id(), "cgroup_create");
        let root = p.root;
        let top = p.top_cgroup;
        let inherit = p.flags()
            & (CGRP_NOTIFY_ON_RELEASE
                | if self.profile.base_files == BaseFiles::V3_10 {
                    CGRP_CLONE_CHILDREN
                } else {
                    0
                });
        // kzalloc of the cgroup: nothing exists yet to unwind.
        if self.kmalloc_fails(&crate::fault::CGROUP) {
            return Err(Errno::ENOMEM);
        }
        let c = Cgroup::new(name.to_string(), Some(parent), root, top, p.subsys.clone());
        c.shared.set_flag(inherit);
        let mut c = c;
        c.mode = mode & 0o7777;
        c.uid = creator.euid.0;
        c.gid = creator.egid;
        let id = CgroupId(st.cgroups.insert(c));
        let list: Vec<usize> = if self.on_dfl_root(root) {
            // cgroup_apply_control_enable: the parent's subtree_control, ascending id.
            let mask = st.cgroups.get(parent.0).expect("live").subtree_control;
            (0..self.subsys.len())
                .filter(|&i| mask & (1 << i) != 0)
                .collect()
        } else {
            st.roots_arena
                .get(root.0)
                .expect("live root")
                .subsys_list
                .clone()
        };
        for &i in &list {
            // The css allocation of subsys->create failing: err_destroy, as for any error.
            if self.kmalloc_fails(&crate::fault::css_site(self.subsys[i].name())) {
                self.destroy_csses(&mut st, id, &list);
                st.cgroups.remove(id.0);
                return Err(Errno::ENOMEM);
            }
            let css = self.alloc_css(&mut st, i, id, 0);
            let cx = self.ctx(&st, i, id);
            let res = {
                let _h = self.trace_cb(i, SubsysCallback::Create);
                self.subsys[i].create(&cx, &css)
            };
            match res {
                Ok(state) => {
                    css.set_private(Some(state));
                    if self.profile.has_cgroup2() {
                        // 6.6 `online_css`.
                        let _h = self.trace_cb(i, SubsysCallback::Online);
                        self.subsys[i].online(&cx, &css);
                    }
                    st.cgroups.get_mut(id.0).expect("new").subsys[i] = Some(css);
                }
                Err(e) => {
                    // err_destroy: destroy every subsystem that already has a css.
                    self.destroy_csses(&mut st, id, &list);
                    st.cgroups.remove(id.0);
                    return Err(e);
                }
            }
        }
        let name = st.cgroups.get(id.0).expect("new").name.clone();
        st.cgroups
            .get_mut(parent.0)
            .expect("live parent")
            .add_child(id, &name);
        if self.on_dfl_root(root) {
            let shared = st.cgroups.get(id.0).expect("new").shared.clone();
            // Lock order: cgroup_mutex -> css_set_lock (write).
            self.css_set_write().dfl_shared.insert(id, shared);
        }
        st.roots_arena
            .get_mut(root.0)
            .expect("live")
            .number_of_cgroups += 1;
        self.populate_dir(&mut st, id);
        Ok(id)
    }

    /// `cgroup_rmdir` (`kernel/cgroup.c`, 2.6.34 rules under SEED): EBUSY if tasks are attached
    /// (`count != 0`) or children exist; `pre_destroy` per subsystem in list order (its error
    /// aborts); EBUSY if a css still has references (`core.rmdir_css_refs`); then mark removed,
    /// unlink, and set RELEASABLE + `check_for_release` on the parent. The directory's final
    /// release (`cgroup_diput`) follows at once: `destroy` per subsystem in list order,
    /// `number_of_cgroups--`, and `cgroup_kill_sb` if that was the last child of an unmounted
    /// hierarchy. Afterwards the [`EventControl`](crate::EventControl) hook hears
    /// `cgroup_removed` (`kernel/cgroup.c` `cgroup_rmdir`, v2.6.34).
    ///
    /// ENOENT for a stale id; EBUSY for a top cgroup (a mount point) or dummytop.
    #[doc(alias = "cgroup_rmdir")]
    pub fn rmdir(&self, cgrp: CgroupId) -> Result<(), Errno> {
        {
            // Lock order: cgroup_mutex.
            let mut st = self.lock();
            let c = st.cgroups.get(cgrp.0).ok_or(Errno::ENOENT)?;
            let Some(parent) = c.parent else {
                return Err(Errno::EBUSY);
            };
            let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_rmdir");
            // cgrp->count is an atomic the kernel reads without css_set_lock.
            if c.count() != 0 || !c.children.is_empty() {
                return Err(Errno::EBUSY);
            }
            let root = c.root;
            let list = st
                .roots_arena
                .get(root.0)
                .expect("live")
                .subsys_list
                .clone();
            for &i in &list {
                let Some(css) = st.cgroups.get(cgrp.0).expect("live").subsys[i].clone() else {
                    continue;
                };
                let cx = self.ctx(&st, i, cgrp);
                let _g = self.trace_cb(i, SubsysCallback::PreDestroy);
                self.subsys[i].pre_destroy(&cx, &css)?;
            }
            let c = st.cgroups.get(cgrp.0).expect("live");
            if c.count() != 0 || !c.children.is_empty() {
                return Err(Errno::EBUSY);
            }
            let busy = c.has_css_refs();
            if busy && self.profile.rmdir_css_refs != RmdirCssRefs::Ignore {
                return Err(Errno::EBUSY);
            }
            let c = st.cgroups.get_mut(cgrp.0).expect("live");
            // CGRP_REMOVED is set before release_list_lock is taken, so a concurrent
            // check_for_release (from exit) either sees it or is undone by the removal below.
            c.shared.set_flag(CGRP_REMOVED);
            c.files.clear();
            for css in c.subsys.iter().flatten() {
                css.set_flag(CSS_REMOVED);
            }
            {
                // Lock order: cgroup_mutex -> release_list_lock.
                self.release_list.lock().retain(|&x| x != cgrp);
            }
            let name = st.cgroups.get(cgrp.0).expect("live").name.clone();
            let p = st.cgroups.get_mut(parent.0).expect("live parent");
            p.remove_child(cgrp, &name);
            p.shared.set_flag(CGRP_RELEASABLE);
            let (shared, refs) = (p.shared.clone(), p.has_css_refs());
            self.check_for_release(parent, &shared, refs);
            self.cgroup_diput(&mut st, cgrp);
        }
        // Lock order: cgroup_mutex released -> event_control hook.
        let hook = self.event_control.read().clone();
        hook.cgroup_removed(cgrp);
        Ok(())
    }

    /// `cgroup_diput`: the removed directory's last dentry reference is gone.
    fn cgroup_diput(&self, st: &mut CgroupState<T>, cgrp: CgroupId) {
        let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_diput");
        let root = st.cgroups.get(cgrp.0).expect("live").root;
        let list = st
            .roots_arena
            .get(root.0)
            .expect("live")
            .subsys_list
            .clone();
        if self.profile.has_cgroup2() {
            // 6.6: each css goes on to `css_released` and `css_free` once unreferenced; the
            // cgroup is dying until then (`nr_dying_descendants`).
            for &i in &list {
                let Some(css) = st.cgroups.get_mut(cgrp.0).expect("live").subsys[i].take() else {
                    continue;
                };
                self.css_release_or_defer(st, cgrp, i, css, true);
            }
        } else {
            // 3.19+ on a v1 hierarchy: a css its subsystem still holds after `css_offline` (a
            // memcg whose charges stay with it, `memcg.offline`) goes on to `css_released` and
            // `css_free` only once unreferenced, as on 6.6 (`css_killed_ref_fn`,
            // `css_release_work_fn`, `kernel/cgroup.c` v3.19.8); the others are freed now.
            // Older presets never pin one, so they keep the immediate `destroy`.
            let pinned: Vec<usize> = list
                .iter()
                .copied()
                .filter(|&i| {
                    st.cgroups.get(cgrp.0).expect("live").subsys[i]
                        .as_ref()
                        .is_some_and(|css| self.subsys[i].css_pinned(css))
                })
                .collect();
            let now: Vec<usize> = list
                .iter()
                .copied()
                .filter(|i| !pinned.contains(i))
                .collect();
            self.destroy_csses(st, cgrp, &now);
            for &i in &pinned {
                let css = st.cgroups.get_mut(cgrp.0).expect("live").subsys[i]
                    .take()
                    .expect("pinned css");
                self.css_release_or_defer(st, cgrp, i, css, true);
            }
        }
        let dead_path = if self.on_dfl_root(root) {
            Self::path_of(st, cgrp).ok()
        } else {
            None
        };
        let mut ancestors = Vec::new();
        let mut cur = st.cgroups.get(cgrp.0).expect("live").parent;
        while let Some(p) = cur {
            ancestors.push(p);
            cur = st.cgroups.get(p.0).expect("live").parent;
        }
        st.cgroups.remove(cgrp.0);
        if self.on_dfl_root(root) {
            // Lock order: cgroup_mutex -> css_set_lock (write).
            let mut cs = self.css_set_write();
            cs.dfl_shared.remove(&cgrp);
            // The exited tasks that died here keep the dead cgroup (6.6 `cgroup_exit` leaves
            // them on their css_set): `/proc/PID/cgroup` names it, deleted.
            // They also keep it dying (`nr_dying_descendants`) until they are released.
            for (&pid, t) in cs.tasks.iter_mut() {
                if t.exited && t.dying_dfl == Some(cgrp) {
                    t.dying_dfl_deleted = dead_path.clone();
                    st.zombie_pins.insert(pid, (cgrp, ancestors.clone()));
                }
            }
        }
        let r = st.roots_arena.get_mut(root.0).expect("live");
        r.number_of_cgroups -= 1;
        // deactivate_super: the child's superblock reference was the last one.
        // The default hierarchy (rootnode in 6.6) never dies.
        if r.number_of_cgroups == 1 && r.mounts == 0 && !root.is_rootnode() {
            self.kill_sb(st, root);
        }
    }

    /// Call `destroy` (list order) for every subsystem of `list` that has a css in `cgrp`, then
    /// clear the css's private state.
    fn destroy_csses(&self, st: &mut CgroupState<T>, cgrp: CgroupId, list: &[usize]) {
        for &i in list {
            let Some(css) = st.cgroups.get(cgrp.0).expect("live").subsys[i].clone() else {
                continue;
            };
            let cx = self.ctx(st, i, cgrp);
            {
                let _g = self.trace_cb(i, SubsysCallback::Destroy);
                self.subsys[i].destroy(&cx, &css);
            }
            css.set_private(None);
        }
    }

    fn name_taken(_st: &CgroupState<T>, c: &Cgroup<T>, name: &str) -> bool {
        c.children.get(name).is_some() || c.files.iter().any(|f| f.name == name)
    }

    /// Look `name` up in cgroup directory `parent`: a child cgroup or a control file.
    /// ENOENT if absent or if `parent` is stale.
    pub fn lookup(&self, parent: CgroupId, name: &str) -> Result<Dentry, Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        let p = st.cgroups.get(parent.0).ok_or(Errno::ENOENT)?;
        if let Some(k) = p.children.get(name) {
            let c = st.cgroups.get(k.0).expect("live child");
            return Ok(Dentry::Dir(Self::dir_info_of(k, c)));
        }
        p.files
            .iter()
            .find(|f| f.name == name)
            .map(|f| Dentry::File(Self::file_info_of(f)))
            .ok_or(Errno::ENOENT)
    }

    /// The entries of a cgroup directory: children (list order, newest first), then control files
    /// in creation order. The VFS sorts as it likes. ENOENT if `cgrp` is stale.
    pub fn readdir(&self, cgrp: CgroupId) -> Result<Vec<Dentry>, Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        let c = st.cgroups.get(cgrp.0).ok_or(Errno::ENOENT)?;
        let mut out: Vec<Dentry> = c
            .children
            .iter()
            .map(|&k| Dentry::Dir(Self::dir_info_of(k, st.cgroups.get(k.0).expect("live"))))
            .collect();
        out.extend(c.files.iter().map(|f| Dentry::File(Self::file_info_of(f))));
        Ok(out)
    }

    /// `stat` facts of a cgroup directory. ENOENT if stale.
    pub fn dir_info(&self, cgrp: CgroupId) -> Result<DirInfo, Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        let c = st.cgroups.get(cgrp.0).ok_or(Errno::ENOENT)?;
        Ok(Self::dir_info_of(cgrp, c))
    }

    fn dir_info_of(id: CgroupId, c: &Cgroup<T>) -> DirInfo {
        DirInfo {
            cgrp: id,
            name: c.name.clone(),
            mode: c.mode,
            uid: c.uid,
            gid: c.gid,
        }
    }

    pub(crate) fn file_info_of(f: &crate::files::CgroupFile<T>) -> FileInfo {
        FileInfo {
            name: f.name.clone(),
            mode: f.mode,
            uid: f.uid,
            gid: f.gid,
            subsys_id: match &f.kind {
                FileKind::Base(_) => None,
                FileKind::Subsys { subsys_id, .. } => Some(*subsys_id),
            },
        }
    }

    /// `cgroup_path` (`kernel/cgroup.c`, v2.6.25): `/` for a top cgroup (and dummytop), `/a/b` below.
    /// ENODEV if stale; ENAMETOOLONG past `PATH_MAX`.
    pub fn cgroup_path(&self, cgrp: CgroupId) -> Result<String, Errno> {
        // Lock order: cgroup_mutex.
        Self::path_of(&self.lock(), cgrp)
    }

    pub(crate) fn path_of(st: &CgroupState<T>, cgrp: CgroupId) -> Result<String, Errno> {
        let mut names = Vec::new();
        let mut cur = cgrp;
        loop {
            let c = st.cgroups.get(cur.0).ok_or(Errno::ENODEV)?;
            match c.parent {
                Some(p) => {
                    names.push(c.name.as_str());
                    cur = p;
                }
                None => break,
            }
        }
        if names.is_empty() {
            return Ok("/".to_string());
        }
        let mut s = String::new();
        for n in names.iter().rev() {
            s.push('/');
            s.push_str(n);
        }
        if s.len() >= crate::PATH_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        Ok(s)
    }

    /// The parent of a cgroup (`None` for a top cgroup). ENODEV if stale.
    pub fn parent(&self, cgrp: CgroupId) -> Result<Option<CgroupId>, Errno> {
        // Lock order: cgroup_mutex.
        Ok(self.lock().cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?.parent)
    }

    /// The hierarchy a cgroup belongs to. ENODEV if stale.
    pub fn cgroup_root(&self, cgrp: CgroupId) -> Result<RootId, Errno> {
        // Lock order: cgroup_mutex.
        Ok(self.lock().cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?.root)
    }

    /// Whether `cgrp` is gone (`cgroup_is_removed`; a stale id counts as removed).
    #[doc(alias = "cgroup_is_removed")]
    pub fn is_removed(&self, cgrp: CgroupId) -> bool {
        // Lock order: cgroup_mutex.
        self.lock()
            .cgroups
            .get(cgrp.0)
            .is_none_or(|c| c.is_removed())
    }

    /// Whether `cgrp` has child cgroups (for handlers such as memcg's `use_hierarchy`).
    /// ENODEV if stale.
    pub fn has_children(&self, cgrp: CgroupId) -> Result<bool, Errno> {
        // Lock order: cgroup_mutex.
        Ok(!self
            .lock()
            .cgroups
            .get(cgrp.0)
            .ok_or(Errno::ENODEV)?
            .children
            .is_empty())
    }

    /// The child cgroups of `cgrp`, head of the list first (newest first). ENODEV if stale.
    pub fn children(&self, cgrp: CgroupId) -> Result<Vec<CgroupId>, Errno> {
        // Lock order: cgroup_mutex.
        Ok(self
            .lock()
            .cgroups
            .get(cgrp.0)
            .ok_or(Errno::ENODEV)?
            .children
            .to_vec())
    }

    /// `cgrp->subsys[subsys_id]`: the css of a subsystem in a cgroup (`None` if the subsystem is
    /// not bound to the cgroup's hierarchy). ENODEV if stale, EINVAL for a bad subsystem id.
    pub fn cgroup_css(&self, cgrp: CgroupId, subsys_id: usize) -> Result<Option<CssRef>, Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        let c = st.cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?;
        c.subsys.get(subsys_id).cloned().ok_or(Errno::EINVAL)
    }

    /// `cgroup_is_populated` (`kernel/cgroup/cgroup.c`, v6.6): a task is attached to `cgrp` or
    /// to one of its descendants. ENODEV if stale.
    pub fn cgroup_is_populated(&self, cgrp: CgroupId) -> Result<bool, Errno> {
        // Lock order: cgroup_mutex -> css_set_lock (read), in is_populated.
        let st = self.lock();
        st.cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?;
        Ok(self.is_populated(&st, cgrp))
    }

    /// `cgroup_task_count` (`kernel/cgroup.c`, v2.6.32): the sum of the refcounts of the css_sets linked to
    /// `cgrp` (an upper bound on its tasks). ENODEV if stale.
    #[doc(alias = "cgroup_task_count")]
    pub fn task_count(&self, cgrp: CgroupId) -> Result<usize, Errno> {
        // Lock order: cgroup_mutex -> css_set_lock (read).
        let st = self.lock();
        st.cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?;
        let cs = self.css_set_read();
        Ok(cs
            .links_of(cgrp)
            .iter()
            .map(|s| cs.css_sets.get(s.0).expect("linked").refcount)
            .sum())
    }
}

impl<T: Tracer> CgroupCore<T> {
    /// `cgrp->count` (the number of css_sets linked to it, `kernel/cgroup.c` `link_css_set`, v2.6.32). ENODEV if stale.
    pub fn cgroup_count(&self, cgrp: CgroupId) -> Result<usize, Errno> {
        // Lock order: cgroup_mutex.
        Ok(self
            .lock()
            .cgroups
            .get(cgrp.0)
            .ok_or(Errno::ENODEV)?
            .count())
    }

    /// `cgrp->flags` (`CGRP_*` bits). ENODEV if stale.
    pub fn cgroup_flags(&self, cgrp: CgroupId) -> Result<u32, Errno> {
        // Lock order: cgroup_mutex.
        Ok(self
            .lock()
            .cgroups
            .get(cgrp.0)
            .ok_or(Errno::ENODEV)?
            .flags())
    }
}

impl<T: Tracer> CgroupCore<T> {
    /// `chmod`/`chown` on a cgroup inode (`notify_change` on cgroupfs): the directory itself when
    /// `file` is `None`, else its control file `file`. `mode` replaces the permission bits
    /// (`& 0o7777`). The VFS applies the permission rules. ENOENT if stale or no such file.
    pub fn setattr(
        &self,
        cgrp: CgroupId,
        file: Option<&str>,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
    ) -> Result<(), Errno> {
        // Lock order: cgroup_mutex.
        let mut st = self.lock();
        let c = st.cgroups.get_mut(cgrp.0).ok_or(Errno::ENOENT)?;
        let (m, u, g) = match file {
            None => (&mut c.mode, &mut c.uid, &mut c.gid),
            Some(name) => {
                let f = c
                    .files
                    .iter_mut()
                    .find(|f| f.name == name)
                    .ok_or(Errno::ENOENT)?;
                (&mut f.mode, &mut f.uid, &mut f.gid)
            }
        };
        if let Some(mode) = mode {
            *m = mode & 0o7777;
        }
        if let Some(uid) = uid {
            *u = uid;
        }
        if let Some(gid) = gid {
            *g = gid;
        }
        Ok(())
    }
}

impl<T: Tracer> CgroupCore<T> {
    /// The live tasks attached to `cgrp`, sorted (`cgroup_iter_start`/`cgroup_iter_next` over its
    /// css_sets), e.g. for a subsystem's OOM killer. ENODEV if stale.
    #[doc(alias = "cgroup_iter_start")]
    pub fn cgroup_tasks(&self, cgrp: CgroupId) -> Result<Vec<cgsim_ktypes::Pid>, Errno> {
        // Lock order: cgroup_mutex -> css_set_lock (read).
        let st = self.lock();
        st.cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?;
        let cs = self.css_set_read();
        let mut pids: Vec<_> = cs
            .links_of(cgrp)
            .iter()
            .flat_map(|s| cs.css_sets.get(s.0).expect("linked").tasks.iter().copied())
            .collect();
        pids.sort();
        Ok(pids)
    }
}
