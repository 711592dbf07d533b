//! The cgroup freezer (`freezer_subsys`): stop and resume every task of a cgroup.
//!
//! **Kernel:** `kernel/cgroup_freezer.c`, v2.6.35 (2.6.28–3.9): `freezer.state` reads
//! `THAWED`, `FREEZING` or `FROZEN` and takes `THAWED` or `FROZEN` (anything else, `FREEZING`
//! included, is EINVAL: `freezer_write`); the file is not created in a top cgroup
//! (`freezer_populate`), whose tasks are never frozen. `freezer_change_state` first recomputes
//! the state from the tasks (`update_freezer_state`: all frozen is FROZEN, some FREEZING, none
//! THAWED, and an empty cgroup counts as all frozen), then freezes (`try_to_freeze_cgroup`) or
//! thaws (`unfreeze_cgroup`) the cgroup's own tasks only: 2.6.35's freezer is not hierarchical.
//! `freezer_can_attach` refuses (EBUSY) moving a frozen task anywhere and moving any task into
//! a FROZEN cgroup; `freezer_fork` freezes a child forked in a freezing cgroup.
//! A frozen task waits in the refrigerator (`kernel/freezer.c` `refrigerator`) in
//! `TASK_UNINTERRUPTIBLE`, so `ps` shows it in state `D`.
//!
//! 3.10 (`--kernel 3.10` and later, 3.10's rewrite): freezing is hierarchical
//! (`freezer_apply_state` walks the descendants, `CGROUP_FREEZING_PARENT`), the files
//! `freezer.self_freezing` and `freezer.parent_freezing` are added (all three are
//! `CFTYPE_NOT_ON_ROOT`), and `can_attach` is gone: `freezer_attach` makes a moved task follow
//! its new cgroup (frozen if it is freezing, thawed otherwise).
//!
//! FREEZING: `freeze_task` sets `TIF_FREEZE` and sends a fake signal; the task freezes when
//! it next runs. A task the fake signal cannot wake stays freezing (2.6.35
//! `update_freezer_state` counts it as not frozen, `is_task_frozen_enough`; 3.10
//! `update_if_frozen` likewise), so `freezer.state` reads FREEZING until a later read finds
//! every task frozen. In 2.6.35 a read that finds no task frozen at all gives THAWED, and the
//! state stays THAWED (reads recompute only while FREEZING) until the next write, even after
//! the task has frozen. THAWED written while FREEZING thaws the frozen tasks and cancels the
//! pending requests (`thaw_process`); if none was frozen yet, 2.6.35 computes THAWED, sees
//! the goal reached and leaves the requests pending (`freezer_change_state`).
//!
//! **Differences:** of the states in which a real task cannot freeze yet, the simulation has
//! one: asleep on a memcg OOM wait queue (`TASK_KILLABLE`, `mm/memcontrol.c`
//! `mem_cgroup_handle_oom`, v2.6.35). Every other task freezes at once (`freeze_task` and the
//! task's entry into the refrigerator are one step). Not modelled: a vfork parent
//! (`PF_FREEZER_SKIP`, the simulation has no vfork), stopped or traced tasks (SIGSTOP has no
//! effect here, so `is_task_frozen_enough`'s stopped case never applies), other
//! uninterruptible sleeps (disk I/O, 6.6's `memory.high` throttling sleep, which the v1
//! freezer then treats as freezable), and `try_to_freeze_cgroup`'s EBUSY (it needs a task
//! `freeze_task` could not flag, a kernel thread; the simulation has none in a cgroup).
//! The shell that reads your commands is not a stepped program: if it is frozen it is listed
//! in state D but keeps reading commands (a real terminal would hang).
//! Signals to a frozen task are delivered at once instead of after the thaw.

use crate::cftype::{CFTYPE_NOT_ON_ROOT, CftCtx, Cftype};
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx, TaskRef};
use cgsim_ktypes::{Errno, Pid, Tracer};
use parking_lot::Mutex;
use std::any::Any;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// `enum freezer_state`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FreezerState {
    Thawed,
    Freezing,
    Frozen,
}

impl FreezerState {
    /// `freezer_state_strs[]`.
    pub fn as_str(self) -> &'static str {
        match self {
            FreezerState::Thawed => "THAWED",
            FreezerState::Freezing => "FREEZING",
            FreezerState::Frozen => "FROZEN",
        }
    }
}

