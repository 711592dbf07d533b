//! Unit tests of `/proc/mounts` escaping and tmpfs option parsing.

use super::*;

#[test]
fn mangle_escapes_like_show_vfsmnt() {
    let cases = [
        ("none", "none"),
        ("a b", "a\\040b"),
        ("tab\there", "tab\\011here"),
        ("nl\n", "nl\\012"),
        ("back\\slash", "back\\134slash"),
    ];
    for (input, want) in cases {
        assert_eq!(mangle(input), want, "{input:?}");
    }
}

#[test]
fn tmpfs_options() {
    type Case<'a> = (Option<&'a str>, Result<Option<u32>, Errno>);
    let cases: [Case; 6] = [
        (None, Ok(None)),
        (Some(""), Ok(None)),
        (Some("mode=755"), Ok(Some(0o755))),
        (Some("rw,mode=1777"), Ok(Some(0o1777))),
        (Some("mode=9"), Err(Errno::EINVAL)),
        (Some("size=1g"), Err(Errno::EINVAL)),
    ];
    for (data, want) in cases {
        assert_eq!(
            parse_tmpfs_mode(data).map_err(|e| e.errno),
            want,
            "{data:?}"
        );
    }
}
