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
    m.swapoff(None, CPU).unwrap();
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
    assert_eq!(m.swapoff(None, CPU), Err(Errno::EINVAL), "not on");
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

/// Run by a task of the memcg (LTP memcg_regression test 4, "swapoff will be killed"):
/// 2.6.35's `sys_swapoff` marks the caller `PF_OOM_ORIGIN`, the charge of a page coming back
/// hits the limit, and `badness` gives the caller `ULONG_MAX` (printed by `%li` as -1): the
/// memcg OOM killer kills swapoff, not the task that owns the memory. Its charge is bypassed
/// (the page stays in, uncharged, its entry freed), `try_to_unuse` stops with EINTR at the
/// next entry, and the area goes back on with priority -1.
#[test]
fn swapoff_inside_the_memcg_is_the_oom_killers_victim() {
    let mut profile = MemcgProfile::default();
    profile.badness = cgsim_memcg::profile::Badness::TotalVm2_6_25;
    let (m, klog) = boot_with(profile, 64, 16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "1M").unwrap();
    let p = spawn(&m, 10, "hog", a);
    let addr = m.mmap_anon(p, Bytes(2 * MIB)).unwrap();
    m.touch(p, addr, Bytes(2 * MIB), true, CPU).unwrap();
    let s = spawn(&m, 20, "swapoff", a);
    let _ = m.take_events();
    let before = m.swap_area().unwrap().used;
    let memsw = read_u64(&m, a, "memsw.usage_in_bytes");
    assert_eq!(m.swapoff(Some(s), CPU), Err(Errno::EINTR));
    assert_eq!(m.take_events().killed, [s]);
    let log: Vec<String> = klog.lines().into_iter().map(|l| l.text).collect();
    assert!(
        log.contains(
            &"Memory cgroup out of memory: kill process 20 (swapoff) score -1 or a child"
                .to_string()
        ),
        "{log:?}"
    );
    // The kill line's tail (vsz or total-vm, rss) is the report format of the profile.
    assert!(
        log.iter()
            .any(|l| l.starts_with("Killed process 20 (swapoff)")),
        "{log:?}"
    );
    let after = m.swap_area().unwrap();
    assert_eq!(after.prio, -1);
    assert!(after.used < before, "some pages came back");
    // The bypassed page: resident, charged to nobody, its entry (and the entry's memsw
    // charge) gone.
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), MIB);
    assert_eq!(read_u64(&m, a, "memsw.usage_in_bytes"), memsw - 4096);
    assert_eq!(m.task_memcg(p), a, "the hog lives");
    m.check_invariants();
    // The area works as before.
    let addr2 = m.mmap_anon(p, Bytes(MIB)).unwrap();
    m.touch(p, addr2, Bytes(MIB), true, CPU).unwrap();
    m.check_invariants();
}

/// Run from outside the memcg, swapoff is not a candidate: the memcg OOM killer kills the
/// memcg's task, whose exit frees its swap entries, and swapoff completes.
#[test]
fn swapoff_outside_the_memcg_kills_the_owner_and_completes() {
    let (m, a, p, _) = swapped(16);
    let _ = m.take_events();
    assert_eq!(m.swapoff(Some(Pid(1)), CPU), Ok(()));
    assert_eq!(m.take_events().killed, [p]);
    assert_eq!(m.swap_area(), None);
    assert_eq!(read_u64(&m, a, "memsw.usage_in_bytes"), 0);
    m.check_invariants();
}

/// With `oom_kill_disable` the kernel's swapoff sleeps on the memcg's OOM wait queue: here
/// the call returns EINTR with the task queued (as a fault does); without a task to queue,
/// ENOMEM. Either way the area is back, with what could not be brought in.
#[test]
fn swapoff_with_oom_kill_disable_waits() {
    let (m, a, p, _) = swapped(16);
    write(&m, a, "oom_control", "1").unwrap();
    let s = spawn(&m, 20, "swapoff", a);
    let before = m.swap_area().unwrap().used;
    assert_eq!(m.swapoff(Some(s), CPU), Err(Errno::EINTR));
    assert!(m.oom_waiting(s).is_some());
    assert!(m.take_events().killed.is_empty());
    let after = m.swap_area().unwrap().used;
    assert!(after > 0 && after <= before);
    m.exit_task(s, CPU);
    assert_eq!(m.swapoff(None, CPU), Err(Errno::ENOMEM));
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
    m.swapoff(None, CPU).unwrap();
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
    m.swapoff(None, CPU).unwrap();
    assert_eq!(stat(&m, a, "swap"), 0);
    assert_eq!(stat(&m, a, "cache"), MIB);
    m.check_invariants();
}
