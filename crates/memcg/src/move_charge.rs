//! Moving charges between memcgs: reparenting at rmdir/force_empty and
//! `move_charge_at_immigrate` at attach.
//!
//! **Kernel:** `mm/memcontrol.c` `mem_cgroup_force_empty_list`, `mem_cgroup_move_parent`,
//! `mem_cgroup_move_account`, `mem_cgroup_can_attach`, `mem_cgroup_cancel_attach`,
//! `mem_cgroup_move_task`, `mem_cgroup_do_precharge`, `mem_cgroup_move_charge_pte_range`
//! (2.6.34/2.6.35; `mm/memcontrol.c` `mem_cgroup_pre_destroy`, `mem_cgroup_force_empty`, `mem_cgroup_can_attach`, `mem_cgroup_move_task`).
//!
//! **Differences:**
//! - Reparenting never fails: when the parent is not hierarchical its counters are charged
//!   without a limit check (`charge_nofail`) instead of reclaiming and retrying; swap entries
//!   recorded for the removed memcg are reparented too (the kernel leaves them on the dead memcg).
//! - Moving at attach takes every page of the task charged to the source memcg (bit 0: its
//!   private anonymous pages and swap entries; bit 1: shmem pages it maps). As in 2.6.35
//!   (`is_target_pte_for_mc`), anonymous pages still shared copy-on-write with another mm
//!   (`page_mapcount > 1`) and swap entries with more than one user stay behind; shmem pages are
//!   moved without the kernel's mapcount check.

use crate::counter_ext::MemCounter;
use crate::machine::{MemoryMachine, World};
use crate::memcontrol::MemcgId;
use crate::memcontrol::MemcgSlot;
use crate::mm::Pte;
use crate::page::{NO_MEMCG, PCG_CACHE, PG_ANON, PG_PAGEVEC, Pfn};
use cgsim_counters::Counter;
use cgsim_ktypes::klog::Level;
use cgsim_ktypes::percpu::smp_processor_id;
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{CpuId, Errno, Pages, Pid};

