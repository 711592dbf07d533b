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

use super::help::{Family, OptError, Order, Parsed, Tool};
use super::userland::Userland;
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

/// `mount -V` / `umount -V` as Debian 12 builds util-linux 2.38.1.
pub(crate) fn version(prog: &str) -> String {
    format!(
        "{prog} from util-linux 2.38.1 (libmount 2.38.1: selinux, smack, btrfs, verity, namespaces, assert, debug)\n"
    )
}

/// The options of a mount command line after getopt.
#[derive(Default, Debug)]
pub(crate) struct MountArgs {
    /// `-t` (the last one given).
    pub types: Option<String>,
    /// Every `-o`, in order.
    pub opts: Vec<String>,
    /// `-a`.
    pub all: bool,
    /// `-n`: leave `/etc/mtab` alone (util-linux-ng 2.17, which keeps it).
    pub nomtab: bool,
    pub operands: Vec<String>,
}

/// util-linux-ng 2.17.2's `mount` options (`mount/mount.c`: `"aBfFhilL:Mno:O:p:rRsU:vVwt:"`
/// and `longopts[]`); cgsim simulates the same ones as for 2.38.
static MOUNT_2_17: Tool = Tool {
    name: "mount",
    family: Family::UtilLinux,
    order: Order::Permute,
    short: "aBfFhilL:Mno:O:p:rRsU:vVwt:",
    long: &[
        "all/a",
        "fake/f",
        "fork/F",
        "help/h",
        "no-mtab/n",
        "read-only/r",
        "ro/r",
        "verbose/v",
        "version/V",
        "read-write/w",
        "rw/w",
        "options=/o",
        "test-opts=/O",
        "pass-fd=/p",
        "types=/t",
        "bind/B",
        "move/M",
        "guess-fstype=",
        "rbind/R",
        "make-shared",
        "make-slave",
        "make-private",
        "make-unbindable",
        "make-rshared",
        "make-rslave",
        "make-rprivate",
        "make-runbindable",
        "no-canonicalize",
        "internal-only/i",
    ],
    sim_short: "tonvhVla",
    sim_long: &[],
    status: 1,
    numbers: false,
};

/// util-linux 2.23.2's `mount` options (`sys-utils/mount.c`: `"aBcfFhilL:Mno:O:p:rRsU:vVwt:T:"`).
static MOUNT_2_23: Tool = Tool {
    name: "mount",
    family: Family::UtilLinux,
    order: Order::Permute,
    short: "aBcfFhilL:Mno:O:p:rRsU:vVwt:T:",
    long: &[
        "all/a",
        "fake/f",
        "fstab=/T",
        "fork/F",
        "help/h",
        "no-mtab/n",
        "read-only/r",
        "ro/r",
        "verbose/v",
        "version/V",
        "read-write/w",
        "rw/w",
        "options=/o",
        "test-opts=/O",
        "pass-fd=/p",
        "types=/t",
        "uuid=/U",
        "label=/L",
        "bind/B",
        "move/M",
        "rbind/R",
        "make-shared",
        "make-slave",
        "make-private",
        "make-unbindable",
        "make-rshared",
        "make-rslave",
        "make-rprivate",
        "make-runbindable",
        "no-canonicalize/c",
        "internal-only/i",
        "show-labels/l",
        "target=",
        "source=",
    ],
    sim_short: "tonvhVla",
    sim_long: &[],
    status: 1,
    numbers: false,
};

/// util-linux-ng 2.17.2's `umount` options (`mount/umount.c`: `"adfhlnrit:O:vV"`).
static UMOUNT_2_17: Tool = Tool {
    name: "umount",
    family: Family::UtilLinux,
    order: Order::Permute,
    short: "adfhlnrit:O:vV",
    long: &[
        "all/a",
        "force/f",
        "help/h",
        "no-mtab/n",
        "test-opts=/O",
        "verbose/v",
        "version/V",
        "read-only/r",
        "types=/t",
        "no-canonicalize",
    ],
    sim_short: "hVnvi",
    sim_long: &[],
    status: 1,
    numbers: false,
};

