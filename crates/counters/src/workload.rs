//! The benchmarked hot loop and its physical floors, shared by the criterion benches
//! (`benches/benches/counters.rs`) and `cgsim bench contention`.
//!
//! **Kernel:** none; this is the measuring side. The loop is "charge one page, uncharge one
//! page" against a chain of `depth` counters (perf-anchors §2), in each design the kernel went
//! through, next to the floors that bound what any implementation could reach on this machine:
//! a thread-local plain add per level (`TL`) and a raw atomic add/sub per level (`AT`, and with
//! two threads on the same atomics the contended floor `AT2`). Floors and designs run in the
//! same process, so every ratio comes from one run.
//!
//! A [`Config`] builds a [`Runner`]: one closure per thread, each owning its simulated CPU's
//! stock (an explicit `&mut`, never `thread_local!`), all sharing one counter chain. Each
//! closure runs the whole timed loop, so there is no dynamic call per charge.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cgsim_ktypes::{CpuId, NoTrace, Pages};
use crossbeam_utils::CachePadded;

use crate::counter::Counter;
use crate::multi_stock::MemcgStockMulti;
use crate::page_counter::PageCounter;
use crate::res_counter::{MutexResCounter, SpinResCounter};
use crate::stock::{ChargeStock, MemcgStock, try_charge_stocked, uncharge_stocked};

/// What the loop runs.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Design {
    /// Floor `TL`: a plain `u64 += 1` then `-= 1` per level; every thread has its own levels.
    PlainAdd,
    /// Floor `AT`: `fetch_add(1)` then `fetch_sub(1)` per level; threads share the levels
    /// (with two threads this is the contended floor `AT2`).
    AtomicRmw,
    /// Floor of design (a): take and release a test-and-test-and-set spinlock per level, twice
    /// (charge walk, uncharge walk), with no counter work inside; threads share the locks.
    SpinLockOnly,
    /// Design (a): res_counter with a spinning lock per level.
    ResSpin,
    /// res_counter with a `parking_lot::Mutex` per level.
    ResMutex,
    /// Design (b): page_counter.
    PageCounter,
    /// Design (c): the per-CPU stock in front of page_counter; the uncharge goes through
    /// `refill_stock` (batched uncharge semantics). `slots` is 1 or 7.
    Stock { batch: u8, slots: u8 },
    /// The single-slot stock of batch 32 kept in a `thread_local!` `RefCell` instead of passed
    /// by `&mut`: what the explicit per-CPU argument avoids.
    StockThreadLocal,
    /// The stock on the charge side only; each uncharge goes straight to page_counter (the
    /// kernel's single-folio uncharge).
    StockChargeOnly { batch: u8 },
    /// 256 charges then 256 uncharges through the stock.
    StockBurst { batch: u8, slots: u8 },
    /// Two sibling memcgs alternating on one CPU's stock (`slots` 1 or 7); `slots` 0 means
    /// no stock at all (bare page_counter) for reference.
    Thrash { batch: u8, slots: u8 },
}

impl Design {
    /// A short name for tables and benchmark ids.
    pub fn name(self) -> String {
        match self {
            Design::PlainAdd => "plain_add (TL floor)".into(),
            Design::AtomicRmw => "atomic_rmw (AT floor)".into(),
            Design::SpinLockOnly => "lock+unlock only (a's floor)".into(),
            Design::ResSpin => "res_counter spinlock".into(),
            Design::ResMutex => "res_counter mutex".into(),
            Design::PageCounter => "page_counter".into(),
            Design::Stock { batch, slots: 1 } => format!("stock{batch}"),
            Design::Stock { batch, slots } => format!("stock{batch} {slots}-slot"),
            Design::StockThreadLocal => "stock32 in thread_local!".into(),
            Design::StockChargeOnly { batch } => format!("stock{batch} charge-only"),
            Design::StockBurst { batch, slots: 1 } => format!("stock{batch} burst256"),
            Design::StockBurst { batch, slots } => format!("stock{batch} {slots}-slot burst256"),
            Design::Thrash { slots: 0, .. } => "2 memcgs, no stock".into(),
            Design::Thrash { batch, slots } => format!("2 memcgs, stock{batch} {slots}-slot"),
        }
    }

