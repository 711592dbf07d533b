//! Waiting for children: foreground commands, `wait`, and simulated time passing for sleepers.
//!
//! **Kernel:** `waitpid(2)` semantics (`kernel/exit.c`); the clock moves only here and in
//! `sleep`, so a transcript never depends on the wall clock.

use super::{Shell, status_of};
use cgsim_cgroupfs::{Signal, WaitStatus};
use cgsim_ktypes::{Errno, Pid};

impl Shell {
    /// Wait for a foreground child: let simulated time pass until it exits if it is a sleeper.
    pub(super) fn wait_foreground(&mut self, child: Pid, name: &str) -> i32 {
        let parent = self.cur;
        let mut spins = 0;
        loop {
            let busy = self.k.run_slice();
            match self.k.waitpid(parent, Some(child)) {
                Ok(Some((_, ws))) => {
                    self.timers.remove(&child);
                    self.reap_background();
                    self.report_signaled(parent, ws);
                    return status_of(ws);
                }
                Ok(None) => {
                    if self.park_for_child(Some(child)) {
                        continue;
                    }
                    // Runnable tasks use the CPUs (the clock moves): wait on.
                    let spin = busy && spins < cgsim_cgroupfs::cputime::BUSY_WAIT_SLICES;
                    spins += 1;
                    if !self.advance_to_timer(Some(child)) && !spin {
                        self.sh_error(
                            parent,
                            &format!(
                                "{name}: pid {child} waits for an event and keeps running in the background"
                            ),
                        );
                        self.last_bg = Some(child);
                        return 0;
                    }
                }
                // Reaped already, with the other finished children, while an earlier stage
                // of the same pipeline was waited for.
                Err(e) if e.errno == Errno::ECHILD && self.reaped.contains_key(&child) => {
                    return self.reaped.remove(&child).unwrap_or(0);
                }
                // The waiting process itself was killed while its child ran in place (an
                // in-place `timeout` signals the whole chain): it does nothing more, and
                // `check_killed` ends its shell code.
                Err(e)
                    if e.errno == Errno::ESRCH
                        && matches!(self.k.getcwd(parent), Err(e) if e.errno == Errno::ESRCH) =>
                {
                    return 128 + Signal::SIGKILL.0;
                }
                Err(e) => {
                    self.sh_error(parent, &format!("wait: {}", e.errno.strerror()));
                    return 127;
                }
            }
        }
    }

    /// Advance the simulated clock to the earliest known wake-up of `target` (or of any child
    /// of the current process). Returns false if there is none to wait for.
    /// Every live process below `pid` (children, their children, ...).
    fn descendants(&self, pid: Pid) -> Vec<Pid> {
        let ps = self.k.ps();
        let mut out = vec![pid];
        let mut i = 0;
        while i < out.len() {
            let p = out[i];
            out.extend(ps.iter().filter(|c| c.ppid == p).map(|c| c.pid));
            i += 1;
        }
        out.remove(0);
        out
    }

