//! The deterministic scheduler for simulated programs.
//!
//! **Kernel:** stands in for `kernel/sched.c` and the sleep/wake-up paths (`schedule_timeout`,
//! `poll_wait`/`wake_up`): a program is a state machine that runs until it would block.
//! Determinism rule: [`Kernel::run_until_idle`] runs rounds; in each round every runnable program
//! that the cpu controller lets run (`fair.rs`: its groups eligible by weight, none throttled)
//! is stepped once, in ascending pid order, with a list fixed at the start of the round (a
//! program woken during a round runs in the next one); when every runnable program is
//! throttled the CPUs idle until the next period timer expiry. Sleepers whose deadline has passed and
//! waiters whose fd polls readable become runnable at the start of a round. Each step costs
//! simulated CPU time on its task's CPU, and a round moves the clock to when its busiest CPU
//! finished (`cputime.rs`). Rounds stop when nothing is runnable, when the CPUs have run the
//! runnable tasks for [`SLICE_NS`] (they stay queued: the caller, the shell, gets its CPU
//! back), or after [`MAX_ROUNDS`] rounds in a row that moved no time, with a warning in the
//! kernel log (livelock guard). [`Kernel::advance_clock`] moves the clock from deadline to
//! deadline, running the woken programs at each one (busy tasks move it on their own), so the
//! order of events never depends on the host.
//! **Locking:** a program is taken out of `Kernel::programs` and stepped with no lock held, so
//! it can make any syscall; `Kernel::programs` and `Kernel::state` are never held together
//! except in the order `state` -> `programs` (in `deliver`, the lock is dropped in between).

use crate::cputime::SLICE_NS;
use crate::file::FileKind;
use crate::state::State;
use crate::task::Sched;
use crate::{Fd, Kernel, Program, Step, WaitStatus};
use cgsim_ktypes::klog::Level;
use cgsim_ktypes::{Pid, Tracer};

/// The livelock guard of [`Kernel::run_until_idle`]: rounds in a row that moved no time.
pub const MAX_ROUNDS: usize = 10_000;

