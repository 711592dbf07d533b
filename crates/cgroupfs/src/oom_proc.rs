//! `/proc/<pid>/oom_adj`, `/proc/<pid>/oom_score`, which `/proc/<pid>` OOM files a version has,
//! and the names the memcg OOM report prints.
//!
//! **Kernel:** `fs/proc/base.c` `oom_adjust_read`, `oom_adjust_write`, `proc_oom_score`
//! (v2.6.35: `signal->oom_adj`, −17..15, `OOM_DISABLE` −17; 3.x+: `oom_adj` is translated to
//! and from `oom_score_adj`), `mm/memcontrol.c` `mem_cgroup_print_oom_info` (`cgroup_path`),
//! `kernel/cpuset.c` `cpuset_print_task_mems_allowed`.
//!
//! **Differences:** 2.6.25's `oom_adjust_write` parses with `simple_strtol` (trailing text
//! ignored); the 2.6.35 strict parse is used for every version.

use crate::procfs::PidFile;
use crate::state::State;
use crate::{Kernel, KernelVersion};
use cgsim_ktypes::{Errno, Pid, SysError, SysResult, Tracer};
use std::any::Any;
use std::sync::{Arc, Weak};

/// `OOM_SCORE_ADJ_MAX`.
const OOM_SCORE_ADJ_MAX: i32 = 1000;
/// `OOM_ADJUST_MAX`.
const OOM_ADJUST_MAX: i32 = 15;

/// `oom_adjust_write`'s parse: at most `PROC_NUMBUF − 1` (12) bytes, white space stripped, a
/// base-0 `long` (`strict_strtol`), in −16..=15 or −17 (`OOM_DISABLE`); else EINVAL.
pub fn parse_oom_adj(data: &[u8]) -> SysResult<i32> {
    let einval = SysError::new(Errno::EINVAL, "oom_adj: not a number in -17..15");
    let v = crate::meminfo::parse_oom_score_adj(&data[..data.len().min(12)]).map_err(|_| einval)?;
    if !(cgsim_memcg::OOM_DISABLE..=OOM_ADJUST_MAX).contains(&v) {
        return Err(einval);
    }
    Ok(v)
}

impl<T: Tracer> Kernel<T> {
    /// Whether this version has `/proc/<pid>/oom_score_adj` (2.6.36+).
    pub(crate) fn has_oom_score_adj(&self) -> bool {
        self.params.kernel >= KernelVersion::V3_10
    }

    /// Whether `f` exists in `/proc/<pid>` on this version.
    pub(crate) fn proc_pid_file_exists(&self, f: PidFile) -> bool {
        f != PidFile::OomScoreAdj || self.has_oom_score_adj()
    }

    /// `oom_adjust_read`: 2.6.35 prints `signal->oom_adj`; 2.6.36+ derive it from
    /// `oom_score_adj` (`OOM_SCORE_ADJ_MAX` → 15, else `adj * 17 / 1000`).
    pub(crate) fn proc_oom_adj_text(&self, st: &State<T>, pid: Pid) -> SysResult<String> {
        let t = st
            .tasks
            .get(&pid)
            .ok_or(SysError::new(Errno::ENOENT, "process gone"))?;
        let adj = if self.has_oom_score_adj() {
            if t.oom_score_adj == OOM_SCORE_ADJ_MAX {
                OOM_ADJUST_MAX
            } else {
                t.oom_score_adj * -cgsim_memcg::OOM_DISABLE / OOM_SCORE_ADJ_MAX
            }
        } else {
            t.oom_adj
        };
        Ok(format!("{adj}\n"))
    }

    /// `proc_oom_score`: the version's badness of the task (`%lu`).
    pub(crate) fn proc_oom_score_text(&self, pid: Pid) -> String {
        format!("{}\n", self.mem.oom_score(pid).unwrap_or(0))
    }

