//! The CPU scheduler's group subsystem (`cpu_cgroup_subsys`, id 3): the task groups whose
//! weights and bandwidth the simulated scheduler follows (`crates/cgroupfs/src/fair.rs`).
//!
//! **Kernel:** `kernel/sched.c` `cpu_cgroup_create`, `cpu_shares_write_u64`,
//! `cpu_shares_read_u64` (2.6.25); from 3.2 (`CONFIG_CFS_BANDWIDTH`) `cpu.cfs_quota_us`,
//! `cpu.cfs_period_us` and `cpu.stat` (`tg_set_cfs_quota`, `tg_set_cfs_period`,
//! `tg_set_cfs_bandwidth`, `cpu_stats_show`; `kernel/sched/core.c` from 3.3); 5.14 adds
//! `cpu.cfs_burst_us` and `nr_bursts`/`burst_time` in `cpu.stat`, 5.15 `cpu.idle`
//! (`cpu_legacy_files[]`, v6.6). `cpu.shares` is clamped to `MIN_SHARES` 2 .. `MAX_SHARES`
//! 1 << 18; the root group's shares and bandwidth cannot be changed (EINVAL).
//! **Differences:** the real-time group files
//! (`cpu.rt_runtime_us`, `cpu.rt_period_us`, `CONFIG_RT_GROUP_SCHED`) are not created; the
//! `wait_sum` line of `cpu.stat` (schedstats, off by default) is never printed.

use super::cpu_bw::{BwConf, BwRuntime, BwStat, GroupSe};
use crate::cftype::Cftype;
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx};
use cgsim_ktypes::klog::Clock;
use cgsim_ktypes::{Errno, Tracer};
use parking_lot::Mutex;
use std::any::Any;
use std::sync::Arc;

/// `MIN_SHARES`.
pub const MIN_SHARES: u64 = 2;
/// `MAX_SHARES`.
pub const MAX_SHARES: u64 = 1 << 18;
/// `NICE_0_LOAD`, the default `cpu.shares`.
pub const NICE_0_LOAD: u64 = 1024;

/// `WEIGHT_IDLEPRIO`: the load weight of a `SCHED_IDLE` entity, which an idle group's
/// entities take (`kernel/sched/sched.h`, v6.6).
pub const WEIGHT_IDLEPRIO: u64 = 3;

/// `struct task_group`, reduced to its shares and CFS bandwidth.
#[derive(Debug)]
pub struct TaskGroup {
    pub shares: Mutex<u64>,
    pub is_root: bool,
    /// `tg->parent` (`None` for the root task group), set at creation.
    pub parent: Option<Arc<TaskGroup>>,
    /// The bandwidth settings of the default hierarchy's `cpu.max`, `cpu.max.burst`, `cpu.idle`
    /// (and v1's `cpu.cfs_quota_us`, `cpu.cfs_period_us`, `cpu.cfs_burst_us`).
    pub bw: Mutex<CfsBandwidth>,
    /// The bandwidth's run-time state (lock order: `bw` -> `bw_rt`).
    pub bw_rt: Mutex<BwRuntime>,
    /// The group's scheduling entity on each CPU.
    pub se: Mutex<GroupSe>,
    /// The simulated clock the period timer runs on (`None` for users of the core alone).
    pub clock: Option<Arc<Clock>>,
    /// `tg->children`: the child groups (dropped ones fail to upgrade), for the walks of
    /// `walk_tg_tree` (`__cfs_schedulable`).
    pub children: Mutex<Vec<std::sync::Weak<TaskGroup>>>,
}

impl TaskGroup {
    /// `sched_group_set_shares` (`kernel/sched/fair.c`, v6.6): EINVAL for the root group and
    /// for an idle group (`tg_is_idle`: its weight is `WEIGHT_IDLEPRIO` until `cpu.idle` is
    /// cleared), else `__sched_group_set_shares` clamps to `MIN_SHARES`..`MAX_SHARES`. The
    /// idle check came with `cpu.idle` (5.15); before it there is no idle group.
    pub fn set_shares(&self, shares: u64) -> Result<(), Errno> {
        // Lock order: bw -> shares.
        let bw = self.bw.lock();
        if self.is_root || bw.idle {
            return Err(Errno::EINVAL);
        }
        *self.shares.lock() = shares.clamp(MIN_SHARES, MAX_SHARES);
        Ok(())
    }

    /// `sched_group_set_idle` (`kernel/sched/fair.c`, v6.6): EINVAL for the root group or a
    /// value other than 0 and 1; nothing changes when the value is the group's already;
    /// otherwise the group's entities become `SCHED_IDLE` ones and take the idle weight
    /// (`__sched_group_set_shares(tg, scale_load(WEIGHT_IDLEPRIO))`), or, cleared, the
    /// default weight `NICE_0_LOAD` (the weight set before is not restored).
    /// **Differences:** the weight is the whole of it here: the scheduler (`fair.rs`) shares a
    /// CPU by weight, so an idle group gets 3/1027 of a CPU a default group also wants; the
    /// kernel's other `SCHED_IDLE` rules (`idle_h_nr_running`, wake-up preemption by non-idle
    /// entities, `sched_idle_cpu` in load balancing) are not modelled.
    pub fn set_idle(&self, idle: i64) -> Result<(), Errno> {
        if self.is_root || !(0..=1).contains(&idle) {
            return Err(Errno::EINVAL);
        }
        // Lock order: bw -> shares.
        let mut bw = self.bw.lock();
        if bw.idle == (idle == 1) {
            return Ok(());
        }
        bw.idle = idle == 1;
        *self.shares.lock() = if bw.idle {
            WEIGHT_IDLEPRIO
        } else {
            NICE_0_LOAD
        };
        Ok(())
    }

