//! The cpuset controller's files on the default hierarchy (`dfl_files[]`, 6.6):
//! `cpuset.cpus`, `cpuset.mems` and `cpuset.cpus.partition` (not in the root), and
//! `cpuset.cpus.effective`, `cpuset.mems.effective` (every cpuset, the root's too).
//!
//! **Kernel:** `kernel/cgroup/cpuset.c` v6.6: `cpuset_common_seq_show` (`%*pbl`, so an empty
//! mask reads as an empty line), `cpuset_write_resmask` → `update_cpumask` / `update_nodemask`
//! (the top cpuset is EACCES; an empty buffer clears the mask; `cpulist_parse` /
//! `nodelist_parse` with 6.6's `lib/bitmap.c` `bitmap_parselist`; a mask that is not a subset
//! of the top cpuset's is EINVAL; nothing changes when the mask is the same), `validate_change`
//! (in v2 mode without `validate_change_legacy`: neither children nor parent bound the new
//! mask; a populated cpuset cannot lose its last CPU or node, ENOSPC), the effective masks of
//! `update_cpumasks_hier` / `update_nodemasks_hier` (`cpus_allowed` & the parent's effective
//! mask, or the parent's effective mask when that is empty), `sched_partition_show` /
//! `sched_partition_write` (`member`, `root`, `isolated`; anything else EINVAL) and
//! `perr_strings[]` for the invalid states.
//! **Differences:** a partition root is modelled for a cpuset whose parent is a partition root:
//! it takes its `cpuset.cpus` out of the parent's effective CPUs (`subparts_cpus`), with the
//! checks of `update_prstate` / `update_parent_subparts_cpumask` that decide `root invalid`
//! (empty, not exclusive, not within the parent's effective CPUs, or every CPU of a populated
//! parent); the later changes that can invalidate a valid partition (writing `cpuset.cpus` of
//! a partition root or of its parent, CPU hot-unplug) and the scheduling domains of `isolated`
//! are not modelled. The masks constrain nothing (the simulated scheduler has no placement).

use super::{
    CS_CPU_EXCLUSIVE, CS_MEM_EXCLUSIVE, CpusetMasks, CpusetState, FILE_CPULIST, FILE_MEMLIST, mask,
    print_list, state,
};
use crate::CgroupId;
use crate::cftype::{CFTYPE_NOT_ON_ROOT, CftCtx, Cftype};
use cgsim_ktypes::{Errno, Tracer};
use std::sync::Arc;

/// `cpuset_filetype_t` values of the v2-only files.
const FILE_EFFECTIVE_CPULIST: u64 = 20;
const FILE_EFFECTIVE_MEMLIST: u64 = 21;
const FILE_PARTITION_ROOT: u64 = 22;

/// `MAX_NUMNODES` of a Debian 6.6 build (`CONFIG_NODES_SHIFT=10`): the `nbits` of
/// `nodelist_parse`.
const MAX_NUMNODES: u32 = 1 << 10;

/// `partition_root_state`: member, root or isolated; a negative value is the invalid form.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Partition {
    /// `PRS_MEMBER` 0, `PRS_ROOT` 1, `PRS_ISOLATED` 2, negated when invalid.
    pub prs: i8,
    /// `prs_err`: the index into `perr_strings[]` of an invalid partition.
    pub err: Option<&'static str>,
}

/// `perr_strings[]` (6.6).
const PERR_INVCPUS: &str = "Invalid cpu list in cpuset.cpus";
const PERR_NOTPART: &str = "Parent is not a partition root";
const PERR_NOTEXCL: &str = "Cpu list in cpuset.cpus not exclusive";
const PERR_NOCPUS: &str = "Parent unable to distribute cpu downstream";
const PERR_CPUSEMPTY: &str = "cpuset.cpus is empty";

