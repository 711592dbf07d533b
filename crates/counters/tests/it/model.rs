//! Random operation sequences on each counter tree against small sequential reference models.
//!
//! The models are the executable spec of `kernel/res_counter.c`, v2.6.25–3.18 (res_counter), `mm/page_counter.c` (page_counter) and `mm/memcontrol.c` `try_charge`
//! (the stock-first charge). Kernel quirks are kept in the models on purpose.

use std::sync::Arc;

use cgsim_counters::{
    ChargeStock, Counter, MemcgStock, MemcgStockMulti, MutexResCounter, PAGE_COUNTER_MAX,
    PageCounter, ResCounter, ResLock, SpinResCounter, try_charge_stocked, uncharge_stocked,
};
use cgsim_ktypes::{Bytes, CpuId, Errno, NoTrace, Pages};
use proptest::prelude::*;

const CPU: CpuId = CpuId(0);

/// The tree every model test uses: node i's parent. 0 is the root; 4 is three levels down.
const PARENT: [Option<usize>; 5] = [None, Some(0), Some(1), Some(0), Some(2)];

fn path(mut n: usize) -> Vec<usize> {
    let mut p = vec![n];
    while let Some(up) = PARENT[n] {
        p.push(up);
        n = up;
    }
    p
}

fn build<C: Counter>() -> Vec<Arc<C>> {
    let mut v: Vec<Arc<C>> = Vec::new();
    for (i, parent) in PARENT.iter().enumerate() {
        let c = match parent {
            None => C::new_root(Default::default(), i),
            Some(p) => C::new_child(&v[*p], i),
        };
        v.push(Arc::new(c));
    }
    v
}

#[derive(Clone, Debug)]
enum Op {
    Charge(usize, u64),
    ChargeNofail(usize, u64),
    Uncharge(usize, u64),
    SetLimit(usize, u64),
    SetSoftLimit(usize, u64),
    ResetMax(usize),
    ResetFailcnt(usize),
}

/// Amounts are small multiples of `unit` (plus odd byte counts for res_counter) so that limits
/// are hit often.
fn op(unit: u64, odd_bytes: bool) -> impl Strategy<Value = Op> {
    let node = 0..PARENT.len();
    let amount = if odd_bytes {
        prop_oneof![(0..6u64).prop_map(move |n| n * unit), 0..30_000u64].boxed()
    } else {
        (0..6u64).prop_map(move |n| n * unit).boxed()
    };
    let limit = (0..14u64).prop_map(move |n| n * unit);
    prop_oneof![
        4 => (node.clone(), amount.clone()).prop_map(|(n, a)| Op::Charge(n, a)),
        1 => (node.clone(), amount.clone()).prop_map(|(n, a)| Op::ChargeNofail(n, a)),
        3 => (node.clone(), amount).prop_map(|(n, a)| Op::Uncharge(n, a)),
        2 => (node.clone(), limit.clone()).prop_map(|(n, l)| Op::SetLimit(n, l)),
        1 => (node.clone(), limit).prop_map(|(n, l)| Op::SetSoftLimit(n, l)),
        1 => node.clone().prop_map(Op::ResetMax),
        1 => node.prop_map(Op::ResetFailcnt),
    ]
}

// ---------------------------------------------------------------- res_counter (bytes)

#[derive(Clone, Debug, Default, PartialEq)]
struct ResLevel {
    usage: u64,
    max_usage: u64,
    limit: u64,
    soft_limit: u64,
    failcnt: u64,
}

struct ResModel {
    l: Vec<ResLevel>,
}

impl ResModel {
    fn new(unlimited: u64) -> ResModel {
        let lv = ResLevel {
            limit: unlimited,
            soft_limit: unlimited,
            ..Default::default()
        };
        ResModel {
            l: vec![lv; PARENT.len()],
        }
    }

