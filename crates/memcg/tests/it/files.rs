//! Control-file formats and errors (`mm/memcontrol.c` `mem_cgroup_files`, `mem_cgroup_write`, `mem_cgroup_resize_limit`, `mem_cgroup_resize_memsw_limit`, v2.6.34–v2.6.35; `kernel/cgroup.c` `cgroup_create`, v2.6.34).

use crate::*;
use cgsim_ktypes::Errno;
use cgsim_memcg::MemFile;

const UNLIMITED: &str = "9223372036854775807\n";

#[test]
fn defaults_print_like_2_6_34() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    for id in [MemcgId::ROOT, a] {
        assert_eq!(read(&m, id, "limit_in_bytes"), UNLIMITED);
        assert_eq!(read(&m, id, "memsw.limit_in_bytes"), UNLIMITED);
        assert_eq!(read(&m, id, "soft_limit_in_bytes"), UNLIMITED);
        assert_eq!(read(&m, id, "failcnt"), "0\n");
        assert_eq!(read(&m, id, "use_hierarchy"), "0\n");
        assert_eq!(read(&m, id, "swappiness"), "60\n");
        assert_eq!(read(&m, id, "move_charge_at_immigrate"), "0\n");
        assert_eq!(
            read(&m, id, "oom_control"),
            "oom_kill_disable 0\nunder_oom 0\n"
        );
    }
    assert_eq!(m.read_file(a, "force_empty"), Err(Errno::EINVAL));
    assert_eq!(m.write_file(a, "usage_in_bytes", b"0"), Err(Errno::EINVAL));
    assert_eq!(m.read_file(a, "nonexistent"), Err(Errno::ENOENT));
}

#[test]
fn file_list_in_creation_order() {
    let names: Vec<_> = MemFile::list(true).iter().map(|f| f.name()).collect();
    assert_eq!(
        names,
        [
            "usage_in_bytes",
            "max_usage_in_bytes",
            "limit_in_bytes",
            "soft_limit_in_bytes",
            "failcnt",
            "stat",
            "force_empty",
            "use_hierarchy",
            "swappiness",
            "move_charge_at_immigrate",
            "oom_control",
            "memsw.usage_in_bytes",
            "memsw.max_usage_in_bytes",
            "memsw.limit_in_bytes",
            "memsw.failcnt",
        ]
    );
    assert_eq!(MemFile::list(false).len(), 11);
}

#[test]
fn stat_keys_in_kernel_order() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let keys: Vec<String> = read(&m, a, "stat")
        .lines()
        .map(|l| l.split_once(' ').unwrap().0.to_string())
        .collect();
    let local = [
        "cache",
        "rss",
        "mapped_file",
        "pgpgin",
        "pgpgout",
        "swap",
        "inactive_anon",
        "active_anon",
        "inactive_file",
        "active_file",
        "unevictable",
    ];
    let mut want: Vec<String> = local.iter().map(|s| s.to_string()).collect();
    want.push("hierarchical_memory_limit".into());
    want.push("hierarchical_memsw_limit".into());
    want.extend(local.iter().map(|s| format!("total_{s}")));
    assert_eq!(keys, want);
    assert_eq!(stat(&m, a, "hierarchical_memory_limit"), i64::MAX as u64);
}

#[test]
fn no_memsw_files_without_swap_accounting() {
    let p = MemcgProfile {
        swap_accounting: false,
        ..MemcgProfile::default()
    };
    let (m, _) = boot_with(p, 64, 16);
    assert_eq!(
        m.read_file(MemcgId::ROOT, "memsw.usage_in_bytes"),
        Err(Errno::ENOENT)
    );
    assert!(!read(&m, MemcgId::ROOT, "stat").contains("swap"));
}

