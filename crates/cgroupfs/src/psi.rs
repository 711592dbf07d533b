//! Pressure stall information for the Kernel: the `psi_group`s of the default hierarchy's
//! cgroups and `psi_system`, the memory stalls that feed them (the `memory.high` throttling
//! sleep), the pressure files' reads and triggers, `poll(2)` on cgroup files (PSI triggers and
//! modified `*.events` files), and the return to user space that sleeps the penalty.
//!
//! **Kernel:** `kernel/sched/psi.c` (v6.6) `psi_memstall_enter`, `psi_memstall_leave`,
//! `psi_task_change`, `psi_show`, `psi_trigger_create`, `psi_trigger_poll`,
//! `psi_trigger_destroy`; `kernel/cgroup/cgroup.c` `cgroup_psi`, `pressure_write` (one trigger
//! per open file, EBUSY for a second, ENODEV once the cgroup is gone), `cgroup_pressure_poll`,
//! `cgroup_pressure_release`, `cgroup_file_poll`; `fs/kernfs/file.c` `kernfs_generic_poll`
//! (`DEFAULT_POLLMASK|EPOLLERR|EPOLLPRI` once the file was notified since the opener last read
//! it) and `kernfs_fop_poll` (the same for a removed file); `mm/memcontrol.c`
//! `mem_cgroup_handle_over_high` (`resume_user_mode_work` on the way out of a syscall).
//!
//! The math is `cgsim_cgroup::psi_group`. A task's state changes go to its default-hierarchy
//! cgroup and each ancestor (the root's group is `psi_system`, which `/proc/pressure/*` and
//! the root's pressure files show), with the CPU the task runs on.
//!
//! **Differences:**
//! * Memory stalls are the `memory.high` penalty sleep. Tasks use CPU time (`cputime.rs`):
//!   a task of the group that runs on the CPU of a stalled one makes that time `some` but not
//!   `full`, and tasks waiting for a CPU make `cpu.pressure` (`some`, and `full` at the cgroup
//!   level), computed per scheduler round. `io.pressure` stays zero: nothing waits for I/O
//!   (the simulated files are in memory, swap is instant).
//! * A group's clock starts when it is first used (read or stalled in), not at `mkdir`.
//! * A task stays accounted to the cgroups it stalled in until the sleep ends, even if it is
//!   moved meanwhile (the kernel moves its stall with it in `cgroup_move_task`).
//! * The trigger's owner is checked with the writer's credentials, not the opener's
//!   (`file->f_cred`); no `psimon` kernel thread appears in `ps`.
//! * A modified `cgroup.events`, `memory.events`, `memory.events.local` or `memory.swap.events`
//!   is detected by comparing its text with what the opener last read (the counters only grow,
//!   so this is the notification; a `populated` flip and back between two reads is missed).
//!   `cgroup_file_notify`'s rate limit (`CGROUP_FILE_NOTIFY_MIN_INTV`, `file_notify.rs`) holds
//!   a change back until 3 jiffies after the file's last notification.
//!   inotify watches of the same files (`IN_MODIFY`, `inotify.rs`) compare the text the same
//!   way.
//! * A program sleeping in `poll` is woken at the next scheduling point after the trigger's
//!   event (the end of some sleep, or the clock's next move), not at the poll work's tick.

use crate::cgroupfs::CgFile;
use crate::file::FileKind;
use crate::state::State;
use crate::task::Sched;
use crate::{Fd, Kernel};
use cgsim_cgroup::psi::{PressureHook, PsiRes, parse_trigger};
use cgsim_cgroup::psi_group::{NSEC_PER_JIFFY, PsiGroup, TSK_MEMSTALL, TriggerKey};
use cgsim_cgroup::{BaseFile, CgroupId};
use cgsim_ktypes::{Errno, Pid, SysError, SysResult, Tracer};
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::{Arc, Weak};

