//! Thresholds and OOM notification (`mm/memcontrol.c` `mem_cgroup_threshold`, `__mem_cgroup_threshold`, `mem_cgroup_oom_register_event`, `mem_cgroup_oom_notify`, v2.6.34–v2.6.35) through
//! `MemcgEvents`: the worked example of `mm/memcontrol.c` `__mem_cgroup_threshold`, v2.6.34, the check timing switches, the ancestor walk,
//! OOM delivery to the subtree, model-based property tests, and a real thread woken from a
//! blocking eventfd read.

use crate::*;
use cgsim_ktypes::{Bytes, Errno, PAGE_SIZE};
use cgsim_memcg::events::{
    EventFile, MemcgEvents, Notifier, THRESHOLDS_EVENTS_TARGET, VmpressureLevel,
};
use cgsim_memcg::{MemcgProfile, ThresholdCheck};
use proptest::prelude::*;

type Events = MemcgEvents<cgsim_counters::SpinResCounter, cgsim_ktypes::NoTrace>;

fn boot_mode(mode: ThresholdCheck) -> (Arc<Machine>, Arc<Events>) {
    boot_mode_swap(mode, 16)
}

fn boot_mode_swap(mode: ThresholdCheck, swap_mib: u64) -> (Arc<Machine>, Arc<Events>) {
    let p = MemcgProfile {
        thresholds_check: mode,
        ..MemcgProfile::default()
    };
    let (m, _) = boot_with(p, 64, swap_mib);
    let ev = MemcgEvents::install(&m);
    (m, ev)
}

/// A task with one anonymous mapping whose first `len` pages are resident: `set` faults pages
/// in or drops them (`MADV_DONTNEED`) one page event at a time.
struct Hog {
    pid: Pid,
    addr: u64,
    pages: u64,
}

impl Hog {
    fn new(m: &Machine, pid: i32, memcg: MemcgId, max_pages: u64) -> Hog {
        let pid = spawn(m, pid, "hog", memcg);
        let addr = m.mmap_anon(pid, Bytes(max_pages * PAGE_SIZE)).unwrap();
        Hog {
            pid,
            addr,
            pages: 0,
        }
    }

    /// Make exactly `pages` pages resident.
    fn set(&mut self, m: &Machine, pages: u64) {
        if pages > self.pages {
            let start = self.addr + self.pages * PAGE_SIZE;
            m.touch(
                self.pid,
                start,
                Bytes((pages - self.pages) * PAGE_SIZE),
                true,
                CPU,
            )
            .unwrap();
        } else if pages < self.pages {
            let start = self.addr + pages * PAGE_SIZE;
            m.madvise_dontneed(
                self.pid,
                start,
                Bytes((self.pages - pages) * PAGE_SIZE),
                CPU,
            )
            .unwrap();
        }
        self.pages = pages;
    }
}

fn pages(bytes: u64) -> u64 {
    bytes / PAGE_SIZE
}

/// `mm/memcontrol.c` `__mem_cgroup_threshold`, v2.6.34, in `every_event` mode.
#[test]
fn worked_example() {
    let (m, ev) = boot_mode(ThresholdCheck::EveryEvent);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let mut hog = Hog::new(&m, 10, a, pages(16 * MIB));
    hog.set(&m, pages(2 * MIB));
    let t1 = ev.register_threshold(a, Bytes(4 * MIB)).unwrap();
    let t2 = ev.register_threshold(a, Bytes(8 * MIB)).unwrap();
    assert_eq!(
        ev.thresholds(a, false),
        vec![Bytes(4 * MIB), Bytes(8 * MIB)]
    );
    let got = |n: &Notifier| n.try_recv().unwrap_or(0);
    hog.set(&m, pages(5 * MIB));
    assert_eq!((got(&t1), got(&t2)), (1, 0));
    hog.set(&m, pages(9 * MIB));
    assert_eq!((got(&t1), got(&t2)), (0, 1));
    hog.set(&m, pages(8 * MIB));
    assert_eq!((got(&t1), got(&t2)), (0, 0), "8M is not above 8M");
    hog.set(&m, pages(3 * MIB));
    assert_eq!((got(&t1), got(&t2)), (1, 1));
    ev.check_invariants();
    // Dropping a notifier unregisters it.
    drop(t1);
    assert_eq!(ev.thresholds(a, false), vec![Bytes(8 * MIB)]);
    drop(t2);
    assert!(ev.thresholds(a, false).is_empty());
}

