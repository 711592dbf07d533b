//! Reclaim: `try_to_free_mem_cgroup_pages`, `mem_cgroup_hierarchical_reclaim` and global reclaim
//! with soft limits.
//!
//! **Kernel:** `mm/vmscan.c` `do_try_to_free_pages`, `shrink_zone`, `shrink_list`,
//! `shrink_active_list`, `shrink_inactive_list`, `shrink_page_list`, `get_scan_ratio`,
//! `inactive_anon_is_low`, `inactive_file_is_low`; `mm/memcontrol.c`
//! `mem_cgroup_hierarchical_reclaim`, `mem_cgroup_select_victim`, `mem_cgroup_soft_limit_reclaim`
//! (2.6.34; `mm/memcontrol.c` `mem_cgroup_hierarchical_reclaim`, `mem_cgroup_soft_limit_reclaim`; `mm/vmscan.c` `try_to_free_mem_cgroup_pages`, `shrink_zone`).
//!
//! **Differences:**
//! - One zone; no `nr_saved_scan` batching and no `recent_scanned/recent_rotated` feedback in
//!   the anon/file ratio (both taken as equal), so the ratio is `swappiness + 1 : 201 - swappiness`.
//! - Writeback is instantaneous: a dirty file page met at the tail of the inactive list is cleaned
//!   and rotated (freed on a later pass), never freed in the same pass.
//! - Memcg reclaim drains the reclaiming CPU's pagevec first (`lru_add_drain`, as
//!   `shrink_active_list`/`shrink_inactive_list` do), so pages another CPU faulted in a moment
//!   ago are out of its reach, as in the kernel; global reclaim drains every CPU's pagevec.
//! - Mapped shmem pages are unmapped from every mm through a side reverse map.

use crate::counter_ext::MemCounter;
use crate::machine::World;
use crate::memcontrol::MemcgSlot;
use crate::mm::{CacheSlot, Pte};
use crate::page::{
    self, LruList, NO_MEMCG, PG_ACTIVE, PG_ANON, PG_DIRTY, PG_FOLIO_REFERENCED, PG_REFERENCED,
    PG_SHMEM, Pfn,
};
use crate::vm_events::VmEvent;
use cgsim_counters::ChargeStock;
use cgsim_ktypes::CpuId;
use cgsim_ktypes::trace::{self, Tracer};

/// `SWAP_CLUSTER_MAX` (`include/linux/swap.h`, v2.6.34).
pub const SWAP_CLUSTER_MAX: u64 = 32;
/// `DEF_PRIORITY` (`include/linux/mmzone.h`, v2.6.34).
pub const DEF_PRIORITY: u32 = 12;

/// `vmpressure_win`: pages scanned per pressure sample (`SWAP_CLUSTER_MAX * 16`, 3.10).
pub const VMPRESSURE_WIN: u64 = 512;

/// `vmpressure_level_critical_prio`: `ilog2(100 / 10)`, the reclaim priority from which
/// pressure is critical (3.10).
pub const VMPRESSURE_LEVEL_CRITICAL_PRIO: u32 = 3;

/// Which LRU vector a scan works on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum LruOwner {
    Memcg(MemcgSlot),
    /// Uncharged pages (only global reclaim scans them).
    Orphan,
}

/// What one reclaim pass may do and how much it wants.
///
/// **Kernel:** `struct scan_control` (`mm/vmscan.c`, v2.6.34): `may_swap`, `swappiness`,
/// `nr_to_reclaim`. **Differences:** the pass's priority stays an argument of `shrink_zone`, as
/// in 2.6.34 (it moved into `scan_control` in 3.x); the counts `nr_scanned`/`nr_reclaimed` are
/// return values and `World::reclaim`.
#[derive(Copy, Clone, Debug)]
pub(crate) struct ScanControl {
    pub(crate) may_swap: bool,
    pub(crate) swappiness: u64,
    pub(crate) nr_to_reclaim: u64,
}

/// `get_scan_ratio` (2.6.34): the percentage of the scan that goes to the anon lists: none
/// without swap, else `swappiness + 1 : 201 - swappiness` (the recent-rotation feedback taken
/// as equal).
pub(crate) fn anon_scan_percent(can_swap: bool, swappiness: u64) -> u64 {
    if can_swap {
        let ap = swappiness + 1;
        let fp = 201 - swappiness.min(200);
        100 * ap / (ap + fp + 1)
    } else {
        0
    }
}

