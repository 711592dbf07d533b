//! `mem_cgroup_subsys`: the memory controller registered with the cgroup core.
//!
//! **Kernel:** `mm/memcontrol.c` `struct cgroup_subsys mem_cgroup_subsys` (2.6.34:
//! `create`, `pre_destroy`, `destroy`, `populate`, `can_attach`, `cancel_attach`, `attach`; no
//! `fork`/`exit` callbacks), `kernel/cgroup.c` `cgroup_init_subsys`, v2.6.34; `mm/memcontrol.c` `mem_cgroup_create`, `mem_cgroup_pre_destroy`, `mem_cgroup_force_empty`, `mem_cgroup_destroy`, v2.6.34–v2.6.35.
//! On the 3.19, 4.19 and 6.6 presets `pre_destroy` is `mem_cgroup_css_offline` (no reparenting) and
//! `css_pinned` keeps the css dying while pages or swap entries are charged to it
//! (`mm/memcontrol.c` v6.6; see `memcontrol.rs`).
//!
//! The css's private state is a [`MemCgroupRef`] (the memcg id): that is
//! `mem_cgroup_from_cont`. The memcg keeps the css in [`MemCgroup::css`](crate::MemCgroup::css)
//! (see `memcontrol.rs` for the container_of picture).
//!
//! **Locking:** callbacks run under `cgroup_mutex` and take the machine's `world` lock
//! (`cgroup_mutex -> world`); file handlers run without `cgroup_mutex` and take only `world`.
//! **Differences:** a child task's memcg is its parent's until an attach moves it (the host calls
//! [`MemoryMachine::fork_mm`], which inherits it), so no `fork` callback is needed, as in the
//! kernel. Tasks the machine does not know (never registered with `add_task`/`fork_mm`) are
//! ignored by `attach`.

use crate::counter_ext::MemCounter;
use crate::files::{MemFile, ReadKind, WriteKind};
use crate::machine::{MemCgroupRef, MemoryMachine};
use crate::memcontrol::MemcgId;
use cgsim_cgroup::{
    CallbackSet, CftCtx, CftEvents, Cftype, CgroupSubsys, CssRef, PopulateDir, SubsysCallback,
    SubsysCtx, TaskRef, default_subsystems,
};
use cgsim_ktypes::{Errno, Tracer};
use std::any::Any;
use std::sync::Arc;

/// The memory subsystem (`mem_cgroup_subsys`, id 5 in the 2.6.25 table).
pub struct MemCgroupSubsys<C: MemCounter, T: Tracer> {
    machine: Arc<MemoryMachine<C, T>>,
    events: MemEventFiles,
}

/// The `register_event`/`unregister_event` hooks of the three event-capable files (2.6.34:
/// `usage_in_bytes`, `memsw.usage_in_bytes`; 2.6.35: `oom_control`), `mm/memcontrol.c` `mem_cgroup_threshold`, `__mem_cgroup_threshold`, `mem_cgroup_oom_register_event`, `mem_cgroup_oom_notify`.
///
/// The thresholds and OOM-notifier layer implements [`CftEvents`] for each and passes them to
/// [`MemCgroupSubsys::with_events`]; it learns about usage changes and OOMs through
/// [`MemcgEventHook`](crate::MemcgEventHook) (`MemoryMachine::set_event_hook`). Files without a
/// hook have no `register_event`, so `cgroup.event_control` refuses them (EINVAL), as the kernel
/// does for files without one.
#[derive(Clone, Default)]
pub struct MemEventFiles {
    pub usage_in_bytes: Option<Arc<dyn CftEvents>>,
    pub memsw_usage_in_bytes: Option<Arc<dyn CftEvents>>,
    pub oom_control: Option<Arc<dyn CftEvents>>,
    /// `memory.pressure_level` (3.10, only with the `vmpressure` switch).
    pub pressure_level: Option<Arc<dyn CftEvents>>,
}

impl<C: MemCounter, T: Tracer> MemCgroupSubsys<C, T> {
    pub fn new(machine: Arc<MemoryMachine<C, T>>) -> Self {
        MemCgroupSubsys {
            machine,
            events: MemEventFiles::default(),
        }
    }

    /// The subsystem with event hooks on its event-capable files.
    pub fn with_events(machine: Arc<MemoryMachine<C, T>>, events: MemEventFiles) -> Self {
        MemCgroupSubsys { machine, events }
    }
}

/// The memcg behind a css (`mem_cgroup_from_cont`).
pub fn css_memcg(css: &CssRef) -> Option<MemcgId> {
    css.private::<MemCgroupRef>().map(|r| r.id)
}

fn ctx_memcg<T: Tracer>(cx: &CftCtx<'_, T>) -> Result<MemcgId, Errno> {
    cx.css.as_ref().and_then(css_memcg).ok_or(Errno::ENODEV)
}

