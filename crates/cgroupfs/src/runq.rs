//! The scheduler's queues: which tasks a scheduling round has to look at.
//!
//! **Kernel:** the run queue (`struct rq` of `kernel/sched.c`), the timers a sleeping task
//! sets (`schedule_timeout` → `add_timer`, `kernel/timer.c`) and the wait queues a task
//! sleeping in `poll`/`read` is hooked on (`poll_wait` → `add_wait_queue` with
//! `default_wake_function`, `fs/select.c`, `fs/eventfd.c`), v2.6.35. A wake-up touches the
//! woken task only, so a scheduler pass costs what the woken tasks cost, however many tasks
//! sleep.
//! **Differences:** each queue is a superset of the tasks in its state: an entry whose task has
//! since changed state (killed, reaped, woken by a signal, moved to a memcg OOM wait) is dropped
//! when a round meets it, so code that takes a task *out* of a state needs no queue update;
//! code that puts a task *into* `Runnable`, `SleepUntil` or `WaitReadable` must call
//! [`SchedQueue::enqueue`] (or [`SchedQueue::wait_eventfd`]). A task waiting on a file that is
//! not an eventfd (a pipe, or a file that is always ready) is polled every round, as before:
//! such waits are short-lived (pipeline stages) and few.

use crate::task::Sched;
use cgsim_eventfd::{EventfdCtx, WaitQueueId};
use cgsim_ktypes::Pid;
use parking_lot::Mutex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Weak};

/// The tasks each scheduler state holds (supersets; see the module documentation).
#[derive(Default)]
pub struct SchedQueue {
    /// Tasks made runnable since the last round (`enqueue_task` on the run queue).
    runq: BTreeSet<Pid>,
    /// `(deadline, pid)` of sleeping tasks, earliest first (the timer list).
    timers: BTreeSet<(u64, Pid)>,
    /// Tasks waiting on a file that is not an eventfd: polled every round.
    polled: BTreeSet<Pid>,
    /// Tasks waiting on an eventfd: their entry on its wait queue.
    eventfd_waits: BTreeMap<Pid, (Weak<EventfdCtx>, WaitQueueId)>,
    /// Pids whose eventfd wait entry was called since the last round
    /// (`default_wake_function`). A leaf lock: the wake-up runs under the waker's locks.
    woken: Arc<Mutex<Vec<Pid>>>,
}

impl SchedQueue {
    /// `pid` has just been put in state `sched`: queue it where the next round will find it.
    /// A `WaitReadable` task queued here is polled every round; use
    /// [`SchedQueue::wait_eventfd`] for a wait on an eventfd.
    pub fn enqueue(&mut self, pid: Pid, sched: Sched) {
        match sched {
            Sched::Runnable => {
                self.runq.insert(pid);
            }
            Sched::SleepUntil(when) => {
                self.timers.insert((when, pid));
            }
            Sched::WaitReadable(_) | Sched::WaitWritable(_) | Sched::WaitPri(_) | Sched::Polled => {
                self.polled.insert(pid);
            }
            Sched::NoProgram | Sched::OomWait | Sched::Zombie => {}
        }
    }

    /// `pid` waits until `ctx` polls readable: hook it on the eventfd's wait queue, so only a
    /// wake-up of that eventfd makes a round look at it. The next round checks it once anyway
    /// (the readiness may have changed between its failed read and this call).
    pub fn wait_eventfd(&mut self, pid: Pid, ctx: &Arc<EventfdCtx>) {
        self.forget_eventfd_wait(pid);
        let woken = Arc::clone(&self.woken);
        let id = ctx.add_wait_queue(Box::new(move |_key| woken.lock().push(pid)));
        self.eventfd_waits.insert(pid, (Arc::downgrade(ctx), id));
        self.woken.lock().push(pid);
    }

    /// Unhook `pid` from the eventfd it waited on, if any.
    pub fn forget_eventfd_wait(&mut self, pid: Pid) {
        if let Some((ctx, id)) = self.eventfd_waits.remove(&pid)
            && let Some(ctx) = ctx.upgrade()
        {
            ctx.remove_wait_queue(id);
        }
    }

    /// `pid` exits while in state `sched`: drop what it has queued.
    pub fn forget(&mut self, pid: Pid, sched: Sched) {
        self.runq.remove(&pid);
        self.polled.remove(&pid);
        if let Sched::SleepUntil(when) = sched {
            self.timers.remove(&(when, pid));
        }
        self.forget_eventfd_wait(pid);
    }

    /// The tasks a round must look at, in ascending pid order: every task queued runnable,
    /// every sleeper whose deadline is at or before `now`, every polled waiter and every
    /// eventfd waiter woken since the last round. The run queue, the expired timers and the
    /// wake-ups are consumed; polled waiters stay polled until
    /// [`SchedQueue::stop_waiting`].
    pub fn candidates(&mut self, now: u64) -> BTreeSet<Pid> {
        let mut out = std::mem::take(&mut self.runq);
        while let Some(&(when, pid)) = self.timers.first() {
            if when > now {
                break;
            }
            self.timers.pop_first();
            out.insert(pid);
        }
        out.extend(self.polled.iter().copied());
        out.extend(self.woken.lock().drain(..));
        out
    }

    /// `pid` stopped waiting (woken, or no longer in `WaitReadable`).
    pub fn stop_waiting(&mut self, pid: Pid) {
        self.polled.remove(&pid);
        self.forget_eventfd_wait(pid);
    }

    /// The earliest deadline in `(after, until]`; `is_current(when, pid)` tells whether a
    /// timer entry still matches its task, and stale entries met on the way are dropped.
    pub fn next_deadline(
        &mut self,
        after: u64,
        until: u64,
        is_current: impl Fn(u64, Pid) -> bool,
    ) -> Option<u64> {
        loop {
            let &(when, pid) = self
                .timers
                .range((after.saturating_add(1), Pid(i32::MIN))..)
                .next()?;
            if when > until {
                return None;
            }
            if is_current(when, pid) {
                return Some(when);
            }
            self.timers.remove(&(when, pid));
        }
    }
}