    /// Returns the failing level.
    fn charge(&mut self, n: usize, val: u64) -> Result<(), usize> {
        let p = path(n);
        for (k, &i) in p.iter().enumerate() {
            let lv = &mut self.l[i];
            match lv.usage.checked_add(val) {
                Some(new) if new <= lv.limit => {
                    lv.usage = new;
                    lv.max_usage = lv.max_usage.max(new);
                }
                _ => {
                    lv.failcnt += 1;
                    // Kernel quirk: the undo lowers usage only; max_usage keeps the peak.
                    for &j in &p[..k] {
                        self.l[j].usage -= val;
                    }
                    return Err(i);
                }
            }
        }
        Ok(())
    }

    fn charge_nofail(&mut self, n: usize, val: u64) -> Result<(), usize> {
        let mut first = None;
        for i in path(n) {
            let lv = &mut self.l[i];
            if lv.usage.checked_add(val).is_none_or(|new| new > lv.limit) {
                lv.failcnt += 1;
                first.get_or_insert(i);
            }
            lv.usage = lv.usage.saturating_add(val);
            lv.max_usage = lv.max_usage.max(lv.usage);
        }
        first.map_or(Ok(()), Err)
    }

    fn uncharge(&mut self, n: usize, val: u64) -> Result<(), usize> {
        let mut first = None;
        for i in path(n) {
            let lv = &mut self.l[i];
            if lv.usage < val {
                first.get_or_insert(i);
                lv.usage = 0;
            } else {
                lv.usage -= val;
            }
        }
        first.map_or(Ok(()), Err)
    }
}

fn res_state<L: ResLock>(c: &ResCounter<L>) -> ResLevel {
    let s = c.state();
    ResLevel {
        usage: s.usage,
        max_usage: s.max_usage,
        limit: s.limit,
        soft_limit: s.soft_limit,
        failcnt: s.failcnt,
    }
}

fn run_res<L: ResLock>(ops: &[Op]) {
    let tree = build::<ResCounter<L>>();
    let mut m = ResModel::new(tree[0].profile().unlimited);
    for op in ops {
        match *op {
            Op::Charge(n, v) => {
                let got = tree[n]
                    .charge(Bytes(v), &NoTrace, CPU)
                    .map_err(|c| c.owner());
                assert_eq!(got, m.charge(n, v), "{op:?}");
            }
            Op::ChargeNofail(n, v) => {
                let got = tree[n]
                    .charge_nofail(Bytes(v), &NoTrace, CPU)
                    .map_err(|c| c.owner());
                assert_eq!(got, m.charge_nofail(n, v), "{op:?}");
            }
            Op::Uncharge(n, v) => {
                let got = tree[n]
                    .uncharge(Bytes(v), &NoTrace, CPU)
                    .map_err(|w| w.owner);
                assert_eq!(got, m.uncharge(n, v), "{op:?}");
            }
            Op::SetLimit(n, v) => {
                let want = if m.l[n].usage <= v {
                    m.l[n].limit = v;
                    Ok(())
                } else {
                    Err(Errno::EBUSY)
                };
                assert_eq!(tree[n].set_limit(Bytes(v)), want, "{op:?}");
            }
            Op::SetSoftLimit(n, v) => {
                tree[n].set_soft_limit(Bytes(v));
                m.l[n].soft_limit = v;
            }
            Op::ResetMax(n) => {
                tree[n].reset_max();
                m.l[n].max_usage = m.l[n].usage;
            }
            Op::ResetFailcnt(n) => {
                tree[n].reset_failcnt();
                m.l[n].failcnt = 0;
            }
        }
        for (i, c) in tree.iter().enumerate() {
            assert_eq!(res_state(c), m.l[i], "level {i} after {op:?}");
            c.check_invariants();
            let excess = m.l[i].usage.saturating_sub(m.l[i].soft_limit);
            assert_eq!(c.soft_limit_excess(), Bytes(excess));
        }
    }
}

// ---------------------------------------------------------------- page_counter (pages)

#[derive(Clone, Debug, PartialEq)]
struct PageLevel {
    usage: i64,
    max: u64,
    watermark: u64,
    failcnt: u64,
}