/// util-linux 2.23.2's `umount` options (`sys-utils/umount.c`: `"aAcdfhilnRrO:t:vV"`).
static UMOUNT_2_23: Tool = Tool {
    name: "umount",
    family: Family::UtilLinux,
    order: Order::Permute,
    short: "aAcdfhilnRrO:t:vV",
    long: &[
        "all/a",
        "all-targets/A",
        "detach-loop/d",
        "fake",
        "force/f",
        "help/h",
        "internal-only/i",
        "lazy/l",
        "no-canonicalize/c",
        "no-mtab/n",
        "read-only/r",
        "recursive/R",
        "test-opts=/O",
        "types=/t",
        "verbose/v",
        "version/V",
    ],
    sim_short: "hVnvi",
    sim_long: &[],
    status: 1,
    numbers: false,
};

/// util-linux 2.23.2's `mount -V` (libmount reports its version as `2.23.0`).
const MOUNT_VERSION_2_23: &str =
    "mount from util-linux 2.23.2 (libmount 2.23.0: selinux, debug, assert)\n";
const UMOUNT_VERSION_2_23: &str =
    "umount from util-linux 2.23.2 (libmount 2.23.0: selinux, debug, assert)\n";

/// The getopt pass every mount and umount shares (`help::getopt` with the option table of the
/// userland's util-linux): `Err(status)` when it printed help, the version or a usage error.
fn read_options(sh: &mut Shell, pid: Pid, argv: &[String]) -> Result<Vec<String>, i32> {
    let u = Userland::of(sh);
    let prog = argv[0].rsplit('/').next().unwrap_or("mount");
    let is_mount = prog != "umount";
    let table: &Tool = match (u, is_mount) {
        (Userland::Rhel6, true) => &MOUNT_2_17,
        (Userland::Rhel6, false) => &UMOUNT_2_17,
        (Userland::Rhel7, true) => &MOUNT_2_23,
        (Userland::Rhel7, false) => &UMOUNT_2_23,
        (Userland::Debian12, _) => super::help::tool(if is_mount { "mount" } else { "umount" })
            .expect("mount and umount have option tables"),
    };
    // What the real tool prints for `-h`: 2.17's own usage; 2.23 and 2.38 print their help
    // (cgsim's text in util-linux's layout, the registered one).
    let registered = sh
        .registry()
        .get(table.name)
        .and_then(|c| c.help)
        .unwrap_or("");
    let usage: &str = match (u, is_mount) {
        (Userland::Rhel6, true) => super::mount_2_17::MOUNT_USAGE,
        (Userland::Rhel6, false) => super::mount_2_17::UMOUNT_USAGE,
        _ => registered,
    };
    let printed =
        |sh: &mut Shell, text: &str| -> i32 { if sh.out(pid, text).is_ok() { 0 } else { 1 } };
    match super::help::getopt(table, argv) {
        Ok(Parsed::Args(v)) => Ok(v),
        Ok(Parsed::Help) => Err(printed(sh, usage)),
        Ok(Parsed::Version) => {
            let v = match (u, is_mount) {
                (Userland::Rhel6, true) => super::mount_2_17::MOUNT_VERSION.to_string(),
                (Userland::Rhel6, false) => super::mount_2_17::UMOUNT_VERSION.to_string(),
                (Userland::Rhel7, true) => MOUNT_VERSION_2_23.to_string(),
                (Userland::Rhel7, false) => UMOUNT_VERSION_2_23.to_string(),
                (Userland::Debian12, _) => version(table.name),
            };
            Err(printed(sh, &v))
        }
        Err(OptError::NotSimulated(o)) => {
            sh.write_err(
                pid,
                &format!("{prog}: option '{o}' is not simulated by cgsim\n"),
            );
            Err(1)
        }
        Err(e) => {
            // glibc's message, then 2.17 and 2.23 print the whole usage to standard error
            // (2.17's umount exits 1 here, its mount `EX_USAGE`, also 1); 2.38 a hint.
            let hint = match u {
                Userland::Debian12 => format!("Try '{prog} --help' for more information.\n"),
                _ => usage.to_string(),
            };
            sh.write_err(pid, &format!("{}: {}\n{hint}", argv[0], e.message()));
            Err(1)
        }
    }
}

