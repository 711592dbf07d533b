//! The simulated VFS and syscall API: the boundary every front end and test uses.
//!
//! A [`Kernel`] holds processes (pid, ppid, credentials, comm, state, fd table), a small root
//! filesystem (`/sys/fs/cgroup` as tmpfs, `/proc`, `/dev/null`, `/tmp`), mounted cgroup
//! hierarchies backed by `cgsim-cgroup`, the simulated clock, the kernel log and a deterministic
//! scheduler for simulated programs. Every call returns the Linux errno on failure.
//!
//! This file is the API the shell (`crates/cli`) and the tests are written against. The bodies live in one module per kernel concept:
//!
//! | module | models | kernel files (2.6.25) |
//! |---|---|---|
//! | `namei` | path resolution | `fs/namei.c` |
//! | `perm` | `generic_permission`, the sticky rule | `fs/namei.c` |
//! | `tmpfs` | the boot `rootfs` and tmpfs mounts | `mm/shmem.c`, `fs/ramfs` |
//! | `mount` | the mount table, `mount(2)`, `umount(2)`, `/proc/mounts` | `fs/namespace.c` |
//! | `procfs` | `/proc`: `self`, `<pid>/{cgroup,status,comm}`, `cgroups`, `mounts` | `fs/proc/` |
//! | `cgroupfs` | the cgroup filesystem on top of `cgsim-cgroup` | `kernel/cgroup.c` |
//! | `eventfd` | eventfd descriptors on top of `cgsim-eventfd` | `fs/eventfd.c` |
//! | `event_control` | `cgroup.event_control`: eventfd registrations on control files | `kernel/cgroup.c` |
//! | `fs` | the file syscalls | `fs/open.c`, `fs/read_write.c` |
//! | `process`, `task` | fork/exit/wait/kill, credentials, fd tables | `kernel/fork.c`, `exit.c`, `signal.c` |
//! | `sched` | the deterministic scheduler for [`Program`]s | `kernel/sched.c` (stand-in) |
//! | `file`, `state` | open file descriptions, the state behind the lock | `include/linux/fs.h` |
//! | `mem` | the memory syscalls on top of `cgsim-memcg`: mmap, faults, mlock, SysV shm, OOM kills and waits | `mm/memory.c`, `mm/mmap.c`, `ipc/shm.c` |
//! | `meminfo` | `/proc/meminfo`, the `Vm*` lines of `/proc/<pid>/status`, `/proc/<pid>/oom_score_adj` | `fs/proc/meminfo.c`, `fs/proc/task_mmu.c`, `fs/proc/base.c` |
//!
//! # What users see
//!
//! * At boot: init (pid 1, root, `comm` `init`) with fds 0–2 on the console; `/dev/null`,
//!   `/dev/console`, `/proc`, `/sys/fs/cgroup` (a tmpfs where `mkdir` works), `/tmp` (1777),
//!   `/root`; the kernel log starts with `linux_banner` (`Linux version 2.6.35 ...`, see
//!   `preset.rs`) and says `Initializing cgroup subsys <name>` per subsystem.
//! * Writes to the console are collected, tagged stdout or stderr by the open file they went
//!   through, and handed to the front end by [`Kernel::console_drain`]; console reads are at EOF.
//! * `mount -t cgroup` goes to the core's `cgroup_get_sb`; control files have the core's modes and
//!   owners and are checked against the caller's effective ids (root bypasses); `tasks` is a
//!   snapshot taken at open; one `write(2)` is one handler call; a removed cgroup's open files
//!   report ENODEV (`kernel/cgroup.c` `cgroup_file_read`, `cgroup_file_write`, v2.6.34).
//! * When the kernel would run the release agent, nothing runs: the call is logged as
//!   `cgroup: release_agent: exec <argv> (<envp>)` and kept in [`Kernel::release_agent_log`].
//! * `/proc/cgroups`, `/proc/<pid>/cgroup`, `/proc/self`, `/proc/mounts` use the kernel's formats
//!   (`kernel/cgroup.c` `proc_cgroup_show`, `proc_cgroupstats_show`, `cgroup_show_options`, v2.6.34).
//! * Memory (`crates/memcg`, subsystem 5): every task has an mm; [`Kernel::mmap_anon`],
//!   [`Kernel::mmap_shared_zero`], [`Kernel::touch`], [`Kernel::mlock`], [`Kernel::munmap`] and
//!   the SysV shm calls charge and uncharge the task's memory cgroup; reading or writing a tmpfs
//!   file puts its pages in the page cache (charged as cache); fork copies the mappings, exit
//!   and exec free them. An OOM victim gets SIGKILL and runs the exit path (the kernel log has
//!   the OOM killer's lines); with `oom_kill_disable` a faulting task sleeps in state D until
//!   `memcg_oom_recover` wakes it. `/proc/meminfo`, the `Vm*` lines of `/proc/<pid>/status` and
//!   `/proc/<pid>/oom_score_adj` (read-write) show it; [`Kernel::ps`] has each task's rss, swap
//!   and memory cgroup. See `mem.rs` for what is simplified.
//! * CPUs ([`BootParams::nr_cpus`], `--cpus`): every task runs on one ([`Kernel::task_cpu`]);
//!   a child starts on its parent's, [`Kernel::sched_setaffinity`] (`taskset`) moves it. All a
//!   task does in the kernel runs on its CPU: its faults charge through that CPU's stock, and
//!   the structural operations it performs (control-file writes, `tasks` writes, `mkdir`,
//!   `rmdir`, `mount`) give that CPU to the subsystem callbacks ([`SubsysCtx::cpu`](cgroup::SubsysCtx::cpu),
//!   `smp_processor_id()`), so a limit write's reclaim, `force_empty`, the
//!   `move_charge_at_immigrate` precharge and `mem_cgroup_create`/`destroy` use its stock and
//!   pagevec; the function-graph trace prints it in the CPU column. Only boot runs on the boot
//!   CPU.
//!
//! # Registering your own subsystem
//!
//! Register it with [`BootParams::with_subsystem`]: it comes after the built-in table (whose
//! memory controller stays the real one), gets the next subsystem id and can be mounted by name,
//! alone or beside `memory` (`crates/cgroupfs/examples/own_subsystem.rs` shows both):
//!
//! ```
//! use cgsim_cgroupfs::prelude::*;
//! use std::{any::Any, sync::Arc};
//!
//! struct Hello;
//!
//! impl CgroupSubsys<Ftrace> for Hello {
//!     fn name(&self) -> &'static str {
//!         "hello"
//!     }
//!     fn create(&self, _: &SubsysCtx<'_, Ftrace>, _: &CssRef) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
//!         Ok(Arc::new(()))
//!     }
//!     fn destroy(&self, _: &SubsysCtx<'_, Ftrace>, _: &CssRef) {}
//! }
//!
//! let k = Kernel::boot(BootParams::default().with_subsystem(Hello));
//! let top = Mount::cgroup("/sys/fs/cgroup/hello")
//!     .subsystem("memory")
//!     .subsystem("hello")
//!     .create_target()
//!     .mount(&k, INIT_PID)
//!     .unwrap();
//! assert!(top.files().unwrap().contains(&"memory.usage_in_bytes".to_string()));
//! // One hierarchy with both, listed as the kernel lists its `subsys_list` (descending id).
//! let own = k.read_file(INIT_PID, "/proc/self/cgroup").unwrap();
//! assert_eq!(String::from_utf8(own).unwrap(), "1:hello,memory:/\n");
//! ```
//!
//! [`BootParams::subsystems`] replaces the whole table instead (then `memory` is the core's
//! placeholder and every page is charged to the root memcg).
//!
//! # Differences (deliberate simplifications)
//!
//! One thread per process; no process groups, sessions, `exec`, stopped state (SIGSTOP and
//! SIGCONT are accepted and do nothing), core dumps, links or timestamps; working directories are
//! kept by name; a blocking read that would sleep returns EAGAIN and a [`Program`] waits with
//! [`Step::WaitReadable`]; direct children of init stay zombies until someone calls
//! [`Kernel::waitpid`] (orphans reparented to init are reaped at once); `chmod`/`chown` on cgroup
//! inodes are refused with EPERM until the core offers `setattr`.
//!
//! # Locking
//!
//! The whole VFS and the process table sit behind one mutex (`Kernel::state`, standing in for
//! `dcache_lock`, `vfsmount_lock`, `tasklist_lock` and `files_lock`). Lock order:
//! `Kernel::state` -> the core's `cgroup_mutex` (and what it nests) -> an eventfd's `wqh.lock`
//! -> `Klog` (a leaf). `Kernel::programs` (the parked [`Program`]s) is only ever taken alone or
//! after `Kernel::state`. The core and the eventfd crate never call back into this crate, so the
//! order cannot invert. Programs are stepped, and signal handlers run, with no lock held; eventfd
//! files are dropped (their `POLLHUP` wake-up run) after `Kernel::state` is released.
//! `Kernel<T>` is `Send + Sync`; syscalls from several threads serialize on `Kernel::state`.
//!
//! # Determinism
//!
//! No wall clock, no hash maps in anything observable: pids are allocated in order, directory
//! listings are sorted, the scheduler steps programs in pid order (see `sched`).

