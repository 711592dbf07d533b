//! Memory-cgroup reclaim of Linux 6.6: a reclaim of a memcg's subtree that spreads its
//! pressure over the subtree's memcgs by their effective `memory.min` and `memory.low`. Global
//! reclaim on the 6.6 machine is the same walk from the root memcg (`vmscan.rs` `shrink_global`).
//!
//! **Kernel:** `mm/vmscan.c` v6.6: `try_to_free_mem_cgroup_pages`, `do_try_to_free_pages`
//! (the priority loop and the `memcg_low_reclaim` retry), `shrink_node_memcgs` (the walk of
//! the target's subtree with `mem_cgroup_calculate_protection`, `mem_cgroup_below_min`,
//! `mem_cgroup_below_low` and the `MEMCG_LOW` event), `get_scan_count` (the scan target of
//! each list scaled by `protection / cgroup_size`) and `shrink_lruvec`;
//! `include/linux/memcontrol.h` v6.6 `mem_cgroup_protection`. The proportional scaling came
//! in 5.4 (`memory.low`/`memory.min` "proportional memory protection"), the
//! `memcg_low_skipped` bookkeeping inside `get_scan_count` later in the 5.x series.
//!
//! How the pressure is shared: every priority pass of `do_try_to_free_pages` walks the whole
//! subtree (no early exit in 6.6's `shrink_node_memcgs`: the partial walk came after 6.6), and
//! each memcg scans `lru_size >> priority` of each list, less the part its protection covers:
//! a memcg using 50M with 40M effectively protected scans a fifth of what an unprotected one
//! of the same size scans. Its protection is recomputed from its current usage at each visit,
//! so as a memcg shrinks toward its protection its scan target shrinks with it, and the
//! siblings settle at the split `test_memcg_min`/`test_memcg_low` of
//! `tools/testing/selftests/cgroup/test_memcontrol.c` (v6.6) expect.
//!
//! **Differences:**
//! * One node, no MGLRU (`lru_gen_enabled()` false, as with `CONFIG_LRU_GEN` off), no slab
//!   shrinking. The `memory_recursiveprot` mount option is read from the root memcg's v2
//!   record (`MemoryMachine::set_dfl_root_flags`, set by the Kernel at each `cgroup2` mount).
//! * The anon/file split of a list's scan is 2.6.34's fixed `get_scan_ratio`
//!   (`vmscan.rs` `anon_scan_percent`), not 6.6's cost-based `SCAN_FRACT`; without swap room
//!   it is 6.6's `SCAN_FILE`.
//! * `shrink_lruvec` stops a memcg's scan once it reclaimed `nr_to_reclaim` (6.6 instead
//!   stops the smaller of anon/file and scales the other down; with one of them empty, as
//!   without swap, the two agree).
//! * Memory pressure (`vmpressure`) is reported against the target once per memcg visited,
//!   as the older reclaim did; proactive reclaim (`memory.reclaim`) reports too.

use crate::counter_ext::MemCounter;
use crate::machine::World;
use crate::memcontrol::MemcgSlot;
use crate::memcontrol_v2::MemcgEvent;
use crate::page::LruList;
use crate::vmscan::{DEF_PRIORITY, LruOwner, SWAP_CLUSTER_MAX, anon_scan_percent};
use cgsim_counters::ProtectedPageCounter;
use cgsim_ktypes::CpuId;
use cgsim_ktypes::trace::{self, Tracer};

/// The 6.6 fields of `struct scan_control` this reclaim uses.
#[derive(Copy, Clone, Debug)]
struct ScanControlV2 {
    /// `nr_to_reclaim`: `max(nr_pages, SWAP_CLUSTER_MAX)`.
    nr_to_reclaim: u64,
    /// `nr_reclaimed`, over the whole reclaim.
    nr_reclaimed: u64,
    /// `priority`: `DEF_PRIORITY` down to 0.
    priority: u32,
    /// `memcg_low_reclaim`: the second pass, which reclaims below `memory.low` too.
    memcg_low_reclaim: bool,
    /// `memcg_low_skipped`: the first pass left memory protected by `memory.low` alone.
    memcg_low_skipped: bool,
}

/// `mem_cgroup_protection(root, memcg, &min, &low)` (`include/linux/memcontrol.h`, v6.6):
/// the effective `min` and `low` reclaim honours in `memcg`; none for the reclaim target
/// itself ("no reclaim protection applied to a targeted reclaim") and none for the root.
fn mem_cgroup_protection(target: &ProtectedPageCounter, c: &ProtectedPageCounter) -> (u64, u64) {
    if std::ptr::eq(target, c) || c.parent().is_none() {
        return (0, 0);
    }
    let p = c.protection();
    (p.emin, p.elow)
}