/// `mm/memcontrol.c` `__mem_cgroup_threshold`, v2.6.34: a 5M listener sees 4M -> 6M once and 6M -> 4M once.
#[test]
fn crossing_up_and_down_once_each() {
    let (m, ev) = boot_mode(ThresholdCheck::EveryEvent);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let mut hog = Hog::new(&m, 10, a, pages(8 * MIB));
    hog.set(&m, pages(4 * MIB));
    let n = ev.register_threshold(a, Bytes(5 * MIB)).unwrap();
    hog.set(&m, pages(6 * MIB));
    assert_eq!(n.try_recv(), Some(1));
    hog.set(&m, pages(4 * MIB));
    assert_eq!(n.try_recv(), Some(1));
    assert_eq!(n.try_recv(), None);
}

/// Registration never fires for a threshold already passed (`mm/memcontrol.c` `mem_cgroup_usage_register_event`, v2.6.34).
#[test]
fn registration_is_silent() {
    let (m, ev) = boot_mode(ThresholdCheck::EveryEvent);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let mut hog = Hog::new(&m, 10, a, pages(8 * MIB));
    hog.set(&m, pages(6 * MIB));
    let below = ev.register_threshold(a, Bytes(MIB)).unwrap();
    let equal = ev.register_threshold(a, Bytes(6 * MIB)).unwrap();
    let above = ev.register_threshold(a, Bytes(7 * MIB)).unwrap();
    assert_eq!(below.try_recv(), None);
    assert_eq!(
        equal.try_recv(),
        None,
        "3.x registration counts <= as reached"
    );
    assert_eq!(above.try_recv(), None);
    // Going down past 6M fires `equal`; going below 1M fires `below`.
    hog.set(&m, 0);
    assert_eq!(below.try_recv(), Some(1));
    assert_eq!(equal.try_recv(), Some(1));
    assert_eq!(above.try_recv(), None);
}

/// The 2.6.34 registration comparison (`thresholds.register_cmp = lt_2_6_34`).
#[test]
fn register_cmp_lt_2_6_34() {
    let p = MemcgProfile {
        thresholds_check: ThresholdCheck::EveryEvent,
        thresholds_register_le: false,
        ..MemcgProfile::default()
    };
    let (m, _) = boot_with(p, 64, 16);
    let ev = MemcgEvents::install(&m);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let mut hog = Hog::new(&m, 10, a, pages(8 * MIB));
    hog.set(&m, pages(6 * MIB));
    let equal = ev.register_threshold(a, Bytes(6 * MIB)).unwrap();
    // Kernel quirk: 6M was registered as "above" the usage of 6M, so the next check
    // (any page event) reports it crossed upwards.
    hog.set(&m, pages(6 * MIB) + 1);
    assert_eq!(equal.try_recv(), Some(1));
}

/// `ratelimited_2_6_34`: a crossing is noticed at the page event that makes the memcg's
/// counter a multiple of 128, not before.
#[test]
fn ratelimited_2_6_34_checks_every_128_events() {
    let (m, ev) = boot_mode(ThresholdCheck::Ratelimited2_6_34);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let mut hog = Hog::new(&m, 10, a, 1024);
    let n = ev.register_threshold(a, Bytes(10 * PAGE_SIZE)).unwrap();
    // Events 1..=127: usage crosses 10 pages at event 10, but no check has run yet.
    hog.set(&m, THRESHOLDS_EVENTS_TARGET - 1);
    assert_eq!(n.try_recv(), None);
    hog.set(&m, THRESHOLDS_EVENTS_TARGET);
    assert_eq!(n.try_recv(), Some(1));
    // Below the threshold and back above it between two checks (events 129..=256): the
    // check at event 256 sees 10 pages, the side of the last check, and signals nothing.
    hog.set(&m, 5);
    hog.set(&m, 9);
    assert_eq!(n.try_recv(), None);
    hog.set(&m, 10);
    assert_eq!(
        n.try_recv(),
        None,
        "crossed twice between two checks: not signalled"
    );
    // The next check (event 384) sees the usage down at 0 pages.
    hog.set(&m, 0);
    assert_eq!(n.try_recv(), None, "event 266: no check yet");
    hog.set(&m, 59);
    hog.set(&m, 0);
    assert_eq!(n.try_recv(), Some(1), "events 267..=384 end at 0 pages");
}

