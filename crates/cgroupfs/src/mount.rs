//! The mount table: `mount(2)`, `umount(2)`, `/proc/mounts` and `/proc/PID/mountinfo`.
//!
//! **Kernel:** `fs/namespace.c` `do_mount`, `do_new_mount`, `do_add_mount`, `do_remount`,
//! `do_umount`, `mnt_alloc_id`/`mnt_free_id`, `show_vfsmnt`, `show_mountinfo`,
//! `show_sb_opts`, `show_mnt_opts` (v2.6.35); `fs/super.c` `get_sb_*`/`deactivate_super`,
//! `set_anon_super` (`get_unnamed_dev`).
//! Mount flags (v2.6.35 `do_mount`): every mount made through `mount(2)` gets `MNT_RELATIME`
//! unless `MS_NOATIME` is given (the default since 2.6.30), `MS_STRICTATIME` clears both, and
//! `MS_NOSUID`/`MS_NODEV`/`MS_NOEXEC`/`MS_NODIRATIME` become per-mount flags; `MS_SYNCHRONOUS`,
//! `MS_DIRSYNC` and `MS_MANDLOCK` belong to the superblock. A remount replaces the mount's
//! flags (2.6.35 has no "keep the old atime mode" rule yet). `rootfs` is mounted by the kernel
//! itself (`init_mount_tree`), so it has none of them.
//! Mount ids are the lowest free id from `mnt_id_start` (freed ids are reused, as the ida
//! does); superblocks without a device get `0:N` with the lowest free N (`get_unnamed_dev`).
//! Rules kept: only root may mount or unmount (EPERM); an unknown filesystem type is ENODEV; the
//! target must exist (ENOENT) and be a directory (ENOTDIR); mounting the same superblock on the
//! root of a mount of that superblock is EBUSY; `umount` of a path that is not a mount root is
//! EINVAL, and of a mount with mounts below it EBUSY; a cgroup hierarchy is torn down
//! (`cgroup_kill_sb`) only when its last mount goes away.
//! A mount is busy (EBUSY) while a file is open through it or some process's working directory
//! is inside it, as the kernel's mount reference count makes it.
//! **Differences:** no bind mounts, no `MNT_DETACH`, no mount propagation (every mount is
//! private, so `mountinfo` has no optional fields, as on 2.6.35 without `mount --make-shared`).
//! Read-only mounts are refused (EINVAL from [`Kernel::mount_flags`]) because nothing would
//! enforce them; `nosuid`, `nodev`, `noexec` and the atime flags are shown but change nothing
//! (the simulator executes no files and keeps no access times). The kernel's own internal
//! mounts (sysfs, bdev, sockfs, pipefs, ...) are not listed; they only take mount ids and
//! unnamed device numbers: `rootfs` is mount 1 on `0:1`, `proc` is `0:3`, and the first
//! superblock mounted from user space gets `0:15`.

use crate::Kernel;
use crate::cgroupfs::CgSb;
use crate::namei::Node;
use crate::procfs::ProcNode;
use crate::state::State;
use crate::task::INIT_PID;
use crate::tmpfs::{TMPFS_MAGIC, Tmpfs};
use cgsim_ktypes::trace::func;
use cgsim_ktypes::{Errno, Pid, SysError, SysResult, Tracer};

/// `mount(2)` flags (`include/linux/fs.h`, v2.6.35).
pub mod ms {
    pub const RDONLY: u64 = 1;
    pub const NOSUID: u64 = 2;
    pub const NODEV: u64 = 4;
    pub const NOEXEC: u64 = 8;
    pub const SYNCHRONOUS: u64 = 16;
    pub const REMOUNT: u64 = 32;
    pub const MANDLOCK: u64 = 64;
    pub const DIRSYNC: u64 = 128;
    pub const NOATIME: u64 = 1024;
    pub const NODIRATIME: u64 = 2048;
    pub const BIND: u64 = 4096;
    pub const RELATIME: u64 = 1 << 21;
    pub const STRICTATIME: u64 = 1 << 24;
}

/// Per-mount flags (`include/linux/mount.h`, v2.6.35).
pub mod mnt {
    pub const NOSUID: u32 = 0x01;
    pub const NODEV: u32 = 0x02;
    pub const NOEXEC: u32 = 0x04;
    pub const NOATIME: u32 = 0x08;
    pub const NODIRATIME: u32 = 0x10;
    pub const RELATIME: u32 = 0x20;
    pub const READONLY: u32 = 0x40;
}

