//! Threaded tasks: a simulated task whose code is ordinary straight-line Rust (the shell's
//! interpreter running a pipeline stage or a background job) running on its own host thread,
//! scheduled by the deterministic scheduler exactly like a state-machine [`Program`].
//!
//! **Kernel:** stands in for a task that calls `schedule()` from deep inside a system call
//! (`pipe_read`/`pipe_write` sleeping in `pipe_wait`, `do_wait` sleeping for a child,
//! `fs/pipe.c` and `kernel/exit.c`, v2.6.35): the task's whole call stack stays where it was
//! while other tasks run, and it resumes there when woken.
//!
//! **How:** [`ThreadedTask`] is the task's [`Program`]. Its thread waits for the baton before
//! it runs anything; [`Program::step`] hands the baton over and waits until the thread hands it
//! back, either because the code finished or because it called [`block`] (the kernel calls it
//! for a read of an empty pipe or a write to a full one; the shell for `wait`). So exactly one
//! host thread runs simulated code at any moment, the scheduler decides which (in pid order,
//! round by round), and a transcript is the same on every run, byte for byte: threads never
//! race, they take turns at points fixed by the simulation. No `unsafe` is involved: the baton
//! is a pair of channels.
//!
//! A task killed while its thread is parked (SIGKILL, SIGPIPE, `kill` without a trap) drops its
//! program, which tells the thread to die: the thread unwinds its stack with
//! [`std::panic::resume_unwind`] (no panic message) and is joined. A thread whose own task
//! dies during its turn (a write that raised SIGPIPE) unwinds the same way at its next system
//! call ([`unwind_if_dead`]).
//!
//! When the simulation ends (the shell that started the tasks is dropped: a script's end, an
//! explorer session's end), [`Kernel::end_threaded_tasks`] drops the programs of the tasks
//! still parked, which wakes each thread with the same "die" message: it unwinds, dropping
//! what it holds (the shell's `Arc` of the kernel among them), and is joined. Nothing
//! simulated happens (no exit, no signal), so no transcript changes; it is the host-side
//! counterpart of the kernel's memory going away at power-off.
//!
//! **Differences:** a threaded task runs until it blocks, as a program's step does, except
//! that [`yield_now`] lets the shell give up the baton every so many commands, so an endless
//! loop of builtins in the background does not keep the other tasks from running.

use crate::state::State;
use crate::{Fd, Kernel, Program, Signal, Step};
use cgsim_ktypes::{Pid, Tracer};
use std::cell::RefCell;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

/// The host stack each threaded task's thread gets. The shell's recursion bounds and its
/// heap-growing stack segments (`stacker`) keep deep recursion off it.
pub const THREAD_STACK: usize = 8 << 20;

/// What a parked thread waits for before it can run again.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BlockOn {
    /// Nothing: run again in the next round (a periodic yield).
    Yield,
    /// The simulated clock reaching this many nanoseconds since boot.
    Until(u64),
    /// `fd` of `pid` polling readable (`pid` is the task or a process its code runs as).
    Readable(Pid, Fd),
    /// `fd` of `pid` polling writable.
    Writable(Pid, Fd),
    /// A child of the first pid (the second, or any) that `waitpid` can reap, or none left.
    Child(Pid, Option<Pid>),
    /// The same, or the simulated clock reaching the third (ns since boot), whichever comes
    /// first (`timeout` waiting for its command).
    ChildUntil(Pid, Option<Pid>, u64),
}

enum ToThread {
    Run,
    Die,
}

enum FromThread {
    Blocked(BlockOn),
    /// The code finished: `Some(status)` to exit with, `None` when it replaced itself with a
    /// program (`execve`).
    Done(Option<i32>),
}

/// The payload a dying thread unwinds with.
struct Killed;

struct Baton {
    pid: Pid,
    rx: Receiver<ToThread>,
    tx: Sender<FromThread>,
}

thread_local! {
    static BATON: RefCell<Option<Baton>> = const { RefCell::new(None) };
}

/// The task this host thread runs, if it is a threaded task's thread.
pub fn current() -> Option<Pid> {
    BATON.with(|b| b.borrow().as_ref().map(|b| b.pid))
}

/// Park this thread until the scheduler runs its task again with `on` satisfied. Returns
/// `false` (and does nothing) on a thread that is not a threaded task's.
pub fn block(on: BlockOn) -> bool {
    let parked = BATON.with(|b| {
        let b = b.borrow();
        let b = b.as_ref()?;
        if b.tx.send(FromThread::Blocked(on)).is_err() {
            return Some(false);
        }
        Some(matches!(b.rx.recv(), Ok(ToThread::Run)))
    });
    match parked {
        None => false,
        Some(true) => true,
        Some(false) => std::panic::resume_unwind(Box::new(Killed)),
    }
}

/// Give up the baton for one round (see the module's Differences).
pub fn yield_now() {
    block(BlockOn::Yield);
}

