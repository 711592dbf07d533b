//! Running a command as a child of a running command: what `xargs`, `find -exec` and
//! `timeout` do with `fork(2)`, `execvp(3)` and `waitpid(2)`.
//!
//! **Kernel:** `fork` runs `cgroup_fork` (the child starts in its parent's cgroups), `waitpid`
//! as in `kernel/exit.c`; simulated time passes only while the child sleeps on a timer.
//!
//! A `timeout` whose command is shell code runs that code in place (on the same host thread,
//! as the forked child's process); every simple command moves the simulated clock (its CPU
//! time), so the interpreter looks at the deadlines of the enclosing in-place `timeout`s at
//! each simple command ([`Shell::check_inplace_timeouts`]) and sends the signal there, as
//! coreutils' `SIGALRM` handler (`cleanup` in `src/timeout.c`) would at that moment. The child
//! then dies of it, or runs its trap, between two commands, as dash does (`dotrap`).
//!
//! **Differences:** an external command other than shell code runs to completion inside
//! `exec_in` (it never sleeps), so only a simulated program (`sleep`, `memhog`, ...) or shell
//! code lets the clock move while the parent waits. coreutils signals its whole process group
//! (`kill(0, sig)`); cgsim signals the child and the processes running in place under it
//! (a nested `sh -c`), not background jobs the command started.

use super::{Exec, Shell, comm_of, status_of};
use cgsim_cgroupfs::{OpenFlags, Signal, WaitStatus};
use cgsim_ktypes::Pid;

/// How waiting for a child ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ChildEnd {
    /// `waitpid` reported it.
    Waited(WaitStatus),
    /// The deadline passed first; the child is still running.
    Deadline,
    /// It sleeps on an event nobody will send (no timer): it stays a running child.
    Blocked,
}

/// Where a `timeout` stands with its command (coreutils' `timed_out`, `kill_after` and
/// `term_signal` in `src/timeout.c`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TimeoutState {
    /// The signal is not sent yet; the deadline (ns since boot), if any.
    Armed(Option<u64>),
    /// The signal was sent; the `-k` deadline for SIGKILL, if any.
    Sent(Option<u64>),
    /// SIGKILL was sent after the `-k` duration.
    Killed,
}

/// A `timeout` whose command runs in place on the current thread.
#[derive(Clone, Debug)]
pub struct InPlaceTimeout {
    /// The `timeout` process: it sends the signals and writes `-v`'s messages.
    pub timeout: Pid,
    /// Its child, the command's process (set once forked).
    pub child: Pid,
    /// The command's name, for `-v`.
    pub name: String,
    /// `-v`.
    pub verbose: bool,
    /// `-s SIG` (SIGTERM by default).
    pub sig: Signal,
    /// `DURATION` in ns (0: none): the deadline is set once the child is forked, as
    /// coreutils arms its alarm in the parent after `fork`.
    pub duration: u64,
    /// `-k DURATION` in ns (0 or absent: no SIGKILL).
    pub kill_after: Option<u64>,
    /// What was done so far.
    pub state: TimeoutState,
}

impl Shell {
    /// Fork a child of `parent`, run `argv` in it, wait for it; the exit status as `$?` shows
    /// it (128 + N for signal N). The caller checks beforehand that `argv[0]` exists.
    pub fn run_child(&mut self, parent: Pid, argv: &[String]) -> i32 {
        match self.spawn_child(parent, argv, false) {
            Ok(child) => match self.wait_child(parent, child, None) {
                ChildEnd::Waited(ws) => status_of(ws),
                ChildEnd::Deadline | ChildEnd::Blocked => 0,
            },
            Err(st) => st,
        }
    }

    /// Fork a child of `parent` and exec `argv` in it (`stdin_null`: with standard input
    /// from `/dev/null`, as GNU xargs gives its commands). A command that runs to completion
    /// leaves a zombie for [`Shell::wait_child`]. `Err` is the status when `fork` fails.
    pub fn spawn_child(
        &mut self,
        parent: Pid,
        argv: &[String],
        stdin_null: bool,
    ) -> Result<Pid, i32> {
        self.spawn_child_timed(parent, argv, stdin_null, None)
            .map(|(c, _)| c)
    }

    /// [`Shell::spawn_child`] for `timeout`: while the command runs in place, `timer`'s
    /// deadlines are looked at each simple command it runs. Returns the child and where the
    /// timer stands once the command has run in place (`timer.state` if none).
    pub fn spawn_child_timed(
        &mut self,
        parent: Pid,
        argv: &[String],
        stdin_null: bool,
        timer: Option<InPlaceTimeout>,
    ) -> Result<(Pid, TimeoutState), i32> {
        let child = match self.k.fork(parent) {
            Ok(c) => c,
            Err(e) => {
                let name = comm_of(&argv[0]);
                self.write_err(
                    parent,
                    &format!("{name}: cannot fork: {}\n", e.errno.strerror()),
                );
                return Err(126);
            }
        };
        let _ = self.k.set_comm(child, &comm_of(&argv[0]));
        if stdin_null && let Ok(fd) = self.k.open(child, "/dev/null", OpenFlags::RDONLY, 0) {
            let _ = self.k.dup2(child, fd, cgsim_cgroupfs::Fd(0));
            let _ = self.k.close(child, fd);
        }
        let guard = self.nested_guard(child);
        let timed = timer.is_some();
        let mut state = TimeoutState::Armed(None);
        if let Some(mut t) = timer {
            t.child = child;
            let now = self.k.clock().now_nanos();
            t.state = TimeoutState::Armed((t.duration > 0).then(|| now.saturating_add(t.duration)));
            state = t.state;
            self.inplace_timeouts.push(t);
        }
        if let Exec::Status(st) = self.exec_in(child, argv) {
            self.k.exit(child, st);
        }
        if timed && let Some(t) = self.inplace_timeouts.pop() {
            state = t.state;
        }
        drop(guard);
        Ok((child, state))
    }

