//! `struct mem_cgroup`: the memory controller's per-cgroup state.
//!
//! **Kernel:** `mm/memcontrol.c` `struct mem_cgroup`, `struct mem_cgroup_stat`,
//! `mem_cgroup_create`, `mem_cgroup_destroy`, 2.6.34 with the 2.6.35 OOM fields (`mm/memcontrol.c` `struct mem_cgroup`).
//!
//! # container_of
//!
//! In the kernel, `struct mem_cgroup` begins with its `struct cgroup_subsys_state css`, and
//! `mem_cgroup_from_cont(cgrp)` is `container_of(cgrp->subsys[mem_cgroup_subsys_id], struct
//! mem_cgroup, css)`. Here the cgroup core allocates the css and stores the object `create`
//! returned in the css's `private` slot. memcg returns a [`MemCgroupRef`](crate::MemCgroupRef)
//! (machine handle + [`MemcgId`]), and the [`MemCgroup`] it names keeps the css in its own
//! [`css`](MemCgroup::css) field, so both directions are one step:
//!
//! ```text
//!   CgroupSubsysState (css) --private--> MemCgroupRef { id } --machine.memcg(id)--> MemCgroup
//!            ^                                                                        |
//!            +------------------------------ MemCgroup::css -------------------------+
//! ```
//!
//! **Locking:** every field is protected by the machine's `world` lock (see `machine.rs`);
//! the counters are `Arc`s of the counters crate with their own per-level locks or atomics.

use crate::page::LruVec;
use cgsim_counters::{Counter, StockTarget, Underflow};
use cgsim_ktypes::Pages;
use parking_lot::Mutex;
use std::any::Any;
use std::sync::Arc;

/// A memcg, named by slot (the css id stand-in, ≤ 65534) and generation. A stale id (removed
/// memcg) is refused with ENODEV / ESRCH by every API taking it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemcgId {
    pub slot: u16,
    pub generation: u32,
}

impl MemcgId {
    /// The root memcg (slot 0, created at boot).
    pub const ROOT: MemcgId = MemcgId {
        slot: 0,
        generation: 1,
    };
}

impl std::fmt::Display for MemcgId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "memcg{}", self.slot)
    }
}

/// The two counters of a memcg: `res` (memory) and `memsw` (memory + swap, 2.6.29+).
///
/// **Kernel:** `struct mem_cgroup { struct res_counter res; struct res_counter memsw; }`.
/// This is the object a per-CPU stock caches (`stock->cached`): draining returns pages to both.
pub struct MemCounters<C> {
    pub res: Arc<C>,
    /// `None` when swap accounting is off (`do_swap_account == 0`).
    pub memsw: Option<Arc<C>>,
}

impl<C: Counter> StockTarget for MemCounters<C> {
    fn stock_uncharge(&self, nr: Pages) -> Result<(), Underflow> {
        let r = self
            .res
            .uncharge(nr, &cgsim_ktypes::NoTrace, cgsim_ktypes::CpuId(0));
        if let Some(m) = &self.memsw {
            m.uncharge(nr, &cgsim_ktypes::NoTrace, cgsim_ktypes::CpuId(0))?;
        }
        r
    }
}

/// `struct mem_cgroup_stat` (2.6.34 `MEM_CGROUP_STAT_*`), in pages or events.
#[doc(alias = "mem_cgroup_stat")]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct MemStat {
    /// `MEM_CGROUP_STAT_CACHE`: charged page-cache and shmem pages.
    pub cache: i64,
    /// `MEM_CGROUP_STAT_RSS`: charged anonymous pages.
    pub rss: i64,
    /// `MEM_CGROUP_STAT_FILE_MAPPED`: charged cache pages mapped by some process.
    pub mapped_file: i64,
    /// `MEM_CGROUP_STAT_PGPGIN_COUNT`: charge events.
    pub pgpgin: u64,
    /// `MEM_CGROUP_STAT_PGPGOUT_COUNT`: uncharge events.
    pub pgpgout: u64,
    /// `MEM_CGROUP_STAT_SWAPOUT`: swap entries whose swap_cgroup is this memcg.
    pub swap: i64,
}

