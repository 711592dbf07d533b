//! Replays every input committed under `fuzz/regressions/<target>/` through the same function the
//! cargo-fuzz target calls, on stable, so a crash found by fuzzing stays fixed.

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let data = std::fs::read(&p).expect("readable regression input");
            (p, data)
        })
        .collect()
}

#[test]
fn shell_regressions_replay() {
    let cases = inputs("shell");
    assert!(
        !cases.is_empty(),
        "fuzz/regressions/shell holds at least the seed inputs"
    );
    for (path, data) in cases {
        eprintln!("replaying {}", path.display());
        cgsim::fuzzing::shell(&data);
    }
}

#[test]
fn control_write_regressions_replay() {
    let cases = inputs("control_write");
    assert!(
        !cases.is_empty(),
        "fuzz/regressions/control_write holds at least the seed inputs"
    );
    for (path, data) in cases {
        eprintln!("replaying {}", path.display());
        cgsim::fuzzing::control_write(&data);
    }
}

#[test]
fn event_control_regressions_replay() {
    let cases = inputs("event_control");
    assert!(
        !cases.is_empty(),
        "fuzz/regressions/event_control holds at least the seed inputs"
    );
    for (path, data) in cases {
        eprintln!("replaying {}", path.display());
        cgsim::fuzzing::event_control(&data);
    }
}

#[test]
fn scenario_regressions_replay() {
    let cases = inputs("scenario");
    assert!(
        !cases.is_empty(),
        "fuzz/regressions/scenario holds at least the seed inputs"
    );
    for (path, data) in cases {
        eprintln!("replaying {}", path.display());
        cgsim::fuzzing::scenario(&data);
    }
}

/// Every operation of the structured target once over, at several failure rates: no panic,
/// the invariants hold, and injected failures of structural operations roll back.
#[test]
fn scenario_with_every_operation_under_failures() {
    use cgsim::fuzzing::{Scenario, ScenarioOp as Op, run_scenario};
    for (seed, slab, page) in [
        (1, 0, 0),
        (2, 30, 10),
        (3, 100, 0),
        (4, 50, 50),
        (5, 100, 100),
    ] {
        let ops = || {
            vec![
                Op::Mkdir(1),
                Op::Mkdir(2),
                Op::Mkdir(3),
                Op::Fork(0),
                Op::Fork(0),
                Op::Attach(0, 1),
                Op::Attach(1, 2),
                Op::Mount(0),
                Op::Mkdir(4),
                Op::Attach(0, 4),
                Op::Eventfd(0),
                Op::Register {
                    task: 0,
                    dir: 1,
                    file: 0,
                    args: "64K".into(),
                },
                Op::Register {
                    task: 1,
                    dir: 2,
                    file: 2,
                    args: String::new(),
                },
                Op::Write {
                    dir: 1,
                    file: 1,
                    value: "256K".into(),
                },
                Op::Touch(0, 31),
                Op::Touch(1, 20),
                Op::FailNth(2),
                Op::Mkdir(3),
                Op::Exit(0),
                Op::Rmdir(2),
                Op::Umount,
            ]
        };
        run_scenario(&Scenario {
            seed,
            slab_probability: slab,
            page_probability: page,
            interval: 1,
            verbose: 2,
            ops: ops(),
        });
    }
}
