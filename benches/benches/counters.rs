//! res_counter, page_counter and the per-CPU stock, next to the physical floors (issue 3).
//!
//! `cargo bench -p cgsim-benches --bench counters`. Every reported time is per charge+uncharge
//! pair (per thread for the 2-thread configs, whose threads charge the same counters, each with
//! its own CPU's stock). Floors and designs are in this one binary, so ratios come from one run;
//! `cgsim bench contention` prints those ratios directly. Results and the machine they came
//! from are recorded in `docs/benchmarks.md`.

use cgsim_benches::criterion_config;
use cgsim_benches::workload::{Config, Design, Runner};
use cgsim_counters::{Counter, PageCounter};
use cgsim_ktypes::trace::Ftrace;
use cgsim_ktypes::{CpuId, NoTrace, Pages};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::Arc;

const DEPTHS: [usize; 4] = [1, 2, 4, 8];

fn bench_config(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    cfg: Config,
    label: &str,
) {
    let mut runner: Runner = cfg.runner();
    let per_iter = cfg.pairs_per_iter() as u32;
    g.bench_function(BenchmarkId::new(label, cfg.depth), |b| {
        b.iter_custom(|iters| runner.run(iters) / per_iter)
    });
}

/// Floors, res_counter (spinlock, mutex), page_counter and the stocks, depth 1-8, 1 and 2 threads.
fn matrix(c: &mut Criterion) {
    let designs = [
        Design::PlainAdd,
        Design::AtomicRmw,
        Design::SpinLockOnly,
        Design::ResSpin,
        Design::ResMutex,
        Design::PageCounter,
        Design::Stock {
            batch: 32,
            slots: 1,
        },
        Design::Stock {
            batch: 64,
            slots: 1,
        },
        Design::Stock {
            batch: 32,
            slots: 7,
        },
        Design::Stock {
            batch: 64,
            slots: 7,
        },
        Design::StockChargeOnly { batch: 32 },
        Design::StockThreadLocal,
    ];
    for design in designs {
        let mut g = c.benchmark_group(design.id());
        for threads in [1, 2] {
            for depth in DEPTHS {
                let cfg = Config {
                    design,
                    depth,
                    threads,
                };
                bench_config(&mut g, cfg, &format!("{threads}T"));
            }
        }
        g.finish();
    }
}

/// 256 charges then 256 uncharges through the stock (batch 32 and 64), and two memcgs
/// alternating on one CPU: no stock, single-slot stock (the kernel's thrashing), 7-slot stock.
fn bursts_and_thrash(c: &mut Criterion) {
    let mut g = c.benchmark_group("stock_burst256");
    for batch in [32, 64] {
        for threads in [1, 2] {
            let cfg = Config {
                design: Design::StockBurst { batch, slots: 1 },
                depth: 4,
                threads,
            };
            bench_config(&mut g, cfg, &format!("stock{batch}/{threads}T"));
        }
    }
    g.finish();
    let mut g = c.benchmark_group("two_memcgs_one_cpu");
    for slots in [0, 1, 7] {
        let cfg = Config {
            design: Design::Thrash { batch: 64, slots },
            depth: 4,
            threads: 1,
        };
        bench_config(&mut g, cfg, &format!("slots{slots}"));
    }
    g.finish();
}

/// More threads than the machine's 2 CPUs: labelled oversubscribed, shown for completeness only.
fn oversubscribed(c: &mut Criterion) {
    let mut g = c.benchmark_group("oversubscribed_4T_on_2_cpus");
    for design in [
        Design::PageCounter,
        Design::Stock {
            batch: 32,
            slots: 1,
        },
    ] {
        let cfg = Config {
            design,
            depth: 4,
            threads: 4,
        };
        bench_config(&mut g, cfg, &design.id());
    }
    g.finish();
}

/// The tracer costs nothing when compiled out: the same page_counter loop with `NoTrace` and
/// with an `Ftrace` that is switched off (one relaxed load per traced call).
fn tracer(c: &mut Criterion) {
    let nodes = cgsim_benches::workload::chain::<PageCounter>(4);
    let leaf: Arc<PageCounter> = Arc::clone(&nodes[3]);
    let ftrace = Ftrace::new();
    let mut g = c.benchmark_group("tracer_page_counter_d4");
    g.bench_function("NoTrace", |b| {
        b.iter(|| {
            let ok = leaf.try_charge(Pages(1), &NoTrace, CpuId(0)).is_ok();
            if black_box(ok) {
                let _ = Counter::uncharge(&*leaf, Pages(1), &NoTrace, CpuId(0));
            }
        })
    });
    g.bench_function("Ftrace_off", |b| {
        b.iter(|| {
            let ok = leaf.try_charge(Pages(1), &ftrace, CpuId(0)).is_ok();
            if black_box(ok) {
                let _ = Counter::uncharge(&*leaf, Pages(1), &ftrace, CpuId(0));
            }
        })
    });
    g.finish();
}

criterion_group! {
    name = counters;
    config = criterion_config();
    targets = matrix, bursts_and_thrash, oversubscribed, tracer
}
criterion_main!(counters);
