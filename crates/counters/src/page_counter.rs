//! page_counter: the lockless page counter memcg uses from 3.19 on.
//!
//! **Kernel:** `mm/page_counter.c`, `include/linux/page_counter.h`, 3.19 (`count`/`limit`) and
//! 4.x (`usage`/`max`), commit 3e32cb2e0a12 "mm: memcontrol: lockless page counters" (`mm/page_counter.c`).
//! **Differences:** the cgroup-v2 protection fields (`min`, `low`, ...) are not in
//! [`PageCounter`] (v1 does not use them); 6.6's counter is the same walk with a
//! [`LevelHook`] that keeps them (`page_counter_prot.rs`). `soft_limit` is kept here for a uniform [`Counter`] interface; the kernel keeps
//! it in `struct mem_cgroup` (`memcg->soft_limit`, pages) from 3.19 on. An underflow is reported
//! and left in place, as in 3.19–5.x; later kernels reset the counter to 0.
//! **Locking:** none. `usage` is changed only by atomic read-modify-writes. `watermark` and
//! `failcnt` are updated with a plain read then write, so concurrent updates can be lost: the
//! kernel tolerates this on purpose (it says it can live with the inaccuracy), and
//! `tests/loom.rs` (`failcnt_race_can_lose_a_count`) shows it. `max` is only written by
//! [`PageCounter::set_max`], whose callers serialise.

use std::sync::Arc;

use cgsim_ktypes::parse::{MemparseSuffixes, memparse};
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{Bytes, CpuId, Errno, PAGE_SIZE, Pages};
use crossbeam_utils::CachePadded;

use crate::counter::{Counter, StockTarget, Underflow};
use crate::sync::{AtomicI64, AtomicU64, Ordering, cond_resched, full_barrier_after_rmw};

/// `PAGE_COUNTER_MAX` on 64-bit: `LONG_MAX / PAGE_SIZE` pages (`include/linux/page_counter.h`, v3.19).
pub const PAGE_COUNTER_MAX: u64 = (i64::MAX as u64) / PAGE_SIZE;

/// What the kernel version decides about a page_counter's control files (`mm/page_counter.c` `page_counter_memparse`, v3.19).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PageCounterProfile {
    /// The spelling of "unlimited" (`-1` for v1 files, `max` for v2 files).
    pub max_string: &'static str,
    /// Which `memparse` suffixes exist.
    pub suffixes: MemparseSuffixes,
    /// The kernel's counter has the cgroup-v2 protections (`min`, `low`, `high`; 4.16+ in the
    /// kernel, modelled for the 6.6 preset by `ProtectedPageCounter`).
    pub protection: bool,
}

impl PageCounterProfile {
    /// 3.19.
    pub const V3_19: PageCounterProfile = PageCounterProfile {
        max_string: "-1",
        suffixes: MemparseSuffixes::Kmg,
        protection: false,
    };
    /// 4.x v1 files (`t`, `p`, `e` suffixes exist).
    pub const V4_19: PageCounterProfile = PageCounterProfile {
        max_string: "-1",
        suffixes: MemparseSuffixes::KmgTpe,
        protection: false,
    };
}

impl Default for PageCounterProfile {
    fn default() -> PageCounterProfile {
        PageCounterProfile::V3_19
    }
}

/// One level of a page_counter tree.
///
/// **Kernel:** `struct page_counter` (`include/linux/page_counter.h`, v3.19). `usage` is alone on its 128-byte line; `max`,
/// `watermark`, `failcnt` and `parent` are read on every charge but rarely written, so they share
/// the next line (the layout of Feng Tang's 2021 "relayout structure to reduce false sharing").
///
/// **Invariants:** with no charge in flight, `0 <= usage <= max` unless `charge`
/// ([`Counter::charge_nofail`]) forced it past `max` or more was uncharged than charged; and
/// `watermark >= usage` while usage is not negative.
///
/// The hierarchy walk (`page_counter_try_charge`, `page_counter_charge`,
/// `page_counter_cancel`, `page_counter_uncharge`) is generic over a [`LevelHook`] that runs
/// after each level's usage changes: nothing for the 3.19–4.x counter ([`PageCounter`], the hook
/// `()`, compiled away), `propagate_protected_usage` for the 6.6 one
/// ([`ProtectedPageCounter`](crate::ProtectedPageCounter)), whose protection fields are the
/// hook's state (`ext`).
#[doc(alias = "page_counter")]
#[derive(Debug)]
pub struct PageCounterOf<H> {
    /// `atomic_long_t usage` (`count` in 3.19), pages; signed as in the kernel.
    pub(crate) usage: CachePadded<AtomicI64>,
    /// `unsigned long max` (`limit` in 3.19).
    pub(crate) max: AtomicU64,
    /// `unsigned long watermark`.
    pub(crate) watermark: AtomicU64,
    /// `unsigned long failcnt`.
    pub(crate) failcnt: AtomicU64,
    /// `memcg->soft_limit` in the kernel (see the module's **Differences**).
    pub(crate) soft_limit: AtomicU64,
    pub(crate) parent: Option<Arc<PageCounterOf<H>>>,
    pub(crate) owner: usize,
    pub(crate) profile: PageCounterProfile,
    /// The hook's per-level state (nothing for `()`).
    pub(crate) ext: H,
}

