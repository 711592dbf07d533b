//! CPU and memory-node placement (`cpuset_subsys`, id 0): the v1 files and their rules.
//!
//! **Kernel:** `kernel/cpuset.c`, v2.6.35 (the same `files[]` in v3.10): `files[]` in order
//! `cpus`, `mems`, `cpu_exclusive`, `mem_exclusive`, `mem_hardwall`, `sched_load_balance`,
//! `sched_relax_domain_level`, `memory_migrate`, `memory_pressure` (0444),
//! `memory_spread_page`, `memory_spread_slab`, then `memory_pressure_enabled` in the top cpuset
//! only (`cpuset_populate`; 3.10: `CFTYPE_ONLY_ON_ROOT`). `cpuset_create`: a child starts with
//! empty masks, `sched_load_balance` 1, the parent's `memory_spread_page`/`memory_spread_slab`,
//! `sched_relax_domain_level` -1; `top_cpuset` has `cpu_exclusive` and `mem_exclusive` set.
//! Writes: `cpuset_write_resmask` → `update_cpumask` / `update_nodemask` (`lib/bitmap.c`
//! `bitmap_parselist` behind `cpulist_parse` / `nodelist_parse`), `cpuset_write_u64` →
//! `update_flag` (the written value is stored in an `int turning_on`, so only its low 32 bits
//! count), `memory_pressure` is EACCES, `memory_pressure_enabled` a global on/off;
//! `cpuset_write_s64` → `update_relax_domain_level` (EINVAL outside -1 .. `SD_LV_MAX` - 1 = 5
//! in 2.6.35; 3.10+ compares with `sched_domain_level_max`, 2 on an x86-64 SMP machine with
//! SMT and MC domains, so -1 .. 1). Every mask or flag change goes through `validate_change`:
//! each child must stay a subset of the cpuset, masks and exclusive flags alike (EBUSY); the
//! top cpuset then passes; the cpuset must stay a subset of its parent (EACCES), must not
//! overlap an exclusive sibling nor, if exclusive itself, any sibling (EINVAL), and a cpuset
//! with tasks cannot lose all its CPUs or nodes (ENOSPC). `cpuset_can_attach`: ENOSPC into a
//! cpuset with no CPU or no node.
//!
//! **Differences:** the masks and flags constrain nothing: the simulated scheduler and page
//! allocator have no CPU or node placement, so `sched_load_balance`, the relax level,
//! `memory_migrate`, `mem_hardwall` and the spread flags only hold their values, and
//! `memory_pressure` (the `fmeter` of direct reclaims) reads 0. The kernel is taken as built
//! with `CONFIG_NR_CPUS=64` and `CONFIG_NODES_SHIFT=6` without `CPUMASK_OFFSTACK` (so
//! `nr_cpumask_bits` and `MAX_NUMNODES` are 64): a CPU or node number ≥ 64 is ERANGE, one below
//! that which is not online is EINVAL. 2.6.25 (`Cpuset::for_version`) has neither
//! `mem_hardwall` nor `sched_relax_domain_level` (both came in 2.6.26, with the `files[]`
//! table): its `cpuset_populate` adds `cpus`, `mems`, `cpu_exclusive`, `mem_exclusive`,
//! `memory_migrate`, `sched_load_balance`, `memory_pressure`, `memory_spread_page`,
//! `memory_spread_slab` one `cgroup_add_file` at a time, then `memory_pressure_enabled` in the
//! top cpuset (checked in the 2.6.24 tree, whose `cpuset_populate` 2.6.25 keeps); the other
//! rules are the 2.6.35 ones above (2.6.25's `cpuset_common_file_write` parsing is not
//! modelled separately). 3.10's
//! `cgroup.clone_children` copying of the parent's masks (`cpuset_css_online`) is not modelled.

