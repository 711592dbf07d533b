//! The cgroup filesystem: directories are cgroups, files are control files, all backed by the
//! core (`cgsim-cgroup`).
//!
//! **Kernel:** `kernel/cgroup.c` `cgroup_fs_type`, `cgroup_get_sb`, `cgroup_kill_sb`,
//! `cgroup_remount`, `cgroup_lookup` (via `simple_lookup`), `cgroup_mkdir`, `cgroup_rmdir`,
//! `cgroup_file_open`, `cgroup_file_read`, `cgroup_file_write`, `cgroup_release_agent`
//! (2.6.25 structures, SEED behaviour; `kernel/cgroup.c` `cgroup_get_sb`, `cgroup_populate_dir`, `cgroup_create`, `cgroup_rmdir`).
//! The VFS does what the kernel's VFS does around these: path lookup, permission bits against
//! the caller's effective ids (root bypasses; a non-root process cannot open a root-owned 0644
//! control file for writing), `EEXIST` for names already taken, `EBUSY` for a mount point.
//! The core does the rest and returns bare errnos; this file attaches a reason.
//! **Differences:** a mount is one more "view" of the hierarchy counted by the core (the
//! superblock's active references); `cgroup_kill_sb` runs when the core says the last view and
//! the last child cgroup are gone (`kernel/cgroup.c` `cgroup_kill_sb`, v2.6.34). Release-agent executions are never run: each one is
//! logged (`cgroup: release_agent: exec <argv> (<envp>)`) and kept in
//! [`crate::Kernel::release_agent_log`].
//! **Locking:** called with `Kernel::state` held. Lock order: `Kernel::state` ->
//! `cgroup_mutex`. The core never calls back into the VFS.

use crate::namei::{Attr, Node};
use crate::state::State;
use crate::{DirEntry, FileType, Kernel};
use cgsim_cgroup::{CgroupId, Dentry, RootId};
use cgsim_ktypes::klog::Level;
use cgsim_ktypes::{Cred, Errno, Pid, SysError, SysResult, Tracer};

/// `CGROUP_SUPER_MAGIC` (`include/linux/magic.h`, v2.6.34).
pub const CGROUP_SUPER_MAGIC: u64 = 0x27e0eb;

/// `CGROUP2_SUPER_MAGIC` (`include/uapi/linux/magic.h`, v6.6): the `statfs` f_type of a
/// `cgroup2` mount.
pub const CGROUP2_SUPER_MAGIC: u64 = 0x6367_7270;

/// An inode of a cgroup mount: a cgroup directory, or one of its control files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CgNode {
    pub root: RootId,
    pub cgrp: CgroupId,
    /// `Some(name)` for a control file in `cgrp`'s directory.
    pub file: Option<String>,
}

/// The times of a cgroup directory's inode and of its control files (nanoseconds since boot).
///
/// **Kernel:** `kernel/cgroup.c` `cgroup_new_inode` (2.6.35) sets atime, mtime and ctime of
/// every new inode to `CURRENT_TIME`; the control files are created with their directory
/// (`cgroup_populate_dir`), so they carry its creation time. `cgroup_file_write` never calls
/// `file_update_time`, so writing a control file leaves its times alone. `cgroup_create_file`
/// does not touch the parent directory's times on mkdir, but rmdir goes through
/// `simple_rmdir` -> `simple_unlink` (`fs/libfs.c`), which sets the parent's mtime and ctime.
/// chmod and chown (`simple_setattr` via `notify_change`) set ctime.
/// **Differences:** files a remount adds to an existing directory show the directory's
/// creation time, not the remount's; a v2 (6.6, kernfs) directory follows the same 2.6.35
/// rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CgTimes {
    /// When the directory was made: every inode's atime, and mtime of the files.
    pub born: u64,
    /// The directory's mtime and ctime.
    pub mtime: u64,
    pub ctime: u64,
    /// ctime of control files changed by chmod/chown.
    pub file_ctime: std::collections::BTreeMap<String, u64>,
}

/// The key of a cgroup directory in `State::cg_times`: its inode number.
pub(crate) fn cg_times_key(cgrp: CgroupId) -> u64 {
    dir_ino(cgrp)
}

