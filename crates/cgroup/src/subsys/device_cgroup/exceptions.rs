//! The 3.8+ device controller: a default behaviour (allow or deny) plus a list of exceptions to
//! it, kept hierarchical (a child never gets more than its parent).
//!
//! **Kernel:** `security/device_cgroup.c`, v3.10.4 (`devices.model=exceptions_3_10`) and
//! v3.19.8 / v4.19 (`exceptions_3_19`, the same rules in both trees):
//! - `devcgroup_online`: a top cgroup's behaviour is allow with no exceptions; a child copies
//!   its parent's behaviour and exceptions.
//! - `devcgroup_update_access`: CAP_SYS_ADMIN (EPERM). `a` written to `devices.allow` or
//!   `devices.deny` is EINVAL while the cgroup has children; `allow` needs a parent whose
//!   behaviour is allow (`may_allow_all`, EPERM), clears the exceptions and copies the
//!   parent's; `deny` clears the exceptions. Either sets the behaviour. Otherwise the line is
//!   parsed (numbers with `kstrtou32` of at most 11 digits: a larger number is EINVAL, where
//!   2.6.35's `simple_strtoul` wrapped) into an exception, and:
//!   - `devices.allow` in an allow cgroup removes a matching exception (3.19+: only if
//!     `parent_allows_removal`, else EPERM); in a deny cgroup it adds one if `parent_has_perm`
//!     (EPERM otherwise; 3.10 checks `parent_has_perm` first in both cases).
//!   - `devices.deny` adds an exception to an allow cgroup, removes one from a deny cgroup,
//!     then `propagate_exception` walks the descendants (pre-order): a descendant whose
//!     behaviour, like the writer's, is allow gets the exception added; any other has it
//!     removed; then `revalidate_active_exceptions` drops each of its exceptions the parent no
//!     longer permits.
//! - `parent_has_perm` → `may_access` (3.10) / `verify_new_ex` (3.19+) against the parent:
//!   a parent with behaviour allow permits anything to a child with behaviour allow; to a
//!   child with behaviour deny (which adds access with each exception) an exception that
//!   matches none of the parent's exceptions (3.10: no parent exception covers it entirely;
//!   3.19+: no parent exception overlaps it at all, `match_exception_partial`); a parent with
//!   behaviour deny permits an exception one of its own covers entirely (`match_exception`).
//! - `dev_exception_add` merges the access bits of an exception with the same type and
//!   numbers; `dev_exception_rm` clears bits in the exception with the same type and numbers
//!   only (2.6.35's `dev_whitelist_rm` also cleared them in covering entries) and drops it
//!   when none are left.
//! - `__devcgroup_check_permission` (open and mknod): in a deny cgroup an exception must cover
//!   the access entirely. In an allow cgroup 3.19+ refuses an access that overlaps any
//!   exception (`match_exception_partial`); 3.10.4 calls `may_access(dev_cgroup, &ex,
//!   dev_cgroup->behavior)`, which returns true for allow/allow before looking at the list,
//!   so 3.10.4 does not enforce the exceptions of an allow cgroup at open or mknod time (they
//!   still limit what children may be given). cgsim follows each tree as written.

use super::{
    ACC_MASK, DEV_ALL, DevCgroup, DevList, WhitelistItem, covers_fully, dev_whitelist_add,
    parse_line,
};
use crate::DevicesModel;
use crate::cftype::CftCtx;
use crate::cgroup::CgroupId;
use cgsim_ktypes::{Errno, Tracer};
use std::sync::Arc;

/// `enum devcg_behavior` (`DEVCG_DEFAULT_NONE`, an offline cgroup, is not needed: a removed
/// cgroup is no longer among its parent's children).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DevcgBehavior {
    /// `DEVCG_DEFAULT_ALLOW`: every device but the exceptions.
    Allow,
    /// `DEVCG_DEFAULT_DENY`: no device but the exceptions.
    Deny,
}