/// `POLLIN`.
pub const POLLIN: u16 = 0x1;
/// `POLLPRI`.
pub const POLLPRI: u16 = 0x2;
/// `POLLOUT`.
pub const POLLOUT: u16 = 0x4;
/// `POLLERR`.
pub const POLLERR: u16 = 0x8;
/// `POLLHUP`.
pub const POLLHUP: u16 = 0x10;
/// `POLLNVAL`.
pub const POLLNVAL: u16 = 0x20;
/// `POLLRDNORM`.
pub const POLLRDNORM: u16 = 0x40;
/// `POLLWRNORM`.
pub const POLLWRNORM: u16 = 0x100;
/// `DEFAULT_POLLMASK` (`include/linux/poll.h`): what a file without a poll method reports.
pub const DEFAULT_POLLMASK: u16 = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

/// Which psi group: a cgroup's, or `psi_system` (`None`: the root cgroup and `/proc/pressure`).
pub type GroupKey = Option<CgroupId>;

fn res_index(res: PsiRes) -> usize {
    match res {
        PsiRes::Io => 0,
        PsiRes::Memory => 1,
        PsiRes::Cpu => 2,
    }
}

#[derive(Default)]
struct PsiState {
    groups: BTreeMap<GroupKey, PsiGroup>,
    /// Trigger key -> its group.
    triggers: BTreeMap<TriggerKey, GroupKey>,
    next_key: TriggerKey,
    /// Tasks in a memory stall: their CPU and the groups the stall was entered in.
    stalled: BTreeMap<Pid, (usize, Vec<GroupKey>)>,
}

/// The Kernel's PSI state (a leaf lock: taken after `Kernel::state`, never before).
pub struct Psi {
    state: Mutex<PsiState>,
    nr_cpus: usize,
}

impl Psi {
    pub(crate) fn new(nr_cpus: usize) -> Psi {
        Psi {
            state: Mutex::new(PsiState::default()),
            nr_cpus: nr_cpus.max(1),
        }
    }

    /// The group of `key`, made (`group_init` at `now`) on first use.
    fn group(st: &mut PsiState, nr_cpus: usize, key: GroupKey, now: u64) -> &mut PsiGroup {
        st.groups
            .entry(key)
            .or_insert_with(|| PsiGroup::new(nr_cpus, now))
    }

    /// `psi_memstall_enter` for `pid` on `cpu`, in `chain` (its cgroup up to `psi_system`).
    pub(crate) fn memstall_enter(&self, pid: Pid, cpu: usize, chain: Vec<GroupKey>, now: u64) {
        let mut st = self.state.lock();
        if st.stalled.contains_key(&pid) {
            return;
        }
        for &g in &chain {
            Self::group(&mut st, self.nr_cpus, g, now).task_change(cpu, 0, TSK_MEMSTALL, now);
        }
        st.stalled.insert(pid, (cpu, chain));
    }

    /// `psi_memstall_leave` for `pid`, if it is in a memory stall.
    pub(crate) fn memstall_leave(&self, pid: Pid, now: u64) {
        let mut st = self.state.lock();
        let Some((cpu, chain)) = st.stalled.remove(&pid) else {
            return;
        };
        for g in chain {
            Self::group(&mut st, self.nr_cpus, g, now).task_change(cpu, TSK_MEMSTALL, 0, now);
        }
    }

    /// One scheduler round's CPU times per (group, CPU) (see [`PsiGroup::account_cpu`]).
    pub(crate) fn cpu_round(&self, acc: BTreeMap<(GroupKey, usize), [u64; 6]>, now: u64) {
        let mut st = self.state.lock();
        for ((key, cpu), t) in acc {
            Self::group(&mut st, self.nr_cpus, key, now).account_cpu(cpu, t, now);
        }
    }

    /// `psi_show` of `key`'s group for `res`.
    pub fn show(&self, key: GroupKey, res: PsiRes, now: u64) -> String {
        let mut st = self.state.lock();
        Self::group(&mut st, self.nr_cpus, key, now).show(res_index(res), now, key.is_none())
    }

