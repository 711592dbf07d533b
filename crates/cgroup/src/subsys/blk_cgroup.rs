//! The block I/O controller (`blkio_subsys`): proportional weights and per-device statistics.
//!
//! **Kernel:** `block/blk-cgroup.c`, v2.6.35 (2.6.33+): `blkio.weight` (`read_u64`/`write_u64`,
//! 100..1000 or EINVAL, 500 in a new cgroup and 1000, `2 * BLKIO_WEIGHT_DEFAULT`, in the top
//! one: `blkio_root_cgroup`), `blkio.weight_device` (`dev\tweight` then `MAJOR:MINOR\tWEIGHT`
//! lines; a write is `MAJOR:MINOR WEIGHT`, parsed by `blkio_policy_parse_and_set`: the wrong
//! number of fields or a bad number is EINVAL, a device that is not a whole disk ENODEV), the
//! statistics (`time` and `sectors` one line per device; `io_service_bytes`, `io_serviced`,
//! `io_service_time`, `io_wait_time`, `io_merged` and `io_queued` a `Read`/`Write`/`Sync`/
//! `Async`/`Total` line per device then `Total N`: `SHOW_FUNCTION_PER_GROUP`), and
//! `blkio.reset_stats` (write-only). `blkiocg_create` refuses (EINVAL) a cgroup deeper than
//! one level below the top ("we do not support hierarchy deeper than two level").
//! The `CONFIG_DEBUG_BLK_CGROUP` files are not built, as in distribution kernels.
//!
//! 3.10 (`block/blk-cgroup.c`, `block/cfq-iosched.c`, `block/blk-throttle.c`): any depth; the
//! CFQ files (`weight`/`weight_device` on both sides of the top cgroup, `leaf_weight`,
//! `leaf_weight_device`, the statistics and their `_recursive` sums, weights 10..1000), the
//! throttling files (`throttle.read_bps_device`, ..., `throttle.io_serviced`) and
//! `reset_stats`; the statistics print only `Total N` when no device is present
//! (`blkcg_print_blkgs`), a device file prints nothing, and a device write is
//! `MAJOR:MINOR VALUE` (`blkg_conf_prep`: EINVAL for a bad line or a missing disk in 3.10,
//! ENODEV for a missing disk in 4.19). 4.19 adds `throttle.io_service_bytes_recursive` and
//! `throttle.io_serviced_recursive`. 6.6's v1 `blkio` keeps the throttling files and
//! `reset_stats` (CFQ was removed in 5.0; BFQ's `bfq.*` files exist only with that I/O
//! scheduler loaded, which the simulation has no disk for).
//!
//! 6.6 (`io_cgrp_subsys`, `legacy_name` `blkio`): on the default hierarchy the controller is
//! `io` with the files of `blk_dfl.rs`; its v1 side also has `blkio.prio.class`
//! (`block/blk-ioprio.c`), and the throttling files share their limits with `io.max` (the
//! same `struct throtl_grp` fields).
//!
//! **Differences:** the machines of the presets before 6.6 have no block devices: every
//! statistics file shows its no-device output, `reset_stats` resets nothing, and a
//! per-device setting always fails with the missing-disk errno. The 6.6 machine has one disk,
//! `sda` (8:0, [`SIM_DISKS`]), with a blkg in the top cgroup from boot; no I/O is simulated,
//! so every statistic stays 0. `blkiocg_can_attach`'s EINVAL for a task sharing its
//! `io_context` never fires (tasks share none).

use crate::cftype::{CFTYPE_NOT_ON_ROOT, CFTYPE_ONLY_ON_ROOT, Cftype};
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx};
use cgsim_ktypes::{Errno, Tracer};
use parking_lot::Mutex;
use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use super::blk_dfl::{Disk, SIM_DISKS};
use super::blk_dfl::{IoCg, IoQueues};

