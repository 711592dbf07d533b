//! `parse_cgroupfs_options` against the option tables of `kernel/cgroup.c` (v2.6.34).

use super::*;

fn subsys() -> Vec<SubsysOpt> {
    ["cpuset", "debug", "ns", "cpu", "cpuacct", "memory"]
        .into_iter()
        .map(|name| SubsysOpt {
            name,
            disabled: name == "ns",
        })
        .collect()
}

const ENABLED: u64 = 0b111011;

fn parse(data: Option<&str>, rules: MountOpts) -> Result<CgroupSbOpts, Errno> {
    parse_cgroupfs_options(data, &subsys(), rules)
}

#[test]
fn seed_rules() {
    use Errno::*;
    let r = MountOpts::V2_6_32;
    let cases: &[(Option<&str>, Result<u64, Errno>)] = &[
        (None, Ok(ENABLED)),
        (Some("memory"), Ok(1 << 5)),
        (Some("cpu,cpuacct"), Ok(0b11000)),
        (Some("all"), Ok(ENABLED)),
        (Some("memory,all"), Ok(ENABLED)),
        (Some(""), Err(EINVAL)),
        (Some("memory,,cpu"), Err(EINVAL)),
        (Some("memory,"), Err(EINVAL)),
        (Some("bogus"), Err(ENOENT)),
        (Some("noprefix,memory"), Err(EINVAL)),
        (Some("noprefix,cpuset"), Ok(1)),
        (Some("noprefix"), Err(EINVAL)),
        (Some("none"), Err(EINVAL)),
        (Some("none,name=x"), Ok(0)),
        (Some("none,memory"), Err(EINVAL)),
        (Some("name=x"), Ok(0)),
        (Some("name="), Err(EINVAL)),
        (Some("name=a/b"), Err(EINVAL)),
        (Some("name=a,name=b"), Err(EINVAL)),
        (
            Some("release_agent=/a,release_agent=/b,memory"),
            Err(EINVAL),
        ),
        (Some("release_agent=/sbin/x"), Err(EINVAL)),
        // A disabled subsystem's name is silently ignored before 4.x.
        (Some("ns,memory"), Ok(1 << 5)),
    ];
    for (data, want) in cases {
        assert_eq!(parse(*data, r).map(|o| o.subsys_bits), *want, "{data:?}");
    }
}

#[test]
fn v2_6_25_rules() {
    use Errno::*;
    let r = MountOpts::V2_6_25;
    assert_eq!(parse(Some("none"), r), Err(ENOENT));
    assert_eq!(parse(Some("name=x,memory"), r), Err(ENOENT));
    assert_eq!(
        parse(Some("noprefix,memory"), r).map(|o| (o.subsys_bits, o.flags)),
        Ok((1 << 5, ROOT_NOPREFIX))
    );
    assert_eq!(parse(Some("noprefix"), r), Err(EINVAL));
    assert_eq!(parse(Some("release_agent=/x"), r), Err(EINVAL));
}

#[test]
fn v4_rules() {
    use Errno::*;
    let r = MountOpts::V4;
    assert_eq!(
        parse(Some("release_agent=/x"), r).map(|o| o.subsys_bits),
        Ok(ENABLED)
    );
    assert_eq!(parse(Some("all,memory"), r), Err(EINVAL));
    assert_eq!(parse(Some("memory,all"), r), Err(EINVAL));
    assert_eq!(parse(Some("ns"), r), Err(ENOENT));
    assert_eq!(parse(Some("name=x"), r).map(|o| o.subsys_bits), Ok(0));
}

/// 3.x's flags, and 6.6's `cgroup1_parse_param`: `invalfc` (EINVAL) where 3.x/4.x said ENOENT.
#[test]
fn v4_flags_and_v6_6_rules() {
    use Errno::*;
    let o = parse(Some("none,name=systemd,xattr"), MountOpts::V4).unwrap();
    assert_eq!((o.subsys_bits, o.flags & ROOT_XATTR), (0, ROOT_XATTR));
    assert!(
        parse(Some("clone_children,memory"), MountOpts::V4)
            .unwrap()
            .clone_children
    );
    assert_eq!(
        parse(Some("cpuset_v2_mode,memory"), MountOpts::V4),
        Err(ENOENT)
    );
    assert_eq!(parse(Some("xattr,bogus"), MountOpts::V4), Err(ENOENT));
    let r = MountOpts::V6_6;
    let o = parse(Some("cpuset_v2_mode,favordynmods,memory"), r).unwrap();
    assert_eq!(
        o.flags,
        ROOT_CPUSET_V2_MODE | crate::dfl::CGRP_ROOT_FAVOR_DYNMODS
    );
    assert_eq!(
        parse(Some("favordynmods,nofavordynmods,memory"), r).map(|o| o.flags),
        Ok(0)
    );
    assert_eq!(parse(Some("bogus"), r), Err(EINVAL));
    assert_eq!(parse(Some("all,memory"), r), Err(EINVAL));
    let long = "a".repeat(crate::MAX_CGROUP_ROOT_NAMELEN);
    assert_eq!(parse(Some(&format!("none,name={long}")), r), Err(EINVAL));
}

#[test]
fn agent_and_name_are_kept_and_truncated() {
    let long = "a".repeat(100);
    let o = parse(
        Some(&format!("memory,release_agent=/sbin/agent,name={long}")),
        MountOpts::V2_6_32,
    )
    .unwrap();
    assert_eq!(o.release_agent.as_deref(), Some("/sbin/agent"));
    assert_eq!(o.name.unwrap().len(), crate::MAX_CGROUP_ROOT_NAMELEN - 1);
}

/// `init_root_id` (2.6.35): the lowest free id at or above `next_hierarchy_id`; past the ida's
/// 31-bit limit it starts again from 0, where rootnode's 0 is taken.
#[test]
fn init_root_id_wraps_around() {
    use cgsim_ktypes::trace::NoTrace;
    let core: CgroupCore<NoTrace> = CgroupCore::with_defaults(std::sync::Arc::new(NoTrace));
    let m = core.mount(Some("memory")).unwrap();
    assert_eq!(core.hierarchy_id(m.root), Ok(1));
    core.lock().next_hierarchy_id = 0x7fff_ffff;
    let c = core.mount(Some("cpu")).unwrap();
    assert_eq!(core.hierarchy_id(c.root), Ok(0x7fff_ffff));
    // ENOSPC above the cursor: ida_get_new from 0 finds 2 (0 is rootnode's, 1 is taken).
    let s = core.mount(Some("cpuset")).unwrap();
    assert_eq!(core.hierarchy_id(s.root), Ok(2));
    assert_eq!(core.lock().next_hierarchy_id, 3);
}
