//! The cpu controller's files on the default hierarchy (`cpu_files[]`, 6.6): `cpu.weight`,
//! `cpu.weight.nice`, `cpu.idle`, `cpu.max`, `cpu.max.burst`, none in the root.
//!
//! **Kernel:** `kernel/sched/core.c` `cpu_weight_read_u64`, `cpu_weight_write_u64`,
//! `cpu_weight_nice_read_s64`, `cpu_weight_nice_write_s64`, `cpu_idle_write_s64`,
//! `cpu_max_show`, `cpu_max_write`, `cpu_period_quota_parse`, `tg_set_cfs_bandwidth`,
//! `cpu_cfs_burst_write_u64`, `sched_prio_to_weight[]` (v6.6).
//! The simulated scheduler follows them (`crates/cgroupfs/src/fair.rs`): the weight shares a
//! CPU among sibling groups, `cpu.max` and `cpu.max.burst` throttle the group (`cpu_bw.rs`).
//! `cpu.idle` (`sched_group_set_idle`, `kernel/sched/fair.c` v6.6) gives the group the idle
//! weight `WEIGHT_IDLEPRIO` (3): `cpu.weight` then reads 0 and `cpu.weight.nice` 19, and
//! writing either is EINVAL until `cpu.idle` is 0 again, which sets the weight to 100.
//! **Differences:** of `SCHED_IDLE`, only the weight is modelled (`TaskGroup::set_idle`);
//! `cpu.uclamp.min`/`cpu.uclamp.max`
//! (`CONFIG_UCLAMP_TASK_GROUP`) are not created.

use super::cpu::TaskGroup;
use crate::cftype::{CFTYPE_NOT_ON_ROOT, Cftype};
use cgsim_ktypes::{Errno, Tracer};
use std::sync::Arc;

/// `CGROUP_WEIGHT_MIN`, `CGROUP_WEIGHT_DFL`, `CGROUP_WEIGHT_MAX`.
const WEIGHT_MIN: u64 = 1;
const WEIGHT_DFL: u64 = 100;
const WEIGHT_MAX: u64 = 10_000;
/// `NSEC_PER_USEC`.
const NSEC_PER_USEC: u64 = 1_000;
/// `min_cfs_quota_period` (1 ms) and `max_cfs_quota_period` (1 s), in ns.
const MIN_CFS_QUOTA_PERIOD: u64 = 1_000_000;
const MAX_CFS_QUOTA_PERIOD: u64 = 1_000_000_000;
/// `max_cfs_runtime`: `MAX_BW * NSEC_PER_USEC` (`MAX_BW` = 2^44 - 1 µs).
const MAX_CFS_RUNTIME: u64 = ((1u64 << 44) - 1) * NSEC_PER_USEC;

/// `sched_prio_to_weight[]`: the load weight of nice -20 .. 19.
const PRIO_TO_WEIGHT: [u64; 40] = [
    88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904,
    3906, 3121, 2501, 1991, 1586, 1277, 1024, 820, 655, 526, 423, 335, 272, 215, 172, 137, 110, 87,
    70, 56, 45, 36, 29, 23, 18, 15,
];

/// `DIV_ROUND_CLOSEST_ULL`.
fn div_round_closest(a: u64, b: u64) -> u64 {
    (a + b / 2) / b
}

fn tg<T: Tracer>(cx: &crate::cftype::CftCtx<'_, T>) -> Result<Arc<TaskGroup>, Errno> {
    cx.css
        .as_ref()
        .and_then(|c| c.private::<TaskGroup>())
        .ok_or(Errno::ENODEV)
}

