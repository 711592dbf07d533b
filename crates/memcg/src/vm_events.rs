//! The per-memcg VM event counters of Linux 6.6: the event half of the v2 `memory.stat`.
//!
//! **Kernel:** `mm/memcontrol.c` v6.6: `memcg_vm_event_stat[]` (the subset of `enum
//! vm_event_item` a memcg keeps), `count_memcg_events`, `count_memcg_event_mm`, `memcg_events`
//! (the hierarchical sum, kept by rstat), and the tail of `memory_stat_format` (`pgscan` and
//! `pgsteal` first, as the sums of their kswapd/direct/khugepaged parts, then every event of
//! the table but `pgpgin`/`pgpgout`). Where they are counted: `mm/memory.c` `handle_mm_fault`
//! (`PGFAULT`, in the faulting mm's memcg) and `do_swap_page` (`PGMAJFAULT`), `mm/shmem.c`
//! `shmem_swapin_folio` (`PGMAJFAULT` for a shmem page read back from swap by a fault),
//! `mm/vmscan.c` `shrink_inactive_list` (`PGSCAN_DIRECT`/`PGSTEAL_DIRECT`, in the memcg of the
//! lruvec scanned), `shrink_active_list` (`PGREFILL`, `PGDEACTIVATE`) and `shrink_folio_list`
//! (`PGACTIVATE`: referenced pages and pages that could not be swapped, put back active).
//!
//! **Differences:**
//! - Every reclaim here is direct reclaim (there is no kswapd and no khugepaged): the `_kswapd`
//!   and `_khugepaged` counters stay 0, and `pgscan`/`pgsteal` equal their `_direct` parts.
//! - There is no `MADV_FREE`, zswap or THP: `pglazyfree`, `pglazyfreed`, `zswpin`, `zswpout`,
//!   `thp_fault_alloc` and `thp_collapse_alloc` stay 0.
//! - A read of an anonymous page the simulated program never wrote allocates a page where the
//!   kernel maps the shared zero page; so the later write, which faults again in the kernel
//!   (copy of the zero page), counts no second `pgfault` here.
//! - `pgactivate` counts the pages reclaim puts back on the active list; the kernel also counts
//!   `folio_mark_accessed` promotions of page-cache pages read twice, which this LRU model
//!   (pages enter active and age through reclaim only) does not make.

use crate::counter_ext::MemCounter;
use crate::machine::World;
use crate::memcontrol::MemcgSlot;

/// The events of `memcg_vm_event_stat[]` (v6.6, a kernel with `CONFIG_MEMCG_KMEM`,
/// `CONFIG_ZSWAP` and `CONFIG_TRANSPARENT_HUGEPAGE`), in its order.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum VmEvent {
    /// `PGPGIN`: v1 only (`memory_stat_format` skips it).
    Pgpgin,
    /// `PGPGOUT`: v1 only.
    Pgpgout,
    /// `PGSCAN_KSWAPD`.
    PgscanKswapd,
    /// `PGSCAN_DIRECT`: pages taken off an inactive list by direct or memcg reclaim.
    PgscanDirect,
    /// `PGSCAN_KHUGEPAGED`.
    PgscanKhugepaged,
    /// `PGSTEAL_KSWAPD`.
    PgstealKswapd,
    /// `PGSTEAL_DIRECT`: pages direct or memcg reclaim freed.
    PgstealDirect,
    /// `PGSTEAL_KHUGEPAGED`.
    PgstealKhugepaged,
    /// `PGFAULT`: page faults of the memcg's tasks.
    Pgfault,
    /// `PGMAJFAULT`: faults that had to read the page back (from swap here).
    Pgmajfault,
    /// `PGREFILL`: pages scanned on an active list.
    Pgrefill,
    /// `PGACTIVATE`: pages moved to an active list.
    Pgactivate,
    /// `PGDEACTIVATE`: pages moved from an active list to an inactive one.
    Pgdeactivate,
    /// `PGLAZYFREE`.
    Pglazyfree,
    /// `PGLAZYFREED`.
    Pglazyfreed,
    /// `ZSWPIN`.
    Zswpin,
    /// `ZSWPOUT`.
    Zswpout,
    /// `THP_FAULT_ALLOC`.
    ThpFaultAlloc,
    /// `THP_COLLAPSE_ALLOC`.
    ThpCollapseAlloc,
}

/// `NR_MEMCG_EVENTS`.
pub const NR_MEMCG_EVENTS: usize = 19;

impl VmEvent {
    /// `memcg_vm_event_stat[]`, in order.
    pub const ALL: [VmEvent; NR_MEMCG_EVENTS] = [
        VmEvent::Pgpgin,
        VmEvent::Pgpgout,
        VmEvent::PgscanKswapd,
        VmEvent::PgscanDirect,
        VmEvent::PgscanKhugepaged,
        VmEvent::PgstealKswapd,
        VmEvent::PgstealDirect,
        VmEvent::PgstealKhugepaged,
        VmEvent::Pgfault,
        VmEvent::Pgmajfault,
        VmEvent::Pgrefill,
        VmEvent::Pgactivate,
        VmEvent::Pgdeactivate,
        VmEvent::Pglazyfree,
        VmEvent::Pglazyfreed,
        VmEvent::Zswpin,
        VmEvent::Zswpout,
        VmEvent::ThpFaultAlloc,
        VmEvent::ThpCollapseAlloc,
    ];

