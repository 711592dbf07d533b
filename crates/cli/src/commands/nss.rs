//! User and group names: glibc's `files` NSS backend over the simulated `/etc/passwd` and
//! `/etc/group`.
//!
//! **Follows:** glibc `nss/nss_files` (`getpwnam`, `getpwuid`, `getgrnam`, `getgrgid`): the
//! files are read line by line through the kernel on every call, the first matching line wins,
//! lines that do not parse (too few fields, a non-numeric id) are skipped, and a `#` line is a
//! comment. `id`, `whoami`, `ls -l`, `chown`, `setpriv` and libcgroup's tools resolve names here.
//! **Differences:** no `+`/`-` NIS compat entries and no other NSS sources; supplementary group
//! lists are not consulted because simulated processes carry no supplementary groups.

use cgsim_cgroupfs::Kernel;
use cgsim_ktypes::{Pid, SysError};

/// `struct passwd`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passwd {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub gecos: String,
    pub dir: String,
    pub shell: String,
}

/// `struct group` (without the member list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

/// Read a whole file through the kernel as `pid` ([`Kernel::read_file`]).
pub fn read_file(k: &Kernel, pid: Pid, path: &str) -> Result<Vec<u8>, SysError> {
    k.read_file(pid, path)
}

/// The lines of `path` split at `:`, skipping comments; an unreadable file has no entries
/// (glibc returns "not found" then, as `getpwnam` does when `/etc/passwd` is missing).
fn entries(k: &Kernel, pid: Pid, path: &str) -> Vec<Vec<String>> {
    let Ok(data) = read_file(k, pid, path) else {
        return Vec::new();
    };
    String::from_utf8_lossy(&data)
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.is_empty())
        .map(|l| l.split(':').map(str::to_string).collect())
        .collect()
}

fn parse_passwd(f: &[String]) -> Option<Passwd> {
    if f.len() < 7 || f[0].is_empty() {
        return None;
    }
    Some(Passwd {
        name: f[0].clone(),
        uid: f[2].parse().ok()?,
        gid: f[3].parse().ok()?,
        gecos: f[4].clone(),
        dir: f[5].clone(),
        shell: f[6].clone(),
    })
}

fn parse_group(f: &[String]) -> Option<Group> {
    if f.len() < 4 || f[0].is_empty() {
        return None;
    }
    Some(Group {
        name: f[0].clone(),
        gid: f[2].parse().ok()?,
        members: f[3]
            .split(',')
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

/// `getpwnam(3)`.
pub fn getpwnam(k: &Kernel, pid: Pid, name: &str) -> Option<Passwd> {
    entries(k, pid, "/etc/passwd")
        .iter()
        .filter_map(|f| parse_passwd(f))
        .find(|p| p.name == name)
}

/// `getpwuid(3)`.
pub fn getpwuid(k: &Kernel, pid: Pid, uid: u32) -> Option<Passwd> {
    entries(k, pid, "/etc/passwd")
        .iter()
        .filter_map(|f| parse_passwd(f))
        .find(|p| p.uid == uid)
}

/// `getgrnam(3)`.
pub fn getgrnam(k: &Kernel, pid: Pid, name: &str) -> Option<Group> {
    entries(k, pid, "/etc/group")
        .iter()
        .filter_map(|f| parse_group(f))
        .find(|g| g.name == name)
}

/// `getgrgid(3)`.
pub fn getgrgid(k: &Kernel, pid: Pid, gid: u32) -> Option<Group> {
    entries(k, pid, "/etc/group")
        .iter()
        .filter_map(|f| parse_group(f))
        .find(|g| g.gid == gid)
}

/// The user's name, or the number when `/etc/passwd` has no entry (what `ls -l` and `ps` show).
pub fn user_name(k: &Kernel, pid: Pid, uid: u32) -> String {
    getpwuid(k, pid, uid).map_or_else(|| uid.to_string(), |p| p.name)
}

/// The group's name, or the number when `/etc/group` has no entry.
pub fn group_name(k: &Kernel, pid: Pid, gid: u32) -> String {
    getgrgid(k, pid, gid).map_or_else(|| gid.to_string(), |g| g.name)
}
