//! The default hierarchy (`cgroup2`) of the 6.6 preset: transcripts of
//! `tests/scripts/cgroup2_*.sh` on a kernel booted as Linux 6.6, and the older presets, which
//! have no `cgroup2` filesystem.

use cgsim::Shell;
use cgsim_cgroupfs::{BootParams, KernelVersion};

/// Run `src` with its input echoed on a fresh 6.6 kernel; the invariants must hold after it.
fn run_6_6(src: &str) -> String {
    let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(KernelVersion::V6_6)));
    sh.set_echo_input(true);
    let (text, status) = cgsim::transcript_of(&mut sh, src);
    sh.kernel().check_invariants();
    format!("{text}[exit status {status}]\n")
}

macro_rules! v2_script {
    ($name:ident) => {
        #[test]
        fn $name() {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/scripts/",
                stringify!($name),
                ".sh"
            );
            let src = std::fs::read_to_string(path).expect(path);
            insta::assert_snapshot!(stringify!($name), run_6_6(&src));
        }
    };
}

v2_script!(cgroup2_basics);
v2_script!(cgroup2_files);
v2_script!(cgroup2_cpu);
v2_script!(cgroup2_test_core);
v2_script!(cgroup2_threaded);
v2_script!(cgroup2_thread_groups);

/// The port of `tools/testing/selftests/cgroup/test_core.c` (v6.6): every ported test passes.
#[test]
fn test_core_port_passes() {
    let src = include_str!("../scripts/cgroup2_test_core.sh");
    let out = run_6_6(src);
    for name in [
        "test_cgcore_internal_process_constraint",
        "test_cgcore_top_down_constraint_enable",
        "test_cgcore_top_down_constraint_disable",
        "test_cgcore_no_internal_process_constraint_on_threads",
        "test_cgcore_parent_becomes_threaded",
        "test_cgcore_invalid_domain",
        "test_cgcore_populated",
        "test_cgcore_proc_migration",
        "test_cgcore_thread_migration",
        "test_cgcore_destroy",
    ] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("ok ") && l.ends_with(name)),
            "{name} did not pass:\n{out}"
        );
    }
    assert!(!out.lines().any(|l| l.starts_with("not ok ")), "{out}");
}

v2_script!(memcg_v2_selftests);
v2_script!(psi_memory);
v2_script!(cputime_v2);
v2_script!(inotify_events);

/// The kselftest-style ports of `test_memcontrol.c` (v6.6) in `memcg_v2_selftests.sh` pass.
#[test]
fn test_memcontrol_port_passes() {
    let out = run_6_6(include_str!("../scripts/memcg_v2_selftests.sh"));
    for name in [
        "test_memcg_current_pagecache",
        "test_memcg_max_pagecache",
        "test_memcg_oom_group_score_events",
    ] {
        assert!(
            out.lines().any(|l| l == format!("ok {name}")),
            "{name} did not pass:\n{out}"
        );
    }
    assert!(!out.lines().any(|l| l.starts_with("not ok ")), "{out}");
}
v2_script!(memcg_v2_stat_events);
v2_script!(memcg_v2_protection);

/// The ports of `test_memcontrol.c` (v6.6) in `memcg_v2_protection.sh` (protection, reclaim,
/// swap.max, oom.group on a parent) pass.
#[test]
fn test_memcontrol_protection_port_passes() {
    let out = run_6_6(include_str!("../scripts/memcg_v2_protection.sh"));
    for name in [
        "test_memcg_min",
        "test_memcg_low",
        "test_memcg_reclaim",
        "test_memcg_swap_max",
        "test_memcg_oom_group_parent_events",
    ] {
        assert!(
            out.lines().any(|l| l == format!("ok {name}")),
            "{name} did not pass:\n{out}"
        );
    }
    assert!(!out.lines().any(|l| l.starts_with("not ok ")), "{out}");
}
v2_script!(memcg_v2_oom_report);
v2_script!(memcg_v2_high_pagecache);

/// `test_memcg_high` with its page-cache half (`memcg_v2_high_pagecache.sh`) passes, and the
/// memcg's dirty limits keep `file_dirty` under the free-run ceiling (15% of 30M) while `dd`
/// writes 50M under `memory.high` 30M (`balance_dirty_pages` with cgroup writeback, v6.6).
#[test]
fn test_memcg_high_pagecache_port_passes() {
    let out = run_6_6(include_str!("../scripts/memcg_v2_high_pagecache.sh"));
    assert!(out.lines().any(|l| l == "ok test_memcg_high"), "{out}");
    let dirty: Vec<u64> = out
        .lines()
        .filter(|l| l.starts_with("current "))
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(dirty.len(), 2, "{out}");
    assert!(
        dirty
            .iter()
            .all(|&d| d > 0 && d <= 30 * 1024 * 1024 * 15 / 100),
        "{out}"
    );
}

