//! The subsystem interface: `struct cgroup_subsys` and its callbacks.
//!
//! **Kernel:** `include/linux/cgroup.h` `struct cgroup_subsys`, `include/linux/cgroup_subsys.h`
//! (the id table), 2.6.25 with 2.6.30 `pre_destroy` returning int and 2.6.34 `cancel_attach`
//! (`kernel/cgroup.c` `cgroup_init_subsys`, v2.6.34).
//!
//! A subsystem is a `Box<dyn CgroupSubsys<T>>` registered with
//! [`CgroupCore::new`](crate::CgroupCore::new) in id order: its index in that list is its
//! `subsys_id` and `1 << id` its bit in `subsys_bits`. [`default_subsystems`] gives the 2.6.25
//! table (cpuset 0, debug 1, ns 2, cpu 3, cpuacct 4, memory 5); a later layer replaces the memory
//! placeholder with the real `mem_cgroup` by building its own list.
//!
//! **Locking:** every callback except `fork`/`exit` runs with `cgroup_mutex` held, as in the
//! kernel (`bind` also with `css_set_lock` held for writing); `fork`/`exit` run with no core lock
//! held, as in the kernel (see the crate docs). A callback other than `fork`/`exit` must
//! therefore never call a [`CgroupCore`](crate::CgroupCore) method (that would self-deadlock on
//! the non-reentrant mutex); any callback may call
//! [`CgroupSubsysState::get`](crate::CgroupSubsysState::get)/`put`, which are atomics.

pub mod blk_cgroup;
mod blk_dfl;
pub mod cgroup_freezer;
pub mod cls_cgroup;
pub mod cpu;
pub mod cpu_bw;
mod cpu_dfl;
mod cpu_v1_bw;
pub mod cpuacct;
pub mod cpuset;
pub mod debug;
pub mod device_cgroup;
pub mod hugetlb_cgroup;
pub mod memory;
pub mod misc;
pub mod netprio_cgroup;
pub mod ns;
pub mod perf_event;
pub mod pids;
pub mod rdma;

use crate::cftype::Cftype;
use crate::cgroup::CgroupId;
use crate::css::CssRef;
use crate::root::RootId;
use cgsim_ktypes::{CpuId, Cred, Errno, Pid, Tracer};
use std::any::Any;
use std::sync::Arc;

/// One callback of `struct cgroup_subsys`, for tracing and for [`CgroupSubsys::callbacks`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubsysCallback {
    Create,
    PreDestroy,
    Destroy,
    CanAttach,
    CancelAttach,
    Attach,
    Fork,
    Exit,
    Populate,
    PostClone,
    Bind,
    /// `css_online` (3.6+): the css is live, after `css_alloc` (the 6.6 preset only).
    Online,
    /// `css_released` (4.1+): the css's last reference is gone (the 6.6 preset only).
    Released,
}

impl SubsysCallback {
    /// Every callback, in `struct cgroup_subsys` order.
    pub const ALL: [SubsysCallback; 13] = [
        SubsysCallback::Create,
        SubsysCallback::PreDestroy,
        SubsysCallback::Destroy,
        SubsysCallback::CanAttach,
        SubsysCallback::CancelAttach,
        SubsysCallback::Attach,
        SubsysCallback::Fork,
        SubsysCallback::Exit,
        SubsysCallback::Populate,
        SubsysCallback::PostClone,
        SubsysCallback::Bind,
        SubsysCallback::Online,
        SubsysCallback::Released,
    ];

