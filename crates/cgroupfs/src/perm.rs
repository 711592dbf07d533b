//! Permission checks on inodes: the owner/group/other classes and the root override.
//!
//! **Kernel:** `fs/namei.c` `generic_permission` and `acl_permission_check` (2.6.25), with
//! `capable(CAP_DAC_OVERRIDE)` / `CAP_DAC_READ_SEARCH` reduced to "effective uid 0".
//! **Differences:** no capabilities, ACLs, supplementary groups or `fsuid` distinct from `euid`.

use crate::{R_OK, W_OK, X_OK};
use cgsim_ktypes::Cred;

/// The sticky bit (`S_ISVTX`), as on `/tmp`.
pub const S_ISVTX: u32 = 0o1000;

/// Which ids a check uses: `open(2)` and friends use the effective ids, `access(2)` the real ones.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum IdKind {
    Effective,
    Real,
}

/// `generic_permission(inode, mask)`: may `cred` do `want` (`R_OK|W_OK|X_OK` bits) to an inode
/// with `mode`, `uid` and `gid`?
///
/// **Kernel:** the class is picked first (owner, else group, else other) and only that class's
/// bits count. Root overrides read and write always, and execute/search on a directory always,
/// on a regular file only if some execute bit is set.
#[doc(alias = "generic_permission")]
pub fn permission(
    cred: &Cred,
    ids: IdKind,
    mode: u32,
    uid: u32,
    gid: u32,
    is_dir: bool,
    want: u32,
) -> bool {
    let (u, g) = match ids {
        IdKind::Effective => (cred.euid.0, cred.egid),
        IdKind::Real => (cred.uid.0, cred.gid),
    };
    let class = if u == uid {
        (mode >> 6) & 7
    } else if g == gid {
        (mode >> 3) & 7
    } else {
        mode & 7
    };
    if want & !class & (R_OK | W_OK | X_OK) == 0 {
        return true;
    }
    if u == 0 {
        // CAP_DAC_OVERRIDE: read and write always; execute only if a directory or some x bit.
        if want & X_OK == 0 || is_dir || mode & 0o111 != 0 {
            return true;
        }
    }
    false
}

/// May `cred` remove or rename an entry owned by `owner` in a directory with `dir_mode` owned
/// by `dir_uid`? Only matters for sticky directories such as `/tmp`.
///
/// **Kernel:** `fs/namei.c` `check_sticky` (2.6.25): in a sticky directory only the file's owner,
/// the directory's owner or root may remove an entry (EPERM otherwise).
#[doc(alias = "check_sticky")]
pub fn sticky_allows(cred: &Cred, dir_mode: u32, dir_uid: u32, owner: u32) -> bool {
    dir_mode & S_ISVTX == 0 || cred.euid.0 == 0 || cred.euid.0 == owner || cred.euid.0 == dir_uid
}

#[cfg(test)]
mod tests;
