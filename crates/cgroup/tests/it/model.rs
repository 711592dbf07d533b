//! Random mount/umount/mkdir/rmdir/attach/fork/exit sequences checked against a small reference
//! model after every step, plus "nothing leaks once everything is undone".

use crate::common::*;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The mount option strings the test uses and the subsystem bits each selects.
const CONFIGS: [(&str, u64, Option<&str>); 4] = [
    ("cpu", 1 << 3, None),
    ("cpuacct,memory", (1 << 4) | (1 << 5), None),
    ("none,name=n", 0, Some("n")),
    ("cpu,memory", (1 << 3) | (1 << 5), None),
];
const NAMES: [&str; 3] = ["a", "b", "c"];

#[derive(Clone, Debug)]
enum Op {
    Mount(usize),
    Umount(usize),
    Mkdir(usize, usize, usize),
    Rmdir(usize, usize),
    Attach(usize, usize, usize),
    Fork(usize),
    Exit(usize),
    Notify(usize, usize, bool),
    Agent(usize, bool),
    Drain,
}

fn op() -> impl Strategy<Value = Op> {
    let h = 0..CONFIGS.len();
    prop_oneof![
        3 => h.clone().prop_map(Op::Mount),
        1 => h.clone().prop_map(Op::Umount),
        6 => (h.clone(), 0..8usize, 0..NAMES.len()).prop_map(|(h, p, n)| Op::Mkdir(h, p, n)),
        2 => (h.clone(), 0..8usize).prop_map(|(h, c)| Op::Rmdir(h, c)),
        4 => (h, 0..8usize, 0..8usize).prop_map(|(h, c, t)| Op::Attach(h, c, t)),
        2 => (0..8usize).prop_map(Op::Fork),
        2 => (0..8usize).prop_map(Op::Exit),
        3 => (0..CONFIGS.len(), 0..8usize, any::<bool>()).prop_map(|(h, c, v)| Op::Notify(h, c, v)),
        1 => (0..CONFIGS.len(), any::<bool>()).prop_map(|(h, v)| Op::Agent(h, v)),
        2 => Just(Op::Drain),
    ]
}

/// The reference model of one hierarchy.
#[derive(Clone, Debug, Default)]
struct Hier {
    mounts: usize,
    cgroups: BTreeSet<String>,
    /// Live task → cgroup path.
    member: BTreeMap<i32, String>,
    /// Cgroups with notify_on_release set.
    notify: BTreeSet<String>,
    /// Cgroups with CGRP_RELEASABLE set.
    releasable: BTreeSet<String>,
    /// The hierarchy's release_agent.
    agent: String,
}

impl Hier {
    fn has_tasks(&self, path: &str) -> bool {
        self.member.values().any(|m| m == path)
    }
}

#[derive(Debug, Default)]
struct Model {
    hiers: [Option<Hier>; 4],
    /// Every pid ever forked → alive.
    tasks: BTreeMap<i32, bool>,
    next_pid: i32,
    /// Config indices of the live hierarchies in creation order (the css_set link order).
    order: Vec<usize>,
    /// The release list, head first: (config, path).
    queue: VecDeque<(usize, String)>,
}

impl Model {
    /// `check_for_release` (`kernel/cgroup.c`, v2.6.25). A top cgroup never has count 0: `init_css_set` links it.
    fn check_for_release(&mut self, h: usize, path: &str) {
        let hier = self.hiers[h].as_ref().unwrap();
        let prefix = format!("{path}/");
        let entry = (h, path.to_string());
        if path != "/"
            && hier.notify.contains(path)
            && hier.releasable.contains(path)
            && !hier.has_tasks(path)
            && !hier.cgroups.iter().any(|c| c.starts_with(&prefix))
            && !self.queue.contains(&entry)
        {
            self.queue.push_front(entry);
        }
    }

    fn kill(&mut self, h: usize) {
        self.hiers[h] = None;
        self.order.retain(|&x| x != h);
    }

    fn live(&self) -> Vec<i32> {
        self.tasks
            .iter()
            .filter(|(_, a)| **a)
            .map(|(p, _)| *p)
            .collect()
    }
}

