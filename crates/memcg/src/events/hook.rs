//! The hook through which the machine reports memory events to the event layer, and the
//! read-only view of the memcg tree the hook is handed.
//!
//! **Kernel:** `mm/memcontrol.c` `memcg_check_events` and `mem_cgroup_threshold` (v2.6.34),
//! `mem_cgroup_oom_notify` (v2.6.35), `mm/vmpressure.c` `vmpressure` (v3.10). In the kernel these
//! are direct calls inside `mm/memcontrol.c`; here the event layer ([`MemcgEvents`](super::MemcgEvents))
//! sits above the machine and is reached through a trait object installed at run time.

use crate::counter_ext::MemCounter;
use crate::machine::World;
use crate::memcontrol::MemcgId;
use crate::profile::MemcgProfile;
use cgsim_ktypes::{Bytes, CpuId, Errno};

/// A hook for memory events (thresholds, OOM notification) that a later layer installs
/// (`crate::events::MemcgEvents` is the real one).
///
/// **Kernel:** `memcg_check_events` → `mem_cgroup_threshold` (2.6.34) and
/// `mem_cgroup_oom_notify` (2.6.35), `mm/memcontrol.c` `mem_cgroup_threshold`, `__mem_cgroup_threshold`, `mem_cgroup_oom_register_event`. Called with the world lock held; the
/// implementation must not call back into the machine, and reads what it needs through the
/// [`MemcgEventView`] it is handed.
///
/// The two provided methods `memcg_check_events` and `mem_cgroup_oom_notify` are what the
/// machine calls; their defaults forward to the simpler `page_event` and `oom`.
pub trait MemcgEventHook: Send + Sync {
    /// A page event (charge or uncharge) happened in `memcg`; `usage`/`memsw_usage` are the new
    /// values as `usage_in_bytes` would print them.
    fn page_event(&self, memcg: MemcgId, usage: Bytes, memsw_usage: Bytes) {
        let _ = (memcg, usage, memsw_usage);
    }

    /// `mem_cgroup_oom_notify(memcg)`: the task that took the OOM lock of `memcg`'s subtree.
    fn oom(&self, memcg: MemcgId) {
        let _ = memcg;
    }

    /// `memcg_check_events(memcg)`: one page event (a charge commit, an uncharge, or one side
    /// of a charge move) on `cpu`. The implementation keeps the event counter and decides
    /// whether the threshold check is due (`mm/memcontrol.c` `memcg_check_events`, v2.6.34).
    fn memcg_check_events(&self, view: &dyn MemcgEventView, cpu: CpuId, memcg: MemcgId) {
        let _ = cpu;
        if let (Some(u), Some(m)) = (view.usage(memcg, false), view.usage(memcg, true)) {
            self.page_event(memcg, u, m);
        }
    }

    /// `mem_cgroup_oom_notify(mem_over_limit)`: sent by the OOM-lock owner; `members` is the
    /// OOMing memcg's subtree in pre-order (itself alone without `use_hierarchy`), `mm/memcontrol.c` `mem_cgroup_oom_notify`, v2.6.35.
    fn mem_cgroup_oom_notify(&self, view: &dyn MemcgEventView, members: &[MemcgId]) {
        let _ = view;
        for &m in members {
            self.oom(m);
        }
    }

    /// Whether the machine must call [`memcg_check_events`](Self::memcg_check_events) on every
    /// page event. Asked when the hook is installed and after every registration change
    /// ([`MemoryMachine::with_event_view`](crate::MemoryMachine::with_event_view)) and rmdir;
    /// while it answers `false`, anonymous faults and zaps may take the fast path, which makes
    /// no per-page calls. The default, `true`, suits a hook that wants every event.
    fn wants_page_events(&self) -> bool {
        true
    }

    /// The memcg was freed (after rmdir): forget anything kept for it.
    fn memcg_freed(&self, memcg: MemcgId) {
        let _ = memcg;
    }

