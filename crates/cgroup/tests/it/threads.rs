//! Thread groups (`CLONE_THREAD`): `tasks` and `cgroup.threads` list thread ids,
//! `cgroup.procs` thread-group ids; a `cgroup.procs` write moves the whole group, a `tasks` or
//! `cgroup.threads` write one thread (`kernel/cgroup.c` v2.6.35 `pidlist_array_load`, v3.10
//! `attach_task_by_pid`; `kernel/cgroup/cgroup.c` v6.6 `cgroup_procs_write_start`,
//! `cgroup_attach_permissions`, `css_task_iter_advance`).

use crate::common::*;
use cgsim_cgroup::profile::BaseFiles;

fn boot_6_6() -> Core {
    boot_with(CoreProfile {
        cgroup2: Cgroup2::V6_6,
        rmdir_css_refs: cgsim_cgroup::profile::RmdirCssRefs::Ignore,
        base_files: BaseFiles::V3_10,
        ..CoreProfile::default()
    })
}

fn lines(core: &Core, cgrp: CgroupId, name: &str) -> Vec<i32> {
    read(core, cgrp, name, Pid(1))
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect()
}

/// Process 2 with threads 3 and 4.
fn group(core: &Core) {
    core.fork(Pid(1), Pid(2), Cred::ROOT).unwrap();
    core.clone_thread(Pid(2), Pid(3), Cred::ROOT).unwrap();
    // A thread made by a thread joins the same group.
    core.clone_thread(Pid(3), Pid(4), Cred::ROOT).unwrap();
    assert_eq!(core.task_tgid(Pid(4)).unwrap(), Pid(2));
    assert_eq!(core.thread_group(Pid(2)), [Pid(2), Pid(3), Pid(4)]);
    assert!(core.thread_group(Pid(3)).is_empty());
}

#[test]
fn v1_tasks_move_one_thread_and_procs_lists_groups() {
    let core = boot();
    let m = core.mount(Some("memory")).unwrap();
    group(&core);
    let a = core.mkdir(m.top, "a", 0o755, Cred::ROOT).unwrap();
    write(&core, a, "tasks", Pid(1), "3").unwrap();
    assert_eq!(tasks(&core, a), [3]);
    // 2.6.35: the process of a thread shows in cgroup.procs wherever one of its threads is.
    assert_eq!(lines(&core, a, "cgroup.procs"), [2]);
    assert_eq!(tasks(&core, m.top), [1, 2, 4]);
    assert_eq!(lines(&core, m.top, "cgroup.procs"), [1, 2]);
    // cgroup.procs is read-only before 3.0.
    assert_eq!(
        write(&core, a, "cgroup.procs", Pid(1), "2"),
        Err(Errno::EINVAL)
    );
    assert_eq!(core.proc_pid_cgroup(Pid(3)).unwrap(), "1:memory:/a\n");
    assert_eq!(core.proc_pid_cgroup(Pid(2)).unwrap(), "1:memory:/\n");
    check(&core);
}

#[test]
fn v1_procs_write_moves_the_group_from_3_0() {
    let core = boot_with(CoreProfile {
        base_files: BaseFiles::V3_10,
        ..CoreProfile::default()
    });
    let m = core.mount(Some("memory")).unwrap();
    group(&core);
    let a = core.mkdir(m.top, "a", 0o755, Cred::ROOT).unwrap();
    assert!(files(&core, a).contains(&("cgroup.procs".to_string(), 0o644)));
    // Any thread's id names the group (`tsk = tsk->group_leader`).
    write(&core, a, "cgroup.procs", Pid(1), "4").unwrap();
    assert_eq!(tasks(&core, a), [2, 3, 4]);
    assert_eq!(lines(&core, a, "cgroup.procs"), [2]);
    assert_eq!(tasks(&core, m.top), [1]);
    check(&core);
}

#[test]
fn v2_threads_move_alone_within_a_threaded_subtree() {
    let core = boot_6_6();
    let m = core.mount_dfl(None).unwrap();
    let dom = core.mkdir(m.top, "cg_dom", 0o755, Cred::ROOT).unwrap();
    let src = core.mkdir(dom, "cg_src", 0o755, Cred::ROOT).unwrap();
    let dst = core.mkdir(dom, "cg_dst", 0o755, Cred::ROOT).unwrap();
    let other = core.mkdir(m.top, "other", 0o755, Cred::ROOT).unwrap();
    write(&core, src, "cgroup.type", Pid(1), "threaded").unwrap();
    write(&core, dst, "cgroup.type", Pid(1), "threaded").unwrap();
    group(&core);
    write(&core, src, "cgroup.procs", Pid(1), "2").unwrap();
    assert_eq!(lines(&core, src, "cgroup.threads"), [2, 3, 4]);
    assert_eq!(lines(&core, dom, "cgroup.procs"), [2]);
    // test_cgcore_thread_migration: one thread goes back and forth, the rest stay.
    for i in 0..10 {
        let (to, path) = if i % 2 == 0 {
            (dst, "/cg_dom/cg_dst")
        } else {
            (src, "/cg_dom/cg_src")
        };
        write(&core, to, "cgroup.threads", Pid(1), "3").unwrap();
        assert_eq!(
            core.proc_pid_cgroup(Pid(3)).unwrap(),
            format!("0::{path}\n")
        );
    }
    assert_eq!(core.proc_pid_cgroup(Pid(2)).unwrap(), "0::/cg_dom/cg_src\n");
    assert_eq!(lines(&core, src, "cgroup.threads"), [2, 3, 4]);
    write(&core, dst, "cgroup.threads", Pid(1), "4").unwrap();
    assert_eq!(lines(&core, dst, "cgroup.threads"), [4]);
    // A threaded cgroup's cgroup.procs cannot be read; the thread root lists the process.
    assert_eq!(
        read(&core, dst, "cgroup.procs", Pid(1)),
        Err(Errno::EOPNOTSUPP)
    );
    assert_eq!(lines(&core, dom, "cgroup.procs"), [2]);
    // Out of the domain, a thread alone cannot go (EOPNOTSUPP); the process can.
    assert_eq!(
        write(&core, other, "cgroup.threads", Pid(1), "3"),
        Err(Errno::EOPNOTSUPP)
    );
    write(&core, other, "cgroup.procs", Pid(1), "3").unwrap();
    assert_eq!(lines(&core, other, "cgroup.threads"), [2, 3, 4]);
    assert_eq!(lines(&core, other, "cgroup.procs"), [2]);
    assert_eq!(lines(&core, dom, "cgroup.threads"), Vec::<i32>::new());
    check(&core);
}