/// The 3.19–4.x page_counter: the walk with no hook.
pub type PageCounter = PageCounterOf<()>;

/// What a kernel version's page_counter does at each level besides counting: the points where
/// the 3.19–4.x counter (`()`) and the 6.6 one ([`Protected`](crate::Protected)) differ. The
/// walk, the [`Counter`] and [`StockTarget`] impls and the readers are one generic impl over
/// this trait, so each version is the same code with its hook items inlined.
pub trait LevelHook: Sized + Send + Sync + std::fmt::Debug + 'static {
    /// A usage that went negative is reset to 0 (6.6) instead of left in place (3.19–5.x).
    const RESET_UNDERFLOW: bool;
    /// The hook's state of a new level (`page_counter_init`).
    fn init() -> Self;
    /// Run after `level`'s usage became `new` (and the charge was admitted there).
    fn usage_changed(level: &PageCounterOf<Self>, new: i64);
    /// `page_counter_read` of a raw usage: 3.19 casts the `long` to `unsigned long` (a negative
    /// usage reads huge); 6.6 never keeps a negative usage, and reads a transient one as 0.
    fn read_usage(usage: i64) -> u64;
    /// `page_counter_limit` (3.19) / `page_counter_set_max` (4.x, 6.6) of this version.
    fn set_max(level: &PageCounterOf<Self>, nr: Pages) -> Result<(), Errno>;
}

impl LevelHook for () {
    const RESET_UNDERFLOW: bool = false;
    #[inline(always)]
    fn init() {}
    #[inline(always)]
    fn usage_changed(_level: &PageCounter, _new: i64) {}
    #[inline(always)]
    fn read_usage(usage: i64) -> u64 {
        usage as u64
    }
    fn set_max(level: &PageCounter, nr: Pages) -> Result<(), Errno> {
        level.set_max(nr)
    }
}

impl PageCounter {
    /// `page_counter_limit` (3.19) / `page_counter_set_max` (4.x) (`mm/page_counter.c`).
    ///
    /// Swaps in the new maximum and succeeds if usage did not grow meanwhile; otherwise restores
    /// the old maximum and retries. `EBUSY` (and nothing changed) if usage is above `nr`;
    /// `EINVAL` if `nr` exceeds `PAGE_COUNTER_MAX` (the kernel's parser never produces that).
    /// Callers serialise calls to this function, as the kernel requires.
    #[doc(alias = "page_counter_limit")]
    #[doc(alias = "page_counter_set_max")]
    pub fn set_max(&self, nr: Pages) -> Result<(), Errno> {
        if nr.0 > PAGE_COUNTER_MAX {
            return Err(Errno::EINVAL);
        }
        loop {
            let usage = self.usage.load(Ordering::SeqCst);
            // Kernel quirk: `long > unsigned long` compares as unsigned.
            if usage as u64 > nr.0 {
                return Err(Errno::EBUSY);
            }
            let old = self.max.swap(nr.0, Ordering::SeqCst);
            full_barrier_after_rmw();
            if self.usage.load(Ordering::SeqCst) <= usage {
                return Ok(());
            }
            // A charge slipped in between the read and the swap: it may have been admitted
            // against the old maximum, so put it back and look again.
            self.max.store(old, Ordering::SeqCst);
            cond_resched();
        }
    }

    /// Check the **Invariants** that hold without forced charges or underflows.
    ///
    /// # Panics
    /// On a violation: a simulator bug.
    pub fn check_invariants(&self) {
        let usage = self.usage_signed();
        assert!(usage >= 0, "page_counter usage {usage} negative");
        assert!(
            self.watermark().0 >= usage as u64,
            "page_counter watermark below usage"
        );
        assert!(usage as u64 <= self.max().0, "page_counter usage above max");
    }
}

