//! The CPU scheduler's group subsystem (`cpu_cgroup_subsys`, id 3), minimal.
//!
//! **Kernel:** `kernel/sched.c` `cpu_cgroup_create`, `cpu_shares_write_u64`,
//! `cpu_shares_read_u64` (2.6.25).
//! **Differences:** `cpu.shares` is stored and clamped (`MIN_SHARES` 2, `MAX_SHARES` 1 << 18) but
//! schedules nothing; the root group's shares cannot be changed (EINVAL), as in the kernel.

use crate::cftype::Cftype;
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx};
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

/// `struct task_group`, reduced to its shares.
#[derive(Debug)]
pub struct TaskGroup {
    pub shares: Mutex<u64>,
    pub is_root: bool,
}

/// The `cpu` subsystem.
#[derive(Copy, Clone, Debug, Default)]
pub struct CpuCgroup;

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
        _cx: &SubsysCtx<'_, T>,
        css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        Ok(Arc::new(TaskGroup {
            shares: Mutex::new(NICE_0_LOAD),
            is_root: css.is_root(),
        }))
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    fn populate(
        &self,
        cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        if cx.on_dfl {
            // Differences: the v2 interface files of this controller (`dfl_cftypes`, 6.6) are
            // not modelled; on the default hierarchy it is a controller without files.
            return Ok(());
        }
        dir.add_file(
            Cftype::new("shares")
                .read_u64(|cx| Ok(*tg(cx.css.as_ref())?.shares.lock()))
                .write_u64(|cx, v| {
                    let tg = tg(cx.css.as_ref())?;
                    if tg.is_root {
                        return Err(Errno::EINVAL);
                    }
                    *tg.shares.lock() = v.clamp(MIN_SHARES, MAX_SHARES);
                    Ok(())
                }),
        )
    }
}

fn tg(css: Option<&CssRef>) -> Result<Arc<TaskGroup>, Errno> {
    css.and_then(|c| c.private::<TaskGroup>())
        .ok_or(Errno::ENODEV)
}