    /// At a simple command: send the signal of every enclosing in-place `timeout` whose
    /// deadline has passed on the simulated clock (then SIGKILL after `-k`), to its child and
    /// to the processes running in place under the child, down to the current one.
    /// Returns whether it sent any.
    pub(crate) fn check_inplace_timeouts(&mut self) -> bool {
        let now = self.k.clock().now_nanos();
        let mut sent = false;
        for i in 0..self.inplace_timeouts.len() {
            let t = self.inplace_timeouts[i].clone();
            let sig = match t.state {
                TimeoutState::Armed(Some(d)) if d <= now => {
                    let second = t
                        .kill_after
                        .filter(|&n| n > 0)
                        .map(|n| now.saturating_add(n));
                    self.inplace_timeouts[i].state = TimeoutState::Sent(second);
                    t.sig
                }
                TimeoutState::Sent(Some(d)) if d <= now => {
                    self.inplace_timeouts[i].state = TimeoutState::Killed;
                    Signal::SIGKILL
                }
                _ => continue,
            };
            if t.verbose {
                let name = crate::commands::procps::signal_name(sig);
                self.write_err(
                    t.timeout,
                    &format!("timeout: sending signal {name} to command '{}'\n", t.name),
                );
            }
            // The in-place chain from the current process up to the child: all of them are
            // in timeout's process group. The innermost first, so it stops before the ones
            // that wait for it.
            let mut chain = Vec::new();
            let mut p = self.cur;
            while p != t.child && p.0 > 1 && chain.len() < 64 {
                chain.push(p);
                match self.k.getppid(p) {
                    Ok(pp) => p = pp,
                    Err(_) => break,
                }
            }
            if p != t.child {
                chain.clear();
            }
            chain.push(t.child);
            for pid in chain {
                let _ = self.k.kill(t.timeout, pid, sig);
            }
            sent = true;
        }
        sent
    }

    /// Wait for `child` of `parent`, letting simulated time pass while it sleeps on a timer,
    /// up to `deadline` (ns since boot) if given.
    pub fn wait_child(&mut self, parent: Pid, child: Pid, deadline: Option<u64>) -> ChildEnd {
        let mut spins = 0;
        loop {
            let busy = self.k.run_slice();
            match self.k.waitpid(parent, Some(child)) {
                Ok(Some((_, ws))) => {
                    self.timers.remove(&child);
                    return ChildEnd::Waited(ws);
                }
                Ok(None) => {
                    // On a task thread the wait parks the thread, until the deadline if any.
                    if self.park_for_child_of(parent, Some(child), deadline) {
                        if deadline.is_some_and(|d| self.k.clock().now_nanos() >= d) {
                            return ChildEnd::Deadline;
                        }
                        continue;
                    }
                }
                Err(_) => return ChildEnd::Waited(WaitStatus::Exited(0)),
            }
            let now = self.k.clock().now_nanos();
            let wake = self.timers.get(&child).copied();
            match (wake, deadline) {
                (_, Some(d)) if d <= now => return ChildEnd::Deadline,
                (Some(t), Some(d)) if d < t => self.k.advance_clock(d - now),
                (None, Some(d)) => self.k.advance_clock(d - now),
                (Some(t), _) if t <= now => {
                    // It should have woken already; forget the timer so we never spin.
                    self.timers.remove(&child);
                    self.k.advance_clock(0);
                }
                (Some(t), _) => self.k.advance_clock(t - now),
                // Runnable tasks use the CPUs (the clock moves): wait on.
                (None, None) if busy && spins < cgsim_cgroupfs::cputime::BUSY_WAIT_SLICES => {
                    spins += 1;
                }
                (None, None) => return ChildEnd::Blocked,
            }
        }
    }

    /// Send `sig` to `child` as `sender` does (`kill(2)`).
    pub fn signal_child(&mut self, sender: Pid, child: Pid, sig: Signal) {
        let _ = self.k.kill(sender, child, sig);
    }

    /// Run `f` with the variables replaced by `env` (what `env -i`, `env -u` and `env X=1`
    /// give the command they run), then put the shell's own back.
    pub fn with_environ<R>(
        &mut self,
        env: Vec<(String, String)>,
        f: impl FnOnce(&mut Shell) -> R,
    ) -> R {
        // Every variable of `env` is exported to what the command runs in turn.
        let exported = env.iter().map(|(k, _)| k.clone()).collect();
        let saved_vars = std::mem::replace(&mut self.st.vars, env.into_iter().collect());
        let saved_exported = std::mem::replace(&mut self.st.exported, exported);
        let r = f(self);
        self.st.vars = saved_vars;
        self.st.exported = saved_exported;
        r
    }
}
