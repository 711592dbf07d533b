//! Path resolution, tmpfs and permission errnos (fs/namei.c rules, see `namei.rs`).

use super::*;
use cgsim_cgroupfs::{FileType, PATH_MAX, RAMFS_MAGIC, TMPFS_MAGIC};

#[derive(Debug, Clone, Copy)]
enum Op {
    Mkdir,
    Rmdir,
    Unlink,
    OpenRead,
    OpenWrite,
    Create,
    CreateExcl,
    Chdir,
    Stat,
    Readdir,
}

fn run(k: &Kernel, pid: Pid, op: Op, path: &str) -> Option<Errno> {
    match op {
        Op::Mkdir => errno(k.mkdir(pid, path, 0o755)),
        Op::Rmdir => errno(k.rmdir(pid, path)),
        Op::Unlink => errno(k.unlink(pid, path)),
        Op::OpenRead => errno(k.open(pid, path, OpenFlags::RDONLY, 0)),
        Op::OpenWrite => errno(k.open(pid, path, OpenFlags::WRONLY, 0)),
        Op::Create => errno(k.open(pid, path, OpenFlags::REDIRECT_TRUNC, 0o644)),
        Op::CreateExcl => errno(k.open(
            pid,
            path,
            OpenFlags {
                excl: true,
                ..OpenFlags::REDIRECT_TRUNC
            },
            0o644,
        )),
        Op::Chdir => errno(k.chdir(pid, path)),
        Op::Stat => errno(k.stat(pid, path)),
        Op::Readdir => errno(k.readdir(pid, path)),
    }
}

/// The fixture every case starts from: `/tmp/d/f` (file), `/tmp/d/e` (empty dir),
/// `/tmp/priv` (0700 root dir containing `x`), `/tmp/ro` (0755 root dir), a user file
/// `/tmp/mine` owned by uid 1000, and a root-owned `/tmp/rootfile` (0644).
fn fixture() -> (Arc<Kernel>, Pid) {
    let k = boot();
    k.mkdir(INIT, "/tmp/d", 0o755).unwrap();
    echo(&k, INIT, "/tmp/d/f", "hello").unwrap();
    k.mkdir(INIT, "/tmp/d/e", 0o755).unwrap();
    k.mkdir(INIT, "/tmp/priv", 0o700).unwrap();
    k.mkdir(INIT, "/tmp/priv/x", 0o755).unwrap();
    k.mkdir(INIT, "/tmp/ro", 0o755).unwrap();
    echo(&k, INIT, "/tmp/rootfile", "r").unwrap();
    let user = user_process(&k, 1000);
    echo(&k, user, "/tmp/mine", "m").unwrap();
    (k, user)
}

