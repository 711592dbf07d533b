//! The 6.6 memory controller's v2 files on the machine alone (no cgroup core): formats,
//! parsing, `memory.max` reclaim and OOM, `memory.events`, `memory.oom.group`, protection.
//!
//! **Kernel:** `mm/memcontrol.c` v6.6 (`memory_files[]`, `memory_max_write`,
//! `memcg_memory_event`, `mem_cgroup_get_oom_group`), `mm/vmscan.c` v6.6
//! (`shrink_node_memcgs`).

use super::{CPU, MIB};
use cgsim_counters::{PageCounterProfile, ProtectedPageCounter};
use cgsim_ktypes::klog::{Clock, Klog};
use cgsim_ktypes::{Bytes, Errno, NoTrace, Pid};
use cgsim_memcg::{MachineConfig, MemFileV2, MemcgId, MemcgProfile, MemoryMachine};
use std::sync::Arc;

type Machine66 = MemoryMachine<ProtectedPageCounter, NoTrace>;

fn boot66(ram_mib: u64, swap_mib: u64) -> (Arc<Machine66>, Arc<Klog>) {
    let klog = Arc::new(Klog::default());
    let m = MemoryMachine::new(
        MemcgProfile::v6_6(),
        PageCounterProfile::V6_6,
        MachineConfig {
            ram: Bytes(ram_mib * MIB),
            swap: Bytes(swap_mib * MIB),
            nr_cpus: 1,
        },
        Arc::new(NoTrace),
        Arc::clone(&klog),
        Arc::new(Clock::default()),
    );
    m.add_task(Pid(1), "init", MemcgId::ROOT).unwrap();
    m.exec_mm(Pid(1), "init", CPU).unwrap();
    (m, klog)
}

fn spawn(m: &Machine66, pid: i32, memcg: MemcgId) -> Pid {
    let p = Pid(pid);
    m.fork_mm(Pid(1), p).unwrap();
    m.exec_mm(p, "memhog", CPU).unwrap();
    m.attach_task(p, memcg).unwrap();
    p
}

fn read(m: &Machine66, id: MemcgId, f: &str) -> String {
    m.read_v2(id, MemFileV2::from_name(f).unwrap()).unwrap()
}

fn write(m: &Machine66, id: MemcgId, f: &str, v: &str) -> Result<usize, Errno> {
    m.write_v2(id, MemFileV2::from_name(f).unwrap(), v.as_bytes())
}

