//! File syscalls: open, read, write, close, dup2, mkdir, rmdir, unlink, readdir, stat, access,
//! chdir, getcwd.
//!
//! **Kernel:** `fs/open.c` (`do_sys_open`, `sys_access`, `sys_chdir`), `fs/namei.c`
//! (`do_filp_open`/`open_namei`, `may_open`, `vfs_create`, `vfs_mkdir`, `vfs_rmdir`, `vfs_unlink`,
//! `may_delete`), `fs/read_write.c` (`vfs_read`, `vfs_write`), `fs/fcntl.c` (`sys_dup2`),
//! `fs/readdir.c`, `fs/stat.c`, `fs/dcache.c` (`sys_getcwd`), 2.6.25.
//! Error order follows the kernel: lookup (ENOENT, ENOTDIR, search permission) before existence
//! checks (EEXIST) before write permission on the parent (EACCES) and the sticky rule (EPERM),
//! then mount points (EBUSY), then the filesystem's own operation (ENOTEMPTY, or EPERM/EACCES
//! for filesystems without that operation, as `/proc` and cgroupfs lack `create`/`unlink`).
//! Each of these calls the fsnotify hook 6.6 has at that point (`include/linux/fsnotify.h`:
//! open, access, modify, close, create, mkdir, delete, attribute changes; see `fsnotify.rs`).
//! **Differences:** no links or `O_NOFOLLOW`; an open fd of an unlinked tmpfs file
//! reads as empty and swallows writes (the inode is freed at unlink).

use crate::file::{FileKind, OpenFile, read_at};
use crate::fsnotify::{FS_ACCESS, FS_CLOSE_NOWRITE, FS_CLOSE_WRITE, FS_MODIFY, FS_OPEN, FsnPath};
use crate::namei::{Attr, Node, Walked};
use crate::perm::{IdKind, sticky_allows};
use crate::state::State;
use crate::task::{FdEntry, FileId, RLIMIT_NOFILE};
use crate::tmpfs::{Device, InodeKind};
use crate::{ConsoleStream, DirEntry, F_OK, Fd, Kernel, OpenFlags, R_OK, Stat, W_OK, X_OK};
use cgsim_ktypes::trace::func;
use cgsim_ktypes::{Cred, Errno, Pid, SysError, SysResult, Tracer};

fn err(errno: Errno, why: &'static str) -> SysError {
    SysError::new(errno, why)
}

/// What `open_namei` carries down the lookup: 2.6.25's `nd->intent.open` (`struct
/// open_intent`: the open flags and the create mode), with the opener and its credentials.
#[derive(Clone, Copy)]
struct OpenIntent<'a> {
    pid: Pid,
    cred: &'a Cred,
    flags: OpenFlags,
    mode: u32,
}

impl<T: Tracer> Kernel<T> {
    // ---- open ------------------------------------------------------------------------------

    #[doc(alias = "do_sys_open")]
    pub(crate) fn sys_open(
        &self,
        pid: Pid,
        path: &str,
        flags: OpenFlags,
        mode: u32,
    ) -> SysResult<Fd> {
        let (cpu, _on) = self.enter_cpu(pid);
        let _f = func(&*self.tracer, cpu, "do_sys_open");
        // Lock order: Kernel::state -> cgroup_mutex (opening a control file snapshots it).
        let mut st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        let mut created = false;
        let it = OpenIntent {
            pid,
            cred: &cred,
            flags,
            mode,
        };
        let w = if flags.create {
            self.open_create(&mut st, it, path, &mut created)?
        } else {
            self.walk(&st, pid, path, true)?
        };
        let attr = self.attr(&st, w.node())?;
        if flags.directory && !attr.is_dir() {
            return Err(err(Errno::ENOTDIR, "O_DIRECTORY on a non-directory"));
        }
        let readable = flags.read || !flags.write;
        if attr.is_dir() && flags.write {
            return Err(err(Errno::EISDIR, "opening a directory for writing"));
        }
        let want = if readable { R_OK } else { 0 } | if flags.write { W_OK } else { 0 };
        // may_open: a file this open just created is not checked against its own mode.
        if !created && !attr.permits(&cred, IdKind::Effective, want) {
            return Err(err(Errno::EACCES, "permission denied by mode"));
        }
        // inode_permission → devcgroup_inode_permission (2.6.26+).
        self.devcgroup_inode_permission(pid, &attr, readable, flags.write)
            .map_err(|e| err(e, "device not allowed by the devices cgroup"))?;
        if flags.write && !created {
            self.mnt_want_write(&st, w.mnt())?;
        }
        let kind = self.open_kind(&mut st, it, &w, &attr, readable)?;
        let mut file = OpenFile::new(kind, readable, flags.write);
        file.append = flags.append;
        file.nonblock = flags.nonblock;
        file.mnt = w.mnt();
        let fsn = FsnPath::of(&w, attr.file_type);
        if created && let Some(dir) = &fsn.parent {
            // vfs_create -> fsnotify_create, in the lookup, before the open.
            self.fsnotify_create(&mut st, dir, &fsn.name, false);
        }
        file.fsn = Some(Box::new(fsn));
        let fd = self.install_fd(&mut st, pid, file, flags.cloexec)?;
        if !st.fsnotify.is_empty() {
            let id = self.fd_file(&st, pid, fd)?;
            let fsn = st.files[&id].fsn.clone();
            // do_open's handle_truncate -> notify_change(ATTR_SIZE) -> fsnotify_change: FS_MODIFY
            // on a regular file that was not just created. fsnotify_open comes before it from
            // v6.5 (do_dentry_open), after it before (do_sys_open, once the file is open).
            let truncated = flags.truncate
                && flags.write
                && !created
                && attr.file_type == crate::FileType::Regular;
            let open_first = self.params.kernel >= crate::KernelVersion::V6_6;
            if open_first {
                self.fsnotify_file(&mut st, fsn.as_deref(), FS_OPEN);
            }
            if truncated {
                self.fsnotify_file(&mut st, fsn.as_deref(), FS_MODIFY);
            }
            if !open_first {
                self.fsnotify_file(&mut st, fsn.as_deref(), FS_OPEN);
            }
        }
        Ok(fd)
    }

