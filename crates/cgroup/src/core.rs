//! `CgroupCore`: the global state of kernel/cgroup.c and boot (`cgroup_init_early`,
//! `cgroup_init`, `cgroup_init_subsys`).
//!
//! **Kernel:** `kernel/cgroup.c` globals `rootnode`, `roots`, `root_count`, `init_css_set`,
//! `init_css_set_link`, `css_set_count`, `need_forkexit_callback`, `release_list`,
//! `cgroup_mutex`, `css_set_lock`, `release_list_lock` (2.6.25 with 2.6.34 details; `kernel/cgroup.c`,
//! `kernel/cgroup.c` `rootnode`, `init_css_set`, v2.6.34).

use crate::arena::Arena;
use crate::cgroup::{Cgroup, CgroupId, CgroupShared};
use crate::css::{CSS_ROOT, CgroupSubsysState, CssId, CssRef};
use crate::css_set::{CgCgroupLink, CssSet, CssSetId};
use crate::event_control::{EventControl, NoEventControl};
use crate::hash::IdMap;
use crate::profile::CoreProfile;
use crate::root::{CgroupfsRoot, RootId};
use crate::subsys::{CgroupSubsys, SubsysCallback, SubsysCtx, TaskRef};
use cgsim_ktypes::lockdep::{LockClass, Tracked};
use cgsim_ktypes::percpu::smp_processor_id;
use cgsim_ktypes::{CpuId, Cred, Pid, Tracer, trace};
use parking_lot::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

/// The cgroup side of `struct task_struct`.
#[derive(Clone, Debug)]
pub(crate) struct Task {
    /// `task->cgroups`.
    pub(crate) cgroups: CssSetId,
    /// The task's credentials (for the attach permission check, `kernel/cgroup.c` `attach_task_by_pid`, v2.6.34).
    pub(crate) cred: Cred,
    /// `PF_EXITING`.
    pub(crate) exiting: bool,
    /// `cgroup_exit` ran: the task points at `init_css_set` without a reference and is on no
    /// css_set task list (a zombie until [`CgroupCore::release_task`]).
    pub(crate) exited: bool,
    /// Between `cgroup_fork` and `cgroup_post_fork`: the task holds its reference on
    /// `cgroups` but is on no task list yet (`list_empty(&tsk->cg_list)`).
    pub(crate) forking: bool,
    /// `cgroup_exit` has started (its callbacks may be running): a second exit is ESRCH.
    pub(crate) in_exit: bool,
    /// `task->tgid`: the pid of the thread group's leader (the task's own pid for a leader and
    /// for every task made by [`CgroupCore::fork`]); see `thread_group.rs`.
    pub(crate) tgid: Pid,
    /// A leader's other threads, in creation order (`signal->thread_head` without the leader).
    pub(crate) threads: Vec<Pid>,
    /// A leader that went through `cgroup_exit`: its cgroup on the default hierarchy then (6.6
    /// keeps an exited task on its css_set's `dying_tasks` until it is released, and
    /// `cgroup.procs` still lists a dying leader whose group has live threads).
    pub(crate) dying_dfl: Option<CgroupId>,
    /// The path of `dying_dfl` once that cgroup was removed: 6.6's exited task still pins it
    /// through its css_set, and `/proc/PID/cgroup` prints it with ` (deleted)`
    /// (`proc_cgroup_show`: `cgroup_on_dfl(cgrp) && cgroup_is_dead(cgrp)`).
    pub(crate) dying_dfl_deleted: Option<String>,
}

impl Task {
    pub(crate) fn new(cgroups: CssSetId, cred: Cred, forking: bool, tgid: Pid) -> Task {
        Task {
            cgroups,
            cred,
            exiting: false,
            exited: false,
            forking,
            in_exit: false,
            tgid,
            threads: Vec::new(),
            dying_dfl: None,
            dying_dfl_deleted: None,
        }
    }
}

/// The cgroup side of a `cg_cgroup_link` list: the css_sets linked to one cgroup.
///
/// **Kernel:** `cgrp->css_sets` (the `cgrp_link_list` side of `struct cg_cgroup_link`).
/// **Locking:** `css_set_lock`. `cgrp` keeps the cgroup's lock-free part reachable for fork,
/// exit and `check_for_release` without `cgroup_mutex` (the kernel's `link->cgrp` pointer).
pub(crate) struct CgrpLinks {
    pub(crate) cgrp: Arc<CgroupShared>,
    pub(crate) css_sets: Vec<CssSetId>,
}

