//! res_counter: the byte counter with a lock per level that memcg used from 2.6.25 to 3.18.
//!
//! **Kernel:** `kernel/res_counter.c`, `include/linux/res_counter.h`, 2.6.25–3.18.
//! Hierarchy (a parent per counter and the level-by-level charge walk) is the 2.6.29 version;
//! `soft_limit` is 2.6.32+; `res_counter_charge_nofail` and `res_counter_uncharge_until` are 3.x.
//! The lock is a type parameter: [`SpinResCounter`] is the kernel's design,
//! [`MutexResCounter`] shows what a sleeping lock would cost.
//!
//! **Differences:** `max_usage` is maintained in every version (it appeared in 2.6.26); a charge
//! whose `usage + val` would overflow 64 bits is refused like one over the limit, where the
//! kernel would wrap (no caller can get there: charges are pages).
//! **Locking:** each level's [`ResLock`] protects that level's [`ResState`]; the walk holds one
//! level's lock at a time, never two, so there is no lock order between levels.

use std::sync::Arc;

use cgsim_ktypes::parse::{MemparseSuffixes, memparse, simple_strtoull, strip_trailing, until_nul};
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{Bytes, CpuId, Errno, PAGE_SHIFT, Pages};
use crossbeam_utils::CachePadded;

use crate::counter::{Counter, StockTarget, Underflow};
use crate::res_lock::{MutexLock, ResLock, ResState, SpinLock};

/// The kernel's res_counter, with a spinning lock per level.
pub type SpinResCounter = ResCounter<SpinLock>;
/// res_counter with a `parking_lot::Mutex` per level (a sleeping lock; not the kernel's design).
pub type MutexResCounter = ResCounter<MutexLock>;

/// `RESOURCE_MAX`: "unlimited" for 2.6.25–3.11 (`LLONG_MAX`, `include/linux/res_counter.h`).
pub const RESOURCE_MAX: u64 = i64::MAX as u64;
/// `RES_COUNTER_MAX`: "unlimited" for 3.12–3.18 (`ULLONG_MAX`, `include/linux/res_counter.h`).
pub const RES_COUNTER_MAX: u64 = u64::MAX;

/// What the kernel version decides about a res_counter (`include/linux/res_counter.h` `RESOURCE_MAX`; `kernel/res_counter.c` `res_counter_write`, `res_counter_memparse_write_strategy`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ResCounterProfile {
    /// The "unlimited" value a new counter starts with and `-1` writes.
    pub unlimited: u64,
    /// Whether `-1` means unlimited (2.6.31+); before, it is `EINVAL`.
    pub minus_one_unlimited: bool,
    /// Whether rounding up past `u64::MAX` gives `unlimited` (3.12+); before, it wraps to 0.
    pub clamp_round_up: bool,
    /// Which `memparse` suffixes exist.
    pub suffixes: MemparseSuffixes,
}

impl ResCounterProfile {
    /// 2.6.25–2.6.30: no `-1`, `LLONG_MAX` unlimited.
    pub const V2_6_25: ResCounterProfile = ResCounterProfile {
        unlimited: RESOURCE_MAX,
        minus_one_unlimited: false,
        clamp_round_up: false,
        suffixes: MemparseSuffixes::Kmg,
    };
    /// 2.6.31–3.11 (the SEED profile's 2.6.34): `-1` accepted.
    pub const V2_6_34: ResCounterProfile = ResCounterProfile {
        minus_one_unlimited: true,
        ..ResCounterProfile::V2_6_25
    };
    /// 3.12–3.18: `ULLONG_MAX` unlimited, rounding saturates.
    pub const V3_12: ResCounterProfile = ResCounterProfile {
        unlimited: RES_COUNTER_MAX,
        minus_one_unlimited: true,
        clamp_round_up: true,
        suffixes: MemparseSuffixes::Kmg,
    };
}

impl Default for ResCounterProfile {
    fn default() -> ResCounterProfile {
        ResCounterProfile::V2_6_34
    }
}

