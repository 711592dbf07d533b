//! fork/exit/waitpid/kill semantics and the console.

use super::*;
use cgsim_cgroupfs::{ConsoleStream, ProcState, Signal, WaitStatus};
use cgsim_ktypes::{Cred, Uid};

#[test]
fn fork_copies_creds_cwd_and_fds() {
    let k = boot();
    k.chdir(INIT, "/tmp").unwrap();
    let fd = k
        .open(INIT, "/tmp/log", OpenFlags::REDIRECT_TRUNC, 0o644)
        .unwrap();
    k.write(INIT, fd, b"parent ").unwrap();
    let c = k.fork(INIT).unwrap();
    assert_eq!(c, Pid(2), "pids are allocated in order");
    assert_eq!(k.getppid(c).unwrap(), INIT);
    assert_eq!(k.getcwd(c).unwrap(), "/tmp");
    // The fd is shared: one offset.
    k.write(c, fd, b"child").unwrap();
    k.close(INIT, fd).unwrap();
    k.close(c, fd).unwrap();
    assert_eq!(cat(&k, INIT, "/tmp/log").unwrap(), "parent child");
    let info = k.ps();
    assert_eq!(info.iter().map(|p| p.pid).collect::<Vec<_>>(), [INIT, c]);
    assert_eq!(info[1].comm, "init");
    k.set_comm(c, "a-very-long-process-name").unwrap();
    assert_eq!(k.ps()[1].comm, "a-very-long-pro", "TASK_COMM_LEN");
    k.check_invariants();
}

#[test]
fn cmdline_is_inherited_at_fork_set_by_exec_and_gone_in_a_zombie() {
    let k = boot();
    let argv = |p: Pid| k.ps().into_iter().find(|i| i.pid == p).unwrap().cmdline;
    assert_eq!(argv(INIT), ["/sbin/init"]);
    let c = k.fork(INIT).unwrap();
    assert_eq!(
        argv(c),
        ["/sbin/init"],
        "fork copies the parent's arguments"
    );
    // A rename (prctl) keeps the arguments; an exec whose arguments are not given shows the
    // program's name.
    k.set_comm(c, "renamed").unwrap();
    assert_eq!(argv(c), ["/sbin/init"]);
    k.execve(c, "sleep").unwrap();
    assert_eq!(argv(c), ["sleep"]);
    let words = ["sleep".to_string(), "100".to_string()];
    k.set_cmdline(c, &words).unwrap();
    assert_eq!(argv(c), words);
    k.exit(c, 0);
    assert!(argv(c).is_empty(), "a zombie has no mm and no arguments");
    assert_eq!(errno(k.set_cmdline(Pid(999), &words)), Some(Errno::ESRCH));
}

#[test]
fn exit_zombie_waitpid_and_orphans() {
    let k = boot();
    let a = k.fork(INIT).unwrap();
    let b = k.fork(a).unwrap();
    let c = k.fork(a).unwrap();
    assert_eq!(k.waitpid(a, None).unwrap(), None, "children still running");
    assert_eq!(errno(k.waitpid(b, None)), Some(Errno::ECHILD));
    assert_eq!(errno(k.waitpid(a, Some(INIT))), Some(Errno::ECHILD));
    k.exit(b, 256 + 7);
    assert_eq!(
        k.ps().iter().find(|p| p.pid == b).unwrap().state,
        ProcState::Zombie
    );
    assert_eq!(k.waitpid(a, Some(c)).unwrap(), None);
    assert_eq!(
        k.waitpid(a, None).unwrap(),
        Some((b, WaitStatus::Exited(7)))
    );
    assert!(k.ps().iter().all(|p| p.pid != b), "reaped");
    // a exits: c is reparented to init; when c exits, init reaps it automatically.
    k.exit(a, 0);
    assert_eq!(k.getppid(c).unwrap(), INIT);
    k.exit(c, 1);
    assert!(k.ps().iter().all(|p| p.pid != c));
    // a itself stays a zombie for init (its real parent) to reap.
    assert_eq!(
        k.waitpid(INIT, Some(a)).unwrap(),
        Some((a, WaitStatus::Exited(0)))
    );
    assert_eq!(errno(k.waitpid(INIT, None)), Some(Errno::ECHILD));
    // Exiting twice, or syscalls of a zombie, are ESRCH.
    let d = k.fork(INIT).unwrap();
    k.exit(d, 0);
    assert_eq!(errno(k.fork(d)), Some(Errno::ESRCH));
    assert_eq!(
        errno(k.open(d, "/", OpenFlags::RDONLY, 0)),
        Some(Errno::ESRCH)
    );
    k.check_invariants();
}

