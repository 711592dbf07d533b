//! The parsers and list operations of both models, without the core.

use super::*;

fn item(kind: u8, major: u32, minor: u32, access: u8) -> WhitelistItem {
    WhitelistItem {
        major,
        minor,
        kind,
        access,
    }
}

#[test]
fn parses_as_devcgroup_update_access() {
    assert_eq!(
        parse_whitelist_line(b"c 1:3 rwm"),
        Ok(item(DEV_CHAR, 1, 3, ACC_MASK))
    );
    assert_eq!(
        parse_whitelist_line(b"b *:* r"),
        Ok(item(DEV_BLOCK, ANY, ANY, ACC_READ))
    );
    // `a` ignores the rest; the access loop reads three letters at most.
    assert_eq!(
        parse_whitelist_line(b"a junk"),
        Ok(item(DEV_ALL, ANY, ANY, ACC_MASK))
    );
    assert_eq!(
        parse_whitelist_line(b"c 1:3 rwmx"),
        Ok(item(DEV_CHAR, 1, 3, ACC_MASK))
    );
    assert_eq!(
        parse_whitelist_line(b"c 1:3"),
        Err(Errno::EINVAL),
        "no space after the minor"
    );
    assert_eq!(parse_whitelist_line(b"c 1:3 "), Ok(item(DEV_CHAR, 1, 3, 0)));
    for bad in [
        &b"x 1:3 r"[..],
        b"c1:3 r",
        b"c a:3 r",
        b"c 1-3 r",
        b"c 1:3 x",
    ] {
        assert_eq!(parse_whitelist_line(bad), Err(Errno::EINVAL), "{bad:?}");
    }
}

#[test]
fn deny_clears_an_all_entry() {
    let mut list = vec![item(DEV_ALL, ANY, ANY, ACC_MASK)];
    dev_whitelist_rm(&mut list, &item(DEV_CHAR, 1, 3, ACC_WRITE));
    assert_eq!(list, vec![item(DEV_ALL, ANY, ANY, ACC_READ | ACC_MKNOD)]);
    dev_whitelist_rm(&mut list, &item(DEV_CHAR, 1, 3, ACC_MASK));
    assert!(list.is_empty());
}

#[test]
fn add_merges_and_parent_check_needs_cover() {
    let mut list = vec![item(DEV_CHAR, 1, 3, ACC_READ)];
    dev_whitelist_add(&mut list, item(DEV_CHAR, 1, 3, ACC_WRITE));
    assert_eq!(list, vec![item(DEV_CHAR, 1, 3, ACC_READ | ACC_WRITE)]);
    assert!(may_access_whitelist(&list, &item(DEV_CHAR, 1, 3, ACC_READ)));
    assert!(!may_access_whitelist(
        &list,
        &item(DEV_CHAR, 1, 3, ACC_MKNOD)
    ));
    assert!(!may_access_whitelist(
        &list,
        &item(DEV_BLOCK, 1, 3, ACC_READ)
    ));
}

/// 3.10+ (`kstrtou32` of at most 11 digits): a number above `u32::MAX` or of 12 digits is
/// EINVAL, where 2.6.35's `simple_strtoul` wrapped.
#[test]
fn exception_parser_refuses_big_numbers() {
    use super::exceptions::parse_exception_line as p;
    assert_eq!(p(b"c 1:3 rwm"), Ok(item(DEV_CHAR, 1, 3, ACC_MASK)));
    assert_eq!(
        p(b"c 4294967295:0 r"),
        Ok(item(DEV_CHAR, u32::MAX, 0, ACC_READ))
    );
    assert_eq!(p(b"c 4294967296:0 r"), Err(Errno::EINVAL));
    assert_eq!(p(b"c 000000000001:0 r"), Err(Errno::EINVAL));
    assert_eq!(p(b"c 1:00000000001 r"), Ok(item(DEV_CHAR, 1, 1, ACC_READ)));
    assert_eq!(
        parse_whitelist_line(b"c 4294967296:0 r"),
        Ok(item(DEV_CHAR, 0, 0, ACC_READ))
    );
}
