//! Per-CPU state: each simulated CPU's pagevec, charge stock, cache of free frames and
//! statistics deltas.
//!
//! **Kernel:** `mm/swap.c` `lru_add_pvecs`, `mm/memcontrol.c` `memcg_stock` and
//! `mem_cgroup_stat_cpu`, `mm/page_alloc.c` `struct per_cpu_pages` (`pcp`), all v2.6.34.

use crate::counter_ext::MemCounter;
use crate::machine::{MemoryMachine, World};
use crate::memcontrol::MemcgSlot;
use crate::memcontrol::{MemCounters, MemcgId};
use crate::page::{NO_MEMCG, Pfn};
use crate::swap::Pagevec;
use arrayvec::ArrayVec;
use cgsim_counters::MemcgStock;
use cgsim_ktypes::trace::Tracer;
use cgsim_ktypes::{CpuId, Pages};
use crossbeam_utils::CachePadded;
use std::sync::Arc;

/// A spinning lock for the per-mm state the fast path takes on every call (the world lock's
/// per-CPU shards are the same kind of lock, `sharded_lock.rs`): one locked instruction to take
/// and a plain store to release (as `spin_lock` in the kernel), where a parking mutex needs a
/// second locked instruction to release. A waiter yields its host
/// thread between attempts: unlike the kernel's, the holder may be preempted.
pub(crate) type SpinLock<T> = spin::mutex::SpinMutex<T, spin::relax::Yield>;

/// One CPU's private state (`this_cpu` data): its pagevec, charge stock, cache of free frames
/// and statistics deltas.
///
/// **Kernel:** `lru_add_pvecs`, `memcg_stock`, the zone's per-CPU page lists (`pcp`), and
/// `mem_cgroup_stat_cpu` (2.6.34: per-CPU statistics summed when read).
/// **Locking:** each CPU's state sits in that CPU's shard of the world lock
/// (`sharded_lock.rs`); the fault fast path holds the shard for a whole call, as the kernel runs
/// with preemption off. Slow paths hold the world's write side, which has moved every CPU's
/// state into `World::cpus`. Statistics deltas and cached frames are folded back into the world each
/// time the write side is taken, so slow paths read exact statistics and one free list.
///
/// The pagevec and the frame cache are arrays inside the state (boxed and cache-padded, so
/// the write side moves a pointer per CPU) and the deltas
/// are cache-padded: two CPUs' hot data never share a cache line.
pub(crate) struct CpuState<C: MemCounter> {
    pub(crate) pagevec: Pagevec,
    pub(crate) stock: MemcgStock<MemCounters<C>>,
    /// Free frames taken from the global list in batches of [`PCP_BATCH`], at most
    /// [`PCP_HIGH`] plus one batch.
    pub(crate) pcp: ArrayVec<Pfn, PCP_CAP>,
    /// The delta of the memcg this CPU charged or uncharged last (`stat_hot`; `NO_MEMCG`
    /// for none), kept at a fixed place so that a run of calls for one memcg finds it with
    /// one compare; a call for another memcg moves it to `stat`.
    pub(crate) stat_hot: MemcgSlot,
    pub(crate) stat_hot_delta: MemStatDelta,
    /// Statistics deltas by memcg slot, and the slots that have one.
    pub(crate) stat: Vec<CachePadded<MemStatDelta>>,
    pub(crate) stat_dirty: Vec<MemcgSlot>,
    /// Pages faulted in and zapped on the fast path by this CPU since boot.
    pub(crate) fast_faults: u64,
    pub(crate) fast_zaps: u64,
    /// The fast path found no uncharged page on `pagevec` since the world's write side was last
    /// taken: only the slow path (write side) puts uncharged pages on a pagevec or uncharges a
    /// page that is on one, and every write-side lock clears this ([`World::fold_cpus`]), while
    /// the fast path only adds charged pages and removes pages. So a fast-path call need not
    /// look at every pagevec entry again while this holds.
    pub(crate) pagevec_checked: bool,
}

