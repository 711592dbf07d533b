//! Threads through the Kernel (`kernel/fork.c` `copy_process` with `CLONE_THREAD`,
//! `kernel/exit.c` `do_exit`/`do_group_exit`/`delay_group_leader`, `fs/proc/base.c`
//! `/proc/PID/task`): the cgroup files, `/proc`, signals and the exit of the leader.

use crate::{INIT, cat, echo, errno};
use cgsim_cgroupfs::{BootParams, Kernel, Signal, WaitStatus};
use cgsim_ktypes::Errno;
use std::sync::Arc;

fn boot_6_6() -> Arc<Kernel> {
    let k = Kernel::boot(BootParams::kernel("6.6").expect("a preset"));
    k.mkdir(INIT, "/cg", 0o755).unwrap();
    k.mount(INIT, "none", "/cg", "cgroup2", false, None)
        .unwrap();
    k
}

fn names(k: &Kernel, path: &str) -> Vec<String> {
    k.readdir(INIT, path)
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect()
}

#[test]
fn threads_show_in_proc_and_move_through_cgroup_threads() {
    let k = boot_6_6();
    let p = k.fork(INIT).unwrap();
    let t1 = k.clone_thread(p).unwrap();
    let t2 = k.clone_thread(t1).unwrap();
    assert_eq!(k.thread_group(t2).unwrap(), [p, t1, t2]);
    assert_eq!(k.tgid(t2).unwrap(), p);
    // /proc lists the process, not its threads; each thread has its directory anyway.
    let root = names(&k, "/proc");
    assert!(root.contains(&p.0.to_string()));
    assert!(!root.contains(&t1.0.to_string()));
    let mut task = names(&k, &format!("/proc/{p}/task"));
    task.sort();
    let mut want = vec![p.0.to_string(), t1.0.to_string(), t2.0.to_string()];
    want.sort();
    assert_eq!(task, want);
    let status = cat(&k, INIT, &format!("/proc/{p}/task/{t1}/status")).unwrap();
    assert!(
        status.contains(&format!("Tgid:\t{p}\nPid:\t{t1}\n")),
        "{status}"
    );
    assert_eq!(
        errno(k.read_file(INIT, &format!("/proc/{t1}/task/999/status"))),
        Some(Errno::ENOENT)
    );
    assert!(k.ps().iter().all(|i| i.pid != t1 && i.pid != t2));

    for d in ["/cg/dom", "/cg/dom/src", "/cg/dom/dst"] {
        k.mkdir(INIT, d, 0o755).unwrap();
    }
    echo(&k, INIT, "/cg/dom/src/cgroup.type", "threaded").unwrap();
    echo(&k, INIT, "/cg/dom/dst/cgroup.type", "threaded").unwrap();
    echo(&k, INIT, "/cg/dom/src/cgroup.procs", &t2.to_string()).unwrap();
    let all = format!("{p}\n{t1}\n{t2}\n");
    assert_eq!(cat(&k, INIT, "/cg/dom/src/cgroup.threads").unwrap(), all);
    echo(&k, INIT, "/cg/dom/dst/cgroup.threads", &t1.to_string()).unwrap();
    assert_eq!(
        cat(&k, INIT, &format!("/proc/{p}/task/{t1}/cgroup")).unwrap(),
        "0::/dom/dst\n"
    );
    assert_eq!(
        cat(&k, INIT, &format!("/proc/{p}/cgroup")).unwrap(),
        "0::/dom/src\n"
    );
    assert_eq!(
        cat(&k, INIT, "/cg/dom/cgroup.procs").unwrap(),
        format!("{p}\n")
    );
    k.check_invariants();

    // A signal to any thread is for the group: all of it dies, and the parent reaps the leader.
    k.kill(INIT, t2, Signal::SIGTERM).unwrap();
    k.run_until_idle();
    assert_eq!(
        k.waitpid(INIT, Some(p)).unwrap(),
        Some((p, WaitStatus::Signaled(Signal::SIGTERM)))
    );
    assert_eq!(cat(&k, INIT, "/cg/dom/dst/cgroup.threads").unwrap(), "");
    assert_eq!(
        cat(&k, INIT, "/cg/dom/cgroup.events").unwrap(),
        "populated 0\nfrozen 0\n"
    );
    assert!(k.tgid(t1).is_err());
    k.check_invariants();
}

