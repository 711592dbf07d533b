//! Memory notifications: usage thresholds, OOM notification and memory pressure on eventfds.
//!
//! **Kernel:** `mm/memcontrol.c` `memcg_check_events`, `mem_cgroup_threshold`,
//! `mem_cgroup_usage_register_event`, `mem_cgroup_usage_unregister_event`,
//! `mem_cgroup_oom_register_event`, `mem_cgroup_oom_unregister_event`,
//! `mem_cgroup_oom_notify` (2.6.34 thresholds, 2.6.35 OOM notification; `mm/memcontrol.c` `mem_cgroup_threshold`, `__mem_cgroup_threshold`, `mem_cgroup_oom_register_event`, SEED
//! `mm/memcontrol.c` `mem_cgroup_threshold`, v2.6.34). The `cgroup.event_control` side (parsing the write, finding the eventfd, removal
//! on close and on rmdir) is the syscall layer's, `cgsim-cgroupfs/src/event_control.rs`.
//!
//! [`MemcgEvents`] is both halves of the kernel code:
//! * installed on the machine as its [`MemcgEventHook`], it hears every page event and every
//!   OOM-lock owner's notification, and signals the registered eventfds;
//! * its [`event_files`](MemcgEvents::event_files) are the `register_event` /
//!   `unregister_event` of `memory.usage_in_bytes`, `memory.memsw.usage_in_bytes` and
//!   `memory.oom_control` (`struct cftype` callbacks), which
//!   [`memory_subsystems`](crate::subsys::memory_subsystems) installs by default.
//!
//! Rust users who drive the machine directly can skip `cgroup.event_control`:
//! [`MemcgEvents::register_threshold`] and [`MemcgEvents::register_oom_notifier`] return a
//! [`Notifier`] that owns its eventfd (dropping it unregisters, like closing the fd).
//!
//! # When thresholds are checked (`thresholds.check`, `mm/memcontrol.c` `memcg_check_events`, v2.6.34)
//!
//! | value | checks after |
//! |---|---|
//! | `every_event` | every page event: exact, for teaching and for tests |
//! | `ratelimited_2_6_34` (SEED) | the page event that makes the memcg's counter a multiple of 128 |
//! | `ratelimited_3x` | the 1st page event, then every 129th |
//!
//! Registration and unregistration always check at once. The check runs on the memcg of the
//! event and (`thresholds.walk_ancestors`, SEED on) on every ancestor its charges reach through
//! `use_hierarchy`.
//!
//! **Locking:** one mutex (`MemcgEvents::inner`) stands in for every memcg's `thresholds_lock`
//! and for `memcg_oom_lock`. It is always taken with the machine's `world` lock already held
//! (the hook is called under it; registration goes through
//! [`MemoryMachine::with_event_view`]), so a registration cannot interleave with a charge.
//! Lock order: `world` -> `MemcgEvents::inner` -> `EventfdCtx` (leaf).
//! **Differences:** the page-event counter is one per memcg, not per CPU (the spec's advice for
//! a simulator whose charges all come from one thread of control).
//!
//! # Memory pressure (`vmpressure = v3_10`, `mm/vmpressure.c` `vmpressure_register_event`, v3.10)
//!
//! With the switch on, `memory.pressure_level` exists and reclaim reports each pass to
//! [`MemcgEventHook::vmpressure`]; see `vmpressure.rs` for the window and the levels. The 4.11
//! modes (`low,hierarchy`) are not modelled.

pub mod hook;
mod thresholds;
mod vmpressure;

pub use thresholds::{ThresholdAry, ThresholdEntry};
pub use vmpressure::{
    VMPRESSURE_LEVEL_CRITICAL, VMPRESSURE_LEVEL_MED, Vmpressure, VmpressureLevel, pressure_percent,
};

use crate::counter_ext::MemCounter;
use crate::machine::{MemcgEventHook, MemcgEventView, MemoryMachine};
use crate::memcontrol::MemcgId;
use crate::profile::ThresholdCheck;
use cgsim_eventfd::{EventfdCtx, EventfdFile};
use cgsim_ktypes::percpu::smp_processor_id;
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{Bytes, CpuId, Errno};
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// `THRESHOLDS_EVENTS_THRESH` of 2.6.34 as a count: check once in 128 page events.
pub const THRESHOLDS_EVENTS_TARGET: u64 = 128;

