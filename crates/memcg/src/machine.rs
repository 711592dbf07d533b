//! The simulated machine: RAM, swap and CPUs, and the memory-side world the memcg controls.
//!
//! **Kernel:** the page allocator (`mm/page_alloc.c`), `mm/swap.c` pagevecs (`lru_cache_add`,
//! `____pagevec_lru_add`), `kernel/fork.c` `dup_mm`, `kernel/exit.c` `exit_mm`, and the memcg
//! tree's create/destroy (`mm/memcontrol.c` `try_get_mem_cgroup_from_mm`, `mem_cgroup_create`, `mem_cgroup_pre_destroy`, `mem_cgroup_force_empty`, v2.6.34; `mm/memory.c` `do_anonymous_page`, `do_wp_page`, v2.6.34; `mm/filemap.c` `add_to_page_cache_locked`, v2.6.34). Faults, mappings, the page cache and
//! shmem are in `fault.rs`; unmapping, exit and truncation in `teardown.rs`.
//!
//! [`MemoryMachine`] is the library API the syscall layer calls: tasks are named by [`Pid`],
//! memory by addresses, files by [`FileId`]. It owns every mm, page, page-cache entry, swap slot,
//! LRU list and memcg.
//!
//! **Locking:** the world sits behind a sharded reader-writer lock (`world`, crossbeam's
//! `ShardedLock`: one reader lock per host thread's shard, so readers on two CPUs share no lock
//! word; a writer takes every shard). Every operation takes the **write side**, which stands in
//! for `mmap_sem`, the page-table lock, `zone->lru_lock`, `zone->lock`, the page-cache lock and
//! `swap_lock` together, except the **fault fast path** (`fastpath.rs`: anonymous faults and
//! `MADV_DONTNEED` zaps that need no reclaim, OOM or event), which takes the read side and then
//! the fine-grained locks the kernel takes: the mm's mutex (`mmap_sem` + page-table lock), the
//! CPU's mutex (preemption off: its pagevec, stock, frame cache and statistics deltas), a
//! memcg's LRU mutex once per pagevec, and the global free list once per batch of frames.
//! Slow paths reach those through `get_mut`, and the write side first folds the CPUs'
//! statistics deltas and cached frames back in, so everything a slow path reads is exact.
//! Page records are relaxed atomics (`page.rs`); the counters are the counters crate's
//! (per-level spinlock or atomics), reached without any further lock.
//! Lock order: the host's lock (e.g. `Kernel::state`) -> `cgroup_mutex` (subsystem callbacks)
//! -> `world` -> mm -> CPU -> memcg LRU -> free list -> counter locks -> `Klog`. memcg never
//! calls back into the host or the cgroup core; what the host must act on (OOM kills,
//! wake-ups) is queued and collected with [`MemoryMachine::take_events`].
//! **Differences:** a machine with an event hook installed (the `Kernel` installs one for
//! `cgroup.event_control`) or with tracing on always takes the write side, so those faults
//! serialize; the thresholds layer counts events under its own lock.

use crate::counter_ext::MemCounter;
use crate::memcontrol::{MemCgroup, MemCounters, MemStat, MemcgId};
use crate::mm::{CacheSlot, FileId, Mm, Shm, SwapSlot, Task};
use crate::page::{self, LruVec, NO_MEMCG, PG_FREE, PG_LRU, PG_PAGEVEC, Page, PageFrame};
use crate::profile::MemcgProfile;
use arrayvec::ArrayVec;
use cgsim_counters::MemcgStock;
use cgsim_ktypes::klog::{Clock, Klog, Level};
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{Bytes, CpuId, Errno, PAGE_SHIFT, Pages, Pid};
use crossbeam_utils::CachePadded;
use crossbeam_utils::sync::{ShardedLock, ShardedLockWriteGuard};
use parking_lot::Mutex;
/// A spinning lock for the per-mm and per-CPU state the fast path takes on every call: one
/// locked instruction to take and a plain store to release (as `spin_lock` in the kernel), where
/// a parking mutex needs a second locked instruction to release. A waiter yields its host
/// thread between attempts: unlike the kernel's, the holder may be preempted.
pub(crate) type SpinLock<T> = spin::mutex::SpinMutex<T, spin::relax::Yield>;
use slab::Slab;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// `PAGEVEC_SIZE`: pages batched per CPU before they are added to the LRU lists.
pub const PAGEVEC_SIZE: usize = 14;

/// The simulated machine's size.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct MachineConfig {
    /// RAM in bytes (rounded down to pages).
    pub ram: Bytes,
    /// Swap in bytes (rounded down to pages); 0 = no swap.
    pub swap: Bytes,
    /// Number of simulated CPUs (`nr_cpu_ids`).
    pub nr_cpus: usize,
}

impl Default for MachineConfig {
    /// 1 GiB RAM, 256 MiB swap, 2 CPUs.
    fn default() -> Self {
        MachineConfig {
            ram: Bytes(1 << 30),
            swap: Bytes(256 << 20),
            nr_cpus: 2,
        }
    }
}

/// Why a page fault (or a file read/write) failed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FaultError {
    /// The faulting task was killed by the OOM killer (`SIGKILL`; its memory is already freed).
    /// The host must deliver the signal and run the rest of its exit path.
    OomKilled,
    /// `oom_kill_disable`: the task must sleep on the memcg OOM wait queue (a visible process
    /// state) until [`MemoryMachine::take_events`] reports it woken; then it retries the access.
    OomWait { memcg: MemcgId },
    /// An errno: `EFAULT` (no mapping; the kernel would send `SIGSEGV`), `ENOMEM` (charge failed
    /// without OOM), `ESRCH` (unknown task).
    Errno(Errno),
}

impl From<Errno> for FaultError {
    fn from(e: Errno) -> Self {
        FaultError::Errno(e)
    }
}

impl std::fmt::Display for FaultError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FaultError::OomKilled => f.write_str("killed by the memcg OOM killer"),
            FaultError::OomWait { memcg } => {
                write!(f, "waiting on the OOM wait queue of memcg {memcg}")
            }
            FaultError::Errno(e) => f.write_str(e.strerror()),
        }
    }
}

impl std::error::Error for FaultError {}

/// What happened that the host must act on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemEvents {
    /// Tasks the OOM killer chose (`SIGKILL` + `TIF_MEMDIE`); their mm is already torn down.
    pub killed: Vec<Pid>,
    /// Tasks woken from the memcg OOM wait queue (`memcg_oom_recover`); they retry their fault.
    pub woken: Vec<Pid>,
}

