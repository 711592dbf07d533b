//! inotify through the `Kernel` API on the 6.6 preset (`fs/notify/inotify/inotify_user.c`):
//! `inotify_init1`, `inotify_add_watch`, `inotify_rm_watch`, reading `struct inotify_event`
//! records, `IN_MODIFY` when `cgroup.events` / `memory.events` change (`kernfs_notify`), and
//! `IN_IGNORED` when the watch goes (`inotify_rm_watch`, `IN_ONESHOT`; not rmdir of the cgroup
//! on 6.6). The VFS events are in `fsnotify.rs`.

use super::*;
use cgsim_cgroupfs::inotify::{
    IN_CLOEXEC, IN_IGNORED, IN_MASK_ADD, IN_MASK_CREATE, IN_MODIFY, IN_NONBLOCK, IN_ONESHOT,
    IN_OPEN, IN_Q_OVERFLOW, InotifyEvent,
};
use cgsim_cgroupfs::psi::{POLLIN, POLLRDNORM};
use cgsim_cgroupfs::{BootParams, MmapFlags};

/// Read every queued event (non-blocking fd): an empty list for EAGAIN.
fn events(k: &Kernel, fd: Fd) -> Vec<(i32, u32)> {
    let mut buf = [0u8; 4096];
    match k.read(INIT, fd, &mut buf) {
        Ok(n) => InotifyEvent::parse(&buf[..n])
            .into_iter()
            .map(|e| {
                assert_eq!((e.cookie, e.name.len()), (0, 0), "a file watch has no name");
                (e.wd, e.mask)
            })
            .collect(),
        Err(e) if e.errno == Errno::EAGAIN => Vec::new(),
        Err(e) => panic!("read: {e:?}"),
    }
}

#[test]
fn cgroup_events_modify_and_silence_after_rmdir() {
    let k = boot_6_6();
    let fd = k.inotify_init1(INIT, IN_NONBLOCK | IN_CLOEXEC).unwrap();
    let wd = k
        .inotify_add_watch(INIT, fd, "/sys/fs/cgroup/A/cgroup.events", IN_MODIFY)
        .unwrap();
    assert_eq!(wd, 1);
    // Nothing yet: EAGAIN, and not readable.
    assert_eq!(events(&k, fd), vec![]);
    assert_eq!(k.poll(INIT, fd, POLLIN).unwrap(), 0);
    // populated 0 -> 1.
    let child = k.fork(INIT).unwrap();
    echo(
        &k,
        INIT,
        "/sys/fs/cgroup/A/cgroup.procs",
        &child.0.to_string(),
    )
    .unwrap();
    assert_eq!(k.poll(INIT, fd, POLLIN).unwrap(), POLLIN);
    assert_eq!(events(&k, fd), vec![(wd, IN_MODIFY)]);
    assert_eq!(events(&k, fd), vec![]);
    // populated 1 -> 0 when the child exits, within CGROUP_FILE_NOTIFY_MIN_INTV of the first
    // notification (the clock has not moved): the file's timer notifies later.
    k.exit(child, 0);
    k.waitpid(INIT, Some(child)).unwrap();
    assert_eq!(events(&k, fd), vec![]);
    k.advance_clock(16_000_000);
    assert_eq!(events(&k, fd), vec![(wd, IN_MODIFY)]);
    // memory.max does not notify from the kernel side, but a write to it is a vfs_write:
    // IN_MODIFY (the O_TRUNC truncation's IN_MODIFY merges with it, IN_OPEN is not asked for).
    let wd2 = k
        .inotify_add_watch(INIT, fd, "/sys/fs/cgroup/A/memory.max", IN_MODIFY)
        .unwrap();
    assert_eq!(wd2, 2);
    echo(&k, INIT, "/sys/fs/cgroup/A/memory.max", "1M").unwrap();
    assert_eq!(events(&k, fd), vec![(wd2, IN_MODIFY)]);
    // rmdir: 6.6's kernfs keeps the removed directory's link count, so the watches of A's
    // files hear nothing (no IN_DELETE_SELF, no IN_IGNORED); they stay until removed.
    k.rmdir(INIT, "/sys/fs/cgroup/A").unwrap();
    assert_eq!(events(&k, fd), vec![]);
    k.inotify_rm_watch(INIT, fd, wd).unwrap();
    assert_eq!(events(&k, fd), vec![(wd, IN_IGNORED)]);
    assert_eq!(errno(k.inotify_rm_watch(INIT, fd, wd)), Some(Errno::EINVAL));
    k.close(INIT, fd).unwrap();
}

