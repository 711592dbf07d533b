//! The default hierarchy (`cgroup2`): `cgrp_dfl_root`, its mount, `cgroup.controllers`,
//! `cgroup.subtree_control`, the effective css of a cgroup and v2 migration through
//! `cgroup.procs`.
//!
//! **Kernel:** `kernel/cgroup/cgroup.c` (v6.6; read in the stored torvalds/linux tree, which has
//! 6.6's `cpu.stat.local`): `cgrp_dfl_root`, `cgrp_dfl_visible`, `cgroup_on_dfl`,
//! `cgroup_control`, `cgroup_ss_mask`, `cgroup_e_css_by_mask`, `cgroup2_parse_param`,
//! `apply_cgroup_root_flags`, `cgroup_show_options`, `cgroup_print_ss_mask`,
//! `cgroup_subtree_control_write`, `cgroup_vet_subtree_control_enable`,
//! `cgroup_apply_control_enable`, `cgroup_apply_control_disable`, `cgroup_update_dfl_csses`,
//! `cgroup_migrate_vet_dst`, `cgroup_procs_write_start`, `cgroup_procs_write_permission`,
//! `cgroup_may_write`, `cgroup_attach_permissions`, `cgroup_check_hierarchy_limits`.
//!
//! The 6.6 kernel has no dummy hierarchy: its `rootnode` became `cgrp_dfl_root` (3.16), which
//! holds every controller not bound to a v1 hierarchy. Here, with `core.cgroup2 = v6_6`,
//! [`RootId::ROOTNODE`] plays `cgrp_dfl_root` and its dummytop is the v2 root cgroup: mounting
//! `cgroup2` shows it, `mkdir` under it makes v2 cgroups, `rebind_subsystems` moves a
//! controller between it and a v1 hierarchy.
//!
//! **Differences:** threaded mode is in `threaded.rs`; a subtree_control change updates the affected css_sets in
//! place instead of migrating their tasks to new css_sets (`cgroup_update_dfl_csses`), so the
//! css_set count and the subsystems' `can_attach`/`attach` calls are the kernel's but the
//! css_set ids are kept; cgroup namespaces do not exist, so `nsdelegate` changes nothing but
//! the mount options.

use crate::cgroup::CgroupId;
use crate::core::{CgroupCore, CgroupState};
use crate::css::CssRef;
use crate::files::{BaseFile, CgroupFile, FileKind};
use crate::psi::PsiRes;
use crate::root::{MountResult, RootId};
use crate::subsys::SubsysCallback;
use cgsim_ktypes::percpu::smp_processor_id;
use cgsim_ktypes::{Errno, Pid, Tracer, trace};

/// `CGRP_ROOT_NS_DELEGATE` (`include/linux/cgroup-defs.h`, v6.6): mount option `nsdelegate`.
pub const CGRP_ROOT_NS_DELEGATE: u32 = 1 << 3;
/// `CGRP_ROOT_FAVOR_DYNMODS`: mount option `favordynmods`.
pub const CGRP_ROOT_FAVOR_DYNMODS: u32 = 1 << 4;
/// `CGRP_ROOT_MEMORY_LOCAL_EVENTS`: mount option `memory_localevents`.
pub const CGRP_ROOT_MEMORY_LOCAL_EVENTS: u32 = 1 << 5;
/// `CGRP_ROOT_MEMORY_RECURSIVE_PROT`: mount option `memory_recursiveprot`.
pub const CGRP_ROOT_MEMORY_RECURSIVE_PROT: u32 = 1 << 6;

/// The cgroup2 mount options in `cgroup_show_options` order, with their flag.
const DFL_OPTS: [(&str, u32); 4] = [
    ("nsdelegate", CGRP_ROOT_NS_DELEGATE),
    ("favordynmods", CGRP_ROOT_FAVOR_DYNMODS),
    ("memory_localevents", CGRP_ROOT_MEMORY_LOCAL_EVENTS),
    ("memory_recursiveprot", CGRP_ROOT_MEMORY_RECURSIVE_PROT),
];

/// `cgroup2_parse_param`: the flags of a cgroup2 option string. An unknown option is EINVAL
/// (`fs_parse` answers `-ENOPARAM`, which `vfs_parse_fs_param` turns into "Unknown parameter").
pub(crate) fn parse_cgroup2_options(data: Option<&str>) -> Result<u32, Errno> {
    let mut flags = 0;
    for tok in data.unwrap_or("").split(',') {
        if tok.is_empty() {
            continue;
        }
        match DFL_OPTS.iter().find(|(n, _)| *n == tok) {
            Some((_, f)) => flags |= f,
            None => return Err(Errno::EINVAL),
        }
    }
    Ok(flags)
}

/// The kernel log line of a cgroup2 option string `parse_cgroup2_options` refuses: the mount
/// syscall has no `fs_context` log, so `logfc` prints it (KERN_ERR) with the filesystem's
/// name as prefix: `Unknown parameter 'KEY'` from `vfs_parse_fs_param` for a key
/// `cgroup2_fs_parameters` lacks, `Unexpected value for 'KEY'` from `__fs_parse` for a flag
/// given a value (`fs/fs_context.c`, `fs/fs_parser.c`, v6.6). `None` if the string is valid.
pub fn cgroup2_param_error(data: Option<&str>) -> Option<String> {
    for tok in data.unwrap_or("").split(',') {
        if tok.is_empty() {
            continue;
        }
        let (key, value) = match tok.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (tok, None),
        };
        if !DFL_OPTS.iter().any(|(n, _)| *n == key) {
            return Some(format!("cgroup2: Unknown parameter '{key}'"));
        }
        if value.is_some() {
            return Some(format!("cgroup2: Unexpected value for '{key}'"));
        }
    }
    None
}

/// A css that went offline but is still referenced: 6.6's `css_release` has not run yet. A
/// cgroup removed while one of its csses is in this state is a dying cgroup, counted in its
/// ancestors' `nr_dying_descendants` until its last css is freed.
pub(crate) struct DyingCss {
    /// The (removed or live) cgroup the css belonged to.
    pub(crate) cgrp: CgroupId,
    /// Its ancestors, parent first (the dead cgroup's `cgroup_parent` chain).
    pub(crate) ancestors: Vec<CgroupId>,
    pub(crate) root: RootId,
    pub(crate) subsys: usize,
    pub(crate) css: CssRef,
    /// The cgroup itself was removed (rmdir), not just this css (`-name` in subtree_control).
    pub(crate) cgroup_removed: bool,
}