    /// `oom_adjust_write`: a task without `CAP_SYS_RESOURCE` (non-root) may only raise the
    /// value (EACCES). 2.6.36+ store it as `oom_score_adj` (15 → 1000, else `adj * 1000 / 17`).
    pub(crate) fn proc_write_oom_adj(
        &self,
        st: &mut State<T>,
        writer: Pid,
        target: Pid,
        data: &[u8],
    ) -> SysResult<usize> {
        let adj = parse_oom_adj(data)?;
        let cred = self.live_cred(st, writer)?;
        if self.has_oom_score_adj() {
            // 3.x `oom_adj_write`: a task without an mm is refused; lowering the value below
            // the current `oom_score_adj` needs CAP_SYS_RESOURCE (not `oom_score_adj_min`).
            let score_adj = if adj == OOM_ADJUST_MAX {
                OOM_SCORE_ADJ_MAX
            } else {
                adj * OOM_SCORE_ADJ_MAX / -cgsim_memcg::OOM_DISABLE
            };
            let comm = st.tasks.get(&writer).map(|t| t.comm.clone());
            let t = st
                .tasks
                .get_mut(&target)
                .filter(|t| !t.is_zombie())
                .ok_or(SysError::new(Errno::EINVAL, "task has no mm"))?;
            if score_adj < t.oom_score_adj && !cred.euid.is_root() {
                return Err(SysError::new(
                    Errno::EACCES,
                    "lowering oom_adj needs CAP_SYS_RESOURCE",
                ));
            }
            if !self
                .oom_adj_warned
                .swap(true, std::sync::atomic::Ordering::Relaxed)
            {
                self.klog.printk(
                    &self.clock,
                    cgsim_ktypes::klog::Level::Warning,
                    format!(
                        "{} ({writer}): /proc/{target}/oom_adj is deprecated, please use \
                         /proc/{target}/oom_score_adj instead.",
                        comm.unwrap_or_default()
                    ),
                );
            }
            // Lock order: Kernel::state -> memcg world.
            self.mem
                .set_oom_score_adj(target, score_adj)
                .map_err(|e| SysError::new(e, "oom_adj"))?;
            t.oom_score_adj = score_adj;
            return Ok(data.len());
        }
        let t = st
            .tasks
            .get_mut(&target)
            .filter(|t| !t.is_zombie())
            .ok_or(SysError::new(Errno::ESRCH, "process gone"))?;
        if adj < t.oom_adj && !cred.euid.is_root() {
            return Err(SysError::new(
                Errno::EACCES,
                "lowering oom_adj needs CAP_SYS_RESOURCE",
            ));
        }
        // Lock order: Kernel::state -> memcg world.
        self.mem
            .set_oom_adj(target, adj)
            .map_err(|e| SysError::new(e, "oom_adj"))?;
        t.oom_adj = adj;
        Ok(data.len())
    }
}

/// The names of the memcg OOM report, read from the cgroup core without waiting for its
/// locks (the OOM killer runs with the memcg world locked, below `cgroup_mutex`).
pub(crate) struct CoreOomNamer<T: Tracer> {
    pub(crate) kernel: Weak<Kernel<T>>,
}

impl<T: Tracer> cgsim_memcg::OomNamer for CoreOomNamer<T> {
    fn css_path(&self, css: &Arc<dyn Any + Send + Sync>) -> Option<String> {
        let k = self.kernel.upgrade()?;
        let css = css.downcast_ref::<cgsim_cgroup::CgroupSubsysState>()?;
        k.cgroups.try_cgroup_path(css.cgroup())
    }

    fn css_on_dfl(&self, css: &Arc<dyn Any + Send + Sync>) -> bool {
        self.kernel.upgrade().is_some_and(|k| {
            css.downcast_ref::<cgsim_cgroup::CgroupSubsysState>()
                .and_then(|css| k.cgroups.try_on_dfl(css.cgroup()))
                .unwrap_or(false)
        })
    }

    fn cpuset_name(&self, pid: Pid) -> String {
        self.kernel
            .upgrade()
            .and_then(|k| k.cgroups.try_task_cgroup_name(pid, "cpuset"))
            .unwrap_or_else(|| "/".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oom_adj_parse() {
        assert_eq!(parse_oom_adj(b"-17\n").unwrap(), -17);
        assert_eq!(parse_oom_adj(b"15").unwrap(), 15);
        assert_eq!(parse_oom_adj(b" 0x3 ").unwrap(), 3);
        for bad in [&b"16"[..], b"-18", b"x", b"", b"1 2"] {
            assert_eq!(
                parse_oom_adj(bad).unwrap_err().errno,
                Errno::EINVAL,
                "{bad:?}"
            );
        }
    }
}
