//! `check_invariants`: the numbered invariants of the core, checked after every step of the
//! property tests.
//!
//! **Invariants:**
//! 1. Every live task is on the task list of exactly the css_set it points to, and therefore in
//!    exactly one cgroup per hierarchy; an exited task points at `init_css_set` and is on no list;
//!    a child between `cgroup_fork` and `cgroup_post_fork` (another thread is forking it) is on
//!    no list yet.
//! 2. A css_set's refcount equals its number of tasks plus the children being forked that point
//!    at it plus the kernel's own references (1 for `init_css_set`, 0 otherwise); no live css_set
//!    has refcount 0.
//! 3. No two live css_sets link the same cgroup vector, and the lookup table maps exactly the live
//!    css_sets by that vector (so their `subsys[]` templates differ too).
//! 4. A cgroup's `count` equals the number of css_sets linked to it, and its `css_sets` list is
//!    exactly those css_sets; the link lists name only live cgroups (through their own shared
//!    part) and exist exactly for the cgroups with `count > 0`.
//! 5. Every live css_set links exactly one cgroup in each active hierarchy (rootnode included),
//!    in hierarchy order, and `subsys[i]` is the css of subsystem `i` in the linked cgroup of
//!    `i`'s hierarchy.
//! 6. Every subsystem is on exactly one `subsys_list` (rootnode's while unbound), `ss->root`
//!    names that hierarchy, each list holds exactly the bits of `actual_subsys_bits`
//!    (= `subsys_bits`), and after a mount without later remounts the list is in descending id
//!    order.
//! 7. `number_of_cgroups` equals the number of cgroups in the hierarchy's tree.
//! 8. The tree is well formed: parents and children agree, every cgroup of a hierarchy has the
//!    hierarchy's top cgroup as `top_cgroup`, `subsys[i]` is set exactly for the subsystems bound
//!    to the hierarchy (all of them for dummytop) and points back to the cgroup.
//! 9. `css_set_count` equals the number of live css_sets and `root_count` is 1 + the mounted
//!    hierarchies; every arena object is reachable (nothing leaks).
//! 10. `release_list` holds distinct, live, not-removed cgroups.

use crate::cgroup::CgroupId;
use crate::core::{CgroupCore, CgroupState, CssSetState};
use crate::root::RootId;
use cgsim_ktypes::Tracer;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;

impl<T: Tracer> CgroupCore<T> {
    /// Check every invariant of the module docs; `Err` names the first one violated.
    ///
    /// **Locking:** takes every core lock in order, so the state it checks is consistent even
    /// while other threads fork, exit, attach or mount.
    pub fn check_invariants(&self) -> Result<(), String> {
        // Lock order: cgroup_mutex -> css_set_lock (read) -> release_list_lock.
        let st = self.lock();
        let cs = self.css_set_read();
        let release_list = self.release_list.lock();
        self.check_locked(&st, &cs, &release_list)
    }