/// A hook for memory events (thresholds, OOM notification) that a later layer installs
/// (`crate::events::MemcgEvents` is the real one).
///
/// **Kernel:** `memcg_check_events` → `mem_cgroup_threshold` (2.6.34) and
/// `mem_cgroup_oom_notify` (2.6.35), `mm/memcontrol.c` `mem_cgroup_threshold`, `__mem_cgroup_threshold`, `mem_cgroup_oom_register_event`. Called with the world lock held; the
/// implementation must not call back into the machine, and reads what it needs through the
/// [`MemcgEventView`] it is handed.
///
/// The two provided methods `memcg_check_events` and `mem_cgroup_oom_notify` are what the
/// machine calls; their defaults forward to the simpler `page_event` and `oom`.
pub trait MemcgEventHook: Send + Sync {
    /// A page event (charge or uncharge) happened in `memcg`; `usage`/`memsw_usage` are the new
    /// values as `usage_in_bytes` would print them.
    fn page_event(&self, memcg: MemcgId, usage: Bytes, memsw_usage: Bytes) {
        let _ = (memcg, usage, memsw_usage);
    }

    /// `mem_cgroup_oom_notify(memcg)`: the task that took the OOM lock of `memcg`'s subtree.
    fn oom(&self, memcg: MemcgId) {
        let _ = memcg;
    }

    /// `memcg_check_events(memcg)`: one page event (a charge commit, an uncharge, or one side
    /// of a charge move) on `cpu`. The implementation keeps the event counter and decides
    /// whether the threshold check is due (`mm/memcontrol.c` `memcg_check_events`, v2.6.34).
    fn memcg_check_events(&self, view: &dyn MemcgEventView, cpu: CpuId, memcg: MemcgId) {
        let _ = cpu;
        if let (Some(u), Some(m)) = (view.usage(memcg, false), view.usage(memcg, true)) {
            self.page_event(memcg, u, m);
        }
    }

    /// `mem_cgroup_oom_notify(mem_over_limit)`: sent by the OOM-lock owner; `members` is the
    /// OOMing memcg's subtree in pre-order (itself alone without `use_hierarchy`), `mm/memcontrol.c` `mem_cgroup_oom_notify`, v2.6.35.
    fn mem_cgroup_oom_notify(&self, view: &dyn MemcgEventView, members: &[MemcgId]) {
        let _ = view;
        for &m in members {
            self.oom(m);
        }
    }

    /// The memcg was freed (after rmdir): forget anything kept for it.
    fn memcg_freed(&self, memcg: MemcgId) {
        let _ = memcg;
    }

    /// `vmpressure(gfp, memcg, scanned, reclaimed)` (3.10, `mm/vmpressure.c`): one reclaim pass
    /// against the reclaim target `memcg` scanned and reclaimed this many pages. Only called
    /// with the `vmpressure` switch on and `scanned > 0`.
    fn vmpressure(&self, view: &dyn MemcgEventView, memcg: MemcgId, scanned: u64, reclaimed: u64) {
        let _ = (view, memcg, scanned, reclaimed);
    }
}

/// What an event hook may read while the machine's world lock is held.
///
/// **Kernel:** the fields `mem_cgroup_threshold` and `mem_cgroup_oom_register_event` read under
/// their locks: `mem_cgroup_usage`, the hierarchical parent (`parent_mem_cgroup`, through the
/// res_counter parent link), `under_oom`, and the counter's parse rules for a threshold.
pub trait MemcgEventView {
    /// `mem_cgroup_usage(memcg, swap)`: what `usage_in_bytes` / `memsw.usage_in_bytes` print
    /// (the root's comes from statistics). `None` for a stale id.
    fn usage(&self, memcg: MemcgId, swap: bool) -> Option<Bytes>;
    /// The parent whose counters this memcg's charges also reach (its parent has
    /// `use_hierarchy`); `None` at the top of a hierarchy.
    fn hier_parent(&self, memcg: MemcgId) -> Option<MemcgId>;
    /// Whether `memory.oom_control` shows `under_oom 1`.
    fn under_oom(&self, memcg: MemcgId) -> bool;
    /// Whether the memsw counter exists (`memcg.swap_accounting`).
    fn swap_accounting(&self) -> bool;
    /// The `thresholds.*` switches of the running profile.
    fn profile(&self) -> &MemcgProfile;
    /// Parse a threshold with the memcg's counter rules (2.6.34: `memparse`, rounded up to a
    /// page, `-1` unlimited; page_counter: rounded down). EINVAL on garbage.
    fn parse_threshold(&self, memcg: MemcgId, buf: &str) -> Result<Bytes, Errno>;
}

impl<C: MemCounter> MemcgEventView for World<C> {
    fn usage(&self, memcg: MemcgId, swap: bool) -> Option<Bytes> {
        let s = self.slot_of(memcg)?;
        Some(self.usage_bytes(s, swap))
    }

    fn hier_parent(&self, memcg: MemcgId) -> Option<MemcgId> {
        let s = self.slot_of(memcg)?;
        let p = self.mc(s).parent?;
        self.mc(p).use_hierarchy.then(|| self.mc(p).id)
    }

    fn under_oom(&self, memcg: MemcgId) -> bool {
        self.slot_of(memcg)
            .is_some_and(|s| self.mc(s).under_oom > 0)
    }

    fn swap_accounting(&self) -> bool {
        self.profile.swap_accounting
    }

    fn profile(&self) -> &MemcgProfile {
        &self.profile
    }

    fn parse_threshold(&self, memcg: MemcgId, buf: &str) -> Result<Bytes, Errno> {
        let s = self.slot_of(memcg).ok_or(Errno::EINVAL)?;
        self.mc(s).counters.res.parse_limit(buf.as_bytes())
    }
}

/// The default hook: nothing registered.
pub struct NoEventHook;

impl MemcgEventHook for NoEventHook {}

