//! The fast path's `current`: a task handle that holds what a fault needs of its task (the mm
//! and the memcg), so that a call need not look the task up by pid.
//!
//! **Kernel:** a fault or a `madvise` runs in the task's own context: `do_page_fault` reads
//! `current->mm` (`arch/x86/mm/fault.c`, v2.6.34), and the charge path reaches the memcg from
//! the mm (`mm/memcontrol.c` `try_get_mem_cgroup_from_mm`, through `mm->owner`, v2.6.34) and
//! checks `test_thread_flag(TIF_MEMDIE)` (`__mem_cgroup_try_charge`, v2.6.34), all without a
//! pid lookup (`find_task_by_vpid` is for calls that name another task).
//! **Differences:** the host calls the machine from outside any task, so the handle is a value
//! the host keeps per task ([`MemoryMachine::current`]): the pid, the task's mm, its memcg and
//! the task table's generation when these were read. A call checks the generation with one
//! compare under the CPU's shard of the world lock; the task table moves it on with every
//! change to any task (fork, exec, exit, an attach to another memcg, the OOM killer's
//! `TIF_MEMDIE`, `mm->owner`'s task leaving), so a handle that may be stale is never trusted:
//! the call then looks the task up by pid exactly as the pid API does, and the handle is
//! refreshed for the next call. A call with a handle therefore gives the same result as the
//! same call with the pid, whatever happened to the task in between.
//! **Locking:** the handle is read and refreshed under the CPU's shard of the world lock (the
//! read side: no task can change while it is held); see `machine.rs`.

use crate::counter_ext::MemCounter;
use crate::machine::{FaultError, MemoryMachine, World};
use crate::memcontrol::MemcgSlot;
use crate::mm::MmId;
use cgsim_ktypes::lockdep::{LockClass, Tracked};
use cgsim_ktypes::trace::Tracer;
use cgsim_ktypes::{Bytes, CpuId, Errno, Pid};

/// A handle to a task for the fault fast path: the kernel's `current` (see the module docs).
///
/// Get one with [`MemoryMachine::current`] and pass it by `&mut` to
/// [`MemoryMachine::touch_task`] and [`MemoryMachine::madvise_dontneed_task`]; those behave
/// exactly as [`touch`](MemoryMachine::touch) and
/// [`madvise_dontneed`](MemoryMachine::madvise_dontneed) with the handle's pid, and refresh the
/// handle when the task changed since it was taken. A handle belongs to the machine that gave
/// it; on another machine it never validates, so it only costs a pid lookup there.
///
/// ```
/// use cgsim_counters::SpinResCounter;
/// use cgsim_ktypes::klog::{Clock, Klog};
/// use cgsim_ktypes::trace::NoTrace;
/// use cgsim_ktypes::{Bytes, CpuId, PAGE_SIZE, Pid};
/// use cgsim_memcg::{MemcgId, MemoryMachine};
/// use std::sync::Arc;
///
/// let m = MemoryMachine::<SpinResCounter, NoTrace>::new(
///     Default::default(),
///     Default::default(),
///     Default::default(),
///     Arc::new(NoTrace),
///     Arc::new(Klog::default()),
///     Arc::new(Clock::default()),
/// );
/// m.add_task(Pid(1), "init", MemcgId::ROOT).unwrap();
/// m.exec_mm(Pid(1), "init", CpuId(0)).unwrap();
/// let a = m.create_memcg(MemcgId::ROOT).unwrap();
/// let len = Bytes(4 * PAGE_SIZE);
/// let addr = m.mmap_anon(Pid(1), len).unwrap();
/// let mut cur = m.current(Pid(1)).unwrap();
/// m.touch_task(&mut cur, addr, len, true, CpuId(0)).unwrap();
/// m.madvise_dontneed_task(&mut cur, addr, len, CpuId(0)).unwrap();
/// // The task moves: the handle is stale, the next call finds out and charges the new memcg.
/// m.attach_task(Pid(1), a).unwrap();
/// m.touch_task(&mut cur, addr, len, true, CpuId(0)).unwrap();
/// assert_eq!(m.read_file(a, "usage_in_bytes").unwrap().trim(), (4 * PAGE_SIZE).to_string());
/// ```
#[doc(alias = "current")]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TaskRef {
    pub(crate) pid: Pid,
    /// The task table's generation when `mm` and `memcg` were read; 0 (no table's) when the
    /// task could not take the fast path then (unknown, no mm, or an OOM victim).
    pub(crate) generation: u64,
    pub(crate) mm: MmId,
    pub(crate) memcg: MemcgSlot,
}

