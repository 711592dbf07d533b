//! Dirty-page throttling with cgroup writeback on the 6.6 machine: a task that dirties page
//! cache in a memcg whose `memory.high`/`memory.max` is small has the memcg's dirty pages
//! written back once they pass the memcg's background threshold, so that reclaim above the
//! limit meets clean pages it can free rather than dirty ones it can only start writing.
//!
//! **Kernel:** `mm/page-writeback.c` v6.6: `balance_dirty_pages_ratelimited` (the per-task
//! `nr_dirtied`/`nr_dirtied_pause` rate limit, 32 pages at first), `balance_dirty_pages` with
//! the memcg writeback domain (`mdtc`), `mdtc_calc_avail`, `domain_dirty_limits`
//! (`vm.dirty_ratio` 20, `vm.dirty_background_ratio` 10), `dirty_freerun_ceiling`,
//! `dirty_poll_interval`, `wb_over_bg_thresh`; `mm/memcontrol.c` v6.6 `mem_cgroup_wb_stats`
//! (file LRU pages, dirty pages, and the headroom `min(max, high) - usage` over the memcg and
//! its ancestors below the root). Per-memcg dirty limits came with cgroup writeback in 4.2, on
//! the default hierarchy only (`inode_cgwb_enabled`), so the older presets and a memcg on a
//! v1 hierarchy keep their behaviour: nothing is written back until reclaim meets it.
//!
//! The memcg domain: `avail = filepages + min(headroom, other_clean)`, `thresh = avail * 20%`,
//! `bg_thresh = avail * 10%`. While the memcg's dirty pages stay at or below the free-run
//! ceiling `(thresh + bg_thresh) / 2` the writer runs free and looks again after
//! `dirty_poll_interval` more pages (`1 << (ilog2(ceiling - dirty) / 2)`). Above it the writer
//! kicks the flusher (`wb_start_background_writeback`), which writes the memcg's dirty pages
//! back, oldest first, while `wb_over_bg_thresh` holds (dirty above `bg_thresh`).
//!
//! **Differences:**
//! * Writeback is instantaneous and costs no simulated time: the flusher's work is done in the
//!   writer's call, so by the time the kernel's writer would have paused (`pos_ratio`,
//!   `dirty_ratelimit`, at most `MAX_PAUSE` 200 ms per pass) its memcg is back below the
//!   background threshold; there is no pause, no `file_writeback` (pages are never seen under
//!   writeback), no write-bandwidth estimate and no `dirty_exceeded` rate limit of 8 pages.
//! * Only the memcg domain is modelled; the global domain (`gdtc`, 20% of all dirtyable
//!   memory) is not, so a writer in the root cgroup is never throttled, and `other_clean`
//!   (the machine's clean file pages outside the memcg) is taken as the free pages.
//! * The files are the simulator's page cache of regular files, which stands for a
//!   disk-backed filesystem (tmpfs itself has no writeback in the kernel).
//! * Reclaim is unchanged: a dirty page it still meets is "written" and rotated as in
//!   `vmscan.rs` (6.6's direct reclaim would activate it and leave it to the flusher).

use crate::counter_ext::MemCounter;
use crate::machine::World;
use crate::memcontrol::MemcgSlot;
use crate::page::{LruList, NIL, PG_ANON, PG_DIRTY, PG_SHMEM, Pfn};
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{CpuId, Pid};
use std::collections::BTreeMap;

/// `vm_dirty_ratio` (`mm/page-writeback.c`, v6.6): the default `vm.dirty_ratio`.
pub const VM_DIRTY_RATIO: u64 = 20;
/// `dirty_background_ratio`: the default `vm.dirty_background_ratio`.
pub const DIRTY_BACKGROUND_RATIO: u64 = 10;
/// `init_task.nr_dirtied_pause` (`128 >> (PAGE_SHIFT - 10)`): a task's first rate limit.
pub const INITIAL_DIRTIED_PAUSE: u64 = 32;

