//! The deterministic scheduler for simulated programs.
//!
//! **Kernel:** stands in for `kernel/sched.c` and the sleep/wake-up paths (`schedule_timeout`,
//! `poll_wait`/`wake_up`): a program is a state machine that runs until it would block.
//! Determinism rule: [`Kernel::run_until_idle`] runs rounds; in each round every runnable program
//! is stepped once, in ascending pid order, with a list fixed at the start of the round (a
//! program woken during a round runs in the next one). Sleepers whose deadline has passed and
//! waiters whose fd polls readable become runnable at the start of a round. Rounds stop when
//! nothing is runnable, or after [`MAX_ROUNDS`] with a warning in the kernel log (livelock
//! guard). [`Kernel::advance_clock`] moves the clock from deadline to deadline, running the
//! woken programs at each one, so the order of events never depends on the host.
//! **Locking:** a program is taken out of `Kernel::programs` and stepped with no lock held, so
//! it can make any syscall; `Kernel::programs` and `Kernel::state` are never held together
//! except in the order `state` -> `programs` (in `deliver`, the lock is dropped in between).

use crate::file::FileKind;
use crate::state::State;
use crate::task::Sched;
use crate::{Kernel, Program, Step, WaitStatus};
use cgsim_ktypes::klog::Level;
use cgsim_ktypes::{Pid, Tracer};

/// The livelock guard of [`Kernel::run_until_idle`].
pub const MAX_ROUNDS: usize = 10_000;

impl<T: Tracer> Kernel<T> {
    pub(crate) fn sched_spawn(&self, pid: Pid, program: Box<dyn Program<T>>) {
        let mut st = self.lock_state();
        match st.tasks.get_mut(&pid).filter(|t| !t.is_zombie()) {
            Some(t) => {
                t.sched = Sched::Runnable;
                drop(st);
                self.programs.lock().insert(pid, program);
            }
            None => {
                drop(st);
                self.klog.printk(
                    &self.clock,
                    Level::Warning,
                    format!("sched: spawn_program: no live process {pid}; program dropped"),
                );
            }
        }
    }

    /// Wake sleepers whose time has come and waiters whose fd is readable; return the runnable
    /// pids in ascending order.
    fn runnable(&self) -> Vec<Pid> {
        let mut st = self.lock_state();
        let now = self.clock.now_nanos();
        let pids: Vec<Pid> = st.tasks.keys().copied().collect();
        let mut out = Vec::new();
        for pid in pids {
            let sched = st.tasks[&pid].sched;
            let wake = match sched {
                Sched::Runnable => true,
                Sched::SleepUntil(t) => t <= now,
                Sched::WaitReadable(fd) => self.fd_readable(&st, pid, fd.0),
                Sched::NoProgram | Sched::Zombie | Sched::OomWait => false,
            };
            if wake {
                st.tasks.get_mut(&pid).expect("listed").sched = Sched::Runnable;
                out.push(pid);
            }
        }
        out
    }

    /// Would a read of `fd` not block? A closed fd counts as ready, so the program sees EBADF.
    fn fd_readable(&self, st: &State<T>, pid: Pid, fd: i32) -> bool {
        let Some(e) = st.tasks.get(&pid).and_then(|t| t.fds.get(&fd)) else {
            return true;
        };
        match st.files.get(&e.file).map(|f| &f.kind) {
            Some(FileKind::Eventfd(ef)) => self.efd_readable(ef),
            Some(FileKind::Pipe(p)) => p.readable(),
            _ => true,
        }
    }

    pub(crate) fn sched_run_until_idle(&self) {
        for _ in 0..MAX_ROUNDS {
            let runnable = self.runnable();
            if runnable.is_empty() {
                return;
            }
            for pid in runnable {
                self.step_one(pid);
            }
        }
        self.klog.printk(
            &self.clock,
            Level::Warning,
            format!(
                "sched: run_until_idle: still runnable after {MAX_ROUNDS} rounds (livelock guard)"
            ),
        );
    }

    fn step_one(&self, pid: Pid) {
        // Still runnable? (A program earlier in this round may have killed it.)
        {
            let st = self.lock_state();
            if st.tasks.get(&pid).map(|t| t.sched) != Some(Sched::Runnable) {
                return;
            }
        }
        let Some(mut prog) = self.programs.lock().remove(&pid) else {
            // Runnable without a program: nothing to run.
            let mut st = self.lock_state();
            if let Some(t) = st
                .tasks
                .get_mut(&pid)
                .filter(|t| t.sched == Sched::Runnable)
            {
                t.sched = Sched::NoProgram;
            }
            return;
        };
        let step = prog.step(self, pid);
        let mut st = self.lock_state();
        let Some(t) = st.tasks.get_mut(&pid).filter(|t| !t.is_zombie()) else {
            // The program exited or was killed during its step: it dies with the process.
            return;
        };
        let now = self.clock.now_nanos();
        if t.sched == Sched::OomWait && !matches!(step, Step::Exit(_)) {
            // The step's fault put the task on a memcg OOM wait queue: it stays asleep (D)
            // until memcg_oom_recover wakes it, then runs again to retry.
            drop(st);
            self.programs.lock().insert(pid, prog);
            return;
        }
        match step {
            Step::Yield => t.sched = Sched::Runnable,
            Step::SleepUntil(when) if when <= now => t.sched = Sched::Runnable,
            Step::SleepUntil(when) => t.sched = Sched::SleepUntil(when),
            Step::WaitReadable(fd) => t.sched = Sched::WaitReadable(fd),
            Step::Exit(code) => {
                self.do_exit(&mut st, pid, WaitStatus::Exited(code & 0xff));
                self.unlock(st);
                return;
            }
        }
        drop(st);
        self.programs.lock().insert(pid, prog);
    }

    pub(crate) fn sched_advance_clock(&self, nanos: u64, done: &mut dyn FnMut() -> bool) {
        let target = self.clock.now_nanos().saturating_add(nanos);
        self.sched_run_until_idle();
        loop {
            if done() {
                return;
            }
            let next = {
                let st = self.lock_state();
                st.tasks
                    .values()
                    .filter_map(|t| match t.sched {
                        // Deadlines at or before now were handled by run_until_idle (or
                        // the livelock guard stopped it): only later ones move the clock.
                        Sched::SleepUntil(w) if w > self.clock.now_nanos() && w <= target => {
                            Some(w)
                        }
                        _ => None,
                    })
                    .min()
            };
            match next {
                Some(w) => {
                    self.clock.advance_to(w);
                    self.sched_run_until_idle();
                }
                None => break,
            }
        }
        self.clock.advance_to(target);
        self.sched_run_until_idle();
    }
}
