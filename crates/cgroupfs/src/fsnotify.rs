//! fsnotify: the one place the VFS reports file system events to, and the inode marks that
//! inotify watches hang on every simulated file system (tmpfs, `/proc`, cgroupfs v1 and v2,
//! debugfs).
//!
//! **Kernel:** `fs/notify/fsnotify.c` (v6.6) `fsnotify` and `__fsnotify_parent`: an event on
//! an inode is reported to the marks of its parent directory, with the child's name, when the
//! parent watches its children (every inotify watch on a directory does: `inotify_arg_to_mask`
//! sets `FS_EVENT_ON_CHILD`), then to the marks of the inode itself, without a name
//! (`fsnotify_handle_event`: parent mark first); a mark gets the event when its mask has one of
//! the event's bits; `IN_EXCL_UNLINK` parent marks skip events of an unlinked child. The hooks
//! are those of `include/linux/fsnotify.h`: `fsnotify_open` (`do_dentry_open` since v6.5, so
//! before the `O_TRUNC` truncation's `fsnotify_change`, `FS_MODIFY`, which then merges with the
//! write's), `fsnotify_access`
//! (`vfs_read` and `iterate_dir` when they return more than 0, `iterate_dir` every time),
//! `fsnotify_modify` (`vfs_write` returning more than 0), `fsnotify_close` (`__fput`:
//! `FS_CLOSE_WRITE` for a file opened for writing, else `FS_CLOSE_NOWRITE`), `fsnotify_create`
//! and `fsnotify_mkdir` (`FS_CREATE`, with `FS_ISDIR` for a directory, on the parent only),
//! `fsnotify_change` (`notify_change`: `FS_ATTRIB` for mode, uid and gid), `vfs_unlink`'s
//! `fsnotify_link_count` (`FS_ATTRIB` on the victim) and `d_delete_notify` (`d_delete` first:
//! `fsnotify_inoderemove` when the inode's link count is 0, `FS_DELETE_SELF` then the marks'
//! destruction, `IN_IGNORED`; then `fsnotify_delete`, `FS_DELETE` on the parent). A directory
//! adds `FS_ISDIR` to its events (`fsnotify_parent`, `fsnotify_inode`).
//!
//! kernfs (cgroupfs on 6.6) is a file system like the others for these VFS events, with two
//! kernel-side differences kept here: `kernfs_notify` (`cgroup_file_notify`) raises
//! `FS_MODIFY` on a control file and on its directory with the file's name
//! (`kernfs_notify_workfn`), and a removed kernfs directory keeps its link count
//! (`kernfs_refresh_inode` sets `subdirs + 2`), so `rmdir` of a cgroup sends `IN_DELETE|IN_ISDIR`
//! to the parent's watches but neither `IN_DELETE_SELF` nor `IN_IGNORED` to the watches of the
//! cgroup's directory or files (the watch's mark keeps the inode; kernfs started clearing the
//! link count, for these events, in v7.1).
//!
//! The presets older than 6.6 report the `O_TRUNC` truncation's `FS_MODIFY` before `FS_OPEN`
//! (`fsnotify_open` was in `do_sys_open` until v6.5).
//!
//! **Differences:** the older presets otherwise follow 6.6 (their cgroupfs before kernfs, v3.14,
//! is not checked for `IN_DELETE_SELF` on `rmdir`); the marks are a list searched on each event, not a per-inode connector; the
//! empty list is the "no `s_fsnotify_connectors`" shortcut, one load, so a kernel with no watch
//! pays nothing. An open file keeps the dentry it was opened through (`FsnPath`): there is no
//! rename, so a file's parent and name do not change while it is open.

use crate::mount::Super;
use crate::namei::{Node, Walked};
use crate::state::State;
use crate::task::FileId;
use crate::{FileType, Kernel};
use cgsim_ktypes::Tracer;

/// `FS_ACCESS`.
pub const FS_ACCESS: u32 = 0x0000_0001;
/// `FS_MODIFY`.
pub const FS_MODIFY: u32 = 0x0000_0002;
/// `FS_ATTRIB`.
pub const FS_ATTRIB: u32 = 0x0000_0004;
/// `FS_CLOSE_WRITE`.
pub const FS_CLOSE_WRITE: u32 = 0x0000_0008;
/// `FS_CLOSE_NOWRITE`.
pub const FS_CLOSE_NOWRITE: u32 = 0x0000_0010;
/// `FS_OPEN`.
pub const FS_OPEN: u32 = 0x0000_0020;
/// `FS_CREATE`.
pub const FS_CREATE: u32 = 0x0000_0100;
/// `FS_DELETE`.
pub const FS_DELETE: u32 = 0x0000_0200;
/// `FS_DELETE_SELF`.
pub const FS_DELETE_SELF: u32 = 0x0000_0400;
/// `FS_UNMOUNT`.
pub const FS_UNMOUNT: u32 = 0x0000_2000;
/// `FS_ISDIR`.
pub const FS_ISDIR: u32 = 0x4000_0000;

