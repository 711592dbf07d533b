//! Process lifecycle: fork, exit, waitpid, kill, credentials.
//!
//! **Kernel:** `kernel/fork.c` `do_fork`/`copy_process`, `kernel/exit.c` `do_exit`,
//! `forget_original_parent`, `do_wait`, `kernel/signal.c` `sys_kill`/`check_kill_permission`/
//! `kill_ok_by_cred`, `kernel/sys.c` `sys_setresuid` (2.6.25; cgroup hooks per `kernel/cgroup.c` `cgroup_fork`, `cgroup_post_fork`, `cgroup_exit`).
//! Rules kept: a child copies the parent's credentials, `comm`, working directory, umask and fd
//! table (sharing the open file descriptions); exit closes the fds, runs `cgroup_exit`, reparents
//! the children to init and leaves a zombie for the parent, which gets SIGCHLD (`exit_notify`;
//! ignored unless the parent is a program with a handler); init reaps orphans by itself;
//! `kill` is allowed when the sender's euid is 0 or the sender's uid or euid equals the target's
//! uid or saved uid (else EPERM), a missing target is ESRCH, signal 0 only checks; init ignores
//! signals it has no handler for, SIGKILL included.
//! **Differences:** SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU and SIGCONT are accepted and have no effect
//! (there is no stopped state); every other signal whose default action is not "ignore"
//! terminates (core dumps are not modelled); no process groups (`kill` with a pid <= 0 is EINVAL).

use crate::state::State;
use crate::task::{INIT_PID, Sched};
use crate::{Kernel, ProcInfo, Signal, WaitStatus};

use cgsim_ktypes::klog::Level;
use cgsim_ktypes::trace::func;
use cgsim_ktypes::{Cred, Errno, Pid, SysError, SysResult, Tracer};

/// `TASK_COMM_LEN - 1`: `comm` keeps at most 15 bytes.
pub const TASK_COMM_LEN: usize = 16;
/// The largest valid signal number (`_NSIG`).
pub const NSIG: i32 = 64;

/// What a signal does to a process without a handler (`sig_kernel_ignore`, `sig_kernel_stop`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DefaultAction {
    Terminate,
    Ignore,
    /// Stop/continue: not modelled, treated as ignored.
    StopOrContinue,
}

pub fn default_action(sig: Signal) -> DefaultAction {
    match sig.0 {
        17 | 23 | 28 => DefaultAction::Ignore, // SIGCHLD, SIGURG, SIGWINCH
        18..=22 => DefaultAction::StopOrContinue, // SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU
        _ => DefaultAction::Terminate,
    }
}

fn esrch() -> SysError {
    SysError::new(Errno::ESRCH, "no such process")
}

impl<T: Tracer> Kernel<T> {
    #[doc(alias = "do_fork")]
    pub(crate) fn sys_fork(&self, parent: Pid) -> SysResult<Pid> {
        let (cpu, _on) = self.enter_cpu(parent);
        let _f = func(&*self.tracer, cpu, "do_fork");
        // Lock order: Kernel::state -> cgroup_mutex (cgroup_fork, cgroup_post_fork).
        let mut st = self.lock_state();
        let p = st
            .tasks
            .get(&parent)
            .filter(|t| !t.is_zombie())
            .ok_or(esrch())?;
        // dup_task_struct's allocation, the first thing copy_process does.
        if self.fork_alloc_fails() {
            return Err(SysError::new(Errno::ENOMEM, "fork: dup_task_struct failed"));
        }
        let mut child = p.clone();
        let pid = crate::sysctl::alloc_pid(&st).ok_or_else(|| self.pid_exhausted())?;
        child.pid = pid;
        // fork() from any thread makes a single-threaded process.
        child.tgid = pid;
        child.threads.clear();
        child.ppid = parent;
        child.sched = Sched::NoProgram;
        child.exit_status = None;
        child.orphaned = false;
        child.pending.clear();
        child.before_oom_wait = None;
        child.throttled = None;
        child.throttle_owed = 0;
        // copy_mm runs inside the cgroup steps, between cgroup_fork and the callbacks.
        // Lock order: Kernel::state -> memcg world (dup_mm: the child starts in the parent's
        // memcg, which is its cgroup in the memory hierarchy too; anonymous pages are shared
        // copy-on-write).
        let forked = self.cg_fork(parent, pid, &child.cred, || {
            let _g = func(&*self.tracer, cpu, "dup_mm");
            if let Err(e) = self.mem.fork_mm(parent, pid) {
                self.klog.printk(
                    &self.clock,
                    Level::Warning,
                    format!("fork: dup_mm({parent}, {pid}) failed: {}", e.name()),
                );
            }
        });
        // alloc_pid came before cgroup_can_fork: a refused fork has used up its pid number.
        st.last_pid = pid.0;
        if let Err(e) = forked {
            return Err(SysError::new(e, "fork: refused by the pids controller"));
        }
        for e in child.fds.values() {
            st.files.get_mut(&e.file).expect("fd names a file").refs += 1;
        }
        st.tasks.insert(pid, child);
        crate::cn_proc::proc_event(&mut st, crate::cn_proc::ProcEvent::Fork(parent, pid));
        st.children.insert((parent, pid));
        Ok(pid)
    }