#[test]
fn memory_events_modify_when_max_is_hit() {
    let k = boot_6_6();
    echo(&k, INIT, "/sys/fs/cgroup/A/memory.swap.max", "0").unwrap();
    echo(&k, INIT, "/sys/fs/cgroup/A/memory.max", "1M").unwrap();
    let fd = k.inotify_init1(INIT, IN_NONBLOCK).unwrap();
    let wd = k
        .inotify_add_watch(INIT, fd, "/sys/fs/cgroup/A/memory.events", IN_MODIFY)
        .unwrap();
    let child = k.fork(INIT).unwrap();
    echo(
        &k,
        INIT,
        "/sys/fs/cgroup/A/cgroup.procs",
        &child.0.to_string(),
    )
    .unwrap();
    assert_eq!(events(&k, fd), vec![]);
    let before = cat(&k, INIT, "/sys/fs/cgroup/A/memory.events").unwrap();
    // 2M of anonymous memory under memory.max 1M without swap: `max` and the OOM killer.
    let addr = k.mmap_anon(child, 2 << 20, MmapFlags::default()).unwrap();
    let _ = k.touch(child, addr, 2 << 20);
    let after = cat(&k, INIT, "/sys/fs/cgroup/A/memory.events").unwrap();
    assert_ne!(before, after);
    assert_eq!(events(&k, fd), vec![(wd, IN_MODIFY)]);
}

#[test]
fn add_watch_and_rm_watch_errors() {
    let k = boot_6_6();
    assert_eq!(errno(k.inotify_init1(INIT, 1)), Some(Errno::EINVAL));
    let fd = k.inotify_init1(INIT, IN_NONBLOCK).unwrap();
    let path = "/sys/fs/cgroup/A/cgroup.events";
    // No event bit; IN_MASK_ADD with IN_MASK_CREATE.
    assert_eq!(
        errno(k.inotify_add_watch(INIT, fd, path, 0)),
        Some(Errno::EINVAL)
    );
    assert_eq!(
        errno(k.inotify_add_watch(INIT, fd, path, IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE)),
        Some(Errno::EINVAL)
    );
    // A closed fd, an fd that is not an inotify instance.
    assert_eq!(
        errno(k.inotify_add_watch(INIT, Fd(77), path, IN_MODIFY)),
        Some(Errno::EBADF)
    );
    let other = k.open(INIT, path, OpenFlags::RDONLY, 0).unwrap();
    assert_eq!(
        errno(k.inotify_add_watch(INIT, other, path, IN_MODIFY)),
        Some(Errno::EINVAL)
    );
    assert_eq!(
        errno(k.inotify_rm_watch(INIT, other, 1)),
        Some(Errno::EINVAL)
    );
    assert_eq!(
        errno(k.inotify_rm_watch(INIT, Fd(77), 1)),
        Some(Errno::EBADF)
    );
    // The lookup's errno.
    assert_eq!(
        errno(k.inotify_add_watch(INIT, fd, "/sys/fs/cgroup/A/nothing", IN_MODIFY)),
        Some(Errno::ENOENT)
    );
    // One watch per inode: the same wd again, EEXIST with IN_MASK_CREATE.
    let wd = k.inotify_add_watch(INIT, fd, path, IN_MODIFY).unwrap();
    assert_eq!(
        k.inotify_add_watch(INIT, fd, path, IN_MODIFY | IN_MASK_ADD)
            .unwrap(),
        wd
    );
    assert_eq!(
        errno(k.inotify_add_watch(INIT, fd, path, IN_MODIFY | IN_MASK_CREATE)),
        Some(Errno::EEXIST)
    );
    // A buffer shorter than one event: EINVAL, the event stays queued.
    k.inotify_rm_watch(INIT, fd, wd).unwrap();
    let mut small = [0u8; 8];
    assert_eq!(errno(k.read(INIT, fd, &mut small)), Some(Errno::EINVAL));
    assert_eq!(
        k.poll(INIT, fd, POLLIN | POLLRDNORM).unwrap(),
        POLLIN | POLLRDNORM
    );
    assert_eq!(events(&k, fd), vec![(wd, IN_IGNORED)]);
    assert_eq!(errno(k.inotify_rm_watch(INIT, fd, wd)), Some(Errno::EINVAL));
    // A new watch takes the next wd (the idr is not reused).
    assert_eq!(
        k.inotify_add_watch(INIT, fd, path, IN_MODIFY).unwrap(),
        wd + 1
    );
}

