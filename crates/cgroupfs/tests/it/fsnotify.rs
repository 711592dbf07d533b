//! The VFS's fsnotify hooks seen through inotify (`include/linux/fsnotify.h`, v6.6): open,
//! read, write and close of files on tmpfs, `/proc` and cgroupfs; create, delete, attribute
//! changes and directory listings in a watched directory; `IN_DELETE_SELF` then `IN_IGNORED` on
//! tmpfs but not on kernfs; `IN_EXCL_UNLINK`, `IN_ONLYDIR`, `IN_DONT_FOLLOW`, `IN_MASK_*`.

use super::*;
use cgsim_cgroupfs::BootParams;
use cgsim_cgroupfs::inotify::*;

/// Every queued event as (wd, mask, name).
fn events(k: &Kernel, fd: Fd) -> Vec<(i32, u32, String)> {
    let mut buf = [0u8; 8192];
    match k.read(INIT, fd, &mut buf) {
        Ok(n) => InotifyEvent::parse(&buf[..n])
            .into_iter()
            .map(|e| (e.wd, e.mask, String::from_utf8(e.name).unwrap()))
            .collect(),
        Err(e) if e.errno == Errno::EAGAIN => Vec::new(),
        Err(e) => panic!("read: {e:?}"),
    }
}

fn ev(wd: i32, mask: u32, name: &str) -> (i32, u32, String) {
    (wd, mask, name.to_string())
}

#[test]
fn file_lifecycle_in_a_watched_tmpfs_directory() {
    let k = boot_cgroup2();
    k.mkdir(INIT, "/tmp/d", 0o755).unwrap();
    let fd = k.inotify_init1(INIT, IN_NONBLOCK).unwrap();
    let d = k
        .inotify_add_watch(INIT, fd, "/tmp/d", IN_ALL_EVENTS)
        .unwrap();
    // echo hi > f: created, opened, written, closed.
    echo(&k, INIT, "/tmp/d/f", "hi\n").unwrap();
    assert_eq!(
        events(&k, fd),
        vec![
            ev(d, IN_CREATE, "f"),
            ev(d, IN_OPEN, "f"),
            ev(d, IN_MODIFY, "f"),
            ev(d, IN_CLOSE_WRITE, "f"),
        ]
    );
    // Again on the existing file: fsnotify_open (in do_dentry_open since v6.5) comes before
    // the O_TRUNC truncation's IN_MODIFY, which merges with the write's.
    echo(&k, INIT, "/tmp/d/f", "again\n").unwrap();
    assert_eq!(
        events(&k, fd),
        vec![
            ev(d, IN_OPEN, "f"),
            ev(d, IN_MODIFY, "f"),
            ev(d, IN_CLOSE_WRITE, "f"),
        ]
    );
    // O_TRUNC without a write: the truncation's IN_MODIFY alone.
    let t = k
        .open(INIT, "/tmp/d/f", OpenFlags::REDIRECT_TRUNC, 0)
        .unwrap();
    k.close(INIT, t).unwrap();
    assert_eq!(
        events(&k, fd),
        vec![
            ev(d, IN_OPEN, "f"),
            ev(d, IN_MODIFY, "f"),
            ev(d, IN_CLOSE_WRITE, "f"),
        ]
    );
    // cat of the now empty file: a read that returns 0 reports nothing.
    cat(&k, INIT, "/tmp/d/f").unwrap();
    assert_eq!(
        events(&k, fd),
        vec![ev(d, IN_OPEN, "f"), ev(d, IN_CLOSE_NOWRITE, "f")]
    );
    echo(&k, INIT, "/tmp/d/f", "hi\n").unwrap();
    events(&k, fd);
    // cat: the first read's IN_ACCESS (the second returns 0).
    cat(&k, INIT, "/tmp/d/f").unwrap();
    assert_eq!(
        events(&k, fd),
        vec![
            ev(d, IN_OPEN, "f"),
            ev(d, IN_ACCESS, "f"),
            ev(d, IN_CLOSE_NOWRITE, "f"),
        ]
    );
    // A watch on the file too: each event goes to the directory (with the name) first.
    let f = k
        .inotify_add_watch(INIT, fd, "/tmp/d/f", IN_ALL_EVENTS)
        .unwrap();
    k.chmod(INIT, "/tmp/d/f", 0o600).unwrap();
    assert_eq!(
        events(&k, fd),
        vec![ev(d, IN_ATTRIB, "f"), ev(f, IN_ATTRIB, "")]
    );
    // unlink: the link count (IN_ATTRIB on the file only), the inode goes (IN_DELETE_SELF,
    // IN_IGNORED), then the directory's IN_DELETE.
    k.unlink(INIT, "/tmp/d/f").unwrap();
    assert_eq!(
        events(&k, fd),
        vec![
            ev(f, IN_ATTRIB, ""),
            ev(f, IN_DELETE_SELF, ""),
            ev(f, IN_IGNORED, ""),
            ev(d, IN_DELETE, "f"),
        ]
    );
    // A directory: IN_ISDIR on create, listing and delete; the watched directory itself gets
    // IN_DELETE_SELF (without IN_ISDIR) and IN_IGNORED.
    k.mkdir(INIT, "/tmp/d/s", 0o755).unwrap();
    let s = k
        .inotify_add_watch(INIT, fd, "/tmp/d/s", IN_ALL_EVENTS)
        .unwrap();
    k.readdir(INIT, "/tmp/d/s").unwrap();
    let both = |m: u32| vec![ev(d, m | IN_ISDIR, "s"), ev(s, m | IN_ISDIR, "")];
    let mut want = vec![ev(d, IN_CREATE | IN_ISDIR, "s")];
    for m in [IN_OPEN, IN_ACCESS, IN_ACCESS, IN_CLOSE_NOWRITE] {
        want.extend(both(m));
    }
    assert_eq!(events(&k, fd), want);
    k.rmdir(INIT, "/tmp/d/s").unwrap();
    assert_eq!(
        events(&k, fd),
        vec![
            ev(s, IN_DELETE_SELF, ""),
            ev(s, IN_IGNORED, ""),
            ev(d, IN_DELETE | IN_ISDIR, "s"),
        ]
    );
    // rmdir of the watched directory itself.
    k.rmdir(INIT, "/tmp/d").unwrap();
    assert_eq!(
        events(&k, fd),
        vec![ev(d, IN_DELETE_SELF, ""), ev(d, IN_IGNORED, "")]
    );
}