/// Everything behind the machine lock.
pub(crate) struct World<C: MemCounter> {
    pub(crate) profile: MemcgProfile,
    pub(crate) cfg: MachineConfig,
    pub(crate) counter_profile: C::Profile,
    pub(crate) pages: Vec<PageFrame>,
    /// The buddy allocator's free frames (`zone->free_area` under `zone->lock`); the fast path
    /// takes and returns them in batches through each CPU's `pcp` list.
    pub(crate) free: Mutex<Vec<u32>>,
    pub(crate) memcgs: Vec<Option<MemCgroup<C>>>,
    pub(crate) free_slots: Vec<u16>,
    pub(crate) next_gen: u32,
    /// Pages charged to no memcg (2.6.25 force_empty, bypassed charges).
    pub(crate) orphan_lru: LruVec,
    /// Each CPU's private state (pagevec, stock, frame cache, statistics deltas).
    pub(crate) cpus: Box<[CachePadded<SpinLock<CpuState<C>>>]>,
    pub(crate) mms: Slab<CachePadded<SpinLock<Mm>>>,
    pub(crate) tasks: BTreeMap<Pid, Task>,
    pub(crate) page_cache: BTreeMap<(u32, u32), CacheSlot>,
    /// Reverse map of mapped shmem pages: pfn → (mm, vpn) mappings.
    pub(crate) shared_rmap: HashMap<u32, Vec<(u32, u64)>>,
    pub(crate) swap: Vec<SwapSlot>,
    pub(crate) swap_free: Vec<u32>,
    /// The swap area is on (`swapon`; at boot when the machine has swap).
    pub(crate) swap_on: bool,
    /// `SWP_WRITEOK`: reclaim may allocate slots (cleared while `swapoff` runs).
    pub(crate) swap_writeok: bool,
    /// `current->in_user_fault` (4.x): the charges being made are a task's own page faults.
    pub(crate) in_user_fault: bool,
    pub(crate) shms: BTreeMap<u32, Shm>,
    pub(crate) next_shm: u32,
    pub(crate) next_shmem_file: u32,
    pub(crate) events: MemEvents,
    /// `None` until a hook is installed, so the hot path skips computing usage.
    pub(crate) hook: Option<Arc<dyn MemcgEventHook>>,
    /// The machine's fault injection (`fail_page_alloc`), when the Kernel shared one.
    pub(crate) fault: Option<Arc<cgsim_ktypes::FaultInjection>>,
    /// Names for the OOM report (`None`: the report leaves out the lines that need them).
    pub(crate) namer: Option<Arc<dyn crate::oom::OomNamer>>,
    pub(crate) klog: Arc<Klog>,
    pub(crate) clock: Arc<Clock>,
    pub(crate) scratch: Vec<u32>,
    /// Tasks sleeping on a memcg OOM wait queue: (task, memcg, holds the OOM lock).
    pub(crate) oom_waiters: Vec<(Pid, u16, bool)>,
    /// Whether the last `select_bad_process` found a victim (or one still dying).
    pub(crate) last_oom_found: bool,
    /// The rate limit of the OOM report's header (`printk_ratelimit` / `oom_rs`).
    pub(crate) oom_ratelimit: crate::oom_report::RateLimit,
    /// Pages taken off inactive lists by reclaim since boot (`sc->nr_scanned` summed), for
    /// vmpressure.
    pub(crate) reclaim_scanned: u64,
    /// The memcg limit reclaim works for (`sc->target_mem_cgroup`), while
    /// `mem_cgroup_hierarchical_reclaim` walks its victims.
    pub(crate) reclaim_target: Option<u16>,
    /// The pending `can_attach` precharge (`mc`).
    pub(crate) mc: Option<crate::move_charge::MoveCharge>,
    /// Memcgs the fork callback named for children `fork_mm` has not created yet.
    pub(crate) pending_fork: BTreeMap<Pid, u16>,
    /// `current->memcg_batch` of the unmap in progress (`mm/memcontrol.c` `mem_cgroup_uncharge_start`, `mem_cgroup_uncharge_end`, v2.6.34).
    pub(crate) uncharge_batch: crate::charge::UnchargeBatch,
}

/// The memory side of the simulated kernel: one per boot.
///
/// Generic over the counter backend `C` (`SpinResCounter` for SEED, `PageCounter` for 3.19+) and
/// the tracer `T` (`NoTrace` compiles tracing away).
pub struct MemoryMachine<C: MemCounter, T: Tracer> {
    /// Read side: the fault fast path (one shard per host thread, so two CPUs faulting share
    /// no lock word); write side: every other operation (see the module docs).
    pub(crate) world: ShardedLock<World<C>>,
    pub(crate) tracer: Arc<T>,
}

