//! The Kernel's memory machine with the counter backend its preset names: res_counter up to
//! 3.18, page_counter from 3.19.
//!
//! **Kernel:** memcg counted with `res_counter` (`kernel/res_counter.c`, bytes, one spinlock
//! per level) from 2.6.25 to 3.18, and with `page_counter` (`mm/page_counter.c`, pages,
//! lockless) from 3.19 (commit 3e32cb2e0a12 "mm: memcontrol: lockless page counters"), which
//! grew the cgroup-v2 protections `low` (4.16), `min` (4.18) and `high` by 6.6. The
//! difference is visible in the v1 files: `memory.limit_in_bytes` of an unlimited memcg reads
//! `9223372036854775807` (`RES_COUNTER_MAX`) before and `9223372036854771712`
//! (`PAGE_COUNTER_MAX` pages) after; a limit is rounded up to a page by res_counter
//! (`res_counter_memparse_write_strategy`) and down by page_counter (`page_counter_memparse`).
//!
//! **Design:** [`Memory`] is an enum over the two monomorphic machines
//! (`MemoryMachine<SpinResCounter, T>` and `MemoryMachine<PageCounter, T>`): each host call is
//! one `match` on the variant and then the machine's own, fully monomorphic, charge path, so
//! the Kernel keeps a single type (`Kernel<T>`, `Arc<Kernel>` in the shell) and no dynamic
//! dispatch enters the charge path. Code that needs the machine's generic parts (a closure over
//! `&MemCgroup<C>`) uses [`with_machine!`](crate::with_machine), which compiles its body once
//! per backend.

use std::sync::Arc;

use cgsim_counters::{
    PageCounter, PageCounterProfile, ProtectedPageCounter, ResCounterProfile, SpinResCounter,
};
use cgsim_ktypes::{Bytes, CpuId, Errno, Pages, Pid, Tracer};
use cgsim_memcg::profile::ThresholdCheck;
use cgsim_memcg::subsys::SubsysTable;
use cgsim_memcg::{
    FaultError, FileId, MachineConfig, MemEvents, MemFile, MemcgEventHook, MemcgEventView, MemcgId,
    MemcgProfile, MemoryMachine, OomNamer, ShmId, SwapArea,
};

/// Which counter the memory controller's `res` and `memsw` (v1) use, with its profile.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CounterBackend {
    /// `res_counter` (2.6.25–3.18), with the version's rules for `-1` and rounding.
    ResCounter(ResCounterProfile),
    /// `page_counter` (3.19+), with the version's spelling of unlimited and memparse suffixes.
    PageCounter(PageCounterProfile),
    /// The 6.6 `page_counter` with `min`, `low` and `high` (the cgroup-v2 memory controller).
    ProtectedPageCounter(PageCounterProfile),
}

impl CounterBackend {
    /// The counter's kernel name (`res_counter`, `page_counter`), as `--set counter=` takes it.
    pub fn name(self) -> &'static str {
        match self {
            CounterBackend::ResCounter(_) => "res_counter",
            CounterBackend::PageCounter(_) | CounterBackend::ProtectedPageCounter(_) => {
                "page_counter"
            }
        }
    }
}

/// The memory side of the kernel: one memory machine whose counter backend the preset chose.
pub enum Memory<T: Tracer> {
    /// res_counter with a spinlock per level (2.6.25–3.18).
    ResCounter(Arc<MemoryMachine<SpinResCounter, T>>),
    /// page_counter (3.19–5.x as v1 uses it).
    PageCounter(Arc<MemoryMachine<PageCounter, T>>),
    /// The 6.6 page_counter with the cgroup-v2 protections.
    ProtectedPageCounter(Arc<MemoryMachine<ProtectedPageCounter, T>>),
}

/// Run `$body` with `$m` bound to the `&Arc<MemoryMachine<C, T>>` inside a [`Memory`], whatever
/// its counter `C`: the body is compiled once per backend.
///
/// ```
/// use cgsim_cgroupfs::{BootParams, Kernel, KernelVersion, with_machine};
/// let k = Kernel::boot(BootParams::for_kernel(KernelVersion::V3_19));
/// let n = with_machine!(k.memory(), m => m.memcgs().len());
/// assert_eq!(n, 1);
/// ```
#[macro_export]
macro_rules! with_machine {
    ($mem:expr, $m:ident => $body:expr) => {
        match $mem {
            $crate::Memory::ResCounter($m) => $body,
            $crate::Memory::PageCounter($m) => $body,
            $crate::Memory::ProtectedPageCounter($m) => $body,
        }
    };
}

