//! The simulated machine: RAM, swap and CPUs, and the memory-side world the memcg controls.
//!
//! **Kernel:** the machine as a whole has no single kernel file; its parts follow theirs:
//! the page allocator in `page_alloc.rs` (`mm/page_alloc.c`), pagevecs and LRU adds in
//! `swap.rs` (`mm/swap.c`), per-CPU state in `percpu.rs`, `fork`/`exec` of an mm in `fork.rs`
//! (`kernel/fork.c`, `fs/exec.c`), `exit_mm` in `exit.rs` (`kernel/exit.c`), the memcg table's
//! create/destroy in `memcontrol.rs` (`mm/memcontrol.c` `mem_cgroup_create`,
//! `mem_cgroup_pre_destroy`, v2.6.34), the event hook in `events/hook.rs`. This file holds the
//! `World` the others share and the [`MemoryMachine`] that locks it, with the charge target of
//! an mm (`mm/memcontrol.c` `try_get_mem_cgroup_from_mm`, v2.6.34). Faults, mappings, the page
//! cache and shmem are in `fault.rs`; unmapping and truncation in `teardown.rs`.
//!
//! [`MemoryMachine`] is the library API the syscall layer calls: tasks are named by [`Pid`],
//! memory by addresses, files by [`FileId`]. It owns every mm, page, page-cache entry, swap slot,
//! LRU list and memcg.
//!
//! **Locking:** the world sits behind a lock with one shard per simulated CPU (`world`,
//! `sharded_lock.rs`: crossbeam's `ShardedLock` protocol in safe Rust, a spin lock per shard, or
//! loom's mutex under `cgsim_loom`). Each shard holds the world's `Arc` and that CPU's
//! `CpuState` (pagevec, charge stock, frame cache, statistics deltas), so one lock round is both
//! the world's read side and the CPU's exclusion. The simulator's locks and the kernel locks
//! (2.6.34 unless a 6.6 path says otherwise) they stand for:
//! - a **CPU's shard** (the fault fast path, `fastpath.rs`: anonymous faults and `MADV_DONTNEED`
//!   zaps that need no reclaim, OOM or event): preemption off on that CPU (`get_cpu_var` of
//!   `lru_add_pvecs`, `memcg_stock`, `mem_cgroup_stat_cpu`, the zone's `pcp`), with the world's
//!   layout held still as RCU (`rcu_read_lock` around `mem_cgroup_from_task`) and `mmap_sem` for
//!   read keep it for a fault; the task comes from the caller's handle (`current.rs`), checked
//!   against the task table's generation under this shard, since only the write side changes a
//!   task;
//! - the **write side**, every shard in CPU order, taken by every other operation: `mmap_sem`
//!   for write, the page-table lock, `zone->lru_lock`, `zone->lock`, the page-cache lock,
//!   `swap_lock` and the memcg's own mutexes together, and every CPU's data at once (the CPU
//!   states move into `World::cpus` for the hold: `lru_add_drain_all`, `drain_all_stock`, the
//!   statistics sums). On taking it, [`MemoryMachine::lock`] folds the CPUs' statistics deltas
//!   and cached frames back in, so everything a slow path reads is exact; on releasing it, the
//!   world refreshes `fast_path_allowed`, the one word a fast call tests for the machine-wide
//!   conditions;
//! - an **mm's spin lock** (`mms`, taken by the fast path; slow paths use `get_mut`): that mm's
//!   `mmap_sem` for read and its page-table lock (`pte_offset_map_lock`), needed once two tasks
//!   share the mm (a thread group) on two CPUs;
//! - a **memcg's LRU mutex**, once per pagevec or per `SWAP_CLUSTER_MAX` freed pages:
//!   `zone->lru_lock` (`____pagevec_lru_add`, `release_pages`);
//! - the **free list's mutex**, once per batch of frames: `zone->lock` (`rmqueue_bulk`,
//!   `free_pcppages_bulk`);
//! - the counters' own per-level spin locks or atomics (the counters crate): `res_counter`'s
//!   `spin_lock` (2.6.25–3.18) or `page_counter`'s atomics (3.19+).
//!
//! Page records are relaxed atomics (`page.rs`). Lock order: the host's lock (e.g.
//! `Kernel::state`) -> `cgroup_mutex` (subsystem callbacks) -> `world` (one CPU's shard, or
//! every shard in CPU order) -> mm -> memcg LRU -> free list -> counter locks -> `Klog`. memcg
//! never calls back into the host or the cgroup core; what the host must act on (OOM kills,
//! wake-ups) is queued and collected with [`MemoryMachine::take_events`].
//! **Differences:** while a threshold is registered (the event hook is armed for page events)
//! or tracing is on, every fault takes the write side, so those faults serialize; the kernel
//! counts page events per CPU and checks thresholds without a global lock. The event count
//! itself is the memcg's `pgpgin + pgpgout`, kept whether or not the hook is armed.