#[test]
fn errno_table() {
    let long_name = "n".repeat(256);
    let long_path = format!("/{}", "a/".repeat(PATH_MAX / 2));
    // (as user?, op, path, expected)
    let cases: Vec<(bool, Op, String, Option<Errno>)> = vec![
        (false, Op::Stat, "/tmp/d/f".into(), None),
        (false, Op::Stat, "/tmp//d///f".into(), None),
        (false, Op::Stat, "/tmp/d/./e/../f".into(), None),
        (false, Op::Stat, "/../../tmp/d".into(), None),
        (false, Op::Stat, "".into(), Some(Errno::ENOENT)),
        (false, Op::Stat, "/tmp/nope".into(), Some(Errno::ENOENT)),
        (false, Op::Stat, "/tmp/d/f/".into(), Some(Errno::ENOTDIR)),
        (false, Op::Stat, "/tmp/d/f/x".into(), Some(Errno::ENOTDIR)),
        (false, Op::Stat, "/tmp/d/f/..".into(), Some(Errno::ENOTDIR)),
        (
            false,
            Op::Stat,
            format!("/tmp/{long_name}"),
            Some(Errno::ENAMETOOLONG),
        ),
        (false, Op::Stat, long_path, Some(Errno::ENAMETOOLONG)),
        (false, Op::Mkdir, "/tmp/d".into(), Some(Errno::EEXIST)),
        (false, Op::Mkdir, "/tmp/d/f".into(), Some(Errno::EEXIST)),
        (false, Op::Mkdir, "/".into(), Some(Errno::EEXIST)),
        (false, Op::Mkdir, "/tmp/x/y".into(), Some(Errno::ENOENT)),
        (false, Op::Mkdir, "/tmp/d/f/y".into(), Some(Errno::ENOTDIR)),
        (false, Op::Mkdir, "/tmp/new/".into(), None),
        (false, Op::Rmdir, "/tmp/d".into(), Some(Errno::ENOTEMPTY)),
        (false, Op::Rmdir, "/tmp/d/e".into(), None),
        (false, Op::Rmdir, "/tmp/d/f".into(), Some(Errno::ENOTDIR)),
        (false, Op::Rmdir, "/tmp/d/e/.".into(), Some(Errno::EINVAL)),
        (
            false,
            Op::Rmdir,
            "/tmp/d/e/..".into(),
            Some(Errno::ENOTEMPTY),
        ),
        (false, Op::Rmdir, "/".into(), Some(Errno::EBUSY)),
        (false, Op::Rmdir, "/proc".into(), Some(Errno::EBUSY)),
        (
            false,
            Op::Rmdir,
            "/sys/fs/cgroup".into(),
            Some(Errno::EBUSY),
        ),
        (false, Op::Unlink, "/tmp/d".into(), Some(Errno::EISDIR)),
        (false, Op::Unlink, "/tmp/d/f".into(), None),
        (false, Op::Unlink, "/tmp/d/zz".into(), Some(Errno::ENOENT)),
        (false, Op::OpenWrite, "/tmp/d".into(), Some(Errno::EISDIR)),
        (false, Op::OpenRead, "/tmp/d".into(), None),
        (false, Op::Create, "/tmp/d/".into(), Some(Errno::EISDIR)),
        (false, Op::Create, "/tmp/d/g/".into(), Some(Errno::EISDIR)),
        (
            false,
            Op::Create,
            "/tmp/nodir/g".into(),
            Some(Errno::ENOENT),
        ),
        (
            false,
            Op::CreateExcl,
            "/tmp/d/f".into(),
            Some(Errno::EEXIST),
        ),
        (false, Op::CreateExcl, "/tmp/d/g".into(), None),
        // /proc's lookup fails with ENOENT itself (proc_pid_lookup), so O_CREAT gets it.
        (
            false,
            Op::Create,
            "/proc/newfile".into(),
            Some(Errno::ENOENT),
        ),
        (false, Op::Mkdir, "/proc/newdir".into(), Some(Errno::EPERM)),
        (false, Op::Chdir, "/tmp/d/f".into(), Some(Errno::ENOTDIR)),
        (false, Op::Readdir, "/tmp/d/f".into(), Some(Errno::ENOTDIR)),
        // Root bypasses modes; a user does not.
        (false, Op::Stat, "/tmp/priv/x".into(), None),
        (true, Op::Stat, "/tmp/priv/x".into(), Some(Errno::EACCES)),
        (true, Op::Readdir, "/tmp/priv".into(), Some(Errno::EACCES)),
        (true, Op::Chdir, "/tmp/priv".into(), Some(Errno::EACCES)),
        (true, Op::Mkdir, "/tmp/ro/x".into(), Some(Errno::EACCES)),
        (true, Op::Mkdir, "/tmp/ro".into(), Some(Errno::EEXIST)),
        (true, Op::Create, "/tmp/ro/x".into(), Some(Errno::EACCES)),
        (
            true,
            Op::OpenWrite,
            "/tmp/rootfile".into(),
            Some(Errno::EACCES),
        ),
        (true, Op::OpenRead, "/tmp/rootfile".into(), None),
        (true, Op::OpenWrite, "/tmp/mine".into(), None),
        (true, Op::OpenWrite, "/dev/null".into(), None),
        (
            true,
            Op::OpenWrite,
            "/dev/console".into(),
            Some(Errno::EACCES),
        ),
        (true, Op::Mkdir, "/tmp/userdir".into(), None),
        (true, Op::Mkdir, "/newtop".into(), Some(Errno::EACCES)),
        (
            true,
            Op::Mkdir,
            "/sys/fs/cgroup/x".into(),
            Some(Errno::EACCES),
        ),
        (false, Op::Mkdir, "/sys/fs/cgroup/x".into(), None),
        // Sticky /tmp: a user cannot remove root's file, but can remove their own.
        (true, Op::Unlink, "/tmp/rootfile".into(), Some(Errno::EPERM)),
        (true, Op::Unlink, "/tmp/mine".into(), None),
        (false, Op::Unlink, "/tmp/mine".into(), None),
    ];
    for (as_user, op, path, want) in cases {
        let (k, user) = fixture();
        let pid = if as_user { user } else { INIT };
        let short: String = path.chars().take(40).collect();
        assert_eq!(
            run(&k, pid, op, &path),
            want,
            "{op:?} {short} as_user={as_user}"
        );
        k.check_invariants();
    }
}

