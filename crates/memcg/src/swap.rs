//! Pagevecs and the LRU lists' add/remove/move: new pages are batched per CPU and added to the
//! LRU lists a pagevec at a time.
//!
//! **Kernel:** `mm/swap.c` `lru_cache_add_lru`, `____pagevec_lru_add`, `lru_add_drain_all`;
//! `include/linux/mm_inline.h` `add_page_to_lru_list`, `del_page_from_lru_list`, v2.6.34.

use crate::counter_ext::MemCounter;
use crate::machine::{MemoryMachine, World};
use crate::page::{self, NIL, PG_LRU, PG_PAGEVEC, PageFrame, Pfn};
use cgsim_ktypes::CpuId;
use cgsim_ktypes::trace::Tracer;

/// `PAGEVEC_SIZE`: pages batched per CPU before they are added to the LRU lists.
pub const PAGEVEC_SIZE: usize = 14;

/// One CPU's LRU-add pagevec (`lru_add_pvecs`): up to [`PAGEVEC_SIZE`] new pages, in the order
/// they were added, waiting to go onto the LRU lists together.
///
/// **Kernel:** `struct pagevec` (`include/linux/pagevec.h`, v2.6.34): a count and an array of
/// page pointers, only ever appended to and emptied whole (`____pagevec_lru_add`).
/// **Differences:** the kernel never takes one page out of a pagevec. A page freed while it
/// waits on one keeps its reference from the pagevec: `zap_pte_range` → `tlb_remove_page` →
/// `free_pages_and_swap_cache` first drains this CPU's pagevecs (`lru_add_drain`) onto the LRU
/// lists, and `release_pages` then takes each page off its LRU list as its last reference
/// goes. Here a zap takes a page straight off the pagevec instead (the LRU add and delete of a
/// page that is freed at once change nothing anyone sees), and does it in O(1): each page's
/// record holds its slot ([`Page::pagevec_slot`](crate::page::Page::pagevec_slot)), the slot
/// becomes a hole, and the other pages keep their slots and their order. Holes at the end are
/// dropped at once; the others are squeezed out only when a push finds no slot left while
/// fewer than [`PAGEVEC_SIZE`] pages wait, so a pagevec still drains exactly when it holds
/// `PAGEVEC_SIZE` pages, as it did when a removal shifted the array.
#[derive(Clone, Debug)]
pub(crate) struct Pagevec {
    /// The pages by slot; [`NIL`] is a hole.
    slots: [Pfn; PAGEVEC_SIZE],
    /// Slots in use, holes included.
    end: u8,
    /// Pages waiting (slots in use that are not holes).
    live: u8,
}

impl Default for Pagevec {
    fn default() -> Self {
        Pagevec {
            slots: [NIL; PAGEVEC_SIZE],
            end: 0,
            live: 0,
        }
    }
}

impl Pagevec {
    /// `pagevec_count`: the pages waiting.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        usize::from(self.live)
    }

    /// Whether [`PAGEVEC_SIZE`] pages wait (`pagevec_add` returned 0: time to drain).
    #[inline]
    pub(crate) fn is_full(&self) -> bool {
        usize::from(self.live) >= PAGEVEC_SIZE
    }

    /// The waiting pages in the order they were added.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Pfn> + '_ {
        self.slots[..usize::from(self.end)]
            .iter()
            .filter(|&&p| p != NIL)
    }

    /// The waiting pages with their slots.
    pub(crate) fn slots(&self) -> impl Iterator<Item = (usize, Pfn)> + '_ {
        self.slots[..usize::from(self.end)]
            .iter()
            .copied()
            .enumerate()
            .filter(|&(_, p)| p != NIL)
    }

    /// `pagevec_add`: append `pfn` and return its slot, which the caller stores in the page's
    /// record ([`Page::pagevec_pos`](crate::page::Page::pagevec_pos)). The pagevec must not be
    /// full. If the last slot is taken, the holes are squeezed out first, and each page that
    /// moves gets its new slot in its record (`pages`: the caller owns every page on this
    /// pagevec, by the CPU's lock or the world's write side).
    #[inline]
    pub(crate) fn push(&mut self, pages: &[PageFrame], pfn: Pfn) -> usize {
        debug_assert!(!self.is_full(), "push onto a full pagevec");
        if usize::from(self.end) == PAGEVEC_SIZE {
            self.compact(pages);
        }
        let slot = usize::from(self.end);
        self.slots[slot] = pfn;
        self.end += 1;
        self.live += 1;
        slot
    }

    #[cold]
    fn compact(&mut self, pages: &[PageFrame]) {
        let mut to = 0;
        for from in 0..usize::from(self.end) {
            let p = self.slots[from];
            if p == NIL {
                continue;
            }
            if from != to {
                self.slots[to] = p;
                pages[p.index()].set_pagevec_slot(to);
            }
            to += 1;
        }
        self.slots[to..].fill(NIL);
        self.end = to as u8;
    }

    /// Take `pfn` out of `slot` (where its record says it is).
    #[inline]
    pub(crate) fn remove(&mut self, slot: usize, pfn: Pfn) {
        debug_assert_eq!(self.slots[slot], pfn, "page record names its pagevec slot");
        self.slots[slot] = NIL;
        self.live -= 1;
        // The end moves back over the slot just emptied if it was the last, and to the start
        // when no page is left; a hole left before the end is squeezed out by `compact`.
        if self.live == 0 {
            self.end = 0;
        } else if slot + 1 == usize::from(self.end) {
            self.end -= 1;
        }
    }

    /// Empty the pagevec (`pagevec_reinit`), returning what it held.
    #[inline]
    pub(crate) fn take(&mut self) -> Pagevec {
        std::mem::take(self)
    }
}

