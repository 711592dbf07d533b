//! The process number controller (`pids_cgrp_subsys`): a hierarchical limit on the number of
//! tasks (processes and threads) a cgroup's subtree may hold, enforced at fork.
//!
//! **Kernel:** `kernel/cgroup/pids.c` (4.3+; as in v4.19 and v6.6, which differ only in where
//! the uncharge of a dead task happens, see [`Pids::release`]). Each css has a `counter` and a
//! `limit`; `pids_try_charge` adds one to every level from the task's css up to (not
//! including) the root and undoes it all if one level goes over its limit, so a fork is allowed
//! iff every non-root ancestor has room; the refusal is `-EAGAIN` from `copy_process`.
//! `pids_can_attach` moves the charge with `pids_charge`, which never fails: migration is never
//! refused and may leave a cgroup over its limit. The root css is never charged
//! (`parent_pids(p)` is NULL there) and has no files (`CFTYPE_NOT_ON_ROOT`). The same three
//! files exist on v1 and v2 (`pids_files[]` is both `legacy_cftypes` and `dfl_cftypes` in
//! 6.6): `pids.max` (`max` or a number in `0..PIDS_MAX`, parsed by `kstrtoll(buf, 0)` after
//! `strstrip`: EINVAL, ERANGE on overflow), `pids.current`, `pids.events` (`max N`: the forks
//! refused in this cgroup, counted on the forking task's css whichever level was full).
//! The first refusal in a css logs `cgroup: fork rejected by pids controller in <path>` (not
//! ratelimited: once per css); each refusal notifies `pids.events` (`cgroup_file_notify`).
//! `pids.peak` and `pids.events.local` are later than 6.6 (6.6's `pids.c` has neither), so
//! neither preset has them.
//!
//! **Differences:** the task a css was charged for is remembered here (`Pids::charged`)
//! instead of being read from the task's css_set at release (`task_css(task, pids_cgrp_id)`),
//! because the core moves an exiting task to `init_css_set` in the older presets; the effect is
//! the kernel's: a zombie keeps its charge in the css it died in until it is reaped. Tasks that
//! exist before the controller is registered (init) are charged nowhere, as in the kernel,
//! where the root counter they would be in is never read. The kernel's log line goes through
//! a queue the Kernel drains (see [`PidsShared::take_rejected`]), because the path is the
//! core's to compute.

use crate::cftype::{CFTYPE_NOT_ON_ROOT, CftCtx, Cftype};
use crate::cgroup::CgroupId;
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx, TaskRef};
use cgsim_ktypes::{Errno, Pid, Tracer};
use std::any::Any;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// `PID_MAX_LIMIT` on 64-bit (`4 * 1024 * 1024`).
pub const PID_MAX_LIMIT: i64 = 4 * 1024 * 1024;
/// `PIDS_MAX`: `PID_MAX_LIMIT + 1`, the limit that reads `max`.
pub const PIDS_MAX: i64 = PID_MAX_LIMIT + 1;

/// `struct pids_cgroup`: one css's counter, limit and refusal count.
#[doc(alias = "pids_cgroup")]
#[derive(Debug)]
pub struct PidsCgroup {
    /// `counter`: tasks charged here or below.
    pub counter: AtomicI64,
    /// `limit` (`PIDS_MAX` = unlimited).
    pub limit: AtomicI64,
    /// `events_limit`: forks refused in this cgroup (`pids.events` `max`).
    pub events_limit: AtomicI64,
    /// `css.parent` (`None` for the root css, which is never charged).
    parent: Option<Arc<PidsCgroup>>,
    /// `css.cgroup`, for the log line.
    cgrp: CgroupId,
}

impl PidsCgroup {
    /// `parent_pids(p)` is NULL at the root: the charge loops stop before it.
    fn is_root(&self) -> bool {
        self.parent.is_none()
    }

