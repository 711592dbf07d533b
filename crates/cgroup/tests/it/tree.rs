//! mkdir and rmdir (`kernel/cgroup.c` `cgroup_create`, `cgroup_rmdir`, v2.6.34; `mm/memcontrol.c` `mem_cgroup_write`, v2.6.34).

use crate::common::*;

#[test]
fn mkdir_makes_a_populated_child() {
    let core = boot();
    let m = core.mount(Some("cpu")).unwrap();
    let a = core.mkdir(m.top, "A", 0o750, Cred::user(1000)).unwrap();
    let names: Vec<String> = files(&core, a).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "tasks",
            "cgroup.procs",
            "notify_on_release",
            "cgroup.event_control",
            "cpu.shares"
        ]
    );
    let d = core.dir_info(a).unwrap();
    assert_eq!((d.mode, d.uid, d.gid), (0o750, 1000, 1000));
    match core.lookup(a, "cpu.shares").unwrap() {
        Dentry::File(f) => assert_eq!((f.mode, f.uid, f.subsys_id), (0o644, 1000, Some(3))),
        Dentry::Dir(_) => panic!("a file"),
    }
    assert_eq!(core.cgroup_path(a).unwrap(), "/A");
    let b = core.mkdir(a, "B", 0o755, Cred::ROOT).unwrap();
    assert_eq!(core.cgroup_path(b).unwrap(), "/A/B");
    assert_eq!(core.snapshot().root(m.root).unwrap().number_of_cgroups, 3);
    check(&core);
}

#[test]
fn new_children_go_to_the_head() {
    let core = boot();
    let m = core.mount(Some("cpu")).unwrap();
    for n in ["a", "b", "c"] {
        core.mkdir(m.top, n, 0o755, Cred::ROOT).unwrap();
    }
    assert_eq!(dirs(&core, m.top), ["c", "b", "a"]);
}

#[test]
fn mkdir_errors_leave_state_unchanged() {
    let core = boot();
    let m = core.mount(Some("cpu")).unwrap();
    core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    let before = core.snapshot();
    for (name, e) in [
        ("A", Errno::EEXIST),
        ("tasks", Errno::EEXIST),
        ("cpu.shares", Errno::EEXIST),
        (".", Errno::EEXIST),
        ("", Errno::ENOENT),
        ("a/b", Errno::EINVAL),
    ] {
        assert_eq!(
            core.mkdir(m.top, name, 0o755, Cred::ROOT),
            Err(e),
            "{name:?}"
        );
    }
    assert_eq!(
        core.mkdir(m.top, &"x".repeat(256), 0o755, Cred::ROOT),
        Err(Errno::ENAMETOOLONG)
    );
    assert_eq!(core.snapshot(), before);
}

