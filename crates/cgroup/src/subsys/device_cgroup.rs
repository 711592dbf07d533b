//! The device controller (`devices_subsys`): which device nodes a cgroup's tasks may open or
//! create. Two models, chosen by the `devices.model` switch of the preset
//! ([`DevicesModel`](crate::DevicesModel)).
//!
//! **Kernel (whitelist, 2.6.26–3.7):** `security/device_cgroup.c`, v2.6.35:
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
//! **Kernel (3.8+, default behaviour plus exceptions):** 3.8's "device_cgroup: convert device_cgroup
//! internally to policy + exceptions" and 3.9's hierarchy support, in `exceptions.rs`
//! (3.10.4 and 3.19.8/4.19 rules).
//!
//! `devcgroup_can_attach` (2.6.26–3.1x: present in 2.6.35 and 3.10.4, gone by 3.19): moving
//! another task (`current != task`) needs CAP_SYS_ADMIN, else EPERM. The core passes the writer
//! of `tasks` as [`SubsysCtx::writer`]; CAP_SYS_ADMIN is euid 0 here (the simulation has no
//! capability sets).
//!
//! **Differences:** none in the rules; `-ENOMEM` paths (`kmemdup` failing) do not exist.

mod exceptions;

pub use self::exceptions::DevcgBehavior;

use crate::DevicesModel;
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

/// `struct dev_whitelist_item` (2.6.35) / `struct dev_exception_item` (3.8+).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct WhitelistItem {
    pub major: u32,
    pub minor: u32,
    /// `DEV_BLOCK`, `DEV_CHAR` or `DEV_ALL`.
    pub kind: u8,
    /// `ACC_*` bits.
    pub access: u8,
}

/// What a `dev_cgroup` holds under `devcgroup_mutex`: the list (the whitelist, or 3.8+'s
/// exceptions) and 3.8+'s default behaviour (always `Allow` in the whitelist model, where it
/// is unused).
#[derive(Clone, Debug)]
pub struct DevList {
    pub behavior: DevcgBehavior,
    pub items: Vec<WhitelistItem>,
}

/// `struct dev_cgroup`.
#[derive(Debug)]
pub struct DevCgroup {
    /// The list in list order (`devices.list` prints it as is) and the behaviour.
    pub state: Mutex<DevList>,
    /// `css.cgroup->parent`'s dev_cgroup (`parent_has_perm`); `None` in a top cgroup.
    parent: Option<Arc<DevCgroup>>,
    model: DevicesModel,
}

impl DevCgroup {
    /// The whitelist (2.6.35) or exception list (3.8+), in list order.
    pub fn items(&self) -> Vec<WhitelistItem> {
        self.state.lock().items.clone()
    }
}

/// The `devices` subsystem of `model`.
#[derive(Clone, Debug, Default)]
pub struct Devices {
    pub model: DevicesModel,
    /// `devcgroup_mutex`: one writer of any cgroup's list at a time (3.8+ writes walk the
    /// descendants).
    mutex: Arc<Mutex<()>>,
}

