//! `kernel.pid_max`: `/proc/sys/kernel/pid_max`, the limit `alloc_pid` allocates below; and
//! `kernel.shmmax`: `/proc/sys/kernel/shmmax`, the largest SysV shared memory segment.
//!
//! **Kernel:** `kernel/pid.c` (`pid_max`, `pid_max_min`, `pid_max_max`, `alloc_pidmap`, v2.6.35;
//! `alloc_pid` with `idr_alloc_cyclic` from v4.15), `include/linux/threads.h`
//! (`PID_MAX_DEFAULT` 0x8000, `PID_MAX_LIMIT` 4 * 1024 * 1024 on 64-bit, `RESERVED_PIDS` 300),
//! `kernel/sysctl.c` (the `pid_max` entry: mode 0644, `proc_dointvec_minmax` between
//! `pid_max_min` and `pid_max_max`; `__do_proc_dointvec`, `proc_get_long`), `kernel/fork.c`
//! `copy_process` (the errno of a fork that finds no free pid).
//!
//! - The range is the same in every preset: `pid_max_min` = `RESERVED_PIDS + 1` = 301 and
//!   `pid_max_max` = `PID_MAX_LIMIT` = 4194304 (64-bit). 2.6.36+ raise `pid_max_min` to
//!   `PIDS_PER_CPU_MIN` (8) per possible CPU and the default to 1024 per CPU, which changes
//!   nothing below 37 CPUs.
//! - A write is parsed as `proc_dointvec_minmax` does: leading white space skipped, an
//!   optional `-`, a number in base 0 (`0x` hex, leading `0` octal), which must be followed by
//!   white space or the end of the write; a value outside the range, no number, or a number
//!   followed by anything else is `EINVAL` and leaves `pid_max` as it was. The write consumes
//!   the number and the white space after it (a second number is left unconsumed).
//! - Pids already in use above a lowered `pid_max` stay; the next allocation wraps.
//! - When every pid in `RESERVED_PIDS..pid_max` (and below 300 before the first wrap) is in
//!   use, `fork` fails with `ENOMEM` up to 3.19 (`copy_process` set `retval = -ENOMEM` before
//!   `alloc_pid`) and `EAGAIN` from 4.1 (commit 35f71bc0a09a, "fork: report pid reservation
//!   failure properly"), so 4.19 and 6.6 return `EAGAIN`.
//!
//! `kernel.shmmax` (`ipc/ipc_sysctl.c`, v2.6.35: mode 0644, `proc_ipc_doulongvec_minmax`,
//! no bounds; `kernel/sysctl.c` `__do_proc_doulongvec_minmax`): the boot value is `SHMMAX` of
//! `include/linux/shm.h`, 32 MiB until v3.15, `ULONG_MAX - (1UL << 24)` from v3.16 (the "no
//! limit" default, 64-bit). Only root can open it for writing (the mode; EACCES otherwise). A
//! write is parsed as `pid_max`'s is (white space, an optional `-`, a base-0 number followed by
//! white space or the end), as an `unsigned long`: a negative number is skipped (the write
//! succeeds and changes nothing, `if (neg) continue`), anything else that does not parse is
//! `EINVAL`; 2.6.35's `simple_strtoul` wraps a number above `ULONG_MAX` instead of refusing it.
//! The value limits nothing here (cgsim has no `shmget` size check against it).
//!
//! **Differences:** a number too large for an `int` (above 2147483647) is `EINVAL`; 2.6.35's
//! `do_proc_dointvec_minmax_conv` truncated it to an `int` first, so `4294967296` (0 as an
//! `int`) was also `EINVAL` but `4294967597` (301) was accepted. The file position is ignored:
//! every write is parsed from its first byte (2.6.35 behaves so; 3.16+'s `sysctl_writes_strict`
//! ignores a write at a non-zero position, which `echo N >` never makes). 6.14+'s per-namespace
//! `pid_max` does not exist in any preset.

use crate::state::State;
use crate::{Kernel, KernelVersion};
use cgsim_ktypes::parse::simple_strtoull;
use cgsim_ktypes::{Errno, Pid, SysError, SysResult, Tracer};

/// `RESERVED_PIDS`: after the first wrap, allocation restarts here (pid 300 is handed out).
pub(crate) const RESERVED_PIDS: i32 = 300;
/// `pid_max_min`: `RESERVED_PIDS + 1`.
pub(crate) const PID_MAX_MIN: i32 = RESERVED_PIDS + 1;
/// `PID_MAX_LIMIT` on a 64-bit kernel (`pid_max_max`): 4 * 1024 * 1024.
pub const PID_MAX_LIMIT: i32 = 4 * 1024 * 1024;

/// A boot-time `pid_max` held to the sysctl's range.
pub(crate) fn clamp_pid_max(v: i32) -> i32 {
    v.clamp(PID_MAX_MIN, PID_MAX_LIMIT)
}

/// The kernel's `isspace` for the bytes a sysctl write may hold (`_ctype`: `\t\n\v\f\r`,
/// space and 0xA0).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0xa0)
}

