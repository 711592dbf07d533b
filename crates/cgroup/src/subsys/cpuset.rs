//! CPU and memory-node placement (`cpuset_subsys`, id 0), minimal.
//!
//! **Kernel:** `kernel/cpuset.c` `cpuset_create`, `cpuset_can_attach`, `update_cpumask`,
//! `update_nodemask` (2.6.25; spec §2.15.3).
//! **Differences:** `cpuset.cpus` and `cpuset.mems` are stored as masks (printed as lists like
//! `0-1`) and constrain nothing. A new child cpuset starts empty, so attaching a task to it fails
//! with ENOSPC until both masks are set (the kernel's rule); a child's masks must be subsets of its
//! parent's (EINVAL). The other cpuset files and flags are not modelled.

use crate::cftype::{CftCtx, Cftype};
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx, TaskRef};
use cgsim_ktypes::{Errno, Tracer};
use parking_lot::Mutex;
use std::any::Any;
use std::sync::Arc;

/// `struct cpuset`, reduced to its two masks.
#[derive(Debug, Default)]
pub struct CpusetState {
    pub cpus_allowed: Mutex<u64>,
    pub mems_allowed: Mutex<u64>,
}

/// The `cpuset` subsystem with `nr_cpus` CPUs and `nr_nodes` memory nodes.
#[derive(Copy, Clone, Debug)]
pub struct Cpuset {
    pub nr_cpus: u32,
    pub nr_nodes: u32,
}

impl Default for Cpuset {
    fn default() -> Cpuset {
        Cpuset {
            nr_cpus: 2,
            nr_nodes: 1,
        }
    }
}

const CPUS: u64 = 0;
const MEMS: u64 = 1;

impl<T: Tracer> CgroupSubsys<T> for Cpuset {
    fn name(&self) -> &'static str {
        "cpuset"
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY
            .with(SubsysCallback::Populate)
            .with(SubsysCallback::CanAttach)
    }

    fn create(
        &self,
        _cx: &SubsysCtx<'_, T>,
        css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        let st = CpusetState::default();
        if css.is_root() {
            *st.cpus_allowed.lock() = mask(self.nr_cpus);
            *st.mems_allowed.lock() = mask(self.nr_nodes);
        }
        Ok(Arc::new(st))
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    fn can_attach(
        &self,
        _cx: &SubsysCtx<'_, T>,
        css: &CssRef,
        _task: TaskRef,
    ) -> Result<(), Errno> {
        let cs = css.private::<CpusetState>().ok_or(Errno::ENODEV)?;
        if *cs.cpus_allowed.lock() == 0 || *cs.mems_allowed.lock() == 0 {
            return Err(Errno::ENOSPC);
        }
        Ok(())
    }

    fn populate(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        let limits = [self.nr_cpus, self.nr_nodes];
        for (name, which) in [("cpus", CPUS), ("mems", MEMS)] {
            dir.add_file(
                Cftype::new(name)
                    .with_private(which)
                    .read_seq_string(|cx| {
                        let cs = state(cx)?;
                        Ok(format!("{}\n", print_list(*field(&cs, cx.private).lock())))
                    })
                    .write_string(move |cx, s| {
                        let limit = limits[cx.private as usize];
                        let m = parse_list(s, limit)?;
                        if let Some(parent) = cx.core.parent(cx.cgrp)? {
                            let pcss = cx.core.cgroup_css(
                                parent,
                                cx.css.as_ref().ok_or(Errno::ENODEV)?.subsys_id(),
                            )?;
                            let pcs = pcss
                                .and_then(|c| c.private::<CpusetState>())
                                .ok_or(Errno::ENODEV)?;
                            if m & !*field(&pcs, cx.private).lock() != 0 {
                                return Err(Errno::EINVAL);
                            }
                        } else {
                            // The top cpuset follows the online masks and cannot be written.
                            return Err(Errno::EACCES);
                        }
                        let cs = state(cx)?;
                        *field(&cs, cx.private).lock() = m;
                        Ok(())
                    }),
            )?;
        }
        Ok(())
    }
}

fn state<T: Tracer>(cx: &CftCtx<'_, T>) -> Result<Arc<CpusetState>, Errno> {
    cx.css
        .as_ref()
        .and_then(|c| c.private::<CpusetState>())
        .ok_or(Errno::ENODEV)
}

fn field(cs: &CpusetState, which: u64) -> &Mutex<u64> {
    if which == CPUS {
        &cs.cpus_allowed
    } else {
        &cs.mems_allowed
    }
}

fn mask(n: u32) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// `cpulist_parse`: `0-2,5`; empty clears. Out-of-range or malformed → EINVAL.
pub fn parse_list(s: &str, limit: u32) -> Result<u64, Errno> {
    let mut m = 0u64;
    if s.is_empty() {
        return Ok(0);
    }
    for part in s.split(',') {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a, b),
            None => (part, part),
        };
        let a: u32 = a.parse().map_err(|_| Errno::EINVAL)?;
        let b: u32 = b.parse().map_err(|_| Errno::EINVAL)?;
        if a > b || b >= limit || b >= 64 {
            return Err(Errno::EINVAL);
        }
        for i in a..=b {
            m |= 1 << i;
        }
    }
    Ok(m)
}

/// `cpulist_scnprintf`: ranges joined by commas.
pub fn print_list(m: u64) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < 64 {
        if m & (1 << i) != 0 {
            let start = i;
            while i + 1 < 64 && m & (1 << (i + 1)) != 0 {
                i += 1;
            }
            out.push(if start == i {
                format!("{start}")
            } else {
                format!("{start}-{i}")
            });
        }
        i += 1;
    }
    out.join(",")
}

#[cfg(test)]
mod tests;