/// `BLKIO_WEIGHT_MIN` (2.6.35).
pub const BLKIO_WEIGHT_MIN: u64 = 100;
/// `BLKIO_WEIGHT_MAX`.
pub const BLKIO_WEIGHT_MAX: u64 = 1000;
/// `BLKIO_WEIGHT_DEFAULT`.
pub const BLKIO_WEIGHT_DEFAULT: u64 = 500;
/// `CFQ_WEIGHT_MIN` (3.10–4.19).
pub const CFQ_WEIGHT_MIN: u64 = 10;

/// Which kernel's blkio files.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BlkioVersion {
    V2_6_35,
    V3_10,
    V4_19,
    V6_6,
}

/// `struct blkio_cgroup` (`struct blkcg` in 3.x): the weights.
#[derive(Debug)]
pub struct BlkioCgroup {
    pub weight: AtomicU64,
    /// 3.10's `cfq_leaf_weight`.
    pub leaf_weight: AtomicU64,
    /// 6.6: the blkgs of this blkcg and the policies' per-cgroup and per-blkg settings.
    pub(crate) io: Mutex<IoCg>,
    /// `blkcg_parent(blkcg)`: `blkg_conf_prep` creates the blkgs of the ancestors first.
    pub(crate) parent: Option<Arc<BlkioCgroup>>,
}

/// The `blkio` subsystem (`io` on the default hierarchy of 6.6).
#[derive(Clone, Debug)]
pub struct Blkio {
    pub version: BlkioVersion,
    /// The machine's disks (`MAJOR:MINOR` and name); empty before the 6.6 preset.
    pub disks: &'static [Disk],
    /// What each disk's request queue holds for the policies (iocost's `struct ioc`).
    pub(crate) queues: Arc<Mutex<IoQueues>>,
}

/// The disks of the machine a kernel of `version` boots: the 6.6 machine has one
/// ([`SIM_DISKS`]); the older presets' machines have none, as before.
pub fn machine_disks(version: (u32, u32, u32)) -> &'static [Disk] {
    if version >= (6, 0, 0) { SIM_DISKS } else { &[] }
}

impl Blkio {
    /// The subsystem of a kernel with `version`'s files and the machine's `disks`.
    pub fn new(version: BlkioVersion, disks: &'static [Disk]) -> Blkio {
        Blkio {
            version,
            disks,
            queues: Arc::default(),
        }
    }
}

const STAT_FILES_2_6_35: [(&str, bool); 8] = [
    ("time", false),
    ("sectors", false),
    ("io_service_bytes", true),
    ("io_serviced", true),
    ("io_service_time", true),
    ("io_wait_time", true),
    ("io_merged", true),
    ("io_queued", true),
];

impl<T: Tracer> CgroupSubsys<T> for Blkio {
    fn name(&self) -> &'static str {
        "blkio"
    }

    fn symbol_prefix(&self) -> &'static str {
        "blkiocg"
    }

    fn dfl_name(&self) -> &'static str {
        // `io_cgrp_subsys.name`; `blkio` is its `legacy_name` (6.6).
        "io"
    }

    fn on_dfl(&self) -> bool {
        // 6.6 has `dfl_cftypes` (`blkcg_files`); the older presets have no default hierarchy.
        self.version == BlkioVersion::V6_6
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY
            .with(SubsysCallback::Populate)
            .with(SubsysCallback::CanAttach)
            .with(SubsysCallback::Attach)
    }

    /// `blkiocg_create`.
    fn create(
        &self,
        cx: &SubsysCtx<'_, T>,
        css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        let top = css.is_root() || cx.parent.is_none();
        if self.version == BlkioVersion::V2_6_35 && !top {
            // "Currently we do not support hierarchy deeper than two level (0,1)": the parent
            // must be the top cgroup, whose blkio css is the root one.
            if !cx.parent_css.is_some_and(|p| p.is_root()) {
                return Err(Errno::EINVAL);
            }
        }
        let w = if top {
            2 * BLKIO_WEIGHT_DEFAULT
        } else {
            BLKIO_WEIGHT_DEFAULT
        };
        let parent = if top {
            None
        } else {
            cx.parent_css.and_then(|p| p.private::<BlkioCgroup>())
        };
        // The top cgroup has a blkg on every disk from boot (`blkcg_init_disk`).
        let io = IoCg::new(if top { self.disks } else { &[] });
        Ok(Arc::new(BlkioCgroup {
            weight: AtomicU64::new(w),
            leaf_weight: AtomicU64::new(w),
            io: Mutex::new(io),
            parent,
        }))
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    fn populate(
        &self,
        cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        if cx.on_dfl {
            return dir.add_files(super::blk_dfl::dfl_files(self));
        }
        match self.version {
            BlkioVersion::V2_6_35 => populate_2_6_35(dir),
            BlkioVersion::V6_6 => dir.add_files(super::blk_dfl::legacy_files_6_6(self)),
            v => populate_3_x(v, dir),
        }
    }
}

