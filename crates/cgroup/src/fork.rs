//! The cgroup side of fork and exit, and the task table.
//!
//! **Kernel:** `kernel/cgroup.c` `cgroup_fork`, `cgroup_fork_callbacks`, `cgroup_post_fork`,
//! `cgroup_exit` (2.6.25; spec §2.11).
//!
//! **Differences:** the kernel runs these under `css_set_lock` and the task lock only; here they
//! take `cgroup_mutex` (into which `css_set_lock` is folded), so subsystem `fork`/`exit`
//! callbacks also run with it held.

use crate::cgroup::CgroupId;
use crate::core::{CORE_CPU, CgroupCore, Task};
use crate::css::CssRef;
use crate::root::RootId;
use crate::subsys::SubsysCallback;
use cgsim_ktypes::{Cred, Errno, Pid, Tracer, trace};

impl<T: Tracer> CgroupCore<T> {
    /// `copy_process`'s cgroup steps for `child` of `parent`: `cgroup_fork` (share the parent's
    /// css_set, one more reference), `cgroup_fork_callbacks` (every subsystem's `fork`, ascending
    /// id, if `need_forkexit_callback`), `cgroup_post_fork` (onto the css_set's task list).
    /// ESRCH if the parent is unknown or has exited; EEXIST if `child` is a live task already (a
    /// zombie of the same pid is replaced).
    #[doc(alias = "cgroup_fork")]
    pub fn fork(&self, parent: Pid, child: Pid, cred: Cred) -> Result<(), Errno> {
        // Lock order: cgroup_mutex (stands in for css_set_lock + task_lock).
        let mut st = self.lock();
        let p = st.tasks.get(&parent).ok_or(Errno::ESRCH)?;
        if p.exited {
            return Err(Errno::ESRCH);
        }
        if st.tasks.get(&child).is_some_and(|t| !t.exited) {
            return Err(Errno::EEXIST);
        }
        let cg = p.cgroups;
        {
            let _f = trace::func(&*self.tracer, CORE_CPU, "cgroup_fork");
            st.css_sets.get_mut(cg.0).expect("live").refcount += 1;
            st.tasks.insert(
                child,
                Task {
                    cgroups: cg,
                    cred,
                    exiting: false,
                    exited: false,
                },
            );
        }
        {
            let _f = trace::func(&*self.tracer, CORE_CPU, "cgroup_fork_callbacks");
            if st.need_forkexit_callback {
                let tref = Self::task_ref(&st, child);
                for i in 0..self.subsys.len() {
                    if self.subsys[i].callbacks().contains(SubsysCallback::Fork) {
                        let (cgrp, css) = Self::subsys_cgroup(&st, cg, i);
                        let cx = self.ctx(&st, i, cgrp);
                        let _g = self.trace_cb(i, SubsysCallback::Fork);
                        self.subsys[i].fork(&cx, &css, tref);
                    }
                }
            }
        }
        let _f = trace::func(&*self.tracer, CORE_CPU, "cgroup_post_fork");
        st.css_sets.get_mut(cg.0).expect("live").tasks.insert(child);
        Ok(())
    }

