//! `cgsim bench contention [--quick] [--svg PATH]`: the res_counter contention matrix for people
//! who do not read criterion output.
//!
//! Runs the three charge-path designs the kernel went through (res_counter, page_counter, the
//! per-CPU stock) next to the physical floors, all round-robin in this one process
//! (`cgsim_counters::workload`), then prints ns per charge+uncharge pair, ratios to the floors,
//! two-thread scaling and the benchmark goals of `docs/benchmarks.md`, and writes an SVG plot of
//! throughput against depth and threads. Ratios are the result: absolute nanoseconds move with
//! the load on the machine, ratios measured in the same run barely do.

use std::io::{self, Write};
use std::path::PathBuf;

use cgsim_counters::workload::{Config, Design, Measured, Method, measure_round_robin};

/// Options of `cgsim bench contention`.
#[derive(Clone, Debug)]
pub struct ContentionOpts {
    /// Short samples (a few seconds in all) instead of the full method (about a minute).
    pub quick: bool,
    /// Where to write the SVG plot.
    pub svg: PathBuf,
}

const DEPTHS: [usize; 4] = [1, 2, 4, 8];
const THREADS: [usize; 2] = [1, 2];

/// The designs of the main matrix, floors first.
fn matrix_designs() -> Vec<Design> {
    vec![
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
            batch: 64,
            slots: 7,
        },
    ]
}

/// The extra configs: bursts, single-page uncharge, two memcgs on one CPU.
fn extra_configs() -> Vec<Config> {
    let mut v = Vec::new();
    for threads in THREADS {
        for batch in [32, 64] {
            v.push(Config {
                design: Design::StockBurst { batch, slots: 1 },
                depth: 4,
                threads,
            });
        }
    }
    v.push(Config {
        design: Design::StockChargeOnly { batch: 32 },
        depth: 4,
        threads: 1,
    });
    v.push(Config {
        design: Design::StockThreadLocal,
        depth: 4,
        threads: 1,
    });
    for slots in [0, 1, 7] {
        v.push(Config {
            design: Design::Thrash { batch: 64, slots },
            depth: 4,
            threads: 1,
        });
    }
    v
}

