//! Thread groups: tasks made with `CLONE_THREAD`, the pid lists of `tasks`, `cgroup.procs`
//! and `cgroup.threads`, and the migration of a whole thread group.
//!
//! **Kernel:** `kernel/fork.c` `copy_process` with `CLONE_THREAD` (the new task joins
//! `current`'s group: `p->tgid = current->tgid`, `p->group_leader = current->group_leader`);
//! `kernel/cgroup.c` v2.6.35 `pidlist_array_load` (`tasks` lists `task_pid_vnr`, `cgroup.procs`
//! `task_tgid_vnr`, sorted, the latter without duplicates), v3.10 `attach_task_by_pid` with
//! `threadgroup` (`cgroup.procs` made writable in 3.0: `tsk = tsk->group_leader`, then
//! `cgroup_attach_task` over every thread); `kernel/cgroup/cgroup.c` v6.6
//! `cgroup_procs_write_start` (`if (threadgroup) tsk = tsk->group_leader`),
//! `cgroup_attach_task` (`while_each_thread` when `threadgroup`), `cgroup_migrate_add_task`
//! (a `PF_EXITING` thread is skipped), `css_task_iter_advance` (`CSS_TASK_ITER_PROCS` lists group
//! leaders only, and a dying leader while its group has live threads; the threads iteration
//! skips dying tasks), `cgroup_exit` (the exited task stays on its css_set's `dying_tasks`).
//!
//! **Differences:**
//! - `cgroup_threadgroup_rwsem` is not a lock of its own: the Kernel makes threads, exits them
//!   and writes `cgroup.procs` under its state lock, which excludes all three from each other,
//!   as the rwsem (read by fork and exit, write by the migration) does.
//! - A dying leader's default-hierarchy cgroup is remembered by id (`Task::dying_dfl`) instead
//!   of keeping the task on the css_set's `dying_tasks`; it is listed only while that cgroup is
//!   alive (the kernel's css_set would be gone with it too).
//! - `cgroup.procs` and `cgroup.threads` of the default hierarchy are listed sorted (the kernel
//!   lists them in css_set order; the set of lines is the same).

use crate::cgroup::CgroupId;
use crate::core::{CgroupCore, CgroupState, CssSetState};
use cgsim_ktypes::{Cred, Errno, Pid, Tracer};

/// Which pid list a read of a cgroup file builds.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum PidList {
    /// v1 `tasks` and v2 `cgroup.threads`: every live thread's pid.
    Threads,
    /// v1 `cgroup.procs`: the thread-group id of every live thread, without duplicates.
    ProcsV1,
    /// v2 `cgroup.procs`: group leaders only, and dying leaders with live threads.
    ProcsDfl,
}

impl<T: Tracer> CgroupCore<T> {
    /// `copy_process` with `CLONE_THREAD`: `tid` joins `creator`'s thread group, in
    /// `creator`'s css_set, with the same steps as [`fork`](Self::fork) (`cgroup_fork`,
    /// the `fork` callbacks, `cgroup_post_fork`). ESRCH if `creator` is unknown or has exited;
    /// EEXIST if `tid` is a live task.
    ///
    /// **Locking:** `css_set_lock` only, as fork.
    pub fn clone_thread(&self, creator: Pid, tid: Pid, cred: Cred) -> Result<(), Errno> {
        self.clone_thread_with(creator, tid, cred, || {})
    }

    /// [`clone_thread`](Self::clone_thread), running `copy_mm` (which shares the mm with
    /// `CLONE_VM`) where `copy_process` does.
    pub fn clone_thread_with(
        &self,
        creator: Pid,
        tid: Pid,
        cred: Cred,
        copy_mm: impl FnOnce(),
    ) -> Result<(), Errno> {
        self.copy_process(creator, tid, cred, true, copy_mm)
    }

    /// Whether v1 `cgroup.procs` takes writes: from 3.0 (the presets with the 3.10 base
    /// files, and 6.6), not in 2.6.34/2.6.35, whose `cgroup.procs` is read-only.
    pub(crate) fn procs_writable_v1(&self) -> bool {
        self.profile.has_cgroup2() || self.profile.base_files == crate::profile::BaseFiles::V3_10
    }

    /// `task_tgid_vnr(pid)`: the thread group `pid` belongs to (its leader's pid). ESRCH if
    /// unknown.
    pub fn task_tgid(&self, pid: Pid) -> Result<Pid, Errno> {
        // Lock order: css_set_lock (read) alone.
        let cs = self.css_set_read();
        Ok(cs.tasks.get(&pid).ok_or(Errno::ESRCH)?.tgid)
    }

