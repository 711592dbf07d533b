//! The object graph the `dot` views draw, through `snapshot()`, and concurrent use.

use crate::common::*;
use std::sync::Arc;

#[test]
fn two_hierarchies_three_css_sets() {
    // Hierarchy 1: cpu,cpuacct with /A; hierarchy 2: memory with /M.
    let core = boot();
    let h1 = core.mount(Some("cpu,cpuacct")).unwrap();
    let h2 = core.mount(Some("memory")).unwrap();
    let a = core.mkdir(h1.top, "A", 0o755, Cred::ROOT).unwrap();
    let m = core.mkdir(h2.top, "M", 0o755, Cred::ROOT).unwrap();
    core.fork(Pid(1), Pid(2), Cred::ROOT).unwrap();
    core.fork(Pid(1), Pid(3), Cred::ROOT).unwrap();
    core.attach_task(a, Pid(2)).unwrap();
    core.attach_task(a, Pid(3)).unwrap();
    core.attach_task(m, Pid(3)).unwrap();
    let snap = core.snapshot();
    assert_eq!(snap.css_set_count, 3);
    assert_eq!(snap.root_count, 3);
    let by_tasks: Vec<(Vec<Pid>, usize, Vec<CgroupId>)> = snap
        .css_sets
        .iter()
        .map(|s| (s.tasks.clone(), s.refcount, s.links.clone()))
        .collect();
    assert!(by_tasks.contains(&(vec![Pid(1)], 2, vec![snap.dummytop, h1.top, h2.top])));
    assert!(by_tasks.contains(&(vec![Pid(2)], 1, vec![snap.dummytop, a, h2.top])));
    assert!(by_tasks.contains(&(vec![Pid(3)], 1, vec![snap.dummytop, a, m])));
    let ca = snap.cgroup(a).unwrap();
    assert_eq!((ca.count, ca.path.as_str()), (2, "/A"));
    assert_eq!(ca.css[subsys_ids::CPU].as_ref().unwrap().cgroup, a);
    assert!(ca.css[subsys_ids::MEMORY].is_none());
    // The root css of memory moved from dummytop to h2's top (css->cgroup re-pointed).
    let dummy = snap.cgroup(snap.dummytop).unwrap();
    assert_eq!(
        dummy.css[subsys_ids::MEMORY].as_ref().unwrap().cgroup,
        h2.top
    );
    assert_eq!(
        dummy.css[subsys_ids::CPUSET].as_ref().unwrap().cgroup,
        snap.dummytop
    );
    assert_eq!(
        snap.roots[0].subsys_list,
        [2, 1, 0],
        "unbound subsystems stay on rootnode (2.6.34)"
    );
    assert_eq!(core.task_count(a).unwrap(), 2);
    assert_eq!(core.cgroup_tasks(a).unwrap(), [Pid(2), Pid(3)]);
    check(&core);
}

#[test]
fn core_is_send_and_sync_and_survives_threads() {
    fn assert_send_sync<X: Send + Sync>() {}
    assert_send_sync::<Core>();
    let core = Arc::new(boot());
    let m = core.mount(Some("cpu,memory")).unwrap();
    let dirs: Vec<CgroupId> = (0..4)
        .map(|i| {
            core.mkdir(m.top, &format!("g{i}"), 0o755, Cred::ROOT)
                .unwrap()
        })
        .collect();
    std::thread::scope(|s| {
        for t in 0..4i32 {
            let core = core.clone();
            let dirs = dirs.clone();
            s.spawn(move || {
                for k in 0..50i32 {
                    let pid = Pid(1000 + t * 100 + k);
                    core.fork(Pid(1), pid, Cred::ROOT).unwrap();
                    core.attach_task(dirs[(k as usize) % 4], pid).unwrap();
                    if k % 3 == 0 {
                        core.exit(pid).unwrap();
                    }
                }
            });
        }
    });
    check(&core);
    let live: usize = dirs
        .iter()
        .map(|&d| core.cgroup_tasks(d).unwrap().len())
        .sum();
    assert_eq!(live, 4 * (50 - 17));
}
