//! The simulated machine: RAM, swap and CPUs, and the memory-side world the memcg controls.
//!
//! **Kernel:** the page allocator (`mm/page_alloc.c`), the page fault (`mm/memory.c`
//! `handle_mm_fault`, `do_anonymous_page`, `do_swap_page`), the page cache
//! (`mm/filemap.c` `add_to_page_cache_lru`, `mark_page_accessed`), `mm/swap.c` pagevecs,
//! `mm/mmap.c`, `mm/mlock.c`, `ipc/shm.c`, `kernel/fork.c` `dup_mm`, `kernel/exit.c` `exit_mm`
//! (spec §5.2, §7.1).
//!
//! [`MemoryMachine`] is the library API the syscall layer calls: tasks are named by [`Pid`],
//! memory by addresses, files by [`FileId`]. It owns every mm, page, page-cache entry, swap slot,
//! LRU list and memcg.
//!
//! **Locking:** the whole world sits behind one `parking_lot::Mutex` (`world`), which stands in
//! for `mmap_sem`, the page-table lock, `zone->lru_lock`, the page-cache lock and
//! `swap_lock` together. The counters are the counters crate's (per-level spinlock or atomics),
//! reached without any further lock. Lock order: the host's lock (e.g. `Kernel::state`) ->
//! `cgroup_mutex` (subsystem callbacks) -> `world` -> counter locks -> `Klog`. memcg never calls
//! back into the host or the cgroup core; what the host must act on (OOM kills, wake-ups) is
//! queued and collected with [`MemoryMachine::take_events`].
//! **Differences:** because of that one lock, faults from several host threads serialize; the
//! per-CPU parts (pagevecs, charge stocks) are real and indexed by the caller's simulated CPU.

use crate::counter_ext::MemCounter;
use crate::memcontrol::{MemCgroup, MemCounters, MemStat, MemcgId};
use crate::mm::{CacheSlot, FileId, Mm, Pte, Shm, ShmId, SwapSlot, Task, Vma, VmaKind};
use crate::page::{self, LruVec, NO_MEMCG, PG_ACTIVE, PG_ANON, Page};
use crate::page::{PG_DIRTY, PG_FREE, PG_LRU, PG_MLOCKED, PG_PAGEVEC, PG_REFERENCED};
use crate::page::{PG_SHMEM, PG_UNEVICTABLE};
use crate::profile::MemcgProfile;
use cgsim_counters::MemcgStock;
use cgsim_ktypes::klog::{Clock, Klog, Level};
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{Bytes, CpuId, Errno, PAGE_SHIFT, PAGE_SIZE, Pages, Pid};
use parking_lot::{Mutex, MutexGuard};
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

/// What happened that the host must act on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemEvents {
    /// Tasks the OOM killer chose (`SIGKILL` + `TIF_MEMDIE`); their mm is already torn down.
    pub killed: Vec<Pid>,
    /// Tasks woken from the memcg OOM wait queue (`memcg_oom_recover`); they retry their fault.
    pub woken: Vec<Pid>,
}

/// A hook for memory events (thresholds, OOM notification) that a later layer installs.
///
/// **Kernel:** `memcg_check_events` → `mem_cgroup_threshold` (2.6.34) and
/// `mem_cgroup_oom_notify` (2.6.35), spec §10, §11. Called with the world lock held; the
/// implementation must not call back into the machine.
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
}

/// The default hook: nothing registered.
pub struct NoEventHook;

impl MemcgEventHook for NoEventHook {}

/// Everything behind the machine lock.
pub(crate) struct World<C: MemCounter> {
    pub(crate) profile: MemcgProfile,
    pub(crate) cfg: MachineConfig,
    pub(crate) counter_profile: C::Profile,
    pub(crate) pages: Vec<Page>,
    pub(crate) free: Vec<u32>,
    pub(crate) memcgs: Vec<Option<MemCgroup<C>>>,
    pub(crate) free_slots: Vec<u16>,
    pub(crate) next_gen: u32,
    /// Pages charged to no memcg (2.6.25 force_empty, bypassed charges).
    pub(crate) orphan_lru: LruVec,
    pub(crate) pagevecs: Vec<Vec<u32>>,
    pub(crate) mms: Slab<Mm>,
    pub(crate) tasks: BTreeMap<Pid, Task>,
    pub(crate) page_cache: BTreeMap<(u32, u32), CacheSlot>,
    /// Reverse map of mapped shmem pages: pfn → (mm, vpn) mappings.
    pub(crate) shared_rmap: HashMap<u32, Vec<(u32, u64)>>,
    pub(crate) swap: Vec<SwapSlot>,
    pub(crate) swap_free: Vec<u32>,
    pub(crate) shms: BTreeMap<u32, Shm>,
    pub(crate) next_shm: u32,
    pub(crate) next_shmem_file: u32,
    pub(crate) stocks: Vec<MemcgStock<MemCounters<C>>>,
    pub(crate) events: MemEvents,
    /// `None` until a hook is installed, so the hot path skips computing usage.
    pub(crate) hook: Option<Arc<dyn MemcgEventHook>>,
    pub(crate) klog: Arc<Klog>,
    pub(crate) clock: Arc<Clock>,
    pub(crate) scratch: Vec<u32>,
    /// Tasks sleeping on a memcg OOM wait queue: (task, memcg, holds the OOM lock).
    pub(crate) oom_waiters: Vec<(Pid, u16, bool)>,
    /// Whether the last `select_bad_process` found a victim (or one still dying).
    pub(crate) last_oom_found: bool,
    /// The pending `can_attach` precharge (`mc`).
    pub(crate) mc: Option<crate::move_charge::MoveCharge>,
    /// Memcgs the fork callback named for children `fork_mm` has not created yet.
    pub(crate) pending_fork: BTreeMap<Pid, u16>,
}