    /// Mark `pid` `PF_EXITING` (`exit_signals` in `do_exit`): from now on attaching it fails
    /// with ESRCH. Optional; [`exit`](Self::exit) sets it too. ESRCH if unknown or exited.
    pub fn set_exiting(&self, pid: Pid) -> Result<(), Errno> {
        // Lock order: cgroup_mutex.
        let mut st = self.lock();
        let t = st.tasks.get_mut(&pid).ok_or(Errno::ESRCH)?;
        if t.exited {
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
    /// ESRCH if unknown or already exited.
    #[doc(alias = "cgroup_exit")]
    pub fn exit(&self, pid: Pid) -> Result<(), Errno> {
        // Lock order: cgroup_mutex.
        let mut st = self.lock();
        let t = st.tasks.get_mut(&pid).ok_or(Errno::ESRCH)?;
        if t.exited {
            return Err(Errno::ESRCH);
        }
        t.exiting = true;
        let cg = t.cgroups;
        let _f = trace::func(&*self.tracer, CORE_CPU, "cgroup_exit");
        if st.need_forkexit_callback {
            let tref = Self::task_ref(&st, pid);
            for i in 0..self.subsys.len() {
                if self.subsys[i].callbacks().contains(SubsysCallback::Exit) {
                    let (cgrp, css) = Self::subsys_cgroup(&st, cg, i);
                    let cx = self.ctx(&st, i, cgrp);
                    let _g = self.trace_cb(i, SubsysCallback::Exit);
                    self.subsys[i].exit(&cx, &css, tref);
                }
            }
        }
        st.css_sets.get_mut(cg.0).expect("live").tasks.remove(&pid);
        let init = st.init_css_set;
        let t = st.tasks.get_mut(&pid).expect("live");
        t.cgroups = init;
        t.exited = true;
        self.put_css_set(&mut st, cg, true);
        Ok(())
    }

    /// `release_task`: forget a reaped zombie. ESRCH if unknown; EBUSY if it has not exited.
    pub fn release_task(&self, pid: Pid) -> Result<(), Errno> {
        // Lock order: cgroup_mutex.
        let mut st = self.lock();
        match st.tasks.get(&pid) {
            None => Err(Errno::ESRCH),
            Some(t) if !t.exited => Err(Errno::EBUSY),
            Some(_) => {
                st.tasks.remove(&pid);
                Ok(())
            }
        }
    }

    /// Replace a task's credentials (setuid and friends); the attach permission check reads them.
    /// ESRCH if unknown.
    pub fn set_cred(&self, pid: Pid, cred: Cred) -> Result<(), Errno> {
        // Lock order: cgroup_mutex.
        let mut st = self.lock();
        st.tasks.get_mut(&pid).ok_or(Errno::ESRCH)?.cred = cred;
        Ok(())
    }

    /// A task's credentials as the core knows them. ESRCH if unknown.
    pub fn task_cred(&self, pid: Pid) -> Result<Cred, Errno> {
        // Lock order: cgroup_mutex.
        Ok(self.lock().tasks.get(&pid).ok_or(Errno::ESRCH)?.cred)
    }

    /// The cgroup `pid` is in within hierarchy `root` (`task_cgroup_from_root`). ESRCH if unknown,
    /// EINVAL if `root` is not a live hierarchy.
    pub fn task_cgroup(&self, pid: Pid, root: RootId) -> Result<CgroupId, Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        let t = st.tasks.get(&pid).ok_or(Errno::ESRCH)?;
        if st.roots_arena.get(root.0).is_none() {
            return Err(Errno::EINVAL);
        }
        Ok(Self::css_set_cgroup(&st, t.cgroups, root))
    }

    /// `task_subsys_state(tsk, id)`: the task's css of a subsystem (`tsk->cgroups->subsys[id]`),
    /// e.g. for memcg's charge path. ESRCH if unknown, EINVAL for a bad id.
    #[doc(alias = "task_subsys_state")]
    pub fn task_css(&self, pid: Pid, subsys_id: usize) -> Result<CssRef, Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        let t = st.tasks.get(&pid).ok_or(Errno::ESRCH)?;
        st.css_sets
            .get(t.cgroups.0)
            .expect("live")
            .subsys
            .get(subsys_id)
            .cloned()
            .ok_or(Errno::EINVAL)
    }

    /// Every task the core knows, live ones and zombies, sorted by pid.
    pub fn tasks(&self) -> Vec<Pid> {
        // Lock order: cgroup_mutex.
        self.lock().tasks.keys().copied().collect()
    }

    /// The cgroup and css a css_set gives subsystem `i` (the cgroup of its hierarchy; dummytop
    /// when unbound).
    fn subsys_cgroup(
        st: &crate::core::CgroupState<T>,
        cg: crate::css_set::CssSetId,
        i: usize,
    ) -> (CgroupId, CssRef) {
        let css = st.css_sets.get(cg.0).expect("live").subsys[i].clone();
        (css.cgroup(), css)
    }
}

impl<T: Tracer> CgroupCore<T> {
    /// `task->cgroups` and that css_set's refcount. ESRCH if unknown.
    pub fn task_css_set(&self, pid: Pid) -> Result<(crate::css_set::CssSetId, usize), Errno> {
        // Lock order: cgroup_mutex.
        let st = self.lock();
        let t = st.tasks.get(&pid).ok_or(Errno::ESRCH)?;
        Ok((
            t.cgroups,
            st.css_sets.get(t.cgroups.0).expect("live").refcount,
        ))
    }
}
