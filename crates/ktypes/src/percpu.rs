//! Per-CPU data: an array of cache-padded slots indexed by a simulated CPU id.
//!
//! **Kernel:** `DEFINE_PER_CPU`, `this_cpu_ptr`, `get_cpu_var` (`include/linux/percpu.h`).
//! **Differences:** the CPU is an explicit argument instead of the current processor, which keeps
//! the model free of `unsafe` and of `thread_local!` (measured 3.8× slower for the charge stock,
//! see `docs/benchmarks.md`). The caller guarantees that only one thread uses a CPU's slot at a
//! time, as disabling preemption does in the kernel; the slot's lock is therefore uncontended.
//! The one exception is [`smp_processor_id`] for the cgroup core's structural operations
//! (mount, mkdir, rmdir, control-file writes, attach, fork and exit callbacks): the Kernel
//! enters the calling task's CPU with [`run_on`] around each call into the core, which reads it
//! once per operation to label its trace lines and to fill the subsystems' callback context
//! (`SubsysCtx::cpu`, `CftCtx::cpu`). The fault and charge paths never read it.

use crossbeam_utils::CachePadded;
use parking_lot::Mutex;

/// A simulated CPU number.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CpuId(pub u32);

impl CpuId {
    /// The boot CPU (`boot_cpu_id`): where `start_kernel`, and with it `cgroup_init`, runs.
    pub const BOOT: CpuId = CpuId(0);

    pub fn index(self) -> usize {
        self.0 as usize
    }
}

std::thread_local! {
    /// The simulated CPU this host thread is running a task's kernel code on.
    static THIS_CPU: std::cell::Cell<CpuId> = const { std::cell::Cell::new(CpuId::BOOT) };
}

/// `smp_processor_id()`: the CPU the current task runs on while its syscall is in the kernel,
/// as entered with [`run_on`]; the boot CPU outside any such call (boot, and users of the core
/// alone, which has no scheduler).
pub fn smp_processor_id() -> CpuId {
    THIS_CPU.with(|c| c.get())
}

/// Run this host thread's kernel code on `cpu` (the calling task's `task_cpu(current)`) until
/// the guard drops; the previous CPU comes back then, so calls nest.
pub fn run_on(cpu: CpuId) -> OnCpu {
    OnCpu(THIS_CPU.with(|c| c.replace(cpu)))
}

/// Restores the previous [`smp_processor_id`] when dropped (see [`run_on`]).
#[must_use]
pub struct OnCpu(CpuId);

impl Drop for OnCpu {
    fn drop(&mut self) {
        THIS_CPU.with(|c| c.set(self.0));
    }
}

/// One `T` per simulated CPU, each on its own cache line.
///
/// Access by exclusive borrow (`get_mut`) is free; shared access from several threads goes
/// through `lock`, an uncontended lock standing in for `get_cpu()`/`put_cpu()`.
#[derive(Debug)]
pub struct PerCpu<T> {
    slots: Box<[CachePadded<Mutex<T>>]>,
}

impl<T> PerCpu<T> {
    /// One slot per CPU, each built by `init`.
    pub fn new(nr_cpus: usize, mut init: impl FnMut(CpuId) -> T) -> PerCpu<T> {
        let slots = (0..nr_cpus)
            .map(|c| CachePadded::new(Mutex::new(init(CpuId(c as u32)))))
            .collect();
        PerCpu { slots }
    }

    /// `nr_cpu_ids`.
    pub fn nr_cpus(&self) -> usize {
        self.slots.len()
    }

    /// `get_cpu_var`: lock this CPU's slot (uncontended when each thread owns its CPU).
    ///
    /// # Panics
    /// If `cpu` is not a CPU of this machine: a simulator bug, never user input.
    pub fn lock(&self, cpu: CpuId) -> parking_lot::MutexGuard<'_, T> {
        self.slots[cpu.index()].lock()
    }

    /// Exclusive access without locking.
    pub fn get_mut(&mut self, cpu: CpuId) -> &mut T {
        self.slots[cpu.index()].get_mut()
    }

    /// `for_each_possible_cpu`.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (CpuId, &mut T)> {
        self.slots
            .iter_mut()
            .enumerate()
            .map(|(i, s)| (CpuId(i as u32), s.get_mut()))
    }
}