    /// The field name in `struct cgroup_subsys` (`can_attach`).
    pub fn field_name(self) -> &'static str {
        match self {
            SubsysCallback::Create => "create",
            SubsysCallback::PreDestroy => "pre_destroy",
            SubsysCallback::Destroy => "destroy",
            SubsysCallback::CanAttach => "can_attach",
            SubsysCallback::CancelAttach => "cancel_attach",
            SubsysCallback::Attach => "attach",
            SubsysCallback::Fork => "fork",
            SubsysCallback::Exit => "exit",
            SubsysCallback::Populate => "populate",
            SubsysCallback::PostClone => "post_clone",
            SubsysCallback::Bind => "bind",
            SubsysCallback::Online => "css_online",
            SubsysCallback::Released => "css_released",
        }
    }

    /// The field name in 6.6's `struct cgroup_subsys`, where `create`, `pre_destroy` and
    /// `destroy` became `css_alloc`, `css_offline` and `css_free` (3.6–3.9), and traces of the
    /// 6.6 preset print `<prefix>_css_alloc`.
    pub fn field_name_v6(self) -> &'static str {
        match self {
            SubsysCallback::Create => "css_alloc",
            SubsysCallback::PreDestroy => "css_offline",
            SubsysCallback::Destroy => "css_free",
            other => other.field_name(),
        }
    }

    /// The bit of this callback in a [`CallbackSet`].
    pub const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// Which callbacks a subsystem provides (the non-NULL function pointers of its
/// `struct cgroup_subsys`). Only provided callbacks are traced and, for `fork`/`exit`, counted in
/// `need_forkexit_callback`; whether a callback runs is decided by the trait (its default methods
/// do nothing), never by this set.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct CallbackSet(pub u32);

impl CallbackSet {
    /// `create` and `destroy`, the two mandatory callbacks.
    pub const MANDATORY: CallbackSet =
        CallbackSet(SubsysCallback::Create.bit() | SubsysCallback::Destroy.bit());

    /// Every callback.
    pub const ALL: CallbackSet = CallbackSet((1 << 13) - 1);

    /// This set plus `cb`.
    pub const fn with(self, cb: SubsysCallback) -> CallbackSet {
        CallbackSet(self.0 | cb.bit())
    }

    pub fn contains(self, cb: SubsysCallback) -> bool {
        self.0 & cb.bit() != 0
    }
}

/// The task a callback is about (the cgroup-relevant part of `struct task_struct`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TaskRef {
    pub pid: Pid,
    pub cred: Cred,
}

/// What a callback may look at: the tracer, the CPU, and a read-only view of the cgroup it is
/// about. Built by the core under `cgroup_mutex` (for `fork`/`exit`: under `css_set_lock`, from
/// the cgroups' lock-free part, with the same values).
pub struct SubsysCtx<'a, T: Tracer> {
    /// The tracer, so a subsystem can trace its own internals under its callback's entry.
    pub tracer: &'a T,
    /// The CPU the operation runs on: `smp_processor_id()` of the task that wrote the control
    /// file, made the directory, moved the task, forked or exited (its `task_cpu`, entered by the
    /// Kernel with `cgsim_ktypes::percpu::run_on`); the boot CPU during `cgroup_init` and for
    /// users of the core alone. Per-CPU state a callback touches (memcg's charge stock and
    /// pagevecs) is this CPU's, as in the kernel.
    pub cpu: CpuId,
    /// This subsystem's id.
    pub subsys_id: usize,
    /// The cgroup the callback is about (the new top cgroup or dummytop for `bind`; for
    /// `fork`/`exit` the task's cgroup in the subsystem's hierarchy).
    pub cgrp: CgroupId,
    /// Its parent (`None` for a top cgroup and dummytop).
    pub parent: Option<CgroupId>,
    /// The parent's css of this subsystem (`cgrp->parent->subsys[id]`), if any: borrowed from
    /// the core's state, so building a context costs no reference-count traffic.
    pub parent_css: Option<&'a CssRef>,
    /// The hierarchy of `cgrp` ([`RootId::ROOTNODE`] for dummytop).
    pub root: RootId,
    /// Whether `cgrp` has child cgroups.
    pub has_children: bool,
    /// `cgroup_on_dfl(cgrp)`: `cgrp` is on the default hierarchy (`cgroup2`, only with
    /// `core.cgroup2` on; `kernel/cgroup/cgroup.c` `cgroup_on_dfl`, v6.6). A subsystem's
    /// `populate` then adds its `dfl_cftypes` (v2 names, with `CFTYPE_NOT_ON_ROOT` /
    /// `CFTYPE_ONLY_ON_ROOT` in [`Cftype::flags`]) instead of its `legacy_cftypes`.
    pub on_dfl: bool,
    /// For `can_attach`, `cancel_attach` and `attach`: the task that wrote the pid to `tasks`
    /// (`current` in the kernel's callback), with its credentials, so a subsystem can check
    /// `current != task` and `capable()` as `devcgroup_can_attach` does. `None` for every
    /// other callback and for moves no task asked for ([`crate::CgroupCore::attach_task`]).
    pub writer: Option<TaskRef>,
}

