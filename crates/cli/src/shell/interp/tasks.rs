//! The suspendable shell: a pipeline stage or a background job made of shell code, a builtin
//! or a one-shot command runs as its own simulated task, concurrently with the others, as dash
//! runs each in its own forked process.
//!
//! **How:** the stage's process is forked as before, then given a
//! [`cgsim_cgroupfs::threaded::ThreadedTask`]: a copy of the shell (its variables, functions,
//! options) runs the stage's commands on a host thread of its own, which runs only while the
//! deterministic scheduler steps that process, one thread at a time (a baton). Where the code
//! would sleep in the kernel (a read of an empty pipe, a write to a full one, `wait` for a
//! child) the thread parks and the scheduler runs the next task; it resumes there when the
//! condition holds. So `while true; do echo y; done | head -n 1` ends when `head` exits (the
//! next `echo` gets SIGPIPE), `seq 1000000 | head -n 1` makes about one pipe's worth of lines,
//! and `(while :; do ...; sleep 1; done) &` runs alongside the rest of the script.
//!
//! **Why threads and not an explicit continuation machine:** the interpreter is a recursive
//! tree walker (about 5,000 lines with its builtins and the one-shot commands it runs in
//! place); turning every function that may reach a blocking system call into a resumable
//! state machine would mean rewriting all of it and every command's read/write loop. A thread
//! keeps the call stack where it is, exactly as a kernel task sleeping in `pipe_wait` does, and
//! the baton makes the interleaving as deterministic as the state machines' (same input, same
//! transcript, every run). The price is one host thread (8 MiB of reserved stack) per live
//! shell-code task; the recursion bounds ([`super::MAX_CALL_DEPTH`], heap-grown stack
//! segments) are the same as the main shell's.
//!
//! A simple command that is a simulated program (`yes`, `sleep`, `memcg_process`, ...) is
//! executed directly in the forked process; a wrapper that executes a command (`cgexec`,
//! `sudo`, `env`, `nohup`, `taskset`, `setpriv`) runs as a threaded task like shell code, so
//! `sudo sh -c 'while :; do echo; done' | head -n 1` streams. A command the task runs in a
//! further child (`cat` in `{ cat f; } | ...`) runs on the task's thread and sleeps on a full
//! pipe there (`Kernel::pipe_write_bounded`); a `$(...)` is a task of its own, read while it
//! runs; `timeout` sleeps on the clock until its deadline or its command's SIGCHLD
//! ([`Shell::park_for_child_of`]). `trap '' SIG` is the kernel's `SIG_IGN` (inherited), so a
//! SIGPIPE the task's own write raises is discarded and the write fails with EPIPE.
//!
//! **Differences:** a threaded task gives up its turn every [`YIELD_EVERY`] simple commands,
//! so a background loop that never blocks (`while :; do :; done &`) cannot starve the others;
//! the scheduler's livelock guard then ends each round of the main shell's waiting. A process
//! the task ran in place that is still running when the task is killed cannot go on (its code
//! was on the task's thread): the main shell ends it with SIGKILL ([`Shell::end_leftovers`]),
//! where in dash it would go on. A task still parked when its top-level shell is dropped is
//! ended then (see [`Shell`]'s `Drop`): its thread unwinds and drops its shell, and with it
//! its hold on the kernel.

use super::builtins::TrapHandler;
use super::{Exec, Shell};
use cgsim_cgroupfs::threaded::{self, BlockOn, ThreadedTask};
use cgsim_cgroupfs::{Kernel, Signal};
use cgsim_ktypes::Pid;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// How many simple commands a threaded task runs before it gives up its turn.
pub const YIELD_EVERY: u64 = 100;

impl Shell {
    /// Whether this shell runs on a threaded task's thread.
    pub(crate) fn on_task_thread(&self) -> bool {
        self.threaded
    }

