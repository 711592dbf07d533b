//! The cpu controller's v1 bandwidth files: `cpu.idle` (5.15+), `cpu.cfs_quota_us`,
//! `cpu.cfs_period_us` (3.2+), `cpu.cfs_burst_us` (5.14+), `cpu.stat` and `cpu.stat.local`
//! (6.6: `cpu_cfs_local_stat_show`, `throttled_time` in ns).
//!
//! **Kernel:** `kernel/sched/core.c` (v3.10, v4.19, v6.6): `cpu_cfs_quota_read_s64`/
//! `tg_get_cfs_quota` (`-1` for `RUNTIME_INF`), `cpu_cfs_quota_write_s64`/`tg_set_cfs_quota`
//! (a negative value is `RUNTIME_INF`), `cpu_cfs_period_read_u64`/`cpu_cfs_period_write_u64`,
//! `cpu_cfs_burst_*`, `tg_set_cfs_bandwidth`'s checks (the root group: EINVAL; quota and period
//! at least 1 ms, period at most 1 s; 5.8+ the quota at most `max_cfs_runtime`; 5.14+ the
//! burst at most the quota), `cpu_cfs_stat_show` (`nr_periods`, `nr_throttled`,
//! `throttled_time` in ns; 5.14+ `nr_bursts`, `burst_time`).
//! and `__cfs_schedulable` (v1: no group may get more quota per period than its nearest
//! limited ancestor, EINVAL).
//! **Differences:** see `cpu.rs`.

use super::cpu::{CfsBandwidth, TaskGroup, tg};
use crate::cftype::Cftype;
use cgsim_ktypes::{Errno, Tracer};
use std::sync::Arc;

const NSEC_PER_USEC: u64 = 1_000;
/// `min_cfs_quota_period` (1 ms), `max_cfs_quota_period` (1 s), in ns.
const MIN_CFS_QUOTA_PERIOD: u64 = 1_000_000;
const MAX_CFS_QUOTA_PERIOD: u64 = 1_000_000_000;
/// `max_cfs_runtime` (5.8+): `MAX_BW * NSEC_PER_USEC`.
const MAX_CFS_RUNTIME: u64 = ((1u64 << 44) - 1) * NSEC_PER_USEC;

fn group<T: Tracer>(cx: &crate::cftype::CftCtx<'_, T>) -> Result<Arc<TaskGroup>, Errno> {
    tg(cx.css.as_ref())
}

/// `tg_set_cfs_bandwidth(tg, period, quota, burst)` of a kernel of `version`.
fn set_bandwidth(
    tg: &TaskGroup,
    version: (u32, u32, u32),
    period: u64,
    quota: Option<u64>,
    burst: u64,
) -> Result<(), Errno> {
    if tg.is_root {
        return Err(Errno::EINVAL);
    }
    let q = quota.unwrap_or(u64::MAX);
    if q < MIN_CFS_QUOTA_PERIOD || !(MIN_CFS_QUOTA_PERIOD..=MAX_CFS_QUOTA_PERIOD).contains(&period)
    {
        return Err(Errno::EINVAL);
    }
    if version >= (5, 8, 0)
        && let Some(q) = quota
        && q > MAX_CFS_RUNTIME
    {
        return Err(Errno::EINVAL);
    }
    if version >= (5, 14, 0)
        && let Some(q) = quota
        && (burst > q || burst.saturating_add(q) > MAX_CFS_RUNTIME)
    {
        return Err(Errno::EINVAL);
    }
    cfs_schedulable(tg, period, quota)?;
    {
        let mut bw = tg.bw.lock();
        *bw = CfsBandwidth {
            quota,
            period,
            burst,
            idle: bw.idle,
        };
    }
    tg.bandwidth_changed();
    Ok(())
}

/// `BW_SHIFT`: the fixed point of `to_ratio`.
const BW_SHIFT: u32 = 20;

/// `normalize_cfs_quota`: quota per period as a `BW_SHIFT` fixed-point ratio (`None`: no
/// limit).
fn ratio(period: u64, quota: Option<u64>) -> Option<u128> {
    quota.map(|q| (u128::from(q) << BW_SHIFT) / u128::from(period.max(1)))
}