impl<T: Tracer> Clone for Memory<T> {
    fn clone(&self) -> Memory<T> {
        match self {
            Memory::ResCounter(m) => Memory::ResCounter(Arc::clone(m)),
            Memory::PageCounter(m) => Memory::PageCounter(Arc::clone(m)),
            Memory::ProtectedPageCounter(m) => Memory::ProtectedPageCounter(Arc::clone(m)),
        }
    }
}

impl<T: Tracer> Memory<T> {
    /// Boot the machine with `backend`'s counter.
    pub fn new(
        profile: MemcgProfile,
        backend: CounterBackend,
        cfg: MachineConfig,
        tracer: Arc<T>,
        klog: Arc<cgsim_ktypes::klog::Klog>,
        clock: Arc<cgsim_ktypes::klog::Clock>,
    ) -> Memory<T> {
        match backend {
            CounterBackend::ResCounter(p) => {
                Memory::ResCounter(MemoryMachine::new(profile, p, cfg, tracer, klog, clock))
            }
            CounterBackend::PageCounter(p) => {
                Memory::PageCounter(MemoryMachine::new(profile, p, cfg, tracer, klog, clock))
            }
            CounterBackend::ProtectedPageCounter(p) => Memory::ProtectedPageCounter(
                MemoryMachine::new(profile, p, cfg, tracer, klog, clock),
            ),
        }
    }

    /// The memory subsystems (`cpuset`..`memory` table with memcg at its id) bound to this
    /// machine.
    pub fn subsystems(&self) -> SubsysTable<T> {
        with_machine!(self, m => cgsim_memcg::subsys::memory_subsystems(Arc::clone(m)))
    }

