//! `cgroup.event_control` parsing (`kernel/cgroup.c` `cgroup_write_event_control`, v2.6.34).

use super::*;

#[test]
fn parse_cases() {
    assert_eq!(parse_event_control("3 4 5M"), Ok((3, 4, "5M".to_string())));
    assert_eq!(parse_event_control("3 4"), Ok((3, 4, String::new())));
    assert_eq!(parse_event_control("3 4 "), Ok((3, 4, String::new())));
    assert_eq!(parse_event_control("x 4"), Err(Errno::EINVAL));
    assert_eq!(parse_event_control(" 4"), Ok((0, 4, String::new())));
    assert_eq!(parse_event_control("3  4"), Ok((3, 0, "4".to_string())));
    assert_eq!(parse_event_control("3,4"), Err(Errno::EINVAL));
    assert_eq!(parse_event_control("3 4x"), Err(Errno::EINVAL));
}
