//! The `memory.high` penalty: the reclaim a task does on its way back to user space, the
//! throttling sleep it owes when reclaim cannot keep up, and the same sleep taken in the
//! middle of a large allocation.
//!
//! **Kernel:** `mm/memcontrol.c` (v6.6) `mem_cgroup_handle_over_high`, `reclaim_high`,
//! `calculate_overage`, `mem_find_max_overage`, `swap_find_max_overage`,
//! `calculate_high_delay`, `MEMCG_DELAY_PRECISION_SHIFT`, `MEMCG_DELAY_SCALING_SHIFT`,
//! `MEMCG_MAX_HIGH_DELAY_JIFFIES`; `try_charge_memcg` adds each batch charged over
//! `memory.high` to `current->memcg_nr_pages_over_high`, and once that is more than
//! `MEMCG_CHARGE_BATCH` pages, for an allocation that may block, calls
//! `mem_cgroup_handle_over_high` itself (the synchronous enforcement of v5.19+, which
//! `test_memcg_high_sync` of `tools/testing/selftests/cgroup/test_memcontrol.c` checks).
//!
//! The charge path (`memcontrol_v2.rs`) counts the `high` event and reclaims the batch right
//! after the charge, and adds the pages to [`crate::machine::CurrentTask`]'s
//! `nr_pages_over_high`. Two places then run `mem_cgroup_handle_over_high`, which computes the
//! penalty from the overage of the task's memcg and its ancestors (and of their swap over
//! `memory.swap.high`), retries reclaim as the kernel does (each retry a `high` event at
//! every level still over), and yields the jiffies the task must sleep
//! (`schedule_timeout_killable`, inside `psi_memstall_enter`/`psi_memstall_leave`):
//!
//! * the charge itself, when more than `MEMCG_CHARGE_BATCH` pages are owed and the fault loop
//!   in progress can sleep ([`MemoryMachine::touch_resumable`],
//!   [`MemoryMachine::mlock_resumable`]): the loop stops after the page and returns a
//!   [`FaultSleep`] ("sleep this long, then resume the fault at this address"), which the
//!   Kernel turns into a sleep on the simulated scheduler before it resumes the fault;
//! * the return to user space: when the simulated syscall returns, the Kernel calls
//!   [`MemoryMachine::mem_cgroup_handle_over_high`] for what is still owed.
//!
//! **Differences:** the first `reclaim_high` pass happens at the charge, so its result does
//! not count in the retry rule (`nr_reclaimed || nr_retries--`). Only anonymous faults and
//! `mlock` resume; the page cache (`write(2)`) and the machine's own
//! [`MemoryMachine::touch`] keep what they owe for the return to user space, as the kernel
//! did before v5.19. `CONFIG_HZ=250`, as `cgsim_cgroup::psi_group::HZ`.

use crate::counter_ext::MemCounter;
use crate::machine::MemoryMachine;
use crate::machine::World;
use crate::memcontrol::MemcgSlot;
use crate::memcontrol_v2::{MAX_RECLAIM_RETRIES, MemcgEvent};
use cgsim_ktypes::lockdep::{LockClass, Tracked};
use cgsim_ktypes::{CpuId, Pid, Tracer};

/// `CONFIG_HZ` of the simulated kernel (jiffies per second).
pub const HZ: u64 = 250;
/// `MEMCG_DELAY_PRECISION_SHIFT`.
pub const MEMCG_DELAY_PRECISION_SHIFT: u32 = 20;
/// `MEMCG_DELAY_SCALING_SHIFT`.
pub const MEMCG_DELAY_SCALING_SHIFT: u32 = 14;
/// `MEMCG_MAX_HIGH_DELAY_JIFFIES`: at most 2 s per return to user space.
pub const MEMCG_MAX_HIGH_DELAY_JIFFIES: u64 = 2 * HZ;
/// `MEMCG_CHARGE_BATCH`.
pub const MEMCG_CHARGE_BATCH: u64 = 64;

