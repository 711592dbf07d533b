//! Named kernel behaviours, one scenario each (`kernel/res_counter.c`, v2.6.25–3.18; `mm/page_counter.c`, v3.19; `mm/memcontrol.c` `__mem_cgroup_try_charge`, `mem_cgroup_do_charge`, `try_charge`, v2.6.34–v4.19).

use std::sync::Arc;

use cgsim_counters::{
    ChargeStock, Counter, MemcgStock, MemcgStockMulti, MutexResCounter, NR_MEMCG_STOCK,
    PageCounter, PerCpuStocks, ResMember, SpinResCounter, try_charge_stocked, uncharge_stocked,
};
use cgsim_ktypes::trace::{Ftrace, render_function_graph};
use cgsim_ktypes::{Bytes, CpuId, NoTrace, Pages};

const CPU: CpuId = CpuId(0);

/// root -> mid -> leaf, owners 0, 1, 2.
fn chain3<C: Counter>() -> (Arc<C>, Arc<C>, Arc<C>) {
    let root = Arc::new(C::new_root(Default::default(), 0));
    let mid = Arc::new(C::new_child(&root, 1));
    let leaf = Arc::new(C::new_child(&mid, 2));
    (root, mid, leaf)
}

#[test]
fn failed_hierarchical_charge_leaves_lower_max_usage_raised() {
    fn check<C: Counter>() {
        let (root, mid, leaf) = chain3::<C>();
        mid.set_limit(Bytes(2 * 4096)).unwrap();
        let failed = leaf.try_charge(Pages(3), &NoTrace, CPU).unwrap_err();
        assert_eq!(
            failed.owner(),
            1,
            "{}: the middle level refused",
            C::KERNEL_NAME
        );
        assert_eq!(leaf.usage(), Bytes(0));
        assert_eq!(mid.failcnt(), 1);
        assert_eq!(leaf.failcnt(), 0);
        assert_eq!(
            root.failcnt(),
            0,
            "levels above the failing one are untouched"
        );
        assert_eq!(root.max_usage(), Bytes(0));
        // Kernel quirk: the leaf's max_usage keeps the peak of a charge that was undone.
        assert_eq!(leaf.max_usage(), Bytes(3 * 4096), "{}", C::KERNEL_NAME);
    }
    check::<SpinResCounter>();
    check::<MutexResCounter>();
    check::<PageCounter>();
}

#[test]
fn usage_may_reach_the_limit_exactly() {
    fn check<C: Counter>() {
        let c = C::new_root(Default::default(), 0);
        c.set_limit(Bytes(2 * 4096)).unwrap();
        assert!(c.try_charge(Pages(2), &NoTrace, CPU).is_ok());
        assert!(c.try_charge(Pages(1), &NoTrace, CPU).is_err());
        assert_eq!(
            (c.usage(), c.failcnt(), c.margin()),
            (Bytes(8192), 1, Pages(0))
        );
    }
    check::<SpinResCounter>();
    check::<PageCounter>();
}

#[test]
fn nofail_charge_charges_every_level_and_reports_the_first_over_limit() {
    let (root, mid, leaf) = chain3::<SpinResCounter>();
    mid.set_limit(Bytes(4096)).unwrap();
    root.set_limit(Bytes(4096)).unwrap();
    let first = Counter::charge_nofail(&*leaf, Pages(2), &NoTrace, CPU).unwrap_err();
    assert_eq!(first.owner(), 1);
    for c in [&root, &mid, &leaf] {
        assert_eq!(c.usage(), Bytes(8192));
    }
    assert_eq!((leaf.failcnt(), mid.failcnt(), root.failcnt()), (0, 1, 1));

    // page_counter_charge checks nothing and counts no failure.
    let (root, mid, leaf) = chain3::<PageCounter>();
    mid.set_limit(Bytes(4096)).unwrap();
    assert!(Counter::charge_nofail(&*leaf, Pages(2), &NoTrace, CPU).is_ok());
    assert_eq!(
        (mid.usage(), mid.failcnt(), root.usage()),
        (Bytes(8192), 0, Bytes(8192))
    );
    assert_eq!(mid.max_usage(), Bytes(8192));
}