/// `__cfs_schedulable` (v1, `tg_cfs_schedulable_down` over `walk_tg_tree` from the root):
/// with `target` set to `period`/`quota`, every group's ratio must be at most its nearest
/// limited ancestor's (EINVAL otherwise). A group with no limit inherits its parent's.
fn cfs_schedulable(target: &TaskGroup, period: u64, quota: Option<u64>) -> Result<(), Errno> {
    let mut root = target;
    while let Some(p) = root.parent.as_deref() {
        root = p;
    }
    fn down(
        tg: &TaskGroup,
        parent_quota: Option<u128>,
        target: &TaskGroup,
        want: (u64, Option<u64>),
    ) -> Result<(), Errno> {
        let quota = if tg.is_root {
            None
        } else {
            let own = if std::ptr::eq(tg, target) {
                ratio(want.0, want.1)
            } else {
                let bw = *tg.bw.lock();
                ratio(bw.period, bw.quota)
            };
            match (own, parent_quota) {
                (None, p) => p,
                (Some(q), Some(p)) if q > p => return Err(Errno::EINVAL),
                (q, _) => q,
            }
        };
        let kids: Vec<Arc<TaskGroup>> = tg
            .children
            .lock()
            .iter()
            .filter_map(|w| w.upgrade())
            .collect();
        for k in kids {
            down(&k, quota, target, want)?;
        }
        Ok(())
    }
    down(root, None, target, (period, quota))
}

/// The v1 bandwidth files of `version` (3.2+), in `cpu_files[]`/`cpu_legacy_files[]` order.
pub(super) fn legacy_bw_files<T: Tracer>(version: (u32, u32, u32)) -> Vec<Cftype<T>> {
    let mut v = Vec::new();
    if version >= (5, 15, 0) {
        v.push(
            Cftype::new("idle")
                .read_s64(|cx| Ok(i64::from(group(cx)?.bw.lock().idle)))
                .write_s64(|cx, val| group(cx)?.set_idle(val)),
        );
    }
    v.push(
        Cftype::new("cfs_quota_us")
            .read_s64(|cx| {
                Ok(match group(cx)?.bw.lock().quota {
                    None => -1,
                    Some(q) => (q / NSEC_PER_USEC) as i64,
                })
            })
            .write_s64(move |cx, us| {
                let tg = group(cx)?;
                let bw = *tg.bw.lock();
                let quota = if us < 0 {
                    None
                } else if (us as u64) <= u64::MAX / NSEC_PER_USEC {
                    Some(us as u64 * NSEC_PER_USEC)
                } else {
                    return Err(Errno::EINVAL);
                };
                set_bandwidth(&tg, version, bw.period, quota, bw.burst)
            }),
    );
    v.push(
        Cftype::new("cfs_period_us")
            .read_u64(|cx| Ok(group(cx)?.bw.lock().period / NSEC_PER_USEC))
            .write_u64(move |cx, us| {
                let tg = group(cx)?;
                let bw = *tg.bw.lock();
                if us > u64::MAX / NSEC_PER_USEC {
                    return Err(Errno::EINVAL);
                }
                set_bandwidth(&tg, version, us * NSEC_PER_USEC, bw.quota, bw.burst)
            }),
    );
    if version >= (5, 14, 0) {
        v.push(
            Cftype::new("cfs_burst_us")
                .read_u64(|cx| Ok(group(cx)?.bw.lock().burst / NSEC_PER_USEC))
                .write_u64(move |cx, us| {
                    let tg = group(cx)?;
                    let bw = *tg.bw.lock();
                    if us > u64::MAX / NSEC_PER_USEC {
                        return Err(Errno::EINVAL);
                    }
                    set_bandwidth(&tg, version, bw.period, bw.quota, us * NSEC_PER_USEC)
                }),
        );
    }
    v.push(Cftype::new("stat").read_seq_string(move |cx| {
        let s = group(cx)?.bw_stat();
        let mut out = format!(
            "nr_periods {}\nnr_throttled {}\nthrottled_time {}\n",
            s.nr_periods, s.nr_throttled, s.throttled_time
        );
        if version >= (5, 14, 0) {
            out.push_str(&format!(
                "nr_bursts {}\nburst_time {}\n",
                s.nr_burst, s.burst_time
            ));
        }
        Ok(out)
    }));
    if version >= (6, 6, 0) {
        // cpu_cfs_local_stat_show (6.6): the time this group's run queues were throttled.
        v.push(Cftype::new("stat.local").read_seq_string(|cx| {
            let tg = group(cx)?;
            let ns = tg.se.lock().throttled_self;
            Ok(format!("throttled_time {ns}\n"))
        }));
    }
    v
}