/// The members `res_counter_read_u64` and `res_counter_write` select (2.6.26+ numbering).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ResMember {
    #[doc(alias = "RES_USAGE")]
    Usage = 0,
    #[doc(alias = "RES_MAX_USAGE")]
    MaxUsage = 1,
    #[doc(alias = "RES_LIMIT")]
    Limit = 2,
    #[doc(alias = "RES_FAILCNT")]
    Failcnt = 3,
    #[doc(alias = "RES_SOFT_LIMIT")]
    SoftLimit = 4,
}

/// The lock, the fields it protects and the parent pointer: one 128-byte line.
#[derive(Debug)]
struct Hot<L: ResLock> {
    lock: L,
    parent: Option<Arc<ResCounter<L>>>,
}

/// One level of a res_counter tree.
///
/// **Kernel:** `struct res_counter` (`include/linux/res_counter.h`, v2.6.34). The lock, the fields it protects and `parent`
/// share one 128-byte line, as in the kernel's 56-byte struct: the charge walk owns that line
/// once it holds the lock, so reading `parent` from it costs nothing more. (Unlike page_counter,
/// nothing is gained by moving `parent` off the line: every charge writes the line under the
/// lock anyway; measured, both layouts cost the same.) The profile and owner tag live on the
/// next line.
#[doc(alias = "res_counter")]
#[derive(Debug)]
pub struct ResCounter<L: ResLock> {
    cell: CachePadded<Hot<L>>,
    owner: usize,
    profile: ResCounterProfile,
}

impl<L: ResLock> ResCounter<L> {
    /// `res_counter_init(counter, NULL)`: usage, max_usage and failcnt 0; limit and soft limit
    /// unlimited (`kernel/res_counter.c` `res_counter_init`, v2.6.34).
    #[doc(alias = "res_counter_init")]
    pub fn new_root(profile: ResCounterProfile, owner: usize) -> ResCounter<L> {
        ResCounter::init(None, profile, owner)
    }

    /// `res_counter_init(counter, parent)`.
    pub fn new_child(parent: &Arc<ResCounter<L>>, owner: usize) -> ResCounter<L> {
        ResCounter::init(Some(Arc::clone(parent)), parent.profile, owner)
    }

    fn init(
        parent: Option<Arc<ResCounter<L>>>,
        profile: ResCounterProfile,
        owner: usize,
    ) -> ResCounter<L> {
        ResCounter {
            cell: CachePadded::new(Hot {
                lock: L::new(ResState {
                    usage: 0,
                    max_usage: 0,
                    limit: profile.unlimited,
                    soft_limit: profile.unlimited,
                    failcnt: 0,
                }),
                parent,
            }),
            owner,
            profile,
        }
    }

    /// The profile this tree was built with.
    pub fn profile(&self) -> ResCounterProfile {
        self.profile
    }

    /// `res_counter_charge(counter, val, &limit_fail_at)` (`kernel/res_counter.c`, 2.6.29+).
    ///
    /// Walks from this level to the root taking one lock at a time; on the first level whose
    /// limit refuses, undoes the levels already charged and returns that level.
    ///
    /// Kernel quirk: the undo only lowers `usage`, so the `max_usage` of the levels below the
    /// failing one keeps the peak of a charge that never happened.
    #[doc(alias = "res_counter_charge")]
    pub fn charge<T: Tracer>(&self, val: Bytes, tracer: &T, cpu: CpuId) -> Result<(), &Self> {
        let _f = trace::func(tracer, cpu, "res_counter_charge");
        let mut c = self;
        loop {
            let charged = {
                let _g = trace::func(tracer, cpu, "res_counter_charge_locked");
                c.cell.lock.charge(val.0, false)
            };
            if !charged {
                self.undo(c, val.0);
                return Err(c);
            }
            match c.cell.parent.as_deref() {
                Some(p) => c = p,
                None => return Ok(()),
            }
        }
    }

    /// Uncharge every level from this one up to, not including, `failed`.
    fn undo(&self, failed: &Self, val: u64) {
        let mut u = self;
        while !std::ptr::eq(u, failed) {
            u.cell.lock.uncharge(val);
            match u.cell.parent.as_deref() {
                Some(p) => u = p,
                None => {
                    panic!("res_counter undo walked past the root: failing level not an ancestor")
                }
            }
        }
    }

