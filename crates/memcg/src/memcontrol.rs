//! `struct mem_cgroup`: the memory controller's per-cgroup state.
//!
//! **Kernel:** `mm/memcontrol.c` `struct mem_cgroup`, `struct mem_cgroup_stat`,
//! `mem_cgroup_create`, `mem_cgroup_destroy`, 2.6.34 with the 2.6.35 OOM fields (`mm/memcontrol.c` `struct mem_cgroup`);
//! with `memcg.offline = keep_*` (3.19, 4.19, 6.6), `mem_cgroup_css_offline`, which keeps the
//! charges on the offline memcg until they are gone, and the lazy pin check the core asks
//! ([`MemoryMachine::memcg_pinned`]) in place of a css reference per charged folio (v6.6).
//!
//! # container_of
//!
//! In the kernel, `struct mem_cgroup` begins with its `struct cgroup_subsys_state css`, and
//! `mem_cgroup_from_cont(cgrp)` is `container_of(cgrp->subsys[mem_cgroup_subsys_id], struct
//! mem_cgroup, css)`. Here the cgroup core allocates the css and stores the object `create`
//! returned in the css's `private` slot. memcg returns a [`MemCgroupRef`](crate::MemCgroupRef)
//! (machine handle + [`MemcgId`]), and the [`MemCgroup`] it names keeps the css in its own
//! [`css`](MemCgroup::css) field, so both directions are one step:
//!
//! ```text
//!   CgroupSubsysState (css) --private--> MemCgroupRef { id } --machine.memcg(id)--> MemCgroup
//!            ^                                                                        |
//!            +------------------------------ MemCgroup::css -------------------------+
//! ```
//!
//! **Locking:** every field is protected by the machine's `world` lock (see `machine.rs`);
//! the counters are `Arc`s of the counters crate with their own per-level locks or atomics.

use crate::counter_ext::MemCounter;
use crate::machine::{MemoryMachine, World};
use crate::page::{LruVec, NO_MEMCG};
use cgsim_counters::{Counter, StockTarget, Underflow};
use cgsim_ktypes::Pages;
use cgsim_ktypes::lockdep::{LockClass, Tracked};
use cgsim_ktypes::percpu::smp_processor_id;
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{CpuId, Errno, Pid};
use parking_lot::Mutex;
use std::any::Any;
use std::sync::Arc;

/// A memcg's slot in the memcg table: the css id stand-in (≤ 65534), reused after the memcg is
/// freed. The page word stores it as a raw `u16` with [`NO_MEMCG`] for "none".
///
/// **Kernel:** `css_id(&mem->css)` (`kernel/cgroup.c` `css_id`, v2.6.34), which is also what
/// `swap_cgroup` records (`mm/page_cgroup.c`, v2.6.34).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemcgSlot(pub u16);

impl MemcgSlot {
    /// The root memcg's slot.
    pub const ROOT: MemcgSlot = MemcgSlot(0);

    /// The slot a counter was created with (`Counter::owner`, the `owner` passed to
    /// `new_root`/`new_child`): counters are only ever created with a memcg's slot.
    pub(crate) fn from_owner(owner: usize) -> MemcgSlot {
        MemcgSlot(u16::try_from(owner).expect("counter owners are memcg slots"))
    }

    /// The slot as an index into the memcg table.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl std::fmt::Display for MemcgSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A memcg, named by slot (the css id stand-in, ≤ 65534) and generation. A stale id (removed
/// memcg) is refused with ENODEV / ESRCH by every API taking it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemcgId {
    pub slot: MemcgSlot,
    pub generation: u32,
}

impl MemcgId {
    /// The root memcg (slot 0, created at boot).
    pub const ROOT: MemcgId = MemcgId {
        slot: MemcgSlot::ROOT,
        generation: 1,
    };
}

impl std::fmt::Display for MemcgId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "memcg{}", self.slot)
    }
}