/// `ratelimited_3x`: the 1st page event checks, then every 129th.
#[test]
fn ratelimited_3x_first_event_then_every_129() {
    let (m, ev) = boot_mode(ThresholdCheck::Ratelimited3x);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let n = ev.register_threshold(a, Bytes(PAGE_SIZE)).unwrap();
    let mut hog = Hog::new(&m, 10, a, 1024);
    hog.set(&m, 1);
    assert_eq!(n.try_recv(), Some(1), "event 1 checks");
    // Events 2..=129 toggle the usage between 0 and 1 page: no check runs.
    for _ in 2..=129 {
        let flip = 1 - hog.pages;
        hog.set(&m, flip);
    }
    assert_eq!((hog.pages, n.try_recv()), (1, None));
    // Event 130 passes the target set at event 1 (1 + 128): the check sees 0 pages.
    hog.set(&m, 0);
    assert_eq!(n.try_recv(), Some(1));
    // The next check is at event 259 (130 + 129).
    for _ in 131..=258 {
        let flip = 1 - hog.pages;
        hog.set(&m, flip);
    }
    assert_eq!((hog.pages, n.try_recv()), (0, None));
    hog.set(&m, 1);
    assert_eq!(n.try_recv(), Some(1), "event 259 checks and sees 1 page");
}

/// A child's charges reach the thresholds of a `use_hierarchy` parent (`mm/memcontrol.c` `mem_cgroup_threshold`, v2.6.34), and not
/// those of a parent without it.
#[test]
fn ancestors_are_checked_through_use_hierarchy() {
    let (m, ev) = boot_mode(ThresholdCheck::EveryEvent);
    let p = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, p, "use_hierarchy", "1").unwrap();
    let c = m.create_memcg(p).unwrap();
    let flat = m.create_memcg(MemcgId::ROOT).unwrap();
    let flat_child = m.create_memcg(flat).unwrap();
    let on_parent = ev.register_threshold(p, Bytes(MIB)).unwrap();
    let on_flat = ev.register_threshold(flat, Bytes(MIB)).unwrap();
    let mut hog = Hog::new(&m, 10, c, pages(4 * MIB));
    let mut hog2 = Hog::new(&m, 11, flat_child, pages(4 * MIB));
    hog.set(&m, pages(2 * MIB));
    hog2.set(&m, pages(2 * MIB));
    assert_eq!(on_parent.try_recv(), Some(1));
    assert_eq!(on_flat.try_recv(), None);
}

/// The memsw set is independent of the memory set.
#[test]
fn memsw_thresholds() {
    let (m, ev) = boot_mode(ThresholdCheck::EveryEvent);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let mem = ev.register_threshold(a, Bytes(2 * MIB)).unwrap();
    let msw = ev.register_memsw_threshold(a, Bytes(3 * MIB)).unwrap();
    let mut hog = Hog::new(&m, 10, a, pages(4 * MIB));
    hog.set(&m, pages(2 * MIB) + 10);
    assert_eq!((mem.try_recv(), msw.try_recv()), (Some(1), None));
    hog.set(&m, pages(3 * MIB));
    assert_eq!((mem.try_recv(), msw.try_recv()), (None, Some(1)));
    assert_eq!(ev.thresholds(a, true), vec![Bytes(3 * MIB)]);
}