#[test]
fn oneshot_watch_goes_after_its_event() {
    let k = boot_6_6();
    let fd = k.inotify_init1(INIT, IN_NONBLOCK).unwrap();
    let wd = k
        .inotify_add_watch(
            INIT,
            fd,
            "/sys/fs/cgroup/A/cgroup.events",
            IN_MODIFY | IN_ONESHOT,
        )
        .unwrap();
    let child = k.fork(INIT).unwrap();
    echo(
        &k,
        INIT,
        "/sys/fs/cgroup/A/cgroup.procs",
        &child.0.to_string(),
    )
    .unwrap();
    assert_eq!(events(&k, fd), vec![(wd, IN_MODIFY), (wd, IN_IGNORED)]);
    k.exit(child, 0);
    k.waitpid(INIT, Some(child)).unwrap();
    assert_eq!(events(&k, fd), vec![]);
}

#[test]
fn inotify_init1_came_in_2_6_27() {
    let k = Kernel::boot(BootParams::kernel("2.6.25").expect("a preset"));
    assert_eq!(errno(k.inotify_init1(INIT, 0)), Some(Errno::ENOSYS));
    // inotify_init() is older (2.6.13): a blocking instance.
    let fd = k.inotify_init(INIT).unwrap();
    let wd = k
        .inotify_add_watch(INIT, fd, "/proc/meminfo", IN_MODIFY)
        .unwrap();
    k.inotify_rm_watch(INIT, fd, wd).unwrap();
    let mut buf = [0u8; 64];
    let n = k.read(INIT, fd, &mut buf).unwrap();
    assert_eq!(n, 16);
    let ev = &InotifyEvent::parse(&buf[..n])[0];
    assert_eq!((ev.wd, ev.mask), (wd, IN_IGNORED));
    // Empty and blocking: EAGAIN for the simulated program to wait with Step::WaitReadable.
    assert_eq!(errno(k.read(INIT, fd, &mut buf)), Some(Errno::EAGAIN));
}

/// `/proc/sys/fs/inotify` (`fs/notify/inotify/inotify_user.c` `inotify_table`,
/// `inotify_user_setup`): the boot values (8192 watches up to 5.10, 1% of memory over
/// `INOTIFY_WATCH_COST` clamped to 8192..1048576 from 5.11), `proc_dointvec_minmax` from 0,
/// and the limits they set: EMFILE, ENOSPC, and the queue length of instances created later.
#[test]
fn proc_sys_fs_inotify_limits() {
    let old = Kernel::boot(BootParams::kernel("4.19").expect("a preset"));
    for (f, v) in [
        ("max_user_watches", "8192\n"),
        ("max_user_instances", "128\n"),
        ("max_queued_events", "16384\n"),
    ] {
        assert_eq!(
            cat(&old, INIT, &format!("/proc/sys/fs/inotify/{f}")).unwrap(),
            v
        );
    }
    let k = boot_6_6();
    let watches: u64 = cat(&k, INIT, "/proc/sys/fs/inotify/max_user_watches")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!((8192..=1_048_576).contains(&watches), "{watches}");
    let dir = "/proc/sys/fs/inotify/max_user_watches";
    assert_eq!(errno(echo(&k, INIT, dir, "-1")), Some(Errno::EINVAL));
    assert_eq!(errno(echo(&k, INIT, dir, "2x")), Some(Errno::EINVAL));
    assert_eq!(cat(&k, INIT, dir).unwrap(), format!("{watches}\n"));
    echo(&k, INIT, dir, "2").unwrap();
    // ENOSPC for a third watch of the user, counted over all its instances; replacing the
    // mask of an existing watch is no new watch.
    let a = k.inotify_init1(INIT, IN_NONBLOCK).unwrap();
    let b = k.inotify_init1(INIT, IN_NONBLOCK).unwrap();
    k.inotify_add_watch(INIT, a, "/proc/meminfo", IN_MODIFY)
        .unwrap();
    let wd = k
        .inotify_add_watch(INIT, b, "/proc/version", IN_MODIFY)
        .unwrap();
    assert_eq!(
        errno(k.inotify_add_watch(INIT, b, "/proc/uptime", IN_MODIFY)),
        Some(Errno::ENOSPC)
    );
    assert_eq!(
        k.inotify_add_watch(INIT, b, "/proc/version", IN_MODIFY | IN_MASK_ADD),
        Ok(wd)
    );
    k.inotify_rm_watch(INIT, b, wd).unwrap();
    k.inotify_add_watch(INIT, b, "/proc/uptime", IN_MODIFY)
        .unwrap();
    // max_user_instances: the two open ones exceed 1, so a new one is EMFILE.
    echo(&k, INIT, "/proc/sys/fs/inotify/max_user_instances", "1").unwrap();
    assert_eq!(errno(k.inotify_init1(INIT, 0)), Some(Errno::EMFILE));
    k.close(INIT, b).unwrap();
    k.close(INIT, a).unwrap();
    // max_queued_events: an instance created now holds 2 events, then IN_Q_OVERFLOW.
    echo(&k, INIT, "/proc/sys/fs/inotify/max_queued_events", "2").unwrap();
    let c = k.inotify_init1(INIT, IN_NONBLOCK).unwrap();
    let wd = k
        .inotify_add_watch(
            INIT,
            c,
            "/sys/fs/cgroup/A/cgroup.procs",
            IN_MODIFY | IN_OPEN,
        )
        .unwrap();
    for _ in 0..3 {
        echo(&k, INIT, "/sys/fs/cgroup/A/cgroup.procs", "0").ok();
    }
    let mut buf = [0u8; 4096];
    let n = k.read(INIT, c, &mut buf).unwrap();
    let got: Vec<(i32, u32)> = InotifyEvent::parse(&buf[..n])
        .into_iter()
        .map(|e| (e.wd, e.mask))
        .collect();
    assert_eq!(
        got,
        vec![(wd, IN_OPEN), (wd, IN_MODIFY), (-1, IN_Q_OVERFLOW)]
    );
}

