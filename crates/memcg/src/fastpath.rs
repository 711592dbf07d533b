//! The fault fast path: anonymous faults and `MADV_DONTNEED` zaps under the world's read side.
//!
//! **Kernel:** what `handle_mm_fault` → `do_anonymous_page` and `zap_pte_range` take on the
//! common path: the task's `mmap_sem` and page-table lock (here the mm's mutex), the CPU
//! (preemption off: here the CPU's mutex, holding its pagevec, stock, frame cache and statistics
//! deltas), the zone's `lru_lock` once per pagevec (here the memcg's LRU mutex), `zone->lock`
//! once per batch of frames, and the counters' own locks or atomics. No lock is shared by two
//! CPUs faulting in two mms except the counters of the memcgs they share, as in the kernel.
//!
//! A call takes the fast path only when nothing it might meet needs the slow path's view of
//! the whole machine: no event hook installed (the thresholds layer has its own global lock),
//! no charge move in progress, the 2.6.34+ charge loop, tracing off, a task that is not an OOM
//! victim, an anonymous VMA that is not `VM_LOCKED`, and, per page: no entry yet (fault) or a
//! private anonymous page on an LRU list or on this CPU's pagevec, in a memcg not under OOM
//! (zap). A charge that might fail is never tried here ([`MemCounter::fits`]), so reclaim, OOM
//! and `failcnt` stay the slow path's. At the first page it cannot take, the call drops the read
//! side and the slow path (world write side) continues from that page: the result is the same
//! as if the slow path had done every page. A zap checks each entry just before it frees it (one
//! pass, as `zap_pte_range`), and hands the slow path its open uncharge batch
//! (`current->memcg_batch`) with the rest of the range, so a range the fast path only begins is
//! still uncharged once per batched memcg, as one `zap_page_range` does.
//!
//! The page table is reached through cursors (`PageTable::fill_range`, `clear_range`) that find
//! each pte page once per call and then index its entries, as the kernel maps a pte page once
//! (`pte_offset_map_lock`) for the run of entries it covers.
//!
//! A call's body, its page-table cursor and the per-entry step are all inlined into the call's
//! entry (`#[inline(always)]`; the zap's per-entry step reaches the cursor as a
//! [`ClearEntry`](crate::mm::ClearEntry), not a closure), so a single-page fault or zap is one
//! function with its state in registers: each layer that was a call of its own saved and
//! reloaded registers and copied its captured references (`docs/benchmarks.md` §3.22). The
//! rare steps stay out of line: the counters' charge past the stock, the frame cache's refill
//! and give-back, the uncharge warning.
//!
//! **Differences:** the kernel links each page of a pagevec onto its LRU list with one
//! `list_add` (`add_page_to_lru_list`) and unlinks each freed page with one `list_del`, each
//! storing into the neighbours' `list_head`s. Here a drain splices each run of pages bound for
//! one list at its head (`page::HeadSplice`), and a zap unlinks each run of pages that are
//! neighbours on their list at once (`page::UnlinkRun`), under the same lock holds: the lists,
//! their lengths and every page's links end exactly as the per-page operations leave them, with
//! each page's links stored once and the pages around a run stored once per run. The
//! memcg of a zapped page, its record and its batch slot are looked up once per run of pages of
//! one memcg, not per page.

use crate::counter_ext::MemCounter;
use crate::current::TaskRef;
use crate::machine::{MemoryMachine, World};
use crate::memcontrol::{MemCgroup, MemcgSlot};
use crate::mm::{Mm, MmId};
use crate::page::{
    self, LruList, LruVec, NO_MEMCG, PCG_USED, PG_ANON, PG_DIRTY, PG_LRU, PG_PAGEVEC, Page, Pfn,
};
use crate::percpu::{CpuState, PCP_BATCH, PCP_HIGH};
use crate::vmscan::SWAP_CLUSTER_MAX;
use arrayvec::ArrayVec;
use cgsim_counters::ChargeStock;
use cgsim_ktypes::klog::Level;
use cgsim_ktypes::lockdep::{LockClass, Tracked};
use cgsim_ktypes::trace::{NoTrace, Tracer};
use cgsim_ktypes::{CpuId, Pages, Pid};
use parking_lot::MutexGuard;
use spin::mutex::SpinMutexGuard as SpinGuard;
use std::ops::ControlFlow;

