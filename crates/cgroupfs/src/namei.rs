//! Path resolution: from a string to an inode, crossing mount points and `/proc/self`.
//!
//! **Kernel:** `fs/namei.c` `path_lookupat`/`link_path_walk`/`follow_mount`/`follow_dotdot`
//! (2.6.25 names: `__link_path_walk`, `do_path_lookup`).
//! Rules kept: an empty path is ENOENT; a path of `PATH_MAX` (4096) bytes or more, or a component
//! longer than `NAME_MAX` (255), is ENAMETOOLONG; every directory walked through needs search (x)
//! permission for the caller's effective ids (root bypasses); a non-directory in the middle of a
//! path, or before a trailing slash, is ENOTDIR; `..` at `/` stays at `/`; `..` at the root of a
//! mounted filesystem leaves through its mount point; repeated slashes count as one.
//! **Differences:** the only symlink is `/proc/self`; relative paths are walked from the task's
//! working directory by name (see `task.rs`).

use crate::cgroupfs::CgNode;
use crate::perm::{IdKind, permission};
use crate::procfs::ProcNode;
use crate::state::State;
use crate::{DirEntry, FileType, Kernel, X_OK};
use cgsim_ktypes::{Cred, Errno, Pid, SysError, SysResult, Tracer};

/// `PATH_MAX`.
pub const PATH_MAX: usize = 4096;
/// `NAME_MAX`.
pub const NAME_MAX: usize = 255;

/// An inode of any simulated filesystem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Tmpfs {
        sb: u32,
        ino: u64,
    },
    Proc(ProcNode),
    Cgroup(CgNode),
    /// A node of a debugfs mount (fault injection's directories).
    Debugfs(crate::fault_inject::DebugNode),
    /// A file or directory of bound host directory `fs`, by path relative to its root.
    Host {
        fs: u32,
        rel: String,
    },
}

/// What `stat` and permission checks need to know about an inode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attr {
    pub file_type: FileType,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    pub ino: u64,
    pub magic: u64,
    /// `(major, minor)` of a device node.
    pub rdev: Option<(u32, u32)>,
    /// `i_nlink`.
    pub nlink: u32,
    /// `i_atime`, `i_mtime`, `i_ctime`: nanoseconds since boot on the simulated clock.
    pub atime: u64,
    pub mtime: u64,
    pub ctime: u64,
}

impl Attr {
    pub fn is_dir(&self) -> bool {
        self.file_type == FileType::Directory
    }

    /// `inode_permission(inode, want)` for `cred`.
    pub fn permits(&self, cred: &Cred, ids: IdKind, want: u32) -> bool {
        permission(
            cred,
            ids,
            self.mode,
            self.uid,
            self.gid,
            self.is_dir(),
            want,
        )
    }
}

/// One step of a resolved path: the name used, the inode reached and the mount it lives in.
#[derive(Clone, Debug)]
pub struct PathEntry {
    pub name: String,
    pub node: Node,
    pub mnt: u64,
}

/// A resolved path (`struct nameidata`): the chain from `/` to the target.
#[doc(alias = "nameidata")]
#[derive(Clone, Debug)]
pub struct Walked {
    pub stack: Vec<PathEntry>,
}

impl Walked {
    pub fn node(&self) -> &Node {
        &self.stack.last().expect("walk stack is never empty").node
    }

    pub fn mnt(&self) -> u64 {
        self.stack.last().expect("walk stack is never empty").mnt
    }

    /// The absolute path of the target, as `d_path` prints it.
    pub fn path(&self) -> String {
        if self.stack.len() <= 1 {
            return "/".to_string();
        }
        self.stack
            .iter()
            .skip(1)
            .map(|e| format!("/{}", e.name))
            .collect()
    }
}

/// A path split into components.
struct Split<'a> {
    absolute: bool,
    comps: Vec<&'a str>,
    trailing_slash: bool,
}

fn split(path: &str) -> SysResult<Split<'_>> {
    // A C string ends at its first NUL.
    let path = path.split('\0').next().unwrap_or("");
    if path.is_empty() {
        return Err(SysError::new(Errno::ENOENT, "empty path"));
    }
    if path.len() >= PATH_MAX {
        return Err(SysError::new(
            Errno::ENAMETOOLONG,
            "path of PATH_MAX bytes or more",
        ));
    }
    let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    if comps.iter().any(|c| c.len() > NAME_MAX) {
        return Err(SysError::new(
            Errno::ENAMETOOLONG,
            "component longer than NAME_MAX",
        ));
    }
    Ok(Split {
        absolute: path.starts_with('/'),
        trailing_slash: path.ends_with('/') && !comps.is_empty(),
        comps,
    })
}