    fn now(&self) -> u64 {
        self.clock.as_ref().map_or(0, |c| c.now_nanos())
    }

    /// The settings as the bandwidth code takes them.
    pub fn bw_conf(&self) -> BwConf {
        let bw = *self.bw.lock();
        BwConf {
            quota: bw.quota,
            period: bw.period,
            burst: bw.burst,
        }
    }

    /// `tg_set_cfs_bandwidth`'s effect on the run-time state, after `bw` changed.
    pub fn bandwidth_changed(&self) {
        let conf = self.bw_conf();
        self.bw_rt.lock().reconfigure(&conf, self.now());
    }

    /// The bandwidth statistics now (the period timer's expiries up to now handled).
    pub fn bw_stat(&self) -> BwStat {
        let conf = self.bw_conf();
        let mut rt = self.bw_rt.lock();
        rt.sync(&conf, self.now());
        rt.stat
    }

    /// This group's runtime use: `cost` ns ending at `now`. True if it is throttled.
    pub fn bw_charge(&self, cost: u64, now: u64) -> bool {
        let conf = self.bw_conf();
        self.bw_rt.lock().charge(&conf, cost, now)
    }

    /// When this group, if throttled at `now`, is handed runtime again at the earliest.
    pub fn throttled_until(&self, now: u64) -> Option<u64> {
        let conf = self.bw_conf();
        self.bw_rt.lock().throttled_until(&conf, now)
    }
}

/// `struct cfs_bandwidth`'s settings (ns), and `tg->idle`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CfsBandwidth {
    /// `quota`; `None` is `RUNTIME_INF` (`max`).
    pub quota: Option<u64>,
    /// `period` (default `default_cfs_period()`, 100 ms).
    pub period: u64,
    pub burst: u64,
    pub idle: bool,
}

impl Default for CfsBandwidth {
    fn default() -> Self {
        CfsBandwidth {
            quota: None,
            period: 100_000_000,
            burst: 0,
            idle: false,
        }
    }
}

/// The `cpu` subsystem of a kernel version (its v1 files follow the version), with the
/// clock its bandwidth timers run on.
#[derive(Clone, Debug)]
pub struct CpuCgroup {
    version: (u32, u32, u32),
    clock: Option<Arc<Clock>>,
}

impl Default for CpuCgroup {
    fn default() -> Self {
        CpuCgroup {
            version: (2, 6, 25),
            clock: None,
        }
    }
}

impl CpuCgroup {
    /// The cpu subsystem of a kernel of `version` (`(major, minor, sublevel)`), its period
    /// timers on `clock`.
    pub fn for_version(version: (u32, u32, u32), clock: Arc<Clock>) -> CpuCgroup {
        CpuCgroup {
            version,
            clock: Some(clock),
        }
    }
}

impl<T: Tracer> CgroupSubsys<T> for CpuCgroup {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn threaded(&self) -> bool {
        // 6.6 `cpu_cgrp_subsys.threaded`.
        true
    }

    fn symbol_prefix(&self) -> &'static str {
        "cpu_cgroup"
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY.with(SubsysCallback::Populate)
    }

    fn create(
        &self,
        cx: &SubsysCtx<'_, T>,
        css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        let parent = cx.parent_css.and_then(|p| p.private::<TaskGroup>());
        let tg = Arc::new(TaskGroup {
            shares: Mutex::new(NICE_0_LOAD),
            is_root: css.is_root(),
            parent: parent.clone(),
            bw: Mutex::new(CfsBandwidth::default()),
            bw_rt: Mutex::new(BwRuntime::default()),
            se: Mutex::new(GroupSe::default()),
            clock: self.clock.clone(),
            children: Mutex::new(Vec::new()),
        });
        // sched_online_group: list_add_rcu(&tg->siblings, &parent->children).
        if let Some(p) = parent {
            let mut kids = p.children.lock();
            kids.retain(|w| w.strong_count() > 0);
            kids.push(Arc::downgrade(&tg));
        }
        Ok(tg)
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, T>, css: &CssRef) {
        // sched_destroy_group (6.6: sched_release_group): off the parent's children.
        if let Some(tg) = css.private::<TaskGroup>()
            && let Some(p) = &tg.parent
        {
            p.children
                .lock()
                .retain(|w| w.upgrade().is_some_and(|c| !Arc::ptr_eq(&c, &tg)));
        }
    }

    fn populate(
        &self,
        cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        if cx.on_dfl {
            // 6.6 `cpu_files[]` (`cpu_dfl.rs`).
            return dir.add_files(super::cpu_dfl::dfl_files());
        }
        dir.add_file(
            Cftype::new("shares")
                .read_u64(|cx| Ok(*tg(cx.css.as_ref())?.shares.lock()))
                .write_u64(|cx, v| tg(cx.css.as_ref())?.set_shares(v)),
        )?;
        if self.version >= (3, 2, 0) {
            dir.add_files(super::cpu_v1_bw::legacy_bw_files(self.version))?;
        }
        Ok(())
    }
}

pub(super) fn tg(css: Option<&CssRef>) -> Result<Arc<TaskGroup>, Errno> {
    css.and_then(|c| c.private::<TaskGroup>())
        .ok_or(Errno::ENODEV)
}