use crate::counter_ext::MemCounter;
pub use crate::events::hook::{MemcgEventHook, MemcgEventView, NoEventHook};
use crate::memcontrol::MemcgSlot;
use crate::memcontrol::{MemcgId, MemcgTable};
use crate::mm::{CacheSlot, FileId, Mm, MmId, Shm, SwapSlot, TaskTable};
use crate::page::{LruVec, Page, PageFrame, Pfn};
use crate::page_alloc::Zone;
pub(crate) use crate::percpu::{CpuState, SpinLock};
use crate::profile::{ChargeAlgo, MemcgProfile};
use crate::sharded_lock::{MAX_SHARDS, Sharded, ShardedLock, ShardedLockWriteGuard};
pub use crate::swap::PAGEVEC_SIZE;
use crate::swapfile::SwapInfo;
use cgsim_ktypes::klog::{Clock, Klog, Level};
use cgsim_ktypes::lockdep::{LockClass, Tracked};
use cgsim_ktypes::trace::Tracer;
use cgsim_ktypes::{Bytes, Errno, PAGE_SHIFT, Pages, Pid};
use crossbeam_utils::CachePadded;
use parking_lot::Mutex;
use slab::Slab;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

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

/// Everything behind the machine lock.
pub(crate) struct World<C: MemCounter> {
    pub(crate) profile: MemcgProfile,
    pub(crate) cfg: MachineConfig,
    pub(crate) counter_profile: C::Profile,
    /// The one memory zone: its frames, free list and LRU of uncharged pages (`page_alloc.rs`).
    pub(crate) zone: Zone,
    /// Every memcg by slot (`memcontrol.rs`).
    pub(crate) memcgs: MemcgTable<C>,
    /// Each CPU's private state (pagevec, stock, frame cache, statistics deltas; `percpu.rs`),
    /// by CPU index, while the write side is held; empty otherwise: each CPU's state then sits
    /// in that CPU's shard of the world lock (`sharded_lock.rs`), where the fast path reaches it.
    /// Boxed because the boxes move: each write-side hold moves every CPU's box out of its
    /// shard and back, a pointer each instead of the state's kilobyte.
    #[allow(clippy::vec_box)]
    pub(crate) cpus: Vec<Box<CachePadded<CpuState<C>>>>,
    /// The machine-wide conditions of the fault fast path, refreshed by every write-side hold
    /// as it unlocks ([`World::refresh_fast_path`]), so a fast call tests one word: no event
    /// hook wants page events, no charge move is in progress, and the charge loop is 2.6.34+.
    pub(crate) fast_path_allowed: bool,
    /// Every `mm_struct`, by the index tasks hold in `Task::mm`.
    pub(crate) mms: Slab<CachePadded<SpinLock<Mm>>>,
    /// Every task the machine knows (`task_struct`'s memory side).
    pub(crate) tasks: TaskTable,
    /// The page cache of every file and the reverse map of mapped shmem pages.
    pub(crate) page_cache: PageCache,
    /// The one swap area (`swapfile.rs`).
    pub(crate) swap_info: SwapInfo,
    /// SysV shared memory segments (`ipc/shm.c` `shm_ids`).
    pub(crate) shm_ids: ShmIds,
    /// The memcg OOM killer's state (`oom.rs`).
    pub(crate) oom: MemcgOomState,
    /// Reclaim's state across passes (`vmscan.rs`).
    pub(crate) reclaim: ReclaimState,
    /// The state of the operation in progress that the kernel keeps in `current`.
    pub(crate) current: CurrentTask,
    /// Dirty throttling's per-task rate limits and per-memcg writeback (`page_writeback.rs`).
    pub(crate) dirty: crate::page_writeback::DirtyThrottle,
    /// The pending `can_attach` precharge (`mm/memcontrol.c`'s global `mc`).
    pub(crate) mc: Option<crate::move_charge::MoveCharge>,
    /// Memcgs the fork callback named for children `fork_mm` has not created yet.
    pub(crate) pending_fork: BTreeMap<Pid, MemcgSlot>,
    /// What the machine reports outward: queued events, the event hook, the kernel log.
    pub(crate) host: HostLink,
    /// `cgroup_subsys_on_dfl(memory_cgrp_subsys)`: the memory controller sits on the default
    /// hierarchy (from boot on a kernel that has one, until a v1 hierarchy binds it); with
    /// `memcg.memsw_account = not_on_dfl` it decides [`World::do_memsw_account`].
    pub(crate) memory_on_dfl: bool,
}