    fn trigger_create(
        &self,
        key: GroupKey,
        res: PsiRes,
        buf: &str,
        privileged: bool,
        now: u64,
    ) -> Result<TriggerKey, Errno> {
        let t = parse_trigger(buf, privileged)?;
        let mut st = self.state.lock();
        st.next_key += 1;
        let tk = st.next_key;
        let state = res_index(res) * 2 + usize::from(t.full);
        Self::group(&mut st, self.nr_cpus, key, now).trigger_create(
            tk,
            state,
            t.threshold_us,
            t.window_us,
            privileged,
            now,
        );
        st.triggers.insert(tk, key);
        Ok(tk)
    }

    fn trigger_destroy(&self, tk: TriggerKey, now: u64) {
        let mut st = self.state.lock();
        if let Some(key) = st.triggers.remove(&tk) {
            Self::group(&mut st, self.nr_cpus, key, now).trigger_destroy(tk, now);
        }
    }

    /// Whether trigger `tk` has an event waiting; `consume` takes it (`psi_trigger_poll`).
    fn trigger_event(&self, tk: TriggerKey, consume: bool, now: u64) -> bool {
        let mut st = self.state.lock();
        let Some(&key) = st.triggers.get(&tk) else {
            return false;
        };
        let g = Self::group(&mut st, self.nr_cpus, key, now);
        if consume {
            g.trigger_poll(tk, now)
        } else {
            g.trigger_pending(tk, now)
        }
    }

    /// Whether any trigger exists (the scheduler only then stops at the PSI works' ticks).
    pub fn has_triggers(&self) -> bool {
        !self.state.lock().triggers.is_empty()
    }

    /// The earliest time a group's deferred work runs (for the scheduler to stop there).
    pub fn next_timer(&self, now: u64) -> Option<u64> {
        let mut st = self.state.lock();
        st.groups
            .values_mut()
            .filter_map(|g| {
                g.run_timers(now);
                g.next_timer()
            })
            .min()
    }

    /// The stall totals (ns, `total[PSI_AVGS]`) of `key`'s group for `res`: `(some, full)`,
    /// after folding in the time up to `now`.
    pub fn totals(&self, key: GroupKey, res: PsiRes, now: u64) -> (u64, u64) {
        let mut st = self.state.lock();
        let g = Self::group(&mut st, self.nr_cpus, key, now);
        g.show(res_index(res), now, key.is_none());
        let t = g.totals();
        let r = res_index(res) * 2;
        (t[r], t[r + 1])
    }
}

/// The pressure files' backend the core calls ([`PressureHook`]).
pub(crate) struct PsiHook<T: Tracer> {
    pub(crate) kernel: Weak<Kernel<T>>,
}

impl<T: Tracer> PressureHook for PsiHook<T> {
    fn cpu_times(&self, cgrp: CgroupId) -> (u64, u64) {
        self.kernel
            .upgrade()
            .map_or((0, 0), |k| k.cputime().cgroup_times(cgrp))
    }

    fn show(&self, cgrp: CgroupId, res: PsiRes) -> String {
        match self.kernel.upgrade() {
            Some(k) => k.psi.show(k.psi_key(cgrp), res, k.clock.now_nanos()),
            None => cgsim_cgroup::psi::PSI_ZEROS.to_string(),
        }
    }
}

/// What a poller of a cgroup file compares: the text of a `*.events` file when the opener
/// last read it (or opened it).
pub(crate) fn notifies(name: &str) -> bool {
    matches!(
        name,
        "cgroup.events"
            | "memory.events"
            | "memory.events.local"
            | "memory.swap.events"
            | "pids.events"
    )
}

fn sys(errno: Errno, why: &'static str) -> SysError {
    SysError::new(errno, why)
}

impl<T: Tracer> Kernel<T> {
    /// The psi group of a cgroup: `psi_system` for the root (`cgroup_psi`).
    fn psi_key(&self, cgrp: CgroupId) -> GroupKey {
        match self.cgroups.parent(cgrp) {
            Ok(Some(_)) => Some(cgrp),
            _ => None,
        }
    }

    /// The groups a task's state changes go to: its default-hierarchy cgroup and each
    /// ancestor, the root's being `psi_system`, less those whose accounting `cgroup.pressure`
    /// turned off (`psi_group_change` leaves a disabled group's state empty, so no stall time
    /// accrues in it).
    pub(crate) fn psi_chain(&self, pid: Pid) -> Vec<GroupKey> {
        self.psi_chain_of(&self.cgroups.task_dfl_cgroups(pid))
    }

