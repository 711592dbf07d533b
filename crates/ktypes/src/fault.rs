//! The kernel's fault-injection framework: `struct fault_attr`, `should_fail`, and its two
//! allocator users, `failslab` and `fail_page_alloc`, shared by every cgsim layer.
//!
//! **Kernel:** `lib/fault-inject.c` (`should_fail`, `fail_dump`, `fail_task`),
//! `include/linux/fault-inject.h` (`FAULT_ATTR_INITIALIZER`), `mm/failslab.c`
//! (`should_failslab`), `mm/page_alloc.c` (`should_fail_alloc_page`), all v2.6.35;
//! `Documentation/fault-injection/fault-injection.txt` describes the knobs.
//!
//! One [`FaultInjection`] belongs to a booted machine. The Kernel shows it under debugfs
//! (`/sys/kernel/debug/failslab/*`, `/sys/kernel/debug/fail_page_alloc/*`) and
//! `/proc/PID/make-it-fail`; the cgroup core and the memory controller hold the same `Arc` and
//! ask it at each place where 2.6.35 allocates ([`FaultInjection::should_failslab`] for a
//! `kmalloc`, [`FaultInjection::should_fail_alloc_page`] for `alloc_pages`).
//!
//! "Current" is the task a Kernel call runs for: the Kernel sets it for the thread with
//! [`FaultInjection::enter`] so `task-filter` can read its `make-it-fail`, and `verbose = 2`'s
//! stack dump can print its pid and comm.
//!
//! **Differences:**
//! - `random32()` is a seeded xorshift generator ([`FaultInjection::set_seed`]): the same seed
//!   and the same operations fail the same allocations, so a failing run replays exactly.
//! - The stack filter (`stacktrace-depth`, `require-start`, ...; `CONFIG_FAULT_INJECTION_STACKTRACE_FILTER`)
//!   is not modelled: the simulator has no kernel text addresses. `verbose = 2`'s `dump_stack`
//!   prints the simulated call chain of the allocation site with addresses and offsets 0, as
//!   the OOM report does.
//! - `space` counts the allocation sizes this module gives each site, which are estimates of
//!   the x86_64 2.6.35 `sizeof` values, not measurements of a build.
//! - [`FaultInjection::fail_nth`] is a Rust-only knob for exhaustive sweeps (the kernel got a
//!   per-task `fail-nth` only in 4.11): the Nth allocation site reached fails, whatever the
//!   attributes and gfp filters say.

use crate::Pid;
use crate::klog::{Clock, Klog, Level};
use parking_lot::Mutex;
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The `gfp_t` bits the filters read (`include/linux/gfp.h`, v2.6.35).
pub mod gfp {
    pub const HIGHMEM: u32 = 0x02;
    pub const MOVABLE: u32 = 0x08;
    pub const WAIT: u32 = 0x10;
    pub const HIGH: u32 = 0x20;
    pub const IO: u32 = 0x40;
    pub const FS: u32 = 0x80;
    pub const NOWARN: u32 = 0x200;
    pub const NOFAIL: u32 = 0x800;
    pub const NOMEMALLOC: u32 = 0x10000;
    pub const HARDWALL: u32 = 0x20000;
    /// `GFP_KERNEL`: every allocation of the cgroup core and of memcg's setup paths.
    pub const KERNEL: u32 = WAIT | IO | FS;
    /// `GFP_ATOMIC`.
    pub const ATOMIC: u32 = HIGH;
    /// `GFP_HIGHUSER_MOVABLE`: an anonymous or page-cache page in a fault.
    pub const HIGHUSER_MOVABLE: u32 = WAIT | IO | FS | HARDWALL | HIGHMEM | MOVABLE;
}

/// One allocation site: the allocator function and the call chain above it (innermost first),
/// for `verbose = 2`'s stack dump, and the allocation size `space` counts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// The caller chain from the allocator up to the system call, innermost first.
    pub frames: &'static [&'static str],
    /// Bytes (`failslab`) or the order (`fail_page_alloc`: `1 << order` pages).
    pub size: usize,
    pub gfp: u32,
}