/// The two counters of a memcg: `res` (memory) and `memsw` (memory + swap, 2.6.29+).
///
/// **Kernel:** `struct mem_cgroup { struct res_counter res; struct res_counter memsw; }`.
/// This is the object a per-CPU stock caches (`stock->cached`): draining returns pages to both.
pub struct MemCounters<C> {
    pub res: Arc<C>,
    /// `None` when swap accounting is off (`do_swap_account == 0`).
    pub memsw: Option<Arc<C>>,
}

impl<C: Counter> StockTarget for MemCounters<C> {
    fn stock_uncharge(&self, nr: Pages) -> Result<(), Underflow> {
        let r = self
            .res
            .uncharge(nr, &cgsim_ktypes::NoTrace, cgsim_ktypes::CpuId(0));
        if let Some(m) = &self.memsw {
            m.uncharge(nr, &cgsim_ktypes::NoTrace, cgsim_ktypes::CpuId(0))?;
        }
        r
    }
}

/// `struct mem_cgroup_stat` (2.6.34 `MEM_CGROUP_STAT_*`), in pages or events.
#[doc(alias = "mem_cgroup_stat")]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct MemStat {
    /// `MEM_CGROUP_STAT_CACHE`: charged page-cache and shmem pages.
    pub cache: i64,
    /// `MEM_CGROUP_STAT_RSS`: charged anonymous pages.
    pub rss: i64,
    /// `MEM_CGROUP_STAT_FILE_MAPPED`: charged cache pages mapped by some process.
    pub mapped_file: i64,
    /// `MEM_CGROUP_STAT_PGPGIN_COUNT`: charge events.
    pub pgpgin: u64,
    /// `MEM_CGROUP_STAT_PGPGOUT_COUNT`: uncharge events.
    pub pgpgout: u64,
    /// `MEM_CGROUP_STAT_SWAPOUT`: swap entries whose swap_cgroup is this memcg.
    pub swap: i64,
}

/// `struct mem_cgroup`.
///
/// **Kernel:** `mm/memcontrol.c` 2.6.34/2.6.35 (`struct mem_cgroup`).
/// **Differences:** the per-zone info is one `LruVec` (one zone); per-CPU statistics are one
/// [`MemStat`] (all updates happen under the machine lock); `parent`/`children` mirror the cgroup
/// tree of the memory hierarchy (the kernel asks the cgroup core).
/// **Invariants:** (checked by `MemoryMachine::check_invariants`)
/// 1. `lru.total()` + pages of this memcg in pagevecs == `stat.cache + stat.rss`.
/// 2. For a non-root memcg (or any memcg with `root_charged`) and no stock:
///    `res.usage == (cache + rss) * PAGE_SIZE`, `memsw.usage == (cache + rss + swap) * PAGE_SIZE`
///    summed over the memcg and, with `use_hierarchy`, its descendants.
#[doc(alias = "mem_cgroup")]
pub struct MemCgroup<C> {
    pub(crate) id: MemcgId,
    pub(crate) parent: Option<MemcgSlot>,
    pub(crate) children: Vec<MemcgSlot>,
    pub(crate) counters: Arc<MemCounters<C>>,
    /// The LRU lists, under their own lock (`zone->lru_lock`, per memcg here): the fast path
    /// links a pagevec's pages and unlinks freed ones under it.
    pub(crate) lru: Mutex<LruVec>,
    pub(crate) stat: MemStat,
    pub(crate) use_hierarchy: bool,
    pub(crate) swappiness: u64,
    pub(crate) move_charge_at_immigrate: u64,
    pub(crate) oom_kill_disable: bool,
    pub(crate) under_oom: u64,
    pub(crate) oom_lock: bool,
    pub(crate) oom_kill: u64,
    pub(crate) memsw_is_minimum: bool,
    pub(crate) last_scanned_child: MemcgSlot,
    /// Tasks whose memory cgroup this is (`cgroup_task_count`).
    pub(crate) nr_tasks: usize,
    /// The cgroup-v2 state: event counters, `oom.group`, swap settings (6.6).
    pub(crate) v2: crate::memcontrol_v2::V2Memcg,
    /// The VM event counters of 6.6's `memory.stat` (`crate::vm_events`).
    pub(crate) vm_events: crate::vm_events::VmEvents,
    /// The embedded css (a `cgsim_cgroup::CssRef` once the subsystem is registered).
    pub css: Option<Arc<dyn Any + Send + Sync>>,
    /// `css_offline` ran and the memcg kept its charges (`memcg.offline = keep_*`): it is
    /// dying, no longer `css_tryget_online`-able, and freed once nothing is charged to it.
    pub(crate) offline: bool,
}