    /// The counter's kernel name: `res_counter` or `page_counter`.
    pub fn counter_name(&self) -> &'static str {
        match self {
            Memory::ResCounter(_) => "res_counter",
            Memory::PageCounter(_) | Memory::ProtectedPageCounter(_) => "page_counter",
        }
    }

    /// The res_counter machine, if this boot uses it.
    pub fn as_res_counter(&self) -> Option<&Arc<MemoryMachine<SpinResCounter, T>>> {
        match self {
            Memory::ResCounter(m) => Some(m),
            _ => None,
        }
    }

    /// The page_counter machine, if this boot uses it.
    pub fn as_page_counter(&self) -> Option<&Arc<MemoryMachine<PageCounter, T>>> {
        match self {
            Memory::PageCounter(m) => Some(m),
            _ => None,
        }
    }

    /// The 6.6 machine (page_counter with protections), if this boot uses it.
    pub fn as_protected(&self) -> Option<&Arc<MemoryMachine<ProtectedPageCounter, T>>> {
        match self {
            Memory::ProtectedPageCounter(m) => Some(m),
            _ => None,
        }
    }

    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn with_event_view<R>(&self, f: impl FnOnce(&dyn MemcgEventView) -> R) -> R {
        with_machine!(self, m => m.with_event_view(f))
    }

    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn check_invariants(&self) {
        with_machine!(self, m => m.check_invariants())
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn swap_area(&self) -> Option<SwapArea> {
        with_machine!(self, m => m.swap_area())
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn swapoff(&self, current: Option<Pid>, cpu: CpuId) -> Result<(), Errno> {
        with_machine!(self, m => m.swapoff(current, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn swapon(&self) -> Result<(), Errno> {
        with_machine!(self, m => m.swapon())
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn profile(&self) -> MemcgProfile {
        with_machine!(self, m => m.profile())
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn config(&self) -> MachineConfig {
        with_machine!(self, m => m.config())
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    /// Share the machine's fault-injection state (`failslab`, `fail_page_alloc`) with it.
    pub fn set_fault_injection(&self, f: Arc<cgsim_ktypes::fault::FaultInjection>) {
        with_machine!(self, m => m.set_fault_injection(f))
    }

    /// Whether `memcg_check_events` is armed (some registration needs a check per page).
    pub fn page_events_armed(&self) -> bool {
        with_machine!(self, m => m.page_events_armed())
    }

    pub fn set_event_hook(&self, hook: Arc<dyn MemcgEventHook>) {
        with_machine!(self, m => m.set_event_hook(hook))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn set_thresholds_check(&self, mode: ThresholdCheck) {
        with_machine!(self, m => m.set_thresholds_check(mode))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn take_events(&self) -> MemEvents {
        with_machine!(self, m => m.take_events())
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn create_memcg(&self, parent: MemcgId) -> Result<MemcgId, Errno> {
        with_machine!(self, m => m.create_memcg(parent))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn remove_memcg(&self, id: MemcgId) -> Result<(), Errno> {
        with_machine!(self, m => m.remove_memcg(id))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn pre_destroy(&self, id: MemcgId) -> Result<(), Errno> {
        with_machine!(self, m => m.pre_destroy(id))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn destroy(&self, id: MemcgId) -> Result<(), Errno> {
        with_machine!(self, m => m.destroy(id))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn task_memcg(&self, pid: Pid) -> MemcgId {
        with_machine!(self, m => m.task_memcg(pid))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn parent(&self, id: MemcgId) -> Option<MemcgId> {
        with_machine!(self, m => m.parent(id))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn cpu_stock(&self, cpu: CpuId) -> Option<(MemcgId, Pages)> {
        with_machine!(self, m => m.cpu_stock(cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn cpu_pagevec_len(&self, cpu: CpuId) -> usize {
        with_machine!(self, m => m.cpu_pagevec_len(cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn memcgs(&self) -> Vec<MemcgId> {
        with_machine!(self, m => m.memcgs())
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn exists(&self, id: MemcgId) -> bool {
        with_machine!(self, m => m.exists(id))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn set_css(&self, id: MemcgId, css: Option<Arc<dyn std::any::Any + Send + Sync>>) {
        with_machine!(self, m => m.set_css(id, css))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn add_task(&self, pid: Pid, comm: &str, memcg: MemcgId) -> Result<(), Errno> {
        with_machine!(self, m => m.add_task(pid, comm, memcg))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn exec_mm(&self, pid: Pid, comm: &str, cpu: CpuId) -> Result<(), Errno> {
        with_machine!(self, m => m.exec_mm(pid, comm, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn fork_mm(&self, parent: Pid, child: Pid) -> Result<(), Errno> {
        with_machine!(self, m => m.fork_mm(parent, child))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn add_thread(&self, creator: Pid, tid: Pid) -> Result<(), Errno> {
        with_machine!(self, m => m.add_thread(creator, tid))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn exit_task(&self, pid: Pid, cpu: CpuId) {
        with_machine!(self, m => m.exit_task(pid, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn set_oom_score_adj(&self, pid: Pid, adj: i32) -> Result<(), Errno> {
        with_machine!(self, m => m.set_oom_score_adj(pid, adj))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn set_oom_adj(&self, pid: Pid, adj: i32) -> Result<(), Errno> {
        with_machine!(self, m => m.set_oom_adj(pid, adj))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn set_task_cred(&self, pid: Pid, uid: u32, privileged: bool) {
        with_machine!(self, m => m.set_task_cred(pid, uid, privileged))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn oom_score(&self, pid: Pid) -> Option<u64> {
        with_machine!(self, m => m.oom_score(pid))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn set_oom_namer(&self, namer: Arc<dyn OomNamer>) {
        with_machine!(self, m => m.set_oom_namer(namer))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn oom_waiting(&self, pid: Pid) -> Option<MemcgId> {
        with_machine!(self, m => m.oom_waiting(pid))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn oom_wait_interrupt(&self, pid: Pid) {
        with_machine!(self, m => m.oom_wait_interrupt(pid))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn task_mm_counts(&self, pid: Pid) -> Option<(u64, u64, u64, u64, u64)> {
        with_machine!(self, m => m.task_mm_counts(pid))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn fast_path_pages(&self) -> (u64, u64) {
        with_machine!(self, m => m.fast_path_pages())
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn lru_add_drain_all(&self) {
        with_machine!(self, m => m.lru_add_drain_all())
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn nr_free_pages(&self) -> u64 {
        with_machine!(self, m => m.nr_free_pages())
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn nr_free_swap(&self) -> u64 {
        with_machine!(self, m => m.nr_free_swap())
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn nr_reclaim_scanned(&self) -> u64 {
        with_machine!(self, m => m.nr_reclaim_scanned())
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn can_attach(&self, pid: Pid, to: MemcgId) -> Result<(), Errno> {
        with_machine!(self, m => m.can_attach(pid, to))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn cancel_attach(&self, pid: Pid, to: MemcgId) {
        with_machine!(self, m => m.cancel_attach(pid, to))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn attach(&self, pid: Pid, to: MemcgId) -> Result<(), Errno> {
        with_machine!(self, m => m.attach(pid, to))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn attach_task(&self, pid: Pid, to: MemcgId) -> Result<(), Errno> {
        with_machine!(self, m => m.attach_task(pid, to))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn fork_task(&self, child: Pid, memcg: MemcgId) {
        with_machine!(self, m => m.fork_task(child, memcg))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn read_u64(&self, id: MemcgId, file: MemFile) -> Result<u64, Errno> {
        with_machine!(self, m => m.read_u64(id, file))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn read_map(&self, id: MemcgId, file: MemFile) -> Result<Vec<(String, u64)>, Errno> {
        with_machine!(self, m => m.read_map(id, file))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn write_string(&self, id: MemcgId, file: MemFile, buf: &str) -> Result<(), Errno> {
        with_machine!(self, m => m.write_string(id, file, buf))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn write_u64(&self, id: MemcgId, file: MemFile, val: u64) -> Result<(), Errno> {
        with_machine!(self, m => m.write_u64(id, file, val))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn trigger(&self, id: MemcgId, file: MemFile) -> Result<(), Errno> {
        with_machine!(self, m => m.trigger(id, file))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn read_file(&self, id: MemcgId, name: &str) -> Result<String, Errno> {
        with_machine!(self, m => m.read_file(id, name))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn write_file(&self, id: MemcgId, name: &str, data: &[u8]) -> Result<usize, Errno> {
        with_machine!(self, m => m.write_file(id, name, data))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn mmap_anon(&self, pid: Pid, len: Bytes) -> Result<u64, Errno> {
        with_machine!(self, m => m.mmap_anon(pid, len))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn mmap_shared_zero(&self, pid: Pid, len: Bytes) -> Result<u64, Errno> {
        with_machine!(self, m => m.mmap_shared_zero(pid, len))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn munmap(&self, pid: Pid, addr: u64, len: Bytes, cpu: CpuId) -> Result<(), Errno> {
        with_machine!(self, m => m.munmap(pid, addr, len, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn madvise_dontneed(
        &self,
        pid: Pid,
        addr: u64,
        len: Bytes,
        cpu: CpuId,
    ) -> Result<(), Errno> {
        with_machine!(self, m => m.madvise_dontneed(pid, addr, len, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn mlock(&self, pid: Pid, addr: u64, len: Bytes, cpu: CpuId) -> Result<(), FaultError> {
        with_machine!(self, m => m.mlock(pid, addr, len, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine::mlock_resumable`]).
    pub fn mlock_resumable(
        &self,
        pid: Pid,
        addr: u64,
        len: Bytes,
        cpu: CpuId,
    ) -> Result<Option<cgsim_memcg::FaultSleep>, FaultError> {
        with_machine!(self, m => m.mlock_resumable(pid, addr, len, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine::touch_resumable`]).
    pub fn touch_resumable(
        &self,
        pid: Pid,
        addr: u64,
        len: Bytes,
        write: bool,
        cpu: CpuId,
    ) -> Result<Option<cgsim_memcg::FaultSleep>, FaultError> {
        with_machine!(self, m => m.touch_resumable(pid, addr, len, write, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine::touch_resumable_task`]).
    pub fn touch_resumable_task(
        &self,
        task: &mut cgsim_memcg::TaskRef,
        addr: u64,
        len: Bytes,
        write: bool,
        cpu: CpuId,
    ) -> Result<Option<cgsim_memcg::FaultSleep>, FaultError> {
        with_machine!(self, m => m.touch_resumable_task(task, addr, len, write, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn munlock(&self, pid: Pid, addr: u64, len: Bytes, cpu: CpuId) -> Result<(), Errno> {
        with_machine!(self, m => m.munlock(pid, addr, len, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn touch(
        &self,
        pid: Pid,
        addr: u64,
        len: Bytes,
        write: bool,
        cpu: CpuId,
    ) -> Result<(), FaultError> {
        with_machine!(self, m => m.touch(pid, addr, len, write, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn file_read(
        &self,
        pid: Pid,
        file: FileId,
        offset: u64,
        len: Bytes,
        cpu: CpuId,
    ) -> Result<(), FaultError> {
        with_machine!(self, m => m.file_read(pid, file, offset, len, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn file_write(
        &self,
        pid: Pid,
        file: FileId,
        offset: u64,
        len: Bytes,
        cpu: CpuId,
    ) -> Result<(), FaultError> {
        with_machine!(self, m => m.file_write(pid, file, offset, len, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn file_truncate(&self, file: FileId, cpu: CpuId) {
        with_machine!(self, m => m.file_truncate(file, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn shmget(&self, size: Bytes) -> Result<ShmId, Errno> {
        with_machine!(self, m => m.shmget(size))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn shmat(&self, pid: Pid, shm: ShmId) -> Result<u64, Errno> {
        with_machine!(self, m => m.shmat(pid, shm))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn shmdt(&self, pid: Pid, addr: u64, cpu: CpuId) -> Result<(), Errno> {
        with_machine!(self, m => m.shmdt(pid, addr, cpu))
    }
    /// Forwarded to the machine (see [`MemoryMachine`]).
    pub fn shm_rmid(&self, shm: ShmId, cpu: CpuId) -> Result<(), Errno> {
        with_machine!(self, m => m.shm_rmid(shm, cpu))
    }
}
