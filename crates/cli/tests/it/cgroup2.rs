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
v2_script!(cgroup2_cpuset_attach);
v2_script!(cgroup2_blog_memory);
v2_script!(cgroup2_io);
v2_script!(cgroup2_hugetlb_rdma_misc);
v2_script!(v1_later_controllers);
v2_script!(ltp_cgctl_v2);
v2_script!(cgroup2_pressure_toggle);
v2_script!(cgroup2_hybrid);

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
v2_script!(inotify_vfs);
v2_script!(inotifywatch);

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
v2_script!(trace_fault_v2);
v2_script!(memsw_v1_v2);

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
v2_script!(memcg_v2_high_sync);

/// `test_memcg_high_sync` (`memcg_v2_high_sync.sh`) passes, and the allocation is throttled in
/// the middle of its `mlock`: while the shell reads, the child sleeps in state D with
/// `memory.current` between `memory.high` and `memory.max`, `high` events keep coming and no
/// `max` event does (6.6 `try_charge_memcg` → `mem_cgroup_handle_over_high`).
#[test]
fn test_memcg_high_sync_port_passes() {
    let out = run_6_6(include_str!("../scripts/memcg_v2_high_sync.sh"));
    assert!(out.lines().any(|l| l == "ok test_memcg_high_sync"), "{out}");
    assert!(!out.lines().any(|l| l.starts_with("not ok ")), "{out}");
    assert!(out.lines().any(|l| l.contains(" D    memhold")), "{out}");
    let num = |p: &str| -> Vec<u64> {
        out.lines()
            .filter_map(|l| l.strip_prefix(p))
            .filter_map(|v| v.parse().ok())
            .collect()
    };
    let high = num("high ");
    assert_eq!(high.len(), 2, "{out}");
    assert!(0 < high[0] && high[0] < high[1], "{out}");
    assert_eq!(num("max "), [0, 0], "{out}");
    let current: Vec<u64> = out
        .lines()
        .filter(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
        .map(|l| l.parse().unwrap())
        .collect();
    assert!(current.len() >= 2, "{out}");
    for &c in &current[..2] {
        assert!(30 << 20 < c && c < 140 << 20, "{out}");
    }
    assert!(current[0] < current[1], "{out}");
}

v2_script!(memcg_v2_dying);
v2_script!(cgroup2_cpu_idle);
v2_script!(zombie_cgroup);

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

/// The `v2` view counts a cgroup's dying descendants: a removed memcg that still holds page
/// cache, until the file goes.
#[test]
fn v2_view_shows_dying_descendants() {
    let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(KernelVersion::V6_6)));
    let view = |sh: &Shell| {
        cgsim::dot::view_dot(
            sh.kernel(),
            cgsim::dot::View::V2,
            &cgsim::dot::ViewOpts::default(),
        )
        .expect("dot")
    };
    let (text, status) = cgsim::transcript_of(
        &mut sh,
        "mkdir -p /sys/fs/cgroup\nmount -t cgroup2 none /sys/fs/cgroup\ncd /sys/fs/cgroup\n\
         echo +memory > cgroup.subtree_control\nmkdir -p P/A\n\
         echo +memory > P/cgroup.subtree_control\necho $$ > P/A/cgroup.procs\n\
         echo data > /tmp/f\necho $$ > cgroup.procs\nrmdir P/A\n",
    );
    assert_eq!((text.as_str(), status), ("", 0));
    let dot = view(&sh);
    assert_eq!(dot.matches("nr_dying_descendants").count(), 2, "{dot}");
    assert!(!dot.contains("cgroup /P/A"), "{dot}");
    let (text, status) = cgsim::transcript_of(&mut sh, "rm /tmp/f\n");
    assert_eq!((text.as_str(), status), ("", 0));
    assert!(!view(&sh).contains("nr_dying_descendants"));
}

/// `docs/memcg-v2-walkthrough.sh` on 6.6, so the walkthrough cannot rot.
#[test]
fn memcg_v2_walkthrough() {
    let src = include_str!("../../../../docs/memcg-v2-walkthrough.sh");
    insta::assert_snapshot!("memcg_v2_walkthrough", run_6_6(src));
}

/// A 6.6 trace names 6.6's functions (`KernelVersion::trace_symbols`): `kernel_clone` with the
/// fork callbacks inside `cgroup_post_fork`, the fault through `exc_page_fault` and
/// `try_charge_memcg`; 2.6.35 keeps its own names for the same script.
#[test]
fn traces_carry_the_presets_function_names() {
    let script =
        "mkdir /cg\nmount -t cgroup -o freezer none /cg\ntrace on\nmemhold 64K &\nsleep 1\n";
    let trace_of = |v: KernelVersion| {
        let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(v)));
        cgsim::transcript_of(&mut sh, script).0
    };
    let new = trace_of(KernelVersion::V6_6);
    for want in [
        "kernel_clone() {",
        "cgroup_post_fork() { freezer_fork(); }",
        "exc_page_fault()",
        "__mem_cgroup_charge()",
        "try_charge_memcg()",
        "commit_charge();",
        "__x64_sys_close();",
    ] {
        assert!(new.contains(want), "{want:?} missing on 6.6:\n{new}");
    }
    for gone in [
        "do_fork",
        "cgroup_fork_callbacks",
        "do_page_fault",
        "__mem_cgroup_try_charge",
    ] {
        assert!(!new.contains(gone), "{gone:?} on 6.6:\n{new}");
    }
    let old = trace_of(KernelVersion::V2_6_35);
    for want in [
        "do_fork() {",
        "cgroup_fork_callbacks() { freezer_fork(); }",
        "__mem_cgroup_try_charge()",
    ] {
        assert!(old.contains(want), "{want:?} missing on 2.6.35:\n{old}");
    }
}

