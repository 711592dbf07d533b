//! The kernel's number and string parsers, as cgroup control files use them.
//!
//! **Kernel:** `lib/vsprintf.c` `simple_strtoull` (2.6.x), `lib/cmdline.c` `memparse`,
//! `lib/string.c` `strstrip` (`kernel/cgroup.c` `cgroup_tasks_write`, `cgroup_file_write`, `cgroup_write_X64`, v2.6.34; `kernel/res_counter.c` `res_counter_memparse_write_strategy`, v2.6.34).
//! **Differences:** none intended; overflow wraps silently as the 2.6.x parsers do.

/// Characters `isspace()` accepts in the kernel's `ctype` table: the six ASCII spaces and
/// 0xA0, which `lib/ctype.c`'s Latin-1 table marks `_S|_SP` (no-break space; 0x80–0x9f have no
/// class there). Kernel: `lib/ctype.c` `_ctype[]`, `include/linux/ctype.h` `isspace`, v2.6.35.
pub fn is_kspace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0xa0)
}

/// The 64-byte stack buffer of `cgroup_write_X64` (`CGROUP_LOCAL_BUFFER_SIZE`).
const X64_BUFFER_SIZE: usize = 64;

/// `cgroup_write_string`'s buffer rule: `nbytes >= max_write_len` (the default is the
/// 64-byte local buffer less its NUL, 63) → E2BIG; the bytes are then NUL-terminated and
/// `strstrip`ped. Kernel: `kernel/cgroup.c` `cgroup_write_string`, v2.6.27–v3.x.
pub fn write_string_buffer(
    data: &[u8],
    max_write_len: Option<usize>,
) -> Result<&[u8], crate::Errno> {
    let max = max_write_len.unwrap_or(X64_BUFFER_SIZE - 1);
    if data.len() >= max {
        return Err(crate::Errno::E2BIG);
    }
    Ok(strstrip(until_nul(data)))
}

/// The buffer rule of every `write_u64` control file (`cgroup_write_X64`): a zero-length write
/// is EINVAL, ≥ 64 bytes E2BIG; the bytes are NUL-terminated, `strstrip`ped and read by
/// `simple_strtoull(buf, &end, 0)`; anything left over is EINVAL. A blank write ("\n") strips to
/// "", which reads as 0 with nothing left over, so it writes 0.
/// Kernel: `kernel/cgroup.c` `cgroup_write_X64`, v2.6.27–v3.x (checked against v2.6.35).
pub fn write_u64_buffer(data: &[u8]) -> Result<u64, crate::Errno> {
    let s = x64_buffer(data)?;
    let (v, rest) = simple_strtoull(s, 0);
    if !rest.is_empty() {
        return Err(crate::Errno::EINVAL);
    }
    Ok(v)
}

/// The `write_s64` side of [`write_u64_buffer`]: `simple_strtoll`, a leading `-` negates.
pub fn write_s64_buffer(data: &[u8]) -> Result<i64, crate::Errno> {
    let s = x64_buffer(data)?;
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let (v, rest) = simple_strtoull(digits, 0);
    if !rest.is_empty() {
        return Err(crate::Errno::EINVAL);
    }
    Ok(if neg {
        (v as i64).wrapping_neg()
    } else {
        v as i64
    })
}

/// `cgroup_write_X64`'s checks before the number is parsed: `!nbytes` → EINVAL (the only
/// emptiness it rejects), `nbytes >= 64` → E2BIG; then the C string, stripped.
fn x64_buffer(data: &[u8]) -> Result<&[u8], crate::Errno> {
    if data.is_empty() {
        return Err(crate::Errno::EINVAL);
    }
    if data.len() >= X64_BUFFER_SIZE {
        return Err(crate::Errno::E2BIG);
    }
    Ok(strstrip(until_nul(data)))
}

/// `strstrip`: remove leading and trailing whitespace.
pub fn strstrip(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_kspace(b)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| !is_kspace(b))
        .map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// Strip trailing whitespace only (2.6.25's `res_counter_write` and `release_agent` writes).
pub fn strip_trailing(s: &[u8]) -> &[u8] {
    let end = s.iter().rposition(|&b| !is_kspace(b)).map_or(0, |e| e + 1);
    &s[..end]
}

/// The C string view of a buffer: everything before the first NUL byte.
pub fn until_nul(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(i) => &s[..i],
        None => s,
    }
}

