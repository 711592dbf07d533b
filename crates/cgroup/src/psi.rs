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
//! **Differences:** `irq.pressure` (`CONFIG_IRQ_TIME_ACCOUNTING`) is not created; writing 0 to
//! `cgroup.pressure` is accepted but does not hide the other pressure files.

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

/// `psi_trigger_create`'s checks (6.6): `some T W` or `full T W` (`sscanf("%u %u")`), window
/// 1 µs..10 s, a multiple of 2 s unless `privileged` (`CAP_SYS_RESOURCE`), threshold 1..window;
/// EINVAL otherwise.
pub fn parse_trigger(buf: &str, privileged: bool) -> Result<PsiTrigger, Errno> {
    let (full, rest) = if let Some(r) = buf.strip_prefix("some ") {
        (false, r)
    } else if let Some(r) = buf.strip_prefix("full ") {
        (true, r)
    } else {
        return Err(Errno::EINVAL);
    };
    let mut it = rest.split_ascii_whitespace();
    let num = |s: Option<&str>| -> Result<u32, Errno> {
        // sscanf's %u: leading digits of the token (a sign or other text is a failed match).
        let s = s.ok_or(Errno::EINVAL)?;
        let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.is_empty() {
            return Err(Errno::EINVAL);
        }
        // %u wraps like strtoul into an unsigned int.
        Ok(digits.bytes().fold(0u32, |v, b| {
            v.wrapping_mul(10).wrapping_add(u32::from(b - b'0'))
        }))
    };
    let threshold_us = num(it.next())?;
    let window_us = num(it.next())?;
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