impl<C: MemCounter> World<C> {
    /// The length of one list (the write side is held: no lock needed).
    pub(crate) fn lru_len(&mut self, o: LruOwner, l: LruList) -> u64 {
        match o {
            LruOwner::Memcg(s) => self.mc_mut(s).lru.get_mut().len(l),
            LruOwner::Orphan => self.zone.orphan_lru.len(l),
        }
    }

    /// `try_to_free_mem_cgroup_pages(mem, gfp, noswap, swappiness)`: priority 12 down to 0 over
    /// `mem`'s own lists, stopping once `SWAP_CLUSTER_MAX` pages were reclaimed. Returns the
    /// number reclaimed.
    #[doc(alias = "do_try_to_free_pages")]
    pub(crate) fn try_to_free_mem_cgroup_pages<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        mem: MemcgSlot,
        noswap: bool,
        swappiness: u64,
    ) -> u64 {
        let _f = trace::func(t, cpu, "try_to_free_mem_cgroup_pages");
        // shrink_active_list and shrink_inactive_list begin with lru_add_drain(): only the
        // reclaiming CPU's pagevec is flushed, so pages another CPU faulted in a moment ago
        // stay out of reach until that CPU drains (`mm/vmscan.c`, v2.6.35).
        self.lru_add_drain(cpu);
        let target = self.reclaim.target.unwrap_or(mem);
        let mut reclaimed = 0;
        for priority in (0..=DEF_PRIORITY).rev() {
            self.vmpressure_prio(target, priority);
            let scanned = self.reclaim.scanned;
            let sc = ScanControl {
                may_swap: !noswap,
                swappiness,
                nr_to_reclaim: SWAP_CLUSTER_MAX - reclaimed.min(SWAP_CLUSTER_MAX),
            };
            let r = self.shrink_zone(t, cpu, LruOwner::Memcg(mem), priority, &sc);
            reclaimed += r;
            self.vmpressure(target, self.reclaim.scanned - scanned, r);
            if reclaimed >= SWAP_CLUSTER_MAX {
                break;
            }
        }
        reclaimed
    }

    /// `shrink_zone` for one LRU vector at one priority. Returns pages reclaimed.
    pub(crate) fn shrink_zone<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        o: LruOwner,
        priority: u32,
        sc: &ScanControl,
    ) -> u64 {
        let ScanControl {
            may_swap,
            swappiness,
            nr_to_reclaim,
        } = *sc;
        let _f = trace::func(t, cpu, "shrink_zone");
        let can_swap = may_swap && self.swap_writable() && self.v2_swap_headroom(o);
        let anon_pct = anon_scan_percent(can_swap, swappiness);
        let mut nr = [0u64; 4];
        for l in LruList::ALL_EVICTABLE {
            let pct = if l.is_file() {
                100 - anon_pct
            } else {
                anon_pct
            };
            let mut scan = self.lru_len(o, l);
            if priority > 0 || !can_swap {
                scan >>= priority;
                scan = scan * pct / 100;
            }
            nr[l.index()] = scan;
        }
        // At priority p a list of n pages contributes n >> p to the scan (`mm/vmscan.c` `get_scan_count`, v2.6.34), so small
        // lists are skipped until the priority has dropped far enough.
        if T::ENABLED && t.is_on() {
            let total: u64 = LruList::ALL_EVICTABLE
                .iter()
                .map(|&l| self.lru_len(o, l))
                .sum();
            trace::comment(t, cpu, || {
                format!(
                    "priority {priority}: scan {} of {total} pages",
                    nr.iter().sum::<u64>()
                )
            });
        }
        self.shrink_scan_targets(t, cpu, o, nr, can_swap, |r| {
            r >= nr_to_reclaim && priority < DEF_PRIORITY
        })
    }

    /// The scanning half of `shrink_zone` (6.6: `shrink_lruvec`): take `nr[list]` pages from
    /// each evictable list, `SWAP_CLUSTER_MAX` at a time in turn, until the targets are spent
    /// or `done(reclaimed)` says enough was reclaimed; then age the active anon list if the
    /// inactive one is low. Returns the pages reclaimed.
    pub(crate) fn shrink_scan_targets<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        o: LruOwner,
        mut nr: [u64; 4],
        can_swap: bool,
        done: impl Fn(u64) -> bool,
    ) -> u64 {
        let mut reclaimed = 0;
        while nr.iter().any(|&n| n > 0) {
            for l in LruList::ALL_EVICTABLE {
                let n = nr[l.index()].min(SWAP_CLUSTER_MAX);
                if n == 0 {
                    continue;
                }
                nr[l.index()] -= n;
                reclaimed += self.shrink_list(t, cpu, o, l, n, can_swap);
            }
            if done(reclaimed) {
                break;
            }
        }
        // Keep the anon lists balanced even when anon was not scanned.
        if can_swap && self.inactive_is_low(o, false) {
            self.shrink_active_list(t, cpu, o, LruList::ActiveAnon, SWAP_CLUSTER_MAX);
        }
        reclaimed
    }

    /// 6.6 `can_reclaim_anon_pages` for a memcg on the v2 counter: whether
    /// `mem_cgroup_get_nr_swap_pages` (the smallest `swap.max - swap usage` of the memcg and
    /// its ancestors below the root) leaves room for a page. Without it `get_scan_count`
    /// scans the file lists only (`SCAN_FILE`), so anonymous pages are not even scanned under
    /// `memory.swap.max` 0. Always true for the older counters (memsw accounts swap there).
    pub(crate) fn v2_swap_headroom(&self, o: LruOwner) -> bool {
        let LruOwner::Memcg(mut x) = o else {
            return true;
        };
        // `mem_cgroup_get_nr_swap_pages` (v6.6): no per-memcg limit while `do_memsw_account()`.
        if self.mc(x).counters.res.as_protected().is_none() || self.do_memsw_account() {
            return true;
        }
        while let Some(p) = self.mc(x).parent {
            let v2 = &self.mc(x).v2;
            if v2.swap_usage >= v2.swap_max {
                return false;
            }
            x = p;
        }
        true
    }

    /// `inactive_anon_is_low` / `inactive_file_is_low` (ratio 1 for a small zone).
    pub(crate) fn inactive_is_low(&mut self, o: LruOwner, file: bool) -> bool {
        let (ia, aa) = if file {
            (LruList::InactiveFile, LruList::ActiveFile)
        } else {
            (LruList::InactiveAnon, LruList::ActiveAnon)
        };
        self.lru_len(o, ia) < self.lru_len(o, aa)
    }

    /// `shrink_list`: an active list is aged only when its inactive list is low.
    fn shrink_list<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        o: LruOwner,
        l: LruList,
        n: u64,
        can_swap: bool,
    ) -> u64 {
        let _f = trace::func(t, cpu, "shrink_list");
        if l.is_active() {
            if self.inactive_is_low(o, l.is_file()) {
                self.shrink_active_list(t, cpu, o, l, n);
            }
            return 0;
        }
        self.shrink_inactive_list(t, cpu, o, l, n, can_swap)
    }

    /// `shrink_active_list`: move `n` pages from the tail of an active list to the inactive
    /// list, clearing their referenced bit.
    fn shrink_active_list<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        o: LruOwner,
        l: LruList,
        n: u64,
    ) {
        let _f = trace::func(t, cpu, "shrink_active_list");
        let mut batch = std::mem::take(&mut self.reclaim.scratch);
        self.tail_of(o, l, n as usize, &mut batch);
        for &pfn in &batch {
            self.lru_move(pfn, 0, PG_ACTIVE | PG_REFERENCED);
        }
        // 6.6 `shrink_active_list`: `PGREFILL` for the pages scanned, `PGDEACTIVATE` for those
        // moved to the inactive list (all of them here), in the lruvec's memcg.
        if let LruOwner::Memcg(s) = o {
            let nr = batch.len() as u64;
            self.count_memcg_events(s, VmEvent::Pgrefill, nr);
            self.count_memcg_events(s, VmEvent::Pgdeactivate, nr);
        }
        self.reclaim.scratch = batch;
    }

    /// `shrink_inactive_list` + `shrink_page_list`: reclaim up to `n` pages from the tail.
    fn shrink_inactive_list<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        o: LruOwner,
        l: LruList,
        n: u64,
        can_swap: bool,
    ) -> u64 {
        let _f = trace::func(t, cpu, "shrink_inactive_list");
        let mut batch = std::mem::take(&mut self.reclaim.scratch);
        self.tail_of(o, l, n as usize, &mut batch);
        self.reclaim.scanned += batch.len() as u64;
        let mut reclaimed = 0;
        let mut activated = 0;
        let reclaim_clean_cache = self.reclaim_is_v6_6();
        for &pfn in &batch {
            let mut pg = self.zone.pages[pfn.index()].load();
            if pg.has(PG_REFERENCED)
                && reclaim_clean_cache
                && !pg.is_swap_backed()
                && self.zone.pages[pfn.index()].mapcount() == 0
            {
                // 6.6 `folio_check_references`: a page-cache page no page table references,
                // seen only through its PG_referenced bit (a read(2) or write(2) marked it
                // accessed), is FOLIOREF_RECLAIM_CLEAN: the bit is cleared and the page is
                // reclaimed like an unreferenced one.
                self.zone.pages[pfn.index()].clear(PG_REFERENCED);
                pg = self.zone.pages[pfn.index()].load();
            }
            if reclaim_clean_cache
                && pg.is_swap_backed()
                && self.zone.pages[pfn.index()].mapcount() > 0
            {
                // 6.6 `folio_check_references` for a mapped swap-backed page: the accessed bit
                // of its ptes (`folio_referenced`, which clears it) and the folio's own
                // PG_referenced (`folio_test_clear_referenced`). Accessed: the folio is marked,
                // and activated if it was marked already or is mapped more than once
                // (FOLIOREF_ACTIVATE), else kept on the inactive list (FOLIOREF_KEEP). Not
                // accessed: reclaimed (FOLIOREF_RECLAIM), marked or not.
                let frame = &self.zone.pages[pfn.index()];
                let young = pg.has(PG_REFERENCED);
                let marked = pg.has(PG_FOLIO_REFERENCED);
                frame.clear(PG_REFERENCED | PG_FOLIO_REFERENCED);
                if young {
                    if marked || frame.mapcount() > 1 {
                        self.lru_move(pfn, PG_ACTIVE | PG_FOLIO_REFERENCED, 0);
                        activated += 1;
                    } else {
                        self.lru_move(pfn, PG_FOLIO_REFERENCED, 0);
                    }
                    continue;
                }
                pg = frame.load();
            }
            if pg.has(PG_REFERENCED) {
                // Second chance: referenced pages go back to the active list.
                self.lru_move(pfn, PG_ACTIVE, PG_REFERENCED);
                activated += 1;
                continue;
            }
            if pg.is_swap_backed() {
                // The swap cache's radix-tree node first (fault injection, 2.6.35
                // `add_to_swap_cache`), so a refused node leaves no swap charge behind; then
                // 6.6 `__mem_cgroup_try_charge_swap`: `memory.swap.max` may refuse the slot.
                let swap_ok = can_swap
                    && self.swap_writable()
                    && !self.add_to_swap_fails()
                    && pg
                        .memcg_slot()
                        .is_none_or(|s| self.mem_cgroup_try_charge_swap_v2(s));
                if swap_ok {
                    self.swap_out(t, cpu, pfn);
                    reclaimed += 1;
                } else {
                    self.lru_move(pfn, PG_ACTIVE, 0);
                    activated += 1;
                }
                continue;
            }
            if pg.has(PG_DIRTY) {
                // pageout(): written back now; the clean page is rotated and freed later.
                let _g = trace::func(t, cpu, "pageout");
                self.lru_move(pfn, 0, PG_DIRTY);
                continue;
            }
            // A clean file page: remove from the page cache and free.
            self.page_cache.pages.remove(&(pg.owner, pg.index));
            self.uncharge_and_free(t, cpu, pfn);
            reclaimed += 1;
        }
        // 6.6 `shrink_inactive_list`: `PGSCAN_DIRECT` and `PGSTEAL_DIRECT` (no kswapd here);
        // `shrink_folio_list`: `PGACTIVATE` for the pages put back on an active list.
        if let LruOwner::Memcg(s) = o {
            self.count_memcg_events(s, VmEvent::PgscanDirect, batch.len() as u64);
            self.count_memcg_events(s, VmEvent::PgstealDirect, reclaimed);
            self.count_memcg_events(s, VmEvent::Pgactivate, activated);
        }
        self.reclaim.scratch = batch;
        reclaimed
    }

    /// Whether this is the 6.6 machine (its counter has the v2 protections), whose reclaim
    /// differs in two ways: global reclaim honours memory.min and memory.low
    /// (`shrink_global`), and `shrink_inactive_list` reclaims unmapped page cache whose only
    /// reference is PG_referenced (`folio_check_references`' FOLIOREF_RECLAIM_CLEAN, which
    /// 2.6.34's `page_check_references` introduced). The older presets keep their second
    /// chance for every referenced page, as their transcripts were recorded with it.
    fn reclaim_is_v6_6(&self) -> bool {
        self.memcgs.slots[MemcgSlot::ROOT.index()]
            .as_ref()
            .is_some_and(|m| m.counters.res.as_protected().is_some())
    }

    fn tail_of(&mut self, o: LruOwner, l: LruList, n: usize, out: &mut Vec<Pfn>) {
        match o {
            LruOwner::Memcg(s) => {
                let lru = self.memcgs.slots[s.index()]
                    .as_mut()
                    .expect("live")
                    .lru
                    .get_mut();
                page::list_tail(&self.zone.pages, lru, l, n, out)
            }
            LruOwner::Orphan => page::list_tail(&self.zone.pages, &self.zone.orphan_lru, l, n, out),
        }
    }

    /// `add_to_swap` + `try_to_unmap` + `__remove_mapping` for a swap-backed page: the page
    /// leaves memory; its memcg's memory counter is uncharged but memsw stays charged to the
    /// new swap entry (`swap_cgroup`, `mm/memcontrol.c` `mem_cgroup_uncharge_swap`, v2.6.34; `mm/page_cgroup.c` `swap_cgroup_record`, v2.6.34).
    fn swap_out<T: Tracer>(&mut self, t: &T, cpu: CpuId, pfn: Pfn) {
        let _f = trace::func(t, cpu, "swap_writepage");
        let slot = self.swap_info.free.pop().expect("caller checked free swap");
        let pg = self.zone.pages[pfn.index()].load();
        let memcg = pg.memcg_slot().unwrap_or(NO_MEMCG);
        self.swap_info.map[slot as usize] = crate::mm::SwapSlot { count: 1, memcg };
        if memcg != NO_MEMCG {
            self.mc_mut(memcg).stat.swap += 1;
            self.swap_usage_v2(memcg, 1);
        }
        if pg.has(PG_ANON) {
            // try_to_unmap over the anon_vma: every mapping gets the swap entry.
            let maps = self.anon_mappers(pfn);
            self.page_cache.shared_rmap.remove(&pfn);
            self.swap_info.map[slot as usize].count = maps.len().max(1) as u16;
            for (mm, vpn) in maps {
                let m = &mut *self.mms[mm.index()].get_mut();
                m.ptes.insert(vpn, Pte::Swap(slot));
                m.anon_rss -= 1;
                m.swap_ents += 1;
            }
            self.zone.pages[pfn.index()].set_mapcount(0);
        } else {
            debug_assert!(pg.has(PG_SHMEM));
            if let Some(maps) = self.page_cache.shared_rmap.remove(&pfn) {
                for (mm, vpn) in maps {
                    let m = &mut *self.mms[mm.index()].get_mut();
                    m.ptes.remove(vpn);
                    m.file_rss -= 1;
                }
                if let Some(s) = pg.memcg_slot() {
                    self.mc_mut(s).stat.mapped_file -= 1;
                }
                self.zone.pages[pfn.index()].set_mapcount(0);
            }
            self.page_cache
                .pages
                .insert((pg.owner, pg.index), CacheSlot::Swap(slot));
        }
        self.lru_del(pfn);
        self.mem_cgroup_uncharge_page(t, cpu, pfn, true);
        self.free_page(pfn);
    }

    /// `mem_cgroup_hierarchical_reclaim(root_mem, noswap, shrink)` (2.6.34, `mm/memcontrol.c`).
    ///
    /// Victims are taken round-robin over `root_mem`'s hierarchy in css-id order, continuing
    /// after `last_scanned_child`; the walk gives up on its second arrival at `root_mem`.
    /// Returns 0 for no progress, `1 + total` when `root_mem` got under its limits, or the
    /// total reclaimed; with `shrink` the result of the first victim.
    pub(crate) fn mem_cgroup_hierarchical_reclaim<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        root_mem: MemcgSlot,
        noswap: bool,
        shrink: bool,
    ) -> u64 {
        let _f = trace::func(t, cpu, "mem_cgroup_hierarchical_reclaim");
        let noswap = noswap || self.mc(root_mem).memsw_is_minimum;
        let mut total = 0;
        let mut loops = 0;
        loop {
            let victim = self.mem_cgroup_select_victim(root_mem);
            if victim == root_mem {
                loops += 1;
                if loops >= 1 {
                    self.drain_all_stock(root_mem);
                }
                if loops >= 2 {
                    break;
                }
            }
            let st = self.mc(victim).stat;
            if st.cache + st.rss <= 0 {
                continue;
            }
            let swappiness = self.get_swappiness(victim);
            // sc->target_mem_cgroup is root_mem for every victim (vmpressure reports to it).
            let saved = self.reclaim.target.replace(root_mem);
            let ret = self.try_to_free_mem_cgroup_pages(t, cpu, victim, noswap, swappiness);
            self.reclaim.target = saved;
            if shrink {
                return ret;
            }
            total += ret;
            if self.mem_cgroup_check_under_limit(root_mem) {
                return 1 + total;
            }
        }
        total
    }

    /// `mem_cgroup_select_victim`: the next memcg of the hierarchy after `last_scanned_child`
    /// in css-id order, wrapping to `root_mem` itself.
    fn mem_cgroup_select_victim(&mut self, root_mem: MemcgSlot) -> MemcgSlot {
        let m = self.mc(root_mem);
        if !m.use_hierarchy || m.children.is_empty() {
            return root_mem;
        }
        let mut members = self.subtree(root_mem);
        members.sort_unstable();
        let last = self.mc(root_mem).last_scanned_child;
        let victim = members
            .iter()
            .copied()
            .find(|&x| x > last)
            .unwrap_or(root_mem);
        self.mc_mut(root_mem).last_scanned_child = victim;
        victim
    }

    /// `drain_all_stock`: return every CPU's stocked pages of `root`'s hierarchy.
    pub(crate) fn drain_all_stock(&mut self, root: MemcgSlot) {
        if self.profile.stock_pages == 0 {
            return;
        }
        let members: Vec<_> = self
            .hierarchy_members(root)
            .into_iter()
            .map(|s| std::sync::Arc::clone(&self.mc(s).counters))
            .collect();
        for cpu in self.cpus.iter_mut() {
            cpu.stock
                .drain_if(&mut |m| members.iter().any(|x| std::ptr::eq(&**x, m)));
        }
    }

    /// Global reclaim (`balance_pgdat` / direct reclaim) when RAM runs out: soft-limit reclaim
    /// first (the memcg furthest above its soft limit, `mm/memcontrol.c` `mem_cgroup_soft_limit_reclaim`, v2.6.34), then every LRU vector
    /// (on the 6.6 machine: the memcgs through 6.6's protection-aware walk, then the uncharged
    /// pages' lists).
    #[doc(alias = "try_to_free_pages")]
    pub(crate) fn shrink_global<T: Tracer>(&mut self, t: &T, cpu: CpuId) -> u64 {
        let _f = trace::func(t, cpu, "try_to_free_pages");
        self.lru_add_drain_all();
        let mut reclaimed = self.mem_cgroup_soft_limit_reclaim(t, cpu);
        if reclaimed > 0 {
            return reclaimed;
        }
        // 6.6: global reclaim is `do_try_to_free_pages` with the root memcg as its target, so
        // it walks every memcg with their effective memory.min and memory.low honoured
        // (`vmscan_v2.rs`); the lists of uncharged pages come after it here.
        let v6_6 = self.reclaim_is_v6_6();
        if v6_6 {
            reclaimed =
                self.try_to_free_mem_cgroup_pages_v2(t, cpu, MemcgSlot::ROOT, SWAP_CLUSTER_MAX);
            if reclaimed > 0 {
                return reclaimed;
            }
        }
        let owners: Vec<LruOwner> = std::iter::once(LruOwner::Orphan)
            .chain(
                self.memcgs
                    .slots
                    .iter()
                    .flatten()
                    .filter(|_| !v6_6)
                    .map(|m| LruOwner::Memcg(m.id.slot)),
            )
            .collect();
        for priority in (0..=DEF_PRIORITY).rev() {
            // Global reclaim reports pressure against the root memcg.
            self.vmpressure_prio(MemcgSlot::ROOT, priority);
            for &o in &owners {
                let swappiness = match o {
                    LruOwner::Memcg(s) => self.get_swappiness(s),
                    LruOwner::Orphan => self.profile.vm_swappiness,
                };
                let scanned = self.reclaim.scanned;
                let sc = ScanControl {
                    may_swap: true,
                    swappiness,
                    nr_to_reclaim: SWAP_CLUSTER_MAX,
                };
                let r = self.shrink_zone(t, cpu, o, priority, &sc);
                reclaimed += r;
                self.vmpressure(MemcgSlot::ROOT, self.reclaim.scanned - scanned, r);
                if reclaimed >= SWAP_CLUSTER_MAX {
                    return reclaimed;
                }
            }
        }
        reclaimed
    }

    /// `vmpressure(gfp, memcg, scanned, reclaimed)` (3.10, `mm/vmpressure.c`): report one reclaim
    /// pass against the reclaim target to the event hook. Every charge here is a user page
    /// (`__GFP_HIGHMEM | __GFP_MOVABLE | __GFP_IO | __GFP_FS`), so none is filtered by its gfp
    /// mask; a pass that scanned nothing is not reported.
    pub(crate) fn vmpressure(&self, target: MemcgSlot, scanned: u64, reclaimed: u64) {
        if !self.profile.vmpressure || scanned == 0 {
            return;
        }
        if let Some(hook) = &self.host.hook {
            hook.vmpressure(self, self.mc(target).id, scanned, reclaimed);
        }
    }

    /// `vmpressure_prio` (3.10, `mm/vmpressure.c`): reclaim that reached priority 3
    /// (`vmpressure_level_critical_prio`) counts as a full window with nothing reclaimed.
    pub(crate) fn vmpressure_prio(&self, target: MemcgSlot, priority: u32) {
        if priority <= VMPRESSURE_LEVEL_CRITICAL_PRIO {
            self.vmpressure(target, VMPRESSURE_WIN, 0);
        }
    }

    /// `mem_cgroup_soft_limit_reclaim`: reclaim from the memcg with the largest soft-limit
    /// excess, at most `MEM_CGROUP_MAX_SOFT_LIMIT_RECLAIM_LOOPS` (2) unproductive attempts.
    fn mem_cgroup_soft_limit_reclaim<T: Tracer>(&mut self, t: &T, cpu: CpuId) -> u64 {
        let _f = trace::func(t, cpu, "mem_cgroup_soft_limit_reclaim");
        let mut tried = Vec::new();
        for _ in 0..2 {
            let best = self
                .memcgs
                .slots
                .iter()
                .flatten()
                .filter(|m| !tried.contains(&m.id.slot))
                .map(|m| {
                    let r = &m.counters.res;
                    (r.usage().0.saturating_sub(r.soft_limit().0), m.id.slot)
                })
                .filter(|&(excess, _)| excess > 0)
                .max_by_key(|&(excess, s)| (excess, std::cmp::Reverse(s)));
            let Some((_, s)) = best else {
                return 0;
            };
            tried.push(s);
            let mut total = 0;
            for victim in self.hierarchy_members(s) {
                let sw = self.get_swappiness(victim);
                total += self.try_to_free_mem_cgroup_pages(t, cpu, victim, false, sw);
                let r = &self.mc(s).counters.res;
                if r.usage() <= r.soft_limit() {
                    break;
                }
            }
            if total > 0 {
                return total;
            }
        }
        0
    }
}
