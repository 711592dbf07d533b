//! Moving a task between cgroups: `attach_task_by_pid` and `cgroup_attach_task`.
//!
//! **Kernel:** `kernel/cgroup.c` `attach_task_by_pid`, `cgroup_attach_task` (2.6.25 with the
//! 2.6.34 `cancel_attach` and link-based lookup; `kernel/cgroup.c` `attach_task_by_pid`, `cgroup_attach_task`).
//!
//! **Locking:** `cgroup_mutex` for the whole attach; `css_set_lock` inside it, read to look the
//! task up, write for `find_css_set` and the switch of `tsk->cgroups` and the task lists, and
//! write again for the final `put_css_set`. Subsystem callbacks run with `cgroup_mutex` only.

use crate::cgroup::{CGRP_RELEASABLE, CgroupId};
use crate::core::{CgroupCore, CgroupState};
use crate::subsys::{SubsysCallback, SubsysCtx};
use cgsim_ktypes::percpu::smp_processor_id;
use cgsim_ktypes::{Errno, Pid, Tracer, trace};

impl<T: Tracer> CgroupCore<T> {
    /// `attach_task_by_pid(cgrp, pid)` as a write of `pid` to `cgrp`'s `tasks` by `writer`
    /// (`kernel/cgroup.c` `attach_task_by_pid`, v2.6.34): pid 0 means the writer itself (no permission check); an unknown, exited or
    /// exiting pid is ESRCH; a writer with non-zero euid that matches neither the target's uid nor
    /// its suid gets EACCES; then [`attach_task`](Self::attach_task). ENODEV if `cgrp` was
    /// removed.
    pub fn attach_task_by_pid(&self, cgrp: CgroupId, writer: Pid, pid: Pid) -> Result<(), Errno> {
        self.attach_task_by_pid_raw(cgrp, writer, (pid.0 != 0).then_some(pid))
    }

    /// `pid == None` is a written 0 (the writer itself).
    pub(crate) fn attach_task_by_pid_raw(
        &self,
        cgrp: CgroupId,
        writer: Pid,
        pid: Option<Pid>,
    ) -> Result<(), Errno> {
        self.attach_task_by_pid_group(cgrp, writer, pid, false)
    }

    /// `attach_task_by_pid(cgrp, pid, threadgroup)` (3.0+): with `threadgroup` (a v1
    /// `cgroup.procs` write) the task is replaced by its group leader and every thread of the
    /// group moves (`thread_group.rs`).
    pub(crate) fn attach_task_by_pid_group(
        &self,
        cgrp: CgroupId,
        writer: Pid,
        pid: Option<Pid>,
        threadgroup: bool,
    ) -> Result<(), Errno> {
        let _f = trace::func(&*self.tracer, smp_processor_id(), "attach_task_by_pid");
        // Lock order: cgroup_mutex (cgroup_lock_live_group) -> css_set_lock (read, for the pid
        // lookup; released before cgroup_attach_task).
        let mut st = self.lock();
        let c = st.cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?;
        if c.is_removed() || (c.root.is_rootnode() && !self.profile.has_cgroup2()) {
            return Err(Errno::ENODEV);
        }
        let target = match pid {
            None => writer,
            Some(target) => {
                // Lock order: cgroup_mutex -> css_set_lock (read).
                let cs = self.css_set_read();
                let t = cs.tasks.get(&target).ok_or(Errno::ESRCH)?;
                // 2.6.24–3.9 refuse an exiting task here; 3.10+ find it (it is hashed until
                // release_task) and skip it in the migration loop below.
                if (t.exited || t.exiting)
                    && self.profile.attach_exiting == crate::profile::AttachExiting::Esrch
                {
                    return Err(Errno::ESRCH);
                }
                let w = cs.tasks.get(&writer).map(|w| w.cred).unwrap_or_default();
                if !w.euid.is_root() && w.euid != t.cred.uid && w.euid != t.cred.suid {
                    return Err(Errno::EACCES);
                }
                target
            }
        };
        if threadgroup {
            let leader = {
                // Lock order: cgroup_mutex -> css_set_lock (read).
                let cs = self.css_set_read();
                cs.tasks.get(&target).ok_or(Errno::ESRCH)?.tgid
            };
            return self.attach_thread_group(&mut st, cgrp, leader, writer);
        }
        let target = match self.profile.attach_exiting {
            crate::profile::AttachExiting::Esrch => target,
            skip => match self.attach_candidate(&st, cgrp, target, skip) {
                Some(t) => t,
                // Nothing to migrate: the write succeeds.
                None => return Ok(()),
            },
        };
        self.cgroup_attach_task(&mut st, cgrp, target, Some(writer))
    }