/// The cpuset of `cgrp` (its css of `subsys_id`).
fn cs_of<T: Tracer>(
    cx: &CftCtx<'_, T>,
    cgrp: CgroupId,
    subsys_id: usize,
) -> Result<Arc<CpusetState>, Errno> {
    cx.core
        .cgroup_css(cgrp, subsys_id)?
        .and_then(|c| c.private::<CpusetState>())
        .ok_or(Errno::ENODEV)
}

/// The effective CPUs (`cpus` true) or memory nodes of `cgrp`: the top cpuset has them all;
/// a valid partition root has its own `cpus_allowed`; another cpuset has `cpus_allowed` & its
/// parent's effective mask, or the parent's when that is empty; then the CPUs its valid
/// partition-root children took (`subparts_cpus`) are gone.
fn effective<T: Tracer>(
    cx: &CftCtx<'_, T>,
    cgrp: CgroupId,
    subsys_id: usize,
    cpus: bool,
    online: u32,
) -> Result<u64, Errno> {
    let m = *cs_of(cx, cgrp, subsys_id)?.cs.lock();
    let own = if cpus { m.cpus_allowed } else { m.mems_allowed };
    let mut eff = match cx.core.parent(cgrp)? {
        None => mask(online),
        Some(_) if cpus && m.partition.prs > 0 => own,
        Some(p) => {
            let pe = effective(cx, p, subsys_id, cpus, online)?;
            if own & pe == 0 { pe } else { own & pe }
        }
    };
    if cpus {
        for child in cx.core.children(cgrp)? {
            if let Ok(c) = cs_of(cx, child, subsys_id) {
                let c = *c.cs.lock();
                if c.partition.prs > 0 {
                    eff &= !c.cpus_allowed;
                }
            }
        }
    }
    Ok(eff)
}

/// `bitmap_parselist` of 6.6's `lib/bitmap.c`: regions separated by commas or white space
/// (leading, trailing and repeated separators are skipped), each `A`, `A-B` or `A-B:USED/GROUP`,
/// where a number may be `N` (the last bit); a region that does not end at a separator or at
/// the end is EINVAL, as are `A > B`, a zero group and `USED > GROUP`; a bit at or past
/// `nbits` is ERANGE; a number past 2^32 - 1 is EOVERFLOW. Bits past 63 are reported by the
/// second value (the simulated kernel has at most 64 CPUs and nodes online).
pub fn bitmap_parselist(s: &str, nbits: u32) -> Result<(u64, bool), Errno> {
    let b = s.as_bytes();
    let end_of_str = |c: Option<&u8>| matches!(c, None | Some(b'\0') | Some(b'\n'));
    let sep = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_whitespace() || *c == b',');
    let end_of_region = |c: Option<&u8>| sep(c) || end_of_str(c);
    let lastbit = nbits.wrapping_sub(1);
    let getnum = |i: &mut usize| -> Result<u32, Errno> {
        if b.get(*i) == Some(&b'N') {
            *i += 1;
            return Ok(lastbit);
        }
        let start = *i;
        let mut n: u64 = 0;
        let mut overflow = false;
        while let Some(d) = b.get(*i).filter(|c| c.is_ascii_digit()) {
            n = n.saturating_mul(10).saturating_add(u64::from(d - b'0'));
            overflow |= n > u64::from(u32::MAX);
            *i += 1;
        }
        if *i == start {
            return Err(Errno::EINVAL);
        }
        if overflow {
            return Err(Errno::EOVERFLOW);
        }
        Ok(n as u32)
    };
    let (mut m, mut high) = (0u64, false);
    let mut i = 0;
    loop {
        while sep(b.get(i)) && !end_of_str(b.get(i)) {
            i += 1;
        }
        if end_of_str(b.get(i)) {
            return Ok((m, high));
        }
        let start = getnum(&mut i)?;
        let (mut end, mut off, mut group) = (start, 0, 0);
        let mut pattern = false;
        if !end_of_region(b.get(i)) {
            if b.get(i) != Some(&b'-') {
                return Err(Errno::EINVAL);
            }
            i += 1;
            end = getnum(&mut i)?;
            if !end_of_region(b.get(i)) {
                if b.get(i) != Some(&b':') {
                    return Err(Errno::EINVAL);
                }
                i += 1;
                off = getnum(&mut i)?;
                if b.get(i) != Some(&b'/') {
                    return Err(Errno::EINVAL);
                }
                i += 1;
                group = getnum(&mut i)?;
                if !end_of_region(b.get(i)) {
                    return Err(Errno::EINVAL);
                }
                pattern = true;
            }
        }
        if !pattern {
            off = end.wrapping_add(1);
            group = end.wrapping_add(1);
        }
        // bitmap_check_region.
        if start > end || group == 0 || off > group {
            return Err(Errno::EINVAL);
        }
        if end >= nbits {
            return Err(Errno::ERANGE);
        }
        // bitmap_set_region.
        let mut s = start;
        while s <= end {
            let last = end.min(s + off - 1);
            for bit in s..=last {
                if bit < 64 {
                    m |= 1 << bit;
                } else {
                    high = true;
                }
            }
            match s.checked_add(group) {
                Some(n) => s = n,
                None => break,
            }
        }
    }
}