/// Run the matrix, print the tables to `out`, write the plot to `opts.svg`.
pub fn run(opts: &ContentionOpts, out: &mut dyn Write) -> io::Result<()> {
    let method = if opts.quick {
        Method::QUICK
    } else {
        Method::FULL
    };
    let mut configs = Vec::new();
    for design in matrix_designs() {
        for threads in THREADS {
            for depth in DEPTHS {
                configs.push(Config {
                    design,
                    depth,
                    threads,
                });
            }
        }
    }
    configs.extend(extra_configs());

    writeln!(
        out,
        "cgsim bench contention{}: {} configs x {} rounds of {} ms, round-robin",
        if opts.quick { " --quick" } else { "" },
        configs.len(),
        method.reps,
        method.sample.as_millis()
    )?;
    writeln!(out, "machine: {}", machine())?;
    // `cargo run -p cgsim -- bench ...` without `--release` measures unoptimized code: say so,
    // since its numbers and ratios have nothing to do with docs/benchmarks.md.
    if cfg!(debug_assertions) {
        writeln!(
            out,
            "warning: a debug build (no optimizations): build with --release to compare with docs/benchmarks.md"
        )?;
    }
    writeln!(
        out,
        "threads above {} would be oversubscribed on this machine; only 1 and 2 are run.",
        cpus()
    )?;
    out.flush()?;
    let results = measure_round_robin(&configs, method, Some(thread_wait_nanos), |_, _| {});
    let dirty: Vec<String> = results
        .iter()
        .filter(|m| m.clean == 0)
        .map(|m| m.config.id())
        .collect();
    let r = Results { all: results };

    writeln!(out)?;
    writeln!(
        out,
        "ns per charge+uncharge pair, 1 thread (ratio to the floor in brackets: AT(d) for counters, TL(1) for stocks)"
    )?;
    r.table(out, 1)?;
    writeln!(out)?;
    writeln!(
        out,
        "ns per pair per thread, 2 threads on the same counters, each with its own CPU stock (aggregate scaling 2*t1/t2 in brackets)"
    )?;
    r.table(out, 2)?;
    writeln!(out)?;
    writeln!(out, "other configs (depth 4):")?;
    for c in extra_configs() {
        writeln!(
            out,
            "  {:<34} {}T {:>9.2} ns/pair",
            c.design.name(),
            c.threads,
            r.ns(c.design, c.depth, c.threads)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "goals (ratios from this run; * = extra goals; see docs/benchmarks.md):"
    )?;
    for g in r.goals() {
        writeln!(out, "  {}", g.line(opts.quick))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "clean samples (at least {} ms, no thread waited for a CPU for more than {:.0}% of the sample, threads ran together for {:.0}% of it): {} of {}",
        method.min_sample.as_millis(),
        (1.0 - method.min_cpu_share) * 100.0,
        method.min_overlap * 100.0,
        r.all.iter().map(|m| m.clean).sum::<usize>(),
        r.all.len() * method.reps
    )?;
    writeln!(
        out,
        "a goal is scored only when each config it uses has {} or more clean samples{}",
        method.min_clean,
        if method.max_spread.is_finite() {
            format!(" within {:.0}% of each other", method.max_spread * 100.0)
        } else {
            String::new()
        }
    )?;
    if !dirty.is_empty() {
        writeln!(
            out,
            "no clean sample (other load on the machine; medians of all samples): {}",
            dirty.join(", ")
        )?;
    }
    std::fs::write(&opts.svg, r.svg())?;
    writeln!(out)?;
    writeln!(out, "plot written to {}", opts.svg.display())?;
    Ok(())
}

struct Results {
    all: Vec<Measured>,
}

struct Goal {
    id: &'static str,
    what: &'static str,
    value: f64,
    target: f64,
    at_most: bool,
}

impl Goal {
    /// `None` when a config the goal uses is not trusted (its value is NaN then).
    fn met(&self) -> Option<bool> {
        if !self.value.is_finite() {
            return None;
        }
        Some(if self.at_most {
            self.value <= self.target
        } else {
            self.value >= self.target
        })
    }

    /// `G1   page_counter(4,1T) / ...   1.040  target <= 1.1   met`, or "not scored" in place
    /// of the value and verdict when the samples are not enough.
    fn line(&self, quick: bool) -> String {
        let head = format!("{:<4} {:<58}", self.id, self.what);
        let target = format!(
            "target {} {:<5}",
            if self.at_most { "<=" } else { ">=" },
            self.target
        );
        match self.met() {
            Some(met) => format!(
                "{head} {:>7.3}  {target} {}",
                self.value,
                if met { "met" } else { "MISSED" }
            ),
            None => format!(
                "{head} {:>7}  {target} {}",
                "-",
                if quick {
                    "not scored (quick)"
                } else {
                    "not scored (no trusted sample)"
                }
            ),
        }
    }
}

impl Results {
    fn get(&self, design: Design, depth: usize, threads: usize) -> Option<&Measured> {
        self.all.iter().find(|m| {
            m.config.design == design && m.config.depth == depth && m.config.threads == threads
        })
    }

    fn ns(&self, design: Design, depth: usize, threads: usize) -> f64 {
        self.get(design, depth, threads)
            .map_or(f64::NAN, |m| m.ns_per_pair)
    }

    fn floor_for(&self, design: Design, depth: usize, threads: usize) -> f64 {
        match design {
            Design::PlainAdd => self.ns(Design::PlainAdd, 1, threads),
            Design::Stock { .. } => self.ns(Design::PlainAdd, 1, threads),
            _ => self.ns(Design::AtomicRmw, depth, threads),
        }
    }

    fn table(&self, out: &mut dyn Write, threads: usize) -> io::Result<()> {
        write!(out, "  {:<26}", "design")?;
        for d in DEPTHS {
            write!(out, " {:>18}", format!("d={d}"))?;
        }
        writeln!(out)?;
        for design in matrix_designs() {
            write!(out, "  {:<26}", design.name())?;
            for d in DEPTHS {
                let t = self.ns(design, d, threads);
                let bracket = if threads == 1 {
                    t / self.floor_for(design, d, 1)
                } else {
                    2.0 * self.ns(design, d, 1) / t
                };
                write!(out, " {:>18}", format!("{t:.2} ({bracket:.2}x)"))?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    fn goals(&self) -> Vec<Goal> {
        let s64 = Design::Stock {
            batch: 64,
            slots: 1,
        };
        let s32 = Design::Stock {
            batch: 32,
            slots: 1,
        };
        // Goals read only trusted values: an untrusted config is NaN here, so the goal is not
        // scored.
        let ns = |d, depth, t| {
            self.get(d, depth, t)
                .filter(|m| m.trusted)
                .map_or(f64::NAN, |m| m.ns_per_pair)
        };
        vec![
            Goal {
                id: "G1",
                what: "page_counter(4,1T) / atomic_rmw(4,1T)",
                value: ns(Design::PageCounter, 4, 1) / ns(Design::AtomicRmw, 4, 1),
                target: 1.10,
                at_most: true,
            },
            Goal {
                id: "G2",
                what: "res_counter spinlock(4,1T) / atomic_rmw(4,1T)",
                value: ns(Design::ResSpin, 4, 1) / ns(Design::AtomicRmw, 4, 1),
                target: 1.35,
                at_most: true,
            },
            Goal {
                id: "G2'",
                what: "res_counter spinlock(4,1T) / lock+unlock only(4,1T)",
                value: ns(Design::ResSpin, 4, 1) / ns(Design::SpinLockOnly, 4, 1),
                target: 1.10,
                at_most: true,
            },
            Goal {
                id: "G3",
                what: "stock32(4,1T) / plain_add(1,1T)",
                value: ns(s32, 4, 1) / ns(Design::PlainAdd, 1, 1),
                target: 1.0,
                at_most: true,
            },
            Goal {
                id: "G3",
                what: "stock64(4,1T) / plain_add(1,1T)",
                value: ns(s64, 4, 1) / ns(Design::PlainAdd, 1, 1),
                target: 1.0,
                at_most: true,
            },
            Goal {
                id: "G3",
                what: "stock32(8,1T) / stock32(1,1T)",
                value: ns(s32, 8, 1) / ns(s32, 1, 1),
                target: 1.10,
                at_most: true,
            },
            Goal {
                id: "G3",
                what: "stock64(8,1T) / stock64(1,1T)",
                value: ns(s64, 8, 1) / ns(s64, 1, 1),
                target: 1.10,
                at_most: true,
            },
            Goal {
                id: "G6",
                what: "stock32 2-thread scaling 2*t(4,1T)/t(4,2T)",
                value: 2.0 * ns(s32, 4, 1) / ns(s32, 4, 2),
                target: 1.8,
                at_most: false,
            },
            Goal {
                id: "G8",
                what: "page_counter(4,2T) / atomic_rmw(4,2T)",
                value: ns(Design::PageCounter, 4, 2) / ns(Design::AtomicRmw, 4, 2),
                target: 1.10,
                at_most: true,
            },
            Goal {
                id: "G11",
                what: "2 memcgs single-slot stock64 / page_counter(4,1T)",
                value: ns(
                    Design::Thrash {
                        batch: 64,
                        slots: 1,
                    },
                    4,
                    1,
                ) / ns(Design::PageCounter, 4, 1),
                target: 0.9,
                at_most: false,
            },
            Goal {
                id: "G11",
                what: "2 memcgs 7-slot stock64 / stock64(4,1T)",
                value: ns(
                    Design::Thrash {
                        batch: 64,
                        slots: 7,
                    },
                    4,
                    1,
                ) / ns(s64, 4, 1),
                target: 3.0,
                at_most: true,
            },
            Goal {
                id: "G4*",
                what: "stock64 burst256(4,1T) / plain_add(4,1T)",
                value: ns(
                    Design::StockBurst {
                        batch: 64,
                        slots: 1,
                    },
                    4,
                    1,
                ) / ns(Design::PlainAdd, 4, 1),
                target: 1.0,
                at_most: true,
            },
            Goal {
                id: "G5*",
                what: "stock32 charge-only(4,1T) / atomic_rmw(4,1T)",
                value: ns(Design::StockChargeOnly { batch: 32 }, 4, 1)
                    / ns(Design::AtomicRmw, 4, 1),
                target: 0.60,
                at_most: true,
            },
            Goal {
                id: "G12*",
                what: "stock32 thread_local!(4,1T) / stock32 &mut(4,1T)",
                value: ns(Design::StockThreadLocal, 4, 1) / ns(s32, 4, 1),
                target: 1.0,
                at_most: false,
            },
            Goal {
                id: "G7*",
                what: "stock64 burst256 2-thread scaling",
                value: 2.0
                    * ns(
                        Design::StockBurst {
                            batch: 64,
                            slots: 1,
                        },
                        4,
                        1,
                    )
                    / ns(
                        Design::StockBurst {
                            batch: 64,
                            slots: 1,
                        },
                        4,
                        2,
                    ),
                target: 0.75,
                at_most: false,
            },
            Goal {
                id: "G9*",
                what: "res_counter spinlock(4,2T) / atomic_rmw(4,2T)",
                value: ns(Design::ResSpin, 4, 2) / ns(Design::AtomicRmw, 4, 2),
                target: 1.25,
                at_most: true,
            },
            Goal {
                id: "G10*",
                what: "page_counter(4,1T) / res_counter spinlock(4,1T)",
                value: ns(Design::PageCounter, 4, 1) / ns(Design::ResSpin, 4, 1),
                target: 0.90,
                at_most: true,
            },
            Goal {
                id: "G10*",
                what: "stock32(4,2T) / page_counter(4,2T)",
                value: ns(s32, 4, 2) / ns(Design::PageCounter, 4, 2),
                target: 0.01,
                at_most: true,
            },
        ]
    }

    /// Throughput (million pairs per second, all threads) against depth, log scale.
    fn svg(&self) -> String {
        let series: Vec<Series> = matrix_designs()
            .into_iter()
            .map(|design| Series {
                name: design.name(),
                points: THREADS
                    .iter()
                    .map(|&threads| {
                        DEPTHS
                            .iter()
                            .map(|&d| self.get(design, d, threads).map(|m| m.mpairs_per_sec()))
                            .collect()
                    })
                    .collect(),
            })
            .collect();
        plot_svg(&series)
    }
}

/// One design's line per thread count: `points[t][i]` is the throughput at `DEPTHS[i]` with
/// `THREADS[t]` threads.
pub struct Series {
    pub name: String,
    pub points: Vec<Vec<Option<f64>>>,
}

/// Ten colours that stay apart (Tableau 10), one per design.
const PALETTE: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// The y-range of a log plot that outliers do not set: the 5th to the 95th percentile of the
/// values, widened to whole decades. Values outside are drawn on the frame, hollow.
pub fn robust_range(values: &[f64]) -> (f64, f64) {
    let mut v: Vec<f64> = values
        .iter()
        .copied()
        .filter(|x| x.is_finite() && *x > 0.0)
        .collect();
    if v.is_empty() {
        return (0.0, 1.0);
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    let (lo, hi) = (at(0.05), at(0.95));
    let llo = lo.log10().floor();
    let lhi = hi.log10().ceil().max(llo + 1.0);
    (llo, lhi)
}

/// The contention plot: a distinct colour per design, solid for 1 thread and dashed for 2
/// (with a key for both), and a y-range set by the bulk of the values.
pub fn plot_svg(series: &[Series]) -> String {
    let (w, h) = (860.0, 500.0);
    let (left, right, top, bottom) = (70.0, 290.0, 40.0, 50.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let all: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().flatten().flatten().copied())
        .collect();
    let (llo, lhi) = robust_range(&all);
    let x = |i: usize| left + pw * i as f64 / (DEPTHS.len() - 1) as f64;
    // Clamped to the frame; the flag says whether the value was off the scale.
    let y = |v: f64| {
        let f = (v.log10() - llo) / (lhi - llo);
        (
            top + ph * (1.0 - f.clamp(0.0, 1.0)),
            !(0.0..=1.0).contains(&f),
        )
    };
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">charge+uncharge throughput (M pairs/s, all threads) against hierarchy depth</text>\n",
        (left + pw) / 2.0 + 20.0
    );
    let mut e = llo as i32;
    while e as f64 <= lhi {
        let v = 10f64.powi(e);
        let yy = y(v).0;
        s += &format!(
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#dddddd\"/>\n<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            left + pw,
            left - 6.0,
            yy + 4.0,
            fmt_tick(v),
        );
        e += 1;
    }
    for (i, d) in DEPTHS.iter().enumerate() {
        s += &format!(
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">depth {d}</text>\n",
            x(i),
            top + ph + 20.0
        );
    }
    s += &format!(
        "<rect x=\"{left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"black\"/>\n"
    );
    let mut clipped = false;
    for (k, serie) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        for (t, pts) in serie.points.iter().enumerate() {
            let placed: Vec<(f64, f64, bool)> = pts
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let v = (*v)?;
                    (v.is_finite() && v > 0.0).then(|| {
                        let (yy, off) = y(v);
                        (x(i), yy, off)
                    })
                })
                .collect();
            let dash = if t == 1 {
                " stroke-dasharray=\"6,4\""
            } else {
                ""
            };
            let line: Vec<String> = placed
                .iter()
                .map(|(a, b, _)| format!("{a:.1},{b:.1}"))
                .collect();
            s += &format!(
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n",
                line.join(" ")
            );
            for (a, b, off) in placed {
                let fill = if off { "white" } else { color };
                clipped |= off;
                s += &format!(
                    "<circle cx=\"{a:.1}\" cy=\"{b:.1}\" r=\"3\" fill=\"{fill}\" stroke=\"{color}\"/>\n"
                );
            }
        }
        let ly = top + 14.0 + 18.0 * k as f64;
        s += &format!(
            "<line x1=\"{}\" x2=\"{}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"3\"/>\n<text x=\"{}\" y=\"{}\">{}</text>\n",
            left + pw + 12.0,
            left + pw + 36.0,
            left + pw + 42.0,
            ly + 4.0,
            xml_escape(&serie.name)
        );
    }
    // The key for the line styles, under the designs.
    let ky = top + 14.0 + 18.0 * series.len() as f64 + 14.0;
    s += &format!(
        "<line x1=\"{a}\" x2=\"{b}\" y1=\"{ky}\" y2=\"{ky}\" stroke=\"black\" stroke-width=\"2\"/>\n<text x=\"{c}\" y=\"{}\">1 thread</text>\n\
         <line x1=\"{a}\" x2=\"{b}\" y1=\"{}\" y2=\"{}\" stroke=\"black\" stroke-width=\"2\" stroke-dasharray=\"6,4\"/>\n<text x=\"{c}\" y=\"{}\">2 threads</text>\n",
        ky + 4.0,
        ky + 18.0,
        ky + 18.0,
        ky + 22.0,
        a = left + pw + 12.0,
        b = left + pw + 36.0,
        c = left + pw + 42.0,
    );
    if clipped {
        s += &format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"white\" stroke=\"black\"/>\n<text x=\"{}\" y=\"{}\">off the scale (drawn at the edge)</text>\n",
            left + pw + 24.0,
            ky + 36.0,
            left + pw + 42.0,
            ky + 40.0
        );
    }
    s += "</svg>\n";
    s
}

