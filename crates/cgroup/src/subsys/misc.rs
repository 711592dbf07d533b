//! The miscellaneous controller (`misc_cgrp_subsys`): limits on scalar resources a driver
//! registers with a capacity (AMD SEV and SEV-ES ASIDs in 6.6).
//!
//! **Kernel:** `kernel/cgroup/misc.c`, v6.6: `misc.max` (not in the root), `misc.current`,
//! `misc.capacity` (root only) and `misc.events` (not in the root; `misc.events.local` came
//! in 6.9). Each prints a line per resource type whose capacity is not 0 (`current` and
//! `events` also one whose count is not 0). `misc_cg_max_write` strips the line, splits the
//! resource name at the first space (EINVAL without a value or for an unknown name), parses
//! `max` or `kstrtou64(buf, 0)` (EINVAL, ERANGE past 64 bits) and then refuses a resource of
//! capacity 0 with EINVAL. With `CONFIG_KVM_AMD_SEV=y`, as Ubuntu and Debian build it, the
//! names are `sev` and `sev_es`.
//!
//! **Differences:** none for a machine without SEV, which this one is: the capacities stay 0
//! (`kvm_amd` sets them only on SEV hardware), so every file reads empty and a write naming
//! `sev` or `sev_es` is EINVAL once its value parses.

use crate::cftype::{CFTYPE_NOT_ON_ROOT, CFTYPE_ONLY_ON_ROOT, Cftype};
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx};
use cgsim_ktypes::parse::{strstrip, until_nul};
use cgsim_ktypes::{Errno, Tracer};

/// `misc_res_name[]`.
const RES_NAMES: [&[u8]; 2] = [b"sev", b"sev_es"];

/// The `misc` subsystem.
#[derive(Copy, Clone, Debug, Default)]
pub struct Misc;

/// `kstrtou64(s, 0, &v)`: an optional `+`, then `0x`/`0` prefixes choose the base; the whole
/// string must be digits (one trailing newline allowed); ERANGE on overflow.
fn kstrtou64_base0(s: &[u8]) -> Result<u64, Errno> {
    let s = s.strip_prefix(b"+").unwrap_or(s);
    let s = s.strip_suffix(b"\n").unwrap_or(s);
    let (base, digits) = if let Some(h) = s.strip_prefix(b"0x").or(s.strip_prefix(b"0X")) {
        (16, h)
    } else if s.len() > 1 && s[0] == b'0' {
        (8, &s[1..])
    } else {
        (10, s)
    };
    if digits.is_empty() {
        return Err(Errno::EINVAL);
    }
    let mut v: u64 = 0;
    for &b in digits {
        let d = (b as char).to_digit(base).ok_or(Errno::EINVAL)?;
        v = v
            .checked_mul(u64::from(base))
            .and_then(|v| v.checked_add(u64::from(d)))
            .ok_or(Errno::ERANGE)?;
    }
    Ok(v)
}

/// `misc_cg_max_write`.
fn max_write(data: &[u8]) -> Result<usize, Errno> {
    let buf = strstrip(until_nul(data));
    let mut it = buf.splitn(2, |&b| b == b' ');
    let token = it.next().unwrap_or_default();
    let value = it.next().ok_or(Errno::EINVAL)?;
    if !RES_NAMES.contains(&token) {
        return Err(Errno::EINVAL);
    }
    if value != b"max" {
        kstrtou64_base0(value)?;
    }
    // misc_res_capacity[type] is 0: no SEV.
    Err(Errno::EINVAL)
}

impl<T: Tracer> CgroupSubsys<T> for Misc {
    fn name(&self) -> &'static str {
        "misc"
    }

    fn symbol_prefix(&self) -> &'static str {
        "misc_cg"
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY.with(SubsysCallback::Populate)
    }

    /// `misc_cg_files[]` (the same on both hierarchies).
    fn populate(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        let empty = |_: &crate::cftype::CftCtx<'_, T>| Ok(String::new());
        dir.add_file(
            Cftype::new("max")
                .with_flags(CFTYPE_NOT_ON_ROOT)
                .read_seq_string(empty)
                .write_raw(|_, d| max_write(d)),
        )?;
        dir.add_file(Cftype::new("current").read_seq_string(empty))?;
        dir.add_file(
            Cftype::new("capacity")
                .with_flags(CFTYPE_ONLY_ON_ROOT)
                .read_seq_string(empty),
        )?;
        dir.add_file(
            Cftype::new("events")
                .with_flags(CFTYPE_NOT_ON_ROOT)
                .read_seq_string(empty),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes() {
        assert_eq!(max_write(b"sev 5\n"), Err(Errno::EINVAL));
        assert_eq!(max_write(b"sev max\n"), Err(Errno::EINVAL));
        assert_eq!(max_write(b"sev\n"), Err(Errno::EINVAL));
        assert_eq!(max_write(b"tdx 1\n"), Err(Errno::EINVAL));
        assert_eq!(
            max_write(b"sev_es 99999999999999999999\n"),
            Err(Errno::ERANGE)
        );
        assert_eq!(max_write(b"sev abc\n"), Err(Errno::EINVAL));
    }
}
