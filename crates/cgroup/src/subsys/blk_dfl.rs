//! The `io` controller's files on the default hierarchy and 6.6's v1 `blkio` files: the blkgs
//! of each cgroup and the settings of the block cgroup policies a distribution kernel builds.
//!
//! **Kernel:** v6.6: `block/blk-cgroup.c` (`blkcg_files[]`: `io.stat`, `blkcg_print_stat`,
//! `blkcg_print_one_stat`; `blkg_conf_open_bdev`: `%u:%u` then white space, ENODEV for a
//! device that is not a whole live disk; `blkg_conf_prep`: creates the blkgs of the cgroup
//! and its ancestors, EOPNOTSUPP when the policy is not active on the queue),
//! `block/blk-throttle.c` (`throtl_files[]`: `io.max`, `tg_set_limit`, `tg_prfill_limit`;
//! `throtl_legacy_files[]`: `blkio.throttle.*`, `tg_set_conf`, `tg_prfill_conf_u64`),
//! `block/blk-iocost.c` (`ioc_files[]`: `io.weight`, `io.cost.qos`, `io.cost.model`;
//! `ioc_weight_write`, `ioc_qos_write`, `ioc_cost_model_write`, `ioc_pd_stat`, `autop[]`,
//! `ioc_autop_idx`), `block/blk-iolatency.c` (`io.latency`, `iolatency_set_limit`),
//! `block/blk-ioprio.c` (`io.prio.class` and v1 `blkio.prio.class`), `block/blk-cgroup-rwstat.c`
//! (`__blkg_prfill_rwstat`), `kernel/cgroup/cgroup.c` `cgroup_parse_float`, `lib/parser.c`
//! `match_token`.
//! The configuration is Ubuntu's and Debian's: `CONFIG_BLK_DEV_THROTTLING=y` (without
//! `CONFIG_BLK_DEV_THROTTLING_LOW`, so no `io.low`), `CONFIG_BLK_CGROUP_IOCOST=y`,
//! `CONFIG_BLK_CGROUP_IOLATENCY=y`, `CONFIG_BLK_CGROUP_IOPRIO=y`, and BFQ built as a module that
//! is not loaded (sda's scheduler is `mq-deadline`), so no `io.bfq.weight`.
//!
//! **Differences:** no I/O is simulated: every statistic is 0 and nothing is throttled,
//! weighed or delayed; the settings are stored, printed and inherited as the kernel does.
//! `blkcg_debug_stats` is off (as by default). iocost's automatic parameters stay those of a
//! SATA SSD (`AUTOP_SSD_DFL`): the vrate that would step them up never moves without I/O.