/// The page cache of every file (each file's `address_space` radix tree, keyed by
/// (file, page index)) and the reverse map of mapped shmem pages (`i_mmap`).
pub(crate) struct PageCache {
    pub(crate) pages: BTreeMap<(u32, u32), CacheSlot>,
    /// Reverse map of mapped shmem pages: pfn → (mm, vpn) mappings.
    pub(crate) shared_rmap: HashMap<Pfn, Vec<(MmId, u64)>>,
}

/// SysV shared memory ids (`ipc/shm.c` `shm_ids(ns)`, v2.6.34).
pub(crate) struct ShmIds {
    pub(crate) segs: BTreeMap<u32, Shm>,
    pub(crate) next_id: u32,
    /// The next shmem file (`shmem_file_setup`) a segment's pages are cached under.
    pub(crate) next_shmem_file: u32,
}

/// What the memcg OOM killer keeps between calls (`mm/memcontrol.c` `memcg_oom_waitq`,
/// `mm/oom_kill.c` `oom_rs`).
pub(crate) struct MemcgOomState {
    /// Tasks sleeping on a memcg OOM wait queue: (task, memcg, holds the OOM lock).
    pub(crate) waiters: Vec<(Pid, MemcgSlot, bool)>,
    /// Whether the last `select_bad_process` found a victim (or one still dying).
    pub(crate) last_found: bool,
    /// The rate limit of the OOM report's header (`printk_ratelimit` / `oom_rs`).
    pub(crate) ratelimit: crate::oom_report::RateLimit,
    /// Names for the OOM report (`None`: the report leaves out the lines that need them).
    pub(crate) namer: Option<Arc<dyn crate::oom::OomNamer>>,
}

/// Reclaim's state across passes.
pub(crate) struct ReclaimState {
    /// Pages taken off inactive lists by reclaim since boot (`sc->nr_scanned` summed), for
    /// vmpressure.
    pub(crate) scanned: u64,
    /// The memcg limit reclaim works for (`sc->target_mem_cgroup`), while
    /// `mem_cgroup_hierarchical_reclaim` walks its victims.
    pub(crate) target: Option<MemcgSlot>,
    /// A reused buffer for the pages one pass isolates (`page_list` in `shrink_inactive_list`).
    pub(crate) scratch: Vec<Pfn>,
}