/// `struct fault_attr` (v2.6.35) without the stack filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultAttr {
    /// Percent chance of failing an allocation that reaches the random draw (0..=100).
    pub probability: u64,
    /// Only every `interval`-th call that gets this far may fail.
    pub interval: u64,
    /// How many more failures may be injected; -1 is no limit (`atomic_t`).
    pub times: i32,
    /// Bytes that may be allocated before failures start (`atomic_t`).
    pub space: i32,
    /// 0: quiet; 1: `FAULT_INJECTION: forcing a failure`; 2: that and `dump_stack()`.
    pub verbose: u64,
    /// Only tasks with `/proc/PID/make-it-fail` set fail (`u32`, a debugfs bool).
    pub task_filter: u32,
    /// `count`, the interval's counter (not a file).
    pub count: u64,
}

impl Default for FaultAttr {
    /// `FAULT_ATTR_INITIALIZER`: interval 1, times 1, verbose 2, probability 0.
    fn default() -> FaultAttr {
        FaultAttr {
            probability: 0,
            interval: 1,
            times: 1,
            space: 0,
            verbose: 2,
            task_filter: 0,
            count: 0,
        }
    }
}

/// `failslab`'s own switches (`mm/failslab.c`, v2.6.35).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailSlab {
    pub attr: FaultAttr,
    /// Default 1: allocations that may sleep (`__GFP_WAIT`, so every `GFP_KERNEL` one) are
    /// never failed until this is cleared.
    pub ignore_gfp_wait: u32,
    /// Only caches created with `SLAB_FAILSLAB` fail; cgsim has none, so set means "never".
    pub cache_filter: u32,
}

/// `fail_page_alloc`'s own switches (`mm/page_alloc.c`, v2.6.35).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailPageAlloc {
    pub attr: FaultAttr,
    /// Default 1: `__GFP_HIGHMEM` allocations (user pages) are never failed.
    pub ignore_gfp_highmem: u32,
    /// Default 1: allocations that may sleep are never failed.
    pub ignore_gfp_wait: u32,
    /// Default 1: order-0 (single page) allocations are never failed.
    pub min_order: u32,
}

impl Default for FailSlab {
    fn default() -> FailSlab {
        FailSlab {
            attr: FaultAttr::default(),
            ignore_gfp_wait: 1,
            cache_filter: 0,
        }
    }
}

impl Default for FailPageAlloc {
    fn default() -> FailPageAlloc {
        FailPageAlloc {
            attr: FaultAttr::default(),
            ignore_gfp_highmem: 1,
            ignore_gfp_wait: 1,
            min_order: 1,
        }
    }
}

/// The task a Kernel call runs for (`current`), as the framework sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Current {
    pub pid: Pid,
    pub comm: String,
    /// `task->make_it_fail`.
    pub make_it_fail: bool,
}

thread_local! {
    static CURRENT: RefCell<Vec<Current>> = const { RefCell::new(Vec::new()) };
}

/// Restores the previous "current" task when dropped (see [`FaultInjection::enter`]).
#[must_use]
pub struct CurrentGuard(());

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.borrow_mut().pop());
    }
}

/// Where `fail_dump` prints: the log, its clock, and the release the stack dump names.
type LogTarget = (Arc<Klog>, Arc<Clock>, String);

struct Inner {
    failslab: FailSlab,
    fail_page_alloc: FailPageAlloc,
    /// The xorshift state behind `random32()`.
    rng: u64,
    /// Rust sweeps: the allocation site number that fails (1-based), 0 when off.
    nth: u64,
    /// Allocation sites reached since boot (or [`FaultInjection::reset_calls`]).
    calls: u64,
    /// Failures injected so far.
    injected: u64,
}

