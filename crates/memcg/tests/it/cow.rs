//! fork's copy-on-write sharing of anonymous memory, as memcg sees it (`mm/memory.c` `do_wp_page`, v2.6.34): the shared
//! pages stay charged to the memcg that first touched them; a write copies the page and
//! charges the copy to the writer's memcg; the original is uncharged with its last mapping.

use crate::*;
use cgsim_ktypes::Bytes;

/// Parent in A touches 1M, forks; the child moves to B and writes half of it.
fn forked_pair(swap_mib: u64) -> (Arc<Machine>, MemcgId, MemcgId, Pid, Pid, u64) {
    let m = boot(64, swap_mib);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let b = m.create_memcg(MemcgId::ROOT).unwrap();
    let parent = spawn(&m, 10, "parent", a);
    let addr = m.mmap_anon(parent, Bytes(MIB)).unwrap();
    m.touch(parent, addr, Bytes(MIB), true, CPU).unwrap();
    let child = Pid(11);
    m.fork_mm(parent, child).unwrap();
    m.attach_task(child, b).unwrap();
    (m, a, b, parent, child, addr)
}

#[test]
fn fork_shares_and_write_copies() {
    let (m, a, b, parent, child, addr) = forked_pair(0);
    // fork charged nothing; the child maps every page.
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), MIB);
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), 0);
    assert_eq!(m.task_mm_counts(child).unwrap().0, 256, "child anon rss");
    // Reading shares; writing copies into the writer's memcg.
    m.touch(child, addr, Bytes(MIB), false, CPU).unwrap();
    assert_eq!(
        read_u64(&m, b, "usage_in_bytes"),
        0,
        "a read copies nothing"
    );
    m.touch(child, addr, Bytes(MIB / 2), true, CPU).unwrap();
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), MIB / 2);
    assert_eq!(
        read_u64(&m, a, "usage_in_bytes"),
        MIB,
        "originals stay in A"
    );
    // Writing the copies again reuses them.
    m.touch(child, addr, Bytes(MIB / 2), true, CPU).unwrap();
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), MIB / 2);
    m.check_invariants();
    // The parent leaves: its private originals go, the still-shared half stays charged to A,
    // now mapped by the child alone.
    m.exit_task(parent, CPU);
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), MIB / 2);
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), MIB / 2);
    // A write to a page mapped once more reuses it: no new charge.
    m.touch(child, addr, Bytes(MIB), true, CPU).unwrap();
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), MIB / 2);
    m.check_invariants();
    m.exit_task(child, CPU);
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 0);
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), 0);
    m.check_invariants();
}

#[test]
fn munmap_in_one_mm_keeps_the_shared_page() {
    let (m, a, _b, parent, child, addr) = forked_pair(0);
    m.munmap(parent, addr, Bytes(MIB), CPU).unwrap();
    assert_eq!(
        read_u64(&m, a, "usage_in_bytes"),
        MIB,
        "still mapped by the child"
    );
    m.munmap(child, addr, Bytes(MIB), CPU).unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 0);
    m.check_invariants();
}

/// 2.6.35 `is_target_pte_for_mc`: "we don't move shared anon".
#[test]
fn shared_pages_stay_behind_when_moving_charges() {
    let (m, a, b, _parent, child, addr) = forked_pair(0);
    write(&m, a, "move_charge_at_immigrate", "1").unwrap();
    m.touch(child, addr, Bytes(MIB / 4), true, CPU).unwrap();
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), MIB / 4);
    // Back to A: only the child's private copies move.
    m.attach_task(child, a).unwrap();
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), 0);
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), MIB + MIB / 4);
    // With both bits on, a shared page still does not move.
    let c = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, c, "move_charge_at_immigrate", "3").unwrap();
    m.attach_task(child, c).unwrap();
    assert_eq!(read_u64(&m, c, "usage_in_bytes"), MIB / 4);
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), MIB);
    m.check_invariants();
}

/// Reclaim unmaps a shared page from every mm (`try_to_unmap`); the swap entry has one
/// reference per pte (`swap_duplicate`) and is freed, with its memsw charge, by the last.
#[test]
fn shared_pages_swap_out_from_every_mm() {
    let (m, a, _b, parent, child, addr) = forked_pair(16);
    // Squeeze A to 256K: reclaim swaps the shared pages out of both mms.
    write(&m, a, "limit_in_bytes", "256K").unwrap();
    let (rss_p, _, swp_p, _, _) = m.task_mm_counts(parent).unwrap();
    let (rss_c, _, swp_c, _, _) = m.task_mm_counts(child).unwrap();
    assert!(swp_p >= 192, "at least 768K swapped out: {swp_p}");
    assert_eq!(
        (rss_c, swp_c),
        (rss_p, swp_p),
        "the child maps the same pages and slots"
    );
    assert_eq!(rss_p + swp_p, 256);
    assert_eq!(
        m.nr_free_swap(),
        16 * 256 - swp_p,
        "one slot per shared page"
    );
    assert_eq!(read_u64(&m, a, "memsw.usage_in_bytes"), MIB);
    m.check_invariants();
    // The child's swap-ins come back as its own pages (no swap cache), charged to A (the
    // entries' swap_cgroup); the slots stay for the parent.
    write(&m, a, "limit_in_bytes", "-1").unwrap();
    m.touch(child, addr, Bytes(MIB), false, CPU).unwrap();
    assert_eq!(m.task_mm_counts(child).unwrap().2, 0);
    assert_eq!(
        m.nr_free_swap(),
        16 * 256 - swp_p,
        "the parent still holds the slots"
    );
    m.check_invariants();
    // The parent's exit drops the last references: the slots and their memsw charge go.
    m.exit_task(parent, CPU);
    assert_eq!(m.nr_free_swap(), 16 * 256);
    assert_eq!(read_u64(&m, a, "memsw.usage_in_bytes"), MIB);
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), MIB);
    m.check_invariants();
}

/// `VM_LOCKED` is not inherited; when the locking parent unmaps, the child's still-shared
/// pages become evictable again (`try_to_munlock` finds no other locked VMA).
#[test]
fn munlock_when_the_locked_mapping_goes() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let parent = spawn(&m, 10, "parent", a);
    let addr = m.mmap_anon(parent, Bytes(MIB)).unwrap();
    m.mlock(parent, addr, Bytes(MIB), CPU).unwrap();
    m.lru_add_drain_all();
    assert_eq!(stat(&m, a, "unevictable"), MIB);
    let child = Pid(11);
    m.fork_mm(parent, child).unwrap();
    m.munmap(parent, addr, Bytes(MIB), CPU).unwrap();
    assert_eq!(stat(&m, a, "unevictable"), 0);
    assert_eq!(
        stat(&m, a, "active_anon") + stat(&m, a, "inactive_anon"),
        MIB
    );
    m.check_invariants();
}