/// The memory side of the simulated kernel: one per boot.
///
/// Generic over the counter backend `C` (`SpinResCounter` for SEED, `PageCounter` for 3.19+) and
/// the tracer `T` (`NoTrace` compiles tracing away).
pub struct MemoryMachine<C: MemCounter, T: Tracer> {
    pub(crate) world: Mutex<World<C>>,
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
            pages: vec![Page::FREE; nr_pages],
            free: (0..nr_pages as u32).rev().collect(),
            memcgs: Vec::new(),
            free_slots: Vec::new(),
            next_gen: 1,
            orphan_lru: LruVec::default(),
            pagevecs: vec![Vec::with_capacity(PAGEVEC_SIZE); nr_cpus],
            mms: Slab::new(),
            tasks: BTreeMap::new(),
            page_cache: BTreeMap::new(),
            shared_rmap: HashMap::new(),
            swap: vec![
                SwapSlot {
                    used: false,
                    memcg: NO_MEMCG
                };
                nr_swap
            ],
            swap_free: (0..nr_swap as u32).rev().collect(),
            shms: BTreeMap::new(),
            next_shm: 0,
            next_shmem_file: FileId::SHMEM_BASE,
            stocks: (0..nr_cpus).map(|_| MemcgStock::new(stock_batch)).collect(),
            events: MemEvents::default(),
            hook: None,
            klog,
            clock,
            scratch: Vec::new(),
            oom_waiters: Vec::new(),
            last_oom_found: false,
            mc: None,
            pending_fork: BTreeMap::new(),
        };
        let root = w.alloc_memcg(None).expect("root memcg");
        debug_assert_eq!(root, MemcgId::ROOT);
        Arc::new(MemoryMachine {
            world: Mutex::new(w),
            tracer,
        })
    }

    /// Lock the world (for the crate's own modules and invariant checks).
    pub(crate) fn lock(&self) -> MutexGuard<'_, World<C>> {
        self.world.lock()
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

    /// Collect the OOM kills and wake-ups since the last call.
    pub fn take_events(&self) -> MemEvents {
        std::mem::take(&mut self.lock().events)
    }

    // ---- memcg tree (what the subsystem callbacks call) ----

    /// `mem_cgroup_create` (spec §5.4): a child of `parent` inheriting `use_hierarchy`,
    /// swappiness and `oom_kill_disable`; hierarchical counters iff the parent has
    /// `use_hierarchy`. ENOMEM when every css id is taken; ENODEV for a stale parent.
    #[doc(alias = "mem_cgroup_create")]
    pub fn create_memcg(&self, parent: MemcgId) -> Result<MemcgId, Errno> {
        let t = &*self.tracer;
        let _f = trace::func(t, CpuId(0), "mem_cgroup_create");
        let mut w = self.lock();
        let p = w.slot_of(parent).ok_or(Errno::ENODEV)?;
        w.alloc_memcg(Some(p))
    }

    /// `pre_destroy` + `destroy` for an rmdir: move every charge to the parent
    /// (`mem_cgroup_force_empty(mem, false)`, spec §5.5) and free the memcg.
    /// EBUSY if tasks or children remain; EINVAL for the root.
    #[doc(alias = "mem_cgroup_pre_destroy")]
    pub fn remove_memcg(&self, id: MemcgId) -> Result<(), Errno> {
        self.pre_destroy(id)?;
        self.destroy(id)
    }

    /// `mem_cgroup_pre_destroy`: reparent every charge (pages and swap entries) to the parent.
    pub fn pre_destroy(&self, id: MemcgId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let _f = trace::func(t, CpuId(0), "mem_cgroup_pre_destroy");
        let mut w = self.lock();
        let s = w.slot_of(id).ok_or(Errno::ENODEV)?;
        let m = w.mc(s);
        if m.parent.is_none() {
            return Err(Errno::EINVAL);
        }
        if m.nr_tasks > 0 || !m.children.is_empty() {
            return Err(Errno::EBUSY);
        }
        w.force_empty_move_account(t, CpuId(0), s);
        Ok(())
    }

    /// `mem_cgroup_destroy`: free the memcg (after `pre_destroy` moved its charges away).
    pub fn destroy(&self, id: MemcgId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let _f = trace::func(t, CpuId(0), "mem_cgroup_destroy");
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
                parent: None,
                memdie: false,
                oom_wait: None,
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
        let mm = w.mms.insert(Mm::new(pid)) as u32;
        let task = w.tasks.get_mut(&pid).expect("checked");
        task.mm = Some(mm);
        task.comm = comm.to_string();
        Ok(())
    }

    /// `fork` (`dup_mm`): `child` gets a copy of `parent`'s VMAs in the parent's memcg (the
    /// cgroup fork callback may already have set it) and inherits `oom_score_adj`.
    /// Private anonymous pages are not copied (see `mm.rs`); shared mappings are shared.
    #[doc(alias = "dup_mm")]
    pub fn fork_mm(&self, parent: Pid, child: Pid) -> Result<(), Errno> {
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
                let src = w.mms[pm as usize].clone();
                let mut nm = Mm::new(child);
                nm.vmas = src.vmas.clone();
                nm.next_vpn = src.next_vpn;
                let id = w.mms.insert(nm) as u32;
                for (&start, vma) in &src.vmas {
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
                parent: Some(parent),
                memdie: false,
                oom_wait: None,
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
        let mm = &w.mms[w.tasks.get(&pid)?.mm? as usize];
        Some((
            mm.anon_rss,
            mm.file_rss,
            mm.swap_ents,
            mm.nr_ptes(),
            mm.total_vm(),
        ))
    }

    // ---- mappings and faults ----

    /// `mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS)`: returns the address.
    /// EINVAL for a zero length, ESRCH for an unknown task or one without an mm.
    pub fn mmap_anon(&self, pid: Pid, len: Bytes) -> Result<u64, Errno> {
        let mut w = self.lock();
        w.mmap(pid, len, VmaKind::Anon, None)
    }

    /// `mmap(..., MAP_SHARED, /dev/zero fd)`: a new shmem object shared with children.
    pub fn mmap_shared_zero(&self, pid: Pid, len: Bytes) -> Result<u64, Errno> {
        let mut w = self.lock();
        let file = w.next_shmem_file;
        w.mmap(pid, len, VmaKind::Shared { file, pgoff: 0 }, None)
            .inspect(|_| w.next_shmem_file += 1)
    }

    /// `munmap(addr, len)`: unmap whole pages, uncharging private pages. EINVAL for an
    /// unaligned address.
    pub fn munmap(&self, pid: Pid, addr: u64, len: Bytes, cpu: CpuId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let mm = w.task_mm(pid)?;
        let first = addr >> PAGE_SHIFT;
        let n = len.page_align().0 >> PAGE_SHIFT;
        w.unmap_range(t, cpu, mm, first, n);
        Ok(())
    }

    /// `madvise(addr, len, MADV_DONTNEED)`: drop the pages of the range (uncharging them) but
    /// keep the mapping; the next touch faults fresh zero pages. Together with
    /// [`touch`](Self::touch) this is the fault-and-free loop of the benchmarks: it allocates
    /// nothing in the steady state.
    pub fn madvise_dontneed(
        &self,
        pid: Pid,
        addr: u64,
        len: Bytes,
        cpu: CpuId,
    ) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let mm = w.task_mm(pid)?;
        let first = addr >> PAGE_SHIFT;
        let n = len.page_align().0 >> PAGE_SHIFT;
        w.zap_page_range(t, cpu, mm, first, n);
        Ok(())
    }

    /// `mlock(addr, len)`: mark the VMAs covering the range `VM_LOCKED`, fault every page in
    /// (charging) and make them unevictable. ENOMEM if part of the range is unmapped.
    pub fn mlock(&self, pid: Pid, addr: u64, len: Bytes, cpu: CpuId) -> Result<(), FaultError> {
        {
            let mut w = self.lock();
            let mm = w.task_mm(pid)?;
            let first = addr >> PAGE_SHIFT;
            let n = (len.0 + (addr % PAGE_SIZE)).div_ceil(PAGE_SIZE);
            for vpn in first..first + n {
                let Some((start, _)) = w.mms[mm as usize].find_vma(vpn) else {
                    return Err(Errno::ENOMEM.into());
                };
                let vma = w.mms[mm as usize].vmas.get_mut(&start).expect("found");
                vma.locked = true;
            }
        }
        self.touch(pid, addr, len, true, cpu)
    }

    /// Touch every page of `[addr, addr+len)` (`write` marks them dirty): each missing page
    /// faults (`handle_mm_fault`) and is charged. Stops at the first error; pages touched before
    /// it stay. Retrying after [`FaultError::OomWait`] continues where it stopped.
    pub fn touch(
        &self,
        pid: Pid,
        addr: u64,
        len: Bytes,
        write: bool,
        cpu: CpuId,
    ) -> Result<(), FaultError> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let first = addr >> PAGE_SHIFT;
        let n = (len.0 + (addr % PAGE_SIZE)).div_ceil(PAGE_SIZE);
        for vpn in first..first + n {
            w.handle_mm_fault(t, cpu, pid, vpn, write)?;
        }
        Ok(())
    }

    /// `read(2)` of `[offset, offset+len)` from a regular file: missing pages enter the page
    /// cache (charged as cache to the reader's memcg); present ones are marked accessed.
    pub fn file_read(
        &self,
        pid: Pid,
        file: FileId,
        offset: u64,
        len: Bytes,
        cpu: CpuId,
    ) -> Result<(), FaultError> {
        self.file_access(pid, file, offset, len, false, cpu)
    }

    /// `write(2)`: as [`file_read`](Self::file_read), and the pages become dirty.
    pub fn file_write(
        &self,
        pid: Pid,
        file: FileId,
        offset: u64,
        len: Bytes,
        cpu: CpuId,
    ) -> Result<(), FaultError> {
        self.file_access(pid, file, offset, len, true, cpu)
    }

    fn file_access(
        &self,
        pid: Pid,
        file: FileId,
        offset: u64,
        len: Bytes,
        dirty: bool,
        cpu: CpuId,
    ) -> Result<(), FaultError> {
        if file.is_shmem() {
            return Err(Errno::EINVAL.into());
        }
        let t = &*self.tracer;
        let mut w = self.lock();
        if !w.tasks.contains_key(&pid) {
            return Err(Errno::ESRCH.into());
        }
        let first = offset >> PAGE_SHIFT;
        let n = (len.0 + (offset % PAGE_SIZE)).div_ceil(PAGE_SIZE);
        for idx in first..first + n {
            let idx = u32::try_from(idx).map_err(|_| Errno::EFBIG)?;
            w.find_or_create_cache_page(t, cpu, pid, file.0, idx, dirty)?;
        }
        Ok(())
    }

    /// Truncate a regular file to zero (or unlink its last reference): its page-cache pages are
    /// removed and uncharged (`truncate_inode_pages`).
    #[doc(alias = "truncate_inode_pages")]
    pub fn file_truncate(&self, file: FileId, cpu: CpuId) {
        let t = &*self.tracer;
        self.lock().truncate_file(t, cpu, file.0);
    }

    /// `shmget(IPC_PRIVATE, size)`: a new segment. EINVAL for size 0.
    pub fn shmget(&self, size: Bytes) -> Result<ShmId, Errno> {
        let mut w = self.lock();
        if size.0 == 0 {
            return Err(Errno::EINVAL);
        }
        let id = w.next_shm;
        w.next_shm += 1;
        let file = w.next_shmem_file;
        w.next_shmem_file += 1;
        w.shms.insert(
            id,
            Shm {
                file,
                pages: size.page_align().0 >> PAGE_SHIFT,
                nattch: 0,
                removed: false,
            },
        );
        Ok(ShmId(id))
    }

    /// `shmat(shmid, NULL, 0)`: map the segment; returns the address. EINVAL for an unknown or
    /// removed segment.
    pub fn shmat(&self, pid: Pid, shm: ShmId) -> Result<u64, Errno> {
        let mut w = self.lock();
        let seg = w.shms.get(&shm.0).ok_or(Errno::EINVAL)?;
        if seg.removed {
            return Err(Errno::EINVAL);
        }
        let (file, pages) = (seg.file, seg.pages);
        let addr = w.mmap(
            pid,
            Pages(pages).to_bytes(),
            VmaKind::Shared { file, pgoff: 0 },
            Some(shm.0),
        )?;
        w.shms.get_mut(&shm.0).expect("checked").nattch += 1;
        Ok(addr)
    }

    /// `shmdt(addr)`: unmap the attach starting at `addr`. EINVAL if none starts there.
    pub fn shmdt(&self, pid: Pid, addr: u64, cpu: CpuId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let mm = w.task_mm(pid)?;
        let vpn = addr >> PAGE_SHIFT;
        let vma = match w.mms[mm as usize].vmas.get(&vpn) {
            Some(v) if v.shm.is_some() && addr.is_multiple_of(PAGE_SIZE) => *v,
            _ => return Err(Errno::EINVAL),
        };
        w.unmap_range(t, cpu, mm, vpn, vma.pages);
        Ok(())
    }

    /// `shmctl(shmid, IPC_RMID)`: destroy the segment now if unattached, else at the last detach.
    pub fn shm_rmid(&self, shm: ShmId, cpu: CpuId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let seg = w.shms.get_mut(&shm.0).ok_or(Errno::EINVAL)?;
        seg.removed = true;
        if seg.nattch == 0 {
            let file = seg.file;
            w.shms.remove(&shm.0);
            w.truncate_file(t, cpu, file);
        }
        Ok(())
    }

    /// `lru_add_drain_all`: flush every CPU's pagevec to the LRU lists.
    pub fn lru_add_drain_all(&self) {
        self.lock().lru_add_drain_all();
    }

    /// Free page frames (`nr_free_pages`).
    pub fn nr_free_pages(&self) -> u64 {
        self.lock().free.len() as u64
    }

    /// Free swap slots (`nr_swap_pages`).
    pub fn nr_free_swap(&self) -> u64 {
        self.lock().swap_free.len() as u64
    }
}