/// Everything `css_set_lock` protects.
pub(crate) struct CssSetState {
    pub(crate) css_sets: Arena<CssSet>,
    /// The css_set hash table, keyed by the sorted linked-cgroup vector (`kernel/cgroup.c`
    /// `css_set_table`, `find_existing_css_set`, v2.6.32; `hash.rs`).
    pub(crate) css_set_table: IdMap<Vec<CgroupId>, CssSetId>,
    pub(crate) init_css_set: CssSetId,
    /// `css_set_count`.
    pub(crate) css_set_count: usize,
    /// The cgroup side of every `cg_cgroup_link`; a cgroup has an entry while `count > 0`
    /// (the kernel's `cgrp->css_sets`, a field of the cgroup: found in O(1), `hash.rs`).
    pub(crate) links: IdMap<CgroupId, CgrpLinks>,
    /// `tsk->cgroups` and `tsk->cg_list` of every task (with the task's credentials), found by
    /// pid as `find_task_by_vpid` finds it through `pid_hash` (`hash.rs`). Unordered: what
    /// shows tasks in pid order sorts them.
    pub(crate) tasks: IdMap<Pid, Task>,
    /// `need_forkexit_callback` (set at boot, read by fork and exit).
    pub(crate) need_forkexit_callback: bool,
    /// Leaders that exited while their group had other threads, until released: the ones a
    /// default-hierarchy `cgroup.procs` may still list (`thread_group.rs`).
    pub(crate) dying_leaders: BTreeSet<Pid>,
    /// The lock-free part of every cgroup of the default hierarchy below its root: a css_set's
    /// effective css may belong to an ancestor that no css_set links, and fork and exit still
    /// need its context (the kernel follows `css->cgroup`).
    pub(crate) dfl_shared: IdMap<CgroupId, Arc<CgroupShared>>,
}

impl CssSetState {
    /// The css_sets linked to `cgrp` (`cgrp->css_sets`), oldest link first.
    pub(crate) fn links_of(&self, cgrp: CgroupId) -> &[CssSetId] {
        self.links
            .get(&cgrp)
            .map(|l| l.css_sets.as_slice())
            .unwrap_or(&[])
    }

    /// Add the cgroup side of a link `set` -> `cgrp` (`count++`).
    pub(crate) fn link(&mut self, cgrp: CgroupId, shared: &Arc<CgroupShared>, set: CssSetId) {
        let l = self.links.entry(cgrp).or_insert_with(|| CgrpLinks {
            cgrp: shared.clone(),
            css_sets: Vec::new(),
        });
        l.css_sets.push(set);
        l.cgrp
            .count
            .store(l.css_sets.len(), std::sync::atomic::Ordering::Release);
    }

    /// Remove the cgroup side of a link `set` -> `cgrp` (`count--`); returns the cgroup's shared
    /// part and its new count.
    pub(crate) fn unlink(&mut self, cgrp: CgroupId, set: CssSetId) -> (Arc<CgroupShared>, usize) {
        let l = self.links.get_mut(&cgrp).expect("linked cgroup");
        l.css_sets.retain(|&s| s != set);
        let n = l.css_sets.len();
        l.cgrp.count.store(n, std::sync::atomic::Ordering::Release);
        let shared = l.cgrp.clone();
        if n == 0 {
            self.links.remove(&cgrp);
        }
        (shared, n)
    }

    /// The lock-free part of a linked cgroup.
    /// A cgroup's lock-free part: from its links, or (6.6) the default hierarchy's table,
    /// which also holds cgroups no css_set links yet.
    pub(crate) fn shared_of(&self, cgrp: CgroupId) -> &Arc<CgroupShared> {
        match self.links.get(&cgrp) {
            Some(l) => &l.cgrp,
            None => self
                .dfl_shared
                .get(&cgrp)
                .expect("linked or on the default hierarchy"),
        }
    }

    /// `task_cgroup_from_root`: the cgroup a css_set links in hierarchy `root`.
    pub(crate) fn css_set_cgroup(&self, cg: CssSetId, root: RootId) -> CgroupId {
        self.css_sets
            .get(cg.0)
            .expect("live css_set")
            .cg_links
            .iter()
            .map(|l| l.cgrp)
            .find(|&c| self.shared_of(c).root == root)
            .expect("Invariant I5: one link per active hierarchy")
    }
}