impl<T: Tracer> SubsysCtx<'_, T> {
    /// `cgroup_on_dfl(cgrp)` (`kernel/cgroup/cgroup.c`, v6.6).
    pub fn cgroup_on_dfl(&self) -> bool {
        self.on_dfl
    }

    /// Whether `cgrp` is the top cgroup of its hierarchy (`!cgroup_parent(cgrp)`), the test
    /// behind `CFTYPE_ONLY_ON_ROOT` and `CFTYPE_NOT_ON_ROOT`.
    pub fn is_root(&self) -> bool {
        self.parent.is_none()
    }
}

/// Control files a subsystem's `populate` adds (`cgroup_add_file`/`cgroup_add_files`).
pub struct PopulateDir<T: Tracer> {
    pub(crate) files: Vec<Arc<Cftype<T>>>,
}

impl<T: Tracer> PopulateDir<T> {
    /// `cgroup_add_file`: add one control file (name without the `<subsys>.` prefix; the core
    /// adds it unless the hierarchy is `noprefix`).
    #[doc(alias = "cgroup_add_file")]
    pub fn add_file(&mut self, cft: Cftype<T>) -> Result<(), Errno> {
        if cft.name.is_empty() || cft.name.len() >= crate::MAX_CFTYPE_NAME {
            return Err(Errno::EINVAL);
        }
        self.files.push(Arc::new(cft));
        Ok(())
    }

    /// `cgroup_add_files`: add several, stopping at the first error.
    #[doc(alias = "cgroup_add_files")]
    pub fn add_files(&mut self, cfts: impl IntoIterator<Item = Cftype<T>>) -> Result<(), Errno> {
        for cft in cfts {
            self.add_file(cft)?;
        }
        Ok(())
    }
}