/// What the freezer knows of each task: frozen (`frozen(p)`, `PF_FROZEN`: in the refrigerator)
/// or freezing (`freezing(p)`, `TIF_FREEZE` set by `freeze_task` while the task has not reached
/// the refrigerator yet). Shared by the subsystem and the Kernel's scheduler, which does not step
/// a frozen task, and `ps`, which shows it in state D.
///
/// A task enters the refrigerator the next time it runs (`try_to_freeze` on its way back to
/// user space after `fake_signal_wake_up`). In the simulation that is at once, unless the task
/// sleeps where the freezer's fake signal cannot wake it: the probe the Kernel installs
/// ([`FrozenTasks::set_blocked_probe`]) says which tasks do (the memcg OOM wait,
/// `TASK_KILLABLE`). Such a task stays freezing until a later look finds it awake; it then
/// counts as frozen (it would freeze before returning to user space).
#[derive(Default)]
pub struct FrozenTasks {
    any: AtomicBool,
    set: Mutex<FreezerSets>,
    blocked: OnceLock<BlockedProbe>,
}

/// Whether a task sleeps where a freeze request cannot wake it.
pub type BlockedProbe = Box<dyn Fn(Pid) -> bool + Send + Sync>;

#[derive(Debug, Default)]
struct FreezerSets {
    frozen: BTreeSet<Pid>,
    freezing: BTreeSet<Pid>,
}

impl std::fmt::Debug for FrozenTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrozenTasks")
            .field("set", &*self.set.lock())
            .finish_non_exhaustive()
    }
}

impl FrozenTasks {
    /// Install the test for "sleeps where `fake_signal_wake_up` cannot wake it" (once, at boot).
    /// It must take no lock the cgroup core may hold outside it (it runs under the freezer's
    /// callers: `cgroup_mutex`, `Kernel::state`).
    pub fn set_blocked_probe(&self, probe: BlockedProbe) {
        let _ = self.blocked.set(probe);
    }

    fn blocked(&self, pid: Pid) -> bool {
        self.blocked.get().is_some_and(|p| p(pid))
    }

    /// `frozen(p)`. Cheap while nothing is frozen or freezing. A freezing task found awake
    /// enters the refrigerator here.
    pub fn is_frozen(&self, pid: Pid) -> bool {
        if !self.any.load(Ordering::Acquire) {
            return false;
        }
        {
            let s = self.set.lock();
            if s.frozen.contains(&pid) {
                return true;
            }
            if !s.freezing.contains(&pid) {
                return false;
            }
        }
        // The probe runs with no freezer lock held.
        if self.blocked(pid) {
            return false;
        }
        let mut s = self.set.lock();
        if s.freezing.remove(&pid) {
            s.frozen.insert(pid);
        }
        s.frozen.contains(&pid)
    }

    /// `freezing(p) && !frozen(p)`: asked to freeze, not in the refrigerator yet.
    pub fn is_freezing(&self, pid: Pid) -> bool {
        !self.is_frozen(pid) && self.set.lock().freezing.contains(&pid)
    }

    /// `freeze_task(p, true)`: set `TIF_FREEZE`; the task is frozen at once unless it is
    /// blocked (see the type's description).
    fn freeze(&self, pid: Pid) {
        let blocked = self.blocked(pid);
        let mut s = self.set.lock();
        if s.frozen.contains(&pid) {
            return;
        }
        if blocked {
            s.freezing.insert(pid);
        } else {
            s.freezing.remove(&pid);
            s.frozen.insert(pid);
        }
        self.any.store(true, Ordering::Release);
    }

    /// `thaw_process`: leave the refrigerator, or drop a pending freeze request.
    fn thaw(&self, pid: Pid) {
        let mut s = self.set.lock();
        s.frozen.remove(&pid);
        s.freezing.remove(&pid);
        self.any.store(
            !s.frozen.is_empty() || !s.freezing.is_empty(),
            Ordering::Release,
        );
    }
}

/// `struct freezer`.
#[derive(Debug)]
pub struct Freezer {
    pub state: Mutex<FreezerState>,
    /// 3.10's `CGROUP_FREEZING_SELF`: this cgroup was written FROZEN.
    pub self_freezing: AtomicBool,
    /// The parent's freezer (`None` in a top cgroup).
    parent: Option<Arc<Freezer>>,
    is_root: bool,
}

impl Freezer {
    /// 3.10's `CGROUP_FREEZING_PARENT`: an ancestor was written FROZEN.
    fn parent_freezing(&self) -> bool {
        let mut p = self.parent.clone();
        while let Some(f) = p {
            if f.self_freezing.load(Ordering::Acquire) {
                return true;
            }
            p = f.parent.clone();
        }
        false
    }

    fn freezing(&self) -> bool {
        self.self_freezing.load(Ordering::Acquire) || self.parent_freezing()
    }

    /// Whether `self` is `f` or one of its descendants.
    fn within(self: &Arc<Self>, f: &Arc<Freezer>) -> bool {
        let mut cur = Some(Arc::clone(self));
        while let Some(c) = cur {
            if Arc::ptr_eq(&c, f) {
                return true;
            }
            cur = c.parent.clone();
        }
        false
    }
}