impl<T: Tracer> Kernel<T> {
    pub(crate) fn sched_spawn(&self, pid: Pid, program: Box<dyn Program<T>>) {
        let mut st = self.lock_state();
        match st.tasks.get_mut(&pid).filter(|t| !t.is_zombie()) {
            Some(t) => {
                t.sched = Sched::Runnable;
                st.sched_q.enqueue(pid, Sched::Runnable);
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
    /// pids in ascending order. Only the tasks the queues name are looked at
    /// ([`crate::runq::SchedQueue`]): a round costs what its woken tasks cost, not the number
    /// of tasks.
    fn runnable(&self) -> Vec<Pid> {
        let mut guard = self.lock_state();
        let st = &mut *guard;
        let now = self.clock.now_nanos();
        let mut out = Vec::new();
        let mut polled = Vec::new();
        for pid in st.sched_q.candidates(now) {
            let Some(sched) = st.tasks.get(&pid).map(|t| t.sched) else {
                st.sched_q.stop_waiting(pid);
                continue;
            };
            // A task in a frozen cgroup (cgroup.freeze, 6.6) or frozen by the v1 freezer
            // (`freezer.state`) is not run until thawed; it stays queued, so the first round
            // after the thaw finds it.
            // Lock order: Kernel::state -> cgroup_mutex.
            if matches!(
                sched,
                Sched::Runnable
                    | Sched::SleepUntil(_)
                    | Sched::WaitReadable(_)
                    | Sched::WaitWritable(_)
                    | Sched::WaitPri(_)
                    | Sched::Polled
            ) && (self.cgroups.task_frozen(pid) || self.frozen.is_frozen(pid))
            {
                st.sched_q.enqueue(pid, sched);
                continue;
            }
            let wake = match sched {
                Sched::Runnable => true,
                // The end of a memory.high penalty sleep: back to what the task was doing.
                Sched::SleepUntil(t) if t <= now && st.tasks[&pid].throttled.is_some() => {
                    if self.psi_throttle_end(st, pid) {
                        out.push(pid);
                    }
                    continue;
                }
                Sched::SleepUntil(t) => t <= now,
                Sched::WaitPri(fd) => {
                    let ready = self.fd_pri_ready(st, pid, fd);
                    if ready {
                        st.sched_q.stop_waiting(pid);
                    }
                    ready
                }
                Sched::WaitReadable(fd) | Sched::WaitWritable(fd) => {
                    let ready = if matches!(sched, Sched::WaitReadable(_)) {
                        self.fd_readable(st, pid, fd.0)
                    } else {
                        self.fd_writable(st, pid, fd.0)
                    };
                    if ready {
                        st.sched_q.stop_waiting(pid);
                    }
                    ready
                }
                // Asked below, with no lock held (the program's `ready` makes syscalls).
                Sched::Polled => {
                    polled.push(pid);
                    false
                }
                Sched::NoProgram | Sched::Zombie | Sched::OomWait => {
                    st.sched_q.stop_waiting(pid);
                    false
                }
            };
            if wake {
                st.tasks.get_mut(&pid).expect("listed").sched = Sched::Runnable;
                out.push(pid);
            }
        }
        drop(guard);
        if polled.is_empty() {
            return out;
        }
        for pid in polled {
            let Some(mut prog) = self.programs.lock().remove(&pid) else {
                continue;
            };
            let ready = prog.ready(self, pid);
            self.programs.lock().entry(pid).or_insert(prog);
            if ready {
                let mut st = self.lock_state();
                if let Some(t) = st.tasks.get_mut(&pid).filter(|t| t.sched == Sched::Polled) {
                    t.sched = Sched::Runnable;
                    st.sched_q.stop_waiting(pid);
                    out.push(pid);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// [`Kernel::fd_readable`] for the threaded tasks' polls.
    pub(crate) fn sched_fd_readable(&self, st: &State<T>, pid: Pid, fd: i32) -> bool {
        self.fd_readable(st, pid, fd)
    }

    /// [`Kernel::fd_writable`] for the threaded tasks' polls.
    pub(crate) fn sched_fd_writable(&self, st: &State<T>, pid: Pid, fd: i32) -> bool {
        self.fd_writable(st, pid, fd)
    }

    /// Would a read of `fd` not block? A closed fd counts as ready, so the program sees EBADF.
    fn fd_readable(&self, st: &State<T>, pid: Pid, fd: i32) -> bool {
        let Some(e) = st.tasks.get(&pid).and_then(|t| t.fds.get(&fd)) else {
            return true;
        };
        match st.files.get(&e.file).map(|f| &f.kind) {
            Some(FileKind::Eventfd(ef)) => self.efd_readable(ef),
            Some(FileKind::Inotify(ino)) => self.inotify_readable(st, pid, ino),
            Some(FileKind::Pipe(p)) => p.readable(),
            _ => true,
        }
    }

    /// Step `pid` once if it is runnable or waits on an fd that is readable now; `false` if it
    /// was not (for the process events connector's listeners).
    pub(crate) fn sched_run_one_if_ready(&self, pid: Pid) -> bool {
        {
            let mut st = self.lock_state();
            let Some(sched) = st.tasks.get(&pid).map(|t| t.sched) else {
                return false;
            };
            let ready = match sched {
                Sched::Runnable => true,
                Sched::WaitReadable(fd) => self.fd_readable(&st, pid, fd.0),
                Sched::WaitPri(fd) => self.fd_pri_ready(&mut st, pid, fd),
                _ => false,
            };
            if !ready {
                return false;
            }
            st.tasks.get_mut(&pid).expect("listed").sched = Sched::Runnable;
        }
        self.step_one(pid);
        true
    }

    /// Would a write to `fd` not block? Only a full pipe with a reader blocks.
    fn fd_writable(&self, st: &State<T>, pid: Pid, fd: i32) -> bool {
        let Some(e) = st.tasks.get(&pid).and_then(|t| t.fds.get(&fd)) else {
            return true;
        };
        match st.files.get(&e.file).map(|f| &f.kind) {
            Some(FileKind::Pipe(p)) => p.writable(),
            _ => true,
        }
    }

    /// If `fd` of `pid` is a pipe end: whether it is full (writes would wait).
    pub(crate) fn sched_pipe_ends(&self, pid: Pid, fd: Fd) -> Option<bool> {
        let st = self.lock_state();
        let e = st.tasks.get(&pid).and_then(|t| t.fds.get(&fd.0))?;
        match st.files.get(&e.file).map(|f| &f.kind) {
            Some(FileKind::Pipe(p)) => Some(p.full()),
            _ => None,
        }
    }

    /// For synchronous code waiting to read `fd`: run the programs, and if the fd is still
    /// not readable move the clock to the next sleeper's wake-up. False when nothing can
    /// change (no program runnable, no sleeper).
    pub(crate) fn sched_progress(&self, pid: Pid, fd: Fd) -> bool {
        let busy = self.sched_run_until_idle();
        if self.fd_readable(&self.lock_state(), pid, fd.0) || busy {
            return true;
        }
        let now = self.clock.now_nanos();
        let next = self
            .state
            .lock()
            .tasks
            .values()
            .filter_map(|t| match t.sched {
                Sched::SleepUntil(w) if w > now => Some(w),
                _ => None,
            })
            .min();
        match next {
            Some(w) => {
                self.clock.advance_to(w);
                self.sched_run_until_idle();
                true
            }
            None => false,
        }
    }

    /// Run rounds until nothing is runnable (false), or until the CPUs have run the runnable
    /// tasks for [`SLICE_NS`] (true: some are still runnable).
    pub(crate) fn sched_run_until_idle(&self) -> bool {
        let limit = self.clock.now_nanos().saturating_add(SLICE_NS);
        self.sched_run_rounds(limit)
    }

    /// Run rounds until nothing is runnable (false) or the clock reaches `limit` with tasks
    /// still runnable (true). Each round's CPU time moves the clock (`cputime.rs`).
    fn sched_run_rounds(&self, limit: u64) -> bool {
        // A threaded task's code runs inside its own step: the scheduler that stepped it goes
        // on when it blocks, so it never runs a nested round. Nor does a program's step that
        // makes a synchronous call waiting on others.
        if crate::threaded::current().is_some() || self.cpu_in_round() {
            return false;
        }
        // The livelock guard counts rounds that moved no time (every step costs CPU time, so
        // a round that ran something moves the clock; `SLICE_NS` bounds those).
        let mut idle_rounds = 0;
        while idle_rounds < MAX_ROUNDS {
            let runnable = self.runnable();
            self.psi_deliver_pending();
            if runnable.is_empty() {
                self.cpu_round_begin();
                self.cpu_round_end(&[]);
                return false;
            }
            if self.clock.now_nanos() >= limit {
                // Preempted: still queued for the next round.
                let mut st = self.lock_state();
                for pid in runnable {
                    if st.tasks.get(&pid).map(|t| t.sched) == Some(Sched::Runnable) {
                        st.sched_q.enqueue(pid, Sched::Runnable);
                    }
                }
                return true;
            }
            let before = self.clock.now_nanos();
            // The cpu controller's weights and bandwidth decide who runs (`fair.rs`); the
            // others stay queued, waiting for a CPU.
            let mut pick = self.fair_pick(runnable, before);
            let mut waiting = std::mem::take(&mut pick.wait);
            self.sched_requeue(waiting.iter().map(|w| w.0));
            if pick.run.is_empty() {
                // Every runnable task is throttled: the CPUs idle until the period timer may
                // hand runtime back, a sleeper wakes, or the caller's limit.
                let next = {
                    let mut guard = self.lock_state();
                    let st = &mut *guard;
                    let tasks = &st.tasks;
                    st.sched_q.next_deadline(before, limit, |w, pid| {
                        tasks.get(&pid).map(|t| t.sched) == Some(Sched::SleepUntil(w))
                    })
                };
                let target = pick
                    .until
                    .unwrap_or(limit)
                    .min(limit)
                    .min(next.unwrap_or(u64::MAX))
                    .max(before + 1);
                self.psi_cpu_waiting(&waiting, before, target);
                pick.account_throttled(target - before);
                self.clock.advance_to(target);
                continue;
            }
            self.cpu_round_begin();
            for &pid in &pick.run {
                // A group throttled by a step earlier in this round runs no more.
                if self.fair_throttled(pid, self.clock.now_nanos()) {
                    let cpu = self.task_cpu(pid).map_or(0, |c| c.0 as usize);
                    self.sched_requeue([pid]);
                    waiting.push((pid, cpu));
                    continue;
                }
                self.step_one(pid);
            }
            self.cpu_round_end(&waiting);
            pick.account_throttled(self.clock.now_nanos() - before);
            if self.clock.now_nanos() == before {
                idle_rounds += 1;
            }
        }
        self.klog.printk(
            &self.clock,
            Level::Warning,
            format!(
                "sched: run_until_idle: still runnable after {MAX_ROUNDS} rounds without time passing (livelock guard)"
            ),
        );
        false
    }

    /// Tasks that stay runnable without running this round: queued for the next one.
    fn sched_requeue(&self, pids: impl IntoIterator<Item = Pid>) {
        let mut st = self.lock_state();
        for pid in pids {
            if st.tasks.get(&pid).map(|t| t.sched) == Some(Sched::Runnable) {
                st.sched_q.enqueue(pid, Sched::Runnable);
            }
        }
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
        // A program may be stepped from inside another's step (a threaded task's `fork` runs
        // the process events listeners): the outer one is stepping again afterwards.
        let outer = self.stepping.lock().replace(pid);
        let step = prog.step(self, pid);
        *self.stepping.lock() = outer;
        self.cpu_charge(pid, 0, crate::cputime::STEP_NS);
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
            Step::WaitWritable(fd) => t.sched = Sched::WaitWritable(fd),
            Step::WaitPri(fd) => t.sched = Sched::WaitPri(fd),
            Step::Poll => t.sched = Sched::Polled,
            Step::Exit(code) => {
                self.do_exit(&mut st, pid, WaitStatus::Exited(code & 0xff));
                self.unlock(st);
                return;
            }
        }
        let sched = t.sched;
        self.queue_after_step(&mut st, pid, sched);
        // The return to user space: a memory.high penalty owed by the step is slept now.
        self.psi_throttle(&mut st, pid);
        drop(st);
        // A program that made another run as its task during the step (a threaded shell task
        // executing `yes`: `execve`) is replaced by it.
        self.programs.lock().entry(pid).or_insert(prog);
    }

    /// Queue `pid` for the state its step left it in; a wait on an eventfd hooks the task on
    /// the eventfd's wait queue (`poll_wait`), any other wait is polled every round.
    fn queue_after_step(&self, st: &mut State<T>, pid: Pid, sched: Sched) {
        if let Sched::WaitReadable(fd) = sched {
            let ctx = st
                .tasks
                .get(&pid)
                .and_then(|t| t.fds.get(&fd.0))
                .and_then(|e| st.files.get(&e.file))
                .and_then(|f| match &f.kind {
                    FileKind::Eventfd(ef) => Some(std::sync::Arc::clone(ef.ctx())),
                    _ => None,
                });
            if let Some(ctx) = ctx {
                st.sched_q.wait_eventfd(pid, &ctx);
                return;
            }
        }
        st.sched_q.enqueue(pid, sched);
    }

    pub(crate) fn sched_advance_clock(&self, nanos: u64, done: &mut dyn FnMut() -> bool) {
        if crate::threaded::current().is_some() {
            return;
        }
        let target = self.clock.now_nanos().saturating_add(nanos);
        let mut busy = self.sched_run_until_idle();
        loop {
            if done() {
                return;
            }
            // Runnable tasks keep the CPUs busy: their rounds move the clock, up to the
            // target (a sleeper's deadline that passes meanwhile wakes it in the next round).
            if busy && self.clock.now_nanos() < target {
                let next = {
                    let mut guard = self.lock_state();
                    let st = &mut *guard;
                    let tasks = &st.tasks;
                    st.sched_q
                        .next_deadline(self.clock.now_nanos(), target, |w, pid| {
                            tasks.get(&pid).map(|t| t.sched) == Some(Sched::SleepUntil(w))
                        })
                        .unwrap_or(target)
                };
                busy = self.sched_run_rounds(next);
                continue;
            }
            if self.clock.now_nanos() >= target {
                break;
            }
            let next = {
                // Deadlines at or before now were handled by run_until_idle (or the livelock
                // guard stopped it): only later ones move the clock.
                let mut guard = self.lock_state();
                let st = &mut *guard;
                let tasks = &st.tasks;
                let next = st
                    .sched_q
                    .next_deadline(self.clock.now_nanos(), target, |w, pid| {
                        tasks.get(&pid).map(|t| t.sched) == Some(Sched::SleepUntil(w))
                    });
                // A program polling a PSI trigger is woken at the tick of the work that
                // generates the event: stop the clock at the PSI works' timers too.
                // Only looked for while some trigger exists, so a clock step stays cheap.
                let pollers = self.psi.has_triggers()
                    && tasks.values().any(|t| matches!(t.sched, Sched::WaitPri(_)));
                drop(guard);
                let now = self.clock.now_nanos();
                let psi = pollers
                    .then(|| self.psi_next_timer())
                    .flatten()
                    .filter(|&w| w > now && w <= target);
                match (next, psi) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            };
            match next {
                Some(w) => {
                    self.clock.advance_to(w);
                    busy = self.sched_run_until_idle();
                }
                None => break,
            }
        }
        self.clock.advance_to(target);
        self.sched_run_until_idle();
    }
}

impl<T: Tracer> Kernel<T> {
    /// The `ps` state of `t`: a task frozen by the v1 freezer waits in the refrigerator in
    /// `TASK_UNINTERRUPTIBLE` (`kernel/freezer.c` `refrigerator`, v2.6.35), so it shows `D`.
    pub(crate) fn task_proc_state(&self, t: &crate::task::Task) -> crate::ProcState {
        if !t.is_zombie() && self.frozen.is_frozen(t.pid) {
            return crate::ProcState::Uninterruptible;
        }
        t.proc_state()
    }
}