impl<C: Counter> MemCgroup<C> {
    /// This memcg's id.
    pub fn id(&self) -> MemcgId {
        self.id
    }

    /// The memory counter (`mem->res`).
    pub fn res(&self) -> &Arc<C> {
        &self.counters.res
    }

    /// The memory+swap counter (`mem->memsw`), `None` without swap accounting.
    pub fn memsw(&self) -> Option<&Arc<C>> {
        self.counters.memsw.as_ref()
    }

    /// The statistics (pages).
    pub fn stat(&self) -> MemStat {
        self.stat
    }

    /// Whether this is the root memcg.
    pub fn is_root(&self) -> bool {
        self.parent.is_none()
    }

    /// `memory.use_hierarchy`.
    pub fn use_hierarchy(&self) -> bool {
        self.use_hierarchy
    }

    /// `under_oom` as `memory.oom_control` prints it.
    pub fn under_oom(&self) -> bool {
        self.under_oom > 0
    }

    /// `memory.oom_control`'s `oom_kill_disable`.
    pub fn oom_kill_disable(&self) -> bool {
        self.oom_kill_disable
    }

    /// Pages on each LRU list (`MEM_CGROUP_ZSTAT`).
    pub fn lru_pages(&self, l: crate::page::LruList) -> u64 {
        self.lru.lock().len(l)
    }
}

/// Every memcg by slot, with the slots free for reuse.
///
/// **Kernel:** the memory subsystem's css id table (`kernel/cgroup.c` `ss->idr`, `alloc_css_id`,
/// v2.6.34): a slot is the css id, reused after the memcg is freed; the generation tells a
/// stale [`MemcgId`] from the memcg now in its slot.
pub(crate) struct MemcgTable<C: MemCounter> {
    pub(crate) slots: Vec<Option<MemCgroup<C>>>,
    pub(crate) free_slots: Vec<MemcgSlot>,
    pub(crate) next_gen: u32,
}

