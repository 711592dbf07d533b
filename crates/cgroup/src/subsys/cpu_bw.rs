//! CFS bandwidth control of a task group on the simulated clock: the quota pool, the period
//! timer, throttling and its statistics; and the group's scheduling entities' virtual runtime.
//!
//! **Kernel:** `kernel/sched/fair.c` (v6.6): `__refill_cfs_bandwidth_runtime`,
//! `start_cfs_bandwidth`, `__assign_cfs_rq_runtime`, `__account_cfs_rq_runtime`,
//! `throttle_cfs_rq`, `unthrottle_cfs_rq`, `distribute_cfs_runtime`,
//! `sched_cfs_period_timer`/`do_sched_cfs_period_timer`; `kernel/sched/core.c`
//! `tg_set_cfs_bandwidth`. CFS bandwidth control exists from 3.2 (`CONFIG_CFS_BANDWIDTH`);
//! `cpu.max.burst`/`cpu.cfs_burst_us`, `nr_bursts` and `burst_time` from 5.14.
//!
//! The pool (`cfs_b->runtime`) is refilled by `quota` at every expiry of the period timer, up
//! to `quota + burst`; a running group takes runtime from it in slices of
//! `sched_cfs_bandwidth_slice` (5 ms) as it runs out (`runtime_remaining`); when the pool is
//! empty and the group's runtime is used up the group is throttled (its tasks are not picked)
//! until an expiry hands it runtime again. The timer starts on first use, its expiries fall on
//! multiples of the period from its previous expiry (`hrtimer_forward_now`, so at boot on
//! multiples of the period since boot), and it stops after a whole period in which nobody took
//! runtime (`cfs_b->idle`).
//!
//! **Differences:** the kernel has one `cfs_rq` per CPU, each taking slices from the pool and
//! each throttled on its own (`throttled_time` sums the time of every throttled `cfs_rq`); the
//! simulation has one runtime account per group for all CPUs, so a group is throttled on all
//! CPUs at once and `throttled_time` counts that span once. The timer is run lazily: every
//! expiry up to the current time is handled, in order and at its own time, when the scheduler
//! or a reader of the statistics looks at the group. The slack timer (`sched_cfs_slack_timer`,
//! returning unused runtime of a dequeued `cfs_rq`) has nothing to do with one account.

use std::sync::Arc;

/// `sched_cfs_bandwidth_slice_us`'s default (5000 µs), in ns.
pub const CFS_BANDWIDTH_SLICE: u64 = 5_000_000;

/// The bandwidth settings a reader or the scheduler passes in (`cfs_b->quota`, `period`,
/// `burst`; `quota` `None` is `RUNTIME_INF`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct BwConf {
    pub quota: Option<u64>,
    pub period: u64,
    pub burst: u64,
}

/// The statistics of `cpu.stat` (`struct cfs_bandwidth`'s counters; times in ns).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct BwStat {
    pub nr_periods: u64,
    pub nr_throttled: u64,
    pub throttled_time: u64,
    pub nr_burst: u64,
    pub burst_time: u64,
}

/// The run-time state of `struct cfs_bandwidth` and of the group's (single) `cfs_rq`.
#[derive(Debug, Default)]
pub struct BwRuntime {
    /// `cfs_b->runtime`: the pool left in this period.
    runtime: u64,
    /// `cfs_b->runtime_snap`: the pool after the last refill (what a burst is measured from).
    runtime_snap: u64,
    /// `cfs_rq->runtime_remaining`: what the group took from the pool and has not used yet
    /// (negative: it overran, and repays it from the next runtime it takes).
    remaining: i64,
    /// The period timer's next expiry while it is active (`cfs_b->period_active`).
    timer: Option<u64>,
    /// The timer's last expiry (`hrtimer_forward_now` moves on from it); 0 at boot.
    last_expiry: u64,
    /// `cfs_b->idle`: nobody took runtime since the last expiry.
    idle: bool,
    /// `cfs_rq->throttled_clock`: when the group was throttled, while it is.
    throttled_at: Option<u64>,
    pub stat: BwStat,
}

impl BwRuntime {
    /// `__refill_cfs_bandwidth_runtime`.
    fn refill(&mut self, conf: &BwConf) {
        let Some(quota) = conf.quota else {
            return;
        };
        self.runtime = self.runtime.saturating_add(quota);
        // What was used in the last period beyond the quota came out of the burst.
        if let Some(over) = self.runtime_snap.checked_sub(self.runtime)
            && over > 0
        {
            self.stat.burst_time += over;
            self.stat.nr_burst += 1;
        }
        self.runtime = self.runtime.min(quota.saturating_add(conf.burst));
        self.runtime_snap = self.runtime;
    }