/// `get_scan_count`'s protection scaling (`mm/vmscan.c`, v6.6), for one list of `lru_size`
/// pages of a memcg using `cgroup_size` pages with effective `min` and `low`: the list's
/// scan target before the priority shift, and whether `memory.low` was what scaled it
/// (`sc->memcg_low_skipped`).
///
/// On the first pass `memory.low` protects when it is above `memory.min`; on the
/// `memcg_low_reclaim` pass only `memory.min` does. The usage not covered by the protection
/// is scanned: `lru_size - lru_size * protection / (cgroup_size + 1)`, at least
/// `SWAP_CLUSTER_MAX` so that reclaim keeps moving.
pub fn protected_scan_target(
    lru_size: u64,
    cgroup_size: u64,
    min: u64,
    low: u64,
    memcg_low_reclaim: bool,
) -> (u64, bool) {
    if min == 0 && low == 0 {
        return (lru_size, false);
    }
    let (protection, low_used) = if !memcg_low_reclaim && low > min {
        (low, true)
    } else {
        (min, false)
    };
    // "Avoid TOCTOU with earlier protection check": usage may have dropped below it since.
    let cgroup_size = cgroup_size.max(protection);
    let covered = (lru_size as u128 * protection as u128 / (cgroup_size as u128 + 1)) as u64;
    ((lru_size - covered).max(SWAP_CLUSTER_MAX), low_used)
}

