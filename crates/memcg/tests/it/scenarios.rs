//! Scenarios after LTP's memcg tests (`testcases/kernel/controllers/memcg/functional/
//! memcg_{usage_in_bytes,max_usage_in_bytes,failcnt,stat,force_empty,move_charge...}_test.sh`)
//! and Documentation/cgroups/memory.txt, written from `mm/memcontrol.c` and `mm/vmscan.c` of v2.6.34–v2.6.35.

use crate::*;
use cgsim_ktypes::{Bytes, CpuId, Errno};
use cgsim_memcg::{FaultError, FileId};

#[test]
fn usage_after_allocating_anon_memory() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "usemem", a);
    let addr = m.mmap_anon(p, Bytes(4 * MIB)).unwrap();
    m.touch(p, addr, Bytes(4 * MIB), true, CPU).unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 4 * MIB);
    assert_eq!(stat(&m, a, "rss"), 4 * MIB);
    assert_eq!(stat(&m, a, "cache"), 0);
    assert_eq!(stat(&m, a, "active_anon"), 4 * MIB);
    assert_eq!(stat(&m, a, "pgpgin"), 1024);
    m.munmap(p, addr, Bytes(4 * MIB), CPU).unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 0);
    assert_eq!(stat(&m, a, "pgpgout"), 1024);
    m.check_invariants();
}

/// LTP memcg_max_usage_in_bytes_test: the high-water mark and its reset to current usage.
#[test]
fn max_usage_and_reset() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "usemem", a);
    let addr = m.mmap_anon(p, Bytes(4 * MIB)).unwrap();
    m.touch(p, addr, Bytes(4 * MIB), false, CPU).unwrap();
    m.munmap(p, addr, Bytes(2 * MIB), CPU).unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 2 * MIB);
    assert_eq!(read_u64(&m, a, "max_usage_in_bytes"), 4 * MIB);
    assert_eq!(read_u64(&m, a, "memsw.max_usage_in_bytes"), 4 * MIB);
    write(&m, a, "max_usage_in_bytes", "0").unwrap();
    assert_eq!(
        read_u64(&m, a, "max_usage_in_bytes"),
        2 * MIB,
        "reset to usage, not 0"
    );
    write(&m, a, "memsw.max_usage_in_bytes", "").unwrap();
    assert_eq!(read_u64(&m, a, "memsw.max_usage_in_bytes"), 2 * MIB);
    m.check_invariants();
}

/// LTP memcg_failcnt: reclaim under a limit counts failures; swap keeps memsw charged.
#[test]
fn failcnt_and_swap_under_a_limit() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "1M").unwrap();
    let p = spawn(&m, 10, "usemem", a);
    let addr = m.mmap_anon(p, Bytes(2 * MIB)).unwrap();
    m.touch(p, addr, Bytes(2 * MIB), true, CPU).unwrap();
    let usage = read_u64(&m, a, "usage_in_bytes");
    assert!(usage <= MIB, "usage {usage} within the limit");
    assert!(read_u64(&m, a, "failcnt") > 0);
    assert_eq!(read_u64(&m, a, "memsw.usage_in_bytes"), 2 * MIB);
    assert_eq!(stat(&m, a, "swap") + stat(&m, a, "rss"), 2 * MIB);
    assert_eq!(read_u64(&m, a, "memsw.failcnt"), 0);
    write(&m, a, "failcnt", "0").unwrap();
    assert_eq!(read(&m, a, "failcnt"), "0\n");
    // Touching everything again swaps pages back in: memsw stays at 2M.
    m.touch(p, addr, Bytes(2 * MIB), false, CPU).unwrap();
    assert_eq!(read_u64(&m, a, "memsw.usage_in_bytes"), 2 * MIB);
    m.check_invariants();
    m.exit_task(p, CPU);
    assert_eq!(read_u64(&m, a, "memsw.usage_in_bytes"), 0);
    assert_eq!(m.nr_free_swap(), 16 * MIB / 4096);
    m.check_invariants();
}