/// What the memory subsystem stores as its css's private state: the memcg's id in the machine
/// (`mem_cgroup_from_cont`). It holds no reference to the machine, so the
/// machine → memcg → css → private chain is not a reference cycle.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct MemCgroupRef {
    pub id: MemcgId,
}

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// Boot a machine: all RAM free, all swap free, the root memcg (slot 0) created, and no
    /// tasks (register them with [`add_task`](Self::add_task)).
    pub fn new(
        profile: MemcgProfile,
        counter_profile: C::Profile,
        cfg: MachineConfig,
        tracer: Arc<T>,
        klog: Arc<Klog>,
        clock: Arc<Clock>,
    ) -> Arc<MemoryMachine<C, T>> {
        let nr_pages = (cfg.ram.0 >> PAGE_SHIFT) as usize;
        let nr_swap = (cfg.swap.0 >> PAGE_SHIFT) as usize;
        assert!(
            nr_pages < u32::MAX as usize,
            "RAM too large for u32 frame numbers"
        );
        let nr_cpus = cfg.nr_cpus.max(1);
        let stock_batch = Pages(profile.stock_pages.max(1));
        let mut w = World {
            profile,
            cfg: MachineConfig { nr_cpus, ..cfg },
            counter_profile,
            pages: (0..nr_pages).map(|_| PageFrame::new(Page::FREE)).collect(),
            free: Mutex::new((0..nr_pages as u32).rev().collect()),
            memcgs: Vec::new(),
            free_slots: Vec::new(),
            next_gen: 1,
            orphan_lru: LruVec::default(),
            cpus: (0..nr_cpus)
                .map(|_| CachePadded::new(SpinLock::new(CpuState::new(stock_batch))))
                .collect(),
            mms: Slab::new(),
            tasks: BTreeMap::new(),
            page_cache: BTreeMap::new(),
            shared_rmap: HashMap::new(),
            swap: vec![SwapSlot::FREE; nr_swap],
            swap_free: (0..nr_swap as u32).rev().collect(),
            swap_on: nr_swap > 0,
            swap_writeok: nr_swap > 0,
            in_user_fault: false,
            shms: BTreeMap::new(),
            next_shm: 0,
            next_shmem_file: FileId::SHMEM_BASE,
            events: MemEvents::default(),
            hook: None,
            fault: None,
            namer: None,
            klog,
            clock,
            scratch: Vec::new(),
            oom_waiters: Vec::new(),
            last_oom_found: false,
            oom_ratelimit: Default::default(),
            reclaim_scanned: 0,
            reclaim_target: None,
            mc: None,
            pending_fork: BTreeMap::new(),
            uncharge_batch: Default::default(),
        };
        let root = w.alloc_memcg(None).expect("root memcg");
        debug_assert_eq!(root, MemcgId::ROOT);
        Arc::new(MemoryMachine {
            world: ShardedLock::new(w),
            tracer,
        })
    }

    /// Take the world's write side (every operation but the fault fast path), folding the
    /// CPUs' statistics deltas and cached frames back in first.
    pub(crate) fn lock(&self) -> ShardedLockWriteGuard<'_, World<C>> {
        let mut w = self
            .world
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        w.fold_cpus();
        w
    }

    /// The profile this machine was booted with.
    pub fn profile(&self) -> MemcgProfile {
        self.lock().profile.clone()
    }

    /// The machine's size.
    pub fn config(&self) -> MachineConfig {
        self.lock().cfg
    }

    /// Install the event hook (thresholds, OOM notifications).
    pub fn set_event_hook(&self, hook: Arc<dyn MemcgEventHook>) {
        self.lock().hook = Some(hook);
    }

    /// Run `f` with the world lock held and a read-only view of the memcg tree: what the event
    /// layer's registration and unregistration use, so that no charge or OOM can happen in
    /// between (the kernel's `thresholds_lock` and `memcg_oom_lock`, `mm/memcontrol.c` `mem_cgroup_usage_register_event`, `mem_cgroup_oom_register_event`, v2.6.34–v2.6.35).
    /// Lock order: `world` -> the caller's locks. `f` must not call back into the machine.
    pub fn with_event_view<R>(&self, f: impl FnOnce(&dyn MemcgEventView) -> R) -> R {
        let w = self.lock();
        f(&*w)
    }

    /// Switch `thresholds.check` at run time (`mm/memcontrol.c` `memcg_check_events`, v2.6.34): `every_event` for deterministic
    /// exercises, `ratelimited_2_6_34` (SEED) or `ratelimited_3x`.
    pub fn set_thresholds_check(&self, mode: crate::profile::ThresholdCheck) {
        self.lock().profile.thresholds_check = mode;
    }

    /// Collect the OOM kills and wake-ups since the last call.
    pub fn take_events(&self) -> MemEvents {
        std::mem::take(&mut self.lock().events)
    }

    // ---- memcg tree (what the subsystem callbacks call) ----

    /// `mem_cgroup_create` (`mm/memcontrol.c`, v2.6.34): a child of `parent` inheriting `use_hierarchy`,
    /// swappiness and `oom_kill_disable`; hierarchical counters iff the parent has
    /// `use_hierarchy`. ENOMEM when every css id is taken; ENODEV for a stale parent.
    #[doc(alias = "mem_cgroup_create")]
    pub fn create_memcg(&self, parent: MemcgId) -> Result<MemcgId, Errno> {
        let _f = trace::func(&*self.tracer, CpuId(0), "mem_cgroup_create");
        self.mem_cgroup_create(parent)
    }

    /// The body of [`create_memcg`](Self::create_memcg) without its trace frame: the cgroup
    /// core traces the `create` callback itself (`cgroup_create` → `ss->create`), so the
    /// subsystem adapter calls this and the trace shows `mem_cgroup_create` once.
    pub(crate) fn mem_cgroup_create(&self, parent: MemcgId) -> Result<MemcgId, Errno> {
        let mut w = self.lock();
        let p = w.slot_of(parent).ok_or(Errno::ENODEV)?;
        w.alloc_memcg(Some(p))
    }

    /// `pre_destroy` + `destroy` for an rmdir: move every charge to the parent
    /// (`mem_cgroup_force_empty(mem, false)`, `mm/memcontrol.c` `mem_cgroup_pre_destroy`, v2.6.34) and free the memcg.
    /// EBUSY if tasks or children remain; EINVAL for the root.
    #[doc(alias = "mem_cgroup_pre_destroy")]
    pub fn remove_memcg(&self, id: MemcgId) -> Result<(), Errno> {
        self.pre_destroy(id)?;
        self.destroy(id)
    }

    /// `mem_cgroup_pre_destroy`: reparent every charge (pages and swap entries) to the parent.
    pub fn pre_destroy(&self, id: MemcgId) -> Result<(), Errno> {
        let _f = trace::func(&*self.tracer, CpuId(0), "mem_cgroup_pre_destroy");
        self.mem_cgroup_pre_destroy(id)
    }

    /// The body of [`pre_destroy`](Self::pre_destroy) without its frame (the core traces the
    /// callback). Its child is `mem_cgroup_force_empty(mem, false)`, as in 2.6.35.
    pub(crate) fn mem_cgroup_pre_destroy(&self, id: MemcgId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let s = w.slot_of(id).ok_or(Errno::ENODEV)?;
        let m = w.mc(s);
        if m.parent.is_none() {
            return Err(Errno::EINVAL);
        }
        if m.nr_tasks > 0 || !m.children.is_empty() {
            return Err(Errno::EBUSY);
        }
        let _g = trace::func(t, CpuId(0), "mem_cgroup_force_empty");
        w.force_empty_move_account(t, CpuId(0), s);
        Ok(())
    }

    /// `mem_cgroup_destroy`: free the memcg (after `pre_destroy` moved its charges away).
    pub fn destroy(&self, id: MemcgId) -> Result<(), Errno> {
        let _f = trace::func(&*self.tracer, CpuId(0), "mem_cgroup_destroy");
        self.mem_cgroup_destroy(id)
    }

    /// The body of [`destroy`](Self::destroy) without its frame (the core traces the callback).
    pub(crate) fn mem_cgroup_destroy(&self, id: MemcgId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let s = w.slot_of(id).ok_or(Errno::ENODEV)?;
        if w.mc(s).parent.is_none() {
            return Err(Errno::EINVAL);
        }
        // Anything charged after pre_destroy (a racing fault) is moved now as well.
        w.force_empty_move_account(t, CpuId(0), s);
        w.free_memcg(s);
        Ok(())
    }

    /// The memcg `pid` is charged to (its cgroup in the memory hierarchy; root if unknown).
    pub fn task_memcg(&self, pid: Pid) -> MemcgId {
        let w = self.lock();
        let s = w.tasks.get(&pid).map_or(0, |t| t.memcg);
        w.mc(s).id
    }

    /// The parent memcg, `None` for the root or a stale id.
    pub fn parent(&self, id: MemcgId) -> Option<MemcgId> {
        let w = self.lock();
        let s = w.slot_of(id)?;
        w.mc(s).parent.map(|p| w.mc(p).id)
    }

    /// CPU `cpu`'s charge stock (`memcg_stock_pcp`): the memcg it caches and the pre-charged
    /// pages left, `None` when empty (always with `memcg.stock_pages = 0`).
    pub fn cpu_stock(&self, cpu: CpuId) -> Option<(MemcgId, Pages)> {
        let mut w = self.lock();
        let c = cpu.index() % w.cpus.len();
        let st = &w.cpus[c].get_mut().stock;
        let cached = Arc::clone(st.cached()?);
        let nr = st.nr_pages();
        w.memcgs
            .iter()
            .flatten()
            .find(|m| Arc::ptr_eq(&m.counters, &cached))
            .map(|m| (m.id, nr))
    }

    /// Every live memcg, in slot (css id) order.
    pub fn memcgs(&self) -> Vec<MemcgId> {
        self.lock().memcgs.iter().flatten().map(|m| m.id).collect()
    }

    /// Whether `id` names a live memcg.
    pub fn exists(&self, id: MemcgId) -> bool {
        self.lock().slot_of(id).is_some()
    }

    /// Run `f` on the memcg (its counters, statistics, flags).
    pub fn with_memcg<R>(&self, id: MemcgId, f: impl FnOnce(&MemCgroup<C>) -> R) -> Option<R> {
        let w = self.lock();
        let s = w.slot_of(id)?;
        Some(f(w.mc(s)))
    }

    /// Store the embedded css of a memcg (`container_of`'s other direction).
    pub fn set_css(&self, id: MemcgId, css: Option<Arc<dyn std::any::Any + Send + Sync>>) {
        let mut w = self.lock();
        if let Some(s) = w.slot_of(id) {
            w.mc_mut(s).css = css;
        }
    }

    // ---- tasks ----

    /// Register a task that has no mm yet (init at boot, kernel threads): charged to `memcg`.
    pub fn add_task(&self, pid: Pid, comm: &str, memcg: MemcgId) -> Result<(), Errno> {
        let mut w = self.lock();
        let s = w.slot_of(memcg).ok_or(Errno::ENODEV)?;
        if w.tasks.contains_key(&pid) {
            return Err(Errno::EEXIST);
        }
        w.tasks.insert(
            pid,
            Task {
                memcg: s,
                mm: None,
                comm: comm.to_string(),
                oom_score_adj: 0,
                oom_adj: 0,
                uid: 0,
                privileged: true,
                parent: None,
                memdie: false,
                oom_wait: None,
                oom_origin: false,
            },
        );
        w.mc_mut(s).nr_tasks += 1;
        Ok(())
    }

    /// `exec`: give `pid` a fresh empty mm (dropping its old one) and a new `comm`.
    pub fn exec_mm(&self, pid: Pid, comm: &str, cpu: CpuId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        if !w.tasks.contains_key(&pid) {
            return Err(Errno::ESRCH);
        }
        w.drop_task_mm(t, cpu, pid);
        let mm = w.mms.insert(CachePadded::new(SpinLock::new(Mm::new(pid)))) as u32;
        let task = w.tasks.get_mut(&pid).expect("checked");
        task.mm = Some(mm);
        task.comm = comm.to_string();
        Ok(())
    }

    /// `fork` (`dup_mm`): `child` gets a copy of `parent`'s VMAs in the parent's memcg (the
    /// cgroup fork callback may already have set it) and inherits `oom_score_adj`.
    /// Private anonymous pages are shared copy-on-write (`copy_page_range`, see `rmap.rs`): no
    /// new charge until one side writes; shared mappings fault in from the page cache.
    #[doc(alias = "dup_mm")]
    pub fn fork_mm(&self, parent: Pid, child: Pid) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let p = w.tasks.get(&parent).cloned().ok_or(Errno::ESRCH)?;
        let pending = w.pending_fork.remove(&child);
        let memcg = match (w.tasks.get(&child), pending) {
            (_, Some(s)) if w.memcgs[s as usize].is_some() => s,
            (Some(c), _) => c.memcg,
            _ => p.memcg,
        };
        let mm = match p.mm {
            None => None,
            Some(pm) => {
                let (src_vmas, next_vpn) = {
                    let src = &w.mms[pm as usize].get_mut();
                    (src.vmas.clone(), src.next_vpn)
                };
                let mut nm = Mm::new(child);
                // VM_LOCKED is not inherited across fork.
                *nm.vmas = src_vmas
                    .iter()
                    .map(|(&s, &v)| (s, crate::mm::Vma { locked: false, ..v }))
                    .collect();
                nm.next_vpn = next_vpn;
                let id = w.mms.insert(CachePadded::new(SpinLock::new(nm))) as u32;
                w.copy_page_range(t, CpuId(0), pm, id);
                for (&start, vma) in src_vmas.iter() {
                    if let Some(shm) = vma.shm
                        && let Some(seg) = w.shms.get_mut(&shm)
                    {
                        seg.nattch += 1;
                    }
                    let _ = start;
                }
                Some(id)
            }
        };
        if let Some(old) = w.tasks.get(&child) {
            let old_memcg = old.memcg;
            w.mc_mut(old_memcg).nr_tasks -= 1;
        }
        w.tasks.insert(
            child,
            Task {
                memcg,
                mm,
                comm: p.comm.clone(),
                oom_score_adj: p.oom_score_adj,
                oom_adj: p.oom_adj,
                uid: p.uid,
                privileged: p.privileged,
                parent: Some(parent),
                memdie: false,
                oom_wait: None,
                oom_origin: false,
            },
        );
        w.mc_mut(memcg).nr_tasks += 1;
        Ok(())
    }

    /// `exit_mm` + the memcg exit: unmap everything (uncharging), leave any OOM wait queue, and
    /// forget the task. Idempotent for a task the OOM killer already tore down.
    #[doc(alias = "exit_mm")]
    pub fn exit_task(&self, pid: Pid, cpu: CpuId) {
        let t = &*self.tracer;
        let mut w = self.lock();
        if !w.tasks.contains_key(&pid) {
            return;
        }
        w.oom_wait_cancel(pid);
        w.drop_task_mm(t, cpu, pid);
        let task = w.tasks.remove(&pid).expect("checked");
        w.mc_mut(task.memcg).nr_tasks -= 1;
    }

    /// Set `/proc/<pid>/oom_score_adj` (−1000..=1000, else EINVAL).
    pub fn set_oom_score_adj(&self, pid: Pid, adj: i32) -> Result<(), Errno> {
        if !(-1000..=1000).contains(&adj) {
            return Err(Errno::EINVAL);
        }
        let mut w = self.lock();
        w.tasks.get_mut(&pid).ok_or(Errno::ESRCH)?.oom_score_adj = adj;
        Ok(())
    }

    /// Set `/proc/<pid>/oom_adj` as 2.6.35 stores it (−17..=15, else EINVAL).
    pub fn set_oom_adj(&self, pid: Pid, adj: i32) -> Result<(), Errno> {
        if !(-17..=15).contains(&adj) {
            return Err(Errno::EINVAL);
        }
        let mut w = self.lock();
        w.tasks.get_mut(&pid).ok_or(Errno::ESRCH)?.oom_adj = adj;
        Ok(())
    }

    /// A task's credentials changed (`commit_creds`): its uid for the OOM task dump, and
    /// whether it keeps the capabilities the 2.6.35 `badness()` discounts (root's).
    pub fn set_task_cred(&self, pid: Pid, uid: u32, privileged: bool) {
        let mut w = self.lock();
        if let Some(t) = w.tasks.get_mut(&pid) {
            t.uid = uid;
            t.privileged = privileged;
        }
    }

    /// `/proc/<pid>/oom_score` (`proc_oom_score`): the profile's badness as that file shows
    /// it. `None` for an unknown pid.
    pub fn oom_score(&self, pid: Pid) -> Option<u64> {
        let w = self.lock();
        w.tasks.get(&pid)?;
        Some(w.proc_oom_score(pid))
    }

    /// Install the names the OOM report prints (`cgroup_path`, the cpuset name).
    pub fn set_oom_namer(&self, namer: Arc<dyn crate::oom::OomNamer>) {
        self.lock().namer = Some(namer);
    }

    /// The memcg whose OOM wait queue `pid` sleeps on, if any.
    pub fn oom_waiting(&self, pid: Pid) -> Option<MemcgId> {
        let w = self.lock();
        let s = w.tasks.get(&pid)?.oom_wait?;
        Some(w.mc(s).id)
    }

    /// A SIGKILL reached a task sleeping on a memcg OOM queue: it leaves the queue (the host
    /// then runs its exit path).
    pub fn oom_wait_interrupt(&self, pid: Pid) {
        self.lock().oom_wait_cancel(pid);
    }

    /// Memory counts of a task's mm: (anon rss, file rss, swap entries, page-table pages,
    /// total_vm), in pages.
    pub fn task_mm_counts(&self, pid: Pid) -> Option<(u64, u64, u64, u64, u64)> {
        let w = self.lock();
        let mm = w.mms[w.tasks.get(&pid)?.mm? as usize].lock();
        Some((
            mm.anon_rss,
            mm.file_rss,
            mm.swap_ents,
            mm.nr_ptes(),
            mm.total_vm(),
        ))
    }

    /// Pages faulted in and pages zapped on the fault fast path since boot, summed over the
    /// CPUs (the rest went through the slow path; see `fastpath.rs` for when).
    pub fn fast_path_pages(&self) -> (u64, u64) {
        let mut w = self.lock();
        w.cpus.iter_mut().fold((0, 0), |(f, z), c| {
            let c = c.get_mut();
            (f + c.fast_faults, z + c.fast_zaps)
        })
    }

    /// `lru_add_drain_all`: flush every CPU's pagevec to the LRU lists.
    pub fn lru_add_drain_all(&self) {
        self.lock().lru_add_drain_all();
    }

    /// Free page frames (`nr_free_pages`).
    pub fn nr_free_pages(&self) -> u64 {
        self.lock().free.get_mut().len() as u64
    }

    /// Free swap slots (`nr_swap_pages`).
    pub fn nr_free_swap(&self) -> u64 {
        self.lock().swap_free.len() as u64
    }

    /// Pages reclaim has taken off the inactive lists since boot (`sc->nr_scanned` summed over
    /// every pass), for scan rates in the benchmarks.
    pub fn nr_reclaim_scanned(&self) -> u64 {
        self.lock().reclaim_scanned
    }
}