/// The dentry a file was opened through (`f_path.dentry`): its inode, its parent directory's
/// inode when both are on the same mount (a mount's root has no parent to notify, as a root
/// dentry is its own parent), and its name there.
#[derive(Clone, Debug)]
pub struct FsnPath {
    pub node: Node,
    pub parent: Option<Node>,
    pub name: String,
    pub is_dir: bool,
}

impl FsnPath {
    /// The dentry at the end of walk `w`.
    pub(crate) fn of(w: &Walked, file_type: FileType) -> FsnPath {
        let n = w.stack.len();
        let last = &w.stack[n - 1];
        let parent =
            (n >= 2 && w.stack[n - 2].mnt == last.mnt).then(|| w.stack[n - 2].node.clone());
        FsnPath {
            node: last.node.clone(),
            parent,
            name: last.name.clone(),
            is_dir: file_type == FileType::Directory,
        }
    }

    fn isdir(&self) -> u32 {
        if self.is_dir { FS_ISDIR } else { 0 }
    }
}

/// One inode mark: inotify instance `group` (its open file) watches `node` as `wd`.
#[derive(Clone, Debug)]
struct Mark {
    node: Node,
    group: FileId,
    wd: i32,
}

/// Every inode mark of the system (the inodes' `i_fsnotify_marks` connectors together).
#[derive(Debug, Default)]
pub struct Marks {
    marks: Vec<Mark>,
}

impl Marks {
    /// No mark anywhere: every hook returns at once.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.marks.is_empty()
    }

    pub(crate) fn add(&mut self, node: Node, group: FileId, wd: i32) {
        self.marks.push(Mark { node, group, wd });
    }

    pub(crate) fn remove(&mut self, group: FileId, wd: i32) {
        self.marks.retain(|m| !(m.group == group && m.wd == wd));
    }

    pub(crate) fn remove_group(&mut self, group: FileId) {
        self.marks.retain(|m| m.group != group);
    }

    /// Every mark on an inode of superblock `sb`, in the order they were added.
    fn on_super(&self, sb: &Super) -> Vec<(Node, FileId, i32)> {
        self.marks
            .iter()
            .filter(|m| on_super(sb, &m.node))
            .map(|m| (m.node.clone(), m.group, m.wd))
            .collect()
    }

    fn on(&self, node: &Node) -> Vec<(FileId, i32)> {
        self.marks
            .iter()
            .filter(|m| &m.node == node)
            .map(|m| (m.group, m.wd))
            .collect()
    }
}

/// Whether `node` is an inode of superblock `sb`.
fn on_super(sb: &Super, node: &Node) -> bool {
    match (sb, node) {
        (Super::Tmpfs(id), Node::Tmpfs { sb, .. }) => sb == id,
        (Super::Cgroup(c), Node::Cgroup(n)) => n.root == c.0,
        (Super::Host(id), Node::Host { fs, .. }) => fs == id,
        (Super::Proc, Node::Proc(_)) | (Super::Debugfs, Node::Debugfs(_)) => true,
        _ => false,
    }
}

/// One event for one mark: what `fsnotify_handle_inode_event` passes to inotify.
pub(crate) struct Delivery<'a> {
    pub group: FileId,
    pub wd: i32,
    pub mask: u32,
    pub name: Option<&'a str>,
    /// The child is unlinked (`d_unlinked`): `IN_EXCL_UNLINK` marks skip the event.
    pub unlinked: bool,
}

impl<T: Tracer> Kernel<T> {
    /// `fsnotify(mask, inode, dir, name)`: the event goes to the marks of `dir` (with `name`)
    /// when given, then to those of `inode` (without). `dir_only` is `fsnotify_name`: an event
    /// about a directory entry (create, delete), reported to the directory alone.
    pub(crate) fn fsnotify(
        &self,
        st: &mut State<T>,
        mask: u32,
        inode: Option<&Node>,
        dir: Option<(&Node, &str)>,
        unlinked: bool,
    ) {
        if st.fsnotify.is_empty() {
            return;
        }
        let mut out = Vec::new();
        if let Some((d, name)) = dir {
            for (group, wd) in st.fsnotify.on(d) {
                out.push(Delivery {
                    group,
                    wd,
                    mask,
                    name: Some(name),
                    unlinked,
                });
            }
        }
        if let Some(i) = inode {
            for (group, wd) in st.fsnotify.on(i) {
                out.push(Delivery {
                    group,
                    wd,
                    mask,
                    name: None,
                    unlinked: false,
                });
            }
        }
        for d in out {
            self.inotify_handle_inode_event(st, d);
        }
    }

