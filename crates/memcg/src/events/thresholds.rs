//! Memory thresholds: the sorted threshold array, its current index, and the crossing check.
//!
//! **Kernel:** `mm/memcontrol.c` `struct mem_cgroup_threshold_ary`, `__mem_cgroup_threshold`,
//! and the array rebuilding of `mem_cgroup_usage_register_event` /
//! `mem_cgroup_usage_unregister_event` (2.6.34 algorithm with the 3.x `≤` registration
//! comparison of SEED, `mm/memcontrol.c` `__mem_cgroup_threshold`, `mem_cgroup_usage_register_event`, `mem_cgroup_usage_unregister_event`, `mem_cgroup_threshold`, v2.6.34).
//!
//! This file is the data structure alone: no locks, no memcg, no tracing. The caller
//! (`events/mod.rs`) reads the usage and signals the eventfds the check returns.
//!
//! **Invariants:**
//! 1. `entries` is sorted ascending by threshold.
//! 2. `current` is −1 or an index into `entries`; every entry at or below `current` was at or
//!    below the usage seen at the last check, every entry above it was above that usage.
//!
//! **Differences:** the kernel keeps a `spare` array so that unregistration never allocates;
//! a `Vec` that is rebuilt in place needs none. Equal thresholds keep registration order (the
//! kernel's heap sort may order them either way; each is signalled all the same).

use cgsim_eventfd::EventfdCtx;
use cgsim_ktypes::Bytes;
use std::sync::Arc;

/// One registered threshold (`struct mem_cgroup_threshold`).
#[doc(alias = "mem_cgroup_threshold")]
#[derive(Clone)]
pub struct ThresholdEntry {
    pub eventfd: Arc<EventfdCtx>,
    pub threshold: Bytes,
}

/// One threshold set of a memcg: memory or memsw (`struct mem_cgroup_threshold_ary` plus its
/// `current_threshold`).
#[doc(alias = "mem_cgroup_threshold_ary")]
#[derive(Clone)]
pub struct ThresholdAry {
    entries: Vec<ThresholdEntry>,
    /// Index of the last entry at or below the usage of the last check; −1 if none.
    current: isize,
}

impl Default for ThresholdAry {
    fn default() -> Self {
        ThresholdAry {
            entries: Vec::new(),
            current: -1,
        }
    }
}

impl ThresholdAry {
    /// Whether no threshold is registered (the kernel's `primary == NULL`).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The registered thresholds in array order.
    pub fn thresholds(&self) -> impl Iterator<Item = Bytes> + '_ {
        self.entries.iter().map(|e| e.threshold)
    }

    /// `current_threshold`.
    pub fn current(&self) -> isize {
        self.current
    }

    /// `__mem_cgroup_threshold`'s two loops (`mm/memcontrol.c`, v2.6.34): call `signal` once for every
    /// threshold crossed since the last check — downwards (usage now below it) walking down
    /// from `current`, else upwards (usage now at or above it) walking up — and move
    /// `current`. Returns how many were signalled.
    #[doc(alias = "__mem_cgroup_threshold")]
    pub fn check(&mut self, usage: Bytes, mut signal: impl FnMut(&ThresholdEntry)) -> usize {
        if self.entries.is_empty() {
            return 0;
        }
        let mut n = 0;
        let mut i = self.current;
        while i >= 0 && self.entries[i as usize].threshold > usage {
            signal(&self.entries[i as usize]);
            n += 1;
            i -= 1;
        }
        i += 1;
        while (i as usize) < self.entries.len() && self.entries[i as usize].threshold <= usage {
            signal(&self.entries[i as usize]);
            n += 1;
            i += 1;
        }
        self.current = i - 1;
        n
    }

    /// Add a threshold (`mm/memcontrol.c` `mem_cgroup_usage_register_event`, v2.6.34), after the caller ran [`check`](Self::check) with
    /// the current usage. `current` is recomputed from `usage`: with `le` (3.x, SEED) the
    /// number of entries `≤ usage` minus one, else (2.6.34) the number `< usage` minus one.
    /// Nothing is signalled for the new threshold.
    pub fn insert(&mut self, entry: ThresholdEntry, usage: Bytes, le: bool) {
        let at = self
            .entries
            .partition_point(|e| e.threshold <= entry.threshold);
        self.entries.insert(at, entry);
        self.recompute(usage, le);
    }

    /// Remove every entry of `eventfd` (`mm/memcontrol.c` `mem_cgroup_usage_unregister_event`, v2.6.34), after the caller ran
    /// [`check`](Self::check). Returns how many were removed.
    pub fn remove(&mut self, eventfd: &Arc<EventfdCtx>, usage: Bytes, le: bool) -> usize {
        let before = self.entries.len();
        self.entries.retain(|e| !Arc::ptr_eq(&e.eventfd, eventfd));
        let removed = before - self.entries.len();
        self.recompute(usage, le);
        removed
    }

    fn recompute(&mut self, usage: Bytes, le: bool) {
        let below = if le {
            self.entries.partition_point(|e| e.threshold <= usage)
        } else {
            // Kernel quirk (2.6.34): strictly below, so a threshold equal to the usage at
            // registration time counts as "above" and fires on the next check.
            self.entries.partition_point(|e| e.threshold < usage)
        };
        self.current = below as isize - 1;
    }

    /// Invariants 1–2 (for property tests).
    pub fn check_invariants(&self) {
        assert!(
            self.entries
                .windows(2)
                .all(|w| w[0].threshold <= w[1].threshold),
            "threshold array not sorted"
        );
        assert!(
            self.current >= -1 && self.current < self.entries.len() as isize,
            "current_threshold {} out of range",
            self.current
        );
    }
}
