//! inotify as a file descriptor kind: `inotify_init1(2)`, `inotify_add_watch(2)`,
//! `inotify_rm_watch(2)`, reading `struct inotify_event` records, poll and the final close. The
//! events come from the fsnotify layer (`fsnotify.rs`), which the VFS calls on every simulated
//! file system, and from `kernfs_notify` on the cgroup files that notify.
//!
//! **Kernel:** `fs/notify/inotify/inotify_user.c` (v6.6) `do_inotify_init` (EINVAL for flags
//! other than `IN_CLOEXEC`/`IN_NONBLOCK`; EMFILE past `max_user_instances`, 128 per user at boot;
//! `inotify_init1` is ENOSYS on 2.6.25, being 2.6.27's, `inotify_init` works on every preset),
//! `inotify_add_watch` (EINVAL for a mask without any inotify bit or with both `IN_MASK_ADD` and
//! `IN_MASK_CREATE`, EBADF for a closed fd, EINVAL for an fd that is not an inotify instance;
//! `inotify_find_inode`: the lookup, following a final symlink unless `IN_DONT_FOLLOW`, ENOTDIR
//! for `IN_ONLYDIR` on a non-directory, EACCES without read permission; one watch per inode: a
//! second add replaces the mask, or ORs into it with `IN_MASK_ADD`, EEXIST with
//! `IN_MASK_CREATE`, and returns the same wd), `inotify_rm_watch` (EINVAL for an unknown wd;
//! queues `IN_IGNORED`), `inotify_read` (EINVAL when the buffer cannot hold the first event,
//! whole events only, EAGAIN when empty and non-blocking), `inotify_poll` (`POLLIN|POLLRDNORM`
//! when the queue is not empty); `fs/notify/inotify/inotify_fsnotify.c`
//! `inotify_handle_inode_event` (the watch's mask selects the events, `IN_ISDIR` is dropped from
//! `IN_DELETE_SELF`/`IN_MOVE_SELF`, `IN_ONESHOT` removes the watch after its first event) and
//! `inotify_merge` (`event_compare`: an event equal to the last queued one, same wd, mask and
//! name, is dropped, unless that one is `IN_IGNORED`); `fs/notify/notification.c`
//! `fsnotify_insert_event` (past `max_queued_events`, 16384, one `IN_Q_OVERFLOW` event with wd
//! -1 is queued and further events are lost until it is read); `fs/kernfs/file.c`
//! `kernfs_notify_workfn` (`FS_MODIFY` on the notified file, and on its directory with the
//! file's name).
//!
//! **Differences:**
//! * `kernfs_notify` is seen as `poll` sees it (`psi.rs`): the text of each notifying file a
//!   watch covers (`cgroup.events`, `memory.events`, `memory.events.local`,
//!   `memory.swap.events`: the `cgroup_file_notify` files of 6.6 the simulator has;
//!   `pids.events`, `misc.events` and `hugetlb.*.events` belong to controllers it lacks, and
//!   its cpuset has no `cpuset.cpus.partition`) is compared with its text when the watch was
//!   added or last reported, when the reader reads, polls or is asked by the scheduler whether
//!   it can run. So the memory controller's paths pay nothing for it. The counters of
//!   `memory.events` only grow, so every change is seen, but a `populated` flip and back
//!   between two looks is missed, and several modifications between two looks make one
//!   `IN_MODIFY`. `cgroup_file_notify`'s rate limit (`CGROUP_FILE_NOTIFY_MIN_INTV`,
//!   `DIV_ROUND_UP(HZ, 100)` jiffies) applies per file (`file_notify.rs`): a change seen
//!   within 3 jiffies of the file's last notification is notified by the file's timer, at the
//!   tick after the interval, to every watch and poller at once. The kernel sends the event from a workqueue (`kernfs_notify_work`), soon after the change;
//!   here it is queued when the reader looks, so it follows the VFS events queued meanwhile.
//! * The limits are `/proc/sys/fs/inotify/*` (`inotify_sysctl.rs`): EMFILE past
//!   `max_user_instances`, ENOSPC past `max_user_watches`, `max_queued_events` read when an
//!   instance is created. No `FIONREAD`. A watch does not keep
//!   its mount busy; when the last mount of its file system goes, it gets `IN_UNMOUNT` and
//!   `IN_IGNORED` (`fsnotify_sb_delete`).
//! * A blocking read that would sleep returns EAGAIN; a simulated program then returns
//!   [`crate::Step::WaitReadable`] and the scheduler asks again, as for eventfd.

