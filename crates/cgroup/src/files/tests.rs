//! The write-buffer rules of `kernel/cgroup.c` `cgroup_file_write`, `cgroup_write_X64`, `cgroup_tasks_write`, v2.6.34.

use super::*;

#[test]
fn u64_writes() {
    use Errno::*;
    let cases: &[(&[u8], Result<u64, Errno>)] = &[
        (b"42\n", Ok(42)),
        (b"  7  ", Ok(7)),
        (b"0x1f", Ok(31)),
        (b"010", Ok(8)),
        // Only a zero-length write is refused; a blank one strips to "", which
        // simple_strtoull reads as 0 with nothing left over (2.6.35 cgroup_write_X64).
        (b"", Err(EINVAL)),
        (b"\n", Ok(0)),
        (b" \t\n", Ok(0)),
        (b"\0", Ok(0)),
        // lib/ctype.c: 0xA0 is a space to the kernel's isspace.
        (b"7\xa0", Ok(7)),
        (b"x", Err(EINVAL)),
        (b"1 2", Err(EINVAL)),
        (b"-1", Err(EINVAL)),
        (b"12\0garbage", Ok(12)),
    ];
    for (data, want) in cases {
        assert_eq!(
            parse_u64_write(data),
            *want,
            "{:?}",
            String::from_utf8_lossy(data)
        );
    }
    assert_eq!(parse_u64_write(&[b'1'; 63]).map(|_| ()), Ok(()));
    assert_eq!(parse_u64_write(&[b'1'; 64]), Err(E2BIG));
}

#[test]
fn s64_writes() {
    assert_eq!(parse_s64_write(b"-5\n"), Ok(-5));
    assert_eq!(parse_s64_write(b"5"), Ok(5));
    // Kernel quirk: simple_strtoll("-") parses no digits yet leaves nothing over, so it is 0.
    assert_eq!(parse_s64_write(b"-"), Ok(0));
    assert_eq!(parse_s64_write(b"-x"), Err(Errno::EINVAL));
    assert_eq!(parse_s64_write(b"\n"), Ok(0));
    assert_eq!(parse_s64_write(b""), Err(Errno::EINVAL));
}

#[test]
fn string_writes() {
    assert_eq!(
        cgsim_ktypes::parse::write_string_buffer(b"  abc \n", None),
        Ok(&b"abc"[..])
    );
    assert_eq!(
        cgsim_ktypes::parse::write_string_buffer(&[b'a'; 62], None).map(|s| s.len()),
        Ok(62)
    );
    assert_eq!(
        cgsim_ktypes::parse::write_string_buffer(&[b'a'; 63], None),
        Err(Errno::E2BIG)
    );
    assert_eq!(
        cgsim_ktypes::parse::write_string_buffer(&[b'a'; 4095], Some(PATH_MAX)).map(|s| s.len()),
        Ok(4095)
    );
    assert_eq!(
        cgsim_ktypes::parse::write_string_buffer(&[b'a'; 4096], Some(PATH_MAX)),
        Err(Errno::E2BIG)
    );
}

#[test]
fn sscanf_tasks_writes() {
    assert_eq!(sscanf_pid(b" 12 trailing"), Some(12));
    assert_eq!(sscanf_pid(b"1 2"), Some(1));
    assert_eq!(sscanf_pid(b"-3"), Some(-3));
    assert_eq!(sscanf_pid(b"x"), None);
    assert_eq!(sscanf_pid(b""), None);
}