    /// Count a simple command: it costs [`cgsim_cgroupfs::cputime::CMD_NS`] of CPU time to
    /// the process running it, and every [`YIELD_EVERY`] of them a threaded task yields.
    /// Returns whether an in-place `timeout`'s deadline sent a signal (`child.rs`).
    pub(crate) fn task_tick(&mut self) -> bool {
        self.k
            .cpu_charge(self.cur, cgsim_cgroupfs::cputime::CMD_NS, 0);
        if self.threaded {
            self.task_cmds += 1;
            if self.task_cmds.is_multiple_of(YIELD_EVERY) {
                threaded::yield_now();
            }
        }
        // After the yield: the clock moved while the other tasks ran.
        !self.inplace_timeouts.is_empty() && self.check_inplace_timeouts()
    }

    /// On a task thread: park until `waitpid(target)` by the current process would not block.
    /// Returns false on the main shell's thread (which lets time pass instead).
    pub(crate) fn park_for_child(&mut self, target: Option<Pid>) -> bool {
        if !self.threaded {
            return false;
        }
        threaded::block(BlockOn::Child(self.cur, target));
        true
    }

    /// [`Shell::park_for_child`] for a child of `parent` (a process this task's code runs,
    /// such as `timeout` in a further child), until the simulated clock reaches `deadline`
    /// if one is given: the thread then sleeps on the clock, and the child's exit (its
    /// SIGCHLD) cuts the sleep short.
    pub(crate) fn park_for_child_of(
        &mut self,
        parent: Pid,
        target: Option<Pid>,
        deadline: Option<u64>,
    ) -> bool {
        if !self.threaded {
            return false;
        }
        threaded::block(match deadline {
            Some(d) => BlockOn::ChildUntil(parent, target, d),
            None => BlockOn::Child(parent, target),
        });
        true
    }

    /// Whether `pid` (or, for `None`, any child of the current process) is a threaded task
    /// this shell started: waiting for one lets the clock move to any sleeper's wake-up,
    /// since what the task waits for is not in this shell's own timer table.
    /// The same holds while any threaded task this shell started is alive (the stages of a
    /// pipeline are waited for in order: `yes` in front waits for the threaded stage after it).
    pub(crate) fn waits_on_task(&mut self, pid: Option<Pid>) -> bool {
        let k = Arc::clone(&self.k);
        self.task_kids.retain(|&p| k.task_alive(p));
        pid.is_some_and(|p| self.task_kids.contains(&p)) || !self.task_kids.is_empty()
    }

    /// Whether a pipeline stage or background job `cmd` can run as the forked process itself
    /// without a task thread: a simple command naming a simulated program (`yes`, `sleep`),
    /// which the scheduler already runs concurrently. A wrapper that executes a command
    /// (`cgexec`, `sudo`, `taskset`, `nohup`, `env`, `setpriv`) is not one: what it executes
    /// may be shell code (`sudo sh -c 'while :; do echo y; done' | head -n 1`), so it runs as a
    /// threaded task, and a program it executes then replaces the task (`execve`).
    pub(crate) fn is_program_stage(&self, cmd: &super::Command) -> bool {
        let super::Command::Simple(sc) = cmd else {
            return false;
        };
        let Some(name) = sc.words.first().and_then(|w| w.as_plain_literal()) else {
            return false;
        };
        let base = name.rsplit('/').next().unwrap_or(name);
        !self.st.funcs.contains_key(name)
            && !self.st.aliases.contains_key(name)
            && matches!(
                self.registry.kind(base),
                Some(crate::commands::Kind::Program(_))
            )
    }