use crate::cftype::{CftCtx, Cftype, S_IRUGO};
use crate::css::CssRef;
use crate::profile::BaseFiles;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx, TaskRef};
use cgsim_ktypes::{Errno, Tracer};
use parking_lot::Mutex;
use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// `cpuset_flagbits_t`.
pub const CS_CPU_EXCLUSIVE: u32 = 1 << 0;
pub const CS_MEM_EXCLUSIVE: u32 = 1 << 1;
pub const CS_MEM_HARDWALL: u32 = 1 << 2;
pub const CS_MEMORY_MIGRATE: u32 = 1 << 3;
pub const CS_SCHED_LOAD_BALANCE: u32 = 1 << 4;
pub const CS_SPREAD_PAGE: u32 = 1 << 5;
pub const CS_SPREAD_SLAB: u32 = 1 << 6;

/// `struct cpuset`: masks, flags and the relax level, under one lock (the kernel's
/// `callback_mutex` writers hold `cgroup_mutex` too).
#[derive(Debug, Default)]
pub struct CpusetState {
    pub cs: Mutex<CpusetMasks>,
}

/// The fields `validate_change` compares (a trial cpuset is a copy with one field changed).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct CpusetMasks {
    pub cpus_allowed: u64,
    pub mems_allowed: u64,
    /// `CS_*` bits.
    pub flags: u32,
    pub relax_domain_level: i64,
    /// `partition_root_state` and `prs_err` (`cpuset.cpus.partition`, v2 only).
    pub partition: dfl::Partition,
}

impl CpusetMasks {
    fn cpu_exclusive(&self) -> bool {
        self.flags & CS_CPU_EXCLUSIVE != 0
    }

    fn mem_exclusive(&self) -> bool {
        self.flags & CS_MEM_EXCLUSIVE != 0
    }

    /// `is_cpuset_subset(self, q)`.
    fn is_subset(&self, q: &CpusetMasks) -> bool {
        self.cpus_allowed & !q.cpus_allowed == 0
            && self.mems_allowed & !q.mems_allowed == 0
            && (!self.cpu_exclusive() || q.cpu_exclusive())
            && (!self.mem_exclusive() || q.mem_exclusive())
    }
}

/// The `cpuset` subsystem with `nr_cpus` CPUs and `nr_nodes` memory nodes.
#[derive(Clone, Debug)]
pub struct Cpuset {
    pub nr_cpus: u32,
    pub nr_nodes: u32,
    /// `cpuset_memory_pressure_enabled` (global, written through the top cpuset's file).
    memory_pressure_enabled: Arc<AtomicBool>,
    /// The kernel has 2.6.26's `mem_hardwall` and `sched_relax_domain_level` files.
    has_2_6_26_files: bool,
}

impl Cpuset {
    pub fn new(nr_cpus: u32, nr_nodes: u32) -> Cpuset {
        Cpuset {
            nr_cpus,
            nr_nodes,
            memory_pressure_enabled: Arc::default(),
            has_2_6_26_files: true,
        }
    }

    /// The cpuset of a kernel of `version` (`(major, minor, sublevel)`): before 2.6.26 it has
    /// no `mem_hardwall` and no `sched_relax_domain_level`, and populates in 2.6.24's order.
    pub fn for_version(version: (u32, u32, u32)) -> Cpuset {
        Cpuset {
            has_2_6_26_files: version >= (2, 6, 26),
            ..Cpuset::default()
        }
    }
}

impl Default for Cpuset {
    fn default() -> Cpuset {
        Cpuset::new(2, 1)
    }
}

/// `cpuset_filetype_t` (`cft->private`).
const FILE_MEMORY_MIGRATE: u64 = 0;
const FILE_CPULIST: u64 = 1;
const FILE_MEMLIST: u64 = 2;
const FILE_CPU_EXCLUSIVE: u64 = 3;
const FILE_MEM_EXCLUSIVE: u64 = 4;
const FILE_MEM_HARDWALL: u64 = 5;
const FILE_SCHED_LOAD_BALANCE: u64 = 6;
const FILE_SCHED_RELAX_DOMAIN_LEVEL: u64 = 7;
const FILE_MEMORY_PRESSURE_ENABLED: u64 = 8;
const FILE_MEMORY_PRESSURE: u64 = 9;
const FILE_SPREAD_PAGE: u64 = 10;
const FILE_SPREAD_SLAB: u64 = 11;