    /// The tasks of thread group `tgid` the core knows (live ones and zombies): the leader,
    /// then its other threads in creation order. Empty if there is no such leader.
    pub fn thread_group(&self, tgid: Pid) -> Vec<Pid> {
        // Lock order: css_set_lock (read) alone.
        let cs = self.css_set_read();
        Self::group_of(&cs, tgid)
    }

    /// The members of thread group `tgid` under `css_set_lock`.
    pub(crate) fn group_of(cs: &CssSetState, tgid: Pid) -> Vec<Pid> {
        match cs.tasks.get(&tgid).filter(|t| t.tgid == tgid) {
            None => Vec::new(),
            Some(l) => std::iter::once(tgid)
                .chain(l.threads.iter().copied())
                .collect(),
        }
    }

    /// Whether thread group `tgid` has a thread that has not exited (`signal->live`).
    fn group_live(cs: &CssSetState, tgid: Pid) -> bool {
        Self::group_of(cs, tgid)
            .iter()
            .any(|p| cs.tasks.get(p).is_some_and(|t| !t.exited))
    }

    /// The text of a pid list over `cgrps` (`pidlist_array_load` / `css_task_iter`): one pid a
    /// line, sorted.
    pub(crate) fn pidlist_text(
        &self,
        st: &CgroupState<T>,
        cgrps: &[CgroupId],
        kind: PidList,
    ) -> Vec<u8> {
        // Lock order: cgroup_mutex (held by the caller) -> css_set_lock (read).
        let cs = self.css_set_read();
        let mut pids: Vec<Pid> = cgrps
            .iter()
            .flat_map(|&g| cs.links_of(g).to_vec())
            .flat_map(|s| cs.css_sets.get(s.0).expect("linked").tasks.iter().copied())
            .collect();
        match kind {
            PidList::Threads => {}
            PidList::ProcsV1 => {
                for p in &mut pids {
                    *p = cs.tasks[p].tgid;
                }
            }
            PidList::ProcsDfl => {
                pids.retain(|p| cs.tasks[p].tgid == *p);
                // Dying leaders whose groups live on, on the `dying_tasks` of a listed cgroup.
                for &pid in &cs.dying_leaders {
                    let t = &cs.tasks[&pid];
                    if t.dying_dfl
                        .is_some_and(|g| cgrps.contains(&g) && st.cgroups.get(g.0).is_some())
                        && Self::group_live(&cs, pid)
                    {
                        pids.push(pid);
                    }
                }
            }
        }
        drop(cs);
        pids.sort();
        pids.dedup();
        let mut text = String::new();
        for p in pids {
            text.push_str(&format!("{}\n", p.0));
        }
        text.into_bytes()
    }

    /// The leader of `pid`'s thread group and its cgroup on the default hierarchy, for a
    /// `cgroup.procs` write (`cgroup_procs_write_start`: `tsk = tsk->group_leader`). A leader
    /// that exited while its threads live is still found (its pid is not released), in the
    /// cgroup it died in, and so is a dead group's (a zombie: its pid is not released either).
    /// ESRCH if `pid` is unknown.
    pub(crate) fn procs_write_leader(&self, pid: Pid) -> Result<Option<(Pid, CgroupId)>, Errno> {
        // Lock order: cgroup_mutex (held by the caller) -> css_set_lock (read).
        let cs = self.css_set_read();
        let t = cs.tasks.get(&pid).ok_or(Errno::ESRCH)?;
        let leader = t.tgid;
        let l = cs.tasks.get(&leader).ok_or(Errno::ESRCH)?;
        if l.exited {
            // A dead group (a zombie) too: found, checked, nothing moves.
            return Ok(l.dying_dfl.map(|g| (leader, g)));
        }
        if l.exiting && !Self::group_live(&cs, leader) {
            return Ok(None);
        }
        Ok(Some((
            leader,
            cs.css_set_cgroup(l.cgroups, crate::root::RootId::ROOTNODE),
        )))
    }

    /// `cgroup_attach_task(dst, leader, threadgroup = true)`: every thread of `leader`'s group
    /// that is not exiting (`cgroup_migrate_add_task` skips `PF_EXITING`), leader first. The
    /// caller holds `cgroup_mutex` and has vetted the move. The first refusal stops it.
    pub(crate) fn attach_thread_group(
        &self,
        st: &mut CgroupState<T>,
        cgrp: CgroupId,
        leader: Pid,
        writer: Pid,
    ) -> Result<(), Errno> {
        let members: Vec<Pid> = {
            // Lock order: cgroup_mutex -> css_set_lock (read).
            let cs = self.css_set_read();
            Self::group_of(&cs, leader)
                .into_iter()
                .filter(|p| cs.tasks.get(p).is_some_and(|t| !t.exited && !t.exiting))
                .collect()
        };
        for p in members {
            self.cgroup_attach_task_locked(st, cgrp, p, writer)?;
        }
        Ok(())
    }
}