    /// The `O_CREAT` half of `open_namei`: look up the last component, create it in a tmpfs
    /// directory if missing.
    fn open_create(
        &self,
        st: &mut State<T>,
        it: OpenIntent<'_>,
        path: &str,
        created: &mut bool,
    ) -> SysResult<Walked> {
        let OpenIntent {
            pid,
            cred,
            flags,
            mode,
        } = it;
        let pw = self.walk_parent(st, pid, path)?;
        if pw.last.is_empty() || pw.last == "." || pw.last == ".." {
            return Err(err(Errno::EISDIR, "O_CREAT on a directory"));
        }
        let dir_attr = self.attr(st, pw.dir.node())?;
        if !dir_attr.permits(cred, IdKind::Effective, X_OK) {
            return Err(err(Errno::EACCES, "no search permission"));
        }
        match self.lookup_child(st, pid, pw.dir.node(), &pw.last) {
            Ok(_) => {
                if flags.excl {
                    return Err(err(Errno::EEXIST, "O_EXCL and the file exists"));
                }
                self.walk(st, pid, path, true)
            }
            // A /proc lookup fails with ENOENT itself (`proc_pident_lookup`) instead of
            // leaving a negative dentry for `O_CREAT`: the open fails with it.
            Err(e) if e.errno == Errno::ENOENT && matches!(pw.dir.node(), Node::Proc(_)) => Err(e),
            Err(e) if e.errno == Errno::ENOENT => {
                if pw.trailing_slash {
                    return Err(err(Errno::EISDIR, "O_CREAT with a trailing slash"));
                }
                if !dir_attr.permits(cred, IdKind::Effective, W_OK | X_OK) {
                    return Err(err(Errno::EACCES, "no write permission on the directory"));
                }
                self.mnt_want_write(st, pw.dir.mnt())?;
                let Node::Tmpfs { sb, ino } = *pw.dir.node() else {
                    return Err(err(Errno::EACCES, "filesystem has no create operation"));
                };
                let umask = st.tasks[&pid].umask;
                let fs = st.tmpfs.get_mut(&sb).expect("walked into it");
                fs.create(
                    ino,
                    &pw.last,
                    InodeKind::Regular { data: Vec::new() },
                    mode & 0o7777 & !umask,
                    cred.euid.0,
                    cred.egid,
                    self.clock.now_nanos(),
                );
                *created = true;
                self.walk(st, pid, path, true)
            }
            Err(e) => Err(e),
        }
    }

    fn open_kind(
        &self,
        st: &mut State<T>,
        it: OpenIntent<'_>,
        w: &Walked,
        attr: &Attr,
        readable: bool,
    ) -> SysResult<FileKind<T>> {
        let OpenIntent {
            pid, cred, flags, ..
        } = it;
        if attr.is_dir() {
            return Ok(FileKind::Dir);
        }
        Ok(match w.node() {
            Node::Tmpfs { sb, ino } => {
                let fs = st.tmpfs.get_mut(sb).expect("walked into it");
                let inode = fs.get(*ino).expect("walked into it");
                match &inode.kind {
                    InodeKind::Regular { .. } => {
                        if flags.truncate && flags.write {
                            fs.truncate(*ino, self.clock.now_nanos());
                            // Lock order: Kernel::state -> memcg world.
                            self.page_cache_truncate(Self::task_cpu_locked(st, pid), *sb, *ino);
                        }
                        FileKind::Tmpfs { sb: *sb, ino: *ino }
                    }
                    InodeKind::CharDev(Device::Null) => FileKind::Null,
                    InodeKind::CharDev(Device::Zero) => FileKind::Zero,
                    InodeKind::CharDev(Device::Console) => FileKind::Console(ConsoleStream::Stdout),
                    InodeKind::Dir { .. } => FileKind::Dir,
                    // No I/O is simulated: the disk's node exists (stat, ls, test -b) but has
                    // no driver behind it, the errno of a device whose driver is gone.
                    InodeKind::BlockDev(_) => {
                        return Err(SysError::new(Errno::ENXIO, "no block I/O is simulated"));
                    }
                }
            }
            Node::Proc(
                p @ crate::procfs::ProcNode::PidFile(
                    pid,
                    f @ (crate::procfs::PidFile::OomScoreAdj | crate::procfs::PidFile::OomAdj),
                ),
            ) => FileKind::OomScoreAdj {
                pid: *pid,
                text: self.proc_content(st, p)?,
                oom_adj: *f == crate::procfs::PidFile::OomAdj,
            },
            Node::Proc(
                p @ crate::procfs::ProcNode::PidFile(pid, crate::procfs::PidFile::MakeItFail),
            ) => FileKind::Knob {
                file: crate::fault_inject::KnobFile::MakeItFail(*pid),
                text: self.proc_content(st, p)?,
            },
            Node::Proc(crate::procfs::ProcNode::Pressure(res)) => FileKind::ProcPressure {
                res: *res,
                trigger: None,
            },
            Node::Proc(p @ crate::procfs::ProcNode::SysKernel(crate::procfs::UtsFile::PidMax)) => {
                FileKind::Knob {
                    file: crate::fault_inject::KnobFile::PidMax,
                    text: self.proc_content(st, p)?,
                }
            }
            Node::Proc(p @ crate::procfs::ProcNode::SysKernel(crate::procfs::UtsFile::Shmmax)) => {
                FileKind::Knob {
                    file: crate::fault_inject::KnobFile::Shmmax,
                    text: self.proc_content(st, p)?,
                }
            }
            Node::Proc(p @ crate::procfs::ProcNode::SysFsInotify(f)) => FileKind::Knob {
                file: crate::fault_inject::KnobFile::InotifySysctl(*f),
                text: self.proc_content(st, p)?,
            },
            Node::Proc(p) => FileKind::Snapshot(self.proc_content(st, p)?),
            Node::Debugfs(d) => self.debugfs_open(d),
            Node::Host { fs, rel } => {
                if flags.write {
                    return Err(crate::hostfs::erofs());
                }
                FileKind::Snapshot(st.host(*fs)?.read(rel)?)
            }
            Node::Cgroup(c) => {
                FileKind::Cgroup(self.cg_open(st, pid, cred, c, readable, flags.write)?)
            }
        })
    }