/// The `freezer` subsystem: `hierarchical` selects 3.10's model.
#[derive(Debug)]
pub struct CgroupFreezer {
    pub frozen: Arc<FrozenTasks>,
    pub hierarchical: bool,
    id: OnceLock<usize>,
}

impl CgroupFreezer {
    pub fn new(frozen: Arc<FrozenTasks>, hierarchical: bool) -> CgroupFreezer {
        CgroupFreezer {
            frozen,
            hierarchical,
            id: OnceLock::new(),
        }
    }
}

fn freezer_of(css: &CssRef) -> Result<Arc<Freezer>, Errno> {
    css.private::<Freezer>().ok_or(Errno::ENODEV)
}

impl<T: Tracer> CgroupSubsys<T> for CgroupFreezer {
    fn name(&self) -> &'static str {
        "freezer"
    }

    fn on_dfl(&self) -> bool {
        // v1 only: 6.6's controller has `legacy_cftypes` and no `dfl_cftypes`.
        false
    }

    fn callbacks(&self) -> CallbackSet {
        let cbs = CallbackSet::MANDATORY
            .with(SubsysCallback::Populate)
            .with(SubsysCallback::Fork);
        if self.hierarchical {
            cbs.with(SubsysCallback::Attach)
        } else {
            cbs.with(SubsysCallback::CanAttach)
        }
    }

    /// `freezer_create`: THAWED.
    fn create(
        &self,
        cx: &SubsysCtx<'_, T>,
        css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        let _ = self.id.set(cx.subsys_id);
        Ok(Arc::new(Freezer {
            state: Mutex::new(FreezerState::Thawed),
            self_freezing: AtomicBool::new(false),
            parent: cx.parent_css.and_then(|p| p.private::<Freezer>()),
            is_root: css.is_root() || cx.parent.is_none(),
        }))
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    /// `freezer_can_attach` (2.6.35): a frozen task cannot move, nothing moves into a FROZEN
    /// cgroup.
    fn can_attach(&self, _cx: &SubsysCtx<'_, T>, css: &CssRef, task: TaskRef) -> Result<(), Errno> {
        if self.hierarchical {
            return Ok(());
        }
        if self.frozen.is_frozen(task.pid) {
            return Err(Errno::EBUSY);
        }
        if *freezer_of(css)?.state.lock() == FreezerState::Frozen {
            return Err(Errno::EBUSY);
        }
        Ok(())
    }

    /// `freezer_attach` (3.10): the moved task follows its new cgroup.
    fn attach(&self, _cx: &SubsysCtx<'_, T>, css: &CssRef, _old: &CssRef, task: TaskRef) {
        if !self.hierarchical {
            return;
        }
        match freezer_of(css) {
            Ok(f) if !f.is_root && f.freezing() => self.frozen.freeze(task.pid),
            _ => self.frozen.thaw(task.pid),
        }
    }

    /// `freezer_fork`: a child forked in a freezing (or, in the simulation, frozen) cgroup is
    /// frozen; the top cgroup is never frozen.
    fn fork(&self, _cx: &SubsysCtx<'_, T>, css: &CssRef, task: TaskRef) {
        let Ok(f) = freezer_of(css) else { return };
        if f.is_root {
            return;
        }
        let freezing = if self.hierarchical {
            f.freezing()
        } else {
            *f.state.lock() != FreezerState::Thawed
        };
        if freezing {
            self.frozen.freeze(task.pid);
        }
    }

    fn exit(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef, task: TaskRef) {
        // The simulation's bookkeeping: an exiting task leaves the frozen set.
        self.frozen.thaw(task.pid);
    }

    fn populate(
        &self,
        cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        if cx.on_dfl {
            return Ok(());
        }
        let frozen = Arc::clone(&self.frozen);
        let hier = self.hierarchical;
        let id = *self.id.get().unwrap_or(&cx.subsys_id);
        let frozen_r = Arc::clone(&frozen);
        let state = Cftype::new("state")
            .read_seq_string(move |cx| freezer_read(cx, &frozen_r, hier, id))
            .write_string(move |cx, s| freezer_write(cx, s, &frozen, hier, id));
        if !hier {
            // 2.6.35 `freezer_populate`: no file in a top cgroup.
            if cx.parent.is_none() {
                return Ok(());
            }
            return dir.add_file(state);
        }
        dir.add_file(state.with_flags(CFTYPE_NOT_ON_ROOT))?;
        dir.add_file(
            Cftype::new("self_freezing")
                .with_flags(CFTYPE_NOT_ON_ROOT)
                .read_u64(|cx| {
                    let f = freezer_of(cx.css.as_ref().ok_or(Errno::ENODEV)?)?;
                    Ok(u64::from(f.self_freezing.load(Ordering::Acquire)))
                }),
        )?;
        dir.add_file(
            Cftype::new("parent_freezing")
                .with_flags(CFTYPE_NOT_ON_ROOT)
                .read_u64(|cx| {
                    let f = freezer_of(cx.css.as_ref().ok_or(Errno::ENODEV)?)?;
                    Ok(u64::from(f.parent_freezing()))
                }),
        )
    }
}