    /// The charged levels from `self` up to, not including, the root.
    fn levels(self: &Arc<Self>) -> impl Iterator<Item = &PidsCgroup> {
        std::iter::successors(Some(&**self), |p| p.parent.as_deref()).filter(|p| !p.is_root())
    }

    /// `pids_charge`: add `num` at every level, whatever the limits.
    #[doc(alias = "pids_charge")]
    fn charge(self: &Arc<Self>, num: i64) {
        for p in self.levels() {
            p.counter.fetch_add(num, Ordering::Relaxed);
        }
    }

    /// `pids_uncharge` -> `pids_cancel` at every level. A count going below 0 is a controller
    /// bug (`WARN_ON_ONCE` in the kernel): it cannot happen here, as every uncharge follows
    /// a recorded charge.
    #[doc(alias = "pids_uncharge")]
    fn uncharge(self: &Arc<Self>, num: i64) {
        for p in self.levels() {
            let new = p.counter.fetch_sub(num, Ordering::Relaxed) - num;
            debug_assert!(new >= 0, "pids counter below 0");
        }
    }

    /// `pids_try_charge`: add one level at a time; if a level goes over its limit, take the
    /// charge back from it and every level below it and fail with EAGAIN.
    #[doc(alias = "pids_try_charge")]
    fn try_charge(self: &Arc<Self>, num: i64) -> Result<(), Errno> {
        let mut done: Vec<&PidsCgroup> = Vec::new();
        for p in self.levels() {
            let new = p.counter.fetch_add(num, Ordering::Relaxed) + num;
            if new > p.limit.load(Ordering::Relaxed) {
                p.counter.fetch_sub(num, Ordering::Relaxed);
                for q in done {
                    q.counter.fetch_sub(num, Ordering::Relaxed);
                }
                return Err(Errno::EAGAIN);
            }
            done.push(p);
        }
        Ok(())
    }
}

/// What the controller shares with the Kernel: which css each task is charged to, and the
/// first refusals to log.
#[derive(Debug, Default)]
pub struct PidsShared {
    /// Task -> the css it is charged to (see the module's Differences).
    charged: Mutex<BTreeMap<Pid, Arc<PidsCgroup>>>,
    /// Cgroups whose first refusal is to be logged (`pr_info` in `pids_can_fork`).
    rejected: Mutex<Vec<CgroupId>>,
}

impl PidsShared {
    /// The cgroups whose first fork refusal happened since the last call, to log as
    /// `cgroup: fork rejected by pids controller in <path>` (KERN_INFO).
    pub fn take_rejected(&self) -> Vec<CgroupId> {
        std::mem::take(&mut *lock(&self.rejected))
    }

    /// The css `pid` is charged to (`None` if it is charged nowhere): its cgroup and the
    /// counter, for tests.
    pub fn charged_to(&self, pid: Pid) -> Option<CgroupId> {
        lock(&self.charged).get(&pid).map(|p| p.cgrp)
    }
}

fn lock<X>(m: &Mutex<X>) -> std::sync::MutexGuard<'_, X> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The `pids` subsystem.
#[derive(Debug, Default)]
pub struct Pids {
    pub shared: Arc<PidsShared>,
}

impl Pids {
    pub fn new(shared: Arc<PidsShared>) -> Pids {
        Pids { shared }
    }
}

fn pids_of(css: &CssRef) -> Option<Arc<PidsCgroup>> {
    css.private::<PidsCgroup>()
}

fn cx_pids<T: Tracer>(cx: &CftCtx<'_, T>) -> Result<Arc<PidsCgroup>, Errno> {
    cx.css.as_ref().and_then(pids_of).ok_or(Errno::ENODEV)
}