#![forbid(unsafe_code)]

mod blockdev;
mod cgroupfs;
mod cn_proc;
mod cpus;
pub mod cputime;
mod device_cgroup;
mod etc;
mod event_control;
mod eventfd;
mod facade;
mod fair;
mod fault_inject;
mod fault_sleep;
mod file;
mod file_notify;
mod fs;
pub mod fsnotify;
mod hostfs;
pub mod inotify;
mod inotify_sysctl;
mod mem;
mod meminfo;
mod memory;
mod mount;
mod namei;
mod oom_proc;
mod perm;
mod pipe;
pub mod prelude;
mod preset;
mod process;
mod procfs;
pub mod psi;
mod runq;
mod sched;
mod state;
mod swap;
mod sysctl;
mod sysfs_cgroup;
mod task;
mod thread;
pub mod threaded;
mod tmpfs;
mod tty;

use cgsim_cgroup as cg;
use cgsim_ktypes::klog::{Clock, Klog, Level};
use cgsim_ktypes::trace::Ftrace;
use cgsim_ktypes::{Bytes, Cred, Pid, SysResult, Tracer};
pub use cgsim_memcg::{MachineConfig, MemcgProfile};
pub use cn_proc::ProcEvent;
use parking_lot::{Mutex, MutexGuard};

/// `Kernel::state` held, with its lockdep record (`cgsim_ktypes::lockdep`, debug builds).
pub(crate) type StateGuard<'a, T> = cgsim_ktypes::lockdep::Tracked<MutexGuard<'a, state::State<T>>>;
pub use preset::{KernelVersion, NODENAME, UnknownKernel, UtsName};
use std::collections::BTreeMap;
use std::sync::Arc;
pub use sysctl::PID_MAX_LIMIT;

// The crates underneath, so that a user of the simulator needs this one dependency (see
// `prelude` and README's "As a library").
pub use cgsim_cgroup as cgroup;
pub use cgsim_counters as counters;
pub use cgsim_eventfd as eventfd_core;
pub use cgsim_ktypes as ktypes;
pub use cgsim_memcg as memcg;
/// proptest-state-machine over the memcg reference model (feature `proptest`), with the
/// `proptest` and `proptest_state_machine` crates themselves.
#[cfg(feature = "proptest")]
pub use cgsim_memcg::model::state_machine::{self, proptest, proptest_state_machine};

pub use crate::cgroupfs::CGROUP_SUPER_MAGIC;
pub use crate::event_control::CgroupEventInfo;
pub use crate::facade::{
    Cgroup, MemoryController, MemoryStat, MemoryStatCounts, Mount, OomControl,
};
pub use crate::hostfs::{HOST_MAX_FILE, HostBind};
pub use crate::mem::{IPC_CREAT, IPC_EXCL, IPC_PRIVATE, MmapFlags};
pub use crate::meminfo::MemInfo;
pub use crate::mount::{mangle, mnt, ms};
pub use crate::namei::{NAME_MAX, PATH_MAX};
pub use crate::perm::S_ISVTX;
pub use crate::process::{DefaultAction, TASK_COMM_LEN, default_action};
pub use crate::procfs::PROC_SUPER_MAGIC;
pub use crate::sched::MAX_ROUNDS;
pub use crate::task::{INIT_PID, RLIMIT_NOFILE};
pub use crate::tmpfs::{Device, RAMFS_MAGIC, TMPFS_MAGIC};

pub use crate::memory::{CounterBackend, Memory};
pub use cgsim_eventfd::{EFD_CLOEXEC, EFD_NONBLOCK, EFD_SEMAPHORE};

/// A file descriptor number.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fd(pub i32);

/// `open(2)` flags (the subset the simulator models).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct OpenFlags {
    pub read: bool,
    pub write: bool,
    pub create: bool,
    pub truncate: bool,
    pub append: bool,
    pub excl: bool,
    pub nonblock: bool,
    pub directory: bool,
    pub cloexec: bool,
}

impl OpenFlags {
    pub const RDONLY: OpenFlags = OpenFlags {
        read: true,
        write: false,
        create: false,
        truncate: false,
        append: false,
        excl: false,
        nonblock: false,
        directory: false,
        cloexec: false,
    };
    pub const WRONLY: OpenFlags = OpenFlags {
        read: false,
        write: true,
        ..OpenFlags::RDONLY
    };
    pub const RDWR: OpenFlags = OpenFlags {
        read: true,
        write: true,
        ..OpenFlags::RDONLY
    };
    /// What the shell's `>` opens: `O_WRONLY|O_CREAT|O_TRUNC`.
    pub const REDIRECT_TRUNC: OpenFlags = OpenFlags {
        read: false,
        write: true,
        create: true,
        truncate: true,
        ..OpenFlags::RDONLY
    };
    /// What the shell's `>>` opens: `O_WRONLY|O_CREAT|O_APPEND`.
    pub const REDIRECT_APPEND: OpenFlags = OpenFlags {
        read: false,
        write: true,
        create: true,
        append: true,
        ..OpenFlags::RDONLY
    };
}

/// What kind of inode a path names.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FileType {
    Directory,
    Regular,
    CharDevice,
    /// A block device node (`/dev/sda` on the 6.6 preset).
    BlockDevice,
    Symlink,
    /// An anonymous inode such as `[eventfd]`.
    Anon,
}

/// `struct stat`, the fields the shell shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stat {
    pub file_type: FileType,
    /// Permission bits (`0o644`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    pub ino: u64,
    /// `statfs` f_type of the filesystem the inode lives on (`CGROUP_SUPER_MAGIC` = 0x27e0eb).
    pub fs_magic: u64,
    /// `st_rdev` of a device node as `(major, minor)`: `/dev/null` (1, 3), `/dev/zero` (1, 5).
    pub rdev: Option<(u32, u32)>,
    /// `st_nlink`: 2 plus the subdirectories for a directory, 1 for a file.
    pub nlink: u32,
    /// `st_atime`, `st_mtime`, `st_ctime` in nanoseconds since boot on the simulated clock
    /// (`Kernel::clock`); a tool adds the boot time to show a date.
    pub atime: u64,
    pub mtime: u64,
    pub ctime: u64,
}

/// One `readdir` entry (without `.` and `..`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub file_type: FileType,
}

/// `access(2)` mode bits.
pub const F_OK: u32 = 0;
pub const X_OK: u32 = 1;
pub const W_OK: u32 = 2;
pub const R_OK: u32 = 4;

/// A signal number (x86 numbering).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Signal(pub i32);

impl Signal {
    pub const SIGHUP: Signal = Signal(1);
    pub const SIGINT: Signal = Signal(2);
    pub const SIGQUIT: Signal = Signal(3);
    pub const SIGKILL: Signal = Signal(9);
    pub const SIGUSR1: Signal = Signal(10);
    pub const SIGUSR2: Signal = Signal(12);
    pub const SIGTERM: Signal = Signal(15);
    pub const SIGCHLD: Signal = Signal(17);
    pub const SIGCONT: Signal = Signal(18);
    pub const SIGSTOP: Signal = Signal(19);
}

/// How a process ended, as `waitpid` reports it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum WaitStatus {
    Exited(i32),
    Signaled(Signal),
}

/// Scheduler-visible process state (the `STAT` column of `ps`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ProcState {
    /// R: runnable.
    Running,
    /// S: sleeping (timer or waiting for an fd).
    Sleeping,
    /// D: uninterruptible wait: the task sleeps on a memcg OOM wait queue (`oom_kill_disable`).
    Uninterruptible,
    /// Z: exited, not yet reaped.
    Zombie,
}

