//! The world's lock: one lock per simulated CPU, each holding the world's `Arc` and that CPU's
//! private state, in safe Rust, over a small lock shim that is a spin lock in normal builds and
//! loom's `Mutex` under `--cfg cgsim_loom`, so the loom models of this file and of `page.rs` run
//! this very code (its shard selection and its read and write protocols) instead of a stand-in.
//!
//! **Kernel:** none as a whole; it stands in for what the kernel's fault path has for free and
//! what its slow paths take exclusively. A shard's lock is a CPU with preemption off
//! (`preempt_disable`, `get_cpu_var`): while a fault holds it, no other fault runs on that CPU,
//! so the CPU's pagevec (`lru_add_pvecs`), charge stock (`memcg_stock`), frame cache (`pcp`) and
//! statistics deltas (`mem_cgroup_stat_cpu`) are the holder's alone, and the world's layout (the
//! memcg table, the task table, the mm slab) stays as it is, as RCU and `mmap_sem` keep it for a
//! fault. The write side, every shard in CPU order, is every slow path's exclusion at once
//! (`mmap_sem` for write, `zone->lru_lock`, `zone->lock`, the page-cache and swap locks, and the
//! per-CPU drains `lru_add_drain_all`/`drain_all_stock` run with every CPU's data in hand).
//! **Differences:** a reader takes one lock instead of none (preemption off costs the kernel a
//! per-CPU counter increment): host threads may share a simulated CPU, and without `unsafe` a
//! CPU's state can only be reached through a lock. The protocol is crossbeam-utils'
//! `ShardedLock` (0.8) with shards per simulated CPU instead of per host thread: two CPUs
//! faulting share no lock word. The value cannot sit in an `UnsafeCell` beside the shards (the
//! workspace forbids `unsafe`), so each shard holds an `Arc` of it: a writer, holding every
//! shard, drops the `Arc`s of shards 1.. so that shard 0's is the only one (`Arc::get_mut` then
//! gives `&mut`), moves each shard's local part (a boxed `CpuState`: a pointer each) into the
//! value ([`Sharded::locals`]) so that the slow paths reach every CPU's state as plain fields,
//! and on unlock lets the value refresh what the readers test ([`Sharded::unlocking`]), moves
//! the local parts back and gives each shard a clone of the `Arc`. No poisoning (the machine's
//! invariants are checked separately).
//! **Locking:** a reader takes one shard: a CPU's (the fault fast path, [`ShardedLock::read_cpu`])
//! or, for a question that needs no CPU, the calling thread's ([`ShardedLock::read`], a
//! per-thread index as crossbeam's, so two threads asking share no lock word either). A writer
//! takes every shard in index order. Nothing nests two shards except the writer, in order, so no
//! two lockers can deadlock. Lock order for the world and what comes after: see `machine.rs`.

use crossbeam_utils::CachePadded;
use std::ops::{Deref, DerefMut};

/// Shards at most: the simulated machine's `NR_CPUS` (the Kernel's online mask has 64 bits).
pub(crate) const MAX_SHARDS: usize = 64;

/// The lock shim: a spin lock (one locked instruction to take, a plain store to release, as
/// `spin_lock` and `preempt_disable` cost the kernel at most) and std's `Arc`, or loom's under
/// `cgsim_loom`.
#[cfg(not(cgsim_loom))]
mod shim {
    pub(super) use std::sync::Arc;

    /// A waiter yields its host thread between attempts: the holder may be preempted (a writer
    /// may hold every shard through a long slow path).
    pub(super) type Lock<T> = spin::mutex::SpinMutex<T, spin::relax::Yield>;
    pub(super) type Guard<'a, T> = spin::mutex::SpinMutexGuard<'a, T>;

    #[inline]
    pub(super) fn lock<T>(l: &Lock<T>) -> Guard<'_, T> {
        l.lock()
    }

    /// Indices of threads that exited, for reuse (lowest first), and the next new one: as
    /// crossbeam's thread registry, threads alive at the same time have distinct indices.
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
    pub(super) use loom::sync::Arc;

    pub(super) type Lock<T> = loom::sync::Mutex<T>;
    pub(super) type Guard<'a, T> = loom::sync::MutexGuard<'a, T>;

    pub(super) fn lock<T>(l: &Lock<T>) -> Guard<'_, T> {
        l.lock().expect("no poisoning in the models")
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

