//! The machine against the reference model (`cgsim_memcg::model`) over random operation
//! sequences: charge, write after fork, uncharge, limit, attach with and without
//! move_charge_at_immigrate, rmdir, fork, exit, with both counter backends, through
//! the crate's public proptest-state-machine reference and strategies.

use cgsim_memcg::model::state_machine::{
    self, MachineTest, MemcgReference, PageCounterBackend, ResCounterBackend,
};
use cgsim_memcg::model::{Harness, Model, Op};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest_state_machine::{ReferenceStateMachine, prop_state_machine};

/// The number of cases of a property: `PROPTEST_CASES` when it is set (run more with, for
/// example, `PROPTEST_CASES=2000 cargo test --release -p cgsim-memcg --test it proptest_model`),
/// else `default`, which keeps the default `cargo test` run of this file near a second of CPU.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

prop_state_machine! {
    #![proptest_config(ProptestConfig {
        cases: cases(64),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn res_counter_machine_matches_model(sequential 1..60 => MachineTest<ResCounterBackend>);

    #[test]
    fn page_counter_machine_matches_model(sequential 1..60 => MachineTest<PageCounterBackend>);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(32)))]

    /// The stateless strategy in a plain loop: the caller owns the model and hands each
    /// state to the harness.
    #[test]
    fn plain_loop_over_stateless_ops(ops in state_machine::ops(60)) {
        let mut model = Model::new();
        let mut h = Harness::new();
        for op in &ops {
            model.apply(op);
            h.step(&model, op).map_err(|m| TestCaseError::fail(m.to_string()))?;
        }
    }
}

/// The generated transitions cover every kind of op, `Write` (copy-on-write after fork)
/// included, and only name live memcgs and tasks.
#[test]
fn transitions_cover_every_op_and_name_live_objects() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..50 {
        let (mut model, ops, _) = MemcgReference::sequential_strategy(1..40)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        for op in &ops {
            assert!(op.names_live(&model), "{op:?} names a dead object");
            seen.insert(std::mem::discriminant(op));
            model = MemcgReference::apply(model, op);
        }
    }
    assert_eq!(seen.len(), 11, "every Op variant generated");
}

/// A harness given a model that disagrees reports a mismatch instead of passing.
#[test]
fn a_disagreeing_model_is_reported() {
    let mut model = Model::new();
    let mut h = Harness::new();
    let ops = [
        Op::Mkdir { parent: 0 },
        Op::Spawn { memcg: 1 },
        Op::Charge {
            task: 100,
            pages: 3,
        },
    ];
    for op in &ops {
        model.apply(op);
        h.step(&model, op).unwrap();
    }
    // The model believes memcg 1 failed a charge the machine never failed.
    let mut wrong = model.clone();
    wrong.memcgs.get_mut(&1).unwrap().failcnt += 1;
    let err = h.compare(&wrong).unwrap_err();
    assert!(
        err.to_string()
            .contains("failcnt of memcg 1: machine 0, model 1"),
        "{err}"
    );
    // A wrong outcome, too.
    let op = Op::Uncharge { task: 100 };
    model.apply(&op);
    model.last.result = Some(cgsim_ktypes::Errno::EBUSY);
    assert!(h.step(&model, &op).is_err());
}
