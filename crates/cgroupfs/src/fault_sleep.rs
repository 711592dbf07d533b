//! A memory call that sleeps in the middle: the sleep the memcg charge path asks for (the
//! synchronous `memory.high` enforcement of 6.6) taken on the simulated scheduler, and the
//! fault resumed after it at the page where it stopped.
//!
//! **Kernel:** `mm/memcontrol.c` (v6.6) `try_charge_memcg` → `mem_cgroup_handle_over_high` →
//! `schedule_timeout_killable(penalty_jiffies)` between `psi_memstall_enter` and
//! `psi_memstall_leave`, in the middle of a fault loop (`mlock`'s `__mm_populate` →
//! `get_user_pages` → `handle_mm_fault`, or the task's own faults); the task is in state D
//! (`TASK_KILLABLE`) meanwhile and the other tasks run.
//!
//! The machine's resumable fault loops (`MemoryMachine::touch_resumable`,
//! `MemoryMachine::mlock_resumable`) return a `FaultSleep`: "sleep N jiffies, then resume the
//! fault at address P". One mechanism carries it out for every caller:
//!
//! * a task driven synchronously (no program: a command the shell runs in place) sleeps at
//!   once: the clock moves N jiffies in a memory stall while the programs run, then the loop
//!   resumes at P within the same call;
//! * a program's task (its code runs in a scheduler step, which cannot block) owes the sleep
//!   (`Task::throttle_owed`), slept in state D in a memory stall as soon as its step returns
//!   (`Kernel::psi_throttle`); the call fails with EINTR and leaves a restart record
//!   ([`FaultRestart`], as the kernel's `restart_block` resumes an interrupted system call), so
//!   that the program's next call with the same range resumes at P. Every simulated program
//!   retries a memory call that failed with EINTR when it runs again (as after a memcg OOM
//!   wait), so what the program sees is one call that slept in the middle;
//! * a call that cannot be restarted (the populate of `mmap(MAP_LOCKED)`, which returns the
//!   address whatever happens) owes the sleep to its return to user space and goes on.
//!
//! **Differences:** a program's sleep starts when its step ends rather than at the page
//! (nothing happens in between: a program makes no other call after the EINTR); a restart
//! record lives until the task's next `touch`/`mlock` (one for another range drops it).

use crate::Kernel;
use crate::task::Sched;
use cgsim_cgroup::psi_group::NSEC_PER_JIFFY;
use cgsim_ktypes::{Bytes, CpuId, Pid, Tracer};
use cgsim_memcg::{FaultError, TaskRef};

/// Which fault loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FaultOp {
    /// The task's own writes (`do_page_fault` → `handle_mm_fault`).
    Touch,
    /// `mlock`'s populate (`__mm_populate` → `get_user_pages`).
    Mlock,
}

/// A fault that stopped to sleep: a call of `op` on `[addr, addr + len)` resumes at `resume`.
#[derive(Clone, Copy, Debug)]
pub struct FaultRestart {
    op: FaultOp,
    addr: u64,
    len: u64,
    resume: u64,
}

/// How a resumable fault ended.
pub(crate) enum Faulted {
    /// The range is in, or the fault failed.
    Done(Result<(), FaultError>),
    /// Stopped to sleep (owed at the end of the program's step); the next call of the same
    /// range resumes.
    Restart,
}

impl<T: Tracer> Kernel<T> {
    /// Fault `[addr, addr + len)` with `op`, taking the sleeps the charge path asks for
    /// (see the module documentation). `restartable`: the call may end with
    /// [`Faulted::Restart`]. Also returns the bytes this call went through (for its CPU time).
    pub(crate) fn fault_sleeping(
        &self,
        cur: &mut TaskRef,
        cpu: CpuId,
        op: FaultOp,
        addr: u64,
        len: u64,
        restartable: bool,
    ) -> (Faulted, u64) {
        let pid = cur.pid();
        let end = addr.saturating_add(len);
        let mut from = addr;
        if restartable {
            let mut st = self.lock_state();
            if let Some(r) = st.fault_restart.remove(&pid)
                && r.op == op
                && r.addr == addr
                && r.len == len
            {
                from = r.resume.clamp(addr, end);
            }
        }
        let start = from;
        loop {
            let r = match op {
                FaultOp::Touch => {
                    self.mem
                        .touch_resumable_task(cur, from, Bytes(end - from), true, cpu)
                }
                FaultOp::Mlock => self.mem.mlock_resumable(pid, from, Bytes(end - from), cpu),
            };
            let sleep = match r {
                Ok(Some(s)) => s,
                Ok(None) => return (Faulted::Done(Ok(())), end - start),
                Err(e) => return (Faulted::Done(Err(e)), end - start),
            };
            let next = sleep.resume.clamp(from, end);
            // Victims and wake-ups of the charges so far go out before the task sleeps.
            self.mem_events();
            let slept = self.over_high_sleep(pid, cpu, sleep.jiffies);
            if next >= end {
                return (Faulted::Done(Ok(())), end - start);
            }
            if slept || !restartable {
                from = next;
                continue;
            }
            self.lock_state().fault_restart.insert(
                pid,
                FaultRestart {
                    op,
                    addr,
                    len,
                    resume: next,
                },
            );
            return (Faulted::Restart, next - start);
        }
    }

    /// `schedule_timeout_killable(jiffies)` inside `psi_memstall_enter`/`psi_memstall_leave`
    /// (`mem_cgroup_handle_over_high`, 6.6) for `pid`: a task without a program sleeps now
    /// (true: the clock moved, the other programs ran); a program's task owes it until its
    /// step returns (false). A task that is gone sleeps nothing (true).
    pub(crate) fn over_high_sleep(&self, pid: Pid, cpu: CpuId, jiffies: u64) -> bool {
        if jiffies == 0 {
            return true;
        }
        let synchronous = {
            let mut st = self.lock_state();
            let Some(t) = st.tasks.get_mut(&pid).filter(|t| !t.is_zombie()) else {
                return true;
            };
            if t.sched == Sched::NoProgram
                && self.stepping.lock().is_none()
                && crate::threaded::current().is_none()
            {
                true
            } else {
                t.throttle_owed += jiffies;
                false
            }
        };
        if synchronous {
            let now = self.clock.now_nanos();
            self.psi
                .memstall_enter(pid, cpu.0 as usize, self.psi_chain(pid), now);
            self.sched_advance_clock(jiffies * NSEC_PER_JIFFY, &mut || false);
            self.psi.memstall_leave(pid, self.clock.now_nanos());
        }
        synchronous
    }
}
