//! Simulated processes: credentials, working directory, file descriptor table, scheduler state.
//!
//! **Kernel:** `struct task_struct` (`include/linux/sched.h`), `struct files_struct`
//! (`include/linux/fdtable.h`), `struct fs_struct` (cwd, umask), 2.6.25.
//! **Differences:** a thread (`thread.rs`) shares its leader's fd table and mm, which stay
//! on the leader's record; the working directory is kept by name and
//! resolved again on use, so a removed cwd makes relative lookups fail with ENOENT instead of
//! pointing at a dead dentry; no process groups or sessions.
//! **Invariants:**
//! 1. every fd names an open file description that exists, and a description's `refs` equals the
//!    number of fds naming it (checked by `State::check_invariants`);
//! 2. a zombie has no fds and a wait status; a live task has neither a status nor zombie state;
//! 3. every task except init has a parent that exists (orphans are reparented to init).

use crate::{Fd, ProcState, Signal, WaitStatus};
use cgsim_ktypes::{CpuId, Cred, Pid};
use std::collections::BTreeMap;

/// The pid of `init`.
pub const INIT_PID: Pid = Pid(1);
/// `PID_MAX_DEFAULT`: pids are allocated below this, then wrap around to 300 as in the kernel.
pub const PID_MAX: i32 = 32768;
/// `NR_OPEN_DEFAULT`-style per-process fd limit (`RLIMIT_NOFILE` soft default 1024).
pub const RLIMIT_NOFILE: i32 = 1024;

/// An id for an open file description (`struct file`).
pub type FileId = u64;

/// One slot of the fd table.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FdEntry {
    pub file: FileId,
    /// `FD_CLOEXEC`.
    pub cloexec: bool,
}

/// Where the scheduler keeps a task.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Sched {
    /// No program: the task only runs when someone makes a syscall on its behalf (a shell).
    NoProgram,
    /// Has a program that wants to run.
    Runnable,
    /// Program sleeps until the simulated clock reaches this many nanoseconds.
    SleepUntil(u64),
    /// Program waits until this fd polls readable.
    WaitReadable(Fd),
    /// Program waits until this fd (a pipe) has room or lost its reader.
    WaitWritable(Fd),
    /// Program waits in `poll(fd, POLLPRI)` until the fd has an exceptional condition: a PSI
    /// trigger's event, or a modified cgroup file (`kernfs_generic_poll`), see `psi.rs`.
    WaitPri(Fd),
    /// A threaded task's thread is parked until its condition holds (a child to reap, a pipe
    /// of another process); the scheduler asks [`crate::Program::ready`] every round.
    Polled,
    /// Sleeps on a memcg OOM wait queue (`oom_kill_disable`, `mm/memcontrol.c` `memcg_oom_recover`, v2.6.35) until
    /// `memcg_oom_recover` wakes it (`ps` state D); then it retries its fault.
    OomWait,
    /// Exited; waiting for the parent's `waitpid`.
    Zombie,
}