/// `calculate_overage(usage, high)`: how far over `high` usage is, as a fraction of `high`
/// with `MEMCG_DELAY_PRECISION_SHIFT` bits.
pub fn calculate_overage(usage: u64, high: u64) -> u64 {
    if usage <= high {
        return 0;
    }
    let high = high.max(1);
    ((usage - high) << MEMCG_DELAY_PRECISION_SHIFT) / high
}

/// `calculate_high_delay(memcg, nr_pages, max_overage)`: the square of the overage, scaled to
/// jiffies, in proportion to the pages this task charged over the limit.
pub fn calculate_high_delay(nr_pages: u64, max_overage: u64) -> u64 {
    if max_overage == 0 {
        return 0;
    }
    let mut penalty = max_overage.wrapping_mul(max_overage).wrapping_mul(HZ);
    penalty >>= MEMCG_DELAY_PRECISION_SHIFT;
    penalty >>= MEMCG_DELAY_SCALING_SHIFT;
    penalty * nr_pages / MEMCG_CHARGE_BATCH
}

impl<C: MemCounter> World<C> {
    /// `mem_find_max_overage` (`swap` false) or `swap_find_max_overage` (`swap` true): the
    /// largest overage from `s` up to, not including, the root.
    fn find_max_overage(&self, s: MemcgSlot, swap: bool) -> u64 {
        let mut max = 0;
        let mut x = Some(s);
        while let Some(m) = x {
            let mc = self.mc(m);
            if mc.parent.is_none() {
                break;
            }
            let overage = if swap {
                calculate_overage(mc.v2.swap_usage, mc.v2.swap_high)
            } else {
                match mc.counters.res.as_protected() {
                    Some(c) => calculate_overage(c.read().0, c.high().0),
                    None => 0,
                }
            };
            max = max.max(overage);
            x = mc.parent;
        }
        max
    }

    /// `reclaim_high(memcg, nr_pages)`: a `high` event and reclaim at every level still over
    /// `memory.high`; the pages reclaimed.
    fn reclaim_high<T: Tracer>(&mut self, t: &T, cpu: CpuId, s: MemcgSlot, nr_pages: u64) -> u64 {
        let mut reclaimed = 0;
        let mut x = Some(s);
        while let Some(m) = x {
            let parent = self.mc(m).parent;
            if parent.is_none() {
                break;
            }
            let over = self
                .mc(m)
                .counters
                .res
                .as_protected()
                .is_some_and(|c| c.read().0 > c.high().0);
            if over {
                self.memcg_memory_event(m, MemcgEvent::High);
                reclaimed += self.try_to_free_mem_cgroup_pages_v2(t, cpu, m, nr_pages);
            }
            x = parent;
        }
        reclaimed
    }
}

/// A fault loop stopped in the middle to sleep: the synchronous `mem_cgroup_handle_over_high`
/// of `try_charge_memcg` (v6.6) wants the task to sleep `jiffies` (`schedule_timeout_killable`
/// in a memory stall), after which the fault resumes at `resume` (a page-aligned address; the
/// end of the range when the sleep came with its last page).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaultSleep {
    /// `penalty_jiffies`, at most `MEMCG_MAX_HIGH_DELAY_JIFFIES`.
    pub jiffies: u64,
    /// The address of the first page not faulted yet.
    pub resume: u64,
}