    /// `fd_install` at the lowest free number.
    pub(crate) fn install_fd(
        &self,
        st: &mut State<T>,
        pid: Pid,
        mut file: OpenFile<T>,
        cloexec: bool,
    ) -> SysResult<Fd> {
        let task = st.tasks.get(&pid).expect("caller checked the task");
        let Some(n) = task.lowest_free_fd(0) else {
            self.release_file(st, file);
            return Err(err(Errno::EMFILE, "RLIMIT_NOFILE reached"));
        };
        file.refs = 1;
        let id = st.add_file(file);
        st.tasks
            .get_mut(&pid)
            .expect("checked above")
            .fds
            .insert(n, FdEntry { file: id, cloexec });
        Ok(Fd(n))
    }

    /// A live (non-zombie) task's credentials, or ESRCH.
    pub(crate) fn live_cred(&self, st: &State<T>, pid: Pid) -> SysResult<Cred> {
        match st.tasks.get(&pid) {
            Some(t) if !t.is_zombie() => Ok(t.cred),
            _ => Err(err(Errno::ESRCH, "no such process")),
        }
    }

    pub(crate) fn fd_file(&self, st: &State<T>, pid: Pid, fd: Fd) -> SysResult<FileId> {
        let t = st
            .tasks
            .get(&pid)
            .filter(|t| !t.is_zombie())
            .ok_or(err(Errno::ESRCH, "no such process"))?;
        t.fds
            .get(&fd.0)
            .map(|e| e.file)
            .ok_or(err(Errno::EBADF, "fd not open"))
    }

    pub(crate) fn sys_fd_endless(&self, pid: Pid, fd: Fd) -> bool {
        let st = self.lock_state();
        self.fd_file(&st, pid, fd)
            .is_ok_and(|id| matches!(st.files[&id].kind, FileKind::Zero))
    }

    // ---- read / write ----------------------------------------------------------------------

    #[doc(alias = "vfs_read")]
    pub(crate) fn sys_read(&self, pid: Pid, fd: Fd, buf: &mut [u8]) -> SysResult<usize> {
        let (cpu, _on) = self.enter_cpu(pid);
        let _f = func(&*self.tracer, cpu, "vfs_read");
        // Lock order: Kernel::state -> cgroup_mutex / eventfd wqh.lock.
        let mut st = self.lock_state();
        let id = self.fd_file(&st, pid, fd)?;
        // An inotify read looks at its watches' files, which live in the same table.
        if matches!(st.files[&id].kind, FileKind::Inotify(_)) {
            return self.inotify_read(&mut st, pid, id, buf);
        }
        let mut file = st.files.remove(&id).expect("fd names a file");
        // The pages to read enter the page cache first, charged to the reader's memcg, a page
        // at a time; a failed charge shortens the read (`do_generic_file_read`).
        // Lock order: Kernel::state -> memcg world.
        let (mut len, mut cache) = (buf.len(), (0, None));
        if let (FileKind::Tmpfs { sb, ino }, true) = (&file.kind, file.readable) {
            let avail = tmpfs_size(&st, *sb, *ino)
                .saturating_sub(file.pos)
                .min(len as u64) as usize;
            let cpu = Self::task_cpu_locked(&st, pid);
            let id = crate::mem::tmpfs_file_id(*sb, *ino);
            cache = self.page_cache_pages(pid, cpu, id, file.pos, avail, false);
            if cache.1.is_some() {
                len = cache.0;
            }
        }
        let r = self.read_open_file(&st, pid, &mut file, &mut buf[..len]);
        // vfs_read: fsnotify_access when something was read.
        if matches!(r, Ok(n) if n > 0) {
            self.fsnotify_file(&mut st, file.fsn.as_deref(), FS_ACCESS);
        }
        st.files.insert(id, file);
        drop(st);
        self.page_cache_result(pid, cache.0, cache.1)?;
        r
    }