#[test]
fn file_content_offsets_and_modes() {
    let k = boot();
    echo(&k, INIT, "/tmp/a", "one\n").unwrap();
    assert_eq!(cat(&k, INIT, "/tmp/a").unwrap(), "one\n");
    // >> appends, > truncates.
    let fd = k
        .open(INIT, "/tmp/a", OpenFlags::REDIRECT_APPEND, 0o644)
        .unwrap();
    k.write(INIT, fd, b"two\n").unwrap();
    k.close(INIT, fd).unwrap();
    assert_eq!(cat(&k, INIT, "/tmp/a").unwrap(), "one\ntwo\n");
    echo(&k, INIT, "/tmp/a", "3").unwrap();
    assert_eq!(cat(&k, INIT, "/tmp/a").unwrap(), "3");
    // umask 022 applies to creation modes; the creator owns the file.
    let st = k.stat(INIT, "/tmp/a").unwrap();
    assert_eq!(
        (st.mode, st.uid, st.file_type),
        (0o644, 0, FileType::Regular)
    );
    let user = user_process(&k, 1000);
    k.mkdir(user, "/tmp/u", 0o777).unwrap();
    let st = k.stat(user, "/tmp/u").unwrap();
    assert_eq!((st.mode, st.uid, st.gid), (0o755, 1000, 1000));
    assert_eq!(k.stat(INIT, "/tmp").unwrap().mode, 0o1777);
    assert_eq!(k.umask(user, 0o077).unwrap(), 0o022);
    k.mkdir(user, "/tmp/private", 0o777).unwrap();
    assert_eq!(k.stat(user, "/tmp/private").unwrap().mode, 0o700);
    assert_eq!(k.stat(INIT, "/").unwrap().fs_magic, RAMFS_MAGIC);
    assert_eq!(
        k.stat(INIT, "/sys/fs/cgroup").unwrap().fs_magic,
        TMPFS_MAGIC
    );
    // Reading a write-only fd and writing a read-only fd are EBADF.
    let fd = k.open(INIT, "/tmp/a", OpenFlags::WRONLY, 0).unwrap();
    assert_eq!(errno(k.read(INIT, fd, &mut [0u8; 4])), Some(Errno::EBADF));
    let fd2 = k.open(INIT, "/tmp/a", OpenFlags::RDONLY, 0).unwrap();
    assert_eq!(errno(k.write(INIT, fd2, b"x")), Some(Errno::EBADF));
    assert_eq!(errno(k.close(INIT, Fd(99))), Some(Errno::EBADF));
    // A directory opened for reading refuses read(2).
    let d = k.open(INIT, "/tmp", OpenFlags::RDONLY, 0).unwrap();
    assert_eq!(errno(k.read(INIT, d, &mut [0u8; 4])), Some(Errno::EISDIR));
    k.check_invariants();
}

#[test]
fn cwd_relative_paths_and_getcwd() {
    let k = boot();
    k.mkdir(INIT, "/tmp/w", 0o755).unwrap();
    k.chdir(INIT, "/tmp/w").unwrap();
    k.mkdir(INIT, "sub", 0o755).unwrap();
    k.chdir(INIT, "sub/../sub/.").unwrap();
    assert_eq!(k.getcwd(INIT).unwrap(), "/tmp/w/sub");
    echo(&k, INIT, "../f", "x").unwrap();
    assert_eq!(cat(&k, INIT, "/tmp/w/f").unwrap(), "x");
    // A child inherits the working directory.
    let child = k.fork(INIT).unwrap();
    assert_eq!(k.getcwd(child).unwrap(), "/tmp/w/sub");
    // `..` out of a mount goes through its mount point.
    k.chdir(INIT, "/proc/..").unwrap();
    assert_eq!(k.getcwd(INIT).unwrap(), "/");
    k.chdir(INIT, "/sys/fs/cgroup/..").unwrap();
    assert_eq!(k.getcwd(INIT).unwrap(), "/sys/fs");
    // A removed working directory: getcwd says ENOENT.
    k.rmdir(INIT, "/tmp/w/sub").unwrap();
    assert_eq!(errno(k.getcwd(child)), Some(Errno::ENOENT));
}