impl<T: Tracer> CgroupSubsys<T> for Pids {
    fn name(&self) -> &'static str {
        "pids"
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY
            .with(SubsysCallback::CanAttach)
            .with(SubsysCallback::CancelAttach)
            .with(SubsysCallback::Populate)
    }

    /// `pids_cgrp_subsys.threaded = true` (6.6).
    fn threaded(&self) -> bool {
        true
    }

    /// `pids_css_alloc`: counter 0, limit `PIDS_MAX`, no events.
    fn create(
        &self,
        cx: &SubsysCtx<'_, T>,
        css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        Ok(Arc::new(PidsCgroup {
            counter: AtomicI64::new(0),
            limit: AtomicI64::new(PIDS_MAX),
            events_limit: AtomicI64::new(0),
            parent: cx.parent_css.and_then(pids_of),
            cgrp: css.cgroup(),
        }))
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    /// `pids_can_attach` (the charge moves; never refused). The kernel moves it in
    /// `can_attach` and moves it back in `cancel_attach`; here it moves once, in `attach`,
    /// which comes only when the migration goes through: the same counts.
    fn attach(&self, _cx: &SubsysCtx<'_, T>, css: &CssRef, _old: &CssRef, task: TaskRef) {
        let Some(new) = pids_of(css) else { return };
        let mut charged = lock(&self.shared.charged);
        if let Some(old) = charged.get(&task.pid) {
            if Arc::ptr_eq(old, &new) {
                return;
            }
            old.uncharge(1);
        }
        new.charge(1);
        charged.insert(task.pid, new);
    }

    /// `pids_can_fork`: `pids_try_charge(pids, 1)`; on EAGAIN, `events_limit` of the forking
    /// task's css goes up, the first time with the log line, and `pids.events` is notified.
    fn can_fork(&self, css: &CssRef, task: TaskRef) -> Result<(), Errno> {
        let Some(p) = pids_of(css) else { return Ok(()) };
        match p.try_charge(1) {
            Ok(()) => {
                lock(&self.shared.charged).insert(task.pid, p);
                Ok(())
            }
            Err(e) => {
                if p.events_limit.fetch_add(1, Ordering::Relaxed) == 0 {
                    lock(&self.shared.rejected).push(p.cgrp);
                }
                Err(e)
            }
        }
    }

    /// `pids_cancel_fork`: `pids_uncharge(pids, 1)`.
    fn cancel_fork(&self, _css: &CssRef, task: TaskRef) {
        if let Some(p) = lock(&self.shared.charged).remove(&task.pid) {
            p.uncharge(1);
        }
    }

    /// 6.6 `pids_release` (from `release_task`) and 4.19 `pids_free` (from
    /// `__put_task_struct`, once the reaped task's last reference goes): either way a zombie
    /// keeps its charge until it is reaped.
    fn release(&self, task: Pid) {
        if let Some(p) = lock(&self.shared.charged).remove(&task) {
            p.uncharge(1);
        }
    }

    fn populate(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        dir.add_files(files())
    }
}

/// `pids_files[]`, v1 and v2 alike (v4.19, v6.6).
fn files<T: Tracer>() -> Vec<Cftype<T>> {
    vec![
        Cftype::new("max")
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .read_seq_string(|cx| {
                let limit = cx_pids(cx)?.limit.load(Ordering::Relaxed);
                Ok(if limit >= PIDS_MAX {
                    "max\n".to_string()
                } else {
                    format!("{limit}\n")
                })
            })
            .write_raw(|cx, data| {
                let p = cx_pids(cx)?;
                p.limit.store(parse_max(data)?, Ordering::Relaxed);
                Ok(data.len())
            }),
        Cftype::new("current")
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .read_s64(|cx| Ok(cx_pids(cx)?.counter.load(Ordering::Relaxed))),
        Cftype::new("events")
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .read_seq_string(|cx| {
                let n = cx_pids(cx)?.events_limit.load(Ordering::Relaxed);
                Ok(format!("max {n}\n"))
            }),
    ]
}