    fn read_open_file(
        &self,
        st: &State<T>,
        pid: Pid,
        file: &mut OpenFile<T>,
        buf: &mut [u8],
    ) -> SysResult<usize> {
        if !file.readable {
            return Err(err(Errno::EBADF, "not open for reading"));
        }
        let n = match &mut file.kind {
            FileKind::Tmpfs { sb, ino } => match st.tmpfs.get(sb).and_then(|fs| fs.get(*ino)) {
                Some(inode) => match &inode.kind {
                    InodeKind::Regular { data } => read_at(data, file.pos, buf),
                    _ => 0,
                },
                None => 0,
            },
            FileKind::Dir => return Err(err(Errno::EISDIR, "read on a directory")),
            FileKind::Null | FileKind::Console(_) => 0,
            FileKind::Zero => {
                buf.fill(0);
                buf.len()
            }
            FileKind::Snapshot(data)
            | FileKind::OomScoreAdj { text: data, .. }
            | FileKind::Knob { text: data, .. } => read_at(data, file.pos, buf),
            FileKind::Cgroup(cf) => self.cg_read(cf, pid, file.pos, buf)?,
            FileKind::Eventfd(ef) => return self.efd_read(ef, file.nonblock, buf),
            // sys_read reads an inotify instance before taking the file out of the table.
            FileKind::Inotify(_) => return Err(err(Errno::EINVAL, "inotify: see inotify_read")),
            FileKind::Pipe(p) => return p.read(buf),
            // psi_show at each read (a seq_file).
            FileKind::ProcPressure { res, .. } => {
                read_at(self.proc_pressure(*res).as_bytes(), file.pos, buf)
            }
        };
        file.pos += n as u64;
        Ok(n)
    }

    #[doc(alias = "vfs_write")]
    pub(crate) fn sys_write(&self, pid: Pid, fd: Fd, data: &[u8]) -> SysResult<usize> {
        let (cpu, _on) = self.enter_cpu(pid);
        let _f = func(&*self.tracer, cpu, "vfs_write");
        // Lock order: Kernel::state -> cgroup_mutex / eventfd wqh.lock.
        let mut st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        let id = self.fd_file(&st, pid, fd)?;
        let event_control =
            matches!(&st.files[&id].kind, FileKind::Cgroup(cf) if self.cg_is_event_control(cf));
        if event_control {
            self.event_snapshot_fds(&st, pid);
        }
        let mut file = st.files.remove(&id).expect("fd names a file");
        // Each page written is first found or created in the page cache (dirty, charged to the
        // writer's memcg), then filled; a failed charge shortens the write
        // (`generic_perform_write`). Lock order: Kernel::state -> memcg world.
        let (mut data, mut cache, mut no_space) = (data, (0, None), false);
        if let (FileKind::Tmpfs { sb, ino }, true) = (&file.kind, file.writable) {
            let pos = if file.append {
                tmpfs_size(&st, *sb, *ino)
            } else {
                file.pos
            };
            let room = self.tmpfs_room(&st, *sb, *ino, pos, data.len());
            no_space = room == 0 && !data.is_empty();
            data = &data[..room];
            let cpu = Self::task_cpu_locked(&st, pid);
            let id = crate::mem::tmpfs_file_id(*sb, *ino);
            cache = self.page_cache_pages(pid, cpu, id, pos, data.len(), true);
            if cache.1.is_some() {
                data = &data[..cache.0];
            }
        }
        let r = if no_space {
            Err(err(Errno::ENOSPC, "the filesystem is full"))
        } else if cache.0 == 0 && cache.1.is_some() {
            // Nothing could be cached: the call fails below, writing nothing.
            Ok(0)
        } else {
            self.write_open_file(&mut st, pid, &cred, &mut file, data)
        };
        // vfs_write: fsnotify_modify when something was written.
        if matches!(r, Ok(n) if n > 0) {
            self.fsnotify_file(&mut st, file.fsn.as_deref(), FS_MODIFY);
        }
        st.files.insert(id, file);
        if event_control {
            self.event_clear_fds();
        }
        self.unlock(st);
        self.page_cache_result(pid, cache.0, cache.1)?;
        // `pipe_write`: no reader left is EPIPE and SIGPIPE for the writer.
        if matches!(&r, Err(e) if e.errno == Errno::EPIPE) {
            self.deliver(pid, crate::Signal(13));
        }
        r
    }

    fn write_open_file(
        &self,
        st: &mut State<T>,
        pid: Pid,
        cred: &Cred,
        file: &mut OpenFile<T>,
        data: &[u8],
    ) -> SysResult<usize> {
        if !file.writable {
            return Err(err(Errno::EBADF, "not open for writing"));
        }
        match &mut file.kind {
            FileKind::Tmpfs { sb, ino } => {
                let fs = st.tmpfs.get_mut(sb);
                if let Some((fs, size)) = fs.and_then(|fs| {
                    let i = fs
                        .get(*ino)
                        .filter(|i| i.file_type() == crate::FileType::Regular)?;
                    let size = i.data_len();
                    Some((fs, size))
                }) {
                    if file.append {
                        file.pos = size;
                    }
                    let pos = usize::try_from(file.pos)
                        .map_err(|_| err(Errno::EFBIG, "offset too large"))?;
                    fs.write(*ino, pos, data, self.clock.now_nanos());
                }
                file.pos += data.len() as u64;
                Ok(data.len())
            }
            FileKind::Dir => Err(err(Errno::EISDIR, "write on a directory")),
            FileKind::ProcPressure { res, trigger } => {
                let (res, slot) = (*res, trigger);
                self.proc_pressure_write(cred.euid.is_root(), res, slot, data)
            }
            FileKind::Null | FileKind::Zero => Ok(data.len()),
            FileKind::Console(stream) => {
                if !data.is_empty() {
                    st.console.push((*stream, data.to_vec()));
                }
                Ok(data.len())
            }
            FileKind::Snapshot(_) => Err(err(Errno::EINVAL, "file has no write operation")),
            FileKind::OomScoreAdj {
                pid: target,
                oom_adj,
                ..
            } => {
                let target = *target;
                if *oom_adj {
                    self.proc_write_oom_adj(st, pid, target, data)
                } else {
                    self.proc_write_oom_score_adj(st, pid, target, data)
                }
            }
            FileKind::Knob { file: knob, .. } => {
                let knob = *knob;
                self.knob_write(st, pid, knob, data)
            }
            FileKind::Cgroup(cf) => self.cg_write(st, pid, cred, cf, data),
            FileKind::Eventfd(ef) => self.efd_write(ef, file.nonblock, data),
            // inotify_fops has no write: the fd is opened read-only, so this is not reached.
            FileKind::Inotify(_) => Err(err(Errno::EINVAL, "inotify has no write")),
            // A program being stepped can sleep on a full pipe; synchronous code cannot.
            FileKind::Pipe(p) => p.write(data, self.pipe_write_bounded(st, pid, p)),
        }
    }