#[test]
fn readdir_sorted_and_boot_layout() {
    let k = boot();
    let names = |p: &str| -> Vec<String> {
        k.readdir(INIT, p)
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect()
    };
    // The 2.6.35 preset's RHEL 6 userland has /cgroup (libcgroup's) and /etc/mtab.
    assert_eq!(
        names("/"),
        ["cgroup", "dev", "etc", "proc", "root", "sys", "tmp"]
    );
    assert_eq!(
        names("/etc"),
        [
            "cgconfig.conf",
            "cgrules.conf",
            "cgsnapshot_blacklist.conf",
            "group",
            "mtab",
            "passwd",
            "sysconfig"
        ]
    );
    assert_eq!(
        cat(&k, INIT, "/etc/mtab").unwrap(),
        "rootfs / rootfs rw 0 0\nproc /proc proc rw 0 0\ntmpfs /sys/fs/cgroup tmpfs rw 0 0\n"
    );
    assert!(names("/cgroup").is_empty());
    // The later presets follow RHEL 7 and Debian: neither.
    let k310 = Kernel::boot(cgsim_cgroupfs::BootParams::for_kernel(
        cgsim_cgroupfs::KernelVersion::V3_10,
    ));
    let root310: Vec<String> = k310
        .readdir(INIT, "/")
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert!(!root310.iter().any(|n| n == "cgroup"), "{root310:?}");
    assert_eq!(errno(k310.stat(INIT, "/etc/mtab")), Some(Errno::ENOENT));
    assert_eq!(names("/etc/sysconfig"), ["cgconfig", "cgred.conf"]);
    assert_eq!(names("/dev"), ["console", "null", "shm", "zero"]);
    assert!(names("/sys/fs/cgroup").is_empty());
    k.mkdir(INIT, "/tmp/b", 0o755).unwrap();
    k.mkdir(INIT, "/tmp/a", 0o755).unwrap();
    echo(&k, INIT, "/tmp/c", "").unwrap();
    assert_eq!(names("/tmp"), ["a", "b", "c"]);
    // /dev/null swallows writes and reads as EOF.
    echo(&k, INIT, "/dev/null", "gone").unwrap();
    assert_eq!(cat(&k, INIT, "/dev/null").unwrap(), "");
}

#[test]
fn tmpfs_mount_and_umount() {
    let k = boot();
    k.mkdir(INIT, "/tmp/m", 0o755).unwrap();
    echo(&k, INIT, "/tmp/m/under", "u").unwrap();
    k.mount(INIT, "none", "/tmp/m", "tmpfs", false, Some("mode=700"))
        .unwrap();
    assert!(
        k.readdir(INIT, "/tmp/m").unwrap().is_empty(),
        "covers the old contents"
    );
    assert_eq!(k.stat(INIT, "/tmp/m").unwrap().mode, 0o700);
    assert!(
        cat(&k, INIT, "/proc/mounts")
            .unwrap()
            .contains("none /tmp/m tmpfs rw,relatime,mode=700 0 0\n")
    );
    k.mkdir(INIT, "/tmp/m/inner", 0o755).unwrap();
    k.mount(INIT, "none", "/tmp/m/inner", "tmpfs", false, None)
        .unwrap();
    assert_eq!(errno(k.umount(INIT, "/tmp/m")), Some(Errno::EBUSY));
    assert_eq!(errno(k.rmdir(INIT, "/tmp/m/inner")), Some(Errno::EBUSY));
    k.umount(INIT, "/tmp/m/inner").unwrap();
    k.umount(INIT, "/tmp/m").unwrap();
    assert_eq!(cat(&k, INIT, "/tmp/m/under").unwrap(), "u");
    let cases = [
        ("/tmp/m", "tmpfs", Some(Errno::EINVAL), true),
        ("/tmp/nope", "tmpfs", Some(Errno::ENOENT), false),
        ("/tmp/m/under", "tmpfs", Some(Errno::ENOTDIR), false),
        ("/tmp/m", "ext4", Some(Errno::ENODEV), false),
    ];
    for (target, fstype, want, is_umount) in cases {
        let r = if is_umount {
            k.umount(INIT, target)
        } else {
            k.mount(INIT, "none", target, fstype, false, None)
        };
        assert_eq!(errno(r), want, "{target} {fstype}");
    }
    let user = user_process(&k, 1000);
    assert_eq!(
        errno(k.mount(user, "none", "/tmp/m", "tmpfs", false, None)),
        Some(Errno::EPERM)
    );
    assert_eq!(errno(k.umount(user, "/proc")), Some(Errno::EPERM));
    assert_eq!(errno(k.umount(INIT, "/")), Some(Errno::EBUSY));
    k.check_invariants();
}