/// What the kernel keeps in `current` for the operation in progress.
#[derive(Default)]
pub(crate) struct CurrentTask {
    /// `current->in_user_fault` (4.x): the charges being made are a task's own page faults.
    pub(crate) in_user_fault: bool,
    /// `current->memcg_batch` of the unmap in progress (`mm/memcontrol.c`
    /// `mem_cgroup_uncharge_start`, `mem_cgroup_uncharge_end`, v2.6.34).
    pub(crate) uncharge_batch: crate::charge::UnchargeBatch,
    /// `current->memcg_nr_pages_over_high` (6.6): pages charged over `memory.high` since the
    /// last return to user space (`high_delay.rs`).
    pub(crate) nr_pages_over_high: u64,
    /// The fault loop in progress can sleep in the middle (`gfpflags_allow_blocking` for a
    /// fault the caller resumes, `high_delay.rs` [`crate::FaultSleep`]).
    pub(crate) may_sleep: bool,
    /// Jiffies the synchronous `mem_cgroup_handle_over_high` of `try_charge_memcg` (6.6)
    /// asked the task to sleep: the fault loop stops after the page and returns them.
    pub(crate) sleep_jiffies: u64,
    /// Jiffies of such sleeps a caller that cannot resume (the machine's own `touch`) left
    /// for the return to user space.
    pub(crate) deferred_jiffies: u64,
}

/// What the machine reports outward. memcg never calls back into the host: OOM kills and
/// wake-ups are queued here, threshold and OOM events go through the hook, and kernel messages
/// to the log.
pub(crate) struct HostLink {
    pub(crate) events: MemEvents,
    /// `None` until a hook is installed.
    pub(crate) hook: Option<Arc<dyn MemcgEventHook>>,
    /// Whether page events go to the hook (`memcg_check_events` armed): the hook asked for
    /// them ([`MemcgEventHook::wants_page_events`]). Off, the fault fast path may run.
    pub(crate) page_events: bool,
    /// The machine's fault injection (`fail_page_alloc`, `failslab`), when the Kernel shared one.
    pub(crate) fault: Option<Arc<cgsim_ktypes::FaultInjection>>,
    pub(crate) klog: Arc<Klog>,
    pub(crate) clock: Arc<Clock>,
}

