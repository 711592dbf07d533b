//! Fault injection's user interface: debugfs's `failslab` and `fail_page_alloc` directories,
//! `/proc/PID/make-it-fail`, and the Kernel's own allocation sites (the task struct of a
//! fork, an eventfd context, a `cgroup.event_control` event).
//!
//! **Kernel:** `lib/fault-inject.c` `init_fault_attr_dentries` (the six common files),
//! `mm/failslab.c` `failslab_debugfs_init` (`ignore-gfp-wait`, `cache-filter`),
//! `mm/page_alloc.c` `fail_page_alloc_debugfs` (`ignore-gfp-wait`, `ignore-gfp-highmem`,
//! `min-order`), `fs/libfs.c` `simple_attr_read`/`simple_attr_write` (`%llu`/`%lld` and
//! `simple_strtol` of at most 23 bytes), `fs/debugfs/file.c` `read_file_bool`/`write_file_bool`
//! (`Y`/`N`; only the first byte counts), `fs/proc/base.c` `proc_fault_inject_read`/`_write`
//! (`make-it-fail`: CAP_SYS_RESOURCE, 12 bytes, `simple_strtol` of the stripped text, EINVAL on
//! trailing junk), `kernel/fork.c` `dup_task_struct` (the child inherits `make_it_fail`),
//! `fs/eventfd.c` `eventfd_file_create`, `kernel/cgroup.c` `cgroup_write_event_control`; all
//! v2.6.35.
//!
//! **Differences:** debugfs holds only these two directories (a real one has `tracing`, `bdi`,
//! ...); the stack filter's files (`stacktrace-depth`, `require-start`, ... with
//! `CONFIG_FAULT_INJECTION_STACKTRACE_FILTER`) are absent. A file's text is taken when it is
//! opened (the kernel formats it at the first read of an open file).

use crate::DirEntry;
use crate::FileType;
use crate::Kernel;
use crate::file::FileKind;
use crate::namei::{Attr, Node};
use crate::state::State;
use cgsim_ktypes::fault::{Current, CurrentGuard, FaultInjection, Site, gfp};
use cgsim_ktypes::parse::{simple_strtoull, strstrip, until_nul};
use cgsim_ktypes::{Errno, Pid, SysError, SysResult, Tracer};

fn err(errno: Errno, why: &'static str) -> SysError {
    SysError::new(errno, why)
}

/// `DEBUGFS_MAGIC`.
pub const DEBUGFS_MAGIC: u64 = 0x6462_6720;

/// A node of the debugfs mount.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DebugNode {
    Root,
    Dir(FaultDir),
    File(FaultDir, Knob),
}

/// `failslab` or `fail_page_alloc`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultDir {
    Failslab,
    FailPageAlloc,
}

/// One attribute file.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Knob {
    Probability,
    Interval,
    Times,
    Space,
    Verbose,
    TaskFilter,
    IgnoreGfpWait,
    CacheFilter,
    IgnoreGfpHighmem,
    MinOrder,
}

/// A writable file whose text is made at open: a debugfs attribute, `make-it-fail`, or
/// `/proc/sys/kernel/pid_max` (`sysctl.rs`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum KnobFile {
    Debugfs(FaultDir, Knob),
    MakeItFail(Pid),
    PidMax,
    /// `/proc/sys/kernel/shmmax` (`sysctl.rs`).
    Shmmax,
    /// `/proc/sys/fs/inotify/*` (`inotify_sysctl.rs`).
    InotifySysctl(crate::inotify_sysctl::InotifySysctl),
}

impl FaultDir {
    fn name(self) -> &'static str {
        match self {
            FaultDir::Failslab => "failslab",
            FaultDir::FailPageAlloc => "fail_page_alloc",
        }
    }

    /// The files in creation order.
    fn knobs(self) -> &'static [Knob] {
        use Knob::*;
        match self {
            FaultDir::Failslab => &[
                Probability,
                Interval,
                Times,
                Space,
                Verbose,
                TaskFilter,
                IgnoreGfpWait,
                CacheFilter,
            ],
            FaultDir::FailPageAlloc => &[
                Probability,
                Interval,
                Times,
                Space,
                Verbose,
                TaskFilter,
                IgnoreGfpWait,
                IgnoreGfpHighmem,
                MinOrder,
            ],
        }
    }
}