struct PageModel {
    l: Vec<PageLevel>,
}

impl PageModel {
    fn new() -> PageModel {
        let lv = PageLevel {
            usage: 0,
            max: PAGE_COUNTER_MAX,
            watermark: 0,
            failcnt: 0,
        };
        PageModel {
            l: vec![lv; PARENT.len()],
        }
    }

    fn try_charge(&mut self, n: usize, nr: i64) -> Result<(), usize> {
        let p = path(n);
        for (k, &i) in p.iter().enumerate() {
            let lv = &mut self.l[i];
            let new = lv.usage + nr;
            // Kernel quirk: signed usage compared as unsigned long.
            if new as u64 > lv.max {
                lv.failcnt += 1;
                for &j in &p[..k] {
                    self.l[j].usage -= nr;
                }
                return Err(i);
            }
            lv.usage = new;
            if new as u64 > lv.watermark {
                lv.watermark = new as u64;
            }
        }
        Ok(())
    }

    fn charge(&mut self, n: usize, nr: i64) {
        for i in path(n) {
            let lv = &mut self.l[i];
            lv.usage += nr;
            if lv.usage as u64 > lv.watermark {
                lv.watermark = lv.usage as u64;
            }
        }
    }

    fn uncharge(&mut self, n: usize, nr: i64) -> Result<(), usize> {
        let mut first = None;
        for i in path(n) {
            self.l[i].usage -= nr;
            if self.l[i].usage < 0 {
                first.get_or_insert(i);
            }
        }
        first.map_or(Ok(()), Err)
    }
}

fn page_state(c: &PageCounter) -> PageLevel {
    PageLevel {
        usage: c.usage_signed(),
        max: c.max().0,
        watermark: c.watermark().0,
        failcnt: Counter::failcnt(c),
    }
}

fn run_page(ops: &[Op]) {
    let tree = build::<PageCounter>();
    let mut m = PageModel::new();
    for op in ops {
        match *op {
            Op::Charge(n, v) => {
                let got = tree[n]
                    .try_charge(Pages(v), &NoTrace, CPU)
                    .map_err(|c| c.owner());
                assert_eq!(got, m.try_charge(n, v as i64), "{op:?}");
            }
            Op::ChargeNofail(n, v) => {
                tree[n].charge(Pages(v), &NoTrace, CPU);
                m.charge(n, v as i64);
            }
            Op::Uncharge(n, v) => {
                let got = tree[n]
                    .uncharge(Pages(v), &NoTrace, CPU)
                    .map_err(|w| w.owner);
                assert_eq!(got, m.uncharge(n, v as i64), "{op:?}");
            }
            Op::SetLimit(n, v) => {
                // Kernel quirk: `long > unsigned long` compares as unsigned.
                let want = if m.l[n].usage as u64 > v {
                    Err(Errno::EBUSY)
                } else {
                    m.l[n].max = v;
                    Ok(())
                };
                assert_eq!(tree[n].set_max(Pages(v)), want, "{op:?}");
            }
            Op::SetSoftLimit(n, v) => {
                tree[n].set_soft_limit(Bytes(v * 4096));
                assert_eq!(tree[n].soft_limit(), Bytes(v * 4096));
            }
            Op::ResetMax(n) => {
                tree[n].reset_watermark();
                m.l[n].watermark = m.l[n].usage as u64;
            }
            Op::ResetFailcnt(n) => {
                Counter::reset_failcnt(&*tree[n]);
                m.l[n].failcnt = 0;
            }
        }
        for (i, c) in tree.iter().enumerate() {
            assert_eq!(page_state(c), m.l[i], "level {i} after {op:?}");
        }
    }
}

// ---------------------------------------------------------------- the stock (single slot)

#[derive(Clone, Debug)]
enum StockOp {
    Charge(usize, u64),
    UnchargeViaStock(usize, u64),
    UnchargeDirect(usize, u64),
    Drain,
    DrainIf(usize),
    SetLimit(usize, u64),
}