#[test]
fn tunables_read_max_and_round_down_to_pages() {
    let (m, _) = boot66(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    for f in ["min", "low"] {
        assert_eq!(read(&m, a, f), "0\n");
    }
    for f in ["high", "max", "swap.max", "swap.high", "zswap.max"] {
        assert_eq!(read(&m, a, f), "max\n", "{f}");
    }
    assert_eq!(write(&m, a, "max", "1M\n"), Ok(3));
    assert_eq!(read(&m, a, "max"), "1048576\n");
    assert_eq!(write(&m, a, "low", "4097"), Ok(4));
    assert_eq!(read(&m, a, "low"), "4096\n");
    assert_eq!(write(&m, a, "high", "max"), Ok(3));
    assert_eq!(read(&m, a, "high"), "max\n");
    // v1's spelling of unlimited is a parse error on v2 files.
    assert_eq!(write(&m, a, "max", "-1"), Err(Errno::EINVAL));
    assert_eq!(write(&m, a, "max", "abc"), Err(Errno::EINVAL));
    assert_eq!(read(&m, a, "max"), "1048576\n");
    assert_eq!(write(&m, a, "oom.group", "2"), Err(Errno::EINVAL));
    assert_eq!(write(&m, a, "oom.group", "1"), Ok(1));
    assert_eq!(read(&m, a, "oom.group"), "1\n");
    assert_eq!(
        read(&m, a, "events"),
        "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n"
    );
    assert_eq!(read(&m, a, "swap.events"), "high 0\nmax 0\nfail 0\n");
    // memory.use_hierarchy (v1) is always 1 and refuses 0 (5.10+).
    assert_eq!(m.read_file(a, "use_hierarchy").unwrap(), "1\n");
}

/// test_memcg_max (test_memcontrol.c, v6.6): with memory.max 30M and no swap, a task that
/// touches more is OOM-killed; memory.events counts max and oom_kill events.
#[test]
fn max_kills_without_swap_and_counts_events() {
    let (m, _) = boot66(256, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let b = m.create_memcg(a).unwrap();
    write(&m, b, "max", "30M").unwrap();
    let p = spawn(&m, 10, b);
    let addr = m.mmap_anon(p, Bytes(50 * MIB)).unwrap();
    let r = m.touch(p, addr, Bytes(50 * MIB), true, CPU);
    assert!(r.is_err(), "{r:?}");
    let ev = read(&m, b, "events");
    assert!(ev.contains("oom_kill 1\n"), "{ev}");
    assert!(!ev.contains("max 0\n"), "{ev}");
    // The parent's memory.events counts the child's events; its events.local does not.
    assert!(read(&m, a, "events").contains("oom_kill 1\n"));
    assert!(read(&m, a, "events.local").contains("oom_kill 0\n"));
    let peak: u64 = read(&m, b, "peak").trim().parse().unwrap();
    assert!(peak <= 30 * MIB && peak > 29 * MIB, "{peak}");
    m.check_invariants();
}

/// memory_max_write: a limit below usage is stored, then usage is reclaimed (here: swapped)
/// down to it.
#[test]
fn max_below_usage_reclaims() {
    let (m, _) = boot66(256, 256);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, a);
    let addr = m.mmap_anon(p, Bytes(8 * MIB)).unwrap();
    m.touch(p, addr, Bytes(8 * MIB), true, CPU).unwrap();
    let cur: u64 = read(&m, a, "current").trim().parse().unwrap();
    assert!(cur >= 8 * MIB, "{cur}");
    write(&m, a, "max", "2M").unwrap();
    let cur: u64 = read(&m, a, "current").trim().parse().unwrap();
    assert!(cur <= 2 * MIB, "{cur}");
    let swap: u64 = read(&m, a, "swap.current").trim().parse().unwrap();
    assert!(swap >= 6 * MIB, "{swap}");
    // memory.reclaim: "1M" more.
    assert_eq!(write(&m, a, "reclaim", "1M"), Ok(2));
    let after: u64 = read(&m, a, "current").trim().parse().unwrap();
    assert!(after <= cur - MIB, "{after} vs {cur}");
    m.check_invariants();
}

/// test_memcg_oom_group_leaf_events (test_memcontrol.c, v6.6): with memory.oom.group, an OOM
/// kills every task of the group and counts oom_group_kill.
#[test]
fn oom_group_kills_every_task() {
    let (m, klog) = boot66(256, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "max", "10M").unwrap();
    write(&m, a, "oom.group", "1").unwrap();
    let idle = spawn(&m, 11, a);
    let small = m.mmap_anon(idle, Bytes(MIB)).unwrap();
    m.touch(idle, small, Bytes(MIB), true, CPU).unwrap();
    let hog = spawn(&m, 10, a);
    let addr = m.mmap_anon(hog, Bytes(50 * MIB)).unwrap();
    assert!(m.touch(hog, addr, Bytes(50 * MIB), true, CPU).is_err());
    let killed = m.take_events().killed;
    assert!(
        killed.contains(&hog) && killed.contains(&idle),
        "{killed:?}"
    );
    let ev = read(&m, a, "events");
    assert!(ev.contains("oom_group_kill 1\n"), "{ev}");
    // The victim is counted twice: once as the OOM's victim, once as a member of the group
    // (6.6 `oom_kill_memcg_member` meets it while its mm is still there).
    assert!(ev.contains("oom_kill 3\n"), "{ev}");
    assert!(
        read(&m, a, "current").trim() == "0",
        "{}",
        read(&m, a, "current")
    );
    let _ = klog;
}

/// test_memcg_min (test_memcontrol.c, v6.6), reduced: of two siblings under a limited parent,
/// the one protected by memory.min keeps its memory when the parent must reclaim.
#[test]
fn min_protects_from_parent_reclaim() {
    let (m, _) = boot66(256, 256);
    let parent = m.create_memcg(MemcgId::ROOT).unwrap();
    let prot = m.create_memcg(parent).unwrap();
    let unprot = m.create_memcg(parent).unwrap();
    write(&m, prot, "min", "8M").unwrap();
    let p1 = spawn(&m, 10, prot);
    let p2 = spawn(&m, 11, unprot);
    for p in [p1, p2] {
        let addr = m.mmap_anon(p, Bytes(8 * MIB)).unwrap();
        m.touch(p, addr, Bytes(8 * MIB), true, CPU).unwrap();
    }
    write(&m, parent, "max", "10M").unwrap();
    let c1: u64 = read(&m, prot, "current").trim().parse().unwrap();
    let c2: u64 = read(&m, unprot, "current").trim().parse().unwrap();
    assert!(c1 >= 8 * MIB, "protected lost memory: {c1}");
    assert!(c2 <= 2 * MIB, "unprotected kept {c2}");
    m.check_invariants();
}
