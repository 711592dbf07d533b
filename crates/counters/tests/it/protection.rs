//! The 6.6 page_counter's protection (`memory.min`, `memory.low`) against a reference model.
//!
//! **Kernel:** `mm/page_counter.c` `propagate_protected_usage` and `mm/memcontrol.c`
//! `effective_protection`, `mem_cgroup_calculate_protection` (v6.6);
//! `Documentation/admin-guide/cgroup-v2.rst` ("Memory Interface Files", `memory.min`,
//! `memory.low`).
//!
//! The counter keeps the children's protected usage as running sums, updated on every
//! charge, uncharge and setting change; the model recomputes everything from the tree's usage
//! and settings after each step. The effective values the counter computes in a top-down walk
//! (what reclaim does with `mem_cgroup_iter`) must equal the model's, and the model's must
//! obey the documented rule that children are never handed more protection than their parent
//! has.

use std::sync::Arc;

use cgsim_counters::{PageCounterProfile, ProtectedPageCounter};
use cgsim_ktypes::{CpuId, NoTrace, Pages};
use proptest::prelude::*;

/// A tree of at most 6 levels under the root: node `i`'s parent is `parents[i - 1] % i`.
const NODES: usize = 7;

#[derive(Clone, Debug)]
enum Op {
    Charge(usize, u64),
    Uncharge(usize, u64),
    SetMin(usize, u64),
    SetLow(usize, u64),
    SetMax(usize, u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..NODES, 1..64u64).prop_map(|(n, p)| Op::Charge(n, p)),
        2 => (0..NODES, 1..64u64).prop_map(|(n, p)| Op::Uncharge(n, p)),
        2 => (1..NODES, 0..128u64).prop_map(|(n, p)| Op::SetMin(n, p)),
        2 => (1..NODES, 0..128u64).prop_map(|(n, p)| Op::SetLow(n, p)),
        1 => (1..NODES, 32..512u64).prop_map(|(n, p)| Op::SetMax(n, p)),
    ]
}

/// The model: what each node charged itself (its own pages), its settings, and the effective
/// values of the last walk.
struct Model {
    parent: Vec<Option<usize>>,
    own: Vec<u64>,
    min: Vec<u64>,
    low: Vec<u64>,
    emin: Vec<u64>,
    elow: Vec<u64>,
}

impl Model {
    fn children(&self, p: usize) -> impl Iterator<Item = usize> + '_ {
        (0..NODES).filter(move |&c| self.parent[c] == Some(p))
    }

    /// Hierarchical usage: the node's own pages and all its descendants'.
    fn usage(&self, n: usize) -> u64 {
        self.own[n] + self.children(n).map(|c| self.usage(c)).sum::<u64>()
    }

    /// The children's claims, `Σ min(usage, setting)`, computed from scratch.
    fn claims(&self, p: usize, setting: &[u64]) -> u64 {
        self.children(p)
            .map(|c| self.usage(c).min(setting[c]))
            .sum()
    }

    /// One effective value, as cgroup-v2.rst describes the distribution: a child gets its
    /// claim while the siblings' claims fit in the parent's effective protection, a
    /// proportional share of it when they do not, and with `memory_recursiveprot` also a share
    /// of what the siblings leave unclaimed, in proportion to its unprotected usage.
    fn effective(&self, n: usize, setting: &[u64], eparent: &[u64], recursive: bool) -> u64 {
        let p = self.parent[n].expect("not the root");
        let usage = self.usage(n);
        let claim = usage.min(setting[n]);
        let siblings = self.claims(p, setting);
        let pe = eparent[p];
        if siblings > pe {
            return claim * pe / siblings;
        }
        let pusage = self.usage(p);
        if recursive && pe > siblings && pusage > siblings && usage > claim {
            claim + (pe - siblings) * (usage - claim) / (pusage - siblings)
        } else {
            claim
        }
    }

    /// The walk from the root down (node order is a pre-order: parents come first).
    fn walk(&mut self, recursive: bool) {
        for n in 1..NODES {
            if self.usage(n) == 0 {
                // `mem_cgroup_calculate_protection` leaves an empty memcg's values stale.
                continue;
            }
            if self.parent[n] == Some(0) {
                self.emin[n] = self.min[n];
                self.elow[n] = self.low[n];
                continue;
            }
            let (min, emin) = (self.min.clone(), self.emin.clone());
            let (low, elow) = (self.low.clone(), self.elow.clone());
            self.emin[n] = self.effective(n, &min, &emin, recursive);
            self.elow[n] = self.effective(n, &low, &elow, recursive);
        }
    }
}

