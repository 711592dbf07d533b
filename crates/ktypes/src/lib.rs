//! Kernel types every cgsim layer shares.
//!
//! This crate is deliberately small: the errno table (`include/uapi/asm-generic/errno*.h`),
//! byte and page units (`PAGE_SIZE`), the kernel's number parsers (`simple_strtoull`, `memparse`,
//! `strstrip`), per-CPU slots (`this_cpu_ptr` without `unsafe`) and the tracer interface.
//! Anything cgroup- or memory-specific belongs in a higher crate.

#![forbid(unsafe_code)]

pub mod errno;
pub mod fault;
pub mod klog;
pub mod lockdep;
pub mod parse;
pub mod percpu;
pub mod trace;
pub mod units;

pub use errno::{Errno, SysError, SysResult};
pub use fault::FaultInjection;
pub use percpu::{CpuId, PerCpu};
pub use trace::{NoTrace, Tracer};
pub use units::{Bytes, PAGE_SHIFT, PAGE_SIZE, Pages};

/// A process id, as `pid_t` in the simulated pid namespace.
#[doc(alias = "pid_t")]
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pid(pub i32);

impl std::fmt::Display for Pid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A user id (`uid_t`).
#[doc(alias = "uid_t")]
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Uid(pub u32);

impl Uid {
    pub const ROOT: Uid = Uid(0);

    pub fn is_root(self) -> bool {
        self.0 == 0
    }
}

/// Task credentials (`struct cred`, the parts cgroup permission checks read).
///
/// **Kernel:** `struct cred` (2.6.29+; `task_struct` uid fields before that).
#[doc(alias = "cred")]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct Cred {
    pub uid: Uid,
    pub euid: Uid,
    pub suid: Uid,
    pub gid: u32,
    pub egid: u32,
}

impl Cred {
    pub const ROOT: Cred = Cred {
        uid: Uid(0),
        euid: Uid(0),
        suid: Uid(0),
        gid: 0,
        egid: 0,
    };

    pub fn user(uid: u32) -> Cred {
        Cred {
            uid: Uid(uid),
            euid: Uid(uid),
            suid: Uid(uid),
            gid: uid,
            egid: uid,
        }
    }
}