/// A machine's fault injection: `failslab`, `fail_page_alloc` and the Rust sweep knob.
///
/// Cheap when off: [`should_failslab`](Self::should_failslab) and
/// [`should_fail_alloc_page`](Self::should_fail_alloc_page) test one atomic flag and return.
pub struct FaultInjection {
    /// Whether anything could fail or change state: a non-zero probability or space, or
    /// `fail_nth`. Read with one relaxed load at each site.
    armed: AtomicBool,
    /// The page allocator's own flag, so the fault path pays nothing for failslab settings.
    page_armed: AtomicBool,
    inner: Mutex<Inner>,
    log: Mutex<Option<LogTarget>>,
}

impl std::fmt::Debug for FaultInjection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let i = self.inner.lock();
        f.debug_struct("FaultInjection")
            .field("failslab", &i.failslab)
            .field("fail_page_alloc", &i.fail_page_alloc)
            .field("nth", &i.nth)
            .finish()
    }
}

impl Default for FaultInjection {
    fn default() -> FaultInjection {
        FaultInjection::new(0)
    }
}

/// The default seed (any fixed value; the kernel seeds `random32` from boot entropy).
const DEFAULT_SEED: u64 = 0x2635_f417_5eed_0001;

impl FaultInjection {
    /// Boot defaults (nothing fails), `random32()` seeded with `seed` (0 picks a fixed default).
    pub fn new(seed: u64) -> FaultInjection {
        FaultInjection {
            armed: AtomicBool::new(false),
            page_armed: AtomicBool::new(false),
            inner: Mutex::new(Inner {
                failslab: FailSlab::default(),
                fail_page_alloc: FailPageAlloc::default(),
                rng: seed_state(seed),
                nth: 0,
                calls: 0,
                injected: 0,
            }),
            log: Mutex::new(None),
        }
    }

    /// Where `fail_dump` prints, and the release its stack dump names (`Not tainted REL #1`).
    pub fn set_log(&self, klog: Arc<Klog>, clock: Arc<Clock>, release: &str) {
        *self.log.lock() = Some((klog, clock, release.to_string()));
    }

    /// Re-seed `random32()`.
    pub fn set_seed(&self, seed: u64) {
        self.inner.lock().rng = seed_state(seed);
    }

    /// Make `cur` the current task of this thread until the guard drops (nested calls stack).
    pub fn enter(cur: Current) -> CurrentGuard {
        CURRENT.with(|c| c.borrow_mut().push(cur));
        CurrentGuard(())
    }

    /// The current task of this thread, if a Kernel call set one.
    pub fn current() -> Option<Current> {
        CURRENT.with(|c| c.borrow().last().cloned())
    }

    /// `failslab`'s settings.
    pub fn failslab(&self) -> FailSlab {
        self.inner.lock().failslab.clone()
    }

    /// `fail_page_alloc`'s settings.
    pub fn fail_page_alloc(&self) -> FailPageAlloc {
        self.inner.lock().fail_page_alloc.clone()
    }

    /// Change `failslab` (what writes to its debugfs files do).
    pub fn update_failslab(&self, f: impl FnOnce(&mut FailSlab)) {
        let mut i = self.inner.lock();
        f(&mut i.failslab);
        self.rearm(&i);
    }

    /// Change `fail_page_alloc`.
    pub fn update_fail_page_alloc(&self, f: impl FnOnce(&mut FailPageAlloc)) {
        let mut i = self.inner.lock();
        f(&mut i.fail_page_alloc);
        self.rearm(&i);
    }

    /// Fail the `n`th allocation site reached from now on (1 = the next one), once, whatever
    /// the attributes say; 0 turns it off. Counting restarts at the call.
    pub fn fail_nth(&self, n: u64) {
        let mut i = self.inner.lock();
        i.nth = n;
        i.calls = 0;
        self.rearm(&i);
    }

    /// Whether a `fail_nth` failure is still pending (the operation reached fewer sites).
    pub fn nth_pending(&self) -> bool {
        self.inner.lock().nth != 0
    }