use super::blk_cgroup::{Blkio, BlkioCgroup, blkcg};
use crate::cftype::{CFTYPE_NOT_ON_ROOT, CFTYPE_ONLY_ON_ROOT, CftCtx, Cftype};
use cgsim_ktypes::{Errno, Tracer};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A whole disk of the simulated machine (`struct gendisk`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Disk {
    pub major: u32,
    pub minor: u32,
    /// `disk->disk_name`.
    pub name: &'static str,
    /// The capacity in 512-byte sectors (`get_capacity`).
    pub sectors: u64,
}

/// The 6.6 machine's disks: one 20 GiB SATA SSD, `sda` (8:0). Its partitions (`sda1`, `sda2`:
/// `crates/cgroupfs/src/blockdev.rs`) are not disks, so the policies refuse them (ENODEV).
pub const SIM_DISKS: &[Disk] = &[Disk {
    major: 8,
    minor: 0,
    name: "sda",
    sectors: 41_943_040,
}];

type Dev = (u32, u32);

/// `U64_MAX`: no byte limit; `UINT_MAX`: no IO limit.
const NO_BPS: u64 = u64::MAX;
const NO_IOPS: u64 = u32::MAX as u64;
/// `CGROUP_WEIGHT_MIN`, `CGROUP_WEIGHT_DFL`, `CGROUP_WEIGHT_MAX`.
const WEIGHT_MIN: u32 = 1;
const WEIGHT_DFL: u32 = 100;
const WEIGHT_MAX: u32 = 10_000;
/// `VRATE_MIN_PPM`, `VRATE_MAX_PPM`.
const VRATE_MIN_PPM: u32 = 10_000;
const VRATE_MAX_PPM: u32 = 100_000_000;
/// `autop[AUTOP_SSD_DFL]`: `qos` (rpct, rlat, wpct, wlat, min, max) and `i_lcoefs`.
const AUTOP_SSD_QOS: [u32; 6] = [0, 25_000, 0, 25_000, VRATE_MIN_PPM, VRATE_MAX_PPM];
const AUTOP_SSD_LCOEFS: [u64; 6] = [488_636_629, 8932, 8518, 427_891_549, 28755, 21940];
/// `policy_name[]` of `block/blk-ioprio.c`.
const PRIO_POLICY: [&str; 5] = [
    "no-change",
    "promote-to-rt",
    "restrict-to-be",
    "idle",
    "none-to-rt",
];
/// `rwstr[]` of `__blkg_prfill_rwstat`.
const RWSTAT: [&str; 5] = ["Read", "Write", "Sync", "Async", "Discard"];

/// One blkcg's state: its blkgs and the policies' settings (`struct blkcg`, the blkgs'
/// `throtl_grp`, `ioc_gq`, `iolatency_grp`, and the cgroup's `ioc_cgrp`, `ioprio_blkcg`).
#[derive(Debug)]
pub(crate) struct IoCg {
    /// `blkcg->blkg_list`, newest first (`hlist_add_head_rcu`).
    blkgs: Vec<Dev>,
    /// `tg->bps_conf[READ/WRITE][LIMIT_MAX]`, `tg->iops_conf[..]`, per blkg.
    limits: BTreeMap<Dev, [u64; 4]>,
    /// `iocc->dfl_weight / WEIGHT_ONE`.
    dfl_weight: u32,
    /// `iocg->cfg_weight / WEIGHT_ONE` (0: none).
    weights: BTreeMap<Dev, u32>,
    /// `iolat->min_lat_nsec`.
    lat_nsec: BTreeMap<Dev, u64>,
    /// `blkcg->prio_policy`, an index into [`PRIO_POLICY`].
    prio: usize,
}

impl IoCg {
    pub(crate) fn new(disks: &[Disk]) -> IoCg {
        IoCg {
            blkgs: disks.iter().rev().map(|d| (d.major, d.minor)).collect(),
            limits: BTreeMap::new(),
            dfl_weight: WEIGHT_DFL,
            weights: BTreeMap::new(),
            lat_nsec: BTreeMap::new(),
            prio: 0,
        }
    }

    fn limit(&self, dev: Dev) -> [u64; 4] {
        self.limits
            .get(&dev)
            .copied()
            .unwrap_or([NO_BPS, NO_BPS, NO_IOPS, NO_IOPS])
    }
}

/// iocost's `struct ioc` of a disk's queue, from `blk_iocost_init` on.
#[derive(Clone, Debug)]
struct Ioc {
    enabled: bool,
    user_qos: bool,
    qos: [u32; 6],
    user_model: bool,
    lcoefs: [u64; 6],
}

impl Ioc {
    /// `blk_iocost_init` then `ioc_refresh_params(ioc, true)`: disabled, automatic parameters.
    fn new() -> Ioc {
        Ioc {
            enabled: false,
            user_qos: false,
            qos: AUTOP_SSD_QOS,
            user_model: false,
            lcoefs: AUTOP_SSD_LCOEFS,
        }
    }

    /// `ioc_refresh_params`: the automatic values where the user set none.
    fn refresh(&mut self) {
        if !self.user_qos {
            self.qos = AUTOP_SSD_QOS;
        }
        if !self.user_model {
            self.lcoefs = AUTOP_SSD_LCOEFS;
        }
    }
}

/// What the disks' request queues hold for the policies (machine-wide).
#[derive(Debug, Default)]
pub(crate) struct IoQueues {
    ioc: BTreeMap<Dev, Ioc>,
}

/// `sscanf(s, "%u")`: white space skipped, then decimal digits (at least one), stored in 32
/// bits as `simple_strntoull`'s value cast to `unsigned int`. Returns the value and the rest.
fn scan_u32(s: &[u8]) -> Option<(u32, &[u8])> {
    scan_u64(s).map(|(v, r)| (v as u32, r))
}

/// `sscanf(s, "%llu")`: white space skipped, decimal digits, wrapping on overflow.
fn scan_u64(s: &[u8]) -> Option<(u64, &[u8])> {
    let s = skip_spaces(s);
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 {
        return None;
    }
    let v = s[..n].iter().fold(0u64, |v, &b| {
        v.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
    });
    Some((v, &s[n..]))
}

fn skip_spaces(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &s[n..]
}

/// `kstrtoull(s, 10)` as `match_u64` uses it: decimal digits only, ERANGE past 64 bits.
fn kstrtou64_dec(s: &[u8]) -> Result<u64, Errno> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return Err(Errno::EINVAL);
    }
    s.iter().try_fold(0u64, |v, &b| {
        v.checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or(Errno::ERANGE)
    })
}