/// Memcgs one zap batches its uncharges for; pages of further memcgs are uncharged directly.
const UNCHARGE_BATCH_SLOTS: usize = 4;

/// One memcg of a fast zap's uncharge batch: its record (looked up once) and the pages held
/// for it, uncharged at the end of the call.
struct BatchSlot<'a, C: MemCounter> {
    memcg: MemcgSlot,
    m: &'a MemCgroup<C>,
    n: u64,
}

/// The state of one fast zap's pass over its range ([`Fast::zap_range`]), kept in one place so
/// that the page table's cursor calls [`ZapPass::page`] with one pointer to it.
struct ZapPass<'a, C: MemCounter> {
    w: &'a World<C>,
    /// This CPU's index.
    c: usize,
    /// `current->memcg_batch`: the kernel batches one memcg and uncharges the others' pages
    /// directly; a few slots keep the common cases batched without allocating. The counters
    /// are uncharged once per slot at the end (`mem_cgroup_uncharge_start`/`_end`).
    batch: ArrayVec<BatchSlot<'a, C>, UNCHARGE_BATCH_SLOTS>,
    /// The run of pages of one memcg being zapped: the memcg (as its first-word bits;
    /// `u32::MAX` before the first page, a value no memcg has), its record, looked up once per
    /// run (its `under_oom`, its LRU lock, its counters), and where its pages go: a batch slot
    /// (`run_slot`, with `run_n` pages counted here and added to the slot when the run ends)
    /// or, with every slot taken, a direct uncharge per page (`run_direct`).
    run_memcg: u32,
    run_m: Option<&'a MemCgroup<C>>,
    run_slot: usize,
    run_n: u64,
    run_direct: Option<(MemcgSlot, &'a MemCgroup<C>)>,
    /// `release_pages`: the LRU lock is held across up to SWAP_CLUSTER_MAX pages of one memcg
    /// (`lock_batch`), not taken per page.
    held: Option<MutexGuard<'a, LruVec>>,
    held_for: u32,
    lock_batch: u64,
    /// The run of LRU neighbours being unlinked under `held` ([`page::UnlinkRun`]), joined up
    /// before the lock is dropped.
    unlinking: Option<page::UnlinkRun>,
}

impl<'a, C: MemCounter> ZapPass<'a, C> {
    /// One entry of the range: check it and, if this call may free what it maps, take the
    /// page off its LRU list or pagevec, count its uncharge and free it (the cursor then
    /// clears the entry); otherwise stop the pass.
    #[inline(always)]
    fn page(&mut self, cpu: &mut CpuState<C>, e: u64) -> ControlFlow<()> {
        let w = self.w;
        let Some(pfn) = crate::mm::pte_pfn(e) else {
            return ControlFlow::Break(());
        };
        let frame = &w.zone.pages[pfn.index()];
        // The page record's first word, loaded once and tested bit by bit: nothing else can
        // change it while this call runs (the page is on this CPU's pagevec, whose lock this
        // call holds, or on an LRU list, which only the slow path (write side) takes pages off
        // besides a zap of its own mm, whose lock this call holds).
        let h = frame.load_head_word();
        let on_lru = h.has(PG_LRU);
        if !h.is_private_evictable_anon() || !(on_lru || h.on_pagevec_of(self.c)) {
            return ControlFlow::Break(());
        }
        if h.memcg_bits() != self.run_memcg && self.start_run(h.memcg()).is_break() {
            return ControlFlow::Break(());
        }
        // Unmap (the cursor clears the entry), take off the LRU or pagevec, free.
        if on_lru {
            self.lru_del(h.lru_list(), pfn);
        } else {
            // The record names the page's slot: no search (see `swap.rs` `Pagevec` for what
            // the kernel does instead, `lru_add_drain` then `release_pages`).
            cpu.pagevec.remove(h.pagevec_slot(), pfn);
        }
        // The statistics (`mem_cgroup_charge_statistics`) go with the uncharge: per batch slot
        // at the end, per page for a memcg without a slot. Nothing reads this CPU's delta
        // before the CPU lock is released.
        match self.run_direct {
            None => self.run_n += 1,
            Some((s, m)) => {
                let d = cpu.stat_mut(s);
                d.rss -= 1;
                d.pgpgout += 1;
                if w.charges(m) {
                    w.uncharge_counters_of(&NoTrace, CpuId(self.c as u32), m, 1, 1);
                }
            }
        }
        // Off every list now (unlinking left its links `NIL`, a pagevec page never had
        // any): the first and last words are enough to free the record.
        frame.store_free_unlinked();
        cpu.pcp.push(pfn);
        if cpu.pcp.is_full() {
            Fast::pcp_give_back(w, cpu);
        }
        ControlFlow::Continue(())
    }

