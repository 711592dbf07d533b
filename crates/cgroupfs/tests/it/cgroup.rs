//! The cgroup scenarios of the kernel's `Documentation/cgroups/cgroups.txt` (2.6.35 preset), driven through the Kernel API
//! the way a shell runs `mount`, `mkdir`, `echo` and `cat`.
//! Source: `kernel/cgroup.c` `cgroup_get_sb`, `cgroup_populate_dir`, `cgroup_test_super`, `rebind_subsystems`, v2.6.34 (memory.* files come with memcg).

use super::*;
use cgsim_cgroupfs::{FileType, Signal};

const CG: &str = "/sys/fs/cgroup/memory";

fn mounted() -> Arc<Kernel> {
    let k = boot();
    k.mkdir(INIT, CG, 0o755).unwrap();
    k.mount(INIT, "cgroup", CG, "cgroup", false, Some("memory"))
        .unwrap();
    k
}

fn names(k: &Kernel, path: &str) -> Vec<String> {
    k.readdir(INIT, path)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect()
}

#[test]
fn scenario_15_3_1_mount_and_defaults() {
    let k = mounted();
    let entries = names(&k, CG);
    for f in [
        "tasks",
        "cgroup.procs",
        "notify_on_release",
        "cgroup.event_control",
        "release_agent",
    ] {
        assert!(entries.iter().any(|e| e == f), "{f} in {entries:?}");
    }
    assert_eq!(
        cat(&k, INIT, &format!("{CG}/notify_on_release")).unwrap(),
        "0\n"
    );
    assert_eq!(cat(&k, INIT, &format!("{CG}/release_agent")).unwrap(), "\n");
    let st = k.stat(INIT, CG).unwrap();
    assert_eq!((st.file_type, st.fs_magic), (FileType::Directory, 0x27e0eb));
    let modes: Vec<(String, u32)> = ["tasks", "cgroup.procs", "cgroup.event_control"]
        .iter()
        .map(|f| {
            (
                f.to_string(),
                k.stat(INIT, &format!("{CG}/{f}")).unwrap().mode,
            )
        })
        .collect();
    assert_eq!(
        modes,
        [
            ("tasks".into(), 0o644),
            ("cgroup.procs".into(), 0o444),
            ("cgroup.event_control".into(), 0o222)
        ]
    );
    // Every task starts in the top cgroup.
    let c = k.fork(INIT).unwrap();
    assert_eq!(
        cat(&k, INIT, &format!("{CG}/tasks")).unwrap(),
        format!("1\n{c}\n")
    );
    assert!(
        cat(&k, INIT, "/proc/mounts")
            .unwrap()
            .ends_with("cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n")
    );
    assert_eq!(cat(&k, c, "/proc/self/cgroup").unwrap(), "1:memory:/\n");
    let pc = cat(&k, INIT, "/proc/cgroups").unwrap();
    assert!(
        pc.starts_with("#subsys_name\thierarchy\tnum_cgroups\tenabled\n"),
        "{pc}"
    );
    assert!(
        pc.contains("memory\t1\t1\t1\n") && pc.contains("cpu\t0\t1\t1\n"),
        "{pc}"
    );
}