    /// A copy of this shell for the forked process `child`, as `fork` copies dash's memory.
    fn task_shell(&self, child: Pid) -> Shell {
        let mut st = self.st.clone();
        // A subshell does not inherit traps other than ignored ones (dash's `clear_traps`).
        st.traps.retain(|_, a| a.is_empty());
        st.loop_depth = 0;
        st.locals.clear();
        Shell {
            k: Arc::clone(&self.k),
            dollar: self.dollar,
            cur: child,
            st,
            status: self.status,
            last_bg: self.last_bg,
            tracing: false,
            trace_header_shown: self.trace_header_shown,
            line: self.line,
            exit: None,
            pending: Vec::new(),
            timers: Default::default(),
            reaped: Default::default(),
            next_save_fd: self.next_save_fd,
            subst_status: None,
            registry: self.registry.clone(),
            echo_input: false,
            klog_cleared: self.klog_cleared,
            depth: self.depth + 1,
            errexit_off: self.errexit_off,
            exit_trap_at_eof: false,
            interactive_abort: false,
            jobs: Vec::new(),
            exec_keep_redirects: false,
            execed: None,
            trap_table: Arc::clone(&self.trap_table),
            budget: self.budget.clone(),
            views: Default::default(),
            interrupt: self.interrupt.clone(),
            threaded: true,
            task_cmds: 0,
            task_kids: Default::default(),
            task_threads: Arc::clone(&self.task_threads),
            leftovers: Arc::clone(&self.leftovers),
            waited: Default::default(),
            sighup_ignored: self.sighup_ignored.clone(),
            exec_program: None,
            inplace_timeouts: Vec::new(),
        }
    }

    /// Fork a subshell of the current process that runs `body` as a threaded task: `setup`
    /// arranges its descriptors at once (before the parent closes its pipe ends), `body` runs
    /// when the scheduler first runs the child. Returns the child's pid (not waited for).
    pub(crate) fn fork_task(
        &mut self,
        setup: impl FnOnce(&Kernel, Pid),
        body: impl FnOnce(&mut Shell, Pid) -> Exec + Send + 'static,
    ) -> Option<Pid> {
        let parent = self.cur;
        if self.depth >= super::MAX_CALL_DEPTH {
            self.sh_error(parent, "subshells nested too deeply");
            return None;
        }
        let child = match self.k.fork(parent) {
            Ok(c) => c,
            Err(_) => {
                // dash's `forkshell`: `sh_error("Cannot fork")` (see `fork_subshell`).
                self.fatal("Cannot fork");
                return None;
            }
        };
        setup(&self.k, child);
        let mut sh = self.task_shell(child);
        lock(&self.task_threads).insert(child);
        // However the code ends (returning, unwinding when killed, `execve` making a program
        // run as the task, or never starting), its thread is done with it then.
        let gone = ThreadGone(Arc::clone(&self.task_threads), child);
        let run = move || {
            let _gone = gone;
            let outcome = super::super::grow(|| body(&mut sh, child));
            let outcome = match (outcome, sh.exit) {
                // The task's code `exec`ed a program, which now runs as the process.
                _ if sh.execed == Some(child) => Exec::Spawned,
                (Exec::Status(_), Some(code)) => Exec::Status(code),
                (o, _) => o,
            };
            let status = match outcome {
                Exec::Status(st) => {
                    sh.status = st;
                    sh.exit = Some(st);
                    sh.run_exit_trap();
                    Some(sh.exit.unwrap_or(st))
                }
                Exec::Spawned => None,
            };
            lock(&sh.trap_table).forget(child);
            status
        };
        let table = Arc::clone(&self.trap_table);
        let on_signal = Box::new(move |pid: Pid, sig: Signal| TrapHandler::catch(&table, pid, sig));
        match ThreadedTask::new(child, run, Some(on_signal)) {
            Ok(task) => self.k.spawn_program(child, Box::new(task)),
            Err(e) => {
                self.sh_error(parent, &format!("Cannot fork: {e}"));
                self.k.exit(child, 2);
            }
        }
        self.task_kids.insert(child);
        Some(child)
    }
}

