//! The device whitelist controller (`devices_subsys`): which device nodes a cgroup's tasks may
//! open or create.
//!
//! **Kernel:** `security/device_cgroup.c`, v2.6.35 (the whitelist model of 2.6.26–3.7):
//! `devcgroup_create` (the top cgroup starts with the single entry `a *:* rwm`, a child copies
//! its parent's list), `devcgroup_update_access` (the parser behind `devices.allow` and
//! `devices.deny`, CAP_SYS_ADMIN only, EINVAL for a malformed line, EPERM for an `allow` the
//! parent's list does not cover: `parent_has_perm` → `may_access_whitelist`),
//! `dev_whitelist_add` (merges the access bits of an identical entry), `dev_whitelist_rm`
//! (clears access bits; an `a` entry loses them for any denied device, which empties a list
//! that held only `a *:* rwm`), `devcgroup_seq_read` (`devices.list`), `devcgroup_can_attach`,
//! and the checks the VFS makes: `devcgroup_inode_permission` (open of a character or block
//! device node, from `inode_permission`) and `devcgroup_inode_mknod`.
//!
//! **Differences:** `devcgroup_can_attach` refuses a move of another task by a writer without
//! CAP_SYS_ADMIN; the core does not pass the writer to `can_attach`, and only root writers (or
//! the task itself) reach it after the core's own EACCES check, so the check never fires here.
//! 3.8's rewrite (a default behaviour plus an exception list, `devices.list` showing
//! `a *:* rwm` only while the behaviour is allow) is not modelled: every preset with the
//! subsystem (2.6.26+) uses the 2.6.35 whitelist semantics.

use crate::cftype::{CftCtx, Cftype};
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx, TaskRef};
use cgsim_ktypes::{Errno, Tracer};
use parking_lot::Mutex;
use std::any::Any;
use std::sync::Arc;

/// `ACC_MKNOD`.
pub const ACC_MKNOD: u8 = 1;
/// `ACC_READ`.
pub const ACC_READ: u8 = 2;
/// `ACC_WRITE`.
pub const ACC_WRITE: u8 = 4;
/// `ACC_MASK`.
pub const ACC_MASK: u8 = ACC_MKNOD | ACC_READ | ACC_WRITE;

/// `DEV_BLOCK`.
pub const DEV_BLOCK: u8 = 1;
/// `DEV_CHAR`.
pub const DEV_CHAR: u8 = 2;
/// `DEV_ALL`: the entry stands for every device.
pub const DEV_ALL: u8 = 4;

/// `~0` in a major or minor field: `*`, any number.
pub const ANY: u32 = u32::MAX;

/// `DEVCG_ALLOW`, `DEVCG_DENY`, `DEVCG_LIST` (`cft->private`).
const DEVCG_ALLOW: u64 = 1;
const DEVCG_DENY: u64 = 2;
const DEVCG_LIST: u64 = 3;

/// `struct dev_whitelist_item`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct WhitelistItem {
    pub major: u32,
    pub minor: u32,
    /// `DEV_BLOCK`, `DEV_CHAR` or `DEV_ALL`.
    pub kind: u8,
    /// `ACC_*` bits.
    pub access: u8,
}

/// `struct dev_cgroup`: the whitelist, in list order (`devices.list` prints it as is).
#[derive(Debug)]
pub struct DevCgroup {
    pub whitelist: Mutex<Vec<WhitelistItem>>,
    /// `css.cgroup->parent`'s dev_cgroup (`parent_has_perm`); `None` in a top cgroup.
    parent: Option<Arc<DevCgroup>>,
}

/// The `devices` subsystem.
#[derive(Copy, Clone, Debug, Default)]
pub struct Devices;