#[test]
fn v2_a_dying_leader_stays_listed_while_its_threads_live() {
    let core = boot_6_6();
    let m = core.mount_dfl(None).unwrap();
    let a = core.mkdir(m.top, "a", 0o755, Cred::ROOT).unwrap();
    group(&core);
    write(&core, a, "cgroup.procs", Pid(1), "2").unwrap();
    // The leader leaves (pthread_exit in main): its threads keep the group.
    core.exit(Pid(2)).unwrap();
    assert_eq!(lines(&core, a, "cgroup.procs"), [2]);
    assert_eq!(lines(&core, a, "cgroup.threads"), [3, 4]);
    assert_eq!(core.release_task(Pid(2)), Err(Errno::EBUSY));
    // The group still moves by its leader's id, from the cgroup the leader died in.
    let b = core.mkdir(m.top, "b", 0o755, Cred::ROOT).unwrap();
    write(&core, b, "cgroup.procs", Pid(1), "2").unwrap();
    assert_eq!(lines(&core, b, "cgroup.threads"), [3, 4]);
    assert_eq!(lines(&core, a, "cgroup.procs"), [2]);
    assert_eq!(lines(&core, b, "cgroup.procs"), Vec::<i32>::new());
    for t in [3, 4] {
        core.exit(Pid(t)).unwrap();
        core.release_task(Pid(t)).unwrap();
    }
    assert_eq!(lines(&core, a, "cgroup.procs"), Vec::<i32>::new());
    // The dead group's leader is a zombie until released: 6.6's cgroup_procs_write_start still
    // finds it, and the migration skips it (PF_EXITING): the write succeeds, nothing moves.
    assert_eq!(write(&core, b, "cgroup.procs", Pid(1), "2"), Ok(1));
    assert_eq!(lines(&core, b, "cgroup.procs"), Vec::<i32>::new());
    core.release_task(Pid(2)).unwrap();
    assert_eq!(
        write(&core, b, "cgroup.procs", Pid(1), "2"),
        Err(Errno::ESRCH)
    );
    check(&core);
}

#[test]
fn v2_a_leader_that_died_in_a_removed_cgroup_still_names_its_group() {
    let core = boot_6_6();
    let m = core.mount_dfl(None).unwrap();
    let a = core.mkdir(m.top, "a", 0o755, Cred::ROOT).unwrap();
    let b = core.mkdir(m.top, "b", 0o755, Cred::ROOT).unwrap();
    group(&core);
    write(&core, a, "cgroup.procs", Pid(1), "2").unwrap();
    core.exit(Pid(2)).unwrap();
    write(&core, b, "cgroup.procs", Pid(1), "2").unwrap();
    // `a` holds only the dead leader: not populated, so it can go.
    assert_eq!(
        read(&core, a, "cgroup.events", Pid(1)).unwrap(),
        "populated 0\nfrozen 0\n"
    );
    core.rmdir(a).unwrap();
    let c = core.mkdir(m.top, "c", 0o755, Cred::ROOT).unwrap();
    write(&core, c, "cgroup.procs", Pid(1), "2").unwrap();
    assert_eq!(lines(&core, c, "cgroup.threads"), [3, 4]);
    check(&core);
}

#[test]
fn v2_cgroup_kill_names_processes_by_their_leaders() {
    let core = boot_6_6();
    let m = core.mount_dfl(None).unwrap();
    let dom = core.mkdir(m.top, "dom", 0o755, Cred::ROOT).unwrap();
    let t = core.mkdir(dom, "t", 0o755, Cred::ROOT).unwrap();
    write(&core, t, "cgroup.type", Pid(1), "threaded").unwrap();
    group(&core);
    write(&core, dom, "cgroup.procs", Pid(1), "2").unwrap();
    write(&core, t, "cgroup.threads", Pid(1), "3").unwrap();
    // Only a thread of the process is in `t`: cgroup.kill there names no process.
    write(&core, t, "cgroup.kill", Pid(1), "1").unwrap();
    assert!(core.drain_cgroup_kill().is_empty());
    write(&core, dom, "cgroup.kill", Pid(1), "1").unwrap();
    assert_eq!(core.drain_cgroup_kill(), [Pid(2)]);
    // A leader that exited in `dom` still names its group.
    core.exit(Pid(2)).unwrap();
    write(&core, dom, "cgroup.kill", Pid(1), "1").unwrap();
    assert_eq!(core.drain_cgroup_kill(), [Pid(2)]);
    check(&core);
}
