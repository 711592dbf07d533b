//! /proc formats (`kernel/cgroup.c` `proc_cgroup_show`, `proc_cgroupstats_show`, v2.6.34; fs/proc/array.c for status).

use super::*;

#[test]
fn status_self_and_listing() {
    let k = boot();
    let c = user_process(&k, 1000);
    k.set_comm(c, "bash").unwrap();
    let status = cat(&k, c, "/proc/self/status").unwrap();
    assert_eq!(
        status,
        format!(
            "Name:\tbash\nState:\tS (sleeping)\nTgid:\t{c}\nPid:\t{c}\nPPid:\t1\nTracerPid:\t0\n\
             Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n\
             VmSize:\t       0 kB\nVmRSS:\t       0 kB\nVmPTE:\t       0 kB\nVmSwap:\t       0 kB\n"
        )
    );
    assert_eq!(cat(&k, INIT, &format!("/proc/{c}/comm")).unwrap(), "bash\n");
    let init_status = cat(&k, INIT, "/proc/1/status").unwrap();
    assert!(init_status.contains("Name:\tinit\n") && init_status.contains("PPid:\t0\n"));
    let names: Vec<String> = k
        .readdir(INIT, "/proc")
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(
        names,
        [
            "1",
            c.to_string().as_str(),
            "cgroups",
            "filesystems",
            "meminfo",
            "mounts",
            "self",
            "swaps",
            "sys",
            "uptime",
            "version"
        ]
    );
    // filesystems_proc_show: the types the simulated kernel registers, cgroup2 only on 6.6.
    assert_eq!(
        cat(&k, INIT, "/proc/filesystems").unwrap(),
        "nodev\trootfs\nnodev\tproc\nnodev\tcgroup\nnodev\tdebugfs\nnodev\ttmpfs\n"
    );
    let k66 = Kernel::boot(cgsim_cgroupfs::BootParams::for_kernel(
        cgsim_cgroupfs::KernelVersion::V6_6,
    ));
    assert!(
        cat(&k66, INIT, "/proc/filesystems")
            .unwrap()
            .contains("nodev\tcgroup\nnodev\tcgroup2\n")
    );
    // /proc/self follows the caller.
    assert_eq!(k.stat(c, "/proc/self").unwrap().uid, 1000);
    assert_eq!(k.stat(INIT, "/proc/self").unwrap().uid, 0);
    assert_eq!(errno(k.stat(INIT, "/proc/999")), Some(Errno::ENOENT));
    assert_eq!(errno(k.stat(INIT, "/proc/01")), Some(Errno::ENOENT));
    // A zombie's directory stays until it is reaped.
    k.exit(c, 0);
    assert!(
        cat(&k, INIT, &format!("/proc/{c}/status"))
            .unwrap()
            .contains("State:\tZ (zombie)\n")
    );
    k.waitpid(INIT, Some(c)).unwrap();
    assert_eq!(
        errno(k.stat(INIT, &format!("/proc/{c}"))),
        Some(Errno::ENOENT)
    );
}

#[test]
fn proc_files_are_read_only() {
    let k = boot();
    let u = user_process(&k, 1000);
    assert_eq!(
        errno(k.open(u, "/proc/mounts", OpenFlags::WRONLY, 0)),
        Some(Errno::EACCES)
    );
    // Root may open it for writing, but the file has no write operation.
    let fd = k.open(INIT, "/proc/mounts", OpenFlags::WRONLY, 0).unwrap();
    assert_eq!(errno(k.write(INIT, fd, b"x")), Some(Errno::EINVAL));
}

#[test]
fn proc_mounts_at_boot() {
    let k = boot();
    assert_eq!(
        cat(&k, INIT, "/proc/mounts").unwrap(),
        "rootfs / rootfs rw 0 0\nproc /proc proc rw,relatime 0 0\ntmpfs /sys/fs/cgroup tmpfs rw,relatime 0 0\n"
    );
}

