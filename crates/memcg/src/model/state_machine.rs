//! The reference model as a proptest-state-machine reference, the machine as its system under
//! test, and the strategies (feature `proptest`).
//!
//! [`MemcgReference`] implements `ReferenceStateMachine` over [`Model`] and [`Op`]: its
//! transitions name only live memcgs and tasks (stable ids), and its preconditions drop ops
//! whose names a shrunk sequence no longer creates. [`MachineTest`] implements
//! `StateMachineTest` with a [`Harness`] as the system under test, generic over the counter
//! backend ([`ResCounterBackend`], [`PageCounterBackend`]) and over a [`Property`] of your own,
//! checked after every transition, as proptest-state-machine's docs describe:
//!
//! ```
//! use cgsim_memcg::model::state_machine::{run, MachineTest, PageCounterBackend, Property};
//! use cgsim_memcg::model::{Harness, Model};
//! use cgsim_memcg::MemCounter;
//!
//! /// No memcg is ever charged beyond its limit.
//! struct WithinLimit;
//! impl<C: MemCounter> Property<C> for WithinLimit {
//!     fn check(h: &Harness<C>, model: &Model) -> Result<(), String> {
//!         for &id in model.memcgs.keys() {
//!             let (u, l) = (h.read_u64(id, "usage_in_bytes"), h.read_u64(id, "limit_in_bytes"));
//!             if u > l {
//!                 return Err(format!("memcg {id}: usage {u:?} above limit {l:?}"));
//!             }
//!         }
//!         Ok(())
//!     }
//! }
//! run::<MachineTest<PageCounterBackend, WithinLimit>>(8, 20).unwrap();
//! ```
//!
//! With `proptest-state-machine` as a direct dependency, `prop_state_machine!` runs the same
//! `MachineTest` (the macro names the `proptest` crate by its absolute path, so it needs that
//! dependency too); [`run`] needs only this crate (or `cgsim-cgroupfs`, which re-exports it).

pub use proptest;
pub use proptest_state_machine;

use super::{Harness, Model, Op};
use crate::MemCounter;
use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};
use std::marker::PhantomData;

/// The reference state machine: [`Model`] with [`Op`] transitions.
pub struct MemcgReference;

impl ReferenceStateMachine for MemcgReference {
    type State = Model;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model::new()).boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Op> {
        op_for(state)
    }

    fn apply(mut state: Model, op: &Op) -> Model {
        state.apply(op);
        state
    }

    fn preconditions(state: &Model, op: &Op) -> bool {
        op.names_live(state)
    }
}

/// One operation naming live memcgs and tasks of `state`, with small page counts.
pub fn op_for(state: &Model) -> BoxedStrategy<Op> {
    let cgs: Vec<u32> = state.memcgs.keys().copied().collect();
    let cg = move || proptest::sample::select(cgs.clone());
    let memcg_ops = prop_oneof![
        2 => cg().prop_map(|parent| Op::Mkdir { parent }),
        1 => cg().prop_map(|memcg| Op::Rmdir { memcg }),
        2 => (cg(), 0..24u64).prop_map(|(memcg, pages)| Op::SetLimit { memcg, pages }),
        1 => (cg(), any::<bool>()).prop_map(|(memcg, on)| Op::SetMoveCharge { memcg, on }),
        2 => cg().prop_map(|memcg| Op::Spawn { memcg }),
    ];
    if state.tasks.is_empty() {
        return memcg_ops.boxed();
    }
    let pids: Vec<i32> = state.tasks.keys().copied().collect();
    let task = move || proptest::sample::select(pids.clone());
    prop_oneof![
        8 => memcg_ops,
        1 => task().prop_map(|task| Op::Fork { task }),
        1 => task().prop_map(|task| Op::Exit { task }),
        2 => (task(), cg()).prop_map(|(task, memcg)| Op::Attach { task, memcg }),
        4 => (task(), 1..12u64).prop_map(|(task, pages)| Op::Charge { task, pages }),
        2 => task().prop_map(|task| Op::Write { task }),
        2 => task().prop_map(|task| Op::Uncharge { task }),
    ]
    .boxed()
}