// ---- the memcg table: creating and freeing memcgs (`mem_cgroup_create`, `mem_cgroup_destroy`) ----

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// `mem_cgroup_create` (`mm/memcontrol.c`, v2.6.34): a child of `parent` inheriting `use_hierarchy`,
    /// swappiness and `oom_kill_disable`; hierarchical counters iff the parent has
    /// `use_hierarchy`. ENOMEM when every css id is taken; ENODEV for a stale parent.
    #[doc(alias = "mem_cgroup_create")]
    pub fn create_memcg(&self, parent: MemcgId) -> Result<MemcgId, Errno> {
        let _f = trace::func(&*self.tracer, smp_processor_id(), "mem_cgroup_create");
        self.mem_cgroup_create(parent)
    }

    /// The body of [`create_memcg`](Self::create_memcg) without its trace frame: the cgroup
    /// core traces the `create` callback itself (`cgroup_create` → `ss->create`), so the
    /// subsystem adapter calls this and the trace shows `mem_cgroup_create` once.
    pub(crate) fn mem_cgroup_create(&self, parent: MemcgId) -> Result<MemcgId, Errno> {
        let mut w = self.lock();
        let p = w.slot_of(parent).ok_or(Errno::ENODEV)?;
        w.alloc_memcg(Some(p))
    }

    /// `pre_destroy` + `destroy` for an rmdir: move every charge to the parent
    /// (`mem_cgroup_force_empty(mem, false)`, `mm/memcontrol.c` `mem_cgroup_pre_destroy`, v2.6.34) and free the memcg.
    /// EBUSY if tasks or children remain; EINVAL for the root.
    #[doc(alias = "mem_cgroup_pre_destroy")]
    pub fn remove_memcg(&self, id: MemcgId) -> Result<(), Errno> {
        self.pre_destroy(id)?;
        self.destroy(id)
    }

    /// `mem_cgroup_pre_destroy`: reparent every charge (pages and swap entries) to the parent.
    pub fn pre_destroy(&self, id: MemcgId) -> Result<(), Errno> {
        let cpu = smp_processor_id();
        let _f = trace::func(&*self.tracer, cpu, "mem_cgroup_pre_destroy");
        self.mem_cgroup_pre_destroy(cpu, id)
    }

    /// The body of [`pre_destroy`](Self::pre_destroy) without its frame (the core traces the
    /// callback). Its child is `mem_cgroup_force_empty(mem, false)`, as in 2.6.35.
    /// `rmdir` runs in the remover's context: the force_empty's reclaim uses `cpu`'s pagevecs.
    pub(crate) fn mem_cgroup_pre_destroy(&self, cpu: CpuId, id: MemcgId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let s = w.slot_of(id).ok_or(Errno::ENODEV)?;
        let m = w.mc(s);
        if m.parent.is_none() {
            return Err(Errno::EINVAL);
        }
        if w.profile.offline.keeps() {
            w.mem_cgroup_css_offline(s);
            return Ok(());
        }
        if m.nr_tasks > 0 || !m.children.is_empty() {
            return Err(Errno::EBUSY);
        }
        let _g = trace::func(t, cpu, "mem_cgroup_force_empty");
        w.force_empty_move_account(t, cpu, s);
        Ok(())
    }

    /// Whether memcg `id` is offline and still holds charges (pages, swap entries) or dying
    /// children, so that its css must stay dying (`CgroupSubsys::css_pinned`).
    ///
    /// **Kernel:** each charged folio holds a css reference (`charge_memcg` → `css_get`,
    /// released by `uncharge_batch` → `css_put_many`), each swap entry the memcg id
    /// (`mem_cgroup_swapout` → `mem_cgroup_id_get_many`, `swap_cgroup_record`; the id's last
    /// put drops a css reference), and a child css its parent's until `css_free_rwork_fn`
    /// (`mm/memcontrol.c`, `kernel/cgroup/cgroup.c`, v6.6).
    /// **Differences:** no reference is taken per page: the fast path charges and uncharges
    /// only the counters. The question is asked lazily instead, when the core looks at its dying
    /// csses, and answered from the counters, which are exact at any moment (nothing charges an
    /// offline memcg; 6.6's `css_offline` drained its stock, and on 3.19 and 4.19 the pages a
    /// per-CPU stock still holds are charged, so they pin it as their css references do until
    /// the stock is drained): `memory` counts every charged page, `memsw` every page and swap
    /// entry, both hierarchically. So
    /// the css is freed at the first core entry after the last uncharge, where the kernel frees
    /// it from the work item its last `css_put` queues: the same order as far as anything
    /// observable goes (`cgroup.stat`, the memcg's existence for reclaim and `memory.stat`).
    /// Read side of the world lock only: this runs on every core entry while a css is dying.
    pub fn memcg_pinned(&self, id: MemcgId) -> bool {
        // Lock order: cgroup_mutex -> world (read side).
        let w = Tracked::new(LockClass::MemcgWorld, || self.world.read());
        let Some(s) = w.slot_of(id) else {
            return false;
        };
        let m = w.mc(s);
        let charged = |c: &C| c.usage().0 != 0;
        m.offline
            && (!m.children.is_empty()
                || charged(&m.counters.res)
                || m.counters.memsw.as_deref().is_some_and(charged)
                || m.v2.swap_usage != 0
                || m.stat.swap != 0)
    }

    /// `mem_cgroup_destroy`: free the memcg (after `pre_destroy` moved its charges away).
    pub fn destroy(&self, id: MemcgId) -> Result<(), Errno> {
        let cpu = smp_processor_id();
        let _f = trace::func(&*self.tracer, cpu, "mem_cgroup_destroy");
        self.mem_cgroup_destroy(cpu, id)
    }

    /// The body of [`destroy`](Self::destroy) without its frame (the core traces the callback).
    pub(crate) fn mem_cgroup_destroy(&self, cpu: CpuId, id: MemcgId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let s = w.slot_of(id).ok_or(Errno::ENODEV)?;
        if w.mc(s).parent.is_none() {
            return Err(Errno::EINVAL);
        }
        // Anything charged after pre_destroy (a racing fault) is moved now as well.
        w.force_empty_move_account(t, cpu, s);
        w.free_memcg(s);
        Ok(())
    }

    /// The memcg `pid` is charged to (its cgroup in the memory hierarchy; root if unknown).
    pub fn task_memcg(&self, pid: Pid) -> MemcgId {
        let w = self.lock();
        let s = w.tasks.get(&pid).map_or(MemcgSlot::ROOT, |t| t.memcg);
        w.mc(s).id
    }

    /// The parent memcg, `None` for the root or a stale id.
    pub fn parent(&self, id: MemcgId) -> Option<MemcgId> {
        let w = self.lock();
        let s = w.slot_of(id)?;
        w.mc(s).parent.map(|p| w.mc(p).id)
    }

    /// Every live memcg, in slot (css id) order.
    pub fn memcgs(&self) -> Vec<MemcgId> {
        self.lock()
            .memcgs
            .slots
            .iter()
            .flatten()
            .map(|m| m.id)
            .collect()
    }

    /// Whether `id` names a live memcg.
    pub fn exists(&self, id: MemcgId) -> bool {
        self.lock().slot_of(id).is_some()
    }

    /// Run `f` on the memcg (its counters, statistics, flags).
    pub fn with_memcg<R>(&self, id: MemcgId, f: impl FnOnce(&MemCgroup<C>) -> R) -> Option<R> {
        let w = self.lock();
        let s = w.slot_of(id)?;
        Some(f(w.mc(s)))
    }

    /// Store the embedded css of a memcg (`container_of`'s other direction).
    pub fn set_css(&self, id: MemcgId, css: Option<Arc<dyn std::any::Any + Send + Sync>>) {
        let mut w = self.lock();
        if let Some(s) = w.slot_of(id) {
            w.mc_mut(s).css = css;
        }
    }

    /// The memory controller moved onto (`on_dfl`) or off the default hierarchy
    /// (`rebind_subsystems`, which flips `cgroup_subsys_on_dfl(memory_cgrp_subsys)`): with
    /// `memcg.memsw_account = not_on_dfl` (6.6) the memory+swap counter is charged only off it
    /// (`do_memsw_account()`). The subsystem's `bind` callback calls it.
    pub fn set_memory_on_dfl(&self, on_dfl: bool) {
        self.lock().set_memory_on_dfl(on_dfl);
    }

    /// `do_memsw_account()`: whether charges go to the memory+swap counter now.
    pub fn memsw_accounted(&self) -> bool {
        self.lock().do_memsw_account()
    }

    /// Whether memcg `id` is on the default hierarchy, so that (on the 6.6 machine) it has
    /// its own writeback domain and dirty limits (`inode_cgwb_enabled`, 4.2+;
    /// `crate::page_writeback`). The subsystem sets it when the css is created.
    pub fn set_cgroup_writeback(&self, id: MemcgId, on: bool) {
        let mut w = self.lock();
        if let Some(s) = w.slot_of(id) {
            w.set_cgwb(s, on);
        }
    }

    /// The dirty limits of memcg `id`'s writeback domain (`mem_cgroup_wb_stats`,
    /// `domain_dirty_limits`, v6.6), in pages.
    pub fn dirty_limits(&self, id: MemcgId) -> Option<crate::page_writeback::DirtyLimits> {
        let w = self.lock();
        let s = w.slot_of(id)?;
        Some(w.memcg_dirty_limits(s))
    }
}

