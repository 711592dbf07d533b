//! Typed memory notifications for Rust programs driving a simulated [`Kernel`]: the
//! `cgroup.event_control` protocol (`kernel/cgroup.c` `cgroup_write_event_control`, v2.6.34) behind two calls, named as cgroups-rs users
//! expect.
//!
//! ```
//! use cgsim::notify::{register_oom_notifier, register_threshold};
//! use cgsim_cgroupfs::{BootParams, INIT_PID, Kernel};
//!
//! let k = Kernel::boot(BootParams::default());
//! k.mkdir(INIT_PID, "/cg", 0o755).unwrap();
//! k.mount(INIT_PID, "none", "/cg", "cgroup", false, Some("memory")).unwrap();
//! k.mkdir(INIT_PID, "/cg/A", 0o755).unwrap();
//! let pid = k.fork(INIT_PID).unwrap();
//! let usage = register_threshold(&k, pid, "/cg/A", 5 << 20).unwrap();
//! let oom = register_oom_notifier(&k, pid, "/cg/A").unwrap();
//! assert_eq!(usage.try_recv().unwrap(), None);
//! assert_eq!(oom.try_recv().unwrap(), None);
//! ```
//!
//! Each registration is what `cgroup_event_listener` does (`Documentation/cgroups/cgroup_event_listener.c`, v2.6.34): open the control
//! file, create an eventfd, write `"<efd> <cfd> <args>"` to the directory's
//! `cgroup.event_control`, all as process `pid`. Reading is non-blocking (the simulated
//! kernel does not put a Rust thread to sleep); run the kernel's scheduler between reads.
//! Dropping a [`Notifier`] closes its descriptors, which unregisters the event (`kernel/cgroup.c` `cgroup_event_wake`, `cgroup_event_remove`, v2.6.34).
//! For notifications on a real blocking eventfd without the VFS, use
//! `cgsim_memcg::MemcgEvents::register_threshold`.

use cgsim_cgroupfs::{Fd, Kernel, OpenFlags, W_OK};
use cgsim_ktypes::{Errno, Pid, SysError, SysResult};

/// What a [`Notifier`] is registered on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NotifyKind {
    /// `memory.usage_in_bytes` crossing a threshold, in bytes.
    Threshold(u64),
    /// `memory.memsw.usage_in_bytes` crossing a threshold, in bytes.
    MemswThreshold(u64),
    /// `memory.oom_control`: an OOM in the cgroup's hierarchy.
    Oom,
}

/// One registration: its eventfd, the control file and `cgroup.event_control`, open in
/// process `pid`.
pub struct Notifier<'k> {
    kernel: &'k Kernel,
    pid: Pid,
    dir: String,
    kind: NotifyKind,
    efd: Fd,
    fds: [Fd; 2],
}

/// Register a threshold on `<cgroup_dir>/memory.usage_in_bytes`.
pub fn register_threshold<'k>(
    k: &'k Kernel,
    pid: Pid,
    cgroup_dir: &str,
    bytes: u64,
) -> SysResult<Notifier<'k>> {
    register(k, pid, cgroup_dir, NotifyKind::Threshold(bytes))
}

/// Register a threshold on `<cgroup_dir>/memory.memsw.usage_in_bytes`.
pub fn register_memsw_threshold<'k>(
    k: &'k Kernel,
    pid: Pid,
    cgroup_dir: &str,
    bytes: u64,
) -> SysResult<Notifier<'k>> {
    register(k, pid, cgroup_dir, NotifyKind::MemswThreshold(bytes))
}

/// Register for OOM notifications on `<cgroup_dir>/memory.oom_control`.
pub fn register_oom_notifier<'k>(
    k: &'k Kernel,
    pid: Pid,
    cgroup_dir: &str,
) -> SysResult<Notifier<'k>> {
    register(k, pid, cgroup_dir, NotifyKind::Oom)
}

/// The general form: `kind` on the cgroup directory `cgroup_dir`, as process `pid`.
pub fn register<'k>(
    k: &'k Kernel,
    pid: Pid,
    cgroup_dir: &str,
    kind: NotifyKind,
) -> SysResult<Notifier<'k>> {
    let dir = cgroup_dir.trim_end_matches('/').to_string();
    let (file, args) = match kind {
        NotifyKind::Threshold(b) => ("memory.usage_in_bytes", b.to_string()),
        NotifyKind::MemswThreshold(b) => ("memory.memsw.usage_in_bytes", b.to_string()),
        NotifyKind::Oom => ("memory.oom_control", String::new()),
    };
    let cfd = k.open(pid, &format!("{dir}/{file}"), OpenFlags::RDONLY, 0)?;
    let ecfd = match k.open(
        pid,
        &format!("{dir}/cgroup.event_control"),
        OpenFlags::WRONLY,
        0,
    ) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = k.close(pid, cfd);
            return Err(e);
        }
    };
    let close_all = |fds: &[Fd]| {
        for &fd in fds {
            let _ = k.close(pid, fd);
        }
    };
    let efd = match k.eventfd(pid, 0, 0) {
        Ok(fd) => fd,
        Err(e) => {
            close_all(&[cfd, ecfd]);
            return Err(e);
        }
    };
    let line = format!("{} {} {}", efd.0, cfd.0, args);
    if let Err(e) = k.write(pid, ecfd, line.as_bytes()) {
        close_all(&[efd, cfd, ecfd]);
        return Err(e);
    }
    Ok(Notifier {
        kernel: k,
        pid,
        dir,
        kind,
        efd,
        fds: [cfd, ecfd],
    })
}

impl Notifier<'_> {
    /// What this notifier listens to.
    pub fn kind(&self) -> NotifyKind {
        self.kind
    }

    /// The eventfd, in process `pid`.
    pub fn eventfd(&self) -> Fd {
        self.efd
    }

    /// Notifications since the last call (the eventfd counter), `None` if there were none.
    /// A removed cgroup also signals once: check [`is_removed`](Self::is_removed).
    pub fn try_recv(&self) -> SysResult<Option<u64>> {
        let mut buf = [0u8; 8];
        match self.kernel.read(self.pid, self.efd, &mut buf) {
            Ok(_) => Ok(Some(u64::from_ne_bytes(buf))),
            Err(e) if e.errno == Errno::EAGAIN => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether the cgroup is gone (its `cgroup.event_control` no longer exists), the
    /// listener's `access(2)` test (`Documentation/cgroups/cgroup_event_listener.c`, v2.6.34).
    pub fn is_removed(&self) -> bool {
        matches!(
            self.kernel.access(
                self.pid,
                &format!("{}/cgroup.event_control", self.dir),
                W_OK
            ),
            Err(SysError {
                errno: Errno::ENOENT,
                ..
            })
        )
    }
}

impl Drop for Notifier<'_> {
    fn drop(&mut self) {
        for fd in [self.efd, self.fds[0], self.fds[1]] {
            let _ = self.kernel.close(self.pid, fd);
        }
    }
}