/// `kernel/cgroup.c` `cgroup_create`, v2.6.34; `mm/memcontrol.c` `mem_cgroup_write`, v2.6.34.
#[test]
fn limit_parsing() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    for (input, want) in [
        ("4M", "4194304\n"),
        ("1", "4096\n"),
        ("4097", "8192\n"),
        ("0x1000", "4096\n"),
        ("010", "4096\n"),
        ("1k\n", "4096\n"),
        ("  2m  ", "2097152\n"),
        ("-1", UNLIMITED),
        ("-01", UNLIMITED),
        ("1G", "1073741824\n"),
    ] {
        assert_eq!(
            write(&m, a, "limit_in_bytes", input),
            Ok(input.len()),
            "{input:?}"
        );
        // Keep memsw above memory so that the next lower/higher write is allowed.
        assert_eq!(read(&m, a, "limit_in_bytes"), want, "{input:?}");
    }
    for bad in ["abc", "4MB", "-2", "-", "1 2", "4M4"] {
        assert_eq!(
            write(&m, a, "limit_in_bytes", bad),
            Err(Errno::EINVAL),
            "{bad:?}"
        );
    }
    assert_eq!(
        write(&m, a, "limit_in_bytes", &"1".repeat(64)),
        Err(Errno::E2BIG)
    );
    // The root has no limit.
    assert_eq!(
        write(&m, MemcgId::ROOT, "limit_in_bytes", "4M"),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        write(&m, MemcgId::ROOT, "memsw.limit_in_bytes", "4M"),
        Err(Errno::EINVAL)
    );
    // The soft limit may be set anywhere and is not checked against usage.
    assert_eq!(write(&m, MemcgId::ROOT, "soft_limit_in_bytes", "8M"), Ok(2));
    assert_eq!(read(&m, MemcgId::ROOT, "soft_limit_in_bytes"), "8388608\n");
}

/// `mm/memcontrol.c` `mem_cgroup_resize_limit`, `mem_cgroup_resize_memsw_limit`, v2.6.34.
#[test]
fn memsw_ordering() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "4M").unwrap();
    assert_eq!(
        write(&m, a, "memsw.limit_in_bytes", "2M"),
        Err(Errno::EINVAL)
    );
    write(&m, a, "memsw.limit_in_bytes", "8M").unwrap();
    assert_eq!(write(&m, a, "limit_in_bytes", "16M"), Err(Errno::EINVAL));
    write(&m, a, "limit_in_bytes", "8M").unwrap();
    assert_eq!(read(&m, a, "limit_in_bytes"), "8388608\n");
    assert_eq!(read(&m, a, "memsw.limit_in_bytes"), "8388608\n");
    assert_eq!(stat(&m, a, "hierarchical_memsw_limit"), 8 * MIB);
}

/// `mm/memcontrol.c` `mem_cgroup_hierarchy_write`, v2.6.34.
#[test]
fn use_hierarchy_rules() {
    let m = boot(64, 16);
    assert_eq!(
        write(&m, MemcgId::ROOT, "use_hierarchy", "2"),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        write(&m, MemcgId::ROOT, "use_hierarchy", "x"),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        write(&m, MemcgId::ROOT, "use_hierarchy", ""),
        Err(Errno::EINVAL)
    );
    write(&m, MemcgId::ROOT, "use_hierarchy", "1").unwrap();
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    assert_eq!(read(&m, a, "use_hierarchy"), "1\n");
    assert_eq!(write(&m, a, "use_hierarchy", "0"), Err(Errno::EINVAL));
    assert_eq!(
        write(&m, MemcgId::ROOT, "use_hierarchy", "0"),
        Err(Errno::EBUSY)
    );
    // Kernel quirk: 2.6.34 refuses even rewriting the same value while children exist.
    assert_eq!(
        write(&m, MemcgId::ROOT, "use_hierarchy", "1"),
        Err(Errno::EBUSY)
    );
    // Hierarchical limits show in stat.
    write(&m, a, "limit_in_bytes", "8M").unwrap();
    let b = m.create_memcg(a).unwrap();
    write(&m, b, "limit_in_bytes", "16M").unwrap();
    assert_eq!(stat(&m, b, "hierarchical_memory_limit"), 8 * MIB);
}