impl<C: MemCounter> World<C> {
    /// `lru_cache_add`: queue a new page on this CPU's pagevec; a full pagevec is added to the
    /// LRU lists in one batch (`____pagevec_lru_add`).
    pub(crate) fn lru_cache_add(&mut self, cpu: CpuId, pfn: Pfn) {
        let c = cpu.index() % self.cpus.len();
        let pv = &mut self.cpus[c].pagevec;
        let slot = pv.push(&self.zone.pages, pfn);
        let full = pv.is_full();
        self.zone.pages[pfn.index()].set(PG_PAGEVEC);
        self.zone.pages[pfn.index()].set_pagevec_pos(c, slot);
        if full {
            self.pagevec_lru_add(c);
        }
    }

    fn pagevec_lru_add(&mut self, c: usize) {
        let pv = self.cpus[c].pagevec.take();
        for &pfn in pv.iter() {
            self.zone.pages[pfn.index()].clear(PG_PAGEVEC);
            self.lru_add(pfn);
        }
    }

    /// `lru_add_drain`: flush the pagevec of `cpu` only (the CPU the caller runs on).
    pub(crate) fn lru_add_drain(&mut self, cpu: CpuId) {
        let c = cpu.index() % self.cpus.len();
        self.pagevec_lru_add(c);
    }

    /// `lru_add_drain_all`.
    pub(crate) fn lru_add_drain_all(&mut self) {
        for c in 0..self.cpus.len() {
            self.pagevec_lru_add(c);
        }
    }

    /// Put a page on the LRU list its flags and memcg name (`add_page_to_lru_list`).
    pub(crate) fn lru_add(&mut self, pfn: Pfn) {
        let pg = self.zone.pages[pfn.index()].load();
        let l = pg.lru_list();
        let lru = match pg.memcg_slot() {
            Some(s) => self.memcgs.slots[s.index()]
                .as_mut()
                .expect("live")
                .lru
                .get_mut(),
            None => &mut self.zone.orphan_lru,
        };
        page::list_add(&self.zone.pages, lru, l, pfn);
        self.zone.pages[pfn.index()].set(PG_LRU);
    }

    /// Take a page off its LRU list or pagevec (`del_page_from_lru_list`).
    pub(crate) fn lru_del(&mut self, pfn: Pfn) {
        let pg = self.zone.pages[pfn.index()].load();
        if pg.has(PG_LRU) {
            let l = pg.lru_list();
            let lru = match pg.memcg_slot() {
                Some(s) => self.memcgs.slots[s.index()]
                    .as_mut()
                    .expect("live")
                    .lru
                    .get_mut(),
                None => &mut self.zone.orphan_lru,
            };
            page::list_del(&self.zone.pages, lru, l, pfn);
            self.zone.pages[pfn.index()].clear(PG_LRU);
        } else if pg.has(PG_PAGEVEC) {
            let pv = &mut self.cpus[pg.pagevec_cpu()].pagevec;
            pv.remove(pg.pagevec_slot(), pfn);
            self.zone.pages[pfn.index()].clear(PG_PAGEVEC);
        }
    }