/// The writeback state the kernel keeps in `task_struct` (`nr_dirtied`, `nr_dirtied_pause`)
/// and in each memcg's `bdi_writeback` (whether cgroup writeback applies to it).
#[derive(Debug, Default)]
pub(crate) struct DirtyThrottle {
    /// Per task: pages dirtied since its last `balance_dirty_pages`, and its rate limit.
    tasks: BTreeMap<Pid, (u64, u64)>,
    /// Per memcg slot: the memcg is on the default hierarchy, so it has its own `wb` and
    /// writeback domain (set when the css is created, `false` for a v1 memcg).
    cgwb: Vec<bool>,
}

/// A memcg writeback domain's numbers (`struct dirty_throttle_control`), in pages.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct DirtyLimits {
    /// `avail`: the memory dirty pages may take a share of.
    pub avail: u64,
    /// `dirty`: dirty (and under-writeback) file pages.
    pub dirty: u64,
    /// `thresh`: `vm.dirty_ratio` of `avail`.
    pub thresh: u64,
    /// `bg_thresh`: `vm.dirty_background_ratio` of `avail`.
    pub bg_thresh: u64,
}

impl DirtyLimits {
    /// `mdtc_calc_avail` + `domain_dirty_limits` for a memcg with `filepages` file LRU pages,
    /// `dirty` of them dirty, `headroom` pages below its tightest limit and `other_clean`
    /// clean pages elsewhere.
    pub fn compute(filepages: u64, dirty: u64, headroom: u64, other_clean: u64) -> DirtyLimits {
        let avail = filepages + headroom.min(other_clean);
        let thresh = avail * VM_DIRTY_RATIO / 100;
        let mut bg_thresh = avail * DIRTY_BACKGROUND_RATIO / 100;
        if bg_thresh >= thresh {
            bg_thresh = thresh / 2;
        }
        DirtyLimits {
            avail,
            dirty,
            thresh,
            bg_thresh,
        }
    }

    /// `dirty_freerun_ceiling(thresh, bg_thresh)`.
    pub fn freerun(&self) -> u64 {
        (self.thresh + self.bg_thresh) / 2
    }
}

/// `dirty_poll_interval(dirty, thresh)`: how many pages a task may dirty before it looks again.
pub fn dirty_poll_interval(dirty: u64, thresh: u64) -> u64 {
    if thresh > dirty {
        1 << ((thresh - dirty).ilog2() >> 1)
    } else {
        1
    }
}

impl<C: MemCounter> World<C> {
    /// Whether `s` has its own writeback domain: the 6.6 machine (protected counters) and a
    /// memcg on the default hierarchy other than the root (the root's `wb` is the bdi's).
    fn has_cgwb(&self, s: MemcgSlot) -> bool {
        s != MemcgSlot::ROOT
            && self.dirty.cgwb.get(s.index()).copied().unwrap_or(false)
            && self.mc(s).counters.res.as_protected().is_some()
    }

    /// Record whether memcg `s` is on the default hierarchy (cgroup writeback applies).
    pub(crate) fn set_cgwb(&mut self, s: MemcgSlot, on: bool) {
        let i = s.index();
        if self.dirty.cgwb.len() <= i {
            self.dirty.cgwb.resize(i + 1, false);
        }
        self.dirty.cgwb[i] = on;
    }

    /// `mem_cgroup_wb_stats` + the domain's limits for memcg `s`: file LRU pages and dirty
    /// file pages of its subtree, headroom below `min(memory.max, memory.high)` of it and
    /// every ancestor below the root.
    pub(crate) fn memcg_dirty_limits(&self, s: MemcgSlot) -> DirtyLimits {
        let (mut filepages, mut dirty) = (0u64, 0u64);
        for m in self.subtree(s) {
            let lru = self.mc(m).lru.lock();
            for l in [LruList::InactiveFile, LruList::ActiveFile] {
                filepages += lru.len(l);
                let mut p = lru.lists[l.index()].tail;
                while p != NIL {
                    let pg = self.zone.pages[p.index()].load();
                    dirty += u64::from(is_dirty_file(pg.flags));
                    p = self.zone.pages[p.index()].prev();
                }
            }
        }
        let mut headroom = u64::MAX;
        let mut m = s;
        while let Some(parent) = self.mc(m).parent {
            if let Some(c) = self.mc(m).counters.res.as_protected() {
                let ceiling = c.max().0.min(c.high().0);
                headroom = headroom.min(ceiling.saturating_sub(c.read().0));
            }
            m = parent;
        }
        let other_clean = self.zone.free.lock().len() as u64;
        DirtyLimits::compute(filepages, dirty, headroom, other_clean)
    }