    /// Allocation sites reached since the last [`fail_nth`](Self::fail_nth) or
    /// [`count_calls`](Self::count_calls) (counted only while something is armed or counting).
    pub fn calls(&self) -> u64 {
        self.inner.lock().calls
    }

    /// Start counting allocation sites without failing any (for a sweep's first, clean run).
    pub fn count_calls(&self) {
        let mut i = self.inner.lock();
        i.calls = 0;
        i.nth = u64::MAX;
        self.rearm(&i);
    }

    /// Failures injected since boot.
    pub fn injected(&self) -> u64 {
        self.inner.lock().injected
    }

    fn rearm(&self, i: &Inner) {
        let live = |a: &FaultAttr| a.probability != 0 || a.space > 0;
        let page = live(&i.fail_page_alloc.attr) || i.nth != 0;
        self.page_armed.store(page, Ordering::Relaxed);
        self.armed
            .store(page || live(&i.failslab.attr), Ordering::Relaxed);
    }

    /// Whether any site could fail or count now (a non-zero probability or space, or a sweep).
    #[inline]
    pub fn armed(&self) -> bool {
        self.armed.load(Ordering::Relaxed)
    }

    /// Whether the page allocator's check could do anything: the fault path's one branch.
    #[inline(always)]
    pub fn page_alloc_armed(&self) -> bool {
        self.page_armed.load(Ordering::Relaxed)
    }

    /// `should_failslab(size, gfpflags, cache_flags)` for a `kmalloc` at `site`.
    #[inline]
    pub fn should_failslab(&self, site: &Site) -> bool {
        if !self.armed.load(Ordering::Relaxed) {
            return false;
        }
        self.slow_failslab(site)
    }

    #[cold]
    fn slow_failslab(&self, site: &Site) -> bool {
        let mut i = self.inner.lock();
        if let Some(hit) = Self::nth_hit(&mut i) {
            return hit && self.dump(&mut i, site, true);
        }
        let gfp = site.gfp;
        if gfp & gfp::NOFAIL != 0 {
            return false;
        }
        if i.failslab.ignore_gfp_wait != 0 && gfp & gfp::WAIT != 0 {
            return false;
        }
        if i.failslab.cache_filter != 0 {
            return false;
        }
        let fail = Self::should_fail(&mut i, true, site.size as i64);
        fail && self.dump(&mut i, site, true)
    }

    /// `should_fail_alloc_page(gfp_mask, order)` for `alloc_pages` at `site` (`site.size` is
    /// the order).
    #[inline]
    pub fn should_fail_alloc_page(&self, site: &Site) -> bool {
        if !self.page_alloc_armed() {
            return false;
        }
        self.slow_fail_alloc_page(site)
    }

    #[cold]
    fn slow_fail_alloc_page(&self, site: &Site) -> bool {
        let mut i = self.inner.lock();
        if let Some(hit) = Self::nth_hit(&mut i) {
            return hit && self.dump(&mut i, site, false);
        }
        let (order, gfp) = (site.size as u32, site.gfp);
        let f = &i.fail_page_alloc;
        if order < f.min_order
            || gfp & gfp::NOFAIL != 0
            || (f.ignore_gfp_highmem != 0 && gfp & gfp::HIGHMEM != 0)
            || (f.ignore_gfp_wait != 0 && gfp & gfp::WAIT != 0)
        {
            return false;
        }
        let fail = Self::should_fail(&mut i, false, 1i64 << order.min(62));
        fail && self.dump(&mut i, site, false)
    }

    /// The sweep knob: `Some(true)` fails this site, `Some(false)` lets it pass, `None` when
    /// the knob is off.
    fn nth_hit(i: &mut Inner) -> Option<bool> {
        if i.nth == 0 {
            return None;
        }
        i.calls += 1;
        if i.nth == u64::MAX {
            return Some(false);
        }
        if i.calls == i.nth {
            i.nth = 0;
            return Some(true);
        }
        Some(false)
    }