/// `page_counter_memparse(buf, max, &nr_pages)` (`mm/page_counter.c`, v3.19–v6.6): `max`
/// gives `PAGE_COUNTER_MAX`; otherwise `memparse` with nothing left over (else `EINVAL`),
/// divided by `PAGE_SIZE` rounding down, capped at `PAGE_COUNTER_MAX`.
pub(crate) fn memparse_pages(
    buf: &[u8],
    max: &[u8],
    suffixes: MemparseSuffixes,
) -> Result<Pages, Errno> {
    if buf == max {
        return Ok(Pages(PAGE_COUNTER_MAX));
    }
    let (bytes, rest) = memparse(buf, suffixes);
    if !rest.is_empty() {
        return Err(Errno::EINVAL);
    }
    Ok(Pages((bytes / PAGE_SIZE).min(PAGE_COUNTER_MAX)))
}

/// `nr_pages` as the `long` the atomics take.
#[inline(always)]
pub(crate) fn to_long(nr: Pages) -> i64 {
    assert!(
        nr.0 <= PAGE_COUNTER_MAX,
        "charge of {} pages exceeds PAGE_COUNTER_MAX",
        nr.0
    );
    nr.0 as i64
}

impl<H: LevelHook> PageCounterOf<H> {
    /// `page_counter_init(counter, NULL)`: usage 0, max `PAGE_COUNTER_MAX`
    /// (`include/linux/page_counter.h`, v3.19; 6.6 also `high`, which `mem_cgroup_css_alloc`
    /// sets to `PAGE_COUNTER_MAX` with `page_counter_set_high`).
    #[doc(alias = "page_counter_init")]
    pub fn new_root(profile: PageCounterProfile, owner: usize) -> Self {
        Self::init_with(None, profile, owner, H::init())
    }

    /// `page_counter_init(counter, parent)`.
    pub fn new_child(parent: &Arc<Self>, owner: usize) -> Self {
        Self::init_with(Some(Arc::clone(parent)), parent.profile, owner, H::init())
    }

    /// `page_counter_memparse(buf, max_string, &nr_pages)` (`mm/page_counter.c`, v3.19) with
    /// the profile's v1 spelling of unlimited.
    ///
    /// The profile's unlimited spelling gives `PAGE_COUNTER_MAX`; otherwise `memparse` with
    /// nothing left over (else `EINVAL`), divided by `PAGE_SIZE` rounding DOWN, capped at
    /// `PAGE_COUNTER_MAX`.
    #[doc(alias = "page_counter_memparse")]
    pub fn memparse(&self, buf: &[u8]) -> Result<Pages, Errno> {
        memparse_pages(
            buf,
            self.profile.max_string.as_bytes(),
            self.profile.suffixes,
        )
    }

    /// `page_counter_read`: usage in pages, as the version reads it ([`LevelHook::read_usage`]).
    #[doc(alias = "page_counter_read")]
    #[inline]
    pub fn read(&self) -> Pages {
        Pages(H::read_usage(self.usage.load(Ordering::Relaxed)))
    }

    /// Usage with its sign (negative only after an underflow).
    pub fn usage_signed(&self) -> i64 {
        self.usage.load(Ordering::Relaxed)
    }

    /// `max` (`limit` in 3.19), pages.
    #[inline]
    pub fn max(&self) -> Pages {
        Pages(self.max.load(Ordering::Relaxed))
    }

    /// `watermark`, pages (`memory.max_usage_in_bytes`; `memory.peak` in v2).
    pub fn watermark(&self) -> Pages {
        Pages(self.watermark.load(Ordering::Relaxed))
    }

    /// `page_counter_reset_watermark`: `watermark := usage`.
    #[doc(alias = "page_counter_reset_watermark")]
    pub fn reset_watermark(&self) {
        self.watermark.store(self.read().0, Ordering::Relaxed);
    }

    /// The profile this tree was built with.
    pub fn profile(&self) -> PageCounterProfile {
        self.profile
    }

    /// The parent level.
    #[inline(always)]
    pub fn parent(&self) -> Option<&Self> {
        self.parent.as_deref()
    }

    /// `page_counter_init(counter, parent)` with the hook's initial state `ext`.
    pub(crate) fn init_with(
        parent: Option<Arc<PageCounterOf<H>>>,
        profile: PageCounterProfile,
        owner: usize,
        ext: H,
    ) -> PageCounterOf<H> {
        PageCounterOf {
            usage: CachePadded::new(AtomicI64::new(0)),
            max: AtomicU64::new(PAGE_COUNTER_MAX),
            watermark: AtomicU64::new(0),
            failcnt: AtomicU64::new(0),
            soft_limit: AtomicU64::new(PAGE_COUNTER_MAX),
            parent,
            owner,
            profile,
            ext,
        }
    }