/// The result of resolving all but the last component (`LOOKUP_PARENT`).
pub struct ParentWalk {
    /// The directory the last component lives in.
    pub dir: Walked,
    /// The last component; empty for `/`, may be `.` or `..`.
    pub last: String,
    pub trailing_slash: bool,
}

impl<T: Tracer> Kernel<T> {
    /// The credentials of a live or zombie task, or ESRCH.
    pub(crate) fn cred_of(&self, st: &State<T>, pid: Pid) -> SysResult<Cred> {
        st.tasks
            .get(&pid)
            .map(|t| t.cred)
            .ok_or(SysError::new(Errno::ESRCH, "no such process"))
    }

    fn root_entry(&self, st: &State<T>) -> PathEntry {
        let root = st
            .mounts
            .values()
            .find(|m| m.mountpoint.is_none())
            .expect("rootfs is always mounted");
        PathEntry {
            name: String::new(),
            node: root.root.clone(),
            mnt: root.id,
        }
    }

    /// Resolve `path` for `pid`. `follow_last` follows a final symlink (`/proc/self`).
    pub(crate) fn walk(
        &self,
        st: &State<T>,
        pid: Pid,
        path: &str,
        follow_last: bool,
    ) -> SysResult<Walked> {
        let sp = split(path)?;
        let cwd = self.cwd_comps(st, pid, sp.absolute)?;
        let mut comps: Vec<&str> = cwd.iter().map(String::as_str).collect();
        let from_cwd = comps.len();
        comps.extend(sp.comps.iter().copied());
        let w = self.walk_comps(st, pid, &comps, from_cwd, follow_last)?;
        if sp.trailing_slash && !self.attr(st, w.node())?.is_dir() {
            return Err(SysError::new(
                Errno::ENOTDIR,
                "trailing slash on a non-directory",
            ));
        }
        Ok(w)
    }

    /// Resolve everything but the last component of `path`.
    pub(crate) fn walk_parent(&self, st: &State<T>, pid: Pid, path: &str) -> SysResult<ParentWalk> {
        let sp = split(path)?;
        let cwd = self.cwd_comps(st, pid, sp.absolute)?;
        let mut comps: Vec<&str> = cwd.iter().map(String::as_str).collect();
        let from_cwd = comps.len();
        let mut own = sp.comps.clone();
        let last = own.pop().unwrap_or("").to_string();
        comps.extend(own);
        let dir = self.walk_comps(st, pid, &comps, from_cwd, true)?;
        if !self.attr(st, dir.node())?.is_dir() {
            return Err(SysError::new(Errno::ENOTDIR, "not a directory"));
        }
        Ok(ParentWalk {
            dir,
            last,
            trailing_slash: sp.trailing_slash,
        })
    }