#[test]
fn scenario_15_3_2_second_mounts() {
    let k = mounted();
    for d in ["/tmp/b", "/tmp/c", "/tmp/d", "/tmp/e", "/tmp/f"] {
        k.mkdir(INIT, d, 0o755).unwrap();
    }
    let cases = [
        ("/tmp/b", "memory", None),
        ("/tmp/c", "memory,cpu", Some(Errno::EBUSY)),
        ("/tmp/c", "bogus", Some(Errno::ENOENT)),
        ("/tmp/c", "memory,,cpu", Some(Errno::EINVAL)),
        ("/tmp/c", "noprefix,memory", Some(Errno::EINVAL)),
        (CG, "memory", Some(Errno::EBUSY)),
        ("/tmp/nope", "memory", Some(Errno::ENOENT)),
    ];
    for (target, opts, want) in cases {
        assert_eq!(
            errno(k.mount(INIT, "cgroup", target, "cgroup", false, Some(opts))),
            want,
            "{target} -o {opts}"
        );
    }
    // The same hierarchy is visible twice.
    k.mkdir(INIT, &format!("{CG}/A"), 0o755).unwrap();
    assert!(names(&k, "/tmp/b").contains(&"A".to_string()));
    // Mounting over a file is ENOTDIR (after the options were accepted).
    echo(&k, INIT, "/tmp/file", "").unwrap();
    assert_eq!(
        errno(k.mount(INIT, "cgroup", "/tmp/file", "cgroup", false, Some("cpu"))),
        Some(Errno::ENOTDIR)
    );
    // ...and did not leave a cpu hierarchy behind.
    k.mount(
        INIT,
        "cgroup",
        "/tmp/d",
        "cgroup",
        false,
        Some("cpu,cpuacct"),
    )
    .unwrap();
    assert_eq!(
        cat(&k, INIT, "/proc/self/cgroup").unwrap().lines().count(),
        2
    );
    assert_eq!(errno(k.umount(INIT, "/tmp/d/.")), None);
    assert_eq!(errno(k.umount(INIT, "/tmp/e")), Some(Errno::EINVAL));
    k.check_invariants();
}

#[test]
fn scenario_15_3_4_attach_through_tasks() {
    let k = mounted();
    let a = format!("{CG}/A");
    k.mkdir(INIT, &a, 0o755).unwrap();
    let sh = k.fork(INIT).unwrap();
    // A tasks reader opened now keeps its snapshot.
    let before = k
        .open(INIT, &format!("{CG}/tasks"), OpenFlags::RDONLY, 0)
        .unwrap();
    echo(&k, sh, &format!("{a}/tasks"), &format!("{sh}\n")).unwrap();
    assert_eq!(
        cat(&k, INIT, &format!("{a}/tasks")).unwrap(),
        format!("{sh}\n")
    );
    assert_eq!(cat(&k, INIT, &format!("{CG}/tasks")).unwrap(), "1\n");
    assert_eq!(
        String::from_utf8(read_all(&k, INIT, before).unwrap()).unwrap(),
        format!("1\n{sh}\n"),
        "snapshot taken at open"
    );
    assert_eq!(cat(&k, sh, "/proc/self/cgroup").unwrap(), "1:memory:/A\n");
    // `0` means the writer; children inherit the cgroup; sorted output.
    let w = k.fork(INIT).unwrap();
    echo(&k, w, &format!("{a}/tasks"), "0").unwrap();
    let child = k.fork(sh).unwrap();
    assert_eq!(
        cat(&k, INIT, &format!("{a}/tasks")).unwrap(),
        format!("{sh}\n{w}\n{child}\n")
    );
    let cases = [
        ("999999", Errno::ESRCH),
        ("x", Errno::EINVAL),
        ("1 2", Errno::EINVAL),
        ("", Errno::EINVAL),
    ];
    for (data, want) in cases {
        assert_eq!(
            errno(echo(&k, INIT, &format!("{a}/tasks"), data)),
            Some(want),
            "{data:?}"
        );
    }
    // A non-root process may move itself, not root's processes, and may not open root-owned
    // 0644 control files for writing at all.
    let user = user_process(&k, 1000);
    assert_eq!(
        errno(echo(&k, user, &format!("{a}/tasks"), "0")),
        Some(Errno::EACCES)
    );
    assert_eq!(
        errno(k.open(
            user,
            &format!("{a}/notify_on_release"),
            OpenFlags::WRONLY,
            0
        )),
        Some(Errno::EACCES)
    );
    assert_eq!(
        errno(k.mkdir(user, &format!("{a}/U"), 0o755)),
        Some(Errno::EACCES)
    );
    assert!(cat(&k, user, &format!("{a}/tasks")).is_ok());
    k.check_invariants();
}