/// memsw limit equal to the memory limit: swapping cannot help, so the task is OOM-killed.
#[test]
fn memsw_limit_means_no_swap() {
    let (m, klog) = boot_with(MemcgProfile::default(), 64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "1M").unwrap();
    write(&m, a, "memsw.limit_in_bytes", "1M").unwrap();
    let p = spawn(&m, 10, "usemem", a);
    let addr = m.mmap_anon(p, Bytes(2 * MIB)).unwrap();
    assert_eq!(
        m.touch(p, addr, Bytes(2 * MIB), true, CPU),
        Err(FaultError::OomKilled)
    );
    // memsw_is_minimum (limit == memsw limit): reclaim does not even try to swap.
    assert!(read_u64(&m, a, "failcnt") > 0);
    assert_eq!(stat(&m, a, "swap"), 0);
    assert_eq!(m.take_events().killed, vec![p]);
    assert!(
        klog.lines()
            .iter()
            .any(|l| l.text.contains("Kill process 10 (usemem)"))
    );
    m.check_invariants();
}

/// LTP memcg_stat_test: cache, rss, mapped_file.
#[test]
fn stat_cache_rss_mapped_file() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "reader", a);
    m.file_read(p, FileId(7), 0, Bytes(MIB), CPU).unwrap();
    assert_eq!(stat(&m, a, "cache"), MIB);
    assert_eq!(stat(&m, a, "inactive_file"), MIB);
    assert_eq!(stat(&m, a, "mapped_file"), 0);
    // A second read activates the pages (mark_page_accessed).
    m.file_read(p, FileId(7), 0, Bytes(MIB), CPU).unwrap();
    assert_eq!(stat(&m, a, "active_file"), MIB);
    // SysV shm: cache, and mapped while attached.
    let shm = m.shmget(Bytes(MIB)).unwrap();
    let addr = m.shmat(p, shm).unwrap();
    m.touch(p, addr, Bytes(MIB), true, CPU).unwrap();
    assert_eq!(stat(&m, a, "cache"), 2 * MIB);
    assert_eq!(stat(&m, a, "mapped_file"), MIB);
    assert_eq!(
        stat(&m, a, "active_anon"),
        MIB,
        "shmem lives on the anon lists"
    );
    m.shmdt(p, addr, CPU).unwrap();
    assert_eq!(stat(&m, a, "mapped_file"), 0);
    assert_eq!(
        stat(&m, a, "cache"),
        2 * MIB,
        "the segment outlives the attach"
    );
    m.shm_rmid(shm, CPU).unwrap();
    assert_eq!(stat(&m, a, "cache"), MIB);
    m.file_truncate(FileId(7), CPU);
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 0);
    m.check_invariants();
}

/// Shared /dev/zero mappings are shared by fork and charged once, to the first toucher.
#[test]
fn shared_zero_mapping_first_touch() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let b = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "parent", a);
    let addr = m.mmap_shared_zero(p, Bytes(MIB)).unwrap();
    m.touch(p, addr, Bytes(MIB), true, CPU).unwrap();
    m.fork_mm(p, Pid(11)).unwrap();
    m.attach_task(Pid(11), b).unwrap();
    m.touch(Pid(11), addr, Bytes(MIB), false, CPU).unwrap();
    assert_eq!(stat(&m, a, "cache"), MIB);
    assert_eq!(stat(&m, b, "cache"), 0);
    m.exit_task(p, CPU);
    assert_eq!(stat(&m, a, "cache"), MIB, "still mapped by the child");
    assert_eq!(stat(&m, a, "mapped_file"), MIB);
    m.exit_task(Pid(11), CPU);
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 0);
    m.check_invariants();
}

