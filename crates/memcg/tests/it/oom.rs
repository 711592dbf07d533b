//! OOM: kills at tiny limits, victim choice, `oom_kill_disable` waiting and wake-ups
//! (`mm/memcontrol.c` `mem_cgroup_handle_oom`, `mem_cgroup_oom_lock`, `memcg_oom_recover`, `mem_cgroup_oom_notify`; `mm/oom_kill.c` `oom_badness`, `select_bad_process` without the listener), and the 2.6.25 kill-and-fail model.

use crate::*;
use cgsim_ktypes::{Bytes, Errno};
use cgsim_memcg::{FaultError, MemcgEventHook};
use std::sync::Mutex;

fn usemem(m: &Machine, p: Pid, bytes: u64) -> Result<(), FaultError> {
    let addr = m.mmap_anon(p, Bytes(bytes)).unwrap();
    m.touch(p, addr, Bytes(bytes), true, CPU)
}

#[test]
fn tiny_limit_kills_the_only_task() {
    let (m, klog) = boot_with(MemcgProfile::default(), 64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "256K").unwrap();
    let p = spawn(&m, 10, "usemem", a);
    assert_eq!(usemem(&m, p, MIB), Err(FaultError::OomKilled));
    assert_eq!(m.take_events().killed, vec![p]);
    // The test profile reports as 3.10 does: dump_header, then the kill lines.
    let lines: Vec<String> = klog.lines().iter().map(|l| l.text.clone()).collect();
    assert!(
        lines[0].starts_with("usemem invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0"),
        "{lines:?}"
    );
    let kill = lines
        .iter()
        .position(|l| l.starts_with("Memory cgroup out of memory: Kill process 10 (usemem) score "))
        .expect("the kill line");
    assert!(lines[kill].ends_with(" or sacrifice child"));
    assert!(
        lines[kill + 1].starts_with("Killed process 10 (usemem) total-vm:1024kB, anon-rss:"),
        "{lines:?}"
    );
    assert_eq!(
        read_u64(&m, a, "usage_in_bytes"),
        0,
        "the victim's memory is freed"
    );
    assert!(
        read_u64(&m, a, "failcnt") >= 6,
        "six failed rounds before OOM"
    );
    assert_eq!(
        read(&m, a, "oom_control"),
        "oom_kill_disable 0\nunder_oom 0\n"
    );
    m.exit_task(p, CPU);
    m.check_invariants();
    assert!(!klog.lines().iter().any(|l| l.text.contains("WARNING")));
}

#[test]
fn victim_is_the_biggest_and_adj_minus_1000_is_immune() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "2M").unwrap();
    let big = spawn(&m, 10, "big", a);
    let small = spawn(&m, 11, "small", a);
    let immune = spawn(&m, 12, "immune", a);
    m.set_oom_score_adj(immune, -1000).unwrap();
    assert_eq!(m.set_oom_score_adj(immune, -1001), Err(Errno::EINVAL));
    usemem(&m, immune, 1200 * 1024).unwrap();
    usemem(&m, big, 600 * 1024).unwrap();
    // small's fault hits the limit: big (not immune, more pages) is killed and small goes on.
    usemem(&m, small, 400 * 1024).unwrap();
    assert_eq!(m.take_events().killed, vec![big]);
    assert!(m.task_mm_counts(big).is_none());
    assert_eq!(m.task_mm_counts(small).unwrap().0, 100);
    m.check_invariants();
}

#[test]
fn oom_kill_disable_waits_until_the_limit_is_raised() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "4M").unwrap();
    write(&m, a, "oom_control", "1").unwrap();
    let p = spawn(&m, 10, "usemem", a);
    let addr = m.mmap_anon(p, Bytes(5 * MIB)).unwrap();
    assert_eq!(
        m.touch(p, addr, Bytes(5 * MIB), true, CPU),
        Err(FaultError::OomWait { memcg: a })
    );
    assert_eq!(m.oom_waiting(p), Some(a));
    assert_eq!(
        read(&m, a, "oom_control"),
        "oom_kill_disable 1\nunder_oom 1\n"
    );
    assert!(m.take_events().killed.is_empty());
    // Raising the limit wakes the task (memcg_oom_recover); it retries and completes.
    write(&m, a, "limit_in_bytes", "8M").unwrap();
    assert_eq!(m.take_events().woken, vec![p]);
    assert_eq!(
        read(&m, a, "oom_control"),
        "oom_kill_disable 1\nunder_oom 0\n"
    );
    assert_eq!(m.oom_waiting(p), None);
    m.touch(p, addr, Bytes(5 * MIB), true, CPU).unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 5 * MIB);
    m.check_invariants();
}