/// Which of a memcg's event-capable files an event is registered on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum EventFile {
    /// `memory.usage_in_bytes` (thresholds on the memory counter).
    UsageInBytes,
    /// `memory.memsw.usage_in_bytes` (thresholds on the memsw counter).
    MemswUsageInBytes,
    /// `memory.oom_control` (OOM notification).
    OomControl,
    /// `memory.pressure_level` (3.10 memory pressure, switch `vmpressure`).
    PressureLevel,
}

/// The per-memcg event state (the kernel keeps these fields in `struct mem_cgroup`).
#[derive(Default)]
struct MemcgEventState {
    /// `memcg->thresholds`.
    thresholds: ThresholdAry,
    /// `memcg->memsw_thresholds`.
    memsw_thresholds: ThresholdAry,
    /// `memcg->oom_notify`: registrations in order.
    oom_notify: Vec<Arc<EventfdCtx>>,
    /// `memcg->vmpressure` (3.10).
    vmpressure: Vmpressure,
}

/// The thresholds and OOM-notification layer of one machine (see the module docs).
pub struct MemcgEvents<C: MemCounter, T: Tracer> {
    /// Weak: the machine owns this object as its event hook.
    machine: Weak<MemoryMachine<C, T>>,
    tracer: Arc<T>,
    inner: Mutex<BTreeMap<MemcgId, MemcgEventState>>,
}

impl<C: MemCounter, T: Tracer> MemcgEvents<C, T> {
    /// Create the layer for `machine` and install it as the machine's event hook (replacing
    /// any earlier hook).
    pub fn install(machine: &Arc<MemoryMachine<C, T>>) -> Arc<MemcgEvents<C, T>> {
        let ev = Arc::new(MemcgEvents {
            machine: Arc::downgrade(machine),
            tracer: Arc::clone(&machine.tracer),
            inner: Mutex::new(BTreeMap::new()),
        });
        machine.set_event_hook(Arc::clone(&ev) as Arc<dyn MemcgEventHook>);
        ev
    }

    /// The `register_event`/`unregister_event` callbacks of the event-capable files
    /// (`pressure_level` is only created with the `vmpressure` switch), for
    /// [`MemCgroupSubsys::with_events`](crate::subsys::MemCgroupSubsys::with_events).
    #[cfg(feature = "cgroup")]
    pub fn event_files(self: &Arc<Self>) -> crate::subsys::MemEventFiles {
        let file = |kind| {
            Some(Arc::new(cft::MemEventCft {
                events: Arc::clone(self),
                kind,
            }) as Arc<dyn cgsim_cgroup::CftEvents>)
        };
        crate::subsys::MemEventFiles {
            usage_in_bytes: file(EventFile::UsageInBytes),
            memsw_usage_in_bytes: file(EventFile::MemswUsageInBytes),
            oom_control: file(EventFile::OomControl),
            pressure_level: file(EventFile::PressureLevel),
        }
    }

    fn machine(&self) -> Result<Arc<MemoryMachine<C, T>>, Errno> {
        self.machine.upgrade().ok_or(Errno::ENODEV)
    }

    /// `register_event` of `file` on `memcg` with the text after the two fds (`kernel/cgroup.c` `cgroup_write_event_control`, v2.6.34
    /// step 8): a threshold for the usage files (EINVAL if it does not parse), ignored for
    /// `oom_control`.
    pub fn register_event(
        &self,
        memcg: MemcgId,
        file: EventFile,
        eventfd: Arc<EventfdCtx>,
        args: &str,
    ) -> Result<(), Errno> {
        let m = self.machine()?;
        // Taken before the event view holds the world lock.
        let fault = m.fault_injection();
        let fault = fault.as_deref();
        m.with_event_view(|view| match file {
            EventFile::UsageInBytes => {
                self.usage_register(view, memcg, false, eventfd, args, fault)
            }
            EventFile::MemswUsageInBytes => {
                self.usage_register(view, memcg, true, eventfd, args, fault)
            }
            EventFile::OomControl => self.oom_register(view, memcg, eventfd, fault),
            EventFile::PressureLevel => self.vmpressure_register(view, memcg, eventfd, args),
        })
    }