/// `devcgroup_update_access` (3.10.4 / 3.19+) for a write of `buf` to `devices.allow`
/// (`allow`) or `devices.deny`. The caller holds `devcgroup_mutex` and checked CAP_SYS_ADMIN.
pub(super) fn devcgroup_update_access<T: Tracer>(
    cx: &CftCtx<'_, T>,
    dev: &DevCgroup,
    allow: bool,
    buf: &str,
) -> Result<(), Errno> {
    let b = buf.as_bytes();
    let parent = dev.parent.as_deref();
    if b.first() == Some(&b'a') {
        // `has_children` (3.10) / `css_has_online_children` (3.19+).
        if !cx.core.children(cx.cgrp)?.is_empty() {
            return Err(Errno::EINVAL);
        }
        if allow {
            // `may_allow_all`.
            let parent_items = match parent {
                None => Vec::new(),
                Some(p) => {
                    let ps = p.state.lock();
                    if ps.behavior != DevcgBehavior::Allow {
                        return Err(Errno::EPERM);
                    }
                    ps.items.clone()
                }
            };
            *dev.state.lock() = DevList {
                behavior: DevcgBehavior::Allow,
                items: parent_items,
            };
        } else {
            *dev.state.lock() = DevList {
                behavior: DevcgBehavior::Deny,
                items: Vec::new(),
            };
        }
        return Ok(());
    }
    let ex = parse_line(b, majmin_kstrtou32)?;
    debug_assert!(ex.kind != DEV_ALL);
    let behavior = dev.state.lock().behavior;
    if allow {
        if dev.model == DevicesModel::Exceptions3_10 {
            if !parent_has_perm(dev.model, parent, behavior, &ex) {
                return Err(Errno::EPERM);
            }
            let mut st = dev.state.lock();
            if behavior == DevcgBehavior::Allow {
                dev_exception_rm(&mut st.items, &ex);
            } else {
                dev_whitelist_add(&mut st.items, ex);
            }
            return Ok(());
        }
        if behavior == DevcgBehavior::Allow {
            if !parent_allows_removal(parent, behavior, &ex) {
                return Err(Errno::EPERM);
            }
            dev_exception_rm(&mut dev.state.lock().items, &ex);
            return Ok(());
        }
        if !parent_has_perm(dev.model, parent, behavior, &ex) {
            return Err(Errno::EPERM);
        }
        dev_whitelist_add(&mut dev.state.lock().items, ex);
        return Ok(());
    }
    {
        let mut st = dev.state.lock();
        if behavior == DevcgBehavior::Deny {
            dev_exception_rm(&mut st.items, &ex);
        } else {
            dev_whitelist_add(&mut st.items, ex);
        }
    }
    // "we only propagate new restrictions".
    propagate_exception(cx, behavior, &ex)
}

/// `propagate_exception`: the descendants of the written cgroup in pre-order (a parent before
/// its children, so each revalidation sees its parent's final list).
fn propagate_exception<T: Tracer>(
    cx: &CftCtx<'_, T>,
    root_behavior: DevcgBehavior,
    ex: &WhitelistItem,
) -> Result<(), Errno> {
    let subsys_id = cx.css.as_ref().ok_or(Errno::ENODEV)?.subsys_id();
    let mut stack: Vec<CgroupId> = cx.core.children(cx.cgrp)?.into_iter().rev().collect();
    while let Some(cgrp) = stack.pop() {
        let Some(devcg) = cx
            .core
            .cgroup_css(cgrp, subsys_id)?
            .and_then(|c| c.private::<DevCgroup>())
        else {
            continue;
        };
        propagate_one(&devcg, root_behavior, ex);
        stack.extend(cx.core.children(cgrp)?.into_iter().rev());
    }
    Ok(())
}

/// One step of `propagate_exception`: add or remove `ex`, then
/// `revalidate_active_exceptions`.
fn propagate_one(devcg: &Arc<DevCgroup>, root_behavior: DevcgBehavior, ex: &WhitelistItem) {
    let (parent_behavior, parent_items) = match devcg.parent.as_deref() {
        Some(p) => {
            let ps = p.state.lock();
            (Some(ps.behavior), ps.items.clone())
        }
        None => (None, Vec::new()),
    };
    let mut st = devcg.state.lock();
    if root_behavior == DevcgBehavior::Allow && st.behavior == DevcgBehavior::Allow {
        dev_whitelist_add(&mut st.items, *ex);
    } else {
        dev_exception_rm(&mut st.items, ex);
    }
    // `revalidate_active_exceptions`: each exception `parent_has_perm` refuses is removed.
    if let Some(pb) = parent_behavior {
        let behavior = st.behavior;
        st.items
            .retain(|e| verify_new_ex(devcg.model, pb, &parent_items, behavior, e));
    }
}

/// `parent_has_perm(childcg, ex)`: a top cgroup may have anything.
fn parent_has_perm(
    model: DevicesModel,
    parent: Option<&DevCgroup>,
    child_behavior: DevcgBehavior,
    ex: &WhitelistItem,
) -> bool {
    let Some(p) = parent else { return true };
    let ps = p.state.lock();
    verify_new_ex(model, ps.behavior, &ps.items, child_behavior, ex)
}