    /// `start_cfs_bandwidth`: arm the period timer at the first expiry after `now` on the grid
    /// of its last expiry.
    fn start(&mut self, conf: &BwConf, now: u64) {
        if self.timer.is_some() {
            return;
        }
        let period = conf.period.max(1);
        let next = if self.last_expiry > now {
            self.last_expiry
        } else {
            self.last_expiry + ((now - self.last_expiry) / period + 1) * period
        };
        self.timer = Some(next);
    }

    /// `unthrottle_cfs_rq` at `now`.
    fn unthrottle(&mut self, now: u64) {
        if let Some(at) = self.throttled_at.take() {
            self.stat.throttled_time += now.saturating_sub(at);
        }
    }

    /// `tg_set_cfs_bandwidth` at `now`, after the settings changed to `conf`.
    pub fn reconfigure(&mut self, conf: &BwConf, now: u64) {
        self.sync(conf, now);
        self.refill(conf);
        if conf.quota.is_some() {
            self.start(conf, now);
        }
        self.remaining = 0;
        self.unthrottle(now);
    }

    /// Run the period timer's expiries up to `now`, each at its own time
    /// (`sched_cfs_period_timer` → `do_sched_cfs_period_timer`).
    pub fn sync(&mut self, conf: &BwConf, now: u64) {
        while let Some(t) = self.timer.filter(|&t| t <= now) {
            self.last_expiry = t;
            self.timer = Some(t + conf.period.max(1));
            // No bandwidth constraint any more: the timer stops, counting nothing.
            if conf.quota.is_none() {
                self.timer = None;
                break;
            }
            let throttled = self.throttled_at.is_some();
            self.stat.nr_periods += 1;
            self.refill(conf);
            if self.idle && !throttled {
                self.timer = None;
                break;
            }
            if !throttled {
                self.idle = true;
                continue;
            }
            self.stat.nr_throttled += 1;
            // distribute_cfs_runtime: enough to bring the cfs_rq's runtime above zero.
            if self.runtime > 0 {
                let want = (1 - self.remaining.min(0)) as u64;
                let take = want.min(self.runtime);
                self.runtime -= take;
                self.remaining += take as i64;
                if self.remaining > 0 {
                    self.unthrottle(t);
                }
            }
            self.idle = false;
        }
    }

    /// `__account_cfs_rq_runtime` for `cost` ns the group ran, ending at `now`: take more
    /// runtime from the pool when it is used up, and throttle the group if there is none.
    /// True if the group is throttled afterwards.
    pub fn charge(&mut self, conf: &BwConf, cost: u64, now: u64) -> bool {
        self.sync(conf, now);
        if conf.quota.is_none() {
            return false;
        }
        self.remaining = self.remaining.saturating_sub(cost as i64);
        if self.remaining > 0 {
            return self.throttled_at.is_some();
        }
        // __assign_cfs_rq_runtime: a slice, or what the pool has left.
        self.start(conf, now);
        if self.runtime > 0 {
            let want = (CFS_BANDWIDTH_SLICE as i64 - self.remaining) as u64;
            let take = want.min(self.runtime);
            self.runtime -= take;
            self.idle = false;
            self.remaining += take as i64;
        }
        if self.remaining <= 0 && self.throttled_at.is_none() {
            self.throttled_at = Some(now);
        }
        self.throttled_at.is_some()
    }

    /// When the group, throttled at `now`, may run again at the earliest (the timer's next
    /// expiry); `None` if it is not throttled.
    pub fn throttled_until(&mut self, conf: &BwConf, now: u64) -> Option<u64> {
        self.sync(conf, now);
        self.throttled_at?;
        // A throttled group with no timer cannot happen (it is armed when runtime runs
        // out); arm it anyway so the group is not stuck.
        self.start(conf, now);
        self.timer
    }
}

/// The group's scheduling entity on each CPU (`tg->se[cpu]`): its virtual runtime; and its
/// run queues' time spent throttled, by the group's own quota or an ancestor's, while they had
/// tasks (`cfs_rq->throttled_clock_self_time` summed over the CPUs, 6.6's `cpu.stat.local`).
#[derive(Debug, Default)]
pub struct GroupSe {
    pub vruntime: Vec<u64>,
    pub throttled_self: u64,
}

impl GroupSe {
    /// Grow to `n` CPUs.
    pub fn ensure(&mut self, n: usize) {
        if self.vruntime.len() < n {
            self.vruntime.resize(n, 0);
        }
    }
}

