//! The cgroup v1 core of Linux 2.6.25, with the SEED profile's 2.6.3x additions (`kernel/cgroup.c`, v2.6.34).
//!
//! This crate models `kernel/cgroup.c` without a filesystem: the simulated VFS
//! (`cgsim-cgroupfs`) calls [`CgroupCore`] to mount, make and remove directories, open, read and
//! write control files, fork and exit tasks, and render `/proc` files. It knows nothing about
//! memory: resource controllers plug in through the [`CgroupSubsys`] trait, as
//! `struct cgroup_subsys` does, and the memory controller is registered by a higher layer.
//!
//! # Objects (`include/linux/cgroup.h`, v2.6.25)
//!
//! | kernel | here | file |
//! |---|---|---|
//! | `struct cgroupfs_root`, `rootnode` | [`CgroupfsRoot`], [`RootId::ROOTNODE`] | `root.rs` |
//! | `struct cgroup` | [`Cgroup`], [`CgroupId`] | `cgroup.rs` |
//! | `struct cgroup_subsys_state` | [`CgroupSubsysState`], [`CssRef`] | `css.rs` |
//! | `struct css_set`, `init_css_set` | [`CssSet`], [`CssSetId`] | `css_set.rs` |
//! | `struct cg_cgroup_link` | [`CgCgroupLink`] | `css_set.rs` |
//! | `struct cgroup_subsys` | [`CgroupSubsys`] | `subsys.rs` |
//! | `struct cftype` | [`Cftype`] | `cftype.rs`, `files.rs` |
//!
//! Objects live in slab arenas named by generation-checked ids, so an id the VFS still holds
//! after an rmdir is reported as stale (ENODEV/ENOENT), never as another cgroup.
//!
//! # Locking
//!
//! The core is `Send + Sync`. As in the kernel (2.6.25 `kernel/cgroup.c`, `cgroup_mutex`, `css_set_lock`), three
//! locks guard its state:
//!
//! - `cgroup_mutex` (a `parking_lot::Mutex` around `CgroupState`): hierarchies, the cgroup trees,
//!   css objects, subsystem binding; taken by mount, umount, mkdir, rmdir, attach, file
//!   open/read/write and the queries. It serialises every structural change.
//! - `css_set_lock` (a `parking_lot::RwLock` around `CssSetState`; read for lookups and
//!   iteration, write for changes): the css_set table and arena, `init_css_set`,
//!   `css_set_count`, css_set refcounts, the `cg_cgroup_link` lists on both sides (a css_set's
//!   links and a cgroup's linked css_sets and `count`), `tsk->cgroups` and the per-css_set task
//!   lists. Attach takes it inside `cgroup_mutex` (for `find_css_set` and the task switch).
//! - `release_list_lock` (a `parking_lot::Mutex` around `release_list`).
//!
//! [`CgroupCore::fork`] and [`CgroupCore::exit`] take only `css_set_lock` (and, from exit's
//! `put_css_set_taskexit` → `check_for_release`, `release_list_lock`), never `cgroup_mutex`:
//! the `fork`/`exit` subsystem callbacks run with no core lock held, with a context built under
//! `css_set_lock` from the lock-free part of each cgroup (`CgroupShared`: `flags`, `count` and
//! the number of children as atomics, and the fixed `parent`, `root`, parent css), which also
//! serves `check_for_release` (the kernel uses RCU and atomic bit operations there).
//!
//! Lock order (outermost first), written again at every acquisition site as `// Lock order:`:
//!
//! 1. `cgroup_mutex`;
//! 2. `css_set_lock` (never held while a subsystem callback runs, except `bind`: mount and
//!    `cgroup_kill_sb` hold it across `rebind_subsystems` so that fork and exit never see a root
//!    css moved to a top cgroup that no css_set links yet);
//! 3. `release_list_lock`;
//! 4. the css pending list (`css_put` records cgroups whose css became unreferenced; the core
//!    drains it right after taking `cgroup_mutex`, then releases it before any other lock);
//! 5. the [`EventControl`] hook's `RwLock` (read-locked, cloned, released before the call).
//!
//! **Differences:** the task lock is folded into `css_set_lock` (write); `cgroup_fork` takes its
//! css_set reference under it instead of with an atomic increment. Queries about tasks
//! ([`CgroupCore::task_css`], [`CgroupCore::tasks`], ...) still take `cgroup_mutex` first, so
//! the release checks left pending by `css_put` run at the same points as before.
//!
//! Subsystem callbacks other than `fork`/`exit` run with `cgroup_mutex` held, as in the kernel,
//! so they must not call `CgroupCore` methods (self-deadlock); css `get`/`put` are atomics and
//! are allowed anywhere. Control-file handlers run without `cgroup_mutex` and may call
//! `CgroupCore` query methods.
//!
//! # Tracing
//!
//! `CgroupCore<T: Tracer>` records kernel function names with [`cgsim_ktypes::trace::func`]:
//! `cgroup_get_sb` → `parse_cgroupfs_options`, `rebind_subsystems` (→ `<ss>_bind`),
//! `cgroup_populate_dir` (→ `<ss>_populate`); `cgroup_mkdir` → `cgroup_create` (→
//! `cpuset_create`, `mem_cgroup_create`, ...); `cgroup_rmdir` (→ `<ss>_pre_destroy`,
//! `cgroup_diput` → `<ss>_destroy`); `attach_task_by_pid` → `cgroup_attach_task` →
//! `<ss>_can_attach`, `find_css_set` → `find_existing_css_set`, `<ss>_attach`, `put_css_set`;
//! `check_for_release`, `cgroup_release_agent`; `cgroup_fork`, `cgroup_fork_callbacks`,
//! `cgroup_post_fork`, `cgroup_exit`, `cgroup_kill_sb`. Subsystem callbacks appear as
//! `<symbol_prefix>_<callback>` ([`CgroupSubsys::symbol_prefix`]).
//!
//! # Invariants
//!
//! Numbered in `invariants.rs` and checked by [`CgroupCore::check_invariants`].

