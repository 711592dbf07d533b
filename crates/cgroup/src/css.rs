//! Per-subsystem, per-cgroup state: `struct cgroup_subsys_state` (css).
//!
//! **Kernel:** `include/linux/cgroup.h` `struct cgroup_subsys_state`, `css_get`, `css_put`,
//! `__css_put` (2.6.25; refcount base from 2.6.29, `include/linux/cgroup.h` `struct cgroup_subsys_state`).
//!
//! # The container_of design
//!
//! In the kernel a subsystem embeds the css in its own state (`struct mem_cgroup { struct
//! cgroup_subsys_state css; ... }`) and gets from one to the other with `container_of`.
//! Here the core allocates the css (a [`CssRef`], an `Arc<CgroupSubsysState>`) and hands it to
//! [`CgroupSubsys::create`](crate::CgroupSubsys::create); the subsystem returns its own state
//! object (`Arc<dyn Any + Send + Sync>`), which may keep a clone of the `CssRef` ("embeds the
//! css"). The core stores that object in the css's `private` slot, so
//! [`CgroupSubsysState::private`] is `container_of`: css → `Arc<MemCgroup>` with one downcast.
//! The core clears the slot right after `destroy`, which breaks the css ↔ state reference cycle.

use crate::cgroup::CgroupId;
use cgsim_ktypes::Errno;
use parking_lot::{Mutex, RwLock};
use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};

/// A css, shared between the core, the subsystem's own state and (later) charged pages.
pub type CssRef = Arc<CgroupSubsysState>;

/// The id of a css (never reused; for snapshots, diagrams and map keys).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CssId(pub u64);

/// `CSS_ROOT`: the subsystem's root state created for dummytop at boot; get/put are no-ops.
pub const CSS_ROOT: u32 = 1 << 0;
/// `CSS_REMOVED` (2.6.29+): set when the cgroup is removed; `css_tryget` fails afterwards.
pub const CSS_REMOVED: u32 = 1 << 1;

/// `struct cgroup_subsys_state`.
///
/// **Kernel:** `include/linux/cgroup.h`, 2.6.25 (`struct cgroup_subsys_state`).
/// **Differences:** `cgroup` is an id (re-pointed by `rebind_subsystems`); the subsystem's own
/// state hangs off [`private`](Self::private) instead of containing the css (see the module docs).
/// **Locking:** `refcnt` and `flags` are atomics as in the kernel, so subsystems may call
/// [`get`](Self::get)/[`put`](Self::put) from any context without the `cgroup_mutex`.
#[doc(alias = "cgroup_subsys_state")]
pub struct CgroupSubsysState {
    id: CssId,
    subsys_id: usize,
    cgroup: AtomicU64,
    refcnt: AtomicI64,
    base: i64,
    flags: AtomicU32,
    private: RwLock<Option<Arc<dyn Any + Send + Sync>>>,
    /// Where a put that reaches the "no references" value reports its cgroup, for the core to run
    /// `check_for_release` at its next entry (see [`put`](Self::put)).
    pending: Arc<Mutex<Vec<CgroupId>>>,
}

impl std::fmt::Debug for CgroupSubsysState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CgroupSubsysState")
            .field("id", &self.id)
            .field("subsys_id", &self.subsys_id)
            .field("cgroup", &self.cgroup())
            .field("refcnt", &self.refcnt())
            .field("flags", &self.flags())
            .finish()
    }
}

impl CgroupSubsysState {
    pub(crate) fn new(
        id: CssId,
        subsys_id: usize,
        cgroup: CgroupId,
        base: i64,
        flags: u32,
        pending: Arc<Mutex<Vec<CgroupId>>>,
    ) -> CgroupSubsysState {
        CgroupSubsysState {
            id,
            subsys_id,
            cgroup: AtomicU64::new(cgroup.pack()),
            refcnt: AtomicI64::new(base),
            base,
            flags: AtomicU32::new(flags),
            private: RwLock::new(None),
            pending,
        }
    }

    /// This css's id.
    pub fn id(&self) -> CssId {
        self.id
    }

