//! Check a property of your own over random charge sequences with proptest-state-machine: the
//! reference model (`cgsim_memcg::model::state_machine::MemcgReference`) generates the
//! operations, the machine runs them and must agree with the model, and your property is
//! checked after every transition, against both counter backends.
//!
//! Run with `cargo run -p cgsim-memcg --example model_property --features proptest`.
//!
//! The property here: with `use_hierarchy`, a parent's usage is at least the sum of its
//! children's, on the machine itself (read through `memory.usage_in_bytes`).

use cgsim_memcg::MemCounter;
use cgsim_memcg::model::state_machine::{
    MachineTest, PageCounterBackend, Property, ResCounterBackend, run,
};
use cgsim_memcg::model::{Harness, Model};

struct ParentCoversChildren;

impl<C: MemCounter> Property<C> for ParentCoversChildren {
    fn check(h: &Harness<C>, model: &Model) -> Result<(), String> {
        let usage = |id: u32| h.read_u64(id, "usage_in_bytes").map_err(|e| e.to_string());
        for (&id, m) in &model.memcgs {
            let mut children = 0;
            for &c in &m.children {
                children += usage(c)?;
            }
            let own = usage(id)?;
            if own < children {
                return Err(format!(
                    "memcg {id}: usage {own} below its children's {children}"
                ));
            }
        }
        Ok(())
    }
}

fn main() {
    for (name, result) in [
        (
            "res_counter",
            run::<MachineTest<ResCounterBackend, ParentCoversChildren>>(32, 40),
        ),
        (
            "page_counter",
            run::<MachineTest<PageCounterBackend, ParentCoversChildren>>(32, 40),
        ),
    ] {
        match result {
            Ok(()) => println!("{name}: property held over 32 random sequences"),
            Err(e) => {
                eprintln!("{name}: property failed: {e}");
                std::process::exit(1);
            }
        }
    }
}