#[test]
fn cgroup_directory_events_on_6_6() {
    let k = boot_cgroup2();
    let fd = k.inotify_init1(INIT, IN_NONBLOCK).unwrap();
    let root = k
        .inotify_add_watch(
            INIT,
            fd,
            "/sys/fs/cgroup",
            IN_CREATE | IN_DELETE | IN_MODIFY,
        )
        .unwrap();
    k.mkdir(INIT, "/sys/fs/cgroup/A", 0o755).unwrap();
    assert_eq!(events(&k, fd), vec![ev(root, IN_CREATE | IN_ISDIR, "A")]);
    let a = k
        .inotify_add_watch(INIT, fd, "/sys/fs/cgroup/A", IN_ALL_EVENTS)
        .unwrap();
    // A write to memory.max: IN_MODIFY (truncation and write merge) between open and close.
    echo(&k, INIT, "/sys/fs/cgroup/A/memory.max", "1M").unwrap();
    assert_eq!(
        events(&k, fd),
        vec![
            ev(a, IN_OPEN, "memory.max"),
            ev(a, IN_MODIFY, "memory.max"),
            ev(a, IN_CLOSE_WRITE, "memory.max"),
        ]
    );
    // kernfs_notify on cgroup.events reaches the directory's watch with the file's name. The
    // kernel runs kernfs_notify_workfn from a workqueue; here the event is queued when the
    // reader looks, after the VFS events of the write.
    let child = k.fork(INIT).unwrap();
    let procs = k
        .open(INIT, "/sys/fs/cgroup/A/cgroup.procs", OpenFlags::WRONLY, 0)
        .unwrap();
    k.write(INIT, procs, child.0.to_string().as_bytes())
        .unwrap();
    k.close(INIT, procs).unwrap();
    assert_eq!(
        events(&k, fd),
        vec![
            ev(a, IN_OPEN, "cgroup.procs"),
            ev(a, IN_MODIFY, "cgroup.procs"),
            ev(a, IN_CLOSE_WRITE, "cgroup.procs"),
            ev(a, IN_MODIFY, "cgroup.events"),
        ]
    );
    k.exit(child, 0);
    k.waitpid(INIT, Some(child)).unwrap();
    // Within CGROUP_FILE_NOTIFY_MIN_INTV of the last notification: the file's timer notifies.
    assert_eq!(events(&k, fd), vec![]);
    k.advance_clock(16_000_000);
    assert_eq!(events(&k, fd), vec![ev(a, IN_MODIFY, "cgroup.events")]);
    // rmdir: the parent hears IN_DELETE|IN_ISDIR; A's own watch hears nothing on 6.6 (kernfs
    // keeps the link count: no IN_DELETE_SELF, no IN_IGNORED).
    k.rmdir(INIT, "/sys/fs/cgroup/A").unwrap();
    assert_eq!(events(&k, fd), vec![ev(root, IN_DELETE | IN_ISDIR, "A")]);
    k.inotify_rm_watch(INIT, fd, a).unwrap();
    assert_eq!(events(&k, fd), vec![ev(a, IN_IGNORED, "")]);
}