/// The 2.6.25 subsystem table of `cgsim_cgroup::default_subsystems` with the real memory
/// controller at id 5, its thresholds and OOM notification installed
/// ([`MemcgEvents`](crate::events::MemcgEvents), `mm/memcontrol.c` `mem_cgroup_threshold`, `__mem_cgroup_threshold`, `mem_cgroup_oom_register_event`, `mem_cgroup_oom_notify`, v2.6.34–v2.6.35).
pub fn memory_subsystems<C: MemCounter, T: Tracer>(
    machine: Arc<MemoryMachine<C, T>>,
) -> Vec<Box<dyn CgroupSubsys<T>>> {
    memory_subsystems_with_events(machine).0
}

/// A `subsys[]` table, index = subsystem id.
pub type SubsysTable<T> = Vec<Box<dyn CgroupSubsys<T>>>;

/// [`memory_subsystems`], also returning the event layer so that Rust code can register
/// notifications without going through `cgroup.event_control`.
pub fn memory_subsystems_with_events<C: MemCounter, T: Tracer>(
    machine: Arc<MemoryMachine<C, T>>,
) -> (SubsysTable<T>, Arc<crate::events::MemcgEvents<C, T>>) {
    let events = crate::events::MemcgEvents::install(&machine);
    let mut v = default_subsystems::<T>();
    v[cgsim_cgroup::subsys_ids::MEMORY] =
        Box::new(MemCgroupSubsys::with_events(machine, events.event_files()));
    (v, events)
}

impl<C: MemCounter, T: Tracer> CgroupSubsys<T> for MemCgroupSubsys<C, T> {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn symbol_prefix(&self) -> &'static str {
        "mem_cgroup"
    }

    /// `mem_cgroup_subsys.attach = mem_cgroup_move_task` (`mm/memcontrol.c`, 2.6.25–2.6.35).
    fn callback_symbol(&self, cb: SubsysCallback) -> Option<&'static str> {
        (cb == SubsysCallback::Attach).then_some("mem_cgroup_move_task")
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY
            .with(SubsysCallback::PreDestroy)
            .with(SubsysCallback::Populate)
            .with(SubsysCallback::CanAttach)
            .with(SubsysCallback::CancelAttach)
            .with(SubsysCallback::Attach)
    }

    fn create(
        &self,
        cx: &SubsysCtx<'_, T>,
        css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        let id = if css.is_root() {
            MemcgId::ROOT
        } else {
            let parent = cx.parent_css.and_then(css_memcg).ok_or(Errno::ENODEV)?;
            self.machine.mem_cgroup_create(parent)?
        };
        self.machine
            .set_css(id, Some(Arc::clone(css) as Arc<dyn Any + Send + Sync>));
        // Cgroup writeback (dirty limits per memcg) only on the default hierarchy.
        self.machine.set_cgroup_writeback(id, cx.on_dfl);
        Ok(Arc::new(MemCgroupRef { id }))
    }

    /// `rebind_subsystems` moved the root css: to a v1 hierarchy's top cgroup, or back to the
    /// default hierarchy's root (the dummy root on the presets without cgroup2, where
    /// `on_dfl` is false). 6.6 decides `do_memsw_account()` by it.
    fn bind(&self, cx: &SubsysCtx<'_, T>, _css: &CssRef) {
        self.machine.set_memory_on_dfl(cx.on_dfl);
    }

    fn pre_destroy(&self, cx: &SubsysCtx<'_, T>, css: &CssRef) -> Result<(), Errno> {
        match css_memcg(css) {
            Some(id) => self.machine.mem_cgroup_pre_destroy(cx.cpu, id),
            None => Ok(()),
        }
    }

    fn destroy(&self, cx: &SubsysCtx<'_, T>, css: &CssRef) {
        if let Some(id) = css_memcg(css) {
            self.machine.set_css(id, None);
            // The root memcg lives as long as the machine.
            let _ = self.machine.mem_cgroup_destroy(cx.cpu, id);
        }
    }

    /// 3.19+ (`memcg.offline = keep_*`): the charges of an offline memcg hold its css
    /// ([`MemoryMachine::memcg_pinned`]).
    fn css_pinned(&self, css: &CssRef) -> bool {
        css_memcg(css).is_some_and(|id| self.machine.memcg_pinned(id))
    }

    fn can_attach(&self, cx: &SubsysCtx<'_, T>, css: &CssRef, task: TaskRef) -> Result<(), Errno> {
        match css_memcg(css) {
            Some(id) => self.machine.can_attach_on(cx.cpu, task.pid, id),
            None => Ok(()),
        }
    }

    fn cancel_attach(&self, cx: &SubsysCtx<'_, T>, css: &CssRef, task: TaskRef) {
        if let Some(id) = css_memcg(css) {
            self.machine.cancel_attach_on(cx.cpu, task.pid, id);
        }
    }

    fn attach(&self, cx: &SubsysCtx<'_, T>, css: &CssRef, _old_css: &CssRef, task: TaskRef) {
        if let Some(id) = css_memcg(css) {
            let _ = self.machine.mem_cgroup_move_task(cx.cpu, task.pid, id);
        }
    }

    fn populate(
        &self,
        cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        if cx.on_dfl {
            // The default hierarchy: 6.6's `dfl_cftypes`, on the machine whose counter has the
            // v2 protections. Another machine has no v2 interface (the presets without
            // cgroup2 never get here).
            if self.machine.has_v2_interface() {
                for cft in v2_cftypes(&self.machine) {
                    dir.add_file(cft)?;
                }
            }
            return Ok(());
        }
        let profile = self.machine.profile();
        for file in MemFile::list_for(&profile) {
            let mut cft = cftype::<C, T>(&self.machine, file, &profile);
            let hook = match file {
                MemFile::UsageInBytes => self.events.usage_in_bytes.clone(),
                MemFile::MemswUsageInBytes => self.events.memsw_usage_in_bytes.clone(),
                MemFile::OomControl => self.events.oom_control.clone(),
                MemFile::PressureLevel => self.events.pressure_level.clone(),
                _ => None,
            };
            if let Some(h) = hook {
                cft = cft.with_events(h);
            }
            dir.add_file(cft)?;
        }
        Ok(())
    }
}