/// Threshold arguments parse as `limit_in_bytes` does; garbage is EINVAL and registers nothing.
#[test]
fn bad_thresholds_are_einval() {
    let (m, ev) = boot_mode(ThresholdCheck::EveryEvent);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let efd = cgsim_eventfd::eventfd2(0, 0).unwrap();
    for bad in ["abc", "5Q", "1 2", "-2"] {
        assert_eq!(
            ev.register_event(a, EventFile::UsageInBytes, Arc::clone(efd.ctx()), bad),
            Err(Errno::EINVAL),
            "{bad:?}"
        );
    }
    assert!(ev.thresholds(a, false).is_empty());
    // An empty argument is a threshold of 0; "1" rounds up to a page.
    ev.register_event(a, EventFile::UsageInBytes, Arc::clone(efd.ctx()), "")
        .unwrap();
    ev.register_event(a, EventFile::UsageInBytes, Arc::clone(efd.ctx()), "1")
        .unwrap();
    assert_eq!(ev.thresholds(a, false), vec![Bytes(0), Bytes(PAGE_SIZE)]);
    // One eventfd, all its entries removed at once (`mm/memcontrol.c` `mem_cgroup_usage_unregister_event`, v2.6.34).
    ev.unregister_event(a, EventFile::UsageInBytes, efd.ctx());
    assert!(ev.thresholds(a, false).is_empty());
}

/// `mm/memcontrol.c` `mem_cgroup_handle_oom`, `mem_cgroup_oom_notify`, `mem_cgroup_oom_register_event`, v2.6.35: the lock owner notifies every listener of the OOMing memcg; a
/// registration while under OOM is signalled at once; the root never OOMs.
#[test]
fn oom_notification() {
    let (m, ev) = boot_mode_swap(ThresholdCheck::EveryEvent, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "1M").unwrap();
    write(&m, a, "oom_control", "1").unwrap();
    let n1 = ev.register_oom_notifier(a).unwrap();
    let n2 = ev.register_oom_notifier(a).unwrap();
    let root = ev.register_oom_notifier(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "hog", a);
    let q = spawn(&m, 11, "hog2", a);
    let addr = m.mmap_anon(p, Bytes(2 * MIB)).unwrap();
    assert!(matches!(
        m.touch(p, addr, Bytes(2 * MIB), true, CPU),
        Err(cgsim_memcg::FaultError::OomWait { .. })
    ));
    let addr_q = m.mmap_anon(q, Bytes(MIB)).unwrap();
    assert!(m.touch(q, addr_q, Bytes(MIB), true, CPU).is_err());
    assert_eq!(
        (n1.try_recv(), n2.try_recv(), root.try_recv()),
        (Some(1), Some(1), None),
        "one notification per episode, from the lock owner only"
    );
    let late = ev.register_oom_notifier(a).unwrap();
    assert_eq!(late.try_recv(), Some(1), "registered while under OOM");
    // Raising the limit wakes the waiters; under_oom returns to 0 once they are done.
    write(&m, a, "limit_in_bytes", "8M").unwrap();
    assert!(m.take_events().woken.contains(&p));
    m.touch(p, addr, Bytes(2 * MIB), true, CPU).unwrap();
    m.touch(q, addr_q, Bytes(MIB), true, CPU).unwrap();
    assert_eq!(
        read(&m, a, "oom_control"),
        "oom_kill_disable 1\nunder_oom 0\n"
    );
    assert_eq!(n1.try_recv(), None);
    drop((n2, late));
    assert_eq!(ev.nr_oom_notify(a), 1);
}

/// An OOM at a `use_hierarchy` parent notifies the whole subtree, not the ancestors
/// (`mm/memcontrol.c` `mem_cgroup_oom_notify`, v2.6.35).
#[test]
fn oom_notifies_the_subtree() {
    let (m, ev) = boot_mode_swap(ThresholdCheck::EveryEvent, 0);
    let top = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, top, "use_hierarchy", "1").unwrap();
    // Children inherit oom_kill_disable (they may not set it under a hierarchy, 2.6.35).
    write(&m, top, "oom_control", "1").unwrap();
    let p = m.create_memcg(top).unwrap();
    write(&m, p, "limit_in_bytes", "1M").unwrap();
    let c1 = m.create_memcg(p).unwrap();
    let c2 = m.create_memcg(p).unwrap();
    let on_top = ev.register_oom_notifier(top).unwrap();
    let on_p = ev.register_oom_notifier(p).unwrap();
    let on_c2 = ev.register_oom_notifier(c2).unwrap();
    let hog = Hog::new(&m, 10, c1, pages(2 * MIB));
    let r = m.touch(hog.pid, hog.addr, Bytes(2 * MIB), true, CPU);
    assert!(r.is_err());
    assert_eq!(
        (on_top.try_recv(), on_p.try_recv(), on_c2.try_recv()),
        (None, Some(1), Some(1))
    );
}