/// One operation without a state to follow: memcg ids 0..8, pids 100..108 (names that do not
/// exist make the op a no-op), for plain `proptest!` loops over [`ops`].
pub fn op() -> impl Strategy<Value = Op> {
    let cg = || 0..8u32;
    let task = || 100..108i32;
    prop_oneof![
        2 => cg().prop_map(|parent| Op::Mkdir { parent }),
        1 => cg().prop_map(|memcg| Op::Rmdir { memcg }),
        2 => (cg(), 0..24u64).prop_map(|(memcg, pages)| Op::SetLimit { memcg, pages }),
        1 => (cg(), any::<bool>()).prop_map(|(memcg, on)| Op::SetMoveCharge { memcg, on }),
        2 => cg().prop_map(|memcg| Op::Spawn { memcg }),
        1 => task().prop_map(|task| Op::Fork { task }),
        1 => task().prop_map(|task| Op::Exit { task }),
        2 => (task(), cg()).prop_map(|(task, memcg)| Op::Attach { task, memcg }),
        4 => (task(), 1..12u64).prop_map(|(task, pages)| Op::Charge { task, pages }),
        2 => task().prop_map(|task| Op::Write { task }),
        2 => task().prop_map(|task| Op::Uncharge { task }),
    ]
}

/// A sequence of up to `max` operations from [`op`].
pub fn ops(max: usize) -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(op(), 0..max)
}

/// A counter backend the machine under test is built with.
pub trait Backend: 'static {
    type Counter: MemCounter;
    /// A fresh harness with this backend.
    fn harness() -> Harness<Self::Counter>;
}

/// res_counter with a spinlock per level, 2.6.34 semantics (the SEED machine).
pub struct ResCounterBackend;

impl Backend for ResCounterBackend {
    type Counter = cgsim_counters::SpinResCounter;
    fn harness() -> Harness<Self::Counter> {
        Harness::new()
    }
}

/// page_counter (3.19+: lock-free atomics, limits in pages) under the same charge path.
pub struct PageCounterBackend;

impl Backend for PageCounterBackend {
    type Counter = cgsim_counters::PageCounter;
    fn harness() -> Harness<Self::Counter> {
        Harness::with_counter(Default::default())
    }
}

/// A property of your own, checked on the machine (and the model's state) after every
/// transition; `Err` fails the test case, which proptest then shrinks.
pub trait Property<C: MemCounter>: 'static {
    fn check(h: &Harness<C>, model: &Model) -> Result<(), String>;
}

/// No property beyond the machine agreeing with the model.
pub struct NoProperty;

impl<C: MemCounter> Property<C> for NoProperty {
    fn check(_: &Harness<C>, _: &Model) -> Result<(), String> {
        Ok(())
    }
}

/// The machine with backend `B` as the system under test of [`MemcgReference`]: after each
/// transition the machine must report the model's outcome and counters, then property `P`
/// must hold. Failures panic, as proptest-state-machine expects of `apply` and
/// `check_invariants`.
pub struct MachineTest<B, P = NoProperty>(PhantomData<(B, P)>);

impl<B: Backend, P: Property<B::Counter>> StateMachineTest for MachineTest<B, P> {
    type SystemUnderTest = Harness<B::Counter>;
    type Reference = MemcgReference;

    fn init_test(_: &Model) -> Harness<B::Counter> {
        B::harness()
    }

    fn apply(mut h: Harness<B::Counter>, after: &Model, op: Op) -> Harness<B::Counter> {
        if let Err(m) = h.step(after, &op) {
            panic!("machine and model disagree {m}");
        }
        h
    }

    fn check_invariants(h: &Harness<B::Counter>, model: &Model) {
        if let Err(e) = P::check(h, model) {
            panic!("property failed: {e}");
        }
    }
}

/// Run `S` over `cases` random sequences of 1 to `max_len` transitions, shrinking a failure,
/// without the `prop_state_machine!` macro (so without a direct `proptest` dependency). The
/// error is proptest's report: the minimal failing sequence and the panic message.
pub fn run<S>(cases: u32, max_len: usize) -> Result<(), String>
where
    S: StateMachineTest,
    S::Reference: ReferenceStateMachine,
{
    let config = proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config.clone());
    let strategy = <S::Reference as ReferenceStateMachine>::sequential_strategy(1..max_len);
    runner
        .run(&strategy, |(init, transitions, seen)| {
            S::test_sequential(config.clone(), init, transitions, seen);
            Ok(())
        })
        .map_err(|e| e.to_string())
}