fn fmt_tick(v: f64) -> String {
    if v >= 1.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// How long this thread has waited for a CPU while runnable, in nanoseconds: the second field
/// of `/proc/thread-self/schedstat` (Linux).
fn thread_wait_nanos() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().nth(1)?.parse().ok()
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The CPU model and count, from `/proc/cpuinfo` where it exists.
fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    format!("{} CPUs, {model}", cpus())
}

#[cfg(test)]
mod goal_tests {
    use super::*;
    use cgsim_counters::workload::Sample;
    use std::time::Duration;

    /// A config (design, depth, threads) and the samples it gets instead of the default ones.
    type Override = (Design, usize, usize, Vec<(Sample, f64)>);

    /// Results where every config took 10 ns per pair in every sample, except the overrides.
    fn results(method: Method, overrides: &[Override]) -> Results {
        let good = Sample {
            wall: method.sample,
            cpu_share: 1.0,
            overlap: 1.0,
        };
        let mut configs = Vec::new();
        for design in matrix_designs() {
            for threads in THREADS {
                for depth in DEPTHS {
                    configs.push(Config {
                        design,
                        depth,
                        threads,
                    });
                }
            }
        }
        configs.extend(extra_configs());
        let all = configs
            .into_iter()
            .map(|c| {
                let samples = overrides
                    .iter()
                    .find(|o| o.0 == c.design && o.1 == c.depth && o.2 == c.threads)
                    .map(|o| o.3.clone())
                    .unwrap_or_else(|| vec![(good, 10.0); method.reps]);
                method.summarize(c, &samples)
            })
            .collect();
        Results { all }
    }