#[test]
fn scenario_15_3_5_rmdir_rules() {
    let k = mounted();
    let a = format!("{CG}/A");
    k.mkdir(INIT, &a, 0o755).unwrap();
    assert_eq!(errno(k.mkdir(INIT, &a, 0o755)), Some(Errno::EEXIST));
    assert_eq!(
        errno(k.mkdir(INIT, &format!("{CG}/tasks"), 0o755)),
        Some(Errno::EEXIST)
    );
    let p = k.fork(INIT).unwrap();
    echo(&k, INIT, &format!("{a}/tasks"), &p.to_string()).unwrap();
    assert_eq!(errno(k.rmdir(INIT, &a)), Some(Errno::EBUSY));
    echo(&k, INIT, &format!("{CG}/tasks"), &p.to_string()).unwrap();
    k.mkdir(INIT, &format!("{a}/B"), 0o755).unwrap();
    assert_eq!(errno(k.rmdir(INIT, &a)), Some(Errno::EBUSY));
    k.rmdir(INIT, &format!("{a}/B")).unwrap();
    // An fd open on a control file of A sees ENODEV after A is gone (`kernel/cgroup.c` `cgroup_file_read`, `cgroup_file_write`, v2.6.34).
    let fd = k
        .open(INIT, &format!("{a}/notify_on_release"), OpenFlags::RDWR, 0)
        .unwrap();
    k.rmdir(INIT, &a).unwrap();
    assert_eq!(errno(k.read(INIT, fd, &mut [0u8; 8])), Some(Errno::ENODEV));
    assert_eq!(errno(k.write(INIT, fd, b"1")), Some(Errno::ENODEV));
    assert_eq!(errno(k.stat(INIT, &a)), Some(Errno::ENOENT));
    assert_eq!(errno(k.rmdir(INIT, CG)), Some(Errno::EBUSY));
    assert_eq!(
        errno(k.unlink(INIT, &format!("{CG}/tasks"))),
        Some(Errno::EPERM)
    );
    assert_eq!(
        errno(echo(&k, INIT, &format!("{CG}/newfile"), "x")),
        Some(Errno::EACCES)
    );
    k.check_invariants();
}

#[test]
fn scenario_15_3_8_release_agent_logged() {
    let k = mounted();
    let a = format!("{CG}/A");
    k.mkdir(INIT, &a, 0o755).unwrap();
    echo(&k, INIT, &format!("{CG}/release_agent"), "/sbin/agent").unwrap();
    assert_eq!(
        cat(&k, INIT, &format!("{CG}/release_agent")).unwrap(),
        "/sbin/agent\n"
    );
    echo(&k, INIT, &format!("{a}/notify_on_release"), "1").unwrap();
    let p = k.fork(INIT).unwrap();
    echo(&k, INIT, &format!("{a}/tasks"), &p.to_string()).unwrap();
    assert!(k.release_agent_log().is_empty());
    // Move the only task out: the agent would be executed.
    echo(&k, INIT, &format!("{CG}/tasks"), &p.to_string()).unwrap();
    let log = k.release_agent_log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].argv, ["/sbin/agent", "/A"]);
    assert_eq!(
        log[0].envp,
        ["HOME=/", "PATH=/sbin:/bin:/usr/sbin:/usr/bin"]
    );
    let lines: Vec<String> = k.klog().lines().into_iter().map(|l| l.text).collect();
    assert!(lines.contains(
        &"cgroup: release_agent: exec /sbin/agent /A (HOME=/ PATH=/sbin:/bin:/usr/sbin:/usr/bin)".to_string()
    ));
    // By exit: the last task of A dies.
    echo(&k, INIT, &format!("{a}/tasks"), &p.to_string()).unwrap();
    k.kill(INIT, p, Signal::SIGKILL).unwrap();
    assert_eq!(k.release_agent_log().len(), 2);
    // mount shows the agent.
    assert!(
        cat(&k, INIT, "/proc/mounts")
            .unwrap()
            .contains("cgroup rw,relatime,memory,release_agent=/sbin/agent 0 0\n")
    );
    assert!(k.klog().warnings().is_empty(), "{:?}", k.klog().warnings());
}

