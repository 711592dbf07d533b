//! `mount` and `umount`: `mount -t cgroup -o OPTS SOURCE DIR` reaches `cgroup_get_sb`.
//!
//! **Differences:** messages follow BusyBox (`mount: mounting none on /cg failed: Device or
//! resource busy`), which always ends with the kernel's strerror text; the exit status is
//! util-linux's 32 ("mount failure"). Without arguments `mount` prints `/proc/mounts`.

use super::{Kind, Registry};
use crate::Shell;
use cgsim_cgroupfs::OpenFlags;
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "mount",
        "mount [-t TYPE] [-o OPTS] [SOURCE] DIR",
        "mount a hierarchy (cgroup_get_sb); -o remount,OPTS DIR; no args: /proc/mounts",
        Kind::External(mount),
    );
    r.add(
        "umount",
        "umount DIR",
        "detach a mount (cgroup_kill_sb on last use)",
        Kind::External(umount),
    );
}

/// util-linux's status for a failed mount.
const MOUNT_FAILURE: i32 = 32;

fn mount(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut fstype: Option<String> = None;
    let mut opts: Vec<String> = Vec::new();
    let mut pos: Vec<String> = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        match a {
            "-t" | "-o" => {
                let Some(v) = argv.get(i + 1) else {
                    sh.write_err(
                        pid,
                        &format!("mount: option requires an argument -- '{}'\n", &a[1..]),
                    );
                    return 1;
                };
                if a == "-t" {
                    fstype = Some(v.clone());
                } else {
                    opts.push(v.clone());
                }
                i += 2;
                continue;
            }
            "-n" | "-v" => {}
            _ if a.starts_with("-t") && a.len() > 2 => fstype = Some(a[2..].to_string()),
            _ if a.starts_with("-o") && a.len() > 2 => opts.push(a[2..].to_string()),
            _ if a.starts_with('-') && a.len() > 1 => {
                sh.write_err(pid, &format!("mount: invalid option -- '{}'\n", &a[1..]));
                return 1;
            }
            _ => pos.push(a.to_string()),
        }
        i += 1;
    }
    if pos.is_empty() && fstype.is_none() && opts.is_empty() {
        return print_mounts(sh, pid);
    }
    let data = opts.join(",");
    let mut remount = false;
    let tokens: Vec<&str> = if data.is_empty() {
        Vec::new()
    } else {
        data.split(',').collect()
    };
    let mut kept: Vec<&str> = Vec::new();
    for t in &tokens {
        if *t == "remount" {
            remount = true;
        } else {
            kept.push(t);
        }
    }
    let data = if opts.is_empty() || (remount && kept.is_empty()) {
        None
    } else {
        Some(kept.join(","))
    };
    let (source, target) = match (remount, pos.as_slice()) {
        (true, [t]) => ("none".to_string(), t.clone()),
        (_, [s, t]) => (s.clone(), t.clone()),
        _ => {
            sh.write_err(pid, "mount: usage: mount -t TYPE [-o OPTS] SOURCE DIR\n");
            return 1;
        }
    };
    let fstype = match (fstype, remount) {
        (Some(t), _) => t,
        (None, true) => "cgroup".to_string(),
        (None, false) => {
            sh.write_err(pid, "mount: you must specify the filesystem type\n");
            return MOUNT_FAILURE;
        }
    };
    let k = sh.kernel().clone();
    match k.mount(pid, &source, &target, &fstype, remount, data.as_deref()) {
        Ok(()) => 0,
        Err(e) => {
            let what = if remount { "remounting" } else { "mounting" };
            sh.write_err(
                pid,
                &format!(
                    "mount: {what} {source} on {target} failed: {}\n",
                    e.errno.strerror()
                ),
            );
            MOUNT_FAILURE
        }
    }
}

fn print_mounts(sh: &mut Shell, pid: Pid) -> i32 {
    let k = sh.kernel().clone();
    let fd = match k.open(pid, "/proc/mounts", OpenFlags::RDONLY, 0) {
        Ok(fd) => fd,
        Err(e) => {
            sh.write_err(
                pid,
                &format!("mount: /proc/mounts: {}\n", e.errno.strerror()),
            );
            return MOUNT_FAILURE;
        }
    };
    let mut buf = vec![0u8; 4096];
    while let Ok(n) = k.read(pid, fd, &mut buf) {
        if n == 0 || k.write(pid, cgsim_cgroupfs::Fd(1), &buf[..n]).is_err() {
            break;
        }
    }
    let _ = k.close(pid, fd);
    0
}

fn umount(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let targets: Vec<&String> = argv[1..].iter().filter(|a| !a.starts_with('-')).collect();
    if targets.is_empty() {
        sh.write_err(pid, "umount: usage: umount DIR\n");
        return 1;
    }
    let k = sh.kernel().clone();
    let mut status = 0;
    for t in targets {
        if let Err(e) = k.umount(pid, t) {
            sh.write_err(
                pid,
                &format!("umount: can't unmount {t}: {}\n", e.errno.strerror()),
            );
            status = MOUNT_FAILURE;
        }
    }
    status
}
