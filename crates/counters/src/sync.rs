//! The synchronisation shim: loom's types under `--cfg cgsim_loom`, std and parking_lot otherwise.
//!
//! **Kernel:** stands in for `atomic_long_t`, `spinlock_t` and the barriers that the kernel's
//! value-returning atomics imply (`Documentation/atomic_t.txt`).
//! **Differences:** loom treats `SeqCst` loads, stores and read-modify-writes as `AcqRel`
//! (loom README, "Unsupported features"), which is weaker than both the C++ model and the kernel's
//! fully ordered `atomic_long_add_return`/`xchg`. [`full_barrier_after_rmw`] adds the
//! `fence(SeqCst)` loom needs to see that ordering; in normal builds it is empty, because a
//! `SeqCst` read-modify-write already is a full barrier (`lock xadd` on x86).
//! Counters use only these re-exports, so the loom tests check the code that the benchmarks time.

#[cfg(cgsim_loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicI64, AtomicU64};
#[cfg(not(cgsim_loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64};

pub(crate) use std::sync::atomic::Ordering;

/// A lock loom can see: `loom::sync::Mutex` under loom, `parking_lot::Mutex` otherwise.
#[derive(Debug, Default)]
pub(crate) struct Mutex<T> {
    #[cfg(cgsim_loom)]
    inner: loom::sync::Mutex<T>,
    #[cfg(not(cgsim_loom))]
    inner: parking_lot::Mutex<T>,
}

#[cfg(cgsim_loom)]
pub(crate) type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;
#[cfg(not(cgsim_loom))]
pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    pub(crate) fn new(value: T) -> Mutex<T> {
        Mutex {
            #[cfg(cgsim_loom)]
            inner: loom::sync::Mutex::new(value),
            #[cfg(not(cgsim_loom))]
            inner: parking_lot::Mutex::new(value),
        }
    }

    #[inline]
    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        #[cfg(cgsim_loom)]
        {
            // A poisoned lock means a loom thread panicked: the test has already failed.
            self.inner.lock().unwrap_or_else(|e| e.into_inner())
        }
        #[cfg(not(cgsim_loom))]
        {
            self.inner.lock()
        }
    }

    #[inline]
    pub(crate) fn get_mut(&mut self) -> &mut T {
        #[cfg(cgsim_loom)]
        {
            self.inner.get_mut().unwrap_or_else(|e| e.into_inner())
        }
        #[cfg(not(cgsim_loom))]
        {
            self.inner.get_mut()
        }
    }
}

/// `cpu_relax()` inside a spin loop; under loom a yield, so the model checker can run the owner.
#[inline(always)]
pub(crate) fn cpu_relax() {
    #[cfg(cgsim_loom)]
    loom::thread::yield_now();
    #[cfg(not(cgsim_loom))]
    std::hint::spin_loop();
}

/// `cond_resched()`: a scheduling point in a retry loop (`page_counter_set_max`).
#[inline(always)]
pub(crate) fn cond_resched() {
    #[cfg(cgsim_loom)]
    loom::thread::yield_now();
}

/// The full barrier the kernel's value-returning atomics imply; see the module comment.
#[inline(always)]
pub(crate) fn full_barrier_after_rmw() {
    #[cfg(cgsim_loom)]
    loom::sync::atomic::fence(Ordering::SeqCst);
}