    /// `unregister_event`: drop every registration of `eventfd` on `file` of `memcg`. Nothing
    /// happens if there is none (or the memcg is gone).
    pub fn unregister_event(&self, memcg: MemcgId, file: EventFile, eventfd: &Arc<EventfdCtx>) {
        let Ok(m) = self.machine() else {
            return;
        };
        m.with_event_view(|view| match file {
            EventFile::UsageInBytes => self.usage_unregister(view, memcg, false, eventfd),
            EventFile::MemswUsageInBytes => self.usage_unregister(view, memcg, true, eventfd),
            EventFile::OomControl => self.oom_unregister(memcg, eventfd),
            EventFile::PressureLevel => self.vmpressure_unregister(memcg, eventfd),
        })
    }

    /// A threshold on `memory.usage_in_bytes` of `memcg`, delivered to a fresh eventfd.
    pub fn register_threshold(
        self: &Arc<Self>,
        memcg: MemcgId,
        threshold: Bytes,
    ) -> Result<Notifier, Errno> {
        self.register_notifier(memcg, EventFile::UsageInBytes, &threshold.0.to_string())
    }

    /// A threshold on `memory.memsw.usage_in_bytes` of `memcg` (EINVAL without swap accounting).
    pub fn register_memsw_threshold(
        self: &Arc<Self>,
        memcg: MemcgId,
        threshold: Bytes,
    ) -> Result<Notifier, Errno> {
        let m = self.machine()?;
        if !m.with_event_view(|v| v.swap_accounting()) {
            return Err(Errno::EINVAL);
        }
        self.register_notifier(
            memcg,
            EventFile::MemswUsageInBytes,
            &threshold.0.to_string(),
        )
    }

    /// OOM notification of `memcg` (`memory.oom_control`), delivered to a fresh eventfd.
    pub fn register_oom_notifier(self: &Arc<Self>, memcg: MemcgId) -> Result<Notifier, Errno> {
        self.register_notifier(memcg, EventFile::OomControl, "")
    }

    /// Memory pressure of `memcg` at `level` or above (`memory.pressure_level`; EINVAL unless
    /// the profile has `vmpressure = v3_10`).
    pub fn register_pressure_notifier(
        self: &Arc<Self>,
        memcg: MemcgId,
        level: VmpressureLevel,
    ) -> Result<Notifier, Errno> {
        let args = match level {
            VmpressureLevel::Low => "low",
            VmpressureLevel::Medium => "medium",
            VmpressureLevel::Critical => "critical",
        };
        self.register_notifier(memcg, EventFile::PressureLevel, args)
    }

    fn register_notifier(
        self: &Arc<Self>,
        memcg: MemcgId,
        file: EventFile,
        args: &str,
    ) -> Result<Notifier, Errno> {
        let efd = cgsim_eventfd::eventfd2(0, 0)?;
        self.register_event(memcg, file, Arc::clone(efd.ctx()), args)?;
        let me = Arc::downgrade(self);
        Ok(Notifier {
            efd,
            memcg,
            file,
            unregister: Some(Box::new(move |memcg, file, ctx| {
                if let Some(ev) = me.upgrade() {
                    ev.unregister_event(memcg, file, ctx);
                }
            })),
        })
    }

    /// The registered thresholds of `memcg` (memory or memsw), for tests and the shell.
    pub fn thresholds(&self, memcg: MemcgId, swap: bool) -> Vec<Bytes> {
        let inner = self.inner.lock();
        inner.get(&memcg).map_or_else(Vec::new, |st| {
            let ary = if swap {
                &st.memsw_thresholds
            } else {
                &st.thresholds
            };
            ary.thresholds().collect()
        })
    }

    /// How many eventfds are registered on `memcg`'s `oom_control`.
    pub fn nr_oom_notify(&self, memcg: MemcgId) -> usize {
        self.inner
            .lock()
            .get(&memcg)
            .map_or(0, |st| st.oom_notify.len())
    }

    /// Check every threshold array's invariants (for property tests).
    pub fn check_invariants(&self) {
        for st in self.inner.lock().values() {
            st.thresholds.check_invariants();
            st.memsw_thresholds.check_invariants();
        }
    }