use shim::{Arc, Guard, Lock};

/// A value whose shards each own a local part (the machine's world: one `CpuState` per CPU).
pub(crate) trait Sharded {
    /// One shard's own part; moved between its shard and the value, so it should be a pointer.
    type Local;

    /// Where the shards' local parts are kept, in shard order, while a writer holds every
    /// shard; empty otherwise. [`ShardedLock::new`] takes them from here: one shard per part.
    fn locals(&mut self) -> &mut Vec<Self::Local>;

    /// Called by the writer just before the local parts go back to their shards and the shards
    /// unlock: the place to refresh what readers test without the write side.
    fn unlocking(&mut self) {}
}

/// What one shard's lock holds: the value's `Arc` (whenever no writer holds the lock) and the
/// shard's local part (likewise).
pub(crate) struct Slot<T: Sharded> {
    value: Option<Arc<T>>,
    local: Option<T::Local>,
    /// The shard's index (its CPU's number).
    index: usize,
}

impl<T: Sharded> Slot<T> {
    /// The value (shared), this shard's local part (exclusive) and the shard's index: a
    /// fault's world, CPU state and CPU number.
    #[inline]
    pub(crate) fn split(&mut self) -> (&T, &mut T::Local, usize) {
        let Slot {
            value,
            local,
            index,
        } = self;
        (
            value
                .as_deref()
                .expect("a shard holds the value while no writer does"),
            local
                .as_mut()
                .expect("a shard holds its part while no writer does"),
            *index,
        )
    }
}

/// A reader-writer lock with one shard per CPU: see the module docs.
pub(crate) struct ShardedLock<T: Sharded> {
    shards: Box<[CachePadded<Lock<Slot<T>>>]>,
}

/// The read side of one shard: the value and the shard's local part ([`Slot::split`]).
pub(crate) struct ShardedLockCpuGuard<'a, T: Sharded> {
    guard: Guard<'a, Slot<T>>,
}

/// The read side of the calling thread's shard, for questions that need no CPU: the value only.
pub(crate) struct ShardedLockReadGuard<'a, T: Sharded> {
    guard: Guard<'a, Slot<T>>,
}

/// The write side: every shard, locked; shard 0 holds the only `Arc` of the value, and the
/// value holds every shard's local part.
pub(crate) struct ShardedLockWriteGuard<'a, T: Sharded> {
    guards: Guards<'a, T>,
}

/// Inline room for the write side's shard guards: machines of up to 8 CPUs keep the write
/// guard small (a guard of [`MAX_SHARDS`] inline slots is half a kilobyte, copied each time the
/// guard is returned: callgrind showed 370 instructions of `memcpy` per write-side hold).
const INLINE_GUARDS: usize = 8;

