//! Pagevecs and the LRU lists' add/remove/move: new pages are batched per CPU and added to the
//! LRU lists a pagevec at a time.
//!
//! **Kernel:** `mm/swap.c` `lru_cache_add_lru`, `____pagevec_lru_add`, `lru_add_drain_all`;
//! `include/linux/mm_inline.h` `add_page_to_lru_list`, `del_page_from_lru_list`, v2.6.34.

use crate::counter_ext::MemCounter;
use crate::machine::{MemoryMachine, World};
use crate::page::{self, PG_LRU, PG_PAGEVEC, Pfn};
use cgsim_ktypes::CpuId;
use cgsim_ktypes::trace::Tracer;

/// `PAGEVEC_SIZE`: pages batched per CPU before they are added to the LRU lists.
pub const PAGEVEC_SIZE: usize = 14;

impl<C: MemCounter> World<C> {
    /// `lru_cache_add`: queue a new page on this CPU's pagevec; a full pagevec is added to the
    /// LRU lists in one batch (`____pagevec_lru_add`).
    pub(crate) fn lru_cache_add(&mut self, cpu: CpuId, pfn: Pfn) {
        let c = cpu.index() % self.cpus.len();
        self.zone.pages[pfn.index()].set(PG_PAGEVEC);
        self.zone.pages[pfn.index()].set_pagevec_cpu(c as u16);
        let pv = &mut self.cpus[c].pagevec;
        pv.push(pfn);
        if pv.len() >= PAGEVEC_SIZE {
            self.pagevec_lru_add(c);
        }
    }

    fn pagevec_lru_add(&mut self, c: usize) {
        let mut pv = std::mem::take(&mut self.cpus[c].pagevec);
        for &pfn in &pv {
            self.zone.pages[pfn.index()].clear(PG_PAGEVEC);
            self.lru_add(pfn);
        }
        pv.clear();
        self.cpus[c].pagevec = pv;
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
            let pv = &mut self.cpus[pg.pagevec_cpu as usize].pagevec;
            if let Some(i) = pv.iter().position(|&p| p == pfn) {
                pv.remove(i);
            }
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