impl Knob {
    fn name(self) -> &'static str {
        match self {
            Knob::Probability => "probability",
            Knob::Interval => "interval",
            Knob::Times => "times",
            Knob::Space => "space",
            Knob::Verbose => "verbose",
            Knob::TaskFilter => "task-filter",
            Knob::IgnoreGfpWait => "ignore-gfp-wait",
            Knob::CacheFilter => "cache-filter",
            Knob::IgnoreGfpHighmem => "ignore-gfp-highmem",
            Knob::MinOrder => "min-order",
        }
    }

    /// Written through `debugfs_create_bool` (`Y`/`N`).
    fn is_bool(self) -> bool {
        matches!(
            self,
            Knob::TaskFilter | Knob::IgnoreGfpWait | Knob::CacheFilter | Knob::IgnoreGfpHighmem
        )
    }
}

/// The inode numbers of the debugfs nodes (stable, made up).
fn ino_of(n: &DebugNode) -> u64 {
    match n {
        DebugNode::Root => 1,
        DebugNode::Dir(d) => 2 + *d as u64 * 16,
        DebugNode::File(d, k) => 3 + *d as u64 * 16 + *k as u64,
    }
}

/// `simple_strtol(s, NULL, 0)`: an optional `-`, then `simple_strtoul`.
fn simple_strtol(s: &[u8]) -> (i64, &[u8]) {
    match s.first() {
        Some(b'-') => {
            let (v, rest) = simple_strtoull(&s[1..], 0);
            ((v as i64).wrapping_neg(), rest)
        }
        _ => {
            let (v, rest) = simple_strtoull(s, 0);
            (v as i64, rest)
        }
    }
}

/// `dup_task_struct`'s task_struct and thread_info.
const TASK_STRUCT: Site = Site {
    frames: &[
        "kmem_cache_alloc",
        "copy_process",
        "do_fork",
        "sys_clone",
        "stub_clone",
    ],
    size: 5920,
    gfp: gfp::KERNEL,
};

/// `eventfd_file_create`'s context.
const EVENTFD_CTX: Site = Site {
    frames: &[
        "kmem_cache_alloc_notrace",
        "eventfd_file_create",
        "sys_eventfd2",
        "system_call_fastpath",
    ],
    size: 48,
    gfp: gfp::KERNEL,
};

/// `cgroup_write_event_control`'s `struct cgroup_event`.
const CGROUP_EVENT: Site = Site {
    frames: &[
        "kmem_cache_alloc_notrace",
        "cgroup_write_event_control",
        "cgroup_file_write",
        "vfs_write",
        "sys_write",
        "system_call_fastpath",
    ],
    size: 136,
    gfp: gfp::KERNEL,
};

impl<T: Tracer> Kernel<T> {
    /// Make `pid` the "current" task of this thread for fault injection while the returned
    /// guard lives: only when something is armed (the task filter and the stack dump read it
    /// only when a failure is possible).
    pub(crate) fn fault_current(&self, pid: Pid) -> Option<CurrentGuard> {
        if !self.fault.armed() {
            return None;
        }
        let st = self.lock_state();
        let t = st.tasks.get(&pid)?;
        Some(FaultInjection::enter(Current {
            pid,
            comm: t.comm.clone(),
            make_it_fail: t.make_it_fail != 0,
        }))
    }

    /// `dup_task_struct`'s allocation in `copy_process` (before anything of the child exists).
    pub(crate) fn fork_alloc_fails(&self) -> bool {
        self.fault.should_failslab(&TASK_STRUCT)
    }

    /// `eventfd_file_create`'s `kmalloc` of the context (after the flags check).
    pub(crate) fn eventfd_alloc_fails(&self) -> bool {
        self.fault.should_failslab(&EVENTFD_CTX)
    }

    /// `cgroup_write_event_control`'s `kzalloc` of the event (after the two numbers parsed).
    pub(crate) fn cgroup_event_alloc_fails(&self) -> bool {
        self.fault.should_failslab(&CGROUP_EVENT)
    }