/// One simulated process.
#[doc(alias = "task_struct")]
#[derive(Clone, Debug)]
pub struct Task {
    pub pid: Pid,
    pub ppid: Pid,
    pub cred: Cred,
    pub comm: String,
    /// The argument vector of the last exec (`mm->arg_start..arg_end`, what
    /// `/proc/<pid>/cmdline` shows and `ps -o args` prints), inherited at fork.
    pub cmdline: Vec<String>,
    /// The working directory, as an absolute normalized path.
    pub cwd: String,
    pub umask: u32,
    pub fds: BTreeMap<i32, FdEntry>,
    pub sched: Sched,
    /// Set when the task exits (zombie).
    pub exit_status: Option<WaitStatus>,
    /// Reparented to init because its parent exited: init reaps it when it exits.
    pub orphaned: bool,
    /// `signal->oom_score_adj` (−1000..=1000), inherited at fork; the memcg keeps its copy.
    pub oom_score_adj: i32,
    /// `signal->oom_adj` (−17..=15) of 2.6.35 and older, inherited at fork; the memcg keeps its
    /// copy (2.6.36+ derive `oom_adj` from `oom_score_adj` instead).
    pub oom_adj: i32,
    /// `signal->oom_score_adj_min` (2.6.38+): the lowest `oom_score_adj` an unprivileged task
    /// may set, the last value a privileged writer set (0 at boot), inherited at fork.
    pub oom_score_adj_min: i32,
    /// `task->make_it_fail` (`/proc/PID/make-it-fail`), copied at fork.
    pub make_it_fail: i32,
    /// Signals other than SIGKILL sent while the task sleeps in state D: delivered when it
    /// wakes (the memcg OOM wait is `TASK_KILLABLE`).
    pub pending: Vec<Signal>,
    /// What the task was before its OOM wait (`NoProgram` or `Runnable`), restored on wake-up.
    pub before_oom_wait: Option<Sched>,
    /// While the task sleeps its `memory.high` penalty (`schedule_timeout_killable` in
    /// `mem_cgroup_handle_over_high`, 6.6; state D): the state to go back to when it ends.
    pub throttled: Option<Sched>,
    /// Jiffies of `memory.high` penalty owed by the memory call just made, slept on the
    /// task's return to user space (`psi.rs`).
    pub throttle_owed: u64,
    /// The signals whose action is `SIG_IGN` (bit N for signal N; `sighand->action`): kept
    /// across `fork` and `execve` (`flush_signal_handlers` resets only caught signals), and
    /// a signal sent to the task while ignored is discarded (`kernel/signal.c`
    /// `sig_ignored`, v2.6.35), so a write to a pipe with no reader fails with EPIPE only.
    pub sig_ignored: u64,
    /// The environment `execve` gave the process (`mm->env_start..env_end`), inherited at fork.
    pub environ: Vec<(String, String)>,
    /// `task_cpu(p)`: the CPU the task runs on; its memory calls charge through this CPU's
    /// stock and statistics. Inherited at fork (the child starts where its parent runs).
    pub cpu: CpuId,
    /// `p->cpus_allowed` (bit n = CPU n), inherited at fork; `CPU_MASK_ALL` for init.
    pub cpus_allowed: u64,
    /// `p->tgid`: the thread group's leader (the task's own pid for a process; see
    /// `thread.rs` for the threads `Kernel::clone_thread` makes).
    pub tgid: Pid,
    /// A leader's other threads, in creation order (empty for a thread and for a
    /// single-threaded process).
    pub threads: Vec<Pid>,
    /// The memory machine's handle of this task (`current` for its page faults,
    /// [`cgsim_memcg::TaskRef`]): its mm and memcg as the machine last saw them, checked by
    /// the machine with one compare per fault instead of a pid lookup. A copy inherited at
    /// fork names the parent's pid and is never used for the child (see `Kernel::touch`).
    pub mem_current: cgsim_memcg::TaskRef,
}

impl Task {
    /// The `ps` state of the task.
    pub fn proc_state(&self) -> ProcState {
        match self.sched {
            Sched::Zombie => ProcState::Zombie,
            Sched::Runnable => ProcState::Running,
            // The memory.high penalty sleep is TASK_KILLABLE.
            _ if self.throttled.is_some() => ProcState::Uninterruptible,
            Sched::NoProgram
            | Sched::SleepUntil(_)
            | Sched::WaitReadable(_)
            | Sched::WaitWritable(_)
            | Sched::WaitPri(_)
            | Sched::Polled => ProcState::Sleeping,
            Sched::OomWait => ProcState::Uninterruptible,
        }
    }

    pub fn is_zombie(&self) -> bool {
        self.sched == Sched::Zombie
    }

    /// The lowest free fd number at or above `min` (`get_unused_fd` / `F_DUPFD`), or EMFILE.
    pub fn lowest_free_fd(&self, min: i32) -> Option<i32> {
        let mut n = min;
        for &used in self.fds.range(min..).map(|(k, _)| k) {
            if used != n {
                break;
            }
            n += 1;
        }
        (n < RLIMIT_NOFILE).then_some(n)
    }
}