#[test]
fn umount_keeps_a_hierarchy_with_children() {
    let k = mounted();
    k.mkdir(INIT, &format!("{CG}/A"), 0o755).unwrap();
    k.umount(INIT, CG).unwrap();
    assert!(names(&k, CG).is_empty(), "the tmpfs directory shows again");
    assert_eq!(
        cat(&k, INIT, "/proc/self/cgroup").unwrap(),
        "1:memory:/\n",
        "hierarchy lingers"
    );
    k.mount(INIT, "cgroup", CG, "cgroup", false, Some("memory"))
        .unwrap();
    assert!(names(&k, CG).contains(&"A".to_string()), "reattached");
    k.rmdir(INIT, &format!("{CG}/A")).unwrap();
    k.umount(INIT, CG).unwrap();
    assert_eq!(
        cat(&k, INIT, "/proc/self/cgroup").unwrap(),
        "",
        "kill_sb ran"
    );
    // Remount through the remount flag: -o memory,cpu on an empty hierarchy rebinds.
    k.mount(INIT, "cgroup", CG, "cgroup", false, Some("memory"))
        .unwrap();
    k.mount(INIT, "cgroup", CG, "cgroup", true, Some("memory,cpu"))
        .unwrap();
    assert!(
        cat(&k, INIT, "/proc/mounts")
            .unwrap()
            .contains(" cgroup rw,relatime,cpu,memory 0 0\n"),
        "remount puts cpu at the head (`kernel/cgroup.c` `rebind_subsystems`, `cgroup_create`, `cgroup_attach_task`, v2.6.34)"
    );
    assert_eq!(
        errno(k.mount(INIT, "cgroup", "/tmp", "cgroup", true, Some("cpu"))),
        Some(Errno::EINVAL)
    );
    k.check_invariants();
}

#[test]
fn write_parsing_through_the_vfs() {
    // `kernel/cgroup.c` `cgroup_file_write`, `cgroup_write_X64` (2.6.34): write_u64 files strip whitespace, refuse leftovers and 64-byte
    // writes; write_string files (release_agent) take up to PATH_MAX - 1 bytes.
    let k = mounted();
    let nor = format!("{CG}/notify_on_release");
    let ra = format!("{CG}/release_agent");
    let long64 = format!("{}1", " ".repeat(63));
    let cases: [(&str, String, Option<Errno>, &str); 8] = [
        (&nor, "1\n".into(), None, "1\n"),
        (&nor, " 0 \n".into(), None, "0\n"),
        (&nor, "0x1".into(), None, "1\n"),
        (&nor, "1x".into(), Some(Errno::EINVAL), "1\n"),
        (&nor, "".into(), Some(Errno::EINVAL), "1\n"),
        (&nor, long64, Some(Errno::E2BIG), "1\n"),
        (&ra, "/sbin/agent\n".into(), None, "/sbin/agent\n"),
        (&ra, "a".repeat(4096), Some(Errno::E2BIG), "/sbin/agent\n"),
    ];
    for (file, data, want, after) in cases {
        assert_eq!(
            errno(echo(&k, INIT, file, &data)),
            want,
            "{file} <- {:?}",
            &data[..data.len().min(10)]
        );
        assert_eq!(cat(&k, INIT, file).unwrap(), after);
    }
    // One write(2) is one handler call: a second number in the same write is not a second pid.
    let fd = k
        .open(INIT, &format!("{CG}/tasks"), OpenFlags::WRONLY, 0)
        .unwrap();
    assert_eq!(errno(k.write(INIT, fd, b"1\n1\n")), Some(Errno::EINVAL));
    assert_eq!(k.write(INIT, fd, b"1\n").unwrap(), 2);
    // A file without a read handler: EINVAL on read; opening a write-only file for reading as
    // root is allowed by the mode bypass.
    assert_eq!(
        errno(cat(&k, INIT, &format!("{CG}/cgroup.event_control"))),
        Some(Errno::EINVAL)
    );
}