/// `show_sb_opts`'s table, in its order.
const SB_OPTS: [(u64, &str); 3] = [
    (ms::SYNCHRONOUS, ",sync"),
    (ms::DIRSYNC, ",dirsync"),
    (ms::MANDLOCK, ",mand"),
];

/// `show_mnt_opts`'s table, in its order.
const MNT_OPTS: [(u32, &str); 6] = [
    (mnt::NOSUID, ",nosuid"),
    (mnt::NODEV, ",nodev"),
    (mnt::NOEXEC, ",noexec"),
    (mnt::NOATIME, ",noatime"),
    (mnt::NODIRATIME, ",nodiratime"),
    (mnt::RELATIME, ",relatime"),
];

/// `do_mount`: the per-mount flags of a `mount(2)` call.
pub fn mnt_flags_of(flags: u64) -> u32 {
    let mut f = 0;
    if flags & ms::NOATIME == 0 {
        f |= mnt::RELATIME;
    }
    for (m, n) in [
        (ms::NOSUID, mnt::NOSUID),
        (ms::NODEV, mnt::NODEV),
        (ms::NOEXEC, mnt::NOEXEC),
        (ms::NOATIME, mnt::NOATIME),
        (ms::NODIRATIME, mnt::NODIRATIME),
    ] {
        if flags & m != 0 {
            f |= n;
        }
    }
    if flags & ms::STRICTATIME != 0 {
        f &= !(mnt::RELATIME | mnt::NOATIME);
    }
    if flags & ms::RDONLY != 0 {
        f |= mnt::READONLY;
    }
    f
}

/// The superblock flags `show_sb_opts` prints (and `MS_RDONLY`).
const SB_FLAGS: u64 = ms::RDONLY | ms::SYNCHRONOUS | ms::DIRSYNC | ms::MANDLOCK;

/// Unnamed device minors below this belong to the kernel's internal superblocks.
pub const FIRST_USER_ANON_DEV: u32 = 15;

/// Which superblock a mount shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Super {
    Tmpfs(u32),
    Proc,
    Cgroup(CgSb),
    /// A bound host directory (`hostfs.rs`), by its index in `State::hostfs`.
    Host(u32),
    /// debugfs (one superblock, as `debug_fill_super`'s `get_sb_single`).
    Debugfs,
}

/// One mount (`struct vfsmount`).
#[doc(alias = "vfsmount")]
#[derive(Clone, Debug)]
pub struct Mount {
    pub id: u64,
    /// `(parent mount, covered directory)`; `None` for `rootfs`.
    pub mountpoint: Option<(u64, Node)>,
    pub root: Node,
    pub sb: Super,
    pub source: String,
    /// The mount point's absolute path when it was mounted.
    pub dir: String,
    pub fstype: String,
    /// Extra options shown after `rw` for non-cgroup filesystems (`,mode=755`).
    pub options: String,
    /// `mnt_flags` (`mnt::*`).
    pub mnt_flags: u32,
    /// The superblock's `s_flags` that `/proc/mounts` shows (`ms::RDONLY`, `SYNCHRONOUS`,
    /// `DIRSYNC`, `MANDLOCK`); the same for every mount of one superblock.
    pub sb_flags: u64,
    /// `s_dev` of the superblock as `(major, minor)`.
    pub dev: (u32, u32),
    /// Position in the namespace's mount list (`/proc/mounts` order).
    pub seq: u64,
}

