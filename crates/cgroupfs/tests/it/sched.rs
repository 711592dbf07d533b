//! The deterministic scheduler: sleeping programs, an eventfd waiter woken by another process.

use super::*;
use cgsim_cgroupfs::cputime::SLICE_NS;
use cgsim_cgroupfs::{Program, Signal, Step, WaitStatus};

/// Prints `tick N` every `period` nanoseconds, `n` times, then exits with `n`.
struct Ticker {
    period: u64,
    left: u32,
    done: u32,
}

impl Program for Ticker {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        if self.left == 0 {
            return Step::Exit(self.done as i32);
        }
        self.left -= 1;
        self.done += 1;
        let line = format!("{pid} tick {} at {}\n", self.done, k.clock().now_nanos());
        k.write(pid, Fd(1), line.as_bytes()).unwrap();
        Step::SleepUntil(k.clock().now_nanos() + self.period)
    }
}

/// Blocks reading an eventfd; prints the value; exits.
struct Waiter {
    fd: Fd,
}

impl Program for Waiter {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        let mut buf = [0u8; 8];
        match k.read(pid, self.fd, &mut buf) {
            Ok(_) => {
                let line = format!("{pid} woke with {}\n", u64::from_ne_bytes(buf));
                k.write(pid, Fd(1), line.as_bytes()).unwrap();
                Step::Exit(0)
            }
            Err(e) if e.errno == Errno::EAGAIN => Step::WaitReadable(self.fd),
            Err(e) => panic!("unexpected {e:?}"),
        }
    }

    fn signal(&mut self, k: &Kernel, pid: Pid, sig: Signal) -> bool {
        k.write(pid, Fd(1), format!("{pid} got {}\n", sig.0).as_bytes())
            .unwrap();
        sig == Signal::SIGUSR1
    }
}

/// Writes `value` to an eventfd once, then exits.
struct Poster {
    fd: Fd,
    value: u64,
}

impl Program for Poster {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        k.write(pid, self.fd, &self.value.to_ne_bytes()).unwrap();
        Step::Exit(0)
    }
}

fn transcript(k: &Kernel) -> String {
    k.console_drain()
        .into_iter()
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect()
}

#[test]
fn sleepers_run_in_deadline_then_pid_order() {
    let k = boot();
    let a = k.fork(INIT).unwrap();
    let b = k.fork(INIT).unwrap();
    // The periods are long next to the steps' CPU time (cputime.rs), which moves the clock
    // by microseconds: a sleeper runs at its deadline, the clock having jumped there.
    let start = k.clock().now_nanos();
    k.spawn_program(
        a,
        Box::new(Ticker {
            period: 300_000 - start,
            left: 3,
            done: 0,
        }),
    );
    k.spawn_program(
        b,
        Box::new(Ticker {
            period: 200_000 - start,
            left: 2,
            done: 0,
        }),
    );
    k.run_until_idle();
    assert_eq!(
        transcript(&k),
        format!("2 tick 1 at {start}\n3 tick 1 at {start}\n")
    );
    let now = k.clock().now_nanos();
    k.advance_clock(1_000_000 - now);
    assert_eq!(
        transcript(&k),
        format!(
            "3 tick 2 at 200000\n2 tick 2 at 300000\n2 tick 3 at {}\n",
            600_000 - start
        )
    );
    assert_eq!(k.clock().now_nanos(), 1_000_000);
    assert_eq!(
        k.waitpid(INIT, Some(a)).unwrap(),
        Some((a, WaitStatus::Exited(3)))
    );
    assert_eq!(
        k.waitpid(INIT, Some(b)).unwrap(),
        Some((b, WaitStatus::Exited(2)))
    );
    assert!(k.klog().warnings().is_empty());
}