/// `pcp->batch`: frames moved between a CPU's cache and the global free list at once.
pub(crate) const PCP_BATCH: usize = 31;
/// `pcp->high` (6 × batch, as `zone_batchsize`/`setup_pagelist_highmark` give on a typical
/// zone): a CPU's cache gives a batch back only above this, so a CPU that frees and allocates
/// in bursts keeps reusing its own frames.
pub(crate) const PCP_HIGH: usize = 6 * PCP_BATCH;
/// Room in a CPU's frame cache.
pub(crate) const PCP_CAP: usize = PCP_HIGH + PCP_BATCH;

/// What the fast path changes in a memcg's statistics (`mem_cgroup_charge_statistics`).
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct MemStatDelta {
    pub(crate) rss: i64,
    pub(crate) pgpgin: u64,
    pub(crate) pgpgout: u64,
    /// The slot is on `stat_dirty` (set by `CpuState::stat_slot`, cleared with the delta
    /// when it is folded).
    pub(crate) dirty: bool,
}

impl<C: MemCounter> CpuState<C> {
    pub(crate) fn new(stock_batch: Pages) -> Self {
        CpuState {
            pagevec: Pagevec::default(),
            stock: MemcgStock::new(stock_batch),
            pcp: ArrayVec::new(),
            stat_hot: NO_MEMCG,
            stat_hot_delta: MemStatDelta::default(),
            stat: Vec::new(),
            stat_dirty: Vec::new(),
            fast_faults: 0,
            fast_zaps: 0,
            pagevec_checked: false,
        }
    }

    /// This CPU's delta for memcg slot `s`. The fast path calls it once per fault call and
    /// once per uncharge batch slot of a zap, not per page: the kernel's per-CPU statistics
    /// (`mem_cgroup_charge_statistics`) are only summed when read, and nothing reads this
    /// CPU's deltas while its lock is held, so adding a call's pages at once is the same.
    #[inline]
    pub(crate) fn stat_mut(&mut self, s: MemcgSlot) -> &mut MemStatDelta {
        // The common case: the memcg of this CPU's last call.
        if self.stat_hot != s {
            self.stat_switch(s);
        }
        &mut self.stat_hot_delta
    }

    /// Make `s` the hot slot: the hot delta so far goes to its memcg's slot in `stat` (onto
    /// the dirty list), and `s` starts from zero (a delta it has in `stat` from before stays
    /// there: the fold adds both).
    #[cold]
    #[inline(never)]
    fn stat_switch(&mut self, s: MemcgSlot) {
        let old = std::mem::replace(&mut self.stat_hot, s);
        let hot = std::mem::take(&mut self.stat_hot_delta);
        if old != NO_MEMCG {
            let d = self.stat_slot(old);
            d.rss += hot.rss;
            d.pgpgin += hot.pgpgin;
            d.pgpgout += hot.pgpgout;
        }
    }

    /// `s`'s delta in `stat`, put on the dirty list.
    fn stat_slot(&mut self, s: MemcgSlot) -> &mut MemStatDelta {
        let i = s.index();
        if self.stat.len() <= i {
            self.stat
                .resize(i + 1, CachePadded::new(MemStatDelta::default()));
        }
        let d = &mut *self.stat[i];
        if !d.dirty {
            d.dirty = true;
            self.stat_dirty.push(s);
        }
        d
    }

    /// Every delta of this CPU, hot one included, taken out (for the fold).
    fn take_stats(&mut self) -> impl Iterator<Item = (MemcgSlot, MemStatDelta)> + '_ {
        let hot = std::mem::replace(&mut self.stat_hot, NO_MEMCG);
        let hot_delta = std::mem::take(&mut self.stat_hot_delta);
        let CpuState {
            stat, stat_dirty, ..
        } = self;
        (hot != NO_MEMCG)
            .then_some((hot, hot_delta))
            .into_iter()
            .chain(stat_dirty.drain(..).map(|s| {
                let d = std::mem::take(&mut *stat[s.index()]);
                (s, d)
            }))
    }
}