/// `struct mem_cgroup`.
///
/// **Kernel:** `mm/memcontrol.c` 2.6.34/2.6.35 (`struct mem_cgroup`).
/// **Differences:** the per-zone info is one `LruVec` (one zone); per-CPU statistics are one
/// [`MemStat`] (all updates happen under the machine lock); `parent`/`children` mirror the cgroup
/// tree of the memory hierarchy (the kernel asks the cgroup core).
/// **Invariants:** (checked by `MemoryMachine::check_invariants`)
/// 1. `lru.total()` + pages of this memcg in pagevecs == `stat.cache + stat.rss`.
/// 2. For a non-root memcg (or any memcg with `root_charged`) and no stock:
///    `res.usage == (cache + rss) * PAGE_SIZE`, `memsw.usage == (cache + rss + swap) * PAGE_SIZE`
///    summed over the memcg and, with `use_hierarchy`, its descendants.
#[doc(alias = "mem_cgroup")]
pub struct MemCgroup<C> {
    pub(crate) id: MemcgId,
    pub(crate) parent: Option<u16>,
    pub(crate) children: Vec<u16>,
    pub(crate) counters: Arc<MemCounters<C>>,
    /// The LRU lists, under their own lock (`zone->lru_lock`, per memcg here): the fast path
    /// links a pagevec's pages and unlinks freed ones under it.
    pub(crate) lru: Mutex<LruVec>,
    pub(crate) stat: MemStat,
    pub(crate) use_hierarchy: bool,
    pub(crate) swappiness: u64,
    pub(crate) move_charge_at_immigrate: u64,
    pub(crate) oom_kill_disable: bool,
    pub(crate) under_oom: u64,
    pub(crate) oom_lock: bool,
    pub(crate) oom_kill: u64,
    pub(crate) memsw_is_minimum: bool,
    pub(crate) last_scanned_child: u16,
    /// Tasks whose memory cgroup this is (`cgroup_task_count`).
    pub(crate) nr_tasks: usize,
    /// The cgroup-v2 state: event counters, `oom.group`, swap settings (6.6).
    pub(crate) v2: crate::memcontrol_v2::V2Memcg,
    /// The embedded css (a `cgsim_cgroup::CssRef` once the subsystem is registered).
    pub css: Option<Arc<dyn Any + Send + Sync>>,
}

impl<C: Counter> MemCgroup<C> {
    /// This memcg's id.
    pub fn id(&self) -> MemcgId {
        self.id
    }

    /// The memory counter (`mem->res`).
    pub fn res(&self) -> &Arc<C> {
        &self.counters.res
    }

    /// The memory+swap counter (`mem->memsw`), `None` without swap accounting.
    pub fn memsw(&self) -> Option<&Arc<C>> {
        self.counters.memsw.as_ref()
    }

    /// The statistics (pages).
    pub fn stat(&self) -> MemStat {
        self.stat
    }

    /// Whether this is the root memcg.
    pub fn is_root(&self) -> bool {
        self.parent.is_none()
    }

    /// `memory.use_hierarchy`.
    pub fn use_hierarchy(&self) -> bool {
        self.use_hierarchy
    }

    /// `under_oom` as `memory.oom_control` prints it.
    pub fn under_oom(&self) -> bool {
        self.under_oom > 0
    }

    /// `memory.oom_control`'s `oom_kill_disable`.
    pub fn oom_kill_disable(&self) -> bool {
        self.oom_kill_disable
    }

    /// Pages on each LRU list (`MEM_CGROUP_ZSTAT`).
    pub fn lru_pages(&self, l: crate::page::LruList) -> u64 {
        self.lru.lock().len(l)
    }
}
