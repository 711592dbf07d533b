//! /proc formats (spec §2.14; fs/proc/array.c for status).

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
            "meminfo",
            "mounts",
            "self",
            "swaps",
            "sys",
            "version"
        ]
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
        "rootfs / rootfs rw 0 0\nproc /proc proc rw 0 0\ntmpfs /sys/fs/cgroup tmpfs rw 0 0\n"
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
        ["cpuset", "debug", "ns", "cpu", "cpuacct", "memory"]
            .iter()
            .map(|s| format!("[    0.000000] Initializing cgroup subsys {s}")),
    );
    assert_eq!(lines, want);
}
