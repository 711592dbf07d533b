//! The namespace subsystem (`ns_subsys`, id 2), minimal.
//!
//! **Kernel:** `kernel/ns_cgroup.c` (2.6.25; `ns_can_attach`).
//! **Differences:** only creates a css. The CAP_SYS_ADMIN and subtree rules and `cgroup_clone`
//! are not modelled.

use crate::subsys::CgroupSubsys;
use cgsim_ktypes::Tracer;

/// The `ns` subsystem.
#[derive(Copy, Clone, Debug, Default)]
pub struct Ns;

impl<T: Tracer> CgroupSubsys<T> for Ns {
    fn name(&self) -> &'static str {
        "ns"
    }

    fn on_dfl(&self) -> bool {
        // The ns subsystem was gone long before the default hierarchy.
        false
    }
}
