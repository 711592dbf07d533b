//! `check_invariants`: the structural invariants of the machine, checked by the property tests
//! after every step.
//!
//! **Invariants:**
//! 1. Page frames are conserved: every frame is free (on the free list) or in use, and every
//!    in-use frame is mapped by exactly its owner's page table (anonymous) or in the page cache.
//!    A free frame's record is exactly `Page::FREE`, and a frame on no LRU list has no links.
//! 2. Swap slots are conserved: every slot is free or referenced by exactly one page-table entry
//!    or shmem page-cache entry.
//! 3. LRU lists are well formed and every page on a memcg's list is charged to that memcg.
//! 4. Per memcg: pages on its LRU lists and pagevecs == `cache + rss`; a page on a pagevec
//!    records its CPU and slot there; `mapped_file` == its cache
//!    pages with a mapping; `swap` == swap slots recorded for it.
//! 5. Counters: with no per-CPU stock, `res.usage` == (cache + rss) pages and `memsw.usage` ==
//!    (cache + rss + swap) pages of the memcg's hierarchy; the uncharged root's counters hold only
//!    its hierarchical descendants.
//! 6. No page or swap slot is charged to a removed memcg.
//! 7. An offline (dying) memcg has no task and only offline children: nothing is charged to it
//!    any more, its pages and swap entries only go.

use crate::counter_ext::MemCounter;
use crate::machine::{MemoryMachine, World};
use crate::memcontrol::MemcgSlot;
use crate::mm::{CacheSlot, MmId, Pte};
use crate::page::{LruList, NIL, PG_ANON, PG_FREE, PG_LRU, PG_PAGEVEC, Page, PageFrame, Pfn};
use cgsim_ktypes::PAGE_SIZE;
use cgsim_ktypes::trace::Tracer;
use std::collections::HashMap;

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// Check every invariant of the module docs.
    ///
    /// # Panics
    /// On a violation: a simulator bug.
    pub fn check_invariants(&self) {
        self.lock().check_invariants();
    }
}

