//! The pressure files of the default hierarchy (`cgroup_psi_files[]`) and the hook a PSI
//! implementation plugs into.
//!
//! **Kernel:** `kernel/cgroup/cgroup.c` `cgroup_psi_files[]`, `cgroup_pressure_show`,
//! `cgroup_pressure_write`, `cgroup_io_pressure_show` and the like; `kernel/sched/psi.c`
//! `psi_show`, `psi_trigger_create` (v6.6).
//!
//! The core creates `io.pressure`, `memory.pressure`, `cpu.pressure` and `cgroup.pressure` in
//! every cgroup of the default hierarchy, the root included, as 6.6 does whatever controllers
//! are enabled. What they read and what a trigger write does belongs to the pressure model
//! (the memory controller's time in reclaim and throttling), which installs a
//! [`PressureHook`] with [`CgroupCore::set_pressure_hook`](crate::CgroupCore::set_pressure_hook).
//! Until then [`NoPressure`] reads zeros (nothing ever stalls) and checks a trigger as
//! `psi_trigger_create` does, keeping nothing.
//!
//! Writing 0 to `cgroup.pressure` hides the other pressure files (`CGRP_PSI_DISABLED`, see
//! `dfl.rs`), and the Kernel leaves the cgroup out of its tasks' PSI groups while it is set.
//!
//! **Differences:** `irq.pressure` (`CONFIG_IRQ_TIME_ACCOUNTING`) is not created.

use crate::cgroup::CgroupId;
use cgsim_ktypes::{Errno, Pid};

/// A resource of `enum psi_res`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PsiRes {
    /// `PSI_IO`: `io.pressure`.
    Io,
    /// `PSI_MEM`: `memory.pressure`.
    Memory,
    /// `PSI_CPU`: `cpu.pressure`.
    Cpu,
}

impl PsiRes {
    /// The file name.
    pub fn file(self) -> &'static str {
        match self {
            PsiRes::Io => "io.pressure",
            PsiRes::Memory => "memory.pressure",
            PsiRes::Cpu => "cpu.pressure",
        }
    }
}

/// `psi_show` for a group that never stalled: a `some` and a `full` line of zeros.
pub const PSI_ZEROS: &str = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n\
                             full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";

/// `WINDOW_MAX_US` (`kernel/sched/psi.c`): a trigger's window is at most 10 s.
pub const WINDOW_MAX_US: u32 = 10_000_000;

/// A parsed trigger (`struct psi_trigger`'s parameters).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PsiTrigger {
    /// `full` rather than `some`.
    pub full: bool,
    /// Stall time in the window that fires it, in µs.
    pub threshold_us: u32,
    /// The window, in µs.
    pub window_us: u32,
}

/// The kernel's `vsscanf(buf, "KIND %u %u")` (`lib/vsprintf.c`): `KIND` must match exactly, a
/// blank in the format matches any run of blanks in the input (none included), `%u` skips
/// blanks, then needs a digit and takes every digit that follows (wrapping like
/// `simple_strntoull` into an `unsigned int`). `None` unless both numbers matched.
fn scan_kind_u_u(buf: &str, kind: &str) -> Option<(u32, u32)> {
    let b = buf.strip_prefix(kind)?.as_bytes();
    let mut i = 0;
    let num = |i: &mut usize| -> Option<u32> {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
        if *i >= b.len() || !b[*i].is_ascii_digit() {
            return None;
        }
        let mut v = 0u64;
        while *i < b.len() && b[*i].is_ascii_digit() {
            v = v.wrapping_mul(10).wrapping_add(u64::from(b[*i] - b'0'));
            *i += 1;
        }
        Some(v as u32)
    };
    let threshold = num(&mut i)?;
    let window = num(&mut i)?;
    Some((threshold, window))
}

/// `psi_trigger_create`'s checks (6.6): `some T W` or `full T W` as `sscanf("some %u %u")`
/// reads them, window 1 µs..10 s (6.4 dropped the 500 ms minimum), a multiple of 2 s unless
/// `privileged` (`CAP_SYS_RESOURCE` of the opener), threshold 1..window; EINVAL otherwise.
pub fn parse_trigger(buf: &str, privileged: bool) -> Result<PsiTrigger, Errno> {
    let (full, (threshold_us, window_us)) = if let Some(v) = scan_kind_u_u(buf, "some") {
        (false, v)
    } else if let Some(v) = scan_kind_u_u(buf, "full") {
        (true, v)
    } else {
        return Err(Errno::EINVAL);
    };
    if window_us == 0 || window_us > WINDOW_MAX_US {
        return Err(Errno::EINVAL);
    }
    if !privileged && window_us % 2_000_000 != 0 {
        return Err(Errno::EINVAL);
    }
    if threshold_us == 0 || threshold_us > window_us {
        return Err(Errno::EINVAL);
    }
    Ok(PsiTrigger {
        full,
        threshold_us,
        window_us,
    })
}

