//! The cgroup side of fork and exit, and the task table.
//!
//! **Kernel:** `kernel/cgroup.c` `cgroup_fork`, `cgroup_fork_callbacks`, `cgroup_post_fork`,
//! `cgroup_exit` (2.6.25; `kernel/cgroup.c` `cgroup_fork`, `cgroup_post_fork`).
//!
//! **Locking:** as in the kernel, fork and exit take only `css_set_lock` (never `cgroup_mutex`):
//! `cgroup_fork` takes the reference and `cgroup_post_fork` links the child under the write
//! lock; the subsystem `fork`/`exit` callbacks run with no core lock held, with a context built
//! under `css_set_lock` from the cgroups' lock-free part ([`CgroupCore::ctx_rcu`]);
//! `put_css_set_taskexit` runs under the write lock and its `check_for_release` takes only
//! `release_list_lock`.
//!
//! **Differences:** the kernel's task lock is folded into `css_set_lock` (write).

use crate::cgroup::CgroupId;
use crate::core::{CgroupCore, CssSetState, Task};
use crate::css::CssRef;
use crate::root::RootId;
use crate::subsys::{SubsysCallback, SubsysCtx, TaskRef};
use cgsim_ktypes::percpu::smp_processor_id;
use cgsim_ktypes::{Cred, Errno, Pid, Tracer, trace};

/// One `fork`/`exit` callback to run: subsystem id, its context (whose `parent_css` is filled
/// in from the owned parent css when the callback runs), the parent css, the css and the task.
type ForkExitCall<'a, T> = (usize, SubsysCtx<'a, T>, Option<CssRef>, CssRef, TaskRef);

impl<T: Tracer> CgroupCore<T> {
    /// `copy_process`'s cgroup steps for `child` of `parent`: `cgroup_fork` (share the parent's
    /// css_set, one more reference), `cgroup_fork_callbacks` (every subsystem's `fork`, ascending
    /// id, if `need_forkexit_callback`), `cgroup_post_fork` (onto the css_set's task list).
    /// ESRCH if the parent is unknown or has exited; EEXIST if `child` is a live task already (a
    /// zombie of the same pid is replaced).
    ///
    /// **Locking:** `css_set_lock` only (see the module docs).
    #[doc(alias = "cgroup_fork")]
    pub fn fork(&self, parent: Pid, child: Pid, cred: Cred) -> Result<(), Errno> {
        self.fork_with(parent, child, cred, || {})
    }

    /// [`fork`](Self::fork), running `copy_mm` where `copy_process` copies the address space:
    /// after `cgroup_fork` and before `cgroup_fork_callbacks`, with no core lock held.
    pub fn fork_with(
        &self,
        parent: Pid,
        child: Pid,
        cred: Cred,
        copy_mm: impl FnOnce(),
    ) -> Result<(), Errno> {
        self.copy_process(parent, child, cred, false, copy_mm)
    }