/// Removing the memcg forgets its registrations (the cgroup layer signals the listeners).
#[test]
fn rmdir_forgets_registrations() {
    let (m, ev) = boot_mode(ThresholdCheck::EveryEvent);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let n = ev.register_threshold(a, Bytes(MIB)).unwrap();
    let o = ev.register_oom_notifier(a).unwrap();
    m.remove_memcg(a).unwrap();
    assert!(ev.thresholds(a, false).is_empty());
    assert_eq!(ev.nr_oom_notify(a), 0);
    assert_eq!(
        ev.register_threshold(a, Bytes(MIB)).err(),
        Some(Errno::EINVAL)
    );
    drop((n, o));
}

/// A real thread sleeps in a blocking eventfd read while this thread charges memory through
/// the library; the crossing wakes it.
#[test]
fn a_blocked_reader_thread_is_woken() {
    let (m, ev) = boot_mode(ThresholdCheck::EveryEvent);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let n = ev.register_threshold(a, Bytes(MIB)).unwrap();
    let ctx = Arc::clone(n.eventfd());
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 8];
        ctx.read_blocking(&mut buf).map(|_| u64::from_ne_bytes(buf))
    });
    // Wait until the reader sleeps, so the wake-up really crosses threads.
    while n.eventfd().nr_sleepers() == 0 {
        std::thread::yield_now();
    }
    let mut hog = Hog::new(&m, 10, a, pages(2 * MIB));
    hog.set(&m, pages(2 * MIB));
    assert_eq!(reader.join().unwrap(), Ok(1));
}

// ---- property tests against a reference model ----

/// One step of the workload.
#[derive(Clone, Debug)]
enum Op {
    /// Make this many pages resident in the child memcg, one page event per page.
    Set(u64),
    /// Register a threshold (in half pages) on the child or on its `use_hierarchy` parent.
    Register { on_child: bool, half_pages: u64 },
    /// Drop the n-th live registration (modulo their number): unregister it.
    Unregister(usize),
}

/// Reference model of one threshold (`mm/memcontrol.c` `__mem_cgroup_threshold`, v2.6.34): whether it was reached at the last check
/// of its memcg's array; a check counts a crossing when that changes.
#[derive(Clone, Debug)]
struct ModelThreshold {
    on_child: bool,
    bytes: u64,
    reached: bool,
    signals: u64,
}

impl ModelThreshold {
    fn check(&mut self, usage: u64) {
        let now = self.bytes <= usage;
        if now != self.reached {
            self.signals += 1;
            self.reached = now;
        }
    }
}