impl<T: Tracer> CgroupCore<T> {
    /// 6.6's css destruction after `css_offline`: if nothing but the base reference holds the
    /// css, `css_released` and `css_free` run now (the kernel runs them from work items once
    /// the percpu refcount reaches zero); otherwise the css stays dying until the last
    /// `css_put`, which the core notices at its next entry ([`Self::reap_dying`]).
    pub(crate) fn css_release_or_defer(
        &self,
        st: &mut CgroupState<T>,
        cgrp: CgroupId,
        i: usize,
        css: CssRef,
        cgroup_removed: bool,
    ) {
        css.set_flag(crate::css::CSS_REMOVED);
        let mut ancestors = Vec::new();
        let mut cur = st.cgroups.get(cgrp.0).expect("live").parent;
        while let Some(p) = cur {
            ancestors.push(p);
            cur = st.cgroups.get(p.0).expect("live").parent;
        }
        let d = DyingCss {
            cgrp,
            ancestors,
            root: st.cgroups.get(cgrp.0).expect("live").root,
            subsys: i,
            css,
            cgroup_removed,
        };
        if d.css.has_extra_refs() {
            trace::comment(&*self.tracer, smp_processor_id(), || {
                format!(
                    "{} css of {cgrp} stays dying: refcnt {}",
                    self.subsys[i].name(),
                    d.css.refcnt()
                )
            });
            st.dying.push(d);
        } else if self.subsys[i].css_pinned(&d.css) {
            trace::comment(&*self.tracer, smp_processor_id(), || {
                format!(
                    "{} css of {cgrp} stays dying: its charges hold it",
                    self.subsys[i].name()
                )
            });
            st.dying.push(d);
        } else {
            self.css_free_dying(&d);
        }
    }

    /// `css_release_work_fn` → `css_released`, then `css_free_rwork_fn` → `css_free`.
    fn css_free_dying(&self, d: &DyingCss) {
        let cx = crate::subsys::SubsysCtx {
            tracer: &*self.tracer,
            cpu: smp_processor_id(),
            subsys_id: d.subsys,
            cgrp: d.cgrp,
            parent: d.ancestors.first().copied(),
            parent_css: None,
            root: d.root,
            has_children: false,
            on_dfl: self.on_dfl_root(d.root),
            writer: None,
        };
        {
            let _f = trace::func(&*self.tracer, smp_processor_id(), "css_release_work_fn");
            let _g = self.trace_cb(d.subsys, SubsysCallback::Released);
            self.subsys[d.subsys].released(&cx, &d.css);
        }
        let _f = trace::func(&*self.tracer, smp_processor_id(), "css_free_rwork_fn");
        let _g = self.trace_cb(d.subsys, SubsysCallback::Destroy);
        self.subsys[d.subsys].destroy(&cx, &d.css);
        d.css.set_private(None);
    }

    /// Free the dying csses whose last extra reference went (called on every entry of the core
    /// while some are dying, right after the `css_put` release checks).
    ///
    /// A css is unreferenced when it has no extra reference and its subsystem no longer holds it
    /// ([`CgroupSubsys::css_pinned`](crate::CgroupSubsys::css_pinned)). Freeing one may release
    /// another (a dying memcg is held by its dying children, as a child css holds its parent's
    /// until `css_free_rwork_fn` puts it), so the pass repeats until nothing more is freed: the
    /// kernel's work items would have run by the time anyone looks.
    pub(crate) fn reap_dying(&self, st: &mut CgroupState<T>) {
        loop {
            // One question per dying css and pass (the subsystem may take its own lock to answer).
            let free_now: Vec<bool> = st
                .dying
                .iter()
                .map(|d| !d.css.has_extra_refs() && !self.subsys[d.subsys].css_pinned(&d.css))
                .collect();
            if !free_now.contains(&true) {
                return;
            }
            let mut free = Vec::new();
            for (d, f) in std::mem::take(&mut st.dying).into_iter().zip(free_now) {
                if f {
                    free.push(d);
                } else {
                    st.dying.push(d);
                }
            }
            for d in &free {
                self.css_free_dying(d);
            }
        }
    }

    /// `cgrp->nr_dying_descendants`: removed cgroups below `cgrp` with a css not yet freed,
    /// or still pinned by an exited task's css_set.
    pub(crate) fn nr_dying_descendants(st: &CgroupState<T>, cgrp: CgroupId) -> usize {
        st.dying
            .iter()
            .filter(|d| d.cgroup_removed && d.ancestors.contains(&cgrp))
            .map(|d| d.cgrp)
            .chain(
                st.zombie_pins
                    .values()
                    .filter(|(_, anc)| anc.contains(&cgrp))
                    .map(|(g, _)| *g),
            )
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    }

    /// Whether `cgrp` of hierarchy `root` is on the default hierarchy (`cgroup_on_dfl`).
    pub(crate) fn on_dfl_root(&self, root: RootId) -> bool {
        self.profile.has_cgroup2() && root.is_rootnode()
    }

    /// `cgrp_dfl_root.subsys_mask`: the controllers not bound to a v1 hierarchy.
    pub(crate) fn dfl_subsys_mask(st: &CgroupState<T>) -> u64 {
        st.roots_arena
            .get(RootId::ROOTNODE.0)
            .expect("rootnode")
            .subsys_list
            .iter()
            .fold(0, |m, &i| m | 1 << i)
    }

    /// `cgrp_dfl_inhibit_ss_mask`: subsystems without `dfl_cftypes`, and (boot option
    /// `cgroup_disable=`) disabled ones, which `cgroup_control` never shows.
    fn dfl_inhibit_mask(&self) -> u64 {
        (0..self.subsys.len())
            .filter(|&i| !self.subsys[i].on_dfl() || self.disabled[i])
            .fold(0, |m, i| m | 1 << i)
    }

    /// `cgrp_dfl_threaded_ss_mask`.
    pub(crate) fn dfl_threaded_mask(&self) -> u64 {
        (0..self.subsys.len())
            .filter(|&i| self.subsys[i].threaded())
            .fold(0, |m, i| m | 1 << i)
    }

