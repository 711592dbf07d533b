//! The charge path: `mem_cgroup_charge_common`, `__mem_cgroup_try_charge`, commit and uncharge.
//!
//! **Kernel:** `mm/memcontrol.c` `mem_cgroup_newpage_charge`, `mem_cgroup_cache_charge`,
//! `mem_cgroup_charge_common`, `__mem_cgroup_try_charge`, `__mem_cgroup_commit_charge`,
//! `consume_stock`, `refill_stock`, `mem_cgroup_check_under_limit`, `mem_cgroup_uncharge_page`,
//! `__mem_cgroup_uncharge_common` (2.6.34 with the 2.6.35 OOM handling, `mm/memcontrol.c` `__mem_cgroup_try_charge`; the 2.6.25
//! loop of `mm/memcontrol.c` `mem_cgroup_charge_common`, v2.6.25 behind `memcg.charge_algo = v2_6_25`).
//!
//! The loop is generic over the counter backend `C` and the tracer `T`, so neither costs a
//! dynamic call; the one trait object on the path is the event hook (`memcg_check_events`),
//! called only while a registration asks for page events (a threshold: see
//! [`MemcgEventHook::wants_page_events`](crate::MemcgEventHook::wants_page_events)). While
//! none does, the fault fast path is taken, also through the `Kernel`.
//! **Differences:** every charge may sleep (`__GFP_WAIT`) and may invoke the OOM killer; the
//! "sleep ~100 ms" between rounds is not modelled (time does not advance). A task that the OOM
//! killer chose is not bypassed to the root: the fault returns [`FaultError::OomKilled`] and the
//! page is freed (the kernel charges nothing and frees the page when the task exits).

use crate::counter_ext::MemCounter;
use crate::machine::{FaultError, World};
use crate::memcontrol::{MemCgroup, MemcgSlot};
use crate::page::{NO_MEMCG, PCG_CACHE, PCG_USED, Pfn};
use crate::profile::{ChargeAlgo, OomModel};
use cgsim_counters::ChargeStock;
use cgsim_ktypes::klog::Level;
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{Bytes, CpuId, Errno, PAGE_SIZE, Pages, Pid};

/// `MEM_CGROUP_RECLAIM_RETRIES` (`mm/memcontrol.c`, v2.6.34).
pub const MEM_CGROUP_RECLAIM_RETRIES: u32 = 5;

/// Where a charge failed: the level that refused it and whether it was the memsw counter.
#[derive(Copy, Clone, Debug)]
pub(crate) struct OverLimit {
    /// `mem_over_limit` (a memcg slot; may be an ancestor of the charged memcg).
    pub(crate) memcg: MemcgSlot,
    /// The memsw counter refused: reclaim must not swap (`MEM_CGROUP_RECLAIM_NOSWAP`).
    pub(crate) noswap: bool,
}

/// `struct memcg_batch_info` (2.6.33+, `mm/memcontrol.c` `mem_cgroup_uncharge_start`, `mem_cgroup_uncharge_end`): uncharges coalesced while an unmap runs,
/// subtracted from the counters once at [`World::mem_cgroup_uncharge_end`].
///
/// **Kernel:** `current->memcg_batch` with `mem_cgroup_uncharge_start`/`_end` around
/// `unmap_vmas` (`mm/memory.c`) and `__do_uncharge` (`mm/memcontrol.c`).
/// **Differences:** the batch lives in the machine (the world lock makes it per caller). A page
/// is uncharged directly, as before, whenever the result could be seen before the batch ends:
/// an event hook is installed (it reads usage after every page event), the memcg is under OOM
/// (its waiters are woken per page), or the page belongs to another memcg than the batch's.
/// The counters end in the same state either way; only the number of counter operations drops.
#[doc(alias = "memcg_batch_info")]
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct UnchargeBatch {
    /// `do_batch`: nesting depth of uncharge_start.
    pub(crate) depth: u32,
    /// `memcg`: the memcg whose uncharges are held.
    pub(crate) memcg: Option<MemcgSlot>,
    /// `bytes` / `memsw_bytes`, in pages.
    pub(crate) nr: u64,
    pub(crate) memsw_nr: u64,
}

