//! The fast path's task handle ([`cgsim_memcg::TaskRef`], the kernel's `current`): a handle
//! taken before the task changed (attach to another memcg, exec, fork of a child, exit, another
//! machine) gives the same result as the pid API, and refreshes itself.

use crate::*;
use cgsim_ktypes::{Errno, PAGE_SIZE};
use cgsim_memcg::{FaultError, TaskRef};

/// A handle taken in A, used after the task moved to B (no charge moving): new pages are
/// charged to B, as `touch(pid)` charges them, and the old pages stay in A.
#[test]
fn stale_handle_after_attach_charges_the_new_memcg() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let b = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "t", a);
    let mut cur = m.current(p).unwrap();
    assert_eq!(cur.pid(), p);
    let addr = m.mmap_anon(p, Bytes(8 * PAGE_SIZE)).unwrap();
    m.touch_task(&mut cur, addr, Bytes(4 * PAGE_SIZE), true, CPU)
        .unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 4 * PAGE_SIZE);
    let before = cur;
    m.attach_task(p, b).unwrap();
    m.touch_task(
        &mut cur,
        addr + 4 * PAGE_SIZE,
        Bytes(4 * PAGE_SIZE),
        true,
        CPU,
    )
    .unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 4 * PAGE_SIZE);
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), 4 * PAGE_SIZE);
    assert_ne!(cur, before, "the call refreshed the handle");
    // The refreshed handle frees on the fast path what it faulted, in both memcgs.
    m.madvise_dontneed_task(&mut cur, addr, Bytes(8 * PAGE_SIZE), CPU)
        .unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 0);
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), 0);
    assert_eq!(m.task_mm_counts(p).unwrap().0, 0);
    m.check_invariants();
}

/// exec gives the task a new mm: a handle of the old one faults in the new one.
#[test]
fn stale_handle_after_exec_uses_the_new_mm() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "t", a);
    let mut cur = m.current(p).unwrap();
    let old = m.mmap_anon(p, Bytes(4 * PAGE_SIZE)).unwrap();
    m.touch_task(&mut cur, old, Bytes(4 * PAGE_SIZE), true, CPU)
        .unwrap();
    m.exec_mm(p, "t2", CPU).unwrap();
    assert_eq!(
        read_u64(&m, a, "usage_in_bytes"),
        0,
        "exec freed the old mm"
    );
    let new = m.mmap_anon(p, Bytes(2 * PAGE_SIZE)).unwrap();
    m.touch_task(&mut cur, new, Bytes(2 * PAGE_SIZE), true, CPU)
        .unwrap();
    assert_eq!(m.task_mm_counts(p).unwrap().0, 2);
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 2 * PAGE_SIZE);
    m.check_invariants();
}

/// After exit the handle's pid is unknown: the same errors as the pid API (ESRCH), and a
/// handle taken for another pid that reuses the number is not confused with the dead task.
#[test]
fn handle_of_an_exited_task_fails_as_the_pid_api() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "t", a);
    let mut cur = m.current(p).unwrap();
    let addr = m.mmap_anon(p, Bytes(PAGE_SIZE)).unwrap();
    m.exit_task(p, CPU);
    assert_eq!(
        m.touch(p, addr, Bytes(PAGE_SIZE), true, CPU),
        Err(FaultError::Errno(Errno::ESRCH))
    );
    assert_eq!(
        m.touch_task(&mut cur, addr, Bytes(PAGE_SIZE), true, CPU),
        Err(FaultError::Errno(Errno::ESRCH))
    );
    assert_eq!(
        m.madvise_dontneed_task(&mut cur, addr, Bytes(PAGE_SIZE), CPU),
        m.madvise_dontneed(p, addr, Bytes(PAGE_SIZE), CPU)
    );
    assert_eq!(m.current(p), None);
    // The pid comes back as another task with its own mm, in B: the old handle finds it, as
    // a pid would.
    let b = m.create_memcg(MemcgId::ROOT).unwrap();
    spawn(&m, 10, "u", b);
    let addr = m.mmap_anon(p, Bytes(PAGE_SIZE)).unwrap();
    m.touch_task(&mut cur, addr, Bytes(PAGE_SIZE), true, CPU)
        .unwrap();
    assert_eq!(read_u64(&m, b, "usage_in_bytes"), PAGE_SIZE);
    m.check_invariants();
}

/// A handle of one machine on another: never trusted there, so it acts as its pid.
#[test]
fn handle_of_another_machine_acts_as_its_pid() {
    let m1 = boot(64, 0);
    let m2 = boot(64, 0);
    let a1 = m1.create_memcg(MemcgId::ROOT).unwrap();
    let a2 = m2.create_memcg(MemcgId::ROOT).unwrap();
    let b2 = m2.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m1, 10, "t", a1);
    spawn(&m2, 10, "t", a2);
    // Move the task on m2 so that its memcg there differs from the handle's.
    m2.attach_task(p, b2).unwrap();
    let mut cur = m1.current(p).unwrap();
    let addr = m2.mmap_anon(p, Bytes(3 * PAGE_SIZE)).unwrap();
    m2.touch_task(&mut cur, addr, Bytes(3 * PAGE_SIZE), true, CPU)
        .unwrap();
    assert_eq!(read_u64(&m2, a2, "usage_in_bytes"), 0);
    assert_eq!(read_u64(&m2, b2, "usage_in_bytes"), 3 * PAGE_SIZE);
    assert_eq!(read_u64(&m1, a1, "usage_in_bytes"), 0);
    m1.check_invariants();
    m2.check_invariants();
}

/// A handle made from a pid alone, and one of a task without an mm, behave as the pid API.
#[test]
fn handle_from_pid_and_without_mm() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    m.add_task(Pid(20), "kthread", a).unwrap();
    let mut cur = m.current(Pid(20)).unwrap();
    assert_eq!(
        m.touch_task(&mut cur, 0, Bytes(PAGE_SIZE), true, CPU),
        m.touch(Pid(20), 0, Bytes(PAGE_SIZE), true, CPU)
    );
    let p = spawn(&m, 10, "t", a);
    let mut cur = TaskRef::from_pid(p);
    let addr = m.mmap_anon(p, Bytes(PAGE_SIZE)).unwrap();
    m.touch_task(&mut cur, addr, Bytes(PAGE_SIZE), true, CPU)
        .unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), PAGE_SIZE);
    assert_eq!(cur, m.current(p).unwrap(), "refreshed by its first use");
    assert_eq!(
        m.madvise_dontneed_task(&mut cur, addr + 1, Bytes(PAGE_SIZE), CPU),
        Err(Errno::EINVAL)
    );
    m.check_invariants();
}