fn child_path(parent: &str, name: &str) -> String {
    if parent == "/" {
        format!("/{name}")
    } else {
        format!("{parent}/{name}")
    }
}

/// The harness: the core, the model and the RootId last seen for each config.
struct Harness {
    core: Core,
    model: Model,
    roots: [Option<RootId>; 4],
}

impl Harness {
    fn new() -> Harness {
        let mut model = Model {
            next_pid: 2,
            ..Model::default()
        };
        model.tasks.insert(1, true);
        Harness {
            core: boot(),
            model,
            roots: [None; 4],
        }
    }

    fn cgroup_by_path(&self, h: usize, path: &str) -> CgroupId {
        let root = self.roots[h].unwrap();
        let snap = self.core.snapshot();
        snap.cgroups
            .iter()
            .find(|c| c.root == root && c.path == path)
            .unwrap_or_else(|| panic!("no {path} in hierarchy {h}"))
            .id
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Mount(h) => {
                let (opts, bits, _) = CONFIGS[h];
                let res = self.core.mount(Some(opts));
                if let Some(hier) = &mut self.model.hiers[h] {
                    hier.mounts += 1;
                    let r = res.unwrap();
                    assert_eq!((Some(r.root), r.new_hierarchy), (self.roots[h], false));
                } else if self
                    .model
                    .hiers
                    .iter()
                    .enumerate()
                    .any(|(g, x)| x.is_some() && CONFIGS[g].1 & bits != 0)
                {
                    assert_eq!(res, Err(Errno::EBUSY));
                } else {
                    let r = res.unwrap();
                    assert!(r.new_hierarchy);
                    self.roots[h] = Some(r.root);
                    let live = self.model.live();
                    self.model.hiers[h] = Some(Hier {
                        mounts: 1,
                        cgroups: BTreeSet::from(["/".to_string()]),
                        member: live.into_iter().map(|p| (p, "/".to_string())).collect(),
                        ..Hier::default()
                    });
                    self.model.order.push(h);
                }
            }
            Op::Umount(h) => {
                let Some(root) = self.roots[h] else { return };
                let res = self.core.umount(root);
                match &mut self.model.hiers[h] {
                    Some(hier) if hier.mounts > 0 => {
                        hier.mounts -= 1;
                        let dies = hier.mounts == 0 && hier.cgroups.len() == 1;
                        assert_eq!(res, Ok(dies));
                        if dies {
                            self.model.kill(h);
                        }
                    }
                    _ => assert_eq!(res, Err(Errno::EINVAL)),
                }
            }
            Op::Mkdir(h, p, n) => {
                let Some(hier) = &self.model.hiers[h] else {
                    return;
                };
                let parent = hier
                    .cgroups
                    .iter()
                    .nth(p % hier.cgroups.len())
                    .unwrap()
                    .clone();
                let path = child_path(&parent, NAMES[n]);
                let pid = self.cgroup_by_path(h, &parent);
                let res = self.core.mkdir(pid, NAMES[n], 0o755, Cred::ROOT);
                let hier = self.model.hiers[h].as_mut().unwrap();
                if hier.cgroups.contains(&path) {
                    assert_eq!(res, Err(Errno::EEXIST));
                } else {
                    res.unwrap();
                    if hier.notify.contains(&parent) {
                        hier.notify.insert(path.clone());
                    }
                    hier.cgroups.insert(path);
                }
            }
            Op::Rmdir(h, c) => {
                let Some(hier) = &self.model.hiers[h] else {
                    return;
                };
                let path = hier
                    .cgroups
                    .iter()
                    .nth(c % hier.cgroups.len())
                    .unwrap()
                    .clone();
                let id = self.cgroup_by_path(h, &path);
                let res = self.core.rmdir(id);
                let hier = self.model.hiers[h].as_mut().unwrap();
                let prefix = format!("{path}/");
                if path == "/"
                    || hier.cgroups.iter().any(|x| x.starts_with(&prefix))
                    || hier.member.values().any(|m| *m == path)
                {
                    assert_eq!(res, Err(Errno::EBUSY), "rmdir {path}");
                } else {
                    res.unwrap();
                    hier.cgroups.remove(&path);
                    hier.notify.remove(&path);
                    hier.releasable.remove(&path);
                    let parent = match path.rfind('/') {
                        Some(0) | None => "/".to_string(),
                        Some(i) => path[..i].to_string(),
                    };
                    hier.releasable.insert(parent.clone());
                    let dies = hier.mounts == 0 && hier.cgroups.len() == 1;
                    self.model.queue.retain(|e| *e != (h, path.clone()));
                    self.model.check_for_release(h, &parent);
                    if dies {
                        self.model.kill(h);
                    }
                }
            }
            Op::Attach(h, c, t) => {
                let Some(hier) = &self.model.hiers[h] else {
                    return;
                };
                let path = hier
                    .cgroups
                    .iter()
                    .nth(c % hier.cgroups.len())
                    .unwrap()
                    .clone();
                let all: Vec<i32> = self.model.tasks.keys().copied().collect();
                let pid = all[t % all.len()];
                let id = self.cgroup_by_path(h, &path);
                let res = write(&self.core, id, "tasks", Pid(1), &pid.to_string());
                if self.model.tasks[&pid] {
                    assert_eq!(res, Ok(pid.to_string().len()));
                    let hier = self.model.hiers[h].as_mut().unwrap();
                    let old = hier.member.insert(pid, path.clone()).unwrap();
                    if old != path {
                        hier.releasable.insert(old.clone());
                        if hier.notify.contains(&old) && !hier.has_tasks(&old) {
                            self.model.check_for_release(h, &old);
                        }
                    }
                } else {
                    assert_eq!(res, Err(Errno::ESRCH));
                }
            }
            Op::Fork(t) => {
                let live = self.model.live();
                let parent = live[t % live.len()];
                let child = self.model.next_pid;
                self.model.next_pid += 1;
                self.core.fork(Pid(parent), Pid(child), Cred::ROOT).unwrap();
                self.model.tasks.insert(child, true);
                for hier in self.model.hiers.iter_mut().flatten() {
                    let p = hier.member[&parent].clone();
                    hier.member.insert(child, p);
                }
            }
            Op::Exit(t) => {
                let live = self.model.live();
                let pid = live[t % live.len()];
                if pid == 1 {
                    return;
                }
                self.core.exit(Pid(pid)).unwrap();
                self.model.tasks.insert(pid, false);
                // put_css_set_taskexit walks the links in hierarchy creation order.
                for h in self.model.order.clone() {
                    let hier = self.model.hiers[h].as_mut().unwrap();
                    let x = hier.member.remove(&pid).unwrap();
                    if x != "/" && !hier.has_tasks(&x) && hier.notify.contains(&x) {
                        hier.releasable.insert(x.clone());
                        self.model.check_for_release(h, &x);
                    }
                }
            }
            Op::Notify(h, c, v) => {
                let Some(hier) = &mut self.model.hiers[h] else {
                    return;
                };
                let path = hier
                    .cgroups
                    .iter()
                    .nth(c % hier.cgroups.len())
                    .unwrap()
                    .clone();
                hier.releasable.remove(&path);
                if v {
                    hier.notify.insert(path.clone());
                } else {
                    hier.notify.remove(&path);
                }
                let id = self.cgroup_by_path(h, &path);
                let data = if v { "1" } else { "0" };
                write(&self.core, id, "notify_on_release", Pid(1), data).unwrap();
            }
            Op::Agent(h, set) => {
                let Some(hier) = &mut self.model.hiers[h] else {
                    return;
                };
                hier.agent = if set {
                    format!("/sbin/agent{h}")
                } else {
                    String::new()
                };
                let agent = hier.agent.clone();
                let top = self.core.top_cgroup(self.roots[h].unwrap()).unwrap();
                write(&self.core, top, "release_agent", Pid(1), &agent).unwrap();
            }
            Op::Drain => {
                let got: Vec<(RootId, Vec<String>)> = self
                    .core
                    .drain_release_agent()
                    .into_iter()
                    .map(|c| (c.root, c.argv))
                    .collect();
                let want: Vec<(RootId, Vec<String>)> = std::mem::take(&mut self.model.queue)
                    .into_iter()
                    .filter_map(|(h, path)| {
                        let agent = &self.model.hiers[h].as_ref().unwrap().agent;
                        (!agent.is_empty())
                            .then(|| (self.roots[h].unwrap(), vec![agent.clone(), path]))
                    })
                    .collect();
                assert_eq!(got, want);
            }
        }
    }

    fn compare(&self) {
        check(&self.core);
        let snap = self.core.snapshot();
        let live_hiers = self.model.hiers.iter().flatten().count();
        assert_eq!(snap.root_count, 1 + live_hiers);
        let queue: Vec<(RootId, String)> = snap
            .release_list
            .iter()
            .map(|id| {
                let c = snap.cgroup(*id).unwrap();
                (c.root, c.path.clone())
            })
            .collect();
        let want: Vec<(RootId, String)> = self
            .model
            .queue
            .iter()
            .map(|(h, p)| (self.roots[*h].unwrap(), p.clone()))
            .collect();
        assert_eq!(queue, want, "release_list");
        for (h, hier) in self.model.hiers.iter().enumerate() {
            let Some(hier) = hier else { continue };
            let root = self.roots[h].unwrap();
            let paths: BTreeSet<String> = snap
                .cgroups
                .iter()
                .filter(|c| c.root == root)
                .map(|c| c.path.clone())
                .collect();
            assert_eq!(paths, hier.cgroups, "hierarchy {h}");
            for c in snap.cgroups.iter().filter(|c| c.root == root) {
                let flags = (
                    c.flags & CGRP_NOTIFY_ON_RELEASE != 0,
                    c.flags & CGRP_RELEASABLE != 0,
                );
                let want = (
                    hier.notify.contains(&c.path),
                    hier.releasable.contains(&c.path),
                );
                assert_eq!(flags, want, "notify/releasable of {} in {h}", c.path);
            }
            assert_eq!(snap.root(root).unwrap().mounts, hier.mounts);
            for (&pid, path) in &hier.member {
                let c = self.core.task_cgroup(Pid(pid), root).unwrap();
                assert_eq!(self.core.cgroup_path(c).unwrap(), *path, "pid {pid} in {h}");
            }
        }
    }

    /// Undo everything: exit every task but init, move init to the top, remove every cgroup
    /// deepest first, drop every mount view. Then nothing may be left.
    fn teardown(&mut self) {
        for pid in self.model.live() {
            if pid != 1 {
                self.core.exit(Pid(pid)).unwrap();
            }
        }
        for h in 0..CONFIGS.len() {
            let Some(hier) = self.model.hiers[h].clone() else {
                continue;
            };
            let root = self.roots[h].unwrap();
            let top = self.core.top_cgroup(root).unwrap();
            self.core.attach_task(top, Pid(1)).unwrap();
            let mut paths: Vec<&String> = hier.cgroups.iter().collect();
            paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
            for p in paths {
                if p != "/" {
                    self.core.rmdir(self.cgroup_by_path(h, p)).unwrap();
                }
            }
            if hier.mounts == 0 {
                // The last rmdir killed a lingering hierarchy.
                assert_eq!(self.core.top_cgroup(root), Err(Errno::EINVAL));
            }
            for i in 0..hier.mounts {
                assert_eq!(self.core.umount(root), Ok(i + 1 == hier.mounts));
            }
        }
        check(&self.core);
        let snap = self.core.snapshot();
        assert!(
            snap.release_list.is_empty(),
            "removed cgroups leave the release list"
        );
        assert_eq!(snap.css_set_count, 1);
        assert_eq!(snap.root_count, 1);
        assert_eq!(snap.cgroups.len(), 1, "only dummytop");
        assert!(snap.subsys.iter().all(|s| s.root == RootId::ROOTNODE));
        assert_eq!(
            snap.css_sets[0].refcount, 2,
            "init's reference plus the kernel's pin"
        );
        self.core.drain_release_agent();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_match_the_model(ops in prop::collection::vec(op(), 1..60)) {
        let mut h = Harness::new();
        for op in &ops {
            h.apply(op);
            h.compare();
        }
        h.teardown();
    }
}
