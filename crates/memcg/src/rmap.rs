//! Copy-on-write sharing of private anonymous pages: fork's `copy_page_range` and the reverse
//! map of a shared anonymous page.
//!
//! **Kernel:** `mm/memory.c` `copy_page_range` → `copy_one_pte` (`page_dup_rmap`,
//! `swap_duplicate`), `mm/rmap.c` `page_remove_rmap` and the `anon_vma` chain that
//! `try_to_unmap` walks; `mm/mlock.c` `try_to_munlock` (`mm/memory.c` `do_wp_page`, v2.6.34: a copy-on-write copy is a
//! new anonymous charge; the shared original stays charged to the memcg that first touched it).
//!
//! **Differences:** a page mapped by one mm keeps its only mapping in `Page::owner`/`index`
//! (the common case costs no lookup); a page mapped by several mms lists every `(mm, vpn)` in
//! `World::shared_rmap`, as shmem pages do. fork keeps addresses, so every mapping of a shared
//! anonymous page has the same `vpn`.

use crate::counter_ext::MemCounter;
use crate::machine::World;
use crate::mm::{MmId, Pte, VmaKind};
use crate::page::{PG_ANON, PG_MLOCKED, PG_UNEVICTABLE, Pfn};
use cgsim_ktypes::CpuId;
use cgsim_ktypes::trace::{self, Tracer};

impl<C: MemCounter> World<C> {
    /// `copy_page_range` for every private anonymous VMA of `src` into `dst` (fork): present
    /// pages become shared (`page_dup_rmap`, no new charge) and swap entries gain a reference
    /// (`swap_duplicate`). Shared mappings are left to fault in the child, as the kernel does for
    /// VMAs without an `anon_vma`.
    pub(crate) fn copy_page_range<T: Tracer>(&mut self, t: &T, cpu: CpuId, src: MmId, dst: MmId) {
        let _f = trace::func(t, cpu, "copy_page_range");
        let ranges: Vec<(u64, u64)> = self.mms[src.index()]
            .get_mut()
            .vmas
            .iter()
            .filter(|(_, v)| v.kind == VmaKind::Anon)
            .map(|(&s, v)| (s, s + v.pages))
            .collect();
        for (start, end) in ranges {
            let mut from = start;
            while let Some((vpn, pte)) = self.mms[src.index()].get_mut().ptes.next_in(from, end) {
                from = vpn + 1;
                match pte {
                    Pte::Page(pfn) => {
                        debug_assert!(self.zone.pages[pfn.index()].has(PG_ANON));
                        self.page_dup_anon_rmap(pfn, dst, vpn);
                        let m = &mut *self.mms[dst.index()].get_mut();
                        m.ptes.insert(vpn, Pte::Page(pfn));
                        m.anon_rss += 1;
                    }
                    Pte::Swap(slot) => {
                        self.swap_info.map[slot as usize].count += 1;
                        let m = &mut *self.mms[dst.index()].get_mut();
                        m.ptes.insert(vpn, Pte::Swap(slot));
                        m.swap_ents += 1;
                    }
                }
            }
        }
    }

    /// Every `(mm, vpn)` mapping the anonymous page `pfn`.
    pub(crate) fn anon_mappers(&self, pfn: Pfn) -> Vec<(MmId, u64)> {
        let pg = self.zone.pages[pfn.index()].load();
        match pg.mapcount {
            0 => Vec::new(),
            1 => vec![(MmId(pg.owner), u64::from(pg.index))],
            _ => self.page_cache.shared_rmap[&pfn].clone(),
        }
    }

    /// `page_dup_rmap`: `mm` maps the anonymous page `pfn` at `vpn` too.
    pub(crate) fn page_dup_anon_rmap(&mut self, pfn: Pfn, mm: MmId, vpn: u64) {
        let pg = self.zone.pages[pfn.index()].load();
        let maps = self.page_cache.shared_rmap.entry(pfn).or_default();
        if pg.mapcount == 1 {
            maps.push((MmId(pg.owner), u64::from(pg.index)));
        }
        maps.push((mm, vpn));
        self.zone.pages[pfn.index()].set_mapcount(pg.mapcount + 1);
    }

    /// `page_remove_rmap` for the anonymous page `pfn` mapped at `vpn` of `mm`; the caller
    /// clears the pte. Returns whether that was the last mapping (the caller then uncharges and
    /// frees the page). When one mapping is left, it becomes the page's single owner again;
    /// `locked` says whether the departing mapping was in a `VM_LOCKED` VMA, in which case the
    /// page is munlocked unless a remaining mapper still locks it (`try_to_munlock`).
    pub(crate) fn page_remove_anon_rmap(
        &mut self,
        pfn: Pfn,
        mm: MmId,
        vpn: u64,
        locked: bool,
    ) -> bool {
        let pg = self.zone.pages[pfn.index()].load();
        if pg.mapcount <= 1 {
            self.zone.pages[pfn.index()].set_mapcount(0);
            return true;
        }
        let maps = self
            .page_cache
            .shared_rmap
            .get_mut(&pfn)
            .expect("shared anon page has an rmap");
        maps.retain(|&m| m != (mm, vpn));
        let left = maps.len();
        if left == 1 {
            let (om, ov) = maps[0];
            self.page_cache.shared_rmap.remove(&pfn);
            self.zone.pages[pfn.index()].set_owner(om.0, crate::mm::page_index(ov));
        } else if pg.owner == mm.0 {
            let (om, ov) = maps[0];
            self.zone.pages[pfn.index()].set_owner(om.0, crate::mm::page_index(ov));
        }
        self.zone.pages[pfn.index()].set_mapcount(left as u16);
        if locked && pg.has(PG_MLOCKED) && !self.anon_page_locked_elsewhere(pfn) {
            // munlock_vma_page: back to an evictable list.
            self.lru_move(pfn, 0, PG_UNEVICTABLE | PG_MLOCKED);
        }
        false
    }

    /// `try_to_munlock`: whether some mapping of `pfn` (anonymous or shmem) still lies in a
    /// `VM_LOCKED` VMA.
    pub(crate) fn page_locked_elsewhere(&self, pfn: Pfn) -> bool {
        let maps = if self.zone.pages[pfn.index()].has(PG_ANON) {
            self.anon_mappers(pfn)
        } else {
            self.page_cache
                .shared_rmap
                .get(&pfn)
                .cloned()
                .unwrap_or_default()
        };
        self.any_locked(&maps)
    }

    /// Whether a remaining mapping of `pfn` lies in a `VM_LOCKED` VMA.
    fn anon_page_locked_elsewhere(&self, pfn: Pfn) -> bool {
        self.any_locked(&self.anon_mappers(pfn))
    }

    fn any_locked(&self, maps: &[(MmId, u64)]) -> bool {
        maps.iter().any(|&(m, v)| {
            self.mms
                .get(m.index())
                .and_then(|mm| mm.lock().find_vma(v))
                .is_some_and(|(_, vma)| vma.locked)
        })
    }
}