    /// [`Kernel::psi_chain`] of a task in `cgroups` (its cgroup of the default hierarchy and
    /// its ancestors, the root last: `task_dfl_cgroups`).
    pub(crate) fn psi_chain_of(&self, cgroups: &[CgroupId]) -> Vec<GroupKey> {
        let Some(&root) = cgroups.last() else {
            return vec![None];
        };
        let mut chain: Vec<GroupKey> = cgroups
            .iter()
            .filter(|&&c| c != root && !self.cgroups.psi_disabled(c))
            .map(|&c| Some(c))
            .collect();
        if !self.cgroups.psi_disabled(root) {
            chain.push(None);
        }
        chain
    }

    /// PSI's CPU states for a scheduler round that ended at `end` (`cputime.rs`): on each
    /// CPU the slices ran one after the other; while one runs, a task of a group waits for
    /// the CPU if it runs later in the round, or ran earlier and is still runnable.
    pub(crate) fn psi_cpu_round(
        &self,
        slices: &[crate::cputime::Slice],
        runnable: &[Pid],
        waiting: &[(Pid, usize)],
        start: u64,
        end: u64,
    ) {
        self.psi_cpu_round_with(slices, runnable, waiting, start, end, BTreeMap::new());
    }

    /// [`Kernel::psi_cpu_round`] with the groups of the tasks that ran as they were when they
    /// ran (`ran_in`, from the round's charges), used for a task that has left every cgroup
    /// since (it exited and was reaped); a live task's groups are looked up now, as before.
    pub(crate) fn psi_cpu_round_with(
        &self,
        slices: &[crate::cputime::Slice],
        runnable: &[Pid],
        waiting: &[(Pid, usize)],
        start: u64,
        end: u64,
        mut ran_in: BTreeMap<Pid, Vec<GroupKey>>,
    ) {
        if !self.psi_enabled() {
            return;
        }
        let mut chains: BTreeMap<Pid, Vec<GroupKey>> = BTreeMap::new();
        for s in slices {
            chains.entry(s.pid).or_insert_with(|| {
                let now_in = self.cgroups.task_dfl_cgroups(s.pid);
                match ran_in.remove(&s.pid) {
                    Some(then) if now_in.is_empty() => then,
                    _ => self.psi_chain_of(&now_in),
                }
            });
        }
        // The tasks the round left runnable without running them (not eligible, or in a
        // throttled group, `fair.rs`) wait for the CPU the whole round. A throttled task stays
        // TASK_RUNNING on its run queue in 6.6 (`throttle_cfs_rq` dequeues the group's
        // entity, not the tasks, so `psi_dequeue` is never called): PSI counts it runnable.
        let mut waiters: BTreeMap<usize, Vec<GroupKey>> = BTreeMap::new();
        for &(p, c) in waiting {
            let chain = chains.entry(p).or_insert_with(|| self.psi_chain(p)).clone();
            waiters.entry(c).or_default().extend(chain);
        }
        let mut acc: BTreeMap<(GroupKey, usize), [u64; 6]> = BTreeMap::new();
        let mut cpus: Vec<usize> = slices.iter().map(|s| s.cpu).collect();
        cpus.extend(waiters.keys().copied());
        cpus.sort_unstable();
        cpus.dedup();
        for c in cpus {
            let on: Vec<&crate::cputime::Slice> = slices.iter().filter(|s| s.cpu == c).collect();
            let waits = waiters.get(&c).cloned().unwrap_or_default();
            let mut groups: Vec<GroupKey> = on
                .iter()
                .flat_map(|s| chains[&s.pid].iter().copied())
                .chain(waits.iter().copied())
                .collect();
            groups.sort_unstable();
            groups.dedup();
            let busy: u64 = on.iter().map(|s| s.cost).sum();
            for g in groups {
                let in_g = |p: Pid| chains[&p].contains(&g);
                let has_waiter = waits.contains(&g);
                let e = acc.entry((g, c)).or_default();
                for (k, s) in on.iter().enumerate() {
                    let running = in_g(s.pid);
                    let waiting = has_waiter
                        || on.iter().enumerate().any(|(i, o)| {
                            i != k
                                && o.pid != s.pid
                                && in_g(o.pid)
                                && (i > k || runnable.contains(&o.pid))
                        });
                    if running && s.reclaim > 0 {
                        // Reclaim is a memory stall of a running task: `full` unless another
                        // task of the group is runnable on this CPU (it would run meanwhile).
                        e[4] += s.reclaim;
                        if !waiting {
                            e[5] += s.reclaim;
                        }
                    }
                    if waiting {
                        e[0] += s.cost;
                        if !running {
                            e[1] += s.cost;
                        }
                    }
                    if waiting || running {
                        e[2] += s.cost;
                    }
                    if running {
                        e[3] += s.cost;
                    }
                }
                // While the CPU idles (the rest of the round), a waiter's group is stalled
                // with nothing of it running.
                if has_waiter {
                    let idle = end.saturating_sub(start).saturating_sub(busy);
                    e[0] += idle;
                    e[1] += idle;
                    e[2] += idle;
                }
            }
        }
        self.psi.cpu_round(acc, end);
    }

