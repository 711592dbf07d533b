//! Tracing costs nothing when it is off: the same cgroup attach loop built three ways.
//!
//! * `notrace`: `CgroupCore<NoTrace>`, where every `trace::func` call compiles away;
//! * `ftrace_off`: `CgroupCore<Ftrace>` with the recorder switched off (what the shell runs
//!   between `trace off` and `trace on`): one relaxed load per traced function;
//! * `ftrace_on`: the recorder on, for the price of watching.
//!
//! The loop moves one task back and forth between two cgroups (`cgroup_attach_task`,
//! `find_css_set`, `put_css_set`), about ten traced functions per iteration.
//! Results and the command are in `docs/benchmarks.md`.

use cgsim_cgroup::{CgroupCore, CgroupId};
use cgsim_ktypes::trace::Ftrace;
use cgsim_ktypes::{Cred, NoTrace, Pid, Tracer};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::Arc;

/// A core with `cpu,cpuacct` mounted, cgroups `A` and `B`, and task 2 to move between them.
fn setup<T: Tracer>(tracer: Arc<T>) -> (CgroupCore<T>, CgroupId, CgroupId) {
    let core = CgroupCore::with_defaults(tracer);
    let top = core.mount(Some("cpu,cpuacct")).expect("mount").top;
    let a = core.mkdir(top, "A", 0o755, Cred::ROOT).expect("mkdir A");
    let b = core.mkdir(top, "B", 0o755, Cred::ROOT).expect("mkdir B");
    core.fork(Pid(1), Pid(2), Cred::ROOT).expect("fork");
    (core, a, b)
}

fn ping_pong<T: Tracer>(core: &CgroupCore<T>, a: CgroupId, b: CgroupId) {
    core.attach_task(black_box(a), Pid(2)).expect("attach to A");
    core.attach_task(black_box(b), Pid(2)).expect("attach to B");
}

fn bench_trace(c: &mut Criterion) {
    let mut g = c.benchmark_group("trace/attach_ping_pong");

    let (core, a, b) = setup(Arc::new(NoTrace));
    g.bench_function("notrace", |bench| bench.iter(|| ping_pong(&core, a, b)));

    let tracer = Arc::new(Ftrace::new());
    let (core, a, b) = setup(Arc::clone(&tracer));
    g.bench_function("ftrace_off", |bench| bench.iter(|| ping_pong(&core, a, b)));

    tracer.set_on(true);
    g.bench_function("ftrace_on", |bench| {
        bench.iter(|| {
            ping_pong(&core, a, b);
            // Keep the buffer small so the measurement is the recording, not a growing Vec.
            black_box(tracer.take());
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench_trace
}
criterion_main!(benches);
