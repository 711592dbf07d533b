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
//! **Differences:** the simulated scheduler freezes a task at once (`freeze_task` and the
//! task's entry into the refrigerator are one step), so `freezer.state` never stays FREEZING.
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

/// The frozen tasks (`frozen(p)`, `PF_FROZEN`), shared by the subsystem and the Kernel's
/// scheduler, which does not step a task listed here, and `ps`, which shows it in state D.
#[derive(Debug, Default)]
pub struct FrozenTasks {
    any: AtomicBool,
    set: Mutex<BTreeSet<Pid>>,
}

impl FrozenTasks {
    /// `frozen(p)`. Cheap while nothing is frozen.
    pub fn is_frozen(&self, pid: Pid) -> bool {
        self.any.load(Ordering::Acquire) && self.set.lock().contains(&pid)
    }

    fn freeze(&self, pid: Pid) {
        let mut s = self.set.lock();
        s.insert(pid);
        self.any.store(true, Ordering::Release);
    }

    fn thaw(&self, pid: Pid) {
        let mut s = self.set.lock();
        s.remove(&pid);
        self.any.store(!s.is_empty(), Ordering::Release);
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