    /// `do_exit`: the common end of `_exit`, a fatal signal and a program's `Step::Exit`.
    /// Returns `false` for init, which cannot exit.
    pub(crate) fn do_exit(&self, st: &mut State<T>, pid: Pid, status: WaitStatus) -> bool {
        // A thread group dies as one (`do_group_exit` → `zap_other_threads`), see `thread.rs`.
        let pid = match self.zap_thread_group(st, pid, status) {
            Ok(leader) => leader,
            Err(done) => return done,
        };
        let (cpu, _on) = Self::enter_cpu_locked(st, pid);
        let _f = func(&*self.tracer, cpu, "do_exit");
        let Some(task) = st.tasks.get_mut(&pid).filter(|t| !t.is_zombie()) else {
            return false;
        };
        if pid == INIT_PID {
            self.klog.printk(
                &self.clock,
                Level::Emerg,
                "Kernel panic - not syncing: Attempted to kill init! (ignored by the simulator)",
            );
            return false;
        }
        // exit_files: close every fd in fd order.
        let fds = std::mem::take(&mut task.fds);
        let was = task.sched;
        task.sched = Sched::Zombie;
        task.exit_status = Some(status);
        task.pending.clear();
        task.before_oom_wait = None;
        task.throttled = None;
        task.throttle_owed = 0;
        st.fault_restart.remove(&pid);
        // psi_task_exit... a task killed in its memory.high sleep leaves memstall.
        self.psi.memstall_leave(pid, self.clock.now_nanos());
        // exit_mm (before exit_files and cgroup_exit, as in do_exit): unmap everything, which
        // uncharges; leaves any memcg OOM wait queue. Lock order: Kernel::state -> memcg world.
        let cpu = task.cpu;
        st.sched_q.forget(pid, was);
        self.mem.exit_task(pid, cpu);
        for e in fds.values() {
            self.put_file(st, e.file);
        }
        // Lock order: Kernel::state -> cgroup_mutex.
        self.cg_exit(pid);
        crate::cn_proc::proc_event(st, crate::cn_proc::ProcEvent::Exit(pid));
        self.exit_notify(st, pid);
        true
    }

    /// `exit_notify` for a dead process `pid`: `forget_original_parent` gives its children to
    /// init, which reaps the zombies among them; then init reaps `pid` itself if it was
    /// orphaned, or `do_notify_parent` queues SIGCHLD for its parent (sent after the unlock).
    pub(crate) fn exit_notify(&self, st: &mut State<T>, pid: Pid) {
        let children: Vec<Pid> = children_of(&st.children, pid).collect();
        for c in children {
            st.children.remove(&(pid, c));
            st.zombie_children.remove(&(pid, c));
            st.children.insert((INIT_PID, c));
            let t = st.tasks.get_mut(&c).expect("listed above");
            t.ppid = INIT_PID;
            t.orphaned = true;
            if t.is_zombie() {
                self.reap(st, c);
            }
        }
        if st.tasks[&pid].orphaned && st.tasks[&pid].ppid == INIT_PID {
            self.reap(st, pid);
        } else {
            let parent = st.tasks[&pid].ppid;
            st.zombie_children.insert((parent, pid));
            st.pending_sigchld.push(parent);
        }
    }

    /// `release_task`: forget a zombie.
    #[doc(alias = "release_task")]
    pub(crate) fn reap(&self, st: &mut State<T>, pid: Pid) -> Option<WaitStatus> {
        let t = st.tasks.remove(&pid)?;
        // wait_task_zombie (or init's reaping of an orphan): the group's times go to the
        // children's times of the parent's thread group (`signal->cutime`, one per group).
        let reaper = st.tasks.get(&t.ppid).map_or(t.ppid, |p| p.tgid);
        self.cputime.reap(reaper, pid);
        st.children.remove(&(t.ppid, pid));
        st.zombie_children.remove(&(t.ppid, pid));
        self.cg_release_task(pid);
        t.exit_status
    }

