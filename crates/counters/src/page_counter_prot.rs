//! page_counter with the cgroup-v2 protections: `min`, `low`, `high` beside `max`, and the
//! effective-protection calculation memory reclaim uses.
//!
//! **Kernel:** `mm/page_counter.c` and `include/linux/page_counter.h` of Linux 6.6
//! (`propagate_protected_usage`, `page_counter_set_min`, `page_counter_set_low`,
//! `page_counter_set_high`), and `mm/memcontrol.c` v6.6 `effective_protection` and
//! `mem_cgroup_calculate_protection` (which 6.12 moved into `mm/page_counter.c` as
//! `page_counter_calculate_protection`). `low` came in 4.16, `min` in 4.18, the proportional
//! distribution of an overcommitted parent's protection in 5.3, and the
//! `memory_recursiveprot` mount option (distributing the unclaimed rest) in 5.7.
//!
//! **Structure:** this is [`crate::PageCounter`]'s hierarchy walk (`PageCounterOf`:
//! try_charge, charge, cancel, uncharge) with [`Protected`] as its [`LevelHook`]: the protection
//! fields ride along as the level's `ext`, and `propagate_protected_usage` runs after each
//! level's usage changes.
//!
//! **Differences:** `soft_limit` is kept here for a uniform [`Counter`](crate::Counter) interface (the kernel
//! keeps it in `struct mem_cgroup`, for v1 only). The 3.19–4.x counter without protection is
//! [`crate::PageCounter`]; this one is the 6.6 layout, so an underflow is reported and the
//! level reset to 0, as `page_counter_cancel` has done since 5.x.
//! **Locking:** as [`crate::PageCounter`]: `usage`, `min_usage`, `low_usage` and the
//! `children_*_usage` sums change only by atomic read-modify-writes; `min`, `low`, `high` and
//! `max` are written by their setters, whose callers serialise; `emin` and `elow` are written
//! by reclaim's calculation and read racily, as in the kernel.

use cgsim_ktypes::parse::MemparseSuffixes;
use cgsim_ktypes::{Errno, Pages};

use crate::page_counter::{
    LevelHook, PAGE_COUNTER_MAX, PageCounterOf, PageCounterProfile, memparse_pages,
};
use crate::sync::{AtomicI64, AtomicU64, Ordering, cond_resched, full_barrier_after_rmw};

impl PageCounterProfile {
    /// 6.6: the v1 files still spell unlimited `-1` (`mem_cgroup_write`); the v2 files parse
    /// with `max` ([`ProtectedPageCounter::memparse_max`]).
    pub const V6_6: PageCounterProfile = PageCounterProfile {
        max_string: "-1",
        suffixes: MemparseSuffixes::KmgTpe,
        protection: true,
    };
}

/// One level of a 6.6 page_counter tree.
///
/// **Kernel:** `struct page_counter` (`include/linux/page_counter.h`, v6.6).
///
/// **Invariants** (no charge in flight): for every level with a parent,
/// `min_usage == min(usage, min)` and `low_usage == min(usage, low)` once any of them was
/// non-zero (they are only tracked from the first non-zero value on, as the kernel does);
/// `children_min_usage` (`children_low_usage`) is the sum of the children's `min_usage`
/// (`low_usage`). Checked by [`ProtectedPageCounter::check_invariants`] and the property test
/// `tests/it/protection.rs`.
#[doc(alias = "page_counter")]
pub type ProtectedPageCounter = PageCounterOf<Protected>;

/// The 6.6 fields of `struct page_counter` beside the 3.19 ones: the protection settings, the
/// effective values and the protected-usage sums, kept up to date by the hierarchy walk
/// through [`LevelHook::usage_changed`] (`propagate_protected_usage`).
#[derive(Debug)]
pub struct Protected {
    /// `unsigned long min`: hard protection.
    min: AtomicU64,
    /// `unsigned long low`: best-effort protection.
    low: AtomicU64,
    /// `unsigned long high`: the throttling limit.
    high: AtomicU64,
    /// `unsigned long emin`: the effective `min` of the last calculation.
    emin: AtomicU64,
    /// `atomic_long_t min_usage`: `min(usage, min)` as last propagated.
    min_usage: AtomicI64,
    /// `atomic_long_t children_min_usage`: the children's `min_usage` summed.
    children_min_usage: AtomicI64,
    /// `unsigned long elow`.
    elow: AtomicU64,
    /// `atomic_long_t low_usage`.
    low_usage: AtomicI64,
    /// `atomic_long_t children_low_usage`.
    children_low_usage: AtomicI64,
}