// ---- the world's internals shared by the other modules ----

impl<C: MemCounter> World<C> {
    /// Fold every CPU's statistics deltas and cached free frames back into the world.
    fn fold_cpus(&mut self) {
        for cpu in self.cpus.iter_mut() {
            let cs = cpu.get_mut();
            for s in cs.stat_dirty.drain(..) {
                let d = std::mem::take(&mut *cs.stat[s as usize]);
                if let Some(m) = self.memcgs[s as usize].as_mut() {
                    m.stat.rss += d.rss;
                    m.stat.pgpgin += d.pgpgin;
                    m.stat.pgpgout += d.pgpgout;
                }
            }
            self.free.get_mut().extend(cs.pcp.drain(..));
        }
    }

    pub(crate) fn mc(&self, s: u16) -> &MemCgroup<C> {
        self.memcgs[s as usize].as_ref().expect("memcg slot in use")
    }

    pub(crate) fn mc_mut(&mut self, s: u16) -> &mut MemCgroup<C> {
        self.memcgs[s as usize].as_mut().expect("memcg slot in use")
    }

    /// The slot of a live memcg id.
    pub(crate) fn slot_of(&self, id: MemcgId) -> Option<u16> {
        match self.memcgs.get(id.slot as usize) {
            Some(Some(m)) if m.id == id => Some(id.slot),
            _ => None,
        }
    }