/// The inode number of cgroup `cgrp`'s directory.
fn dir_ino(cgrp: CgroupId) -> u64 {
    let key = cgrp.0;
    (u64::from(key.generation()) << 32 | u64::from(key.slot())) << 8 | 1
}

/// A mounted hierarchy (the superblock).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CgSb(pub RootId);

/// An open control file.
pub struct CgFile<T: Tracer> {
    pub(crate) of: cgsim_cgroup::OpenFile<T>,
    /// The PSI trigger written through this open file (`ctx->psi.trigger`, `psi.rs`).
    pub(crate) psi_trigger: Option<cgsim_cgroup::psi_group::TriggerKey>,
    /// A `*.events` file's notification count when the opener last read it (`of->event`,
    /// `psi.rs`, `file_notify.rs`).
    pub(crate) kn_seen: Option<u64>,
}

fn sys(errno: Errno, why: &'static str) -> SysError {
    SysError::new(errno, why)
}

/// A deterministic inode number for a cgroup directory or file.
fn ino_of(c: &CgNode) -> u64 {
    let dir = dir_ino(c.cgrp) & !1;
    match &c.file {
        None => dir | 1,
        // FNV-1a of the name, folded into the low byte range of the directory's number.
        Some(name) => {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in name.bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
            dir ^ (h << 40) | 2
        }
    }
}

impl<T: Tracer> Kernel<T> {
    // ---- superblock ------------------------------------------------------------------------

    /// `cgroup_get_sb`: parse the options, reuse or create the hierarchy, return its top cgroup.
    pub(crate) fn cg_get_sb(
        &self,
        st: &mut State<T>,
        data: Option<&str>,
    ) -> SysResult<(CgSb, Node, bool)> {
        let m = self
            .cgroups
            .mount(data)
            .map_err(|e| sys(e, "cgroup_get_sb"))?;
        if m.new_hierarchy {
            self.cg_born(st, m.top);
        }
        Ok((
            CgSb(m.root),
            Node::Cgroup(CgNode {
                root: m.root,
                cgrp: m.top,
                file: None,
            }),
            m.new_hierarchy,
        ))
    }

    /// `cgroup_get_tree` for `cgroup2` (6.6): the default hierarchy, whose root cgroup is the
    /// core's rootnode top.
    pub(crate) fn cg_get_tree_dfl(
        &self,
        _st: &mut State<T>,
        data: Option<&str>,
    ) -> SysResult<(CgSb, Node)> {
        let m = self.cgroups.mount_dfl(data).map_err(|e| {
            self.cg_log_dfl_param_error(data);
            sys(e, "cgroup_get_tree")
        })?;
        self.cg_dfl_flags_to_memcg();
        Ok((
            CgSb(m.root),
            Node::Cgroup(CgNode {
                root: m.root,
                cgrp: m.top,
                file: None,
            }),
        ))
    }

    /// `cgroup_remount`.
    pub(crate) fn cg_remount(
        &self,
        _st: &mut State<T>,
        sb: &CgSb,
        data: Option<&str>,
    ) -> SysResult<()> {
        self.cgroups.remount(sb.0, data).map_err(|e| {
            if sb.0.is_rootnode() && self.cgroups.profile().has_cgroup2() {
                self.cg_log_dfl_param_error(data);
            }
            sys(e, "cgroup_remount")
        })?;
        if sb.0.is_rootnode() && self.cgroups.profile().has_cgroup2() {
            self.cg_dfl_flags_to_memcg();
        }
        Ok(())
    }

    /// `logfc`'s line for a refused cgroup2 option (`cgsim_cgroup::dfl::cgroup2_param_error`).
    fn cg_log_dfl_param_error(&self, data: Option<&str>) {
        if let Some(line) = cgsim_cgroup::dfl::cgroup2_param_error(data) {
            self.klog.printk(&self.clock, Level::Err, line);
        }
    }