#[test]
fn swappiness_and_oom_control_rules() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    assert_eq!(
        write(&m, MemcgId::ROOT, "swappiness", "10"),
        Err(Errno::EINVAL)
    );
    assert_eq!(write(&m, a, "swappiness", "101"), Err(Errno::EINVAL));
    write(&m, a, "swappiness", "10").unwrap();
    assert_eq!(read(&m, a, "swappiness"), "10\n");
    // Inherited at mkdir, as is oom_kill_disable.
    write(&m, a, "oom_control", "1").unwrap();
    let b = m.create_memcg(a).unwrap();
    assert_eq!(read(&m, b, "swappiness"), "10\n");
    assert_eq!(
        read(&m, b, "oom_control"),
        "oom_kill_disable 1\nunder_oom 0\n"
    );
    assert_eq!(
        write(&m, MemcgId::ROOT, "oom_control", "1"),
        Err(Errno::EINVAL)
    );
    assert_eq!(write(&m, a, "oom_control", "2"), Err(Errno::EINVAL));
    // With use_hierarchy, the flags belong to the top of the sub-hierarchy.
    let h = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, h, "use_hierarchy", "1").unwrap();
    let hc = m.create_memcg(h).unwrap();
    assert_eq!(write(&m, hc, "swappiness", "5"), Err(Errno::EINVAL));
    assert_eq!(write(&m, hc, "oom_control", "1"), Err(Errno::EINVAL));
    assert_eq!(write(&m, h, "swappiness", "5"), Err(Errno::EINVAL));
    assert_eq!(write(&m, h, "oom_control", "1"), Err(Errno::EINVAL));
    // move_charge_at_immigrate: bits 0 and 1.
    write(&m, a, "move_charge_at_immigrate", "3").unwrap();
    assert_eq!(
        write(&m, a, "move_charge_at_immigrate", "4"),
        Err(Errno::EINVAL)
    );
    assert_eq!(read(&m, a, "move_charge_at_immigrate"), "3\n");
}

#[test]
fn oom_kill_line_switch() {
    let p = MemcgProfile {
        oom_kill_line: true,
        ..MemcgProfile::default()
    };
    let (m, _) = boot_with(p, 64, 16);
    assert_eq!(
        read(&m, MemcgId::ROOT, "oom_control"),
        "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"
    );
}

#[test]
fn stale_memcg_is_enodev() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    m.remove_memcg(a).unwrap();
    assert_eq!(m.read_file(a, "usage_in_bytes"), Err(Errno::ENODEV));
    let b = m.create_memcg(MemcgId::ROOT).unwrap();
    assert_eq!(b.slot, a.slot, "slot reused");
    assert_ne!(b, a, "generation differs");
    assert_eq!(m.read_file(a, "usage_in_bytes"), Err(Errno::ENODEV));
}