    /// `cgroup_control(cgrp)`: the controllers visibly enabled on `cgrp` (its parent's
    /// `subtree_control`, or for the root every controller of the hierarchy that is not
    /// inhibited). This is what `cgroup.controllers` prints.
    pub(crate) fn cgroup_control(&self, st: &CgroupState<T>, cgrp: CgroupId) -> u64 {
        let c = st.cgroups.get(cgrp.0).expect("live cgroup");
        match c.parent {
            // A threaded cgroup can only have threaded controllers.
            Some(p) if c.threaded => {
                st.cgroups.get(p.0).expect("live parent").subtree_control & self.dfl_threaded_mask()
            }
            Some(p) => st.cgroups.get(p.0).expect("live parent").subtree_control,
            None => Self::dfl_subsys_mask(st) & !self.dfl_inhibit_mask(),
        }
    }

    /// `cgroup_e_css_by_mask(cgrp, ss)`: the css of the nearest ancestor of `cgrp` (itself
    /// included) that has subsystem `i`. On a v1 hierarchy that is `cgrp`'s own css; a
    /// subsystem bound elsewhere has its css in that other hierarchy, so callers only ask for
    /// subsystems of `cgrp`'s hierarchy.
    pub(crate) fn e_css(st: &CgroupState<T>, cgrp: CgroupId, i: usize) -> CssRef {
        // Like the kernel, test the masks (`cgroup_ss_mask`: the parent's subtree_control), not
        // the csses: while subtree_control changes, a css about to be killed is still there.
        let mut cur = cgrp;
        loop {
            let c = st.cgroups.get(cur.0).expect("live cgroup");
            let enabled = match c.parent {
                None => true,
                // `cgroup_ss_mask`: a threaded cgroup has no css of a domain controller (none is
                // created there, and `enable_threaded` kills those it had).
                Some(p) if c.root.is_rootnode() => {
                    st.cgroups.get(p.0).expect("live parent").subtree_control & (1 << i) != 0
                        && !(c.threaded && c.subsys[i].is_none())
                }
                Some(_) => true,
            };
            if enabled {
                return c.subsys[i]
                    .clone()
                    .expect("a cgroup with the subsystem enabled has its css");
            }
            cur = c.parent.expect("checked");
        }
    }

    /// Mount the default hierarchy (`cgroup_get_tree` for `cgroup2`, v6.6): parse the options,
    /// apply them to the root (`apply_cgroup_root_flags`: every cgroup2 mount sets or clears
    /// each flag), make the hierarchy visible in `/proc/<pid>/cgroup` and count one more mount
    /// view. ENODEV when the kernel has no `cgroup2` (`core.cgroup2 = off`); EINVAL for an
    /// unknown option.
    #[doc(alias = "cgroup_get_tree")]
    pub fn mount_dfl(&self, data: Option<&str>) -> Result<MountResult, Errno> {
        if !self.profile.has_cgroup2() {
            return Err(Errno::ENODEV);
        }
        let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_get_tree");
        let flags = parse_cgroup2_options(data)?;
        // Lock order: cgroup_mutex.
        let mut st = self.lock();
        let first = !st.dfl_visible;
        st.dfl_visible = true;
        let top = st.dummytop;
        let r = st
            .roots_arena
            .get_mut(RootId::ROOTNODE.0)
            .expect("rootnode");
        r.flags = flags;
        r.mounts += 1;
        if first {
            self.populate_dir(&mut st, top);
        }
        Ok(MountResult {
            root: RootId::ROOTNODE,
            top,
            new_hierarchy: false,
        })
    }

    /// The default hierarchy's `cgroup_root->flags` (`CGRP_ROOT_NS_DELEGATE`,
    /// `CGRP_ROOT_MEMORY_LOCAL_EVENTS`, `CGRP_ROOT_MEMORY_RECURSIVE_PROT`, ...), as the last
    /// cgroup2 mount set them.
    pub fn dfl_root_flags(&self) -> u32 {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        st.roots_arena
            .get(RootId::ROOTNODE.0)
            .expect("rootnode")
            .flags
    }

    /// `cgroup_show_options` for the default hierarchy: `,nsdelegate` and the others set.
    pub(crate) fn show_dfl_options(&self, flags: u32) -> String {
        DFL_OPTS
            .iter()
            .filter(|(_, f)| flags & f != 0)
            .map(|(n, _)| format!(",{n}"))
            .collect()
    }

    /// `cgroup_print_ss_mask`: the names of the controllers in `mask`, in id order, separated
    /// by spaces, with a newline only when there is at least one. The ids follow the preset's
    /// `include/linux/cgroup_subsys.h` (the boot orders the subsystem table so).
    pub(crate) fn print_ss_mask(&self, mask: u64) -> String {
        let ids: Vec<usize> = (0..self.subsys.len())
            .filter(|&i| mask & (1 << i) != 0)
            .collect();
        let names: Vec<&str> = ids.iter().map(|&i| self.subsys[i].dfl_name()).collect();
        if names.is_empty() {
            String::new()
        } else {
            format!("{}\n", names.join(" "))
        }
    }

    /// `cgroup.controllers` of `cgrp` (`cgroup_controllers_show`).
    pub(crate) fn read_controllers(&self, st: &CgroupState<T>, cgrp: CgroupId) -> String {
        self.print_ss_mask(self.cgroup_control(st, cgrp))
    }

    /// `cgroup.subtree_control` of `cgrp` (`cgroup_subtree_control_show`).
    pub(crate) fn read_subtree_control(&self, st: &CgroupState<T>, cgrp: CgroupId) -> String {
        let c = st.cgroups.get(cgrp.0).expect("live cgroup");
        self.print_ss_mask(c.subtree_control)
    }