impl LevelHook for Protected {
    /// 5.x+ `page_counter_cancel` resets a negative usage to 0.
    const RESET_UNDERFLOW: bool = true;
    /// `min` and `low` 0, `high` `PAGE_COUNTER_MAX` (`mem_cgroup_css_alloc` sets it with
    /// `page_counter_set_high`).
    fn init() -> Self {
        Protected {
            min: AtomicU64::new(0),
            low: AtomicU64::new(0),
            high: AtomicU64::new(PAGE_COUNTER_MAX),
            emin: AtomicU64::new(0),
            min_usage: AtomicI64::new(0),
            children_min_usage: AtomicI64::new(0),
            elow: AtomicU64::new(0),
            low_usage: AtomicI64::new(0),
            children_low_usage: AtomicI64::new(0),
        }
    }
    #[inline]
    fn usage_changed(level: &ProtectedPageCounter, new: i64) {
        level.propagate_protected_usage(new);
    }
    #[inline(always)]
    fn read_usage(usage: i64) -> u64 {
        usage.max(0) as u64
    }
    fn set_max(level: &ProtectedPageCounter, nr: Pages) -> Result<(), Errno> {
        level.set_max(nr)
    }
}

/// The protection values a level holds, read together (pages).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Protection {
    pub min: u64,
    pub low: u64,
    pub emin: u64,
    pub elow: u64,
    pub children_min_usage: i64,
    pub children_low_usage: i64,
}

/// `effective_protection(usage, parent_usage, setting, parent_effective, siblings_protected)`
/// (`mm/memcontrol.c`, v6.6): how much of `setting` (a `min` or `low`) a cgroup really gets.
///
/// A cgroup's claim is `min(usage, setting)`. When the siblings' claims together exceed what
/// the parent is itself protected for, each gets a share of the parent's protection in
/// proportion to its claim. Otherwise the claim is granted in full; and with
/// `recursive_prot` (the `memory_recursiveprot` mount option) the parent's protection the
/// siblings leave unclaimed is spread over them in proportion to their unprotected usage.
pub fn effective_protection(
    usage: u64,
    parent_usage: u64,
    setting: u64,
    parent_effective: u64,
    siblings_protected: u64,
    recursive_prot: bool,
) -> u64 {
    let protected = usage.min(setting);
    if siblings_protected > parent_effective {
        // The kernel multiplies in `unsigned long`; page counts stay far below 2^32 here, so
        // the product cannot wrap (u128 keeps it exact regardless).
        return (protected as u128 * parent_effective as u128 / siblings_protected as u128) as u64;
    }
    let mut ep = protected;
    if !recursive_prot {
        return ep;
    }
    if parent_effective > siblings_protected
        && parent_usage > siblings_protected
        && usage > protected
    {
        let unclaimed = (parent_effective - siblings_protected) as u128
            * (usage - protected) as u128
            / (parent_usage - siblings_protected) as u128;
        ep += unclaimed as u64;
    }
    ep
}

impl ProtectedPageCounter {
    /// `propagate_protected_usage(c, usage)`: record how much of this level's usage its `min`
    /// and `low` protect, and pass the change on to the parent's `children_*_usage`.
    ///
    /// A level whose setting and tracked value are both 0 is skipped, so unprotected trees pay
    /// two loads per level.
    #[inline]
    pub(crate) fn propagate_protected_usage(&self, usage: i64) {
        let Some(parent) = self.parent.as_deref() else {
            return;
        };
        // The kernel passes `usage` as `unsigned long`; it is never negative here (an
        // underflow was reset to 0 before).
        let usage = usage.max(0) as u64;
        let min = self.ext.min.load(Ordering::Relaxed);
        if min != 0 || self.ext.min_usage.load(Ordering::Relaxed) != 0 {
            let protected = usage.min(min) as i64;
            let old = self.ext.min_usage.swap(protected, Ordering::SeqCst);
            let delta = protected - old;
            if delta != 0 {
                parent
                    .ext
                    .children_min_usage
                    .fetch_add(delta, Ordering::SeqCst);
            }
        }
        let low = self.ext.low.load(Ordering::Relaxed);
        if low != 0 || self.ext.low_usage.load(Ordering::Relaxed) != 0 {
            let protected = usage.min(low) as i64;
            let old = self.ext.low_usage.swap(protected, Ordering::SeqCst);
            let delta = protected - old;
            if delta != 0 {
                parent
                    .ext
                    .children_low_usage
                    .fetch_add(delta, Ordering::SeqCst);
            }
        }
    }