    pub(crate) fn sys_exit(&self, pid: Pid, code: i32) {
        let mut st = self.lock_state();
        let exited = self.do_exit(&mut st, pid, WaitStatus::Exited(code & 0xff));
        self.unlock(st);
        if exited {
            // A program's state machine dies with its process (it may be out being stepped;
            // the scheduler then drops it when the step returns).
            self.programs.lock().remove(&pid);
        }
    }

    #[doc(alias = "do_wait")]
    pub(crate) fn sys_waitpid(
        &self,
        parent: Pid,
        pid: Option<Pid>,
    ) -> SysResult<Option<(Pid, WaitStatus)>> {
        let mut st = self.lock_state();
        st.tasks
            .get(&parent)
            .filter(|t| !t.is_zombie())
            .ok_or(esrch())?;
        // The parent's own children only (the kernel walks `current->children`), through the
        // indexes rather than a scan of every task; the lowest zombie pid is reaped first.
        let z = match pid {
            Some(p) => {
                let t = st
                    .tasks
                    .get(&p)
                    .filter(|t| t.ppid == parent && p != parent && t.tgid == p)
                    .ok_or(SysError::new(Errno::ECHILD, "no such child"))?;
                // `delay_group_leader`: a leader is reaped after its last thread.
                (t.is_zombie() && t.threads.is_empty()).then_some(p)
            }
            None => {
                if children_of(&st.children, parent).next().is_none() {
                    return Err(SysError::new(Errno::ECHILD, "no such child"));
                }
                children_of(&st.zombie_children, parent).next()
            }
        };
        let Some(z) = z else {
            return Ok(None);
        };
        let status = self.reap(&mut st, z).expect("a zombie has a status");
        Ok(Some((z, status)))
    }

    pub(crate) fn sys_kill(&self, sender: Pid, target: Pid, sig: Signal) -> SysResult<()> {
        let (cpu, _on) = self.enter_cpu(sender);
        let _f = func(&*self.tracer, cpu, "sys_kill");
        if !(0..=NSIG).contains(&sig.0) {
            return Err(SysError::new(Errno::EINVAL, "bad signal number"));
        }
        if target.0 <= 0 {
            return Err(SysError::new(
                Errno::EINVAL,
                "process groups are not modelled",
            ));
        }
        {
            let st = self.lock_state();
            let s = self.cred_of(&st, sender)?;
            let t = st.tasks.get(&target).ok_or(esrch())?;
            // kill_ok_by_cred.
            let c = &t.cred;
            let ok = s.euid.is_root()
                || s.euid == c.suid
                || s.euid == c.uid
                || s.uid == c.suid
                || s.uid == c.uid;
            if !ok {
                return Err(SysError::new(Errno::EPERM, "kill permission denied"));
            }
            // A zombie leader whose threads live on still names its group.
            if sig.0 == 0 || (t.is_zombie() && t.threads.is_empty()) {
                return Ok(());
            }
        }
        self.deliver(target, sig);
        Ok(())
    }

    #[doc(alias = "send_sig")]
    pub(crate) fn sys_send_sig(&self, target: Pid, sig: Signal) -> SysResult<()> {
        if !(0..=NSIG).contains(&sig.0) {
            return Err(SysError::new(Errno::EINVAL, "bad signal number"));
        }
        {
            let st = self.lock_state();
            let t = st.tasks.get(&target).ok_or(esrch())?;
            if sig.0 == 0 || (t.is_zombie() && t.threads.is_empty()) {
                return Ok(());
            }
        }
        self.deliver(target, sig);
        Ok(())
    }