    fn check_locked(
        &self,
        st: &CgroupState<T>,
        cs: &CssSetState,
        release_list: &VecDeque<CgroupId>,
    ) -> Result<(), String> {
        let active: Vec<RootId> = std::iter::once(RootId::ROOTNODE)
            .chain(st.roots.iter().rev().copied())
            .collect();
        // Every cross-reference below is counted in one pass over the objects first, so the
        // whole check is linear (n log n with the ordered sets) in the number of tasks, css_sets
        // and cgroups rather than a walk of one collection per element of another: at 60,000
        // memcgs with a process each, that walk took minutes.
        //
        // How many css_set task lists each pid is on (I1).
        let mut on_lists: HashMap<_, usize> = HashMap::new();
        for (_, s) in cs.css_sets.iter() {
            for &pid in &s.tasks {
                *on_lists.entry(pid).or_default() += 1;
            }
        }
        // How many children being forked point at each css_set (I2).
        let mut forking_of: HashMap<_, usize> = HashMap::new();
        for t in cs.tasks.values().filter(|t| t.forking) {
            *forking_of.entry(t.cgroups.0).or_default() += 1;
        }
        // The css_sets that link each cgroup, seen from the css_set side (I4).
        let mut linked_of: HashMap<_, BTreeSet<_>> = HashMap::new();
        for (sk, s) in cs.css_sets.iter() {
            for l in &s.cg_links {
                linked_of.entry(l.cgrp.0).or_default().insert(sk);
            }
        }
        // Every (parent, child) pair the children lists hold (I8), and the cgroups of each
        // hierarchy (I7).
        let mut listed_children = HashSet::new();
        let mut in_root: HashMap<RootId, usize> = HashMap::new();
        for (k, c) in st.cgroups.iter() {
            listed_children.extend(c.children.iter().map(|ch| (k, ch.0)));
            *in_root.entry(c.root).or_default() += 1;
        }
        // I1, in pid order (the pid table is a hash table), so a failure names the same task
        // in every run.
        let mut tasks: Vec<(&cgsim_ktypes::Pid, &crate::core::Task)> = cs.tasks.iter().collect();
        tasks.sort_unstable_by_key(|(p, _)| **p);
        for (&pid, t) in tasks {
            let set = cs
                .css_sets
                .get(t.cgroups.0)
                .ok_or(format!("I1: task {pid} points at a dead css_set"))?;
            if t.exited {
                if t.cgroups != cs.init_css_set || set.tasks.contains(&pid) {
                    return Err(format!("I1: exited task {pid} not parked on init_css_set"));
                }
            } else if !t.forking && !set.tasks.contains(&pid) {
                return Err(format!("I1: task {pid} missing from its css_set's list"));
            }
            let listed = on_lists.get(&pid).copied().unwrap_or(0);
            if listed != usize::from(!t.exited && !t.forking) {
                return Err(format!("I1: task {pid} is on {listed} css_set lists"));
            }
        }
        // I2, I5
        for (k, s) in cs.css_sets.iter() {
            let kernel_refs = usize::from(k == cs.init_css_set.0);
            let forking = forking_of.get(&k).copied().unwrap_or(0);
            if s.kernel_refs != kernel_refs || s.refcount != s.tasks.len() + forking + kernel_refs {
                return Err(format!(
                    "I2: css_set {k:?} refcount {} != {} tasks + {forking} forking + \
                     {kernel_refs}",
                    s.refcount,
                    s.tasks.len()
                ));
            }
            let roots: Vec<RootId> = s
                .cg_links
                .iter()
                .map(|l| st.cgroups.get(l.cgrp.0).map(|c| c.root))
                .collect::<Option<_>>()
                .ok_or(format!("I5: css_set {k:?} links a dead cgroup"))?;
            if roots != active {
                return Err(format!(
                    "I5: css_set {k:?} links hierarchies {roots:?}, not {active:?}"
                ));
            }
            for (i, css) in s.subsys.iter().enumerate() {
                let root = st.subsys_root[i];
                let l = s
                    .cg_links
                    .iter()
                    .find(|l| st.cgroups.get(l.cgrp.0).expect("checked").root == root)
                    .expect("checked");
                // The effective css (the cgroup's own except on the default hierarchy).
                let e = Self::e_css(st, l.cgrp, i);
                if e.id() != css.id() {
                    return Err(format!(
                        "I5: css_set {k:?} subsys[{i}] is not its cgroup's css"
                    ));
                }
            }
        }
        // I3
        let keys: BTreeSet<Vec<_>> = cs.css_sets.iter().map(|(_, s)| s.key()).collect();
        if keys.len() != cs.css_sets.len() {
            return Err("I3: two css_sets link the same cgroups".to_string());
        }
        if cs.css_set_table.len() != cs.css_sets.len()
            || cs
                .css_set_table
                .iter()
                .any(|(key, id)| cs.css_sets.get(id.0).is_none_or(|s| s.key() != *key))
        {
            return Err("I3: css_set table does not match the live css_sets".to_string());
        }
        // I4, I8
        for (cgrp, l) in &cs.links {
            let live = st.cgroups.get(cgrp.0);
            if l.css_sets.is_empty() || live.is_none_or(|c| !Arc::ptr_eq(&c.shared, &l.cgrp)) {
                return Err(format!("I4: stale or empty link list for {cgrp:?}"));
            }
        }
        for (k, c) in st.cgroups.iter() {
            let empty = BTreeSet::new();
            let linked = linked_of.get(&k).unwrap_or(&empty);
            let own = cs.links_of(CgroupId(k));
            let listed: BTreeSet<_> = own.iter().map(|s| s.0).collect();
            if c.count() != linked.len() || listed != *linked || own.len() != listed.len() {
                return Err(format!(
                    "I4: cgroup {k:?} count {} but {} links",
                    c.count(),
                    linked.len()
                ));
            }
            if c.shared
                .nr_children
                .load(std::sync::atomic::Ordering::Acquire)
                != c.children.len()
                || c.shared.parent != c.parent
                || c.shared.root != c.root
            {
                return Err(format!("I8: shared part of {k:?} disagrees with the tree"));
            }
            if !c
                .children
                .names_agree(|ch| st.cgroups.get(ch.0).map(|x| x.name.clone()))
            {
                return Err(format!(
                    "I8: name index of {k:?} disagrees with its children"
                ));
            }
            for ch in c.children.iter() {
                let chc = st
                    .cgroups
                    .get(ch.0)
                    .ok_or(format!("I8: cgroup {k:?} has a dead child"))?;
                if chc.parent.map(|p| p.0) != Some(k) {
                    return Err(format!("I8: child of {k:?} disagrees about its parent"));
                }
            }
            if let Some(p) = c.parent {
                let pc = st
                    .cgroups
                    .get(p.0)
                    .ok_or(format!("I8: {k:?} has a dead parent"))?;
                if !listed_children.contains(&(p.0, k)) || pc.root != c.root {
                    return Err(format!("I8: parent of {k:?} does not list it"));
                }
            }
            let r = st
                .roots_arena
                .get(c.root.0)
                .ok_or(format!("I8: {k:?} in a dead root"))?;
            if c.top_cgroup != r.top_cgroup {
                return Err(format!("I8: {k:?} has the wrong top_cgroup"));
            }
            let is_dummy = k == st.dummytop.0;
            // A cgroup below the default hierarchy's root has the csses its parent's
            // subtree_control enables.
            let dfl_mask = c
                .parent
                .filter(|_| c.root.is_rootnode())
                .map(|p| st.cgroups.get(p.0).map_or(0, |p| p.subtree_control));
            for (i, css) in c.subsys.iter().enumerate() {
                let bound = match dfl_mask {
                    Some(m) => m & (1 << i) != 0,
                    None => is_dummy || r.actual_subsys_bits & (1 << i) != 0,
                };
                if css.is_some() != bound {
                    return Err(format!("I8: {k:?} subsys[{i}] presence wrong"));
                }
                if let Some(css) = css
                    && !is_dummy
                    && css.cgroup().0 != k
                {
                    return Err(format!("I8: css of {k:?} subsys[{i}] points elsewhere"));
                }
            }
        }
        // I6, I7
        let mut seen = vec![0usize; self.subsys.len()];
        for &rid in &active {
            let r = st.roots_arena.get(rid.0).expect("active");
            let bits: u64 = r.subsys_list.iter().fold(0, |b, &i| b | (1 << i));
            for &i in &r.subsys_list {
                seen[i] += 1;
                if st.subsys_root[i] != rid {
                    return Err(format!("I6: subsystem {i} on the wrong list"));
                }
            }
            if !rid.is_rootnode()
                && (bits != r.actual_subsys_bits || r.subsys_bits != r.actual_subsys_bits)
            {
                return Err(format!("I6: {rid:?} subsys_list disagrees with its bits"));
            }
            let n = in_root.get(&rid).copied().unwrap_or(0);
            if n != r.number_of_cgroups {
                return Err(format!(
                    "I7: {rid:?} number_of_cgroups {} != {n}",
                    r.number_of_cgroups
                ));
            }
        }
        if seen.iter().any(|&n| n != 1) {
            return Err(format!("I6: subsystems on {seen:?} lists"));
        }
        // I9
        if cs.css_set_count != cs.css_sets.len() {
            return Err("I9: css_set_count wrong".to_string());
        }
        if st.root_count != 1 + st.roots.len() || st.roots_arena.len() != active.len() {
            return Err("I9: root_count wrong or a root leaked".to_string());
        }
        let in_trees: usize = active
            .iter()
            .map(|r| st.roots_arena.get(r.0).expect("active").number_of_cgroups)
            .sum();
        if in_trees != st.cgroups.len() {
            return Err("I9: a cgroup leaked".to_string());
        }
        // I10
        let uniq: BTreeSet<_> = release_list.iter().collect();
        if uniq.len() != release_list.len()
            || release_list
                .iter()
                .any(|c| st.cgroups.get(c.0).is_none_or(|c| c.is_removed()))
        {
            return Err("I10: bad release_list".to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Deliberately broken states: each corruption must be caught, by the invariant it breaks.

    use super::*;
    use crate::MountResult;
    use cgsim_ktypes::{Cred, NoTrace, Pid};
    use std::sync::atomic::Ordering;

    /// The memory hierarchy with `/A` and `/B`, pid 100 in `A`, pid 101 in `B`: three css_sets.
    fn setup() -> (CgroupCore<NoTrace>, MountResult, CgroupId, CgroupId) {
        let core = CgroupCore::with_defaults(Arc::new(NoTrace));
        let m = core.mount(Some("memory")).unwrap();
        let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
        let b = core.mkdir(m.top, "B", 0o755, Cred::ROOT).unwrap();
        core.fork(Pid(1), Pid(100), Cred::ROOT).unwrap();
        core.fork(Pid(1), Pid(101), Cred::ROOT).unwrap();
        core.attach_task(a, Pid(100)).unwrap();
        core.attach_task(b, Pid(101)).unwrap();
        core.check_invariants().unwrap();
        (core, m, a, b)
    }

    fn err(core: &CgroupCore<NoTrace>) -> String {
        core.check_invariants().expect_err("a broken state passed")
    }

    #[test]
    fn a_task_on_two_lists_is_caught() {
        let (core, ..) = setup();
        {
            let mut cs = core.css_set_write();
            let init = cs.init_css_set;
            let s = cs.css_sets.get_mut(init.0).unwrap();
            s.tasks.insert(Pid(100));
            s.refcount += 1;
        }
        let e = err(&core);
        assert!(e.starts_with("I1: task 100 is on 2 css_set lists"), "{e}");
    }

    #[test]
    fn forking_children_count_toward_their_css_set_only() {
        let (core, ..) = setup();
        let set = {
            // Pid 100 between cgroup_fork and cgroup_post_fork: off its list, still counted.
            let mut cs = core.css_set_write();
            let t = cs.tasks.get_mut(&Pid(100)).unwrap();
            t.forking = true;
            let set = t.cgroups;
            cs.css_sets.get_mut(set.0).unwrap().tasks.remove(&Pid(100));
            set
        };
        core.check_invariants().unwrap();
        // One reference too many on that css_set.
        core.css_set_write()
            .css_sets
            .get_mut(set.0)
            .unwrap()
            .refcount += 1;
        let e = err(&core);
        assert!(e.starts_with("I2:") && e.contains("1 forking"), "{e}");
    }

    #[test]
    fn a_missing_cgroup_side_link_is_caught() {
        let (core, _m, a, _b) = setup();
        core.css_set_write()
            .links
            .get_mut(&a)
            .unwrap()
            .css_sets
            .clear();
        let e = err(&core);
        assert!(e.starts_with("I4:"), "{e}");
    }

    #[test]
    fn a_count_that_disagrees_with_the_linking_css_sets_is_caught() {
        let (core, _m, a, _b) = setup();
        {
            // One css_set links A; its count says two.
            let st = core.lock();
            st.cgroups
                .get(a.0)
                .unwrap()
                .shared
                .count
                .store(2, Ordering::Release);
        }
        let e = err(&core);
        assert!(
            e.starts_with("I4:") && e.ends_with("count 2 but 1 links"),
            "{e}"
        );
    }

    #[test]
    fn a_parent_that_does_not_list_its_child_is_caught() {
        let (core, m, a, _b) = setup();
        {
            let mut st = core.lock();
            let top = st.cgroups.get_mut(m.top.0).unwrap();
            top.children.remove(a, "A");
            top.shared
                .nr_children
                .store(top.children.len(), Ordering::Release);
        }
        let e = err(&core);
        assert!(
            e.starts_with("I8: parent of") && e.ends_with("does not list it"),
            "{e}"
        );
    }

    #[test]
    fn a_wrong_number_of_cgroups_is_caught() {
        let (core, m, ..) = setup();
        core.lock()
            .roots_arena
            .get_mut(m.root.0)
            .unwrap()
            .number_of_cgroups += 1;
        let e = err(&core);
        assert!(e.starts_with("I7:") && e.ends_with("!= 3"), "{e}");
    }
}