    /// A file-name-safe id (`page_counter`, `stock32x7`, ...).
    pub fn id(self) -> String {
        match self {
            Design::PlainAdd => "plain_add".into(),
            Design::AtomicRmw => "atomic_rmw".into(),
            Design::SpinLockOnly => "spin_lock_only".into(),
            Design::ResSpin => "res_spin".into(),
            Design::ResMutex => "res_mutex".into(),
            Design::PageCounter => "page_counter".into(),
            Design::Stock { batch, slots } => format!("stock{batch}x{slots}"),
            Design::StockThreadLocal => "stock32_tls".into(),
            Design::StockChargeOnly { batch } => format!("stock{batch}_chg"),
            Design::StockBurst { batch, slots } => format!("stock{batch}x{slots}_burst"),
            Design::Thrash { batch, slots } => format!("thrash{batch}x{slots}"),
        }
    }
}

/// One benchmark configuration.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub design: Design,
    /// Levels from the charged counter to the root, inclusive (1 = the root alone).
    pub depth: usize,
    /// Threads charging at once, each as its own simulated CPU.
    pub threads: usize,
}

/// The simulated CPU the untraced loops pass (ignored by `NoTrace`).
const CPU: CpuId = CpuId(0);

/// A worker that owns one CPU's stock (single- or seven-slot) for its whole life, on its own
/// cache line; the loop body is written once and compiled for each stock type.
macro_rules! stock_worker {
    ($batch:expr, $slots:expr, $cpu:expr, |$stock:ident| $body:block) => {
        if $slots == 1 {
            let mut st: CachePadded<MemcgStock<PageCounter>> =
                CachePadded::new(MemcgStock::new(Pages(u64::from($batch))));
            boxed(move |n| {
                let $stock = &mut *st;
                for _ in 0..n $body
            })
        } else {
            let mut st: CachePadded<MemcgStockMulti<PageCounter>> = CachePadded::new(
                MemcgStockMulti::new(Pages(u64::from($batch)), CpuId($cpu as u32)),
            );
            boxed(move |n| {
                let $stock = &mut *st;
                for _ in 0..n $body
            })
        }
    };
}

impl Config {
    /// Charge+uncharge pairs one iteration of the runner performs per thread.
    pub fn pairs_per_iter(&self) -> u64 {
        match self.design {
            Design::StockBurst { .. } => 256,
            Design::Thrash { .. } => 2,
            _ => 1,
        }
    }

    /// `design/d4/1T`.
    pub fn id(&self) -> String {
        format!("{}/d{}/{}T", self.design.id(), self.depth, self.threads)
    }

    /// Build the state and one loop per thread.
    ///
    /// # Panics
    /// If `depth` or `threads` is 0.
    pub fn runner(&self) -> Runner {
        assert!(
            self.depth >= 1 && self.threads >= 1,
            "empty benchmark config"
        );
        let d = self.depth;
        let t = self.threads;
        let workers: Vec<Worker> = match self.design {
            Design::PlainAdd => (0..t)
                .map(|_| {
                    let mut levels: Vec<CachePadded<u64>> =
                        (0..d).map(|_| CachePadded::new(0)).collect();
                    boxed(move |n| {
                        for _ in 0..n {
                            plain_pair(&mut levels);
                        }
                    })
                })
                .collect(),
            Design::AtomicRmw => {
                let levels: Arc<Vec<CachePadded<AtomicU64>>> = Arc::new(
                    (0..d)
                        .map(|_| CachePadded::new(AtomicU64::new(0)))
                        .collect(),
                );
                (0..t)
                    .map(|_| {
                        let levels = Arc::clone(&levels);
                        boxed(move |n| {
                            for _ in 0..n {
                                atomic_pair(&levels);
                            }
                        })
                    })
                    .collect()
            }
            Design::SpinLockOnly => {
                let locks: Arc<Vec<CachePadded<AtomicBool>>> = Arc::new(
                    (0..d)
                        .map(|_| CachePadded::new(AtomicBool::new(false)))
                        .collect(),
                );
                (0..t)
                    .map(|_| {
                        let locks = Arc::clone(&locks);
                        boxed(move |n| {
                            for _ in 0..n {
                                lock_only_pair(&locks);
                            }
                        })
                    })
                    .collect()
            }
            Design::ResSpin => counter_workers::<SpinResCounter>(d, t),
            Design::ResMutex => counter_workers::<MutexResCounter>(d, t),
            Design::PageCounter => counter_workers::<PageCounter>(d, t),
            Design::Stock { batch, slots } => {
                let leaf = leaf_of(&chain::<PageCounter>(d));
                (0..t)
                    .map(|cpu| {
                        let leaf = Arc::clone(&leaf);
                        stock_worker!(batch, slots, cpu, |stock| {
                            stock_pair(stock, &leaf);
                        })
                    })
                    .collect()
            }
            Design::StockThreadLocal => {
                let leaf = leaf_of(&chain::<PageCounter>(d));
                (0..t)
                    .map(|_| {
                        let leaf = Arc::clone(&leaf);
                        boxed(move |n| {
                            for _ in 0..n {
                                tls_stock_pair(&leaf);
                            }
                        })
                    })
                    .collect()
            }
            Design::StockChargeOnly { batch } => {
                let leaf = leaf_of(&chain::<PageCounter>(d));
                (0..t)
                    .map(|cpu| {
                        let leaf = Arc::clone(&leaf);
                        stock_worker!(batch, 1, cpu, |stock| {
                            stock_charge_only_pair(stock, &leaf);
                        })
                    })
                    .collect()
            }
            Design::StockBurst { batch, slots } => {
                let leaf = leaf_of(&chain::<PageCounter>(d));
                (0..t)
                    .map(|cpu| {
                        let leaf = Arc::clone(&leaf);
                        stock_worker!(batch, slots, cpu, |stock| {
                            stock_burst(stock, &leaf, 256);
                        })
                    })
                    .collect()
            }
            Design::Thrash { batch, slots } => {
                let (a, b) = siblings(d);
                (0..t)
                    .map(|cpu| {
                        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
                        if slots == 0 {
                            boxed(move |n| {
                                for _ in 0..n {
                                    counter_pair(&*a);
                                    counter_pair(&*b);
                                }
                            })
                        } else {
                            stock_worker!(batch, slots, cpu, |stock| {
                                stock_pair(stock, &a);
                                stock_pair(stock, &b);
                            })
                        }
                    })
                    .collect()
            }
        };
        Runner { workers }
    }
}