/// The 2.6.25 memory controller's files (`mm/memcontrol.c` `mem_cgroup_files`, `mem_cgroup_read`, `mem_cgroup_write`, `mem_cgroup_resize_limit`).
#[test]
fn files_of_2_6_25() {
    let (m, _) = boot_with(MemcgProfile::v2_6_25(), 64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    assert_eq!(m.read_file(a, "max_usage_in_bytes"), Err(Errno::ENOENT));
    assert_eq!(m.read_file(a, "use_hierarchy"), Err(Errno::ENOENT));
    assert_eq!(write(&m, a, "failcnt", "0"), Err(Errno::EINVAL));
    // The root is charged and limitable.
    write(&m, MemcgId::ROOT, "limit_in_bytes", "32M").unwrap();
    assert_eq!(read(&m, MemcgId::ROOT, "limit_in_bytes"), "33554432\n");
    let p = crate::spawn(&m, 10, "usemem", a);
    let addr = m.mmap_anon(p, cgsim_ktypes::Bytes(MIB)).unwrap();
    m.touch(p, addr, cgsim_ktypes::Bytes(MIB), true, CPU)
        .unwrap();
    let keys: Vec<String> = read(&m, a, "stat")
        .lines()
        .map(|l| l.split_once(' ').unwrap().0.to_string())
        .collect();
    assert_eq!(keys, ["cache", "rss", "active", "inactive"]);
    assert_eq!(stat(&m, a, "active"), MIB);
    // A limit below usage is stored as is.
    write(&m, a, "limit_in_bytes", "4K").unwrap();
    assert_eq!(read(&m, a, "limit_in_bytes"), "4096\n");
    // force_empty with a task inside: EBUSY; without: the charges are dropped.
    assert_eq!(write(&m, a, "force_empty", "1"), Err(Errno::EBUSY));
    m.attach_task(p, MemcgId::ROOT).unwrap();
    write(&m, a, "force_empty", "1").unwrap();
    assert_eq!(read(&m, a, "usage_in_bytes"), "0\n");
    assert_eq!(
        m.task_mm_counts(p).unwrap().0,
        256,
        "the pages stay mapped, uncharged"
    );
    m.remove_memcg(a).unwrap();
    m.exit_task(p, CPU);
    m.check_invariants();
}

/// The 3.19+ counter backend: page_counter parsing rounds down and prints LONG_MAX rounded to a
/// page as "unlimited" (`include/linux/res_counter.h` `RESOURCE_MAX`, v2.6.34; `include/linux/page_counter.h` `PAGE_COUNTER_MAX`, v3.19; `mm/page_counter.c` `page_counter_memparse`, v3.19); the charge path is the same code.
#[test]
fn page_counter_backend() {
    use cgsim_counters::{PageCounter, PageCounterProfile};
    use cgsim_ktypes::klog::{Clock, Klog};
    use cgsim_ktypes::{Bytes, NoTrace};
    let m: Arc<MemoryMachine<PageCounter, NoTrace>> = MemoryMachine::new(
        MemcgProfile::default(),
        PageCounterProfile::V3_19,
        MachineConfig {
            ram: Bytes(64 * MIB),
            swap: Bytes(0),
            nr_cpus: 1,
        },
        Arc::new(NoTrace),
        Arc::new(Klog::default()),
        Arc::new(Clock::default()),
    );
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    assert_eq!(
        m.read_file(a, "limit_in_bytes").unwrap(),
        "9223372036854771712\n"
    );
    m.write_file(a, "limit_in_bytes", b"1").unwrap();
    assert_eq!(m.read_file(a, "limit_in_bytes").unwrap(), "0\n");
    m.write_file(a, "limit_in_bytes", b"4097").unwrap();
    assert_eq!(m.read_file(a, "limit_in_bytes").unwrap(), "4096\n");
    m.write_file(a, "limit_in_bytes", b"-1").unwrap();
    m.add_task(Pid(1), "init", MemcgId::ROOT).unwrap();
    m.exec_mm(Pid(1), "init", CPU).unwrap();
    m.fork_mm(Pid(1), Pid(10)).unwrap();
    m.attach_task(Pid(10), a).unwrap();
    m.write_file(a, "limit_in_bytes", b"64K").unwrap();
    let addr = m.mmap_anon(Pid(10), Bytes(MIB)).unwrap();
    assert_eq!(
        m.touch(Pid(10), addr, Bytes(MIB), true, CPU),
        Err(cgsim_memcg::FaultError::OomKilled)
    );
    assert!(
        m.read_file(a, "failcnt")
            .unwrap()
            .trim()
            .parse::<u64>()
            .unwrap()
            >= 6
    );
    m.exit_task(Pid(10), CPU);
    m.check_invariants();
}

/// Kernel (2.6.35 `cgroup_write_X64`, which dispatches every `write_u64` file): only a
/// zero-length write is EINVAL; `echo > memory.X` writes "\n", `strstrip` leaves "", and
/// `simple_strtoull("")` is 0 with nothing left over, so each handler gets 0
/// (`mem_cgroup_hierarchy_write`, `mem_cgroup_swappiness_write`,
/// `mem_cgroup_move_charge_write`, `mem_cgroup_oom_control_write` all accept 0).
#[test]
fn blank_writes_to_u64_files_write_zero() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    for (file, set) in [
        ("use_hierarchy", "1"),
        ("swappiness", "30"),
        ("move_charge_at_immigrate", "3"),
        ("oom_control", "1"),
    ] {
        m.write_file(a, file, set.as_bytes()).unwrap();
        assert_eq!(m.write_file(a, file, b"\n"), Ok(1), "{file}");
        assert_eq!(m.write_file(a, file, b""), Err(Errno::EINVAL), "{file}");
    }
    assert_eq!(read(&m, a, "use_hierarchy"), "0\n");
    assert_eq!(read(&m, a, "swappiness"), "0\n");
    assert_eq!(read(&m, a, "move_charge_at_immigrate"), "0\n");
    assert_eq!(
        read(&m, a, "oom_control"),
        "oom_kill_disable 0\nunder_oom 0\n"
    );
    // 0xA0 is a space to lib/ctype.c's isspace, so strstrip removes it.
    assert_eq!(m.write_file(a, "swappiness", b"12\xa0"), Ok(3));
    assert_eq!(read(&m, a, "swappiness"), "12\n");
}