/// `struct cgroup_subsys`: a resource controller plugged into the core.
///
/// **Kernel:** `include/linux/cgroup.h` 2.6.25–2.6.34 (`struct cgroup_subsys`).
/// **Differences:** a callback gets the css of its subsystem in the cgroup (from which
/// [`CgroupSubsysState::private`](crate::CgroupSubsysState::private) reaches the subsystem's state,
/// `container_of`) instead of the `struct cgroup *`; `create` returns the subsystem's state object
/// instead of a css pointer, because the core allocates the css (see `css.rs`).
/// Callback order (`kernel/cgroup.c` `rebind_subsystems`, `cgroup_create`, `cgroup_attach_task`, v2.6.34): `create`, `populate`, `pre_destroy`, `destroy`, `can_attach`,
/// `cancel_attach`, `attach` in the hierarchy's `subsys_list` order (descending id); `fork`/`exit`
/// over all subsystems in ascending id; `bind` in ascending id inside `rebind_subsystems`.
pub trait CgroupSubsys<T: Tracer>: Send + Sync + 'static {
    /// `ss->name`: the mount option and file prefix (`memory`).
    fn name(&self) -> &'static str;

    /// The name on the default hierarchy (`ss->name` of 6.6), when it differs from the v1
    /// name [`name`](Self::name) (`ss->legacy_name`): `io` for `blkio`. `cgroup.controllers`,
    /// `cgroup.subtree_control` and the v2 file prefix use it. Defaults to `name()`.
    fn dfl_name(&self) -> &'static str {
        self.name()
    }

    /// The prefix of the kernel's function names for this subsystem's callbacks, so traces print
    /// `mem_cgroup_create` or `cpu_cgroup_attach`. Defaults to [`name`](Self::name).
    fn symbol_prefix(&self) -> &'static str {
        self.name()
    }

    /// The kernel function behind callback `cb`, as traces print it, when it is not
    /// `<symbol_prefix>_<field>` (the memory subsystem's `attach` is `mem_cgroup_move_task`).
    /// `None` (the default) keeps the composed name.
    fn callback_symbol(&self, cb: SubsysCallback) -> Option<&'static str> {
        let _ = cb;
        None
    }

    /// Which callbacks the kernel's `struct cgroup_subsys` of this subsystem provides (its
    /// non-NULL pointers), for traces only: those get a `<prefix>_<callback>` trace line and
    /// `fork`/`exit` set `need_forkexit_callback` in snapshots. The core calls every callback
    /// method whatever this says: the trait's default methods do nothing, so overriding a
    /// method is all it takes to be called. Defaults to [`CallbackSet::MANDATORY`].
    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY
    }

    /// Whether the subsystem has `dfl_cftypes`, i.e. can be enabled on the default hierarchy
    /// (6.6 `cgroup_init`: a subsystem without them joins `cgrp_dfl_inhibit_ss_mask`, is never
    /// listed in `cgroup.controllers` and cannot be written to `cgroup.subtree_control`).
    /// Defaults to `true`; the v1-only subsystems (`debug` without `cgroup_debug`, `cpuacct`,
    /// `ns`) say `false`.
    fn on_dfl(&self) -> bool {
        true
    }

    /// `ss->threaded` (6.6): the controller may be enabled in a threaded subtree and is exempt
    /// from the no-internal-process rule (`cgrp_dfl_threaded_ss_mask`: cpuset, cpu, perf_event,
    /// pids). Defaults to `false`.
    fn threaded(&self) -> bool {
        false
    }

    /// `ss->early_init` (initialised in `cgroup_init_early`, before the others).
    fn early_init(&self) -> bool {
        false
    }

    /// `create(ss, cgrp)`: make this subsystem's state for a new cgroup (or dummytop at boot, when
    /// `css.is_root()`). The returned object is stored as the css's `private` state.
    /// An error makes mkdir fail with it (boot-time failure is a simulator bug → panic).
    /// Defaults to a css with no state of its own (a controller without per-cgroup data, or
    /// whose data lives elsewhere, as the memory placeholder's).
    fn create(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        Ok(Arc::new(()))
    }

    /// `pre_destroy(ss, cgrp)` (2.6.30+: may refuse the rmdir with an errno).
    fn pre_destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) -> Result<(), Errno> {
        Ok(())
    }

    /// `destroy(ss, cgrp)`: free the state; the core clears `css.private` afterwards.
    /// Defaults to nothing (the default `create` made no state).
    fn destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    /// 6.6 (`core.cgroup2`): whether the subsystem's own objects still hold `css` after
    /// `css_offline`, so that it stays dying (`css_released` and `css_free` wait).
    ///
    /// **Kernel:** such holders take css references (`css_get`/`css_put`): memcg takes one per
    /// charged folio (`mm/memcontrol.c` `charge_memcg`, `uncharge_batch`, v6.6).
    /// **Differences:** a subsystem that would take and drop a reference on a hot path (per
    /// page) answers this question instead, lazily: the core asks it when it offlines the css
    /// and, while the css is dying, at each of its entries ([`CgroupCore`](crate::CgroupCore)'s
    /// `reap_dying`), which is where it would have noticed the last `css_put` anyway. The
    /// answer must not depend on the core (the subsystem's own lock only).
    fn css_pinned(&self, _css: &CssRef) -> bool {
        false
    }

    /// `can_attach(ss, cgrp, task)`: may refuse moving `task` into `css`'s cgroup.
    fn can_attach(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        _task: TaskRef,
    ) -> Result<(), Errno> {
        Ok(())
    }

    /// `cancel_attach(ss, cgrp, task)` (2.6.34): undo a successful `can_attach` after a later one
    /// failed.
    fn cancel_attach(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef, _task: TaskRef) {}

    /// `attach(ss, cgrp, old_cgrp, task)`: `task` has moved from `old_css`'s cgroup to `css`'s.
    fn attach(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef, _old_css: &CssRef, _task: TaskRef) {}

    /// `fork(ss, task)`: a child was created (before it is on the task list); `css` is the child's
    /// css of this subsystem.
    fn fork(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef, _task: TaskRef) {}

    /// `exit(ss, task)`: the task is exiting; `css` is its css of this subsystem.
    fn exit(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef, _task: TaskRef) {}

    /// `can_fork(task, cset)` (4.3+, `kernel/cgroup/cgroup.c` `cgroup_can_fork`, v6.6): may
    /// refuse creating `task` (a process or a thread) in `css`, the css of the css_set the
    /// child joins (its parent's). Called in ascending id before the child exists; an error
    /// fails the fork with that errno after `cancel_fork` of the subsystems that agreed.
    ///
    /// **Locking:** called with `css_set_lock` held (standing in for the kernel's
    /// `cgroup_threadgroup_rwsem`, which keeps the parent from migrating meanwhile): the
    /// callback must only touch its own state.
    fn can_fork(&self, _css: &CssRef, _task: TaskRef) -> Result<(), Errno> {
        Ok(())
    }

    /// `cancel_fork(task, cset)`: undo a successful `can_fork` after a later one failed.
    /// Same locking as [`can_fork`](Self::can_fork).
    fn cancel_fork(&self, _css: &CssRef, _task: TaskRef) {}

    /// `release(task)` (`cgroup_release` from `release_task`, v6.6; 4.19's `free` from
    /// `__put_task_struct`): the zombie `task` was reaped. Called with `cgroup_mutex` and
    /// `css_set_lock` held: the callback must only touch its own state.
    fn release(&self, _task: Pid) {}

    /// `populate(ss, cgrp)`: add control files with `dir.add_file`. An error stops the population
    /// of the remaining subsystems but mkdir still succeeds ("half-filled directory").
    fn populate(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        _dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        Ok(())
    }

    /// `post_clone(ss, cgrp)` (only from `cgroup_clone`, which this model does not run).
    fn post_clone(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    /// `css_online(css)` (3.6+, called by the 6.6 preset only): the css was allocated and is
    /// about to become visible (`online_css`).
    fn online(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    /// `css_released(css)` (4.1+, called by the 6.6 preset only): the css's last reference was
    /// dropped after it went offline; `destroy` (`css_free`) follows.
    fn released(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    /// `bind(ss, root_cgrp)`: the subsystem moved to the hierarchy of `cx.cgrp` (its new top
    /// cgroup, or dummytop when unbound); `css` is its root css.
    fn bind(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}
}

/// The 2.6.25 subsystem table with everything configured: cpuset 0, debug 1, ns 2, cpu 3,
/// cpuacct 4, memory 5 (`include/linux/cgroup_subsys.h`, v2.6.25). Memory is a placeholder that only creates a css.
pub fn default_subsystems<T: Tracer>() -> Vec<Box<dyn CgroupSubsys<T>>> {
    vec![
        Box::new(self::cpuset::Cpuset::default()),
        Box::new(self::debug::Debug),
        Box::new(self::ns::Ns),
        Box::new(self::cpu::CpuCgroup::default()),
        Box::new(self::cpuacct::Cpuacct::default()),
        Box::new(self::memory::MemoryPlaceholder),
    ]
}

/// The v1 controllers after `mem_cgroup` in `include/linux/cgroup_subsys.h` that a kernel of
/// `version` (`(major, minor, sublevel)`) has, in that file's order: `devices` (2.6.26+,
/// `security/device_cgroup.c`), `freezer` (2.6.28+, `kernel/cgroup_freezer.c`), `net_cls`
/// (2.6.29+, `net/sched/cls_cgroup.c`), `blkio` (2.6.33+, `block/blk-cgroup.c`), each with
/// that version's files (see each module). `frozen` is the frozen-task set the freezer shares
/// with the scheduler; `devices` is the preset's `devices.model`.
///
/// The Kernel puts the table in each preset's `cgroup_subsys.h` order afterwards
/// (`cgsim_cgroupfs::KernelVersion::cgroup_subsys`: 4.19 and 6.6 list `io`, shown as `blkio`
/// on v1, before `memory`), and adds `pids` (4.3+, [`pids`]).
pub fn v1_controllers<T: Tracer>(
    version: (u32, u32, u32),
    frozen: Arc<self::cgroup_freezer::FrozenTasks>,
    devices: crate::DevicesModel,
) -> Vec<Box<dyn CgroupSubsys<T>>> {
    use self::blk_cgroup::{Blkio, BlkioVersion};
    let mut v: Vec<Box<dyn CgroupSubsys<T>>> = Vec::new();
    if version >= (2, 6, 26) {
        v.push(Box::new(self::device_cgroup::Devices::new(devices)));
    }
    if version >= (2, 6, 28) {
        v.push(Box::new(self::cgroup_freezer::CgroupFreezer::new(
            frozen,
            version >= (3, 10, 0),
        )));
    }
    if version >= (2, 6, 29) {
        v.push(Box::new(self::cls_cgroup::NetCls));
    }
    if version >= (2, 6, 33) {
        let bv = if version >= (6, 0, 0) {
            BlkioVersion::V6_6
        } else if version >= (4, 0, 0) {
            BlkioVersion::V4_19
        } else if version >= (3, 0, 0) {
            BlkioVersion::V3_10
        } else {
            BlkioVersion::V2_6_35
        };
        let disks = self::blk_cgroup::machine_disks(version);
        v.push(Box::new(Blkio::new(bv, disks)));
    }
    v.extend(later_controllers(version));
    v
}

/// The controllers after `net_cls` in `include/linux/cgroup_subsys.h` that this model has,
/// for a kernel of `version`, in that file's order, with a distribution's configuration
/// (Ubuntu's and Debian's: `CONFIG_CGROUP_PERF`, `CONFIG_CGROUP_NET_PRIO`,
/// `CONFIG_CGROUP_HUGETLB`, `CONFIG_CGROUP_RDMA`, `CONFIG_CGROUP_MISC` all `y`):
/// `perf_event` (2.6.39), `net_prio` (3.3), `hugetlb` (3.6), `rdma` (4.11), `misc` (5.13).
/// The presets that have them: 6.6 only (the 3.10, 3.19 and 4.19 presets keep their
/// 2.6.35 set, see `docs/subsystems.md`). `pids` (4.3) belongs between `hugetlb` and `rdma`.
fn later_controllers<T: Tracer>(version: (u32, u32, u32)) -> Vec<Box<dyn CgroupSubsys<T>>> {
    let mut v: Vec<Box<dyn CgroupSubsys<T>>> = Vec::new();
    if version < (6, 0, 0) {
        return v;
    }
    v.push(Box::new(self::perf_event::PerfEvent));
    v.push(Box::new(self::netprio_cgroup::NetPrio::default()));
    v.push(Box::new(self::hugetlb_cgroup::Hugetlb::new(version)));
    v.push(Box::new(self::rdma::Rdma));
    v.push(Box::new(self::misc::Misc));
    v
}