use crate::file::{FileKind, OpenFile};
use crate::namei::Node;
use crate::perm::IdKind;
use crate::state::State;
use crate::task::FileId;
use crate::{Fd, Kernel, R_OK};
use cgsim_cgroup::CgroupId;
use cgsim_ktypes::{Errno, Pid, SysError, SysResult, Tracer};
use std::collections::{BTreeMap, VecDeque};

/// `IN_ACCESS`: the file was read.
pub const IN_ACCESS: u32 = 0x0000_0001;
/// `IN_MODIFY`: the file was modified (`FS_MODIFY`).
pub const IN_MODIFY: u32 = 0x0000_0002;
/// `IN_ATTRIB`: metadata changed.
pub const IN_ATTRIB: u32 = 0x0000_0004;
/// `IN_CLOSE_WRITE`: a file opened for writing was closed.
pub const IN_CLOSE_WRITE: u32 = 0x0000_0008;
/// `IN_CLOSE_NOWRITE`: a file not opened for writing was closed.
pub const IN_CLOSE_NOWRITE: u32 = 0x0000_0010;
/// `IN_OPEN`.
pub const IN_OPEN: u32 = 0x0000_0020;
/// `IN_MOVED_FROM`.
pub const IN_MOVED_FROM: u32 = 0x0000_0040;
/// `IN_MOVED_TO`.
pub const IN_MOVED_TO: u32 = 0x0000_0080;
/// `IN_CREATE`: a name was created in the watched directory.
pub const IN_CREATE: u32 = 0x0000_0100;
/// `IN_DELETE`: a name was removed from the watched directory.
pub const IN_DELETE: u32 = 0x0000_0200;
/// `IN_DELETE_SELF`.
pub const IN_DELETE_SELF: u32 = 0x0000_0400;
/// `IN_MOVE_SELF`.
pub const IN_MOVE_SELF: u32 = 0x0000_0800;
/// `IN_CLOSE`.
pub const IN_CLOSE: u32 = IN_CLOSE_WRITE | IN_CLOSE_NOWRITE;
/// `IN_MOVE`.
pub const IN_MOVE: u32 = IN_MOVED_FROM | IN_MOVED_TO;
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

/// `inotify_max_queued_events`' default (`inotify_user_setup`).
pub const MAX_QUEUED_EVENTS: usize = 16384;
/// `inotify_max_user_instances`' default.
pub const MAX_USER_INSTANCES: usize = 128;

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

/// `INOTIFY_USER_MASK` without the add/create flags: what a watch's mask keeps.
const WATCH_BITS: u32 = IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK;

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

/// A cgroup file a watch hears `kernfs_notify` from, with its notification count when last
/// reported (`file_notify.rs`).
#[derive(Debug)]
struct KnSource {
    cgrp: CgroupId,
    name: String,
    /// The watch is on the file's directory: the event carries the file's name.
    on_dir: bool,
    seen: Option<u64>,
}

/// One watch (`struct inotify_inode_mark`).
#[derive(Debug)]
struct Watch {
    mask: u32,
    node: Node,
    kn: Vec<KnSource>,
}

/// An inotify instance (`struct fsnotify_group` with its `inotify_data`).
#[derive(Debug)]
pub struct InotifyFile {
    watches: BTreeMap<i32, Watch>,
    /// `idr` allocation: wds start at 1 and are not reused while the instance lives.
    last_wd: i32,
    queue: VecDeque<InotifyEvent>,
    /// `group->max_events`.
    max_events: usize,
    /// The overflow event is in the queue (`!list_empty(&group->overflow_event->list)`).
    overflow_queued: bool,
    /// The uid whose counts it is in: the creator's real uid up to 4.10 (`user_struct`), its
    /// effective uid from 4.11 (`group->inotify_data.ucounts`; `inotify_sysctl.rs`).
    owner: u32,
}