/// `mangle()` in `show_vfsmnt`: escape space, tab, newline and backslash as octal.
pub fn mangle(s: &str) -> String {
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

impl<T: Tracer> Kernel<T> {
    /// `do_mount`.
    #[doc(alias = "do_mount")]
    pub(crate) fn sys_mount(
        &self,
        pid: Pid,
        source: &str,
        target: &str,
        fstype: &str,
        flags: u64,
        data: Option<&str>,
    ) -> SysResult<()> {
        let (cpu, _on) = self.enter_cpu(pid);
        let _f = func(&*self.tracer, cpu, "do_mount");
        let remount = flags & ms::REMOUNT != 0;
        if flags & ms::RDONLY != 0 {
            return Err(SysError::new(
                Errno::EINVAL,
                "read-only mounts are not modelled",
            ));
        }
        if flags & ms::BIND != 0 {
            return Err(SysError::new(Errno::EINVAL, "bind mounts are not modelled"));
        }
        let mnt_flags = mnt_flags_of(flags);
        let sb_flags = flags & SB_FLAGS;
        // Lock order: Kernel::state -> cgroup_mutex (inside the core's get_sb/remount).
        let mut st = self.lock_state();
        let cred = self.cred_of(&st, pid)?;
        if !cred.euid.is_root() {
            return Err(SysError::new(Errno::EPERM, "mount needs CAP_SYS_ADMIN"));
        }
        let w = self.walk(&st, pid, target, true)?;
        if remount {
            let m = st
                .mounts
                .get(&w.mnt())
                .filter(|m| &m.root == w.node())
                .ok_or(SysError::new(Errno::EINVAL, "remount of a non-mount point"))?;
            let (id, sb) = (m.id, m.sb.clone());
            match &sb {
                Super::Cgroup(cg) => self.cg_remount(&mut st, cg, data)?,
                Super::Tmpfs(_) | Super::Proc | Super::Host(_) | Super::Debugfs => {}
            }
            // do_remount: the new flags replace the mount's; do_remount_sb changes the
            // superblock's for every mount of it.
            for m in st.mounts.values_mut().filter(|m| m.sb == sb) {
                m.sb_flags = sb_flags;
            }
            // A bound host directory stays read-only whatever the remount asks: nothing in the
            // simulation may write to the host.
            let keep = if matches!(sb, Super::Host(_)) {
                mnt::READONLY
            } else {
                0
            };
            st.mounts.get_mut(&id).expect("found above").mnt_flags = mnt_flags | keep;
            return Ok(());
        }
        let (sb, root, options) = match fstype {
            "tmpfs" => {
                let mode = parse_tmpfs_mode(data)?;
                let id = st.next_sb;
                st.next_sb += 1;
                let fs = Tmpfs::new(TMPFS_MAGIC, mode.unwrap_or(0o1777), self.clock.now_nanos());
                let root = Node::Tmpfs {
                    sb: id,
                    ino: fs.root,
                };
                st.tmpfs.insert(id, fs);
                let opts = mode.map_or(String::new(), |m| format!(",mode={m:o}"));
                (Super::Tmpfs(id), root, opts)
            }
            "proc" => (Super::Proc, Node::Proc(ProcNode::Root), String::new()),
            "debugfs" => (
                Super::Debugfs,
                Node::Debugfs(crate::fault_inject::DebugNode::Root),
                String::new(),
            ),
            "cgroup" => {
                let (sb, root, new) = self.cg_get_sb(&mut st, data)?;
                if new {
                    // A new hierarchy is a new superblock, whatever an old one with this id had.
                    st.anon_devs.retain(|_, s| s != &Super::Cgroup(sb.clone()));
                }
                (Super::Cgroup(sb), root, String::new())
            }
            // The default hierarchy (6.6 `cgroup2_fs_type`); ENODEV below on kernels without it.
            "cgroup2" if self.params.core_profile.has_cgroup2() => {
                let (sb, root) = self.cg_get_tree_dfl(&mut st, data)?;
                (Super::Cgroup(sb), root, String::new())
            }
            _ => return Err(SysError::new(Errno::ENODEV, "unknown filesystem type")),
        };
        let dev = self.sb_dev(&mut st, &sb);
        // graft_tree (after get_sb, as in the kernel): the mount point must be a directory.
        if !self.attr(&st, w.node())?.is_dir() {
            self.put_super(&mut st, &sb);
            return Err(SysError::new(
                Errno::ENOTDIR,
                "mount point is not a directory",
            ));
        }
        // do_add_mount: refuse the same superblock on the root of one of its own mounts.
        if let Some(m) = st.mounts.get(&w.mnt())
            && m.sb == sb
            && &m.root == w.node()
        {
            self.put_super(&mut st, &sb);
            return Err(SysError::new(Errno::EBUSY, "already mounted here"));
        }
        // A superblock mounted again keeps its flags (sget finds the existing one).
        let sb_flags = st
            .mounts
            .values()
            .find(|m| m.sb == sb)
            .map_or(sb_flags, |m| m.sb_flags);
        let m = Mount {
            id: 0,
            mountpoint: Some((w.mnt(), w.node().clone())),
            root,
            sb,
            source: source.to_string(),
            dir: w.path(),
            fstype: fstype.to_string(),
            options,
            mnt_flags,
            sb_flags,
            dev,
            seq: 0,
        };
        add_mount(&mut st, m);
        Ok(())
    }

    /// `s_dev` of a superblock: `proc` has its boot-time `0:3`; another superblock already
    /// mounted keeps its number; a new one gets the lowest free unnamed minor.
    #[doc(alias = "get_unnamed_dev")]
    fn sb_dev(&self, st: &mut State<T>, sb: &Super) -> (u32, u32) {
        if *sb == Super::Proc {
            return (0, 3);
        }
        if let Super::Host(_) = sb {
            return crate::hostfs::HOST_DEV;
        }
        if let Some((&minor, _)) = st.anon_devs.iter().find(|(_, s)| *s == sb) {
            return (0, minor);
        }
        let minor = (FIRST_USER_ANON_DEV..)
            .find(|m| !st.anon_devs.contains_key(m))
            .expect("a free minor");
        st.anon_devs.insert(minor, sb.clone());
        (0, minor)
    }

    /// `do_umount`.
    #[doc(alias = "do_umount")]
    pub(crate) fn sys_umount(&self, pid: Pid, target: &str) -> SysResult<()> {
        let (cpu, _on) = self.enter_cpu(pid);
        let _f = func(&*self.tracer, cpu, "do_umount");
        // Lock order: Kernel::state -> cgroup_mutex (inside the core's kill_sb).
        let mut st = self.lock_state();
        let cred = self.cred_of(&st, pid)?;
        if !cred.euid.is_root() {
            return Err(SysError::new(Errno::EPERM, "umount needs CAP_SYS_ADMIN"));
        }
        let w = self.walk(&st, pid, target, true)?;
        let m = st
            .mounts
            .get(&w.mnt())
            .filter(|m| &m.root == w.node())
            .ok_or(SysError::new(Errno::EINVAL, "not a mount point"))?;
        if m.mountpoint.is_none() {
            return Err(SysError::new(Errno::EBUSY, "rootfs cannot be unmounted"));
        }
        let id = m.id;
        if st
            .mounts
            .values()
            .any(|c| c.mountpoint.as_ref().is_some_and(|(p, _)| *p == id))
        {
            return Err(SysError::new(Errno::EBUSY, "mounts below"));
        }
        // The mount is busy while a file is open through it or a working directory is in it.
        if st.files.values().any(|f| f.mnt == id) {
            return Err(SysError::new(Errno::EBUSY, "files open on the mount"));
        }
        let in_use = st.tasks.values().filter(|t| !t.is_zombie()).any(|t| {
            self.walk(&st, INIT_PID, &t.cwd, true)
                .is_ok_and(|cw| cw.stack.iter().any(|e| e.mnt == id))
        });
        if in_use {
            return Err(SysError::new(
                Errno::EBUSY,
                "a working directory is on the mount",
            ));
        }
        let m = st.mounts.remove(&id).expect("found above");
        // mnt_free_id: a freed id below the search start moves the start down.
        st.next_mnt = st.next_mnt.min(id);
        self.put_super(&mut st, &m.sb);
        Ok(())
    }

    /// Drop one mount's reference on a superblock (`deactivate_super`): free a tmpfs when no mount
    /// shows it any more; for a cgroup hierarchy the core counts its views and decides about
    /// `cgroup_kill_sb`.
    fn put_super(&self, st: &mut State<T>, sb: &Super) {
        // The superblock's last mount: generic_shutdown_super -> fsnotify_sb_delete (cgroup_kill_sb
        // calls kernfs_kill_sb even when the hierarchy lives on).
        if !st.mounts.values().any(|m| &m.sb == sb) {
            self.fsnotify_sb_delete(st, sb);
        }
        match sb {
            Super::Cgroup(cg) => {
                if self.cg_kill_sb(st, cg) {
                    st.anon_devs.retain(|_, s| s != sb);
                }
            }
            _ if st.mounts.values().any(|m| &m.sb == sb) => {}
            Super::Tmpfs(id) => {
                st.tmpfs.remove(id);
                st.anon_devs.retain(|_, s| s != sb);
            }
            Super::Proc | Super::Host(_) | Super::Debugfs => {}
        }
    }

    /// The option suffix the filesystem adds (`s_op->show_options`): `,memory` for a cgroup
    /// hierarchy, `,mode=755` for a tmpfs mounted with it.
    fn fs_options(&self, m: &Mount) -> String {
        match &m.sb {
            Super::Cgroup(sb) => self.cg_show_options(sb),
            _ => m.options.clone(),
        }
    }

    /// The text of `/proc/mounts` (`show_vfsmnt`), one line per mount in mount order:
    /// `SOURCE DIR TYPE rw|ro<sb opts><mnt opts><fs opts> 0 0`.
    #[doc(alias = "show_vfsmnt")]
    pub(crate) fn proc_mounts(&self, st: &State<T>) -> String {
        let mut out = String::new();
        for m in in_mount_order(st) {
            let ro = m.mnt_flags & mnt::READONLY != 0 || m.sb_flags & ms::RDONLY != 0;
            out.push_str(&format!(
                "{} {} {} {}{}{}{} 0 0\n",
                mangle(&m.source),
                mangle(&m.dir),
                m.fstype,
                if ro { "ro" } else { "rw" },
                show_sb_opts(m.sb_flags),
                show_mnt_opts(m.mnt_flags),
                self.fs_options(m),
            ));
        }
        out
    }

    /// The text of `/proc/PID/mountinfo` (`show_mountinfo`): `ID PARENT MAJ:MIN ROOT DIR
    /// rw|ro<mnt opts> - TYPE SOURCE rw|ro<sb opts><fs opts>`. Every process sees the one
    /// namespace from the root `/`, and every mount shows the root of its filesystem.
    #[doc(alias = "show_mountinfo")]
    pub(crate) fn proc_mountinfo(&self, st: &State<T>) -> String {
        let mut out = String::new();
        for m in in_mount_order(st) {
            let parent = m.mountpoint.as_ref().map_or(m.id, |(p, _)| *p);
            // A bind mount's root is the bound directory within its filesystem.
            let root = match &m.sb {
                Super::Host(fs) => st
                    .hostfs
                    .get(*fs as usize)
                    .map_or("/".to_string(), |h| mangle(&h.root.to_string_lossy())),
                _ => "/".to_string(),
            };
            out.push_str(&format!(
                "{} {} {}:{} {} {} {}{} - {} {} {}{}{}\n",
                m.id,
                parent,
                m.dev.0,
                m.dev.1,
                root,
                mangle(&m.dir),
                if m.mnt_flags & mnt::READONLY != 0 {
                    "ro"
                } else {
                    "rw"
                },
                show_mnt_opts(m.mnt_flags),
                m.fstype,
                mangle(&m.source),
                if m.sb_flags & ms::RDONLY != 0 {
                    "ro"
                } else {
                    "rw"
                },
                show_sb_opts(m.sb_flags),
                self.fs_options(m),
            ));
        }
        out
    }
}

/// Insert a mount with the lowest free id at or above the search start (`mnt_alloc_id`), at
/// the end of the namespace's list (`commit_tree`).
#[doc(alias = "mnt_alloc_id")]
pub(crate) fn add_mount<T: Tracer>(st: &mut State<T>, mut m: Mount) -> u64 {
    let id = (st.next_mnt..)
        .find(|i| !st.mounts.contains_key(i))
        .expect("a free mount id");
    st.next_mnt = id + 1;
    st.next_mnt_seq += 1;
    m.id = id;
    m.seq = st.next_mnt_seq;
    st.mounts.insert(id, m);
    id
}

fn in_mount_order<T: Tracer>(st: &State<T>) -> Vec<&Mount> {
    let mut v: Vec<&Mount> = st.mounts.values().collect();
    v.sort_by_key(|m| m.seq);
    v
}

fn show_sb_opts(flags: u64) -> String {
    SB_OPTS
        .iter()
        .filter(|(f, _)| flags & f != 0)
        .map(|(_, s)| *s)
        .collect()
}

fn show_mnt_opts(flags: u32) -> String {
    MNT_OPTS
        .iter()
        .filter(|(f, _)| flags & f != 0)
        .map(|(_, s)| *s)
        .collect()
}

/// The `mode=` option of tmpfs (octal); other options are rejected with EINVAL as
/// `shmem_parse_options` does for unknown ones.
fn parse_tmpfs_mode(data: Option<&str>) -> SysResult<Option<u32>> {
    let mut mode = None;
    for opt in data.unwrap_or("").split(',').filter(|o| !o.is_empty()) {
        match opt.strip_prefix("mode=") {
            Some(v) => {
                let m = u32::from_str_radix(v, 8)
                    .map_err(|_| SysError::new(Errno::EINVAL, "bad tmpfs mode="))?;
                mode = Some(m & 0o7777);
            }
            None if opt == "rw" => {}
            None => return Err(SysError::new(Errno::EINVAL, "unknown tmpfs option")),
        }
    }
    Ok(mode)
}

#[cfg(test)]
mod tests;