    /// `vm_event_name`: the event's name in `mm/vmstat.c` `vmstat_text[]`.
    pub fn name(self) -> &'static str {
        match self {
            VmEvent::Pgpgin => "pgpgin",
            VmEvent::Pgpgout => "pgpgout",
            VmEvent::PgscanKswapd => "pgscan_kswapd",
            VmEvent::PgscanDirect => "pgscan_direct",
            VmEvent::PgscanKhugepaged => "pgscan_khugepaged",
            VmEvent::PgstealKswapd => "pgsteal_kswapd",
            VmEvent::PgstealDirect => "pgsteal_direct",
            VmEvent::PgstealKhugepaged => "pgsteal_khugepaged",
            VmEvent::Pgfault => "pgfault",
            VmEvent::Pgmajfault => "pgmajfault",
            VmEvent::Pgrefill => "pgrefill",
            VmEvent::Pgactivate => "pgactivate",
            VmEvent::Pgdeactivate => "pgdeactivate",
            VmEvent::Pglazyfree => "pglazyfree",
            VmEvent::Pglazyfreed => "pglazyfreed",
            VmEvent::Zswpin => "zswpin",
            VmEvent::Zswpout => "zswpout",
            VmEvent::ThpFaultAlloc => "thp_fault_alloc",
            VmEvent::ThpCollapseAlloc => "thp_collapse_alloc",
        }
    }
}

/// One memcg's own event counts (`memcg->vmstats_percpu->events[]` folded; the kernel's
/// hierarchical `vmstats->events[]` is their sum over the subtree, [`World::memcg_events`]).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct VmEvents(pub [u64; NR_MEMCG_EVENTS]);

impl VmEvents {
    /// This memcg's own count of `ev`.
    pub fn get(&self, ev: VmEvent) -> u64 {
        self.0[ev as usize]
    }
}

impl<C: MemCounter> World<C> {
    /// `count_memcg_events(memcg, idx, nr)`.
    #[inline]
    pub(crate) fn count_memcg_events(&mut self, s: MemcgSlot, ev: VmEvent, nr: u64) {
        if nr > 0 {
            self.mc_mut(s).vm_events.0[ev as usize] += nr;
        }
    }

    /// `memcg_events(memcg, event)`: the count of `s` and its descendants.
    pub(crate) fn memcg_events(&self, s: MemcgSlot, ev: VmEvent) -> u64 {
        self.subtree(s)
            .into_iter()
            .map(|x| self.mc(x).vm_events.get(ev))
            .sum()
    }

    /// The event lines that end 6.6's `memory_stat_format`: `pgscan` and `pgsteal` (each the
    /// sum of its kswapd, direct and khugepaged parts), then every event of
    /// `memcg_vm_event_stat[]` but `pgpgin` and `pgpgout`.
    pub(crate) fn memory_stat_events(&self, s: MemcgSlot, out: &mut String) {
        let mut sums = [0u64; NR_MEMCG_EVENTS];
        for x in self.subtree(s) {
            for (a, b) in sums.iter_mut().zip(self.mc(x).vm_events.0) {
                *a += b;
            }
        }
        let ev = |e: VmEvent| sums[e as usize];
        let mut line = |k: &str, v: u64| {
            out.push_str(k);
            out.push(' ');
            out.push_str(&v.to_string());
            out.push('\n');
        };
        line(
            "pgscan",
            ev(VmEvent::PgscanKswapd) + ev(VmEvent::PgscanDirect) + ev(VmEvent::PgscanKhugepaged),
        );
        line(
            "pgsteal",
            ev(VmEvent::PgstealKswapd)
                + ev(VmEvent::PgstealDirect)
                + ev(VmEvent::PgstealKhugepaged),
        );
        for e in VmEvent::ALL {
            if matches!(e, VmEvent::Pgpgin | VmEvent::Pgpgout) {
                continue;
            }
            line(e.name(), ev(e));
        }
    }
}

impl<C: MemCounter, T: cgsim_ktypes::trace::Tracer> crate::machine::MemoryMachine<C, T> {
    /// `memcg_events(memcg, ev)` of memcg `id`: its and its descendants' count of `ev`, as the
    /// v2 `memory.stat` prints it. ENODEV for a memcg that does not exist.
    pub fn memcg_vm_events(
        &self,
        id: crate::memcontrol::MemcgId,
        ev: VmEvent,
    ) -> Result<u64, cgsim_ktypes::Errno> {
        // The lock folds the CPUs' fast-path deltas in.
        let w = self.lock();
        let s = w.slot_of(id).ok_or(cgsim_ktypes::Errno::ENODEV)?;
        Ok(w.memcg_events(s, ev))
    }
}