/// LTP memcg_move_charge_at_immigrate_test (`mm/memcontrol.c` `try_get_mem_cgroup_from_mm`, `mem_cgroup_can_attach`, `mem_cgroup_move_charge`, v2.6.34–v2.6.35).
#[test]
fn moved_task_charges_stay_unless_move_charge() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let b = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "mover", a);
    let addr = m.mmap_anon(p, Bytes(MIB)).unwrap();
    m.touch(p, addr, Bytes(MIB), true, CPU).unwrap();
    m.attach_task(p, b).unwrap();
    assert_eq!(
        read_u64(&m, a, "usage_in_bytes"),
        MIB,
        "charges stay behind"
    );
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), 0);
    // New pages go to the new memcg.
    let addr2 = m.mmap_anon(p, Bytes(MIB)).unwrap();
    m.touch(p, addr2, Bytes(MIB), true, CPU).unwrap();
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), MIB);
    // Moving back with bit 0 set on the destination takes the anon pages charged to b.
    write(&m, a, "move_charge_at_immigrate", "1").unwrap();
    m.attach_task(p, a).unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 2 * MIB);
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), 0);
    assert_eq!(stat(&m, a, "rss"), 2 * MIB);
    m.check_invariants();
}

/// can_attach precharges; a destination too small refuses the move with ENOMEM.
#[test]
fn move_charge_precharge_failure_refuses_attach() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let b = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "mover", a);
    let addr = m.mmap_anon(p, Bytes(2 * MIB)).unwrap();
    m.touch(p, addr, Bytes(2 * MIB), true, CPU).unwrap();
    write(&m, b, "limit_in_bytes", "1M").unwrap();
    write(&m, b, "move_charge_at_immigrate", "1").unwrap();
    assert_eq!(m.attach_task(p, b), Err(Errno::ENOMEM));
    assert_eq!(m.task_memcg(p), a);
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), 0, "precharge returned");
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 2 * MIB);
    m.check_invariants();
}

/// LTP memcg_force_empty: tasks → EBUSY; an empty memcg drops its cache and reparents the rest.
#[test]
fn force_empty() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "worker", a);
    m.file_read(p, FileId(3), 0, Bytes(MIB), CPU).unwrap();
    let addr = m.mmap_anon(p, Bytes(MIB)).unwrap();
    m.touch(p, addr, Bytes(MIB), true, CPU).unwrap();
    assert_eq!(write(&m, a, "force_empty", "0"), Err(Errno::EBUSY));
    m.attach_task(p, MemcgId::ROOT).unwrap();
    assert_eq!(write(&m, a, "force_empty", "0"), Ok(1));
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 0);
    // The clean cache was reclaimed; the anon pages (no swap) moved to the root.
    assert_eq!(stat(&m, MemcgId::ROOT, "rss"), MIB);
    assert_eq!(stat(&m, MemcgId::ROOT, "cache"), 0);
    assert_eq!(
        write(&m, MemcgId::ROOT, "force_empty", "0"),
        Err(Errno::EBUSY)
    );
    m.check_invariants();
}

/// rmdir reparents to a hierarchical parent without changing its usage.
#[test]
fn rmdir_reparents_charges() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "use_hierarchy", "1").unwrap();
    write(&m, a, "limit_in_bytes", "2M").unwrap();
    let c = m.create_memcg(a).unwrap();
    let p = spawn(&m, 10, "worker", c);
    let addr = m.mmap_anon(p, Bytes(2 * MIB)).unwrap();
    m.touch(p, addr, Bytes(2 * MIB), true, CPU).unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 2 * MIB);
    assert_eq!(m.remove_memcg(c), Err(Errno::EBUSY), "a task is inside");
    m.attach_task(p, a).unwrap();
    assert_eq!(m.remove_memcg(a), Err(Errno::EBUSY), "a child is inside");
    m.remove_memcg(c).unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 2 * MIB);
    assert_eq!(read_u64(&m, a, "failcnt"), 0, "reparenting is not a charge");
    assert_eq!(stat(&m, a, "rss"), 2 * MIB);
    m.check_invariants();
}