/// One row of `ps`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcInfo {
    pub pid: Pid,
    pub ppid: Pid,
    pub cred: Cred,
    pub comm: String,
    /// The argv of the last exec (`/proc/<pid>/cmdline`); empty for a zombie, whose mm is gone.
    pub cmdline: Vec<String>,
    pub state: ProcState,
    /// Resident pages (`get_mm_rss`: anonymous + file/shmem) in bytes; 0 for a task without mm.
    pub rss: u64,
    /// Swap entries of the task's mm (`MM_SWAPENTS`) in bytes.
    pub swap: u64,
    /// The mm's mapped size (`total_vm`, `VmSize`) in bytes.
    pub vsz: u64,
    /// The task's cgroup path in the hierarchy `memory` is bound to (`None` when that subsystem
    /// is not mounted: every task is then charged to the root memcg).
    pub memory_cgroup: Option<String>,
}

/// Which console stream a chunk of output was written to.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConsoleStream {
    Stdout,
    Stderr,
}

/// What a simulated program asks the scheduler for after one step.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Run me again in this scheduling round (I did some work and want more).
    Yield,
    /// Sleep until the simulated clock reaches this many nanoseconds since boot.
    SleepUntil(u64),
    /// Sleep until this fd becomes readable (a blocking `read` would not block).
    WaitReadable(Fd),
    /// Sleep until this fd becomes writable (a pipe with room, or with no reader left).
    WaitWritable(Fd),
    /// Sleep in `poll(fd, POLLPRI)` until [`Kernel::poll`] would report `POLLPRI` for it (a
    /// PSI trigger fired, a cgroup file was modified).
    WaitPri(Fd),
    /// Exit with this status (`exit(code)`).
    Exit(i32),
    /// Sleep until [`Program::ready`] says so (asked every round): a threaded task waiting on
    /// something that is not its own fd (`crate::threaded`).
    Poll,
}

/// A simulated user-space program: a state machine the deterministic scheduler steps.
///
/// A blocking syscall in a program is written as: try the call; if it fails with `EAGAIN`
/// because the fd is empty, return `Step::WaitReadable(fd)` and retry on the next step.
/// A page fault that must wait for the memcg OOM killer fails with `EINTR` and leaves the task
/// in state D: return `Step::Yield` (the scheduler keeps the task asleep whatever the step
/// says, except `Exit`) and retry the access when the program runs again.
pub trait Program<T: Tracer = Ftrace>: Send {
    /// Run until the program would block, sleep or exit.
    fn step(&mut self, k: &Kernel<T>, pid: Pid) -> Step;

    /// A signal with a handler installed by the program (`SIGUSR1` for `memcg_process`).
    /// Return `true` if handled; `false` applies the default action (terminate).
    fn signal(&mut self, _k: &Kernel<T>, _pid: Pid, _sig: Signal) -> bool {
        false
    }

    /// Whether the program has a handler installed for `sig` now (`sigaction` other than
    /// `SIG_DFL`), as [`Program::signal`] would return `true` for it. The kernel asks this
    /// without running the handler: a signal whose default action kills and that has no
    /// handler is fatal at once (`kernel/signal.c` `complete_signal`, `sig_fatal`), which ends
    /// a `TASK_KILLABLE` sleep such as the memcg OOM wait.
    fn catches(&self, _sig: Signal) -> bool {
        false
    }

    /// After [`Step::Poll`]: whether the program can run now (asked with no lock held).
    fn ready(&mut self, _k: &Kernel<T>, _pid: Pid) -> bool {
        true
    }
}

/// One release-agent execution the kernel would have started: the core's record (one type for
/// the core and the Kernel), also logged in the kernel log with its time. Nothing is ever
/// executed on the host.
pub use cgsim_cgroup::ReleaseAgentCall;

/// Boot-time parameters.
///
/// `Default` is Linux 2.6.35 ([`BootParams::for_kernel`]); [`BootParams::kernel`] picks another
/// preset by version string, and [`BootParams::set`] changes one switch (the machine then
/// reports a `-modified` release).
///
/// Not `Clone`: user subsystems are boxed trait objects that move into the kernel at boot.
pub struct BootParams<T: Tracer = Ftrace> {
    /// The kernel version whose preset the switches started from (`uname -r`, `/proc/version`).
    pub kernel: KernelVersion,
    /// `nr_cpu_ids`.
    pub nr_cpus: u32,
    /// The `subsys[]` table (index = subsystem id). `None` boots the SEED table
    /// (`cg::default_subsystems`). Put a user-written `CgroupSubsys` here to register
    /// it. Taken (left `None`) at boot.
    pub subsystems: Option<Vec<Box<dyn cg::CgroupSubsys<T>>>>,
    /// Subsystems registered after the table (built-in or [`subsystems`](Self::subsystems)),
    /// with the next ids: the memory controller stays the real one. See
    /// [`with_subsystem`](Self::with_subsystem).
    pub extra_subsystems: Vec<Box<dyn cg::CgroupSubsys<T>>>,
    /// The `core.*` switches.
    pub core_profile: cg::CoreProfile,
    /// The `eventfd.*` switches: semaphore mode (2.6.30+) and `POLLHUP` on close (2.6.31+).
    pub eventfd: cgsim_eventfd::EventfdProfile,
    /// `event_control.same_cgroup_check`: 3.10+ `cgroup_write_event_control` refuses a control
    /// file of another cgroup (EINVAL); 2.6.34–3.9 register the event on the written cgroup.
    pub event_control_same_cgroup_check: bool,
    /// RAM of the simulated machine (default 1 GiB).
    pub ram: Bytes,
    /// Swap of the simulated machine (default 256 MiB; 0 = none).
    pub swap: Bytes,
    /// The `memcg.*` and `thresholds.*` switches.
    pub memcg: MemcgProfile,
    /// What the kernel version decides about its res_counters: the "unlimited" value, whether
    /// `-1` means unlimited (2.6.31+), rounding (`kernel/res_counter.c`).
    pub res_counter: cgsim_counters::ResCounterProfile,
    /// `Some`: the memory controller counts with page_counter and this profile (3.19+,
    /// `mm/page_counter.c`), and `res_counter` is unused; `None`: it counts with res_counter
    /// (2.6.25–3.18). `--set counter=res_counter|page_counter` switches it.
    pub page_counter: Option<cgsim_counters::PageCounterProfile>,
    /// The seed of fault injection's `random32()` (`failslab`, `fail_page_alloc`): the same
    /// seed and the same operations fail the same allocations (0 picks a fixed default).
    pub fault_seed: u64,
    /// `pid_max` at boot (`kernel/pid.c`; default `PID_MAX_DEFAULT`, 32768), as if written to
    /// `/proc/sys/kernel/pid_max` by an init script; that file changes it later. Clamped to
    /// the sysctl's range, `pid_max_min` (301) ..= `PID_MAX_LIMIT` (4194304 on 64-bit).
    pub pid_max: i32,
}

impl<T: Tracer> Default for BootParams<T> {
    /// Linux 2.6.35.
    fn default() -> BootParams<T> {
        BootParams::for_kernel(KernelVersion::V2_6_35)
    }
}

impl<T: Tracer> BootParams<T> {
    /// The machine (CPUs, RAM, swap) with library-default switches, for the presets to fill.
    fn base() -> BootParams<T> {
        BootParams {
            kernel: KernelVersion::V2_6_35,
            nr_cpus: 2,
            subsystems: None,
            extra_subsystems: Vec::new(),
            core_profile: cg::CoreProfile::default(),
            eventfd: cgsim_eventfd::EventfdProfile::SEED,
            event_control_same_cgroup_check: false,
            ram: MachineConfig::default().ram,
            swap: MachineConfig::default().swap,
            memcg: MemcgProfile::default(),
            res_counter: cgsim_counters::ResCounterProfile::V2_6_34,
            page_counter: None,
            fault_seed: 0,
            pid_max: task::PID_MAX,
        }
    }
}

impl<T: Tracer> BootParams<T> {
    /// Register `subsys` after the built-in subsystems (cpuset 0 ... memory 5 for SEED), as a
    /// kernel built with one more `SUBSYS()` line in `include/linux/cgroup_subsys.h` would: it
    /// gets the next id, `Initializing cgroup subsys <name>` at boot, a `/proc/cgroups` line,
    /// and can be mounted by name beside the others (`-o memory,<name>`).
    pub fn with_subsystem(mut self, subsys: impl cg::CgroupSubsys<T>) -> BootParams<T> {
        self.extra_subsystems.push(Box::new(subsys));
        self
    }
}