pub(crate) fn blkcg(css: Option<&CssRef>) -> Result<Arc<BlkioCgroup>, Errno> {
    css.and_then(|c| c.private::<BlkioCgroup>())
        .ok_or(Errno::ENODEV)
}

/// `blkio_files[]` of 2.6.35, in its order.
fn populate_2_6_35<T: Tracer>(dir: &mut PopulateDir<T>) -> Result<(), Errno> {
    dir.add_file(
        Cftype::new("weight_device")
            .with_max_write_len(256)
            .read_seq_string(|_| Ok("dev\tweight\n".to_string()))
            .write_string(|_, s| blkio_policy_parse_and_set(s)),
    )?;
    dir.add_file(
        Cftype::new("weight")
            .read_u64(|cx| Ok(blkcg(cx.css.as_ref())?.weight.load(Ordering::Relaxed)))
            .write_u64(|cx, v| {
                if !(BLKIO_WEIGHT_MIN..=BLKIO_WEIGHT_MAX).contains(&v) {
                    return Err(Errno::EINVAL);
                }
                blkcg(cx.css.as_ref())?.weight.store(v, Ordering::Relaxed);
                Ok(())
            }),
    )?;
    for (name, show_total) in STAT_FILES_2_6_35 {
        // No device has a blkio_group: only the cgroup total, where the file prints one.
        dir.add_file(Cftype::new(name).read_map(move |_| {
            Ok(if show_total {
                vec![("Total".to_string(), 0)]
            } else {
                Vec::new()
            })
        }))?;
    }
    dir.add_file(Cftype::new("reset_stats").write_u64(|_, _| Ok(())))
}

/// `blkio_policy_parse_and_set` (2.6.35): two space-separated fields, `MAJOR:MINOR` then the
/// weight. The device is checked (`blkio_check_dev_num`) before the weight is parsed.
fn blkio_policy_parse_and_set(buf: &str) -> Result<(), Errno> {
    let mut fields = buf.split(' ').filter(|p| !p.is_empty());
    let s0 = fields.next();
    let s1 = fields.next();
    let s2 = fields.next();
    let (Some(dev), Some(_weight), None) = (s0, s1, s2) else {
        return Err(Errno::EINVAL);
    };
    let Some((major, minor)) = dev.split_once(':') else {
        return Err(Errno::EINVAL);
    };
    // `strict_strtoul(..., 10, ...)`: digits only.
    let strict = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !strict(major) || !strict(minor) {
        return Err(Errno::EINVAL);
    }
    // `get_gendisk` finds no disk: the machine has none.
    Err(Errno::ENODEV)
}

/// `blkg_conf_prep` (3.10: `%u:%u %llu` and EINVAL for a missing disk; 4.19 and later:
/// `%u:%u` and ENODEV for a missing disk).
fn blkg_conf_prep(v: BlkioVersion, buf: &str) -> Result<(), Errno> {
    let dev_ok = |s: &str| {
        s.split_once(':').is_some_and(|(a, b)| {
            let b = b.split(|c: char| !c.is_ascii_digit()).next().unwrap_or("");
            !a.is_empty() && a.bytes().all(|c| c.is_ascii_digit()) && !b.is_empty()
        })
    };
    let mut it = buf.split_ascii_whitespace();
    let dev = it.next().unwrap_or("");
    if !dev_ok(dev) {
        return Err(Errno::EINVAL);
    }
    if v == BlkioVersion::V3_10 {
        let val_ok = it
            .next()
            .is_some_and(|s| s.bytes().next().is_some_and(|c| c.is_ascii_digit()));
        if !val_ok {
            return Err(Errno::EINVAL);
        }
        return Err(Errno::EINVAL);
    }
    Err(Errno::ENODEV)
}