// ---- the world's internals shared by the other modules ----

impl<C: MemCounter> World<C> {
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
            lru: LruVec::default(),
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
        for st in &mut self.stocks {
            cgsim_counters::ChargeStock::drain_if(st, &mut |m: &MemCounters<C>| {
                std::ptr::eq(m, &*counters)
            });
        }
        let m = self.memcgs[s as usize].take().expect("live memcg");
        if let Some(p) = m.parent {
            self.mc_mut(p).children.retain(|&c| c != s);
        }
        self.free_slots.push(s);
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

    /// The memcg a new charge for `mm` goes to: `mm->owner`'s (spec §5.2).
    pub(crate) fn mm_memcg(&self, mm: u32) -> u16 {
        let owner = self.mms[mm as usize].owner;
        self.tasks.get(&owner).map_or(0, |t| t.memcg)
    }

    fn mmap(
        &mut self,
        pid: Pid,
        len: Bytes,
        kind: VmaKind,
        shm: Option<u32>,
    ) -> Result<u64, Errno> {
        if len.0 == 0 {
            return Err(Errno::EINVAL);
        }
        let mm = self.task_mm(pid)?;
        let pages = len.page_align().0 >> PAGE_SHIFT;
        let m = &mut self.mms[mm as usize];
        let start = m.next_vpn;
        // One guard page between mappings, as the kernel's top-down allocator tends to leave.
        m.next_vpn += pages + 1;
        m.vmas.insert(
            start,
            Vma {
                pages,
                kind,
                locked: false,
                shm,
            },
        );
        Ok(start << PAGE_SHIFT)
    }