/// Everything `cgroup_mutex` protects.
pub(crate) struct CgroupState<T: Tracer> {
    pub(crate) roots_arena: Arena<CgroupfsRoot>,
    /// The `roots` list: mounted hierarchies in creation order (2.6.29+: rootnode excluded).
    pub(crate) roots: Vec<RootId>,
    /// `root_count` (counts rootnode too).
    pub(crate) root_count: usize,
    pub(crate) cgroups: Arena<Cgroup<T>>,
    pub(crate) dummytop: CgroupId,
    /// `ss->root` for every subsystem.
    pub(crate) subsys_root: Vec<RootId>,
    /// Allocated `hierarchy_id`s (`hierarchy_ida`, 2.6.32+); 0 is rootnode's (`cgroup_init`
    /// calls `init_root_id(&rootnode)` first, so it is never in this set and never handed out).
    pub(crate) hierarchy_ids: BTreeSet<u32>,
    /// `next_hierarchy_id`: where the next `init_root_id` starts looking (1 after rootnode took 0).
    pub(crate) next_hierarchy_id: u32,
    pub(crate) next_css_id: u64,
    /// `cgrp_dfl_visible` (6.6): the default hierarchy was mounted once, so
    /// `/proc/<pid>/cgroup` shows its `0::` line from now on.
    pub(crate) dfl_visible: bool,
    /// Offline csses still referenced (6.6 preset; see `dfl.rs`).
    pub(crate) dying: Vec<crate::dfl::DyingCss>,
    /// Removed default-hierarchy cgroups an exited, not yet released task still pins, by that
    /// task: the cgroup and its ancestors, parent first (6.6: the task's css_set, which
    /// `cgroup_exit` leaves it on until `cgroup_free`, holds the cgroup through its
    /// `cgrp_cset_link`, `link_css_set`'s `cgroup_get_live`).
    pub(crate) zombie_pins: BTreeMap<Pid, (CgroupId, Vec<CgroupId>)>,
}