fn stock_op() -> impl Strategy<Value = StockOp> {
    // Nodes 1..=4 are memcgs that charge; amounts include some above the batch.
    let memcg = 1..PARENT.len();
    let nr = prop_oneof![4 => 1..4u64, 1 => 30..70u64];
    prop_oneof![
        5 => (memcg.clone(), nr.clone()).prop_map(|(m, n)| StockOp::Charge(m, n)),
        3 => (memcg.clone(), nr.clone()).prop_map(|(m, n)| StockOp::UnchargeViaStock(m, n)),
        2 => (memcg.clone(), nr).prop_map(|(m, n)| StockOp::UnchargeDirect(m, n)),
        1 => Just(StockOp::Drain),
        1 => memcg.clone().prop_map(StockOp::DrainIf),
        1 => (0..PARENT.len(), 0..200u64).prop_map(|(m, l)| StockOp::SetLimit(m, l)),
    ]
}

/// The single-slot stock of `mm/memcontrol.c` `try_charge`, v4.19 over the page_counter model.
struct StockModel {
    c: PageModel,
    cached: Option<usize>,
    nr: u64,
    batch: u64,
    warned: bool,
}

impl StockModel {
    fn drain(&mut self) {
        if let Some(m) = self.cached.take()
            && self.nr > 0
            && self.c.uncharge(m, self.nr as i64).is_err()
        {
            self.warned = true;
        }
        self.nr = 0;
    }

    fn refill(&mut self, m: usize, nr: u64) {
        if self.cached != Some(m) {
            self.drain();
            self.cached = Some(m);
        }
        self.nr += nr;
        if self.nr > self.batch {
            self.drain();
        }
    }

    fn try_charge(&mut self, m: usize, nr: u64) -> Result<(), usize> {
        if nr <= self.batch && self.cached == Some(m) && self.nr >= nr {
            self.nr -= nr;
            return Ok(());
        }
        let batch = self.batch.max(nr);
        match self.c.try_charge(m, batch as i64) {
            Ok(()) => {
                if batch > nr {
                    self.refill(m, batch - nr);
                }
                Ok(())
            }
            Err(_) if batch > nr => self.c.try_charge(m, nr as i64),
            Err(l) => Err(l),
        }
    }
}

fn run_stock(batch: u64, ops: &[StockOp]) {
    let tree = build::<PageCounter>();
    let mut stock = MemcgStock::new(Pages(batch));
    let mut m = StockModel {
        c: PageModel::new(),
        cached: None,
        nr: 0,
        batch,
        warned: false,
    };
    // Pages the "tasks" of each memcg hold; uncharges never return more than that.
    let mut held = [0u64; PARENT.len()];
    for op in ops {
        match *op {
            StockOp::Charge(i, nr) => {
                let got = try_charge_stocked(&mut stock, &tree[i], Pages(nr), &NoTrace, CPU)
                    .map_err(|c| c.owner());
                assert_eq!(got, m.try_charge(i, nr), "{op:?}");
                if got.is_ok() {
                    held[i] += nr;
                }
            }
            StockOp::UnchargeViaStock(i, nr) if held[i] >= nr => {
                held[i] -= nr;
                uncharge_stocked(&mut stock, &tree[i], Pages(nr), &NoTrace, CPU);
                m.refill(i, nr);
            }
            StockOp::UnchargeDirect(i, nr) if held[i] >= nr => {
                held[i] -= nr;
                tree[i].uncharge(Pages(nr), &NoTrace, CPU).unwrap();
                m.c.uncharge(i, nr as i64).unwrap();
            }
            StockOp::UnchargeViaStock(..) | StockOp::UnchargeDirect(..) => {}
            StockOp::Drain => {
                stock.drain();
                m.drain();
            }
            StockOp::DrainIf(i) => {
                stock.drain_if(&mut |c: &PageCounter| c.owner() == i);
                if m.cached == Some(i) {
                    m.drain();
                }
            }
            StockOp::SetLimit(i, l) => {
                let want = if m.c.l[i].usage as u64 > l {
                    Err(Errno::EBUSY)
                } else {
                    m.c.l[i].max = l;
                    Ok(())
                };
                assert_eq!(tree[i].set_max(Pages(l)), want);
            }
        }
        for (i, c) in tree.iter().enumerate() {
            assert_eq!(page_state(c), m.c.l[i], "level {i} after {op:?}");
        }
        for (i, c) in tree.iter().enumerate().skip(1) {
            let want = if m.cached == Some(i) { m.nr } else { 0 };
            assert_eq!(
                stock.cached_pages(c),
                Pages(want),
                "stock of {i} after {op:?}"
            );
        }
        assert_eq!(stock.take_warning().is_some(), m.warned, "{op:?}");
        m.warned = false;
    }
}