/// `update_cpumask` / `update_nodemask` (6.6) on the stripped buffer.
fn write_resmask<T: Tracer>(
    cx: &CftCtx<'_, T>,
    buf: &str,
    nr_cpus: u32,
    nr_nodes: u32,
) -> Result<(), Errno> {
    let cpus = cx.private == FILE_CPULIST;
    // top_cpuset's masks track the online CPUs and nodes: read-only.
    if cx.core.parent(cx.cgrp)?.is_none() {
        return Err(Errno::EACCES);
    }
    let online = if cpus { nr_cpus } else { nr_nodes };
    let new = if buf.is_empty() {
        0
    } else {
        // cpulist_parse takes nr_cpumask_bits (nr_cpu_ids in 6.6), nodelist_parse MAX_NUMNODES.
        let nbits = if cpus { nr_cpus } else { MAX_NUMNODES };
        let (m, high) = bitmap_parselist(buf, nbits)?;
        // Not a subset of top_cpuset's cpus_allowed / mems_allowed.
        if high || m & !mask(online) != 0 {
            return Err(Errno::EINVAL);
        }
        m
    };
    let cs = state(cx)?;
    let cur = *cs.cs.lock();
    let (old, trial) = if cpus {
        (
            cur.cpus_allowed,
            CpusetMasks {
                cpus_allowed: new,
                ..cur
            },
        )
    } else {
        (
            cur.mems_allowed,
            CpusetMasks {
                mems_allowed: new,
                ..cur
            },
        )
    };
    // "Nothing to do if the cpus didn't change" (and the nodes likewise).
    if old == new {
        return Ok(());
    }
    validate_change_v2(cx, &cur, &trial)?;
    let mut cur = cs.cs.lock();
    if cpus {
        cur.cpus_allowed = new;
    } else {
        cur.mems_allowed = new;
    }
    Ok(())
}

/// `validate_change` in v2 mode (6.6): no `validate_change_legacy`; a populated cpuset (or one
/// with a descendant's tasks) cannot go from some CPUs (nodes) to none (ENOSPC); exclusive
/// siblings cannot overlap (EINVAL).
fn validate_change_v2<T: Tracer>(
    cx: &CftCtx<'_, T>,
    cur: &CpusetMasks,
    trial: &CpusetMasks,
) -> Result<(), Errno> {
    let Some(parent) = cx.core.parent(cx.cgrp)? else {
        return Ok(());
    };
    if cx.core.cgroup_is_populated(cx.cgrp)?
        && ((cur.cpus_allowed != 0 && trial.cpus_allowed == 0)
            || (cur.mems_allowed != 0 && trial.mems_allowed == 0))
    {
        return Err(Errno::ENOSPC);
    }
    let subsys_id = cx.css.as_ref().ok_or(Errno::ENODEV)?.subsys_id();
    for sib in cx.core.children(parent)? {
        if sib == cx.cgrp {
            continue;
        }
        let c = *cs_of(cx, sib, subsys_id)?.cs.lock();
        if (trial.flags & CS_CPU_EXCLUSIVE != 0 || c.flags & CS_CPU_EXCLUSIVE != 0)
            && trial.cpus_allowed & c.cpus_allowed != 0
        {
            return Err(Errno::EINVAL);
        }
        if (trial.flags & CS_MEM_EXCLUSIVE != 0 || c.flags & CS_MEM_EXCLUSIVE != 0)
            && trial.mems_allowed & c.mems_allowed != 0
        {
            return Err(Errno::EINVAL);
        }
    }
    Ok(())
}