#![forbid(unsafe_code)]

mod arena;
mod attach;
pub mod cftype;
pub mod cgroup;
mod children;
mod core;
pub mod css;
pub mod css_set;
pub mod dfl;
pub mod event_control;
mod fault;
pub mod files;
mod fork;
pub mod hash;
mod invariants;
mod proc;
pub mod profile;
pub mod psi;
pub mod psi_group;
pub mod release;
pub mod root;
pub mod snapshot;
pub mod subsys;
mod thread_group;
mod threaded;

pub use crate::arena::ArenaKey;
pub use crate::cftype::{
    CFTYPE_NO_PREFIX, CFTYPE_NOT_ON_ROOT, CFTYPE_NS_DELEGATABLE, CFTYPE_ONLY_ON_ROOT,
    CFTYPE_WORLD_WRITABLE, CftCtx, CftEvents, CftRead, CftWrite, Cftype,
};
pub use crate::cgroup::{
    CGRP_CLONE_CHILDREN, CGRP_NOTIFY_ON_RELEASE, CGRP_RELEASABLE, CGRP_REMOVED, Cgroup, CgroupId,
};
pub use crate::core::CgroupCore;
pub use crate::css::{CSS_REMOVED, CSS_ROOT, CgroupSubsysState, CssId, CssRef};
pub use crate::css_set::{CgCgroupLink, CssSet, CssSetId};
pub use crate::event_control::{EventControl, EventControlRequest, NoEventControl};
pub use crate::files::{BaseFile, Dentry, DirInfo, FileInfo, FileKind, OpenFile};
pub use crate::profile::{Cgroup2, CoreProfile, DevicesModel};
pub use crate::release::{RELEASE_AGENT_ENVP, ReleaseAgentCall};
pub use crate::root::{CgroupSbOpts, CgroupfsRoot, MountResult, ROOT_NOPREFIX, RootId};
pub use crate::snapshot::CoreSnapshot;
pub use crate::subsys::{
    CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx, TaskRef, default_subsystems,
};

/// `PATH_MAX` (release agent buffer; `include/linux/limits.h`).
pub const PATH_MAX: usize = 4096;
/// `MAX_CFTYPE_NAME`.
pub const MAX_CFTYPE_NAME: usize = 64;
/// `MAX_CGROUP_TYPE_NAMELEN`.
pub const MAX_CGROUP_TYPE_NAMELEN: usize = 32;
/// `MAX_CGROUP_ROOT_NAMELEN` (2.6.32).
pub const MAX_CGROUP_ROOT_NAMELEN: usize = 64;
/// `CGROUP_LOCAL_BUFFER_SIZE` (2.6.27): the numeric/string write buffer.
pub const CGROUP_LOCAL_BUFFER_SIZE: usize = 64;
/// `CGROUP_SUPER_MAGIC`, the `statfs` f_type of a cgroup mount.
pub const CGROUP_SUPER_MAGIC: u64 = 0x27e0eb;
/// Subsystem ids of [`default_subsystems`] (`include/linux/cgroup_subsys.h`, v2.6.25).
pub mod subsys_ids {
    pub const CPUSET: usize = 0;
    pub const DEBUG: usize = 1;
    pub const NS: usize = 2;
    pub const CPU: usize = 3;
    pub const CPUACCT: usize = 4;
    pub const MEMORY: usize = 5;
}