    pub(crate) fn printk(&self, level: Level, text: String) {
        self.klog.printk(&self.clock, level, text);
    }

    fn alloc_memcg(&mut self, parent: Option<u16>) -> Result<MemcgId, Errno> {
        let slot = match self.free_slots.pop() {
            Some(s) => s,
            None => {
                if self.memcgs.len() >= NO_MEMCG as usize {
                    return Err(Errno::ENOMEM);
                }
                self.memcgs.push(None);
                (self.memcgs.len() - 1) as u16
            }
        };
        let generation = self.next_gen;
        self.next_gen = self.next_gen.wrapping_add(1).max(1);
        let id = MemcgId { slot, generation };
        let swap = self.profile.swap_accounting;
        let (counters, use_hierarchy, swappiness, oom_kill_disable) = match parent {
            None => (
                MemCounters {
                    res: Arc::new(C::new_root(self.counter_profile, slot as usize)),
                    memsw: swap.then(|| Arc::new(C::new_root(self.counter_profile, slot as usize))),
                },
                false,
                self.profile.vm_swappiness,
                false,
            ),
            Some(p) => {
                let pm = self.mc(p);
                let hier = pm.use_hierarchy;
                let res = if hier {
                    C::new_child(&pm.counters.res, slot as usize)
                } else {
                    C::new_root(self.counter_profile, slot as usize)
                };
                let memsw = pm.counters.memsw.as_ref().map(|pmsw| {
                    Arc::new(if hier {
                        C::new_child(pmsw, slot as usize)
                    } else {
                        C::new_root(self.counter_profile, slot as usize)
                    })
                });
                let swappiness = self.get_swappiness(p);
                (
                    MemCounters {
                        res: Arc::new(res),
                        memsw,
                    },
                    hier,
                    swappiness,
                    pm.oom_kill_disable,
                )
            }
        };
        self.memcgs[slot as usize] = Some(MemCgroup {
            id,
            parent,
            children: Vec::new(),
            counters: Arc::new(counters),
            lru: Mutex::new(LruVec::default()),
            stat: MemStat::default(),
            use_hierarchy,
            swappiness,
            move_charge_at_immigrate: 0,
            oom_kill_disable,
            under_oom: 0,
            oom_lock: false,
            oom_kill: 0,
            memsw_is_minimum: false,
            last_scanned_child: 0,
            nr_tasks: 0,
            css: None,
        });
        if let Some(p) = parent {
            self.mc_mut(p).children.push(slot);
        }
        Ok(id)
    }

