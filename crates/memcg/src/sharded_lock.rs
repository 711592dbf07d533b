//! The world's lock: a sharded reader-writer lock in safe Rust, built on a small lock shim that
//! is parking_lot in normal builds and loom's primitives under `--cfg cgsim_loom`, so the loom
//! models of `page.rs` run this very code (its shard selection and its read and write
//! protocols) instead of a stand-in.
//!
//! **Kernel:** none; it stands in for the locks the kernel's fault path takes for reading
//! (`mmap_sem` for read, per-CPU data with preemption off) against the slow paths' exclusive
//! ones. The protocol is crossbeam-utils' `ShardedLock` (0.8): each host thread reads through
//! one shard, chosen by a per-thread index, so two readers on two threads share no lock word; a
//! writer write-locks every shard, in index order.
//! **Differences:** unlike crossbeam's, no `unsafe` (the workspace forbids it), so the value cannot
//! sit in an `UnsafeCell` beside the shards. Each shard's lock holds an `Arc` of the value
//! instead: a reader derefs the one in its shard; a writer, holding every shard, drops the
//! `Arc`s of shards 1.. so that shard 0's is the only one (`Arc::get_mut` then gives `&mut`), and
//! gives each shard a clone back when it unlocks. The read side maps its shard's guard to the
//! value (parking_lot's `MappedRwLockReadGuard`), so a deref is one pointer as in crossbeam's;
//! the write side adds a reference-count decrement and increment per shard and a uniqueness
//! check per mutable access (callgrind: `docs/benchmarks.md` §3.13). No poisoning (parking_lot's
//! semantics; the machine's invariants are checked separately).
//! **Locking:** shards are taken in index order by writers; a reader takes one shard. Lock order
//! for the world: see `machine.rs`.

use crossbeam_utils::CachePadded;
use std::ops::{Deref, DerefMut};

/// The lock shim: parking_lot's `RwLock` and std's `Arc`, or loom's under `cgsim_loom`.
#[cfg(not(cgsim_loom))]
mod shim {
    pub(super) use parking_lot::{RwLock, RwLockWriteGuard};
    pub(super) use std::sync::Arc;

    /// Shards per lock (crossbeam's `NUM_SHARDS`).
    pub(super) const NUM_SHARDS: usize = 8;

    /// The read side maps the shard's guard to the value itself (`RwLockReadGuard::map`), so a
    /// deref is one pointer, as with crossbeam's `UnsafeCell`.
    pub(super) type ReadGuard<'a, T> = parking_lot::MappedRwLockReadGuard<'a, T>;

    #[inline]
    pub(super) fn read<T>(l: &RwLock<Option<Arc<T>>>) -> ReadGuard<'_, T> {
        parking_lot::RwLockReadGuard::map(l.read(), |v| {
            v.as_deref()
                .expect("a shard holds the value while no writer does")
        })
    }

    #[inline]
    pub(super) fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
        l.write()
    }

    /// Indices of threads that exited, for reuse (lowest first), and the next new one: as
    /// crossbeam's thread registry, threads alive at the same time have distinct indices, and
    /// up to [`NUM_SHARDS`] of them read through distinct shards.
    static FREE: parking_lot::Mutex<Vec<usize>> = parking_lot::Mutex::new(Vec::new());
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    /// A thread's index, given back when the thread exits.
    struct Registration(usize);

    impl Registration {
        fn new() -> Self {
            let mut free = FREE.lock();
            let lowest = (0..free.len()).min_by_key(|&i| free[i]);
            Registration(match lowest {
                Some(i) => free.swap_remove(i),
                None => NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            })
        }
    }

    impl Drop for Registration {
        fn drop(&mut self) {
            FREE.lock().push(self.0);
        }
    }

    std::thread_local! {
        static INDEX: Registration = Registration::new();
    }

    /// The calling thread's index (crossbeam's `current_index`); 0 while the thread is being
    /// torn down.
    #[inline]
    pub(super) fn thread_index() -> usize {
        INDEX.try_with(|r| r.0).unwrap_or(0)
    }
}

#[cfg(cgsim_loom)]
mod shim {
    pub(super) use loom::sync::{Arc, RwLock, RwLockWriteGuard};

    /// Two shards: enough for the models' two threads to read through different ones, and a
    /// writer to take both.
    pub(super) const NUM_SHARDS: usize = 2;