/// What a PSI model implements to back the pressure files.
///
/// **Locking:** called without `cgroup_mutex` (like control-file handlers), so it may call
/// [`CgroupCore`](crate::CgroupCore) query methods.
pub trait PressureHook: Send + Sync {
    /// `psi_show` for `cgrp` (`psi_system` for the root cgroup).
    fn show(&self, cgrp: CgroupId, res: PsiRes) -> String {
        let _ = (cgrp, res);
        PSI_ZEROS.to_string()
    }

    /// `(user, system)` nanoseconds of CPU time the tasks of `cgrp` and its descendants used
    /// (`cpu.stat`'s `user_usec`/`system_usec`); the scheduler's side answers.
    fn cpu_times(&self, cgrp: CgroupId) -> (u64, u64) {
        let _ = cgrp;
        (0, 0)
    }

    /// `cgroup_pressure_write`: a trigger written by `writer` (the whole written text, NUL
    /// and trailing whitespace not stripped: `psi_trigger_create` scans it as it is).
    fn write_trigger(
        &self,
        cgrp: CgroupId,
        res: PsiRes,
        writer: Pid,
        privileged: bool,
        buf: &str,
    ) -> Result<(), Errno> {
        let _ = (cgrp, res, writer);
        parse_trigger(buf, privileged).map(|_| ())
    }
}

/// The hook used until a PSI model installs one.
#[derive(Copy, Clone, Debug, Default)]
pub struct NoPressure;

impl PressureHook for NoPressure {}

impl<T: cgsim_ktypes::Tracer> crate::CgroupCore<T> {
    /// `task_dfl_cgroup(task)` and its ancestors up to the root of the default hierarchy,
    /// nearest first: the cgroups whose `psi_group`s a task's state changes go to
    /// (`psi_task_change` walks `group->parent`). Empty for an unknown or exited task.
    pub fn task_dfl_cgroups(&self, pid: Pid) -> Vec<CgroupId> {
        // `css_set_lock` (read) only, as `psi_task_change` runs under the runqueue lock with
        // no `cgroup_mutex`: every default-hierarchy cgroup's lock-free part (its `parent`)
        // is reachable from the css_set side (linked, or in the default hierarchy's table).
        let cs = self.css_set_read();
        let Some(t) = cs.tasks.get(&pid).filter(|t| !t.exited) else {
            return Vec::new();
        };
        let mut cgrp = Some(cs.css_set_cgroup(t.cgroups, crate::RootId::ROOTNODE));
        let mut out = Vec::new();
        while let Some(c) = cgrp {
            out.push(c);
            cgrp = cs
                .links
                .get(&c)
                .map(|l| &l.cgrp)
                .or_else(|| cs.dfl_shared.get(&c))
                .and_then(|x| x.parent);
        }
        out
    }

    /// Whether `cgrp`'s PSI accounting was turned off through `cgroup.pressure` (the kernel's
    /// `!cgroup_psi(cgrp)->enabled`); read under `css_set_lock` only, like
    /// [`task_dfl_cgroups`](Self::task_dfl_cgroups). False for an unknown cgroup.
    pub fn psi_disabled(&self, cgrp: CgroupId) -> bool {
        let cs = self.css_set_read();
        cs.links
            .get(&cgrp)
            .map(|l| &l.cgrp)
            .or_else(|| cs.dfl_shared.get(&cgrp))
            .is_some_and(|x| x.flags() & crate::cgroup::CGRP_PSI_DISABLED != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_parsing_as_vsscanf() {
        let t = parse_trigger("some 150000 1000000", true).unwrap();
        assert_eq!(
            (t.full, t.threshold_us, t.window_us),
            (false, 150_000, 1_000_000)
        );
        // A blank in the format matches no blank too; text after the numbers is ignored.
        assert!(parse_trigger("some150000 1000000\n", true).is_ok());
        assert!(parse_trigger("full  1 10000000junk", true).unwrap().full);
        // %u needs a digit after the blanks.
        assert_eq!(
            parse_trigger("some 150000x 1000000", true),
            Err(Errno::EINVAL)
        );
        assert_eq!(parse_trigger("some -1 1000000", true), Err(Errno::EINVAL));
        assert_eq!(parse_trigger("Some 1 1000000", true), Err(Errno::EINVAL));
        assert_eq!(parse_trigger("some 1", true), Err(Errno::EINVAL));
        // Window 1 us..10 s, threshold 1..window.
        assert_eq!(parse_trigger("some 1 0", true), Err(Errno::EINVAL));
        assert_eq!(parse_trigger("some 1 10000001", true), Err(Errno::EINVAL));
        assert!(parse_trigger("some 1 1", true).is_ok());
        assert_eq!(parse_trigger("some 0 1000000", true), Err(Errno::EINVAL));
        assert_eq!(
            parse_trigger("some 1000001 1000000", true),
            Err(Errno::EINVAL)
        );
        // Unprivileged: multiples of 2 s only.
        assert_eq!(
            parse_trigger("some 150000 1000000", false),
            Err(Errno::EINVAL)
        );
        assert!(parse_trigger("some 150000 2000000", false).is_ok());
        // %u wraps: 2^32 + 5 reads as 5.
        assert_eq!(
            parse_trigger("some 4294967301 1000000", true)
                .unwrap()
                .threshold_us,
            5
        );
    }
}
