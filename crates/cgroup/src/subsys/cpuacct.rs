//! CPU accounting (`cpuacct_subsys`, id 4).
//!
//! **Kernel:** `kernel/sched.c` `cpuacct_create`, `cpuusage_read`, `cpuusage_write` (2.6.25),
//! `cpuacct_percpu_seq_read` (2.6.29), `cpuacct_stats_show` (2.6.30), as in 2.6.35. The
//! scheduler's side (`crates/cgroupfs/src/cputime.rs`: `cpuacct_charge` and
//! `cpuacct_update_stats`) adds the simulated CPU time of the group's tasks to the usage of the
//! CPU they ran on and to the user or system statistic (from 2.6.29 on, each ancestor's too).
//! Files by version: `cpuacct.usage` (2.6.25), `cpuacct.usage_percpu` (2.6.29: one `%llu `
//! per present CPU, then a newline), `cpuacct.stat` (2.6.30: `user` and `system` in `USER_HZ`
//! ticks, `cputime64_to_clock_t`). `cpuacct.usage` is the sum over the CPUs; writing 0 to it
//! resets every CPU's usage (not the statistics) and any other value is EINVAL.

use crate::cftype::Cftype;
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx};
use cgsim_ktypes::{Errno, Tracer};
use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// `struct cpuacct`: the per-CPU usage (nanoseconds), the user/system statistics
/// (nanoseconds here; shown in `USER_HZ` ticks) and, from 2.6.29 on, `ca->parent`.
///
/// **Kernel:** `cpuacct_create` (2.6.29) sets `ca->parent = cgroup_ca(cgrp->parent)` once, and
/// `cpuacct_charge` walks `for (; ca; ca = ca->parent)` under `rcu_read_lock` only: the
/// scheduler never takes `cgroup_mutex` to charge CPU time. The parent pointer here is the
/// same walk without the cgroup tree (a parent cannot be removed while it has children).
#[derive(Debug)]
pub struct CpuAcct {
    cpuusage: Vec<AtomicU64>,
    stat: [AtomicU64; 2],
    parent: Option<Arc<CpuAcct>>,
}

impl CpuAcct {
    fn new(nr_cpus: u32, parent: Option<Arc<CpuAcct>>) -> CpuAcct {
        CpuAcct {
            cpuusage: (0..nr_cpus.max(1)).map(|_| AtomicU64::new(0)).collect(),
            stat: [AtomicU64::new(0), AtomicU64::new(0)],
            parent,
        }
    }

    /// `cpuacct_charge(tsk, cputime)` on `cpu`, and `cpuacct_update_stats` for the user and
    /// system parts: this group and (2.6.29+, where `ca->parent` is set) every ancestor.
    pub fn charge(&self, cpu: usize, user: u64, sys: u64) {
        let mut ca = Some(self);
        while let Some(c) = ca {
            let n = c.cpuusage.len();
            c.cpuusage[cpu % n].fetch_add(user + sys, Ordering::Relaxed);
            c.stat[0].fetch_add(user, Ordering::Relaxed);
            c.stat[1].fetch_add(sys, Ordering::Relaxed);
            ca = c.parent.as_deref();
        }
    }

    /// `cpuusage_read`: the usage summed over the CPUs (nanoseconds).
    pub fn usage(&self) -> u64 {
        self.cpuusage
            .iter()
            .map(|u| u.load(Ordering::Relaxed))
            .sum()
    }
}

/// The `cpuacct` subsystem of a kernel version on a machine of `nr_cpus` CPUs.
#[derive(Copy, Clone, Debug)]
pub struct Cpuacct {
    nr_cpus: u32,
    version: (u32, u32, u32),
}

impl Cpuacct {
    /// The cpuacct of a kernel of `version` (`(major, minor, sublevel)`) with `nr_cpus`
    /// present CPUs.
    pub fn for_version(version: (u32, u32, u32), nr_cpus: u32) -> Cpuacct {
        Cpuacct { nr_cpus, version }
    }
}

impl Default for Cpuacct {
    /// 2.6.25's (only `cpuacct.usage`) on two CPUs, for the core's own default table.
    fn default() -> Cpuacct {
        Cpuacct::for_version((2, 6, 25), 2)
    }
}

impl<T: Tracer> CgroupSubsys<T> for Cpuacct {
    fn name(&self) -> &'static str {
        "cpuacct"
    }

    fn on_dfl(&self) -> bool {
        // 6.6: `cpuacct_cgrp_subsys` has `legacy_cftypes` only.
        false
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY.with(SubsysCallback::Populate)
    }

    fn create(
        &self,
        cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        // 2.6.25–2.6.28 charge the task's own group only (no `ca->parent`).
        let parent = if self.version >= (2, 6, 29) {
            cx.parent_css.and_then(|p| p.private::<CpuAcct>())
        } else {
            None
        };
        Ok(Arc::new(CpuAcct::new(self.nr_cpus, parent)))
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    fn populate(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        dir.add_file(
            Cftype::new("usage")
                .read_u64(|cx| Ok(ca(cx.css.as_ref())?.usage()))
                .write_u64(|cx, v| {
                    if v != 0 {
                        return Err(Errno::EINVAL);
                    }
                    for u in &ca(cx.css.as_ref())?.cpuusage {
                        u.store(0, Ordering::Relaxed);
                    }
                    Ok(())
                }),
        )?;
        if self.version >= (2, 6, 29) {
            dir.add_file(Cftype::new("usage_percpu").read_seq_string(|cx| {
                let ca = ca(cx.css.as_ref())?;
                let mut s = String::new();
                for u in &ca.cpuusage {
                    s.push_str(&format!("{} ", u.load(Ordering::Relaxed)));
                }
                s.push('\n');
                Ok(s)
            }))?;
        }
        if self.version >= (2, 6, 30) {
            dir.add_file(Cftype::new("stat").read_map(|cx| {
                let ca = ca(cx.css.as_ref())?;
                // `cputime64_to_clock_t`: USER_HZ (100) ticks of 10 ms.
                let ticks = |i: usize| ca.stat[i].load(Ordering::Relaxed) / 10_000_000;
                Ok(vec![
                    ("user".to_string(), ticks(0)),
                    ("system".to_string(), ticks(1)),
                ])
            }))?;
        }
        Ok(())
    }
}

fn ca(css: Option<&CssRef>) -> Result<Arc<CpuAcct>, Errno> {
    css.and_then(|c| c.private::<CpuAcct>())
        .ok_or(Errno::ENODEV)
}