    /// The first page of memcg `s` after pages of another (or none): look its record up, stop
    /// if it is under OOM (or the page is charged to none), and find or open its batch slot.
    #[inline(always)]
    fn start_run(&mut self, s: MemcgSlot) -> ControlFlow<()> {
        if s == NO_MEMCG {
            return ControlFlow::Break(());
        }
        let m = self.w.mc(s);
        if m.under_oom > 0 {
            return ControlFlow::Break(());
        }
        self.end_run();
        self.run_direct = None;
        self.run_slot = match self.batch.iter().position(|b| b.memcg == s) {
            Some(k) => k,
            None if !self.batch.is_full() => {
                self.batch.push(BatchSlot { memcg: s, m, n: 0 });
                self.batch.len() - 1
            }
            None => {
                self.run_direct = Some((s, m));
                0
            }
        };
        (self.run_memcg, self.run_m) = (u32::from(s.0), Some(m));
        ControlFlow::Continue(())
    }

    /// The run's pages go to its batch slot (none before the first page).
    #[inline]
    fn end_run(&mut self) {
        if self.run_direct.is_none()
            && let Some(b) = self.batch.get_mut(self.run_slot)
        {
            b.n += std::mem::take(&mut self.run_n);
        }
    }

    /// `del_page_from_lru_list` under the run's memcg's LRU lock, held across up to
    /// `SWAP_CLUSTER_MAX` pages, with neighbours unlinked as one run.
    #[inline]
    fn lru_del(&mut self, l: LruList, pfn: Pfn) {
        let pages = &self.w.zone.pages;
        self.lock_batch += 1;
        if self.lock_batch > SWAP_CLUSTER_MAX || self.held_for != self.run_memcg {
            if let (Some(u), Some(lru)) = (self.unlinking.take(), self.held.as_deref_mut()) {
                u.close(pages, lru);
            }
            self.held = None;
            self.lock_batch = 1;
        }
        let lru = match &mut self.held {
            Some(g) => g,
            None => {
                self.held_for = self.run_memcg;
                self.held
                    .insert(self.run_m.expect("a run has its memcg").lru.lock())
            }
        };
        if !self
            .unlinking
            .as_mut()
            .is_some_and(|u| u.extend(pages, l, pfn))
        {
            if let Some(u) = self.unlinking.take() {
                u.close(pages, lru);
            }
            self.unlinking = Some(page::UnlinkRun::new(pages, l, pfn));
        }
    }
}

/// A fast fault's state, as the page table's cursor sees it: `do_anonymous_page` for each
/// entry that is none ([`FaultCursor::entry`]).
struct FaultCursor<'p, 'a, C: MemCounter> {
    w: &'a World<C>,
    cpu: &'p mut CpuState<C>,
    c: usize,
    /// The memcg charged (`mm->owner`'s) and its record if it charges counters (`None` for
    /// the uncharged root).
    memcg: MemcgSlot,
    charges: Option<&'a MemCgroup<C>>,
    vmas: &'p crate::mm::Vmas,
    /// The VMA found last covers `..vma_end` (the mm lock keeps the VMAs as they are).
    vma_end: u64,
    /// The pages' first record word, but for the pagevec slot.
    head: page::Head,
    mm_id: MmId,
    /// `mem_cgroup_charge_statistics` per page, added to this CPU's delta once per call:
    /// nothing reads the delta before the CPU lock is released.
    faulted: u64,
}

