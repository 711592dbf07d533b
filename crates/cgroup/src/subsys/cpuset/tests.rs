//! cpulist parsing and printing.

use super::*;

#[test]
fn lists_round_trip() {
    for (text, mask) in [("0", 1u64), ("0-1", 3), ("0,2-3", 0b1101), ("", 0)] {
        assert_eq!(parse_list(text, 4), Ok(mask));
        assert_eq!(print_list(mask), text);
    }
    assert_eq!(parse_list("4", 4), Err(Errno::EINVAL));
    assert_eq!(parse_list("1-0", 4), Err(Errno::EINVAL));
    assert_eq!(parse_list("a", 4), Err(Errno::EINVAL));
}
