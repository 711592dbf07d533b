//! Threads: `clone(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)`, the
//! exit of one thread, and the death of a whole thread group.
//!
//! **Kernel:** `kernel/fork.c` `copy_process` (a `CLONE_THREAD` child joins `current`'s
//! group: `p->tgid = current->tgid`, `p->group_leader = current->group_leader`, its parent is
//! the group's parent, and it is on no parent's `children` list); `kernel/exit.c` `do_exit`
//! (every thread runs `cgroup_exit` when it exits), `exit_notify` (a thread other than the
//! leader is released at once: `exit_signal == -1`; the leader stays a zombie the parent cannot
//! reap while other threads live: `delay_group_leader`, and is released after the last one,
//! which notifies the parent), `do_group_exit` → `zap_other_threads` (a fatal signal, or
//! `exit_group`, kills every thread); `kernel/signal.c` (`kill(2)` signals the thread group
//! of the pid it names, whichever thread that is); `fs/proc/base.c` (`/proc/PID/task/TID`,
//! `proc_pid_readdir` listing group leaders only, `proc_pid_lookup` finding any thread).
//!
//! **Differences:**
//! - A thread shares its leader's fd table, mm and signal handlers by having none of its own:
//!   files stay on the leader's record and close when the group dies, the memory side keeps the
//!   mm on the leader (`mm->owner`, `crates/memcg/src/fork.rs` `add_thread`), and a program's
//!   state machine (with its handlers) is the leader's. A thread made here runs no code of its
//!   own: it sleeps (`pause()`) until it exits or its group dies.
//! - No process-events connector messages are sent for threads.

use crate::state::State;
use crate::task::{INIT_PID, Sched};
use crate::{Kernel, WaitStatus};
use cgsim_ktypes::klog::Level;
use cgsim_ktypes::trace::func;
use cgsim_ktypes::{Errno, Pid, SysError, SysResult, Tracer};

fn esrch() -> SysError {
    SysError::new(Errno::ESRCH, "no such process")
}

impl<T: Tracer> Kernel<T> {
    /// `clone(CLONE_THREAD | CLONE_VM | ...)` by `creator`: a new thread in `creator`'s thread
    /// group, in `creator`'s cgroups (`cgroup_fork`, `cgroup_post_fork`), sleeping until it
    /// exits ([`exit_thread`](Self::exit_thread)) or its group dies. Returns its tid. ESRCH if
    /// `creator` does not exist or has exited; EAGAIN when no pid is free (as fork); ENOMEM
    /// when `dup_task_struct` is made to fail.
    pub fn clone_thread(&self, creator: Pid) -> SysResult<Pid> {
        let (cpu, _on) = self.enter_cpu(creator);
        let _f = func(&*self.tracer, cpu, "do_fork");
        // Lock order: Kernel::state -> cgroup_mutex (cgroup_fork, cgroup_post_fork) -> memcg
        // world (copy_mm with CLONE_VM).
        let mut st = self.lock_state();
        let c = st
            .tasks
            .get(&creator)
            .filter(|t| !t.is_zombie())
            .ok_or(esrch())?;
        if self.fork_alloc_fails() {
            return Err(SysError::new(
                Errno::ENOMEM,
                "clone: dup_task_struct failed",
            ));
        }
        let mut t = c.clone();
        let tid = crate::sysctl::alloc_pid(&st).ok_or_else(|| self.pid_exhausted())?;
        t.pid = tid;
        t.threads.clear();
        t.fds.clear();
        t.sched = Sched::NoProgram;
        t.exit_status = None;
        t.orphaned = false;
        t.pending.clear();
        t.before_oom_wait = None;
        t.throttled = None;
        t.throttle_owed = 0;
        let tgid = t.tgid;
        let r = self.cgroups.clone_thread_with(creator, tid, t.cred, || {
            let _g = func(&*self.tracer, cpu, "copy_mm");
            if let Err(e) = self.mem.add_thread(creator, tid) {
                self.klog.printk(
                    &self.clock,
                    Level::Warning,
                    format!("clone: copy_mm({creator}, {tid}) failed: {}", e.name()),
                );
            }
        });
        self.pids_log_rejected();
        // alloc_pid came before cgroup_can_fork: a refused clone has used up its pid number.
        st.last_pid = tid.0;
        match r {
            Err(Errno::EAGAIN) => {
                self.unlock(st);
                return Err(SysError::new(
                    Errno::EAGAIN,
                    "clone: refused by the pids controller",
                ));
            }
            Err(e) => self.klog.printk(
                &self.clock,
                Level::Warning,
                format!("cgroup: cgroup_fork({creator}, {tid}) failed: {}", e.name()),
            ),
            Ok(()) => {}
        }
        st.tasks.insert(tid, t);
        st.tasks
            .get_mut(&tgid)
            .expect("a live thread's leader is kept until the group dies")
            .threads
            .push(tid);
        self.unlock(st);
        Ok(tid)
    }