    /// The subsystem this css belongs to (`ss->subsys_id`).
    pub fn subsys_id(&self) -> usize {
        self.subsys_id
    }

    /// `css->cgroup`: the cgroup this css is the state of (the root css moves between dummytop
    /// and a hierarchy's top cgroup when the subsystem is bound or unbound).
    pub fn cgroup(&self) -> CgroupId {
        CgroupId::unpack(self.cgroup.load(Ordering::Acquire))
    }

    pub(crate) fn set_cgroup(&self, cgrp: CgroupId) {
        self.cgroup.store(cgrp.pack(), Ordering::Release);
    }

    /// `css->refcnt` as the kernel stores it (base 0 or 1 per `core.css_refcnt_base`).
    pub fn refcnt(&self) -> i64 {
        self.refcnt.load(Ordering::Acquire)
    }

    /// Whether someone other than the base reference holds this css (2.6.25: refcnt != 0;
    /// 2.6.29+: refcnt > 1).
    pub fn has_extra_refs(&self) -> bool {
        self.refcnt() != self.base
    }

    /// `css->flags` (`CSS_ROOT`, `CSS_REMOVED`).
    pub fn flags(&self) -> u32 {
        self.flags.load(Ordering::Acquire)
    }

    /// `CSS_ROOT` is set.
    pub fn is_root(&self) -> bool {
        self.flags() & CSS_ROOT != 0
    }

    /// `CSS_REMOVED` is set (the cgroup was removed).
    pub fn is_removed(&self) -> bool {
        self.flags() & CSS_REMOVED != 0
    }

    pub(crate) fn set_flag(&self, flag: u32) {
        self.flags.fetch_or(flag, Ordering::AcqRel);
    }

    /// `css_get`: take a reference (no-op on a `CSS_ROOT` css).
    #[doc(alias = "css_get")]
    pub fn get(&self) {
        if !self.is_root() {
            self.refcnt.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// `css_tryget` (2.6.29+): take a reference unless the css was removed.
    #[doc(alias = "css_tryget")]
    pub fn tryget(&self) -> bool {
        if self.is_removed() {
            return false;
        }
        self.get();
        true
    }

    /// `css_put` / `__css_put`: drop a reference (no-op on a `CSS_ROOT` css).
    ///
    /// **Kernel:** when the count falls back to the "no references" value and the cgroup has
    /// notify_on_release, `__css_put` sets CGRP_RELEASABLE and runs `check_for_release`.
    /// **Differences:** the check needs the cgroup tree, which lives under `cgroup_mutex`, and a
    /// subsystem may well call `put` while that mutex is held (from a callback). So `put` only
    /// records the cgroup on a small pending list; the core runs the RELEASABLE + check step for
    /// it at its next entry (every `CgroupCore` method that takes `cgroup_mutex`), before doing
    /// anything else. An underflow is a simulator bug in the caller and returns EINVAL.
    #[doc(alias = "css_put")]
    pub fn put(&self) -> Result<(), Errno> {
        if self.is_root() {
            return Ok(());
        }
        let old = self.refcnt.fetch_sub(1, Ordering::AcqRel);
        if old <= self.base {
            self.refcnt.fetch_add(1, Ordering::AcqRel);
            return Err(Errno::EINVAL);
        }
        if old - 1 == self.base {
            // Lock order: [cgroup_mutex ->] [css_set_lock ->] css pending list (a leaf: never
            // cgroup_mutex, which a caller may hold).
            self.pending.lock().push(self.cgroup());
        }
        Ok(())
    }

    /// The subsystem's own state object (`container_of(css, struct mem_cgroup, css)`).
    pub fn private<S: Any + Send + Sync>(&self) -> Option<Arc<S>> {
        let slot = self.private.read();
        let any = slot.as_ref()?.clone();
        any.downcast::<S>().ok()
    }

    /// The subsystem's own state object, untyped.
    pub fn private_any(&self) -> Option<Arc<dyn Any + Send + Sync>> {
        self.private.read().clone()
    }

    pub(crate) fn set_private(&self, state: Option<Arc<dyn Any + Send + Sync>>) {
        *self.private.write() = state;
    }
}