/// `verify_new_ex` (3.19+) / `may_access` (3.10.4) of a parent with `behavior` and
/// `exceptions` for an exception `refex` of a child whose behaviour is `child_behavior`.
fn verify_new_ex(
    model: DevicesModel,
    behavior: DevcgBehavior,
    exceptions: &[WhitelistItem],
    child_behavior: DevcgBehavior,
    refex: &WhitelistItem,
) -> bool {
    match (behavior, child_behavior) {
        // "new exception in the child doesn't matter, only adding extra restrictions".
        (DevcgBehavior::Allow, DevcgBehavior::Allow) => true,
        (DevcgBehavior::Allow, DevcgBehavior::Deny) => {
            if model == DevicesModel::Exceptions3_10 {
                !match_exception(exceptions, refex)
            } else {
                !match_exception_partial(exceptions, refex)
            }
        }
        (DevcgBehavior::Deny, _) => match_exception(exceptions, refex),
    }
}

/// `parent_allows_removal` (3.19+): a child with behaviour allow may drop an exception only if
/// it overlaps none of the parent's.
fn parent_allows_removal(
    parent: Option<&DevCgroup>,
    child_behavior: DevcgBehavior,
    ex: &WhitelistItem,
) -> bool {
    let Some(p) = parent else { return true };
    if child_behavior == DevcgBehavior::Deny {
        return true;
    }
    !match_exception_partial(&p.state.lock().items, ex)
}

/// `match_exception`: some exception covers the type, the numbers and every access bit.
fn match_exception(exceptions: &[WhitelistItem], refex: &WhitelistItem) -> bool {
    exceptions.iter().any(|e| covers_fully(e, refex))
}

/// `match_exception_partial` (3.19+): some exception of the type overlaps the numbers (`*`
/// on either side overlaps anything) and shares at least one access bit.
fn match_exception_partial(exceptions: &[WhitelistItem], refex: &WhitelistItem) -> bool {
    use super::{ANY, DEV_BLOCK, DEV_CHAR};
    exceptions.iter().any(|e| {
        if refex.kind & DEV_BLOCK != 0 && e.kind & DEV_BLOCK == 0 {
            return false;
        }
        if refex.kind & DEV_CHAR != 0 && e.kind & DEV_CHAR == 0 {
            return false;
        }
        if e.major != ANY && refex.major != ANY && e.major != refex.major {
            return false;
        }
        if e.minor != ANY && refex.minor != ANY && e.minor != refex.minor {
            return false;
        }
        refex.access & e.access != 0
    })
}

/// `dev_exception_rm`: clear `ex`'s access bits in the exception with the same type and
/// numbers; drop it when none are left.
fn dev_exception_rm(list: &mut Vec<WhitelistItem>, ex: &WhitelistItem) {
    list.retain_mut(|walk| {
        if walk.kind == ex.kind && walk.major == ex.major && walk.minor == ex.minor {
            walk.access &= !ex.access;
        }
        walk.access != 0
    });
}

/// `__devcgroup_check_permission` for the access `ex` (a node's type and numbers, `ACC_*` bits)
/// against the cgroup's state.
pub(super) fn check_permission(
    model: DevicesModel,
    st: &DevList,
    ex: &WhitelistItem,
) -> Result<(), Errno> {
    debug_assert!(ex.access & !ACC_MASK == 0);
    let ok = match st.behavior {
        // 3.10.4 `may_access(dev_cgroup, &ex, dev_cgroup->behavior)`: allow/allow is true.
        DevcgBehavior::Allow if model == DevicesModel::Exceptions3_10 => true,
        // "Can't match any of the exceptions, even partially".
        DevcgBehavior::Allow => !match_exception_partial(&st.items, ex),
        // "Need to match completely one exception to be allowed".
        DevcgBehavior::Deny => match_exception(&st.items, ex),
    };
    if ok { Ok(()) } else { Err(Errno::EPERM) }
}

/// 3.10+'s major/minor reader: `*`, or up to 11 digits copied and converted with `kstrtou32`
/// (a value above `u32::MAX` is EINVAL); a 12th digit is left in place, where the caller's
/// check of the next character (`:` or a space) fails with EINVAL.
fn majmin_kstrtou32(b: &[u8], i: usize) -> Result<(u32, usize), Errno> {
    match b.get(i) {
        Some(b'*') => Ok((super::ANY, i + 1)),
        Some(c) if c.is_ascii_digit() => {
            let n = b[i..]
                .iter()
                .take(11)
                .take_while(|c| c.is_ascii_digit())
                .count();
            let text = std::str::from_utf8(&b[i..i + n]).map_err(|_| Errno::EINVAL)?;
            let v: u32 = text.parse().map_err(|_| Errno::EINVAL)?;
            Ok((v, i + n))
        }
        _ => Err(Errno::EINVAL),
    }
}

#[cfg(test)]
pub(super) fn parse_exception_line(b: &[u8]) -> Result<WhitelistItem, Errno> {
    parse_line(b, majmin_kstrtou32)
}