    /// `vmpressure(gfp, memcg, scanned, reclaimed)` (3.10, `mm/vmpressure.c`): one reclaim pass
    /// against the reclaim target `memcg` scanned and reclaimed this many pages. Only called
    /// with the `vmpressure` switch on and `scanned > 0`.
    fn vmpressure(&self, view: &dyn MemcgEventView, memcg: MemcgId, scanned: u64, reclaimed: u64) {
        let _ = (view, memcg, scanned, reclaimed);
    }
}

/// What an event hook may read while the machine's world lock is held.
///
/// **Kernel:** the fields `mem_cgroup_threshold` and `mem_cgroup_oom_register_event` read under
/// their locks: `mem_cgroup_usage`, the hierarchical parent (`parent_mem_cgroup`, through the
/// res_counter parent link), `under_oom`, and the counter's parse rules for a threshold.
pub trait MemcgEventView {
    /// `mem_cgroup_usage(memcg, swap)`: what `usage_in_bytes` / `memsw.usage_in_bytes` print
    /// (the root's comes from statistics). `None` for a stale id.
    fn usage(&self, memcg: MemcgId, swap: bool) -> Option<Bytes>;
    /// The parent whose counters this memcg's charges also reach (its parent has
    /// `use_hierarchy`); `None` at the top of a hierarchy.
    fn hier_parent(&self, memcg: MemcgId) -> Option<MemcgId>;
    /// The memcg's page-event count (`MEM_CGROUP_STAT_EVENTS`: every charge, uncharge and
    /// side of a charge move since it was created, i.e. `pgpgin + pgpgout`), on which the
    /// threshold check's rate limit runs. `None` for a stale id.
    fn page_events(&self, memcg: MemcgId) -> Option<u64>;
    /// Whether `memory.oom_control` shows `under_oom 1`.
    fn under_oom(&self, memcg: MemcgId) -> bool;
    /// Whether the memsw counter exists (`memcg.swap_accounting`).
    fn swap_accounting(&self) -> bool;
    /// The `thresholds.*` switches of the running profile.
    fn profile(&self) -> &MemcgProfile;
    /// Parse a threshold with the memcg's counter rules (2.6.34: `memparse`, rounded up to a
    /// page, `-1` unlimited; page_counter: rounded down). EINVAL on garbage.
    fn parse_threshold(&self, memcg: MemcgId, buf: &str) -> Result<Bytes, Errno>;
}

impl<C: MemCounter> MemcgEventView for World<C> {
    fn usage(&self, memcg: MemcgId, swap: bool) -> Option<Bytes> {
        let s = self.slot_of(memcg)?;
        Some(self.usage_bytes(s, swap))
    }

    fn hier_parent(&self, memcg: MemcgId) -> Option<MemcgId> {
        let s = self.slot_of(memcg)?;
        let p = self.mc(s).parent?;
        self.mc(p).use_hierarchy.then(|| self.mc(p).id)
    }

    fn page_events(&self, memcg: MemcgId) -> Option<u64> {
        let st = &self.mc(self.slot_of(memcg)?).stat;
        Some(st.pgpgin.wrapping_add(st.pgpgout))
    }

    fn under_oom(&self, memcg: MemcgId) -> bool {
        self.slot_of(memcg)
            .is_some_and(|s| self.mc(s).under_oom > 0)
    }

    fn swap_accounting(&self) -> bool {
        self.profile.swap_accounting
    }

    fn profile(&self) -> &MemcgProfile {
        &self.profile
    }

    fn parse_threshold(&self, memcg: MemcgId, buf: &str) -> Result<Bytes, Errno> {
        let s = self.slot_of(memcg).ok_or(Errno::EINVAL)?;
        self.mc(s).counters.res.parse_limit(buf.as_bytes())
    }
}

/// The default hook: nothing registered.
pub struct NoEventHook;

impl MemcgEventHook for NoEventHook {}
