//! Memory pressure: the reclaim-efficiency window and its levels.
//!
//! **Kernel:** `mm/vmpressure.c` `struct vmpressure`, `vmpressure`, `vmpressure_prio`,
//! `vmpressure_work_fn`, `vmpressure_calc_level`, `vmpressure_event`,
//! `vmpressure_register_event` (3.10; `mm/vmpressure.c`). Available with the `vmpressure = v3_10`
//! switch, which also creates `memory.pressure_level`.
//!
//! This file is the per-memcg state and the arithmetic; `events/mod.rs` walks the hierarchy
//! and signals. **Differences:** the kernel's work item runs later on a workqueue; here the
//! sample is taken and delivered at once, inside the reclaim pass that filled the window.

use cgsim_eventfd::EventfdCtx;
use cgsim_ktypes::Errno;
use std::sync::Arc;

/// `vmpressure_level_med`: percent of scanned pages not reclaimed for `medium`.
pub const VMPRESSURE_LEVEL_MED: u64 = 60;
/// `vmpressure_level_critical`: percent for `critical`.
pub const VMPRESSURE_LEVEL_CRITICAL: u64 = 95;

/// `enum vmpressure_levels`, in increasing order.
#[doc(alias = "vmpressure_levels")]
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum VmpressureLevel {
    Low,
    Medium,
    Critical,
}

impl VmpressureLevel {
    /// The registration argument: exactly `low`, `medium` or `critical` (3.10), else EINVAL.
    pub fn parse(args: &str) -> Result<VmpressureLevel, Errno> {
        match args {
            "low" => Ok(VmpressureLevel::Low),
            "medium" => Ok(VmpressureLevel::Medium),
            "critical" => Ok(VmpressureLevel::Critical),
            _ => Err(Errno::EINVAL),
        }
    }

    /// `vmpressure_calc_level(scanned, reclaimed)`: the share of scanned pages that were not
    /// reclaimed, as the kernel computes it in integer arithmetic, then the level.
    #[doc(alias = "vmpressure_calc_level")]
    pub fn calc(scanned: u64, reclaimed: u64) -> VmpressureLevel {
        let pressure = pressure_percent(scanned, reclaimed);
        if pressure >= VMPRESSURE_LEVEL_CRITICAL {
            VmpressureLevel::Critical
        } else if pressure >= VMPRESSURE_LEVEL_MED {
            VmpressureLevel::Medium
        } else {
            VmpressureLevel::Low
        }
    }
}

/// `pressure = (scale - reclaimed * scale / scanned) * 100 / scale` with
/// `scale = scanned + reclaimed` (`mm/vmpressure.c` `vmpressure`, v3.10). Reclaiming at least as much as was scanned is
/// 0 % (the 4.x guard; 3.10 would wrap around, which reclaim here never makes happen).
pub fn pressure_percent(scanned: u64, reclaimed: u64) -> u64 {
    if scanned == 0 || reclaimed >= scanned {
        return 0;
    }
    let scale = scanned + reclaimed;
    (scale - reclaimed * scale / scanned) * 100 / scale
}

/// `struct vmpressure` of one memcg: the open window and the registrations.
#[doc(alias = "vmpressure")]
#[derive(Default)]
pub struct Vmpressure {
    pub scanned: u64,
    pub reclaimed: u64,
    /// `vmpr->events`: (level, eventfd) in registration order.
    pub events: Vec<(VmpressureLevel, Arc<EventfdCtx>)>,
}

impl Vmpressure {
    /// `vmpressure_event`: signal every registration whose level is at most `level`; whether
    /// any was signalled (if not, the caller tries the parent).
    #[doc(alias = "vmpressure_event")]
    pub fn deliver(&self, level: VmpressureLevel, mut signal: impl FnMut(&EventfdCtx)) -> bool {
        let mut signalled = false;
        for (l, e) in &self.events {
            if *l <= level {
                signal(e);
                signalled = true;
            }
        }
        signalled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_from_the_window() {
        // (scanned, reclaimed) -> level, computed with the kernel's integer formula.
        for (scanned, reclaimed) in [(512, 512), (512, 400), (512, 200), (512, 100), (512, 0)] {
            let scale = scanned + reclaimed;
            let p = (scale - reclaimed * scale / scanned) * 100 / scale;
            let want = if p >= 95 {
                VmpressureLevel::Critical
            } else if p >= 60 {
                VmpressureLevel::Medium
            } else {
                VmpressureLevel::Low
            };
            assert_eq!(
                VmpressureLevel::calc(scanned, reclaimed),
                want,
                "{scanned}/{reclaimed}"
            );
        }
        assert_eq!(VmpressureLevel::calc(512, 0), VmpressureLevel::Critical);
        assert_eq!(
            VmpressureLevel::parse("medium"),
            Ok(VmpressureLevel::Medium)
        );
        assert_eq!(VmpressureLevel::parse("Medium"), Err(Errno::EINVAL));
        assert_eq!(VmpressureLevel::parse("low,hierarchy"), Err(Errno::EINVAL));
    }
}
