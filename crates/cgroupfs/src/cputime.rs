//! Simulated CPU time: what each step of a simulated task costs, the CPUs it runs on, and the
//! clock that moves as the CPUs are busy.
//!
//! **Kernel:** stands in for the time a task spends on a CPU as `update_curr`
//! (`kernel/sched_fair.c`, v2.6.35; `kernel/sched/fair.c`, v6.6) accounts it: the task's
//! `se.sum_exec_runtime` split into `utime`/`stime` (`/proc/PID/stat`, `fs/proc/array.c`
//! `do_task_stat`), `cpuacct_charge` (`kernel/sched.c`, v2.6.29+ hierarchical;
//! `cpuacct.usage`), `cgroup_base_stat_cputime_show` (`kernel/cgroup/rstat.c`, v6.6;
//! `cpu.stat`), and PSI's `PSI_CPU_SOME`/`PSI_CPU_FULL` (`kernel/sched/psi.c`, v6.6).
//!
//! **The cost model** (all simulated time, charged to the task on the CPU it runs on):
//! * [`CMD_NS`] (user): one simple command a shell interprets (a builtin, a function call, an
//!   assignment, the shell's side of starting any other command);
//! * [`FORK_NS`] (system, the parent): `fork`; [`EXEC_NS`] (system): `execve`;
//! * [`STEP_NS`] (system): one step of a simulated program (the system calls it makes between
//!   two sleeps, the context switch);
//! * one nanosecond (system) per [`BYTES_PER_NS`] bytes a `read`/`write` copies;
//! * [`FAULT_PAGE_NS`] (system) per page of a range a program touches;
//! * [`RECLAIM_PAGE_NS`] (system) per page reclaim scans on the task's behalf, in a memory
//!   stall (PSI `some`, and `full` unless another task of the group runs on that CPU).
//!
//! **How the clock moves:** the scheduler runs in rounds (`sched.rs`). During a round, each
//! CPU runs the steps of the tasks on it one after the other, starting at the round's start;
//! when the round ends the clock moves to the time the busiest CPU finished, so the CPUs work
//! in parallel and a round lasts as long as its longest CPU queue. Code that runs outside a
//! round (the interactive shell and the commands it runs in place) moves the clock by its own
//! cost at once. A CPU that has nothing to run idles; `sleep` moves the clock through idle
//! time as before. Everything is a function of the script, so a run is deterministic.
//!
//! **Differences:** the costs are fixed numbers, not measured; a task stays on the CPU it was
//! forked on (no load balancing); within a round each task runs once (unless the cpu
//! controller's weights or bandwidth hold it back, `fair.rs`), in pid order, for as long as
//! its step takes (there is no preemption inside a step, so the timeslice is the step:
//! a shell-code task yields every 100 commands); PSI's CPU states are computed per round from
//! the order the steps ran in (see [`Kernel::psi_cpu_round`]) rather than at each
//! enqueue/dequeue.

use crate::Kernel;
use cgsim_ktypes::{Pid, Tracer};
use parking_lot::Mutex;
use std::collections::BTreeMap;

/// One simple command interpreted by a shell (user time). dash runs `:` in a loop in well
/// under a microsecond on current hardware; this includes the expansion and lookup work of a
/// typical command line.
pub const CMD_NS: u64 = 5_000;
/// One step of a simulated program: its system calls and the context switch (system time).
pub const STEP_NS: u64 = 1_000;
/// `fork` of a small process (`copy_process`, `dup_mm`): system time of the parent.
pub const FORK_NS: u64 = 20_000;
/// `execve` of a small program (loading, mapping, the dynamic linker's start-up).
pub const EXEC_NS: u64 = 50_000;
/// `read`/`write` copy this many bytes per nanosecond (about 4 GB/s).
pub const BYTES_PER_NS: u64 = 4;
/// Reclaim's cost per page it scans (taking it off the LRU, checking references, unmapping,
/// freeing or swapping it out), charged as system time and spent in a memory stall
/// (`try_to_free_mem_cgroup_pages` wraps the reclaim in `psi_memstall_enter`/`_leave`, 6.6).
pub const RECLAIM_PAGE_NS: u64 = 1_000;
/// A page fault, per page of the range a program touches (`handle_mm_fault`, zeroing a new
/// page or finding a present one).
pub const FAULT_PAGE_NS: u64 = 250;
/// How long the other runnable tasks run between two commands of the interactive shell (or in
/// any other wait that is not a sleep): `sysctl_sched_latency`'s default of 6 ms
/// (`kernel/sched_fair.c`, v2.6.35), the period in which CFS runs every runnable task once.
pub const SLICE_NS: u64 = 6_000_000;
/// The livelock guard of a wait without a deadline (a shell waiting for a child, a pipe):
/// after this many slices of [`SLICE_NS`] in which tasks stayed runnable (1.8 s of simulated
/// time, about as many scheduler rounds as the old round-count guard), the wait gives up.
pub const BUSY_WAIT_SLICES: usize = 300;
/// `USER_HZ`: the unit of `/proc/PID/stat`'s and `cpuacct.stat`'s times.
pub const USER_HZ: u64 = 100;