fn run(parents: Vec<usize>, ops: Vec<Op>, recursive: bool) -> Result<(), TestCaseError> {
    let mut parent = vec![None];
    parent.extend(parents.iter().enumerate().map(|(i, p)| Some(p % (i + 1))));
    let mut nodes: Vec<Arc<ProtectedPageCounter>> = vec![Arc::new(ProtectedPageCounter::new_root(
        PageCounterProfile::V6_6,
        0,
    ))];
    for (i, p) in parent.iter().enumerate().skip(1) {
        let p = p.expect("a child");
        let c = Arc::new(ProtectedPageCounter::new_child(&nodes[p], i));
        nodes.push(c);
    }
    let mut m = Model {
        parent,
        own: vec![0; NODES],
        min: vec![0; NODES],
        low: vec![0; NODES],
        emin: vec![0; NODES],
        elow: vec![0; NODES],
    };
    for op in ops {
        match op {
            Op::Charge(n, p) => {
                if nodes[n].try_charge(Pages(p), &NoTrace, CpuId(0)).is_ok() {
                    m.own[n] += p;
                }
            }
            Op::Uncharge(n, p) => {
                let p = p.min(m.own[n]);
                if p > 0 {
                    prop_assert!(nodes[n].uncharge(Pages(p), &NoTrace, CpuId(0)).is_ok());
                    m.own[n] -= p;
                }
            }
            Op::SetMin(n, p) => {
                nodes[n].set_min(Pages(p));
                m.min[n] = p;
            }
            Op::SetLow(n, p) => {
                nodes[n].set_low(Pages(p));
                m.low[n] = p;
            }
            Op::SetMax(n, p) => {
                let _ = nodes[n].set_max(Pages(p));
            }
        }
        for (n, c) in nodes.iter().enumerate() {
            c.check_invariants();
            prop_assert_eq!(c.read().0, m.usage(n), "usage of node {}", n);
            let prot = c.protection();
            prop_assert_eq!(prot.children_min_usage as u64, m.claims(n, &m.min));
            prop_assert_eq!(prot.children_low_usage as u64, m.claims(n, &m.low));
        }
        // Reclaim's walk: mem_cgroup_calculate_protection on every memcg, parents first.
        for c in &nodes {
            c.calculate_protection(None, recursive);
        }
        m.walk(recursive);
        for (n, c) in nodes.iter().enumerate().skip(1) {
            let prot = c.protection();
            prop_assert_eq!(prot.emin, m.emin[n], "emin of node {}", n);
            prop_assert_eq!(prot.elow, m.elow[n], "elow of node {}", n);
        }
        // Documented rule: the children of a protected (non-root) parent that were just
        // computed share at most the parent's effective protection.
        for p in 1..NODES {
            let kids: Vec<usize> = m.children(p).filter(|&c| m.usage(c) > 0).collect();
            if m.usage(p) == 0 || kids.is_empty() {
                continue;
            }
            let sum_min: u64 = kids.iter().map(|&c| m.emin[c]).sum();
            let sum_low: u64 = kids.iter().map(|&c| m.elow[c]).sum();
            prop_assert!(sum_min <= m.emin[p], "Σ emin {} > {}", sum_min, m.emin[p]);
            prop_assert!(sum_low <= m.elow[p], "Σ elow {} > {}", sum_low, m.elow[p]);
            if !recursive {
                for &c in &kids {
                    prop_assert!(m.emin[c] <= m.usage(c).min(m.min[c]));
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn effective_protection_matches_the_model(
        parents in proptest::collection::vec(0..NODES, NODES - 1),
        ops in proptest::collection::vec(op(), 1..60),
        recursive in any::<bool>(),
    ) {
        run(parents, ops, recursive)?;
    }
}

/// cgroup-v2.rst (v6.6, `memory.min`): "If a memory cgroup is not populated with processes,
/// its memory.min is ignored", and an overcommitted parent's protection is shared in
/// proportion to the children's claims (`effective_protection`). In pages.
#[test]
fn overcommitted_parent_distributes_in_proportion() {
    let root = Arc::new(ProtectedPageCounter::new_root(PageCounterProfile::V6_6, 0));
    let a = Arc::new(ProtectedPageCounter::new_child(&root, 1));
    let b = Arc::new(ProtectedPageCounter::new_child(&a, 2));
    let c = Arc::new(ProtectedPageCounter::new_child(&a, 3));
    a.set_min(Pages(100));
    b.set_min(Pages(150));
    c.set_min(Pages(50));
    b.charge(Pages(200), &NoTrace, CpuId(0));
    c.charge(Pages(100), &NoTrace, CpuId(0));
    for n in [&root, &a, &b, &c] {
        n.calculate_protection(None, false);
    }
    assert_eq!(a.protection().emin, 100);
    // Claims 150 and 50 (200 in all) share A's 100: 75 and 25.
    assert_eq!(b.protection().emin, 75);
    assert_eq!(c.protection().emin, 25);
    assert!(!b.below_min(None));
    b.uncharge(Pages(100), &NoTrace, CpuId(0)).unwrap();
    for n in [&root, &a, &b, &c] {
        n.calculate_protection(None, false);
    }
    // Claims 100 and 50 still overcommit A: 100 * 100 / 150 and 50 * 100 / 150, rounded down.
    assert_eq!(b.protection().emin, 66);
    assert_eq!(c.protection().emin, 33);
    b.uncharge(Pages(60), &NoTrace, CpuId(0)).unwrap();
    for n in [&root, &a, &b, &c] {
        n.calculate_protection(None, false);
    }
    // Claims 40 and 50 fit in 100: each keeps its own.
    assert_eq!(b.protection().emin, 40);
    assert_eq!(c.protection().emin, 50);
    assert!(b.below_min(None));
    assert!(
        !b.below_min(Some(&b)),
        "the reclaim target itself is never protected"
    );
}
