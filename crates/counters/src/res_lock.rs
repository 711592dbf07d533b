//! The lock around one res_counter: a spinning lock as the kernel's, or a `parking_lot::Mutex`.
//!
//! **Kernel:** `spinlock_t lock` in `struct res_counter` (`include/linux/res_counter.h`,
//! 2.6.25–3.18), taken with `spin_lock` inside `local_irq_save` (`include/linux/res_counter.h` `struct res_counter`; `kernel/res_counter.c` `res_counter_charge`).
//! **Differences:** the spinning lock is a test-and-test-and-set lock (one `lock cmpxchg` to take
//! it, a plain release store to drop it, as the uncontended kernel fast path does) instead of a
//! ticket or queued lock; there are no interrupts to disable. The mutex variant exists only to
//! show what a sleeping lock costs on this path (about 2× the spinlock, see `docs/counters.md`).
//! **Locking:** all five fields of a [`ResState`] are read and written only with the lock held;
//! the one exception is [`ResLock::snapshot`], the unlocked read of `res_counter_read_u64` on
//! 64-bit kernels.

use crate::sync::{AtomicBool, AtomicU64, Mutex, Ordering, cpu_relax};

/// The fields of `struct res_counter` that its lock protects (bytes for memcg).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ResState {
    pub usage: u64,
    pub max_usage: u64,
    pub limit: u64,
    pub soft_limit: u64,
    pub failcnt: u64,
}

/// A lock guarding one [`ResState`].
pub trait ResLock: std::fmt::Debug + Send + Sync + 'static {
    /// Shown in tables: `spinlock` or `mutex`.
    const KIND: &'static str;

    /// A lock around `state`.
    fn new(state: ResState) -> Self;

    /// Run `f` with the lock held (`spin_lock(&c->lock)` ... `spin_unlock(&c->lock)`).
    fn locked<R>(&self, f: impl FnOnce(&mut ResState) -> R) -> R;

    /// Read every field without the lock (the 64-bit `res_counter_read_u64`); fields may come
    /// from different moments.
    fn snapshot(&self) -> ResState;

    /// `res_counter_charge_locked(c, val, force)` under the lock; whether it fit (`kernel/res_counter.c`, v2.6.34).
    ///
    /// The comparison is strict: usage may reach the limit exactly. A lock may override this to
    /// touch only the fields the fast path needs.
    #[inline(always)]
    fn charge(&self, val: u64, force: bool) -> bool {
        self.locked(|s| charge_locked(s, val, force))
    }

    /// `res_counter_uncharge_locked(c, val)` under the lock (`kernel/res_counter.c` `res_counter_uncharge`, v2.6.34): clamps at 0 and
    /// returns the old usage on underflow.
    #[inline(always)]
    fn uncharge(&self, val: u64) -> Option<u64> {
        self.locked(|s| uncharge_locked(s, val))
    }
}

/// `res_counter_charge_locked` on a [`ResState`]; see [`ResLock::charge`].
#[inline(always)]
pub(crate) fn charge_locked(s: &mut ResState, val: u64, force: bool) -> bool {
    let fits = match s.usage.checked_add(val) {
        Some(new) if new <= s.limit => {
            s.usage = new;
            true
        }
        _ => {
            s.failcnt = s.failcnt.wrapping_add(1);
            if !force {
                return false;
            }
            s.usage = s.usage.saturating_add(val);
            false
        }
    };
    if s.usage > s.max_usage {
        s.max_usage = s.usage;
    }
    fits
}

/// `res_counter_uncharge_locked` on a [`ResState`]; see [`ResLock::uncharge`].
#[inline(always)]
pub(crate) fn uncharge_locked(s: &mut ResState, val: u64) -> Option<u64> {
    if s.usage < val {
        let had = s.usage;
        s.usage = 0;
        Some(had)
    } else {
        s.usage -= val;
        None
    }
}

/// A test-and-test-and-set spinlock with the counter fields beside it on one cache line.
///
/// Without `unsafe` a lock cannot hand out `&mut` to plain fields, so each field is an atomic
/// used only with `Relaxed` loads and stores while the lock is held: on x86 these are the same
/// plain `mov`s the kernel's `counter->usage += val` compiles to. Only the fields that changed
/// are written back.
#[doc(alias = "spinlock_t")]
#[derive(Debug)]
pub struct SpinLock {
    locked: AtomicBool,
    usage: AtomicU64,
    max_usage: AtomicU64,
    limit: AtomicU64,
    soft_limit: AtomicU64,
    failcnt: AtomicU64,
}