/// One task's run on one CPU during a round.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slice {
    pub cpu: usize,
    pub pid: Pid,
    pub cost: u64,
    /// The part of `cost` spent in reclaim (a memory stall while running).
    pub reclaim: u64,
}

#[derive(Default)]
struct Inner {
    /// When each CPU finishes the work it was given (ns since boot).
    cpu_until: Vec<u64>,
    /// The round in progress: its start and the slices run so far.
    round: Option<(u64, Vec<Slice>)>,
    /// The PSI groups of each task that ran in the round in progress, as they were when it
    /// ran: a task that exits before the round ends is gone from its cgroups when PSI folds
    /// the round in (the kernel accounts each state change as it happens, `psi_task_change`).
    round_chains: BTreeMap<Pid, Vec<crate::psi::GroupKey>>,
    /// `(utime, stime)` of every task, ns.
    tasks: BTreeMap<Pid, [u64; 2]>,
    /// `(cutime, cstime)`: the times of every task's reaped children (and theirs).
    children: BTreeMap<Pid, [u64; 2]>,
    /// `signal->utime`, `signal->stime` of every thread group (by tgid): its exited threads'
    /// times (`__exit_signal`).
    dead_threads: BTreeMap<Pid, [u64; 2]>,
    /// `(user, system)` ns of every cgroup of the default hierarchy (the root's is the sum).
    dfl: BTreeMap<cgsim_cgroup::CgroupId, [u64; 2]>,
    /// Busy ns of all CPUs together.
    busy: u64,
}

/// The CPUs' accounting (a leaf lock: taken last, nothing is called while it is held).
pub struct CpuTime {
    inner: Mutex<Inner>,
    nr_cpus: usize,
    /// The task groups queued on each CPU's run queues at the last pick (`fair.rs`).
    pub(crate) fair_on_rq: Mutex<Vec<Vec<std::sync::Arc<cgsim_cgroup::subsys::cpu::TaskGroup>>>>,
}

impl CpuTime {
    pub(crate) fn new(nr_cpus: usize) -> CpuTime {
        let nr_cpus = nr_cpus.max(1);
        CpuTime {
            inner: Mutex::new(Inner {
                cpu_until: vec![0; nr_cpus],
                ..Inner::default()
            }),
            nr_cpus,
            fair_on_rq: Mutex::new(vec![Vec::new(); nr_cpus]),
        }
    }

    /// The number of simulated CPUs.
    pub fn nr_cpus(&self) -> usize {
        self.nr_cpus
    }

    /// `(utime, stime)` of `pid` in nanoseconds.
    pub fn task_times(&self, pid: Pid) -> (u64, u64) {
        let g = self.inner.lock();
        g.tasks.get(&pid).map_or((0, 0), |t| (t[0], t[1]))
    }

    /// `(user, system)` nanoseconds of the tasks of a default-hierarchy cgroup and its
    /// descendants, since each task joined.
    pub fn cgroup_times(&self, cgrp: cgsim_cgroup::CgroupId) -> (u64, u64) {
        let g = self.inner.lock();
        g.dfl.get(&cgrp).map_or((0, 0), |t| (t[0], t[1]))
    }

    /// Nanoseconds all CPUs together were busy since boot.
    pub fn busy(&self) -> u64 {
        self.inner.lock().busy
    }

    /// `(cutime, cstime)` of `pid` in nanoseconds: its reaped children's times
    /// (`signal->cutime`, summed in `wait_task_zombie`).
    pub fn children_times(&self, pid: Pid) -> (u64, u64) {
        let g = self.inner.lock();
        g.children.get(&pid).map_or((0, 0), |t| (t[0], t[1]))
    }

    /// A new task (`fork`): its times start at 0.
    pub(crate) fn forget(&self, pid: Pid) {
        let mut g = self.inner.lock();
        g.tasks.remove(&pid);
        g.children.remove(&pid);
        g.dead_threads.remove(&pid);
    }

    /// `__exit_signal` for a thread `tid` of group `tgid` that is not its leader: its times go
    /// to the group's `signal->utime`/`stime`.
    pub(crate) fn exit_thread(&self, tid: Pid, tgid: Pid) {
        let mut g = self.inner.lock();
        let own = g.tasks.remove(&tid).unwrap_or_default();
        let e = g.dead_threads.entry(tgid).or_default();
        e[0] += own[0];
        e[1] += own[1];
    }