    // ---- close / dup2 ------------------------------------------------------------------------

    pub(crate) fn sys_close(&self, pid: Pid, fd: Fd) -> SysResult<()> {
        let (cpu, _on) = self.enter_cpu(pid);
        let _f = func(&*self.tracer, cpu, "sys_close");
        let mut st = self.lock_state();
        self.fd_file(&st, pid, fd)?;
        let e = st
            .tasks
            .get_mut(&pid)
            .and_then(|t| t.fds.remove(&fd.0))
            .expect("checked above");
        self.put_file(&mut st, e.file);
        self.unlock(st);
        Ok(())
    }

    /// `fput`: drop one fd reference; release the description when it was the last.
    pub(crate) fn put_file(&self, st: &mut State<T>, id: FileId) {
        let f = st.files.get_mut(&id).expect("fd names a file");
        f.refs -= 1;
        if f.refs == 0 {
            let f = st.files.remove(&id).expect("just seen");
            // __fput: fsnotify_close before f_op->release.
            let close = if f.writable {
                FS_CLOSE_WRITE
            } else {
                FS_CLOSE_NOWRITE
            };
            self.fsnotify_file(st, f.fsn.as_deref(), close);
            if matches!(f.kind, FileKind::Inotify(_)) {
                self.inotify_release(st, id);
            }
            self.release_file(st, f);
        }
    }

    /// `__fput` -> `f_op->release`.
    fn release_file(&self, st: &mut State<T>, f: OpenFile<T>) {
        match f.kind {
            FileKind::Cgroup(cf) => self.cg_release(st, cf),
            FileKind::ProcPressure {
                trigger: Some(tk), ..
            } => self.psi_trigger_release(tk),
            // Dropped after Kernel::state is released (see `eventfd.rs`).
            FileKind::Eventfd(ef) => st.deferred_drops.push(ef),
            _ => {}
        }
    }

    pub(crate) fn sys_dup2(&self, pid: Pid, old: Fd, new: Fd) -> SysResult<Fd> {
        let mut st = self.lock_state();
        let id = self.fd_file(&st, pid, old)?;
        if new.0 < 0 || new.0 >= RLIMIT_NOFILE {
            return Err(err(Errno::EBADF, "new fd out of range"));
        }
        if old == new {
            return Ok(new);
        }
        let prev = st.tasks.get_mut(&pid).expect("checked").fds.insert(
            new.0,
            FdEntry {
                file: id,
                cloexec: false,
            },
        );
        st.files.get_mut(&id).expect("fd names a file").refs += 1;
        if let Some(prev) = prev {
            self.put_file(&mut st, prev.file);
        }
        self.unlock(st);
        Ok(new)
    }

    // ---- directories ---------------------------------------------------------------------------

    #[doc(alias = "vfs_mkdir")]
    pub(crate) fn sys_mkdir(&self, pid: Pid, path: &str, mode: u32) -> SysResult<()> {
        let (cpu, _on) = self.enter_cpu(pid);
        let _f = func(&*self.tracer, cpu, "vfs_mkdir");
        // Lock order: Kernel::state -> cgroup_mutex (cgroup_mkdir).
        let mut st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        let pw = self.walk_parent(&st, pid, path)?;
        if pw.last.is_empty() || pw.last == "." || pw.last == ".." {
            return Err(err(Errno::EEXIST, "directory exists"));
        }
        let dir_attr = self.attr(&st, pw.dir.node())?;
        if !dir_attr.permits(&cred, IdKind::Effective, X_OK) {
            return Err(err(Errno::EACCES, "no search permission"));
        }
        match self.lookup_child(&st, pid, pw.dir.node(), &pw.last) {
            Ok(_) => return Err(err(Errno::EEXIST, "name exists")),
            Err(e) if e.errno == Errno::ENOENT => {}
            Err(e) => return Err(e),
        }
        self.mnt_want_write(&st, pw.dir.mnt())?;
        if !dir_attr.permits(&cred, IdKind::Effective, W_OK | X_OK) {
            return Err(err(Errno::EACCES, "no write permission on the directory"));
        }
        let umask = st.tasks[&pid].umask;
        let mode = mode & 0o1777 & !umask;
        let dir = pw.dir.node().clone();
        let r = self.do_mkdir(&mut st, pid, &cred, &pw, mode);
        if r.is_ok() {
            // vfs_mkdir -> fsnotify_mkdir.
            self.fsnotify_create(&mut st, &dir, &pw.last, true);
        }
        r
    }

