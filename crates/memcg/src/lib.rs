//! The memory controller: `mem_cgroup` as a cgroup subsystem, with the pages, LRU lists, charge
//! path, reclaim and OOM killer behind it.
//!
//! **Kernel:** `mm/memcontrol.c`, `mm/vmscan.c`, `mm/oom_kill.c`, `mm/swap.c`,
//! `include/linux/memcontrol.h`, `include/linux/page_cgroup.h` — the 2.6.34 memory controller
//! with 2.6.35's `oom_control` (the SEED profile, `mm/memcontrol.c` `__mem_cgroup_try_charge`, `mem_cgroup_handle_oom`), with switches for the
//! 2.6.25 charge loop and OOM (the `memcg.*` profile switches).
//!
//! # Map
//!
//! | module | models |
//! |---|---|
//! | [`machine`] | the simulated machine: the `World` behind its lock, the [`MemoryMachine`] API, tasks |
//! | `page_alloc` | the zone and its free frames, `alloc_page` with global reclaim/OOM (`mm/page_alloc.c`) |
//! | `swap` | pagevecs and LRU add/remove (`mm/swap.c`) |
//! | `percpu` | each CPU's pagevec, charge stock, frame cache and statistics deltas |
//! | `fork`, `exit` | an mm gained (`kernel/fork.c` `dup_mm`, `fs/exec.c`) and dropped (`kernel/exit.c` `exit_mm`) |
//! | `fault` | mmap, page faults, page cache, shmem, SysV shm (the host's memory calls) |
//! | `fastpath` | anonymous faults and zaps under the world's read side, in parallel across CPUs |
//! | `current` | the fast path's task handle ([`TaskRef`], the kernel's `current`): no pid lookup per fault |
//! | `teardown` | munmap, exit_mmap, truncation, swap_free |
//! | `swapfile` | the swap area: swapoff (`try_to_unuse`) and swapon |
//! | `rmap` | fork's copy-on-write sharing of anonymous pages and their reverse map |
//! | [`memcontrol`] | `struct mem_cgroup`, its counters and statistics, the memcg table (create/destroy) |
//! | `charge` | `mem_cgroup_charge_common`, `__mem_cgroup_try_charge`, commit, uncharge |
//! | `vmscan` | `try_to_free_mem_cgroup_pages`, hierarchical and soft-limit reclaim |
//! | `vmscan_v2` | 6.6 memcg reclaim: `do_try_to_free_pages`, `shrink_node_memcgs`, `get_scan_count` scaled by effective `memory.min`/`memory.low` |
//! | `oom` | `mem_cgroup_out_of_memory`, `mem_cgroup_handle_oom`, `memcg_oom_recover` |
//! | [`files`] | the `memory.*` control files |
//! | `move_charge` | reparenting (rmdir, force_empty) and `move_charge_at_immigrate` |
//! | [`page`] | `struct page` + `struct page_cgroup` (24 bytes) and the LRU lists |
//! | [`mm`] | mm_structs, VMAs, page tables, swap slots, SysV shm |
//! | [`profile`] | the `memcg.*` switches |
//! | [`model`] | a reference model of the counters for property tests |
//! | [`events`] | the event hook (`events::hook`), usage thresholds and OOM notification on eventfds (`mm/memcontrol.c` `mem_cgroup_threshold`, `__mem_cgroup_threshold`, `mem_cgroup_oom_register_event`, `mem_cgroup_oom_notify`, v2.6.34–v2.6.35) |
//! | `subsys` | the `CgroupSubsys` implementation (feature `cgroup`) |
//!
//! # Host interface
//!
//! The syscall layer owns processes and calls [`MemoryMachine`] with pids: `add_task`/`exec_mm`,
//! `fork_mm`, `exit_task`, `mmap_anon`, `mmap_shared_zero`, `touch`, `munmap`, `mlock`, `munlock`, `madvise_dontneed`
//! (and `touch_task`/`madvise_dontneed_task` with a [`TaskRef`] from `current(pid)`),
//! `file_read`/`file_write`/`file_truncate`, `shmget`/`shmat`/`shmdt`/`shm_rmid`,
//! `set_oom_score_adj`. A fault returns [`FaultError`]: `OomKilled`, `OomWait { memcg }` (the task
//! sleeps until [`MemoryMachine::take_events`] reports it woken, then retries), or an errno.
//! OOM kills of other tasks are reported the same way (`MemEvents::killed`); memcg never calls
//! back into the host.

#![forbid(unsafe_code)]

mod charge;
pub mod counter_ext;
mod current;
pub mod events;
mod exit;
mod fastpath;
mod fault;
mod fault_inject;
pub mod files;
mod fork;
mod high_delay;
mod invariants;
pub mod machine;
pub mod memcontrol;
pub mod memcontrol_v2;
pub mod mm;
pub mod model;
mod move_charge;
mod oom;
mod oom_report;
pub mod page;
mod page_alloc;
pub mod page_writeback;
mod percpu;
pub mod profile;
mod rmap;
mod sharded_lock;
#[cfg(feature = "cgroup")]
pub mod subsys;
mod swap;
mod swapfile;
mod teardown;
pub mod vm_events;
mod vmscan;
mod vmscan_v2;

pub use charge::MEM_CGROUP_RECLAIM_RETRIES;
pub use counter_ext::MemCounter;
pub use current::TaskRef;
pub use events::{EventFile, MemcgEvents, Notifier};
pub use files::MemFile;
pub use high_delay::FaultSleep;
pub use machine::{
    FaultError, MachineConfig, MemCgroupRef, MemEvents, MemcgEventHook, MemcgEventView,
    MemoryMachine, NoEventHook, PAGEVEC_SIZE,
};
pub use memcontrol::{MemCgroup, MemStat, MemcgId};
pub use memcontrol_v2::{MemFileV2, MemcgEvent};
pub use mm::{FileId, ShmId};
pub use oom::{OOM_DISABLE, OOM_SCORE_ADJ_MIN, OomNamer};
pub use page::{LruList, Page};
pub use profile::{MemcgProfile, OfflineCharges, OomReport, ThresholdCheck};
pub use swapfile::{SWAP_DEVICE, SwapArea};
pub use vmscan::{DEF_PRIORITY, SWAP_CLUSTER_MAX, VMPRESSURE_LEVEL_CRITICAL_PRIO, VMPRESSURE_WIN};

/// The SEED machine: res_counter with a spinlock per level (`mm/memcontrol.c`, v2.6.34).
pub type SeedMachine<T> = MemoryMachine<cgsim_counters::SpinResCounter, T>;
