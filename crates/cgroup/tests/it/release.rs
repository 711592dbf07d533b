//! notify_on_release and the release agent (`kernel/cgroup.c` `check_for_release`, `cgroup_release_agent`, v2.6.25–v2.6.34).

use crate::common::*;

fn agent_setup() -> (Core, MountResult, CgroupId) {
    let core = boot();
    let m = core.mount(Some("memory")).unwrap();
    write(&core, m.top, "release_agent", Pid(1), "/sbin/agent").unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    write(&core, a, "notify_on_release", Pid(1), "1").unwrap();
    (core, m, a)
}

#[test]
fn last_task_leaving_runs_the_agent() {
    // `kernel/cgroup.c` `check_for_release`, `cgroup_release_agent`, v2.6.34.
    let (core, m, a) = agent_setup();
    core.fork(Pid(1), Pid(10), Cred::ROOT).unwrap();
    write(&core, a, "tasks", Pid(1), "10").unwrap();
    assert!(core.drain_release_agent().is_empty());
    write(&core, m.top, "tasks", Pid(1), "10").unwrap();
    let calls = core.drain_release_agent();
    assert_eq!(
        calls,
        [ReleaseAgentCall {
            root: m.root,
            hierarchy_id: 1,
            argv: vec!["/sbin/agent".to_string(), "/A".to_string()],
            envp: vec![
                "HOME=/".to_string(),
                "PATH=/sbin:/bin:/usr/sbin:/usr/bin".to_string()
            ],
        }]
    );
    assert!(core.drain_release_agent().is_empty(), "drained");
    // The cgroup is not removed by the kernel; the agent would rmdir it.
    core.rmdir(a).unwrap();
    check(&core);
}

#[test]
fn exit_of_the_last_task_runs_the_agent() {
    let (core, _m, a) = agent_setup();
    core.fork(Pid(1), Pid(10), Cred::ROOT).unwrap();
    write(&core, a, "tasks", Pid(1), "10").unwrap();
    core.exit(Pid(10)).unwrap();
    let calls = core.drain_release_agent();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].argv[1], "/A");
}

#[test]
fn no_agent_without_notify_on_release_or_with_children() {
    let (core, m, a) = agent_setup();
    let b = core.mkdir(a, "B", 0o755, Cred::ROOT).unwrap();
    write(&core, b, "notify_on_release", Pid(1), "0").unwrap();
    core.fork(Pid(1), Pid(10), Cred::ROOT).unwrap();
    write(&core, b, "tasks", Pid(1), "10").unwrap();
    write(&core, m.top, "tasks", Pid(1), "10").unwrap();
    assert!(
        core.drain_release_agent().is_empty(),
        "B has notify_on_release 0"
    );
    // Removing the last child of A (no tasks) releases A.
    core.rmdir(b).unwrap();
    let calls = core.drain_release_agent();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].argv[1], "/A");
}

#[test]
fn most_recently_queued_first_and_empty_agent() {
    let (core, m, a) = agent_setup();
    let b = core.mkdir(m.top, "B", 0o755, Cred::ROOT).unwrap();
    write(&core, b, "notify_on_release", Pid(1), "1").unwrap();
    core.fork(Pid(1), Pid(10), Cred::ROOT).unwrap();
    core.fork(Pid(1), Pid(11), Cred::ROOT).unwrap();
    write(&core, a, "tasks", Pid(1), "10").unwrap();
    write(&core, b, "tasks", Pid(1), "11").unwrap();
    core.exit(Pid(10)).unwrap();
    core.exit(Pid(11)).unwrap();
    let paths: Vec<String> = core
        .drain_release_agent()
        .into_iter()
        .map(|c| c.argv[1].clone())
        .collect();
    assert_eq!(paths, ["/B", "/A"]);
    // With an empty agent nothing runs, and the list is still consumed.
    write(&core, m.top, "release_agent", Pid(1), "").unwrap();
    core.fork(Pid(1), Pid(12), Cred::ROOT).unwrap();
    write(&core, a, "tasks", Pid(1), "12").unwrap();
    core.exit(Pid(12)).unwrap();
    assert_eq!(core.snapshot().release_list, [a]);
    assert!(core.drain_release_agent().is_empty());
    assert!(core.snapshot().release_list.is_empty());
}

#[test]
fn rmdir_removes_a_queued_cgroup() {
    let (core, _m, a) = agent_setup();
    core.fork(Pid(1), Pid(10), Cred::ROOT).unwrap();
    write(&core, a, "tasks", Pid(1), "10").unwrap();
    core.exit(Pid(10)).unwrap();
    assert_eq!(core.snapshot().release_list, [a]);
    core.rmdir(a).unwrap();
    assert!(core.drain_release_agent().is_empty());
}

#[test]
fn css_put_to_base_checks_release() {
    // `kernel/cgroup.c`, v2.6.25: __css_put reaching "no references" sets RELEASABLE and checks.
    let (core, _m, a) = agent_setup();
    let css = core.cgroup_css(a, subsys_ids::MEMORY).unwrap().unwrap();
    css.get();
    core.fork(Pid(1), Pid(10), Cred::ROOT).unwrap();
    write(&core, a, "tasks", Pid(1), "10").unwrap();
    core.exit(Pid(10)).unwrap();
    assert!(
        core.drain_release_agent().is_empty(),
        "a css reference holds A"
    );
    css.put().unwrap();
    let calls = core.drain_release_agent();
    assert_eq!(calls.len(), 1);
}