    fn free_memcg(&mut self, s: u16) {
        // Drop any stock still caching this memcg.
        let counters = Arc::clone(&self.mc(s).counters);
        for cpu in self.cpus.iter_mut() {
            let st = &mut cpu.get_mut().stock;
            cgsim_counters::ChargeStock::drain_if(st, &mut |m: &MemCounters<C>| {
                std::ptr::eq(m, &*counters)
            });
        }
        let m = self.memcgs[s as usize].take().expect("live memcg");
        if let Some(p) = m.parent {
            self.mc_mut(p).children.retain(|&c| c != s);
        }
        self.free_slots.push(s);
        if let Some(hook) = &self.hook {
            hook.memcg_freed(m.id);
        }
    }

    /// `get_swappiness`: the root reads the global `vm_swappiness`.
    pub(crate) fn get_swappiness(&self, s: u16) -> u64 {
        let m = self.mc(s);
        if m.parent.is_none() {
            self.profile.vm_swappiness
        } else {
            m.swappiness
        }
    }

    pub(crate) fn task_mm(&self, pid: Pid) -> Result<u32, Errno> {
        self.tasks
            .get(&pid)
            .ok_or(Errno::ESRCH)?
            .mm
            .ok_or(Errno::ESRCH)
    }

    /// Whether reclaim may swap a page out now: a free slot in an area open for writing.
    pub(crate) fn swap_writable(&self) -> bool {
        self.swap_writeok && !self.swap_free.is_empty()
    }

    /// The memcg a slot's `swap_cgroup` entry names, if it still exists, else the root.
    pub(crate) fn swap_record_memcg(&self, slot: u32) -> u16 {
        match self.swap[slot as usize].memcg {
            m if m != NO_MEMCG && self.memcgs[m as usize].is_some() => m,
            _ => 0,
        }
    }

    /// The memcg a new charge for `mm` goes to: `mm->owner`'s (`mm/memcontrol.c` `try_get_mem_cgroup_from_mm`, v2.6.34).
    pub(crate) fn mm_memcg(&self, mm: u32) -> u16 {
        let owner = self.mms[mm as usize].lock().owner;
        self.tasks.get(&owner).map_or(0, |t| t.memcg)
    }

    // ---- page frames ----

    /// Allocate a frame, reclaiming globally when none is free (`__alloc_pages` slow path).
    /// `None` when global reclaim and the global OOM killer could not free one.
    pub(crate) fn alloc_page<T: Tracer>(&mut self, t: &T, cpu: CpuId, pid: Pid) -> Option<u32> {
        if let Some(p) = self.free.get_mut().pop() {
            return Some(p);
        }
        for _ in 0..MEM_GLOBAL_RETRIES {
            if self.shrink_global(t, cpu) > 0
                && let Some(p) = self.free.get_mut().pop()
            {
                return Some(p);
            }
        }
        // Global OOM: kill something and try once more.
        if self.global_oom(t, cpu, pid)
            && let Some(p) = self.free.get_mut().pop()
        {
            return Some(p);
        }
        None
    }