impl Blkio {
    /// `blkg_conf_open_bdev`: `MAJ:MIN`, white space, then the body. EINVAL for a malformed
    /// device, ENODEV for one that is not a disk of the machine.
    fn open_bdev<'a>(&self, input: &'a [u8]) -> Result<(Dev, &'a [u8]), Errno> {
        let (major, rest) = scan_u32(input).ok_or(Errno::EINVAL)?;
        let rest = rest.strip_prefix(b":").ok_or(Errno::EINVAL)?;
        let (minor, rest) = scan_u32(rest).ok_or(Errno::EINVAL)?;
        if !rest.first().is_some_and(u8::is_ascii_whitespace) {
            return Err(Errno::EINVAL);
        }
        if !self
            .disks
            .iter()
            .any(|d| d.major == major && d.minor == minor)
        {
            return Err(Errno::ENODEV);
        }
        Ok(((major, minor), skip_spaces(rest)))
    }

    /// `blkg_conf_prep` after `blkg_conf_open_bdev`: the blkgs of `cg` and its ancestors on
    /// `dev`, created from the top down if missing.
    fn conf_prep(cg: &BlkioCgroup, dev: Dev) {
        if let Some(p) = &cg.parent {
            Self::conf_prep(p, dev);
        }
        let mut io = cg.io.lock();
        if !io.blkgs.contains(&dev) {
            io.blkgs.insert(0, dev);
        }
    }

    /// `blkg_dev_name`: `MAJ:MIN`.
    fn dname(dev: Dev) -> String {
        format!("{}:{}", dev.0, dev.1)
    }
}

fn cg_of<T: Tracer>(cx: &CftCtx<'_, T>) -> Result<Arc<BlkioCgroup>, Errno> {
    blkcg(cx.css.as_ref())
}

/// `io.stat` (`blkcg_print_stat`): a line per blkg, its device then iocost's statistics
/// (`ioc_pd_stat`) once iocost is enabled on the disk; no I/O, so no byte or IO counts.
fn print_stat(b: &Blkio, cg: &BlkioCgroup) -> String {
    let io = cg.io.lock();
    let queues = b.queues.lock();
    let mut out = String::new();
    for &dev in &io.blkgs {
        out.push_str(&Blkio::dname(dev));
        out.push(' ');
        if queues.ioc.get(&dev).is_some_and(|ioc| ioc.enabled) {
            if cg.parent.is_none() {
                // `vtime_base_rate` stays `VTIME_PER_USEC`: 100.00%.
                out.push_str(" cost.vrate=100.00");
            }
            out.push_str(" cost.usage=0");
        }
        out.push('\n');
    }
    out
}

/// `tg_set_limit` (`io.max`) after the device: `KEY=VALUE` tokens of at most 26 characters
/// (`%26s`), values a number or `max`; 0 is ERANGE, 1 or an unknown key EINVAL. The new
/// limits are stored only when every token is good.
fn parse_io_max(mut body: &[u8], mut v: [u64; 4]) -> Result<[u64; 4], Errno> {
    loop {
        body = skip_spaces(body);
        if body.is_empty() {
            break;
        }
        let n = body
            .iter()
            .take_while(|b| !b.is_ascii_whitespace())
            .count()
            .min(26);
        let tok = &body[..n];
        body = &body[n..];
        let eq = tok.iter().position(|&b| b == b'=').ok_or(Errno::EINVAL)?;
        let (key, p) = (&tok[..eq], &tok[eq + 1..]);
        let val = match scan_u64(p) {
            Some((val, _)) => val,
            None if p == b"max" => u64::MAX,
            None => return Err(Errno::EINVAL),
        };
        if val == 0 {
            return Err(Errno::ERANGE);
        }
        match key {
            b"rbps" if val > 1 => v[0] = val,
            b"wbps" if val > 1 => v[1] = val,
            b"riops" if val > 1 => v[2] = val.min(NO_IOPS),
            b"wiops" if val > 1 => v[3] = val.min(NO_IOPS),
            _ => return Err(Errno::EINVAL),
        }
    }
    Ok(v)
}