#[test]
fn uncharge_underflow_warns_and_clamps_for_res_counter_only() {
    let (root, _mid, leaf) = chain3::<SpinResCounter>();
    root.charge(Bytes(4096), &NoTrace, CPU).unwrap();
    let w = leaf.uncharge(Bytes(4096), &NoTrace, CPU).unwrap_err();
    assert_eq!(
        (w.counter, w.owner, w.had, w.nr),
        ("res_counter", 2, 0, 4096)
    );
    assert!(w.to_string().starts_with("WARNING: res_counter underflow"));
    assert_eq!(leaf.usage(), Bytes(0), "clamped at 0");
    assert_eq!(
        root.usage(),
        Bytes(0),
        "the root held the page and gave it back"
    );

    let (root, _mid, leaf) = chain3::<PageCounter>();
    root.charge(Pages(2), &NoTrace, CPU);
    let w = leaf.uncharge(Pages(2), &NoTrace, CPU).unwrap_err();
    assert_eq!((w.counter, w.owner, w.had), ("page_counter", 2, 0));
    assert_eq!(leaf.usage_signed(), -2, "3.19: not clamped");
    assert_eq!(root.usage_signed(), 0);
    // Kernel quirk: the negative usage compares as a huge unsigned value, so charges fail.
    assert!(leaf.try_charge(Pages(1), &NoTrace, CPU).is_err());
    assert_eq!(leaf.failcnt(), 1);
}

#[test]
fn reset_max_sets_the_watermark_to_usage_not_zero() {
    fn check<C: Counter>() {
        let c = C::new_root(Default::default(), 0);
        c.try_charge(Pages(5), &NoTrace, CPU).unwrap();
        c.uncharge(Pages(3), &NoTrace, CPU).unwrap();
        assert_eq!(c.max_usage(), Bytes(5 * 4096));
        c.reset_max_usage();
        assert_eq!(c.max_usage(), Bytes(2 * 4096));
        c.set_limit(Bytes(0)).unwrap_err();
        c.set_limit(Bytes(2 * 4096)).unwrap();
        c.try_charge(Pages(1), &NoTrace, CPU).unwrap_err();
        assert_eq!(c.failcnt(), 1);
        c.reset_failcnt();
        assert_eq!(c.failcnt(), 0);
    }
    check::<SpinResCounter>();
    check::<PageCounter>();
}

#[test]
fn soft_limit_helpers() {
    let c = SpinResCounter::new_root(Default::default(), 0);
    c.charge(Bytes(10_000), &NoTrace, CPU).unwrap();
    assert!(c.check_under_soft_limit());
    c.set_soft_limit(Bytes(4096));
    assert!(!c.check_under_soft_limit());
    assert_eq!(c.soft_limit_excess(), Bytes(10_000 - 4096));
    assert_eq!(c.read(ResMember::SoftLimit), "4096\n");
    c.set_limit(Bytes(10_000)).unwrap();
    assert!(!c.check_under_limit(), "usage == limit is not under it");
    assert_eq!(c.margin_bytes(), Bytes(0));
}

#[test]
fn uncharge_until_stops_below_top() {
    let (root, mid, leaf) = chain3::<SpinResCounter>();
    leaf.charge(Bytes(4096), &NoTrace, CPU).unwrap();
    leaf.uncharge_until(Some(&mid), Bytes(4096), &NoTrace, CPU)
        .unwrap();
    assert_eq!(
        (leaf.usage(), mid.usage(), root.usage()),
        (Bytes(0), Bytes(4096), Bytes(4096))
    );
}

#[test]
fn stock_keeps_the_batch_surplus_charged() {
    let (root, _mid, leaf) = chain3::<PageCounter>();
    let mut stock = MemcgStock::new(Pages(32));
    try_charge_stocked(&mut stock, &leaf, Pages(1), &NoTrace, CPU).unwrap();
    assert_eq!(
        root.usage(),
        Bytes(32 * 4096),
        "the surplus shows in usage_in_bytes"
    );
    assert_eq!(stock.cached_pages(&leaf), Pages(31));
    // The next 31 single pages come from the stock without touching the counters.
    for _ in 0..31 {
        try_charge_stocked(&mut stock, &leaf, Pages(1), &NoTrace, CPU).unwrap();
    }
    assert_eq!(root.usage(), Bytes(32 * 4096));
    assert_eq!(stock.cached_pages(&leaf), Pages(0));
    // Uncharging through refill_stock keeps the pages charged, up to the batch.
    for _ in 0..32 {
        uncharge_stocked(&mut stock, &leaf, Pages(1), &NoTrace, CPU);
    }
    assert_eq!(stock.cached_pages(&leaf), Pages(32));
    assert_eq!(leaf.usage(), Bytes(32 * 4096));
    // One more passes the batch: the whole stock drains.
    try_charge_stocked(&mut stock, &leaf, Pages(1), &NoTrace, CPU).unwrap();
    uncharge_stocked(&mut stock, &leaf, Pages(1), &NoTrace, CPU);
    uncharge_stocked(&mut stock, &leaf, Pages(1), &NoTrace, CPU);
    assert_eq!(stock.cached_pages(&leaf), Pages(0));
    assert_eq!(
        leaf.usage_signed(),
        -1,
        "one page more returned than charged"
    );
    let w = stock.take_warning().expect("the drain met the underflow");
    assert_eq!(w.counter, "page_counter");
    assert_eq!(stock.take_warning(), None);
}