    /// The memory controller reads `memory_localevents` and `memory_recursiveprot` from
    /// `cgrp_dfl_root.flags` when it counts an event or computes protection; hand it the
    /// flags the last `cgroup2` mount or remount left.
    fn cg_dfl_flags_to_memcg(&self) {
        let flags = self.cgroups.dfl_root_flags();
        crate::with_machine!(&self.mem, m => m.set_dfl_root_flags(
            flags & cgsim_cgroup::dfl::CGRP_ROOT_MEMORY_LOCAL_EVENTS != 0,
            flags & cgsim_cgroup::dfl::CGRP_ROOT_MEMORY_RECURSIVE_PROT != 0,
        ));
    }

    /// Drop one mount view; the core runs `cgroup_kill_sb` if it was the last one. Returns
    /// whether the superblock died.
    pub(crate) fn cg_kill_sb(&self, st: &mut State<T>, sb: &CgSb) -> bool {
        let top = self.cgroups.top_cgroup(sb.0).ok();
        match self.cgroups.umount(sb.0) {
            Ok(dead) => {
                // The hierarchy's root directory goes with its superblock: forget its times
                // (the core may hand its slot to another cgroup with a new generation).
                if dead && let Some(top) = top {
                    st.cg_times.remove(&cg_times_key(top));
                }
                dead
            }
            Err(e) => {
                self.klog.printk(
                    &self.clock,
                    Level::Warning,
                    format!("cgroup: umount of an unknown hierarchy: {}", e.name()),
                );
                false
            }
        }
    }

    /// `cgroup_show_options`: the `/proc/mounts` option suffix.
    pub(crate) fn cg_show_options(&self, sb: &CgSb) -> String {
        self.cgroups.show_options(sb.0).unwrap_or_default()
    }

    // ---- inodes ------------------------------------------------------------------------------

    /// Record that cgroup `cgrp`'s directory (and its control files) were made now.
    pub(crate) fn cg_born(&self, st: &mut State<T>, cgrp: CgroupId) {
        let now = self.clock.now_nanos();
        st.cg_times.insert(
            cg_times_key(cgrp),
            CgTimes {
                born: now,
                mtime: now,
                ctime: now,
                file_ctime: Default::default(),
            },
        );
    }

    /// `notify_change`'s ATTR_CTIME on a cgroup inode.
    pub(crate) fn cg_touch_ctime(&self, st: &mut State<T>, c: &CgNode) {
        let now = self.clock.now_nanos();
        let t = st.cg_times.entry(cg_times_key(c.cgrp)).or_default();
        match &c.file {
            None => t.ctime = now,
            Some(name) => {
                t.file_ctime.insert(name.clone(), now);
            }
        }
    }

    /// `(atime, mtime, ctime)` of a cgroup inode; a directory made before any time was
    /// recorded (the default hierarchy's root, present from boot) has time 0.
    fn cg_inode_times(st: &State<T>, c: &CgNode) -> (u64, u64, u64) {
        let Some(t) = st.cg_times.get(&cg_times_key(c.cgrp)) else {
            return (0, 0, 0);
        };
        match &c.file {
            None => (t.born, t.mtime, t.ctime),
            Some(name) => (
                t.born,
                t.born,
                t.file_ctime.get(name).copied().unwrap_or(t.born),
            ),
        }
    }

    pub(crate) fn cg_attr(&self, st: &State<T>, c: &CgNode) -> SysResult<Attr> {
        let (atime, mtime, ctime) = Self::cg_inode_times(st, c);
        let mut nlink = 1;
        let (file_type, mode, uid, gid) = match &c.file {
            None => {
                let d = self
                    .cgroups
                    .dir_info(c.cgrp)
                    .map_err(|_| sys(Errno::ENOENT, "cgroup removed"))?;
                // cgroup_create_file starts a directory at 2 links and cgroup_create_dir adds
                // one to the parent for each child.
                let children = self.cgroups.readdir(c.cgrp).map_or(0, |v| {
                    v.iter().filter(|e| matches!(e, Dentry::Dir(_))).count()
                });
                nlink = 2 + children as u32;
                (FileType::Directory, d.mode, d.uid, d.gid)
            }
            Some(name) => match self.cgroups.lookup(c.cgrp, name) {
                Ok(Dentry::File(f)) => (FileType::Regular, f.mode, f.uid, f.gid),
                _ => return Err(sys(Errno::ENOENT, "control file removed")),
            },
        };
        Ok(Attr {
            file_type,
            mode,
            uid,
            gid,
            size: 0,
            ino: ino_of(c),
            magic: if c.root.is_rootnode() {
                CGROUP2_SUPER_MAGIC
            } else {
                CGROUP_SUPER_MAGIC
            },
            rdev: None,
            nlink,
            atime,
            mtime,
            ctime,
        })
    }