/// Every shard's guard, in index order: inline for up to [`INLINE_GUARDS`] shards, else on
/// the heap.
enum Guards<'a, T: Sharded> {
    Inline(arrayvec::ArrayVec<Guard<'a, Slot<T>>, INLINE_GUARDS>),
    Heap(Vec<Guard<'a, Slot<T>>>),
}

impl<'a, T: Sharded> Guards<'a, T> {
    fn lock_all(shards: &'a [CachePadded<Lock<Slot<T>>>]) -> Self {
        if shards.len() <= INLINE_GUARDS {
            Guards::Inline(shards.iter().map(|s| shim::lock(s)).collect())
        } else {
            Guards::Heap(shards.iter().map(|s| shim::lock(s)).collect())
        }
    }

    #[inline]
    fn as_slice(&self) -> &[Guard<'a, Slot<T>>] {
        match self {
            Guards::Inline(g) => g,
            Guards::Heap(g) => g,
        }
    }

    #[inline]
    fn as_mut_slice(&mut self) -> &mut [Guard<'a, Slot<T>>] {
        match self {
            Guards::Inline(g) => g,
            Guards::Heap(g) => g,
        }
    }
}

impl<T: Sharded> ShardedLock<T> {
    /// One shard per local part `value` holds (at least one, at most [`MAX_SHARDS`]).
    pub(crate) fn new(mut value: T) -> Self {
        let locals = std::mem::take(value.locals());
        assert!(
            (1..=MAX_SHARDS).contains(&locals.len()),
            "1 to {MAX_SHARDS} shards"
        );
        value.locals().reserve(locals.len());
        let value = Arc::new(value);
        ShardedLock {
            shards: locals
                .into_iter()
                .enumerate()
                .map(|(index, l)| {
                    CachePadded::new(Lock::new(Slot {
                        value: Some(Arc::clone(&value)),
                        local: Some(l),
                        index,
                    }))
                })
                .collect(),
        }
    }

    /// The shard of CPU `cpu`: its number modulo the number of shards.
    #[inline]
    pub(crate) fn shard_of(&self, cpu: usize) -> usize {
        let n = self.shards.len();
        if cpu < n { cpu } else { cpu % n }
    }

    /// Lock CPU `cpu`'s shard ([`shard_of`](Self::shard_of)): the value and that CPU's part.
    #[inline]
    pub(crate) fn read_cpu(&self, cpu: usize) -> ShardedLockCpuGuard<'_, T> {
        ShardedLockCpuGuard {
            guard: shim::lock(&self.shards[self.shard_of(cpu)]),
        }
    }

    /// The shard the calling thread reads through when it names no CPU.
    #[inline]
    pub(crate) fn thread_shard(&self) -> usize {
        shim::thread_index() % self.shards.len()
    }

    /// Lock the calling thread's shard, for the value only.
    #[inline]
    pub(crate) fn read(&self) -> ShardedLockReadGuard<'_, T> {
        ShardedLockReadGuard {
            guard: shim::lock(&self.shards[self.thread_shard()]),
        }
    }

    /// Lock every shard in index order, make shard 0's `Arc` the only one, and move every
    /// shard's local part into the value.
    pub(crate) fn write(&self) -> ShardedLockWriteGuard<'_, T> {
        let mut guards = Guards::lock_all(&self.shards);
        let (first, rest) = guards
            .as_mut_slice()
            .split_first_mut()
            .expect("at least one shard");
        for g in rest.iter_mut() {
            drop(g.value.take());
        }
        let Slot { value, local, .. } = &mut **first;
        let value = Arc::get_mut(value.as_mut().expect("shard 0 keeps the value"))
            .expect("every other shard's Arc was dropped");
        let locals = value.locals();
        debug_assert!(locals.is_empty());
        locals.push(local.take().expect("a shard's part"));
        locals.extend(
            rest.iter_mut()
                .map(|g| g.local.take().expect("a shard's part")),
        );
        ShardedLockWriteGuard { guards }
    }
}

impl<T: Sharded> Deref for ShardedLockCpuGuard<'_, T> {
    type Target = Slot<T>;

    #[inline]
    fn deref(&self) -> &Slot<T> {
        &self.guard
    }
}

impl<T: Sharded> DerefMut for ShardedLockCpuGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut Slot<T> {
        &mut self.guard
    }
}

impl<T: Sharded> Deref for ShardedLockReadGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        self.guard
            .value
            .as_deref()
            .expect("a shard holds the value while no writer does")
    }
}

impl<T: Sharded> Deref for ShardedLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.guards.as_slice()[0]
            .value
            .as_deref()
            .expect("shard 0 keeps the value")
    }
}

impl<T: Sharded> DerefMut for ShardedLockWriteGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        let value = self.guards.as_mut_slice()[0]
            .value
            .as_mut()
            .expect("shard 0 keeps the value");
        Arc::get_mut(value).expect("every other shard's Arc was dropped by write()")
    }
}

impl<T: Sharded> Drop for ShardedLockWriteGuard<'_, T> {
    /// Let the value refresh what readers test, give every shard its local part and an `Arc`
    /// back, then unlock (in index order, as the guards drop).
    fn drop(&mut self) {
        let (first, rest) = self
            .guards
            .as_mut_slice()
            .split_first_mut()
            .expect("at least one shard");
        let Slot { value, local, .. } = &mut **first;
        let arc = value.as_mut().expect("shard 0 keeps the value");
        let v = Arc::get_mut(arc).expect("every other shard's Arc was dropped by write()");
        v.unlocking();
        // From the last shard back, so the parts leave the vector by `pop` (no drain guard).
        let parts = v.locals();
        for g in rest.iter_mut().rev() {
            g.local = parts.pop();
        }
        *local = parts.pop();
        debug_assert!(parts.is_empty(), "one part per shard");
        for g in rest.iter_mut() {
            g.value = Some(Arc::clone(arc));
        }
    }
}
/// loom models of the lock itself (`.ci/loom.sh`).
#[cfg(all(test, cgsim_loom))]
mod loom_models {
    use super::*;
    use loom::thread;