/// Kernels before the default hierarchy refuse the filesystem type: `mount(2)` is ENODEV and
/// util-linux says `unknown filesystem type 'cgroup2'`.
#[test]
fn older_presets_have_no_cgroup2() {
    for v in KernelVersion::ALL {
        let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(v)));
        let (text, status) =
            cgsim::transcript_of(&mut sh, "mkdir /c2\nmount -t cgroup2 none /c2\n");
        if v == KernelVersion::V6_6 {
            assert_eq!((text.as_str(), status), ("", 0), "{v}");
        } else {
            // util-linux-ng 2.17.2 (the 2.6 presets, RHEL 6) and 2.23.2 (3.x, RHEL 7) print
            // the bare message; 2.38.1 names the target and points to dmesg.
            let want = if v < KernelVersion::V4_19 {
                "mount: unknown filesystem type 'cgroup2'\n"
            } else {
                "mount: /c2: unknown filesystem type 'cgroup2'.\n       dmesg(1) may have more \
                 information after failed mount system call.\n"
            };
            assert_eq!(text, want, "{v}");
            assert_eq!(status, 32, "{v}");
        }
    }
}

/// The `v2` view of a 6.6 kernel with cgroup2 and a v1 hierarchy mounted: the default
/// hierarchy's cluster with `subtree_control`, `cgrp_cset_link`s, the effective css of a
/// css_set, and the v1 hierarchy beside it.
#[test]
fn v2_view_draws_both_hierarchies() {
    let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(KernelVersion::V6_6)));
    let (text, status) = cgsim::transcript_of(
        &mut sh,
        "mkdir -p /sys/fs/cgroup /tmp/m\nmount -t cgroup2 none /sys/fs/cgroup\n\
         mount -t cgroup -o cpuacct none /tmp/m\nmkdir /tmp/m/batch\n\
         echo +memory > /sys/fs/cgroup/cgroup.subtree_control\n\
         mkdir -p /sys/fs/cgroup/app/web\nsleep 100 &\n\
         echo $! > /sys/fs/cgroup/app/web/cgroup.procs\necho $! > /tmp/m/batch/tasks\n",
    );
    assert_eq!((text.as_str(), status), ("", 0));
    let dot = cgsim::dot::view_dot(
        sh.kernel(),
        cgsim::dot::View::V2,
        &cgsim::dot::ViewOpts::default(),
    )
    .expect("dot");
    for want in [
        "cgroup_root cgrp_dfl_root: hierarchy 0 (cgroup2)",
        "cgroup_root: hierarchy 1: cpuacct",
        "cgrp_cset_link",
        "subtree_control",
        "css of /app",
        "cgroup /app/web",
        "cgroup /batch",
    ] {
        assert!(dot.contains(want), "{want} missing:\n{dot}");
    }
    insta::assert_snapshot!("v2_view", dot);
}

/// `docs/memcg-v2-walkthrough.sh` on 6.6, so the walkthrough cannot rot.
#[test]
fn memcg_v2_walkthrough() {
    let src = include_str!("../../../../docs/memcg-v2-walkthrough.sh");
    insta::assert_snapshot!("memcg_v2_walkthrough", run_6_6(src));
}

v2_script!(cgroup2_cpuset);
v2_script!(cgroup2_mount_options);
v2_script!(cgroup2_test_freezer);
v2_script!(cgroup2_test_kill);

/// Every ported test of `test_freezer.c` and `test_kill.c` (v6.6) passes.
#[test]
fn test_freezer_and_kill_ports_pass() {
    for (src, names) in [
        (
            include_str!("../scripts/cgroup2_test_freezer.sh"),
            &[
                "test_cgfreezer_simple",
                "test_cgfreezer_tree",
                "test_cgfreezer_mkdir",
                "test_cgfreezer_rmdir",
                "test_cgfreezer_migrate",
            ][..],
        ),
        (
            include_str!("../scripts/cgroup2_test_kill.sh"),
            &["test_cgkill_simple", "test_cgkill_tree"][..],
        ),
    ] {
        let out = run_6_6(src);
        for name in names {
            assert!(
                out.lines()
                    .any(|l| l.starts_with("ok ") && l.ends_with(name)),
                "{name} did not pass:\n{out}"
            );
        }
        assert!(!out.lines().any(|l| l.starts_with("not ok ")), "{out}");
    }
}
v2_script!(cgroup2_delegation);
v2_script!(cgroup2_exited);