/// Run `ops` on a child memcg and its `use_hierarchy` parent (whose usage is the child's) and
/// compare every notifier's signals with the model after each step. The model checks after
/// every page event (`every_event`) or at the events that make the child's counter a multiple
/// of 128 (`ratelimited_2_6_34`; the parent is checked with its child, `mm/memcontrol.c` `mem_cgroup_threshold`, v2.6.34), and checks
/// a memcg's array before each registration and unregistration on it (`mm/memcontrol.c` `mem_cgroup_usage_register_event`, `mem_cgroup_usage_unregister_event`, v2.6.34).
fn run_model(mode: ThresholdCheck, ops: &[Op]) {
    let (m, ev) = boot_mode(mode);
    let p = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, p, "use_hierarchy", "1").unwrap();
    let c = m.create_memcg(p).unwrap();
    let mut hog = Hog::new(&m, 10, c, 512);
    // Live registrations: (notifier, model, signals received so far).
    let mut live: Vec<(Notifier, ModelThreshold, u64)> = Vec::new();
    let mut events: u64 = 0;
    let mut resident: u64 = 0;
    let check_memcg = |live: &mut Vec<(Notifier, ModelThreshold, u64)>, child: bool, usage| {
        for (_, t, _) in live.iter_mut().filter(|(_, t, _)| t.on_child == child) {
            t.check(usage);
        }
    };
    for op in ops {
        match *op {
            Op::Set(target) => {
                while resident != target {
                    resident = if target > resident {
                        resident + 1
                    } else {
                        resident - 1
                    };
                    events += 1;
                    let due = match mode {
                        ThresholdCheck::EveryEvent => true,
                        ThresholdCheck::Ratelimited2_6_34 => {
                            events.is_multiple_of(THRESHOLDS_EVENTS_TARGET)
                        }
                        ThresholdCheck::Ratelimited3x => unreachable!("not modelled here"),
                    };
                    if due {
                        for (_, t, _) in &mut live {
                            t.check(resident * PAGE_SIZE);
                        }
                    }
                }
                hog.set(&m, target);
            }
            Op::Register {
                on_child,
                half_pages,
            } => {
                let usage = resident * PAGE_SIZE;
                check_memcg(&mut live, on_child, usage);
                let bytes = half_pages * PAGE_SIZE / 2;
                let memcg = if on_child { c } else { p };
                let n = ev.register_threshold(memcg, Bytes(bytes)).unwrap();
                // Parsed like limit_in_bytes: rounded up to a page. Reached means <= usage
                // (3.x registration comparison, SEED).
                let bytes = bytes.div_ceil(PAGE_SIZE) * PAGE_SIZE;
                let t = ModelThreshold {
                    on_child,
                    bytes,
                    reached: bytes <= usage,
                    signals: 0,
                };
                live.push((n, t, 0));
            }
            Op::Unregister(i) => {
                if live.is_empty() {
                    continue;
                }
                let i = i % live.len();
                let (n, t, got) = live.remove(i);
                let got = got + n.try_recv().unwrap_or(0);
                assert_eq!(got, t.signals, "unregistered {t:?} after {op:?}");
                // The unregistration checks the memcg's array first; what that signals on
                // the eventfd being removed is never read (the listener closed it).
                drop(n);
                check_memcg(&mut live, t.on_child, resident * PAGE_SIZE);
            }
        }
        ev.check_invariants();
        for (n, t, got) in &mut live {
            *got += n.try_recv().unwrap_or(0);
            assert_eq!(*got, t.signals, "{t:?} after {op:?}");
        }
    }
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        3 => (0u64..400).prop_map(Op::Set),
        // Half-page units: thresholds land on and between page boundaries (0..200 pages).
        2 => (any::<bool>(), 0u64..400).prop_map(|(on_child, half_pages)| Op::Register {
            on_child,
            half_pages
        }),
        1 => any::<usize>().prop_map(Op::Unregister),
    ];
    proptest::collection::vec(op, 1..24)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// `every_event`: the signals equal the crossings the model computes after every event.
    #[test]
    fn exact_mode_matches_the_model(ops in ops()) {
        run_model(ThresholdCheck::EveryEvent, &ops);
    }

    /// `ratelimited_2_6_34`: signals happen only at checks (every 128th event of the child,
    /// registration and unregistration) and only for thresholds whose side changed since the
    /// previous check.
    #[test]
    fn ratelimited_mode_matches_the_model(ops in ops()) {
        run_model(ThresholdCheck::Ratelimited2_6_34, &ops);
    }
}

// ---- memory pressure (`mm/vmpressure.c` `vmpressure_register_event`, v3.10, switch `vmpressure = v3_10`) ----

fn boot_vmpressure(swap_mib: u64) -> (Arc<Machine>, Arc<Events>) {
    let mut p = MemcgProfile::default();
    p.set("vmpressure", "v3_10").unwrap();
    let (m, _) = boot_with(p, 64, swap_mib);
    let ev = MemcgEvents::install(&m);
    (m, ev)
}

/// Without swap, anonymous pages cannot be reclaimed: reclaim goes down to priority 3, which
/// counts as a critical sample; every registration at or below `critical` hears it.
#[test]
fn vmpressure_critical_when_nothing_can_be_reclaimed() {
    let (m, ev) = boot_vmpressure(0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "1M").unwrap();
    let low = ev
        .register_pressure_notifier(a, VmpressureLevel::Low)
        .unwrap();
    let critical = ev
        .register_pressure_notifier(a, VmpressureLevel::Critical)
        .unwrap();
    let hog = Hog::new(&m, 10, a, pages(2 * MIB));
    let _ = m.touch(hog.pid, hog.addr, Bytes(2 * MIB), true, CPU);
    let (l, c) = (low.try_recv(), critical.try_recv());
    assert!(c.is_some_and(|n| n > 0), "critical: {c:?}");
    assert_eq!(l, c, "a low listener hears every sample at or above low");
}