/// `sched_partition_show`.
fn partition_show(p: Partition) -> String {
    let name = match p.prs.abs() {
        0 => return "member\n".to_string(),
        1 => "root",
        _ => "isolated",
    };
    match (p.prs < 0, p.err) {
        (false, _) => format!("{name}\n"),
        (true, Some(err)) => format!("{name} invalid ({err})\n"),
        (true, None) => format!("{name} invalid\n"),
    }
}

/// `sched_partition_write` → `update_prstate` (6.6), for the cases the Differences list.
fn partition_write<T: Tracer>(cx: &CftCtx<'_, T>, buf: &str, nr_cpus: u32) -> Result<(), Errno> {
    let new_prs: i8 = match buf {
        "root" => 1,
        "member" => 0,
        "isolated" => 2,
        _ => return Err(Errno::EINVAL),
    };
    let cs = state(cx)?;
    let cur = *cs.cs.lock();
    let old_prs = cur.partition.prs;
    // "Treat a previously invalid partition root as if it is a member" when asked to be one of
    // the same kind again; the same valid state is nothing to do.
    if old_prs == new_prs {
        return Ok(());
    }
    if new_prs == 0 {
        // Back to member: the CPUs return to the parent, the exclusive flag goes.
        let mut c = cs.cs.lock();
        c.partition = Partition::default();
        c.flags &= !CS_CPU_EXCLUSIVE;
        return Ok(());
    }
    if old_prs > 0 {
        // root <-> isolated: the same CPUs, another kind.
        cs.cs.lock().partition.prs = new_prs;
        return Ok(());
    }
    let subsys_id = cx.css.as_ref().ok_or(Errno::ENODEV)?.subsys_id();
    let parent = cx.core.parent(cx.cgrp)?.ok_or(Errno::EINVAL)?;
    let err = partition_enable_error(cx, &cur, parent, subsys_id, nr_cpus)?;
    let mut c = cs.cs.lock();
    match err {
        None => {
            c.flags |= CS_CPU_EXCLUSIVE;
            c.partition = Partition {
                prs: new_prs,
                err: None,
            };
        }
        Some(e) => {
            c.partition = Partition {
                prs: -new_prs,
                err: Some(e),
            };
        }
    }
    Ok(())
}

/// Why a member cannot become a valid partition root (`update_prstate`: `PERR_CPUSEMPTY`, then
/// `update_flag(CS_CPU_EXCLUSIVE)` failing as `PERR_NOTEXCL`, then
/// `update_parent_subparts_cpumask(partcmd_enable)`).
fn partition_enable_error<T: Tracer>(
    cx: &CftCtx<'_, T>,
    cur: &CpusetMasks,
    parent: CgroupId,
    subsys_id: usize,
    nr_cpus: u32,
) -> Result<Option<&'static str>, Errno> {
    if cur.cpus_allowed == 0 {
        return Ok(Some(PERR_CPUSEMPTY));
    }
    let trial = CpusetMasks {
        flags: cur.flags | CS_CPU_EXCLUSIVE,
        ..*cur
    };
    if validate_change_v2(cx, cur, &trial).is_err() {
        return Ok(Some(PERR_NOTEXCL));
    }
    let p = *cs_of(cx, parent, subsys_id)?.cs.lock();
    let parent_is_root = cx.core.parent(parent)?.is_none();
    if !parent_is_root && p.partition.prs <= 0 {
        return Ok(Some(PERR_NOTPART));
    }
    let peff = effective(cx, parent, subsys_id, true, nr_cpus)?;
    if cur.cpus_allowed & !peff != 0 {
        return Ok(Some(PERR_INVCPUS));
    }
    // Every effective CPU of a parent that still has tasks elsewhere.
    if peff & !cur.cpus_allowed == 0 && cx.core.task_count(parent)? > 0 {
        return Ok(Some(PERR_NOCPUS));
    }
    Ok(None)
}

