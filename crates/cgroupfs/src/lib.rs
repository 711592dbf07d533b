//! The simulated VFS and syscall API: the boundary every front end and test uses.
//!
//! A [`Kernel`] holds processes (pid, ppid, credentials, comm, state, fd table), a small root
//! filesystem (`/sys/fs/cgroup` as tmpfs, `/proc`, `/dev/null`, `/tmp`), mounted cgroup
//! hierarchies backed by `cgsim-cgroup`, the simulated clock, the kernel log and a deterministic
//! scheduler for simulated programs. Every call returns the Linux errno on failure.
//!
//! THIS FILE IS THE API CONTRACT written by the lead: the shell (`crates/cli`) is written against
//! these signatures while the bodies are being filled in. Keep the signatures; add freely.

#![forbid(unsafe_code)]

use cgsim_ktypes::klog::{Clock, Klog};
use cgsim_ktypes::trace::Ftrace;
use cgsim_ktypes::{Cred, Pid, SysResult, Tracer};
use std::sync::Arc;

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
    /// D: uninterruptible wait (e.g. a memcg OOM wait in a later issue).
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
    pub state: ProcState,
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
    /// Exit with this status (`exit(code)`).
    Exit(i32),
}

/// A simulated user-space program: a state machine the deterministic scheduler steps.
///
/// A blocking syscall in a program is written as: try the call; if it fails with `EAGAIN`
/// because the fd is empty, return `Step::WaitReadable(fd)` and retry on the next step.
pub trait Program<T: Tracer = Ftrace>: Send {
    /// Run until the program would block, sleep or exit.
    fn step(&mut self, k: &Kernel<T>, pid: Pid) -> Step;

    /// A signal with a handler installed by the program (`SIGUSR1` for `memcg_process`).
    /// Return `true` if handled; `false` applies the default action (terminate).
    fn signal(&mut self, _k: &Kernel<T>, _pid: Pid, _sig: Signal) -> bool {
        false
    }
}

/// Boot-time parameters.
#[derive(Clone, Debug)]
pub struct BootParams {
    /// `nr_cpu_ids`.
    pub nr_cpus: u32,
}

impl Default for BootParams {
    fn default() -> BootParams {
        BootParams { nr_cpus: 2 }
    }
}

/// The simulated kernel. Shared between threads (`Arc<Kernel>` is `Send + Sync`).
pub struct Kernel<T: Tracer = Ftrace> {
    tracer: T,
    clock: Clock,
    klog: Klog,
    params: BootParams,
}

impl Kernel<Ftrace> {
    /// Boot with the recording tracer (off until switched on).
    pub fn boot(params: BootParams) -> Arc<Kernel<Ftrace>> {
        Kernel::boot_with_tracer(params, Ftrace::new())
    }
}