/// The memory side of the simulated kernel: one per boot.
///
/// Generic over the counter backend `C` (`SpinResCounter` for SEED, `PageCounter` for 3.19+) and
/// the tracer `T` (`NoTrace` compiles tracing away).
pub struct MemoryMachine<C: MemCounter, T: Tracer> {
    /// One shard per CPU, holding the world and that CPU's state: the fault fast path takes its
    /// CPU's shard (two CPUs faulting share no lock word); every other operation takes every
    /// shard (see the module docs).
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
        // Frame numbers and swap slot numbers are 32-bit (page records, page-table entries and
        // lists hold them as `u32`): every `as u32` of a frame or slot number below relies on
        // these two checks.
        assert!(
            nr_pages < u32::MAX as usize,
            "RAM too large for u32 frame numbers"
        );
        assert!(
            nr_swap < u32::MAX as usize,
            "swap too large for u32 slot numbers"
        );
        // One world-lock shard per CPU, at most `MAX_SHARDS` (the Kernel's online mask has 64
        // bits; a page record names its pagevec's CPU in 12 bits, `page::MAX_CPUS`, more than
        // that); a CPU number beyond is folded modulo, as it always was.
        let nr_cpus = cfg.nr_cpus.clamp(1, MAX_SHARDS.min(crate::page::MAX_CPUS));
        let stock_batch = Pages(profile.stock_pages.max(1));
        // A kernel with a default hierarchy boots with every controller on it.
        let profile_memory_on_dfl = profile.memsw_account == crate::profile::MemswAccount::NotOnDfl;
        let mut w = World {
            profile,
            cfg: MachineConfig { nr_cpus, ..cfg },
            counter_profile,
            zone: Zone {
                pages: (0..nr_pages).map(|_| PageFrame::new(Page::FREE)).collect(),
                free: Mutex::new((0..nr_pages).rev().map(Pfn::from_index).collect()),
                orphan_lru: LruVec::default(),
            },
            memcgs: MemcgTable {
                slots: Vec::new(),
                free_slots: Vec::new(),
                next_gen: 1,
            },
            cpus: (0..nr_cpus)
                .map(|_| Box::new(CachePadded::new(CpuState::new(stock_batch))))
                .collect(),
            fast_path_allowed: false,
            mms: Slab::new(),
            tasks: TaskTable::default(),
            page_cache: PageCache {
                pages: BTreeMap::new(),
                shared_rmap: HashMap::new(),
            },
            swap_info: SwapInfo {
                map: vec![SwapSlot::FREE; nr_swap],
                free: (0..u32::try_from(nr_swap).expect("checked above"))
                    .rev()
                    .collect(),
                on: nr_swap > 0,
                writeok: nr_swap > 0,
            },
            shm_ids: ShmIds {
                segs: BTreeMap::new(),
                next_id: 0,
                next_shmem_file: FileId::SHMEM_BASE,
            },
            oom: MemcgOomState {
                waiters: Vec::new(),
                last_found: false,
                ratelimit: Default::default(),
                namer: None,
            },
            reclaim: ReclaimState {
                scanned: 0,
                target: None,
                scratch: Vec::new(),
            },
            current: CurrentTask::default(),
            dirty: Default::default(),
            mc: None,
            pending_fork: BTreeMap::new(),
            host: HostLink {
                events: MemEvents::default(),
                hook: None,
                page_events: false,
                fault: None,
                klog,
                clock,
            },
            memory_on_dfl: profile_memory_on_dfl,
        };
        let root = w.alloc_memcg(None).expect("root memcg");
        debug_assert_eq!(root, MemcgId::ROOT);
        w.refresh_fast_path();
        Arc::new(MemoryMachine {
            world: ShardedLock::new(w),
            tracer,
        })
    }

    /// Take the world's write side (every operation but the fault fast path), folding the
    /// CPUs' statistics deltas and cached frames back in first.
    pub(crate) fn lock(&self) -> Tracked<ShardedLockWriteGuard<'_, World<C>>> {
        // Lock order: [Kernel::state ->] [cgroup_mutex ->] world; checked in debug builds.
        let mut w = Tracked::new(LockClass::MemcgWorld, || self.world.write());
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
        let mut w = self.lock();
        w.host.hook = Some(hook);
        w.rearm_page_events();
    }

    /// Whether page events reach the hook now (`memcg_check_events` is armed): some
    /// registration needs a check per page. While it is off, anonymous faults and zaps may
    /// take the fast path.
    pub fn page_events_armed(&self) -> bool {
        self.lock().host.page_events
    }

    /// Run `f` with the world lock held and a read-only view of the memcg tree: what the event
    /// layer's registration and unregistration use, so that no charge or OOM can happen in
    /// between (the kernel's `thresholds_lock` and `memcg_oom_lock`, `mm/memcontrol.c` `mem_cgroup_usage_register_event`, `mem_cgroup_oom_register_event`, v2.6.34–v2.6.35).
    /// Lock order: `world` -> the caller's locks. `f` must not call back into the machine.
    ///
    /// Every registration and unregistration goes through here, so afterwards the machine asks
    /// the hook again whether it still needs page events
    /// ([`MemcgEventHook::wants_page_events`]): the first threshold arms the per-page check,
    /// the last one removed disarms it.
    pub fn with_event_view<R>(&self, f: impl FnOnce(&dyn MemcgEventView) -> R) -> R {
        let mut w = self.lock();
        let r = f(&*w);
        w.rearm_page_events();
        r
    }

    /// Switch `thresholds.check` at run time (`mm/memcontrol.c` `memcg_check_events`, v2.6.34): `every_event` for deterministic
    /// exercises, `ratelimited_2_6_34` (SEED) or `ratelimited_3x`.
    pub fn set_thresholds_check(&self, mode: crate::profile::ThresholdCheck) {
        self.lock().profile.thresholds_check = mode;
    }

    /// Collect the OOM kills and wake-ups since the last call.
    ///
    /// The host asks after every memory syscall, and almost always there is nothing: the read
    /// side answers that, so the question neither waits for every shard of the write side nor
    /// folds the CPUs' deltas and frame caches back (which would empty each CPU's frame cache
    /// after every fault through the `Kernel`). Events are queued only under the write side,
    /// so an empty queue seen here was empty; one queued right after is taken by the next call.
    pub fn take_events(&self) -> MemEvents {
        {
            let w = Tracked::new(LockClass::MemcgWorld, || self.world.read());
            if w.host.events.killed.is_empty() && w.host.events.woken.is_empty() {
                return MemEvents::default();
            }
        }
        std::mem::take(&mut self.lock().host.events)
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
        self.lock().oom.namer = Some(namer);
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
        let mm = w.mms[w.tasks.get(&pid)?.mm?.index()].lock();
        Some((
            mm.anon_rss,
            mm.file_rss,
            mm.swap_ents,
            mm.nr_ptes(),
            mm.total_vm(),
        ))
    }

    /// Pages reclaim has taken off the inactive lists since boot (`sc->nr_scanned` summed over
    /// every pass), for scan rates in the benchmarks and the Kernel's reclaim time. Reclaim
    /// counts only under the write side, so the read side answers without folding the CPUs'
    /// deltas and frame caches back (the Kernel asks around every fault).
    pub fn nr_reclaim_scanned(&self) -> u64 {
        let w = Tracked::new(LockClass::MemcgWorld, || self.world.read());
        w.reclaim.scanned
    }
}