/// On a threaded task's thread whose task has died (a signal during its own turn), unwind the
/// thread: nothing it would still do can be seen.
pub fn unwind_if_dead<T: Tracer>(k: &Kernel<T>) {
    if let Some(pid) = current()
        && !k.task_alive(pid)
    {
        std::panic::resume_unwind(Box::new(Killed));
    }
}

/// A signal handler for a threaded task (the shell's traps): `true` if it caught the signal.
pub type SignalHook = Box<dyn FnMut(Pid, Signal) -> bool + Send>;

/// The [`Program`] of a task whose code runs on its own thread.
pub struct ThreadedTask {
    tx: Sender<ToThread>,
    rx: Receiver<FromThread>,
    thread: Option<JoinHandle<()>>,
    waiting: Option<BlockOn>,
    on_signal: Option<SignalHook>,
}

impl ThreadedTask {
    /// A task `pid` whose code is `body` (run on its own thread, from its first step on);
    /// `body` returns the exit status, or `None` when it made a program run as the task.
    pub fn new(
        pid: Pid,
        body: impl FnOnce() -> Option<i32> + Send + 'static,
        on_signal: Option<SignalHook>,
    ) -> std::io::Result<ThreadedTask> {
        let (to_tx, to_rx) = channel();
        let (from_tx, from_rx) = channel();
        let thread = std::thread::Builder::new()
            .name(format!("task-{pid}"))
            .stack_size(THREAD_STACK)
            .spawn(move || {
                let done_tx = from_tx.clone();
                // Wait for the first turn.
                if !matches!(to_rx.recv(), Ok(ToThread::Run)) {
                    return;
                }
                BATON.with(|b| {
                    *b.borrow_mut() = Some(Baton {
                        pid,
                        rx: to_rx,
                        tx: from_tx,
                    })
                });
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
                let outcome = match r {
                    Ok(status) => status,
                    Err(payload) if payload.is::<Killed>() => Some(0),
                    Err(payload) => {
                        let _ = done_tx.send(FromThread::Done(Some(2)));
                        std::panic::resume_unwind(payload);
                    }
                };
                let _ = done_tx.send(FromThread::Done(outcome));
            })?;
        Ok(ThreadedTask {
            tx: to_tx,
            rx: from_rx,
            thread: Some(thread),
            waiting: None,
            on_signal,
        })
    }

    fn can_run<T: Tracer>(&self, k: &Kernel<T>) -> bool {
        match self.waiting {
            None | Some(BlockOn::Yield) => true,
            Some(BlockOn::Until(t)) => k.clock().now_nanos() >= t,
            Some(BlockOn::Readable(p, fd)) => k.poll_fd(p, fd, false),
            Some(BlockOn::Writable(p, fd)) => k.poll_fd(p, fd, true),
            Some(BlockOn::Child(parent, target)) => k.child_waitable(parent, target),
            Some(BlockOn::ChildUntil(parent, target, t)) => {
                k.clock().now_nanos() >= t || k.child_waitable(parent, target)
            }
        }
    }
}

impl<T: Tracer> Program<T> for ThreadedTask {
    fn step(&mut self, k: &Kernel<T>, pid: Pid) -> Step {
        if !self.can_run(k) {
            return match self.waiting {
                // Woken by a SIGCHLD from another child: back to sleep until the deadline.
                Some(BlockOn::ChildUntil(_, _, t)) => Step::SleepUntil(t),
                _ => Step::Poll,
            };
        }
        if let Some(BlockOn::ChildUntil(parent, _, _)) = self.waiting.take() {
            k.sigchld_proxy.lock().remove(&parent);
        }
        if self.tx.send(ToThread::Run).is_err() {
            return Step::Exit(2);
        }
        match self.rx.recv() {
            Ok(FromThread::Blocked(on)) => {
                self.waiting = Some(on);
                match on {
                    BlockOn::Yield => Step::Yield,
                    BlockOn::Until(t) => Step::SleepUntil(t),
                    BlockOn::Readable(p, fd) if p == pid => Step::WaitReadable(fd),
                    BlockOn::Writable(p, fd) if p == pid => Step::WaitWritable(fd),
                    // A sleep on the clock (so every clock mover sees the deadline) that the
                    // child's exit cuts short: its SIGCHLD wakes the task, as it interrupts
                    // `timeout`'s `sigsuspend`. A process the thread runs for the task has no
                    // program to take the signal: the kernel wakes the task in its stead.
                    BlockOn::ChildUntil(parent, _, t) => {
                        if parent != pid {
                            k.sigchld_proxy.lock().insert(parent, pid);
                        }
                        Step::SleepUntil(t)
                    }
                    _ => Step::Poll,
                }
            }
            Ok(FromThread::Done(Some(status))) => {
                if let Some(t) = self.thread.take() {
                    let _ = t.join();
                }
                Step::Exit(status)
            }
            // The code made a program run as the task (`execve`): the scheduler keeps the new
            // program (see `step_one`) and drops this one.
            Ok(FromThread::Done(None)) => Step::Yield,
            Err(_) => Step::Exit(2),
        }
    }

