//! The pids controller's hierarchical charge (`kernel/cgroup/pids.c`, v6.6) against a
//! reference model: random forks (processes and threads), exits, reaps, migrations and
//! `pids.max` writes on a v1 hierarchy; after every step each non-root cgroup's
//! `pids.current` is the number of its subtree's tasks (zombies included until reaped), never
//! below 0, and a fork succeeded iff every non-root level from the parent's cgroup up had room.

use crate::common::*;
use cgsim_cgroup::subsys::pids::{Pids, PidsShared};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// The tree: 0 = top (the root, never charged), 1 = a, 2 = a/b, 3 = a/c, 4 = d.
const PARENT: [Option<usize>; 5] = [None, Some(0), Some(1), Some(1), Some(0)];
const NAMES: [&str; 5] = ["", "a", "b", "c", "d"];
/// `pids.max` values a step may write (`max` last).
const LIMITS: [&str; 6] = ["0", "1", "2", "3", "5", "max"];

#[derive(Clone, Debug)]
enum Op {
    Fork(usize),
    Thread(usize),
    Exit(usize),
    Reap(usize),
    Attach(usize, usize),
    SetMax(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0..16usize).prop_map(Op::Fork),
        2 => (0..16usize).prop_map(Op::Thread),
        3 => (0..16usize).prop_map(Op::Exit),
        3 => (0..16usize).prop_map(Op::Reap),
        4 => (0..16usize, 0..5usize).prop_map(|(t, c)| Op::Attach(t, c)),
        3 => (1..5usize, 0..LIMITS.len()).prop_map(|(c, l)| Op::SetMax(c, l)),
    ]
}

/// One task of the model: its cgroup (where it was charged), whether it has exited.
#[derive(Clone, Debug)]
struct T {
    cg: usize,
    zombie: bool,
}

struct World {
    core: Core,
    cg: [CgroupId; 5],
    next: i32,
    tasks: BTreeMap<i32, T>,
    limit: [Option<i64>; 5],
}

impl World {
    fn new() -> World {
        let mut subsys = default_subsystems::<Ftrace>();
        subsys.push(Box::new(Pids::new(std::sync::Arc::new(
            PidsShared::default(),
        ))));
        let core = CgroupCore::new(
            std::sync::Arc::new(Ftrace::new()),
            CoreProfile::default(),
            subsys,
            Pid(1),
            Cred::ROOT,
        );
        let top = core.mount(Some("pids")).unwrap().top;
        let mut cg = [top; 5];
        for i in 1..5 {
            cg[i] = core
                .mkdir(cg[PARENT[i].unwrap()], NAMES[i], 0o755, Cred::ROOT)
                .unwrap();
        }
        let mut tasks = BTreeMap::new();
        // init exists before the controller charges anything: it is in the root, uncharged.
        tasks.insert(
            1,
            T {
                cg: 0,
                zombie: false,
            },
        );
        World {
            core,
            cg,
            next: 2,
            tasks,
            limit: [None; 5],
        }
    }

    fn pick(&self, i: usize) -> i32 {
        let v: Vec<i32> = self.tasks.keys().copied().collect();
        v[i % v.len()]
    }

    fn in_subtree(mut c: usize, anc: usize) -> bool {
        loop {
            if c == anc {
                return true;
            }
            match PARENT[c] {
                Some(p) => c = p,
                None => return false,
            }
        }
    }

    /// Tasks charged in `c`'s subtree.
    fn count(&self, c: usize) -> i64 {
        self.tasks
            .values()
            .filter(|t| Self::in_subtree(t.cg, c))
            .count() as i64
    }

    /// A fork in `c` fits iff every non-root level from `c` up has room for one more.
    fn fork_fits(&self, mut c: usize) -> bool {
        while let Some(p) = PARENT[c] {
            if self.limit[c].is_some_and(|l| self.count(c) + 1 > l) {
                return false;
            }
            c = p;
        }
        true
    }

    fn step(&mut self, op: &Op) {
        match *op {
            Op::Fork(i) | Op::Thread(i) => {
                let parent = self.pick(i);
                let pt = self.tasks[&parent].clone();
                let child = self.next;
                let r = if matches!(op, Op::Fork(_)) {
                    self.core.fork(Pid(parent), Pid(child), Cred::ROOT)
                } else {
                    self.core.clone_thread(Pid(parent), Pid(child), Cred::ROOT)
                };
                if pt.zombie {
                    assert_eq!(r, Err(Errno::ESRCH));
                    return;
                }
                self.next += 1;
                if self.fork_fits(pt.cg) {
                    assert_eq!(r, Ok(()), "fork in {} should fit", NAMES[pt.cg]);
                    self.tasks.insert(
                        child,
                        T {
                            cg: pt.cg,
                            zombie: false,
                        },
                    );
                } else {
                    assert_eq!(
                        r,
                        Err(Errno::EAGAIN),
                        "fork in {} is over a limit",
                        NAMES[pt.cg]
                    );
                }
            }
            Op::Exit(i) => {
                let pid = self.pick(i);
                if pid == 1 || self.tasks[&pid].zombie {
                    return;
                }
                // A thread group exits as one in the Kernel; the core lets each task go.
                if self.core.exit(Pid(pid)).is_ok() {
                    self.tasks.get_mut(&pid).unwrap().zombie = true;
                }
            }
            Op::Reap(i) => {
                let pid = self.pick(i);
                if self.tasks[&pid].zombie && self.core.release_task(Pid(pid)).is_ok() {
                    self.tasks.remove(&pid);
                }
            }
            Op::Attach(i, c) => {
                let pid = self.pick(i);
                let r = self.core.attach_task(self.cg[c], Pid(pid));
                if self.tasks[&pid].zombie {
                    assert!(r.is_err());
                } else {
                    // Migration is never refused by pids, whatever the limits.
                    assert_eq!(r, Ok(()));
                    self.tasks.get_mut(&pid).unwrap().cg = c;
                }
            }
            Op::SetMax(c, l) => {
                write(&self.core, self.cg[c], "pids.max", Pid(1), LIMITS[l]).unwrap();
                self.limit[c] = LIMITS[l].parse().ok();
            }
        }
    }

