//! The per-CPU charge stock: pages charged in a batch and handed out without touching counters.
//!
//! **Kernel:** `struct memcg_stock_pcp`, `consume_stock`, `refill_stock`, `drain_stock`,
//! `drain_all_stock` in `mm/memcontrol.c`: 2.6.33 (commit cdec2e4265df, "coalesce charging via
//! percpu storage"), one cached memcg per CPU through 6.15 (`mm/memcontrol.c` `consume_stock`, `refill_stock`, `__mem_cgroup_try_charge`, `mem_cgroup_do_charge`). The batch is
//! 32 pages up to 6.0 and 64 from 6.1 ([`CHARGE_BATCH_OLD`], [`MEMCG_CHARGE_BATCH`]); it is a
//! parameter here. The multi-memcg stock of 6.16 is in `multi_stock.rs`.
//!
//! **Differences:** the stock is reached through an explicit `&mut` (one per simulated CPU)
//! rather than `this_cpu_ptr` with interrupts off; [`PerCpuStocks`] holds one per CPU behind an
//! uncontended lock for callers that share them (as `drain_all_stock` must). A `thread_local!`
//! stock measured 3.8× slower than one passed by reference (in a comparison loop of the contention measurements), so none is used.
//! `refill_stock` drains a stock that grows past the batch (4.x+); 2.6.33–3.x had no such cap.
//! Kernel `WARN`s met while draining are kept in the stock for the caller to collect with
//! [`ChargeStock::take_warning`], so the hot path's signatures stay small.
//! **Locking:** a stock belongs to one CPU; the kernel disables preemption (later a local lock)
//! around each operation. Here `&mut` is that exclusion.

use std::sync::Arc;

use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{CpuId, Pages};
use crossbeam_utils::CachePadded;

use crate::counter::{Counter, StockTarget, Underflow};
use crate::sync::{Mutex, MutexGuard};

/// `CHARGE_BATCH` / `MEMCG_CHARGE_BATCH` of 2.6.33–6.0: 32 pages.
#[doc(alias = "CHARGE_BATCH")]
pub const CHARGE_BATCH_OLD: Pages = Pages(32);
/// `MEMCG_CHARGE_BATCH` of 6.1+: 64 pages.
pub const MEMCG_CHARGE_BATCH: Pages = Pages(64);

/// What a per-CPU stock does; implemented by [`MemcgStock`] and [`crate::MemcgStockMulti`].
pub trait ChargeStock<M: StockTarget>: Send {
    /// Shown in tables: `stock` or `stock7`.
    const KIND: &'static str;

    /// The batch size this stock was built with.
    fn batch(&self) -> Pages;

    /// `consume_stock(memcg, nr_pages)`: take `nr` pages from the stock if it holds that many
    /// for `memcg`. Requests larger than the batch never use the stock.
    fn consume(&mut self, memcg: &M, nr: Pages) -> bool;

    /// `refill_stock(memcg, nr_pages)`: put `nr` charged pages of `memcg` into the stock.
    fn refill(&mut self, memcg: &Arc<M>, nr: Pages);

    /// `drain_stock`: return every cached page to its counters and forget the memcgs.
    fn drain(&mut self);

    /// Drain the slots whose memcg satisfies `pred` (`drain_all_stock` tests
    /// `mem_cgroup_is_descendant(stock->cached, root)`).
    fn drain_if(&mut self, pred: &mut dyn FnMut(&M) -> bool);

    /// Pages the stock holds for `memcg` (for tests and the `stat` files).
    fn cached_pages(&self, memcg: &M) -> Pages;

    /// The first `WARN` met while draining since the last call, if any.
    fn take_warning(&mut self) -> Option<Underflow>;
}

/// One CPU's stock with a single cached memcg.
///
/// **Kernel:** `struct memcg_stock_pcp { cached, nr_pages, ... }` (2.6.33–6.15).
#[doc(alias = "memcg_stock_pcp")]
#[derive(Debug)]
pub struct MemcgStock<M> {
    /// The address of `cached`'s memcg (0 when none), compared on the fast path so that a hit
    /// costs one compare; never dereferenced.
    cached_addr: usize,
    cached: Option<Arc<M>>,
    nr_pages: u64,
    batch: u64,
    warning: Option<Underflow>,
}