/// 3.10–4.19: `reset_stats`, the throttling files, CFQ's files (6.6's are `blk_dfl.rs`'s).
fn populate_3_x<T: Tracer>(v: BlkioVersion, dir: &mut PopulateDir<T>) -> Result<(), Errno> {
    let total_only = |_: &crate::cftype::CftCtx<'_, T>| Ok("Total 0\n".to_string());
    let empty = |_: &crate::cftype::CftCtx<'_, T>| Ok(String::new());
    dir.add_file(Cftype::new("reset_stats").write_u64(|_, _| Ok(())))?;
    let mut throttle = vec![
        ("throttle.read_bps_device", false),
        ("throttle.write_bps_device", false),
        ("throttle.read_iops_device", false),
        ("throttle.write_iops_device", false),
        ("throttle.io_service_bytes", true),
    ];
    if v != BlkioVersion::V3_10 {
        throttle.push(("throttle.io_service_bytes_recursive", true));
    }
    throttle.push(("throttle.io_serviced", true));
    if v != BlkioVersion::V3_10 {
        throttle.push(("throttle.io_serviced_recursive", true));
    }
    for (name, stat) in throttle {
        let f = Cftype::new(name);
        dir.add_file(if stat {
            f.read_seq_string(total_only)
        } else {
            f.with_max_write_len(256)
                .read_seq_string(empty)
                .write_string(move |_, s| blkg_conf_prep(v, s))
        })?;
    }
    // `cfq_blkcg_files[]`: on the top cgroup `weight` and `weight_device` are the leaf ones.
    let set_weight = move |leaf: bool| {
        move |cx: &crate::cftype::CftCtx<'_, T>, val: u64| {
            if !(CFQ_WEIGHT_MIN..=BLKIO_WEIGHT_MAX).contains(&val) {
                return Err(Errno::EINVAL);
            }
            let b = blkcg(cx.css.as_ref())?;
            if leaf {
                b.leaf_weight.store(val, Ordering::Relaxed);
            } else {
                b.weight.store(val, Ordering::Relaxed);
            }
            Ok(())
        }
    };
    let print = move |leaf: bool| {
        move |cx: &crate::cftype::CftCtx<'_, T>| {
            let b = blkcg(cx.css.as_ref())?;
            let w = if leaf { &b.leaf_weight } else { &b.weight };
            Ok(format!("{}\n", w.load(Ordering::Relaxed)))
        }
    };
    let device = |name: &str, flags: u32| {
        Cftype::new(name)
            .with_flags(flags)
            .with_max_write_len(256)
            .read_seq_string(empty)
            .write_string(move |_, s| blkg_conf_prep(v, s))
    };
    dir.add_file(device("weight_device", CFTYPE_ONLY_ON_ROOT))?;
    dir.add_file(
        Cftype::new("weight")
            .with_flags(CFTYPE_ONLY_ON_ROOT)
            .read_seq_string(print(true))
            .write_u64(set_weight(true)),
    )?;
    dir.add_file(device("weight_device", CFTYPE_NOT_ON_ROOT))?;
    dir.add_file(
        Cftype::new("weight")
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .read_seq_string(print(false))
            .write_u64(set_weight(false)),
    )?;
    dir.add_file(device("leaf_weight_device", 0))?;
    dir.add_file(
        Cftype::new("leaf_weight")
            .read_seq_string(print(true))
            .write_u64(set_weight(true)),
    )?;
    for suffix in ["", "_recursive"] {
        for (name, rw) in STAT_FILES_2_6_35 {
            let f = Cftype::new(format!("{name}{suffix}"));
            dir.add_file(if rw {
                f.read_seq_string(total_only)
            } else {
                f.read_seq_string(empty)
            })?;
        }
    }
    Ok(())
}