/// Reading 16 MiB of file data through a 4 MiB memcg: every sample reaches the `low`
/// listener, `medium` hears the medium and critical ones, `critical` only those.
#[test]
fn vmpressure_levels_nest() {
    let (m, ev) = boot_vmpressure(0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, a, "limit_in_bytes", "4M").unwrap();
    let [low, medium, critical] = [
        VmpressureLevel::Low,
        VmpressureLevel::Medium,
        VmpressureLevel::Critical,
    ]
    .map(|l| ev.register_pressure_notifier(a, l).unwrap());
    let reader = spawn(&m, 10, "reader", a);
    m.file_read(reader, cgsim_memcg::FileId(7), 0, Bytes(16 * MIB), CPU)
        .unwrap();
    let [l, md, c] = [low, medium, critical].map(|n| n.try_recv().unwrap_or(0));
    assert!(
        l > 0 && l >= md && md >= c,
        "low {l} medium {md} critical {c}"
    );
}

/// Run the same reclaim (a reader in `leaf`, 16 MiB through a 4 MiB limit, under
/// `top` -> `mid` -> `leaf` with `use_hierarchy`) with listeners at the given
/// (memcg depth, level) places; what each one heard.
fn pressure_run(listeners: &[(usize, VmpressureLevel)]) -> Vec<u64> {
    let (m, ev) = boot_vmpressure(0);
    let top = m.create_memcg(MemcgId::ROOT).unwrap();
    write(&m, top, "use_hierarchy", "1").unwrap();
    let mid = m.create_memcg(top).unwrap();
    let leaf = m.create_memcg(mid).unwrap();
    write(&m, leaf, "limit_in_bytes", "4M").unwrap();
    let memcgs = [top, mid, leaf];
    let ns: Vec<Notifier> = listeners
        .iter()
        .map(|&(d, l)| ev.register_pressure_notifier(memcgs[d], l).unwrap())
        .collect();
    let reader = spawn(&m, 10, "reader", leaf);
    m.file_read(reader, cgsim_memcg::FileId(7), 0, Bytes(16 * MIB), CPU)
        .unwrap();
    ns.iter().map(|n| n.try_recv().unwrap_or(0)).collect()
}

/// A sample that no registration of the memcg handles goes to the nearest `use_hierarchy`
/// ancestor that has one, and stops there (`mm/vmpressure.c` `vmpressure_work_fn`, v3.10). The simulation is deterministic, so
/// runs with different listeners see the same samples.
#[test]
fn vmpressure_propagates_up_until_handled() {
    use VmpressureLevel::{Critical, Low};
    let all = pressure_run(&[(2, Low)])[0];
    let critical = pressure_run(&[(2, Critical)])[0];
    assert!(
        all > critical && critical > 0,
        "all {all} critical {critical}"
    );
    // The leaf handles its critical samples; mid gets the rest; top gets nothing.
    assert_eq!(
        pressure_run(&[(0, Low), (1, Low), (2, Critical)]),
        vec![0, all - critical, critical]
    );
    // With no listener below, top hears everything.
    assert_eq!(pressure_run(&[(0, Low)]), vec![all]);
}

/// `memory.pressure_level` exists only with the switch, and takes exactly one level name.
#[test]
fn vmpressure_registration_rules() {
    let (m, ev) = boot_mode(ThresholdCheck::EveryEvent);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    assert_eq!(
        ev.register_pressure_notifier(a, VmpressureLevel::Low).err(),
        Some(Errno::EINVAL),
        "SEED (vmpressure off)"
    );
    let (m, ev) = boot_vmpressure(16);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let efd = cgsim_eventfd::eventfd2(0, 0).unwrap();
    for bad in ["", "Low", "low,local", "high"] {
        assert_eq!(
            ev.register_event(a, EventFile::PressureLevel, Arc::clone(efd.ctx()), bad),
            Err(Errno::EINVAL),
            "{bad:?}"
        );
    }
    assert!(
        cgsim_memcg::MemFile::list_for(&m.profile()).contains(&cgsim_memcg::MemFile::PressureLevel)
    );
    assert!(
        !cgsim_memcg::MemFile::list_for(&MemcgProfile::default())
            .contains(&cgsim_memcg::MemFile::PressureLevel)
    );
}
