//! The HugeTLB controller (`hugetlb_cgrp_subsys`): limits on the huge pages of each size a
//! cgroup's tasks may fault in or reserve.
//!
//! **Kernel:** `mm/hugetlb_cgroup.c`, v6.6: per huge page size (`hstates[]`; x86-64 registers
//! 1 GB pages, `gigantic_pages_init`, before 2 MB ones, `hugetlb_init`), named by `mem_fmt`
//! (`1GB`, `2MB`). v1 (`__hugetlb_cgroup_file_legacy_init`): `limit_in_bytes`,
//! `rsvd.limit_in_bytes`, `usage_in_bytes`, `rsvd.usage_in_bytes`, `max_usage_in_bytes`,
//! `rsvd.max_usage_in_bytes`, `failcnt`, `rsvd.failcnt`, `numa_stat`, in every cgroup; v2
//! (`__hugetlb_cgroup_file_dfl_init`): `max`, `rsvd.max`, `current`, `rsvd.current`, `events`,
//! `events.local`, `numa_stat`, none in the root. A limit is written through
//! `page_counter_memparse` (`-1` on v1, `max` on v2, else `memparse` with nothing left over,
//! EINVAL otherwise) and rounded down to whole huge pages; the root's is EINVAL
//! (`hugetlb_cgroup_write`). The unlimited value is `PAGE_COUNTER_MAX` rounded down to whole
//! huge pages (`hugetlb_cgroup_init`), which v1 prints in bytes and v2 as `max`.
//! `max_usage_in_bytes` and `failcnt` take any write as a reset (`hugetlb_cgroup_reset`).
//!
//! **Differences:** the machine has no huge pages (`nr_hugepages` 0, as a distribution boots),
//! and no task can map any, so every usage, watermark, failure count and event stays 0. The
//! machine has one NUMA node (`N0`).

use crate::cftype::{CFTYPE_NOT_ON_ROOT, CftCtx, Cftype};
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCtx};
use cgsim_ktypes::parse::{MemparseSuffixes, memparse, strstrip, until_nul};
use cgsim_ktypes::{Errno, Tracer};
use parking_lot::Mutex;
use std::any::Any;
use std::sync::Arc;

/// `PAGE_SIZE`.
const PAGE_SIZE: u64 = 4096;
/// `PAGE_COUNTER_MAX` on 64-bit: `LONG_MAX / PAGE_SIZE`.
const PAGE_COUNTER_MAX: u64 = (i64::MAX as u64) / PAGE_SIZE;

/// A huge page size (`struct hstate`): its name and base pages per huge page.
#[derive(Copy, Clone, Debug)]
struct Hstate {
    name: &'static str,
    pages: u64,
}

/// x86-64's `hstates[]`: 1 GB (with `X86_FEATURE_GBPAGES`) then 2 MB.
const HSTATES: [Hstate; 2] = [
    Hstate {
        name: "1GB",
        pages: 1 << 18,
    },
    Hstate {
        name: "2MB",
        pages: 1 << 9,
    },
];

impl Hstate {
    /// `round_down(PAGE_COUNTER_MAX, pages_per_huge_page(h))`: no limit.
    fn unlimited(self) -> u64 {
        PAGE_COUNTER_MAX / self.pages * self.pages
    }
}

/// `struct hugetlb_cgroup`: the fault and reservation limits (`hugepage[idx].max`,
/// `rsvd_hugepage[idx].max`) in base pages.
#[derive(Debug)]
pub struct HugetlbCgroup {
    max: Mutex<[[u64; 2]; 2]>,
}

/// The `hugetlb` subsystem.
#[derive(Copy, Clone, Debug)]
pub struct Hugetlb {
    /// The kernel's version: the `rsvd.*` files came in 5.7, `numa_stat` in 5.14, the
    /// default hierarchy's files in 5.6.
    version: (u32, u32, u32),
}

impl Hugetlb {
    pub fn new(version: (u32, u32, u32)) -> Hugetlb {
        Hugetlb { version }
    }
}

fn h_cg<T: Tracer>(cx: &CftCtx<'_, T>) -> Result<Arc<HugetlbCgroup>, Errno> {
    cx.css
        .as_ref()
        .and_then(|c| c.private::<HugetlbCgroup>())
        .ok_or(Errno::ENODEV)
}

/// `hugetlb_cgroup_write`: `max_str` is `-1` (v1) or `max` (v2).
fn write_limit<T: Tracer>(
    cx: &CftCtx<'_, T>,
    data: &[u8],
    idx: usize,
    rsvd: bool,
    max_str: &[u8],
) -> Result<usize, Errno> {
    let cg = h_cg(cx)?;
    if cx.css.as_ref().is_some_and(|c| c.is_root()) {
        return Err(Errno::EINVAL);
    }
    let buf = strstrip(until_nul(data));
    let nr_pages = if buf == max_str {
        PAGE_COUNTER_MAX
    } else {
        let (bytes, rest) = memparse(buf, MemparseSuffixes::KmgTpe);
        if !rest.is_empty() {
            return Err(Errno::EINVAL);
        }
        (bytes / PAGE_SIZE).min(PAGE_COUNTER_MAX)
    };
    let h = HSTATES[idx];
    // No huge page is charged, so page_counter_set_max never finds usage above the limit.
    cg.max.lock()[idx][usize::from(rsvd)] = nr_pages / h.pages * h.pages;
    Ok(data.len())
}