/// `calc_delta_fair`: `delta` ns of run time as virtual time of an entity of `weight`
/// (`NICE_0_LOAD` runs at the real rate).
pub fn calc_delta_fair(delta: u64, weight: u64) -> u64 {
    (u128::from(delta) * u128::from(super::cpu::NICE_0_LOAD) / u128::from(weight.max(1))) as u64
}

/// The chain a task's time is charged to: its task group, then each ancestor's, up to (not
/// including) the root task group.
pub fn chain(leaf: Arc<super::cpu::TaskGroup>) -> Vec<Arc<super::cpu::TaskGroup>> {
    let mut out = Vec::new();
    let mut cur = Some(leaf);
    while let Some(tg) = cur {
        if tg.is_root {
            break;
        }
        cur = tg.parent.clone();
        out.push(tg);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    fn conf(quota_ms: u64, burst_ms: u64) -> BwConf {
        BwConf {
            quota: Some(quota_ms * MS),
            period: 100 * MS,
            burst: burst_ms * MS,
        }
    }

    #[test]
    fn a_hog_is_throttled_each_period_after_its_quota() {
        let c = conf(1, 0);
        let mut rt = BwRuntime::default();
        // tg_set_cfs_bandwidth at 50 ms: the pool is filled, the timer armed for 100 ms.
        rt.reconfigure(&c, 50 * MS);
        assert_eq!(rt.throttled_until(&c, 50 * MS), None);
        // 1 ms of running uses the whole quota: throttled until the expiry at 100 ms.
        assert!(rt.charge(&c, MS, 51 * MS));
        assert_eq!(rt.throttled_until(&c, 60 * MS), Some(100 * MS));
        // The expiry refills and unthrottles it (49 ms throttled).
        assert_eq!(rt.throttled_until(&c, 100 * MS), None);
        assert_eq!(
            rt.stat,
            BwStat {
                nr_periods: 1,
                nr_throttled: 1,
                throttled_time: 49 * MS,
                ..BwStat::default()
            }
        );
    }

    #[test]
    fn an_overrun_is_repaid_from_the_next_period() {
        let c = conf(1, 0);
        let mut rt = BwRuntime::default();
        rt.reconfigure(&c, 0);
        // 2.5 ms in one step: 1.5 ms of debt, which two refills pay back.
        assert!(rt.charge(&c, 5 * MS / 2, MS));
        assert!(rt.throttled_until(&c, 100 * MS).is_some());
        assert_eq!(rt.throttled_until(&c, 200 * MS), None);
        assert_eq!(rt.stat.nr_throttled, 2);
        assert_eq!(rt.stat.throttled_time, 199 * MS);
    }

    #[test]
    fn the_timer_stops_after_an_idle_period() {
        let c = conf(10, 0);
        let mut rt = BwRuntime::default();
        rt.reconfigure(&c, 0);
        rt.charge(&c, MS, MS);
        // 100 ms: counted, marked idle; 200 ms: counted, stops; nothing after.
        rt.sync(&c, 10_000 * MS);
        assert_eq!(rt.stat.nr_periods, 2);
        assert_eq!(rt.stat.nr_throttled, 0);
    }

    #[test]
    fn burst_runtime_is_counted() {
        let c = conf(10, 10);
        let mut rt = BwRuntime::default();
        rt.reconfigure(&c, 0);
        // An idle period saves up to the burst: 20 ms in the pool after the expiry at 100.
        rt.sync(&c, 150 * MS);
        assert!(!rt.charge(&c, 15 * MS, 160 * MS));
        // Running out took a 5 ms slice plus the 15 ms used: all 20 ms of the pool, 10 ms
        // more than the quota, which the next expiry counts as burst (the kernel measures the
        // pool taken, `runtime_snap - runtime`, not the time run).
        rt.sync(&c, 200 * MS);
        assert_eq!(rt.stat.nr_burst, 1);
        assert_eq!(rt.stat.burst_time, 10 * MS);
    }

    #[test]
    fn no_quota_means_no_throttling() {
        let c = BwConf {
            quota: None,
            period: 100 * MS,
            burst: 0,
        };
        let mut rt = BwRuntime::default();
        rt.reconfigure(&c, 0);
        assert!(!rt.charge(&c, 10_000 * MS, MS));
        rt.sync(&c, 10_000 * MS);
        assert_eq!(rt.stat, BwStat::default());
    }

    #[test]
    fn weights_scale_virtual_time() {
        assert_eq!(calc_delta_fair(MS, 1024), MS);
        assert_eq!(calc_delta_fair(MS, 2048), MS / 2);
        assert_eq!(calc_delta_fair(MS, 512), 2 * MS);
    }
}