impl<T: Tracer> std::fmt::Debug for BootParams<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BootParams")
            .field("kernel", &self.kernel)
            .field("nr_cpus", &self.nr_cpus)
            .field(
                "subsystems",
                &self
                    .subsystems
                    .as_ref()
                    .map(|v| v.iter().map(|s| s.name()).collect::<Vec<_>>()),
            )
            .field(
                "extra_subsystems",
                &self
                    .extra_subsystems
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>(),
            )
            .field("core_profile", &self.core_profile)
            .field("eventfd", &self.eventfd)
            .field(
                "event_control_same_cgroup_check",
                &self.event_control_same_cgroup_check,
            )
            .field("ram", &self.ram)
            .field("swap", &self.swap)
            .field("memcg", &self.memcg)
            .field("res_counter", &self.res_counter)
            .field("page_counter", &self.page_counter)
            .field("fault_seed", &self.fault_seed)
            .field("pid_max", &self.pid_max)
            .finish()
    }
}

/// The simulated kernel. Shared between threads (`Arc<Kernel>` is `Send + Sync`).
pub struct Kernel<T: Tracer = Ftrace> {
    tracer: Arc<T>,
    clock: Arc<Clock>,
    klog: Arc<Klog>,
    params: BootParams<T>,
    /// The memory side (`crates/memcg`): every task's mm, pages, page cache, swap, memcgs,
    /// counted with the preset's counter backend.
    mem: Memory<T>,
    /// The cgroup core (`kernel/cgroup.c`).
    cgroups: cg::CgroupCore<T>,
    /// The VFS and the process table (see the crate docs for the lock order).
    state: Mutex<state::State<T>>,
    /// Programs of processes that have one, parked between steps.
    programs: Mutex<BTreeMap<Pid, Box<dyn Program<T>>>>,
    /// The program the scheduler is stepping now (its pipe writes may sleep).
    stepping: Mutex<Option<Pid>>,
    /// Processes without a program of their own that a threaded task's thread runs and that
    /// wait there for a child with a deadline (`timeout` in a further child of a pipeline
    /// stage): process -> the threaded task to wake when it gets SIGCHLD (`crate::threaded`).
    sigchld_proxy: Mutex<BTreeMap<Pid, Pid>>,
    /// `cgroup.event_control` registrations.
    evc: event_control::EventControlState,
    /// The 2.6.36+ "`oom_adj is deprecated`" warning was printed (`pr_warn_once`).
    oom_adj_warned: std::sync::atomic::AtomicBool,
    /// `failslab` and `fail_page_alloc`, shared with the core and the memory side.
    fault: Arc<cgsim_ktypes::FaultInjection>,
    /// Pressure stall information (`psi.rs`): the groups, their triggers, the stalled tasks.
    psi: psi::Psi,
    /// `cgroup_file_notify`'s per-file rate limit (`file_notify.rs`).
    file_notify: Mutex<file_notify::FileNotifyTable>,
    /// The v1 freezer's frozen tasks (`kernel/cgroup_freezer.c`), which the scheduler skips.
    frozen: Arc<cg::subsys::cgroup_freezer::FrozenTasks>,
    /// The pids controller's charges and first refusals to log (`kernel/cgroup/pids.c`, 4.3+).
    pids: Arc<cg::subsys::pids::PidsShared>,
    /// Simulated CPU time (`cputime.rs`): the CPUs' queues and every task's and cgroup's times.
    cputime: cputime::CpuTime,
}

impl Kernel<Ftrace> {
    /// Boot with the recording tracer (off until switched on).
    pub fn boot(params: BootParams) -> Arc<Kernel<Ftrace>> {
        let symbols = params.kernel.trace_symbols();
        Kernel::boot_with_tracer(params, Ftrace::with_symbols(symbols))
    }
}

impl<T: Tracer> Kernel<T> {
    /// Boot: `init` is pid 1 (root, in `init_css_set`, with an empty mm), the root filesystem
    /// exists, and the memory controller is subsystem 5 (unless `params.subsystems` replaces
    /// the table: the machine still runs, charging everything to the root memcg).
    pub fn boot_with_tracer(mut params: BootParams<T>, tracer: T) -> Arc<Kernel<T>> {
        let tracer = Arc::new(tracer);
        let params_nr_cpus = params.nr_cpus.max(1) as usize;
        let clock = Arc::new(Clock::default());
        let klog = Arc::new(Klog::default());
        let mem = Memory::<T>::new(
            params.memcg.clone(),
            params.counter_backend(),
            MachineConfig {
                ram: params.ram,
                swap: params.swap,
                nr_cpus: params.nr_cpus.max(1) as usize,
            },
            Arc::clone(&tracer),
            Arc::clone(&klog),
            Arc::clone(&clock),
        );
        let frozen = Arc::new(cg::subsys::cgroup_freezer::FrozenTasks::default());
        let pids = Arc::new(cg::subsys::pids::PidsShared::default());
        let mut subsystems = params.subsystems.take().unwrap_or_else(|| {
            let mut v = mem.subsystems();
            // cpuset's file set follows the version (2.6.25 lacks two 2.6.26 files).
            // Its top cpuset has the machine's CPUs (`--cpus`).
            let mut cpuset =
                cg::subsys::cpuset::Cpuset::for_version(params.kernel.version_triple());
            cpuset.nr_cpus = params.nr_cpus.max(1);
            v[cg::subsys_ids::CPUSET] = Box::new(cpuset);
            // cpuacct's files follow the version too (usage_percpu 2.6.29, stat 2.6.30).
            v[cg::subsys_ids::CPUACCT] = Box::new(cg::subsys::cpuacct::Cpuacct::for_version(
                params.kernel.version_triple(),
                params.nr_cpus.max(1),
            ));
            // cpu's v1 files follow the version (CFS bandwidth 3.2+); its period timers run
            // on the simulated clock.
            v[cg::subsys_ids::CPU] = Box::new(cg::subsys::cpu::CpuCgroup::for_version(
                params.kernel.version_triple(),
                Arc::clone(&clock),
            ));
            // The preset's controllers after mem_cgroup (devices, freezer, net_cls, blkio).
            v.extend(cg::subsys::v1_controllers(
                params.kernel.version_triple(),
                Arc::clone(&frozen),
                params.core_profile.devices,
            ));
            // The pids controller (4.3+, `kernel/cgroup/pids.c`).
            if params.kernel.version_triple() >= (4, 3, 0) {
                v.push(Box::new(cg::subsys::pids::Pids::new(Arc::clone(&pids))));
            }
            // The ids are the preset's `cgroup_subsys.h` order; what its kernel lacks goes.
            preset::order_subsystems(&mut v, params.kernel.cgroup_subsys());
            v
        });
        subsystems.append(&mut params.extra_subsystems);
        // cgroup_init_early handles early_init subsystems, cgroup_init the rest; each one prints
        // "Initializing cgroup subsys <name>" (KERN_INFO) as cgroup_init_subsys does up to 3.19
        // (`printk(KERN_INFO ...)`, kernel/cgroup.c v3.19.8). 4.19 and 6.6 say it with
        // `pr_debug` (kernel/cgroup/cgroup.c `cgroup_init_subsys`), which a kernel without
        // DEBUG or an enabled dynamic-debug site does not log, so their boot log has no such line.
        let init_subsys_logged = params.kernel.version_triple() < (4, 19, 0);
        let boot_lines: Vec<String> = subsystems
            .iter()
            .filter(|s| s.early_init())
            .chain(subsystems.iter().filter(|s| !s.early_init()))
            .filter(|_| init_subsys_logged)
            .map(|s| format!("Initializing cgroup subsys {}", s.name()))
            .collect();
        let cgroups = cg::CgroupCore::new(
            Arc::clone(&tracer),
            params.core_profile.clone(),
            subsystems,
            task::INIT_PID,
            Cred::ROOT,
        );
        let fault = Arc::new(cgsim_ktypes::FaultInjection::new(params.fault_seed));
        fault.set_log(
            Arc::clone(&klog),
            Arc::clone(&clock),
            &params.memcg.uts_release,
        );
        cgroups.set_fault_injection(Arc::clone(&fault));
        mem.set_fault_injection(Arc::clone(&fault));
        mem.add_task(task::INIT_PID, "init", cgsim_memcg::MemcgId::ROOT)
            .and_then(|()| mem.exec_mm(task::INIT_PID, "init", cgsim_ktypes::CpuId::BOOT))
            .unwrap_or_else(|e| panic!("cannot give init an mm: {e:?}"));
        let pid_max = sysctl::clamp_pid_max(params.pid_max);
        let k = Kernel {
            tracer,
            clock,
            klog,
            params,
            mem,
            cgroups,
            state: Mutex::new(state::State {
                pid_max,
                ..state::State::boot()
            }),
            programs: Mutex::new(BTreeMap::new()),
            stepping: Mutex::new(None),
            sigchld_proxy: Mutex::new(BTreeMap::new()),
            evc: Default::default(),
            oom_adj_warned: Default::default(),
            fault,
            psi: psi::Psi::new(params_nr_cpus),
            file_notify: Mutex::new(Default::default()),
            frozen,
            pids,
            cputime: cputime::CpuTime::new(params_nr_cpus),
        };
        // start_kernel's first line: `printk(KERN_NOTICE "%s", linux_banner)`.
        let banner = k.params.linux_banner();
        k.klog
            .printk(&k.clock, Level::Notice, banner.trim_end_matches('\n'));
        for line in boot_lines {
            k.klog.printk(&k.clock, Level::Info, line);
        }
        let k = Arc::new(k);
        k.mem.set_oom_namer(Arc::new(oom_proc::CoreOomNamer {
            kernel: Arc::downgrade(&k),
        }));
        k.cgroups
            .set_event_control(Arc::new(event_control::VfsEventControl {
                kernel: Arc::downgrade(&k),
            }));
        // The v1 freezer's freeze request cannot wake a task asleep on a memcg OOM wait queue
        // (TASK_KILLABLE): it stays FREEZING until woken (kernel/cgroup_freezer.c).
        let weak = Arc::downgrade(&k);
        k.frozen.set_blocked_probe(Box::new(move |pid| {
            // Lock order: [Kernel::state ->] [cgroup_mutex ->] memcg world.
            weak.upgrade()
                .is_some_and(|k| k.mem.oom_waiting(pid).is_some())
        }));
        k.psi_boot();
        etc::cache_at_boot(&k);
        etc::rhel6_at_boot(&k);
        sysfs_cgroup::at_boot(&k);
        blockdev::at_boot(&k);
        k
    }