impl<T: Tracer> CgroupSubsys<T> for Devices {
    fn name(&self) -> &'static str {
        "devices"
    }

    fn symbol_prefix(&self) -> &'static str {
        "devcgroup"
    }

    fn on_dfl(&self) -> bool {
        // v1 only: 6.6's controller has `legacy_cftypes` and no `dfl_cftypes`.
        false
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY
            .with(SubsysCallback::Populate)
            .with(SubsysCallback::CanAttach)
    }

    /// `devcgroup_create`: `a *:* rwm` in a top cgroup, a copy of the parent's list otherwise.
    fn create(
        &self,
        cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        let parent = cx.parent_css.and_then(|p| p.private::<DevCgroup>());
        let whitelist = match &parent {
            None => vec![WhitelistItem {
                major: ANY,
                minor: ANY,
                kind: DEV_ALL,
                access: ACC_MASK,
            }],
            Some(p) => p.whitelist.lock().clone(),
        };
        Ok(Arc::new(DevCgroup {
            whitelist: Mutex::new(whitelist),
            parent,
        }))
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    /// `devcgroup_can_attach`: `current != task && !capable(CAP_SYS_ADMIN)` is EPERM; see the
    /// module's Differences.
    fn can_attach(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        _task: TaskRef,
    ) -> Result<(), Errno> {
        Ok(())
    }

    fn populate(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        // `dev_cgroup_files[]`: allow and deny are write-only (0200), list read-only (0444).
        for (name, private) in [("allow", DEVCG_ALLOW), ("deny", DEVCG_DENY)] {
            dir.add_file(
                Cftype::new(name)
                    .with_private(private)
                    .write_string(devcgroup_access_write),
            )?;
        }
        dir.add_file(
            Cftype::new("list")
                .with_private(DEVCG_LIST)
                .read_seq_string(|cx| Ok(devcgroup_seq_read(&*dev_cgroup(cx)?))),
        )
    }
}

fn dev_cgroup<T: Tracer>(cx: &CftCtx<'_, T>) -> Result<Arc<DevCgroup>, Errno> {
    cx.css
        .as_ref()
        .and_then(|c| c.private::<DevCgroup>())
        .ok_or(Errno::ENODEV)
}

/// `devcgroup_access_write`: the CAP_SYS_ADMIN check, then `devcgroup_update_access`.
fn devcgroup_access_write<T: Tracer>(cx: &CftCtx<'_, T>, buf: &str) -> Result<(), Errno> {
    if !cx.cred.euid.is_root() {
        return Err(Errno::EPERM);
    }
    let dev = dev_cgroup(cx)?;
    let wh = parse_whitelist_line(buf.as_bytes())?;
    match cx.private {
        DEVCG_ALLOW => {
            if let Some(parent) = &dev.parent
                && !may_access_whitelist(&parent.whitelist.lock(), &wh)
            {
                return Err(Errno::EPERM);
            }
            dev_whitelist_add(&mut dev.whitelist.lock(), wh);
            Ok(())
        }
        DEVCG_DENY => {
            dev_whitelist_rm(&mut dev.whitelist.lock(), &wh);
            Ok(())
        }
        _ => Err(Errno::EINVAL),
    }
}

/// The parser of `devcgroup_update_access`: `a` (anything after it is ignored), or
/// `b|c <space> MAJOR|* : MINOR|* <space> [rwm]{0,3}`. Up to three access letters are read; a
/// fourth character and beyond are ignored, an unknown letter among the first three is EINVAL.
pub fn parse_whitelist_line(b: &[u8]) -> Result<WhitelistItem, Errno> {
    // The kernel walks a NUL-terminated buffer: past the end reads as 0.
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut wh = WhitelistItem {
        major: 0,
        minor: 0,
        kind: 0,
        access: 0,
    };
    match at(0) {
        b'a' => {
            return Ok(WhitelistItem {
                major: ANY,
                minor: ANY,
                kind: DEV_ALL,
                access: ACC_MASK,
            });
        }
        b'b' => wh.kind = DEV_BLOCK,
        b'c' => wh.kind = DEV_CHAR,
        _ => return Err(Errno::EINVAL),
    }
    let mut i = 1;
    if !is_space(at(i)) {
        return Err(Errno::EINVAL);
    }
    i += 1;
    let (major, next) = majmin(b, i)?;
    wh.major = major;
    i = next;
    if at(i) != b':' {
        return Err(Errno::EINVAL);
    }
    i += 1;
    let (minor, next) = majmin(b, i)?;
    wh.minor = minor;
    i = next;
    if !is_space(at(i)) {
        return Err(Errno::EINVAL);
    }
    i += 1;
    for _ in 0..3 {
        match at(i) {
            b'r' => wh.access |= ACC_READ,
            b'w' => wh.access |= ACC_WRITE,
            b'm' => wh.access |= ACC_MKNOD,
            b'\n' | 0 => break,
            _ => return Err(Errno::EINVAL),
        }
        i += 1;
    }
    Ok(wh)
}

