//! A debug-build lock-order checker in the spirit of lockdep: each host thread keeps the stack
//! of lock classes it holds, and taking a lock of a class that must come before one already
//! held panics, naming both classes.
//!
//! **Kernel:** `kernel/lockdep.c` (v2.6.34), much reduced: lockdep learns the order of lock
//! classes from what it sees and reports a cycle; here the order is fixed in advance
//! ([`LockClass`], the table in `docs/ARCHITECTURE.md` "Locking") and an acquisition against it
//! is reported at once, even on a run where the opposite order never happens and no deadlock
//! could occur. **Differences:** only the outer locks of the simulator are classes (the
//! Kernel's state, `cgroup_mutex`, `css_set_lock`, the memcg world); the fine-grained locks
//! below the world (mm, CPU, LRU, free list, counters) are not tracked. Taking a lock of the
//! class already held is not reported (the world's read side, for one, is taken per call).
//!
//! In release builds ([`debug_assertions`](https://doc.rust-lang.org/reference/conditional-compilation.html#debug_assertions)
//! off) [`acquire`] returns a zero-sized guard and compiles to nothing.

/// A lock class, in lock order: a lock may be taken while holding only classes that come
/// before it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockClass {
    /// `Kernel::state` (crates/cgroupfs): the VFS, mounts, process and fd tables.
    KernelState,
    /// `cgroup_mutex` (crates/cgroup).
    CgroupMutex,
    /// `css_set_lock` (crates/cgroup), read or write side.
    CssSetLock,
    /// The memcg `world` lock (crates/memcg), read or write side.
    MemcgWorld,
}

impl LockClass {
    /// The name a report prints.
    pub fn name(self) -> &'static str {
        match self {
            LockClass::KernelState => "Kernel::state",
            LockClass::CgroupMutex => "cgroup_mutex",
            LockClass::CssSetLock => "css_set_lock",
            LockClass::MemcgWorld => "memcg world",
        }
    }
}

#[cfg(debug_assertions)]
mod imp {
    use super::LockClass;
    use std::cell::RefCell;

    thread_local! {
        /// The classes this thread holds, in acquisition order.
        static HELD: RefCell<Vec<LockClass>> = const { RefCell::new(Vec::new()) };
    }

    /// Proof that this thread holds a lock of `class`; dropping it records the release.
    #[must_use = "the class counts as held until the guard is dropped"]
    #[derive(Debug)]
    pub struct Held {
        class: LockClass,
    }

    /// Record that this thread is about to take a lock of `class`. Panics, naming both
    /// classes, if it already holds a class that must come after `class`.
    #[track_caller]
    pub fn acquire(class: LockClass) -> Held {
        HELD.with(|h| {
            let mut h = h.borrow_mut();
            if let Some(&later) = h.iter().find(|&&held| held > class) {
                // Leave the stack as it was, so the unwinding guards still find their classes.
                drop(h);
                panic!(
                    "lock order inversion: taking {} while holding {} (the order is {} before {})",
                    class.name(),
                    later.name(),
                    class.name(),
                    later.name()
                );
            }
            h.push(class);
        });
        Held { class }
    }

    impl Drop for Held {
        fn drop(&mut self) {
            // Guards may be dropped out of order: remove the latest entry of this class.
            let _ = HELD.try_with(|h| {
                let mut h = h.borrow_mut();
                if let Some(i) = h.iter().rposition(|&c| c == self.class) {
                    h.remove(i);
                }
            });
        }
    }

    /// The classes this thread holds now, outermost first (for tests).
    pub fn held() -> Vec<LockClass> {
        HELD.with(|h| h.borrow().clone())
    }
}

#[cfg(not(debug_assertions))]
mod imp {
    use super::LockClass;

    /// Release builds track nothing.
    #[derive(Debug)]
    pub struct Held;

    /// Release builds track nothing.
    #[inline(always)]
    pub fn acquire(_class: LockClass) -> Held {
        Held
    }

    /// Release builds track nothing.
    pub fn held() -> Vec<LockClass> {
        Vec::new()
    }
}

pub use imp::{Held, acquire, held};

/// A lock guard together with its lockdep record: derefs to the guard, and on drop releases the
/// lock first and then the record.
#[derive(Debug)]
pub struct Tracked<G> {
    guard: G,
    _held: Held,
}

impl<G> Tracked<G> {
    /// Check the order for `class`, then take the lock with `lock`.
    #[track_caller]
    #[inline]
    pub fn new(class: LockClass, lock: impl FnOnce() -> G) -> Tracked<G> {
        let held = acquire(class);
        Tracked {
            guard: lock(),
            _held: held,
        }
    }
}

impl<G: std::ops::Deref> std::ops::Deref for Tracked<G> {
    type Target = G::Target;
    #[inline]
    fn deref(&self) -> &G::Target {
        &self.guard
    }
}

impl<G: std::ops::DerefMut> std::ops::DerefMut for Tracked<G> {
    #[inline]
    fn deref_mut(&mut self) -> &mut G::Target {
        &mut self.guard
    }
}

#[cfg(all(test, debug_assertions))]
mod tests {
    use super::*;

    #[test]
    fn in_order_nesting_is_accepted_and_released() {
        let a = acquire(LockClass::KernelState);
        let b = acquire(LockClass::CgroupMutex);
        let c = acquire(LockClass::MemcgWorld);
        assert_eq!(
            held(),
            [
                LockClass::KernelState,
                LockClass::CgroupMutex,
                LockClass::MemcgWorld
            ]
        );
        drop(b);
        drop(c);
        drop(a);
        assert!(held().is_empty());
    }

    #[test]
    #[should_panic(
        expected = "lock order inversion: taking cgroup_mutex while holding memcg world"
    )]
    fn an_inversion_panics_with_both_classes() {
        let _w = acquire(LockClass::MemcgWorld);
        let _m = acquire(LockClass::CgroupMutex);
    }
}
