//! Swap-out failure during reclaim (`mm/vmscan.c` `shrink_page_list`, v2.6.35): when
//! `add_to_swap` fails — no free swap slot, or the swap cache's radix-tree node refused
//! (`failslab`) — the page is not written out: `swapcache_free` returns the slot, the page is
//! activated (`activate_locked`) and stays resident and charged, and reclaim moves on to the
//! next page. The charge that asked for reclaim then succeeds with pages reclaimed elsewhere
//! or ends in the memcg's OOM path.
//!
//! Each test compares the state after the failure with the state before it, as the rollback
//! sweeps of `fault.rs` do, except for the one thing the kernel changes: which LRU list
//! (active or inactive) holds the pages it tried.

use super::*;
use cgsim_cgroupfs::{BootParams, MmapFlags};
use cgsim_ktypes::Bytes;

const PAGE: u64 = 4096;

/// `boot()`'s machine (16 MiB RAM, no per-CPU stock) with `swap` bytes of swap, the memory
/// controller at /cg, and a task in /cg/A limited to `limit` bytes of memory.
fn limited(swap: u64, limit: u64) -> (Arc<Kernel>, Pid) {
    let mut p = BootParams {
        ram: Bytes(16 << 20),
        swap: Bytes(swap),
        ..Default::default()
    };
    p.set("memcg.stock_pages", "0").expect("a switch");
    let k = Kernel::boot(p);
    k.mkdir(INIT, "/cg", 0o755).unwrap();
    k.mount(INIT, "none", "/cg", "cgroup", false, Some("memory"))
        .unwrap();
    k.mkdir(INIT, "/cg/A", 0o755).unwrap();
    echo(&k, INIT, "/cg/A/memory.limit_in_bytes", &limit.to_string()).unwrap();
    let t = k.fork(INIT).unwrap();
    echo(&k, INIT, "/cg/A/tasks", &t.to_string()).unwrap();
    (k, t)
}

fn num(k: &Kernel, path: &str) -> u64 {
    cat(k, INIT, path).unwrap().trim().parse().unwrap()
}

/// One `memory.stat` line's value.
fn stat(k: &Kernel, name: &str) -> u64 {
    let s = cat(k, INIT, "/cg/A/memory.stat").unwrap();
    s.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {s}"))
}

/// `SwapFree:` of /proc/meminfo, in kB.
fn swap_free_kb(k: &Kernel) -> u64 {
    let m = cat(k, INIT, "/proc/meminfo").unwrap();
    m.lines()
        .find_map(|l| l.strip_prefix("SwapFree:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no SwapFree in {m}"))
}

/// What a failed swap-out may not change: memory.stat without the LRU-placement lines,
/// usage, memsw usage, failcnt, swap in use, the processes and the cgroup core.
#[derive(Debug, PartialEq)]
struct Kept {
    stat: String,
    usage: u64,
    memsw: u64,
    swap_free_kb: u64,
    anon_on_lrus: u64,
    ps: Vec<cgsim_cgroupfs::ProcInfo>,
    core: cgsim_cgroup::snapshot::CoreSnapshot,
}

fn kept(k: &Kernel) -> Kept {
    let lines = cat(k, INIT, "/cg/A/memory.stat")
        .unwrap()
        .lines()
        .filter(|l| !l.contains("active_anon") && !l.contains("inactive_anon"))
        .map(|l| format!("{l}\n"))
        .collect();
    Kept {
        stat: lines,
        usage: num(k, "/cg/A/memory.usage_in_bytes"),
        memsw: num(k, "/cg/A/memory.memsw.usage_in_bytes"),
        swap_free_kb: swap_free_kb(k),
        anon_on_lrus: stat(k, "active_anon") + stat(k, "inactive_anon"),
        ps: k.ps(),
        core: k.cgroups().snapshot(),
    }
}