    /// The PSI state (for `/proc/pressure` and Rust users).
    pub fn psi(&self) -> &Psi {
        &self.psi
    }

    /// After a memory syscall of `pid`: the `memory.high` penalty it owes
    /// (`mem_cgroup_handle_over_high`), slept on its return to user space. A program's task
    /// sleeps when its step or signal handler returns ([`Kernel::psi_throttle`]); a task
    /// without a program (driven synchronously, like the shell) sleeps here, the clock moving
    /// and other programs running meanwhile.
    ///
    /// As `resume_user_mode_work` → `mem_cgroup_handle_over_high` (v6.6), which returns at
    /// once unless `current->memcg_nr_pages_over_high` is set, a return that owes nothing
    /// looks only at that count (the memcg world's read side): neither `Kernel::state` nor
    /// the world's write side is taken.
    pub(crate) fn mem_return_to_user(&self, pid: Pid) {
        if !self.psi_enabled() {
            return;
        }
        if !crate::with_machine!(&self.mem, m => m.over_high_pending()) {
            return;
        }
        let cpu = {
            let st = self.lock_state();
            Self::task_cpu_locked(&st, pid)
        };
        let jiffies = crate::with_machine!(&self.mem, m => m.mem_cgroup_handle_over_high(pid, cpu));
        // The same sleep as one the charge path asks for in the middle of a fault
        // (`fault_sleep.rs`): now for a task without a program, at the end of a program's step.
        self.over_high_sleep(pid, cpu, jiffies);
    }

    /// A program's return to user space (its step or signal handler ended): if it owes a
    /// `memory.high` penalty, it sleeps it now (`schedule_timeout_killable`, state D) in a
    /// memory stall, and goes back to the state it was in when the sleep ends.
    pub(crate) fn psi_throttle(&self, st: &mut State<T>, pid: Pid) {
        let Some(t) = st.tasks.get_mut(&pid).filter(|t| !t.is_zombie()) else {
            return;
        };
        let owed = std::mem::take(&mut t.throttle_owed).min(cgsim_memcg_max_delay());
        if owed == 0 || t.throttled.is_some() || t.sched == Sched::OomWait {
            return;
        }
        let now = self.clock.now_nanos();
        let before = t.sched;
        let until = now + owed * NSEC_PER_JIFFY;
        st.sched_q.forget(pid, before);
        t.throttled = Some(before);
        t.sched = Sched::SleepUntil(until);
        let cpu = t.cpu.0 as usize;
        st.sched_q.enqueue(pid, Sched::SleepUntil(until));
        self.psi.memstall_enter(pid, cpu, self.psi_chain(pid), now);
    }