/// Limit shrink over mlocked memory: reclaim cannot help, so EBUSY after the retries.
#[test]
fn limit_shrink_ebusy_over_mlocked_memory() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "locker", a);
    let addr = m.mmap_anon(p, Bytes(2 * MIB)).unwrap();
    m.mlock(p, addr, Bytes(2 * MIB), CPU).unwrap();
    assert_eq!(stat(&m, a, "unevictable"), 2 * MIB);
    assert_eq!(write(&m, a, "limit_in_bytes", "1M"), Err(Errno::EBUSY));
    assert_eq!(read(&m, a, "limit_in_bytes"), "9223372036854775807\n");
    // Unlocked anonymous memory can be swapped out to make room.
    let q = spawn(&m, 11, "plain", a);
    m.attach_task(p, MemcgId::ROOT).unwrap();
    m.exit_task(p, CPU);
    let addr = m.mmap_anon(q, Bytes(2 * MIB)).unwrap();
    m.touch(q, addr, Bytes(2 * MIB), true, CPU).unwrap();
    assert_eq!(write(&m, a, "limit_in_bytes", "1M"), Ok(2));
    assert!(read_u64(&m, a, "usage_in_bytes") <= MIB);
    m.check_invariants();
}

/// Hierarchical reclaim: children of a limited parent share its limit.
#[test]
fn hierarchy_shares_the_parent_limit() {
    let m = boot(64, 64);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "use_hierarchy", "1").unwrap();
    write(&m, a, "limit_in_bytes", "4M").unwrap();
    let c1 = m.create_memcg(a).unwrap();
    let c2 = m.create_memcg(a).unwrap();
    let p1 = spawn(&m, 10, "one", c1);
    let p2 = spawn(&m, 11, "two", c2);
    for p in [p1, p2] {
        let addr = m.mmap_anon(p, Bytes(3 * MIB)).unwrap();
        m.touch(p, addr, Bytes(3 * MIB), true, CPU).unwrap();
        assert!(read_u64(&m, a, "usage_in_bytes") <= 4 * MIB);
    }
    assert_eq!(read_u64(&m, a, "memsw.usage_in_bytes"), 6 * MIB);
    assert_eq!(
        stat(&m, a, "total_swap") + stat(&m, a, "total_rss"),
        6 * MIB
    );
    assert_eq!(
        read_u64(&m, c1, "failcnt"),
        0,
        "only the failing level counts"
    );
    assert!(read_u64(&m, a, "failcnt") > 0);
    m.check_invariants();
}

/// Global reclaim: a machine out of RAM swaps, soft-limit excess first.
#[test]
fn global_reclaim_prefers_soft_limit_excess() {
    let m = boot(8, 64);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let b = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "soft_limit_in_bytes", "1M").unwrap();
    let pa = spawn(&m, 10, "hog", a);
    let pb = spawn(&m, 11, "nice", b);
    let aa = m.mmap_anon(pa, Bytes(4 * MIB)).unwrap();
    m.touch(pa, aa, Bytes(4 * MIB), true, CPU).unwrap();
    let ab = m.mmap_anon(pb, Bytes(3 * MIB)).unwrap();
    m.touch(pb, ab, Bytes(3 * MIB), true, CPU).unwrap();
    // 7M of 8M used; 2M more forces global reclaim.
    let ab2 = m.mmap_anon(pb, Bytes(2 * MIB)).unwrap();
    m.touch(pb, ab2, Bytes(2 * MIB), true, CPU).unwrap();
    assert!(
        stat(&m, a, "swap") > 0,
        "the memcg over its soft limit was reclaimed"
    );
    assert_eq!(stat(&m, b, "swap"), 0);
    m.check_invariants();
}