    /// The controllers enabled in `cgrp` by `cgroup.subtree_control` (`cgrp->subtree_control`).
    pub fn subtree_control(&self, cgrp: CgroupId) -> Result<u64, Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        Ok(st.cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?.subtree_control)
    }

    /// Whether a task is attached to `cgrp` itself (`cgroup_has_tasks`: `nr_populated_csets`).
    pub(crate) fn has_tasks(&self, cgrp: CgroupId) -> bool {
        // Lock order: cgroup_mutex -> css_set_lock (read).
        let cs = self.css_set_read();
        cs.links_of(cgrp)
            .iter()
            .any(|s| !cs.css_sets.get(s.0).expect("linked").tasks.is_empty())
    }

    /// `cgroup_subtree_control_write` (v6.6): tokens separated by spaces, each `+name` or
    /// `-name` of a controller that is neither inhibited nor disabled (anything else is
    /// EINVAL); then, under `cgroup_mutex`, ENOENT for enabling a controller the cgroup does
    /// not have (`cgroup_control`), EBUSY for disabling one a child still enables, and
    /// `cgroup_vet_subtree_control_enable` (EBUSY for a non-root cgroup with tasks). Enabling
    /// creates the css in every child and populates its files; disabling kills the children's
    /// csses; both move the tasks of the subtree to their new effective csses.
    pub(crate) fn write_subtree_control(&self, cgrp: CgroupId, data: &[u8]) -> Result<(), Errno> {
        let text = String::from_utf8_lossy(cgsim_ktypes::parse::strstrip(
            cgsim_ktypes::parse::until_nul(data),
        ))
        .into_owned();
        let inhibit = self.dfl_inhibit_mask();
        let (mut enable, mut disable) = (0u64, 0u64);
        for tok in text.split(' ') {
            if tok.is_empty() {
                continue;
            }
            let mut rest = tok.chars();
            let sign = rest.next().expect("non-empty");
            let name = rest.as_str();
            let i = (0..self.subsys.len())
                .find(|&i| inhibit & (1 << i) == 0 && self.subsys[i].dfl_name() == name)
                .ok_or(Errno::EINVAL)?;
            match sign {
                '+' => {
                    enable |= 1 << i;
                    disable &= !(1 << i);
                }
                '-' => {
                    disable |= 1 << i;
                    enable &= !(1 << i);
                }
                _ => return Err(Errno::EINVAL),
            }
        }
        let _f = trace::func(
            &*self.tracer,
            smp_processor_id(),
            "cgroup_subtree_control_write",
        );
        // Lock order: cgroup_mutex (cgroup_kn_lock_live).
        let mut st = self.lock();
        let c = st.cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?;
        if c.is_removed() {
            return Err(Errno::ENODEV);
        }
        let control = self.cgroup_control(&st, cgrp);
        let (subtree, is_root, children) = (
            c.subtree_control,
            c.parent.is_none(),
            c.children.iter().copied().collect::<Vec<_>>(),
        );
        for i in 0..self.subsys.len() {
            let bit = 1u64 << i;
            if enable & bit != 0 {
                if subtree & bit != 0 {
                    enable &= !bit;
                    continue;
                }
                if control & bit == 0 {
                    return Err(Errno::ENOENT);
                }
            } else if disable & bit != 0 {
                if subtree & bit == 0 {
                    disable &= !bit;
                    continue;
                }
                let busy = children.iter().any(|ch| {
                    st.cgroups
                        .get(ch.0)
                        .is_some_and(|x| x.subtree_control & bit != 0)
                });
                if busy {
                    return Err(Errno::EBUSY);
                }
            }
        }
        if enable == 0 && disable == 0 {
            return Ok(());
        }
        // cgroup_vet_subtree_control_enable (root cgroups are mixable and exempt).
        if enable != 0 && !is_root {
            let domain = enable & !self.dfl_threaded_mask() != 0;
            match self.vet_threaded_enable(&st, cgrp, domain) {
                Some(Err(e)) => return Err(e),
                Some(Ok(())) => {
                    self.apply_subtree_control(&mut st, cgrp, &children, enable, disable);
                    return Ok(());
                }
                None => {}
            }
            if self.has_tasks(cgrp) {
                return Err(Errno::EBUSY);
            }
        }
        self.apply_subtree_control(&mut st, cgrp, &children, enable, disable);
        Ok(())
    }

    /// `cgroup_is_populated(cgrp)`: a task is attached to `cgrp` or below it.
    pub(crate) fn is_populated(&self, st: &CgroupState<T>, cgrp: CgroupId) -> bool {
        if self.has_tasks(cgrp) {
            return true;
        }
        let c = st.cgroups.get(cgrp.0).expect("live");
        c.children.iter().any(|&ch| self.is_populated(st, ch))
    }

    /// The second half of `cgroup_subtree_control_write`: `cgroup_apply_control` and
    /// `cgroup_finalize_control` for the vetted `enable` and `disable` masks.
    fn apply_subtree_control(
        &self,
        st: &mut CgroupState<T>,
        cgrp: CgroupId,
        children: &[CgroupId],
        enable: u64,
        disable: u64,
    ) {
        let c = st.cgroups.get_mut(cgrp.0).expect("live");
        c.subtree_control = (c.subtree_control | enable) & !disable;
        // cgroup_apply_control_enable: a css for each newly enabled controller in each child
        // (ascending id), its files populated.
        for &child in children.iter().rev() {
            for i in 0..self.subsys.len() {
                // Differences: on a failed allocation the kernel rolls the whole change back
                // (`cgroup_restore_control`); no controller here fails to allocate.
                let domain_in_threaded = Self::is_threaded(st, child) && !self.subsys[i].threaded();
                if enable & (1 << i) != 0
                    && !domain_in_threaded
                    && let Err(e) = self.css_create(st, child, i)
                {
                    trace::comment(&*self.tracer, smp_processor_id(), || {
                        format!("css_create failed: {}", e.name())
                    });
                }
            }
            if enable != 0 {
                self.populate_dir(st, child);
            }
        }
        // cgroup_update_dfl_csses: the tasks of the subtree move to their new effective csses.
        self.update_dfl_csses(st, cgrp, enable | disable);
        // cgroup_apply_control_disable: kill the csses no longer enabled.
        if disable != 0 {
            for &child in children.iter().rev() {
                for i in (0..self.subsys.len()).rev() {
                    if disable & (1 << i) != 0 {
                        self.kill_css(st, child, i);
                    }
                }
                self.populate_dir(st, child);
            }
        }
    }

    /// `css_create(cgrp, ss)`: allocate subsystem `i`'s css in `cgrp` (`create`, the 2.6
    /// name of `css_alloc`) and install it.
    pub(crate) fn css_create(
        &self,
        st: &mut CgroupState<T>,
        cgrp: CgroupId,
        i: usize,
    ) -> Result<(), Errno> {
        let css = self.alloc_css(st, i, cgrp, 0);
        let cx = self.ctx(st, i, cgrp);
        let state = {
            let _h = self.trace_cb(i, SubsysCallback::Create);
            self.subsys[i].create(&cx, &css)?
        };
        css.set_private(Some(state));
        {
            let _f = trace::func(&*self.tracer, smp_processor_id(), "online_css");
            let _g = self.trace_cb(i, SubsysCallback::Online);
            self.subsys[i].online(&cx, &css);
        }
        st.cgroups.get_mut(cgrp.0).expect("live").subsys[i] = Some(css);
        Ok(())
    }

    /// `kill_css(css)`: take subsystem `i`'s css out of `cgrp`: `css_offline`, then
    /// `css_released` and `css_free` once unreferenced ([`Self::css_release_or_defer`]).
    pub(crate) fn kill_css(&self, st: &mut CgroupState<T>, cgrp: CgroupId, i: usize) {
        let _f = trace::func(&*self.tracer, smp_processor_id(), "kill_css");
        let Some(css) = st.cgroups.get(cgrp.0).expect("live").subsys[i].clone() else {
            return;
        };
        let cx = self.ctx(st, i, cgrp);
        {
            let _f = trace::func(&*self.tracer, smp_processor_id(), "offline_css");
            let _g = self.trace_cb(i, SubsysCallback::PreDestroy);
            // Offlining cannot fail in 6.6; a v1-style refusal is ignored here.
            let _ = self.subsys[i].pre_destroy(&cx, &css);
        }
        st.cgroups.get_mut(cgrp.0).expect("live").subsys[i] = None;
        self.css_release_or_defer(st, cgrp, i, css, false);
    }

    /// `cgroup_update_dfl_csses(cgrp)`: every css_set linked to a cgroup of `cgrp`'s subtree
    /// takes its new effective csses for the subsystems of `mask`; each task whose css changes
    /// goes through the subsystems' `can_attach` and `attach` (ascending id), as
    /// `cgroup_migrate_execute` does for `mgctx->ss_mask`.
    pub(crate) fn update_dfl_csses(&self, st: &mut CgroupState<T>, cgrp: CgroupId, mask: u64) {
        let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_update_dfl_csses");
        let mut subtree = vec![cgrp];
        let mut k = 0;
        while k < subtree.len() {
            let c = st.cgroups.get(subtree[k].0).expect("live");
            subtree.extend(c.children.iter().rev().copied());
            k += 1;
        }
        let mut moves: Vec<(usize, CgroupId, CssRef, CssRef, crate::subsys::TaskRef)> = Vec::new();
        {
            // Lock order: cgroup_mutex -> css_set_lock (write).
            let mut cs = self.css_set_write();
            for &d in &subtree {
                for set_id in cs.links_of(d).to_vec() {
                    let pids: Vec<Pid> = {
                        let set = cs.css_sets.get(set_id.0).expect("linked");
                        set.tasks.iter().copied().collect()
                    };
                    for i in 0..self.subsys.len() {
                        if mask & (1 << i) == 0 {
                            continue;
                        }
                        let new = Self::e_css(st, d, i);
                        let set = cs.css_sets.get_mut(set_id.0).expect("linked");
                        let old = std::mem::replace(&mut set.subsys[i], new.clone());
                        if old.id() == new.id() {
                            continue;
                        }
                        for &pid in &pids {
                            moves.push((i, d, new.clone(), old.clone(), Self::task_ref(&cs, pid)));
                        }
                    }
                }
            }
        }
        for (i, d, new, old, tref) in moves {
            let cx = self.ctx(st, i, d);
            {
                let _g = self.trace_cb(i, SubsysCallback::CanAttach);
                // The kernel rolls the migration back on a refusal; controllers of this model
                // only refuse a v1 move (cpuset without cpus), which cannot happen here.
                let _ = self.subsys[i].can_attach(&cx, &new, tref);
            }
            let _g = self.trace_cb(i, SubsysCallback::Attach);
            self.subsys[i].attach(&cx, &new, &old, tref);
        }
    }

    /// `cgroup_migrate_vet_dst(dst)` (v6.6) on the default hierarchy: a cgroup whose domain
    /// is not a valid domain hosts nothing (EOPNOTSUPP); then the no-internal-process rule: a
    /// non-root cgroup with a domain controller in its `subtree_control` cannot take tasks
    /// (EBUSY); one that is threaded or could be a thread root can.
    pub(crate) fn migrate_vet_dst(&self, st: &CgroupState<T>, dst: CgroupId) -> Result<(), Errno> {
        let c = st.cgroups.get(dst.0).expect("live");
        if !self.on_dfl_root(c.root) {
            return Ok(());
        }
        if !self.is_valid_domain(st, Self::dom_cgrp(st, dst)) {
            return Err(Errno::EOPNOTSUPP);
        }
        if c.parent.is_none() || self.can_be_thread_root(st, dst) || c.threaded {
            return Ok(());
        }
        if c.subtree_control != 0 {
            return Err(Errno::EBUSY);
        }
        Ok(())
    }

    /// `cgroup_may_write(cgrp)`: may a task with `cred` write `cgrp`'s `cgroup.procs` (the inode's mode
    /// and owner; root passes)? EACCES if not.
    fn may_write_procs(
        &self,
        st: &CgroupState<T>,
        cgrp: CgroupId,
        cred: cgsim_ktypes::Cred,
    ) -> Result<(), Errno> {
        if cred.euid.is_root() {
            return Ok(());
        }
        let c = st.cgroups.get(cgrp.0).expect("live");
        let f = c
            .files
            .iter()
            .find(|f| f.name == "cgroup.procs")
            .ok_or(Errno::ENOENT)?;
        let bits = if cred.euid.0 == f.uid {
            f.mode >> 6
        } else if cred.egid == f.gid {
            f.mode >> 3
        } else {
            f.mode
        };
        if bits & 0o2 != 0 {
            Ok(())
        } else {
            Err(Errno::EACCES)
        }
    }

    /// A write to `cgroup.procs` (`__cgroup_procs_write`, threadgroup) or `cgroup.threads` of a
    /// v2 cgroup: `kstrtoint` (EINVAL, also for a negative pid), 0 for the writer itself, ESRCH
    /// for no such task, then `cgroup_attach_permissions` (write permission on the common
    /// ancestor's `cgroup.procs`: EACCES; the no-internal-process rule: EBUSY) and the migration.
    /// A task already exiting, or exited and not yet reaped (a zombie), goes through those
    /// checks and is then skipped without an error (`cgroup_migrate_add_task`).
    pub(crate) fn write_procs_dfl(
        &self,
        cgrp: CgroupId,
        writer: Pid,
        f_cred: Option<cgsim_ktypes::Cred>,
        data: &[u8],
        threadgroup: bool,
    ) -> Result<(), Errno> {
        let s = String::from_utf8_lossy(cgsim_ktypes::parse::strstrip(
            cgsim_ktypes::parse::until_nul(data),
        ))
        .into_owned();
        let v = kstrtoint(&s).map_err(|_| Errno::EINVAL)?;
        if v < 0 {
            return Err(Errno::EINVAL);
        }
        let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_procs_write");
        // Lock order: cgroup_mutex.
        let mut st = self.lock();
        let c = st.cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?;
        if c.is_removed() {
            return Err(Errno::ENODEV);
        }
        let pid = if v == 0 { writer } else { Pid(v) };
        // cgroup_procs_write_start finds an exited task too (its pid is hashed until
        // release_task); the permission checks run on it, and the migration then skips it
        // (`cgroup_migrate_add_task`: PF_EXITING), so the write succeeds moving nothing.
        let (pid, src, skip) = if threadgroup {
            // cgroup_procs_write_start: the whole group, from its leader's cgroup.
            match self.procs_write_leader(pid)? {
                Some((pid, src)) => (pid, src, false),
                None => return Ok(()),
            }
        } else {
            // Lock order: cgroup_mutex -> css_set_lock (read).
            let cs = self.css_set_read();
            let t = cs.tasks.get(&pid).ok_or(Errno::ESRCH)?;
            let src = match t.dying_dfl {
                Some(g) if t.exited => g,
                _ => cs.css_set_cgroup(t.cgroups, RootId::ROOTNODE),
            };
            (pid, src, t.exited || t.exiting)
        };
        // A leader that died in a cgroup removed since: the kernel still walks up from the
        // dead cgroup its css_set pins; its id is gone here, so the walk starts at the root.
        let src = if st.cgroups.get(src.0).is_some() {
            src
        } else {
            st.roots_arena
                .get(RootId::ROOTNODE.0)
                .expect("the default hierarchy is mounted")
                .top_cgroup
        };
        // cgroup_procs_write_permission: the common ancestor of source and destination.
        let mut com = src;
        while !Self::is_descendant(&st, cgrp, com) {
            com = st
                .cgroups
                .get(com.0)
                .expect("live")
                .parent
                .expect("roots meet");
        }
        // "Check permissions using the credentials from file open to protect against
        // inherited fd attacks" (`override_creds(of->file->f_cred)`, 5.16+).
        let cred = f_cred.unwrap_or_else(|| self.task_cred_locked(writer));
        self.may_write_procs(&st, com, cred)?;
        self.migrate_vet_dst(&st, cgrp)?;
        // `cgroup_attach_permissions`: a thread moves only within its domain.
        if !threadgroup && Self::dom_cgrp(&st, src) != Self::dom_cgrp(&st, cgrp) {
            return Err(Errno::EOPNOTSUPP);
        }
        if skip {
            return Ok(());
        }
        if threadgroup {
            return self.attach_thread_group(&mut st, cgrp, pid, writer);
        }
        self.cgroup_attach_task_locked(&mut st, cgrp, pid, writer)
    }

    /// The hierarchy of a live cgroup (ENODEV if stale).
    pub(crate) fn root_of(&self, cgrp: CgroupId) -> Result<RootId, Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        Ok(st.cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?.root)
    }

    /// Reads of the default hierarchy's base files (6.6 `cgroup_base_files[]` handlers).
    pub(crate) fn read_dfl_base(
        &self,
        st: &CgroupState<T>,
        cgrp: CgroupId,
        b: BaseFile,
    ) -> Result<Vec<u8>, Errno> {
        let c = st.cgroups.get(cgrp.0).expect("checked");
        let limit = |v: i32| {
            if v == i32::MAX {
                "max\n".to_string()
            } else {
                format!("{v}\n")
            }
        };
        let text = match b {
            BaseFile::Type => self.cgroup_type_show(st, cgrp).to_string(),
            BaseFile::Controllers => self.read_controllers(st, cgrp),
            BaseFile::SubtreeControl => self.read_subtree_control(st, cgrp),
            // cgroup_events_show.
            // cgroup_events_show: `frozen` is CGRP_FROZEN, set once every task of the subtree
            // is frozen; simulated programs stop at once, so it follows the effective freeze.
            BaseFile::Events => format!(
                "populated {}\nfrozen {}\n",
                u8::from(self.is_populated(st, cgrp)),
                u8::from(Self::e_freeze(st, cgrp))
            ),
            BaseFile::MaxDescendants => limit(c.max_descendants),
            BaseFile::MaxDepth => limit(c.max_depth),
            // cgroup_stat_show.
            BaseFile::Stat => format!(
                "nr_descendants {}\nnr_dying_descendants {}\n",
                Self::nr_descendants(st, cgrp),
                Self::nr_dying_descendants(st, cgrp)
            ),
            // cgroup_freeze_show: the cgroup's own setting.
            BaseFile::Freeze => format!("{}\n", u8::from(c.freeze)),
            // cgroup_base_stat_cputime_show: the simulated CPU time of the cgroup's tasks
            // and its descendants', from the pressure hook (the scheduler's side).
            BaseFile::CpuStat => {
                let (user, system) = self.pressure.read().cpu_times(cgrp);
                let (user, system) = (user / 1000, system / 1000);
                let mut text = format!(
                    "usage_usec {}\nuser_usec {user}\nsystem_usec {system}\n",
                    user + system
                );
                // cgroup_extra_stat_show: the cpu controller's cpu_extra_stat_show, when this
                // cgroup has a cpu css of its own (the controller is on the default hierarchy
                // and enabled in the parent's subtree_control, or this is the root).
                if let Some(tg) = self
                    .subsys_id("cpu")
                    .filter(|&i| Self::dfl_subsys_mask(st) & (1 << i) != 0)
                    .and_then(|i| c.subsys.get(i).cloned().flatten())
                    .and_then(|css| css.private::<crate::subsys::cpu::TaskGroup>())
                {
                    let s = tg.bw_stat();
                    text.push_str(&format!(
                        "nr_periods {}\nnr_throttled {}\nthrottled_usec {}\nnr_bursts {}\nburst_usec {}\n",
                        s.nr_periods,
                        s.nr_throttled,
                        s.throttled_time / 1000,
                        s.nr_burst,
                        s.burst_time / 1000
                    ));
                }
                text
            }
            // cgroup_local_stat_show → cpu_local_stat_show: the time this cgroup's run queues
            // were throttled (by its quota or an ancestor's), if it has a cpu css of its own.
            BaseFile::CpuStatLocal => self
                .subsys_id("cpu")
                .filter(|&i| Self::dfl_subsys_mask(st) & (1 << i) != 0)
                .and_then(|i| c.subsys.get(i).cloned().flatten())
                .and_then(|css| css.private::<crate::subsys::cpu::TaskGroup>())
                .map(|tg| format!("throttled_usec {}\n", tg.se.lock().throttled_self / 1000))
                .unwrap_or_default(),
            // cgroup_pressure_show: `psi->enabled`.
            BaseFile::CgroupPressure => format!("{}\n", u8::from(!c.psi_disabled())),
            // Read through the pressure hook, without cgroup_mutex (`read_all`).
            BaseFile::Pressure(_) => return Err(Errno::EINVAL),
            // Opened write-only: no snapshot; the pidlist read needs FMODE_READ.
            BaseFile::Threads => return Err(Errno::EBADF),
            _ => return Err(Errno::EINVAL),
        };
        Ok(text.into_bytes())
    }

    /// Writes of the default hierarchy's base files.
    pub(crate) fn write_dfl_base(
        &self,
        cgrp: CgroupId,
        b: BaseFile,
        writer: Pid,
        f_cred: Option<cgsim_ktypes::Cred>,
        data: &[u8],
    ) -> Result<(), Errno> {
        let s = String::from_utf8_lossy(cgsim_ktypes::parse::strstrip(
            cgsim_ktypes::parse::until_nul(data),
        ))
        .into_owned();
        match b {
            BaseFile::Threads => self.write_procs_dfl(cgrp, writer, f_cred, data, false),
            BaseFile::SubtreeControl => self.write_subtree_control(cgrp, data),
            BaseFile::Type => {
                // cgroup_type_write: only "threaded" is accepted.
                if s != "threaded" {
                    return Err(Errno::EINVAL);
                }
                self.enable_threaded(cgrp)
            }
            BaseFile::MaxDescendants | BaseFile::MaxDepth => {
                let v = if s == "max" { i32::MAX } else { kstrtoint(&s)? };
                if v < 0 {
                    return Err(Errno::ERANGE);
                }
                // Lock order: cgroup_mutex.
                let mut st = self.lock();
                let c = st.cgroups.get_mut(cgrp.0).ok_or(Errno::ENODEV)?;
                if c.is_removed() {
                    return Err(Errno::ENODEV);
                }
                if b == BaseFile::MaxDescendants {
                    c.max_descendants = v;
                } else {
                    c.max_depth = v;
                }
                Ok(())
            }
            BaseFile::CgroupPressure => {
                // cgroup_pressure_write: kstrtoint, 0 or 1 (ERANGE), then, if it changes,
                // cgroup_file_show of each pressure file and `psi->enabled`.
                let v = kstrtoint(&s)?;
                if !(0..=1).contains(&v) {
                    return Err(Errno::ERANGE);
                }
                // Lock order: cgroup_mutex.
                let mut st = self.lock();
                let c = st.cgroups.get_mut(cgrp.0).ok_or(Errno::ENOENT)?;
                if c.is_removed() {
                    return Err(Errno::ENOENT);
                }
                let disable = v == 0;
                if c.psi_disabled() != disable {
                    if disable {
                        c.shared.set_flag(crate::cgroup::CGRP_PSI_DISABLED);
                    } else {
                        c.shared.clear_flag(crate::cgroup::CGRP_PSI_DISABLED);
                    }
                    if disable {
                        c.files
                            .retain(|f| !matches!(f.kind, FileKind::Base(BaseFile::Pressure(_))));
                    } else if let Some(at) = c
                        .files
                        .iter()
                        .position(|f| matches!(f.kind, FileKind::Base(BaseFile::CgroupPressure)))
                    {
                        let (uid, gid) = (c.uid, c.gid);
                        for (i, res) in [PsiRes::Io, PsiRes::Memory, PsiRes::Cpu]
                            .into_iter()
                            .enumerate()
                        {
                            let b = BaseFile::Pressure(res);
                            c.files.insert(
                                at + i,
                                CgroupFile {
                                    name: b.name().to_string(),
                                    mode: crate::files::dfl_mode(b),
                                    uid,
                                    gid,
                                    kind: FileKind::Base(b),
                                },
                            );
                        }
                    }
                }
                Ok(())
            }
            BaseFile::Pressure(res) => {
                // The trigger text as kernfs hands it over (NUL-terminated, not stripped).
                let buf = String::from_utf8_lossy(cgsim_ktypes::parse::until_nul(data));
                let privileged = self.task_cred_locked(writer).euid.is_root();
                // Lock order: pressure hook lock alone (read, cloned, released).
                let hook = self.pressure.read().clone();
                hook.write_trigger(cgrp, res, writer, privileged, &buf)
            }
            BaseFile::Kill => {
                // cgroup_kill_write: kstrtoint, and only 1 (ERANGE otherwise).
                if kstrtoint(&s)? != 1 {
                    return Err(Errno::ERANGE);
                }
                self.cgroup_kill(cgrp)
            }
            BaseFile::Freeze => {
                // cgroup_freeze_write: kstrtoint, 0 or 1 (ERANGE otherwise).
                let v = kstrtoint(&s)?;
                if !(0..=1).contains(&v) {
                    return Err(Errno::ERANGE);
                }
                // Lock order: cgroup_mutex.
                let mut st = self.lock();
                let c = st.cgroups.get_mut(cgrp.0).ok_or(Errno::ENODEV)?;
                if c.is_removed() {
                    return Err(Errno::ENODEV);
                }
                let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_freeze");
                c.freeze = v == 1;
                let any = st.cgroups.iter().any(|(_, c)| c.freeze);
                self.any_frozen
                    .store(any, std::sync::atomic::Ordering::Release);
                Ok(())
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// `cgrp->freezer.e_freeze != 0`: the cgroup or an ancestor has `cgroup.freeze` set.
    pub(crate) fn e_freeze(st: &CgroupState<T>, cgrp: CgroupId) -> bool {
        let mut cur = Some(cgrp);
        while let Some(c) = cur {
            let x = st.cgroups.get(c.0).expect("live");
            if x.freeze {
                return true;
            }
            cur = x.parent;
        }
        false
    }

    /// Whether `pid` sits in a frozen cgroup of the default hierarchy (the scheduler does not
    /// step it: `cgroup_enter_frozen`). Cheap while nothing is frozen.
    pub fn task_frozen(&self, pid: Pid) -> bool {
        if !self.any_frozen.load(std::sync::atomic::Ordering::Acquire) {
            return false;
        }
        // Lock order: cgroup_mutex -> css_set_lock (read).
        let st = self.lock();
        let cs = self.css_set_read();
        let Some(t) = cs.tasks.get(&pid).filter(|t| !t.exited) else {
            return false;
        };
        let cgrp = cs.css_set_cgroup(t.cgroups, RootId::ROOTNODE);
        drop(cs);
        Self::e_freeze(&st, cgrp)
    }

    /// `cgroup_kill(cgrp)` (6.6): every process of `cgrp` and its live descendants gets
    /// SIGKILL. The core only lists them ([`Self::drain_cgroup_kill`]); init, which the kernel's
    /// `SIGNAL_UNKILLABLE` protects from a kernel-sent SIGKILL, is left out.
    fn cgroup_kill(&self, cgrp: CgroupId) -> Result<(), Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        let c = st.cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?;
        if c.is_removed() {
            return Err(Errno::ENODEV);
        }
        let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_kill");
        let mut subtree = vec![cgrp];
        let mut k = 0;
        while k < subtree.len() {
            let c = st.cgroups.get(subtree[k].0).expect("live");
            subtree.extend(c.children.iter().rev().copied());
            k += 1;
        }
        let mut pids = Vec::new();
        {
            // Lock order: cgroup_mutex -> css_set_lock (read).
            let cs = self.css_set_read();
            // `CSS_TASK_ITER_PROCS`: each process once, by its leader (the signal is for
            // the thread group), also a dying leader whose threads live on.
            for &d in &subtree {
                for set in cs.links_of(d) {
                    let set = cs.css_sets.get(set.0).expect("linked");
                    pids.extend(
                        set.tasks
                            .iter()
                            .copied()
                            .filter(|p| p.0 != 1 && cs.tasks[p].tgid == *p),
                    );
                }
            }
            pids.extend(
                cs.dying_leaders
                    .iter()
                    .copied()
                    .filter(|p| cs.tasks[p].dying_dfl.is_some_and(|g| subtree.contains(&g))),
            );
        }
        // Lock order: cgroup_mutex -> kill list (a leaf).
        self.kill_list.lock().extend(pids);
        Ok(())
    }

    /// The processes `cgroup.kill` writes chose since the last call, for the VFS to kill.
    pub fn drain_cgroup_kill(&self) -> Vec<Pid> {
        // Lock order: kill list alone.
        std::mem::take(&mut *self.kill_list.lock())
    }

    /// `cgroup_is_descendant(cgrp, ancestor)`: `cgrp` is `ancestor` or below it.
    pub(crate) fn is_descendant(st: &CgroupState<T>, cgrp: CgroupId, ancestor: CgroupId) -> bool {
        let mut cur = Some(cgrp);
        while let Some(c) = cur {
            if c == ancestor {
                return true;
            }
            cur = st.cgroups.get(c.0).and_then(|x| x.parent);
        }
        false
    }

    /// `cgroup_check_hierarchy_limits(parent)`: `cgroup.max.descendants` and `cgroup.max.depth`
    /// of every ancestor allow one more cgroup under `parent` (else mkdir is EAGAIN).
    pub(crate) fn check_hierarchy_limits(st: &CgroupState<T>, parent: CgroupId) -> bool {
        let mut level = 1;
        let mut cur = Some(parent);
        while let Some(c) = cur {
            let x = st.cgroups.get(c.0).expect("live");
            if Self::nr_descendants(st, c) >= x.max_descendants as usize || level > x.max_depth {
                return false;
            }
            level += 1;
            cur = x.parent;
        }
        true
    }

    /// `cgrp->nr_descendants`: live cgroups below `cgrp`.
    pub(crate) fn nr_descendants(st: &CgroupState<T>, cgrp: CgroupId) -> usize {
        let c = st.cgroups.get(cgrp.0).expect("live");
        c.children
            .iter()
            .map(|&ch| 1 + Self::nr_descendants(st, ch))
            .sum()
    }
}

/// `kstrtoint(s, 0)`: an optional sign, then a number in base 16 (`0x`), 8 (leading `0`) or
/// 10, nothing after it but one newline; EINVAL for anything else, ERANGE for an overflow of
/// `int`.
pub(crate) fn kstrtoint(s: &str) -> Result<i32, Errno> {
    let s = s.strip_suffix('\n').unwrap_or(s);
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let b = s.as_bytes();
    let (radix, digits) =
        if b.len() > 2 && b[0] == b'0' && (b[1] | 0x20) == b'x' && b[2].is_ascii_hexdigit() {
            (16, &s[2..])
        } else if b.first() == Some(&b'0') {
            (8, s)
        } else {
            (10, s)
        };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(Errno::EINVAL);
    }
    let v = u64::from_str_radix(digits, radix).map_err(|_| Errno::ERANGE)?;
    let v = i64::try_from(v).map_err(|_| Errno::ERANGE)?;
    i32::try_from(if neg { -v } else { v }).map_err(|_| Errno::ERANGE)
}