impl<C: MemCounter> World<C> {
    /// 6.6's `mem_cgroup_css_offline` (`mm/memcontrol.c`, v6.6): the event registrations go
    /// (`event_list`), the protections drop to 0 (`page_counter_set_min`/`_low`), every CPU's
    /// stock of the memcg is drained (`drain_all_stock`), and the memcg is marked offline.
    /// No page moves: the charges stay on the dying memcg, whose usage stays in its
    /// ancestors' counters (always hierarchical in 6.6) and whose pages stay on its LRU lists,
    /// where the parent's and global reclaim find them (`mem_cgroup_iter` visits offline
    /// memcgs: `css_tryget`, not `css_tryget_online`). It is freed by `mem_cgroup_destroy`
    /// once the core sees it unpinned ([`MemoryMachine::memcg_pinned`]).
    ///
    /// **Differences:** `memcg_offline_kmem`, `wb_memcg_offline` and `mem_cgroup_id_put` have
    /// nothing to act on (no kernel memory or writeback structures per memcg here; the slot is
    /// the id and stays taken until the memcg is freed, as swap entries keep the id alive).
    pub(crate) fn mem_cgroup_css_offline(&mut self, s: MemcgSlot) {
        if let Some(hook) = &self.host.hook {
            hook.memcg_freed(self.mc(s).id);
            self.rearm_page_events();
        }
        if let Some(c) = self.mc(s).counters.res.as_protected() {
            c.set_min(Pages(0));
            c.set_low(Pages(0));
        }
        // 3.19 and 4.19 leave the stock as it is: the pages it holds stay charged (and hold
        // the css) until the CPU's stock is drained for another memcg.
        if self.profile.offline == crate::profile::OfflineCharges::Keep6_6 {
            self.drain_all_stock(s);
        }
        self.mc_mut(s).offline = true;
    }