    /// loom's guards cannot be mapped: the read guard derefs the shard's `Arc` each time.
    pub(super) struct ReadGuard<'a, T>(loom::sync::RwLockReadGuard<'a, Option<Arc<T>>>);

    impl<T> std::ops::Deref for ReadGuard<'_, T> {
        type Target = T;

        fn deref(&self) -> &T {
            self.0
                .as_deref()
                .expect("a shard holds the value while no writer does")
        }
    }

    pub(super) fn read<T>(l: &RwLock<Option<Arc<T>>>) -> ReadGuard<'_, T> {
        ReadGuard(l.read().expect("no poisoning in the models"))
    }

    pub(super) fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
        l.write().expect("no poisoning in the models")
    }

    /// loom numbers a model's threads from 0 (the main thread) in spawn order, the same in
    /// every execution; its `ThreadId` shows the number only through `Debug`.
    pub(super) fn thread_index() -> usize {
        let id = format!("{:?}", loom::thread::current().id());
        id.trim_start_matches("ThreadId(")
            .trim_end_matches(')')
            .parse()
            .expect("loom's ThreadId(N)")
    }
}

use shim::{Arc, NUM_SHARDS, ReadGuard, RwLock, RwLockWriteGuard};

/// One shard: a reader-writer lock on its own cache line, holding the value's `Arc` whenever
/// no writer holds the lock.
type Shard<T> = CachePadded<RwLock<Option<Arc<T>>>>;

/// A reader-writer lock whose read side scales: see the module docs.
pub(crate) struct ShardedLock<T> {
    shards: Box<[Shard<T>]>,
}

/// The read side: one shard, read-locked.
pub(crate) struct ShardedLockReadGuard<'a, T> {
    guard: ReadGuard<'a, T>,
}

/// The write side: every shard, write-locked; shard 0 holds the only `Arc` of the value.
pub(crate) struct ShardedLockWriteGuard<'a, T> {
    guards: arrayvec::ArrayVec<RwLockWriteGuard<'a, Option<Arc<T>>>, NUM_SHARDS>,
}

impl<T> ShardedLock<T> {
    pub(crate) fn new(value: T) -> Self {
        let value = Arc::new(value);
        ShardedLock {
            shards: (0..NUM_SHARDS)
                .map(|_| CachePadded::new(RwLock::new(Some(Arc::clone(&value)))))
                .collect(),
        }
    }

    /// The shard the calling thread reads through.
    #[inline]
    pub(crate) fn shard_index() -> usize {
        shim::thread_index() % NUM_SHARDS
    }

    /// Read-lock the calling thread's shard.
    #[inline]
    pub(crate) fn read(&self) -> ShardedLockReadGuard<'_, T> {
        ShardedLockReadGuard {
            guard: shim::read(&self.shards[Self::shard_index()]),
        }
    }

    /// Write-lock every shard in index order, then make shard 0's `Arc` the only one.
    pub(crate) fn write(&self) -> ShardedLockWriteGuard<'_, T> {
        let mut guards: arrayvec::ArrayVec<_, NUM_SHARDS> =
            self.shards.iter().map(|s| shim::write(s)).collect();
        for g in guards.iter_mut().skip(1) {
            drop(g.take());
        }
        ShardedLockWriteGuard { guards }
    }
}

impl<T> Deref for ShardedLockReadGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> Deref for ShardedLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.guards[0].as_deref().expect("shard 0 keeps the value")
    }
}

impl<T> DerefMut for ShardedLockWriteGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        let value = self.guards[0].as_mut().expect("shard 0 keeps the value");
        Arc::get_mut(value).expect("every other shard's Arc was dropped by write()")
    }
}

impl<T> Drop for ShardedLockWriteGuard<'_, T> {
    /// Give every other shard its `Arc` back before the shards unlock (in index order, as the
    /// guards drop).
    fn drop(&mut self) {
        let value = Arc::clone(self.guards[0].as_ref().expect("shard 0 keeps the value"));
        for g in self.guards.iter_mut().skip(1) {
            **g = Some(Arc::clone(&value));
        }
    }
}

/// loom models of the lock itself (`.ci/loom.sh`).
#[cfg(all(test, cgsim_loom))]
mod loom_models {
    use super::*;
    use loom::thread;

    /// Two threads read through two different shards.
    #[test]
    fn loom_sharded_lock_readers_use_their_own_shard() {
        loom::model(|| {
            let main = ShardedLock::<u32>::shard_index();
            let other = thread::spawn(ShardedLock::<u32>::shard_index)
                .join()
                .unwrap();
            assert_ne!(main, other);
        });
    }

    /// A writer's changes are whole to readers on either shard, and a reader never sees the
    /// value while the writer holds it (the write side excludes both shards' readers).
    #[test]
    fn loom_sharded_lock_write_excludes_readers_on_every_shard() {
        loom::model(|| {
            let lock = Arc::new(ShardedLock::new((0u32, 0u32)));
            let l2 = Arc::clone(&lock);
            let writer = thread::spawn(move || {
                let mut w = l2.write();
                w.0 += 1;
                w.1 += 1;
            });
            let (a, b) = *lock.read();
            assert_eq!(a, b, "a reader saw half a write");
            writer.join().unwrap();
            assert_eq!(*lock.read(), (1, 1));
            assert_eq!(*lock.write(), (1, 1));
        });
    }
}