type Worker = Box<dyn FnMut(u64) + Send>;

fn boxed(f: impl FnMut(u64) + Send + 'static) -> Worker {
    Box::new(f)
}

/// Each thread runs `n` iterations of its loop; the result is the wall time from the moment all
/// threads are released until the last one finishes.
pub struct Runner {
    workers: Vec<Worker>,
}

impl Runner {
    /// Run every worker for `iters` iterations at once and time them.
    pub fn run(&mut self, iters: u64) -> Duration {
        self.run_probed(iters, None).0
    }

    /// As [`Runner::run`], and also the smallest share of its own wall time that any worker
    /// spent on a CPU: 1 minus the time it waited for one, measured with `wait_clock` (1.0
    /// without a clock). A share well below 1 means a neighbour took the CPU for part of the
    /// sample, so two "concurrent" threads may not have overlapped at all.
    pub fn run_probed(&mut self, iters: u64, wait_clock: Option<WaitClock>) -> (Duration, f64) {
        let share = |w0: Option<u64>, w1: Option<u64>, wall: Duration| match (w0, w1) {
            (Some(a), Some(b)) => 1.0 - b.saturating_sub(a) as f64 / wall.as_nanos().max(1) as f64,
            _ => 1.0,
        };
        let clock = || wait_clock.and_then(|f| f());
        if let [w] = self.workers.as_mut_slice() {
            let c0 = clock();
            let t = Instant::now();
            w(iters);
            let wall = t.elapsed();
            return (wall, share(c0, clock(), wall));
        }
        let barrier = std::sync::Barrier::new(self.workers.len() + 1);
        let mut start = Instant::now();
        let mut shares = Vec::new();
        std::thread::scope(|s| {
            let handles: Vec<_> = self
                .workers
                .iter_mut()
                .map(|w| {
                    let b = &barrier;
                    s.spawn(move || {
                        b.wait();
                        let c0 = clock();
                        let t = Instant::now();
                        w(iters);
                        let wall = t.elapsed();
                        share(c0, clock(), wall)
                    })
                })
                .collect();
            barrier.wait();
            start = Instant::now();
            shares = handles
                .into_iter()
                .map(|h| h.join().unwrap_or(0.0))
                .collect();
        });
        let wall = start.elapsed();
        (wall, shares.into_iter().fold(1.0, f64::min))
    }
}

/// Reads how long the calling thread has so far waited, runnable, for a CPU (nanoseconds), if
/// the platform tells.
///
/// The caller supplies it (the CLI reads the second field of `/proc/thread-self/schedstat`,
/// which the scheduler updates at every switch, unlike the run time, which lags by up to a
/// tick), so this crate does no IO of its own.
pub type WaitClock = fn() -> Option<u64>;