    /// `res_counter_charge_nofail` (`kernel/res_counter.c` `res_counter_charge`, 3.3+): charge every level even past its limit.
    ///
    /// Every over-limit level counts a failure; `Err` names the first of them.
    #[doc(alias = "res_counter_charge_nofail")]
    pub fn charge_nofail<T: Tracer>(
        &self,
        val: Bytes,
        tracer: &T,
        cpu: CpuId,
    ) -> Result<(), &Self> {
        let _f = trace::func(tracer, cpu, "res_counter_charge_nofail");
        let mut first_fail = None;
        let mut c = self;
        loop {
            let charged = c.cell.lock.charge(val.0, true);
            if !charged && first_fail.is_none() {
                first_fail = Some(c);
            }
            match c.cell.parent.as_deref() {
                Some(p) => c = p,
                None => break,
            }
        }
        match first_fail {
            None => Ok(()),
            Some(c) => Err(c),
        }
    }

    /// `res_counter_uncharge(counter, val)` (`kernel/res_counter.c`, v2.6.34): every level from this one to the root.
    ///
    /// A level holding less than `val` is clamped to 0 and reported (the kernel's `WARN_ON`).
    #[doc(alias = "res_counter_uncharge")]
    pub fn uncharge<T: Tracer>(&self, val: Bytes, tracer: &T, cpu: CpuId) -> Result<(), Underflow> {
        self.uncharge_until(None, val, tracer, cpu)
    }

    /// `res_counter_uncharge_until(counter, top, val)` (3.x): stop before `top` (reparenting).
    #[doc(alias = "res_counter_uncharge_until")]
    pub fn uncharge_until<T: Tracer>(
        &self,
        top: Option<&Self>,
        val: Bytes,
        tracer: &T,
        cpu: CpuId,
    ) -> Result<(), Underflow> {
        let _f = trace::func(tracer, cpu, "res_counter_uncharge");
        let mut warn = None;
        let mut c = Some(self);
        while let Some(u) = c {
            if top.is_some_and(|t| std::ptr::eq(t, u)) {
                break;
            }
            if let Some(had) = u.cell.lock.uncharge(val.0)
                && warn.is_none()
            {
                warn = Some(Underflow {
                    counter: "res_counter",
                    owner: u.owner,
                    had: had as i64,
                    nr: val.0,
                });
            }
            c = u.cell.parent.as_deref();
        }
        match warn {
            None => Ok(()),
            Some(w) => Err(w),
        }
    }

    /// `res_counter_read_u64(counter, member)`: the raw value, read without the lock.
    #[doc(alias = "res_counter_read_u64")]
    pub fn read_u64(&self, member: ResMember) -> u64 {
        let s = self.cell.lock.snapshot();
        match member {
            ResMember::Usage => s.usage,
            ResMember::MaxUsage => s.max_usage,
            ResMember::Limit => s.limit,
            ResMember::Failcnt => s.failcnt,
            ResMember::SoftLimit => s.soft_limit,
        }
    }

    /// `res_counter_read`: the member as the file shows it, `"%llu\n"` (`kernel/res_counter.c`, v2.6.34).
    #[doc(alias = "res_counter_read")]
    pub fn read(&self, member: ResMember) -> String {
        format!("{}\n", self.read_u64(member))
    }

    /// `res_counter_write` of 2.6.25–2.6.26 (`kernel/res_counter.c` `res_counter_memparse_write_strategy`): parse `buf` and store it into `member`
    /// under the lock, with no check against usage.
    ///
    /// The buffer is cut at its first NUL and trailing whitespace is stripped. With
    /// `memparse_strategy` the value goes through [`ResCounter::memparse_write_strategy`];
    /// otherwise it must be a whole base-10 number. Any parse error is `EINVAL` and changes
    /// nothing. Returns the number of bytes consumed (`nbytes`).
    #[doc(alias = "res_counter_write")]
    pub fn write(
        &self,
        member: ResMember,
        buf: &[u8],
        memparse_strategy: bool,
    ) -> Result<usize, Errno> {
        let text = strip_trailing(until_nul(buf));
        let value = if memparse_strategy {
            self.memparse_write_strategy(text)?.0
        } else {
            let (v, rest) = simple_strtoull(text, 10);
            if !rest.is_empty() {
                return Err(Errno::EINVAL);
            }
            v
        };
        self.cell.lock.locked(|s| match member {
            ResMember::Usage => s.usage = value,
            ResMember::MaxUsage => s.max_usage = value,
            ResMember::Limit => s.limit = value,
            ResMember::Failcnt => s.failcnt = value,
            ResMember::SoftLimit => s.soft_limit = value,
        });
        Ok(buf.len())
    }