impl Devices {
    pub fn new(model: DevicesModel) -> Devices {
        Devices {
            model,
            mutex: Arc::default(),
        }
    }
}

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
        let cbs = CallbackSet::MANDATORY.with(SubsysCallback::Populate);
        if self.model.has_can_attach() {
            cbs.with(SubsysCallback::CanAttach)
        } else {
            cbs
        }
    }

    /// `devcgroup_create` (2.6.35: `a *:* rwm` in a top cgroup, a copy of the parent's list
    /// otherwise) / `devcgroup_css_alloc` + `devcgroup_online` (3.10: behaviour allow in a top
    /// cgroup, the parent's behaviour and a copy of its exceptions otherwise).
    fn create(
        &self,
        cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        let _g = self.mutex.lock();
        let parent = cx.parent_css.and_then(|p| p.private::<DevCgroup>());
        let state = match (&parent, self.model) {
            (Some(p), _) => p.state.lock().clone(),
            (None, DevicesModel::Whitelist) => DevList {
                behavior: DevcgBehavior::Allow,
                items: vec![WhitelistItem {
                    major: ANY,
                    minor: ANY,
                    kind: DEV_ALL,
                    access: ACC_MASK,
                }],
            },
            (None, _) => DevList {
                behavior: DevcgBehavior::Allow,
                items: Vec::new(),
            },
        };
        Ok(Arc::new(DevCgroup {
            state: Mutex::new(state),
            parent,
            model: self.model,
        }))
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    /// `devcgroup_can_attach` (2.6.35, 3.10): a writer without CAP_SYS_ADMIN may move only
    /// itself (`current != task && !capable(CAP_SYS_ADMIN)` is EPERM). A move the kernel makes
    /// on its own (no writer) passes.
    fn can_attach(&self, cx: &SubsysCtx<'_, T>, _css: &CssRef, task: TaskRef) -> Result<(), Errno> {
        if !self.model.has_can_attach() {
            return Ok(());
        }
        match cx.writer {
            Some(w) if w.pid != task.pid && !w.cred.euid.is_root() => Err(Errno::EPERM),
            _ => Ok(()),
        }
    }

    fn populate(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        // `dev_cgroup_files[]`: allow and deny are write-only (0200), list read-only (0444).
        for (name, private) in [("allow", DEVCG_ALLOW), ("deny", DEVCG_DENY)] {
            let mutex = Arc::clone(&self.mutex);
            dir.add_file(
                Cftype::new(name)
                    .with_private(private)
                    .write_string(move |cx, buf| {
                        let _g = mutex.lock();
                        devcgroup_access_write(cx, buf)
                    }),
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

/// `devcgroup_access_write`: the CAP_SYS_ADMIN check, then `devcgroup_update_access` of the
/// model. The caller holds `devcgroup_mutex`.
fn devcgroup_access_write<T: Tracer>(cx: &CftCtx<'_, T>, buf: &str) -> Result<(), Errno> {
    if !cx.cred.euid.is_root() {
        return Err(Errno::EPERM);
    }
    let dev = dev_cgroup(cx)?;
    if dev.model != DevicesModel::Whitelist {
        return exceptions::devcgroup_update_access(cx, &dev, cx.private == DEVCG_ALLOW, buf);
    }
    let wh = parse_whitelist_line(buf.as_bytes())?;
    match cx.private {
        DEVCG_ALLOW => {
            if let Some(parent) = &dev.parent
                && !may_access_whitelist(&parent.state.lock().items, &wh)
            {
                return Err(Errno::EPERM);
            }
            dev_whitelist_add(&mut dev.state.lock().items, wh);
            Ok(())
        }
        DEVCG_DENY => {
            dev_whitelist_rm(&mut dev.state.lock().items, &wh);
            Ok(())
        }
        _ => Err(Errno::EINVAL),
    }
}

/// The parser of `devcgroup_update_access` (2.6.35): `a` (anything after it is ignored), or
/// `b|c <space> MAJOR|* : MINOR|* <space> [rwm]{0,3}`. Up to three access letters are read; a
/// fourth character and beyond are ignored, an unknown letter among the first three is EINVAL.
/// Numbers are read with `simple_strtoul` and stored in a `u32` (they wrap).
pub fn parse_whitelist_line(b: &[u8]) -> Result<WhitelistItem, Errno> {
    parse_line(b, majmin_strtoul)
}

/// A major or minor number reader: the number (`ANY` for `*`) and the index after it.
type MajMinFn = fn(&[u8], usize) -> Result<(u32, usize), Errno>;

/// The shared shape of both versions' parsers; `majmin` reads a major or minor number.
fn parse_line(b: &[u8], majmin: MajMinFn) -> Result<WhitelistItem, Errno> {
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
fn majmin_strtoul(b: &[u8], i: usize) -> Result<(u32, usize), Errno> {
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

/// `dev_whitelist_add` / `dev_exception_add`: an entry with the same type, major and minor gets
/// the new access bits; otherwise the entry is appended.
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
    list.iter()
        .any(|w| w.kind & DEV_ALL != 0 || covers_fully(w, refwh))
}

/// The test of 2.6.35's `may_access_whitelist` after its `DEV_ALL` case, and of 3.8+'s
/// `match_exception` (`may_access` in 3.10): `w` covers `refwh`'s type, numbers and access.
fn covers_fully(w: &WhitelistItem, refwh: &WhitelistItem) -> bool {
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
}

/// `devcgroup_seq_read`: `<a|b|c> <major|*>:<minor|*> <access>` per entry, access letters in
/// the order `r`, `w`, `m`. 3.8+ prints `a *:* rwm` alone while the behaviour is allow (the
/// exceptions are then a deny list, and are not shown), the exceptions otherwise.
pub fn devcgroup_seq_read(dev: &DevCgroup) -> String {
    let st = dev.state.lock();
    let all = [WhitelistItem {
        major: ANY,
        minor: ANY,
        kind: DEV_ALL,
        access: ACC_MASK,
    }];
    let items: &[WhitelistItem] =
        if dev.model != DevicesModel::Whitelist && st.behavior == DevcgBehavior::Allow {
            &all
        } else {
            &st.items
        };
    let mut s = String::new();
    for wh in items {
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

impl DevNode {
    fn as_item(self, access: u8) -> WhitelistItem {
        WhitelistItem {
            major: self.major,
            minor: self.minor,
            kind: if self.char_dev { DEV_CHAR } else { DEV_BLOCK },
            access,
        }
    }
}

/// The entry's type and numbers cover `node` (the first checks of both 2.6.35 VFS hooks): an
/// `a` entry covers everything, a `b` entry no character device and a `c` entry no block
/// device.
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

/// `devcgroup_inode_permission(inode, mask)`: Ok if the task's cgroup grants the read and/or
/// write access asked for, else EPERM (`fs/namei.c` `inode_permission` calls it after the mode
/// check). 2.6.35: some whitelist entry grants it (an `a` entry grants everything whatever its
/// access bits). 3.8+: `__devcgroup_check_permission`, see `exceptions.rs`.
pub fn devcgroup_inode_permission(
    dev: &DevCgroup,
    node: DevNode,
    read: bool,
    write: bool,
) -> Result<(), Errno> {
    let st = dev.state.lock();
    if dev.model != DevicesModel::Whitelist {
        let mut access = 0;
        if write {
            access |= ACC_WRITE;
        }
        if read {
            access |= ACC_READ;
        }
        return exceptions::check_permission(dev.model, &st, &node.as_item(access));
    }
    let ok = st.items.iter().any(|wh| {
        let denied = (write && wh.access & ACC_WRITE == 0) || (read && wh.access & ACC_READ == 0);
        covers_node(wh, node) && (wh.kind & DEV_ALL != 0 || !denied)
    });
    if ok { Ok(()) } else { Err(Errno::EPERM) }
}

/// `devcgroup_inode_mknod(mode, dev)`: Ok if the cgroup grants `m` for the node, else EPERM.
pub fn devcgroup_inode_mknod(dev: &DevCgroup, node: DevNode) -> Result<(), Errno> {
    let st = dev.state.lock();
    if dev.model != DevicesModel::Whitelist {
        return exceptions::check_permission(dev.model, &st, &node.as_item(ACC_MKNOD));
    }
    let ok = st
        .items
        .iter()
        .any(|wh| covers_node(wh, node) && (wh.kind & DEV_ALL != 0 || wh.access & ACC_MKNOD != 0));
    if ok { Ok(()) } else { Err(Errno::EPERM) }
}

#[cfg(test)]
mod tests;