/// What the OOM handling decided for the charging task.
pub(crate) enum OomOutcome {
    /// Retry the charge with a fresh budget (a victim was killed).
    Retry,
    /// The charging task itself was killed.
    Killed,
    /// The charging task must sleep on this memcg's OOM wait queue.
    Wait(MemcgSlot),
    /// Nothing could be killed: fail with ENOMEM.
    Fail,
    /// 4.x `OOM_FAILED`: nothing could be killed; charge anyway (`force:` in `try_charge`).
    Force,
}

impl<C: MemCounter> World<C> {
    /// `mem_cgroup_newpage_charge` / `mem_cgroup_cache_charge` → `mem_cgroup_charge_common`:
    /// charge `pfn` to `memcg` and commit it (statistics, page_cgroup, LRU via the caller).
    #[doc(alias = "mem_cgroup_charge_common")]
    pub(crate) fn mem_cgroup_charge<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Pid,
        pfn: Pfn,
        memcg: MemcgSlot,
        cache: bool,
    ) -> Result<(), FaultError> {
        let _f = trace::func(t, cpu, "mem_cgroup_charge_common");
        // 5.13+ `__mem_cgroup_charge` → `charge_memcg` (try, then commit); the presets before
        // have no such frame (`+`: shown only where the kernel's symbol table names it).
        let _c = trace::func(t, cpu, "+charge_memcg");
        let charged = match self.profile.charge_algo {
            ChargeAlgo::V2_6_25 => self.charge_2_6_25(t, cpu, pid, memcg)?,
            ChargeAlgo::V2_6_34 | ChargeAlgo::V4X => {
                self.mem_cgroup_try_charge(t, cpu, Some(pid), memcg, true)?
            }
        };
        self.commit_charge(t, cpu, pfn, charged, cache);
        Ok(())
    }

    /// `__mem_cgroup_try_charge` (2.6.34, `mm/memcontrol.c`; OOM per `mem_cgroup_handle_oom`, `mem_cgroup_oom_lock`).
    ///
    /// Returns the memcg charged (`None`: bypassed, the page stays uncharged).
    #[doc(alias = "__mem_cgroup_try_charge")]
    pub(crate) fn mem_cgroup_try_charge<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Option<Pid>,
        mem: MemcgSlot,
        oom: bool,
    ) -> Result<Option<MemcgSlot>, FaultError> {
        let _f = trace::func(t, cpu, "__mem_cgroup_try_charge");
        // TIF_MEMDIE: the OOM killer's victim charges nothing on its way out.
        if pid.is_some_and(|p| self.tasks.get(&p).is_some_and(|t| t.memdie)) {
            return Ok(None);
        }
        if !self.charges_counters(mem) {
            return Ok(Some(mem));
        }
        let stock = self.profile.stock_pages;
        let mut csize = stock.max(1);
        // 6.6 `try_charge_memcg` retries `MAX_RECLAIM_RETRIES` (16) times; 2.6.34–4.x five.
        let max_retries = if self.mc(mem).counters.res.as_protected().is_some() {
            crate::memcontrol_v2::MAX_RECLAIM_RETRIES
        } else {
            MEM_CGROUP_RECLAIM_RETRIES
        };
        let mut nr_retries = max_retries;
        let c = cpu.index() % self.cpus.len();
        loop {
            if stock > 0 {
                let _g = trace::func(t, cpu, "consume_stock");
                // Disjoint fields: the memcg's counters are borrowed while this CPU's stock is
                // written, with no reference-count traffic on the fast path.
                let counters = &self.memcgs.slots[mem.index()]
                    .as_ref()
                    .expect("memcg slot in use")
                    .counters;
                if self.cpus[c].stock.consume(counters, Pages(1)) {
                    return Ok(Some(mem));
                }
            }
            let over = match self.charge_counters(t, cpu, mem, Pages(csize)) {
                Ok(()) => break,
                Err(over) => over,
            };
            if csize > 1 {
                // The batch is optional: retry with one page before reclaiming for it.
                csize = 1;
                continue;
            }
            // 6.6 `try_charge_memcg`: a `max` event, then reclaim of the over-limit subtree
            // that respects `memory.min`/`memory.low` (the v2 machine only).
            let ret = if self.mc(over.memcg).counters.res.as_protected().is_some() {
                self.memcg_memory_event(over.memcg, crate::MemcgEvent::Max);
                self.try_to_free_mem_cgroup_pages_v2(t, cpu, over.memcg, 1)
            } else {
                self.mem_cgroup_hierarchical_reclaim(t, cpu, over.memcg, over.noswap, false)
            };
            if ret > 0 {
                continue;
            }
            if self.mem_cgroup_check_under_limit(over.memcg) {
                continue;
            }
            if nr_retries == 0 {
                if !oom {
                    return Err(Errno::ENOMEM.into());
                }
                let outcome = match self.profile.oom_model {
                    OomModel::OomControlChargeWait => {
                        self.mem_cgroup_handle_oom(t, cpu, pid, over.memcg)
                    }
                    // The task waits (or kills) where SEED does; only the context differs.
                    OomModel::OomControlFaultEnd if self.current.in_user_fault && pid.is_some() => {
                        self.mem_cgroup_handle_oom(t, cpu, pid, over.memcg)
                    }
                    OomModel::OomControlFaultEnd => OomOutcome::Fail,
                    OomModel::V4 => self.mem_cgroup_oom_v4(t, cpu, pid, over.memcg),
                    OomModel::HandleOom2_6_34 => {
                        self.mem_cgroup_handle_oom_2_6_34(t, cpu, pid, over.memcg)
                    }
                    OomModel::KillAndFail2_6_25 => {
                        // Kill, then fail the charge: the fault kills the faulting task too.
                        let killed_self = self.mem_cgroup_out_of_memory(t, cpu, pid, over.memcg);
                        match pid {
                            Some(p) if !killed_self => {
                                self.kill_faulting_task(t, cpu, p);
                                OomOutcome::Killed
                            }
                            Some(_) => OomOutcome::Killed,
                            None => OomOutcome::Fail,
                        }
                    }
                };
                match outcome {
                    OomOutcome::Force => {
                        // OOM_FAILED: nothing to kill, so the charge goes through past the limit.
                        self.force_charge(t, cpu, mem);
                        break;
                    }
                    OomOutcome::Retry => nr_retries = max_retries,
                    OomOutcome::Killed => return Err(FaultError::OomKilled),
                    OomOutcome::Wait(m) => {
                        return Err(FaultError::OomWait {
                            memcg: self.mc(m).id,
                        });
                    }
                    OomOutcome::Fail => return Err(Errno::ENOMEM.into()),
                }
            } else {
                nr_retries -= 1;
            }
        }
        if csize > 1 {
            let _g = trace::func(t, cpu, "refill_stock");
            let counters = &self.memcgs.slots[mem.index()]
                .as_ref()
                .expect("memcg slot in use")
                .counters;
            let st = &mut self.cpus[c].stock;
            st.refill(counters, Pages(csize - 1));
            if let Some(u) = st.take_warning() {
                self.printk(Level::Warning, u.to_string());
            }
        }
        // 6.6 `try_charge_memcg`'s `done_restock:`: usage over `memory.high` anywhere up the
        // tree is handled before the task returns to user space (the v2 machine only).
        if self.mc(mem).counters.res.as_protected().is_some() {
            self.mem_cgroup_handle_over_high(t, cpu, mem, Pages(csize));
        }
        Ok(Some(mem))
    }

    /// `try_charge`'s `force:` label (4.x): one page to every level of res and memsw, past
    /// any limit.
    fn force_charge<T: Tracer>(&self, t: &T, cpu: CpuId, mem: MemcgSlot) {
        let m = self.mc(mem);
        let _ = m.counters.res.charge_nofail(Pages(1), t, cpu);
        if let Some(msw) = &m.counters.memsw {
            let _ = msw.charge_nofail(Pages(1), t, cpu);
        }
    }

    /// Charge `nr` pages to `mem`'s res and memsw counters, all or nothing, in the profile's
    /// order (2.6.34: res then memsw; 3.19+: memsw then res). `Err` names `mem_over_limit`.
    #[doc(alias = "res_counter_charge")]
    pub(crate) fn charge_counters<T: Tracer>(
        &self,
        t: &T,
        cpu: CpuId,
        mem: MemcgSlot,
        nr: Pages,
    ) -> Result<(), OverLimit> {
        let m = self.mc(mem);
        let res = &m.counters.res;
        let memsw = m.counters.memsw.as_ref();
        let memsw_first = self.profile.charge_algo == ChargeAlgo::V4X;
        if memsw_first && let Some(msw) = memsw {
            msw.try_charge(nr, t, cpu).map_err(|fail| OverLimit {
                memcg: MemcgSlot::from_owner(fail.owner()),
                noswap: true,
            })?;
            if let Err(fail) = res.try_charge(nr, t, cpu) {
                let _ = msw.uncharge(nr, t, cpu);
                return Err(OverLimit {
                    memcg: MemcgSlot::from_owner(fail.owner()),
                    noswap: false,
                });
            }
            return Ok(());
        }
        res.try_charge(nr, t, cpu).map_err(|fail| OverLimit {
            memcg: MemcgSlot::from_owner(fail.owner()),
            noswap: false,
        })?;
        if let Some(msw) = memsw
            && let Err(fail) = msw.try_charge(nr, t, cpu)
        {
            let _ = res.uncharge(nr, t, cpu);
            return Err(OverLimit {
                memcg: MemcgSlot::from_owner(fail.owner()),
                noswap: true,
            });
        }
        Ok(())
    }

    /// `mem_cgroup_check_under_limit`: res usage below its limit and, with swap accounting,
    /// memsw usage below its limit (strict, `include/linux/res_counter.h` `res_counter_set_limit`, v2.6.34).
    pub(crate) fn mem_cgroup_check_under_limit(&self, mem: MemcgSlot) -> bool {
        let m = self.mc(mem);
        let under = |c: &C| c.usage() < c.limit();
        under(&m.counters.res) && m.counters.memsw.as_deref().is_none_or(under)
    }

    /// `__mem_cgroup_commit_charge`: record the owner in the page_cgroup and count the page.
    #[doc(alias = "__mem_cgroup_commit_charge")]
    pub(crate) fn commit_charge<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pfn: Pfn,
        memcg: Option<MemcgSlot>,
        cache: bool,
    ) {
        let _f = trace::func(t, cpu, "__mem_cgroup_commit_charge");
        let Some(s) = memcg else {
            return;
        };
        let pg = &self.zone.pages[pfn.index()];
        pg.set_memcg(s);
        pg.set(PCG_USED);
        if cache {
            pg.set(PCG_CACHE);
        }
        let mapped = pg.mapcount() > 0 && cache;
        let st = &mut self.mc_mut(s).stat;
        if cache {
            st.cache += 1;
        } else {
            st.rss += 1;
        }
        if mapped {
            st.mapped_file += 1;
        }
        st.pgpgin += 1;
        self.check_events(cpu, s);
    }

    /// `mem_cgroup_uncharge_page` / `mem_cgroup_uncharge_cache_page` (`mm/memcontrol.c` `__mem_cgroup_uncharge_common`, v2.6.34): the page
    /// leaves its memcg. With `swapout`, memsw stays charged (the swap entry now holds it).
    /// Inside an unmap the counter part may be held in the uncharge batch (`__do_uncharge`).
    pub(crate) fn mem_cgroup_uncharge_page<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pfn: Pfn,
        swapout: bool,
    ) {
        let _f = trace::func(t, cpu, "mem_cgroup_uncharge_page");
        let pg = self.zone.pages[pfn.index()].load();
        let Some(s) = pg.memcg_slot() else {
            return;
        };
        debug_assert!(
            !pg.has(crate::page::PG_LRU),
            "uncharge of a page still on an LRU"
        );
        {
            let st = &mut self.mc_mut(s).stat;
            if pg.has(PCG_CACHE) {
                st.cache -= 1;
                if pg.mapcount > 0 {
                    st.mapped_file -= 1;
                }
            } else {
                st.rss -= 1;
            }
            st.pgpgout += 1;
        }
        if self.charges_counters(s) && !self.batch_uncharge(s, !swapout) {
            // 3.17+ `mem_cgroup_uncharge` → `uncharge_list` → `uncharge_batch` subtracts the
            // gathered pages (6.6: `__mem_cgroup_uncharge` → `uncharge_batch`).
            let _b = trace::func(t, cpu, "+uncharge_batch");
            self.uncharge_counters(t, cpu, s, 1, u64::from(!swapout));
        }
        let p = &self.zone.pages[pfn.index()];
        p.set_memcg(NO_MEMCG);
        p.clear(PCG_USED | PCG_CACHE);
        self.check_events(cpu, s);
        if self.mc(s).under_oom > 0 {
            self.memcg_oom_recover(t, cpu, s);
        }
    }

    /// `__do_uncharge`'s batching half: hold this page's uncharge in the batch if one is open
    /// and nothing can observe the counters before it closes (see [`UnchargeBatch`]).
    fn batch_uncharge(&mut self, s: MemcgSlot, memsw: bool) -> bool {
        let b = &self.current.uncharge_batch;
        if b.depth == 0
            || self.host.hook.is_some()
            || b.memcg.is_some_and(|m| m != s)
            || self.mc(s).under_oom > 0
        {
            return false;
        }
        let b = &mut self.current.uncharge_batch;
        b.memcg = Some(s);
        b.nr += 1;
        if memsw {
            b.memsw_nr += 1;
        }
        true
    }

    /// `mem_cgroup_uncharge_start`: open (or nest) an uncharge batch.
    pub(crate) fn mem_cgroup_uncharge_start(&mut self) {
        self.current.uncharge_batch.depth += 1;
    }

    /// `mem_cgroup_uncharge_end`: close the batch; the outermost close subtracts the held pages
    /// from the counters in one walk each.
    pub(crate) fn mem_cgroup_uncharge_end<T: Tracer>(&mut self, t: &T, cpu: CpuId) {
        let b = &mut self.current.uncharge_batch;
        b.depth -= 1;
        if b.depth > 0 {
            return;
        }
        let UnchargeBatch {
            memcg,
            nr,
            memsw_nr,
            ..
        } = std::mem::take(b);
        let Some(s) = memcg else {
            return;
        };
        // 3.17+: the gathered pages leave the counters in `uncharge_batch`.
        let _b = trace::func(t, cpu, "+uncharge_batch");
        self.uncharge_counters(t, cpu, s, nr, memsw_nr);
        if self.mc(s).under_oom > 0 {
            self.memcg_oom_recover(t, cpu, s);
        }
    }

    /// `res_counter_uncharge` of `nr` pages from `s`'s res counter and `memsw_nr` from its memsw
    /// counter (when swap accounting is on); a count of 0 skips that counter. An underflow is
    /// the kernel's warning, printed to the log.
    pub(crate) fn uncharge_counters<T: Tracer>(
        &self,
        t: &T,
        cpu: CpuId,
        s: MemcgSlot,
        nr: u64,
        memsw_nr: u64,
    ) {
        self.uncharge_counters_of(t, cpu, self.mc(s), nr, memsw_nr);
    }

    /// [`World::uncharge_counters`] with the memcg's record in hand (the fault fast path looks
    /// it up once per run of pages of one memcg, not again per uncharge).
    #[inline]
    pub(crate) fn uncharge_counters_of<T: Tracer>(
        &self,
        t: &T,
        cpu: CpuId,
        m: &MemCgroup<C>,
        nr: u64,
        memsw_nr: u64,
    ) {
        if nr > 0
            && let Err(u) = m.counters.res.uncharge(Pages(nr), t, cpu)
        {
            self.uncharge_warning(u);
        }
        if let Some(msw) = &m.counters.memsw
            && memsw_nr > 0
            && let Err(u) = msw.uncharge(Pages(memsw_nr), t, cpu)
        {
            self.uncharge_warning(u);
        }
    }

    /// `res_counter_uncharge_locked`'s `WARN_ON` on a counter that would go below zero.
    #[cold]
    #[inline(never)]
    fn uncharge_warning(&self, u: cgsim_counters::Underflow) {
        self.printk(Level::Warning, u.to_string());
    }

    /// `memcg_check_events`: one page event for the event hook (thresholds, `mm/memcontrol.c`, v2.6.34).
    /// The event count itself is `pgpgin + pgpgout` (`MEM_CGROUP_STAT_EVENTS`), kept whether
    /// or not the hook is armed, so the hook's rate limit sees the kernel's count even for
    /// events from before the first registration.
    pub(crate) fn check_events(&self, cpu: CpuId, s: MemcgSlot) {
        if self.host.page_events
            && let Some(hook) = &self.host.hook
        {
            hook.memcg_check_events(self, cpu, self.mc(s).id);
        }
    }

    /// `mem_cgroup_usage` (2.6.32+): what `usage_in_bytes` prints. The root's usage comes
    /// from statistics (`mm/memcontrol.c` `mem_cgroup_is_root`, v2.6.34) unless the root is charged.
    #[doc(alias = "mem_cgroup_usage")]
    pub(crate) fn usage_bytes(&self, s: MemcgSlot, swap: bool) -> Bytes {
        let m = self.mc(s);
        if self.charges_counters(s) {
            let c = if swap {
                m.counters.memsw.as_ref().unwrap_or(&m.counters.res)
            } else {
                &m.counters.res
            };
            return c.usage();
        }
        // 2.6.32–2.6.3x: the walk covers only the root unless it has use_hierarchy.
        let mut pages: i64 = 0;
        let members = if m.use_hierarchy {
            self.subtree(s)
        } else {
            vec![s]
        };
        for x in members {
            let st = self.mc(x).stat;
            pages += st.cache + st.rss + if swap { st.swap } else { 0 };
        }
        Bytes(pages.max(0) as u64 * PAGE_SIZE)
    }

    /// Every memcg of `s`'s subtree in pre-order (`s` first), regardless of `use_hierarchy`.
    pub(crate) fn subtree(&self, s: MemcgSlot) -> Vec<MemcgSlot> {
        let mut out = vec![s];
        let mut i = 0;
        while i < out.len() {
            let mut kids = self.mc(out[i]).children.clone();
            kids.sort_unstable();
            out.extend(kids);
            i += 1;
        }
        out
    }

    /// The memcgs a hierarchical operation on `s` covers: its subtree with `use_hierarchy`,
    /// else `s` alone (`mem_cgroup_walk_tree`).
    pub(crate) fn hierarchy_members(&self, s: MemcgSlot) -> Vec<MemcgSlot> {
        if self.mc(s).use_hierarchy {
            self.subtree(s)
        } else {
            vec![s]
        }
    }

    /// Whether `a` is `b` or below it through `use_hierarchy` links (`css_is_ancestor` as
    /// memcg uses it).
    pub(crate) fn is_same_or_hier_descendant(&self, a: MemcgSlot, b: MemcgSlot) -> bool {
        let mut x = a;
        loop {
            if x == b {
                return true;
            }
            match self.mc(x).parent {
                Some(p) if self.mc(p).use_hierarchy => x = p,
                _ => return false,
            }
        }
    }

    /// The 2.6.25 `mem_cgroup_charge_common` loop (`mm/memcontrol.c`): one counter, reclaim reports
    /// success only after 32 pages, OOM on the sixth unproductive round, and the charge fails.
    fn charge_2_6_25<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Pid,
        mem: MemcgSlot,
    ) -> Result<Option<MemcgSlot>, FaultError> {
        if !self.charges_counters(mem) {
            return Ok(Some(mem));
        }
        let mut nr_retries = MEM_CGROUP_RECLAIM_RETRIES;
        loop {
            match self.charge_counters(t, cpu, mem, Pages(1)) {
                Ok(()) => return Ok(Some(mem)),
                Err(over) => {
                    let swappiness = self.get_swappiness(over.memcg);
                    let freed = self.try_to_free_mem_cgroup_pages(
                        t,
                        cpu,
                        over.memcg,
                        over.noswap,
                        swappiness,
                    );
                    if freed >= crate::vmscan::SWAP_CLUSTER_MAX {
                        continue;
                    }
                    if self.mem_cgroup_check_under_limit(over.memcg) {
                        continue;
                    }
                    if nr_retries == 0 {
                        // The 2.6.25 loop has one OOM model whatever `memcg.oom_model` says.
                        let killed_self =
                            self.mem_cgroup_out_of_memory(t, cpu, Some(pid), over.memcg);
                        if killed_self {
                            return Err(FaultError::OomKilled);
                        }
                        // VM_FAULT_OOM in a user fault: x86 2.6.25 kills the faulting task too.
                        self.kill_faulting_task(t, cpu, pid);
                        return Err(FaultError::OomKilled);
                    }
                    nr_retries -= 1;
                }
            }
        }
    }
}