    pub(crate) fn cg_lookup(&self, c: &CgNode, name: &str) -> SysResult<Node> {
        if c.file.is_some() {
            return Err(sys(Errno::ENOTDIR, "not a directory"));
        }
        let found = match self.cgroups.lookup(c.cgrp, name) {
            Ok(Dentry::Dir(d)) => CgNode {
                root: c.root,
                cgrp: d.cgrp,
                file: None,
            },
            Ok(Dentry::File(f)) => CgNode {
                root: c.root,
                cgrp: c.cgrp,
                file: Some(f.name),
            },
            Err(e) => return Err(sys(e, "no such cgroup entry")),
        };
        Ok(Node::Cgroup(found))
    }

    pub(crate) fn cg_readdir(&self, c: &CgNode) -> SysResult<Vec<DirEntry>> {
        let out: Vec<DirEntry> = self
            .cgroups
            .readdir(c.cgrp)
            .map_err(|e| sys(e, "cgroup removed"))?
            .into_iter()
            .map(|d| DirEntry {
                name: d.name().to_string(),
                file_type: match d {
                    Dentry::Dir(_) => FileType::Directory,
                    Dentry::File(_) => FileType::Regular,
                },
            })
            .collect();
        // dcache_readdir walks the directory's d_subdirs list, and d_alloc adds each new
        // dentry at its head (fs/dcache.c, 2.6.35): entries come newest first. A cgroup's
        // control files are created when the directory is (cgroup_populate_dir), its
        // subdirectories later, so: subdirectories newest first, then the files in reverse
        // order of creation. `ls` sorts; libcgroup's `cgget` and `lscgroup` print this order.
        // Differences: files a remount adds to a directory that already has children would come
        // before those children in the kernel; here subdirectories always come first.
        // The core keeps a cgroup's children newest first already (list_add on ->children).
        let (mut dirs, mut files): (Vec<DirEntry>, Vec<DirEntry>) = out
            .into_iter()
            .partition(|d| d.file_type == FileType::Directory);
        files.reverse();
        dirs.extend(files);
        let out = dirs;
        Ok(out)
    }

    // ---- directories -------------------------------------------------------------------------

    /// `cgroup_mkdir` (the VFS has checked permissions and that the name is free).
    pub(crate) fn cg_mkdir(
        &self,
        st: &mut State<T>,
        _pid: Pid,
        cred: &Cred,
        parent: &CgNode,
        name: &str,
        mode: u32,
    ) -> SysResult<()> {
        let id = self
            .cgroups
            .mkdir(parent.cgrp, name, mode, *cred)
            .map_err(|e| sys(e, "cgroup_mkdir"))?;
        self.cg_born(st, id);
        Ok(())
    }

    /// `cgroup_rmdir`: EBUSY with tasks or children (`kernel/cgroup.c`, v2.6.34).
    /// The parent's mtime and ctime become now (`simple_rmdir`, see [`CgTimes`]).
    pub(crate) fn cg_rmdir(
        &self,
        st: &mut State<T>,
        _pid: Pid,
        parent: &Node,
        c: &CgNode,
    ) -> SysResult<()> {
        self.cgroups
            .rmdir(c.cgrp)
            .map_err(|e| sys(e, "cgroup_rmdir"))?;
        st.cg_times.remove(&cg_times_key(c.cgrp));
        if let Node::Cgroup(p) = parent {
            // The last child of an unmounted hierarchy takes the hierarchy with it
            // (`cgroup_kill_sb` from the last reference): its root has no inode any more.
            if self.cgroups.is_removed(p.cgrp) {
                st.cg_times.remove(&cg_times_key(p.cgrp));
                return Ok(());
            }
            let now = self.clock.now_nanos();
            let t = st.cg_times.entry(cg_times_key(p.cgrp)).or_default();
            t.mtime = now;
            t.ctime = now;
        }
        Ok(())
    }

