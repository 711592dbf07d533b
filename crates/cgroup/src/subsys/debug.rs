//! The debug subsystem (`debug_subsys`, id 1).
//!
//! **Kernel:** `kernel/cgroup_debug.c` (2.6.25; `releasable` moved here in 2.6.26).
//! Files: `debug.cgroup_refcount` (`cgrp->count`), `debug.taskcount` (`cgroup_task_count`),
//! `debug.current_css_set_refcount` (the reader's css_set refcount), `debug.releasable`.
//! **Differences:** `current_css_set` (a kernel pointer) is not provided; `cgroup_refcount` shows
//! the link-based count of `kernel/cgroup.c` `find_css_set`, not 2.6.25's per-subsystem count.

use crate::cftype::Cftype;
use crate::cgroup::CGRP_RELEASABLE;
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx};
use cgsim_ktypes::{Errno, Tracer};

/// The `debug` subsystem.
#[derive(Copy, Clone, Debug, Default)]
pub struct Debug;

impl<T: Tracer> CgroupSubsys<T> for Debug {
    fn name(&self) -> &'static str {
        "debug"
    }

    fn on_dfl(&self) -> bool {
        // 6.6: `debug_cgrp_subsys` gets `dfl_cftypes` only with the `cgroup_debug` boot option.
        false
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY.with(SubsysCallback::Populate)
    }

    fn populate(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        dir.add_files([
            Cftype::new("cgroup_refcount").read_u64(|cx| Ok(cx.core.cgroup_count(cx.cgrp)? as u64)),
            Cftype::new("taskcount").read_u64(|cx| Ok(cx.core.task_count(cx.cgrp)? as u64)),
            Cftype::new("current_css_set_refcount")
                .read_u64(|cx| Ok(cx.core.task_css_set(cx.caller)?.1 as u64)),
            Cftype::new("releasable").read_u64(|cx| {
                Ok(u64::from(
                    cx.core.cgroup_flags(cx.cgrp)? & CGRP_RELEASABLE != 0,
                ))
            }),
        ])
    }
}
