//! The page allocator: the zone's free frames, allocation with global reclaim and the global
//! OOM killer as fallbacks, and freeing.
//!
//! **Kernel:** `mm/page_alloc.c` `__alloc_pages_nodemask`, `__alloc_pages_slowpath`,
//! `free_hot_cold_page`, `nr_free_pages`, v2.6.34.

use crate::counter_ext::MemCounter;
use crate::machine::{FaultError, MemoryMachine, World};
use crate::page::{LruVec, PG_FREE, Page, PageFrame, Pfn};
use cgsim_ktypes::trace::Tracer;
use cgsim_ktypes::{CpuId, Errno, Pid};
use parking_lot::Mutex;

/// The one memory zone (`ZONE_NORMAL`): every frame's `struct page`, the free list and the
/// LRU lists of pages charged to no memcg.
///
/// **Kernel:** `struct zone` (`include/linux/mmzone.h`, v2.6.34) with its `free_area` under
/// `zone->lock` and its `lru[]` lists; `mem_map` for the frames.
/// **Differences:** one flat free list, no buddy orders (every allocation is one page).
pub(crate) struct Zone {
    pub(crate) pages: Vec<PageFrame>,
    /// The buddy allocator's free frames (`zone->free_area` under `zone->lock`); the fast path
    /// takes and returns them in batches through each CPU's `pcp` list.
    pub(crate) free: Mutex<Vec<Pfn>>,
    /// Pages charged to no memcg (2.6.25 force_empty, bypassed charges).
    pub(crate) orphan_lru: LruVec,
}

/// Global reclaim rounds before the global OOM killer runs.
const MEM_GLOBAL_RETRIES: usize = 3;

impl<C: MemCounter> World<C> {
    /// Allocate a frame, reclaiming globally when none is free (`__alloc_pages` slow path).
    /// `None` when global reclaim and the global OOM killer could not free one.
    pub(crate) fn alloc_page<T: Tracer>(&mut self, t: &T, cpu: CpuId, pid: Pid) -> Option<Pfn> {
        if let Some(p) = self.zone.free.get_mut().pop() {
            return Some(p);
        }
        for _ in 0..MEM_GLOBAL_RETRIES {
            if self.shrink_global(t, cpu) > 0
                && let Some(p) = self.zone.free.get_mut().pop()
            {
                return Some(p);
            }
        }
        // Global OOM: kill something and try once more.
        if self.global_oom(t, cpu, pid)
            && let Some(p) = self.zone.free.get_mut().pop()
        {
            return Some(p);
        }
        None
    }

    /// `alloc_page` in a fault of `pid`: the global OOM killer may choose `pid` itself.
    pub(crate) fn alloc_user_page<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Pid,
    ) -> Result<Pfn, FaultError> {
        let pfn = self.alloc_page(t, cpu, pid);
        let alive = self.tasks.get(&pid).is_some_and(|t| !t.memdie);
        match (pfn, alive) {
            (Some(p), true) => Ok(p),
            (Some(p), false) => {
                self.zone.free.get_mut().push(p);
                Err(FaultError::OomKilled)
            }
            (None, true) => Err(FaultError::Errno(Errno::ENOMEM)),
            (None, false) => Err(FaultError::OomKilled),
        }
    }

    pub(crate) fn free_page(&mut self, pfn: Pfn) {
        debug_assert!(!self.zone.pages[pfn.index()].has(PG_FREE));
        self.zone.pages[pfn.index()].store(Page::FREE);
        self.zone.free.get_mut().push(pfn);
    }
}

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// Free page frames (`nr_free_pages`).
    pub fn nr_free_pages(&self) -> u64 {
        self.lock().zone.free.get_mut().len() as u64
    }
}