    fn ready(&mut self, k: &Kernel<T>, _pid: Pid) -> bool {
        self.can_run(k)
    }

    fn signal(&mut self, _k: &Kernel<T>, pid: Pid, sig: Signal) -> bool {
        let hooked = self.on_signal.as_mut().is_some_and(|f| f(pid, sig));
        // SIGCHLD interrupts a wait with a deadline (handled: the scheduler runs the task).
        hooked
            || (sig == Signal::SIGCHLD
                && matches!(self.waiting, Some(BlockOn::ChildUntil(p, _, _)) if p == pid))
    }
}

impl Drop for ThreadedTask {
    fn drop(&mut self) {
        // A parked thread unwinds; a finished one has already returned. Joining keeps "one
        // thread at a time": the unwinding only drops the thread's own values.
        let _ = self.tx.send(ToThread::Die);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl<T: Tracer> Kernel<T> {
    /// SIGCHLD for `pid`, a process with no program: if a threaded task's thread runs it and
    /// waits there for its child with a deadline ([`BlockOn::ChildUntil`]), wake that task
    /// from its sleep, as the signal would interrupt the process's own wait.
    pub(crate) fn threaded_sigchld(&self, pid: Pid) {
        // Lock order: the proxy map is taken alone.
        let task = self.sigchld_proxy.lock().get(&pid).copied();
        let Some(task) = task else {
            return;
        };
        let mut guard = self.lock_state();
        let st = &mut *guard;
        if let Some(t) = st.tasks.get_mut(&task).filter(|t| {
            matches!(t.sched, crate::task::Sched::SleepUntil(_)) && t.throttled.is_none()
        }) {
            t.sched = crate::task::Sched::Runnable;
            st.sched_q.enqueue(task, crate::task::Sched::Runnable);
        }
    }

    /// End the host threads of the threaded tasks `pids` (the simulation is going away): take
    /// their programs out of the table and drop them, which wakes each parked thread with the
    /// "die" message, lets it unwind and joins it. The programs are dropped with no lock held,
    /// since an unwinding thread drops values that may take the kernel's locks. Pass only tasks
    /// whose code still runs on its thread (not one an `execve` turned into a program); a pid
    /// without a program is skipped. The processes stay in the task table as they were.
    pub fn end_threaded_tasks(&self, pids: impl IntoIterator<Item = Pid>) {
        let taken: Vec<Box<dyn Program<T>>> = {
            let mut programs = self.programs.lock();
            pids.into_iter()
                .filter_map(|p| programs.remove(&p))
                .collect()
        };
        drop(taken);
    }

    /// Whether `pid` is a live (not zombie, not reaped) process.
    pub fn task_alive(&self, pid: Pid) -> bool {
        self.lock_state()
            .tasks
            .get(&pid)
            .is_some_and(|t| !t.is_zombie())
    }

    /// The earliest wake-up of a sleeping task after now (`None`: no sleeper with a
    /// deadline; a sleep "forever" does not count).
    pub fn next_wakeup(&self) -> Option<u64> {
        let now = self.clock().now_nanos();
        let mut guard = self.lock_state();
        let st = &mut *guard;
        let tasks = &st.tasks;
        st.sched_q.next_deadline(now, u64::MAX / 2, |w, pid| {
            tasks.get(&pid).map(|t| t.sched) == Some(crate::task::Sched::SleepUntil(w))
        })
    }

    /// Whether a read (`write`: a write) of `fd` of `pid` would not block now.
    pub fn poll_fd(&self, pid: Pid, fd: Fd, write: bool) -> bool {
        let st = self.lock_state();
        if write {
            self.sched_fd_writable(&st, pid, fd.0)
        } else {
            self.sched_fd_readable(&st, pid, fd.0)
        }
    }

    /// Whether `waitpid(target)` by `parent` would not block: the child (or any child) is a
    /// zombie, or there is no such child (ECHILD).
    pub fn child_waitable(&self, parent: Pid, target: Option<Pid>) -> bool {
        let st = self.lock_state();
        child_waitable(&st, parent, target)
    }
}

fn child_waitable<T: Tracer>(st: &State<T>, parent: Pid, target: Option<Pid>) -> bool {
    match target {
        Some(p) => st
            .tasks
            .get(&p)
            .is_none_or(|t| t.ppid != parent || t.is_zombie()),
        None => {
            let mut kids = st.tasks.values().filter(|t| t.ppid == parent).peekable();
            kids.peek().is_none() || st.tasks.values().any(|t| t.ppid == parent && t.is_zombie())
        }
    }
}