#[test]
fn eventfd_waiter_woken_by_another_process() {
    let k = boot();
    let fd = k.eventfd(INIT, 0, 0).unwrap();
    let w = k.fork(INIT).unwrap();
    k.spawn_program(w, Box::new(Waiter { fd }));
    k.run_until_idle();
    assert_eq!(transcript(&k), "");
    let ps = k.ps();
    assert_eq!(
        ps.iter().find(|p| p.pid == w).unwrap().state,
        cgsim_cgroupfs::ProcState::Sleeping
    );
    // A handled signal wakes it; it retries and sleeps again.
    k.kill(INIT, w, Signal::SIGUSR1).unwrap();
    k.run_until_idle();
    assert_eq!(transcript(&k), format!("{w} got 10\n"));
    let p = k.fork(INIT).unwrap();
    k.spawn_program(p, Box::new(Poster { fd, value: 42 }));
    k.run_until_idle();
    assert_eq!(transcript(&k), format!("{w} woke with 42\n"));
    assert_eq!(
        k.waitpid(INIT, Some(w)).unwrap(),
        Some((w, WaitStatus::Exited(0)))
    );
    // An unhandled signal terminates a program.
    let w2 = k.fork(INIT).unwrap();
    k.spawn_program(w2, Box::new(Waiter { fd }));
    k.run_until_idle();
    k.kill(INIT, w2, Signal::SIGTERM).unwrap();
    assert_eq!(
        k.waitpid(INIT, Some(w2)).unwrap(),
        Some((w2, WaitStatus::Signaled(Signal::SIGTERM)))
    );
    k.check_invariants();
}

/// Yields forever: each step costs CPU time, so the scheduler runs it for a slice and goes
/// back to the caller with it still runnable.
struct Spinner;

impl Program for Spinner {
    fn step(&mut self, _k: &Kernel, _pid: Pid) -> Step {
        Step::Yield
    }
}

#[test]
fn a_spinner_is_preempted_after_a_slice() {
    let k = boot();
    let p = k.fork(INIT).unwrap();
    k.spawn_program(p, Box::new(Spinner));
    let start = k.clock().now_nanos();
    assert!(k.run_slice(), "still runnable after its slice");
    let ran = k.clock().now_nanos() - start;
    assert!((SLICE_NS..SLICE_NS + 10_000).contains(&ran), "ran {ran} ns");
    assert!(k.klog().warnings().is_empty());
    assert_eq!(k.cputime().task_times(p), (0, ran));
    // A sleep goes on while it spins: the clock moves by the spinner's rounds.
    k.advance_clock(50_000_000);
    assert!(k.clock().now_nanos() >= start + 50_000_000);
    assert!(k.klog().warnings().is_empty());
    k.kill(INIT, p, Signal::SIGKILL).unwrap();
    assert!(!k.run_slice(), "nothing runnable any more");
}

/// Sleeps until SIGCHLD (`exit_notify` -> `do_notify_parent`), then reaps its child and
/// prints how it ended.
struct Reaper;

impl Program for Reaper {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        match k.waitpid(pid, None) {
            Ok(Some((c, status))) => {
                let line = format!(
                    "{pid} reaped {c}: {status:?} at {}\n",
                    k.clock().now_nanos()
                );
                k.write(pid, Fd(1), line.as_bytes()).unwrap();
                Step::Exit(0)
            }
            Ok(None) => Step::SleepUntil(u64::MAX),
            Err(e) => panic!("unexpected {e:?}"),
        }
    }

    fn signal(&mut self, _k: &Kernel, _pid: Pid, sig: Signal) -> bool {
        sig == Signal::SIGCHLD
    }
}

#[test]
fn sigchld_wakes_a_parent_with_a_handler() {
    let k = boot();
    let parent = k.fork(INIT).unwrap();
    let child = k.fork(parent).unwrap();
    k.spawn_program(parent, Box::new(Reaper));
    k.spawn_program(
        child,
        Box::new(Ticker {
            period: 500_000,
            left: 1,
            done: 0,
        }),
    );
    // The forks took simulated CPU time (cputime.rs): the child ticks at t0.
    let t0 = k.clock().now_nanos();
    k.run_until_idle();
    // The child ticks once and sleeps; the parent sleeps with nothing to reap.
    assert_eq!(transcript(&k), format!("{child} tick 1 at {t0}\n"));
    // Stop the clock where the child exits (advance_clock_until), not at the end.
    let mut exited = || k.ps().iter().all(|p| p.pid != child);
    k.advance_clock_until(10_000_000, &mut exited);
    // The child's exit step (STEP_NS) ends its round; the parent runs in the next one.
    let reaped_at = t0 + 500_000 + cgsim_cgroupfs::cputime::STEP_NS;
    assert_eq!(
        transcript(&k),
        format!("{parent} reaped {child}: Exited(1) at {reaped_at}\n")
    );
    assert!(k.clock().now_nanos() < t0 + 600_000);
    // Without a handler SIGCHLD is ignored: a parent with no program is untouched.
    let lone = k.fork(INIT).unwrap();
    let kid = k.fork(lone).unwrap();
    k.exit(kid, 3);
    assert_eq!(
        k.waitpid(lone, Some(kid)).unwrap(),
        Some((kid, WaitStatus::Exited(3)))
    );
}