    pub fn tracer(&self) -> &T {
        &self.tracer
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The kernel log (`dmesg`).
    pub fn klog(&self) -> &Klog {
        &self.klog
    }

    pub fn params(&self) -> &BootParams<T> {
        &self.params
    }

    /// The memory controller's machine, for snapshots (the cli's diagrams) and inspection.
    pub fn memory(&self) -> &Memory<T> {
        &self.mem
    }

    /// Fault injection: the `failslab` and `fail_page_alloc` attributes debugfs shows, and
    /// [`FaultInjection::fail_nth`](cgsim_ktypes::FaultInjection::fail_nth) for sweeps. See
    /// `docs/fault-injection.md`.
    pub fn fault_injection(&self) -> &Arc<cgsim_ktypes::FaultInjection> {
        &self.fault
    }

    /// The cgroup core, for snapshots (the cli's diagrams) and direct inspection.
    pub fn cgroups(&self) -> &cg::CgroupCore<T> {
        &self.cgroups
    }

    /// Every release-agent execution so far, in order (each also logged in [`Kernel::klog`]).
    pub fn release_agent_log(&self) -> Vec<ReleaseAgentCall> {
        self.lock_state().release_log.clone()
    }

    /// Check the VFS and process-table invariants (`tmpfs.rs`, `task.rs`), the core's, and that
    /// both agree on the set of processes (zombies included); panics on a simulator bug.
    /// Property tests call it after every step.
    pub fn check_invariants(&self) {
        // Lock order: Kernel::state -> cgroup_mutex.
        let st = self.lock_state();
        st.check_invariants();
        if let Err(e) = self.cgroups.check_invariants() {
            panic!("cgroup core invariant broken: {e}");
        }
        let vfs: Vec<Pid> = st.tasks.keys().copied().collect();
        assert_eq!(
            vfs,
            self.cgroups.tasks(),
            "VFS and core disagree on the tasks"
        );
        // The children indexes are each process's parent link, and its zombies (a thread is
        // no one's child; a leader whose threads live on is not reapable yet).
        let children: std::collections::BTreeSet<(Pid, Pid)> = st
            .tasks
            .values()
            .filter(|t| t.pid != task::INIT_PID && t.tgid == t.pid)
            .map(|t| (t.ppid, t.pid))
            .collect();
        assert_eq!(st.children, children, "children index disagrees with ppid");
        let zombies: std::collections::BTreeSet<(Pid, Pid)> = st
            .tasks
            .values()
            .filter(|t| t.pid != task::INIT_PID && t.is_zombie() && t.threads.is_empty())
            .map(|t| (t.ppid, t.pid))
            .collect();
        assert_eq!(
            st.zombie_children, zombies,
            "zombie index disagrees with the tasks"
        );
        // Lock order: Kernel::state -> memcg world.
        self.mem.check_invariants();
        for t in st.tasks.values() {
            let waiting = self.mem.oom_waiting(t.pid).is_some();
            assert_eq!(
                waiting,
                t.sched == task::Sched::OomWait,
                "task {} OOM-wait state disagrees with the memcg",
                t.pid
            );
        }
    }

    /// Take `Kernel::state`, the outermost lock (lock order checked in debug builds).
    #[track_caller]
    pub(crate) fn lock_state(&self) -> StateGuard<'_, T> {
        cgsim_ktypes::lockdep::Tracked::new(cgsim_ktypes::lockdep::LockClass::KernelState, || {
            self.state.lock()
        })
    }

    /// Release `Kernel::state`: log pending release-agent calls first, drop eventfd files whose
    /// last reference went away only after the lock is gone, then run the `cgroup.event_control`
    /// removals their hang-up scheduled.
    fn unlock(&self, mut st: StateGuard<'_, T>) {
        self.drain_release_agent(&mut st);
        let deferred = std::mem::take(&mut st.deferred_drops);
        let sigchld = std::mem::take(&mut st.pending_sigchld);
        drop(st);
        // Last eventfd references: their POLLHUP wake-ups record event removals, run next.
        drop(deferred);
        self.event_process_hangups();
        self.mem_events();
        // cgroup.kill (6.6): SIGKILL to the processes the core listed.
        for pid in self.cgroups.drain_cgroup_kill() {
            self.deliver(pid, Signal::SIGKILL);
        }
        // exit_notify's SIGCHLD: ignored unless the parent is a program with a handler (stress).
        for parent in sigchld {
            self.deliver(parent, Signal::SIGCHLD);
        }
    }

    // ---- processes -------------------------------------------------------------------------

    /// `fork()`: a copy of `parent` (credentials, cwd, fd table, cgroups) with a new pid.
    pub fn fork(&self, parent: Pid) -> SysResult<Pid> {
        let _cur = self.fault_current(parent);
        let r = self.sys_fork(parent);
        if let Ok(child) = r {
            self.cputime.forget(child);
            self.cpu_charge(parent, 0, cputime::FORK_NS);
        }
        self.cn_proc_run_listeners();
        r
    }

    /// `_exit(code)`: close fds, `cgroup_exit`, become a zombie for the parent to reap.
    pub fn exit(&self, pid: Pid, code: i32) {
        self.sys_exit(pid, code)
    }

    /// `waitpid(pid or -1, WNOHANG)`: `Ok(None)` if the children are still running;
    /// `ECHILD` if there are none.
    pub fn waitpid(&self, parent: Pid, pid: Option<Pid>) -> SysResult<Option<(Pid, WaitStatus)>> {
        self.sys_waitpid(parent, pid)
    }

    /// `kill(target, sig)` with the kernel's permission rule (EPERM) and ESRCH.
    pub fn kill(&self, sender: Pid, target: Pid, sig: Signal) -> SysResult<()> {
        self.sys_kill(sender, target, sig)
    }

