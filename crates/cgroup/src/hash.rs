//! The hash tables `css_set_lock` protects: the css_set table, the cgroup side of the links,
//! and the pid lookup.
//!
//! **Kernel:** from 2.6.26 `css_set_table` is a hash table (`kernel/cgroup.c` `css_set_hash`,
//! `find_existing_css_set`: `CSS_SET_HASH_BITS` 7, 128 buckets, still 7 bits in 6.6's
//! `kernel/cgroup/cgroup.c`); 2.6.25's `find_existing_css_set` walks the list of every css_set
//! from `init_css_set`. A task is found by pid through `pid_hash` (`kernel/pid.c`
//! `find_pid_ns`, 2.6.25: 16 to 4,096 buckets; an idr from 4.15), and a cgroup's own links
//! hang off the cgroup (`cgrp->css_sets`).
//! **Differences:** the tables are `std` hash maps that grow with their contents, so a lookup
//! stays O(1) at a million css_sets, where 2.6.25 compares against up to every css_set and
//! 2.6.26+'s fixed 128 buckets hold chains of about n/128 (at 1,000,000 css_sets, some 7,800
//! `compare_css_sets` per attach): the simulator finds the same css_set by the same rule
//! (`compare_css_sets`: the sorted linked cgroups), not at the same cost. The hash function is a multiply-rotate over the ids
//! (the kernel's `hash_long` of a sum of pointers plays the same part): the keys are small
//! integers chosen by the simulator, not by an adversary, so no keyed (SipHash) hashing is
//! needed, and without a random seed the iteration order is the same in every run (nothing
//! observable iterates these maps without sorting).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A multiply-rotate hasher for small integer ids (the one rustc uses for its own tables).
#[derive(Default, Clone, Copy)]
pub struct IdHasher {
    hash: u64,
}

/// An odd constant with well-spread bits (2^64 / golden ratio, rounded to odd).
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

impl IdHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for IdHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_i32(&mut self, i: i32) {
        self.add(u64::from(i as u32));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

/// A hash map keyed by simulator ids (pids, cgroup ids, vectors of cgroup ids).
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn h<K: Hash>(k: &K) -> u64 {
        BuildHasherDefault::<IdHasher>::default().hash_one(k)
    }

    /// Consecutive ids land in different buckets of a power-of-two table (the low bits of the
    /// hash differ), so a table of consecutive pids has no long probe sequences.
    #[test]
    fn consecutive_ids_spread_over_the_low_bits() {
        let buckets: std::collections::BTreeSet<u64> = (0..1024i32).map(|p| h(&p) & 1023).collect();
        assert_eq!(buckets.len(), 1024);
    }

    /// The hash of a key is the same in every run and every map (no random seed).
    #[test]
    fn hashes_are_deterministic() {
        assert_eq!(h(&vec![1u32, 2]), h(&vec![1u32, 2]));
        assert_ne!(h(&vec![1u32, 2]), h(&vec![2u32, 1]));
        let mut m: IdMap<u32, u32> = IdMap::default();
        m.insert(7, 1);
        assert_eq!(m.get(&7), Some(&1));
    }
}
