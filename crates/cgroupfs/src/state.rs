//! The VFS and process-table state behind the one `Kernel` lock.
//!
//! **Kernel:** stands in for `dcache_lock`/`i_mutex` (the tree), `vfsmount_lock`/`namespace_sem`
//! (the mount table), `tasklist_lock` (the process table) and `files_lock` (open files), 2.6.25.
//! **Locking:** everything here sits under one `parking_lot::Mutex` in [`crate::Kernel`].
//! Lock order: `Kernel::state` -> the core's `cgroup_mutex` -> `css_set_lock` -> eventfd
//! `wqh.lock` -> `Klog` (a leaf). The core and eventfd never call back into this crate, so the
//! order cannot invert. Simulated programs are stepped with no lock held.
//! **Invariants:** see `task.rs` and `tmpfs.rs`; [`State::check_invariants`] checks them.

use crate::eventfd::EventfdFile;
use crate::file::{FileKind, OpenFile};
use crate::mount::{Mount, Super};
use crate::namei::Node;
use crate::procfs::ProcNode;
use crate::task::{FdEntry, FileId, INIT_PID, Sched, Task};
use crate::tmpfs::{Device, InodeKind, RAMFS_MAGIC, TMPFS_MAGIC, Tmpfs};
use crate::{ConsoleStream, ReleaseAgentCall};
use cgsim_ktypes::{Cred, Pid, Tracer};
use std::collections::BTreeMap;

/// Everything the VFS and the process table own.
pub struct State<T: Tracer> {
    pub tmpfs: BTreeMap<u32, Tmpfs>,
    pub next_sb: u32,
    pub mounts: BTreeMap<u64, Mount>,
    /// `mnt_id_start`: where the search for a free mount id begins.
    pub next_mnt: u64,
    /// The last mount's position in the namespace's list.
    pub next_mnt_seq: u64,
    /// Unnamed device minors in use (`unnamed_dev_ida`) and the superblock holding each.
    pub anon_devs: BTreeMap<u32, Super>,
    pub tasks: BTreeMap<Pid, Task>,
    pub last_pid: i32,
    /// `pid_max` (`kernel/pid.c`): `alloc_pid` hands out pids below it; `/proc/sys/kernel/pid_max`.
    pub pid_max: i32,
    /// `init_ipc_ns.shm_ctlmax` once root wrote `/proc/sys/kernel/shmmax` (`None`: the boot
    /// value, `SHMMAX` of the preset; `sysctl.rs`).
    pub shmmax: Option<u64>,
    /// `/proc/sys/fs/inotify/*` once root wrote them (`None`: the boot value;
    /// `inotify_sysctl.rs`), indexed by `InotifySysctl`.
    pub inotify_sysctl: [Option<i32>; 3],
    pub files: BTreeMap<FileId, OpenFile<T>>,
    pub next_file: FileId,
    pub console: Vec<(ConsoleStream, Vec<u8>)>,
    pub release_log: Vec<ReleaseAgentCall>,
    /// Tasks whose `memory.high` penalty sleep ended with signals pending (`psi.rs`).
    pub throttle_signals: Vec<Pid>,
    /// Faults stopped in the middle to sleep, to resume when the task calls again
    /// (`fault_sleep.rs`).
    pub fault_restart: BTreeMap<Pid, crate::fault_sleep::FaultRestart>,
    /// eventfd files whose last reference went away under the lock; dropped (their `POLLHUP`
    /// wake-up run) by `Kernel::unlock` after the lock is released.
    pub deferred_drops: Vec<EventfdFile>,
    /// Parents to send SIGCHLD to (`do_notify_parent` in `exit_notify`), delivered by
    /// `Kernel::unlock` after the lock is released, since a program's handler may make syscalls.
    pub pending_sigchld: Vec<Pid>,
    /// SysV shm keys (`ipc_ids` of the shm namespace): key → (shmid, size in bytes).
    pub shm_keys: BTreeMap<i32, (i32, u64)>,
    /// Every live segment by id.
    pub shm_segs: BTreeMap<i32, ShmSeg>,
    /// Host directories bound read-only (`--bind`), indexed by `Node::Host`'s `fs`.
    pub hostfs: Vec<crate::hostfs::HostFs>,
    /// The console's window size (`struct winsize` of its tty: columns, rows) when it is a
    /// terminal; `None` when the console is not one (output to a pipe or file). See `tty.rs`.
    pub console_winsize: Option<(u16, u16)>,
    /// The process events connector's listeners: the listening process and the kernel's end
    /// of its socket.
    pub cn_proc: Vec<(Pid, crate::pipe::PipeEnd)>,
    /// The scheduler's run queue, timers and wait-queue hooks (`crate::runq`).
    pub sched_q: crate::runq::SchedQueue,
    /// `(parent, child)` for every task but init: each task's `children` list, so `waitpid`
    /// and `forget_original_parent` look at one task's children, not at every task.
    pub children: std::collections::BTreeSet<(Pid, Pid)>,
    /// The subset of `children` that are zombies, so `waitpid(-1)` finds one without looking
    /// at the living children.
    pub zombie_children: std::collections::BTreeSet<(Pid, Pid)>,
    /// Times of cgroup directories and their files, by directory inode number (`cgroupfs.rs`
    /// `CgTimes`).
    pub cg_times: BTreeMap<u64, crate::cgroupfs::CgTimes>,
    /// Every inode mark (inotify watches), for the VFS's fsnotify hooks (`fsnotify.rs`).
    pub fsnotify: crate::fsnotify::Marks,
}

