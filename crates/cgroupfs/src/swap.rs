//! `swapon(2)`, `swapoff(2)` and `/proc/swaps`.
//!
//! **Kernel:** `mm/swapfile.c` `sys_swapon`, `sys_swapoff`, `swap_show` (2.6.34). The machine
//! has one swap area, the partition [`SWAP_DEVICE`]; the work is `cgsim_memcg`'s
//! (`MemoryMachine::swapoff`, `swapon`).
//! **Differences:** the device node is not in the simulated `/dev`; any other path is looked up
//! in the VFS only to choose between ENOENT (missing) and EINVAL (not a swap area).

use crate::Kernel;
use crate::task::Sched;
use cgsim_ktypes::trace::func;
use cgsim_ktypes::{Errno, Pid, SysError, SysResult, Tracer};
use cgsim_memcg::SWAP_DEVICE;

impl<T: Tracer> Kernel<T> {
    /// The checks both calls make before the area's own: capability, then the path.
    fn swap_path_check(&self, pid: Pid, path: &str) -> SysResult<()> {
        {
            // Lock order: Kernel::state alone (released before the memcg world).
            let st = self.lock_state();
            let cred = self.cred_of(&st, pid)?;
            if !cred.euid.is_root() {
                return Err(SysError::new(
                    Errno::EPERM,
                    "swapon/swapoff need CAP_SYS_ADMIN",
                ));
            }
        }
        if path == SWAP_DEVICE {
            return Ok(());
        }
        match self.stat(pid, path) {
            Ok(_) => Err(SysError::new(Errno::EINVAL, "not a swap area")),
            Err(e) => Err(e),
        }
    }

    pub(crate) fn sys_swapon(&self, pid: Pid, path: &str) -> SysResult<()> {
        let (cpu, _on) = self.enter_cpu(pid);
        let _f = func(&*self.tracer, cpu, "sys_swapon");
        self.swap_path_check(pid, path)?;
        self.mem.swapon().map_err(|e| {
            SysError::new(
                e,
                if e == Errno::EBUSY {
                    "swap area already on"
                } else {
                    "the machine has no swap"
                },
            )
        })
    }

    /// `sys_swapoff` run by `pid`: the memory controller brings the pages back on `pid`'s
    /// behalf (it is `PF_OOM_ORIGIN` meanwhile, so a memcg OOM kills it first). EINTR when the
    /// OOM killer chose it (SIGKILL is delivered here, so it dies before returning to user
    /// space) or when it would sleep on a memcg OOM wait queue (`oom_kill_disable`; it is left
    /// in state D for the caller to see, as a fault leaves it).
    pub(crate) fn sys_swapoff(&self, pid: Pid, path: &str) -> SysResult<()> {
        self.swap_path_check(pid, path)?;
        // try_to_unuse runs on the caller's CPU: the pages come back through its pagevec.
        let cpu = self.task_cpu_or_boot(pid);
        let r = self.mem.swapoff(Some(pid), cpu);
        if r == Err(Errno::EINTR) && self.mem.oom_waiting(pid).is_some() {
            // Lock order: Kernel::state alone.
            let mut st = self.lock_state();
            if let Some(t) = st.tasks.get_mut(&pid).filter(|t| !t.is_zombie())
                && t.sched != Sched::OomWait
            {
                t.before_oom_wait = Some(t.sched);
                t.sched = Sched::OomWait;
            }
        }
        // The OOM killer's victims (swapoff itself, or a task of the memcg) get SIGKILL now.
        self.mem_events();
        r.map_err(|e| {
            SysError::new(
                e,
                match e {
                    Errno::ENOMEM => "swapped pages could not be charged back",
                    Errno::EINTR => "killed by the OOM killer, or asleep on a memcg OOM wait queue",
                    _ => "swap area not on",
                },
            )
        })
    }

    /// `/proc/swaps` (`swap_show`): a header, then one line per area: the path padded to 40
    /// columns, the type, size and used in KiB, the priority.
    pub(crate) fn proc_swaps(&self) -> String {
        let mut s = String::from("Filename\t\t\t\tType\t\tSize\tUsed\tPriority\n");
        if let Some(a) = self.mem.swap_area() {
            let pad = 40usize.saturating_sub(SWAP_DEVICE.len()).max(1);
            s += &format!(
                "{SWAP_DEVICE}{:pad$}partition\t{}\t{}\t{}\n",
                "",
                a.pages * 4,
                a.used * 4,
                a.prio
            );
        }
        s
    }
}
