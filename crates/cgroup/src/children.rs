//! A cgroup's list of children, with the name lookup a directory needs.
//!
//! **Kernel:** `cgrp->children` (`list_add(&cgrp->sibling, &parent->children)` in
//! `cgroup_create`, `list_del(&cgrp->sibling)` in `cgroup_rmdir`, `kernel/cgroup.c`, v2.6.35)
//! for the order, and the dentry hash (`d_lookup` from `lookup_one_len`, `fs/dcache.c`) for
//! finding a child by name: neither costs more with more siblings.
//! **Differences:** the list is an ordered map keyed by a decreasing sequence number, so the
//! head (the newest child, as `list_add` puts it) comes first in iteration and a removal does
//! not walk the siblings; the name index stands in for the dcache.

use crate::cgroup::CgroupId;
use std::collections::{BTreeMap, HashMap};

/// The children of one cgroup, newest first, and their names.
#[derive(Default)]
pub(crate) struct ChildList {
    /// Sequence number → child; a new child gets a smaller number than every other.
    order: BTreeMap<u64, CgroupId>,
    /// Child → its sequence number.
    seq_of: HashMap<CgroupId, u64>,
    /// Name → child (the dentry hash).
    by_name: HashMap<String, CgroupId>,
    /// The next sequence number, counting down.
    next: u64,
}

impl ChildList {
    /// `list_add`: `child` becomes the head of the list.
    pub(crate) fn push_front(&mut self, child: CgroupId, name: &str) {
        self.next = self.next.wrapping_sub(1);
        self.order.insert(self.next, child);
        self.seq_of.insert(child, self.next);
        self.by_name.insert(name.to_string(), child);
    }

    /// `list_del`.
    pub(crate) fn remove(&mut self, child: CgroupId, name: &str) {
        if let Some(seq) = self.seq_of.remove(&child) {
            self.order.remove(&seq);
        }
        if self.by_name.get(name) == Some(&child) {
            self.by_name.remove(name);
        }
    }

    /// The child named `name`.
    pub(crate) fn get(&self, name: &str) -> Option<CgroupId> {
        self.by_name.get(name).copied()
    }

    /// The children, head first (newest first).
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &CgroupId> + '_ {
        self.order.values()
    }

    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The children as a vector, head first.
    pub(crate) fn to_vec(&self) -> Vec<CgroupId> {
        self.order.values().copied().collect()
    }

    /// Whether the name index names exactly the children (for the invariant checker).
    pub(crate) fn names_agree(&self, name_of: impl Fn(CgroupId) -> Option<String>) -> bool {
        self.by_name.len() == self.order.len()
            && self
                .order
                .values()
                .all(|&c| name_of(c).is_some_and(|n| self.by_name.get(&n) == Some(&c)))
    }
}