/// The simulated cgroup core: every global of kernel/cgroup.c behind `cgroup_mutex`,
/// `css_set_lock` and `release_list_lock`.
///
/// **Kernel:** `kernel/cgroup.c` (2.6.25 object model, 2.6.34 behaviour).
/// **Locking:** see the crate docs. Lock order: `cgroup_mutex` -> `css_set_lock` ->
/// `release_list_lock` -> `css pending list` -> `event_control hook`.
/// It is `Send + Sync`; share it by reference or `Arc`.
pub struct CgroupCore<T: Tracer> {
    pub(crate) tracer: Arc<T>,
    pub(crate) profile: CoreProfile,
    /// The `subsys[]` table, index = `subsys_id`.
    pub(crate) subsys: Vec<Box<dyn CgroupSubsys<T>>>,
    /// `ss->disabled` per subsystem (boot option `cgroup_disable=`).
    pub(crate) disabled: Vec<bool>,
    /// Interned trace names `<symbol_prefix>_<callback>` per subsystem and callback.
    pub(crate) cb_names: Vec<[&'static str; 13]>,
    /// Each subsystem's [`CgroupSubsys::callbacks`], read once at boot: which callbacks get a
    /// trace line (the kernel's non-NULL pointers). Every callback is called whatever it says.
    pub(crate) cb_traced: Vec<crate::subsys::CallbackSet>,
    /// `cgroup_mutex` and everything it protects.
    pub(crate) cgroup_mutex: Mutex<CgroupState<T>>,
    /// `css_set_lock` (an rwlock, as in the kernel) and everything it protects.
    pub(crate) css_set_lock: RwLock<CssSetState>,
    /// Processes a `cgroup.kill` write chose (6.6 `cgroup_kill`), for the VFS to send SIGKILL
    /// once the core's locks are gone ([`CgroupCore::drain_cgroup_kill`]). A leaf lock.
    pub(crate) kill_list: Mutex<Vec<Pid>>,
    /// Some cgroup of the default hierarchy has `cgroup.freeze` set (a fast check for the
    /// scheduler's [`CgroupCore::task_frozen`]).
    pub(crate) any_frozen: std::sync::atomic::AtomicBool,
    /// The pressure files' backend (`psi.rs`); a leaf lock, read-locked and cloned per call.
    pub(crate) pressure: RwLock<Arc<dyn crate::psi::PressureHook>>,
    /// `release_list` under `release_list_lock`; index 0 is the head (most recently queued).
    pub(crate) release_list: Mutex<VecDeque<CgroupId>>,
    /// Cgroups whose css fell to "no references" in `css_put` (see `css.rs`).
    pub(crate) css_pending: Arc<Mutex<Vec<CgroupId>>>,
    /// The `cgroup.event_control` hook.
    pub(crate) event_control: RwLock<Arc<dyn EventControl>>,
    /// The machine's fault injection (`failslab`), asked where `kernel/cgroup.c` allocates.
    pub(crate) fault: std::sync::OnceLock<Arc<cgsim_ktypes::FaultInjection>>,
}

impl<T: Tracer> CgroupCore<T> {
    /// Boot: `cgroup_init_early` + `cgroup_init` with `subsystems` as the `subsys[]` table (index =
    /// id), then `init` (`init_task`'s first child, pid 1) in `init_css_set`.
    ///
    /// Each subsystem's root css is created for dummytop in ascending id order (`early_init` ones
    /// first), flagged `CSS_ROOT` and put in `init_css_set`; unbound subsystems sit on
    /// `rootnode.subsys_list` (2.6.34, `kernel/cgroup.c` `cgroup_init_subsys`).
    /// Panics if more than 64 subsystems are given or a boot-time `create` fails (the kernel
    /// panics too).
    #[doc(alias = "cgroup_init")]
    #[doc(alias = "cgroup_init_early")]
    pub fn new(
        tracer: Arc<T>,
        profile: CoreProfile,
        subsystems: Vec<Box<dyn CgroupSubsys<T>>>,
        init: Pid,
        init_cred: Cred,
    ) -> CgroupCore<T> {
        let n = subsystems.len();
        assert!(
            n <= 64,
            "at most 64 subsystems (CGROUP_SUBSYS_COUNT = BITS_PER_LONG)"
        );
        let disabled = subsystems
            .iter()
            .map(|s| profile.cgroup_disable.iter().any(|d| d == s.name()))
            .collect();
        let cb_names = subsystems
            .iter()
            .map(|s| {
                SubsysCallback::ALL.map(|cb| {
                    s.callback_symbol(cb).unwrap_or_else(|| {
                        let field = if profile.has_cgroup2() {
                            cb.field_name_v6()
                        } else {
                            cb.field_name()
                        };
                        intern(s.symbol_prefix(), field)
                    })
                })
            })
            .collect();
        let cb_traced = subsystems.iter().map(|s| s.callbacks()).collect();
        let mut roots_arena = Arena::default();
        let rootnode = CgroupfsRoot {
            subsys_bits: 0,
            actual_subsys_bits: 0,
            subsys_list: Vec::new(),
            top_cgroup: CgroupId(crate::arena::ArenaKey { slot: 0, gen_: 0 }),
            number_of_cgroups: 1,
            flags: 0,
            release_agent_path: Vec::new(),
            hierarchy_id: 0,
            name: String::new(),
            mounts: 0,
        };
        let rid = RootId(roots_arena.insert(rootnode));
        assert_eq!(rid, RootId::ROOTNODE);
        let mut cgroups: Arena<Cgroup<T>> = Arena::default();
        let dummy_key = cgroups.insert(Cgroup::new(
            String::new(),
            None,
            RootId::ROOTNODE,
            CgroupId(crate::arena::ArenaKey { slot: 0, gen_: 0 }),
            vec![None; n],
        ));
        let dummytop = CgroupId(dummy_key);
        cgroups.get_mut(dummy_key).unwrap().top_cgroup = dummytop;
        roots_arena.get_mut(rid.0).unwrap().top_cgroup = dummytop;

        let mut css_sets = Arena::default();
        let init_set = CssSetId(css_sets.insert(CssSet {
            refcount: 1,
            kernel_refs: 1,
            subsys: Vec::new(),
            cg_links: vec![CgCgroupLink { cgrp: dummytop }],
            tasks: BTreeSet::new(),
        }));
        let mut cs = CssSetState {
            css_sets,
            css_set_table: IdMap::default(),
            init_css_set: init_set,
            css_set_count: 1,
            links: IdMap::default(),
            tasks: IdMap::default(),
            need_forkexit_callback: false,
            dying_leaders: BTreeSet::new(),
            dfl_shared: IdMap::default(),
        };
        cs.link(dummytop, &cgroups.get(dummy_key).unwrap().shared, init_set);
        let st = CgroupState {
            roots_arena,
            roots: Vec::new(),
            root_count: 1,
            cgroups,
            dummytop,
            subsys_root: vec![RootId::ROOTNODE; n],
            hierarchy_ids: BTreeSet::new(),
            next_hierarchy_id: 1,
            next_css_id: 1,
            dfl_visible: false,
            dying: Vec::new(),
            zombie_pins: BTreeMap::new(),
        };
        let core = CgroupCore {
            tracer,
            profile,
            subsys: subsystems,
            disabled,
            cb_names,
            cb_traced,
            cgroup_mutex: Mutex::new(st),
            css_set_lock: RwLock::new(cs),
            release_list: Mutex::new(VecDeque::new()),
            kill_list: Mutex::new(Vec::new()),
            pressure: RwLock::new(Arc::new(crate::psi::NoPressure)),
            any_frozen: std::sync::atomic::AtomicBool::new(false),
            css_pending: Arc::new(Mutex::new(Vec::new())),
            event_control: RwLock::new(Arc::new(NoEventControl)),
            fault: std::sync::OnceLock::new(),
        };
        {
            // Lock order: cgroup_mutex -> css_set_lock (write).
            let mut guard = core.cgroup_mutex.lock();
            let st = &mut *guard;
            let mut cs_guard = core.css_set_write();
            let cs = &mut *cs_guard;
            // cgroup_init_early handles early_init subsystems, cgroup_init the rest.
            let order: Vec<usize> = (0..n)
                .filter(|&i| core.subsys[i].early_init())
                .chain((0..n).filter(|&i| !core.subsys[i].early_init()))
                .collect();
            let mut init_subsys = vec![None; n];
            for i in order {
                let _f = trace::func(&*core.tracer, CpuId::BOOT, "cgroup_init_subsys");
                let css = core.alloc_css(st, i, dummytop, CSS_ROOT);
                let cx = core.ctx(st, i, dummytop);
                let _g = core.trace_cb(i, SubsysCallback::Create);
                match core.subsys[i].create(&cx, &css) {
                    Ok(state) => css.set_private(Some(state)),
                    Err(e) => panic!(
                        "boot-time create of subsystem {} failed: {e:?}",
                        core.subsys[i].name()
                    ),
                }
                st.cgroups.get_mut(dummy_key).unwrap().subsys[i] = Some(css.clone());
                init_subsys[i] = Some(css);
                // 2.6.34: unbound subsystems live on rootnode.subsys_list (list_add: head).
                st.roots_arena
                    .get_mut(RootId::ROOTNODE.0)
                    .unwrap()
                    .subsys_list
                    .insert(0, i);
                let cbs = core.subsys[i].callbacks();
                if cbs.contains(SubsysCallback::Fork) || cbs.contains(SubsysCallback::Exit) {
                    cs.need_forkexit_callback = true;
                }
            }
            let set = cs.css_sets.get_mut(init_set.0).unwrap();
            set.subsys = init_subsys.into_iter().map(|c| c.unwrap()).collect();
            let key = set.key();
            cs.css_set_table.insert(key, init_set);
            // init_task->cgroups = &init_css_set; init (pid 1) inherits it.
            set.refcount += 1;
            set.tasks.insert(init);
            cs.tasks
                .insert(init, Task::new(init_set, init_cred, false, init));
        }
        core
    }