    // ---- thresholds (`mm/memcontrol.c` `mem_cgroup_threshold`, `__mem_cgroup_threshold`, v2.6.34) ----

    /// `mem_cgroup_usage_register_event` (`mm/memcontrol.c`, v2.6.34).
    #[doc(alias = "mem_cgroup_usage_register_event")]
    fn usage_register(
        &self,
        view: &dyn MemcgEventView,
        memcg: MemcgId,
        swap: bool,
        eventfd: Arc<EventfdCtx>,
        args: &str,
        fault: Option<&cgsim_ktypes::FaultInjection>,
    ) -> Result<(), Errno> {
        let t = &*self.tracer;
        let _f = trace::func(t, smp_processor_id(), "mem_cgroup_usage_register_event");
        if swap && !view.swap_accounting() {
            return Err(Errno::EINVAL);
        }
        let threshold = view.parse_threshold(memcg, args)?;
        let usage = view.usage(memcg, swap).ok_or(Errno::EINVAL)?;
        let le = view.profile().thresholds_register_le;
        let mut inner = self.inner.lock();
        let st = inner.entry(memcg).or_default();
        let ary = if swap {
            &mut st.memsw_thresholds
        } else {
            &mut st.thresholds
        };
        // Deliver what happened since the last check before the array changes.
        self.threshold_check(t, smp_processor_id(), ary, usage);
        // The new array's kmalloc: a failure leaves the old array (and the signals just sent).
        let site = crate::fault_inject::threshold_ary_site(ary.thresholds().count() + 1);
        if fault.is_some_and(|f| f.should_failslab(&site)) {
            return Err(Errno::ENOMEM);
        }
        ary.insert(ThresholdEntry { eventfd, threshold }, usage, le);
        Ok(())
    }

    /// `mem_cgroup_usage_unregister_event` (`mm/memcontrol.c`, v2.6.34).
    #[doc(alias = "mem_cgroup_usage_unregister_event")]
    fn usage_unregister(
        &self,
        view: &dyn MemcgEventView,
        memcg: MemcgId,
        swap: bool,
        eventfd: &Arc<EventfdCtx>,
    ) {
        let t = &*self.tracer;
        let _f = trace::func(t, smp_processor_id(), "mem_cgroup_usage_unregister_event");
        let le = view.profile().thresholds_register_le;
        let mut inner = self.inner.lock();
        let Some(st) = inner.get_mut(&memcg) else {
            return;
        };
        let ary = if swap {
            &mut st.memsw_thresholds
        } else {
            &mut st.thresholds
        };
        if ary.is_empty() {
            return;
        }
        if let Some(usage) = view.usage(memcg, swap) {
            self.threshold_check(t, smp_processor_id(), ary, usage);
            ary.remove(eventfd, usage, le);
        } else {
            ary.remove(eventfd, Bytes(0), le);
        }
    }

    /// `__mem_cgroup_threshold` on one array, signalling each crossed threshold once.
    fn threshold_check(&self, t: &T, cpu: CpuId, ary: &mut ThresholdAry, usage: Bytes) {
        if ary.is_empty() {
            return;
        }
        let _f = trace::func(t, cpu, "__mem_cgroup_threshold");
        ary.check(usage, |e| {
            let _g = trace::func(t, cpu, "eventfd_signal");
            e.eventfd.signal(1);
        });
    }

    /// `mem_cgroup_threshold(memcg)`: both arrays of `memcg`, then of each hierarchical
    /// ancestor (`mm/memcontrol.c` `mem_cgroup_threshold`, v2.6.34).
    fn mem_cgroup_threshold(
        &self,
        view: &dyn MemcgEventView,
        inner: &mut BTreeMap<MemcgId, MemcgEventState>,
        cpu: CpuId,
        memcg: MemcgId,
    ) {
        let t = &*self.tracer;
        let walk = view.profile().thresholds_walk_ancestors;
        let swap = view.swap_accounting();
        let mut m = Some(memcg);
        while let Some(id) = m {
            if let Some(st) = inner.get_mut(&id)
                && !(st.thresholds.is_empty() && st.memsw_thresholds.is_empty())
            {
                let _f = trace::func(t, cpu, "mem_cgroup_threshold");
                if let Some(u) = view.usage(id, false) {
                    self.threshold_check(t, cpu, &mut st.thresholds, u);
                }
                if swap && let Some(u) = view.usage(id, true) {
                    self.threshold_check(t, cpu, &mut st.memsw_thresholds, u);
                }
            }
            m = if walk { view.hier_parent(id) } else { None };
        }
    }

