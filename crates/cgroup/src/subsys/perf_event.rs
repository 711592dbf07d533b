//! The perf_event controller (`perf_event_cgrp_subsys`): groups tasks for `perf -G`.
//!
//! **Kernel:** `kernel/events/core.c` (2.6.39+), v6.6: `perf_cgroup_css_alloc` and no control
//! files of its own (`perf_event_cgrp_subsys` has neither `legacy_cftypes` nor
//! `dfl_cftypes`), so on v1 its directories hold only the core's files, and on the default
//! hierarchy it is always on and implicit (`implicit_on_dfl`, `threaded`): never listed in
//! `cgroup.controllers`.
//!
//! **Differences:** there are no perf events to count; the model has the subsystem on v1
//! only (on v2 it is inhibited like a controller without `dfl_cftypes`, which gives the
//! same visible result as the kernel's implicit controller).

use crate::subsys::CgroupSubsys;
use cgsim_ktypes::Tracer;

/// The `perf_event` subsystem.
#[derive(Copy, Clone, Debug, Default)]
pub struct PerfEvent;

impl<T: Tracer> CgroupSubsys<T> for PerfEvent {
    fn name(&self) -> &'static str {
        "perf_event"
    }

    fn symbol_prefix(&self) -> &'static str {
        "perf_cgroup"
    }

    fn on_dfl(&self) -> bool {
        false
    }
}