    /// `page_counter_try_charge(counter, nr_pages, &fail)` (`mm/page_counter.c`, v3.19).
    ///
    /// Adds speculatively at each level with one atomic add-and-read, instead of a
    /// compare-and-swap loop, and takes the pages back if that level went over its limit; then
    /// cancels the levels below. Only the failing level's `failcnt` moves.
    ///
    /// Kernel quirk: because the add is speculative, a large charge that is about to fail can
    /// make a concurrent small charge fail too, although the small one alone would have fit
    /// (shown by `tests/loom.rs`, `false_lockout_of_small_charge_by_large_one`).
    ///
    /// Kernel quirk: the comparison converts the signed sum to `unsigned long`, so after an
    /// underflow (negative usage) every charge at that level fails until usage recovers.
    ///
    /// # Panics
    /// If `nr` exceeds `PAGE_COUNTER_MAX`: only a simulator bug can charge that much.
    #[doc(alias = "page_counter_try_charge")]
    #[inline]
    pub fn try_charge<T: Tracer>(&self, nr: Pages, tracer: &T, cpu: CpuId) -> Result<(), &Self> {
        let _f = trace::func(tracer, cpu, "page_counter_try_charge");
        let n = to_long(nr);
        let mut c = self;
        loop {
            let new = c.usage.fetch_add(n, Ordering::SeqCst).wrapping_add(n);
            full_barrier_after_rmw();
            if new as u64 > c.max.load(Ordering::SeqCst) {
                c.usage.fetch_sub(n, Ordering::SeqCst);
                // Kernel quirk: a racy increment; the kernel accepts losing a count here.
                let f = c.failcnt.load(Ordering::Relaxed);
                c.failcnt.store(f.wrapping_add(1), Ordering::Relaxed);
                let mut u = self;
                while !std::ptr::eq(u, c) {
                    // Cannot underflow: these levels hold the pages just added.
                    let _ = u.cancel(n);
                    u = u.parent.as_deref().expect("failing level is an ancestor");
                }
                return Err(c);
            }
            H::usage_changed(c, new);
            // Kernel quirk: a racy maximum; a concurrent update may be lost.
            if new as u64 > c.watermark.load(Ordering::Relaxed) {
                c.watermark.store(new as u64, Ordering::Relaxed);
            }
            match c.parent.as_deref() {
                Some(p) => c = p,
                None => return Ok(()),
            }
        }
    }

    /// `page_counter_charge(counter, nr_pages)` (`mm/page_counter.c`, v3.19): add at every level, no limit check.
    ///
    /// # Panics
    /// If `nr` exceeds `PAGE_COUNTER_MAX` (a simulator bug).
    #[doc(alias = "page_counter_charge")]
    pub fn charge<T: Tracer>(&self, nr: Pages, tracer: &T, cpu: CpuId) {
        let _f = trace::func(tracer, cpu, "page_counter_charge");
        let n = to_long(nr);
        let mut c = Some(self);
        while let Some(l) = c {
            let new = l.usage.fetch_add(n, Ordering::SeqCst).wrapping_add(n);
            H::usage_changed(l, new);
            if new as u64 > l.watermark.load(Ordering::Relaxed) {
                l.watermark.store(new as u64, Ordering::Relaxed);
            }
            c = l.parent.as_deref();
        }
    }

    /// `page_counter_cancel(counter, nr_pages)` (`mm/page_counter.c` `page_counter_uncharge`, v3.19): this level only.
    ///
    /// A negative result is the kernel's one-time warning; it is reported, and left in place
    /// (3.19–5.x) or reset to 0 (6.6, [`LevelHook::RESET_UNDERFLOW`]).
    #[doc(alias = "page_counter_cancel")]
    #[inline]
    pub fn cancel(&self, n: i64) -> Result<(), Underflow> {
        let new = self.usage.fetch_sub(n, Ordering::SeqCst).wrapping_sub(n);
        if new < 0 {
            let warn = Underflow {
                counter: "page_counter",
                owner: self.owner,
                had: new.wrapping_add(n),
                nr: n as u64,
            };
            if H::RESET_UNDERFLOW {
                self.usage.store(0, Ordering::SeqCst);
                H::usage_changed(self, 0);
            }
            return Err(warn);
        }
        H::usage_changed(self, new);
        Ok(())
    }