    // ---- OOM notification (`mm/memcontrol.c` `mem_cgroup_oom_register_event`, `mem_cgroup_oom_notify`, v2.6.35) ----

    /// `mem_cgroup_oom_register_event` (`mm/memcontrol.c`, v2.6.35): args are ignored; signalled at once if the
    /// memcg is under OOM now.
    #[doc(alias = "mem_cgroup_oom_register_event")]
    fn oom_register(
        &self,
        view: &dyn MemcgEventView,
        memcg: MemcgId,
        eventfd: Arc<EventfdCtx>,
        fault: Option<&cgsim_ktypes::FaultInjection>,
    ) -> Result<(), Errno> {
        let t = &*self.tracer;
        let _f = trace::func(t, smp_processor_id(), "mem_cgroup_oom_register_event");
        // The list entry's kmalloc comes first.
        if fault.is_some_and(|f| f.should_failslab(&crate::fault_inject::OOM_EVENT)) {
            return Err(Errno::ENOMEM);
        }
        if view.usage(memcg, false).is_none() {
            return Err(Errno::EINVAL);
        }
        let mut inner = self.inner.lock();
        if view.under_oom(memcg) {
            let _g = trace::func(t, smp_processor_id(), "eventfd_signal");
            eventfd.signal(1);
        }
        inner.entry(memcg).or_default().oom_notify.push(eventfd);
        Ok(())
    }

    /// `mem_cgroup_oom_unregister_event` (`mm/memcontrol.c`, v2.6.35).
    #[doc(alias = "mem_cgroup_oom_unregister_event")]
    fn oom_unregister(&self, memcg: MemcgId, eventfd: &Arc<EventfdCtx>) {
        let _f = trace::func(
            &*self.tracer,
            smp_processor_id(),
            "mem_cgroup_oom_unregister_event",
        );
        let mut inner = self.inner.lock();
        if let Some(st) = inner.get_mut(&memcg) {
            st.oom_notify.retain(|e| !Arc::ptr_eq(e, eventfd));
        }
    }
}

// ---- memory pressure (`mm/vmpressure.c` `vmpressure`, `vmpressure_register_event`, v3.10) ----

impl<C: MemCounter, T: Tracer> MemcgEvents<C, T> {
    /// `vmpressure_register_event` (3.10): exactly one of `low`, `medium`, `critical`.
    #[doc(alias = "vmpressure_register_event")]
    fn vmpressure_register(
        &self,
        view: &dyn MemcgEventView,
        memcg: MemcgId,
        eventfd: Arc<EventfdCtx>,
        args: &str,
    ) -> Result<(), Errno> {
        let _f = trace::func(
            &*self.tracer,
            smp_processor_id(),
            "vmpressure_register_event",
        );
        if !view.profile().vmpressure || view.usage(memcg, false).is_none() {
            return Err(Errno::EINVAL);
        }
        let level = VmpressureLevel::parse(args)?;
        let mut inner = self.inner.lock();
        inner
            .entry(memcg)
            .or_default()
            .vmpressure
            .events
            .push((level, eventfd));
        Ok(())
    }

    /// `vmpressure_unregister_event`.
    #[doc(alias = "vmpressure_unregister_event")]
    fn vmpressure_unregister(&self, memcg: MemcgId, eventfd: &Arc<EventfdCtx>) {
        let _f = trace::func(
            &*self.tracer,
            smp_processor_id(),
            "vmpressure_unregister_event",
        );
        if let Some(st) = self.inner.lock().get_mut(&memcg) {
            st.vmpressure
                .events
                .retain(|(_, e)| !Arc::ptr_eq(e, eventfd));
        }
    }
}