    /// `balance_dirty_pages_ratelimited` after `pid` dirtied one more page of a file: every
    /// `nr_dirtied_pause` pages, `balance_dirty_pages` for the task's memcg domain.
    pub(crate) fn balance_dirty_pages_ratelimited<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Pid,
    ) {
        let Some(s) = self.tasks.get(&pid).map(|t| t.memcg) else {
            return;
        };
        if !self.has_cgwb(s) {
            return;
        }
        let e = self
            .dirty
            .tasks
            .entry(pid)
            .or_insert((0, INITIAL_DIRTIED_PAUSE));
        e.0 += 1;
        if e.0 < e.1 {
            return;
        }
        self.balance_dirty_pages(t, cpu, pid, s);
    }

    /// `balance_dirty_pages` for the memcg domain of `s`: above the free-run ceiling the
    /// flusher writes the memcg's oldest dirty pages back until `wb_over_bg_thresh` no longer
    /// holds; then the task runs free for `dirty_poll_interval` pages.
    fn balance_dirty_pages<T: Tracer>(&mut self, t: &T, cpu: CpuId, pid: Pid, s: MemcgSlot) {
        let _f = trace::func(t, cpu, "balance_dirty_pages");
        let mut lim = self.memcg_dirty_limits(s);
        if lim.dirty > lim.freerun() {
            // wb_start_background_writeback: the flusher runs while wb_over_bg_thresh.
            let _g = trace::func(t, cpu, "wb_writeback");
            let want = lim.dirty - lim.bg_thresh;
            let cleaned = self.writeback_oldest(s, want);
            lim.dirty -= cleaned;
        }
        let pause = dirty_poll_interval(lim.dirty, lim.freerun());
        self.dirty.tasks.insert(pid, (0, pause));
    }

    /// Write back (clean) up to `n` dirty file pages of `s`'s subtree, each memcg's inactive
    /// list from its tail first, then its active list: the pages dirtied longest ago.
    fn writeback_oldest(&mut self, s: MemcgSlot, n: u64) -> u64 {
        let mut done = 0;
        let mut todo: Vec<Pfn> = Vec::new();
        for m in self.subtree(s) {
            let lru = self.mc(m).lru.lock();
            for l in [LruList::InactiveFile, LruList::ActiveFile] {
                let mut p = lru.lists[l.index()].tail;
                while p != NIL && done < n {
                    if is_dirty_file(self.zone.pages[p.index()].load().flags) {
                        todo.push(p);
                        done += 1;
                    }
                    p = self.zone.pages[p.index()].prev();
                }
            }
        }
        for p in todo {
            self.zone.pages[p.index()].clear(PG_DIRTY);
        }
        done
    }
}

fn is_dirty_file(flags: u16) -> bool {
    flags & PG_DIRTY != 0 && flags & (PG_ANON | PG_SHMEM) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_the_default_ratios() {
        // 30M of file pages at memory.high 30M: no headroom, so 20% / 10% of the file pages.
        let l = DirtyLimits::compute(7680, 2000, 0, 100_000);
        assert_eq!((l.avail, l.thresh, l.bg_thresh), (7680, 1536, 768));
        assert_eq!(l.freerun(), 1152);
        // Headroom counts up to the clean pages elsewhere.
        let l = DirtyLimits::compute(1000, 0, 5000, 2000);
        assert_eq!(l.avail, 3000);
    }

    #[test]
    fn poll_interval_is_the_square_root_of_the_distance() {
        assert_eq!(dirty_poll_interval(0, 1152), 32);
        assert_eq!(dirty_poll_interval(1100, 1152), 4);
        assert_eq!(dirty_poll_interval(2000, 1152), 1);
    }
}