    fn goal<'a>(goals: &'a [Goal], what: &str) -> &'a Goal {
        goals.iter().find(|g| g.what == what).expect(what)
    }

    const G1: &str = "page_counter(4,1T) / atomic_rmw(4,1T)";
    const G8: &str = "page_counter(4,2T) / atomic_rmw(4,2T)";

    #[test]
    fn trusted_samples_are_scored() {
        let r = results(Method::QUICK, &[]);
        let goals = r.goals();
        let g = goal(&goals, G1);
        assert_eq!(g.met(), Some(true));
        assert!(g.line(true).ends_with("met"), "{}", g.line(true));
    }

    #[test]
    fn an_impossible_short_two_thread_sample_does_not_score_g8() {
        // A measured case: page_counter 2T d4 at 0.09 ns per pair, because the threads did not run
        // together and the sample was far shorter than asked; the other two samples were
        // taken while a thread waited for a CPU.
        let m = Method::QUICK;
        let short = Sample {
            wall: Duration::from_micros(50),
            cpu_share: 1.0,
            overlap: 0.0,
        };
        let waited = Sample {
            wall: m.sample,
            cpu_share: 0.6,
            overlap: 1.0,
        };
        let r = results(
            m,
            &[(
                Design::PageCounter,
                4,
                2,
                vec![(short, 0.09), (waited, 600.0), (waited, 640.0)],
            )],
        );
        let goals = r.goals();
        let g = goal(&goals, G8);
        assert_eq!(g.met(), None);
        let line = g.line(true);
        assert!(line.ends_with("not scored (quick)"), "{line}");
        assert!(!line.contains("0.0"), "{line}");
        // Goals on other configs are still scored.
        assert_eq!(goal(&goals, G1).met(), Some(true));
        // The table still shows the measured value (median of all samples).
        assert_eq!(r.ns(Design::PageCounter, 4, 2), 600.0);
    }

    #[test]
    fn one_clean_sample_is_not_enough_in_quick_mode() {
        let m = Method::QUICK;
        let ok = Sample {
            wall: m.sample,
            cpu_share: 1.0,
            overlap: 1.0,
        };
        let waited = Sample {
            cpu_share: 0.5,
            ..ok
        };
        let r = results(
            m,
            &[(
                Design::AtomicRmw,
                4,
                1,
                vec![(ok, 6.0), (waited, 20.0), (waited, 20.0)],
            )],
        );
        // G1 divides by atomic_rmw(4,1T), which has one clean sample of three.
        assert_eq!(goal(&r.goals(), G1).met(), None);
    }

    #[test]
    fn disagreeing_clean_samples_are_not_scored_in_quick_mode() {
        // A second run of that case flipped G1: samples of one config that disagree by 70% do not
        // decide a goal.
        let m = Method::QUICK;
        let ok = Sample {
            wall: m.sample,
            cpu_share: 1.0,
            overlap: 1.0,
        };
        let r = results(
            m,
            &[(
                Design::PageCounter,
                4,
                1,
                vec![(ok, 10.0), (ok, 17.1), (ok, 10.2)],
            )],
        );
        assert_eq!(goal(&r.goals(), G1).met(), None);
    }
}