    /// Deliver `sig` (permission already checked): the program's handler first, else the
    /// default action. Called with no lock held, because a handler may make syscalls.
    pub(crate) fn deliver(&self, target: Pid, sig: Signal) {
        // A signal is for the thread group (`thread.rs`).
        let target = self.signal_target(target);
        let action = default_action(sig);
        // `sig_ignored`: an ignored signal is discarded when sent (SIGKILL and SIGSTOP cannot
        // be ignored: `sigaction_ignore` refuses them).
        if sig.0 > 0 && sig.0 < 64 {
            let st = self.lock_state();
            if st
                .tasks
                .get(&target)
                .is_some_and(|t| t.sig_ignored & (1u64 << sig.0) != 0)
            {
                return;
            }
        }
        if sig != Signal::SIGKILL {
            // The memcg OOM wait is TASK_KILLABLE (2.6.34+ `mem_cgroup_handle_oom`, 3.12+
            // `mem_cgroup_oom_synchronize`): only a fatal signal ends it. `complete_signal`
            // turns a signal whose default action kills and that has no handler
            // (`sig_fatal`) into a group SIGKILL with the original signal as the exit code,
            // so a default SIGTERM wakes the sleeper, which sees `fatal_signal_pending` and
            // dies "Terminated". Other signals stay pending until the task wakes.
            let caught = self
                .programs
                .lock()
                .get(&target)
                .is_some_and(|p| p.catches(sig));
            let fatal = action == DefaultAction::Terminate && !caught && target != INIT_PID;
            let mut st = self.lock_state();
            if let Some(t) = st
                .tasks
                .get_mut(&target)
                .filter(|t| t.sched == Sched::OomWait || t.throttled.is_some())
            {
                if !fatal {
                    t.pending.push(sig);
                    return;
                }
                let exited = self.do_exit(&mut st, target, WaitStatus::Signaled(sig));
                self.unlock(st);
                if exited {
                    self.programs.lock().remove(&target);
                }
                return;
            }
        }
        let handled = if sig == Signal::SIGKILL {
            false
        } else {
            let prog = self.programs.lock().remove(&target);
            match prog {
                Some(mut prog) => {
                    let handled = prog.signal(self, target, sig);
                    let mut guard = self.lock_state();
                    let st = &mut *guard;
                    if let Some(t) = st.tasks.get_mut(&target).filter(|t| !t.is_zombie()) {
                        if handled
                            && matches!(
                                t.sched,
                                Sched::SleepUntil(_)
                                    | Sched::WaitReadable(_)
                                    | Sched::WaitWritable(_)
                                    | Sched::WaitPri(_)
                            )
                        {
                            // The handler interrupted the sleep (EINTR): run the program again.
                            t.sched = Sched::Runnable;
                            st.sched_q.enqueue(target, Sched::Runnable);
                        }
                        // The handler's return to user space: a memory.high penalty its
                        // memory calls owe is slept now.
                        self.psi_throttle(st, target);
                        drop(guard);
                        self.programs.lock().insert(target, prog);
                    }
                    handled
                }
                None => {
                    if sig == Signal::SIGCHLD {
                        self.threaded_sigchld(target);
                    }
                    false
                }
            }
        };
        if handled || action != DefaultAction::Terminate || target == INIT_PID {
            return;
        }
        let mut st = self.lock_state();
        let exited = self.do_exit(&mut st, target, WaitStatus::Signaled(sig));
        self.unlock(st);
        if exited {
            self.programs.lock().remove(&target);
        }
    }

    /// `rt_sigaction(sig, SIG_IGN or SIG_DFL)`: whether `sig` is ignored by `pid` from now on
    /// (what a shell's `trap '' SIG` and `trap - SIG` do). EINVAL for SIGKILL, SIGSTOP or a
    /// number out of range (`do_sigaction`), ESRCH for no such process.
    pub fn sigaction_ignore(&self, pid: Pid, sig: Signal, ignore: bool) -> SysResult<()> {
        if sig.0 < 1 || sig.0 >= 64 || sig == Signal::SIGKILL || sig == Signal::SIGSTOP {
            return Err(SysError::new(Errno::EINVAL, "signal cannot be ignored"));
        }
        let mut st = self.lock_state();
        let t = st
            .tasks
            .get_mut(&pid)
            .filter(|t| !t.is_zombie())
            .ok_or(esrch())?;
        if ignore {
            t.sig_ignored |= 1u64 << sig.0;
        } else {
            t.sig_ignored &= !(1u64 << sig.0);
        }
        Ok(())
    }

    pub(crate) fn sys_set_comm(&self, pid: Pid, comm: &str) -> SysResult<()> {
        let mut st = self.lock_state();
        let t = st.tasks.get_mut(&pid).ok_or(esrch())?;
        t.comm = truncate_comm(comm).to_string();
        Ok(())
    }