impl SpinLock {
    #[inline(always)]
    fn lock(&self) {
        // The fast path is one locked compare-exchange; waiters spin on a plain load so that
        // they do not steal the line from the owner (test-and-test-and-set).
        while self
            .locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            // Under loom a plain load may legally keep returning the stale `true` forever (the
            // memory model promises no progress), so loom retries the compare-exchange, which
            // always reads the latest value.
            #[cfg(not(cgsim_loom))]
            while self.locked.load(Ordering::Relaxed) {
                cpu_relax();
            }
            #[cfg(cgsim_loom)]
            cpu_relax();
        }
    }

    #[inline(always)]
    fn unlock(&self) {
        self.locked.store(false, Ordering::Release);
    }
}

impl ResLock for SpinLock {
    const KIND: &'static str = "spinlock";

    fn new(s: ResState) -> SpinLock {
        SpinLock {
            locked: AtomicBool::new(false),
            usage: AtomicU64::new(s.usage),
            max_usage: AtomicU64::new(s.max_usage),
            limit: AtomicU64::new(s.limit),
            soft_limit: AtomicU64::new(s.soft_limit),
            failcnt: AtomicU64::new(s.failcnt),
        }
    }

    #[inline(always)]
    fn locked<R>(&self, f: impl FnOnce(&mut ResState) -> R) -> R {
        self.lock();
        let before = self.snapshot();
        let mut s = before;
        let r = f(&mut s);
        if s.usage != before.usage {
            self.usage.store(s.usage, Ordering::Relaxed);
        }
        if s.max_usage != before.max_usage {
            self.max_usage.store(s.max_usage, Ordering::Relaxed);
        }
        if s.limit != before.limit {
            self.limit.store(s.limit, Ordering::Relaxed);
        }
        if s.soft_limit != before.soft_limit {
            self.soft_limit.store(s.soft_limit, Ordering::Relaxed);
        }
        if s.failcnt != before.failcnt {
            self.failcnt.store(s.failcnt, Ordering::Relaxed);
        }
        self.unlock();
        r
    }

    /// The same steps as the default `charge`, loading and storing only the fields they use.
    #[inline(always)]
    fn charge(&self, val: u64, force: bool) -> bool {
        self.lock();
        let usage = self.usage.load(Ordering::Relaxed);
        let fits = match usage.checked_add(val) {
            Some(new) if new <= self.limit.load(Ordering::Relaxed) => {
                self.usage.store(new, Ordering::Relaxed);
                if new > self.max_usage.load(Ordering::Relaxed) {
                    self.max_usage.store(new, Ordering::Relaxed);
                }
                true
            }
            _ => {
                let f = self.failcnt.load(Ordering::Relaxed);
                self.failcnt.store(f.wrapping_add(1), Ordering::Relaxed);
                if force {
                    let new = usage.saturating_add(val);
                    self.usage.store(new, Ordering::Relaxed);
                    if new > self.max_usage.load(Ordering::Relaxed) {
                        self.max_usage.store(new, Ordering::Relaxed);
                    }
                }
                false
            }
        };
        self.unlock();
        fits
    }

    #[inline(always)]
    fn uncharge(&self, val: u64) -> Option<u64> {
        self.lock();
        let usage = self.usage.load(Ordering::Relaxed);
        let r = if usage < val {
            self.usage.store(0, Ordering::Relaxed);
            Some(usage)
        } else {
            self.usage.store(usage - val, Ordering::Relaxed);
            None
        };
        self.unlock();
        r
    }

    #[inline(always)]
    fn snapshot(&self) -> ResState {
        ResState {
            usage: self.usage.load(Ordering::Relaxed),
            max_usage: self.max_usage.load(Ordering::Relaxed),
            limit: self.limit.load(Ordering::Relaxed),
            soft_limit: self.soft_limit.load(Ordering::Relaxed),
            failcnt: self.failcnt.load(Ordering::Relaxed),
        }
    }
}

/// A `parking_lot::Mutex` in place of the spinlock: a sleeping lock, for comparison only.
#[derive(Debug)]
pub struct MutexLock(Mutex<ResState>);

impl ResLock for MutexLock {
    const KIND: &'static str = "mutex";

    fn new(s: ResState) -> MutexLock {
        MutexLock(Mutex::new(s))
    }

    #[inline(always)]
    fn locked<R>(&self, f: impl FnOnce(&mut ResState) -> R) -> R {
        f(&mut self.0.lock())
    }

    fn snapshot(&self) -> ResState {
        // A sleeping lock has no unlocked read of its data without `unsafe`; take it.
        *self.0.lock()
    }
}