    /// `page_counter_uncharge(counter, nr_pages)` (`mm/page_counter.c` `page_counter_cancel`, v3.19): cancel at every level.
    ///
    /// # Panics
    /// If `nr` exceeds `PAGE_COUNTER_MAX` (a simulator bug).
    #[doc(alias = "page_counter_uncharge")]
    #[inline]
    pub fn uncharge<T: Tracer>(&self, nr: Pages, tracer: &T, cpu: CpuId) -> Result<(), Underflow> {
        let _f = trace::func(tracer, cpu, "page_counter_uncharge");
        let n = to_long(nr);
        let mut warn = Ok(());
        let mut c = Some(self);
        while let Some(l) = c {
            if let Err(w) = l.cancel(n)
                && warn.is_ok()
            {
                warn = Err(w);
            }
            c = l.parent.as_deref();
        }
        warn
    }
}

impl<H: LevelHook> Counter for PageCounterOf<H> {
    const KERNEL_NAME: &'static str = "page_counter";
    type Profile = PageCounterProfile;

    fn new_root(profile: PageCounterProfile, owner: usize) -> Self {
        PageCounterOf::new_root(profile, owner)
    }

    fn new_child(parent: &Arc<Self>, owner: usize) -> Self {
        PageCounterOf::new_child(parent, owner)
    }

    #[inline(always)]
    fn parent(&self) -> Option<&Self> {
        self.parent.as_deref()
    }

    fn owner(&self) -> usize {
        self.owner
    }

    #[inline(always)]
    fn try_charge<T: Tracer>(&self, nr: Pages, tracer: &T, cpu: CpuId) -> Result<(), &Self> {
        PageCounterOf::try_charge(self, nr, tracer, cpu)
    }

    fn charge_nofail<T: Tracer>(&self, nr: Pages, tracer: &T, cpu: CpuId) -> Result<(), &Self> {
        self.charge(nr, tracer, cpu);
        Ok(())
    }

    #[inline(always)]
    fn uncharge<T: Tracer>(&self, nr: Pages, tracer: &T, cpu: CpuId) -> Result<(), Underflow> {
        PageCounterOf::uncharge(self, nr, tracer, cpu)
    }

    /// `mem_cgroup_margin` for one counter: `max - usage` if below, else 0.
    fn margin(&self) -> Pages {
        Pages(self.max().0.saturating_sub(self.read().0))
    }

    /// Pages times `PAGE_SIZE`, wrapping as the kernel's `u64` multiplication does.
    fn usage(&self) -> Bytes {
        Bytes(self.read().0.wrapping_mul(PAGE_SIZE))
    }

    fn max_usage(&self) -> Bytes {
        Bytes(self.watermark().0.wrapping_mul(PAGE_SIZE))
    }

    fn limit(&self) -> Bytes {
        Bytes(self.max().0 * PAGE_SIZE)
    }

    fn soft_limit(&self) -> Bytes {
        Bytes(self.soft_limit.load(Ordering::Relaxed) * PAGE_SIZE)
    }

    fn failcnt(&self) -> u64 {
        self.failcnt.load(Ordering::Relaxed)
    }

    fn parse_limit(&self, buf: &[u8]) -> Result<Bytes, Errno> {
        self.memparse(buf).map(|p| Bytes(p.0 * PAGE_SIZE))
    }

    /// Whole pages of `limit` (rounding down), capped at `PAGE_COUNTER_MAX`, through the
    /// version's `set_max` ([`LevelHook::set_max`]).
    fn set_limit(&self, limit: Bytes) -> Result<(), Errno> {
        H::set_max(self, Pages((limit.0 / PAGE_SIZE).min(PAGE_COUNTER_MAX)))
    }

    fn set_soft_limit(&self, limit: Bytes) {
        self.soft_limit.store(
            (limit.0 / PAGE_SIZE).min(PAGE_COUNTER_MAX),
            Ordering::Relaxed,
        );
    }

    fn reset_max_usage(&self) {
        self.reset_watermark()
    }

    fn reset_failcnt(&self) {
        self.failcnt.store(0, Ordering::Relaxed);
    }
}

impl<H: LevelHook> StockTarget for PageCounterOf<H> {
    #[inline]
    fn stock_uncharge(&self, nr: Pages) -> Result<(), Underflow> {
        PageCounterOf::uncharge(self, nr, &cgsim_ktypes::NoTrace, CpuId(0))
    }
}