impl<T: Tracer> Kernel<T> {
    /// Boot: `init` is pid 1 (root, in `init_css_set`), the root filesystem exists.
    pub fn boot_with_tracer(params: BootParams, tracer: T) -> Arc<Kernel<T>> {
        Arc::new(Kernel {
            tracer,
            clock: Clock::default(),
            klog: Klog::default(),
            params,
        })
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

    pub fn params(&self) -> &BootParams {
        &self.params
    }

    // ---- processes -------------------------------------------------------------------------

    /// `fork()`: a copy of `parent` (credentials, cwd, fd table, cgroups) with a new pid.
    pub fn fork(&self, _parent: Pid) -> SysResult<Pid> {
        todo!()
    }

    /// `_exit(code)`: close fds, `cgroup_exit`, become a zombie for the parent to reap.
    pub fn exit(&self, _pid: Pid, _code: i32) {
        todo!()
    }

    /// `waitpid(pid or -1, WNOHANG)`: `Ok(None)` if the children are still running;
    /// `ECHILD` if there are none.
    pub fn waitpid(&self, _parent: Pid, _pid: Option<Pid>) -> SysResult<Option<(Pid, WaitStatus)>> {
        todo!()
    }

    /// `kill(target, sig)` with the kernel's permission rule (EPERM) and ESRCH.
    pub fn kill(&self, _sender: Pid, _target: Pid, _sig: Signal) -> SysResult<()> {
        todo!()
    }

    /// Set the process name (what `exec` would do to `comm`).
    pub fn set_comm(&self, _pid: Pid, _comm: &str) -> SysResult<()> {
        todo!()
    }

    /// `setresuid`-like: replace the credentials (root only, else EPERM).
    pub fn set_cred(&self, _pid: Pid, _cred: Cred) -> SysResult<()> {
        todo!()
    }

    pub fn getppid(&self, _pid: Pid) -> SysResult<Pid> {
        todo!()
    }

    /// Every live or zombie process, sorted by pid.
    pub fn ps(&self) -> Vec<ProcInfo> {
        todo!()
    }

    // ---- files -------------------------------------------------------------------------------

    pub fn open(&self, _pid: Pid, _path: &str, _flags: OpenFlags, _mode: u32) -> SysResult<Fd> {
        todo!()
    }

    /// `read(2)`. On a blocking fd with nothing to read, returns `EAGAIN` and the caller (a
    /// [`Program`]) should return [`Step::WaitReadable`].
    pub fn read(&self, _pid: Pid, _fd: Fd, _buf: &mut [u8]) -> SysResult<usize> {
        todo!()
    }

    /// `write(2)`: one call, one kernel write handler invocation (as `echo` relies on).
    pub fn write(&self, _pid: Pid, _fd: Fd, _data: &[u8]) -> SysResult<usize> {
        todo!()
    }

    pub fn close(&self, _pid: Pid, _fd: Fd) -> SysResult<()> {
        todo!()
    }

    /// `dup2(old, new)`.
    pub fn dup2(&self, _pid: Pid, _old: Fd, _new: Fd) -> SysResult<Fd> {
        todo!()
    }

    pub fn mkdir(&self, _pid: Pid, _path: &str, _mode: u32) -> SysResult<()> {
        todo!()
    }

    pub fn rmdir(&self, _pid: Pid, _path: &str) -> SysResult<()> {
        todo!()
    }

    pub fn unlink(&self, _pid: Pid, _path: &str) -> SysResult<()> {
        todo!()
    }

    /// Directory entries sorted by name.
    pub fn readdir(&self, _pid: Pid, _path: &str) -> SysResult<Vec<DirEntry>> {
        todo!()
    }

    pub fn stat(&self, _pid: Pid, _path: &str) -> SysResult<Stat> {
        todo!()
    }

    /// `access(path, mode)` checked against the caller's real uid.
    pub fn access(&self, _pid: Pid, _path: &str, _mode: u32) -> SysResult<()> {
        todo!()
    }

    pub fn chdir(&self, _pid: Pid, _path: &str) -> SysResult<()> {
        todo!()
    }

    pub fn getcwd(&self, _pid: Pid) -> SysResult<String> {
        todo!()
    }

    // ---- mounts ------------------------------------------------------------------------------

    /// `mount(source, target, fstype, 0, data)`; fstype `cgroup` goes to `cgroup_get_sb`,
    /// `tmpfs` makes an empty tmpfs. `remount` is `mount -o remount,...`.
    pub fn mount(
        &self,
        _pid: Pid,
        _source: &str,
        _target: &str,
        _fstype: &str,
        _remount: bool,
        _data: Option<&str>,
    ) -> SysResult<()> {
        todo!()
    }

    pub fn umount(&self, _pid: Pid, _target: &str) -> SysResult<()> {
        todo!()
    }

    // ---- eventfd -----------------------------------------------------------------------------

    /// `eventfd2(initval, flags)`.
    pub fn eventfd(&self, _pid: Pid, _initval: u32, _flags: i32) -> SysResult<Fd> {
        todo!()
    }

    // ---- scheduler and console ---------------------------------------------------------------

    /// Give `pid` a program to run; it becomes runnable.
    pub fn spawn_program(&self, _pid: Pid, _program: Box<dyn Program<T>>) {
        todo!()
    }

    /// Run every runnable program, in pid order, until each blocks, sleeps or exits.
    pub fn run_until_idle(&self) {
        todo!()
    }

    /// Advance the simulated clock by `nanos`, waking and running sleepers in time order.
    pub fn advance_clock(&self, _nanos: u64) {
        todo!()
    }

    /// Take what processes wrote to the console (fds 0–2 of init and its descendants unless
    /// redirected), in write order.
    pub fn console_drain(&self) -> Vec<(ConsoleStream, Vec<u8>)> {
        todo!()
    }
}