    // ---- page frames ----

    /// Allocate a frame, reclaiming globally when none is free (`__alloc_pages` slow path).
    /// `None` when global reclaim and the global OOM killer could not free one.
    pub(crate) fn alloc_page<T: Tracer>(&mut self, t: &T, cpu: CpuId, pid: Pid) -> Option<u32> {
        if let Some(p) = self.free.pop() {
            return Some(p);
        }
        for _ in 0..MEM_GLOBAL_RETRIES {
            if self.shrink_global(t, cpu) > 0
                && let Some(p) = self.free.pop()
            {
                return Some(p);
            }
        }
        // Global OOM: kill something and try once more.
        if self.global_oom(t, cpu, pid)
            && let Some(p) = self.free.pop()
        {
            return Some(p);
        }
        None
    }

    /// `alloc_page` in a fault of `pid`: the global OOM killer may choose `pid` itself.
    fn alloc_user_page<T: Tracer>(
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
                self.free.push(p);
                Err(FaultError::OomKilled)
            }
            (None, true) => Err(FaultError::Errno(Errno::ENOMEM)),
            (None, false) => Err(FaultError::OomKilled),
        }
    }

    pub(crate) fn free_page(&mut self, pfn: u32) {
        debug_assert!(!self.pages[pfn as usize].has(PG_FREE));
        self.pages[pfn as usize] = Page::FREE;
        self.free.push(pfn);
    }

    // ---- LRU and pagevecs ----

    /// `lru_cache_add`: queue a new page on this CPU's pagevec; a full pagevec is added to the
    /// LRU lists in one batch (`____pagevec_lru_add`).
    pub(crate) fn lru_cache_add(&mut self, cpu: CpuId, pfn: u32) {
        let c = cpu.index() % self.pagevecs.len();
        self.pages[pfn as usize].set(PG_PAGEVEC);
        self.pages[pfn as usize].pagevec_cpu = c as u16;
        self.pagevecs[c].push(pfn);
        if self.pagevecs[c].len() >= PAGEVEC_SIZE {
            self.pagevec_lru_add(c);
        }
    }

    fn pagevec_lru_add(&mut self, c: usize) {
        let mut pv = std::mem::take(&mut self.pagevecs[c]);
        for &pfn in &pv {
            self.pages[pfn as usize].clear(PG_PAGEVEC);
            self.lru_add(pfn);
        }
        pv.clear();
        self.pagevecs[c] = pv;
    }

    /// `lru_add_drain_all`.
    pub(crate) fn lru_add_drain_all(&mut self) {
        for c in 0..self.pagevecs.len() {
            self.pagevec_lru_add(c);
        }
    }

    /// Put a page on the LRU list its flags and memcg name (`add_page_to_lru_list`).
    pub(crate) fn lru_add(&mut self, pfn: u32) {
        let pg = self.pages[pfn as usize];
        let l = pg.lru_list();
        let lru = match pg.memcg_slot() {
            Some(s) => &mut self.memcgs[s as usize].as_mut().expect("live").lru,
            None => &mut self.orphan_lru,
        };
        page::list_add(&mut self.pages, lru, l, pfn);
        self.pages[pfn as usize].set(PG_LRU);
    }

    /// Take a page off its LRU list or pagevec (`del_page_from_lru_list`).
    pub(crate) fn lru_del(&mut self, pfn: u32) {
        let pg = self.pages[pfn as usize];
        if pg.has(PG_LRU) {
            let l = pg.lru_list();
            let lru = match pg.memcg_slot() {
                Some(s) => &mut self.memcgs[s as usize].as_mut().expect("live").lru,
                None => &mut self.orphan_lru,
            };
            page::list_del(&mut self.pages, lru, l, pfn);
            self.pages[pfn as usize].clear(PG_LRU);
        } else if pg.has(PG_PAGEVEC) {
            let pv = &mut self.pagevecs[pg.pagevec_cpu as usize];
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
        let pg = &mut self.pages[pfn as usize];
        pg.set(set);
        pg.clear(clear);
        if on_lru {
            self.lru_add(pfn);
        }
    }

    // ---- faults ----

    /// `handle_mm_fault` for one page.
    fn handle_mm_fault<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Pid,
        vpn: u64,
        write: bool,
    ) -> Result<(), FaultError> {
        let mm = self.task_mm(pid)?;
        let (start, vma) = self.mms[mm as usize]
            .find_vma(vpn)
            .ok_or(FaultError::Errno(Errno::EFAULT))?;
        match self.mms[mm as usize].ptes.get(&vpn).copied() {
            Some(Pte::Page(pfn)) => {
                // The hardware sets the accessed (and dirty) bit; reclaim reads it.
                let pg = &mut self.pages[pfn as usize];
                pg.set(PG_REFERENCED);
                if write {
                    pg.set(PG_DIRTY);
                }
                Ok(())
            }
            Some(Pte::Swap(slot)) => self.do_swap_page(t, cpu, pid, mm, vpn, slot, vma.locked),
            None => match vma.kind {
                VmaKind::Anon => self.do_anonymous_page(t, cpu, pid, mm, vpn, vma.locked, write),
                VmaKind::Shared { file, pgoff } => {
                    let idx = pgoff as u64 + (vpn - start);
                    let idx = u32::try_from(idx).map_err(|_| Errno::EFAULT)?;
                    let pfn = self.shmem_getpage(t, cpu, pid, mm, file, idx, write)?;
                    self.map_shared(mm, vpn, pfn, vma.locked);
                    Ok(())
                }
            },
        }
    }

    /// `do_anonymous_page`: allocate, charge (`mem_cgroup_newpage_charge`), map.
    #[allow(clippy::too_many_arguments)]
    fn do_anonymous_page<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Pid,
        mm: u32,
        vpn: u64,
        locked: bool,
        write: bool,
    ) -> Result<(), FaultError> {
        let _f = trace::func(t, cpu, "do_anonymous_page");
        let pfn = self.alloc_user_page(t, cpu, pid)?;
        self.pages[pfn as usize] = Page {
            flags: PG_ANON | PG_ACTIVE | if write { PG_DIRTY } else { 0 },
            owner: mm,
            index: vpn as u32,
            mapcount: 1,
            ..Page::FREE
        };
        let memcg = self.mm_memcg(mm);
        if let Err(e) = self.mem_cgroup_charge(t, cpu, pid, pfn, memcg, false) {
            self.free_page(pfn);
            return Err(e);
        }
        // The OOM killer may have torn this very mm down while we charged.
        if !self.mms.contains(mm as usize) {
            self.uncharge_and_free(t, cpu, pfn);
            return Err(FaultError::OomKilled);
        }
        if locked {
            self.pages[pfn as usize].set(PG_UNEVICTABLE | PG_MLOCKED);
        }
        let m = &mut self.mms[mm as usize];
        m.ptes.insert(vpn, Pte::Page(pfn));
        m.anon_rss += 1;
        self.lru_cache_add(cpu, pfn);
        Ok(())
    }

    /// `do_swap_page`: swap a private anonymous page back in, charging it again
    /// (`mem_cgroup_try_charge_swapin`) and freeing the swap entry (memsw uncharge of the
    /// entry's `swap_cgroup`).
    #[allow(clippy::too_many_arguments)]
    fn do_swap_page<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Pid,
        mm: u32,
        vpn: u64,
        slot: u32,
        locked: bool,
    ) -> Result<(), FaultError> {
        let _f = trace::func(t, cpu, "do_swap_page");
        let pfn = self.alloc_user_page(t, cpu, pid)?;
        self.pages[pfn as usize] = Page {
            flags: PG_ANON | PG_ACTIVE,
            owner: mm,
            index: vpn as u32,
            mapcount: 1,
            ..Page::FREE
        };
        // Charge the memcg recorded in swap_cgroup if it still exists, else the mm owner's.
        let rec = self.swap[slot as usize].memcg;
        let memcg = if rec != NO_MEMCG && self.memcgs[rec as usize].is_some() {
            rec
        } else {
            self.mm_memcg(mm)
        };
        if let Err(e) = self.mem_cgroup_charge(t, cpu, pid, pfn, memcg, false) {
            self.free_page(pfn);
            return Err(e);
        }
        if !self.mms.contains(mm as usize) {
            self.uncharge_and_free(t, cpu, pfn);
            return Err(FaultError::OomKilled);
        }
        self.swap_free_slot(t, cpu, slot);
        if locked {
            self.pages[pfn as usize].set(PG_UNEVICTABLE | PG_MLOCKED);
        }
        let m = &mut self.mms[mm as usize];
        m.ptes.insert(vpn, Pte::Page(pfn));
        m.anon_rss += 1;
        m.swap_ents -= 1;
        self.lru_cache_add(cpu, pfn);
        Ok(())
    }

    /// `shmem_getpage`: the page of shmem object `file` at `idx`, created (charged as cache to
    /// the toucher's memcg) or swapped in as needed.
    #[allow(clippy::too_many_arguments)]
    fn shmem_getpage<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Pid,
        mm: u32,
        file: u32,
        idx: u32,
        write: bool,
    ) -> Result<u32, FaultError> {
        let _f = trace::func(t, cpu, "shmem_getpage");
        match self.page_cache.get(&(file, idx)).copied() {
            Some(CacheSlot::Page(pfn)) => {
                self.pages[pfn as usize].set(PG_REFERENCED);
                if write {
                    self.pages[pfn as usize].set(PG_DIRTY);
                }
                Ok(pfn)
            }
            other => {
                let pfn = self.alloc_user_page(t, cpu, pid)?;
                self.pages[pfn as usize] = Page {
                    flags: PG_SHMEM | PG_ACTIVE | if write { PG_DIRTY } else { 0 },
                    owner: file,
                    index: idx,
                    ..Page::FREE
                };
                let swap_rec = match other {
                    Some(CacheSlot::Swap(slot)) => Some(slot),
                    _ => None,
                };
                let memcg = match swap_rec.map(|s| self.swap[s as usize].memcg) {
                    Some(rec) if rec != NO_MEMCG && self.memcgs[rec as usize].is_some() => rec,
                    _ => self.mm_memcg(mm),
                };
                if let Err(e) = self.mem_cgroup_charge(t, cpu, pid, pfn, memcg, true) {
                    self.free_page(pfn);
                    return Err(e);
                }
                if !self.mms.contains(mm as usize) {
                    self.uncharge_and_free(t, cpu, pfn);
                    return Err(FaultError::OomKilled);
                }
                if let Some(slot) = swap_rec {
                    self.swap_free_slot(t, cpu, slot);
                }
                self.page_cache.insert((file, idx), CacheSlot::Page(pfn));
                self.lru_cache_add(cpu, pfn);
                Ok(pfn)
            }
        }
    }

    /// Map a shmem page into `mm` (`page_add_file_rmap`): the first mapping makes it count as
    /// `mapped_file`.
    fn map_shared(&mut self, mm: u32, vpn: u64, pfn: u32, locked: bool) {
        self.mms[mm as usize].ptes.insert(vpn, Pte::Page(pfn));
        self.mms[mm as usize].file_rss += 1;
        self.shared_rmap.entry(pfn).or_default().push((mm, vpn));
        let pg = &mut self.pages[pfn as usize];
        pg.mapcount += 1;
        if pg.mapcount == 1
            && let Some(s) = pg.memcg_slot()
        {
            self.mc_mut(s).stat.mapped_file += 1;
        }
        if locked && !self.pages[pfn as usize].has(PG_UNEVICTABLE) {
            self.lru_move(pfn, PG_UNEVICTABLE | PG_MLOCKED, 0);
        }
    }

    /// `page_remove_rmap` for a shmem page mapped at `vpn` of `mm`.
    fn unmap_shared(&mut self, mm: u32, vpn: u64, pfn: u32) {
        if let Some(v) = self.shared_rmap.get_mut(&pfn) {
            v.retain(|&(m, a)| !(m == mm && a == vpn));
            if v.is_empty() {
                self.shared_rmap.remove(&pfn);
            }
        }
        let m = &mut self.mms[mm as usize];
        m.ptes.remove(&vpn);
        m.file_rss -= 1;
        let pg = &mut self.pages[pfn as usize];
        pg.mapcount -= 1;
        if pg.mapcount == 0 {
            if let Some(s) = pg.memcg_slot() {
                self.mc_mut(s).stat.mapped_file -= 1;
            }
            // munlock: the last locked mapping went away.
            if self.pages[pfn as usize].has(PG_MLOCKED) {
                self.lru_move(pfn, 0, PG_UNEVICTABLE | PG_MLOCKED);
            }
        }
    }

    /// `find_or_create_page` + `mark_page_accessed` for a regular file.
    fn find_or_create_cache_page<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Pid,
        file: u32,
        idx: u32,
        dirty: bool,
    ) -> Result<(), FaultError> {
        if let Some(CacheSlot::Page(pfn)) = self.page_cache.get(&(file, idx)).copied() {
            // mark_page_accessed: a second access to an inactive referenced page activates it.
            let pg = self.pages[pfn as usize];
            if pg.has(PG_REFERENCED) && !pg.has(PG_ACTIVE) && !pg.has(PG_UNEVICTABLE) {
                self.lru_move(pfn, PG_ACTIVE, PG_REFERENCED);
            } else {
                self.pages[pfn as usize].set(PG_REFERENCED);
            }
            if dirty {
                self.pages[pfn as usize].set(PG_DIRTY);
            }
            return Ok(());
        }
        let _f = trace::func(t, cpu, "add_to_page_cache_lru");
        let pfn = self.alloc_user_page(t, cpu, pid)?;
        self.pages[pfn as usize] = Page {
            flags: PG_REFERENCED | if dirty { PG_DIRTY } else { 0 },
            owner: file,
            index: idx,
            ..Page::FREE
        };
        let memcg = self.tasks.get(&pid).map_or(0, |t| t.memcg);
        if let Err(e) = self.mem_cgroup_charge(t, cpu, pid, pfn, memcg, true) {
            self.free_page(pfn);
            return Err(e);
        }
        if !self.tasks.contains_key(&pid) {
            self.uncharge_and_free(t, cpu, pfn);
            return Err(FaultError::OomKilled);
        }
        self.page_cache.insert((file, idx), CacheSlot::Page(pfn));
        self.lru_cache_add(cpu, pfn);
        Ok(())
    }

    // ---- teardown ----

    /// Uncharge a page, take it off the LRU and free the frame.
    pub(crate) fn uncharge_and_free<T: Tracer>(&mut self, t: &T, cpu: CpuId, pfn: u32) {
        self.lru_del(pfn);
        self.mem_cgroup_uncharge_page(t, cpu, pfn, false);
        self.free_page(pfn);
    }

    /// `zap_page_range` over `[first, first+n)` of `mm`, then drop the VMAs (split at the edges).
    pub(crate) fn unmap_range<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        mm: u32,
        first: u64,
        n: u64,
    ) {
        let end = first + n;
        self.zap_page_range(t, cpu, mm, first, n);
        // Split and remove VMAs.
        let overlapping: Vec<(u64, Vma)> = self.mms[mm as usize]
            .vmas
            .range(..end)
            .filter(|(s, v)| **s + v.pages > first)
            .map(|(&s, &v)| (s, v))
            .collect();
        let mut detached = Vec::new();
        for (s, v) in overlapping {
            let m = &mut self.mms[mm as usize];
            m.vmas.remove(&s);
            if s < first {
                m.vmas.insert(
                    s,
                    Vma {
                        pages: first - s,
                        ..v
                    },
                );
            }
            let vend = s + v.pages;
            if vend > end {
                let kind = match v.kind {
                    VmaKind::Anon => VmaKind::Anon,
                    VmaKind::Shared { file, pgoff } => VmaKind::Shared {
                        file,
                        pgoff: pgoff + (end - s) as u32,
                    },
                };
                m.vmas.insert(
                    end,
                    Vma {
                        pages: vend - end,
                        kind,
                        ..v
                    },
                );
            }
            if s >= first
                && vend <= end
                && let Some(shm) = v.shm
            {
                detached.push(shm);
            }
        }
        for shm in detached {
            self.shm_detach(t, cpu, shm);
        }
    }

    /// `zap_page_range`: drop every page-table entry in `[first, first+n)` of `mm`,
    /// uncharging and freeing private pages and swap entries. Allocation-free: it looks the next
    /// entry up instead of collecting them.
    pub(crate) fn zap_page_range<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        mm: u32,
        first: u64,
        n: u64,
    ) {
        let _f = trace::func(t, cpu, "zap_page_range");
        let end = first + n;
        let mut from = first;
        while let Some((&vpn, &pte)) = self.mms[mm as usize].ptes.range(from..end).next() {
            from = vpn + 1;
            match pte {
                Pte::Page(pfn) if self.pages[pfn as usize].has(PG_ANON) => {
                    let m = &mut self.mms[mm as usize];
                    m.ptes.remove(&vpn);
                    m.anon_rss -= 1;
                    self.uncharge_and_free(t, cpu, pfn);
                }
                Pte::Page(pfn) => self.unmap_shared(mm, vpn, pfn),
                Pte::Swap(slot) => {
                    let m = &mut self.mms[mm as usize];
                    m.ptes.remove(&vpn);
                    m.swap_ents -= 1;
                    self.swap_free_slot(t, cpu, slot);
                }
            }
        }
    }

    fn shm_detach<T: Tracer>(&mut self, t: &T, cpu: CpuId, shm: u32) {
        if let Some(seg) = self.shms.get_mut(&shm) {
            seg.nattch -= 1;
            if seg.nattch == 0 && seg.removed {
                let file = seg.file;
                self.shms.remove(&shm);
                self.truncate_file(t, cpu, file);
            }
        }
    }

    /// Drop a task's mm (`exit_mm` / `mmput` for the last user).
    pub(crate) fn drop_task_mm<T: Tracer>(&mut self, t: &T, cpu: CpuId, pid: Pid) {
        let Some(mm) = self.tasks.get_mut(&pid).and_then(|t| t.mm.take()) else {
            return;
        };
        self.exit_mmap(t, cpu, mm);
    }

    /// `exit_mmap`: unmap everything, then free the mm. Shared `/dev/zero` objects with no
    /// mapping left are freed.
    pub(crate) fn exit_mmap<T: Tracer>(&mut self, t: &T, cpu: CpuId, mm: u32) {
        let _f = trace::func(t, cpu, "exit_mmap");
        let vmas: Vec<(u64, Vma)> = self.mms[mm as usize]
            .vmas
            .iter()
            .map(|(&s, &v)| (s, v))
            .collect();
        for (s, v) in &vmas {
            self.unmap_range(t, cpu, mm, *s, v.pages);
        }
        self.mms.remove(mm as usize);
        // Anonymous shared objects (not SysV) die with their last mapping.
        for (_, v) in vmas {
            if let VmaKind::Shared { file, .. } = v.kind
                && v.shm.is_none()
                && !self.mms.iter().any(|(_, m)| {
                    m.vmas
                        .values()
                        .any(|x| matches!(x.kind, VmaKind::Shared { file: f, .. } if f == file))
                })
            {
                self.truncate_file(t, cpu, file);
            }
        }
    }

    /// Remove every page-cache page (and swapped shmem slot) of `file`.
    pub(crate) fn truncate_file<T: Tracer>(&mut self, t: &T, cpu: CpuId, file: u32) {
        let entries: Vec<((u32, u32), CacheSlot)> = self
            .page_cache
            .range((file, 0)..=(file, u32::MAX))
            .map(|(&k, &v)| (k, v))
            .collect();
        for (k, v) in entries {
            self.page_cache.remove(&k);
            match v {
                CacheSlot::Page(pfn) => {
                    // Unmap it everywhere first (only shmem pages are mapped).
                    if let Some(maps) = self.shared_rmap.get(&pfn).cloned() {
                        for (mm, vpn) in maps {
                            self.unmap_shared(mm, vpn, pfn);
                        }
                    }
                    self.uncharge_and_free(t, cpu, pfn);
                }
                CacheSlot::Swap(slot) => self.swap_free_slot(t, cpu, slot),
            }
        }
    }

    // ---- swap ----

    /// `swap_free` + `mem_cgroup_uncharge_swap`: release a slot and its memsw charge.
    pub(crate) fn swap_free_slot<T: Tracer>(&mut self, t: &T, cpu: CpuId, slot: u32) {
        let s = self.swap[slot as usize];
        debug_assert!(s.used);
        self.swap[slot as usize] = SwapSlot {
            used: false,
            memcg: NO_MEMCG,
        };
        self.swap_free.push(slot);
        if s.memcg != NO_MEMCG && self.memcgs[s.memcg as usize].is_some() {
            let _f = trace::func(t, cpu, "mem_cgroup_uncharge_swap");
            self.mc_mut(s.memcg).stat.swap -= 1;
            if self.charges_counters(s.memcg)
                && let Some(msw) = self.mc(s.memcg).counters.memsw.clone()
                && let Err(u) = msw.uncharge(Pages(1), t, cpu)
            {
                self.printk(Level::Warning, u.to_string());
            }
        }
    }

    /// Whether charges to this memcg touch its counters (the root is skipped 2.6.32+).
    pub(crate) fn charges_counters(&self, s: u16) -> bool {
        self.profile.root_charged || self.mc(s).parent.is_some()
    }
}

/// Global reclaim rounds before the global OOM killer runs.
const MEM_GLOBAL_RETRIES: usize = 3;
