//! The memcg OOM killer and `oom_kill_disable` waiting.
//!
//! **Kernel:** `mm/memcontrol.c` `mem_cgroup_handle_oom`, `mem_cgroup_oom_lock`,
//! `mem_cgroup_mark_under_oom`, `memcg_wakeup_oom`, `memcg_oom_recover`; `mm/oom_kill.c`
//! `mem_cgroup_out_of_memory`, `select_bad_process`, `badness` (2.6.25–2.6.35),
//! `oom_badness` (2.6.36+), `oom_kill_process` (v2.6.35 with the 2.6.36+ child choice as a
//! switch). The log lines are in `oom_report.rs`.
//!
//! **Differences:**
//! - A killed task's memory is freed at once (its mm is torn down inside the kill), standing in
//!   for the victim running its exit path; the host is told through `MemEvents::killed` and must
//!   deliver `SIGKILL` and finish the exit (`MemoryMachine::exit_task` is idempotent).
//! - A task that must wait does not sleep inside the charge: the fault returns
//!   `FaultError::OomWait` with the task queued and its `under_oom` marks held; the host parks the
//!   task until `MemEvents::woken` names it, then retries the access (the 3.12+ "wait at the end
//!   of the fault" place, with 2.6.35 semantics, `mm/memcontrol.c` `mem_cgroup_oom_synchronize`).
//! - When nothing can be killed the charge fails with ENOMEM instead of looping forever.
//! - The old `badness()` uses total_vm, the children's, the root discount and `oom_adj`; CPU
//!   time, run time, nice and cpusets are not modelled. `oom_badness` is the 3.5+ one (pages,
//!   `oom_score_adj` scaled by the limit, the root bonus of `memcg.oom_root_bonus`); 2.6.36–3.4
//!   scored on the 0..1000 scale directly.

use crate::charge::OomOutcome;
use crate::counter_ext::MemCounter;
use crate::machine::World;
use crate::memcontrol::MemcgSlot;
use crate::profile::{Badness, RootBonus};
use cgsim_ktypes::klog::Level;
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{CpuId, PAGE_SHIFT, Pid};

/// `OOM_SCORE_ADJ_MIN`: immune to the OOM killer.
pub const OOM_SCORE_ADJ_MIN: i32 = -1000;

/// `OOM_DISABLE` (`/proc/<pid>/oom_adj` −17, 2.6.35): immune to the OOM killer.
pub const OOM_DISABLE: i32 = -17;

pub use crate::oom_report::OomNamer;

