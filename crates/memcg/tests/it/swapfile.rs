//! swapoff and swapon (`mm/swapfile.c`): every entry comes back into memory, charged to the
//! memcg its `swap_cgroup` entry names; a charge that cannot be met fails the swapoff and puts
//! the area back.

use crate::*;
use cgsim_ktypes::{Bytes, Errno};
use cgsim_memcg::SwapArea;

/// A task in memcg `a` (limit 1M) that touched 2M: about 1M of it is in swap.
fn swapped(swap_mib: u64) -> (Arc<Machine>, MemcgId, Pid, u64) {
    let m = boot(64, swap_mib);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "1M").unwrap();
    let p = spawn(&m, 10, "hog", a);
    let addr = m.mmap_anon(p, Bytes(2 * MIB)).unwrap();
    m.touch(p, addr, Bytes(2 * MIB), true, CPU).unwrap();
    assert!(stat(&m, a, "swap") >= MIB - 64 * 4096);
    (m, a, p, addr)
}

#[test]
fn swapoff_brings_everything_back_and_swapon_restores_the_area() {
    let (m, a, p, _) = swapped(16);
    let area = m.swap_area().unwrap();
    assert_eq!(area.pages, 16 * 256);
    assert_eq!(area.used * 4096, stat(&m, a, "swap"));
    // Not -1: with memsw unlimited too, 2.6.34 would set memsw_is_minimum and never swap for
    // this memcg's limit again (a kernel quirk the model keeps).
    write(&m, a, "limit_in_bytes", "64M").unwrap();
    m.swapoff(CPU).unwrap();
    assert_eq!(m.swap_area(), None);
    assert_eq!(m.nr_free_swap(), 0);
    assert_eq!(stat(&m, a, "swap"), 0);
    assert_eq!(stat(&m, a, "rss"), 2 * MIB);
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 2 * MIB);
    assert_eq!(
        read_u64(&m, a, "memsw.usage_in_bytes"),
        2 * MIB,
        "memsw unchanged"
    );
    assert_eq!(m.task_mm_counts(p).unwrap().2, 0, "no swap entries left");
    m.check_invariants();
    assert_eq!(m.swapoff(CPU), Err(Errno::EINVAL), "not on");
    // Without swap, a limit below usage cannot be met: reclaim has nowhere to put anon pages.
    assert_eq!(
        write(&m, a, "limit_in_bytes", "1M"),
        Err(Errno::EBUSY),
        "no swap to shrink into"
    );
    m.swapon().unwrap();
    assert_eq!(
        m.swap_area(),
        Some(SwapArea {
            pages: 16 * 256,
            used: 0,
            prio: -1
        })
    );
    assert_eq!(m.swapon(), Err(Errno::EBUSY));
    write(&m, a, "limit_in_bytes", "1M").unwrap();
    assert!(stat(&m, a, "swap") > 0, "swapping again");
    m.check_invariants();
}

#[test]
fn swapoff_fails_with_enomem_when_the_memcg_cannot_take_the_pages() {
    let (m, a, p, _) = swapped(16);
    let before = m.swap_area().unwrap().used;
    assert_eq!(m.swapoff(CPU), Err(Errno::ENOMEM));
    // The area is back, with what could not be brought in; nothing leaked.
    let after = m.swap_area().unwrap().used;
    assert!(after > 0 && after <= before);
    assert!(read_u64(&m, a, "usage_in_bytes") <= MIB);
    assert_eq!(read_u64(&m, a, "memsw.usage_in_bytes"), 2 * MIB);
    m.check_invariants();
    // It swaps again as before.
    let addr2 = m.mmap_anon(p, Bytes(MIB)).unwrap();
    m.touch(p, addr2, Bytes(MIB), true, CPU).unwrap();
    assert_eq!(read_u64(&m, a, "memsw.usage_in_bytes"), 3 * MIB);
    m.check_invariants();
}

/// An entry shared by parent and child since a fork comes back as one page mapped by both.
#[test]
fn shared_entries_come_back_shared() {
    let (m, a, p, addr) = swapped(16);
    let child = Pid(11);
    m.fork_mm(p, child).unwrap();
    let swapped_pages = m.task_mm_counts(p).unwrap().2;
    assert_eq!(m.task_mm_counts(child).unwrap().2, swapped_pages);
    write(&m, a, "limit_in_bytes", "-1").unwrap();
    m.swapoff(CPU).unwrap();
    assert_eq!(
        read_u64(&m, a, "usage_in_bytes"),
        2 * MIB,
        "one page per entry"
    );
    assert_eq!(m.task_mm_counts(child).unwrap().0, 512);
    m.check_invariants();
    // Writing copies, as for any page still shared since the fork.
    m.touch(child, addr, Bytes(MIB), true, CPU).unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 3 * MIB);
    m.check_invariants();
}

/// Swapped shmem pages go back into the page cache, charged as cache.
#[test]
fn shmem_entries_return_to_the_page_cache() {
    let m = boot(64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "512K").unwrap();
    let p = spawn(&m, 10, "shm", a);
    let addr = m.mmap_shared_zero(p, Bytes(MIB)).unwrap();
    m.touch(p, addr, Bytes(MIB), true, CPU).unwrap();
    assert!(stat(&m, a, "swap") > 0);
    write(&m, a, "limit_in_bytes", "-1").unwrap();
    m.swapoff(CPU).unwrap();
    assert_eq!(stat(&m, a, "swap"), 0);
    assert_eq!(stat(&m, a, "cache"), MIB);
    m.check_invariants();
}
