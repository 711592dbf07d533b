//! CPU accounting (`cpuacct_subsys`, id 4), minimal.
//!
//! **Kernel:** `kernel/sched.c` `cpuacct_create`, `cpuusage_read`, `cpuusage_write` (2.6.25).
//! The scheduler's side (`crates/cgroupfs/src/cputime.rs`, `cpuacct_charge`) adds the
//! simulated CPU time of the group's tasks to `usage` (and, from 2.6.29 on, each ancestor's).
//! Writing 0 resets it and any other value is EINVAL, as in 2.6.25.
//! **Differences:** only `cpuacct.usage`: `cpuacct.stat` (2.6.30+) and `cpuacct.usage_percpu`
//! (2.6.29+) are not created.

use crate::cftype::Cftype;
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx};
use cgsim_ktypes::{Errno, Tracer};
use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// `struct cpuacct`, reduced to its usage counter (nanoseconds).
#[derive(Debug, Default)]
pub struct CpuAcct {
    pub usage: AtomicU64,
}

/// The `cpuacct` subsystem.
#[derive(Copy, Clone, Debug, Default)]
pub struct Cpuacct;

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
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        Ok(Arc::new(CpuAcct::default()))
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
                .read_u64(|cx| Ok(ca(cx.css.as_ref())?.usage.load(Ordering::Relaxed)))
                .write_u64(|cx, v| {
                    if v != 0 {
                        return Err(Errno::EINVAL);
                    }
                    ca(cx.css.as_ref())?.usage.store(0, Ordering::Relaxed);
                    Ok(())
                }),
        )
    }
}

fn ca(css: Option<&CssRef>) -> Result<Arc<CpuAcct>, Errno> {
    css.and_then(|c| c.private::<CpuAcct>())
        .ok_or(Errno::ENODEV)
}