    /// The penalty sleep of `pid` ended (its deadline came): leave the memory stall and go
    /// back to the state before it. True if the task can run now.
    pub(crate) fn psi_throttle_end(&self, st: &mut State<T>, pid: Pid) -> bool {
        let Some(t) = st.tasks.get_mut(&pid) else {
            return false;
        };
        let Some(before) = t.throttled.take() else {
            return true;
        };
        let now = self.clock.now_nanos();
        self.psi.memstall_leave(pid, now);
        let runnable = match before {
            Sched::Runnable => true,
            Sched::SleepUntil(w) => w <= now,
            _ => false,
        };
        if runnable {
            t.sched = Sched::Runnable;
        } else {
            t.sched = before;
            st.sched_q.enqueue(pid, before);
        }
        if !t.pending.is_empty() {
            st.throttle_signals.push(pid);
        }
        runnable
    }

    /// Deliver the signals that came while tasks slept their penalty (no lock held).
    pub(crate) fn psi_deliver_pending(&self) {
        let pids = std::mem::take(&mut self.lock_state().throttle_signals);
        for pid in pids {
            let pending = {
                let mut st = self.lock_state();
                match st.tasks.get_mut(&pid) {
                    Some(t) if t.throttled.is_none() => std::mem::take(&mut t.pending),
                    _ => Vec::new(),
                }
            };
            for sig in pending {
                self.deliver(pid, sig);
            }
        }
    }

    pub(crate) fn psi_enabled(&self) -> bool {
        self.params.kernel >= crate::KernelVersion::V6_6
    }

    // ---- the pressure files and poll ------------------------------------------------------

    /// `pressure_write` for a pressure file of the default hierarchy: `None` if `f` is not one.
    pub(crate) fn cg_pressure_write(
        &self,
        pid: Pid,
        euid_root: bool,
        f: &mut CgFile<T>,
        data: &[u8],
    ) -> Option<SysResult<usize>> {
        let cgsim_cgroup::FileKind::Base(BaseFile::Pressure(res)) = *f.of.kind() else {
            return None;
        };
        if !f.of.writable() {
            return Some(Err(sys(Errno::EBADF, "not open for writing")));
        }
        let cgrp = f.of.cgroup();
        if self.cgroups.is_removed(cgrp) {
            return Some(Err(sys(Errno::ENODEV, "cgroup removed")));
        }
        // Hidden by `cgroup.pressure` 0: a deactivated kernfs node (`kernfs_fop_write_iter`).
        if self.cgroups.psi_disabled(cgrp) {
            return Some(Err(sys(Errno::ENODEV, "pressure file hidden")));
        }
        if f.psi_trigger.is_some() {
            return Some(Err(sys(
                Errno::EBUSY,
                "pressure_write: one trigger per open file",
            )));
        }
        let _ = pid;
        let text = String::from_utf8_lossy(cgsim_ktypes::parse::until_nul(data)).into_owned();
        let now = self.clock.now_nanos();
        Some(
            self.psi
                .trigger_create(self.psi_key(cgrp), res, &text, euid_root, now)
                .map(|tk| {
                    f.psi_trigger = Some(tk);
                    data.len()
                })
                .map_err(|e| sys(e, "psi_trigger_create")),
        )
    }

    /// `psi_write` for `/proc/pressure/*` (6.6): at most 32 bytes are taken and the last one
    /// taken becomes the NUL, EINVAL for an empty write, EBUSY for a second trigger on the
    /// same open file, then `psi_trigger_create` on `psi_system`.
    pub(crate) fn proc_pressure_write(
        &self,
        euid_root: bool,
        res: PsiRes,
        slot: &mut Option<TriggerKey>,
        data: &[u8],
    ) -> SysResult<usize> {
        if data.is_empty() {
            return Err(sys(Errno::EINVAL, "psi_write: empty"));
        }
        let mut buf = data[..data.len().min(32)].to_vec();
        let last = buf.len() - 1;
        buf[last] = 0;
        if slot.is_some() {
            return Err(sys(Errno::EBUSY, "psi_write: one trigger per open file"));
        }
        let text = String::from_utf8_lossy(cgsim_ktypes::parse::until_nul(&buf)).into_owned();
        let tk = self
            .psi
            .trigger_create(None, res, &text, euid_root, self.clock.now_nanos())
            .map_err(|e| sys(e, "psi_trigger_create"))?;
        *slot = Some(tk);
        Ok(data.len())
    }