impl<C: MemCounter> crate::mm::FillEntry for FaultCursor<'_, '_, C> {
    #[inline(always)]
    fn entry(&mut self, vpn: u64) -> Option<Pfn> {
        let w = self.w;
        if vpn >= self.vma_end {
            self.vma_end = self.vmas.find_anon_end(vpn)?;
        }
        let pfn = Fast::alloc_frame(w, self.cpu)?;
        if !Fast::try_charge(w, self.cpu, self.c, self.memcg, self.charges) {
            self.cpu.pcp.push(pfn);
            return None;
        }
        debug_assert!(vpn < crate::mm::USER_VPN_END);
        // __mem_cgroup_commit_charge + lru_cache_add: the page is still ours alone.
        let slot = self.cpu.pagevec.push(&w.zone.pages, pfn);
        w.zone.pages[pfn.index()].store_new(
            self.head.with_pagevec_slot(slot),
            self.mm_id.0,
            // `vpn` is inside a VMA, and every VMA ends below `USER_VPN_END` (2^32 pages):
            // the index fits (`mm::page_index` without its check per page).
            vpn as u32,
        );
        self.faulted += 1;
        if self.cpu.pagevec.is_full() {
            Fast::pagevec_lru_add(w, self.cpu);
        }
        Some(pfn)
    }
}

/// A fast zap's pass and its CPU, as the page table's cursor sees them.
struct ZapCursor<'p, 'a, C: MemCounter> {
    z: &'p mut ZapPass<'a, C>,
    cpu: &'p mut CpuState<C>,
}

impl<C: MemCounter> crate::mm::ClearEntry for ZapCursor<'_, '_, C> {
    #[inline(always)]
    fn entry(&mut self, _vpn: u64, e: u64) -> ControlFlow<()> {
        self.z.page(self.cpu, e)
    }
}

/// What a fast zap leaves to the slow path: the range from `from` on, and the uncharge batch
/// it opened (`current->memcg_batch`: a memcg and the pages held for it, not yet uncharged),
/// which the slow zap continues ([`World::zap_page_range_from`]) and closes.
#[derive(Copy, Clone, Debug)]
pub(crate) struct ZapRest {
    pub(crate) from: u64,
    pub(crate) batch: Option<(MemcgSlot, u64)>,
}

/// The locks one fast-path call holds: its CPU's shard of the world lock (the world, read-only,
/// and the CPU's state) and the task's mm.
struct Fast<'a, C: MemCounter> {
    w: &'a World<C>,
    /// The faulting task and its memcg (the charge goes to `mm->owner`'s, usually the same).
    pid: Pid,
    task_memcg: MemcgSlot,
    mm_id: MmId,
    mm: SpinGuard<'a, Mm>,
    /// The CPU's index (its shard's).
    c: usize,
    cpu: &'a mut CpuState<C>,
}

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// Run `f` on the fast path of `task` on CPU `cpu`: lock the CPU's shard of the world (the
    /// world's read side and the CPU's state in one lock round), test the machine-wide
    /// conditions (one word the write side keeps, `World::fast_path_allowed`, and the two a
    /// host may change without it: the tracer and `fail_page_alloc`), then lock the task's mm.
    /// `None` if the call must go to the slow path whole.
    #[inline(always)]
    fn fast<R>(
        &self,
        task: &mut TaskRef,
        cpu: CpuId,
        f: impl FnOnce(&mut Fast<'_, C>) -> R,
    ) -> Option<R> {
        if T::ENABLED && self.tracer.is_on() {
            return None;
        }
        let mut g = Tracked::new(LockClass::MemcgWorld, || self.world.read_cpu(cpu.index()));
        let (w, cs, c) = g.split();
        if !w.fast_path_allowed || w.host.fault.as_ref().is_some_and(|f| f.page_alloc_armed()) {
            return None;
        }
        Some(f(&mut Fast::enter(w, cs, task, c)?))
    }

    /// Fault in `[vpn, end)` of `task` on the fast path; returns the first page it left for the
    /// slow path (`end` if none).
    #[inline]
    pub(crate) fn touch_fast(
        &self,
        task: &mut TaskRef,
        vpn: u64,
        end: u64,
        write: bool,
        cpu: CpuId,
    ) -> u64 {
        self.fast(task, cpu, |f| f.fault_range(vpn, end, write))
            .unwrap_or(vpn)
    }

    /// Zap `[first, end)` of `task` on the fast path as far as the entries allow; what is
    /// left (from the first entry it could not free, with the open uncharge batch) is the
    /// slow path's.
    #[inline]
    pub(crate) fn zap_fast(
        &self,
        task: &mut TaskRef,
        first: u64,
        end: u64,
        cpu: CpuId,
    ) -> Result<(), ZapRest> {
        self.fast(task, cpu, |f| f.zap_range(first, end))
            .unwrap_or(Err(ZapRest {
                from: first,
                batch: None,
            }))
    }
}