    /// `p->tgid`: the thread group `pid` belongs to. ESRCH if there is no such task.
    pub fn tgid(&self, pid: Pid) -> SysResult<Pid> {
        let st = self.lock_state();
        Ok(st.tasks.get(&pid).ok_or(esrch())?.tgid)
    }

    /// The tasks of `pid`'s thread group: the leader (also while it is a zombie whose threads
    /// live on), then its live threads in creation order. ESRCH if there is no such task.
    pub fn thread_group(&self, pid: Pid) -> SysResult<Vec<Pid>> {
        let st = self.lock_state();
        Self::group_members(&st, pid).ok_or(esrch())
    }

    pub(crate) fn group_members(st: &State<T>, pid: Pid) -> Option<Vec<Pid>> {
        let tgid = st.tasks.get(&pid)?.tgid;
        let l = st.tasks.get(&tgid)?;
        Some(
            std::iter::once(tgid)
                .chain(l.threads.iter().copied())
                .collect(),
        )
    }

    /// `SYS_exit` of one thread (`pthread_exit`): a thread other than the leader exits and is
    /// released at once; the leader, while other threads live, becomes a zombie that has left
    /// its cgroups (`cgroup_exit`) but keeps the group's files and mm, and its parent hears of
    /// it only when the last thread is gone. The last thread of a group exits as the process
    /// (`exit(2)` of a single-threaded process).
    pub fn exit_thread(&self, tid: Pid, code: i32) {
        let mut st = self.lock_state();
        let Some(t) = st.tasks.get(&tid).filter(|t| !t.is_zombie()) else {
            return;
        };
        let tgid = t.tgid;
        if tid != tgid {
            self.exit_one_thread(&mut st, tid);
            if st
                .tasks
                .get(&tgid)
                .is_some_and(|l| l.is_zombie() && l.threads.is_empty())
            {
                self.finish_dead_leader(&mut st, tgid);
            }
            self.unlock(st);
            return;
        }
        if t.threads.is_empty() {
            drop(st);
            self.sys_exit(tid, code);
            return;
        }
        let (cpu, _on) = Self::enter_cpu_locked(&st, tid);
        let _f = func(&*self.tracer, cpu, "do_exit");
        let t = st.tasks.get_mut(&tid).expect("checked");
        let was = t.sched;
        t.sched = Sched::Zombie;
        t.exit_status = Some(WaitStatus::Exited(code & 0xff));
        t.pending.clear();
        t.before_oom_wait = None;
        t.throttled = None;
        t.throttle_owed = 0;
        st.sched_q.forget(tid, was);
        self.psi.memstall_leave(tid, self.clock.now_nanos());
        // Lock order: Kernel::state -> cgroup_mutex.
        self.cg_exit(tid);
        self.unlock(st);
        self.programs.lock().remove(&tid);
    }

