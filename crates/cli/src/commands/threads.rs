//! `threads`: cgsim's own program that starts threads, the shell's way to get a multi-threaded
//! process (no Linux tool only does that; the cgroup selftests start theirs with
//! `pthread_create` inside the test binary, `tools/testing/selftests/cgroup/test_core.c`
//! `test_cgcore_proc_migration` and `test_cgcore_thread_migration`).
//!
//! `threads [-x] N` makes N threads with `clone(CLONE_THREAD | CLONE_VM | ...)`
//! ([`Kernel::clone_thread`]), each sleeping in `pause()`, and then sleeps too until it is
//! killed (a signal kills the whole group). With `-x` the main thread calls `pthread_exit`
//! once they exist: the leader becomes a zombie while its threads live on, as a process whose
//! `main` returns through `pthread_exit` does. The thread ids are under `/proc/PID/task`.

use super::{Kind, Registry, Spawn};
use cgsim_cgroupfs::{Fd, Kernel, Program, Step};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "threads",
        "threads [-x] N",
        "cgsim's program with threads: start N threads (pthread_create) that sleep until the process is killed; -x: the main thread then exits (pthread_exit); tids in /proc/PID/task",
        Kind::Program(threads),
    );
    r.set_help("threads", HELP);
}

const HELP: &str = "\
Usage: threads [-x] N
Start N threads that sleep (pause), then sleep until killed; a signal that
kills ends every thread. Their thread ids are listed in /proc/PID/task
(cgsim's program).

  -x    the main thread exits (pthread_exit) once the threads are started,
        leaving a zombie leader whose threads live on
";

/// The most threads one `threads` starts.
const MAX_THREADS: usize = 1024;

struct Threads {
    n: usize,
    leader_exits: bool,
    started: bool,
}

impl Program for Threads {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        if !self.started {
            self.started = true;
            for _ in 0..self.n {
                if let Err(e) = k.clone_thread(pid) {
                    // glibc's pthread_create returns the clone errno; the program reports it.
                    let msg = format!("threads: pthread_create: {}\n", e.errno.strerror());
                    let _ = k.write(pid, Fd(2), msg.as_bytes());
                    return Step::Exit(1);
                }
            }
            if self.leader_exits {
                k.exit_thread(pid, 0);
            }
        }
        Step::SleepUntil(u64::MAX)
    }
}

fn threads(_k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    let usage = || ("usage: threads [-x] N".to_string(), 1);
    let mut leader_exits = false;
    let mut n = None;
    for a in &argv[1..] {
        if a == "-x" {
            leader_exits = true;
        } else if let Some(opt) = a.strip_prefix('-') {
            return Err((
                format!("threads: invalid option -- '{opt}'\n{}", usage().0),
                1,
            ));
        } else if n.is_some() {
            return Err(usage());
        } else {
            match a.parse::<usize>() {
                Ok(v) if (1..=MAX_THREADS).contains(&v) => n = Some(v),
                _ => {
                    return Err((
                        format!("threads: invalid number of threads '{a}' (1 to {MAX_THREADS})"),
                        1,
                    ));
                }
            }
        }
    }
    let Some(n) = n else {
        return Err(usage());
    };
    Ok(Spawn {
        program: Box::new(Threads {
            n,
            leader_exits,
            started: false,
        }),
        wakes_at: None,
    })
}
