//! The mount table: `mount(2)`, `umount(2)` and `/proc/mounts`.
//!
//! **Kernel:** `fs/namespace.c` `do_mount`, `do_new_mount`, `do_add_mount`, `do_remount`,
//! `do_umount`, `show_vfsmnt` (2.6.25); `fs/super.c` `get_sb_*`/`deactivate_super`.
//! Rules kept: only root may mount or unmount (EPERM); an unknown filesystem type is ENODEV; the
//! target must exist (ENOENT) and be a directory (ENOTDIR); mounting the same superblock on the
//! root of a mount of that superblock is EBUSY; `umount` of a path that is not a mount root is
//! EINVAL, and of a mount with mounts below it EBUSY; a cgroup hierarchy is torn down
//! (`cgroup_kill_sb`) only when its last mount goes away.
//! A mount is busy (EBUSY) while a file is open through it or some process's working directory
//! is inside it, as the kernel's mount reference count makes it.
//! **Differences:** no bind mounts, no mount flags except remount, no `MNT_DETACH`.

use crate::Kernel;
use crate::cgroupfs::CgSb;
use crate::namei::Node;
use crate::procfs::ProcNode;
use crate::state::State;
use crate::task::INIT_PID;
use crate::tmpfs::{TMPFS_MAGIC, Tmpfs};
use cgsim_ktypes::trace::func;
use cgsim_ktypes::{CpuId, Errno, Pid, SysError, SysResult, Tracer};

/// Which superblock a mount shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Super {
    Tmpfs(u32),
    Proc,
    Cgroup(CgSb),
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
    pub(crate) fn add_mount(&self, st: &mut State<T>, mut m: Mount) -> u64 {
        m.id = st.next_mnt;
        st.next_mnt += 1;
        let id = m.id;
        st.mounts.insert(id, m);
        id
    }

    /// `do_mount`.
    #[doc(alias = "do_mount")]
    pub(crate) fn sys_mount(
        &self,
        pid: Pid,
        source: &str,
        target: &str,
        fstype: &str,
        remount: bool,
        data: Option<&str>,
    ) -> SysResult<()> {
        let _f = func(&*self.tracer, CpuId(0), "do_mount");
        // Lock order: Kernel::state -> cgroup_mutex (inside the core's get_sb/remount).
        let mut st = self.state.lock();
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
            let sb = m.sb.clone();
            return match sb {
                Super::Cgroup(sb) => self.cg_remount(&mut st, &sb, data),
                Super::Tmpfs(_) | Super::Proc => Ok(()),
            };
        }
        let (sb, root, options) = match fstype {
            "tmpfs" => {
                let mode = parse_tmpfs_mode(data)?;
                let id = st.next_sb;
                st.next_sb += 1;
                let fs = Tmpfs::new(TMPFS_MAGIC, mode.unwrap_or(0o1777));
                let root = Node::Tmpfs {
                    sb: id,
                    ino: fs.root,
                };
                st.tmpfs.insert(id, fs);
                let opts = mode.map_or(String::new(), |m| format!(",mode={m:o}"));
                (Super::Tmpfs(id), root, opts)
            }
            "proc" => (Super::Proc, Node::Proc(ProcNode::Root), String::new()),
            "cgroup" => {
                let (sb, root) = self.cg_get_sb(&mut st, data)?;
                (Super::Cgroup(sb), root, String::new())
            }
            _ => return Err(SysError::new(Errno::ENODEV, "unknown filesystem type")),
        };
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
        let m = Mount {
            id: 0,
            mountpoint: Some((w.mnt(), w.node().clone())),
            root,
            sb,
            source: source.to_string(),
            dir: w.path(),
            fstype: fstype.to_string(),
            options,
        };
        self.add_mount(&mut st, m);
        Ok(())
    }

    /// `do_umount`.
    #[doc(alias = "do_umount")]
    pub(crate) fn sys_umount(&self, pid: Pid, target: &str) -> SysResult<()> {
        let _f = func(&*self.tracer, CpuId(0), "do_umount");
        // Lock order: Kernel::state -> cgroup_mutex (inside the core's kill_sb).
        let mut st = self.state.lock();
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
        self.put_super(&mut st, &m.sb);
        Ok(())
    }

    /// Drop one mount's reference on a superblock (`deactivate_super`): free a tmpfs when no mount
    /// shows it any more; for a cgroup hierarchy the core counts its views and decides about
    /// `cgroup_kill_sb`.
    fn put_super(&self, st: &mut State<T>, sb: &Super) {
        match sb {
            Super::Cgroup(sb) => self.cg_kill_sb(st, sb),
            _ if st.mounts.values().any(|m| &m.sb == sb) => {}
            Super::Tmpfs(id) => {
                st.tmpfs.remove(id);
            }
            Super::Proc => {}
        }
    }

    /// The text of `/proc/mounts`, one line per mount in mount order.
    pub(crate) fn proc_mounts(&self, st: &State<T>) -> String {
        let mut out = String::new();
        for m in st.mounts.values() {
            let opts = match &m.sb {
                Super::Cgroup(sb) => self.cg_show_options(sb),
                _ => m.options.clone(),
            };
            out.push_str(&format!(
                "{} {} {} rw{} 0 0\n",
                mangle(&m.source),
                mangle(&m.dir),
                m.fstype,
                opts
            ));
        }
        out
    }
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