// ---- the world's internals shared by the other modules ----

/// The world's shards are its CPUs: each holds the world's `Arc` and that CPU's state.
impl<C: MemCounter> Sharded for World<C> {
    type Local = Box<CachePadded<CpuState<C>>>;

    fn locals(&mut self) -> &mut Vec<Self::Local> {
        &mut self.cpus
    }

    /// Every change a slow path made to the fast path's conditions is published here.
    #[inline]
    fn unlocking(&mut self) {
        self.refresh_fast_path();
    }
}

impl<C: MemCounter> World<C> {
    /// Recompute [`World::fast_path_allowed`] from the conditions it folds.
    #[inline]
    pub(crate) fn refresh_fast_path(&mut self) {
        self.fast_path_allowed = !self.host.page_events
            && self.mc.is_none()
            && self.profile.charge_algo != ChargeAlgo::V2_6_25;
    }

    /// Ask the hook whether it needs page events now (after a registration changed).
    pub(crate) fn rearm_page_events(&mut self) {
        self.host.page_events = self
            .host
            .hook
            .as_ref()
            .is_some_and(|h| h.wants_page_events());
    }

    pub(crate) fn printk(&self, level: Level, text: String) {
        self.host.klog.printk(&self.host.clock, level, text);
    }

    pub(crate) fn task_mm(&self, pid: Pid) -> Result<MmId, Errno> {
        self.tasks
            .get(&pid)
            .ok_or(Errno::ESRCH)?
            .mm
            .ok_or(Errno::ESRCH)
    }

    /// The memcg a new charge for `mm` goes to: `mm->owner`'s (`mm/memcontrol.c` `try_get_mem_cgroup_from_mm`, v2.6.34).
    pub(crate) fn mm_memcg(&self, mm: MmId) -> MemcgSlot {
        let owner = self.mms[mm.index()].lock().owner;
        self.tasks.get(&owner).map_or(MemcgSlot::ROOT, |t| t.memcg)
    }
}