    /// `page_counter_set_max` (`mm/page_counter.c`, v6.6): `EBUSY` if usage is above `nr`.
    #[doc(alias = "page_counter_set_max")]
    pub fn set_max(&self, nr: Pages) -> Result<(), Errno> {
        if nr.0 > PAGE_COUNTER_MAX {
            return Err(Errno::EINVAL);
        }
        loop {
            let usage = self.usage.load(Ordering::SeqCst);
            if usage > nr.0 as i64 {
                return Err(Errno::EBUSY);
            }
            let old = self.max.swap(nr.0, Ordering::SeqCst);
            full_barrier_after_rmw();
            if self.usage.load(Ordering::SeqCst) <= usage {
                return Ok(());
            }
            self.max.store(old, Ordering::SeqCst);
            cond_resched();
        }
    }

    /// `xchg(&memcg->memory.max, max)` of `memory_max_write` (v6.6): v2's `memory.max` is
    /// stored first and usage is then reclaimed (or OOM-killed) down to it, never refused.
    pub fn xchg_max(&self, nr: Pages) -> Pages {
        Pages(self.max.swap(nr.0.min(PAGE_COUNTER_MAX), Ordering::SeqCst))
    }

    /// `page_counter_set_min` (`mm/page_counter.c`, v6.6): store, then re-propagate every
    /// level up to the root.
    #[doc(alias = "page_counter_set_min")]
    pub fn set_min(&self, nr: Pages) {
        self.ext.min.store(nr.0, Ordering::SeqCst);
        let mut c = Some(self);
        while let Some(l) = c {
            l.propagate_protected_usage(l.usage.load(Ordering::SeqCst));
            c = l.parent.as_deref();
        }
    }

    /// `page_counter_set_low` (`mm/page_counter.c`, v6.6).
    #[doc(alias = "page_counter_set_low")]
    pub fn set_low(&self, nr: Pages) {
        self.ext.low.store(nr.0, Ordering::SeqCst);
        let mut c = Some(self);
        while let Some(l) = c {
            l.propagate_protected_usage(l.usage.load(Ordering::SeqCst));
            c = l.parent.as_deref();
        }
    }

    /// `page_counter_set_high` (`include/linux/page_counter.h`, v6.6): a plain store.
    #[doc(alias = "page_counter_set_high")]
    pub fn set_high(&self, nr: Pages) {
        self.ext
            .high
            .store(nr.0.min(PAGE_COUNTER_MAX), Ordering::SeqCst);
    }

    /// `page_counter_memparse(buf, "max", &nr_pages)`: what the v2 files (`memory.min`, `low`,
    /// `high`, `max`, `swap.*`) parse with. `buf` is already stripped of white space.
    pub fn memparse_max(&self, buf: &[u8]) -> Result<Pages, Errno> {
        memparse_pages(buf, b"max", self.profile.suffixes)
    }

    /// `page_counter_memparse(buf, word, &nr_pages)` with any spelling of unlimited
    /// (`memory.reclaim` passes `""`, so only an empty buffer means `PAGE_COUNTER_MAX`).
    pub fn memparse_word(&self, buf: &[u8], word: &[u8]) -> Result<Pages, Errno> {
        memparse_pages(buf, word, self.profile.suffixes)
    }

    /// `mem_cgroup_calculate_protection(root, memcg)` for this level (`mm/memcontrol.c`,
    /// v6.6): update `emin` and `elow` from the parent's effective values, which the caller
    /// computed first (reclaim walks the tree top-down with `mem_cgroup_iter`).
    ///
    /// `root` is the reclaim target (`None`: the root of the tree). The target's own values
    /// are left as they are (stale), as the kernel leaves them; a level with no usage is
    /// skipped; a child of the target gets its own `min` and `low`.
    #[doc(alias = "mem_cgroup_calculate_protection")]
    pub fn calculate_protection(&self, root: Option<&ProtectedPageCounter>, recursive_prot: bool) {
        let is_root = |c: &ProtectedPageCounter| match root {
            Some(r) => std::ptr::eq(r, c),
            None => c.parent.is_none(),
        };
        if is_root(self) {
            return;
        }
        let usage = self.read().0;
        if usage == 0 {
            return;
        }
        let Some(parent) = self.parent.as_deref() else {
            return;
        };
        if is_root(parent) {
            self.ext
                .emin
                .store(self.ext.min.load(Ordering::Relaxed), Ordering::Relaxed);
            self.ext
                .elow
                .store(self.ext.low.load(Ordering::Relaxed), Ordering::Relaxed);
            return;
        }
        let parent_usage = parent.read().0;
        let emin = effective_protection(
            usage,
            parent_usage,
            self.ext.min.load(Ordering::Relaxed),
            parent.ext.emin.load(Ordering::Relaxed),
            parent.ext.children_min_usage.load(Ordering::Relaxed).max(0) as u64,
            recursive_prot,
        );
        self.ext.emin.store(emin, Ordering::Relaxed);
        let elow = effective_protection(
            usage,
            parent_usage,
            self.ext.low.load(Ordering::Relaxed),
            parent.ext.elow.load(Ordering::Relaxed),
            parent.ext.children_low_usage.load(Ordering::Relaxed).max(0) as u64,
            recursive_prot,
        );
        self.ext.elow.store(elow, Ordering::Relaxed);
    }