    /// A signal sent by the kernel itself (`send_sig(sig, task, 1)`, e.g. by the OOM killer):
    /// no permission check; ESRCH for a missing process, EINVAL for a bad signal number.
    pub fn send_sig(&self, target: Pid, sig: Signal) -> SysResult<()> {
        self.sys_send_sig(target, sig)
    }

    /// `prctl(PR_SET_NAME, comm)`: rename the task (truncated to 15 bytes, `TASK_COMM_LEN`),
    /// nothing else; its memory is untouched. ESRCH for a missing task.
    pub fn set_comm(&self, pid: Pid, comm: &str) -> SysResult<()> {
        self.sys_set_comm(pid, comm)
    }

    /// What `execve` does to a task the simulator knows: `comm` becomes the program's name
    /// (truncated to 15 bytes) and the old mm is dropped for a fresh, empty one (its pages
    /// uncharged; traced as `do_execve`). ESRCH for a missing or exited task.
    pub fn execve(&self, pid: Pid, comm: &str) -> SysResult<()> {
        let r = self.sys_execve(pid, comm);
        if r.is_ok() {
            self.cpu_charge(pid, 0, cputime::EXEC_NS);
        }
        self.cn_proc_run_listeners();
        r
    }

    /// Record the arguments of the program `pid` now runs (after [`Kernel::execve`], which
    /// sets it to the program's name alone).
    pub fn set_cmdline(&self, pid: Pid, argv: &[String]) -> SysResult<()> {
        self.sys_set_cmdline(pid, argv)
    }

    /// Replace the environment of `pid`, as `execve` does with its `envp`.
    pub fn set_environ(&self, pid: Pid, environ: Vec<(String, String)>) -> SysResult<()> {
        let mut st = self.lock_state();
        let t = st.tasks.get_mut(&pid).ok_or(cgsim_ktypes::SysError::new(
            cgsim_ktypes::Errno::ESRCH,
            "no such process",
        ))?;
        t.environ = environ;
        Ok(())
    }

    /// The environment of `pid` (what `getenv` reads in the process).
    pub fn environ(&self, pid: Pid) -> Vec<(String, String)> {
        let st = self.lock_state();
        st.tasks
            .get(&pid)
            .map(|t| t.environ.clone())
            .unwrap_or_default()
    }