/// A precharge made by `can_attach`, consumed by `attach` (`struct move_charge_struct mc`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct MoveCharge {
    pub(crate) pid: Pid,
    pub(crate) from: MemcgSlot,
    pub(crate) to: MemcgSlot,
    pub(crate) precharge: u64,
}

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// `mem_cgroup_can_attach`: with `move_charge_at_immigrate` set on `to`, precharge `to` for
    /// the pages `pid` would bring along; ENOMEM (task not moved) if they do not fit.
    #[doc(alias = "mem_cgroup_can_attach")]
    /// Runs on [`smp_processor_id`]; [`can_attach_on`](Self::can_attach_on) names the CPU.
    pub fn can_attach(&self, pid: Pid, to: MemcgId) -> Result<(), Errno> {
        self.can_attach_on(smp_processor_id(), pid, to)
    }

    /// [`can_attach`](Self::can_attach) for a `tasks` write by a task on `cpu`: the precharge
    /// (`mem_cgroup_do_precharge` → `__mem_cgroup_try_charge`, v2.6.35) runs in the writer's
    /// context and so uses `cpu`'s charge stock.
    pub fn can_attach_on(&self, cpu: CpuId, pid: Pid, to: MemcgId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let to = w.slot_of(to).ok_or(Errno::ENODEV)?;
        w.mc = None;
        let Some(task) = w.tasks.get(&pid) else {
            return Ok(());
        };
        let from = task.memcg;
        let bits = w.mc(to).move_charge_at_immigrate;
        if bits == 0 || from == to || task.mm.is_none() {
            return Ok(());
        }
        // The core traces the callback itself (`mem_cgroup_can_attach`); this is the part that
        // only runs when charges will move.
        let _f = trace::func(t, cpu, "mem_cgroup_precharge_mc");
        let (pages, swaps) = w.move_targets(pid, from, bits);
        let need = (pages.len() + swaps.len()) as u64;
        let mut done = 0;
        while done < need {
            match w.mem_cgroup_try_charge(t, cpu, None, to, false) {
                Ok(_) => done += 1,
                Err(_) => {
                    w.cancel_precharge(t, cpu, to, done);
                    return Err(Errno::ENOMEM);
                }
            }
        }
        w.mc = Some(MoveCharge {
            pid,
            from,
            to,
            precharge: need,
        });
        Ok(())
    }

    /// `mem_cgroup_cancel_attach`: another subsystem refused; return the precharge.
    pub fn cancel_attach(&self, pid: Pid, to: MemcgId) {
        self.cancel_attach_on(smp_processor_id(), pid, to)
    }

    /// [`cancel_attach`](Self::cancel_attach) by a task on `cpu`.
    pub fn cancel_attach_on(&self, cpu: CpuId, _pid: Pid, _to: MemcgId) {
        let t = &*self.tracer;
        let mut w = self.lock();
        if let Some(mc) = w.mc.take()
            && w.memcgs.slots[mc.to.index()].is_some()
        {
            w.cancel_precharge(t, cpu, mc.to, mc.precharge);
        }
    }

    /// `mem_cgroup_move_task` (the attach callback): `pid` now belongs to `to`; its charges move
    /// along if `can_attach` precharged for them, else they stay behind (`mm/memcontrol.c` `mem_cgroup_move_charge`, v2.6.35).
    #[doc(alias = "mem_cgroup_move_task")]
    pub fn attach(&self, pid: Pid, to: MemcgId) -> Result<(), Errno> {
        let cpu = smp_processor_id();
        let _f = trace::func(&*self.tracer, cpu, "mem_cgroup_move_task");
        self.mem_cgroup_move_task(cpu, pid, to)
    }

    /// The body of [`attach`](Self::attach) without its frame: the cgroup core traces the
    /// `attach` callback under the kernel's name (`mem_cgroup_move_task`) itself.
    pub(crate) fn mem_cgroup_move_task(
        &self,
        cpu: CpuId,
        pid: Pid,
        to: MemcgId,
    ) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let to = w.slot_of(to).ok_or(Errno::ENODEV)?;
        let mc = w.mc.take();
        let Some(task) = w.tasks.get_mut(&pid) else {
            return Ok(());
        };
        let from = task.memcg;
        task.memcg = to;
        w.mc_mut(from).nr_tasks -= 1;
        w.mc_mut(to).nr_tasks += 1;
        if let Some(mc) = mc
            && mc.pid == pid
            && mc.to == to
        {
            let bits = w.mc(to).move_charge_at_immigrate;
            w.lru_add_drain_all();
            let (pages, swaps) = w.move_targets(pid, mc.from, bits);
            let mut left = mc.precharge;
            for pfn in pages {
                if left == 0 {
                    break;
                }
                left -= 1;
                w.mem_cgroup_move_account(t, cpu, pfn, mc.from, to, true);
            }
            for slot in swaps {
                if left == 0 {
                    break;
                }
                left -= 1;
                w.move_swap_account(t, cpu, slot, mc.from, to, true);
            }
            if left > 0 {
                w.cancel_precharge(t, cpu, to, left);
            }
        }
        Ok(())
    }

    /// `can_attach` + `attach`, as a write to `tasks` runs them.
    pub fn attach_task(&self, pid: Pid, to: MemcgId) -> Result<(), Errno> {
        self.can_attach(pid, to)?;
        self.attach(pid, to)
    }

    /// The fork callback: the child's memory cgroup (before `fork_mm`).
    pub fn fork_task(&self, child: Pid, memcg: MemcgId) {
        let mut w = self.lock();
        let Some(s) = w.slot_of(memcg) else {
            return;
        };
        if let Some(task) = w.tasks.get_mut(&child) {
            let old = task.memcg;
            task.memcg = s;
            w.mc_mut(old).nr_tasks -= 1;
            w.mc_mut(s).nr_tasks += 1;
        } else {
            w.pending_fork.insert(child, s);
        }
    }
}

/// What a charge move carries: a page holds a charge in both counters (res and memsw), a swap
/// entry only in memsw (`mm/memcontrol.c` `mem_cgroup_move_account` and
/// `mem_cgroup_move_swap_account`, v2.6.35).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Moved {
    Page,
    SwapEntry,
}

impl<C: MemCounter> World<C> {
    /// The pages and swap slots of `pid`'s mm charged to `from` that a move with `bits` takes.
    fn move_targets(&self, pid: Pid, from: MemcgSlot, bits: u64) -> (Vec<Pfn>, Vec<u32>) {
        let mut pages = Vec::new();
        let mut swaps = Vec::new();
        let Some(mm) = self.tasks.get(&pid).and_then(|t| t.mm) else {
            return (pages, swaps);
        };
        for (_, pte) in self.mms[mm.index()].lock().ptes.iter() {
            match pte {
                Pte::Page(pfn) => {
                    let pg = self.zone.pages[pfn.index()].load();
                    let want = if pg.has(PG_ANON) {
                        // "we don't move shared anon"
                        bits & 1 != 0 && pg.mapcount <= 1
                    } else {
                        bits & 2 != 0
                    };
                    if want && pg.memcg == from && !pages.contains(&pfn) {
                        pages.push(pfn);
                    }
                }
                Pte::Swap(slot) => {
                    let sw = self.swap_info.map[slot as usize];
                    if bits & 1 != 0 && sw.memcg == from && sw.count == 1 {
                        swaps.push(slot);
                    }
                }
            }
        }
        (pages, swaps)
    }