/// Split the normalized argv (`-t T`, `-o O`, flags, then the operands) into [`MountArgs`].
fn mount_args(v: &[String]) -> MountArgs {
    let mut a = MountArgs::default();
    let mut i = 1;
    while i < v.len() {
        match v[i].as_str() {
            "-t" => {
                a.types = v.get(i + 1).cloned();
                i += 1;
            }
            "-o" => {
                a.opts.extend(v.get(i + 1).cloned());
                i += 1;
            }
            "-a" => a.all = true,
            "-n" => a.nomtab = true,
            o if o.starts_with('-') && o.len() > 1 => {}
            o => a.operands.push(o.to_string()),
        }
        i += 1;
    }
    a
}

fn mount(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let v = match read_options(sh, pid, argv) {
        Ok(v) => v,
        Err(status) => return status,
    };
    let a = mount_args(&v);
    let u = Userland::of(sh);
    if u == Userland::Rhel6 {
        return super::mount_2_17::mount(sh, pid, &a);
    }
    let MountArgs {
        types: fstype,
        opts,
        all,
        operands: pos,
        ..
    } = a;
    if all && pos.is_empty() {
        return 0;
    }
    if pos.is_empty() && opts.is_empty() {
        return list_mounts(sh, pid, fstype.as_deref());
    }
    let (flags, data) = parse_mount_options(&opts);
    let remount = flags & ms::REMOUNT != 0;
    // 2.38 says `bad usage` and hints at --help; 2.23 prints its usage alone (`usage(stderr)`).
    let bad_usage = |sh: &mut Shell| {
        let text = match u {
            Userland::Debian12 => format!("mount: bad usage\n{TRY_HELP}"),
            _ => sh
                .registry()
                .get("mount")
                .and_then(|c| c.help)
                .unwrap_or("")
                .to_string(),
        };
        sh.write_err(pid, &text);
        1
    };
    if pos.is_empty() || pos.len() > 2 {
        return bad_usage(sh);
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
            let msg = match u {
                Userland::Rhel7 => format!("mount: can't find {spec} in /etc/fstab\n"),
                _ => format!("mount: {spec}: can't find in /etc/fstab.\n"),
            };
            sh.write_err(pid, &msg);
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
        Err(e) if u == Userland::Rhel7 => {
            let msg = mount_error_2_23(sh, pid, e.errno, &source, &spec, &fstype, remount);
            sh.write_err(pid, &msg);
            MOUNT_FAILURE
        }
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

/// util-linux 2.23.2's `mk_exit_code` for a failed mount(2): `mount: MESSAGE` lines, the target
/// canonicalized by libmount when it exists, the source as given.
fn mount_error_2_23(
    sh: &mut Shell,
    pid: Pid,
    errno: Errno,
    src: &str,
    tgt: &str,
    fstype: &str,
    remount: bool,
) -> String {
    let k = sh.kernel().clone();
    let tgt_dir = k
        .stat(pid, tgt)
        .is_ok_and(|s| s.file_type == FileType::Directory);
    let root = k.ps().iter().any(|p| p.pid == pid && p.cred.euid.is_root());
    match errno {
        Errno::EPERM if !root => "mount: must be superuser to use mount\n".to_string(),
        Errno::EPERM if !tgt_dir => format!("mount: mount point {tgt} is not a directory\n"),
        Errno::EPERM => "mount: permission denied\n".to_string(),
        Errno::EBUSY if remount => format!("mount: {tgt} is busy\n"),
        Errno::EBUSY => {
            let mut m = format!("mount: {src} is already mounted or {tgt} busy\n");
            // Every mount of the table (/etc/mtab is /proc/self/mounts) with this source.
            if let Some(text) = super::text::read_all(sh, pid, "mount", "/proc/self/mountinfo") {
                for e in String::from_utf8_lossy(&text)
                    .lines()
                    .filter_map(MountinfoEntry::parse)
                    .filter(|e| e.source == src)
                {
                    m.push_str(&format!(
                        "       {} is already mounted on {}\n",
                        e.source, e.target
                    ));
                }
            }
            m
        }
        Errno::ENOENT if k.stat(pid, tgt).is_err() => {
            format!("mount: mount point {tgt} does not exist\n")
        }
        Errno::ENOENT if k.stat(pid, src).is_err() => {
            format!("mount: special device {src} does not exist\n")
        }
        Errno::ENOTDIR if !tgt_dir => format!("mount: mount point {tgt} is not a directory\n"),
        Errno::ENOENT | Errno::ENOTDIR => format!("mount: mount(2) failed: {}\n", errno.strerror()),
        Errno::EINVAL if remount => format!("mount: {tgt} not mounted or bad option\n"),
        Errno::EINVAL => format!(
            "mount: wrong fs type, bad option, bad superblock on {src},\n       missing codepage or helper program, or other error\n\n       In some cases useful info is found in syslog - try\n       dmesg | tail or so.\n"
        ),
        Errno::EMFILE => "mount: mount table full\n".to_string(),
        Errno::EIO => format!("mount: {src}: can't read superblock\n"),
        Errno::ENODEV => format!("mount: unknown filesystem type '{fstype}'\n"),
        e => format!("mount: mount(2) failed: {}\n", e.strerror()),
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
pub(crate) fn canonicalize(sh: &Shell, pid: Pid, path: &str) -> String {
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
pub(crate) fn parse_mount_options(opts: &[String]) -> (u64, Option<String>) {
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
pub(crate) fn unmangle(s: &str) -> String {
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
pub(crate) fn match_fstype(fstype: &str, pattern: &str) -> bool {
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
    let v = match read_options(sh, pid, argv) {
        Ok(v) => v,
        Err(status) => return status,
    };
    let nomtab = v[1..].iter().any(|a| a == "-n");
    let targets: Vec<String> = v[1..]
        .iter()
        .filter(|a| !a.starts_with('-') || a.as_str() == "-")
        .cloned()
        .collect();
    let u = Userland::of(sh);
    if u == Userland::Rhel6 {
        return super::mount_2_17::umount(sh, pid, &targets, nomtab);
    }
    if targets.is_empty() {
        let hint = match u {
            Userland::Debian12 => {
                "umount: bad usage\nTry 'umount --help' for more information.\n".to_string()
            }
            // 2.23: `usage(stderr)` without a message.
            _ => sh
                .registry()
                .get("umount")
                .and_then(|c| c.help)
                .unwrap_or("")
                .to_string(),
        };
        sh.write_err(pid, &hint);
        return 1;
    }
    let k = sh.kernel().clone();
    let mut status = 0;
    for t in &targets {
        let spec = canonicalize(sh, pid, t);
        if let Err(e) = k.umount(pid, t) {
            let msg = if u == Userland::Rhel7 {
                // util-linux 2.23.2 `sys-utils/umount.c` `mk_exit_code`.
                match e.errno {
                    Errno::ENXIO => format!("{spec}: invalid block device"),
                    Errno::EINVAL => format!("{spec}: not mounted"),
                    Errno::EIO => format!("{spec}: can't write superblock"),
                    Errno::EBUSY => format!(
                        "{spec}: target is busy.\n        (In some cases useful info about processes that use\n         the device is found by lsof(8) or fuser(1))"
                    ),
                    Errno::ENOENT => format!("{spec}: mountpoint not found"),
                    Errno::EPERM => format!("{spec}: must be superuser to umount"),
                    Errno::EACCES => format!("{spec}: block devices not permitted on fs"),
                    e => format!("{spec}: {}", e.strerror()),
                }
            } else {
                // mnt_context_get_umount_excode (2.38).
                let m = match e.errno {
                    Errno::EINVAL => "not mounted".to_string(),
                    Errno::EBUSY => "target is busy".to_string(),
                    Errno::ENOENT => "no mount point specified".to_string(),
                    Errno::EPERM => "must be superuser to unmount".to_string(),
                    Errno::EIO => "can't write superblock".to_string(),
                    Errno::EACCES => "block devices are not permitted on filesystem".to_string(),
                    e => format!("umount(2) system call failed: {}", e.strerror()),
                };
                format!("{spec}: {m}.")
            };
            sh.write_err(pid, &format!("umount: {msg}\n"));
            status = MOUNT_FAILURE;
        }
    }
    status
}