    /// Boot with [`default_subsystems`](crate::default_subsystems), the SEED profile, and `init` as
    /// pid 1 with root credentials.
    pub fn with_defaults(tracer: Arc<T>) -> CgroupCore<T> {
        CgroupCore::new(
            tracer,
            CoreProfile::default(),
            crate::subsys::default_subsystems(),
            Pid(1),
            Cred::ROOT,
        )
    }

    /// The tracer.
    pub fn tracer(&self) -> &T {
        &self.tracer
    }

    /// The `core.*` switches this core was booted with.
    pub fn profile(&self) -> &CoreProfile {
        &self.profile
    }

    /// `CGROUP_SUBSYS_COUNT`: the number of registered subsystems.
    pub fn subsys_count(&self) -> usize {
        self.subsys.len()
    }

    /// `subsys[id]->name`.
    pub fn subsys_name(&self, id: usize) -> Option<&'static str> {
        self.subsys.get(id).map(|s| s.name())
    }

    /// The id of the subsystem called `name`.
    pub fn subsys_id(&self, name: &str) -> Option<usize> {
        self.subsys.iter().position(|s| s.name() == name)
    }

    /// `ss->disabled`.
    pub fn subsys_disabled(&self, id: usize) -> bool {
        self.disabled.get(id).copied().unwrap_or(false)
    }