    /// `alloc_page` in a fault of `pid`: the global OOM killer may choose `pid` itself.
    pub(crate) fn alloc_user_page<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Pid,
    ) -> Result<u32, FaultError> {
        let pfn = self.alloc_page(t, cpu, pid);
        let alive = self.tasks.get(&pid).is_some_and(|t| !t.memdie);
        match (pfn, alive) {
            (Some(p), true) => Ok(p),
            (Some(p), false) => {
                self.free.get_mut().push(p);
                Err(FaultError::OomKilled)
            }
            (None, true) => Err(FaultError::Errno(Errno::ENOMEM)),
            (None, false) => Err(FaultError::OomKilled),
        }
    }

    pub(crate) fn free_page(&mut self, pfn: u32) {
        debug_assert!(!self.pages[pfn as usize].has(PG_FREE));
        self.pages[pfn as usize].store(Page::FREE);
        self.free.get_mut().push(pfn);
    }

    // ---- LRU and pagevecs ----

    /// `lru_cache_add`: queue a new page on this CPU's pagevec; a full pagevec is added to the
    /// LRU lists in one batch (`____pagevec_lru_add`).
    pub(crate) fn lru_cache_add(&mut self, cpu: CpuId, pfn: u32) {
        let c = cpu.index() % self.cpus.len();
        self.pages[pfn as usize].set(PG_PAGEVEC);
        self.pages[pfn as usize].set_pagevec_cpu(c as u16);
        let pv = &mut self.cpus[c].get_mut().pagevec;
        pv.push(pfn);
        if pv.len() >= PAGEVEC_SIZE {
            self.pagevec_lru_add(c);
        }
    }

    fn pagevec_lru_add(&mut self, c: usize) {
        let mut pv = std::mem::take(&mut self.cpus[c].get_mut().pagevec);
        for &pfn in &pv {
            self.pages[pfn as usize].clear(PG_PAGEVEC);
            self.lru_add(pfn);
        }
        pv.clear();
        self.cpus[c].get_mut().pagevec = pv;
    }

    /// `lru_add_drain_all`.
    pub(crate) fn lru_add_drain_all(&mut self) {
        for c in 0..self.cpus.len() {
            self.pagevec_lru_add(c);
        }
    }

    /// Put a page on the LRU list its flags and memcg name (`add_page_to_lru_list`).
    pub(crate) fn lru_add(&mut self, pfn: u32) {
        let pg = self.pages[pfn as usize].load();
        let l = pg.lru_list();
        let lru = match pg.memcg_slot() {
            Some(s) => self.memcgs[s as usize]
                .as_mut()
                .expect("live")
                .lru
                .get_mut(),
            None => &mut self.orphan_lru,
        };
        page::list_add(&self.pages, lru, l, pfn);
        self.pages[pfn as usize].set(PG_LRU);
    }

    /// Take a page off its LRU list or pagevec (`del_page_from_lru_list`).
    pub(crate) fn lru_del(&mut self, pfn: u32) {
        let pg = self.pages[pfn as usize].load();
        if pg.has(PG_LRU) {
            let l = pg.lru_list();
            let lru = match pg.memcg_slot() {
                Some(s) => self.memcgs[s as usize]
                    .as_mut()
                    .expect("live")
                    .lru
                    .get_mut(),
                None => &mut self.orphan_lru,
            };
            page::list_del(&self.pages, lru, l, pfn);
            self.pages[pfn as usize].clear(PG_LRU);
        } else if pg.has(PG_PAGEVEC) {
            let pv = &mut self.cpus[pg.pagevec_cpu as usize].get_mut().pagevec;
            if let Some(i) = pv.iter().position(|&p| p == pfn) {
                pv.remove(i);
            }
            self.pages[pfn as usize].clear(PG_PAGEVEC);
        }
    }

    /// Change a page's flags, moving it to the list they name (activate, deactivate, mlock).
    pub(crate) fn lru_move(&mut self, pfn: u32, set: u16, clear: u16) {
        let on_lru = self.pages[pfn as usize].has(PG_LRU);
        if on_lru {
            self.lru_del(pfn);
        }
        let pg = &self.pages[pfn as usize];
        pg.set(set);
        pg.clear(clear);
        if on_lru {
            self.lru_add(pfn);
        }
    }

    /// Whether charges to this memcg touch its counters (the root is skipped 2.6.32+).
    pub(crate) fn charges_counters(&self, s: u16) -> bool {
        self.profile.root_charged || self.mc(s).parent.is_some()
    }
}

/// Global reclaim rounds before the global OOM killer runs.
const MEM_GLOBAL_RETRIES: usize = 3;

/// One CPU's private state (`this_cpu` data): its pagevec, charge stock, cache of free frames
/// and statistics deltas.
///
/// **Kernel:** `lru_add_pvecs`, `memcg_stock`, the zone's per-CPU page lists (`pcp`), and
/// `mem_cgroup_stat_cpu` (2.6.34: per-CPU statistics summed when read).
/// **Locking:** the fault fast path holds its CPU's lock for a whole call, as the kernel runs
/// with preemption off; slow paths hold the world's write side and reach every CPU's state
/// through `get_mut`. Statistics deltas and cached frames are folded back into the world each
/// time the write side is taken, so slow paths read exact statistics and one free list.
///
/// The pagevec and the frame cache are arrays inside the (cache-padded) state and the deltas
/// are cache-padded: two CPUs' hot data never share a cache line.
pub(crate) struct CpuState<C: MemCounter> {
    pub(crate) pagevec: ArrayVec<u32, PAGEVEC_SIZE>,
    pub(crate) stock: MemcgStock<MemCounters<C>>,
    /// Free frames taken from the global list in batches of [`PCP_BATCH`], at most
    /// [`PCP_HIGH`] plus one batch.
    pub(crate) pcp: ArrayVec<u32, PCP_CAP>,
    /// Statistics deltas by memcg slot, and the slots that have one.
    pub(crate) stat: Vec<CachePadded<MemStatDelta>>,
    pub(crate) stat_dirty: Vec<u16>,
    /// Pages faulted in and zapped on the fast path by this CPU since boot.
    pub(crate) fast_faults: u64,
    pub(crate) fast_zaps: u64,
}

/// `pcp->batch`: frames moved between a CPU's cache and the global free list at once.
pub(crate) const PCP_BATCH: usize = 31;
/// `pcp->high` (6 × batch, as `zone_batchsize`/`setup_pagelist_highmark` give on a typical
/// zone): a CPU's cache gives a batch back only above this, so a CPU that frees and allocates
/// in bursts keeps reusing its own frames.
pub(crate) const PCP_HIGH: usize = 6 * PCP_BATCH;
/// Room in a CPU's frame cache.
pub(crate) const PCP_CAP: usize = PCP_HIGH + PCP_BATCH;

/// What the fast path changes in a memcg's statistics (`mem_cgroup_charge_statistics`).
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct MemStatDelta {
    pub(crate) rss: i64,
    pub(crate) pgpgin: u64,
    pub(crate) pgpgout: u64,
}

impl<C: MemCounter> CpuState<C> {
    fn new(stock_batch: Pages) -> Self {
        CpuState {
            pagevec: ArrayVec::new(),
            stock: MemcgStock::new(stock_batch),
            pcp: ArrayVec::new(),
            stat: Vec::new(),
            stat_dirty: Vec::new(),
            fast_faults: 0,
            fast_zaps: 0,
        }
    }

    /// This CPU's delta for memcg slot `s`.
    pub(crate) fn stat_mut(&mut self, s: u16) -> &mut MemStatDelta {
        let i = s as usize;
        if self.stat.len() <= i {
            self.stat
                .resize(i + 1, CachePadded::new(MemStatDelta::default()));
        }
        let d = &mut self.stat[i];
        if d.pgpgin == 0 && d.pgpgout == 0 && d.rss == 0 {
            self.stat_dirty.push(s);
        }
        &mut self.stat[i]
    }
}