/// The cpu controller's `dfl_cftypes`.
pub(crate) fn dfl_files<T: Tracer>() -> Vec<Cftype<T>> {
    vec![
        Cftype::new("weight")
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .read_u64(|cx| {
                let shares = *tg(cx)?.shares.lock();
                Ok(div_round_closest(shares * WEIGHT_DFL, 1024))
            })
            .write_u64(|cx, w| {
                if !(WEIGHT_MIN..=WEIGHT_MAX).contains(&w) {
                    return Err(Errno::ERANGE);
                }
                tg(cx)?.set_shares(div_round_closest(w * 1024, WEIGHT_DFL))
            }),
        Cftype::new("weight.nice")
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .read_s64(|cx| {
                // The nice value whose weight is closest to the group's.
                let w = *tg(cx)?.shares.lock();
                let mut last = u64::MAX;
                let mut prio = 0;
                while prio < PRIO_TO_WEIGHT.len() {
                    let delta = PRIO_TO_WEIGHT[prio].abs_diff(w);
                    if delta >= last {
                        break;
                    }
                    last = delta;
                    prio += 1;
                }
                Ok(prio as i64 - 1 - 20)
            })
            .write_s64(|cx, nice| {
                if !(-20..=19).contains(&nice) {
                    return Err(Errno::ERANGE);
                }
                tg(cx)?.set_shares(PRIO_TO_WEIGHT[(nice + 20) as usize])
            }),
        Cftype::new("idle")
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .read_s64(|cx| Ok(i64::from(tg(cx)?.bw.lock().idle)))
            .write_s64(|cx, v| tg(cx)?.set_idle(v)),
        Cftype::new("max")
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .read_seq_string(|cx| {
                let bw = *tg(cx)?.bw.lock();
                let quota = match bw.quota {
                    None => "max".to_string(),
                    Some(q) => (q / NSEC_PER_USEC).to_string(),
                };
                Ok(format!("{quota} {}\n", bw.period / NSEC_PER_USEC))
            })
            .write_raw(|cx, data| {
                let tg = tg(cx)?;
                let mut bw = tg.bw.lock();
                let text = String::from_utf8_lossy(cgsim_ktypes::parse::until_nul(data));
                // cpu_period_quota_parse: sscanf("%20s %llu"), the period optional.
                let mut it = text.split_ascii_whitespace();
                let tok = it.next().ok_or(Errno::EINVAL)?;
                let mut period = bw.period;
                if let Some(p) = it.next() {
                    let digits: String = p.chars().take_while(|c| c.is_ascii_digit()).collect();
                    if let Ok(v) = digits.parse::<u64>() {
                        period = v.wrapping_mul(NSEC_PER_USEC);
                    }
                }
                let tok: String = tok.chars().take(20).collect();
                let digits: String = tok.chars().take_while(|c| c.is_ascii_digit()).collect();
                let quota = if !digits.is_empty() {
                    Some(
                        digits
                            .parse::<u64>()
                            .map_err(|_| Errno::EINVAL)?
                            .wrapping_mul(NSEC_PER_USEC),
                    )
                } else if tok == "max" {
                    None
                } else {
                    return Err(Errno::EINVAL);
                };
                // tg_set_cfs_bandwidth's checks.
                let q = quota.unwrap_or(u64::MAX);
                if q < MIN_CFS_QUOTA_PERIOD || period < MIN_CFS_QUOTA_PERIOD {
                    return Err(Errno::EINVAL);
                }
                if period > MAX_CFS_QUOTA_PERIOD {
                    return Err(Errno::EINVAL);
                }
                if let Some(q) = quota
                    && (q > MAX_CFS_RUNTIME || bw.burst > q || bw.burst + q > MAX_CFS_RUNTIME)
                {
                    return Err(Errno::EINVAL);
                }
                bw.quota = quota;
                bw.period = period;
                drop(bw);
                tg.bandwidth_changed();
                Ok(data.len())
            }),
        Cftype::new("max.burst")
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .read_u64(|cx| Ok(tg(cx)?.bw.lock().burst / NSEC_PER_USEC))
            .write_u64(|cx, us| {
                let tg = tg(cx)?;
                let mut bw = tg.bw.lock();
                if us > u64::MAX / NSEC_PER_USEC {
                    return Err(Errno::EINVAL);
                }
                let burst = us * NSEC_PER_USEC;
                // tg_set_cfs_bandwidth with the group's quota and period.
                if let Some(q) = bw.quota
                    && (burst > q || burst + q > MAX_CFS_RUNTIME)
                {
                    return Err(Errno::EINVAL);
                }
                bw.burst = burst;
                drop(bw);
                tg.bandwidth_changed();
                Ok(())
            }),
    ]
}
