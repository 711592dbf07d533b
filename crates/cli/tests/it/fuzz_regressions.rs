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