impl<'a, C: MemCounter> Fast<'a, C> {
    /// The task's mm locked, with its CPU's shard already held (`w`, `cpu`; `c` its index).
    /// The task comes from its handle (`current`, `current.rs`) while the task table's
    /// generation says nothing changed since the handle was read; otherwise it is looked up by
    /// pid, as the pid API always did, and the handle refreshed for the next call.
    #[inline(always)]
    fn enter(
        w: &'a World<C>,
        cpu: &'a mut CpuState<C>,
        task: &mut TaskRef,
        c: usize,
    ) -> Option<Self> {
        if task.generation != w.tasks.generation() {
            task.refresh(w)?;
        }
        // Lock order: world (the CPU's shard) -> mm -> memcg LRU -> free list.
        let mm = w.mms.get(task.mm.index())?.lock();
        // A pagevec the slow path filled may hold uncharged pages (orphan LRU, slow only).
        // Looked at once after each write-side hold (`CpuState::pagevec_checked`).
        if !cpu.pagevec_checked {
            if cpu
                .pagevec
                .iter()
                .any(|&p| w.zone.pages[p.index()].memcg() == NO_MEMCG)
            {
                return None;
            }
            cpu.pagevec_checked = true;
        }
        Some(Fast {
            w,
            pid: task.pid,
            task_memcg: task.memcg,
            mm_id: task.mm,
            mm,
            c,
            cpu,
        })
    }

    /// `do_anonymous_page` for each absent entry of an anonymous VMA, until one needs more.
    #[inline(always)]
    fn fault_range(&mut self, vpn: u64, end: u64, write: bool) -> u64 {
        let w = self.w;
        let (c, mm_id) = (self.c, self.mm_id);
        // mm->owner's memcg (`mm_memcg` without taking the mm lock again).
        let memcg = if self.mm.owner == self.pid {
            self.task_memcg
        } else {
            w.tasks
                .get(&self.mm.owner)
                .map_or(MemcgSlot::ROOT, |t| t.memcg)
        };
        // The memcg's record and whether it charges counters, looked up once per call: the
        // world's read side keeps the memcg table as it is.
        let m = w.mc(memcg);
        let charges = w.charges(m).then_some(m);
        let Mm {
            vmas,
            ptes,
            anon_rss,
            ..
        } = &mut *self.mm;
        // Every page of the call gets the same first record word but for its pagevec slot:
        // built once here (`__mem_cgroup_commit_charge`'s `pc->mem_cgroup` and `PCG_USED`,
        // `page_add_new_anon_rmap`'s mapcount and `PageAnon`, `lru_cache_add`'s pagevec).
        let head = Page {
            flags: PG_ANON
                | w.new_anon_lru()
                | PCG_USED
                | PG_PAGEVEC
                | if write { PG_DIRTY } else { 0 },
            memcg,
            mapcount: 1,
            pagevec: Page::pagevec_pos(c, 0),
            ..Page::FREE
        }
        .head();
        // The pte cursor finds each pte page once (`pte_offset_map_lock`) and stores into its
        // entries directly; it stops at the first entry that is not none.
        let mut fc = FaultCursor {
            w,
            cpu: &mut *self.cpu,
            c,
            memcg,
            charges,
            vmas,
            vma_end: 0,
            head,
            mm_id,
            faulted: 0,
        };
        let stop = ptes.fill_range(vpn, end, &mut fc);
        let (faulted, cpu) = (fc.faulted, fc.cpu);
        if faulted > 0 {
            *anon_rss += faulted;
            cpu.fast_faults += faulted;
            let d = cpu.stat_mut(memcg);
            d.rss += faulted as i64;
            d.pgpgin += faulted;
        }
        stop
    }