/// The cpuset controller's `dfl_files[]`.
pub(super) fn dfl_files<T: Tracer>(nr_cpus: u32, nr_nodes: u32) -> Vec<Cftype<T>> {
    let list = |name: &str, which: u64| {
        Cftype::new(name)
            .with_private(which)
            .read_seq_string(move |cx| {
                let subsys_id = cx.css.as_ref().ok_or(Errno::ENODEV)?.subsys_id();
                let v = match cx.private {
                    FILE_CPULIST => state(cx)?.cs.lock().cpus_allowed,
                    FILE_MEMLIST => state(cx)?.cs.lock().mems_allowed,
                    FILE_EFFECTIVE_CPULIST => effective(cx, cx.cgrp, subsys_id, true, nr_cpus)?,
                    _ => effective(cx, cx.cgrp, subsys_id, false, nr_nodes)?,
                };
                Ok(format!("{}\n", print_list(v)))
            })
    };
    vec![
        list("cpus", FILE_CPULIST)
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .write_string(move |cx, s| write_resmask(cx, s, nr_cpus, nr_nodes)),
        list("mems", FILE_MEMLIST)
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .write_string(move |cx, s| write_resmask(cx, s, nr_cpus, nr_nodes)),
        list("cpus.effective", FILE_EFFECTIVE_CPULIST),
        list("mems.effective", FILE_EFFECTIVE_MEMLIST),
        Cftype::new("cpus.partition")
            .with_private(FILE_PARTITION_ROOT)
            .with_flags(CFTYPE_NOT_ON_ROOT)
            .read_seq_string(|cx| Ok(partition_show(state(cx)?.cs.lock().partition)))
            .write_string(move |cx, s| partition_write(cx, s, nr_cpus)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 6.6 `lib/bitmap.c` `bitmap_parselist`: separators anywhere, `N`, groups, errnos.
    #[test]
    fn bitmap_parselist_as_6_6() {
        use Errno::*;
        type Case = (&'static str, Result<(u64, bool), Errno>);
        let cases: &[Case] = &[
            ("0", Ok((1, false))),
            ("0,", Ok((1, false))),
            (",0,,1 ", Ok((3, false))),
            ("0-N", Ok((0xff, false))),
            ("0-7:2/4", Ok((0x33, false))),
            ("", Ok((0, false))),
            ("1-0", Err(EINVAL)),
            ("0-", Err(EINVAL)),
            ("x", Err(EINVAL)),
            ("0-7:5/4", Err(EINVAL)),
            ("0-7:1/0", Err(EINVAL)),
            ("1x", Err(EINVAL)),
            ("8", Err(ERANGE)),
            ("4294967296", Err(EOVERFLOW)),
        ];
        for (text, want) in cases {
            assert_eq!(bitmap_parselist(text, 8), *want, "{text:?}");
        }
        assert_eq!(bitmap_parselist("64", 1024), Ok((0, true)));
    }

    #[test]
    fn partition_text() {
        assert_eq!(partition_show(Partition::default()), "member\n");
        assert_eq!(
            partition_show(Partition {
                prs: -1,
                err: Some(PERR_CPUSEMPTY)
            }),
            "root invalid (cpuset.cpus is empty)\n"
        );
        assert_eq!(
            partition_show(Partition { prs: 2, err: None }),
            "isolated\n"
        );
    }
}