    fn do_mkdir(
        &self,
        st: &mut State<T>,
        pid: Pid,
        cred: &Cred,
        pw: &crate::namei::ParentWalk,
        mode: u32,
    ) -> SysResult<()> {
        match pw.dir.node().clone() {
            Node::Tmpfs { sb, ino } => {
                let fs = st.tmpfs.get_mut(&sb).expect("walked into it");
                fs.create(
                    ino,
                    &pw.last,
                    InodeKind::Dir {
                        entries: Default::default(),
                    },
                    mode,
                    cred.euid.0,
                    cred.egid,
                    self.clock.now_nanos(),
                );
                Ok(())
            }
            Node::Proc(_) | Node::Debugfs(_) => {
                Err(err(Errno::EPERM, "filesystem has no mkdir operation"))
            }
            Node::Host { .. } => Err(crate::hostfs::erofs()),
            Node::Cgroup(c) => self.cg_mkdir(st, pid, cred, &c, &pw.last, mode),
        }
    }

    #[doc(alias = "vfs_rmdir")]
    pub(crate) fn sys_rmdir(&self, pid: Pid, path: &str) -> SysResult<()> {
        let (cpu, _on) = self.enter_cpu(pid);
        let _f = func(&*self.tracer, cpu, "vfs_rmdir");
        // Lock order: Kernel::state -> cgroup_mutex (cgroup_rmdir).
        let mut st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        let pw = self.walk_parent(&st, pid, path)?;
        match pw.last.as_str() {
            "" => return Err(err(Errno::EBUSY, "rmdir of /")),
            "." => return Err(err(Errno::EINVAL, "rmdir of .")),
            ".." => return Err(err(Errno::ENOTEMPTY, "rmdir of ..")),
            _ => {}
        }
        let (child, child_attr) = self.may_delete(&st, pid, &cred, &pw.dir, &pw.last)?;
        if !child_attr.is_dir() {
            return Err(err(Errno::ENOTDIR, "rmdir of a non-directory"));
        }
        if self.is_mountpoint(&st, pw.dir.mnt(), &child) {
            return Err(err(Errno::EBUSY, "directory is a mount point"));
        }
        let victim = FsnPath {
            node: child.clone(),
            parent: Some(pw.dir.node().clone()),
            name: pw.last.clone(),
            is_dir: true,
        };
        let r = match (pw.dir.node().clone(), child) {
            (Node::Tmpfs { sb, ino }, Node::Tmpfs { ino: cino, .. }) => {
                let fs = st.tmpfs.get_mut(&sb).expect("walked into it");
                if !fs.entries(cino).is_empty() {
                    return Err(err(Errno::ENOTEMPTY, "directory not empty"));
                }
                fs.remove(ino, &pw.last, self.clock.now_nanos());
                Ok(())
            }
            (parent, Node::Cgroup(c)) => self.cg_rmdir(&mut st, pid, &parent, &c),
            _ => Err(err(Errno::EPERM, "filesystem has no rmdir operation")),
        };
        if r.is_ok() {
            // d_delete_notify: a tmpfs directory's inode goes (DELETE_SELF, IGNORED); a kernfs
            // directory keeps its link count, so only the parent hears of it.
            let gone = matches!(victim.node, Node::Tmpfs { .. });
            self.fsnotify_delete(&mut st, &victim, gone);
        }
        self.unlock(st);
        r
    }

    #[doc(alias = "vfs_unlink")]
    pub(crate) fn sys_unlink(&self, pid: Pid, path: &str) -> SysResult<()> {
        let (cpu, _on) = self.enter_cpu(pid);
        let _f = func(&*self.tracer, cpu, "vfs_unlink");
        let mut st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        let pw = self.walk_parent(&st, pid, path)?;
        if pw.last.is_empty() || pw.last == "." || pw.last == ".." {
            return Err(err(Errno::EISDIR, "unlink of a directory"));
        }
        let (child, child_attr) = self.may_delete(&st, pid, &cred, &pw.dir, &pw.last)?;
        if child_attr.is_dir() {
            return Err(err(Errno::EISDIR, "unlink of a directory"));
        }
        if pw.trailing_slash {
            return Err(err(Errno::ENOTDIR, "trailing slash on a non-directory"));
        }
        match (pw.dir.node().clone(), child) {
            (Node::Tmpfs { sb, ino }, Node::Tmpfs { ino: victim, .. }) => {
                st.tmpfs.get_mut(&sb).expect("walked into it").remove(
                    ino,
                    &pw.last,
                    self.clock.now_nanos(),
                );
                // vfs_unlink: fsnotify_link_count, then d_delete_notify (the last link went).
                let p = FsnPath {
                    node: Node::Tmpfs { sb, ino: victim },
                    parent: Some(Node::Tmpfs { sb, ino }),
                    name: pw.last.clone(),
                    is_dir: false,
                };
                self.fsnotify_delete(&mut st, &p, true);
                // The inode is freed now (no hard links), and its page cache with it.
                // Lock order: Kernel::state -> memcg world.
                self.page_cache_truncate(Self::task_cpu_locked(&st, pid), sb, victim);
                drop(st);
                self.mem_events();
                Ok(())
            }
            _ => Err(err(Errno::EPERM, "filesystem has no unlink operation")),
        }
    }

