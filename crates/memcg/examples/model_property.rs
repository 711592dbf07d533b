//! Check a property of your own over random charge sequences, with the reference model and the
//! proptest strategies of `cgsim_memcg::model` (run with
//! `cargo run -p cgsim-memcg --example model_property --features proptest`).
//!
//! The property here: with `use_hierarchy`, a parent's usage is at least the sum of its
//! children's, after every step, on the machine itself (read through `memory.usage_in_bytes`).

use cgsim_memcg::model::{Harness, strategy};
use proptest::test_runner::{Config, TestRunner};

fn usage(h: &Harness, id: u32) -> u64 {
    let text = h.machine.read_file(h.memcg(id), "usage_in_bytes").unwrap();
    text.trim().parse().unwrap()
}

fn main() {
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy::ops(40), |ops| {
        let mut h = Harness::new();
        for op in &ops {
            // `step` already compares the machine with the model and checks invariants.
            h.step(op);
            for (&id, m) in &h.model.memcgs {
                let children: u64 = m.children.iter().map(|&c| usage(&h, c)).sum();
                proptest::prop_assert!(
                    usage(&h, id) >= children,
                    "memcg {id}: usage below its children's after {op:?}"
                );
            }
        }
        Ok(())
    });
    match result {
        Ok(()) => println!("property held over 64 random sequences"),
        Err(e) => {
            eprintln!("property failed: {e}");
            std::process::exit(1);
        }
    }
}