impl<T: Tracer> State<T> {
    /// Bound host directory `fs`.
    pub fn host(&self, fs: u32) -> cgsim_ktypes::SysResult<&crate::hostfs::HostFs> {
        self.hostfs
            .get(fs as usize)
            .ok_or(cgsim_ktypes::SysError::new(
                cgsim_ktypes::Errno::ENOENT,
                "stale host bind",
            ))
    }

    /// Register a new open file description and return its id (with no fd naming it yet).
    pub fn add_file(&mut self, file: OpenFile<T>) -> FileId {
        let id = self.next_file;
        self.next_file += 1;
        self.files.insert(id, file);
        id
    }

    /// Check the cross-structure invariants (fd references, parents, zombies).
    pub fn check_invariants(&self) {
        let mut refs: BTreeMap<FileId, usize> = BTreeMap::new();
        for t in self.tasks.values() {
            for e in t.fds.values() {
                assert!(self.files.contains_key(&e.file), "fd names a missing file");
                *refs.entry(e.file).or_default() += 1;
            }
            // A thread is listed by its live leader, or a leader that exited before it.
            if t.tgid != t.pid {
                let l = self.tasks.get(&t.tgid).expect("a thread's leader exists");
                assert!(l.threads.contains(&t.pid), "{} not in its group", t.pid);
                assert!(!t.is_zombie() && t.threads.is_empty() && t.fds.is_empty());
            }
            if t.is_zombie() {
                // A leader that exited before its threads keeps the group's files.
                assert!(
                    t.fds.is_empty() || !t.threads.is_empty(),
                    "zombie {} still has fds",
                    t.pid
                );
                assert!(t.exit_status.is_some());
            } else {
                assert!(t.exit_status.is_none());
            }
            if t.pid != crate::task::INIT_PID {
                assert!(self.tasks.contains_key(&t.ppid), "{} has no parent", t.pid);
            }
        }
        for (id, f) in &self.files {
            assert_eq!(refs.get(id).copied().unwrap_or(0), f.refs, "file {id} refs");
            assert!(f.refs > 0, "file {id} has no fd and was not released");
        }
        for fs in self.tmpfs.values() {
            fs.check_invariants();
        }
    }
}