/// `cgroup_file_notify` (`kernel/cgroup/cgroup.c`, v6.6): a second change of `cgroup.events`
/// within `CGROUP_FILE_NOTIFY_MIN_INTV` (3 jiffies at HZ 250) of the first notification is not
/// notified at once but by the file's timer, at the tick after the interval: one immediate and
/// one delayed `IN_MODIFY`, and the same for a poller (`POLLPRI`). A change after the interval
/// is notified at once again.
#[test]
fn cgroup_file_notify_defers_a_second_change_within_the_interval() {
    use cgsim_cgroupfs::psi::POLLPRI;
    let k = boot_6_6();
    let fd = k.inotify_init1(INIT, IN_NONBLOCK).unwrap();
    let wd = k
        .inotify_add_watch(INIT, fd, "/sys/fs/cgroup/A/cgroup.events", IN_MODIFY)
        .unwrap();
    let poller = k
        .open(INIT, "/sys/fs/cgroup/A/cgroup.events", OpenFlags::RDONLY, 0)
        .unwrap();
    let mut buf = [0u8; 64];
    k.read(INIT, poller, &mut buf).unwrap();
    assert_eq!(k.poll(INIT, poller, POLLPRI).unwrap(), 0);
    let child = k.fork(INIT).unwrap();
    echo(
        &k,
        INIT,
        "/sys/fs/cgroup/A/cgroup.procs",
        &child.0.to_string(),
    )
    .unwrap();
    // The first change: notified at once.
    assert_eq!(events(&k, fd), vec![(wd, IN_MODIFY)]);
    assert_ne!(k.poll(INIT, poller, POLLPRI).unwrap() & POLLPRI, 0);
    k.lseek_set(INIT, poller, 0).unwrap();
    k.read(INIT, poller, &mut buf).unwrap();
    // The second, 4 ms later (one jiffy): held back.
    k.advance_clock(4_000_000);
    k.exit(child, 0);
    k.waitpid(INIT, Some(child)).unwrap();
    assert_eq!(events(&k, fd), vec![]);
    assert_eq!(k.poll(INIT, poller, POLLPRI).unwrap() & POLLPRI, 0);
    // At the interval's end (12 ms after the first) the timer has not fired yet ...
    k.advance_clock(8_000_000);
    assert_eq!(events(&k, fd), vec![]);
    // ... it notifies at the next tick.
    k.advance_clock(4_000_000);
    assert_eq!(events(&k, fd), vec![(wd, IN_MODIFY)]);
    assert_ne!(k.poll(INIT, poller, POLLPRI).unwrap() & POLLPRI, 0);
    k.lseek_set(INIT, poller, 0).unwrap();
    k.read(INIT, poller, &mut buf).unwrap();
    // Long after, a change is notified at once.
    k.advance_clock(100_000_000);
    let child = k.fork(INIT).unwrap();
    echo(
        &k,
        INIT,
        "/sys/fs/cgroup/A/cgroup.procs",
        &child.0.to_string(),
    )
    .unwrap();
    assert_eq!(events(&k, fd), vec![(wd, IN_MODIFY)]);
    k.exit(child, 0);
    k.waitpid(INIT, Some(child)).unwrap();
}