    pub(crate) fn mc(&self, s: MemcgSlot) -> &MemCgroup<C> {
        self.memcgs.slots[s.index()]
            .as_ref()
            .expect("memcg slot in use")
    }

    pub(crate) fn mc_mut(&mut self, s: MemcgSlot) -> &mut MemCgroup<C> {
        self.memcgs.slots[s.index()]
            .as_mut()
            .expect("memcg slot in use")
    }

    /// The slot of a live memcg id.
    pub(crate) fn slot_of(&self, id: MemcgId) -> Option<MemcgSlot> {
        match self.memcgs.slots.get(id.slot.index()) {
            Some(Some(m)) if m.id == id => Some(id.slot),
            _ => None,
        }
    }

    pub(crate) fn alloc_memcg(&mut self, parent: Option<MemcgSlot>) -> Result<MemcgId, Errno> {
        let slot = match self.memcgs.free_slots.pop() {
            Some(s) => s,
            None => {
                if self.memcgs.slots.len() >= NO_MEMCG.index() {
                    return Err(Errno::ENOMEM);
                }
                self.memcgs.slots.push(None);
                MemcgSlot(
                    u16::try_from(self.memcgs.slots.len() - 1)
                        .expect("below NO_MEMCG, checked above"),
                )
            }
        };
        let generation = self.memcgs.next_gen;
        self.memcgs.next_gen = self.memcgs.next_gen.wrapping_add(1).max(1);
        let id = MemcgId { slot, generation };
        let swap = self.do_memsw_account();
        let (counters, use_hierarchy, swappiness, oom_kill_disable) = match parent {
            None => (
                MemCounters {
                    res: Arc::new(C::new_root(self.counter_profile, slot.index())),
                    memsw: swap.then(|| Arc::new(C::new_root(self.counter_profile, slot.index()))),
                },
                self.profile.hierarchy_always,
                self.profile.vm_swappiness,
                false,
            ),
            Some(p) => {
                let pm = self.mc(p);
                let hier = pm.use_hierarchy || self.profile.hierarchy_always;
                let res = if hier {
                    C::new_child(&pm.counters.res, slot.index())
                } else {
                    C::new_root(self.counter_profile, slot.index())
                };
                let memsw = pm.counters.memsw.as_ref().map(|pmsw| {
                    Arc::new(if hier {
                        C::new_child(pmsw, slot.index())
                    } else {
                        C::new_root(self.counter_profile, slot.index())
                    })
                });
                let swappiness = self.get_swappiness(p);
                (
                    MemCounters {
                        res: Arc::new(res),
                        memsw,
                    },
                    hier,
                    swappiness,
                    pm.oom_kill_disable,
                )
            }
        };
        self.memcgs.slots[slot.index()] = Some(MemCgroup {
            id,
            parent,
            children: Vec::new(),
            counters: Arc::new(counters),
            lru: Mutex::new(LruVec::default()),
            stat: MemStat::default(),
            use_hierarchy,
            swappiness,
            move_charge_at_immigrate: 0,
            oom_kill_disable,
            under_oom: 0,
            oom_lock: false,
            oom_kill: 0,
            memsw_is_minimum: false,
            v2: Default::default(),
            vm_events: Default::default(),
            last_scanned_child: MemcgSlot::ROOT,
            nr_tasks: 0,
            css: None,
            offline: false,
        });
        if let Some(p) = parent {
            self.mc_mut(p).children.push(slot);
        }
        Ok(id)
    }

