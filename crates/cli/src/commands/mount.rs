//! `mount` and `umount`: `mount -t cgroup -o OPTS SOURCE DIR` reaches `cgroup_get_sb`.
//!
//! **Follows:** util-linux 2.38 `mount(8)` for the listing and the options: without a source
//! and target it reads `/proc/self/mountinfo` (libmount) and prints `SOURCE on TARGET type
//! FSTYPE (OPTIONS)`, where OPTIONS are the mount's VFS options followed by the superblock's
//! (`mnt_fs_strdup_options`: `rw,relatime` + `rw,memory` gives `rw,relatime,memory`); `-t
//! LIST` keeps the types `mnt_match_fstype` matches (a leading `no` negates the whole list).
//! In `-o`, the options mount(8) knows become `mount(2)` flags (`ro`, `nosuid`, `nodev`,
//! `noexec`, `sync`, `dirsync`, `mand`, `noatime`, `nodiratime`, `relatime`, `strictatime`,
//! `remount`, ...), the userspace-only ones (`defaults`, `auto`, `noauto`, `user`, `nofail`,
//! `_netdev`, `x-*`, ...) are dropped, and the rest is the filesystem's data (`memory,cpu`).
//! Bad options: `mount: invalid option -- 'x'` and `Try 'mount --help' for more information.`,
//! status 1.
//! Failures are reported as libmount 2.38 words them (`mnt_context_get_mount_excode`,
//! `mnt_context_get_umount_excode`) from the errno of `mount(2)`/`umount(2)`: `mount: TARGET:
//! MESSAGE.` (TARGET canonicalized when it exists) followed by `       dmesg(1) may have more
//! information after failed mount system call.`, status 32; `umount: TARGET: not mounted.`,
//! `target is busy.`, ..., status 32. Usage errors (`bad usage`, one operand with no
//! `/etc/fstab` entry) have status 1.
//! **Differences:** there is no `/etc/fstab`, so `mount DIR` and `mount -a` find nothing; a
//! mount without `-t` is refused with a `cgsim:` message (the real mount would probe the
//! source and try every filesystem type the kernel lists); `ro` and `bind` are refused with a
//! `cgsim:` message because the simulated kernel does not model them.

use super::{Kind, Registry};
use crate::Shell;
use cgsim_cgroupfs::{FileType, OpenFlags, ms};
use cgsim_ktypes::{Errno, Pid};

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "mount",
        "mount [-t TYPE] [-o OPTS] [SOURCE] DIR",
        "mount a hierarchy (cgroup_get_sb); -o remount,OPTS DIR; no args (or -t TYPE): list the mounts",
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

const TRY_HELP: &str = "Try 'mount --help' for more information.\n";