/// `tg_prfill_limit` for `LIMIT_MAX`: nothing while all four are unlimited.
fn print_io_max(cg: &BlkioCgroup) -> String {
    let io = cg.io.lock();
    let mut out = String::new();
    for &dev in &io.blkgs {
        let l = io.limit(dev);
        if l == [NO_BPS, NO_BPS, NO_IOPS, NO_IOPS] {
            continue;
        }
        let f = |v: u64, none: u64| {
            if v == none {
                "max".to_string()
            } else {
                v.to_string()
            }
        };
        out.push_str(&format!(
            "{} rbps={} wbps={} riops={} wiops={}\n",
            Blkio::dname(dev),
            f(l[0], NO_BPS),
            f(l[1], NO_BPS),
            f(l[2], NO_IOPS),
            f(l[3], NO_IOPS)
        ));
    }
    out
}

/// `ioc_weight_write`.
fn write_weight(b: &Blkio, cg: &BlkioCgroup, buf: &[u8]) -> Result<(), Errno> {
    if !buf.contains(&b':') {
        let v = match buf.strip_prefix(b"default") {
            Some(rest) => scan_u32(rest),
            None => None,
        }
        .or_else(|| scan_u32(buf))
        .ok_or(Errno::EINVAL)?
        .0;
        if !(WEIGHT_MIN..=WEIGHT_MAX).contains(&v) {
            return Err(Errno::EINVAL);
        }
        cg.io.lock().dfl_weight = v;
        return Ok(());
    }
    let (dev, body) = b.open_bdev(buf)?;
    // blkg_conf_prep: iocost is active on a queue only from blk_iocost_init on.
    if !b.queues.lock().ioc.contains_key(&dev) {
        return Err(Errno::EOPNOTSUPP);
    }
    Blkio::conf_prep(cg, dev);
    let v = if body.starts_with(b"default") {
        0
    } else {
        let v = scan_u32(body).ok_or(Errno::EINVAL)?.0;
        if !(WEIGHT_MIN..=WEIGHT_MAX).contains(&v) {
            return Err(Errno::EINVAL);
        }
        v
    };
    cg.io.lock().weights.insert(dev, v);
    Ok(())
}

/// `ioc_weight_show`.
fn print_weight(b: &Blkio, cg: &BlkioCgroup) -> String {
    let io = cg.io.lock();
    let queues = b.queues.lock();
    let mut out = format!("default {}\n", io.dfl_weight);
    for &dev in &io.blkgs {
        let w = io.weights.get(&dev).copied().unwrap_or(0);
        if queues.ioc.contains_key(&dev) && w != 0 {
            out.push_str(&format!("{} {w}\n", Blkio::dname(dev)));
        }
    }
    out
}

/// `match_token` of a `name=%u` pattern then `match_u64`: decimal digits to the end.
fn match_u64_arg(arg: &[u8]) -> Result<u64, ()> {
    kstrtou64_dec(arg).map_err(|_| ())
}

