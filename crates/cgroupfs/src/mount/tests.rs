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

/// Mounting and unmounting a v1 hierarchy, with or without a child made and removed, leaves
/// no inode times behind (`State::cg_times` had one entry per dead hierarchy root).
#[test]
fn cgroup_inode_times_go_with_the_hierarchy() {
    use crate::task::INIT_PID;
    for kernel in ["2.6.35", "6.6"] {
        let k = crate::Kernel::boot(crate::BootParams::kernel(kernel).expect("a preset"));
        k.mkdir(INIT_PID, "/cg", 0o755).unwrap();
        let before = k.lock_state().cg_times.len();
        for _ in 0..3 {
            k.mount(INIT_PID, "none", "/cg", "cgroup", false, Some("cpuset"))
                .unwrap();
            k.umount(INIT_PID, "/cg").unwrap();
        }
        assert_eq!(
            k.lock_state().cg_times.len(),
            before,
            "{kernel}: mount, umount"
        );
        // With a child made and removed on the way.
        k.mount(INIT_PID, "none", "/cg", "cgroup", false, Some("cpuset"))
            .unwrap();
        k.mkdir(INIT_PID, "/cg/a", 0o755).unwrap();
        k.rmdir(INIT_PID, "/cg/a").unwrap();
        k.umount(INIT_PID, "/cg").unwrap();
        assert_eq!(
            k.lock_state().cg_times.len(),
            before,
            "{kernel}: with a child"
        );
    }
}