impl<T: Tracer> State<T> {
    /// The state at boot: the root filesystem, the boot mounts and init.
    ///
    /// Layout: `/dev/{null,console}`, `/proc` (proc), `/sys/fs/cgroup` (a tmpfs, mode 0755, as
    /// distributions mount it), `/tmp` (mode 1777), `/root` (0700), `/etc` (`etc.rs`). `/proc/mounts`
    /// starts as `rootfs / rootfs rw 0 0`, `proc /proc proc rw,relatime 0 0`,
    /// `tmpfs /sys/fs/cgroup tmpfs rw,relatime 0 0` (rootfs is the kernel's own mount: no relatime).
    pub fn boot() -> State<T> {
        let mut root = Tmpfs::new(RAMFS_MAGIC, 0o755, 0);
        let r = root.root;
        let dir = || InodeKind::Dir {
            entries: BTreeMap::new(),
        };
        let dev = root.create(r, "dev", dir(), 0o755, 0, 0, 0);
        root.create(
            dev,
            "null",
            InodeKind::CharDev(Device::Null),
            0o666,
            0,
            0,
            0,
        );
        root.create(
            dev,
            "zero",
            InodeKind::CharDev(Device::Zero),
            0o666,
            0,
            0,
            0,
        );
        root.create(
            dev,
            "console",
            InodeKind::CharDev(Device::Console),
            0o600,
            0,
            0,
            0,
        );
        // /dev/shm, where POSIX shared memory and LTP's checkpoint file live (a directory of
        // the root filesystem here, a tmpfs mount on a distribution).
        root.create(dev, "shm", dir(), 0o1777, 0, 0, 0);
        let proc_dir = root.create(r, "proc", dir(), 0o555, 0, 0, 0);
        root.create(r, "root", dir(), 0o700, 0, 0, 0);
        let sys = root.create(r, "sys", dir(), 0o755, 0, 0, 0);
        let sys_fs = root.create(sys, "fs", dir(), 0o755, 0, 0, 0);
        let cg_dir = root.create(sys_fs, "cgroup", dir(), 0o755, 0, 0, 0);
        // Where debugfs is mounted (sysfs's empty `/sys/kernel/debug`).
        let sys_kernel = root.create(sys, "kernel", dir(), 0o755, 0, 0, 0);
        root.create(sys_kernel, "debug", dir(), 0o700, 0, 0, 0);
        root.create(r, "tmp", dir(), 0o1777, 0, 0, 0);
        crate::etc::populate(&mut root, r);
        let cg_tmpfs = Tmpfs::new(TMPFS_MAGIC, 0o755, 0);
        let cg_root = cg_tmpfs.root;

        let mut st = State {
            tmpfs: BTreeMap::from([(0, root), (1, cg_tmpfs)]),
            next_sb: 2,
            mounts: BTreeMap::new(),
            next_mnt: 1,
            next_mnt_seq: 0,
            anon_devs: BTreeMap::from([(crate::mount::FIRST_USER_ANON_DEV, Super::Tmpfs(1))]),
            tasks: BTreeMap::new(),
            last_pid: 1,
            pid_max: crate::task::PID_MAX,
            shmmax: None,
            inotify_sysctl: [None; 3],
            files: BTreeMap::new(),
            next_file: 1,
            console: Vec::new(),
            release_log: Vec::new(),
            throttle_signals: Vec::new(),
            fault_restart: BTreeMap::new(),
            deferred_drops: Vec::new(),
            pending_sigchld: Vec::new(),
            shm_keys: BTreeMap::new(),
            shm_segs: BTreeMap::new(),
            hostfs: Vec::new(),
            console_winsize: None,
            cn_proc: Vec::new(),
            sched_q: crate::runq::SchedQueue::default(),
            children: std::collections::BTreeSet::new(),
            zombie_children: std::collections::BTreeSet::new(),
            cg_times: BTreeMap::new(),
            fsnotify: Default::default(),
        };
        let add = |st: &mut State<T>, m: Mount| {
            crate::mount::add_mount(st, m);
        };
        add(
            &mut st,
            Mount {
                id: 0,
                mountpoint: None,
                root: Node::Tmpfs { sb: 0, ino: r },
                sb: Super::Tmpfs(0),
                source: "rootfs".into(),
                dir: "/".into(),
                fstype: "rootfs".into(),
                options: String::new(),
                // Mounted by the kernel (init_mount_tree), not do_mount: no relatime.
                mnt_flags: 0,
                sb_flags: 0,
                dev: (0, 1),
                seq: 0,
            },
        );
        add(
            &mut st,
            Mount {
                id: 0,
                mountpoint: Some((
                    1,
                    Node::Tmpfs {
                        sb: 0,
                        ino: proc_dir,
                    },
                )),
                root: Node::Proc(ProcNode::Root),
                sb: Super::Proc,
                source: "proc".into(),
                dir: "/proc".into(),
                fstype: "proc".into(),
                options: String::new(),
                // Mounted by the boot scripts with mount(8): do_mount's default relatime.
                mnt_flags: crate::mount::mnt::RELATIME,
                sb_flags: 0,
                dev: (0, 3),
                seq: 0,
            },
        );
        add(
            &mut st,
            Mount {
                id: 0,
                mountpoint: Some((1, Node::Tmpfs { sb: 0, ino: cg_dir })),
                root: Node::Tmpfs {
                    sb: 1,
                    ino: cg_root,
                },
                sb: Super::Tmpfs(1),
                source: "tmpfs".into(),
                dir: "/sys/fs/cgroup".into(),
                fstype: "tmpfs".into(),
                options: String::new(),
                mnt_flags: crate::mount::mnt::RELATIME,
                sb_flags: 0,
                dev: (0, crate::mount::FIRST_USER_ANON_DEV),
                seq: 0,
            },
        );
        // init's fds 0 and 1 share one console description, fd 2 has its own (tagged stderr),
        // so `2>&1`-style dup2 keeps the tag of what is written through it.
        let mut out = OpenFile::new(FileKind::Console(ConsoleStream::Stdout), true, true);
        out.refs = 2;
        let out = st.add_file(out);
        let mut err = OpenFile::new(FileKind::Console(ConsoleStream::Stderr), true, true);
        err.refs = 1;
        let err = st.add_file(err);
        let fds = BTreeMap::from([
            (
                0,
                FdEntry {
                    file: out,
                    cloexec: false,
                },
            ),
            (
                1,
                FdEntry {
                    file: out,
                    cloexec: false,
                },
            ),
            (
                2,
                FdEntry {
                    file: err,
                    cloexec: false,
                },
            ),
        ]);
        st.tasks.insert(
            INIT_PID,
            Task {
                pid: INIT_PID,
                ppid: Pid(0),
                cred: Cred::ROOT,
                comm: "init".into(),
                cmdline: vec!["/sbin/init".into()],
                cwd: "/".into(),
                umask: 0o022,
                fds,
                sched: Sched::NoProgram,
                exit_status: None,
                orphaned: false,
                oom_score_adj: 0,
                oom_adj: 0,
                oom_score_adj_min: 0,
                make_it_fail: 0,
                pending: Vec::new(),
                before_oom_wait: None,
                throttled: None,
                throttle_owed: 0,
                sig_ignored: 0,
                environ: Vec::new(),
                cpu: cgsim_ktypes::CpuId(0),
                cpus_allowed: u64::MAX,
                tgid: INIT_PID,
                threads: Vec::new(),
                mem_current: cgsim_memcg::TaskRef::from_pid(INIT_PID),
            },
        );
        st
    }
}

/// A SysV shm segment as `ipc/shm.c` keeps it: size, key and `struct kern_ipc_perm`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ShmSeg {
    pub size: u64,
    /// 0 for `IPC_PRIVATE`.
    pub key: i32,
    /// `cuid`/`cgid`: the creator's euid and egid, which are also the owner's `uid`/`gid`
    /// (there is no `IPC_SET` to change the owner).
    pub cuid: u32,
    pub cgid: u32,
    /// The low 9 bits of `shmflg` at creation.
    pub mode: u32,
}