    /// `res_counter_memparse_write_strategy(buf, &val)` (`kernel/res_counter.c`, 2.6.27+; memcg's own
    /// strategy in 2.6.25–2.6.26 behaves the same without `-1`).
    ///
    /// `-1` (any spelling `strtoull` reads as 1 after the minus) is unlimited where the profile
    /// allows it; otherwise `memparse` with nothing left over, rounded up to a page.
    ///
    /// Kernel quirk: before 3.12 the round-up wraps, so a value within a page of `u64::MAX`
    /// becomes 0; 3.12+ saturates to `RES_COUNTER_MAX`.
    #[doc(alias = "res_counter_memparse_write_strategy")]
    pub fn memparse_write_strategy(&self, buf: &[u8]) -> Result<Bytes, Errno> {
        let p = self.profile;
        if let Some(rest) = buf.strip_prefix(b"-")
            && p.minus_one_unlimited
        {
            let (v, end) = simple_strtoull(rest, 10);
            if v != 1 || !end.is_empty() {
                return Err(Errno::EINVAL);
            }
            return Ok(Bytes(p.unlimited));
        }
        let (v, rest) = memparse(buf, p.suffixes);
        if !rest.is_empty() {
            return Err(Errno::EINVAL);
        }
        let page = 1u64 << PAGE_SHIFT;
        Ok(Bytes(match v.checked_add(page - 1) {
            Some(x) => x & !(page - 1),
            None if p.clamp_round_up => p.unlimited,
            None => v.wrapping_add(page - 1) & !(page - 1),
        }))
    }

    /// `res_counter_set_limit` (`include/linux/res_counter.h`, 2.6.27+): `EBUSY` if usage is above `limit`.
    #[doc(alias = "res_counter_set_limit")]
    pub fn set_limit(&self, limit: Bytes) -> Result<(), Errno> {
        self.cell.lock.locked(|s| {
            if s.usage <= limit.0 {
                s.limit = limit.0;
                Ok(())
            } else {
                Err(Errno::EBUSY)
            }
        })
    }

    /// `res_counter_set_soft_limit` (2.6.32+): unconditional.
    #[doc(alias = "res_counter_set_soft_limit")]
    pub fn set_soft_limit(&self, soft_limit: Bytes) {
        self.cell.lock.locked(|s| s.soft_limit = soft_limit.0);
    }

    /// `res_counter_reset_max`: `max_usage := usage`.
    #[doc(alias = "res_counter_reset_max")]
    pub fn reset_max(&self) {
        self.cell.lock.locked(|s| s.max_usage = s.usage);
    }

    /// `res_counter_reset_failcnt`: `failcnt := 0`.
    #[doc(alias = "res_counter_reset_failcnt")]
    pub fn reset_failcnt(&self) {
        self.cell.lock.locked(|s| s.failcnt = 0);
    }

    /// `res_counter_check_under_limit`: `usage < limit` (strict).
    #[doc(alias = "res_counter_check_under_limit")]
    pub fn check_under_limit(&self) -> bool {
        self.cell.lock.locked(|s| s.usage < s.limit)
    }

    /// `res_counter_check_under_soft_limit` (2.6.32+): `usage < soft_limit`.
    #[doc(alias = "res_counter_check_under_soft_limit")]
    pub fn check_under_soft_limit(&self) -> bool {
        self.cell.lock.locked(|s| s.usage < s.soft_limit)
    }

    /// `res_counter_soft_limit_excess` (2.6.32+): how far usage is above the soft limit.
    #[doc(alias = "res_counter_soft_limit_excess")]
    pub fn soft_limit_excess(&self) -> Bytes {
        self.cell
            .lock
            .locked(|s| Bytes(s.usage.saturating_sub(s.soft_limit)))
    }