#[test]
fn rmdir_rules() {
    // `kernel/cgroup.c` `cgroup_rmdir`, v2.6.34.
    let core = boot();
    let m = core.mount(Some("cpu")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    write(&core, a, "tasks", Pid(1), "1").unwrap();
    assert_eq!(core.rmdir(a), Err(Errno::EBUSY), "a task is attached");
    write(&core, m.top, "tasks", Pid(1), "1").unwrap();
    let b = core.mkdir(a, "B", 0o755, Cred::ROOT).unwrap();
    assert_eq!(core.rmdir(a), Err(Errno::EBUSY), "a child exists");
    core.rmdir(b).unwrap();
    core.rmdir(a).unwrap();
    assert_eq!(core.rmdir(m.top), Err(Errno::EBUSY), "a mount point");
    assert_eq!(core.rmdir(a), Err(Errno::ENOENT), "stale id");
    assert!(core.is_removed(a));
    assert_eq!(core.cgroup_path(a), Err(Errno::ENODEV));
    assert_eq!(core.mkdir(a, "C", 0o755, Cred::ROOT), Err(Errno::ENODEV));
    let snap = core.snapshot();
    assert_eq!(snap.root(m.root).unwrap().number_of_cgroups, 1);
    assert_eq!(snap.css_set_count, 1, "A's css_set died with its last task");
    check(&core);
}

#[test]
fn css_references_block_rmdir_until_put() {
    let core = boot();
    let m = core.mount(Some("cpu")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    let css = core.cgroup_css(a, subsys_ids::CPU).unwrap().unwrap();
    css.get();
    assert_eq!(css.refcnt(), 2, "base 1 (2.6.29+) plus ours");
    assert_eq!(core.rmdir(a), Err(Errno::EBUSY));
    css.put().unwrap();
    core.rmdir(a).unwrap();
    assert!(css.is_removed());
    assert!(
        css.private::<cgsim_cgroup::subsys::cpu::TaskGroup>()
            .is_none(),
        "destroyed"
    );

    let p = CoreProfile {
        rmdir_css_refs: cgsim_cgroup::profile::RmdirCssRefs::Ignore,
        ..CoreProfile::default()
    };
    let core = boot_with(p);
    let m = core.mount(Some("cpu")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    core.cgroup_css(a, subsys_ids::CPU).unwrap().unwrap().get();
    core.rmdir(a).unwrap();
}

#[test]
fn root_css_get_put_are_noops() {
    let core = boot();
    let m = core.mount(Some("cpu")).unwrap();
    let css = core.cgroup_css(m.top, subsys_ids::CPU).unwrap().unwrap();
    assert!(css.is_root());
    css.get();
    assert_eq!(css.refcnt(), 1);
    css.put().unwrap();
    assert_eq!(css.refcnt(), 1);
}

#[test]
fn refcnt_base_switch() {
    let core = boot_with(CoreProfile::v2_6_25());
    let m = core.mount(Some("cpu")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    let css = core.cgroup_css(a, subsys_ids::CPU).unwrap().unwrap();
    assert_eq!(css.refcnt(), 0);
    assert_eq!(css.put(), Err(Errno::EINVAL), "underflow is refused");
    assert_eq!(css.refcnt(), 0);
    // 2.6.25 base files and modes.
    let names: Vec<(String, u32)> = files(&core, a);
    assert_eq!(
        names,
        [
            ("tasks".to_string(), 0o644),
            ("notify_on_release".to_string(), 0o644),
            ("releasable".to_string(), 0o644),
            ("cpu.shares".to_string(), 0o644),
        ]
    );
}

#[test]
fn cpuset_children_start_empty() {
    // `kernel/cpuset.c` `cpuset_can_attach`, v2.6.25: attaching to a fresh cpuset is ENOSPC until cpus and mems are set.
    let core = boot();
    let m = core.mount(Some("cpuset")).unwrap();
    assert_eq!(read(&core, m.top, "cpuset.cpus", Pid(1)).unwrap(), "0-1\n");
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    assert_eq!(write(&core, a, "tasks", Pid(1), "1"), Err(Errno::ENOSPC));
    assert_eq!(
        write(&core, a, "cpuset.cpus", Pid(1), "0-2"),
        Err(Errno::EINVAL)
    );
    write(&core, a, "cpuset.cpus", Pid(1), "1").unwrap();
    write(&core, a, "cpuset.mems", Pid(1), "0").unwrap();
    write(&core, a, "tasks", Pid(1), "1").unwrap();
    assert_eq!(tasks(&core, a), [1]);
    check(&core);
}

#[test]
fn setattr_changes_modes_and_owners() {
    let core = boot();
    let m = core.mount(Some("cpu")).unwrap();
    let a = core.mkdir(m.top, "A", 0o755, Cred::ROOT).unwrap();
    core.setattr(a, None, Some(0o40775), Some(1000), None)
        .unwrap();
    core.setattr(a, Some("tasks"), None, Some(1000), Some(1000))
        .unwrap();
    let d = core.dir_info(a).unwrap();
    assert_eq!((d.mode, d.uid, d.gid), (0o775, 1000, 0));
    match core.lookup(a, "tasks").unwrap() {
        Dentry::File(f) => assert_eq!((f.mode, f.uid, f.gid), (0o644, 1000, 1000)),
        Dentry::Dir(_) => panic!("a file"),
    }
    assert_eq!(
        core.setattr(a, Some("nope"), Some(0), None, None),
        Err(Errno::ENOENT)
    );
    core.rmdir(a).unwrap();
    assert_eq!(
        core.setattr(a, None, Some(0), None, None),
        Err(Errno::ENOENT)
    );
}
