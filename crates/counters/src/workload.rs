//! The benchmarked hot loop and its physical floors, shared by the criterion benches
//! (`benches/benches/counters.rs`) and `cgsim bench contention`.
//!
//! **Kernel:** none; this is the measuring side. The loop is "charge one page, uncharge one
//! page" against a chain of `depth` counters (the loop behind the kernel's published contention numbers), in each design the kernel went
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
    /// without a clock), lowered to the share of the wall time during which all workers ran at
    /// once when that is smaller. A share well below 1 means a neighbour took the CPU for part
    /// of the sample, so two "concurrent" threads may not have overlapped at all.
    pub fn run_probed(&mut self, iters: u64, wait_clock: Option<WaitClock>) -> (Duration, f64) {
        let s = self.run_sample(iters, wait_clock);
        (s.wall, s.cpu_share.min(s.overlap))
    }

    /// Run every worker for `iters` iterations at once; every worker takes its own start and
    /// end timestamps and reads its own wait clock, so the wall time is from the first worker's
    /// start to the last one's end (not from when the releasing thread got a CPU back, which
    /// can be after the workers finished: the impossible 0.09 ns "pairs" once measured that way).
    pub fn run_sample(&mut self, iters: u64, wait_clock: Option<WaitClock>) -> Sample {
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
            return Sample {
                wall,
                cpu_share: share(c0, clock(), wall),
                overlap: 1.0,
            };
        }
        let barrier = std::sync::Barrier::new(self.workers.len());
        let mut spans: Vec<(Instant, Instant, f64)> = Vec::new();
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
                        let end = Instant::now();
                        (t, end, share(c0, clock(), end - t))
                    })
                })
                .collect();
            spans = handles.into_iter().filter_map(|h| h.join().ok()).collect();
        });
        Sample::from_spans(&spans)
    }
}

/// One timed run of a config: what the trust rules of [`Method`] look at.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Sample {
    /// From the first worker's start to the last worker's end.
    pub wall: Duration,
    /// The smallest share of its own run time any worker spent not waiting for a CPU.
    pub cpu_share: f64,
    /// The share of `wall` during which every worker was running its loop (1.0 for one
    /// worker). Two threads that ran one after the other have an overlap near 0.
    pub overlap: f64,
}