    /// One variable of `pid`'s environment (`getenv`).
    pub fn getenv(&self, pid: Pid, name: &str) -> Option<String> {
        let st = self.lock_state();
        st.tasks
            .get(&pid)?
            .environ
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// `setresuid`-like: replace the credentials (root only, else EPERM; a non-root process may
    /// only shuffle among its current ids).
    pub fn set_cred(&self, pid: Pid, cred: Cred) -> SysResult<()> {
        let r = self.sys_set_cred(pid, cred);
        self.cn_proc_run_listeners();
        r
    }

    pub fn getppid(&self, pid: Pid) -> SysResult<Pid> {
        self.sys_getppid(pid)
    }

    /// Every live or zombie process, sorted by pid.
    pub fn ps(&self) -> Vec<ProcInfo> {
        self.sys_ps()
    }

    // ---- files -------------------------------------------------------------------------------

    pub fn open(&self, pid: Pid, path: &str, flags: OpenFlags, mode: u32) -> SysResult<Fd> {
        self.sys_open(pid, path, flags, mode)
    }

    /// `read(2)`. On a blocking fd with nothing to read, returns `EAGAIN` and the caller (a
    /// [`Program`]) should return [`Step::WaitReadable`].
    ///
    /// Synchronous code (anything but a program being stepped) reading an empty pipe whose
    /// writer is a simulated program blocks as `pipe_read` would: the scheduler runs the
    /// programs, and the clock moves to their next wake-up, until the pipe has data or reaches
    /// end of file; EAGAIN only when no program can make progress (a writer that waits for an
    /// event nobody will send, or a later stage that has not started).
    pub fn read(&self, pid: Pid, fd: Fd, buf: &mut [u8]) -> SysResult<usize> {
        let r = self.read_blocking(pid, fd, buf);
        if let Ok(n) = r {
            self.cpu_charge(pid, 0, n as u64 / cputime::BYTES_PER_NS);
        }
        r
    }

    fn read_blocking(&self, pid: Pid, fd: Fd, buf: &mut [u8]) -> SysResult<usize> {
        let _cur = self.fault_current(pid);
        let mut rounds = 0;
        loop {
            match self.sys_read(pid, fd, buf) {
                // A threaded task (a pipeline stage of shell code) sleeps as `pipe_read` does:
                // its thread parks until the pipe has data or reaches end of file.
                // Not for a program stepped from inside the task's turn (a process events
                // listener run by the task's `fork`): that one returns to its own step.
                Err(e)
                    if e.errno == cgsim_ktypes::Errno::EAGAIN
                        && threaded::current()
                            .is_some_and(|t| *self.stepping.lock() == Some(t))
                        && self.sched_pipe_ends(pid, fd).is_some() =>
                {
                    threaded::block(threaded::BlockOn::Readable(pid, fd));
                    threaded::unwind_if_dead(self);
                }
                Err(e)
                    if e.errno == cgsim_ktypes::Errno::EAGAIN
                        && self.stepping.lock().is_none()
                        && self.sched_pipe_ends(pid, fd).is_some()
                        && rounds < 100_000 =>
                {
                    rounds += 1;
                    if !self.sched_progress(pid, fd) {
                        return Err(e);
                    }
                }
                r => return r,
            }
        }
    }

    /// `write(2)`: one call, one kernel write handler invocation (as `echo` relies on).
    /// Synchronous code writing to a full pipe first lets the programs run, so one that reads
    /// the pipe makes room (see `pipe.rs` for what happens when none does).
    pub fn write(&self, pid: Pid, fd: Fd, data: &[u8]) -> SysResult<usize> {
        let r = self.write_blocking(pid, fd, data);
        if let Ok(n) = r {
            self.cpu_charge(pid, 0, n as u64 / cputime::BYTES_PER_NS);
        }
        r
    }

    fn write_blocking(&self, pid: Pid, fd: Fd, data: &[u8]) -> SysResult<usize> {
        let _cur = self.fault_current(pid);
        let stepping = *self.stepping.lock();
        if stepping.is_none() && self.sched_pipe_ends(pid, fd) == Some(true) {
            self.run_until_idle();
        }
        if threaded::current().is_none_or(|task| stepping != Some(task)) {
            return self.sys_write(pid, fd, data);
        }
        // A threaded task writing to a pipe sleeps as `pipe_write` does: what fits goes in, the
        // thread parks until the reader makes room, and the rest follows (a blocking write is
        // whole unless it fails); a write with no reader left is EPIPE and SIGPIPE, which kills
        // the task unless a trap catches it. The same holds for a process the task's code runs
        // in a further child (`pid` is then that child; see `pipe_write_bounded`).
        let mut done = 0;
        loop {
            match self.sys_write(pid, fd, &data[done..]) {
                Ok(n) => {
                    done += n;
                    if done == data.len() || self.sched_pipe_ends(pid, fd).is_none() {
                        return Ok(done);
                    }
                    if n == 0 {
                        threaded::block(threaded::BlockOn::Writable(pid, fd));
                    }
                }
                Err(e) if e.errno == cgsim_ktypes::Errno::EAGAIN => {
                    threaded::block(threaded::BlockOn::Writable(pid, fd));
                }
                Err(e) => {
                    threaded::unwind_if_dead(self);
                    return if done > 0 { Ok(done) } else { Err(e) };
                }
            }
            threaded::unwind_if_dead(self);
        }
    }

    /// Whether reads from `fd` never reach end of file (it is open on `/dev/zero`). A real
    /// program that reads to the end finds out by reading until interrupted; the shell's
    /// commands, which cannot be interrupted, ask first.
    pub fn fd_endless(&self, pid: Pid, fd: Fd) -> bool {
        self.sys_fd_endless(pid, fd)
    }

    pub fn close(&self, pid: Pid, fd: Fd) -> SysResult<()> {
        self.sys_close(pid, fd)
    }

    /// `cat path` as `pid`: `open(O_RDONLY)`, `read` until end of file, `close`. The first
    /// error is returned (the fd is closed either way); a file that never ends (`/dev/zero`)
    /// gives EFBIG after 64 MiB instead of looping.
    pub fn read_file(&self, pid: Pid, path: &str) -> SysResult<Vec<u8>> {
        let fd = self.open(pid, path, OpenFlags::RDONLY, 0)?;
        let mut data = Vec::new();
        let mut buf = [0u8; 4096];
        let result = loop {
            match self.read(pid, fd, &mut buf) {
                Ok(0) => break Ok(data),
                Ok(n) if data.len() + n > 64 << 20 => {
                    break Err(cgsim_ktypes::SysError::new(
                        cgsim_ktypes::Errno::EFBIG,
                        "read_file: file does not end",
                    ));
                }
                Ok(n) => data.extend_from_slice(&buf[..n]),
                Err(e) => break Err(e),
            }
        };
        let closed = self.close(pid, fd);
        let data = result?;
        closed.map(|()| data)
    }

    /// `echo -n data > path` as `pid`: `open(O_WRONLY|O_CREAT|O_TRUNC, 0666)`, one `write`
    /// (one kernel handler call, as `echo` relies on), `close`. A short write is an error only
    /// if the kernel reported one.
    pub fn write_file(&self, pid: Pid, path: &str, data: &[u8]) -> SysResult<()> {
        let fd = self.open(pid, path, OpenFlags::REDIRECT_TRUNC, 0o666)?;
        let written = self.write(pid, fd, data);
        let closed = self.close(pid, fd);
        written?;
        closed
    }

    /// `pipe(2)`: `(read end, write end)`. The buffer is unbounded and not charged to a memcg
    /// (see `pipe.rs`); reading an empty pipe whose writers remain gives EAGAIN.
    pub fn pipe(&self, pid: Pid) -> SysResult<(Fd, Fd)> {
        self.sys_pipe(pid)
    }

    /// `dup2(old, new)`.
    pub fn dup2(&self, pid: Pid, old: Fd, new: Fd) -> SysResult<Fd> {
        self.sys_dup2(pid, old, new)
    }

    pub fn mkdir(&self, pid: Pid, path: &str, mode: u32) -> SysResult<()> {
        let _cur = self.fault_current(pid);
        self.sys_mkdir(pid, path, mode)
    }

    pub fn rmdir(&self, pid: Pid, path: &str) -> SysResult<()> {
        self.sys_rmdir(pid, path)
    }

    pub fn unlink(&self, pid: Pid, path: &str) -> SysResult<()> {
        self.sys_unlink(pid, path)
    }

    /// Directory entries sorted by name.
    pub fn readdir(&self, pid: Pid, path: &str) -> SysResult<Vec<DirEntry>> {
        self.sys_readdir(pid, path)
    }

    pub fn stat(&self, pid: Pid, path: &str) -> SysResult<Stat> {
        self.sys_stat(pid, path)
    }

    /// `access(path, mode)` checked against the caller's real uid.
    pub fn access(&self, pid: Pid, path: &str, mode: u32) -> SysResult<()> {
        self.sys_access(pid, path, mode)
    }

    /// `chmod(path, mode)`: owner or root, else EPERM. Cgroup inodes: EPERM for now.
    pub fn chmod(&self, pid: Pid, path: &str, mode: u32) -> SysResult<()> {
        self.sys_chmod(pid, path, mode)
    }

    /// `chown(path, uid, gid)`; `None` keeps an id (the syscall's `-1`). Root only, except that
    /// an owner may set the group to its own. Works on cgroup directories and control files too
    /// (tutorials delegate a subtree with `chown -R user /cg/A`).
    pub fn chown(&self, pid: Pid, path: &str, uid: Option<u32>, gid: Option<u32>) -> SysResult<()> {
        self.sys_chown(pid, path, uid, gid)
    }

    /// `utimensat(AT_FDCWD, path, NULL, 0)`: set the access and modification times to now
    /// (what `touch` does); the owner, root or a writer may (EACCES otherwise). Raises
    /// `IN_ATTRIB`.
    pub fn utimens_now(&self, pid: Pid, path: &str) -> SysResult<()> {
        self.sys_utimens_now(pid, path)
    }

    pub fn chdir(&self, pid: Pid, path: &str) -> SysResult<()> {
        self.sys_chdir(pid, path)
    }

    /// `umask(mask)`: set the file-creation mask (`& 0o777`), return the old one.
    pub fn umask(&self, pid: Pid, mask: u32) -> SysResult<u32> {
        self.sys_umask(pid, mask)
    }

    pub fn getcwd(&self, pid: Pid) -> SysResult<String> {
        self.sys_getcwd(pid)
    }

    // ---- mounts ------------------------------------------------------------------------------

    /// `mount(source, target, fstype, 0, data)`; fstype `cgroup` goes to `cgroup_get_sb`,
    /// `tmpfs` makes an empty tmpfs. `remount` is `mount -o remount,...`.
    pub fn mount(
        &self,
        pid: Pid,
        source: &str,
        target: &str,
        fstype: &str,
        remount: bool,
        data: Option<&str>,
    ) -> SysResult<()> {
        let _cur = self.fault_current(pid);
        let flags = if remount { ms::REMOUNT } else { 0 };
        self.sys_mount(pid, source, target, fstype, flags, data)
    }

    /// `mount(source, target, fstype, flags, data)` with `MS_*` flags ([`ms`]): what mount(8)
    /// passes after taking `nosuid`, `noatime`, `remount`, ... out of `-o`. EINVAL for
    /// `MS_RDONLY` and `MS_BIND`, which are not modelled.
    pub fn mount_flags(
        &self,
        pid: Pid,
        source: &str,
        target: &str,
        fstype: &str,
        flags: u64,
        data: Option<&str>,
    ) -> SysResult<()> {
        let _cur = self.fault_current(pid);
        self.sys_mount(pid, source, target, fstype, flags, data)
    }

    pub fn umount(&self, pid: Pid, target: &str) -> SysResult<()> {
        self.sys_umount(pid, target)
    }

    // ---- memory ------------------------------------------------------------------------------

    /// `mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS[|MAP_LOCKED])`: returns
    /// the address. Nothing is charged until the pages are touched, except with `locked`
    /// (`MAP_LOCKED` populates and locks the range at once, as `mlock` does; as in the kernel, a
    /// failure to populate is not reported: the task may be waiting on the memcg OOM queue or
    /// killed when this returns, see [`Kernel::oom_waiting`]). EINVAL for a zero length.
    pub fn mmap_anon(&self, pid: Pid, len: u64, flags: MmapFlags) -> SysResult<u64> {
        self.sys_mmap_anon(pid, len, flags)
    }

    /// `mmap(NULL, len, ..., MAP_SHARED, open("/dev/zero"))`: a shared shmem object; its pages
    /// are charged as cache (and counted in `mapped_file`) when touched.
    pub fn mmap_shared_zero(&self, pid: Pid, len: u64) -> SysResult<u64> {
        self.sys_mmap_shared_zero(pid, len)
    }

    /// `munmap(addr, len)`: private pages are uncharged at once (EINVAL if unaligned).
    pub fn munmap(&self, pid: Pid, addr: u64, len: u64) -> SysResult<()> {
        self.sys_munmap(pid, addr, len)
    }

    /// `mlock(addr, len)`: lock the VMAs covering the range and fault every page in (ENOMEM if
    /// part of the range is unmapped). On 6.6 it may sleep in the middle as
    /// [`Kernel::touch`] does (EINTR for a program, to be called again).
    pub fn mlock(&self, pid: Pid, addr: u64, len: u64) -> SysResult<()> {
        let _cur = self.fault_current(pid);
        self.sys_mlock(pid, addr, len)
    }

    /// `munlock(addr, len)`: the range's VMAs lose `VM_LOCKED`; their pages go back to the
    /// evictable LRU lists unless another locked mapping holds them. ENOMEM for an unmapped
    /// part of the range.
    pub fn munlock(&self, pid: Pid, addr: u64, len: u64) -> SysResult<()> {
        self.sys_munlock(pid, addr, len)
    }

    /// Write to every page of `[addr, addr+len)` (page faults: `do_page_fault` ->
    /// `handle_mm_fault` -> the memcg charge path). Errors: EFAULT for an unmapped address,
    /// ENOMEM when a charge fails without an OOM kill, and EINTR in two cases the caller tells
    /// apart with [`Kernel::oom_waiting`]: the task sleeps on a memcg OOM wait queue (state D,
    /// `oom_kill_disable`; a [`Program`] returns [`Step::Yield`] and retries the call when it
    /// runs again), or it was killed by the OOM killer (it is a zombie now). On 6.6 a third:
    /// a [`Program`]'s task stopped in the middle to sleep its `memory.high` penalty
    /// (`try_charge_memcg` → `mem_cgroup_handle_over_high`); it sleeps when its step returns,
    /// and the same call made again resumes at the page where the fault stopped. A task
    /// without a program sleeps inside the call instead (`fault_sleep.rs`).
    pub fn touch(&self, pid: Pid, addr: u64, len: u64) -> SysResult<()> {
        let _cur = self.fault_current(pid);
        let scanned = with_machine!(&self.mem, m => m.nr_reclaim_scanned());
        let (r, done) = self.sys_touch(pid, addr, len);
        // The faults' CPU time, and the reclaim they did (the one reclaim-time call site).
        self.cpu_fault_time(pid, done, scanned);
        r
    }

    /// Whether `pid` sleeps on a memcg OOM wait queue (`ps` state D).
    pub fn oom_waiting(&self, pid: Pid) -> bool {
        self.mem.oom_waiting(pid).is_some()
    }

    /// Take `pid` off the memcg OOM wait queue it sleeps on and make it runnable again, without
    /// the memory it waited for; `false` if it was not waiting. **Not a kernel operation:** the
    /// kernel's `TASK_KILLABLE` wait ends only with memory or a fatal signal. It is for a caller that
    /// cannot sleep, the interactive shell, whose own write would hang the terminal: the shell
    /// reports that and gives the wait up.
    pub fn oom_wait_abandon(&self, pid: Pid) -> bool {
        if self.mem.oom_waiting(pid).is_none() {
            return false;
        }
        self.mem.oom_wait_interrupt(pid);
        let mut st = self.lock_state();
        if let Some(t) = st
            .tasks
            .get_mut(&pid)
            .filter(|t| t.sched == task::Sched::OomWait)
        {
            t.sched = t.before_oom_wait.take().unwrap_or(task::Sched::NoProgram);
            let sched = t.sched;
            st.sched_q.enqueue(pid, sched);
        }
        true
    }

    /// `shmget(key, size, shmflg)`: the segment of `key`, created if missing and `shmflg` has
    /// [`IPC_CREAT`] ([`IPC_PRIVATE`] always makes a new one), with the permission bits of
    /// `shmflg`'s low 9 bits. ENOENT without `IPC_CREAT`, EEXIST with `IPC_CREAT|IPC_EXCL` on an
    /// existing key, EACCES when the caller lacks the access `shmflg` asks for, EINVAL for a
    /// size 0, above `SHMMAX`, or larger than an existing segment.
    pub fn shmget(&self, pid: Pid, key: i32, size: u64, shmflg: i32) -> SysResult<i32> {
        self.sys_shmget(pid, key, size, shmflg)
    }

    /// `shmat(shmid, NULL, 0)`: returns the address (EINVAL for an unknown or removed id,
    /// EACCES without read and write permission on the segment).
    pub fn shmat(&self, pid: Pid, shmid: i32) -> SysResult<u64> {
        let _cur = self.fault_current(pid);
        self.sys_shmat(pid, shmid)
    }

    /// `shmdt(addr)` (EINVAL if no attach starts there).
    pub fn shmdt(&self, pid: Pid, addr: u64) -> SysResult<()> {
        self.sys_shmdt(pid, addr)
    }

    /// `shmctl(shmid, IPC_RMID)`: the segment goes when its last attach does.
    pub fn shmctl_rmid(&self, pid: Pid, shmid: i32) -> SysResult<()> {
        self.sys_shmctl_rmid(pid, shmid)
    }

    /// The numbers of `/proc/meminfo` (and `free`).
    pub fn meminfo(&self) -> MemInfo {
        self.sys_meminfo()
    }

    /// `swapon(path, 0)`: enable the machine's swap area ([`cgsim_memcg::SWAP_DEVICE`]).
    /// EPERM without CAP_SYS_ADMIN (euid 0), ENOENT for a path that does not exist, EINVAL for
    /// one that is not a swap area, EBUSY if the area is on already.
    pub fn swapon(&self, pid: Pid, path: &str) -> SysResult<()> {
        self.sys_swapon(pid, path)
    }

    /// `swapoff(path)`: bring every swapped page back into memory and disable the area.
    /// EPERM without CAP_SYS_ADMIN, ENOENT/EINVAL as for [`swapon`](Self::swapon) (EINVAL
    /// also when the area is off), ENOMEM when the pages cannot be charged back.
    pub fn swapoff(&self, pid: Pid, path: &str) -> SysResult<()> {
        self.sys_swapoff(pid, path)
    }

    // ---- eventfd -----------------------------------------------------------------------------

    /// `eventfd2(initval, flags)`.
    pub fn eventfd(&self, pid: Pid, initval: u32, flags: i32) -> SysResult<Fd> {
        let _cur = self.fault_current(pid);
        self.sys_eventfd(pid, initval, flags)
    }

    // ---- inotify -----------------------------------------------------------------------------

    /// `inotify_init1(flags)` (`IN_NONBLOCK`, `IN_CLOEXEC`); read events with
    /// [`read`](Self::read) and split them with [`inotify::InotifyEvent::parse`].
    /// ENOSYS on 2.6.25 (the system call came in 2.6.27; use [`inotify_init`](Self::inotify_init)).
    pub fn inotify_init1(&self, pid: Pid, flags: i32) -> SysResult<Fd> {
        let _cur = self.fault_current(pid);
        if self.params.kernel < KernelVersion::V2_6_35 {
            return Err(cgsim_ktypes::SysError::new(
                cgsim_ktypes::Errno::ENOSYS,
                "inotify_init1 came in 2.6.27",
            ));
        }
        self.sys_inotify_init1(pid, flags)
    }

    /// `inotify_init()`: `inotify_init1(0)`, on every preset (2.6.13 and later).
    pub fn inotify_init(&self, pid: Pid) -> SysResult<Fd> {
        let _cur = self.fault_current(pid);
        self.sys_inotify_init1(pid, 0)
    }

    /// `inotify_add_watch(fd, path, mask)`: the watch descriptor.
    pub fn inotify_add_watch(&self, pid: Pid, fd: Fd, path: &str, mask: u32) -> SysResult<i32> {
        let _cur = self.fault_current(pid);
        self.sys_inotify_add_watch(pid, fd, path, mask)
    }

    /// `inotify_rm_watch(fd, wd)`.
    pub fn inotify_rm_watch(&self, pid: Pid, fd: Fd, wd: i32) -> SysResult<()> {
        let _cur = self.fault_current(pid);
        self.sys_inotify_rm_watch(pid, fd, wd)
    }

    // ---- scheduler and console ---------------------------------------------------------------

    /// Give `pid` a program to run; it becomes runnable.
    pub fn spawn_program(&self, pid: Pid, program: Box<dyn Program<T>>) {
        self.sched_spawn(pid, program)
    }

    /// Run every runnable program, in pid order, until each blocks, sleeps or exits, or the
    /// CPUs have run them for [`cputime::SLICE_NS`] of simulated time (a busy loop stays
    /// runnable; the caller runs meanwhile, as the shell gets its CPU back).
    pub fn run_until_idle(&self) {
        self.sched_run_until_idle();
    }

    /// [`run_until_idle`](Self::run_until_idle), telling whether tasks are still runnable
    /// after their slice (a wait that has no deadline goes on while this holds, at most
    /// [`cputime::BUSY_WAIT_SLICES`] times).
    pub fn run_slice(&self) -> bool {
        self.sched_run_until_idle()
    }

    /// Advance the simulated clock by `nanos`, waking and running sleepers in time order.
    pub fn advance_clock(&self, nanos: u64) {
        self.sched_advance_clock(nanos, &mut || false)
    }

    /// [`advance_clock`](Self::advance_clock), but stop at the first wake-up deadline after
    /// which `done()` holds (a shell waiting for a child that a wake-up ended: the clock stays
    /// where the child ended instead of running on to a later timer).
    pub fn advance_clock_until(&self, nanos: u64, done: &mut dyn FnMut() -> bool) {
        self.sched_advance_clock(nanos, done)
    }

    /// Take what processes wrote to the console (fds 0–2 of init and its descendants unless
    /// redirected), in write order.
    pub fn console_drain(&self) -> Vec<(ConsoleStream, Vec<u8>)> {
        std::mem::take(&mut self.lock_state().console)
    }
}
