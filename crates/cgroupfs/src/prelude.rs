//! Everything a user of the simulator as a library needs, in one `use`:
//! `use cgsim_cgroupfs::prelude::*;`.
//!
//! `cgsim-cgroupfs` is the library's entry point: it re-exports the crates underneath
//! (`cgsim_cgroupfs::{cgroup, memcg, counters, ktypes}`), so a project depends on it alone. The
//! prelude holds the syscall API ([`Kernel`], [`BootParams`]), the typed facade ([`Cgroup`],
//! [`Mount`], [`MemoryStat`], [`OomControl`]), the kernel types (pids, bytes, errnos) and what
//! writing your own `cgroup_subsys` takes ([`CgroupSubsys`], [`Cftype`], [`CssRef`], ...).

pub use crate::{
    BootParams, Cgroup, DirEntry, Fd, FileType, INIT_PID, Kernel, MemcgProfile, MemoryController,
    MemoryStat, MemoryStatCounts, MmapFlags, Mount, OomControl, OpenFlags, ProcInfo, ProcState,
    Program, Signal, Stat, Step, WaitStatus,
};
pub use cgsim_cgroup::{
    Cftype, CgroupId, CgroupSubsys, CoreProfile, CssRef, PopulateDir, SubsysCallback, SubsysCtx,
    TaskRef,
};
pub use cgsim_ktypes::trace::Ftrace;
pub use cgsim_ktypes::{
    Bytes, Cred, Errno, NoTrace, PAGE_SIZE, Pages, Pid, SysError, SysResult, Tracer,
};