    fn cwd_comps(&self, st: &State<T>, pid: Pid, absolute: bool) -> SysResult<Vec<String>> {
        let task = st
            .tasks
            .get(&pid)
            .ok_or(SysError::new(Errno::ESRCH, "no such process"))?;
        if absolute {
            return Ok(Vec::new());
        }
        Ok(task
            .cwd
            .split('/')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// Walk `comps` from `/`. Components before `from_cwd` come from the working directory.
    fn walk_comps(
        &self,
        st: &State<T>,
        pid: Pid,
        comps: &[&str],
        from_cwd: usize,
        follow_last: bool,
    ) -> SysResult<Walked> {
        let cred = self.cred_of(st, pid)?;
        let mut w = Walked {
            stack: vec![self.root_entry(st)],
        };
        for (i, &name) in comps.iter().enumerate() {
            let is_last = i + 1 == comps.len();
            let dir_attr = self.attr(st, w.node())?;
            if !dir_attr.is_dir() {
                return Err(SysError::new(Errno::ENOTDIR, "not a directory"));
            }
            // The working directory was checked when the task entered it (`chdir`).
            if i >= from_cwd && !dir_attr.permits(&cred, IdKind::Effective, X_OK) {
                return Err(SysError::new(Errno::EACCES, "no search permission"));
            }
            match name {
                "." => continue,
                ".." => {
                    if w.stack.len() > 1 {
                        w.stack.pop();
                    }
                    continue;
                }
                _ => {}
            }
            let child = self.lookup_child(st, pid, w.node(), name)?;
            let mnt = w.mnt();
            w.stack.push(PathEntry {
                name: name.to_string(),
                node: child,
                mnt,
            });
            self.follow_mounts(st, &mut w);
            if (!is_last || follow_last) && w.node() == &Node::Proc(ProcNode::SelfLink) {
                // `/proc/self` -> `<pid>`, relative to `/proc`.
                let top = w.stack.last_mut().expect("just pushed");
                top.name = pid.0.to_string();
                top.node = Node::Proc(ProcNode::PidDir(pid));
            }
        }
        Ok(w)
    }

    /// `follow_mount`: while something is mounted on the top of the stack, step onto its root.
    fn follow_mounts(&self, st: &State<T>, w: &mut Walked) {
        loop {
            let top = w.stack.last().expect("walk stack is never empty");
            let covering = st
                .mounts
                .values()
                .rev()
                .find(|m| m.mountpoint.as_ref() == Some(&(top.mnt, top.node.clone())));
            match covering {
                Some(m) => {
                    let top = w.stack.last_mut().expect("walk stack is never empty");
                    top.node = m.root.clone();
                    top.mnt = m.id;
                }
                None => return,
            }
        }
    }

    /// Is some filesystem mounted on `(mnt, node)`?
    pub(crate) fn is_mountpoint(&self, st: &State<T>, mnt: u64, node: &Node) -> bool {
        st.mounts
            .values()
            .any(|m| m.mountpoint.as_ref() == Some(&(mnt, node.clone())))
    }

    /// The attributes of any inode.
    pub(crate) fn attr(&self, st: &State<T>, node: &Node) -> SysResult<Attr> {
        match node {
            Node::Tmpfs { sb, ino } => {
                let fs = st
                    .tmpfs
                    .get(sb)
                    .ok_or(SysError::new(Errno::ENOENT, "stale tmpfs"))?;
                let i = fs
                    .get(*ino)
                    .ok_or(SysError::new(Errno::ENOENT, "stale inode"))?;
                Ok(Attr {
                    file_type: i.file_type(),
                    mode: i.mode,
                    uid: i.uid,
                    gid: i.gid,
                    size: i.size(fs.magic),
                    ino: *ino,
                    magic: fs.magic,
                    rdev: i.rdev(),
                    nlink: fs.nlink(*ino),
                    atime: i.atime,
                    mtime: i.mtime,
                    ctime: i.ctime,
                })
            }
            Node::Proc(p) => self.proc_attr(st, p),
            Node::Debugfs(d) => self.debugfs_attr(d),
            Node::Cgroup(c) => self.cg_attr(st, c),
            Node::Host { fs, rel } => st.host(*fs)?.attr(rel),
        }
    }

    /// `d_lookup`/`i_op->lookup`: the child `name` of directory `node` (no permission check).
    pub(crate) fn lookup_child(
        &self,
        st: &State<T>,
        pid: Pid,
        node: &Node,
        name: &str,
    ) -> SysResult<Node> {
        match node {
            Node::Tmpfs { sb, ino } => st
                .tmpfs
                .get(sb)
                .and_then(|fs| fs.lookup(*ino, name))
                .map(|ino| Node::Tmpfs { sb: *sb, ino })
                .ok_or(SysError::new(Errno::ENOENT, "no such entry")),
            Node::Proc(p) => self.proc_lookup(st, pid, p, name),
            Node::Debugfs(d) => self.debugfs_lookup(d, name),
            Node::Cgroup(c) => self.cg_lookup(c, name),
            Node::Host { fs, rel } => Ok(Node::Host {
                fs: *fs,
                rel: st.host(*fs)?.lookup(rel, name)?,
            }),
        }
    }

    /// The entries of directory `node`, sorted by name.
    pub(crate) fn dir_entries(&self, st: &State<T>, node: &Node) -> SysResult<Vec<DirEntry>> {
        match node {
            Node::Tmpfs { sb, ino } => {
                let fs = st
                    .tmpfs
                    .get(sb)
                    .ok_or(SysError::new(Errno::ENOENT, "stale tmpfs"))?;
                Ok(fs
                    .entries(*ino)
                    .into_iter()
                    .map(|(name, i)| DirEntry {
                        name,
                        file_type: fs.get(i).map_or(FileType::Regular, |i| i.file_type()),
                    })
                    .collect())
            }
            Node::Proc(p) => self.proc_readdir(st, p),
            Node::Debugfs(d) => self.debugfs_readdir(d),
            Node::Cgroup(c) => self.cg_readdir(c),
            Node::Host { fs, rel } => st.host(*fs)?.readdir(rel),
        }
    }
}

#[cfg(test)]
mod tests;