/// A chain of `depth` counters, root first, each the parent of the next.
pub fn chain<C: Counter>(depth: usize) -> Vec<Arc<C>> {
    let mut nodes: Vec<Arc<C>> = vec![Arc::new(C::new_root(C::Profile::default(), 0))];
    for i in 1..depth {
        let child = C::new_child(&nodes[i - 1], i);
        nodes.push(Arc::new(child));
    }
    nodes
}

fn leaf_of<C>(nodes: &[Arc<C>]) -> Arc<C> {
    Arc::clone(nodes.last().expect("chain has a root"))
}

/// Two sibling leaves at `depth` under a shared chain of `depth - 1` levels (depth 1: two roots).
fn siblings(depth: usize) -> (Arc<PageCounter>, Arc<PageCounter>) {
    if depth == 1 {
        return (
            Arc::new(PageCounter::new_root(Default::default(), 0)),
            Arc::new(PageCounter::new_root(Default::default(), 1)),
        );
    }
    let parent = leaf_of(&chain::<PageCounter>(depth - 1));
    (
        Arc::new(PageCounter::new_child(&parent, depth)),
        Arc::new(PageCounter::new_child(&parent, depth + 1)),
    )
}

fn counter_workers<C: Counter>(depth: usize, threads: usize) -> Vec<Worker> {
    let leaf = leaf_of(&chain::<C>(depth));
    (0..threads)
        .map(|_| {
            let leaf = Arc::clone(&leaf);
            boxed(move |n| {
                for _ in 0..n {
                    counter_pair(&*leaf);
                }
            })
        })
        .collect()
}

/// Floor `TL`: one plain add and one plain subtract per level.
#[inline(always)]
pub fn plain_pair(levels: &mut [CachePadded<u64>]) {
    for l in levels.iter_mut() {
        **l += 1;
    }
    black_box(&mut *levels);
    for l in levels.iter_mut() {
        **l -= 1;
    }
}