/// `proc_get_long` after the leading white space, for one number of a sysctl write: whether it
/// was negative, its magnitude, and the number of bytes consumed (the number and the white
/// space after it), or `EINVAL`.
fn proc_get_long(data: &[u8]) -> Result<(bool, u64, usize), Errno> {
    // The kernel copies at most PAGE_SIZE - 1 bytes of the write.
    let data = &data[..data.len().min(4095)];
    let start = data
        .iter()
        .position(|&b| !is_space(b))
        .ok_or(Errno::EINVAL)?;
    let mut p = &data[start..];
    let neg = p.first() == Some(&b'-');
    if neg {
        p = &p[1..];
    }
    if !p.first().is_some_and(u8::is_ascii_digit) {
        return Err(Errno::EINVAL);
    }
    // proc_get_long copies the number into a 22-byte buffer (TMPBUFLEN): a number that fills
    // it is EINVAL.
    let digits = p.len() - simple_strtoull(p, 0).1.len();
    if digits >= 21 {
        return Err(Errno::EINVAL);
    }
    let (v, rest) = simple_strtoull(p, 0);
    // Only white space (proc_wspace_sep: space, tab, newline) may follow the number.
    if let Some(&b) = rest.first()
        && !matches!(b, b' ' | b'\t' | b'\n')
    {
        return Err(Errno::EINVAL);
    }
    // After the value, the white space that follows is consumed too.
    let spaces = rest.iter().take_while(|&&b| is_space(b)).count();
    Ok((neg, v, data.len() - rest.len() + spaces))
}

/// `proc_dointvec_minmax` for one `int` between `min` and `max`: the value and the number of
/// bytes the write consumed, or `EINVAL`.
pub(crate) fn dointvec_minmax(data: &[u8], min: i32, max: i32) -> Result<(i32, usize), Errno> {
    let (neg, v, used) = proc_get_long(data)?;
    let v = i64::try_from(v).map_err(|_| Errno::EINVAL)?;
    let v = if neg { -v } else { v };
    let v = i32::try_from(v).map_err(|_| Errno::EINVAL)?;
    if v < min || v > max {
        return Err(Errno::EINVAL);
    }
    Ok((v, used))
}

/// `__do_proc_doulongvec_minmax` for one `unsigned long` without bounds: the value (`None`
/// for a negative number, which the kernel skips) and the number of bytes consumed, or
/// `EINVAL`.
pub(crate) fn doulongvec(data: &[u8]) -> Result<(Option<u64>, usize), Errno> {
    let (neg, v, used) = proc_get_long(data)?;
    Ok(((!neg).then_some(v), used))
}

impl<T: Tracer> Kernel<T> {
    /// `kernel.shmmax` now (see the module docs).
    pub(crate) fn shmmax(&self, st: &State<T>) -> u64 {
        st.shmmax
            .unwrap_or(if self.params.kernel > KernelVersion::V3_10 {
                u64::MAX - (1 << 24)
            } else {
                32 << 20
            })
    }

    /// A write to `/proc/sys/kernel/shmmax` (the open checked the 0644 mode).
    pub(crate) fn shmmax_write(&self, st: &mut State<T>, data: &[u8]) -> SysResult<usize> {
        let (v, used) =
            doulongvec(data).map_err(|e| SysError::new(e, "shmmax: not an unsigned long"))?;
        if let Some(v) = v {
            st.shmmax = Some(v);
        }
        Ok(used)
    }

    /// `kernel.pid_max` now.
    pub fn pid_max(&self) -> i32 {
        self.lock_state().pid_max
    }

    /// The text of `/proc/sys/kernel/pid_max`.
    pub(crate) fn pid_max_text(&self, st: &State<T>) -> String {
        format!("{}\n", st.pid_max)
    }

    /// A write to `/proc/sys/kernel/pid_max` (the open checked the 0644 mode).
    pub(crate) fn pid_max_write(&self, st: &mut State<T>, data: &[u8]) -> SysResult<usize> {
        let (v, used) = dointvec_minmax(data, PID_MAX_MIN, PID_MAX_LIMIT)
            .map_err(|e| SysError::new(e, "pid_max: not a number in 301..=4194304"))?;
        st.pid_max = v;
        Ok(used)
    }

    /// The errno of a fork that finds every pid in use (see the module docs).
    pub(crate) fn pid_exhausted(&self) -> SysError {
        if self.params.kernel >= KernelVersion::V4_19 {
            SysError::new(
                Errno::EAGAIN,
                "fork: no free pid (alloc_pid: -ENOSPC -> -EAGAIN)",
            )
        } else {
            SysError::new(Errno::ENOMEM, "fork: no free pid (copy_process: -ENOMEM)")
        }
    }
}

/// `alloc_pidmap`: the first free pid after the last one allocated, wrapping past `pid_max`
/// to `RESERVED_PIDS`; `None` when every candidate is in use.
pub(crate) fn alloc_pid<T: Tracer>(st: &State<T>) -> Option<Pid> {
    let pid_max = st.pid_max;
    let mut candidate = st.last_pid + 1;
    // At most one pass over the whole range, as alloc_pidmap's max_scan.
    for _ in 0..pid_max {
        if candidate >= pid_max {
            candidate = RESERVED_PIDS;
        }
        if !st.tasks.contains_key(&Pid(candidate)) {
            return Some(Pid(candidate));
        }
        candidate += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dointvec_minmax_parses_as_the_kernel() {
        let ok = |s: &[u8]| dointvec_minmax(s, PID_MAX_MIN, PID_MAX_LIMIT);
        assert_eq!(ok(b"100000\n"), Ok((100_000, 7)));
        assert_eq!(ok(b"  301"), Ok((301, 5)));
        assert_eq!(ok(b"4194304\n"), Ok((4_194_304, 8)));
        assert_eq!(ok(b"0x8000\n"), Ok((32768, 7)));
        assert_eq!(ok(b"0100000\n"), Ok((32768, 8)));
        // A second number is left for the next write.
        assert_eq!(ok(b"1000 2000\n"), Ok((1000, 5)));
        for bad in [
            &b""[..],
            b"\n",
            b"300\n",
            b"4194305\n",
            b"-1\n",
            b"abc\n",
            b"1000x\n",
            b"99999999999999999999999\n",
            b"2147483648\n",
        ] {
            assert_eq!(
                ok(bad),
                Err(Errno::EINVAL),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