#[test]
fn stock_batch_that_does_not_fit_retries_with_nr() {
    let (_root, mid, leaf) = chain3::<PageCounter>();
    mid.set_limit(Bytes(10 * 4096)).unwrap();
    let mut stock = MemcgStock::new(Pages(32));
    try_charge_stocked(&mut stock, &leaf, Pages(3), &NoTrace, CPU).unwrap();
    assert_eq!(leaf.usage(), Bytes(3 * 4096));
    assert_eq!(stock.cached_pages(&leaf), Pages(0));
    assert_eq!(mid.failcnt(), 1, "the batch attempt counted a failure");
    let failed = try_charge_stocked(&mut stock, &leaf, Pages(8), &NoTrace, CPU).unwrap_err();
    assert_eq!(failed.owner(), 1);
}

#[test]
fn single_slot_stock_drains_when_another_memcg_refills() {
    let root = Arc::new(PageCounter::new_root(Default::default(), 0));
    let a = Arc::new(PageCounter::new_child(&root, 1));
    let b = Arc::new(PageCounter::new_child(&root, 2));
    let mut stock = MemcgStock::new(Pages(64));
    try_charge_stocked(&mut stock, &a, Pages(1), &NoTrace, CPU).unwrap();
    try_charge_stocked(&mut stock, &b, Pages(1), &NoTrace, CPU).unwrap();
    assert_eq!(stock.cached_pages(&a), Pages(0));
    assert_eq!(a.usage(), Bytes(4096), "a's 63 cached pages went back");
    assert_eq!(stock.cached_pages(&b), Pages(63));

    let mut multi = MemcgStockMulti::new(Pages(64), CPU);
    let kids: Vec<Arc<PageCounter>> = (0..=NR_MEMCG_STOCK)
        .map(|i| Arc::new(PageCounter::new_child(&root, 10 + i)))
        .collect();
    for k in &kids[..NR_MEMCG_STOCK] {
        try_charge_stocked(&mut multi, k, Pages(1), &NoTrace, CPU).unwrap();
    }
    assert!(
        kids[..NR_MEMCG_STOCK]
            .iter()
            .all(|k| multi.cached_pages(k) == Pages(63))
    );
    try_charge_stocked(&mut multi, &kids[NR_MEMCG_STOCK], Pages(1), &NoTrace, CPU).unwrap();
    let held = kids
        .iter()
        .filter(|k| multi.cached_pages(k) == Pages(63))
        .count();
    assert_eq!(
        held, NR_MEMCG_STOCK,
        "one slot was evicted for the eighth memcg"
    );
    multi.drain();
    assert!(kids.iter().all(|k| k.usage() == Bytes(4096)));
    assert_eq!(multi.take_warning(), None);
}

#[test]
fn drain_all_stock_drains_every_cpu() {
    let root = Arc::new(PageCounter::new_root(Default::default(), 0));
    let a = Arc::new(PageCounter::new_child(&root, 1));
    let stocks = PerCpuStocks::new(2, |_| MemcgStock::new(Pages(32)));
    for cpu in [CpuId(0), CpuId(1)] {
        try_charge_stocked(&mut *stocks.lock(cpu), &a, Pages(1), &NoTrace, cpu).unwrap();
    }
    assert_eq!(a.usage(), Bytes(64 * 4096));
    stocks.drain_all(|m: &PageCounter| m.owner() == 1);
    assert_eq!(a.usage(), Bytes(2 * 4096));
    assert_eq!(stocks.nr_cpus(), 2);
}

#[test]
fn traces_name_kernel_functions() {
    let t = Ftrace::new();
    t.set_on(true);
    let (_r, _m, leaf) = chain3::<SpinResCounter>();
    leaf.charge(Bytes(4096), &t, CPU).unwrap();
    let (_r, _m, pleaf) = chain3::<PageCounter>();
    let mut stock = MemcgStock::new(Pages(32));
    try_charge_stocked(&mut stock, &pleaf, Pages(1), &t, CPU).unwrap();
    let text = render_function_graph(&t.take());
    assert_eq!(text.matches("res_counter_charge_locked();").count(), 3);
    for f in [
        "res_counter_charge() {",
        "consume_stock();",
        "page_counter_try_charge();",
        "refill_stock();",
    ] {
        assert!(text.contains(f), "{f} missing from\n{text}");
    }
}