/// `pids_max_write`'s parse: `strstrip`, then `max` or `kstrtoll(buf, 0)` in
/// `0..PIDS_MAX` (EINVAL outside; kstrtoll's own EINVAL and ERANGE).
pub fn parse_max(data: &[u8]) -> Result<i64, Errno> {
    let s = cgsim_ktypes::parse::strstrip(cgsim_ktypes::parse::until_nul(data));
    if s == b"max" {
        return Ok(PIDS_MAX);
    }
    let limit = kstrtoll(s)?;
    if !(0..PIDS_MAX).contains(&limit) {
        return Err(Errno::EINVAL);
    }
    Ok(limit)
}

/// `kstrtoll(s, 0)` (`lib/kstrtox.c`): `-` then `_kstrtoull`, or `kstrtoull` (which skips one
/// `+`); the base from the prefix (`0x` followed by a hex digit: 16, `0`: 8, else 10); at least
/// one digit; an overflow is ERANGE (checked before the rest); then at most one newline.
pub fn kstrtoll(s: &[u8]) -> Result<i64, Errno> {
    let (neg, rest) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let v = kstrtoull_base0(rest)?;
    if neg {
        // `if ((long long)-tmp > 0) return -ERANGE`.
        let n = (v as i64).wrapping_neg();
        if n > 0 {
            return Err(Errno::ERANGE);
        }
        Ok(n)
    } else {
        i64::try_from(v).map_err(|_| Errno::ERANGE)
    }
}

/// `_kstrtoull(s, 0)`.
fn kstrtoull_base0(s: &[u8]) -> Result<u64, Errno> {
    let (base, mut i) = match s {
        [b'0', x, h, ..] if x | 0x20 == b'x' && h.is_ascii_hexdigit() => (16u64, 2),
        [b'0', ..] => (8, 0),
        _ => (10, 0),
    };
    let start = i;
    let mut v: u64 = 0;
    let mut overflow = false;
    while let Some(&c) = s.get(i) {
        let d = match c {
            b'0'..=b'9' => u64::from(c - b'0'),
            b'a'..=b'f' => u64::from(c - b'a' + 10),
            b'A'..=b'F' => u64::from(c - b'A' + 10),
            _ => break,
        };
        if d >= base {
            break;
        }
        match v.checked_mul(base).and_then(|x| x.checked_add(d)) {
            Some(n) => v = n,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return Err(Errno::EINVAL);
    }
    if overflow {
        return Err(Errno::ERANGE);
    }
    let rest = &s[i..];
    if !(rest.is_empty() || rest == b"\n") {
        return Err(Errno::EINVAL);
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pids_max_parses_as_pids_max_write() {
        assert_eq!(parse_max(b"max\n"), Ok(PIDS_MAX));
        assert_eq!(parse_max(b"  max  "), Ok(PIDS_MAX));
        assert_eq!(parse_max(b"10\n"), Ok(10));
        assert_eq!(parse_max(b"0"), Ok(0));
        assert_eq!(parse_max(b"0x10"), Ok(16));
        assert_eq!(parse_max(b"010"), Ok(8));
        assert_eq!(parse_max(b"+5"), Ok(5));
        assert_eq!(parse_max(b"-0"), Ok(0));
        assert_eq!(parse_max(b"4194304"), Ok(PID_MAX_LIMIT));
        assert_eq!(parse_max(b"4194305"), Err(Errno::EINVAL));
        assert_eq!(parse_max(b"-1"), Err(Errno::EINVAL));
        assert_eq!(parse_max(b""), Err(Errno::EINVAL));
        assert_eq!(parse_max(b"Max"), Err(Errno::EINVAL));
        assert_eq!(parse_max(b"08"), Err(Errno::EINVAL));
        assert_eq!(parse_max(b"1 2"), Err(Errno::EINVAL));
        assert_eq!(parse_max(b"0x"), Err(Errno::EINVAL));
        assert_eq!(parse_max(b"-+1"), Err(Errno::EINVAL));
        assert_eq!(parse_max(b"99999999999999999999"), Err(Errno::ERANGE));
        assert_eq!(parse_max(b"99999999999999999999x"), Err(Errno::ERANGE));
        assert_eq!(parse_max(b"9223372036854775808"), Err(Errno::ERANGE));
    }
}
