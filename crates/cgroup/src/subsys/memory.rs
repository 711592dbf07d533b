//! Placeholder for the memory controller (`mem_cgroup_subsys`, id 5).
//!
//! **Kernel:** `mm/memcontrol.c` (2.6.25). Only creates a css with no files; `cgsim-memcg`
//! replaces it with the real `mem_cgroup` by registering its own subsystem in slot 5.

use crate::subsys::CgroupSubsys;
use cgsim_ktypes::Tracer;

/// The placeholder `memory` subsystem: a css and nothing else.
#[derive(Copy, Clone, Debug, Default)]
pub struct MemoryPlaceholder;

impl<T: Tracer> CgroupSubsys<T> for MemoryPlaceholder {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn symbol_prefix(&self) -> &'static str {
        "mem_cgroup"
    }
}
