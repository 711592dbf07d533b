//! A slab arena with generation-checked typed ids.
//!
//! **Kernel:** none; the kernel uses pointers kept alive by reference counts and RCU.
//! **Differences:** objects live in a `slab::Slab` and are named by `(slot, generation)` ids, so a
//! stale id held by the VFS (an open file on a removed cgroup) is detected as stale instead of
//! silently naming a newer object that reused the slot.

use slab::Slab;

/// A generation-checked slot index (the inner part of every typed id).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ArenaKey {
    pub(crate) slot: u32,
    pub(crate) gen_: u32,
}

impl ArenaKey {
    /// The slot number (stable while the object lives; reused later).
    pub fn slot(self) -> u32 {
        self.slot
    }

    /// The generation of the slot when the object was created.
    pub fn generation(self) -> u32 {
        self.gen_
    }
}

#[derive(Debug)]
struct Entry<T> {
    gen_: u32,
    value: T,
}

/// A `Slab<T>` whose keys carry generations.
#[derive(Debug)]
pub(crate) struct Arena<T> {
    slab: Slab<Entry<T>>,
    next_gen: u32,
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Arena {
            slab: Slab::new(),
            next_gen: 1,
        }
    }
}

impl<T> Arena<T> {
    pub(crate) fn insert(&mut self, value: T) -> ArenaKey {
        let gen_ = self.next_gen;
        self.next_gen = self.next_gen.wrapping_add(1).max(1);
        let slot = self.slab.insert(Entry { gen_, value });
        ArenaKey {
            slot: slot as u32,
            gen_,
        }
    }

    pub(crate) fn get(&self, k: ArenaKey) -> Option<&T> {
        self.slab
            .get(k.slot as usize)
            .filter(|e| e.gen_ == k.gen_)
            .map(|e| &e.value)
    }

    pub(crate) fn get_mut(&mut self, k: ArenaKey) -> Option<&mut T> {
        self.slab
            .get_mut(k.slot as usize)
            .filter(|e| e.gen_ == k.gen_)
            .map(|e| &mut e.value)
    }

    pub(crate) fn remove(&mut self, k: ArenaKey) -> Option<T> {
        if self.get(k).is_some() {
            Some(self.slab.remove(k.slot as usize).value)
        } else {
            None
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.slab.len()
    }

    /// Every live object in slot order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (ArenaKey, &T)> {
        self.slab.iter().map(|(slot, e)| {
            (
                ArenaKey {
                    slot: slot as u32,
                    gen_: e.gen_,
                },
                &e.value,
            )
        })
    }
}