fn mount(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut fstype: Option<String> = None;
    let mut opts: Vec<String> = Vec::new();
    let mut pos: Vec<String> = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        match a {
            "-t" | "-o" | "--types" | "--options" => {
                let Some(v) = argv.get(i + 1) else {
                    let msg = if a.starts_with("--") {
                        format!("mount: option '{a}' requires an argument\n{TRY_HELP}")
                    } else {
                        format!(
                            "mount: option requires an argument -- '{}'\n{TRY_HELP}",
                            &a[1..]
                        )
                    };
                    sh.write_err(pid, &msg);
                    return 1;
                };
                if a == "-t" || a == "--types" {
                    fstype = Some(v.clone());
                } else {
                    opts.push(v.clone());
                }
                i += 2;
                continue;
            }
            "-n" | "-v" | "-l" | "--no-mtab" | "--verbose" | "--show-labels" => {}
            _ if a.starts_with("--types=") => fstype = Some(a[8..].to_string()),
            _ if a.starts_with("--options=") => opts.push(a[10..].to_string()),
            _ if a.starts_with("-t") && a.len() > 2 => fstype = Some(a[2..].to_string()),
            _ if a.starts_with("-o") && a.len() > 2 => opts.push(a[2..].to_string()),
            _ if a.starts_with("--") && a.len() > 2 => {
                sh.write_err(
                    pid,
                    &format!("mount: unrecognized option '{a}'\n{TRY_HELP}"),
                );
                return 1;
            }
            _ if a.starts_with('-') && a.len() > 1 => {
                // getopt reports the first letter it does not know.
                let bad = a[1..]
                    .chars()
                    .find(|c| !matches!(c, 'n' | 'v' | 'l'))
                    .unwrap_or('-');
                sh.write_err(
                    pid,
                    &format!("mount: invalid option -- '{bad}'\n{TRY_HELP}"),
                );
                return 1;
            }
            _ => pos.push(a.to_string()),
        }
        i += 1;
    }
    if pos.is_empty() && opts.is_empty() {
        return list_mounts(sh, pid, fstype.as_deref());
    }
    let (flags, data) = parse_mount_options(&opts);
    let remount = flags & ms::REMOUNT != 0;
    if pos.is_empty() {
        sh.write_err(pid, &format!("mount: bad usage\n{TRY_HELP}"));
        return 1;
    }
    if pos.len() > 2 {
        sh.write_err(pid, &format!("mount: bad usage\n{TRY_HELP}"));
        return 1;
    }
    if flags & (ms::RDONLY | ms::BIND) != 0 {
        sh.write_err(
            pid,
            "mount: cgsim: read-only and bind mounts are not modelled\n",
        );
        return MOUNT_FAILURE;
    }
    let (source, target) = match (remount, pos.as_slice()) {
        (true, [t]) => ("none".to_string(), t.clone()),
        (_, [s, t]) => (s.clone(), t.clone()),
        (_, [one]) => {
            // Case C of mount.c: one operand is looked up in /etc/fstab, which is empty.
            let spec = canonicalize(sh, pid, one);
            sh.write_err(pid, &format!("mount: {spec}: can't find in /etc/fstab.\n"));
            return 1;
        }
        _ => unreachable!("0 and more than 2 operands handled above"),
    };
    let fstype = match (fstype, remount) {
        (Some(t), _) => t,
        (None, true) => "cgroup".to_string(),
        (None, false) => {
            sh.write_err(
                pid,
                "mount: cgsim: give the filesystem type with -t (probing a source is not modelled)\n",
            );
            return MOUNT_FAILURE;
        }
    };
    let k = sh.kernel().clone();
    let spec = canonicalize(sh, pid, &target);
    match k.mount_flags(pid, &source, &target, &fstype, flags, data.as_deref()) {
        Ok(()) => 0,
        Err(e) => {
            let msg = mount_error(sh, pid, e.errno, &source, &target, &fstype, remount);
            sh.write_err(
                pid,
                &format!(
                    "mount: {spec}: {msg}.\n       dmesg(1) may have more information after failed mount system call.\n"
                ),
            );
            MOUNT_FAILURE
        }
    }
}

/// libmount's `mnt_context_get_mount_excode` for a failed `mount(2)`: what it says for each
/// errno, after looking at the target, the source and the mount table as it does.
fn mount_error(
    sh: &mut Shell,
    pid: Pid,
    errno: Errno,
    src: &str,
    tgt: &str,
    fstype: &str,
    remount: bool,
) -> String {
    let k = sh.kernel().clone();
    let tgt_stat = k.stat(pid, tgt);
    match errno {
        Errno::EPERM => {
            let root = k.ps().iter().any(|p| p.pid == pid && p.cred.euid.is_root());
            if !root {
                "must be superuser to use mount".to_string()
            } else if !tgt_stat.is_ok_and(|s| s.file_type == FileType::Directory) {
                "mount point is not a directory".to_string()
            } else {
                "permission denied".to_string()
            }
        }
        Errno::EBUSY if remount => "mount point is busy".to_string(),
        Errno::EBUSY => match mounted_source(sh, pid, src) {
            Some(at) => format!("{src} already mounted on {at}"),
            None => format!("{src} already mounted or mount point busy"),
        },
        // No symbolic links in the simulated filesystems besides /proc/self, so a target that
        // does not exist is always "does not exist".
        Errno::ENOENT if tgt_stat.is_err() => "mount point does not exist".to_string(),
        Errno::ENOENT if k.stat(pid, src).is_err() => {
            format!("special device {src} does not exist")
        }
        Errno::ENOTDIR if !tgt_stat.is_ok_and(|s| s.file_type == FileType::Directory) => {
            "mount point is not a directory".to_string()
        }
        Errno::EINVAL if remount => "mount point not mounted or bad option".to_string(),
        Errno::EINVAL => format!(
            "wrong fs type, bad option, bad superblock on {src}, missing codepage or helper program, or other error"
        ),
        Errno::EMFILE => "mount table full".to_string(),
        Errno::ENODEV => format!("unknown filesystem type '{fstype}'"),
        e => format!("mount(2) system call failed: {}", e.strerror()),
    }
}