#[test]
fn boot_log_names_each_subsystem() {
    let k = boot();
    let lines: Vec<String> = k
        .klog()
        .lines()
        .into_iter()
        .map(|l| l.to_string())
        .collect();
    // `start_kernel` prints `linux_banner` first (this machine is 2.6.35 with `--set`).
    let mut want = vec![
        "[    0.000000] Linux version 2.6.35-modified (root@cgsim) (gcc version 4.4.5 (GCC) ) \
         #1 SMP Sun Aug 1 12:00:00 UTC 2010 (cgsim: no cgroup.event_control oops)"
            .to_string(),
    ];
    want.extend(
        [
            "cpuset", "debug", "ns", "cpu", "cpuacct", "memory", "devices", "freezer", "net_cls",
            "blkio",
        ]
        .iter()
        .map(|s| format!("[    0.000000] Initializing cgroup subsys {s}")),
    );
    assert_eq!(lines, want);
}

/// `show_mountinfo` (fs/namespace.c, v2.6.35): ids, parent ids, unnamed devices, the VFS
/// options before ` - `, the superblock's after; a freed mount id and device are reused.
#[test]
fn mountinfo_format_and_id_reuse() {
    use cgsim_cgroupfs::ms;
    let k = boot();
    for d in ["/a", "/b", "/t"] {
        k.mkdir(INIT, d, 0o755).unwrap();
    }
    k.mount(INIT, "none", "/a", "cgroup", false, Some("memory"))
        .unwrap();
    k.mount_flags(
        INIT,
        "cg",
        "/b",
        "cgroup",
        ms::NOSUID | ms::NOATIME,
        Some("cpu"),
    )
    .unwrap();
    k.mount_flags(
        INIT,
        "tmpfs",
        "/t",
        "tmpfs",
        ms::STRICTATIME | ms::SYNCHRONOUS,
        Some("mode=700"),
    )
    .unwrap();
    let boot_lines = "1 1 0:1 / / rw - rootfs rootfs rw\n\
                      2 1 0:3 / /proc rw,relatime - proc proc rw\n\
                      3 1 0:15 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw\n";
    assert_eq!(
        cat(&k, INIT, "/proc/self/mountinfo").unwrap(),
        format!(
            "{boot_lines}\
             4 1 0:16 / /a rw,relatime - cgroup none rw,memory\n\
             5 1 0:17 / /b rw,nosuid,noatime - cgroup cg rw,cpu\n\
             6 1 0:18 / /t rw - tmpfs tmpfs rw,sync,mode=700\n"
        )
    );
    // show_vfsmnt: superblock options first, then the mount's, then the filesystem's.
    assert!(cat(&k, INIT, "/proc/mounts").unwrap().ends_with(
        "cg /b cgroup rw,nosuid,noatime,cpu 0 0\ntmpfs /t tmpfs rw,sync,mode=700 0 0\n"
    ));
    // A freed id (and unnamed device) is the next one handed out; the list keeps mount order.
    k.umount(INIT, "/b").unwrap();
    k.mount(INIT, "x", "/b", "cgroup", false, Some("cpuacct"))
        .unwrap();
    let u = user_process(&k, 1000);
    let info = cat(&k, u, &format!("/proc/{u}/mountinfo")).unwrap();
    assert!(
        info.ends_with(
            "6 1 0:18 / /t rw - tmpfs tmpfs rw,sync,mode=700\n\
             5 1 0:17 / /b rw,relatime - cgroup x rw,cpuacct\n"
        ),
        "{info}"
    );
    // A remount replaces the mount's flags (2.6.35 keeps no old atime mode).
    k.mount_flags(
        INIT,
        "none",
        "/a",
        "cgroup",
        ms::REMOUNT | ms::NODEV,
        Some("memory"),
    )
    .unwrap();
    assert!(
        cat(&k, INIT, "/proc/mounts")
            .unwrap()
            .contains("none /a cgroup rw,nodev,relatime,memory 0 0\n")
    );
    // Read-only and bind mounts are not modelled: refused, nothing changes.
    assert_eq!(
        errno(k.mount_flags(INIT, "none", "/t", "tmpfs", ms::RDONLY, None)),
        Some(Errno::EINVAL)
    );
    assert_eq!(cat(&k, INIT, "/proc/mounts").unwrap().lines().count(), 6);
}