impl<C: MemCounter> World<C> {
    /// Fold every CPU's statistics deltas and cached free frames back into the world.
    pub(crate) fn fold_cpus(&mut self) {
        for cpu in self.cpus.iter_mut() {
            let cs = &mut ***cpu;
            cs.pagevec_checked = false;
            for (s, d) in cs.take_stats() {
                if let Some(m) = self.memcgs.slots[s.index()].as_mut() {
                    m.stat.rss += d.rss;
                    m.stat.pgpgin += d.pgpgin;
                    // Every page the fast path charges is a new anonymous page it faulted in
                    // (`pgpgin` of the delta counts nothing else), one `PGFAULT` each.
                    m.vm_events.0[crate::vm_events::VmEvent::Pgfault as usize] += d.pgpgin;
                    m.stat.pgpgout += d.pgpgout;
                }
            }
            self.zone.free.get_mut().extend(cs.pcp.drain(..));
        }
    }
}

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// CPU `cpu`'s charge stock (`memcg_stock_pcp`): the memcg it caches and the pre-charged
    /// pages left, `None` when empty (always with `memcg.stock_pages = 0`).
    pub fn cpu_stock(&self, cpu: CpuId) -> Option<(MemcgId, Pages)> {
        let w = self.lock();
        let c = cpu.index() % w.cpus.len();
        let st = &w.cpus[c].stock;
        let cached = Arc::clone(st.cached()?);
        let nr = st.nr_pages();
        w.memcgs
            .slots
            .iter()
            .flatten()
            .find(|m| Arc::ptr_eq(&m.counters, &cached))
            .map(|m| (m.id, nr))
    }

    /// Pages faulted in and pages zapped on the fault fast path since boot, summed over the
    /// CPUs (the rest went through the slow path; see `fastpath.rs` for when).
    pub fn fast_path_pages(&self) -> (u64, u64) {
        let w = self.lock();
        w.cpus
            .iter()
            .fold((0, 0), |(f, z), c| (f + c.fast_faults, z + c.fast_zaps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cgsim_counters::SpinResCounter;
    use std::collections::BTreeMap;

    /// Deltas added through the hot slot and through `stat`, in any order of memcgs, fold to
    /// the same sums per memcg as adding each call's pages to its memcg directly.
    #[test]
    fn hot_delta_and_vector_fold_to_the_per_memcg_sums() {
        let mut cpu = CpuState::<SpinResCounter>::new(Pages(32));
        let calls = [
            (1u16, 3i64),
            (1, -1),
            (2, 5),
            (1, 2),
            (3, 1),
            (2, -4),
            (2, 1),
            (1, -4),
        ];
        let mut want: BTreeMap<u16, (i64, u64, u64)> = BTreeMap::new();
        for &(s, n) in &calls {
            let d = cpu.stat_mut(MemcgSlot(s));
            d.rss += n;
            if n > 0 {
                d.pgpgin += n as u64;
            } else {
                d.pgpgout += (-n) as u64;
            }
            let w = want.entry(s).or_default();
            w.0 += n;
            if n > 0 {
                w.1 += n as u64;
            } else {
                w.2 += (-n) as u64;
            }
        }
        let mut got: BTreeMap<u16, (i64, u64, u64)> = BTreeMap::new();
        for (s, d) in cpu.take_stats() {
            let g = got.entry(s.0).or_default();
            g.0 += d.rss;
            g.1 += d.pgpgin;
            g.2 += d.pgpgout;
        }
        assert_eq!(got, want);
        // Everything was taken: a second fold finds nothing.
        assert_eq!(cpu.take_stats().count(), 0);
        assert!(
            cpu.stat
                .iter()
                .all(|d| d.rss == 0 && d.pgpgin == 0 && d.pgpgout == 0)
        );
    }
}