impl<C: MemCounter, T: Tracer> MemcgEventHook for MemcgEvents<C, T> {
    /// Accumulate the pass into `memcg`'s window; a full window (`vmpressure_win` pages
    /// scanned) is taken and reset, its level computed, and delivered to the nearest memcg,
    /// walking up through `use_hierarchy` parents, that has a registration at or below that
    /// level (`vmpressure_work_fn`, `mm/vmpressure.c` `vmpressure`, `vmpressure_prio`, v3.10).
    fn vmpressure(&self, view: &dyn MemcgEventView, memcg: MemcgId, scanned: u64, reclaimed: u64) {
        let t = &*self.tracer;
        let _f = trace::func(t, smp_processor_id(), "vmpressure");
        let mut inner = self.inner.lock();
        let vmpr = &mut inner.entry(memcg).or_default().vmpressure;
        vmpr.scanned += scanned;
        vmpr.reclaimed += reclaimed;
        if vmpr.scanned < crate::vmscan::VMPRESSURE_WIN {
            return;
        }
        let (scanned, reclaimed) = (vmpr.scanned, vmpr.reclaimed);
        vmpr.scanned = 0;
        vmpr.reclaimed = 0;
        let _w = trace::func(t, smp_processor_id(), "vmpressure_work_fn");
        let level = VmpressureLevel::calc(scanned, reclaimed);
        let mut m = Some(memcg);
        while let Some(id) = m {
            let handled = inner.get(&id).is_some_and(|st| {
                st.vmpressure.deliver(level, |e| {
                    let _g = trace::func(t, smp_processor_id(), "eventfd_signal");
                    e.signal(1);
                })
            });
            if handled {
                break;
            }
            m = view.hier_parent(id);
        }
    }

    /// Count the page event and, when `thresholds.check` says so, run `mem_cgroup_threshold`.
    ///
    /// The count is the memcg's own (`pgpgin + pgpgout`, see [`MemcgEventView::page_events`]),
    /// so it is right even though the hook only hears events while a threshold is registered.
    fn memcg_check_events(&self, view: &dyn MemcgEventView, cpu: CpuId, memcg: MemcgId) {
        let Some(events) = view.page_events(memcg) else {
            return;
        };
        let due = match view.profile().thresholds_check {
            ThresholdCheck::EveryEvent => true,
            ThresholdCheck::Ratelimited2_6_34 => events.is_multiple_of(THRESHOLDS_EVENTS_TARGET),
            // mem_cgroup_event_ratelimit (3.x): the check runs when the count passes `next`,
            // which then moves 128 events on; from a count of 0 that is the 1st event and then
            // every 129th, a pattern that needs no stored `next`.
            ThresholdCheck::Ratelimited3x => {
                events.wrapping_sub(1) % (THRESHOLDS_EVENTS_TARGET + 1) == 0
            }
        };
        if due {
            let mut inner = self.inner.lock();
            self.mem_cgroup_threshold(view, &mut inner, cpu, memcg);
        }
    }

    /// `mem_cgroup_oom_notify`: +1 on every eventfd registered in the OOMing subtree.
    fn mem_cgroup_oom_notify(&self, _view: &dyn MemcgEventView, members: &[MemcgId]) {
        let t = &*self.tracer;
        let _f = trace::func(t, smp_processor_id(), "mem_cgroup_oom_notify");
        let inner = self.inner.lock();
        for m in members {
            if let Some(st) = inner.get(m) {
                for e in &st.oom_notify {
                    let _g = trace::func(t, smp_processor_id(), "eventfd_signal");
                    e.signal(1);
                }
            }
        }
    }

    fn memcg_freed(&self, memcg: MemcgId) {
        self.inner.lock().remove(&memcg);
    }

    /// Only thresholds need a check per page: OOM notifications are sent from the OOM path
    /// and pressure events from reclaim, both slow paths that always reach the hook.
    fn wants_page_events(&self) -> bool {
        self.inner
            .lock()
            .values()
            .any(|st| !(st.thresholds.is_empty() && st.memsw_thresholds.is_empty()))
    }
}

/// The unregistration a [`Notifier`] runs when dropped.
type Unregister = Box<dyn FnOnce(MemcgId, EventFile, &Arc<EventfdCtx>) + Send + Sync>;