#[test]
fn proc_files_report_vfs_events() {
    let k = boot_cgroup2();
    let fd = k.inotify_init1(INIT, IN_NONBLOCK).unwrap();
    let wd = k
        .inotify_add_watch(INIT, fd, "/proc/meminfo", IN_ALL_EVENTS)
        .unwrap();
    cat(&k, INIT, "/proc/meminfo").unwrap();
    assert_eq!(
        events(&k, fd),
        vec![
            ev(wd, IN_OPEN, ""),
            ev(wd, IN_ACCESS, ""),
            ev(wd, IN_CLOSE_NOWRITE, ""),
        ]
    );
}

#[test]
fn watch_flags() {
    let k = boot_cgroup2();
    k.mkdir(INIT, "/tmp/d", 0o755).unwrap();
    echo(&k, INIT, "/tmp/d/f", "x").unwrap();
    let fd = k.inotify_init1(INIT, IN_NONBLOCK).unwrap();
    // IN_ONLYDIR on a file: ENOTDIR; on a directory: fine.
    assert_eq!(
        errno(k.inotify_add_watch(INIT, fd, "/tmp/d/f", IN_OPEN | IN_ONLYDIR)),
        Some(Errno::ENOTDIR)
    );
    let d = k
        .inotify_add_watch(INIT, fd, "/tmp/d", IN_OPEN | IN_ONLYDIR)
        .unwrap();
    // IN_MASK_ADD ORs in, a plain add replaces, IN_MASK_CREATE refuses.
    assert_eq!(
        k.inotify_add_watch(INIT, fd, "/tmp/d", IN_CLOSE_NOWRITE | IN_MASK_ADD)
            .unwrap(),
        d
    );
    cat(&k, INIT, "/tmp/d/f").unwrap();
    assert_eq!(
        events(&k, fd),
        vec![ev(d, IN_OPEN, "f"), ev(d, IN_CLOSE_NOWRITE, "f")]
    );
    k.inotify_add_watch(INIT, fd, "/tmp/d", IN_ACCESS).unwrap();
    cat(&k, INIT, "/tmp/d/f").unwrap();
    assert_eq!(events(&k, fd), vec![ev(d, IN_ACCESS, "f")]);
    assert_eq!(
        errno(k.inotify_add_watch(INIT, fd, "/tmp/d", IN_ACCESS | IN_MASK_CREATE)),
        Some(Errno::EEXIST)
    );
    // IN_DONT_FOLLOW watches /proc/self itself, not the process directory it points to.
    let link = k
        .inotify_add_watch(INIT, fd, "/proc/self", IN_OPEN | IN_DONT_FOLLOW)
        .unwrap();
    let target = k
        .inotify_add_watch(INIT, fd, "/proc/self", IN_OPEN)
        .unwrap();
    assert_ne!(link, target);
    // IN_EXCL_UNLINK: events of an open file unlinked since are not reported to the directory.
    k.inotify_add_watch(INIT, fd, "/tmp/d", IN_MODIFY | IN_EXCL_UNLINK)
        .unwrap();
    let w = k.open(INIT, "/tmp/d/f", OpenFlags::WRONLY, 0).unwrap();
    k.write(INIT, w, b"1").unwrap();
    assert_eq!(events(&k, fd), vec![ev(d, IN_MODIFY, "f")]);
    k.unlink(INIT, "/tmp/d/f").unwrap();
    k.write(INIT, w, b"2").unwrap();
    assert_eq!(events(&k, fd), vec![]);
    k.inotify_add_watch(INIT, fd, "/tmp/d", IN_MODIFY).unwrap();
    k.write(INIT, w, b"3").unwrap();
    assert_eq!(events(&k, fd), vec![ev(d, IN_MODIFY, "f")]);
}