/// The per-CPU stock (memcg.stock_pages = 32): usage includes the stocked surplus.
#[test]
fn stock_shows_in_usage() {
    let p = MemcgProfile {
        stock_pages: 32,
        ..MemcgProfile::default()
    };
    let (m, _) = boot_with(p, 64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "usemem", a);
    let addr = m.mmap_anon(p, Bytes(4096)).unwrap();
    m.touch(p, addr, Bytes(4096), true, CPU).unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 32 * 4096);
    assert_eq!(stat(&m, a, "rss"), 4096);
    // force_empty drains the stock.
    m.exit_task(p, CPU);
    write(&m, a, "force_empty", "0").unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 0);
}

/// The benchmarks' fault-and-free loop: touch one page, drop it, many times; pagevecs batch the
/// LRU additions and everything returns to zero.
#[test]
fn fault_and_free_loop() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "loop", a);
    let addr = m.mmap_anon(p, Bytes(64 * 4096)).unwrap();
    for i in 0..1000u64 {
        let at = addr + (i % 64) * 4096;
        m.touch(p, at, Bytes(4096), true, CpuId((i % 2) as u32))
            .unwrap();
        if i % 3 == 0 {
            m.madvise_dontneed(p, at, Bytes(4096), CPU).unwrap();
        }
    }
    m.check_invariants();
    m.madvise_dontneed(p, addr, Bytes(64 * 4096), CPU).unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 0);
    assert_eq!(stat(&m, a, "pgpgin"), stat(&m, a, "pgpgout"));
    assert_eq!(m.task_mm_counts(p).unwrap().4, 64, "the mapping stays");
    m.check_invariants();
}

/// mlock of pages already faulted in makes them unevictable; a fork does not inherit the lock.
#[test]
fn mlock_after_touch() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "locker", a);
    let addr = m.mmap_anon(p, Bytes(MIB)).unwrap();
    m.touch(p, addr, Bytes(MIB), true, CPU).unwrap();
    m.mlock(p, addr, Bytes(MIB), CPU).unwrap();
    assert_eq!(stat(&m, a, "unevictable"), MIB);
    assert_eq!(stat(&m, a, "active_anon"), 0);
    m.fork_mm(p, Pid(11)).unwrap();
    m.touch(Pid(11), addr, Bytes(MIB), true, CPU).unwrap();
    assert_eq!(
        stat(&m, a, "unevictable"),
        MIB,
        "the child's pages are evictable"
    );
    assert_eq!(stat(&m, a, "active_anon"), MIB);
    m.check_invariants();
}

/// One munmap over pages charged to two memcgs (the task moved in between, without
/// move_charge_at_immigrate): the coalesced uncharge of the unmap (`mm/memcontrol.c` `mem_cgroup_uncharge_start`, `mem_cgroup_uncharge_end`, v2.6.34) holds the first
/// memcg's pages and uncharges the other's directly; both end at zero.
#[test]
fn munmap_over_two_memcgs_uncharges_both() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let b = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "usemem", a);
    let addr = m.mmap_anon(p, Bytes(2 * MIB)).unwrap();
    m.touch(p, addr, Bytes(MIB), true, CPU).unwrap();
    m.attach_task(p, b).unwrap();
    m.touch(p, addr + MIB, Bytes(MIB), true, CPU).unwrap();
    for x in [a, b] {
        assert_eq!(read_u64(&m, x, "usage_in_bytes"), MIB);
        assert_eq!(read_u64(&m, x, "memsw.usage_in_bytes"), MIB);
    }
    m.munmap(p, addr, Bytes(2 * MIB), CPU).unwrap();
    for x in [a, b] {
        assert_eq!(read_u64(&m, x, "usage_in_bytes"), 0);
        assert_eq!(read_u64(&m, x, "memsw.usage_in_bytes"), 0);
        assert_eq!(stat(&m, x, "pgpgout"), MIB / 4096);
    }
    m.check_invariants();
}