impl<C: MemCounter> World<C> {
    /// `mem_cgroup_handle_over_high` for `nr_pages` owed in memcg `s`: reclaim retries while
    /// the penalty is worth a sleep, then the penalty (0: no sleep).
    pub(crate) fn handle_over_high_penalty<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        s: MemcgSlot,
        nr_pages: u64,
    ) -> u64 {
        let _f = cgsim_ktypes::trace::func(t, cpu, "mem_cgroup_handle_over_high");
        let mut nr_retries = MAX_RECLAIM_RETRIES;
        let mut nr_reclaimed = 0;
        loop {
            let mut penalty = calculate_high_delay(nr_pages, self.find_max_overage(s, false));
            penalty += calculate_high_delay(nr_pages, self.find_max_overage(s, true));
            let penalty = penalty.min(MEMCG_MAX_HIGH_DELAY_JIFFIES);
            // Not worth a sleep: a small overage reclaim may still catch up with.
            if penalty <= HZ / 100 {
                return 0;
            }
            // Reclaim making progress is preferred to throttling.
            let retry = nr_reclaimed > 0 || {
                let r = nr_retries > 0;
                nr_retries = nr_retries.saturating_sub(1);
                r
            };
            if !retry {
                return penalty;
            }
            nr_reclaimed = self.reclaim_high(t, cpu, s, crate::SWAP_CLUSTER_MAX);
        }
    }

    /// The end of `try_charge_memcg` (v6.6): `if (current->memcg_nr_pages_over_high >
    /// MEMCG_CHARGE_BATCH && gfpflags_allow_blocking(gfp_mask)) mem_cgroup_handle_over_high()`.
    /// The sleep it ends in cannot happen under the world's lock: it is left in
    /// `current.sleep_jiffies` for the fault loop, which stops after the page
    /// ([`FaultSleep`]). Only a loop that can resume sets `current.may_sleep`.
    pub(crate) fn try_charge_sync_over_high<T: Tracer>(&mut self, t: &T, cpu: CpuId, s: MemcgSlot) {
        if !self.current.may_sleep || self.current.nr_pages_over_high <= MEMCG_CHARGE_BATCH {
            return;
        }
        let nr_pages = std::mem::take(&mut self.current.nr_pages_over_high);
        let jiffies = self.handle_over_high_penalty(t, cpu, s, nr_pages);
        self.current.sleep_jiffies =
            (self.current.sleep_jiffies + jiffies).min(MEMCG_MAX_HIGH_DELAY_JIFFIES);
    }
}

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// Whether the task returning to user space owes anything (`current->memcg_nr_pages_over_high`
    /// is not 0): the test `mem_cgroup_handle_over_high` makes first (v6.6: `if
    /// (likely(!nr_pages)) return;`), on the world's read side, so the common return of a
    /// memory syscall takes neither the write side nor any lock of the caller's.
    pub fn over_high_pending(&self) -> bool {
        let w = Tracked::new(LockClass::MemcgWorld, || self.world.read());
        w.current.nr_pages_over_high != 0 || w.current.deferred_jiffies != 0
    }

    /// `mem_cgroup_handle_over_high` on the way back to user space after a syscall of `pid`:
    /// 0 if the task owes nothing, else the jiffies it must sleep (`penalty_jiffies`, at most
    /// `MEMCG_MAX_HIGH_DELAY_JIFFIES`) after reclaim could not bring the overage down.
    pub fn mem_cgroup_handle_over_high(&self, pid: Pid, cpu: CpuId) -> u64 {
        let mut w = self.lock();
        let deferred = std::mem::take(&mut w.current.deferred_jiffies);
        let nr_pages = std::mem::take(&mut w.current.nr_pages_over_high);
        if nr_pages == 0 {
            return deferred.min(MEMCG_MAX_HIGH_DELAY_JIFFIES);
        }
        let Some(s) = w.tasks.get(&pid).map(|t| t.memcg) else {
            return 0;
        };
        let t = &*self.tracer;
        let penalty = w.handle_over_high_penalty(t, cpu, s, nr_pages);
        (penalty + deferred).min(MEMCG_MAX_HIGH_DELAY_JIFFIES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_formula() {
        // 20% over: overage 0.2 << 20 = 209715; 209715^2 * 250 >> 34 = 639 jiffies per batch.
        let o = calculate_overage(1536, 1280);
        assert_eq!(o, (256 << 20) / 1280);
        assert_eq!(o, 209_715);
        assert_eq!(
            calculate_high_delay(64, o),
            (209_715u64 * 209_715 * 250) >> 34
        );
        assert_eq!(calculate_high_delay(64, o), 639);
        assert_eq!(calculate_high_delay(16, o), 639 * 16 / 64);
        // 1% over one page of 64: 0.01^2 * 250 / 2^14... rounds to 0.
        assert_eq!(calculate_high_delay(1, calculate_overage(1010, 1000)), 0);
        assert_eq!(calculate_overage(5, 5), 0);
        // high 0 acts as 1 page.
        assert_eq!(calculate_overage(2, 0), 1 << 20);
    }
}