    // ---- control files -----------------------------------------------------------------------

    /// `cgroup_file_open`: `tasks` opened for reading takes its snapshot now (`kernel/cgroup.c` `cgroup_pidlist_start`, v2.6.34).
    pub(crate) fn cg_open(
        &self,
        _st: &mut State<T>,
        _pid: Pid,
        _cred: &Cred,
        c: &CgNode,
        readable: bool,
        writable: bool,
    ) -> SysResult<CgFile<T>> {
        let name = c
            .file
            .as_deref()
            .ok_or(sys(Errno::EISDIR, "is a directory"))?;
        let of = self
            .cgroups
            .open(c.cgrp, name, readable, writable)
            .map_err(|e| sys(e, "cgroup_file_open"))?
            .with_opener_cred(*_cred);
        let mut f = CgFile {
            of,
            psi_trigger: None,
            kn_seen: None,
        };
        f.kn_seen = self.cg_notify_token(&f, _pid);
        Ok(f)
    }

    /// `cgroup_file_read`: ENODEV once the cgroup is removed (`kernel/cgroup.c` `cgroup_file_write`, v2.6.34).
    pub(crate) fn cg_read(
        &self,
        f: &mut CgFile<T>,
        pid: Pid,
        pos: u64,
        buf: &mut [u8],
    ) -> SysResult<usize> {
        let n = self
            .cgroups
            .read(&f.of, pid, pos, buf)
            .map_err(|e| sys(e, "cgroup_file_read"))?;
        // kernfs_seq_show: the reader has now seen the file as it is.
        if crate::psi::notifies(f.of.name()) {
            f.kn_seen = self.cg_notify_token(f, pid);
        }
        Ok(n)
    }

    /// `cgroup_file_write`: one `write(2)`, one handler call, with the writer's pid (the core
    /// knows its credentials from fork and `set_cred`).
    pub(crate) fn cg_write(
        &self,
        _st: &mut State<T>,
        pid: Pid,
        _cred: &Cred,
        f: &mut CgFile<T>,
        data: &[u8],
    ) -> SysResult<usize> {
        if self.use_hierarchy_unchanged(f, pid, data) {
            return Ok(data.len());
        }
        if let Some(r) = self.cg_pressure_write(pid, _cred.euid.is_root(), f, data) {
            return r;
        }
        self.cgroups
            .write(&f.of, pid, data)
            .map_err(|e| sys(e, "cgroup_file_write"))
    }