#[test]
fn oom_waiters_wake_on_uncharge_and_on_reenabling_the_killer() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "1M").unwrap();
    write(&m, a, "oom_control", "1").unwrap();
    let p = spawn(&m, 10, "first", a);
    let q = spawn(&m, 11, "second", a);
    let pa = m.mmap_anon(p, Bytes(MIB)).unwrap();
    m.touch(p, pa, Bytes(MIB), true, CPU).unwrap();
    let qa = m.mmap_anon(q, Bytes(MIB)).unwrap();
    assert!(matches!(
        m.touch(q, qa, Bytes(MIB), true, CPU),
        Err(FaultError::OomWait { .. })
    ));
    // An uncharge in the memcg wakes the waiter.
    m.munmap(p, pa, Bytes(4096), CPU).unwrap();
    assert_eq!(m.take_events().woken, vec![q]);
    assert!(matches!(
        m.touch(q, qa, Bytes(MIB), true, CPU),
        Err(FaultError::OomWait { .. })
    ));
    // Re-enabling the killer wakes it; its retry then kills the biggest task (p).
    write(&m, a, "oom_control", "0").unwrap();
    assert_eq!(m.take_events().woken, vec![q]);
    m.touch(q, qa, Bytes(MIB), true, CPU).unwrap();
    assert_eq!(m.take_events().killed, vec![p]);
    m.check_invariants();
}

#[test]
fn sigkill_releases_a_waiter() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "1M").unwrap();
    write(&m, a, "oom_control", "1").unwrap();
    let p = spawn(&m, 10, "usemem", a);
    assert!(matches!(
        usemem(&m, p, 2 * MIB),
        Err(FaultError::OomWait { .. })
    ));
    m.oom_wait_interrupt(p);
    assert_eq!(
        read(&m, a, "oom_control"),
        "oom_kill_disable 1\nunder_oom 0\n"
    );
    m.exit_task(p, CPU);
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 0);
    m.check_invariants();
}

#[derive(Default)]
struct Notes(Mutex<Vec<MemcgId>>);

impl MemcgEventHook for Notes {
    fn oom(&self, memcg: MemcgId) {
        self.0.lock().unwrap().push(memcg);
    }
}

#[test]
fn the_lock_owner_notifies_once() {
    let m = boot(64, 0);
    let notes = std::sync::Arc::new(Notes::default());
    m.set_event_hook(notes.clone());
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "1M").unwrap();
    write(&m, a, "oom_control", "1").unwrap();
    let p = spawn(&m, 10, "one", a);
    let q = spawn(&m, 11, "two", a);
    assert!(usemem(&m, p, 2 * MIB).is_err());
    assert!(usemem(&m, q, MIB).is_err());
    assert_eq!(
        *notes.0.lock().unwrap(),
        vec![a],
        "the second waiter did not get the lock"
    );
    assert_eq!(
        read(&m, a, "oom_control"),
        "oom_kill_disable 1\nunder_oom 1\n"
    );
}

#[test]
fn hierarchical_oom_picks_from_the_subtree() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "use_hierarchy", "1").unwrap();
    write(&m, a, "limit_in_bytes", "2M").unwrap();
    let c = m.create_memcg(a).unwrap();
    let hog = spawn(&m, 10, "hog", c);
    let p = spawn(&m, 11, "small", a);
    usemem(&m, hog, 1800 * 1024).unwrap();
    usemem(&m, p, 400 * 1024).unwrap();
    assert_eq!(m.take_events().killed, vec![hog]);
    m.check_invariants();
}

#[test]
fn kill_and_fail_2_6_25() {
    let (m, klog) = boot_with(MemcgProfile::v2_6_25(), 64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "1M").unwrap();
    let big = spawn(&m, 10, "big", a);
    let small = spawn(&m, 11, "small", a);
    usemem(&m, big, 800 * 1024).unwrap();
    assert_eq!(usemem(&m, small, 400 * 1024), Err(FaultError::OomKilled));
    // The victim and, through VM_FAULT_OOM, the faulting task.
    assert_eq!(m.take_events().killed, vec![big, small]);
    let text: Vec<String> = klog.lines().iter().map(|l| l.text.clone()).collect();
    assert_eq!(
        text[0],
        "small invoked oom-killer: gfp_mask=0xd0, order=0, oomkilladj=0"
    );
    assert!(
        text.iter()
            .any(|l| l.starts_with("Memory cgroup out of memory: kill process 10 (big) score ")),
        "{text:?}"
    );
    assert!(
        text.contains(&"Killed process 10 (big)".to_string()),
        "{text:?}"
    );
    assert!(
        text.contains(&"VM: killing process small".to_string()),
        "{text:?}"
    );
    m.check_invariants();
}