/// The tasks the state is computed over: the cgroup's own (2.6.35), or those of the cgroup and
/// its descendants (3.10).
fn tasks_of<T: Tracer>(
    cx: &CftCtx<'_, T>,
    f: &Arc<Freezer>,
    hier: bool,
    id: usize,
) -> Result<Vec<Pid>, Errno> {
    if !hier {
        return cx.core.cgroup_tasks(cx.cgrp);
    }
    Ok(cx
        .core
        .tasks()
        .into_iter()
        .filter(|&pid| {
            cx.core
                .task_css(pid, id)
                .ok()
                .and_then(|c| c.private::<Freezer>())
                .is_some_and(|tf| tf.within(f))
        })
        .collect())
}

/// `update_freezer_state`: all tasks frozen (or none at all) is FROZEN, some FREEZING, none
/// THAWED.
fn update_freezer_state(tasks: &[Pid], frozen: &FrozenTasks) -> FreezerState {
    let nfrozen = tasks.iter().filter(|&&p| frozen.is_frozen(p)).count();
    if nfrozen == tasks.len() {
        FreezerState::Frozen
    } else if nfrozen > 0 {
        FreezerState::Freezing
    } else {
        FreezerState::Thawed
    }
}

/// `freezer_read`.
fn freezer_read<T: Tracer>(
    cx: &CftCtx<'_, T>,
    frozen: &FrozenTasks,
    hier: bool,
    id: usize,
) -> Result<String, Errno> {
    let f = freezer_of(cx.css.as_ref().ok_or(Errno::ENODEV)?)?;
    let state = if hier {
        // 3.10 `freezer_read` → `update_if_frozen` over the subtree.
        if !f.freezing() {
            FreezerState::Thawed
        } else {
            let tasks = tasks_of(cx, &f, hier, id)?;
            match update_freezer_state(&tasks, frozen) {
                FreezerState::Frozen => FreezerState::Frozen,
                _ => FreezerState::Freezing,
            }
        }
    } else {
        let mut st = f.state.lock();
        if *st == FreezerState::Freezing {
            *st = update_freezer_state(&cx.core.cgroup_tasks(cx.cgrp)?, frozen);
        }
        *st
    };
    Ok(format!("{}\n", state.as_str()))
}

/// `freezer_write` → `freezer_change_state`.
fn freezer_write<T: Tracer>(
    cx: &CftCtx<'_, T>,
    buf: &str,
    frozen: &FrozenTasks,
    hier: bool,
    id: usize,
) -> Result<(), Errno> {
    let goal = match buf {
        "THAWED" => FreezerState::Thawed,
        "FROZEN" => FreezerState::Frozen,
        _ => return Err(Errno::EINVAL),
    };
    let f = freezer_of(cx.css.as_ref().ok_or(Errno::ENODEV)?)?;
    if hier {
        // 3.10 `freezer_change_state`: set or clear CGROUP_FREEZING_SELF, then make every task
        // of the subtree follow its own cgroup's freezing.
        f.self_freezing
            .store(goal == FreezerState::Frozen, Ordering::Release);
        for pid in tasks_of(cx, &f, hier, id)? {
            let tf = cx
                .core
                .task_css(pid, id)
                .ok()
                .and_then(|c| c.private::<Freezer>());
            match tf {
                Some(tf) if !tf.is_root && tf.freezing() => frozen.freeze(pid),
                _ => frozen.thaw(pid),
            }
        }
        return Ok(());
    }
    let tasks = cx.core.cgroup_tasks(cx.cgrp)?;
    let mut st = f.state.lock();
    *st = update_freezer_state(&tasks, frozen);
    if goal == *st {
        return Ok(());
    }
    match goal {
        FreezerState::Thawed => {
            // `unfreeze_cgroup`.
            for pid in tasks {
                frozen.thaw(pid);
            }
            *st = FreezerState::Thawed;
        }
        _ => {
            // `try_to_freeze_cgroup`: FREEZING until a read or write finds every task frozen.
            *st = FreezerState::Freezing;
            for pid in tasks {
                frozen.freeze(pid);
            }
        }
    }
    Ok(())
}
