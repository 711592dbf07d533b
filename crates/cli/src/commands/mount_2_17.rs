//! `mount` and `umount` as RHEL 6 ships them: util-linux-ng 2.17.2, before libmount.
//!
//! **Follows:** util-linux-ng 2.17.2 `mount/mount.c` and `mount/umount.c`. mount(8) keeps
//! `/etc/mtab` itself (a regular file on RHEL 6): a successful mount appends `SPEC DIR TYPE
//! OPTS 0 0` (`update_mtab_entry`; OPTS are `fix_opts_string`'s `rw` or `ro`, the flag options
//! in the order of its `opt_map`, then the filesystem's options as typed, so a remount records
//! `rw,remount,cpu,...`), a remount replaces the options of the last entry on that directory
//! (`update_mtab`, `mk_remount_opts`), umount(8) removes it. `mount` with no operands lists
//! `/etc/mtab` (`print_all`: `SPEC on DIR type TYPE (OPTS)`), not the kernel's table, so a
//! hierarchy that libcgroup's `cgconfigparser` mounted with mount(2) is not listed.
//! Errors are `try_mount_one`'s: `mount: unknown filesystem type 'cgroup2'` (when
//! `/proc/filesystems` does not list the type), `mount: none already mounted or /cgroup busy`
//! followed by `already`'s mtab lines, `mount: special device X does not exist`, `mount: mount
//! point X does not exist`, the `wrong fs type, bad option, ...` paragraph, status 32; usage
//! errors print the usage to standard error, status 1 (`EX_USAGE`). One operand is looked up in
//! `/etc/fstab` (there is none) and then in `/etc/mtab` (`getfs` case D), and mounted with the
//! mtab entry's options followed by the command line's.
//! umount(8) looks the operand up in mtab backwards (`getmntdirbackward`, then
//! `getmntdevbackward`), unmounts, and on success (or EINVAL/ENOENT) drops the entry; errors
//! are `complain`'s (`umount: /cgroup/cpu: device is busy.` with its lsof hint, `umount: X:
//! not mounted`), and the status is the number of operands that failed.
//! **Differences:** no `/etc/fstab` (so `mount -a` mounts nothing and one operand must be in
//! mtab); the usage texts are cgsim's words in 2.17's layout; `ro` and `bind` are refused as
//! cgsim does not model them; a mount without `-t` is refused with a `cgsim:` message (2.17
//! would probe the source with libblkid).

use super::mount::{MountArgs, canonicalize, parse_mount_options};
use crate::Shell;
use cgsim_cgroupfs::{FileType, OpenFlags, ms};
use cgsim_ktypes::{Errno, Pid};

/// `mount/mount_paths.h` `_PATH_MOUNTED`.
pub const MTAB: &str = "/etc/mtab";

/// `EX_USAGE` and `EX_FAIL` of `mount/sundries.h`.
const EX_USAGE: i32 = 1;
const EX_FAIL: i32 = 32;

/// `mount -V`: `print_version` (util-linux-ng 2.17.2 as RHEL 6 builds it, with libblkid and
/// SELinux).
pub const MOUNT_VERSION: &str =
    "mount from util-linux-ng 2.17.2 (with libblkid and selinux support)\n";
/// `umount -V`.
pub const UMOUNT_VERSION: &str = "umount (util-linux-ng 2.17.2)\n";

/// `mount -h` and every usage error: 2.17's usage layout (at most 22 lines), in cgsim's words.
pub const MOUNT_USAGE: &str = "\
Usage: mount -V                 : show the version
       mount -h                 : show this help
       mount                    : list the mounted filesystems
       mount -l                 : the same, with volume labels