    pub(crate) fn debugfs_attr(&self, n: &DebugNode) -> SysResult<Attr> {
        let (file_type, mode) = match n {
            // debugfs_create_dir: S_IRWXU | S_IRUGO | S_IXUGO.
            DebugNode::Root | DebugNode::Dir(_) => (FileType::Directory, 0o755),
            // init_fault_attr_dentries: S_IRUSR | S_IWUSR.
            DebugNode::File(..) => (FileType::Regular, 0o600),
        };
        Ok(Attr {
            file_type,
            mode,
            uid: 0,
            gid: 0,
            size: 0,
            ino: ino_of(n),
            magic: DEBUGFS_MAGIC,
            rdev: None,
            // debugfs_get_inode stamps CURRENT_TIME when the knobs are made: at boot here.
            nlink: if file_type == FileType::Directory {
                2
            } else {
                1
            },
            atime: 0,
            mtime: 0,
            ctime: 0,
        })
    }

    pub(crate) fn debugfs_lookup(&self, n: &DebugNode, name: &str) -> SysResult<Node> {
        let enoent = SysError::new(Errno::ENOENT, "no such debugfs entry");
        let found = match n {
            DebugNode::Root => [FaultDir::Failslab, FaultDir::FailPageAlloc]
                .into_iter()
                .find(|d| d.name() == name)
                .map(DebugNode::Dir),
            DebugNode::Dir(d) => d
                .knobs()
                .iter()
                .find(|k| k.name() == name)
                .map(|k| DebugNode::File(*d, *k)),
            DebugNode::File(..) => {
                return Err(SysError::new(Errno::ENOTDIR, "not a directory"));
            }
        };
        found.map(Node::Debugfs).ok_or(enoent)
    }