/// `cgroup_parse_float(input, 2)`: `WHOLE[.FRAC]` as hundredths.
fn parse_float2(input: &[u8]) -> Result<i64, ()> {
    let s = skip_spaces(input);
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 {
        return Err(());
    }
    let whole = digits[..n].iter().fold(0i64, |v, &b| {
        v.wrapping_mul(10).wrapping_add(i64::from(b - b'0'))
    });
    let whole = if neg { whole.wrapping_neg() } else { whole };
    let mut frac = 0i64;
    if let Some(rest) = digits[n..].strip_prefix(b".") {
        let (fneg, fd) = match rest.first() {
            Some(b'-') => (true, &rest[1..]),
            _ => (false, rest),
        };
        let fl = fd.iter().take_while(|b| b.is_ascii_digit()).count();
        if fl > 0 {
            if fneg {
                return Err(());
            }
            let f = fd[..fl].iter().fold(0i64, |v, &b| {
                v.wrapping_mul(10).wrapping_add(i64::from(b - b'0'))
            });
            // flen counts the sign and digits read by `%lld`.
            let flen = fl;
            frac = if flen < 2 {
                f * 10i64.pow((2 - flen) as u32)
            } else {
                let d = 10i64.pow((flen - 2).min(18) as u32);
                (f + d / 2) / d
            };
        }
    }
    Ok(whole.wrapping_mul(100).wrapping_add(frac))
}

/// `ioc_qos_write`: the disk's iocost is created first (`blk_iocost_init`), even when the
/// parameters then turn out bad (EINVAL), as in the kernel.
fn write_qos(b: &Blkio, buf: &[u8]) -> Result<(), Errno> {
    let (dev, body) = b.open_bdev(buf)?;
    let mut queues = b.queues.lock();
    let ioc = queues.ioc.entry(dev).or_insert_with(Ioc::new);
    let mut qos = ioc.qos;
    let mut enable = ioc.enabled;
    let mut user = ioc.user_qos;
    for p in body.split(|c| matches!(c, b' ' | b'\t' | b'\n')) {
        if p.is_empty() {
            continue;
        }
        let bad = Err(Errno::EINVAL);
        if let Some(a) = p.strip_prefix(b"enable=") {
            let Ok(v) = match_u64_arg(a) else { return bad };
            enable = v != 0;
            continue;
        }
        if let Some(a) = p.strip_prefix(b"ctrl=").filter(|a| !a.is_empty()) {
            match a {
                b"auto" => user = false,
                b"user" => user = true,
                _ => return bad,
            }
            continue;
        }
        let (tok, a) = if let Some(a) = p.strip_prefix(b"rpct=") {
            (0, a)
        } else if let Some(a) = p.strip_prefix(b"rlat=") {
            (1, a)
        } else if let Some(a) = p.strip_prefix(b"wpct=") {
            (2, a)
        } else if let Some(a) = p.strip_prefix(b"wlat=") {
            (3, a)
        } else if let Some(a) = p.strip_prefix(b"min=") {
            (4, a)
        } else if let Some(a) = p.strip_prefix(b"max=") {
            (5, a)
        } else {
            return bad;
        };
        // `%s` needs at least one character, `%u` digits to the end.
        if a.is_empty() {
            return bad;
        }
        match tok {
            1 | 3 => {
                let Ok(v) = match_u64_arg(a) else { return bad };
                qos[tok] = v as u32;
            }
            _ => {
                if a.len() >= 32 {
                    return bad;
                }
                let Ok(v) = parse_float2(a) else { return bad };
                if v < 0 || (tok < 4 && v > 10_000) {
                    return bad;
                }
                qos[tok] = if tok < 4 {
                    (v * 100) as u32
                } else {
                    v.saturating_mul(100)
                        .clamp(i64::from(VRATE_MIN_PPM), i64::from(VRATE_MAX_PPM))
                        as u32
                };
            }
        }
        user = true;
    }
    if qos[4] > qos[5] {
        return Err(Errno::EINVAL);
    }
    ioc.enabled = enable;
    if user {
        ioc.qos = qos;
        ioc.user_qos = true;
    } else {
        ioc.user_qos = false;
    }
    ioc.refresh();
    Ok(())
}