    /// Install the pressure files' backend (see [`crate::psi::PressureHook`]).
    pub fn set_pressure_hook(&self, hook: Arc<dyn crate::psi::PressureHook>) {
        // Lock order: the pressure hook lock alone (a leaf).
        *self.pressure.write() = hook;
    }

    /// Install the `cgroup.event_control` hook (see [`EventControl`]).
    pub fn set_event_control(&self, hook: Arc<dyn EventControl>) {
        // Lock order: the event_control hook lock alone (a leaf).
        *self.event_control.write() = hook;
    }

    // ---- internal helpers ----------------------------------------------------------------

    /// `read_lock(&css_set_lock)`, recorded by the lock-order checker (debug builds).
    pub(crate) fn css_set_read(&self) -> Tracked<RwLockReadGuard<'_, CssSetState>> {
        Tracked::new(LockClass::CssSetLock, || self.css_set_lock.read())
    }

    /// `write_lock(&css_set_lock)`, recorded by the lock-order checker (debug builds).
    pub(crate) fn css_set_write(&self) -> Tracked<RwLockWriteGuard<'_, CssSetState>> {
        Tracked::new(LockClass::CssSetLock, || self.css_set_lock.write())
    }

    /// Take `cgroup_mutex` (`cgroup_lock`), first running the release checks that `css_put` left
    /// pending (see `css.rs`).
    pub(crate) fn lock(&self) -> Tracked<MutexGuard<'_, CgroupState<T>>> {
        // Lock order: cgroup_mutex (outermost; the caller holds no core lock). Checked in
        // debug builds (`cgsim_ktypes::lockdep`).
        let mut st = Tracked::new(LockClass::CgroupMutex, || self.cgroup_mutex.lock());
        // Lock order: cgroup_mutex -> css pending list (taken and released here).
        let pending = std::mem::take(&mut *self.css_pending.lock());
        for cgrp in pending {
            if let Some(c) = st.cgroups.get(cgrp.0)
                && c.notify_on_release()
            {
                c.shared.set_flag(crate::cgroup::CGRP_RELEASABLE);
                // Lock order: cgroup_mutex -> release_list_lock (inside check_for_release).
                self.check_for_release(cgrp, &c.shared, c.has_css_refs());
            }
        }
        if !st.dying.is_empty() {
            self.reap_dying(&mut st);
        }
        st
    }

    /// Allocate a css for subsystem `i` in `cgrp` (refcnt at the profile's base).
    pub(crate) fn alloc_css(
        &self,
        st: &mut CgroupState<T>,
        i: usize,
        cgrp: CgroupId,
        flags: u32,
    ) -> CssRef {
        let id = CssId(st.next_css_id);
        st.next_css_id += 1;
        Arc::new(CgroupSubsysState::new(
            id,
            i,
            cgrp,
            self.profile.css_refcnt_base.value(),
            flags,
            self.css_pending.clone(),
        ))
    }

    /// The callback context for subsystem `i` about `cgrp`.
    pub(crate) fn ctx<'a>(
        &'a self,
        st: &'a CgroupState<T>,
        i: usize,
        cgrp: CgroupId,
    ) -> SubsysCtx<'a, T> {
        let c = st.cgroups.get(cgrp.0).expect("ctx for a live cgroup");
        let parent_css = c
            .parent
            .and_then(|p| st.cgroups.get(p.0))
            .and_then(|p| p.subsys[i].as_ref());
        SubsysCtx {
            tracer: &self.tracer,
            cpu: smp_processor_id(),
            subsys_id: i,
            cgrp,
            parent: c.parent,
            parent_css,
            root: c.root,
            has_children: !c.children.is_empty(),
            on_dfl: self.profile.has_cgroup2() && c.root.is_rootnode(),
            writer: None,
        }
    }

    /// Trace entry of subsystem `i`'s callback `cb` (`mem_cgroup_create`), if the subsystem
    /// declares it in [`CgroupSubsys::callbacks`] (a callback the kernel's struct leaves NULL
    /// gets no line; the trait's default method still runs and does nothing).
    pub(crate) fn trace_cb(&self, i: usize, cb: SubsysCallback) -> Option<trace::FuncGuard<'_, T>> {
        // 6.6 has no `populate` callback: files come from the cftypes (`css_populate_dir`).
        let gone = cb == SubsysCallback::Populate && self.profile.has_cgroup2();
        (self.cb_traced[i].contains(cb) && !gone).then(|| {
            trace::func(
                &*self.tracer,
                smp_processor_id(),
                self.cb_names[i][cb as usize],
            )
        })
    }

    /// The callback context for subsystem `i` about the cgroup of `css`, built from state that
    /// does not need `cgroup_mutex` (for fork and exit; the caller holds `css_set_lock`, which
    /// keeps `css`'s cgroup linked). The callbacks run after `css_set_lock` is dropped, so the
    /// parent css cannot be borrowed from it: it comes back owned, and the caller lends it to
    /// the context ([`SubsysCtx::parent_css`] is `None` until then). With it, equal to
    /// [`ctx`](Self::ctx) for the same cgroup.
    pub(crate) fn ctx_rcu<'a>(
        &'a self,
        cs: &CssSetState,
        i: usize,
        css: &CssRef,
    ) -> (SubsysCtx<'a, T>, Option<CssRef>) {
        let cgrp = css.cgroup();
        let c = cs.shared_of(cgrp);
        let cx = SubsysCtx {
            tracer: &*self.tracer,
            cpu: smp_processor_id(),
            subsys_id: i,
            cgrp,
            parent: c.parent,
            parent_css: None,
            root: c.root,
            has_children: c.has_children(),
            on_dfl: self.profile.has_cgroup2() && c.root.is_rootnode(),
            writer: None,
        };
        (cx, c.parent_css[i].clone())
    }

    /// A task's credentials (default if unknown); takes `css_set_lock` (read) itself, so the caller
    /// must not hold it (it may hold `cgroup_mutex`).
    pub(crate) fn task_cred_locked(&self, pid: Pid) -> Cred {
        // Lock order: [cgroup_mutex ->] css_set_lock (read).
        self.css_set_lock
            .read()
            .tasks
            .get(&pid)
            .map(|t| t.cred)
            .unwrap_or_default()
    }

    /// A task's `TaskRef` (`cs` is the `css_set_lock`-protected state).
    pub(crate) fn task_ref(cs: &CssSetState, pid: Pid) -> TaskRef {
        TaskRef {
            pid,
            cred: cs.tasks.get(&pid).map(|t| t.cred).unwrap_or_default(),
        }
    }
}

