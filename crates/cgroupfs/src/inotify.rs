//! inotify as a file descriptor kind: `inotify_init1(2)`, `inotify_add_watch(2)`,
//! `inotify_rm_watch(2)`, reading `struct inotify_event` records, poll and the final close,
//! for the files the kernel notifies: `cgroup.events`, `memory.events`, `memory.events.local`
//! and `memory.swap.events` (`cgroup_file_notify` -> `kernfs_notify`, which raises `FS_MODIFY`
//! on the file's inode, so an inotify watch sees `IN_MODIFY`).
//!
//! **Kernel:** `fs/notify/inotify/inotify_user.c` (v6.6) `do_inotify_init` (EINVAL for flags
//! other than `IN_CLOEXEC`/`IN_NONBLOCK`; `inotify_init1` is ENOSYS on 2.6.25, being 2.6.27's,
//! `inotify_init` works on every preset), `inotify_add_watch` (EINVAL for a mask without event
//! bits or with both `IN_MASK_ADD` and `IN_MASK_CREATE`, EBADF for a closed fd, EINVAL for an fd
//! that is not an inotify instance, the path lookup's errno, EACCES without read permission,
//! ENOTDIR for `IN_ONLYDIR` on a non-directory, EEXIST for `IN_MASK_CREATE` on a watched inode;
//! one watch per inode: a second add replaces the mask, or ORs into it with `IN_MASK_ADD`, and
//! returns the same wd), `inotify_rm_watch` (EINVAL for an unknown wd; queues `IN_IGNORED`),
//! `inotify_read` (EINVAL when the buffer cannot hold the first event, whole events only, EAGAIN
//! when empty and non-blocking), `inotify_poll` (`POLLIN|POLLRDNORM` when the queue is not
//! empty); `fs/notify/inotify/inotify_fsnotify.c` `inotify_merge` (an event equal to the last
//! queued one is dropped) and `inotify_handle_inode_event` (`IN_ONESHOT` removes the watch after
//! its first event); `fs/kernfs/file.c` `kernfs_notify_workfn` (the `FS_MODIFY`).
//!
//! **Differences:**
//! * A modification is detected as `poll` detects it (`psi.rs`): the watched file's text is
//!   compared with its text when the watch was added or last reported, when the reader reads,
//!   polls or is asked by the scheduler whether it can run. The counters of `memory.events`
//!   only grow, so every change is seen, but a `populated` flip and back between two looks is
//!   missed, and several modifications between two looks make one `IN_MODIFY`. No 20 ms rate
//!   limit (`cgroup_file_notify`).
//! * Only those four cgroup files produce `IN_MODIFY`; other files (tmpfs, `/proc`, a cgroup
//!   directory's entries) can be watched but produce no event, and their watch ends (with
//!   `IN_IGNORED`) only through `inotify_rm_watch`, `IN_ONESHOT` never firing for them. A watch
//!   on another cgroup file ends with `IN_IGNORED` when its cgroup is removed.
//! * When the watched file's cgroup is removed (`rmdir`), the watch gets `IN_IGNORED` and goes
//!   away; 6.6's kernfs sends no `IN_DELETE_SELF` for it (kernfs raises no fsnotify event on
//!   removal in that version), so none is queued here either.
//! * No `max_user_instances`/`max_user_watches`/`max_queued_events` limits, no
//!   `IN_Q_OVERFLOW`, no `FIONREAD`; a watch keeps its file open as an internal reference
//!   (so it counts for `umount`'s EBUSY, where the kernel would send `IN_UNMOUNT`).
//! * A blocking read that would sleep returns EAGAIN; a simulated program then returns
//!   [`crate::Step::WaitReadable`] and the scheduler asks again, as for eventfd.

use crate::file::{FileKind, OpenFile};
use crate::state::State;
use crate::task::FileId;
use crate::{Fd, Kernel, OpenFlags};
use cgsim_ktypes::{Errno, Pid, SysError, SysResult, Tracer};
use std::collections::{BTreeMap, VecDeque};