    /// `psi_fop_release`: the open file's trigger goes with it.
    pub(crate) fn psi_trigger_release(&self, tk: TriggerKey) {
        self.psi.trigger_destroy(tk, self.clock.now_nanos());
    }

    /// `cgroup_pressure_release`: the open file's trigger goes with it.
    pub(crate) fn cg_pressure_release(&self, f: &CgFile<T>) {
        if let Some(tk) = f.psi_trigger {
            self.psi.trigger_destroy(tk, self.clock.now_nanos());
        }
    }

    /// The notification count a poller of `f` compares (`kernfs_generic_poll`: `of->event`
    /// against the open node's `event`), if the file notifies; `cgroup_file_notify`'s rate
    /// limit applies (`file_notify.rs`).
    pub(crate) fn cg_notify_token(&self, f: &CgFile<T>, pid: Pid) -> Option<u64> {
        if !notifies(f.of.name()) || !f.of.readable() {
            return None;
        }
        self.kn_events(f.of.cgroup(), f.of.name(), pid)
    }

    /// `kernfs_notify` calls so far on notifying file `name` of `cgrp` (`cgroup_file_notify`
    /// with its rate limit, `file_notify.rs`), `None` once the cgroup is gone.
    pub(crate) fn kn_events(
        &self,
        cgrp: cgsim_cgroup::CgroupId,
        name: &str,
        pid: Pid,
    ) -> Option<u64> {
        // The text first, the table's lock after (a leaf: nothing is taken under it).
        let of = match self.cgroups.is_removed(cgrp) {
            false => self.cgroups.open(cgrp, name, true, false).ok(),
            true => None,
        };
        let Some(of) = of else {
            self.file_notify.lock().forget(cgrp, name);
            return None;
        };
        let text = self.cgroups.read_all(&of, pid).ok()?;
        let now = self.clock.now_nanos();
        Some(self.file_notify.lock().look(cgrp, name, text, now))
    }

    /// `cgroup_file_poll` for `f`: the mask before filtering by the requested events.
    /// `consume` takes a PSI trigger's event (a real `poll`), else only looks (the scheduler).
    fn cg_poll_mask(&self, f: &CgFile<T>, pid: Pid, consume: bool) -> u16 {
        if self.cgroups.is_removed(f.of.cgroup()) {
            // kernfs_fop_poll on a removed node.
            return DEFAULT_POLLMASK | POLLERR | POLLPRI;
        }
        if let cgsim_cgroup::FileKind::Base(BaseFile::Pressure(_)) = f.of.kind() {
            return match f.psi_trigger {
                None => DEFAULT_POLLMASK | POLLERR | POLLPRI,
                Some(tk) if self.psi.trigger_event(tk, consume, self.clock.now_nanos()) => {
                    DEFAULT_POLLMASK | POLLPRI
                }
                Some(_) => DEFAULT_POLLMASK,
            };
        }
        if notifies(f.of.name()) && f.of.readable() && self.cg_notify_token(f, pid) != f.kn_seen {
            return DEFAULT_POLLMASK | POLLERR | POLLPRI;
        }
        DEFAULT_POLLMASK
    }

    /// The poll mask of `pid`'s `fd` (`vfs_poll`), with `Kernel::state` held.
    fn fd_poll_mask(&self, st: &mut State<T>, pid: Pid, fd: Fd, consume: bool) -> u16 {
        let Some(id) = st
            .tasks
            .get(&pid)
            .and_then(|t| t.fds.get(&fd.0))
            .map(|e| e.file)
        else {
            return POLLNVAL;
        };
        let Some(file) = st.files.get(&id) else {
            return POLLNVAL;
        };
        match &file.kind {
            FileKind::Cgroup(cf) => self.cg_poll_mask(cf, pid, consume),
            // psi_fop_poll -> psi_trigger_poll.
            FileKind::ProcPressure { trigger, .. } => match *trigger {
                None => DEFAULT_POLLMASK | POLLERR | POLLPRI,
                Some(tk) if self.psi.trigger_event(tk, consume, self.clock.now_nanos()) => {
                    DEFAULT_POLLMASK | POLLPRI
                }
                Some(_) => DEFAULT_POLLMASK,
            },
            FileKind::Eventfd(ef) => {
                let mut m = POLLOUT | POLLWRNORM;
                if self.efd_readable(ef) {
                    m |= POLLIN | POLLRDNORM;
                }
                m
            }
            // inotify_poll.
            FileKind::Inotify(ino) => {
                if self.inotify_readable(st, pid, ino) {
                    POLLIN | POLLRDNORM
                } else {
                    0
                }
            }
            FileKind::Pipe(p) => {
                let mut m = 0;
                if p.readable() {
                    m |= POLLIN | POLLRDNORM;
                }
                if p.writable() {
                    m |= POLLOUT | POLLWRNORM;
                }
                m
            }
            _ => DEFAULT_POLLMASK,
        }
    }