    /// `should_fail(attr, size)` (`lib/fault-inject.c`, v2.6.35): the task filter, `times`,
    /// `space`, `interval`, then the random draw.
    fn should_fail(i: &mut Inner, slab: bool, size: i64) -> bool {
        let cur_fails = Self::current().is_some_and(|c| c.make_it_fail);
        let attr = if slab {
            &mut i.failslab.attr
        } else {
            &mut i.fail_page_alloc.attr
        };
        // fail_task: !in_interrupt() && current->make_it_fail.
        if attr.task_filter != 0 && !cur_fails {
            return false;
        }
        if attr.times == 0 {
            return false;
        }
        if i64::from(attr.space) > size {
            attr.space = (i64::from(attr.space) - size) as i32;
            return false;
        }
        if attr.interval > 1 {
            attr.count = attr.count.wrapping_add(1);
            if attr.count % attr.interval != 0 {
                return false;
            }
        }
        let probability = attr.probability;
        let r = u64::from(random32(&mut i.rng)) % 100;
        if probability <= r {
            return false;
        }
        let attr = if slab {
            &mut i.failslab.attr
        } else {
            &mut i.fail_page_alloc.attr
        };
        // atomic_dec_not_zero unless times is -1.
        if attr.times != -1 && attr.times != 0 {
            attr.times -= 1;
        }
        true
    }

    /// `fail_dump`: the notice line with `verbose >= 1`, `dump_stack()` with `verbose >= 2`.
    /// Returns true (the failure stands).
    fn dump(&self, i: &mut Inner, site: &Site, slab: bool) -> bool {
        i.injected += 1;
        let verbose = if slab {
            i.failslab.attr.verbose
        } else {
            i.fail_page_alloc.attr.verbose
        };
        let log = self.log.lock();
        let Some((klog, clock, release)) = log.as_ref() else {
            return true;
        };
        if verbose > 0 {
            klog.printk(clock, Level::Notice, "FAULT_INJECTION: forcing a failure");
        }
        if verbose > 1 {
            // dump_stack() (arch/x86/kernel/dumpstack.c, v2.6.35): lines without a level
            // print at the default message level, KERN_WARNING.
            let (pid, comm) =
                Self::current().map_or((0, "swapper".to_string()), |c| (c.pid.0, c.comm));
            klog.printk(
                clock,
                Level::Warning,
                format!("Pid: {pid}, comm: {comm:.20} Not tainted {release} #1"),
            );
            klog.printk(clock, Level::Warning, "Call Trace:");
            let alloc: &[&str] = if slab {
                &["should_failslab"]
            } else {
                &["__alloc_pages_nodemask"]
            };
            for f in ["should_fail"]
                .iter()
                .chain(alloc)
                .chain(site.frames.iter())
            {
                klog.printk(
                    clock,
                    Level::Warning,
                    format!(" [<{:016x}>] {f}+0x0/0x0", 0),
                );
            }
        }
        true
    }
}

fn seed_state(seed: u64) -> u64 {
    // splitmix64 of the seed, so small seeds still give a well-mixed, non-zero state.
    let mut z = (if seed == 0 { DEFAULT_SEED } else { seed }).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) | 1
}