    /// The task a 3.10+ `tasks` write of `target` moves: `target` unless it is exiting or
    /// already in `cgrp` (then none, 3.19+); 3.10's `continue` goes on around the thread group
    /// from `target` (`while_each_thread`, in `next_thread` order: the leader, then the threads
    /// as they were made) to the first thread that is neither.
    fn attach_candidate(
        &self,
        st: &CgroupState<T>,
        cgrp: CgroupId,
        target: Pid,
        skip: crate::profile::AttachExiting,
    ) -> Option<Pid> {
        let root = st.cgroups.get(cgrp.0)?.root;
        // Lock order: cgroup_mutex -> css_set_lock (read).
        let cs = self.css_set_read();
        let movable = |p: &Pid| {
            cs.tasks.get(p).is_some_and(|t| {
                !t.exited && !t.exiting && cs.css_set_cgroup(t.cgroups, root) != cgrp
            })
        };
        if skip != crate::profile::AttachExiting::Skip3_10 {
            return movable(&target).then_some(target);
        }
        let tgid = cs.tasks.get(&target)?.tgid;
        let group = Self::group_of(&cs, tgid);
        let at = group.iter().position(|&p| p == target).unwrap_or(0);
        let mut order = group[at..].iter().chain(&group[..at]);
        order.find(|p| movable(p)).copied()
    }

    /// `cgroup_attach_task(cgrp, tsk)` called directly (no pid parsing or permission check), for
    /// the VFS and tests. ESRCH if `pid` is unknown or exiting; ENODEV if `cgrp` is stale.
    pub fn attach_task(&self, cgrp: CgroupId, pid: Pid) -> Result<(), Errno> {
        // Lock order: cgroup_mutex (css_set_lock inside cgroup_attach_task).
        let mut st = self.lock();
        let c = st.cgroups.get(cgrp.0).ok_or(Errno::ENODEV)?;
        if c.is_removed() || (c.root.is_rootnode() && !self.profile.has_cgroup2()) {
            return Err(Errno::ENODEV);
        }
        self.cgroup_attach_task(&mut st, cgrp, pid, None)
    }

    /// [`cgroup_attach_task`](Self::cgroup_attach_task) for the default hierarchy's
    /// `cgroup.procs` written by `writer` (the caller holds `cgroup_mutex` and has vetted the
    /// move).
    pub(crate) fn cgroup_attach_task_locked(
        &self,
        st: &mut CgroupState<T>,
        cgrp: CgroupId,
        pid: Pid,
        writer: Pid,
    ) -> Result<(), Errno> {
        self.cgroup_attach_task(st, cgrp, pid, Some(writer))
    }