    pub(crate) fn free_memcg(&mut self, s: MemcgSlot) {
        // Drop any stock still caching this memcg.
        let counters = Arc::clone(&self.mc(s).counters);
        for cpu in self.cpus.iter_mut() {
            let st = &mut cpu.stock;
            cgsim_counters::ChargeStock::drain_if(st, &mut |m: &MemCounters<C>| {
                std::ptr::eq(m, &*counters)
            });
        }
        let m = self.memcgs.slots[s.index()].take().expect("live memcg");
        if let Some(p) = m.parent {
            self.mc_mut(p).children.retain(|&c| c != s);
        }
        self.memcgs.free_slots.push(s);
        if let Some(hook) = &self.host.hook {
            hook.memcg_freed(m.id);
            // rmdir dropped the memcg's registrations: maybe the last one.
            self.rearm_page_events();
        }
    }

    /// `get_swappiness`: the root reads the global `vm_swappiness`.
    pub(crate) fn get_swappiness(&self, s: MemcgSlot) -> u64 {
        let m = self.mc(s);
        if m.parent.is_none() {
            self.profile.vm_swappiness
        } else {
            m.swappiness
        }
    }

    /// Whether charges to this memcg touch its counters (the root is skipped 2.6.32+).
    /// `do_memsw_account()` (`mm/memcontrol.c`, v6.6): whether the memory+swap counter is
    /// charged. With swap accounting, always on the presets without a default hierarchy; on
    /// 6.6 only while the memory controller is bound to a v1 hierarchy
    /// (`!cgroup_subsys_on_dfl(memory_cgrp_subsys)`). While it is false every memcg's `memsw`
    /// is `None`, so the charge path, the stock and the uncharge skip it as they skip it
    /// without swap accounting, and swap-out charges the v2 swap counter instead.
    pub(crate) fn do_memsw_account(&self) -> bool {
        self.profile.swap_accounting
            && (self.profile.memsw_account == crate::profile::MemswAccount::Always
                || !self.memory_on_dfl)
    }