#[test]
fn the_leader_exits_before_its_threads() {
    let k = boot_6_6();
    k.mkdir(INIT, "/cg/a", 0o755).unwrap();
    let p = k.fork(INIT).unwrap();
    echo(&k, INIT, "/cg/a/cgroup.procs", &p.to_string()).unwrap();
    let t = k.clone_thread(p).unwrap();
    k.exit_thread(p, 3);
    // The leader is a zombie the parent cannot reap yet; cgroup.procs still lists it.
    assert_eq!(k.waitpid(INIT, Some(p)).unwrap(), None);
    assert!(
        cat(&k, INIT, &format!("/proc/{p}/status"))
            .unwrap()
            .contains("Z (zombie)")
    );
    assert_eq!(
        cat(&k, INIT, "/cg/a/cgroup.procs").unwrap(),
        format!("{p}\n")
    );
    assert_eq!(
        cat(&k, INIT, "/cg/a/cgroup.threads").unwrap(),
        format!("{t}\n")
    );
    assert_eq!(
        cat(&k, INIT, "/cg/a/cgroup.events").unwrap(),
        "populated 1\nfrozen 0\n"
    );
    k.check_invariants();
    // The last thread's exit ends the process with the leader's status.
    k.exit_thread(t, 0);
    assert_eq!(cat(&k, INIT, "/cg/a/cgroup.procs").unwrap(), "");
    assert_eq!(
        cat(&k, INIT, "/cg/a/cgroup.events").unwrap(),
        "populated 0\nfrozen 0\n"
    );
    assert_eq!(
        k.waitpid(INIT, Some(p)).unwrap(),
        Some((p, WaitStatus::Exited(3)))
    );
    k.check_invariants();
}

#[test]
fn v1_tasks_and_procs_on_3_10() {
    let k = Kernel::boot(BootParams::kernel("3.10").expect("a preset"));
    k.mkdir(INIT, "/cg", 0o755).unwrap();
    k.mount(INIT, "none", "/cg", "cgroup", false, Some("memory"))
        .unwrap();
    k.mkdir(INIT, "/cg/a", 0o755).unwrap();
    let p = k.fork(INIT).unwrap();
    let t = k.clone_thread(p).unwrap();
    echo(&k, INIT, "/cg/a/tasks", &t.to_string()).unwrap();
    assert_eq!(cat(&k, INIT, "/cg/a/tasks").unwrap(), format!("{t}\n"));
    assert_eq!(
        cat(&k, INIT, "/cg/a/cgroup.procs").unwrap(),
        format!("{p}\n")
    );
    echo(&k, INIT, "/cg/a/cgroup.procs", &p.to_string()).unwrap();
    assert_eq!(cat(&k, INIT, "/cg/a/tasks").unwrap(), format!("{p}\n{t}\n"));
    // Exit of a thread alone leaves the process.
    k.exit_thread(t, 0);
    assert_eq!(cat(&k, INIT, "/cg/a/tasks").unwrap(), format!("{p}\n"));
    k.check_invariants();
}

#[test]
fn a_child_forked_by_a_thread_outlives_the_thread() {
    let k = boot_6_6();
    let p = k.fork(INIT).unwrap();
    let t = k.clone_thread(p).unwrap();
    let c = k.fork(t).unwrap();
    // getppid names the parent thread's process.
    assert_eq!(k.getppid(c).unwrap(), p);
    k.exit_thread(t, 0);
    // The thread's child now belongs to the thread group's leader.
    assert_eq!(k.getppid(c).unwrap(), p);
    k.check_invariants();
    k.exit(c, 7);
    assert_eq!(
        k.waitpid(p, Some(c)).unwrap(),
        Some((c, WaitStatus::Exited(7)))
    );
    k.check_invariants();
}