/// `*` or a decimal number (`simple_strtoul`, stored in a `u32`); anything else is EINVAL.
fn majmin(b: &[u8], i: usize) -> Result<(u32, usize), Errno> {
    match b.get(i) {
        Some(b'*') => Ok((ANY, i + 1)),
        Some(c) if c.is_ascii_digit() => {
            let (v, rest) = cgsim_ktypes::parse::simple_strtoull(&b[i..], 10);
            Ok((v as u32, b.len() - rest.len()))
        }
        _ => Err(Errno::EINVAL),
    }
}

/// The kernel's `isspace` (`lib/ctype.c`): space, `\t`, `\n`, `\v`, `\f`, `\r`.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `dev_whitelist_add`: an entry with the same type, major and minor gets the new access bits;
/// otherwise the entry is appended.
fn dev_whitelist_add(list: &mut Vec<WhitelistItem>, wh: WhitelistItem) {
    let mut merged = false;
    for walk in list.iter_mut() {
        if walk.kind == wh.kind && walk.major == wh.major && walk.minor == wh.minor {
            walk.access |= wh.access;
            merged = true;
        }
    }
    if !merged {
        list.push(wh);
    }
}

/// `dev_whitelist_rm`: clear the denied bits in every entry that covers the denied device (an
/// `a` entry covers everything; the types must otherwise be equal, `*` covers any number); an
/// entry left with no access is removed.
fn dev_whitelist_rm(list: &mut Vec<WhitelistItem>, wh: &WhitelistItem) {
    list.retain_mut(|walk| {
        let covers = walk.kind == DEV_ALL
            || (walk.kind == wh.kind
                && (walk.major == ANY || walk.major == wh.major)
                && (walk.minor == ANY || walk.minor == wh.minor));
        if covers {
            walk.access &= !wh.access;
        }
        walk.access != 0
    });
}

/// `may_access_whitelist`: does some entry of `list` grant all of `refwh`'s access to its
/// device(s)?
fn may_access_whitelist(list: &[WhitelistItem], refwh: &WhitelistItem) -> bool {
    list.iter().any(|w| {
        if w.kind & DEV_ALL != 0 {
            return true;
        }
        if refwh.kind & DEV_BLOCK != 0 && w.kind & DEV_BLOCK == 0 {
            return false;
        }
        if refwh.kind & DEV_CHAR != 0 && w.kind & DEV_CHAR == 0 {
            return false;
        }
        if w.major != ANY && w.major != refwh.major {
            return false;
        }
        if w.minor != ANY && w.minor != refwh.minor {
            return false;
        }
        refwh.access & !w.access == 0
    })
}

/// `devcgroup_seq_read`: `<a|b|c> <major|*>:<minor|*> <access>` per entry, access letters in
/// the order `r`, `w`, `m`.
pub fn devcgroup_seq_read(dev: &DevCgroup) -> String {
    let mut s = String::new();
    for wh in dev.whitelist.lock().iter() {
        let kind = match wh.kind {
            DEV_ALL => 'a',
            DEV_CHAR => 'c',
            DEV_BLOCK => 'b',
            _ => 'X',
        };
        let num = |n: u32| {
            if n == ANY {
                "*".to_string()
            } else {
                n.to_string()
            }
        };
        let mut acc = String::new();
        for (bit, c) in [(ACC_READ, 'r'), (ACC_WRITE, 'w'), (ACC_MKNOD, 'm')] {
            if wh.access & bit != 0 {
                acc.push(c);
            }
        }
        s.push_str(&format!(
            "{kind} {}:{} {acc}\n",
            num(wh.major),
            num(wh.minor)
        ));
    }
    s
}

/// The node a VFS check is about: `S_ISCHR` (`char_dev`) or `S_ISBLK`, and its numbers.
#[derive(Copy, Clone, Debug)]
pub struct DevNode {
    pub char_dev: bool,
    pub major: u32,
    pub minor: u32,
}

/// The entry's type and numbers cover `node` (the first checks of both VFS hooks): an `a`
/// entry covers everything, a `b` entry no character device and a `c` entry no block device.
fn covers_node(wh: &WhitelistItem, node: DevNode) -> bool {
    if wh.kind & DEV_ALL != 0 {
        return true;
    }
    let wrong_type = if node.char_dev {
        wh.kind & DEV_BLOCK != 0
    } else {
        wh.kind & DEV_CHAR != 0
    };
    !wrong_type
        && (wh.major == ANY || wh.major == node.major)
        && (wh.minor == ANY || wh.minor == node.minor)
}