#[test]
fn kill_permissions_and_default_actions() {
    let k = boot();
    let u1 = user_process(&k, 1000);
    let u1b = user_process(&k, 1000);
    let u2 = user_process(&k, 2000);
    // (sender, target, signal, expected errno, target dies?)
    let cases = [
        (u1, u2, Signal::SIGTERM, Some(Errno::EPERM), false),
        (u1, INIT, Signal(0), Some(Errno::EPERM), false),
        (u1, Pid(999), Signal::SIGTERM, Some(Errno::ESRCH), false),
        (u1, u1b, Signal(65), Some(Errno::EINVAL), false),
        (u1, u1b, Signal(0), None, false),
        (u1, u1b, Signal::SIGCHLD, None, false),
        (u1, u1b, Signal::SIGSTOP, None, false),
        (u1, u1b, Signal::SIGUSR1, None, true),
        (INIT, u2, Signal::SIGKILL, None, true),
        (INIT, INIT, Signal::SIGKILL, None, false),
    ];
    for (s, t, sig, want, dies) in cases {
        assert_eq!(errno(k.kill(s, t, sig)), want, "{s} -> {t} {sig:?}");
        let state = k.ps().into_iter().find(|p| p.pid == t).map(|p| p.state);
        assert_eq!(state == Some(ProcState::Zombie), dies, "{s} -> {t} {sig:?}");
    }
    assert_eq!(
        k.waitpid(INIT, Some(u1b)).unwrap(),
        Some((u1b, WaitStatus::Signaled(Signal::SIGUSR1)))
    );
    // The saved uid counts: a setuid program (uid 1000, euid 0, suid 0) can be killed by root
    // only... and by uid 1000 through the real uid.
    let p = k.fork(INIT).unwrap();
    k.set_cred(
        p,
        Cred {
            uid: Uid(1000),
            ..Cred::ROOT
        },
    )
    .unwrap();
    assert_eq!(errno(k.kill(u1, p, Signal::SIGTERM)), None);
    // The kernel itself (the OOM killer) needs no permission.
    let u3 = user_process(&k, 3000);
    k.send_sig(u3, Signal::SIGKILL).unwrap();
    assert_eq!(
        k.waitpid(INIT, Some(u3)).unwrap(),
        Some((u3, WaitStatus::Signaled(Signal::SIGKILL)))
    );
    assert_eq!(
        errno(k.send_sig(Pid(4242), Signal::SIGKILL)),
        Some(Errno::ESRCH)
    );
    // A non-root process cannot become root.
    assert_eq!(errno(k.set_cred(u1, Cred::ROOT)), Some(Errno::EPERM));
}

#[test]
fn console_streams_and_redirection() {
    let k = boot();
    let c = k.fork(INIT).unwrap();
    k.write(c, Fd(1), b"out\n").unwrap();
    k.write(c, Fd(2), b"err\n").unwrap();
    // 2>&1 style: after dup2(2, 1), fd 1 writes through the stderr description.
    k.dup2(c, Fd(2), Fd(1)).unwrap();
    k.write(c, Fd(1), b"now err\n").unwrap();
    // stdin is at EOF.
    assert_eq!(k.read(c, Fd(0), &mut [0u8; 8]).unwrap(), 0);
    // > /dev/null redirection.
    let n = k.open(c, "/dev/null", OpenFlags::WRONLY, 0).unwrap();
    k.dup2(c, n, Fd(1)).unwrap();
    k.write(c, Fd(1), b"nothing").unwrap();
    assert_eq!(
        k.console_drain(),
        vec![
            (ConsoleStream::Stdout, b"out\n".to_vec()),
            (ConsoleStream::Stderr, b"err\n".to_vec()),
            (ConsoleStream::Stderr, b"now err\n".to_vec()),
        ]
    );
    assert!(k.console_drain().is_empty());
    k.check_invariants();
}

/// The process events connector (`drivers/connector/cn_proc.c`, v2.6.35): a listener reads a
/// line per fork, exec, uid or gid change and exit, in order; a closed listener is forgotten.
#[test]
fn cn_proc_reports_fork_exec_id_changes_and_exit() {
    use cgsim_cgroupfs::ProcEvent;
    let k = boot();
    let listener = k.fork(INIT).unwrap();
    let fd = k.cn_proc_listen(listener).unwrap();
    let child = k.fork(INIT).unwrap();
    k.execve(child, "sleep").unwrap();
    let cred = Cred {
        uid: Uid(500),
        euid: Uid(500),
        suid: Uid(500),
        gid: 500,
        egid: 500,
    };
    k.set_cred(child, cred).unwrap();
    // The same credentials again: no id change, no event.
    k.set_cred(child, cred).unwrap();
    k.exit(child, 0);
    let mut buf = [0u8; 256];
    let n = k.read(listener, fd, &mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    let expected = format!(
        "fork 1 {child}\nexec {child}\nuid {child} 500 500\ngid {child} 500 500\nexit {child}\n"
    );
    assert_eq!(text, expected);
    assert_eq!(
        ProcEvent::parse(&format!("uid {child} 500 500")),
        Some(ProcEvent::Uid(child, 500, 500))
    );
    // Nothing more to read; after close, events go nowhere.
    assert_eq!(
        k.read(listener, fd, &mut buf).unwrap_err().errno,
        Errno::EAGAIN
    );
    k.close(listener, fd).unwrap();
    k.fork(INIT).unwrap();
}
