//! CPU and memory-node placement (`cpuset_subsys`, id 0), minimal.
//!
//! **Kernel:** `kernel/cpuset.c` `cpuset_create`, `cpuset_can_attach` (2.6.25), and the mask
//! writes as 2.6.35 does them (`cpuset_write_resmask`, `update_cpumask`, `update_nodemask`,
//! `validate_change`; `lib/bitmap.c` `bitmap_parselist` behind `cpulist_parse` /
//! `nodelist_parse`).
//! **Differences:** `cpuset.cpus` and `cpuset.mems` are stored as masks (printed as lists like
//! `0-1`) and constrain nothing. A new child cpuset starts empty, so attaching a task to it fails
//! with ENOSPC until both masks are set (the kernel's rule). The kernel is taken as built with
//! `CONFIG_NR_CPUS=64` and `CONFIG_NODES_SHIFT=6` without `CPUMASK_OFFSTACK` (so
//! `nr_cpumask_bits` and `MAX_NUMNODES` are 64): a CPU or node number ≥ 64 is ERANGE, one below
//! that which is not online is EINVAL. The exclusive flags and the other cpuset files are not
//! modelled, so `validate_change`'s exclusivity checks never fire.

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

    fn threaded(&self) -> bool {
        // 6.6 `cpuset_cgrp_subsys.threaded`.
        true
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
        cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        if cx.on_dfl {
            // Differences: the v2 interface files of this controller (`dfl_cftypes`, 6.6) are
            // not modelled; on the default hierarchy it is a controller without files.
            return Ok(());
        }
        let limits = [self.nr_cpus, self.nr_nodes];
        for (name, which) in [("cpus", CPUS), ("mems", MEMS)] {
            dir.add_file(
                Cftype::new(name)
                    .with_private(which)
                    .read_seq_string(|cx| {
                        let cs = state(cx)?;
                        Ok(format!("{}\n", print_list(*field(&cs, cx.private).lock())))
                    })
                    .write_string(move |cx, s| write_resmask(cx, s, limits[cx.private as usize])),
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

/// `nr_cpumask_bits` (`NR_CPUS`) and `MAX_NUMNODES` of the simulated kernel's build.
pub const NR_MASK_BITS: u32 = 64;

/// `cpuset_write_resmask` → `update_cpumask` / `update_nodemask` (2.6.35), on the stripped
/// buffer `cgroup_write_string` hands over.
fn write_resmask<T: Tracer>(cx: &CftCtx<'_, T>, buf: &str, online: u32) -> Result<(), Errno> {
    let which = cx.private;
    // "top_cpuset.cpus_allowed tracks cpu_online_map; it's read-only": checked before the
    // buffer is looked at (update_cpumask / update_nodemask, v2.6.35).
    let Some(parent) = cx.core.parent(cx.cgrp)? else {
        return Err(Errno::EACCES);
    };
    // An empty buffer clears the mask (cpulist_parse would fail on it); otherwise parse, then
    // refuse CPUs that are not active (`cpu_active_mask`) / nodes without memory
    // (`node_states[N_HIGH_MEMORY]`) with EINVAL.
    let trial = if buf.is_empty() {
        0
    } else {
        let m = bitmap_parselist(buf, NR_MASK_BITS)?;
        if m & !mask(online) != 0 {
            return Err(Errno::EINVAL);
        }
        m
    };
    let cs = state(cx)?;
    let cur = *field(&cs, which).lock();
    // update_nodemask returns before validate_change when nothing changes; update_cpumask
    // validates first.
    if which == MEMS && cur == trial {
        return Ok(());
    }
    let subsys_id = cx.css.as_ref().ok_or(Errno::ENODEV)?.subsys_id();
    let cs_of = |cgrp| -> Result<Arc<CpusetState>, Errno> {
        cx.core
            .cgroup_css(cgrp, subsys_id)?
            .and_then(|c| c.private::<CpusetState>())
            .ok_or(Errno::ENODEV)
    };
    // validate_change: every child must stay a subset of us (EBUSY) ...
    for child in cx.core.children(cx.cgrp)? {
        let ccs = cs_of(child)?;
        if *field(&ccs, which).lock() & !trial != 0 {
            return Err(Errno::EBUSY);
        }
    }
    // ... we must stay a subset of our parent (EACCES) ...
    let pcs = cs_of(parent)?;
    if trial & !*field(&pcs, which).lock() != 0 {
        return Err(Errno::EACCES);
    }
    // ... and a cpuset with tasks cannot lose all its CPUs or nodes (ENOSPC).
    if trial == 0 && cx.core.task_count(cx.cgrp)? > 0 {
        return Err(Errno::ENOSPC);
    }
    *field(&cs, which).lock() = trial;
    Ok(())
}

/// `bitmap_parselist` (2.6.35; `cpulist_parse` and `nodelist_parse` call it): a comma-separated
/// list of decimal numbers and `a-b` ranges, parsed element by element until the end of the
/// string or a newline. Each element must start with a digit, a range needs a digit after `-`
/// and `a <= b` (else EINVAL); a bit ≥ `nmaskbits` is ERANGE; one `,` is skipped after each
/// element, so a trailing `0,` is accepted. Numbers are read by `simple_strtoul` into an
/// `unsigned`, so they wrap at 2^32 as the kernel's do.
/// Kernel: `lib/bitmap.c` `bitmap_parselist`, v2.6.35 (the rewrite with `__bitmap_parselist`
/// came later).
pub fn bitmap_parselist(s: &str, nmaskbits: u32) -> Result<u64, Errno> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut m = 0u64;
    let number = |i: &mut usize| -> Result<u32, Errno> {
        if !b.get(*i).is_some_and(u8::is_ascii_digit) {
            return Err(Errno::EINVAL);
        }
        let (v, rest) = cgsim_ktypes::parse::simple_strtoull(&b[*i..], 10);
        *i = b.len() - rest.len();
        Ok(v as u32)
    };
    loop {
        let lo = number(&mut i)?;
        let mut hi = lo;
        if b.get(i) == Some(&b'-') {
            i += 1;
            hi = number(&mut i)?;
        }
        if lo > hi {
            return Err(Errno::EINVAL);
        }
        if hi >= nmaskbits {
            return Err(Errno::ERANGE);
        }
        for bit in lo..=hi.min(63) {
            m |= 1 << bit;
        }
        if b.get(i) == Some(&b',') {
            i += 1;
        }
        if matches!(b.get(i), None | Some(b'\n')) {
            return Ok(m);
        }
    }
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