    /// Change a page's flags, moving it to the list they name (activate, deactivate, mlock).
    pub(crate) fn lru_move(&mut self, pfn: Pfn, set: u16, clear: u16) {
        let on_lru = self.zone.pages[pfn.index()].has(PG_LRU);
        if on_lru {
            self.lru_del(pfn);
        }
        let pg = &self.zone.pages[pfn.index()];
        pg.set(set);
        pg.clear(clear);
        if on_lru {
            self.lru_add(pfn);
        }
    }
}

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// `lru_add_drain_all`: flush every CPU's pagevec to the LRU lists.
    pub fn lru_add_drain_all(&self) {
        self.lock().lru_add_drain_all();
    }

    /// Pages waiting in CPU `cpu`'s LRU-add pagevec (`lru_add_pvecs`), not yet on an LRU list.
    pub fn cpu_pagevec_len(&self, cpu: CpuId) -> usize {
        let w = self.lock();
        let c = cpu.index() % w.cpus.len();
        w.cpus[c].pagevec.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memcontrol::MemcgSlot;
    use crate::page::{PG_ANON, Page};

    /// A frame on CPU 3's pagevec at `slot`, as `lru_cache_add` leaves it.
    fn waiting(slot: usize) -> Page {
        Page {
            flags: PG_ANON | PG_PAGEVEC,
            memcg: MemcgSlot(2),
            mapcount: 1,
            pagevec: Page::pagevec_pos(3, slot),
            ..Page::FREE
        }
    }

    fn push(pv: &mut Pagevec, pages: &[PageFrame], p: u32) {
        let slot = pv.push(pages, Pfn(p));
        pages[p as usize].store(waiting(slot));
    }

    /// Every page a pagevec holds is where its record says, in the order it was added.
    fn check(pv: &Pagevec, pages: &[PageFrame], want: &[u32]) {
        let got: Vec<u32> = pv.iter().map(|p| p.0).collect();
        assert_eq!(got, want);
        assert_eq!(pv.len(), want.len());
        for (slot, pfn) in pv.slots() {
            let pg = pages[pfn.index()].load();
            assert_eq!((pg.pagevec_cpu(), pg.pagevec_slot()), (3, slot));
        }
    }

    #[test]
    fn removal_leaves_the_others_in_place_and_in_order() {
        let pages: Vec<PageFrame> = (0..32).map(|_| PageFrame::new(Page::FREE)).collect();
        let mut pv = Pagevec::default();
        for p in 0..5 {
            push(&mut pv, &pages, p);
        }
        let at = |p: u32| pages[p as usize].load().pagevec_slot();
        pv.remove(at(1), Pfn(1));
        pv.remove(at(3), Pfn(3));
        check(&pv, &pages, &[0, 2, 4]);
        // The last slot emptied is taken back at once (the next page takes it); the hole
        // before it (page 3's) stays until the slots run out or the pagevec empties.
        pv.remove(at(4), Pfn(4));
        push(&mut pv, &pages, 5);
        assert_eq!(at(5), 4);
        check(&pv, &pages, &[0, 2, 5]);
        // An emptied pagevec starts again at slot 0.
        for p in [0, 2, 5] {
            pv.remove(at(p), Pfn(p));
        }
        push(&mut pv, &pages, 6);
        assert_eq!(at(6), 0);
        check(&pv, &pages, &[6]);
    }

    /// A pagevec with holes still drains at `PAGEVEC_SIZE` pages, not at `PAGEVEC_SIZE`
    /// pushes: the push that finds no slot left squeezes the holes out and renumbers the
    /// pages it moves.
    #[test]
    fn holes_are_squeezed_out_only_when_the_slots_run_out() {
        let pages: Vec<PageFrame> = (0..32).map(|_| PageFrame::new(Page::FREE)).collect();
        let mut pv = Pagevec::default();
        for p in 0..PAGEVEC_SIZE as u32 - 1 {
            push(&mut pv, &pages, p);
        }
        pv.remove(0, Pfn(0));
        pv.remove(5, Pfn(5));
        push(&mut pv, &pages, 20);
        assert!(!pv.is_full());
        push(&mut pv, &pages, 21);
        let mut want: Vec<u32> = (1..PAGEVEC_SIZE as u32 - 1).filter(|&p| p != 5).collect();
        want.extend([20, 21]);
        check(&pv, &pages, &want);
        assert!(!pv.is_full(), "13 pages wait");
        push(&mut pv, &pages, 22);
        assert!(pv.is_full());
        want.push(22);
        check(&pv, &pages, &want);
        let all = pv.take();
        assert_eq!(pv.len(), 0);
        assert_eq!(all.iter().count(), PAGEVEC_SIZE);
    }
}