#[test]
fn instances_limit() {
    let k = boot_cgroup2();
    // max_user_instances: 128 per user, EMFILE past it; closing one makes room. (The queue
    // overflow is tested on `InotifyFile` in `inotify.rs`: 16384 events through the VFS take
    // minutes in a debug build.)
    let mut fds = Vec::new();
    while fds.len() < MAX_USER_INSTANCES {
        fds.push(k.inotify_init1(INIT, 0).unwrap());
    }
    assert_eq!(errno(k.inotify_init1(INIT, 0)), Some(Errno::EMFILE));
    k.close(INIT, fds.pop().unwrap()).unwrap();
    k.inotify_init1(INIT, 0).unwrap();
}

#[test]
fn unmount_ends_the_watches_of_its_file_system() {
    let k = boot_cgroup2();
    k.mkdir(INIT, "/mnt", 0o755).unwrap();
    k.mount(INIT, "tmpfs", "/mnt", "tmpfs", false, None)
        .unwrap();
    k.mkdir(INIT, "/mnt/d", 0o755).unwrap();
    echo(&k, INIT, "/mnt/f", "x").unwrap();
    let fd = k.inotify_init1(INIT, IN_NONBLOCK).unwrap();
    // A mask without IN_UNMOUNT: every inotify mark gets it anyway.
    let d = k.inotify_add_watch(INIT, fd, "/mnt/d", IN_CREATE).unwrap();
    let f = k.inotify_add_watch(INIT, fd, "/mnt/f", IN_OPEN).unwrap();
    let other = k.inotify_add_watch(INIT, fd, "/tmp", IN_CREATE).unwrap();
    // A watch does not keep the file system busy.
    k.umount(INIT, "/mnt").unwrap();
    assert_eq!(
        events(&k, fd),
        vec![
            ev(d, IN_UNMOUNT | IN_ISDIR, ""),
            ev(d, IN_IGNORED, ""),
            ev(f, IN_UNMOUNT, ""),
            ev(f, IN_IGNORED, ""),
        ]
    );
    // The other file system's watch stays.
    k.mkdir(INIT, "/tmp/x", 0o755).unwrap();
    assert_eq!(events(&k, fd), vec![ev(other, IN_CREATE | IN_ISDIR, "x")]);
}

#[test]
fn before_6_5_the_truncation_comes_before_open() {
    let k = Kernel::boot(BootParams::kernel("2.6.35").expect("a preset"));
    let _ = k.mkdir(INIT, "/tmp", 0o755);
    echo(&k, INIT, "/tmp/f", "x").unwrap();
    let fd = k.inotify_init1(INIT, IN_NONBLOCK).unwrap();
    let wd = k
        .inotify_add_watch(INIT, fd, "/tmp/f", IN_ALL_EVENTS)
        .unwrap();
    echo(&k, INIT, "/tmp/f", "y").unwrap();
    assert_eq!(
        events(&k, fd),
        vec![
            ev(wd, IN_MODIFY, ""),
            ev(wd, IN_OPEN, ""),
            ev(wd, IN_MODIFY, ""),
            ev(wd, IN_CLOSE_WRITE, ""),
        ]
    );
}
