//! Group scheduling on the simulated CPUs: which runnable tasks a scheduler round runs, as the
//! cpu controller's weights and bandwidth decide.
//!
//! **Kernel:** the task-group hierarchy of `kernel/sched/fair.c` (v6.6, `CONFIG_FAIR_GROUP_SCHED`):
//! a group is a scheduling entity on its parent's run queue on each CPU, with the group's
//! weight (`cpu.weight`, v1 `cpu.shares`); its virtual runtime advances by
//! `calc_delta_fair(delta, se)` = `delta * NICE_0_LOAD / weight` for every ns its tasks run
//! (`update_curr`, each level of the hierarchy); EEVDF (6.6) picks among the entities whose
//! virtual runtime is at most the run queue's weighted average (`entity_eligible`,
//! `avg_vruntime`), so over time siblings get CPU time in proportion to their weights. An entity
//! that joins a run queue is placed at the average (`place_entity`, with no lag kept). CFS
//! bandwidth (`cpu.max`, v1 `cpu.cfs_quota_us`; `crates/cgroup/src/subsys/cpu_bw.rs`) throttles
//! a group whose quota for the period is used (`throttle_cfs_rq`): none of its tasks, nor those
//! of its descendants, is picked until the period timer hands it runtime again
//! (`distribute_cfs_runtime` → `unthrottle_cfs_rq`).
//!
//! **Granularity:** the scheduler works in rounds (`sched.rs`): at the start of a round, on
//! each CPU, every runnable task whose groups are all eligible at every level (and none of
//! them throttled) runs one step; the others wait for the next round. So the unit of sharing
//! is a task's step (1 ms for a CPU hog, the scheduler tick of `CONFIG_HZ_1000`; 0.5 ms for a
//! shell running code) where EEVDF picks one entity at a time and preempts it at the end of
//! its slice (`sysctl_sched_base_slice`, 0.75 ms) or at a wake-up. A group's share therefore
//! matches its weight to within about one step per round over any run of many rounds, not
//! at every instant. Throttling takes effect at the end of the step that used the last of the
//! runtime (the kernel notices at the next `update_curr`, a tick at the latest), and the
//! overrun is repaid from the next period's runtime as in the kernel.
//!
//! **Differences:** tasks directly in a group are not entities weighed against its child
//! groups (each task is a `NICE_0_LOAD` entity in the kernel): they run in every round
//! in which their group is eligible, and only groups are weighed against groups. No lag is
//! kept across sleeps (`PLACE_LAG`), and there are no virtual deadlines (`pick_eevdf` orders
//! eligible entities by deadline; here every eligible task of the round runs). A task stays
//! on its CPU (no load balancing), so groups compete only on a CPU they share. The
//! interactive shell's own commands are charged to its groups (virtual runtime and quota) but
//! never wait: it is not a scheduled program.

use crate::Kernel;
use cgsim_cgroup::subsys::cpu::TaskGroup;
use cgsim_cgroup::subsys::cpu_bw::{calc_delta_fair, chain};
use cgsim_ktypes::{Pid, Tracer};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a round does with its runnable tasks.
pub(crate) struct Pick {
    /// The tasks that run a step, in pid order.
    pub run: Vec<Pid>,
    /// The tasks that stay runnable without running (not eligible, or throttled), with the
    /// CPU each waits on.
    pub wait: Vec<(Pid, usize)>,
    /// The earliest time a throttled group may be handed runtime again.
    pub until: Option<u64>,
    /// The run queues (group, CPU) held throttled with tasks on them: every group from a
    /// throttled task's own up to its highest throttled ancestor (`tg_throttle_down`).
    pub throttled: Vec<(Arc<TaskGroup>, usize)>,
}

impl Pick {
    /// `throttled_clock_self_time`: the throttled run queues were so for `span` ns.
    pub(crate) fn account_throttled(&self, span: u64) {
        for (tg, _) in &self.throttled {
            tg.se.lock().throttled_self += span;
        }
    }
}

/// A task's groups, its own first (see [`chain`]).
type Chain = Vec<Arc<TaskGroup>>;

/// A group's identity on a run queue.
fn key(tg: &Arc<TaskGroup>) -> usize {
    Arc::as_ptr(tg) as usize
}

