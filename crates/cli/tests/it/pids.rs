//! The pids controller on v1 (`tests/scripts/pids_v1.sh` on the 4.19 and 6.6 presets, which
//! have it; `pids_v2.sh` runs from `cgroup2.rs`), and the controller list of every preset
//! (`/proc/cgroups`, `include/linux/cgroup_subsys.h` order).

use cgsim::Shell;
use cgsim_cgroupfs::{BootParams, KernelVersion};

fn run_on(v: KernelVersion, src: &str) -> String {
    let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(v)));
    sh.set_echo_input(true);
    let (text, status) = cgsim::transcript_of(&mut sh, src);
    sh.kernel().check_invariants();
    let warnings = sh.kernel().klog().warnings();
    assert!(
        warnings.is_empty(),
        "the kernel logged warnings: {warnings:?}"
    );
    format!("{text}[exit status {status}]\n")
}

const PIDS_V1: &str = include_str!("../scripts/pids_v1.sh");

#[test]
fn pids_v1_4_19() {
    insta::assert_snapshot!("pids_v1_4_19", run_on(KernelVersion::V4_19, PIDS_V1));
}

/// 6.6's v1 pids hierarchy behaves as 4.19's: the same transcript.
#[test]
fn pids_v1_6_6() {
    assert_eq!(
        run_on(KernelVersion::V6_6, PIDS_V1),
        run_on(KernelVersion::V4_19, PIDS_V1)
    );
}

/// Before 4.3 there is no pids controller: `mount -o pids` fails as `parse_cgroupfs_options`
/// does for an unknown name.
#[test]
fn no_pids_before_4_3() {
    insta::assert_snapshot!(
        "pids_none_3_19",
        run_on(
            KernelVersion::V3_19,
            "mkdir -p /cg\nmount -t cgroup -o pids none /cg\ngrep pids /proc/cgroups\n"
        )
    );
}

const PROC_CGROUPS: &str = "cat /proc/cgroups\n";

macro_rules! proc_cgroups {
    ($name:ident, $v:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), run_on($v, PROC_CGROUPS));
        }
    };
}

proc_cgroups!(proc_cgroups_2_6_25, KernelVersion::V2_6_25);
proc_cgroups!(proc_cgroups_2_6_35, KernelVersion::V2_6_35);
proc_cgroups!(proc_cgroups_3_10, KernelVersion::V3_10);
proc_cgroups!(proc_cgroups_3_19, KernelVersion::V3_19);
proc_cgroups!(proc_cgroups_4_19, KernelVersion::V4_19);
proc_cgroups!(proc_cgroups_6_6, KernelVersion::V6_6);

/// A refused fork in an interactive shell (the REPL) abandons the rest of the line with `$?`
/// 2 and the shell goes on; in a script the shell exits with status 2 (dash's `exraise`).
#[test]
fn cannot_fork_interactive_and_not() {
    let setup = "mkdir -p /cg\nmount -t cgroup -o pids none /cg\nmkdir /cg/a\n\
                 echo 1 > /cg/a/pids.max\necho $$ > /cg/a/tasks\n";
    let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(KernelVersion::V6_6)));
    sh.set_interactive(true);
    assert_eq!(cgsim::transcript_of(&mut sh, setup).1, 0);
    let (text, status) = cgsim::transcript_of(&mut sh, "/bin/sleep 0; echo same line\n");
    assert_eq!((text.as_str(), status), ("cgsim: 1: Cannot fork\n", 2));
    assert!(sh.recover_interactive_abort());
    assert_eq!(sh.exited(), None);
    let (text, _) = cgsim::transcript_of(&mut sh, "echo \"next $?\"\n");
    assert_eq!(text, "next 2\n");

    let mut sh = Shell::new(cgsim::boot(BootParams::for_kernel(KernelVersion::V6_6)));
    let (text, status) =
        cgsim::transcript_of(&mut sh, &format!("{setup}/bin/sleep 0\necho not reached\n"));
    assert_eq!((text.as_str(), status), ("cgsim: 6: Cannot fork\n", 2));
    assert!(!sh.recover_interactive_abort());
    assert_eq!(sh.exited(), Some(2));
}