    fn cancel_precharge<T: Tracer>(&mut self, t: &T, cpu: CpuId, to: MemcgSlot, n: u64) {
        if n == 0 || !self.charges_counters(to) {
            return;
        }
        self.uncharge_counters(t, cpu, to, n, n);
    }

    fn warn_all(&self, r: Vec<Result<(), cgsim_counters::Underflow>>) {
        for x in r {
            if let Err(u) = x {
                self.printk(Level::Warning, u.to_string());
            }
        }
    }

    /// `mem_cgroup_force_empty_list` over every list + swap entries: move all of `s`'s charges
    /// to its parent (`mem_cgroup_move_parent`).
    pub(crate) fn force_empty_move_account<T: Tracer>(&mut self, t: &T, cpu: CpuId, s: MemcgSlot) {
        let Some(parent) = self.mc(s).parent else {
            return;
        };
        if self.profile.charge_algo == crate::profile::ChargeAlgo::V2_6_25 {
            self.force_empty_drop(t, cpu, s);
            return;
        }
        self.drain_all_stock(s);
        self.lru_add_drain_all();
        // The kernel walks the memcg's own LRU lists (`mem_cgroup_force_empty_list`), so an
        // empty memcg costs nothing to empty; here the pages are found by scanning the page
        // array, which is skipped when the memcg's statistics (exact: the CPUs' deltas are
        // folded under the world lock) say it holds no page, as invariant 4 of
        // `invariants.rs` guarantees. Without the skip every rmdir cost O(RAM), twice.
        let st = self.mc(s).stat;
        if st.cache != 0 || st.rss != 0 {
            let pfns: Vec<Pfn> = (0..self.zone.pages.len())
                .map(Pfn::from_index)
                .filter(|&p| self.zone.pages[p.index()].memcg() == s)
                .collect();
            for pfn in pfns {
                self.mem_cgroup_move_account(t, cpu, pfn, s, parent, false);
            }
        } else {
            debug_assert!(
                self.zone.pages.iter().all(|p| p.memcg() != s),
                "memcg {s} has pages but no cache or rss"
            );
        }
        if st.swap != 0 {
            let slots: Vec<u32> = (0..u32::try_from(self.swap_info.map.len())
                .expect("slot numbers are u32, checked at boot"))
                .filter(|&x| {
                    self.swap_info.map[x as usize].used()
                        && self.swap_info.map[x as usize].memcg == s
                })
                .collect();
            for slot in slots {
                self.move_swap_account(t, cpu, slot, s, parent, false);
            }
        } else {
            debug_assert!(
                self.swap_info.map.iter().all(|x| !x.used() || x.memcg != s),
                "memcg {s} has swap slots but no swap"
            );
        }
    }

    /// 2.6.25 `mem_cgroup_force_empty`: every charge of `s` is dropped; the pages stay in
    /// memory, charged to nobody (`mm/memcontrol.c` `mem_cgroup_force_empty`, `mem_cgroup_pre_destroy`, v2.6.34).
    pub(crate) fn force_empty_drop<T: Tracer>(&mut self, t: &T, cpu: CpuId, s: MemcgSlot) {
        self.lru_add_drain_all();
        let pfns: Vec<Pfn> = (0..self.zone.pages.len())
            .map(Pfn::from_index)
            .filter(|&p| self.zone.pages[p.index()].memcg() == s)
            .collect();
        for pfn in pfns {
            let on_lru = self.zone.pages[pfn.index()].has(crate::page::PG_LRU);
            if on_lru {
                self.lru_del(pfn);
            }
            self.mem_cgroup_uncharge_page(t, cpu, pfn, false);
            if on_lru {
                self.lru_add(pfn);
            }
        }
    }