/// `random32()`: the next 32 bits of a xorshift64* generator.
fn random32(s: &mut u64) -> u32 {
    let mut x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: Site = Site {
        frames: &["kmem_cache_alloc", "cgroup_mkdir"],
        size: 256,
        gfp: gfp::KERNEL,
    };

    #[test]
    fn defaults_fail_nothing() {
        let f = FaultInjection::new(1);
        for _ in 0..100 {
            assert!(!f.should_failslab(&SITE));
        }
        // probability 100 alone: GFP_KERNEL is still ignored (ignore-gfp-wait = 1).
        f.update_failslab(|s| s.attr.probability = 100);
        assert!(!f.should_failslab(&SITE));
        f.update_failslab(|s| s.ignore_gfp_wait = 0);
        // times = 1: exactly one failure.
        assert!(f.should_failslab(&SITE));
        assert!(!f.should_failslab(&SITE));
        assert_eq!(f.failslab().attr.times, 0);
    }

    #[test]
    fn interval_space_and_times() {
        let f = FaultInjection::new(1);
        f.update_failslab(|s| {
            s.ignore_gfp_wait = 0;
            s.attr.probability = 100;
            s.attr.times = -1;
            s.attr.interval = 3;
            s.attr.space = 600;
        });
        // space 600 absorbs two 256-byte allocations (600 → 344 → 88), then interval 3.
        let got: Vec<bool> = (0..8).map(|_| f.should_failslab(&SITE)).collect();
        assert_eq!(got, [false, false, false, false, true, false, false, true]);
        assert_eq!(f.failslab().attr.space, 88);
        assert_eq!(f.failslab().attr.times, -1);
    }

    #[test]
    fn task_filter_reads_make_it_fail() {
        let f = FaultInjection::new(1);
        f.update_failslab(|s| {
            s.ignore_gfp_wait = 0;
            s.attr.probability = 100;
            s.attr.times = -1;
            s.attr.task_filter = 1;
        });
        assert!(!f.should_failslab(&SITE));
        let cur = |m| Current {
            pid: Pid(7),
            comm: "sh".into(),
            make_it_fail: m,
        };
        {
            let _g = FaultInjection::enter(cur(false));
            assert!(!f.should_failslab(&SITE));
        }
        let _g = FaultInjection::enter(cur(true));
        assert!(f.should_failslab(&SITE));
    }

    #[test]
    fn same_seed_same_failures() {
        let run = |seed| {
            let f = FaultInjection::new(seed);
            f.update_failslab(|s| {
                s.ignore_gfp_wait = 0;
                s.attr.probability = 30;
                s.attr.times = -1;
            });
            (0..200)
                .map(|_| f.should_failslab(&SITE))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(5), run(5));
        assert_ne!(run(5), run(6));
        let n = run(5).iter().filter(|&&b| b).count();
        assert!((30..90).contains(&n), "{n} of 200 at 30%");
    }

    #[test]
    fn fail_nth_counts_every_site() {
        let f = FaultInjection::new(1);
        f.fail_nth(3);
        assert!(!f.should_failslab(&SITE));
        assert!(!f.should_fail_alloc_page(&Site {
            frames: &[],
            size: 0,
            gfp: gfp::HIGHUSER_MOVABLE
        }));
        assert!(f.should_failslab(&SITE));
        assert!(!f.nth_pending());
        assert!(!f.should_failslab(&SITE));
    }

    #[test]
    fn verbose_two_dumps_the_stack() {
        let f = FaultInjection::new(1);
        let klog = Arc::new(Klog::default());
        f.set_log(klog.clone(), Arc::new(Clock::default()), "2.6.35");
        f.update_failslab(|s| {
            s.ignore_gfp_wait = 0;
            s.attr.probability = 100;
        });
        let _g = FaultInjection::enter(Current {
            pid: Pid(42),
            comm: "mkdir".into(),
            make_it_fail: false,
        });
        assert!(f.should_failslab(&SITE));
        let text: Vec<String> = klog.lines().iter().map(|l| l.text.clone()).collect();
        assert_eq!(
            text,
            [
                "FAULT_INJECTION: forcing a failure",
                "Pid: 42, comm: mkdir Not tainted 2.6.35 #1",
                "Call Trace:",
                " [<0000000000000000>] should_fail+0x0/0x0",
                " [<0000000000000000>] should_failslab+0x0/0x0",
                " [<0000000000000000>] kmem_cache_alloc+0x0/0x0",
                " [<0000000000000000>] cgroup_mkdir+0x0/0x0",
            ]
        );
    }
}