/// `IN_ACCESS`.
pub const IN_ACCESS: u32 = 0x0000_0001;
/// `IN_MODIFY`: the file was modified (`FS_MODIFY`).
pub const IN_MODIFY: u32 = 0x0000_0002;
/// `IN_DELETE_SELF`.
pub const IN_DELETE_SELF: u32 = 0x0000_0400;
/// `IN_ALL_EVENTS`: the twelve event bits.
pub const IN_ALL_EVENTS: u32 = 0x0000_0fff;
/// `IN_UNMOUNT`.
pub const IN_UNMOUNT: u32 = 0x0000_2000;
/// `IN_Q_OVERFLOW`.
pub const IN_Q_OVERFLOW: u32 = 0x0000_4000;
/// `IN_IGNORED`: the watch was removed (`inotify_rm_watch`, the file went away, oneshot).
pub const IN_IGNORED: u32 = 0x0000_8000;
/// `IN_ONLYDIR`.
pub const IN_ONLYDIR: u32 = 0x0100_0000;
/// `IN_DONT_FOLLOW`.
pub const IN_DONT_FOLLOW: u32 = 0x0200_0000;
/// `IN_EXCL_UNLINK`.
pub const IN_EXCL_UNLINK: u32 = 0x0400_0000;
/// `IN_MASK_CREATE`.
pub const IN_MASK_CREATE: u32 = 0x1000_0000;
/// `IN_MASK_ADD`.
pub const IN_MASK_ADD: u32 = 0x2000_0000;
/// `IN_ISDIR`.
pub const IN_ISDIR: u32 = 0x4000_0000;
/// `IN_ONESHOT`.
pub const IN_ONESHOT: u32 = 0x8000_0000;
/// `IN_NONBLOCK` (`O_NONBLOCK`).
pub const IN_NONBLOCK: i32 = 0o4000;
/// `IN_CLOEXEC` (`O_CLOEXEC`).
pub const IN_CLOEXEC: i32 = 0o2000000;

/// `ALL_INOTIFY_BITS` (`include/linux/inotify.h`): what a mask may contain.
const ALL_INOTIFY_BITS: u32 = IN_ALL_EVENTS
    | IN_UNMOUNT
    | IN_Q_OVERFLOW
    | IN_IGNORED
    | IN_ONLYDIR
    | IN_DONT_FOLLOW
    | IN_EXCL_UNLINK
    | IN_MASK_CREATE
    | IN_MASK_ADD
    | IN_ISDIR
    | IN_ONESHOT;

/// The size of `struct inotify_event` without its name.
pub const INOTIFY_EVENT_SIZE: usize = 16;

/// One `struct inotify_event`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InotifyEvent {
    pub wd: i32,
    pub mask: u32,
    pub cookie: u32,
    /// The name inside a watched directory, empty for an event on the watched file itself
    /// (then `len` is 0 and no name bytes follow).
    pub name: Vec<u8>,
}

impl InotifyEvent {
    /// The record's bytes as `read(2)` returns them: `wd`, `mask`, `cookie`, `len`
    /// (native-endian), then the name padded with NULs to `len`.
    fn encode(&self, out: &mut Vec<u8>) {
        let len = if self.name.is_empty() {
            0
        } else {
            // The kernel rounds the name plus its NUL up to the event size.
            (self.name.len() + 1).div_ceil(INOTIFY_EVENT_SIZE) * INOTIFY_EVENT_SIZE
        };
        out.extend_from_slice(&self.wd.to_ne_bytes());
        out.extend_from_slice(&self.mask.to_ne_bytes());
        out.extend_from_slice(&self.cookie.to_ne_bytes());
        out.extend_from_slice(&(len as u32).to_ne_bytes());
        let start = out.len();
        out.extend_from_slice(&self.name);
        out.resize(start + len, 0);
    }

    fn record_len(&self) -> usize {
        let mut v = Vec::new();
        self.encode(&mut v);
        v.len()
    }