    /// `do_group_exit` for `pid`'s group (a fatal signal, `exit_group`): every thread other
    /// than the leader exits first (`zap_other_threads`). `Ok(leader)`: the leader is alive and
    /// `do_exit` goes on with it; `Err(done)`: nothing more to do (`done` is what `do_exit`
    /// returns: the leader had already exited and the group is now dead).
    /// A leader that had exited gets the group's exit status (`SIGNAL_GROUP_EXIT`:
    /// `wait_task_zombie` reports `signal->group_exit_code`).
    pub(crate) fn zap_thread_group(
        &self,
        st: &mut State<T>,
        pid: Pid,
        status: WaitStatus,
    ) -> Result<Pid, bool> {
        let Some(tgid) = st.tasks.get(&pid).map(|t| t.tgid) else {
            return Ok(pid);
        };
        let Some(l) = st.tasks.get(&tgid) else {
            return Ok(pid);
        };
        if l.threads.is_empty() || tgid == INIT_PID {
            return Ok(pid);
        }
        for tid in l.threads.clone() {
            self.exit_one_thread(st, tid);
        }
        let l = st.tasks.get_mut(&tgid).expect("checked");
        if l.is_zombie() {
            l.exit_status = Some(status);
            self.finish_dead_leader(st, tgid);
            return Err(true);
        }
        Ok(tgid)
    }

    /// The thread a signal for `pid` goes to: the group's leader while it lives (its program
    /// holds the group's handlers), else a live thread of the group; `pid` itself otherwise.
    pub(crate) fn signal_target(&self, pid: Pid) -> Pid {
        let st = self.lock_state();
        let Some(tgid) = st.tasks.get(&pid).map(|t| t.tgid) else {
            return pid;
        };
        match st.tasks.get(&tgid) {
            Some(l) if !l.is_zombie() => tgid,
            Some(l) => l.threads.first().copied().unwrap_or(pid),
            None => pid,
        }
    }

    /// `do_exit` of a thread that is not its group's leader, and its `release_task` (a thread
    /// is never a zombie: `exit_signal == -1`).
    fn exit_one_thread(&self, st: &mut State<T>, tid: Pid) {
        let Some(t) = st.tasks.get_mut(&tid).filter(|t| !t.is_zombie()) else {
            return;
        };
        let (was, cpu, tgid) = (t.sched, t.cpu, t.tgid);
        let _f = func(&*self.tracer, cpu, "do_exit");
        st.sched_q.forget(tid, was);
        self.psi.memstall_leave(tid, self.clock.now_nanos());
        // Lock order: Kernel::state -> memcg world, then cgroup_mutex.
        self.mem.exit_task(tid, cpu);
        self.cg_exit(tid);
        st.tasks.remove(&tid);
        // __exit_signal: the thread's times go to the group's `signal`.
        self.cputime.exit_thread(tid, tgid);
        if let Some(l) = st.tasks.get_mut(&tgid) {
            l.threads.retain(|&x| x != tid);
        }
        self.cg_release_task(tid);
        // forget_original_parent → find_new_reaper: the children the thread forked go to
        // its group (here its leader, which outlives every thread of the group).
        let children: Vec<Pid> = crate::process::children_of(&st.children, tid).collect();
        for c in children {
            st.children.remove(&(tid, c));
            st.children.insert((tgid, c));
            if st.zombie_children.remove(&(tid, c)) {
                st.zombie_children.insert((tgid, c));
            }
            st.tasks.get_mut(&c).expect("listed above").ppid = tgid;
        }
    }

    /// The rest of `do_exit` for a leader that exited before its threads, once the last one is
    /// gone: the mm and the files go, the children are reparented, and the parent is told.
    fn finish_dead_leader(&self, st: &mut State<T>, leader: Pid) {
        let Some(t) = st.tasks.get_mut(&leader) else {
            return;
        };
        let fds = std::mem::take(&mut t.fds);
        let cpu = t.cpu;
        // Lock order: Kernel::state -> memcg world.
        self.mem.exit_task(leader, cpu);
        for e in fds.values() {
            self.put_file(st, e.file);
        }
        crate::cn_proc::proc_event(st, crate::cn_proc::ProcEvent::Exit(leader));
        self.exit_notify(st, leader);
    }
}
