//! Attaching through `tasks`, fork and exit (`kernel/cgroup.c` `attach_task_by_pid`, `cgroup_attach_task`, `cgroup_fork`, `cgroup_post_fork`, v2.6.25–v2.6.34).

use crate::common::*;

fn setup() -> (Core, MountResult, CgroupId) {
    let core = boot();
    let m = core.mount(Some("memory")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    (core, m, a)
}

#[test]
fn echo_pid_moves_the_task() {
    let (core, m, a) = setup();
    core.fork(Pid(1), Pid(100), Cred::ROOT).unwrap();
    assert_eq!(write(&core, a, "tasks", Pid(1), "100\n"), Ok(4));
    assert_eq!(tasks(&core, a), [100]);
    assert_eq!(tasks(&core, m.top), [1]);
    assert_eq!(core.proc_pid_cgroup(Pid(100)).unwrap(), "1:memory:/A\n");
    assert_eq!(core.task_cgroup(Pid(100), m.root).unwrap(), a);
    check(&core);
}

#[test]
fn zero_means_the_writer() {
    let (core, _m, a) = setup();
    core.fork(Pid(1), Pid(7), Cred::user(1000)).unwrap();
    write(&core, a, "tasks", Pid(7), "0").unwrap();
    assert_eq!(tasks(&core, a), [7]);
}

#[test]
fn attach_errors() {
    // `kernel/cgroup.c` `attach_task_by_pid`, v2.6.34.
    let (core, _m, a) = setup();
    core.fork(Pid(1), Pid(50), Cred::user(1000)).unwrap();
    core.fork(Pid(1), Pid(51), Cred::user(1001)).unwrap();
    let before = core.snapshot();
    assert_eq!(
        write(&core, a, "tasks", Pid(1), "999999"),
        Err(Errno::ESRCH)
    );
    assert_eq!(write(&core, a, "tasks", Pid(1), "x"), Err(Errno::EINVAL));
    assert_eq!(write(&core, a, "tasks", Pid(1), "1 2"), Err(Errno::EINVAL));
    assert_eq!(write(&core, a, "tasks", Pid(1), ""), Err(Errno::EINVAL));
    assert_eq!(
        write(&core, a, "tasks", Pid(1), &"1".repeat(64)),
        Err(Errno::E2BIG)
    );
    assert_eq!(write(&core, a, "tasks", Pid(51), "50"), Err(Errno::EACCES));
    assert_eq!(write(&core, a, "tasks", Pid(50), "1"), Err(Errno::EACCES));
    assert_eq!(core.snapshot(), before);
    // Same uid, or a matching saved uid, is allowed.
    core.fork(Pid(1), Pid(52), Cred::user(1000)).unwrap();
    write(&core, a, "tasks", Pid(52), "50").unwrap();
    let mut setuid = Cred::user(1001);
    setuid.suid = cgsim_ktypes::Uid(1000);
    core.set_cred(Pid(51), setuid).unwrap();
    let mut euid_only = Cred::user(1002);
    euid_only.euid = cgsim_ktypes::Uid(1000);
    core.set_cred(Pid(52), euid_only).unwrap();
    write(&core, a, "tasks", Pid(52), "51").unwrap();
    assert_eq!(tasks(&core, a), [50, 51]);
    // Exiting and exited tasks are ESRCH.
    core.set_exiting(Pid(50)).unwrap();
    assert_eq!(write(&core, a, "tasks", Pid(1), "50"), Err(Errno::ESRCH));
    core.exit(Pid(51)).unwrap();
    assert_eq!(write(&core, a, "tasks", Pid(1), "51"), Err(Errno::ESRCH));
    check(&core);
}

#[test]
fn old_tasks_write_parsing() {
    // `kernel/cgroup.c` `cgroup_tasks_write`, 2.6.25: sscanf("%d"), EIO for garbage, trailing text ignored.
    let p = CoreProfile {
        tasks_write_parse: cgsim_cgroup::profile::TasksWriteParse::SscanfEio,
        ..CoreProfile::default()
    };
    let core = boot_with(p);
    let m = core.mount(Some("memory")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    assert_eq!(write(&core, a, "tasks", Pid(1), "x"), Err(Errno::EIO));
    assert_eq!(write(&core, a, "tasks", Pid(1), "-5"), Err(Errno::ESRCH));
    assert_eq!(write(&core, a, "tasks", Pid(1), "1 2"), Ok(3));
    assert_eq!(tasks(&core, a), [1]);
}

#[test]
fn tasks_snapshot_is_taken_at_open() {
    let (core, m, a) = setup();
    core.fork(Pid(1), Pid(3), Cred::ROOT).unwrap();
    core.fork(Pid(1), Pid(2), Cred::ROOT).unwrap();
    let of = core.open(m.top, "tasks", true, false).unwrap();
    write(&core, a, "tasks", Pid(1), "2").unwrap();
    core.fork(Pid(1), Pid(4), Cred::ROOT).unwrap();
    assert_eq!(core.read_all(&of, Pid(1)).unwrap(), b"1\n2\n3\n");
    assert_eq!(tasks(&core, m.top), [1, 3, 4]);
    assert_eq!(
        read(&core, m.top, "cgroup.procs", Pid(1)).unwrap(),
        "1\n3\n4\n"
    );
    // Sorted regardless of arrival order.
    write(&core, a, "tasks", Pid(1), "4").unwrap();
    write(&core, a, "tasks", Pid(1), "3").unwrap();
    assert_eq!(tasks(&core, a), [2, 3, 4]);
}

#[test]
fn same_cgroup_attach_is_a_no_op() {
    let (core, m, _a) = setup();
    core.tracer().set_on(true);
    write(&core, m.top, "tasks", Pid(1), "1").unwrap();
    let text = cgsim_ktypes::trace::render_function_graph(&core.tracer().take());
    assert!(text.contains("cgroup_attach_task"));
    assert!(!text.contains("find_css_set"), "{text}");
}

#[test]
fn fork_inherits_and_exit_returns_to_init_css_set() {
    let (core, m, a) = setup();
    write(&core, a, "tasks", Pid(1), "1").unwrap();
    core.fork(Pid(1), Pid(2), Cred::ROOT).unwrap();
    assert_eq!(tasks(&core, a), [1, 2]);
    assert_eq!(core.task_css_set(Pid(2)).unwrap().1, 2);
    core.exit(Pid(2)).unwrap();
    assert_eq!(tasks(&core, a), [1]);
    assert_eq!(
        core.proc_pid_cgroup(Pid(2)).unwrap(),
        "1:memory:/\n",
        "zombie"
    );
    assert_eq!(core.exit(Pid(2)), Err(Errno::ESRCH));
    assert_eq!(core.fork(Pid(2), Pid(3), Cred::ROOT), Err(Errno::ESRCH));
    assert_eq!(core.fork(Pid(1), Pid(1), Cred::ROOT), Err(Errno::EEXIST));
    core.release_task(Pid(2)).unwrap();
    assert_eq!(core.proc_pid_cgroup(Pid(2)), Err(Errno::ESRCH));
    write(&core, m.top, "tasks", Pid(1), "1").unwrap();
    assert_eq!(core.snapshot().css_set_count, 1);
    check(&core);
}

#[test]
fn attach_trace_names() {
    let core = boot();
    let m = core.mount(Some("cpuset,cpu")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    write(&core, a, "cpuset.cpus", Pid(1), "0").unwrap();
    write(&core, a, "cpuset.mems", Pid(1), "0").unwrap();
    core.tracer().set_on(true);
    core.attach_task_by_pid(a, Pid(1), Pid(1)).unwrap();
    let text = cgsim_ktypes::trace::render_function_graph(&core.tracer().take());
    let order: Vec<&str> = [
        "attach_task_by_pid",
        "cgroup_attach_task",
        "cpuset_can_attach",
        "find_css_set",
        "find_existing_css_set",
        "put_css_set",
    ]
    .into_iter()
    .filter(|f| text.contains(f))
    .collect();
    assert_eq!(order.len(), 6, "{text}");
    let pos = |f: &str| text.find(f).unwrap();
    assert!(pos("cpuset_can_attach") < pos("find_css_set"));
    assert!(pos("find_existing_css_set") < pos("put_css_set"));
}

#[test]
fn written_pid_is_truncated_to_pid_t() {
    // Kernel quirk (2.6.27+): a u64 is parsed, tested against 0, then truncated to pid_t.
    let (core, _m, a) = setup();
    write(&core, a, "tasks", Pid(1), "4294967297").unwrap();
    assert_eq!(tasks(&core, a), [1]);
    assert_eq!(
        write(&core, a, "tasks", Pid(1), "4294967296"),
        Err(Errno::ESRCH)
    );
}

/// The pid table is a hash table (`crates/cgroup/src/hash.rs`, the kernel's `pid_hash`):
/// whatever lists tasks still lists them in pid order, however they were made.
#[test]
fn task_listings_stay_in_pid_order() {
    let (core, _m, a) = setup();
    let pids = [900, 3, 4096, 17, 65_000, 250, 2, 1024];
    for p in pids {
        core.fork(Pid(1), Pid(p), Cred::ROOT).unwrap();
        core.attach_task(a, Pid(p)).unwrap();
    }
    let mut sorted: Vec<Pid> = pids.iter().map(|&p| Pid(p)).chain([Pid(1)]).collect();
    sorted.sort();
    assert_eq!(core.tasks(), sorted);
    let snap: Vec<Pid> = core.snapshot().tasks.iter().map(|t| t.pid).collect();
    assert_eq!(snap, sorted);
    let mut in_a: Vec<i32> = pids.to_vec();
    in_a.sort();
    assert_eq!(tasks(&core, a), in_a);
    check(&core);
}

/// Among many cgroups with a task each (one css_set per cgroup), moving a task back and forth
/// finds the existing css_sets in the table (`find_existing_css_set`): no css_set is made or
/// freed, and the refcounts come back.
#[test]
fn attach_among_many_css_sets_reuses_them() {
    let (core, m, _a) = setup();
    let mut cg = Vec::new();
    for i in 0..2000 {
        let c = core
            .mkdir(m.top, &format!("c{i}"), 0o755, Cred::ROOT)
            .unwrap();
        core.fork(Pid(1), Pid(1000 + i), Cred::ROOT).unwrap();
        core.attach_task(c, Pid(1000 + i)).unwrap();
        cg.push(c);
    }
    core.fork(Pid(1), Pid(2), Cred::ROOT).unwrap();
    let sets = core.snapshot().css_set_count;
    let (x, y) = (cg[500], cg[1500]);
    for _ in 0..3 {
        core.attach_task(x, Pid(2)).unwrap();
        assert_eq!(
            core.task_css_set(Pid(2)).unwrap(),
            core.task_css_set(Pid(1500)).unwrap()
        );
        core.attach_task(y, Pid(2)).unwrap();
        assert_eq!(core.task_cgroup(Pid(2), m.root).unwrap(), y);
    }
    // The root's css_set (init's) is still there, and no other was made.
    assert_eq!(core.snapshot().css_set_count, sets);
    // Pid 2 shares y's css_set with y's own task: two references.
    let (set, refs) = core.task_css_set(Pid(2500)).unwrap();
    assert_eq!((core.task_css_set(Pid(2)).unwrap(), refs), ((set, 2), 2));
    check(&core);
}