    fn check(&self) {
        for (c, name) in NAMES.iter().enumerate().skip(1) {
            let cur: i64 = read(&self.core, self.cg[c], "pids.current", Pid(1))
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            assert!(cur >= 0);
            assert_eq!(cur, self.count(c), "pids.current of {name}");
            let max = read(&self.core, self.cg[c], "pids.max", Pid(1)).unwrap();
            let want = self.limit[c].map_or("max".to_string(), |l| l.to_string());
            assert_eq!(max.trim(), want);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn pids_charge_is_hierarchical(ops in prop::collection::vec(op(), 1..80)) {
        let mut w = World::new();
        for op in &ops {
            w.step(op);
            w.check();
        }
    }
}

/// The files: none in the top cgroup, the three in a child (`pids_files[]` order); refused writes change nothing.
#[test]
fn pids_files_and_bad_writes() {
    let w = World::new();
    let names: Vec<String> = files(&w.core, w.cg[0]).into_iter().map(|f| f.0).collect();
    assert!(!names.iter().any(|n| n.starts_with("pids.")), "{names:?}");
    let names: Vec<(String, u32)> = files(&w.core, w.cg[1])
        .into_iter()
        .filter(|f| f.0.starts_with("pids."))
        .collect();
    assert_eq!(
        names,
        vec![
            ("pids.max".to_string(), 0o644),
            ("pids.current".to_string(), 0o444),
            ("pids.events".to_string(), 0o444),
        ]
    );
    write(&w.core, w.cg[1], "pids.max", Pid(1), "7\n").unwrap();
    for bad in ["-1", "4194305", "abc", "", "1 2"] {
        assert_eq!(
            write(&w.core, w.cg[1], "pids.max", Pid(1), bad),
            Err(Errno::EINVAL),
            "{bad:?}"
        );
    }
    assert_eq!(
        write(&w.core, w.cg[1], "pids.max", Pid(1), "99999999999999999999"),
        Err(Errno::ERANGE)
    );
    assert_eq!(read(&w.core, w.cg[1], "pids.max", Pid(1)).unwrap(), "7\n");
    assert_eq!(
        read(&w.core, w.cg[1], "pids.events", Pid(1)).unwrap(),
        "max 0\n"
    );
}

/// A refused fork counts in the forking task's cgroup's `pids.events`, not in the cgroup
/// whose limit was hit (v6.6 `pids_can_fork`), and is queued once for the log line.
#[test]
fn pids_events_count_where_the_fork_was_refused() {
    let shared = std::sync::Arc::new(PidsShared::default());
    let mut subsys = default_subsystems::<Ftrace>();
    subsys.push(Box::new(Pids::new(std::sync::Arc::clone(&shared))));
    let core = CgroupCore::new(
        std::sync::Arc::new(Ftrace::new()),
        CoreProfile::default(),
        subsys,
        Pid(1),
        Cred::ROOT,
    );
    let top = core.mount(Some("pids")).unwrap().top;
    let a = core.mkdir(top, "a", 0o755, Cred::ROOT).unwrap();
    let b = core.mkdir(a, "b", 0o755, Cred::ROOT).unwrap();
    write(&core, a, "pids.max", Pid(1), "1").unwrap();
    core.fork(Pid(1), Pid(2), Cred::ROOT).unwrap();
    core.attach_task(b, Pid(2)).unwrap();
    assert_eq!(core.fork(Pid(2), Pid(3), Cred::ROOT), Err(Errno::EAGAIN));
    assert_eq!(core.fork(Pid(2), Pid(4), Cred::ROOT), Err(Errno::EAGAIN));
    assert_eq!(read(&core, a, "pids.events", Pid(1)).unwrap(), "max 0\n");
    assert_eq!(read(&core, b, "pids.events", Pid(1)).unwrap(), "max 2\n");
    assert_eq!(shared.take_rejected(), vec![b]);
    assert_eq!(shared.take_rejected(), vec![]);
    // The refused child does not exist.
    assert_eq!(core.exit(Pid(3)), Err(Errno::ESRCH));
    assert_eq!(read(&core, b, "pids.current", Pid(1)).unwrap(), "1\n");
}