impl Default for InotifyFile {
    fn default() -> Self {
        InotifyFile::with_max_events(MAX_QUEUED_EVENTS)
    }
}

impl InotifyFile {
    /// An instance whose queue holds `max_events` events (`max_queued_events` when it was
    /// created).
    pub fn with_max_events(max_events: usize) -> InotifyFile {
        InotifyFile {
            watches: BTreeMap::new(),
            last_wd: 0,
            queue: VecDeque::new(),
            max_events,
            overflow_queued: false,
            owner: 0,
        }
    }

    /// `fsnotify_insert_event` with `inotify_merge`: past `max_events`, one `IN_Q_OVERFLOW`
    /// (wd -1) and the event is lost; an event equal to the last queued one (`event_compare`:
    /// same wd, mask and name; never after an `IN_IGNORED`) is dropped.
    pub fn queue_event(&mut self, ev: InotifyEvent) {
        if self.queue.len() >= self.max_events {
            if !self.overflow_queued {
                self.overflow_queued = true;
                self.queue.push_back(InotifyEvent {
                    wd: -1,
                    mask: IN_Q_OVERFLOW,
                    cookie: 0,
                    name: Vec::new(),
                });
            }
            return;
        }
        if let Some(last) = self.queue.back()
            && last.mask & IN_IGNORED == 0
            && last.mask == ev.mask
            && last.wd == ev.wd
            && last.name == ev.name
        {
            return;
        }
        self.queue.push_back(ev);
    }

    /// Take the next event (`fsnotify_remove_first_event`).
    pub fn pop_event(&mut self) -> Option<InotifyEvent> {
        let ev = self.queue.pop_front()?;
        if ev.wd == -1 && ev.mask == IN_Q_OVERFLOW {
            self.overflow_queued = false;
        }
        Some(ev)
    }

    /// How many events are queued.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }
}

fn sys(errno: Errno, why: &'static str) -> SysError {
    SysError::new(errno, why)
}

/// The files `cgroup_file_notify` is called for, among the files the simulator has (6.6:
/// `cgroup.events` from `cgroup_update_populated` and `cgroup_update_frozen`, and
/// `memcg_memory_event`'s `memory.events`, `memory.events.local`, `memory.swap.events`;
/// `pids_can_fork`'s `pids.events`, v1 and v2).
pub(crate) const KN_NOTIFY_FILES: [&str; 5] = [
    "cgroup.events",
    "memory.events",
    "memory.events.local",
    "memory.swap.events",
    "pids.events",
];

