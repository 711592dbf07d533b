//! cpulist parsing and printing.

use super::*;

#[test]
fn lists_round_trip() {
    for (text, mask) in [("0", 1u64), ("0-1", 3), ("0,2-3", 0b1101)] {
        assert_eq!(bitmap_parselist(text, 64), Ok(mask));
        assert_eq!(print_list(mask), text);
    }
    assert_eq!(print_list(0), "");
}

/// Kernel (2.6.35 `lib/bitmap.c` `bitmap_parselist`): digits first in every element; `a-b`
/// with `a <= b` (else EINVAL); a bit ≥ `nmaskbits` is ERANGE; one trailing `,` before the end
/// of the string is accepted; anything else is EINVAL. Elements are handled left to right, so
/// the first bad one decides the errno.
#[test]
fn bitmap_parselist_as_2_6_35() {
    use Errno::*;
    let cases: &[(&str, Result<u64, Errno>)] = &[
        ("0,", Ok(1)),
        ("0-1,", Ok(3)),
        ("1\n", Ok(2)),
        ("+1", Err(EINVAL)),
        ("-1", Err(EINVAL)),
        (",", Err(EINVAL)),
        ("0,,1", Err(EINVAL)),
        ("1 2", Err(EINVAL)),
        ("0-", Err(EINVAL)),
        ("1-0", Err(EINVAL)),
        ("0-1-2", Err(EINVAL)),
        ("x", Err(EINVAL)),
        ("8", Err(ERANGE)),
        ("0-8", Err(ERANGE)),
        ("8,x", Err(ERANGE)),
        ("x,8", Err(EINVAL)),
        ("7", Ok(0x80)),
    ];
    for (text, want) in cases {
        assert_eq!(bitmap_parselist(text, 8), *want, "{text:?}");
    }
}