    /// Split the bytes of a `read` of an inotify fd into its events.
    pub fn parse(mut buf: &[u8]) -> Vec<InotifyEvent> {
        let mut out = Vec::new();
        let word = |b: &[u8], i: usize| u32::from_ne_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        while buf.len() >= INOTIFY_EVENT_SIZE {
            let len = word(buf, 12) as usize;
            let end = (INOTIFY_EVENT_SIZE + len).min(buf.len());
            let name = &buf[INOTIFY_EVENT_SIZE..end];
            let name = &name[..name.iter().position(|&c| c == 0).unwrap_or(name.len())];
            out.push(InotifyEvent {
                wd: word(buf, 0) as i32,
                mask: word(buf, 4),
                cookie: word(buf, 8),
                name: name.to_vec(),
            });
            buf = &buf[end..];
        }
        out
    }
}

/// What a watch is on: a cgroup file (cgroup and name), or another file (its open file id).
#[derive(Clone, Debug, PartialEq, Eq)]
enum WatchKey {
    Cgroup(cgsim_cgroup::CgroupId, String),
    Other(FileId),
}

/// One watch (`struct inotify_inode_mark`).
#[derive(Debug)]
struct Watch {
    mask: u32,
    /// The watched file, opened read-only when the watch was added (the inode reference).
    file: FileId,
    key: WatchKey,
    /// The file's text when it was last reported (or watched), for the files that notify.
    seen: Option<Vec<u8>>,
}

/// An inotify instance (`struct fsnotify_group` with its `inotify_data`).
#[derive(Debug, Default)]
pub struct InotifyFile {
    watches: BTreeMap<i32, Watch>,
    /// `idr` allocation: wds start at 1 and are not reused while the instance lives.
    last_wd: i32,
    queue: VecDeque<InotifyEvent>,
}

impl InotifyFile {
    /// `fsnotify_add_event` with `inotify_merge`: an event equal to the last queued is dropped.
    fn queue_event(&mut self, ev: InotifyEvent) {
        if self.queue.back() == Some(&ev) {
            return;
        }
        self.queue.push_back(ev);
    }
}

fn sys(errno: Errno, why: &'static str) -> SysError {
    SysError::new(errno, why)
}

impl<T: Tracer> Kernel<T> {
    /// `inotify_init1(flags)`.
    pub(crate) fn sys_inotify_init1(&self, pid: Pid, flags: i32) -> SysResult<Fd> {
        if flags & !(IN_CLOEXEC | IN_NONBLOCK) != 0 {
            return Err(sys(Errno::EINVAL, "inotify_init1: unknown flag"));
        }
        let mut st = self.lock_state();
        self.live_cred(&st, pid)?;
        let mut of = OpenFile::new(FileKind::Inotify(InotifyFile::default()), true, false);
        of.nonblock = flags & IN_NONBLOCK != 0;
        let r = self.install_fd(&mut st, pid, of, flags & IN_CLOEXEC != 0);
        self.unlock(st);
        r
    }

    /// The inotify instance `fd` names: EBADF if closed, EINVAL if not an inotify fd.
    fn inotify_id(&self, st: &State<T>, pid: Pid, fd: Fd) -> SysResult<FileId> {
        let id = self.fd_file(st, pid, fd)?;
        match st.files.get(&id).map(|f| &f.kind) {
            Some(FileKind::Inotify(_)) => Ok(id),
            _ => Err(sys(Errno::EINVAL, "not an inotify instance")),
        }
    }