    /// `(utime, stime)` of thread group `tgid`'s exited threads, nanoseconds
    /// (`signal->utime`, `signal->stime`).
    pub fn dead_threads_times(&self, tgid: Pid) -> (u64, u64) {
        let g = self.inner.lock();
        g.dead_threads.get(&tgid).map_or((0, 0), |t| (t[0], t[1]))
    }

    /// `wait_task_zombie` (`kernel/exit.c`, v2.6.35 and v6.6): `parent` reaped the group
    /// leader `child`. The whole group's times (`thread_group_cputime`: the leader's own, the
    /// only thread left, plus `signal->utime`/`stime` of the threads that exited before it)
    /// and the group's reaped children's (`signal->cutime`/`cstime`) go to the parent's
    /// `cutime`/`cstime`.
    pub(crate) fn reap(&self, parent: Pid, child: Pid) {
        let mut g = self.inner.lock();
        let own = g.tasks.remove(&child).unwrap_or_default();
        let threads = g.dead_threads.remove(&child).unwrap_or_default();
        let kids = g.children.remove(&child).unwrap_or_default();
        let e = g.children.entry(parent).or_default();
        e[0] += own[0] + threads[0] + kids[0];
        e[1] += own[1] + threads[1] + kids[1];
    }

    pub(crate) fn round_begin(&self, now: u64) {
        let mut g = self.inner.lock();
        g.round = Some((now, Vec::new()));
        g.round_chains.clear();
    }

    /// End the round: the time the busiest CPU finished, the round's slices, and the PSI
    /// groups each of their tasks was in when it ran.
    pub(crate) fn round_end(
        &self,
    ) -> (
        u64,
        u64,
        Vec<Slice>,
        BTreeMap<Pid, Vec<crate::psi::GroupKey>>,
    ) {
        let mut g = self.inner.lock();
        let (start, slices) = g.round.take().unwrap_or_default();
        let end = g.cpu_until.iter().copied().max().unwrap_or(0).max(start);
        let chains = std::mem::take(&mut g.round_chains);
        (start, end, slices, chains)
    }

    pub(crate) fn in_round(&self) -> bool {
        self.inner.lock().round.is_some()
    }
}

impl<T: Tracer> Kernel<T> {
    /// The CPU accounting (for `/proc`, `cpu.stat` and Rust users).
    pub fn cputime(&self) -> &CpuTime {
        &self.cputime
    }

    /// Charge `user` + `sys` ns of CPU time to `pid` on its CPU (`update_curr` and
    /// `account_user_time`/`account_system_time`). Inside a scheduler round the CPU's queue
    /// grows; outside one the clock moves by the cost at once. Call with no lock held.
    pub fn cpu_charge(&self, pid: Pid, user: u64, sys: u64) {
        self.cpu_charge_stall(pid, user, sys, 0);
    }

    /// [`Kernel::cpu_charge`] with `reclaim` ns of `sys` spent reclaiming (a memory stall).
    fn cpu_charge_stall(&self, pid: Pid, user: u64, sys: u64, reclaim: u64) {
        let cost = user + sys;
        if cost == 0 {
            return;
        }
        let Some(cpu) = self
            .lock_state()
            .tasks
            .get(&pid)
            .filter(|t| !t.is_zombie())
            .map(|t| t.cpu.0 as usize)
        else {
            return;
        };
        let dfl = if self.psi_enabled() {
            self.cgroups.task_dfl_cgroups(pid)
        } else {
            Vec::new()
        };
        // The task's PSI groups now, for a round that folds its time in later.
        let chain = (!dfl.is_empty() && self.cputime.in_round()).then(|| self.psi_chain_of(&dfl));
        let n = self.cputime.nr_cpus;
        let c = cpu % n;
        self.cpuacct_charge(pid, c, user, sys);
        let now = self.clock.now_nanos();
        let mut g = self.cputime.inner.lock();
        let t = g.tasks.entry(pid).or_default();
        t[0] += user;
        t[1] += sys;
        for cg in dfl {
            let e = g.dfl.entry(cg).or_default();
            e[0] += user;
            e[1] += sys;
        }
        g.busy += cost;
        let inner = &mut *g;
        match &mut inner.round {
            Some((rstart, slices)) => {
                if let Some(chain) = chain {
                    inner.round_chains.entry(pid).or_insert(chain);
                }
                let start = inner.cpu_until[c].max(*rstart);
                inner.cpu_until[c] = start + cost;
                let end = start + cost;
                match slices.iter_mut().rev().find(|s| s.cpu == c) {
                    Some(s) if s.pid == pid => {
                        s.cost += cost;
                        s.reclaim += reclaim;
                    }
                    _ => slices.push(Slice {
                        cpu: c,
                        pid,
                        cost,
                        reclaim,
                    }),
                }
                drop(g);
                self.fair_charge(pid, c, cost, end);
            }
            None => {
                let start = inner.cpu_until[c].max(now);
                let end = start + cost;
                inner.cpu_until[c] = end;
                drop(g);
                self.fair_charge(pid, c, cost, end);
                self.clock.advance_to(end);
                let slice = Slice {
                    cpu: c,
                    pid,
                    cost,
                    reclaim,
                };
                self.psi_cpu_round(&[slice], &[], &[], start, end);
            }
        }
    }