That was the listing part. Now the mounting.
The command is `mount [-t fstype] something somewhere'.
What /etc/fstab says may be left out.
       mount -a [-t|-O] ...     : mount everything in /etc/fstab
       mount device             : mount a device where fstab says
       mount directory          : mount what fstab says belongs here
       mount -t type dev dir    : the ordinary mount command
A filesystem (of the given type) on the device is mounted, not the
device itself.
A directory tree already visible can be mounted elsewhere too:
       mount --bind olddir newdir
or moved:
       mount --move olddir newdir
The propagation type of the mount at dir can be changed:
       mount --make-shared dir (also --make-slave, --make-private,
       --make-unbindable, and --make-rshared ... for a whole subtree)
A device is named by path, by label (-L label) or by uuid (-U uuid).
Other options: [-nfFrsvw] [-o options] [-p passwdfd].
For many more details, say  man 8 mount .
";

/// `umount -h` and its usage errors: 2.17's three synopsis lines, in cgsim's words.
pub const UMOUNT_USAGE: &str = "\
Usage: umount -h | -V
       umount -a [-d] [-f] [-r] [-n] [-v] [-t vfstypes] [-O opts]
       umount [-d] [-f] [-r] [-n] [-v] special | node...
";

/// One line of `/etc/mtab` (`struct my_mntent`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MtabEntry {
    pub fsname: String,
    pub dir: String,
    pub fstype: String,
    pub opts: String,
}

/// `my_getmntent`: the entries of `/etc/mtab` in file order (none when it cannot be read).
pub fn read_mtab(sh: &mut Shell, pid: Pid) -> Vec<MtabEntry> {
    let k = sh.kernel().clone();
    let Ok(fd) = k.open(pid, MTAB, OpenFlags::RDONLY, 0) else {
        return Vec::new();
    };
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
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some(MtabEntry {
                fsname: unmangle(f.first()?),
                dir: unmangle(f.get(1)?),
                fstype: unmangle(f.get(2)?),
                opts: f.get(3).map_or(String::new(), |o| unmangle(o)),
            })
        })
        .collect()
}

/// `my_addmntent` for every entry: rewrite `/etc/mtab` (as `update_mtab` does through
/// `/etc/mtab.tmp`). Returns the errno when the file cannot be written.
fn write_mtab(sh: &mut Shell, pid: Pid, entries: &[MtabEntry]) -> Result<(), Errno> {
    let text: String = entries
        .iter()
        .map(|e| {
            format!(
                "{} {} {} {} 0 0\n",
                mangle(&e.fsname),
                mangle(&e.dir),
                mangle(&e.fstype),
                mangle(&e.opts)
            )
        })
        .collect();
    let k = sh.kernel().clone();
    let fd = k
        .open(pid, MTAB, OpenFlags::REDIRECT_TRUNC, 0o644)
        .map_err(|e| e.errno)?;
    let r = k.write(pid, fd, text.as_bytes()).map(|_| ());
    let _ = k.close(pid, fd);
    r.map_err(|e| e.errno)
}

/// `mangle`: blanks, tabs, newlines and backslashes as octal escapes.
fn mangle(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' ' => out.push_str("\\040"),
            '\t' => out.push_str("\\011"),
            '\n' => out.push_str("\\012"),
            '\\' => out.push_str("\\134"),
            c => out.push(c),
        }
    }
    out
}

fn unmangle(s: &str) -> String {
    super::mount::unmangle(s)
}

fn is_root(sh: &Shell, pid: Pid) -> bool {
    sh.kernel()
        .ps()
        .iter()
        .any(|p| p.pid == pid && p.cred.euid.is_root())
}

/// `mount` of util-linux-ng 2.17.2 after getopt.
pub(crate) fn mount(sh: &mut Shell, pid: Pid, a: &MountArgs) -> i32 {
    let options = (!a.opts.is_empty()).then(|| a.opts.join(","));
    if a.operands.is_empty() && !a.all {
        if options.is_some() {
            sh.write_err(pid, MOUNT_USAGE);
            return EX_USAGE;
        }
        return print_all(sh, pid, a.types.as_deref());
    }
    if !is_root(sh, pid)
        && (a.types.is_some() || options.is_some() || a.all || a.nomtab || a.operands.len() != 1)
    {
        sh.write_err(pid, "mount: only root can do that\n");
        return EX_USAGE;
    }
    match a.operands.as_slice() {
        // mount -a: the /etc/fstab entries; there is no fstab.
        [] => 0,
        [one] => {
            if a.types.is_some() {
                sh.write_err(pid, MOUNT_USAGE);
                return EX_USAGE;
            }
            // getfs: /etc/fstab (none here), then case D, the first mtab entry whose
            // directory or source is the operand (spec_to_devname canonicalizes a path).
            let spec = canonicalize(sh, pid, one);
            let Some(mc) = read_mtab(sh, pid)
                .into_iter()
                .find(|e| e.dir == spec || e.fsname == spec)
            else {
                sh.write_err(
                    pid,
                    &format!("mount: can't find {one} in /etc/fstab or /etc/mtab\n"),
                );
                return EX_USAGE;
            };
            let mut opts = mc.opts.clone();
            if let Some(o) = &options {
                opts = format!("{opts},{o}");
            }
            try_mount_one(sh, pid, a, &mc.fsname, &mc.dir, Some(&mc.fstype), &opts)
        }
        [spec, node] => {
            let opts = options.unwrap_or_default();
            try_mount_one(sh, pid, a, spec, node, a.types.as_deref(), &opts)
        }
        _ => {
            sh.write_err(pid, MOUNT_USAGE);
            EX_USAGE
        }
    }
}

/// The `opt_map` options `fix_opts_string` writes back, in its order, with their flag.
const OPT_MAP: &[(&str, u64)] = &[
    ("noexec", ms::NOEXEC),
    ("nosuid", ms::NOSUID),
    ("nodev", ms::NODEV),
    ("sync", ms::SYNCHRONOUS),
    ("dirsync", ms::DIRSYNC),
    ("remount", ms::REMOUNT),
    ("bind", ms::BIND),
    ("mand", ms::MANDLOCK),
    ("noatime", ms::NOATIME),
    ("nodiratime", ms::NODIRATIME),
    ("relatime", ms::RELATIME),
    ("strictatime", ms::STRICTATIME),
];

/// `fix_opts_string`: what mount(8) writes to mtab for these flags and filesystem options.
fn fix_opts_string(flags: u64, data: Option<&str>) -> String {
    let mut v = vec![if flags & ms::RDONLY != 0 { "ro" } else { "rw" }];
    v.extend(
        OPT_MAP
            .iter()
            .filter(|(_, f)| flags & f == *f)
            .map(|(n, _)| *n),
    );
    if let Some(d) = data.filter(|d| !d.is_empty()) {
        v.push(d);
    }
    v.join(",")
}

/// `try_mount_one`: mount(2), then the mtab entry, or the error as 2.17 words it.
fn try_mount_one(
    sh: &mut Shell,
    pid: Pid,
    a: &MountArgs,
    spec: &str,
    node: &str,
    types: Option<&str>,
    opts: &str,
) -> i32 {
    let (flags, data) = parse_mount_options(&[opts.to_string()]);
    if flags & (ms::RDONLY | ms::BIND) != 0 {
        sh.write_err(
            pid,
            "mount: cgsim: read-only and bind mounts are not modelled\n",
        );
        return EX_FAIL;
    }
    // guess_fstype_and_mount: a remount goes to mount(2) without a type (the kernel's
    // do_remount never looks at it; cgsim's kernel is given "cgroup", which it ignores too).
    let remount = flags & ms::REMOUNT != 0;
    let (fstype, syscall_type) = match types {
        Some(t) => (t, t),
        None if remount => ("unknown", "cgroup"),
        None => {
            sh.write_err(
                pid,
                "mount: cgsim: give the filesystem type with -t (probing a source is not modelled)\n",
            );
            return EX_FAIL;
        }
    };
    let k = sh.kernel().clone();
    match k.mount_flags(pid, spec, node, syscall_type, flags, data.as_deref()) {
        Ok(()) => {
            if !a.nomtab {
                let entry = MtabEntry {
                    // update_mtab_entry: a pseudo filesystem's source is kept as typed.
                    fsname: if is_pseudo_fs(fstype) {
                        spec.to_string()
                    } else {
                        canonicalize(sh, pid, spec)
                    },
                    dir: canonicalize(sh, pid, node),
                    fstype: fstype.to_string(),
                    opts: fix_opts_string(flags, data.as_deref()),
                };
                let mut mtab = read_mtab(sh, pid);
                if flags & ms::REMOUNT != 0 {
                    // update_mtab: the last entry on the directory takes the new options; a
                    // remount of a directory mtab does not know adds an entry.
                    match mtab.iter_mut().rev().find(|e| e.dir == entry.dir) {
                        Some(e) => e.opts = entry.opts,
                        None => mtab.push(entry),
                    }
                } else {
                    mtab.push(entry);
                }
                if let Err(e) = write_mtab(sh, pid, &mtab) {
                    sh.write_err(
                        pid,
                        &format!("mount: can't open {MTAB}: {}\n", e.strerror()),
                    );
                }
            }
            0
        }
        // try_mount_one checks the type before the errno: a failed remount without `-t`
        // says only this.
        Err(_) if types.is_none() => {
            sh.write_err(pid, "mount: you must specify the filesystem type\n");
            EX_FAIL
        }
        Err(e) => {
            let msg = mount_error(sh, pid, e.errno, spec, node, fstype, flags);
            sh.write_err(pid, &msg);
            EX_FAIL
        }
    }
}

/// `is_pseudo_fs` of `mount/sundries.c`.
fn is_pseudo_fs(t: &str) -> bool {
    matches!(
        t,
        "none"
            | "proc"
            | "tmpfs"
            | "sysfs"
            | "usbfs"
            | "cgroup"
            | "cpuset"
            | "rpc_pipefs"
            | "devpts"
    )
}

/// `known_fstype_in_procfs`: 1 when `/proc/filesystems` lists the type, 0 when it does not,
/// -1 when it cannot be read.
fn known_fstype_in_procfs(sh: &mut Shell, pid: Pid, t: &str) -> i32 {
    let k = sh.kernel().clone();
    let Ok(fd) = k.open(pid, "/proc/filesystems", OpenFlags::RDONLY, 0) else {
        return -1;
    };
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = k.read(pid, fd, &mut buf) {
        if n == 0 {
            break;
        }
        text.extend_from_slice(&buf[..n]);
    }
    let _ = k.close(pid, fd);
    let listed = String::from_utf8_lossy(&text)
        .lines()
        .any(|l| l.split_whitespace().last() == Some(t));
    i32::from(listed)
}

/// The switch on `errno` after a failed mount(2) in `try_mount_one`.
fn mount_error(
    sh: &mut Shell,
    pid: Pid,
    errno: Errno,
    spec: &str,
    node: &str,
    types: &str,
    flags: u64,
) -> String {
    let k = sh.kernel().clone();
    let node_dir = k
        .stat(pid, node)
        .is_ok_and(|s| s.file_type == FileType::Directory);
    match errno {
        Errno::EPERM if !is_root(sh, pid) => "mount: must be superuser to use mount\n".to_string(),
        Errno::EPERM if !node_dir => format!("mount: mount point {node} is not a directory\n"),
        Errno::EPERM => "mount: permission denied\n".to_string(),
        Errno::EBUSY if flags & ms::REMOUNT != 0 => format!("mount: {node} is busy\n"),
        Errno::EBUSY if types == "proc" && node == "/proc" => {
            "mount: proc already mounted\n".to_string()
        }
        Errno::EBUSY => {
            let mut m = format!("mount: {spec} already mounted or {node} busy\n");
            // already(): what mtab says about the directory, else about the source.
            let dir = canonicalize(sh, pid, node);
            let mtab = read_mtab(sh, pid);
            if let Some(e) = mtab.iter().find(|e| e.dir == dir || e.fsname == dir) {
                m.push_str(&format!(
                    "mount: according to mtab, {} is already mounted on {dir}\n",
                    e.fsname
                ));
            } else if spec != "none"
                && let Some(e) = mtab.iter().find(|e| e.dir == spec || e.fsname == spec)
            {
                m.push_str(&format!(
                    "mount: according to mtab, {spec} is mounted on {}\n",
                    e.dir
                ));
            }
            m
        }
        // lstat and stat agree: the simulated filesystems have no dangling symlinks.
        Errno::ENOENT if k.stat(pid, node).is_err() => {
            format!("mount: mount point {node} does not exist\n")
        }
        Errno::ENOENT if k.stat(pid, spec).is_err() => {
            format!("mount: special device {spec} does not exist\n")
        }
        Errno::ENOTDIR if !node_dir => format!("mount: mount point {node} is not a directory\n"),
        Errno::ENOENT | Errno::ENOTDIR => format!("mount: {}\n", errno.strerror()),
        Errno::EINVAL if flags & ms::REMOUNT != 0 => {
            format!("mount: {node} not mounted already, or bad option\n")
        }
        Errno::EINVAL => {
            let mut m = format!(
                "mount: wrong fs type, bad option, bad superblock on {spec},\n       missing codepage or helper program, or other error\n"
            );
            if k.stat(pid, spec).is_err_and(|e| e.errno == Errno::ENOENT) {
                m.push_str(
                    "       (for several filesystems (e.g. nfs, cifs) you might\n       need a /sbin/mount.<type> helper program)\n",
                );
            }
            m.push_str(
                "       In some cases useful info is found in syslog - try\n       dmesg | tail  or so\n\n",
            );
            m
        }
        Errno::EMFILE => "mount table full\n".to_string(),
        Errno::EIO => format!("mount: {spec}: can't read superblock\n"),
        Errno::ENODEV => match known_fstype_in_procfs(sh, pid, types) {
            1 => format!("mount: {spec}: unknown device\n"),
            0 => format!("mount: unknown filesystem type '{types}'\n"),
            _ => {
                format!("mount: {spec} has wrong device number or fs type {types} not supported\n")
            }
        },
        e => format!("mount: {}\n", e.strerror()),
    }
}

/// `print_all`: every mtab entry (of the `-t` types), `print_one`'s format.
fn print_all(sh: &mut Shell, pid: Pid, types: Option<&str>) -> i32 {
    let mut out = String::new();
    for e in read_mtab(sh, pid) {
        if types.is_some_and(|t| !super::mount::match_fstype(&e.fstype, t)) {
            continue;
        }
        out.push_str(&format!("{} on {}", e.fsname, e.dir));
        if !e.fstype.is_empty() {
            out.push_str(&format!(" type {}", e.fstype));
        }
        out.push_str(&format!(" ({})\n", e.opts));
    }
    match sh.out(pid, &out) {
        Ok(()) => 0,
        Err(_) => EX_FAIL,
    }
}

/// `umount` of util-linux-ng 2.17.2 after getopt (`operands` in order).
pub fn umount(sh: &mut Shell, pid: Pid, operands: &[String], nomtab: bool) -> i32 {
    if operands.is_empty() {
        sh.write_err(pid, UMOUNT_USAGE);
        return 2;
    }
    let restricted = !is_root(sh, pid);
    let mut result = 0;
    for arg in operands {
        if arg.is_empty() {
            sh.write_err(pid, "Cannot umount \"\"\n\n");
            return 2;
        }
        let file = canonicalize(sh, pid, arg);
        let mtab = read_mtab(sh, pid);
        // getmntdirbackward, then getmntdevbackward.
        let mc = mtab
            .iter()
            .rev()
            .find(|e| e.dir == file)
            .or_else(|| mtab.iter().rev().find(|e| e.fsname == file))
            .cloned();
        if restricted {
            // Only fstab's user mounts may be unmounted by others; there is no fstab.
            let msg = if mc.is_none() {
                format!("umount: {file} is not mounted (according to mtab)\n")
            } else {
                format!("umount: {file} is not in the fstab (and you are not root)\n")
            };
            sh.write_err(pid, &msg);
            return 2;
        }
        let node = mc.as_ref().map_or(arg.clone(), |e| e.dir.clone());
        let k = sh.kernel().clone();
        let err = k.umount(pid, &node).err().map(|e| e.errno);
        if !nomtab && matches!(err, None | Some(Errno::EINVAL | Errno::ENOENT)) {
            let mut mtab = mtab;
            if let Some(i) = mtab.iter().rposition(|e| e.dir == node) {
                mtab.remove(i);
                let _ = write_mtab(sh, pid, &mtab);
            }
        }
        if let Some(e) = err {
            let msg = match e {
                Errno::ENXIO => format!("umount: {node}: invalid block device\n"),
                Errno::EINVAL => format!("umount: {node}: not mounted\n"),
                Errno::EIO => format!("umount: {node}: can't write superblock\n"),
                Errno::EBUSY => format!(
                    "umount: {node}: device is busy.\n        (In some cases useful info about processes that use\n         the device is found by lsof(8) or fuser(1))\n"
                ),
                Errno::ENOENT => format!("umount: {node}: not found\n"),
                Errno::EPERM => format!("umount: {node}: must be superuser to umount\n"),
                Errno::EACCES => format!("umount: {node}: block devices not permitted on fs\n"),
                e => format!("umount: {node}: {}\n", e.strerror()),
            };
            sh.write_err(pid, &msg);
            result += 1;
        }
    }
    result
}