    /// `fsnotify_file`/`fsnotify_parent`: an event on an open file's dentry, reported to its
    /// parent's marks and its own. Files opened without a dentry (`FMODE_NONOTIFY` here: pipes,
    /// eventfd, inotify, internal opens) report nothing.
    pub(crate) fn fsnotify_file(&self, st: &mut State<T>, p: Option<&FsnPath>, mask: u32) {
        let Some(p) = p else { return };
        if st.fsnotify.is_empty() {
            return;
        }
        let unlinked = self.fsn_unlinked(st, &p.node);
        let dir = p.parent.as_ref().map(|d| (d, p.name.as_str()));
        self.fsnotify(st, mask | p.isdir(), Some(&p.node), dir, unlinked);
    }

    /// A tmpfs inode is freed at its unlink here: an open file whose inode is gone was
    /// unlinked.
    fn fsn_unlinked(&self, st: &State<T>, node: &Node) -> bool {
        match node {
            Node::Tmpfs { sb, ino } => st.tmpfs.get(sb).and_then(|fs| fs.get(*ino)).is_none(),
            _ => false,
        }
    }

    /// `fsnotify_create`/`fsnotify_mkdir`: `name` appeared in directory `dir`.
    pub(crate) fn fsnotify_create(&self, st: &mut State<T>, dir: &Node, name: &str, is_dir: bool) {
        let mask = FS_CREATE | if is_dir { FS_ISDIR } else { 0 };
        self.fsnotify(st, mask, None, Some((dir, name)), false);
    }

    /// `fsnotify_change` for a mode or owner change: `FS_ATTRIB` on the inode and its parent.
    pub(crate) fn fsnotify_attrib(&self, st: &mut State<T>, p: &FsnPath) {
        if st.fsnotify.is_empty() {
            return;
        }
        let dir = p.parent.as_ref().map(|d| (d, p.name.as_str()));
        self.fsnotify(st, FS_ATTRIB | p.isdir(), Some(&p.node), dir, false);
    }

    /// `vfs_unlink`/`vfs_rmdir`'s notifications once the entry is gone: `fsnotify_link_count`
    /// for a file (`FS_ATTRIB`), then `d_delete_notify`: `fsnotify_inoderemove` if the inode's
    /// last link went (`FS_DELETE_SELF`, then the marks go with `IN_IGNORED`; not for kernfs,
    /// whose directories keep their link count), then `FS_DELETE` on the parent.
    pub(crate) fn fsnotify_delete(&self, st: &mut State<T>, p: &FsnPath, inode_gone: bool) {
        if st.fsnotify.is_empty() {
            return;
        }
        if !p.is_dir {
            self.fsnotify(st, FS_ATTRIB, Some(&p.node), None, false);
        }
        if inode_gone {
            self.fsnotify(st, FS_DELETE_SELF | p.isdir(), Some(&p.node), None, false);
            self.fsnotify_inode_delete(st, &p.node);
        }
        if let Some(d) = &p.parent {
            self.fsnotify(st, FS_DELETE | p.isdir(), None, Some((d, &p.name)), false);
        }
    }

    /// `__fsnotify_inode_delete`: the inode's marks are destroyed, each queuing `IN_IGNORED`
    /// to its group (`inotify_freeing_mark`).
    pub(crate) fn fsnotify_inode_delete(&self, st: &mut State<T>, node: &Node) {
        for (group, wd) in st.fsnotify.on(node) {
            self.inotify_destroy_mark(st, group, wd);
        }
    }

    /// `fsnotify_sb_delete` -> `fsnotify_unmount_inodes`, when the last mount of superblock
    /// `sb` goes (`generic_shutdown_super`): each watched inode's marks get `FS_UNMOUNT`
    /// (every inotify mark has it, `inotify_arg_to_mask`), then are destroyed (`IN_IGNORED`).
    pub(crate) fn fsnotify_sb_delete(&self, st: &mut State<T>, sb: &Super) {
        if st.fsnotify.is_empty() {
            return;
        }
        for (node, group, wd) in st.fsnotify.on_super(sb) {
            let isdir = self
                .attr(st, &node)
                .is_ok_and(|a| a.file_type == FileType::Directory);
            let mask = FS_UNMOUNT | if isdir { FS_ISDIR } else { 0 };
            self.inotify_handle_inode_event(
                st,
                Delivery {
                    group,
                    wd,
                    mask,
                    name: None,
                    unlinked: false,
                },
            );
            self.inotify_destroy_mark(st, group, wd);
        }
    }
}