impl<M> MemcgStock<M> {
    /// An empty stock with the given batch (32 or 64 pages in the kernel).
    pub fn new(batch: Pages) -> MemcgStock<M> {
        MemcgStock {
            cached_addr: 0,
            cached: None,
            nr_pages: 0,
            batch: batch.0,
            warning: None,
        }
    }
}

impl<M> MemcgStock<M> {
    /// `stock->cached`: the memcg whose pages this CPU holds, if any.
    pub fn cached(&self) -> Option<&Arc<M>> {
        self.cached.as_ref()
    }

    /// `stock->nr_pages`: how many pre-charged pages are left.
    pub fn nr_pages(&self) -> Pages {
        Pages(self.nr_pages)
    }
}

impl<M: StockTarget> MemcgStock<M> {
    /// `refill_stock` for a memcg other than the cached one: drain, then cache `memcg`.
    #[cold]
    #[inline(never)]
    fn refill_other(&mut self, memcg: &Arc<M>, nr: Pages) {
        self.drain_inner();
        self.cached = Some(Arc::clone(memcg));
        self.cached_addr = addr(&**memcg);
        self.nr_pages = nr.0;
        if self.nr_pages > self.batch {
            self.drain_inner();
        }
    }

    #[cold]
    #[inline(never)]
    fn drain_cold(&mut self) {
        self.drain_inner();
    }

    fn drain_inner(&mut self) {
        self.cached_addr = 0;
        if let Some(old) = self.cached.take()
            && self.nr_pages > 0
        {
            let r = old.stock_uncharge(Pages(self.nr_pages));
            note(&mut self.warning, r);
        }
        self.nr_pages = 0;
    }
}

/// A memcg's address, for identity comparisons only.
#[inline(always)]
pub(crate) fn addr<M>(m: &M) -> usize {
    std::ptr::from_ref(m) as usize
}

fn note(slot: &mut Option<Underflow>, r: Result<(), Underflow>) {
    if let Err(w) = r
        && slot.is_none()
    {
        *slot = Some(w);
    }
}

impl<M: StockTarget> ChargeStock<M> for MemcgStock<M> {
    const KIND: &'static str = "stock";

    fn batch(&self) -> Pages {
        Pages(self.batch)
    }

    #[inline(always)]
    fn consume(&mut self, memcg: &M, nr: Pages) -> bool {
        // The kernel first refuses requests above the batch; `nr_pages` never exceeds the batch
        // (refill drains past it), so the `nr_pages >= nr` test already does that.
        if self.cached_addr == addr(memcg) && self.nr_pages >= nr.0 {
            self.nr_pages -= nr.0;
            return true;
        }
        false
    }

    #[inline(always)]
    fn refill(&mut self, memcg: &Arc<M>, nr: Pages) {
        if self.cached_addr == addr(&**memcg) {
            self.nr_pages += nr.0;
            if self.nr_pages > self.batch {
                self.drain_cold();
            }
        } else {
            self.refill_other(memcg, nr);
        }
    }

    fn drain(&mut self) {
        self.drain_inner();
    }

    fn drain_if(&mut self, pred: &mut dyn FnMut(&M) -> bool) {
        if self.cached.as_deref().is_some_and(pred) {
            self.drain_inner();
        }
    }

    fn cached_pages(&self, memcg: &M) -> Pages {
        match &self.cached {
            Some(c) if std::ptr::eq(Arc::as_ptr(c), memcg) => Pages(self.nr_pages),
            _ => Pages(0),
        }
    }

    fn take_warning(&mut self) -> Option<Underflow> {
        self.warning.take()
    }
}

/// The stock-first charge of `try_charge` (`mm/memcontrol.c`, v4.19), without reclaim.
///
/// Take `nr` pages from this CPU's stock; else charge `max(batch, nr)` to the counters and put
/// the surplus in the stock; if the batch does not fit, retry with exactly `nr` (the surplus is
/// optional and never worth reclaim). `Err` names the level that refused `nr`; the memcg layer
/// then reclaims, drains stocks, or invokes OOM around this call.
#[doc(alias = "try_charge")]
#[inline(always)]
pub fn try_charge_stocked<'a, C, S, T>(
    stock: &mut S,
    memcg: &'a Arc<C>,
    nr: Pages,
    tracer: &T,
    cpu: CpuId,
) -> Result<(), &'a C>
where
    C: Counter + StockTarget,
    S: ChargeStock<C>,
    T: Tracer,
{
    {
        let _f = trace::func(tracer, cpu, "consume_stock");
        if stock.consume(memcg, nr) {
            return Ok(());
        }
    }
    charge_batch(stock, memcg, nr, tracer, cpu)
}

