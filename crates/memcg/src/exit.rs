//! A task leaving: its mm torn down and its memcg task count dropped.
//!
//! **Kernel:** `kernel/exit.c` `exit_mm` (`mmput` → `exit_mmap`, see `teardown.rs`) and the
//! memcg's share of `do_exit`, v2.6.34.

use crate::counter_ext::MemCounter;
use crate::machine::MemoryMachine;
use cgsim_ktypes::trace::Tracer;
use cgsim_ktypes::{CpuId, Pid};

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// `exit_mm` + the memcg exit: unmap everything (uncharging), leave any OOM wait queue, and
    /// forget the task. Idempotent for a task the OOM killer already tore down.
    #[doc(alias = "exit_mm")]
    pub fn exit_task(&self, pid: Pid, cpu: CpuId) {
        let t = &*self.tracer;
        let mut w = self.lock();
        if !w.tasks.contains_key(&pid) {
            return;
        }
        w.oom_wait_cancel(pid);
        w.drop_task_mm(t, cpu, pid);
        let task = w.tasks.remove(&pid).expect("checked");
        w.mc_mut(task.memcg).nr_tasks -= 1;
    }
}