/// `release_agent` through the VFS keeps bytes (2.6.35 `cgroup_release_agent_write` strcpy's
/// the stripped C string; `_show` seq_puts it): 0xA0 is a space to `lib/ctype.c` and is
/// stripped, other bytes come back as written, UTF-8 or not.
#[test]
fn release_agent_bytes_through_the_vfs() {
    let k = mounted();
    let path = format!("{CG}/release_agent");
    let write = |data: &[u8]| {
        let fd = k.open(INIT, &path, OpenFlags::WRONLY, 0).unwrap();
        let n = k.write(INIT, fd, data).unwrap();
        k.close(INIT, fd).unwrap();
        n
    };
    let read = || {
        let fd = k.open(INIT, &path, OpenFlags::RDONLY, 0).unwrap();
        let out = read_all(&k, INIT, fd).unwrap();
        k.close(INIT, fd).unwrap();
        out
    };
    assert_eq!(write(b"/sbin/x\xa0"), 8);
    assert_eq!(read(), b"/sbin/x\n");
    assert_eq!(write(b"/sbin/\xff\xfe\n"), 9);
    assert_eq!(read(), b"/sbin/\xff\xfe\n");
}

/// `test_cgcore_lesser_euid_open` of `tools/testing/selftests/cgroup/test_core.c` (v6.6): a
/// `cgroup.procs` opened with a lesser euid stays lesser. The process sits in `cg_test_a`,
/// both `cgroup.procs` files belong to uid 65534; it opens `cg_test_b/cgroup.procs` as euid
/// 65534 (allowed: its owner), goes back to euid 0, and writes "0": the migration is checked
/// with the opener's credentials (`__cgroup_procs_write`: `override_creds(of->file->f_cred)`),
/// which cannot write the common ancestor's (the root's) `cgroup.procs`, so EACCES. The same
/// write through a file root opened passes.
#[test]
fn cgroup_procs_write_uses_the_openers_credentials() {
    let k = Kernel::boot(cgsim_cgroupfs::BootParams::kernel("6.6").expect("a preset"));
    k.mkdir(INIT, "/cg", 0o755).unwrap();
    k.mount(INIT, "none", "/cg", "cgroup2", false, None)
        .unwrap();
    for d in ["/cg/cg_test_a", "/cg/cg_test_b"] {
        k.mkdir(INIT, d, 0o755).unwrap();
    }
    let p = k.fork(INIT).unwrap();
    echo(&k, INIT, "/cg/cg_test_a/cgroup.procs", &p.0.to_string()).unwrap();
    for f in ["/cg/cg_test_a/cgroup.procs", "/cg/cg_test_b/cgroup.procs"] {
        k.chown(INIT, f, Some(65534), None).unwrap();
    }
    let lesser = cgsim_ktypes::Cred {
        euid: cgsim_ktypes::Uid(65534),
        ..cgsim_ktypes::Cred::ROOT
    };
    k.set_cred(p, lesser).unwrap();
    let fd = k
        .open(p, "/cg/cg_test_b/cgroup.procs", OpenFlags::RDWR, 0)
        .unwrap();
    k.set_cred(p, cgsim_ktypes::Cred::ROOT).unwrap();
    assert_eq!(
        k.write(p, fd, b"0").map_err(|e| e.errno),
        Err(Errno::EACCES)
    );
    assert_eq!(
        cat(&k, INIT, &format!("/proc/{p}/cgroup")).unwrap(),
        "0::/cg_test_a\n"
    );
    // Opened by root: the same write moves the process.
    let fd = k
        .open(p, "/cg/cg_test_b/cgroup.procs", OpenFlags::RDWR, 0)
        .unwrap();
    assert_eq!(k.write(p, fd, b"0").map_err(|e| e.errno), Ok(1));
    assert_eq!(
        cat(&k, INIT, &format!("/proc/{p}/cgroup")).unwrap(),
        "0::/cg_test_b\n"
    );
}