/// Intern `<prefix>_<suffix>` as a `&'static str` (bounded: one leak per distinct name).
fn intern(prefix: &str, suffix: &str) -> &'static str {
    static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let s = format!("{prefix}_{suffix}");
    let mut names = NAMES.lock();
    if let Some(n) = names.get(s.as_str()) {
        return n;
    }
    let leaked: &'static str = Box::leak(s.into_boxed_str());
    names.insert(leaked);
    leaked
}

#[cfg(all(test, debug_assertions))]
mod lockdep_tests {
    use super::*;
    use cgsim_ktypes::trace::Ftrace;

    /// `css_set_lock` nests inside `cgroup_mutex` (attach), never around it: the checker
    /// reports the inversion with both classes.
    #[test]
    #[should_panic(
        expected = "lock order inversion: taking cgroup_mutex while holding css_set_lock"
    )]
    fn cgroup_mutex_under_css_set_lock_is_caught() {
        let core = CgroupCore::with_defaults(Arc::new(Ftrace::new()));
        let _cs = core.css_set_read();
        let _st = core.lock();
    }

    /// The documented order passes and releases both records.
    #[test]
    fn css_set_lock_inside_cgroup_mutex_passes() {
        let core = CgroupCore::with_defaults(Arc::new(Ftrace::new()));
        {
            let _st = core.lock();
            let _cs = core.css_set_write();
        }
        assert!(cgsim_ktypes::lockdep::held().is_empty());
    }
}