impl Shell {
    /// On a task thread: a guard for `pid`, a process this thread runs in place (a further
    /// child), that records it in [`Shell::leftovers`] if the thread unwinds (its task was
    /// killed) while the process still runs here.
    pub(crate) fn nested_guard(&self, pid: Pid) -> Option<NestedGuard> {
        self.threaded
            .then(|| NestedGuard(Arc::clone(&self.leftovers), pid))
    }

    /// End the processes a killed task left running (see [`Shell::leftovers`]): SIGKILL, as
    /// nothing of their code can run any more. In a real system each would go on as its own
    /// process; here its code lived on the killed task's thread. Returns whether any was
    /// ended.
    pub(crate) fn end_leftovers(&mut self) -> bool {
        let pids = std::mem::take(&mut *lock(&self.leftovers));
        let mut any = false;
        for pid in pids {
            if self.k.task_alive(pid) {
                let _ = self.k.kill(pid, pid, Signal::SIGKILL);
                any = true;
            }
        }
        any
    }
}

/// See [`Shell::nested_guard`].
pub(crate) struct NestedGuard(Arc<Mutex<Vec<Pid>>>, Pid);

impl Drop for NestedGuard {
    fn drop(&mut self) {
        // Only an unwinding thread (`threaded::block` ending a killed task's thread) leaves
        // the process behind; a normal return has finished with it.
        if std::thread::panicking() {
            lock(&self.0).push(self.1);
        }
    }
}

/// Takes a task's pid out of [`Shell::task_threads`] when its thread is done with the code.
struct ThreadGone(Arc<Mutex<BTreeSet<Pid>>>, Pid);

impl Drop for ThreadGone {
    fn drop(&mut self) {
        lock(&self.0).remove(&self.1);
    }
}

/// A poisoned lock (a task thread that panicked) still holds consistent data here.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Drop for Shell {
    /// The top-level shell going away (a script's end, `cgsim serve`'s session end) ends the
    /// threads of the tasks still parked: each unwinds and drops its shell, whose `Arc` of the
    /// kernel would otherwise keep the kernel (and the thread) alive until the host process
    /// exits. Task shells do nothing here: they are the ones being ended.
    fn drop(&mut self) {
        if self.threaded {
            return;
        }
        let pids = std::mem::take(&mut *lock(&self.task_threads));
        if !pids.is_empty() {
            self.k.end_threaded_tasks(pids);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Shell;
    use cgsim_cgroupfs::{BootParams, Kernel};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// Dropping the top-level shell ends the task threads still parked (a background loop
    /// asleep on the clock, a stage asleep on a full pipe, one asleep on an empty one), so
    /// their shells drop their `Arc<Kernel>` and the kernel itself is freed: a long `cgsim
    /// serve` session that makes many shells does not keep every kernel it ever booted.
    #[test]
    fn dropping_the_shell_frees_the_kernel() {
        let k = Kernel::boot(BootParams::default());
        let weak = Arc::downgrade(&k);
        let mut sh = Shell::new(k);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let st = sh.run_script(
            "while true; do echo y; done | head -n 1 & sleep 1\n\
             (while :; do sleep 5; done) &\n\
             while :; do echo y; done | sleep 1000 &\n\
             { read v; echo $v; } < /dev/null | { while read l; do :; done; } &\n\
             cat /dev/null | { read x; sleep 1000; } &\n\
             sleep 1\n",
            &mut out,
            &mut err,
        );
        assert_eq!((st, out.as_slice()), (0, &b"y\n"[..]), "{err:?}");
        // Something is still parked: the shell is not the only holder of the kernel.
        let holders = weak.strong_count();
        assert!(holders > 1, "no task thread holds the kernel ({holders})");
        drop(sh);
        // The threads are joined when the shell is dropped; the wait below only bounds a
        // failure, it does not time anything.
        let deadline = Instant::now() + Duration::from_secs(30);
        while weak.upgrade().is_some() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            weak.upgrade().is_none(),
            "the kernel outlived its shell: {} holders",
            weak.strong_count()
        );
    }
}