v2_script!(cgroup2_test_cpu);
v2_script!(cgroup2_cpu_stat);

/// The port of `tools/testing/selftests/cgroup/test_cpu.c` (v6.6) on 4 CPUs, where the
/// underprovisioned tests run instead of being skipped.
#[test]
fn cgroup2_test_cpu_4cpus() {
    let mut params = BootParams::for_kernel(KernelVersion::V6_6);
    params.nr_cpus = 4;
    let mut sh = Shell::new(cgsim::boot(params));
    sh.set_echo_input(true);
    let (text, status) =
        cgsim::transcript_of(&mut sh, include_str!("../scripts/cgroup2_test_cpu.sh"));
    sh.kernel().check_invariants();
    let out = format!("{text}[exit status {status}]\n");
    insta::assert_snapshot!("cgroup2_test_cpu_4cpus", out);
    for name in [
        "test_cpucg_subtree_control",
        "test_cpucg_stats",
        "test_cpucg_weight_overprovisioned",
        "test_cpucg_weight_underprovisioned",
        "test_cpucg_nested_weight_overprovisioned",
        "test_cpucg_nested_weight_underprovisioned",
        "test_cpucg_max",
        "test_cpucg_max_nested",
    ] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("ok ") && l.ends_with(name)),
            "{name} did not pass:\n{out}"
        );
    }
    assert!(!out.lines().any(|l| l.starts_with("not ok ")), "{out}");
}

/// On the preset's 2 CPUs the underprovisioned tests are skipped, as the selftest does with
/// fewer than 4 CPUs, and every other test passes.
#[test]
fn test_cpu_port_passes_on_2_cpus() {
    let out = run_6_6(include_str!("../scripts/cgroup2_test_cpu.sh"));
    assert!(
        out.lines()
            .any(|l| l == "ok 4 test_cpucg_weight_underprovisioned # SKIP"),
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok ")).count(),
        8,
        "{out}"
    );
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
v2_script!(pids_v2);

/// 6.6's `cgroup_init_subsys` says `Initializing cgroup subsys NAME` with `pr_debug`, so the
/// boot log of the 6.6 preset has the banner and no such line (2.6.35 logs them, KERN_INFO).
#[test]
fn boot_log_has_no_init_subsys_lines() {
    let out = run_6_6("dmesg\n");
    assert!(out.contains("Linux version 6.6.0"), "{out}");
    assert!(!out.contains("Initializing cgroup subsys"), "{out}");
}

/// `MemAvailable` (3.14+, `si_mem_available`) is the third line of 6.6's `/proc/meminfo`, and
/// `free`'s `available` column agrees with it; 2.6.35 has no such line.
#[test]
fn meminfo_has_mem_available_on_6_6() {
    let out = run_6_6("memhold 100M &\nsleep 1\nhead -3 /proc/meminfo\nfree -k\n");
    let line = |label: &str| -> u64 {
        out.lines()
            .find(|l| l.starts_with(label))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {label} in\n{out}"))
    };
    let third = out
        .lines()
        .skip_while(|l| !l.starts_with("MemTotal:"))
        .nth(2)
        .unwrap_or_default();
    assert!(third.starts_with("MemAvailable:"), "{out}");
    let available = line("MemAvailable:");
    assert!(available < line("MemTotal:") - 100 * 1024 + 1024, "{out}");
    let free_available = out
        .lines()
        .find(|l| l.starts_with("Mem:"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|v| v.parse::<u64>().ok());
    assert_eq!(free_available, Some(available), "{out}");
    let mut sh = Shell::new(cgsim::boot(BootParams::default()));
    let (old, _) = cgsim::transcript_of(&mut sh, "cat /proc/meminfo\n");
    assert!(!old.contains("MemAvailable"), "{old}");
}

/// Reclaim is a memory stall of the reclaiming task in its own cgroup and every ancestor
/// (`try_to_free_mem_cgroup_pages` inside `psi_memstall_enter`, v6.6): a program that reclaims
/// and exits before the scheduler's round ends still leaves its stall in its cgroup's
/// `memory.pressure`, not only in the system's (the round folds in the groups the task was
/// in when it ran).
#[test]
fn reclaim_stall_of_an_exited_program_stays_in_its_cgroup() {
    let out = run_6_6(
        "mount -t cgroup2 none /sys/fs/cgroup\ncd /sys/fs/cgroup\n\
         echo +memory > cgroup.subtree_control\nmkdir a\necho 20M > a/memory.max\n\
         echo $$ > a/cgroup.procs\nmemhog 30M\necho $$ > cgroup.procs\n\
         grep some a/memory.pressure\ngrep some /proc/pressure/memory\n",
    );
    let totals: Vec<u64> = out
        .lines()
        .filter(|l| l.starts_with("some avg10="))
        .map(|l| {
            l.rsplit("total=")
                .next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{out}"))
        })
        .collect();
    assert_eq!(totals.len(), 2, "{out}");
    assert!(totals[0] > 0, "no stall in the cgroup:\n{out}");
    assert_eq!(totals[0], totals[1], "{out}");
}