impl<C: MemCounter> World<C> {
    /// `try_to_free_mem_cgroup_pages(memcg, nr_pages, GFP_KERNEL, MEMCG_RECLAIM_MAY_SWAP)`
    /// (`mm/vmscan.c`, v6.6) for the v2 machine → `do_try_to_free_pages`: priority
    /// `DEF_PRIORITY` down to 0, each a walk of `target`'s subtree (`shrink_node_memcgs`),
    /// until `max(nr_pages, SWAP_CLUSTER_MAX)` pages were reclaimed. When nothing was but
    /// memory was left alone for its `memory.low`, the whole loop runs again with
    /// `memcg_low_reclaim` ("untapped cgroup reserves? Don't OOM, retry."). Returns the pages
    /// reclaimed.
    pub(crate) fn try_to_free_mem_cgroup_pages_v2<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        target: MemcgSlot,
        nr_pages: u64,
    ) -> u64 {
        let _f = trace::func(t, cpu, "try_to_free_mem_cgroup_pages");
        // shrink_active_list and shrink_inactive_list begin with lru_add_drain().
        self.lru_add_drain(cpu);
        let mut sc = ScanControlV2 {
            nr_to_reclaim: nr_pages.max(SWAP_CLUSTER_MAX),
            nr_reclaimed: 0,
            priority: DEF_PRIORITY,
            memcg_low_reclaim: false,
            memcg_low_skipped: false,
        };
        loop {
            let _g = trace::func(t, cpu, "do_try_to_free_pages");
            for priority in (0..=DEF_PRIORITY).rev() {
                sc.priority = priority;
                self.vmpressure_prio(target, priority);
                self.shrink_node_memcgs(t, cpu, target, &mut sc);
                if sc.nr_reclaimed >= sc.nr_to_reclaim {
                    break;
                }
            }
            if sc.nr_reclaimed > 0 {
                return sc.nr_reclaimed;
            }
            if !sc.memcg_low_skipped {
                return 0;
            }
            sc.memcg_low_reclaim = true;
            sc.memcg_low_skipped = false;
        }
    }

    /// `shrink_node_memcgs` (`mm/vmscan.c`, v6.6): visit `target`'s subtree in pre-order
    /// (`mem_cgroup_iter`), computing each memcg's effective protection before deciding:
    /// below its effective `memory.min` it is skipped; below its effective `memory.low` it is
    /// skipped on the first pass and, on the `memcg_low_reclaim` pass, reclaimed with a
    /// `low` event; otherwise it is reclaimed (`shrink_lruvec`).
    fn shrink_node_memcgs<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        target: MemcgSlot,
        sc: &mut ScanControlV2,
    ) {
        let _f = trace::func(t, cpu, "shrink_node_memcgs");
        let target_counters = std::sync::Arc::clone(&self.mc(target).counters);
        let tc = target_counters.res.as_protected();
        // cgrp_dfl_root.flags & CGRP_ROOT_MEMORY_RECURSIVE_PROT.
        let recursive_prot = self.mc(MemcgSlot::ROOT).v2.dfl_recursive_prot;
        for s in self.preorder(target) {
            let counters = std::sync::Arc::clone(&self.mc(s).counters);
            let Some(c) = counters.res.as_protected() else {
                continue;
            };
            c.calculate_protection(tc, recursive_prot);
            if c.below_min(tc) {
                // Hard protection: if nothing else is reclaimable, the charge OOMs.
                continue;
            }
            if c.below_low(tc) {
                // Soft protection: honoured while other memcgs have memory to give.
                if !sc.memcg_low_reclaim {
                    sc.memcg_low_skipped = true;
                    continue;
                }
                self.memcg_memory_event(s, MemcgEvent::Low);
            }
            let scanned = self.reclaim.scanned;
            let r = match tc {
                Some(tc) => self.shrink_lruvec_v2(t, cpu, s, tc, c, sc),
                None => 0,
            };
            sc.nr_reclaimed += r;
            self.vmpressure(target, self.reclaim.scanned - scanned, r);
        }
    }

    /// `shrink_lruvec` with `get_scan_count` (`mm/vmscan.c`, v6.6) for memcg `s`: each
    /// evictable list's scan target is its length scaled by the memcg's protection
    /// ([`protected_scan_target`]), shifted right by the priority and split between anon and
    /// file; the lists are then scanned until the targets are spent or `nr_to_reclaim` pages
    /// were reclaimed from this memcg. Returns the pages reclaimed.
    fn shrink_lruvec_v2<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        s: MemcgSlot,
        tc: &ProtectedPageCounter,
        c: &ProtectedPageCounter,
        sc: &mut ScanControlV2,
    ) -> u64 {
        let _f = trace::func(t, cpu, "shrink_lruvec");
        let o = LruOwner::Memcg(s);
        let swappiness = self.get_swappiness(s);
        let can_swap = self.swap_writable() && self.v2_swap_headroom(o);
        let anon_pct = anon_scan_percent(can_swap, swappiness);
        let (min, low) = mem_cgroup_protection(tc, c);
        let cgroup_size = c.read().0;
        let mut nr = [0u64; 4];
        for l in LruList::ALL_EVICTABLE {
            let lru_size = self.lru_len(o, l);
            let (scan, low_used) =
                protected_scan_target(lru_size, cgroup_size, min, low, sc.memcg_low_reclaim);
            if low_used {
                sc.memcg_low_skipped = true;
            }
            let mut scan = scan >> sc.priority;
            // At priority 0 with swap both kinds are scanned whole (6.6 SCAN_EQUAL).
            if sc.priority > 0 || !can_swap {
                let pct = if l.is_file() {
                    100 - anon_pct
                } else {
                    anon_pct
                };
                scan = scan * pct / 100;
            }
            nr[l.index()] = scan;
        }
        if T::ENABLED && t.is_on() {
            let total: u64 = LruList::ALL_EVICTABLE
                .iter()
                .map(|&l| self.lru_len(o, l))
                .sum();
            let (prio, want) = (sc.priority, nr.iter().sum::<u64>());
            trace::comment(t, cpu, || {
                format!(
                    "priority {prio}: scan {want} of {total} pages (emin {min}, elow {low}, \
                     usage {cgroup_size})"
                )
            });
        }
        // 6.6 (0388536ac291, "mm:vmscan: fix inaccurate reclaim during proactive reclaim",
        // v6.6-rc1): what is still wanted, not the whole request, so that the pages this call's
        // earlier priorities reclaimed count.
        let nr_to_reclaim = sc.nr_to_reclaim.saturating_sub(sc.nr_reclaimed);
        self.shrink_scan_targets(t, cpu, o, nr, can_swap, |r| r >= nr_to_reclaim)
    }

    /// `target`'s subtree in `mem_cgroup_iter` order: pre-order, children in creation order.
    fn preorder(&self, target: MemcgSlot) -> Vec<MemcgSlot> {
        let mut out = Vec::new();
        let mut stack = vec![target];
        while let Some(s) = stack.pop() {
            out.push(s);
            let mut kids = self.mc(s).children.clone();
            kids.sort_unstable_by(|a, b| b.cmp(a));
            stack.extend(kids);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unprotected_lists_scan_whole() {
        assert_eq!(
            protected_scan_target(1000, 5000, 0, 0, false),
            (1000, false)
        );
    }

    #[test]
    fn protection_scales_the_scan_by_the_unprotected_share() {
        // 40 of 50 pages protected: a fifth of the list (and at least SWAP_CLUSTER_MAX).
        let (scan, low) = protected_scan_target(50_000, 50_000, 40_000, 0, false);
        assert_eq!((scan, low), (10_001, false));
        // memory.low above memory.min scales the first pass and marks memcg_low_skipped ...
        assert_eq!(
            protected_scan_target(50_000, 50_000, 0, 40_000, false),
            (10_001, true)
        );
        // ... and only memory.min counts on the memcg_low_reclaim pass.
        assert_eq!(
            protected_scan_target(50_000, 50_000, 0, 40_000, true),
            (50_000, false)
        );
        // Usage at or below the protection scans the minimum batch.
        assert_eq!(
            protected_scan_target(100, 100, 500, 0, false),
            (SWAP_CLUSTER_MAX, false)
        );
    }
}