    /// A frame from this CPU's cache, refilled from the global free list a batch at a time.
    /// `None` when the global list is empty: global reclaim is the slow path's.
    #[inline]
    fn alloc_frame(w: &World<C>, cpu: &mut CpuState<C>) -> Option<Pfn> {
        match cpu.pcp.pop() {
            Some(p) => Some(p),
            None => Self::alloc_frame_refill(w, cpu),
        }
    }

    /// `rmqueue_bulk`: a batch of frames from the global free list into this CPU's cache.
    #[cold]
    #[inline(never)]
    fn alloc_frame_refill(w: &World<C>, cpu: &mut CpuState<C>) -> Option<Pfn> {
        let mut free = w.zone.free.lock();
        let n = free.len().min(PCP_BATCH);
        let at = free.len() - n;
        cpu.pcp.extend(free.drain(at..));
        drop(free);
        cpu.pcp.pop()
    }

    /// `__mem_cgroup_try_charge`'s successful paths: the stock, or the counters when the charge
    /// (with its batch) fits everywhere.
    /// `m` is the memcg's record if it charges counters (`None` for the uncharged root).
    /// The stock's hit is inlined into the fault loop; the counters are charged out of line.
    #[inline]
    fn try_charge(
        w: &World<C>,
        cpu: &mut CpuState<C>,
        c: usize,
        memcg: MemcgSlot,
        m: Option<&MemCgroup<C>>,
    ) -> bool {
        let Some(m) = m else {
            return true;
        };
        // With `memcg.stock_pages = 0` the stock is never refilled, so `consume` fails.
        if cpu.stock.consume(&m.counters, Pages(1)) {
            return true;
        }
        Self::try_charge_counters(w, cpu, c, memcg, m)
    }

    /// `__mem_cgroup_try_charge` past the stock: the batch (or the page) charged to the
    /// counters if it fits everywhere, the rest of the batch refilled into the stock.
    #[inline(never)]
    fn try_charge_counters(
        w: &World<C>,
        cpu: &mut CpuState<C>,
        c: usize,
        memcg: MemcgSlot,
        m: &MemCgroup<C>,
    ) -> bool {
        let stock = w.profile.stock_pages;
        let csize = Pages(stock.max(1));
        let fits =
            m.counters.res.fits(csize) && m.counters.memsw.as_deref().is_none_or(|c| c.fits(csize));
        // 6.6: a charge that leaves some level over `memory.high` is followed by
        // `mem_cgroup_handle_over_high` (a `high` event and reclaim), which needs the write
        // side: leave it to the slow path.
        let over_high = m.counters.res.as_protected().is_some_and(|c| {
            let mut l = Some(c);
            while let Some(x) = l {
                if x.parent().is_some() && x.read().0.saturating_add(csize.0) > x.high().0 {
                    return true;
                }
                l = x.parent();
            }
            false
        });
        if !fits
            || over_high
            || w.charge_counters(&NoTrace, CpuId(c as u32), memcg, csize)
                .is_err()
        {
            // A racing charge took the room: the slow path retries (and counts the failure).
            return false;
        }
        if csize.0 > 1 {
            cpu.stock.refill(&m.counters, Pages(csize.0 - 1));
            if let Some(u) = cpu.stock.take_warning() {
                w.printk(Level::Warning, u.to_string());
            }
        }
        true
    }