/// `ioc_cost_model_write`.
fn write_model(b: &Blkio, buf: &[u8]) -> Result<(), Errno> {
    let (dev, body) = b.open_bdev(buf)?;
    let mut queues = b.queues.lock();
    let ioc = queues.ioc.entry(dev).or_insert_with(Ioc::new);
    let mut u = ioc.lcoefs;
    let mut user = ioc.user_model;
    const KEYS: [&[u8]; 6] = [
        b"rbps=",
        b"rseqiops=",
        b"rrandiops=",
        b"wbps=",
        b"wseqiops=",
        b"wrandiops=",
    ];
    for p in body.split(|c| matches!(c, b' ' | b'\t' | b'\n')) {
        if p.is_empty() {
            continue;
        }
        if let Some(a) = p.strip_prefix(b"ctrl=").filter(|a| !a.is_empty()) {
            match a {
                b"auto" => user = false,
                b"user" => user = true,
                _ => return Err(Errno::EINVAL),
            }
            continue;
        }
        if let Some(a) = p.strip_prefix(b"model=").filter(|a| !a.is_empty()) {
            if a != b"linear" {
                return Err(Errno::EINVAL);
            }
            continue;
        }
        let Some((i, a)) = KEYS
            .iter()
            .enumerate()
            .find_map(|(i, k)| p.strip_prefix(*k).map(|a| (i, a)))
        else {
            return Err(Errno::EINVAL);
        };
        u[i] = match_u64_arg(a).map_err(|()| Errno::EINVAL)?;
        user = true;
    }
    if user {
        ioc.lcoefs = u;
        ioc.user_model = true;
    } else {
        ioc.user_model = false;
    }
    ioc.refresh();
    Ok(())
}

/// `ioc_qos_prfill`.
fn print_qos(b: &Blkio, cg: &BlkioCgroup) -> String {
    let io = cg.io.lock();
    let queues = b.queues.lock();
    let mut out = String::new();
    for dev in &io.blkgs {
        let Some(ioc) = queues.ioc.get(dev) else {
            continue;
        };
        let q = ioc.qos;
        out.push_str(&format!(
            "{} enable={} ctrl={} rpct={}.{:02} rlat={} wpct={}.{:02} wlat={} min={}.{:02} max={}.{:02}\n",
            Blkio::dname(*dev),
            u8::from(ioc.enabled),
            if ioc.user_qos { "user" } else { "auto" },
            q[0] / 10000,
            q[0] % 10000 / 100,
            q[1],
            q[2] / 10000,
            q[2] % 10000 / 100,
            q[3],
            q[4] / 10000,
            q[4] % 10000 / 100,
            q[5] / 10000,
            q[5] % 10000 / 100,
        ));
    }
    out
}

/// `ioc_cost_model_prfill`.
fn print_model(b: &Blkio, cg: &BlkioCgroup) -> String {
    let io = cg.io.lock();
    let queues = b.queues.lock();
    let mut out = String::new();
    for dev in &io.blkgs {
        let Some(ioc) = queues.ioc.get(dev) else {
            continue;
        };
        let u = ioc.lcoefs;
        out.push_str(&format!(
            "{} ctrl={} model=linear rbps={} rseqiops={} rrandiops={} wbps={} wseqiops={} wrandiops={}\n",
            Blkio::dname(*dev),
            if ioc.user_model { "user" } else { "auto" },
            u[0], u[1], u[2], u[3], u[4], u[5]
        ));
    }
    out
}

/// `iolatency_set_limit` after the device: `target=USEC` or `target=max` tokens split at
/// single spaces (`strsep(&p, " ")`); anything else, an empty token included, is EINVAL.
fn parse_latency(body: &[u8]) -> Result<u64, Errno> {
    let mut lat = 0u64;
    for tok in body.split(|&c| c == b' ') {
        // sscanf("%15[^=]=%20s"): a key of 1..15 characters, `=`, a non-empty value that
        // ends at white space.
        let eq = tok.iter().position(|&c| c == b'=').ok_or(Errno::EINVAL)?;
        let (key, rest) = (&tok[..eq], &tok[eq + 1..]);
        let val: Vec<u8> = rest
            .iter()
            .take_while(|c| !c.is_ascii_whitespace())
            .take(20)
            .copied()
            .collect();
        if key.is_empty() || key.len() > 15 || val.is_empty() || key != b"target" {
            return Err(Errno::EINVAL);
        }
        lat = if val == b"max" {
            0
        } else {
            scan_u64(&val).ok_or(Errno::EINVAL)?.0.wrapping_mul(1000)
        };
    }
    Ok(lat)
}

/// `ioprio_set_prio_policy`: `sysfs_match_string` (one trailing newline allowed).
fn write_prio(cg: &BlkioCgroup, buf: &[u8]) -> Result<(), Errno> {
    let s = buf.strip_suffix(b"\n").unwrap_or(buf);
    let i = PRIO_POLICY
        .iter()
        .position(|p| p.as_bytes() == s)
        .ok_or(Errno::EINVAL)?;
    cg.io.lock().prio = i;
    Ok(())
}