    /// `inotify_add_watch(fd, path, mask)`: the watch descriptor.
    pub(crate) fn sys_inotify_add_watch(
        &self,
        pid: Pid,
        fd: Fd,
        path: &str,
        mask: u32,
    ) -> SysResult<i32> {
        if mask & ALL_INOTIFY_BITS == 0 {
            return Err(sys(Errno::EINVAL, "inotify_add_watch: no event bit"));
        }
        if mask & IN_MASK_ADD != 0 && mask & IN_MASK_CREATE != 0 {
            return Err(sys(
                Errno::EINVAL,
                "inotify_add_watch: IN_MASK_ADD with IN_MASK_CREATE",
            ));
        }
        {
            let st = self.lock_state();
            self.inotify_id(&st, pid, fd)?;
        }
        // inotify_find_inode: the lookup and inode_permission(MAY_READ), done by opening the
        // file read-only; the open file then stands for the watch's inode reference.
        let flags = OpenFlags {
            directory: mask & IN_ONLYDIR != 0,
            ..OpenFlags::RDONLY
        };
        let wfd = self.sys_open(pid, path, flags, 0)?;
        let mut st = self.lock_state();
        let wid = self.fd_file(&st, pid, wfd)?;
        st.tasks
            .get_mut(&pid)
            .expect("just opened")
            .fds
            .remove(&wfd.0);
        let (key, seen) = match st.files.get(&wid).map(|f| &f.kind) {
            Some(FileKind::Cgroup(cf)) => (
                WatchKey::Cgroup(cf.of.cgroup(), cf.of.name().to_string()),
                self.cg_notify_token(cf, pid),
            ),
            _ => (WatchKey::Other(wid), None),
        };
        let Ok(iid) = self.inotify_id(&st, pid, fd) else {
            // The inotify fd was closed meanwhile (another thread): drop the reference.
            self.put_file(&mut st, wid);
            self.unlock(st);
            return Err(sys(Errno::EBADF, "fd not open"));
        };
        let Some(FileKind::Inotify(ino)) = st.files.get_mut(&iid).map(|f| &mut f.kind) else {
            unreachable!("checked above");
        };
        let existing = ino
            .watches
            .iter_mut()
            .find(|(_, w)| match (&w.key, &key) {
                (WatchKey::Other(a), WatchKey::Other(b)) => a == b,
                (a, b) => a == b,
            })
            .map(|(wd, w)| (*wd, w));
        let r = match existing {
            Some(_) if mask & IN_MASK_CREATE != 0 => {
                Err(sys(Errno::EEXIST, "inotify_add_watch: already watched"))
            }
            Some((wd, w)) => {
                // inotify_update_existing_watch.
                let m = mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);
                w.mask = if mask & IN_MASK_ADD != 0 {
                    w.mask | m
                } else {
                    m
                };
                Ok(wd)
            }
            None => {
                ino.last_wd += 1;
                let wd = ino.last_wd;
                ino.watches.insert(
                    wd,
                    Watch {
                        mask: mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK),
                        file: wid,
                        key,
                        seen,
                    },
                );
                self.unlock(st);
                return Ok(wd);
            }
        };
        // An existing watch keeps its own reference: drop the one just taken.
        self.put_file(&mut st, wid);
        self.unlock(st);
        r
    }

    /// `inotify_rm_watch(fd, wd)`: EINVAL for an unknown wd; queues `IN_IGNORED`.
    pub(crate) fn sys_inotify_rm_watch(&self, pid: Pid, fd: Fd, wd: i32) -> SysResult<()> {
        let mut st = self.lock_state();
        let iid = self.inotify_id(&st, pid, fd)?;
        let Some(FileKind::Inotify(ino)) = st.files.get_mut(&iid).map(|f| &mut f.kind) else {
            unreachable!("checked above");
        };
        let Some(w) = ino.watches.remove(&wd) else {
            return Err(sys(Errno::EINVAL, "inotify_rm_watch: no such wd"));
        };
        ino.queue_event(InotifyEvent {
            wd,
            mask: IN_IGNORED,
            cookie: 0,
            name: Vec::new(),
        });
        self.put_file(&mut st, w.file);
        self.unlock(st);
        Ok(())
    }

    /// What each watch of `ino` would report now: `(wd, Some(new text))` for a modified
    /// notifying file, `(wd, None)` for a watch whose file went away.
    fn inotify_changes(
        &self,
        st: &State<T>,
        pid: Pid,
        ino: &InotifyFile,
    ) -> Vec<(i32, Option<Vec<u8>>)> {
        let mut out = Vec::new();
        for (&wd, w) in &ino.watches {
            let Some(FileKind::Cgroup(cf)) = st.files.get(&w.file).map(|f| &f.kind) else {
                continue;
            };
            if self.cgroups.is_removed(cf.of.cgroup()) {
                out.push((wd, None));
                continue;
            }
            if w.mask & IN_MODIFY == 0 {
                continue;
            }
            let now = self.cg_notify_token(cf, pid);
            if now.is_some() && now != w.seen {
                out.push((wd, now));
            }
        }
        out
    }

    /// Queue the events the watches of inotify file `iid` have now (`kernfs_notify_workfn`
    /// -> `fsnotify` -> `inotify_handle_inode_event`), and drop the watches of removed files.
    fn inotify_collect(&self, st: &mut State<T>, pid: Pid, iid: FileId) {
        let changes = match st.files.get(&iid).map(|f| &f.kind) {
            Some(FileKind::Inotify(ino)) => self.inotify_changes(st, pid, ino),
            _ => return,
        };
        let mut dropped = Vec::new();
        let Some(FileKind::Inotify(ino)) = st.files.get_mut(&iid).map(|f| &mut f.kind) else {
            return;
        };
        for (wd, text) in changes {
            let gone = text.is_none();
            let oneshot = {
                let w = ino.watches.get_mut(&wd).expect("listed");
                if !gone {
                    w.seen = text;
                }
                w.mask & IN_ONESHOT != 0
            };
            if !gone {
                ino.queue_event(InotifyEvent {
                    wd,
                    mask: IN_MODIFY,
                    cookie: 0,
                    name: Vec::new(),
                });
            }
            if gone || oneshot {
                let w = ino.watches.remove(&wd).expect("listed");
                ino.queue_event(InotifyEvent {
                    wd,
                    mask: IN_IGNORED,
                    cookie: 0,
                    name: Vec::new(),
                });
                dropped.push(w.file);
            }
        }
        for f in dropped {
            self.put_file(st, f);
        }
    }

    /// `inotify_read` of the open file `iid` into `buf`. The file stays in the table (unlike
    /// other reads): the watches' files, which the read looks at first, live there too.
    pub(crate) fn inotify_read(
        &self,
        st: &mut State<T>,
        pid: Pid,
        iid: FileId,
        buf: &mut [u8],
    ) -> SysResult<usize> {
        self.inotify_collect(st, pid, iid);
        let Some(f) = st.files.get_mut(&iid) else {
            return Err(sys(Errno::EBADF, "fd not open"));
        };
        let nonblock = f.nonblock;
        let FileKind::Inotify(ino) = &mut f.kind else {
            unreachable!("caller checked the kind");
        };
        let Some(first) = ino.queue.front() else {
            return Err(if nonblock {
                sys(Errno::EAGAIN, "inotify queue empty")
            } else {
                sys(Errno::EAGAIN, "would block: wait with Step::WaitReadable")
            });
        };
        if first.record_len() > buf.len() {
            return Err(sys(Errno::EINVAL, "buffer too small for the next event"));
        }
        let mut out = Vec::new();
        while let Some(ev) = ino.queue.front() {
            if out.len() + ev.record_len() > buf.len() {
                break;
            }
            ev.encode(&mut out);
            ino.queue.pop_front();
        }
        buf[..out.len()].copy_from_slice(&out);
        Ok(out.len())
    }

    /// `inotify_poll`: readable when an event is queued or would be queued by a read.
    pub(crate) fn inotify_readable(&self, st: &State<T>, pid: Pid, ino: &InotifyFile) -> bool {
        !ino.queue.is_empty() || !self.inotify_changes(st, pid, ino).is_empty()
    }

    /// The final close of an inotify instance: its watches' file references go.
    pub(crate) fn inotify_release(&self, st: &mut State<T>, ino: InotifyFile) {
        for (_, w) in ino.watches {
            self.put_file(st, w.file);
        }
    }
}