    /// `____pagevec_lru_add`: this CPU's pagevec onto its memcgs' LRU lists, under each list's
    /// lock. Each run of pages bound for the same list of the same memcg is spliced at the
    /// list's head as the run goes: the list ends as one `list_add` per page leaves it (the
    /// last page at the head), but each page's links are stored once, when the next page of
    /// the run (or the run's end) names its `prev`, without loading any page's links; the old
    /// head's `prev` is stored once per run. Each page's first word is loaded once and stored
    /// once, with `PG_LRU` set and `PG_PAGEVEC` cleared, under the lock of the list it goes on
    /// (a zap on another CPU that sees `PG_LRU` takes that lock before it looks at the links).
    fn pagevec_lru_add(w: &World<C>, cpu: &mut CpuState<C>) {
        let pv = cpu.pagevec.take();
        let pages = &w.zone.pages;
        // One lock hold per run of pages of the same memcg, as the kernel takes `lru_lock`
        // once per pagevec (again only when the zone changes).
        let mut held: Option<MutexGuard<'_, LruVec>> = None;
        let mut held_for = u32::MAX;
        // The open run: its key ([`Head::lru_key`]) and the splice.
        let mut run: Option<(u64, page::HeadSplice)> = None;
        for &pfn in pv.iter() {
            let frame = &pages[pfn.index()];
            let h = frame.load_head_word();
            match &mut run {
                Some((key, r)) if *key == h.lru_key() => r.push(pages, pfn),
                _ => {
                    if let (Some((_, r)), Some(lru)) = (run.take(), held.as_deref_mut()) {
                        r.close(pages, lru);
                    }
                    if h.memcg_bits() != held_for {
                        drop(held.take());
                        held = Some(w.mc(h.memcg()).lru.lock());
                        held_for = h.memcg_bits();
                    }
                    let lru = held.as_deref().expect("locked just above");
                    run = Some((h.lru_key(), page::HeadSplice::new(lru, h.lru_list(), pfn)));
                }
            }
            frame.store_head_word(h.with_flags(PG_LRU, PG_PAGEVEC));
        }
        if let (Some((_, r)), Some(lru)) = (run, held.as_deref_mut()) {
            r.close(pages, lru);
        }
        drop(held);
    }

    /// `zap_page_range` of `[first, end)` as far as every entry is a private anonymous page
    /// this call may free, in one pass: each entry is checked and, if this call may free it,
    /// unmapped and freed at once ([`ZapPass::page`]). The first entry it may not free stops
    /// the pass, and the rest of the range, from that entry on, is left to the slow path
    /// ([`ZapRest`]) with the uncharge batch still open, so the whole zap uncharges as one slow
    /// zap would.
    #[inline(always)]
    fn zap_range(&mut self, first: u64, end: u64) -> Result<(), ZapRest> {
        let w = self.w;
        let c = self.c;
        let cpu = &mut *self.cpu;
        let Mm { ptes, anon_rss, .. } = &mut *self.mm;
        let mut z = ZapPass {
            w,
            c,
            batch: ArrayVec::new(),
            run_memcg: u32::MAX,
            run_m: None,
            run_slot: 0,
            run_n: 0,
            run_direct: None,
            held: None,
            held_for: u32::MAX,
            lock_batch: 0,
            unlinking: None,
        };
        let (refused, zapped) = ptes.clear_range(first, end, &mut ZapCursor { z: &mut z, cpu });
        z.end_run();
        if let (Some(u), Some(lru)) = (z.unlinking.take(), z.held.as_deref_mut()) {
            u.close(&w.zone.pages, lru);
        }
        drop(z.held.take());
        *anon_rss -= zapped;
        cpu.fast_zaps += zapped;
        // The first slot is the kernel's batch (the memcg of the first page uncharged); it
        // stays open for the slow path if the pass was refused.
        let mut handed = None;
        for (k, b) in z.batch.iter().enumerate() {
            let d = cpu.stat_mut(b.memcg);
            d.rss -= b.n as i64;
            d.pgpgout += b.n;
            if !w.charges(b.m) {
                continue;
            }
            if k == 0 && refused.is_some() {
                handed = Some((b.memcg, b.n));
            } else {
                w.uncharge_counters_of(&NoTrace, CpuId(c as u32), b.m, b.n, b.n);
            }
        }
        if cpu.pcp.len() > PCP_HIGH {
            Self::pcp_give_back(w, cpu);
        }
        match refused {
            None => Ok(()),
            Some(from) => Err(ZapRest {
                from,
                batch: handed,
            }),
        }
    }

    /// `free_pcppages_bulk`: a batch of this CPU's cached frames back to the global list.
    #[cold]
    #[inline(never)]
    fn pcp_give_back(w: &World<C>, cpu: &mut CpuState<C>) {
        let at = cpu.pcp.len().saturating_sub(PCP_BATCH);
        w.zone.free.lock().extend(cpu.pcp.drain(at..));
    }
}