#[cfg(test)]
mod plot_tests {
    use super::*;

    fn series() -> Vec<Series> {
        (0..9)
            .map(|k| Series {
                name: format!("design {k}"),
                points: vec![
                    vec![Some(100.0 + k as f64), Some(50.0), Some(20.0), Some(10.0)],
                    vec![
                        Some(80.0),
                        Some(40.0),
                        Some(15.0),
                        Some(if k == 3 { 1e6 } else { 8.0 }),
                    ],
                ],
            })
            .collect()
    }

    #[test]
    fn outliers_do_not_set_the_range() {
        let all: Vec<f64> = series()
            .iter()
            .flat_map(|s| s.points.iter().flatten().flatten().copied())
            .collect();
        // One value of 1e6 among 72: the range stays 1..1000.
        assert_eq!(robust_range(&all), (0.0, 3.0));
    }

    #[test]
    fn one_colour_per_design_and_a_key() {
        let svg = plot_svg(&series());
        if std::env::var_os("CGSIM_PLOT_OUT").is_some() {
            std::fs::write(std::env::var_os("CGSIM_PLOT_OUT").unwrap(), &svg).unwrap();
        }
        for c in &PALETTE[..9] {
            assert!(svg.contains(&format!("stroke=\"{c}\"")), "{c} missing");
        }
        assert!(svg.contains(">1 thread</text>") && svg.contains(">2 threads</text>"));
        assert!(svg.contains("off the scale"));
    }
}