/// The flag a `u64` file sets (`update_flag`'s bit).
fn flag_of(file: u64) -> Option<u32> {
    Some(match file {
        FILE_CPU_EXCLUSIVE => CS_CPU_EXCLUSIVE,
        FILE_MEM_EXCLUSIVE => CS_MEM_EXCLUSIVE,
        FILE_MEM_HARDWALL => CS_MEM_HARDWALL,
        FILE_SCHED_LOAD_BALANCE => CS_SCHED_LOAD_BALANCE,
        FILE_MEMORY_MIGRATE => CS_MEMORY_MIGRATE,
        FILE_SPREAD_PAGE => CS_SPREAD_PAGE,
        FILE_SPREAD_SLAB => CS_SPREAD_SLAB,
        _ => return None,
    })
}

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

    /// `cpuset_create`: the top cpuset has every CPU and node, `cpu_exclusive`,
    /// `mem_exclusive` and `sched_load_balance`; a child has empty masks, `sched_load_balance`
    /// and its parent's spread flags.
    fn create(
        &self,
        cx: &SubsysCtx<'_, T>,
        css: &CssRef,
    ) -> Result<Arc<dyn Any + Send + Sync>, Errno> {
        let parent = cx.parent_css.and_then(|p| p.private::<CpusetState>());
        let masks = match parent {
            Some(p) if !css.is_root() => CpusetMasks {
                flags: CS_SCHED_LOAD_BALANCE
                    | (p.cs.lock().flags & (CS_SPREAD_PAGE | CS_SPREAD_SLAB)),
                relax_domain_level: -1,
                ..CpusetMasks::default()
            },
            _ => CpusetMasks {
                cpus_allowed: mask(self.nr_cpus),
                mems_allowed: mask(self.nr_nodes),
                flags: CS_CPU_EXCLUSIVE | CS_MEM_EXCLUSIVE | CS_SCHED_LOAD_BALANCE,
                relax_domain_level: -1,
                ..CpusetMasks::default()
            },
        };
        Ok(Arc::new(CpusetState {
            cs: Mutex::new(masks),
        }))
    }

    fn destroy(&self, _cx: &SubsysCtx<'_, T>, _css: &CssRef) {}

    /// `cpuset_can_attach`: ENOSPC into a cpuset without CPUs or nodes. 6.6 checks the
    /// configured masks only when not in v2 mode ("allow moving tasks into an empty cpuset if
    /// on default hierarchy"), and then the effective CPUs, which on the default hierarchy are
    /// never empty here (an empty `cpuset.cpus` inherits the parent's, and a partition root
    /// keeps its own).
    fn can_attach(&self, cx: &SubsysCtx<'_, T>, css: &CssRef, _task: TaskRef) -> Result<(), Errno> {
        let cs = css.private::<CpusetState>().ok_or(Errno::ENODEV)?;
        let m = *cs.cs.lock();
        if cx.on_dfl {
            return Ok(());
        }
        if m.cpus_allowed == 0 || m.mems_allowed == 0 {
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
            // 6.6 `dfl_files[]` (`cpuset/dfl.rs`).
            return dir.add_files(dfl::dfl_files(self.nr_cpus, self.nr_nodes));
        }
        let limits = [self.nr_cpus, self.nr_nodes];
        for (name, which) in [("cpus", FILE_CPULIST), ("mems", FILE_MEMLIST)] {
            dir.add_file(
                Cftype::new(name)
                    .with_private(which)
                    .read_seq_string(|cx| {
                        let m = *state(cx)?.cs.lock();
                        let v = if cx.private == FILE_CPULIST {
                            m.cpus_allowed
                        } else {
                            m.mems_allowed
                        };
                        Ok(format!("{}\n", print_list(v)))
                    })
                    .write_string(move |cx, s| {
                        write_resmask(cx, s, limits[(cx.private == FILE_MEMLIST) as usize])
                    }),
            )?;
        }
        let enabled = Arc::clone(&self.memory_pressure_enabled);
        let u64_file = |name: &str, private: u64| {
            Cftype::new(name)
                .with_private(private)
                .read_u64(|cx| {
                    let m = *state(cx)?.cs.lock();
                    Ok(flag_of(cx.private).map_or(0, |f| u64::from(m.flags & f != 0)))
                })
                .write_u64(cpuset_write_u64)
        };
        if self.has_2_6_26_files {
            for (name, private) in [
                ("cpu_exclusive", FILE_CPU_EXCLUSIVE),
                ("mem_exclusive", FILE_MEM_EXCLUSIVE),
                ("mem_hardwall", FILE_MEM_HARDWALL),
                ("sched_load_balance", FILE_SCHED_LOAD_BALANCE),
            ] {
                dir.add_file(u64_file(name, private))?;
            }
            dir.add_file(
                Cftype::new("sched_relax_domain_level")
                    .with_private(FILE_SCHED_RELAX_DOMAIN_LEVEL)
                    .read_s64(|cx| Ok(state(cx)?.cs.lock().relax_domain_level))
                    .write_s64(update_relax_domain_level),
            )?;
            dir.add_file(u64_file("memory_migrate", FILE_MEMORY_MIGRATE))?;
        } else {
            // 2.6.25's `cpuset_populate` order: `memory_migrate` before `sched_load_balance`.
            for (name, private) in [
                ("cpu_exclusive", FILE_CPU_EXCLUSIVE),
                ("mem_exclusive", FILE_MEM_EXCLUSIVE),
                ("memory_migrate", FILE_MEMORY_MIGRATE),
                ("sched_load_balance", FILE_SCHED_LOAD_BALANCE),
            ] {
                dir.add_file(u64_file(name, private))?;
            }
        }
        // `fmeter_getrate`: no direct reclaim is metered here (see Differences).
        dir.add_file(
            Cftype::new("memory_pressure")
                .with_private(FILE_MEMORY_PRESSURE)
                .with_mode(S_IRUGO)
                .read_u64(|_| Ok(0))
                .write_u64(cpuset_write_u64),
        )?;
        dir.add_file(u64_file("memory_spread_page", FILE_SPREAD_PAGE))?;
        dir.add_file(u64_file("memory_spread_slab", FILE_SPREAD_SLAB))?;
        if cx.parent.is_none() {
            let enabled_r = Arc::clone(&enabled);
            dir.add_file(
                Cftype::new("memory_pressure_enabled")
                    .with_private(FILE_MEMORY_PRESSURE_ENABLED)
                    .read_u64(move |_| Ok(u64::from(enabled_r.load(Ordering::Relaxed))))
                    .write_u64(move |_, v| {
                        enabled.store(v != 0, Ordering::Relaxed);
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

fn mask(n: u32) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// `nr_cpumask_bits` (`NR_CPUS`) and `MAX_NUMNODES` of the simulated kernel's build.
pub const NR_MASK_BITS: u32 = 64;

/// `cpuset_write_u64`: `update_flag` for the flag files, EACCES for `memory_pressure`.
fn cpuset_write_u64<T: Tracer>(cx: &CftCtx<'_, T>, val: u64) -> Result<(), Errno> {
    if cx.private == FILE_MEMORY_PRESSURE {
        return Err(Errno::EACCES);
    }
    let bit = flag_of(cx.private).ok_or(Errno::EINVAL)?;
    let cs = state(cx)?;
    let mut trial = *cs.cs.lock();
    // `update_flag(bit, cs, val)` takes `int turning_on`.
    if val as u32 != 0 {
        trial.flags |= bit;
    } else {
        trial.flags &= !bit;
    }
    validate_change(cx, &trial)?;
    cs.cs.lock().flags = trial.flags;
    Ok(())
}

/// `update_relax_domain_level`: -1 (the system default) up to the deepest scheduling domain
/// level.
fn update_relax_domain_level<T: Tracer>(cx: &CftCtx<'_, T>, val: i64) -> Result<(), Errno> {
    // 2.6.35: `SD_LV_MAX` (6). 3.10+ (the presets with the 3.10 core files):
    // `sched_domain_level_max`, 2 with the SMT, MC and CPU/DIE levels of x86-64.
    let max = if cx.core.profile().base_files == BaseFiles::V3_10 {
        2
    } else {
        6
    };
    if val < -1 || val >= max {
        return Err(Errno::EINVAL);
    }
    state(cx)?.cs.lock().relax_domain_level = val;
    Ok(())
}

/// `validate_change(cur, trial)` for the cpuset of `cx` (2.6.35; the same rules in 3.10).
fn validate_change<T: Tracer>(cx: &CftCtx<'_, T>, trial: &CpusetMasks) -> Result<(), Errno> {
    let subsys_id = cx.css.as_ref().ok_or(Errno::ENODEV)?.subsys_id();
    let cs_of = |cgrp| -> Result<CpusetMasks, Errno> {
        Ok(*cx
            .core
            .cgroup_css(cgrp, subsys_id)?
            .and_then(|c| c.private::<CpusetState>())
            .ok_or(Errno::ENODEV)?
            .cs
            .lock())
    };
    // Each of our child cpusets must be a subset of us.
    for child in cx.core.children(cx.cgrp)? {
        if !cs_of(child)?.is_subset(trial) {
            return Err(Errno::EBUSY);
        }
    }
    // The remaining checks do not apply to the top cpuset.
    let Some(parent) = cx.core.parent(cx.cgrp)? else {
        return Ok(());
    };
    // We must be a subset of our parent cpuset.
    if !trial.is_subset(&cs_of(parent)?) {
        return Err(Errno::EACCES);
    }
    // If either I or some sibling (not me) is exclusive, we cannot overlap.
    for sib in cx.core.children(parent)? {
        if sib == cx.cgrp {
            continue;
        }
        let c = cs_of(sib)?;
        if (trial.cpu_exclusive() || c.cpu_exclusive()) && trial.cpus_allowed & c.cpus_allowed != 0
        {
            return Err(Errno::EINVAL);
        }
        if (trial.mem_exclusive() || c.mem_exclusive()) && trial.mems_allowed & c.mems_allowed != 0
        {
            return Err(Errno::EINVAL);
        }
    }
    // Cpusets with tasks cannot have empty cpus_allowed or mems_allowed.
    if cx.core.task_count(cx.cgrp)? > 0 && (trial.cpus_allowed == 0 || trial.mems_allowed == 0) {
        return Err(Errno::ENOSPC);
    }
    Ok(())
}

/// `cpuset_write_resmask` → `update_cpumask` / `update_nodemask` (2.6.35), on the stripped
/// buffer `cgroup_write_string` hands over.
fn write_resmask<T: Tracer>(cx: &CftCtx<'_, T>, buf: &str, online: u32) -> Result<(), Errno> {
    let cpus = cx.private == FILE_CPULIST;
    // "top_cpuset.cpus_allowed tracks cpu_online_map; it's read-only": checked before the
    // buffer is looked at (update_cpumask / update_nodemask, v2.6.35).
    if cx.core.parent(cx.cgrp)?.is_none() {
        return Err(Errno::EACCES);
    }
    // An empty buffer clears the mask (cpulist_parse would fail on it); otherwise parse, then
    // refuse CPUs that are not active (`cpu_active_mask`) / nodes without memory
    // (`node_states[N_HIGH_MEMORY]`) with EINVAL.
    let new = if buf.is_empty() {
        0
    } else {
        let m = bitmap_parselist(buf, NR_MASK_BITS)?;
        if m & !mask(online) != 0 {
            return Err(Errno::EINVAL);
        }
        m
    };
    let cs = state(cx)?;
    let mut trial = *cs.cs.lock();
    if cpus {
        trial.cpus_allowed = new;
    } else {
        // update_nodemask returns before validate_change when nothing changes; update_cpumask
        // validates first.
        if trial.mems_allowed == new {
            return Ok(());
        }
        trial.mems_allowed = new;
    }
    validate_change(cx, &trial)?;
    let mut cur = cs.cs.lock();
    if cpus {
        cur.cpus_allowed = new;
    } else {
        cur.mems_allowed = new;
    }
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

mod dfl;

#[cfg(test)]
mod tests;