#[test]
fn access_uses_real_ids() {
    let k = boot();
    echo(&k, INIT, "/tmp/rootonly", "x").unwrap();
    let p = k.fork(INIT).unwrap();
    // Real uid 1000, effective root (a setuid-root program).
    let cred = cgsim_ktypes::Cred {
        euid: cgsim_ktypes::Uid(0),
        ..cgsim_ktypes::Cred::user(1000)
    };
    k.set_cred(p, cred).unwrap();
    assert_eq!(
        errno(k.access(p, "/tmp/rootonly", cgsim_cgroupfs::W_OK)),
        Some(Errno::EACCES)
    );
    assert_eq!(
        errno(k.access(p, "/tmp/rootonly", cgsim_cgroupfs::R_OK)),
        None
    );
    assert_eq!(
        errno(k.access(p, "/tmp/none", cgsim_cgroupfs::F_OK)),
        Some(Errno::ENOENT)
    );
    assert_eq!(errno(k.access(p, "/tmp", 8)), Some(Errno::EINVAL));
    // ...while open uses the effective ids.
    assert!(k.open(p, "/tmp/rootonly", OpenFlags::WRONLY, 0).is_ok());
}

#[test]
fn chmod_chown_rules() {
    let k = boot();
    let u = user_process(&k, 1000);
    echo(&k, u, "/tmp/mine", "x").unwrap();
    echo(&k, INIT, "/tmp/theirs", "x").unwrap();
    // (as user?, op, path, expected)
    let cases: [(bool, &str, &str, Option<Errno>); 8] = [
        (true, "chmod 600", "/tmp/mine", None),
        (true, "chmod 600", "/tmp/theirs", Some(Errno::EPERM)),
        (true, "chown 0", "/tmp/mine", Some(Errno::EPERM)),
        (true, "chgrp 1000", "/tmp/mine", None),
        (true, "chgrp 0", "/tmp/mine", Some(Errno::EPERM)),
        (false, "chown 1000", "/tmp/theirs", None),
        (false, "chmod 600", "/proc/self", Some(Errno::EPERM)),
        (false, "chmod 600", "/nope", Some(Errno::ENOENT)),
    ];
    for (as_user, op, path, want) in cases {
        let pid = if as_user { u } else { INIT };
        let (cmd, arg) = op.split_once(' ').unwrap();
        let n: u32 = arg.parse().unwrap();
        let r = match cmd {
            "chmod" => k.chmod(pid, path, u32::from_str_radix(arg, 8).unwrap()),
            "chown" => k.chown(pid, path, Some(n), None),
            _ => k.chown(pid, path, None, Some(n)),
        };
        assert_eq!(errno(r), want, "{op} {path} as_user={as_user}");
    }
    assert_eq!(k.stat(INIT, "/tmp/mine").unwrap().mode, 0o600);
    assert_eq!(k.stat(INIT, "/tmp/theirs").unwrap().uid, 1000);
    // The owner of a 0600 file is the only non-root reader.
    let other = user_process(&k, 2000);
    assert_eq!(
        errno(k.open(other, "/tmp/mine", OpenFlags::RDONLY, 0)),
        Some(Errno::EACCES)
    );
}

#[test]
fn umount_busy_while_in_use() {
    let k = boot();
    k.mkdir(INIT, "/tmp/m", 0o755).unwrap();
    k.mount(INIT, "none", "/tmp/m", "tmpfs", false, None)
        .unwrap();
    let c = k.fork(INIT).unwrap();
    k.chdir(c, "/tmp/m").unwrap();
    assert_eq!(
        errno(k.umount(INIT, "/tmp/m")),
        Some(Errno::EBUSY),
        "cwd inside"
    );
    k.chdir(c, "/").unwrap();
    let fd = k
        .open(c, "/tmp/m/f", OpenFlags::REDIRECT_TRUNC, 0o644)
        .unwrap();
    assert_eq!(
        errno(k.umount(INIT, "/tmp/m")),
        Some(Errno::EBUSY),
        "open file"
    );
    k.close(c, fd).unwrap();
    k.umount(INIT, "/tmp/m").unwrap();
}