    /// After a page fault of `len` bytes by `pid`: the faults' time and the time reclaim took
    /// (the pages scanned since `scanned_before`, `nr_reclaim_scanned`).
    pub(crate) fn cpu_fault_time(&self, pid: Pid, len: u64, scanned_before: u64) {
        let scanned = crate::with_machine!(&self.mem, m => m.nr_reclaim_scanned());
        let reclaim = scanned.saturating_sub(scanned_before) * RECLAIM_PAGE_NS;
        let faults = len.div_ceil(4096) * FAULT_PAGE_NS;
        self.cpu_charge_stall(pid, 0, faults + reclaim, reclaim);
    }

    /// `cpuacct_charge` (the usage of `cpu`) and `cpuacct_update_stats` (user, system): the
    /// task's cpuacct group and, from 2.6.29 on, each ancestor (`ca->parent`). Like the
    /// kernel's, under the css_set side only (`rcu_read_lock`), never `cgroup_mutex`.
    fn cpuacct_charge(&self, pid: Pid, cpu: usize, user: u64, sys: u64) {
        use cgsim_cgroup::subsys::cpuacct::CpuAcct;
        let Some(id) = self.cgroups.subsys_id("cpuacct") else {
            return;
        };
        if let Ok(css) = self.cgroups.task_css_rcu(pid, id)
            && let Some(ca) = css.private::<CpuAcct>()
        {
            ca.charge(cpu, user, sys);
        }
    }

    /// The scheduler's round starts at the current time.
    pub(crate) fn cpu_round_begin(&self) {
        self.cputime.round_begin(self.clock.now_nanos());
    }

    /// The round ends: the clock moves to when the busiest CPU finished, and PSI learns who
    /// waited for a CPU meanwhile: the tasks still runnable after their step, and `waiting`,
    /// the runnable tasks the round did not run (`fair.rs`), with their CPUs.
    pub(crate) fn cpu_round_end(&self, waiting: &[(Pid, usize)]) {
        let (start, end, slices, chains) = self.cputime.round_end();
        if slices.is_empty() {
            return;
        }
        self.clock.advance_to(end);
        let runnable: Vec<Pid> = {
            let st = self.lock_state();
            slices
                .iter()
                .map(|s| s.pid)
                .filter(|p| {
                    st.tasks
                        .get(p)
                        .is_some_and(|t| t.sched == crate::task::Sched::Runnable)
                })
                .collect()
        };
        self.psi_cpu_round_with(&slices, &runnable, waiting, start, end, chains);
    }

    /// PSI for a span in which the CPUs ran nothing while `waiting` stayed runnable (their
    /// groups throttled).
    pub(crate) fn psi_cpu_waiting(&self, waiting: &[(Pid, usize)], start: u64, end: u64) {
        if !waiting.is_empty() && end > start {
            self.psi_cpu_round(&[], &[], waiting, start, end);
        }
    }

    /// `/proc/uptime` as `uptime_proc_show` (`fs/proc/uptime.c`, v2.6.35) prints it: the
    /// time since boot and the idle time of all CPUs together (`kstat_cpu(i).cpustat.idle`
    /// summed), each in seconds with two decimals, truncated.
    pub(crate) fn proc_uptime(&self) -> String {
        let now = self.clock.now_nanos();
        let n = self.cputime.nr_cpus as u64;
        let idle = (now * n).saturating_sub(self.cputime.busy());
        let show = |ns: u64| {
            format!(
                "{}.{:02}",
                ns / 1_000_000_000,
                ns % 1_000_000_000 / 10_000_000
            )
        };
        format!("{} {}\n", show(now), show(idle))
    }

    /// Whether a scheduler round is in progress (charges then queue on their CPU).
    pub(crate) fn cpu_in_round(&self) -> bool {
        self.cputime.in_round()
    }
}