    /// `may_delete`: look the victim up, then check write+search on the directory and the
    /// sticky rule. Returns the victim and its attributes.
    fn may_delete(
        &self,
        st: &State<T>,
        pid: Pid,
        cred: &Cred,
        dir: &Walked,
        name: &str,
    ) -> SysResult<(Node, Attr)> {
        let dir_attr = self.attr(st, dir.node())?;
        if !dir_attr.permits(cred, IdKind::Effective, X_OK) {
            return Err(err(Errno::EACCES, "no search permission"));
        }
        let child = self.lookup_child(st, pid, dir.node(), name)?;
        let child_attr = self.attr(st, &child)?;
        // do_rmdir/do_unlinkat: mnt_want_write after the lookup, before vfs_*'s checks.
        self.mnt_want_write(st, dir.mnt())?;
        if !dir_attr.permits(cred, IdKind::Effective, W_OK | X_OK) {
            return Err(err(Errno::EACCES, "no write permission on the directory"));
        }
        if !sticky_allows(cred, dir_attr.mode, dir_attr.uid, child_attr.uid) {
            return Err(err(Errno::EPERM, "sticky directory"));
        }
        Ok((child, child_attr))
    }

    pub(crate) fn sys_readdir(&self, pid: Pid, path: &str) -> SysResult<Vec<DirEntry>> {
        let mut st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        let w = self.walk(&st, pid, path, true)?;
        let attr = self.attr(&st, w.node())?;
        if !attr.is_dir() {
            return Err(err(Errno::ENOTDIR, "not a directory"));
        }
        if !attr.permits(&cred, IdKind::Effective, R_OK) {
            return Err(err(Errno::EACCES, "no read permission on the directory"));
        }
        let r = self.dir_entries(&st, w.node());
        if !st.fsnotify.is_empty() {
            // opendir, two getdents (iterate_dir's fsnotify_access each time, the second
            // returning nothing), closedir: what `ls` does.
            let p = FsnPath::of(&w, attr.file_type);
            for mask in [FS_OPEN, FS_ACCESS, FS_ACCESS, FS_CLOSE_NOWRITE] {
                self.fsnotify_file(&mut st, Some(&p), mask);
            }
        }
        r
    }

    pub(crate) fn sys_stat(&self, pid: Pid, path: &str) -> SysResult<Stat> {
        let st = self.lock_state();
        self.live_cred(&st, pid)?;
        let w = self.walk(&st, pid, path, true)?;
        let a = self.attr(&st, w.node())?;
        Ok(Stat {
            file_type: a.file_type,
            mode: a.mode,
            uid: a.uid,
            gid: a.gid,
            size: a.size,
            ino: a.ino,
            fs_magic: a.magic,
            rdev: a.rdev,
            nlink: a.nlink,
            atime: a.atime,
            mtime: a.mtime,
            ctime: a.ctime,
        })
    }

    #[doc(alias = "sys_faccessat")]
    pub(crate) fn sys_access(&self, pid: Pid, path: &str, mode: u32) -> SysResult<()> {
        if mode & !(R_OK | W_OK | X_OK) != 0 {
            return Err(err(Errno::EINVAL, "bad access mode"));
        }
        let st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        let w = self.walk(&st, pid, path, true)?;
        let a = self.attr(&st, w.node())?;
        if mode == F_OK || a.permits(&cred, IdKind::Real, mode) {
            Ok(())
        } else {
            Err(err(Errno::EACCES, "permission denied by mode"))
        }
    }

    pub(crate) fn sys_chdir(&self, pid: Pid, path: &str) -> SysResult<()> {
        let mut st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        let w = self.walk(&st, pid, path, true)?;
        let a = self.attr(&st, w.node())?;
        if !a.is_dir() {
            return Err(err(Errno::ENOTDIR, "not a directory"));
        }
        if !a.permits(&cred, IdKind::Effective, X_OK) {
            return Err(err(Errno::EACCES, "no search permission"));
        }
        st.tasks.get_mut(&pid).expect("checked").cwd = w.path();
        Ok(())
    }

    pub(crate) fn sys_umask(&self, pid: Pid, mask: u32) -> SysResult<u32> {
        let mut st = self.lock_state();
        self.live_cred(&st, pid)?;
        let t = st.tasks.get_mut(&pid).expect("checked");
        Ok(std::mem::replace(&mut t.umask, mask & 0o777))
    }

    pub(crate) fn sys_getcwd(&self, pid: Pid) -> SysResult<String> {
        let st = self.lock_state();
        self.live_cred(&st, pid)?;
        let cwd = st.tasks[&pid].cwd.clone();
        // The kernel reports ENOENT for a working directory that has been removed.
        match self.walk(&st, Pid(1), &cwd, true) {
            Ok(w) if self.attr(&st, w.node()).is_ok_and(|a| a.is_dir()) => Ok(cwd),
            _ => Err(err(Errno::ENOENT, "working directory removed")),
        }
    }

    // ---- attributes --------------------------------------------------------------------------

    /// `chmod`: the owner or root may change the permission bits (EPERM otherwise).
    pub(crate) fn sys_chmod(&self, pid: Pid, path: &str, mode: u32) -> SysResult<()> {
        let mut st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        let w = self.walk(&st, pid, path, true)?;
        // chmod_common/chown_common: mnt_want_write before notify_change.
        self.mnt_want_write(&st, w.mnt())?;
        let a = self.attr(&st, w.node())?;
        if !cred.euid.is_root() && cred.euid.0 != a.uid {
            return Err(err(Errno::EPERM, "chmod by a non-owner"));
        }
        self.setattr(&mut st, w.node(), Some(mode & 0o7777), None, None)?;
        // notify_change -> fsnotify_change(ATTR_MODE).
        self.fsnotify_attrib(&mut st, &FsnPath::of(&w, a.file_type));
        Ok(())
    }

