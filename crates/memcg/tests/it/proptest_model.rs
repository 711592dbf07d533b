//! The machine against the reference model (`cgsim_memcg::model`) over random operation
//! sequences: charge, uncharge, limit, attach with and without move_charge_at_immigrate, rmdir,
//! fork, exit (issue 4 §7).

use cgsim_memcg::model::{Harness, Op};
use proptest::prelude::*;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..8usize).prop_map(|parent| Op::Mkdir { parent }),
        1 => (0..8usize).prop_map(|memcg| Op::Rmdir { memcg }),
        2 => (0..8usize, 0..24u64).prop_map(|(memcg, pages)| Op::SetLimit { memcg, pages }),
        1 => (0..8usize, any::<bool>()).prop_map(|(memcg, on)| Op::SetMoveCharge { memcg, on }),
        2 => (0..8usize).prop_map(|memcg| Op::Spawn { memcg }),
        1 => (0..8usize).prop_map(|task| Op::Fork { task }),
        1 => (0..8usize).prop_map(|task| Op::Exit { task }),
        2 => (0..8usize, 0..8usize).prop_map(|(task, memcg)| Op::Attach { task, memcg }),
        4 => (0..8usize, 1..12u64).prop_map(|(task, pages)| Op::Charge { task, pages }),
        2 => (0..8usize).prop_map(|task| Op::Uncharge { task }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn machine_matches_model(ops in proptest::collection::vec(op(), 0..60)) {
        let mut h = Harness::new();
        for op in &ops {
            h.step(op);
        }
    }
}