#[test]
fn global_oom_when_ram_and_swap_run_out() {
    let (m, klog) = boot_with(MemcgProfile::default(), 4, 0);
    let p = Pid(10);
    m.fork_mm(Pid(1), p).unwrap();
    m.exec_mm(p, "hog", CPU).unwrap();
    assert_eq!(usemem(&m, p, 8 * MIB), Err(FaultError::OomKilled));
    assert!(
        klog.lines()
            .iter()
            .any(|l| l.text.starts_with("Out of memory: Kill process 10 (hog)"))
    );
    assert_eq!(m.nr_free_pages(), 1024);
    m.check_invariants();
}

#[test]
fn retrying_before_the_wake_up_queues_once() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "1M").unwrap();
    write(&m, a, "oom_control", "1").unwrap();
    let p = spawn(&m, 10, "usemem", a);
    let addr = m.mmap_anon(p, Bytes(2 * MIB)).unwrap();
    for _ in 0..3 {
        assert!(matches!(
            m.touch(p, addr, Bytes(2 * MIB), true, CPU),
            Err(FaultError::OomWait { .. })
        ));
    }
    m.oom_wait_interrupt(p);
    assert_eq!(
        read(&m, a, "oom_control"),
        "oom_kill_disable 1\nunder_oom 0\n"
    );
}

#[derive(Default)]
struct Usage(Mutex<Vec<(MemcgId, u64)>>);

impl MemcgEventHook for Usage {
    fn page_event(&self, memcg: MemcgId, usage: Bytes, _memsw: Bytes) {
        self.0.lock().unwrap().push((memcg, usage.0));
    }
}

/// The threshold layer's view (`mm/memcontrol.c` `__mem_cgroup_threshold`, v2.6.34 under `every_event`): one page event per charge
/// and uncharge, with the usage `usage_in_bytes` would print.
#[test]
fn page_events_reach_the_hook() {
    let m = boot(64, 0);
    let hook = std::sync::Arc::new(Usage::default());
    m.set_event_hook(hook.clone());
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "usemem", a);
    usemem(&m, p, 6 * MIB).unwrap();
    let seen = hook.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 6 * 256);
    assert!(seen.iter().all(|&(id, _)| id == a));
    let crossed = seen
        .windows(2)
        .filter(|w| w[0].1 < 5 * MIB && w[1].1 >= 5 * MIB)
        .count();
    assert_eq!(crossed, 1, "5M crossed once on the way up");
    m.exit_task(p, CPU);
    assert_eq!(hook.0.lock().unwrap().last(), Some(&(a, 0)));
}

fn v4() -> MemcgProfile {
    let mut p = MemcgProfile::default();
    p.set("memcg.oom_model", "v4_oom").unwrap();
    p
}

/// Nothing killable in the memcg: 2.6.35 (SEED) fails the charge, 4.x forces it past the limit
/// (`OOM_FAILED` → `force:` in `try_charge`, `mm/memcontrol.c` `mem_cgroup_oom`, v4.19).
#[test]
fn v4_oom_forces_the_charge_when_nothing_can_be_killed() {
    for (profile, forced) in [(MemcgProfile::default(), false), (v4(), true)] {
        let (m, _) = boot_with(profile, 64, 0);
        let a = m.create_memcg(MemcgId::ROOT).unwrap();
        write(&m, a, "limit_in_bytes", "1M").unwrap();
        let p = spawn(&m, 10, "immune", a);
        m.set_oom_score_adj(p, -1000).unwrap();
        let r = usemem(&m, p, 2 * MIB);
        if forced {
            assert_eq!(r, Ok(()));
            assert_eq!(read_u64(&m, a, "usage_in_bytes"), 2 * MIB, "past the limit");
            assert!(read_u64(&m, a, "failcnt") > 0);
        } else {
            assert_eq!(r, Err(FaultError::Errno(Errno::ENOMEM)));
            assert!(read_u64(&m, a, "usage_in_bytes") <= MIB);
        }
        assert!(m.take_events().killed.is_empty());
        m.check_invariants();
    }
}

/// `oom_kill_disable`: 2.6.35 makes every charge wait; 4.x makes only a user page fault wait
/// and fails a charge from `read(2)` (page cache) with ENOMEM (`OOM_SKIPPED`, `mm/memcontrol.c` `mem_cgroup_oom`, `try_charge`, v4.19).
#[test]
fn v4_oom_kill_disable_waits_only_in_a_user_fault() {
    for (profile, read_waits) in [(MemcgProfile::default(), true), (v4(), false)] {
        let (m, _) = boot_with(profile, 64, 0);
        let a = m.create_memcg(MemcgId::ROOT).unwrap();
        write(&m, a, "limit_in_bytes", "1M").unwrap();
        write(&m, a, "oom_control", "1").unwrap();
        let p = spawn(&m, 10, "usemem", a);
        let q = spawn(&m, 11, "reader", a);
        assert!(matches!(
            usemem(&m, p, 2 * MIB),
            Err(FaultError::OomWait { .. })
        ));
        let r = m.file_read(q, cgsim_memcg::FileId(3), 0, Bytes(MIB), CPU);
        if read_waits {
            assert!(matches!(r, Err(FaultError::OomWait { .. })), "{r:?}");
        } else {
            assert_eq!(r, Err(FaultError::Errno(Errno::ENOMEM)));
        }
        assert!(read(&m, a, "oom_control").contains("under_oom 1"));
        m.check_invariants();
    }
}