impl<C: MemCounter> World<C> {
    /// `mem_cgroup_handle_oom(mem)` (2.6.35–3.11, `mm/memcontrol.c` `mem_cgroup_oom_lock`).
    pub(crate) fn mem_cgroup_handle_oom<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Option<Pid>,
        mem: MemcgSlot,
    ) -> OomOutcome {
        let _f = trace::func(t, cpu, "mem_cgroup_handle_oom");
        // A task retrying before it was woken queues once, not twice.
        if let Some(p) = pid
            && self.oom.waiters.iter().any(|&(w, _, _)| w == p)
        {
            self.oom_wait_cancel(p);
        }
        self.mark_under_oom(mem, 1);
        let locked = self.oom_trylock(mem);
        let need_to_kill = locked && !self.mc(mem).oom_kill_disable;
        if locked {
            self.mem_cgroup_oom_notify(mem);
        }
        if need_to_kill {
            let outcome = self.oom_kill_outcome(t, cpu, pid, mem, OomOutcome::Fail);
            self.oom_unlock(mem);
            self.memcg_wakeup_oom(mem);
            self.mark_under_oom(mem, -1);
            return outcome;
        }
        match pid {
            Some(p) if self.tasks.contains_key(&p) => {
                let task = self.tasks.get_mut(&p).expect("checked");
                task.oom_wait = Some(mem);
                self.oom.waiters.push((p, mem, locked));
                OomOutcome::Wait(mem)
            }
            _ => {
                if locked {
                    self.oom_unlock(mem);
                }
                self.mark_under_oom(mem, -1);
                OomOutcome::Fail
            }
        }
    }

    /// 2.6.34 `mem_cgroup_handle_oom` (`mm/memcontrol.c`): the OOM lock is a counter per memcg of the
    /// subtree, taken under a global mutex; the task that finds no overlapping OOM owns it and
    /// runs the OOM killer, the others sleep on one global queue until it is done, and all then
    /// retry with a fresh budget (a killed task's charge is bypassed). Every charge here runs
    /// under the machine lock and the OOM killer finishes inside it, so no OOM ever overlaps
    /// another: every task that gets here owns its OOM (the lock counters would always say so,
    /// so they are not kept), and no one waits. There is no `oom_kill_disable`, `under_oom` or
    /// notification before 2.6.35.
    pub(crate) fn mem_cgroup_handle_oom_2_6_34<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Option<Pid>,
        mem: MemcgSlot,
    ) -> OomOutcome {
        let _f = trace::func(t, cpu, "mem_cgroup_handle_oom");
        self.oom_kill_outcome(t, cpu, pid, mem, OomOutcome::Fail)
    }

    /// Run the OOM killer over `mem`'s hierarchy: `Killed` if the victim is the charging task,
    /// `Retry` if another task was killed, `none` (the model's answer) if nothing could be.
    fn oom_kill_outcome<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Option<Pid>,
        mem: MemcgSlot,
        none: OomOutcome,
    ) -> OomOutcome {
        let killed_self = self.mem_cgroup_out_of_memory(t, cpu, pid, mem);
        if killed_self {
            OomOutcome::Killed
        } else if self.oom.last_found {
            OomOutcome::Retry
        } else {
            none
        }
    }

    /// `mem_cgroup_oom_notify`: every memcg of the OOMing hierarchy (`mm/memcontrol.c` `mem_cgroup_oom_register_event`, v2.6.35).
    fn mem_cgroup_oom_notify(&self, mem: MemcgSlot) {
        if let Some(hook) = self.host.hook.clone() {
            let members: Vec<_> = self
                .oom_members(mem)
                .into_iter()
                .map(|s| self.mc(s).id)
                .collect();
            hook.mem_cgroup_oom_notify(self, &members);
        }
    }

    /// 4.x `mem_cgroup_oom` (`mm/memcontrol.c` `try_charge`): with `oom_kill_disable`, a user page fault waits
    /// (`OOM_ASYNC`: here through the same wait queue as 2.6.35, which is already the place
    /// 3.12+ waits) and any other charge fails (`OOM_SKIPPED`); otherwise the OOM lock only
    /// decides who notifies, and the OOM killer runs for every task that gets here (serialized
    /// by the machine lock, as by `oom_lock`). No victim → `OOM_FAILED`: the charge is forced.
    #[doc(alias = "mem_cgroup_oom")]
    pub(crate) fn mem_cgroup_oom_v4<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Option<Pid>,
        mem: MemcgSlot,
    ) -> OomOutcome {
        if self.mc(mem).oom_kill_disable {
            return if self.current.in_user_fault && pid.is_some() {
                self.mem_cgroup_handle_oom(t, cpu, pid, mem)
            } else {
                OomOutcome::Fail
            };
        }
        let _f = trace::func(t, cpu, "mem_cgroup_oom");
        // 6.6: `memcg_memory_event(memcg, MEMCG_OOM)` before the OOM handling.
        self.memcg_memory_event_v2(mem, crate::MemcgEvent::Oom);
        self.mark_under_oom(mem, 1);
        let locked = self.oom_trylock(mem);
        if locked {
            self.mem_cgroup_oom_notify(mem);
        }
        self.mark_under_oom(mem, -1);
        let outcome = self.oom_kill_outcome(t, cpu, pid, mem, OomOutcome::Force);
        if locked {
            self.oom_unlock(mem);
        }
        outcome
    }

    /// `mem_cgroup_mark_under_oom` / `unmark`: `under_oom` ± 1 over the hierarchy.
    fn mark_under_oom(&mut self, mem: MemcgSlot, delta: i64) {
        for s in self.oom_members(mem) {
            let m = self.mc_mut(s);
            m.under_oom = (m.under_oom as i64 + delta).max(0) as u64;
        }
    }

    /// The memcgs an OOM of `mem` covers: its subtree if it has `use_hierarchy` or is the
    /// root, else itself (`mm/memcontrol.c` `mem_cgroup_handle_oom`, `mem_cgroup_oom_lock`, v2.6.35).
    fn oom_members(&self, mem: MemcgSlot) -> Vec<MemcgSlot> {
        let m = self.mc(mem);
        if m.use_hierarchy || m.parent.is_none() {
            self.subtree(mem)
        } else {
            vec![mem]
        }
    }

    /// `mem_cgroup_oom_lock`: lock every member, or none if one is already locked.
    fn oom_trylock(&mut self, mem: MemcgSlot) -> bool {
        let members = self.oom_members(mem);
        if members.iter().any(|&s| self.mc(s).oom_lock) {
            return false;
        }
        for s in members {
            self.mc_mut(s).oom_lock = true;
        }
        true
    }

    fn oom_unlock(&mut self, mem: MemcgSlot) {
        for s in self.oom_members(mem) {
            self.mc_mut(s).oom_lock = false;
        }
    }

    /// `memcg_wakeup_oom`: wake the waiters whose memcg is related to `mem` (same, or one in the
    /// other's hierarchy).
    fn memcg_wakeup_oom(&mut self, mem: MemcgSlot) {
        let waiters = std::mem::take(&mut self.oom.waiters);
        let mut keep = Vec::new();
        for (pid, w, locked) in waiters {
            let related = self.memcgs.slots[w.index()].is_none()
                || self.is_same_or_hier_descendant(w, mem)
                || self.is_same_or_hier_descendant(mem, w);
            if related {
                if locked {
                    self.oom_unlock(w);
                }
                if self.memcgs.slots[w.index()].is_some() {
                    self.mark_under_oom(w, -1);
                }
                if let Some(task) = self.tasks.get_mut(&pid) {
                    task.oom_wait = None;
                }
                self.host.events.woken.push(pid);
            } else {
                keep.push((pid, w, locked));
            }
        }
        // Waiters queued meanwhile stay queued too.
        keep.append(&mut self.oom.waiters);
        self.oom.waiters = keep;
    }

    /// `memcg_oom_recover(mem)`: if `mem` is under OOM, wake the related waiters (`mm/memcontrol.c`, v2.6.35).
    pub(crate) fn memcg_oom_recover<T: Tracer>(&mut self, t: &T, cpu: CpuId, mem: MemcgSlot) {
        if self.mc(mem).under_oom > 0 {
            let _f = trace::func(t, cpu, "memcg_oom_recover");
            self.memcg_wakeup_oom(mem);
        }
    }

    /// A waiting task was killed or exited: it leaves the queue and drops its marks.
    pub(crate) fn oom_wait_cancel(&mut self, pid: Pid) {
        if let Some(i) = self.oom.waiters.iter().position(|&(p, _, _)| p == pid) {
            let (_, w, locked) = self.oom.waiters.remove(i);
            if self.memcgs.slots[w.index()].is_some() {
                if locked {
                    self.oom_unlock(w);
                }
                self.mark_under_oom(w, -1);
            }
        }
        if let Some(task) = self.tasks.get_mut(&pid) {
            task.oom_wait = None;
        }
    }

    /// `mem_cgroup_out_of_memory(mem)`: choose a victim among the tasks charged to `mem`'s
    /// hierarchy and kill it. Returns whether the victim is `current`.
    pub(crate) fn mem_cgroup_out_of_memory<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        current: Option<Pid>,
        mem: MemcgSlot,
    ) -> bool {
        let _f = trace::func(t, cpu, "mem_cgroup_out_of_memory");
        let hier = self.mc(mem).use_hierarchy;
        let totalpages = self.oom_totalpages(mem);
        let in_memcg = |w: &World<C>, s: MemcgSlot| {
            if hier {
                w.is_same_or_hier_descendant(s, mem)
            } else {
                s == mem
            }
        };
        self.oom_kill(t, cpu, current, totalpages, Some(mem), &in_memcg)
    }

    /// The global OOM killer, when RAM and swap are exhausted. Returns whether it killed.
    pub(crate) fn global_oom<T: Tracer>(&mut self, t: &T, cpu: CpuId, current: Pid) -> bool {
        let _f = trace::func(t, cpu, "out_of_memory");
        let totalpages = (self.zone.pages.len() + self.swap_info.map.len()) as u64;
        let before = self.host.events.killed.len();
        self.oom_kill(t, cpu, Some(current), totalpages, None, &|_, _| true);
        self.host.events.killed.len() > before
    }

    /// The 2.6.25 fault path's "VM: killing process <comm>" after a failed charge.
    pub(crate) fn kill_faulting_task<T: Tracer>(&mut self, t: &T, cpu: CpuId, pid: Pid) {
        let Some(task) = self.tasks.get(&pid) else {
            return;
        };
        if pid.0 == 1 {
            return;
        }
        let comm = task.comm.clone();
        self.printk(Level::Err, format!("VM: killing process {comm}"));
        self.kill_task(t, cpu, pid);
    }

    /// `totalpages` for `oom_badness`: the memcg limit in pages (with swap accounting and a
    /// non-zero swappiness, `min(limit + total swap, memsw limit)`), at least 1.
    fn oom_totalpages(&self, mem: MemcgSlot) -> u64 {
        let m = self.mc(mem);
        let limit = m.counters.res.limit().0 >> PAGE_SHIFT;
        let mut total = limit;
        if let Some(msw) = &m.counters.memsw
            && self.get_swappiness(mem) != 0
        {
            let swap = self.swap_info.map.len() as u64;
            total = limit.saturating_add(swap).min(msw.limit().0 >> PAGE_SHIFT);
        }
        total.max(1)
    }

    /// Score a task for the profile's badness rule; `None` if it cannot be chosen
    /// (`select_bad_process` skips init, tasks without an mm and immune tasks).
    fn badness(&self, pid: Pid, totalpages: u64) -> Option<u64> {
        let task = self.tasks.get(&pid)?;
        task.mm?;
        if pid.0 == 1 {
            return None;
        }
        // "swapoff can easily use up all memory, so kill those first": `badness` returns
        // ULONG_MAX for a `PF_OOM_ORIGIN` task once it has an mm and is not OOM_DISABLE
        // (`mm/oom_kill.c` `badness`, v2.6.32–v2.6.35; `PF_SWAPOFF` since 2.6.18); 2.6.36's
        // `oom_badness` returns 1000 (the most, in its scale of thousandths of totalpages).
        if task.oom_origin {
            return Some(match self.profile.badness {
                Badness::Rss2_6_36 => totalpages,
                Badness::TotalVm2_6_25 => u64::MAX,
            });
        }
        match self.profile.badness {
            Badness::Rss2_6_36 if task.oom_score_adj == OOM_SCORE_ADJ_MIN => None,
            Badness::TotalVm2_6_25 if task.oom_adj == OOM_DISABLE => None,
            _ => Some(self.task_badness(pid, totalpages)),
        }
    }

    /// The badness of a task with an mm (0 without one), before the candidate filters.
    fn task_badness(&self, pid: Pid, totalpages: u64) -> u64 {
        let Some(task) = self.tasks.get(&pid) else {
            return 0;
        };
        let Some(mmi) = task.mm else {
            return 0;
        };
        let mm = self.mms[mmi.index()].lock();
        match self.profile.badness {
            // 2.6.36+ `oom_badness`.
            Badness::Rss2_6_36 => {
                if task.oom_score_adj == OOM_SCORE_ADJ_MIN {
                    return 0;
                }
                let mut points = (mm.anon_rss + mm.file_rss + mm.nr_ptes() + mm.swap_ents) as i64;
                let mut adj = task.oom_score_adj as i64;
                // "Root processes get 3% bonus", in the version's form.
                match self.profile.oom_root_bonus {
                    RootBonus::None => {}
                    RootBonus::Adj30 if task.privileged => adj -= 30,
                    RootBonus::Pct3 if task.privileged => points -= points * 3 / 100,
                    _ => {}
                }
                adj *= (totalpages / 1000) as i64;
                (points + adj).max(1) as u64
            }
            // 2.6.25–2.6.35 `badness(p, uptime)`.
            Badness::TotalVm2_6_25 => {
                if task.oom_adj == OOM_DISABLE {
                    return 0;
                }
                let mut points = mm.total_vm();
                drop(mm);
                for (_, c) in self.tasks.iter().filter(|(_, c)| c.parent == Some(pid)) {
                    if let Some(cm) = c.mm
                        && Some(cm) != task.mm
                    {
                        points += self.mms[cm.index()].lock().total_vm() / 2 + 1;
                    }
                }
                // Not modelled: the divisions by `int_sqrt(cpu_time)` (CPU time in units of
                // 8 s, `>> (SHIFT_HZ + 3)`) and by `int_sqrt(int_sqrt(run_time))` (uptime minus
                // start in units of 1024 s). The simulated CPU time lives in the Kernel
                // (`cgroupfs/src/cputime.rs`), not in this task table, so a task that has run
                // busy for 8 simulated seconds or lived 1024 is scored higher than 2.6.35 would.
                if task.privileged {
                    // CAP_SYS_ADMIN or CAP_SYS_RESOURCE, then CAP_SYS_RAWIO: a root task has
                    // all three.
                    points /= 4;
                    points /= 4;
                }
                let adj = task.oom_adj;
                if adj > 0 {
                    points = points.max(1) << adj;
                } else if adj < 0 {
                    points >>= -adj;
                }
                points
            }
        }
    }

    /// `/proc/<pid>/oom_score` (`proc_oom_score`): 2.6.35 prints `badness(task, uptime)`;
    /// 2.6.36+ prints `oom_badness(task, totalram + total_swap) * 1000 / totalpages`
    /// (0 for init, an unkillable task).
    pub(crate) fn proc_oom_score(&self, pid: Pid) -> u64 {
        match self.profile.badness {
            Badness::TotalVm2_6_25 => self.task_badness(pid, 1),
            Badness::Rss2_6_36 => {
                if pid.0 == 1 {
                    return 0;
                }
                let totalpages = ((self.zone.pages.len() + self.swap_info.map.len()) as u64).max(1);
                self.task_badness(pid, totalpages) * 1000 / totalpages
            }
        }
    }

    /// `select_bad_process` + `oom_kill_process`.
    fn oom_kill<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        current: Option<Pid>,
        totalpages: u64,
        memcg: Option<MemcgSlot>,
        filter: &dyn Fn(&World<C>, MemcgSlot) -> bool,
    ) -> bool {
        // The `message` argument of `oom_kill_process`.
        let msg = if memcg.is_some() {
            "Memory cgroup out of memory"
        } else {
            "Out of memory"
        };
        self.oom.last_found = false;
        // A victim still dying (TIF_MEMDIE): no new kill.
        let candidates: Vec<Pid> = self
            .tasks
            .iter()
            .filter(|(_, tk)| tk.mm.is_some() && filter(self, tk.memcg))
            .map(|(&p, _)| p)
            .collect();
        if candidates.iter().any(|p| self.tasks[p].memdie) {
            self.oom.last_found = true;
            return false;
        }
        let mut chosen: Option<(Pid, u64)> = None;
        for p in candidates {
            if let Some(score) = self.badness(p, totalpages)
                && chosen.is_none_or(|(_, best)| score > best)
            {
                chosen = Some((p, score));
            }
        }
        let Some((victim, points)) = chosen else {
            return false;
        };
        self.oom.last_found = true;
        if self.oom_header_ratelimit() {
            self.oom_dump_header(current, victim, memcg);
        }
        let comm = self.tasks[&victim].comm.clone();
        let target = match self.profile.badness {
            // 5.1 dropped the `Kill process ... or sacrifice child` line and the sacrifice of
            // a child ("mm, oom: remove 'prefer children over parent' heuristic"): 6.6 kills
            // the chosen task.
            Badness::Rss2_6_36 if self.profile.oom_report == crate::OomReport::V6_6 => victim,
            Badness::Rss2_6_36 => {
                let shown = points * 1000 / totalpages.max(1);
                self.printk(
                    Level::Err,
                    format!(
                        "{msg}: Kill process {victim} ({comm}) score {shown} or sacrifice child"
                    ),
                );
                // 2.6.36+: the child with its own mm and the highest badness is killed instead.
                let vmm = self.tasks[&victim].mm;
                let mut best_child: Option<(Pid, u64)> = None;
                let children: Vec<Pid> = self
                    .tasks
                    .iter()
                    .filter(|(_, c)| c.parent == Some(victim) && c.mm.is_some() && c.mm != vmm)
                    .map(|(&p, _)| p)
                    .collect();
                for c in children {
                    if let Some(s) = self.badness(c, totalpages)
                        && best_child.is_none_or(|(_, b)| s > b)
                    {
                        best_child = Some((c, s));
                    }
                }
                best_child.map_or(victim, |(c, _)| c)
            }
            Badness::TotalVm2_6_25 => {
                // `%li` of an unsigned long: ULONG_MAX (a PF_OOM_ORIGIN task) prints as -1.
                self.printk(
                    Level::Err,
                    format!(
                        "{msg}: kill process {victim} ({comm}) score {} or a child",
                        points as i64
                    ),
                );
                // 2.6.25–2.6.35: the first child (oldest first, as `p->children` is kept) with
                // its own mm, in the OOMing memcg, that `oom_kill_task` accepts (not
                // OOM_DISABLE) is killed instead.
                let vmm = self.tasks[&victim].mm;
                self.tasks
                    .iter()
                    .find(|(_, c)| {
                        c.parent == Some(victim)
                            && c.mm.is_some()
                            && c.mm != vmm
                            && filter(self, c.memcg)
                            && c.oom_adj != OOM_DISABLE
                    })
                    .map_or(victim, |(&p, _)| p)
            }
        };
        // 6.6 `mem_cgroup_get_oom_group`, chosen before the victim dies.
        let oom_group = self.oom_group_of(target, memcg);
        // 6.6: with a group to kill, the victim is killed again as a member of it (see
        // `oom_kill_group`), with the line it had before its memory went.
        let victim_lines = self.oom_killed_lines(target, msg);
        self.kill_task_msg(t, cpu, target, msg);
        if let Some(slot) = self.tasks.get(&target).map(|t| t.memcg) {
            self.mc_mut(slot).oom_kill += 1;
            self.memcg_memory_event_v2(slot, crate::MemcgEvent::OomKill);
        }
        let mut killed_current = current == Some(target);
        if let Some(g) = oom_group {
            killed_current |= self.oom_kill_group(t, cpu, current, g, Some((target, victim_lines)));
        }
        killed_current
    }

    /// `oom_kill_task`: `TIF_MEMDIE` + `SIGKILL`, log, and free the victim's memory now.
    pub(crate) fn kill_task<T: Tracer>(&mut self, t: &T, cpu: CpuId, pid: Pid) {
        self.kill_task_msg(t, cpu, pid, "Memory cgroup out of memory");
    }

    /// [`kill_task`](Self::kill_task) with the OOM's `message` (6.6 prints it before `Killed
    /// process`: `Memory cgroup out of memory` or `Out of memory`).
    pub(crate) fn kill_task_msg<T: Tracer>(&mut self, t: &T, cpu: CpuId, pid: Pid, msg: &str) {
        let _f = trace::func(t, cpu, "oom_kill_task");
        for line in self.oom_killed_lines(pid, msg) {
            self.printk(Level::Err, line);
        }
        self.oom_wait_cancel(pid);
        if let Some(task) = self.tasks.get_mut(&pid) {
            task.memdie = true;
        }
        self.host.events.killed.push(pid);
        self.drop_task_mm(t, cpu, pid);
    }
}