    /// The cgroup steps of `copy_process`, for a new process (`thread == false`: its own
    /// thread group) or a new thread of `parent`'s group (`CLONE_THREAD`, `thread_group.rs`).
    pub(crate) fn copy_process(
        &self,
        parent: Pid,
        child: Pid,
        cred: Cred,
        thread: bool,
        copy_mm: impl FnOnce(),
    ) -> Result<(), Errno> {
        // Lock order: css_set_lock (write) alone; cgroup_mutex is not taken.
        let mut cs = self.css_set_write();
        let p = cs.tasks.get(&parent).ok_or(Errno::ESRCH)?;
        if p.exited || p.forking {
            return Err(Errno::ESRCH);
        }
        if cs.tasks.get(&child).is_some_and(|t| !t.exited) {
            return Err(Errno::EEXIST);
        }
        let cg = p.cgroups;
        let tgid = if thread { p.tgid } else { child };
        self.can_fork(&cs, cg, TaskRef { pid: child, cred })?;
        {
            let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_fork");
            cs.css_sets.get_mut(cg.0).expect("live").refcount += 1;
            cs.tasks.insert(child, Task::new(cg, cred, true, tgid));
            if thread {
                cs.tasks
                    .get_mut(&tgid)
                    .expect("a thread group's leader stays until its last thread is released")
                    .threads
                    .push(child);
            }
        }
        let calls = self.forkexit_calls(&cs, cg, child);
        drop(cs);
        copy_mm();
        // 6.6 has no `cgroup_fork_callbacks`: `cgroup_post_fork` calls each `ss->fork` itself
        // (`kernel/cgroup/cgroup.c` v6.6), so the callbacks are traced inside it.
        let dfl_era = self.profile.has_cgroup2();
        let _post =
            dfl_era.then(|| trace::func(&*self.tracer, smp_processor_id(), "cgroup_post_fork"));
        {
            let _f = (!dfl_era)
                .then(|| trace::func(&*self.tracer, smp_processor_id(), "cgroup_fork_callbacks"));
            for (i, cx, parent_css, css, tref) in calls {
                let cx = SubsysCtx {
                    parent_css: parent_css.as_ref(),
                    ..cx
                };
                let _g = self.trace_cb(i, SubsysCallback::Fork);
                self.subsys[i].fork(&cx, &css, tref);
            }
        }
        let _f =
            (!dfl_era).then(|| trace::func(&*self.tracer, smp_processor_id(), "cgroup_post_fork"));
        // Lock order: css_set_lock (write) alone.
        let mut cs = self.css_set_write();
        // An attach may have moved the child meanwhile: link it to its current css_set.
        let t = cs.tasks.get_mut(&child).expect("forking child stays");
        t.forking = false;
        let cg = t.cgroups;
        cs.css_sets.get_mut(cg.0).expect("live").tasks.insert(child);
        Ok(())
    }

    /// `cgroup_can_fork`: every subsystem's `can_fork` (ascending id) with its css of the
    /// css_set `cg` the child joins; on a refusal, `cancel_fork` of those that agreed (in
    /// descending id, as `cgroup_can_fork`'s `out_revert`) and the refusing errno.
    ///
    /// **Differences:** the kernel calls it late in `copy_process` (after `copy_mm` and
    /// `alloc_pid`); here it comes before the child exists, so a refused fork has nothing to
    /// undo (its pid number is still used up, see the Kernel's `sys_fork`). Not traced.
    fn can_fork(
        &self,
        cs: &CssSetState,
        cg: crate::css_set::CssSetId,
        task: TaskRef,
    ) -> Result<(), Errno> {
        let set = cs.css_sets.get(cg.0).expect("live");
        for i in 0..self.subsys.len() {
            if let Err(e) = self.subsys[i].can_fork(&set.subsys[i], task) {
                for j in (0..i).rev() {
                    self.subsys[j].cancel_fork(&set.subsys[j], task);
                }
                return Err(e);
            }
        }
        Ok(())
    }