/// `pipe(2)` (fs/pipe.c): data in order, EAGAIN while a writer remains, end of file once every
/// writer is closed (also through fork and exit), EPIPE once no reader is left.
#[test]
fn pipe_semantics() {
    let k = boot();
    let (r, w) = k.pipe(INIT).unwrap();
    assert_eq!((r.0, w.0), (3, 4), "lowest free fds, read end first");
    let mut buf = [0u8; 8];
    assert_eq!(errno(k.read(INIT, r, &mut buf)), Some(Errno::EAGAIN));
    assert_eq!(errno(k.read(INIT, w, &mut buf)), Some(Errno::EBADF));
    assert_eq!(errno(k.write(INIT, r, b"x")), Some(Errno::EBADF));
    k.write(INIT, w, b"hello ").unwrap();
    k.write(INIT, w, b"world").unwrap();
    assert_eq!(k.read(INIT, r, &mut buf).unwrap(), 8);
    assert_eq!(&buf, b"hello wo");
    // A child holds copies of both ends; the write end stays open until it exits.
    let child = k.fork(INIT).unwrap();
    k.close(INIT, w).unwrap();
    assert_eq!(k.read(INIT, r, &mut buf).unwrap(), 3);
    assert_eq!(errno(k.read(INIT, r, &mut buf)), Some(Errno::EAGAIN));
    k.exit(child, 0);
    assert_eq!(k.read(INIT, r, &mut buf).unwrap(), 0, "end of file");
    let (r2, w2) = k.pipe(INIT).unwrap();
    k.close(INIT, r2).unwrap();
    assert_eq!(errno(k.write(INIT, w2, b"x")), Some(Errno::EPIPE));
    k.check_invariants();
}

/// `/dev/zero` reads zeros and swallows writes, and `fd_endless` tells a reader it never ends;
/// a filesystem holds at most half of RAM in file data (tmpfs's `size=50%`): a write past it is
/// short, the next one fails with ENOSPC, and rewriting bytes a file has still works.
#[test]
fn dev_zero_and_a_full_filesystem() {
    let k = boot();
    let st = k.stat(INIT, "/dev/zero").unwrap();
    assert_eq!(
        (st.file_type, st.rdev),
        (cgsim_cgroupfs::FileType::CharDevice, Some((1, 5)))
    );
    assert_eq!(k.stat(INIT, "/dev/null").unwrap().rdev, Some((1, 3)));
    let z = k.open(INIT, "/dev/zero", OpenFlags::RDWR, 0).unwrap();
    let mut buf = [1u8; 100];
    assert_eq!(k.read(INIT, z, &mut buf).unwrap(), 100);
    assert!(buf.iter().all(|&b| b == 0));
    assert_eq!(k.write(INIT, z, b"gone").unwrap(), 4);
    assert!(k.fd_endless(INIT, z));

    // boot() has 16 MiB of RAM: 8 MiB of file data fit, /etc's files included.
    const MIB: usize = 1 << 20;
    let files_of = |dir: &str| -> usize {
        k.readdir(INIT, dir)
            .unwrap()
            .iter()
            .map(|e| k.stat(INIT, &format!("{dir}/{}", e.name)).unwrap())
            .filter(|st| st.file_type == FileType::Regular)
            .map(|st| st.size as usize)
            .sum()
    };
    let etc = files_of("/etc") + files_of("/etc/sysconfig");
    let f = k
        .open(INIT, "/big", OpenFlags::REDIRECT_TRUNC, 0o644)
        .unwrap();
    assert!(!k.fd_endless(INIT, f));
    assert_eq!(k.write(INIT, f, &vec![7u8; 6 * MIB]).unwrap(), 6 * MIB);
    assert_eq!(
        k.write(INIT, f, &vec![7u8; 3 * MIB]).unwrap(),
        2 * MIB - etc
    );
    assert_eq!(errno(k.write(INIT, f, b"x")), Some(Errno::ENOSPC));
    assert_eq!(k.stat(INIT, "/big").unwrap().size, (8 * MIB - etc) as u64);
    let g = k.open(INIT, "/big", OpenFlags::WRONLY, 0).unwrap();
    assert_eq!(
        k.write(INIT, g, &[1u8; 4096]).unwrap(),
        4096,
        "rewrites fit"
    );
    assert_eq!(
        errno(
            k.open(INIT, "/other", OpenFlags::REDIRECT_TRUNC, 0o644)
                .and_then(|o| k.write(INIT, o, b"y"))
        ),
        Some(Errno::ENOSPC),
        "the limit is the filesystem's, not the file's"
    );
    k.close(INIT, f).unwrap();
    let f = k
        .open(INIT, "/big", OpenFlags::REDIRECT_TRUNC, 0o644)
        .unwrap();
    assert_eq!(k.write(INIT, f, b"room again").unwrap(), 10);
    k.check_invariants();
}