impl<T: Tracer> Kernel<T> {
    /// The task groups `pid`'s time is charged to: its cpu css's group and each ancestor's,
    /// the root task group excluded (empty when the cpu controller is nowhere but the root).
    pub(crate) fn fair_chain(&self, pid: Pid) -> Vec<Arc<TaskGroup>> {
        let Some(id) = self.cgroups.subsys_id("cpu") else {
            return Vec::new();
        };
        match self.cgroups.task_css_rcu(pid, id) {
            Ok(css) => css.private::<TaskGroup>().map(chain).unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    /// `update_curr` for the groups of `pid`: `cost` ns on `cpu`, ending at `end`: each
    /// level's virtual runtime and runtime quota.
    pub(crate) fn fair_charge(&self, pid: Pid, cpu: usize, cost: u64, end: u64) {
        let n = self.cputime.nr_cpus();
        for tg in self.fair_chain(pid) {
            let weight = *tg.shares.lock();
            {
                let mut se = tg.se.lock();
                se.ensure(n);
                se.vruntime[cpu] = se.vruntime[cpu].saturating_add(calc_delta_fair(cost, weight));
            }
            tg.bw_charge(cost, end);
        }
    }

    /// Whether a group of `pid` is throttled at `now`.
    pub(crate) fn fair_throttled(&self, pid: Pid, now: u64) -> bool {
        self.fair_chain(pid)
            .iter()
            .any(|tg| tg.throttled_until(now).is_some())
    }

    /// Decide which of `runnable` (ascending pids) run in the round starting at `now`.
    pub(crate) fn fair_pick(&self, runnable: Vec<Pid>, now: u64) -> Pick {
        let n = self.cputime.nr_cpus();
        let mut pick = Pick {
            run: Vec::new(),
            wait: Vec::new(),
            until: None,
            throttled: Vec::new(),
        };
        // Per CPU: the candidates with their chains.
        let mut per_cpu: BTreeMap<usize, Vec<(Pid, Chain)>> = BTreeMap::new();
        for pid in runnable {
            let cpu = self.task_cpu(pid).map_or(0, |c| c.0 as usize) % n;
            let groups = self.fair_chain(pid);
            let untils: Vec<Option<u64>> =
                groups.iter().map(|tg| tg.throttled_until(now)).collect();
            let until = untils.iter().flatten().copied().min();
            if let Some(u) = until {
                let top = untils.iter().rposition(Option::is_some).unwrap_or(0);
                for tg in &groups[..=top] {
                    if !pick
                        .throttled
                        .iter()
                        .any(|(g, c)| *c == cpu && Arc::ptr_eq(g, tg))
                    {
                        pick.throttled.push((Arc::clone(tg), cpu));
                    }
                }
                pick.until = Some(pick.until.map_or(u, |p: u64| p.min(u)));
                pick.wait.push((pid, cpu));
                continue;
            }
            per_cpu.entry(cpu).or_default().push((pid, groups));
        }
        let cpus: Vec<usize> = per_cpu.keys().copied().collect();
        let mut on_rq = self.cputime.fair_on_rq.lock();
        if on_rq.len() < n {
            on_rq.resize(n, Vec::new());
        }
        for (cpu, tasks) in per_cpu {
            // The group entities queued on this CPU, by parent run queue.
            let mut present: BTreeMap<usize, Arc<TaskGroup>> = BTreeMap::new();
            for (_, groups) in &tasks {
                for tg in groups {
                    present.entry(key(tg)).or_insert_with(|| Arc::clone(tg));
                }
            }
            let was: Vec<usize> = on_rq[cpu].iter().map(key).collect();
            let mut siblings: BTreeMap<usize, Vec<(usize, u64, u64)>> = BTreeMap::new();
            for (k, tg) in &present {
                let parent = tg.parent.as_ref().map_or(0, key);
                siblings
                    .entry(parent)
                    .or_default()
                    .push((*k, *tg.shares.lock(), 0));
            }
            // place_entity: a group that joins its parent's run queue starts at the average
            // of the siblings already queued (lag 0); the queued ones keep theirs.
            for list in siblings.values_mut() {
                let mut sum = 0u128;
                let mut wsum = 0u128;
                for (k, w, v) in list.iter_mut() {
                    let mut se = present[k].se.lock();
                    se.ensure(n);
                    *v = se.vruntime[cpu];
                    if was.contains(k) {
                        sum += u128::from(*w) * u128::from(*v);
                        wsum += u128::from(*w);
                    }
                }
                // Nobody queued: the newcomers start level with each other.
                let avg = sum
                    .checked_div(wsum)
                    .map(|a| a as u64)
                    .or_else(|| list.iter().map(|e| e.2).max());
                for (k, _, v) in list.iter_mut() {
                    if !was.contains(k)
                        && let Some(a) = avg
                    {
                        *v = a;
                        present[k].se.lock().vruntime[cpu] = a;
                    }
                }
            }
            // entity_eligible: at most the weighted average of the queue.
            let mut eligible: BTreeMap<usize, bool> = BTreeMap::new();
            for list in siblings.values() {
                let wsum: u128 = list.iter().map(|e| u128::from(e.1)).sum();
                let sum: u128 = list.iter().map(|e| u128::from(e.1) * u128::from(e.2)).sum();
                for &(k, _, v) in list {
                    // v <= sum / wsum, without the division's rounding.
                    eligible.insert(k, u128::from(v) * wsum <= sum);
                }
            }
            on_rq[cpu] = present.values().cloned().collect();
            let ok = |groups: &Vec<Arc<TaskGroup>>| groups.iter().all(|tg| eligible[&key(tg)]);
            let any = tasks.iter().any(|(_, g)| ok(g));
            for (pid, groups) in tasks {
                if !any || ok(&groups) {
                    pick.run.push(pid);
                } else {
                    pick.wait.push((pid, cpu));
                }
            }
        }
        // On a CPU with nothing to pick, the groups left their run queues.
        for (cpu, q) in on_rq.iter_mut().enumerate() {
            if !cpus.contains(&cpu) {
                q.clear();
            }
        }
        pick.run.sort_unstable();
        pick
    }
}