    /// The `fork`/`exit` callbacks to run for a task in `cg` ([`ForkExitCall`]), built under
    /// `css_set_lock`. Every subsystem is called (a subsystem without the callback
    /// runs the trait's empty default), so `need_forkexit_callback` only shapes traces.
    fn forkexit_calls(
        &self,
        cs: &CssSetState,
        cg: crate::css_set::CssSetId,
        pid: Pid,
    ) -> Vec<ForkExitCall<'_, T>> {
        let tref = Self::task_ref(cs, pid);
        let set = cs.css_sets.get(cg.0).expect("live");
        (0..self.subsys.len())
            .map(|i| {
                let css = set.subsys[i].clone();
                let (cx, parent_css) = self.ctx_rcu(cs, i, &css);
                (i, cx, parent_css, css, tref)
            })
            .collect()
    }

    /// Mark `pid` `PF_EXITING` (`exit_signals` in `do_exit`): from now on attaching it fails
    /// with ESRCH. Optional; [`exit`](Self::exit) sets it too. ESRCH if unknown or exited.
    pub fn set_exiting(&self, pid: Pid) -> Result<(), Errno> {
        // Lock order: css_set_lock (write) alone (stands in for the task lock).
        let mut cs = self.css_set_write();
        let t = cs.tasks.get_mut(&pid).ok_or(Errno::ESRCH)?;
        if t.exited || t.forking {
            return Err(Errno::ESRCH);
        }
        t.exiting = true;
        Ok(())
    }

    /// `cgroup_exit(tsk, run_callbacks = 1)`: every subsystem's `exit` (ascending id, if
    /// `need_forkexit_callback`), off its css_set's task list, `task->cgroups = &init_css_set`
    /// without a reference, then `put_css_set_taskexit` on the old set (which may set
    /// CGRP_RELEASABLE and queue the release agent). The task stays as a zombie (its
    /// `/proc/<pid>/cgroup` shows `/` everywhere) until [`release_task`](Self::release_task).
    /// ESRCH if unknown or already exited (or exiting in another thread).
    ///
    /// **Locking:** `css_set_lock` only, then `release_list_lock` inside it (see the module docs).
    #[doc(alias = "cgroup_exit")]
    pub fn exit(&self, pid: Pid) -> Result<(), Errno> {
        // Lock order: css_set_lock (write) alone; cgroup_mutex is not taken.
        let mut cs = self.css_set_write();
        let t = cs.tasks.get_mut(&pid).ok_or(Errno::ESRCH)?;
        if t.exited || t.in_exit || t.forking {
            return Err(Errno::ESRCH);
        }
        // PF_EXITING under the lock: no attach moves the task from now on, so `cg` stays its
        // css_set (and keeps the task's reference) until the put below.
        t.exiting = true;
        t.in_exit = true;
        let cg = t.cgroups;
        let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_exit");
        let calls = self.forkexit_calls(&cs, cg, pid);
        drop(cs);
        for (i, cx, parent_css, css, tref) in calls {
            let cx = SubsysCtx {
                parent_css: parent_css.as_ref(),
                ..cx
            };
            let _g = self.trace_cb(i, SubsysCallback::Exit);
            self.subsys[i].exit(&cx, &css, tref);
        }
        // Lock order: css_set_lock (write) -> release_list_lock (in put_css_set).
        let mut cs = self.css_set_write();
        cs.css_sets.get_mut(cg.0).expect("live").tasks.remove(&pid);
        let init = cs.init_css_set;
        let dying_dfl = (self.profile.has_cgroup2() && cs.tasks[&pid].tgid == pid)
            .then(|| cs.css_set_cgroup(cg, RootId::ROOTNODE));
        let t = cs.tasks.get_mut(&pid).expect("live");
        t.dying_dfl = dying_dfl;
        t.cgroups = init;
        t.exited = true;
        if dying_dfl.is_some() && !t.threads.is_empty() {
            cs.dying_leaders.insert(pid);
        }
        self.put_css_set(&mut cs, cg, true);
        Ok(())
    }

    /// `release_task`: forget a reaped zombie. ESRCH if unknown; EBUSY if it has not exited.
    pub fn release_task(&self, pid: Pid) -> Result<(), Errno> {
        // Lock order: cgroup_mutex (for the pending css release checks) -> css_set_lock (write).
        let mut st = self.lock();
        let mut cs = self.css_set_write();
        match cs.tasks.get(&pid) {
            None => Err(Errno::ESRCH),
            Some(t) if !t.exited => Err(Errno::EBUSY),
            // `delay_group_leader`: a leader is released after its last thread.
            Some(t) if t.tgid == pid && !t.threads.is_empty() => Err(Errno::EBUSY),
            Some(_) => {
                // `cgroup_release`: the subsystems' `release` (ascending id).
                for ss in &self.subsys {
                    ss.release(pid);
                }
                let t = cs.tasks.remove(&pid).expect("checked");
                cs.dying_leaders.remove(&pid);
                // cgroup_free: the css_set's last reference from this task, and with it the
                // removed cgroup it pinned.
                st.zombie_pins.remove(&pid);
                if t.tgid != pid
                    && let Some(l) = cs.tasks.get_mut(&t.tgid)
                {
                    l.threads.retain(|&x| x != pid);
                }
                Ok(())
            }
        }
    }

    /// Replace a task's credentials (setuid and friends); the attach permission check reads them.
    /// ESRCH if unknown.
    pub fn set_cred(&self, pid: Pid, cred: Cred) -> Result<(), Errno> {
        // Lock order: cgroup_mutex (for the pending css release checks) -> css_set_lock (write).
        let _st = self.lock();
        let mut cs = self.css_set_write();
        cs.tasks.get_mut(&pid).ok_or(Errno::ESRCH)?.cred = cred;
        Ok(())
    }

    /// A task's credentials as the core knows them. ESRCH if unknown.
    pub fn task_cred(&self, pid: Pid) -> Result<Cred, Errno> {
        // Lock order: cgroup_mutex (for the pending css release checks) -> css_set_lock (read).
        let _st = self.lock();
        let cs = self.css_set_read();
        Ok(cs.tasks.get(&pid).ok_or(Errno::ESRCH)?.cred)
    }

    /// The cgroup `pid` is in within hierarchy `root` (`task_cgroup_from_root`). ESRCH if unknown,
    /// EINVAL if `root` is not a live hierarchy.
    pub fn task_cgroup(&self, pid: Pid, root: RootId) -> Result<CgroupId, Errno> {
        // Lock order: cgroup_mutex -> css_set_lock (read).
        let st = self.lock();
        let cs = self.css_set_read();
        let t = cs.tasks.get(&pid).ok_or(Errno::ESRCH)?;
        if st.roots_arena.get(root.0).is_none() {
            return Err(Errno::EINVAL);
        }
        Ok(cs.css_set_cgroup(t.cgroups, root))
    }

    /// `task_subsys_state(tsk, id)`: the task's css of a subsystem (`tsk->cgroups->subsys[id]`),
    /// e.g. for memcg's charge path. ESRCH if unknown, EINVAL for a bad id.
    #[doc(alias = "task_subsys_state")]
    pub fn task_css(&self, pid: Pid, subsys_id: usize) -> Result<CssRef, Errno> {
        // Lock order: cgroup_mutex (for the pending css release checks) -> css_set_lock (read).
        let _st = self.lock();
        let cs = self.css_set_read();
        let t = cs.tasks.get(&pid).ok_or(Errno::ESRCH)?;
        cs.css_sets
            .get(t.cgroups.0)
            .expect("live")
            .subsys
            .get(subsys_id)
            .cloned()
            .ok_or(Errno::EINVAL)
    }

    /// [`task_css`](Self::task_css) for the scheduler's hot paths: under `css_set_lock` (read)
    /// only, as the kernel reads `task_subsys_state` under `rcu_read_lock` (e.g.
    /// `cpuacct_charge`, `kernel/sched.c` v2.6.35). The css stays valid while the `CssRef` is
    /// held; it may belong to a cgroup being removed, as under RCU.
    pub fn task_css_rcu(&self, pid: Pid, subsys_id: usize) -> Result<CssRef, Errno> {
        let cs = self.css_set_read();
        let t = cs.tasks.get(&pid).ok_or(Errno::ESRCH)?;
        cs.css_sets
            .get(t.cgroups.0)
            .expect("live")
            .subsys
            .get(subsys_id)
            .cloned()
            .ok_or(Errno::EINVAL)
    }

    /// Every task the core knows, live ones and zombies, sorted by pid.
    pub fn tasks(&self) -> Vec<Pid> {
        // Lock order: cgroup_mutex (for the pending css release checks) -> css_set_lock (read).
        let _st = self.lock();
        let cs = self.css_set_read();
        let mut pids: Vec<Pid> = cs.tasks.keys().copied().collect();
        // The pid table is a hash table: the listing is sorted here.
        pids.sort_unstable();
        pids
    }
}

impl<T: Tracer> CgroupCore<T> {
    /// `task->cgroups` and that css_set's refcount. ESRCH if unknown.
    pub fn task_css_set(&self, pid: Pid) -> Result<(crate::css_set::CssSetId, usize), Errno> {
        // Lock order: cgroup_mutex (for the pending css release checks) -> css_set_lock (read).
        let _st = self.lock();
        let cs = self.css_set_read();
        let t = cs.tasks.get(&pid).ok_or(Errno::ESRCH)?;
        Ok((
            t.cgroups,
            cs.css_sets.get(t.cgroups.0).expect("live").refcount,
        ))
    }
}