/// `simple_strtoull(s, &end, base)`: parse an unsigned number and return it with the rest.
///
/// Base 0 auto-detects `0x`/`0X` (hex) and a leading `0` (octal). No sign and no leading
/// whitespace are accepted; parsing stops at the first character that is not a digit of the base.
/// Overflow wraps, as in 2.6.x.
pub fn simple_strtoull(s: &[u8], base: u32) -> (u64, &[u8]) {
    let mut base = base;
    let mut rest = s;
    if base == 0 {
        if rest.len() >= 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' && hex_digit(rest.get(2))
        {
            base = 16;
            rest = &rest[2..];
        } else if rest.first() == Some(&b'0') {
            base = 8;
        } else {
            base = 10;
        }
    } else if base == 16
        && rest.len() >= 2
        && rest[0] == b'0'
        && (rest[1] | 0x20) == b'x'
        && hex_digit(rest.get(2))
    {
        rest = &rest[2..];
    }
    let mut value: u64 = 0;
    while let Some(&b) = rest.first() {
        let digit = match b {
            b'0'..=b'9' => (b - b'0') as u32,
            b'a'..=b'z' => (b - b'a') as u32 + 10,
            b'A'..=b'Z' => (b - b'A') as u32 + 10,
            _ => break,
        };
        if digit >= base {
            break;
        }
        value = value.wrapping_mul(base as u64).wrapping_add(digit as u64);
        rest = &rest[1..];
    }
    (value, rest)
}

fn hex_digit(b: Option<&u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_hexdigit())
}

/// Which `memparse` suffixes the modelled kernel accepts (`kernel/res_counter.c` `res_counter_memparse_write_strategy`, `lib/cmdline.c` `memparse`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum MemparseSuffixes {
    /// `k`, `m`, `g` (2.6.x–3.10).
    #[default]
    Kmg,
    /// Also `t`, `p`, `e` (added after 3.10; the exact release is unverified).
    KmgTpe,
}

/// `memparse(s, &end)`: a base-0 number with an optional size suffix; returns the value and the
/// unparsed rest. An empty string parses as 0 with nothing left over.
pub fn memparse(s: &[u8], suffixes: MemparseSuffixes) -> (u64, &[u8]) {
    let (mut value, rest) = simple_strtoull(s, 0);
    let shift = match rest.first().map(|b| b | 0x20) {
        Some(b'k') => 10,
        Some(b'm') => 20,
        Some(b'g') => 30,
        Some(b't') if suffixes == MemparseSuffixes::KmgTpe => 40,
        Some(b'p') if suffixes == MemparseSuffixes::KmgTpe => 50,
        Some(b'e') if suffixes == MemparseSuffixes::KmgTpe => 60,
        _ => return (value, rest),
    };
    value = value.wrapping_shl(shift);
    (value, &rest[1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtoull_bases() {
        assert_eq!(simple_strtoull(b"123abc", 0), (123, &b"abc"[..]));
        assert_eq!(simple_strtoull(b"0x1f", 0), (31, &b""[..]));
        assert_eq!(simple_strtoull(b"010", 0), (8, &b""[..]));
        assert_eq!(simple_strtoull(b"09", 0), (0, &b"9"[..]));
        assert_eq!(simple_strtoull(b"0x", 0), (0, &b"x"[..]));
        assert_eq!(simple_strtoull(b"-1", 0), (0, &b"-1"[..]));
        assert_eq!(simple_strtoull(b" 1", 10), (0, &b" 1"[..]));
        assert_eq!(simple_strtoull(b"18446744073709551616", 10).0, 0, "wraps");
    }

    #[test]
    fn memparse_suffixes() {
        assert_eq!(memparse(b"4M", MemparseSuffixes::Kmg), (4 << 20, &b""[..]));
        assert_eq!(memparse(b"5m", MemparseSuffixes::Kmg), (5 << 20, &b""[..]));
        assert_eq!(memparse(b"1k", MemparseSuffixes::Kmg), (1024, &b""[..]));
        assert_eq!(memparse(b"2G", MemparseSuffixes::Kmg), (2 << 30, &b""[..]));
        assert_eq!(memparse(b"1T", MemparseSuffixes::Kmg), (1, &b"T"[..]));
        assert_eq!(
            memparse(b"1T", MemparseSuffixes::KmgTpe),
            (1 << 40, &b""[..])
        );
        assert_eq!(memparse(b"", MemparseSuffixes::Kmg), (0, &b""[..]));
        assert_eq!(memparse(b"abc", MemparseSuffixes::Kmg), (0, &b"abc"[..]));
        assert_eq!(
            memparse(b"4MB", MemparseSuffixes::Kmg),
            (4 << 20, &b"B"[..])
        );
    }

    #[test]
    fn strip() {
        assert_eq!(strstrip(b"  12 \n"), b"12");
        assert_eq!(strstrip(b" \n"), b"");
        assert_eq!(strip_trailing(b" 12\n"), b" 12");
        assert_eq!(until_nul(b"1 2\0junk"), b"1 2");
    }
}