impl Sample {
    /// From each worker's (start, end, cpu share).
    pub fn from_spans(spans: &[(Instant, Instant, f64)]) -> Sample {
        let (Some(first), Some(last)) = (
            spans.iter().map(|s| s.0).min(),
            spans.iter().map(|s| s.1).max(),
        ) else {
            return Sample {
                wall: Duration::ZERO,
                cpu_share: 0.0,
                overlap: 0.0,
            };
        };
        let latest_start = spans.iter().map(|s| s.0).max().unwrap_or(first);
        let earliest_end = spans.iter().map(|s| s.1).min().unwrap_or(last);
        let wall = last - first;
        let both = earliest_end.saturating_duration_since(latest_start);
        Sample {
            wall,
            cpu_share: spans.iter().map(|s| s.2).fold(1.0, f64::min),
            overlap: both.as_secs_f64() / wall.as_secs_f64().max(1e-12),
        }
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

/// How to sample, and when a sample and a config's value can be trusted.
#[derive(Copy, Clone, Debug)]
pub struct Method {
    /// Rounds; each runs every config once.
    pub reps: usize,
    /// The length each sample is calibrated to.
    pub sample: Duration,
    /// A sample counts as clean when every thread spent at least this share of its wall time
    /// on a CPU (0.97, as in the measurement method of `docs/benchmarks.md`), i.e. no thread waited for a CPU for more than 3% of it.
    pub min_cpu_share: f64,
    /// A sample shorter than this is not clean: too few iterations for the timer and the
    /// thread start to vanish in (calibration ran on a faster or slower moment).
    pub min_sample: Duration,
    /// A multi-thread sample is clean only if all its threads ran at once for at least this
    /// share of its wall time.
    pub min_overlap: f64,
    /// A config's value is trusted (scores goals) only with at least this many clean samples.
    pub min_clean: usize,
    /// ... and when its clean samples lie within this relative spread of their median
    /// ((max - min) / median).
    pub max_spread: f64,
}

impl Method {
    /// About ten seconds for the whole matrix: 3 rounds of 20 ms samples. Values are printed
    /// always, but a goal is scored only on configs with 2 or more clean samples of at least
    /// 10 ms that agree within 20%.
    pub const QUICK: Method = Method {
        reps: 3,
        sample: Duration::from_millis(20),
        min_cpu_share: 0.97,
        min_sample: Duration::from_millis(10),
        min_overlap: 0.95,
        min_clean: 2,
        max_spread: 0.20,
    };
    /// The full measurement method: 9 rounds of 100 ms samples; a goal needs one clean sample.
    pub const FULL: Method = Method {
        reps: 9,
        sample: Duration::from_millis(100),
        min_cpu_share: 0.97,
        min_sample: Duration::from_millis(50),
        min_overlap: 0.95,
        min_clean: 1,
        max_spread: f64::INFINITY,
    };

    /// Whether one sample can be used: long enough, no thread kept off a CPU, the threads ran
    /// at the same time.
    pub fn clean(&self, s: &Sample) -> bool {
        s.wall >= self.min_sample
            && s.cpu_share >= self.min_cpu_share
            && s.overlap >= self.min_overlap
    }

    /// A config's result from its samples (`ns` is each sample's per-thread ns per pair).
    pub fn summarize(&self, config: Config, samples: &[(Sample, f64)]) -> Measured {
        let all: Vec<f64> = samples.iter().map(|s| s.1).collect();
        let clean: Vec<f64> = samples
            .iter()
            .filter(|s| self.clean(&s.0))
            .map(|s| s.1)
            .collect();
        let value = if clean.is_empty() {
            median(&all)
        } else {
            median(&clean)
        };
        let spread = if clean.is_empty() {
            f64::INFINITY
        } else {
            let lo = clean.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = clean.iter().copied().fold(0.0, f64::max);
            (hi - lo) / value
        };
        Measured {
            config,
            ns_per_pair: value,
            clean: clean.len(),
            trusted: clean.len() >= self.min_clean && spread <= self.max_spread,
            samples: all,
        }
    }
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
    /// How many samples were clean (see [`Method::clean`]).
    pub clean: usize,
    /// Whether the value may score a goal (see [`Method::min_clean`] and
    /// [`Method::max_spread`]).
    pub trusted: bool,
}

impl Measured {
    /// Aggregate throughput in million pairs per second over all threads.
    pub fn mpairs_per_sec(&self) -> f64 {
        self.config.threads as f64 * 1e3 / self.ns_per_pair
    }
}

/// Run `configs` round-robin (the measurement method of `docs/benchmarks.md`): each round runs every config once, so
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
    let total = method.reps * configs.len();
    for rep in 0..method.reps {
        for (i, (runner, iters)) in runners.iter_mut().enumerate() {
            let s = runner.run_sample(*iters, wait_clock);
            let pairs = *iters * configs[i].pairs_per_iter();
            samples[i].push((s, s.wall.as_nanos() as f64 / pairs as f64));
            progress(rep * configs.len() + i + 1, total);
        }
    }
    configs
        .iter()
        .zip(samples)
        .map(|(c, s)| method.summarize(*c, &s))
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

#[cfg(test)]
mod trust_tests {
    use super::*;

    const CFG: Config = Config {
        design: Design::PageCounter,
        depth: 4,
        threads: 2,
    };

    fn sample(ms: u64, cpu_share: f64, overlap: f64) -> Sample {
        Sample {
            wall: Duration::from_millis(ms),
            cpu_share,
            overlap,
        }
    }

    #[test]
    fn a_thread_that_waited_for_a_cpu_makes_the_sample_dirty() {
        let m = Method::QUICK;
        assert!(m.clean(&sample(20, 0.99, 1.0)));
        assert!(!m.clean(&sample(20, 0.90, 1.0)));
    }

    #[test]
    fn short_and_non_overlapping_samples_are_dirty() {
        let m = Method::QUICK;
        assert!(!m.clean(&sample(3, 1.0, 1.0)), "shorter than min_sample");
        assert!(
            !m.clean(&sample(20, 1.0, 0.4)),
            "threads ran one after the other"
        );
    }

    #[test]
    fn the_value_is_the_median_of_clean_samples_only() {
        let m = Method::QUICK;
        // The second sample is the impossible 0.09 ns once measured: short and without overlap.
        let s = [
            (sample(20, 1.0, 1.0), 500.0),
            (sample(1, 1.0, 0.0), 0.09),
            (sample(20, 1.0, 0.99), 520.0),
        ];
        let r = m.summarize(CFG, &s);
        assert_eq!(r.clean, 2);
        assert_eq!(r.ns_per_pair, 510.0);
        assert!(r.trusted);
        assert_eq!(r.samples, vec![500.0, 0.09, 520.0]);
    }

    #[test]
    fn too_few_clean_samples_are_not_trusted() {
        let m = Method::QUICK;
        let s = [
            (sample(100, 1.0, 1.0), 500.0),
            (sample(100, 0.5, 1.0), 900.0),
            (sample(100, 1.0, 0.2), 100.0),
        ];
        let r = m.summarize(CFG, &s);
        assert_eq!((r.clean, r.ns_per_pair, r.trusted), (1, 500.0, false));
        // The full method scores on one clean sample.
        assert!(Method::FULL.summarize(CFG, &s).trusted);
        // No clean sample at all: the median of all, untrusted by either method.
        let none = [(sample(100, 0.1, 1.0), 1.0), (sample(100, 0.1, 1.0), 3.0)];
        let r = Method::FULL.summarize(CFG, &none);
        assert_eq!((r.clean, r.ns_per_pair, r.trusted), (0, 2.0, false));
    }

    #[test]
    fn clean_samples_that_disagree_are_not_trusted_in_quick_mode() {
        let s = [
            (sample(100, 1.0, 1.0), 50.0),
            (sample(100, 1.0, 1.0), 85.0),
            (sample(100, 1.0, 1.0), 52.0),
        ];
        assert!(!Method::QUICK.summarize(CFG, &s).trusted);
        assert!(Method::FULL.summarize(CFG, &s).trusted);
    }

    #[test]
    fn wall_and_overlap_come_from_the_workers_own_timestamps() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        // Worker 2 started 10 ms after worker 1 ended: 30 ms of wall, no overlap.
        let s = Sample::from_spans(&[(t0, t0 + ms(10), 1.0), (t0 + ms(20), t0 + ms(30), 0.98)]);
        assert_eq!(s.wall, ms(30));
        assert_eq!(s.overlap, 0.0);
        assert_eq!(s.cpu_share, 0.98);
        // Both ran 0..10 and 1..11: overlap 9 of 11.
        let s = Sample::from_spans(&[(t0, t0 + ms(10), 1.0), (t0 + ms(1), t0 + ms(11), 1.0)]);
        assert!((s.overlap - 9.0 / 11.0).abs() < 1e-9);
    }

    #[test]
    fn a_real_two_thread_sample_overlaps() {
        let mut r = CFG.runner();
        let s = r.run_sample(10_000, None);
        assert!(s.wall > Duration::ZERO);
        assert!(s.overlap >= 0.0 && s.overlap <= 1.0);
    }
}
