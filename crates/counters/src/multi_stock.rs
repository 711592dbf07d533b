//! The multi-memcg per-CPU stock: seven cached memcgs per CPU.
//!
//! **Kernel:** `struct memcg_stock_pcp` with `NR_MEMCG_STOCK` = 7 slots (`nr_pages[]` as `u8`,
//! `cached[]`), `consume_stock`, `refill_stock`, `drain_stock(stock, i)` in `mm/memcontrol.c`,
//! 6.16-era. A CPU that alternates between a few memcgs keeps a stock for each instead of
//! draining one to refill the other (the single-slot thrash of `stock.rs`).
//! **Differences:** the slot evicted when all seven are busy is chosen by a small xorshift
//! generator seeded from the CPU id instead of `get_random_u32_below`, so runs are repeatable.
//! **Locking:** as the single-slot stock: `&mut` stands for the kernel's local lock.

use std::sync::Arc;

use cgsim_ktypes::{CpuId, Pages};

use crate::counter::{StockTarget, Underflow};
use crate::stock::{ChargeStock, addr};

/// `NR_MEMCG_STOCK`.
pub const NR_MEMCG_STOCK: usize = 7;

// `consume` and `refill` spell out the seven slots.
const _: () = assert!(NR_MEMCG_STOCK == 7);

/// One CPU's seven-slot stock.
///
/// The page counts are `u8`, as in the kernel. `#[repr(C)]` keeps what the fast path reads (the
/// seven counts, the batch and the seven memcg addresses: 64 bytes) at the start of the struct,
/// so in a 128-byte-aligned per-CPU slot it is one cache line, as the kernel's is.
#[doc(alias = "memcg_stock_pcp")]
#[derive(Debug)]
#[repr(C)]
pub struct MemcgStockMulti<M> {
    nr_pages: [u8; NR_MEMCG_STOCK],
    batch: u8,
    /// The addresses of the cached memcgs (0 for an empty slot), compared on the fast path;
    /// never dereferenced.
    addrs: [usize; NR_MEMCG_STOCK],
    /// The references that keep the cached memcgs alive (`css_get` in the kernel).
    cached: [Option<Arc<M>>; NR_MEMCG_STOCK],
    rand: u32,
    warning: Option<Underflow>,
}

impl<M> MemcgStockMulti<M> {
    /// An empty stock for `cpu` with the given batch.
    ///
    /// # Panics
    /// If `batch` exceeds 127 pages: a count of batch plus one refill must fit a `u8` (the
    /// kernel's batch is 64).
    pub fn new(batch: Pages, cpu: CpuId) -> MemcgStockMulti<M> {
        assert!(batch.0 <= 127, "multi-memcg stock batch must fit in u8");
        MemcgStockMulti {
            nr_pages: [0; NR_MEMCG_STOCK],
            addrs: [0; NR_MEMCG_STOCK],
            batch: batch.0 as u8,
            cached: Default::default(),
            rand: 0x9e37_79b9 ^ (cpu.0.wrapping_mul(0x85eb_ca6b) | 1),
            warning: None,
        }
    }

    fn next_rand(&mut self) -> usize {
        let mut x = self.rand;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rand = x;
        (x % NR_MEMCG_STOCK as u32) as usize
    }
}

impl<M: StockTarget> MemcgStockMulti<M> {
    /// `refill_stock` when `memcg` has no slot yet, or `nr` is too big to cache.
    #[cold]
    #[inline(never)]
    fn refill_slow(&mut self, memcg: &Arc<M>, nr: Pages) {
        if nr.0 > u64::from(self.batch) {
            // Bypass the stock: too big to cache.
            if let Err(w) = memcg.stock_uncharge(nr)
                && self.warning.is_none()
            {
                self.warning = Some(w);
            }
            return;
        }
        let i = match self.cached.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                let i = self.next_rand();
                self.drain_slot(i);
                i
            }
        };
        self.cached[i] = Some(Arc::clone(memcg));
        self.addrs[i] = addr(&**memcg);
        self.nr_pages[i] = nr.0 as u8;
    }

    #[cold]
    #[inline(never)]
    fn drain_slot_cold(&mut self, i: usize) {
        self.drain_slot(i);
    }

    /// `drain_stock(stock, i)`: give slot `i`'s pages back and forget its memcg.
    fn drain_slot(&mut self, i: usize) {
        self.addrs[i] = 0;
        if let Some(old) = self.cached[i].take()
            && self.nr_pages[i] > 0
            && let Err(w) = old.stock_uncharge(Pages(u64::from(self.nr_pages[i])))
            && self.warning.is_none()
        {
            self.warning = Some(w);
        }
        self.nr_pages[i] = 0;
    }
}

impl<M: StockTarget> ChargeStock<M> for MemcgStockMulti<M> {
    const KIND: &'static str = "stock7";

    fn batch(&self) -> Pages {
        Pages(u64::from(self.batch))
    }

    /// The slots are tested one by one with constant indices (a macro writes the seven
    /// tests) rather than in a loop: with a computed index the CPU could not forward the count
    /// from the previous store to the next load without waiting, and a single memcg's
    /// charge+uncharge measured 3.7 ns instead of 0.75 ns.
    #[inline(always)]
    fn consume(&mut self, memcg: &M, nr: Pages) -> bool {
        // As in the single-slot stock, a slot never holds more than the batch, so the kernel's
        // "larger than the batch" test is implied by the `>= nr` test.
        let a = addr(memcg);
        macro_rules! slot {
            ($i:literal) => {
                if self.addrs[$i] == a {
                    if u64::from(self.nr_pages[$i]) >= nr.0 {
                        self.nr_pages[$i] -= nr.0 as u8;
                        return true;
                    }
                    return false;
                }
            };
        }
        slot!(0);
        slot!(1);
        slot!(2);
        slot!(3);
        slot!(4);
        slot!(5);
        slot!(6);
        false
    }

    #[inline(always)]
    fn refill(&mut self, memcg: &Arc<M>, nr: Pages) {
        if nr.0 <= u64::from(self.batch) {
            let a = addr(&**memcg);
            macro_rules! slot {
                ($i:literal) => {
                    if self.addrs[$i] == a {
                        let pages = u64::from(self.nr_pages[$i]) + nr.0;
                        self.nr_pages[$i] = pages as u8;
                        if pages > u64::from(self.batch) {
                            self.drain_slot_cold($i);
                        }
                        return;
                    }
                };
            }
            slot!(0);
            slot!(1);
            slot!(2);
            slot!(3);
            slot!(4);
            slot!(5);
            slot!(6);
        }
        self.refill_slow(memcg, nr);
    }

    fn drain(&mut self) {
        for i in 0..NR_MEMCG_STOCK {
            self.drain_slot(i);
        }
    }

    fn drain_if(&mut self, pred: &mut dyn FnMut(&M) -> bool) {
        for i in 0..NR_MEMCG_STOCK {
            if self.cached[i].as_deref().is_some_and(&mut *pred) {
                self.drain_slot(i);
            }
        }
    }

    fn cached_pages(&self, memcg: &M) -> Pages {
        match self.addrs.iter().position(|&a| a == addr(memcg)) {
            Some(i) => Pages(u64::from(self.nr_pages[i])),
            None => Pages(0),
        }
    }

    fn take_warning(&mut self) -> Option<Underflow> {
        self.warning.take()
    }
}