    /// Would `poll(fd, POLLPRI)` return now? (The scheduler's check for [`Sched::WaitPri`].)
    pub(crate) fn fd_pri_ready(&self, st: &mut State<T>, pid: Pid, fd: Fd) -> bool {
        self.fd_poll_mask(st, pid, fd, false) & (POLLPRI | POLLERR | POLLHUP | POLLNVAL) != 0
    }

    /// `poll(2)` of one fd with timeout 0: the events that hold now, among `events` (plus
    /// `POLLERR`, `POLLHUP` and `POLLNVAL`, always reported). A program that gets 0 and
    /// wants to block returns [`crate::Step::WaitPri`] (for `POLLPRI`) and polls again when
    /// it runs.
    pub fn poll(&self, pid: Pid, fd: Fd, events: u16) -> SysResult<u16> {
        let mut st = self.lock_state();
        self.live_cred(&st, pid)?;
        let m = self.fd_poll_mask(&mut st, pid, fd, events & POLLPRI != 0);
        Ok(m & (events | POLLERR | POLLHUP | POLLNVAL))
    }

    /// The deadline of the next PSI deferred work, if any program waits in `poll` (so that
    /// the scheduler stops the clock there and wakes it on time).
    pub(crate) fn psi_next_timer(&self) -> Option<u64> {
        self.psi.next_timer(self.clock.now_nanos())
    }

    /// `/proc/pressure/{io,memory,cpu}`: `psi_system`.
    pub(crate) fn proc_pressure(&self, res: PsiRes) -> String {
        self.psi.show(None, res, self.clock.now_nanos())
    }

    /// Install the PSI hook in the core (6.6 boots).
    pub(crate) fn psi_boot(self: &Arc<Self>) {
        if self.psi_enabled() {
            self.cgroups.set_pressure_hook(Arc::new(PsiHook {
                kernel: Arc::downgrade(self),
            }));
        }
    }
}

/// `MEMCG_MAX_HIGH_DELAY_JIFFIES`: the most one return to user space sleeps.
fn cgsim_memcg_max_delay() -> u64 {
    2 * cgsim_cgroup::psi_group::HZ
}

impl<T: Tracer> Kernel<T> {
    /// `lseek(fd, offset, SEEK_SET)`: the new position (for a poller re-reading a file).
    pub fn lseek_set(&self, pid: Pid, fd: Fd, offset: u64) -> SysResult<u64> {
        let mut st = self.lock_state();
        let id = self.fd_file(&st, pid, fd)?;
        let f = st.files.get_mut(&id).expect("fd names a file");
        if matches!(f.kind, FileKind::Pipe(_)) {
            return Err(sys(Errno::ESPIPE, "lseek on a pipe"));
        }
        f.pos = offset;
        Ok(offset)
    }
}

impl<T: Tracer> Kernel<T> {
    /// When `pid`'s `memory.high` penalty sleep ends (ns since boot), if it is in one: a
    /// shell's `wait` lets the clock run to it.
    pub fn throttled_until(&self, pid: Pid) -> Option<u64> {
        let st = self.lock_state();
        let t = st.tasks.get(&pid).filter(|t| t.throttled.is_some())?;
        match t.sched {
            Sched::SleepUntil(w) => Some(w),
            _ => None,
        }
    }
}