    pub(super) fn advance_to_timer(&mut self, target: Option<Pid>) -> bool {
        let now = self.k.clock().now_nanos();
        let own = match target {
            Some(p) => self
                .timers
                .get(&p)
                .map(|&t| (p, t))
                .or_else(|| self.k.throttled_until(p).map(|t| (p, t)))
                // A child that waits for its own children (`stress` for its workers) wakes
                // when one of them does: the earliest timer or memory.high sleep below it.
                .or_else(|| {
                    let below = self.descendants(p);
                    self.timers
                        .iter()
                        .filter(|(q, _)| below.contains(q))
                        .map(|(&q, &t)| (q, t))
                        .chain(
                            below
                                .iter()
                                .filter_map(|&q| self.k.throttled_until(q).map(|t| (q, t))),
                        )
                        .min_by_key(|&(q, t)| (t, q))
                        .map(|(_, t)| (p, t))
                }),
            None => {
                let kids: Vec<Pid> = self
                    .k
                    .ps()
                    .into_iter()
                    .filter(|p| p.ppid == self.cur)
                    .map(|p| p.pid)
                    .collect();
                // A child sleeping its memory.high penalty (6.6) wakes by itself too.
                let throttled: Vec<(Pid, u64)> = kids
                    .iter()
                    .filter_map(|&p| self.k.throttled_until(p).map(|t| (p, t)))
                    .collect();
                self.timers
                    .iter()
                    .filter(|(p, _)| kids.contains(p))
                    .map(|(&p, &t)| (p, t))
                    .chain(throttled)
                    .min_by_key(|&(p, t)| (t, p))
            }
        };
        // A threaded task waits for whatever its own children wait for: the next sleeper's
        // wake-up anywhere may be what ends it.
        let next = match own {
            None if self.waits_on_task(target) => self
                .k
                .next_wakeup()
                .map(|t| (target.unwrap_or(self.cur), t)),
            o => o,
        };
        match next {
            Some((p, t)) => {
                if t <= now {
                    // It should have woken already; forget the timer so we never spin.
                    self.timers.remove(&p);
                    self.k.advance_clock(0);
                } else {
                    // Stop where the child ends (a stress worker OOM-killed long before its
                    // parent's timeout): the clock must not run on to a timer nobody waits for.
                    let (k, parent) = (self.k.clone(), self.cur);
                    let mut ended = || {
                        k.ps().iter().any(|i| {
                            i.state == cgsim_cgroupfs::ProcState::Zombie
                                && i.ppid == parent
                                && target.is_none_or(|t| t == i.pid)
                        }) || target.is_some_and(|t| !k.ps().iter().any(|i| i.pid == t))
                    };
                    self.k.advance_clock_until(t - now, &mut ended);
                }
                true
            }
            None => false,
        }
    }

    /// Reap every background child that has already exited, keeping its status for `wait`: a
    /// shell waiting for a foreground command collects whichever child ends (dash's `dowait`
    /// with `waitpid(-1)`, bash's SIGCHLD handler), so finished background jobs do not linger
    /// as zombies in `ps`.
    fn reap_background(&mut self) {
        let parent = self.cur;
        while let Ok(Some((pid, ws))) = self.k.waitpid(parent, None) {
            self.timers.remove(&pid);
            self.reaped.insert(pid, status_of(ws));
        }
    }

    /// dash's `dowait` for the job being waited for: a signal's description on standard
    /// error (`sprint_status` with `sigonly`), except for SIGINT and SIGPIPE.
    fn report_signaled(&mut self, parent: Pid, ws: WaitStatus) {
        if let WaitStatus::Signaled(sig) = ws
            && sig != Signal::SIGINT
            && sig != Signal(13)
        {
            let text = format!("{}\n", crate::commands::builtins::strsignal(sig));
            self.write_err(parent, &text);
        }
    }

    /// `wait [PID]`: reap background children, letting simulated time pass for sleepers.
    pub fn wait_children(&mut self, target: Option<Pid>) -> i32 {
        let parent = self.cur;
        match target {
            Some(p) => {
                if let Some(status) = self.reaped.remove(&p) {
                    return status;
                }
            }
            None => self.reaped.clear(),
        }
        let mut spins = 0;
        loop {
            let busy = self.k.run_slice();
            match self.k.waitpid(parent, target) {
                Ok(Some((pid, ws))) => {
                    self.timers.remove(&pid);
                    if target.is_some() {
                        // dash reports the job `wait PID` itself reaped (not one an earlier
                        // wait collected): `sleep 5 & kill $!; wait $!` prints `Terminated`.
                        self.report_signaled(parent, ws);
                        return status_of(ws);
                    }
                }
                Ok(None) => {
                    if self.park_for_child(target) {
                        continue;
                    }
                    // Runnable tasks use the CPUs (the clock moves): wait on.
                    let spin = busy && spins < cgsim_cgroupfs::cputime::BUSY_WAIT_SLICES;
                    spins += 1;
                    if !self.advance_to_timer(target) && !spin {
                        let who = match target {
                            Some(p) => format!("pid {p}"),
                            None => "a child".to_string(),
                        };
                        self.sh_error(
                            parent,
                            &format!(
                                "wait: {who} waits for an event that will never come in this script"
                            ),
                        );
                        return 127;
                    }
                }
                Err(e) if e.errno == Errno::ECHILD => {
                    // dash: waiting for a pid that is not a child returns 127, silently.
                    if target.is_some() {
                        return 127;
                    }
                    return 0;
                }
                Err(e) => {
                    self.sh_error(parent, &format!("wait: {}", e.errno.strerror()));
                    return 127;
                }
            }
        }
    }
}