    /// `cgroup_attach_task` (`kernel/cgroup.c`, v2.6.34). The caller holds `cgroup_mutex`.
    /// On the default hierarchy (6.6 `cgroup_migrate_execute`) the callbacks run for the
    /// subsystems whose effective css differs between the two cgroups, in ascending id.
    /// `writer` is the task that asked for the move (`current`), handed to the callbacks as
    /// [`SubsysCtx::writer`].
    fn cgroup_attach_task(
        &self,
        st: &mut CgroupState<T>,
        cgrp: CgroupId,
        pid: Pid,
        writer: Option<Pid>,
    ) -> Result<(), Errno> {
        let _f = trace::func(&*self.tracer, smp_processor_id(), "cgroup_attach_task");
        let root = st.cgroups.get(cgrp.0).expect("checked").root;
        let (oldcg, oldcgrp, tref, wref) = {
            // Lock order: cgroup_mutex -> css_set_lock (read).
            let cs = self.css_set_read();
            let task = cs.tasks.get(&pid).ok_or(Errno::ESRCH)?;
            if task.exited {
                return Err(Errno::ESRCH);
            }
            let oldcg = task.cgroups;
            (
                oldcg,
                cs.css_set_cgroup(oldcg, root),
                // The task was just found: its reference without a second lookup.
                crate::subsys::TaskRef {
                    pid,
                    cred: task.cred,
                },
                writer.map(|w| Self::task_ref(&cs, w)),
            )
        };
        if oldcgrp == cgrp {
            return Ok(());
        }
        let on_dfl = self.on_dfl_root(root);
        let list: Vec<usize> = if on_dfl {
            let mask = Self::dfl_subsys_mask(st);
            (0..self.subsys.len())
                .filter(|&i| {
                    mask & (1 << i) != 0
                        && Self::e_css(st, cgrp, i).id() != Self::e_css(st, oldcgrp, i).id()
                })
                .collect()
        } else {
            st.roots_arena
                .get(root.0)
                .expect("live")
                .subsys_list
                .clone()
        };
        // The effective css (the cgroup's own on v1). Cloned only on the default hierarchy: on
        // v1 a subsystem that keeps the trait's empty default pays no reference-count traffic.
        fn css_of<T: Tracer>(
            st: &CgroupState<T>,
            c: CgroupId,
            i: usize,
        ) -> std::borrow::Cow<'_, crate::CssRef> {
            match &st.cgroups.get(c.0).expect("live").subsys[i] {
                Some(css) => std::borrow::Cow::Borrowed(css),
                None => std::borrow::Cow::Owned(CgroupCore::<T>::e_css(st, c, i)),
            }
        }
        let mut done = Vec::new();
        let mut failure = None;
        for &i in &list {
            let cx = SubsysCtx {
                writer: wref,
                ..self.ctx(st, i, cgrp)
            };
            let _g = self.trace_cb(i, SubsysCallback::CanAttach);
            match self.subsys[i].can_attach(&cx, &css_of(st, cgrp, i), tref) {
                Ok(()) => done.push(i),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        // Lock order: cgroup_mutex -> css_set_lock (write): the PF_EXITING test, find_css_set
        // and the switch are one critical section, so a concurrent exit either sees the task
        // in its new css_set or makes the attach fail with ESRCH here.
        let mut cs = self.css_set_write();
        if failure.is_none() {
            // The kernel pins the task (get_task_struct); here a concurrent exit may also have
            // reaped it (release_task) or its pid been reused: all of these are ESRCH.
            match cs.tasks.get(&pid) {
                Some(t) if !t.exiting && !t.exited && t.cgroups == oldcg => {}
                _ => failure = Some(Errno::ESRCH),
            }
        }
        let newcg = if failure.is_none() {
            let n = self.find_css_set(st, &mut cs, oldcg, cgrp);
            if n.is_none() {
                failure = Some(Errno::ENOMEM);
            }
            n
        } else {
            None
        };
        if let Some(e) = failure {
            drop(cs);
            // 2.6.34: cancel_attach for the subsystems whose can_attach succeeded.
            for &i in &done {
                let cx = SubsysCtx {
                    writer: wref,
                    ..self.ctx(st, i, cgrp)
                };
                let _g = self.trace_cb(i, SubsysCallback::CancelAttach);
                self.subsys[i].cancel_attach(&cx, &css_of(st, cgrp, i), tref);
            }
            return Err(e);
        }
        let newcg = newcg.expect("no failure");
        cs.tasks.get_mut(&pid).expect("live").cgroups = newcg;
        // Move the task between the lists only if it is on one (a child between cgroup_fork and
        // cgroup_post_fork is not yet: post_fork links it to its new css_set).
        if cs
            .css_sets
            .get_mut(oldcg.0)
            .expect("live")
            .tasks
            .remove(&pid)
        {
            cs.css_sets
                .get_mut(newcg.0)
                .expect("live")
                .tasks
                .insert(pid);
        }
        drop(cs);
        for &i in &list {
            let cx = SubsysCtx {
                writer: wref,
                ..self.ctx(st, i, cgrp)
            };
            let _g = self.trace_cb(i, SubsysCallback::Attach);
            self.subsys[i].attach(&cx, &css_of(st, cgrp, i), &css_of(st, oldcgrp, i), tref);
        }
        st.cgroups
            .get(oldcgrp.0)
            .expect("live")
            .shared
            .set_flag(CGRP_RELEASABLE);
        // Lock order: cgroup_mutex -> css_set_lock (write) -> release_list_lock.
        let mut cs = self.css_set_write();
        self.put_css_set(&mut cs, oldcg, false);
        Ok(())
    }
}
