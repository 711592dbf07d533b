//! Helpers shared by the integration tests.

pub use cgsim_cgroup::*;
pub use cgsim_ktypes::trace::Ftrace;
pub use cgsim_ktypes::{Cred, Errno, Pid};
use std::sync::Arc;

pub type Core = CgroupCore<Ftrace>;

/// SEED profile, the six default subsystems, init = pid 1 (root).
pub fn boot() -> Core {
    CgroupCore::with_defaults(Arc::new(Ftrace::new()))
}

/// Boot with a profile.
pub fn boot_with(profile: CoreProfile) -> Core {
    CgroupCore::new(
        Arc::new(Ftrace::new()),
        profile,
        default_subsystems(),
        Pid(1),
        Cred::ROOT,
    )
}

/// `echo -n data > cgrp/name` by `pid` (one open, one write).
pub fn write(
    core: &Core,
    cgrp: CgroupId,
    name: &str,
    pid: Pid,
    data: &str,
) -> Result<usize, Errno> {
    let of = core.open(cgrp, name, false, true)?;
    core.write(&of, pid, data.as_bytes())
}

/// `cat cgrp/name` by `pid`.
pub fn read(core: &Core, cgrp: CgroupId, name: &str, pid: Pid) -> Result<String, Errno> {
    let of = core.open(cgrp, name, true, false)?;
    let mut out = Vec::new();
    let mut buf = [0u8; 7];
    loop {
        let n = core.read(&of, pid, out.len() as u64, &mut buf)?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    Ok(String::from_utf8(out).unwrap())
}

/// The names and modes of a cgroup directory's files, in creation order.
pub fn files(core: &Core, cgrp: CgroupId) -> Vec<(String, u32)> {
    core.readdir(cgrp)
        .unwrap()
        .into_iter()
        .filter_map(|d| match d {
            Dentry::File(f) => Some((f.name, f.mode)),
            Dentry::Dir(_) => None,
        })
        .collect()
}

/// The child directory names of a cgroup, list order.
pub fn dirs(core: &Core, cgrp: CgroupId) -> Vec<String> {
    core.readdir(cgrp)
        .unwrap()
        .into_iter()
        .filter_map(|d| match d {
            Dentry::Dir(d) => Some(d.name),
            Dentry::File(_) => None,
        })
        .collect()
}

/// The pids a fresh open of `tasks` shows.
pub fn tasks(core: &Core, cgrp: CgroupId) -> Vec<i32> {
    read(core, cgrp, "tasks", Pid(1))
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect()
}

/// Panic with the invariant text if one is broken.
pub fn check(core: &Core) {
    if let Err(e) = core.check_invariants() {
        panic!("invariant broken: {e}");
    }
}