impl TaskRef {
    /// A handle that knows only the pid: its first use looks the task up (as the pid API).
    pub fn from_pid(pid: Pid) -> TaskRef {
        TaskRef {
            pid,
            generation: 0,
            mm: MmId(0),
            memcg: MemcgSlot::ROOT,
        }
    }

    /// The task's pid.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// Refresh from the task table, under the world lock (either side): what a fast call needs
    /// of the task, or `None` (and a handle that stays unvalidated) if the task cannot fault on
    /// the fast path now: unknown, without an mm, or chosen by the OOM killer (`TIF_MEMDIE`).
    #[inline]
    pub(crate) fn refresh<C: MemCounter>(&mut self, w: &World<C>) -> Option<()> {
        self.generation = 0;
        let t = w.tasks.get(&self.pid)?;
        if t.memdie {
            return None;
        }
        self.mm = t.mm?;
        self.memcg = t.memcg;
        self.generation = w.tasks.generation();
        Some(())
    }
}

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// The handle of `pid` (the kernel's `current` for the fast path; see [`TaskRef`]).
    /// `None` for an unknown pid. A task without an mm, or an OOM victim, gets a handle all
    /// the same: its calls go where the pid API's go (ESRCH, the slow path).
    pub fn current(&self, pid: Pid) -> Option<TaskRef> {
        // The read side: the task table cannot change while it is held.
        let w = Tracked::new(LockClass::MemcgWorld, || self.world.read());
        w.tasks.get(&pid)?;
        let mut task = TaskRef::from_pid(pid);
        let _ = task.refresh(&w);
        Some(task)
    }

    /// [`touch`](Self::touch) for the task of `task`: the same result, without a pid lookup
    /// while the handle is valid.
    ///
    /// ```
    /// use cgsim_ktypes::{Bytes, CpuId, PAGE_SIZE, Pid};
    /// use cgsim_memcg::{MemcgId, MemoryMachine};
    /// use cgsim_ktypes::klog::{Clock, Klog};
    /// use cgsim_ktypes::trace::NoTrace;
    /// use std::sync::Arc;
    ///
    /// let m = MemoryMachine::<cgsim_counters::SpinResCounter, NoTrace>::new(
    ///     Default::default(),
    ///     Default::default(),
    ///     Default::default(),
    ///     Arc::new(NoTrace),
    ///     Arc::new(Klog::default()),
    ///     Arc::new(Clock::default()),
    /// );
    /// m.add_task(Pid(1), "init", MemcgId::ROOT).unwrap();
    /// m.exec_mm(Pid(1), "init", CpuId(0)).unwrap();
    /// let addr = m.mmap_anon(Pid(1), Bytes(4 * PAGE_SIZE)).unwrap();
    /// // Once per task (or after fork/exec, though a stale handle is only slower).
    /// let mut cur = m.current(Pid(1)).unwrap();
    /// for _ in 0..3 {
    ///     m.touch_task(&mut cur, addr, Bytes(4 * PAGE_SIZE), true, CpuId(0)).unwrap();
    ///     m.madvise_dontneed_task(&mut cur, addr, Bytes(4 * PAGE_SIZE), CpuId(0)).unwrap();
    /// }
    /// assert_eq!(m.task_mm_counts(Pid(1)).unwrap().0, 0);
    /// ```
    #[inline]
    pub fn touch_task(
        &self,
        task: &mut TaskRef,
        addr: u64,
        len: Bytes,
        write: bool,
        cpu: CpuId,
    ) -> Result<(), FaultError> {
        self.fault_range_resumable(task, addr, len, write, cpu, true, false)
            .map(|_| ())
    }

    /// [`touch_resumable`](Self::touch_resumable) for the task of `task`.
    pub fn touch_resumable_task(
        &self,
        task: &mut TaskRef,
        addr: u64,
        len: Bytes,
        write: bool,
        cpu: CpuId,
    ) -> Result<Option<crate::FaultSleep>, FaultError> {
        self.fault_range_resumable(task, addr, len, write, cpu, true, true)
    }

    /// [`madvise_dontneed`](Self::madvise_dontneed) for the task of `task`: the same result,
    /// without a pid lookup while the handle is valid.
    #[inline]
    pub fn madvise_dontneed_task(
        &self,
        task: &mut TaskRef,
        addr: u64,
        len: Bytes,
        cpu: CpuId,
    ) -> Result<(), Errno> {
        self.madvise_dontneed_ref(task, addr, len, cpu)
    }
}
