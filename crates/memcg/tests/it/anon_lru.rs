//! Which LRU list a new anonymous page starts on (`memcg.new_anon_lru`) and what 6.6's
//! `memory.stat` shows of it; 6.6's `folio_check_references` for mapped anonymous pages.
//!
//! **Kernel:** 2.6.35 `mm/rmap.c` `page_add_new_anon_rmap` (`LRU_ACTIVE_ANON`), 4.19
//! `mm/swap.c` `lru_cache_add_active_or_unevictable` (`SetPageActive`), 6.6 `mm/swap.c`
//! `folio_add_lru_vma` → `folio_add_lru` (inactive), 6.6 `mm/vmscan.c`
//! `folio_check_references`.

use super::{CPU, MIB};
use cgsim_counters::{PageCounterProfile, ProtectedPageCounter};
use cgsim_ktypes::klog::{Clock, Klog};
use cgsim_ktypes::{Bytes, NoTrace, Pid};
use cgsim_memcg::{MachineConfig, MemFileV2, MemcgId, MemcgProfile, MemoryMachine};
use std::sync::Arc;

type Machine66 = MemoryMachine<ProtectedPageCounter, NoTrace>;

fn boot(profile: MemcgProfile) -> (Arc<Machine66>, MemcgId, Pid) {
    let m = MemoryMachine::new(
        profile,
        PageCounterProfile::V6_6,
        MachineConfig {
            ram: Bytes(256 * MIB),
            swap: Bytes(256 * MIB),
            nr_cpus: 1,
        },
        Arc::new(NoTrace),
        Arc::new(Klog::default()),
        Arc::new(Clock::default()),
    );
    m.add_task(Pid(1), "init", MemcgId::ROOT).unwrap();
    m.exec_mm(Pid(1), "init", CPU).unwrap();
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = Pid(10);
    m.fork_mm(Pid(1), p).unwrap();
    m.exec_mm(p, "memhog", CPU).unwrap();
    m.attach_task(p, a).unwrap();
    let addr = m.mmap_anon(p, Bytes(4 * MIB)).unwrap();
    m.touch(p, addr, Bytes(4 * MIB), true, CPU).unwrap();
    m.lru_add_drain_all();
    (m, a, p)
}

fn stat(m: &Machine66, id: MemcgId, key: &str) -> u64 {
    let text = m
        .read_v2(id, MemFileV2::from_name("stat").unwrap())
        .unwrap();
    text.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(' ')?;
            (k == key).then(|| v.parse().unwrap())
        })
        .unwrap_or_else(|| panic!("no {key} in memory.stat"))
}

/// 6.6: 4M of new anonymous memory is all `inactive_anon` (and `anon`).
#[test]
fn new_anonymous_pages_start_inactive_on_6_6() {
    let (m, a, _) = boot(MemcgProfile::v6_6());
    assert_eq!(stat(&m, a, "anon"), 4 * MIB);
    assert_eq!(stat(&m, a, "inactive_anon"), 4 * MIB);
    assert_eq!(stat(&m, a, "active_anon"), 0);
    assert_eq!(stat(&m, a, "file"), 0);
    assert_eq!(stat(&m, a, "pgfault"), 1024);
}

/// `memcg.new_anon_lru = active` (the kernels before 5.9): the same pages are `active_anon`.
#[test]
fn active_before_5_9() {
    let mut profile = MemcgProfile::v6_6();
    profile.set("memcg.new_anon_lru", "active").unwrap();
    let (m, a, _) = boot(profile);
    assert_eq!(stat(&m, a, "inactive_anon"), 0);
    assert_eq!(stat(&m, a, "active_anon"), 4 * MIB);
    assert!(!MemcgProfile::v2_6_35().new_anon_inactive);
    assert_eq!(
        profile_set_err("sometimes"),
        Err(cgsim_ktypes::Errno::EINVAL)
    );
}

fn profile_set_err(v: &str) -> Result<(), cgsim_ktypes::Errno> {
    MemcgProfile::v6_6().set("memcg.new_anon_lru", v)
}

/// `folio_check_references`: the first reclaim visit finds the fault's pte reference and
/// only marks the page (FOLIOREF_KEEP); the next visit, with no new reference, reclaims it.
/// So a small `memory.reclaim` scans twice what it takes, activates nothing, and the pages
/// left stay inactive.
#[test]
fn the_faults_reference_spares_a_page_once() {
    let (m, a, _) = boot(MemcgProfile::v6_6());
    m.write_v2(a, MemFileV2::from_name("reclaim").unwrap(), b"1M")
        .unwrap();
    let steal = stat(&m, a, "pgsteal");
    let scan = stat(&m, a, "pgscan");
    assert!(steal >= 256, "{steal}");
    assert!(
        scan >= 2 * steal,
        "every reclaimed page was seen twice: {scan} {steal}"
    );
    assert_eq!(stat(&m, a, "pgactivate"), 0);
    assert_eq!(stat(&m, a, "active_anon"), 0);
    assert_eq!(stat(&m, a, "inactive_anon"), 4 * MIB - steal * 4096);
    m.check_invariants();
}