/// munlock: the pages go back to the evictable lists, and the limit can shrink over them.
#[test]
fn munlock_makes_memory_evictable_again() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "locker", a);
    let addr = m.mmap_anon(p, Bytes(2 * MIB)).unwrap();
    m.mlock(p, addr, Bytes(2 * MIB), CPU).unwrap();
    assert_eq!(write(&m, a, "limit_in_bytes", "1M"), Err(Errno::EBUSY));
    assert_eq!(
        m.munlock(p, addr + 2 * MIB, Bytes(4096), CPU),
        Err(Errno::ENOMEM)
    );
    assert_eq!(
        stat(&m, a, "unevictable"),
        2 * MIB,
        "a failed munlock changes nothing"
    );
    m.munlock(p, addr, Bytes(4096), CPU).unwrap();
    assert_eq!(stat(&m, a, "unevictable"), 0, "the whole VMA is unlocked");
    assert_eq!(write(&m, a, "limit_in_bytes", "1M"), Ok(2));
    assert!(read_u64(&m, a, "usage_in_bytes") <= MIB);
    m.check_invariants();
}

/// Kernel (`mm/memcontrol.c` `__mem_cgroup_move_account` → `mem_cgroup_charge_statistics`,
/// v2.6.34 and v2.6.35 alike): a moved page is counted like an uncharge in the source (cache or
/// rss down, pgpgout up) and like a charge in the destination (cache or rss up, pgpgin up);
/// mapped_file moves with it. The same function serves the three paths: move_charge_at_immigrate
/// (`mem_cgroup_move_charge_pte_range` → `mem_cgroup_move_account`), force_empty and rmdir
/// (`mem_cgroup_force_empty_list` → `mem_cgroup_move_parent`).
#[test]
fn moved_charges_count_pgpgout_in_source_and_pgpgin_in_destination() {
    const PAGES: u64 = MIB / 4096;
    // No swap: force_empty reclaims first and would otherwise swap the anon pages out.
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let b = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, b, "move_charge_at_immigrate", "1").unwrap();
    let p = spawn(&m, 10, "mover", a);
    let addr = m.mmap_anon(p, Bytes(MIB)).unwrap();
    m.touch(p, addr, Bytes(MIB), true, CPU).unwrap();
    let root_in = stat(&m, MemcgId::ROOT, "pgpgin");
    let root_out = stat(&m, MemcgId::ROOT, "pgpgout");
    // 1. move_charge_at_immigrate.
    m.attach_task(p, b).unwrap();
    assert_eq!(
        (stat(&m, a, "pgpgin"), stat(&m, a, "pgpgout")),
        (PAGES, PAGES)
    );
    assert_eq!((stat(&m, b, "pgpgin"), stat(&m, b, "pgpgout")), (PAGES, 0));
    assert_eq!(stat(&m, b, "rss"), MIB);
    // 2. force_empty moves b's charges to the root.
    m.attach_task(p, MemcgId::ROOT).unwrap();
    assert_eq!(write(&m, b, "force_empty", "0"), Ok(1));
    assert_eq!(
        (stat(&m, b, "pgpgin"), stat(&m, b, "pgpgout")),
        (PAGES, PAGES)
    );
    assert_eq!(stat(&m, MemcgId::ROOT, "pgpgin"), root_in + PAGES);
    assert_eq!(stat(&m, MemcgId::ROOT, "pgpgout"), root_out);
    // 3. rmdir reparents into a hierarchical parent.
    let h = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, h, "use_hierarchy", "1").unwrap();
    let c = m.create_memcg(h).unwrap();
    write(&m, c, "move_charge_at_immigrate", "1").unwrap();
    m.attach_task(p, c).unwrap();
    assert_eq!((stat(&m, c, "pgpgin"), stat(&m, c, "pgpgout")), (PAGES, 0));
    m.attach_task(p, h).unwrap();
    m.remove_memcg(c).unwrap();
    assert_eq!((stat(&m, h, "pgpgin"), stat(&m, h, "pgpgout")), (PAGES, 0));
    assert_eq!(stat(&m, h, "rss"), MIB);
    m.check_invariants();
}