impl<T: Tracer> Kernel<T> {
    /// `inotify_init1(flags)`.
    pub(crate) fn sys_inotify_init1(&self, pid: Pid, flags: i32) -> SysResult<Fd> {
        if flags & !(IN_CLOEXEC | IN_NONBLOCK) != 0 {
            return Err(sys(Errno::EINVAL, "inotify_init1: unknown flag"));
        }
        let mut st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        let owner = self.inotify_counted_uid(&cred);
        // inc_inotify_instances / inc_ucount: the user's count against max_user_instances.
        let mine = st
            .files
            .values()
            .filter(|f| matches!(&f.kind, FileKind::Inotify(i) if i.owner == owner))
            .count();
        let max = self.inotify_sysctl(&st, crate::inotify_sysctl::InotifySysctl::UserInstances);
        if mine >= usize::try_from(max).unwrap_or(0) {
            return Err(sys(Errno::EMFILE, "inotify: max_user_instances reached"));
        }
        // inotify_new_group: `group->max_events = inotify_max_queued_events`.
        let max_events =
            self.inotify_sysctl(&st, crate::inotify_sysctl::InotifySysctl::QueuedEvents);
        let ino = InotifyFile {
            owner,
            ..InotifyFile::with_max_events(usize::try_from(max_events).unwrap_or(0))
        };
        let mut of = OpenFile::new(FileKind::Inotify(ino), true, false);
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
            return Err(sys(Errno::EINVAL, "inotify_add_watch: no inotify bit"));
        }
        if mask & IN_MASK_ADD != 0 && mask & IN_MASK_CREATE != 0 {
            return Err(sys(
                Errno::EINVAL,
                "inotify_add_watch: IN_MASK_ADD with IN_MASK_CREATE",
            ));
        }
        let mut st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        let iid = self.inotify_id(&st, pid, fd)?;
        // inotify_find_inode: user_path_at (LOOKUP_FOLLOW unless IN_DONT_FOLLOW,
        // LOOKUP_DIRECTORY for IN_ONLYDIR), then inode_permission(MAY_READ).
        let w = self.walk(&st, pid, path, mask & IN_DONT_FOLLOW == 0)?;
        let attr = self.attr(&st, w.node())?;
        if mask & IN_ONLYDIR != 0 && !attr.is_dir() {
            return Err(sys(Errno::ENOTDIR, "IN_ONLYDIR on a non-directory"));
        }
        if !attr.permits(&cred, IdKind::Effective, R_OK) {
            return Err(sys(
                Errno::EACCES,
                "no read permission on the watched inode",
            ));
        }
        let node = w.node().clone();
        let kn = self.kn_sources(&node, pid);
        let Some(FileKind::Inotify(ino)) = st.files.get_mut(&iid).map(|f| &mut f.kind) else {
            unreachable!("checked above");
        };
        let m = mask & WATCH_BITS;
        if let Some((&wd, w)) = ino.watches.iter_mut().find(|(_, w)| w.node == node) {
            // inotify_update_existing_watch.
            if mask & IN_MASK_CREATE != 0 {
                return Err(sys(Errno::EEXIST, "inotify_add_watch: already watched"));
            }
            w.mask = if mask & IN_MASK_ADD != 0 {
                w.mask | m
            } else {
                m
            };
            return Ok(wd);
        }
        // inotify_new_watch: inc_inotify_watches / inc_ucount against max_user_watches, counted
        // over every instance of the user.
        let owner = ino.owner;
        let max = self.inotify_sysctl(&st, crate::inotify_sysctl::InotifySysctl::UserWatches);
        let mine: usize = st
            .files
            .values()
            .filter_map(|f| match &f.kind {
                FileKind::Inotify(i) if i.owner == owner => Some(i.watches.len()),
                _ => None,
            })
            .sum();
        if mine >= usize::try_from(max).unwrap_or(0) {
            return Err(sys(
                Errno::ENOSPC,
                "inotify_add_watch: max_user_watches reached",
            ));
        }
        let Some(FileKind::Inotify(ino)) = st.files.get_mut(&iid).map(|f| &mut f.kind) else {
            unreachable!("checked above");
        };
        ino.last_wd += 1;
        let wd = ino.last_wd;
        ino.watches.insert(
            wd,
            Watch {
                mask: m,
                node: node.clone(),
                kn,
            },
        );
        st.fsnotify.add(node, iid, wd);
        self.unlock(st);
        Ok(wd)
    }

    /// The notifying cgroup files a watch on `node` hears: the file itself, or every such
    /// file of a cgroup directory; with their current text.
    fn kn_sources(&self, node: &Node, pid: Pid) -> Vec<KnSource> {
        let Node::Cgroup(c) = node else {
            return Vec::new();
        };
        let names: Vec<&str> = match &c.file {
            Some(f) if KN_NOTIFY_FILES.contains(&f.as_str()) => vec![f.as_str()],
            Some(_) => Vec::new(),
            None => KN_NOTIFY_FILES.to_vec(),
        };
        names
            .into_iter()
            .filter_map(|name| {
                // Only the files this cgroup has (cgroup.events is not in a root).
                self.cgroups.open(c.cgrp, name, true, false).ok()?;
                Some(KnSource {
                    cgrp: c.cgrp,
                    name: name.to_string(),
                    on_dir: c.file.is_none(),
                    seen: self.kn_events(c.cgrp, name, pid),
                })
            })
            .collect()
    }

    /// `inotify_rm_watch(fd, wd)`: EINVAL for an unknown wd; queues `IN_IGNORED`.
    pub(crate) fn sys_inotify_rm_watch(&self, pid: Pid, fd: Fd, wd: i32) -> SysResult<()> {
        let mut st = self.lock_state();
        let iid = self.inotify_id(&st, pid, fd)?;
        let Some(FileKind::Inotify(ino)) = st.files.get(&iid).map(|f| &f.kind) else {
            unreachable!("checked above");
        };
        if !ino.watches.contains_key(&wd) {
            return Err(sys(Errno::EINVAL, "inotify_rm_watch: no such wd"));
        }
        self.inotify_destroy_mark(&mut st, iid, wd);
        self.unlock(st);
        Ok(())
    }

    /// `fsnotify_destroy_mark` -> `inotify_freeing_mark`: the watch goes, `IN_IGNORED` is
    /// queued.
    pub(crate) fn inotify_destroy_mark(&self, st: &mut State<T>, group: FileId, wd: i32) {
        st.fsnotify.remove(group, wd);
        let Some(FileKind::Inotify(ino)) = st.files.get_mut(&group).map(|f| &mut f.kind) else {
            return;
        };
        if ino.watches.remove(&wd).is_some() {
            ino.queue_event(InotifyEvent {
                wd,
                mask: IN_IGNORED,
                cookie: 0,
                name: Vec::new(),
            });
        }
    }

    /// `inotify_handle_inode_event`: queue one event for one watch, if its mask wants it.
    pub(crate) fn inotify_handle_inode_event(
        &self,
        st: &mut State<T>,
        d: crate::fsnotify::Delivery<'_>,
    ) {
        let Some(FileKind::Inotify(ino)) = st.files.get_mut(&d.group).map(|f| &mut f.kind) else {
            return;
        };
        let Some(w) = ino.watches.get(&d.wd) else {
            return;
        };
        // Every inotify mark also has FS_UNMOUNT (`inotify_arg_to_mask`).
        if d.mask & (w.mask | IN_UNMOUNT) & (IN_ALL_EVENTS | IN_UNMOUNT) == 0 {
            return;
        }
        if d.unlinked && w.mask & IN_EXCL_UNLINK != 0 {
            return;
        }
        let oneshot = w.mask & IN_ONESHOT != 0;
        let mut mask =
            d.mask & (IN_ALL_EVENTS | IN_ISDIR | IN_UNMOUNT | IN_IGNORED | IN_Q_OVERFLOW);
        // inotify never reported IN_ISDIR with these two (kept out for old programs).
        if mask & (IN_MOVE_SELF | IN_DELETE_SELF) != 0 {
            mask &= !IN_ISDIR;
        }
        ino.queue_event(InotifyEvent {
            wd: d.wd,
            mask,
            cookie: 0,
            name: d.name.map(|n| n.as_bytes().to_vec()).unwrap_or_default(),
        });
        if oneshot {
            self.inotify_destroy_mark(st, d.group, d.wd);
        }
    }

    /// The `kernfs_notify` events the watches of `ino` would get now: `(wd, name, new text)`,
    /// directory watches (with the file's name) before the file's own watch, as
    /// `kernfs_notify_workfn` reports to the parent first.
    fn kn_changes(&self, pid: Pid, ino: &InotifyFile) -> Vec<(i32, usize, Option<String>, u64)> {
        let mut out = Vec::new();
        for (&wd, w) in &ino.watches {
            if w.mask & IN_MODIFY == 0 {
                continue;
            }
            for (i, s) in w.kn.iter().enumerate() {
                if let Some(now) = self.kn_events(s.cgrp, &s.name, pid)
                    && Some(now) != s.seen
                {
                    out.push((wd, i, s.on_dir.then(|| s.name.clone()), now));
                }
            }
        }
        out.sort_by_key(|c| c.2.is_none());
        out
    }

    /// Queue the `kernfs_notify` events the watches of inotify file `iid` have now.
    fn inotify_collect(&self, st: &mut State<T>, pid: Pid, iid: FileId) {
        let changes = match st.files.get(&iid).map(|f| &f.kind) {
            Some(FileKind::Inotify(ino)) => self.kn_changes(pid, ino),
            _ => return,
        };
        for (wd, i, name, events) in changes {
            let Some(FileKind::Inotify(ino)) = st.files.get_mut(&iid).map(|f| &mut f.kind) else {
                return;
            };
            let Some(w) = ino.watches.get_mut(&wd) else {
                continue;
            };
            w.kn[i].seen = Some(events);
            self.inotify_handle_inode_event(
                st,
                crate::fsnotify::Delivery {
                    group: iid,
                    wd,
                    mask: IN_MODIFY,
                    name: name.as_deref(),
                    unlinked: false,
                },
            );
        }
    }

    /// `inotify_read` of the open file `iid` into `buf`. The file stays in the table (unlike
    /// other reads): the marks that deliver to it look it up there.
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
            ino.pop_event();
        }
        buf[..out.len()].copy_from_slice(&out);
        Ok(out.len())
    }

    /// `inotify_poll`: readable when an event is queued or would be queued by a read.
    pub(crate) fn inotify_readable(&self, _st: &State<T>, pid: Pid, ino: &InotifyFile) -> bool {
        !ino.queue.is_empty() || !self.kn_changes(pid, ino).is_empty()
    }

    /// The final close of an inotify instance (`fsnotify_destroy_group`): its marks go.
    pub(crate) fn inotify_release(&self, st: &mut State<T>, id: FileId) {
        st.fsnotify.remove_group(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(wd: i32, mask: u32, name: &str) -> InotifyEvent {
        InotifyEvent {
            wd,
            mask,
            cookie: 0,
            name: name.as_bytes().to_vec(),
        }
    }

    #[test]
    fn merge_drops_an_event_equal_to_the_last_one_only() {
        let mut g = InotifyFile::default();
        g.queue_event(e(1, IN_ACCESS, "f"));
        g.queue_event(e(1, IN_ACCESS, "f"));
        // Another name, another wd, another mask: kept.
        g.queue_event(e(1, IN_ACCESS, "g"));
        g.queue_event(e(2, IN_ACCESS, "g"));
        g.queue_event(e(2, IN_MODIFY, "g"));
        // Equal to an earlier event but not to the last: kept.
        g.queue_event(e(1, IN_ACCESS, "f"));
        assert_eq!(g.queued(), 5);
        // Never merged into a queued IN_IGNORED.
        g.queue_event(e(3, IN_IGNORED, ""));
        g.queue_event(e(3, IN_IGNORED, ""));
        assert_eq!(g.queued(), 7);
    }

    #[test]
    fn overflow_queues_one_event_until_it_is_read() {
        let mut g = InotifyFile::with_max_events(3);
        for i in 0..10 {
            g.queue_event(e(1, IN_CREATE, &i.to_string()));
        }
        // Three events, then the overflow event beyond the limit, once.
        assert_eq!(g.queued(), 4);
        let got: Vec<InotifyEvent> = std::iter::from_fn(|| g.pop_event()).collect();
        assert_eq!(got[3], e(-1, IN_Q_OVERFLOW, ""));
        assert_eq!(got[2], e(1, IN_CREATE, "2"));
        // Drained: events are queued again, and a new overflow can be reported.
        for i in 0..5 {
            g.queue_event(e(1, IN_CREATE, &i.to_string()));
        }
        assert_eq!(g.queued(), 4);
        g.pop_event();
        g.queue_event(e(1, IN_CREATE, "x"));
        // The queue is still full (3 events + the overflow): the new event is lost, and the
        // overflow event is not queued twice.
        assert_eq!(g.queued(), 3);
    }
}