/// `get_already_mounted_source`: the mount point of the first mount whose source is `src`.
fn mounted_source(sh: &mut Shell, pid: Pid, src: &str) -> Option<String> {
    let k = sh.kernel().clone();
    let fd = k
        .open(pid, "/proc/self/mountinfo", OpenFlags::RDONLY, 0)
        .ok()?;
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = k.read(pid, fd, &mut buf) {
        if n == 0 {
            break;
        }
        text.extend_from_slice(&buf[..n]);
    }
    let _ = k.close(pid, fd);
    String::from_utf8_lossy(&text)
        .lines()
        .filter_map(MountinfoEntry::parse)
        .find(|e| e.source == src)
        .map(|e| e.target)
}

/// libmount canonicalizes a path that exists (`realpath`); one that does not is kept as given.
fn canonicalize(sh: &Shell, pid: Pid, path: &str) -> String {
    let k = sh.kernel();
    if k.stat(pid, path).is_err() {
        return path.to_string();
    }
    let base = if path.starts_with('/') {
        String::new()
    } else {
        k.getcwd(pid).unwrap_or_else(|_| "/".to_string())
    };
    let mut parts: Vec<&str> = Vec::new();
    for c in base.split('/').chain(path.split('/')) {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

/// mount(8)'s split of `-o` (libmount's `mnt_optstr_get_flags` with its option maps): the
/// `MS_*` flags and the filesystem data (`None` when nothing is left for the filesystem).
fn parse_mount_options(opts: &[String]) -> (u64, Option<String>) {
    let mut flags = 0u64;
    let mut data: Vec<&str> = Vec::new();
    for o in opts
        .iter()
        .flat_map(|o| o.split(','))
        .filter(|o| !o.is_empty())
    {
        // (set, clear) pairs, in the order of libmount's MS_* map.
        let (set, clear) = match o {
            "ro" => (ms::RDONLY, 0),
            "rw" => (0, ms::RDONLY),
            "exec" => (0, ms::NOEXEC),
            "noexec" => (ms::NOEXEC, 0),
            "suid" => (0, ms::NOSUID),
            "nosuid" => (ms::NOSUID, 0),
            "dev" => (0, ms::NODEV),
            "nodev" => (ms::NODEV, 0),
            "sync" => (ms::SYNCHRONOUS, 0),
            "async" => (0, ms::SYNCHRONOUS),
            "dirsync" => (ms::DIRSYNC, 0),
            "remount" => (ms::REMOUNT, 0),
            "bind" => (ms::BIND, 0),
            "mand" => (ms::MANDLOCK, 0),
            "nomand" => (0, ms::MANDLOCK),
            "atime" => (0, ms::NOATIME),
            "noatime" => (ms::NOATIME, 0),
            "diratime" => (0, ms::NODIRATIME),
            "nodiratime" => (ms::NODIRATIME, 0),
            "relatime" => (ms::RELATIME, 0),
            "norelatime" => (0, ms::RELATIME),
            "strictatime" => (ms::STRICTATIME, 0),
            "nostrictatime" => (0, ms::STRICTATIME),
            // Userspace-only options: for fstab and mount(8) itself, never the kernel.
            "defaults" | "auto" | "noauto" | "user" | "nouser" | "users" | "owner" | "group"
            | "nofail" | "_netdev" | "loud" | "silent" => (0, 0),
            _ if o.starts_with("x-") || o.starts_with("comment=") => (0, 0),
            _ => {
                data.push(o);
                continue;
            }
        };
        flags = (flags | set) & !clear;
    }
    let data = (!data.is_empty()).then(|| data.join(","));
    (flags, data)
}

/// `mount` without a source and target: the mount table in util-linux's format.
fn list_mounts(sh: &mut Shell, pid: Pid, types: Option<&str>) -> i32 {
    let Some(text) = super::text::read_all(sh, pid, "mount", "/proc/self/mountinfo") else {
        return MOUNT_FAILURE;
    };
    let text = String::from_utf8_lossy(&text).into_owned();
    let mut out = String::new();
    for line in text.lines() {
        let Some(e) = MountinfoEntry::parse(line) else {
            continue;
        };
        if types.is_some_and(|t| !match_fstype(&e.fstype, t)) {
            continue;
        }
        out.push_str(&format!(
            "{} on {} type {} ({})\n",
            e.source,
            e.target,
            e.fstype,
            merge_options(&e.vfs_opts, &e.fs_opts)
        ));
    }
    match sh.out(pid, &out) {
        Ok(()) => 0,
        Err(_) => MOUNT_FAILURE,
    }
}

/// The fields of one `/proc/self/mountinfo` line that mount(8) prints, unescaped.
struct MountinfoEntry {
    target: String,
    vfs_opts: String,
    fstype: String,
    source: String,
    fs_opts: String,
}

impl MountinfoEntry {
    fn parse(line: &str) -> Option<MountinfoEntry> {
        let (left, right) = line.split_once(" - ")?;
        let l: Vec<&str> = left.split(' ').collect();
        let r: Vec<&str> = right.split(' ').collect();
        Some(MountinfoEntry {
            target: unmangle(l.get(4)?),
            vfs_opts: l.get(5)?.to_string(),
            fstype: unmangle(r.first()?),
            source: unmangle(r.get(1)?),
            fs_opts: r.get(2)?.to_string(),
        })
    }
}

/// Undo the kernel's `mangle`: `\NNN` octal escapes back to bytes.
fn unmangle(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// libmount's `merge_optstr`: the VFS options, then the filesystem's without its `rw`/`ro`
/// (which the VFS options already say).
fn merge_options(vfs: &str, fs: &str) -> String {
    let mut v: Vec<&str> = vfs.split(',').filter(|o| !o.is_empty()).collect();
    for o in fs.split(',').filter(|o| !o.is_empty()) {
        if o == "rw" || o == "ro" {
            if o == "ro" && v.first() == Some(&"rw") {
                v[0] = "ro";
            }
            continue;
        }
        v.push(o);
    }
    v.join(",")
}

/// libmount's `mnt_match_fstype`: is `fstype` in the comma-separated `pattern`? A leading
/// `no` negates the whole list; `noTYPE` inside it excludes TYPE.
fn match_fstype(fstype: &str, pattern: &str) -> bool {
    let (no, list) = match pattern.strip_prefix("no") {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    for p in list.split(',') {
        if p.strip_prefix("no")
            .is_some_and(|t| t.eq_ignore_ascii_case(fstype))
        {
            return false;
        }
        if p.eq_ignore_ascii_case(fstype) {
            return !no;
        }
    }
    no
}

fn umount(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut targets: Vec<&String> = Vec::new();
    let mut only_operands = false;
    for a in &argv[1..] {
        if only_operands || !a.starts_with('-') || a == "-" {
            targets.push(a);
        } else if a == "--" {
            only_operands = true;
        } else if a.starts_with("--") {
            sh.write_err(
                pid,
                &format!(
                    "umount: unrecognized option '{a}'\nTry 'umount --help' for more information.\n"
                ),
            );
            return 1;
        } else if let Some(c) = a[1..].chars().find(|c| !matches!(c, 'n' | 'v' | 'i')) {
            sh.write_err(
                pid,
                &format!(
                    "umount: invalid option -- '{c}'\nTry 'umount --help' for more information.\n"
                ),
            );
            return 1;
        }
    }
    if targets.is_empty() {
        sh.write_err(
            pid,
            "umount: bad usage\nTry 'umount --help' for more information.\n",
        );
        return 1;
    }
    let k = sh.kernel().clone();
    let mut status = 0;
    for t in targets {
        let spec = canonicalize(sh, pid, t);
        if let Err(e) = k.umount(pid, t) {
            // mnt_context_get_umount_excode.
            let msg = match e.errno {
                Errno::EINVAL => "not mounted".to_string(),
                Errno::EBUSY => "target is busy".to_string(),
                Errno::ENOENT => "no mount point specified".to_string(),
                Errno::EPERM => "must be superuser to unmount".to_string(),
                Errno::EIO => "can't write superblock".to_string(),
                Errno::EACCES => "block devices are not permitted on filesystem".to_string(),
                e => format!("umount(2) system call failed: {}", e.strerror()),
            };
            sh.write_err(pid, &format!("umount: {spec}: {msg}.\n"));
            status = MOUNT_FAILURE;
        }
    }
    status
}
