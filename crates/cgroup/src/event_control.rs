//! The `cgroup.event_control` hook (2.6.34).
//!
//! **Kernel:** `kernel/cgroup.c` `cgroup_write_event_control`, `cgroup_event_wake`,
//! `cgroup_event_remove` (2.6.34; `kernel/cgroup.c` `cgroup_write_event_control`, `cgroup_event_wake`).
//!
//! The core owns the file and its parsing (`kernel/cgroup.c` `cgroup_write_event_control`, v2.6.34). Everything after that needs the writer's file
//! descriptor table and eventfd objects, which live in the VFS layer, so the core hands the parsed
//! request to an [`EventControl`] implementation installed with
//! [`CgroupCore::set_event_control`](crate::CgroupCore::set_event_control). The default,
//! [`NoEventControl`], fails every registration with EINVAL, which is what the write returns until
//! the eventfd layer exists.

use crate::cgroup::CgroupId;
use cgsim_ktypes::{Errno, Pid};

/// A parsed `"<event_fd> <control_fd> <args>"` write (`kernel/cgroup.c` `cgroup_write_event_control`, v2.6.34).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventControlRequest {
    /// The task that wrote (its fd table resolves the two numbers).
    pub writer: Pid,
    /// The cgroup whose `cgroup.event_control` was written.
    pub cgrp: CgroupId,
    /// The eventfd descriptor number (`strtoul` base 10).
    pub efd: u64,
    /// The control-file descriptor number.
    pub cfd: u64,
    /// Everything after the second number and its space (may be empty).
    pub args: String,
}

/// What the VFS implements to make `cgroup.event_control` work (validation steps 2–9 of `kernel/cgroup.c` `cgroup_write_event_control`, v2.6.34).
///
/// **Locking:** called WITHOUT `cgroup_mutex`, so the implementation may call back into
/// [`CgroupCore`](crate::CgroupCore) (e.g. [`cftype_events`](crate::CgroupCore::cftype_events)).
pub trait EventControl: Send + Sync {
    /// Resolve the fds, check them and call the control file's `register_event`.
    fn register(&self, req: &EventControlRequest) -> Result<(), Errno> {
        let _ = req;
        Err(Errno::EINVAL)
    }

    /// `cgroup_rmdir`'s event step (`kernel/cgroup.c`, v2.6.34): the cgroup's directory is gone; signal and remove every
    /// event registered on it. Called after rmdir released `cgroup_mutex`.
    fn cgroup_removed(&self, cgrp: CgroupId) {
        let _ = cgrp;
    }
}

/// The hook used until the VFS installs one: every registration fails with EINVAL.
#[derive(Copy, Clone, Debug, Default)]
pub struct NoEventControl;

impl EventControl for NoEventControl {}

/// `cgroup_write_event_control`'s parse (`kernel/cgroup.c`, v2.6.34): `efd` digits, exactly one space, `cfd`
/// digits, then a space or the end, then the arguments.
pub fn parse_event_control(s: &str) -> Result<(u64, u64, String), Errno> {
    let b = s.as_bytes();
    let (efd, rest) = cgsim_ktypes::parse::simple_strtoull(b, 10);
    if rest.first() != Some(&b' ') {
        return Err(Errno::EINVAL);
    }
    let rest = &rest[1..];
    let (cfd, rest) = cgsim_ktypes::parse::simple_strtoull(rest, 10);
    let args = match rest.first() {
        None => String::new(),
        Some(b' ') => String::from_utf8_lossy(&rest[1..]).into_owned(),
        Some(_) => return Err(Errno::EINVAL),
    };
    Ok((efd, cfd, args))
}

#[cfg(test)]
mod tests;