/// `hugetlb_cgroup_read_numa_stat`: no page on node 0.
fn numa_stat(legacy: bool) -> String {
    if legacy {
        "total=0 N0=0\nhierarchical_total=0 N0=0\n".to_string()
    } else {
        "total=0 N0=0\n".to_string()
    }
}

impl<T: Tracer> CgroupSubsys<T> for Hugetlb {
    fn name(&self) -> &'static str {
        "hugetlb"
    }

    fn symbol_prefix(&self) -> &'static str {
        "hugetlb_cgroup"
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY.with(crate::subsys::SubsysCallback::Populate)
    }

    /// `hugetlb_cgroup_css_alloc` and `hugetlb_cgroup_init`: no limit.
    fn create(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        let max = HSTATES.map(|h| [h.unlimited(); 2]);
        Ok(Arc::new(HugetlbCgroup {
            max: Mutex::new(max),
        }))
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    fn populate(
        &self,
        cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        let rsvd = self.version >= (5, 7, 0);
        let numa = self.version >= (5, 14, 0);
        for (idx, h) in HSTATES.into_iter().enumerate() {
            let n = h.name;
            if cx.on_dfl {
                for r in [false, true] {
                    if r && !rsvd {
                        continue;
                    }
                    let sfx = if r { "rsvd.max" } else { "max" };
                    dir.add_file(
                        Cftype::new(format!("{n}.{sfx}"))
                            .with_flags(CFTYPE_NOT_ON_ROOT)
                            .read_seq_string(move |cx| {
                                let v = h_cg(cx)?.max.lock()[idx][usize::from(r)];
                                Ok(if v == h.unlimited() {
                                    "max\n".to_string()
                                } else {
                                    format!("{}\n", v * PAGE_SIZE)
                                })
                            })
                            .write_raw(move |cx, d| write_limit(cx, d, idx, r, b"max")),
                    )?;
                }
                let mut zeros = vec!["current"];
                if rsvd {
                    zeros.push("rsvd.current");
                }
                for sfx in zeros {
                    dir.add_file(
                        Cftype::new(format!("{n}.{sfx}"))
                            .with_flags(CFTYPE_NOT_ON_ROOT)
                            .read_seq_string(|_| Ok("0\n".to_string())),
                    )?;
                }
                for sfx in ["events", "events.local"] {
                    dir.add_file(
                        Cftype::new(format!("{n}.{sfx}"))
                            .with_flags(CFTYPE_NOT_ON_ROOT)
                            .read_seq_string(|_| Ok("max 0\n".to_string())),
                    )?;
                }
                if numa {
                    dir.add_file(
                        Cftype::new(format!("{n}.numa_stat"))
                            .with_flags(CFTYPE_NOT_ON_ROOT)
                            .read_seq_string(|_| Ok(numa_stat(false))),
                    )?;
                }
                continue;
            }
            for r in [false, true] {
                if r && !rsvd {
                    continue;
                }
                let p = if r { "rsvd." } else { "" };
                dir.add_file(
                    Cftype::new(format!("{n}.{p}limit_in_bytes"))
                        .read_u64(move |cx| {
                            Ok(h_cg(cx)?.max.lock()[idx][usize::from(r)] * PAGE_SIZE)
                        })
                        .write_raw(move |cx, d| write_limit(cx, d, idx, r, b"-1")),
                )?;
            }
            for r in [false, true] {
                if r && !rsvd {
                    continue;
                }
                let p = if r { "rsvd." } else { "" };
                dir.add_file(Cftype::new(format!("{n}.{p}usage_in_bytes")).read_u64(|_| Ok(0)))?;
            }
            for (r, sfx) in [
                (false, "max_usage_in_bytes"),
                (true, "rsvd.max_usage_in_bytes"),
                (false, "failcnt"),
                (true, "rsvd.failcnt"),
            ] {
                if r && !rsvd {
                    continue;
                }
                // hugetlb_cgroup_reset: any write resets the (always 0) value.
                dir.add_file(
                    Cftype::new(format!("{n}.{sfx}"))
                        .read_u64(|_| Ok(0))
                        .write_raw(|_, d| Ok(d.len())),
                )?;
            }
            if numa {
                dir.add_file(
                    Cftype::new(format!("{n}.numa_stat")).read_seq_string(|_| Ok(numa_stat(true))),
                )?;
            }
        }
        Ok(())
    }
}
