//! Property test of the PSI group (`kernel/sched/psi.c`, v6.6): over random sequences of
//! memory stalls entered and left on random CPUs, reads and triggers, the cumulative totals
//! only grow, `full` never exceeds `some`, no total runs ahead of the clock, the averages stay
//! within 0..100%, and the text `psi_show` prints carries the totals in µs.

use cgsim_cgroup::psi_group::{FIXED_1, PSI_MEM_FULL, PSI_MEM_SOME, PsiGroup, TSK_MEMSTALL};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    /// Let this many ns pass.
    Wait(u64),
    /// A task on this CPU enters a memory stall.
    Enter(usize),
    /// A stalled task on this CPU leaves it.
    Leave(usize),
    /// Read memory.pressure.
    Show,
    /// A privileged trigger (threshold, window) is created.
    Trigger(u32, u32),
    /// Poll the triggers.
    Poll,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u64..3_000_000_000).prop_map(Op::Wait),
        (0usize..3).prop_map(Op::Enter),
        (0usize..3).prop_map(Op::Leave),
        Just(Op::Show),
        (1u32..1_000_000, 500_000u32..10_000_000).prop_map(|(t, w)| Op::Trigger(t.min(w), w)),
        Just(Op::Poll),
    ]
}

fn total_of(line: &str) -> u64 {
    line.rsplit("total=").next().unwrap().parse().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn totals_grow_and_some_covers_full(ops in proptest::collection::vec(op(), 1..60)) {
        let mut g = PsiGroup::new(3, 0);
        let mut now = 0u64;
        let mut stalled = [0u32; 3];
        let mut prev = [0u64; 6];
        let mut keys = Vec::new();
        for o in ops {
            match o {
                Op::Wait(d) => now += d,
                Op::Enter(c) => {
                    g.task_change(c, 0, TSK_MEMSTALL, now);
                    stalled[c] += 1;
                }
                Op::Leave(c) if stalled[c] > 0 => {
                    g.task_change(c, TSK_MEMSTALL, 0, now);
                    stalled[c] -= 1;
                }
                Op::Leave(_) => {}
                Op::Show => {
                    let text = g.show(1, now, false);
                    let mut lines = text.lines();
                    let some = lines.next().unwrap();
                    let full = lines.next().unwrap();
                    prop_assert!(some.starts_with("some avg10="));
                    prop_assert!(full.starts_with("full avg10="));
                    prop_assert_eq!(total_of(some), g.totals()[PSI_MEM_SOME] / 1000);
                    prop_assert_eq!(total_of(full), g.totals()[PSI_MEM_FULL] / 1000);
                }
                Op::Trigger(t, w) => {
                    let k = keys.len() as u64 + 1;
                    g.trigger_create(k, PSI_MEM_SOME, t, w, true, now);
                    keys.push(k);
                }
                Op::Poll => {
                    for &k in &keys {
                        g.trigger_poll(k, now);
                    }
                }
            }
            g.run_timers(now);
            let t = g.totals();
            for s in 0..6 {
                prop_assert!(t[s] >= prev[s], "total[{}] went from {} to {}", s, prev[s], t[s]);
                prop_assert!(t[s] <= now, "total[{}] = {} ahead of the clock {}", s, t[s], now);
            }
            prop_assert!(t[PSI_MEM_SOME] >= t[PSI_MEM_FULL]);
            for s in [PSI_MEM_SOME, PSI_MEM_FULL] {
                for a in g.avg(s) {
                    prop_assert!(a <= 100 * FIXED_1, "average {} over 100%", a);
                }
            }
            prev = t;
        }
    }
}