/// `devcgroup_inode_permission(inode, mask)`: Ok if some entry of the task's whitelist grants
/// the read and/or write access asked for, else EPERM (`fs/namei.c` `inode_permission` calls it
/// after the mode check, v2.6.35). An `a` entry grants everything whatever its access bits.
pub fn devcgroup_inode_permission(
    dev: &DevCgroup,
    node: DevNode,
    read: bool,
    write: bool,
) -> Result<(), Errno> {
    let ok = dev.whitelist.lock().iter().any(|wh| {
        let denied = (write && wh.access & ACC_WRITE == 0) || (read && wh.access & ACC_READ == 0);
        covers_node(wh, node) && (wh.kind & DEV_ALL != 0 || !denied)
    });
    if ok { Ok(()) } else { Err(Errno::EPERM) }
}

/// `devcgroup_inode_mknod(mode, dev)`: Ok if some entry grants `m` for the node, else EPERM.
pub fn devcgroup_inode_mknod(dev: &DevCgroup, node: DevNode) -> Result<(), Errno> {
    let ok =
        dev.whitelist.lock().iter().any(|wh| {
            covers_node(wh, node) && (wh.kind & DEV_ALL != 0 || wh.access & ACC_MKNOD != 0)
        });
    if ok { Ok(()) } else { Err(Errno::EPERM) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: u8, major: u32, minor: u32, access: u8) -> WhitelistItem {
        WhitelistItem {
            major,
            minor,
            kind,
            access,
        }
    }

    #[test]
    fn parses_as_devcgroup_update_access() {
        assert_eq!(
            parse_whitelist_line(b"c 1:3 rwm"),
            Ok(item(DEV_CHAR, 1, 3, ACC_MASK))
        );
        assert_eq!(
            parse_whitelist_line(b"b *:* r"),
            Ok(item(DEV_BLOCK, ANY, ANY, ACC_READ))
        );
        // `a` ignores the rest; the access loop reads three letters at most.
        assert_eq!(
            parse_whitelist_line(b"a junk"),
            Ok(item(DEV_ALL, ANY, ANY, ACC_MASK))
        );
        assert_eq!(
            parse_whitelist_line(b"c 1:3 rwmx"),
            Ok(item(DEV_CHAR, 1, 3, ACC_MASK))
        );
        assert_eq!(
            parse_whitelist_line(b"c 1:3"),
            Err(Errno::EINVAL),
            "no space after the minor"
        );
        assert_eq!(parse_whitelist_line(b"c 1:3 "), Ok(item(DEV_CHAR, 1, 3, 0)));
        for bad in [
            &b"x 1:3 r"[..],
            b"c1:3 r",
            b"c a:3 r",
            b"c 1-3 r",
            b"c 1:3 x",
        ] {
            assert_eq!(parse_whitelist_line(bad), Err(Errno::EINVAL), "{bad:?}");
        }
    }

    #[test]
    fn deny_clears_an_all_entry() {
        let mut list = vec![item(DEV_ALL, ANY, ANY, ACC_MASK)];
        dev_whitelist_rm(&mut list, &item(DEV_CHAR, 1, 3, ACC_WRITE));
        assert_eq!(list, vec![item(DEV_ALL, ANY, ANY, ACC_READ | ACC_MKNOD)]);
        dev_whitelist_rm(&mut list, &item(DEV_CHAR, 1, 3, ACC_MASK));
        assert!(list.is_empty());
    }

    #[test]
    fn add_merges_and_parent_check_needs_cover() {
        let mut list = vec![item(DEV_CHAR, 1, 3, ACC_READ)];
        dev_whitelist_add(&mut list, item(DEV_CHAR, 1, 3, ACC_WRITE));
        assert_eq!(list, vec![item(DEV_CHAR, 1, 3, ACC_READ | ACC_WRITE)]);
        assert!(may_access_whitelist(&list, &item(DEV_CHAR, 1, 3, ACC_READ)));
        assert!(!may_access_whitelist(
            &list,
            &item(DEV_CHAR, 1, 3, ACC_MKNOD)
        ));
        assert!(!may_access_whitelist(
            &list,
            &item(DEV_BLOCK, 1, 3, ACC_READ)
        ));
    }
}