/// `memcg.oom_model=kill_and_fail_2_6_25` in the 2.6.34 charge loop: the victim dies and the
/// charge fails, so the faulting task is killed too (x86 `VM_FAULT_OOM` in 2.6.25).
#[test]
fn kill_and_fail_model_in_the_2_6_34_loop() {
    let mut profile = MemcgProfile::default();
    profile
        .set("memcg.oom_model", "kill_and_fail_2_6_25")
        .unwrap();
    let (m, _) = boot_with(profile, 64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "1M").unwrap();
    let big = spawn(&m, 10, "big", a);
    let small = spawn(&m, 11, "small", a);
    usemem(&m, big, 800 * 1024).unwrap();
    assert_eq!(usemem(&m, small, 400 * 1024), Err(FaultError::OomKilled));
    assert_eq!(m.take_events().killed, vec![big, small]);
    m.check_invariants();
}

/// `memcg.oom_model=handle_oom_2_6_34` (`mm/memcontrol.c` `mem_cgroup_handle_oom`, v2.6.34): there is no `oom_control` (no
/// `oom_kill_disable` to make tasks wait, no `under_oom`), and the task that hits the limit runs
/// the OOM killer and retries its charge; SEED with `oom_kill_disable` would make it wait.
#[test]
fn handle_oom_2_6_34_has_no_oom_control_and_always_kills() {
    let mut profile = MemcgProfile::default();
    profile.set("memcg.oom_model", "handle_oom_2_6_34").unwrap();
    let (m, klog) = boot_with(profile, 64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    assert!(
        m.read_file(a, "oom_control").is_err(),
        "oom_control is 2.6.35's"
    );
    assert!(write(&m, a, "oom_control", "1").is_err());
    write(&m, a, "limit_in_bytes", "1M").unwrap();
    let big = spawn(&m, 10, "big", a);
    let small = spawn(&m, 11, "small", a);
    usemem(&m, big, 800 * 1024).unwrap();
    // small's fault hits the limit: big is killed, small's charge is retried and succeeds.
    usemem(&m, small, 400 * 1024).unwrap();
    assert_eq!(m.take_events().killed, vec![big]);
    assert!(m.oom_waiting(small).is_none());
    assert!(
        klog.lines()
            .iter()
            .any(|l| l.text.starts_with("Killed process 10 (big) total-vm:"))
    );
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 400 * 1024);
    m.check_invariants();
    let mut other = MemcgProfile::default();
    assert_eq!(other.set("memcg.oom_model", "bogus"), Err(Errno::EINVAL));
}

/// `memcg.oom_model=oom_control_fault_end` (3.12+, `mm/memcontrol.c` `mem_cgroup_oom_synchronize`): a page-cache charge from
/// `read(2)` at the limit fails with ENOMEM and kills no one, where SEED runs the OOM killer; a
/// user page fault handles the OOM as SEED does.
#[test]
fn oom_control_fault_end_handles_oom_only_in_user_faults() {
    for fault_end in [false, true] {
        let mut profile = MemcgProfile::default();
        if fault_end {
            profile
                .set("memcg.oom_model", "oom_control_fault_end")
                .unwrap();
        }
        let (m, _) = boot_with(profile, 64, 0);
        let a = m.create_memcg(MemcgId::ROOT).unwrap();
        write(&m, a, "limit_in_bytes", "1M").unwrap();
        write(&m, a, "memsw.limit_in_bytes", "1M").unwrap();
        let big = spawn(&m, 10, "big", a);
        let reader = spawn(&m, 11, "reader", a);
        // The memcg is full of anonymous memory it cannot swap (memsw = limit).
        usemem(&m, big, MIB).unwrap();
        let r = m.file_read(reader, cgsim_memcg::FileId(3), 0, Bytes(64 * 1024), CPU);
        if fault_end {
            assert_eq!(r, Err(FaultError::Errno(Errno::ENOMEM)));
            assert!(m.take_events().killed.is_empty(), "no kill outside a fault");
            // A user fault at the limit still runs the OOM killer.
            assert_eq!(usemem(&m, reader, 64 * 1024), Ok(()));
        } else {
            assert_eq!(r, Ok(()));
        }
        assert_eq!(m.take_events().killed, vec![big]);
        assert_eq!(
            read(&m, a, "oom_control"),
            "oom_kill_disable 0\nunder_oom 0\n"
        );
        m.check_invariants();
    }
}