fn raw<T: Tracer>(
    f: impl Fn(&CftCtx<'_, T>, &[u8]) -> Result<(), Errno> + Send + Sync + 'static,
) -> impl Fn(&CftCtx<'_, T>, &[u8]) -> Result<usize, Errno> + Send + Sync + 'static {
    move |cx, data| {
        let data = cgsim_ktypes::parse::until_nul(data);
        f(cx, data).map(|()| data.len())
    }
}

fn prio_file<T: Tracer>() -> Cftype<T> {
    Cftype::new("prio.class")
        .read_seq_string(|cx| {
            let p = cg_of(cx)?.io.lock().prio;
            Ok(format!("{}\n", PRIO_POLICY[p]))
        })
        .write_raw(raw(|cx, d| write_prio(&*cg_of(cx)?, d)))
}

/// The `io` controller's files (`blkcg_files[]` then each policy's `dfl_cftypes` in the
/// order the policies register: throttling, ioprio, iolatency, iocost).
pub(crate) fn dfl_files<T: Tracer>(b: &Blkio) -> Vec<Cftype<T>> {
    let (b1, b2, b3, b4, b5, b6, b7) = (
        b.clone(),
        b.clone(),
        b.clone(),
        b.clone(),
        b.clone(),
        b.clone(),
        b.clone(),
    );
    let b8 = b.clone();
    vec![
        Cftype::new("stat").read_seq_string(move |cx| Ok(print_stat(&b1, &*cg_of(cx)?))),
        Cftype::new("max")
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .read_seq_string(|cx| Ok(print_io_max(&*cg_of(cx)?)))
            .write_raw(raw(move |cx, d| {
                let cg = cg_of(cx)?;
                let (dev, body) = b2.open_bdev(d)?;
                Blkio::conf_prep(&cg, dev);
                let cur = cg.io.lock().limit(dev);
                let v = parse_io_max(body, cur)?;
                cg.io.lock().limits.insert(dev, v);
                Ok(())
            })),
        prio_file(),
        Cftype::new("latency")
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .read_seq_string(|cx| {
                let cg = cg_of(cx)?;
                let io = cg.io.lock();
                let mut out = String::new();
                for dev in &io.blkgs {
                    let ns = io.lat_nsec.get(dev).copied().unwrap_or(0);
                    if ns != 0 {
                        out.push_str(&format!("{} target={}\n", Blkio::dname(*dev), ns / 1000));
                    }
                }
                Ok(out)
            })
            .write_raw(raw(move |cx, d| {
                let cg = cg_of(cx)?;
                let (dev, body) = b3.open_bdev(d)?;
                Blkio::conf_prep(&cg, dev);
                let lat = parse_latency(body)?;
                cg.io.lock().lat_nsec.insert(dev, lat);
                Ok(())
            })),
        Cftype::new("weight")
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .read_seq_string(move |cx| Ok(print_weight(&b4, &*cg_of(cx)?)))
            .write_raw(raw(move |cx, d| write_weight(&b5, &*cg_of(cx)?, d))),
        Cftype::new("cost.qos")
            .with_flags(CFTYPE_ONLY_ON_ROOT)
            .read_seq_string(move |cx| Ok(print_qos(&b6, &*cg_of(cx)?)))
            .write_raw(raw(move |_, d| write_qos(&b7, d))),
        Cftype::new("cost.model")
            .with_flags(CFTYPE_ONLY_ON_ROOT)
            .read_seq_string({
                let b = b8.clone();
                move |cx| Ok(print_model(&b, &*cg_of(cx)?))
            })
            .write_raw(raw(move |_, d| write_model(&b8, d))),
    ]
}

/// 6.6's v1 `blkio` files: `reset_stats` (`blkcg_legacy_files[]`), the throttling files
/// (`throtl_legacy_files[]`) and `prio.class` (`ioprio_legacy_files[]`).
pub(crate) fn legacy_files_6_6<T: Tracer>(b: &Blkio) -> Vec<Cftype<T>> {
    let mut v = vec![Cftype::new("reset_stats").write_u64(|_, _| Ok(()))];
    // The four limits: `tg_set_conf` (a number, 0 for no limit) and `tg_prfill_conf_*`.
    for (i, name) in [
        "throttle.read_bps_device",
        "throttle.write_bps_device",
        "throttle.read_iops_device",
        "throttle.write_iops_device",
    ]
    .into_iter()
    .enumerate()
    {
        let b = b.clone();
        let none = if i < 2 { NO_BPS } else { NO_IOPS };
        v.push(
            Cftype::new(name)
                .read_seq_string(move |cx| {
                    let cg = cg_of(cx)?;
                    let io = cg.io.lock();
                    let mut out = String::new();
                    for &dev in &io.blkgs {
                        let val = io.limit(dev)[i];
                        if val != none {
                            out.push_str(&format!("{} {val}\n", Blkio::dname(dev)));
                        }
                    }
                    Ok(out)
                })
                .write_raw(raw(move |cx, d| {
                    let cg = cg_of(cx)?;
                    let (dev, body) = b.open_bdev(d)?;
                    Blkio::conf_prep(&cg, dev);
                    let (mut val, _) = scan_u64(body).ok_or(Errno::EINVAL)?;
                    if val == 0 {
                        val = u64::MAX;
                    }
                    if i >= 2 {
                        // Stored in an `unsigned int`.
                        val = u64::from(val as u32);
                    }
                    let mut io = cg.io.lock();
                    let mut l = io.limit(dev);
                    l[i] = val;
                    io.limits.insert(dev, l);
                    Ok(())
                })),
        );
    }
    // The statistics: `__blkg_prfill_rwstat` per blkg (all 0), then the total.
    for name in [
        "throttle.io_service_bytes",
        "throttle.io_service_bytes_recursive",
        "throttle.io_serviced",
        "throttle.io_serviced_recursive",
    ] {
        v.push(Cftype::new(name).read_seq_string(|cx| {
            let cg = cg_of(cx)?;
            let io = cg.io.lock();
            let mut out = String::new();
            for &dev in &io.blkgs {
                let d = Blkio::dname(dev);
                for r in RWSTAT {
                    out.push_str(&format!("{d} {r} 0\n"));
                }
                out.push_str(&format!("{d} Total 0\n"));
            }
            out.push_str("Total 0\n");
            Ok(out)
        }));
    }
    v.push(prio_file());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_max_tokens() {
        let none = [NO_BPS, NO_BPS, NO_IOPS, NO_IOPS];
        assert_eq!(
            parse_io_max(b"rbps=1048576 wiops=100\n", none),
            Ok([1_048_576, NO_BPS, NO_IOPS, 100])
        );
        assert_eq!(parse_io_max(b"rbps=0", none), Err(Errno::ERANGE));
        assert_eq!(parse_io_max(b"rbps=1", none), Err(Errno::EINVAL));
        assert_eq!(parse_io_max(b"rbps", none), Err(Errno::EINVAL));
        assert_eq!(parse_io_max(b"foo=2", none), Err(Errno::EINVAL));
        assert_eq!(
            parse_io_max(b"riops=max", [1, 2, 3, 4]),
            Ok([1, 2, NO_IOPS, 4])
        );
        assert_eq!(parse_io_max(b"wbps=maxx", none), Err(Errno::EINVAL));
    }

    #[test]
    fn floats() {
        assert_eq!(parse_float2(b"95"), Ok(9500));
        assert_eq!(parse_float2(b"95.5"), Ok(9550));
        assert_eq!(parse_float2(b"95.125"), Ok(9513));
        assert_eq!(parse_float2(b"x"), Err(()));
        assert_eq!(parse_float2(b"-1"), Ok(-100));
    }

    #[test]
    fn latency_tokens() {
        assert_eq!(parse_latency(b"target=100\n"), Ok(100_000));
        assert_eq!(parse_latency(b"target=max"), Ok(0));
        assert_eq!(parse_latency(b""), Err(Errno::EINVAL));
        assert_eq!(parse_latency(b"target=1 "), Err(Errno::EINVAL));
        assert_eq!(parse_latency(b"depth=1"), Err(Errno::EINVAL));
    }
}