impl<C: MemCounter> World<C> {
    pub(crate) fn check_invariants(&self) {
        // 1. frames.
        let nr_free = self.zone.pages.iter().filter(|p| p.has(PG_FREE)).count();
        assert_eq!(nr_free, self.zone.free.lock().len(), "free list vs PG_FREE");
        let mut refs: HashMap<Pfn, u32> = HashMap::new();
        let mut swap_refs: HashMap<u32, u32> = HashMap::new();
        for (id, mm) in self.mms.iter() {
            let mm = mm.lock();
            let (mut anon, mut file, mut swp) = (0, 0, 0);
            for (vpn, pte) in mm.ptes.iter() {
                match pte {
                    Pte::Page(pfn) => {
                        let pg = self.zone.pages[pfn.index()].load();
                        assert!(!pg.has(PG_FREE), "pte maps a free page");
                        if pg.has(PG_ANON) {
                            if pg.mapcount == 1 {
                                assert_eq!((pg.owner, pg.index as u64), (id as u32, vpn));
                            } else {
                                assert!(
                                    self.page_cache.shared_rmap[&pfn]
                                        .contains(&(MmId::from_index(id), vpn)),
                                    "shared anon page {pfn}: mapping missing from its rmap"
                                );
                            }
                            *refs.entry(pfn).or_default() += 1;
                            anon += 1;
                        } else {
                            file += 1;
                        }
                    }
                    Pte::Swap(slot) => {
                        *swap_refs.entry(slot).or_default() += 1;
                        swp += 1;
                    }
                }
            }
            assert_eq!(
                (mm.anon_rss, mm.file_rss, mm.swap_ents),
                (anon, file, swp),
                "mm counters"
            );
        }
        for (&(file, idx), slot) in &self.page_cache.pages {
            match *slot {
                CacheSlot::Page(pfn) => {
                    let pg = self.zone.pages[pfn.index()].load();
                    assert_eq!((pg.owner, pg.index), (file, idx), "page cache back pointer");
                    *refs.entry(pfn).or_default() += 1;
                }
                CacheSlot::Swap(s) => *swap_refs.entry(s).or_default() += 1,
            }
        }
        for (pfn, pg) in self.zone.pages.iter().map(PageFrame::load).enumerate() {
            // A page on no list has no links: the fast path frees a record without storing
            // its links and publishes a new page without storing them (`PageFrame::store_new`).
            if !pg.has(PG_LRU) {
                assert_eq!((pg.prev, pg.next), (NIL, NIL), "frame {pfn} off every list");
            }
            if pg.has(PG_FREE) {
                assert_eq!(pg, Page::FREE, "free frame {pfn}");
                continue;
            }
            let want = if pg.has(PG_ANON) {
                // Copy-on-write: one reference per mapping, and a shared page's rmap lists
                // exactly those mappings, its owner among them.
                if pg.mapcount > 1 {
                    let maps = &self.page_cache.shared_rmap[&Pfn::from_index(pfn)];
                    assert_eq!(maps.len(), usize::from(pg.mapcount), "rmap of {pfn}");
                    assert!(maps.contains(&(MmId(pg.owner), u64::from(pg.index))));
                }
                u32::from(pg.mapcount)
            } else {
                1
            };
            assert_eq!(
                refs.get(&Pfn::from_index(pfn)).copied().unwrap_or(0),
                want,
                "frame {pfn} references"
            );
        }
        // 2. swap.
        let used = self.swap_info.map.iter().filter(|s| s.used()).count();
        assert_eq!(
            used + self.swap_info.free.len(),
            self.swap_info.map.len(),
            "swap slots conserved"
        );
        for (i, s) in self.swap_info.map.iter().enumerate() {
            let n = swap_refs.get(&(i as u32)).copied().unwrap_or(0);
            assert_eq!(n, u32::from(s.count), "swap slot {i} references");
        }
        // 3. + 4. lists and statistics.
        let mut pagevec_pages: HashMap<MemcgSlot, i64> = HashMap::new();
        for (c, cpu) in self.cpus.iter().enumerate() {
            for (slot, pfn) in cpu.pagevec.slots() {
                let pg = self.zone.pages[pfn.index()].load();
                assert!(pg.has(PG_PAGEVEC) && !pg.has(PG_LRU));
                assert_eq!(
                    (pg.pagevec_cpu(), pg.pagevec_slot()),
                    (c, slot),
                    "page {pfn} records where it waits"
                );
                if let Some(s) = pg.memcg_slot() {
                    *pagevec_pages.entry(s).or_default() += 1;
                }
            }
        }
        // Each memcg's mapped cache pages and swap slots, counted in one pass over the frames
        // and one over the swap map (a pass per memcg made this check quadratic: hours at
        // 60,000 memcgs over a million frames).
        let mut mapped_of: HashMap<MemcgSlot, i64> = HashMap::new();
        for p in self.zone.pages.iter() {
            if p.has(crate::page::PCG_CACHE) && p.mapcount() > 0 {
                *mapped_of.entry(p.memcg()).or_default() += 1;
            }
        }
        let mut swap_of: HashMap<MemcgSlot, i64> = HashMap::new();
        for x in self.swap_info.map.iter().filter(|x| x.used()) {
            *swap_of.entry(x.memcg).or_default() += 1;
        }
        for m in self.memcgs.slots.iter().flatten() {
            let s = m.id.slot;
            let lru = m.lru.lock();
            let mut on_lists = 0i64;
            for l in LruList::ALL {
                let mut n = 0;
                let mut p = lru.lists[l as usize].head;
                let mut prev = NIL;
                while p != NIL {
                    let pg = self.zone.pages[p.index()].load();
                    assert!(pg.has(PG_LRU), "page on a list without PG_LRU");
                    assert_eq!(pg.memcg, s, "page on another memcg's list");
                    assert_eq!(pg.lru_list(), l, "page on the wrong list");
                    assert_eq!(pg.prev, prev);
                    prev = p;
                    p = pg.next;
                    n += 1;
                }
                assert_eq!(n, lru.len(l), "list length");
                on_lists += n as i64;
            }
            let st = m.stat;
            assert_eq!(
                on_lists + pagevec_pages.get(&s).copied().unwrap_or(0),
                st.cache + st.rss,
                "{}: LRU pages vs cache + rss",
                m.id
            );
            let mapped = mapped_of.get(&s).copied().unwrap_or(0);
            assert_eq!(mapped, st.mapped_file, "{}: mapped_file", m.id);
            let swap = swap_of.get(&s).copied().unwrap_or(0);
            assert_eq!(swap, st.swap, "{}: swap", m.id);
        }
        // 5. counters.
        if self.profile.stock_pages == 0 {
            for m in self.memcgs.slots.iter().flatten() {
                let s = m.id.slot;
                let members = self.hierarchy_members(s);
                let skip_self = !self.charges_counters(s);
                let (mut pages, mut swap) = (0i64, 0i64);
                for x in members {
                    if x == s && skip_self {
                        continue;
                    }
                    let st = self.mc(x).stat;
                    pages += st.cache + st.rss;
                    swap += st.swap;
                }
                let bytes = |n: i64| n as u64 * PAGE_SIZE;
                assert_eq!(
                    m.counters.res.usage().0,
                    bytes(pages),
                    "{}: res usage",
                    m.id
                );
                if let Some(msw) = &m.counters.memsw {
                    assert_eq!(msw.usage().0, bytes(pages + swap), "{}: memsw usage", m.id);
                }
            }
        }
        // 6. no charge on a removed memcg.
        for pg in &self.zone.pages {
            if let Some(s) = pg.memcg_slot() {
                assert!(
                    self.memcgs.slots[s.index()].is_some(),
                    "page charged to a removed memcg"
                );
            }
        }
        for sl in self.swap_info.map.iter().filter(|s| s.used()) {
            if sl.memcg != crate::page::NO_MEMCG {
                assert!(
                    self.memcgs.slots[sl.memcg.index()].is_some(),
                    "swap charged to a removed memcg"
                );
            }
        }
        // 7. dying memcgs.
        for m in self.memcgs.slots.iter().flatten().filter(|m| m.offline) {
            assert_eq!(m.nr_tasks, 0, "{}: tasks in an offline memcg", m.id);
            assert!(
                m.children.iter().all(|&c| self.mc(c).offline),
                "{}: online child of an offline memcg",
                m.id
            );
        }
        for (pid, t) in self.tasks.iter() {
            assert!(
                !self.mc(t.memcg).offline,
                "{pid}: a task in an offline memcg"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    //! Deliberately broken statistics: the per-memcg counts of invariant 4 must catch them.

    use crate::{MachineConfig, MemcgId, MemcgProfile, MemoryMachine};
    use cgsim_counters::{ResCounterProfile, SpinResCounter};
    use cgsim_ktypes::klog::{Clock, Klog};
    use cgsim_ktypes::{Bytes, CpuId, NoTrace, Pid};
    use std::sync::Arc;

    const CPU: CpuId = CpuId(0);
    const MIB: u64 = 1 << 20;

    /// Two memcgs; pid 10 in `A` has 1 MiB of SysV shm attached and touched (mapped cache
    /// pages of `A`), `B` is empty.
    fn setup() -> (
        Arc<MemoryMachine<SpinResCounter, NoTrace>>,
        MemcgId,
        MemcgId,
    ) {
        let m = MemoryMachine::new(
            MemcgProfile::default(),
            ResCounterProfile::V2_6_34,
            MachineConfig {
                ram: Bytes(64 * MIB),
                swap: Bytes(16 * MIB),
                nr_cpus: 2,
            },
            Arc::new(NoTrace),
            Arc::new(Klog::default()),
            Arc::new(Clock::default()),
        );
        m.add_task(Pid(1), "init", MemcgId::ROOT).unwrap();
        m.exec_mm(Pid(1), "init", CPU).unwrap();
        let a = m.create_memcg(MemcgId::ROOT).unwrap();
        let b = m.create_memcg(MemcgId::ROOT).unwrap();
        let p = Pid(10);
        m.fork_mm(Pid(1), p).unwrap();
        m.exec_mm(p, "shm", CPU).unwrap();
        m.attach_task(p, a).unwrap();
        let shm = m.shmget(Bytes(MIB)).unwrap();
        let addr = m.shmat(p, shm).unwrap();
        m.touch(p, addr, Bytes(MIB), true, CPU).unwrap();
        m.check_invariants();
        (m, a, b)
    }

    #[test]
    #[should_panic(expected = "mapped_file")]
    fn a_wrong_mapped_file_is_caught() {
        let (m, a, _b) = setup();
        {
            let mut w = m.lock();
            let s = w.slot_of(a).unwrap();
            w.mc_mut(s).stat.mapped_file -= 1;
        }
        m.check_invariants();
    }

    #[test]
    #[should_panic(expected = ": swap")]
    fn a_swap_count_on_a_memcg_without_swap_is_caught() {
        let (m, _a, b) = setup();
        {
            let mut w = m.lock();
            let s = w.slot_of(b).unwrap();
            w.mc_mut(s).stat.swap += 1;
        }
        m.check_invariants();
    }
}