    /// `rebind_subsystems` moved the memory controller onto (`on_dfl`) or off the default
    /// hierarchy, which flips `cgroup_subsys_on_dfl(memory_cgrp_subsys)` and so
    /// [`do_memsw_account`](Self::do_memsw_account). The kernel moves a controller only while
    /// it has no css below the root (`rebind_subsystems`' EBUSY), so the root memcg, which is
    /// never charged, is normally the only one; for any other memcg (a dying one the core let
    /// through) the counters are rebuilt from its pages and swap entries, so that each
    /// counter holds what it would have held had the mode always been the new one: memsw its
    /// pages and swap entries, or the v2 swap counter its swap entries.
    pub(crate) fn set_memory_on_dfl(&mut self, on_dfl: bool) {
        let before = self.do_memsw_account();
        self.memory_on_dfl = on_dfl;
        let memsw = self.do_memsw_account();
        if before == memsw {
            return;
        }
        // Stocked pages are charged to both counters: return them first.
        self.drain_all_stock(MemcgSlot::ROOT);
        let t = &cgsim_ktypes::NoTrace;
        let cpu = cgsim_ktypes::CpuId(0);
        for s in self.subtree(MemcgSlot::ROOT) {
            let parent_memsw = self
                .mc(s)
                .parent
                .and_then(|p| self.mc(p).counters.memsw.clone());
            let new_memsw = memsw.then(|| {
                let c = match &parent_memsw {
                    Some(p) if self.mc(s).use_hierarchy => C::new_child(p, s.index()),
                    _ => C::new_root(self.counter_profile, s.index()),
                };
                let st = self.mc(s).stat;
                let local = (st.cache + st.rss + st.swap).max(0) as u64;
                if self.charges_counters(s) && local > 0 {
                    let _ = c.charge_nofail(Pages(local), t, cpu);
                }
                Arc::new(c)
            });
            let res = Arc::clone(&self.mc(s).counters.res);
            self.mc_mut(s).counters = Arc::new(MemCounters {
                res,
                memsw: new_memsw,
            });
        }
        // The v2 swap counter holds the swap entries of the subtree while memsw does not.
        for s in self.subtree(MemcgSlot::ROOT) {
            let swap: i64 = if memsw {
                0
            } else {
                self.subtree(s).iter().map(|&x| self.mc(x).stat.swap).sum()
            };
            let v2 = &mut self.mc_mut(s).v2;
            v2.swap_usage = swap.max(0) as u64;
            v2.swap_peak = v2.swap_peak.max(v2.swap_usage);
        }
    }

    /// The LRU flag a new anonymous page gets (`memcg.new_anon_lru`): `PG_ACTIVE` where the
    /// kernel puts it on the active anon list (2.6.28–5.8: 2.6.35 `page_add_new_anon_rmap` →
    /// `lru_cache_add_lru(page, LRU_ACTIVE_ANON)`, 3.10's `SetPageActive` there, 4.19
    /// `lru_cache_add_active_or_unevictable`), none where it starts inactive (5.9+, "mm/vmscan:
    /// protect the workingset on anonymous LRU": `lru_cache_add_inactive_or_unevictable`; 6.6
    /// `folio_add_lru_vma` → `folio_add_lru`, which sets active only for the multi-gen LRU,
    /// not modelled).
    /// On the inactive list the page also carries the accessed bit its pte gets from the
    /// faulting access ([`PG_REFERENCED`](crate::page::PG_REFERENCED) on a mapped page), which
    /// 6.6's `folio_check_references` reads: the first reclaim visit only marks the page
    /// ("All mapped folios start out with page table references from the instantiating
    /// fault"). The older presets keep their recorded behaviour (their new pages start active
    /// and `shrink_active_list` clears the bit anyway).
    #[inline]
    pub(crate) fn new_anon_lru(&self) -> u16 {
        if self.profile.new_anon_inactive {
            crate::page::PG_REFERENCED
        } else {
            crate::page::PG_ACTIVE
        }
    }

    pub(crate) fn charges_counters(&self, s: MemcgSlot) -> bool {
        self.charges(self.mc(s))
    }

    /// [`World::charges_counters`] with the memcg's record in hand.
    #[inline]
    pub(crate) fn charges(&self, m: &MemCgroup<C>) -> bool {
        self.profile.root_charged || m.parent.is_some()
    }
}