    /// `do_execve` as far as the simulator models it: the new `comm` (`__set_task_comm` in
    /// `flush_old_exec`) and a fresh, empty mm (`exec_mmap` dropping the old one).
    pub(crate) fn sys_execve(&self, pid: Pid, comm: &str) -> SysResult<()> {
        let mut st = self.lock_state();
        let t = st
            .tasks
            .get_mut(&pid)
            .filter(|t| !t.is_zombie())
            .ok_or(esrch())?;
        let comm = truncate_comm(comm);
        let cpu = t.cpu;
        t.comm = comm.to_string();
        // The arguments are the program's name alone until `set_cmdline` gives them.
        t.cmdline = vec![t.comm.clone()];
        crate::cn_proc::proc_event(&mut st, crate::cn_proc::ProcEvent::Exec(pid));
        // The memory side also keeps the comm, for the OOM killer's messages.
        // Lock order: Kernel::state -> memcg world.
        {
            let _f = func(&*self.tracer, cpu, "do_execve");
            let _ = self.mem.exec_mm(pid, comm, cpu);
        }
        // A fault of the old mm cannot resume in the new one (fault_sleep.rs).
        st.fault_restart.remove(&pid);
        drop(st);
        self.mem_events();
        Ok(())
    }

    /// The new program's arguments after an exec (`execve` copies argv to the new stack).
    pub(crate) fn sys_set_cmdline(&self, pid: Pid, argv: &[String]) -> SysResult<()> {
        let mut st = self.lock_state();
        let t = st.tasks.get_mut(&pid).ok_or(esrch())?;
        t.cmdline = argv.to_vec();
        Ok(())
    }

    /// `setresuid`/`setresgid`: root may set anything; others only values among their current
    /// real, effective and saved ids (EPERM).
    #[doc(alias = "sys_setresuid")]
    pub(crate) fn sys_set_cred(&self, pid: Pid, cred: Cred) -> SysResult<()> {
        let mut st = self.lock_state();
        let t = st
            .tasks
            .get_mut(&pid)
            .filter(|t| !t.is_zombie())
            .ok_or(esrch())?;
        let cur = t.cred;
        if !cur.euid.is_root() {
            let uids = [cur.uid, cur.euid, cur.suid];
            let gids = [cur.gid, cur.egid];
            let ok = [cred.uid, cred.euid, cred.suid]
                .iter()
                .all(|u| uids.contains(u))
                && [cred.gid, cred.egid].iter().all(|g| gids.contains(g));
            if !ok {
                return Err(SysError::new(Errno::EPERM, "setresuid needs CAP_SETUID"));
            }
        }
        t.cred = cred;
        crate::cn_proc::proc_id_events(&mut st, pid, &cur, &cred);
        self.cg_set_cred(pid, &cred);
        // Lock order: Kernel::state -> memcg world. A root task keeps every capability.
        self.mem
            .set_task_cred(pid, cred.euid.0, cred.euid.is_root());
        Ok(())
    }

    pub(crate) fn sys_getppid(&self, pid: Pid) -> SysResult<Pid> {
        let st = self.lock_state();
        let t = st.tasks.get(&pid).ok_or(esrch())?;
        // `task_tgid_vnr(current->real_parent)`: a parent thread reads as its process.
        let ppid = st.tasks.get(&t.ppid).map_or(t.ppid, |p| p.tgid);
        Ok(if pid == INIT_PID { Pid(0) } else { ppid })
    }

    pub(crate) fn sys_ps(&self) -> Vec<ProcInfo> {
        // Lock order: Kernel::state -> cgroup_mutex, memcg world.
        let st = self.lock_state();
        st.tasks
            .values()
            .filter(|t| t.tgid == t.pid)
            .map(|t| self.proc_info(t))
            .collect()
    }
}

/// The children of `parent` in a `(parent, child)` index, in ascending pid order.
pub(crate) fn children_of(
    index: &std::collections::BTreeSet<(Pid, Pid)>,
    parent: Pid,
) -> impl Iterator<Item = Pid> + '_ {
    index
        .range((parent, Pid(i32::MIN))..=(parent, Pid(i32::MAX)))
        .map(|&(_, c)| c)
        .filter(move |&c| c != parent)
}

/// `comm` cut to `TASK_COMM_LEN - 1` bytes (at a character boundary, where the kernel would cut
/// a byte string).
fn truncate_comm(comm: &str) -> &str {
    let mut end = comm.len().min(TASK_COMM_LEN - 1);
    while !comm.is_char_boundary(end) {
        end -= 1;
    }
    &comm[..end]
}