/// Every swap-out refused in `add_to_swap_cache` (failslab on the radix-tree node; it
/// cannot sleep, so the default `ignore-gfp-wait` does not spare it): shrinking the limit
/// below the anonymous memory fails with EBUSY after its retries, nothing was swapped, no
/// slot leaked, and the pages stay resident and on the LRU lists (only their active/inactive
/// placement may differ). Without the failure the same write succeeds by swapping.
#[test]
fn refused_swap_cache_node_activates_the_page_and_leaks_no_slot() {
    let (k, t) = limited(4 << 20, 256 << 10);
    let addr = k.mmap_anon(t, 64 * PAGE, MmapFlags::default()).unwrap();
    k.touch(t, addr, 64 * PAGE).unwrap();
    assert_eq!(num(&k, "/cg/A/memory.usage_in_bytes"), 64 * PAGE);
    let before = kept(&k);
    let fi = k.fault_injection();
    fi.update_failslab(|f| {
        f.attr.probability = 100;
        f.attr.times = -1;
        f.attr.verbose = 0;
    });
    let injected = fi.injected();
    assert_eq!(
        errno(echo(&k, INIT, "/cg/A/memory.limit_in_bytes", "131072")),
        Some(Errno::EBUSY)
    );
    assert!(fi.injected() > injected, "no swap-out was attempted");
    k.check_invariants();
    let after = kept(&k);
    assert_eq!(after, before, "a refused swap-out changed the state");
    assert_eq!(stat(&k, "swap"), 0);
    assert_eq!(num(&k, "/cg/A/memory.limit_in_bytes"), 256 << 10);
    // The pages reclaim tried are back on an LRU list, resident: touching them again
    // charges nothing.
    assert!(stat(&k, "active_anon") > 0);
    k.touch(t, addr, 64 * PAGE).unwrap();
    assert_eq!(num(&k, "/cg/A/memory.usage_in_bytes"), 64 * PAGE);

    // Without the failure, the same shrink swaps half the pages out.
    fi.update_failslab(|f| f.attr.probability = 0);
    echo(&k, INIT, "/cg/A/memory.limit_in_bytes", "131072").unwrap();
    k.check_invariants();
    let usage = num(&k, "/cg/A/memory.usage_in_bytes");
    let swapped = stat(&k, "swap");
    assert!(usage <= 128 << 10, "{usage}");
    assert_eq!(
        usage + swapped,
        64 * PAGE,
        "every page is resident or in swap"
    );
    assert_eq!(num(&k, "/cg/A/memory.memsw.usage_in_bytes"), 64 * PAGE);
    assert_eq!(before.swap_free_kb - swap_free_kb(&k), swapped / 1024);
}

/// Three swap-outs refused during a fault's charge, then the failure stops (`times` = 3):
/// reclaim moves on past the refused pages and the charge succeeds; nothing is lost or
/// counted twice (every page resident or in swap, memsw = usage + swap, the swap in use is
/// the memcg's).
#[test]
fn a_few_refused_swap_outs_and_the_charge_succeeds_elsewhere() {
    let (k, t) = limited(4 << 20, 256 << 10);
    let addr = k.mmap_anon(t, 96 * PAGE, MmapFlags::default()).unwrap();
    k.touch(t, addr, 64 * PAGE).unwrap();
    let swap_free = swap_free_kb(&k);
    let fi = k.fault_injection();
    fi.update_failslab(|f| {
        f.attr.probability = 100;
        f.attr.times = 3;
        f.attr.verbose = 0;
    });
    let injected = fi.injected();
    k.touch(t, addr + 64 * PAGE, 32 * PAGE).unwrap();
    assert_eq!(fi.injected(), injected + 3);
    assert_eq!(fi.failslab().attr.times, 0);
    k.check_invariants();
    let usage = num(&k, "/cg/A/memory.usage_in_bytes");
    let swapped = stat(&k, "swap");
    assert!(usage <= 256 << 10);
    assert_eq!(
        usage + swapped,
        96 * PAGE,
        "every page is resident or in swap"
    );
    assert_eq!(num(&k, "/cg/A/memory.memsw.usage_in_bytes"), 96 * PAGE);
    assert_eq!(swap_free - swap_free_kb(&k), swapped / 1024);
    assert_eq!(
        k.ps().iter().filter(|p| p.pid == t).count(),
        1,
        "no OOM kill"
    );
}

/// Swap full: with 16 slots, 64 resident pages and 16 in swap fit; the next page finds no
/// slot (`get_swap_page` fails, so `add_to_swap` does), reclaim gets nothing, and the charge
/// ends in the memcg's OOM killer, which kills the task and frees its memory and its slots.
#[test]
fn full_swap_ends_the_charge_in_the_memcg_oom_killer() {
    let (k, t) = limited(16 * PAGE, 256 << 10);
    let addr = k.mmap_anon(t, 96 * PAGE, MmapFlags::default()).unwrap();
    k.touch(t, addr, 80 * PAGE).unwrap();
    k.check_invariants();
    assert_eq!(stat(&k, "swap"), 16 * PAGE);
    assert_eq!(swap_free_kb(&k), 0);
    assert_eq!(num(&k, "/cg/A/memory.usage_in_bytes"), 64 * PAGE);
    let before = kept(&k);
    let e = k.touch(t, addr + 80 * PAGE, PAGE).unwrap_err();
    assert_eq!(e.errno, Errno::EINTR, "{e:?}");
    k.run_until_idle();
    k.check_invariants();
    let log: Vec<String> = k.klog().lines().into_iter().map(|l| l.text).collect();
    assert!(
        log.iter().any(|l| l.contains("Memory cgroup out of memory")
            || l.contains("Killed process")
            || l.contains("kill process")),
        "{log:#?}"
    );
    // The victim's pages and swap slots are all freed.
    assert!(
        k.ps()
            .iter()
            .all(|p| p.pid != t || p.state == cgsim_cgroupfs::ProcState::Zombie)
    );
    assert_eq!(num(&k, "/cg/A/memory.usage_in_bytes"), 0);
    assert_eq!(stat(&k, "swap"), 0);
    assert_eq!(swap_free_kb(&k), 64);
    assert_ne!(kept(&k), before);
}