    /// A world in small: two words a writer changes together, what `unlocking` publishes for
    /// the readers, and one local part per shard (a CPU's two words, changed together by the
    /// shard's holder).
    #[derive(Default)]
    struct Small {
        pair: (u32, u32),
        writes: u32,
        published: u32,
        cpus: Vec<Box<(u32, u32)>>,
    }

    impl Sharded for Small {
        type Local = Box<(u32, u32)>;

        fn locals(&mut self) -> &mut Vec<Self::Local> {
            &mut self.cpus
        }

        fn unlocking(&mut self) {
            self.published = self.writes;
        }
    }

    fn two_cpus() -> Arc<ShardedLock<Small>> {
        Arc::new(ShardedLock::new(Small {
            cpus: vec![Box::new((0, 0)), Box::new((0, 0))],
            ..Small::default()
        }))
    }

    /// Two threads that name no CPU read through two different shards.
    #[test]
    fn loom_sharded_lock_threads_use_their_own_shard() {
        loom::model(|| {
            let lock = two_cpus();
            let l2 = Arc::clone(&lock);
            let main = lock.thread_shard();
            let other = thread::spawn(move || l2.thread_shard()).join().unwrap();
            assert_ne!(main, other);
        });
    }

    /// A writer's changes are whole to readers on either shard, a reader never sees the value
    /// while the writer holds it (the write side excludes both shards' readers), and what the
    /// writer's `unlocking` refreshed is what readers see after it.
    #[test]
    fn loom_sharded_lock_write_excludes_readers_on_every_shard() {
        loom::model(|| {
            let lock = two_cpus();
            let l2 = Arc::clone(&lock);
            let writer = thread::spawn(move || {
                let mut w = l2.write();
                w.pair.0 += 1;
                w.pair.1 += 1;
                w.writes += 1;
            });
            for cpu in 0..2 {
                let mut g = lock.read_cpu(cpu);
                let (v, _, _) = g.split();
                assert_eq!(v.pair.0, v.pair.1, "a reader saw half a write");
                assert_eq!(v.published, v.writes, "unlocking ran before the readers");
            }
            writer.join().unwrap();
            assert_eq!(lock.read().pair, (1, 1));
            assert_eq!(lock.write().pair, (1, 1));
        });
    }

    /// A CPU's part is its holder's alone: two threads on the same CPU each change its two
    /// words under the shard, while a writer reads every CPU's part through the value (the
    /// slow path's view of the moved parts); nobody sees half a change, and after a write every
    /// part is back on its own shard (CPU 1's part is untouched).
    #[test]
    fn loom_sharded_lock_cpu_part_is_exclusive_and_returns_to_its_shard() {
        loom::model(|| {
            let lock = two_cpus();
            let (l2, l3) = (Arc::clone(&lock), Arc::clone(&lock));
            let fault = move |l: Arc<ShardedLock<Small>>| {
                let mut g = l.read_cpu(0);
                let (_, cpu, _) = g.split();
                cpu.0 += 1;
                cpu.1 += 1;
            };
            let a = thread::spawn(move || fault(l2));
            let b = thread::spawn(move || fault(l3));
            {
                let w = lock.write();
                assert_eq!(w.cpus.len(), 2, "every part is in the value");
                assert_eq!(w.cpus[0].0, w.cpus[0].1, "a writer saw half a fault");
                assert_eq!(*w.cpus[1], (0, 0));
            }
            a.join().unwrap();
            b.join().unwrap();
            let mut g = lock.read_cpu(0);
            assert_eq!(**g.split().1, (2, 2), "both faults kept on CPU 0's part");
            drop(g);
            let mut g = lock.read_cpu(3);
            assert_eq!(**g.split().1, (0, 0), "CPU 3 is CPU 1 modulo 2");
        });
    }
}