/// The counter part of [`try_charge_stocked`], kept out of line so the stock hit stays small.
#[inline(never)]
fn charge_batch<'a, C, S, T>(
    stock: &mut S,
    memcg: &'a Arc<C>,
    nr: Pages,
    tracer: &T,
    cpu: CpuId,
) -> Result<(), &'a C>
where
    C: Counter + StockTarget,
    S: ChargeStock<C>,
    T: Tracer,
{
    let batch = Pages(stock.batch().0.max(nr.0));
    match memcg.try_charge(batch, tracer, cpu) {
        Ok(()) => {
            if batch.0 > nr.0 {
                let _f = trace::func(tracer, cpu, "refill_stock");
                stock.refill(memcg, Pages(batch.0 - nr.0));
            }
            Ok(())
        }
        Err(_) if batch.0 > nr.0 => memcg.try_charge(nr, tracer, cpu),
        Err(level) => Err(level),
    }
}

/// Uncharge through the stock: `refill_stock(memcg, nr)`, as the kernel's batched and kmem
/// uncharges do; the pages stay charged until the stock drains.
#[inline(always)]
pub fn uncharge_stocked<C, S, T>(stock: &mut S, memcg: &Arc<C>, nr: Pages, tracer: &T, cpu: CpuId)
where
    C: Counter + StockTarget,
    S: ChargeStock<C>,
    T: Tracer,
{
    let _f = trace::func(tracer, cpu, "refill_stock");
    stock.refill(memcg, nr);
}

/// One stock per simulated CPU, each on its own cache line behind an uncontended lock.
///
/// **Kernel:** `DEFINE_PER_CPU(struct memcg_stock_pcp, memcg_stock)`.
/// **Differences:** like `cgsim_ktypes::PerCpu`, but the lock is the crate's loom-visible
/// `Mutex`, so the loom tests can race `drain_all_stock` against a CPU's own charges.
#[derive(Debug)]
pub struct PerCpuStocks<S> {
    slots: Box<[CachePadded<Mutex<S>>]>,
}

impl<S> PerCpuStocks<S> {
    /// One stock per CPU, built by `init`.
    pub fn new(nr_cpus: usize, mut init: impl FnMut(CpuId) -> S) -> PerCpuStocks<S> {
        PerCpuStocks {
            slots: (0..nr_cpus)
                .map(|c| CachePadded::new(Mutex::new(init(CpuId(c as u32)))))
                .collect(),
        }
    }

    /// `nr_cpu_ids`.
    pub fn nr_cpus(&self) -> usize {
        self.slots.len()
    }

    /// `get_cpu_var(memcg_stock)`: this CPU's stock.
    ///
    /// # Panics
    /// If `cpu` does not exist (a simulator bug).
    pub fn lock(&self, cpu: CpuId) -> impl std::ops::DerefMut<Target = S> + '_ {
        let g: MutexGuard<'_, S> = self.slots[cpu.index()].lock();
        g
    }

    /// Exclusive access without locking (a thread that owns the whole array).
    pub fn get_mut(&mut self, cpu: CpuId) -> &mut S {
        self.slots[cpu.index()].get_mut()
    }

    /// Every CPU's stock, exclusively (to hand one to each benchmark thread).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut S> {
        self.slots.iter_mut().map(|s| s.get_mut())
    }

    /// `drain_all_stock(root)`: drain, on every CPU, the stock slots whose memcg `pred` selects.
    ///
    /// **Differences:** the kernel schedules the drain as work on each CPU and may skip CPUs
    /// already draining; here each CPU's stock is drained synchronously under its lock.
    #[doc(alias = "drain_all_stock")]
    pub fn drain_all<M>(&self, mut pred: impl FnMut(&M) -> bool)
    where
        M: StockTarget,
        S: ChargeStock<M>,
    {
        for slot in self.slots.iter() {
            slot.lock().drain_if(&mut pred);
        }
    }
}