    pub(crate) fn debugfs_readdir(&self, n: &DebugNode) -> SysResult<Vec<DirEntry>> {
        let entry = |name: &str, file_type| DirEntry {
            name: name.to_string(),
            file_type,
        };
        let mut out: Vec<DirEntry> = match n {
            DebugNode::Root => vec![
                entry("fail_page_alloc", FileType::Directory),
                entry("failslab", FileType::Directory),
            ],
            DebugNode::Dir(d) => d
                .knobs()
                .iter()
                .map(|k| entry(k.name(), FileType::Regular))
                .collect(),
            DebugNode::File(..) => return Err(err(Errno::ENOTDIR, "not a directory")),
        };
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The open file of a debugfs node: a directory, or an attribute with its text now.
    pub(crate) fn debugfs_open(&self, n: &DebugNode) -> FileKind<T> {
        match *n {
            DebugNode::Root | DebugNode::Dir(_) => FileKind::Dir,
            DebugNode::File(d, k) => FileKind::Knob {
                file: KnobFile::Debugfs(d, k),
                text: self.knob_text(d, k).into_bytes(),
            },
        }
    }

    /// `simple_attr_read`'s `%llu`/`%lld`, `read_file_bool`'s `Y`/`N`.
    fn knob_text(&self, d: FaultDir, k: Knob) -> String {
        let (attr, extra) = match d {
            FaultDir::Failslab => {
                let f = self.fault.failslab();
                let extra = match k {
                    Knob::IgnoreGfpWait => f.ignore_gfp_wait,
                    Knob::CacheFilter => f.cache_filter,
                    _ => 0,
                };
                (f.attr, extra)
            }
            FaultDir::FailPageAlloc => {
                let f = self.fault.fail_page_alloc();
                let extra = match k {
                    Knob::IgnoreGfpWait => f.ignore_gfp_wait,
                    Knob::IgnoreGfpHighmem => f.ignore_gfp_highmem,
                    Knob::MinOrder => f.min_order,
                    _ => 0,
                };
                (f.attr, extra)
            }
        };
        let yn = |v: u32| if v != 0 { "Y\n" } else { "N\n" }.to_string();
        match k {
            Knob::Probability => format!("{}\n", attr.probability),
            Knob::Interval => format!("{}\n", attr.interval),
            Knob::Times => format!("{}\n", attr.times),
            Knob::Space => format!("{}\n", attr.space),
            Knob::Verbose => format!("{}\n", attr.verbose),
            Knob::TaskFilter => yn(attr.task_filter),
            Knob::IgnoreGfpWait | Knob::CacheFilter | Knob::IgnoreGfpHighmem => yn(extra),
            Knob::MinOrder => format!("{extra}\n"),
        }
    }

    /// A write to a debugfs attribute or to `make-it-fail`.
    pub(crate) fn knob_write(
        &self,
        st: &mut State<T>,
        writer: Pid,
        file: KnobFile,
        data: &[u8],
    ) -> SysResult<usize> {
        match file {
            KnobFile::Debugfs(d, k) => Ok(self.debugfs_write(d, k, data)),
            KnobFile::MakeItFail(target) => self.make_it_fail_write(st, writer, target, data),
            KnobFile::PidMax => self.pid_max_write(st, data),
            KnobFile::Shmmax => self.shmmax_write(st, data),
            KnobFile::InotifySysctl(f) => self.inotify_sysctl_write(st, f, data),
        }
    }

    fn debugfs_write(&self, d: FaultDir, k: Knob, data: &[u8]) -> usize {
        if k.is_bool() {
            // write_file_bool: the first byte decides; anything else leaves the value.
            let v = match data.first() {
                Some(b'y' | b'Y' | b'1') => 1,
                Some(b'n' | b'N' | b'0') => 0,
                _ => return data.len(),
            };
            let set_attr = |a: &mut cgsim_ktypes::fault::FaultAttr| a.task_filter = v;
            match (d, k) {
                (FaultDir::Failslab, Knob::TaskFilter) => {
                    self.fault.update_failslab(|f| set_attr(&mut f.attr))
                }
                (FaultDir::Failslab, Knob::IgnoreGfpWait) => {
                    self.fault.update_failslab(|f| f.ignore_gfp_wait = v)
                }
                (FaultDir::Failslab, _) => self.fault.update_failslab(|f| f.cache_filter = v),
                (FaultDir::FailPageAlloc, Knob::TaskFilter) => {
                    self.fault.update_fail_page_alloc(|f| set_attr(&mut f.attr))
                }
                (FaultDir::FailPageAlloc, Knob::IgnoreGfpWait) => {
                    self.fault.update_fail_page_alloc(|f| f.ignore_gfp_wait = v)
                }
                (FaultDir::FailPageAlloc, _) => self
                    .fault
                    .update_fail_page_alloc(|f| f.ignore_gfp_highmem = v),
            }
            return data.len();
        }
        // simple_attr_write: at most 23 bytes, simple_strtol base 0 of the C string; the set
        // functions never fail, so the whole write is claimed.
        let buf = until_nul(&data[..data.len().min(23)]);
        let (val, _) = simple_strtol(buf);
        let val = val as u64;
        let set = |a: &mut cgsim_ktypes::fault::FaultAttr| match k {
            Knob::Probability => a.probability = val,
            Knob::Interval => a.interval = val,
            // atomic_set of the u64: the low 32 bits.
            Knob::Times => a.times = val as i32,
            Knob::Space => a.space = val as i32,
            Knob::Verbose => a.verbose = val,
            _ => {}
        };
        match (d, k) {
            (FaultDir::FailPageAlloc, Knob::MinOrder) => self
                .fault
                .update_fail_page_alloc(|f| f.min_order = val as u32),
            (FaultDir::Failslab, _) => self.fault.update_failslab(|f| set(&mut f.attr)),
            (FaultDir::FailPageAlloc, _) => self.fault.update_fail_page_alloc(|f| set(&mut f.attr)),
        }
        data.len()
    }

    /// `proc_fault_inject_write`.
    fn make_it_fail_write(
        &self,
        st: &mut State<T>,
        writer: Pid,
        target: Pid,
        data: &[u8],
    ) -> SysResult<usize> {
        let cred = self.cred_of(st, writer)?;
        if !cred.euid.is_root() {
            return Err(err(Errno::EPERM, "make-it-fail needs CAP_SYS_RESOURCE"));
        }
        // PROC_NUMBUF is 13: at most 12 bytes, NUL-terminated.
        let count = data.len().min(12);
        let text = strstrip(until_nul(&data[..count]));
        let (v, rest) = simple_strtol(text);
        if !rest.is_empty() {
            return Err(err(Errno::EINVAL, "make-it-fail: not a number"));
        }
        let t = st
            .tasks
            .get_mut(&target)
            .ok_or(err(Errno::ESRCH, "process gone"))?;
        t.make_it_fail = v as i32;
        Ok(count)
    }
}