/// The seven-slot stock against an invariant instead of a model (its eviction is random):
/// for each memcg, the counter holds exactly what its tasks hold plus what the stock caches.
fn run_multi_stock(ops: &[StockOp]) {
    let root = Arc::new(PageCounter::new_root(Default::default(), 0));
    let kids: Vec<Arc<PageCounter>> = (0..9)
        .map(|i| Arc::new(PageCounter::new_child(&root, i + 1)))
        .collect();
    let mut stock = MemcgStockMulti::new(Pages(64), CPU);
    let mut held = [0u64; 9];
    for op in ops {
        match *op {
            // Spread the four memcg indices over nine children, so the seven slots overflow.
            StockOp::Charge(i, nr) => {
                let k = (i * 2 + nr as usize) % 9;
                if try_charge_stocked(&mut stock, &kids[k], Pages(nr), &NoTrace, CPU).is_ok() {
                    held[k] += nr;
                }
            }
            StockOp::UnchargeViaStock(i, nr) | StockOp::UnchargeDirect(i, nr) => {
                let k = (i * 2 + nr as usize) % 9;
                if held[k] >= nr {
                    held[k] -= nr;
                    uncharge_stocked(&mut stock, &kids[k], Pages(nr), &NoTrace, CPU);
                }
            }
            StockOp::Drain => stock.drain(),
            StockOp::DrainIf(i) => stock.drain_if(&mut |c: &PageCounter| c.owner() == i),
            StockOp::SetLimit(_, l) => {
                let _ = root.set_max(Pages(l + 300));
            }
        }
        let mut cached_memcgs = 0;
        for (k, c) in kids.iter().enumerate() {
            let cached = stock.cached_pages(c).0;
            assert!(cached <= 64, "slot above the batch");
            cached_memcgs += usize::from(cached > 0);
            assert_eq!(c.read().0, held[k] + cached, "memcg {k} after {op:?}");
        }
        assert!(cached_memcgs <= 7);
        assert_eq!(stock.take_warning(), None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn spin_res_counter_matches_model(ops in prop::collection::vec(op(4096, true), 1..40)) {
        run_res::<<SpinResCounter as ResTypes>::Lock>(&ops);
    }

    #[test]
    fn mutex_res_counter_matches_model(ops in prop::collection::vec(op(4096, true), 1..40)) {
        run_res::<<MutexResCounter as ResTypes>::Lock>(&ops);
    }

    #[test]
    fn page_counter_matches_model(ops in prop::collection::vec(op(1, false), 1..40)) {
        run_page(&ops);
    }

    #[test]
    fn stock_matches_model(batch in prop_oneof![Just(32u64), Just(64)],
                           ops in prop::collection::vec(stock_op(), 1..60)) {
        run_stock(batch, &ops);
    }

    #[test]
    fn multi_stock_conserves_pages(ops in prop::collection::vec(stock_op(), 1..80)) {
        run_multi_stock(&ops);
    }
}

/// Names the lock type of a res_counter alias.
trait ResTypes {
    type Lock: ResLock;
}

impl<L: ResLock> ResTypes for ResCounter<L> {
    type Lock = L;
}