/// The `struct cftype` of one memory file, with the handler shapes of `mem_cgroup_files[]`.
fn cftype<C: MemCounter, T: Tracer>(
    machine: &Arc<MemoryMachine<C, T>>,
    file: MemFile,
    profile: &crate::MemcgProfile,
) -> Cftype<T> {
    let mut cft = Cftype::new(file.name()).with_private(file as u64);
    match file.read_kind() {
        ReadKind::None => {}
        ReadKind::U64 => {
            let m = Arc::clone(machine);
            cft = cft.read_u64(move |cx| m.read_u64(ctx_memcg(cx)?, file));
        }
        ReadKind::Map => {
            let m = Arc::clone(machine);
            cft = cft.read_map(move |cx| m.read_map(ctx_memcg(cx)?, file));
        }
    }
    match file.write_kind_in(profile) {
        WriteKind::None => {}
        WriteKind::String => {
            let m = Arc::clone(machine);
            cft = cft.write_string(move |cx, s| m.write_string_on(cx.cpu, ctx_memcg(cx)?, file, s));
        }
        WriteKind::U64 => {
            let m = Arc::clone(machine);
            cft = cft.write_u64(move |cx, v| m.write_u64_on(cx.cpu, ctx_memcg(cx)?, file, v));
        }
        WriteKind::Trigger => {
            let m = Arc::clone(machine);
            cft = cft.trigger(move |cx| m.trigger_on(cx.cpu, ctx_memcg(cx)?, file));
        }
    }
    cft
}

/// The memory controller's `dfl_cftypes` of 6.6: `memory_files[]`, `swap_files[]` and
/// `zswap_files[]` (`mm/memcontrol.c`, v6.6) with their flags (`CFTYPE_NOT_ON_ROOT`, which the
/// core applies, and `CFTYPE_NS_DELEGATABLE`). Every file reads with `seq_show` (or
/// `read_u64`, printed the same way) and writes with the raw `write` handler, which strips
/// white space itself and returns the whole count.
pub fn v2_cftypes<C: MemCounter, T: Tracer>(machine: &Arc<MemoryMachine<C, T>>) -> Vec<Cftype<T>> {
    use crate::memcontrol_v2::MemFileV2;
    MemFileV2::ALL
        .into_iter()
        .map(|file| {
            let mut flags = 0;
            if file.not_on_root() {
                flags |= cgsim_cgroup::CFTYPE_NOT_ON_ROOT;
            }
            if matches!(file, MemFileV2::OomGroup | MemFileV2::Reclaim) {
                flags |= cgsim_cgroup::CFTYPE_NS_DELEGATABLE;
            }
            let mut cft = Cftype::new(file.name())
                .with_mode(file.mode())
                .with_flags(flags);
            if file.readable() {
                let m = Arc::clone(machine);
                cft = cft.read_seq_string(move |cx| m.read_v2(ctx_memcg(cx)?, file));
            }
            if file.writable() {
                let m = Arc::clone(machine);
                cft =
                    cft.write_raw(move |cx, buf| m.write_v2_on(cx.cpu, ctx_memcg(cx)?, file, buf));
            }
            cft
        })
        .collect()
}