/// A registration that owns its eventfd: the Rust-side equivalent of a listener's
/// `eventfd` + `cgroup.event_control` write. Dropping it unregisters the event and closes the
/// eventfd, as closing the fd does (`kernel/cgroup.c` `cgroup_event_wake`, `cgroup_event_remove`, v2.6.34).
pub struct Notifier {
    efd: EventfdFile,
    memcg: MemcgId,
    file: EventFile,
    unregister: Option<Unregister>,
}

impl Notifier {
    /// The eventfd the notifications are signalled on.
    pub fn eventfd(&self) -> &Arc<EventfdCtx> {
        self.efd.ctx()
    }

    /// The memcg it is registered on.
    pub fn memcg(&self) -> MemcgId {
        self.memcg
    }

    /// The file it is registered on.
    pub fn file(&self) -> EventFile {
        self.file
    }

    /// A blocking `read(2)` of the eventfd: sleep this thread until at least one notification
    /// arrived; return how many (the counter, which is reset).
    pub fn wait(&self) -> u64 {
        let mut buf = [0u8; 8];
        match self.efd.ctx().read_blocking(&mut buf) {
            Ok(_) => u64::from_ne_bytes(buf),
            Err(_) => 0,
        }
    }

    /// [`wait`](Self::wait) with a time limit: `None` if nothing arrived in time.
    pub fn wait_timeout(&self, timeout: Duration) -> Option<u64> {
        let mut buf = [0u8; 8];
        self.efd
            .ctx()
            .read_timeout(&mut buf, timeout)
            .ok()
            .map(|_| u64::from_ne_bytes(buf))
    }

    /// A non-blocking read: the notifications since the last read, `None` if there were none.
    pub fn try_recv(&self) -> Option<u64> {
        let mut buf = [0u8; 8];
        self.efd
            .ctx()
            .try_read(&mut buf)
            .ok()
            .map(|_| u64::from_ne_bytes(buf))
    }
}

impl Drop for Notifier {
    fn drop(&mut self) {
        if let Some(f) = self.unregister.take() {
            f(self.memcg, self.file, self.efd.ctx());
        }
    }
}

#[cfg(feature = "cgroup")]
mod cft {
    //! The `struct cftype` event callbacks the cgroup core calls from `cgroup.event_control`.

    use super::{EventFile, MemcgEvents};
    use crate::counter_ext::MemCounter;
    use crate::subsys::css_memcg;
    use cgsim_cgroup::{CftEvents, CgroupId, CssRef};
    use cgsim_eventfd::EventfdCtx;
    use cgsim_ktypes::{Errno, Tracer};
    use std::any::Any;
    use std::sync::Arc;

    /// `register_event`/`unregister_event` of one memory file.
    pub(super) struct MemEventCft<C: MemCounter, T: Tracer> {
        pub(super) events: Arc<MemcgEvents<C, T>>,
        pub(super) kind: EventFile,
    }

    /// The eventfd the syscall layer passes: an `EventfdCtx` behind `dyn Any` (or an
    /// `Arc<EventfdCtx>` inside it).
    fn eventfd_ctx(any: &Arc<dyn Any + Send + Sync>) -> Option<Arc<EventfdCtx>> {
        Arc::clone(any)
            .downcast::<EventfdCtx>()
            .ok()
            .or_else(|| any.downcast_ref::<Arc<EventfdCtx>>().cloned())
    }

    impl<C: MemCounter, T: Tracer> CftEvents for MemEventCft<C, T> {
        fn register_event(
            &self,
            _cgrp: CgroupId,
            css: Option<&CssRef>,
            eventfd: Arc<dyn Any + Send + Sync>,
            args: &str,
        ) -> Result<(), Errno> {
            let memcg = css.and_then(css_memcg).ok_or(Errno::EINVAL)?;
            let ctx = eventfd_ctx(&eventfd).ok_or(Errno::EINVAL)?;
            self.events.register_event(memcg, self.kind, ctx, args)
        }

        fn unregister_event(
            &self,
            _cgrp: CgroupId,
            css: Option<&CssRef>,
            eventfd: &Arc<dyn Any + Send + Sync>,
        ) {
            if let (Some(memcg), Some(ctx)) = (css.and_then(css_memcg), eventfd_ctx(eventfd)) {
                self.events.unregister_event(memcg, self.kind, &ctx);
            }
        }
    }
}