    /// Move the counters of `nr` charged pages from `from` to `to`. `precharged`: `to` already
    /// holds the charge (attach); otherwise `to` is charged here (reparent).
    fn move_counters<T: Tracer>(
        &self,
        t: &T,
        cpu: CpuId,
        from: MemcgSlot,
        to: MemcgSlot,
        what: Moved,
        precharged: bool,
    ) {
        let res = what == Moved::Page;
        let (fc, tc) = (&self.mc(from).counters, &self.mc(to).counters);
        let charge_to = self.charges_counters(to) && !precharged;
        let mut r = Vec::new();
        let mut one = |f: &std::sync::Arc<C>, tt: &std::sync::Arc<C>| {
            if !self.charges_counters(from) {
                if charge_to {
                    let _ = tt.charge_nofail(Pages(1), t, cpu);
                }
                return;
            }
            let linked = Counter::parent(&**f).is_some_and(|p| std::ptr::eq(p, &**tt));
            if charge_to && linked {
                r.push(f.uncharge_until(Some(&**tt), Pages(1), t, cpu));
            } else {
                r.push(f.uncharge(Pages(1), t, cpu));
                if charge_to {
                    let _ = tt.charge_nofail(Pages(1), t, cpu);
                }
            }
        };
        if res {
            one(&fc.res, &tc.res);
        }
        if let (Some(fm), Some(tm)) = (&fc.memsw, &tc.memsw) {
            one(fm, tm);
        }
        self.warn_all(r);
    }

    /// `mem_cgroup_move_account(pc, from, to)`: the page's charge, statistics (cache/rss,
    /// mapped_file, and one pgpgout in `from`, one pgpgin in `to`) and LRU position move from
    /// `from` to `to`.
    pub(crate) fn mem_cgroup_move_account<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pfn: Pfn,
        from: MemcgSlot,
        to: MemcgSlot,
        precharged: bool,
    ) {
        let _f = trace::func(t, cpu, "mem_cgroup_move_account");
        let pg = self.zone.pages[pfn.index()].load();
        debug_assert_eq!(pg.memcg, from);
        debug_assert!(!pg.has(PG_PAGEVEC));
        self.move_counters(t, cpu, from, to, Moved::Page, precharged);
        let cache = pg.has(PCG_CACHE);
        let mapped = cache && pg.mapcount > 0;
        // __mem_cgroup_move_account (v2.6.34, v2.6.35): mapped_file moves with the page, then
        // mem_cgroup_charge_statistics(from, pc, false) and (to, pc, true) count the move as an
        // uncharge in the source (cache/rss down, pgpgout up) and a charge in the destination
        // (cache/rss up, pgpgin up). Every path (move_charge_at_immigrate, force_empty, rmdir)
        // goes through it.
        for (s, d) in [(from, -1i64), (to, 1)] {
            let st = &mut self.mc_mut(s).stat;
            if cache {
                st.cache += d;
            } else {
                st.rss += d;
            }
            if mapped {
                st.mapped_file += d;
            }
            if d > 0 {
                st.pgpgin += 1;
            } else {
                st.pgpgout += 1;
            }
        }
        let on_lru = pg.has(crate::page::PG_LRU);
        if on_lru {
            self.lru_del(pfn);
        }
        self.zone.pages[pfn.index()].set_memcg(to);
        if on_lru {
            self.lru_add(pfn);
        }
        // Both memcgs count a page event (`mm/memcontrol.c` `memcg_check_events`, v2.6.34).
        self.check_events(cpu, to);
        self.check_events(cpu, from);
        if self.mc(from).under_oom > 0 {
            self.memcg_oom_recover(t, cpu, from);
        }
    }

    /// `mem_cgroup_move_swap_account`: a swap entry's `swap_cgroup` and memsw charge move, and
    /// the `swap` statistic with them (`mem_cgroup_swap_statistics(from, false)` / `(to, true)`,
    /// v2.6.35); unlike a page, a swap entry counts no pgpgin or pgpgout.
    fn move_swap_account<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        slot: u32,
        from: MemcgSlot,
        to: MemcgSlot,
        precharged: bool,
    ) {
        self.move_counters(t, cpu, from, to, Moved::SwapEntry, precharged);
        if precharged && self.charges_counters(to) {
            // The precharge took res too; a swap entry holds only memsw.
            let r = self.mc(to).counters.res.uncharge(Pages(1), t, cpu);
            self.warn_all(vec![r]);
        }
        self.swap_info.map[slot as usize].memcg = if self.memcgs.slots[to.index()].is_some() {
            to
        } else {
            NO_MEMCG
        };
        self.mc_mut(from).stat.swap -= 1;
        self.mc_mut(to).stat.swap += 1;
        self.swap_usage_v2(from, -1);
        self.swap_usage_v2(to, 1);
    }
}
