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
//! gives each shard a clone back when it unlocks. The read side costs what crossbeam's does
//! (one lock word, one pointer load); the write side adds a reference-count decrement and
//! increment per shard and a uniqueness check per mutable access. No poisoning (parking_lot's
//! semantics; the machine's invariants are checked separately).
//! **Locking:** shards are taken in index order by writers; a reader takes one shard. Lock order
//! for the world: see `machine.rs`.

use crossbeam_utils::CachePadded;
use std::ops::{Deref, DerefMut};

/// The lock shim: parking_lot's `RwLock` and std's `Arc`, or loom's under `cgsim_loom`.
#[cfg(not(cgsim_loom))]
mod shim {
    pub(super) use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};
    pub(super) use std::sync::Arc;

    /// Shards per lock (crossbeam's `NUM_SHARDS`): more than the simulator's host threads ever
    /// fault at once in the benches.
    pub(super) const NUM_SHARDS: usize = 8;

    pub(super) fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
        l.read()
    }

    pub(super) fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
        l.write()
    }

    static NEXT_INDEX: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    std::thread_local! {
        /// This host thread's index, handed out in order of first use.
        static INDEX: usize = NEXT_INDEX.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The calling thread's index (crossbeam's `current_index`); 0 while the thread is being
    /// torn down.
    pub(super) fn thread_index() -> usize {
        INDEX.try_with(|i| *i).unwrap_or(0)
    }
}

#[cfg(cgsim_loom)]
mod shim {
    pub(super) use loom::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

    /// Two shards: enough for the models' two threads to read through different ones, and a
    /// writer to take both.
    pub(super) const NUM_SHARDS: usize = 2;

    pub(super) fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
        l.read().expect("no poisoning in the models")
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

use shim::{Arc, NUM_SHARDS, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A reader-writer lock whose read side scales: see the module docs.
pub(crate) struct ShardedLock<T> {
    /// Each shard on its own cache line; `Some` whenever no writer holds the lock.
    shards: Box<[CachePadded<RwLock<Option<Arc<T>>>>]>,
}

/// The read side: one shard, read-locked.
pub(crate) struct ShardedLockReadGuard<'a, T> {
    guard: RwLockReadGuard<'a, Option<Arc<T>>>,
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
    pub(crate) fn shard_index() -> usize {
        shim::thread_index() % NUM_SHARDS
    }

    /// Read-lock the calling thread's shard.
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

    fn deref(&self) -> &T {
        self.guard
            .as_deref()
            .expect("a shard holds the value while no writer does")
    }
}

impl<T> Deref for ShardedLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.guards[0].as_deref().expect("shard 0 keeps the value")
    }
}

impl<T> DerefMut for ShardedLockWriteGuard<'_, T> {
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