    /// `mem_cgroup_below_min(target, memcg)` (`include/linux/memcontrol.h`, v6.6): reclaim
    /// must skip this level (`usage <= emin`), unless it is the target itself.
    #[doc(alias = "mem_cgroup_below_min")]
    pub fn below_min(&self, target: Option<&ProtectedPageCounter>) -> bool {
        if self.is_target(target) {
            return false;
        }
        self.read().0 <= self.ext.emin.load(Ordering::Relaxed)
    }

    /// `mem_cgroup_below_low(target, memcg)` (v6.6): reclaim skips this level on its first
    /// passes (`usage <= elow`), unless it is the target itself.
    #[doc(alias = "mem_cgroup_below_low")]
    pub fn below_low(&self, target: Option<&ProtectedPageCounter>) -> bool {
        if self.is_target(target) {
            return false;
        }
        self.read().0 <= self.ext.elow.load(Ordering::Relaxed)
    }

    /// `mem_cgroup_unprotected(target, memcg)` (v6.6): the target and the root are never
    /// protected.
    fn is_target(&self, target: Option<&ProtectedPageCounter>) -> bool {
        self.parent.is_none() || target.is_some_and(|t| std::ptr::eq(t, self))
    }

    /// `high`, pages.
    pub fn high(&self) -> Pages {
        Pages(self.ext.high.load(Ordering::Relaxed))
    }

    /// `min`, pages.
    pub fn min(&self) -> Pages {
        Pages(self.ext.min.load(Ordering::Relaxed))
    }

    /// `low`, pages.
    pub fn low(&self) -> Pages {
        Pages(self.ext.low.load(Ordering::Relaxed))
    }

    /// The protection values of this level.
    pub fn protection(&self) -> Protection {
        Protection {
            min: self.ext.min.load(Ordering::Relaxed),
            low: self.ext.low.load(Ordering::Relaxed),
            emin: self.ext.emin.load(Ordering::Relaxed),
            elow: self.ext.elow.load(Ordering::Relaxed),
            children_min_usage: self.ext.children_min_usage.load(Ordering::Relaxed),
            children_low_usage: self.ext.children_low_usage.load(Ordering::Relaxed),
        }
    }

    /// `min_usage` and `low_usage` as last propagated to the parent.
    pub fn protected_usage(&self) -> (i64, i64) {
        (
            self.ext.min_usage.load(Ordering::Relaxed),
            self.ext.low_usage.load(Ordering::Relaxed),
        )
    }

    /// Check this level's **Invariants** that need no other level: usage not negative,
    /// `watermark >= usage`, and the tracked protected usage equal to `min(usage, setting)`
    /// where it is tracked.
    ///
    /// # Panics
    /// On a violation: a simulator bug.
    pub fn check_invariants(&self) {
        let usage = self.usage.load(Ordering::Relaxed);
        assert!(usage >= 0, "page_counter usage {usage} negative");
        assert!(self.watermark().0 >= usage as u64, "watermark below usage");
        if self.parent.is_some() {
            let (mu, lu) = self.protected_usage();
            let min = self.min().0 as i64;
            let low = self.low().0 as i64;
            assert!(
                mu == usage.min(min) || (min == 0 && mu == 0),
                "min_usage {mu} != min(usage {usage}, min {min})"
            );
            assert!(
                lu == usage.min(low) || (low == 0 && lu == 0),
                "low_usage {lu} != min(usage {usage}, low {low})"
            );
        }
    }
}