/// `/proc/PID/stat` fields 14 and 15 (`utime`, `stime`), in clock ticks.
fn stat_times(k: &Kernel, path: &str) -> (u64, u64) {
    let text = cat(k, INIT, path).unwrap();
    // The fields after `(comm)`: state is field 3, utime field 14.
    let rest = &text[text.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    (f[11].parse().unwrap(), f[12].parse().unwrap())
}

/// Kernel (`fs/proc/array.c` `do_task_stat`, v2.6.35 to v6.6): `/proc/PID/stat` is
/// `proc_tgid_stat` (`whole`: the thread group's times, its live threads' with
/// `thread_group_cputime_adjusted` and the exited ones' from `signal`), and so is `/proc/TID/stat`
/// of a thread; `/proc/PID/task/TID/stat` is `proc_tid_stat` (that thread's own).
#[test]
fn proc_pid_stat_sums_the_thread_group() {
    let k = Kernel::boot(BootParams::default());
    let p = k.fork(INIT).unwrap();
    let t1 = k.clone_thread(p).unwrap();
    let t2 = k.clone_thread(p).unwrap();
    let tick = 10_000_000; // USER_HZ 100
    let (u0, s0) = stat_times(&k, &format!("/proc/{p}/task/{p}/stat"));
    k.cpu_charge(t1, 3 * tick, 2 * tick);
    k.cpu_charge(t2, 5 * tick, 0);
    assert_eq!(stat_times(&k, &format!("/proc/{p}/task/{t1}/stat")), (3, 2));
    assert_eq!(stat_times(&k, &format!("/proc/{p}/task/{t2}/stat")), (5, 0));
    assert_eq!(
        stat_times(&k, &format!("/proc/{p}/task/{p}/stat")),
        (u0, s0)
    );
    let whole = (u0 + 8, s0 + 2);
    assert_eq!(stat_times(&k, &format!("/proc/{p}/stat")), whole);
    assert_eq!(stat_times(&k, &format!("/proc/{t1}/stat")), whole);
    // An exited thread's times stay in the group's (`__exit_signal`).
    k.exit_thread(t1, 0);
    assert_eq!(k.thread_group(p).unwrap(), [p, t2]);
    assert_eq!(stat_times(&k, &format!("/proc/{p}/stat")), whole);
    let stat = cat(&k, INIT, &format!("/proc/{p}/stat")).unwrap();
    // num_threads (field 20) counts the live ones.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    assert_eq!(rest.split(' ').nth(17), Some("2"), "{stat}");
}

/// `/proc/PID/stat` fields 16 and 17 (`cutime`, `cstime`), in clock ticks.
fn stat_child_times(k: &Kernel, path: &str) -> (u64, u64) {
    let text = cat(k, INIT, path).unwrap();
    let rest = &text[text.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    (f[13].parse().unwrap(), f[14].parse().unwrap())
}

/// Kernel (`kernel/exit.c` `wait_task_zombie`, v2.6.35 and v6.6): reaping a process adds its
/// whole thread group's times to the reaper's `cutime`/`cstime` (`thread_group_cputime`: the
/// zombie leader's own and `signal->utime`/`stime` of the threads that exited before it,
/// `__exit_signal`), plus the group's own reaped children's (`signal->cutime`).
#[test]
fn reaping_adds_the_whole_thread_groups_times() {
    let k = Kernel::boot(BootParams::default());
    let tick = 10_000_000; // USER_HZ 100
    let sh = k.fork(INIT).unwrap();
    let p = k.fork(sh).unwrap();
    let t1 = k.clone_thread(p).unwrap();
    let t2 = k.clone_thread(p).unwrap();
    // A grandchild forked and reaped by the thread t1: its times become the group's
    // cutime/cstime (`signal->cutime` is one per thread group).
    let g = k.fork(t1).unwrap();
    k.cpu_charge(g, 7 * tick, tick);
    k.exit(g, 0);
    assert_eq!(k.waitpid(t1, Some(g)).unwrap().map(|r| r.0), Some(g));
    assert_eq!(stat_child_times(&k, &format!("/proc/{p}/stat")), (7, 1));
    let (u0, s0) = stat_times(&k, &format!("/proc/{p}/task/{p}/stat"));
    k.cpu_charge(t1, 3 * tick, 2 * tick);
    k.cpu_charge(t2, 5 * tick, 0);
    k.cpu_charge(p, 11 * tick, 0);
    // t1 exits first (its times go to the group's `signal`), then the group dies.
    k.exit_thread(t1, 0);
    let whole = stat_times(&k, &format!("/proc/{p}/stat"));
    assert_eq!(whole, (u0 + 19, s0 + 2));
    // exit_group: t2 is zapped with the group.
    k.exit(p, 0);
    assert_eq!(stat_child_times(&k, &format!("/proc/{sh}/stat")), (0, 0));
    let (reaped, _) = k.waitpid(sh, Some(p)).unwrap().expect("a zombie");
    assert_eq!(reaped, p);
    // The group's times (leader, t1 from `signal`, t2 gone with the group) and p's own
    // reaped child's.
    assert_eq!(
        stat_child_times(&k, &format!("/proc/{sh}/stat")),
        (whole.0 + 7, whole.1 + 1)
    );
}