    /// `chown` (`inode_change_ok`: `chown_ok`/`chgrp_ok`): root may change anything; the owner
    /// may only "change" the owner to itself and the group to its own group (EPERM otherwise).
    /// `None` keeps an id, as `-1` does in the syscall.
    pub(crate) fn sys_chown(
        &self,
        pid: Pid,
        path: &str,
        uid: Option<u32>,
        gid: Option<u32>,
    ) -> SysResult<()> {
        let mut st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        let w = self.walk(&st, pid, path, true)?;
        // chmod_common/chown_common: mnt_want_write before notify_change.
        self.mnt_want_write(&st, w.mnt())?;
        let a = self.attr(&st, w.node())?;
        if !cred.euid.is_root() {
            let owner = cred.euid.0 == a.uid;
            let uid_ok = uid.is_none_or(|u| owner && u == a.uid);
            let gid_ok = gid.is_none_or(|g| owner && (g == a.gid || g == cred.egid));
            if !(uid_ok && gid_ok) {
                return Err(err(Errno::EPERM, "chown needs CAP_CHOWN"));
            }
        }
        self.setattr(&mut st, w.node(), None, uid, gid)?;
        // notify_change -> fsnotify_change(ATTR_UID | ATTR_GID).
        self.fsnotify_attrib(&mut st, &FsnPath::of(&w, a.file_type));
        Ok(())
    }

    /// `utimensat` with no times (`do_utimes` -> `utimes_common`): ATTR_ATIME | ATTR_MTIME |
    /// ATTR_CTIME | ATTR_TOUCH, allowed to the owner and to anyone who may write the file.
    pub(crate) fn sys_utimens_now(&self, pid: Pid, path: &str) -> SysResult<()> {
        let mut st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        let w = self.walk(&st, pid, path, true)?;
        self.mnt_want_write(&st, w.mnt())?;
        let a = self.attr(&st, w.node())?;
        if !cred.euid.is_root()
            && cred.euid.0 != a.uid
            && !a.permits(&cred, IdKind::Effective, W_OK)
        {
            return Err(err(
                Errno::EACCES,
                "utimensat(NULL) needs ownership or write access",
            ));
        }
        let now = self.clock.now_nanos();
        match w.node() {
            Node::Tmpfs { sb, ino } => {
                if let Some(i) = st.tmpfs.get_mut(sb).and_then(|fs| fs.get_mut(*ino)) {
                    (i.atime, i.mtime, i.ctime) = (now, now, now);
                }
            }
            Node::Cgroup(n) => self.cg_touch_ctime(&mut st, n),
            Node::Host { .. } => return Err(crate::hostfs::erofs()),
            // proc_setattr and debugfs accept the times without keeping them.
            Node::Proc(_) | Node::Debugfs(_) => {}
        }
        // fsnotify_change: both times set is IN_ATTRIB.
        self.fsnotify_attrib(&mut st, &FsnPath::of(&w, a.file_type));
        Ok(())
    }

    /// `notify_change` on any inode.
    fn setattr(
        &self,
        st: &mut State<T>,
        node: &Node,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
    ) -> SysResult<()> {
        match node {
            Node::Tmpfs { sb, ino } => {
                let inode = st
                    .tmpfs
                    .get_mut(sb)
                    .and_then(|fs| fs.get_mut(*ino))
                    .ok_or(err(Errno::ENOENT, "stale inode"))?;
                if let Some(m) = mode {
                    inode.mode = m;
                }
                if let Some(u) = uid {
                    inode.uid = u;
                }
                if let Some(g) = gid {
                    inode.gid = g;
                }
                // notify_change always adds ATTR_CTIME.
                inode.ctime = self.clock.now_nanos();
                Ok(())
            }
            Node::Proc(_) => Err(err(Errno::EPERM, "/proc attributes are fixed")),
            Node::Debugfs(_) => Err(err(Errno::EPERM, "debugfs attributes are fixed here")),
            Node::Host { .. } => Err(crate::hostfs::erofs()),
            // Lock order: Kernel::state -> cgroup_mutex.
            Node::Cgroup(n) => {
                self.cgroups
                    .setattr(n.cgrp, n.file.as_deref(), mode, uid, gid)
                    .map_err(|e| err(e, "cgroup inode"))?;
                self.cg_touch_ctime(st, n);
                Ok(())
            }
        }
    }
}

impl<T: Tracer> Kernel<T> {
    /// How many of `len` bytes written at `pos` fit: an in-memory filesystem holds at most half
    /// of RAM in file data (tmpfs's default `size=50%`; the kernel's rootfs, a ramfs, has no
    /// limit and would fill RAM instead). Rewriting bytes the file already has always fits.
    fn tmpfs_room(&self, st: &State<T>, sb: u32, ino: u64, pos: u64, len: usize) -> usize {
        let Some(fs) = st.tmpfs.get(&sb) else {
            return len;
        };
        let cap = self.mem.config().ram.0 / 2;
        let size = tmpfs_size(st, sb, ino);
        let growth = (pos + len as u64).saturating_sub(size);
        let free = cap.saturating_sub(fs.data_bytes());
        let cut = growth.saturating_sub(free).min(len as u64);
        len - cut as usize
    }
}

/// `i_size` of a tmpfs inode (0 if it is not a regular file).
fn tmpfs_size<T: Tracer>(st: &State<T>, sb: u32, ino: u64) -> u64 {
    st.tmpfs
        .get(&sb)
        .and_then(|fs| fs.get(ino))
        .map_or(0, |i| i.data_len())
}
