//! The RDMA controller (`rdma_cgrp_subsys`): limits on the HCA handles and objects of each
//! RDMA device.
//!
//! **Kernel:** `kernel/cgroup/rdma.c`, v6.6: `rdma.max` and `rdma.current`, neither in the
//! root (`CFTYPE_NOT_ON_ROOT`), print a line per registered RDMA device
//! (`rdmacg_resource_read`). `rdmacg_resource_set_max` strips the line, takes the device name
//! up to the first space, then parses the rest as space-separated `hca_handle=N` /
//! `hca_object=N` / `...=max` (`parse_resource`: an unknown name, a missing `=`, an empty
//! token or a negative number is EINVAL; the value is `match_int`, else a prefix of `max`,
//! so `hca_handle=` means max), and only then looks the device up: ENODEV when no such device
//! is registered.
//!
//! **Differences:** none for a machine without RDMA hardware, which this one is: no device is
//! registered, so both files read empty and a well-formed write is ENODEV.

use crate::cftype::{CFTYPE_NOT_ON_ROOT, Cftype};
use crate::css::CssRef;
use crate::subsys::{CallbackSet, CgroupSubsys, PopulateDir, SubsysCallback, SubsysCtx};
use cgsim_ktypes::parse::{strstrip, until_nul};
use cgsim_ktypes::{Errno, Tracer};

/// `rdmacg_resource_names[]`.
const RESOURCES: [&[u8]; 2] = [b"hca_handle", b"hca_object"];

/// The `rdma` subsystem.
#[derive(Copy, Clone, Debug, Default)]
pub struct Rdma;

/// `parse_resource` of one `name=value` token.
fn parse_resource(c: &[u8]) -> Result<(), Errno> {
    let eq = c.iter().position(|&b| b == b'=').ok_or(Errno::EINVAL)?;
    let (name, value) = (&c[..eq], &c[eq + 1..]);
    if !RESOURCES.contains(&name) {
        return Err(Errno::EINVAL);
    }
    // match_int: simple_strtol (a `-`, digits), ERANGE outside an int.
    let (neg, digits) = match value.first() {
        Some(b'-') => (true, &value[1..]),
        _ => (false, value),
    };
    let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if n > 0 {
        let v = digits[..n]
            .iter()
            .try_fold(0i64, |v, &b| {
                v.checked_mul(10)?.checked_add(i64::from(b - b'0'))
            })
            .map(|v| if neg { -v } else { v });
        if let Some(v) = v.filter(|v| i32::try_from(*v).is_ok()) {
            return if v < 0 { Err(Errno::EINVAL) } else { Ok(()) };
        }
    }
    // strncmp(value, "max", strlen(value)): a prefix of "max", the empty one included.
    if b"max".starts_with(value) {
        return Ok(());
    }
    Err(Errno::EINVAL)
}

/// `rdmacg_resource_set_max`.
fn set_max(data: &[u8]) -> Result<usize, Errno> {
    let buf = strstrip(until_nul(data));
    let mut it = buf.splitn(2, |&b| b == b' ');
    let _dev_name = it.next().unwrap_or_default();
    if let Some(options) = it.next() {
        for c in options.split(|&b| b == b' ') {
            parse_resource(c)?;
        }
    }
    // rdmacg_get_device_locked: no RDMA device is registered.
    Err(Errno::ENODEV)
}

impl<T: Tracer> CgroupSubsys<T> for Rdma {
    fn name(&self) -> &'static str {
        "rdma"
    }

    fn symbol_prefix(&self) -> &'static str {
        "rdmacg"
    }

    fn callbacks(&self) -> CallbackSet {
        CallbackSet::MANDATORY.with(SubsysCallback::Populate)
    }

    /// `rdmacg_files[]` (the same on both hierarchies).
    fn populate(
        &self,
        _cx: &SubsysCtx<'_, T>,
        _css: &CssRef,
        dir: &mut PopulateDir<T>,
    ) -> Result<(), Errno> {
        dir.add_file(
            Cftype::new("max")
                .with_flags(CFTYPE_NOT_ON_ROOT)
                .read_seq_string(|_| Ok(String::new()))
                .write_raw(|_, d| set_max(d)),
        )?;
        dir.add_file(
            Cftype::new("current")
                .with_flags(CFTYPE_NOT_ON_ROOT)
                .read_seq_string(|_| Ok(String::new())),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes() {
        assert_eq!(set_max(b"mlx4_0 hca_handle=2\n"), Err(Errno::ENODEV));
        assert_eq!(
            set_max(b"mlx4_0 hca_handle=max hca_object=\n"),
            Err(Errno::ENODEV)
        );
        assert_eq!(set_max(b"mlx4_0\n"), Err(Errno::ENODEV));
        assert_eq!(set_max(b"mlx4_0 hca_handle=-1\n"), Err(Errno::EINVAL));
        assert_eq!(set_max(b"mlx4_0 foo=1\n"), Err(Errno::EINVAL));
        assert_eq!(set_max(b"mlx4_0 hca_handle\n"), Err(Errno::EINVAL));
        assert_eq!(set_max(b"mlx4_0 hca_handle=mx\n"), Err(Errno::EINVAL));
        assert_eq!(set_max(b"mlx4_0  hca_handle=1\n"), Err(Errno::EINVAL));
    }
}
