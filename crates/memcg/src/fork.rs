//! Tasks gaining an mm: registration, `exec` and `fork`.
//!
//! **Kernel:** `kernel/fork.c` `copy_mm`, `dup_mm`, `dup_mmap` (with `copy_page_range`,
//! `mm/memory.c`); `fs/exec.c` `exec_mmap`, v2.6.34.

use crate::counter_ext::MemCounter;
use crate::machine::MemoryMachine;
use crate::memcontrol::MemcgId;
use crate::mm::{Mm, MmId, Task};
use crate::percpu::SpinLock;
use cgsim_ktypes::trace::Tracer;
use cgsim_ktypes::{CpuId, Errno, Pid};
use crossbeam_utils::CachePadded;

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// Register a task that has no mm yet (init at boot, kernel threads): charged to `memcg`.
    pub fn add_task(&self, pid: Pid, comm: &str, memcg: MemcgId) -> Result<(), Errno> {
        let mut w = self.lock();
        let s = w.slot_of(memcg).ok_or(Errno::ENODEV)?;
        if w.tasks.contains_key(&pid) {
            return Err(Errno::EEXIST);
        }
        w.tasks.insert(
            pid,
            Task {
                memcg: s,
                mm: None,
                comm: comm.to_string(),
                oom_score_adj: 0,
                oom_adj: 0,
                uid: 0,
                privileged: true,
                parent: None,
                memdie: false,
                oom_wait: None,
                oom_origin: false,
            },
        );
        w.mc_mut(s).nr_tasks += 1;
        Ok(())
    }

    /// `exec`: give `pid` a fresh empty mm (dropping its old one) and a new `comm`.
    pub fn exec_mm(&self, pid: Pid, comm: &str, cpu: CpuId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        if !w.tasks.contains_key(&pid) {
            return Err(Errno::ESRCH);
        }
        w.drop_task_mm(t, cpu, pid);
        let mm = MmId::from_index(w.mms.insert(CachePadded::new(SpinLock::new(Mm::new(pid)))));
        let task = w.tasks.get_mut(&pid).expect("checked");
        task.mm = Some(mm);
        task.comm = comm.to_string();
        Ok(())
    }

    /// `fork` (`dup_mm`): `child` gets a copy of `parent`'s VMAs in the parent's memcg (the
    /// cgroup fork callback may already have set it) and inherits `oom_score_adj`.
    /// Private anonymous pages are shared copy-on-write (`copy_page_range`, see `rmap.rs`): no
    /// new charge until one side writes; shared mappings fault in from the page cache.
    #[doc(alias = "dup_mm")]
    pub fn fork_mm(&self, parent: Pid, child: Pid) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let p = w.tasks.get(&parent).cloned().ok_or(Errno::ESRCH)?;
        let pending = w.pending_fork.remove(&child);
        let memcg = match (w.tasks.get(&child), pending) {
            (_, Some(s)) if w.memcgs.slots[s.index()].is_some() => s,
            (Some(c), _) => c.memcg,
            _ => p.memcg,
        };
        let mm = match p.mm {
            None => None,
            Some(pm) => {
                let (src_vmas, next_vpn) = {
                    let src = &w.mms[pm.index()].get_mut();
                    (src.vmas.clone(), src.next_vpn)
                };
                let mut nm = Mm::new(child);
                // VM_LOCKED is not inherited across fork.
                *nm.vmas = src_vmas
                    .iter()
                    .map(|(&s, &v)| (s, crate::mm::Vma { locked: false, ..v }))
                    .collect();
                nm.next_vpn = next_vpn;
                let id = MmId::from_index(w.mms.insert(CachePadded::new(SpinLock::new(nm))));
                // dup_mm runs in the parent's context, on its CPU (entered by the Kernel around fork).
                w.copy_page_range(t, cgsim_ktypes::percpu::smp_processor_id(), pm, id);
                for (&start, vma) in src_vmas.iter() {
                    if let Some(shm) = vma.shm
                        && let Some(seg) = w.shm_ids.segs.get_mut(&shm)
                    {
                        seg.nattch += 1;
                    }
                    let _ = start;
                }
                Some(id)
            }
        };
        if let Some(old) = w.tasks.get(&child) {
            let old_memcg = old.memcg;
            w.mc_mut(old_memcg).nr_tasks -= 1;
        }
        w.tasks.insert(
            child,
            Task {
                memcg,
                mm,
                comm: p.comm.clone(),
                oom_score_adj: p.oom_score_adj,
                oom_adj: p.oom_adj,
                uid: p.uid,
                privileged: p.privileged,
                parent: Some(parent),
                memdie: false,
                oom_wait: None,
                oom_origin: false,
            },
        );
        w.mc_mut(memcg).nr_tasks += 1;
        Ok(())
    }

    /// `copy_process` with `CLONE_VM | CLONE_THREAD` (`copy_mm` takes a reference on the
    /// creator's mm instead of copying it): `tid` joins the creator's memcg (or the one the
    /// cgroup fork callback chose) with the creator's `comm` and OOM settings. The mm and its
    /// charges stay with the thread-group leader's record, whose `mm->owner` it is; the
    /// thread's record has no mm of its own, so the OOM killer picks the leader, and the
    /// thread's exit unmaps nothing.
    pub fn add_thread(&self, creator: Pid, tid: Pid) -> Result<(), Errno> {
        let mut w = self.lock();
        let p = w.tasks.get(&creator).cloned().ok_or(Errno::ESRCH)?;
        let pending = w.pending_fork.remove(&tid);
        let memcg = match pending {
            Some(s) if w.memcgs.slots[s.index()].is_some() => s,
            _ => p.memcg,
        };
        if let Some(old) = w.tasks.get(&tid) {
            let old_memcg = old.memcg;
            w.mc_mut(old_memcg).nr_tasks -= 1;
        }
        w.tasks.insert(
            tid,
            Task {
                memcg,
                mm: None,
                parent: p.parent,
                memdie: false,
                oom_wait: None,
                oom_origin: false,
                ..p
            },
        );
        w.mc_mut(memcg).nr_tasks += 1;
        Ok(())
    }
}