    /// `res_counter_margin` (≈2.6.38+): `limit - usage`, 0 if at or over the limit.
    #[doc(alias = "res_counter_margin")]
    pub fn margin_bytes(&self) -> Bytes {
        self.cell
            .lock
            .locked(|s| Bytes(s.limit.saturating_sub(s.usage)))
    }

    /// Every field read without the lock (the 64-bit `res_counter_read_u64` of each); the
    /// fields may come from different moments.
    pub fn snapshot(&self) -> ResState {
        self.cell.lock.snapshot()
    }

    /// All locked fields at once (for tests and `check_invariants`).
    pub fn state(&self) -> ResState {
        self.cell.lock.locked(|s| *s)
    }

    /// The parent level.
    pub fn parent(&self) -> Option<&Self> {
        self.cell.parent.as_deref()
    }

    /// Invariants that hold whenever no charge is in flight and no raw member write happened:
    /// `max_usage >= usage`.
    ///
    /// # Panics
    /// On a violation: a simulator bug.
    pub fn check_invariants(&self) {
        let s = self.state();
        assert!(
            s.max_usage >= s.usage,
            "res_counter max_usage {} below usage {}",
            s.max_usage,
            s.usage
        );
    }
}

impl<L: ResLock> Counter for ResCounter<L> {
    const KERNEL_NAME: &'static str = "res_counter";
    type Profile = ResCounterProfile;

    fn new_root(profile: ResCounterProfile, owner: usize) -> Self {
        ResCounter::new_root(profile, owner)
    }

    fn new_child(parent: &Arc<Self>, owner: usize) -> Self {
        ResCounter::new_child(parent, owner)
    }

    #[inline(always)]
    fn parent(&self) -> Option<&Self> {
        self.cell.parent.as_deref()
    }

    fn owner(&self) -> usize {
        self.owner
    }

    #[inline(always)]
    fn try_charge<T: Tracer>(&self, nr: Pages, tracer: &T, cpu: CpuId) -> Result<(), &Self> {
        self.charge(nr.to_bytes(), tracer, cpu)
    }

    fn charge_nofail<T: Tracer>(&self, nr: Pages, tracer: &T, cpu: CpuId) -> Result<(), &Self> {
        ResCounter::charge_nofail(self, nr.to_bytes(), tracer, cpu)
    }

    #[inline(always)]
    fn uncharge<T: Tracer>(&self, nr: Pages, tracer: &T, cpu: CpuId) -> Result<(), Underflow> {
        ResCounter::uncharge(self, nr.to_bytes(), tracer, cpu)
    }

    fn margin(&self) -> Pages {
        Pages(self.margin_bytes().0 >> PAGE_SHIFT)
    }

    fn usage(&self) -> Bytes {
        Bytes(self.read_u64(ResMember::Usage))
    }

    fn max_usage(&self) -> Bytes {
        Bytes(self.read_u64(ResMember::MaxUsage))
    }

    fn limit(&self) -> Bytes {
        Bytes(self.read_u64(ResMember::Limit))
    }

    fn soft_limit(&self) -> Bytes {
        Bytes(self.read_u64(ResMember::SoftLimit))
    }

    fn failcnt(&self) -> u64 {
        self.read_u64(ResMember::Failcnt)
    }

    fn parse_limit(&self, buf: &[u8]) -> Result<Bytes, Errno> {
        self.memparse_write_strategy(buf)
    }

    fn set_limit(&self, limit: Bytes) -> Result<(), Errno> {
        ResCounter::set_limit(self, limit)
    }

    fn set_soft_limit(&self, limit: Bytes) {
        ResCounter::set_soft_limit(self, limit)
    }

    fn reset_max_usage(&self) {
        self.reset_max()
    }

    fn reset_failcnt(&self) {
        ResCounter::reset_failcnt(self)
    }
}

impl<L: ResLock> StockTarget for ResCounter<L> {
    fn stock_uncharge(&self, nr: Pages) -> Result<(), Underflow> {
        ResCounter::uncharge(self, nr.to_bytes(), &cgsim_ktypes::NoTrace, CpuId(0))
    }
}