/// Floor `AT`: one atomic add and one atomic subtract per level.
#[inline(always)]
pub fn atomic_pair(levels: &[CachePadded<AtomicU64>]) {
    for l in levels {
        l.fetch_add(1, Ordering::Relaxed);
    }
    black_box(levels);
    for l in levels {
        l.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Floor of design (a): lock and unlock each level on the way up, then again for the uncharge.
#[inline(always)]
pub fn lock_only_pair(locks: &[CachePadded<AtomicBool>]) {
    #[inline(always)]
    fn lock_unlock(l: &AtomicBool) {
        while l
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            while l.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        }
        l.store(false, Ordering::Release);
    }
    for l in locks {
        lock_unlock(l);
    }
    black_box(locks);
    for l in locks {
        lock_unlock(l);
    }
}

/// Designs (a) and (b): charge one page to the hierarchy, uncharge it.
#[inline(always)]
pub fn counter_pair<C: Counter>(leaf: &C) {
    let ok = leaf.try_charge(Pages(1), &NoTrace, CPU).is_ok();
    if black_box(ok) {
        // The limit is never reached in the benchmarks, so this cannot underflow.
        let _ = leaf.uncharge(Pages(1), &NoTrace, CPU);
    }
}

/// Design (c): charge through the stock, uncharge through `refill_stock`.
#[inline(always)]
pub fn stock_pair<S: ChargeStock<PageCounter>>(stock: &mut S, leaf: &Arc<PageCounter>) {
    let ok = try_charge_stocked(stock, leaf, Pages(1), &NoTrace, CPU).is_ok();
    black_box(&mut *stock);
    if ok {
        uncharge_stocked(stock, leaf, Pages(1), &NoTrace, CPU);
    }
}

thread_local! {
    static TLS_STOCK: std::cell::RefCell<MemcgStock<PageCounter>> =
        std::cell::RefCell::new(MemcgStock::new(Pages(32)));
}

/// Design (c) with the stock in a `thread_local!` (for comparison only).
#[inline(always)]
pub fn tls_stock_pair(leaf: &Arc<PageCounter>) {
    let ok = TLS_STOCK
        .with(|s| try_charge_stocked(&mut *s.borrow_mut(), leaf, Pages(1), &NoTrace, CPU).is_ok());
    black_box(ok);
    if ok {
        TLS_STOCK.with(|s| uncharge_stocked(&mut *s.borrow_mut(), leaf, Pages(1), &NoTrace, CPU));
    }
}

/// Design (c) with the kernel's single-page uncharge straight to the counters.
#[inline(always)]
pub fn stock_charge_only_pair<S: ChargeStock<PageCounter>>(stock: &mut S, leaf: &Arc<PageCounter>) {
    let ok = try_charge_stocked(stock, leaf, Pages(1), &NoTrace, CPU).is_ok();
    black_box(&mut *stock);
    if ok {
        let _ = leaf.uncharge(Pages(1), &NoTrace, CPU);
    }
}

/// `n` single-page charges through the stock, then `n` uncharges through it.
#[inline(always)]
pub fn stock_burst<S: ChargeStock<PageCounter>>(stock: &mut S, leaf: &Arc<PageCounter>, n: u32) {
    let mut charged = 0;
    for _ in 0..n {
        if try_charge_stocked(stock, leaf, Pages(1), &NoTrace, CPU).is_ok() {
            charged += 1;
        }
    }
    black_box(&mut *stock);
    for _ in 0..charged {
        uncharge_stocked(stock, leaf, Pages(1), &NoTrace, CPU);
    }
}

/// How to sample: `reps` rounds, each running every config once for about `sample`.
#[derive(Copy, Clone, Debug)]
pub struct Method {
    pub reps: usize,
    pub sample: Duration,
    /// A sample counts as clean when every thread spent at least this share of its wall time
    /// on a CPU (perf-anchors: 0.97); only clean samples enter the median when there are any.
    pub min_cpu_share: f64,
}

impl Method {
    /// A few seconds for the whole matrix: 3 rounds of 10 ms samples.
    pub const QUICK: Method = Method {
        reps: 3,
        sample: Duration::from_millis(10),
        min_cpu_share: 0.97,
    };
    /// The perf-anchors method: 9 rounds of 100 ms samples.
    pub const FULL: Method = Method {
        reps: 9,
        sample: Duration::from_millis(100),
        min_cpu_share: 0.97,
    };
}

/// The median over rounds of one config's per-thread time per charge+uncharge pair.
#[derive(Clone, Debug)]
pub struct Measured {
    pub config: Config,
    /// Per-thread ns per pair: the median of the clean samples, or of all samples if none was
    /// clean.
    pub ns_per_pair: f64,
    /// Every round's value, in order.
    pub samples: Vec<f64>,
    /// How many samples were clean (see [`Method::min_cpu_share`]).
    pub clean: usize,
}

impl Measured {
    /// Aggregate throughput in million pairs per second over all threads.
    pub fn mpairs_per_sec(&self) -> f64 {
        self.config.threads as f64 * 1e3 / self.ns_per_pair
    }
}

/// Run `configs` round-robin (perf-anchors §2 "Method"): each round runs every config once, so
/// a burst of load from a neighbour hits all configs rather than one. `progress(done, total)` is
/// called after each sample.
pub fn measure_round_robin(
    configs: &[Config],
    method: Method,
    wait_clock: Option<WaitClock>,
    mut progress: impl FnMut(usize, usize),
) -> Vec<Measured> {
    let mut runners: Vec<(Runner, u64)> = configs
        .iter()
        .map(|c| {
            let mut r = c.runner();
            let iters = calibrate(&mut r, method.sample);
            (r, iters)
        })
        .collect();
    let mut samples = vec![Vec::with_capacity(method.reps); configs.len()];
    let mut clean = vec![Vec::with_capacity(method.reps); configs.len()];
    let total = method.reps * configs.len();
    for rep in 0..method.reps {
        for (i, (runner, iters)) in runners.iter_mut().enumerate() {
            let (t, share) = runner.run_probed(*iters, wait_clock);
            let pairs = *iters * configs[i].pairs_per_iter();
            let ns = t.as_nanos() as f64 / pairs as f64;
            samples[i].push(ns);
            if share >= method.min_cpu_share {
                clean[i].push(ns);
            }
            progress(rep * configs.len() + i + 1, total);
        }
    }
    configs
        .iter()
        .zip(samples.into_iter().zip(clean))
        .map(|(c, (s, k))| Measured {
            config: *c,
            ns_per_pair: if k.is_empty() { median(&s) } else { median(&k) },
            clean: k.len(),
            samples: s,
        })
        .collect()
}

/// Iterations that take about `target`.
fn calibrate(r: &mut Runner, target: Duration) -> u64 {
    let mut iters = 16u64;
    loop {
        let t = r.run(iters);
        if t >= target / 8 || iters >= 1 << 40 {
            let scaled = iters as f64 * target.as_secs_f64() / t.as_secs_f64().max(1e-9);
            return (scaled as u64).max(1);
        }
        iters *= 4;
    }
}

/// The median of `v` (the mean of the middle two for an even count); 0 for an empty slice.
pub fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}