    /// `mm/memcontrol.c` `mem_cgroup_hierarchy_write` of v3.10 (and v3.19, v4.19)
    /// returns 0 at once when the value written is the one the memcg already has, before the
    /// parent and children checks; v2.6.35's handler has no such test (writing 1 below a
    /// hierarchical parent is EINVAL even when it is already 1), and neither has the memcg
    /// crate, which follows 2.6.34/2.6.35. The value is parsed as `cgroup_write_X64` does
    /// (white space stripped, `simple_strtoull` base 0); anything else takes the normal path
    /// and its error.
    fn use_hierarchy_unchanged(&self, f: &CgFile<T>, pid: Pid, data: &[u8]) -> bool {
        if self.params.kernel < crate::KernelVersion::V3_10 || f.of.name() != "memory.use_hierarchy"
        {
            return false;
        }
        let Some(new) = std::str::from_utf8(data)
            .ok()
            .and_then(|s| parse_u64_base0(s.trim()))
        else {
            return false;
        };
        // The writer's file is write-only: read the value through a second open, as the
        // handler reads its own memcg.
        let Ok(rf) = self.cgroups.open(f.of.cgroup(), f.of.name(), true, false) else {
            return false;
        };
        let Ok(text) = self.cgroups.read_all(&rf, pid) else {
            return false;
        };
        let cur = std::str::from_utf8(&text)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok());
        cur == Some(new)
    }

    /// The cgroup and file name an open control file refers to.
    pub(crate) fn cg_file_ids(&self, f: &CgFile<T>) -> (CgroupId, String) {
        (f.of.cgroup(), f.of.name().to_string())
    }

    /// Is this the `cgroup.event_control` file (whose writes need the writer's fds)?
    pub(crate) fn cg_is_event_control(&self, f: &CgFile<T>) -> bool {
        matches!(
            f.of.kind(),
            cgsim_cgroup::FileKind::Base(cgsim_cgroup::BaseFile::EventControl)
        )
    }

    pub(crate) fn cg_release(&self, _st: &mut State<T>, f: CgFile<T>) {
        self.cg_pressure_release(&f);
        drop(f.of);
    }

    // ---- /proc -------------------------------------------------------------------------------

    pub(crate) fn cg_proc_cgroups(&self) -> String {
        self.cgroups.proc_cgroups()
    }

    pub(crate) fn cg_proc_pid_cgroup(&self, pid: Pid) -> String {
        self.cgroups.proc_pid_cgroup(pid).unwrap_or_default()
    }

    // ---- tasks -------------------------------------------------------------------------------

    /// `cgroup_fork` + `cgroup_fork_callbacks` + `cgroup_post_fork`.
    /// `copy_process`'s cgroup steps, with `copy_mm` run between `cgroup_fork` and
    /// `cgroup_fork_callbacks` as in the kernel.
    /// A subsystem's `can_fork` refusal (the pids controller's EAGAIN) is returned, after its
    /// log line; any other failure is a simulator bug, logged as a warning.
    pub(crate) fn cg_fork(
        &self,
        parent: Pid,
        child: Pid,
        cred: &Cred,
        copy_mm: impl FnOnce(),
    ) -> Result<(), Errno> {
        let r = self.cgroups.fork_with(parent, child, *cred, copy_mm);
        self.pids_log_rejected();
        if let Err(e) = r {
            if e == Errno::EAGAIN {
                return Err(e);
            }
            self.klog.printk(
                &self.clock,
                Level::Warning,
                format!(
                    "cgroup: cgroup_fork({parent}, {child}) failed: {}",
                    e.name()
                ),
            );
        }
        Ok(())
    }

    /// `pids_can_fork`'s `pr_info("cgroup: fork rejected by pids controller in ")` and
    /// `pr_cont_cgroup_path`, for each cgroup whose first refusal just happened.
    pub(crate) fn pids_log_rejected(&self) {
        for cgrp in self.pids.take_rejected() {
            let path = self
                .cgroups
                .cgroup_path(cgrp)
                .unwrap_or_else(|_| "/".to_string());
            self.klog.printk(
                &self.clock,
                Level::Info,
                format!("cgroup: fork rejected by pids controller in {path}"),
            );
        }
    }

    /// `cgroup_exit` (may queue the release agent).
    pub(crate) fn cg_exit(&self, pid: Pid) {
        if let Err(e) = self.cgroups.exit(pid) {
            self.klog.printk(
                &self.clock,
                Level::Warning,
                format!("cgroup: cgroup_exit({pid}) failed: {}", e.name()),
            );
        }
    }

    /// Forget a reaped zombie.
    pub(crate) fn cg_release_task(&self, pid: Pid) {
        let _ = self.cgroups.release_task(pid);
    }

    pub(crate) fn cg_set_cred(&self, pid: Pid, cred: &Cred) {
        let _ = self.cgroups.set_cred(pid, *cred);
    }

    // ---- release agent -----------------------------------------------------------------------

    /// Run the core's release work and record every agent execution it would have started.
    /// Nothing is executed on the host.
    #[doc(alias = "cgroup_release_agent")]
    pub(crate) fn drain_release_agent(&self, st: &mut State<T>) {
        for call in self.cgroups.drain_release_agent() {
            self.klog.printk(&self.clock, Level::Info, call.log_line());
            st.release_log.push(call);
        }
    }
}

/// `simple_strtoull(s, &end, 0)` with nothing left over: `0x` hex, a leading `0` octal, else
/// decimal.
fn parse_u64_base0(s: &str) -> Option<u64> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}
