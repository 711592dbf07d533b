//! Which CPU each task runs on: `task_cpu`, `sched_setaffinity`, `sched_getaffinity`.
//!
//! Kernel: `kernel/sched.c` (v2.6.35): `sched_setaffinity` checks `check_same_owner` (or
//! `CAP_SYS_NICE`), refuses a mask with no active CPU (EINVAL) and, through
//! `set_cpus_allowed_ptr`, migrates a task whose CPU left the mask to
//! `cpumask_any_and(cpu_active_mask, new_mask)` (the lowest such CPU); `sched_getaffinity`
//! reports `cpus_allowed & cpu_online_mask`.
//!
//! Differences: there is no load balancing: a forked child starts on its parent's CPU and
//! stays there until an affinity change moves it (the kernel's `select_task_rq` at fork and
//! the balancer would spread tasks). Everything a task does in the kernel runs on its CPU, as
//! on `smp_processor_id()` in the kernel: its memory calls (faults, munmap, mlock, exec, exit,
//! the page cache of tmpfs files, `shmctl(IPC_RMID)`, `swapoff`) take the CPU as an argument,
//! and its other syscalls enter it with `Kernel::enter_cpu` (`cgsim_ktypes::percpu::run_on`),
//! so the cgroup core's structural operations and the subsystem callbacks they run (memcg's
//! `move_charge_at_immigrate` precharge, a limit write's reclaim, `force_empty`,
//! `mem_cgroup_create`/`destroy`) use that CPU's stock and pagevec, and the function-graph
//! trace shows that CPU in its CPU column. Only boot (`cgroup_init`, init's first exec) runs on
//! the boot CPU.

use crate::Kernel;
use cgsim_ktypes::percpu::{OnCpu, run_on};
use cgsim_ktypes::{CpuId, Errno, Pid, SysError, SysResult, Tracer};

fn err(errno: Errno, why: &'static str) -> SysError {
    SysError::new(errno, why)
}

impl<T: Tracer> Kernel<T> {
    /// `cpu_online_mask`: one bit per simulated CPU (`BootParams::nr_cpus`).
    pub fn cpu_online_mask(&self) -> u64 {
        let n = self.params.nr_cpus.clamp(1, 64);
        if n == 64 { u64::MAX } else { (1u64 << n) - 1 }
    }

    /// `task_cpu(p)`: the CPU `pid` runs on (ESRCH for a missing task; a zombie keeps the CPU
    /// it exited on).
    pub fn task_cpu(&self, pid: Pid) -> SysResult<CpuId> {
        let st = self.lock_state();
        st.tasks
            .get(&pid)
            .map(|t| t.cpu)
            .ok_or(err(Errno::ESRCH, "no such process"))
    }

    /// Enter `pid`'s kernel code: its CPU (`task_cpu`; the boot CPU for a task that does not
    /// exist, whose call then fails with ESRCH after its trace entry) becomes
    /// `smp_processor_id()` until the guard drops, so the cgroup core's structural operations
    /// and the subsystem callbacks they run (memcg's limit-write reclaim, `force_empty`,
    /// `move_charge_at_immigrate`'s precharge, `mem_cgroup_create`/`destroy`) use that CPU's
    /// stock and pagevecs, and the trace labels its lines with it. Takes `Kernel::state`
    /// briefly: the caller must not hold it (see [`enter_cpu_locked`](Self::enter_cpu_locked)).
    pub(crate) fn enter_cpu(&self, pid: Pid) -> (CpuId, OnCpu) {
        let cpu = self.task_cpu_or_boot(pid);
        (cpu, run_on(cpu))
    }

    /// [`enter_cpu`](Self::enter_cpu) for a caller holding `Kernel::state`.
    pub(crate) fn enter_cpu_locked(st: &crate::state::State<T>, pid: Pid) -> (CpuId, OnCpu) {
        let cpu = Self::task_cpu_locked(st, pid);
        (cpu, run_on(cpu))
    }

    /// `sched_getaffinity(pid)`: the CPUs `pid` may run on, bit n = CPU n.
    pub fn sched_getaffinity(&self, pid: Pid) -> SysResult<u64> {
        let online = self.cpu_online_mask();
        let st = self.lock_state();
        let t = st
            .tasks
            .get(&pid)
            .filter(|t| !t.is_zombie())
            .ok_or(err(Errno::ESRCH, "no such process"))?;
        Ok(t.cpus_allowed & online)
    }

    /// `sched_setaffinity(pid, mask)` as `caller`: ESRCH for a missing task, EPERM unless the
    /// caller is root or its effective uid is the target's uid or effective uid, EINVAL for a
    /// mask without an online CPU. The task moves to the lowest allowed CPU if its own is no
    /// longer allowed.
    pub fn sched_setaffinity(&self, caller: Pid, pid: Pid, mask: u64) -> SysResult<()> {
        let online = self.cpu_online_mask();
        let mut st = self.lock_state();
        let me = self.live_cred(&st, caller)?;
        let them = self.live_cred(&st, pid)?;
        if me.euid.0 != 0 && me.euid != them.euid && me.euid != them.uid {
            return Err(err(Errno::EPERM, "sched_setaffinity: not the owner"));
        }
        let allowed = mask & online;
        if allowed == 0 {
            return Err(err(
                Errno::EINVAL,
                "sched_setaffinity: no online CPU in the mask",
            ));
        }
        let t = st.tasks.get_mut(&pid).expect("live");
        t.cpus_allowed = mask;
        if allowed & (1 << t.cpu.index()) == 0 {
            t.cpu = CpuId(allowed.trailing_zeros());
        }
        Ok(())
    }
}
